/*
 * test_reports.c - `certpath report` as CI and people use it: each writer on a small results
 * file written here (two stacks, five real cases of a real generated suite, every verdict kind,
 * hostile text in a library's reason), checked for counts, rows and failures; bad input files
 * named with a clear error while the others are still reported; the JUnit XML read back by a
 * real JUnit consumer (junitparser); the HTML rendered by headless Chromium with no network;
 * and the reports of a real run of a real stack.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256], suite_id[CP_MANIFEST_SUITE_ID_MAX + 1];

/* The five cases (of the controls and bettertls families) the known results use. */
#define CASE_ACCEPT "controls/accept"
#define CASE_REJECT "controls/reject"
#define CASE_BRANCH "bettertls/two-roots/root2/root1-cross-bad-eku/shuffled"
#define CASE_SHA1 "bettertls/linear/ta/probe-sha1/declared"
#define CASE_EKU "bettertls/linear/ta/probe-bad-eku/declared"

/* A library's error text with everything a writer must escape: markup, quotes, an ampersand,
 * a control character and a byte that is not UTF-8. */
#define NASTY_REASON "unable <&> \\\"q\\\" 'a' \\u0001 \xff </td><script>alert(1)</script>|`x`"

struct tcase {
    const char *id, *family, *features;
    bool accept_rfc, accept_web;
    const char *outcome, *reason;
};

static const struct tcase alpha_cases[] = {
    {CASE_ACCEPT, "controls", "", true, true, "accept", ""},
    {CASE_REJECT, "controls", "", false, false, "reject", "bad chain"},
    {CASE_BRANCH, "bettertls", "\"branching\", \"ordering\", \"eku-on-ca\"", true, true, "reject",
     NASTY_REASON},
    {CASE_SHA1, "bettertls", "\"distrust-sha1\"", true, false, "accept", ""},
    {CASE_EKU, "bettertls", "\"eku-on-ca\"", true, false, "skip", "needs the purpose capability"},
};

static const struct tcase beta_cases[] = {
    {CASE_ACCEPT, "controls", "", true, true, "accept", ""},
    {CASE_REJECT, "controls", "", false, false, "reject", "bad chain"},
    {CASE_BRANCH, "bettertls", "\"branching\", \"ordering\", \"eku-on-ca\"", true, true, "accept",
     ""},
    {CASE_SHA1, "bettertls", "\"distrust-sha1\"", true, false, "timeout",
     "no verdict within 10.0 s; worker killed"},
    {CASE_EKU, "bettertls", "\"eku-on-ca\"", true, false, "crash", "killed by signal 11"},
};

static const char *verdict(const char *outcome, bool accept)
{
    if (strcmp(outcome, "accept") == 0)
        return accept ? "pass" : "wrongly-accepted";
    if (strcmp(outcome, "reject") == 0)
        return accept ? "wrongly-rejected" : "pass";
    return strcmp(outcome, "skip") == 0 ? "skip" : "error";
}

static void count(const struct tcase *c, int n, bool web, int k[5])
{
    static const char *const names[] = {"pass", "wrongly-accepted", "wrongly-rejected", "skip",
                                        "error"};
    memset(k, 0, 5 * sizeof(*k));
    for (int i = 0; i < n; i++) {
        const char *v = verdict(c[i].outcome, web ? c[i].accept_web : c[i].accept_rfc);
        for (int j = 0; j < 5; j++)
            k[j] += strcmp(v, names[j]) == 0;
    }
}

/* Writes a results file the way cp_results_write_json() lays it out. The summary lists no
 * features, so support comes from the counts. */
