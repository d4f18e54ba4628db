/* registry.c - the rows `certpath stacks` lists and `--stack all` runs. */
#include "cp_registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROW(name, library)                                                                         \
    {                                                                                              \
        name, library, name, NULL, NULL, NULL                                                      \
    }

const struct cp_stack_entry cp_stack_registry[] = {
#ifdef CP_HAVE_ADAPTER_OPENSSL
    ROW("openssl", "OpenSSL"),
#endif
#ifdef CP_HAVE_ADAPTER_MBEDTLS
    ROW("mbedtls", "Mbed TLS"),
#endif
#ifdef CP_HAVE_ADAPTER_GNUTLS
    ROW("gnutls", "GnuTLS"),
#endif
#ifdef CP_HAVE_ADAPTER_NSS
    ROW("nss", "NSS"),
#endif
#ifdef CP_HAVE_ADAPTER_BOTAN
    ROW("botan", "Botan"),
#endif
#ifdef CP_HAVE_ADAPTER_BORINGSSL
    ROW("boringssl", "BoringSSL"),
#endif
#ifdef CP_HAVE_ADAPTER_CURL
    /* One module, one row per libcurl flavour Debian ships (each its own TLS backend). */
    {"curl-openssl", "libcurl (OpenSSL)", "curl", "libcurl.so.4", "libcurl.so.4", NULL},
    {"curl-gnutls", "libcurl (GnuTLS)", "curl", "libcurl-gnutls.so.4", "libcurl-gnutls.so.4", NULL},
    {"curl-nss", "libcurl (NSS)", "curl", "libcurl-nss.so.4", "libcurl-nss.so.4", NULL},
#endif
#ifdef CP_HAVE_ADAPTER_WOLFSSL
    ROW("wolfssl", "wolfSSL"),
#endif
/* Verifiers in other languages, run by the exec module (adapters/exec/PROTOCOL.md). */
#ifdef CP_HAVE_VERIFIER_GO
    {"go", "Go crypto/x509", "exec", "@/exec/go/certpath-verify-go", NULL, NULL},
#endif
#ifdef CP_HAVE_VERIFIER_JAVA
    {"java", "Java PKIX TrustManager", "exec", "@/exec/java/certpath-verify-java", NULL, NULL},
    {"java-certpath", "Java CertPathBuilder", "exec", "@/exec/java/certpath-verify-java-certpath",
     NULL, NULL},
#endif
#ifdef CP_HAVE_VERIFIER_PKIJS
    {"pkijs", "PKI.js", "exec", "@/exec/pkijs/certpath-verify-pkijs", NULL, NULL},
#endif
#ifdef CP_HAVE_VERIFIER_WEBPKI
    {"webpki", "rustls-webpki", "exec", "@/exec/webpki/certpath-verify-webpki", NULL, NULL},
#endif
#ifdef CP_HAVE_VERIFIER_PYTHON
    {"python", "Python ssl", "exec", "@/exec/python/certpath-verify-python", "/usr/bin/python3",
     NULL},
#endif
#ifdef CP_HAVE_VERIFIER_NODE
    {"node", "Node.js tls", "exec", "@/exec/node/certpath-verify-node", "/usr/bin/node", NULL},
#endif
#ifdef CP_HAVE_VERIFIER_CHROMIUM
    {"chromium", "Chromium", "exec", "@/exec/chromium/certpath-verify-chromium",
     "/usr/bin/chromium", NULL},
#endif
#ifdef CP_HAVE_VERIFIER_FIREFOX
    {"firefox", "Firefox ESR", "exec", "@/exec/firefox/certpath-verify-firefox",
     "/usr/bin/firefox-esr", NULL},
#endif
    /* Not runnable here; their users plug them in through the exec protocol (README). */
    {"libressl", "LibreSSL", NULL, NULL, NULL,
     "not runnable on this platform: Debian ships no LibreSSL (plug it in with exec:PROGRAM)"},
    {"edge", "Microsoft Edge", NULL, NULL, NULL,
     "not runnable on this platform: no Edge for Debian here (plug it in with exec:PROGRAM)"},
    {"safari", "Safari", NULL, NULL, NULL,
     "not runnable on this platform: Safari runs only on Apple systems (plug it in with "
     "exec:PROGRAM)"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
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

/* The directories the dynamic loader searches on Debian (multiarch first). */
static bool library_installed(const char *soname)
{
    static const char *const dirs[] = {
#ifdef CP_LIBARCH
        "/usr/lib/" CP_LIBARCH, "/lib/" CP_LIBARCH,
#endif
        "/usr/local/lib", "/usr/lib", "/lib"};
    char path[512];
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dirs[i], soname);
        if (access(path, R_OK) == 0)
            return true;
    }
    return false;
}

bool cp_stack_runnable(const struct cp_stack_entry *e, char *buf, size_t cap, const char **why)
{
    *why = NULL;
    if (e->unavailable) {
        *why = e->unavailable;
        return false;
    }
    if (!e->needs)
        return true;
    bool ok = e->needs[0] == '/' ? access(e->needs, X_OK) == 0 : library_installed(e->needs);
    if (!ok) {
        snprintf(buf, cap, "%s is not installed", e->needs);
        *why = buf;
    }
    return ok;
}
