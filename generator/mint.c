/*
 * mint.c - turns a finalised graph into DER certificates with mbedTLS.
 *
 * Keys come from the per-seed pool of keypool.c, with their key identifiers precomputed.
 *
 * Who writes what. mbedTLS's certificate writer builds the TBSCertificate: version, serial,
 * names, validity, subjectPublicKeyInfo and the extensions, all of which we hand it as raw DER
 * (mbedtls_x509write_crt_set_extension) so that presence, values and criticality follow the
 * model exactly. The signature we make ourselves, because the writer's own would be wrong for
 * a conformance suite: mbedTLS 2.28 writes ecdsa-with-SHA256 with NULL parameters (RFC 5758
 * 3.2 says absent; strict verifiers reject it), and the suite needs algorithms no library
 * signs with (ML-DSA-65 here, on a classical signature) and deliberately broken signatures.
 * So the writer signs with a stand-in key that costs nothing (an RSA-alt key whose callback
 * writes one byte); we take its TBSCertificate, put in the right AlgorithmIdentifier (and drop
 * an empty extensions field, which RFC 5280 forbids and 2.28 writes for a v3 certificate
 * without extensions), sign that with the issuer's key, and assemble the certificate.
 *
 * Determinism. The signing DRBG of a graph is seeded from SHA-256("certpath-mint", seed, graph
 * tag) and re-seeded per certificate with its index, so a certificate's bytes depend only on
 * the model, the seed and the validation time: not on threads, nor on the order in which other
 * graphs used a key (RSA blinding draws from the DRBG only on a key's first use). ECDSA is
 * RFC 6979 deterministic in mbedTLS's default configuration anyway.
 *
 * Thread safety. cp_mint_graph() may run on many graphs at once with one pool: each call has
 * its own writer and DRBG; private-key operations on one pool key are serialised by the key's
 * lock (mbedTLS caches curve tables and RSA blinding values in the key).
 */
#include "cp_generator_internal.h"
#include "cp_mbedtls_compat.h"
#include "cp_mint_internal.h"

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/error.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One certificate's DER: the largest (RSA-2048 key and signature, 8 SAN names and 8 name
 * constraints of 63 characters) is under 2.5 KiB. */
#define CP_CERT_DER_MAX 4096
/* One extension's value: a full SAN (8 x 63 characters) is about 530 bytes. */
#define CP_EXT_MAX 1024
/* A subject DN string: 4 attributes, a label of up to 47 characters, each possibly escaped. */
#define CP_DN_MAX 256

/* ---- AlgorithmIdentifiers and OIDs, as complete DER ---- */

/* ecdsa-with-SHA256 (1.2.840.10045.4.3.2) and ecdsa-with-SHA1 (1.2.840.10045.4.1): RFC 5758
 * 3.2 and RFC 3279 2.2.3 say the parameters field is absent. */
static const unsigned char alg_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const unsigned char alg_ecdsa_sha1[] = {0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
                                               0x48, 0xce, 0x3d, 0x04, 0x01};
