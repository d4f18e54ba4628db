/*
 * baseline.c - `certpath baseline`: a stack's known results (docs/baselines.md) from results
 * files, every divergence given a cause by the first rule of the reasons file that matches it.
 */
#include "cp_baseline.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_report_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A reasons file is a few kilobytes of hand-written rules. */
#define RULES_MAX_BYTES (4u << 20)
#define RULES_MAX 512
/* A library's reason text is kept to this many bytes: enough to recognise, small in review. */
#define REASON_KEEP 200

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            goto nomem;                                                                            \
    } while (0)

/* One rule: every match field given must hold; the first rule that matches gives the cause. */
struct rule {
    const char *case_glob, *family, *feature, *outcome, *verdict, *passes, *mode, *reason;
    const char *cause, *link;
    int used;
};

struct rules {
    cJSON *root; /* the strings below point into it */
    struct rule r[RULES_MAX];
    int n;
};

static int rule_field(const char *path, const cJSON *o, int i, const char *key, const char **out)
{
    static const char *const known[] = {"case",   "family", "feature", "outcome", "verdict", "mode",
                                        "reason", "cause",  "link",    "note",    "passes"};
    bool ok = false;
    for (size_t k = 0; k < CP_ARRAY_LEN(known); k++)
        ok |= strcmp(known[k], key) == 0;
    if (!ok)
        return cp_error_set(CP_E_FORMAT, "%s: rule %d has an unknown field \"%.40s\"", path, i,
                            key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || !*v->valuestring)
        return cp_error_set(CP_E_FORMAT, "%s: rule %d: %s is not a non-empty string", path, i, key);
    *out = v->valuestring;
    return 0;
}

static int read_rule(const char *path, const cJSON *o, int i, struct rule *r)
{
    const cJSON *f;
    const char *note;
    int rc;
    if (!cJSON_IsObject(o))
        return cp_error_set(CP_E_FORMAT, "%s: rule %d is not an object", path, i);
    memset(r, 0, sizeof(*r));
    cJSON_ArrayForEach(f, o)
    {
        const char *k = f->string;
        const char **slot = !strcmp(k, "case")      ? &r->case_glob
                            : !strcmp(k, "family")  ? &r->family
                            : !strcmp(k, "feature") ? &r->feature
                            : !strcmp(k, "outcome") ? &r->outcome
                            : !strcmp(k, "verdict") ? &r->verdict
                            : !strcmp(k, "mode")    ? &r->mode
                            : !strcmp(k, "passes")  ? &r->passes
                            : !strcmp(k, "reason")  ? &r->reason
                            : !strcmp(k, "cause")   ? &r->cause
                            : !strcmp(k, "link")    ? &r->link
                                                    : &note;
        if ((rc = rule_field(path, o, i, k, slot)))
            return rc;
    }
    if (!r->cause)
        return cp_error_set(CP_E_FORMAT, "%s: rule %d has no cause", path, i);
    if (!r->case_glob && !r->family && !r->feature && !r->outcome && !r->verdict && !r->passes &&
        !r->reason)
        return cp_error_set(CP_E_FORMAT,
                            "%s: rule %d matches nothing in particular (give case, "
                            "family, feature, outcome, verdict or reason)",
                            path, i);
    if (r->link && strncmp(r->link, "https://", 8) != 0)
        return cp_error_set(CP_E_FORMAT, "%s: rule %d: link is not an https:// address", path, i);
    return 0;
}

/* The stack's own rules first, then those for every stack ("*"). */
static int rules_load(const char *path, const char *stack, struct rules *rs)
{
    char *text = NULL;
    size_t len;
    int rc = cp_fs_read(path, RULES_MAX_BYTES, &text, &len);
    const char *lists[] = {stack, "*"};
    if (rc)
        goto out;
    rc = CP_E_FORMAT;
    const cJSON *all, *f, *v;
    if (!(rs->root = cJSON_ParseWithLength(text, len))) {
        cp_error_set(rc, "%s: not JSON, or truncated", path);
        goto out;
    }
    f = cJSON_GetObjectItemCaseSensitive(rs->root, "format");
    v = cJSON_GetObjectItemCaseSensitive(rs->root, "format_version");
    if (!cJSON_IsString(f) || strcmp(f->valuestring, CP_REASONS_FORMAT) || !cJSON_IsNumber(v) ||
        v->valuedouble != CP_REASONS_FORMAT_VERSION) {
        cp_error_set(rc, "%s: not a reasons file (want format \"%s\", format_version %d)", path,
                     CP_REASONS_FORMAT, CP_REASONS_FORMAT_VERSION);
        goto out;
    }
    if (!cJSON_IsObject(all = cJSON_GetObjectItemCaseSensitive(rs->root, "rules"))) {
        cp_error_set(rc, "%s: \"rules\" is missing or not an object of stacks", path);
        goto out;
    }
    for (size_t l = 0; l < CP_ARRAY_LEN(lists); l++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(all, lists[l]), *o;
        if (list && !cJSON_IsArray(list)) {
            cp_error_set(rc, "%s: rules.%s is not a list", path, lists[l]);
            goto out;
        }
        cJSON_ArrayForEach(o, list)
        {
            if (rs->n >= RULES_MAX) {
                cp_error_set(CP_E_LIMIT, "%s: more than %d rules", path, RULES_MAX);
                goto out;
            }
            if (read_rule(path, o, rs->n, &rs->r[rs->n]))
                goto out;
            rs->n++;
        }
    }
    rc = 0;
out:
    free(text);
    return rc;
}

