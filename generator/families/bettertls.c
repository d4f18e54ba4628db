/*
 * bettertls.c - Netflix BetterTLS's path-building suite, case for case
 * (shared/reference/bettertls-pathbuilding.md), so results can be set beside BetterTLS's.
 *
 * BetterTLS numbers 81 cases: 0 is the sanity check, 1-2 the branching probes, 3-8 one probe
 * per defect; then 17 scenarios follow in the reference's order, each scenario with marked
 * edges expanded into one case per defect, in the defect table's order. Every case is one
 * graph of its own (the defect lives on the graph's certificates) and appears in three send
 * orders on that graph: declared, reversed and shuffled; so 81 graphs and 243 cases. BetterTLS's
 * number is in every summary ("BetterTLS #30: ...").
 *
 * Ids: bettertls/<graph>/<trust>/<variant>/<order>, where trust names the anchor (and, in
 * BRIDGE, which has two targets, the target too), and variant is "none" (nothing marked),
 * "<marked edges>-<defect>", "sanity" (case 0), "probe-branching" (1-2) or "probe-<defect>"
 * (3-8). The graph's name is the id without the order.
 *
 * Expectations come from the oracle; BetterTLS's own answer (a path over unmarked edges) is
 * what the webpki profile must give, and tests/test_bettertls.c holds it to that.
 */
#include "cp_families.h"

#include <stdio.h>
#include <string.h>

#define BT_MAX_EDGES 36    /* BRIDGE, the largest graph (RFC 4158 2.4) */
#define BT_MAX_MARKED 2    /* FIGURE_SEVEN scenarios mark two edges */
#define BT_END_ENTITY "EE" /* an end entity in every graph: its certificate is always a leaf */
#define BT_NC_NAME "bad.example.com" /* the only DNS name the name-constraints defect permits */

struct bt_edge {
    const char *issuer, *subject; /* entity labels */
};

struct bt_graph {
    const char *slug; /* id segment */
    const char *name; /* BetterTLS's name, for summaries */
    const struct bt_edge *edges;
    int nedges;
    uint64_t features; /* what every case of the graph needs */
};

enum { BT_LINEAR, BT_TWO_ROOTS, BT_FIGURE_SEVEN, BT_BRIDGE };

/* Edges in BetterTLS's declaration order: the server sends them in this order. */
static const struct bt_edge bt_linear_edges[] = {
    {"ICA", "EE"},
    {"Trust Anchor", "ICA"},
};

static const struct bt_edge bt_two_roots_edges[] = {
    {"ICA", "EE"},
    {"Root1", "ICA"},
    {"Root2", "ICA"},
};

static const struct bt_edge bt_figure_seven_edges[] = {
    {"B", "EE"},           {"C", "B"}, {"A", "B"}, {"C", "A"}, {"A", "C"}, {"Trust Anchor", "C"},
    {"Trust Anchor", "A"},
};

/* The source figure draws R->T; BetterTLS has R->S and no T. */
static const struct bt_edge bt_bridge_edges[] = {
    /* TA W's domain */
    {"F", "H"},
    {"F", "G"},
    {"G", "F"},
    {"H", "I"},
    {"I", "H"},
    {"G", "I"},
    {"TA W", "F"},
    {"TA W", "G"},
    /* TA X's domain */
    {"J", "K"},
    {"N", "EE"},
    {"L", "N"},
    {"L", "M"},
    {"TA X", "J"},
    {"TA X", "L"},
    /* TA Y's domain */
    {"B", "E"},
    {"B", "D"},
    {"A", "B"},
    {"C", "B"},
    {"A", "C"},
    {"C", "A"},
    {"TA Y", "A"},
    {"TA Y", "C"},
    /* TA Z's domain */
    {"R", "S"},
    {"O", "R"},
    {"O", "Q"},
    {"P", "S"},
    {"TA Z", "O"},
    {"TA Z", "P"},
    /* the bridge, cross-certified with each anchor */
    {"TA W", "Bridge CA"},
    {"Bridge CA", "TA W"},
    {"TA X", "Bridge CA"},
    {"Bridge CA", "TA X"},
    {"TA Y", "Bridge CA"},
    {"Bridge CA", "TA Y"},
    {"TA Z", "Bridge CA"},
    {"Bridge CA", "TA Z"},
};
_Static_assert(CP_ARRAY_LEN(bt_bridge_edges) <= BT_MAX_EDGES, "BT_MAX_EDGES is too small");

