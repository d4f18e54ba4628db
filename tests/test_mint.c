/*
 * test_mint.c - minting read back by an independent parser: every certificate of hand-made
 * graphs is parsed with OpenSSL and checked field by field against the model (extensions and
 * their criticality, validity, algorithms, signatures, key identifiers, names), plus
 * determinism, thread safety, key export, errors, and every graph of every family.
 */
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A fixed validation time keeps every run comparable; 2026-11-18. */
#define TEST_TIME INT64_C(1795000000)
#define TEST_SEED UINT64_C(0x1234abcd5678ef01)
#define ML_DSA_65 "2.16.840.1.101.3.4.3.18"
#define UNKNOWN_EXT_OID "2.25.1869504340"
#define PEM_KEY_MAX 4096

/* ---- building and minting small graphs ---- */

struct fx {
    struct cp_model m;
    struct cp_keypool *kp;
    struct cp_minted mt;
};

static struct fx fx;

static void fx_init(void)
{
    cp_model_init(&fx.m);
    cp_minted_init(&fx.mt);
    fx.kp = NULL;
}

static void fx_fini(void)
{
    cp_minted_free(&fx.mt);
    cp_keypool_free(fx.kp);
    cp_model_free(&fx.m);
}

static struct cp_graph *graph(const char *name)
{
    struct cp_graph *g = cp_model_graph(&fx.m, name);
    cr_assert_not_null(g, "cp_model_graph: %s", cp_error_msg(-1));
    return g;
}

static struct cp_cert *at(struct cp_graph *g, int c)
{
    struct cp_cert *p = cp_graph_cert_at(g, c);
    cr_assert_not_null(p, "no certificate %d", c);
    return p;
}

/* One case trusting `anchor`, sending sent[0..n) (the leaf first). */
static void add_case(struct cp_graph *g, const char *id, int anchor, const int *sent, int n)
{
    struct cp_case_spec s = {.id = id,
                             .summary = "mint test",
                             .leaf = sent[0],
                             .anchors = &anchor,
                             .nanchors = 1,
                             .sent = sent,
                             .nsent = n};
    int rc = cp_model_case(&fx.m, g, &s);
    cr_assert_eq(rc, 0, "cp_model_case(%s): %s", id, cp_error_msg(rc));
}

static void finalise(void)
{
    int rc = cp_model_finalise(&fx.m);
    cr_assert_eq(rc, 0, "cp_model_finalise: %s", cp_error_msg(rc));
}

static struct cp_keypool *pool(uint64_t seed, int threads)
{
    struct cp_keypool *kp = NULL;
    int rc = cp_keypool_new(seed, threads, &kp);
    cr_assert_eq(rc, 0, "cp_keypool_new: %s", cp_error_msg(rc));
    cr_assert_not_null(kp);
    return kp;
}

static void mint_with(const struct cp_keypool *kp, int gi, uint64_t seed, struct cp_minted *mt)
{
    int rc = cp_mint_graph(kp, &fx.m.graphs[gi], seed, TEST_TIME, mt);
    cr_assert_eq(rc, 0, "cp_mint_graph: %s", cp_error_msg(rc));
    cr_assert_eq(mt->n, fx.m.graphs[gi].ncerts);
}

/* Finalises the model, makes the pool and mints graph 0 into fx.mt. */
static void mint(void)
{
    finalise();
    fx.kp = pool(TEST_SEED, 2);
    mint_with(fx.kp, 0, TEST_SEED, &fx.mt);
}

/* ---- reading certificates back with OpenSSL ---- */

static X509 *parse_der(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    cr_assert_not_null(x, "OpenSSL cannot parse a minted certificate");
    cr_assert_eq(p, der + len, "trailing bytes after the certificate");
    return x;
}

static X509 *cert(int i)
{
    cr_assert_lt(i, fx.mt.n);
    return parse_der(fx.mt.der[i], fx.mt.len[i]);
}

