/*
 * curl.c - the curl adapter: libcurl's HTTPS client, in a real handshake with the built-in
 * server (wire mode), for whichever libcurl the row names. Debian ships one libcurl per TLS
 * backend (libcurl.so.4 on OpenSSL, libcurl-gnutls.so.4, libcurl-nss.so.4) and they export the
 * same symbols, so the module links none of them: init() dlopen()s the one named by its
 * argument (a soname or a path) with RTLD_LOCAL and takes the few functions it calls with
 * dlsym(). The headers come from libcurl4-openssl-dev; only types and constants are used.
 *
 * Per case, a fresh easy handle (so nothing is shared between cases: connections, TLS
 * sessions, the CA store cache), set up as an application that pins a server address and a CA
 * file would set it:
 *   - URL https://<hostname>:<port>/ with CURLOPT_RESOLVE "<hostname>:<port>:<server address>",
 *     so that SNI and the name checked are the case hostname and no resolver is asked;
 *   - CURLOPT_CAINFO = the case's roots.pem and CURLOPT_CAPATH = NULL (Debian builds libcurl
 *     with /etc/ssl/certs as the default CA path; CAINFO alone would add the system's roots),
 *     CURLOPT_SSL_VERIFYPEER 1, CURLOPT_SSL_VERIFYHOST 2, no CURLOPT_SSL_OPTIONS (so no native
 *     CA store), CURLOPT_CA_CACHE_TIMEOUT 0;
 *   - no proxy (CURLOPT_PROXY "" and CURLOPT_NOPROXY "*", whatever the environment says), no
 *     connection reuse (CURLOPT_FRESH_CONNECT, CURLOPT_FORBID_REUSE), no TLS session cache;
 *   - CURLOPT_NOSIGNAL, connect and transfer timeouts under the harness's per-case timeout, the
 *     response body discarded.
 * The NSS backend keeps certificates in process-wide caches that outlive the handle (the nss
 * adapter found a chain validated in one case found again in the next), so with it every case
 * runs between curl_global_init() and curl_global_cleanup(), which shuts NSS down, and no case
 * can see another's certificates (one NSS for the whole worker gave the same verdicts on the
 * default suite here, but nothing guarantees it). The modules NSS loads are kept mapped between
 * cases, so each case pays for NSS's initialisation only. NSS's database directory (SSL_DIR) is
 * pointed at the case directory, which holds none, so that NSS never opens /etc/pki/nssdb; with
 * CURLOPT_CAINFO set curl does not load NSS's built-in roots (libnssckbi).
 *
 * Time: libcurl has no way to pass a validation time to its backends; the harness runs the
 * workers under the clock shim (CP_CAP_CLOCK_SHIM).
 *
 * Outcomes. The server answers an HTTP request after the handshake, but what counts is the
 * handshake: accept = CURLINFO_APPCONNECT_TIME_T > 0, which curl records only once the TLS
 * connection is up and its own checks (the backend's verification, then the host name) passed.
 * reject = CURLE_PEER_FAILED_VERIFICATION (every backend's verify failures and host name
 * mismatches), or CURLE_SSL_CONNECT_ERROR where the backend shows it failed on the certificates:
 *   - OpenSSL: curl maps a handshake failure to CURLE_PEER_FAILED_VERIFICATION only when the
 *     first queued error is "certificate verify failed"; a chain whose signature OpenSSL cannot
 *     even compute (a corrupted ECDSA signature: "asn1 encoding routines::EVP lib") comes back as
 *     CURLE_SSL_CONNECT_ERROR, with curl's placeholder verify result 1. Those are told apart by
 *     the TLS messages the backend passes to the debug callback: the server's Certificate
 *     arrived and the client answered with a fatal alert (as the openssl-wire adapter does);
 *   - GnuTLS: curl returns CURLE_SSL_CONNECT_ERROR with gnutls_certificate_verify_peers2()'s
 *     negative return as the verify result when GnuTLS refuses to verify at all (more than 16
 *     certificates: GNUTLS_E_CONSTRAINT_ERROR, -101), as the gnutls adapter reports too;
 *   - NSS: the bad-certificate handler records NSS's error as the verify result.
 * The code is CURLINFO_SSL_VERIFYRESULT (OpenSSL's X509_V_ERR_*, GnuTLS's status flags or error,
 * NSS's PRErrorCode; 0 for a host name mismatch on OpenSSL and GnuTLS) and the reason curl's
 * error buffer. Everything else (no server, a timeout, a handshake that failed before the
 * certificates were judged, a CA file the backend cannot load) is an error.
 */
