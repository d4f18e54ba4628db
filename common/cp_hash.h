/*
 * cp_hash.h - the one non-cryptographic hash: 64-bit FNV-1a. Stable across runs, platforms and
 * releases, so values derived from it (graph tags in certificate names, suite ids) never move.
 * Not for anything an attacker chooses to collide.
 */
#ifndef CP_HASH_H
#define CP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CP_FNV1A64_INIT UINT64_C(14695981039346656037)

/* Folds n bytes into h (start from CP_FNV1A64_INIT); chain calls to hash several pieces. */
uint64_t cp_fnv1a64_add(uint64_t h, const void *data, size_t n);

/* FNV-1a of a NUL-terminated string (the NUL not included). */
uint64_t cp_fnv1a64_str(const char *s);

#endif
