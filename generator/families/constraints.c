/*
 * constraints.c - the constraints family: basic constraints, pathLen, key usage, EKU on CAs and
 * leaves, version 1 CAs, name constraints (on intermediates and on anchors), unknown critical
 * extensions, hostnames.
 *
 * Every defect runs through the shared matrix (defect_matrix.h): alone on a linear chain, and as
 * the bad branch of a cross-signed or rekeyed graph whose other branch is good. Variants that
 * are no defect (keyUsage absent, EKU serverAuth, a permitting name constraint) get the light
 * matrix: they show a client does not over-reject, once per shape. pathLen over self-issued
 * rollover certificates needs longer chains, built here. The oracle decides every outcome.
 */
#include "cp_families.h"
#include "defect_matrix.h"

#include <string.h>

#define CX_FAMILY "constraints"

/* All case hostnames live under this domain (the model puts them in the leaf's SAN), so a
 * subtree of it contains every leaf and "example.com" contains none. */
#define CX_INSIDE "certpath.test"
#define CX_OUTSIDE "example.com"

static void nc_add(char (*list)[CP_HOST_MAX], int *n, const char *name)
{
    if (*n < CP_MAX_NC && cp_model_fmt(list[*n], CP_HOST_MAX, "%s", name) == 0)
        (*n)++;
}

FB_SETTER(ku_digital_only, c->key_usage = CP_KU_DIGITAL_SIGNATURE)
FB_SETTER(ku_crl_only, c->key_usage = CP_KU_CRL_SIGN)
FB_SETTER(ku_absent, c->key_usage = 0)
FB_SETTER(ku_full, c->key_usage = CP_KU_KEY_CERT_SIGN | CP_KU_CRL_SIGN | CP_KU_DIGITAL_SIGNATURE)
FB_SETTER(bc_absent, c->bc = CP_BC_ABSENT)
FB_SETTER(bc_not_ca, c->bc = CP_BC_NOT_CA)
FB_SETTER(version1, c->version = 1)
FB_SETTER(eku_server, c->eku = CP_EKU_SERVER_AUTH)
FB_SETTER(eku_client, c->eku = CP_EKU_CLIENT_AUTH)
FB_SETTER(eku_email, c->eku = CP_EKU_EMAIL)
FB_SETTER(eku_any, c->eku = CP_EKU_ANY)
FB_SETTER(eku_server_client, c->eku = CP_EKU_SERVER_AUTH | CP_EKU_CLIENT_AUTH)
FB_SETTER(eku_absent, c->eku = 0)
FB_SETTER(nc_permit_inside, nc_add(c->nc_permitted, &c->npermitted, CX_INSIDE))
FB_SETTER(nc_permit_outside, nc_add(c->nc_permitted, &c->npermitted, CX_OUTSIDE))
FB_SETTER(nc_exclude_inside, nc_add(c->nc_excluded, &c->nexcluded, CX_INSIDE))
FB_SETTER(nc_exclude_outside, nc_add(c->nc_excluded, &c->nexcluded, CX_OUTSIDE))
FB_SETTER(nc_noncrit_permit_inside, (nc_permit_inside(c, other), c->nc_noncritical = true))
FB_SETTER(nc_noncrit_exclude_inside, (nc_exclude_inside(c, other), c->nc_noncritical = true))
FB_SETTER(unknown_critical, c->unknown_critical_ext = true)
FB_SETTER(path_len0, c->path_len = 0)
FB_SETTER(path_len1, c->path_len = 1)

#define CA_FULL(id_, sum, feat, fn, dep)                                                           \
    {                                                                                              \
        .id = id_, .summary = sum, .features = feat, .target = FB_AT_CA, .scope = FB_FULL,         \
        .depths = dep, .apply = fn                                                                 \
    }
#define CA_LIGHT(id_, sum, feat, fn, dep)                                                          \
    {                                                                                              \
        .id = id_, .summary = sum, .features = feat, .target = FB_AT_CA, .scope = FB_LIGHT,        \
        .depths = dep, .apply = fn                                                                 \
    }
