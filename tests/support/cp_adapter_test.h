/*
 * cp_adapter_test.h - test support: what every tests/test_adapter_<stack>.c does around its
 * own checks. One adapter is tested per process (Criterion runs each test in a child of its
 * own), so the state is the process's one struct cp_adapter_test.
 *
 * Call sequence, in a Test() body:
 *   1. cp_adapter_test_open(&spec): loads certpath-adapter-<name>.so the way the harness does
 *      (cp_fixture_adapter(), or with RTLD_DEEPBIND), checks its ABI, allocates ctx_size bytes,
 *      calls init() and mints the fixture (cp_fixture.h) for spec->vtime. Skips the test when the
 *      module is not built; any other failure fails it.
 *   2. the helpers below, which run the fixture's cases (or the test's own inputs) through
 *      verify() with cr_assert for preconditions and cr_expect for the result's fields;
 *   3. cp_adapter_test_close(), the TestSuite's .fini: cleanup(), then frees the context and
 *      the fixture. Like the harness's worker it never dlclose()s the module: libraries with
 *      atexit handlers or process-wide state (NSS, NSPR, GnuTLS) must stay mapped until exit.
 * The helpers may be called from a Test() body only (they assert).
 */
#ifndef CP_ADAPTER_TEST_H
#define CP_ADAPTER_TEST_H

#include "cp_fixture.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    /*
     * dlopen() the module with RTLD_DEEPBIND. Criterion pulls OpenSSL's libcrypto into every
     * test process (libcriterion -> libgit2 -> libssh2), and symbols are looked up in the
     * process's global scope first, so a module built against another library with the same
     * names (BoringSSL) would call OpenSSL. RTLD_DEEPBIND makes the module and its library
     * resolve against each other first; the harness's workers hold no OpenSSL and need no such
     * flag. AddressSanitizer does not support RTLD_DEEPBIND: under it, the test is skipped.
     */
    CP_ADAPTER_TEST_DEEPBIND = 1u << 0,
    /* The stack's native codes are bit flags: messages print them in hex. */
    CP_ADAPTER_TEST_HEX_CODES = 1u << 1,
};

struct cp_adapter_test_spec {
    const char *name; /* the module: certpath-adapter-<name>.so */
    int64_t vtime;    /* the fixture's validation time; 0: the clock's (cp_fixture_now()) */
    unsigned flags;   /* CP_ADAPTER_TEST_* */
    /* Optional: the stack's own checks of a reject, after the shared ones. */
    void (*check_reject)(const char *name, const struct cp_verify_result *r, long code);
};

struct cp_adapter_test {
    const struct cp_adapter_test_spec *spec;
    void *handle; /* the module, for dlsym() of the library's own functions */
    const struct cp_adapter *ad;
    void *ctx;
    bool inited;
    struct cp_fixture f;
    bool built;
};

/* Step 1 above; returns the process's state, valid until cp_adapter_test_close(). */
struct cp_adapter_test *cp_adapter_test_open(const struct cp_adapter_test_spec *spec);
/* Step 3 above; safe when open() skipped or failed half-way. */
void cp_adapter_test_close(void);

/* The fixture's case by name (asserted to exist). */
const struct cp_fixture_case *cp_adapter_test_case(const char *name);
/* verify(), asserted to return 0; the result for the caller's checks. */
struct cp_verify_result cp_adapter_test_run(const struct cp_verify_input *in);

/* Expects an accept with code 0. The named form asserts the oracle accepts the case too. */
void cp_adapter_test_accept(const char *name);
void cp_adapter_test_accept_in(const char *name, const struct cp_verify_input *in);

/* Expects a reject with exactly this native code and a reason, then spec->check_reject. The
 * named form asserts the oracle rejects the case too. */
void cp_adapter_test_reject(const char *name, long code);
void cp_adapter_test_reject_in(const char *name, const struct cp_verify_input *in, long code);

/* Runs "good" with its ICA replaced by five bytes that are no certificate; expects a reject and
 * returns the result for the stack's own checks of the code and reason. */
struct cp_verify_result cp_adapter_test_run_unparsable(void);
/* Runs "good" with two bytes (an ASN.1 NULL) after its ICA's DER, which a TLS client refuses;
 * expects a reject and returns the result for the stack's own checks. */
struct cp_verify_result cp_adapter_test_run_trailing_bytes(void);
/* Runs "good" trusting only two bytes that are no certificate: a client that cannot be set up,
 * which must be an error, never a verdict (and say why). */
void cp_adapter_test_unloadable_root_is_an_error(void);

/* "good" checked `days` days before the case's time (every certificate starts one day before
 * it, so 2 is the least that makes them not yet valid): expects a reject with `code`. */
void cp_adapter_test_not_yet_valid(int days, long code);
/* "good" checked against an IPv4 and an IPv6 literal: the leaf names DNS hosts only, so a
 * verifier that compares an address with iPAddress SANs rejects both with `code`. */
void cp_adapter_test_ip_literal_is_an_address(long code);
/* The TLS server purpose as OpenSSL's X509_PURPOSE_SSL_SERVER defines it, on variants of
 * "good": a clientAuth-only leaf and a keyCertSign-only leaf reject with `code`; a
 * keyEncipherment leaf for serverAuth accepts. */
void cp_adapter_test_ssl_server_purpose(long code);

/* Every fixture case twice in this one process, as a worker runs many: each must get the
 * oracle's verdict, so nothing may carry over from one case to the next. */
void cp_adapter_test_every_case_twice(void);

/*
 * The "good" chain (leaf, ICA; trusting Root) minted for vtime with the fixture's keys and the
 * leaf's keyUsage, extendedKeyUsage and signature algorithm changed. The variant owns what it
 * minted; cp_adapter_test_variant_free() releases it.
 */
struct cp_adapter_test_variant {
    struct cp_model m;
    struct cp_minted mt;
    bool minted;
    struct cp_der chain[2], root;
    struct cp_verify_input in;
};

void cp_adapter_test_variant_build(struct cp_adapter_test_variant *v, int64_t vtime, unsigned ku,
                                   unsigned eku, enum cp_sig_alg alg);
void cp_adapter_test_variant_free(struct cp_adapter_test_variant *v);

#endif
