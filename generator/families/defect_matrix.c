/* defect_matrix.c - the defect matrix of the constraints and algorithms families (defect_matrix.h).
 */
#include "defect_matrix.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A graph of the matrix as built: what the defect, the trust set and the orders refer to. */
struct fb_built {
    struct cp_graph *g;
    int leaf;
    int branch[2];  /* certificates A and B (B = -1 on a linear chain) */
    int root_of[2]; /* the root entity above A and above B */
    int other[2];   /* entity whose key identifier would mislead on A / on B; -1: a decoy */
    int anchors[2];
    int nanchors;
    int sent[8];
    int nsent;
};

static int entity(struct cp_graph *g, const char *label, unsigned rsa, unsigned role)
{
    return (rsa & role) ? cp_graph_entity_rsa(g, label) : cp_graph_entity(g, label);
}

static void push(struct fb_built *b, int cert)
{
    if (b->nsent < (int)CP_ARRAY_LEN(b->sent))
        b->sent[b->nsent++] = cert;
}

/* Root -> [Sub CA ->] ICA -> Leaf; A is the certificate of the leaf's issuer at depth 2, of
 * Sub CA at depth 3. */
static void build_alone(struct fb_built *b, const struct fb_shape *s)
{
    struct cp_graph *g = b->g;
    int root = entity(g, "Root", s->rsa, FB_RSA_ROOT1);
    int sub = s->depth == 3 ? entity(g, "Sub CA", s->rsa, FB_RSA_SUB) : -1;
    int ica = entity(g, "ICA", s->rsa, FB_RSA_ICA);
    int leaf = entity(g, "Leaf", s->rsa, FB_RSA_LEAF);
    b->branch[0] = cp_graph_ca(g, root, s->depth == 3 ? sub : ica);
    int mid = s->depth == 3 ? cp_graph_ca(g, sub, ica) : -1;
    b->leaf = cp_graph_leaf(g, ica, leaf);
    push(b, b->leaf);
    if (mid >= 0)
        push(b, mid);
    push(b, b->branch[0]);
    b->branch[1] = -1;
    b->root_of[0] = b->root_of[1] = root;
    b->other[0] = b->other[1] = -1;
}

/* ICA (depth 2) or Sub CA (depth 3) certified by Root1 (A) and by Root2 (B). */
static void build_cross(struct fb_built *b, const struct fb_shape *s)
{
    struct cp_graph *g = b->g;
    int r1 = entity(g, "Root1", s->rsa, FB_RSA_ROOT1);
    int r2 = entity(g, "Root2", s->rsa, FB_RSA_ROOT2);
    int sub = s->depth == 3 ? entity(g, "Sub CA", s->rsa, FB_RSA_SUB) : -1;
    int ica = entity(g, "ICA", s->rsa, FB_RSA_ICA);
    int leaf = entity(g, "Leaf", s->rsa, FB_RSA_LEAF);
    int top = s->depth == 3 ? sub : ica;
    b->branch[0] = cp_graph_ca(g, r1, top);
    b->branch[1] = cp_graph_ca(g, r2, top);
    int mid = s->depth == 3 ? cp_graph_ca(g, sub, ica) : -1;
    b->leaf = cp_graph_leaf(g, ica, leaf);
    push(b, b->leaf);
    if (mid >= 0)
        push(b, mid);
    push(b, b->branch[0]);
    push(b, b->branch[1]);
    b->root_of[0] = r1;
    b->root_of[1] = r2;
    /* A misleading AKI on one cross-sign names the other root: the builder that believes it
     * picks the wrong anchor first. */
    b->other[0] = r2;
    b->other[1] = r1;
}

/* Root certifies Sub CA under two keys; both keys certify ICA. The graph is the same at both
 * depths; only where A and B sit differs. */
