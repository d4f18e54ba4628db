/*
 * test_bettertls.c - the bettertls family against Netflix BetterTLS's path-building suite as
 * shared/reference/bettertls-pathbuilding.md describes it: the 81 cases in BetterTLS's
 * numbering, each in three send orders; the expected answer of every case (a table read off the
 * reference, not computed by the oracle); the send orders; the defects on the marked edges;
 * and the paths the reference names.
 */
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define BT_NCASES 81
#define BT_NORDERS 3
#define BT_NDEFECTS 6

static const char *const bt_orders[BT_NORDERS] = {"declared", "reversed", "shuffled"};

/* BetterTLS's expected answer per case number, from the reference's case table: 'A' accept
 * (a path from the anchor to the target over unmarked edges), 'R' reject. */
static const char bt_expected[BT_NCASES + 1] =
    "A"      /* 0: sanity, LINEAR, nothing marked */
    "AA"     /* 1-2: branching probes, TWO_ROOTS trusting Root1, then Root2 */
    "RRRRRR" /* 3-8: defect probes, LINEAR, Trust Anchor->ICA marked */
    "A"      /* 9: LINEAR, Trust Anchor -> EE, nothing marked */
    "RRRRRR" /* 10-15: LINEAR, Trust Anchor -> EE, Trust Anchor->ICA marked */
    "AAAAAA" /* 16-21: LINEAR, ICA -> EE (ICA is the anchor), Trust Anchor->ICA marked */
    "A"      /* 22: TWO_ROOTS, Root1 -> EE, nothing marked */
    "A"      /* 23: TWO_ROOTS, Root2 -> EE, nothing marked */
    "AAAAAA" /* 24-29: TWO_ROOTS, Root1 -> EE, Root2->ICA marked */
    "AAAAAA" /* 30-35: TWO_ROOTS, Root2 -> EE, Root1->ICA marked */
    "RRRRRR" /* 36-41: TWO_ROOTS, Root1 -> EE, Root1->ICA marked */
    "RRRRRR" /* 42-47: TWO_ROOTS, Root2 -> EE, Root2->ICA marked */
    "A"      /* 48: FIGURE_SEVEN, nothing marked */
    "AAAAAA" /* 49-54: FIGURE_SEVEN, Trust Anchor->C and A->B marked (TA>A>C>B>EE) */
    "AAAAAA" /* 55-60: FIGURE_SEVEN, Trust Anchor->A and C->B marked (TA>C>A>B>EE) */
    "A"      /* 61: BRIDGE, TA Z -> D, nothing marked */
    "A"      /* 62: BRIDGE, TA Z -> EE, nothing marked */
    "AAAAAA" /* 63-68: BRIDGE, TA Z -> EE, TA X->Bridge CA marked (irrelevant direction) */
    "RRRRRR" /* 69-74: BRIDGE, TA Z -> EE, Bridge CA->TA X marked */
    "RRRRRR" /* 75-80: BRIDGE, TA Z -> EE, TA Z->Bridge CA marked */
    ;

/* The first case number of each block of six (one per defect, in the reference's order). */
static const int bt_marked_first[] = {3, 10, 16, 24, 30, 36, 42, 49, 55, 63, 69, 75};

enum { BT_EXPIRED, BT_NAME_CONSTRAINTS, BT_BAD_EKU, BT_MISSING_BC, BT_NOT_CA, BT_SHA1 };

/* The reason the oracle must give for a path through a certificate with each defect. */
static const enum cp_reason bt_defect_reason[BT_NDEFECTS] = {
    [BT_EXPIRED] = CP_R_EXPIRED, [BT_NAME_CONSTRAINTS] = CP_R_NAME_CONSTRAINTS,
    [BT_BAD_EKU] = CP_R_EKU_CA,  [BT_MISSING_BC] = CP_R_NO_BASIC_CONSTRAINTS,
    [BT_NOT_CA] = CP_R_NOT_CA,   [BT_SHA1] = CP_R_SHA1,
};

