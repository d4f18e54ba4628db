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
#include "cp_adapter_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pool.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* BoringSSL's text for the most recent error in the queue, which is then emptied. */
static void bssl_error_text(char *buf, size_t cap, uint32_t *code)
{
    uint32_t e = ERR_peek_last_error();
    if (code)
        *code = e;
    if (e)
        ERR_error_string_n(e, buf, cap);
    else
        cp_copy_text(buf, cap, "no BoringSSL error recorded");
    ERR_clear_error();
}

/* The file a function's address belongs to, or "?" */
static const char *bssl_object_of(const void *fn)
{
    Dl_info info;
    if (dladdr(fn, &info) && info.dli_fname)
        return info.dli_fname;
    return "?";
}

static int bssl_init(void *ctx, const char *arg, char *err, size_t errcap)
{
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

/* Parses one certificate as the TLS client does. Returns it, or NULL with out filled: a reject
 * when BoringSSL refused the bytes, an error when it ran out of memory. */
static X509 *bssl_parse(const struct cp_der *d, int index, struct cp_verify_result *out)
{
    CRYPTO_BUFFER *buf = CRYPTO_BUFFER_new(d->der, d->len, NULL);
    X509 *x = NULL;
    char text[CP_REASON_TEXT_MAX];
    uint32_t e;
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
        bssl_error_text(text, sizeof(text), &e);
        cp_result(out,
                  ERR_GET_REASON(e) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE) ? CP_VERIFY_ERROR
                                                                            : CP_VERIFY_REJECT,
                  (long)e, "certificate %d: %s", index, text);
    }
out:
    CRYPTO_BUFFER_free(buf);
    return x;
}

/* Parses the certificates the server sent into a new stack, leaf first. Returns 0, or -1 with
 * out filled. */
static int bssl_parse_chain(const struct cp_verify_input *in, STACK_OF(X509) * *chain,
                            struct cp_verify_result *out)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *x = NULL;
    int rc = -1;
    if (!sk) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < in->nchain; i++) {
        if (!(x = bssl_parse(&in->chain[i], i, out)))
            goto out;
        if (!sk_X509_push(sk, x)) {
            cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
            goto out;
        }
        x = NULL;
    }
    *chain = sk;
    sk = NULL;
    rc = 0;
out:
    X509_free(x);
    sk_X509_pop_free(sk, X509_free);
    return rc;
}

/* A store with the case's roots. Returns 0, or -1 with out filled: a root BoringSSL cannot load
 * is a client that cannot be set up, never a verdict. */
static int bssl_make_store(const struct cp_verify_input *in, X509_STORE **store,
                           struct cp_verify_result *out)
{
    X509_STORE *st = X509_STORE_new();
    X509 *x = NULL;
    int rc = -1;
    char text[CP_REASON_TEXT_MAX];
    if (!st) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < in->nroots; i++) {
        const unsigned char *p = in->roots[i].der;
        if (!(x = d2i_X509(NULL, &p, (long)in->roots[i].len)) || !X509_STORE_add_cert(st, x)) {
            bssl_error_text(text, sizeof(text), NULL);
            cp_result(out, CP_VERIFY_ERROR, 0, "root %d cannot be loaded: %s", i, text);
            goto out;
        }
        X509_free(x);
        x = NULL;
    }
    *store = st;
    st = NULL;
    rc = 0;
out:
    X509_free(x);
    X509_STORE_free(st);
    return rc;
}

/* Whether the name is an IPv4 or IPv6 literal. */
static int bssl_is_ip(const char *name)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

/* What the client sets: the "ssl_server" defaults, then the SSL handle's parameters. Returns 0,
 * or -1 with out filled. */
static int bssl_configure(X509_STORE_CTX *sctx, const struct cp_verify_input *in,
                          struct cp_verify_result *out)
{
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    char text[CP_REASON_TEXT_MAX];
    int ok = X509_STORE_CTX_set_default(sctx, "ssl_server");
    X509_VERIFY_PARAM_set_time(param, (time_t)in->vtime);
    if (ok && in->hostname && in->hostname[0]) {
        if (bssl_is_ip(in->hostname)) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(param, in->hostname);
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, in->hostname, strlen(in->hostname));
        }
    }
    if (!ok) {
        bssl_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "verify parameters: %s", text);
        return -1;
    }
    return 0;
}

static int bssl_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    STACK_OF(X509) *chain = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *sctx = NULL;
    char text[CP_REASON_TEXT_MAX];
    int ret;
    long err;
    (void)vctx;

    ERR_clear_error();
    if (in->nchain < 1) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the case sends no certificate");
        goto out;
    }
    if (bssl_parse_chain(in, &chain, out) || bssl_make_store(in, &store, out))
        goto out;
    if (!(sctx = X509_STORE_CTX_new()) ||
        !X509_STORE_CTX_init(sctx, store, sk_X509_value(chain, 0), chain)) {
        bssl_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "store context: %s", text);
        goto out;
    }
    if (bssl_configure(sctx, in, out))
        goto out;
    ret = X509_verify_cert(sctx);
    err = X509_STORE_CTX_get_error(sctx);
    if (ret == 1) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", X509_verify_cert_error_string(X509_V_OK));
    } else if (err == X509_V_ERR_OUT_OF_MEM) {
        cp_result(out, CP_VERIFY_ERROR, err, "%s", X509_verify_cert_error_string(err));
    } else if (ret < 0) {
        /* An exceptional failure inside X509_verify_cert(); the client fails the handshake on
         * any result other than 1, so it is still the library's rejection. */
        cp_result(out, CP_VERIFY_REJECT, err, "%s (X509_verify_cert returned %d)",
                  X509_verify_cert_error_string(err), ret);
    } else {
        cp_result(out, CP_VERIFY_REJECT, err, "%s", X509_verify_cert_error_string(err));
    }
out:
    X509_STORE_CTX_free(sctx);
    X509_STORE_free(store);
    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();
    return 0;
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
    .verify = bssl_verify,
    .cleanup = cp_adapter_cleanup_none,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &bssl_adapter;
}