/* A client that stops at the first issuer it finds fails TWO_ROOTS, FIGURE_SEVEN and BRIDGE
 * whenever that issuer leads nowhere; the last two also contain cross-certification loops. */
static const struct bt_graph bt_graphs[] = {
    [BT_LINEAR] = {"linear", "LINEAR", bt_linear_edges, (int)CP_ARRAY_LEN(bt_linear_edges), 0},
    [BT_TWO_ROOTS] = {"two-roots", "TWO_ROOTS", bt_two_roots_edges,
                      (int)CP_ARRAY_LEN(bt_two_roots_edges), CP_F_BRANCHING},
    [BT_FIGURE_SEVEN] = {"figure-seven", "FIGURE_SEVEN", bt_figure_seven_edges,
                         (int)CP_ARRAY_LEN(bt_figure_seven_edges), CP_F_BRANCHING | CP_F_CYCLES},
    [BT_BRIDGE] = {"bridge", "BRIDGE", bt_bridge_edges, (int)CP_ARRAY_LEN(bt_bridge_edges),
                   CP_F_BRANCHING | CP_F_CYCLES},
};

/* The six defects, in the order of BetterTLS's table: a scenario's cases follow it. */
enum bt_defect {
    BT_NONE = -1,
    BT_EXPIRED,
    BT_NAME_CONSTRAINTS,
    BT_BAD_EKU,
    BT_MISSING_BC,
    BT_NOT_CA,
    BT_SHA1,
    BT_NDEFECTS
};

struct bt_defect_def {
    const char *slug; /* id segment */
    const char *name; /* for summaries */
    uint64_t feature; /* what a client needs to see the defect */
};

static const struct bt_defect_def bt_defects[BT_NDEFECTS] = {
    [BT_EXPIRED] = {"expired", "expired", CP_F_EXPIRY},
    [BT_NAME_CONSTRAINTS] = {"name-constraints", "name constraints", CP_F_NAME_CONSTRAINTS},
    [BT_BAD_EKU] = {"bad-eku", "bad EKU", CP_F_EKU_ON_CA},
    [BT_MISSING_BC] = {"missing-basic-constraints", "missing basic constraints",
                       CP_F_BASIC_CONSTRAINTS},
    [BT_NOT_CA] = {"not-ca", "not a CA", CP_F_BASIC_CONSTRAINTS},
    [BT_SHA1] = {"sha1", "deprecated crypto (SHA-1)", CP_F_DISTRUST_SHA1},
};

struct bt_scenario {
    int graph;
    const char *anchor, *target;       /* entity labels */
    const char *trust;                 /* id segment naming the anchor (and target) */
    const char *mark;                  /* id segment naming the marked edges; "none" */
    const char *marked[BT_MAX_MARKED]; /* certificate labels "Issuer->Subject" */
    int nmarked;
};

/* The 17 scenarios in the reference's order; the probes below reuse three of them. */
enum {
    BT_S_LINEAR,
    BT_S_LINEAR_TA_ICA,
    BT_S_LINEAR_ICA_ANCHOR,
    BT_S_TWO_ROOTS_ROOT1,
    BT_S_TWO_ROOTS_ROOT2,
};