static const uint64_t bt_defect_feature[BT_NDEFECTS] = {
    [BT_EXPIRED] = CP_F_EXPIRY,           [BT_NAME_CONSTRAINTS] = CP_F_NAME_CONSTRAINTS,
    [BT_BAD_EKU] = CP_F_EKU_ON_CA,        [BT_MISSING_BC] = CP_F_BASIC_CONSTRAINTS,
    [BT_NOT_CA] = CP_F_BASIC_CONSTRAINTS, [BT_SHA1] = CP_F_DISTRUST_SHA1,
};

/* BRIDGE's 36 edges in the reference's declaration order. */
static const char *const bt_bridge_labels[] = {
    "F->H",
    "F->G",
    "G->F",
    "H->I",
    "I->H",
    "G->I",
    "TA W->F",
    "TA W->G",
    "J->K",
    "N->EE",
    "L->N",
    "L->M",
    "TA X->J",
    "TA X->L",
    "B->E",
    "B->D",
    "A->B",
    "C->B",
    "A->C",
    "C->A",
    "TA Y->A",
    "TA Y->C",
    "R->S",
    "O->R",
    "O->Q",
    "P->S",
    "TA Z->O",
    "TA Z->P",
    "TA W->Bridge CA",
    "Bridge CA->TA W",
    "TA X->Bridge CA",
    "Bridge CA->TA X",
    "TA Y->Bridge CA",
    "Bridge CA->TA Y",
    "TA Z->Bridge CA",
    "Bridge CA->TA Z",
};

static struct cp_model model;

static void build(void)
{
    cp_model_init(&model);
    int rc = cp_generator_build(&model, (const char *[]){"bettertls"}, 1);
    cr_assert_eq(rc, 0, "building the bettertls family failed: %s", cp_error_msg(rc));
}

static void release(void)
{
    cp_model_free(&model);
}

TestSuite(bettertls, .init = build, .fini = release);

/* The defect of case n, or -1 when nothing is marked. */
static int bt_defect(int n)
{
    for (size_t i = 0; i < CP_ARRAY_LEN(bt_marked_first); i++) {
        if (n >= bt_marked_first[i] && n < bt_marked_first[i] + BT_NDEFECTS)
            return n - bt_marked_first[i];
    }
    return -1;
}

/* BetterTLS's number, read from the summary ("BetterTLS #30: ..."); -1 when absent. */
static int bt_number(const struct cp_case *c)
{
    static const char prefix[] = "BetterTLS #";
    if (strncmp(c->description, prefix, sizeof(prefix) - 1) != 0)
        return -1;
    char *end;
    long n = strtol(c->description + sizeof(prefix) - 1, &end, 10);
    return end != c->description + sizeof(prefix) - 1 && n >= 0 && n < BT_NCASES ? (int)n : -1;
}

/* The order index of a case from its id's last segment; -1 when it has none of the three. */
static int bt_order(const struct cp_case *c)
{
    const char *slash = strrchr(c->id, '/');
    for (int o = 0; slash && o < BT_NORDERS; o++) {
        if (strcmp(slash + 1, bt_orders[o]) == 0)
            return o;
    }
    return -1;
}

static const struct cp_case *bt_find(int n, int order)
{
    for (int i = 0; i < model.ncases; i++) {
        if (bt_number(&model.cases[i]) == n && bt_order(&model.cases[i]) == order)
            return &model.cases[i];
    }
    cr_assert_fail("no case BetterTLS #%d in %s order", n, bt_orders[order]);
    return NULL;
}

static const struct cp_graph *bt_graph(const struct cp_case *c)
{
    return &model.graphs[c->graph];
}

static const char *bt_label(const struct cp_case *c, int cert)
{
    return bt_graph(c)->certs[cert].label;
}

static bool bt_accepts(const struct cp_case *c, enum cp_profile p)
{
    return c->expect[p].outcome == CP_OUTCOME_ACCEPT;
}

