/*
 * cp_model.h - the abstract model of certificate graphs and cases (generator-internal).
 *
 * The model is the single source of truth: families write it, the oracle and the minter read
 * it, and neither of those two reads the other's output.
 *
 * Call sequence for a family:
 *   1. g = cp_model_graph(m, "bettertls/two-roots/root1-cross-expired")  - one graph per set of
 *      cases that share certificates and trust anchors;
 *   2. e = cp_graph_entity(g, "Root1") ...                    - entities (name + key);
 *   3. c = cp_graph_ca(g, issuer, subject), cp_graph_leaf(), cp_graph_root() - certificates;
 *      tweak attributes through cp_graph_cert_at(g, c)->...   - defects;
 *   4. cp_model_case(m, g, &spec)                              - one or more cases on the graph.
 *
 * Errors in steps 1-3 are sticky: a failing call returns -1 and records the first error in the
 * graph; cp_model_case() reports it. So a family can build a graph without checking every call,
 * yet no error is lost. Every case on one graph must trust the same anchors: a client holding
 * every case's anchors at once (a browser) must not find a path that the case did not intend.
 *
 * Ownership: the model owns graphs and cases; cp_model_free() releases everything.
 */
#ifndef CP_MODEL_H
#define CP_MODEL_H

#include "cp_hash.h"
#include "cp_common.h"

#include <stdbool.h>
#include <stdint.h>

/* Limits, each sized for the largest graph a family builds, with slack. */
#define CP_LABEL_MAX 48    /* entity and certificate labels ("Bridge CA->TA W#2") */
#define CP_HOST_MAX 64     /* one DNS name */
#define CP_ID_MAX 160      /* case ids: family/graph/scenario/defect/order */
#define CP_DESC_MAX 512    /* one-line description */
#define CP_MAX_SAN 8       /* DNS names in one SAN: family names plus the hostnames of its cases */
#define CP_MAX_NC 4        /* DNS subtrees per permitted/excluded list */
#define CP_MAX_ANCHORS 8   /* trust anchors of one case (the bridge has four) */
#define CP_MAX_SENT 160    /* certificates one case sends (the largest pool sends 65) */
#define CP_MAX_DEPTH 48    /* longest path the oracle follows: deep chains reach 40 */
#define CP_MAX_PATHS 16    /* valid paths recorded per case and profile; more are counted */
#define CP_MAX_REJECTED 16 /* rejected candidates recorded per case and profile */

#define CP_HOUR ((int64_t)3600)
#define CP_DAY (24 * CP_HOUR)

enum cp_key_alg { CP_KEY_EC_P256 = 0, CP_KEY_RSA_2048 };

enum cp_bc {
    CP_BC_CA = 0, /* basicConstraints cA=TRUE */
    CP_BC_NOT_CA, /* basicConstraints present, cA=FALSE */
    CP_BC_ABSENT, /* no basicConstraints extension */
};

enum cp_kid {
    CP_KID_PRESENT = 0, /* computed from the right key */
    CP_KID_ABSENT,      /* extension left out */
    CP_KID_MISLEADING,  /* the key identifier of cp_cert.kid_entity's key */
};

enum cp_sig_alg {
    CP_SIG_SHA256 = 0, /* ecdsa-with-SHA256 or sha256WithRSAEncryption, by the issuer's key */
    CP_SIG_SHA1,       /* ecdsa-with-SHA1 or sha1WithRSAEncryption */
    CP_SIG_UNKNOWN,    /* an algorithm OID no client knows (ML-DSA-65): unverifiable */
};

/* Key usage bits as in RFC 5280 (digitalSignature is bit 0). */
#define CP_KU_DIGITAL_SIGNATURE 0x80u
#define CP_KU_KEY_ENCIPHERMENT 0x20u
#define CP_KU_KEY_CERT_SIGN 0x04u
#define CP_KU_CRL_SIGN 0x02u

/* Extended key usage purposes; 0 means the extension is absent. */
#define CP_EKU_SERVER_AUTH 0x01u
#define CP_EKU_CLIENT_AUTH 0x02u
#define CP_EKU_EMAIL 0x04u
#define CP_EKU_CODE_SIGNING 0x08u
#define CP_EKU_ANY 0x10u