#include "cp_adapter_util.h"

#include <curl/curl.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* CURLOPT_RESOLVE and CURLINFO_APPCONNECT_TIME_T need 7.61.0. */
#define CU_MIN_VERSION 0x073d00
/* GnuTLS's out-of-memory error, which the GnuTLS backend may leave as its verify result. */
#define CU_GNUTLS_E_MEMORY_ERROR (-25)

#define CU_CAPS (CP_CAP_WIRE | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_CLOCK_SHIM)

enum cu_backend { CU_OPENSSL, CU_GNUTLS, CU_NSS, CU_OTHER };

/* The modules NSS loads at initialisation and unloads at shutdown (the soft token, its freebl,
 * curl's PEM reader), by soname. */
static const char *const cu_nss_modules[] = {"libsoftokn3.so", "libfreeblpriv3.so", "libnsspem.so"};
#define CU_NSS_MODULES (sizeof(cu_nss_modules) / sizeof(cu_nss_modules[0]))

/* The libcurl functions the adapter calls, resolved from the loaded library. */
struct cu_api {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    curl_version_info_data *(*version_info)(CURLversion v);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
};

struct cu_ctx {
    void *lib; /* the libcurl, never dlclose()d: its backend may have atexit handlers */
    struct cu_api api;
    enum cu_backend backend;
    int global_ready;             /* curl_global_init() done and not yet cleaned up */
    void *pinned[CU_NSS_MODULES]; /* extra references that keep NSS's modules mapped */
    char version[CP_VERSION_TEXT_MAX];
};

/* What the handshake showed, from the debug callback (OpenSSL backend: TLS messages). */
struct cu_trace {
    int got_certificate; /* the server's Certificate message arrived */
    int sent_alert;      /* the fatal alert the client sent, or -1 */
};

static int cu_resolve(struct cu_ctx *ctx, char *err, size_t errcap)
{
    static const struct {
        const char *name;
        size_t off;
    } syms[] = {
#define CU_SYM(field, name) {name, offsetof(struct cu_api, field)}
        CU_SYM(global_init, "curl_global_init"),
        CU_SYM(global_cleanup, "curl_global_cleanup"),
        CU_SYM(easy_init, "curl_easy_init"),
        CU_SYM(easy_setopt, "curl_easy_setopt"),
        CU_SYM(easy_perform, "curl_easy_perform"),
        CU_SYM(easy_getinfo, "curl_easy_getinfo"),
        CU_SYM(easy_cleanup, "curl_easy_cleanup"),
        CU_SYM(version_info, "curl_version_info"),
        CU_SYM(easy_strerror, "curl_easy_strerror"),
        CU_SYM(slist_append, "curl_slist_append"),
        CU_SYM(slist_free_all, "curl_slist_free_all"),
#undef CU_SYM
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        void *p = dlsym(ctx->lib, syms[i].name);
        if (!p) {
            snprintf(err, errcap, "%s is not in the loaded libcurl", syms[i].name);
            return -1;
        }
        memcpy((char *)&ctx->api + syms[i].off, &p, sizeof(p));
    }
    return 0;
}

static enum cu_backend cu_backend_of(const char *ssl)
{
    if (!ssl)
        return CU_OTHER;
    if (strncmp(ssl, "OpenSSL/", 8) == 0)
        return CU_OPENSSL;
    if (strncmp(ssl, "GnuTLS/", 7) == 0)
        return CU_GNUTLS;
    if (strncmp(ssl, "NSS/", 4) == 0)
        return CU_NSS;
    return CU_OTHER;
}

