/*
 * cycles.c - cross-certification loops, RFC 4158 mesh shapes and key rollover.
 *
 * A path builder that walks issuer links without remembering where it has been never ends on
 * a graph with a loop; RFC 4158 section 2.4.2 asks builders to never repeat a subject name and
 * key in one path, and the oracle does exactly that. Every graph here has a loop somewhere:
 *
 *   loops     CA A <-> CA C (two-way), A -> B -> C -> A (three-way ring) and the ring with its
 *             reverse edges (three-way); the leaf hangs below ICA, certified by CA C. The anchor
 *             sits at each CA in turn, or is an unrelated root (the loop has no exit: the
 *             builder must stop and reject). Each is sent plain and with every CA's
 *             self-signed certificate as well (more candidates, same loop).
 *   exits     the same loops with a Root that certifies CA A (the far exit) and, in the
 *             two-exit graphs, CA C (the near one). The only exit edge bad: reject; one of two
 *             exits bad: accept through the other. Every defect of graph_orders.c's table on the
 *             two-way loop, a representative few on the three-way one.
 *   fig7      RFC 4158 figure 7: a trust anchor certifies A and C, A and C cross-certify and
 *             both certify B, which issued the EE. Four paths; trust sets and defects cut them.
 *   bridge    RFC 4158 figure 5: a Bridge CA cross-certified both ways with four PKIs' roots
 *             (TA W..Z), and two bridges cross-certified with each other; the EE is in PKI W,
 *             the relying party trusts the other PKIs' roots.
 *   rollover  one name, two keys (RFC 4210 root key update): the self-signed certificates of
 *             both keys, NewWithOld (new key certified by the old) and OldWithNew; a leaf
 *             signed by one key; sent lists that offer the wrong link only (signature by the
 *             other key: reject), the right one, or both. Then key identifiers that lie: the
 *             leaf's AKI names the old key, or the links' SKIs are swapped, or the right link's
 *             AKI makes it look self-signed; a path exists, so the case must still accept.
 *
 * Every case of a graph trusts the same anchors; orders are declared (leaf first, upwards),
 * reversed and a keyed shuffle. Expected outcomes come from the oracle, never from here.
 */
#include "cp_families.h"
#include "graph_orders.h"

#define CY_MAX_ENT 8    /* the two-bridge graph: two bridges, four roots, CA W1, EE */
#define CY_MAX_EDGES 12 /* the two-bridge graph's eleven CA certificates */
#define CY_MAX_BAD 3    /* defective edges of one fixed variant */
#define CY_NONE (-1)

#define CY_BIT(e) (1u << (e))

struct cy_edge {
    int8_t issuer, subject; /* indexes into the net's labels */
};

/* A fixed graph: entities, CA certificates in declared order (upwards from the leaf), leaf. */
struct cy_net {
    const char *id;
    const char *summary;
    const char *labels[CY_MAX_ENT]; /* NULL: no such entity in this net */
    struct cy_edge edges[CY_MAX_EDGES];
    int nedges;
    int8_t leaf_issuer, leaf_subject;
    uint64_t features;
};

/* One graph to build from a net. */
struct cy_plan {
    const struct cy_net *net;
    const char *name;            /* the graph name; case ids append [/plain|/with-roots]/<order> */
    const char *summary;         /* the case summary */
    unsigned trust;              /* CY_BIT per trusted entity; 0: an unrelated root */
    int8_t defect[CY_MAX_EDGES]; /* fc_defect_id per edge, CY_NONE: a good certificate */
    uint64_t features;
    bool roots_too; /* also send every CA's self-signed certificate (a second case list) */
    bool probe;
};

struct cy_built {
    int ent[CY_MAX_ENT];
    int cert[CY_MAX_EDGES];
    int leaf;
    int anchors[CP_MAX_ANCHORS];
    int nanchors;
};

/* ---- building and emitting one net ---- */

static void cy_no_defects(struct cy_plan *p)
{
    for (int i = 0; i < CY_MAX_EDGES; i++)
        p->defect[i] = CY_NONE;
}

static void cy_choose_anchors(struct cp_graph *g, const struct cy_plan *p, struct cy_built *b)
{
    b->nanchors = 0;
    for (int i = 0; i < CY_MAX_ENT && b->nanchors < CP_MAX_ANCHORS; i++) {
        if ((p->trust & CY_BIT(i)) && b->ent[i] >= 0)
            b->anchors[b->nanchors++] = b->ent[i];
    }
    /* No anchor in the net: the client trusts a root that has nothing to do with the graph,
     * so the builder must exhaust the loop and give up. */
    if (b->nanchors == 0)
        b->anchors[b->nanchors++] = cp_graph_entity(g, "Other Root");
}

