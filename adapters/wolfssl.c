/*
 * wolfssl.c - the wolfssl adapter: wolfSSL's TLS client in a real handshake with the built-in
 * server (wire mode), set up as wolfSSL's documentation sets up a client that verifies its
 * server:
 *   - per case a WOLFSSL_CTX from wolfSSLv23_client_method() (the highest version both sides
 *     have) holding the case's roots and nothing else, loaded with
 *     wolfSSL_CTX_load_verify_locations(roots.pem) as an application loads its CA file;
 *   - WOLFSSL_VERIFY_PEER without a verify callback: the handshake fails when verification does;
 *   - SNI = the case hostname (wolfSSL_UseSNI) and the name checked = the case hostname
 *     (wolfSSL_check_domain_name);
 *   - the session cache off (WOLFSSL_SESS_CACHE_OFF), so nothing is kept for a later case;
 *   - a TCP connection to the server's numeric address with TCP_NODELAY and send and receive
 *     timeouts (wire_connect.h, as the other wire clients).
 *
 * Time: wolfCrypt reads the time for certificate validity through wc_Time(), which calls the
 * function registered with wc_SetTimeCb() when there is one. The callback is process-wide (a
 * worker runs one case at a time) and returns the case's validation time, so the adapter sets
 * the time itself (CP_CAP_SET_TIME) and needs no clock shim.
 *
 * Outcomes. accept: wolfSSL_connect() completed. reject: the handshake failed after the
 * server's Certificate message arrived, and either the client answered with a fatal alert
 * (wolfSSL sends one for a chain it cannot verify: ASN_NO_SIGNER_E, dates, signatures, name
 * constraints, path length, too many certificates) or the error is wolfCrypt's (an unknown
 * critical extension in the leaf fails its parse, ASN_CRIT_EXT_E, with no alert sent); the code
 * is wolfSSL_get_error()'s and the reason its wolfSSL_ERR_error_string_n() text. error:
 * everything else (no server, a timeout, an alert the server sent, a failure before any
 * certificate arrived, a CA file wolfSSL cannot load, out of memory).
 *
 * What wolfSSL 5.5.4 (Debian) does with the list, as the results show: it takes the server's
 * certificates in the order sent, each verified by the ones above it and the trusted roots:
 * unrelated extras and duplicates in an otherwise ordered list are passed over, but a reversed
 * or shuffled list is refused (ASN_NO_SIGNER_E) and no alternative path is tried; more
 * than 9 certificates (MAX_CHAIN_DEPTH) fail to decode (-416). It checks the leaf's
 * extendedKeyUsage for serverAuth (but takes anyExtendedKeyUsage), not the CAs'.
 */
#include "cp_adapter_util.h"
#include "wire_connect.h"

#include <wolfssl/options.h>

#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* TLS: the handshake type of Certificate, the content types of alerts and handshakes. */
#define WOLF_MT_CERTIFICATE 11
#define WOLF_RT_ALERT 21
#define WOLF_RT_HANDSHAKE 22
#define WOLF_ALERT_FATAL 2

struct wolf_ctx {
    int inited; /* wolfSSL_Init() done */
};

/* What the handshake showed, from the message callback. */
struct wolf_trace {
    int got_certificate; /* the server's Certificate message arrived */
    int sent_alert;      /* the fatal alert the client sent, or -1 */
    int received_alert;  /* the fatal alert the server sent, or -1 */
};

/* The validation time of the case being run; read by wolfCrypt through wolf_time(). */
static time_t wolf_vtime;

static time_t wolf_time(time_t *t)
{
    if (t)
        *t = wolf_vtime;
    return wolf_vtime;
}

static int wolf_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                     size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    struct wolf_ctx *ctx = vctx;
    (void)arg;
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
        cp_copy_text(err, errcap, "wolfSSL_Init failed");
        return -1;
    }
    ctx->inited = 1;
    if (wc_SetTimeCb(wolf_time) != 0) {
        cp_copy_text(err, errcap, "wc_SetTimeCb failed");
        return -1;
    }
    return 0;
}

static void wolf_cleanup(void *vctx)
{
    struct wolf_ctx *ctx = vctx;
    if (ctx->inited)
        wolfSSL_Cleanup();
    ctx->inited = 0;
}

static void wolf_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    snprintf(buf, cap, "wolfSSL %s", wolfSSL_lib_version());
}

/* wolfSSL's text for an error code. */
static void wolf_error_text(int code, char *buf, size_t cap)
{
    wolfSSL_ERR_error_string_n((unsigned long)code, buf, cap);
}

static void wolf_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                     WOLFSSL *ssl, void *arg)
{
    struct wolf_trace *t = arg;
    const unsigned char *p = buf;
    (void)version, (void)ssl;
    if (content_type == WOLF_RT_HANDSHAKE && !write_p && len > 0 && p[0] == WOLF_MT_CERTIFICATE)
        t->got_certificate = 1;
    if (content_type == WOLF_RT_ALERT && len >= 2 && p[0] == WOLF_ALERT_FATAL) {
        if (write_p)
            t->sent_alert = p[1];
        else
            t->received_alert = p[1];
    }
}

