/*
 * openssl_wire.h - the openssl module's wire mode (openssl_wire.c): libssl's own TLS client in
 * a real handshake with the built-in server, so that what is measured is what an application
 * calling SSL_connect() gets, not X509_verify_cert() alone. openssl.c's verify() calls it when
 * the harness names a server (in->host); the module's symbols are hidden, so nothing here is
 * exported.
 *
 * Call sequence: ossl_wire_init() once (it may fail, with err filled); ossl_wire_verify() per
 * case, which always returns 0 and fills out; ossl_wire_cleanup() once, also after a failed
 * init. The state is the caller's; everything a case allocates is freed before verify returns.
 */
#ifndef CP_OPENSSL_WIRE_H
#define CP_OPENSSL_WIRE_H

#include "cp_adapter.h"

#include <openssl/ssl.h>

#include <stddef.h>

struct ossl_wire {
    SSL_CTX *client; /* TLS_client_method() with OpenSSL's defaults; every case's SSL comes
                        from it */
};

int ossl_wire_init(struct ossl_wire *w, char *err, size_t errcap);
int ossl_wire_verify(struct ossl_wire *w, const struct cp_verify_input *in,
                     struct cp_verify_result *out);
void ossl_wire_cleanup(struct ossl_wire *w);

/* What the wire mode sets, in words, for the adapter's settings text. */
#define OSSL_WIRE_SETTINGS                                                                         \
    "libssl's TLS client, SSL_connect() to the built-in server: one SSL_CTX from "                 \
    "TLS_client_method() with the configuration's defaults (protocol versions, security level: "   \
    "2 on Debian), no default verify paths, session cache off; SSL_VERIFY_PEER without a verify "  \
    "callback; per case an X509_STORE with the case's roots only (SSL_set1_verify_cert_store); "   \
    "SNI and SSL_set1_host = hostname with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS (an IP literal: "  \
    "X509_VERIFY_PARAM_set1_ip_asc, no SNI); X509_VERIFY_PARAM_set_time = validation time; "       \
    "TCP_NODELAY. accept = handshake completed; reject = SSL_get_verify_result, or a fatal alert " \
    "the client sent after the server's Certificate (its error queue's text); anything else is "   \
    "an error"

#endif
