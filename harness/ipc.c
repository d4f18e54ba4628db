/*
 * ipc.c - filling the fixed-size request a worker reads (harness_internal.h). Shared by the
 * pool (certpath) and the worker's own floor benchmark (certpath-worker --floor).
 */
#include "cp_common.h"
#include "harness_internal.h"

#include <stdio.h>
#include <string.h>

int cp_ipc_wait_ms(double timeout)
{
    double ms = timeout * 800.0;
    return ms < 100.0 ? 100 : ms > 3600000.0 ? 3600000 : (int)ms;
}

static int fill_text(char *dst, size_t cap, const char *src, const char *what, const char *id)
{
    size_t n = strlen(src);
    if (n >= cap)
        return cp_error_set(CP_E_LIMIT, "case %.64s%s: its %s is %zu bytes, a worker takes %zu", id,
                            strlen(id) > 64 ? "..." : "", what, n, cap - 1);
    memcpy(dst, src, n + 1);
    return 0;
}

int cp_ipc_request_fill(struct cp_ipc_request *rq, int index, const struct cp_suite_case *c,
                        int64_t vtime, const char *host, int port, double timeout)
{
    int rc;
    memset(rq, 0, sizeof(*rq));
    rq->index = index;
    rq->vtime = vtime;
    /* A case served by an engine of its own is sent to that engine's port, one served on its
     * own address (a loopback IP hostname) to that address and its port. */
    rq->port = host && c->wire_port ? c->wire_port : port;
    host = host && c->wire_host ? c->wire_host : host;
    rq->timeout_ms = cp_ipc_wait_ms(timeout);
    if ((rc = fill_text(rq->id, sizeof(rq->id), c->id, "id", c->id)) ||
        (rc = fill_text(rq->hostname, sizeof(rq->hostname), c->hostname, "hostname", c->id)) ||
        (rc = fill_text(rq->dir, sizeof(rq->dir), c->dir, "directory", c->id)) ||
        (rc = fill_text(rq->host, sizeof(rq->host), host ? host : "", "server address", c->id)))
        return rc;
    return 0;
}
