/*
 * test_explain.c - `certpath explain CASE` on a real generated suite: what it prints is what the
 * manifest holds (anchors, the order sent, the expected outcome and valid paths, what ruled out
 * the rest), the openssl verify line it prints reproduces the expected outcome when run (one
 * accept, one reject), and an unknown case is named with ids that begin alike.
 */
#include "cp_missing.h"
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

#define CASE_ACCEPT "bettertls/two-roots/root2/root1-cross-expired/declared"
#define CASE_REJECT "bettertls/linear/ta/probe-expired/declared"

static char tmpdir[256];
static struct cp_manifest manifest;

static int run(const char *args, char **out)
{
    return cp_test_certpath(tmpdir, NULL, args, NULL, out);
}

static void setup(void)
{
    char *out = NULL, path[512];
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-explain.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    int rc = run("generate --family controls --family bettertls --time 2026-01-01T00:00:00Z "
                 "-j 2 -o suite",
                 &out);
    cr_assert_eq(rc, 0, "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/suite", tmpdir);
    cp_test_manifest_load(path, &manifest);
}

static void teardown(void)
{
    cp_manifest_free(&manifest);
    cp_fs_rmtree(tmpdir);
}

TestSuite(explain, .init = setup, .fini = teardown);

static const struct cp_manifest_cert *cert(int i)
{
    return &manifest.certs[i];
}

static const char *num(const char *id)
{
    return strrchr(id, '/') + 1;
}

static void expect_has(const char *out, const char *needle)
{
    cr_expect(strstr(out, needle) != NULL, "missing \"%s\" in:\n%s", needle, out);
}

/* A path as explain prints it: "#0 -> #2 -> #3". */
static void path_text(const struct cp_manifest_path *path, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < path->n; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s#%s", n ? " -> " : "",
                              num(cert(path->certs[i])->id));
}

/* Everything the manifest says about the case appears as explain prints it. */
static void expect_manifest(const char *id, const char *out)
{
    const struct cp_manifest_case *k = cp_test_manifest_case(&manifest, id);
    char line[1024];
    cr_assert_not_null(k, "no %s in the manifest", id);
    snprintf(line, sizeof(line), "case %s\n", id);
    expect_has(out, line);
    expect_has(out, k->hostname);
    for (int i = 0; i < k->nanchors; i++) {
        const struct cp_manifest_cert *c = cert(k->anchors[i]);
        snprintf(line, sizeof(line), "    #%s %s", num(c->id), c->label);
        expect_has(out, line);
    }
    for (int i = 0; i < k->nsent; i++) {
        const struct cp_manifest_cert *c = cert(k->sent[i]);
        snprintf(line, sizeof(line), "%2d. #%s %s", i + 1, num(c->id), c->label);
        expect_has(out, line);
        if (*c->defects) {
            snprintf(line, sizeof(line), "[%s]", c->defects);
            expect_has(out, line);
        }
    }
    for (int p = 0; p < manifest.nprofiles; p++) {
        const struct cp_manifest_expect *e = &k->expect[p];
        snprintf(line, sizeof(line), "  %-8s %s", manifest.profiles[p],
                 e->accept ? "accept" : "reject");
        expect_has(out, line);
        for (int i = 0; i < e->npaths; i++) {
            path_text(&e->paths[i], line, sizeof(line));
            expect_has(out, line);
        }
        for (int i = 0; i < e->nrejected; i++) {
            char path[512];
            path_text(&e->rejected[i].path, path, sizeof(path));
            snprintf(line, sizeof(line), "%s: %s at #%s", path,
                     manifest.reasons[e->rejected[i].reason], num(cert(e->rejected[i].at)->id));
            expect_has(out, line);
        }
    }
}

