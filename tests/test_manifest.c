/*
 * test_manifest.c - the manifest part (manifest/cp_manifest.h): a generated manifest read back
 * and written again byte for byte, validated against manifest/manifest.schema.json, and every
 * kind of bad manifest refused with a message naming the field: numbers out of range before
 * any cast (validation_time_unix 1e300), an empty profile list, strings over their bound,
 * impossible dates, unknown certificates and names, duplicate ids, paths out of the suite.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_manifest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_TIME INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

static char tmpdir[256], suite[300];
static char *text; /* the generated manifest.json */
static size_t text_len;

static void setup(void)
{
    static const char *const families[] = {"controls", "bettertls"};
    struct cp_gen_opts o;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-manifest.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s/suite", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = suite;
    o.families = families;
    o.nfamilies = 2;
    o.threads = 2;
    o.vtime = T_TIME;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
    char path[400];
    snprintf(path, sizeof(path), "%s/manifest.json", suite);
    cr_assert_eq(cp_fs_read(path, CP_MANIFEST_MAX_BYTES, &text, &text_len), 0);
}

static void teardown(void)
{
    free(text);
    text = NULL;
    cp_fs_rmtree(tmpdir);
}

TestSuite(manifest, .init = setup, .fini = teardown);

Test(manifest, reads_what_the_generator_wrote_and_writes_the_same_bytes)
{
    struct cp_manifest m;
    char out[400], path[500], *again = NULL;
    size_t len = 0;
    cr_assert_eq(cp_manifest_load(suite, &m), 0, "%s", cp_error_msg(-1));
    cr_expect_eq(m.vtime, T_TIME);
    cr_expect_eq(m.seed, CP_DEFAULT_SEED);
    cr_expect_str_eq(m.profiles[0], "rfc5280");
    cr_expect_str_eq(m.profiles[1], "webpki");
    cr_assert_gt(m.ncases, 100, "controls and bettertls make more than 100 cases");
    int i = cp_manifest_find_case(&m, "controls/accept");
    cr_assert_geq(i, 0);
    const struct cp_manifest_case *c = &m.cases[i];
    cr_expect(c->expect[0].accept && c->expect[1].accept);
    cr_expect_eq(c->nsent, 2);
    cr_expect_str_eq(m.certs[c->sent[0]].label, "ICA->EE");
    cr_expect_str_eq(m.certs[c->leaf].id, m.certs[c->sent[0]].id);
    cr_expect_eq(c->expect[1].npaths, 1);
    cr_expect_eq(c->expect[1].paths[0].n, 3, "leaf, ICA, root");
    cr_expect_eq(cp_manifest_find_case(&m, "no/such/case"), -1);
    cr_expect_eq(cp_manifest_find_cert(&m, m.certs[5].id), 5);

    snprintf(out, sizeof(out), "%s/again", tmpdir);
    cr_assert_eq(cp_fs_mkdirs(out), 0);
    cr_assert_eq(cp_manifest_write(&m, out), 0, "%s", cp_error_msg(-1));
    snprintf(path, sizeof(path), "%s/manifest.json", out);
    cr_assert_eq(cp_fs_read(path, CP_MANIFEST_MAX_BYTES, &again, &len), 0);
    cr_expect_eq(len, text_len);
    cr_expect(len == text_len && memcmp(again, text, len) == 0, "the rewrite differs");
    free(again);
    cp_manifest_free(&m);
    cp_manifest_free(&m); /* safe twice */
    cp_manifest_free(NULL);
}

Test(manifest, the_generated_manifest_validates_against_the_schema)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c 'import json,sys,jsonschema; "
             "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' "
             "%s/manifest/manifest.schema.json %s/manifest.json",
             CP_SOURCE_DIR, suite);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the manifest does not validate (exit %d)",
              WEXITSTATUS(st));
}