/* -1: extension absent; otherwise its critical flag. */
static int crit(X509 *x, int nid)
{
    int i = X509_get_ext_by_NID(x, nid, -1);
    if (i < 0)
        return -1;
    cr_expect_lt(X509_get_ext_by_NID(x, nid, i), 0, "extension %s appears twice", OBJ_nid2sn(nid));
    return X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

/* The extension's DER value. */
static const ASN1_OCTET_STRING *ext_value(X509 *x, int nid)
{
    int i = X509_get_ext_by_NID(x, nid, -1);
    cr_assert_geq(i, 0, "extension %s absent", OBJ_nid2sn(nid));
    return X509_EXTENSION_get_data(X509_get_ext(x, i));
}

static void expect_bytes(const ASN1_OCTET_STRING *s, const unsigned char *want, size_t n,
                         const char *what)
{
    cr_expect_eq((size_t)ASN1_STRING_length(s), n, "%s: %d bytes, expected %zu", what,
                 ASN1_STRING_length(s), n);
    if ((size_t)ASN1_STRING_length(s) == n)
        cr_expect_eq(memcmp(ASN1_STRING_get0_data(s), want, n), 0, "%s: other bytes", what);
}

/* Seconds from the validation time to t. */
static long offset_of(const ASN1_TIME *t)
{
    int days = 0, secs = 0;
    ASN1_TIME *v = ASN1_TIME_set(NULL, (time_t)TEST_TIME);
    cr_assert_not_null(v);
    cr_assert_eq(ASN1_TIME_diff(&days, &secs, v, t), 1, "ASN1_TIME_diff failed");
    ASN1_TIME_free(v);
    return (long)days * 86400 + secs;
}

static void name_entry(const X509_NAME *n, int nid, char *buf, int cap)
{
    buf[0] = '\0';
    cr_expect_gt(X509_NAME_get_text_by_NID((X509_NAME *)n, nid, buf, cap), 0, "the name has no %s",
                 OBJ_nid2sn(nid));
}

static void oid_text(const ASN1_OBJECT *o, char *buf, int cap)
{
    cr_assert_gt(OBJ_obj2txt(buf, cap, o, 1), 0);
}

/* The signature algorithm's OID text, checked to be the same in the TBS and outside, and
 * whether it carries parameters. */
static void sig_alg(X509 *x, char *oid, int cap, int *ptype)
{
    const X509_ALGOR *outer, *inner = X509_get0_tbs_sigalg(x);
    const ASN1_OBJECT *o;
    const void *pval;
    char inner_oid[80];
    X509_get0_signature(NULL, &outer, x);
    X509_ALGOR_get0(&o, ptype, &pval, outer);
    oid_text(o, oid, cap);
    cr_expect_eq(X509_ALGOR_cmp(outer, inner), 0, "the TBS and outer algorithms differ");
    X509_ALGOR_get0(&o, NULL, NULL, inner);
    oid_text(o, inner_oid, sizeof(inner_oid));
    cr_expect_str_eq(inner_oid, oid);
}

static int verify_by(X509 *x, X509 *issuer)
{
    return X509_verify(x, X509_get0_pubkey(issuer));
}

static void expect_kid_eq(const ASN1_OCTET_STRING *a, const ASN1_OCTET_STRING *b, const char *what)
{
    cr_assert_not_null(a, "%s: first key identifier absent", what);
    cr_assert_not_null(b, "%s: second key identifier absent", what);
    cr_expect_eq(ASN1_OCTET_STRING_cmp(a, b), 0, "%s: key identifiers differ", what);
}

/* SHA-1 of the subjectPublicKey bits: RFC 5280 4.2.1.2 method 1. */
static void expect_ski_method1(X509 *x)
{
    unsigned char md[20];
    unsigned int n = 0;
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
    cr_assert_not_null(ski, "no SKI");
    cr_assert_eq(X509_pubkey_digest(x, EVP_sha1(), md, &n), 1);
    expect_bytes(ski, md, n, "SKI");
}

/* ---- the default profile ---- */

TestSuite(mint, .init = fx_init, .fini = fx_fini);

Test(mint, default_chain_matches_the_model)
{
    struct cp_graph *g = graph("mint/default");
    int root_e = cp_graph_entity(g, "Root CA"), ica_e = cp_graph_entity(g, "ICA"),
        leaf_e = cp_graph_entity(g, "Leaf");
    int root = cp_graph_root(g, root_e), ica = cp_graph_ca(g, root_e, ica_e),
        leaf = cp_graph_leaf(g, ica_e, leaf_e);
    int sent[] = {leaf, ica};
    add_case(g, "mint/default/good", root_e, sent, 2);
    mint();
    g = &fx.m.graphs[0];

    X509 *x[3] = {cert(root), cert(ica), cert(leaf)};
    X509 *issuer_of[3] = {x[0], x[0], x[1]};
    const char *cn[3] = {"Root CA", "Root CA", "ICA"}, *subject_cn[3] = {"Root CA", "ICA", "Leaf"};
    char buf[256], seed_hex[32];
    snprintf(seed_hex, sizeof(seed_hex), "%016llx", (unsigned long long)TEST_SEED);
    for (int i = 0; i < 3; i++) {
        const struct cp_cert *c = &g->certs[i];
        cr_expect_eq(X509_get_version(x[i]), 2, "%s is not v3", c->label);
        cr_expect_eq(ASN1_INTEGER_get(X509_get0_serialNumber(x[i])), (long)c->serial);
        cr_expect_eq(offset_of(X509_get0_notBefore(x[i])), -CP_DAY);
        cr_expect_eq(offset_of(X509_get0_notAfter(x[i])), 366 * CP_DAY);
        cr_expect_eq(ASN1_STRING_type(X509_get0_notBefore(x[i])), V_ASN1_UTCTIME);
        cr_expect_eq(X509_get_signature_nid(x[i]), NID_ecdsa_with_SHA256);
        int ptype;
        sig_alg(x[i], buf, sizeof(buf), &ptype);
        cr_expect_eq(ptype, V_ASN1_UNDEF, "%s: ECDSA parameters must be absent", c->label);
        cr_expect_eq(verify_by(x[i], issuer_of[i]), 1, "%s does not verify", c->label);

        const X509_NAME *sn = X509_get_subject_name(x[i]), *in = X509_get_issuer_name(x[i]);
        cr_expect_eq(X509_NAME_entry_count(sn), 4);
        name_entry(sn, NID_commonName, buf, sizeof(buf));
        cr_expect_str_eq(buf, subject_cn[i]);
        name_entry(in, NID_commonName, buf, sizeof(buf));
        cr_expect_str_eq(buf, cn[i]);
        name_entry(sn, NID_organizationalUnitName, buf, sizeof(buf));
        cr_expect_str_eq(buf, g->tag);
        name_entry(sn, NID_organizationName, buf, sizeof(buf));
        cr_expect_str_eq(buf, "certpath");
        name_entry(sn, NID_serialNumber, buf, sizeof(buf));
        cr_expect_str_eq(buf, seed_hex);
        cr_expect_eq(X509_NAME_cmp(in, X509_get_subject_name(issuer_of[i])), 0);
        /* The common name comes first, as written. */
        cr_expect_eq(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(sn, 0))),
                     NID_commonName);

        expect_ski_method1(x[i]);
        expect_kid_eq(X509_get0_authority_key_id(x[i]), X509_get0_subject_key_id(issuer_of[i]),
                      c->label);
        cr_expect_eq(crit(x[i], NID_subject_key_identifier), 0);
        cr_expect_eq(crit(x[i], NID_authority_key_identifier), 0);
        cr_expect_eq(crit(x[i], NID_basic_constraints), 1);
        cr_expect_eq(crit(x[i], NID_key_usage), 1);
        cr_expect_eq(crit(x[i], NID_name_constraints), -1);
    }

    /* CAs: cA TRUE without pathLen, keyCertSign only, no EKU, no SAN. */
    for (int i = 0; i < 2; i++) {
        BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x[i], NID_basic_constraints, NULL, NULL);
        cr_assert_not_null(bc);
        cr_expect(bc->ca);
        cr_expect_null(bc->pathlen);
        BASIC_CONSTRAINTS_free(bc);
        cr_expect_eq(X509_get_key_usage(x[i]), KU_KEY_CERT_SIGN);
        cr_expect_eq(crit(x[i], NID_ext_key_usage), -1);
        cr_expect_eq(crit(x[i], NID_subject_alt_name), -1);
        cr_expect_eq(X509_check_ca(x[i]), 1);
    }
    /* Leaf: cA FALSE as an empty SEQUENCE, digitalSignature, serverAuth, the case's host. */
    static const unsigned char empty_seq[] = {0x30, 0x00};
    expect_bytes(ext_value(x[2], NID_basic_constraints), empty_seq, 2, "leaf basicConstraints");
    cr_expect_eq(X509_check_ca(x[2]), 0);
    cr_expect_eq(X509_get_key_usage(x[2]), KU_DIGITAL_SIGNATURE);
    cr_expect_eq(crit(x[2], NID_ext_key_usage), 0);
    cr_expect_eq(X509_get_extended_key_usage(x[2]), XKU_SSL_SERVER);
    cr_expect_eq(crit(x[2], NID_subject_alt_name), 0);
    cr_expect_eq(X509_check_host(x[2], fx.m.cases[0].hostname, 0, 0, NULL), 1,
                 "the leaf does not cover %s", fx.m.cases[0].hostname);
    for (int i = 0; i < 3; i++)
        X509_free(x[i]);
}

