/*
 * gnutls.c - the GnuTLS adapter: gnutls_x509_trust_list_verify_crt2() set up the way
 * gnutls_certificate_verify_peers() sets it up in a TLS client with the default priorities.
 *
 * What the TLS client does, and what this adapter copies (GnuTLS 3.7, lib/cert-session.c):
 *   - the trust list holds the trusted CAs (here: the case's roots, nothing else);
 *   - the server's certificates are imported in the order sent, duplicates kept, and handed to
 *     gnutls_x509_trust_list_verify_crt2(), which sorts them itself;
 *   - typed data: the DNS hostname and the key purpose GNUTLS_KP_TLS_WWW_SERVER, as
 *     gnutls_certificate_verify_peers() receives them from a client that names its server;
 *   - flags: the credentials' verify flags (0 unless the application sets some) ORed with the
 *     session's additional flags, which the priority string contributes: the default string
 *     ("NORMAL"; no /etc/gnutls/config system override) sets the verification profile
 *     GNUTLS_PROFILE_LOW, so the flags are GNUTLS_PROFILE_TO_VFLAGS(GNUTLS_PROFILE_LOW);
 *   - a chain of more than 16 certificates is refused before any verification with
 *     GNUTLS_E_CONSTRAINT_ERROR (gnutls_certificate_set_verify_limits() default depth).
 * Time: GnuTLS reads the clock only through its time function, which is process-wide; a worker
 * runs one case at a time, so verify() points it at the case's validation time.
 *
 * The same module has a wire mode (gnutls_wire.c): when the harness names the built-in server
 * (in->host), verify() runs GnuTLS's TLS client in a real handshake instead, under the same
 * time function.
 */
#include "cp_adapter_util.h"
#include "gnutls_wire.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* gnutls_certificate_set_verify_limits() default (DEFAULT_MAX_VERIFY_DEPTH): a TLS client
 * refuses a longer chain outright. */
#define GTLS_MAX_VERIFY_DEPTH 16

/* The verification profile of the default priority string "NORMAL". */
#define GTLS_VERIFY_FLAGS GNUTLS_PROFILE_TO_VFLAGS(GNUTLS_PROFILE_LOW)

struct gtls_ctx {
    int global_init; /* gnutls_global_init() succeeded and needs its deinit */
};

/* The validation time of the case being verified; read by gtls_time(). */
static int64_t gtls_vtime;

static time_t gtls_time(time_t *t)
{
    time_t now = (time_t)gtls_vtime;
    if (t)
        *t = now;
    return now;
}

static int gtls_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                     size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    struct gtls_ctx *ctx = vctx;
    int rc = -1, ret;
    (void)arg;
    if ((ret = gnutls_global_init()) < 0) {
        cp_copy_text(err, errcap, gnutls_strerror(ret));
        goto out;
    }
    ctx->global_init = 1;
    rc = 0;
out:
    return rc;
}

static void gtls_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    cp_copy_text(buf, cap, gnutls_check_version(NULL));
}

/* Imports one DER certificate; returns 0 or a negative GnuTLS error (and *crt NULL). */
static int gtls_import(gnutls_x509_crt_t *crt, const struct cp_der *d)
{
    gnutls_datum_t datum = {(unsigned char *)d->der, (unsigned int)d->len};
    int ret;
    *crt = NULL;
    if ((ret = gnutls_x509_crt_init(crt)) < 0)
        goto out;
    ret = gnutls_x509_crt_import(*crt, &datum, GNUTLS_X509_FMT_DER);
out:
    if (ret < 0 && *crt) {
        gnutls_x509_crt_deinit(*crt);
        *crt = NULL;
    }
    return ret < 0 ? ret : 0;
}

void gtls_status_reject(struct cp_verify_result *out, unsigned status)
{
    gnutls_datum_t text = {NULL, 0};
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0 &&
        text.data) {
        size_t n = text.size;
        while (n > 0 && text.data[n - 1] == ' ')
            n--;
        cp_result(out, CP_VERIFY_REJECT, (long)status, "%.*s", (int)n, (const char *)text.data);
    } else {
        cp_result(out, CP_VERIFY_REJECT, (long)status, "verification status 0x%x", status);
    }
    gnutls_free(text.data);
}