/* sha256WithRSAEncryption (1.2.840.113549.1.1.11), sha1WithRSAEncryption (.5): NULL params. */
static const unsigned char alg_rsa_sha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                               0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const unsigned char alg_rsa_sha1[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                             0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
/* id-ml-dsa-65 (2.16.840.1.101.3.4.3.18), no parameters: a real algorithm that the clients
 * under test do not implement, so the signature cannot be checked. */
static const unsigned char alg_ml_dsa_65[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                              0x01, 0x65, 0x03, 0x04, 0x03, 0x12};

/* 2.25.1869504340: under the UUID arc (X.667), whose numbers no one registers, so no client
 * can know the extension. The number is small on purpose: GnuTLS and Botan 2 refuse OIDs with
 * components past 64 bits and would reject the whole certificate as unparsable, hiding the
 * behaviour under test (what a client does with an unknown critical extension). Content bytes
 * only, as mbedtls_x509write_crt_set_extension() takes them. */
static const unsigned char oid_unknown_ext[] = {0x69, 0x86, 0xfb, 0xb9, 0xbe, 0x54};

#define OID_ARGS(oid) oid, MBEDTLS_OID_SIZE(oid)

/* Extended key usages in OID order, with their model bits. */
static const struct {
    unsigned bit;
    const char *oid;
    size_t len;
} eku_oids[] = {
    {CP_EKU_SERVER_AUTH, OID_ARGS(MBEDTLS_OID_SERVER_AUTH)},
    {CP_EKU_CLIENT_AUTH, OID_ARGS(MBEDTLS_OID_CLIENT_AUTH)},
    {CP_EKU_CODE_SIGNING, OID_ARGS(MBEDTLS_OID_CODE_SIGNING)},
    {CP_EKU_EMAIL, OID_ARGS(MBEDTLS_OID_EMAIL_PROTECTION)},
    {CP_EKU_ANY, OID_ARGS(MBEDTLS_OID_ANY_EXTENDED_KEY_USAGE)},
};
#define CP_EKU_KNOWN                                                                               \
    (CP_EKU_SERVER_AUTH | CP_EKU_CLIENT_AUTH | CP_EKU_CODE_SIGNING | CP_EKU_EMAIL | CP_EKU_ANY)

/* ---- small helpers ---- */
/* ---- DER headers ---- */

/* DER tag and definite length written forward; returns the header's size. Lengths here stay
 * below CP_CERT_DER_MAX, so two length bytes are always enough. */
static size_t der_header_len(size_t len)
{
    return len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
}

static size_t der_header(unsigned char *out, unsigned char tag, size_t len)
{
    out[0] = tag;
    if (len < 0x80) {
        out[1] = (unsigned char)len;
        return 2;
    }
    if (len < 0x100) {
        out[1] = 0x81;
        out[2] = (unsigned char)len;
        return 3;
    }
    out[1] = 0x82;
    out[2] = (unsigned char)(len >> 8);
    out[3] = (unsigned char)len;
    return 4;
}

/* ---- minted certificates ---- */

void cp_minted_init(struct cp_minted *mt)
{
    memset(mt, 0, sizeof(*mt));
}

void cp_minted_free(struct cp_minted *mt)
{
    if (!mt)
        return;
    for (int i = 0; i < mt->n && mt->der; i++)
        free(mt->der[i]);
    free(mt->der);
    free(mt->len);
    cp_minted_init(mt);
}

/* ---- minting one graph ---- */

/* The state of one cp_mint_graph() call: one writer and scratch space for all its
 * certificates (heap-allocated: about 11 KiB). */
struct mint {
    const struct cp_keypool *kp;
    const struct cp_graph *g;
    uint64_t seed;
    int64_t vtime;
    const struct cp_cert *cert; /* the certificate being minted */
    const unsigned char *ski;   /* its key identifiers; NULL: extension left out */
    const unsigned char *aki;
    unsigned char graph_seed[32];
    mbedtls_x509write_cert crt;
    mbedtls_hmac_drbg_context drbg; /* this certificate's */
    unsigned char ext[CP_EXT_MAX];
    unsigned char raw[CP_CERT_DER_MAX]; /* the writer's certificate, at the end */
    unsigned char tbs[CP_CERT_DER_MAX]; /* our TBSCertificate */
    unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
};

static int cert_error(const struct mint *m, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cert_error(const struct mint *m, int rc, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return cp_error_set(rc, "graph %s (%s): minting %s: %s", m->g->tag, m->g->name, m->cert->label,
                        what);
}

static int cert_crypto(const struct mint *m, const char *step, int ret)
{
    char text[CP_ERR_TEXT_MAX + 16];
    cp_mint_crypto_text(ret, text, sizeof(text));
    return cert_error(m, cp_mint_crypto_code(ret), "%s: %s", step, text);
}

static bool host_ok(const char *s)
{
    const char *nul = memchr(s, '\0', CP_HOST_MAX);
    if (!nul || nul == s)
        return false;
    for (; *s; s++) {
        if (*s < 0x21 || *s > 0x7e) /* IA5String, and no spaces in DNS names */
            return false;
    }
    return true;
}

/* The model's promises that minting relies on; a broken one is named, never written. */
static int check_cert(const struct mint *m)
{
    const struct cp_cert *c = m->cert;
    const struct cp_graph *g = m->g;
    if (c->issuer < 0 || c->issuer >= g->nentities || c->subject < 0 || c->subject >= g->nentities)
        return cert_error(m, CP_E_ARG, "issuer %d or subject %d is no entity", c->issuer,
                          c->subject);
    for (int e = 0; e < 2; e++) {
        int name_of = g->entities[e ? c->issuer : c->subject].name_of;
        if (name_of < 0 || name_of >= g->nentities)
            return cert_error(m, CP_E_ARG, "an entity takes its name from entity %d", name_of);
    }
    if (c->version != 1 && c->version != 3)
        return cert_error(m, CP_E_ARG, "version %d (1 or 3 allowed)", c->version);
    if (c->serial == 0)
        return cert_error(m, CP_E_ARG, "serial number 0; is the model finalised?");
    if ((unsigned)c->bc > CP_BC_ABSENT || (unsigned)c->sig_alg > CP_SIG_UNKNOWN ||
        (unsigned)c->aki > CP_KID_MISLEADING || (unsigned)c->ski > CP_KID_MISLEADING)
        return cert_error(m, CP_E_ARG, "an attribute is out of its enumeration");
    if (c->key_usage & ~0xffu)
        return cert_error(m, CP_E_ARG, "key usage 0x%x has bits beyond cRLSign", c->key_usage);
    if (c->eku & ~(unsigned)CP_EKU_KNOWN)
        return cert_error(m, CP_E_ARG, "unknown extended key usage bits 0x%x", c->eku);
    if ((c->aki == CP_KID_MISLEADING || c->ski == CP_KID_MISLEADING) &&
        (c->kid_entity < 0 || c->kid_entity >= g->nentities))
        return cert_error(m, CP_E_ARG, "misleading key identifier names entity %d", c->kid_entity);
    if (c->nsan < 0 || c->nsan > CP_MAX_SAN || c->npermitted < 0 || c->npermitted > CP_MAX_NC ||
        c->nexcluded < 0 || c->nexcluded > CP_MAX_NC)
        return cert_error(m, CP_E_ARG, "SAN or name constraint count out of range");
    if (c->gn.nsan < 0 || c->gn.nsan > CP_MAX_GN || c->gn.npermitted < 0 ||
        c->gn.npermitted > CP_MAX_GN || c->gn.nexcluded < 0 || c->gn.nexcluded > CP_MAX_GN ||
        (unsigned)c->gn.cn > CP_CN_TEXT || (unsigned)c->gn.nc_form > CP_NC_FORM_LAST)
        return cert_error(m, CP_E_ARG, "general name count or CN choice out of range");
    for (int i = 0; i < c->nsan; i++) {
        if (!host_ok(c->san[i]))
            return cert_error(m, CP_E_ARG, "SAN name %d is not a printable DNS name", i);
    }
    for (int i = 0; i < c->npermitted + c->nexcluded; i++) {
        if (!host_ok(i < c->npermitted ? c->nc_permitted[i] : c->nc_excluded[i - c->npermitted]))
            return cert_error(m, CP_E_ARG, "name constraint %d is not a printable DNS name", i);
    }
    return 0;
}

static int cert_key(const struct mint *m, int entity, struct cp_pool_key **out)
{
    char msg[512];
    int rc = cp_keypool_key(m->kp, &m->g->entities[entity], out);
    if (!rc)
        return 0;
    snprintf(msg, sizeof(msg), "%s", cp_error_msg(rc)); /* cp_error_set() overwrites it */
    return cert_error(m, rc, "%s", msg);
}

/* "YYYYMMDDhhmmss" (UTC) of vtime + offset, as the writer takes it. */
static int validity_time(const struct mint *m, int64_t offset, char out[16])
{
    int64_t t;
    time_t tt;
    struct tm tm;
    if (__builtin_add_overflow(m->vtime, offset, &t) || (tt = (time_t)t) != t ||
        !gmtime_r(&tt, &tm))
        return cert_error(m, CP_E_ARG, "validity time %" PRId64 " %+" PRId64 " is out of range",
                          m->vtime, offset);
    /* The writer encodes years from 2050 as GeneralizedTime, as RFC 5280 wants, but also
     * those before 2000, where RFC 5280 wants UTCTime: keep to what it gets right. */
    if (tm.tm_year + 1900 < 2000 || tm.tm_year + 1900 > 9999)
        return cert_error(m, CP_E_ARG, "validity year %d is outside 2000-9999", tm.tm_year + 1900);
    if (snprintf(out, 16, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec) != 14)
        return cert_error(m, CP_E_INTERNAL, "formatting a validity time failed");
    return 0;
}

/* Appends text to a DN string, escaped the way mbedtls_x509_string_to_names() reads it. */
static int dn_escape(const struct mint *m, const char *text, char *out, size_t cap, size_t *n)
{
    for (const char *s = text; *s; s++) {
        if ((unsigned char)*s < 0x20 || strchr(CP_MBEDTLS_DN_UNWRITABLE, *s))
            return cert_error(m, CP_E_ARG, "\"%s\" cannot go into a DN", text);
        if (*n + 3 > cap)
            return cert_error(m, CP_E_LIMIT, "\"%s\" is too long for a DN", text);
        if (strchr(CP_MBEDTLS_DN_ESCAPE, *s))
            out[(*n)++] = '\\';
        out[(*n)++] = *s;
    }
    out[*n] = '\0';
    return 0;
}

/* CN=<label of name_of>,OU=<graph tag>,O=certpath,serialNumber=<seed in hex>. For the subject
 * (gn set), the certificate's CN choice and emailAddress apply (the oracle reads the same). */
static int entity_dn(const struct mint *m, int entity, const struct cp_names *gn, char *out,
                     size_t cap)
{
    const char *label = m->g->entities[m->g->entities[entity].name_of].label;
    char cn[2 * CP_HOST_MAX], email[2 * CP_GN_VALUE_MAX];
    size_t n = 0, ne = 0;
    int rc, w;
    cn[0] = email[0] = '\0';
    if ((!gn || gn->cn != CP_CN_NONE) &&
        (rc = dn_escape(m, gn && gn->cn == CP_CN_TEXT ? gn->cn_text : label, cn, sizeof(cn), &n)))
        return rc;
    if (gn && gn->email[0] && (rc = dn_escape(m, gn->email, email, sizeof(email), &ne)))
        return rc;
    w = snprintf(out, cap, "%s%s%sOU=%s,O=certpath,serialNumber=%016" PRIx64 "%s%s", n ? "CN=" : "",
                 cn, n ? "," : "", m->g->tag, m->seed, ne ? ",emailAddress=" : "", email);
    if (w < 0 || (size_t)w >= cap)
        return cert_error(m, CP_E_LIMIT, "the DN of %s is too long", label);
    return 0;
}

/* ---- extensions: each value is written backwards into m->ext, then handed to the writer ---- */

#define EXT_END(m) ((m)->ext + sizeof((m)->ext))

static int put_ext(struct mint *m, const char *oid, size_t oid_len, bool critical,
                   const unsigned char *p)
{
    return mbedtls_x509write_crt_set_extension(&m->crt, oid, oid_len, critical, p,
                                               (size_t)(EXT_END(m) - p));
}

/* Prepends tag and length to the *len bytes at *p. */
static int wrap(struct mint *m, unsigned char **p, size_t *len, unsigned char tag)
{
    int ret;
    MBEDTLS_ASN1_CHK_ADD(*len, mbedtls_asn1_write_len(p, m->ext, *len));
    MBEDTLS_ASN1_CHK_ADD(*len, mbedtls_asn1_write_tag(p, m->ext, tag));
    return 0;
}

#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define CTX_PRIM(n) (MBEDTLS_ASN1_CONTEXT_SPECIFIC | (n))
#define CTX_CONS(n) (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | (n))

/* basicConstraints, critical: SEQUENCE { cA TRUE, pathLen } or, for cA=FALSE, SEQUENCE {}
 * (DER leaves out a DEFAULT FALSE). */
static int ext_basic_constraints(struct mint *m)
{
    const struct cp_cert *c = m->cert;
    unsigned char *p = EXT_END(m);
    size_t len = 0;
    int ret;
    if (c->bc == CP_BC_ABSENT)
        return 0;
    if (c->bc == CP_BC_CA) {
        if (c->path_len >= 0)
            MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_int(&p, m->ext, c->path_len));
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_bool(&p, m->ext, 1));
    }
    if ((ret = wrap(m, &p, &len, SEQ)))
        return ret;
    return put_ext(m, OID_ARGS(MBEDTLS_OID_BASIC_CONSTRAINTS), true, p);
}

