/*
 * test_baseline.c - baselines and the regression gate as CI uses them: a baseline made from a
 * real OpenSSL run of a real generated suite; results files edited the way a changed library
 * would change them (one case regressed, one improved, one new case) checked through
 * `certpath gate`; a corrupt or missing baseline named in a clear error; and the gate inside a
 * real `certpath run --baseline` and in the Markdown report.
 */
#include "cp_missing.h"
#include "cp_fs.h"
#include "cp_platform.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILTER "'bettertls/two-roots/*'"

static char tmpdir[256];

static int run(const char *args, char **out)
{
    return cp_test_certpath(tmpdir, NULL, args, NULL, out);
}

static cJSON *load(const char *name)
{
    char path[512], *text = NULL;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    cr_assert_eq(cp_fs_read(path, 1u << 28, &text, NULL), 0, "cannot read %s", path);
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root, "%s is not JSON", path);
    free(text);
    return root;
}

static void save(const char *name, const cJSON *root)
{
    char path[512], *text = cJSON_Print(root);
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    cr_assert_not_null(text);
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0);
    free(text);
}

static bool module_built(const char *name)
{
    char path[1024], *slash;
    snprintf(path, sizeof(path), "%s", CP_CERTPATH_BIN);
    if (!(slash = strrchr(path, '/')))
        return false;
    snprintf(slash, sizeof(path) - (size_t)(slash - path), "/adapters/certpath-adapter-%s.so",
             name);
    return access(path, R_OK) == 0;
}

/* A real suite, a real OpenSSL run of the two-roots cases, and its baseline. */
static void setup(void)
{
    char *out = NULL;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-baseline.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    if (!module_built("openssl"))
        cp_test_missing("openssl", "the openssl adapter is not built here");
    int rc = run("generate --family controls --family bettertls --time 2026-01-01T00:00:00Z "
                 "-j 2 -o suite",
                 &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    rc = run("run --stack openssl --suite suite --no-regenerate -j 2 --filter " FILTER
             " -o openssl.json",
             &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    rc = run("baseline openssl.json -o base.json --reasons " CP_SOURCE_DIR
             "/expected/baselines/reasons.json",
             &out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_expect(strstr(out, "openssl (in-process):") != NULL, "%s", out);
    free(out);
}

static void teardown(void)
{
    cp_fs_rmtree(tmpdir);
}

TestSuite(baseline, .init = setup, .fini = teardown);

static cJSON *results_case(cJSON *results, const char *verdict, const char *outcome)
{
    cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(results, "cases"))
    {
        const char *v =
            cJSON_GetObjectItem(cJSON_GetObjectItem(c, "verdict"), "webpki")->valuestring;
        const char *o = cJSON_GetObjectItem(c, "outcome")->valuestring;
        const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
        if (strcmp(v, verdict) == 0 && strcmp(o, outcome) == 0 && strncmp(id, "controls/", 9))
            return c;
    }
    return NULL;
}

/* Sets a case's outcome and the verdicts that follow from it, as a run would have written. */
static void set_outcome(cJSON *c, const char *outcome)
{
    cJSON *ex = cJSON_GetObjectItem(c, "expected"), *vd = cJSON_GetObjectItem(c, "verdict"), *e;
    cJSON_ReplaceItemInObject(c, "outcome", cJSON_CreateString(outcome));
    cJSON_ArrayForEach(e, ex)
    {
        bool accept = strcmp(e->valuestring, "accept") == 0;
        const char *v = strcmp(outcome, "accept") == 0   ? (accept ? "pass" : "wrongly-accepted")
                        : strcmp(outcome, "reject") == 0 ? (accept ? "wrongly-rejected" : "pass")
                                                         : "error";
        cJSON_ReplaceItemInObject(vd, e->string, cJSON_CreateString(v));
    }
}

static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(baseline, records_every_case_and_a_cause_for_every_divergence)
{
    cJSON *b = load("base.json"), *r = load("openssl.json"), *d;
    cr_expect_str_eq(cJSON_GetObjectItem(b, "format")->valuestring, "certpath-baseline");
    cr_expect_str_eq(cJSON_GetObjectItem(b, "stack")->valuestring, "openssl");
    const cJSON *sec = cJSON_GetObjectItem(cJSON_GetObjectItem(b, "modes"), "in-process");
    cr_assert_not_null(sec);
    int ncases = cJSON_GetArraySize(cJSON_GetObjectItem(r, "cases"));
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(sec, "outcomes")), ncases);
    int diverging = 0;
    cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "cases"))
    {
        const cJSON *v = cJSON_GetObjectItem(c, "verdict");
        diverging += strcmp(cJSON_GetObjectItem(v, "webpki")->valuestring, "pass") ||
                     strcmp(cJSON_GetObjectItem(v, "rfc5280")->valuestring, "pass");
    }
    cr_expect_gt(diverging, 0, "OpenSSL fails some two-roots cases (no backtracking)");
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(sec, "divergences")), diverging);
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(sec, "divergences"))
    {
        const cJSON *cause = cJSON_GetObjectItem(d, "cause");
        cr_expect(cJSON_IsString(cause) && *cause->valuestring, "%s has no cause",
                  cJSON_GetObjectItem(d, "id")->valuestring);
    }
    cJSON_Delete(b);
    cJSON_Delete(r);
    char *out = NULL;
    cr_expect_eq(run("gate openssl.json --baseline base.json", &out), 0, "%s", out);
    cr_expect(strstr(out, "0 regressions, 0 improvements, 0 new") != NULL, "%s", out);
    free(out);
}

