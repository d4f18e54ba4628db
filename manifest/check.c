/*
 * check.c - what a struct cp_manifest must satisfy, whoever filled it: the reader runs this last,
 * the writer first, so the limits live in one place and what one writes the other reads.
 */
#include "cp_common.h"
#include "cp_manifest.h"
#include "manifest_internal.h"

#include <stdio.h>
#include <string.h>

struct ck {
    const char *name;
    const struct cp_manifest *m;
    const char *kind; /* "case", "certificate" or NULL for the header */
    const char *id;
};

static int fail(const struct ck *k, const char *field, const char *what)
{
    if (k->kind)
        return cp_error_set(CP_E_FORMAT, "%s: %s %.*s: \"%s\" %s", k->name, k->kind,
                            CP_MANIFEST_ID_MAX, k->id ? k->id : "(no id)", field, what);
    return cp_error_set(CP_E_FORMAT, "%s: \"%s\" %s", k->name, field, what);
}

static int check_str(const struct ck *k, const char *field, const char *s, size_t min, size_t max)
{
    char what[96];
    if (!s)
        return fail(k, field, "is missing");
    size_t n = strlen(s);
    if (n < min || n > max) {
        snprintf(what, sizeof(what), "is %zu characters long, %zu to %zu allowed", n, min, max);
        return fail(k, field, what);
    }
    return 0;
}

static bool hex_string(const char *s)
{
    for (; *s; s++) {
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    }
    return true;
}

/* A path inside the suite: relative, and never climbing out of it through "..". */
static int check_rel_path(const struct ck *k, const char *field, const char *p)
{
    int rc = check_str(k, field, p, 1, CP_MANIFEST_PATH_MAX);
    if (rc)
        return rc;
    if (p[0] == '/')
        return fail(k, field, "is an absolute path; paths are relative to the suite directory");
    for (const char *c = p; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c)) {
        if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
            return fail(k, field, "climbs out of the suite directory (\"..\")");
    }
    return 0;
}

static int check_names(const struct ck *k, const char *field, char *const *names, int n, int min,
                       int max)
{
    char what[96];
    int rc;
    if (n < min || n > max || (n > 0 && !names)) {
        snprintf(what, sizeof(what), "has %d names, %d to %d allowed", n, min, max);
        return fail(k, field, what);
    }
    for (int i = 0; i < n; i++) {
        if ((rc = check_str(k, field, names[i], 1, CP_MANIFEST_NAME_MAX)))
            return rc;
        if (cp_manifest_name_index(names, i, names[i]) >= 0) {
            snprintf(what, sizeof(what), "names \"%s\" twice", names[i]);
            return fail(k, field, what);
        }
    }
    return 0;
}

static int check_count(const struct ck *k, const char *field, int n, int min, int max)
{
    char what[96];
    if (n >= min && n <= max)
        return 0;
    snprintf(what, sizeof(what), "has %d entries, %d to %d allowed", n, min, max);
    return fail(k, field, what);
}

static int check_refs(const struct ck *k, const char *field, const int *refs, int n)
{
    for (int i = 0; i < n; i++) {
        if (!refs || refs[i] < 0 || refs[i] >= k->m->ncerts)
            return fail(k, field, "refers to a certificate the manifest does not hold");
    }
    return 0;
}

static int check_path(const struct ck *k, const char *field, const struct cp_manifest_path *p)
{
    int rc = check_count(k, field, p->n, 1, CP_MANIFEST_MAX_DEPTH);
    return rc ? rc : check_refs(k, field, p->certs, p->n);
}

static int check_expect(const struct ck *k, const struct cp_manifest_expect *e)
{
    int rc;
    if ((rc = check_count(k, "paths", e->npaths, 0, CP_MANIFEST_MAX_LISTED)) ||
        (rc = check_count(k, "rejected", e->nrejected, 0, CP_MANIFEST_MAX_LISTED)))
        return rc;
    if (e->paths_all < e->npaths || e->paths_all > CP_MANIFEST_COUNT_MAX)
        return fail(k, "npaths", "is below the paths listed or above 2^53 - 1");
    if (e->rejected_all < e->nrejected || e->rejected_all > CP_MANIFEST_COUNT_MAX)
        return fail(k, "nrejected", "is below the candidates listed or above 2^53 - 1");
    if (k->m->nreasons < 64 && (e->reasons >> k->m->nreasons))
        return fail(k, "reasons", "holds a reason the manifest does not name");
    for (int i = 0; i < e->npaths; i++) {
        if ((rc = check_path(k, "paths", &e->paths[i])))
            return rc;
    }
    for (int i = 0; i < e->nrejected; i++) {
        const struct cp_manifest_rejected *x = &e->rejected[i];
        if ((rc = check_path(k, "rejected", &x->path)) || (rc = check_refs(k, "at", &x->at, 1)))
            return rc;
        if (x->reason < 0 || x->reason >= k->m->nreasons)
            return fail(k, "reason", "is not one of the manifest's reasons");
    }
    return 0;
}

