#include "cp_registry.h"

#include <string.h>

const struct cp_stack_entry cp_stack_registry[] = {
#ifdef CP_HAVE_ADAPTER_OPENSSL
    {"openssl", "OpenSSL"},
#endif
#ifdef CP_HAVE_ADAPTER_OPENSSL_WIRE
    {"openssl-wire", "OpenSSL"},
#endif
#ifdef CP_HAVE_ADAPTER_MBEDTLS
    {"mbedtls", "Mbed TLS"},
#endif
#ifdef CP_HAVE_ADAPTER_GNUTLS
    {"gnutls", "GnuTLS"},
#endif
#ifdef CP_HAVE_ADAPTER_NSS
    {"nss", "NSS"},
#endif
#ifdef CP_HAVE_ADAPTER_BOTAN
    {"botan", "Botan"},
#endif
#ifdef CP_HAVE_ADAPTER_BORINGSSL
    {"boringssl", "BoringSSL"},
#endif
    {NULL, NULL},
};

const int cp_stack_count = (int)(sizeof(cp_stack_registry) / sizeof(cp_stack_registry[0])) - 1;

const struct cp_stack_entry *cp_stack_find(const char *name)
{
    for (int i = 0; i < cp_stack_count; i++) {
        if (strcmp(cp_stack_registry[i].name, name) == 0)
            return &cp_stack_registry[i];
    }
    return NULL;
}