/* The generated text with the first occurrence of from replaced by to (freed by the caller). */
static char *edited(const char *from, const char *to)
{
    const char *at = strstr(text, from);
    cr_assert_not_null(at, "\"%s\" is not in the manifest", from);
    size_t head = (size_t)(at - text), n = text_len - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    cr_assert_not_null(out);
    memcpy(out, text, head);
    memcpy(out + head, to, strlen(to));
    memcpy(out + head + strlen(to), at + strlen(from), text_len - head - strlen(from) + 1);
    return out;
}

/* The edited manifest is refused with CP_E_FORMAT and a message holding each of the words. */
static void refused(const char *from, const char *to, const char *word1, const char *word2)
{
    struct cp_manifest m;
    char *bad = edited(from, to);
    int rc = cp_manifest_parse(bad, strlen(bad), "x/manifest.json", &m);
    cr_expect_eq(rc, CP_E_FORMAT, "%s -> %s: rc %d (%s)", from, to, rc,
                 rc ? cp_error_msg(rc) : "accepted");
    if (rc) {
        cr_expect(strstr(cp_error_msg(rc), "x/manifest.json") != NULL, "%s", cp_error_msg(rc));
        cr_expect(strstr(cp_error_msg(rc), word1) != NULL, "want \"%s\" in: %s", word1,
                  cp_error_msg(rc));
        cr_expect(!word2 || strstr(cp_error_msg(rc), word2) != NULL, "want \"%s\" in: %s", word2,
                  cp_error_msg(rc));
    }
    cr_expect_eq(m.ncases, 0, "a refused manifest is left empty");
    cp_manifest_free(&m);
    free(bad);
}

Test(manifest, numbers_are_range_checked_before_any_cast)
{
    refused("\"validation_time_unix\":\t1767225600", "\"validation_time_unix\":\t1e300",
            "\"validation_time_unix\"", "1e+300");
    refused("\"validation_time_unix\":\t1767225600", "\"validation_time_unix\":\t-1",
            "\"validation_time_unix\"", "outside");
    refused("\"validation_time_unix\":\t1767225600", "\"validation_time_unix\":\t1767225600.5",
            "\"validation_time_unix\"", "whole number");
    refused("\"validation_time_unix\":\t1767225600", "\"validation_time_unix\":\t\"1767225600\"",
            "\"validation_time_unix\"", "not a number");
    refused("\"format_version\":\t1", "\"format_version\":\t1e300", "\"format_version\"", NULL);
    refused("\"format_version\":\t1", "\"format_version\":\t2", "version 2", "regenerate");
    refused("\"npaths\":\t1", "\"npaths\":\t-1", "case controls/accept", "\"npaths\"");
    refused("\"npaths\":\t1", "\"npaths\":\t1e30", "case controls/accept", "\"npaths\"");
    refused("\"nrejected\":\t0", "\"nrejected\":\t0.25", "\"nrejected\"", "whole number");
    refused("\"seed\":\t\"1\"", "\"seed\":\t\"99999999999999999999\"", "\"seed\"", NULL);
    refused("\"seed\":\t\"1\"", "\"seed\":\t\"-1\"", "\"seed\"", NULL);
    refused("\"seed\":\t\"1\"", "\"seed\":\t1", "\"seed\"", NULL);
}

