/*
 * openssl_wire.c - the openssl-wire adapter: OpenSSL's own TLS client (libssl) in a real
 * handshake with the built-in server (wire mode), so that what is measured is what an
 * application calling SSL_connect() gets, not X509_verify_cert() alone.
 *
 * Set up as a client that follows OpenSSL's documentation:
 *   - one SSL_CTX from TLS_client_method() for every case, made at init: the configuration
 *     file's defaults (protocol versions, the security level: 2 on Debian, 1 upstream) apply;
 *     no default verify paths are loaded and the session cache is off, so no case resumes
 *     another's session;
 *   - SSL_VERIFY_PEER with no verify callback: the handshake fails when verification does;
 *   - per case, an X509_STORE holding the case's roots and nothing else, used through
 *     SSL_set1_verify_cert_store();
 *   - SNI and the expected name both the case hostname: SSL_set_tlsext_host_name() and
 *     SSL_set1_host() with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (as the in-process openssl
 *     adapter, so that the two modes differ only by what the handshake adds);
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
#include "cp_adapter_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The server is on loopback and answers in milliseconds; a read or write that waits this long
 * means it is gone. Shorter than the harness's default per-case timeout, so a stuck connection
 * is reported as the adapter's error rather than as a killed worker. */
#define OSW_IO_TIMEOUT_SEC 4

struct osw_ctx {
    SSL_CTX *client; /* TLS_client_method() with OpenSSL's defaults; every case's SSL comes
                        from it */
};

/* What the handshake showed, from the message callback. */
struct osw_trace {
    int got_certificate; /* the server's Certificate message arrived */
    int sent_alert;      /* the fatal alert the client sent, or -1 */
    int received_alert;  /* the fatal alert the server sent, or -1 */
};

/* OpenSSL's text for the most recent error in the queue, which is then emptied. */
static void osw_error_text(char *buf, size_t cap, unsigned long *code)
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

static int osw_init(void *vctx, const char *arg, char *err, size_t errcap)
{
    struct osw_ctx *ctx = vctx;
    (void)arg;
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) ||
        !(ctx->client = SSL_CTX_new(TLS_client_method()))) {
        osw_error_text(err, errcap, NULL);
        return -1;
    }
    SSL_CTX_set_verify(ctx->client, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(ctx->client, SSL_SESS_CACHE_OFF);
    return 0;
}

static void osw_cleanup(void *vctx)
{
    struct osw_ctx *ctx = vctx;
    SSL_CTX_free(ctx->client);
    ctx->client = NULL;
}

static void osw_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    cp_copy_text(buf, cap, OpenSSL_version(OPENSSL_VERSION));
}

/* A store with the case's roots. Returns 0, or -1 with out filled: a root OpenSSL cannot load
 * is a client that cannot be set up, never a verdict. */
static int osw_make_store(const struct cp_verify_input *in, X509_STORE **store,
                          struct cp_verify_result *out)
{
    X509_STORE *st = X509_STORE_new();
    X509 *x = NULL;
    char text[CP_REASON_TEXT_MAX];
    int rc = -1;
    if (!st) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < in->nroots; i++) {
        const unsigned char *p = in->roots[i].der;
        if (in->roots[i].len > LONG_MAX || !(x = d2i_X509(NULL, &p, (long)in->roots[i].len)) ||
            !X509_STORE_add_cert(st, x)) {
            osw_error_text(text, sizeof(text), NULL);
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

/* A connected TCP socket to host:port, or -1 with out filled. */
static int osw_connect(const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    struct timeval tv = {.tv_sec = OSW_IO_TIMEOUT_SEC};
    char service[16];
    int fd = -1, one = 1, rc;
    snprintf(service, sizeof(service), "%d", in->port);
    if ((rc = getaddrinfo(in->host, service, &hints, &ai))) {
        cp_result(out, CP_VERIFY_ERROR, 0, "server address %s: %s", in->host, gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
        connect(fd, ai->ai_addr, ai->ai_addrlen)) {
        cp_result(out, CP_VERIFY_ERROR, 0, "connect to %s port %d: %s", in->host, in->port,
                  strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static void osw_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                    SSL *ssl, void *arg)
{
    struct osw_trace *t = arg;
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
static void osw_failure(SSL *ssl, int ret, const struct osw_trace *t, struct cp_verify_result *out)
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
    osw_error_text(text, sizeof(text), &e);
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

static int osw_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct osw_ctx *ctx = vctx;
    struct osw_trace trace = {.sent_alert = -1, .received_alert = -1};
    X509_STORE *store = NULL;
    SSL *ssl = NULL;
    char text[CP_REASON_TEXT_MAX];
    int fd = -1, ret;

    ERR_clear_error();
    if (!in->host || in->port <= 0) {
        cp_result(out, CP_VERIFY_ERROR, 0, "openssl-wire needs the built-in server (--mode wire)");
        goto out;
    }
    if (osw_make_store(in, &store, out))
        goto out;
    if (!(ssl = SSL_new(ctx->client)) || !SSL_set1_verify_cert_store(ssl, store) ||
        !SSL_set_tlsext_host_name(ssl, in->hostname) ||
        (SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS),
         !SSL_set1_host(ssl, in->hostname))) {
        osw_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "client set-up: %s", text);
        goto out;
    }
    X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), (time_t)in->vtime);
    SSL_set_msg_callback(ssl, osw_msg);
    SSL_set_msg_callback_arg(ssl, &trace);
    if ((fd = osw_connect(in, out)) < 0)
        goto out;
    if (!SSL_set_fd(ssl, fd)) {
        osw_error_text(text, sizeof(text), NULL);
        cp_result(out, CP_VERIFY_ERROR, 0, "client set-up: %s", text);
        goto out;
    }
    errno = 0;
    ret = SSL_connect(ssl);
    if (ret == 1) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", X509_verify_cert_error_string(X509_V_OK));
        SSL_shutdown(ssl); /* close_notify, without waiting for the server's */
    } else {
        osw_failure(ssl, ret, &trace, out);
    }
out:
    SSL_free(ssl);
    if (fd >= 0)
        close(fd);
    X509_STORE_free(store);
    ERR_clear_error();
    return 0;
}

static const struct cp_adapter osw_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "openssl-wire",
    .library = "OpenSSL",
    .caps = CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE,
    .settings =
        "libssl's TLS client, SSL_connect() to the built-in server: one SSL_CTX from "
        "TLS_client_method() with the configuration's defaults (protocol versions, security "
        "level: 2 on Debian), no default verify paths, session cache off; SSL_VERIFY_PEER "
        "without a verify callback; per case an X509_STORE with the case's roots only "
        "(SSL_set1_verify_cert_store); SNI and SSL_set1_host = hostname with "
        "X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS; X509_VERIFY_PARAM_set_time = validation time; "
        "TCP_NODELAY. accept = handshake completed; reject = SSL_get_verify_result, or a fatal "
        "alert the client sent after the server's Certificate (its error queue's text); "
        "anything else is an error",
    .ctx_size = sizeof(struct osw_ctx),
    .init = osw_init,
    .version = osw_version,
    .verify = osw_verify,
    .cleanup = osw_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &osw_adapter;
}
