/*
 * cp_tool_test.h - test support for tests that drive the built certpath tool: run it and keep
 * its output, read the results files and manifests it works with, look up a case's outcome and
 * compare it with the manifest's, and share one generated suite between the tests of a file.
 * The helpers assert, so Test() bodies (and what they call) only.
 */
#ifndef CP_TOOL_TEST_H
#define CP_TOOL_TEST_H

#include "cp_manifest.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdbool.h>
#include <stddef.h>

/* Runs `[cd DIR &&] ENV certpath ARGS >LOG 2>&1` (dir and env may be NULL; args is a shell
 * fragment; a NULL log is DIR/out.txt), asserting the tool exited normally; returns its exit
 * status, and the log's text in *output unless output is NULL (the caller frees it). */
int cp_test_certpath(const char *dir, const char *env, const char *args, const char *log,
                     char **output);

/* `ENV certpath run --stack STACK ARGS -o RESULTS` in a temporary directory of its own, asserted
 * to exit 0 (the failure shows its output), then its results file, expected complete; env may
 * be NULL. The caller deletes the results. */
cJSON *cp_test_run_results(const char *env, const char *stack, const char *args);

/* The controls and the validity cases whose outcome is certain for any verifier that takes the
 * validation time and checks validity periods (an expired or not-yet-valid leaf, also by one
 * second, in several orders). Left out: leaf-expires-now, valid in its last second per RFC 5280,
 * which libraries count differently (a finding, not a test). */
extern const char *const cp_test_certain_validity[];
#define CP_TEST_NCERTAIN_VALIDITY 11

/* The results name `certpath run` gives a module path without an argument (MODULE's base name up
 * to its first dot, a dash and the low 32 bits of the FNV-1a digest of the path and its NUL, in
 * hex): default results files are results/NAME-<inproc|wire>.json. */
void cp_test_module_results_name(const char *module, char *buf, size_t cap);

/* Whether NAME is the results name of a program that is not a registry row and whose own name
 * is BASE: BASE, a dash and 8 hex digits of the program's digest (exec:/x/BASE.py,
 * curl:/path/libcurl.so as "curl-..."). */
bool cp_test_is_program_name(const char *name, const char *base);

/* The JSON document in a file (asserted to be one). */
cJSON *cp_test_load_json(const char *path);

/* The element of a results file's "cases" array with this id, or NULL. */
cJSON *cp_test_case_of(const cJSON *doc, const char *id);

/* The string member key of c, or "(none)" when c is NULL or it has none. */
const char *cp_test_field(const cJSON *c, const char *key);

/* suite_dir's manifest through the manifest part's reader (asserted to load); the caller frees
 * it with cp_manifest_free. */
void cp_test_manifest_load(const char *suite_dir, struct cp_manifest *m);

/* The manifest's case with this id, or NULL. */
const struct cp_manifest_case *cp_test_manifest_case(const struct cp_manifest *m, const char *id);

/* A manifest case's webpki expectation ("accept" or "reject"); "(no such case)" when the
 * manifest has no case with this id. */
const char *cp_test_expected(const struct cp_manifest *m, const char *id);

/* Expects each of the n ids in the results res to have the outcome the manifest of suite_dir
 * gives it under webpki, or `skip` when want_skip; stack names the run in the messages. */
void cp_test_expect_outcomes(const char *stack, const char *suite_dir, const cJSON *res,
                             const char *const *ids, size_t n, bool want_skip);

/*
 * One suite shared by the tests of an executable. At file scope, on lines of their own (a
 * Criterion hook is named by its line), CP_TEST_SHARED_DIR_OPEN(ENV, PREFIX) makes a directory
 * /tmp/PREFIX.XXXXXX before the tests run, named to the tests (which Criterion forks from the
 * runner) by the environment variable ENV, and CP_TEST_SHARED_DIR_CLOSE() removes it after them.
 * cp_test_shared_suite(ENV) gives the suite in it, which the first test to ask generates under
 * a lock: the controls, validity and constraints families, an hour before the real clock (a
 * verifier that read the clock would be caught).
 */
#define CP_TEST_SHARED_DIR_OPEN(env, prefix)                                                       \
    static char cp_test_shared_dir_[256];                                                          \
    ReportHook(PRE_ALL)(struct criterion_test_set * set)                                           \
    {                                                                                              \
        (void)set;                                                                                 \
        cp_test_shared_dir_make(cp_test_shared_dir_, sizeof(cp_test_shared_dir_), env, prefix);    \
    }
#define CP_TEST_SHARED_DIR_CLOSE()                                                                 \
    ReportHook(POST_ALL)(struct criterion_global_stats * stats)                                    \
    {                                                                                              \
        (void)stats;                                                                               \
        cp_test_shared_dir_remove(cp_test_shared_dir_);                                            \
    }

const char *cp_test_shared_suite(const char *env);

/* The same for a suite of the given families, in the shared directory's subdirectory name (one
 * name per set of families). */
const char *cp_test_shared_suite_of(const char *env, const char *name, const char *const *families,
                                    int nfamilies);

/* CP_TEST_SHARED_DIR()'s two halves: dir gets the directory's path ("" when it cannot be made,
 * which cp_test_shared_suite() reports). */
void cp_test_shared_dir_make(char *dir, size_t cap, const char *env, const char *prefix);
void cp_test_shared_dir_remove(const char *dir);

#endif