/* Checks the case's sent list against labels, in order. */
static void bt_expect_sent(const struct cp_case *c, const char *const *labels, int n)
{
    cr_assert_eq(c->nsent, n, "%s: sends %d certificates, not %d", c->id, c->nsent, n);
    for (int i = 0; i < n; i++)
        cr_expect_str_eq(bt_label(c, c->sent[i]), labels[i], "%s: sent[%d] is %s, not %s", c->id, i,
                         bt_label(c, c->sent[i]), labels[i]);
}

/* Checks that the case under profile p has exactly one valid path, with these labels. */
static void bt_expect_only_path(const struct cp_case *c, enum cp_profile p,
                                const char *const *labels, int n)
{
    const struct cp_expect *e = &c->expect[p];
    cr_assert_eq(e->paths_all, 1, "%s (%s): %ld valid paths, expected exactly one", c->id,
                 cp_profile_name(p), e->paths_all);
    cr_assert_eq(e->paths[0].len, n, "%s (%s): the path has %d certificates, not %d", c->id,
                 cp_profile_name(p), e->paths[0].len, n);
    for (int i = 0; i < n; i++)
        cr_expect_str_eq(bt_label(c, e->paths[0].certs[i]), labels[i],
                         "%s (%s): path[%d] is %s, not %s", c->id, cp_profile_name(p), i,
                         bt_label(c, e->paths[0].certs[i]), labels[i]);
}

Test(bettertls, counts_81_cases_in_each_of_3_orders)
{
    cr_assert_eq(model.ncases, BT_NCASES * BT_NORDERS, "%d cases, not %d", model.ncases,
                 BT_NCASES * BT_NORDERS);
    /* One graph per BetterTLS case: a defect lives on the graph's certificates. */
    cr_expect_eq(model.ngraphs, BT_NCASES, "%d graphs, not %d", model.ngraphs, BT_NCASES);
    int seen[BT_NCASES][BT_NORDERS] = {{0}};
    for (int i = 0; i < model.ncases; i++) {
        const struct cp_case *c = &model.cases[i];
        int n = bt_number(c), o = bt_order(c);
        cr_expect_str_eq(c->family, "bettertls", "%s: family %s", c->id, c->family);
        cr_assert(n >= 0, "%s: the summary carries no BetterTLS number: %s", c->id, c->description);
        cr_assert(o >= 0, "%s: the id does not end with an order", c->id);
        seen[n][o]++;
    }
    for (int n = 0; n < BT_NCASES; n++) {
        for (int o = 0; o < BT_NORDERS; o++)
            cr_expect_eq(seen[n][o], 1, "BetterTLS #%d appears %d times in %s order", n, seen[n][o],
                         bt_orders[o]);
    }
}

Test(bettertls, ids_are_unique_and_readable)
{
    for (int i = 0; i < model.ncases; i++) {
        cr_expect(strncmp(model.cases[i].id, "bettertls/", 10) == 0, "%s: not under bettertls/",
                  model.cases[i].id);
        for (int j = i + 1; j < model.ncases; j++)
            cr_expect_str_neq(model.cases[i].id, model.cases[j].id, "two cases are %s",
                              model.cases[i].id);
    }
    /* The scheme, on a few cases (the README names #30's declared case). */
    cr_expect_str_eq(bt_find(30, 0)->id, "bettertls/two-roots/root2/root1-cross-expired/declared");
    cr_expect_str_eq(bt_find(0, 0)->id, "bettertls/linear/ta/sanity/declared");
    cr_expect_str_eq(bt_find(2, 1)->id, "bettertls/two-roots/root2/probe-branching/reversed");
    cr_expect_str_eq(bt_find(8, 0)->id, "bettertls/linear/ta/probe-sha1/declared");
    cr_expect_str_eq(bt_find(73, 1)->id, "bettertls/bridge/ta-z-ee/bridge-ta-x-not-ca/reversed");
    cr_expect_str_eq(bt_find(61, 2)->id, "bettertls/bridge/ta-z-d/none/shuffled");
    const char *s = bt_find(30, 0)->description;
    const char *want = "BetterTLS #30: TWO_ROOTS trusting Root2, target EE, Root1->ICA expired "
                       "(declared order).";
    cr_expect(strncmp(s, want, strlen(want)) == 0, "#30's summary: %s", s);
}

