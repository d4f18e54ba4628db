/*
 * test_adapter_boringssl.c - the BoringSSL adapter against the real library (Debian's
 * android-libboringssl): the fixture's cases minted for a fixed past time, each with
 * BoringSSL's own verify error, driven through the module exactly as the harness drives it
 * (cp_adapter.h).
 *
 * This file includes no OpenSSL header: the expected codes are BoringSSL's, from
 * /usr/include/android/openssl/x509.h, named here.
 */
#include "cp_fixture.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static struct {
    void *handle;
    const struct cp_adapter *ad;
    void *ctx;
    bool inited;
    struct cp_fixture f;
    bool built;
} T;

/* The module's path: adapters/ next to the certpath tool in the build tree. */
static void module_path(char *buf, size_t cap)
{
    const char *bin = CP_CERTPATH_BIN, *slash = strrchr(bin, '/');
    int dir = slash ? (int)(slash - bin) : 1;
    snprintf(buf, cap, "%.*s/adapters/certpath-adapter-boringssl.so", dir, slash ? bin : ".");
}

/*
 * Loads the module, inits it and mints the fixture; skips when the module is not built.
 *
 * Criterion pulls OpenSSL's libcrypto into every test process (libcriterion -> libgit2 ->
 * libssh2), and symbols are looked up in the process's global scope first, so a module loaded
 * like cp_fixture_adapter() does would call OpenSSL under BoringSSL's names (the adapter's
 * init() detects that and refuses). RTLD_DEEPBIND makes the module and BoringSSL resolve
 * against each other first. The harness's workers hold no OpenSSL and need no such flag.
 * AddressSanitizer does not support RTLD_DEEPBIND: under it, these tests are skipped.
 */
static void open_adapter(void)
{
    char path[4096], err[256] = "";
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("RTLD_DEEPBIND, which this test needs next to OpenSSL, is not supported under "
                 "AddressSanitizer");
#endif
    module_path(path, sizeof(path));
    if (access(path, F_OK) != 0)
        cr_skip_test("the boringssl adapter is not built: no %s", path);
    T.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    cr_assert_not_null(T.handle, "%s", dlerror());
    cp_adapter_entry_fn entry = (cp_adapter_entry_fn)dlsym(T.handle, CP_ADAPTER_ENTRY);
    cr_assert_not_null(entry, "no %s in %s", CP_ADAPTER_ENTRY, path);
    T.ad = entry();
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
    if (T.handle)
        dlclose(T.handle);
    memset(&T, 0, sizeof(T));
}

TestSuite(adapter_boringssl, .fini = close_adapter, .timeout = 120);

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

static void expect_reject_in(const char *name, const struct cp_verify_input *in, long code)
{
    struct cp_verify_result r = run(in);
    cr_log_info("%s: code %ld: %s", name, r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "%s: status %d code %ld (%s)", name, r.status, r.code,
                 r.reason);
    cr_expect_eq(r.code, code, "%s: code %ld, expected %ld (%s)", name, r.code, code, r.reason);
    cr_expect_neq(r.reason[0], '\0', "%s: no reason", name);
}

static void expect_reject(const char *name, long code)
{
    const struct cp_fixture_case *fc = fixture_case(name);
    cr_assert_not(fc->expect_accept, "the oracle should reject %s", name);
    expect_reject_in(name, &fc->in, code);
}

/* The "good" chain (leaf, ICA; trusting Root) minted for TEST_TIME with the leaf's usage
 * extensions changed. */
struct variant {
    struct cp_model m;
    struct cp_minted mt;
    bool minted;
    struct cp_der chain[2], root;
    struct cp_verify_input in;
};