static void cy_build(struct cp_graph *g, const struct cy_plan *p, struct cy_built *b)
{
    const struct cy_net *n = p->net;
    for (int i = 0; i < CY_MAX_ENT; i++)
        b->ent[i] = n->labels[i] ? cp_graph_entity(g, n->labels[i]) : -1;
    for (int i = 0; i < n->nedges; i++) {
        const struct fc_defect *d = p->defect[i] == CY_NONE ? NULL : &fc_defects[p->defect[i]];
        b->cert[i] = fc_ca(g, b->ent[n->edges[i].issuer], b->ent[n->edges[i].subject], d);
    }
    b->leaf = cp_graph_leaf(g, b->ent[n->leaf_issuer], b->ent[n->leaf_subject]);
    cy_choose_anchors(g, p, b);
}

/* Every CA of the net that appears in an edge gets its self-signed certificate sent too. */
static void cy_push_roots(struct cp_graph *g, const struct cy_net *n, const struct cy_built *b,
                          struct fc_list *l)
{
    for (int i = 0; i < CY_MAX_ENT; i++) {
        bool ca = false;
        for (int k = 0; k < n->nedges && !ca; k++)
            ca = n->edges[k].issuer == i || n->edges[k].subject == i;
        if (ca && b->ent[i] >= 0)
            fc_push(l, cp_graph_root(g, b->ent[i]));
    }
}

static int cy_emit(struct cp_model *m, const struct cy_plan *p)
{
    char prefix[CP_ID_MAX];
    struct cp_graph *g = cp_model_graph(m, p->name);
    if (!g)
        return CP_E_ARG; /* a repeated name or no memory; the message says which */
    struct cy_built b;
    cy_build(g, p, &b);
    struct fc_list sent = {.n = 0};
    fc_push(&sent, b.leaf);
    fc_push_all(&sent, b.cert, p->net->nedges);
    struct cp_case_spec spec = {
        .summary = p->summary,
        .leaf = b.leaf,
        .anchors = b.anchors,
        .nanchors = b.nanchors,
        .features = CP_F_CYCLES | p->net->features | p->features,
        .probe = p->probe,
    };
    if (!p->roots_too)
        return fc_add_orders(m, g, p->name, &spec, &sent, FC_ALL_ORDERS);
    int rc = cp_model_fmt(prefix, sizeof(prefix), "%s/plain", p->name);
    if (rc || (rc = fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS)))
        return rc;
    /* The roots are extra candidates for every name on the loop: a branching decision. */
    cy_push_roots(g, p->net, &b, &sent);
    spec.features |= CP_F_BRANCHING;
    spec.probe = false;
    if ((rc = cp_model_fmt(prefix, sizeof(prefix), "%s/with-roots", p->name)))
        return rc;
    return fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS);
}

/* ---- loops and exits ---- */

/* Entities of the loop nets; the Root exists only in the exit nets. */
enum { LP_A, LP_B, LP_C, LP_ICA, LP_LEAF, LP_ROOT };

#define LP_LABELS(b, root)                                                                         \
    {                                                                                              \
        [LP_A] = "CA A", [LP_B] = (b), [LP_C] = "CA C", [LP_ICA] = "ICA", [LP_LEAF] = "Leaf",      \
        [LP_ROOT] = (root)                                                                         \
    }
#define LP_TWO_WAY                                                                                 \
    {LP_C, LP_ICA}, {LP_A, LP_C},                                                                  \
    {                                                                                              \
        LP_C, LP_A                                                                                 \
    }
#define LP_RING                                                                                    \
    {LP_C, LP_ICA}, {LP_A, LP_B}, {LP_B, LP_C},                                                    \
    {                                                                                              \
        LP_C, LP_A                                                                                 \
    }
#define LP_FULL                                                                                    \
    LP_RING, {LP_B, LP_A}, {LP_C, LP_B},                                                           \
    {                                                                                              \
        LP_A, LP_C                                                                                 \
    }

