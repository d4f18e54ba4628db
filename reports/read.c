/* read.c - a results file (reports/schema/results.schema.json) back into a cp_results. */
#include "cp_caps.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_report_internal.h"
#include "cp_results.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A run of every family is a few megabytes; a file far larger is not one of ours. */
#define CP_RESULTS_READ_MAX (256u << 20)

int cp_report_bad_file(const char *path, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return cp_error_set(CP_E_FORMAT, "%s: %s", path, msg);
}

static int nomem(const char *path)
{
    return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
}

/* Bounds on the strings of a results file, each above what `certpath run` writes (the worker's
 * hello and response buffers bound the stack's texts and the reasons) and low enough that a
 * hostile file cannot make a report repeat megabytes per row: a 100 KB stack name is refused,
 * not drawn into every cell of the HTML matrix. Lengths in bytes, NUL excluded. */
#define RD_ID_MAX 255      /* a case id (cp_manifest.h's CP_MANIFEST_ID_MAX) */
#define RD_NAME_MAX 128    /* a stack, library, mode, profile or family name; a suite id, seed */
#define RD_VERSION_MAX 128 /* a library's version text (CP_VERSION_TEXT_MAX) */
#define RD_TEXT_MAX 4096   /* settings, reasons, a broken run's reason */

/* Copies obj[key], which must be a string of at most max bytes, into *out. */
static int take_string(const char *path, const cJSON *obj, const char *key, const char *where,
                       size_t max, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return cp_report_bad_file(path, "%s%s is %s, want a string", where, key,
                                  v ? "not a string" : "missing");
    size_t len = strlen(v->valuestring);
    if (len > max)
        return cp_report_bad_file(path, "%s%s is %zu bytes long, more than the %zu allowed", where,
                                  key, len, max);
    if (!(*out = strdup(v->valuestring)))
        return nomem(path);
    return 0;
}

static int take_number(const char *path, const cJSON *obj, const char *key, const char *where,
                       double min, double max, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = 0; /* set on every path, so no caller reads it uninitialised */
    if (!cJSON_IsNumber(v))
        return cp_report_bad_file(path, "%s%s is %s, want a number", where, key,
                                  v ? "not a number" : "missing");
    if (!isfinite(v->valuedouble) || v->valuedouble < min || v->valuedouble > max)
        return cp_report_bad_file(path, "%s%s is %g, out of range", where, key, v->valuedouble);
    *out = v->valuedouble;
    return 0;
}

static int take_bool(const char *path, const cJSON *obj, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsBool(v))
        return cp_report_bad_file(path, "%s is %s, want true or false", key,
                                  v ? "not a boolean" : "missing");
    *out = cJSON_IsTrue(v);
    return 0;
}

static const cJSON *need_object(const char *path, const cJSON *obj, const char *key,
                                const char *where, int *rc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsObject(v)) {
        *rc = cp_report_bad_file(path, "%s%s is %s, want an object", where, key,
                                 v ? "not an object" : "missing");
        return NULL;
    }
    return v;
}

/* Whether text reads as the beginning of a JSON document that was cut short: every bracket
 * that closes matches, and a string or a bracket is still open at the end. */
static bool cut_short(const char *text, size_t len)
{
    char stack[256];
    size_t depth = 0;
    bool in_string = false, escaped = false, deep = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (depth < sizeof(stack))
                stack[depth] = c;
            else
                deep = true; /* too deep to check matching; the counts still tell */
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0 || (!deep && stack[depth - 1] != (c == '}' ? '{' : '[')))
                return false;
            depth--;
        }
    }
    return in_string || depth > 0;
}

/* Why a document failed to parse: a file cut short reads as "truncated", anything else with
 * the line and column where the parser stopped. */
static int parse_error(const char *path, const char *text, size_t len, const char *at)
{
    size_t pos = at && at >= text && at <= text + len ? (size_t)(at - text) : len;
    if (cut_short(text, len))
        return cp_report_bad_file(path, "truncated: the JSON document ends early (after %zu bytes)",
                                  len);
    int line = 1, col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n')
            line++, col = 1;
        else
            col++;
    }
    return cp_report_bad_file(path, "not JSON: syntax error at line %d, column %d", line, col);
}