static void write_results(const char *name, const char *stack, const char *library,
                          const char *version, const struct tcase *c, int n, int format_version,
                          const char *suite)
{
    char path[512];
    int web[5], rfc[5];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    count(c, n, true, web);
    count(c, n, false, rfc);
    fprintf(
        f,
        "{\n\"format\": \"certpath-results\", \"format_version\": %d, \"certpath\": \"0.1.0\",\n"
        "\"suite\": {\"id\": \"%s\", \"seed\": \"1\", \"validation_time\": "
        "\"2026-01-01T00:00:00Z\", \"profiles\": [\"rfc5280\", \"webpki\"]},\n"
        "\"stack\": {\"name\": \"%s\", \"library\": \"%s\", \"version\": \"%s\", \"mode\": "
        "\"in-process\", \"settings\": \"test\", \"capabilities\": [\"in-process\"]},\n"
        "\"complete\": true, \"broken\": false, \"seconds\": 1.5,\n\"summary\": {",
        format_version, suite, stack, library, version);
    for (int p = 0; p < 2; p++) {
        const int *k = p ? web : rfc;
        fprintf(f,
                "%s\"%s\": {\"counts\": {\"pass\": %d, \"wrongly-accepted\": %d, "
                "\"wrongly-rejected\": %d, \"skip\": %d, \"error\": %d}, \"features\": {}}",
                p ? ", " : "", p ? "webpki" : "rfc5280", k[0], k[1], k[2], k[3], k[4]);
    }
    fputs("},\n\"cases\": [\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f,
                "%s{\"id\": \"%s\", \"family\": \"%s\", \"features\": [%s], \"expected\": "
                "{\"rfc5280\": \"%s\", \"webpki\": \"%s\"}, \"verdict\": {\"rfc5280\": \"%s\", "
                "\"webpki\": \"%s\"}, \"outcome\": \"%s\", \"code\": %d, \"reason\": \"%s\", "
                "\"microseconds\": %d}\n",
                i ? "," : "", c[i].id, c[i].family, c[i].features,
                c[i].accept_rfc ? "accept" : "reject", c[i].accept_web ? "accept" : "reject",
                verdict(c[i].outcome, c[i].accept_rfc), verdict(c[i].outcome, c[i].accept_web),
                c[i].outcome, i * 10, c[i].reason, 1000 + i);
    fputs("]}\n", f);
    cr_assert_eq(fclose(f), 0);
}

/* Runs certpath with args (a shell fragment) in tmpdir; returns its exit status, the output of
 * both streams in *out. */
static int run(const char *args, char **out)
{
    return cp_test_certpath(tmpdir, NULL, args, NULL, out);
}

static char *slurp(const char *name)
{
    char path[512], *text = NULL;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    cr_assert_eq(cp_fs_read(path, 1u << 28, &text, NULL), 0, "cannot read %s", path);
    return text;
}

static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The known results: alpha (every verdict kind, a hostile reason) and beta (timeout, crash),
 * from a real suite generated here so the HTML has real graphs to draw. */