static const struct cy_net cy_loops[] = {
    {"two-way",
     "Two-way cross-certification CA A <-> CA C, leaf under CA C",
     LP_LABELS(NULL, NULL),
     {LP_TWO_WAY},
     3,
     LP_ICA,
     LP_LEAF,
     0},
    {"three-way-ring",
     "Three-way ring CA A -> CA B -> CA C -> CA A, leaf under CA C",
     LP_LABELS("CA B", NULL),
     {LP_RING},
     4,
     LP_ICA,
     LP_LEAF,
     0},
    {"three-way",
     "Three-way cross-certification A, B, C in both directions, leaf under CA C",
     LP_LABELS("CA B", NULL),
     {LP_FULL},
     7,
     LP_ICA,
     LP_LEAF,
     CP_F_BRANCHING},
};

static const char *const cy_anchor_names[] = {[LP_A] = "a", [LP_B] = "b", [LP_C] = "c"};

/* One graph per anchor position (each trust set needs a graph of its own); CY_NONE trusts an
 * unrelated root. */
static int cy_run_loop(struct cp_model *m, const struct cy_net *n)
{
    static const int positions[] = {LP_A, LP_B, LP_C, CY_NONE};
    char name[CP_ID_MAX], summary[CP_DESC_MAX];
    for (size_t i = 0; i < CP_ARRAY_LEN(positions); i++) {
        int pos = positions[i];
        if (pos != CY_NONE && !n->labels[pos])
            continue;
        struct cy_plan p = {.net = n, .name = name, .summary = summary, .roots_too = true};
        cy_no_defects(&p);
        p.trust = pos == CY_NONE ? 0 : CY_BIT(pos);
        /* The simplest loop with its anchor across the loop probes cycle handling. */
        p.probe = n == &cy_loops[0] && pos == LP_A;
        int rc = cp_model_fmt(name, sizeof(name), "cycles/%s/anchor-%s", n->id,
                              pos == CY_NONE ? "none" : cy_anchor_names[pos]);
        if (!rc)
            rc = cp_model_fmt(summary, sizeof(summary), "%s; %s", n->summary,
                              pos == CY_NONE
                                  ? "no reachable anchor: the builder must stop and reject"
                                  : "anchored on the loop");
        if (rc || (rc = cy_emit(m, &p)))
            return rc;
    }
    return 0;
}

/* Exit nets: the loops plus Root -> CA A (far exit) and, with two exits, Root -> CA C. */
#define EX_FAR                                                                                     \
    {                                                                                              \
        LP_ROOT, LP_A                                                                              \
    }
#define EX_NEAR                                                                                    \
    {                                                                                              \
        LP_ROOT, LP_C                                                                              \
    }

static const struct cy_net cy_exit_nets[][2] = {
    {
        {"two-way",
         "Two-way loop A <-> C with its only exit Root -> CA A",
         LP_LABELS(NULL, "Root"),
         {LP_TWO_WAY, EX_FAR},
         4,
         LP_ICA,
         LP_LEAF,
         0},
        {"two-way",
         "Two-way loop A <-> C with exits Root -> CA A and Root -> CA C",
         LP_LABELS(NULL, "Root"),
         {LP_TWO_WAY, EX_FAR, EX_NEAR},
         5,
         LP_ICA,
         LP_LEAF,
         CP_F_BRANCHING},
    },
    {
        {"three-way",
         "Three-way loop A, B, C with its only exit Root -> CA A",
         LP_LABELS("CA B", "Root"),
         {LP_FULL, EX_FAR},
         8,
         LP_ICA,
         LP_LEAF,
         CP_F_BRANCHING},
        {"three-way",
         "Three-way loop A, B, C with exits Root -> CA A and Root -> CA C",
         LP_LABELS("CA B", "Root"),
         {LP_FULL, EX_FAR, EX_NEAR},
         9,
         LP_ICA,
         LP_LEAF,
         CP_F_BRANCHING},
    },
};

/* Which exit carries the defect. */
struct cy_exit_config {
    const char *id;
    bool two;      /* the two-exit net */
    bool bad_near; /* the defect on Root -> CA C rather than Root -> CA A */
    const char *what;
};

static const struct cy_exit_config cy_exit_configs[] = {
    {"only-exit", false, false, "the only exit Root -> CA A"},
    {"two-exits/bad-far", true, false, "exit Root -> CA A (Root -> CA C is good)"},
    {"two-exits/bad-near", true, true,
     "exit Root -> CA C (Root -> CA A, across the loop, is good)"},
};

/* The defects each loop gets on its exits: all of them on the two-way loop, a few kinds
 * (validity, constraints, signature, key) on the three-way one, whose graphs are larger. */
static const unsigned cy_exit_defects[] = {
    (1u << FC_NDEFECTS) - 1,
    (1u << FC_EXPIRED) | (1u << FC_NOT_CA) | (1u << FC_BAD_SIGNATURE) | (1u << FC_OTHER_KEY),
};