/* ---- extensions ---- */

Test(mint, basic_constraints_and_path_len)
{
    struct cp_graph *g = graph("mint/bc");
    int r = cp_graph_entity(g, "R"), a = cp_graph_entity(g, "A"), b = cp_graph_entity(g, "B"),
        l = cp_graph_entity(g, "L");
    int root = cp_graph_root(g, r), ca0 = cp_graph_ca(g, r, a), ca5 = cp_graph_ca(g, a, b),
        leaf = cp_graph_leaf(g, b, l), absent = cp_graph_ca(g, r, b), notca = cp_graph_ca(g, r, a);
    at(g, ca0)->path_len = 0;
    at(g, ca5)->path_len = 5;
    at(g, absent)->bc = CP_BC_ABSENT;
    at(g, notca)->bc = CP_BC_NOT_CA;
    int sent[] = {leaf, ca5, ca0, absent, notca};
    add_case(g, "mint/bc/case", r, sent, 5);
    mint();

    int lens[][2] = {{root, -1}, {ca0, 0}, {ca5, 5}};
    for (size_t i = 0; i < CP_ARRAY_LEN(lens); i++) {
        X509 *x = cert(lens[i][0]);
        int critical = -1;
        BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &critical, NULL);
        cr_assert_not_null(bc);
        cr_expect_eq(critical, 1);
        cr_expect(bc->ca);
        if (lens[i][1] < 0)
            cr_expect_null(bc->pathlen);
        else
            cr_expect_eq(ASN1_INTEGER_get(bc->pathlen), lens[i][1]);
        BASIC_CONSTRAINTS_free(bc);
        X509_free(x);
    }
    X509 *x = cert(absent);
    cr_expect_eq(crit(x, NID_basic_constraints), -1);
    cr_expect_eq(crit(x, NID_key_usage), 1, "only basicConstraints was to go");
    X509_free(x);
    x = cert(notca);
    static const unsigned char empty_seq[] = {0x30, 0x00};
    cr_expect_eq(crit(x, NID_basic_constraints), 1);
    expect_bytes(ext_value(x, NID_basic_constraints), empty_seq, 2, "cA=FALSE");
    X509_free(x);
    /* pathLen 5 encodes as INTEGER 5 after TRUE. */
    static const unsigned char five[] = {0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x05};
    x = cert(ca5);
    expect_bytes(ext_value(x, NID_basic_constraints), five, sizeof(five), "pathLen 5");
    X509_free(x);
}

Test(mint, key_usage_bits_are_minimal_der)
{
    static const struct {
        unsigned ku;
        unsigned char der[4];
    } want[] = {
        {CP_KU_KEY_CERT_SIGN, {0x03, 0x02, 0x02, 0x04}},
        {CP_KU_DIGITAL_SIGNATURE, {0x03, 0x02, 0x07, 0x80}},
        {CP_KU_KEY_CERT_SIGN | CP_KU_CRL_SIGN, {0x03, 0x02, 0x01, 0x06}},
        {CP_KU_DIGITAL_SIGNATURE | CP_KU_KEY_ENCIPHERMENT, {0x03, 0x02, 0x05, 0xa0}},
        {CP_KU_DIGITAL_SIGNATURE | CP_KU_KEY_ENCIPHERMENT | CP_KU_KEY_CERT_SIGN | CP_KU_CRL_SIGN,
         {0x03, 0x02, 0x01, 0xa6}},
    };
    struct cp_graph *g = graph("mint/ku");
    int r = cp_graph_entity(g, "R"), l = cp_graph_entity(g, "L");
    int certs[CP_ARRAY_LEN(want) + 1];
    cp_graph_root(g, r);
    for (size_t i = 0; i < CP_ARRAY_LEN(want); i++) {
        certs[i] = cp_graph_leaf(g, r, l);
        at(g, certs[i])->key_usage = want[i].ku;
    }
    int none = cp_graph_leaf(g, r, l);
    at(g, none)->key_usage = 0;
    add_case(g, "mint/ku/case", r, certs, 1);
    mint();
    for (size_t i = 0; i < CP_ARRAY_LEN(want); i++) {
        X509 *x = cert(certs[i]);
        cr_expect_eq(crit(x, NID_key_usage), 1);
        expect_bytes(ext_value(x, NID_key_usage), want[i].der, 4, "keyUsage");
        /* OpenSSL's KU_* flags use the same layout as ours. */
        cr_expect_eq(X509_get_key_usage(x), want[i].ku);
        X509_free(x);
    }
    X509 *x = cert(none);
    cr_expect_eq(crit(x, NID_key_usage), -1);
    X509_free(x);
}

Test(mint, extended_key_usage_and_subject_alt_name)
{
    struct cp_graph *g = graph("mint/eku");
    int r = cp_graph_entity(g, "R"), l = cp_graph_entity(g, "L");
    cp_graph_root(g, r);
    int all = cp_graph_leaf(g, r, l), client = cp_graph_leaf(g, r, l),
        none = cp_graph_leaf(g, r, l);
    struct cp_cert *c = at(g, all);
    c->eku =
        CP_EKU_SERVER_AUTH | CP_EKU_CLIENT_AUTH | CP_EKU_EMAIL | CP_EKU_CODE_SIGNING | CP_EKU_ANY;
    snprintf(c->san[0], CP_HOST_MAX, "www.example.test");
    snprintf(c->san[1], CP_HOST_MAX, "*.wild.example.test");
    c->nsan = 2;
    at(g, client)->eku = CP_EKU_CLIENT_AUTH;
    at(g, none)->eku = 0;
    int sent[] = {all};
    add_case(g, "mint/eku/case", r, sent, 1);
    mint();

    X509 *x = cert(all);
    int critical = -1;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &critical, NULL);
    cr_assert_not_null(eku);
    cr_expect_eq(critical, 0);
    static const int nids[] = {NID_server_auth, NID_client_auth, NID_code_sign, NID_email_protect,
                               NID_anyExtendedKeyUsage};
    cr_assert_eq(sk_ASN1_OBJECT_num(eku), (int)CP_ARRAY_LEN(nids));
    for (int i = 0; i < (int)CP_ARRAY_LEN(nids); i++)
        cr_expect_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)), nids[i], "EKU %d", i);
    EXTENDED_KEY_USAGE_free(eku);

    GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, &critical, NULL);
    cr_assert_not_null(san);
    cr_expect_eq(critical, 0);
    const char *names[] = {"www.example.test", "*.wild.example.test", fx.m.cases[0].hostname};
    cr_assert_eq(sk_GENERAL_NAME_num(san), 3);
    for (int i = 0; i < 3; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);
        cr_assert_eq(gn->type, GEN_DNS);
        cr_expect_eq((size_t)ASN1_STRING_length(gn->d.dNSName), strlen(names[i]));
        cr_expect_eq(memcmp(ASN1_STRING_get0_data(gn->d.dNSName), names[i], strlen(names[i])), 0);
    }
    GENERAL_NAMES_free(san);
    X509_free(x);

    x = cert(client);
    cr_expect_eq(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
    X509_free(x);
    x = cert(none);
    cr_expect_eq(crit(x, NID_ext_key_usage), -1);
    /* finalise gives a leaf without cases a name of its own */
    cr_expect_eq(crit(x, NID_subject_alt_name), 0);
    X509_free(x);
}

