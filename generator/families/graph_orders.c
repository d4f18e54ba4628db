/* graph_orders.c - orders, defects and entity helpers of the cycles and pathological families. */
#include "graph_orders.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How many keyed shuffles to try before giving up on one that differs from declared and
 * reversed: with four or more certificates a few tries always suffice. */
#define FC_SHUFFLE_TRIES 32

void fc_push(struct fc_list *l, int cert)
{
    if (l->n < CP_MAX_SENT)
        l->v[l->n++] = cert;
    else
        l->lost++;
}

void fc_push_all(struct fc_list *l, const int *certs, int n)
{
    for (int i = 0; i < n; i++)
        fc_push(l, certs[i]);
}

static bool same_list(const int *a, const int *b, int n)
{
    return memcmp(a, b, (size_t)n * sizeof(*a)) == 0;
}

/* A keyed shuffle (the key is the case id, never the suite seed) that differs from both the
 * declared and the reversed order; false when the list is too short to have one. */
static bool shuffled(int *out, const int *declared, const int *reversed, int n, const char *id)
{
    char key[CP_ID_MAX + 8];
    if (n < 4)
        return false; /* the leaf plus two: the tail's only orders are declared and reversed */
    for (int k = 0; k < FC_SHUFFLE_TRIES; k++) {
        memcpy(out, declared, (size_t)n * sizeof(*out));
        if (k && cp_model_fmt(key, sizeof(key), "%s#%d", id, k))
            return false;
        cp_order_shuffle(out, n, k ? key : id);
        if (!same_list(out, declared, n) && !same_list(out, reversed, n))
            return true;
    }
    return false;
}

static int add_one(struct cp_model *m, struct cp_graph *g, const char *prefix, const char *order,
                   const struct cp_case_spec *spec, const int *sent, int n)
{
    char id[CP_ID_MAX];
    int rc = cp_model_fmt(id, sizeof(id), "%s/%s", prefix, order);
    if (rc)
        return rc;
    bool declared = strcmp(order, "declared") == 0;
    struct cp_case_spec one = *spec;
    one.id = id;
    one.sent = sent;
    one.nsent = n;
    one.features |= declared ? 0 : CP_F_ORDERING;
    one.probe = spec->probe && declared;
    return cp_model_case(m, g, &one);
}

int fc_add_orders(struct cp_model *m, struct cp_graph *g, const char *prefix,
                  const struct cp_case_spec *spec, const struct fc_list *declared, unsigned orders)
{
    int rev[CP_MAX_SENT], shuf[CP_MAX_SENT];
    char sid[CP_ID_MAX];
    int n = declared->n, rc = 0;
    if (declared->lost)
        return cp_error_set(CP_E_LIMIT, "graph %s: %d certificates to send (at most %d)", prefix,
                            n + declared->lost, CP_MAX_SENT);
    if ((orders & FC_DECLARED) && (rc = add_one(m, g, prefix, "declared", spec, declared->v, n)))
        return rc;
    memcpy(rev, declared->v, (size_t)n * sizeof(*rev));
    cp_order_reverse(rev, n);
    bool rev_new = !same_list(rev, declared->v, n);
    if ((orders & FC_REVERSED) && rev_new && (rc = add_one(m, g, prefix, "reversed", spec, rev, n)))
        return rc;
    if (!(orders & FC_SHUFFLED) || (rc = cp_model_fmt(sid, sizeof(sid), "%s/shuffled", prefix)))
        return rc;
    if (!shuffled(shuf, declared->v, rev, n, sid))
        return 0;
    return add_one(m, g, prefix, "shuffled", spec, shuf, n);
}

static void set_expired(struct cp_cert *c)
{
    c->not_before = -400 * CP_DAY;
    c->not_after = -CP_DAY;
}

static void set_not_yet_valid(struct cp_cert *c)
{
    c->not_before = CP_DAY;
    c->not_after = 366 * CP_DAY;
}

static void set_not_ca(struct cp_cert *c)
{
    c->bc = CP_BC_NOT_CA;
}

static void set_no_bc(struct cp_cert *c)
{
    c->bc = CP_BC_ABSENT;
}

static void set_v1(struct cp_cert *c)
{
    c->version = 1;
}

static void set_no_key_cert_sign(struct cp_cert *c)
{
    c->key_usage = CP_KU_DIGITAL_SIGNATURE;
}

/* pathLen 0 on a certificate with at least one intermediate below it: RFC 5280 6.1.4 (l)
 * rules it out wherever the families place it (never directly above the leaf). */
static void set_path_len(struct cp_cert *c)
{
    c->path_len = 0;
}

