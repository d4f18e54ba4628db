/*
 * merge.c - `certpath merge`: the results files of a run's shards (`certpath run --shard I/N`)
 * joined into the results of the whole run.
 *
 * Shard I of N holds the cases at positions p of the run's selection with p % N == I - 1, in
 * selection order, and records how many cases the selection has and a digest of their ids. So
 * the merged cases are the shards' cases dealt back round-robin, and the digest recomputed over
 * them proves that the shards are one whole run: none missing, none repeated, same filter.
 */
#include "cp_common.h"
#include "cp_report_internal.h"
#include "cp_results.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* A shard on its own: it is one, and it finished (or, with allow_incomplete, lists no more
 * cases than its slice). */
static int check_alone(const char *path, const struct cp_results *r, bool allow_incomplete)
{
    if (r->shard.count <= 0)
        return cp_report_bad_file(
            path, "not a shard's results (no \"shard\"; see `certpath run --shard`)");
    if (r->broken)
        return cp_report_bad_file(path, "shard %d/%d is broken: %s", r->shard.index, r->shard.count,
                                  or_empty(r->broken_reason));
    if (!r->complete && !allow_incomplete)
        return cp_report_bad_file(path,
                                  "shard %d/%d is incomplete (finish it with `certpath run "
                                  "--resume`, or merge with --allow-incomplete)",
                                  r->shard.index, r->shard.count);
    int want = (r->shard.total - r->shard.index + r->shard.count) / r->shard.count;
    if (r->ncases != want && (r->complete || r->ncases > want))
        return cp_report_bad_file(
            path, "shard %d/%d lists %d cases; its run selects %d, so it should list %d",
            r->shard.index, r->shard.count, r->ncases, r->shard.total, want);
    return 0;
}

/* A text both files must share. */
static int same(const char *path, const char *what, const char *a, const char *first, const char *b)
{
    if (strcmp(or_empty(a), or_empty(b)) == 0)
        return 0;
    return cp_report_bad_file(path, "%s \"%.200s\", but %s has \"%.200s\": not shards of one run",
                              what, or_empty(a), first, or_empty(b));
}

/* A shard against the first one: the same run of the same suite and stack. */
static int check_same_run(const char *path, const struct cp_results *r, const char *first,
                          const struct cp_results *f)
{
    int rc;
    if ((rc = same(path, "is from suite", r->suite_id, first, f->suite_id)) ||
        (rc = same(path, "has seed", r->seed, first, f->seed)) ||
        (rc = same(path, "has validation time", r->validation_time, first, f->validation_time)) ||
        (rc = same(path, "is of stack", r->stack, first, f->stack)) ||
        (rc = same(path, "is of library", r->library, first, f->library)) ||
        (rc = same(path, "is of library version", r->library_version, first, f->library_version)) ||
        (rc = same(path, "ran in mode", r->mode, first, f->mode)) ||
        (rc = same(path, "has settings", r->settings, first, f->settings)) ||
        (rc = same(path, "ran on", r->platform.pretty_name, first, f->platform.pretty_name)))
        return rc;
    if (r->nprofiles != f->nprofiles)
        return cp_report_bad_file(path, "has %d profiles, but %s has %d", r->nprofiles, first,
                                  f->nprofiles);
    for (int p = 0; p < r->nprofiles; p++) {
        if ((rc = same(path, "has profile", r->profiles[p], first, f->profiles[p])))
            return rc;
    }
    if (r->shard.count != f->shard.count)
        return cp_report_bad_file(path, "is shard %d/%d, but %s is shard %d/%d", r->shard.index,
                                  r->shard.count, first, f->shard.index, f->shard.count);
    if (r->shard.total != f->shard.total || r->shard.selection != f->shard.selection)
        return cp_report_bad_file(
            path,
            "its run selected other cases than %s's (%d and %d cases, digests "
            "%016llx and %016llx): another --filter or suite",
            first, r->shard.total, f->shard.total, (unsigned long long)r->shard.selection,
            (unsigned long long)f->shard.selection);
    if (r->compared != f->compared)
        return cp_report_bad_file(path, "%s modes, but %s %s",
                                  r->compared ? "compares" : "does not compare", first,
                                  f->compared ? "does (--mode both)" : "does not");
    return 0;
}

/* by[i]: the file of shard i + 1. Every shard exactly once. */
static int order_shards(const char *const *files, const struct cp_results *sh, int n, int *by)
{
    int count = sh[0].shard.count;
    for (int i = 0; i < count; i++)
        by[i] = -1;
    for (int k = 0; k < n; k++) {
        int i = sh[k].shard.index - 1;
        if (by[i] >= 0)
            return cp_report_bad_file(files[k], "shard %d/%d again: %s is that shard too", i + 1,
                                      count, files[by[i]]);
        by[i] = k;
    }
    for (int i = 0; i < count; i++) {
        if (by[i] < 0)
            return cp_error_set(CP_E_FORMAT,
                                "shard %d/%d is missing: %d of %d shards given (first %s)", i + 1,
                                count, n, count, files[0]);
    }
    return 0;
}