/* The heart of the family: under webpki, every case gives BetterTLS's answer. The send order
 * changes nothing for a path builder, so the reversed and shuffled cases must agree too. */
Test(bettertls, webpki_gives_bettertls_answer_on_every_case)
{
    for (int n = 0; n < BT_NCASES; n++) {
        bool want = bt_expected[n] == 'A';
        for (int o = 0; o < BT_NORDERS; o++) {
            const struct cp_case *c = bt_find(n, o);
            cr_expect_eq(bt_accepts(c, CP_PROFILE_WEBPKI), want,
                         "BetterTLS #%d (%s): webpki %s, BetterTLS expects %s", n, c->id,
                         bt_accepts(c, CP_PROFILE_WEBPKI) ? "accepts" : "rejects",
                         want ? "accept" : "reject");
        }
    }
}

/* RFC 5280 ignores EKU in CA certificates and allows SHA-1 (see oracle.c), so a case whose
 * only fault is one of those two is accepted there; every other answer is BetterTLS's. */
Test(bettertls, rfc5280_accepts_eku_and_sha1_variants)
{
    for (int n = 0; n < BT_NCASES; n++) {
        int d = bt_defect(n);
        bool want = bt_expected[n] == 'A' || d == BT_BAD_EKU || d == BT_SHA1;
        const struct cp_case *c = bt_find(n, 0);
        cr_expect_eq(bt_accepts(c, CP_PROFILE_RFC5280), want,
                     "BetterTLS #%d (%s): rfc5280 %s, expected %s", n, c->id,
                     bt_accepts(c, CP_PROFILE_RFC5280) ? "accepts" : "rejects",
                     want ? "accept" : "reject");
    }
}

Test(bettertls, declared_send_orders_follow_the_reference)
{
    static const char *const linear[] = {"ICA->EE", "Trust Anchor->ICA"};
    static const char *const two_roots[] = {"ICA->EE", "Root1->ICA", "Root2->ICA"};
    static const char *const figure_seven[] = {
        "B->EE", "C->B", "A->B", "C->A", "A->C", "Trust Anchor->C", "Trust Anchor->A"};
    bt_expect_sent(bt_find(9, 0), linear, 2);
    bt_expect_sent(bt_find(16, 0), linear, 2);
    bt_expect_sent(bt_find(1, 0), two_roots, 3);
    bt_expect_sent(bt_find(30, 0), two_roots, 3);
    bt_expect_sent(bt_find(48, 0), figure_seven, 7);

    /* BRIDGE: the target's edge first, then the other 35 in declaration order. */
    const int targets[] = {62, 61};
    const char *const leaves[] = {"N->EE", "B->D"};
    for (int t = 0; t < 2; t++) {
        const char *want[CP_ARRAY_LEN(bt_bridge_labels)];
        int k = 0;
        want[k++] = leaves[t];
        for (size_t i = 0; i < CP_ARRAY_LEN(bt_bridge_labels); i++) {
            if (strcmp(bt_bridge_labels[i], leaves[t]) != 0)
                want[k++] = bt_bridge_labels[i];
        }
        cr_assert_eq(k, 36, "BRIDGE has %d edges, not 36", k);
        bt_expect_sent(bt_find(targets[t], 0), want, k);
    }
}

/* Reversed keeps the leaf first and reverses the rest; shuffled is a permutation of the same
 * certificates, leaf first. Anchors' own certificates are never sent. */