Test(manifest, dates_must_be_real_and_agree)
{
    refused("\"validation_time\":\t\"2026-01-01T00:00:00Z\"",
            "\"validation_time\":\t\"2026-02-30T00:00:00Z\"", "\"validation_time\"", "real date");
    refused("\"validation_time\":\t\"2026-01-01T00:00:00Z\"",
            "\"validation_time\":\t\"2026-01-01T24:00:00Z\"", "\"validation_time\"", NULL);
    refused("\"validation_time\":\t\"2026-01-01T00:00:00Z\"",
            "\"validation_time\":\t\"2026-01-02T00:00:00Z\"", "\"validation_time\"", "1767225600");
    int64_t t;
    cr_expect_eq(cp_manifest_time_parse("2024-02-29T12:00:00Z", &t), 0, "a leap day");
    cr_expect_eq(t, INT64_C(1709208000));
    cr_expect_neq(cp_manifest_time_parse("2023-02-29T12:00:00Z", &t), 0, "no leap day in 2023");
    cr_expect_neq(cp_manifest_time_parse("2026-13-01T00:00:00Z", &t), 0);
    cr_expect_neq(cp_manifest_time_parse("2026-01-01T00:00:60Z", &t), 0);
    cr_expect_neq(cp_manifest_time_parse("2026-01-01 00:00:00Z", &t), 0);
    cr_expect_neq(cp_manifest_time_parse("2026-01-01T00:00:00+01:00", &t), 0);
    char buf[32];
    cp_manifest_time_format(CP_MANIFEST_TIME_MAX, buf, sizeof(buf));
    cr_expect_str_eq(buf, "9999-12-31T23:59:59Z");
    cp_manifest_time_format(0, buf, sizeof(buf));
    cr_expect_str_eq(buf, "1970-01-01T00:00:00Z");
    cp_manifest_time_format(INT64_C(1709208000), buf, sizeof(buf));
    cr_expect_str_eq(buf, "2024-02-29T12:00:00Z");
}

Test(manifest, lists_names_and_references_are_checked)
{
    refused("\"profiles\":\t[\"rfc5280\", \"webpki\"]", "\"profiles\":\t[]", "\"profiles\"",
            "0 entries");
    refused("\"profiles\":\t[\"rfc5280\", \"webpki\"]", "\"profiles\":\t[\"webpki\", \"webpki\"]",
            "\"profiles\"", "twice");
    refused("\"profiles\":\t[\"rfc5280\", \"webpki\"]",
            "\"profiles\":\t[\"rfc5280\", \"webpki\", \"strict\"]", "case controls/accept",
            "no \"strict\" expectation");
    refused("\"features\":\t[]", "\"features\":\t[\"no-such-feature\"]", "case controls/accept",
            "no-such-feature");
    refused("\"reasons\":\t[]", "\"reasons\":\t[\"bogus\"]", "\"reasons\"", "bogus");
    refused("\"outcome\":\t\"accept\"", "\"outcome\":\t\"maybe\"", "\"outcome\"", NULL);
    refused("\"probe\":\ttrue", "\"probe\":\t1", "\"probe\"", NULL);
    refused("\"sent\":\t[\"", "\"sent\":\t[\"nowhere/9\", \"", "\"sent\"", "nowhere/9");
    refused("\"sent\":\t[", "\"sent\":\t[], \"x\":\t[", "\"sent\"", "0 entries");
    refused("\"id\":\t\"controls/accept\"", "\"id\":\t\"controls/reject\"", "controls/reject",
            "twice");
    refused("\"format\":\t\"certpath-suite\"", "\"format\":\t\"certpath-results\"",
            "not a certpath suite manifest", NULL);
}

Test(manifest, strings_and_paths_are_bounded)
{
    char host[400], a300[301];
    memset(a300, 'a', 300);
    a300[300] = '\0';
    snprintf(host, sizeof(host), "\"hostname\":\t\"%s\", \"x\":\t\"", a300);
    refused("\"hostname\":\t\"", host, "\"hostname\"", "at most 253");
    refused("\"dir\":\t\"cases/controls/accept\"", "\"dir\":\t\"../../etc\"", "\"dir\"",
            "climbs out");
    refused("\"dir\":\t\"cases/controls/accept\"", "\"dir\":\t\"/etc\"", "\"dir\"", "absolute");
    refused("\"file\":\t\"certs/", "\"file\":\t\"certs/../../", "\"file\"", "climbs out");
    refused("\"sha256\":\t\"", "\"sha256\":\t\"zz", "\"sha256\"", NULL);
    refused("\"suite_id\":\t\"", "\"suite_id\":\t\"XYZ", "\"suite_id\"", NULL);
}

