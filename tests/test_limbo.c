/*
 * test_limbo.c - x509-limbo both ways (limbo/cp_limbo.h): hand-written limbo testcases, one per
 * field and per skip reason, made of real certificates from a generated suite; bad input; the
 * imported suite run through OpenSSL and reported as LimboResult; and the export/import round
 * trip of the whole default suite, the export validated against the schema.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_limbo.h"
#include "cp_manifest.h"
#include "cp_missing.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The suite the certificates come from, and the limbo time of most testcases. */
#define T0 "2026-06-01T12:00:00Z"
#define T0_LIMBO "2026-06-01T12:00:00+00:00"
#define T0_UNIX INT64_C(1780315200)
/* 400 days after T0: every certificate of the good chain (valid for 366 days) has expired. */
#define T_LATER "2027-07-06T12:00:00+00:00"
#define T_LATER_UNIX (T0_UNIX + 400 * 86400)

static char work[256]; /* mkdtemp's /tmp/cp-test-limbo.XXXXXX */

static void make_work(void)
{
    snprintf(work, sizeof(work), "/tmp/cp-test-limbo.XXXXXX");
    cr_assert_not_null(mkdtemp(work));
}

static void drop_work(void)
{
    if (work[0])
        cp_fs_rmtree(work);
}

static char *read_text(const char *dir, const char *file)
{
    char path[PATH_MAX * 2];
    char *text = NULL;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    cr_assert_eq(cp_fs_read(path, 1u << 24, &text, NULL), 0, "%s", cp_error_msg(-1));
    return text;
}

/* The PEM blocks of a file, each a string of the array. */
static cJSON *pem_list(const char *dir, const char *file)
{
    char *text = read_text(dir, file), *p = text;
    const char *end = "-----END CERTIFICATE-----\n";
    cJSON *a = cJSON_CreateArray();
    for (char *e; (e = strstr(p, end)); p = e + strlen(end)) {
        char save = e[strlen(end)];
        e[strlen(end)] = '\0';
        cJSON_AddItemToArray(a, cJSON_CreateString(p));
        e[strlen(end)] = save;
    }
    free(text);
    return a;
}

/* A SERVER testcase from a generated case's files: peer and intermediates from chain.pem in
 * its order, trusted certificates from roots.pem, the key from leaf.key. */
static cJSON *testcase(const char *suite, const char *case_id, const char *id, const char *host,
                       const char *vtime, bool success, bool with_key)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/cases/%s", suite, case_id);
    cJSON *t = cJSON_CreateObject(), *chain = pem_list(dir, "chain.pem");
    cJSON_AddStringToObject(t, "id", id);
    cJSON_AddItemToObject(t, "conflicts_with", cJSON_CreateArray());
    cJSON_AddItemToObject(t, "features", cJSON_CreateArray());
    cJSON_AddStringToObject(t, "importance", "high");
    cJSON_AddStringToObject(t, "description", "A hand-written\ntestcase.");
    cJSON_AddStringToObject(t, "validation_kind", "SERVER");
    cJSON_AddItemToObject(t, "trusted_certs", pem_list(dir, "roots.pem"));
    cJSON_AddItemToObject(t, "peer_certificate", cJSON_DetachItemFromArray(chain, 0));
    cJSON_AddItemToObject(t, "untrusted_intermediates", chain);
    if (with_key) {
        char *key = read_text(dir, "leaf.key");
        cJSON_AddStringToObject(t, "peer_certificate_key", key);
        free(key);
    } else {
        cJSON_AddNullToObject(t, "peer_certificate_key");
    }
    if (vtime)
        cJSON_AddStringToObject(t, "validation_time", vtime);
    else
        cJSON_AddNullToObject(t, "validation_time");
    cJSON_AddItemToObject(t, "signature_algorithms", cJSON_CreateArray());
    cJSON_AddItemToObject(t, "key_usage", cJSON_CreateArray());
    cJSON *eku = cJSON_AddArrayToObject(t, "extended_key_usage");
    cJSON_AddItemToArray(eku, cJSON_CreateString("serverAuth"));
    cJSON_AddStringToObject(t, "expected_result", success ? "SUCCESS" : "FAILURE");
    if (host) {
        cJSON *pn = cJSON_AddObjectToObject(t, "expected_peer_name");
        cJSON_AddStringToObject(pn, "kind", "DNS");
        cJSON_AddStringToObject(pn, "value", host);
    } else {
        cJSON_AddNullToObject(t, "expected_peer_name");
    }
    cJSON_AddItemToObject(t, "expected_peer_names", cJSON_CreateArray());
    cJSON_AddNullToObject(t, "max_chain_depth");
    cJSON_AddItemToObject(t, "crls", cJSON_CreateArray());
    return t;
}