static void expect_subtrees(STACK_OF(GENERAL_SUBTREE) * st, const char *const *want, int n)
{
    cr_assert_eq(sk_GENERAL_SUBTREE_num(st), n);
    for (int i = 0; i < n; i++) {
        const GENERAL_SUBTREE *s = sk_GENERAL_SUBTREE_value(st, i);
        cr_assert_eq(s->base->type, GEN_DNS);
        cr_expect_eq((size_t)ASN1_STRING_length(s->base->d.dNSName), strlen(want[i]));
        cr_expect_eq(memcmp(ASN1_STRING_get0_data(s->base->d.dNSName), want[i], strlen(want[i])), 0,
                     "subtree %d is not %s", i, want[i]);
        cr_expect_null(s->minimum, "minimum must be left out (DEFAULT 0)");
        cr_expect_null(s->maximum);
    }
}

Test(mint, name_constraints)
{
    struct cp_graph *g = graph("mint/nc");
    int r = cp_graph_entity(g, "R"), a = cp_graph_entity(g, "A"), l = cp_graph_entity(g, "L");
    cp_graph_root(g, r);
    int both = cp_graph_ca(g, r, a), excl = cp_graph_ca(g, r, a), leaf = cp_graph_leaf(g, a, l);
    struct cp_cert *c = at(g, both);
    snprintf(c->nc_permitted[0], CP_HOST_MAX, "certpath.test");
    snprintf(c->nc_permitted[1], CP_HOST_MAX, "good.example");
    c->npermitted = 2;
    snprintf(c->nc_excluded[0], CP_HOST_MAX, "bad.certpath.test");
    c->nexcluded = 1;
    c = at(g, excl);
    snprintf(c->nc_excluded[0], CP_HOST_MAX, "certpath.test");
    c->nexcluded = 1;
    c->nc_noncritical = true;
    int sent[] = {leaf, both};
    add_case(g, "mint/nc/case", r, sent, 2);
    mint();

    static const char *const permitted[] = {"certpath.test", "good.example"};
    static const char *const excluded[] = {"bad.certpath.test"};
    static const char *const excluded2[] = {"certpath.test"};
    X509 *x = cert(both);
    int critical = -1;
    NAME_CONSTRAINTS *nc = X509_get_ext_d2i(x, NID_name_constraints, &critical, NULL);
    cr_assert_not_null(nc);
    cr_expect_eq(critical, 1);
    expect_subtrees(nc->permittedSubtrees, permitted, 2);
    expect_subtrees(nc->excludedSubtrees, excluded, 1);
    NAME_CONSTRAINTS_free(nc);
    X509_free(x);

    x = cert(excl);
    nc = X509_get_ext_d2i(x, NID_name_constraints, &critical, NULL);
    cr_assert_not_null(nc);
    cr_expect_eq(critical, 0, "nc_noncritical");
    cr_expect_null(nc->permittedSubtrees);
    expect_subtrees(nc->excludedSubtrees, excluded2, 1);
    NAME_CONSTRAINTS_free(nc);
    X509_free(x);
}

Test(mint, unknown_critical_extension)
{
    struct cp_graph *g = graph("mint/unknown-ext");
    int r = cp_graph_entity(g, "R"), l = cp_graph_entity(g, "L");
    int root = cp_graph_root(g, r), leaf = cp_graph_leaf(g, r, l);
    at(g, leaf)->unknown_critical_ext = true;
    int sent[] = {leaf};
    add_case(g, "mint/unknown-ext/case", r, sent, 1);
    mint();

    X509 *x = cert(leaf), *rx = cert(root);
    int found = 0;
    for (int i = 0; i < X509_get_ext_count(x); i++) {
        X509_EXTENSION *e = X509_get_ext(x, i);
        char oid[128];
        oid_text(X509_EXTENSION_get_object(e), oid, sizeof(oid));
        if (strncmp(oid, "2.25.", 5) != 0)
            continue;
        found++;
        cr_expect_str_eq(oid, UNKNOWN_EXT_OID);
        cr_expect_eq(X509_EXTENSION_get_critical(e), 1);
        static const unsigned char empty_seq[] = {0x30, 0x00};
        expect_bytes(X509_EXTENSION_get_data(e), empty_seq, 2, "unknown extension");
    }
    cr_expect_eq(found, 1);
    cr_expect(X509_get_extension_flags(x) & EXFLAG_CRITICAL,
              "OpenSSL does not flag the extension as unhandled critical");
    cr_expect_eq(verify_by(x, rx), 1, "the signature itself is fine");
    cr_expect_eq(X509_get_extension_flags(rx) & EXFLAG_CRITICAL, 0);
    X509_free(x);
    X509_free(rx);
}

/* ---- key identifiers and names ---- */

