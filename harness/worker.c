/*
 * worker.c - a worker process: loads exactly one adapter module and verifies the cases the
 * parent sends, one at a time, until its request pipe closes.
 *
 * The worker reads each case's chain.pem and roots.pem itself (so the parent never parses a
 * certificate), times the verify() call alone, and writes one fixed-size response. Its stdout
 * goes to /dev/null: an adapter that prints garbage cannot disturb the protocol, which runs on
 * fds of its own.
 */
#include "cp_adapter_util.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_pem.h"
#include "harness_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A chain here holds at most a few hundred certificates (pathological pools send ~130). */
#define CP_WORKER_MAX_CERTS 512
#define CP_PEM_FILE_MAX (8u << 20)

struct pem_list {
    char *text; /* the file, decoded in place */
    struct cp_der certs[CP_WORKER_MAX_CERTS];
    int n;
};

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/* Every certificate of a PEM file as DER, decoded in place (cp_pem.h). */
static int read_pem(const char *path, struct pem_list *l)
{
    struct cp_pem_cert certs[CP_WORKER_MAX_CERTS];
    int rc = cp_pem_read_certs(path, CP_PEM_FILE_MAX, certs, CP_WORKER_MAX_CERTS, &l->n, &l->text);
    for (int i = 0; i < l->n; i++)
        l->certs[i] = (struct cp_der){certs[i].der, certs[i].len};
    return rc;
}

static int load_module(const char *path, const struct cp_adapter **out, void **handle,
                       struct cp_ipc_hello *hello)
{
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        snprintf(hello->error, sizeof(hello->error), "cannot load adapter %s: %s", path, dlerror());
        return -1;
    }
    cp_adapter_entry_fn entry = (cp_adapter_entry_fn)dlsym(*handle, CP_ADAPTER_ENTRY);
    const struct cp_adapter *a = entry ? entry() : NULL;
    if (!a || a->abi != CP_ADAPTER_ABI || !a->verify || !a->init || !a->cleanup || !a->version) {
        snprintf(hello->error, sizeof(hello->error), "%s is not a certpath adapter of ABI %d", path,
                 CP_ADAPTER_ABI);
        return -1;
    }
    *out = a;
    return 0;
}

