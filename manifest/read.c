/*
 * read.c - manifest.json into a struct cp_manifest: every member's JSON type checked, every
 * number range-checked before it is converted, every name and certificate reference resolved.
 * What the struct itself must satisfy (lengths, counts, uniqueness) is cp_manifest_check()'s,
 * shared with the writer, which runs last.
 *
 * Messages read "FILE: case ID: \"field\" ...", so a bad manifest names the place to look.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_manifest.h"
#include "manifest_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Where the reader is, for messages. */
struct rd {
    const char *name;                    /* the file */
    char where[CP_MANIFEST_ID_MAX + 32]; /* "case ID: ", "certificate ID: " or "" */
    struct cp_manifest *m;
};

static int bad(const struct rd *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(const struct rd *r, const char *field, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return cp_error_set(CP_E_FORMAT, "%s: %s\"%s\" %s", r->name, r->where, field, what);
}

static int nomem(const struct rd *r)
{
    return cp_error_set(CP_E_NOMEM, "out of memory reading %s", r->name);
}

static const cJSON *member(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A string member, copied; bounded here so a huge string is refused before it is copied. */
static int get_str(const struct rd *r, const cJSON *o, const char *key, size_t max, char **out)
{
    const cJSON *v = member(o, key);
    if (!cJSON_IsString(v))
        return bad(r, key, "is missing or not a string");
    size_t n = strlen(v->valuestring);
    if (n > max)
        return bad(r, key, "is %zu characters long, at most %zu", n, max);
    if (!(*out = strdup(v->valuestring)))
        return nomem(r);
    return 0;
}

/* An integral number member within [lo, hi], compared as a double before any conversion. */
static int get_int(const struct rd *r, const cJSON *o, const char *key, int64_t lo, int64_t hi,
                   int64_t *out)
{
    const cJSON *v = member(o, key);
    if (!cJSON_IsNumber(v))
        return bad(r, key, "is missing or not a number");
    double d = v->valuedouble;
    /* NaN fails both comparisons; lo and hi are exact in a double (|x| <= 2^53). */
    if (!(d >= (double)lo && d <= (double)hi))
        return bad(r, key, "is %g, outside [%lld, %lld]", d, (long long)lo, (long long)hi);
    int64_t i = (int64_t)d;
    if ((double)i != d)
        return bad(r, key, "is %g, not a whole number", d);
    *out = i;
    return 0;
}

/* An array member of at most max entries (counted before anything is allocated). */
static int get_array(const struct rd *r, const cJSON *o, const char *key, int min, int max,
                     const cJSON **out, int *n)
{
    const cJSON *a = member(o, key);
    /* The out-parameters are set on every path, so no caller reads them uninitialised. */
    *out = NULL;
    *n = 0;
    if (!cJSON_IsArray(a))
        return bad(r, key, "is missing or not a list");
    *n = cJSON_GetArraySize(a);
    if (*n < min || *n > max)
        return bad(r, key, "has %d entries, %d to %d allowed", *n, min, max);
    *out = a;
    return 0;
}

static int get_names(const struct rd *r, const cJSON *root, const char *key, int min, int max,
                     char ***names, int *n)
{
    const cJSON *a, *it;
    int count, rc;
    if ((rc = get_array(r, root, key, min, max, &a, &count)))
        return rc;
    if (!(*names = calloc((size_t)count + 1, sizeof(**names))))
        return nomem(r);
    *n = 0;
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsString(it))
            return bad(r, key, "holds a non-string");
        if (!((*names)[(*n)++] = strdup(it->valuestring)))
            return nomem(r);
    }
    return 0;
}

/* A certificate reference: an id that names a certificate of the manifest. */
static int cert_ref(const struct rd *r, const cJSON *v, const char *field, int *out)
{
    if (!cJSON_IsString(v))
        return bad(r, field, "holds a non-string certificate id");
    if ((*out = cp_manifest_find_cert(r->m, v->valuestring)) < 0)
        return bad(r, field, "names certificate \"%.80s\", which the manifest does not list",
                   v->valuestring);
    return 0;
}

static int get_refs(const struct rd *r, const cJSON *o, const char *key, int min, int max,
                    int **refs, int *n)
{
    const cJSON *a, *it;
    int count, rc;
    if ((rc = get_array(r, o, key, min, max, &a, &count)))
        return rc;
    if (!(*refs = calloc((size_t)count + 1, sizeof(**refs))))
        return nomem(r);
    *n = 0;
    cJSON_ArrayForEach(it, a)
    {
        if ((rc = cert_ref(r, it, key, &(*refs)[(*n)++])))
            return rc;
    }
    return 0;
}

