/*
 * cp_harness.h - running the suite against stacks (`certpath run`, `certpath stacks`).
 */
#ifndef CP_HARNESS_H
#define CP_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

struct cp_run_opts {
    const char *stack;     /* a registry name, "name:arg", a module path, or "all" */
    const char *suite_dir; /* default "suite"; generated when missing or older than a day */
    bool no_regenerate;    /* use the suite as it is, however old */
    int jobs;              /* workers; 0: one per core */
    double timeout;        /* seconds per case */
    const char *filter;    /* shell glob over case ids (NULL: every case) */
    const char *profile;   /* the profile the summary shows (default webpki) */
    const char *output;    /* results file (default results/<stack>.json) */
    bool resume;           /* continue from the journal */
    bool progress;         /* a progress line (on a terminal) */
    volatile sig_atomic_t *stop;
};

void cp_run_opts_init(struct cp_run_opts *o);

/* Runs the suite. Returns 0 when every run completed (whatever the verdicts), or a negative
 * CP_E_* when the run itself failed (CP_E_INTERRUPTED after Ctrl-C; results so far are
 * written either way). */
int cp_run(const struct cp_run_opts *o);

/* Lists every adapter built here with its library's run-time version and capabilities (each
 * probed in a worker of its own). */
int cp_stacks_print(FILE *out);

/* `certpath __worker ...` (internal). */
int cp_harness_worker_main(int argc, char **argv);

/* `certpath __floor STACK SUITE` (bench/): the same verify() calls in one process, no workers;
 * prints the time per case. */
int cp_harness_floor(const char *stack, const char *suite_dir);

#endif