/* Profiles: where the RFCs leave a choice, one expectation per profile (docs/profiles.md). */
#define CP_PROFILES(X)                                                                             \
    X(CP_PROFILE_RFC5280, "rfc5280")                                                               \
    X(CP_PROFILE_WEBPKI, "webpki")

enum cp_profile {
#define CP_X_ENUM(code, name) code,
    CP_PROFILES(CP_X_ENUM)
#undef CP_X_ENUM
        CP_PROFILE_COUNT
};

/* Features a case needs a client to have; one bit each. */
#define CP_FEATURES(X)                                                                             \
    X(CP_F_BRANCHING, "branching")                                                                 \
    X(CP_F_ORDERING, "ordering")                                                                   \
    X(CP_F_CYCLES, "cycles")                                                                       \
    X(CP_F_EXPIRY, "expiry")                                                                       \
    X(CP_F_ANCHOR_EXPIRY, "anchor-expiry")                                                         \
    X(CP_F_DISTRUST_SHA1, "distrust-sha1")                                                         \
    X(CP_F_EKU_ON_CA, "eku-on-ca")                                                                 \
    X(CP_F_BASIC_CONSTRAINTS, "basic-constraints")                                                 \
    X(CP_F_PATH_LEN, "path-len")                                                                   \
    X(CP_F_KEY_USAGE, "key-usage")                                                                 \
    X(CP_F_NAME_CONSTRAINTS, "name-constraints")                                                   \
    X(CP_F_ANCHOR_CONSTRAINTS, "anchor-constraints")                                               \
    X(CP_F_UNKNOWN_ALG, "unknown-algorithm")                                                       \
    X(CP_F_BAD_SIGNATURE, "bad-signature")                                                         \
    X(CP_F_UNKNOWN_CRITICAL, "unknown-critical-extension")                                         \
    X(CP_F_KEY_ROLLOVER, "key-rollover")                                                           \
    X(CP_F_KEY_IDS, "key-identifiers")                                                             \
    X(CP_F_RSA, "rsa")                                                                             \
    X(CP_F_HOSTNAME, "hostname")                                                                   \
    X(CP_F_MISSING_ISSUER, "missing-issuer")                                                       \
    X(CP_F_DUPLICATES, "duplicates")                                                               \
    X(CP_F_EXTRAS, "unrelated-extras")                                                             \
    X(CP_F_DEEP_CHAIN, "deep-chain")                                                               \
    X(CP_F_DOS, "denial-of-service")                                                               \
    X(CP_F_V1_CA, "v1-ca")                                                                         \
    X(CP_F_LEAF_EKU, "leaf-eku")                                                                   \
    X(CP_F_EXACT_TIME, "exact-time") /* a validity boundary within a second of the time */         \
    CP_NAMES_FEATURES(X)

/* The `names` family's facets (docs/names.md): which GeneralName forms the constraints of a
 * case's CAs name, where on the path constraints sit, and a constraint extension that does not
 * decode (kept apart: its cases carry no form or placement facet, so a parse failure is never
 * counted as enforcement). They come after every other feature and a manifest lists them only
 * when a case has one (generator/model_manifest.c), so suites without the family keep their
 * bytes. */
#define CP_NAMES_FEATURES(X)                                                                       \
    X(CP_F_NC_DNS, "nc-dns")                                                                       \
    X(CP_F_NC_IPV4, "nc-ipv4")                                                                     \
    X(CP_F_NC_IPV6, "nc-ipv6")                                                                     \
    X(CP_F_NC_EMAIL, "nc-email")                                                                   \
    X(CP_F_NC_URI, "nc-uri")                                                                       \
    X(CP_F_NC_DIRNAME, "nc-dirname")                                                               \
    X(CP_F_NC_ON_INTERMEDIATE, "nc-on-intermediate")                                               \
    X(CP_F_NC_ON_ANCHOR, "nc-on-anchor")                                                           \
    X(CP_F_NC_TWO_LEVELS, "nc-two-levels")                                                         \
    X(CP_F_NC_ON_LEAF, "nc-on-leaf")                                                               \
    X(CP_F_NC_MALFORMED, "nc-malformed")

