/*
 * test_adapter_mbedtls.c - the mbedTLS adapter against the real library, driven through the
 * module exactly as the harness drives it (cp_adapter.h).
 *
 * mbedTLS reads the clock with time() and takes no validation time (the harness pins time()
 * with its clock shim), so the cases here are minted for the real current time: the fixture's
 * cases with cp_fixture_now(), and a few variants of the "good" chain minted the same way with
 * one attribute of the leaf changed, to check the TLS client's usage checks the adapter adds.
 */
#include "cp_fixture.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
    T.ad = cp_fixture_adapter("mbedtls", &T.handle, &why);
    if (!T.ad)
        cr_skip_test("the mbedtls adapter is not built: %s", why);
    cr_assert_eq(T.ad->abi, CP_ADAPTER_ABI);
    T.ctx = calloc(1, T.ad->ctx_size ? T.ad->ctx_size : 1);
    cr_assert_not_null(T.ctx);
    cr_assert_eq(T.ad->init(T.ctx, NULL, err, sizeof(err)), 0, "init: %s", err);
    T.inited = true;
    cr_assert_eq(cp_fixture_build(&T.f, cp_fixture_now()), 0, "fixture");
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

TestSuite(adapter_mbedtls, .fini = close_adapter, .timeout = 120);

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

static void expect_accept_in(const char *name, const struct cp_verify_input *in)
{
    struct cp_verify_result r = run(in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "%s: status %d code 0x%lx (%s)", name, r.status,
                 r.code, r.reason);
    cr_expect_eq(r.code, 0, "%s: code 0x%lx", name, r.code);
}

static void expect_accept(const char *name)
{
    const struct cp_fixture_case *fc = fixture_case(name);
    cr_assert(fc->expect_accept, "the oracle should accept %s", name);
    expect_accept_in(name, &fc->in);
}

/* A reject whose code is exactly these verification flags. */
static void expect_flags_in(const char *name, const struct cp_verify_input *in, long flags)
{
    struct cp_verify_result r = run(in);
    cr_log_info("%s: code 0x%lx: %s", name, r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "%s: status %d code 0x%lx (%s)", name, r.status,
                 r.code, r.reason);
    cr_expect_eq(r.code, flags, "%s: code 0x%lx, expected 0x%lx (%s)", name, r.code, flags,
                 r.reason);
    cr_expect_neq(r.reason[0], '\0', "%s: no reason", name);
    cr_expect_null(strchr(r.reason, '\n'), "%s: lines not joined: %s", name, r.reason);
}

static void expect_flags(const char *name, long flags)
{
    const struct cp_fixture_case *fc = fixture_case(name);
    cr_assert_not(fc->expect_accept, "the oracle should reject %s", name);
    expect_flags_in(name, &fc->in, flags);
}

/* The "good" chain (leaf, ICA; trusting Root) minted for vtime with the leaf changed. */
struct variant {
    struct cp_model m;
    struct cp_minted mt;
    bool minted;
    struct cp_der chain[2], root;
    struct cp_verify_input in;
};

static void variant_build(struct variant *v, int64_t vtime, unsigned ku, unsigned eku,
                          enum cp_sig_alg alg)
{
    memset(v, 0, sizeof(*v));
    cp_model_init(&v->m);
    struct cp_graph *g = cp_model_graph(&v->m, "adapter-mbedtls/variant");
    cr_assert_not_null(g);
    int root = cp_graph_entity(g, "Root"), ica = cp_graph_entity(g, "ICA");
    int ee = cp_graph_entity(g, "EE");
    int c_ica = cp_graph_ca(g, root, ica), c_ee = cp_graph_leaf(g, ica, ee);
    int c_root = cp_graph_root(g, root);
    struct cp_cert *leaf = cp_graph_cert_at(g, c_ee);
    cr_assert_not_null(leaf);
    leaf->key_usage = ku, leaf->eku = eku, leaf->sig_alg = alg;
    int sent[2] = {c_ee, c_ica};
    struct cp_case_spec s = {.id = "adapter-mbedtls/variant",
                             .leaf = c_ee,
                             .anchors = &root,
                             .nanchors = 1,
                             .sent = sent,
                             .nsent = 2};
    cr_assert_eq(cp_model_case(&v->m, g, &s), 0);
    cr_assert_eq(cp_model_finalise(&v->m), 0);
    cp_minted_init(&v->mt);
    v->minted = true;
    cr_assert_eq(cp_mint_graph(T.f.kp, &v->m.graphs[0], 42, vtime, &v->mt), 0, "mint");
    v->chain[0] = (struct cp_der){v->mt.der[c_ee], v->mt.len[c_ee]};
    v->chain[1] = (struct cp_der){v->mt.der[c_ica], v->mt.len[c_ica]};
    v->root = (struct cp_der){v->mt.der[c_root], v->mt.len[c_root]};
    v->in = (struct cp_verify_input){.case_id = v->m.cases[0].id,
                                     .chain = v->chain,
                                     .nchain = 2,
                                     .roots = &v->root,
                                     .nroots = 1,
                                     .hostname = v->m.cases[0].hostname,
                                     .vtime = vtime};
}

