/*
 * test_families_ordering.c - the ordering, incidents and validity families: how many cases they
 * make, that the cases are distinct and well tagged, and a set of expectations worked out by hand
 * (each comment says why, per RFC 5280, RFC 4158, RFC 8446 or the profile in oracle.c).
 */
#include "cp_generator_internal.h"
#include "cp_suite_internal.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *const fa_family_names[] = {"ordering", "incidents", "validity"};

/* The targets the families were written to: each case distinct. */
static const struct {
    const char *family;
    int min_cases;
} fa_targets[] = {{"ordering", 200}, {"incidents", 80}, {"validity", 250}};

static struct cp_model model;

static void build(void)
{
    cp_model_init(&model);
    int rc = cp_generator_build(&model, fa_family_names, (int)CP_ARRAY_LEN(fa_family_names));
    cr_assert_eq(rc, 0, "building the model failed: %s", cp_error_msg(rc));
}

static void release(void)
{
    cp_model_free(&model);
}

TestSuite(families_a, .init = build, .fini = release);

static const struct cp_case *find_case(const char *id)
{
    const struct cp_case *c = cp_model_find(&model, id);
    cr_assert_not_null(c, "no case %s", id);
    return c;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

Test(families_a, case_counts_meet_targets)
{
    for (size_t f = 0; f < CP_ARRAY_LEN(fa_targets); f++) {
        int n = 0;
        for (int i = 0; i < model.ncases; i++)
            n += strcmp(model.cases[i].family, fa_targets[f].family) == 0;
        cr_log_info("%s: %d cases", fa_targets[f].family, n);
        cr_expect_geq(n, fa_targets[f].min_cases, "%s makes %d cases, fewer than %d",
                      fa_targets[f].family, n, fa_targets[f].min_cases);
    }
}

/* Distinct by what a client sees (distinct.c): no two cases are the same test under two
 * names, which the order deduplication in scenarios.c is there to guarantee. */
Test(families_a, cases_are_distinct)
{
    cr_expect_eq(cp_model_count_distinct(&model), model.ncases);
}

Test(families_a, ids_are_unique_and_named_by_family)
{
    for (int i = 0; i < model.ncases; i++) {
        const struct cp_case *c = &model.cases[i];
        size_t n = strlen(c->family);
        cr_expect(strncmp(c->id, c->family, n) == 0 && c->id[n] == '/',
                  "case %s does not start with its family %s", c->id, c->family);
        cr_expect(has_suffix(c->id, "/declared") || has_suffix(c->id, "/reversed") ||
                      has_suffix(c->id, "/shuffled"),
                  "case %s does not end with its order", c->id);
        for (int j = i + 1; j < model.ncases; j++)
            cr_expect_str_neq(c->id, model.cases[j].id);
    }
}

/* Feature tags follow from the scenario: a client that cannot reorder fails the reversed and
 * shuffled cases, so those need "ordering"; every validity case tests date handling. */
Test(families_a, features_fit_the_cases)
{
    for (int i = 0; i < model.ncases; i++) {
        const struct cp_case *c = &model.cases[i];
        if (!has_suffix(c->id, "/declared"))
            cr_expect(c->features & CP_F_ORDERING, "%s lacks the ordering feature", c->id);
        if (strcmp(c->family, "validity") == 0)
            cr_expect(c->features & CP_F_EXPIRY, "%s lacks the expiry feature", c->id);
        if (strcmp(c->family, "incidents") == 0)
            cr_expect(c->features & CP_F_RSA, "%s lacks the rsa feature", c->id);
        if (strstr(c->id, "/missing-"))
            cr_expect(c->features & CP_F_MISSING_ISSUER, "%s lacks missing-issuer", c->id);
    }
}

/* Each feature these families own has a simple probe case. */
Test(families_a, probes_cover_the_features)
{
    static const uint64_t wanted[] = {CP_F_ORDERING,       CP_F_DUPLICATES, CP_F_EXTRAS,
                                      CP_F_MISSING_ISSUER, CP_F_EXPIRY,     CP_F_ANCHOR_EXPIRY};
    for (size_t w = 0; w < CP_ARRAY_LEN(wanted); w++) {
        bool found = false;
        for (int i = 0; i < model.ncases && !found; i++)
            found = model.cases[i].probe && (model.cases[i].features & wanted[w]);
        cr_expect(found, "no probe for feature %s", cp_feature_name(__builtin_ctzll(wanted[w])));
    }
}

/* Nothing in these families depends on a profile choice except the anchor's own validity
 * (SHA-1, EKU and name constraints do not occur), so the profiles may disagree only there. */
Test(families_a, profiles_differ_only_on_anchor_validity)
{
    for (int i = 0; i < model.ncases; i++) {
        const struct cp_case *c = &model.cases[i];
        if (c->expect[CP_PROFILE_RFC5280].outcome != c->expect[CP_PROFILE_WEBPKI].outcome)
            cr_expect(c->features & CP_F_ANCHOR_EXPIRY,
                      "%s: profiles differ without an "
                      "anchor-expiry reason",
                      c->id);
    }
}

/* RFC 8446 4.4.2 lets a client take the certificates after the leaf in any order, duplicates
 * and unrelated ones included, and RFC 4158 builds from that pool: an ordering case fails only
 * when an intermediate is missing, and then for want of an issuer (no AIA to fetch it). */
Test(families_a, ordering_rejects_only_missing_intermediates)
{
    for (int i = 0; i < model.ncases; i++) {
        const struct cp_case *c = &model.cases[i];
        if (strcmp(c->family, "ordering") != 0)
            continue;
        bool missing = strstr(c->id, "/missing-") != NULL;
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            const struct cp_expect *e = &c->expect[p];
            cr_expect_eq(e->outcome, missing ? CP_OUTCOME_REJECT : CP_OUTCOME_ACCEPT, "%s (%s)",
                         c->id, cp_profile_name((enum cp_profile)p));
            if (missing)
                cr_expect_eq(e->reasons, UINT64_C(1) << CP_R_NO_ISSUER, "%s", c->id);
        }
    }
}

