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
 *   1. the harness allocates ctx_size zeroed bytes, fills a struct cp_adapter_info from the
 *      descriptor and calls init(ctx, arg, &info, err, errcap) once; arg is the text after
 *      "name:" in --stack (a library path for curl, a command line for exec), or NULL.
 *      init() returns 0 when the adapter is ready; any other value means it is not, with a
 *      NUL-terminated message in err (at most errcap bytes with the NUL) naming what failed.
 *      init() may change any field of info to what it learnt at run time (the exec adapter
 *      takes name, library, caps and settings from its program's hello); the strings it
 *      points info at must stay valid until cleanup(). The descriptor itself is const and
 *      never changes: what a worker reports is info, not the descriptor.
 *   2. version(ctx, buf, cap) writes the library's version as read at run time (never a header
 *      constant), NUL-terminated and cut to cap; called only after a successful init().
 *   3. verify(ctx, in, out) once per case, out zeroed by the caller; `in` and everything it
 *      points to are borrowed for the call only. verify() returns 0 when *out holds an outcome
 *      (status one of enum cp_verify_status); any other return, or a status outside the enum,
 *      is recorded as `error` for the case, with out->reason when the adapter wrote one. An
 *      adapter that waits (a network client, a child process) gives up after in->timeout_ms
 *      and reports CP_VERIFY_ERROR; the harness's own limit ends a verify() that does not.
 *   4. cleanup(ctx) once, whether init() succeeded or not (it must accept a ctx whose init
 *      failed half-way, and a zeroed one).
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

#include "cp_caps.h" /* the CP_CAP_* bits of .caps */

#include <stddef.h>
#include <stdint.h>

/* 2: init() takes a struct cp_adapter_info; verify input has timeout_ms. */
#define CP_ADAPTER_ABI 2
#define CP_ADAPTER_ENTRY "cp_adapter_entry"

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
    /* How long the adapter may wait (connect, handshake, a child's reply) before it gives up
     * with CP_VERIFY_ERROR: below the harness's per-case limit, so a stuck peer is reported
     * by the adapter rather than killed as a timeout. Always > 0. */
    int timeout_ms;
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

/* What a worker reports about its adapter: the descriptor's values unless init() changed them
 * (see the call sequence). */
struct cp_adapter_info {
    const char *name;     /* "openssl": what --stack takes */
    const char *library;  /* "OpenSSL": what people call it */
    unsigned caps;        /* CP_CAP_* */
    const char *settings; /* every setting the adapter makes, in words */
};

/* A stack's class. Modules define it `static const` and return it from cp_adapter_entry(). */
struct cp_adapter {
    unsigned abi;         /* CP_ADAPTER_ABI */
    const char *name;     /* "openssl": what --stack takes */
    const char *library;  /* "OpenSSL": what people call it */
    unsigned caps;        /* CP_CAP_* */
    const char *settings; /* every setting the adapter makes, in words */
    size_t ctx_size;
    int (*init)(void *ctx, const char *arg, struct cp_adapter_info *info, char *err, size_t errcap);
    void (*version)(void *ctx, char *buf, size_t cap);
    int (*verify)(void *ctx, const struct cp_verify_input *in, struct cp_verify_result *out);
    void (*cleanup)(void *ctx);
};

/* The one symbol a module exports. */
typedef const struct cp_adapter *(*cp_adapter_entry_fn)(void);

/* Shared no-op defaults for stacks that need no setup or teardown. */
static inline int cp_adapter_init_none(void *ctx, const char *arg, struct cp_adapter_info *info,
                                       char *err, size_t errcap)
{
    (void)ctx, (void)arg, (void)info, (void)err, (void)errcap;
    return 0;
}

static inline void cp_adapter_cleanup_none(void *ctx)
{
    (void)ctx;
}

#endif