static void set(cJSON *t, const char *key, cJSON *v)
{
    cJSON_ReplaceItemInObjectCaseSensitive(t, key, v);
}

static cJSON *strings(const char *a, const char *b)
{
    cJSON *l = cJSON_CreateArray();
    cJSON_AddItemToArray(l, cJSON_CreateString(a));
    if (b)
        cJSON_AddItemToArray(l, cJSON_CreateString(b));
    return l;
}

static cJSON *peer(const char *kind, const char *value)
{
    cJSON *pn = cJSON_CreateObject();
    cJSON_AddStringToObject(pn, "kind", kind);
    cJSON_AddStringToObject(pn, "value", value);
    return pn;
}

static void write_json(const char *path, const cJSON *doc)
{
    char *text = cJSON_Print(doc);
    cr_assert_not_null(text);
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0, "%s", cp_error_msg(-1));
    cJSON_free(text);
}

static void write_text(const char *path, const char *text)
{
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0, "%s", cp_error_msg(-1));
}

/* The generated source suite: controls and validity at T0. */
static void make_source(char *suite, size_t cap)
{
    char args[1024];
    snprintf(suite, cap, "%s/src", work);
    snprintf(args, sizeof(args),
             "generate -o %s --time " T0 " --family controls --family validity -j 2", suite);
    cr_assert_eq(cp_test_certpath(work, NULL, args, NULL, NULL), 0, "certpath generate failed");
}

static const char *hostname_of(const struct cp_manifest *m, const char *id)
{
    const struct cp_manifest_case *c = cp_test_manifest_case(m, id);
    cr_assert_not_null(c, "the source suite has no case %s", id);
    return c->hostname;
}

#define GOOD "controls/accept"
#define LONG "validity/chain/leaf-long-lived/reversed"
#define EXPIRED "validity/chain/leaf-expired/declared"