static bool has_feature(const struct cp_results *r, const struct cp_result_case *c,
                        const char *name)
{
    for (int f = 0; f < r->nfeatures; f++) {
        if (strcmp(r->features[f], name) == 0)
            return (c->features >> f) & 1;
    }
    return false;
}

static bool has_verdict(const struct cp_results *r, const struct cp_result_case *c,
                        const char *name)
{
    for (int p = 0; p < r->nprofiles; p++) {
        if (strcmp(cp_verdict_name(c->verdict[p]), name) == 0)
            return true;
    }
    return false;
}

/* Whether the case passes under the named profile (the profile choices a stack makes). */
static bool passes(const struct cp_results *r, const struct cp_result_case *c, const char *profile)
{
    int p = cp_results_profile(r, profile);
    return p >= 0 && c->verdict[p] == CP_V_PASS;
}

static bool rule_matches(const struct rule *u, const struct cp_results *r,
                         const struct cp_result_case *c)
{
    return (!u->case_glob || fnmatch(u->case_glob, c->id, 0) == 0) &&
           (!u->family || (c->family && strcmp(u->family, c->family) == 0)) &&
           (!u->feature || has_feature(r, c, u->feature)) &&
           (!u->outcome || strcmp(u->outcome, cp_outcome_kind_name(c->outcome)) == 0) &&
           (!u->verdict || has_verdict(r, c, u->verdict)) &&
           (!u->passes || passes(r, c, u->passes)) &&
           (!u->mode || (r->mode && strcmp(u->mode, r->mode) == 0)) &&
           (!u->reason || (c->reason && strcasestr(c->reason, u->reason)));
}

static struct rule *explain(struct rules *rs, const struct cp_results *r,
                            const struct cp_result_case *c)
{
    for (int i = 0; i < rs->n; i++) {
        if (rule_matches(&rs->r[i], r, c)) {
            rs->r[i].used++;
            return &rs->r[i];
        }
    }
    return NULL;
}

static bool diverges(const struct cp_results *r, const struct cp_result_case *c)
{
    for (int p = 0; p < r->nprofiles; p++) {
        if (c->verdict[p] != CP_V_PASS)
            return true;
    }
    return false;
}

/* The library's text, cleaned and cut on a character boundary. */
static char *short_reason(const char *s)
{
    char *t = cp_rep_clean_dup(s ? s : "");
    if (t && strlen(t) > REASON_KEEP) {
        size_t n = REASON_KEEP;
        while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
            n--;
        t[n] = '\0';
    }
    return t;
}

static cJSON *divergence(const struct cp_results *r, const struct cp_result_case *c,
                         const struct rule *u)
{
    cJSON *o = cJSON_CreateObject(), *ex, *vd;
    char *why = short_reason(c->reason);
    CHECK(o && why);
    CHECK(cJSON_AddStringToObject(o, "id", c->id));
    CHECK(cJSON_AddStringToObject(o, "outcome", cp_outcome_kind_name(c->outcome)));
    CHECK(ex = cJSON_AddObjectToObject(o, "expected"));
    CHECK(vd = cJSON_AddObjectToObject(o, "verdict"));
    for (int p = 0; p < r->nprofiles; p++) {
        CHECK(
            cJSON_AddStringToObject(ex, r->profiles[p], c->expect_accept[p] ? "accept" : "reject"));
        CHECK(cJSON_AddStringToObject(vd, r->profiles[p], cp_verdict_name(c->verdict[p])));
    }
    CHECK(cJSON_AddStringToObject(o, "reason", why));
    CHECK(cJSON_AddStringToObject(o, "cause", u ? u->cause : CP_BASELINE_UNEXPLAINED));
    if (u && u->link)
        CHECK(cJSON_AddStringToObject(o, "link", u->link));
    free(why);
    return o;
nomem:
    free(why);
    cJSON_Delete(o);
    return NULL;
}

