/*
 * test_adapter_botan.c - the Botan adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with Botan's own
 * Certificate_Status_Code, driven through
 * the module exactly as the harness drives it (cp_adapter.h). Every test runs for each Botan
 * row built: `botan` (Botan 3 where it is installed, else Botan 2) and, beside Botan 3, `botan2`.
 */
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

/* Botan::Certificate_Status_Code values (botan/pkix_enums.h, the same in Botan 2 and 3), which the
 * FFI returns as the validation result; the C++ header cannot be included from C. */
enum {
    BTN_CERT_NOT_YET_VALID = 2000,
    BTN_CERT_HAS_EXPIRED = 2001,
    BTN_CERT_ISSUER_NOT_FOUND = 3000,
    BTN_CERT_NAME_NOMATCH = 4008,
};

#ifndef CP_BOTAN_MAJOR
#error "CMake passes CP_BOTAN_MAJOR, the Botan major version of the botan row"
#endif

/* The rows under test and the Botan major version each must run on. */
static const struct {
    struct cp_adapter_test_spec spec;
    unsigned major;
} rows[] = {
    {{.name = "botan", .vtime = TEST_TIME}, CP_BOTAN_MAJOR},
#ifdef CP_HAVE_BOTAN2
    {{.name = "botan2", .vtime = TEST_TIME}, 2},
#endif
};

/* A test run once per row; the parameter is an index into rows (Criterion passes parameters
 * to a test process of its own, where pointers into this one's data would not hold). */
#define BOTAN_TEST(test)                                                                           \
    ParameterizedTestParameters(adapter_botan, test)                                               \
    {                                                                                              \
        static int index[sizeof(rows) / sizeof(rows[0])];                                          \
        for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)                                \
            index[k] = (int)k;                                                                     \
        return cr_make_param_array(int, index, sizeof(index) / sizeof(index[0]));                  \
    }                                                                                              \
    ParameterizedTest(int *row, adapter_botan, test)

TestSuite(adapter_botan, .fini = cp_adapter_test_close);

BOTAN_TEST(describes_itself)
{
    const struct cp_adapter *ad = cp_adapter_test_open(&rows[*row].spec)->ad;
    cr_expect_str_eq(ad->name, rows[*row].spec.name);
    cr_expect_str_eq(ad->library, "Botan");
    /* The FFI has no usage parameter: no purpose capability. */
    cr_expect_eq(ad->caps, CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME);
    cr_expect(ad->settings && strstr(ad->settings, "UNSPECIFIED"));
    cr_expect(ad->init && ad->version && ad->verify && ad->cleanup);
}

BOTAN_TEST(version_is_the_running_library)
{
    struct cp_adapter_test *t = cp_adapter_test_open(&rows[*row].spec);
    char buf[CP_VERSION_TEXT_MAX] = "";
    t->ad->version(t->ctx, buf, sizeof(buf));
    const char *(*version_string)(void) =
        (const char *(*)(void))dlsym(t->handle, "botan_version_string");
    unsigned (*major)(void) = (unsigned (*)(void))dlsym(t->handle, "botan_version_major");
    cr_assert(version_string && major);
    char want[CP_VERSION_TEXT_MAX];
    snprintf(want, sizeof(want), "%s", version_string());
    cr_expect_str_eq(buf, want);
    cr_expect_eq(major(), rows[*row].major, "%s: Botan %u expected, got %s", rows[*row].spec.name,
                 rows[*row].major, buf);
}

BOTAN_TEST(good_accepts_at_the_case_time)
{
    cp_adapter_test_open(&rows[*row].spec);
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    cp_adapter_test_accept("good");
}

BOTAN_TEST(reversed_accepts)
{
    cp_adapter_test_open(&rows[*row].spec);
    cp_adapter_test_accept("reversed");
}

BOTAN_TEST(untrusted_root_rejects)
{
    cp_adapter_test_open(&rows[*row].spec);
    cp_adapter_test_reject("untrusted-root", BTN_CERT_ISSUER_NOT_FOUND);
}

BOTAN_TEST(expired_leaf_rejects)
{
    cp_adapter_test_open(&rows[*row].spec);
    cp_adapter_test_reject("expired-leaf", BTN_CERT_HAS_EXPIRED);
}

BOTAN_TEST(wrong_hostname_rejects)
{
    cp_adapter_test_open(&rows[*row].spec);
    cp_adapter_test_reject("wrong-hostname", BTN_CERT_NAME_NOMATCH);
}

BOTAN_TEST(missing_ica_rejects)
{
    cp_adapter_test_open(&rows[*row].spec);
    cp_adapter_test_reject("missing-ica", BTN_CERT_ISSUER_NOT_FOUND);
}

BOTAN_TEST(not_yet_valid_rejects)
{
    cp_adapter_test_open(&rows[*row].spec);
    /* Two days before the case's time: every certificate starts one day before it. */
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    in.vtime = TEST_TIME - 2 * CP_DAY;
    cp_adapter_test_reject_in("not yet valid", &in, BTN_CERT_NOT_YET_VALID);
}

BOTAN_TEST(unparsable_certificate_rejects)
{
    cp_adapter_test_open(&rows[*row].spec);
    struct cp_verify_result r = cp_adapter_test_run_unparsable();
    cr_expect_lt(r.code, 0, "a Botan FFI error code expected, got %ld", r.code);
}

BOTAN_TEST(every_case_in_one_process_twice)
{
    cp_adapter_test_open(&rows[*row].spec);
    cp_adapter_test_every_case_twice();
}
