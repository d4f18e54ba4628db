/*
 * keypool.c - the per-seed key pool the minter signs with (cp_generator_internal.h).
 *
 * Every slot has its own DRBG, seeded from (seed, "ec"|"rsa", slot), so a key never depends on
 * the threads that made the pool. ECDSA keys are made up front in parallel; RSA keys (~150 ms
 * each) on first use, under the slot's lock. Each slot also keeps its key identifier (SHA-1 of
 * the subjectPublicKey bits, RFC 5280 4.2.1.2 method 1), so no key is re-encoded or re-parsed
 * per certificate. The pool also holds the minter's stand-in issuer key (see mint.c).
 */
#include "cp_generator_internal.h"
#include "cp_mbedtls_compat.h"
#include "cp_mint_internal.h"

#include <mbedtls/base64.h>
#include <mbedtls/ecp.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A raw public key: an RSA-2048 RSAPublicKey is 270 bytes, a P-256 point 65. */
#define CP_PUBKEY_MAX 600
#define CP_RSA_BITS 2048
#define CP_RSA_EXPONENT 65537
/* Key generation threads; more than the pool has keys would only idle. */
#define CP_KEYGEN_THREADS_MAX 64

/* The stand-in issuer key of the writer: it can "sign" with RSA, in one byte. */
static int stand_in_sign(void *key, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng,
                         CP_MBEDTLS_RSA_ALT_MODE mbedtls_md_type_t md, unsigned int hash_len,
                         const unsigned char *hash, unsigned char *sig)
{
    (void)key;
    (void)f_rng;
    (void)p_rng;
    (void)md;
    (void)hash_len;
    (void)hash;
    sig[0] = 0;
    return 0;
}

static int stand_in_decrypt(void *key, CP_MBEDTLS_RSA_ALT_MODE size_t *olen,
                            const unsigned char *in, unsigned char *out, size_t out_max)
{
    (void)key;
    (void)olen;
    (void)in;
    (void)out;
    (void)out_max;
    return MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE;
}

static size_t stand_in_len(void *key)
{
    (void)key;
    return 1;
}

/* Fills k->kid: SHA-1 of the subjectPublicKey BIT STRING's contents, which is exactly what
 * mbedtls_pk_write_pubkey() writes (the EC point or the RSAPublicKey). */
static int key_identifier(struct cp_pool_key *k)
{
    unsigned char buf[CP_PUBKEY_MAX], *p = buf + sizeof(buf);
    int n = mbedtls_pk_write_pubkey(&p, buf, &k->pk);
    if (n < 0)
        return n;
    return mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA1), p, (size_t)n, k->kid);
}

/* Generates the key of one slot from its own DRBG. Sets the message on failure. */
static int key_generate(struct cp_pool_key *k, uint64_t seed, enum cp_key_alg alg, int slot)
{
    static const char domain[] = "certpath-key";
    const char *pool = alg == CP_KEY_RSA_2048 ? "rsa" : "ec";
    unsigned char seed_be[8], slot_be[4], material[32];
    const void *parts[] = {domain, seed_be, pool, slot_be};
    const size_t lens[] = {sizeof(domain) - 1, sizeof(seed_be), strlen(pool), sizeof(slot_be)};
    mbedtls_hmac_drbg_context drbg;
    char text[CP_ERR_TEXT_MAX + 16];
    int ret;

    mbedtls_hmac_drbg_init(&drbg);
    cp_mint_put_be64(seed_be, seed);
    cp_mint_put_be32(slot_be, (uint32_t)slot);
    if ((ret = cp_mint_sha256_parts(parts, lens, 4, material)) ||
        (ret = cp_mint_drbg_seed(&drbg, material)))
        goto out;
    if (alg == CP_KEY_RSA_2048) {
        if ((ret = mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA))) ||
            (ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(k->pk), mbedtls_hmac_drbg_random, &drbg,
                                       CP_RSA_BITS, CP_RSA_EXPONENT)))
            goto out;
    } else {
        if ((ret = mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) ||
            (ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(k->pk),
                                       mbedtls_hmac_drbg_random, &drbg)))
            goto out;
    }
    if ((ret = key_identifier(k)))
        goto out;
    k->ready = true;
out:
    mbedtls_hmac_drbg_free(&drbg);
    if (!ret)
        return 0;
    mbedtls_pk_free(&k->pk); /* back to the initial state: a later call may try again */
    mbedtls_pk_init(&k->pk);
    cp_mint_crypto_text(ret, text, sizeof(text));
    return cp_error_set(cp_mint_crypto_code(ret), "key pool: generating %s key %d: %s",
                        alg == CP_KEY_RSA_2048 ? "RSA" : "ECDSA", slot, text);
}

struct keygen_job {
    struct cp_keypool *kp;
    int first, step;
    int rc;
    char msg[256];
};

static void *keygen_worker(void *arg)
{
    struct keygen_job *j = arg;
    for (int s = j->first; s < CP_KEYPOOL_EC && !j->rc; s += j->step) {
        j->rc = key_generate(&j->kp->ec[s], j->kp->seed, CP_KEY_EC_P256, s);
        if (j->rc)
            snprintf(j->msg, sizeof(j->msg), "%s", cp_error_msg(j->rc));
    }
    return NULL;
}

/* Makes every ECDSA key, spread over nthreads threads (this one included). A thread that
 * cannot start leaves its share to this one: slower, same keys. */
