/*
 * pathological.c - graphs that make a careless path builder do unbounded work.
 *
 * Every case here is tagged denial-of-service: a builder that enumerates paths without pruning
 * (by signature, validity and loops as it goes) takes factorial or exponential time on them,
 * and a stack is expected to answer (correctly, or with a bounded-work reject) rather than
 * hang. The oracle enumerates every valid path under its work budget, so each graph here is
 * sized to stay well below it (see the limits below).
 *
 *   mesh<n>    n = 4..8 CAs, each cross-certifying every other (n(n-1) certificates, all sent);
 *              the leaf is under Mesh CA 1. reachable: the client trusts Mesh CA n, so every
 *              loop-free route from CA 1 to CA n is a path. unreachable: it trusts an unrelated
 *              root, so a builder must exhaust about e(n-1)! partial paths and reject.
 *              long-route: a Mesh Root certifies CA n, and only the cross-certificates of the
 *              route CA n -> CA n-1 -> ... -> CA 1 are valid (the others expired): one path,
 *              through every CA. exit-everywhere (n <= 7): the Mesh Root certifies every CA:
 *              every loop-free route from CA 1 ends in a path.
 *   deep       straight chains of 16, 32, 33 and 40 intermediates (RFC 5280 sets no limit; the
 *              oracle follows 48); the 32-deep one also sent with an intermediate missing, with
 *              every certificate twice, and with its top certificate expired.
 *   ladder     16 levels of two CAs, each certified by both CAs of the level above: 2^15 paths,
 *              and with both top certificates expired 2^15 dead ends before the reject.
 *   same-name  20 CAs of one name with 20 keys (only one signed the leaf), with the leaf's AKI
 *              absent or misleading; two levels of such pools; eight trust anchors of one name.
 *
 * Expected outcomes come from the oracle, never from here.
 */
#include "cp_families.h"
#include "graph_orders.h"

#include <string.h>

/* Mesh sizes. Mesh 8 unreachable costs the oracle about e * 7! = 13,700 steps per case and
 * profile, against a budget of 2,000,000; mesh 10 would cost a million and take seconds. With
 * an exit at every CA each of those partial paths also ends in a path to record, so that
 * scenario stops at mesh 7: the family's whole oracle run stays near 0.15 s. */
#define PA_MESH_MIN 4
#define PA_MESH_MAX 8
/* Longest straight chain: past 32 (a common verifier limit), below the oracle's 48. */
#define PA_DEEP_MAX 40
#define PA_DEEP_BROKEN 32  /* the depth whose broken variants are sent */
#define PA_DEEP_MISSING 16 /* the intermediate left out of the missing-middle list */
/* Ladder levels: 2^(levels-1) paths, 32,768 for 16 levels: a few hundred thousand oracle steps
 * over both profiles and three orders. */
#define PA_LADDER_LEVELS 16
#define PA_POOL 20       /* CAs sharing a name */
#define PA_POOL_RIGHT 13 /* the pool member (1-based) that actually signed */
#define PA_ANCHOR_POOL CP_MAX_ANCHORS

#define PA_DOS CP_F_DOS

/* ---- meshes ---- */

enum pa_mesh_kind { PA_REACHABLE, PA_UNREACHABLE, PA_LONG_ROUTE, PA_EXIT_EVERYWHERE };

struct pa_mesh_scenario {
    const char *id;
    const char *summary;
    enum pa_mesh_kind kind;
    int max_n; /* the largest mesh the scenario gets (the oracle's time, see above) */
    uint64_t features;
};

