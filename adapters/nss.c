/*
 * nss.c - the NSS adapter: libpkix (CERT_PKIXVerifyCert) for serverAuth with the case's roots
 * as the only trust anchors, then CERT_VerifyCertName for the hostname.
 *
 * Certificates enter NSS the way a TLS client's peer certificates do: as temporary
 * certificates (CERT_NewTempCertificate), the whole chain as sent, so that path building finds
 * the intermediates by subject in the temporary store. That store, and libpkix's caches of
 * certificates and of validated chains, are process-wide and outlive the handles: a chain
 * validated for one case would be found again for the next case with the same leaf and anchors
 * even when that case does not send the intermediate. So every case runs in a fresh NSS: verify()
 * initialises NSS without a database (NSS_NoDB_Init), releases every handle it took, and shuts
 * NSS down again (NSS_Shutdown); a shutdown that fails means a handle leaked, and the case is
 * reported as an error rather than letting state reach the next case. Most of the cost of a
 * fresh NSS is unloading and reloading the soft token (libsoftokn3, libfreeblpriv3) that
 * NSS_Shutdown releases; init() takes an extra reference on both, so they stay mapped and each
 * case pays for C_Finalize/C_Initialize only (about 0.4 ms instead of 7 ms here). Without the
 * references everything still works, only slower.
 *
 * Settings: usage certificateUsageSSLServer; trust anchors = the case's roots with
 * cert_pi_useOnlyTrustAnchors; date = the case's time; revocation =
 * CERT_GetClassicOCSPDisabledPolicy() (NSS's default: OCSP off, local CRLs only, of which there
 * are none; never a network fetch); AIA certificate fetching off (the default, set
 * explicitly; without revocation flags CERT_PKIXVerifyCert fails with SEC_ERROR_INVALID_ARGS).
 * NSS's own defaults are kept otherwise, notably the 24-hour slop before notBefore
 * (CERT_GetSlopTime). NSS_SetDomesticPolicy() is called as a TLS client does; it also registers
 * the SSL error table, without which SSL_ERROR_BAD_CERT_DOMAIN has no name or text.
 * NSS's own TLS client (SSL_AuthCertificate) uses CERT_VerifyCert, which runs the legacy
 * verifier unless CERT_SetUsePKIXForValidation(PR_TRUE) or NSS_ENABLE_PKIX_VERIFY is set; that
 * verifier cannot take trust anchors per call, so this adapter measures libpkix.
 */
#include "cp_adapter_util.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cert.h>
#include <certt.h>
#include <nss.h>
#include <prerror.h>
#include <prtime.h>
#include <secerr.h>
#include <secport.h>
#include <ssl.h>
#include <sslerr.h>

/* The soft token's libraries, by the sonames NSS loads them with. */
static const char *const nss_pinned_names[] = {"libsoftokn3.so", "libfreeblpriv3.so"};
#define NSS_PINNED_MAX (sizeof(nss_pinned_names) / sizeof(nss_pinned_names[0]))

struct nss_ctx {
    void *pinned[NSS_PINNED_MAX]; /* extra references on the soft token's libraries, or NULL */
};

/* Fills out with NSS's current error: the code, its name and its text. */
static void nss_error(struct cp_verify_result *out, enum cp_verify_status status, const char *what)
{
    PRErrorCode err = PORT_GetError();
    const char *name = PR_ErrorToName(err);
    const char *text = PORT_ErrorToString(err);
    cp_result(out, status, (long)err, "%s%s%s: %s", what ? what : "", what ? ": " : "",
              name ? name : "unknown NSS error", text ? text : "");
}

/* A fresh NSS without databases; the SSL library's error table is registered by
 * NSS_SetDomesticPolicy so that SSL_ERROR_* codes have their names and texts. */
static int nss_open(char *err, size_t errcap)
{
    if (NSS_NoDB_Init(NULL) != SECSuccess) {
        const char *name = PR_ErrorToName(PORT_GetError());
        cp_copy_text(err, errcap, name ? name : "NSS_NoDB_Init failed");
        return -1;
    }
    if (NSS_SetDomesticPolicy() != SECSuccess) {
        const char *name = PR_ErrorToName(PORT_GetError());
        cp_copy_text(err, errcap, name ? name : "NSS_SetDomesticPolicy failed");
        NSS_Shutdown();
        return -1;
    }
    return 0;
}

static int nss_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                    size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    struct nss_ctx *ctx = vctx;
    int rc = -1;
    (void)arg;
    /* Proves NSS and its soft token load here, once, before any case runs. */
    if (nss_open(err, errcap))
        goto out;
    /* While NSS holds them: RTLD_NOLOAD finds the loaded libraries by soname, never loads one. */
    for (size_t i = 0; i < NSS_PINNED_MAX; i++)
        ctx->pinned[i] = dlopen(nss_pinned_names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (NSS_Shutdown() != SECSuccess) {
        cp_copy_text(err, errcap, "NSS_Shutdown failed after the first initialisation");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

static void nss_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    cp_copy_text(buf, cap, NSS_GetVersion());
}

/* NSS's verdict on the case, or the adapter's own failure: bad arguments or no memory mean the
 * case did not run. */
static enum cp_verify_status nss_failure_status(void)
{
    PRErrorCode err = PORT_GetError();
    return err == SEC_ERROR_INVALID_ARGS || err == SEC_ERROR_NO_MEMORY ? CP_VERIFY_ERROR
                                                                       : CP_VERIFY_REJECT;
}

static CERTCertificate *nss_import(const struct cp_der *d)
{
    SECItem item = {siDERCertBuffer, (unsigned char *)d->der, (unsigned int)d->len};
    return CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item, NULL, PR_FALSE, PR_TRUE);
}

