/*
 * test_families_defects.c - the constraints and algorithms families: case counts, unique and
 * distinct ids, features, the shape of the defect matrix, and expectations worked out by hand.
 *
 * The model is built with only these two families, then finalised and run through the oracle
 * (cp_generator_build). Every test runs in its own process, so each builds the model once.
 */
#include "cp_generator_internal.h"
#include "cp_model_test.h"
#include "cp_suite_internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

/* The brief's floor for each family (DESIGN section 4 lists what they must cover). */
#define MIN_CONSTRAINTS 450
#define MIN_ALGORITHMS 250

static struct cp_model model;
static bool built;

static const struct cp_model *families_b(void)
{
    static const char *const names[] = {"constraints", "algorithms"};
    if (!built) {
        cp_model_init(&model);
        int rc = cp_generator_build(&model, names, 2);
        cr_assert_eq(rc, 0, "building the model failed: %s", cp_error_msg(rc));
        built = true;
    }
    return &model;
}

static void release(void)
{
    cp_model_free(&model);
    built = false;
}

TestSuite(families_b, .fini = release);

Test(families_b, case_counts)
{
    const struct cp_model *m = families_b();
    int nc = cp_test_count_family(m, "constraints"), na = cp_test_count_family(m, "algorithms");
    cr_expect_geq(nc, MIN_CONSTRAINTS, "constraints has %d cases", nc);
    cr_expect_geq(na, MIN_ALGORITHMS, "algorithms has %d cases", na);
    cr_expect_eq(nc + na, m->ncases, "every case belongs to one of the two families");
}

/* Unique ids are checked by cp_model_finalise() too; distinct means a client sees a different
 * graph, trust set or sent list, not just another name. */
Test(families_b, ids_unique_and_cases_distinct)
{
    const struct cp_model *m = families_b();
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        size_t flen = strlen(c->family);
        cr_expect(strncmp(c->id, c->family, flen) == 0 && c->id[flen] == '/',
                  "%s does not start with its family", c->id);
        cr_expect_eq(cp_model_find(m, c->id), c, "%s is not unique", c->id);
    }
    cr_expect_eq(cp_model_count_distinct(m), m->ncases, "some cases differ only by name");
}

Test(families_b, labels_are_plain)
{
    const struct cp_model *m = families_b();
    for (int gi = 0; gi < m->ngraphs; gi++) {
        const struct cp_graph *g = &m->graphs[gi];
        for (int e = 0; e < g->nentities; e++)
            cr_expect(cp_test_plain_label(g->entities[e].label), "graph %s: entity label \"%s\"",
                      g->name, g->entities[e].label);
    }
}

/* RSA keys come from a pool of four and are slow to mint: at most 4 per graph (the model
 * enforces it) and at most 20 RSA graphs. */
Test(families_b, rsa_graphs_bounded)
{
    const struct cp_model *m = families_b();
    int rsa_graphs = 0;
    for (int gi = 0; gi < m->ngraphs; gi++) {
        const struct cp_graph *g = &m->graphs[gi];
        int n = 0;
        for (int e = 0; e < g->nentities; e++)
            n += g->entities[e].alg == CP_KEY_RSA_2048;
        cr_expect_leq(n, CP_KEYPOOL_RSA, "graph %s has %d RSA entities", g->name, n);
        rsa_graphs += n > 0;
    }
    cr_expect_gt(rsa_graphs, 0, "no RSA graph");
    cr_expect_leq(rsa_graphs, 20, "%d RSA graphs", rsa_graphs);
}

/* Features follow the shape: branching wherever an alternative issuer exists, ordering for
 * every order but the declared one, probes only on the simplest chain. */
Test(families_b, features_follow_the_shape)
{
    const struct cp_model *m = families_b();
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        bool branching = cp_test_id_has(c, "/bad-branch/") || cp_test_id_has(c, "/bad-rekey/") ||
                         cp_test_id_has(c, "/two-roots/") || cp_test_id_has(c, "/rekey/");
        bool reordered = cp_test_id_has(c, "/reversed") || cp_test_id_has(c, "/shuffled");
        cr_expect_neq(c->features & ~(CP_F_BRANCHING | CP_F_ORDERING | CP_F_KEY_ROLLOVER), 0,
                      "%s names no defect feature", c->id);
        cr_expect_eq((c->features & CP_F_BRANCHING) != 0, branching, "%s: branching", c->id);
        cr_expect_eq((c->features & CP_F_ORDERING) != 0, reordered, "%s: ordering", c->id);
        if (c->probe)
            cr_expect(cp_test_id_has(c, "/alone/depth2/declared"), "%s is no simple probe", c->id);
    }
}

