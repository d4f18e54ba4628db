/*
 * test_exec_browsers.c - the chromium and firefox exec verifiers: real headless browsers against
 * the built-in server.
 *
 * For each browser:
 *   - through the built tool (certpath run --stack NAME --mode wire -j1 --filter ...) on cases
 *     whose outcome is certain, compared with the manifest's webpki expectation: the controls,
 *     expired and not-yet-valid leaves (also by one second: the validation time is an hour
 *     before the real clock, so only a browser whose clock the shim pins passes them), a leaf
 *     valid from this very second, a chain sent in reverse order, and a hostname the leaf does
 *     not name;
 *   - the program driven directly over the exec protocol against `certpath serve`: a loaded
 *     page is accept, a certificate error is reject with the browser's own error name, and a
 *     refused connection or a server that refuses the name is error, never reject.
 * A browser is skipped only when it is not installed (or its verifier was not built).
 *
 * One suite (controls, validity, constraints) serves both tests: the first test to need it
 * generates it under a lock, in a directory the runner makes before the tests and removes after.
 */
#include "cp_exec_proc.h"
#include "cp_missing.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define SHARED_ENV "CP_TEST_EXEC_BROWSERS_DIR"
/* A browser starts in a few seconds on an idle machine; a loaded CI machine is slower. */
#define LINE_TIMEOUT_MS 120000

CP_TEST_SHARED_DIR_OPEN(SHARED_ENV, "cp-test-exec-browsers")
CP_TEST_SHARED_DIR_CLOSE()

/* The verifier's program as built here, or a skip when it or its browser is missing. */
static void program_or_skip(const char *name, const char *browser, char *path, size_t cap)
{
    const char *slash = strrchr(CP_CERTPATH_BIN, '/');
    snprintf(path, cap, "%.*s/adapters/exec/%s/certpath-verify-%s", (int)(slash - CP_CERTPATH_BIN),
             CP_CERTPATH_BIN, name, name);
    if (access(browser, X_OK) != 0)
        cp_test_missing(name, "%s is not installed (scripts/install-deps.sh installs it)", browser);
    if (access(path, X_OK) != 0)
        cp_test_missing(name, "the %s verifier is not built (%s)", name, path);
}

/* ---- through the built tool ---- */

/* The controls, then 22 cases of validity and constraints: see certain[] below. */
#define GLOB "[cv]*[sy]/[ch]*[en]/[lm]*[dhsw]/[adr]*"

/* Cases whose webpki outcome is certain for a browser. leaf-expires-now is left out: a leaf is
 * valid in its last second per RFC 5280, which verifiers count differently. */
static const char *const certain[] = {
    "controls/accept",
    "controls/reject",
    "validity/chain/leaf-expired/declared",
    "validity/chain/leaf-not-yet-valid/reversed",
    "validity/chain/leaf-expired-1s/declared",
    "validity/chain/leaf-not-yet-valid-1s/declared",
    "validity/chain/leaf-starts-now/declared",
    "validity/chain/leaf-long-lived/reversed",
    "constraints/hostname/mismatch/alone/depth2/declared",
    "constraints/hostname/mismatch/alone/depth3/reversed",
};

static void run_tool(const char *stack)
{
    char args[2 * PATH_MAX];
    const char *suite = cp_test_shared_suite(SHARED_ENV);
    /* A browser's start and a page load take far longer than a library call, in wall clock and
     * in CPU (a browser's whole process group counts): generous limits keep a loaded machine
     * from turning slowness into timeouts. */
    snprintf(args, sizeof(args),
             "--mode wire -j1 --timeout 60 --cpu-limit 60 --suite %s --no-regenerate --filter '%s'",
             suite, GLOB);
    cJSON *res = cp_test_run_results("CERTPATH_EXEC_HELLO_TIMEOUT=29", stack, args);
    cr_expect_str_eq(cp_test_field(cJSON_GetObjectItem(res, "stack"), "mode"), "wire");
    cp_test_expect_outcomes(stack, suite, res, certain, sizeof(certain) / sizeof(certain[0]),
                            false);
    cJSON_Delete(res);
}

/* ---- the program over the exec protocol ---- */

