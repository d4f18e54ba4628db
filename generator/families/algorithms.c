/*
 * algorithms.c - the algorithms family: SHA-1 and unknown signature algorithms, corrupted
 * signatures, RSA and ECDSA mixed, and key identifiers that are absent or lie.
 *
 * Each signature defect runs through the shared matrix (defect_matrix.h): alone (reject where it
 * is a defect) and on one branch with a good alternative (accept: algorithm agility). The same
 * defects on the anchor's self-signature must not matter: a client never verifies it. Key
 * identifiers are hints (RFC 5280 4.2.1.1); a builder that trusts a lying AKI must still find
 * the path by name and signature. RSA keys come from a pool of four and are slow to mint, so
 * the RSA graphs are a short hand-picked list. The oracle decides every outcome.
 */
#include "cp_families.h"
#include "defect_matrix.h"

#define AL_FAMILY "algorithms"

FB_SETTER(sig_sha1, c->sig_alg = CP_SIG_SHA1)
FB_SETTER(sig_unknown, c->sig_alg = CP_SIG_UNKNOWN)
FB_SETTER(sig_corrupt, c->sig_corrupt = true)
FB_SETTER(aki_absent, c->aki = CP_KID_ABSENT)
FB_SETTER(ski_absent, c->ski = CP_KID_ABSENT)

/* A key identifier of another CA's key: the one a builder that believes it would try first. */
static void aki_misleading(struct cp_cert *c, int other)
{
    c->aki = CP_KID_MISLEADING;
    c->kid_entity = other;
}

static void ski_misleading(struct cp_cert *c, int other)
{
    c->ski = CP_KID_MISLEADING;
    c->kid_entity = other;
}

#define DEFECT(id_, sum, feat, target_, scope_, fn)                                                \
    {                                                                                              \
        .id = id_, .summary = sum, .features = feat, .target = target_, .scope = scope_,           \
        .apply = fn                                                                                \
    }
#define LYING(id_, sum, target_, scope_, fn)                                                       \
    {                                                                                              \
        .id = id_, .summary = sum, .features = CP_F_KEY_IDS, .target = target_, .scope = scope_,   \
        .apply = fn, .needs_other = true                                                           \
    }

static const struct fb_defect defects[] = {
    /* On a CA certificate: SHA-1 is a Web PKI reject only; the other two break the edge in
     * every profile (RFC 5280 6.1.3 (a)(1)). */
    DEFECT("sha1/intermediate", "SHA-1 signature on a CA certificate", CP_F_DISTRUST_SHA1, FB_AT_CA,
           FB_FULL, sig_sha1),
    DEFECT("unknown-alg/intermediate",
           "CA certificate signed with an algorithm the client cannot know", CP_F_UNKNOWN_ALG,
           FB_AT_CA, FB_FULL, sig_unknown),
    DEFECT("bad-signature/intermediate", "corrupted signature on a CA certificate",
           CP_F_BAD_SIGNATURE, FB_AT_CA, FB_FULL, sig_corrupt),
    LYING("key-ids/aki-misleading", "CA certificate whose AKI names another CA's key", FB_AT_CA,
          FB_FULL, aki_misleading),
    DEFECT("key-ids/aki-absent", "CA certificate without AKI", CP_F_KEY_IDS, FB_AT_CA, FB_LIGHT,
           aki_absent),
    DEFECT("key-ids/ski-absent", "CA certificate without SKI (its children's AKI match nothing)",
           CP_F_KEY_IDS, FB_AT_CA, FB_LIGHT, ski_absent),
    LYING("key-ids/ski-misleading", "CA certificate whose SKI is another CA's key identifier",
          FB_AT_CA, FB_LIGHT, ski_misleading),
    /* On the leaf. */
    DEFECT("sha1/leaf", "SHA-1 signature on the leaf", CP_F_DISTRUST_SHA1, FB_AT_LEAF, FB_FULL,
           sig_sha1),
    DEFECT("unknown-alg/leaf", "leaf signed with an algorithm the client cannot know",
           CP_F_UNKNOWN_ALG, FB_AT_LEAF, FB_FULL, sig_unknown),
    DEFECT("bad-signature/leaf", "corrupted signature on the leaf", CP_F_BAD_SIGNATURE, FB_AT_LEAF,
           FB_FULL, sig_corrupt),
    LYING("key-ids/leaf-aki-misleading", "leaf whose AKI names a CA the client never sees",
          FB_AT_LEAF, FB_FULL, aki_misleading),
    /* On the anchor's self-signature, which no client verifies: accept everywhere. */
    DEFECT("sha1/anchor-self-signature", "SHA-1 self-signature on the anchor certificate",
           CP_F_DISTRUST_SHA1, FB_AT_ANCHOR, FB_LIGHT, sig_sha1),
    DEFECT("unknown-alg/anchor-self-signature",
           "anchor certificate self-signed with an algorithm the client cannot know",
           CP_F_UNKNOWN_ALG, FB_AT_ANCHOR, FB_LIGHT, sig_unknown),
    DEFECT("bad-signature/anchor-self-signature",
           "corrupted self-signature on the anchor certificate", CP_F_BAD_SIGNATURE, FB_AT_ANCHOR,
           FB_LIGHT, sig_corrupt),
};

/* RSA and ECDSA mixed: one graph each (at most 4 RSA entities, 20 RSA graphs). */
struct al_rsa {
    struct fb_defect d;
    struct fb_shape s;
};

