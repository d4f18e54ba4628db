/* registry.c - the rows `certpath stacks` lists and `--stack all` runs. */
#include "cp_registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A C adapter whose module is named like its row. */
#define ROW(row, lib)                                                                              \
    {                                                                                              \
        .name = row, .library = lib, .module = row                                                 \
    }
/* One libcurl flavour: the curl module, told which libcurl to load (which must be installed). */
#define CURL_ROW(row, lib, soname)                                                                 \
    {                                                                                              \
        .name = row, .library = lib, .module = "curl", .arg = soname, .needs = soname              \
    }
/* A verifier in another language: the exec module runs adapters/exec/<program>. */
#define EXEC_ROW(row, lib, program, needed)                                                        \
    {                                                                                              \
        .name = row, .library = lib, .module = "exec", .arg = "@/exec/" program, .needs = needed   \
    }
/* A browser, run by the exec module: judged by the wall clock alone. */
#define BROWSER_ROW(row, lib, program, needed)                                                     \
    {                                                                                              \
        .name = row, .library = lib, .module = "exec", .arg = "@/exec/" program, .needs = needed,  \
        .wall_clock_only = true                                                                    \
    }
/* A stack that cannot run on this platform, and why. */
#define UNAVAILABLE(row, lib, why)                                                                 \
    {                                                                                              \
        .name = row, .library = lib, .unavailable = why                                            \
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
#ifdef CP_HAVE_ADAPTER_BOTAN2
    ROW("botan2", "Botan 2"),
#endif
#ifdef CP_HAVE_ADAPTER_BORINGSSL
    ROW("boringssl", "BoringSSL"),
#endif
#ifdef CP_HAVE_ADAPTER_CURL
    /* One module, one row per libcurl flavour Debian ships (each its own TLS backend). */
    CURL_ROW("curl-openssl", "libcurl (OpenSSL)", "libcurl.so.4"),
    CURL_ROW("curl-gnutls", "libcurl (GnuTLS)", "libcurl-gnutls.so.4"),
#ifdef CP_CURL_WITHOUT_NSS
    UNAVAILABLE("curl-nss", "libcurl (NSS)",
                "not runnable on this platform: libcurl 8.3 and later have no NSS backend "
                "(Debian 13 ships no libcurl3-nss)"),
#else
    CURL_ROW("curl-nss", "libcurl (NSS)", "libcurl-nss.so.4"),
#endif
#endif
#ifdef CP_HAVE_ADAPTER_WOLFSSL
    ROW("wolfssl", "wolfSSL"),
#endif
/* Builds under a prefix (cmake -DCP_<STACK>_ROOT=DIR): "<stack>@<version>", module of that name. */
#ifdef CP_ROOT_ROW_OPENSSL
    ROW(CP_ROOT_ROW_OPENSSL, CP_ROOT_LIB_OPENSSL),
#endif
#ifdef CP_ROOT_ROW_BORINGSSL
    ROW(CP_ROOT_ROW_BORINGSSL, CP_ROOT_LIB_BORINGSSL),
#endif
#ifdef CP_ROOT_ROW_GNUTLS
    ROW(CP_ROOT_ROW_GNUTLS, CP_ROOT_LIB_GNUTLS),
#endif
#ifdef CP_ROOT_ROW_NSS
    ROW(CP_ROOT_ROW_NSS, CP_ROOT_LIB_NSS),
#endif
#ifdef CP_ROOT_ROW_MBEDTLS
    ROW(CP_ROOT_ROW_MBEDTLS, CP_ROOT_LIB_MBEDTLS),
#endif
#ifdef CP_ROOT_ROW_WOLFSSL
    ROW(CP_ROOT_ROW_WOLFSSL, CP_ROOT_LIB_WOLFSSL),
#endif
#ifdef CP_ROOT_ROW_BOTAN
    ROW(CP_ROOT_ROW_BOTAN, CP_ROOT_LIB_BOTAN),
#endif
/* Verifiers in other languages, run by the exec module (adapters/exec/PROTOCOL.md). */
#ifdef CP_HAVE_VERIFIER_GO
    EXEC_ROW("go", "Go crypto/x509", "go/certpath-verify-go", NULL),
#endif
#ifdef CP_HAVE_VERIFIER_JAVA
    EXEC_ROW("java", "Java PKIX TrustManager", "java/certpath-verify-java", NULL),
    EXEC_ROW("java-certpath", "Java CertPathBuilder", "java/certpath-verify-java-certpath", NULL),
#endif
#ifdef CP_HAVE_VERIFIER_PKIJS
    EXEC_ROW("pkijs", "PKI.js", "pkijs/certpath-verify-pkijs", NULL),
#endif
#ifdef CP_HAVE_VERIFIER_WEBPKI
    EXEC_ROW("webpki", "rustls-webpki", "webpki/certpath-verify-webpki", NULL),
#endif
#ifdef CP_HAVE_VERIFIER_RUSTLS_WEBPKI
    EXEC_ROW("rustls-webpki", "rustls-webpki 0.102", "rustls-webpki/certpath-verify-rustls-webpki",
             NULL),
#elif defined(CP_RUSTLS_WEBPKI_UNAVAILABLE)
    UNAVAILABLE("rustls-webpki", "rustls-webpki 0.102",
                "not runnable on this platform: Debian 12 has no rustls-webpki crate "
                "(librust-rustls-webpki-dev is in Debian 13, not in bookworm or "
                "bookworm-backports)"),
#endif
#ifdef CP_HAVE_VERIFIER_PYTHON
    EXEC_ROW("python", "Python ssl", "python/certpath-verify-python", "/usr/bin/python3"),
#endif
#ifdef CP_HAVE_VERIFIER_NODE
    EXEC_ROW("node", "Node.js tls", "node/certpath-verify-node", "/usr/bin/node"),
#endif
/* A browser's process group spends seconds of CPU on its first page (renderer, GPU, network
 * processes): only the wall-clock cap judges a browser row. */
#ifdef CP_HAVE_VERIFIER_CHROMIUM
    BROWSER_ROW("chromium", "Chromium", "chromium/certpath-verify-chromium", "/usr/bin/chromium"),
#endif
#ifdef CP_HAVE_VERIFIER_FIREFOX
    BROWSER_ROW("firefox", "Firefox ESR", "firefox/certpath-verify-firefox",
                "/usr/bin/firefox-esr"),
#endif
    /* Not runnable here; their users plug them in through the exec protocol (README). */
    UNAVAILABLE(
        "libressl", "LibreSSL",
        "not runnable on this platform: Debian ships no LibreSSL (plug it in with exec:PROGRAM)"),
    UNAVAILABLE(
        "edge", "Microsoft Edge",
        "not runnable on this platform: no Edge for Debian here (plug it in with exec:PROGRAM)"),
    UNAVAILABLE("safari", "Safari",
                "not runnable on this platform: Safari runs only on Apple systems (plug it in with "
                "exec:PROGRAM)"),
    {.name = NULL},
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
