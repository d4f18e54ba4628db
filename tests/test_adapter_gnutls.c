/*
 * test_adapter_gnutls.c - the GnuTLS adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with GnuTLS's own verification status, driven through
 * the module exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <time.h>

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

/* The codes are gnutls_certificate_status_t flags. */
static const struct cp_adapter_test_spec gtls_test = {
    .name = "gnutls", .vtime = TEST_TIME, .flags = CP_ADAPTER_TEST_HEX_CODES};

TestSuite(adapter_gnutls, .fini = cp_adapter_test_close);

Test(adapter_gnutls, describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&gtls_test)->ad;
    cr_expect_str_eq(ad->name, "gnutls");
    cr_expect_str_eq(ad->library, "GnuTLS");
    /* Both modes in one module: in-process verification and its own TLS client. */
    cr_expect_eq(ad->caps,
                 CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE);
    cr_expect(ad->settings && strstr(ad->settings, "in-process: ") &&
              strstr(ad->settings, "GNUTLS_PROFILE_LOW") && strstr(ad->settings, "; wire: ") &&
              strstr(ad->settings, "gnutls_session_set_verify_cert"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

Test(adapter_gnutls, version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&gtls_test);
    char buf[CP_VERSION_TEXT_MAX] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    const char *(*check_version)(const char *) =
        (const char *(*)(const char *))dlsym(t->handle, "gnutls_check_version");
    cr_assert_not_null(check_version);
    cr_expect_str_eq(buf, check_version(NULL));
    cr_expect_eq(strncmp(buf, "3.", 2), 0, "GnuTLS 3 expected, got %s", buf);
}

Test(adapter_gnutls, good_accepts_at_the_case_time)
{
    cp_adapter_test_open(&gtls_test);
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    cp_adapter_test_accept("good");
}

Test(adapter_gnutls, reversed_accepts)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_accept("reversed");
}

Test(adapter_gnutls, untrusted_root_rejects)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_reject("untrusted-root", GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND);
}

Test(adapter_gnutls, expired_leaf_rejects)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_reject("expired-leaf", GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED);
}

Test(adapter_gnutls, wrong_hostname_rejects)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_reject("wrong-hostname", GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER);
}

Test(adapter_gnutls, missing_ica_rejects)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_reject("missing-ica", GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND);
}

Test(adapter_gnutls, not_yet_valid_rejects)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_not_yet_valid(2, GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED);
}

Test(adapter_gnutls, chain_longer_than_the_client_depth_rejects)
{
    cp_adapter_test_open(&gtls_test);
    /* 17 certificates: the leaf and the ICA sent 16 times. */
    const struct cp_fixture_case *fc = cp_adapter_test_case("good");
    struct cp_der chain[17];
    chain[0] = fc->chain[0];
    for (int i = 1; i < 17; i++)
        chain[i] = fc->chain[1];
    struct cp_verify_input in = fc->in;
    in.chain = chain;
    in.nchain = 17;
    struct cp_verify_result r = cp_adapter_test_run(&in);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, GNUTLS_E_CONSTRAINT_ERROR, "code %ld (%s)", r.code, r.reason);
    /* 16 are still verified (the duplicates are GnuTLS's to sort out). */
    in.nchain = 16;
    r = cp_adapter_test_run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "16: status %d code 0x%lx (%s)", r.status, r.code,
                 r.reason);
}

Test(adapter_gnutls, unparsable_certificate_rejects)
{
    cp_adapter_test_open(&gtls_test);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_lt(r.code, 0, "a GnuTLS error code expected, got %ld", r.code);
}

Test(adapter_gnutls, every_case_in_one_process_twice)
{
    cp_adapter_test_open(&gtls_test);
    cp_adapter_test_every_case_twice();
}