/* A wolfCrypt error (ASN parsing and checks, signatures, keys), as opposed to a TLS-layer or
 * socket one. */
static bool wolf_is_crypt_error(int e)
{
    return e <= ASN_PARSE_E && e >= WC_LAST_E;
}

/* Fills out for a handshake that did not complete (see the top of the file). */
static void wolf_failure(WOLFSSL *ssl, int ret, const struct wolf_trace *t,
                         struct cp_verify_result *out)
{
    int e = wolfSSL_get_error(ssl, ret), saved = errno;
    char text[CP_REASON_TEXT_MAX];
    wolf_error_text(e, text, sizeof(text));
    if (t->got_certificate && e != MEMORY_E && (t->sent_alert >= 0 || wolf_is_crypt_error(e)))
        cp_result(out, CP_VERIFY_REJECT, e, "%s", text);
    else if (t->received_alert >= 0)
        cp_result(out, CP_VERIFY_ERROR, e, "the server sent fatal alert %d (%s)", t->received_alert,
                  text);
    else if (e == SOCKET_ERROR_E && saved)
        cp_result(out, CP_VERIFY_ERROR, e, "handshake failed: %s", strerror(saved));
    else
        cp_result(out, CP_VERIFY_ERROR, e, "handshake failed: %s", text);
}

static int wolf_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct wolf_trace trace = {.sent_alert = -1, .received_alert = -1};
    WOLFSSL_CTX *wctx = NULL;
    WOLFSSL *ssl = NULL;
    char roots[PATH_MAX + 16], text[CP_REASON_TEXT_MAX];
    int fd = -1, ret;
    (void)vctx;

    if (!in->host || in->port <= 0 || !in->case_dir) {
        cp_result(out, CP_VERIFY_ERROR, 0, "wolfssl needs the built-in server (--mode wire)");
        goto out;
    }
    wolf_vtime = (time_t)in->vtime;
    snprintf(roots, sizeof(roots), "%s/roots.pem", in->case_dir);
    if (!(wctx = wolfSSL_CTX_new(wolfSSLv23_client_method()))) {
        cp_result(out, CP_VERIFY_ERROR, 0, "wolfSSL_CTX_new failed");
        goto out;
    }
    if ((ret = wolfSSL_CTX_load_verify_locations(wctx, roots, NULL)) != WOLFSSL_SUCCESS) {
        wolf_error_text(ret, text, sizeof(text));
        cp_result(out, CP_VERIFY_ERROR, ret, "%s cannot be loaded: %s", roots, text);
        goto out;
    }
    wolfSSL_CTX_set_verify(wctx, WOLFSSL_VERIFY_PEER, NULL);
    wolfSSL_CTX_set_session_cache_mode(wctx, WOLFSSL_SESS_CACHE_OFF);
    if (!(ssl = wolfSSL_new(wctx)) ||
        wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, in->hostname,
                       (unsigned short)strlen(in->hostname)) != WOLFSSL_SUCCESS ||
        wolfSSL_check_domain_name(ssl, in->hostname) != WOLFSSL_SUCCESS ||
        wolfSSL_set_msg_callback(ssl, wolf_msg) != WOLFSSL_SUCCESS ||
        wolfSSL_set_msg_callback_arg(ssl, &trace) != WOLFSSL_SUCCESS) {
        cp_result(out, CP_VERIFY_ERROR, 0, "client set-up failed");
        goto out;
    }
    if ((fd = cp_wire_connect(in, out)) < 0)
        goto out;
    if (wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS) {
        cp_result(out, CP_VERIFY_ERROR, 0, "wolfSSL_set_fd failed");
        goto out;
    }
    errno = 0;
    ret = wolfSSL_connect(ssl);
    if (ret == WOLFSSL_SUCCESS) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "handshake completed");
        wolfSSL_shutdown(ssl); /* close_notify, without waiting for the server's */
    } else {
        wolf_failure(ssl, ret, &trace, out);
    }
out:
    wolfSSL_free(ssl);
    if (fd >= 0)
        close(fd);
    wolfSSL_CTX_free(wctx);
    return 0;
}

static const struct cp_adapter wolf_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "wolfssl",
    .library = "wolfSSL",
    .caps = CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE,
    .settings =
        "wolfSSL's TLS client, wolfSSL_connect() to the built-in server: per case a WOLFSSL_CTX "
        "from wolfSSLv23_client_method() with the case's roots.pem as its only CAs "
        "(wolfSSL_CTX_load_verify_locations) and WOLFSSL_VERIFY_PEER without a verify "
        "callback; session cache off; wolfSSL_UseSNI and wolfSSL_check_domain_name = hostname; the "
        "validation "
        "time through wc_SetTimeCb(); TCP_NODELAY; wolfSSL's defaults otherwise. accept = "
        "handshake completed; reject = the handshake failed after the server's Certificate with "
        "a fatal alert from the client or a wolfCrypt error (wolfSSL_get_error and "
        "wolfSSL_ERR_error_string_n); anything else is an error",
    .ctx_size = sizeof(struct wolf_ctx),
    .init = wolf_init,
    .version = wolf_version,
    .verify = wolf_verify,
    .cleanup = wolf_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &wolf_adapter;
}