/* Divergences per cause, in the order the rules give them, the unexplained last. */
static cJSON *causes(const struct rules *rs, int unexplained)
{
    cJSON *a = cJSON_CreateArray(), *o;
    CHECK(a);
    for (int i = 0; i < rs->n; i++) {
        const struct rule *u = &rs->r[i];
        if (!u->used)
            continue;
        CHECK(o = cJSON_CreateObject());
        CHECK(cJSON_AddItemToArray(a, o));
        CHECK(cJSON_AddStringToObject(o, "cause", u->cause));
        if (u->link)
            CHECK(cJSON_AddStringToObject(o, "link", u->link));
        CHECK(cJSON_AddNumberToObject(o, "cases", u->used));
    }
    if (unexplained) {
        CHECK(o = cJSON_CreateObject());
        CHECK(cJSON_AddItemToArray(a, o));
        CHECK(cJSON_AddStringToObject(o, "cause", CP_BASELINE_UNEXPLAINED));
        CHECK(cJSON_AddNumberToObject(o, "cases", unexplained));
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *counts(const struct cp_results *r)
{
    cJSON *o = cJSON_CreateObject(), *p;
    CHECK(o);
    for (int k = 0; k < r->nprofiles; k++) {
        CHECK(p = cJSON_AddObjectToObject(o, r->profiles[k]));
        for (int v = CP_V_PASS; v < CP_V_COUNT; v++)
            CHECK(cJSON_AddNumberToObject(p, cp_verdict_name((enum cp_verdict)v), r->counts[k][v]));
    }
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

/* One mode's section; prints its causes and the unexplained count on out. */
static cJSON *mode_section(const struct cp_results *r, struct rules *rs, FILE *out)
{
    cJSON *o = cJSON_CreateObject(), *divs, *outs;
    int unexplained = 0, ndiv = 0;
    for (int i = 0; i < rs->n; i++)
        rs->r[i].used = 0;
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "version", r->library_version ? r->library_version : ""));
    CHECK(cJSON_AddItemToObject(o, "counts", counts(r)));
    CHECK(divs = cJSON_CreateArray());
    for (int i = 0; i < r->ncases; i++) {
        const struct cp_result_case *c = &r->cases[i];
        if (c->outcome == CP_OUT_NONE || !diverges(r, c))
            continue;
        const struct rule *u = explain(rs, r, c);
        unexplained += !u;
        ndiv++;
        if (!cJSON_AddItemToArray(divs, divergence(r, c, u))) {
            cJSON_Delete(divs);
            goto nomem;
        }
    }
    CHECK(cJSON_AddItemToObject(o, "causes", causes(rs, unexplained)));
    CHECK(cJSON_AddNumberToObject(o, "unexplained", unexplained));
    CHECK(cJSON_AddItemToObject(o, "divergences", divs));
    CHECK(outs = cJSON_AddObjectToObject(o, "outcomes"));
    for (int i = 0; i < r->ncases; i++) {
        const struct cp_result_case *c = &r->cases[i];
        if (c->outcome != CP_OUT_NONE)
            CHECK(cJSON_AddStringToObject(outs, c->id, cp_outcome_kind_name(c->outcome)));
    }
    fprintf(out, "%s (%s): %d divergences from the oracle\n", r->stack, r->mode, ndiv);
    for (int i = 0; i < rs->n; i++) {
        if (rs->r[i].used)
            fprintf(out, "  %5d  %s\n", rs->r[i].used, rs->r[i].cause);
    }
    if (unexplained)
        fprintf(out,
                "  %5d  UNEXPLAINED: no rule of the reasons file matches these; add one so a "
                "maintainer knows why\n",
                unexplained);
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

/* The distribution and release this baseline was made on: the one its results file records
 * (os-release of the machine that ran it), or this machine's for a file from before. */
static void platform(const struct cp_results *r, char *buf, size_t cap)
{
    struct cp_platform here;
    const struct cp_platform *p = &r->platform;
    if (!r->has_platform) {
        cp_platform_this(&here);
        p = &here;
    }
    snprintf(buf, cap, "%s", *p->pretty_name ? p->pretty_name : "unknown");
}

static const char *plat_name(const struct cp_results *r)
{
    return *r->platform.pretty_name ? r->platform.pretty_name : "an unknown platform";
}

static int check_inputs(const struct cp_baseline_opts *o, const struct cp_results *r, int n)
{
    for (int i = 0; i < n; i++) {
        const char *f = o->files[i];
        if (r[i].broken)
            return cp_error_set(CP_E_FORMAT,
                                "%s: the run is broken (%s); a baseline needs a "
                                "run whose controls passed",
                                f, r[i].broken_reason ? r[i].broken_reason : "a control failed");
        if (!r[i].complete && !o->allow_incomplete)
            return cp_error_set(CP_E_FORMAT,
                                "%s: the run is incomplete (\"complete\": false, %d cases ran); "
                                "finish it with `certpath run --resume` before making a baseline, "
                                "or pass --allow-incomplete to record only the cases that ran",
                                f, r[i].ncases);
        if (strcmp(r[i].stack, r[0].stack))
            return cp_error_set(CP_E_ARG,
                                "%s is stack %s, %s is stack %s: a baseline is one stack's", f,
                                r[i].stack, o->files[0], r[0].stack);
        if (strcmp(r[i].platform.pretty_name, r[0].platform.pretty_name))
            return cp_error_set(CP_E_ARG, "%s ran on %s, %s on %s: a baseline is one platform's", f,
                                plat_name(&r[i]), o->files[0], plat_name(&r[0]));
        if (strcmp(r[i].seed, r[0].seed))
            return cp_error_set(CP_E_ARG, "%s and %s come from suites of different seeds", f,
                                o->files[0]);
        for (int k = 0; k < i; k++) {
            if (strcmp(r[i].mode, r[k].mode) == 0)
                return cp_error_set(CP_E_ARG, "%s and %s are both %s runs: give one per mode", f,
                                    o->files[k], r[i].mode);
        }
    }
    return 0;
}

static cJSON *document(const struct cp_baseline_opts *o, const struct cp_results *r, int n,
                       struct rules *rs)
{
    char plat[CP_PLATFORM_NAME_MAX];
    cJSON *d = cJSON_CreateObject(), *suite, *modes;
    CHECK(d);
    platform(&r[0], plat, sizeof(plat));
    CHECK(cJSON_AddStringToObject(d, "format", CP_BASELINE_FORMAT));
    CHECK(cJSON_AddNumberToObject(d, "format_version", CP_BASELINE_FORMAT_VERSION));
    CHECK(cJSON_AddStringToObject(d, "stack", r[0].stack));
    CHECK(cJSON_AddStringToObject(d, "library", r[0].library ? r[0].library : ""));
    CHECK(cJSON_AddStringToObject(d, "platform", plat));
    CHECK(suite = cJSON_AddObjectToObject(d, "suite"));
    CHECK(cJSON_AddStringToObject(suite, "generator", "certpath " CP_VERSION));
    CHECK(cJSON_AddStringToObject(suite, "seed", r[0].seed));
    CHECK(cJSON_AddItemToObject(
        suite, "profiles",
        cJSON_CreateStringArray((const char *const *)r[0].profiles, r[0].nprofiles)));
    CHECK(cJSON_AddStringToObject(d, "reasons", o->reasons ? o->reasons : ""));
    CHECK(modes = cJSON_AddObjectToObject(d, "modes"));
    for (int i = 0; i < n; i++)
        CHECK(cJSON_AddItemToObject(modes, r[i].mode, mode_section(&r[i], rs, o->out)));
    return d;
nomem:
    cJSON_Delete(d);
    return NULL;
}

static int write_doc(const cJSON *d, const char *path)
{
    char *text = cJSON_Print(d);
    int rc;
    if (!text)
        return cp_error_set(CP_E_NOMEM, "out of memory writing %s", path);
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: the file ends with a newline */
    rc = cp_fs_write_atomic(path, text, len + 1);
    cJSON_free(text);
    return rc;
}

int cp_baseline_build(const struct cp_baseline_opts *o)
{
    int rc = CP_E_NOMEM, n = 0;
    struct cp_results *r = calloc((size_t)o->nfiles + 1, sizeof(*r));
    struct rules *rs = calloc(1, sizeof(*rs));
    cJSON *d = NULL;
    if (!r || !rs) {
        cp_error_set(rc, "out of memory");
        goto out;
    }
    for (; n < o->nfiles; n++) {
        if ((rc = cp_results_read_json(o->files[n], &r[n]))) {
            n++; /* read_json initialised it: free it too */
            goto out;
        }
    }
    if ((rc = check_inputs(o, r, n)) ||
        (o->reasons && (rc = rules_load(o->reasons, r[0].stack, rs))))
        goto out;
    if (!(d = document(o, r, n, rs))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory building %s", o->output);
        goto out;
    }
    if (!(rc = write_doc(d, o->output)))
        fprintf(o->out, "certpath baseline: wrote %s\n", o->output);
out:
    cJSON_Delete(d);
    if (rs)
        cJSON_Delete(rs->root);
    free(rs);
    for (int i = 0; r && i < n; i++)
        cp_results_free(&r[i]);
    free(r);
    return rc;
}