static const struct bt_scenario bt_scenarios[] = {
    [BT_S_LINEAR] = {BT_LINEAR, "Trust Anchor", "EE", "ta", "none", {NULL}, 0},
    [BT_S_LINEAR_TA_ICA] =
        {BT_LINEAR, "Trust Anchor", "EE", "ta", "ta-ica", {"Trust Anchor->ICA"}, 1},
    /* The ICA itself is the anchor: the certificate above it must not matter. */
    [BT_S_LINEAR_ICA_ANCHOR] = {BT_LINEAR, "ICA", "EE", "ica", "ta-ica", {"Trust Anchor->ICA"}, 1},
    [BT_S_TWO_ROOTS_ROOT1] = {BT_TWO_ROOTS, "Root1", "EE", "root1", "none", {NULL}, 0},
    [BT_S_TWO_ROOTS_ROOT2] = {BT_TWO_ROOTS, "Root2", "EE", "root2", "none", {NULL}, 0},
    {BT_TWO_ROOTS, "Root1", "EE", "root1", "root2-cross", {"Root2->ICA"}, 1},
    {BT_TWO_ROOTS, "Root2", "EE", "root2", "root1-cross", {"Root1->ICA"}, 1},
    {BT_TWO_ROOTS, "Root1", "EE", "root1", "root1-cross", {"Root1->ICA"}, 1},
    {BT_TWO_ROOTS, "Root2", "EE", "root2", "root2-cross", {"Root2->ICA"}, 1},
    {BT_FIGURE_SEVEN, "Trust Anchor", "EE", "ta", "none", {NULL}, 0},
    /* Only TA>A>C>B>EE is left. */
    {BT_FIGURE_SEVEN, "Trust Anchor", "EE", "ta", "ta-c-and-a-b", {"Trust Anchor->C", "A->B"}, 2},
    /* Only TA>C>A>B>EE is left. */
    {BT_FIGURE_SEVEN, "Trust Anchor", "EE", "ta", "ta-a-and-c-b", {"Trust Anchor->A", "C->B"}, 2},
    {BT_BRIDGE, "TA Z", "D", "ta-z-d", "none", {NULL}, 0},
    {BT_BRIDGE, "TA Z", "EE", "ta-z-ee", "none", {NULL}, 0},
    /* The bridge's certificate issued by TA X points away from TA Z: no path uses it. */
    {BT_BRIDGE, "TA Z", "EE", "ta-z-ee", "ta-x-bridge", {"TA X->Bridge CA"}, 1},
    {BT_BRIDGE, "TA Z", "EE", "ta-z-ee", "bridge-ta-x", {"Bridge CA->TA X"}, 1},
    {BT_BRIDGE, "TA Z", "EE", "ta-z-ee", "ta-z-bridge", {"TA Z->Bridge CA"}, 1},
};

/* One BetterTLS case: a scenario, the defect on its marked edges, and how it is named. */
struct bt_case {
    int number;
    const struct bt_scenario *sc;
    enum bt_defect defect; /* BT_NONE: nothing marked */
    const char *variant;   /* id segment before the defect's: the scenario's mark or a probe's */
    const char *role;      /* for summaries: "sanity check", "probe" or "" */
};

enum { BT_DECLARED, BT_REVERSED, BT_SHUFFLED, BT_NORDERS };
static const char *const bt_orders[BT_NORDERS] = {"declared", "reversed", "shuffled"};

/* A graph under construction: certificate indexes by edge, the leaf and the anchor. */
struct bt_built {
    struct cp_graph *g;
    int certs[BT_MAX_EDGES];
    int leaf;
    int anchor;
};

/* The entity labelled label, created on first use; -1 on a (sticky) error. */
static int bt_entity(struct cp_graph *g, const char *label)
{
    for (int i = 0; i < g->nentities; i++) {
        if (strcmp(g->entities[i].label, label) == 0)
            return i;
    }
    return cp_graph_entity(g, label);
}

static void bt_apply_defect(struct cp_cert *c, enum bt_defect d)
{
    switch (d) {
    case BT_EXPIRED:
        c->not_before = -24 * CP_HOUR;
        c->not_after = -CP_HOUR;
        break;
    case BT_NAME_CONSTRAINTS:
        /* Critical (the model's default): a client that cannot parse it must refuse. */
        snprintf(c->nc_permitted[0], sizeof(c->nc_permitted[0]), "%s", BT_NC_NAME);
        c->npermitted = 1;
        break;
    case BT_BAD_EKU:
        c->eku = CP_EKU_EMAIL;
        break;
    case BT_MISSING_BC:
        c->bc = CP_BC_ABSENT; /* keyUsage keyCertSign stays: only the extension is missing */
        break;
    case BT_NOT_CA:
        c->bc = CP_BC_NOT_CA; /* BetterTLS's not-a-CA certificate has no SKI either */
        c->ski = CP_KID_ABSENT;
        break;
    case BT_SHA1:
        c->sig_alg = CP_SIG_SHA1;
        break;
    default:
        break;
    }
}

