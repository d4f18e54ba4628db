/*
 * test_wire_gnutls.c - the gnutls module's wire mode: GnuTLS's own TLS client
 * (gnutls_handshake with gnutls_session_set_verify_cert) in real handshakes with the real
 * built-in server, on a suite generated here. Cases whose outcome is certain get exactly the
 * manifest's outcome, with the verification status as the reject's code; the handshake's
 * verification reads the time function the module points at the case's time; a server that is
 * not there, or that does not know the name, is an error and never a verdict; and
 * `certpath run --stack gnutls --mode wire` runs the same module through the harness.
 */
#include "cp_wire_test.h"

#include <criterion/criterion.h>
#include <gnutls/gnutls.h>
#include <string.h>

static const char *const families[] = {"controls", "ordering", "validity"};

TestSuite(wire_gnutls, .fini = cp_wire_test_close);

Test(wire_gnutls, certain_cases_get_the_manifests_outcome)
{
    cp_wire_test_open("gnutls", families, 3, 0);
    cp_wire_test_expect_certain(CP_WIRE_CERTAIN_REVERSED);
    /* The reject's code is gnutls_session_get_verify_cert_status(), its text the status's. */
    struct cp_verify_result r = cp_wire_test_run("validity/chain/leaf-expired/declared", 0);
    cr_expect_eq(r.code, GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED, "code 0x%lx: %s", r.code,
                 r.reason);
    cr_expect(strstr(r.reason, "expired") != NULL, "%s", r.reason);
    r = cp_wire_test_run("controls/reject", 0);
    cr_expect_eq(r.code, GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND, "code 0x%lx: %s",
                 r.code, r.reason);
}

Test(wire_gnutls, the_handshake_verifies_at_the_cases_time)
{
    struct cp_wire_test *t = cp_wire_test_open("gnutls", families, 1, 0);
    /* Twenty years on, the control's certificates have all expired: the handshake's own
     * verification read the time function, not the clock. */
    struct cp_verify_result r =
        cp_wire_test_run("controls/accept", t->s.vtime + INT64_C(20) * 366 * 86400);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d: %s", r.status, r.reason);
    cr_expect(r.code & GNUTLS_CERT_EXPIRED, "code 0x%lx: %s", r.code, r.reason);
    /* Twenty years before, none is valid yet. */
    r = cp_wire_test_run("controls/accept", t->s.vtime - INT64_C(20) * 366 * 86400);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d: %s", r.status, r.reason);
    cr_expect(r.code & GNUTLS_CERT_NOT_ACTIVATED, "code 0x%lx: %s", r.code, r.reason);
    cp_wire_test_expect("controls/accept");
}

Test(wire_gnutls, no_server_or_an_unknown_name_is_an_error)
{
    cp_wire_test_open("gnutls", families, 1, 0);
    cp_wire_test_expect_refusals("refused", "alert");
}

Test(wire_gnutls, certpath_run_wire_through_the_tool)
{
    cp_wire_test_open("gnutls", families, 3, 0);
    cp_wire_test_cli_depth3("gnutls", CP_WIRE_CERTAIN_REVERSED);
}