static int gtls_verify_inproc(const struct cp_verify_input *in, struct cp_verify_result *out)
{
    gnutls_x509_trust_list_t tl = NULL;
    gnutls_x509_crt_t *chain = NULL;
    gnutls_typed_vdata_st data[2];
    unsigned ndata = 0, status = 0;
    int rc = 0, ret, nchain = 0;

    if (in->nchain < 1) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the case sends no certificate");
        goto out;
    }
    /* What gnutls_certificate_verify_peers() answers before it looks at any certificate. */
    if (in->nchain > GTLS_MAX_VERIFY_DEPTH) {
        cp_result(out, CP_VERIFY_REJECT, GNUTLS_E_CONSTRAINT_ERROR, "%s (chain of %d > %d)",
                  gnutls_strerror(GNUTLS_E_CONSTRAINT_ERROR), in->nchain, GTLS_MAX_VERIFY_DEPTH);
        goto out;
    }
    if ((ret = gnutls_x509_trust_list_init(&tl, 0)) < 0) {
        cp_result(out, CP_VERIFY_ERROR, ret, "trust list: %s", gnutls_strerror(ret));
        goto out;
    }
    for (int i = 0; i < in->nroots; i++) {
        gnutls_datum_t datum = {(unsigned char *)in->roots[i].der, (unsigned int)in->roots[i].len};
        ret = gnutls_x509_trust_list_add_trust_mem(tl, &datum, NULL, GNUTLS_X509_FMT_DER,
                                                   GNUTLS_TL_USE_IN_TLS, 0);
        if (ret < 0) {
            /* The trust store could not be set up: the case did not run. */
            cp_result(out, CP_VERIFY_ERROR, ret, "root %d: %s", i, gnutls_strerror(ret));
            goto out;
        }
    }
    chain = calloc((size_t)in->nchain, sizeof(*chain));
    if (!chain) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    for (nchain = 0; nchain < in->nchain; nchain++) {
        if ((ret = gtls_import(&chain[nchain], &in->chain[nchain])) < 0) {
            /* A TLS client fails the handshake on a certificate it cannot parse. */
            cp_result(out, ret == GNUTLS_E_MEMORY_ERROR ? CP_VERIFY_ERROR : CP_VERIFY_REJECT, ret,
                      "certificate %d: %s", nchain, gnutls_strerror(ret));
            goto out;
        }
    }
    if (in->hostname && in->hostname[0]) {
        data[ndata++] = (gnutls_typed_vdata_st){.type = GNUTLS_DT_DNS_HOSTNAME,
                                                .data = (unsigned char *)in->hostname};
    }
    data[ndata++] = (gnutls_typed_vdata_st){.type = GNUTLS_DT_KEY_PURPOSE_OID,
                                            .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER};

    ret = gnutls_x509_trust_list_verify_crt2(tl, chain, (unsigned)nchain, data, ndata,
                                             GTLS_VERIFY_FLAGS, &status, NULL);
    if (ret < 0) {
        cp_result(out, CP_VERIFY_ERROR, ret, "verify: %s", gnutls_strerror(ret));
        goto out;
    }
    if (status == 0)
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", "");
    else
        gtls_status_reject(out, status);
out:
    for (int i = 0; i < nchain; i++)
        gnutls_x509_crt_deinit(chain[i]);
    free(chain);
    if (tl)
        gnutls_x509_trust_list_deinit(tl, 1);
    return rc;
}

/* Both modes read the clock through the time function, pointed at the case's time here; then
 * wire mode when the harness names a server, the trust list's verification otherwise. */
static int gtls_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    (void)vctx;
    gtls_vtime = in->vtime;
    gnutls_global_set_time_function(gtls_time);
    if (in->host)
        return gtls_wire_verify(in, out);
    return gtls_verify_inproc(in, out);
}

static void gtls_cleanup(void *vctx)
{
    struct gtls_ctx *ctx = vctx;
    gnutls_global_set_time_function(time);
    if (ctx->global_init)
        gnutls_global_deinit();
    ctx->global_init = 0;
}

static const struct cp_adapter gtls_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "gnutls",
    .library = "GnuTLS",
    .caps = CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE,
    .settings =
        "in-process: gnutls_x509_trust_list_verify_crt2 with the case's roots as the trust list "
        "and the chain as sent; typed data GNUTLS_DT_DNS_HOSTNAME = hostname and "
        "GNUTLS_DT_KEY_PURPOSE_OID = GNUTLS_KP_TLS_WWW_SERVER; flags "
        "GNUTLS_PROFILE_TO_VFLAGS(GNUTLS_PROFILE_LOW), the profile of the default "
        "priority string NORMAL, as gnutls_certificate_verify_peers uses; a chain of "
        "more than 16 certificates is refused with GNUTLS_E_CONSTRAINT_ERROR as the TLS "
        "client's default verify depth does; time through "
        "gnutls_global_set_time_function; wire: " GTLS_WIRE_SETTINGS,
    .ctx_size = sizeof(struct gtls_ctx),
    .init = gtls_init,
    .version = gtls_version,
    .verify = gtls_verify,
    .cleanup = gtls_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &gtls_adapter;
}
