/*
 * cp_fixture.h - test support: small cases whose verdict is certain, minted for real, and
 * adapter modules loaded the way the harness loads them.
 *
 * cp_fixture_build() makes a root, an intermediate and a leaf (ECDSA P-256, default profiles)
 * and these cases, each as a ready cp_verify_input:
 *   "good"            trusts Root, sends leaf + ICA                        accept
 *   "reversed"        trusts Root, sends leaf + ICA + Root (root included) accept
 *   "untrusted-root"  trusts an unrelated root                            reject
 *   "expired-leaf"    the leaf expired an hour before the validation time  reject
 *   "wrong-hostname"  the hostname is not in the leaf's SAN                reject
 *   "missing-ica"     sends the leaf only                                  reject
 * The fixture owns everything; cp_fixture_free() releases it.
 */
#ifndef CP_FIXTURE_H
#define CP_FIXTURE_H

#include "cp_adapter.h"
#include "cp_generator_internal.h"

#include <stdbool.h>

#define CP_FIXTURE_MAX_CASES 8

struct cp_fixture_case {
    const char *name;
    bool expect_accept;
    struct cp_verify_input in;
    struct cp_der chain[4];
    struct cp_der roots[2];
};

struct cp_fixture {
    struct cp_model m;
    struct cp_keypool *kp;
    struct cp_minted minted[CP_FIXTURE_MAX_CASES];
    struct cp_fixture_case cases[CP_FIXTURE_MAX_CASES];
    int ncases;
};

/* Builds and mints the cases with validation time vtime (use cp_fixture_now() for adapters
 * that read the clock). Returns 0 or a negative CP_E_*. */
int cp_fixture_build(struct cp_fixture *f, int64_t vtime);
void cp_fixture_free(struct cp_fixture *f);
const struct cp_fixture_case *cp_fixture_get(const struct cp_fixture *f, const char *name);
int64_t cp_fixture_now(void);

/* Loads certpath-adapter-<name>.so from the build's adapter directory; NULL when the module is
 * not built (the test should then skip) — *why says which. */
const struct cp_adapter *cp_fixture_adapter(const char *name, void **handle, const char **why);

#endif
