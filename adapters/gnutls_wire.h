/*
 * gnutls_wire.h - the gnutls module's wire mode (gnutls_wire.c): GnuTLS's own TLS client in a
 * real handshake with the built-in server, verifying the server during the handshake as
 * gnutls_session_set_verify_cert() makes it. gnutls.c's verify() calls it when the harness names
 * a server (in->host), after pointing GnuTLS's time function at the case's validation time. The
 * module's symbols are hidden, so nothing here is exported.
 */
#ifndef CP_GNUTLS_WIRE_H
#define CP_GNUTLS_WIRE_H

#include "cp_adapter.h"

/* One handshake; always returns 0 with out filled. Everything it allocates is freed before it
 * returns. */
int gtls_wire_verify(const struct cp_verify_input *in, struct cp_verify_result *out);

/* Fills a reject from a verification status: the bits as code, GnuTLS's own description
 * (gnutls_certificate_verification_status_print). In gnutls.c, shared by both modes. */
void gtls_status_reject(struct cp_verify_result *out, unsigned status);

/* What the wire mode sets, in words, for the adapter's settings text. */
#define GTLS_WIRE_SETTINGS                                                                         \
    "GnuTLS's TLS client, gnutls_handshake() with the built-in server: gnutls_init("               \
    "GNUTLS_CLIENT); gnutls_set_default_priority (NORMAL, or the system configuration's); "        \
    "certificate credentials whose trust is the case's roots only "                                \
    "(gnutls_certificate_set_x509_trust_mem); SNI = hostname (gnutls_server_name_set); "           \
    "gnutls_session_set_verify_cert(hostname, 0): the library verifies during the handshake "      \
    "with the hostname and no key purpose (it checks none), its default verify depth and bits; "   \
    "time through gnutls_global_set_time_function; TCP_NODELAY. accept = handshake completed; "    \
    "reject = GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR (gnutls_session_get_verify_cert_status's "   \
    "text), or another error about the server's certificates raised while the client "             \
    "processed its Certificate message (a certificate it cannot import, a chain over the "         \
    "verify depth: GNUTLS_E_CERTIFICATE_ERROR); anything else, alerts the server sent included, "  \
    "is an error"

#endif