/* keyUsage, critical: a BIT STRING in RFC 5280 bit order (our bits are already laid out as the
 * first content byte), with trailing zero bits dropped as DER requires. */
static int ext_key_usage(struct mint *m)
{
    unsigned char bits[2];
    unsigned char *p = EXT_END(m);
    size_t len = 0;
    int ret;
    if (!m->cert->key_usage)
        return 0;
    bits[1] = (unsigned char)m->cert->key_usage;
    bits[0] = (unsigned char)__builtin_ctz(bits[1]); /* unused bits */
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(&p, m->ext, bits, sizeof(bits)));
    if ((ret = wrap(m, &p, &len, MBEDTLS_ASN1_BIT_STRING)))
        return ret;
    return put_ext(m, OID_ARGS(MBEDTLS_OID_KEY_USAGE), true, p);
}

/* extendedKeyUsage, non-critical: SEQUENCE OF KeyPurposeId. */
static int ext_eku(struct mint *m)
{
    unsigned char *p = EXT_END(m);
    size_t len = 0;
    int ret;
    if (!m->cert->eku)
        return 0;
    for (int i = (int)CP_ARRAY_LEN(eku_oids) - 1; i >= 0; i--) {
        if (m->cert->eku & eku_oids[i].bit)
            MBEDTLS_ASN1_CHK_ADD(
                len, mbedtls_asn1_write_oid(&p, m->ext, eku_oids[i].oid, eku_oids[i].len));
    }
    if ((ret = wrap(m, &p, &len, SEQ)))
        return ret;
    return put_ext(m, OID_ARGS(MBEDTLS_OID_EXTENDED_KEY_USAGE), false, p);
}

