/*
 * test_adapter_gnutls.c - the GnuTLS adapter against the real library: the fixture's cases
 * minted for a fixed past time, each with GnuTLS's own verification status, driven through
 * the module exactly as the harness drives it (cp_adapter.h).
 */
#include "cp_fixture.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <gnutls/gnutls.h>
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
    T.ad = cp_fixture_adapter("gnutls", &T.handle, &why);
    if (!T.ad)
        cr_skip_test("the gnutls adapter is not built: %s", why);
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

TestSuite(adapter_gnutls, .fini = close_adapter, .timeout = 120);

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
    cr_log_info("%s: code 0x%lx: %s", name, r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "%s: status %d code %ld (%s)", name, r.status, r.code,
                 r.reason);
    cr_expect_eq(r.code, code, "%s: code 0x%lx, expected 0x%lx (%s)", name, r.code, code, r.reason);
    cr_expect_neq(r.reason[0], '\0', "%s: no reason", name);
}

Test(adapter_gnutls, describes_itself)
{
    open_adapter();
    cr_expect_str_eq(T.ad->name, "gnutls");
    cr_expect_str_eq(T.ad->library, "GnuTLS");
    cr_expect_eq(T.ad->caps, CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE);
    cr_expect(T.ad->settings && strstr(T.ad->settings, "GNUTLS_PROFILE_LOW"));
    cr_expect(T.ad->init && T.ad->version && T.ad->verify && T.ad->cleanup);
}

Test(adapter_gnutls, version_is_the_running_library)
{
    open_adapter();
    char buf[CP_VERSION_TEXT_MAX] = "";
    T.ad->version(T.ctx, buf, sizeof(buf));
    const char *(*check_version)(const char *) =
        (const char *(*)(const char *))dlsym(T.handle, "gnutls_check_version");
    cr_assert_not_null(check_version);
    cr_expect_str_eq(buf, check_version(NULL));
    cr_expect_eq(strncmp(buf, "3.", 2), 0, "GnuTLS 3 expected, got %s", buf);
}

Test(adapter_gnutls, good_accepts_at_the_case_time)
{
    open_adapter();
    /* The leaf expired long before today: only the case's time makes it valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    expect_accept("good");
}

Test(adapter_gnutls, reversed_accepts)
{
    open_adapter();
    expect_accept("reversed");
}

Test(adapter_gnutls, untrusted_root_rejects)
{
    open_adapter();
    expect_reject("untrusted-root", GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND);
}

Test(adapter_gnutls, expired_leaf_rejects)
{
    open_adapter();
    expect_reject("expired-leaf", GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED);
}

Test(adapter_gnutls, wrong_hostname_rejects)
{
    open_adapter();
    expect_reject("wrong-hostname", GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER);
}

Test(adapter_gnutls, missing_ica_rejects)
{
    open_adapter();
    expect_reject("missing-ica", GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND);
}

Test(adapter_gnutls, not_yet_valid_rejects)
{
    open_adapter();
    /* Two days before the case's time: every certificate starts one day before it. */
    struct cp_verify_input in = fixture_case("good")->in;
    in.vtime = TEST_TIME - 2 * CP_DAY;
    struct cp_verify_result r = run(&in);
    cr_log_info("not yet valid: code 0x%lx: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED, "code 0x%lx (%s)", r.code,
                 r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

Test(adapter_gnutls, chain_longer_than_the_client_depth_rejects)
{
    open_adapter();
    /* 17 certificates: the leaf and the ICA sent 16 times. */
    const struct cp_fixture_case *fc = fixture_case("good");
    struct cp_der chain[17];
    chain[0] = fc->chain[0];
    for (int i = 1; i < 17; i++)
        chain[i] = fc->chain[1];
    struct cp_verify_input in = fc->in;
    in.chain = chain;
    in.nchain = 17;
    struct cp_verify_result r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_eq(r.code, GNUTLS_E_CONSTRAINT_ERROR, "code %ld (%s)", r.code, r.reason);
    /* 16 are still verified (the duplicates are GnuTLS's to sort out). */
    in.nchain = 16;
    r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "16: status %d code 0x%lx (%s)", r.status, r.code,
                 r.reason);
}

Test(adapter_gnutls, unparsable_certificate_rejects)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct cp_der chain[2] = {fixture_case("good")->chain[0], {junk, sizeof(junk)}};
    struct cp_verify_input in = fixture_case("good")->in;
    in.chain = chain;
    struct cp_verify_result r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_lt(r.code, 0, "a GnuTLS error code expected, got %ld", r.code);
}

Test(adapter_gnutls, every_case_in_one_process_twice)
{
    open_adapter();
    /* One worker runs many cases: nothing may carry over from one to the next. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < T.f.ncases; i++) {
            const struct cp_fixture_case *fc = &T.f.cases[i];
            struct cp_verify_result r = run(&fc->in);
            cr_expect_eq(r.status, fc->expect_accept ? CP_VERIFY_ACCEPT : CP_VERIFY_REJECT,
                         "round %d, %s: status %d (%s)", round, fc->name, r.status, r.reason);
        }
    }
}