static void setup(void)
{
    char *out = NULL;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-reports.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    int rc = run("generate --family controls --family bettertls --time 2026-01-01T00:00:00Z "
                 "-j 2 -o suite",
                 &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    char dir[400];
    struct cp_manifest m;
    snprintf(dir, sizeof(dir), "%s/suite", tmpdir);
    cr_assert_eq(cp_manifest_load(dir, &m), 0, "%s", cp_error_msg(-1));
    snprintf(suite_id, sizeof(suite_id), "%s", m.suite_id);
    cp_manifest_free(&m);
    write_results("alpha.json", "alpha", "Alpha<TLS>", "Alpha<TLS> 1.0|beta & co", alpha_cases, 5,
                  1, suite_id);
    write_results("beta.json", "beta", "Beta", "2.3", beta_cases, 5, 1, suite_id);
}

static void teardown(void)
{
    cp_fs_rmtree(tmpdir);
}

TestSuite(reports, .init = setup, .fini = teardown);

/* The last five numbers of stack's row in the text matrix: pass, wrongly accepted, wrongly
 * rejected, skip, error. The row's text goes to row. */
static bool row_counts(const char *out, const char *stack, int k[5], char *row, size_t cap)
{
    char start[64];
    const char *words[64];
    int n = 0;
    snprintf(start, sizeof(start), "\n%s ", stack);
    const char *a = strstr(out, start);
    if (!a)
        return false;
    const char *end = strchr(a + 1, '\n');
    size_t len = end ? (size_t)(end - a - 1) : strlen(a + 1);
    if (len >= cap)
        return false;
    memcpy(row, a + 1, len);
    row[len] = '\0';
    char *copy = strdup(row);
    for (char *p = copy; *p && n < 64;) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p)
            words[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    bool ok = n >= 5;
    for (int i = 0; ok && i < 5; i++) {
        char *e;
        k[i] = (int)strtol(words[n - 5 + i], &e, 10);
        ok = *e == '\0';
    }
    free(copy);
    return ok;
}

Test(reports, matrix_has_a_row_per_stack_with_its_counts)
{
    char *out = NULL, row[512];
    int k[5];
    int rc = run("report alpha.json beta.json", &out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(row_counts(out, "alpha", k, row, sizeof(row)), "%s", out);
    cr_expect(k[0] == 2 && k[1] == 1 && k[2] == 1 && k[3] == 1 && k[4] == 0, "alpha: %s", row);
    cr_expect(strstr(row, "Alpha<TLS> 1.0|beta & co") && strstr(row, "in-process"), "%s", row);
    /* alpha fails every case its headline columns count: not supported, 0 %. */
    cr_expect(strstr(row, "-   0%") != NULL, "%s", row);
    cr_assert(row_counts(out, "beta", k, row, sizeof(row)), "%s", out);
    cr_expect(k[0] == 3 && k[1] == 0 && k[2] == 0 && k[3] == 0 && k[4] == 2, "beta: %s", row);
    cr_expect(strstr(row, "+ 100%") != NULL, "%s", row);
    cr_expect(strstr(out, "branching") && strstr(out, "sha-1") && strstr(out, "eku-ca") &&
                  strstr(out, "basic-c") && strstr(out, "name-c") && strstr(out, "expiry") &&
                  strstr(out, "cycles") && strstr(out, "order") && strstr(out, "other"),
              "%s", out);
    free(out);

    /* Under rfc5280, alpha's SHA-1 acceptance is a pass. */
    cr_assert_eq(run("report --profile rfc5280 --matrix alpha.json", &out), 0, "%s", out);
    cr_assert(row_counts(out, "alpha", k, row, sizeof(row)), "%s", out);
    cr_expect(k[0] == 3 && k[1] == 0 && k[2] == 1 && k[3] == 1, "alpha rfc5280: %s", row);
    free(out);
    cr_expect_eq(run("report --profile nosuch alpha.json", &out), 1);
    cr_expect(strstr(out, "alpha.json: has no profile \"nosuch\"") != NULL, "%s", out);
    free(out);
    cr_expect_eq(run("report", &out), 2);
    cr_expect(strstr(out, "no results file given") != NULL, "%s", out);
    free(out);
}

Test(reports, markdown_has_the_matrix_and_the_wrongly_accepted)
{
    char *out = NULL;
    cr_assert_eq(run("report alpha.json beta.json --markdown pr.md", &out), 0, "%s", out);
    free(out);
    char *md = slurp("pr.md");
    cr_expect(strstr(md, "| Stack | Library | Mode | Branching | Distrusts SHA-1 | EKU on CAs |") !=
                  NULL,
              "%s", md);
    cr_expect_eq(occurrences(md, "\n| `alpha`"), 1, "%s", md);
    cr_expect_eq(occurrences(md, "\n| `beta`"), 1, "%s", md);
    /* Counts: pass | wrongly accepted (bold when any) | wrongly rejected | skip | error. */
    cr_expect(strstr(md, "| 2 | **1** | 1 | 1 | 0 |") != NULL, "%s", md);
    cr_expect(strstr(md, "| 3 | 0 | 0 | 0 | 2 |") != NULL, "%s", md);
    /* The library's text is escaped: a pipe would split the cell, <...> would be markup. */
    cr_expect(strstr(md, "Alpha\\<TLS\\> 1.0\\|beta \\& co") != NULL, "%s", md);
    cr_expect(strstr(md, "### Wrongly accepted (1)") != NULL, "%s", md);
    cr_expect(strstr(md, "- `" CASE_SHA1 "` (distrust-sha1)") != NULL, "%s", md);
    cr_expect(strstr(md, "<b>alpha</b>: 1 wrongly accepted") != NULL, "%s", md);
    cr_expect(strstr(md, CASE_BRANCH) == NULL, "only wrongly accepted cases are listed");
    cr_expect(strlen(md) < 65536, "a pull-request comment holds 65,536 characters");
    free(md);
}

Test(reports, junit_counts_and_failures_and_a_real_consumer_agrees)
{
    char *out = NULL, cmd[1024];
    cr_assert_eq(run("report alpha.json beta.json --junit junit.xml", &out), 0, "%s", out);
    free(out);
    char *x = slurp("junit.xml");
    cr_expect(strstr(x, "<testsuites name=\"certpath (profile webpki)\" tests=\"10\" "
                        "failures=\"2\" errors=\"2\" skipped=\"1\"") != NULL,
              "%s", x);
    cr_expect(strstr(x, "<testsuite id=\"0\" name=\"alpha\" tests=\"5\" failures=\"2\" "
                        "errors=\"0\" skipped=\"1\"") != NULL,
              "%s", x);
    cr_expect(strstr(x, "<testsuite id=\"1\" name=\"beta\" tests=\"5\" failures=\"0\" "
                        "errors=\"2\" skipped=\"0\"") != NULL,
              "%s", x);
    cr_expect_eq(occurrences(x, "<testcase classname=\"alpha\" name=\""), 5);
    cr_expect(strstr(x, "<testcase classname=\"alpha\" name=\"" CASE_SHA1 "\"") != NULL);
    cr_expect(strstr(x,
                     "<failure type=\"wrongly-accepted\" message=\"wrongly accepted: expected "
                     "reject, got accept\">expected: reject (profile webpki)\nactual:   accept") !=
                  NULL,
              "%s", x);
    cr_expect(strstr(x,
                     "<failure type=\"wrongly-rejected\" message=\"wrongly rejected: expected "
                     "accept, got reject: unable &lt;&amp;&gt; &quot;q&quot; &#39;a&#39;") != NULL,
              "%s", x);
    cr_expect(strstr(x, "<error type=\"timeout\" message=\"no verdict within 10.0 s") != NULL);
    cr_expect(strstr(x, "<error type=\"crash\" message=\"killed by signal 11\"") != NULL);
    cr_expect(strstr(x, "<skipped message=\"needs the purpose capability\"/>") != NULL);
    cr_expect(strstr(x, "<script>") == NULL && strchr(x, '\x01') == NULL &&
                  strchr(x, '\xff') == NULL,
              "unescaped text in the XML");
    free(x);

    /* junitparser (Debian's python3-junitparser) reads it back; its counts must agree. */
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c 'import sys\n"
             "from junitparser import JUnitXml, Failure, Error, Skipped\n"
             "x = JUnitXml.fromfile(sys.argv[1])\n"
             "for s in x:\n"
             "    k = {Failure: 0, Error: 0, Skipped: 0}\n"
             "    n = 0\n"
             "    for c in s:\n"
             "        n += 1\n"
             "        for r in c.result:\n"
             "            k[type(r)] += 1\n"
             "    print(s.name, s.tests, s.failures, s.errors, s.skipped, n, k[Failure], "
             "k[Error], k[Skipped])\n"
             "' %s/junit.xml >%s/jp.txt 2>&1",
             tmpdir, tmpdir);
    int st = system(cmd);
    char *jp = slurp("jp.txt");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "junitparser failed:\n%s", jp);
    cr_expect(strstr(jp, "alpha 5 2 0 1 5 2 0 1\n") != NULL, "%s", jp);
    cr_expect(strstr(jp, "beta 5 0 2 0 5 0 2 0\n") != NULL, "%s", jp);
    free(jp);
}

