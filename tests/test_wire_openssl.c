/*
 * test_wire_openssl.c - the openssl module's wire mode: libssl's own TLS client (SSL_connect)
 * in real handshakes with the real built-in server, on a suite generated here. Cases whose
 * outcome is certain get exactly the manifest's outcome, with OpenSSL's verify error as the
 * reject's code; the handshake verifies at the case's time, not the clock's; a server that is
 * not there, or that does not know the name, is an error and never a verdict; and
 * `certpath run --stack openssl --mode wire` runs the same module through the harness.
 */
#include "cp_wire_test.h"

#include <criterion/criterion.h>
#include <openssl/x509_vfy.h>

static const char *const families[] = {"controls", "ordering", "validity"};

TestSuite(wire_openssl, .fini = cp_wire_test_close);

Test(wire_openssl, certain_cases_get_the_manifests_outcome)
{
    cp_wire_test_open("openssl", families, 3, 0);
    cp_wire_test_expect_certain(CP_WIRE_CERTAIN_REVERSED);
    /* The reject's code is what SSL_get_verify_result() gave. */
    struct cp_verify_result r = cp_wire_test_run("validity/chain/leaf-expired/declared", 0);
    cr_expect_eq(r.code, X509_V_ERR_CERT_HAS_EXPIRED, "code %ld: %s", r.code, r.reason);
    r = cp_wire_test_run("controls/reject", 0);
    cr_expect_eq(r.code, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "code %ld: %s", r.code,
                 r.reason);
}

Test(wire_openssl, the_handshake_verifies_at_the_cases_time)
{
    struct cp_wire_test *t = cp_wire_test_open("openssl", families, 1, 0);
    /* Twenty years on, the control's certificates have all expired. */
    struct cp_verify_result r =
        cp_wire_test_run("controls/accept", t->s.vtime + INT64_C(20) * 366 * 86400);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d: %s", r.status, r.reason);
    cr_expect_eq(r.code, X509_V_ERR_CERT_HAS_EXPIRED, "code %ld: %s", r.code, r.reason);
    cp_wire_test_expect("controls/accept");
}

Test(wire_openssl, no_server_or_an_unknown_name_is_an_error)
{
    cp_wire_test_open("openssl", families, 1, 0);
    cp_wire_test_expect_refusals("refused", "unrecognized name");
}

Test(wire_openssl, certpath_run_wire_through_the_tool)
{
    cp_wire_test_open("openssl", families, 3, 0);
    cp_wire_test_cli_depth3("openssl", CP_WIRE_CERTAIN_REVERSED);
}
