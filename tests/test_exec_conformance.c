/*
 * test_exec_conformance.c - every exec verifier built with certpath (the ten rows of
 * adapters/registry.c whose module is exec, and the protocol's example) against
 * adapters/exec/PROTOCOL.md, each program driven directly over its stdin and stdout:
 *   - its hello is well formed: version 1, its row's name, library, version and settings
 *     strings, capabilities the protocol knows, at least one of verify and connect;
 *   - a well-formed request (controls/accept, then controls/reject, in the program's own mode;
 *     the first without timeout_ms, as an older harness sends it) is answered with its id and
 *     the manifest's outcome;
 *   - each kind of request that is not well formed (not JSON, not an object, no or no string
 *     id, no or an unknown mode, no chain or roots, a time or timeout_ms of the wrong type or
 *     range, a connect without a port) is answered with `error`, "bad request: ..." and the
 *     request's id or "", one reply each; a blank line gets none; a request naming a file that
 *     does not exist is an error; after all of them the program answers as before;
 *   - timeout_ms is honoured: a connect request to a listener that accepts but never speaks,
 *     with timeout_ms 1000, is an error within 1000 ms and a margin well below the 4 s the
 *     verifiers once waited (a program without connect says so at once), and the program
 *     answers the next request as before;
 *   - at EOF on its stdin it exits 0.
 * A verifier that was not built here (its toolchain, or its browser, is missing) is
 * cp_test_missing(), which fails under CI unless .ci/run names it absent.
 */
#include "cp_exec_proc.h"
#include "cp_missing.h"
#include "cp_caps.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A JVM or a browser on a loaded machine takes seconds to start (a browser verifier starts its
 * browser at its first case when it runs without the clock shim, as here). */
#define START_MS 120000
/* A reply that needs no wait on anything outside the program (a bad request, an unsupported
 * mode): it comes at once; this only bounds a program that hangs. */
#define PROMPT_MS 30000
/* The timeout_ms of the silent-listener request, and how much later than that its error may
 * come (scheduling on a loaded machine, a browser's certutil run before the navigation): below
 * the 4 s every verifier once waited, so a hard-coded wait fails the test. */
#define SILENT_TIMEOUT_MS 1000
#define SILENT_MARGIN_MS 2500

struct verifier {
    const char *name;    /* the row of `certpath stacks` and the hello's name */
    const char *program; /* under <build>/adapters/exec/ */
    const char *needs;   /* a program it runs that must be installed, or NULL */
    const char *missing; /* the component cp_test_missing() names */
};

static char tmpdir[256], suite[300];

static void teardown(void)
{
    if (tmpdir[0])
        cp_fs_rmtree(tmpdir);
}

TestSuite(exec_conformance, .fini = teardown);

/* The controls, minted at the generator's default time (now, to the hour): valid at the real
 * clock too, for the verifiers that read it. */
static void make_suite(void)
{
    const char *families[] = {"controls"};
    struct cp_gen_opts o;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-exec-conformance.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s/suite", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = suite;
    o.families = families;
    o.nfamilies = 1;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
}

/* The row's program as built here, or cp_test_missing() when it (or what it runs) is not. */
static void program_of(const struct verifier *r, char *path, size_t cap)
{
    const char *slash = strrchr(CP_CERTPATH_BIN, '/');
    snprintf(path, cap, "%.*s/adapters/exec/%s", (int)(slash - CP_CERTPATH_BIN), CP_CERTPATH_BIN,
             r->program);
    if (r->needs && access(r->needs, X_OK) != 0)
        cp_test_missing(r->missing, "%s is not installed (scripts/install-deps.sh installs it)",
                        r->needs);
    if (access(path, X_OK) != 0)
        cp_test_missing(r->missing, "the %s verifier is not built (%s)", r->name, path);
}