static int cu_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                   size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    struct cu_ctx *ctx = vctx;
    const char *lib = arg && *arg ? arg : "libcurl.so.4";
    if (!(ctx->lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL))) {
        snprintf(err, errcap, "cannot load %s: %s", lib, dlerror());
        return -1;
    }
    if (cu_resolve(ctx, err, errcap))
        return -1;
    const curl_version_info_data *v = ctx->api.version_info(CURLVERSION_NOW);
    if (!v || v->version_num < CU_MIN_VERSION) {
        snprintf(err, errcap, "%s is libcurl %s; the adapter needs 7.61.0 or later", lib,
                 v ? v->version : "of unknown version");
        return -1;
    }
    if (!(v->features & CURL_VERSION_SSL) || !v->ssl_version) {
        snprintf(err, errcap, "%s (libcurl %s) has no TLS backend", lib, v->version);
        return -1;
    }
    ctx->backend = cu_backend_of(v->ssl_version);
    /* The purpose capability is claimed for every backend: curl is the client being measured,
     * and what it asks its backend for is its behaviour. curl's GnuTLS backend verifies with
     * gnutls_certificate_verify_peers2(), which checks no key purpose, so a leaf without
     * serverAuth passes there: a finding to report, not a case to skip. */
    snprintf(ctx->version, sizeof(ctx->version), "libcurl %s (%s)", v->version, v->ssl_version);
    if (ctx->backend != CU_NSS) {
        CURLcode rc = ctx->api.global_init(CURL_GLOBAL_DEFAULT);
        if (rc) {
            snprintf(err, errcap, "curl_global_init: %s", ctx->api.easy_strerror(rc));
            return -1;
        }
        ctx->global_ready = 1;
    }
    return 0;
}

static void cu_cleanup(void *vctx)
{
    struct cu_ctx *ctx = vctx;
    if (ctx->global_ready)
        ctx->api.global_cleanup();
    ctx->global_ready = 0;
}

static void cu_version(void *vctx, char *buf, size_t cap)
{
    struct cu_ctx *ctx = vctx;
    cp_copy_text(buf, cap, ctx->version);
}

static size_t cu_discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data, (void)arg;
    return size * n;
}

/* The OpenSSL backend passes every TLS message to the debug callback (with CURLOPT_VERBOSE):
 * handshake messages start with their type and a 24-bit length, alerts are two bytes. */
static int cu_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
    struct cu_trace *t = arg;
    const unsigned char *p = (const unsigned char *)data;
    (void)h;
    if (type == CURLINFO_SSL_DATA_IN && size >= 4 && p[0] == 11 &&
        (((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3]) == size - 4)
        t->got_certificate = 1;
    if (type == CURLINFO_SSL_DATA_OUT && size == 2 && p[0] == 2)
        t->sent_alert = p[1];
    return 0;
}

/* Sets one option; on failure fills out and returns -1. */
#define CU_SET(opt, val)                                                                           \
    do {                                                                                           \
        CURLcode set_rc = api->easy_setopt(h, opt, val);                                           \
        if (set_rc) {                                                                              \
            cp_result(out, CP_VERIFY_ERROR, set_rc, "curl_easy_setopt(%s): %s", #opt,              \
                      api->easy_strerror(set_rc));                                                 \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

struct cu_case {
    char url[512], resolve[512], cainfo[PATH_MAX + 16];
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *resolve_list;
    struct cu_trace trace;
};

/* The transfer may take in->timeout_ms (under the harness's per-case limit, so a stuck
 * connection is the adapter's error rather than a killed worker; the server answers on
 * loopback in milliseconds); the connection three quarters of it. */
static int cu_setup(const struct cu_ctx *ctx, CURL *h, struct cu_case *c, long timeout_ms,
                    struct cp_verify_result *out)
{
    const struct cu_api *api = &ctx->api;
    CU_SET(CURLOPT_ERRORBUFFER, c->errbuf);
    CU_SET(CURLOPT_URL, c->url);
    CU_SET(CURLOPT_RESOLVE, c->resolve_list);
    CU_SET(CURLOPT_CAINFO, c->cainfo);
    CU_SET(CURLOPT_CAPATH, (char *)NULL);
    CU_SET(CURLOPT_SSL_VERIFYPEER, 1L);
    CU_SET(CURLOPT_SSL_VERIFYHOST, 2L);
    CU_SET(CURLOPT_PROXY, "");
    CU_SET(CURLOPT_NOPROXY, "*");
    CU_SET(CURLOPT_FRESH_CONNECT, 1L);
    CU_SET(CURLOPT_FORBID_REUSE, 1L);
    CU_SET(CURLOPT_SSL_SESSIONID_CACHE, 0L);
    CU_SET(CURLOPT_NOSIGNAL, 1L);
    /* At the default 5 s limit: connect 3 s, transfer 4 s, as the settings text says. */
    CU_SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms * 3 / 4);
    CU_SET(CURLOPT_TIMEOUT_MS, timeout_ms);
    CU_SET(CURLOPT_WRITEFUNCTION, cu_discard);
    if (ctx->backend == CU_OPENSSL) {
        CU_SET(CURLOPT_DEBUGFUNCTION, cu_debug);
        CU_SET(CURLOPT_DEBUGDATA, &c->trace);
        CU_SET(CURLOPT_VERBOSE, 1L);
    }
    /* 7.87.0 and later keep a CA store for a day; with a fresh handle per case nothing could
     * reuse it, and 0 says so. Older versions do not know the option. */
    CURLcode rc = api->easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT, 0L);
    if (rc && rc != CURLE_UNKNOWN_OPTION) {
        cp_result(out, CP_VERIFY_ERROR, rc, "curl_easy_setopt(CURLOPT_CA_CACHE_TIMEOUT): %s",
                  api->easy_strerror(rc));
        return -1;
    }
    return 0;
}

