/*
 * ordering.c - linear chains sent in every order a server gets wrong.
 *
 * Depth N (1..6) is the number of CA certificates on the path, the root's included: a depth-N
 * chain is Leaf <- Intermediate CA N-1 <- ... <- Intermediate CA 1 <- Root CA, so it has N-1
 * intermediates and depth 1 is a leaf issued by the root itself. The client trusts Root CA only.
 * Each graph also holds an unrelated hierarchy (Other Root CA -> Other Intermediate CA) whose
 * certificates serve as the extras a misconfigured server sends.
 *
 * TLS 1.3 (RFC 8446 4.4.2) asks only that the leaf come first and lets clients accept any
 * order of the rest, duplicates and extras included; RFC 4158 builds paths from the pool of
 * certificates, not from the sent sequence. So every scenario here is accepted unless an
 * intermediate is missing: there is no AIA URL to fetch it from, and the client must reject.
 */
#include "cp_families.h"
#include "scenarios.h"

#define ORD_MAX_DEPTH 6
#define ORD_MAX_INTER (ORD_MAX_DEPTH - 1)

/* One depth's graph. chain[0] is the leaf's issuer's certificate, chain[k-1] the one the root
 * issued: the declared order, leaf upwards. */
struct ord_graph {
    int depth;
    int k; /* intermediates: depth - 1 */
    int chain[ORD_MAX_INTER];
    int root;       /* Root CA's self-signed certificate */
    int other_ica;  /* Other Root CA -> Other Intermediate CA */
    int other_root; /* Other Root CA's self-signed certificate */
    int anchor;     /* the Root CA entity */
};

typedef void (*ord_build_fn)(const struct ord_graph *o, struct fa_list *l);

/* The chain's certificates from index lo up to (not including) hi, in declared order. */
static void push_chain(const struct ord_graph *o, struct fa_list *l, int lo, int hi)
{
    for (int i = lo; i < hi && i < o->k; i++)
        fa_push(l, o->chain[i]);
}

static void push_chain_except(const struct ord_graph *o, struct fa_list *l, int skip)
{
    for (int i = 0; i < o->k; i++) {
        if (i != skip)
            fa_push(l, o->chain[i]);
    }
}

static void push_extras(const struct ord_graph *o, struct fa_list *l)
{
    fa_push(l, o->other_ica);
    fa_push(l, o->other_root);
}

static void build_plain(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, o->k);
}

static void build_dup_each(const struct ord_graph *o, struct fa_list *l)
{
    for (int i = 0; i < o->k; i++) {
        fa_push(l, o->chain[i]);
        fa_push(l, o->chain[i]);
    }
}

static void build_dup_leaf(const struct ord_graph *o, struct fa_list *l)
{
    fa_push(l, FA_LEAF);
    push_chain(o, l, 0, o->k);
}

static void build_dup_chain(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, o->k);
    push_chain(o, l, 0, o->k);
}

static void build_extras_before(const struct ord_graph *o, struct fa_list *l)
{
    push_extras(o, l);
    push_chain(o, l, 0, o->k);
}

static void build_extras_between(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, (o->k + 1) / 2);
    push_extras(o, l);
    push_chain(o, l, (o->k + 1) / 2, o->k);
}

static void build_extras_after(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, o->k);
    push_extras(o, l);
}

static void build_root_end(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, o->k);
    fa_push(l, o->root);
}

static void build_root_middle(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, (o->k + 1) / 2);
    fa_push(l, o->root);
    push_chain(o, l, (o->k + 1) / 2, o->k);
}

/* The certificate the root issued is the one missing. */
static void build_missing_top(const struct ord_graph *o, struct fa_list *l)
{
    push_chain_except(o, l, o->k - 1);
}

/* The leaf's issuer is the one missing. */
static void build_missing_bottom(const struct ord_graph *o, struct fa_list *l)
{
    push_chain_except(o, l, 0);
}

/* A certificate strictly inside the chain is missing (the table asks for 3+ intermediates). */
static void build_missing_middle(const struct ord_graph *o, struct fa_list *l)
{
    push_chain_except(o, l, o->k / 2);
}