Test(mint, key_identifiers_absent_and_misleading)
{
    struct cp_graph *g = graph("mint/kid");
    int r = cp_graph_entity(g, "R"), o = cp_graph_entity(g, "Other"), a = cp_graph_entity(g, "A"),
        l = cp_graph_entity(g, "L");
    int root = cp_graph_root(g, r), other = cp_graph_root(g, o);
    int no_aki = cp_graph_ca(g, r, a), no_ski = cp_graph_ca(g, r, a),
        bad_aki = cp_graph_ca(g, r, a), bad_ski = cp_graph_ca(g, r, a),
        leaf = cp_graph_leaf(g, a, l);
    at(g, no_aki)->aki = CP_KID_ABSENT;
    at(g, no_ski)->ski = CP_KID_ABSENT;
    at(g, bad_aki)->aki = CP_KID_MISLEADING;
    at(g, bad_aki)->kid_entity = o;
    at(g, bad_ski)->ski = CP_KID_MISLEADING;
    at(g, bad_ski)->kid_entity = o;
    int sent[] = {leaf, no_aki};
    add_case(g, "mint/kid/case", r, sent, 2);
    mint();

    X509 *rx = cert(root), *ox = cert(other), *x;
    const ASN1_OCTET_STRING *root_ski = X509_get0_subject_key_id(rx);
    const ASN1_OCTET_STRING *other_ski = X509_get0_subject_key_id(ox);
    cr_assert_not_null(root_ski);
    cr_assert_not_null(other_ski);
    cr_expect_neq(ASN1_OCTET_STRING_cmp(root_ski, other_ski), 0);
    /* Self-signed certificates carry both, equal. */
    expect_kid_eq(X509_get0_authority_key_id(rx), root_ski, "root AKI");

    x = cert(no_aki);
    cr_expect_eq(crit(x, NID_authority_key_identifier), -1);
    cr_expect_eq(crit(x, NID_subject_key_identifier), 0);
    X509_free(x);
    x = cert(no_ski);
    cr_expect_eq(crit(x, NID_subject_key_identifier), -1);
    expect_kid_eq(X509_get0_authority_key_id(x), root_ski, "AKI next to an absent SKI");
    X509_free(x);
    x = cert(bad_aki);
    expect_kid_eq(X509_get0_authority_key_id(x), other_ski, "misleading AKI");
    cr_expect_eq(verify_by(x, rx), 1, "still signed by the real issuer");
    expect_ski_method1(x);
    X509_free(x);
    x = cert(bad_ski);
    expect_kid_eq(X509_get0_subject_key_id(x), other_ski, "misleading SKI");
    expect_kid_eq(X509_get0_authority_key_id(x), root_ski, "AKI next to a misleading SKI");
    X509_free(x);
    X509_free(rx);
    X509_free(ox);
}

Test(mint, key_rollover_shares_the_name_not_the_key)
{
    struct cp_graph *g = graph("mint/rollover");
    int old_e = cp_graph_entity(g, "Root"), new_e = cp_graph_rekey(g, old_e, "Root-2"),
        l = cp_graph_entity(g, "L");
    int old_root = cp_graph_root(g, old_e), new_root = cp_graph_root(g, new_e),
        link = cp_graph_ca(g, old_e, new_e), leaf = cp_graph_leaf(g, new_e, l);
    int sent[] = {leaf, link};
    add_case(g, "mint/rollover/case", old_e, sent, 2);
    mint();

    X509 *o = cert(old_root), *n = cert(new_root), *k = cert(link), *lx = cert(leaf);
    char cn[64];
    name_entry(X509_get_subject_name(n), NID_commonName, cn, sizeof(cn));
    cr_expect_str_eq(cn, "Root", "a rekeyed entity keeps the old name");
    cr_expect_eq(X509_NAME_cmp(X509_get_subject_name(o), X509_get_subject_name(n)), 0);
    cr_expect_eq(X509_NAME_cmp(X509_get_subject_name(k), X509_get_issuer_name(k)), 0);
    cr_expect_neq(EVP_PKEY_eq(X509_get0_pubkey(o), X509_get0_pubkey(n)), 1);
    cr_expect_neq(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(o), X509_get0_subject_key_id(n)),
                  0);
    cr_expect_eq(verify_by(k, o), 1, "the link is signed by the old key");
    cr_expect_neq(verify_by(k, n), 1);
    cr_expect_eq(EVP_PKEY_eq(X509_get0_pubkey(k), X509_get0_pubkey(n)), 1);
    cr_expect_eq(verify_by(lx, n), 1);
    X509_free(o);
    X509_free(n);
    X509_free(k);
    X509_free(lx);
}

/* ---- validity, version, algorithms, signatures ---- */

Test(mint, validity_is_vtime_plus_offsets)
{
    struct cp_graph *g = graph("mint/validity");
    int r = cp_graph_entity(g, "R"), l = cp_graph_entity(g, "L");
    cp_graph_root(g, r);
    int expired = cp_graph_leaf(g, r, l), future = cp_graph_leaf(g, r, l),
        far = cp_graph_leaf(g, r, l);
    at(g, expired)->not_before = -400 * CP_DAY + 7;
    at(g, expired)->not_after = -1;
    at(g, future)->not_before = CP_HOUR;
    at(g, future)->not_after = 90 * CP_DAY;
    at(g, far)->not_after = 40 * 366 * CP_DAY; /* past 2050: GeneralizedTime */
    int sent[] = {expired};
    add_case(g, "mint/validity/case", r, sent, 1);
    mint();
    g = &fx.m.graphs[0];
    for (int i = 0; i < g->ncerts; i++) {
        X509 *x = cert(i);
        cr_expect_eq(offset_of(X509_get0_notBefore(x)), (long)g->certs[i].not_before, "%s",
                     g->certs[i].label);
        cr_expect_eq(offset_of(X509_get0_notAfter(x)), (long)g->certs[i].not_after, "%s",
                     g->certs[i].label);
        X509_free(x);
    }
    X509 *x = cert(far);
    cr_expect_eq(ASN1_STRING_type(X509_get0_notAfter(x)), V_ASN1_GENERALIZEDTIME);
    cr_expect_eq(ASN1_STRING_type(X509_get0_notBefore(x)), V_ASN1_UTCTIME);
    X509_free(x);
}