#define ANCHOR(id_, sum, feat, fn, scope_)                                                         \
    {                                                                                              \
        .id = id_, .summary = sum, .features = feat, .target = FB_AT_ANCHOR, .scope = scope_,      \
        .apply = fn                                                                                \
    }
#define LEAF(id_, sum, feat, fn, san_, mismatch)                                                   \
    {                                                                                              \
        .id = id_, .summary = sum, .features = feat, .target = FB_AT_LEAF, .apply = fn,            \
        .san = san_, .hostname_mismatch = mismatch                                                 \
    }

#define F_NC CP_F_NAME_CONSTRAINTS
#define F_ANC (CP_F_NAME_CONSTRAINTS | CP_F_ANCHOR_CONSTRAINTS)

/* Defects of a CA certificate. RFC 5280 6.1.4 (k) and (n) make the first six fatal in both
 * profiles; EKU on a CA is a Web PKI rule only (docs/profiles.md). pathLen 0 needs a CA below
 * the constrained one, so it sits one level above the leaf's issuer (depth 3) only. */
static const struct fb_defect ca_defects[] = {
    CA_FULL("key-usage/digital-signature-only", "CA keyUsage digitalSignature without keyCertSign",
            CP_F_KEY_USAGE, ku_digital_only, 0),
    CA_FULL("basic-constraints/absent",
            "CA certificate without basicConstraints (keyCertSign kept)", CP_F_BASIC_CONSTRAINTS,
            bc_absent, 0),
    CA_FULL("basic-constraints/not-ca",
            "CA certificate with basicConstraints cA=FALSE (keyCertSign kept)",
            CP_F_BASIC_CONSTRAINTS, bc_not_ca, 0),
    CA_FULL("v1-ca/intermediate", "version 1 CA certificate (no extensions) as intermediate",
            CP_F_V1_CA, version1, 0),
    CA_FULL("eku-ca/client-only", "CA EKU clientAuth only", CP_F_EKU_ON_CA, eku_client, 0),
    CA_FULL("eku-ca/email-only", "CA EKU emailProtection only", CP_F_EKU_ON_CA, eku_email, 0),
    CA_FULL("name-constraints/permitted-outside",
            "CA name constraints permit only " CX_OUTSIDE ", the leaf is under " CX_INSIDE, F_NC,
            nc_permit_outside, 0),
    CA_FULL("name-constraints/excluded-inside",
            "CA name constraints exclude " CX_INSIDE ", the leaf's domain", F_NC, nc_exclude_inside,
            0),
    CA_FULL("unknown-critical/intermediate", "unknown critical extension in a CA certificate",
            CP_F_UNKNOWN_CRITICAL, unknown_critical, 0),
    CA_FULL("path-len/0-violated", "pathLen 0 on a CA with another CA below it", CP_F_PATH_LEN,
            path_len0, FB_DEPTH3),
    CA_LIGHT("key-usage/crl-sign-only", "CA keyUsage cRLSign without keyCertSign", CP_F_KEY_USAGE,
             ku_crl_only, 0),
    CA_LIGHT("key-usage/absent", "CA certificate without keyUsage (allowed)", CP_F_KEY_USAGE,
             ku_absent, 0),
    CA_LIGHT("key-usage/sign-crl-digital", "CA keyUsage keyCertSign, cRLSign and digitalSignature",
             CP_F_KEY_USAGE, ku_full, 0),
    CA_LIGHT("eku-ca/server-only", "CA EKU serverAuth", CP_F_EKU_ON_CA, eku_server, 0),
    CA_LIGHT("eku-ca/any", "CA EKU anyExtendedKeyUsage", CP_F_EKU_ON_CA, eku_any, 0),
    CA_LIGHT("eku-ca/server-client", "CA EKU serverAuth and clientAuth", CP_F_EKU_ON_CA,
             eku_server_client, 0),
    CA_LIGHT("name-constraints/permitted-inside",
             "CA name constraints permit " CX_INSIDE ", the leaf's domain", F_NC, nc_permit_inside,
             0),
    CA_LIGHT("name-constraints/excluded-outside", "CA name constraints exclude " CX_OUTSIDE " only",
             F_NC, nc_exclude_outside, 0),
    CA_LIGHT("name-constraints/noncritical-permitted-inside",
             "non-critical CA name constraints permit " CX_INSIDE, F_NC, nc_noncrit_permit_inside,
             0),
    CA_LIGHT("name-constraints/noncritical-excluded-inside",
             "non-critical CA name constraints exclude " CX_INSIDE " (they still apply)", F_NC,
             nc_noncrit_exclude_inside, 0),
    CA_LIGHT("path-len/0-satisfied", "pathLen 0 on the leaf's issuer (the leaf does not count)",
             CP_F_PATH_LEN, path_len0, FB_DEPTH2),
    CA_LIGHT("path-len/1-satisfied", "pathLen 1 on a CA with one CA below it", CP_F_PATH_LEN,
             path_len1, FB_DEPTH3),
};

