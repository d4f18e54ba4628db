/*
 * openssl.c - the OpenSSL adapter: X509_verify_cert() set up the way libssl's TLS client sets
 * it up in ssl_verify_cert_chain() (OpenSSL 3.0, ssl/ssl_cert.c).
 *
 * What the TLS client does, and what this adapter copies:
 *   - each certificate the server sent is parsed with d2i_X509(); a certificate that does not
 *     parse, or that does not fill its whole length, fails the handshake (statem_clnt.c), so it
 *     is a reject with OpenSSL's own error;
 *   - the store holds the trusted certificates (here: the case's roots, nothing else);
 *   - X509_STORE_CTX_init() gets the leaf and, as untrusted certificates, the whole list the
 *     server sent (leaf included, order and duplicates kept), exactly as libssl passes it;
 *   - the authentication level is the security level of the client's SSL_CTX. It is read at
 *     init from a default TLS client context, so any build or configuration default is the one
 *     measured: Debian builds OpenSSL 3 with level 2 where upstream has 1;
 *   - X509_STORE_CTX_set_default(ctx, "ssl_server"): purpose X509_PURPOSE_SSL_SERVER and trust
 *     X509_TRUST_SSL_SERVER, as a client verifying a server;
 *   - then the SSL handle's own parameters, which an application sets: the host name with
 *     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (SSL_set1_host + SSL_set_hostflags, as OpenSSL's
 *     documentation tells clients to), or the IP address when the name is an IP literal
 *     (OpenSSL 3.0's SSL_set1_host does not recognise one; clients call
 *     X509_VERIFY_PARAM_set1_ip_asc), and the validation time (X509_VERIFY_PARAM_set_time, which
 *     turns on X509_V_FLAG_USE_CHECK_TIME).
 * No verification flag is set or cleared otherwise: OpenSSL 3's defaults stay, i.e.
 * X509_V_FLAG_TRUSTED_FIRST on, X509_V_FLAG_PARTIAL_CHAIN and X509_V_FLAG_X509_STRICT off, depth
 * 100. No verify callback, no CRLs, no DANE.
 */
#include "cp_adapter_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

struct ossl_ctx {
    int auth_level; /* the security level of a default TLS client context */
};

/* OpenSSL's text for the most recent error in the queue, which is then emptied. */
static void ossl_error_text(char *buf, size_t cap, unsigned long *code)
{
    unsigned long e = ERR_peek_last_error();
    if (code)
        *code = e;
    if (e)
        ERR_error_string_n(e, buf, cap);
    else
        cp_copy_text(buf, cap, "no OpenSSL error recorded");
    ERR_clear_error();
}

static int ossl_init(void *vctx, const char *arg, char *err, size_t errcap)
{
    struct ossl_ctx *ctx = vctx;
    SSL_CTX *client = NULL;
    int rc = -1;
    (void)arg;
    /* As a client starts: the configuration file and the error strings are loaded. */
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) ||
        !(client = SSL_CTX_new(TLS_client_method()))) {
        ossl_error_text(err, errcap, NULL);
        goto out;
    }
    ctx->auth_level = SSL_CTX_get_security_level(client);
    rc = 0;
out:
    SSL_CTX_free(client);
    return rc;
}

static void ossl_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    cp_copy_text(buf, cap, OpenSSL_version(OPENSSL_VERSION));
}

/* Fills out from the error queue after a failed d2i_X509(): a reject when OpenSSL refused the
 * bytes (a client would fail the handshake), an error when it ran out of memory. */
static void ossl_parse_failure(struct cp_verify_result *out, const char *what, int index)
{
    char text[CP_REASON_TEXT_MAX];
    unsigned long e;
    ossl_error_text(text, sizeof(text), &e);
    cp_result(out, ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE ? CP_VERIFY_ERROR : CP_VERIFY_REJECT,
              (long)e, "%s %d: %s", what, index, text);
}

/* Parses the certificates the server sent into a new stack, leaf first. Returns 0, or -1 with
 * out filled. */
static int ossl_parse_chain(const struct cp_verify_input *in, STACK_OF(X509) * *chain,
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
        const unsigned char *p = in->chain[i].der;
        if (in->chain[i].len > LONG_MAX) {
            cp_result(out, CP_VERIFY_ERROR, 0, "certificate %d: %zu bytes", i, in->chain[i].len);
            goto out;
        }
        if (!(x = d2i_X509(NULL, &p, (long)in->chain[i].len))) {
            ossl_parse_failure(out, "certificate", i);
            goto out;
        }
        /* libssl's check after d2i_X509(): the certificate must fill its whole length. */
        if (p != in->chain[i].der + in->chain[i].len) {
            unsigned long e = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERT_LENGTH_MISMATCH);
            const char *text = ERR_reason_error_string(e);
            cp_result(out, CP_VERIFY_REJECT, (long)e, "certificate %d: %s", i,
                      text ? text : "cert length mismatch");
            goto out;
        }
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