Test(mint, version1_has_no_extensions)
{
    struct cp_graph *g = graph("mint/v1");
    int r = cp_graph_entity(g, "R"), a = cp_graph_entity(g, "A"), l = cp_graph_entity(g, "L");
    int root = cp_graph_root(g, r), ica = cp_graph_ca(g, r, a), leaf = cp_graph_leaf(g, a, l);
    at(g, ica)->version = 1;
    at(g, ica)->unknown_critical_ext = true;
    int sent[] = {leaf, ica};
    add_case(g, "mint/v1/case", r, sent, 2);
    mint();
    X509 *x = cert(ica), *rx = cert(root);
    cr_expect_eq(X509_get_version(x), 0);
    cr_expect_eq(X509_get_ext_count(x), 0);
    cr_expect_eq(verify_by(x, rx), 1);
    /* DER leaves the DEFAULT v1 out: the TBS starts with the serial number. */
    const unsigned char *der = fx.mt.der[ica];
    size_t skip = (der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2);
    const unsigned char *tbs = der + skip;
    size_t tskip = (tbs[1] & 0x80 ? 2 + (tbs[1] & 0x7f) : 2);
    cr_expect_eq(tbs[tskip], 0x02, "the TBS of a v1 certificate must start with INTEGER");
    X509_free(x);
    X509_free(rx);
}

Test(mint, version3_without_extensions_leaves_the_field_out)
{
    struct cp_graph *g = graph("mint/v3-bare");
    int r = cp_graph_entity(g, "R"), a = cp_graph_entity(g, "A"), l = cp_graph_entity(g, "L");
    cp_graph_root(g, r);
    int ica = cp_graph_ca(g, r, a), leaf = cp_graph_leaf(g, a, l);
    struct cp_cert *c = at(g, ica);
    c->bc = CP_BC_ABSENT;
    c->key_usage = 0;
    c->aki = CP_KID_ABSENT;
    c->ski = CP_KID_ABSENT;
    int sent[] = {leaf, ica};
    add_case(g, "mint/v3-bare/case", r, sent, 2);
    mint();
    X509 *x = cert(ica);
    cr_expect_eq(X509_get_version(x), 2);
    cr_expect_eq(X509_get_ext_count(x), 0);
    /* RFC 5280: extensions is SIZE (1..MAX); an empty [3] must not be written. */
    cr_expect_null(X509_get0_extensions(x), "an empty extensions field was written");
    X509_free(x);
}

Test(mint, names_with_dn_special_characters)
{
    static const char *const labels[] = {"Acme, Inc.", "A+B=C", "Quote \"Q\" <x>; #1"};
    struct cp_graph *g = graph("mint/dn");
    int e[3], certs[3];
    for (int i = 0; i < 3; i++) {
        e[i] = cp_graph_entity(g, labels[i]);
        certs[i] = cp_graph_root(g, e[i]);
    }
    int l = cp_graph_entity(g, "L"), leaf = cp_graph_leaf(g, e[0], l);
    int sent[] = {leaf};
    add_case(g, "mint/dn/case", e[0], sent, 1);
    finalise();
    fx.kp = pool(TEST_SEED, 2);
    int rc = cp_mint_graph(fx.kp, &fx.m.graphs[0], TEST_SEED, TEST_TIME, &fx.mt);
    cr_assert_eq(rc, 0, "%s", cp_error_msg(rc));
    for (int i = 0; i < 3; i++) {
        X509 *x = cert(certs[i]);
        char cn[64];
        name_entry(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
        cr_expect_str_eq(cn, labels[i]);
        cr_expect_eq(X509_NAME_entry_count(X509_get_subject_name(x)), 4);
        X509_free(x);
    }
}

Test(mint, signature_algorithms)
{
    struct cp_graph *g = graph("mint/algs");
    int r = cp_graph_entity(g, "R"), rsa = cp_graph_entity_rsa(g, "RSA Root"),
        a = cp_graph_entity(g, "A"), l = cp_graph_entity(g, "L");
    int root = cp_graph_root(g, r), rsa_root = cp_graph_root(g, rsa);
    int ec_sha1 = cp_graph_ca(g, r, a), rsa_sha256 = cp_graph_ca(g, rsa, a),
        rsa_sha1 = cp_graph_ca(g, rsa, a), unknown = cp_graph_ca(g, r, a),
        rsa_unknown = cp_graph_ca(g, rsa, a), leaf = cp_graph_leaf(g, a, l);
    at(g, ec_sha1)->sig_alg = CP_SIG_SHA1;
    at(g, rsa_sha1)->sig_alg = CP_SIG_SHA1;
    at(g, unknown)->sig_alg = CP_SIG_UNKNOWN;
    at(g, rsa_unknown)->sig_alg = CP_SIG_UNKNOWN;
    int sent[] = {leaf, ec_sha1};
    add_case(g, "mint/algs/case", r, sent, 2);
    mint();

    X509 *rx = cert(root), *rsax = cert(rsa_root);
    static const struct {
        const char *what;
        int nid;
        const char *oid;
        int ptype;
    } want[] = {
        {"ecdsa-with-SHA1", NID_ecdsa_with_SHA1, "1.2.840.10045.4.1", V_ASN1_UNDEF},
        {"sha256WithRSAEncryption", NID_sha256WithRSAEncryption, "1.2.840.113549.1.1.11",
         V_ASN1_NULL},
        {"sha1WithRSAEncryption", NID_sha1WithRSAEncryption, "1.2.840.113549.1.1.5", V_ASN1_NULL},
        {"ML-DSA-65", NID_undef, ML_DSA_65, V_ASN1_UNDEF},
        {"ML-DSA-65 (RSA issuer)", NID_undef, ML_DSA_65, V_ASN1_UNDEF},
    };
    int certs[] = {ec_sha1, rsa_sha256, rsa_sha1, unknown, rsa_unknown};
    X509 *issuers[] = {rx, rsax, rsax, rx, rsax};
    for (size_t i = 0; i < CP_ARRAY_LEN(certs); i++) {
        X509 *x = cert(certs[i]);
        char oid[80];
        int ptype = -2;
        sig_alg(x, oid, sizeof(oid), &ptype);
        cr_expect_str_eq(oid, want[i].oid, "%s", want[i].what);
        cr_expect_eq(ptype, want[i].ptype, "%s: parameters", want[i].what);
        if (want[i].nid != NID_undef) {
            cr_expect_eq(X509_get_signature_nid(x), want[i].nid, "%s", want[i].what);
            cr_expect_eq(verify_by(x, issuers[i]), 1, "%s does not verify", want[i].what);
        } else {
            cr_expect_neq(verify_by(x, issuers[i]), 1, "an unknown algorithm verified");
        }
        X509_free(x);
    }
    cr_expect_eq(X509_get_signature_nid(rsax), NID_sha256WithRSAEncryption);
    cr_expect_eq(verify_by(rsax, rsax), 1);
    cr_expect_eq(EVP_PKEY_get_base_id(X509_get0_pubkey(rsax)), EVP_PKEY_RSA);
    cr_expect_eq(EVP_PKEY_get_bits(X509_get0_pubkey(rsax)), 2048);
    X509_free(rx);
    X509_free(rsax);
}

Test(mint, corrupt_signature_flips_one_bit)
{
    struct cp_graph *g = graph("mint/corrupt");
    int r = cp_graph_entity(g, "R"), rsa = cp_graph_entity_rsa(g, "RSA"),
        l = cp_graph_entity(g, "L");
    int root = cp_graph_root(g, r), rsa_root = cp_graph_root(g, rsa), leaf = cp_graph_leaf(g, r, l),
        rsa_leaf = cp_graph_leaf(g, rsa, l);
    int sent[] = {leaf};
    add_case(g, "mint/corrupt/case", r, sent, 1);
    mint();
    struct cp_minted bad;
    cp_minted_init(&bad);
    at(&fx.m.graphs[0], leaf)->sig_corrupt = true;
    at(&fx.m.graphs[0], rsa_leaf)->sig_corrupt = true;
    mint_with(fx.kp, 0, TEST_SEED, &bad);

    int pairs[][2] = {{leaf, root}, {rsa_leaf, rsa_root}};
    for (int k = 0; k < 2; k++) {
        int i = pairs[k][0];
        X509 *good = cert(i), *corrupt = parse_der(bad.der[i], bad.len[i]), *is = cert(pairs[k][1]);
        cr_expect_eq(verify_by(good, is), 1, "the uncorrupted certificate must verify");
        cr_expect_neq(verify_by(corrupt, is), 1, "the corrupted certificate verified");
        /* Same bytes but the last one, which differs in exactly one bit. */
        cr_assert_eq(bad.len[i], fx.mt.len[i]);
        size_t n = fx.mt.len[i];
        cr_expect_eq(memcmp(bad.der[i], fx.mt.der[i], n - 1), 0);
        cr_expect_eq(bad.der[i][n - 1] ^ fx.mt.der[i][n - 1], 0x01);
        X509_free(good);
        X509_free(corrupt);
        X509_free(is);
    }
    cp_minted_free(&bad);
}

/* ---- determinism, threads, keys ---- */

static void mixed_graph(void)
{
    struct cp_graph *g = graph("mint/mixed");
    int r = cp_graph_entity(g, "R"), rsa = cp_graph_entity_rsa(g, "RSA"),
        a = cp_graph_entity(g, "A"), l = cp_graph_entity(g, "L");
    cp_graph_root(g, r);
    cp_graph_root(g, rsa);
    int ica = cp_graph_ca(g, rsa, a), cross = cp_graph_ca(g, r, rsa), leaf = cp_graph_leaf(g, a, l);
    at(g, cross)->sig_alg = CP_SIG_SHA1;
    int sent[] = {leaf, ica, cross};
    add_case(g, "mint/mixed/case", r, sent, 3);
}

static bool same_minted(const struct cp_minted *a, const struct cp_minted *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++) {
        if (a->len[i] != b->len[i] || memcmp(a->der[i], b->der[i], a->len[i]) != 0)
            return false;
    }
    return true;
}