static void build_rekey(struct fb_built *b, const struct fb_shape *s)
{
    struct cp_graph *g = b->g;
    int root = entity(g, "Root", s->rsa, FB_RSA_ROOT1);
    int sub1 = entity(g, "Sub CA", s->rsa, FB_RSA_SUB);
    int sub2 = cp_graph_rekey(g, sub1, "Sub CA.key2");
    int ica = entity(g, "ICA", s->rsa, FB_RSA_ICA);
    int leaf = entity(g, "Leaf", s->rsa, FB_RSA_LEAF);
    int p1 = cp_graph_ca(g, root, sub1), p2 = cp_graph_ca(g, root, sub2);
    int q1 = cp_graph_ca(g, sub1, ica), q2 = cp_graph_ca(g, sub2, ica);
    b->leaf = cp_graph_leaf(g, ica, leaf);
    int order[] = {b->leaf, q1, q2, p1, p2};
    for (size_t i = 0; i < CP_ARRAY_LEN(order); i++)
        push(b, order[i]);
    b->branch[0] = s->depth == 3 ? p1 : q1;
    b->branch[1] = s->depth == 3 ? p2 : q2;
    b->root_of[0] = b->root_of[1] = root;
    /* Each branch's AKI would name the other key of the same name: the classic rollover trap. */
    b->other[0] = sub2;
    b->other[1] = sub1;
}

static void choose_anchors(struct fb_built *b, const struct fb_shape *s)
{
    b->nanchors = 1;
    b->anchors[0] = b->root_of[0];
    if (s->kind != FB_CROSS)
        return;
    int bad = s->pos == FB_SECOND ? 1 : 0;
    switch (s->trust) {
    case FB_TRUST_BOTH:
        b->anchors[0] = b->root_of[0];
        b->anchors[1] = b->root_of[1];
        b->nanchors = 2;
        break;
    case FB_TRUST_GOOD:
        b->anchors[0] = b->root_of[1 - bad];
        break;
    case FB_TRUST_BAD:
        b->anchors[0] = b->root_of[bad];
        break;
    }
}

static bool pos_has(enum fb_pos pos, int branch)
{
    return pos == FB_BOTH || (pos == FB_FIRST && branch == 0) || (pos == FB_SECOND && branch == 1);
}

static void apply_leaf(struct fb_built *b, const struct fb_defect *d)
{
    int other = d->needs_other ? cp_graph_entity(b->g, "Other CA") : -1;
    struct cp_cert *c = cp_graph_cert_at(b->g, b->leaf);
    if (!c)
        return;
    if (d->apply)
        d->apply(c, other);
    if (d->san && c->nsan < CP_MAX_SAN &&
        cp_model_fmt(c->san[c->nsan], sizeof(c->san[0]), "%s", d->san) == 0)
        c->nsan++;
}

static void apply_defect(struct fb_built *b, const struct fb_defect *d, enum fb_pos pos)
{
    if (d->target == FB_AT_LEAF) {
        apply_leaf(b, d);
        return;
    }
    if (!d->apply)
        return;
    int decoy = -1;
    for (int i = 0; i < 2; i++) {
        if (!pos_has(pos, i) || b->branch[i] < 0)
            continue;
        int other = b->other[i];
        if (other < 0 && d->needs_other) {
            /* A linear chain has no second issuer: the lie names a CA the client never sees. */
            if (decoy < 0)
                decoy = cp_graph_entity(b->g, "Other CA");
            other = decoy;
        }
        /* Certificates are created before any pointer is taken: cp_graph_root() may grow the
         * certificate array. */
        int cert = d->target == FB_AT_CA ? b->branch[i] : cp_graph_root(b->g, b->root_of[i]);
        struct cp_cert *c = cp_graph_cert_at(b->g, cert);
        if (c)
            d->apply(c, other);
    }
}

static const char *kind_name(const struct fb_shape *s)
{
    static const char *const bad[] = {"alone", "bad-branch", "bad-rekey"};
    static const char *const plain[] = {"alone", "two-roots", "rekey"};
    return (s->pos == FB_NONE ? plain : bad)[s->kind];
}

