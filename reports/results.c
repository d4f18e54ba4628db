/* results.c - scoring a run: verdicts per profile, counts, and feature support. */
#include "cp_hash.h"
#include "cp_common.h"
#include "cp_results.h"

#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[] = {
#define CP_X_NAME(code, name) name,
    CP_OUTCOMES(CP_X_NAME)
#undef CP_X_NAME
};
static const char *const verdict_names[] = {
#define CP_X_NAME(code, name) name,
    CP_VERDICTS(CP_X_NAME)
#undef CP_X_NAME
};

void cp_results_init(struct cp_results *r)
{
    memset(r, 0, sizeof(*r));
}

static void clear_disagreements(struct cp_results *r)
{
    for (int i = 0; i < r->ndisagreements; i++) {
        free(r->disagreements[i].id);
        free(r->disagreements[i].reason);
        free(r->disagreements[i].other_reason);
    }
    free(r->disagreements);
    free(r->other_mode);
    r->disagreements = NULL;
    r->other_mode = NULL;
    r->ndisagreements = 0;
    r->compared = false;
}

void cp_results_free(struct cp_results *r)
{
    if (!r)
        return;
    char **strings[] = {
        &r->suite_id, &r->suite_dir,       &r->seed, &r->validation_time, &r->stack,
        &r->library,  &r->library_version, &r->mode, &r->settings,        &r->broken_reason};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(*strings[i]);
    for (int i = 0; i < r->nprofiles; i++)
        free(r->profiles[i]);
    for (int i = 0; i < r->nfeatures; i++)
        free(r->features[i]);
    for (int i = 0; i < r->nlibraries; i++) {
        free(r->libraries[i].role);
        free(r->libraries[i].name);
        free(r->libraries[i].version);
    }
    for (int i = 0; i < r->ncases; i++) {
        free(r->cases[i].id);
        free(r->cases[i].family);
        free(r->cases[i].reason);
    }
    free(r->cases);
    clear_disagreements(r);
    memset(r, 0, sizeof(*r));
}

const char *cp_outcome_kind_name(enum cp_outcome_kind o)
{
    return (unsigned)o < CP_OUT_COUNT ? outcome_names[o] : "?";
}

const char *cp_verdict_name(enum cp_verdict v)
{
    return (unsigned)v < CP_V_COUNT ? verdict_names[v] : "?";
}

const struct cp_support_look *cp_support_look(enum cp_support s)
{
    static const struct cp_support_look looks[CP_SUPPORT_COUNT] = {
#define CP_X_SUPPORT_LOOK(code, name, word, mark, badge, cls, symbol)                              \
    [code] = {name, word, mark, badge, cls, symbol},
        CP_SUPPORT_LEVELS(CP_X_SUPPORT_LOOK)
#undef CP_X_SUPPORT_LOOK
    };
    return &looks[(unsigned)s < CP_SUPPORT_COUNT ? s : CP_SUPPORT_NONE];
}

const char *cp_support_name(enum cp_support s)
{
    return cp_support_look(s)->name;
}

int cp_outcome_kind_lookup(const char *name)
{
    for (int i = 0; i < CP_OUT_COUNT; i++) {
        if (strcmp(outcome_names[i], name) == 0)
            return i;
    }
    return -1;
}

enum cp_verdict cp_verdict_of(enum cp_outcome_kind outcome, bool expect_accept)
{
    switch (outcome) {
    case CP_OUT_ACCEPT:
        return expect_accept ? CP_V_PASS : CP_V_WRONG_ACCEPT;
    case CP_OUT_REJECT:
        return expect_accept ? CP_V_WRONG_REJECT : CP_V_PASS;
    case CP_OUT_SKIP:
        return CP_V_SKIP;
    case CP_OUT_NONE:
        return CP_V_NONE;
    default:
        return CP_V_ERROR;
    }
}

int cp_results_add_library(struct cp_results *r, const char *role, const char *name,
                           const char *version)
{
    if (r->nlibraries >= CP_RESULTS_MAX_LIBRARIES)
        return cp_error_set(CP_E_LIMIT, "more than %d libraries in one run of %s",
                            CP_RESULTS_MAX_LIBRARIES, r->stack ? r->stack : "a stack");
    struct cp_result_library *l = &r->libraries[r->nlibraries];
    l->role = strdup(role);
    l->name = strdup(name);
    l->version = strdup(version);
    r->nlibraries++; /* counted before the check, so that cp_results_free() releases them */
    if (!l->role || !l->name || !l->version)
        return cp_error_set(CP_E_NOMEM, "out of memory");
    return 0;
}