/* A path: a JSON list of certificate ids (field names it in messages). */
static int get_path(const struct rd *r, const cJSON *a, const char *field,
                    struct cp_manifest_path *p)
{
    const cJSON *it;
    int n = cJSON_GetArraySize(a), rc;
    if (!cJSON_IsArray(a) || n < 1 || n > CP_MANIFEST_MAX_DEPTH)
        return bad(r, field, "holds a path that is not a list of 1 to %d certificate ids",
                   CP_MANIFEST_MAX_DEPTH);
    if (!(p->certs = calloc((size_t)n, sizeof(*p->certs))))
        return nomem(r);
    p->n = 0;
    cJSON_ArrayForEach(it, a)
    {
        if ((rc = cert_ref(r, it, field, &p->certs[p->n++])))
            return rc;
    }
    return 0;
}

/* A set of names from names[0..n) as bits. */
static int get_bits(const struct rd *r, const cJSON *o, const char *key, char *const *names, int n,
                    uint64_t *bits)
{
    const cJSON *a, *it;
    int count, rc;
    if ((rc = get_array(r, o, key, 0, n, &a, &count)))
        return rc;
    *bits = 0;
    cJSON_ArrayForEach(it, a)
    {
        int b = cJSON_IsString(it) ? cp_manifest_name_index(names, n, it->valuestring) : -1;
        if (b < 0)
            return bad(r, key, "holds \"%.64s\", not one of the manifest's names for it",
                       cJSON_IsString(it) ? it->valuestring : "(not a string)");
        if (*bits & (UINT64_C(1) << b))
            return bad(r, key, "holds \"%s\" twice", names[b]);
        *bits |= UINT64_C(1) << b;
    }
    return 0;
}

static int get_rejected(const struct rd *r, const cJSON *j, struct cp_manifest_rejected *x)
{
    const cJSON *reason = member(j, "reason");
    int rc;
    if (!cJSON_IsObject(j))
        return bad(r, "rejected", "holds a non-object");
    if ((rc = get_path(r, member(j, "path"), "rejected", &x->path)))
        return rc;
    x->reason = cJSON_IsString(reason)
                    ? cp_manifest_name_index(r->m->reasons, r->m->nreasons, reason->valuestring)
                    : -1;
    if (x->reason < 0)
        return bad(r, "reason", "of a rejected path is not one of the manifest's reasons");
    return cert_ref(r, member(j, "at"), "at", &x->at);
}

static int get_expect(const struct rd *r, const cJSON *j, const char *profile,
                      struct cp_manifest_expect *e)
{
    const cJSON *outcome = member(j, "outcome"), *a, *it;
    int n, rc;
    if (!cJSON_IsObject(j))
        return bad(r, "expect", "has no \"%s\" expectation", profile);
    if (!cJSON_IsString(outcome) ||
        (strcmp(outcome->valuestring, "accept") && strcmp(outcome->valuestring, "reject")))
        return bad(r, "outcome", "under %s is neither \"accept\" nor \"reject\"", profile);
    e->accept = strcmp(outcome->valuestring, "accept") == 0;
    if ((rc = get_array(r, j, "paths", 0, CP_MANIFEST_MAX_LISTED, &a, &n)))
        return rc;
    if (!(e->paths = calloc((size_t)n + 1, sizeof(*e->paths))))
        return nomem(r);
    cJSON_ArrayForEach(it, a)
    {
        if ((rc = get_path(r, it, "paths", &e->paths[e->npaths++])))
            return rc;
    }
    if ((rc = get_int(r, j, "npaths", 0, CP_MANIFEST_COUNT_MAX, &e->paths_all)) ||
        (rc = get_bits(r, j, "reasons", r->m->reasons, r->m->nreasons, &e->reasons)) ||
        (rc = get_array(r, j, "rejected", 0, CP_MANIFEST_MAX_LISTED, &a, &n)))
        return rc;
    if (!(e->rejected = calloc((size_t)n + 1, sizeof(*e->rejected))))
        return nomem(r);
    cJSON_ArrayForEach(it, a)
    {
        if ((rc = get_rejected(r, it, &e->rejected[e->nrejected++])))
            return rc;
    }
    return get_int(r, j, "nrejected", 0, CP_MANIFEST_COUNT_MAX, &e->rejected_all);
}