#define RSA_PLAIN(id_, sum, kind_, depth_, pos_, rsa_)                                             \
    {                                                                                              \
        {.id = id_, .summary = sum, .features = CP_F_RSA, .target = FB_AT_CA},                     \
        {                                                                                          \
            .kind = kind_, .depth = depth_, .pos = pos_, .rsa = rsa_                               \
        }                                                                                          \
    }
#define RSA_BAD(id_, sum, feat, target_, fn, kind_, depth_, pos_, trust_, rsa_)                    \
    {                                                                                              \
        {.id = id_,                                                                                \
         .summary = sum,                                                                           \
         .features = CP_F_RSA | (feat),                                                            \
         .target = target_,                                                                        \
         .apply = fn},                                                                             \
        {                                                                                          \
            .kind = kind_, .depth = depth_, .pos = pos_, .trust = trust_, .rsa = rsa_              \
        }                                                                                          \
    }

#define ROOT1 FB_RSA_ROOT1
#define SHA1 CP_F_DISTRUST_SHA1
#define UNK CP_F_UNKNOWN_ALG
#define BAD CP_F_BAD_SIGNATURE
#define MIXED "RSA Root1 and ECDSA Root2 both certify ICA"

static const struct al_rsa rsa_graphs[] = {
    RSA_PLAIN("rsa/rsa-root-signs-ecdsa", "RSA root signs an ECDSA intermediate", FB_ALONE, 2,
              FB_FIRST, ROOT1),
    RSA_PLAIN("rsa/ecdsa-root-signs-rsa", "ECDSA root signs an RSA intermediate, RSA leaf",
              FB_ALONE, 2, FB_FIRST, FB_RSA_ICA | FB_RSA_LEAF),
    RSA_PLAIN("rsa/rsa-leaf", "ECDSA chain, RSA leaf", FB_ALONE, 2, FB_FIRST, FB_RSA_LEAF),
    RSA_PLAIN("rsa/all-rsa", "RSA root, sub CA, ICA and leaf", FB_ALONE, 3, FB_FIRST,
              ROOT1 | FB_RSA_SUB | FB_RSA_ICA | FB_RSA_LEAF),
    RSA_PLAIN("rsa/alternating", "RSA root, ECDSA sub CA, RSA ICA, ECDSA leaf", FB_ALONE, 3,
              FB_FIRST, ROOT1 | FB_RSA_ICA),
    RSA_PLAIN("rsa/mixed-roots", MIXED, FB_CROSS, 2, FB_NONE, ROOT1),
    RSA_PLAIN("rsa/mixed-roots-rsa-sub", "RSA Root1 and ECDSA Root2 both certify an RSA sub CA",
              FB_CROSS, 3, FB_NONE, ROOT1 | FB_RSA_SUB),
    RSA_PLAIN("rsa/rekeyed-rsa-sub", "an RSA sub CA under two keys", FB_REKEY, 2, FB_NONE,
              FB_RSA_SUB),
    RSA_BAD("rsa/sha1", "SHA-1 signature; " MIXED, SHA1, FB_AT_CA, sig_sha1, FB_CROSS, 2, FB_FIRST,
            FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/sha1", "SHA-1 signature; " MIXED, SHA1, FB_AT_CA, sig_sha1, FB_CROSS, 2, FB_FIRST,
            FB_TRUST_BAD, ROOT1),
    RSA_BAD("rsa/sha1", "SHA-1 signature; " MIXED, SHA1, FB_AT_CA, sig_sha1, FB_CROSS, 2, FB_SECOND,
            FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/unknown-alg", "unknown signature algorithm; " MIXED, UNK, FB_AT_CA, sig_unknown,
            FB_CROSS, 2, FB_FIRST, FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/unknown-alg", "unknown signature algorithm; " MIXED, UNK, FB_AT_CA, sig_unknown,
            FB_CROSS, 2, FB_SECOND, FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/bad-signature", "corrupted RSA signature; " MIXED, BAD, FB_AT_CA, sig_corrupt,
            FB_CROSS, 2, FB_FIRST, FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/bad-signature", "corrupted ECDSA signature; " MIXED, BAD, FB_AT_CA, sig_corrupt,
            FB_CROSS, 2, FB_SECOND, FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/anchor-sha1", "RSA anchor with a SHA-1 self-signature, like many legacy roots",
            SHA1, FB_AT_ANCHOR, sig_sha1, FB_ALONE, 2, FB_FIRST, FB_TRUST_BOTH, ROOT1),
    RSA_BAD("rsa/anchor-sha1", "RSA anchor with a SHA-1 self-signature, like many legacy roots",
            SHA1, FB_AT_ANCHOR, sig_sha1, FB_CROSS, 2, FB_FIRST, FB_TRUST_BAD, ROOT1),
    RSA_BAD("rsa/sha1", "SHA-1 signature by one of an RSA sub CA's two keys", SHA1, FB_AT_CA,
            sig_sha1, FB_REKEY, 2, FB_FIRST, FB_TRUST_BOTH, FB_RSA_SUB),
};

#undef ROOT1
#undef SHA1
#undef UNK
#undef BAD
#undef MIXED

int cp_family_algorithms(struct cp_model *m)
{
    int rc = fb_run_defects(m, AL_FAMILY, defects, CP_ARRAY_LEN(defects));
    for (size_t i = 0; i < CP_ARRAY_LEN(rsa_graphs) && !rc; i++)
        rc = fb_build(m, AL_FAMILY, &rsa_graphs[i].d, &rsa_graphs[i].s);
    return rc;
}