/* The fields after a GeneralSubtree's base, written backwards before it: nothing in DER, or
 * the minimum or maximum of the model's malformed forms (RFC 5280 4.2.1.10 fixes minimum at
 * its default 0, which DER leaves out, and maximum absent). *len counts them apart from the
 * base, whose own length must not include them: the caller adds them inside the SEQUENCE. */
static int subtree_extras(struct mint *m, unsigned char **p, size_t *len)
{
    enum cp_nc_form form = m->cert->gn.nc_form;
    size_t one = 0;
    int ret;
    if (form != CP_NC_MINIMUM && form != CP_NC_MAXIMUM)
        return 0;
    MBEDTLS_ASN1_CHK_ADD(one, mbedtls_asn1_write_int(p, m->ext, form == CP_NC_MINIMUM ? 1 : 2));
    /* BaseDistance is an INTEGER under an implicit context tag: replace its tag. */
    **p = form == CP_NC_MINIMUM ? CTX_PRIM(0) : CTX_PRIM(1);
    *len += one;
    return 0;
}

/* Writes n dNSName GeneralNames, each optionally wrapped in a GeneralSubtree SEQUENCE. */
static int write_dns_names(struct mint *m, unsigned char **p, size_t *len,
                           const char (*names)[CP_HOST_MAX], int n, bool subtree)
{
    int ret;
    for (int i = n - 1; i >= 0; i--) {
        size_t one = 0, extras = 0;
        if (subtree && (ret = subtree_extras(m, p, &extras)))
            return ret;
        MBEDTLS_ASN1_CHK_ADD(one, mbedtls_asn1_write_raw_buffer(p, m->ext,
                                                                (const unsigned char *)names[i],
                                                                strlen(names[i])));
        if ((ret = wrap(m, p, &one, CTX_PRIM(2))))
            return ret;
        one += extras;
        if (subtree && (ret = wrap(m, p, &one, SEQ)))
            return ret;
        *len += one;
    }
    return 0;
}

