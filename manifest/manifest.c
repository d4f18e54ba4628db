/*
 * manifest.c - a struct cp_manifest's life: init, alloc for makers, free, and the id index
 * (open addressing over FNV-1a; the default suite has thousands of cases and certificates, and
 * the reports look up every one of them).
 */
#include "cp_common.h"
#include "cp_hash.h"
#include "cp_manifest.h"
#include "manifest_internal.h"

#include <stdlib.h>
#include <string.h>

struct id_table {
    int *slot;  /* index + 1, 0 for empty */
    size_t cap; /* a power of two, at least twice the entries */
};

struct cp_manifest_index {
    struct id_table certs, cases;
};

void cp_manifest_init(struct cp_manifest *m)
{
    memset(m, 0, sizeof(*m));
}

static void free_names(char **names, int n)
{
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static void free_path(struct cp_manifest_path *p)
{
    free(p->certs);
}

static void free_expect(struct cp_manifest_expect *e)
{
    for (int i = 0; e->paths && i < e->npaths; i++)
        free_path(&e->paths[i]);
    free(e->paths);
    for (int i = 0; e->rejected && i < e->nrejected; i++)
        free_path(&e->rejected[i].path);
    free(e->rejected);
}

void cp_manifest_case_free(struct cp_manifest_case *c, int nprofiles)
{
    free(c->id);
    free(c->family);
    free(c->description);
    free(c->graph);
    free(c->hostname);
    free(c->dir);
    free(c->sent);
    free(c->anchors);
    free(c->skip);
    for (int p = 0; c->expect && p < nprofiles; p++)
        free_expect(&c->expect[p]);
    free(c->expect);
    memset(c, 0, sizeof(*c));
}

static void free_cert(struct cp_manifest_cert *c)
{
    free(c->id);
    free(c->label);
    free(c->graph);
    free(c->issuer);
    free(c->subject);
    free(c->file);
    free(c->sha256);
    free(c->defects);
}

static void free_index(struct cp_manifest_index *ix)
{
    if (!ix)
        return;
    free(ix->certs.slot);
    free(ix->cases.slot);
    free(ix);
}

void cp_manifest_free(struct cp_manifest *m)
{
    if (!m)
        return;
    free(m->suite_id);
    free(m->generator);
    free(m->minted_with);
    free_names(m->profiles, m->nprofiles);
    free_names(m->features, m->nfeatures);
    free_names(m->reasons, m->nreasons);
    for (int i = 0; m->certs && i < m->ncerts; i++)
        free_cert(&m->certs[i]);
    free(m->certs);
    for (int i = 0; m->cases && i < m->ncases; i++)
        cp_manifest_case_free(&m->cases[i], m->nprofiles);
    free(m->cases);
    free_index(m->index);
    memset(m, 0, sizeof(*m));
}

static int copy_names(char ***out, int *nout, const char *const *names, int n, const char *what)
{
    if (n < 0 || n > CP_MANIFEST_MAX_NAMES)
        return cp_error_set(CP_E_LIMIT, "manifest: %d %s, at most %d", n, what,
                            CP_MANIFEST_MAX_NAMES);
    if (!(*out = calloc((size_t)n + 1, sizeof(**out))))
        return cp_error_set(CP_E_NOMEM, "out of memory for the manifest's %s", what);
    for (*nout = 0; *nout < n; (*nout)++) {
        if (!((*out)[*nout] = strdup(names[*nout])))
            return cp_error_set(CP_E_NOMEM, "out of memory for the manifest's %s", what);
    }
    return 0;
}

int cp_manifest_alloc_cases(struct cp_manifest *m, int ncases)
{
    if (ncases < 0 || ncases > CP_MANIFEST_MAX_CASES)
        return cp_error_set(CP_E_LIMIT, "manifest: %d cases, at most %d", ncases,
                            CP_MANIFEST_MAX_CASES);
    if (!(m->cases = calloc((size_t)ncases + 1, sizeof(*m->cases))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d cases", ncases);
    /* Counted as they are sized, so a failure frees exactly what was made. */
    for (m->ncases = 0; m->ncases < ncases; m->ncases++) {
        struct cp_manifest_case *c = &m->cases[m->ncases];
        if (!(c->expect = calloc((size_t)m->nprofiles + 1, sizeof(*c->expect))))
            return cp_error_set(CP_E_NOMEM, "out of memory for %d cases", ncases);
    }
    return 0;
}

int cp_manifest_alloc(struct cp_manifest *m, const char *const *profiles, int nprofiles,
                      const char *const *features, int nfeatures, const char *const *reasons,
                      int nreasons, int ncerts, int ncases)
{
    int rc;
    if (nprofiles > CP_MANIFEST_MAX_PROFILES)
        return cp_error_set(CP_E_LIMIT, "manifest: %d profiles, at most %d", nprofiles,
                            CP_MANIFEST_MAX_PROFILES);
    if (ncerts < 0 || ncerts > CP_MANIFEST_MAX_CERTS)
        return cp_error_set(CP_E_LIMIT, "manifest: %d certificates, at most %d", ncerts,
                            CP_MANIFEST_MAX_CERTS);
    if ((rc = copy_names(&m->profiles, &m->nprofiles, profiles, nprofiles, "profiles")) ||
        (rc = copy_names(&m->features, &m->nfeatures, features, nfeatures, "features")) ||
        (rc = copy_names(&m->reasons, &m->nreasons, reasons, nreasons, "reasons")))
        return rc;
    if (!(m->certs = calloc((size_t)ncerts + 1, sizeof(*m->certs))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d certificates", ncerts);
    m->ncerts = ncerts;
    return cp_manifest_alloc_cases(m, ncases);
}

int64_t cp_manifest_case_time(const struct cp_manifest *m, const struct cp_manifest_case *c)
{
    return c->own_time ? c->vtime : m->vtime;
}

int cp_manifest_name_index(char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0)
            return i;
    }
    return -1;
}

/* ---- the id index ---- */

static size_t table_cap(int n)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)n)
        cap *= 2;
    return cap;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t probe(const struct id_table *t, const char *id,
                    const char *(*id_of)(const void *, int), const void *arr)
{
    size_t i = (size_t)cp_fnv1a64_str(id) & (t->cap - 1);
    while (t->slot[i] && strcmp(id_of(arr, t->slot[i] - 1), id) != 0)
        i = (i + 1) & (t->cap - 1);
    return i;
}

static const char *cert_id(const void *arr, int i)
{
    return ((const struct cp_manifest_cert *)arr)[i].id;
}

static const char *case_id(const void *arr, int i)
{
    return ((const struct cp_manifest_case *)arr)[i].id;
}

/* Fills t with ids 0..n); the index of the first duplicate in *dup, or -1. */
static int table_build(struct id_table *t, int n, const char *(*id_of)(const void *, int),
                       const void *arr, int *dup)
{
    *dup = -1;
    t->cap = table_cap(n);
    if (!(t->slot = calloc(t->cap, sizeof(*t->slot))))
        return cp_error_set(CP_E_NOMEM, "out of memory indexing %d manifest entries", n);
    for (int i = 0; i < n; i++) {
        size_t s = probe(t, id_of(arr, i), id_of, arr);
        if (t->slot[s]) {
            *dup = i;
            return 0;
        }
        t->slot[s] = i + 1;
    }
    return 0;
}

int cp_manifest_index_certs(struct cp_manifest *m, const char *name)
{
    int rc, dup;
    if (!m->index && !(m->index = calloc(1, sizeof(*m->index))))
        return cp_error_set(CP_E_NOMEM, "out of memory indexing %s", name);
    free(m->index->certs.slot);
    m->index->certs.slot = NULL;
    if ((rc = table_build(&m->index->certs, m->ncerts, cert_id, m->certs, &dup)))
        return rc;
    if (dup >= 0)
        return cp_error_set(CP_E_FORMAT, "%s: certificate id \"%s\" appears twice", name,
                            m->certs[dup].id);
    return 0;
}

int cp_manifest_index_cases(struct cp_manifest *m, const char *name)
{
    int rc, dup;
    if (!m->index && !(m->index = calloc(1, sizeof(*m->index))))
        return cp_error_set(CP_E_NOMEM, "out of memory indexing %s", name);
    free(m->index->cases.slot);
    m->index->cases.slot = NULL;
    if ((rc = table_build(&m->index->cases, m->ncases, case_id, m->cases, &dup)))
        return rc;
    if (dup >= 0)
        return cp_error_set(CP_E_FORMAT, "%s: case id \"%s\" appears twice", name,
                            m->cases[dup].id);
    return 0;
}

int cp_manifest_find_cert(const struct cp_manifest *m, const char *id)
{
    if (!m->index || !m->index->certs.slot || !id)
        return -1;
    return m->index->certs.slot[probe(&m->index->certs, id, cert_id, m->certs)] - 1;
}

int cp_manifest_find_case(const struct cp_manifest *m, const char *id)
{
    if (!m->index || !m->index->cases.slot || !id)
        return -1;
    return m->index->cases.slot[probe(&m->index->cases, id, case_id, m->cases)] - 1;
}
