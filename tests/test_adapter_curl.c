/*
 * test_adapter_curl.c - the curl module against every libcurl flavour installed (OpenSSL,
 * GnuTLS, NSS): real HTTPS handshakes with the real built-in server on a suite generated here.
 * Cases whose outcome is certain get exactly the manifest's outcome, with the backend's own
 * verify result as the reject's code; a server that is not there, or that does not know the
 * name, is an error and never a verdict; `certpath run --stack curl` runs one results file per
 * flavour, at the suite's time through the clock shim; and `--stack curl:/path/libcurl.so`
 * runs the library at that path. A flavour is skipped only when its library is not installed.
 *
 * Handshakes made in this process read the real clock (libcurl cannot take a time), so their
 * suite is minted for this second; the tool's runs use a suite minted for a past time, which
 * only the clock shim makes valid.
 */
#include "cp_missing.h"
#include "cp_registry.h"
#include "cp_tool_test.h"
#include "cp_wire_test.h"

#include "cp_common.h"
#include "cp_fs.h"

#include <cjson/cJSON.h>
#include <curl/curlver.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dlfcn.h>
#include <glob.h>
#include <link.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* A past time: the certificates of a suite minted for it expired years ago. */
#define TEST_PAST_TIME INT64_C(1700000000)

struct flavour {
    const char *row;     /* the registry row */
    const char *soname;  /* the library it loads */
    const char *backend; /* how curl_version_info names the TLS backend */
    long unknown_issuer; /* the verify result for a chain to an untrusted root */
};

static const struct flavour flavours[] = {
    /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
    {"curl-openssl", "libcurl.so.4", "OpenSSL/", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    /* GNUTLS_CERT_INVALID (2) | GNUTLS_CERT_SIGNER_NOT_FOUND (64) */
    {"curl-gnutls", "libcurl-gnutls.so.4", "GnuTLS/", 2 | 64},
    /* SEC_ERROR_UNKNOWN_ISSUER */
    {"curl-nss", "libcurl-nss.so.4", "NSS/", -8179},
};

static const char *const families[] = {"controls", "ordering", "validity", "constraints"};

static bool installed(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (h)
        dlclose(h);
    return h != NULL;
}

/*
 * The suite, the server and the curl module loaded with the flavour's library. The shared
 * support calls init() without an argument (libcurl.so.4, which libcurl4-openssl-dev, needed to
 * build the module, depends on); another flavour's context is set up again with its library.
 */
static struct cp_wire_test *open_flavour(const struct flavour *f, const char *const *fams, int n,
                                         int64_t vtime)
{
    char err[512] = "";
    if (!installed(f->soname))
        cp_test_missing(f->row, "%s is not installed", f->soname);
    struct cp_wire_test *t = cp_wire_test_open("curl", fams, n, vtime);
    if (strcmp(f->soname, "libcurl.so.4") != 0) {
        t->ad->cleanup(t->ctx);
        t->inited = false;
        memset(t->ctx, 0, t->ad->ctx_size);
        cr_assert_eq(t->ad->init(t->ctx, f->soname,
                                 &(struct cp_adapter_info){t->ad->name, t->ad->library, t->ad->caps,
                                                           t->ad->settings},
                                 err, sizeof(err)),
                     0, "init %s: %s", f->soname, err);
        t->inited = true;
    }
    return t;
}

/* The parameter is an index into flavours: Criterion passes parameters to a test process of its
 * own, where pointers into this one's data would not hold. */
ParameterizedTestParameters(adapter_curl, flavour_handshakes)
{
    static int index[] = {0, 1, 2};
    cr_assert_eq(sizeof(index) / sizeof(index[0]), sizeof(flavours) / sizeof(flavours[0]));
    return cr_make_param_array(int, index, sizeof(index) / sizeof(index[0]));
}

TestSuite(adapter_curl, .fini = cp_wire_test_close);

ParameterizedTest(int *i, adapter_curl, flavour_handshakes)
{
    const struct flavour *f = &flavours[*i];
    struct cp_wire_test *t = open_flavour(f, families, 4, CP_WIRE_TEST_CLOCK);
    char version[CP_VERSION_TEXT_MAX] = "";

    /* It names the library and the backend it found; purpose is claimed for every backend
     * (curl is the client measured: what its backend leaves unchecked is a finding). */
    t->ad->version(t->ctx, version, sizeof(version));
    int major = 0;
    cr_expect(sscanf(version, "libcurl %d.", &major) == 1 && major == LIBCURL_VERSION_MAJOR &&
                  strstr(version, f->backend),
              "%s: version \"%s\" (the headers are libcurl %d)", f->row, version,
              LIBCURL_VERSION_MAJOR);
    unsigned caps = CP_CAP_WIRE | CP_CAP_HOSTNAME | CP_CAP_CLOCK_SHIM | CP_CAP_PURPOSE;
    cr_expect_eq(t->ad->caps, caps, "%s: caps 0x%x", f->row, t->ad->caps);
    cr_expect(strstr(t->ad->settings, "CURLOPT_CAINFO") &&
              strstr(t->ad->settings, "CURLOPT_CAPATH = NULL"));

    cp_wire_test_expect_certain(CP_WIRE_CERTAIN_REVERSED | CP_WIRE_CERTAIN_HOSTNAME);
    struct cp_verify_result r = cp_wire_test_run("controls/reject", 0);
    cr_expect_eq(r.code, f->unknown_issuer, "%s: code %ld: %s", f->row, r.code, r.reason);

    /* No server, and a name the server does not serve (it alerts before any certificate):
     * errors, never verdicts. */
    cp_wire_test_expect_refusals("onnect", "");
    /* and the next case is judged as before */
    cp_wire_test_expect("controls/accept");
}

/* Runs the tool in dir with args; returns its log (the caller frees it) after asserting it
 * succeeded. */
static char *run_tool(const char *dir, const char *args)
{
    char log[512], *text = NULL;
    snprintf(log, sizeof(log), "%s/tool.log", dir);
    int rc = cp_test_certpath(dir, NULL, args, log, &text);
    cr_assert_eq(rc, 0, "certpath %s: status %d:\n%s", args, rc, text);
    return text;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return s ? s : "";
}

/* A results file of a controls-only run: the stack and backend it names, both controls passing
 * (which, on a suite minted for a past time, only the clock shim allows). A row's name is NAME;
 * a program's (program set) is NAME and its digest. */
static void expect_controls_file(const char *path, const char *name, bool program,
                                 const char *backend)
{
    cJSON *r = cp_test_load_json(path), *c;
    const cJSON *st = cJSON_GetObjectItem(r, "stack");
    int n = 0;
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(r, "complete")), "%s: not complete", path);
    if (program)
        cr_expect(cp_test_is_program_name(str_of(st, "name"), name), "%s: name %s", path,
                  str_of(st, "name"));
    else
        cr_expect_str_eq(str_of(st, "name"), name, "%s", path);
    cr_expect_str_eq(str_of(st, "mode"), "wire", "%s", path);
    cr_expect(strstr(str_of(st, "version"), backend), "%s: version %s", path,
              str_of(st, "version"));
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "cases"))
    {
        const char *id = str_of(c, "id"), *out = str_of(c, "outcome");
        if (strncmp(id, "controls/", 9) == 0) {
            cr_expect_str_eq(out, id + 9, "%s: %s: %s (%s)", path, id, out, str_of(c, "reason"));
            n++;
        }
    }
    cr_expect_eq(n, 2, "%s: %d controls", path, n);
    cJSON_Delete(r);
}

