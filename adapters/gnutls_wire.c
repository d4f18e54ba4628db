/*
 * gnutls_wire.c - the gnutls module's wire mode (see gnutls_wire.h).
 *
 * Set up as a GnuTLS client that verifies its server the documented way (GnuTLS 3.7):
 *   - gnutls_init(GNUTLS_CLIENT) and gnutls_set_default_priority(): the default priority string
 *     ("NORMAL" unless the system configuration names another), whose verification profile
 *     the handshake's verification uses;
 *   - certificate credentials whose trust is the case's roots and nothing else, added with
 *     gnutls_certificate_set_x509_trust_mem(); the credentials' verify flags, depth (16) and
 *     bits stay the library's defaults;
 *   - SNI and the expected name both the case hostname: gnutls_server_name_set() and
 *     gnutls_session_set_verify_cert(hostname, 0). That verification checks the hostname but no
 *     key purpose (gnutls_session_set_verify_cert2 would take one); the in-process mode passes
 *     GNUTLS_KP_TLS_WWW_SERVER, so leaf EKU cases may differ between the modes, and that
 *     difference is what a client written this way gets;
 *   - the clock: gnutls.c points the process-wide time function at the case's validation time
 *     before calling here, and the handshake's verification reads it like any other;
 *   - a TCP connection to the server's numeric address (wire_connect.h) with a handshake timeout.
 *
 * Outcomes. accept: gnutls_handshake() completed. reject: GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR
 * (the verification status as code, its printed text as reason); or another error the client
 * raised about the server's certificates while it processed the Certificate message (GnuTLS
 * imports each certificate there, and the verification callback fails with
 * GNUTLS_E_CERTIFICATE_ERROR when verification itself cannot run: a certificate it cannot
 * import, a chain longer than the verify depth), with gnutls_strerror()'s text. error:
 * everything else — no server, a refused connection, a timeout, an alert the server sent, a
 * protocol failure before the Certificate message or after the chain was accepted.
 */
#include "gnutls_wire.h"
#include "wire_connect.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <string.h>
#include <unistd.h>

/* Where the handshake was when it failed, from the handshake hook. */
struct gtls_wire_trace {
    int got_certificate;  /* the server's Certificate message arrived */
    int past_certificate; /* a later message from the server arrived */
};

static int gtls_wire_hook(gnutls_session_t session, unsigned htype, unsigned when,
                          unsigned incoming, const gnutls_datum_t *msg)
{
    struct gtls_wire_trace *t = gnutls_session_get_ptr(session);
    (void)when, (void)msg;
    if (!incoming || !t)
        return 0;
    /* TLS 1.3 verifies the chain after CertificateVerify, so that message is still part of
     * the certificate's processing; TLS 1.2 verifies before ServerKeyExchange arrives. */
    if (htype == GNUTLS_HANDSHAKE_CERTIFICATE_PKT)
        t->got_certificate = 1;
    else if (t->got_certificate && htype != GNUTLS_HANDSHAKE_CERTIFICATE_VERIFY)
        t->past_certificate = 1;
    return 0;
}

/* Errors that say nothing about the server's certificates: the transport, the protocol, the
 * library's own resources. */
static int gtls_wire_not_about_certificates(int ret)
{
    switch (ret) {
    case GNUTLS_E_MEMORY_ERROR:
    case GNUTLS_E_INTERNAL_ERROR:
    case GNUTLS_E_PULL_ERROR:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_TIMEDOUT:
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
    case GNUTLS_E_UNEXPECTED_PACKET:
    case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
    case GNUTLS_E_UNEXPECTED_HANDSHAKE_PACKET:
    case GNUTLS_E_RECORD_OVERFLOW:
        return 1;
    default:
        return 0;
    }
}