static int check_format(const char *path, const cJSON *root)
{
    if (!cJSON_IsObject(root))
        return cp_report_bad_file(path, "not a certpath results file (the JSON is not an object)");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(f))
        return cp_report_bad_file(path, "not a certpath results file (no \"format\" field)");
    if (strcmp(f->valuestring, CP_RESULTS_FORMAT) != 0)
        return cp_report_bad_file(
            path, "not a certpath results file: its format is \"%.64s\", want \"%s\"",
            f->valuestring, CP_RESULTS_FORMAT);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "format_version");
    if (!cJSON_IsNumber(v))
        return cp_report_bad_file(path, "format_version is missing or not a number");
    if (v->valuedouble != CP_RESULTS_FORMAT_VERSION)
        return cp_report_bad_file(
            path, "%s format_version %g; this certpath (%s) reads format_version %d only",
            CP_RESULTS_FORMAT, v->valuedouble, CP_VERSION, CP_RESULTS_FORMAT_VERSION);
    return 0;
}

static int read_suite(const char *path, const cJSON *root, struct cp_results *r)
{
    int rc = 0;
    const cJSON *s = need_object(path, root, "suite", "", &rc), *profiles, *p;
    if (!s)
        return rc;
    if ((rc = take_string(path, s, "id", "suite.", RD_NAME_MAX, &r->suite_id)) ||
        (rc = take_string(path, s, "seed", "suite.", RD_NAME_MAX, &r->seed)) ||
        (rc = take_string(path, s, "validation_time", "suite.", RD_NAME_MAX, &r->validation_time)))
        return rc;
    profiles = cJSON_GetObjectItemCaseSensitive(s, "profiles");
    if (!cJSON_IsArray(profiles) || cJSON_GetArraySize(profiles) < 1)
        return cp_report_bad_file(path, "suite.profiles is missing or empty");
    if (cJSON_GetArraySize(profiles) > CP_RESULTS_MAX_PROFILES)
        return cp_report_bad_file(path,
                                  "suite.profiles lists %d profiles, more than the %d allowed",
                                  cJSON_GetArraySize(profiles), CP_RESULTS_MAX_PROFILES);
    cJSON_ArrayForEach(p, profiles)
    {
        if (!cJSON_IsString(p) || !*p->valuestring || strlen(p->valuestring) > RD_NAME_MAX)
            return cp_report_bad_file(path,
                                      "suite.profiles holds something other than a profile name");
        if (cp_results_profile(r, p->valuestring) >= 0)
            return cp_report_bad_file(path, "suite.profiles lists \"%.64s\" twice", p->valuestring);
        if (!(r->profiles[r->nprofiles] = strdup(p->valuestring)))
            return nomem(path);
        r->nprofiles++;
    }
    return 0;
}

static int read_stack(const char *path, const cJSON *root, struct cp_results *r)
{
    int rc = 0;
    const cJSON *s = need_object(path, root, "stack", "", &rc), *a, *c;
    if (!s)
        return rc;
    if ((rc = take_string(path, s, "name", "stack.", RD_NAME_MAX, &r->stack)) ||
        (rc = take_string(path, s, "library", "stack.", RD_NAME_MAX, &r->library)) ||
        (rc = take_string(path, s, "version", "stack.", RD_VERSION_MAX, &r->library_version)) ||
        (rc = take_string(path, s, "mode", "stack.", RD_NAME_MAX, &r->mode)) ||
        (rc = take_string(path, s, "settings", "stack.", RD_TEXT_MAX, &r->settings)))
        return rc;
    if (!*r->stack)
        return cp_report_bad_file(path, "stack.name is empty");
    a = cJSON_GetObjectItemCaseSensitive(s, "capabilities");
    if (!cJSON_IsArray(a))
        return cp_report_bad_file(path, "stack.capabilities is missing or not an array");
    /* A capability this certpath does not know changes nothing a report shows. */
    cJSON_ArrayForEach(c, a)
    {
        if (cJSON_IsString(c))
            r->caps |= cp_cap_from_name(c->valuestring);
    }
    return 0;
}