Test(baseline, a_regression_fails_the_gate_naming_exactly_that_case)
{
    cJSON *r = load("openssl.json"), *c = results_case(r, "pass", "accept");
    cr_assert_not_null(c, "no passing accept case to regress");
    char id[256];
    snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(c, "id")->valuestring);
    set_outcome(c, "reject");
    save("regressed.json", r);
    cJSON_Delete(r);
    char *out = NULL;
    int rc = run("gate regressed.json --baseline base.json", &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect(strstr(out, "1 regression, 0 improvements") != NULL, "%s", out);
    cr_expect(strstr(out, "REGRESSIONS (1):") != NULL, "%s", out);
    cr_expect_eq(occurrences(out, id), 1, "%s is listed once:\n%s", id, out);
    cr_expect(strstr(out, "baseline: accept (pass)   now: reject (wrongly-rejected)") != NULL, "%s",
              out);
    cr_expect(strstr(out, "1 case regressed against the baseline") != NULL, "%s", out);
    free(out);
}

Test(baseline, an_improvement_alone_passes_and_is_reported)
{
    cJSON *r = load("openssl.json"), *c = results_case(r, "wrongly-rejected", "reject");
    cr_assert_not_null(c, "no wrongly rejected case to improve");
    char id[256];
    snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(c, "id")->valuestring);
    set_outcome(c, "accept");
    save("improved.json", r);
    cJSON_Delete(r);
    char *out = NULL;
    cr_expect_eq(run("gate improved.json --baseline base.json", &out), 0, "%s", out);
    cr_expect(strstr(out, "0 regressions, 1 improvement,") != NULL, "%s", out);
    cr_expect(strstr(out, id) != NULL, "%s", out);
    cr_expect(strstr(out, "known cause:") != NULL, "the improved case's old cause:\n%s", out);
    free(out);
}

Test(baseline, a_wrong_outcome_turning_into_another_wrong_one_is_a_regression)
{
    cJSON *r = load("openssl.json"), *c = results_case(r, "wrongly-rejected", "reject");
    cr_assert_not_null(c);
    set_outcome(c, "timeout");
    cJSON_ReplaceItemInObject(c, "reason", cJSON_CreateString("no verdict within 5.0 s"));
    save("hangs.json", r);
    cJSON_Delete(r);
    char *out = NULL;
    cr_expect_eq(run("gate hangs.json --baseline base.json", &out), 1, "%s", out);
    cr_expect(strstr(out, "now: timeout (error)") != NULL, "%s", out);
    free(out);
}

Test(baseline, a_case_the_baseline_lacks_is_new_not_a_regression)
{
    cJSON *r = load("openssl.json"), *cases = cJSON_GetObjectItem(r, "cases");
    cJSON *c = cJSON_Duplicate(results_case(r, "pass", "reject"), 1);
    cr_assert_not_null(c);
    cJSON_ReplaceItemInObject(c, "id", cJSON_CreateString("bettertls/newer-suite/case/declared"));
    cJSON_AddItemToArray(cases, c);
    save("newer.json", r);
    cJSON_Delete(r);
    char *out = NULL;
    cr_expect_eq(run("gate newer.json --baseline base.json", &out), 0, "%s", out);
    cr_expect(strstr(out, "0 regressions, 0 improvements, 1 new") != NULL, "%s", out);
    cr_expect(strstr(out, "new cases (not in the baseline) (1):") != NULL, "%s", out);
    cr_expect(strstr(out, "bettertls/newer-suite/case/declared") != NULL, "%s", out);
    free(out);
}

