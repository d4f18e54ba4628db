/*
 * cp_mbedtls_compat.h - the few places where mbedTLS 2.28 (Debian 12) and 3.x differ, in one
 * header, so that the rest of certpath has no version #if at all.
 *
 * Every wrapper keeps the 3.x calling convention (output buffer sizes are always passed) and
 * returns the mbedTLS error code unchanged; callers turn it into a CP_E_* with the text of
 * mbedtls_strerror(). Compiled and tested with 2.28 (Debian 12) and 3.6 (Debian 13).
 */
#ifndef CP_MBEDTLS_COMPAT_H
#define CP_MBEDTLS_COMPAT_H

#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <mbedtls/build_info.h> /* 3.x: the configuration comes through build_info.h */
#elif defined(MBEDTLS_CONFIG_FILE)
#include MBEDTLS_CONFIG_FILE
#else
#include <mbedtls/config.h>
#endif

#include <mbedtls/asn1write.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif
#if defined(MBEDTLS_SSL_TLS_C)
#include <mbedtls/ssl.h>
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if MBEDTLS_VERSION_NUMBER < 0x021C0000
#error "certpath needs mbedTLS 2.28 or 3.x"
#endif

/* What minting needs from the library's configuration; all of it is on by default. */
#if !defined(MBEDTLS_X509_CRT_WRITE_C) || !defined(MBEDTLS_PK_WRITE_C) ||                          \
    !defined(MBEDTLS_PEM_WRITE_C) || !defined(MBEDTLS_HMAC_DRBG_C) || !defined(MBEDTLS_ECDSA_C) || \
    !defined(MBEDTLS_ECP_DP_SECP256R1_ENABLED) || !defined(MBEDTLS_GENPRIME) ||                    \
    !defined(MBEDTLS_PK_RSA_ALT_SUPPORT)
#error "certpath needs an mbedTLS built with X509_CRT_WRITE, PK_WRITE, PEM_WRITE, HMAC_DRBG, \
ECDSA, SECP256R1, GENPRIME and PK_RSA_ALT_SUPPORT (the default configuration has them all)"
#endif
#if !defined(MBEDTLS_SHA1_C) && !defined(MBEDTLS_MD_CAN_SHA1)
#error "certpath needs SHA-1 in mbedTLS: the suite mints SHA-1 signatures on purpose"
#endif
#if defined(MBEDTLS_PK_USE_PSA_EC_DATA)
/* 3.6 with MBEDTLS_USE_PSA_CRYPTO keeps EC keys inside PSA; mbedtls_pk_ec() is then gone. */
#error "certpath needs mbedTLS without MBEDTLS_USE_PSA_CRYPTO (EC keys as mbedtls_ecp_keypair)"
#endif

/* 3.x makes struct members private; MBEDTLS_PRIVATE(m) names them. 2.28 has no such macro. */
#if !defined(MBEDTLS_PRIVATE)
#define MBEDTLS_PRIVATE(member) member
#endif

/* Whether the library checks a certificate's keyUsage and extendedKeyUsage: options in 2.28
 * (on by default), always built in since 3.0, which removed the two options. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 || defined(MBEDTLS_X509_CHECK_KEY_USAGE)
#define CP_MBEDTLS_CHECKS_KEY_USAGE 1
#endif
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 || defined(MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE)
#define CP_MBEDTLS_CHECKS_EXT_KEY_USAGE 1
#endif

/* A distinguished name's DER (a directoryName in a GeneralName): 3.x still exports the writer
 * from libmbedx509 but declares it only in its private library/x509_internal.h, with the
 * signature 2.28's x509.h gives. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
int mbedtls_x509_write_names(unsigned char **p, unsigned char *start,
                             mbedtls_asn1_named_data *first);
#endif

/* The `mode` parameter that 3.0 removed from the RSA-alt callbacks. Use it in the parameter
 * list of a callback: `int f(void *ctx, CP_MBEDTLS_RSA_ALT_MODE size_t *olen, ...)`. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CP_MBEDTLS_RSA_ALT_MODE
#else
#define CP_MBEDTLS_RSA_ALT_MODE __attribute__((unused)) int mode,
#endif

/* Characters of a distinguished-name value that mbedtls_x509_string_to_names() needs escaped
 * with a backslash, and those it cannot take at all (2.28 accepts only "\,"). */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CP_MBEDTLS_DN_ESCAPE ",=+<>#;\"\\"
