/*
 * validity.c - certificates outside (or exactly at the edge of) their validity window.
 *
 * RFC 5280 4.1.2.5: the validity period includes both notBefore and notAfter, so a
 * certificate whose notAfter equals the validation time is still valid, one second later it is
 * not. Every window below is applied to one certificate in three settings:
 *   chain:  a single path; the window is on the leaf, the issuing CA, the intermediate or the
 *           cross-sign (Root CA -> Cross CA, a CA that also has its own, untrusted, root);
 *   anchor: the trust anchor's own certificate. RFC 5280 6.1.1 (d) makes the anchor a name and
 *           key, so its certificate's dates do not matter; the Web PKI profile refuses an
 *           anchor outside its validity (oracle.c), so the expectations differ by profile;
 *   branch: two issuers for one certificate, the window on one branch only, that branch sent
 *           first or second. The bad branch is a renewed intermediate (same issuer and key),
 *           a cross-sign from a second trusted root, or an anchor's own certificate.
 * Windows that keep the certificate valid (expires-now, starts-now, long-lived) are controls:
 * a client that gets the boundary wrong, or cannot represent dates past 2038/2050, fails them.
 */
#include "cp_families.h"
#include "scenarios.h"

#define VA_YEAR (365 * CP_DAY)

static const struct va_window {
    const char *name;
    const char *words;
    int64_t nb, na;
    uint64_t features; /* a boundary within a second needs the exact validation time */
} va_windows[] = {
    {"expired", "expired a day ago", -366 * CP_DAY, -CP_DAY, 0},
    {"not-yet-valid", "valid only from tomorrow", CP_DAY, 366 * CP_DAY, 0},
    {"expired-1s", "expired one second before the validation time", -366 * CP_DAY, -1,
     CP_F_EXACT_TIME},
    {"expires-now", "notAfter exactly at the validation time (inclusive: valid)", -366 * CP_DAY, 0,
     CP_F_EXACT_TIME},
    {"starts-now", "notBefore exactly at the validation time (inclusive: valid)", 0, 366 * CP_DAY,
     CP_F_EXACT_TIME},
    {"not-yet-valid-1s", "valid from one second after the validation time", 1, 366 * CP_DAY,
     CP_F_EXACT_TIME},
    {"expired-long-ago", "expired ten years ago", -20 * VA_YEAR, -10 * VA_YEAR, 0},
    {"long-lived", "valid for 50 years, past 2038 and 2050 (GeneralizedTime)", -10 * VA_YEAR,
     40 * VA_YEAR, 0},
};

static void set_window(struct cp_graph *g, int cert, const struct va_window *w)
{
    struct cp_cert *x = cp_graph_cert_at(g, cert);
    if (x) {
        x->not_before = w->nb;
        x->not_after = w->na;
    }
}

/* ---- chain: one path, the window on one of its certificates ---- */

/* Positions in the declared sent list: leaf, issuing CA, intermediate, cross-sign. */
static const struct {
    const char *name;
    const char *words;
} va_chain_targets[] = {
    {"leaf", "The leaf"},
    {"issuing-ca", "The leaf's issuer"},
    {"intermediate-ca", "The intermediate between issuing CA and cross-sign"},
    {"cross-sign", "The cross-sign of Cross CA by the trusted Root CA"},
};

static int emit_chain(struct cp_model *m, int target, const struct va_window *w)
{
    char gname[CP_ID_MAX], summary[CP_DESC_MAX];
    int rc = fa_fmt(gname, sizeof(gname), "validity/chain/%s-%s", va_chain_targets[target].name,
                    w->name);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG; /* a repeated name or no memory; the message says which */
    int root = cp_graph_entity(g, "Root CA"), cross = cp_graph_entity(g, "Cross CA");
    int inter = cp_graph_entity(g, "Intermediate CA"), issuing = cp_graph_entity(g, "Issuing CA");
    cp_graph_root(g, cross); /* what makes Root CA -> Cross CA a cross-sign */
    /* One call per statement: the order of calls fixes the certificate indexes, and the
     * elements of an initializer list are evaluated in no set order. */
    int certs[4];
    certs[0] = cp_graph_leaf(g, issuing, cp_graph_entity(g, "Leaf"));
    certs[1] = cp_graph_ca(g, inter, issuing);
    certs[2] = cp_graph_ca(g, cross, inter);
    certs[3] = cp_graph_ca(g, root, cross);
    set_window(g, certs[target], w);
    struct fa_list sent;
    fa_list_clear(&sent);
    fa_push(&sent, FA_LEAF);
    fa_push_all(&sent, certs + 1, 3);
    if ((rc = fa_fmt(summary, sizeof(summary), "%s %s", va_chain_targets[target].words, w->words)))
        return rc;
    bool probe = w == &va_windows[0] && target <= 1; /* expired leaf, expired issuer */
    struct fa_scenario s = {
        .id = gname,
        .summary = summary,
        .anchors = &root,
        .nanchors = 1,
        .sent = &sent,
        .features = CP_F_EXPIRY | w->features,
        .probes = probe ? FA_DECLARED : 0,
    };
    struct fa_graph fg;
    fa_graph_init(&fg, g, certs[0]);
    rc = fa_emit(m, &fg, &s, 1);
    fa_graph_free(&fg);
    return rc;
}