Test(mint, deterministic_per_seed)
{
    mixed_graph();
    mint();
    struct cp_keypool *one = pool(TEST_SEED, 1), *other = pool(TEST_SEED + 1, 3);
    struct cp_minted again, reseeded;
    cp_minted_init(&again);
    cp_minted_init(&reseeded);
    mint_with(one, 0, TEST_SEED, &again);
    mint_with(other, 0, TEST_SEED + 1, &reseeded);
    cr_expect(same_minted(&fx.mt, &again), "same seed and time, other thread count: other bytes");
    for (int i = 0; i < fx.mt.n; i++) {
        X509 *x = cert(i), *y = parse_der(reseeded.der[i], reseeded.len[i]);
        cr_expect(fx.mt.len[i] != reseeded.len[i] ||
                      memcmp(fx.mt.der[i], reseeded.der[i], fx.mt.len[i]) != 0,
                  "certificate %d is the same under another seed", i);
        cr_expect_neq(EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(y)), 1,
                      "certificate %d has the same key under another seed", i);
        X509_free(x);
        X509_free(y);
    }
    cp_minted_free(&again);
    cp_minted_free(&reseeded);
    cp_keypool_free(one);
    cp_keypool_free(other);
}

#define RACE_THREADS 4

struct race {
    const struct cp_keypool *kp;
    struct cp_minted mt;
    int rc;
};

static void *race_worker(void *arg)
{
    struct race *r = arg;
    r->rc = cp_mint_graph(r->kp, &fx.m.graphs[0], TEST_SEED, TEST_TIME, &r->mt);
    return NULL;
}

Test(mint, concurrent_minting_with_lazy_rsa_keys_agrees)
{
    mixed_graph();
    finalise();
    fx.kp = pool(TEST_SEED, 2); /* RSA keys not made yet: the threads race to make them */
    struct race r[RACE_THREADS];
    pthread_t tid[RACE_THREADS];
    for (int i = 0; i < RACE_THREADS; i++) {
        r[i].kp = fx.kp;
        cp_minted_init(&r[i].mt);
        cr_assert_eq(pthread_create(&tid[i], NULL, race_worker, &r[i]), 0);
    }
    for (int i = 0; i < RACE_THREADS; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < RACE_THREADS; i++) {
        cr_expect_eq(r[i].rc, 0, "thread %d failed", i);
        cr_expect(same_minted(&r[0].mt, &r[i].mt), "thread %d minted other bytes", i);
    }
    struct cp_keypool *fresh = pool(TEST_SEED, 1);
    mint_with(fresh, 0, TEST_SEED, &fx.mt);
    cr_expect(same_minted(&r[0].mt, &fx.mt), "a single-threaded run minted other bytes");
    cp_keypool_free(fresh);
    for (int i = 0; i < RACE_THREADS; i++)
        cp_minted_free(&r[i].mt);
}

/* The entity's key, read back from the pool (an issuer may have no certificate at all). */
static EVP_PKEY *entity_key(const struct cp_entity *e)
{
    char pem[PEM_KEY_MAX];
    int rc = cp_keypool_key_pem(fx.kp, e, pem, sizeof(pem));
    cr_assert_eq(rc, 0, "cp_keypool_key_pem(%s): %s", e->label, cp_error_msg(rc));
    BIO *b = BIO_new_mem_buf(pem, -1);
    cr_assert_not_null(b);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    cr_assert_not_null(k, "OpenSSL cannot read the key PEM of %s", e->label);
    BIO_free(b);
    return k;
}

