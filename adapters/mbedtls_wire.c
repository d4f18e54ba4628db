/*
 * mbedtls_wire.c - the mbedtls module's wire mode (see mbedtls_wire.h).
 *
 * Set up as an mbedTLS client that verifies its server the documented way (2.28; 3.6 keeps the
 * same calls):
 *   - mbedtls_ssl_config_defaults(MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
 *     MBEDTLS_SSL_PRESET_DEFAULT): the library's default versions, suites, groups and
 *     certificate profile (mbedtls_x509_crt_profile_default);
 *   - MBEDTLS_SSL_VERIFY_REQUIRED, no verify callback; the CA chain is the case's roots, loaded
 *     as the in-process mode loads them (mbed_parse_roots in mbedtls.c), no CRL;
 *   - mbedtls_ssl_set_hostname(): the SNI the server picks the case by, and the name the
 *     client checks the leaf's CN and SAN against;
 *   - a CTR_DRBG seeded from the entropy pool once per worker;
 *   - mbedtls_net_connect() to the server's numeric address, reads with
 *     mbedtls_net_recv_timeout() and a send timeout on the socket;
 *   - the clock: mbedTLS reads time() only, and the harness runs this module's workers under
 *     the clock shim (CP_CAP_CLOCK_SHIM) in both modes, so the handshake's verification sees the
 *     case's validation time.
 *
 * Outcomes. accept: mbedtls_ssl_handshake() completed. reject, with the flags of
 * mbedtls_ssl_get_verify_result() as code and mbedtls_x509_crt_verify_info()'s text: the chain
 * did not verify (MBEDTLS_ERR_X509_CERT_VERIFY_FAILED), or it verified and the client's own
 * checks of the leaf failed (key usage, extended key usage, curve), which the client reports as
 * MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE (3.x: ..._BAD_CERTIFICATE) with those flags set. reject,
 * with the error code and mbedtls_strerror()'s text: any other X.509 error the client raised on
 * the server's chain — a certificate it cannot parse (ssl_parse_certificate_chain fails the
 * handshake with the parser's error; the reason names the certificate, the first one sent that
 * the same parser refuses with that error) or a chain the verifier cannot process (longer than
 * MBEDTLS_X509_MAX_INTERMEDIATE_CA: MBEDTLS_ERR_X509_FATAL_ERROR). error: everything else (no
 * server, a refused connection, a timeout, an alert the server sent, a protocol failure, the
 * library's allocation failures).
 */
#include "cp_adapter_util.h"
/* By path: the adapter modules do not get common/ as an include directory. */
#include "cp_mbedtls_compat.h"
#include "mbedtls_wire.h"

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#if !defined(MBEDTLS_SSL_CLI_C) || !defined(MBEDTLS_NET_C) || !defined(MBEDTLS_CTR_DRBG_C) ||      \
    !defined(MBEDTLS_ENTROPY_C)
#error "the mbedtls module's wire mode needs SSL_CLI, NET, CTR_DRBG and ENTROPY (on by default)"
#endif

/* The high-level X.509 error codes (MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE .. _FATAL_ERROR); a
 * parser error is one of them plus a low-level ASN.1, OID or PK code. */
#define MBED_WIRE_X509_HIGH_MIN 0x2080
#define MBED_WIRE_X509_HIGH_MAX 0x3000

int mbed_wire_init(struct mbed_wire *w, char *err, size_t errcap)
{
    static const unsigned char personal[] = "certpath wire client";
    int ret;
    mbedtls_entropy_init(&w->entropy);
    mbedtls_ctr_drbg_init(&w->drbg);
    w->inited = 1;
    ret = mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func, &w->entropy, personal,
                                sizeof(personal) - 1);
    if (ret) {
        char text[CP_REASON_TEXT_MAX];
        mbedtls_strerror(ret, text, sizeof(text));
        snprintf(err, errcap, "seeding the wire client's DRBG: %s", text);
        return -1;
    }
    return 0;
}

void mbed_wire_cleanup(struct mbed_wire *w)
{
    if (!w->inited)
        return;
    mbedtls_ctr_drbg_free(&w->drbg);
    mbedtls_entropy_free(&w->entropy);
    w->inited = 0;
}

/* Whether an error code's high-level part is an X.509 one. */
static int mbed_wire_is_x509(int ret)
{
    int high = (-ret) & 0xFF80;
    return ret < 0 && high >= MBED_WIRE_X509_HIGH_MIN && high <= MBED_WIRE_X509_HIGH_MAX;
}

/* Which certificate the client's parser refused: the first of those sent that the same parser
 * refuses with the same error (the client's error does not say), or -1. */
