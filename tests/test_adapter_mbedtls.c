/*
 * test_adapter_mbedtls.c - the mbedTLS adapter against the real library, driven through the
 * module exactly as the harness drives it (cp_adapter.h).
 *
 * mbedTLS reads the clock with time() and takes no validation time (the harness pins time()
 * with its clock shim), so the cases here are minted for the real current time: the fixture's
 * cases with cp_fixture_now(), and a few variants of the "good" chain minted the same way with
 * one attribute of the leaf changed, to check the TLS client's usage checks the adapter adds.
 */
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>
#include <string.h>

/* mbedTLS's reason joins the lines of mbedtls_x509_crt_verify_info() into one. */
static void mbed_check_reject(const char *name, const struct cp_verify_result *r, long code)
{
    (void)code;
    cr_expect_null(strchr(r->reason, '\n'), "%s: lines not joined: %s", name, r->reason);
}

/* vtime 0: the fixture is minted for the clock. The codes are verification flags. */
static const struct cp_adapter_test_spec mbed_test = {
    .name = "mbedtls", .flags = CP_ADAPTER_TEST_HEX_CODES, .check_reject = mbed_check_reject};

TestSuite(adapter_mbedtls, .fini = cp_adapter_test_close);

Test(adapter_mbedtls, describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&mbed_test)->ad;
    cr_expect_str_eq(ad->name, "mbedtls");
    cr_expect_str_eq(ad->library, "Mbed TLS");
    /* No set-time: the harness must run it under the clock shim. */
    cr_expect_eq(ad->caps, CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_HOSTNAME | CP_CAP_PURPOSE |
                               CP_CAP_CLOCK_SHIM);
    /* Both modes in one module: in-process verification and its own TLS client. */
    cr_expect(ad->settings && strstr(ad->settings, "in-process: ") &&
              strstr(ad->settings, "; wire: ") &&
              strstr(ad->settings, "MBEDTLS_SSL_VERIFY_REQUIRED") &&
              strstr(ad->settings, "mbedtls_x509_crt_profile_default") &&
              strstr(ad->settings, "digitalSignature") && strstr(ad->settings, "serverAuth") &&
              strstr(ad->settings, "clock shim"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

Test(adapter_mbedtls, version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&mbed_test);
    char buf[CP_VERSION_TEXT_MAX] = "", lib[32] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    mbedtls_version_get_string_full(lib);
    cr_expect_str_eq(buf, lib);
    /* "mbed TLS 2.28.3" (2.x) or "Mbed TLS 3.6.0" (3.x). */
    cr_expect(strncmp(buf, "mbed TLS ", 9) == 0 || strncmp(buf, "Mbed TLS ", 9) == 0, "got %s",
              buf);
}

Test(adapter_mbedtls, good_accepts)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_accept("good");
}

Test(adapter_mbedtls, reversed_accepts)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_accept("reversed");
}

Test(adapter_mbedtls, untrusted_root_rejects)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_reject("untrusted-root", MBEDTLS_X509_BADCERT_NOT_TRUSTED);
}

Test(adapter_mbedtls, expired_leaf_rejects)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_reject("expired-leaf", MBEDTLS_X509_BADCERT_EXPIRED);
}

Test(adapter_mbedtls, wrong_hostname_rejects)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_reject("wrong-hostname", MBEDTLS_X509_BADCERT_CN_MISMATCH);
}

Test(adapter_mbedtls, missing_ica_rejects)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_reject("missing-ica", MBEDTLS_X509_BADCERT_NOT_TRUSTED);
}

Test(adapter_mbedtls, reads_the_clock_not_the_case_time)
{
    cp_adapter_test_open(&mbed_test);
    /* Minted for two days from now: every certificate starts tomorrow, so by the real clock
     * (which is all mbedTLS reads) the chain is not valid yet, whatever in->vtime says. */
    struct cp_adapter_test_variant v;
    cp_adapter_test_variant_build(&v, cp_fixture_now() + 2 * CP_DAY, CP_KU_DIGITAL_SIGNATURE,
                                  CP_EKU_SERVER_AUTH, CP_SIG_SHA256);
    /* mbedTLS folds the flags of the whole chain into one value: the leaf's and the ICA's are
     * the same here. */
    cp_adapter_test_reject_in("not yet valid", &v.in, MBEDTLS_X509_BADCERT_FUTURE);
    cp_adapter_test_variant_free(&v);
}