/* The hand-written file: every field, every skip reason, and the bad testcases. */
static void write_limbo(const char *src, const char *path, int *nrefused)
{
    struct cp_manifest sm;
    cp_test_manifest_load(src, &sm);
    const char *hg = hostname_of(&sm, GOOD), *he = hostname_of(&sm, EXPIRED),
               *hl = hostname_of(&sm, LONG);
    cJSON *doc = cJSON_CreateObject(), *tcs;
    cJSON_AddNumberToObject(doc, "version", 1);
    tcs = cJSON_AddArrayToObject(doc, "testcases");
    cJSON *good = testcase(src, LONG, "tc::good", hl, T0_LIMBO, true, true);
    set(good, "conflicts_with", strings("tc::expired", NULL));
    set(good, "features", strings("pedantic-rfc5280", "has-cert-policies"));
    cJSON_AddItemToArray(tcs, good);
    cJSON *exp = testcase(src, EXPIRED, "tc::expired", he, T0_LIMBO, false, false);
    set(exp, "conflicts_with", strings("tc::good", NULL));
    cJSON_AddItemToArray(tcs, exp);
    /* The good chain 400 days on, when it has expired: the testcase's own time counts. */
    cJSON_AddItemToArray(tcs, testcase(src, GOOD, "tc::good-later", hg, T_LATER, false, false));
    /* null: the suite's time (the import's --time, T0). */
    cJSON_AddItemToArray(tcs, testcase(src, GOOD, "tc::null-time", hg, NULL, true, true));
    cJSON_AddItemToArray(tcs,
                         testcase(src, EXPIRED, "tc::null-time-expired", he, NULL, false, false));
    cJSON *s;
    /* No peer name: no name check. */
    cJSON_AddItemToArray(tcs, testcase(src, GOOD, "tc::no-name", NULL, T0_LIMBO, true, false));
    /* A PEM whose bytes are no certificate: imported (a malformed certificate is a test input;
     * only the PEM must decode), named as one Mbed TLS cannot parse. */
    s = testcase(src, GOOD, "tc::not-der", hg, T0_LIMBO, false, false);
    set(s, "peer_certificate",
        cJSON_CreateString("-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n"));
    cJSON_AddItemToArray(tcs, s);
    /* One testcase per skip reason, in enum order. */
    s = testcase(src, GOOD, "skip::client", hg, T0_LIMBO, true, true);
    set(s, "validation_kind", cJSON_CreateString("CLIENT"));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::crls", hg, T0_LIMBO, true, true);
    set(s, "crls", pem_list(src, "cases/" GOOD "/roots.pem"));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::depth", hg, T0_LIMBO, true, true);
    set(s, "max_chain_depth", cJSON_CreateNumber(1));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::key-usage", hg, T0_LIMBO, true, true);
    set(s, "key_usage", strings("digitalSignature", NULL));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::sig-algs", hg, T0_LIMBO, true, true);
    set(s, "signature_algorithms", strings("ECDSA_WITH_SHA256", NULL));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::eku", hg, T0_LIMBO, true, true);
    set(s, "extended_key_usage", strings("serverAuth", "clientAuth"));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::ip", hg, T0_LIMBO, true, true);
    set(s, "expected_peer_name", peer("IP", "192.0.2.1"));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::rfc822", hg, T0_LIMBO, true, true);
    set(s, "expected_peer_name", peer("RFC822", "a@example.com"));
    cJSON_AddItemToArray(tcs, s);
    s = testcase(src, GOOD, "skip::peer-names", hg, T0_LIMBO, true, true);
    cJSON *names = cJSON_CreateArray();
    cJSON_AddItemToArray(names, peer("DNS", "client.example"));
    set(s, "expected_peer_names", names);
    cJSON_AddItemToArray(tcs, s);
    char longname[201];
    memset(longname, 'a', 200);
    longname[200] = '\0';
    s = testcase(src, GOOD, "skip::long-name", hg, T0_LIMBO, true, true);
    set(s, "expected_peer_name", peer("DNS", longname));
    cJSON_AddItemToArray(tcs, s);
    /* Refused: a PEM that does not decode, a duplicate id, a conflict with no such testcase,
     * a testcase that is not an object, an expected_result limbo does not have. */
    s = testcase(src, GOOD, "bad::pem", hg, T0_LIMBO, true, true);
    set(s, "peer_certificate",
        cJSON_CreateString("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"));
    cJSON_AddItemToArray(tcs, s);
    cJSON_AddItemToArray(tcs, testcase(src, EXPIRED, "tc::good", he, T0_LIMBO, false, false));
    s = testcase(src, GOOD, "bad::conflict", hg, T0_LIMBO, true, true);
    set(s, "conflicts_with", strings("nope::missing", NULL));
    cJSON_AddItemToArray(tcs, s);
    cJSON_AddItemToArray(tcs, cJSON_CreateNumber(42));
    s = testcase(src, GOOD, "bad::result", hg, T0_LIMBO, true, true);
    set(s, "expected_result", cJSON_CreateString("MAYBE"));
    cJSON_AddItemToArray(tcs, s);
    *nrefused = 5;
    write_json(path, doc);
    cJSON_Delete(doc);
    cp_manifest_free(&sm);
}

static void sha256_hex(const char *suite, const struct cp_manifest *m, int cert, char out[65])
{
    (void)suite;
    snprintf(out, 65, "%s", m->certs[cert].sha256);
}