static int graph_name(char *out, size_t cap, const char *family, const struct fb_defect *d,
                      const struct fb_shape *s)
{
    static const char *const pos_names[] = {"", "first/", "second/", "both/"};
    static const char *const trust_names[] = {"/trust-both", "/trust-good", "/trust-bad"};
    return cp_model_fmt(out, cap, "%s/%s/%s/%sdepth%d%s", family, d->id, kind_name(s),
                        s->kind == FB_ALONE ? "" : pos_names[s->pos], s->depth,
                        s->kind == FB_CROSS ? trust_names[s->trust] : "");
}

/* Where the defect sits, in words, for the case summary. */
static const char *where(const struct fb_shape *s)
{
    static const char *const cross[] = {
        "under two cross-signing roots, Root1 and Root2",
        "on Root1's branch; Root2's branch is good",
        "on Root2's branch; Root1's branch is good",
        "on both Root1's and Root2's branches",
    };
    static const char *const rekey[] = {
        "under two same-name keys of Sub CA",
        "on the branch of Sub CA's first key; its second key's branch is good",
        "on the branch of Sub CA's second key; its first key's branch is good",
        "on the branches of both of Sub CA's keys",
    };
    switch (s->kind) {
    case FB_CROSS:
        return cross[s->pos];
    case FB_REKEY:
        return rekey[s->pos];
    default:
        return "on a linear chain";
    }
}

static uint64_t shape_features(const struct fb_shape *s)
{
    uint64_t f = 0;
    if (s->kind != FB_ALONE)
        f |= CP_F_BRANCHING;
    if (s->kind == FB_REKEY)
        f |= CP_F_KEY_ROLLOVER;
    if (s->rsa)
        f |= CP_F_RSA;
    return f;
}

int fb_build(struct cp_model *m, const char *family, const struct fb_defect *d,
             const struct fb_shape *s)
{
    char gname[CP_ID_MAX], summary[CP_DESC_MAX];
    int rc = graph_name(gname, sizeof(gname), family, d, s);
    if (!rc)
        rc = cp_model_fmt(summary, sizeof(summary), "%s, %s (depth %d)", d->summary, where(s),
                          s->depth);
    if (rc)
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG; /* message set by cp_model_graph() */
    struct fb_built b = {.g = g};
    if (s->kind == FB_ALONE)
        build_alone(&b, s);
    else if (s->kind == FB_CROSS)
        build_cross(&b, s);
    else
        build_rekey(&b, s);
    apply_defect(&b, d, s->pos);
    choose_anchors(&b, s);
    struct cp_case_spec spec = {
        .summary = summary,
        .leaf = b.leaf,
        .anchors = b.anchors,
        .nanchors = b.nanchors,
        .features = d->features | shape_features(s),
        .probe = s->kind == FB_ALONE && s->depth == 2,
        .hostname_mismatch = d->hostname_mismatch,
    };
    return fb_add_orders(m, g, gname, &spec, b.sent, b.nsent);
}

static bool same_list(const int *a, const int *b, int n)
{
    return memcmp(a, b, (size_t)n * sizeof(*a)) == 0;
}

/* A keyed shuffle that differs from both the declared and the reversed order; false when the
 * list is too short to have one. The key is the case id (plus a retry counter), never the
 * suite seed, so the expectations do not depend on the seed. */
static bool shuffled(int *out, const int *declared, const int *reversed, int n, const char *id)
{
    if (n < 4)
        return false; /* leaf + 2: the two orders of the tail are declared and reversed */
    char key[CP_ID_MAX + 8];
    for (int k = 0; k < 32; k++) {
        memcpy(out, declared, (size_t)n * sizeof(*out));
        if (cp_model_fmt(key, sizeof(key), "%s#%d", id, k))
            return false;
        cp_order_shuffle(out, n, k ? key : id);
        if (!same_list(out, declared, n) && !same_list(out, reversed, n))
            return true;
    }
    return false;
}

static int add_one(struct cp_model *m, struct cp_graph *g, const char *prefix, const char *order,
                   const struct cp_case_spec *spec, const int *sent, int n, uint64_t extra)
{
    char id[CP_ID_MAX];
    int rc = cp_model_fmt(id, sizeof(id), "%s/%s", prefix, order);
    if (rc)
        return rc;
    struct cp_case_spec one = *spec;
    one.id = id;
    one.sent = sent;
    one.nsent = n;
    one.features |= extra;
    one.probe = spec->probe && extra == 0;
    return cp_model_case(m, g, &one);
}