/* Runs one case inside an initialised NSS; every handle is released before it returns. */
static void nss_run(const struct cp_verify_input *in, struct cp_verify_result *out)
{
    CERTCertificate **chain = NULL;
    CERTCertList *anchors = NULL;
    int nchain = 0;
    char what[32];

    chain = calloc((size_t)in->nchain, sizeof(*chain));
    anchors = CERT_NewCertList();
    if (!chain || !anchors) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    for (nchain = 0; nchain < in->nchain; nchain++) {
        if (!(chain[nchain] = nss_import(&in->chain[nchain]))) {
            /* A TLS client fails the handshake on a certificate it cannot decode. */
            snprintf(what, sizeof(what), "certificate %d", nchain);
            nss_error(out, nss_failure_status(), what);
            goto out;
        }
    }
    for (int i = 0; i < in->nroots; i++) {
        CERTCertificate *root = nss_import(&in->roots[i]);
        if (!root) {
            /* The trust anchors could not be set up: the case did not run. */
            snprintf(what, sizeof(what), "root %d", i);
            nss_error(out, CP_VERIFY_ERROR, what);
            goto out;
        }
        if (CERT_AddCertToListTail(anchors, root) != SECSuccess) {
            CERT_DestroyCertificate(root);
            nss_error(out, CP_VERIFY_ERROR, "anchor list");
            goto out;
        }
    }

    CERTValInParam params[] = {
        {.type = cert_pi_trustAnchors, .value.pointer.chain = anchors},
        {.type = cert_pi_useOnlyTrustAnchors, .value.scalar.b = PR_TRUE},
        {.type = cert_pi_date, .value.scalar.time = (PRTime)in->vtime * PR_USEC_PER_SEC},
        {.type = cert_pi_revocationFlags,
         .value.pointer.revocation = CERT_GetClassicOCSPDisabledPolicy()},
        {.type = cert_pi_useAIACertFetch, .value.scalar.b = PR_FALSE},
        {.type = cert_pi_end},
    };
    CERTValOutParam results[] = {{.type = cert_po_end}};
    if (CERT_PKIXVerifyCert(chain[0], certificateUsageSSLServer, params, results, NULL) !=
        SECSuccess) {
        nss_error(out, nss_failure_status(), NULL);
        goto out;
    }
    if (in->hostname && in->hostname[0] &&
        CERT_VerifyCertName(chain[0], in->hostname) != SECSuccess) {
        nss_error(out, nss_failure_status(), NULL);
        goto out;
    }
    cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", "");
out:
    for (int i = 0; i < nchain; i++)
        CERT_DestroyCertificate(chain[i]);
    free(chain);
    if (anchors)
        CERT_DestroyCertList(anchors);
}

static int nss_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    char err[CP_REASON_TEXT_MAX];
    (void)vctx;
    if (in->nchain < 1) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the case sends no certificate");
        goto out;
    }
    if (nss_open(err, sizeof(err))) {
        cp_result(out, CP_VERIFY_ERROR, 0, "NSS initialisation: %s", err);
        goto out;
    }
    nss_run(in, out);
    /* Fails only when a certificate or another object is still referenced: that state would
     * reach the next case, so this case's result cannot be trusted either. */
    if (NSS_Shutdown() != SECSuccess) {
        const char *name = PR_ErrorToName(PORT_GetError());
        cp_result(out, CP_VERIFY_ERROR, 0, "NSS_Shutdown after the case: %s",
                  name ? name : "failed");
    }
out:
    return 0;
}

static void nss_cleanup(void *vctx)
{
    struct nss_ctx *ctx = vctx;
    /* verify() leaves NSS shut down; this covers a worker stopped in between. */
    if (NSS_IsInitialized())
        NSS_Shutdown();
    for (size_t i = 0; i < NSS_PINNED_MAX; i++) {
        if (ctx->pinned[i])
            dlclose(ctx->pinned[i]);
        ctx->pinned[i] = NULL;
    }
}

static const struct cp_adapter nss_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "nss",
    .library = "NSS",
    .caps = CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE,
    .settings = "a fresh NSS per case (NSS_NoDB_Init, NSS_SetDomesticPolicy ... NSS_Shutdown) "
                "so no certificate or "
                "libpkix cache survives between cases; the chain as sent imported as temporary "
                "certificates; CERT_PKIXVerifyCert (libpkix) with certificateUsageSSLServer, "
                "cert_pi_trustAnchors = the case's roots, cert_pi_useOnlyTrustAnchors = true, "
                "cert_pi_date = the case's time, revocation = "
                "CERT_GetClassicOCSPDisabledPolicy (no OCSP, no network), AIA fetching off; "
                "then CERT_VerifyCertName for the hostname; NSS's default 24h notBefore slop "
                "kept. NSS's TLS client calls "
                "CERT_VerifyCert (legacy verifier unless NSS_ENABLE_PKIX_VERIFY), which takes "
                "no per-call anchors",
    .ctx_size = sizeof(struct nss_ctx),
    .init = nss_init,
    .version = nss_version,
    .verify = nss_verify,
    .cleanup = nss_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &nss_adapter;
}