/* One profile's expectation: outcome, valid paths found, and a reason that must be among those
 * recorded (CP_R_NONE: no reason at all may be recorded). */
struct fa_want {
    enum cp_outcome outcome;
    long npaths;
    enum cp_reason reason;
};

#define ACCEPT(n)                                                                                  \
    {                                                                                              \
        CP_OUTCOME_ACCEPT, (n), CP_R_NONE                                                          \
    }
#define ACCEPT_DESPITE(n, r)                                                                       \
    {                                                                                              \
        CP_OUTCOME_ACCEPT, (n), (r)                                                                \
    }
#define REJECT(r)                                                                                  \
    {                                                                                              \
        CP_OUTCOME_REJECT, 0, (r)                                                                  \
    }

static const struct {
    const char *id;
    struct fa_want want[CP_PROFILE_COUNT]; /* rfc5280, webpki */
} fa_expectations[] = {
    /* The intermediates after the leaf, top first: RFC 8446 4.4.2 allows any order. */
    {"ordering/depth3/plain/reversed", {ACCEPT(1), ACCEPT(1)}},
    /* Leaf twice, chain twice, an unrelated hierarchy and the root, shuffled: the pool still
     * holds exactly one path, and the duplicates and extras add none. */
    {"ordering/depth6/kitchen-sink/shuffled", {ACCEPT(1), ACCEPT(1)}},
    /* Depth 1: the anchor issued the leaf, nothing else is needed. */
    {"ordering/depth1/plain/declared", {ACCEPT(1), ACCEPT(1)}},
    /* Intermediate CA 1 (issued by the root) is not sent and cannot be fetched: no issuer for
     * Intermediate CA 2. */
    {"ordering/depth3/missing-top/declared", {REJECT(CP_R_NO_ISSUER), REJECT(CP_R_NO_ISSUER)}},
    {"ordering/depth4/missing-middle/declared", {REJECT(CP_R_NO_ISSUER), REJECT(CP_R_NO_ISSUER)}},
    /* The root's self-signed certificate does not stand in for the intermediate it issued. */
    {"ordering/depth4/missing-with-root/declared",
     {REJECT(CP_R_NO_ISSUER), REJECT(CP_R_NO_ISSUER)}},
    /* Old Android: DST Root CA X3 trusted, its certificate expired, the cross-sign it made for
     * ISRG Root X1 valid. RFC 5280 6.1.1 (d) takes the anchor as a name and key: accept. The
     * Web PKI profile refuses the expired anchor certificate. */
    {"incidents/le-2021/trust-dst/long-chain/declared", {ACCEPT(1), REJECT(CP_R_ANCHOR_EXPIRED)}},
    /* Trusting ISRG Root X1, a client must stop at it (R3's issuer) and not follow the
     * cross-sign towards DST. */
    {"incidents/le-2021/trust-isrg/long-chain/reversed", {ACCEPT(1), ACCEPT(1)}},
    /* The 2020 chain: R3 signed by DST, expired the day before the root. */
    {"incidents/le-2021/trust-dst/old-chain/declared",
     {REJECT(CP_R_EXPIRED), REJECT(CP_R_EXPIRED)}},
    /* A client trusting DST only cannot use the short chain: R3's issuer is not sent. */
    {"incidents/le-2021/trust-dst/short-chain/declared",
     {REJECT(CP_R_NO_ISSUER), REJECT(CP_R_NO_ISSUER)}},
    /* Before the expiry both R3 certificates lead to DST: two valid paths. */
    {"incidents/le-2021-before/trust-dst/old-and-new-r3/declared", {ACCEPT(2), ACCEPT(2)}},
    /* AddTrust: USERTrust RSA CA trusted, the expired cross-sign sent. Sectigo's issuer is an
     * anchor; the expired cross-sign must be ignored, not followed. */
    {"incidents/addtrust-2020/trust-usertrust/with-cross/declared", {ACCEPT(1), ACCEPT(1)}},
    /* Trusting only AddTrust, the only way up is the expired cross-sign. */
    {"incidents/addtrust-2020/trust-addtrust/with-cross/declared",
     {REJECT(CP_R_EXPIRED), REJECT(CP_R_EXPIRED)}},
    /* The same ten days earlier: everything valid. */
    {"incidents/addtrust-2020-before/trust-addtrust/with-cross/declared", {ACCEPT(1), ACCEPT(1)}},
    /* RFC 5280 4.1.2.5: notAfter is inclusive, so a leaf expiring exactly at the validation
     * time is valid, and one second earlier it is expired. */
    {"validity/chain/leaf-expires-now/declared", {ACCEPT(1), ACCEPT(1)}},
    {"validity/chain/leaf-expired-1s/declared", {REJECT(CP_R_EXPIRED), REJECT(CP_R_EXPIRED)}},
    /* notBefore is inclusive too: valid from exactly now, not valid from one second later. */
    {"validity/chain/cross-sign-starts-now/declared", {ACCEPT(1), ACCEPT(1)}},
    {"validity/chain/issuing-ca-not-yet-valid-1s/declared",
     {REJECT(CP_R_NOT_YET_VALID), REJECT(CP_R_NOT_YET_VALID)}},
    /* Past 2038 and 2050 (GeneralizedTime) is still a valid date. */
    {"validity/chain/intermediate-ca-long-lived/declared", {ACCEPT(1), ACCEPT(1)}},
    /* The anchor's own expired certificate: ignored by RFC 5280, refused by the Web PKI. */
    {"validity/anchor/expired/without-root/declared", {ACCEPT(1), REJECT(CP_R_ANCHOR_EXPIRED)}},
    /* Sending the not-yet-valid root changes nothing: under the Web PKI profile it is no usable
     * anchor and, as an intermediate, it is not yet valid either. */
    {"validity/anchor/not-yet-valid/with-root/declared",
     {ACCEPT(1), REJECT(CP_R_ANCHOR_NOT_YET_VALID)}},
    /* Two cross-signs of Cross CA, Root A's expired and sent first: RFC 4158 backtracking
     * finds the path through Root B. */
    {"validity/branch/cross-sign-expired/bad-first/shuffled",
     {ACCEPT_DESPITE(1, CP_R_EXPIRED), ACCEPT_DESPITE(1, CP_R_EXPIRED)}},
    /* A renewed intermediate next to its expired predecessor, the old one sent first. */
    {"validity/branch/intermediate-expired/bad-first/declared",
     {ACCEPT_DESPITE(1, CP_R_EXPIRED), ACCEPT_DESPITE(1, CP_R_EXPIRED)}},
    /* Two anchors, Root A's certificate expired: both paths count under RFC 5280, only the one
     * to Root B under the Web PKI profile. */
    {"validity/branch/anchor-expired/bad-first/declared",
     {ACCEPT(2), ACCEPT_DESPITE(1, CP_R_ANCHOR_EXPIRED)}},
};