/* Whether the edge's certificate is a leaf: the case's target and an end entity always are
 * (in BRIDGE, D is a CA below B unless it is the target). */
static bool bt_is_leaf(const struct bt_edge *e, const struct bt_scenario *sc)
{
    return strcmp(e->subject, BT_END_ENTITY) == 0 || strcmp(e->subject, sc->target) == 0;
}

/* Builds the case's graph: every edge in declared order, then the defect on the marked
 * edges. Build errors are sticky in the graph and surface at cp_model_case(). */
static int bt_build(struct cp_model *m, const struct bt_case *bc, const char *name,
                    struct bt_built *b)
{
    const struct bt_graph *gd = &bt_graphs[bc->sc->graph];
    b->g = cp_model_graph(m, name);
    if (!b->g)
        return CP_E_ARG; /* a name used twice or no memory; the message says which */
    b->leaf = -1;
    for (int i = 0; i < gd->nedges; i++) {
        const struct bt_edge *e = &gd->edges[i];
        int is = bt_entity(b->g, e->issuer), su = bt_entity(b->g, e->subject);
        b->certs[i] =
            bt_is_leaf(e, bc->sc) ? cp_graph_leaf(b->g, is, su) : cp_graph_ca(b->g, is, su);
        if (strcmp(e->subject, bc->sc->target) == 0)
            b->leaf = b->certs[i];
    }
    b->anchor = bt_entity(b->g, bc->sc->anchor);
    for (int i = 0; i < bc->sc->nmarked && bc->defect != BT_NONE; i++) {
        int c = cp_graph_find(b->g, bc->sc->marked[i]);
        if (c < 0)
            return cp_error_set(CP_E_INTERNAL, "graph %s has no edge %s to mark", name,
                                bc->sc->marked[i]);
        struct cp_cert *cert = cp_graph_cert_at(b->g, c);
        if (cert)
            bt_apply_defect(cert, bc->defect);
    }
    return 0;
}

/* The declared send order: the leaf, then every other edge in declaration order. The
 * anchor's self-signed certificate is not an edge, so it is never sent. */
static int bt_declared(const struct bt_case *bc, const struct bt_built *b, int *sent)
{
    const struct bt_graph *gd = &bt_graphs[bc->sc->graph];
    int n = 0;
    sent[n++] = b->leaf;
    for (int i = 0; i < gd->nedges; i++) {
        if (b->certs[i] != b->leaf)
            sent[n++] = b->certs[i];
    }
    return n;
}

/* "Trust Anchor->C and A->B expired", or "nothing marked". */
static void bt_describe_marks(const struct bt_case *bc, char *out, size_t cap)
{
    if (bc->defect == BT_NONE) {
        snprintf(out, cap, "nothing marked");
        return;
    }
    if (bc->sc->nmarked == 2)
        snprintf(out, cap, "%s and %s %s", bc->sc->marked[0], bc->sc->marked[1],
                 bt_defects[bc->defect].name);
    else
        snprintf(out, cap, "%s %s", bc->sc->marked[0], bt_defects[bc->defect].name);
}

/* The graph name (the id without the order), failing rather than truncating: names cut short
 * could collide. */
static int bt_name(const struct bt_case *bc, char *out, size_t cap)
{
    const struct bt_graph *gd = &bt_graphs[bc->sc->graph];
    bool defect = bc->defect != BT_NONE;
    int n = snprintf(out, cap, "bettertls/%s/%s/%s%s%s", gd->slug, bc->sc->trust, bc->variant,
                     defect ? "-" : "", defect ? bt_defects[bc->defect].slug : "");
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT, "bettertls case #%d: its name is longer than %zu",
                            bc->number, cap - 1);
    return 0;
}