static int cy_exit_graph(struct cp_model *m, const struct cy_net *n, const char *config,
                         const struct cy_exit_config *c, int defect)
{
    char name[CP_ID_MAX], summary[CP_DESC_MAX];
    struct cy_plan p = {.net = n, .name = name, .summary = summary, .trust = CY_BIT(LP_ROOT)};
    cy_no_defects(&p);
    int rc;
    if (defect == CY_NONE) {
        rc = cp_model_fmt(name, sizeof(name), "cycles/%s/exit/%s/good", n->id, config);
        if (!rc)
            rc = cp_model_fmt(summary, sizeof(summary), "%s; every exit good", n->summary);
    } else {
        const struct fc_defect *d = &fc_defects[defect];
        /* Exits are the net's last edges: far, then near. */
        int far = c->two ? n->nedges - 2 : n->nedges - 1;
        p.defect[c->bad_near ? far + 1 : far] = (int8_t)defect;
        p.features = d->features;
        rc = cp_model_fmt(name, sizeof(name), "cycles/%s/exit/%s/%s", n->id, c->id, d->id);
        if (!rc)
            rc = cp_model_fmt(summary, sizeof(summary), "%s; %s %s", n->summary, c->what,
                              d->summary);
    }
    return rc ? rc : cy_emit(m, &p);
}

