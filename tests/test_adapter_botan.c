/*
 * test_adapter_botan.c - the Botan adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with Botan's own
 * Certificate_Status_Code, driven through
 * the module exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

/* Botan::Certificate_Status_Code values (botan/pkix_enums.h, Botan 2), which the FFI returns as
 * the validation result; the C++ header cannot be included from C. */
enum {
    BTN_CERT_NOT_YET_VALID = 2000,
    BTN_CERT_HAS_EXPIRED = 2001,
    BTN_CERT_ISSUER_NOT_FOUND = 3000,
    BTN_CERT_NAME_NOMATCH = 4008,
};

static const struct cp_adapter_test_spec botan_test = {.name = "botan", .vtime = TEST_TIME};

TestSuite(adapter_botan, .fini = cp_adapter_test_close);

Test(adapter_botan, describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&botan_test)->ad;
    cr_expect_str_eq(ad->name, "botan");
    cr_expect_str_eq(ad->library, "Botan");
    /* The FFI has no usage parameter: no purpose capability. */
    cr_expect_eq(ad->caps, CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME);
    cr_expect(ad->settings && strstr(ad->settings, "UNSPECIFIED"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

Test(adapter_botan, version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&botan_test);
    char buf[CP_VERSION_TEXT_MAX] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    const char *(*version_string)(void) =
        (const char *(*)(void))dlsym(t->handle, "botan_version_string");
    unsigned (*major)(void) = (unsigned (*)(void))dlsym(t->handle, "botan_version_major");
    cr_assert(version_string && major);
    char want[CP_VERSION_TEXT_MAX];
    snprintf(want, sizeof(want), "%s", version_string());
    cr_expect_str_eq(buf, want);
    cr_expect_eq(major(), 2, "Botan 2 expected, got %s", buf);
}

Test(adapter_botan, good_accepts_at_the_case_time)
{
    cp_adapter_test_open(&botan_test);
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    cp_adapter_test_accept("good");
}

Test(adapter_botan, reversed_accepts)
{
    cp_adapter_test_open(&botan_test);
    cp_adapter_test_accept("reversed");
}

Test(adapter_botan, untrusted_root_rejects)
{
    cp_adapter_test_open(&botan_test);
    cp_adapter_test_reject("untrusted-root", BTN_CERT_ISSUER_NOT_FOUND);
}

Test(adapter_botan, expired_leaf_rejects)
{
    cp_adapter_test_open(&botan_test);
    cp_adapter_test_reject("expired-leaf", BTN_CERT_HAS_EXPIRED);
}

Test(adapter_botan, wrong_hostname_rejects)
{
    cp_adapter_test_open(&botan_test);
    cp_adapter_test_reject("wrong-hostname", BTN_CERT_NAME_NOMATCH);
}

Test(adapter_botan, missing_ica_rejects)
{
    cp_adapter_test_open(&botan_test);
    cp_adapter_test_reject("missing-ica", BTN_CERT_ISSUER_NOT_FOUND);
}

Test(adapter_botan, not_yet_valid_rejects)
{
    cp_adapter_test_open(&botan_test);
    /* Two days before the case's time: every certificate starts one day before it. */
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    in.vtime = TEST_TIME - 2 * CP_DAY;
    cp_adapter_test_reject_in("not yet valid", &in, BTN_CERT_NOT_YET_VALID);
}

Test(adapter_botan, unparsable_certificate_rejects)
{
    cp_adapter_test_open(&botan_test);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_lt(r.code, 0, "a Botan FFI error code expected, got %ld", r.code);
}

Test(adapter_botan, every_case_in_one_process_twice)
{
    cp_adapter_test_open(&botan_test);
    cp_adapter_test_every_case_twice();
}
