/* mint_crypto.c - the small mbedTLS helpers the key pool and the minter share (cp_mint_internal.h).
 */
#include "cp_common.h"
#include "cp_mint_internal.h"

#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509.h>

#include <stdio.h>

void cp_mint_put_be64(unsigned char *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (56 - 8 * i));
}

void cp_mint_put_be32(unsigned char *out, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(v >> (24 - 8 * i));
}

/* "<mbedTLS text> (-0xNNNN)". */
void cp_mint_crypto_text(int ret, char *out, size_t cap)
{
    char text[CP_ERR_TEXT_MAX];
    mbedtls_strerror(ret, text, sizeof(text));
    snprintf(out, cap, "%s (-0x%04x)", text, (unsigned)-ret);
}

/* Folds an mbedTLS code into ours: a full buffer is a limit, a failed allocation is memory,
 * anything else is the library's. */
int cp_mint_crypto_code(int ret)
{
    int low = -(-ret & 0x7f), high = -(-ret & 0xff80);
    if (low == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL || low == MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL ||
        high == MBEDTLS_ERR_X509_BUFFER_TOO_SMALL || high == MBEDTLS_ERR_ECP_BUFFER_TOO_SMALL)
        return CP_E_LIMIT;
    if (low == MBEDTLS_ERR_ASN1_ALLOC_FAILED || low == MBEDTLS_ERR_MPI_ALLOC_FAILED ||
        high == MBEDTLS_ERR_X509_ALLOC_FAILED || high == MBEDTLS_ERR_PK_ALLOC_FAILED ||
        high == MBEDTLS_ERR_MD_ALLOC_FAILED || high == MBEDTLS_ERR_ECP_ALLOC_FAILED)
        return CP_E_NOMEM;
    return CP_E_CRYPTO;
}

/* SHA-256 over the concatenation of n parts. */
int cp_mint_sha256_parts(const void *const *parts, const size_t *lens, int n, unsigned char out[32])
{
    mbedtls_md_context_t md;
    int ret;
    mbedtls_md_init(&md);
    if ((ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0)) ||
        (ret = mbedtls_md_starts(&md)))
        goto out;
    for (int i = 0; i < n && !ret; i++)
        ret = mbedtls_md_update(&md, parts[i], lens[i]);
    if (!ret)
        ret = mbedtls_md_finish(&md, out);
out:
    mbedtls_md_free(&md);
    return ret;
}

int cp_mint_drbg_seed(mbedtls_hmac_drbg_context *drbg, const unsigned char seed[32])
{
    return mbedtls_hmac_drbg_seed_buf(drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), seed, 32);
}