static void run_case(const struct cp_adapter *a, void *ctx, const struct cp_ipc_request *rq,
                     struct cp_ipc_response *rs)
{
    struct pem_list chain = {0}, roots = {0};
    char path[PATH_MAX + 16];
    struct cp_verify_result res = {0};
    rs->index = rq->index;
    snprintf(path, sizeof(path), "%s/chain.pem", rq->dir);
    int rc = read_pem(path, &chain);
    if (!rc) {
        snprintf(path, sizeof(path), "%s/roots.pem", rq->dir);
        rc = read_pem(path, &roots);
    }
    if (rc) {
        rs->status = CP_VERIFY_ERROR;
        snprintf(rs->reason, sizeof(rs->reason), "harness: %s", cp_error_msg(rc));
        goto out;
    }
    struct cp_verify_input in = {.case_id = rq->id,
                                 .case_dir = rq->dir,
                                 .chain = chain.certs,
                                 .nchain = chain.n,
                                 .roots = roots.certs,
                                 .nroots = roots.n,
                                 .hostname = rq->hostname,
                                 .vtime = rq->vtime,
                                 .timeout_ms = rq->timeout_ms > 0 ? rq->timeout_ms : 100};
    in.host = rq->host[0] ? rq->host : NULL; /* wire mode: where the built-in server listens */
    in.port = rq->port;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int vrc = a->verify(ctx, &in, &res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rs->usec = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    res.reason[sizeof(res.reason) - 1] = '\0';
    if (vrc != 0) {
        /* The contract: a non-zero return means no outcome, whatever status was written. */
        char why[CP_REASON_TEXT_MAX];
        snprintf(why, sizeof(why), "%s", res.reason);
        res.status = CP_VERIFY_ERROR;
        res.code = vrc;
        snprintf(res.reason, sizeof(res.reason),
                 "adapter: verify() returned %d without an outcome%s%.180s", vrc,
                 why[0] ? ": " : "", why);
    }
    rs->status = res.status;
    rs->code = res.code;
    memcpy(rs->reason, res.reason, sizeof(rs->reason));
    rs->reason[sizeof(rs->reason) - 1] = '\0';
out:
    free(chain.text);
    free(roots.text);
}

static void quiet_stdout(void)
{
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
}

int cp_worker_floor(const char *module, const struct cp_suite *s, double *seconds, int *ncases)
{
    const struct cp_adapter *a = NULL;
    struct cp_ipc_hello hello = {0};
    void *handle = NULL, *ctx = NULL;
    int rc = CP_E_INTERNAL;
    struct timespec t0, t1;
    if (load_module(module, &a, &handle, &hello))
        return cp_error_set(rc, "%s", hello.error);
    if (!(ctx = calloc(1, a->ctx_size ? a->ctx_size : 1)))
        return cp_error_set(CP_E_NOMEM, "out of memory for the adapter");
    struct cp_adapter_info info = {a->name, a->library, a->caps, a->settings};
    if (a->init(ctx, NULL, &info, hello.error, sizeof(hello.error))) {
        rc = cp_error_set(rc, "adapter init failed: %s", hello.error);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < s->ncases; i++) {
        struct cp_ipc_request rq;
        struct cp_ipc_response rs = {0};
        if ((rc = cp_ipc_request_fill(&rq, i, &s->cases[i], s->cases[i].vtime, "", 0,
                                      CP_DEFAULT_TIMEOUT)))
            goto out;
        run_case(a, ctx, &rq, &rs);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *ncases = s->ncases;
    rc = 0;
out:
    a->cleanup(ctx);
    free(ctx);
    return rc;
}

int cp_worker_main(int argc, char **argv)
{
    const struct cp_adapter *a = NULL;
    struct cp_ipc_hello hello = {0};
    void *handle = NULL, *ctx = NULL;
    int status = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: certpath-worker MODULE [ARG]\n");
        return 2;
    }
    quiet_stdout();
    struct cp_adapter_info info = {0};
    if (load_module(argv[1], &a, &handle, &hello) == 0) {
        info = (struct cp_adapter_info){a->name, a->library, a->caps, a->settings};
        if (!(ctx = calloc(1, a->ctx_size ? a->ctx_size : 1)))
            snprintf(hello.error, sizeof(hello.error), "out of memory for the adapter");
        else if (a->init(ctx, argc > 2 ? argv[2] : NULL, &info, hello.error, sizeof(hello.error)) ==
                 0)
            hello.ok = 1;
        snprintf(hello.name, sizeof(hello.name), "%s", info.name ? info.name : "?");
        snprintf(hello.library, sizeof(hello.library), "%s", info.library ? info.library : "?");
        snprintf(hello.settings, sizeof(hello.settings), "%s", info.settings ? info.settings : "");
        hello.caps = info.caps;
        if (hello.ok)
            a->version(ctx, hello.version, sizeof(hello.version));
    }
    if (cp_write_all(CP_WORKER_RESP_FD, &hello, sizeof(hello)) || !hello.ok)
        goto out;
    struct cp_ipc_request rq;
    while (read_all(CP_WORKER_REQ_FD, &rq, sizeof(rq)) == 0) {
        struct cp_ipc_response rs = {0};
        rq.id[sizeof(rq.id) - 1] = '\0';
        rq.hostname[sizeof(rq.hostname) - 1] = '\0';
        rq.dir[sizeof(rq.dir) - 1] = '\0';
        rq.host[sizeof(rq.host) - 1] = '\0';
        /* Under the clock shim, which reads CERTPATH_FAKETIME at every call, each case's own
         * validation time (an imported suite's cases may each have one) is the clock's. */
        if (getenv("CERTPATH_FAKETIME")) {
            char t[32];
            snprintf(t, sizeof(t), "%lld", (long long)rq.vtime);
            setenv("CERTPATH_FAKETIME", t, 1);
        }
        run_case(a, ctx, &rq, &rs);
        if (cp_write_all(CP_WORKER_RESP_FD, &rs, sizeof(rs)))
            goto out;
    }
    status = 0;
out:
    if (a && ctx)
        a->cleanup(ctx);
    free(ctx);
    /* The module is not dlclose()d: libraries that register atexit handlers (NSS, GnuTLS)
     * would crash at exit if their code were unmapped first. */
    (void)handle;
    return status;
}