static void expect_pem_matches(const struct cp_entity *e, X509 *x, int type)
{
    EVP_PKEY *k = entity_key(e);
    cr_expect_eq(EVP_PKEY_get_base_id(k), type);
    cr_expect_eq(EVP_PKEY_eq(k, X509_get0_pubkey(x)), 1, "the key of %s does not match", e->label);
    EVP_PKEY_free(k);
}

Test(mint, key_pem_matches_the_certificate)
{
    mixed_graph();
    mint();
    const struct cp_graph *g = &fx.m.graphs[0];
    int leaf = cp_graph_find(g, "A->L"), rsa_root = cp_graph_find(g, "RSA");
    cr_assert_geq(leaf, 0);
    cr_assert_geq(rsa_root, 0);
    X509 *x = cert(leaf), *rx = cert(rsa_root);
    expect_pem_matches(&g->entities[g->certs[leaf].subject], x, EVP_PKEY_EC);
    expect_pem_matches(&g->entities[g->certs[rsa_root].subject], rx, EVP_PKEY_RSA);
    char tiny[64];
    int rc = cp_keypool_key_pem(fx.kp, &g->entities[g->certs[leaf].subject], tiny, sizeof(tiny));
    cr_expect_eq(rc, CP_E_LIMIT, "a 64-byte buffer: %d (%s)", rc, cp_error_msg(rc));
    X509_free(x);
    X509_free(rx);
}

/* ---- errors ---- */

Test(mint, errors_name_the_graph_and_certificate)
{
    struct cp_graph *g = graph("mint/errors");
    int r = cp_graph_entity(g, "R"), l = cp_graph_entity(g, "L");
    cp_graph_root(g, r);
    int leaf = cp_graph_leaf(g, r, l);
    int sent[] = {leaf};
    add_case(g, "mint/errors/case", r, sent, 1);
    fx.kp = pool(TEST_SEED, 2);
    g = &fx.m.graphs[0];

    /* Not finalised: no key slots, no serials. */
    int rc = cp_mint_graph(fx.kp, g, TEST_SEED, TEST_TIME, &fx.mt);
    cr_expect_lt(rc, 0);
    cr_expect_not_null(strstr(cp_error_msg(rc), g->tag), "%s", cp_error_msg(rc));
    cr_expect_not_null(strstr(cp_error_msg(rc), "mint/errors"), "%s", cp_error_msg(rc));

    finalise();
    at(g, leaf)->version = 2;
    rc = cp_mint_graph(fx.kp, g, TEST_SEED, TEST_TIME, &fx.mt);
    cr_expect_eq(rc, CP_E_ARG);
    cr_expect_not_null(strstr(cp_error_msg(rc), "minting R->L"), "%s", cp_error_msg(rc));
    cr_expect_eq(fx.mt.n, 0, "a failed mint must leave the output empty");

    at(g, leaf)->version = 3;
    at(g, leaf)->not_before = -40 * 366 * CP_DAY; /* before 2000 */
    rc = cp_mint_graph(fx.kp, g, TEST_SEED, TEST_TIME, &fx.mt);
    cr_expect_eq(rc, CP_E_ARG);
    cr_expect_not_null(strstr(cp_error_msg(rc), "validity"), "%s", cp_error_msg(rc));

    at(g, leaf)->not_before = 0;
    at(g, leaf)->aki = CP_KID_MISLEADING; /* kid_entity -1 */
    rc = cp_mint_graph(fx.kp, g, TEST_SEED, TEST_TIME, &fx.mt);
    cr_expect_eq(rc, CP_E_ARG, "%s", cp_error_msg(rc));

    at(g, leaf)->aki = CP_KID_PRESENT;
    rc = cp_mint_graph(fx.kp, g, TEST_SEED, TEST_TIME, &fx.mt);
    cr_expect_eq(rc, 0, "%s", cp_error_msg(rc));
    cr_expect_eq(fx.mt.n, 2);
}

/* ---- every family ---- */

Test(mint, every_family_graph_parses_as_modelled)
{
    int rc = cp_generator_build(&fx.m, NULL, 0);
    cr_assert_eq(rc, 0, "cp_generator_build: %s", cp_error_msg(rc));
    fx.kp = pool(TEST_SEED, 2);
    long ncerts = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int gi = 0; gi < fx.m.ngraphs; gi++) {
        const struct cp_graph *g = &fx.m.graphs[gi];
        struct cp_minted mt;
        cp_minted_init(&mt);
        rc = cp_mint_graph(fx.kp, g, TEST_SEED, TEST_TIME, &mt);
        cr_assert_eq(rc, 0, "graph %s: %s", g->name, cp_error_msg(rc));
        cr_assert_eq(mt.n, g->ncerts);
        for (int i = 0; i < g->ncerts; i++) {
            const struct cp_cert *c = &g->certs[i];
            bool rsa = g->entities[c->issuer].alg == CP_KEY_RSA_2048;
            X509 *x = parse_der(mt.der[i], mt.len[i]);
            cr_expect_eq(X509_get_version(x), c->version - 1, "%s %s", g->name, c->label);
            if (c->version == 1)
                cr_expect_eq(X509_get_ext_count(x), 0, "%s %s", g->name, c->label);
            cr_expect_eq(offset_of(X509_get0_notBefore(x)), (long)c->not_before, "%s %s", g->name,
                         c->label);
            cr_expect_eq(offset_of(X509_get0_notAfter(x)), (long)c->not_after, "%s %s", g->name,
                         c->label);
            char oid[80];
            int ptype;
            sig_alg(x, oid, sizeof(oid), &ptype);
            if (c->sig_alg == CP_SIG_UNKNOWN) {
                cr_expect_str_eq(oid, ML_DSA_65, "%s %s", g->name, c->label);
            } else {
                int want = c->sig_alg == CP_SIG_SHA1
                               ? (rsa ? NID_sha1WithRSAEncryption : NID_ecdsa_with_SHA1)
                               : (rsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256);
                cr_expect_eq(X509_get_signature_nid(x), want, "%s %s", g->name, c->label);
                EVP_PKEY *k = entity_key(&g->entities[c->issuer]);
                cr_expect_eq(X509_verify(x, k) == 1, !c->sig_corrupt, "%s %s: signature", g->name,
                             c->label);
                EVP_PKEY_free(k);
            }
            X509_free(x);
            ncerts++;
        }
        cp_minted_free(&mt);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_log_info("minted and checked %d graphs, %ld certificates in %.2f s", fx.m.ngraphs, ncerts,
                s);
}