Test(manifest, truncated_or_missing_files_fail_cleanly)
{
    struct cp_manifest m;
    int rc = cp_manifest_parse(text, text_len / 2, "x/manifest.json", &m);
    cr_expect_eq(rc, CP_E_FORMAT);
    cr_expect(strstr(cp_error_msg(rc), "x/manifest.json is not valid JSON") != NULL, "%s",
              cp_error_msg(rc));
    rc = cp_manifest_load(tmpdir, &m); /* a directory without a manifest */
    cr_expect_eq(rc, CP_E_NOTFOUND, "%s", cp_error_msg(rc));
    cr_expect(strstr(cp_error_msg(rc), tmpdir) != NULL, "%s", cp_error_msg(rc));
    cp_manifest_free(&m);
}

Test(manifest, the_writer_refuses_what_the_reader_would)
{
    struct cp_manifest m;
    char out[400], path[500];
    cr_assert_eq(cp_manifest_load(suite, &m), 0, "%s", cp_error_msg(-1));
    snprintf(out, sizeof(out), "%s/bad", tmpdir);
    cr_assert_eq(cp_fs_mkdirs(out), 0);
    m.vtime = CP_MANIFEST_TIME_MAX + 1;
    int rc = cp_manifest_write(&m, out);
    cr_expect_eq(rc, CP_E_FORMAT);
    cr_expect(strstr(cp_error_msg(rc), "validation_time_unix") != NULL, "%s", cp_error_msg(rc));
    m.vtime = T_TIME;
    m.cases[0].sent[0] = m.ncerts; /* a reference past the end */
    rc = cp_manifest_write(&m, out);
    cr_expect_eq(rc, CP_E_FORMAT);
    cr_expect(strstr(cp_error_msg(rc), "\"sent\"") != NULL, "%s", cp_error_msg(rc));
    snprintf(path, sizeof(path), "%s/manifest.json", out);
    cr_expect_neq(access(path, F_OK), 0, "a refused manifest was written");
    cp_manifest_free(&m);
}

Test(manifest, a_maker_fills_what_alloc_sizes)
{
    static const char *const profiles[] = {"webpki"}, *const features[] = {"expiry"},
                             *const reasons[] = {"none", "expired"};
    struct cp_manifest m;
    char out[400];
    cp_manifest_init(&m);
    cr_assert_eq(cp_manifest_alloc(&m, profiles, 1, features, 1, reasons, 2, 1, 1), 0);
    m.suite_id = strdup("ab");
    m.generator = strdup("test");
    m.minted_with = strdup("hand");
    m.vtime = T_TIME;
    struct cp_manifest_cert *c = &m.certs[0];
    c->id = strdup("g/0");
    c->label = strdup("Root");
    c->graph = strdup("g");
    c->issuer = strdup("Root");
    c->subject = strdup("Root");
    c->file = strdup("certs/g/0.pem");
    c->sha256 = strdup("0000000000000000000000000000000000000000000000000000000000000000");
    c->defects = strdup("");
    struct cp_manifest_case *k = &m.cases[0];
    k->id = strdup("hand/one");
    k->family = strdup("hand");
    k->description = strdup("");
    k->graph = strdup("g");
    k->hostname = strdup("one.test");
    k->dir = strdup("cases/hand/one");
    k->sent = calloc(1, sizeof(int));
    k->nsent = 1;
    k->features = 1;
    k->expect[0].reasons = UINT64_C(1) << 1;
    snprintf(out, sizeof(out), "%s/made", tmpdir);
    cr_assert_eq(cp_fs_mkdirs(out), 0);
    cr_assert_eq(cp_manifest_write(&m, out), 0, "%s", cp_error_msg(-1));
    cp_manifest_free(&m);
    cr_assert_eq(cp_manifest_load(out, &m), 0, "%s", cp_error_msg(-1));
    cr_expect_eq(m.ncases, 1);
    cr_expect_eq(m.cases[0].features, 1);
    cr_expect_eq(m.cases[0].expect[0].reasons, UINT64_C(1) << 1);
    cr_expect(!m.cases[0].expect[0].accept);
    cp_manifest_free(&m);
}
