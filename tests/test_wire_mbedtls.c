/*
 * test_wire_mbedtls.c - the mbedtls module's wire mode: mbedTLS's own TLS client
 * (mbedtls_ssl_handshake with MBEDTLS_SSL_VERIFY_REQUIRED) in real handshakes with the real
 * built-in server, on a suite generated here. mbedTLS reads the clock, and a test process has
 * no clock shim, so the suite is minted for this very second (the harness's workers run under
 * the shim, which the tool run at the end goes through). Cases whose outcome is certain get
 * exactly the manifest's outcome, with the verification flags as the reject's code; a server
 * that is not there, or that does not know the name, is an error and never a verdict.
 */
#include "cp_wire_test.h"

#include <criterion/criterion.h>
#include <mbedtls/asn1.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>
#include <string.h>

static const char *const families[] = {"controls", "ordering", "validity"};

/* Cases whose outcome every profile agrees on and mbedTLS's client gets right (it builds no
 * path through a reversed list, so only declared orders). */
static const char *const certain[] = {"controls/accept",
                                      "controls/reject",
                                      "ordering/depth3/plain/declared",
                                      "ordering/depth2/dup-each/declared",
                                      "ordering/depth3/missing-bottom/declared",
                                      "validity/chain/leaf-expired/declared",
                                      "validity/chain/leaf-long-lived/declared",
                                      NULL};

/* Those of them that the tool's run of ordering/depth3 cases has (the controls always run). */
static const char *const certain_depth3[] = {"controls/accept", "controls/reject",
                                             "ordering/depth3/plain/declared",
                                             "ordering/depth3/missing-bottom/declared", NULL};

TestSuite(wire_mbedtls, .fini = cp_wire_test_close);

Test(wire_mbedtls, certain_cases_get_the_manifests_outcome)
{
    cp_wire_test_open("mbedtls", families, 3, CP_WIRE_TEST_CLOCK);
    for (const char *const *id = certain; *id; id++)
        cp_wire_test_expect(*id);
    /* The reject's code is mbedtls_ssl_get_verify_result()'s flags, one line of text each. */
    struct cp_verify_result r = cp_wire_test_run("validity/chain/leaf-expired/declared", 0);
    cr_expect_eq(r.code, MBEDTLS_X509_BADCERT_EXPIRED, "code 0x%lx: %s", r.code, r.reason);
    cr_expect(strstr(r.reason, "expired") != NULL, "%s", r.reason);
    r = cp_wire_test_run("controls/reject", 0);
    cr_expect_eq(r.code, MBEDTLS_X509_BADCERT_NOT_TRUSTED, "code 0x%lx: %s", r.code, r.reason);
}

/* mbedTLS 2.28 cannot parse a name constraints extension: its client fails the handshake on the
 * certificate, which is the library's rejection (with the parser's error), not an error. */
Test(wire_mbedtls, a_certificate_the_client_cannot_parse_is_a_reject)
{
    static const char *const bettertls[] = {"controls", "bettertls"};
    static const char *const id = "bettertls/linear/ta/probe-name-constraints/declared";
    cp_wire_test_open("mbedtls", bettertls, 2, CP_WIRE_TEST_CLOCK);
    cp_wire_test_expect(id);
#if MBEDTLS_VERSION_NUMBER < 0x03000000
    struct cp_verify_result r = cp_wire_test_run(id, 0);
    cr_expect_eq(r.code, MBEDTLS_ERR_X509_INVALID_EXTENSIONS + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG,
                 "code -0x%lx: %s", (unsigned long)-r.code, r.reason);
    cr_expect(strstr(r.reason, "cannot parse the server's certificate 1: ") != NULL, "%s",
              r.reason);
#endif
}

Test(wire_mbedtls, no_server_or_an_unknown_name_is_an_error)
{
    cp_wire_test_open("mbedtls", families, 1, CP_WIRE_TEST_CLOCK);
    cp_wire_test_expect_refusals("connect to", "alert");
}

Test(wire_mbedtls, certpath_run_wire_through_the_tool)
{
    /* The harness runs mbedTLS's workers under the clock shim at the suite's time. */
    cp_wire_test_open("mbedtls", families, 3, 0);
    cp_wire_test_cli("mbedtls", "ordering/depth3/*", 30, certain_depth3);
}
