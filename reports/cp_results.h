/*
 * cp_results.h - the results of one run of one stack, and what is derived from them.
 *
 * The harness fills a cp_results with raw outcomes (what the library said); cp_results_score()
 * turns them into verdicts per profile against the oracle's expectations and derives feature
 * support from every case (nothing is skipped unseen: support is computed afterwards, from the
 * raw results). Writers turn it into results JSON (schema: reports/schema/results.schema.json)
 * and the terminal summary.
 *
 * Ownership: a cp_results owns all its strings; cp_results_free() releases them.
 */
#ifndef CP_RESULTS_H
#define CP_RESULTS_H

#include "cp_hash.h"
#include "cp_platform.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CP_RESULTS_FORMAT "certpath-results"
#define CP_RESULTS_FORMAT_VERSION 1
#define CP_RESULTS_MAX_PROFILES 4
#define CP_RESULTS_MAX_FEATURES 64
/* The libraries a run records: the stack's, the Mbed TLS certpath is built with, and room for a
 * stack that names its backend apart (a curl flavour). */
#define CP_RESULTS_MAX_LIBRARIES 8

/* What the library (or the harness, for timeout and crash) said about a case. */
#define CP_OUTCOMES(X)                                                                             \
    X(CP_OUT_NONE, "not-run")                                                                      \
    X(CP_OUT_ACCEPT, "accept")                                                                     \
    X(CP_OUT_REJECT, "reject")                                                                     \
    X(CP_OUT_ERROR, "error")                                                                       \
    X(CP_OUT_TIMEOUT, "timeout")                                                                   \
    X(CP_OUT_CRASH, "crash")                                                                       \
    X(CP_OUT_SKIP, "skip")

enum cp_outcome_kind {
#define CP_X_ENUM(code, name) code,
    CP_OUTCOMES(CP_X_ENUM)
#undef CP_X_ENUM
        CP_OUT_COUNT
};

/* The verdict of an outcome against one profile's expectation. */
#define CP_VERDICTS(X)                                                                             \
    X(CP_V_NONE, "not-run")                                                                        \
    X(CP_V_PASS, "pass")                                                                           \
    X(CP_V_WRONG_ACCEPT, "wrongly-accepted")                                                       \
    X(CP_V_WRONG_REJECT, "wrongly-rejected")                                                       \
    X(CP_V_SKIP, "skip")                                                                           \
    X(CP_V_ERROR, "error")

enum cp_verdict {
#define CP_X_ENUM(code, name) code,
    CP_VERDICTS(CP_X_ENUM)
#undef CP_X_ENUM
        CP_V_COUNT
};

/* The longest server engine or TLS version name a case records, with its NUL. */
#define CP_RESULT_WORD_MAX 16

struct cp_result_case {
    char *id, *family;
    uint64_t features; /* bits index cp_results.features */
    bool probe;
    bool expect_accept[CP_RESULTS_MAX_PROFILES];
    enum cp_outcome_kind outcome;
    long code;
    char *reason; /* the library's text, or the harness's for timeout/crash/skip */
    long usec;
    long cpu_usec; /* CPU its verifier used (its worker's process tree), microseconds */
    enum cp_verdict verdict[CP_RESULTS_MAX_PROFILES];
    /* Wire mode: the built-in server's engine that served the case ("mbedtls", "gnutls") and
     * the TLS version it negotiated ("1.2", "1.3"); "" in-process, for a skip, or when the
     * handshake never reached the ServerHello. */
    char server[CP_RESULT_WORD_MAX];
    char tls[CP_RESULT_WORD_MAX];
};

/* Feature support under one profile, derived from every case that needs the feature. */
/* X(code, results-file name, matrix word, text mark, Markdown badge, HTML class, HTML symbol):
 * every way a report shows a support level, in one table. */