Test(bettertls, other_orders_permute_the_declared_one)
{
    for (int n = 0; n < BT_NCASES; n++) {
        const struct cp_case *d = bt_find(n, 0), *r = bt_find(n, 1), *s = bt_find(n, 2);
        cr_assert(d->nsent == r->nsent && d->nsent == s->nsent, "BetterTLS #%d: sent lengths", n);
        cr_expect(d->graph == r->graph && d->graph == s->graph,
                  "BetterTLS #%d: its orders are on different graphs", n);
        cr_expect(r->sent[0] == d->leaf && s->sent[0] == d->leaf, "BetterTLS #%d: leaf first", n);
        int count[CP_MAX_SENT] = {0};
        for (int i = 0; i < d->nsent; i++) {
            if (i > 0)
                cr_expect_eq(r->sent[i], d->sent[d->nsent - i], "%s: sent[%d]", r->id, i);
            const struct cp_cert *x = &bt_graph(d)->certs[d->sent[i]];
            cr_expect_neq(x->issuer, x->subject, "%s sends a self-signed %s", d->id, x->label);
            count[d->sent[i]]++;
            count[s->sent[i]]--;
        }
        for (int i = 0; i < CP_MAX_SENT; i++)
            cr_expect_eq(count[i], 0, "%s is not a permutation of %s", s->id, d->id);
    }
}

/* Every certificate has the model's default profile except the marked edges, which carry
 * exactly their defect. */
Test(bettertls, defects_sit_on_the_marked_edges_only)
{
    int marked_count = 0;
    for (int n = 0; n < BT_NCASES; n++) {
        const struct cp_case *c = bt_find(n, 0);
        const struct cp_graph *g = bt_graph(c);
        int d = bt_defect(n), with = 0;
        for (int i = 0; i < g->ncerts; i++) {
            char why[256];
            with += cp_cert_describe_defects(g, &g->certs[i], why, sizeof(why)) > 0;
        }
        int want = d < 0 ? 0 : strstr(c->id, "figure-seven") ? 2 : 1;
        cr_expect_eq(with, want, "%s: %d certificates differ from the default profile, not %d",
                     c->id, with, want);
        marked_count += with;
    }
    cr_expect_eq(marked_count, 12 * BT_NDEFECTS + 2 * BT_NDEFECTS, "marked certificates");

    /* The probes 3-8 mark Trust Anchor->ICA with each defect in turn. */
    const struct cp_cert *x[BT_NDEFECTS];
    for (int d = 0; d < BT_NDEFECTS; d++) {
        const struct cp_case *c = bt_find(3 + d, 0);
        int k = cp_graph_find(bt_graph(c), "Trust Anchor->ICA");
        cr_assert_geq(k, 0, "%s: no Trust Anchor->ICA", c->id);
        x[d] = &bt_graph(c)->certs[k];
    }
    cr_expect(x[BT_EXPIRED]->not_before == -24 * CP_HOUR && x[BT_EXPIRED]->not_after == -CP_HOUR,
              "expired: window %lld..%lld", (long long)x[BT_EXPIRED]->not_before,
              (long long)x[BT_EXPIRED]->not_after);
    cr_expect(x[BT_NAME_CONSTRAINTS]->npermitted == 1 &&
                  strcmp(x[BT_NAME_CONSTRAINTS]->nc_permitted[0], "bad.example.com") == 0 &&
                  !x[BT_NAME_CONSTRAINTS]->nc_noncritical,
              "name constraints: not a critical permit of bad.example.com only");
    cr_expect_eq(x[BT_BAD_EKU]->eku, CP_EKU_EMAIL, "bad EKU: eku 0x%x", x[BT_BAD_EKU]->eku);
    cr_expect(x[BT_MISSING_BC]->bc == CP_BC_ABSENT &&
                  (x[BT_MISSING_BC]->key_usage & CP_KU_KEY_CERT_SIGN),
              "missing basic constraints: bc %d, keyUsage 0x%x", x[BT_MISSING_BC]->bc,
              x[BT_MISSING_BC]->key_usage);
    cr_expect(x[BT_NOT_CA]->bc == CP_BC_NOT_CA && x[BT_NOT_CA]->ski == CP_KID_ABSENT &&
                  (x[BT_NOT_CA]->key_usage & CP_KU_KEY_CERT_SIGN),
              "not a CA: bc %d, ski %d", x[BT_NOT_CA]->bc, x[BT_NOT_CA]->ski);
    cr_expect_eq(x[BT_SHA1]->sig_alg, CP_SIG_SHA1, "deprecated crypto: sig_alg %d",
                 x[BT_SHA1]->sig_alg);
}