static void set_bad_signature(struct cp_cert *c)
{
    c->sig_corrupt = true;
}

static void set_sha1(struct cp_cert *c)
{
    c->sig_alg = CP_SIG_SHA1;
}

static void set_unknown_alg(struct cp_cert *c)
{
    c->sig_alg = CP_SIG_UNKNOWN;
}

static void set_unknown_critical(struct cp_cert *c)
{
    c->unknown_critical_ext = true;
}

const struct fc_defect fc_defects[FC_NDEFECTS] = {
    [FC_EXPIRED] = {"expired", "expired", CP_F_EXPIRY, set_expired},
    [FC_NOT_YET_VALID] = {"not-yet-valid", "not yet valid", CP_F_EXPIRY, set_not_yet_valid},
    [FC_NOT_CA] = {"not-ca", "cA=FALSE", CP_F_BASIC_CONSTRAINTS, set_not_ca},
    [FC_NO_BC] = {"no-basic-constraints", "without basicConstraints", CP_F_BASIC_CONSTRAINTS,
                  set_no_bc},
    [FC_V1] = {"v1", "a v1 certificate", CP_F_V1_CA, set_v1},
    [FC_NO_KEY_CERT_SIGN] = {"no-key-cert-sign", "keyUsage without keyCertSign", CP_F_KEY_USAGE,
                             set_no_key_cert_sign},
    [FC_PATH_LEN] = {"path-len", "pathLen 0 above an intermediate", CP_F_PATH_LEN, set_path_len},
    [FC_BAD_SIGNATURE] = {"bad-signature", "with a corrupted signature", CP_F_BAD_SIGNATURE,
                          set_bad_signature},
    [FC_SHA1] = {"sha1", "signed with SHA-1", CP_F_DISTRUST_SHA1, set_sha1},
    [FC_UNKNOWN_ALG] = {"unknown-algorithm", "signed with an unknown algorithm", CP_F_UNKNOWN_ALG,
                        set_unknown_alg},
    [FC_UNKNOWN_CRITICAL] = {"unknown-critical", "with an unknown critical extension",
                             CP_F_UNKNOWN_CRITICAL, set_unknown_critical},
    [FC_OTHER_KEY] = {"other-key", "signed by another key of its issuer's name", CP_F_KEY_ROLLOVER,
                      NULL},
};

int fc_entity_find(const struct cp_graph *g, const char *label)
{
    for (int i = 0; i < g->nentities; i++) {
        if (strcmp(g->entities[i].label, label) == 0)
            return i;
    }
    return -1;
}

/* The second key under issuer's name that FC_OTHER_KEY signs with; made on first use. */
static int other_key(struct cp_graph *g, int issuer)
{
    char label[CP_LABEL_MAX];
    if (g->err || issuer < 0 || issuer >= g->nentities)
        return -1;
    if (cp_model_fmt(label, sizeof(label), "%s other key", g->entities[issuer].label)) {
        g->err = g->err ? g->err : CP_E_LIMIT;
        return -1;
    }
    int e = fc_entity_find(g, label);
    return e >= 0 ? e : cp_graph_rekey(g, issuer, label);
}

void fc_apply(struct cp_graph *g, int cert, const struct fc_defect *d)
{
    if (!d)
        return;
    if (!d->apply) {
        if (!g->err)
            g->err = cp_error_set(CP_E_ARG,
                                  "graph %s: defect %s must be chosen when the "
                                  "certificate is made",
                                  g->name, d->id);
        return;
    }
    struct cp_cert *c = cp_graph_cert_at(g, cert);
    if (c)
        d->apply(c);
}

int fc_ca(struct cp_graph *g, int issuer, int subject, const struct fc_defect *d)
{
    if (d && !d->apply) {
        int signer = other_key(g, issuer);
        return signer < 0 ? -1 : cp_graph_ca(g, signer, subject);
    }
    int c = cp_graph_ca(g, issuer, subject);
    if (c >= 0)
        fc_apply(g, c, d);
    return c;
}

int fc_entities(struct cp_graph *g, const char *prefix, int n, int *out)
{
    char label[CP_LABEL_MAX];
    for (int i = 0; i < n; i++)
        out[i] = -1; /* defined even when a call below fails */
    for (int i = 0; i < n; i++) {
        if (cp_model_fmt(label, sizeof(label), "%s %d", prefix, i + 1)) {
            g->err = g->err ? g->err : CP_E_LIMIT;
            return -1;
        }
        if ((out[i] = cp_graph_entity(g, label)) < 0)
            return -1;
    }
    return 0;
}