static void variant_free(struct variant *v)
{
    if (v->minted)
        cp_minted_free(&v->mt);
    cp_model_free(&v->m);
    memset(v, 0, sizeof(*v));
}

Test(adapter_mbedtls, describes_itself)
{
    open_adapter();
    cr_expect_str_eq(T.ad->name, "mbedtls");
    cr_expect_str_eq(T.ad->library, "Mbed TLS");
    /* No set-time: the harness must run it under the clock shim. */
    cr_expect_eq(T.ad->caps, CP_CAP_INPROC | CP_CAP_HOSTNAME | CP_CAP_PURPOSE | CP_CAP_CLOCK_SHIM);
    cr_expect(T.ad->settings && strstr(T.ad->settings, "mbedtls_x509_crt_profile_default") &&
              strstr(T.ad->settings, "digitalSignature") && strstr(T.ad->settings, "serverAuth") &&
              strstr(T.ad->settings, "clock shim"));
    cr_expect(T.ad->init && T.ad->version && T.ad->verify && T.ad->cleanup);
}

Test(adapter_mbedtls, version_is_the_running_library)
{
    open_adapter();
    char buf[CP_VERSION_TEXT_MAX] = "", lib[32] = "";
    T.ad->version(T.ctx, buf, sizeof(buf));
    mbedtls_version_get_string_full(lib);
    cr_expect_str_eq(buf, lib);
    /* "mbed TLS 2.28.3" (2.x) or "Mbed TLS 3.6.0" (3.x). */
    cr_expect(strncmp(buf, "mbed TLS ", 9) == 0 || strncmp(buf, "Mbed TLS ", 9) == 0, "got %s",
              buf);
}

Test(adapter_mbedtls, good_accepts)
{
    open_adapter();
    expect_accept("good");
}

Test(adapter_mbedtls, reversed_accepts)
{
    open_adapter();
    expect_accept("reversed");
}

Test(adapter_mbedtls, untrusted_root_rejects)
{
    open_adapter();
    expect_flags("untrusted-root", MBEDTLS_X509_BADCERT_NOT_TRUSTED);
}

Test(adapter_mbedtls, expired_leaf_rejects)
{
    open_adapter();
    expect_flags("expired-leaf", MBEDTLS_X509_BADCERT_EXPIRED);
}

Test(adapter_mbedtls, wrong_hostname_rejects)
{
    open_adapter();
    expect_flags("wrong-hostname", MBEDTLS_X509_BADCERT_CN_MISMATCH);
}

Test(adapter_mbedtls, missing_ica_rejects)
{
    open_adapter();
    expect_flags("missing-ica", MBEDTLS_X509_BADCERT_NOT_TRUSTED);
}

Test(adapter_mbedtls, reads_the_clock_not_the_case_time)
{
    open_adapter();
    /* Minted for two days from now: every certificate starts tomorrow, so by the real clock
     * (which is all mbedTLS reads) the chain is not valid yet, whatever in->vtime says. */
    struct variant v;
    variant_build(&v, cp_fixture_now() + 2 * CP_DAY, CP_KU_DIGITAL_SIGNATURE, CP_EKU_SERVER_AUTH,
                  CP_SIG_SHA256);
    /* mbedTLS folds the flags of the whole chain into one value: the leaf's and the ICA's are
     * the same here. */
    expect_flags_in("not yet valid", &v.in, MBEDTLS_X509_BADCERT_FUTURE);
    variant_free(&v);
}

