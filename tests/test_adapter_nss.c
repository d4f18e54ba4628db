/*
 * test_adapter_nss.c - the NSS adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with NSS's own error code, driven through
 * the module exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <nss/secerr.h>
#include <nss/sslerr.h>
#include <string.h>
#include <time.h>

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

static const struct cp_adapter_test_spec nss_test = {.name = "nss", .vtime = TEST_TIME};

TestSuite(adapter_nss, .fini = cp_adapter_test_close);

/* NSS_IsInitialized() returns a PRBool, an int. */
typedef int (*PRBool_fn)(void);

Test(adapter_nss, describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&nss_test)->ad;
    cr_expect_str_eq(ad->name, "nss");
    cr_expect_str_eq(ad->library, "NSS");
    cr_expect_eq(ad->caps, CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE);
    cr_expect(ad->settings && strstr(ad->settings, "CERT_PKIXVerifyCert"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

Test(adapter_nss, version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&nss_test);
    char buf[CP_VERSION_TEXT_MAX] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    const char *(*get_version)(void) = (const char *(*)(void))dlsym(t->handle, "NSS_GetVersion");
    cr_assert_not_null(get_version);
    cr_expect_str_eq(buf, get_version());
    cr_expect_eq(strncmp(buf, "3.", 2), 0, "NSS 3 expected, got %s", buf);
}

Test(adapter_nss, good_accepts_at_the_case_time)
{
    cp_adapter_test_open(&nss_test);
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    cp_adapter_test_accept("good");
}

Test(adapter_nss, reversed_accepts)
{
    cp_adapter_test_open(&nss_test);
    cp_adapter_test_accept("reversed");
}

Test(adapter_nss, untrusted_root_rejects)
{
    cp_adapter_test_open(&nss_test);
    cp_adapter_test_reject("untrusted-root", SEC_ERROR_UNKNOWN_ISSUER);
}

Test(adapter_nss, expired_leaf_rejects)
{
    cp_adapter_test_open(&nss_test);
    cp_adapter_test_reject("expired-leaf", SEC_ERROR_EXPIRED_CERTIFICATE);
}

Test(adapter_nss, wrong_hostname_rejects)
{
    cp_adapter_test_open(&nss_test);
    cp_adapter_test_reject("wrong-hostname", SSL_ERROR_BAD_CERT_DOMAIN);
}

Test(adapter_nss, missing_ica_rejects)
{
    cp_adapter_test_open(&nss_test);
    cp_adapter_test_reject("missing-ica", SEC_ERROR_UNKNOWN_ISSUER);
}

Test(adapter_nss, not_yet_valid_rejects)
{
    cp_adapter_test_open(&nss_test);
    /* Every certificate starts one day before the case's time; NSS accepts a certificate up to
     * its slop time (24 hours) before notBefore, so go three days back. */
    cp_adapter_test_not_yet_valid(3, SEC_ERROR_EXPIRED_CERTIFICATE);
}

/* NSS's own default, kept by the adapter (CERT_GetSlopTime() = 86400): a certificate is taken
 * as valid up to 24 hours before its notBefore. Pinned here so that a change shows. */
Test(adapter_nss, not_before_slop_of_a_day_is_nss_default)
{
    cp_adapter_test_open(&nss_test);
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    in.vtime = TEST_TIME - CP_DAY - 12 * CP_HOUR; /* 12 hours before every notBefore */
    struct cp_verify_result r = cp_adapter_test_run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "12h early: status %d (%s)", r.status, r.reason);
    in.vtime = TEST_TIME - 2 * CP_DAY - CP_HOUR; /* 25 hours before */
    r = cp_adapter_test_run(&in);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "25h early: status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, SEC_ERROR_EXPIRED_CERTIFICATE, "25h early: code %ld (%s)", r.code,
                 r.reason);
}

Test(adapter_nss, unparsable_certificate_rejects)
{
    cp_adapter_test_open(&nss_test);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_neq(r.code, 0);
}

/* NSS keeps temporary certificates and libpkix's caches process-wide. The same leaf and root as
 * "good" without its intermediate must be rejected even right after "good" was accepted: an
 * intermediate or a validated chain left over from the previous case would accept it. */
Test(adapter_nss, nothing_survives_from_the_previous_case)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&nss_test);
    const struct cp_fixture_case *good = cp_adapter_test_case("good");
    struct cp_verify_input leaf_only = good->in;
    leaf_only.nchain = 1;
    for (int round = 0; round < 3; round++) {
        struct cp_verify_result r = cp_adapter_test_run(&good->in);
        cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "round %d, good: status %d (%s)", round, r.status,
                     r.reason);
        r = cp_adapter_test_run(&leaf_only);
        cr_expect_eq(r.status, CP_VERIFY_REJECT, "round %d, good without its ICA: status %d (%s)",
                     round, r.status, r.reason);
        cr_expect_eq(r.code, SEC_ERROR_UNKNOWN_ISSUER, "round %d: code %ld (%s)", round, r.code,
                     r.reason);
    }
    /* Between cases NSS is shut down: every handle was released. */
    PRBool_fn is_initialized = (PRBool_fn)dlsym(t->handle, "NSS_IsInitialized");
    cr_assert_not_null(is_initialized);
    cr_expect_eq(is_initialized(), 0, "NSS left initialised after a case");
}

Test(adapter_nss, every_case_in_one_process_twice)
{
    cp_adapter_test_open(&nss_test);
    cp_adapter_test_every_case_twice();
}
