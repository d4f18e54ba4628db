/*
 * cp_harness.h - running the suite against stacks (`certpath run`, `certpath stacks`).
 */
#ifndef CP_HARNESS_H
#define CP_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* How a run reaches the library: its verify call in the worker, or its TLS client connecting
 * to the built-in server (cp_server.h). */
enum cp_run_mode {
    CP_RUN_INPROC = 0,
    CP_RUN_WIRE = 1,
    CP_RUN_BOTH = 2, /* each mode the adapter has, then the cases where they disagree */
};

struct cp_run_opts {
    enum cp_run_mode mode; /* default CP_RUN_INPROC */
    const char *stack;     /* a registry name, "name:arg", a module path, or "all" */
    const char *suite_dir; /* default "suite"; generated only when it does not exist */
    const char *family;    /* generate only this family (an opt-in one: `names`); the suite
                              directory then defaults to suite-<family> */
    bool no_regenerate;    /* accepted for old scripts: a suite is never regenerated */
    int jobs;              /* workers; 0: one per core */
    double timeout;        /* wall-clock seconds per case: the cap for cases that wait */
    double cpu_limit;      /* CPU seconds per case (0: no CPU limit) */
    bool cpu_limit_given;  /* --cpu-limit was given: it applies to browser rows too */
    const char *filter;    /* shell glob over case ids (NULL: every case) */
    const char *profile;   /* the profile the summary shows (default webpki) */
    const char *output;    /* results file (default results/<stack>-<inproc|wire>.json) */
    const char *tls;       /* wire mode: "1.2" or "1.3" pins that version; NULL: the server
                              offers 1.3 (where it has it) and 1.2 */
    int shard_index;       /* --shard I/N: run slice I of N (shard_count 0: every case) */
    int shard_count;
    bool resume;   /* continue from the journal */
    bool progress; /* a progress line (on a terminal) */
    bool summary;  /* --summary: the full per-feature summary of every row, even with all */
    volatile sig_atomic_t *stop;
    const char *baseline; /* FILE|DIR: compare each stack's results with it (cp_baseline.h) */
    int *regressions;     /* with baseline: the cases that regressed are added here */
};

void cp_run_opts_init(struct cp_run_opts *o);

/* Runs the suite. Returns 0 when every run completed (whatever the verdicts), or a negative
 * CP_E_* when the run itself failed (CP_E_INTERRUPTED after Ctrl-C; results so far are
 * written either way). */
int cp_run(const struct cp_run_opts *o);

/* Lists every adapter built here with its library's run-time version and capabilities (each
 * probed in a worker of its own). */
int cp_stacks_print(FILE *out);

/* `certpath serve`: the built-in TLS server on the suite's cases until *stop is set; prints
 * how to point a client at a case. */
struct cp_serve_opts {
    const char *suite_dir; /* default "suite" */
    int port;              /* 0: any free port */
    const char *tls;       /* as cp_run_opts.tls */
    volatile sig_atomic_t *stop;
};

int cp_serve(const struct cp_serve_opts *o);

/* `certpath __floor STACK SUITE` (bench/): the same verify() calls in one process, no workers;
 * prints the time per case. */
int cp_harness_floor(const char *stack, const char *suite_dir);

#endif