/* The hello's capabilities as CP_CAP_* bits, each name checked to be the protocol's. */
static unsigned check_hello(const struct verifier *r, const char *line)
{
    cJSON *h = cJSON_Parse(line), *c;
    unsigned caps = 0;
    cr_assert(cJSON_IsObject(h), "%s: the hello is not a JSON object: %s", r->name, line);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, "certpath-exec");
    cr_expect(cJSON_IsNumber(v) && v->valuedouble == 1, "%s: no \"certpath-exec\": 1", r->name);
    cr_expect_str_eq(cp_test_field(h, "name"), r->name);
    static const char *const texts[] = {"library", "version", "settings"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(h, texts[i]);
        cr_expect(cJSON_IsString(t) && t->valuestring[0], "%s: no %s in the hello", r->name,
                  texts[i]);
    }
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(h, "caps");
    cr_assert(cJSON_IsArray(arr), "%s: \"caps\" is not an array", r->name);
    cJSON_ArrayForEach(c, arr)
    {
        unsigned bit = cJSON_IsString(c) ? cp_cap_from_protocol_name(c->valuestring) : 0;
        cr_expect_neq(bit, 0, "%s: a capability the protocol does not know: %s", r->name,
                      cJSON_IsString(c) ? c->valuestring : "(not a string)");
        caps |= bit;
    }
    cr_assert(caps & (CP_CAP_INPROC | CP_CAP_WIRE), "%s: neither verify nor connect", r->name);
    cJSON_Delete(h);
    return caps;
}

/* The fields of a request for a case of the suite, without the braces: mode, files, hostname,
 * time, and for connect the server's address. */
static void case_fields(char *buf, size_t cap, const struct cp_manifest *m, const char *id,
                        const char *mode, int port)
{
    const struct cp_manifest_case *c = cp_test_manifest_case(m, id);
    cr_assert_not_null(c, "%s is not in the suite", id);
    int n = snprintf(buf, cap,
                     "\"mode\":\"%s\",\"dir\":\"%s/cases/%s\",\"chain\":\"%s/cases/%s/chain.pem\","
                     "\"roots\":\"%s/cases/%s/roots.pem\",\"hostname\":\"%s\",\"time\":%lld,"
                     "\"time_rfc3339\":\"\",\"host\":\"127.0.0.1\",\"port\":%d",
                     mode, suite, id, suite, id, suite, id, c->hostname, (long long)m->vtime, port);
    cr_assert(n > 0 && (size_t)n < cap);
}

/* Writes one line, reads one reply within wait_ms; checks it is a JSON object with this id and
 * a known outcome. The caller deletes it. */
static cJSON *ask(const struct verifier *r, struct cp_test_proc *p, const char *line,
                  const char *id, int wait_ms)
{
    cp_test_proc_write(p, line);
    char *text = cp_test_proc_read(p, NULL, wait_ms);
    cr_assert_not_null(text, "%s: no reply (EOF, or none within %d ms) to: %s", r->name, wait_ms,
                       line);
    cJSON *reply = cJSON_Parse(text);
    cr_assert(cJSON_IsObject(reply), "%s: the reply is not a JSON object: %s", r->name, text);
    cr_expect_str_eq(cp_test_field(reply, "id"), id, "%s: the reply to %s", r->name, line);
    const char *outcome = cp_test_field(reply, "outcome");
    cr_expect(strcmp(outcome, "accept") == 0 || strcmp(outcome, "reject") == 0 ||
                  strcmp(outcome, "error") == 0,
              "%s: outcome \"%s\" in %s", r->name, outcome, text);
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(reply, "reason");
    cr_expect(cJSON_IsString(reason), "%s: no string reason in %s", r->name, text);
    free(text);
    return reply;
}

/* A well-formed request for a case, in the program's mode, answered with the manifest's
 * outcome; extra: more fields (",\"timeout_ms\":4000"), or "". */
static void expect_case(const struct verifier *r, struct cp_test_proc *p,
                        const struct cp_manifest *m, const char *id, const char *mode, int port,
                        const char *extra)
{
    char fields[4 * PATH_MAX], line[5 * PATH_MAX];
    case_fields(fields, sizeof(fields), m, id, mode, port);
    snprintf(line, sizeof(line), "{\"id\":\"%s\",%s%s}\n", id, fields, extra);
    cJSON *reply = ask(r, p, line, id, START_MS);
    cr_expect_str_eq(cp_test_field(reply, "outcome"), cp_test_expected(m, id), "%s: %s: %s",
                     r->name, id, cp_test_field(reply, "reason"));
    cJSON_Delete(reply);
}

/* A line the program must answer with an error at once: with reply_id, and a reason starting
 * "bad request: " when bad. */