/* Whether a handshake that failed with CURLE_SSL_CONNECT_ERROR failed on the server's
 * certificates, by what each backend leaves behind (see the top of the file). */
static bool cu_connect_error_is_verdict(const struct cu_ctx *ctx, const struct cu_case *c, long vr)
{
    switch (ctx->backend) {
    case CU_OPENSSL:
        return c->trace.got_certificate && c->trace.sent_alert >= 0;
    case CU_GNUTLS:
        return vr < 0 && vr != CU_GNUTLS_E_MEMORY_ERROR;
    case CU_NSS:
        return vr != 0;
    default:
        return false;
    }
}

/* Fills out from what curl_easy_perform() returned. */
static void cu_outcome(const struct cu_ctx *ctx, CURL *h, CURLcode rc, const struct cu_case *c,
                       struct cp_verify_result *out)
{
    const struct cu_api *api = &ctx->api;
    curl_off_t appconnect = 0;
    long vr = 0;
    const char *text = c->errbuf[0] ? c->errbuf : api->easy_strerror(rc);
    if (api->easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &appconnect) ||
        api->easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &vr)) {
        cp_result(out, CP_VERIFY_ERROR, rc, "curl_easy_getinfo failed after: %s", text);
    } else if (appconnect > 0) {
        /* The TLS connection was up, so every check curl makes passed; what the HTTP exchange
         * did afterwards is no part of the verdict. */
        cp_result(out, CP_VERIFY_ACCEPT, 0, "handshake completed%s%s", rc ? "; then: " : "",
                  rc ? text : "");
    } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
        cp_result(out, CP_VERIFY_REJECT, vr, "%s", text);
    } else if (rc == CURLE_SSL_CONNECT_ERROR && cu_connect_error_is_verdict(ctx, c, vr)) {
        if (c->trace.sent_alert >= 0)
            cp_result(out, CP_VERIFY_REJECT, vr, "%s (the client sent fatal alert %d)", text,
                      c->trace.sent_alert);
        else
            cp_result(out, CP_VERIFY_REJECT, vr, "%s", text);
    } else {
        cp_result(out, CP_VERIFY_ERROR, vr, "%s (%s)", text, api->easy_strerror(rc));
    }
}

/* NSS shuts down after every case; unmapping and mapping its modules again each time would cost
 * more than the handshake. While NSS holds them, RTLD_NOLOAD takes a reference that keeps them
 * mapped (it never loads one); NSS still initialises them afresh for every case. */
