/*
 * cp_baseline.h - the known results of a stack (expected/baselines/<stack>.json, format:
 * docs/baselines.md) and the regression gate that compares a run with them.
 *
 * A baseline holds, per mode (in-process, wire), the outcome of every case the stack ran and,
 * for every case that diverges from the oracle under some profile, the library's reason, the
 * cause in words and an upstream link, assigned by the rules of a reasons file
 * (expected/baselines/reasons.json). The gate recomputes the baseline's verdicts against the
 * run's own expectations, so a case whose outcome did not change never counts as a regression.
 *
 * Call sequence: cp_baseline_build() makes a baseline from results files; for the gate,
 * cp_gate_init(), cp_gate_compare() per results (it loads the baseline itself), then
 * cp_gate_print() / cp_gate_write_markdown(), and cp_gate_free().
 *
 * Errors: 0 or a negative CP_E_* with a message naming the file (a missing baseline is
 * CP_E_NOTFOUND, a corrupt one or one for another suite or mode CP_E_FORMAT). Ownership: a
 * cp_gate owns every string it holds; the results it compared may be freed afterwards.
 */
#ifndef CP_BASELINE_H
#define CP_BASELINE_H

#include "cp_results.h"

#include <stdbool.h>
#include <stdio.h>

#define CP_BASELINE_FORMAT "certpath-baseline"
#define CP_BASELINE_FORMAT_VERSION 1
#define CP_REASONS_FORMAT "certpath-reasons"
#define CP_REASONS_FORMAT_VERSION 1
/* The cause of a divergence no rule of the reasons file explains. */
#define CP_BASELINE_UNEXPLAINED "unexplained"

/* `certpath baseline RESULTS.json... -o FILE [--reasons FILE]`: one results file per mode, all
 * of one stack and one suite seed, complete and not broken. Prints, per mode, the divergences
 * per cause and how many no rule explains. */
struct cp_baseline_opts {
    const char *const *files;
    int nfiles;
    const char *output;    /* the baseline to write */
    const char *reasons;   /* the rules file, or NULL: every divergence is unexplained */
    bool allow_incomplete; /* take a run that did not finish (its cases not run are left out) */
    FILE *out;
};

int cp_baseline_build(const struct cp_baseline_opts *o);

/* How one case moved between the baseline and the run, under the gate's profile. */
#define CP_GATE_KINDS(X)                                                                           \
    X(CP_GATE_REGRESSION, "regression")                                                            \
    X(CP_GATE_IMPROVEMENT, "improvement")                                                          \
    X(CP_GATE_NEW, "new")                                                                          \
    X(CP_GATE_NOW_RUN, "now-run")

enum cp_gate_kind {
#define CP_X_ENUM(code, name) code,
    CP_GATE_KINDS(CP_X_ENUM)
#undef CP_X_ENUM
        CP_GATE_KIND_COUNT
};

struct cp_gate_item {
    enum cp_gate_kind kind;
    char *id;
    enum cp_outcome_kind was, now; /* was: CP_OUT_NONE for a new case */
    enum cp_verdict was_verdict, now_verdict;
    char *reason; /* the library's text now */
    char *cause;  /* the baseline's cause for its divergence, or NULL */
    char *link;   /* and its upstream link, or NULL */
};

/* The comparison of one run (one stack, one mode) with its baseline. */
struct cp_gate {
    char *baseline; /* the file compared with */
    char *stack, *mode, *profile;
    char *platform; /* the platform directory the baseline was chosen from, or NULL */
    bool gated;     /* false: no baseline for this stack in the directory (reported, not failed) */
    int count[CP_GATE_KIND_COUNT];
    int unchanged, not_run; /* not_run: in the baseline, not in this run (a filter) */
    int expect_changed;     /* same outcome, but the suite's expectation moved */
    struct cp_gate_item *items;
    int nitems, cap;
};

void cp_gate_init(struct cp_gate *g);
void cp_gate_free(struct cp_gate *g);
const char *cp_gate_kind_name(enum cp_gate_kind k);

/* Where the baseline of r's stack is: spec itself when it is a file; spec/<stack>.json when it
 * is a directory of baselines; spec/<platform>/<stack>.json when it is a directory of
 * platforms (expected/baselines: debian-12/, debian-13/), the platform being the one r records
 * it ran on (this machine's when r records none; cp_platform.h), written to platform ("" when
 * not chosen so). CP_E_NOTFOUND (message naming the path) when there is none; *from_dir then
 * tells a stack missing from a directory (true) from a platform or a file missing (false). */
int cp_baseline_locate(const char *spec, const struct cp_results *r, char *buf, size_t cap,
                       bool *from_dir, char *platform, size_t pcap);

/* 0 when the run at path (read back into r) finished; CP_E_FORMAT naming path when it is
 * broken, or incomplete ("complete": false: interrupted, or a harness failure) unless
 * allow_incomplete. A gate or a baseline built on a partial run would pass cases it never ran. */
int cp_gate_check_complete(const char *path, const struct cp_results *r, bool allow_incomplete);

/* Compares r (scored) with the baseline spec (a file or a directory) under profile. With a
 * directory and allow_missing, a stack without a baseline file leaves g->gated false and
 * returns 0. */
int cp_gate_compare(const char *spec, bool allow_missing, const struct cp_results *r,
                    const char *profile, struct cp_gate *g);

/* `certpath run --baseline`: compares one stack's run, prints the verdict on out and adds the
 * regressions to *regressions (when not NULL). */
int cp_gate_stack(const char *spec, bool allow_missing, const struct cp_results *r,
                  const char *profile, FILE *out, int *regressions);

/* The gate's verdict in the terminal: the regressions (case, baseline, now, cause), the
 * improvements and the new cases, each list capped. */
void cp_gate_print(const struct cp_gate *g, FILE *out);

/* The same as a Markdown section for a pull-request comment (in markdown.c). */
int cp_gate_write_markdown(const struct cp_gate *g, int n, FILE *out);

/* `certpath report --markdown F --baseline FILE|DIR`: compares each of r[0..n) with its
 * baseline (a stack without one in a directory is shown as not gated) and writes the section. */
int cp_gate_write_markdown_for(const struct cp_results *r, int n, const char *spec,
                               const char *profile, FILE *out);

/* `certpath gate RESULTS.json... --baseline FILE|DIR [--profile P] [--markdown F]`: compares
 * each results file with its baseline and prints the verdict; *regressions gets the total. */
struct cp_gate_opts {
    const char *const *files;
    int nfiles;
    const char *baseline;
    const char *profile;   /* default webpki */
    const char *markdown;  /* also write the Markdown section here ("-": out), or NULL */
    bool allow_incomplete; /* compare a run that did not finish (a broken one never) */
    FILE *out;
};

int cp_gate_run(const struct cp_gate_opts *o, int *regressions);

#endif