/* A run stopped part-way ("complete": false, most cases never run) passes no gate and makes
 * no baseline unless asked: the message names the file. */
Test(baseline, an_incomplete_run_is_refused_by_gate_and_baseline_unless_allowed)
{
    cJSON *r = load("openssl.json"), *cases = cJSON_GetObjectItem(r, "cases");
    int n = cJSON_GetArraySize(cases);
    cr_assert_gt(n, 4);
    while (cJSON_GetArraySize(cases) > 3)
        cJSON_DeleteItemFromArray(cases, cJSON_GetArraySize(cases) - 1);
    cJSON_ReplaceItemInObject(r, "complete", cJSON_CreateFalse());
    save("part.json", r);
    cJSON_Delete(r);
    char *out = NULL;
    cr_expect_eq(run("gate part.json --baseline base.json", &out), 1, "%s", out);
    cr_expect(strstr(out, "part.json: the run is incomplete (\"complete\": false, 3 cases ran)") !=
                  NULL,
              "%s", out);
    cr_expect(strstr(out, "unchanged") == NULL, "no verdict from a partial run:\n%s", out);
    free(out);
    cr_expect_eq(run("gate part.json --baseline base.json --allow-incomplete", &out), 0, "%s", out);
    cr_expect(strstr(out, "part.json: incomplete run (--allow-incomplete): only its 3 cases") !=
                  NULL,
              "%s", out);
    cr_expect(strstr(out, "0 regressions, 0 improvements, 0 new, 3 unchanged") != NULL, "%s", out);
    free(out);
    cr_expect_eq(run("baseline part.json -o partbase.json", &out), 1, "%s", out);
    cr_expect(strstr(out, "part.json: the run is incomplete") != NULL, "%s", out);
    free(out);
    char path[512];
    snprintf(path, sizeof(path), "%s/partbase.json", tmpdir);
    cr_expect_neq(access(path, F_OK), 0, "a refused baseline was written");
    cr_expect_eq(run("baseline part.json -o partbase.json --allow-incomplete", &out), 0, "%s", out);
    free(out);
    cr_expect_eq(access(path, F_OK), 0, "no baseline from --allow-incomplete");
}

Test(baseline, a_corrupt_or_missing_baseline_is_named)
{
    char path[512], *out = NULL;
    snprintf(path, sizeof(path), "%s/broken.json", tmpdir);
    cr_assert_eq(cp_fs_write(path, "{\"format\": \"certpath-baseline\", \"form", 36), 0);
    cr_expect_eq(run("gate openssl.json --baseline broken.json", &out), 1, "%s", out);
    cr_expect(strstr(out, "baseline broken.json: not JSON, or truncated") != NULL, "%s", out);
    cr_expect(strstr(out, "regress") == NULL, "no verdict from a broken baseline:\n%s", out);
    free(out);
    cr_expect_eq(run("gate openssl.json --baseline nowhere.json", &out), 1, "%s", out);
    cr_expect(strstr(out, "baseline nowhere.json:") != NULL, "%s", out);
    free(out);
    /* run refuses before running anything */
    cr_expect_eq(
        run("run --stack openssl --suite suite --no-regenerate --baseline nowhere.json", &out), 2,
        "%s", out);
    cr_expect(strstr(out, "no such baseline file or directory: nowhere.json") != NULL, "%s", out);
    free(out);
    /* a baseline of another suite seed */
    cJSON *b = load("base.json");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(b, "suite"), "seed", cJSON_CreateString("7"));
    save("seed7.json", b);
    cJSON_Delete(b);
    cr_expect_eq(run("gate openssl.json --baseline seed7.json", &out), 1, "%s", out);
    cr_expect(strstr(out, "baseline seed7.json is for the suite of seed 7") != NULL, "%s", out);
    free(out);
}