static const struct pa_mesh_scenario pa_mesh_scenarios[] = {
    {"reachable", "the anchor is Mesh CA n: every loop-free route from CA 1 to it is a path",
     PA_REACHABLE, PA_MESH_MAX, 0},
    {"unreachable", "no anchor in the mesh: every loop-free route must be tried and fail",
     PA_UNREACHABLE, PA_MESH_MAX, 0},
    {"long-route",
     "only the route CA n -> ... -> CA 1 is valid (other cross-certificates expired) below Mesh "
     "Root",
     PA_LONG_ROUTE, PA_MESH_MAX, CP_F_EXPIRY},
    {"exit-everywhere", "Mesh Root certifies every CA: every loop-free route ends in a path",
     PA_EXIT_EVERYWHERE, PA_MESH_MAX - 1, 0},
};

static int pa_anchor(struct cp_graph *g, const struct pa_mesh_scenario *s, const int *ca, int n,
                     int root)
{
    switch (s->kind) {
    case PA_REACHABLE:
        return ca[n - 1];
    case PA_UNREACHABLE:
        return cp_graph_entity(g, "Other Root");
    default:
        return root;
    }
}

/* Declared order: the leaf, then every certificate of CA 1, of CA 2, ... (upwards from the
 * leaf's issuer), then the root's. */
static void pa_mesh_build(struct cp_graph *g, const struct pa_mesh_scenario *s, int n,
                          struct fc_list *sent, int *anchor)
{
    int ca[PA_MESH_MAX];
    fc_entities(g, "Mesh CA", n, ca);
    bool rooted = s->kind == PA_LONG_ROUTE || s->kind == PA_EXIT_EVERYWHERE;
    int root = rooted ? cp_graph_entity(g, "Mesh Root") : -1;
    fc_push(sent, cp_graph_leaf(g, ca[0], cp_graph_entity(g, "Leaf")));
    for (int sub = 0; sub < n; sub++) {
        for (int is = 0; is < n; is++) {
            if (is == sub)
                continue;
            /* On the long route only CA k+1 -> CA k stays valid. */
            bool dead = s->kind == PA_LONG_ROUTE && is != sub + 1;
            fc_push(sent, fc_ca(g, ca[is], ca[sub], dead ? &fc_defects[FC_EXPIRED] : NULL));
        }
    }
    for (int sub = 0; sub < n && rooted; sub++) {
        if (s->kind == PA_EXIT_EVERYWHERE || sub == n - 1)
            fc_push(sent, cp_graph_ca(g, root, ca[sub]));
    }
    *anchor = pa_anchor(g, s, ca, n, root);
}

static int pa_mesh(struct cp_model *m, int n, const struct pa_mesh_scenario *s)
{
    char name[CP_ID_MAX], summary[CP_DESC_MAX];
    int rc = cp_model_fmt(name, sizeof(name), "pathological/mesh%d/%s", n, s->id);
    if (!rc)
        rc = cp_model_fmt(summary, sizeof(summary),
                          "Full mesh of %d mutually cross-certified CAs, leaf under Mesh CA 1; %s",
                          n, s->summary);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, name);
    if (!g)
        return CP_E_ARG; /* a repeated name or no memory; the message says which */
    struct fc_list sent = {.n = 0};
    int anchor;
    pa_mesh_build(g, s, n, &sent, &anchor);
    struct cp_case_spec spec = {
        .summary = summary,
        .leaf = sent.v[0],
        .anchors = &anchor,
        .nanchors = 1,
        .features = PA_DOS | CP_F_CYCLES | CP_F_BRANCHING | s->features,
    };
    return fc_add_orders(m, g, name, &spec, &sent, FC_ALL_ORDERS);
}

/* ---- deep chains ---- */

struct pa_chain {
    int root;
    int ica[PA_DEEP_MAX];
    int cert[PA_DEEP_MAX]; /* cert[k]: ICA k's certificate (from ICA k-1, or the root) */
    int leaf_entity;
};

static void pa_chain_build(struct cp_graph *g, int depth, struct pa_chain *c)
{
    c->root = cp_graph_entity(g, "Deep Root");
    fc_entities(g, "ICA", depth, c->ica);
    for (int k = 0; k < depth; k++)
        c->cert[k] = cp_graph_ca(g, k ? c->ica[k - 1] : c->root, c->ica[k]);
    c->leaf_entity = cp_graph_entity(g, "Leaf");
}