Test(limbo, import_every_field_and_skip_reason, .init = make_work, .fini = drop_work,
     .timeout = 300)
{
    char src[300], in[300], out[300], log[300];
    int nrefused;
    make_source(src, sizeof(src));
    snprintf(in, sizeof(in), "%s/limbo.json", work);
    snprintf(out, sizeof(out), "%s/imported", work);
    snprintf(log, sizeof(log), "%s/import.log", work);
    write_limbo(src, in, &nrefused);

    FILE *lf = fopen(log, "w");
    cr_assert_not_null(lf);
    int64_t t0;
    cr_assert_eq(cp_manifest_time_parse(T0, &t0), 0);
    struct cp_limbo_import_opts o = {.in = in, .out_dir = out, .vtime = t0, .log = lf};
    struct cp_limbo_import_stats st;
    int rc = cp_limbo_import(&o, &st);
    fclose(lf);
    cr_assert_eq(rc, 0, "import failed: %s", cp_error_msg(rc));
    cr_expect_eq(st.testcases, 7 + CP_LIMBO_SKIP_COUNT + 1 + nrefused);
    cr_expect_eq(st.imported, 7 + CP_LIMBO_SKIP_COUNT + 1);
    cr_expect_eq(st.skipped, CP_LIMBO_SKIP_COUNT + 1);
    cr_expect_eq(st.refused, nrefused);
    /* One testcase per reason; two for the peer name kind (IP and RFC822). */
    for (int s = 0; s < CP_LIMBO_SKIP_COUNT; s++)
        cr_expect_eq(st.skips[s], s == CP_LIMBO_SKIP_PEER_KIND ? 2 : 1, "skip %s counted %d times",
                     cp_limbo_skip_name(s), st.skips[s]);
    /* Each refusal is named. */
    char *text = read_text(work, "import.log");
    const char *named[] = {"bad::pem: PEM does not decode", "tc::good: duplicate id",
                           "bad::conflict: conflicts_with names \"nope::missing\"",
                           "testcase #21: is not an object", "bad::result: \"expected_result\""};
    for (size_t i = 0; i < CP_ARRAY_LEN(named); i++)
        cr_expect(strstr(text, named[i]), "the import log does not say \"%s\":\n%s", named[i],
                  text);
    free(text);

    /* The tool prints the counts and each skip reason with its count. */
    char cli[1024], *said = NULL;
    snprintf(cli, sizeof(cli), "import %s -o %s/cli-imported --time " T0, in, work);
    cr_assert_eq(cp_test_certpath(work, NULL, cli, NULL, &said), 0, "import failed: %s", said);
    char line[256];
    snprintf(line, sizeof(line), "%d testcases: %d imported (%d to run, %d skipped), %d refused",
             st.testcases, st.imported, st.imported - st.skipped, st.skipped, st.refused);
    cr_expect(strstr(said, line), "no \"%s\" in:\n%s", line, said);
    for (int s = 0; s < CP_LIMBO_SKIP_COUNT; s++) {
        snprintf(line, sizeof(line), "%5d  %s", st.skips[s], cp_limbo_skip_reason(s));
        cr_expect(strstr(said, line), "no \"%s\" in:\n%s", line, said);
    }
    cr_expect(strstr(said, "refused: ") && strstr(said, "bad::pem"), "%s", said);
    free(said);

    struct cp_manifest m, sm;
    cp_test_manifest_load(out, &m);
    cp_test_manifest_load(src, &sm);
    cr_assert_eq(m.nprofiles, 1);
    cr_expect_str_eq(m.profiles[0], "limbo");
    cr_expect_eq(m.vtime, t0);
    cr_expect(strncmp(m.generator, CP_MANIFEST_IMPORTED, strlen(CP_MANIFEST_IMPORTED)) == 0);
    cr_expect_not_null(cp_test_manifest_case(&m, "controls/accept"), "the controls come first");
    cr_expect_null(cp_test_manifest_case(&m, "bad::pem"));
    cr_expect_null(cp_test_manifest_case(&m, "bad::conflict"));
    /* t::good: the first of the two with that id, its certificates in order, anchors, name,
     * time, expectation, features. */
    const struct cp_manifest_case *g = cp_test_manifest_case(&m, "tc::good");
    const struct cp_manifest_case *sg = cp_test_manifest_case(&sm, LONG);
    cr_assert_not_null(g);
    cr_expect(g->expect[0].accept);
    cr_expect_null(g->skip);
    cr_expect_str_eq(g->hostname, sg->hostname);
    cr_expect(g->own_time && g->vtime == T0_UNIX);
    cr_expect_str_eq(g->description, "A hand-written testcase.");
    cr_assert_eq(g->nsent, sg->nsent);
    for (int i = 0; i < g->nsent; i++)
        cr_expect_str_eq(m.certs[g->sent[i]].sha256, sm.certs[sg->sent[i]].sha256,
                         "sent certificate %d differs", i);
    cr_assert_eq(g->nanchors, sg->nanchors);
    cr_expect_str_eq(m.certs[g->anchors[0]].sha256, sm.certs[sg->anchors[0]].sha256);
    int f1 = cp_manifest_name_index(m.features, m.nfeatures, "limbo:pedantic-rfc5280");
    int f2 = cp_manifest_name_index(m.features, m.nfeatures, "limbo:has-cert-policies");
    int fh = cp_manifest_name_index(m.features, m.nfeatures, "hostname");
    cr_assert(f1 >= 0 && f2 >= 0 && fh >= 0);
    int fe = cp_manifest_name_index(m.features, m.nfeatures, "leaf-eku");
    cr_assert(fe >= 0);
    /* [serverAuth] is the purpose check: leaf-eku. */
    cr_expect_eq(g->features, (UINT64_C(1) << f1) | (UINT64_C(1) << f2) | (UINT64_C(1) << fh) |
                                  (UINT64_C(1) << fe));
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s/leaf.key", out, g->dir);
    cr_expect_eq(access(path, R_OK), 0, "tc::good has its key");
    /* The expired leaf: no key, its own time, and the shared certificates stored once. */
    const struct cp_manifest_case *x = cp_test_manifest_case(&m, "tc::expired");
    cr_assert_not_null(x);
    cr_expect(!x->expect[0].accept);
    snprintf(path, sizeof(path), "%s/%s/leaf.key", out, x->dir);
    cr_expect_neq(access(path, F_OK), 0, "tc::expired has no peer_certificate_key");
    const struct cp_manifest_case *gl = cp_test_manifest_case(&m, "tc::good-later");
    cr_assert_not_null(gl);
    cr_expect(gl->own_time && gl->vtime == T_LATER_UNIX);
    const struct cp_manifest_case *nt0 = cp_test_manifest_case(&m, "tc::null-time");
    cr_assert_not_null(nt0);
    cr_expect_eq(gl->leaf, nt0->leaf, "the same DER is one certificate of the suite");
    const struct cp_manifest_case *nt = cp_test_manifest_case(&m, "tc::null-time");
    cr_assert_not_null(nt);
    cr_expect(!nt->own_time, "a null validation_time is the suite's time");
    cr_expect(strstr(m.certs[g->leaf].subject, "CN="), "a parsed certificate's subject: %s",
              m.certs[g->leaf].subject);
    const struct cp_manifest_case *nd = cp_test_manifest_case(&m, "tc::not-der");
    cr_assert_not_null(nd, "a PEM that decodes to no certificate is still a testcase");
    cr_expect(strstr(m.certs[nd->leaf].subject, "Mbed TLS cannot parse it"), "%s",
              m.certs[nd->leaf].subject);
    cr_expect_str_neq(m.certs[nd->leaf].subject, m.certs[nd->leaf].issuer);
    const struct cp_manifest_case *nn = cp_test_manifest_case(&m, "tc::no-name");
    cr_assert_not_null(nn);
    cr_expect_str_eq(nn->hostname, "");
    /* Each skip carries its reason. */
    const char *skips[CP_LIMBO_SKIP_COUNT] = {
        "skip::client", "skip::crls", "skip::depth",      "skip::key-usage", "skip::sig-algs",
        "skip::eku",    "skip::ip",   "skip::peer-names", "skip::long-name"};
    const enum cp_limbo_skip want[CP_LIMBO_SKIP_COUNT] = {
        CP_LIMBO_SKIP_CLIENT,    CP_LIMBO_SKIP_CRLS,       CP_LIMBO_SKIP_DEPTH,
        CP_LIMBO_SKIP_KEY_USAGE, CP_LIMBO_SKIP_SIG_ALGS,   CP_LIMBO_SKIP_EKU,
        CP_LIMBO_SKIP_PEER_KIND, CP_LIMBO_SKIP_PEER_NAMES, CP_LIMBO_SKIP_LONG_NAME};
    for (int i = 0; i < CP_LIMBO_SKIP_COUNT; i++) {
        const struct cp_manifest_case *c = cp_test_manifest_case(&m, skips[i]);
        cr_assert_not_null(c, "%s was not imported", skips[i]);
        cr_expect_str_eq(c->skip ? c->skip : "(none)", cp_limbo_skip_reason(want[i]), "%s",
                         skips[i]);
    }
    const struct cp_manifest_case *r822 = cp_test_manifest_case(&m, "skip::rfc822");
    cr_assert_not_null(r822, "skip::rfc822 was not imported");
    cr_expect_str_eq(r822->skip ? r822->skip : "(none)",
                     cp_limbo_skip_reason(CP_LIMBO_SKIP_PEER_KIND));
    char h[65];
    sha256_hex(out, &m, g->leaf, h);
    cr_expect_str_eq(h, sm.certs[sg->leaf].sha256);
    cp_manifest_free(&sm);

    /* Run it: OpenSSL in-process, then LimboResult. */
#ifndef CP_TEST_HAVE_OPENSSL_MODULE
    cp_manifest_free(&m);
    cp_test_missing("openssl", "the openssl adapter is not built: the import was checked, not run");
#endif
    char args[2048];
    snprintf(args, sizeof(args), "--suite %s -j 2", out);
    cJSON *res = cp_test_run_results(NULL, "openssl", args);
    const char *outcome[][2] = {{"controls/accept", "accept"},
                                {"controls/reject", "reject"},
                                {"tc::good", "accept"},
                                {"tc::expired", "reject"},
                                {"tc::good-later", "reject"},
                                {"tc::null-time", "accept"},
                                {"tc::null-time-expired", "reject"},
                                {"tc::no-name", "accept"}};
    for (size_t i = 0; i < CP_ARRAY_LEN(outcome); i++)
        cr_expect_str_eq(cp_test_field(cp_test_case_of(res, outcome[i][0]), "outcome"),
                         outcome[i][1], "%s", outcome[i][0]);
    for (int i = 0; i < CP_LIMBO_SKIP_COUNT; i++) {
        const cJSON *c = cp_test_case_of(res, skips[i]);
        cr_expect_str_eq(cp_test_field(c, "outcome"), "skip", "%s", skips[i]);
        cr_expect_str_eq(cp_test_field(c, "reason"), cp_limbo_skip_reason(want[i]), "%s", skips[i]);
    }
    /* Over the wire: the built-in server serves the cases with a key and a name; the others
     * are skipped with the reason, never failed. */
    snprintf(args, sizeof(args), "--suite %s -j 2 --mode wire", out);
    cJSON *wire = cp_test_run_results(NULL, "openssl", args);
    const char *wwant[][2] = {{"controls/accept", "accept"},
                              {"tc::good", "accept"},
                              {"tc::null-time", "skip"},
                              {"tc::expired", "skip"},
                              {"tc::no-name", "skip"}};
    for (size_t i = 0; i < CP_ARRAY_LEN(wwant); i++)
        cr_expect_str_eq(cp_test_field(cp_test_case_of(wire, wwant[i][0]), "outcome"), wwant[i][1],
                         "wire: %s", wwant[i][0]);
    cr_expect(strstr(cp_test_field(cp_test_case_of(wire, "tc::expired"), "reason"),
                     "peer_certificate_key"));
    cr_expect(strstr(cp_test_field(cp_test_case_of(wire, "tc::no-name"), "reason"),
                     "expected_peer_name"));
    /* tc::null-time has the hostname of controls/accept, which keeps it. */
    cr_expect(
        strstr(cp_test_field(cp_test_case_of(wire, "tc::null-time"), "reason"), "same hostname"));
    cJSON_Delete(wire);

    char rpath[300], lpath[300];
    snprintf(rpath, sizeof(rpath), "%s/res.json", work);
    snprintf(lpath, sizeof(lpath), "%s/limbo-result.json", work);
    char *rtext = cJSON_Print(res);
    write_text(rpath, rtext);
    cJSON_free(rtext);
    cJSON_Delete(res);
    snprintf(args, sizeof(args), "report %s --limbo %s", rpath, lpath);
    cr_assert_eq(cp_test_certpath(work, NULL, args, NULL, NULL), 0, "certpath report failed");
    cJSON *lr = cp_test_load_json(lpath);
    const char *lwant[][2] = {{"tc::good", "SUCCESS"},
                              {"tc::expired", "FAILURE"},
                              {"skip::crls", "SKIPPED"},
                              {"certpath::controls::accept", "SUCCESS"}};
    const cJSON *results = cJSON_GetObjectItem(lr, "results"), *it;
    for (size_t i = 0; i < CP_ARRAY_LEN(lwant); i++) {
        const char *got = "(missing)", *ctx = "";
        cJSON_ArrayForEach(it, results)
        {
            if (strcmp(cp_test_field(it, "id"), lwant[i][0]) == 0) {
                got = cp_test_field(it, "actual_result");
                ctx = cp_test_field(it, "context");
            }
        }
        cr_expect_str_eq(got, lwant[i][1], "LimboResult of %s", lwant[i][0]);
        if (strcmp(lwant[i][0], "skip::crls") == 0)
            cr_expect(strstr(ctx, "crls: certpath does not check revocation"), "context: %s", ctx);
        if (strcmp(lwant[i][0], "tc::expired") == 0)
            cr_expect(strstr(ctx, "expired"), "OpenSSL's own text in the context: %s", ctx);
    }
    cJSON_Delete(lr);
    cp_manifest_free(&m);
}