static void expect_error(const struct verifier *r, struct cp_test_proc *p, const char *line,
                         const char *reply_id, bool bad)
{
    char text[5 * PATH_MAX];
    snprintf(text, sizeof(text), "%s\n", line);
    cJSON *reply = ask(r, p, text, reply_id, PROMPT_MS);
    const char *reason = cp_test_field(reply, "reason");
    cr_expect_str_eq(cp_test_field(reply, "outcome"), "error", "%s: %s: %s", r->name, line, reason);
    if (bad)
        cr_expect(strncmp(reason, "bad request: ", 13) == 0,
                  "%s: the reason for %s is \"%s\", not \"bad request: ...\"", r->name, line,
                  reason);
    cJSON_Delete(reply);
}

/* Every kind of request that is not well formed, and one naming files that do not exist. */
static void expect_bad_requests(const struct verifier *r, struct cp_test_proc *p,
                                const struct cp_manifest *m, const char *mode, int port)
{
    char f[4 * PATH_MAX], line[5 * PATH_MAX];
    case_fields(f, sizeof(f), m, "controls/accept", mode, port);
    expect_error(r, p, "this is not JSON", "", true);
    expect_error(r, p, "{\"id\": \"cut/short\", \"mode\":", "", true);
    expect_error(r, p, "[1, 2, 3]", "", true);
    expect_error(r, p, "\"controls/accept\"", "", true);
    expect_error(r, p, "null", "", true);
    snprintf(line, sizeof(line), "{%s}", f);
    expect_error(r, p, line, "", true); /* no id */
    snprintf(line, sizeof(line), "{\"id\":42,%s}", f);
    expect_error(r, p, line, "", true); /* an id that is no string */
    /* Later fields of the same name replace earlier ones in every JSON reader used here. */
    static const struct {
        const char *id, *change;
    } bad[] = {
        {"bad/mode-unknown", "\"mode\":\"teleport\""},
        {"bad/mode-number", "\"mode\":1"},
        {"bad/chain-missing", "\"chain\":null"},
        {"bad/roots-number", "\"roots\":7"},
        {"bad/hostname-missing", "\"hostname\":null"},
        {"bad/time-string", "\"time\":\"noon\""},
        {"bad/time-fraction", "\"time\":1.5"},
        {"bad/timeout-zero", "\"timeout_ms\":0"},
        {"bad/timeout-string", "\"timeout_ms\":\"soon\""},
        {"bad/timeout-huge", "\"timeout_ms\":3600001"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(line, sizeof(line), "{\"id\":\"%s\",%s,%s}", bad[i].id, f, bad[i].change);
        expect_error(r, p, line, bad[i].id, true);
    }
    /* A connect request without its server's port. */
    case_fields(f, sizeof(f), m, "controls/accept", "connect", port);
    snprintf(line, sizeof(line), "{\"id\":\"bad/port-missing\",%s,\"port\":null}", f);
    expect_error(r, p, line, "bad/port-missing", true);
    snprintf(line, sizeof(line), "{\"id\":\"bad/port-zero\",%s,\"port\":0}", f);
    expect_error(r, p, line, "bad/port-zero", true);
    /* Well formed, but its files do not exist: an error, not a verdict. */
    case_fields(f, sizeof(f), m, "controls/accept", mode, port);
    snprintf(line, sizeof(line),
             "{\"id\":\"files/missing\",%s,\"chain\":\"/nonexistent/chain.pem\","
             "\"roots\":\"/nonexistent/roots.pem\"}",
             f);
    expect_error(r, p, line, "files/missing", false);
    /* A blank line is no request: the next reply is the next request's. */
    cp_test_proc_write(p, "\n   \n");
}

/* A connect request to a listener that never speaks: an error within timeout_ms and a margin
 * (at once for a program without connect). */
static void expect_silent_server_error(const struct verifier *r, struct cp_test_proc *p,
                                       const struct cp_manifest *m, unsigned caps)
{
    char f[4 * PATH_MAX], line[5 * PATH_MAX];
    int port, fd = cp_test_silent_listener(&port);
    case_fields(f, sizeof(f), m, "controls/accept", "connect", port);
    snprintf(line, sizeof(line), "{\"id\":\"silent/server\",%s,\"timeout_ms\":%d}\n", f,
             SILENT_TIMEOUT_MS);
    int64_t t0 = cp_test_now_ms();
    cJSON *reply = ask(r, p, line, "silent/server", SILENT_TIMEOUT_MS + PROMPT_MS);
    int64_t took = cp_test_now_ms() - t0;
    close(fd);
    cr_expect_str_eq(cp_test_field(reply, "outcome"), "error", "%s: a silent server: %s", r->name,
                     cp_test_field(reply, "reason"));
    cr_expect_leq(took, SILENT_TIMEOUT_MS + SILENT_MARGIN_MS,
                  "%s: the error for a silent server took %lld ms (timeout_ms %d): %s", r->name,
                  (long long)took, SILENT_TIMEOUT_MS, cp_test_field(reply, "reason"));
    /* A program that connects waited for the server, rather than failing for another reason. */
    if (caps & CP_CAP_WIRE)
        cr_expect_geq(took, SILENT_TIMEOUT_MS * 8 / 10,
                      "%s: the error for a silent server came after %lld ms, before timeout_ms "
                      "%d: %s",
                      r->name, (long long)took, SILENT_TIMEOUT_MS, cp_test_field(reply, "reason"));
    cJSON_Delete(reply);
}

static void check_row(const struct verifier *r)
{
    char path[PATH_MAX];
    program_of(r, path, sizeof(path));
    make_suite();
    struct cp_manifest man;
    cp_test_manifest_load(suite, &man);
    struct cp_test_proc srv, v;
    int port = cp_test_serve_start(&srv, suite);
    char *argv[] = {path, NULL};
    cp_test_proc_start(&v, argv);
    char *hello = cp_test_proc_read(&v, NULL, START_MS);
    cr_assert_not_null(hello, "%s: no hello within %d ms", r->name, START_MS);
    unsigned caps = check_hello(r, hello);
    free(hello);
    /* The program's own mode: verify when it has it (a connect request costs more). */
    const char *mode = caps & CP_CAP_INPROC ? "verify" : "connect";

    expect_case(r, &v, &man, "controls/accept", mode, port, "");
    expect_case(r, &v, &man, "controls/reject", mode, port, ",\"timeout_ms\":4000");
    expect_bad_requests(r, &v, &man, mode, port);
    expect_case(r, &v, &man, "controls/accept", mode, port, ",\"timeout_ms\":4000");
    /* The mode it lacks, if any: an error at once, never a verdict. */
    if (!(caps & CP_CAP_INPROC) || !(caps & CP_CAP_WIRE)) {
        char f[4 * PATH_MAX], line[5 * PATH_MAX];
        case_fields(f, sizeof(f), &man, "controls/accept",
                    caps & CP_CAP_INPROC ? "connect" : "verify", port);
        snprintf(line, sizeof(line), "{\"id\":\"mode/unsupported\",%s}", f);
        expect_error(r, &v, line, "mode/unsupported", false);
    }
    expect_silent_server_error(r, &v, &man, caps);
    expect_case(r, &v, &man, "controls/reject", mode, port, ",\"timeout_ms\":4000");

    cp_test_proc_stop(&v);
    cp_test_serve_stop(&srv);
    cp_manifest_free(&man);
}

#define ROW(test, row, program, needs, missing)                                                    \
    Test(exec_conformance, test)                                                                   \
    {                                                                                              \
        static const struct verifier r = {row, program, needs, missing};                           \
        check_row(&r);                                                                             \
    }

ROW(go, "go", "go/certpath-verify-go", NULL, "go")
ROW(java, "java", "java/certpath-verify-java", NULL, "java")
ROW(java_certpath, "java-certpath", "java/certpath-verify-java-certpath", NULL, "java")
ROW(pkijs, "pkijs", "pkijs/certpath-verify-pkijs", NULL, "pkijs")
ROW(webpki, "webpki", "webpki/certpath-verify-webpki", NULL, "webpki")
ROW(rustls_webpki, "rustls-webpki", "rustls-webpki/certpath-verify-rustls-webpki", NULL,
    "rustls-webpki")
ROW(python, "python", "python/certpath-verify-python", "/usr/bin/python3", "python")
ROW(node, "node", "node/certpath-verify-node", "/usr/bin/node", "node")
ROW(chromium, "chromium", "chromium/certpath-verify-chromium", "/usr/bin/chromium", "chromium")
ROW(firefox, "firefox", "firefox/certpath-verify-firefox", "/usr/bin/firefox-esr", "firefox")
ROW(example, "openssl-verify", "example/openssl-verify.py", "/usr/bin/openssl", "openssl-cli")