/* The baseline claims OpenSSL passes a case it really fails: a real run must regress there. */
Test(baseline, a_real_run_against_a_baseline_gates)
{
    char *out = NULL;
    int rc = run("run --stack openssl --suite suite --no-regenerate -j 2 --filter " FILTER
                 " -o again.json --baseline base.json",
                 &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect(strstr(out, "0 regressions, 0 improvements, 0 new") != NULL, "%s", out);
    free(out);

    cJSON *b = load("base.json");
    cJSON *sec = cJSON_GetObjectItem(cJSON_GetObjectItem(b, "modes"), "in-process");
    cJSON *divs = cJSON_GetObjectItem(sec, "divergences"), *it;
    int at = -1, i = 0;
    char id[256] = "";
    cJSON_ArrayForEach(it, divs)
    {
        if (at < 0 && strcmp(cJSON_GetObjectItem(it, "outcome")->valuestring, "reject") == 0 &&
            strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "expected"), "webpki")->valuestring,
                   "accept") == 0) {
            at = i;
            snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(it, "id")->valuestring);
        }
        i++;
    }
    cr_assert_geq(at, 0, "no wrongly rejected case in the baseline");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(sec, "outcomes"), id,
                              cJSON_CreateString("accept"));
    cJSON_DeleteItemFromArray(divs, at);
    save("claims.json", b);
    cJSON_Delete(b);

    rc = run("run --stack openssl --suite suite --no-regenerate -j 2 --filter " FILTER
             " -o third.json --baseline claims.json",
             &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect(strstr(out, "REGRESSIONS (1):") != NULL, "%s", out);
    cr_expect(strstr(out, id) != NULL, "%s", out);
    free(out);

    rc = run("report third.json --markdown md.md --baseline claims.json", &out);
    cr_expect_eq(rc, 0, "%s", out);
    free(out);
    char path[512], *md = NULL;
    snprintf(path, sizeof(path), "%s/md.md", tmpdir);
    cr_assert_eq(cp_fs_read(path, 1u << 24, &md, NULL), 0);
    cr_expect(strstr(md, "### Against the baseline") != NULL, "%s", md);
    cr_expect(strstr(md, "#### Regressions (1)") != NULL, "%s", md);
    cr_expect(strstr(md, id) != NULL, "%s", md);
    free(md);
}

/* The baselines checked in: each one reads back (the gate gets as far as comparing stacks), and
 * this platform's OpenSSL has not regressed against its own on the cases run here. */