/* Storage behind one scenario: the anchor and branch graphs pass two to fa_emit() at once. */
struct va_slot {
    struct fa_list sent;
    char id[CP_ID_MAX];
    char summary[CP_DESC_MAX];
};

/* ---- anchor: the trust anchor's own certificate ---- */

static int describe_anchor(const char *gname, const struct va_window *w, const int *chain,
                           int root_cert, bool with_root, struct va_slot *slot)
{
    fa_list_clear(&slot->sent);
    fa_push(&slot->sent, FA_LEAF);
    fa_push_all(&slot->sent, chain, 2);
    if (with_root)
        fa_push(&slot->sent, root_cert);
    int rc = fa_fmt(slot->id, sizeof(slot->id), "%s/%s", gname,
                    with_root ? "with-root" : "without-root");
    if (!rc)
        rc = fa_fmt(slot->summary, sizeof(slot->summary), "The trusted root's certificate %s%s",
                    w->words, with_root ? "; the server sends it too" : "");
    return rc;
}

static int emit_anchor(struct cp_model *m, const struct va_window *w)
{
    char gname[CP_ID_MAX];
    struct va_slot slots[2];
    struct fa_scenario s[2];
    int rc = fa_fmt(gname, sizeof(gname), "validity/anchor/%s", w->name);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG;
    int root = cp_graph_entity(g, "Root CA"), inter = cp_graph_entity(g, "Intermediate CA");
    int issuing = cp_graph_entity(g, "Issuing CA");
    int root_cert = cp_graph_root(g, root);
    set_window(g, root_cert, w);
    int leaf = cp_graph_leaf(g, issuing, cp_graph_entity(g, "Leaf"));
    int chain[2];
    chain[0] = cp_graph_ca(g, inter, issuing);
    chain[1] = cp_graph_ca(g, root, inter);

    for (int i = 0; i < 2 && !rc; i++) {
        rc = describe_anchor(gname, w, chain, root_cert, i == 1, &slots[i]);
        s[i] = (struct fa_scenario){
            .id = slots[i].id,
            .summary = slots[i].summary,
            .anchors = &root,
            .nanchors = 1,
            .sent = &slots[i].sent,
            .features = CP_F_EXPIRY | CP_F_ANCHOR_EXPIRY | w->features,
            .probes = w == &va_windows[0] && i == 0 ? FA_DECLARED : 0,
        };
    }
    if (rc)
        return rc;
    struct fa_graph fg;
    fa_graph_init(&fg, g, leaf);
    rc = fa_emit(m, &fg, s, 2);
    fa_graph_free(&fg);
    return rc;
}

/* ---- branch: a good and a bad issuer for one certificate ---- */

/* What a branch level builds: the two alternative certificates and a third sent one that
 * completes the path (before them in the declared order, or after). */
struct va_branch {
    int leaf, bad, good, other;
    bool other_first;
    int anchors[2];
    int nanchors;
};

/* Root CA -> Policy CA -> Issuing CA (issued twice by Policy CA, the first copy bad). */
static void branch_intermediate(struct cp_graph *g, const struct va_window *w, struct va_branch *b)
{
    int root = cp_graph_entity(g, "Root CA"), policy = cp_graph_entity(g, "Policy CA");
    int issuing = cp_graph_entity(g, "Issuing CA");
    b->leaf = cp_graph_leaf(g, issuing, cp_graph_entity(g, "Leaf"));
    b->bad = cp_graph_ca(g, policy, issuing);
    b->good = cp_graph_ca(g, policy, issuing);
    b->other = cp_graph_ca(g, root, policy);
    b->other_first = false;
    b->anchors[0] = root;
    b->nanchors = 1;
    set_window(g, b->bad, w);
}

