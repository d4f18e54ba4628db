/*
 * mbedtls.c - the mbedTLS adapter: mbedtls_x509_crt_verify_with_profile() plus the checks the
 * mbedTLS TLS client adds, as ssl_parse_certificate_chain() and ssl_parse_certificate_verify()
 * do them (mbedTLS 2.28 library/ssl_tls.c; 3.6 keeps the same steps).
 *
 * What the TLS client does, and what this adapter copies:
 *   - each certificate the server sent is parsed with mbedtls_x509_crt_parse_der() onto one
 *     chain, leaf first, in the order sent. A certificate whose signature algorithm mbedTLS does
 *     not know (MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG + MBEDTLS_ERR_OID_NOT_FOUND) is silently left
 *     out, "maybe a prior certificate was already trusted"; any other parse failure fails the
 *     handshake, so it is a reject with that error code;
 *   - the trusted CAs are the case's roots, parsed the way mbedtls_x509_crt_parse() loads a CA
 *     file: a root that does not parse is skipped, and only when none parses can the client not
 *     be set up;
 *   - verification with the configuration's default profile (mbedtls_x509_crt_profile_default),
 *     no CRL, no verify callback, and the hostname as the expected name (mbedtls_ssl_set_hostname);
 *   - then the leaf's usage, as mbedtls_ssl_check_cert_usage() checks a server certificate: the
 *     keyUsage must allow digitalSignature (the ECDHE-ECDSA / ECDHE-RSA suites the default client
 *     prefers, and TLS 1.3) and the extendedKeyUsage must allow serverAuth (anyExtendedKeyUsage
 *     counts, as the library decides). Their flags are added to the verification flags, exactly
 *     as the client adds them to its verify_result.
 *   - The client's EC curve check is not repeated: with the default configuration it accepts
 *     every curve the library supports (2.28) or every curve the default profile allows (3.6),
 *     so it cannot fail for a leaf that parsed and passed the profile.
 * The native code is the verification flags; the reason is mbedtls_x509_crt_verify_info()'s
 * text, one line per flag, joined with "; ". An error other than a verification failure (a
 * chain too long, say) is a reject with that error code and mbedtls_strerror()'s text.
 *
 * Time: mbedTLS reads the clock with time() and takes no validation time, so the adapter
 * declares CP_CAP_CLOCK_SHIM: the harness runs its workers with time() pinned to the case's
 * validation time. in->vtime is not used here.
 *
 * The same module has a wire mode (mbedtls_wire.c): when the harness names the built-in server
 * (in->host), verify() runs mbedTLS's TLS client in a real handshake instead, under the same
 * clock shim.
 */
#include "cp_adapter_util.h"
/* By path: the adapter modules do not get common/ as an include directory. */
#include "cp_mbedtls_compat.h"
#include "mbedtls_wire.h"

#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include <string.h>

struct mbed_ctx {
    struct mbed_wire wire; /* the TLS client of wire mode */
};

static int mbed_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                     size_t errcap)
{
    (void)info; /* the descriptor's values stand */
    struct mbed_ctx *ctx = vctx;
    int rc = -1, ret;
    (void)arg;
    if ((ret = cp_mbedtls_init()) != 0) {
        mbedtls_strerror(ret, err, errcap);
        goto out;
    }
    if (mbed_wire_init(&ctx->wire, err, errcap))
        goto out;
    rc = 0;
out:
    return rc;
}

static void mbed_cleanup(void *vctx)
{
    struct mbed_ctx *ctx = vctx;
    mbed_wire_cleanup(&ctx->wire);
}

static void mbed_version(void *vctx, char *buf, size_t cap)
{
    char full[32] = ""; /* mbedtls_version_get_string_full() writes at most 18 bytes */
    (void)vctx;
    mbedtls_version_get_string_full(full);
    cp_copy_text(buf, cap, full);
}

void mbed_error(struct cp_verify_result *out, enum cp_verify_status status, int ret,
                const char *what, int index)
{
    char text[CP_REASON_TEXT_MAX];
    mbedtls_strerror(ret, text, sizeof(text));
    if (index >= 0)
        cp_result(out, status, ret, "%s %d: %s", what, index, text);
    else
        cp_result(out, status, ret, "%s: %s", what, text);
}

/* Parses the server's certificates as the TLS client does. Returns 0, or -1 with out filled. */
static int mbed_parse_chain(const struct cp_verify_input *in, mbedtls_x509_crt *chain,
                            struct cp_verify_result *out)
{
    for (int i = 0; i < in->nchain; i++) {
        int ret = mbedtls_x509_crt_parse_der(chain, in->chain[i].der, in->chain[i].len);
        if (ret == 0 || ret == MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG + MBEDTLS_ERR_OID_NOT_FOUND)
            continue;
        mbed_error(out, ret == MBEDTLS_ERR_X509_ALLOC_FAILED ? CP_VERIFY_ERROR : CP_VERIFY_REJECT,
                   ret, "certificate", i);
        return -1;
    }
    return 0;
}

