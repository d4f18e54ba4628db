/*
 * cp_mint_internal.h - what the key pool (keypool.c) and the minter (mint.c) share inside the
 * generator: the pool's layout and the small mbedTLS helpers of mint_crypto.c. Not a part's
 * interface: cp_generator_internal.h is what the rest of the generator uses.
 */
#ifndef CP_MINT_INTERNAL_H
#define CP_MINT_INTERNAL_H

#include "cp_generator_internal.h"

#include <mbedtls/hmac_drbg.h>
#include <mbedtls/pk.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Key identifiers are SHA-1 digests. */
#define CP_KID_LEN 20
/* mbedTLS's error text, before " (-0xNNNN)" is added. */
#define CP_ERR_TEXT_MAX 160

struct cp_pool_key {
    mbedtls_pk_context pk;
    unsigned char kid[CP_KID_LEN]; /* the SKI of this key */
    bool ready;                    /* generated; RSA slots read it under lock only */
    pthread_mutex_t lock;          /* lazy generation and every private-key operation */
};

struct cp_keypool {
    uint64_t seed;
    struct cp_pool_key ec[CP_KEYPOOL_EC];
    struct cp_pool_key rsa[CP_KEYPOOL_RSA];
    mbedtls_pk_context stand_in; /* the writer's issuer key: see mint.c's file comment */
    int nlocks;                  /* mutexes initialised, for cp_keypool_free() */
};

/* The pool key of an entity, generated first if it is a lazy RSA slot (under its lock).
 * Returns 0, CP_E_ARG when the entity has no slot (the model is not finalised), or the
 * generation's error, message set. *out is borrowed from the pool. */
int cp_keypool_key(const struct cp_keypool *kp, const struct cp_entity *e,
                   struct cp_pool_key **out);

/* Big-endian encodings of fixed-width integers. */
void cp_mint_put_be64(unsigned char *out, uint64_t v);
void cp_mint_put_be32(unsigned char *out, uint32_t v);

/* "<mbedTLS text> (-0xNNNN)" into out (truncated to cap). */
void cp_mint_crypto_text(int ret, char *out, size_t cap);

/* An mbedTLS code as ours: CP_E_LIMIT for a full buffer, CP_E_NOMEM for a failed allocation,
 * CP_E_CRYPTO otherwise. */
int cp_mint_crypto_code(int ret);

/* SHA-256 over the concatenation of n parts; returns 0 or an mbedTLS code. */
int cp_mint_sha256_parts(const void *const *parts, const size_t *lens, int n,
                         unsigned char out[32]);

/* Seeds an HMAC-DRBG (SHA-256) from 32 bytes; returns 0 or an mbedTLS code. */
int cp_mint_drbg_seed(mbedtls_hmac_drbg_context *drbg, const unsigned char seed[32]);

#endif
