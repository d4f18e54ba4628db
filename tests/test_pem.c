/*
 * test_pem.c - common/pem.c, the one PEM decoder (worker and server): blocks in file order,
 * text between blocks ignored, whitespace inside skipped, and every malformed input refused
 * with the file named.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_pem.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], path[128];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/cp-test-pem.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/certs.pem", dir);
}

static void teardown(void)
{
    cp_fs_rmtree(dir);
}

TestSuite(pem, .init = setup, .fini = teardown);

static void put(const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static int load(struct cp_pem_cert *certs, int max, int *n, char **text)
{
    *text = NULL;
    return cp_pem_read_certs(path, 1 << 20, certs, max, n, text);
}

/* "MAMCAQU=" is 30 03 02 01 05; "MAA=" is 30 00 (RFC 4648 section 4, with padding). */
Test(pem, blocks_decode_in_file_order_and_text_between_is_ignored)
{
    put("subject=first\n-----BEGIN CERTIFICATE-----\nMAMC\r\nAQU=\n-----END CERTIFICATE-----\n"
        "junk between\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    struct cp_pem_cert c[4];
    char *text;
    int n;
    cr_assert_eq(load(c, 4, &n, &text), 0, "%s", cp_error_msg(CP_E_FORMAT));
    cr_assert_eq(n, 2);
    cr_expect_eq(c[0].len, 5u);
    cr_expect_eq(memcmp(c[0].der, "\x30\x03\x02\x01\x05", 5), 0);
    cr_expect_eq(c[1].len, 2u);
    cr_expect_eq(memcmp(c[1].der, "\x30\x00", 2), 0);
    free(text);
}

Test(pem, a_file_without_certificates_is_empty_not_an_error)
{
    put("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n");
    struct cp_pem_cert c[1];
    char *text;
    int n = -1;
    cr_assert_eq(load(c, 1, &n, &text), 0);
    cr_expect_eq(n, 0);
    free(text);
}

static void expect_refused(const char *text, const char *words)
{
    struct cp_pem_cert c[1];
    char *buf = (char *)1;
    int n = -1;
    put(text);
    int rc = cp_pem_read_certs(path, 1 << 20, c, 1, &n, &buf);
    cr_expect_eq(rc, CP_E_FORMAT, "%s: rc %d", words, rc);
    cr_expect(strstr(cp_error_msg(rc), path) && strstr(cp_error_msg(rc), words), "%s",
              cp_error_msg(rc));
    cr_expect_null(buf, "the buffer is freed on failure");
    cr_expect_eq(n, 0);
}

Test(pem, malformed_input_is_refused_naming_the_file)
{
    expect_refused("-----BEGIN CERTIFICATE-----\nMAA=\n", "certificate 1 has no END line");
    expect_refused("-----BEGIN CERTIFICATE-----\nMA*=\n-----END CERTIFICATE-----\n",
                   "bad base64 in certificate 1");
    expect_refused("-----BEGIN CERTIFICATE-----\nMA=A\n-----END CERTIFICATE-----\n",
                   "bad base64 in certificate 1"); /* padding in the middle */
    expect_refused("-----BEGIN CERTIFICATE-----\nMAA\n-----END CERTIFICATE-----\n",
                   "bad base64 in certificate 1"); /* not a whole quantum */
    expect_refused("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
                   "bad base64 in certificate 1"); /* empty */
    expect_refused("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
                   "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
                   "more than 1 certificates");
}

Test(pem, a_missing_file_is_named)
{
    struct cp_pem_cert c[1];
    char *text = NULL;
    int n;
    int rc = cp_pem_read_certs("/nonexistent/certpath.pem", 1024, c, 1, &n, &text);
    cr_expect_neq(rc, 0);
    cr_expect(strstr(cp_error_msg(rc), "/nonexistent/certpath.pem") != NULL, "%s",
              cp_error_msg(rc));
}
