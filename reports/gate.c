/*
 * gate.c - the regression gate: a run compared case by case with its stack's baseline.
 *
 * The baseline records outcomes, not verdicts: its verdict for a case is recomputed from its
 * outcome against the run's own expectation, so a case whose outcome is the same is unchanged
 * even when the oracle's answer moved (that is counted apart, as a stale baseline). A case whose
 * outcome changed is an improvement when it now passes, and a regression when it passed before
 * or moved from one wrong outcome to another (wrongly rejected -> wrongly accepted, reject ->
 * timeout). A case the baseline never ran (a newer suite) is new; one it skipped is "now run".
 */
#include "baseline_internal.h"
#include "cp_baseline.h"
#include "cp_common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The terminal lists every regression (each one fails the gate) but caps the rest. */
#define GATE_LIST_OTHERS 25

static const char *const kind_names[] = {
#define CP_X_NAME(code, name) name,
    CP_GATE_KINDS(CP_X_NAME)
#undef CP_X_NAME
};

const char *cp_gate_kind_name(enum cp_gate_kind k)
{
    return (unsigned)k < CP_GATE_KIND_COUNT ? kind_names[k] : "?";
}

void cp_gate_init(struct cp_gate *g)
{
    memset(g, 0, sizeof(*g));
}

void cp_gate_free(struct cp_gate *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->nitems; i++) {
        free(g->items[i].id);
        free(g->items[i].reason);
        free(g->items[i].cause);
        free(g->items[i].link);
    }
    free(g->items);
    free(g->baseline);
    free(g->stack);
    free(g->mode);
    free(g->profile);
    free(g->platform);
    memset(g, 0, sizeof(*g));
}