static int feature_index(const char *path, struct cp_results *r, const char *name)
{
    for (int f = 0; f < r->nfeatures; f++) {
        if (strcmp(r->features[f], name) == 0)
            return f;
    }
    if (r->nfeatures >= CP_RESULTS_MAX_FEATURES)
        return cp_report_bad_file(path, "more than %d features", CP_RESULTS_MAX_FEATURES);
    if (strlen(name) > RD_NAME_MAX)
        return cp_report_bad_file(path, "a feature name is longer than %d bytes", RD_NAME_MAX);
    if (!(r->features[r->nfeatures] = strdup(name)))
        return nomem(path);
    return r->nfeatures++;
}

static int verdict_lookup(const char *name)
{
    for (int v = 0; v < CP_V_COUNT; v++) {
        if (strcmp(cp_verdict_name((enum cp_verdict)v), name) == 0)
            return v;
    }
    return -1;
}

static int read_case_profiles(const char *path, const cJSON *o, const char *where,
                              struct cp_results *r, struct cp_result_case *c)
{
    int rc = 0;
    const cJSON *ex = need_object(path, o, "expected", where, &rc), *vd;
    if (!ex || !(vd = need_object(path, o, "verdict", where, &rc)))
        return rc;
    for (int p = 0; p < r->nprofiles; p++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(ex, r->profiles[p]);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(vd, r->profiles[p]);
        if (!cJSON_IsString(e) ||
            (strcmp(e->valuestring, "accept") && strcmp(e->valuestring, "reject")))
            return cp_report_bad_file(path,
                                      "case %.160s: expected.%s is not \"accept\" or \"reject\"",
                                      c->id, r->profiles[p]);
        c->expect_accept[p] = strcmp(e->valuestring, "accept") == 0;
        int k = cJSON_IsString(v) ? verdict_lookup(v->valuestring) : -1;
        if (k < 0 || k == CP_V_NONE)
            return cp_report_bad_file(path, "case %.160s: verdict.%s is not a verdict", c->id,
                                      r->profiles[p]);
        c->verdict[p] = (enum cp_verdict)k;
        /* A verdict that does not follow from the outcome and the expectation means the file
         * was edited or damaged: counts built on it would lie. */
        if (c->verdict[p] != cp_verdict_of(c->outcome, c->expect_accept[p]))
            return cp_report_bad_file(
                path, "case %.160s: verdict.%s \"%s\" does not follow from outcome \"%s\"", c->id,
                r->profiles[p], cp_verdict_name(c->verdict[p]), cp_outcome_kind_name(c->outcome));
    }
    return 0;
}