enum cp_feature_bit {
#define CP_X_ENUM(code, name) code##_BIT,
    CP_FEATURES(CP_X_ENUM)
#undef CP_X_ENUM
        CP_FEATURE_COUNT
};
#define CP_X_ENUM(code, name) static const uint64_t code = UINT64_C(1) << code##_BIT;
CP_FEATURES(CP_X_ENUM)
#undef CP_X_ENUM
/* Features before the names facets: every manifest lists these. */
#define CP_FEATURE_CORE_COUNT CP_F_NC_DNS_BIT
#define CP_F_NC_FORMS                                                                              \
    (CP_F_NC_DNS | CP_F_NC_IPV4 | CP_F_NC_IPV6 | CP_F_NC_EMAIL | CP_F_NC_URI | CP_F_NC_DIRNAME)
#define CP_F_NAMES_FACETS (~UINT64_C(0) << CP_FEATURE_CORE_COUNT)

/* Why a candidate path was ruled out. */
#define CP_REASONS(X)                                                                              \
    X(CP_R_NONE, "none")                                                                           \
    X(CP_R_EXPIRED, "expired")                                                                     \
    X(CP_R_NOT_YET_VALID, "not-yet-valid")                                                         \
    X(CP_R_ANCHOR_EXPIRED, "anchor-expired")                                                       \
    X(CP_R_ANCHOR_NOT_YET_VALID, "anchor-not-yet-valid")                                           \
    X(CP_R_NOT_CA, "not-ca")                                                                       \
    X(CP_R_NO_BASIC_CONSTRAINTS, "no-basic-constraints")                                           \
    X(CP_R_V1_CA, "v1-ca")                                                                         \
    X(CP_R_PATH_LEN, "path-len-exceeded")                                                          \
    X(CP_R_NO_KEY_CERT_SIGN, "no-key-cert-sign")                                                   \
    X(CP_R_EKU_CA, "ca-eku-excludes-server-auth")                                                  \
    X(CP_R_EKU_LEAF, "leaf-eku-excludes-server-auth")                                              \
    X(CP_R_NAME_CONSTRAINTS, "name-constraints")                                                   \
    X(CP_R_SHA1, "sha1-signature")                                                                 \
    X(CP_R_UNKNOWN_ALG, "unknown-signature-algorithm")                                             \
    X(CP_R_BAD_SIGNATURE, "bad-signature")                                                         \
    X(CP_R_WRONG_KEY, "signature-by-other-key")                                                    \
    X(CP_R_UNKNOWN_CRITICAL, "unknown-critical-extension")                                         \
    X(CP_R_HOSTNAME, "hostname-mismatch")                                                          \
    X(CP_R_NO_ISSUER, "no-issuer")                                                                 \
    X(CP_R_CYCLE, "cycle")                                                                         \
    X(CP_R_DEPTH, "too-deep")                                                                      \
    X(CP_R_BAD_NAME_CONSTRAINTS, "malformed-name-constraints")

enum cp_reason {
#define CP_X_ENUM(code, name) code,
    CP_REASONS(CP_X_ENUM)
#undef CP_X_ENUM
        CP_REASON_COUNT
};
/* Reasons before the names family's own: every manifest lists these, the rest only when an
 * expectation has one (as CP_FEATURE_CORE_COUNT). */
#define CP_REASON_CORE_COUNT CP_R_BAD_NAME_CONSTRAINTS

enum cp_outcome { CP_OUTCOME_REJECT = 0, CP_OUTCOME_ACCEPT = 1 };

/* GeneralName forms beyond the dNSName lists of struct cp_cert (RFC 5280 4.2.1.6). */
enum cp_gn_type {
    CP_GN_DNS = 0, /* dNSName [2] IA5String */
    CP_GN_IP,      /* iPAddress [7]: 4 or 16 octets in a SAN, address and mask (8 or 32) in a
                      subtree */
    CP_GN_EMAIL,   /* rfc822Name [1]: a mailbox in a SAN; mailbox, host or ".domain" in a subtree */
    CP_GN_URI,     /* uniformResourceIdentifier [6]; a host or ".domain" in a subtree */
    CP_GN_DIR,     /* directoryName [4]: "CN=a,OU=b" in DER order, at most 3 RDNs */
    CP_GN_RID,     /* registeredID [8]: content bytes as given; decodes, no constraint form */
    CP_GN_RAW,     /* an identifier octet and content bytes written as they are: a GeneralName
                      that no strict DER parser takes (BetterTLS's smuggled SAN entries) */
};