/* The platform subdirectories of dir that hold baselines (names joined into list), or 0. */
static int platform_dirs(const char *dir, char *list, size_t cap)
{
    int n = 0;
    size_t used = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    list[0] = '\0';
    while (d && (e = readdir(d))) {
        char sub[PATH_MAX];
        struct stat st;
        if (e->d_name[0] == '.' ||
            snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
            stat(sub, &st) || !S_ISDIR(st.st_mode))
            continue;
        int w = snprintf(list + used, cap - used, "%s%s", n ? ", " : "", e->d_name);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

int cp_baseline_locate(const char *spec, const struct cp_results *r, char *buf, size_t cap,
                       bool *from_dir, char *platform, size_t pcap)
{
    struct stat st;
    const char *stack = r->stack;
    char dir[PATH_MAX], key[CP_PLATFORM_ID_MAX * 2 + 2], have[512];
    struct cp_platform here;
    const struct cp_platform *p = &r->platform;
    platform[0] = '\0';
    *from_dir = stat(spec, &st) == 0 && S_ISDIR(st.st_mode);
    if (!*from_dir) {
        if (snprintf(buf, cap, "%s", spec) >= (int)cap)
            return cp_error_set(CP_E_LIMIT, "baseline path %s is too long", spec);
        goto found;
    }
    /* A directory of platforms (expected/baselines: debian-12/, debian-13/) gives the one the
     * run was made on, as its results record it (this machine for a file from before). */
    if (!r->has_platform) {
        cp_platform_this(&here);
        p = &here;
    }
    if (snprintf(dir, sizeof(dir), "%s", spec) >= (int)sizeof(dir))
        return cp_error_set(CP_E_LIMIT, "baseline path %s is too long", spec);
    if (platform_dirs(spec, have, sizeof(have)) > 0) {
        int rc = cp_platform_key(p, key, sizeof(key));
        if (!rc && (snprintf(dir, sizeof(dir), "%s/%s", spec, key) >= (int)sizeof(dir) ||
                    stat(dir, &st) || !S_ISDIR(st.st_mode)))
            rc = CP_E_NOTFOUND;
        if (rc) {
            /* Not a missing stack: the whole platform is missing, which no --stack all may
             * pass over. */
            *from_dir = false;
            return cp_error_set(CP_E_NOTFOUND,
                                "%s holds baselines per platform (%s) and none for %s (%s), "
                                "where the run of %s was made: make them with `certpath "
                                "baseline ... -o %s/%s/%s.json`, or give --baseline a directory "
                                "or a file of your own",
                                spec, have, *p->id ? key : "an unknown platform",
                                *p->pretty_name ? p->pretty_name : "no os-release", stack, spec,
                                *p->id ? key : "ID-VERSION_ID", stack);
        }
        snprintf(platform, pcap, "%s", key);
    }
    /* A results name is safe in a path: no slash comes from a registry row or module. */
    if (strchr(stack, '/') || snprintf(buf, cap, "%s/%s.json", dir, stack) >= (int)cap)
        return cp_error_set(CP_E_ARG, "no baseline file name for stack %s in %s", stack, dir);
found:
    if (access(buf, F_OK) != 0)
        return cp_error_set(CP_E_NOTFOUND, "baseline %s: %s (make one with `certpath baseline`)",
                            buf, strerror(errno));
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int add_item(struct cp_gate *g, enum cp_gate_kind kind, const struct cp_result_case *c,
                    const struct cp_bl_case *was, enum cp_verdict was_v, enum cp_verdict now_v)
{
    struct cp_gate_item *it;
    if (g->nitems == g->cap) {
        int cap = g->cap ? g->cap * 2 : 16;
        void *p = realloc(g->items, (size_t)cap * sizeof(*g->items));
        if (!p)
            return cp_error_set(CP_E_NOMEM, "out of memory comparing with %s", g->baseline);
        g->items = p;
        g->cap = cap;
    }
    it = &g->items[g->nitems++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->was = was ? was->outcome : CP_OUT_NONE;
    it->now = c->outcome;
    it->was_verdict = was_v;
    it->now_verdict = now_v;
    it->id = strdup(c->id);
    it->reason = strdup(c->reason ? c->reason : "");
    it->cause = dup_or_null(was ? was->cause : NULL);
    it->link = dup_or_null(was ? was->link : NULL);
    g->count[kind]++;
    if (!it->id || !it->reason || (was && was->cause && !it->cause) ||
        (was && was->link && !it->link))
        return cp_error_set(CP_E_NOMEM, "out of memory comparing with %s", g->baseline);
    return 0;
}

/* One case: unchanged, or an item of some kind. */
static int compare_case(struct cp_gate *g, const struct cp_bl *b, const struct cp_bl_mode *m,
                        const struct cp_result_case *c, int p)
{
    const struct cp_bl_case *was = cp_bl_case(m, c->id);
    enum cp_verdict now_v = c->verdict[p];
    if (!was)
        return add_item(g, CP_GATE_NEW, c, NULL, CP_V_NONE, now_v);
    enum cp_verdict was_v = cp_verdict_of(was->outcome, c->expect_accept[p]);
    if (was->outcome == c->outcome) {
        int bp = -1;
        for (int k = 0; k < b->nprofiles; k++)
            bp = strcmp(b->profiles[k], g->profile) == 0 ? k : bp;
        g->expect_changed +=
            bp >= 0 && was->expect[bp] >= 0 && was->expect[bp] != (signed char)c->expect_accept[p];
        g->unchanged++;
        return 0;
    }
    if (now_v == CP_V_PASS)
        return add_item(g, CP_GATE_IMPROVEMENT, c, was, was_v, now_v);
    if (was->outcome == CP_OUT_SKIP)
        return add_item(g, CP_GATE_NOW_RUN, c, was, was_v, now_v);
    return add_item(g, CP_GATE_REGRESSION, c, was, was_v, now_v);
}

static int check_suite(const struct cp_bl *b, const struct cp_results *r)
{
    if (strcmp(b->stack, r->stack))
        return cp_error_set(CP_E_FORMAT, "baseline %s is stack %s's, not %s's", b->path, b->stack,
                            r->stack);
    if (strcmp(b->seed, r->seed))
        return cp_error_set(CP_E_FORMAT,
                            "baseline %s is for the suite of seed %s; this run's suite has seed "
                            "%s: compare runs of the same suite",
                            b->path, b->seed, r->seed);
    if (strcmp(b->generator, "certpath " CP_VERSION))
        return cp_error_set(CP_E_FORMAT,
                            "baseline %s was made with the suite of %s; this is certpath %s, "
                            "whose suite may differ: rebuild the baseline with `certpath "
                            "baseline`",
                            b->path, b->generator, CP_VERSION);
    return 0;
}

int cp_gate_check_complete(const char *path, const struct cp_results *r, bool allow_incomplete)
{
    if (r->broken)
        return cp_error_set(CP_E_FORMAT,
                            "%s: the run is broken (%s): its cases say nothing about the "
                            "library; fix the adapter and run again",
                            path, r->broken_reason ? r->broken_reason : "a control failed");
    if (!r->complete && !allow_incomplete)
        return cp_error_set(CP_E_FORMAT,
                            "%s: the run is incomplete (\"complete\": false, %d cases ran); "
                            "finish it with `certpath run --resume`, or pass "
                            "--allow-incomplete to compare only the cases that ran",
                            path, r->ncases);
    return 0;
}

int cp_gate_compare(const char *spec, bool allow_missing, const struct cp_results *r,
                    const char *profile, struct cp_gate *g)
{
    char path[PATH_MAX], platform[CP_PLATFORM_ID_MAX * 2 + 2];
    bool from_dir = false;
    struct cp_bl b;
    const struct cp_bl_mode *m;
    int rc, p = cp_results_profile(r, profile);
    memset(&b, 0, sizeof(b));
    cp_gate_init(g);
    if (!(g->stack = strdup(r->stack)) || !(g->mode = strdup(r->mode)) ||
        !(g->profile = strdup(profile))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory");
        goto out;
    }
    if (p < 0) {
        rc = cp_error_set(CP_E_ARG, "the run of %s has no profile %s", r->stack, profile);
        goto out;
    }
    if ((rc = cp_baseline_locate(spec, r, path, sizeof(path), &from_dir, platform,
                                 sizeof(platform)))) {
        if (rc == CP_E_NOTFOUND && from_dir && allow_missing) {
            cp_error_clear();
            rc = (g->baseline = strdup(path)) ? 0 : cp_error_set(CP_E_NOMEM, "out of memory");
        }
        goto out;
    }
    if (!(g->baseline = strdup(path)) || (*platform && !(g->platform = strdup(platform)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = cp_bl_load(path, &b)) || (rc = check_suite(&b, r)))
        goto out;
    if (!(m = cp_bl_mode(&b, r->mode))) {
        rc = cp_error_set(CP_E_FORMAT, "baseline %s has no %s section (it has %s%s%s)", path,
                          r->mode, b.modes[0].name, b.nmodes > 1 ? ", " : "",
                          b.nmodes > 1 ? b.modes[1].name : "");
        goto out;
    }
    g->gated = true;
    for (int i = 0; i < r->ncases; i++) {
        if (r->cases[i].outcome != CP_OUT_NONE && (rc = compare_case(g, &b, m, &r->cases[i], p)))
            goto out;
    }
    g->not_run = m->ncases - g->unchanged - (g->nitems - g->count[CP_GATE_NEW]);
out:
    cp_bl_free(&b);
    return rc;
}

static void print_item(const struct cp_gate_item *it, FILE *out)
{
    fprintf(out, "    %s\n      baseline: ", it->id);
    if (it->kind == CP_GATE_NEW)
        fputs("(not in the baseline)", out);
    else
        fprintf(out, "%s (%s)", cp_outcome_kind_name(it->was), cp_verdict_name(it->was_verdict));
    fprintf(out, "   now: %s (%s)", cp_outcome_kind_name(it->now),
            cp_verdict_name(it->now_verdict));
    if (it->reason && *it->reason)
        fprintf(out, ": %.200s", it->reason);
    fputc('\n', out);
    if (it->cause)
        fprintf(out, "      known cause: %s%s%s\n", it->cause, it->link ? " " : "",
                it->link ? it->link : "");
}

static void print_kind(const struct cp_gate *g, enum cp_gate_kind k, const char *title, int cap,
                       FILE *out)
{
    int shown = 0;
    if (!g->count[k])
        return;
    fprintf(out, "  %s (%d):\n", title, g->count[k]);
    for (int i = 0; i < g->nitems; i++) {
        if (g->items[i].kind != k)
            continue;
        if (cap && shown >= cap) {
            fprintf(out, "    ... and %d more\n", g->count[k] - shown);
            break;
        }
        print_item(&g->items[i], out);
        shown++;
    }
}

void cp_gate_print(const struct cp_gate *g, FILE *out)
{
    if (!g->gated) {
        fprintf(out, "\n%s (%s): not gated: no baseline for it (%s)\n", g->stack, g->mode,
                g->baseline ? g->baseline : "in the directory given");
        return;
    }
    fprintf(out,
            "\n%s (%s) against baseline %s, profile %s: %d regression%s, %d improvement%s, "
            "%d new, %d unchanged\n",
            g->stack, g->mode, g->baseline, g->profile, g->count[CP_GATE_REGRESSION],
            g->count[CP_GATE_REGRESSION] == 1 ? "" : "s", g->count[CP_GATE_IMPROVEMENT],
            g->count[CP_GATE_IMPROVEMENT] == 1 ? "" : "s", g->count[CP_GATE_NEW], g->unchanged);
    if (g->platform)
        fprintf(out, "  (the baselines of %s, the platform the run was made on)\n", g->platform);
    print_kind(g, CP_GATE_REGRESSION, "REGRESSIONS", 0, out);
    print_kind(g, CP_GATE_IMPROVEMENT, "improvements (refresh the baseline to keep them)",
               GATE_LIST_OTHERS, out);
    print_kind(g, CP_GATE_NOW_RUN, "now run (skipped in the baseline)", GATE_LIST_OTHERS, out);
    print_kind(g, CP_GATE_NEW, "new cases (not in the baseline)", GATE_LIST_OTHERS, out);
    if (g->expect_changed)
        fprintf(out,
                "  note: %d unchanged case%s now %s another expectation than the baseline's: "
                "the suite moved; refresh the baseline\n",
                g->expect_changed, g->expect_changed == 1 ? "" : "s",
                g->expect_changed == 1 ? "has" : "have");
}

int cp_gate_stack(const char *spec, bool allow_missing, const struct cp_results *r,
                  const char *profile, FILE *out, int *regressions)
{
    struct cp_gate g;
    int rc = cp_gate_compare(spec, allow_missing, r, profile, &g);
    if (!rc) {
        cp_gate_print(&g, out);
        if (regressions)
            *regressions += g.count[CP_GATE_REGRESSION];
    }
    cp_gate_free(&g);
    return rc;
}

int cp_gate_write_markdown_for(const struct cp_results *r, int n, const char *spec,
                               const char *profile, FILE *out)
{
    int rc = CP_E_NOMEM, done = 0;
    struct cp_gate *g = calloc((size_t)n + 1, sizeof(*g));
    if (!g) {
        cp_error_set(rc, "out of memory");
        goto out;
    }
    for (; done < n; done++) {
        if ((rc = cp_gate_compare(spec, true, &r[done], profile, &g[done]))) {
            done++;
            goto out;
        }
    }
    rc = cp_gate_write_markdown(g, n, out);
out:
    for (int i = 0; g && i < done; i++)
        cp_gate_free(&g[i]);
    free(g);
    return rc;
}

static int write_markdown(const struct cp_gate_opts *o, const struct cp_gate *g, int n)
{
    FILE *f = strcmp(o->markdown, "-") == 0 ? o->out : fopen(o->markdown, "w");
    int rc;
    if (!f)
        return cp_error_set(CP_E_IO, "cannot write %s: %s", o->markdown, strerror(errno));
    rc = cp_gate_write_markdown(g, n, f);
    if (f != o->out && fclose(f) && !rc)
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", o->markdown, strerror(errno));
    return rc;
}

int cp_gate_run(const struct cp_gate_opts *o, int *regressions)
{
    int rc = CP_E_NOMEM, n = 0;
    const char *profile = o->profile ? o->profile : "webpki";
    struct cp_gate *g = calloc((size_t)o->nfiles + 1, sizeof(*g));
    struct cp_results r;
    cp_results_init(&r);
    *regressions = 0;
    if (!g) {
        cp_error_set(rc, "out of memory");
        goto out;
    }
    for (; n < o->nfiles; n++) {
        if ((rc = cp_results_read_json(o->files[n], &r)) ||
            (rc = cp_gate_check_complete(o->files[n], &r, o->allow_incomplete)))
            goto out;
        if (!r.complete)
            fprintf(o->out,
                    "\n%s: incomplete run (--allow-incomplete): only its %d cases are "
                    "compared\n",
                    o->files[n], r.ncases);
        rc = cp_gate_compare(o->baseline, o->nfiles > 1, &r, profile, &g[n]);
        cp_results_free(&r);
        if (rc) {
            n++;
            goto out;
        }
        cp_gate_print(&g[n], o->out);
        *regressions += g[n].count[CP_GATE_REGRESSION];
    }
    rc = o->markdown ? write_markdown(o, g, n) : 0;
out:
    cp_results_free(&r);
    for (int i = 0; g && i < n; i++)
        cp_gate_free(&g[i]);
    free(g);
    return rc;
}
