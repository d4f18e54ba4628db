/*
 * oracle.c - the reference path builder: the expected outcome of every case.
 *
 * It reads the model only (never the minted bytes) and builds paths the way RFC 4158 describes:
 * from the leaf towards the anchors, depth first, trying every certificate the client has (the
 * sent list, duplicates collapsed) whose subject name equals the issuer name of the certificate
 * at hand. Key identifiers are hints a real builder may use to order candidates; the oracle
 * tries every candidate, so it needs none. A candidate whose key did not sign the certificate
 * fails its signature, as it would in a real library.
 *
 * Each step applies RFC 5280 section 6 to the candidate (validity, v3 with basicConstraints cA,
 * pathLen over non-self-issued intermediates, keyUsage keyCertSign, unknown critical
 * extensions, name constraints of every form (names.c)) plus the profile's choices, written down in
 * docs/profiles.md. A v1 certificate has no extensions: a v1 leaf has no DNS name, so it never
 * matches the hostname, and a v1 CA is rejected (6.1.4 (k)). An anchor listed twice is one
 * anchor. The profiles:
 *   rfc5280: a trust anchor is a name and a key; its certificate's validity and constraints do
 *            not matter (RFC 5280 6.1.1 (d)). EKU in CA certificates is ignored. SHA-1 is
 *            accepted.
 *   webpki:  an anchor certificate outside its validity is unusable and its name constraints
 *            apply, and so does its pathLenConstraint (Mozilla's verifier and OpenSSL check the
 *            dates and pathLen; Mozilla and rustls apply the name constraints); a CA's EKU without
 * serverAuth or anyExtendedKeyUsage excludes TLS servers below it (as in Chrome and Go); SHA-1
 * signatures are rejected. Cycles are cut by entity (name and key): a path never visits the same CA
 * twice (RFC 4158 5.2). A path stops at the first usable trust anchor; when an anchor is unusable
 * under the profile, the builder goes on through the certificates issued to that entity, as a real
 * builder would.
 */
#include "cp_generator_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Work budget per case and profile, in search steps. The costliest pathological graph (a
 * 16-level ladder) needs about 3% of it; a family that exceeds it has built a graph the oracle
 * cannot vouch for, and generation fails loudly instead of writing a guess. */
#define CP_ORACLE_MAX_STEPS 2000000L

struct search {
    const struct cp_graph *g;
    const struct cp_case *c;
    enum cp_profile p;
    struct cp_expect *out;
    bool *avail;   /* per certificate: the client has it (sent) */
    bool *on_path; /* per entity: already a subject on the current path */
    int16_t path[CP_MAX_DEPTH + 2];
    int len;
    long steps;
};

static bool self_issued(const struct cp_graph *g, const struct cp_cert *x)
{
    return cp_same_name(g, x->issuer, x->subject);
}

/* Whether ca's name constraints allow the leaf and every non-self-issued intermediate below
 * position s->len (RFC 5280 6.1.3 (b), (c): constraints apply to every later certificate but
 * a self-issued intermediate). */
static bool names_allowed(const struct search *s, const struct cp_cert *ca)
{
    const struct cp_graph *g = s->g;
    for (int i = 0; i < s->len; i++) {
        const struct cp_cert *x = &g->certs[s->path[i]];
        if (i > 0 && self_issued(g, x))
            continue;
        if (!cp_names_allowed(g, ca, x, i == 0, s->p))
            return false;
    }
    return true;
}

static enum cp_reason validity_reason(const struct cp_cert *x)
{
    /* Offsets are relative to the validation time, so "now" is 0; both bounds are inclusive. */
    if (x->not_after < 0)
        return CP_R_EXPIRED;
    if (x->not_before > 0)
        return CP_R_NOT_YET_VALID;
    return CP_R_NONE;
}

static enum cp_reason leaf_reason(const struct search *s, const struct cp_cert *leaf)
{
    enum cp_reason r = validity_reason(leaf);
    if (r)
        return r;
    if (leaf->unknown_critical_ext && leaf->version == 3)
        return CP_R_UNKNOWN_CRITICAL;
    if (leaf->eku && leaf->version == 3) {
        unsigned ok = CP_EKU_SERVER_AUTH;
        if (s->p == CP_PROFILE_RFC5280)
            ok |= CP_EKU_ANY; /* RFC 5280 4.2.1.12; the Web PKI requires serverAuth itself */
        if (!(leaf->eku & ok))
            return CP_R_EKU_LEAF;
    }
    return cp_names_hostname_matches(leaf, s->c->hostname) ? CP_R_NONE : CP_R_HOSTNAME;
}