static int read_case(const char *path, const cJSON *o, int i, struct cp_results *r,
                     struct cp_result_case *c)
{
    int rc;
    char where[48];
    double num;
    const cJSON *a, *f;
    snprintf(where, sizeof(where), "cases[%d].", i);
    if (!cJSON_IsObject(o))
        return cp_report_bad_file(path, "cases[%d] is not an object", i);
    if ((rc = take_string(path, o, "id", where, RD_ID_MAX, &c->id)))
        return rc;
    if (!*c->id)
        return cp_report_bad_file(path, "cases[%d].id is empty", i);
    if ((rc = take_string(path, o, "family", where, RD_NAME_MAX, &c->family)) ||
        (rc = take_string(path, o, "reason", where, RD_TEXT_MAX, &c->reason)))
        return rc;
    a = cJSON_GetObjectItemCaseSensitive(o, "features");
    if (!cJSON_IsArray(a))
        return cp_report_bad_file(path, "case %.160s: features is missing or not an array", c->id);
    cJSON_ArrayForEach(f, a)
    {
        if (!cJSON_IsString(f))
            return cp_report_bad_file(path, "case %.160s: features holds a non-string", c->id);
        int k = feature_index(path, r, f->valuestring);
        if (k < 0)
            return k;
        c->features |= UINT64_C(1) << k;
    }
    /* Files before the probe flag was written have none: every case reads as no probe. */
    const cJSON *probe = cJSON_GetObjectItemCaseSensitive(o, "probe");
    if (probe && !cJSON_IsBool(probe))
        return cp_report_bad_file(path, "case %.160s: probe is not true or false", c->id);
    c->probe = cJSON_IsTrue(probe);
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(o, "outcome");
    int k = cJSON_IsString(out) ? cp_outcome_kind_lookup(out->valuestring) : -1;
    if (k < 0 || k == CP_OUT_NONE)
        return cp_report_bad_file(path, "case %.160s: outcome is %s", c->id,
                                  out ? "not accept, reject, error, timeout, crash or skip"
                                      : "missing");
    c->outcome = (enum cp_outcome_kind)k;
    if ((rc = take_number(path, o, "code", where, -9.2e18, 9.2e18, &num)))
        return rc;
    c->code = (long)num;
    if ((rc = take_number(path, o, "microseconds", where, 0, 9.2e18, &num)))
        return rc;
    c->usec = (long)num;
    /* Files before the per-case CPU was written have none: it reads as 0. */
    if (cJSON_GetObjectItemCaseSensitive(o, "cpu_microseconds") &&
        (rc = take_number(path, o, "cpu_microseconds", where, 0, 9.2e18, &num)))
        return rc;
    c->cpu_usec = cJSON_GetObjectItemCaseSensitive(o, "cpu_microseconds") ? (long)num : 0;
    /* Wire results: the server engine and the TLS version, each absent when not known. */
    const char *words[] = {"server", "tls"};
    char *dst[] = {c->server, c->tls};
    for (size_t w = 0; w < CP_ARRAY_LEN(words); w++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, words[w]);
        if (!v)
            continue;
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= CP_RESULT_WORD_MAX)
            return cp_report_bad_file(path, "case %.160s: %s is not a short string", c->id,
                                      words[w]);
        snprintf(dst[w], CP_RESULT_WORD_MAX, "%s", v->valuestring);
    }
    return read_case_profiles(path, o, where, r, c);
}

static int read_cases(const char *path, const cJSON *root, struct cp_results *r)
{
    int rc = 0, i = 0;
    struct cp_rep_map seen = {0};
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases"), *o;
    if (!cJSON_IsArray(cases)) {
        rc = cp_report_bad_file(path, "cases is %s, want an array",
                                cases ? "not an array" : "missing");
        goto out;
    }
    int n = cJSON_GetArraySize(cases);
    if (n > 0 && !(r->cases = calloc((size_t)n, sizeof(*r->cases)))) {
        rc = nomem(path);
        goto out;
    }
    r->ncases = n;
    if ((rc = cp_rep_map_init(&seen, (size_t)n)))
        goto out;
    cJSON_ArrayForEach(o, cases)
    {
        if ((rc = read_case(path, o, i, r, &r->cases[i])))
            goto out;
        if (cp_rep_map_get(&seen, r->cases[i].id) >= 0) {
            rc = cp_report_bad_file(path, "case %.160s appears twice", r->cases[i].id);
            goto out;
        }
        if ((rc = cp_rep_map_put(&seen, r->cases[i].id, i)))
            goto out;
        i++;
    }
out:
    cp_rep_map_free(&seen);
    return rc;
}

static enum cp_support support_lookup(const char *name)
{
    for (int s = CP_SUPPORT_NONE; s <= CP_UNSUPPORTED; s++) {
        if (strcmp(cp_support_name((enum cp_support)s), name) == 0)
            return (enum cp_support)s;
    }
    return CP_SUPPORT_NONE;
}

/* Feature names in the summary's order (the suite's), before the cases add any others. */
static int summary_features(const char *path, const cJSON *root, struct cp_results *r)
{
    int rc = 0;
    const cJSON *sum = need_object(path, root, "summary", "", &rc), *prof, *feats, *f;
    if (!sum)
        return rc;
    if (!(prof = cJSON_GetObjectItemCaseSensitive(sum, r->profiles[0])) ||
        !(feats = cJSON_GetObjectItemCaseSensitive(prof, "features")))
        return 0;
    cJSON_ArrayForEach(f, feats)
    {
        if (f->string && (rc = feature_index(path, r, f->string)) < 0)
            return rc;
    }
    return 0;
}