#define CP_SUPPORT_LEVELS(X)                                                                       \
    X(CP_SUPPORT_NONE, "not measured", "-", ' ', "", "sup-none", "")                               \
    X(CP_SUPPORTED, "supported", "yes", '+', "\xe2\x9c\x85" /* white heavy check mark */,          \
      "sup-yes", "\xe2\x9c\x93 " /* check mark */)                                                 \
    X(CP_SUPPORT_PARTIAL, "partial", "partial", '~', "\xe2\x9a\xa0\xef\xb8\x8f" /* warning */,     \
      "sup-partial", "\xe2\x97\x90 " /* circle with left half black */)                            \
    X(CP_UNSUPPORTED, "not supported", "no", '-', "\xe2\x9d\x8c" /* cross mark */, "sup-no",       \
      "\xe2\x9c\x97 " /* ballot x */)

enum cp_support {
#define CP_X_SUPPORT_ENUM(code, name, word, mark, badge, cls, symbol) code,
    CP_SUPPORT_LEVELS(CP_X_SUPPORT_ENUM)
#undef CP_X_SUPPORT_ENUM
        CP_SUPPORT_COUNT
};

/* One support level as each report shows it (the X-macro's columns). */
struct cp_support_look {
    const char *name, *word;
    char mark;
    const char *badge, *html_class, *html_symbol;
};

/* How s looks; anything outside the enum looks like CP_SUPPORT_NONE. */
const struct cp_support_look *cp_support_look(enum cp_support s);

/* Support is decided by the feature's probe cases (its simplest cases) when it has any, as
 * BetterTLS does, but from every case's raw result rather than by skipping: the counts cover
 * every case that needs the feature, so partial support stays visible. */
struct cp_feature_summary {
    enum cp_support support;
    int pass, fail, skip, error;
    int probe_pass, probe_fail;
};

/* A case both modes of one stack ran (neither skipped) with different outcomes
 * (`certpath run --mode both`): this run's outcome and the other mode's. */
struct cp_disagreement {
    char *id;
    enum cp_outcome_kind outcome, other_outcome;
    char *reason, *other_reason;
};

/* A run of one slice of the cases (`certpath run --shard I/N`): case p of the run's selection
 * (the controls and the cases the filter passes, in manifest order) belongs to shard p % N + 1.
 * total and selection (FNV-1a of the selected ids) let `certpath merge` check that its shards
 * come from one run and rebuild the manifest order. */
struct cp_shard {
    int index, count; /* 1 <= index <= count; count 0: not a shard */
    int total;        /* the cases the whole run selects */
    uint64_t selection;
};

/* One library a run used, and what for: role "stack" is the library under test (the same as
 * cp_results.library and library_version); "certpath" is the Mbed TLS certpath is built with,
 * which mints suites and, over the wire, is the server that sends every case's chain. */
struct cp_result_library {
    char *role, *name, *version;
};

struct cp_results {
    /* the suite */
    char *suite_id, *suite_dir, *seed, *validation_time;
    int64_t vtime;
    int nprofiles;
    char *profiles[CP_RESULTS_MAX_PROFILES];
    int nfeatures;
    char *features[CP_RESULTS_MAX_FEATURES];
    /* the stack */
    char *stack, *library, *library_version, *mode, *settings;
    unsigned caps;
    /* where it ran (os-release; has_platform false: a file written before it was recorded) and
     * every library it used */
    bool has_platform;
    struct cp_platform platform;
    int nlibraries;
    struct cp_result_library libraries[CP_RESULTS_MAX_LIBRARIES];
    /* the run */
    bool complete; /* every case ran (false after Ctrl-C or a harness failure) */
    bool broken;   /* a control failed: results are not scored */
    char *broken_reason;
    double seconds;
    double cpu_seconds; /* CPU the row took: the harness and its workers, start-ups included */
    double cpu_limit;   /* the per-case CPU limit the run used, seconds (0: none) */
    double wall_limit;  /* the per-case wall-clock cap, seconds (0: not recorded) */
    struct cp_result_case *cases;
    int ncases;
    struct cp_shard shard;
    /* --mode both: the cases where the other mode's outcome differs (compared: the comparison
     * was made, even when it found none) */
    bool compared;
    char *other_mode;
    struct cp_disagreement *disagreements;
    int ndisagreements;
    /* derived by cp_results_score() */
    int counts[CP_RESULTS_MAX_PROFILES][CP_V_COUNT];
    struct cp_feature_summary summary[CP_RESULTS_MAX_PROFILES][CP_RESULTS_MAX_FEATURES];
};