static void variant_build(struct variant *v, unsigned ku, unsigned eku)
{
    memset(v, 0, sizeof(*v));
    cp_model_init(&v->m);
    struct cp_graph *g = cp_model_graph(&v->m, "adapter-boringssl/variant");
    cr_assert_not_null(g);
    int root = cp_graph_entity(g, "Root"), ica = cp_graph_entity(g, "ICA");
    int ee = cp_graph_entity(g, "EE");
    int c_ica = cp_graph_ca(g, root, ica), c_ee = cp_graph_leaf(g, ica, ee);
    int c_root = cp_graph_root(g, root);
    struct cp_cert *leaf = cp_graph_cert_at(g, c_ee);
    cr_assert_not_null(leaf);
    leaf->key_usage = ku, leaf->eku = eku;
    int sent[2] = {c_ee, c_ica};
    struct cp_case_spec s = {.id = "adapter-boringssl/variant",
                             .leaf = c_ee,
                             .anchors = &root,
                             .nanchors = 1,
                             .sent = sent,
                             .nsent = 2};
    cr_assert_eq(cp_model_case(&v->m, g, &s), 0);
    cr_assert_eq(cp_model_finalise(&v->m), 0);
    cp_minted_init(&v->mt);
    v->minted = true;
    cr_assert_eq(cp_mint_graph(T.f.kp, &v->m.graphs[0], 42, TEST_TIME, &v->mt), 0, "mint");
    v->chain[0] = (struct cp_der){v->mt.der[c_ee], v->mt.len[c_ee]};
    v->chain[1] = (struct cp_der){v->mt.der[c_ica], v->mt.len[c_ica]};
    v->root = (struct cp_der){v->mt.der[c_root], v->mt.len[c_root]};
    v->in = (struct cp_verify_input){.case_id = v->m.cases[0].id,
                                     .chain = v->chain,
                                     .nchain = 2,
                                     .roots = &v->root,
                                     .nroots = 1,
                                     .hostname = v->m.cases[0].hostname,
                                     .vtime = TEST_TIME};
}

static void variant_free(struct variant *v)
{
    if (v->minted)
        cp_minted_free(&v->mt);
    cp_model_free(&v->m);
    memset(v, 0, sizeof(*v));
}

Test(adapter_boringssl, describes_itself)
{
    open_adapter();
    cr_expect_str_eq(T.ad->name, "boringssl");
    cr_expect_str_eq(T.ad->library, "BoringSSL");
    cr_expect_eq(T.ad->caps,
                 CP_CAP_INPROC | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_IP);
    cr_expect(T.ad->settings && strstr(T.ad->settings, "X509_PURPOSE_SSL_SERVER") &&
              strstr(T.ad->settings, "no security level"));
    cr_expect(T.ad->init && T.ad->version && T.ad->verify && T.ad->cleanup);
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
        cr_skip_test("the boringssl adapter is not built: %s", why);
    void *ctx = calloc(1, ad->ctx_size ? ad->ctx_size : 1);
    cr_assert_not_null(ctx);
    int rc = ad->init(ctx, NULL, err, sizeof(err));
    if (rc == 0)
        ad->cleanup(ctx);
    free(ctx);
    cr_expect_neq(rc, 0, "init accepted a process where OpenSSL interposes BoringSSL");
    cr_expect(strstr(err, "another libcrypto") != NULL, "init: %s", err);
}

Test(adapter_boringssl, version_is_the_running_library)
{
    open_adapter();
    char buf[CP_VERSION_TEXT_MAX] = "";
    T.ad->version(T.ctx, buf, sizeof(buf));
    /* BoringSSL's OpenSSL_version() stub, read from the loaded library, then the package. */
    const char *(*version)(int) = (const char *(*)(int))dlsym(T.handle, "OpenSSL_version");
    cr_assert_not_null(version);
    cr_expect_str_eq(version(0), "BoringSSL");
    cr_expect_str_eq(buf, "BoringSSL (BoringSSL, Debian android-libboringssl)");
}

