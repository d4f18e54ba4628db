/*
 * server_proc.c - the built-in server's GnuTLS engine as seen from the harness (cp_server.h):
 * certpath-server-gnutls (server_gnutls.c) started beside this program, in a process of its own,
 * over one socketpair that is its stdin and stdout. The harness writes the case list, reads the
 * "listening ADDR PORT" line, and later the "hello HOSTNAME VERSION" lines the engine writes
 * before each ServerHello; closing the socket stops the engine (it also stops when the harness
 * dies, since the socket then closes). This file links no TLS library.
 */
#include "cp_common.h"
#include "cp_server.h"
#include "harness_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The engine reads its case list and starts listening within milliseconds; ten seconds covers a
 * sanitizer build on a busy machine. */
#define CP_PROC_START_MS 10000
/* A "hello" line: a hostname (under 256) and a version name. */
#define CP_PROC_LINE_MAX 512

struct proc_case {
    char *hostname; /* lower case, as the engine writes it */
    char version[16];
};

struct cp_server_proc {
    pid_t pid;
    int fd; /* our end of the socketpair */
    char host[64];
    int port;
    struct proc_case *cases; /* sorted by hostname */
    int ncases;
    char buf[CP_PROC_LINE_MAX * 8];
    size_t len;
};

static int proc_case_cmp(const void *a, const void *b)
{
    return strcmp(((const struct proc_case *)a)->hostname, ((const struct proc_case *)b)->hostname);
}

int cp_server_gnutls_exe(char *buf, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return cp_error_set(CP_E_IO, "cannot find this program (/proc/self/exe): %s",
                            strerror(errno));
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    if (snprintf(buf, cap, "%s/certpath-server-gnutls", self) >= (int)cap)
        return cp_error_set(CP_E_LIMIT, "path too long: %s/certpath-server-gnutls", self);
    if (access(buf, X_OK))
        return cp_error_set(CP_E_NOTFOUND,
                            "%s is not there: certpath was built without GnuTLS (apt install "
                            "libgnutls28-dev, then cmake again)",
                            buf);
    return 0;
}

static int proc_write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Applies one complete line from the engine. */
static void proc_line(struct cp_server_proc *p, char *line)
{
    char *sp;
    if (strncmp(line, "hello ", 6) != 0 || !(sp = strchr(line + 6, ' ')))
        return;
    *sp = '\0';
    struct proc_case key = {.hostname = line + 6};
    struct proc_case *c = bsearch(&key, p->cases, (size_t)p->ncases, sizeof(key), proc_case_cmp);
    if (c)
        snprintf(c->version, sizeof(c->version), "%s", sp + 1);
}

/* Reads what the engine has written, waiting at most wait_ms for more; applies every complete
 * line and returns the first one that is not a hello line in first (when given). Returns 0, or
 * -1 when the engine is gone. */
static int proc_read(struct cp_server_proc *p, int wait_ms, char *first, size_t cap)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int pr = poll(&pfd, 1, wait_ms);
    if (pr < 0)
        return errno == EINTR ? 0 : -1;
    if (pr > 0) {
        ssize_t r = recv(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len, MSG_DONTWAIT);
        if (r == 0)
            return -1;
        if (r > 0)
            p->len += (size_t)r;
    }
    p->buf[p->len] = '\0';
    char *start = p->buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = '\0';
        if (first && !first[0] && strncmp(start, "hello ", 6) != 0)
            snprintf(first, cap, "%.*s", (int)(cap - 1), start);
        else
            proc_line(p, start);
        start = nl + 1;
    }
    p->len -= (size_t)(start - p->buf);
    memmove(p->buf, start, p->len);
    if (p->len == sizeof(p->buf) - 1) /* a line longer than any the engine writes */
        p->len = 0;
    return 0;
}