void cp_results_init(struct cp_results *r);
void cp_results_free(struct cp_results *r);

const char *cp_outcome_kind_name(enum cp_outcome_kind o);
const char *cp_verdict_name(enum cp_verdict v);
const char *cp_support_name(enum cp_support s);
int cp_outcome_kind_lookup(const char *name);

/* The verdict of one outcome against one expectation. */
enum cp_verdict cp_verdict_of(enum cp_outcome_kind outcome, bool expect_accept);

/* Fills every case's verdicts, the counts and the feature summary. */
void cp_results_score(struct cp_results *r);

/* Writes results JSON to path (atomically: a temporary file renamed into place). */
int cp_results_write_json(const struct cp_results *r, const char *path);

/* The BetterTLS-style summary for one profile: features supported, pass, wrongly accepted,
 * wrongly rejected, skip, error/timeout/crash. */
void cp_results_print_summary(const struct cp_results *r, int profile, FILE *out);

/* The same counts on one line, led by the row and mode: what `run --stack all` prints per
 * finished row. */
void cp_results_print_line(const struct cp_results *r, int profile, FILE *out);

/* Records one library the run used (copies the strings). CP_E_LIMIT past
 * CP_RESULTS_MAX_LIBRARIES, CP_E_NOMEM. */
int cp_results_add_library(struct cp_results *r, const char *role, const char *name,
                           const char *version);

/* The version of the library in role (e.g. "certpath"), or NULL. */
const char *cp_results_library(const struct cp_results *r, const char *role);

/* Index of a profile by name, or -1. */
int cp_results_profile(const struct cp_results *r, const char *name);

/* --mode both: compares two runs of one stack over the same suite layout (a: in-process, b:
 * wire, or the other way) and fills each one's disagreements, in case order. Cases either run
 * skipped or did not run are not compared; outcomes differ when their kinds differ (accept vs
 * reject, or an error, timeout or crash in one mode only). Returns 0 or CP_E_NOMEM. */
int cp_results_compare_modes(struct cp_results *a, struct cp_results *b);

/* The disagreements of r for people: a count, then up to max lines with the case id and the
 * in-process and wire outcomes and reasons, and where the full list is. */
void cp_results_print_disagreements(const struct cp_results *r, int max, const char *path,
                                    FILE *out);

/* FNV-1a over case ids, each with its terminating NUL: a shard's selection digest. */
#define CP_SHARD_HASH_INIT CP_FNV1A64_INIT
uint64_t cp_shard_hash(uint64_t h, const char *id);

/* `certpath merge`: joins the results files of every shard of one run (`--shard I/N`) into the
 * results of that run, as one unsharded run would have written them (timings aside): cases in
 * manifest order, verdicts, counts and feature support recomputed. The files must come from one
 * suite, stack, library version, mode and profile set, and form one whole set of shards (every
 * shard once); each must be complete unless allow_incomplete, in which case an incomplete shard
 * contributes the cases it lists (no more than its slice) and out is incomplete too
 * (out->complete false: gate and baseline refuse it unless they are told otherwise). Any
 * mismatch fails with CP_E_FORMAT and a message naming the file. out is initialised here; the
 * caller frees it (also after a failure). */
int cp_results_merge(const char *const *files, int n, bool allow_incomplete,
                     struct cp_results *out);

/* Reads a results file written by cp_results_write_json() into r (initialised here; the caller
 * frees it with cp_results_free(), also after a failure). Verdicts and feature support are
 * taken as written (files before the per-case probe flag could not be rescored); the verdict
 * counts are recomputed from the cases; a shard's record and the disagreements are optional. A file
 * that is unreadable, not JSON, truncated, of another format or format_version, or inconsistent
 * fails with CP_E_FORMAT (CP_E_IO, ...) and a message that names the file. */
int cp_results_read_json(const char *path, struct cp_results *r);
/* The same from len bytes of text, which must be followed by a NUL (text[len] == '\0'); name
 * stands for the file in messages. */
int cp_results_parse(const char *text, size_t len, const char *name, struct cp_results *r);

