/*
 * cp_pem.h - the certificates of a PEM file, decoded to DER in place.
 *
 * One decoder for the harness's worker (chain.pem and roots.pem of a case) and the built-in
 * server (chain.pem). Only "-----BEGIN CERTIFICATE-----" blocks are read, in the file's order;
 * text between blocks is ignored. Base64 is RFC 4648's alphabet with '=' padding; whitespace
 * inside a block is skipped; anything else is an error naming the file and the certificate.
 */
#ifndef CP_PEM_H
#define CP_PEM_H

#include <stddef.h>

/* DER of one certificate, pointing into the text it was decoded from. */
struct cp_pem_cert {
    const unsigned char *der;
    size_t len;
};

/* Reads path (at most file_max bytes) and decodes its certificates in place: on success
 * *text is the file's buffer (owned by the caller, free() it; the DER points into it) and
 * certs[0..*n) the certificates. Returns 0; CP_E_FORMAT (file named) for an unterminated
 * block, bad base64 or more than max certificates; or cp_fs_read()'s error. A file with no
 * certificate is not an error (*n is 0): whether it may be empty is the caller's rule. On
 * failure *text is freed and NULL. */
int cp_pem_read_certs(const char *path, size_t file_max, struct cp_pem_cert *certs, int max, int *n,
                      char **text);

/* The same on text in memory (NUL-terminated; decoded in place, so the DER points into it);
 * name is what messages call it. */
int cp_pem_decode_certs(char *text, const char *name, struct cp_pem_cert *certs, int max, int *n);

#endif