/* A GeneralName of the model. Text forms keep value NUL-terminated; IP and RAW count len. */
#define CP_GN_VALUE_MAX 64 /* BetterTLS's longest smuggled payload is 42 bytes */
struct cp_gname {
    enum cp_gn_type type;
    unsigned char tag; /* CP_GN_RAW: the identifier octet */
    int len;           /* octets of value used (every type; text: strlen) */
    char value[CP_GN_VALUE_MAX];
};

/* Names of a certificate beyond the dNSName lists: the `names` family's SAN entries and
 * subtrees of every GeneralName form, and the leaf's subject CN. All zero: nothing beyond the
 * lists, and the default subject. */
#define CP_MAX_GN 6 /* entries per SAN, per permitted and per excluded list */
/* The encoding of a nameConstraints extension: DER as RFC 5280 4.2.1.10 defines it, or one of
 * the malformed forms the `names` family tests (none decodes as a conforming extension). */
enum cp_nc_form {
    CP_NC_DER = 0,         /* SEQUENCE { [0] subtrees, [1] subtrees }, absent lists left out */
    CP_NC_EMPTY,           /* SEQUENCE {}: neither list (4.2.1.10: MUST NOT be empty) */
    CP_NC_EMPTY_PERMITTED, /* permittedSubtrees [0] with no subtree (GeneralSubtrees SIZE 1..) */
    CP_NC_MINIMUM,         /* every GeneralSubtree carries minimum [0] 1 (MUST be zero) */
    CP_NC_MAXIMUM,         /* every GeneralSubtree carries maximum [1] 2 (MUST be absent) */
    CP_NC_FORM_LAST = CP_NC_MAXIMUM,
};
enum cp_cn_mode {
    CP_CN_LABEL = 0, /* CN = the label of the entity whose name the subject uses */
    CP_CN_NONE,      /* no CN attribute in the subject */
    CP_CN_TEXT,      /* CN = cn_text */
};
struct cp_names {
    struct cp_gname san[CP_MAX_GN]; /* written after the dNSName list, in this order */
    int nsan;
    struct cp_gname permitted[CP_MAX_GN]; /* after nc_permitted */
    int npermitted;
    struct cp_gname excluded[CP_MAX_GN]; /* after nc_excluded */
    int nexcluded;
    bool fixed; /* the family chose every SAN entry: the model adds no hostname, no filler */
    enum cp_cn_mode cn;
    char cn_text[CP_HOST_MAX];
    char email[CP_GN_VALUE_MAX]; /* a subject emailAddress attribute; "" for none */
    enum cp_nc_form nc_form;     /* how the nameConstraints extension is encoded */
};

struct cp_entity {
    char label[CP_LABEL_MAX]; /* "Root1"; the DN's common name comes from name_of's label */
    int name_of;              /* the entity whose distinguished name this one uses (itself,
                                 or an older key's entity for a key rollover) */
    enum cp_key_alg alg;
    int key_slot; /* set when the model is finalised: index into the minter's key pool */
};

struct cp_cert {
    char label[CP_LABEL_MAX]; /* "Root1->ICA", unique within the graph */
    int issuer, subject;      /* entity indexes; issuer == subject: self-signed */
    bool is_leaf;
    int version;                   /* 3, or 1 (no extensions at all) */
    int64_t not_before, not_after; /* seconds relative to the validation time */
    enum cp_bc bc;
    int path_len;                      /* -1: no pathLenConstraint */
    unsigned key_usage;                /* CP_KU_* bits; 0: extension absent */
    unsigned eku;                      /* CP_EKU_* bits; 0: extension absent */
    char san[CP_MAX_SAN][CP_HOST_MAX]; /* DNS names; the model appends its cases' hostnames */
    int nsan;
    int nsan_own; /* set by cp_model_finalise(): how many SAN names the family chose */
    char nc_permitted[CP_MAX_NC][CP_HOST_MAX];
    int npermitted;
    char nc_excluded[CP_MAX_NC][CP_HOST_MAX];
    int nexcluded;
    bool nc_noncritical; /* RFC 5280 requires critical; the odd case is opt-in */
    struct cp_names gn;  /* every other GeneralName and the subject CN (all zero by default) */
    enum cp_kid aki, ski;
    int kid_entity; /* whose key identifier a misleading AKI/SKI carries */
    enum cp_sig_alg sig_alg;
    bool sig_corrupt;          /* a bit of the signature value flipped */
    bool unknown_critical_ext; /* an extension with an unregistered OID, marked critical */
    uint64_t serial;           /* set by the model: unique within the graph */
};

