/*
 * test_names_beyond.c - the `names` family's cases beyond BetterTLS (names_beyond.c): every
 * case's expected outcome per profile, stated by hand with the rule that decides it (the
 * minted certificates meet a real parser in test_names_openssl).
 */
#include "cp_families.h"
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <string.h>

#define ACC CP_OUTCOME_ACCEPT
#define REJ CP_OUTCOME_REJECT

static const struct {
    const char *id; /* under names/beyond/ */
    enum cp_outcome rfc, web;
} want[] = {
    /* Anchor constraints: not trust-anchor information under rfc5280, applied under webpki. */
    {"anchor/inside", ACC, ACC},
    {"anchor/outside", ACC, REJ},
    /* Permitted subtrees intersect; a lower CA cannot widen; exclusions unite (6.1.4 (g)). */
    {"two-levels-intersect/in-both/declared", ACC, ACC},
    {"two-levels-intersect/in-both/reversed", ACC, ACC},
    {"two-levels-intersect/upper-only/declared", REJ, REJ},
    {"two-levels-intersect/upper-only/reversed", REJ, REJ},
    {"two-levels-wider-below/in-both/declared", ACC, ACC},
    {"two-levels-wider-below/in-both/reversed", ACC, ACC},
    {"two-levels-wider-below/ica-only/declared", REJ, REJ},
    {"two-levels-wider-below/ica-only/reversed", REJ, REJ},
    {"two-levels-exclusions-unite/upper-excluded/declared", REJ, REJ},
    {"two-levels-exclusions-unite/upper-excluded/reversed", REJ, REJ},
    {"two-levels-exclusions-unite/ica-excluded/declared", REJ, REJ},
    {"two-levels-exclusions-unite/ica-excluded/reversed", REJ, REJ},
    {"two-levels-exclusions-unite/neither/declared", ACC, ACC},
    {"two-levels-exclusions-unite/neither/reversed", ACC, ACC},
    /* The unconstrained second certificate of the ica gives a valid path in either order. */
    {"one-of-two-paths/excluded-on-one/declared", ACC, ACC},
    {"one-of-two-paths/excluded-on-one/reversed", ACC, ACC},
    /* Labels, not characters; every SAN entry counts. */
    {"dns-label-boundary/base", ACC, ACC},
    {"dns-label-boundary/below", ACC, ACC},
    {"dns-label-boundary/no-label-boundary", REJ, REJ},
    {"dns-label-boundary/second-name-outside", REJ, REJ},
    /* A leading dot: below the domain only. */
    {"dns-leading-dot/domain-itself", REJ, REJ},
    {"dns-leading-dot/below", ACC, ACC},
    {"dns-case/mixed-case-san", ACC, ACC},
    /* A wildcard is a string under rfc5280; under webpki one that covers an excluded name is
     * outside. */
    {"dns-wildcard/wildcard-inside", ACC, ACC},
    {"dns-wildcard/wildcard-covers-excluded", ACC, REJ},
    /* Address and mask; no cross-family match; an IP hostname needs an iPAddress entry. */
    {"ip-v4/inside", ACC, ACC},
    {"ip-v4/excluded", REJ, REJ},
    {"ip-v4/outside", REJ, REJ},
    {"ip-v4/mapped-v6", REJ, REJ},
    {"ip-v4/dns-name-spelling-the-address", REJ, REJ},
    {"ip-v6/inside", ACC, ACC},
    {"ip-v6/excluded", REJ, REJ},
    {"ip-v6/outside", REJ, REJ},
    {"ip-masks/any-v4", ACC, ACC},
    {"ip-masks/the-excluded-host", REJ, REJ},
    {"ip-masks/v6-outside-v4-only", REJ, REJ},
    /* rfc822Name: host exact, ".domain" below only, mailbox with a case-sensitive local part. */
    {"email/host", ACC, ACC},
    {"email/host-below", REJ, REJ},
    {"email/domain", ACC, ACC},
    {"email/domain-itself", REJ, REJ},
    {"email/mailbox", ACC, ACC},
    {"email/mailbox-excluded-local-part", REJ, REJ},
    /* URI: the authority's host; none, or an IP literal, violates any URI constraint. */
    {"uri/host-port-userinfo", ACC, ACC},
    {"uri/host-below", REJ, REJ},
    {"uri/domain", ACC, ACC},
    {"uri/no-host", REJ, REJ},
    {"uri/ip-host", REJ, REJ},
    /* directoryName: RDN prefix, case and spaces folded, subject and SAN alike. */
    {"dirname/subject-excluded", REJ, REJ},
    {"dirname/san-excluded", REJ, REJ},
    {"dirname/subject-and-san-fine", ACC, ACC},
    /* Criticality does not change enforcement; a leaf's own constraints constrain nothing. */
    {"noncritical/inside", ACC, ACC},
    {"noncritical/outside", REJ, REJ},
    {"on-leaf/own-constraint", ACC, ACC},
    /* An undecodable SAN is no SAN: a hostname reject, with no constraint in the graph. */
    {"malformed-san/otherName-primitive", REJ, REJ},
    /* Trailing dots. A hostname "x." is the absolute form of x (RFC 1034 3.1) and matches the
     * SAN's x. A dNSName with a trailing dot is outside preferred name syntax (RFC 5280
     * 4.2.1.6, RFC 1034 3.5): it matches no hostname, and under a dNSName constraint it cannot
     * be compared, so it violates it (4.2.1.10: process the constraint or reject); without a
     * constraint it only matches nothing. A dNSName subtree with a trailing dot names no
     * dNSName: permitted, nothing is inside; excluded, a label-by-label reading would exclude
     * nothing, but the constraint cannot be processed, so every dNSName below violates it. */
    {"dns-trailing-dot-hostname/absolute-hostname", ACC, ACC},
    {"dns-trailing-dot-san/only-name-with-dot", REJ, REJ},
    {"dns-trailing-dot-san/second-name-with-dot", REJ, REJ},
    {"dns-trailing-dot-san-unconstrained/second-name-with-dot", ACC, ACC},
    {"dns-trailing-dot-permitted/name-below", REJ, REJ},
    {"dns-trailing-dot-excluded/the-excluded-name", REJ, REJ},
    {"dns-trailing-dot-excluded/another-name", REJ, REJ},
    /* Punycode: dNSNames hold A-labels, compared as ASCII, case-insensitively and by whole
     * labels (RFC 5280 7.2, RFC 8399); another A-label is another name. */
    {"dns-punycode/a-label-inside", ACC, ACC},
    {"dns-punycode/a-label-upper-case", ACC, ACC},
    {"dns-punycode/another-a-label", REJ, REJ},
    {"dns-punycode/no-label-boundary", REJ, REJ},
    {"dns-punycode/excluded-a-label", REJ, REJ},
    /* A nameConstraints that does not decode as 4.2.1.10 defines it rejects its CA under both
     * profiles (4.2: a critical extension "that contains information that it cannot process"),
     * although its well-formed reading admits the leaf: an empty SEQUENCE (MUST NOT be
     * empty), an empty permittedSubtrees (SIZE (1..MAX)), minimum 1 (MUST be zero), maximum
     * (MUST be absent), a subtree's GeneralName that does not decode. */
    {"malformed-nc/empty-sequence/any-name", REJ, REJ},
    {"malformed-nc/empty-permitted/name-not-excluded", REJ, REJ},
    {"malformed-nc/minimum/name-inside", REJ, REJ},
    {"malformed-nc/maximum/name-inside", REJ, REJ},
    {"malformed-nc/ip-wrong-length/name-inside", REJ, REJ},
    {"malformed-nc/othername-primitive/name-inside", REJ, REJ},
};

