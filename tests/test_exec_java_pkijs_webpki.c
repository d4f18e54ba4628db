/*
 * test_exec_java_pkijs_webpki.c - the java, java-certpath, pkijs and webpki exec verifiers, each
 * through the built tool (certpath run --stack NAME -j2 --filter ...) on cases whose outcome is
 * certain, compared with the manifest's expectation:
 *   - every verifier: the controls, and leaves expired or not yet valid (also by one second)
 *     or valid from this very second, in several orders (each takes the validation time);
 *   - java and webpki, which check the hostname and serverAuth: a hostname the leaf does not
 *     name, a wildcard over two labels and one over one label; a leaf EKU of clientAuth only
 *     and one of serverAuth and clientAuth;
 *   - java-certpath and pkijs, which check neither: those cases are skips, never run;
 *   - java over the wire too: the JDK's TLS client against the built-in server.
 * A verifier is skipped only when it was not built here (its toolchain is absent).
 *
 * One suite (controls, validity, constraints) serves every test: the first test to need it
 * generates it under a lock, in a directory the runner makes before the tests and removes after.
 */
#include "cp_missing.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHARED_ENV "CP_TEST_EXEC_B_DIR"

CP_TEST_SHARED_DIR_OPEN(SHARED_ENV, "cp-test-exec-b")
CP_TEST_SHARED_DIR_CLOSE()

/* Whether a verifier's program was built here. */
static bool built(const char *program)
{
    char path[PATH_MAX];
    const char *slash = strrchr(CP_CERTPATH_BIN, '/');
    snprintf(path, sizeof(path), "%.*s/adapters/exec/%s", (int)(slash - CP_CERTPATH_BIN),
             CP_CERTPATH_BIN, program);
    return access(path, X_OK) == 0;
}

/* Runs `certpath run --stack STACK --mode MODE -j2 --filter GLOB` on the shared suite; returns
 * the results. */
static cJSON *run(const char *stack, const char *mode, const char *glob)
{
    char args[2 * PATH_MAX];
    snprintf(args, sizeof(args), "--mode %s --suite %s --no-regenerate -j2 --filter '%s'", mode,
             cp_test_shared_suite(SHARED_ENV), glob);
    cJSON *res = cp_test_run_results(NULL, stack, args);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(res, "broken")), "%s: run broken", stack);
    return res;
}

/* Each case's outcome is the manifest's webpki expectation (or `skip` when want_skip). */
static void expect_cases(const char *stack, cJSON *res, const char *const *ids, size_t n,
                         bool want_skip)
{
    cp_test_expect_outcomes(stack, cp_test_shared_suite(SHARED_ENV), res, ids, n, want_skip);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Certain for a verifier that checks the hostname and the leaf's serverAuth EKU (a leaf EKU of
 * anyExtendedKeyUsage alone is left out: the profiles disagree on it). */
#define NAME_PURPOSE_GLOB "constraints/[hl]*/alone/depth2/declared"
static const char *const name_purpose[] = {
    "constraints/hostname/mismatch/alone/depth2/declared",
    "constraints/hostname/wildcard-two-labels/alone/depth2/declared",
    "constraints/hostname/wildcard-one-label/alone/depth2/declared",
    "constraints/leaf-eku/client-only/alone/depth2/declared",
    "constraints/leaf-eku/server-client/alone/depth2/declared",
    "constraints/leaf-eku/absent/alone/depth2/declared",
};

static void check(const char *stack, const char *mode, bool checks_name_and_purpose)
{
    cJSON *res = run(stack, mode, "validity/chain/leaf-*");
    expect_cases(stack, res, cp_test_certain_validity, CP_TEST_NCERTAIN_VALIDITY, false);
    cJSON_Delete(res);
    res = run(stack, mode, NAME_PURPOSE_GLOB);
    expect_cases(stack, res, name_purpose, N(name_purpose), !checks_name_and_purpose);
    cJSON_Delete(res);
}

Test(exec_b, java_trust_manager_checks_time_hostname_and_purpose)
{
    if (!built("java/certpath-verify-java"))
        cp_test_missing("java",
                        "the java verifier is not built (apt install openjdk-17-jdk-headless)");
    check("java", "inproc", true);
}

Test(exec_b, java_tls_client_checks_time_hostname_and_purpose_over_the_wire)
{
    if (!built("java/certpath-verify-java"))
        cp_test_missing("java",
                        "the java verifier is not built (apt install openjdk-17-jdk-headless)");
    check("java", "wire", true);
}

Test(exec_b, java_certpath_builder_checks_time_and_skips_name_and_purpose)
{
    if (!built("java/certpath-verify-java-certpath"))
        cp_test_missing("java",
                        "the java verifier is not built (apt install openjdk-17-jdk-headless)");
    check("java-certpath", "inproc", false);
}

Test(exec_b, pkijs_checks_time_and_skips_name_and_purpose)
{
    if (!built("pkijs/certpath-verify-pkijs"))
        cp_test_missing("pkijs",
                        "the pkijs verifier is not built (node and npm, and the npm registry)");
    check("pkijs", "inproc", false);
}

Test(exec_b, webpki_checks_time_hostname_and_purpose)
{
    if (!built("webpki/certpath-verify-webpki"))
        cp_test_missing("webpki",
                        "the webpki verifier is not built (apt install cargo librust-webpki-dev "
                        "librust-serde-json-dev)");
    check("webpki", "inproc", true);
}