static int feature_index(struct cp_results *r, const char *name)
{
    for (int f = 0; f < r->nfeatures; f++) {
        if (strcmp(r->features[f], name) == 0)
            return f;
    }
    if (r->nfeatures >= CP_RESULTS_MAX_FEATURES)
        return cp_error_set(CP_E_LIMIT, "more than %d features", CP_RESULTS_MAX_FEATURES);
    if (!(r->features[r->nfeatures] = strdup(name)))
        return cp_error_set(CP_E_NOMEM, "out of memory merging");
    return r->nfeatures++;
}

/* A copy of shard r's case c in out, its feature bits renumbered to out's features. */
static int copy_case(struct cp_results *out, struct cp_result_case *to, const struct cp_results *r,
                     const struct cp_result_case *c)
{
    *to = *c;
    to->features = 0;
    to->id = strdup(c->id);
    to->family = c->family ? strdup(c->family) : NULL;
    to->reason = c->reason ? strdup(c->reason) : NULL;
    if (!to->id || (c->family && !to->family) || (c->reason && !to->reason))
        return cp_error_set(CP_E_NOMEM, "out of memory merging");
    for (int f = 0; f < r->nfeatures; f++) {
        if (!(c->features & (UINT64_C(1) << f)))
            continue;
        int k = feature_index(out, r->features[f]);
        if (k < 0)
            return k;
        to->features |= UINT64_C(1) << k;
    }
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The run's own record: suite, stack, profiles and the first shard's feature order. */
static int copy_header(struct cp_results *out, const struct cp_results *f)
{
    out->suite_id = dup_or_null(f->suite_id);
    out->seed = dup_or_null(f->seed);
    out->validation_time = dup_or_null(f->validation_time);
    out->vtime = f->vtime;
    out->stack = dup_or_null(f->stack);
    out->library = dup_or_null(f->library);
    out->library_version = dup_or_null(f->library_version);
    out->mode = dup_or_null(f->mode);
    out->settings = dup_or_null(f->settings);
    out->caps = f->caps;
    out->has_platform = f->has_platform;
    out->platform = f->platform;
    for (int i = 0; i < f->nlibraries; i++) {
        const struct cp_result_library *l = &f->libraries[i];
        int rc = cp_results_add_library(out, l->role, l->name, l->version);
        if (rc)
            return rc;
    }
    for (int p = 0; p < f->nprofiles; p++) {
        if (!(out->profiles[p] = strdup(f->profiles[p])))
            return cp_error_set(CP_E_NOMEM, "out of memory merging");
        out->nprofiles++;
    }
    for (int i = 0; i < f->nfeatures; i++) {
        int rc = feature_index(out, f->features[i]);
        if (rc < 0)
            return rc;
    }
    if (!out->suite_id || !out->stack || !out->mode)
        return cp_error_set(CP_E_NOMEM, "out of memory merging");
    return 0;
}

/* The cases dealt back round-robin, shard 1, 2, ..., N, 1, ...: for complete shards that is
 * selection position p from shard p % N's case p / N, so the digest proves the order. An
 * incomplete shard runs out early and is passed over; its cases keep their relative order, but
 * the merged order of a partial run is only that of the shards (no digest can check it). */
static int deal_cases(const char *const *files, const struct cp_results *sh, const int *by,
                      bool whole, struct cp_results *out)
{
    int count = sh[0].shard.count, listed = 0, rc = 0;
    for (int i = 0; i < count; i++)
        listed += sh[by[i]].ncases;
    struct cp_rep_map seen = {0};
    uint64_t h = CP_SHARD_HASH_INIT;
    int *next = calloc((size_t)count, sizeof(int));
    if (!next || (listed > 0 && !(out->cases = calloc((size_t)listed, sizeof(*out->cases)))) ||
        (rc = cp_rep_map_init(&seen, (size_t)listed + 1))) {
        free(next);
        return rc ? rc : cp_error_set(CP_E_NOMEM, "out of memory merging %d cases", listed);
    }
    for (int p = 0; out->ncases < listed && !rc; p++) {
        int i = p % count, k = by[i];
        if (next[i] >= sh[k].ncases)
            continue;
        const struct cp_result_case *c = &sh[k].cases[next[i]++];
        int was = cp_rep_map_get(&seen, c->id);
        if (was >= 0)
            rc = cp_report_bad_file(files[k], "case %.160s is also in %s", c->id,
                                    files[by[was % count]]);
        else if (!(rc = cp_rep_map_put(&seen, c->id, p)) &&
                 !(rc = copy_case(out, &out->cases[out->ncases], &sh[k], c)))
            out->ncases++;
        h = cp_shard_hash(h, c->id);
    }
    free(next);
    cp_rep_map_free(&seen);
    if (!rc && whole && h != sh[0].shard.selection)
        rc = cp_error_set(CP_E_FORMAT,
                          "%s and the other shards hold cases other than their run selected "
                          "(or in another order): edited, or shards of different runs",
                          files[0]);
    return rc;
}

/* --mode both shards: each shard's disagreements, in the merged case order. */
static int merge_disagreements(const struct cp_results *sh, int n, struct cp_results *out)
{
    struct cp_rep_map at = {0};
    int total = 0, rc;
    for (int k = 0; k < n; k++)
        total += sh[k].ndisagreements;
    out->compared = true;
    if ((rc = cp_rep_map_init(&at, (size_t)out->ncases + 1)))
        return rc;
    for (int i = 0; i < out->ncases; i++) {
        if ((rc = cp_rep_map_put(&at, out->cases[i].id, i)))
            goto done;
    }
    if (total > 0 && !(out->disagreements = calloc((size_t)total, sizeof(*out->disagreements)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory merging");
        goto done;
    }
    /* Case order: walk the merged cases, taking each one's disagreement from whichever shard. */
    for (int i = 0; i < out->ncases; i++) {
        for (int k = 0; k < n; k++) {
            for (int d = 0; d < sh[k].ndisagreements; d++) {
                const struct cp_disagreement *x = &sh[k].disagreements[d];
                if (strcmp(x->id, out->cases[i].id) != 0)
                    continue;
                struct cp_disagreement *y = &out->disagreements[out->ndisagreements++];
                *y = *x;
                y->id = strdup(x->id);
                y->reason = strdup(or_empty(x->reason));
                y->other_reason = strdup(or_empty(x->other_reason));
                if (!y->id || !y->reason || !y->other_reason) {
                    rc = cp_error_set(CP_E_NOMEM, "out of memory merging");
                    goto done;
                }
                if (!out->other_mode && sh[k].other_mode &&
                    !(out->other_mode = strdup(sh[k].other_mode))) {
                    rc = cp_error_set(CP_E_NOMEM, "out of memory merging");
                    goto done;
                }
            }
        }
    }
done:
    cp_rep_map_free(&at);
    return rc;
}

static int merge_read(const char *const *files, int n, bool allow_incomplete, struct cp_results *sh,
                      int **by, struct cp_results *out)
{
    int rc;
    bool whole = true;
    for (int k = 0; k < n; k++) {
        if ((rc = cp_results_read_json(files[k], &sh[k])) ||
            (rc = check_alone(files[k], &sh[k], allow_incomplete)) ||
            (k > 0 && (rc = check_same_run(files[k], &sh[k], files[0], &sh[0]))))
            return rc;
        whole = whole && sh[k].complete;
    }
    if (!(*by = calloc((size_t)sh[0].shard.count, sizeof(int))))
        return cp_error_set(CP_E_NOMEM, "out of memory merging %d shards", sh[0].shard.count);
    if ((rc = order_shards(files, sh, n, *by)) || (rc = copy_header(out, &sh[0])) ||
        (rc = deal_cases(files, sh, *by, whole, out)) ||
        (sh[0].compared && (rc = merge_disagreements(sh, n, out))))
        return rc;
    out->complete = whole;
    for (int k = 0; k < n; k++) {
        out->seconds = sh[k].seconds > out->seconds ? sh[k].seconds : out->seconds;
        out->cpu_seconds += sh[k].cpu_seconds; /* the shards' work adds up */
        /* Shards of one run share their limits; the largest is what any case had. */
        out->cpu_limit = sh[k].cpu_limit > out->cpu_limit ? sh[k].cpu_limit : out->cpu_limit;
        out->wall_limit = sh[k].wall_limit > out->wall_limit ? sh[k].wall_limit : out->wall_limit;
    }
    cp_results_score(out);
    return 0;
}

int cp_results_merge(const char *const *files, int n, bool allow_incomplete, struct cp_results *out)
{
    cp_results_init(out);
    if (n < 1)
        return cp_error_set(CP_E_ARG, "no shard results file given");
    struct cp_results *sh = calloc((size_t)n, sizeof(*sh));
    int *by = NULL;
    int rc = sh ? merge_read(files, n, allow_incomplete, sh, &by, out)
                : cp_error_set(CP_E_NOMEM, "out of memory merging %d files", n);
    for (int k = 0; sh && k < n; k++)
        cp_results_free(&sh[k]);
    free(sh);
    free(by);
    return rc;
}
