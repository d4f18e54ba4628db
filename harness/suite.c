/* suite.c - reading suite/manifest.json (the format: docs/suite-format.md). */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "harness_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default suite's manifest is a few MB; 512 MB leaves room for huge custom suites while
 * refusing to read a wrong file (a disk image) whole. */
#define CP_MANIFEST_MAX (512u << 20)

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

static const char *get_str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int load_names(const cJSON *root, const char *key, char **names, int max, int *n,
                      const char *path)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key), *it;
    *n = 0;
    if (!cJSON_IsArray(a))
        return cp_error_set(CP_E_FORMAT, "%s: \"%s\" is missing or not a list", path, key);
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsString(it) || *n >= max)
            return cp_error_set(CP_E_FORMAT,
                                "%s: \"%s\" holds a non-string or more than %d "
                                "entries",
                                path, key, max);
        if (!(names[(*n)++] = strdup(it->valuestring)))
            return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    }
    return 0;
}

static int index_of(char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0)
            return i;
    }
    return -1;
}

static int load_case(struct cp_suite *s, const cJSON *jc, int i, const char *path)
{
    struct cp_suite_case *c = &s->cases[i];
    const char *id = get_str(jc, "id"), *dir = get_str(jc, "dir"), *host = get_str(jc, "hostname");
    if (!id || !dir || !host)
        return cp_error_set(CP_E_FORMAT, "%s: case #%d lacks an id, dir or hostname", path, i);
    size_t need = strlen(s->dir) + strlen(dir) + 2;
    if (!(c->id = strdup(id)) || !(c->hostname = strdup(host)) || !(c->dir = malloc(need)))
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    snprintf(c->dir, need, "%s/%s", s->dir, dir);
    c->family = dup_str(get_str(jc, "family"));
    c->description = dup_str(get_str(jc, "description"));
    c->probe = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(jc, "probe"));
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(jc, "features"))
    {
        int bit = cJSON_IsString(f) ? index_of(s->features, s->nfeatures, f->valuestring) : -1;
        if (bit < 0)
            return cp_error_set(CP_E_FORMAT, "%s: case %s names an unknown feature", path, id);
        c->features |= UINT64_C(1) << bit;
    }
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(jc, "expect");
    for (int p = 0; p < s->nprofiles; p++) {
        const char *o =
            get_str(cJSON_GetObjectItemCaseSensitive(expect, s->profiles[p]), "outcome");
        if (!o || (strcmp(o, "accept") && strcmp(o, "reject")))
            return cp_error_set(CP_E_FORMAT, "%s: case %s has no %s expectation", path, id,
                                s->profiles[p]);
        c->expect_accept[p] = strcmp(o, "accept") == 0;
    }
    return 0;
}

static int load_header(struct cp_suite *s, const cJSON *root, const char *path)
{
    const char *format = get_str(root, "format");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "format_version");
    if (!format || strcmp(format, CP_SUITE_FORMAT) != 0)
        return cp_error_set(CP_E_FORMAT, "%s is not a certpath suite manifest", path);
    if (!cJSON_IsNumber(version) || version->valueint != CP_SUITE_FORMAT_VERSION)
        return cp_error_set(CP_E_FORMAT,
                            "%s: suite format version %d, this certpath reads %d; "
                            "regenerate the suite",
                            path, cJSON_IsNumber(version) ? version->valueint : -1,
                            CP_SUITE_FORMAT_VERSION);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "validation_time_unix");
    s->suite_id = dup_str(get_str(root, "suite_id"));
    s->seed = dup_str(get_str(root, "seed"));
    s->validation_time = dup_str(get_str(root, "validation_time"));
    if (!s->suite_id || !s->seed || !s->validation_time || !cJSON_IsNumber(t))
        return cp_error_set(CP_E_FORMAT, "%s lacks suite_id, seed or validation time", path);
    s->vtime = (int64_t)t->valuedouble;
    int rc =
        load_names(root, "profiles", s->profiles, CP_RESULTS_MAX_PROFILES, &s->nprofiles, path);
    if (!rc)
        rc =
            load_names(root, "features", s->features, CP_RESULTS_MAX_FEATURES, &s->nfeatures, path);
    return rc;
}

int cp_suite_load(const char *dir, struct cp_suite *s)
{
    char path[PATH_MAX], *text = NULL;
    cJSON *root = NULL;
    int rc;
    memset(s, 0, sizeof(*s));
    if (snprintf(path, sizeof(path), "%s/manifest.json", dir) >= (int)sizeof(path))
        return cp_error_set(CP_E_LIMIT, "suite path %s is too long", dir);
    if ((rc = cp_fs_read(path, CP_MANIFEST_MAX, &text, NULL)))
        return rc;
    if (!(root = cJSON_Parse(text))) {
        rc = cp_error_set(CP_E_FORMAT,
                          "%s is not valid JSON (truncated or corrupt?) near: "
                          "%.40s",
                          path, cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
        goto out;
    }
    if (!(s->dir = strdup(dir))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
        goto out;
    }
    if ((rc = load_header(s, root, path)))
        goto out;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases"), *jc;
    int n = cJSON_GetArraySize(cases);
    if (!cJSON_IsArray(cases) || n == 0) {
        rc = cp_error_set(CP_E_FORMAT, "%s holds no cases", path);
        goto out;
    }
    if (!(s->cases = calloc((size_t)n, sizeof(*s->cases)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory for %d cases", n);
        goto out;
    }
    cJSON_ArrayForEach(jc, cases)
    {
        if ((rc = load_case(s, jc, s->ncases++, path)))
            goto out;
    }
out:
    cJSON_Delete(root);
    free(text);
    if (rc)
        cp_suite_free(s);
    return rc;
}

void cp_suite_free(struct cp_suite *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->ncases; i++) {
        struct cp_suite_case *c = &s->cases[i];
        free(c->id);
        free(c->family);
        free(c->hostname);
        free(c->dir);
        free(c->description);
    }
    free(s->cases);
    for (int i = 0; i < s->nprofiles; i++)
        free(s->profiles[i]);
    for (int i = 0; i < s->nfeatures; i++)
        free(s->features[i]);
    free(s->dir);
    free(s->suite_id);
    free(s->seed);
    free(s->validation_time);
    memset(s, 0, sizeof(*s));
}

int cp_suite_find(const struct cp_suite *s, const char *id)
{
    for (int i = 0; i < s->ncases; i++) {
        if (strcmp(s->cases[i].id, id) == 0)
            return i;
    }
    return -1;
}

int cp_suite_feature(const struct cp_suite *s, const char *name)
{
    return index_of(s->features, s->nfeatures, name);
}
