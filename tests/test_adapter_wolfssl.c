/*
 * test_adapter_wolfssl.c - the wolfssl module: wolfSSL's own TLS client (wolfSSL_connect) in
 * real handshakes with the real built-in server, on a suite generated here. Cases whose outcome
 * is certain get exactly the manifest's outcome, with wolfSSL's error as the reject's code; the
 * handshake verifies at the case's time (wc_SetTimeCb), not the clock's; a server that is not
 * there, or that does not know the name, is an error and never a verdict; and
 * `certpath run --stack wolfssl --mode wire` runs the same module through the harness.
 */
#include "cp_wire_test.h"

#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

/* wolfCrypt's and wolfSSL's codes (wolfssl/wolfcrypt/error-crypt.h, wolfssl/error-ssl.h); the
 * test does not link wolfSSL. */
#define WOLF_ASN_AFTER_DATE_E (-151)
#define WOLF_ASN_NO_SIGNER_E (-188)
#define WOLF_DOMAIN_NAME_MISMATCH (-322)

/* A past time: a suite minted for it expired years ago. */
#define TEST_PAST_TIME INT64_C(1700000000)

static const char *const families[] = {"controls", "ordering", "validity", "constraints"};

TestSuite(adapter_wolfssl, .fini = cp_wire_test_close);

Test(adapter_wolfssl, describes_itself)
{
    static const char *const controls[] = {"controls"};
    struct cp_wire_test *t = cp_wire_test_open("wolfssl", controls, 1, 0);
    char version[CP_VERSION_TEXT_MAX] = "";
    cr_expect_str_eq(t->ad->name, "wolfssl");
    cr_expect_str_eq(t->ad->library, "wolfSSL");
    cr_expect_eq(t->ad->caps, CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE);
    cr_expect(strstr(t->ad->settings, "wolfSSL_check_domain_name") &&
              strstr(t->ad->settings, "wc_SetTimeCb"));
    t->ad->version(t->ctx, version, sizeof(version));
    cr_expect(strncmp(version, "wolfSSL 5.", 10) == 0, "version \"%s\"", version);
}

Test(adapter_wolfssl, certain_cases_get_the_manifests_outcome)
{
    cp_wire_test_open("wolfssl", families, 4, 0);
    /* It takes the list in the order sent, so no reversed one is among the certain cases. */
    cp_wire_test_expect_certain(CP_WIRE_CERTAIN_HOSTNAME);
    struct cp_verify_result r = cp_wire_test_run("controls/reject", 0);
    cr_expect_eq(r.code, WOLF_ASN_NO_SIGNER_E, "code %ld: %s", r.code, r.reason);
    r = cp_wire_test_run("validity/chain/leaf-expired/declared", 0);
    cr_expect_eq(r.code, WOLF_ASN_AFTER_DATE_E, "code %ld: %s", r.code, r.reason);
    r = cp_wire_test_run("constraints/hostname/mismatch/alone/depth2/declared", 0);
    cr_expect_eq(r.code, WOLF_DOMAIN_NAME_MISMATCH, "code %ld: %s", r.code, r.reason);
}

Test(adapter_wolfssl, the_handshake_verifies_at_the_cases_time)
{
    static const char *const controls[] = {"controls"};
    struct cp_wire_test *t = cp_wire_test_open("wolfssl", controls, 1, TEST_PAST_TIME);
    /* The control's certificates expired long before today: only the case's time makes them
     * valid. */
    cr_assert_gt((int64_t)time(NULL), TEST_PAST_TIME + 2 * 366 * INT64_C(86400));
    cp_wire_test_expect("controls/accept");
    /* Twenty years on, they have expired. */
    struct cp_verify_result r =
        cp_wire_test_run("controls/accept", t->s.vtime + INT64_C(20) * 366 * 86400);
    cr_expect_eq(r.status, CP_VERIFY_REJECT, "status %d: %s", r.status, r.reason);
    /* An expired intermediate is not taken as the leaf's signer: the handshake fails with
     * ASN_NO_SIGNER_E, or with the date error itself. */
    cr_expect(r.code == WOLF_ASN_AFTER_DATE_E || r.code == WOLF_ASN_NO_SIGNER_E, "code %ld: %s",
              r.code, r.reason);
    cp_wire_test_expect("controls/accept");
}

Test(adapter_wolfssl, no_server_or_an_unknown_name_is_an_error)
{
    static const char *const controls[] = {"controls"};
    cp_wire_test_open("wolfssl", controls, 1, 0);
    cp_wire_test_expect_refusals("refused", "alert");
    cp_wire_test_expect("controls/accept");
}

Test(adapter_wolfssl, certpath_run_wire_through_the_tool)
{
    static const char *const fams[] = {"controls", "ordering"};
    cp_wire_test_open("wolfssl", fams, 2, 0);
    cp_wire_test_cli_depth3("wolfssl", CP_WIRE_CERTAIN_HOSTNAME);
}