static int summary_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9 ? (int)v->valuedouble
                                                                            : 0;
}

/* Support needs each case's probe flag, which older results files do not hold: it is taken as
 * written. A feature the summary lacks gets counts from the cases and support from those. */
static void read_summary(const cJSON *root, struct cp_results *r)
{
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
    for (int p = 0; p < r->nprofiles; p++) {
        const cJSON *prof = cJSON_GetObjectItemCaseSensitive(sum, r->profiles[p]);
        const cJSON *feats = cJSON_GetObjectItemCaseSensitive(prof, "features");
        for (int f = 0; f < r->nfeatures; f++) {
            struct cp_feature_summary *s = &r->summary[p][f];
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(feats, r->features[f]);
            const cJSON *sup = cJSON_GetObjectItemCaseSensitive(o, "support");
            memset(s, 0, sizeof(*s));
            if (cJSON_IsObject(o) && cJSON_IsString(sup)) {
                s->support = support_lookup(sup->valuestring);
                s->pass = summary_int(o, "pass");
                s->fail = summary_int(o, "fail");
                s->skip = summary_int(o, "skip");
                s->error = summary_int(o, "error");
                s->probe_pass = summary_int(o, "probe_pass");
                s->probe_fail = summary_int(o, "probe_fail");
                continue;
            }
            for (int i = 0; i < r->ncases; i++) {
                const struct cp_result_case *c = &r->cases[i];
                if (!(c->features & (UINT64_C(1) << f)))
                    continue;
                s->pass += c->verdict[p] == CP_V_PASS;
                s->fail += c->verdict[p] == CP_V_WRONG_ACCEPT || c->verdict[p] == CP_V_WRONG_REJECT;
                s->skip += c->verdict[p] == CP_V_SKIP;
                s->error += c->verdict[p] == CP_V_ERROR;
            }
            s->support = s->pass + s->fail == 0 ? CP_SUPPORT_NONE
                         : s->fail == 0         ? CP_SUPPORTED
                         : s->pass == 0         ? CP_UNSUPPORTED
                                                : CP_SUPPORT_PARTIAL;
        }
    }
}

/* Copies obj[key], an optional string of at most max bytes, into buf (cap > max). */
static int take_fixed(const char *path, const cJSON *obj, const char *key, size_t max, char *buf,
                      size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return cp_report_bad_file(path, "platform.%s is %s, want a string", key,
                                  v ? "not a string" : "missing");
    size_t len = strlen(v->valuestring);
    if (len > max || len >= cap)
        return cp_report_bad_file(path, "platform.%s is %zu bytes long, more than the %zu allowed",
                                  key, len, max);
    memcpy(buf, v->valuestring, len + 1);
    return 0;
}

/* "platform" and "libraries" came in with the per-release baselines; older files lack both. */
static int read_platform(const char *path, const cJSON *root, struct cp_results *r)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "platform");
    const cJSON *libs = cJSON_GetObjectItemCaseSensitive(root, "libraries"), *l;
    int rc;
    if (p) {
        if (!cJSON_IsObject(p))
            return cp_report_bad_file(path, "platform is not an object");
        if ((rc = take_fixed(path, p, "id", CP_PLATFORM_ID_MAX - 1, r->platform.id,
                             sizeof(r->platform.id))) ||
            (rc = take_fixed(path, p, "version_id", CP_PLATFORM_ID_MAX - 1, r->platform.version_id,
                             sizeof(r->platform.version_id))) ||
            (rc = take_fixed(path, p, "pretty_name", CP_PLATFORM_NAME_MAX - 1,
                             r->platform.pretty_name, sizeof(r->platform.pretty_name))))
            return rc;
        r->has_platform = true;
    }
    if (!libs)
        return 0;
    if (!cJSON_IsArray(libs))
        return cp_report_bad_file(path, "libraries is not an array");
    cJSON_ArrayForEach(l, libs)
    {
        char *role = NULL, *name = NULL, *version = NULL;
        if (r->nlibraries >= CP_RESULTS_MAX_LIBRARIES)
            return cp_report_bad_file(path, "libraries lists more than %d libraries",
                                      CP_RESULTS_MAX_LIBRARIES);
        if (!cJSON_IsObject(l))
            return cp_report_bad_file(path, "libraries[%d] is not an object", r->nlibraries);
        if (!(rc = take_string(path, l, "role", "libraries[].", RD_NAME_MAX, &role)) &&
            !(rc = take_string(path, l, "name", "libraries[].", RD_NAME_MAX, &name)) &&
            !(rc = take_string(path, l, "version", "libraries[].", RD_VERSION_MAX, &version)))
            rc = cp_results_add_library(r, role, name, version);
        free(role);
        free(name);
        free(version);
        if (rc)
            return rc;
    }
    return 0;
}