/* One request; returns the reply (the caller frees it). */
static cJSON *ask(struct cp_test_proc *p, const char *id, const char *dir, const char *hostname,
                  int port)
{
    char req[4 * PATH_MAX];
    int n = snprintf(req, sizeof(req),
                     "{\"id\":\"%s\",\"mode\":\"connect\",\"dir\":\"%s\",\"chain\":"
                     "\"%s/chain.pem\",\"roots\":\"%s/roots.pem\",\"hostname\":\"%s\","
                     "\"time\":0,\"time_rfc3339\":\"1970-01-01T00:00:00Z\",\"host\":"
                     "\"127.0.0.1\",\"port\":%d}\n",
                     id, dir, dir, dir, hostname, port);
    cr_assert(n > 0 && (size_t)n < sizeof(req));
    cp_test_proc_write(p, req);
    char *line = cp_test_proc_read(p, NULL, LINE_TIMEOUT_MS);
    cr_assert_not_null(line, "%s: no reply", id);
    cJSON *r = cJSON_Parse(line);
    cr_assert_not_null(r, "%s: not JSON: %s", id, line);
    free(line);
    cr_expect_str_eq(cp_test_field(r, "id"), id);
    return r;
}

/* The hostname of a case, from the manifest. */
static void case_host(const struct cp_manifest *m, const char *id, char *host, size_t cap,
                      char *dir, size_t dcap)
{
    const struct cp_manifest_case *c = cp_test_manifest_case(m, id);
    cr_assert_not_null(c, "%s is not in the suite", id);
    snprintf(host, cap, "%s", c->hostname);
    snprintf(dir, dcap, "%s/cases/%s", cp_test_shared_suite(SHARED_ENV), id);
}

static void drive(const char *program, const char *reject_code)
{
    char *verifier_argv[] = {(char *)program, NULL};
    char host[256], dir[PATH_MAX + 16];
    struct cp_test_proc srv, v;
    int port = cp_test_serve_start(&srv, cp_test_shared_suite(SHARED_ENV));

    cp_test_proc_start(&v, verifier_argv);
    char *hello = cp_test_proc_read(&v, NULL, LINE_TIMEOUT_MS);
    cr_assert_not_null(hello, "%s: no hello", program);
    cJSON *h = cJSON_Parse(hello);
    cr_assert_not_null(h, "%s: hello is not JSON: %s", program, hello);
    cr_expect(strstr(hello, "\"clock-shim\"") && strstr(hello, "\"connect\""), "%s", hello);
    cr_expect_eq(cJSON_GetObjectItem(h, "certpath-exec")->valueint, 1);
    cJSON_Delete(h);
    free(hello);

    struct cp_manifest man, *m = &man;
    cJSON *r;
    cp_test_manifest_load(cp_test_shared_suite(SHARED_ENV), &man);
    /* The suite's time is an hour ago: the controls' certificates are valid now as well. */
    case_host(m, "controls/accept", host, sizeof(host), dir, sizeof(dir));
    r = ask(&v, "accept", dir, host, port);
    cr_expect_str_eq(cp_test_field(r, "outcome"), "accept", "%s", cp_test_field(r, "reason"));
    cJSON_Delete(r);
    case_host(m, "controls/reject", host, sizeof(host), dir, sizeof(dir));
    r = ask(&v, "reject", dir, host, port);
    cr_expect_str_eq(cp_test_field(r, "outcome"), "reject", "%s", cp_test_field(r, "reason"));
    cr_expect_str_eq(cp_test_field(r, "code"), reject_code, "%s", cp_test_field(r, "reason"));
    cJSON_Delete(r);
    /* A name the server does not serve: it refuses the handshake before any certificate. */
    r = ask(&v, "unknown-name", dir, "no-such-case.certpath.test", port);
    cr_expect_str_eq(cp_test_field(r, "outcome"), "error", "%s", cp_test_field(r, "reason"));
    cJSON_Delete(r);
    r = ask(&v, "refused", dir, host, cp_test_closed_port());
    cr_expect_str_eq(cp_test_field(r, "outcome"), "error", "%s", cp_test_field(r, "reason"));
    cJSON_Delete(r);
    cp_manifest_free(m);
    cp_test_proc_stop(&v);
    cp_test_serve_stop(&srv);
}

TestSuite(exec_browsers);

Test(exec_browsers, chromium)
{
    char program[PATH_MAX];
    program_or_skip("chromium", "/usr/bin/chromium", program, sizeof(program));
    run_tool("chromium");
    drive(program, "ERR_CERT_AUTHORITY_INVALID");
}

Test(exec_browsers, firefox)
{
    char program[PATH_MAX];
    program_or_skip("firefox", "/usr/bin/firefox-esr", program, sizeof(program));
    run_tool("firefox");
    drive(program, "SEC_ERROR_UNKNOWN_ISSUER");
}