/* What a deep chain's case list holds besides the leaf. */
enum pa_deep_send { PA_SEND_CHAIN, PA_SEND_MISSING, PA_SEND_TWICE };

struct pa_deep_variant {
    const char *id;
    const char *summary;
    enum pa_deep_send send;
    bool top_expired; /* a graph of its own: the root's certificate for ICA 1 expired */
    bool every_depth; /* at every depth; else only at PA_DEEP_BROKEN: one deep chain suffices */
    uint64_t features;
};

static const struct pa_deep_variant pa_deep_variants[] = {
    {"chain", "sent in full", PA_SEND_CHAIN, false, true, 0},
    {"missing-middle", "ICA 16's certificate left out: the chain breaks halfway", PA_SEND_MISSING,
     false, false, CP_F_MISSING_ISSUER},
    {"duplicated", "every intermediate sent twice", PA_SEND_TWICE, false, false, CP_F_DUPLICATES},
    {"top-expired", "the root's certificate for ICA 1 expired: found only at the far end",
     PA_SEND_CHAIN, true, false, CP_F_EXPIRY},
};

static void pa_deep_sent(const struct pa_chain *c, int depth, int leaf,
                         const struct pa_deep_variant *v, struct fc_list *sent)
{
    fc_push(sent, leaf);
    for (int copy = 0; copy < (v->send == PA_SEND_TWICE ? 2 : 1); copy++) {
        for (int k = depth - 1; k >= 0; k--) {
            if (v->send != PA_SEND_MISSING || k != PA_DEEP_MISSING - 1)
                fc_push(sent, c->cert[k]);
        }
    }
}

/* Cases of one variant on graph g; each variant has its own leaf (a leaf's SAN holds the
 * hostnames of its cases, at most CP_MAX_SAN). */
static int pa_deep_cases(struct cp_model *m, struct cp_graph *g, const struct pa_chain *c,
                         int depth, const struct pa_deep_variant *v)
{
    char prefix[CP_ID_MAX], summary[CP_DESC_MAX];
    int rc = cp_model_fmt(prefix, sizeof(prefix), "pathological/deep/depth%d/%s", depth, v->id);
    if (!rc)
        rc = cp_model_fmt(summary, sizeof(summary), "Chain of %d intermediates, %s", depth,
                          v->summary);
    if (rc)
        return rc;
    int leaf = cp_graph_leaf(g, c->ica[depth - 1], c->leaf_entity);
    struct fc_list sent = {.n = 0};
    pa_deep_sent(c, depth, leaf, v, &sent);
    struct cp_case_spec spec = {
        .summary = summary,
        .leaf = leaf,
        .anchors = &c->root,
        .nanchors = 1,
        .features = PA_DOS | CP_F_DEEP_CHAIN | v->features,
    };
    return fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS);
}

/* One graph per depth for the variants that share it, one for the expired top. */
static int pa_deep(struct cp_model *m, int depth, bool top_expired)
{
    char name[CP_ID_MAX];
    int rc = cp_model_fmt(name, sizeof(name), "pathological/deep/depth%d%s", depth,
                          top_expired ? "/top-expired" : "");
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, name);
    if (!g)
        return CP_E_ARG;
    struct pa_chain c;
    pa_chain_build(g, depth, &c);
    if (top_expired)
        fc_apply(g, c.cert[0], &fc_defects[FC_EXPIRED]);
    for (size_t i = 0; i < CP_ARRAY_LEN(pa_deep_variants) && !rc; i++) {
        const struct pa_deep_variant *v = &pa_deep_variants[i];
        if (v->top_expired == top_expired && (v->every_depth || depth == PA_DEEP_BROKEN))
            rc = pa_deep_cases(m, g, &c, depth, v);
    }
    return rc;
}

/* ---- the ladder ---- */