int fb_add_orders(struct cp_model *m, struct cp_graph *g, const char *id_prefix,
                  const struct cp_case_spec *spec, const int *declared, int n)
{
    int rev[CP_MAX_SENT], shuf[CP_MAX_SENT];
    char sid[CP_ID_MAX];
    if (n < 1 || n > CP_MAX_SENT)
        return cp_error_set(CP_E_ARG, "graph %s: %d certificates to send", id_prefix, n);
    int rc = add_one(m, g, id_prefix, "declared", spec, declared, n, 0);
    if (rc || n < 3)
        return rc;
    memcpy(rev, declared, (size_t)n * sizeof(*rev));
    cp_order_reverse(rev, n);
    if ((rc = add_one(m, g, id_prefix, "reversed", spec, rev, n, CP_F_ORDERING)))
        return rc;
    if ((rc = cp_model_fmt(sid, sizeof(sid), "%s/shuffled", id_prefix)))
        return rc;
    if (!shuffled(shuf, declared, rev, n, sid))
        return 0;
    return add_one(m, g, id_prefix, "shuffled", spec, shuf, n, CP_F_ORDERING);
}

/* Whether d's scope includes shape s (fb_scope says why scopes differ). */
static bool in_scope(const struct fb_defect *d, const struct fb_shape *s)
{
    unsigned depths = d->depths ? d->depths : FB_DEPTH2 | FB_DEPTH3;
    if (!(depths & (s->depth == 2 ? FB_DEPTH2 : FB_DEPTH3)))
        return false;
    if (d->target == FB_AT_LEAF) /* every branch is good: one graph per shape suffices */
        return s->kind == FB_ALONE || s->depth == 2;
    /* A rekey graph has a single root; an untrusted root's own certificate is never seen. */
    if (d->target == FB_AT_ANCHOR && (s->kind == FB_REKEY || s->trust == FB_TRUST_GOOD))
        return false;
    if (d->scope == FB_LIGHT && s->kind != FB_ALONE)
        return s->pos == FB_FIRST && (s->trust == FB_TRUST_BOTH || d->target == FB_AT_ANCHOR);
    return true;
}

static int run_kind(struct cp_model *m, const char *family, const struct fb_defect *d,
                    enum fb_kind kind, int depth)
{
    static const enum fb_pos branch_pos[] = {FB_FIRST, FB_SECOND, FB_BOTH};
    static const enum fb_pos alone_pos[] = {FB_FIRST};
    static const enum fb_pos leaf_pos[] = {FB_NONE};
    const enum fb_pos *pos = d->target == FB_AT_LEAF ? leaf_pos
                             : kind == FB_ALONE      ? alone_pos
                                                     : branch_pos;
    size_t npos = d->target == FB_AT_LEAF || kind == FB_ALONE ? 1 : CP_ARRAY_LEN(branch_pos);
    for (size_t p = 0; p < npos; p++) {
        /* Only a cross graph with one bad branch has three trust sets worth telling apart. */
        bool trusts = kind == FB_CROSS && (pos[p] == FB_FIRST || pos[p] == FB_SECOND);
        for (int t = FB_TRUST_BOTH; t <= (trusts ? FB_TRUST_BAD : FB_TRUST_BOTH); t++) {
            struct fb_shape s = {
                .kind = kind, .depth = depth, .pos = pos[p], .trust = (enum fb_trust)t};
            int rc = in_scope(d, &s) ? fb_build(m, family, d, &s) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

int fb_run_defect(struct cp_model *m, const char *family, const struct fb_defect *d)
{
    for (int kind = FB_ALONE; kind <= FB_REKEY; kind++) {
        for (int depth = 2; depth <= 3; depth++) {
            int rc = run_kind(m, family, d, (enum fb_kind)kind, depth);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int fb_run_defects(struct cp_model *m, const char *family, const struct fb_defect *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = fb_run_defect(m, family, &d[i]);
        if (rc)
            return rc;
    }
    return 0;
}