/* A store with the case's roots. Returns 0, or -1 with out filled: a root OpenSSL cannot load
 * is a client that cannot be set up, never a verdict. */
static int ossl_make_store(const struct cp_verify_input *in, X509_STORE **store,
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
        if (in->roots[i].len > LONG_MAX || !(x = d2i_X509(NULL, &p, (long)in->roots[i].len)) ||
            !X509_STORE_add_cert(st, x)) {
            ossl_error_text(text, sizeof(text), NULL);
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
static int ossl_is_ip(const char *name)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

/* What libssl's client sets from its SSL_CTX, then from its SSL handle. Returns 0, or -1 with
 * out filled. */
static int ossl_configure(const struct ossl_ctx *ctx, X509_STORE_CTX *sctx,
                          const struct cp_verify_input *in, struct cp_verify_result *out)
{
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    char text[CP_REASON_TEXT_MAX];
    int ok;
    X509_VERIFY_PARAM_set_auth_level(param, ctx->auth_level);
    ok = X509_STORE_CTX_set_default(sctx, "ssl_server");
    X509_VERIFY_PARAM_set_time(param, (time_t)in->vtime);
    if (ok && in->hostname && in->hostname[0]) {
        if (ossl_is_ip(in->hostname)) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(param, in->hostname);
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, in->hostname, 0);
        }
    }
    if (!ok) {
        ossl_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "verify parameters: %s", text);
        return -1;
    }
    return 0;
}

static int ossl_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct ossl_ctx *ctx = vctx;
    STACK_OF(X509) *chain = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *sctx = NULL;
    char text[CP_REASON_TEXT_MAX];
    int ret;
    long err;

    ERR_clear_error();
    if (in->nchain < 1) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the case sends no certificate");
        goto out;
    }
    if (ossl_parse_chain(in, &chain, out) || ossl_make_store(in, &store, out))
        goto out;
    if (!(sctx = X509_STORE_CTX_new()) ||
        !X509_STORE_CTX_init(sctx, store, sk_X509_value(chain, 0), chain)) {
        ossl_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "store context: %s", text);
        goto out;
    }
    if (ossl_configure(ctx, sctx, in, out))
        goto out;
    ret = X509_verify_cert(sctx);
    err = X509_STORE_CTX_get_error(sctx);
    if (ret == 1) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", X509_verify_cert_error_string(X509_V_OK));
    } else if (err == X509_V_ERR_OUT_OF_MEM) {
        cp_result(out, CP_VERIFY_ERROR, err, "%s", X509_verify_cert_error_string(err));
    } else if (ret < 0) {
        /* An exceptional failure inside X509_verify_cert(); libssl fails the handshake on any
         * result other than 1, so it is still the library's rejection. */
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

static const struct cp_adapter ossl_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "openssl",
    .library = "OpenSSL",
    .caps = CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_IP,
    .settings =
        "X509_verify_cert as libssl's client calls it: an X509_STORE with the case's roots; "
        "X509_STORE_CTX_init with the leaf and the whole chain as sent (leaf included, "
        "duplicates kept) as untrusted; X509_VERIFY_PARAM_set_auth_level = "
        "SSL_CTX_get_security_level of a default TLS client SSL_CTX, read at init (2 on "
        "Debian, whose OpenSSL is built with level 2; 1 upstream); "
        "X509_STORE_CTX_set_default \"ssl_server\" (purpose X509_PURPOSE_SSL_SERVER, trust "
        "X509_TRUST_SSL_SERVER); X509_VERIFY_PARAM_set_time = validation time "
        "(X509_V_FLAG_USE_CHECK_TIME); X509_VERIFY_PARAM_set1_host = hostname with "
        "X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, or X509_VERIFY_PARAM_set1_ip_asc when the "
        "hostname is an IP literal; no other flag set or cleared (OpenSSL 3 defaults: "
        "X509_V_FLAG_TRUSTED_FIRST on, X509_V_FLAG_PARTIAL_CHAIN off, depth 100); no "
        "verify callback, CRLs or DANE; a certificate d2i_X509 refuses, or one with "
        "trailing bytes, is a reject as in the TLS client",
    .ctx_size = sizeof(struct ossl_ctx),
    .init = ossl_init,
    .version = ossl_version,
    .verify = ossl_verify,
    .cleanup = cp_adapter_cleanup_none,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &ossl_adapter;
}