int mbed_parse_roots(const struct cp_verify_input *in, mbedtls_x509_crt *roots,
                     struct cp_verify_result *out)
{
    int loaded = 0, first_error = 0, first_index = 0;
    for (int i = 0; i < in->nroots; i++) {
        int ret = mbedtls_x509_crt_parse_der(roots, in->roots[i].der, in->roots[i].len);
        if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED) {
            mbed_error(out, CP_VERIFY_ERROR, ret, "root", i);
            return -1;
        }
        if (ret == 0)
            loaded++;
        else if (!first_error)
            first_error = ret, first_index = i;
    }
    if (loaded == 0) {
        if (first_error)
            mbed_error(out, CP_VERIFY_ERROR, first_error, "no root can be loaded; root",
                       first_index);
        else
            cp_result(out, CP_VERIFY_ERROR, 0, "the case has no root");
        return -1;
    }
    return 0;
}

/* The leaf checks of mbedtls_ssl_check_cert_usage() for a server certificate; returns the
 * flags it adds. */
static uint32_t mbed_check_usage(const mbedtls_x509_crt *leaf)
{
    uint32_t flags = 0;
#if defined(MBEDTLS_X509_CHECK_KEY_USAGE)
    if (mbedtls_x509_crt_check_key_usage(leaf, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0)
        flags |= MBEDTLS_X509_BADCERT_KEY_USAGE;
#endif
#if defined(MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE)
    if (mbedtls_x509_crt_check_extended_key_usage(leaf, MBEDTLS_OID_SERVER_AUTH,
                                                  MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0)
        flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
#endif
    (void)leaf;
    return flags;
}

/* Appends n bytes of text to out->reason, cutting at its end. */
static void mbed_append(struct cp_verify_result *out, size_t *used, const char *text, size_t n)
{
    size_t room = sizeof(out->reason) - 1 - *used;
    if (n > room)
        n = room;
    memcpy(out->reason + *used, text, n);
    *used += n;
    out->reason[*used] = '\0';
}

void mbed_flags_text(uint32_t flags, struct cp_verify_result *out)
{
    char text[4 * CP_REASON_TEXT_MAX];
    size_t used = 0;
    /* A negative return means the text was cut; what was written is still terminated. */
    (void)mbedtls_x509_crt_verify_info(text, sizeof(text), "", flags);
    text[sizeof(text) - 1] = '\0';
    out->reason[0] = '\0';
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        if (n) {
            if (used)
                mbed_append(out, &used, "; ", 2);
            mbed_append(out, &used, line, n);
        }
        line += n + (line[n] == '\n');
    }
}

static int mbed_verify_inproc(const struct cp_verify_input *in, struct cp_verify_result *out)
{
    mbedtls_x509_crt chain, roots;
    const char *cn = in->hostname && in->hostname[0] ? in->hostname : NULL;
    uint32_t flags = 0;
    int ret;

    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&roots);
    if (in->nchain < 1) {
        cp_result(out, CP_VERIFY_ERROR, 0, "the case sends no certificate");
        goto out;
    }
    if (mbed_parse_chain(in, &chain, out) || mbed_parse_roots(in, &roots, out))
        goto out;
    ret = mbedtls_x509_crt_verify_with_profile(
        &chain, &roots, NULL, &mbedtls_x509_crt_profile_default, cn, &flags, NULL, NULL);
    if (ret != 0 && ret != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        /* A fatal error of the verifier: the client fails the handshake with it. */
        mbed_error(out, ret == MBEDTLS_ERR_X509_ALLOC_FAILED ? CP_VERIFY_ERROR : CP_VERIFY_REJECT,
                   ret, "verification", -1);
        goto out;
    }
    flags |= mbed_check_usage(&chain);
    if (flags == 0) {
        cp_result(out, CP_VERIFY_ACCEPT, 0, "ok");
        goto out;
    }
    out->status = CP_VERIFY_REJECT;
    out->code = (long)flags;
    mbed_flags_text(flags, out);
out:
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&roots);
    return 0;
}

/* Wire mode when the harness names a server, the chain's verification otherwise. */
static int mbed_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct mbed_ctx *ctx = vctx;
    if (in->host)
        return mbed_wire_verify(&ctx->wire, in, out);
    return mbed_verify_inproc(in, out);
}

static const struct cp_adapter mbed_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "mbedtls",
    .library = "Mbed TLS",
    .caps = CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_CLOCK_SHIM,
    .settings =
        "in-process: mbedtls_x509_crt_verify_with_profile as the TLS client calls it: the chain "
        "parsed with "
        "mbedtls_x509_crt_parse_der in the order sent (a certificate with an unknown signature "
        "algorithm is left out, any other parse failure rejects, as ssl_parse_certificate_chain "
        "does); trusted CAs = the case's roots (unparsable ones skipped, as "
        "mbedtls_x509_crt_parse does); profile mbedtls_x509_crt_profile_default; no CRL, no "
        "verify callback; expected CN = hostname; then mbedtls_ssl_check_cert_usage's server "
        "checks on the leaf: mbedtls_x509_crt_check_key_usage(digitalSignature) and "
        "mbedtls_x509_crt_check_extended_key_usage(serverAuth), their flags added; the client's "
        "EC curve check is not repeated (the default configuration accepts every curve that "
        "parses and passes the profile); no validation time parameter: time() under the clock "
        "shim; wire: " MBED_WIRE_SETTINGS,
    .ctx_size = sizeof(struct mbed_ctx),
    .init = mbed_init,
    .version = mbed_version,
    .verify = mbed_verify,
    .cleanup = mbed_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);

const struct cp_adapter *cp_adapter_entry(void)
{
    return &mbed_adapter;
}