static const cJSON *limbo_result(const cJSON *root, const char *id)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(root, "results"))
    {
        if (strcmp(cJSON_GetObjectItem(r, "id")->valuestring, id) == 0)
            return r;
    }
    return NULL;
}

Test(reports, limbo_result_per_stack)
{
    char *out = NULL;
    cr_assert_eq(run("report alpha.json beta.json --limbo limbo.json", &out), 0, "%s", out);
    cr_expect(strstr(out, "limbo-alpha.json") && strstr(out, "limbo-beta.json"), "%s", out);
    free(out);
    char *text = slurp("limbo-beta.json");
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root, "not JSON:\n%s", text);
    cr_expect_eq(cJSON_GetObjectItem(root, "version")->valuedouble, 1);
    cr_expect(strstr(cJSON_GetObjectItem(root, "harness")->valuestring, "certpath:beta") != NULL);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "results")), 5);
    const cJSON *r = limbo_result(root, "certpath::controls::accept");
    cr_assert_not_null(r, "%s", text);
    cr_expect_str_eq(cJSON_GetObjectItem(r, "actual_result")->valuestring, "SUCCESS");
    r = limbo_result(root, "certpath::bettertls::linear::ta::probe-sha1::declared");
    cr_assert_not_null(r, "%s", text);
    cr_expect_str_eq(cJSON_GetObjectItem(r, "actual_result")->valuestring, "SKIPPED");
    cr_expect(strstr(cJSON_GetObjectItem(r, "context")->valuestring, "hang: no verdict") != NULL);
    r = limbo_result(root, "certpath::controls::reject");
    cr_expect_str_eq(cJSON_GetObjectItem(r, "actual_result")->valuestring, "FAILURE");
    cJSON_Delete(root);
    free(text);
    /* The hostile reason comes out as valid JSON: cJSON parses it, and no raw 0xff is left. */
    text = slurp("limbo-alpha.json");
    cr_expect(strchr(text, '\xff') == NULL);
    root = cJSON_Parse(text);
    cr_assert_not_null(root);
    cJSON_Delete(root);
    free(text);
}