Test(adapter_mbedtls, leaf_without_digital_signature_rejects)
{
    open_adapter();
    struct variant v;
    variant_build(&v, cp_fixture_now(), CP_KU_KEY_ENCIPHERMENT, CP_EKU_SERVER_AUTH, CP_SIG_SHA256);
    expect_flags_in("keyEncipherment only", &v.in, MBEDTLS_X509_BADCERT_KEY_USAGE);
    variant_free(&v);
}

Test(adapter_mbedtls, leaf_for_client_auth_only_rejects)
{
    open_adapter();
    struct variant v;
    variant_build(&v, cp_fixture_now(), CP_KU_DIGITAL_SIGNATURE, CP_EKU_CLIENT_AUTH, CP_SIG_SHA256);
    expect_flags_in("clientAuth only", &v.in, MBEDTLS_X509_BADCERT_EXT_KEY_USAGE);
    variant_free(&v);
}

Test(adapter_mbedtls, usage_extensions_absent_or_any_accept)
{
    open_adapter();
    struct variant v;
    /* No keyUsage and no extendedKeyUsage: nothing restricts the key. */
    variant_build(&v, cp_fixture_now(), 0, 0, CP_SIG_SHA256);
    expect_accept_in("no usage extensions", &v.in);
    variant_free(&v);
    /* anyExtendedKeyUsage: mbedtls_x509_crt_check_extended_key_usage() accepts it. */
    variant_build(&v, cp_fixture_now(), CP_KU_DIGITAL_SIGNATURE, CP_EKU_ANY, CP_SIG_SHA256);
    expect_accept_in("anyExtendedKeyUsage", &v.in);
    variant_free(&v);
}

Test(adapter_mbedtls, leaf_with_unknown_signature_algorithm_is_left_out)
{
    open_adapter();
    /* The TLS client drops a certificate whose signature algorithm it does not know; the ICA
     * is then verified as if it were the server's certificate: trusted, but neither named for
     * the host nor usable for digitalSignature. */
    struct variant v;
    variant_build(&v, cp_fixture_now(), CP_KU_DIGITAL_SIGNATURE, CP_EKU_SERVER_AUTH,
                  CP_SIG_UNKNOWN);
    expect_flags_in("unknown algorithm", &v.in,
                    MBEDTLS_X509_BADCERT_CN_MISMATCH | MBEDTLS_X509_BADCERT_KEY_USAGE);
    /* The leaf alone: nothing is left to verify, which mbedTLS rejects without crashing. */
    v.in.nchain = 1;
    struct cp_verify_result r = run(&v.in);
    cr_log_info("nothing left: code 0x%lx: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d code 0x%lx (%s)", r.status, r.code,
                 r.reason);
    variant_free(&v);
}

Test(adapter_mbedtls, unparsable_certificate_rejects)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct cp_der chain[2] = {fixture_case("good")->chain[0], {junk, sizeof(junk)}};
    struct cp_verify_input in = fixture_case("good")->in;
    in.chain = chain;
    struct cp_verify_result r = run(&in);
    cr_log_info("junk: code %ld: %s", r.code, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    cr_expect_lt(r.code, 0, "an mbedTLS error code expected, got %ld", r.code);
    cr_expect(strstr(r.reason, "certificate 1: ") != NULL, "reason: %s", r.reason);
}

Test(adapter_mbedtls, unloadable_roots_are_an_error)
{
    open_adapter();
    static const unsigned char junk[] = {0x30, 0x00};
    struct cp_der roots[2] = {{junk, sizeof(junk)}, fixture_case("good")->roots[0]};
    struct cp_verify_input in = fixture_case("good")->in;
    /* One good root among unparsable ones is loaded, as mbedtls_x509_crt_parse() does. */
    in.roots = roots;
    in.nroots = 2;
    expect_accept_in("one root of two", &in);
    /* None: the client cannot be set up. */
    in.nroots = 1;
    struct cp_verify_result r = run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ERROR, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

Test(adapter_mbedtls, every_case_in_one_process_twice)
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