/* Cases 16-21: the ICA itself is the anchor, so the bad certificate above it is never needed:
 * the path is the leaf and the ICA's own certificate (RFC 5280 6.1.1 (d): the anchor is where
 * the path starts, whatever signed it). */
Test(bettertls, ica_as_anchor_ignores_the_bad_certificate_above)
{
    static const char *const path[] = {"ICA->EE", "ICA"};
    for (int n = 16; n <= 21; n++) {
        const struct cp_case *c = bt_find(n, 0);
        cr_assert_eq(c->nanchors, 1, "%s: anchors", c->id);
        cr_expect_str_eq(bt_graph(c)->entities[c->anchors[0]].label, "ICA", "%s: anchor", c->id);
        for (int p = 0; p < CP_PROFILE_COUNT; p++)
            bt_expect_only_path(c, (enum cp_profile)p, path, 2);
    }
}

/* When the only certificate toward the trusted root carries the defect (LINEAR 3-8 and 10-15,
 * TWO_ROOTS 36-47, BRIDGE 69-80), webpki rejects, and the defect is among the reasons. */
Test(bettertls, reject_when_the_only_way_to_the_anchor_is_bad)
{
    static const int blocks[] = {3, 10, 36, 42, 69, 75};
    for (size_t b = 0; b < CP_ARRAY_LEN(blocks); b++) {
        for (int d = 0; d < BT_NDEFECTS; d++) {
            const struct cp_case *c = bt_find(blocks[b] + d, 0);
            const struct cp_expect *e = &c->expect[CP_PROFILE_WEBPKI];
            cr_expect_eq(e->outcome, CP_OUTCOME_REJECT, "%s: webpki accepts", c->id);
            cr_expect(e->reasons & (UINT64_C(1) << bt_defect_reason[d]),
                      "%s: %s is not among the reasons", c->id,
                      cp_reason_name(bt_defect_reason[d]));
        }
    }
    /* In TWO_ROOTS the rejected candidate is the marked cross-sign itself. */
    for (int d = 0; d < BT_NDEFECTS; d++) {
        const struct cp_case *c = bt_find(36 + d, 0);
        const struct cp_expect *e = &c->expect[CP_PROFILE_WEBPKI];
        bool found = false;
        for (int i = 0; i < e->nrejected && !found; i++)
            found = e->rejected[i].reason == bt_defect_reason[d] &&
                    strcmp(bt_label(c, e->rejected[i].at), "Root1->ICA") == 0;
        cr_expect(found, "%s: Root1->ICA is not rejected for %s", c->id,
                  cp_reason_name(bt_defect_reason[d]));
    }
}

/* TWO_ROOTS with the other root's cross-sign bad (24-35): the path goes through the good one. */
Test(bettertls, two_roots_take_the_good_cross_sign)
{
    static const char *const via_root1[] = {"ICA->EE", "Root1->ICA", "Root1"};
    static const char *const via_root2[] = {"ICA->EE", "Root2->ICA", "Root2"};
    for (int d = 0; d < BT_NDEFECTS; d++) {
        bt_expect_only_path(bt_find(24 + d, 0), CP_PROFILE_WEBPKI, via_root1, 3);
        bt_expect_only_path(bt_find(30 + d, 0), CP_PROFILE_WEBPKI, via_root2, 3);
    }
}