static void expect_reproduce(const char *id, const char *out)
{
    const struct cp_manifest_case *k = cp_test_manifest_case(&manifest, id);
    const char *host = k->hostname;
    char line[1024];
    snprintf(line, sizeof(line), "-verify_hostname '%s' -attime %lld", host,
             (long long)manifest.vtime);
    expect_has(out, line);
    snprintf(line, sizeof(line), "-CAfile 'suite/%s/roots.pem'", k->dir);
    expect_has(out, line);
    snprintf(line, sizeof(line), "-untrusted 'suite/%s/chain.pem'", k->dir);
    expect_has(out, line);
    expect_has(out, "certpath serve --suite 'suite' --port 8443");
    snprintf(line, sizeof(line), "curl --cacert 'suite/%s/roots.pem' --resolve %s:8443:127.0.0.1",
             k->dir, host);
    expect_has(out, line);
}

Test(explain, prints_what_the_manifest_holds)
{
    const char *ids[] = {CASE_ACCEPT, CASE_REJECT};
    for (size_t i = 0; i < 2; i++) {
        char args[512], *out = NULL;
        snprintf(args, sizeof(args), "explain %s --suite suite", ids[i]);
        cr_assert_eq(run(args, &out), 0, "%s", out);
        expect_manifest(ids[i], out);
        expect_reproduce(ids[i], out);
        free(out);
    }
}

Test(explain, draws_the_graph_from_the_leaf_with_anchors_and_defects)
{
    char *out = NULL;
    cr_assert_eq(run("explain suite/cases/" CASE_ACCEPT "/ --suite suite", &out), 0, "%s", out);
    expect_has(out, "  EE (the leaf)\n");
    expect_has(out, "#1 Root1 -> ICA  sent 2  [expired 1 h ago]");
    expect_has(out, "#2 Root2 -> ICA  sent 3   <- Root2 is a trust anchor");
    expect_has(out, "self-signed: #3 Root2 -> Root2  not sent  ANCHOR (in roots.pem)");
    expect_has(out, " 2. #1 Root1->ICA  (on no valid path)\n");
    expect_has(out, " 3. #2 Root2->ICA\n");
    free(out);
}

/* The printed openssl verify line, run as printed, gives the oracle's answer. */
static int run_printed_openssl(const char *id)
{
    char args[512], *out = NULL, script[512];
    snprintf(args, sizeof(args), "explain %s --suite suite", id);
    cr_assert_eq(run(args, &out), 0, "%s", out);
    const char *start = strstr(out, "  openssl verify "),
               *end = start ? strstr(start, ".pem'\n") : 0;
    cr_assert(start && end, "no openssl verify line:\n%s", out);
    snprintf(script, sizeof(script), "%s/verify.sh", tmpdir);
    cr_assert_eq(cp_fs_write(script, start, (size_t)(end + 6 - start)), 0);
    free(out);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "cd %s && sh verify.sh >verify.log 2>&1", tmpdir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

Test(explain, the_printed_openssl_line_reproduces_the_expectation)
{
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        cp_test_missing("openssl-cli", "no openssl binary");
    cr_expect_eq(run_printed_openssl(CASE_ACCEPT), 0, "%s: the oracle accepts", CASE_ACCEPT);
    cr_expect_neq(run_printed_openssl(CASE_REJECT), 0, "%s: the oracle rejects", CASE_REJECT);
}

Test(explain, an_unknown_case_is_named_with_close_ids)
{
    char *out = NULL;
    cr_expect_eq(run("explain bettertls/two-roots/root2/no-such-case --suite suite", &out), 2, "%s",
                 out);
    expect_has(out, "no case \"bettertls/two-roots/root2/no-such-case\" in suite/manifest.json");
    expect_has(out, "cases that begin alike:\n  bettertls/two-roots/root2/");
    free(out);
    cr_expect_eq(run("explain controls/accept --suite nowhere", &out), 2, "%s", out);
    expect_has(out, "no suite at nowhere");
    free(out);
    cr_expect_eq(run("help explain", &out), 0, "%s", out);
    expect_has(out, "usage: certpath explain CASE [--suite DIR]");
    free(out);
}
