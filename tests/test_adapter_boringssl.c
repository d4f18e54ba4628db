/*
 * test_adapter_boringssl.c - the BoringSSL adapter against the real library (Debian's
 * android-libboringssl): the fixture's cases minted for a fixed past time, each with
 * BoringSSL's own verify error, driven through the module exactly as the harness drives it
 * (cp_adapter.h).
 *
 * This file includes no OpenSSL header: the expected codes are BoringSSL's, from
 * /usr/include/android/openssl/x509.h, named here.
 */
#include "cp_missing.h"
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* BoringSSL's X509_V_ERR_* values (android x509.h). */
#define BSSL_V_ERR_CERT_NOT_YET_VALID 9
#define BSSL_V_ERR_CERT_HAS_EXPIRED 10
#define BSSL_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY 20
#define BSSL_V_ERR_INVALID_PURPOSE 26
#define BSSL_V_ERR_HOSTNAME_MISMATCH 62
#define BSSL_V_ERR_IP_ADDRESS_MISMATCH 64

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

/* Loaded with RTLD_DEEPBIND: this process holds OpenSSL too (see CP_ADAPTER_TEST_DEEPBIND). */
static const struct cp_adapter_test_spec bssl_test = {
    .name = "boringssl", .vtime = TEST_TIME, .flags = CP_ADAPTER_TEST_DEEPBIND};

TestSuite(adapter_boringssl, .fini = cp_adapter_test_close);

Test(adapter_boringssl, describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&bssl_test)->ad;
    cr_expect_str_eq(ad->name, "boringssl");
    cr_expect_str_eq(ad->library, "BoringSSL");
    cr_expect_eq(ad->caps,
                 CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_IP);
    cr_expect(ad->settings && strstr(ad->settings, "X509_PURPOSE_SSL_SERVER") &&
              strstr(ad->settings, "no security level"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

Test(adapter_boringssl, refuses_to_run_on_openssl)
{
    /* Loaded the plain way into this process, which holds OpenSSL's libcrypto, the module's
     * calls would land in OpenSSL: init() must say so rather than measure the wrong library. */
    const char *why = "";
    char err[256] = "";
    void *handle = NULL;
    const struct cp_adapter *ad = cp_fixture_adapter("boringssl", &handle, &why);
    if (!ad)
        cp_test_missing("boringssl", "the boringssl adapter is not built: %s", why);
    void *ctx = calloc(1, ad->ctx_size ? ad->ctx_size : 1);
    cr_assert_not_null(ctx);
    int rc = ad->init(ctx, NULL,
                      &(struct cp_adapter_info){ad->name, ad->library, ad->caps, ad->settings}, err,
                      sizeof(err));
    if (rc == 0)
        ad->cleanup(ctx);
    free(ctx);
    cr_expect_neq(rc, 0, "init accepted a process where OpenSSL interposes BoringSSL");
    cr_expect(strstr(err, "another libcrypto") != NULL, "init: %s", err);
}

Test(adapter_boringssl, version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&bssl_test);
    char buf[CP_VERSION_TEXT_MAX] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    /* BoringSSL's OpenSSL_version() stub, read from the loaded library, then the package. */
    const char *(*version)(int) = (const char *(*)(int))dlsym(t->handle, "OpenSSL_version");
    cr_assert_not_null(version);
    cr_expect_str_eq(version(0), "BoringSSL");
    cr_expect_str_eq(buf, "BoringSSL (BoringSSL, Debian android-libboringssl)");
}

Test(adapter_boringssl, good_accepts_at_the_case_time)
{
    cp_adapter_test_open(&bssl_test);
    /* The certificates expired long before today: only the case's time makes them valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    cp_adapter_test_accept("good");
}

Test(adapter_boringssl, reversed_accepts)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_accept("reversed");
}

Test(adapter_boringssl, untrusted_root_rejects)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_reject("untrusted-root", BSSL_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

Test(adapter_boringssl, expired_leaf_rejects)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_reject("expired-leaf", BSSL_V_ERR_CERT_HAS_EXPIRED);
}

Test(adapter_boringssl, wrong_hostname_rejects)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_reject("wrong-hostname", BSSL_V_ERR_HOSTNAME_MISMATCH);
}

Test(adapter_boringssl, missing_ica_rejects)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_reject("missing-ica", BSSL_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

Test(adapter_boringssl, not_yet_valid_rejects)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_not_yet_valid(2, BSSL_V_ERR_CERT_NOT_YET_VALID);
}

Test(adapter_boringssl, server_purpose_is_checked)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_ssl_server_purpose(BSSL_V_ERR_INVALID_PURPOSE);
}

Test(adapter_boringssl, ip_literal_is_checked_as_an_address)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_ip_literal_is_an_address(BSSL_V_ERR_IP_ADDRESS_MISMATCH);
}

Test(adapter_boringssl, unparsable_certificate_rejects)
{
    cp_adapter_test_open(&bssl_test);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_neq(r.code, 0, "a BoringSSL error code expected");
    cr_expect(strstr(r.reason, "certificate 1: error:") != NULL, "reason: %s", r.reason);
}

Test(adapter_boringssl, trailing_bytes_reject_as_the_client_does)
{
    cp_adapter_test_open(&bssl_test);
    struct cp_verify_result r = cp_adapter_test_run_trailing_bytes();
    cr_expect_neq(r.code, 0, "a BoringSSL error code expected");
    cr_expect(strstr(r.reason, "certificate 1: error:") != NULL, "reason: %s", r.reason);
}

Test(adapter_boringssl, unloadable_root_is_an_error)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_unloadable_root_is_an_error();
}

Test(adapter_boringssl, every_case_in_one_process_twice)
{
    cp_adapter_test_open(&bssl_test);
    cp_adapter_test_every_case_twice();
}