/* Cross CA cross-signed by two trusted roots, Root A's cross-sign bad. */
static void branch_cross_sign(struct cp_graph *g, const struct va_window *w, struct va_branch *b)
{
    int ra = cp_graph_entity(g, "Root A"), rb = cp_graph_entity(g, "Root B");
    int cross = cp_graph_entity(g, "Cross CA"), issuing = cp_graph_entity(g, "Issuing CA");
    b->leaf = cp_graph_leaf(g, issuing, cp_graph_entity(g, "Leaf"));
    b->other = cp_graph_ca(g, cross, issuing);
    b->bad = cp_graph_ca(g, ra, cross);
    b->good = cp_graph_ca(g, rb, cross);
    b->other_first = true;
    b->anchors[0] = ra;
    b->anchors[1] = rb;
    b->nanchors = 2;
    set_window(g, b->bad, w);
}

/* Intermediate CA issued by two trusted roots; Root A's own certificate carries the window. */
static void branch_anchor(struct cp_graph *g, const struct va_window *w, struct va_branch *b)
{
    int ra = cp_graph_entity(g, "Root A"), rb = cp_graph_entity(g, "Root B");
    int inter = cp_graph_entity(g, "Intermediate CA"), issuing = cp_graph_entity(g, "Issuing CA");
    set_window(g, cp_graph_root(g, ra), w);
    cp_graph_root(g, rb);
    b->leaf = cp_graph_leaf(g, issuing, cp_graph_entity(g, "Leaf"));
    b->other = cp_graph_ca(g, inter, issuing);
    b->bad = cp_graph_ca(g, ra, inter);
    b->good = cp_graph_ca(g, rb, inter);
    b->other_first = true;
    b->anchors[0] = ra;
    b->anchors[1] = rb;
    b->nanchors = 2;
}

static const struct {
    const char *name;
    const char *words;
    uint64_t features;
    void (*build)(struct cp_graph *g, const struct va_window *w, struct va_branch *b);
} va_branch_levels[] = {
    {"intermediate", "A renewed issuing CA whose old copy is", 0, branch_intermediate},
    {"cross-sign", "Cross CA signed by two trusted roots, the cross-sign from Root A", 0,
     branch_cross_sign},
    {"anchor", "Intermediate CA under two trusted roots, Root A's own certificate",
     CP_F_ANCHOR_EXPIRY, branch_anchor},
};

static int describe_branch(const char *gname, int level, const struct va_window *w,
                           const struct va_branch *b, bool bad_first, struct va_slot *slot)
{
    fa_list_clear(&slot->sent);
    fa_push(&slot->sent, FA_LEAF);
    if (b->other_first)
        fa_push(&slot->sent, b->other);
    fa_push(&slot->sent, bad_first ? b->bad : b->good);
    fa_push(&slot->sent, bad_first ? b->good : b->bad);
    if (!b->other_first)
        fa_push(&slot->sent, b->other);
    int rc =
        fa_fmt(slot->id, sizeof(slot->id), "%s/%s", gname, bad_first ? "bad-first" : "bad-second");
    if (!rc)
        rc = fa_fmt(slot->summary, sizeof(slot->summary), "%s %s; that branch sent %s",
                    va_branch_levels[level].words, w->words, bad_first ? "first" : "second");
    return rc;
}

static int emit_branch(struct cp_model *m, int level, const struct va_window *w)
{
    char gname[CP_ID_MAX];
    struct va_slot slots[2];
    struct fa_scenario s[2];
    int rc = fa_fmt(gname, sizeof(gname), "validity/branch/%s-%s", va_branch_levels[level].name,
                    w->name);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG;
    struct va_branch b;
    va_branch_levels[level].build(g, w, &b);

    for (int i = 0; i < 2 && !rc; i++) {
        rc = describe_branch(gname, level, w, &b, i == 0, &slots[i]);
        s[i] = (struct fa_scenario){
            .id = slots[i].id,
            .summary = slots[i].summary,
            .anchors = b.anchors,
            .nanchors = b.nanchors,
            .sent = &slots[i].sent,
            .features =
                CP_F_BRANCHING | CP_F_EXPIRY | va_branch_levels[level].features | w->features,
        };
    }
    if (rc)
        return rc;
    struct fa_graph fg;
    fa_graph_init(&fg, g, b.leaf);
    rc = fa_emit(m, &fg, s, 2);
    fa_graph_free(&fg);
    return rc;
}

int cp_family_validity(struct cp_model *m)
{
    int rc = 0;
    for (size_t w = 0; w < CP_ARRAY_LEN(va_windows) && !rc; w++) {
        for (int t = 0; t < (int)CP_ARRAY_LEN(va_chain_targets) && !rc; t++)
            rc = emit_chain(m, t, &va_windows[w]);
        if (!rc)
            rc = emit_anchor(m, &va_windows[w]);
        for (int l = 0; l < (int)CP_ARRAY_LEN(va_branch_levels) && !rc; l++)
            rc = emit_branch(m, l, &va_windows[w]);
    }
    return rc;
}