/* Level k has CAs "Rung k A" and "Rung k B", each certified by both CAs of level k-1 (level 1
 * by the root alone). Appends the CA certificates level by level to certs; returns the entity
 * "Rung <levels> A", the leaf's issuer, or -1 (sticky). */
static int pa_ladder_build(struct cp_graph *g, int root, bool top_expired, struct fc_list *certs)
{
    char label[CP_LABEL_MAX];
    int prev[2] = {root, root}, cur[2] = {-1, -1};
    for (int k = 1; k <= PA_LADDER_LEVELS; k++) {
        for (int side = 0; side < 2; side++) {
            if (cp_model_fmt(label, sizeof(label), "Rung %d %c", k, side ? 'B' : 'A'))
                return -1;
            cur[side] = cp_graph_entity(g, label);
        }
        const struct fc_defect *d = top_expired && k == 1 ? &fc_defects[FC_EXPIRED] : NULL;
        for (int side = 0; side < 2; side++) {
            fc_push(certs, fc_ca(g, prev[0], cur[side], d));
            if (k > 1)
                fc_push(certs, fc_ca(g, prev[1], cur[side], NULL));
        }
        memcpy(prev, cur, sizeof(prev));
    }
    return cur[0];
}

static int pa_ladder(struct cp_model *m, bool top_expired)
{
    char name[CP_ID_MAX], summary[CP_DESC_MAX];
    int rc = cp_model_fmt(name, sizeof(name), "pathological/ladder/depth%d/%s", PA_LADDER_LEVELS,
                          top_expired ? "top-expired" : "reachable");
    if (!rc)
        rc = cp_model_fmt(summary, sizeof(summary),
                          "Ladder of %d levels of two CAs, each certified by both CAs above: %s",
                          PA_LADDER_LEVELS,
                          top_expired ? "both top certificates expired, every path a dead end"
                                      : "a path through every choice of CA per level");
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, name);
    if (!g)
        return CP_E_ARG;
    int root = cp_graph_entity(g, "Ladder Root");
    struct fc_list sent = {.n = 0}, certs = {.n = 0};
    int bottom = pa_ladder_build(g, root, top_expired, &certs);
    if (bottom < 0 && !g->err)
        return CP_E_LIMIT; /* a label too long: fc_fmt set the message */
    /* Declared: the leaf, then the certificates from the bottom level up to the first. */
    fc_push(&sent, cp_graph_leaf(g, bottom, cp_graph_entity(g, "Leaf")));
    for (int i = certs.n - 1; i >= 0; i--)
        fc_push(&sent, certs.v[i]);
    struct cp_case_spec spec = {
        .summary = summary,
        .leaf = sent.v[0],
        .anchors = &root,
        .nanchors = 1,
        .features = PA_DOS | CP_F_DEEP_CHAIN | CP_F_BRANCHING | (top_expired ? CP_F_EXPIRY : 0),
    };
    return fc_add_orders(m, g, name, &spec, &sent, FC_ALL_ORDERS);
}

/* ---- same-name pools ---- */

/* pool[0] is "<label>", pool[i] its rekey "<label> key<i+1>": one name, n keys. */
static int pa_pool(struct cp_graph *g, const char *label, int n, int *pool)
{
    char l[CP_LABEL_MAX];
    pool[0] = cp_graph_entity(g, label);
    for (int i = 1; i < n; i++) {
        if (cp_model_fmt(l, sizeof(l), "%s key%d", label, i + 1))
            return CP_E_LIMIT;
        pool[i] = cp_graph_rekey(g, pool[0], l);
    }
    return 0;
}

enum pa_kid { PA_KID_HONEST, PA_KID_ABSENT, PA_KID_MISLEADING };

struct pa_pool_graph {
    const char *id;
    const char *summary;
    int levels; /* 1: Root -> pool -> leaf; 2: Root -> pool -> sub pool -> leaf */
    enum pa_kid leaf_aki;
    bool right_missing_too; /* also a list without the leaf's real issuer */
};