/* Constraints in the anchor's own certificate: RFC 5280 6.1.1 (d) makes an anchor a name and
 * a key, so none applies under rfc5280; the Web PKI applies the anchor's name constraints. */
static const struct fb_defect anchor_defects[] = {
    ANCHOR("name-constraints/anchor-permitted-outside",
           "anchor certificate's name constraints permit only " CX_OUTSIDE, F_ANC,
           nc_permit_outside, FB_FULL),
    ANCHOR("name-constraints/anchor-excluded-inside",
           "anchor certificate's name constraints exclude " CX_INSIDE, F_ANC, nc_exclude_inside,
           FB_FULL),
    ANCHOR("name-constraints/anchor-permitted-inside",
           "anchor certificate's name constraints permit " CX_INSIDE, F_ANC, nc_permit_inside,
           FB_LIGHT),
    ANCHOR("v1-ca/anchor", "version 1 anchor certificate (an anchor is a name and a key)",
           CP_F_V1_CA, version1, FB_LIGHT),
    ANCHOR("path-len/anchor-0",
           "pathLen 0 in the anchor certificate, CAs below it (an anchor is a name and a key)",
           CP_F_PATH_LEN, path_len0, FB_LIGHT),
};

/* Defects of the leaf, in graphs whose branches are all good. */
static const struct fb_defect leaf_defects[] = {
    LEAF("leaf-eku/client-only", "leaf EKU clientAuth only", CP_F_LEAF_EKU, eku_client, NULL,
         false),
    LEAF("leaf-eku/any", "leaf EKU anyExtendedKeyUsage only", CP_F_LEAF_EKU, eku_any, NULL, false),
    LEAF("leaf-eku/absent", "leaf without EKU", CP_F_LEAF_EKU, eku_absent, NULL, false),
    LEAF("leaf-eku/server-client", "leaf EKU serverAuth and clientAuth", CP_F_LEAF_EKU,
         eku_server_client, NULL, false),
    LEAF("unknown-critical/leaf", "unknown critical extension in the leaf", CP_F_UNKNOWN_CRITICAL,
         unknown_critical, NULL, false),
    LEAF("hostname/mismatch", "the leaf names www." CX_INSIDE " only, not the hostname",
         CP_F_HOSTNAME, NULL, "www." CX_INSIDE, true),
    /* Case hostnames are one label under certpath.test, so "*.certpath.test" matches them and
     * "*.test" (one label, never two) does not. */
    LEAF("hostname/wildcard-one-label", "the leaf names *." CX_INSIDE " only", CP_F_HOSTNAME, NULL,
         "*." CX_INSIDE, true),
    LEAF("hostname/wildcard-two-labels", "the leaf names *.test only (a wildcard covers one label)",
         CP_F_HOSTNAME, NULL, "*.test", true),
};

/* pathLen over longer chains. levels runs from the root down: 'C' is a new CA, 'R' a new key
 * under the previous level's name, certified by the previous key (self-issued: RFC 5280
 * 6.1.4 (l) does not count it against pathLen). path_len[i] is level i's pathLen, -1 for none. */
#define CX_MAX_LEVELS 4

struct cx_chain {
    const char *id;
    const char *summary;
    const char *levels;
    int path_len[CX_MAX_LEVELS];
};