static int proc_send_cases(struct cp_server_proc *p, const struct cp_server_case *cases, int n)
{
    char line[PATH_MAX + 512];
    if (!(p->cases = calloc(n ? (size_t)n : 1, sizeof(*p->cases))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d cases", n);
    for (int i = 0; i < n; i++) {
        const char *id = cases[i].id ? cases[i].id : cases[i].hostname;
        if (strpbrk(id, "\t\n") || strpbrk(cases[i].hostname, "\t\n ") ||
            strpbrk(cases[i].dir, "\t\n"))
            return cp_error_set(CP_E_ARG,
                                "case %s: a tab or newline in its id, hostname or "
                                "directory, which the GnuTLS engine's case list cannot "
                                "carry",
                                id);
        int len = snprintf(line, sizeof(line), "%s\t%s\t%s\n", id, cases[i].hostname, cases[i].dir);
        if (len < 0 || (size_t)len >= sizeof(line))
            return cp_error_set(CP_E_LIMIT, "case %s: its line for the GnuTLS engine is too long",
                                id);
        if (proc_write_all(p->fd, line, (size_t)len))
            return cp_error_set(CP_E_IO, "the GnuTLS engine stopped reading its cases");
        struct proc_case *c = &p->cases[p->ncases++];
        if (!(c->hostname = strdup(cases[i].hostname)))
            return cp_error_set(CP_E_NOMEM, "out of memory for the cases");
        for (char *q = c->hostname; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
    }
    qsort(p->cases, (size_t)p->ncases, sizeof(*p->cases), proc_case_cmp);
    if (proc_write_all(p->fd, "\n", 1))
        return cp_error_set(CP_E_IO, "the GnuTLS engine stopped reading its cases");
    return 0;
}

int cp_server_proc_start(const struct cp_server_opts *o, const char *tls,
                         const struct cp_server_case *cases, int n, struct cp_server_proc **out)
{
    struct cp_server_proc *p = calloc(1, sizeof(*p));
    char exe[PATH_MAX], first[CP_PROC_LINE_MAX] = "";
    int sv[2] = {-1, -1}, rc;
    posix_spawn_file_actions_t fa;
    bool fa_ready = false;
    *out = NULL;
    if (!p)
        return cp_error_set(CP_E_NOMEM, "out of memory for the GnuTLS engine");
    p->pid = -1;
    p->fd = -1;
    if ((rc = cp_server_gnutls_exe(exe, sizeof(exe))))
        goto fail;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        rc = cp_error_set(CP_E_IO, "cannot make a socket pair: %s", strerror(errno));
        goto fail;
    }
    const char *host = o && o->host ? o->host : "127.0.0.1";
    char *argv[] = {(char *)"certpath-server-gnutls",
                    (char *)"--host",
                    (char *)host,
                    (char *)"--tls",
                    (char *)(tls ? tls : "any"),
                    o && o->log ? (char *)"--log" : NULL,
                    NULL};
    if (posix_spawn_file_actions_init(&fa)) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory starting the GnuTLS engine");
        goto fail;
    }
    fa_ready = true;
    /* dup2 clears close-on-exec on the copies, so only stdin and stdout reach the engine. */
    if (posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO) ||
        posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO) ||
        (rc = posix_spawn(&p->pid, exe, &fa, NULL, argv, environ))) {
        p->pid = -1;
        rc = cp_error_set(CP_E_IO, "cannot start %s: %s", exe, strerror(rc ? rc : errno));
        goto fail;
    }
    close(sv[1]);
    sv[1] = -1;
    p->fd = sv[0];
    sv[0] = -1;
    if ((rc = proc_send_cases(p, cases, n)))
        goto fail;
    int64_t deadline = cp_now_ms() + CP_PROC_START_MS;
    while (!first[0]) {
        int left = (int)(deadline - cp_now_ms());
        if (left <= 0 || proc_read(p, left, first, sizeof(first))) {
            rc = cp_error_set(CP_E_IO, "the GnuTLS engine (%s) did not start%s", exe,
                              left <= 0 ? " within 10 s" : "");
            goto fail;
        }
    }
    char addr[64];
    if (sscanf(first, "listening %63s %d", addr, &p->port) != 2) {
        rc = cp_error_set(CP_E_IO, "the GnuTLS engine: %s",
                          strncmp(first, "error ", 6) == 0 ? first + 6 : first);
        goto fail;
    }
    snprintf(p->host, sizeof(p->host), "%s", addr);
    posix_spawn_file_actions_destroy(&fa);
    *out = p;
    return 0;
fail:
    if (fa_ready)
        posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 2; i++) {
        if (sv[i] >= 0)
            close(sv[i]);
    }
    cp_server_proc_stop(p);
    return rc;
}

const char *cp_server_proc_host(const struct cp_server_proc *p)
{
    return p->host;
}

int cp_server_proc_port(const struct cp_server_proc *p)
{
    return p->port;
}

void cp_server_proc_take_version(struct cp_server_proc *p, const char *hostname, char *buf,
                                 size_t cap)
{
    char lower[CP_PROC_LINE_MAX];
    size_t i = 0;
    buf[0] = '\0';
    if (!p)
        return;
    /* Every line written so far: the engine wrote this case's before its ServerHello. */
    for (int k = 0; k < 64; k++) {
        struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
        if (poll(&pfd, 1, 0) <= 0 || proc_read(p, 0, NULL, 0))
            break;
    }
    for (; hostname[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char)(hostname[i] >= 'A' && hostname[i] <= 'Z' ? hostname[i] - 'A' + 'a'
                                                                   : hostname[i]);
    lower[i] = '\0';
    struct proc_case key = {.hostname = lower};
    struct proc_case *c = bsearch(&key, p->cases, (size_t)p->ncases, sizeof(key), proc_case_cmp);
    if (c) {
        snprintf(buf, cap, "%s", c->version);
        c->version[0] = '\0';
    }
}

void cp_server_proc_stop(struct cp_server_proc *p)
{
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd); /* the engine's stdin ends: it stops */
    if (p->pid > 0) {
        int st;
        /* It ends its open connections first; a stuck one is cut off after a while. */
        int64_t deadline = cp_now_ms() + CP_PROC_START_MS;
        while (waitpid(p->pid, &st, WNOHANG) == 0) {
            if (cp_now_ms() > deadline) {
                kill(p->pid, SIGKILL);
                waitpid(p->pid, &st, 0);
                break;
            }
            poll(NULL, 0, 5);
        }
    }
    for (int i = 0; i < p->ncases; i++)
        free(p->cases[i].hostname);
    free(p->cases);
    free(p);
}