/* Whether child's signature verifies under the key of entity signer. */
static enum cp_reason signature_reason(const struct search *s, const struct cp_cert *child,
                                       int signer)
{
    if (child->issuer != signer)
        return CP_R_WRONG_KEY;
    /* An algorithm the client does not accept is refused before the signature is computed. */
    if (child->sig_alg == CP_SIG_UNKNOWN)
        return CP_R_UNKNOWN_ALG;
    if (child->sig_alg == CP_SIG_SHA1 && s->p == CP_PROFILE_WEBPKI)
        return CP_R_SHA1;
    if (child->sig_corrupt)
        return CP_R_BAD_SIGNATURE;
    return CP_R_NONE;
}

/* RFC 5280 6.1.4 (l): the non-self-issued intermediates between the leaf and position
 * s->len, which is where the next CA (or the anchor) goes. */
static int intermediates_below(const struct search *s)
{
    int n = 0;
    for (int i = 1; i < s->len; i++)
        n += !self_issued(s->g, &s->g->certs[s->path[i]]);
    return n;
}

/* RFC 5280 6.1.4 for x as an intermediate at position s->len (the leaf is position 0). */
static enum cp_reason ca_reason(const struct search *s, const struct cp_cert *x)
{
    enum cp_reason r = validity_reason(x);
    if (r)
        return r;
    if (x->version != 3)
        return CP_R_V1_CA;
    if (x->bc == CP_BC_ABSENT)
        return CP_R_NO_BASIC_CONSTRAINTS;
    if (x->bc == CP_BC_NOT_CA)
        return CP_R_NOT_CA;
    if (x->key_usage && !(x->key_usage & CP_KU_KEY_CERT_SIGN))
        return CP_R_NO_KEY_CERT_SIGN;
    if (x->unknown_critical_ext)
        return CP_R_UNKNOWN_CRITICAL;
    if (s->p == CP_PROFILE_WEBPKI && x->eku && !(x->eku & (CP_EKU_SERVER_AUTH | CP_EKU_ANY)))
        return CP_R_EKU_CA;
    if (x->path_len >= 0 && intermediates_below(s) > x->path_len)
        return CP_R_PATH_LEN;
    if (!names_allowed(s, x))
        return CP_R_NAME_CONSTRAINTS;
    return CP_R_NONE;
}

/* The profile's view of an anchor's own certificate (the header comment says why). */
static enum cp_reason anchor_reason(const struct search *s, const struct cp_cert *root)
{
    if (s->p != CP_PROFILE_WEBPKI || !root)
        return CP_R_NONE;
    enum cp_reason r = validity_reason(root);
    if (r == CP_R_EXPIRED)
        return CP_R_ANCHOR_EXPIRED;
    if (r == CP_R_NOT_YET_VALID)
        return CP_R_ANCHOR_NOT_YET_VALID;
    if (!names_allowed(s, root))
        return CP_R_NAME_CONSTRAINTS;
    if (root->version == 3 && root->path_len >= 0 && intermediates_below(s) > root->path_len)
        return CP_R_PATH_LEN;
    return CP_R_NONE;
}

static void copy_path(const struct search *s, struct cp_path *dst, int extra)
{
    dst->len = s->len + (extra >= 0);
    memcpy(dst->certs, s->path, (size_t)s->len * sizeof(s->path[0]));
    if (extra >= 0)
        dst->certs[s->len] = (int16_t)extra;
}

static void record_rejected(struct search *s, int extra, enum cp_reason r, int at)
{
    struct cp_expect *e = s->out;
    e->reasons |= UINT64_C(1) << r;
    if (e->nrejected < CP_MAX_REJECTED) {
        struct cp_rejected *rj = &e->rejected[e->nrejected++];
        copy_path(s, &rj->path, extra);
        rj->reason = r;
        rj->at = at;
    }
    e->rejected_all++;
}

static void record_path(struct search *s, int anchor)
{
    struct cp_expect *e = s->out;
    if (e->npaths < CP_MAX_PATHS)
        copy_path(s, &e->paths[e->npaths++], anchor);
    e->paths_all++;
}

/* Whether the case's anchor i is also an earlier one: an entity listed twice is one anchor. */
static bool listed_before(const struct cp_case *c, int i)
{
    for (int j = 0; j < i; j++) {
        if (c->anchors[j] == c->anchors[i])
            return true;
    }
    return false;
}

