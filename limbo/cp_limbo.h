/*
 * cp_limbo.h - x509-limbo's testcase format (limbo.json, "version": 1) both ways:
 *
 *   cp_limbo_import()  a limbo.json as a certpath suite that `certpath run` takes like any
 *                      other (docs/suite-format.md, "Imported suites")
 *   cp_limbo_export()  a certpath suite as a limbo.json that limbo's harnesses take
 *                      (reports/schema/limbo-testcases.schema.json)
 *
 * Import streams the file: one testcase is held at a time (at most CP_LIMBO_TESTCASE_MAX
 * bytes of its JSON), so a 40 MB file needs no more memory than its largest testcase plus the
 * manifest being built. Each testcase becomes a case whose id is the limbo id, under the one
 * profile "limbo" (limbo has one expectation per testcase). A testcase certpath cannot run
 * faithfully is imported as a skip with its reason (the enum below), never changed to fit; a
 * testcase that is wrong (a PEM that does not decode, a duplicate id, a conflicts_with naming
 * no testcase of the file, a field of the wrong type) is refused with a message naming it, and
 * the rest of the file still imports. Only a file that is not limbo JSON at all fails whole.
 *
 * Ownership: the caller owns the options and the stats; nothing is kept between calls.
 * Errors: 0 or a negative CP_E_* with a message naming the file (and the testcase).
 */
#ifndef CP_LIMBO_H
#define CP_LIMBO_H

#include <stdint.h>
#include <stdio.h>

/* The largest one testcase may be (its JSON text): upstream's largest, a pathological chain,
 * is under 1 MB; 32 MB refuses a runaway value without exhausting memory. */
#define CP_LIMBO_TESTCASE_MAX (32u << 20)
/* The profile an imported suite's expectations are under. */
#define CP_LIMBO_PROFILE "limbo"

/* Why an imported case is a skip: code, name, the reason the case carries. */
#define CP_LIMBO_SKIPS(X)                                                                          \
    X(CP_LIMBO_SKIP_CLIENT, "client-validation",                                                   \
      "validation_kind CLIENT: certpath verifies a server's chain only")                           \
    X(CP_LIMBO_SKIP_CRLS, "crls", "crls: certpath does not check revocation")                      \
    X(CP_LIMBO_SKIP_DEPTH, "max-chain-depth",                                                      \
      "max_chain_depth: certpath gives stacks no chain-building depth limit")                      \
    X(CP_LIMBO_SKIP_KEY_USAGE, "key-usage",                                                        \
      "key_usage: certpath does not constrain the leaf's key usage")                               \
    X(CP_LIMBO_SKIP_SIG_ALGS, "signature-algorithms",                                              \
      "signature_algorithms: certpath does not constrain signature algorithms")                    \
    X(CP_LIMBO_SKIP_EKU, "extended-key-usage",                                                     \
      "extended_key_usage other than serverAuth: certpath verifies for serverAuth only")           \
    X(CP_LIMBO_SKIP_PEER_KIND, "peer-name-kind",                                                   \
      "expected_peer_name of kind IP or RFC822: certpath checks DNS names only")                   \
    X(CP_LIMBO_SKIP_PEER_NAMES, "expected-peer-names",                                             \
      "expected_peer_names: a client-validation check certpath does not make")                     \
    X(CP_LIMBO_SKIP_LONG_NAME, "long-peer-name",                                                   \
      "expected_peer_name is longer than the 127 bytes a worker request holds")

enum cp_limbo_skip {
#define CP_LIMBO_SKIP_ENUM(code, name, why) code,
    CP_LIMBO_SKIPS(CP_LIMBO_SKIP_ENUM)
#undef CP_LIMBO_SKIP_ENUM
        CP_LIMBO_SKIP_COUNT
};

const char *cp_limbo_skip_name(enum cp_limbo_skip s);
const char *cp_limbo_skip_reason(enum cp_limbo_skip s);

struct cp_limbo_import_opts {
    const char *in;      /* the limbo.json */
    const char *out_dir; /* the suite directory: created, or replaced when it holds a suite */
    int64_t vtime;       /* the time of testcases whose validation_time is null; 0: now,
                          * rounded down to the hour. Recorded as the suite's time. */
    FILE *log;           /* one line per refused testcase; NULL: none */
};

struct cp_limbo_import_stats {
    int testcases; /* in the file */
    int imported;  /* cases written, skips included */
    int skipped;
    int refused;
    int skips[CP_LIMBO_SKIP_COUNT]; /* by reason (a case counts under its first reason) */
    int64_t vtime;                  /* the suite's time, as chosen */
};

int cp_limbo_import(const struct cp_limbo_import_opts *o, struct cp_limbo_import_stats *st);

struct cp_limbo_export_opts {
    const char *suite_dir; /* default "suite" */
    const char *out;       /* the limbo.json to write */
    int copies;            /* the suite this many times in one file, ids suffixed "-copyN"
                            * after the first (bench/: a large file to import); 0 or 1: once */
};

struct cp_limbo_export_stats {
    int cases, testcases, split; /* split: cases written as one testcase per profile */
};

int cp_limbo_export(const struct cp_limbo_export_opts *o, struct cp_limbo_export_stats *st);

/* A certpath case id as a limbo id: "certpath::<profile>::" and the id with each "/" as "::"
 * ("::" kept), any character limbo does not allow as "-", a component that does not start with
 * a letter prefixed "n", a one-character one suffixed "-" (reports/limbo.c names results the
 * same way for generated suites). cap >= 16. */
void cp_limbo_id(const char *profile, const char *id, char *buf, size_t cap);

#endif
