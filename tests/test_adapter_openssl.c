/*
 * test_adapter_openssl.c - the OpenSSL adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with OpenSSL's own verify error, driven through the module
 * exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include <time.h>

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

/* OpenSSL's reason is its own text for the verify error. */
static void ossl_check_reject(const char *name, const struct cp_verify_result *r, long code)
{
    cr_expect_str_eq(r->reason, X509_verify_cert_error_string(code), "%s", name);
}

static const struct cp_adapter_test_spec ossl_test = {
    .name = "openssl", .vtime = TEST_TIME, .check_reject = ossl_check_reject};

TestSuite(adapter_openssl, .fini = cp_adapter_test_close);

Test(adapter_openssl, describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&ossl_test)->ad;
    cr_expect_str_eq(ad->name, "openssl");
    cr_expect_str_eq(ad->library, "OpenSSL");
    /* Both modes in one module: X509_verify_cert() and libssl's own TLS client. */
    cr_expect_eq(ad->caps, CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME |
                               CP_CAP_PURPOSE | CP_CAP_IP);
    cr_expect(ad->settings && strstr(ad->settings, "in-process: ") &&
              strstr(ad->settings, "; wire: ") && strstr(ad->settings, "SSL_connect") &&
              strstr(ad->settings, "X509_VERIFY_PARAM_set_auth_level") &&
              strstr(ad->settings, "X509_PURPOSE_SSL_SERVER") &&
              strstr(ad->settings, "X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

Test(adapter_openssl, version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&ossl_test);
    char buf[CP_VERSION_TEXT_MAX] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    cr_expect_str_eq(buf, OpenSSL_version(OPENSSL_VERSION));
    cr_expect_eq(strncmp(buf, "OpenSSL 3", 9), 0, "OpenSSL 3 expected, got %s", buf);
}

Test(adapter_openssl, good_accepts_at_the_case_time)
{
    cp_adapter_test_open(&ossl_test);
    /* The certificates expired long before today: only the case's time makes them valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    cp_adapter_test_accept("good");
}

Test(adapter_openssl, reversed_accepts)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_accept("reversed");
}

Test(adapter_openssl, untrusted_root_rejects)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_reject("untrusted-root", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

Test(adapter_openssl, expired_leaf_rejects)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_reject("expired-leaf", X509_V_ERR_CERT_HAS_EXPIRED);
}

Test(adapter_openssl, wrong_hostname_rejects)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_reject("wrong-hostname", X509_V_ERR_HOSTNAME_MISMATCH);
}

Test(adapter_openssl, missing_ica_rejects)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_reject("missing-ica", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

Test(adapter_openssl, not_yet_valid_rejects)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_not_yet_valid(2, X509_V_ERR_CERT_NOT_YET_VALID);
}

Test(adapter_openssl, server_purpose_is_checked)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_ssl_server_purpose(X509_V_ERR_INVALID_PURPOSE);
}

Test(adapter_openssl, ip_literal_is_checked_as_an_address)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_ip_literal_is_an_address(X509_V_ERR_IP_ADDRESS_MISMATCH);
}

Test(adapter_openssl, unparsable_certificate_rejects)
{
    cp_adapter_test_open(&ossl_test);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_neq(r.code, 0, "an OpenSSL error code expected");
    cr_expect(strstr(r.reason, "certificate 1: error:") != NULL, "reason: %s", r.reason);
}

Test(adapter_openssl, trailing_bytes_reject_as_the_client_does)
{
    cp_adapter_test_open(&ossl_test);
    struct cp_verify_result r = cp_adapter_test_run_trailing_bytes();
    cr_expect_eq(ERR_GET_LIB((unsigned long)r.code), ERR_LIB_SSL, "code %lx", r.code);
    cr_expect_eq(ERR_GET_REASON((unsigned long)r.code), SSL_R_CERT_LENGTH_MISMATCH, "code %lx",
                 r.code);
    cr_expect(strstr(r.reason, "length mismatch") != NULL, "reason: %s", r.reason);
}

Test(adapter_openssl, unloadable_root_is_an_error)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_unloadable_root_is_an_error();
}

Test(adapter_openssl, every_case_in_one_process_twice)
{
    cp_adapter_test_open(&ossl_test);
    cp_adapter_test_every_case_twice();
}
