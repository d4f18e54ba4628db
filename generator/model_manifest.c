/*
 * model_manifest.c - the model and its minted certificates as a struct cp_manifest, written
 * through the manifest part (manifest/cp_manifest.h), the one writer of manifest.json.
 *
 * Certificates are referred to by id "<graph tag>/<index>"; certificate n of graph g is entry
 * first[g] + n of the manifest's list.
 */
#include "cp_manifest.h"
#include "cp_suite_internal.h"

#include <inttypes.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 under both mbedTLS 2.28 (mbedtls_sha256_ret) and 3.x (mbedtls_sha256). */
static void cp_sha256(const unsigned char *in, size_t len, unsigned char out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256(in, len, out, 0);
#else
    mbedtls_sha256_ret(in, len, out, 0);
#endif
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* A formatted string the manifest owns; NULL when out of memory. */
static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
    char buf[CP_MANIFEST_PATH_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return strdup(buf);
}

static int fill_cert(struct cp_manifest_cert *out, const struct cp_graph *g, int i,
                     const struct cp_minted *mt)
{
    const struct cp_cert *c = &g->certs[i];
    char digest_hex[65], defects[256];
    unsigned char digest[32];
    cp_cert_describe_defects(g, c, defects, sizeof(defects));
    cp_sha256(mt->der[i], mt->len[i], digest);
    hex(digest, sizeof(digest), digest_hex);
    out->id = dup_printf("%s/%d", g->tag, i);
    out->label = strdup(c->label);
    out->graph = strdup(g->name);
    out->issuer = strdup(g->entities[g->entities[c->issuer].name_of].label);
    out->subject = strdup(g->entities[g->entities[c->subject].name_of].label);
    out->file = dup_printf("certs/%s/%d.pem", g->tag, i);
    out->sha256 = strdup(digest_hex);
    /* How the certificate differs from its role's default profile ("" when it does not), so
     * reports can mark the bad edges of a graph. */
    out->defects = strdup(defects);
    if (!out->id || !out->label || !out->graph || !out->issuer || !out->subject || !out->file ||
        !out->sha256 || !out->defects)
        return cp_error_set(CP_E_NOMEM, "out of memory building manifest.json");
    return 0;
}

static int fill_path(struct cp_manifest_path *out, const struct cp_path *p, int first)
{
    if (!(out->certs = calloc((size_t)p->len + 1, sizeof(*out->certs))))
        return cp_error_set(CP_E_NOMEM, "out of memory building manifest.json");
    for (out->n = 0; out->n < p->len; out->n++)
        out->certs[out->n] = first + p->certs[out->n];
    return 0;
}

static int fill_expect(struct cp_manifest_expect *out, const struct cp_expect *e, int first)
{
    int rc;
    out->accept = e->outcome == CP_OUTCOME_ACCEPT;
    out->paths_all = e->paths_all;
    out->rejected_all = e->rejected_all;
    /* "none" is a name in the list, never a reason something was ruled out. */
    out->reasons = e->reasons & ~(UINT64_C(1) << CP_R_NONE);
    if (!(out->paths = calloc((size_t)e->npaths + 1, sizeof(*out->paths))) ||
        !(out->rejected = calloc((size_t)e->nrejected + 1, sizeof(*out->rejected))))
        return cp_error_set(CP_E_NOMEM, "out of memory building manifest.json");
    for (; out->npaths < e->npaths; out->npaths++) {
        if ((rc = fill_path(&out->paths[out->npaths], &e->paths[out->npaths], first)))
            return rc;
    }
    for (; out->nrejected < e->nrejected; out->nrejected++) {
        const struct cp_rejected *r = &e->rejected[out->nrejected];
        struct cp_manifest_rejected *x = &out->rejected[out->nrejected];
        x->reason = (int)r->reason;
        x->at = first + r->at;
        if ((rc = fill_path(&x->path, &r->path, first)))
            return rc;
    }
    return 0;
}

static int fill_case(struct cp_manifest_case *out, const struct cp_model *m,
                     const struct cp_case *c, int first)
{
    const struct cp_graph *g = &m->graphs[c->graph];
    int rc;
    out->id = strdup(c->id);
    out->family = strdup(c->family);
    out->description = strdup(c->description);
    out->graph = strdup(g->name);
    out->hostname = strdup(c->hostname);
    out->dir = dup_printf("cases/%s", c->id);
    out->sent = calloc((size_t)c->nsent + 1, sizeof(*out->sent));
    out->anchors = calloc((size_t)c->nanchors + 1, sizeof(*out->anchors));
    if (!out->id || !out->family || !out->description || !out->graph || !out->hostname ||
        !out->dir || !out->sent || !out->anchors)
        return cp_error_set(CP_E_NOMEM, "out of memory building manifest.json");
    out->features = c->features;
    out->probe = c->probe;
    out->leaf = first + c->leaf;
    for (; out->nsent < c->nsent; out->nsent++)
        out->sent[out->nsent] = first + c->sent[out->nsent];
    for (; out->nanchors < c->nanchors; out->nanchors++)
        out->anchors[out->nanchors] = first + cp_graph_self_signed(g, c->anchors[out->nanchors]);
    for (int p = 0; p < CP_PROFILE_COUNT; p++) {
        if ((rc = fill_expect(&out->expect[p], &c->expect[p], first)))
            return rc;
    }
    return 0;
}

static int fill_header(struct cp_manifest *man, const struct cp_model *m,
                       const struct cp_gen_opts *o, const char *suite_id, int ncerts)
{
    const char *profiles[CP_PROFILE_COUNT], *features[CP_FEATURE_COUNT], *reasons[CP_REASON_COUNT];
    for (int i = 0; i < CP_PROFILE_COUNT; i++)
        profiles[i] = cp_profile_name((enum cp_profile)i);
    for (int i = 0; i < CP_FEATURE_COUNT; i++)
        features[i] = cp_feature_name(i);
    for (int i = 0; i < CP_REASON_COUNT; i++)
        reasons[i] = cp_reason_name((enum cp_reason)i);
    /* The names family's own features and reasons are listed only when a case has one, so a
     * suite without it keeps its manifest byte for byte (cp_model.h). Either list keeps its
     * names at the model's bit positions: the extra names come last. */
    bool extra_f = false, extra_r = false;
    for (int i = 0; i < m->ncases; i++) {
        extra_f = extra_f || (m->cases[i].features & CP_F_NAMES_FACETS) != 0;
        for (int p = 0; p < CP_PROFILE_COUNT; p++)
            extra_r = extra_r || (m->cases[i].expect[p].reasons >> CP_REASON_CORE_COUNT) != 0;
    }
    int rc = cp_manifest_alloc(man, profiles, CP_PROFILE_COUNT, features,
                               extra_f ? CP_FEATURE_COUNT : CP_FEATURE_CORE_COUNT, reasons,
                               extra_r ? CP_REASON_COUNT : CP_REASON_CORE_COUNT, ncerts, m->ncases);
    if (rc)
        return rc;
    man->seed = o->seed;
    man->vtime = o->vtime;
    man->suite_id = strdup(suite_id);
    man->generator = strdup("certpath " CP_VERSION);
    man->minted_with = strdup("mbedTLS " MBEDTLS_VERSION_STRING);
    if (!man->suite_id || !man->generator || !man->minted_with)
        return cp_error_set(CP_E_NOMEM, "out of memory building manifest.json");
    return 0;
}

int cp_suite_write_manifest(const struct cp_model *m, const struct cp_gen_opts *o,
                            const struct cp_minted *minted, const char *suite_id, const char *dir)
{
    struct cp_manifest man;
    int *first = calloc((size_t)m->ngraphs + 1, sizeof(*first)), ncerts = 0, rc = CP_E_NOMEM;
    cp_manifest_init(&man);
    if (!first) {
        cp_error_set(rc, "out of memory building manifest.json");
        goto out;
    }
    for (int gi = 0; gi < m->ngraphs; gi++) {
        first[gi] = ncerts;
        ncerts += m->graphs[gi].ncerts;
    }
    if ((rc = fill_header(&man, m, o, suite_id, ncerts)))
        goto out;
    for (int gi = 0; gi < m->ngraphs; gi++) {
        for (int i = 0; i < m->graphs[gi].ncerts; i++) {
            if ((rc = fill_cert(&man.certs[first[gi] + i], &m->graphs[gi], i, &minted[gi])))
                goto out;
        }
    }
    for (int i = 0; i < m->ncases; i++) {
        if ((rc = fill_case(&man.cases[i], m, &m->cases[i], first[m->cases[i].graph])))
            goto out;
    }
    rc = cp_manifest_write(&man, dir);
out:
    cp_manifest_free(&man);
    free(first);
    return rc;
}