static int read_run(const char *path, const cJSON *root, struct cp_results *r)
{
    int rc;
    double seconds;
    const cJSON *why;
    if ((rc = take_bool(path, root, "complete", &r->complete)) ||
        (rc = take_bool(path, root, "broken", &r->broken)) ||
        (rc = take_number(path, root, "seconds", "", 0, 1e9, &seconds)))
        return rc;
    r->seconds = seconds;
    /* Files before the row's CPU was written have none: it reads as 0. */
    if (cJSON_GetObjectItemCaseSensitive(root, "cpu_seconds") &&
        (rc = take_number(path, root, "cpu_seconds", "", 0, 1e9, &r->cpu_seconds)))
        return rc;
    /* "limits" came in with the CPU limit; older files lack it (both stay 0). */
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(root, "limits");
    if (limits &&
        (!cJSON_IsObject(limits) ||
         (rc = take_number(path, limits, "cpu_seconds", "limits.", 0, 3600, &r->cpu_limit)) ||
         (rc = take_number(path, limits, "wall_seconds", "limits.", 0, 3600, &r->wall_limit))))
        return rc ? rc : cp_report_bad_file(path, "limits is not an object");
    why = cJSON_GetObjectItemCaseSensitive(root, "broken_reason");
    if (cJSON_IsString(why) && strlen(why->valuestring) > RD_TEXT_MAX)
        return cp_report_bad_file(path, "broken_reason is longer than %d bytes", RD_TEXT_MAX);
    if (cJSON_IsString(why) && !(r->broken_reason = strdup(why->valuestring)))
        return nomem(path);
    return 0;
}

static int read_shard(const char *path, const cJSON *root, struct cp_results *r)
{
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(root, "shard"), *sel;
    double index, count, total;
    int rc;
    char *end;
    if (!sh)
        return 0;
    if (!cJSON_IsObject(sh))
        return cp_report_bad_file(path, "shard is not an object");
    if ((rc = take_number(path, sh, "index", "shard.", 1, 1e6, &index)) ||
        (rc = take_number(path, sh, "count", "shard.", 1, 1e6, &count)) ||
        (rc = take_number(path, sh, "total", "shard.", 0, 1e9, &total)))
        return rc;
    if (index > count || index != (int)index || count != (int)count || total != (int)total)
        return cp_report_bad_file(path, "shard %g/%g is not I/N with 1 <= I <= N", index, count);
    sel = cJSON_GetObjectItemCaseSensitive(sh, "selection");
    if (!cJSON_IsString(sel) || strlen(sel->valuestring) != 16)
        return cp_report_bad_file(path, "shard.selection is not 16 hex digits");
    r->shard.selection = strtoull(sel->valuestring, &end, 16);
    if (*end)
        return cp_report_bad_file(path, "shard.selection is not 16 hex digits");
    r->shard.index = (int)index;
    r->shard.count = (int)count;
    r->shard.total = (int)total;
    return 0;
}