static void check_want(const struct cp_case *c, enum cp_profile p, const struct fa_want *w)
{
    const struct cp_expect *e = &c->expect[p];
    const char *pn = cp_profile_name(p);
    cr_expect_eq(e->outcome, w->outcome, "%s (%s): outcome %d, want %d", c->id, pn, e->outcome,
                 w->outcome);
    cr_expect_eq(e->paths_all, w->npaths, "%s (%s): %ld paths, want %ld", c->id, pn, e->paths_all,
                 w->npaths);
    if (w->reason == CP_R_NONE)
        cr_expect_eq(e->reasons, 0, "%s (%s): unexpected reasons", c->id, pn);
    else
        cr_expect(e->reasons & (UINT64_C(1) << w->reason), "%s (%s): reason %s missing", c->id, pn,
                  cp_reason_name(w->reason));
}

Test(families_a, expectations_worked_out_by_hand)
{
    for (size_t i = 0; i < CP_ARRAY_LEN(fa_expectations); i++) {
        const struct cp_case *c = find_case(fa_expectations[i].id);
        for (int p = 0; p < CP_PROFILE_COUNT; p++)
            check_want(c, (enum cp_profile)p, &fa_expectations[i].want[p]);
    }
}

/* The long chain to DST under RFC 5280 ends at DST's own certificate, through the cross-sign. */
Test(families_a, le_2021_path_goes_through_the_cross_sign)
{
    static const char *const labels[] = {"R3->Leaf", "ISRG Root X1->R3",
                                         "DST Root CA X3->ISRG Root X1", "DST Root CA X3"};
    const struct cp_case *c = find_case("incidents/le-2021/trust-dst/long-chain/declared");
    const struct cp_graph *g = &model.graphs[c->graph];
    const struct cp_expect *e = &c->expect[CP_PROFILE_RFC5280];
    cr_assert_eq(e->npaths, 1);
    cr_assert_eq(e->paths[0].len, (int)CP_ARRAY_LEN(labels));
    for (int i = 0; i < e->paths[0].len; i++)
        cr_expect_str_eq(g->certs[e->paths[0].certs[i]].label, labels[i]);
}

/* The branch graphs send both alternatives in all six orders of their three CA certificates:
 * bad-first and bad-second, each declared, reversed and shuffled. */
Test(families_a, branch_graphs_use_every_order)
{
    const struct cp_case *c = find_case("validity/branch/cross-sign-expired/bad-second/shuffled");
    int n = 0;
    for (int i = 0; i < model.ncases; i++)
        n += model.cases[i].graph == c->graph;
    cr_expect_eq(n, 6);
}