Test(names_beyond, every_case_as_stated)
{
    static struct cp_model m;
    const char *fam[] = {"names"};
    char id[CP_ID_MAX];
    cp_model_init(&m);
    cr_assert_eq(cp_generator_build(&m, fam, 1), 0, "%s", cp_error_msg(CP_E_ARG));
    int n = 0;
    for (int i = 0; i < m.ncases; i++)
        n += strncmp(m.cases[i].id, "names/beyond/", 13) == 0;
    cr_expect_eq(n, (int)CP_ARRAY_LEN(want), "every case is in the table");
    for (size_t i = 0; i < CP_ARRAY_LEN(want); i++) {
        snprintf(id, sizeof(id), "names/beyond/%s", want[i].id);
        const struct cp_case *c = cp_model_find(&m, id);
        cr_assert_not_null(c, "no case %s", id);
        cr_expect_eq(c->expect[CP_PROFILE_RFC5280].outcome, want[i].rfc, "%s rfc5280", id);
        cr_expect_eq(c->expect[CP_PROFILE_WEBPKI].outcome, want[i].web, "%s webpki", id);
    }
    const struct cp_case *c = cp_model_find(&m, "names/beyond/malformed-san/otherName-primitive");
    cr_expect_eq(c->expect[CP_PROFILE_WEBPKI].reasons, UINT64_C(1) << CP_R_HOSTNAME);
    cr_expect_eq(c->features & CP_F_NAME_CONSTRAINTS, 0, "no constraint in that group");
    /* The malformed constraints are kept apart: their reason is the parse failure, and they
     * carry nc-malformed alone, never a form, a placement or name-constraints. */
    for (size_t i = 0; i < CP_ARRAY_LEN(want); i++) {
        if (strncmp(want[i].id, "malformed-nc/", 13) != 0)
            continue;
        snprintf(id, sizeof(id), "names/beyond/%s", want[i].id);
        c = cp_model_find(&m, id);
        for (int p = 0; p < CP_PROFILE_COUNT; p++)
            cr_expect_eq(c->expect[p].reasons, UINT64_C(1) << CP_R_BAD_NAME_CONSTRAINTS,
                         "%s: only malformed-name-constraints", id);
        cr_expect_eq(c->features & (CP_F_NAMES_FACETS | CP_F_NAME_CONSTRAINTS), CP_F_NC_MALFORMED,
                     "%s: nc-malformed alone", id);
    }
    c = cp_model_find(&m, "names/beyond/dns-trailing-dot-excluded/another-name");
    cr_expect_eq(c->expect[CP_PROFILE_RFC5280].reasons, UINT64_C(1) << CP_R_NAME_CONSTRAINTS);
    c = cp_model_find(&m, "names/beyond/dns-trailing-dot-san/only-name-with-dot");
    cr_expect(c->expect[CP_PROFILE_WEBPKI].reasons & (UINT64_C(1) << CP_R_HOSTNAME));
    cp_model_free(&m);
}