Test(baseline, the_checked_in_baselines_read_and_openssl_matches_its_own)
{
    static const char *const stacks[] = {"boringssl", "botan", "gnutls", "mbedtls", "nss"};
    static const char *const platforms[] = {"debian-12", "debian-13"};
    char args[1024], want[256], *out = NULL;
    for (size_t i = 0; i < 2 * sizeof(stacks) / sizeof(stacks[0]); i++) {
        snprintf(args, sizeof(args),
                 "gate openssl.json --baseline " CP_SOURCE_DIR "/expected/baselines/%s/%s.json",
                 platforms[i % 2], stacks[i / 2]);
        cr_expect_eq(run(args, &out), 1, "%s", out);
        snprintf(want, sizeof(want), "%s.json is stack %s's, not openssl's", stacks[i / 2],
                 stacks[i / 2]);
        cr_expect(strstr(out, want) != NULL, "%s", out);
        free(out);
    }
    /* The directory holds one per platform: the gate takes this machine's (CI runs on Debian 12
     * and 13, both checked in) and says which. */
    int rc = run("gate openssl.json --baseline " CP_SOURCE_DIR "/expected/baselines", &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect(strstr(out, "0 regressions") != NULL, "%s", out);
    cr_expect(strstr(out, "(the baselines of debian-1") != NULL, "%s", out);
    free(out);
}

/* openssl.json as if run on another system: its recorded platform is ID-VERSION_ID. */
static void save_as_platform(const char *name, const char *version_id)
{
    cJSON *r = load("openssl.json"), *p = cJSON_CreateObject();
    char pretty[64];
    snprintf(pretty, sizeof(pretty), "Test OS %s", version_id);
    cJSON_AddStringToObject(p, "id", "testos");
    cJSON_AddStringToObject(p, "version_id", version_id);
    cJSON_AddStringToObject(p, "pretty_name", pretty);
    cJSON_DeleteItemFromObject(r, "platform");
    cJSON_AddItemToObject(r, "platform", p);
    save(name, r);
    cJSON_Delete(r);
}

Test(baseline, a_directory_of_platforms_gives_the_baseline_of_the_platform_the_run_was_made_on)
{
    char cmd[1024], *out = NULL;
    save_as_platform("p1.json", "1");
    save_as_platform("p2.json", "2");
    snprintf(
        cmd, sizeof(cmd),
        "cd %s && mkdir -p plat/testos-1 plat/testos-3 && cp base.json plat/testos-1/openssl.json",
        tmpdir);
    cr_assert_eq(system(cmd), 0);

    int rc = run("gate p1.json --baseline plat", &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect(strstr(out, "against baseline plat/testos-1/openssl.json") != NULL, "%s", out);
    cr_expect(strstr(out, "(the baselines of testos-1, the platform the run was made on)") != NULL,
              "%s", out);
    free(out);

    /* A run of a platform the directory has no baselines for is an error, not "not gated". */
    rc = run("gate p2.json --baseline plat", &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect(strstr(out, "plat holds baselines per platform") != NULL &&
                  strstr(out, "none for testos-2 (Test OS 2)") != NULL,
              "%s", out);
    cr_expect(strstr(out, "regression") == NULL, "%s", out);
    free(out);

    /* One baseline is one platform's. */
    rc = run("baseline p1.json p2.json -o mixed.json", &out);
    cr_expect_neq(rc, 0, "%s", out);
    cr_expect(strstr(out, "p2.json ran on Test OS 2, p1.json on Test OS 1: a baseline is one "
                          "platform's") != NULL,
              "%s", out);
    free(out);
}

Test(baseline, results_record_the_platform_and_every_library)
{
    char env[600], path[512], *out = NULL;
    snprintf(path, sizeof(path), "%s/os-release", tmpdir);
    const char *text = "NAME=Test\nID=testos\nVERSION_ID=\"7\"\n"
                       "PRETTY_NAME=\"Test \\\"OS\\\" 7\"\n";
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0);
    snprintf(env, sizeof(env), "CERTPATH_OS_RELEASE=%s", path);
    int rc = cp_test_certpath(tmpdir, env,
                              "run --stack openssl --suite suite --no-regenerate -j 2 --filter "
                              "'controls/*' -o os.json",
                              NULL, &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    cJSON *r = load("os.json"), *p = cJSON_GetObjectItem(r, "platform"), *l;
    cr_expect_str_eq(cp_test_field(p, "id"), "testos");
    cr_expect_str_eq(cp_test_field(p, "version_id"), "7");
    cr_expect_str_eq(cp_test_field(p, "pretty_name"), "Test \"OS\" 7");
    bool stack = false, certpath = false;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(r, "libraries"))
    {
        const char *role = cp_test_field(l, "role");
        if (strcmp(role, "stack") == 0) {
            stack = true;
            cr_expect_str_eq(cp_test_field(l, "name"), "OpenSSL");
            cr_expect_str_eq(cp_test_field(l, "version"),
                             cp_test_field(cJSON_GetObjectItem(r, "stack"), "version"));
        } else if (strcmp(role, "certpath") == 0) {
            certpath = true;
            cr_expect_str_eq(cp_test_field(l, "name"), "Mbed TLS");
            cr_expect(strlen(cp_test_field(l, "version")) >= 4);
        }
    }
    cr_expect(stack && certpath, "libraries lack the stack's or certpath's own");
    cJSON_Delete(r);
}

/* os-release as systemd documents it: quotes, escapes, missing fields; and the directory name
 * a platform's baselines live in. */
Test(platform, os_release_is_read_and_named_as_a_baseline_directory)
{
    struct cp_platform p;
    char key[CP_PLATFORM_ID_MAX * 2 + 2];
    cp_platform_parse("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\n"
                      "VERSION_ID=\"13\"\nID=debian\n",
                      &p);
    cr_expect_str_eq(p.id, "debian");
    cr_expect_str_eq(p.version_id, "13");
    cr_expect_str_eq(p.pretty_name, "Debian GNU/Linux 13 (trixie)");
    cr_expect_eq(cp_platform_key(&p, key, sizeof(key)), 0);
    cr_expect_str_eq(key, "debian-13");

    /* sid has no VERSION_ID: the ID alone. */
    cp_platform_parse("ID=debian\nPRETTY_NAME='Debian GNU/Linux trixie/sid'\n", &p);
    cr_expect_str_eq(p.pretty_name, "Debian GNU/Linux trixie/sid");
    cr_expect_eq(cp_platform_key(&p, key, sizeof(key)), 0);
    cr_expect_str_eq(key, "debian");

    /* No ID, or one that is not a safe file name, names no directory. */
    cp_platform_parse("NAME=nothing\n", &p);
    cr_expect_neq(cp_platform_key(&p, key, sizeof(key)), 0);
    cp_platform_parse("ID=../etc\nVERSION_ID=1\n", &p);
    cr_expect_neq(cp_platform_key(&p, key, sizeof(key)), 0);
    cp_platform_parse("ID=..\n", &p);
    cr_expect_neq(cp_platform_key(&p, key, sizeof(key)), 0);
    cp_platform_parse("ID=debian\nVERSION_ID=12\n", &p);
    cr_expect_neq(cp_platform_key(&p, key, 5), 0, "a key cut to fit would name another directory");
}

/* Two runs of one row, the second as a new library version would write it: one case regressed,
 * one improved; the comparison names both in text, Markdown and HTML, and refuses runs of
 * another row or suite, naming the file. */
Test(baseline, report_compare_names_what_improved_and_regressed_between_two_runs)
{
    cJSON *r = load("openssl.json"), *a = results_case(r, "pass", "accept");
    cJSON *b = results_case(r, "wrongly-rejected", "reject");
    cr_assert(a && b, "the two-roots cases lack a passing accept or a wrongly rejected case");
    char ida[256], idb[256], want[768], *out = NULL;
    snprintf(ida, sizeof(ida), "%s", cJSON_GetObjectItem(a, "id")->valuestring);
    snprintf(idb, sizeof(idb), "%s", cJSON_GetObjectItem(b, "id")->valuestring);
    int ncases = cJSON_GetArraySize(cJSON_GetObjectItem(r, "cases"));
    set_outcome(a, "reject");
    set_outcome(b, "accept");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "stack"), "version",
                              cJSON_CreateString("OpenSSL 9.9.9"));
    save("new.json", r);
    cJSON_Delete(r);

    int rc = run("report --compare openssl.json new.json --markdown cmp.md --html cmp.html", &out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_expect(strstr(out, "new: OpenSSL 9.9.9") != NULL, "%s", out);
    snprintf(want, sizeof(want), "cases: 1 improved, 1 regressed, 0 changed, %d unchanged",
             ncases - 2);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    snprintf(want, sizeof(want), "regressed %s: pass -> wrongly-rejected", ida);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    snprintf(want, sizeof(want), "improved  %s: wrongly-rejected -> pass", idb);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    free(out);

    char *text = NULL, path[512];
    snprintf(path, sizeof(path), "%s/cmp.md", tmpdir);
    cr_assert_eq(cp_fs_read(path, 1u << 24, &text, NULL), 0);
    snprintf(want, sizeof(want), "| `%s` | pass | wrongly-rejected | regressed |", ida);
    cr_expect(strstr(text, want) != NULL, "want \"%s\" in:\n%s", want, text);
    cr_expect(strstr(text, "→ OpenSSL 9.9.9") != NULL, "%s", text);
    free(text);
    snprintf(path, sizeof(path), "%s/cmp.html", tmpdir);
    cr_assert_eq(cp_fs_read(path, 1u << 24, &text, NULL), 0);
    snprintf(want, sizeof(want), "<tr class=\"improved\"><td>%s</td><td>wrongly-rejected</td>",
             idb);
    cr_expect(strstr(text, want) != NULL, "want \"%s\" in:\n%s", want, text);
    free(text);

    /* Another row, another suite, one file: refused. */
    r = load("openssl.json");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "stack"), "name",
                              cJSON_CreateString("gnutls"));
    save("gnutls.json", r);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "stack"), "name",
                              cJSON_CreateString("openssl"));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "suite"), "id",
                              cJSON_CreateString("0123456789abcdef"));
    save("other-suite.json", r);
    cJSON_Delete(r);
    rc = run("report --compare openssl.json gnutls.json", &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect(strstr(out, "gnutls.json: is a run of gnutls") != NULL, "%s", out);
    free(out);
    rc = run("report --compare openssl.json other-suite.json", &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect(strstr(out, "other-suite.json: from suite 0123456789abcdef") != NULL, "%s", out);
    free(out);
    rc = run("report --compare openssl.json", &out);
    cr_expect_eq(rc, 2, "%s", out);
    free(out);
}