Test(adapter_mbedtls, leaf_without_digital_signature_rejects)
{
    cp_adapter_test_open(&mbed_test);
    struct cp_adapter_test_variant v;
    cp_adapter_test_variant_build(&v, cp_fixture_now(), CP_KU_KEY_ENCIPHERMENT, CP_EKU_SERVER_AUTH,
                                  CP_SIG_SHA256);
    cp_adapter_test_reject_in("keyEncipherment only", &v.in, MBEDTLS_X509_BADCERT_KEY_USAGE);
    cp_adapter_test_variant_free(&v);
}

Test(adapter_mbedtls, leaf_for_client_auth_only_rejects)
{
    cp_adapter_test_open(&mbed_test);
    struct cp_adapter_test_variant v;
    cp_adapter_test_variant_build(&v, cp_fixture_now(), CP_KU_DIGITAL_SIGNATURE, CP_EKU_CLIENT_AUTH,
                                  CP_SIG_SHA256);
    cp_adapter_test_reject_in("clientAuth only", &v.in, MBEDTLS_X509_BADCERT_EXT_KEY_USAGE);
    cp_adapter_test_variant_free(&v);
}

Test(adapter_mbedtls, usage_extensions_absent_or_any_accept)
{
    cp_adapter_test_open(&mbed_test);
    struct cp_adapter_test_variant v;
    /* No keyUsage and no extendedKeyUsage: nothing restricts the key. */
    cp_adapter_test_variant_build(&v, cp_fixture_now(), 0, 0, CP_SIG_SHA256);
    cp_adapter_test_accept_in("no usage extensions", &v.in);
    cp_adapter_test_variant_free(&v);
    /* anyExtendedKeyUsage: mbedtls_x509_crt_check_extended_key_usage() accepts it. */
    cp_adapter_test_variant_build(&v, cp_fixture_now(), CP_KU_DIGITAL_SIGNATURE, CP_EKU_ANY,
                                  CP_SIG_SHA256);
    cp_adapter_test_accept_in("anyExtendedKeyUsage", &v.in);
    cp_adapter_test_variant_free(&v);
}

Test(adapter_mbedtls, leaf_with_unknown_signature_algorithm_is_left_out)
{
    cp_adapter_test_open(&mbed_test);
    /* The TLS client drops a certificate whose signature algorithm it does not know; the ICA
     * is then verified as if it were the server's certificate: trusted, but neither named for
     * the host nor usable for digitalSignature. */
    struct cp_adapter_test_variant v;
    cp_adapter_test_variant_build(&v, cp_fixture_now(), CP_KU_DIGITAL_SIGNATURE, CP_EKU_SERVER_AUTH,
                                  CP_SIG_UNKNOWN);
    cp_adapter_test_reject_in("unknown algorithm", &v.in,
                              MBEDTLS_X509_BADCERT_CN_MISMATCH | MBEDTLS_X509_BADCERT_KEY_USAGE);
    /* The leaf alone: nothing is left to verify, which mbedTLS rejects without crashing. */
    v.in.nchain = 1;
    struct cp_verify_result r = cp_adapter_test_run(&v.in);
    cr_log_info("nothing left: code 0x%lx: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d code 0x%lx (%s)", r.status, r.code,
                 r.reason);
    cp_adapter_test_variant_free(&v);
}

Test(adapter_mbedtls, unparsable_certificate_rejects)
{
    cp_adapter_test_open(&mbed_test);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_lt(r.code, 0, "an mbedTLS error code expected, got %ld", r.code);
    cr_expect(strstr(r.reason, "certificate 1: ") != NULL, "reason: %s", r.reason);
}

Test(adapter_mbedtls, unloadable_roots_are_an_error)
{
    cp_adapter_test_open(&mbed_test);
    static const unsigned char junk[] = {0x30, 0x00};
    struct cp_der roots[2] = {{junk, sizeof(junk)}, cp_adapter_test_case("good")->roots[0]};
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    /* One good root among unparsable ones is loaded, as mbedtls_x509_crt_parse() does. */
    in.roots = roots;
    in.nroots = 2;
    cp_adapter_test_accept_in("one root of two", &in);
    /* None: the client cannot be set up. */
    in.nroots = 1;
    struct cp_verify_result r = cp_adapter_test_run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ERROR, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

Test(adapter_mbedtls, every_case_in_one_process_twice)
{
    cp_adapter_test_open(&mbed_test);
    cp_adapter_test_every_case_twice();
}