/* FIGURE_SEVEN: with two edges marked, exactly the path the reference names is left, in every
 * order, under webpki (and under rfc5280 for the defects it also refuses). */
Test(bettertls, figure_seven_accepts_via_the_named_paths)
{
    /* TA>A>C>B>EE, leaf first. */
    static const char *const tacb[] = {"B->EE", "C->B", "A->C", "Trust Anchor->A", "Trust Anchor"};
    /* TA>C>A>B>EE, leaf first. */
    static const char *const tcab[] = {"B->EE", "A->B", "C->A", "Trust Anchor->C", "Trust Anchor"};
    for (int d = 0; d < BT_NDEFECTS; d++) {
        for (int o = 0; o < BT_NORDERS; o++) {
            bt_expect_only_path(bt_find(49 + d, o), CP_PROFILE_WEBPKI, tacb, 5);
            bt_expect_only_path(bt_find(55 + d, o), CP_PROFILE_WEBPKI, tcab, 5);
            if (d != BT_BAD_EKU && d != BT_SHA1) {
                bt_expect_only_path(bt_find(49 + d, o), CP_PROFILE_RFC5280, tacb, 5);
                bt_expect_only_path(bt_find(55 + d, o), CP_PROFILE_RFC5280, tcab, 5);
            }
        }
    }
    /* Nothing marked: B has two issuers and each reaches the anchor directly or through the
     * other, so four paths. */
    cr_expect_eq(bt_find(48, 0)->expect[CP_PROFILE_WEBPKI].paths_all, 4, "#48: paths");
}

/* BRIDGE, TA Z -> EE: the one way up is N, L, TA X, the bridge and TA Z; the bridge's
 * certificate issued by TA X points the other way and is never needed (63-68). */
Test(bettertls, bridge_goes_through_the_bridge_ca)
{
    static const char *const path[] = {"N->EE",           "L->N", "TA X->L", "Bridge CA->TA X",
                                       "TA Z->Bridge CA", "TA Z"};
    bt_expect_only_path(bt_find(62, 0), CP_PROFILE_WEBPKI, path, 6);
    for (int d = 0; d < BT_NDEFECTS; d++)
        bt_expect_only_path(bt_find(63 + d, 0), CP_PROFILE_WEBPKI, path, 6);
    const struct cp_case *c = bt_find(61, 0);
    cr_expect_str_eq(bt_label(c, c->leaf), "B->D", "#61: the target");
    cr_expect(bt_graph(c)->certs[c->leaf].is_leaf, "#61: B->D is not a leaf certificate");
    cr_expect_eq(bt_graph(c)->nentities, 25, "#61: BRIDGE has %d entities, not 25",
                 bt_graph(c)->nentities);
    const struct cp_case *e = bt_find(62, 0);
    int d = cp_graph_find(bt_graph(e), "B->D");
    cr_assert_geq(d, 0, "#62: no B->D");
    cr_expect(!bt_graph(e)->certs[d].is_leaf, "#62: D is a CA below B when EE is the target");
}

/* Features follow the graph, the defect and the order; probes are cases 1-8 as declared. */
Test(bettertls, features_and_probes)
{
    for (int i = 0; i < model.ncases; i++) {
        const struct cp_case *c = &model.cases[i];
        int n = bt_number(c), o = bt_order(c), d = bt_defect(n);
        uint64_t want = 0;
        if (!strstr(c->id, "/linear/"))
            want |= CP_F_BRANCHING;
        if (strstr(c->id, "/figure-seven/") || strstr(c->id, "/bridge/"))
            want |= CP_F_CYCLES;
        if (d >= 0)
            want |= bt_defect_feature[d];
        if (o != 0)
            want |= CP_F_ORDERING;
        cr_expect_eq(c->features, want, "%s: features 0x%llx, expected 0x%llx", c->id,
                     (unsigned long long)c->features, (unsigned long long)want);
        cr_expect_eq(c->probe, n >= 1 && n <= 8 && o == 0, "%s: probe %d", c->id, c->probe);
    }
}