/* The matrix's promise: a good branch always saves the case (when the client trusts the root
 * above it), and a case whose every trusted path carries the defect ends like the defect
 * alone, in every profile. */
static bool saved_by_good_branch(const struct cp_case *c)
{
    bool one_bad = cp_test_id_has(c, "/first/") || cp_test_id_has(c, "/second/");
    return one_bad && (cp_test_id_has(c, "/bad-rekey/") || cp_test_id_has(c, "/trust-both/") ||
                       cp_test_id_has(c, "/trust-good/"));
}

/* The id of the same defect alone at the same depth, or false when c has none. */
static bool alone_twin(const struct cp_case *c, char *out, size_t cap)
{
    const char *shape = strstr(c->id, "/bad-branch/");
    const char *depth = strstr(c->id, "/depth");
    if (!shape || !depth || !(cp_test_id_has(c, "/trust-bad/") || cp_test_id_has(c, "/both/")))
        return false;
    int n = snprintf(out, cap, "%.*s/alone%.7s/declared", (int)(shape - c->id), c->id, depth);
    return n > 0 && (size_t)n < cap;
}

Test(families_b, good_branch_saves_bad_branch_matches_alone)
{
    const struct cp_model *m = families_b();
    int saved = 0, twins = 0;
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        char twin_id[CP_ID_MAX];
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            const struct cp_expect *e = &c->expect[p];
            if (saved_by_good_branch(c)) {
                saved += p == 0;
                cr_expect_eq(e->outcome, CP_OUTCOME_ACCEPT,
                             "%s (%s) is not saved by its good branch", c->id, cp_profile_name(p));
            } else if (alone_twin(c, twin_id, sizeof(twin_id)) && cp_model_find(m, twin_id)) {
                twins += p == 0;
                cr_expect_eq(e->outcome, cp_model_find(m, twin_id)->expect[p].outcome,
                             "%s (%s) differs from %s", c->id, cp_profile_name(p), twin_id);
            }
        }
    }
    cr_expect_gt(saved, 300, "only %d cases with one good branch", saved);
    cr_expect_gt(twins, 100, "only %d cases compared with their alone twin", twins);
}

/* Hand-checked expectations. Criterion copies parameters into a freshly started process, so
 * they hold their strings by value (a pointer into .rodata may point elsewhere there). */
struct explained {
    char id[CP_ID_MAX];
    enum cp_outcome rfc5280, webpki;
    int npaths_webpki;      /* exact valid paths under webpki; -1: not checked */
    enum cp_reason reason;  /* a reason some profile must report; CP_R_NONE: none checked */
    char via[CP_LABEL_MAX]; /* a certificate every webpki path goes through, or "" */
};

#define A CP_OUTCOME_ACCEPT
#define R CP_OUTCOME_REJECT