struct cp_graph {
    char name[CP_ID_MAX];
    char tag[16]; /* "g" + 12 hex of cp_fnv1a64_str(name): the graph's unique part of every DN */
    struct cp_entity *entities;
    int nentities, cap_entities;
    struct cp_cert *certs;
    int ncerts, cap_certs;
    int anchors[CP_MAX_ANCHORS]; /* set by the first case; every case must match */
    int nanchors;
    int ncases;
    int err; /* sticky: the first error of a build step */
};

/* What a family says about one case. */
struct cp_case_spec {
    const char *id;      /* "bettertls/two-roots/root2/root1-cross-expired/reversed" */
    const char *summary; /* a few words; the model appends the rest of the description */
    int leaf;            /* certificate index of the target */
    const int *anchors;  /* entity indexes the client trusts */
    int nanchors;
    const int *sent; /* certificate indexes as the server sends them, leaf first */
    int nsent;
    uint64_t features;      /* CP_F_* the case needs */
    bool probe;             /* a simple probe of its features (DESIGN: feature support) */
    bool hostname_mismatch; /* the hostname is deliberately not in the leaf's SAN */
    const char *hostname;   /* NULL: derived from the id; else this name (a DNS name unique in
                               the suite, or an IP literal, which cases may share) */
};

struct cp_path {
    int len;
    int16_t certs[CP_MAX_DEPTH + 2]; /* leaf first; the anchor's certificate last */
};

struct cp_rejected {
    struct cp_path path; /* the candidate path up to and including the certificate at fault */
    enum cp_reason reason;
    int at; /* certificate index at fault */
};

struct cp_expect {
    enum cp_outcome outcome;
    struct cp_path paths[CP_MAX_PATHS];
    int npaths;     /* recorded */
    long paths_all; /* found, recorded or not */
    struct cp_rejected rejected[CP_MAX_REJECTED];
    int nrejected;
    long rejected_all;
    uint64_t reasons; /* bit (1 << cp_reason) for every reason seen */
};

struct cp_case {
    char id[CP_ID_MAX];
    char family[CP_LABEL_MAX];
    char description[CP_DESC_MAX];
    char hostname[CP_HOST_MAX];
    int graph;
    int leaf;
    int anchors[CP_MAX_ANCHORS];
    int nanchors;
    int16_t sent[CP_MAX_SENT];
    int nsent;
    uint64_t features;
    bool probe;
    bool hostname_mismatch;
    struct cp_expect expect[CP_PROFILE_COUNT]; /* filled by cp_oracle_expect_all() */
};

struct cp_model {
    struct cp_graph *graphs;
    int ngraphs, cap_graphs;
    struct cp_case *cases;
    int ncases, cap_cases;
    const char *family; /* the family now adding cases; set by the family runner */
};

void cp_model_init(struct cp_model *m);
void cp_model_free(struct cp_model *m);

/* A new, empty graph; its name must be unique in the model. Returns NULL, with the error
 * message set, in three cases: the name is already a graph's (CP_E_ARG), the name is longer
 * than a graph name holds (CP_E_LIMIT), or out of memory (CP_E_NOMEM). The pointer stays
 * valid until the next cp_model_graph() call. */
struct cp_graph *cp_model_graph(struct cp_model *m, const char *name);

/* An entity with its own ECDSA P-256 key; returns its index or -1 (sticky error). */
int cp_graph_entity(struct cp_graph *g, const char *label);

/* snprintf that fails with CP_E_LIMIT (message set) instead of truncating: families build ids
 * and labels with it, and a cut id would collide with another. */