static void build_dup_extras(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, o->k);
    push_extras(o, l);
    push_chain(o, l, 0, o->k);
}

/* Everything a bad server configuration can add: the leaf again, the chain twice (once
 * backwards), the unrelated hierarchy and the root. */
static void build_kitchen_sink(const struct ord_graph *o, struct fa_list *l)
{
    push_chain(o, l, 0, o->k);
    fa_push(l, o->other_ica);
    fa_push(l, FA_LEAF);
    fa_push(l, o->other_root);
    for (int i = o->k - 1; i >= 0; i--)
        fa_push(l, o->chain[i]);
    fa_push(l, o->root);
}

static void build_missing_with_extras(const struct ord_graph *o, struct fa_list *l)
{
    fa_push(l, o->other_ica);
    push_chain_except(o, l, o->k - 1);
    fa_push(l, o->other_root);
}

/* The root's own certificate does not stand in for the intermediate it issued. */
static void build_missing_with_root(const struct ord_graph *o, struct fa_list *l)
{
    push_chain_except(o, l, o->k - 1);
    fa_push(l, o->root);
}

static void build_missing_with_duplicates(const struct ord_graph *o, struct fa_list *l)
{
    push_chain_except(o, l, o->k - 1);
    push_chain_except(o, l, o->k - 1);
}

#define ORD_DUP CP_F_DUPLICATES
#define ORD_EXTRA CP_F_EXTRAS
#define ORD_MISS CP_F_MISSING_ISSUER

/* Scenarios; min_k is the fewest intermediates for which the scenario means what it says.
 * probes marks the orders that serve as feature probes on the depth-3 chain (ORD_PROBE_DEPTH):
 * short enough to be simple, long enough that reversing it changes something. */
static const struct ord_scenario {
    const char *name;
    const char *summary;
    int min_k;
    uint64_t features;
    unsigned probes;
    ord_build_fn build;
} ord_scenarios[] = {
    {"plain", "The chain once", 0, 0, FA_REVERSED | FA_SHUFFLED, build_plain},
    {"dup-each", "Each intermediate twice, adjacent", 1, ORD_DUP, FA_DECLARED, build_dup_each},
    {"dup-leaf", "The leaf sent again after itself", 0, ORD_DUP, FA_DECLARED, build_dup_leaf},
    {"dup-chain", "The intermediates twice, not adjacent", 1, ORD_DUP, 0, build_dup_chain},
    {"extras-before", "Unrelated CA certificates before the chain", 0, ORD_EXTRA, 0,
     build_extras_before},
    {"extras-between", "Unrelated CA certificates inside the chain", 2, ORD_EXTRA, 0,
     build_extras_between},
    {"extras-after", "Unrelated CA certificates after the chain", 0, ORD_EXTRA, FA_DECLARED,
     build_extras_after},
    {"root-end", "The root's self-signed certificate at the end", 0, 0, 0, build_root_end},
    {"root-middle", "The root's self-signed certificate inside the chain", 2, CP_F_ORDERING, 0,
     build_root_middle},
    {"missing-top", "The intermediate the root issued left out", 1, ORD_MISS, FA_DECLARED,
     build_missing_top},
    {"missing-bottom", "The leaf's issuer left out", 2, ORD_MISS, 0, build_missing_bottom},
    {"missing-middle", "An intermediate inside the chain left out", 3, ORD_MISS, 0,
     build_missing_middle},
    {"dup-extras", "The intermediates twice with unrelated CAs between", 1, ORD_DUP | ORD_EXTRA, 0,
     build_dup_extras},
    {"kitchen-sink", "Leaf repeated, chain twice, unrelated CAs and the root", 0,
     ORD_DUP | ORD_EXTRA, 0, build_kitchen_sink},
    {"missing-with-extras", "The top intermediate left out, unrelated CAs sent", 1,
     ORD_MISS | ORD_EXTRA, 0, build_missing_with_extras},
    {"missing-with-root", "The top intermediate left out, the root sent", 1, ORD_MISS, 0,
     build_missing_with_root},
    {"missing-with-duplicates", "The top intermediate left out, the rest twice", 2,
     ORD_MISS | ORD_DUP, 0, build_missing_with_duplicates},
};

