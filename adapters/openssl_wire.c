/*
 * openssl_wire.c - the openssl module's wire mode (see openssl_wire.h): libssl's TLS client in a
 * real handshake with the built-in server.
 *
 * Set up as a client that follows OpenSSL's documentation:
 *   - one SSL_CTX from TLS_client_method() for every case, made at init: the configuration
 *     file's defaults (protocol versions, the security level: 2 on Debian, 1 upstream) apply;
 *     no default verify paths are loaded and the session cache is off, so no case resumes
 *     another's session;
 *   - SSL_VERIFY_PEER with no verify callback: the handshake fails when verification does;
 *   - per case, an X509_STORE holding the case's roots and nothing else (built as the
 *     in-process mode builds it, x509_store_common.h), used through SSL_set1_verify_cert_store();
 *   - SNI and the expected name both the case hostname: SSL_set_tlsext_host_name() and
 *     SSL_set1_host() with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (as the in-process mode, so that
 *     the two modes differ only by what the handshake adds); an IP literal is matched with
 *     X509_VERIFY_PARAM_set1_ip_asc() and sent no SNI (RFC 6066 allows only host names there);
 *   - the validation time through X509_VERIFY_PARAM_set_time() on the SSL's parameters;
 *   - a TCP connection to the server's numeric address with TCP_NODELAY (as curl sets it) and
 *     send and receive timeouts.
 *
 * Outcomes. accept: SSL_connect() completed (so verification passed). reject: verification
 * failed, with SSL_get_verify_result()'s code and X509_verify_cert_error_string(); or the client
 * itself aborted the handshake with a fatal alert after the server's Certificate message
 * arrived (a certificate libssl cannot parse, a key that does not fit the ciphersuite), with the
 * OpenSSL error queue's code and text. error: everything else (no server address, connection
 * refused, a timeout, an alert the server sent, a handshake that failed before any certificate
 * arrived): the case was not verified.
 */
/* The trust store is built as the in-process mode builds it. */
#define XST_LIBRARY "OpenSSL"
#define XST_STORE_ONLY
#include "x509_store_common.h"

#include "openssl_wire.h"
#include "wire_connect.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the handshake showed, from the message callback. */
struct ossl_wire_trace {
    int got_certificate; /* the server's Certificate message arrived */
    int sent_alert;      /* the fatal alert the client sent, or -1 */
    int received_alert;  /* the fatal alert the server sent, or -1 */
};

static void ossl_wire_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                          SSL *ssl, void *arg)
{
    struct ossl_wire_trace *t = arg;
    const unsigned char *p = buf;
    (void)version, (void)ssl;
    if (content_type == SSL3_RT_HANDSHAKE && !write_p && len > 0 && p[0] == SSL3_MT_CERTIFICATE)
        t->got_certificate = 1;
    if (content_type == SSL3_RT_ALERT && len >= 2 && p[0] == SSL3_AL_FATAL) {
        if (write_p)
            t->sent_alert = p[1];
        else
            t->received_alert = p[1];
    }
}

/* Fills out for a handshake that did not complete (see the top of the file). */
static void ossl_wire_failure(SSL *ssl, int ret, const struct ossl_wire_trace *t,
                              struct cp_verify_result *out)
{
    long vr = SSL_get_verify_result(ssl);
    int sslerr = SSL_get_error(ssl, ret), saved = errno;
    char text[CP_REASON_TEXT_MAX];
    unsigned long e;
    if (vr != X509_V_OK) {
        ERR_clear_error();
        cp_result(out, vr == X509_V_ERR_OUT_OF_MEM ? CP_VERIFY_ERROR : CP_VERIFY_REJECT, vr, "%s",
                  X509_verify_cert_error_string(vr));
        return;
    }
    xst_error_text(text, sizeof(text), &e);
    if (t->got_certificate && t->sent_alert >= 0 && ERR_GET_REASON(e) != ERR_R_MALLOC_FAILURE) {
        cp_result(out, CP_VERIFY_REJECT, (long)e, "%s", text);
    } else if (t->received_alert >= 0) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the server sent a fatal %s alert",
                  SSL_alert_desc_string_long(t->received_alert));
    } else if (e) {
        cp_result(out, CP_VERIFY_ERROR, (long)e, "handshake failed: %s", text);
    } else if (sslerr == SSL_ERROR_SYSCALL && saved) {
        cp_result(out, CP_VERIFY_ERROR, 0, "handshake failed: %s", strerror(saved));
    } else {
        cp_result(out, CP_VERIFY_ERROR, 0, "handshake failed: the server closed the connection");
    }
}

int ossl_wire_init(struct ossl_wire *w, char *err, size_t errcap)
{
    if (!(w->client = SSL_CTX_new(TLS_client_method()))) {
        xst_error_text(err, errcap, NULL);
        return -1;
    }
    SSL_CTX_set_verify(w->client, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(w->client, SSL_SESS_CACHE_OFF);
    return 0;
}

void ossl_wire_cleanup(struct ossl_wire *w)
{
    SSL_CTX_free(w->client);
    w->client = NULL;
}

/* The expected name as a client sets it: SNI and SSL_set1_host() for a host name, the address
 * alone for an IP literal. Returns 1, or 0 with OpenSSL's error queue filled. */
static int ossl_wire_set_name(SSL *ssl, const char *name)
{
    if (xst_is_ip(name))
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set_tlsext_host_name(ssl, name) && SSL_set1_host(ssl, name);
}

int ossl_wire_verify(struct ossl_wire *w, const struct cp_verify_input *in,
                     struct cp_verify_result *out)
{
    struct ossl_wire_trace trace = {.sent_alert = -1, .received_alert = -1};
    X509_STORE *store = NULL;
    SSL *ssl = NULL;
    char text[CP_REASON_TEXT_MAX];
    int fd = -1, ret;

    ERR_clear_error();
    if (!in->host || in->port <= 0 || !in->hostname || !w->client) {
        cp_result(out, CP_VERIFY_ERROR, 0, "wire mode needs the built-in server and a client");
        goto out;
    }
    if (xst_make_store(in, &store, out))
        goto out;
    if (!(ssl = SSL_new(w->client)) || !SSL_set1_verify_cert_store(ssl, store) ||
        !ossl_wire_set_name(ssl, in->hostname)) {
        xst_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "client set-up: %s", text);
        goto out;
    }
    X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), (time_t)in->vtime);
    SSL_set_msg_callback(ssl, ossl_wire_msg);
    SSL_set_msg_callback_arg(ssl, &trace);
    if ((fd = cp_wire_connect(in, out)) < 0)
        goto out;
    if (!SSL_set_fd(ssl, fd)) {
        xst_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "client set-up: %s", text);
        goto out;
    }
    errno = 0;
    ret = SSL_connect(ssl);
    if (ret == 1) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", X509_verify_cert_error_string(X509_V_OK));
        SSL_shutdown(ssl); /* close_notify, without waiting for the server's */
    } else {
        ossl_wire_failure(ssl, ret, &trace, out);
    }
out:
    SSL_free(ssl);
    if (fd >= 0)
        close(fd);
    X509_STORE_free(store);
    ERR_clear_error();
    return 0;
}
