/* baseline_read.c - a baseline file (docs/baselines.md) read back for the gate. */
#include "baseline_internal.h"
#include "cp_baseline.h"
#include "cp_common.h"
#include "cp_fs.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every case of the default suite in two modes is about a megabyte; far more is not ours. */
#define BL_MAX_BYTES (256u << 20)

static int bad(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return cp_error_set(CP_E_FORMAT, "baseline %s: %s", path, msg);
}

static char *dup_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static int read_header(const char *path, const cJSON *root, struct cp_bl *b)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "format_version");
    const cJSON *suite = cJSON_GetObjectItemCaseSensitive(root, "suite"), *p;
    if (!cJSON_IsString(f) || strcmp(f->valuestring, CP_BASELINE_FORMAT))
        return bad(path, "not a certpath baseline (no \"format\": \"%s\")", CP_BASELINE_FORMAT);
    if (!cJSON_IsNumber(v) || v->valuedouble != CP_BASELINE_FORMAT_VERSION)
        return bad(path,
                   "format_version %g; this certpath (%s) reads %d only; rebuild it with "
                   "`certpath baseline`",
                   cJSON_IsNumber(v) ? v->valuedouble : -1.0, CP_VERSION,
                   CP_BASELINE_FORMAT_VERSION);
    if (!(b->stack = dup_str(root, "stack")) || !(b->seed = dup_str(suite, "seed")) ||
        !(b->generator = dup_str(suite, "generator")))
        return bad(path, "stack, suite.seed or suite.generator is missing");
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(suite, "profiles"))
    {
        if (!cJSON_IsString(p) || b->nprofiles >= CP_RESULTS_MAX_PROFILES)
            return bad(path, "suite.profiles is not a short list of names");
        if (!(b->profiles[b->nprofiles++] = strdup(p->valuestring)))
            return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    }
    if (!b->nprofiles)
        return bad(path, "suite.profiles is missing or empty");
    return 0;
}

static int profile_of(const struct cp_bl *b, const char *name)
{
    for (int p = 0; p < b->nprofiles; p++) {
        if (strcmp(b->profiles[p], name) == 0)
            return p;
    }
    return -1;
}

static int read_outcomes(const char *path, const struct cp_bl *b, const cJSON *sec,
                         struct cp_bl_mode *m)
{
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(sec, "outcomes"), *o;
    int rc;
    if (!cJSON_IsObject(outs))
        return bad(path, "modes.%s.outcomes is missing or not an object", m->name);
    int n = cJSON_GetArraySize(outs);
    if (!(m->cases = calloc((size_t)n + 1, sizeof(*m->cases))) ||
        (rc = cp_rep_map_init(&m->index, (size_t)n + 1)) != 0)
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    cJSON_ArrayForEach(o, outs)
    {
        struct cp_bl_case *c = &m->cases[m->ncases];
        int k = cJSON_IsString(o) ? cp_outcome_kind_lookup(o->valuestring) : -1;
        if (k <= CP_OUT_NONE)
            return bad(path, "modes.%s: case %.160s has no outcome", m->name, o->string);
        if (cp_rep_map_get(&m->index, o->string) >= 0)
            return bad(path, "modes.%s: case %.160s is listed twice", m->name, o->string);
        if (!(c->id = strdup(o->string)))
            return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
        c->outcome = (enum cp_outcome_kind)k;
        /* A case that is no divergence matched the oracle under every profile. */
        for (int p = 0; p < b->nprofiles; p++)
            c->expect[p] = k == CP_OUT_ACCEPT ? 1 : k == CP_OUT_REJECT ? 0 : -1;
        if ((rc = cp_rep_map_put(&m->index, c->id, m->ncases)))
            return rc;
        m->ncases++;
    }
    return 0;
}

