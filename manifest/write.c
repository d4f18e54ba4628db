/*
 * write.c - a struct cp_manifest as manifest.json. Members go out in one fixed order and
 * numbers as cJSON prints them, so the same struct gives the same bytes (suites are
 * byte-identical for a seed and a time).
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_manifest.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON reports allocation failure by returning NULL from any constructor; each builder checks
 * and the caller reports one out-of-memory error. */
#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            goto nomem;                                                                            \
    } while (0)

static cJSON *cert_ref(const struct cp_manifest *m, int i)
{
    return cJSON_CreateString(m->certs[i].id);
}

static cJSON *refs_json(const struct cp_manifest *m, const int *refs, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) {
        if (!cJSON_AddItemToArray(a, cert_ref(m, refs[i])))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *bits_json(char *const *names, int n, uint64_t bits)
{
    cJSON *a = cJSON_CreateArray();
    for (int b = 0; a && b < n; b++) {
        if ((bits & (UINT64_C(1) << b)) && !cJSON_AddItemToArray(a, cJSON_CreateString(names[b])))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *expect_json(const struct cp_manifest *m, const struct cp_manifest_expect *e)
{
    cJSON *o = cJSON_CreateObject(), *paths = NULL, *rej = NULL;
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "outcome", e->accept ? "accept" : "reject"));
    CHECK(paths = cJSON_AddArrayToObject(o, "paths"));
    for (int i = 0; i < e->npaths; i++)
        CHECK(cJSON_AddItemToArray(paths, refs_json(m, e->paths[i].certs, e->paths[i].n)));
    CHECK(cJSON_AddNumberToObject(o, "npaths", (double)e->paths_all));
    CHECK(cJSON_AddItemToObject(o, "reasons", bits_json(m->reasons, m->nreasons, e->reasons)));
    CHECK(rej = cJSON_AddArrayToObject(o, "rejected"));
    for (int i = 0; i < e->nrejected; i++) {
        const struct cp_manifest_rejected *x = &e->rejected[i];
        cJSON *r = cJSON_CreateObject();
        CHECK(r && cJSON_AddItemToArray(rej, r));
        CHECK(cJSON_AddItemToObject(r, "path", refs_json(m, x->path.certs, x->path.n)));
        CHECK(cJSON_AddStringToObject(r, "reason", m->reasons[x->reason]));
        CHECK(cJSON_AddItemToObject(r, "at", cert_ref(m, x->at)));
    }
    CHECK(cJSON_AddNumberToObject(o, "nrejected", (double)e->rejected_all));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *case_json(const struct cp_manifest *m, const struct cp_manifest_case *c)
{
    cJSON *o = cJSON_CreateObject(), *ex;
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "id", c->id));
    CHECK(cJSON_AddStringToObject(o, "family", c->family));
    CHECK(cJSON_AddStringToObject(o, "description", c->description));
    CHECK(cJSON_AddStringToObject(o, "graph", c->graph));
    CHECK(cJSON_AddStringToObject(o, "hostname", c->hostname));
    CHECK(cJSON_AddItemToObject(o, "features", bits_json(m->features, m->nfeatures, c->features)));
    CHECK(cJSON_AddBoolToObject(o, "probe", c->probe));
    CHECK(cJSON_AddStringToObject(o, "dir", c->dir));
    CHECK(cJSON_AddItemToObject(o, "leaf", cert_ref(m, c->leaf)));
    CHECK(cJSON_AddItemToObject(o, "sent", refs_json(m, c->sent, c->nsent)));
    CHECK(cJSON_AddItemToObject(o, "anchors", refs_json(m, c->anchors, c->nanchors)));
    /* Only an importer's cases carry these, so generated suites keep their bytes. */
    if (c->own_time) {
        char t[32];
        cp_manifest_time_format(c->vtime, t, sizeof(t));
        CHECK(cJSON_AddStringToObject(o, "validation_time", t));
        CHECK(cJSON_AddNumberToObject(o, "validation_time_unix", (double)c->vtime));
    }
    if (c->skip)
        CHECK(cJSON_AddStringToObject(o, "skip", c->skip));
    CHECK(ex = cJSON_AddObjectToObject(o, "expect"));
    for (int p = 0; p < m->nprofiles; p++)
        CHECK(cJSON_AddItemToObject(ex, m->profiles[p], expect_json(m, &c->expect[p])));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *cert_json(const struct cp_manifest_cert *c)
{
    cJSON *o = cJSON_CreateObject();
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "id", c->id));
    CHECK(cJSON_AddStringToObject(o, "label", c->label));
    CHECK(cJSON_AddStringToObject(o, "graph", c->graph));
    CHECK(cJSON_AddStringToObject(o, "issuer", c->issuer));
    CHECK(cJSON_AddStringToObject(o, "subject", c->subject));
    CHECK(cJSON_AddStringToObject(o, "file", c->file));
    CHECK(cJSON_AddStringToObject(o, "sha256", c->sha256));
    CHECK(cJSON_AddStringToObject(o, "defects", c->defects));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *names_json(char *const *names, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) {
        if (!cJSON_AddItemToArray(a, cJSON_CreateString(names[i])))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *manifest_json(const struct cp_manifest *m)
{
    cJSON *root = cJSON_CreateObject(), *certs, *cases;
    char t[32], seed[24];
    CHECK(root);
    cp_manifest_time_format(m->vtime, t, sizeof(t));
    snprintf(seed, sizeof(seed), "%" PRIu64, m->seed);
    CHECK(cJSON_AddStringToObject(root, "format", CP_MANIFEST_FORMAT));
    CHECK(cJSON_AddNumberToObject(root, "format_version", CP_MANIFEST_FORMAT_VERSION));
    CHECK(cJSON_AddStringToObject(root, "suite_id", m->suite_id));
    CHECK(cJSON_AddStringToObject(root, "generator", m->generator));
    CHECK(cJSON_AddStringToObject(root, "minted_with", m->minted_with));
    CHECK(cJSON_AddStringToObject(root, "seed", seed));
    CHECK(cJSON_AddStringToObject(root, "validation_time", t));
    CHECK(cJSON_AddNumberToObject(root, "validation_time_unix", (double)m->vtime));
    CHECK(cJSON_AddItemToObject(root, "profiles", names_json(m->profiles, m->nprofiles)));
    CHECK(cJSON_AddItemToObject(root, "features", names_json(m->features, m->nfeatures)));
    CHECK(cJSON_AddItemToObject(root, "reasons", names_json(m->reasons, m->nreasons)));
    CHECK(certs = cJSON_AddArrayToObject(root, "certs"));
    for (int i = 0; i < m->ncerts; i++)
        CHECK(cJSON_AddItemToArray(certs, cert_json(&m->certs[i])));
    CHECK(cases = cJSON_AddArrayToObject(root, "cases"));
    for (int i = 0; i < m->ncases; i++)
        CHECK(cJSON_AddItemToArray(cases, case_json(m, &m->cases[i])));
    return root;
nomem:
    cJSON_Delete(root);
    return NULL;
}

int cp_manifest_write(struct cp_manifest *m, const char *dir)
{
    char path[PATH_MAX], *text = NULL;
    cJSON *root = NULL;
    int rc;
    if (snprintf(path, sizeof(path), "%s/" CP_MANIFEST_FILE, dir) >= (int)sizeof(path))
        return cp_error_set(CP_E_LIMIT, "path %s/" CP_MANIFEST_FILE " is too long", dir);
    if ((rc = cp_manifest_check(m, path)))
        return rc;
    if (!(root = manifest_json(m)) || !(text = cJSON_Print(root))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory writing %s", path);
        goto out;
    }
    rc = cp_fs_write_atomic(path, text, strlen(text));
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}
