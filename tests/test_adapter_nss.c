/*
 * test_adapter_nss.c - the NSS adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with NSS's own error code, driven through
 * the module exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_fixture.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <nss/secerr.h>
#include <nss/sslerr.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A past time: the minted certificates are valid for a year from a day before it, so a run of
 * this test today passes only if the adapter really verifies at the case's time. */
#define TEST_TIME INT64_C(1700000000)

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
    T.ad = cp_fixture_adapter("nss", &T.handle, &why);
    if (!T.ad)
        cr_skip_test("the nss adapter is not built: %s", why);
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

TestSuite(adapter_nss, .fini = close_adapter, .timeout = 120);

/* NSS_IsInitialized() returns a PRBool, an int. */
typedef int (*PRBool_fn)(void);

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

Test(adapter_nss, describes_itself)
{
    open_adapter();
    cr_expect_str_eq(T.ad->name, "nss");
    cr_expect_str_eq(T.ad->library, "NSS");
    cr_expect_eq(T.ad->caps, CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE);
    cr_expect(T.ad->settings && strstr(T.ad->settings, "CERT_PKIXVerifyCert"));
    cr_expect(T.ad->init && T.ad->version && T.ad->verify && T.ad->cleanup);
}

Test(adapter_nss, version_is_the_running_library)
{
    open_adapter();
    char buf[CP_VERSION_TEXT_MAX] = "";
    T.ad->version(T.ctx, buf, sizeof(buf));
    const char *(*get_version)(void) = (const char *(*)(void))dlsym(T.handle, "NSS_GetVersion");
    cr_assert_not_null(get_version);
    cr_expect_str_eq(buf, get_version());
    cr_expect_eq(strncmp(buf, "3.", 2), 0, "NSS 3 expected, got %s", buf);
}

Test(adapter_nss, good_accepts_at_the_case_time)
{
    open_adapter();
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    expect_accept("good");
}

Test(adapter_nss, reversed_accepts)
{
    open_adapter();
    expect_accept("reversed");
}

Test(adapter_nss, untrusted_root_rejects)
{
    open_adapter();
    expect_reject("untrusted-root", SEC_ERROR_UNKNOWN_ISSUER);
}

Test(adapter_nss, expired_leaf_rejects)
{
    open_adapter();
    expect_reject("expired-leaf", SEC_ERROR_EXPIRED_CERTIFICATE);
}

Test(adapter_nss, wrong_hostname_rejects)
{
    open_adapter();
    expect_reject("wrong-hostname", SSL_ERROR_BAD_CERT_DOMAIN);
}

Test(adapter_nss, missing_ica_rejects)
{
    open_adapter();
    expect_reject("missing-ica", SEC_ERROR_UNKNOWN_ISSUER);
}

Test(adapter_nss, not_yet_valid_rejects)
{
    open_adapter();
    /* Every certificate starts one day before the case's time; NSS accepts a certificate up to
     * its slop time (24 hours) before notBefore, so go three days back. */
    struct cp_verify_input in = fixture_case("good")->in;
    in.vtime = TEST_TIME - 3 * CP_DAY;
    struct cp_verify_result r = run(&in);
    cr_log_info("not yet valid: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, SEC_ERROR_EXPIRED_CERTIFICATE, "code %ld (%s)", r.code, r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

/* NSS's own default, kept by the adapter (CERT_GetSlopTime() = 86400): a certificate is taken
 * as valid up to 24 hours before its notBefore. Pinned here so that a change shows. */
Test(adapter_nss, not_before_slop_of_a_day_is_nss_default)
{
    open_adapter();
    struct cp_verify_input in = fixture_case("good")->in;
    in.vtime = TEST_TIME - CP_DAY - 12 * CP_HOUR; /* 12 hours before every notBefore */
    struct cp_verify_result r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "12h early: status %d (%s)", r.status, r.reason);
    in.vtime = TEST_TIME - 2 * CP_DAY - CP_HOUR; /* 25 hours before */
    r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "25h early: status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, SEC_ERROR_EXPIRED_CERTIFICATE, "25h early: code %ld (%s)", r.code,
                 r.reason);
}

Test(adapter_nss, unparsable_certificate_rejects)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct cp_der chain[2] = {fixture_case("good")->chain[0], {junk, sizeof(junk)}};
    struct cp_verify_input in = fixture_case("good")->in;
    in.chain = chain;
    struct cp_verify_result r = run(&in);
    cr_log_info("unparsable: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.code, 0);
}

/* NSS keeps temporary certificates and libpkix's caches process-wide. The same leaf and root as
 * "good" without its intermediate must be rejected even right after "good" was accepted: an
 * intermediate or a validated chain left over from the previous case would accept it. */
Test(adapter_nss, nothing_survives_from_the_previous_case)
{
    open_adapter();
    const struct cp_fixture_case *good = fixture_case("good");
    struct cp_verify_input leaf_only = good->in;
    leaf_only.nchain = 1;
    for (int round = 0; round < 3; round++) {
        struct cp_verify_result r = run(&good->in);
        cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "round %d, good: status %d (%s)", round, r.status,
                     r.reason);
        r = run(&leaf_only);
        cr_expect_eq(r.status, CP_VERIFY_REJECT, "round %d, good without its ICA: status %d (%s)",
                     round, r.status, r.reason);
        cr_expect_eq(r.code, SEC_ERROR_UNKNOWN_ISSUER, "round %d: code %ld (%s)", round, r.code,
                     r.reason);
    }
    /* Between cases NSS is shut down: every handle was released. */
    PRBool_fn is_initialized = (PRBool_fn)dlsym(T.handle, "NSS_IsInitialized");
    cr_assert_not_null(is_initialized);
    cr_expect_eq(is_initialized(), 0, "NSS left initialised after a case");
}

Test(adapter_nss, every_case_in_one_process_twice)
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
