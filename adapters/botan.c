/*
 * botan.c - the Botan adapter, through its C FFI: botan_x509_cert_verify() with the chain as
 * sent (leaf, then the rest as intermediates), the case's roots as the only trusted store, the
 * hostname and the case's time.
 *
 * The FFI call and its meaning are the same in Botan 2 and Botan 3, so this one file is built
 * once per Botan installed: linked to Botan 3 it is the `botan` row, and linked to Botan 2 it
 * is `botan` where Botan 2 is the only one (Debian 12) and `botan2` beside Botan 3 (Debian 13).
 * CMake names the row (BTN_ROW).
 *
 * Where this differs from Botan's TLS client (TLS::Callbacks::tls_verify_cert_chain with the
 * default TLS::Policy), because the FFI fixes it:
 *   - usage: the TLS client asks for Usage_Type::TLS_SERVER_AUTH; the FFI always passes
 *     UNSPECIFIED, so no key usage / extended key usage check for serverAuth is made: the
 *     adapter does not claim CP_CAP_PURPOSE;
 *   - revocation: the default TLS policy requires revocation information
 *     (require_cert_revocation_info() is true); the FFI builds its restrictions with
 *     require_rev = false. Cases carry no CRL or OCSP data, so requiring it would reject them all.
 * The same as the TLS client: minimum signature strength 110, TLS::Policy's
 * minimum_signature_strength() default (passed explicitly; the FFI would also turn 0 into 110),
 * no OCSP fetching, hostname checked against the leaf.
 */
#include "cp_adapter_util.h"

#include <botan/ffi.h>

#include <stdlib.h>
#include <string.h>

/* The row this module is (see the top of the file). */
#ifndef BTN_ROW
#define BTN_ROW "botan"
#endif

/* TLS::Policy::minimum_signature_strength() in Botan 2 and Botan 3. */
#define BTN_TLS_SIGNATURE_STRENGTH 110

struct btn_ctx {
    int unused;
};

static void btn_version(void *vctx, char *buf, size_t cap)
{
    (void)vctx;
    cp_copy_text(buf, cap, botan_version_string());
}

static const char *btn_describe(int rc)
{
    const char *text = botan_error_description(rc);
    return text ? text : "unknown Botan FFI error";
}

static int btn_is_resource_error(int rc)
{
    return rc == BOTAN_FFI_ERROR_OUT_OF_MEMORY || rc == BOTAN_FFI_ERROR_SYSTEM_ERROR ||
           rc == BOTAN_FFI_ERROR_INTERNAL_ERROR || rc == BOTAN_FFI_ERROR_NOT_IMPLEMENTED;
}

static int btn_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    botan_x509_cert_t *chain = NULL, *roots = NULL;
    int nchain = 0, nroots = 0, rc, status = 0;
    (void)vctx;

    if (in->nchain < 1) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the case sends no certificate");
        goto out;
    }
    /* reference_time 0 means "now" to the FFI; a case time there cannot be passed. */
    if (in->vtime <= 0) {
        cp_result(out, CP_VERIFY_ERROR, 0, "validation time %lld cannot be passed to Botan",
                  (long long)in->vtime);
        goto out;
    }
    chain = calloc((size_t)in->nchain, sizeof(*chain));
    roots = calloc((size_t)(in->nroots > 0 ? in->nroots : 1), sizeof(*roots));
    if (!chain || !roots) {
        cp_result(out, CP_VERIFY_ERROR, 0, "out of memory");
        goto out;
    }
    for (nchain = 0; nchain < in->nchain; nchain++) {
        const struct cp_der *d = &in->chain[nchain];
        if ((rc = botan_x509_cert_load(&chain[nchain], d->der, d->len)) != 0) {
            /* A TLS client fails the handshake on a certificate it cannot decode. */
            cp_result(out, btn_is_resource_error(rc) ? CP_VERIFY_ERROR : CP_VERIFY_REJECT, rc,
                      "certificate %d: %s", nchain, btn_describe(rc));
            goto out;
        }
    }
    for (nroots = 0; nroots < in->nroots; nroots++) {
        const struct cp_der *d = &in->roots[nroots];
        if ((rc = botan_x509_cert_load(&roots[nroots], d->der, d->len)) != 0) {
            /* The trusted store could not be set up: the case did not run. */
            cp_result(out, CP_VERIFY_ERROR, rc, "root %d: %s", nroots, btn_describe(rc));
            goto out;
        }
    }

    rc = botan_x509_cert_verify(&status, chain[0], chain + 1, (size_t)nchain - 1, roots,
                                (size_t)nroots, NULL, BTN_TLS_SIGNATURE_STRENGTH,
                                in->hostname && in->hostname[0] ? in->hostname : NULL,
                                (uint64_t)in->vtime);
    if (rc == 0) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "%s", "");
    } else if (rc == 1) {
        const char *text = botan_x509_cert_validation_status(status);
        cp_result(out, CP_VERIFY_REJECT, status, "%s",
                  text ? text : "unknown Botan validation status");
    } else {
        cp_result(out, CP_VERIFY_ERROR, rc, "botan_x509_cert_verify: %s", btn_describe(rc));
    }
out:
    for (int i = 0; i < nchain; i++)
        botan_x509_cert_destroy(chain[i]);
    for (int i = 0; i < nroots; i++)
        botan_x509_cert_destroy(roots[i]);
    free(chain);
    free(roots);
    return 0;
}

static const struct cp_adapter btn_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = BTN_ROW,
    .library = "Botan",
    .caps = CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME,
    .settings = "botan_x509_cert_verify (C FFI) with the leaf, the rest of the chain as sent as "
                "intermediates, the case's roots as the only trusted store, "
                "required_strength 110 (TLS::Policy::minimum_signature_strength default), the "
                "hostname and reference_time = the case's time. The FFI passes "
                "Usage_Type::UNSPECIFIED, so no serverAuth purpose check (no purpose "
                "capability), and require_rev = false where the default TLS policy requires "
                "revocation information",
    .ctx_size = sizeof(struct btn_ctx),
    .init = cp_adapter_init_none,
    .version = btn_version,
    .verify = btn_verify,
    .cleanup = cp_adapter_cleanup_none,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &btn_adapter;
}