/* Adds one order of the case on its graph. */
static int bt_add_order(struct cp_model *m, const struct bt_case *bc, const struct bt_built *b,
                        const char *name, const int *declared, int nsent, int order)
{
    const struct bt_graph *gd = &bt_graphs[bc->sc->graph];
    char id[CP_ID_MAX], summary[CP_DESC_MAX], marks[2 * CP_LABEL_MAX + 64];
    int sent[BT_MAX_EDGES];
    int n = snprintf(id, sizeof(id), "%s/%s", name, bt_orders[order]);
    if (n < 0 || (size_t)n >= sizeof(id))
        return cp_error_set(CP_E_LIMIT, "bettertls case #%d: its id is longer than %zu", bc->number,
                            sizeof(id) - 1);
    memcpy(sent, declared, (size_t)nsent * sizeof(sent[0]));
    if (order == BT_REVERSED)
        cp_order_reverse(sent, nsent);
    else if (order == BT_SHUFFLED)
        cp_order_shuffle(sent, nsent, id);
    bt_describe_marks(bc, marks, sizeof(marks));
    snprintf(summary, sizeof(summary),
             "BetterTLS #%d%s%s: %s trusting %s, target %s, %s (%s order)", bc->number,
             *bc->role ? ", " : "", bc->role, gd->name, bc->sc->anchor, bc->sc->target, marks,
             bt_orders[order]);
    uint64_t features = gd->features;
    if (bc->defect != BT_NONE)
        features |= bt_defects[bc->defect].feature;
    if (order != BT_DECLARED)
        features |= CP_F_ORDERING;
    struct cp_case_spec spec = {
        .id = id,
        .summary = summary,
        .leaf = b->leaf,
        .anchors = &b->anchor,
        .nanchors = 1,
        .sent = sent,
        .nsent = nsent,
        .features = features,
        /* BetterTLS probes a feature with cases 1-8 as it declares them. */
        .probe = bc->number >= 1 && bc->number <= 8 && order == BT_DECLARED,
    };
    return cp_model_case(m, b->g, &spec);
}

/* One BetterTLS case: its own graph, and the case in three orders on it (the orders share
 * the anchor, as the model requires of one graph's cases). */
static int bt_emit(struct cp_model *m, const struct bt_case *bc)
{
    char name[CP_ID_MAX];
    struct bt_built b;
    int declared[BT_MAX_EDGES], rc;
    if ((rc = bt_name(bc, name, sizeof(name))) || (rc = bt_build(m, bc, name, &b)))
        return rc;
    int nsent = bt_declared(bc, &b, declared);
    for (int order = 0; order < BT_NORDERS; order++) {
        if ((rc = bt_add_order(m, bc, &b, name, declared, nsent, order)))
            return rc;
    }
    return 0;
}

/* Cases 0-8: the sanity check and the probes BetterTLS runs before anything else. */
static int bt_emit_probes(struct cp_model *m, int *number)
{
    int rc;
    struct bt_case sanity = {(*number)++, &bt_scenarios[BT_S_LINEAR], BT_NONE, "sanity",
                             "sanity check"};
    if ((rc = bt_emit(m, &sanity)))
        return rc;
    const int branching[] = {BT_S_TWO_ROOTS_ROOT1, BT_S_TWO_ROOTS_ROOT2};
    for (size_t i = 0; i < CP_ARRAY_LEN(branching); i++) {
        struct bt_case bc = {(*number)++, &bt_scenarios[branching[i]], BT_NONE, "probe-branching",
                             "probe"};
        if ((rc = bt_emit(m, &bc)))
            return rc;
    }
    for (int d = 0; d < BT_NDEFECTS; d++) {
        struct bt_case bc = {(*number)++, &bt_scenarios[BT_S_LINEAR_TA_ICA], (enum bt_defect)d,
                             "probe", "probe"};
        if ((rc = bt_emit(m, &bc)))
            return rc;
    }
    return 0;
}

int cp_family_bettertls(struct cp_model *m)
{
    int number = 0, rc;
    if ((rc = bt_emit_probes(m, &number)))
        return rc;
    for (size_t s = 0; s < CP_ARRAY_LEN(bt_scenarios); s++) {
        const struct bt_scenario *sc = &bt_scenarios[s];
        /* A scenario with marked edges is one case per defect; without, a single case. */
        int first = sc->nmarked ? 0 : BT_NONE, last = sc->nmarked ? BT_NDEFECTS - 1 : BT_NONE;
        for (int d = first; d <= last; d++) {
            struct bt_case bc = {number++, sc, (enum bt_defect)d, sc->mark, ""};
            if ((rc = bt_emit(m, &bc)))
                return rc;
        }
    }
    return 0;
}