static int outcome_of(const char *path, const cJSON *o, const char *key, int i,
                      enum cp_outcome_kind *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    int k = cJSON_IsString(v) ? cp_outcome_kind_lookup(v->valuestring) : -1;
    if (k <= CP_OUT_NONE || k == CP_OUT_SKIP)
        return cp_report_bad_file(
            path, "disagreements[%d].%s is not accept, reject, error, timeout or crash", i, key);
    *out = (enum cp_outcome_kind)k;
    return 0;
}

static int read_disagreement(const char *path, const cJSON *o, int i, struct cp_results *r)
{
    struct cp_disagreement *d = &r->disagreements[r->ndisagreements++];
    char where[48];
    char *mode = NULL;
    int rc;
    snprintf(where, sizeof(where), "disagreements[%d].", i);
    if (!cJSON_IsObject(o))
        return cp_report_bad_file(path, "disagreements[%d] is not an object", i);
    if ((rc = take_string(path, o, "id", where, RD_ID_MAX, &d->id)) ||
        (rc = take_string(path, o, "reason", where, RD_TEXT_MAX, &d->reason)) ||
        (rc = take_string(path, o, "other_reason", where, RD_TEXT_MAX, &d->other_reason)) ||
        (rc = outcome_of(path, o, "outcome", i, &d->outcome)) ||
        (rc = outcome_of(path, o, "other_outcome", i, &d->other_outcome)) ||
        (rc = take_string(path, o, "other_mode", where, RD_NAME_MAX, &mode)))
        return rc;
    /* One file compares with one other mode. */
    if (!r->other_mode)
        r->other_mode = mode;
    else if (strcmp(r->other_mode, mode) != 0)
        rc = cp_report_bad_file(path, "disagreements name two other modes, %.32s and %.32s",
                                r->other_mode, mode);
    if (r->other_mode != mode)
        free(mode);
    return rc;
}

/* Files written before --mode both have no disagreements: not compared. */
static int read_disagreements(const char *path, const cJSON *root, struct cp_results *r)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "disagreements"), *o;
    int rc, i = 0, n;
    if (!a)
        return 0;
    if (!cJSON_IsArray(a))
        return cp_report_bad_file(path, "disagreements is not an array");
    r->compared = true;
    n = cJSON_GetArraySize(a);
    if (n > 0 && !(r->disagreements = calloc((size_t)n, sizeof(*r->disagreements))))
        return nomem(path);
    cJSON_ArrayForEach(o, a)
    {
        if ((rc = read_disagreement(path, o, i++, r)))
            return rc;
    }
    return 0;
}

int cp_results_parse(const char *text, size_t len, const char *path, struct cp_results *r)
{
    int rc;
    const char *end = NULL;
    cJSON *root = NULL;

    cp_results_init(r);
    if (len == 0) {
        rc = cp_report_bad_file(path, "empty file, not a results file");
        goto out;
    }
    /* cJSON wants the terminating NUL inside the length to check that nothing follows the
     * document; the caller put one there. */
    if (!(root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1))) {
        rc = parse_error(path, text, len, end);
        goto out;
    }
    if ((rc = check_format(path, root)) || (rc = read_suite(path, root, r)) ||
        (rc = read_stack(path, root, r)) || (rc = read_platform(path, root, r)) ||
        (rc = read_run(path, root, r)) || (rc = summary_features(path, root, r)) ||
        (rc = read_cases(path, root, r)) || (rc = read_shard(path, root, r)) ||
        (rc = read_disagreements(path, root, r)))
        goto out;
    read_summary(root, r);
    memset(r->counts, 0, sizeof(r->counts));
    for (int p = 0; p < r->nprofiles; p++) {
        for (int i = 0; i < r->ncases; i++)
            r->counts[p][r->cases[i].verdict[p]]++;
    }
out:
    cJSON_Delete(root);
    return rc < 0 ? rc : 0;
}

int cp_results_read_json(const char *path, struct cp_results *r)
{
    char *text = NULL;
    size_t len = 0;
    int rc = cp_fs_read(path, CP_RESULTS_READ_MAX, &text, &len);
    if (rc) {
        cp_results_init(r);
        return rc;
    }
    rc = cp_results_parse(text, len, path, r);
    free(text);
    return rc;
}