#define CP_MBEDTLS_DN_UNWRITABLE ""
#else
#define CP_MBEDTLS_DN_ESCAPE ","
#define CP_MBEDTLS_DN_UNWRITABLE "\\"
#endif

/* Library-wide set-up: 3.x routes some operations through PSA, which must be initialised. */
static inline int cp_mbedtls_init(void)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
    return psa_crypto_init() == PSA_SUCCESS ? 0 : MBEDTLS_ERR_PK_BAD_INPUT_DATA;
#else
    return 0;
#endif
}

/* The certificate's serial number from a 64-bit value (3.4 replaced the MPI setter by a raw
 * big-endian one). */
static inline int cp_mbedtls_crt_set_serial(mbedtls_x509write_cert *crt, uint64_t serial)
{
    unsigned char be[8];
    size_t skip = 0;
    for (int i = 0; i < 8; i++)
        be[i] = (unsigned char)(serial >> (56 - 8 * i));
    while (skip < 7 && be[skip] == 0)
        skip++;
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
    return mbedtls_x509write_crt_set_serial_raw(crt, be + skip, 8 - skip);
#else
    mbedtls_mpi mpi;
    mbedtls_mpi_init(&mpi);
    int ret = mbedtls_mpi_read_binary(&mpi, be + skip, 8 - skip);
    if (!ret)
        ret = mbedtls_x509write_crt_set_serial(crt, &mpi);
    mbedtls_mpi_free(&mpi);
    return ret;
#endif
}

/* Drops every extension set on the writer, so one writer serves many certificates. */
static inline void cp_mbedtls_crt_clear_extensions(mbedtls_x509write_cert *crt)
{
    mbedtls_asn1_free_named_data_list(&crt->MBEDTLS_PRIVATE(extensions));
}

/* mbedtls_pk_sign(); 3.0 added the signature buffer's size. */
static inline int cp_mbedtls_pk_sign(mbedtls_pk_context *pk, mbedtls_md_type_t md,
                                     const unsigned char *hash, size_t hash_len, unsigned char *sig,
                                     size_t sig_size, size_t *sig_len,
                                     int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    return mbedtls_pk_sign(pk, md, hash, hash_len, sig, sig_size, sig_len, f_rng, p_rng);
#else
    if (sig_size < MBEDTLS_PK_SIGNATURE_MAX_SIZE) /* 2.28 assumes the maximum */
        return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    return mbedtls_pk_sign(pk, md, hash, hash_len, sig, sig_len, f_rng, p_rng);
#endif
}

/* ECDSA straight on a key pair (DER Ecdsa-Sig-Value); 3.0 added the buffer's size. Faster
 * than mbedtls_pk_sign() in 2.28, which copies the curve (and recomputes its tables) per call;
 * the key pair keeps them, so calls on one key must not overlap. */
static inline int cp_mbedtls_ecdsa_sign(mbedtls_ecp_keypair *key, mbedtls_md_type_t md,
                                        const unsigned char *hash, size_t hash_len,
                                        unsigned char *sig, size_t sig_size, size_t *sig_len,
                                        int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    return mbedtls_ecdsa_write_signature(key, md, hash, hash_len, sig, sig_size, sig_len, f_rng,
                                         p_rng);
#else
    if (sig_size < MBEDTLS_ECDSA_MAX_LEN) /* 2.28 assumes the maximum */
        return MBEDTLS_ERR_ECP_BUFFER_TOO_SMALL;
    return mbedtls_ecdsa_write_signature(key, md, hash, hash_len, sig, sig_len, f_rng, p_rng);
#endif
}

/* mbedtls_pk_parse_key(); 3.0 added an RNG (for blinding) that 2.28 does not take. */
static inline int cp_mbedtls_pk_parse_key(mbedtls_pk_context *pk, const unsigned char *key,
                                          size_t key_len,
                                          int (*f_rng)(void *, unsigned char *, size_t),
                                          void *p_rng)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    return mbedtls_pk_parse_key(pk, key, key_len, NULL, 0, f_rng, p_rng);
#else
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_parse_key(pk, key, key_len, NULL, 0);
#endif
}

