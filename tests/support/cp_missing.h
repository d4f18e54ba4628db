/*
 * cp_missing.h - what a test does when a library, tool or module it needs is missing.
 *
 * On a developer's machine it skips, saying what is missing. Under CI=true it fails instead,
 * unless CERTPATH_ABSENT (a comma-separated list that .ci/run sets per platform and build)
 * names that component as deliberately absent: a CI machine without a library must never
 * report that library's tests as green.
 *
 * Component names are rows of `certpath stacks` ("openssl", "boringssl", "curl-nss", "go",
 * "chromium", ...), "openssl-cli" (the openssl command), and "rtld-deepbind" (a loader feature
 * AddressSanitizer does not support).
 */
#ifndef CP_MISSING_H
#define CP_MISSING_H

#include <criterion/criterion.h>
#include <stdbool.h>

/* true when a test may skip because `what` is missing: not under CI=true, or `what` is listed
 * in CERTPATH_ABSENT. */
bool cp_test_absence_allowed(const char *what);

/* Skips or fails the current test (see above); FMT and its arguments say what is missing. */
#define cp_test_missing(what, ...)                                                                 \
    do {                                                                                           \
        if (cp_test_absence_allowed(what))                                                         \
            cr_skip_test(__VA_ARGS__);                                                             \
        cr_assert_fail("CI=true and CERTPATH_ABSENT does not name \"%s\": %s", what,               \
                       cp_test_missing_text(__VA_ARGS__));                                         \
    } while (0)

/* The message of a missing component, formatted into a per-thread buffer. */
const char *cp_test_missing_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