/* Writes one GeneralName of the model at *p (backwards), optionally wrapped in a
 * GeneralSubtree SEQUENCE; a RAW entry goes out as its identifier octet and bytes. */
static int write_gname(struct mint *m, unsigned char **p, size_t *len, const struct cp_gname *e,
                       bool subtree)
{
    static const unsigned char tags[] = {[CP_GN_DNS] = CTX_PRIM(2),
                                         [CP_GN_IP] = CTX_PRIM(7),
                                         [CP_GN_EMAIL] = CTX_PRIM(1),
                                         [CP_GN_URI] = CTX_PRIM(6),
                                         [CP_GN_DIR] = CTX_CONS(4)};
    size_t one = 0, extras = 0;
    int ret;
    if (e->len < 0 || e->len > CP_GN_VALUE_MAX)
        return MBEDTLS_ERR_ASN1_INVALID_LENGTH;
    if (subtree && (ret = subtree_extras(m, p, &extras)))
        return ret;
    if (e->type == CP_GN_DIR) {
        mbedtls_asn1_named_data *dn = NULL;
        if ((ret = mbedtls_x509_string_to_names(&dn, e->value)) == 0)
            ret = mbedtls_x509_write_names(p, m->ext, dn);
        mbedtls_asn1_free_named_data_list(&dn);
        if (ret < 0)
            return ret;
        one += (size_t)ret;
    } else {
        MBEDTLS_ASN1_CHK_ADD(one, mbedtls_asn1_write_raw_buffer(
                                      p, m->ext, (const unsigned char *)e->value, (size_t)e->len));
    }
    if ((ret = wrap(m, p, &one, e->type == CP_GN_RAW ? e->tag : tags[e->type])))
        return ret;
    one += extras;
    if (subtree && (ret = wrap(m, p, &one, SEQ)))
        return ret;
    *len += one;
    return 0;
}

static int write_gnames(struct mint *m, unsigned char **p, size_t *len, const struct cp_gname *e,
                        int n, bool subtree)
{
    int ret;
    for (int i = n - 1; i >= 0; i--) {
        if ((ret = write_gname(m, p, len, &e[i], subtree)))
            return ret;
    }
    return 0;
}

/* subjectAltName, non-critical: the dNSNames of the model, then its other GeneralNames. */
static int ext_san(struct mint *m)
{
    unsigned char *p = EXT_END(m);
    size_t len = 0;
    int ret;
    if (m->cert->nsan == 0 && m->cert->gn.nsan == 0)
        return 0;
    if ((ret = write_gnames(m, &p, &len, m->cert->gn.san, m->cert->gn.nsan, false)) ||
        (ret = write_dns_names(m, &p, &len, m->cert->san, m->cert->nsan, false)) ||
        (ret = wrap(m, &p, &len, SEQ)))
        return ret;
    return put_ext(m, OID_ARGS(MBEDTLS_OID_SUBJECT_ALT_NAME), false, p);
}

/* nameConstraints: SEQUENCE { permittedSubtrees [0], excludedSubtrees [1] }, dNSName bases
 * first, then the model's other GeneralName bases;
 * critical as RFC 5280 requires unless the model asks otherwise. */
static int ext_name_constraints(struct mint *m)
{
    const struct cp_cert *c = m->cert;
    unsigned char *p = EXT_END(m);
    size_t len = 0, part;
    int ret;
    if (c->npermitted == 0 && c->nexcluded == 0 && c->gn.npermitted == 0 && c->gn.nexcluded == 0 &&
        c->gn.nc_form != CP_NC_EMPTY)
        return 0;
    if (c->nexcluded || c->gn.nexcluded) {
        part = 0;
        if ((ret = write_gnames(m, &p, &part, c->gn.excluded, c->gn.nexcluded, true)) ||
            (ret = write_dns_names(m, &p, &part, c->nc_excluded, c->nexcluded, true)) ||
            (ret = wrap(m, &p, &part, CTX_CONS(1))))
            return ret;
        len += part;
    }
    if (c->npermitted || c->gn.npermitted || c->gn.nc_form == CP_NC_EMPTY_PERMITTED) {
        part = 0;
        if ((ret = write_gnames(m, &p, &part, c->gn.permitted, c->gn.npermitted, true)) ||
            (ret = write_dns_names(m, &p, &part, c->nc_permitted, c->npermitted, true)) ||
            (ret = wrap(m, &p, &part, CTX_CONS(0))))
            return ret;
        len += part;
    }
    if ((ret = wrap(m, &p, &len, SEQ)))
        return ret;
    return put_ext(m, OID_ARGS(MBEDTLS_OID_NAME_CONSTRAINTS), !c->nc_noncritical, p);
}