const char *cp_results_library(const struct cp_results *r, const char *role)
{
    for (int i = 0; i < r->nlibraries; i++) {
        if (strcmp(r->libraries[i].role, role) == 0)
            return r->libraries[i].version;
    }
    return NULL;
}

int cp_results_profile(const struct cp_results *r, const char *name)
{
    for (int i = 0; i < r->nprofiles; i++) {
        if (strcmp(r->profiles[i], name) == 0)
            return i;
    }
    return -1;
}

static void score_features(struct cp_results *r, int p)
{
    for (int f = 0; f < r->nfeatures; f++) {
        struct cp_feature_summary *s = &r->summary[p][f];
        memset(s, 0, sizeof(*s));
        for (int i = 0; i < r->ncases; i++) {
            const struct cp_result_case *c = &r->cases[i];
            if (!(c->features & (UINT64_C(1) << f)))
                continue;
            switch (c->verdict[p]) {
            case CP_V_PASS:
                s->pass++;
                s->probe_pass += c->probe;
                break;
            case CP_V_WRONG_ACCEPT:
            case CP_V_WRONG_REJECT:
                s->fail++;
                s->probe_fail += c->probe;
                break;
            case CP_V_SKIP:
                s->skip++;
                break;
            case CP_V_ERROR:
                s->error++;
                break;
            default:
                break;
            }
        }
        bool probed = s->probe_pass + s->probe_fail > 0;
        int pass = probed ? s->probe_pass : s->pass, fail = probed ? s->probe_fail : s->fail;
        s->support = pass + fail == 0 ? CP_SUPPORT_NONE
                     : fail == 0      ? CP_SUPPORTED
                     : pass == 0      ? CP_UNSUPPORTED
                                      : CP_SUPPORT_PARTIAL;
    }
}

void cp_results_score(struct cp_results *r)
{
    memset(r->counts, 0, sizeof(r->counts));
    for (int p = 0; p < r->nprofiles; p++) {
        for (int i = 0; i < r->ncases; i++) {
            struct cp_result_case *c = &r->cases[i];
            c->verdict[p] = cp_verdict_of(c->outcome, c->expect_accept[p]);
            r->counts[p][c->verdict[p]]++;
        }
        score_features(r, p);
    }
}

/* "N pass, N wrongly accepted, ... (of N) in S s" under profile p. */
static void print_counts(const struct cp_results *r, int p, FILE *out)
{
    int timeouts = 0, crashes = 0, errors = 0;
    for (int i = 0; i < r->ncases; i++) {
        timeouts += r->cases[i].outcome == CP_OUT_TIMEOUT;
        crashes += r->cases[i].outcome == CP_OUT_CRASH;
        errors += r->cases[i].outcome == CP_OUT_ERROR;
    }
    const int *n = r->counts[p];
    fprintf(out,
            "%d pass, %d wrongly accepted, %d wrongly rejected, %d skip, "
            "%d error, %d timeout, %d crash (of %d) in %.1f s",
            n[CP_V_PASS], n[CP_V_WRONG_ACCEPT], n[CP_V_WRONG_REJECT], n[CP_V_SKIP], errors,
            timeouts, crashes, r->ncases, r->seconds);
}

void cp_results_print_summary(const struct cp_results *r, int p, FILE *out)
{
    if (p < 0 || p >= r->nprofiles)
        return;
    fprintf(out, "\n%s %s (%s, %s mode), profile %s\n", r->library ? r->library : r->stack,
            r->library_version ? r->library_version : "", r->stack, r->mode, r->profiles[p]);
    if (r->broken)
        fprintf(out, "  BROKEN: %s\n  (the controls failed, so nothing below is a finding)\n",
                r->broken_reason ? r->broken_reason : "a control failed");
    if (!r->complete)
        fprintf(out, "  INCOMPLETE: the run stopped early; counts cover finished cases only\n");
    fprintf(out, "  features:\n");
    for (int f = 0; f < r->nfeatures; f++) {
        const struct cp_feature_summary *s = &r->summary[p][f];
        if (s->pass + s->fail + s->skip + s->error == 0)
            continue;
        fprintf(out, "    %-28s %-13s %4d pass %4d fail", r->features[f],
                cp_support_name(s->support), s->pass, s->fail);
        if (s->probe_pass + s->probe_fail)
            fprintf(out, "  (probes %d/%d)", s->probe_pass, s->probe_pass + s->probe_fail);
        if (s->skip)
            fprintf(out, " %4d skip", s->skip);
        if (s->error)
            fprintf(out, " %4d error", s->error);
        fputc('\n', out);
    }
    fputs("  cases: ", out);
    print_counts(r, p, out);
    fputc('\n', out);
}

