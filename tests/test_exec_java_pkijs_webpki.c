/*
 * test_exec_java_pkijs_webpki.c - the java, java-certpath, pkijs, webpki (0.22) and rustls-webpki
 * (0.102) exec verifiers, each through the built tool (certpath run --stack NAME -j2 --filter ...)
 * on cases whose outcome is certain, compared with the manifest's expectation:
 *   - every verifier: the controls, and leaves expired or not yet valid (also by one second)
 *     or valid from this very second, in several orders (each takes the validation time);
 *   - java, webpki and rustls-webpki, which check the hostname and serverAuth: a hostname the leaf
 * does not name, a wildcard over two labels and one over one label; a leaf EKU of clientAuth only
 *     and one of serverAuth and clientAuth;
 *   - java-certpath and pkijs, which check neither: those cases are skips, never run;
 *   - java over the wire too: the JDK's TLS client against the built-in server.
 *   - rustls-webpki on Debian 13: the constraints cases gated against its checked-in baseline
 *     (expected/baselines/debian-13/rustls-webpki.json), no case regressed;
 *   - rustls-webpki where Debian has no rustls-webpki crate (Debian 12): the row is listed as not
 *     runnable on this platform, with that reason, and `certpath run` refuses it saying so.
 * A verifier is skipped only when it was not built here (its toolchain is absent).
 *
 * One suite (controls, validity, constraints) serves every test: the first test to need it
 * generates it under a lock, in a directory the runner makes before the tests and removes after.
 */
#include "cp_missing.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_platform.h"
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

/* rustls-webpki 0.102 as rustls 0.23's WebPkiServerVerifier calls it (Debian 13's crate). */
Test(exec_b, rustls_webpki_checks_time_hostname_and_purpose)
{
    struct cp_platform p;
    cp_platform_this(&p);
    if (!built("rustls-webpki/certpath-verify-rustls-webpki")) {
        if (strcmp(p.id, "debian") == 0 && strcmp(p.version_id, "12") == 0)
            cp_test_missing("rustls-webpki", "Debian 12 has no rustls-webpki crate");
        cp_test_missing("rustls-webpki", "the rustls-webpki verifier is not built (apt install "
                                         "cargo librust-rustls-webpki-dev librust-serde-json-dev)");
    }
    check("rustls-webpki", "inproc", true);
    /* On Debian 13 the checked-in baseline holds for the constraints cases (key usage, EKU on CAs,
     * pathLen with rollovers, name constraints): no case regressed against it. */
    if (strcmp(p.id, "debian") == 0 && strcmp(p.version_id, "13") == 0) {
        char args[2 * PATH_MAX], dir[] = "/tmp/cp-test-rustls-webpki-gate.XXXXXX", *out = NULL;
        cr_assert_not_null(mkdtemp(dir));
        snprintf(args, sizeof(args),
                 "run --stack rustls-webpki --suite %s -j2 --filter 'constraints/*' "
                 "--baseline " CP_SOURCE_DIR "/expected/baselines",
                 cp_test_shared_suite(SHARED_ENV));
        int st = cp_test_certpath(dir, NULL, args, NULL, &out);
        cr_expect_eq(st, 0, "rustls-webpki against its Debian 13 baseline:\n%s", out);
        cr_expect(strstr(out, " 0 regressions") && strstr(out, "(the baselines of debian-13"),
                  "rustls-webpki against its Debian 13 baseline:\n%s", out);
        free(out);
        cp_fs_rmtree(dir);
    }
}

/* Debian 12 has no rustls-webpki crate: there `certpath stacks` lists the row as not runnable on
 * this platform, with the reason, and `certpath run --stack rustls-webpki` refuses it saying so
 * (exit 2), never an empty or failed run. Elsewhere the row runs where its verifier is built. */
Test(exec_b, rustls_webpki_row_says_why_it_cannot_run_on_debian_12)
{
    struct cp_platform p;
    char *out = NULL;
    cp_platform_this(&p);
    bool d12 = strcmp(p.id, "debian") == 0 && strcmp(p.version_id, "12") == 0;
    bool have = built("rustls-webpki/certpath-verify-rustls-webpki");
    if (!d12 && !have)
        cp_test_missing("rustls-webpki", "the rustls-webpki verifier is not built here");
    char dir[] = "/tmp/cp-test-rustls-webpki.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cp_test_certpath(dir, NULL, "stacks", NULL, &out);
    const char *row = strstr(out, "\nrustls-webpki ");
    cr_assert_not_null(row, "certpath stacks lists no rustls-webpki row:\n%s", out);
    const char *eol = strchr(row + 1, '\n');
    int len = eol ? (int)(eol - row - 1) : (int)strlen(row + 1);
    bool says =
        strstr(row, "not runnable on this platform: Debian 12 has no rustls-webpki crate") &&
        (!eol || strstr(row, "not runnable") < eol);
    if (d12) {
        cr_expect(!have, "Debian 12: a rustls-webpki verifier was built");
        cr_expect(says, "Debian 12: the rustls-webpki row is %.*s", len, row + 1);
    } else {
        cr_expect(!says, "%s %s: the rustls-webpki row is %.*s", p.id, p.version_id, len, row + 1);
    }
    free(out);
    out = NULL;
    if (d12) {
        char args[PATH_MAX + 100];
        snprintf(args, sizeof(args), "run --stack rustls-webpki --suite %s --filter 'controls/*'",
                 cp_test_shared_suite(SHARED_ENV));
        int st = cp_test_certpath(dir, NULL, args, NULL, &out);
        cr_expect_neq(st, 0, "Debian 12: certpath run --stack rustls-webpki exited 0:\n%s", out);
        cr_expect(strstr(out, "Debian 12 has no rustls-webpki crate") != NULL,
                  "Debian 12: certpath run --stack rustls-webpki does not say why:\n%s", out);
        free(out);
    }
    cp_fs_rmtree(dir);
}