/* subjectKeyIdentifier, non-critical: an OCTET STRING. */
static int ext_ski(struct mint *m)
{
    unsigned char *p = EXT_END(m);
    size_t len = 0;
    int ret;
    if (!m->ski)
        return 0;
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_octet_string(&p, m->ext, m->ski, CP_KID_LEN));
    return put_ext(m, OID_ARGS(MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER), false, p);
}

/* authorityKeyIdentifier, non-critical: SEQUENCE { keyIdentifier [0] }. */
static int ext_aki(struct mint *m)
{
    unsigned char *p = EXT_END(m);
    size_t len = 0;
    int ret;
    if (!m->aki)
        return 0;
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(&p, m->ext, m->aki, CP_KID_LEN));
    if ((ret = wrap(m, &p, &len, CTX_PRIM(0))) || (ret = wrap(m, &p, &len, SEQ)))
        return ret;
    return put_ext(m, OID_ARGS(MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER), false, p);
}

/* An unregistered extension, critical, whose value is an empty SEQUENCE. */
static int ext_unknown_critical(struct mint *m)
{
    static const unsigned char empty_seq[] = {0x30, 0x00};
    if (!m->cert->unknown_critical_ext)
        return 0;
    return mbedtls_x509write_crt_set_extension(&m->crt, (const char *)oid_unknown_ext,
                                               sizeof(oid_unknown_ext), 1, empty_seq,
                                               sizeof(empty_seq));
}

static int set_extensions(struct mint *m)
{
    /* The writer keeps extensions in the order they are set. */
    static const struct {
        const char *name;
        int (*add)(struct mint *m);
    } exts[] = {
        {"basicConstraints", ext_basic_constraints},
        {"keyUsage", ext_key_usage},
        {"extendedKeyUsage", ext_eku},
        {"subjectAltName", ext_san},
        {"nameConstraints", ext_name_constraints},
        {"subjectKeyIdentifier", ext_ski},
        {"authorityKeyIdentifier", ext_aki},
        {"unknown critical extension", ext_unknown_critical},
    };
    int ret;
    for (size_t i = 0; i < CP_ARRAY_LEN(exts); i++) {
        if ((ret = exts[i].add(m)))
            return cert_crypto(m, exts[i].name, ret);
    }
    return 0;
}

/* Version, serial, names, validity, keys and extensions of the current certificate. */
static int set_fields(struct mint *m, struct cp_pool_key *subject_key)
{
    const struct cp_cert *c = m->cert;
    char subject[CP_DN_MAX], issuer[CP_DN_MAX], not_before[16], not_after[16];
    int rc, ret;
    if ((rc = entity_dn(m, c->subject, &c->gn, subject, sizeof(subject))) ||
        (rc = entity_dn(m, c->issuer, NULL, issuer, sizeof(issuer))) ||
        (rc = validity_time(m, c->not_before, not_before)) ||
        (rc = validity_time(m, c->not_after, not_after)))
        return rc;
    cp_mbedtls_crt_clear_extensions(&m->crt);
    mbedtls_x509write_crt_set_version(&m->crt, c->version == 1 ? MBEDTLS_X509_CRT_VERSION_1
                                                               : MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_subject_key(&m->crt, &subject_key->pk);
    mbedtls_x509write_crt_set_issuer_key(&m->crt, &((struct cp_keypool *)m->kp)->stand_in);
    mbedtls_x509write_crt_set_md_alg(&m->crt, MBEDTLS_MD_SHA256);
    if ((ret = cp_mbedtls_crt_set_serial(&m->crt, c->serial)))
        return cert_crypto(m, "serial number", ret);
    if ((ret = mbedtls_x509write_crt_set_validity(&m->crt, not_before, not_after)))
        return cert_crypto(m, "validity", ret);
    if ((ret = mbedtls_x509write_crt_set_subject_name(&m->crt, subject)))
        return cert_crypto(m, "subject name", ret);
    if ((ret = mbedtls_x509write_crt_set_issuer_name(&m->crt, issuer)))
        return cert_crypto(m, "issuer name", ret);
    return c->version == 3 ? set_extensions(m) : 0;
}

struct span {
    const unsigned char *p;
    size_t len;
};

/* Splits the writer's certificate into the TBSCertificate parts we keep: head = version and
 * serialNumber, tail = issuer, validity, subject, subjectPublicKeyInfo and the extensions
 * unless they are empty. Its signature AlgorithmIdentifier and signature are dropped. */
static int split_tbs(unsigned char *der, size_t n, struct span *head, struct span *tail)
{
    unsigned char *p = der, *end = der + n, *tend;
    size_t len;
    int ret;
    if ((ret = mbedtls_asn1_get_tag(&p, end, &len, SEQ)) ||
        (ret = mbedtls_asn1_get_tag(&p, end, &len, SEQ)))
        return ret;
    tend = p + len;
    head->p = p;
    if (p < tend && *p == CTX_CONS(0)) {
        if ((ret = mbedtls_asn1_get_tag(&p, tend, &len, CTX_CONS(0))))
            return ret;
        p += len;
    }
    if ((ret = mbedtls_asn1_get_tag(&p, tend, &len, MBEDTLS_ASN1_INTEGER)))
        return ret;
    p += len;
    head->len = (size_t)(p - head->p);
    if ((ret = mbedtls_asn1_get_tag(&p, tend, &len, SEQ))) /* signature */
        return ret;
    p += len;
    tail->p = p;
    for (int i = 0; i < 4; i++) { /* issuer, validity, subject, subjectPublicKeyInfo */
        if ((ret = mbedtls_asn1_get_tag(&p, tend, &len, SEQ)))
            return ret;
        p += len;
    }
    tail->len = (size_t)(p - tail->p);
    if (p < tend) {
        unsigned char *ext_end;
        if ((ret = mbedtls_asn1_get_tag(&p, tend, &len, CTX_CONS(3))))
            return ret;
        ext_end = p + len;
        if ((ret = mbedtls_asn1_get_tag(&p, ext_end, &len, SEQ)))
            return ret;
        if (len > 0)
            tail->len = (size_t)(ext_end - tail->p);
        p = ext_end;
    }
    return p == tend ? 0 : MBEDTLS_ERR_ASN1_LENGTH_MISMATCH;
}

/* Signs m->tbs[0..tbs_len) with the issuer's key into m->sig. */
static int sign_tbs(struct mint *m, struct cp_pool_key *k, mbedtls_md_type_t md, size_t tbs_len,
                    size_t *sig_len)
{
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md);
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    int ret = mbedtls_md(info, m->tbs, tbs_len, hash);
    if (ret)
        return ret;
    pthread_mutex_lock(&k->lock);
    if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_ECKEY)
        ret =
            cp_mbedtls_ecdsa_sign(mbedtls_pk_ec(k->pk), md, hash, mbedtls_md_get_size(info), m->sig,
                                  sizeof(m->sig), sig_len, mbedtls_hmac_drbg_random, &m->drbg);
    else
        ret = cp_mbedtls_pk_sign(&k->pk, md, hash, mbedtls_md_get_size(info), m->sig,
                                 sizeof(m->sig), sig_len, mbedtls_hmac_drbg_random, &m->drbg);
    pthread_mutex_unlock(&k->lock);
    return ret;
}