static int check_case(struct ck *k, const struct cp_manifest_case *c)
{
    int rc;
    k->kind = "case";
    k->id = c->id;
    if ((rc = check_str(k, "id", c->id, 1, CP_MANIFEST_ID_MAX)) ||
        (rc = check_str(k, "family", c->family, 1, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "description", c->description, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "graph", c->graph, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "hostname", c->hostname, 0, CP_MANIFEST_HOST_MAX)) ||
        (rc = check_rel_path(k, "dir", c->dir)) || (rc = check_refs(k, "leaf", &c->leaf, 1)) ||
        (rc = check_count(k, "sent", c->nsent, 1, CP_MANIFEST_MAX_SENT)) ||
        (rc = check_refs(k, "sent", c->sent, c->nsent)) ||
        (rc = check_count(k, "anchors", c->nanchors, 0, CP_MANIFEST_MAX_ANCHORS)) ||
        (rc = check_refs(k, "anchors", c->anchors, c->nanchors)))
        return rc;
    if (c->own_time && (c->vtime < CP_MANIFEST_TIME_MIN || c->vtime > CP_MANIFEST_TIME_MAX))
        return fail(k, "validation_time_unix", "is outside [0, 253402300799] (1970 to 9999)");
    if (c->skip && (rc = check_str(k, "skip", c->skip, 1, CP_MANIFEST_TEXT_MAX)))
        return rc;
    if (k->m->nfeatures < 64 && (c->features >> k->m->nfeatures))
        return fail(k, "features", "holds a feature the manifest does not name");
    if (!c->expect)
        return fail(k, "expect", "is missing");
    for (int p = 0; p < k->m->nprofiles; p++) {
        if ((rc = check_expect(k, &c->expect[p])))
            return rc;
    }
    return 0;
}

static int check_cert(struct ck *k, const struct cp_manifest_cert *c)
{
    int rc;
    k->kind = "certificate";
    k->id = c->id;
    if ((rc = check_str(k, "id", c->id, 1, CP_MANIFEST_ID_MAX)) ||
        (rc = check_str(k, "label", c->label, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "graph", c->graph, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "issuer", c->issuer, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "subject", c->subject, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_rel_path(k, "file", c->file)) ||
        (rc = check_str(k, "sha256", c->sha256, 64, 64)) ||
        (rc = check_str(k, "defects", c->defects, 0, CP_MANIFEST_TEXT_MAX)))
        return rc;
    if (!hex_string(c->sha256))
        return fail(k, "sha256", "is not 64 lowercase hex digits");
    return 0;
}

static int check_header(const struct ck *k)
{
    const struct cp_manifest *m = k->m;
    int rc;
    if ((rc = check_str(k, "suite_id", m->suite_id, 1, CP_MANIFEST_SUITE_ID_MAX)))
        return rc;
    if (!hex_string(m->suite_id))
        return fail(k, "suite_id", "is not lowercase hex");
    if ((rc = check_str(k, "generator", m->generator, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_str(k, "minted_with", m->minted_with, 0, CP_MANIFEST_TEXT_MAX)) ||
        (rc = check_names(k, "profiles", m->profiles, m->nprofiles, 1, CP_MANIFEST_MAX_PROFILES)) ||
        (rc = check_names(k, "features", m->features, m->nfeatures, 0, CP_MANIFEST_MAX_NAMES)) ||
        (rc = check_names(k, "reasons", m->reasons, m->nreasons, 1, CP_MANIFEST_MAX_NAMES)) ||
        (rc = check_count(k, "certs", m->ncerts, 1, CP_MANIFEST_MAX_CERTS)) ||
        (rc = check_count(k, "cases", m->ncases, 1, CP_MANIFEST_MAX_CASES)))
        return rc;
    if (m->vtime < CP_MANIFEST_TIME_MIN || m->vtime > CP_MANIFEST_TIME_MAX)
        return fail(k, "validation_time_unix", "is outside [0, 253402300799] (1970 to 9999)");
    if (!m->certs || !m->cases)
        return fail(k, m->certs ? "cases" : "certs", "is missing");
    return 0;
}

int cp_manifest_check(struct cp_manifest *m, const char *name)
{
    struct ck k = {.name = name, .m = m};
    int rc;
    if ((rc = check_header(&k)))
        return rc;
    for (int i = 0; i < m->ncerts; i++) {
        if ((rc = check_cert(&k, &m->certs[i])))
            return rc;
    }
    for (int i = 0; i < m->ncases; i++) {
        if ((rc = check_case(&k, &m->cases[i])))
            return rc;
    }
    if ((rc = cp_manifest_index_certs(m, name)))
        return rc;
    return cp_manifest_index_cases(m, name);
}