static int read_divergence(const char *path, const struct cp_bl *b, const cJSON *d,
                           struct cp_bl_mode *m)
{
    const char *id = cp_rep_json_str(d, "id");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(d, "expected"), *e;
    int i = cp_rep_map_get(&m->index, id);
    if (i < 0)
        return bad(path, "modes.%s: divergence %.160s is not among the outcomes", m->name, id);
    struct cp_bl_case *c = &m->cases[i];
    if (strcmp(cp_rep_json_str(d, "outcome"), cp_outcome_kind_name(c->outcome)))
        return bad(path, "modes.%s: divergence %.160s has another outcome than its outcomes entry",
                   m->name, id);
    cJSON_ArrayForEach(e, ex)
    {
        int p = e->string ? profile_of(b, e->string) : -1;
        if (p >= 0 && cJSON_IsString(e))
            c->expect[p] = strcmp(e->valuestring, "accept") == 0 ? 1 : 0;
    }
    free(c->cause);
    free(c->link);
    c->cause = dup_str(d, "cause");
    c->link = dup_str(d, "link");
    return 0;
}

static int read_mode(const char *path, const struct cp_bl *b, const cJSON *sec,
                     struct cp_bl_mode *m)
{
    const cJSON *d;
    int rc;
    if (!cJSON_IsObject(sec))
        return bad(path, "modes.%s is not an object", sec->string);
    if (!(m->name = strdup(sec->string)))
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    m->version = dup_str(sec, "version");
    if ((rc = read_outcomes(path, b, sec, m)))
        return rc;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(sec, "divergences"))
    {
        if ((rc = read_divergence(path, b, d, m)))
            return rc;
    }
    return 0;
}

int cp_bl_parse(const char *text, size_t len, const char *path, struct cp_bl *b)
{
    cJSON *root = NULL;
    const cJSON *modes, *sec;
    int rc;
    if (!b->path && !(b->path = strdup(path))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
        goto out;
    }
    if (!(root = cJSON_ParseWithLength(text, len))) {
        rc = bad(path, "not JSON, or truncated");
        goto out;
    }
    if ((rc = read_header(path, root, b)))
        goto out;
    modes = cJSON_GetObjectItemCaseSensitive(root, "modes");
    if (!cJSON_IsObject(modes) || !modes->child) {
        rc = bad(path, "\"modes\" is missing or empty");
        goto out;
    }
    cJSON_ArrayForEach(sec, modes)
    {
        if (b->nmodes >= CP_BL_MAX_MODES) {
            rc = bad(path, "more than %d modes", CP_BL_MAX_MODES);
            goto out;
        }
        if ((rc = read_mode(path, b, sec, &b->modes[b->nmodes++])))
            goto out;
    }
out:
    cJSON_Delete(root);
    return rc;
}

int cp_bl_load(const char *path, struct cp_bl *b)
{
    char *text = NULL;
    size_t len;
    int rc;
    memset(b, 0, sizeof(*b));
    if (access(path, F_OK) != 0)
        return cp_error_set(CP_E_NOTFOUND, "baseline %s: %s (make one with `certpath baseline`)",
                            path, strerror(errno));
    if (!(b->path = strdup(path)))
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    if ((rc = cp_fs_read(path, BL_MAX_BYTES, &text, &len)))
        return rc;
    rc = cp_bl_parse(text, len, path, b);
    free(text);
    return rc;
}

void cp_bl_free(struct cp_bl *b)
{
    if (!b)
        return;
    for (int k = 0; k < b->nmodes; k++) {
        struct cp_bl_mode *m = &b->modes[k];
        for (int i = 0; i < m->ncases; i++) {
            free(m->cases[i].id);
            free(m->cases[i].cause);
            free(m->cases[i].link);
        }
        free(m->cases);
        free(m->name);
        free(m->version);
        cp_rep_map_free(&m->index);
    }
    for (int p = 0; p < b->nprofiles; p++)
        free(b->profiles[p]);
    free(b->path);
    free(b->stack);
    free(b->seed);
    free(b->generator);
    memset(b, 0, sizeof(*b));
}

const struct cp_bl_mode *cp_bl_mode(const struct cp_bl *b, const char *mode)
{
    for (int k = 0; k < b->nmodes; k++) {
        if (strcmp(b->modes[k].name, mode) == 0)
            return &b->modes[k];
    }
    return NULL;
}

const struct cp_bl_case *cp_bl_case(const struct cp_bl_mode *m, const char *id)
{
    int i = cp_rep_map_get(&m->index, id);
    return i >= 0 ? &m->cases[i] : NULL;
}
