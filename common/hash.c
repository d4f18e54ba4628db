/* hash.c - 64-bit FNV-1a (cp_hash.h). */
#include "cp_hash.h"

#include <string.h>

#define CP_FNV1A64_PRIME UINT64_C(1099511628211)

uint64_t cp_fnv1a64_add(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * CP_FNV1A64_PRIME;
    return h;
}

uint64_t cp_fnv1a64_str(const char *s)
{
    return cp_fnv1a64_add(CP_FNV1A64_INIT, s, strlen(s));
}