/* A file that is not limbo JSON fails whole and leaves no suite. */
Test(limbo, not_limbo_json_fails_whole, .init = make_work, .fini = drop_work)
{
    const char *bad[][2] = {
        {"hello", "is not limbo JSON: no top-level object"},
        {"{\"version\": 2, \"testcases\": []}", "limbo format version 2"},
        {"{\"version\": 1}", "no \"testcases\""},
        {"{\"testcases\": []}", "no \"version\""},
        {"{\"version\": 1, \"testcases\": {}}", "\"testcases\" is not a list"},
        {"{\"version\": 1, \"testcases\": [{\"id\": \"a\"", "the file ends inside a value"},
    };
    for (size_t i = 0; i < CP_ARRAY_LEN(bad); i++) {
        char in[300], out[300];
        snprintf(in, sizeof(in), "%s/bad%zu.json", work, i);
        snprintf(out, sizeof(out), "%s/suite%zu", work, i);
        write_text(in, bad[i][0]);
        struct cp_limbo_import_opts o = {.in = in, .out_dir = out, .vtime = T0_UNIX};
        struct cp_limbo_import_stats st;
        int rc = cp_limbo_import(&o, &st);
        cr_expect_eq(rc, CP_E_FORMAT, "%s: rc %d", bad[i][0], rc);
        cr_expect(strstr(cp_error_msg(rc), bad[i][1]), "%s: \"%s\"", bad[i][0], cp_error_msg(rc));
        struct stat sb;
        cr_expect_neq(stat(out, &sb), 0, "%s: a failed import left %s", bad[i][0], out);
    }
    /* And the tool says so, with its usage status only for usage. */
    char args[1024], *text = NULL;
    snprintf(args, sizeof(args), "import %s/bad0.json -o %s/s", work, work);
    cr_expect_eq(cp_test_certpath(work, NULL, args, NULL, &text), 1);
    cr_expect(strstr(text, "is not limbo JSON"), "%s", text);
    free(text);
}

