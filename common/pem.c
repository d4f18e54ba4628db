/* pem.c - PEM certificates decoded to DER in place (cp_pem.h). */
#include "cp_pem.h"
#include "cp_common.h"
#include "cp_fs.h"

#include <stdlib.h>
#include <string.h>

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";

/* The 6-bit value of a base64 character, or -1. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes the base64 in [in, end) to out, which may be in itself: the output never passes the
 * input (3 bytes out per 4 in). Returns the DER length, or -1 for a bad character, padding in
 * the middle, or a length that is not a whole number of quanta. */
static long b64_decode(unsigned char *out, const char *in, const char *end)
{
    unsigned acc = 0;
    int bits = 0, pad = 0;
    long n = 0, chars = 0;
    for (const char *p = in; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        chars++;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (chars % 4 != 0 || pad > 2)
        return -1;
    return n;
}

int cp_pem_decode_certs(char *text, const char *name, struct cp_pem_cert *certs, int max, int *n)
{
    unsigned char *out = (unsigned char *)text;
    *n = 0;
    for (const char *s = text; (s = strstr(s, pem_begin)) != NULL;) {
        const char *b64 = s + sizeof(pem_begin) - 1, *e = strstr(b64, pem_end);
        if (!e)
            return cp_error_set(CP_E_FORMAT, "%s: certificate %d has no END line", name, *n + 1);
        if (*n >= max)
            return cp_error_set(CP_E_FORMAT, "%s: more than %d certificates", name, max);
        long len = b64_decode(out, b64, e);
        if (len <= 0)
            return cp_error_set(CP_E_FORMAT, "%s: bad base64 in certificate %d", name, *n + 1);
        certs[(*n)++] = (struct cp_pem_cert){out, (size_t)len};
        out += len;
        s = e + sizeof(pem_end) - 1;
    }
    return 0;
}

int cp_pem_read_certs(const char *path, size_t file_max, struct cp_pem_cert *certs, int max, int *n,
                      char **text)
{
    int rc = cp_fs_read(path, file_max, text, NULL);
    *n = 0;
    if (rc)
        return rc;
    if ((rc = cp_pem_decode_certs(*text, path, certs, max, n))) {
        free(*text);
        *text = NULL;
        *n = 0;
    }
    return rc;
}