void cp_results_print_line(const struct cp_results *r, int p, FILE *out)
{
    if (p < 0 || p >= r->nprofiles)
        return;
    fprintf(out, "%-14s %-10s ", r->stack, r->mode);
    if (r->broken)
        fprintf(out, "BROKEN: %s\n", r->broken_reason ? r->broken_reason : "a control failed");
    else {
        print_counts(r, p, out);
        fputs(r->complete ? "\n" : " (INCOMPLETE)\n", out);
    }
}

/* ---- --mode both ---- */

static bool comparable(enum cp_outcome_kind o)
{
    return o != CP_OUT_NONE && o != CP_OUT_SKIP;
}

static int add_disagreement(struct cp_results *r, const struct cp_result_case *mine,
                            const struct cp_result_case *theirs)
{
    struct cp_disagreement *d = &r->disagreements[r->ndisagreements];
    d->id = strdup(mine->id);
    d->reason = strdup(mine->reason ? mine->reason : "");
    d->other_reason = strdup(theirs->reason ? theirs->reason : "");
    d->outcome = mine->outcome;
    d->other_outcome = theirs->outcome;
    r->ndisagreements++;
    if (!d->id || !d->reason || !d->other_reason)
        return cp_error_set(CP_E_NOMEM, "out of memory comparing modes");
    return 0;
}

static int start_comparison(struct cp_results *r, const char *other_mode, int n)
{
    clear_disagreements(r);
    r->compared = true;
    if (!(r->other_mode = strdup(other_mode ? other_mode : "")) ||
        (n > 0 && !(r->disagreements = calloc((size_t)n, sizeof(*r->disagreements)))))
        return cp_error_set(CP_E_NOMEM, "out of memory comparing modes");
    return 0;
}

int cp_results_compare_modes(struct cp_results *a, struct cp_results *b)
{
    /* Both runs lay the same suite out, case i in both; the ids are checked all the same. */
    int n = a->ncases < b->ncases ? a->ncases : b->ncases, rc;
    if ((rc = start_comparison(a, b->mode, n)) || (rc = start_comparison(b, a->mode, n)))
        return rc;
    for (int i = 0; i < n; i++) {
        const struct cp_result_case *x = &a->cases[i], *y = &b->cases[i];
        if (strcmp(x->id, y->id) != 0 || !comparable(x->outcome) || !comparable(y->outcome) ||
            x->outcome == y->outcome)
            continue;
        if ((rc = add_disagreement(a, x, y)) || (rc = add_disagreement(b, y, x)))
            return rc;
    }
    return 0;
}

static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

void cp_results_print_disagreements(const struct cp_results *r, int max, const char *path,
                                    FILE *out)
{
    if (!r->compared)
        return;
    /* In-process first, whichever mode r is. */
    bool wire = r->mode && strcmp(r->mode, "wire") == 0;
    fprintf(out, "\n%s (%s): %d case%s where in-process and wire disagree\n", r->stack,
            r->library_version ? r->library_version : "", r->ndisagreements,
            r->ndisagreements == 1 ? "" : "s");
    for (int i = 0; i < r->ndisagreements && i < max; i++) {
        const struct cp_disagreement *d = &r->disagreements[i];
        enum cp_outcome_kind in = wire ? d->other_outcome : d->outcome;
        enum cp_outcome_kind on = wire ? d->outcome : d->other_outcome;
        const char *inr = text_or_empty(wire ? d->other_reason : d->reason);
        const char *onr = text_or_empty(wire ? d->reason : d->other_reason);
        fprintf(out, "  %s\n    in-process: %s%s%.120s\n    wire:       %s%s%.120s\n", d->id,
                cp_outcome_kind_name(in), *inr ? ": " : "", inr, cp_outcome_kind_name(on),
                *onr ? ": " : "", onr);
    }
    if (r->ndisagreements > max)
        fprintf(out, "  ... and %d more: all of them are in %s\n", r->ndisagreements - max,
                path ? path : "the results files");
}

uint64_t cp_shard_hash(uint64_t h, const char *id)
{
    /* The terminating NUL is hashed too, so "ab"+"c" and "a"+"bc" shard apart. */
    return cp_fnv1a64_add(h, id, strlen(id) + 1);
}