/* The names facets follow the graph: form per constraint, placement per certificate. */
Test(names_beyond, facets_follow_the_constraints)
{
    static struct cp_model m;
    const char *fam[] = {"names"};
    static const struct {
        const char *id;
        uint64_t facets;
    } want_f[] = {
        {"names/beyond/anchor/inside", CP_F_NC_DNS | CP_F_NC_ON_ANCHOR},
        {"names/beyond/two-levels-intersect/in-both/declared",
         CP_F_NC_DNS | CP_F_NC_ON_INTERMEDIATE | CP_F_NC_TWO_LEVELS},
        {"names/beyond/ip-v4/inside", CP_F_NC_IPV4 | CP_F_NC_ON_INTERMEDIATE},
        {"names/beyond/ip-v6/inside", CP_F_NC_IPV6 | CP_F_NC_ON_INTERMEDIATE},
        {"names/beyond/email/host", CP_F_NC_EMAIL | CP_F_NC_ON_INTERMEDIATE},
        {"names/beyond/uri/domain", CP_F_NC_URI | CP_F_NC_ON_INTERMEDIATE},
        {"names/beyond/dirname/san-excluded", CP_F_NC_DIRNAME | CP_F_NC_ON_INTERMEDIATE},
        {"names/beyond/on-leaf/own-constraint", CP_F_NC_ON_LEAF},
        {"names/beyond/malformed-san/otherName-primitive", 0},
        {"names/bettertls/tc4", 0},
        /* BetterTLS #11: excluded dNSName and iPAddress subtrees on local_ica. */
        {"names/bettertls/tc11", CP_F_NC_DNS | CP_F_NC_IPV4 | CP_F_NC_ON_INTERMEDIATE},
    };
    cp_model_init(&m);
    cr_assert_eq(cp_generator_build(&m, fam, 1), 0, "%s", cp_error_msg(CP_E_ARG));
    for (size_t i = 0; i < CP_ARRAY_LEN(want_f); i++) {
        const struct cp_case *c = cp_model_find(&m, want_f[i].id);
        cr_assert_not_null(c, "no case %s", want_f[i].id);
        cr_expect_eq(c->features & CP_F_NAMES_FACETS, want_f[i].facets, "%s: facets 0x%llx",
                     want_f[i].id, (unsigned long long)(c->features & CP_F_NAMES_FACETS));
    }
    cp_model_free(&m);
}