Test(reports, bad_files_are_named_and_the_others_still_reported)
{
    char *good = slurp("beta.json"), path[512], *out = NULL;
    /* Truncated: the first half of a good file. */
    snprintf(path, sizeof(path), "%s/truncated.json", tmpdir);
    cr_assert_eq(cp_fs_write(path, good, strlen(good) / 2), 0);
    snprintf(path, sizeof(path), "%s/notjson.json", tmpdir);
    cr_assert_eq(cp_fs_write(path, "hello, world\n", 13), 0);
    free(good);
    write_results("v2.json", "gamma", "Gamma", "1", beta_cases, 5, 2, suite_id);
    write_results("other-suite.json", "delta", "Delta", "1", beta_cases, 5, 1, "00000000deadbeef");
    int rc = run("report alpha.json truncated.json notjson.json v2.json other-suite.json "
                 "beta.json suite/manifest.json --junit j.xml --matrix",
                 &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "truncated.json: truncated") != NULL, "%s", out);
    cr_expect(strstr(out, "notjson.json: not JSON") != NULL, "%s", out);
    cr_expect(strstr(out, "v2.json: certpath-results format_version 2") != NULL, "%s", out);
    cr_expect(strstr(out, "other-suite.json: from suite 00000000deadbeef") != NULL, "%s", out);
    cr_expect(strstr(out, "manifest.json: not a certpath results file") != NULL, "%s", out);
    cr_expect(strstr(out, "5 of 7 results files could not be reported") != NULL, "%s", out);
    /* The good ones are all there, in the matrix and in the JUnit XML. */
    cr_expect(strstr(out, "\nalpha ") && strstr(out, "\nbeta "), "%s", out);
    cr_expect(strstr(out, "\ngamma ") == NULL && strstr(out, "\ndelta ") == NULL, "%s", out);
    free(out);
    char *x = slurp("j.xml");
    cr_expect(strstr(x, "tests=\"10\"") != NULL && occurrences(x, "<testsuite ") == 2, "%s", x);
    free(x);
    cr_expect_eq(run("report missing.json", &out), 1);
    cr_expect(strstr(out, "missing.json") != NULL, "%s", out);
    free(out);
}

/* The DOM Chromium rendered from the page, with no network, the hash opening one case. */
static char *render(const char *page, const char *hash)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "cd %s && timeout 120 chromium --headless --no-sandbox --disable-gpu "
             "--disable-background-networking --disable-component-update --disable-sync "
             "--no-first-run --host-resolver-rules='MAP * ~NOTFOUND' "
             "--user-data-dir=%s/chrome --dump-dom 'file://%s/%s#%s' >dom.html 2>chrome.log",
             tmpdir, tmpdir, tmpdir, page, hash);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "chromium failed (is it installed? scripts/install-deps.sh)");
    return slurp("dom.html");
}