/*
 * Report writers. Each takes results already read (r[0..n), one per stack run), the profile
 * whose verdicts it shows (every r must have it: CP_E_ARG otherwise) and the stream to write;
 * it returns 0, or CP_E_IO when the stream failed, with a message. Everything written is
 * escaped for its format; invalid UTF-8 in a library's text is replaced.
 */

/* The text matrix: one row per stack (library and version, mode), one column per headline
 * feature (branching, distrusts SHA-1, EKU on CAs, basic constraints, name constraints, expiry,
 * cycles, ordering, other errors), then the pass / wrongly accepted / wrongly rejected / skip /
 * error counts. */
int cp_report_write_matrix(const struct cp_results *r, int n, const char *profile, FILE *out);

/* Markdown for a pull-request comment or job summary: the matrix and the wrongly accepted
 * cases, lists capped so the whole stays well under a comment's size limit. */
int cp_report_write_markdown(const struct cp_results *r, int n, const char *profile, FILE *out);

/* JUnit XML: a testsuite per results file, a testcase per (stack, case) with classname = stack
 * and name = case id; <failure> (expected, actual, reason) for wrong verdicts, <skipped> for
 * skips, <error> for error, timeout and crash. */
int cp_report_write_junit(const struct cp_results *r, int n, const char *profile, FILE *out);

/* x509-limbo's LimboResult JSON for one results file: harness "certpath:<stack> <version>",
 * per case a limbo-shaped id, SUCCESS / FAILURE / SKIPPED (the format has no hang: a timeout is
 * SKIPPED with context "hang: ...") and context. */
int cp_report_write_limbo(const struct cp_results *r, const char *profile, FILE *out);

/* One self-contained HTML file (no external resource): the matrix, filters (family, feature,
 * verdict, stack), and a panel per case with its graph as inline SVG, the certificates sent,
 * expectations and valid paths per profile, each stack's outcome and reason, and the commands
 * that reproduce it. Graphs and commands need the suite's manifest.json in suite_dir; without
 * it (NULL, missing, or another suite) the page still works, with a note instead of graphs. */
int cp_report_write_html(const struct cp_results *r, int n, const char *profile,
                         const char *suite_dir, FILE *out);

/* `certpath report --compare OLD NEW`: two runs of one row on one suite (two library versions,
 * two releases) side by side: verdict counts, the features whose support changed and the cases
 * whose verdict changed (improved: became pass; regressed: was pass; changed: the rest). */
enum cp_compare_format { CP_COMPARE_TEXT, CP_COMPARE_MARKDOWN, CP_COMPARE_HTML };

/* 0 when r[0] (read from paths[0]) and r[1] are runs of one stack in one mode; else CP_E_FORMAT
 * naming paths[1]. The suites are checked by the caller (same suite id). */
int cp_report_check_comparable(const char *const paths[2], const struct cp_results r[2]);

/* Writes the comparison of r[0] (old) and r[1] (new) under profile. 0, CP_E_ARG when a run lacks
 * the profile, CP_E_NOMEM, CP_E_IO when out failed. */
int cp_report_write_compare(const struct cp_results r[2], const char *profile,
                            enum cp_compare_format format, FILE *out);

/* `certpath report`: reads every file (a bad one is reported on err, naming it, and the others
 * are still reported), then writes each report asked for. A path of "-" is stdout. */
struct cp_report_opts {
    const char *const *files;
    int nfiles;
    bool matrix;  /* the text matrix on out (the default when nothing else is asked) */
    bool compare; /* files are OLD and NEW: the comparison (text on out; html, markdown) */
    const char *html, *junit, *markdown, *limbo; /* output paths, or NULL */
    const char *baseline;  /* FILE|DIR: the Markdown also gets the gate (cp_baseline.h) */
    const char *profile;   /* default "webpki" */
    const char *suite_dir; /* for the HTML graphs; default "suite" */
    FILE *out, *err;
};

void cp_report_opts_init(struct cp_report_opts *o);

/* Returns 0 when every file was read and every report written; CP_E_FORMAT when a file was bad
 * (the others are reported all the same); another CP_E_* when a report could not be written. */
int cp_report_run(const struct cp_report_opts *o);

#endif