/* The stream reader takes any JSON layout: members in any order (testcases before version),
 * unknown members skipped whatever they hold, strings with brackets, quotes and escapes. */
Test(limbo, stream_reader_takes_any_layout, .init = make_work, .fini = drop_work, .timeout = 300)
{
    char src[300], in[300], out[300];
    make_source(src, sizeof(src));
    struct cp_manifest sm;
    cp_test_manifest_load(src, &sm);
    cJSON *t = testcase(src, GOOD, "tc::layout", hostname_of(&sm, GOOD), T0_LIMBO, true, true);
    set(t, "description", cJSON_CreateString("brackets ] } [ { \"quoted\" \\ back\\slash \u00e9"));
    char *one = cJSON_Print(t); /* pretty: newlines and tabs inside the testcase */
    cJSON_Delete(t);
    cp_manifest_free(&sm);
    size_t cap = strlen(one) + 512;
    char *doc = malloc(cap);
    cr_assert_not_null(doc);
    snprintf(doc, cap,
             "\n\t{ \"comment\" : {\"nested\": [1, [2, \"]}\"], {\"x\": null}]},\n"
             "  \"testcases\"\n:\n[\n %s\n ] ,\"extra\": \"a \\\" b\", \"n\": -1.5e3,"
             " \"version\" : 1 }\n\n",
             one);
    cJSON_free(one);
    snprintf(in, sizeof(in), "%s/layout.json", work);
    snprintf(out, sizeof(out), "%s/imported", work);
    write_text(in, doc);
    free(doc);
    struct cp_limbo_import_opts o = {.in = in, .out_dir = out, .vtime = T0_UNIX};
    struct cp_limbo_import_stats st;
    int rc = cp_limbo_import(&o, &st);
    cr_assert_eq(rc, 0, "%s", cp_error_msg(rc));
    cr_expect_eq(st.testcases, 1);
    cr_expect_eq(st.imported, 1);
    struct cp_manifest m;
    cp_test_manifest_load(out, &m);
    const struct cp_manifest_case *c = cp_test_manifest_case(&m, "tc::layout");
    cr_assert_not_null(c);
    cr_expect_str_eq(c->description, "brackets ] } [ { \"quoted\" \\ back\\slash \u00e9");
    cp_manifest_free(&m);
}