Test(adapter_boringssl, good_accepts_at_the_case_time)
{
    open_adapter();
    /* The certificates expired long before today: only the case's time makes them valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_TIME + 366 * CP_DAY);
    expect_accept("good");
}

Test(adapter_boringssl, reversed_accepts)
{
    open_adapter();
    expect_accept("reversed");
}

Test(adapter_boringssl, untrusted_root_rejects)
{
    open_adapter();
    expect_reject("untrusted-root", BSSL_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

Test(adapter_boringssl, expired_leaf_rejects)
{
    open_adapter();
    expect_reject("expired-leaf", BSSL_V_ERR_CERT_HAS_EXPIRED);
}

Test(adapter_boringssl, wrong_hostname_rejects)
{
    open_adapter();
    expect_reject("wrong-hostname", BSSL_V_ERR_HOSTNAME_MISMATCH);
}

Test(adapter_boringssl, missing_ica_rejects)
{
    open_adapter();
    expect_reject("missing-ica", BSSL_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

Test(adapter_boringssl, not_yet_valid_rejects)
{
    open_adapter();
    /* Two days before the case's time: every certificate starts one day before it. */
    struct cp_verify_input in = fixture_case("good")->in;
    in.vtime = TEST_TIME - 2 * CP_DAY;
    expect_reject_in("not yet valid", &in, BSSL_V_ERR_CERT_NOT_YET_VALID);
}

Test(adapter_boringssl, server_purpose_is_checked)
{
    open_adapter();
    struct variant v;
    /* A leaf for TLS clients only: the "ssl_server" purpose refuses it. */
    variant_build(&v, CP_KU_DIGITAL_SIGNATURE, CP_EKU_CLIENT_AUTH);
    expect_reject_in("clientAuth only", &v.in, BSSL_V_ERR_INVALID_PURPOSE);
    variant_free(&v);
    /* keyEncipherment is one of the TLS key usages the purpose allows; keyCertSign is not. */
    variant_build(&v, CP_KU_KEY_ENCIPHERMENT, CP_EKU_SERVER_AUTH);
    struct cp_verify_result r = run(&v.in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "keyEncipherment: status %d (%s)", r.status, r.reason);
    variant_free(&v);
    variant_build(&v, CP_KU_KEY_CERT_SIGN, CP_EKU_SERVER_AUTH);
    expect_reject_in("keyCertSign only", &v.in, BSSL_V_ERR_INVALID_PURPOSE);
    variant_free(&v);
}

Test(adapter_boringssl, ip_literal_is_checked_as_an_address)
{
    open_adapter();
    /* The leaf names DNS hosts only: an IP literal must be compared with iPAddress SANs. */
    struct cp_verify_input in = fixture_case("good")->in;
    in.hostname = "192.0.2.1";
    expect_reject_in("IPv4", &in, BSSL_V_ERR_IP_ADDRESS_MISMATCH);
    in.hostname = "2001:db8::1";
    expect_reject_in("IPv6", &in, BSSL_V_ERR_IP_ADDRESS_MISMATCH);
}

Test(adapter_boringssl, unparsable_certificate_rejects)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct cp_der chain[2] = {fixture_case("good")->chain[0], {junk, sizeof(junk)}};
    struct cp_verify_input in = fixture_case("good")->in;
    in.chain = chain;
    struct cp_verify_result r = run(&in);
    cr_log_info("junk: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.code, 0, "a BoringSSL error code expected");
    cr_expect(strstr(r.reason, "certificate 1: error:") != NULL, "reason: %s", r.reason);
}

Test(adapter_boringssl, trailing_bytes_reject_as_the_client_does)
{
    open_adapter();
    const struct cp_fixture_case *fc = fixture_case("good");
    unsigned char *ica = malloc(fc->chain[1].len + 2);
    cr_assert_not_null(ica);
    memcpy(ica, fc->chain[1].der, fc->chain[1].len);
    ica[fc->chain[1].len] = 0x05, ica[fc->chain[1].len + 1] = 0x00;
    struct cp_der chain[2] = {fc->chain[0], {ica, fc->chain[1].len + 2}};
    struct cp_verify_input in = fc->in;
    in.chain = chain;
    struct cp_verify_result r = run(&in);
    free(ica);
    cr_log_info("trailing bytes: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.code, 0, "a BoringSSL error code expected");
    cr_expect(strstr(r.reason, "certificate 1: error:") != NULL, "reason: %s", r.reason);
}

Test(adapter_boringssl, unloadable_root_is_an_error)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x00};
    struct cp_der roots[1] = {{junk, sizeof(junk)}};
    struct cp_verify_input in = fixture_case("good")->in;
    in.roots = roots;
    struct cp_verify_result r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ERROR, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

Test(adapter_boringssl, every_case_in_one_process_twice)
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