static int get_case(struct rd *r, const cJSON *j, int i, struct cp_manifest_case *c)
{
    const cJSON *id = member(j, "id"), *probe = member(j, "probe"), *expect;
    int rc;
    if (!cJSON_IsObject(j))
        return bad(r, "cases", "entry %d is not an object", i);
    if (cJSON_IsString(id))
        snprintf(r->where, sizeof(r->where), "case %.*s: ", CP_MANIFEST_ID_MAX, id->valuestring);
    else
        snprintf(r->where, sizeof(r->where), "case #%d: ", i);
    if ((rc = get_str(r, j, "id", CP_MANIFEST_ID_MAX, &c->id)) ||
        (rc = get_str(r, j, "family", CP_MANIFEST_TEXT_MAX, &c->family)) ||
        (rc = get_str(r, j, "description", CP_MANIFEST_TEXT_MAX, &c->description)) ||
        (rc = get_str(r, j, "graph", CP_MANIFEST_TEXT_MAX, &c->graph)) ||
        (rc = get_str(r, j, "hostname", CP_MANIFEST_HOST_MAX, &c->hostname)) ||
        (rc = get_str(r, j, "dir", CP_MANIFEST_PATH_MAX, &c->dir)) ||
        (rc = get_bits(r, j, "features", r->m->features, r->m->nfeatures, &c->features)))
        return rc;
    if (!cJSON_IsBool(probe))
        return bad(r, "probe", "is missing or not true/false");
    c->probe = cJSON_IsTrue(probe);
    if ((rc = cert_ref(r, member(j, "leaf"), "leaf", &c->leaf)) ||
        (rc = get_refs(r, j, "sent", 1, CP_MANIFEST_MAX_SENT, &c->sent, &c->nsent)) ||
        (rc = get_refs(r, j, "anchors", 0, CP_MANIFEST_MAX_ANCHORS, &c->anchors, &c->nanchors)))
        return rc;
    /* Optional members (an importer's): the case's own validation time, and why it is skipped. */
    if (member(j, "validation_time_unix") || member(j, "validation_time")) {
        const cJSON *vt = member(j, "validation_time");
        int64_t t;
        if ((rc = get_int(r, j, "validation_time_unix", CP_MANIFEST_TIME_MIN, CP_MANIFEST_TIME_MAX,
                          &c->vtime)))
            return rc;
        if (!cJSON_IsString(vt) || cp_manifest_time_parse(vt->valuestring, &t))
            return bad(r, "validation_time", "is not a real date as YYYY-MM-DDTHH:MM:SSZ");
        if (t != c->vtime)
            return bad(r, "validation_time", "%s is not validation_time_unix %lld", vt->valuestring,
                       (long long)c->vtime);
        c->own_time = true;
    }
    if (member(j, "skip") && (rc = get_str(r, j, "skip", CP_MANIFEST_TEXT_MAX, &c->skip)))
        return rc;
    if (!cJSON_IsObject(expect = member(j, "expect")))
        return bad(r, "expect", "is missing or not an object");
    for (int p = 0; p < r->m->nprofiles; p++) {
        if ((rc = get_expect(r, member(expect, r->m->profiles[p]), r->m->profiles[p],
                             &c->expect[p])))
            return rc;
    }
    r->where[0] = '\0';
    return 0;
}

static int get_cert(struct rd *r, const cJSON *j, int i, struct cp_manifest_cert *c)
{
    const cJSON *id = member(j, "id");
    int rc;
    if (!cJSON_IsObject(j))
        return bad(r, "certs", "entry %d is not an object", i);
    if (cJSON_IsString(id))
        snprintf(r->where, sizeof(r->where), "certificate %.*s: ", CP_MANIFEST_ID_MAX,
                 id->valuestring);
    else
        snprintf(r->where, sizeof(r->where), "certificate #%d: ", i);
    if ((rc = get_str(r, j, "id", CP_MANIFEST_ID_MAX, &c->id)) ||
        (rc = get_str(r, j, "label", CP_MANIFEST_TEXT_MAX, &c->label)) ||
        (rc = get_str(r, j, "graph", CP_MANIFEST_TEXT_MAX, &c->graph)) ||
        (rc = get_str(r, j, "issuer", CP_MANIFEST_TEXT_MAX, &c->issuer)) ||
        (rc = get_str(r, j, "subject", CP_MANIFEST_TEXT_MAX, &c->subject)) ||
        (rc = get_str(r, j, "file", CP_MANIFEST_PATH_MAX, &c->file)) ||
        (rc = get_str(r, j, "sha256", 64, &c->sha256)) ||
        (rc = get_str(r, j, "defects", CP_MANIFEST_TEXT_MAX, &c->defects)))
        return rc;
    r->where[0] = '\0';
    return 0;
}