int cp_model_fmt(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An entity with an RSA-2048 key. */
int cp_graph_entity_rsa(struct cp_graph *g, const char *label);
/* A new key under an existing entity's name (key rollover). */
int cp_graph_rekey(struct cp_graph *g, int entity, const char *label);

/* A CA certificate issuer -> subject with the default CA profile: v3, valid from 24 h before
 * to 366 days after the validation time, basicConstraints cA (critical), keyUsage keyCertSign
 * (critical), SKI and AKI, signed with SHA-256. Label "Issuer->Subject" (made unique). */
int cp_graph_ca(struct cp_graph *g, int issuer, int subject);
/* The entity's self-signed certificate, or -1 when it has none (not an error). */
int cp_graph_self_signed(const struct cp_graph *g, int entity);
/* The subject's self-signed certificate (created on first call, then returned again). */
int cp_graph_root(struct cp_graph *g, int entity);
/* A leaf: keyUsage digitalSignature (critical), basicConstraints cA=FALSE, EKU serverAuth,
 * SAN filled with the hostnames of the cases that target it. */
int cp_graph_leaf(struct cp_graph *g, int issuer, int subject);
/* Attributes of a certificate to tweak; NULL for a bad index (sticky error). The pointer is
 * valid until the next certificate is added to the graph (cp_graph_ca/leaf/root may move the
 * array): take it after the graph's certificates exist, or take it again. */
struct cp_cert *cp_graph_cert_at(struct cp_graph *g, int cert);
/* Finds a certificate by label; -1 when absent (not an error). */
int cp_graph_find(const struct cp_graph *g, const char *label);

/* Adds one case on graph g (which must be the model's latest or any earlier graph).
 * Checks the spec (indexes, leaf first, anchors equal to the graph's other cases), derives the
 * hostname from the id and writes the description. Returns 0 or a negative CP_E_*. */
int cp_model_case(struct cp_model *m, struct cp_graph *g, const struct cp_case_spec *spec);

/* GeneralNames of the model (model.c). cp_gname_set() fills e from text: the name for DNS,
 * EMAIL, URI and DIR; for IP "10.0.0.1" or "::1" (a SAN address) or "10.0.0.0/8" (a subtree's
 * address and mask). cp_gname_raw() takes an identifier octet and content bytes as a SAN
 * entry would carry them, and keeps the form they decode to: a context tag 1, 2 or 6 with
 * printable IA5 bytes is that text form, tag 7 with 4 or 16 octets an address, tag 8 a
 * registeredID; anything else (a constructed form written primitive, a tag outside the
 * CHOICE, control bytes, a wrong address length) is CP_GN_RAW. cp_gname_add() appends to a
 * list of at most CP_MAX_GN. Each returns 0 or CP_E_ARG / CP_E_LIMIT naming the text. */
int cp_gname_set(struct cp_gname *e, enum cp_gn_type type, const char *text);
int cp_gname_raw(struct cp_gname *e, unsigned char tag, const void *bytes, size_t n);
int cp_gname_add(struct cp_gname *list, int *n, enum cp_gn_type type, const char *text);
const char *cp_gname_type_name(enum cp_gn_type type);

/* Whether s is an IPv4 or IPv6 address literal (the hostname of an IP reference identity). */
bool cp_is_ip_literal(const char *s);

/* The case with this id, or NULL. */
const struct cp_case *cp_model_find(const struct cp_model *m, const char *id);

/* Fills every case's SAN hostnames into its leaf and assigns key slots and serials. Call once,
 * after all families ran and before the oracle or the minter. */
int cp_model_finalise(struct cp_model *m);

/* Deterministic permutations of a sent list (the leaf stays first). The shuffle is keyed by a
 * string (the case id), never by the suite seed, so expectations do not depend on the seed. */
void cp_order_reverse(int *sent, int n);
void cp_order_shuffle(int *sent, int n, const char *key);

/* Names for enumerations (from the X-macro lists). */
const char *cp_profile_name(enum cp_profile p);
const char *cp_feature_name(int bit);
const char *cp_reason_name(enum cp_reason r);
int cp_feature_lookup(const char *name); /* bit index or -1 */

/* Entities share a distinguished name when their name_of is the same. */
static inline bool cp_same_name(const struct cp_graph *g, int a, int b)
{
    return g->entities[a].name_of == g->entities[b].name_of;
}

#endif