/* The pool keys of the current certificate: issuer, subject, and those its key identifiers
 * name. */
static int cert_keys(struct mint *m, struct cp_pool_key **issuer, struct cp_pool_key **subject)
{
    const struct cp_cert *c = m->cert;
    struct cp_pool_key *k;
    int rc;
    m->ski = m->aki = NULL;
    if ((rc = cert_key(m, c->issuer, issuer)) || (rc = cert_key(m, c->subject, subject)))
        return rc;
    if (c->ski != CP_KID_ABSENT) {
        if ((rc = cert_key(m, c->ski == CP_KID_MISLEADING ? c->kid_entity : c->subject, &k)))
            return rc;
        m->ski = k->kid;
    }
    if (c->aki != CP_KID_ABSENT) {
        if ((rc = cert_key(m, c->aki == CP_KID_MISLEADING ? c->kid_entity : c->issuer, &k)))
            return rc;
        m->aki = k->kid;
    }
    return 0;
}

/* The signature AlgorithmIdentifier (complete DER) and digest of the current certificate. */
static const unsigned char *cert_alg(const struct mint *m, mbedtls_md_type_t *md)
{
    const struct cp_cert *c = m->cert;
    bool rsa = m->g->entities[c->issuer].alg == CP_KEY_RSA_2048;
    *md = c->sig_alg == CP_SIG_SHA1 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256;
    if (c->sig_alg == CP_SIG_UNKNOWN)
        return alg_ml_dsa_65; /* signed with SHA-256 and the issuer's key: plausible bytes */
    if (c->sig_alg == CP_SIG_SHA1)
        return rsa ? alg_rsa_sha1 : alg_ecdsa_sha1;
    return rsa ? alg_rsa_sha256 : alg_ecdsa_sha256;
}

/* Our TBSCertificate in m->tbs: the writer's, with alg as its signature algorithm. */
static int build_tbs(struct mint *m, const unsigned char *alg, size_t *tbs_len)
{
    struct span head, tail;
    size_t alg_len = (size_t)alg[1] + 2, content;
    unsigned char *q;
    int n = mbedtls_x509write_crt_der(&m->crt, m->raw, sizeof(m->raw), mbedtls_hmac_drbg_random,
                                      &m->drbg);
    if (n < 0)
        return cert_crypto(m, "writing the TBSCertificate", n);
    if ((n = split_tbs(m->raw + sizeof(m->raw) - n, (size_t)n, &head, &tail)))
        return cert_crypto(m, "reading back mbedTLS's certificate", n);
    content = head.len + alg_len + tail.len;
    *tbs_len = der_header_len(content) + content;
    if (*tbs_len > sizeof(m->tbs))
        return cert_error(m, CP_E_LIMIT, "the TBSCertificate exceeds %zu bytes", sizeof(m->tbs));
    q = m->tbs + der_header(m->tbs, SEQ, content);
    memcpy(q, head.p, head.len);
    memcpy(q + head.len, alg, alg_len);
    memcpy(q + head.len + alg_len, tail.p, tail.len);
    return 0;
}

