/*
 * pool.c - the parent's side of the workers: spawn, dispatch, time out, replace.
 *
 * Each worker is `certpath-worker MODULE [ARG]` (worker_main.c), a program beside this one that
 * links no TLS library (a fresh process: no state inherited from the parent, exactly one TLS
 * library loaded: the module's), with its request pipe on
 * fd 3 and its response pipe on fd 4. Workers ignore SIGINT so that Ctrl-C reaches the parent
 * alone; the parent stops dispatching and ends the workers itself. A case that outlives its
 * deadline has its worker killed (timeout); a worker that dies mid-case is a crash (signal) or
 * an error (exit); either way a fresh worker takes its place and the run goes on.
 */
#include "cp_adapter_util.h"
#include "cp_common.h"
#include "harness_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a worker may take to load its library and say hello. NSS takes a second or two, but
 * an exec verifier starts a JVM or a browser, which takes tens of seconds on a loaded machine;
 * the exec module gives up after 25 s itself, so that its message names the program. */
#define CP_HELLO_TIMEOUT_MS 30000

int64_t cp_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int read_full(int fd, void *buf, size_t len, int64_t deadline_ms)
{
    char *p = buf;
    while (len) {
        int64_t left = deadline_ms - cp_now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0)
            return -ETIMEDOUT;
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return pr == 0 ? -ETIMEDOUT : -errno;
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -EPIPE;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static void exec_worker(const struct cp_pool *p, int req, int resp)
{
    char faketime[32], preload[PATH_MAX * 2], asan[1024];
    /* Move both ends above the target fds first: a pipe end may already sit on fd 3 or 4, where
     * dup2() would be a no-op that leaves close-on-exec set, or would clobber the other end. */
    int hreq = fcntl(req, F_DUPFD, 10), hresp = fcntl(resp, F_DUPFD, 10);
    if (hreq < 0 || hresp < 0 || dup2(hreq, CP_WORKER_REQ_FD) < 0 ||
        dup2(hresp, CP_WORKER_RESP_FD) < 0)
        _exit(127);
    signal(SIGINT, SIG_IGN);
    /* A session of its own: what the worker starts stays in it, so its CPU can be counted
     * (cpu_time.c). It cannot fail here: a fresh child is never a process group leader. */
    (void)setsid();
    /* In a sanitizer build the worker must still die of the signal an adapter raises, so the
     * run records a crash rather than ASan's exit status; ASan ignores these options
     * elsewhere. Under the clock shim, ASan's "runtime first in the preload list" check is
     * relaxed too: the shim is plain C that ASan need not see first. */
    const char *asan_old = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof(asan), "%s%shandle_segv=0:handle_sigbus=0:handle_sigfpe=0%s",
             asan_old ? asan_old : "", asan_old ? ":" : "",
             p->clock_shim ? ":verify_asan_link_order=0" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    if (p->clock_shim) {
        const char *old = getenv("LD_PRELOAD");
        snprintf(faketime, sizeof(faketime), "%lld", (long long)p->vtime);
        snprintf(preload, sizeof(preload), "%s%s%s", p->shim, old ? ":" : "", old ? old : "");
        setenv("CERTPATH_FAKETIME", faketime, 1);
        setenv("LD_PRELOAD", preload, 1);
    }
    char *argv[] = {(char *)"certpath-worker", (char *)p->module, (char *)p->arg, NULL};
    execv(p->exe, argv);
    _exit(127);
}

/* Forks and execs a worker; it is CP_WORKER_STARTING until its hello is read (take_hello). */
static int spawn_start(struct cp_pool *p, struct cp_worker *w)
{
    int req[2] = {-1, -1}, resp[2] = {-1, -1}, rc;
    if (pipe2(req, O_CLOEXEC) || pipe2(resp, O_CLOEXEC)) {
        rc = cp_error_set(CP_E_IO, "cannot make a pipe for a worker: %s", strerror(errno));
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        rc = cp_error_set(CP_E_IO, "cannot start a worker: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0)
        exec_worker(p, req[0], resp[1]);
    close(req[0]);
    close(resp[1]);
    *w = (struct cp_worker){.pid = pid,
                            .req_fd = req[1],
                            .resp_fd = resp[0],
                            .busy = CP_WORKER_STARTING,
                            .deadline_ms = cp_now_ms() + CP_HELLO_TIMEOUT_MS};
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (req[i] >= 0)
            close(req[i]);
        if (resp[i] >= 0)
            close(resp[i]);
    }
    return rc;
}

/* Reads a starting worker's hello (waiting until its start deadline); the worker is then idle.
 * A worker that fails to start is ended and the error names the module and why. */
static int take_hello(struct cp_pool *p, struct cp_worker *w, struct cp_ipc_hello *hello)
{
    int rc;
    pid_t pid = w->pid;
    int r = read_full(w->resp_fd, hello, sizeof(*hello), w->deadline_ms);
    hello->error[sizeof(hello->error) - 1] = '\0';
    if (r || !hello->ok) {
        char late[48];
        snprintf(late, sizeof(late), "no hello within %d s", CP_HELLO_TIMEOUT_MS / 1000);
        rc = cp_error_set(CP_E_INTERNAL, "adapter %s did not start: %s", p->module,
                          r == -ETIMEDOUT ? late
                          : r             ? "the worker died while loading it"
                                          : hello->error);
        kill(pid, SIGKILL);
        close(w->req_fd);
        close(w->resp_fd);
        waitpid(pid, NULL, 0);
        w->pid = 0;
        w->busy = -1;
        return rc;
    }
    w->busy = -1;
    return 0;
}

/* How long a worker given SIGTERM (a case given up on) may take to clean up: the exec module
 * kills its program's whole process group there, which takes microseconds. */
#define CP_TERM_GRACE_MS 500

/* Ends a worker mid-case: SIGTERM first, so that what it started (an exec verifier's process
 * group) goes with it, then SIGKILL when it has not exited within CP_TERM_GRACE_MS. Leaves the
 * worker unreaped (reap() waits for it). */
static void terminate(struct cp_worker *w)
{
    siginfo_t si;
    kill(w->pid, SIGTERM);
    for (int64_t end = cp_now_ms() + CP_TERM_GRACE_MS; cp_now_ms() < end;) {
        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
            return;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    kill(w->pid, SIGKILL);
}

static void reap(struct cp_worker *w, int *status)
{
    close(w->req_fd);
    close(w->resp_fd);
    if (waitpid(w->pid, status, 0) < 0)
        *status = 0;
    w->pid = 0;
    w->busy = -1;
}

int cp_worker_exe(char *buf, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0)
        return cp_error_set(CP_E_IO, "cannot find the certpath executable: %s", strerror(errno));
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return cp_error_set(CP_E_IO, "the certpath executable has no directory: %s", self);
    *slash = '\0';
    if (snprintf(buf, cap, "%s/certpath-worker", self) >= (int)cap)
        return cp_error_set(CP_E_LIMIT, "path too long: %s/certpath-worker", self);
    if (access(buf, X_OK) != 0)
        return cp_error_set(CP_E_IO,
                            "the worker program %s is missing (%s); it is built and "
                            "installed beside certpath",
                            buf, strerror(errno));
    return 0;
}

int cp_pool_start(struct cp_pool *p, const char *module, const char *arg, int n, double timeout,
                  int64_t vtime, bool clock_shim)
{
    int rc;
    memset(p, 0, sizeof(*p));
    if (n < 1 || n > CP_MAX_JOBS)
        return cp_error_set(CP_E_ARG, "%d workers asked for; 1..%d allowed", n, CP_MAX_JOBS);
    if ((rc = cp_worker_exe(p->exe, sizeof(p->exe))))
        return rc;
    snprintf(p->module, sizeof(p->module), "%s", module);
    p->arg = arg;
    p->timeout = timeout;
    p->vtime = vtime;
    p->whole_tree = strstr(module, "certpath-adapter-exec") != NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    p->ncpus = cpus > 0 ? (int)cpus : 1;
    p->clock_shim = clock_shim;
    if (clock_shim && (rc = cp_module_path("clockshim", p->shim, sizeof(p->shim))))
        return rc;
    signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe must give EPIPE, not kill the run */
    /* Every worker starts at once, then each hello is read: n JVMs load side by side, not one
     * after the other. */
    for (int i = 0; i < n; i++) {
        if ((rc = spawn_start(p, &p->w[i]))) {
            cp_pool_stop(p);
            return rc;
        }
        p->nworkers++;
    }
    for (int i = 0; i < n; i++) {
        struct cp_ipc_hello hello;
        if ((rc = take_hello(p, &p->w[i], i == 0 ? &p->hello : &hello))) {
            cp_pool_stop(p);
            return rc;
        }
    }
    return 0;
}

void cp_pool_stop(struct cp_pool *p)
{
    for (int i = 0; i <= CP_MAX_JOBS; i++) {
        struct cp_worker *w = i < CP_MAX_JOBS ? &p->w[i] : &p->spare;
        if (w->pid <= 0)
            continue;
        int status;
        if (w->busy >= 0 || w->busy == CP_WORKER_STARTING)
            terminate(w); /* mid-case: its result would be thrown away anyway */
        reap(w, &status); /* closing its request pipe ends an idle worker */
    }
    p->nworkers = 0;
}

long long cp_pool_cpu_ns(const struct cp_pool *p)
{
    long long ns = p->ended_ns;
    for (int i = 0; i <= CP_MAX_JOBS; i++) {
        const struct cp_worker *w = i < CP_MAX_JOBS ? &p->w[i] : &p->spare;
        if (w->pid > 0)
            ns += cp_cpu_ns(w->pid, true);
    }
    return ns;
}

struct run_state {
    struct cp_pool *p;
    const struct cp_suite *s;
    cp_pool_done_fn done;
    void *arg;
};

/* Hands w the next case; a case that does not fit a request is the harness's error for that
 * case and the next one is tried. Returns 0 (w busy, or no case left), -1 when the worker
 * could not be written to, or the done callback's failure (CP_E_*, below -1). */
static int dispatch_next(struct run_state *st, struct cp_worker *w, const int *cases, int n,
                         int *next)
{
    while (*next < n) {
        int index = cases[(*next)++];
        struct cp_ipc_request rq;
        if (cp_ipc_request_fill(&rq, index, &st->s->cases[index], st->s->cases[index].vtime,
                                st->p->wire_host, st->p->wire_port, st->p->timeout)) {
            int rc = st->done(st->arg, index, CP_OUT_ERROR, 0, cp_error_msg(CP_E_LIMIT), 0, 0);
            if (rc)
                return rc < -1 ? rc : CP_E_INTERNAL;
            continue;
        }
        w->busy = index;
        w->deadline_ms = cp_now_ms() + (int64_t)(st->p->timeout * 1000);
        w->cpu_start = cp_cpu_ns(w->pid, st->p->whole_tree);
        /* A worker that is gone fails the write; its end then reads as EOF. */
        return cp_write_all(w->req_fd, &rq, sizeof(rq)) ? -1 : 0;
    }
    return 0;
}

/* The CPU w's verifier has used on its case, in microseconds, from its tree's CPU now. */
static long case_cpu_usec(const struct cp_worker *w, long long now_ns)
{
    long long used = now_ns - w->cpu_start;
    return used > 0 ? (long)(used / 1000) : 0;
}

/* A worker whose case could not finish: record why, then put a worker in its place: the spare
 * when there is one (a fresh spare then starts behind it), else a fresh one, and from then on
 * a spare too. */
static int replace(struct run_state *st, struct cp_worker *w, enum cp_outcome_kind outcome,
                   const char *why)
{
    struct cp_pool *p = st->p;
    int index = w->busy, status = 0, rc;
    /* Its tree is read before it is ended: the exec module's SIGTERM handler leaves its
     * program to init, unwaited for, so the worker's own count never gets it. */
    long long tree_ns = cp_cpu_ns(w->pid, true);
    long cpu_usec = case_cpu_usec(w, tree_ns);
    p->ended_ns += tree_ns;
    char reason[256];
    if (outcome == CP_OUT_TIMEOUT)
        terminate(w);
    reap(w, &status);
    if (outcome == CP_OUT_TIMEOUT)
        snprintf(reason, sizeof(reason), "%s", why);
    else if (WIFSIGNALED(status))
        outcome = CP_OUT_CRASH, snprintf(reason, sizeof(reason), "worker killed by signal %d (%s)",
                                         WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        outcome = CP_OUT_ERROR,
        snprintf(reason, sizeof(reason), "worker exited with status %d during the case (%s)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, why);
    if ((rc = st->done(st->arg, index, outcome, 0, reason, 0, cpu_usec)))
        return rc;
    /* A fresh worker says hello while the others work: a JVM or Node, or a library that takes
     * a second to load, costs a timeout nothing on the other workers; the spare, started at the
     * previous replacement, costs it nothing on this slot either. */
    if (p->spare.pid > 0) {
        *w = p->spare;
        p->spare.pid = 0;
    } else if ((rc = spawn_start(p, w))) {
        return rc;
    }
    return spawn_start(p, &p->spare);
}

/* Library texts go into JSON, journals and terminals: keep them printable ASCII. */
static void sanitize(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            *s = '?';
    }
}

static int collect(struct run_state *st, struct cp_worker *w)
{
    struct cp_ipc_response rs;
    if (read_full(w->resp_fd, &rs, sizeof(rs), cp_now_ms() + 1000) || rs.index != w->busy)
        return replace(st, w, CP_OUT_ERROR, "no complete response");
    rs.reason[sizeof(rs.reason) - 1] = '\0';
    sanitize(rs.reason);
    enum cp_outcome_kind o = rs.status == CP_VERIFY_ACCEPT   ? CP_OUT_ACCEPT
                             : rs.status == CP_VERIFY_REJECT ? CP_OUT_REJECT
                                                             : CP_OUT_ERROR;
    if (rs.status < CP_VERIFY_ACCEPT || rs.status > CP_VERIFY_ERROR)
        snprintf(rs.reason, sizeof(rs.reason), "adapter returned an invalid status %d",
                 (int)rs.status);
    w->busy = -1;
    return st->done(st->arg, rs.index, o, (long)rs.code, rs.reason, (long)rs.usec,
                    case_cpu_usec(w, cp_cpu_ns(w->pid, st->p->whole_tree)));
}

/* The CPU limit is checked no more often than this: a hang costs at most this much wall time
 * past its limit (plus the CPU clock's own resolution, nanoseconds). */
#define CP_CPU_POLL_MIN_MS 5

/* Busy workers past the per-case CPU limit are killed as timeouts. The limit is on work the
 * verifier did, so a hang costs about the limit and is judged the same on an idle and on a
 * busy machine; the wall-clock cap (p->timeout) still ends cases that wait. *next_ms becomes
 * the earliest time another busy worker can reach the limit: its CPU time grows at most ncpus
 * times as fast as the wall clock (every CPU running one of its threads). */
static int enforce_cpu_limit(struct run_state *st, int64_t *next_ms)
{
    struct cp_pool *p = st->p;
    int64_t now = cp_now_ms();
    for (int i = 0; i < p->nworkers; i++) {
        struct cp_worker *w = &p->w[i];
        if (w->busy < 0)
            continue;
        double used = (double)(cp_cpu_ns(w->pid, p->whole_tree) - w->cpu_start) / 1e9;
        if (used <= p->cpu_limit) {
            int64_t at = now + (int64_t)((p->cpu_limit - used) * 1000.0 / p->ncpus);
            if (at < now + CP_CPU_POLL_MIN_MS)
                at = now + CP_CPU_POLL_MIN_MS;
            if (at < *next_ms)
                *next_ms = at;
            continue;
        }
        char why[128];
        snprintf(why, sizeof(why), "no verdict after %.2f s of CPU (limit %.2f s); worker killed",
                 used, p->cpu_limit);
        int rc = replace(st, w, CP_OUT_TIMEOUT, why);
        if (rc)
            return rc;
    }
    return 0;
}

static int wait_any(struct run_state *st)
{
    struct pollfd pfd[CP_MAX_JOBS + 1];
    struct cp_worker *map[CP_MAX_JOBS + 1];
    struct cp_pool *p = st->p;
    int n = 0, rc;
    int64_t now = cp_now_ms(), next = now + 60000;
    if (p->cpu_limit > 0 && (rc = enforce_cpu_limit(st, &next)))
        return rc;
    now = cp_now_ms();
    for (int i = 0; i <= p->nworkers; i++) {
        struct cp_worker *w = i < p->nworkers ? &p->w[i] : &p->spare;
        if (w->pid <= 0 || w->busy == -1)
            continue;
        if (w->busy == CP_WORKER_STARTING && w->deadline_ms <= now) {
            struct cp_ipc_hello hello;
            if ((rc = take_hello(p, w, &hello))) /* past its deadline: names why */
                return rc;
            continue;
        }
        if (w->busy >= 0 && w->deadline_ms <= now) {
            char why[96];
            snprintf(why, sizeof(why), "no verdict within %.1f s; worker killed", p->timeout);
            if ((rc = replace(st, w, CP_OUT_TIMEOUT, why)))
                return rc;
            continue;
        }
        if (w->deadline_ms < next)
            next = w->deadline_ms;
        pfd[n] = (struct pollfd){.fd = w->resp_fd, .events = POLLIN};
        map[n++] = w;
    }
    if (n == 0)
        return 0;
    int pr = poll(pfd, (nfds_t)n, (int)(next - now > 0 ? next - now : 0));
    if (pr < 0)
        return errno == EINTR ? 0 : cp_error_set(CP_E_IO, "poll: %s", strerror(errno));
    for (int k = 0; k < n; k++) {
        struct cp_worker *w = map[k];
        if (!pfd[k].revents)
            continue;
        if (w->busy == CP_WORKER_STARTING) {
            struct cp_ipc_hello hello;
            rc = take_hello(p, w, &hello);
        } else {
            rc = collect(st, w);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int cp_pool_run(struct cp_pool *p, const struct cp_suite *s, const int *cases, int n,
                cp_pool_done_fn done, void *arg, volatile sig_atomic_t *stop)
{
    struct run_state st = {.p = p, .s = s, .done = done, .arg = arg};
    int next = 0, rc = 0;
    for (;;) {
        bool busy = false;
        for (int i = 0; i < p->nworkers; i++) {
            struct cp_worker *w = &p->w[i];
            int d = w->busy == -1 && next < n && !(stop && *stop)
                        ? dispatch_next(&st, w, cases, n, &next)
                        : 0;
            if (d < -1)
                return d;
            if (d && (rc = replace(&st, w, CP_OUT_ERROR, "it could not take the case")))
                return rc;
            busy = busy || w->busy >= 0 ||
                   (w->busy == CP_WORKER_STARTING && next < n && !(stop && *stop));
        }
        if (!busy && (next >= n || (stop && *stop)))
            break;
        if (stop && *stop)
            break;
        if ((rc = wait_any(&st)))
            return rc;
    }
    return stop && *stop ? cp_error_set(CP_E_INTERRUPTED, "interrupted") : 0;
}
