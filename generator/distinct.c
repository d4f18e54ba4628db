/*
 * distinct.c - counting cases that differ in what a client can see.
 *
 * Two cases are the same test when their graphs have the same shape and certificate attributes,
 * they trust the same entities, send the same list and the hostname fits the leaf the same way;
 * labels, names, keys and serials do not count. BetterTLS's 81 cases hold 72 distinct ones by
 * this measure.
 */
#include "cp_hash.h"
#include "cp_suite_internal.h"

#include <stdlib.h>
#include <string.h>

struct fnv {
    uint64_t h;
};

static void mix(struct fnv *f, const void *p, size_t n)
{
    f->h = cp_fnv1a64_add(f->h, p, n);
}

static void mix_int(struct fnv *f, int64_t v)
{
    mix(f, &v, sizeof(v));
}

static void mix_str(struct fnv *f, const char *s)
{
    mix(f, s, strlen(s) + 1);
}

static void mix_cert(struct fnv *f, const struct cp_graph *g, const struct cp_cert *c,
                     const char *hostname)
{
    int64_t fields[] = {c->issuer,
                        c->subject,
                        c->is_leaf,
                        c->version,
                        c->not_before,
                        c->not_after,
                        c->bc,
                        c->path_len,
                        c->key_usage,
                        c->eku,
                        c->nc_noncritical,
                        c->aki,
                        c->ski,
                        c->kid_entity,
                        c->sig_alg,
                        c->sig_corrupt,
                        c->unknown_critical_ext,
                        g->entities[c->subject].alg,
                        g->entities[c->subject].name_of};
    for (size_t i = 0; i < CP_ARRAY_LEN(fields); i++)
        mix_int(f, fields[i]);
    for (int i = 0; i < c->npermitted; i++)
        mix_str(f, c->nc_permitted[i]);
    mix_int(f, -1);
    for (int i = 0; i < c->nexcluded; i++)
        mix_str(f, c->nc_excluded[i]);
    mix_int(f, -1);
    /* The SAN counts by the names the family chose and by whether it holds this case's
     * hostname; the hostnames of the graph's other cases do not count. */
    for (int i = 0; i < c->nsan_own; i++)
        mix_str(f, c->san[i]);
    bool named = false;
    for (int i = 0; i < c->nsan; i++)
        named = named || strcmp(c->san[i], hostname) == 0;
    mix_int(f, named);
    /* The other GeneralNames and the CN count by value, this case's hostname as a token. */
    const struct cp_names *gn = &c->gn;
    const struct {
        const struct cp_gname *e;
        int n;
    } lists[] = {
        {gn->san, gn->nsan}, {gn->permitted, gn->npermitted}, {gn->excluded, gn->nexcluded}};
    for (size_t l = 0; l < CP_ARRAY_LEN(lists); l++) {
        for (int i = 0; i < lists[l].n; i++) {
            const struct cp_gname *e = &lists[l].e[i];
            mix_int(f, e->type * 256 + e->tag);
            if (e->type == CP_GN_DNS && strcmp(e->value, hostname) == 0)
                mix_int(f, -3);
            else
                mix(f, e->value, (size_t)e->len);
        }
        mix_int(f, -1);
    }
    mix_int(f, gn->cn);
    if (gn->cn == CP_CN_TEXT)
        mix_str(f, strcmp(gn->cn_text, hostname) == 0 ? "" : gn->cn_text);
    mix_str(f, gn->email);
    if (gn->nc_form != CP_NC_DER) /* mixed only when set: the default suite's hashes stay */
        mix_int(f, -100 - (int)gn->nc_form);
}

static uint64_t fingerprint(const struct cp_model *m, const struct cp_case *c)
{
    const struct cp_graph *g = &m->graphs[c->graph];
    struct fnv f = {CP_FNV1A64_INIT};
    mix_int(&f, g->nentities);
    for (int i = 0; i < g->ncerts; i++)
        mix_cert(&f, g, &g->certs[i], c->hostname);
    for (int i = 0; i < c->nanchors; i++)
        mix_int(&f, c->anchors[i]);
    mix_int(&f, -2);
    for (int i = 0; i < c->nsent; i++)
        mix_int(&f, c->sent[i]);
    mix_int(&f, c->leaf);
    return f.h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int cp_model_count_distinct(const struct cp_model *m)
{
    if (m->ncases == 0)
        return 0;
    uint64_t *v = malloc((size_t)m->ncases * sizeof(*v));
    if (!v)
        return cp_error_set(CP_E_NOMEM, "out of memory counting distinct cases");
    for (int i = 0; i < m->ncases; i++)
        v[i] = fingerprint(m, &m->cases[i]);
    qsort(v, (size_t)m->ncases, sizeof(*v), cmp_u64);
    int n = 1;
    for (int i = 1; i < m->ncases; i++)
        n += v[i] != v[i - 1];
    free(v);
    return n;
}