/* Certificate idx of the graph, as a fresh allocation in *der. */
static int mint_cert(struct mint *m, int idx, unsigned char **der, size_t *der_len)
{
    struct cp_pool_key *issuer_key, *subject_key;
    const unsigned char *alg;
    size_t alg_len, tbs_len = 0, sig_len = 0, cert_len, total;
    unsigned char material[32], idx_be[4], *q, *out = NULL;
    const void *parts[] = {m->graph_seed, idx_be};
    const size_t lens[] = {sizeof(m->graph_seed), sizeof(idx_be)};
    mbedtls_md_type_t md;
    int rc, ret;

    m->cert = &m->g->certs[idx];
    mbedtls_hmac_drbg_init(&m->drbg);
    if ((rc = check_cert(m)) || (rc = cert_keys(m, &issuer_key, &subject_key)) ||
        (rc = set_fields(m, subject_key)))
        goto out;
    cp_mint_put_be32(idx_be, (uint32_t)idx);
    if ((ret = cp_mint_sha256_parts(parts, lens, 2, material)) ||
        (ret = cp_mint_drbg_seed(&m->drbg, material))) {
        rc = cert_crypto(m, "seeding the DRBG", ret);
        goto out;
    }
    alg = cert_alg(m, &md);
    alg_len = (size_t)alg[1] + 2;
    if ((rc = build_tbs(m, alg, &tbs_len)))
        goto out;
    if ((ret = sign_tbs(m, issuer_key, md, tbs_len, &sig_len))) {
        rc = cert_crypto(m, "signing", ret);
        goto out;
    }
    if (m->cert->sig_corrupt && sig_len > 0) /* the DER stays valid; verification fails */
        m->sig[sig_len - 1] ^= 0x01;

    cert_len = tbs_len + alg_len + der_header_len(sig_len + 1) + sig_len + 1;
    total = der_header_len(cert_len) + cert_len;
    if (total > CP_CERT_DER_MAX) {
        rc = cert_error(m, CP_E_LIMIT, "the certificate exceeds %d bytes", CP_CERT_DER_MAX);
        goto out;
    }
    if (!(out = malloc(total))) {
        rc = cert_error(m, CP_E_NOMEM, "out of memory");
        goto out;
    }
    q = out + der_header(out, SEQ, cert_len);
    memcpy(q, m->tbs, tbs_len);
    q += tbs_len;
    memcpy(q, alg, alg_len);
    q += alg_len;
    q += der_header(q, MBEDTLS_ASN1_BIT_STRING, sig_len + 1);
    *q++ = 0; /* no unused bits */
    memcpy(q, m->sig, sig_len);
    *der = out;
    *der_len = total;
    out = NULL;
    rc = 0;
out:
    mbedtls_hmac_drbg_free(&m->drbg);
    free(out);
    return rc;
}

int cp_mint_graph(const struct cp_keypool *kp, const struct cp_graph *g, uint64_t seed,
                  int64_t vtime, struct cp_minted *out)
{
    static const char domain[] = "certpath-mint";
    unsigned char seed_be[8];
    const void *parts[] = {domain, seed_be, g->tag};
    const size_t lens[] = {sizeof(domain) - 1, sizeof(seed_be), strlen(g->tag)};
    struct cp_minted res;
    struct mint *m = calloc(1, sizeof(*m));
    size_t n = g->ncerts > 0 ? (size_t)g->ncerts : 1;
    int rc = CP_E_NOMEM, ret;

    cp_minted_init(&res);
    if (m)
        mbedtls_x509write_crt_init(&m->crt);
    if (!m || !(res.der = calloc(n, sizeof(*res.der))) ||
        !(res.len = calloc(n, sizeof(*res.len)))) {
        rc = cp_error_set(rc, "graph %s (%s): out of memory minting %d certificates", g->tag,
                          g->name, g->ncerts);
        goto out;
    }
    res.n = g->ncerts;
    m->kp = kp;
    m->g = g;
    m->seed = seed;
    m->vtime = vtime;
    cp_mint_put_be64(seed_be, seed);
    if ((ret = cp_mint_sha256_parts(parts, lens, 3, m->graph_seed))) {
        char text[CP_ERR_TEXT_MAX + 16];
        cp_mint_crypto_text(ret, text, sizeof(text));
        rc = cp_error_set(cp_mint_crypto_code(ret), "graph %s (%s): seeding: %s", g->tag, g->name,
                          text);
        goto out;
    }
    for (int i = 0; i < g->ncerts; i++) {
        if ((rc = mint_cert(m, i, &res.der[i], &res.len[i])))
            goto out;
    }
    cp_minted_free(out);
    *out = res;
    cp_minted_init(&res);
    rc = 0;
out:
    if (m)
        mbedtls_x509write_crt_free(&m->crt);
    free(m);
    cp_minted_free(&res);
    return rc;
}