/* Fills out for a handshake that did not complete (see the top of the file). */
static void gtls_wire_failure(gnutls_session_t session, int ret, const struct gtls_wire_trace *t,
                              struct cp_verify_result *out)
{
    if (ret == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
        gtls_status_reject(out, gnutls_session_get_verify_cert_status(session));
    } else if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED) {
        const char *name = gnutls_alert_get_name(gnutls_alert_get(session));
        cp_result(out, CP_VERIFY_ERROR, ret, "the server sent a fatal %s alert",
                  name ? name : "unknown");
    } else if (t->got_certificate && !t->past_certificate &&
               !gtls_wire_not_about_certificates(ret)) {
        cp_result(out, CP_VERIFY_REJECT, ret, "the server's certificates: %s",
                  gnutls_strerror(ret));
    } else {
        cp_result(out, CP_VERIFY_ERROR, ret, "handshake failed: %s", gnutls_strerror(ret));
    }
}

/* Credentials trusting the case's roots only. Returns 0, or -1 with out filled: a root GnuTLS
 * cannot load is a client that cannot be set up, never a verdict. */
static int gtls_wire_credentials(const struct cp_verify_input *in,
                                 gnutls_certificate_credentials_t *cred,
                                 struct cp_verify_result *out)
{
    int ret = gnutls_certificate_allocate_credentials(cred);
    if (ret < 0) {
        *cred = NULL;
        cp_result(out, CP_VERIFY_ERROR, ret, "credentials: %s", gnutls_strerror(ret));
        return -1;
    }
    for (int i = 0; i < in->nroots; i++) {
        gnutls_datum_t d = {(unsigned char *)in->roots[i].der, (unsigned int)in->roots[i].len};
        if ((ret = gnutls_certificate_set_x509_trust_mem(*cred, &d, GNUTLS_X509_FMT_DER)) < 0) {
            cp_result(out, CP_VERIFY_ERROR, ret, "root %d: %s", i, gnutls_strerror(ret));
            return -1;
        }
    }
    return 0;
}

/* The session as a client sets it up. Returns 0 or a negative GnuTLS error. */
static int gtls_wire_session(gnutls_session_t session, gnutls_certificate_credentials_t cred,
                             const char *hostname, unsigned timeout_ms, struct gtls_wire_trace *t)
{
    int ret;
    if ((ret = gnutls_set_default_priority(session)) < 0 ||
        (ret = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred)) < 0 ||
        (ret = gnutls_server_name_set(session, GNUTLS_NAME_DNS, hostname, strlen(hostname))) < 0)
        return ret;
    gnutls_session_set_verify_cert(session, hostname, 0);
    gnutls_session_set_ptr(session, t);
    gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_PRE,
                                       gtls_wire_hook);
    gnutls_handshake_set_timeout(session, timeout_ms);
    return 0;
}

int gtls_wire_verify(const struct cp_verify_input *in, struct cp_verify_result *out)
{
    gnutls_certificate_credentials_t cred = NULL;
    gnutls_session_t session = NULL;
    struct gtls_wire_trace trace = {0};
    int fd = -1, ret;

    if (!in->host || in->port <= 0 || !in->hostname) {
        cp_result(out, CP_VERIFY_ERROR, 0, "wire mode needs the built-in server and a hostname");
        goto out;
    }
    if (gtls_wire_credentials(in, &cred, out))
        goto out;
    if ((ret = gnutls_init(&session, GNUTLS_CLIENT)) < 0) {
        session = NULL;
        cp_result(out, CP_VERIFY_ERROR, ret, "client set-up: %s", gnutls_strerror(ret));
        goto out;
    }
    if ((ret = gtls_wire_session(session, cred, in->hostname, (unsigned)in->timeout_ms, &trace)) <
        0) {
        cp_result(out, CP_VERIFY_ERROR, ret, "client set-up: %s", gnutls_strerror(ret));
        goto out;
    }
    if ((fd = cp_wire_connect(in, out)) < 0)
        goto out;
    gnutls_transport_set_int(session, fd);
    do {
        ret = gnutls_handshake(session);
    } while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret == 0) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", "");
        gnutls_bye(session, GNUTLS_SHUT_WR); /* close_notify, without waiting for the server's */
    } else {
        gtls_wire_failure(session, ret, &trace, out);
    }
out:
    if (session)
        gnutls_deinit(session);
    if (fd >= 0)
        close(fd);
    if (cred)
        gnutls_certificate_free_credentials(cred);
    return 0;
}
