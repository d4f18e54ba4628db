/*
 * mbedtls_wire.h - the mbedtls module's wire mode (mbedtls_wire.c): mbedTLS's own TLS client in
 * a real handshake with the built-in server, verifying the server as MBEDTLS_SSL_VERIFY_REQUIRED
 * makes it. mbedtls.c's verify() calls it when the harness names a server (in->host); the
 * module's symbols are hidden, so nothing here is exported.
 *
 * Call sequence: mbed_wire_init() once (it may fail, with err filled); mbed_wire_verify() per
 * case, which always returns 0 and fills out; mbed_wire_cleanup() once, also after a failed or
 * skipped init (the struct must then be zeroed). The state is the caller's; everything a case
 * allocates is freed before verify returns.
 */
#ifndef CP_MBEDTLS_WIRE_H
#define CP_MBEDTLS_WIRE_H

#include "cp_adapter.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/x509_crt.h>

#include <stddef.h>
#include <stdint.h>

struct mbed_wire {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg; /* the client's random numbers, seeded once at init */
    int inited;
};

int mbed_wire_init(struct mbed_wire *w, char *err, size_t errcap);
int mbed_wire_verify(struct mbed_wire *w, const struct cp_verify_input *in,
                     struct cp_verify_result *out);
void mbed_wire_cleanup(struct mbed_wire *w);

/* In mbedtls.c, shared by both modes. */
/* Loads the roots as mbedtls_x509_crt_parse() loads a CA file (unparsable ones skipped).
 * Returns 0, or -1 with out filled (an error: no root loads). */
int mbed_parse_roots(const struct cp_verify_input *in, mbedtls_x509_crt *roots,
                     struct cp_verify_result *out);
/* mbedtls_x509_crt_verify_info()'s lines, one per flag, joined with "; " into out->reason. */
void mbed_flags_text(uint32_t flags, struct cp_verify_result *out);
/* Fills out with an mbedTLS error code and its text, after "<what> <index>: " (or "<what>: "
 * when index is negative). */
void mbed_error(struct cp_verify_result *out, enum cp_verify_status status, int ret,
                const char *what, int index);

/* What the wire mode sets, in words, for the adapter's settings text. */
#define MBED_WIRE_SETTINGS                                                                         \
    "mbedTLS's TLS client, mbedtls_ssl_handshake() with the built-in server: "                     \
    "mbedtls_ssl_config_defaults(client, stream, default preset); authmode "                       \
    "MBEDTLS_SSL_VERIFY_REQUIRED; ca_chain = the case's roots (unparsable ones skipped, as "       \
    "mbedtls_x509_crt_parse does), no CRL; the default certificate profile; "                      \
    "mbedtls_ssl_set_hostname = hostname (SNI and the expected name); a CTR_DRBG seeded from "     \
    "the entropy pool; mbedtls_net_connect with read and write timeouts; the clock through the "   \
    "clock shim, as in-process. accept = handshake completed; reject = "                           \
    "MBEDTLS_ERR_X509_CERT_VERIFY_FAILED or the client's own certificate checks (key usage, "      \
    "extended key usage, curve: MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE with verify flags), the flags " \
    "of mbedtls_ssl_get_verify_result as code and mbedtls_x509_crt_verify_info's text; or "        \
    "another X.509 error the client raised on the server's chain (a certificate it cannot "        \
    "parse, a chain too long to verify), with mbedtls_strerror's text; anything else is an error"

#endif