static struct explained explained[] = {
    /* RFC 5280 4.2.1.12 speaks of the certificate's own key; a CA's EKU is no constraint there.
     * The Web PKI (CA/B Forum, Chrome, Firefox, Go) reads it as one: no serverAuth, no TLS. */
    {"constraints/eku-ca/email-only/alone/depth2/declared", A, R, 0, CP_R_EKU_CA, ""},
    /* Same defect on Root1's branch only: webpki still accepts through Root2, exactly once. */
    {"constraints/eku-ca/email-only/bad-branch/first/depth2/trust-both/declared", A, A, 1,
     CP_R_EKU_CA, "Root2->ICA"},
    /* On every path: nothing is left for webpki. */
    {"constraints/eku-ca/email-only/bad-branch/both/depth3/trust-both/shuffled", A, R, 0,
     CP_R_EKU_CA, ""},
    /* anyExtendedKeyUsage in a CA allows every purpose, serverAuth included. */
    {"constraints/eku-ca/any/alone/depth2/declared", A, A, 1, CP_R_NONE, ""},
    /* RFC 5280 6.1.4 (m): pathLen 0 on Sub CA, and ICA (not self-issued) sits below it. */
    {"constraints/path-len/0-violated/alone/depth3/declared", R, R, 0, CP_R_PATH_LEN, ""},
    /* 4.2.1.9: pathLen counts intermediates only; the leaf below a pathLen 0 CA is fine. */
    {"constraints/path-len/0-satisfied/alone/depth2/declared", A, A, 1, CP_R_NONE, ""},
    /* 6.1.4 (l): the self-issued rollover CA1 -> CA1.key2 does not count against pathLen 0. */
    {"constraints/path-len/0-rollover-not-counted/chain4/declared", A, A, 1, CP_R_NONE,
     "CA1->CA1.key2"},
    /* ...but CA3 below the rollover does. */
    {"constraints/path-len/0-rollover-then-ca-violated/chain5/declared", R, R, 0, CP_R_PATH_LEN,
     ""},
    /* 6.1.4 (n): a keyUsage without keyCertSign cannot sign certificates. */
    {"constraints/key-usage/digital-signature-only/alone/depth2/declared", R, R, 0,
     CP_R_NO_KEY_CERT_SIGN, ""},
    /* 6.1.4 (n) only applies when keyUsage is present. */
    {"constraints/key-usage/absent/alone/depth2/declared", A, A, 1, CP_R_NONE, ""},
    /* 6.1.4 (k): a v3 CA without basicConstraints is no CA, whatever its keyUsage. */
    {"constraints/basic-constraints/absent/alone/depth2/declared", R, R, 0,
     CP_R_NO_BASIC_CONSTRAINTS, ""},
    /* cA=FALSE on the first key's branch: the second key of the same name still works. */
    {"constraints/basic-constraints/not-ca/bad-rekey/first/depth3/reversed", A, A, 1, CP_R_NOT_CA,
     "Root->Sub CA.key2"},
    /* 6.1.4 (k): a v1 intermediate cannot show it is a CA. */
    {"constraints/v1-ca/intermediate/alone/depth2/declared", R, R, 0, CP_R_V1_CA, ""},
    /* 6.1.1 (d): an anchor is a name and a key; its certificate's version does not matter. */
    {"constraints/v1-ca/anchor/alone/depth2/declared", A, A, 1, CP_R_NONE, ""},
    /* Anchor name constraints: not anchor information under RFC 5280; applied by the Web PKI. */
    {"constraints/name-constraints/anchor-permitted-outside/alone/depth2/declared", A, R, 0,
     CP_R_NAME_CONSTRAINTS, ""},
    /* Root2's constrained anchor is bypassed through Root1 under webpki. */
    {"constraints/name-constraints/anchor-excluded-inside/bad-branch/second/depth3/trust-both/"
     "declared",
     A, A, 1, CP_R_NAME_CONSTRAINTS, "Root1->Sub CA"},
    /* 4.2.1.10: the leaf's names fall in the excluded subtree certpath.test. */
    {"constraints/name-constraints/excluded-inside/alone/depth3/reversed", R, R, 0,
     CP_R_NAME_CONSTRAINTS, ""},
    /* ...and within the permitted one. */
    {"constraints/name-constraints/permitted-inside/alone/depth2/declared", A, A, 1, CP_R_NONE, ""},
    /* Leaf anyExtendedKeyUsage: RFC 5280 4.2.1.12 allows it; Web PKI verifiers want
     * serverAuth itself (docs/profiles.md). */
    {"constraints/leaf-eku/any/alone/depth2/declared", A, R, 0, CP_R_EKU_LEAF, ""},
    /* RFC 6125 6.4.3: "*.test" covers one label, not "h....certpath.test". */
    {"constraints/hostname/wildcard-two-labels/alone/depth2/declared", R, R, 0, CP_R_HOSTNAME, ""},
    /* "*.certpath.test" covers the one-label case hostname. */
    {"constraints/hostname/wildcard-one-label/alone/depth2/declared", A, A, 1, CP_R_NONE, ""},
    /* 6.1.4 (o): the only trusted branch has an unrecognised critical extension. */
    {"constraints/unknown-critical/intermediate/bad-branch/first/depth2/trust-bad/declared", R, R,
     0, CP_R_UNKNOWN_CRITICAL, ""},
    /* SHA-1 alone: accepted by RFC 5280, distrusted by the Web PKI since 2017. */
    {"algorithms/sha1/intermediate/alone/depth2/declared", A, R, 0, CP_R_SHA1, ""},
    /* SHA-1 on Root1's branch: the SHA-256 branch through Root2 is the one webpki path. */
    {"algorithms/sha1/intermediate/bad-branch/first/depth2/trust-both/declared", A, A, 1, CP_R_SHA1,
     "Root2->ICA"},
    /* The anchor's self-signature is never verified: SHA-1 there is harmless. */
    {"algorithms/sha1/anchor-self-signature/bad-branch/first/depth2/trust-bad/declared", A, A, 1,
     CP_R_NONE, "Root1->ICA"},
    /* 6.1.3 (a)(1): a signature in an algorithm the client lacks cannot be verified. */
    {"algorithms/unknown-alg/intermediate/alone/depth2/declared", R, R, 0, CP_R_UNKNOWN_ALG, ""},
    /* A flipped signature bit fails verification. */
    {"algorithms/bad-signature/intermediate/alone/depth2/declared", R, R, 0, CP_R_BAD_SIGNATURE,
     ""},
    /* ...except on the anchor's own certificate, which nobody verifies. */
    {"algorithms/bad-signature/anchor-self-signature/alone/depth2/declared", A, A, 1, CP_R_NONE,
     ""},
    /* 4.2.1.1: the AKI is a hint. Root1->ICA names Root2's key, Root2 is untrusted: the path
     * through Root1 must still be found by name and signature. */
    {"algorithms/key-ids/aki-misleading/bad-branch/first/depth2/trust-bad/declared", A, A, 1,
     CP_R_NONE, "Root1->ICA"},
    /* sha1WithRSAEncryption on the only trusted branch. */
    {"algorithms/rsa/sha1/bad-branch/first/depth2/trust-bad/declared", A, R, 0, CP_R_SHA1, ""},
    /* The leaf's own signature is unverifiable: no branch above can help. */
    {"algorithms/unknown-alg/leaf/rekey/depth2/shuffled", R, R, 0, CP_R_UNKNOWN_ALG, ""},
};