static int keygen_ec(struct cp_keypool *kp, int nthreads)
{
    struct keygen_job jobs[CP_KEYGEN_THREADS_MAX];
    pthread_t tid[CP_KEYGEN_THREADS_MAX];
    bool started[CP_KEYGEN_THREADS_MAX] = {false};
    for (int t = 0; t < nthreads; t++)
        jobs[t] = (struct keygen_job){.kp = kp, .first = t, .step = nthreads};
    for (int t = 1; t < nthreads; t++)
        started[t] = pthread_create(&tid[t], NULL, keygen_worker, &jobs[t]) == 0;
    keygen_worker(&jobs[0]);
    for (int t = 1; t < nthreads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            keygen_worker(&jobs[t]);
    }
    for (int t = 0; t < nthreads; t++) {
        if (jobs[t].rc)
            return cp_error_set(jobs[t].rc, "%s", jobs[t].msg);
    }
    return 0;
}

int cp_keypool_new(uint64_t seed, int threads, struct cp_keypool **out)
{
    struct cp_keypool *kp = calloc(1, sizeof(*kp));
    int rc = CP_E_NOMEM, ret;
    char text[CP_ERR_TEXT_MAX + 16];

    *out = NULL;
    if (!kp)
        return cp_error_set(rc, "key pool: out of memory");
    kp->seed = seed;
    mbedtls_pk_init(&kp->stand_in);
    for (int i = 0; i < CP_KEYPOOL_EC + CP_KEYPOOL_RSA; i++) {
        struct cp_pool_key *k = i < CP_KEYPOOL_EC ? &kp->ec[i] : &kp->rsa[i - CP_KEYPOOL_EC];
        mbedtls_pk_init(&k->pk);
        if (pthread_mutex_init(&k->lock, NULL)) {
            rc = cp_error_set(CP_E_INTERNAL, "key pool: cannot create a lock");
            goto out;
        }
        kp->nlocks++;
    }
    if ((ret = cp_mbedtls_init()) ||
        (ret = mbedtls_pk_setup_rsa_alt(&kp->stand_in, kp, stand_in_decrypt, stand_in_sign,
                                        stand_in_len))) {
        cp_mint_crypto_text(ret, text, sizeof(text));
        rc = cp_error_set(cp_mint_crypto_code(ret), "key pool: setting up mbedTLS: %s", text);
        goto out;
    }
    if ((rc = keygen_ec(kp, threads < 1                       ? 1
                            : threads > CP_KEYGEN_THREADS_MAX ? CP_KEYGEN_THREADS_MAX
                                                              : threads)))
        goto out;
    *out = kp;
    kp = NULL;
out:
    cp_keypool_free(kp);
    return rc;
}

void cp_keypool_free(struct cp_keypool *kp)
{
    if (!kp)
        return;
    for (int i = 0; i < CP_KEYPOOL_EC + CP_KEYPOOL_RSA; i++) {
        struct cp_pool_key *k = i < CP_KEYPOOL_EC ? &kp->ec[i] : &kp->rsa[i - CP_KEYPOOL_EC];
        mbedtls_pk_free(&k->pk);
        if (i < kp->nlocks)
            pthread_mutex_destroy(&k->lock);
    }
    mbedtls_pk_free(&kp->stand_in);
    free(kp);
}

/* The pool key of an entity, generated first if it is a lazy RSA slot. The pool is shared
 * read-only except for those slots, which their locks guard; hence the cast. */
int cp_keypool_key(const struct cp_keypool *kpc, const struct cp_entity *e,
                   struct cp_pool_key **out)
{
    *out = NULL; /* set on every path, so no caller reads it uninitialised */
    struct cp_keypool *kp = (struct cp_keypool *)kpc;
    struct cp_pool_key *k;
    int rc = 0;
    if (e->alg == CP_KEY_RSA_2048 && e->key_slot >= 0 && e->key_slot < CP_KEYPOOL_RSA)
        k = &kp->rsa[e->key_slot];
    else if (e->alg == CP_KEY_EC_P256 && e->key_slot >= 0 && e->key_slot < CP_KEYPOOL_EC)
        k = &kp->ec[e->key_slot];
    else
        return cp_error_set(CP_E_ARG, "entity %s has no key slot (%d); is the model finalised?",
                            e->label, e->key_slot);
    if (e->alg == CP_KEY_RSA_2048) {
        pthread_mutex_lock(&k->lock);
        if (!k->ready)
            rc = key_generate(k, kp->seed, CP_KEY_RSA_2048, e->key_slot);
        pthread_mutex_unlock(&k->lock);
    }
    *out = k;
    return rc;
}

int cp_keypool_key_pem(const struct cp_keypool *kp, const struct cp_entity *e, char *buf,
                       size_t cap)
{
    struct cp_pool_key *k;
    char text[CP_ERR_TEXT_MAX + 16];
    int rc = cp_keypool_key(kp, e, &k), ret;
    if (rc)
        return rc;
    pthread_mutex_lock(&k->lock);
    ret = mbedtls_pk_write_key_pem(&k->pk, (unsigned char *)buf, cap);
    pthread_mutex_unlock(&k->lock);
    if (!ret)
        return 0;
    cp_mint_crypto_text(ret, text, sizeof(text));
    rc = ret == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL ? CP_E_LIMIT : cp_mint_crypto_code(ret);
    return cp_error_set(rc, "key of %s: writing PEM into %zu bytes: %s", e->label, cap, text);
}