static const struct pa_pool_graph pa_pool_graphs[] = {
    {"pool20", "20 CAs of one name, different keys; only Pool CA key13 signed the leaf", 1,
     PA_KID_HONEST, true},
    {"pool20-aki-absent", "20 CAs of one name; the leaf has no AKI to pick Pool CA key13 by", 1,
     PA_KID_ABSENT, false},
    {"pool20-aki-misleading",
     "20 CAs of one name; the leaf's AKI names Pool CA (key 1), though key13 signed it", 1,
     PA_KID_MISLEADING, false},
    {"two-levels", "two levels of 20 same-name CAs; only Sub CA key13 under Pool CA key13 chain", 2,
     PA_KID_HONEST, true},
};

struct pa_pool_built {
    int root, leaf;
    int top[PA_POOL], sub[PA_POOL]; /* entities */
    int top_cert[PA_POOL], sub_cert[PA_POOL];
};

static int pa_pool_build(struct cp_graph *g, const struct pa_pool_graph *p, struct pa_pool_built *b)
{
    int right = PA_POOL_RIGHT - 1;
    b->root = cp_graph_entity(g, "Pool Root");
    int rc = pa_pool(g, "Pool CA", PA_POOL, b->top);
    if (!rc && p->levels == 2)
        rc = pa_pool(g, "Sub CA", PA_POOL, b->sub);
    if (rc)
        return rc;
    for (int i = 0; i < PA_POOL; i++) {
        b->top_cert[i] = cp_graph_ca(g, b->root, b->top[i]);
        b->sub_cert[i] = p->levels == 2 ? cp_graph_ca(g, b->top[i], b->sub[i]) : -1;
    }
    int signer = p->levels == 2 ? b->sub[right] : b->top[right];
    b->leaf = cp_graph_leaf(g, signer, cp_graph_entity(g, "Leaf"));
    struct cp_cert *leaf = cp_graph_cert_at(g, b->leaf);
    if (leaf && p->leaf_aki == PA_KID_ABSENT)
        leaf->aki = CP_KID_ABSENT;
    if (leaf && p->leaf_aki == PA_KID_MISLEADING) {
        leaf->aki = CP_KID_MISLEADING;
        leaf->kid_entity = b->top[0];
    }
    return 0;
}

static void pa_pool_sent(const struct pa_pool_built *b, int levels, bool missing,
                         struct fc_list *sent)
{
    int right = PA_POOL_RIGHT - 1;
    fc_push(sent, b->leaf);
    for (int lvl = levels; lvl >= 1; lvl--) {
        const int *certs = lvl == 2 ? b->sub_cert : b->top_cert;
        for (int i = 0; i < PA_POOL; i++) {
            /* Only the leaf's issuer goes missing; the level above stays whole. */
            if (!missing || i != right || lvl != levels)
                fc_push(sent, certs[i]);
        }
    }
}

static int pa_pool_cases(struct cp_model *m, struct cp_graph *g, const struct pa_pool_graph *p,
                         const struct pa_pool_built *b, const char *name, bool missing)
{
    char prefix[CP_ID_MAX], summary[CP_DESC_MAX];
    int rc = cp_model_fmt(prefix, sizeof(prefix), "%s%s", name, missing ? "/right-missing" : "");
    if (!rc)
        rc = cp_model_fmt(summary, sizeof(summary), "%s%s", p->summary,
                          missing ? "; the leaf's real issuer is not sent" : "");
    if (rc)
        return rc;
    struct fc_list sent = {.n = 0};
    pa_pool_sent(b, p->levels, missing, &sent);
    struct cp_case_spec spec = {
        .summary = summary,
        .leaf = b->leaf,
        .anchors = &b->root,
        .nanchors = 1,
        .features = PA_DOS | CP_F_BRANCHING | CP_F_KEY_ROLLOVER |
                    (p->leaf_aki != PA_KID_HONEST ? CP_F_KEY_IDS : 0) |
                    (missing ? CP_F_MISSING_ISSUER : 0),
    };
    return fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS);
}