#undef A
#undef R

ParameterizedTestParameters(families_b, explained)
{
    return cr_make_param_array(struct explained, explained, CP_ARRAY_LEN(explained));
}

static bool path_via(const struct cp_graph *g, const struct cp_path *p, const char *label)
{
    for (int i = 0; i < p->len; i++) {
        if (strcmp(g->certs[p->certs[i]].label, label) == 0)
            return true;
    }
    return false;
}

ParameterizedTest(struct explained *x, families_b, explained)
{
    const struct cp_model *m = families_b();
    const struct cp_case *c = cp_model_find(m, x->id);
    cr_assert_not_null(c, "no case %s", x->id);
    const struct cp_graph *g = &m->graphs[c->graph];
    const struct cp_expect *rfc = &c->expect[CP_PROFILE_RFC5280];
    const struct cp_expect *web = &c->expect[CP_PROFILE_WEBPKI];
    cr_expect_eq(rfc->outcome, x->rfc5280, "%s: rfc5280 outcome", x->id);
    cr_expect_eq(web->outcome, x->webpki, "%s: webpki outcome", x->id);
    if (x->npaths_webpki >= 0)
        cr_expect_eq(web->paths_all, x->npaths_webpki, "%s: webpki paths", x->id);
    if (x->reason != CP_R_NONE)
        cr_expect((rfc->reasons | web->reasons) & (UINT64_C(1) << x->reason),
                  "%s: reason %s not reported", x->id, cp_reason_name(x->reason));
    for (int i = 0; x->via[0] && i < web->npaths; i++)
        cr_expect(path_via(g, &web->paths[i], x->via), "%s: a webpki path avoids %s", x->id,
                  x->via);
}
