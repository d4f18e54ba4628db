/*
 * boringssl.c - the BoringSSL adapter: X509_verify_cert() set up the way BoringSSL's TLS client
 * sets it up in ssl_crypto_x509_session_verify_cert_chain() (ssl/ssl_x509.cc), built against
 * Debian's android-libboringssl (its own include and library directories).
 *
 * What the TLS client does, and what this adapter copies:
 *   - the server's certificates are kept as CRYPTO_BUFFERs and parsed with
 *     X509_parse_from_buffer(), which also refuses trailing bytes; a certificate that does not
 *     parse fails the handshake (SSL_R_DECODE_ERROR), so it is a reject with BoringSSL's error;
 *   - the store holds the trusted certificates (here: the case's roots, nothing else);
 *   - X509_STORE_CTX_init() gets the leaf and, as untrusted certificates, the whole list the
 *     server sent (leaf included, order and duplicates kept);
 *   - X509_STORE_CTX_set_default(ctx, "ssl_server"): purpose X509_PURPOSE_SSL_SERVER and trust
 *     X509_TRUST_SSL_SERVER;
 *   - then the parameters an application sets on the SSL handle: the host name
 *     (X509_VERIFY_PARAM_set1_host; X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS is set for symmetry
 *     with OpenSSL but is 0 in BoringSSL, whose matching never allows partial wildcards), or the
 *     IP address when the name is an IP literal (X509_VERIFY_PARAM_set1_ip_asc), and the
 *     validation time (X509_VERIFY_PARAM_set_time, which turns on X509_V_FLAG_USE_CHECK_TIME).
 * BoringSSL has no security levels (no X509_VERIFY_PARAM_set_auth_level), so nothing stands for
 * OpenSSL's auth level. No verification flag is set or cleared otherwise (BoringSSL's defaults:
 * X509_V_FLAG_TRUSTED_FIRST on, X509_V_FLAG_PARTIAL_CHAIN off); no callback, no CRLs.
 *
 * BoringSSL and OpenSSL export the same symbol names. Unversioned references are resolved
 * against the global scope first, so if the process already holds OpenSSL's libcrypto (a test
 * runner that links it, say), this module's calls would silently land in OpenSSL. init()
 * checks where X509_verify_cert() really resolved and refuses to run elsewhere.
 */

/* The store, parameters and verdict are shared with the other X509_verify_cert() adapter;
 * this file adds how BoringSSL's client parses a certificate (x509_store_common.h). */
#define XST_LIBRARY "BoringSSL"
#include "x509_store_common.h"

#include <openssl/crypto.h>
#include <openssl/pool.h>
#include <openssl/ssl.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The file a function's address belongs to, or "?" */
static const char *bssl_object_of(const void *fn)
{
    Dl_info info;
    if (dladdr(fn, &info) && info.dli_fname)
        return info.dli_fname;
    return "?";
}

static int bssl_init(void *ctx, const char *arg, struct cp_adapter_info *info, char *err,
                     size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    int rc = -1;
    (void)ctx, (void)arg;
    /* CRYPTO_BUFFER_new exists in BoringSSL only, so it always binds to it; the verifier must
     * come from the same object. */
    const char *want = bssl_object_of((const void *)CRYPTO_BUFFER_new);
    const char *got = bssl_object_of((const void *)X509_verify_cert);
    if (strcmp(want, got) != 0) {
        snprintf(err, errcap,
                 "X509_verify_cert resolves to %s, not BoringSSL's %s: another libcrypto is "
                 "loaded in this process",
                 got, want);
        goto out;
    }
    CRYPTO_library_init();
    rc = 0;
out:
    return rc;
}

/* BoringSSL keeps no version at run time: OpenSSL_version() is a compatibility stub that
 * answers "BoringSSL", and BORINGSSL_API_VERSION is a header constant (the interface wants the
 * library's own words, never a header's). The package is named so a reader can look it up. */
static void bssl_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    snprintf(buf, cap, "%s (BoringSSL, Debian android-libboringssl)",
             OpenSSL_version(OPENSSL_VERSION));
}

/* X509_parse_from_buffer() on a CRYPTO_BUFFER, as the TLS client parses what the server sent;
 * it refuses trailing bytes too. */
static X509 *xst_parse_cert(const struct cp_der *d, int index, struct cp_verify_result *out)
{
    CRYPTO_BUFFER *buf = CRYPTO_BUFFER_new(d->der, d->len, NULL);
    X509 *x = NULL;
    char text[CP_REASON_TEXT_MAX];
    unsigned long e;
    if (!buf) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    if (!(x = X509_parse_from_buffer(buf))) {
        if (ERR_peek_last_error() == 0) {
            /* Trailing bytes: no parser error, the client's own code. */
            e = ERR_PACK(ERR_LIB_SSL, SSL_R_DECODE_ERROR);
            cp_result(out, CP_VERIFY_REJECT, (long)e, "certificate %d: %s", index,
                      ERR_error_string_n(e, text, sizeof(text)));
            goto out;
        }
        xst_error_text(text, sizeof(text), &e);
        cp_result(out,
                  ERR_GET_REASON(e) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE) ? CP_VERIFY_ERROR
                                                                            : CP_VERIFY_REJECT,
                  (long)e, "certificate %d: %s", index, text);
    }
out:
    CRYPTO_BUFFER_free(buf);
    return x;
}

/* BoringSSL has no security levels: nothing stands for OpenSSL's auth level. */
static void xst_client_params(const void *vctx, X509_VERIFY_PARAM *param)
{
    (void)vctx, (void)param;
}

static const struct cp_adapter bssl_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "boringssl",
    .library = "BoringSSL",
    .caps = CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_IP,
    .settings = "X509_verify_cert as BoringSSL's client calls it: an X509_STORE with the case's "
                "roots; certificates parsed with X509_parse_from_buffer (trailing bytes refused); "
                "X509_STORE_CTX_init with the leaf and the whole chain as sent (leaf included, "
                "duplicates kept) as untrusted; X509_STORE_CTX_set_default \"ssl_server\" "
                "(purpose X509_PURPOSE_SSL_SERVER, trust X509_TRUST_SSL_SERVER); "
                "X509_VERIFY_PARAM_set_time = validation time (X509_V_FLAG_USE_CHECK_TIME); "
                "X509_VERIFY_PARAM_set1_host = hostname (X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, "
                "which is 0 in BoringSSL: partial wildcards never match), or "
                "X509_VERIFY_PARAM_set1_ip_asc when the hostname is an IP literal; no security "
                "level (BoringSSL has none); no other flag set or cleared (defaults: "
                "X509_V_FLAG_TRUSTED_FIRST on, X509_V_FLAG_PARTIAL_CHAIN off); no verify "
                "callback or CRLs; refuses to run if another libcrypto interposes its symbols",
    .ctx_size = 0, /* no private state */
    .init = bssl_init,
    .version = bssl_version,
    .verify = xst_verify,
    .cleanup = cp_adapter_cleanup_none,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &bssl_adapter;
}