static const struct cx_chain chains[] = {
    {"path-len/1-violated", "pathLen 1 on the top CA, two CAs below it", "CCC", {1, -1, -1}},
    {"path-len/1-satisfied-mid", "pathLen 1 on the middle of three CAs", "CCC", {-1, 1, -1}},
    {"path-len/0-rollover-not-counted",
     "pathLen 0 on a CA whose only CA below is its own self-issued rollover",
     "CR",
     {0, -1}},
    {"path-len/0-on-rollover-cert",
     "pathLen 0 on a self-issued rollover certificate",
     "CR",
     {-1, 0}},
    {"path-len/0-rollover-then-ca-violated",
     "pathLen 0 on a CA above its rollover and another CA",
     "CRC",
     {0, -1, -1}},
    {"path-len/0-ca-then-rollover-violated",
     "pathLen 0 on a CA above another CA and that CA's rollover",
     "CCR",
     {0, -1, -1}},
    {"path-len/1-rollover-then-ca-satisfied",
     "pathLen 1 on a CA above its rollover and another CA",
     "CRC",
     {1, -1, -1}},
    {"path-len/1-two-rollovers-satisfied",
     "pathLen 1 on a CA above two rollovers and one CA",
     "CRCR",
     {1, -1, -1, -1}},
};

/* The level's entity: a new CA "CA<i>", or a new key "<previous label>.key2" under the
 * previous level's name. */
static int chain_entity(struct cp_graph *g, bool rollover, int i, int prev)
{
    char label[CP_LABEL_MAX];
    if (rollover && prev >= 0) {
        if (cp_model_fmt(label, sizeof(label), "%s.key2", g->entities[prev].label))
            return -1;
        return cp_graph_rekey(g, prev, label);
    }
    if (cp_model_fmt(label, sizeof(label), "CA%d", i + 1))
        return -1;
    return cp_graph_entity(g, label);
}

static int build_chain(struct cp_model *m, const struct cx_chain *ch)
{
    char gname[CP_ID_MAX];
    int nlevels = (int)strlen(ch->levels);
    if (nlevels > CX_MAX_LEVELS)
        return cp_error_set(CP_E_LIMIT, "chain %s has more than %d levels", ch->id, CX_MAX_LEVELS);
    int rc = cp_model_fmt(gname, sizeof(gname), "%s/%s/chain%d", CX_FAMILY, ch->id, nlevels + 2);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG; /* message set by cp_model_graph() */
    int root = cp_graph_entity(g, "Root"), prev = root;
    int certs[CX_MAX_LEVELS];
    uint64_t features = CP_F_PATH_LEN;
    for (int i = 0; i < nlevels; i++) {
        bool rollover = ch->levels[i] == 'R';
        int e = chain_entity(g, rollover, i, prev);
        certs[i] = cp_graph_ca(g, prev, e);
        struct cp_cert *c = cp_graph_cert_at(g, certs[i]);
        if (c)
            c->path_len = ch->path_len[i];
        if (rollover)
            features |= CP_F_KEY_ROLLOVER;
        prev = e;
    }
    int sent[CX_MAX_LEVELS + 1];
    sent[0] = cp_graph_leaf(g, prev, cp_graph_entity(g, "Leaf"));
    for (int i = 0; i < nlevels; i++)
        sent[1 + i] = certs[nlevels - 1 - i]; /* declared: each certificate's issuer next */
    struct cp_case_spec spec = {
        .summary = ch->summary,
        .leaf = sent[0],
        .anchors = &root,
        .nanchors = 1,
        .features = features,
    };
    return fb_add_orders(m, g, gname, &spec, sent, nlevels + 1);
}

int cp_family_constraints(struct cp_model *m)
{
    int rc;
    if ((rc = fb_run_defects(m, CX_FAMILY, ca_defects, CP_ARRAY_LEN(ca_defects))) ||
        (rc = fb_run_defects(m, CX_FAMILY, anchor_defects, CP_ARRAY_LEN(anchor_defects))) ||
        (rc = fb_run_defects(m, CX_FAMILY, leaf_defects, CP_ARRAY_LEN(leaf_defects))))
        return rc;
    for (size_t i = 0; i < CP_ARRAY_LEN(chains); i++) {
        if ((rc = build_chain(m, &chains[i])))
            return rc;
    }
    return 0;
}