/* Tries the trust anchors named like child's issuer; true when one completes a valid path. */
static bool try_anchors(struct search *s, const struct cp_cert *child, bool *candidates)
{
    bool anchored = false;
    int child_idx = s->path[s->len - 1];
    for (int i = 0; i < s->c->nanchors; i++) {
        int a = s->c->anchors[i];
        if (!cp_same_name(s->g, a, child->issuer) || listed_before(s->c, i))
            continue;
        *candidates = true;
        int root = cp_graph_self_signed(s->g, a);
        enum cp_reason r = signature_reason(s, child, a);
        if (r) {
            record_rejected(s, root, r, child_idx);
            continue;
        }
        r = anchor_reason(s, root >= 0 ? &s->g->certs[root] : NULL);
        if (r) {
            record_rejected(s, root, r, root);
            continue;
        }
        record_path(s, root);
        anchored = true;
    }
    return anchored;
}

static void extend(struct search *s)
{
    const struct cp_graph *g = s->g;
    int child_idx = s->path[s->len - 1];
    const struct cp_cert *child = &g->certs[child_idx];
    bool candidates = false;

    if (++s->steps > CP_ORACLE_MAX_STEPS)
        return;
    if (try_anchors(s, child, &candidates))
        return;
    if (s->len >= CP_MAX_DEPTH + 1) {
        record_rejected(s, -1, CP_R_DEPTH, child_idx);
        return;
    }
    for (int x = 0; x < g->ncerts && s->steps <= CP_ORACLE_MAX_STEPS; x++) {
        const struct cp_cert *cand = &g->certs[x];
        if (!s->avail[x] || !cp_same_name(g, cand->subject, child->issuer))
            continue;
        if (s->on_path[cand->subject]) {
            /* A self-issued certificate of a CA already on the path is no new candidate. */
            if (!self_issued(g, cand)) {
                candidates = true;
                record_rejected(s, x, CP_R_CYCLE, x);
            }
            continue;
        }
        candidates = true;
        enum cp_reason r = signature_reason(s, child, cand->subject);
        if (r) {
            record_rejected(s, x, r, child_idx);
            continue;
        }
        if ((r = ca_reason(s, cand))) {
            record_rejected(s, x, r, x);
            continue;
        }
        s->path[s->len++] = (int16_t)x;
        s->on_path[cand->subject] = true;
        extend(s);
        s->on_path[cand->subject] = false;
        s->len--;
    }
    if (!candidates)
        record_rejected(s, -1, CP_R_NO_ISSUER, child_idx);
}

int cp_oracle_expect(const struct cp_graph *g, const struct cp_case *c, enum cp_profile p,
                     struct cp_expect *out)
{
    int rc = CP_E_NOMEM;
    struct search s = {.g = g, .c = c, .p = p, .out = out};
    memset(out, 0, sizeof(*out));
    s.avail = calloc((size_t)g->ncerts, sizeof(bool));
    s.on_path = calloc((size_t)g->nentities, sizeof(bool));
    if (!s.avail || !s.on_path) {
        cp_error_set(rc, "case %s: out of memory in the oracle", c->id);
        goto out;
    }
    for (int i = 0; i < c->nsent; i++)
        s.avail[c->sent[i]] = true;

    const struct cp_cert *leaf = &g->certs[c->leaf];
    s.path[0] = (int16_t)c->leaf;
    s.len = 1;
    enum cp_reason r = leaf_reason(&s, leaf);
    if (r) {
        record_rejected(&s, -1, r, c->leaf);
    } else {
        s.on_path[leaf->subject] = true;
        extend(&s);
    }
    if (s.steps > CP_ORACLE_MAX_STEPS) {
        rc = cp_error_set(CP_E_LIMIT,
                          "case %s (%s): the oracle's search exceeded %ld steps; "
                          "the graph is too large to vouch for",
                          c->id, cp_profile_name(p), CP_ORACLE_MAX_STEPS);
        goto out;
    }
    out->outcome = out->paths_all > 0 ? CP_OUTCOME_ACCEPT : CP_OUTCOME_REJECT;
    rc = 0;
out:
    free(s.avail);
    free(s.on_path);
    return rc;
}

int cp_oracle_expect_all(struct cp_model *m)
{
    for (int i = 0; i < m->ncases; i++) {
        struct cp_case *c = &m->cases[i];
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            int rc = cp_oracle_expect(&m->graphs[c->graph], c, (enum cp_profile)p, &c->expect[p]);
            if (rc)
                return rc;
        }
    }
    return 0;
}