static int get_header(struct rd *r, const cJSON *root)
{
    struct cp_manifest *m = r->m;
    const cJSON *format = member(root, "format"), *seed = member(root, "seed");
    int64_t version, t;
    int rc;
    if (!cJSON_IsString(format) || strcmp(format->valuestring, CP_MANIFEST_FORMAT) != 0)
        return cp_error_set(CP_E_FORMAT,
                            "%s is not a certpath suite manifest (no \"format\": "
                            "\"" CP_MANIFEST_FORMAT "\")",
                            r->name);
    if ((rc = get_int(r, root, "format_version", 0, INT_MAX, &version)))
        return rc;
    if (version != CP_MANIFEST_FORMAT_VERSION)
        return cp_error_set(CP_E_FORMAT,
                            "%s: suite format version %lld, this certpath reads %d; "
                            "regenerate the suite",
                            r->name, (long long)version, CP_MANIFEST_FORMAT_VERSION);
    if ((rc = get_str(r, root, "suite_id", CP_MANIFEST_SUITE_ID_MAX, &m->suite_id)) ||
        (rc = get_str(r, root, "generator", CP_MANIFEST_TEXT_MAX, &m->generator)) ||
        (rc = get_str(r, root, "minted_with", CP_MANIFEST_TEXT_MAX, &m->minted_with)))
        return rc;
    /* The seed is a decimal string: a JSON number cannot carry 64 bits exactly. */
    const char *s = cJSON_IsString(seed) ? seed->valuestring : "";
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s < '0' || *s > '9' || *end || errno == ERANGE || strlen(s) > 20)
        return bad(r, "seed", "is not a decimal string of a 64-bit number");
    m->seed = (uint64_t)v;
    if ((rc = get_int(r, root, "validation_time_unix", CP_MANIFEST_TIME_MIN, CP_MANIFEST_TIME_MAX,
                      &m->vtime)))
        return rc;
    const cJSON *vt = member(root, "validation_time");
    if (!cJSON_IsString(vt) || cp_manifest_time_parse(vt->valuestring, &t))
        return bad(r, "validation_time", "is not a real date as YYYY-MM-DDTHH:MM:SSZ");
    if (t != m->vtime)
        return bad(r, "validation_time", "%s is not validation_time_unix %lld", vt->valuestring,
                   (long long)m->vtime);
    if ((rc = get_names(r, root, "profiles", 1, CP_MANIFEST_MAX_PROFILES, &m->profiles,
                        &m->nprofiles)) ||
        (rc = get_names(r, root, "features", 0, CP_MANIFEST_MAX_NAMES, &m->features,
                        &m->nfeatures)) ||
        (rc = get_names(r, root, "reasons", 1, CP_MANIFEST_MAX_NAMES, &m->reasons, &m->nreasons)))
        return rc;
    return 0;
}

static int get_all(struct rd *r, const cJSON *root)
{
    struct cp_manifest *m = r->m;
    const cJSON *certs, *cases, *it;
    int n, i = 0, rc;
    if (!cJSON_IsObject(root))
        return cp_error_set(CP_E_FORMAT, "%s is not a certpath suite manifest (not an object)",
                            r->name);
    if ((rc = get_header(r, root)) ||
        (rc = get_array(r, root, "certs", 1, CP_MANIFEST_MAX_CERTS, &certs, &n)))
        return rc;
    if (!(m->certs = calloc((size_t)n + 1, sizeof(*m->certs))))
        return nomem(r);
    cJSON_ArrayForEach(it, certs)
    {
        m->ncerts++;
        if ((rc = get_cert(r, it, i, &m->certs[i])))
            return rc;
        i++;
    }
    if ((rc = cp_manifest_index_certs(m, r->name)) ||
        (rc = get_array(r, root, "cases", 1, CP_MANIFEST_MAX_CASES, &cases, &n)) ||
        (rc = cp_manifest_alloc_cases(m, n)))
        return rc;
    i = 0;
    cJSON_ArrayForEach(it, cases)
    {
        if ((rc = get_case(r, it, i, &m->cases[i])))
            return rc;
        i++;
    }
    return cp_manifest_check(m, r->name);
}

int cp_manifest_parse(const char *text, size_t len, const char *name, struct cp_manifest *m)
{
    struct rd r = {.name = name, .m = m};
    cp_manifest_init(m);
    cJSON *root = cJSON_ParseWithLength(text, len);
    int rc;
    if (!root)
        rc = cp_error_set(CP_E_FORMAT, "%s is not valid JSON (truncated or corrupt?)", name);
    else
        rc = get_all(&r, root);
    cJSON_Delete(root);
    if (rc)
        cp_manifest_free(m);
    return rc;
}

int cp_manifest_load(const char *dir, struct cp_manifest *m)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    struct stat st;
    int rc;
    cp_manifest_init(m);
    if (snprintf(path, sizeof(path), "%s/" CP_MANIFEST_FILE, dir) >= (int)sizeof(path))
        return cp_error_set(CP_E_LIMIT, "suite path %s is too long", dir);
    if (stat(path, &st) && errno == ENOENT)
        return cp_error_set(CP_E_NOTFOUND, "no suite at %s (no %s)", dir, path);
    if ((rc = cp_fs_read(path, CP_MANIFEST_MAX_BYTES, &text, &len)))
        return rc;
    rc = cp_manifest_parse(text, len, path, m);
    free(text);
    return rc;
}