Test(adapter_curl, stack_curl_runs_every_flavour_installed_at_the_suites_time)
{
    static const char *const controls[] = {"controls"};
    struct cp_wire_test *t = cp_wire_test_open("curl", controls, 1, TEST_PAST_TIME);
    char args[2048], pattern[512];
    glob_t g;
    snprintf(args, sizeof(args),
             "run --stack curl --mode wire -j2 --suite %s --no-regenerate --filter 'controls/*'",
             t->suite);
    free(run_tool(t->tmpdir, args));
    /* One results file per flavour installed (results/<stack>.json or <stack>-wire.json). */
    int want = 0;
    for (size_t i = 0; i < sizeof(flavours) / sizeof(flavours[0]); i++) {
        const struct flavour *f = &flavours[i];
        if (!installed(f->soname))
            continue;
        want++;
        snprintf(pattern, sizeof(pattern), "%s/results/%s*.json", t->tmpdir, f->row);
        cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no results file %s", pattern);
        cr_expect_eq(g.gl_pathc, 1, "%zu files match %s", g.gl_pathc, pattern);
        expect_controls_file(g.gl_pathv[0], f->row, false, f->backend);
        globfree(&g);
    }
    snprintf(pattern, sizeof(pattern), "%s/results/curl-*.json", t->tmpdir);
    cr_assert_eq(glob(pattern, 0, NULL, &g), 0);
    cr_expect_eq(g.gl_pathc, (size_t)want, "%zu results files for %d flavours", g.gl_pathc, want);
    globfree(&g);
}

/* libcurl 8.3 removed the NSS backend (Debian 13 ships libcurl 8.14): there the curl-nss row is
 * listed as not runnable, with that reason; on an older libcurl it runs wherever its library is
 * installed. */
Test(adapter_curl, curl_nss_row_says_why_it_cannot_run_on_libcurl_8)
{
    const struct cp_stack_entry *e = cp_stack_find("curl-nss");
    char buf[256];
    const char *why = NULL;
    cr_assert_not_null(e, "the registry has no curl-nss row");
    bool runnable = cp_stack_runnable(e, buf, sizeof(buf), &why);
#if LIBCURL_VERSION_NUM >= 0x080300
    cr_expect(!runnable && e->unavailable && why && strstr(why, "no NSS backend"),
              "curl-nss on libcurl %s: runnable %d (%s)", LIBCURL_VERSION, runnable,
              why ? why : "no reason");
#else
    cr_expect_eq(runnable, installed("libcurl-nss.so.4"), "curl-nss: runnable %d (%s)", runnable,
                 why ? why : "no reason");
#endif
}

Test(adapter_curl, stack_curl_colon_path_runs_that_library)
{
    static const char *const controls[] = {"controls"};
    const char *soname = "libcurl-gnutls.so.4";
    struct link_map *map = NULL;
    char args[4096], out[512];
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        cp_test_missing("curl-gnutls", "%s is not installed", soname);
    cr_assert_eq(dlinfo(h, RTLD_DI_LINKMAP, &map), 0, "%s", dlerror());
    cr_assert(map->l_name && map->l_name[0] == '/', "no path for %s", soname);
    struct cp_wire_test *t = cp_wire_test_open("curl", controls, 1, TEST_PAST_TIME);
    snprintf(out, sizeof(out), "%s/by-path.json", t->tmpdir);
    snprintf(args, sizeof(args),
             "run --stack curl:%s --mode wire -j2 --suite %s --no-regenerate -o %s", map->l_name,
             t->suite, out);
    free(run_tool(t->tmpdir, args));
    expect_controls_file(out, "curl", true, "GnuTLS/");
    dlclose(h);
}
