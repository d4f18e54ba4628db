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
 *
 * The same module has a wire mode (openssl_wire.c): when the harness names the built-in server
 * (in->host), verify() runs libssl's TLS client in a real handshake instead, so one stack name
 * gives both rows and they differ only by what the handshake adds.
 */

/* The store, parameters and verdict are shared with the other X509_verify_cert() adapter;
 * this file adds how libssl parses a certificate and its auth level (x509_store_common.h). */
#define XST_LIBRARY "OpenSSL"
#include "x509_store_common.h"

#include "openssl_wire.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <limits.h>

struct ossl_ctx {
    int auth_level;        /* the security level of a default TLS client context */
    struct ossl_wire wire; /* the TLS client of wire mode */
};

static int ossl_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                     size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    struct ossl_ctx *ctx = vctx;
    SSL_CTX *client = NULL;
    int rc = -1;
    (void)arg;
    /* As a client starts: the configuration file and the error strings are loaded. */
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) ||
        !(client = SSL_CTX_new(TLS_client_method()))) {
        xst_error_text(err, errcap, NULL);
        goto out;
    }
    ctx->auth_level = SSL_CTX_get_security_level(client);
    if (ossl_wire_init(&ctx->wire, err, errcap))
        goto out;
    rc = 0;
out:
    SSL_CTX_free(client);
    return rc;
}

static void ossl_cleanup(void *vctx)
{
    struct ossl_ctx *ctx = vctx;
    ossl_wire_cleanup(&ctx->wire);
}

/* Wire mode when the harness names a server, X509_verify_cert() otherwise. */
static int ossl_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct ossl_ctx *ctx = vctx;
    if (in->host)
        return ossl_wire_verify(&ctx->wire, in, out);
    return xst_verify(vctx, in, out);
}

static void ossl_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    cp_copy_text(buf, cap, OpenSSL_version(OPENSSL_VERSION));
}

/* d2i_X509() as libssl's client calls it; a certificate that does not fill its whole length is
 * refused as the client refuses it (statem_clnt.c). */
static X509 *xst_parse_cert(const struct cp_der *d, int index, struct cp_verify_result *out)
{
    const unsigned char *p = d->der;
    char text[CP_REASON_TEXT_MAX];
    unsigned long e;
    X509 *x;
    if (d->len > LONG_MAX) {
        cp_result(out, CP_VERIFY_ERROR, 0, "certificate %d: %zu bytes", index, d->len);
        return NULL;
    }
    if (!(x = d2i_X509(NULL, &p, (long)d->len))) {
        xst_error_text(text, sizeof(text), &e);
        cp_result(out,
                  ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE ? CP_VERIFY_ERROR : CP_VERIFY_REJECT,
                  (long)e, "certificate %d: %s", index, text);
        return NULL;
    }
    if (p != d->der + d->len) {
        const char *reason;
        e = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERT_LENGTH_MISMATCH);
        reason = ERR_reason_error_string(e);
        cp_result(out, CP_VERIFY_REJECT, (long)e, "certificate %d: %s", index,
                  reason ? reason : "cert length mismatch");
        X509_free(x);
        return NULL;
    }
    return x;
}

/* From the client's SSL_CTX: the authentication level is its security level. */
static void xst_client_params(const void *vctx, X509_VERIFY_PARAM *param)
{
    const struct ossl_ctx *ctx = vctx;
    X509_VERIFY_PARAM_set_auth_level(param, ctx->auth_level);
}

static const struct cp_adapter ossl_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "openssl",
    .library = "OpenSSL",
    .caps = CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE |
            CP_CAP_IP,
    .settings = "in-process: X509_verify_cert as libssl's client calls it: an X509_STORE with the "
                "case's roots; "
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
                "trailing bytes, is a reject as in the TLS client; wire: " OSSL_WIRE_SETTINGS,
    .ctx_size = sizeof(struct ossl_ctx),
    .init = ossl_init,
    .version = ossl_version,
    .verify = ossl_verify,
    .cleanup = ossl_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &ossl_adapter;
}