#define ORD_PROBE_DEPTH 3

static const char *const ord_inter_labels[ORD_MAX_INTER] = {
    "Intermediate CA 1", "Intermediate CA 2", "Intermediate CA 3",
    "Intermediate CA 4", "Intermediate CA 5",
};

/* Builds the depth's graph; returns the leaf certificate (or -1, the error sticky in g). */
static int build_graph(struct cp_graph *g, int depth, struct ord_graph *o)
{
    o->depth = depth;
    o->k = depth - 1;
    o->anchor = cp_graph_entity(g, "Root CA");
    int issuer = o->anchor;
    /* Issued top-down, so chain[] is filled from its end. */
    for (int i = 0; i < o->k; i++) {
        int e = cp_graph_entity(g, ord_inter_labels[i]);
        o->chain[o->k - 1 - i] = cp_graph_ca(g, issuer, e);
        issuer = e;
    }
    int leaf = cp_graph_leaf(g, issuer, cp_graph_entity(g, "Leaf"));
    o->root = cp_graph_root(g, o->anchor);
    int other = cp_graph_entity(g, "Other Root CA");
    o->other_root = cp_graph_root(g, other);
    o->other_ica = cp_graph_ca(g, other, cp_graph_entity(g, "Other Intermediate CA"));
    return leaf;
}

/* Storage behind one scenario of a depth: fa_emit() takes them all at once. */
struct ord_slot {
    struct fa_list sent;
    char id[CP_ID_MAX];
    char summary[CP_DESC_MAX];
};

#define ORD_NSCENARIOS ((int)CP_ARRAY_LEN(ord_scenarios))

static int describe_scenario(const struct ord_scenario *sc, const struct ord_graph *o,
                             const char *gname, struct ord_slot *slot, struct fa_scenario *s)
{
    fa_list_clear(&slot->sent);
    fa_push(&slot->sent, FA_LEAF);
    sc->build(o, &slot->sent);
    int rc = fa_fmt(slot->id, sizeof(slot->id), "%s/%s", gname, sc->name);
    if (rc || (rc = fa_fmt(slot->summary, sizeof(slot->summary),
                           "%s; a depth-%d chain (%d intermediate%s)", sc->summary, o->depth, o->k,
                           o->k == 1 ? "" : "s")))
        return rc;
    *s = (struct fa_scenario){
        .id = slot->id,
        .summary = slot->summary,
        .anchors = &o->anchor,
        .nanchors = 1,
        .sent = &slot->sent,
        .features = sc->features,
        .probes = o->depth == ORD_PROBE_DEPTH ? sc->probes : 0,
    };
    return 0;
}

static int emit_depth(struct cp_model *m, int depth)
{
    struct ord_slot slots[ORD_NSCENARIOS];
    struct fa_scenario s[ORD_NSCENARIOS];
    char gname[CP_ID_MAX];
    int rc = fa_fmt(gname, sizeof(gname), "ordering/depth%d", depth), n = 0;
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG; /* a repeated name or no memory; the message says which */
    struct ord_graph o;
    struct fa_graph fg;
    fa_graph_init(&fg, g, build_graph(g, depth, &o));
    for (int i = 0; i < ORD_NSCENARIOS && !rc; i++) {
        if (o.k < ord_scenarios[i].min_k)
            continue;
        rc = describe_scenario(&ord_scenarios[i], &o, gname, &slots[n], &s[n]);
        n++;
    }
    if (!rc)
        rc = fa_emit(m, &fg, s, n);
    fa_graph_free(&fg);
    return rc;
}

int cp_family_ordering(struct cp_model *m)
{
    for (int depth = 1; depth <= ORD_MAX_DEPTH; depth++) {
        int rc = emit_depth(m, depth);
        if (rc)
            return rc;
    }
    return 0;
}
