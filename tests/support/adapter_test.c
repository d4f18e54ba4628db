#include "cp_missing.h"
#include "cp_adapter_test.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The adapter under test: one per process. */
static struct cp_adapter_test T;

/* Room for a native code as text: a sign, "0x" and 20 digits. */
#define AT_CODE_TEXT_MAX 32

/* The native code in the stack's notation, for messages. */
static const char *at_code_text(char *buf, long code)
{
    if (T.spec && (T.spec->flags & CP_ADAPTER_TEST_HEX_CODES))
        snprintf(buf, AT_CODE_TEXT_MAX, "0x%lx", (unsigned long)code);
    else
        snprintf(buf, AT_CODE_TEXT_MAX, "%ld", code);
    return buf;
}

/* Loads the module with RTLD_DEEPBIND (see CP_ADAPTER_TEST_DEEPBIND); skips when it is not
 * built, fails when it is built but does not load. */
static void at_load_deepbind(const char *name)
{
    char path[1024];
#if defined(__SANITIZE_ADDRESS__)
    cp_test_missing("rtld-deepbind",
                    "RTLD_DEEPBIND, which this test needs next to OpenSSL, is not supported under "
                    "AddressSanitizer");
#endif
    snprintf(path, sizeof(path), "%s/certpath-adapter-%s.so", CP_ADAPTER_DIR, name);
    if (access(path, F_OK) != 0)
        cp_test_missing(name, "the %s adapter is not built: no %s", name, path);
    T.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    cr_assert_not_null(T.handle, "%s", dlerror());
    cp_adapter_entry_fn entry = (cp_adapter_entry_fn)dlsym(T.handle, CP_ADAPTER_ENTRY);
    cr_assert_not_null(entry, "no %s in %s", CP_ADAPTER_ENTRY, path);
    T.ad = entry();
}

struct cp_adapter_test *cp_adapter_test_open(const struct cp_adapter_test_spec *spec)
{
    const char *why = "";
    char err[256] = "";
    T.spec = spec;
    if (spec->flags & CP_ADAPTER_TEST_DEEPBIND) {
        at_load_deepbind(spec->name);
    } else if (!(T.ad = cp_fixture_adapter(spec->name, &T.handle, &why))) {
        cp_test_missing(spec->name, "the %s adapter is not built: %s", spec->name, why);
    }
    cr_assert_eq(T.ad->abi, CP_ADAPTER_ABI);
    T.ctx = calloc(1, T.ad->ctx_size ? T.ad->ctx_size : 1);
    cr_assert_not_null(T.ctx);
    cr_assert_eq(
        T.ad->init(T.ctx, NULL,
                   &(struct cp_adapter_info){T.ad->name, T.ad->library, T.ad->caps, T.ad->settings},
                   err, sizeof(err)),
        0, "init: %s", err);
    T.inited = true;
    cr_assert_eq(cp_fixture_build(&T.f, spec->vtime ? spec->vtime : cp_fixture_now()), 0,
                 "fixture");
    T.built = true;
    return &T;
}

void cp_adapter_test_close(void)
{
    if (T.inited)
        T.ad->cleanup(T.ctx);
    free(T.ctx);
    if (T.built)
        cp_fixture_free(&T.f);
    memset(&T, 0, sizeof(T));
}

const struct cp_fixture_case *cp_adapter_test_case(const char *name)
{
    const struct cp_fixture_case *fc = cp_fixture_get(&T.f, name);
    cr_assert_not_null(fc, "fixture case %s", name);
    return fc;
}

struct cp_verify_result cp_adapter_test_run(const struct cp_verify_input *in)
{
    struct cp_verify_result out;
    memset(&out, 0, sizeof(out));
    cr_assert_eq(T.ad->verify(T.ctx, in, &out), 0, "verify(%s) failed", in->case_id);
    return out;
}

void cp_adapter_test_accept_in(const char *name, const struct cp_verify_input *in)
{
    char code[AT_CODE_TEXT_MAX];
    struct cp_verify_result r = cp_adapter_test_run(in);
    cr_expect_eq(r.status, CP_VERIFY_ACCEPT, "%s: status %d code %s (%s)", name, r.status,
                 at_code_text(code, r.code), r.reason);
    cr_expect_eq(r.code, 0, "%s: code %s", name, at_code_text(code, r.code));
}

void cp_adapter_test_accept(const char *name)
{
    const struct cp_fixture_case *fc = cp_adapter_test_case(name);
    cr_assert(fc->expect_accept, "the oracle should accept %s", name);
    cp_adapter_test_accept_in(name, &fc->in);
}

void cp_adapter_test_reject_in(const char *name, const struct cp_verify_input *in, long code)
{
    char got[AT_CODE_TEXT_MAX], want[AT_CODE_TEXT_MAX];
    struct cp_verify_result r = cp_adapter_test_run(in);
    at_code_text(got, r.code);
    cr_log_info("%s: code %s: %s", name, got, r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "%s: status %d code %s (%s)", name, r.status, got,
                 r.reason);
    cr_expect_eq(r.code, code, "%s: code %s, expected %s (%s)", name, got, at_code_text(want, code),
                 r.reason);
    cr_expect_neq(r.reason[0], '\0', "%s: no reason", name);
    if (T.spec->check_reject)
        T.spec->check_reject(name, &r, code);
}

void cp_adapter_test_reject(const char *name, long code)
{
    const struct cp_fixture_case *fc = cp_adapter_test_case(name);
    cr_assert_not(fc->expect_accept, "the oracle should reject %s", name);
    cp_adapter_test_reject_in(name, &fc->in, code);
}