static int cy_run_exits(struct cp_model *m, int loop)
{
    static const char *const goods[2] = {"only-exit", "two-exits"};
    for (int two = 0; two < 2; two++) {
        int rc = cy_exit_graph(m, &cy_exit_nets[loop][two], goods[two], NULL, CY_NONE);
        if (rc)
            return rc;
    }
    for (size_t c = 0; c < CP_ARRAY_LEN(cy_exit_configs); c++) {
        const struct cy_exit_config *cfg = &cy_exit_configs[c];
        for (int d = 0; d < FC_NDEFECTS; d++) {
            if (!(cy_exit_defects[loop] & (1u << d)))
                continue;
            int rc = cy_exit_graph(m, &cy_exit_nets[loop][cfg->two], cfg->id, cfg, d);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- RFC 4158 figures 7 and 5 ---- */

/* A fixed net with a few trust sets and defects, as a table. */
struct cy_variant {
    const char *id;
    const char *summary;
    unsigned trust;
    struct {
        int8_t edge, defect;
    } bad[CY_MAX_BAD];
    int nbad;
};

enum { F7_TA, F7_A, F7_B, F7_C, F7_EE };
enum { F7_AB, F7_CB, F7_AC, F7_CA, F7_TA_A, F7_TA_C };

static const struct cy_net cy_fig7 = {
    "rfc4158-fig7",
    "RFC 4158 figure 7: anchor certifies CA A and CA C, A <-> C, both certify CA B (the EE's)",
    {[F7_TA] = "Trust Anchor", [F7_A] = "CA A", [F7_B] = "CA B", [F7_C] = "CA C", [F7_EE] = "EE"},
    {[F7_AB] = {F7_A, F7_B},
     [F7_CB] = {F7_C, F7_B},
     [F7_AC] = {F7_A, F7_C},
     [F7_CA] = {F7_C, F7_A},
     [F7_TA_A] = {F7_TA, F7_A},
     [F7_TA_C] = {F7_TA, F7_C}},
    6,
    F7_B,
    F7_EE,
    CP_F_BRANCHING,
};

static const struct cy_variant cy_fig7_variants[] = {
    {"trust-ta",
     "four paths, two of them through the cross-certificates",
     CY_BIT(F7_TA),
     {{0, 0}},
     0},
    {"trust-a",
     "anchor CA A: directly, or through CA C's certificate from A",
     CY_BIT(F7_A),
     {{0, 0}},
     0},
    {"trust-c",
     "anchor CA C: directly, or through CA A's certificate from C",
     CY_BIT(F7_C),
     {{0, 0}},
     0},
    {"no-anchor",
     "no reachable anchor: the loop A <-> C must not trap the builder",
     0,
     {{0, 0}},
     0},
    {"trust-ta/ta-a-expired",
     "anchor's certificate for CA A expired: paths through CA C remain",
     CY_BIT(F7_TA),
     {{F7_TA_A, FC_EXPIRED}},
     1},
    {"trust-ta/exits-expired",
     "both of the anchor's certificates expired: no path",
     CY_BIT(F7_TA),
     {{F7_TA_A, FC_EXPIRED}, {F7_TA_C, FC_EXPIRED}},
     2},
    {"trust-ta/a-b-not-ca",
     "CA A's certificate for CA B says cA=FALSE: paths through C->B",
     CY_BIT(F7_TA),
     {{F7_AB, FC_NOT_CA}},
     1},
    {"trust-ta/cross-expired",
     "both cross-certificates expired: the two direct paths remain",
     CY_BIT(F7_TA),
     {{F7_AC, FC_EXPIRED}, {F7_CA, FC_EXPIRED}},
     2},
    {"trust-ta/only-through-cross",
     "TA->A and C->B expired: the one path is EE, B(A), A(C), C(TA)",
     CY_BIT(F7_TA),
     {{F7_TA_A, FC_EXPIRED}, {F7_CB, FC_EXPIRED}},
     2},
};

enum { BR_BRIDGE, BR_W, BR_X, BR_Y, BR_Z, BR_W1, BR_EE };
enum { BR_W_W1, BR_B_W, BR_W_B, BR_B_X, BR_X_B, BR_B_Y, BR_Y_B, BR_B_Z, BR_Z_B };

static const struct cy_net cy_bridge = {
    "bridge",
    "RFC 4158 figure 5: Bridge CA cross-certified both ways with TA W, X, Y, Z; EE in PKI W",
    {[BR_BRIDGE] = "Bridge CA",
     [BR_W] = "TA W",
     [BR_X] = "TA X",
     [BR_Y] = "TA Y",
     [BR_Z] = "TA Z",
     [BR_W1] = "CA W1",
     [BR_EE] = "EE"},
    {[BR_W_W1] = {BR_W, BR_W1},
     [BR_B_W] = {BR_BRIDGE, BR_W},
     [BR_W_B] = {BR_W, BR_BRIDGE},
     [BR_B_X] = {BR_BRIDGE, BR_X},
     [BR_X_B] = {BR_X, BR_BRIDGE},
     [BR_B_Y] = {BR_BRIDGE, BR_Y},
     [BR_Y_B] = {BR_Y, BR_BRIDGE},
     [BR_B_Z] = {BR_BRIDGE, BR_Z},
     [BR_Z_B] = {BR_Z, BR_BRIDGE}},
    9,
    BR_W1,
    BR_EE,
    CP_F_BRANCHING,
};

#define BR_XYZ (CY_BIT(BR_X) | CY_BIT(BR_Y) | CY_BIT(BR_Z))

static const struct cy_variant cy_bridge_variants[] = {
    {"trust-x",
     "relying party in PKI X: EE, W1(W), W(Bridge), Bridge(X)",
     CY_BIT(BR_X),
     {{0, 0}},
     0},
    {"trust-xyz", "three anchors beyond the bridge: three paths", BR_XYZ, {{0, 0}}, 0},
    {"trust-all", "all four roots: the path stops at TA W", BR_XYZ | CY_BIT(BR_W), {{0, 0}}, 0},
    {"no-anchor", "no reachable anchor: every loop through the bridge must end", 0, {{0, 0}}, 0},
    {"trust-x/bridge-to-w-expired",
     "the bridge's certificate for TA W expired: no way out of W",
     CY_BIT(BR_X),
     {{BR_B_W, FC_EXPIRED}},
     1},
    {"trust-x/x-to-bridge-expired",
     "TA X's certificate for the bridge expired: no path",
     CY_BIT(BR_X),
     {{BR_X_B, FC_EXPIRED}},
     1},
    {"trust-xy/x-to-bridge-expired",
     "TA X's certificate for the bridge expired: through TA Y",
     CY_BIT(BR_X) | CY_BIT(BR_Y),
     {{BR_X_B, FC_EXPIRED}},
     1},
    {"trust-xyz/bridge-to-w-other-key",
     "the bridge's certificate for TA W signed by another bridge key: no path",
     BR_XYZ,
     {{BR_B_W, FC_OTHER_KEY}},
     1},
};

enum { TB_B1, TB_B2, TB_W, TB_X, TB_Y, TB_Z, TB_W1, TB_EE };
enum {
    TB_W_W1,
    TB_B1_W,
    TB_W_B1,
    TB_B1_Y,
    TB_Y_B1,
    TB_B2_B1,
    TB_B1_B2,
    TB_B2_X,
    TB_X_B2,
    TB_B2_Z,
    TB_Z_B2
};

static const struct cy_net cy_two_bridges = {
    "two-bridges",
    "Two bridges cross-certified both ways: TA W, Y on Bridge 1, TA X, Z on Bridge 2; EE in W",
    {[TB_B1] = "Bridge 1",
     [TB_B2] = "Bridge 2",
     [TB_W] = "TA W",
     [TB_X] = "TA X",
     [TB_Y] = "TA Y",
     [TB_Z] = "TA Z",
     [TB_W1] = "CA W1",
     [TB_EE] = "EE"},
    {[TB_W_W1] = {TB_W, TB_W1},
     [TB_B1_W] = {TB_B1, TB_W},
     [TB_W_B1] = {TB_W, TB_B1},
     [TB_B1_Y] = {TB_B1, TB_Y},
     [TB_Y_B1] = {TB_Y, TB_B1},
     [TB_B2_B1] = {TB_B2, TB_B1},
     [TB_B1_B2] = {TB_B1, TB_B2},
     [TB_B2_X] = {TB_B2, TB_X},
     [TB_X_B2] = {TB_X, TB_B2},
     [TB_B2_Z] = {TB_B2, TB_Z},
     [TB_Z_B2] = {TB_Z, TB_B2}},
    11,
    TB_W1,
    TB_EE,
    CP_F_BRANCHING,
};

static const struct cy_variant cy_two_bridge_variants[] = {
    {"trust-x", "across both bridges: EE, W1(W), W(B1), B1(B2), B2(X)", CY_BIT(TB_X), {{0, 0}}, 0},
    {"trust-y", "through Bridge 1 only: EE, W1(W), W(B1), B1(Y)", CY_BIT(TB_Y), {{0, 0}}, 0},
    {"trust-xz",
     "two anchors beyond the second bridge: two paths",
     CY_BIT(TB_X) | CY_BIT(TB_Z),
     {{0, 0}},
     0},
    {"no-anchor", "no reachable anchor: loops through two bridges must end", 0, {{0, 0}}, 0},
    {"trust-x/bridges-cross-expired",
     "Bridge 2's certificate for Bridge 1 expired: no path",
     CY_BIT(TB_X),
     {{TB_B2_B1, FC_EXPIRED}},
     1},
    {"trust-xy/bridges-cross-expired",
     "Bridge 2's certificate for Bridge 1 expired: through TA Y only",
     CY_BIT(TB_X) | CY_BIT(TB_Y),
     {{TB_B2_B1, FC_EXPIRED}},
     1},
};

static int cy_run_variants(struct cp_model *m, const struct cy_net *n, const struct cy_variant *v,
                           size_t nv)
{
    char name[CP_ID_MAX], summary[CP_DESC_MAX];
    for (size_t i = 0; i < nv; i++) {
        struct cy_plan p = {.net = n, .name = name, .summary = summary, .trust = v[i].trust};
        cy_no_defects(&p);
        for (int k = 0; k < v[i].nbad; k++) {
            p.defect[v[i].bad[k].edge] = v[i].bad[k].defect;
            p.features |= fc_defects[v[i].bad[k].defect].features;
        }
        int rc = cp_model_fmt(name, sizeof(name), "cycles/%s/%s", n->id, v[i].id);
        if (!rc)
            rc = cp_model_fmt(summary, sizeof(summary), "%s; %s", n->summary, v[i].summary);
        if (rc || (rc = cy_emit(m, &p)))
            return rc;
    }
    return 0;
}

/* ---- key rollover ---- */

enum ro_cert { RO_OLD_ROOT, RO_NEW_ROOT, RO_NEW_WITH_OLD, RO_OLD_WITH_NEW, RO_NCERTS };

struct ro_sent {
    const char *id;
    const char *summary;
    int8_t certs[RO_NCERTS]; /* after the leaf, in declared order */
    int n;
};

enum {
    RO_S_LEAF,
    RO_S_OLD_ROOT,
    RO_S_NEW_ROOT,
    RO_S_OLD_WITH_NEW,
    RO_S_NEW_WITH_OLD,
    RO_S_LINKS,
    RO_S_ALL,
    RO_NSENTS
};

static const struct ro_sent ro_sents[RO_NSENTS] = {
    [RO_S_LEAF] = {"leaf-only", "the leaf alone", {0}, 0},
    [RO_S_OLD_ROOT] = {"old-root", "the old key's self-signed certificate only", {RO_OLD_ROOT}, 1},
    [RO_S_NEW_ROOT] = {"new-root", "the new key's self-signed certificate only", {RO_NEW_ROOT}, 1},
    [RO_S_OLD_WITH_NEW] = {"old-with-new",
                           "OldWithNew only (the old key, signed by the new)",
                           {RO_OLD_WITH_NEW},
                           1},
    [RO_S_NEW_WITH_OLD] = {"new-with-old",
                           "NewWithOld only (the new key, signed by the old)",
                           {RO_NEW_WITH_OLD},
                           1},
    [RO_S_LINKS] = {"both-links",
                    "OldWithNew and NewWithOld",
                    {RO_OLD_WITH_NEW, RO_NEW_WITH_OLD},
                    2},
    [RO_S_ALL] = {"all",
                  "both self-signed certificates and both links",
                  {RO_OLD_ROOT, RO_OLD_WITH_NEW, RO_NEW_ROOT, RO_NEW_WITH_OLD},
                  4},
};

/* Which key identifiers lie, and how. */
enum ro_kid {
    RO_KID_HONEST,
    RO_KID_LEAF_AKI, /* the leaf's AKI names the old key (it was signed by the new one) */
    RO_KID_LINK_SKI, /* NewWithOld's SKI names the old key, OldWithNew's the new one */
    RO_KID_LINK_AKI, /* NewWithOld's AKI names the new key: it looks self-signed */
};

struct ro_graph {
    const char *id;
    const char *summary;
    bool trust_old, trust_new;
    bool leaf_by_new;
    enum ro_kid kid;
    unsigned sents; /* bit per RO_S_* */
};

#define RO_EVERY ((1u << RO_NSENTS) - 1)
#define RO_WITH_LINKS                                                                              \
    ((1u << RO_S_OLD_WITH_NEW) | (1u << RO_S_NEW_WITH_OLD) | (1u << RO_S_LINKS) | (1u << RO_S_ALL))

static const struct ro_graph ro_graphs[] = {
    {"trust-old/leaf-new",
     "Root key rollover: the client trusts the old key, the leaf is signed "
     "by the new one",
     true, false, true, RO_KID_HONEST, RO_EVERY},
    {"trust-new/leaf-old",
     "Root key rollover: the client trusts the new key, the leaf is signed "
     "by the old one",
     false, true, false, RO_KID_HONEST, RO_EVERY},
    {"trust-both/leaf-new",
     "Root key rollover: the client trusts both keys of one name, the leaf is signed by the new",
     true, true, true, RO_KID_HONEST,
     (1u << RO_S_LEAF) | (1u << RO_S_OLD_ROOT) | (1u << RO_S_OLD_WITH_NEW) | (1u << RO_S_ALL)},
    {"trust-old/leaf-new/aki-misleading",
     "Root key rollover, the leaf's AKI names the old key though the new one signed it", true,
     false, true, RO_KID_LEAF_AKI, RO_WITH_LINKS},
    {"trust-old/leaf-new/ski-misleading",
     "Root key rollover, the links' SKIs swapped: OldWithNew claims the new key's identifier", true,
     false, true, RO_KID_LINK_SKI, RO_WITH_LINKS},
    {"trust-old/leaf-new/link-aki-misleading",
     "Root key rollover, NewWithOld's AKI names the new key: it looks self-signed", true, false,
     true, RO_KID_LINK_AKI, RO_WITH_LINKS},
};

static void ro_mislead(struct cp_graph *g, int cert, bool aki, int entity)
{
    struct cp_cert *c = cp_graph_cert_at(g, cert);
    if (!c)
        return;
    if (aki)
        c->aki = CP_KID_MISLEADING;
    else
        c->ski = CP_KID_MISLEADING;
    c->kid_entity = entity;
}

struct ro_built {
    int old_key, new_key, leaf_entity, signer;
    int certs[RO_NCERTS];
    int anchors[2];
    int nanchors;
};

static void ro_build(struct cp_graph *g, const struct ro_graph *r, struct ro_built *b)
{
    b->old_key = cp_graph_entity(g, "Root");
    b->new_key = cp_graph_rekey(g, b->old_key, "Root new key");
    b->leaf_entity = cp_graph_entity(g, "Leaf");
    b->signer = r->leaf_by_new ? b->new_key : b->old_key;
    b->certs[RO_OLD_ROOT] = cp_graph_root(g, b->old_key);
    b->certs[RO_NEW_ROOT] = cp_graph_root(g, b->new_key);
    b->certs[RO_NEW_WITH_OLD] = cp_graph_ca(g, b->old_key, b->new_key);
    b->certs[RO_OLD_WITH_NEW] = cp_graph_ca(g, b->new_key, b->old_key);
    if (r->kid == RO_KID_LINK_SKI) {
        ro_mislead(g, b->certs[RO_NEW_WITH_OLD], false, b->old_key);
        ro_mislead(g, b->certs[RO_OLD_WITH_NEW], false, b->new_key);
    } else if (r->kid == RO_KID_LINK_AKI) {
        ro_mislead(g, b->certs[RO_NEW_WITH_OLD], true, b->new_key);
    }
    b->nanchors = 0;
    if (r->trust_old)
        b->anchors[b->nanchors++] = b->old_key;
    if (r->trust_new)
        b->anchors[b->nanchors++] = b->new_key;
}

static uint64_t ro_features(const struct ro_graph *r, const struct ro_sent *s)
{
    uint64_t f = CP_F_KEY_ROLLOVER;
    bool own = false, nwo = false;
    for (int i = 0; i < s->n; i++) {
        own = own || s->certs[i] == RO_OLD_WITH_NEW;
        nwo = nwo || s->certs[i] == RO_NEW_WITH_OLD;
    }
    if (r->kid != RO_KID_HONEST)
        f |= CP_F_KEY_IDS;
    if (s->n >= 2)
        f |= CP_F_BRANCHING; /* two or more certificates carry the name the leaf chains to */
    if (own && nwo)
        f |= CP_F_CYCLES; /* each key certifies the other: a loop of length two */
    return f;
}

/* One leaf per sent list: a leaf's SAN holds the hostnames of its cases (at most 8). */
static int ro_sent_cases(struct cp_model *m, struct cp_graph *g, const struct ro_graph *r,
                         const struct ro_built *b, const char *gname, int si)
{
    char prefix[CP_ID_MAX], summary[CP_DESC_MAX];
    const struct ro_sent *s = &ro_sents[si];
    int leaf = cp_graph_leaf(g, b->signer, b->leaf_entity);
    if (r->kid == RO_KID_LEAF_AKI)
        ro_mislead(g, leaf, true, b->old_key);
    struct fc_list sent = {.n = 0};
    fc_push(&sent, leaf);
    for (int i = 0; i < s->n; i++)
        fc_push(&sent, b->certs[s->certs[i]]);
    int rc = cp_model_fmt(prefix, sizeof(prefix), "%s/%s", gname, s->id);
    if (!rc)
        rc = cp_model_fmt(summary, sizeof(summary), "%s; sends %s", r->summary, s->summary);
    if (rc)
        return rc;
    struct cp_case_spec spec = {
        .summary = summary,
        .leaf = leaf,
        .anchors = b->anchors,
        .nanchors = b->nanchors,
        .features = ro_features(r, s),
        /* The plain rollover with the right link alone probes key-rollover support. */
        .probe = r == &ro_graphs[0] && si == RO_S_NEW_WITH_OLD,
    };
    return fc_add_orders(m, g, prefix, &spec, &sent, FC_ALL_ORDERS);
}

static int ro_run(struct cp_model *m, const struct ro_graph *r)
{
    char gname[CP_ID_MAX];
    int rc = cp_model_fmt(gname, sizeof(gname), "cycles/rollover/%s", r->id);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG;
    struct ro_built b;
    ro_build(g, r, &b);
    for (int si = 0; si < RO_NSENTS && !rc; si++) {
        if (r->sents & (1u << si))
            rc = ro_sent_cases(m, g, r, &b, gname, si);
    }
    return rc;
}

/* ---- the family ---- */

int cp_family_cycles(struct cp_model *m)
{
    int rc = 0;
    for (size_t i = 0; i < CP_ARRAY_LEN(cy_loops) && !rc; i++)
        rc = cy_run_loop(m, &cy_loops[i]);
    for (size_t i = 0; i < CP_ARRAY_LEN(cy_exit_nets) && !rc; i++)
        rc = cy_run_exits(m, (int)i);
    if (!rc)
        rc = cy_run_variants(m, &cy_fig7, cy_fig7_variants, CP_ARRAY_LEN(cy_fig7_variants));
    if (!rc)
        rc = cy_run_variants(m, &cy_bridge, cy_bridge_variants, CP_ARRAY_LEN(cy_bridge_variants));
    if (!rc)
        rc = cy_run_variants(m, &cy_two_bridges, cy_two_bridge_variants,
                             CP_ARRAY_LEN(cy_two_bridge_variants));
    for (size_t i = 0; i < CP_ARRAY_LEN(ro_graphs) && !rc; i++)
        rc = ro_run(m, &ro_graphs[i]);
    return rc;
}