static int mbed_wire_refused_index(const struct cp_verify_input *in, int ret)
{
    for (int i = 0; i < in->nchain; i++) {
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        int r = mbedtls_x509_crt_parse_der(&crt, in->chain[i].der, in->chain[i].len);
        mbedtls_x509_crt_free(&crt);
        if (r == ret)
            return i;
    }
    return -1;
}

/* Fills out for a handshake that did not complete (see the top of the file). */
static void mbed_wire_failure(const mbedtls_ssl_context *ssl, const struct cp_verify_input *in,
                              int ret, struct cp_verify_result *out)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(ssl);
    /* (uint32_t)-1: no verification ran, so no flag means anything. */
    int verified = flags != 0 && flags != (uint32_t)-1;
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
        (ret == CP_MBEDTLS_ERR_SSL_BAD_CERTIFICATE && verified)) {
        if (!verified) {
            mbed_error(out, CP_VERIFY_REJECT, ret, "verification", -1);
            return;
        }
        out->status = CP_VERIFY_REJECT;
        out->code = (long)flags;
        mbed_flags_text(flags, out);
    } else if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED || !mbed_wire_is_x509(ret)) {
        mbed_error(out, CP_VERIFY_ERROR, ret, "handshake failed", -1);
    } else if (ret == MBEDTLS_ERR_X509_FATAL_ERROR) {
        mbed_error(out, CP_VERIFY_REJECT, ret, "verification", -1);
    } else {
        mbed_error(out, CP_VERIFY_REJECT, ret, "the client cannot parse the server's certificate",
                   mbed_wire_refused_index(in, ret));
    }
}

/* The configuration and context as a client sets them up. Returns 0 or an mbedTLS error. */
static int mbed_wire_setup(struct mbed_wire *w, mbedtls_ssl_config *conf, mbedtls_ssl_context *ssl,
                           mbedtls_x509_crt *roots, const char *hostname, uint32_t timeout_ms)
{
    int ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret)
        return ret;
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, roots, NULL);
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &w->drbg);
    /* The server is on loopback: a read that waits in->timeout_ms means it is gone, and the
     * harness's limit is longer, so a stuck connection is the adapter's error. */
    mbedtls_ssl_conf_read_timeout(conf, timeout_ms);
    if ((ret = mbedtls_ssl_setup(ssl, conf)))
        return ret;
    return mbedtls_ssl_set_hostname(ssl, hostname);
}

/* Connects net to the server. Returns 0, or -1 with out filled. */
static int mbed_wire_connect(mbedtls_net_context *net, const struct cp_verify_input *in,
                             struct cp_verify_result *out)
{
    int ms = in->timeout_ms > 0 ? in->timeout_ms : 100;
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    char port[16];
    int ret;
    snprintf(port, sizeof(port), "%d", in->port);
    if ((ret = mbedtls_net_connect(net, in->host, port, MBEDTLS_NET_PROTO_TCP))) {
        char text[CP_REASON_TEXT_MAX];
        mbedtls_strerror(ret, text, sizeof(text));
        cp_result(out, CP_VERIFY_ERROR, ret, "connect to %s port %d: %s", in->host, in->port, text);
        return -1;
    }
    /* Reads time out through mbedtls_net_recv_timeout(); a write that blocks this long too. */
    setsockopt(net->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return 0;
}

int mbed_wire_verify(struct mbed_wire *w, const struct cp_verify_input *in,
                     struct cp_verify_result *out)
{
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_net_context net;
    mbedtls_x509_crt roots;
    int ret;

    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    mbedtls_net_init(&net);
    mbedtls_x509_crt_init(&roots);
    if (!in->host || in->port <= 0 || !in->hostname || !w->inited) {
        cp_result(out, CP_VERIFY_ERROR, 0, "wire mode needs the built-in server and a client");
        goto out;
    }
    if (mbed_parse_roots(in, &roots, out))
        goto out;
    if ((ret = mbed_wire_setup(w, &conf, &ssl, &roots, in->hostname, (uint32_t)in->timeout_ms))) {
        mbed_error(out, CP_VERIFY_ERROR, ret, "client set-up", -1);
        goto out;
    }
    if (mbed_wire_connect(&net, in, out))
        goto out;
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    do {
        ret = mbedtls_ssl_handshake(&ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret == 0) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "ok");
        mbedtls_ssl_close_notify(&ssl);
    } else {
        mbed_wire_failure(&ssl, in, ret, out);
    }
out:
    mbedtls_net_free(&net);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&roots);
    return 0;
}