#if defined(MBEDTLS_SSL_TLS_C)
/* TLS 1.2 as the lowest version a configuration negotiates (3.0 replaced the major/minor pair by
 * one version number); the highest stays the library's own (1.3 where it is built in). */
static inline void cp_mbedtls_ssl_conf_min_tls12(mbedtls_ssl_config *conf)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
}

/* Pins the versions a configuration negotiates to TLS 1.2 (tls13 false) or TLS 1.3 (true; only
 * where the library has it, MBEDTLS_SSL_PROTO_TLS1_3). */
static inline void cp_mbedtls_ssl_conf_pin_tls(mbedtls_ssl_config *conf, bool tls13)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_ssl_protocol_version v =
        tls13 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2;
    mbedtls_ssl_conf_min_tls_version(conf, v);
    mbedtls_ssl_conf_max_tls_version(conf, v);
#else
    (void)tls13; /* 2.28 has no TLS 1.3 */
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
}

/* The handshake state (mbedtls_ssl_states) a context is in: 3.0 made the field private. */
static inline int cp_mbedtls_ssl_state(const mbedtls_ssl_context *ssl)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    return ssl->MBEDTLS_PRIVATE(state);
#else
    return ssl->state;
#endif
}

/* The (EC)DHE groups a server prefers, fastest first: X25519, then the NIST curves by size.
 * mbedTLS 2.28's default order puts secp521r1 first and a server picks by its own order, which
 * makes every handshake pay for P-521 (3.0 replaced the curve list by TLS group ids). */
static inline void cp_mbedtls_ssl_conf_fast_groups(mbedtls_ssl_config *conf)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    static const uint16_t groups[] = {
#if defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED)
        MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
#endif
        MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
        MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
        MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1,
        MBEDTLS_SSL_IANA_TLS_GROUP_NONE
    };
    mbedtls_ssl_conf_groups(conf, groups);
#else
    static const mbedtls_ecp_group_id groups[] = {
#if defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED)
        MBEDTLS_ECP_DP_CURVE25519,
#endif
#if defined(MBEDTLS_ECP_DP_SECP256R1_ENABLED)
        MBEDTLS_ECP_DP_SECP256R1,
#endif
#if defined(MBEDTLS_ECP_DP_SECP384R1_ENABLED)
        MBEDTLS_ECP_DP_SECP384R1,
#endif
#if defined(MBEDTLS_ECP_DP_SECP521R1_ENABLED)
        MBEDTLS_ECP_DP_SECP521R1,
#endif
        MBEDTLS_ECP_DP_NONE
    };
    mbedtls_ssl_conf_curves(conf, groups);
#endif
}

/* The bytes a server's Certificate message takes for certificates of these sizes, and the most
 * mbedTLS can send: it writes the whole message into one output record of
 * MBEDTLS_SSL_OUT_CONTENT_LEN bytes and never splits a TLS handshake message over records. TLS
 * 1.2: a 4-byte header, a 3-byte list length, a 3-byte length per certificate; TLS 1.3 adds a
 * 1-byte request context and 2 bytes of (empty) extensions per certificate, so where 1.3 is
 * built in, its larger size is the one that must fit. */
static inline size_t cp_mbedtls_certificate_msg_len(const size_t *lens, int n)
{
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    size_t total = 4 + 1 + 3, per = 3 + 2;
#else
    size_t total = 4 + 3, per = 3;
#endif
    for (int i = 0; i < n; i++)
        total += per + lens[i];
    return total;
}
#define CP_MBEDTLS_CERTIFICATE_MSG_MAX ((size_t)MBEDTLS_SSL_OUT_CONTENT_LEN)

/* Two handshake failures the built-in server names: a Certificate message larger than one
 * output record, and no cipher suite it can use (a client that sent no SNI gets no certificate).
 * 3.0 folded both into general codes. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CP_MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL
#define CP_MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE
#else
#define CP_MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE
#define CP_MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN
#endif

/* What a TLS client returns when the server's certificate fails its own checks after the chain
 * verified (key usage, extended key usage, EC curve): 3.0 renamed the code. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CP_MBEDTLS_ERR_SSL_BAD_CERTIFICATE MBEDTLS_ERR_SSL_BAD_CERTIFICATE
#else
#define CP_MBEDTLS_ERR_SSL_BAD_CERTIFICATE MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE
#endif
#endif

#endif
