/*
 * test_adapter_botan.c - the Botan adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with Botan's own
 * Certificate_Status_Code, driven through
 * the module exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_fixture.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

static struct {
    void *handle;
    const struct cp_adapter *ad;
    void *ctx;
    bool inited;
    struct cp_fixture f;
    bool built;
} T;

/* Loads the module, inits it and mints the fixture; skips when the module is not built. */
static void open_adapter(void)
{
    const char *why = "";
    char err[256] = "";
    T.ad = cp_fixture_adapter("botan", &T.handle, &why);
    if (!T.ad)
        cr_skip_test("the botan adapter is not built: %s", why);
    cr_assert_eq(T.ad->abi, CP_ADAPTER_ABI);
    T.ctx = calloc(1, T.ad->ctx_size ? T.ad->ctx_size : 1);
    cr_assert_not_null(T.ctx);
    cr_assert_eq(T.ad->init(T.ctx, NULL, err, sizeof(err)), 0, "init: %s", err);
    T.inited = true;
    cr_assert_eq(cp_fixture_build(&T.f, TEST_TIME), 0, "fixture");
    T.built = true;
}

static void close_adapter(void)
{
    if (T.inited)
        T.ad->cleanup(T.ctx);
    free(T.ctx);
    if (T.built)
        cp_fixture_free(&T.f);
    /* Like the harness's worker, never dlclose() the module: libraries with atexit handlers
     * or process-wide state (NSS, NSPR, GnuTLS) must stay mapped until the process exits. */
    memset(&T, 0, sizeof(T));
}

TestSuite(adapter_botan, .fini = close_adapter, .timeout = 120);

static const struct cp_fixture_case *fixture_case(const char *name)
{
    const struct cp_fixture_case *fc = cp_fixture_get(&T.f, name);
    cr_assert_not_null(fc, "fixture case %s", name);
    return fc;
}

static struct cp_verify_result run(const struct cp_verify_input *in)
{
    struct cp_verify_result out;
    memset(&out, 0, sizeof(out));
    cr_assert_eq(T.ad->verify(T.ctx, in, &out), 0, "verify(%s) failed", in->case_id);
    return out;
}

static void expect_accept(const char *name)
{
    const struct cp_fixture_case *fc = fixture_case(name);
    cr_assert(fc->expect_accept, "the oracle should accept %s", name);
    struct cp_verify_result r = run(&fc->in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "%s: status %d code %ld (%s)", name, r.status, r.code,
                 r.reason);
    cr_expect_eq(r.code, 0, "%s: code %ld", name, r.code);
}

static void expect_reject(const char *name, long code)
{
    const struct cp_fixture_case *fc = fixture_case(name);
    cr_assert_not(fc->expect_accept, "the oracle should reject %s", name);
    struct cp_verify_result r = run(&fc->in);
    cr_log_info("%s: code %ld: %s", name, r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "%s: status %d code %ld (%s)", name, r.status, r.code,
                 r.reason);
    cr_expect_eq(r.code, code, "%s: code %ld, expected %ld (%s)", name, r.code, code, r.reason);
    cr_expect_neq(r.reason[0], '\0', "%s: no reason", name);
}

Test(adapter_botan, describes_itself)
{
    open_adapter();
    cr_expect_str_eq(T.ad->name, "botan");
    cr_expect_str_eq(T.ad->library, "Botan");
    /* The FFI has no usage parameter: no purpose capability. */
    cr_expect_eq(T.ad->caps, CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME);
    cr_expect(T.ad->settings && strstr(T.ad->settings, "UNSPECIFIED"));
    cr_expect(T.ad->init && T.ad->version && T.ad->verify && T.ad->cleanup);
}

Test(adapter_botan, version_is_the_running_library)
{
    open_adapter();
    char buf[CP_VERSION_TEXT_MAX] = "";
    T.ad->version(T.ctx, buf, sizeof(buf));
    const char *(*version_string)(void) =
        (const char *(*)(void))dlsym(T.handle, "botan_version_string");
    unsigned (*major)(void) = (unsigned (*)(void))dlsym(T.handle, "botan_version_major");
    cr_assert(version_string && major);
    char want[CP_VERSION_TEXT_MAX];
    snprintf(want, sizeof(want), "%s", version_string());
    cr_expect_str_eq(buf, want);
    cr_expect_eq(major(), 2, "Botan 2 expected, got %s", buf);
}

Test(adapter_botan, good_accepts_at_the_case_time)
{
    open_adapter();
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    expect_accept("good");
}

Test(adapter_botan, reversed_accepts)
{
    open_adapter();
    expect_accept("reversed");
}

Test(adapter_botan, untrusted_root_rejects)
{
    open_adapter();
    expect_reject("untrusted-root", BTN_CERT_ISSUER_NOT_FOUND);
}

Test(adapter_botan, expired_leaf_rejects)
{
    open_adapter();
    expect_reject("expired-leaf", BTN_CERT_HAS_EXPIRED);
}

Test(adapter_botan, wrong_hostname_rejects)
{
    open_adapter();
    expect_reject("wrong-hostname", BTN_CERT_NAME_NOMATCH);
}

Test(adapter_botan, missing_ica_rejects)
{
    open_adapter();
    expect_reject("missing-ica", BTN_CERT_ISSUER_NOT_FOUND);
}

Test(adapter_botan, not_yet_valid_rejects)
{
    open_adapter();
    /* Two days before the case's time: every certificate starts one day before it. */
    struct cp_verify_input in = fixture_case("good")->in;
    in.vtime = TEST_TIME - 2 * CP_DAY;
    struct cp_verify_result r = run(&in);
    cr_log_info("not yet valid: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, BTN_CERT_NOT_YET_VALID, "code %ld (%s)", r.code, r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

Test(adapter_botan, unparsable_certificate_rejects)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct cp_der chain[2] = {fixture_case("good")->chain[0], {junk, sizeof(junk)}};
    struct cp_verify_input in = fixture_case("good")->in;
    in.chain = chain;
    struct cp_verify_result r = run(&in);
    cr_log_info("unparsable: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_lt(r.code, 0, "a Botan FFI error code expected, got %ld", r.code);
}

Test(adapter_botan, every_case_in_one_process_twice)
{
    open_adapter();
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < T.f.ncases; i++) {
            const struct cp_fixture_case *fc = &T.f.cases[i];
            struct cp_verify_result r = run(&fc->in);
            cr_expect_eq(r.status, fc->expect_accept ? CP_VERIFY_ACCEPT : CP_VERIFY_REJECT,
                         "round %d, %s: status %d (%s)", round, fc->name, r.status, r.reason);
        }
    }
}