static int pa_pool_run(struct cp_model *m, const struct pa_pool_graph *p)
{
    char name[CP_ID_MAX];
    int rc = cp_model_fmt(name, sizeof(name), "pathological/same-name/%s", p->id);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, name);
    if (!g)
        return CP_E_ARG;
    struct pa_pool_built b;
    if ((rc = pa_pool_build(g, p, &b)))
        return rc;
    rc = pa_pool_cases(m, g, p, &b, name, false);
    if (!rc && p->right_missing_too)
        rc = pa_pool_cases(m, g, p, &b, name, true);
    return rc;
}

/* Eight trust anchors of one name (the most a case holds); only the last key signed ICA. A
 * client that keeps one anchor per name, or tries only the first, fails. */
static int pa_anchor_pool(struct cp_model *m)
{
    const char *name = "pathological/same-name/anchors8";
    struct cp_graph *g = cp_model_graph(m, name);
    if (!g)
        return CP_E_ARG;
    int roots[PA_ANCHOR_POOL], rc = pa_pool(g, "Pool Root", PA_ANCHOR_POOL, roots);
    if (rc)
        return rc;
    int ica = cp_graph_entity(g, "ICA");
    int ica_cert = cp_graph_ca(g, roots[PA_ANCHOR_POOL - 1], ica);
    int leaf = cp_graph_leaf(g, ica, cp_graph_entity(g, "Leaf"));
    struct fc_list sent = {.n = 0};
    fc_push(&sent, leaf);
    fc_push(&sent, ica_cert);
    struct cp_case_spec spec = {
        .summary = "Eight trust anchors of one name, different keys; only the eighth signed ICA",
        .leaf = leaf,
        .anchors = roots,
        .nanchors = PA_ANCHOR_POOL,
        .features = PA_DOS | CP_F_BRANCHING | CP_F_KEY_ROLLOVER,
    };
    char prefix[CP_ID_MAX];
    if ((rc = cp_model_fmt(prefix, sizeof(prefix), "%s/ica", name)) ||
        (rc = fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS)))
        return rc;
    for (int i = 0; i < PA_ANCHOR_POOL; i++)
        fc_push(&sent, cp_graph_root(g, roots[i]));
    spec.summary = "Eight trust anchors of one name; ICA and all eight self-signed roots sent";
    if ((rc = cp_model_fmt(prefix, sizeof(prefix), "%s/ica-and-roots", name)))
        return rc;
    return fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS);
}

/* ---- the family ---- */

static const int pa_depths[] = {16, PA_DEEP_BROKEN, 33, PA_DEEP_MAX};

int cp_family_pathological(struct cp_model *m)
{
    int rc = 0;
    for (int n = PA_MESH_MIN; n <= PA_MESH_MAX && !rc; n++) {
        for (size_t s = 0; s < CP_ARRAY_LEN(pa_mesh_scenarios) && !rc; s++) {
            if (n <= pa_mesh_scenarios[s].max_n)
                rc = pa_mesh(m, n, &pa_mesh_scenarios[s]);
        }
    }
    for (size_t i = 0; i < CP_ARRAY_LEN(pa_depths) && !rc; i++)
        rc = pa_deep(m, pa_depths[i], false);
    if (!rc)
        rc = pa_deep(m, PA_DEEP_BROKEN, true);
    for (int top_expired = 0; top_expired < 2 && !rc; top_expired++)
        rc = pa_ladder(m, top_expired);
    for (size_t i = 0; i < CP_ARRAY_LEN(pa_pool_graphs) && !rc; i++)
        rc = pa_pool_run(m, &pa_pool_graphs[i]);
    return rc ? rc : pa_anchor_pool(m);
}