Test(reports, html_is_self_contained_and_renders_in_chromium)
{
    char *out = NULL;
    cr_assert_eq(run("report alpha.json beta.json --suite suite --html report.html", &out), 0, "%s",
                 out);
    free(out);
    char *html = slurp("report.html");
    /* Nothing is fetched: no links, sources, imports or URLs but the SVG namespace. */
    cr_expect(strstr(html, "<link") == NULL && strstr(html, " src=") == NULL &&
                  strstr(html, "@import") == NULL && strstr(html, "url(http") == NULL,
              "external resource");
    cr_expect_eq(occurrences(html, "http"), occurrences(html, "http://www.w3.org/2000/svg"));
    cr_expect(strstr(html, "<script>alert") == NULL, "a reason was not escaped");
    cr_expect(strstr(html, "unable &lt;&amp;&gt; &quot;q&quot; &#39;a&#39;") != NULL);
    cr_expect(strstr(html, "openssl verify -attime ") != NULL);
    cr_expect(strstr(html,
                     "for s in &#39;alpha&#39; &#39;beta&#39;; do\n  certpath run --stack "
                     "\"$s\" --suite &#39;suite&#39; --no-regenerate --filter &#39;" CASE_BRANCH
                     "&#39; -o \"/tmp/$s.json\"\ndone\n") != NULL);
    free(html);

    char *dom = render("report.html", CASE_BRANCH);
    /* The matrix, one row per stack, with its counts. */
    cr_expect(strstr(dom, "<table class=\"matrix\" id=\"matrix\">") != NULL, "no matrix");
    cr_expect(strstr(dom, "<tr data-name=\"alpha\">") && strstr(dom, "<tr data-name=\"beta\">"));
    /* The script ran: filters filled from the cases, the count shown, the case opened. */
    cr_expect(strstr(dom, "data-js=\"ready\"") != NULL, "the script did not run");
    cr_expect(strstr(dom, "<option value=\"bettertls\">bettertls</option>") != NULL);
    cr_expect(strstr(dom, "<option value=\"eku-on-ca\">eku-on-ca</option>") != NULL);
    cr_expect(strstr(dom, "<option value=\"1\">beta</option>") != NULL);
    cr_expect(strstr(dom, "5 of 5 cases shown") != NULL);
    const char *c = strstr(dom, "<details class=\"case\" id=\"case-" CASE_BRANCH "\"");
    cr_assert_not_null(c, "no panel for " CASE_BRANCH);
    const char *end = strstr(c, "</details>");
    cr_assert_not_null(end);
    char *panel = strndup(c, (size_t)(end - c));
    cr_expect(strstr(panel, " open=\"\"") != NULL, "#case did not open the case");
    /* Its graph: entities, the anchor, the leaf, arrows numbered as sent, the bad one red. */
    cr_expect(strstr(panel, "<svg class=\"graph\"") != NULL, "no graph");
    cr_expect(strstr(panel, "<g class=\"node anchor\"><title>Root2: trust anchor</title>") != NULL);
    cr_expect(strstr(panel, "<g class=\"node leaf\"><title>EE: the leaf</title>") != NULL);
    cr_expect(strstr(panel, "<title>Root1-&gt;ICA, sent #2: EKU emailProtection") != NULL, "%s",
              panel);
    cr_expect(strstr(panel, "class=\"e-bad\"") != NULL);
    cr_expect_eq(occurrences(panel, "<path class=\"e-path\""), 2, "%s", panel);
    cr_expect(strstr(panel, "EE \xe2\x86\x90 ICA \xe2\x86\x90 Root2") != NULL, "valid path");
    cr_expect(strstr(panel, "<script>alert") == NULL);
    free(panel);
    free(dom);
}

Test(reports, html_without_a_manifest_still_works)
{
    char *out = NULL;
    cr_assert_eq(run("report alpha.json --suite nowhere --html bare.html", &out), 0, "%s", out);
    free(out);
    char *dom = render("bare.html", "");
    cr_expect(strstr(dom, "No graphs: no suite manifest at nowhere/manifest.json") != NULL);
    cr_expect(strstr(dom, "<svg class=\"graph\"") == NULL);
    cr_expect(strstr(dom, "data-js=\"ready\"") != NULL && strstr(dom, "5 of 5 cases shown"));
    free(dom);
}

/* A real run of a real stack on the suite: the reports agree with the run's own summary. */
Test(reports, reports_of_a_real_run)
{
    char *out = NULL;
    int rc = run("run --stack openssl --suite suite --no-regenerate -j 2 -o openssl.json", &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    char *text = slurp("openssl.json");
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root);
    const cJSON *counts = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"), "webpki"), "counts");
    int want[5], k[5];
    const char *names[] = {"pass", "wrongly-accepted", "wrongly-rejected", "skip", "error"};
    for (int i = 0; i < 5; i++)
        want[i] = (int)cJSON_GetObjectItem(counts, names[i])->valuedouble;
    int ncases = cJSON_GetArraySize(cJSON_GetObjectItem(root, "cases"));
    cJSON_Delete(root);
    free(text);

    rc =
        run("report openssl.json alpha.json --suite suite --html real.html --junit real.xml", &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    cr_assert_eq(run("report openssl.json", &out), 0, "%s", out);
    char row[512];
    cr_assert(row_counts(out, "openssl", k, row, sizeof(row)), "%s", out);
    for (int i = 0; i < 5; i++)
        cr_expect_eq(k[i], want[i], "%s: %d, the run says %d", names[i], k[i], want[i]);
    free(out);
    char *x = slurp("real.xml");
    char expect[96];
    snprintf(expect, sizeof(expect), "name=\"openssl\" tests=\"%d\" failures=\"%d\"", ncases,
             want[1] + want[2]);
    cr_expect(strstr(x, expect) != NULL, "want %s", expect);
    free(x);
    char *html = slurp("real.html");
    cr_expect(occurrences(html, "<svg class=\"graph\"") >= ncases, "a graph per case");
    free(html);
}