static bool has_feature(const struct cp_manifest *m, const struct cp_manifest_case *c,
                        const char *name)
{
    int b = cp_manifest_name_index(m->features, m->nfeatures, name);
    return b >= 0 && (c->features & (UINT64_C(1) << b));
}

/* The whole default suite out and back: the same cases (certificates in order, anchors, name,
 * time) and the same expectations, per profile where the profiles disagree. */
Test(limbo, export_import_round_trip_of_the_default_suite, .init = make_work, .fini = drop_work,
     .timeout = 900)
{
    char args[2048], suite[300], file[300], imp[300];
    snprintf(suite, sizeof(suite), "%s/suite", work);
    snprintf(file, sizeof(file), "%s/certpath.limbo.json", work);
    snprintf(imp, sizeof(imp), "%s/imported", work);
    snprintf(args, sizeof(args), "generate -o %s --time " T0 " -j 2", suite);
    cr_assert_eq(cp_test_certpath(work, NULL, args, NULL, NULL), 0, "certpath generate failed");
    snprintf(args, sizeof(args), "export --format limbo --suite %s -o %s", suite, file);
    cr_assert_eq(cp_test_certpath(work, NULL, args, NULL, NULL), 0, "certpath export failed");
    /* Valid against the schema of limbo's testcase format. */
    snprintf(args, sizeof(args),
             "/usr/bin/python3 -c 'import json,sys,jsonschema; "
             "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' "
             "%s/reports/schema/limbo-testcases.schema.json %s",
             CP_SOURCE_DIR, file);
    cr_expect_eq(system(args), 0, "the export does not validate against the schema");
    snprintf(args, sizeof(args), "import %s -o %s", file, imp);
    char *text = NULL;
    cr_assert_eq(cp_test_certpath(work, NULL, args, NULL, &text), 0, "import failed: %s", text);
    cr_expect(strstr(text, "0 skipped), 0 refused"), "%s", text);
    free(text);

    struct cp_manifest m, im;
    cp_test_manifest_load(suite, &m);
    cp_test_manifest_load(imp, &im);
    int checked = 0, split = 0;
    for (int i = 0; i < m.ncases; i++) {
        const struct cp_manifest_case *c = &m.cases[i];
        bool agree = true;
        for (int p = 1; p < m.nprofiles; p++)
            agree = agree && c->expect[p].accept == c->expect[0].accept;
        split += !agree;
        for (int p = 0; p < (agree ? 1 : m.nprofiles); p++) {
            char id[1100];
            cp_limbo_id(agree ? "all" : m.profiles[p], c->id, id, sizeof(id));
            const struct cp_manifest_case *x = cp_test_manifest_case(&im, id);
            cr_assert_not_null(x, "case %s came back as no %s", c->id, id);
            cr_expect_eq(x->expect[0].accept, c->expect[p].accept, "%s", id);
            cr_expect_str_eq(x->hostname, c->hostname, "%s", id);
            cr_expect_eq(cp_manifest_case_time(&im, x), cp_manifest_case_time(&m, c), "%s", id);
            cr_expect_null(x->skip, "%s", id);
            /* What a row must be able to do comes back too: the purpose check as it was; the
             * hostname check wherever there is a name (limbo asks for it whenever it gives
             * one), so at least where the original asked for it. */
            cr_expect_eq(has_feature(&im, x, "hostname"), x->hostname[0] != '\0', "%s", id);
            cr_expect(!has_feature(&m, c, "hostname") || has_feature(&im, x, "hostname"), "%s", id);
            cr_expect_eq(has_feature(&im, x, "leaf-eku"),
                         has_feature(&m, c, "leaf-eku") || has_feature(&m, c, "eku-on-ca"), "%s",
                         id);
            cr_assert_eq(x->nsent, c->nsent, "%s", id);
            for (int k = 0; k < c->nsent; k++)
                cr_expect_str_eq(im.certs[x->sent[k]].sha256, m.certs[c->sent[k]].sha256,
                                 "%s: sent certificate %d", id, k);
            cr_assert_eq(x->nanchors, c->nanchors, "%s", id);
            for (int k = 0; k < c->nanchors; k++)
                cr_expect_str_eq(im.certs[x->anchors[k]].sha256, m.certs[c->anchors[k]].sha256,
                                 "%s: anchor %d", id, k);
            checked++;
        }
    }
    cr_expect_gt(split, 0, "the default suite has cases where the profiles disagree");
    /* The imported suite holds those and its own two controls, nothing else. */
    cr_expect_eq(im.ncases, checked + 2);
    cp_manifest_free(&m);
    cp_manifest_free(&im);
}