static void cu_pin_nss_modules(struct cu_ctx *ctx)
{
    for (size_t i = 0; i < CU_NSS_MODULES; i++) {
        if (!ctx->pinned[i])
            ctx->pinned[i] = dlopen(cu_nss_modules[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    }
}

static int cu_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct cu_ctx *ctx = vctx;
    const struct cu_api *api = &ctx->api;
    struct cu_case *c = calloc(1, sizeof(*c));
    CURL *h = NULL;
    int nss_global = 0;
    if (!c)
        return cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
    c->trace.sent_alert = -1;
    if (!in->host || in->port <= 0 || !in->case_dir) {
        cp_result(out, CP_VERIFY_ERROR, 0, "curl needs the built-in server (--mode wire)");
        goto out;
    }
    const char *lb = strchr(in->host, ':') ? "[" : "", *rb = *lb ? "]" : "";
    snprintf(c->url, sizeof(c->url), "https://%s:%d/", in->hostname, in->port);
    snprintf(c->resolve, sizeof(c->resolve), "%s:%d:%s%s%s", in->hostname, in->port, lb, in->host,
             rb);
    snprintf(c->cainfo, sizeof(c->cainfo), "%s/roots.pem", in->case_dir);
    if (access(c->cainfo, R_OK)) {
        cp_result(out, CP_VERIFY_ERROR, 0, "%s cannot be read", c->cainfo);
        goto out;
    }
    if (ctx->backend == CU_NSS) {
        CURLcode rc;
        setenv("SSL_DIR", in->case_dir, 1);
        if ((rc = api->global_init(CURL_GLOBAL_DEFAULT))) {
            cp_result(out, CP_VERIFY_ERROR, rc, "curl_global_init: %s", api->easy_strerror(rc));
            goto out;
        }
        nss_global = 1;
    }
    if (!(c->resolve_list = api->slist_append(NULL, c->resolve)) || !(h = api->easy_init())) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory for a curl handle");
        goto out;
    }
    if (cu_setup(ctx, h, c, (long)in->timeout_ms, out))
        goto out;
    cu_outcome(ctx, h, api->easy_perform(h), c, out);
out:
    if (h)
        api->easy_cleanup(h);
    if (c->resolve_list)
        api->slist_free_all(c->resolve_list);
    if (nss_global) {
        cu_pin_nss_modules(ctx);
        api->global_cleanup();
    }
    free(c);
    return 0;
}

/* Not const: init() sets the capabilities once the backend is known (the worker reads them
 * after init()). */
static const struct cp_adapter cu_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "curl",
    .library = "libcurl",
    .caps = CU_CAPS,
    .settings =
        "libcurl's HTTPS client (curl_easy_perform), the libcurl named by the row or path, "
        "loaded at run time; a fresh easy handle per case: URL https://<hostname>:<port>/ with "
        "CURLOPT_RESOLVE <hostname>:<port>:<server address> (SNI and the name checked = "
        "hostname); CURLOPT_CAINFO = the case's roots.pem, CURLOPT_CAPATH = NULL, no "
        "CURLOPT_SSL_OPTIONS (no native CA store; on OpenSSL curl's default "
        "X509_V_FLAG_PARTIAL_CHAIN stays on), CURLOPT_CA_CACHE_TIMEOUT 0; "
        "CURLOPT_SSL_VERIFYPEER 1, CURLOPT_SSL_VERIFYHOST 2; CURLOPT_PROXY \"\" and "
        "CURLOPT_NOPROXY *; CURLOPT_FRESH_CONNECT, CURLOPT_FORBID_REUSE, "
        "CURLOPT_SSL_SESSIONID_CACHE 0; CURLOPT_NOSIGNAL; connect timeout 3 s, transfer 4 s; "
        "the backend's own defaults otherwise. NSS backend: curl_global_init/cleanup around "
        "every case (a fresh NSS) and SSL_DIR = the case directory (no NSS database). Time: the "
        "clock shim. accept = the TLS handshake completed (CURLINFO_APPCONNECT_TIME_T > 0), "
        "whatever the HTTP exchange did then; reject = CURLE_PEER_FAILED_VERIFICATION, or "
        "CURLE_SSL_CONNECT_ERROR on the certificates (OpenSSL: the client sent a fatal alert "
        "after the server's Certificate; GnuTLS: the verify call refused the list; NSS: a "
        "verify result recorded), with curl's error text and CURLINFO_SSL_VERIFYRESULT as "
        "code; anything else is an error. The GnuTLS backend asks for no key purpose (curl's "
        "gnutls_certificate_verify_peers2 call): wrong-EKU cases are measured, not skipped",
    .ctx_size = sizeof(struct cu_ctx),
    .init = cu_init,
    .version = cu_version,
    .verify = cu_verify,
    .cleanup = cu_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &cu_adapter;
}
