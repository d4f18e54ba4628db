/*
 * cp_adapter.h - the one interface every TLS stack is driven through.
 *
 * An adapter is an object whose first field states the ABI it was built for; the rest is its
 * class: name, capabilities, the size of its private state, and its methods. Each adapter is a
 * module of its own (certpath-adapter-<name>.so, built from adapters/<name>.c) exporting one
 * symbol, `cp_adapter_entry`, so that stacks whose symbols clash (BoringSSL and OpenSSL) or that
 * keep process-wide state (NSS) never share a process: a worker loads exactly one module.
 *
 * Call sequence, in one worker process:
 *   1. the harness allocates ctx_size zeroed bytes and calls init(ctx, arg, err, errcap) once;
 *      arg is the text after "name:" in --stack (a library path for curl), or NULL;
 *   2. version(ctx) gives the library's version as read at run time (never a header constant);
 *   3. verify(ctx, in, out) once per case; `in` and everything it points to are borrowed for the
 *      call only;
 *   4. cleanup(ctx) once (it must accept a ctx whose init failed).
 *
 * Outcomes: verify() reports CP_VERIFY_ACCEPT or CP_VERIFY_REJECT only when the library itself
 * decided, with the library's native code and text in out->code and out->reason. When the
 * adapter could not run the case (a parse failure of its own, an allocation failure, a missing
 * capability) it reports CP_VERIFY_ERROR with its own text: an adapter never turns its own
 * failure into a reject and never invents a library reason.
 *
 * Configuration: an in-process adapter sets its library up the way that library's TLS client
 * does by default (server-auth purpose, hostname check, the default security level), and lists
 * every setting it makes in `settings`, so a reader knows what was measured.
 */
#ifndef CP_ADAPTER_H
#define CP_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#define CP_ADAPTER_ABI 1
#define CP_ADAPTER_ENTRY "cp_adapter_entry"

/* Capabilities: what an adapter can do. A case needing a capability the adapter lacks is
 * `skip`, never pass or fail. */
#define CP_CAPS(X)                                                                                 \
    X(CP_CAP_INPROC, 0, "in-process")     /* verifies through the library's API */                 \
    X(CP_CAP_WIRE, 1, "wire")             /* connects to the built-in TLS server */                \
    X(CP_CAP_SET_TIME, 2, "set-time")     /* takes the case's validation time */                   \
    X(CP_CAP_HOSTNAME, 3, "hostname")     /* checks the leaf against the hostname */               \
    X(CP_CAP_PURPOSE, 4, "purpose")       /* checks serverAuth (leaf EKU, CA EKU) */               \
    X(CP_CAP_IP, 5, "ip")                 /* checks IP addresses */                                \
    X(CP_CAP_CLOCK_SHIM, 6, "clock-shim") /* takes the time only through the clock shim */

enum cp_cap_bit {
#define CP_X_ENUM(code, bit, name) code = 1u << (bit),
    CP_CAPS(CP_X_ENUM)
#undef CP_X_ENUM
};

/* One certificate in DER. */
struct cp_der {
    const unsigned char *der;
    size_t len;
};

struct cp_verify_input {
    const char *case_id;
    const char *case_dir; /* holds chain.pem, roots.pem, leaf.key for adapters that want files */
    const struct cp_der *chain; /* as the server sends it: leaf first, duplicates kept */
    int nchain;
    const struct cp_der *roots; /* the trust anchors' certificates */
    int nroots;
    const char *hostname;
    int64_t vtime;    /* validation time, Unix seconds */
    const char *host; /* wire mode: where the built-in server listens */
    int port;
};

enum cp_verify_status {
    CP_VERIFY_ACCEPT = 1,
    CP_VERIFY_REJECT = 2,
    CP_VERIFY_ERROR = 3,
};

/* Long enough for the native texts libraries give (OpenSSL's longest is ~80 characters, NSS
 * and GnuTLS join several); longer texts are cut, never overflowed. */
#define CP_REASON_TEXT_MAX 256
#define CP_VERSION_TEXT_MAX 128

struct cp_verify_result {
    enum cp_verify_status status;
    long code;                       /* the library's native error code, 0 when accepted */
    char reason[CP_REASON_TEXT_MAX]; /* the library's own words (or the adapter's, for ERROR) */
};

struct cp_adapter {
    unsigned abi;         /* CP_ADAPTER_ABI */
    const char *name;     /* "openssl": what --stack takes */
    const char *library;  /* "OpenSSL": what people call it */
    unsigned caps;        /* CP_CAP_* */
    const char *settings; /* every setting the adapter makes, in words */
    size_t ctx_size;
    int (*init)(void *ctx, const char *arg, char *err, size_t errcap);
    void (*version)(void *ctx, char *buf, size_t cap);
    int (*verify)(void *ctx, const struct cp_verify_input *in, struct cp_verify_result *out);
    void (*cleanup)(void *ctx);
};

/* The one symbol a module exports. */
typedef const struct cp_adapter *(*cp_adapter_entry_fn)(void);

/* Shared no-op defaults for stacks that need no setup or teardown. */
static inline int cp_adapter_init_none(void *ctx, const char *arg, char *err, size_t errcap)
{
    (void)ctx, (void)arg, (void)err, (void)errcap;
    return 0;
}

static inline void cp_adapter_cleanup_none(void *ctx)
{
    (void)ctx;
}

#endif
