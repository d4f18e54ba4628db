/*
 * x509_store_common.h - what the two X509_verify_cert() adapters (openssl.c, boringssl.c) do
 * alike: a store with the case's roots, the server's chain as untrusted certificates, the
 * "ssl_server" defaults, the host name or IP address, the validation time, and the verdict from
 * X509_STORE_CTX_get_error(). The source text is the same against both libraries' APIs; each
 * module includes it and compiles it against its own library's headers, so every function here
 * is static and each module stays self-contained at link time (no symbol is shared).
 *
 * The including adapter defines, before the include:
 *   XST_LIBRARY          the library's name, for "no <library> error recorded";
 * and, anywhere in its file, the two functions declared below:
 *   xst_parse_cert()     parses one certificate the server sent, as that library's TLS client
 *                        does: returns it, or NULL with out filled (a reject when the library
 *                        refused the bytes, an error when it ran out of memory);
 *   xst_client_params()  sets what that client sets on the parameters before the "ssl_server"
 *                        defaults (OpenSSL's auth level; nothing for BoringSSL).
 * Its verify slot is then xst_verify(). Native codes are the library's: a verify error, or the
 * packed error of a certificate that did not parse.
 *
 * A file that only needs the trust store (openssl_wire.c, the openssl module's TLS client)
 * defines XST_STORE_ONLY as well: it then gets xst_error_text(), xst_make_store() and
 * xst_is_ip() alone, and defines neither function above.
 */
#ifndef CP_X509_STORE_COMMON_H
#define CP_X509_STORE_COMMON_H

#ifndef XST_LIBRARY
#error "define XST_LIBRARY (the library's name) before including x509_store_common.h"
#endif

#include "cp_adapter_util.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

/* The library's text for the most recent error in the queue, which is then emptied. */
static void xst_error_text(char *buf, size_t cap, unsigned long *code)
{
    unsigned long e = ERR_peek_last_error();
    if (code)
        *code = e;
    if (e)
        ERR_error_string_n(e, buf, cap);
    else
        cp_copy_text(buf, cap, "no " XST_LIBRARY " error recorded");
    ERR_clear_error();
}

/* A store with the case's roots. Returns 0, or -1 with out filled: a root the library cannot
 * load is a client that cannot be set up, never a verdict. */
static int xst_make_store(const struct cp_verify_input *in, X509_STORE **store,
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
            xst_error_text(text, sizeof(text), NULL);
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
static int xst_is_ip(const char *name)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

#ifndef XST_STORE_ONLY

static X509 *xst_parse_cert(const struct cp_der *d, int index, struct cp_verify_result *out);
static void xst_client_params(const void *vctx, X509_VERIFY_PARAM *param);

/* Parses the certificates the server sent into a new stack, leaf first. Returns 0, or -1 with
 * out filled. */
static int xst_parse_chain(const struct cp_verify_input *in, STACK_OF(X509) * *chain,
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
        if (!(x = xst_parse_cert(&in->chain[i], i, out)))
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

/* What the TLS client sets from its context, then from its SSL handle. The host name is matched
 * with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, as OpenSSL's documentation tells clients to (the
 * flag is 0 in BoringSSL, whose matching never allows partial wildcards); an IP literal is
 * compared with iPAddress names. Returns 0, or -1 with out filled. */
static int xst_configure(const void *vctx, X509_STORE_CTX *sctx, const struct cp_verify_input *in,
                         struct cp_verify_result *out)
{
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    char text[CP_REASON_TEXT_MAX];
    int ok;
    xst_client_params(vctx, param);
    ok = X509_STORE_CTX_set_default(sctx, "ssl_server");
    X509_VERIFY_PARAM_set_time(param, (time_t)in->vtime);
    if (ok && in->hostname && in->hostname[0]) {
        if (xst_is_ip(in->hostname)) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(param, in->hostname);
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, in->hostname, strlen(in->hostname));
        }
    }
    if (!ok) {
        xst_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "verify parameters: %s", text);
        return -1;
    }
    return 0;
}

static int xst_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
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
    if (xst_parse_chain(in, &chain, out) || xst_make_store(in, &store, out))
        goto out;
    if (!(sctx = X509_STORE_CTX_new()) ||
        !X509_STORE_CTX_init(sctx, store, sk_X509_value(chain, 0), chain)) {
        xst_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "store context: %s", text);
        goto out;
    }
    if (xst_configure(vctx, sctx, in, out))
        goto out;
    ret = X509_verify_cert(sctx);
    err = X509_STORE_CTX_get_error(sctx);
    if (ret == 1) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", X509_verify_cert_error_string(X509_V_OK));
    } else if (err == X509_V_ERR_OUT_OF_MEM) {
        cp_result(out, CP_VERIFY_ERROR, err, "%s", X509_verify_cert_error_string(err));
    } else if (ret < 0) {
        /* An exceptional failure inside X509_verify_cert(); the TLS client fails the handshake
         * on any result other than 1, so it is still the library's rejection. */
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

#endif /* XST_STORE_ONLY */

#endif