struct cp_verify_result cp_adapter_test_run_unparsable(void)
{
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    const struct cp_fixture_case *good = cp_adapter_test_case("good");
    struct cp_der chain[2] = {good->chain[0], {junk, sizeof(junk)}};
    struct cp_verify_input in = good->in;
    char code[AT_CODE_TEXT_MAX];
    in.chain = chain;
    struct cp_verify_result r = cp_adapter_test_run(&in);
    cr_log_info("unparsable: code %s: %s", at_code_text(code, r.code), r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    return r;
}

struct cp_verify_result cp_adapter_test_run_trailing_bytes(void)
{
    const struct cp_fixture_case *good = cp_adapter_test_case("good");
    const struct cp_der *ica = &good->chain[1];
    unsigned char *der = malloc(ica->len + 2);
    char code[AT_CODE_TEXT_MAX];
    cr_assert_not_null(der);
    memcpy(der, ica->der, ica->len);
    der[ica->len] = 0x05, der[ica->len + 1] = 0x00;
    struct cp_der chain[2] = {good->chain[0], {der, ica->len + 2}};
    struct cp_verify_input in = good->in;
    in.chain = chain;
    struct cp_verify_result r = cp_adapter_test_run(&in);
    free(der);
    cr_log_info("trailing bytes: code %s: %s", at_code_text(code, r.code), r.reason);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d (%s)", r.status, r.reason);
    return r;
}

void cp_adapter_test_unloadable_root_is_an_error(void)
{
    static const unsigned char junk[] = {0x30, 0x00};
    struct cp_der roots[1] = {{junk, sizeof(junk)}};
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    in.roots = roots;
    in.nroots = 1;
    struct cp_verify_result r = cp_adapter_test_run(&in);
    cr_expect_eq(r.status, CP_VERIFY_ERROR, "status %d (%s)", r.status, r.reason);
    cr_expect_neq(r.reason[0], '\0');
}

void cp_adapter_test_not_yet_valid(int days, long code)
{
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    in.vtime -= days * CP_DAY;
    cp_adapter_test_reject_in("not yet valid", &in, code);
}

void cp_adapter_test_ip_literal_is_an_address(long code)
{
    struct cp_verify_input in = cp_adapter_test_case("good")->in;
    in.hostname = "192.0.2.1";
    cp_adapter_test_reject_in("IPv4", &in, code);
    in.hostname = "2001:db8::1";
    cp_adapter_test_reject_in("IPv6", &in, code);
}

/* One variant of "good" with the leaf's usages changed, verified and released. */
static void at_purpose_variant(const char *what, unsigned ku, unsigned eku, bool accept, long code)
{
    struct cp_adapter_test_variant v;
    cp_adapter_test_variant_build(&v, cp_adapter_test_case("good")->in.vtime, ku, eku,
                                  CP_SIG_SHA256);
    if (accept)
        cp_adapter_test_accept_in(what, &v.in);
    else
        cp_adapter_test_reject_in(what, &v.in, code);
    cp_adapter_test_variant_free(&v);
}

void cp_adapter_test_ssl_server_purpose(long code)
{
    /* A leaf for TLS clients only: the server purpose refuses it. */
    at_purpose_variant("clientAuth only", CP_KU_DIGITAL_SIGNATURE, CP_EKU_CLIENT_AUTH, false, code);
    /* keyEncipherment is one of the TLS key usages the purpose allows; keyCertSign is not. */
    at_purpose_variant("keyEncipherment", CP_KU_KEY_ENCIPHERMENT, CP_EKU_SERVER_AUTH, true, 0);
    at_purpose_variant("keyCertSign only", CP_KU_KEY_CERT_SIGN, CP_EKU_SERVER_AUTH, false, code);
}

void cp_adapter_test_every_case_twice(void)
{
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < T.f.ncases; i++) {
            const struct cp_fixture_case *fc = &T.f.cases[i];
            struct cp_verify_result r = cp_adapter_test_run(&fc->in);
            cr_expect_eq(r.status, fc->expect_accept ? CP_VERIFY_ACCEPT : CP_VERIFY_REJECT,
                         "round %d, %s: status %d (%s)", round, fc->name, r.status, r.reason);
        }
    }
}

void cp_adapter_test_variant_build(struct cp_adapter_test_variant *v, int64_t vtime, unsigned ku,
                                   unsigned eku, enum cp_sig_alg alg)
{
    char id[64];
    memset(v, 0, sizeof(*v));
    cp_model_init(&v->m);
    snprintf(id, sizeof(id), "adapter-%s/variant", T.spec->name);
    struct cp_graph *g = cp_model_graph(&v->m, id);
    cr_assert_not_null(g);
    int root = cp_graph_entity(g, "Root"), ica = cp_graph_entity(g, "ICA");
    int ee = cp_graph_entity(g, "EE");
    int c_ica = cp_graph_ca(g, root, ica), c_ee = cp_graph_leaf(g, ica, ee);
    int c_root = cp_graph_root(g, root);
    struct cp_cert *leaf = cp_graph_cert_at(g, c_ee);
    cr_assert_not_null(leaf);
    leaf->key_usage = ku, leaf->eku = eku, leaf->sig_alg = alg;
    int sent[2] = {c_ee, c_ica};
    struct cp_case_spec s = {
        .id = id, .leaf = c_ee, .anchors = &root, .nanchors = 1, .sent = sent, .nsent = 2};
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

void cp_adapter_test_variant_free(struct cp_adapter_test_variant *v)
{
    if (v->minted)
        cp_minted_free(&v->mt);
    cp_model_free(&v->m);
    memset(v, 0, sizeof(*v));
}
