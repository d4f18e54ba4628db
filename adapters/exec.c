/*
 * exec.c - the exec adapter: a verifier written in another language, run as a program that
 * speaks adapters/exec/PROTOCOL.md (one JSON line per request on its stdin, one per reply on its
 * stdout).
 *
 * The module's init gets the program's command line (split on spaces), starts the program and
 * reads its hello: name, library, version, capabilities and settings, which it copies into its
 * own adapter object so the worker reports the program's, not the module's. verify() writes one
 * request, reads one reply and maps it onto an outcome. A program that breaks the protocol
 * (garbage, a wrong id, a line too long, EOF, an exit) costs that case an `error` naming what
 * happened; the module kills the program's process group and starts it again for the next case.
 *
 * The program runs in a process group of its own, with no fd of the worker's but stdin, stdout
 * and stderr, and with PR_SET_PDEATHSIG so that it dies with the worker when the harness kills
 * a worker that outlived its case's deadline (the module sets no reply timeout of its own). The
 * harness sends SIGTERM first, on which the module kills the program's whole process group, so
 * that no child of the program outlives a case given up on. A program that exits while a child
 * of its own holds its stdout is seen to exit (the module checks while it waits), not waited
 * for until the case times out.
 */
#include "cp_adapter_util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Replies carry a reason and maybe a path of a few certificates' names: far below this. A
 * longer line is a broken program, not a big answer. */
#define EXEC_LINE_MAX (64u * 1024u)
/* A command line is a program and a few options. */
#define EXEC_MAX_ARGS 32
/* How long a program may take to say hello: a JVM or a browser needs seconds; the harness
 * waits 30 s for the whole worker (harness/pool.c), this leaves it time to report why. */
#define EXEC_HELLO_TIMEOUT_MS 25000
/* How long a program may take to exit after its stdin closes (or after EOF on its stdout)
 * before its process group is killed. */
#define EXEC_EXIT_GRACE_MS 2000

struct exec_ctx {
    char *cmdline;                 /* owned copy of init's arg, split in place */
    char *argv[EXEC_MAX_ARGS + 1]; /* into cmdline */
    pid_t pid;                     /* the running program (its process group), or 0 */
    int to_fd, from_fd;            /* its stdin (we write) and stdout (we read) */
    char *buf;                     /* EXEC_LINE_MAX + 1 bytes read from its stdout */
    size_t len, consumed;          /* bytes in buf; bytes of buf the last line used */
    int hello_ms;                  /* the hello deadline, from start */
    char version[CP_VERSION_TEXT_MAX];
    /* From the program's hello; init() points the worker's cp_adapter_info at them. */
    char name[64], library[128], settings[4096];
    unsigned caps;
};

enum exec_read { EXEC_LINE = 0, EXEC_EOF, EXEC_TOOLONG, EXEC_TIMEOUT, EXEC_IOERR };

/* While waiting for a reply, how often the module checks whether the program has exited: a
 * child it left behind may hold its stdout open, so that EOF never comes. */
#define EXEC_EXIT_POLL_MS 100

/* The running program's process group, for the SIGTERM handler: the harness gives up on a case
 * by sending the worker SIGTERM (then SIGKILL), and the program's whole group must go with the
 * worker, not only the program (PR_SET_PDEATHSIG reaches the program alone). One program per
 * worker process. */
static volatile sig_atomic_t exec_group;

static void exec_on_term(int sig)
{
    pid_t g = (pid_t)exec_group;
    if (g > 0)
        kill(-g, SIGKILL);
    _exit(128 + sig);
}

static int64_t exec_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Text safe to quote in a reason: the first bytes, control characters as '?'. */
static void exec_quote(char *dst, size_t cap, const char *src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
    dst[n] = '\0';
}

static void exec_describe_status(int status, char *buf, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, cap, "was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, cap, "stopped (wait status %#x)", (unsigned)status);
}

/* Ends the program: closes its stdin, lets it exit for up to grace_ms, then kills its whole
 * process group (children it started go too). Describes how it ended when why is given.
 * Returns whether it ended by itself. */
static bool exec_stop(struct exec_ctx *x, int grace_ms, char *why, size_t whycap)
{
    int status = 0;
    pid_t got = 0;
    if (!x->pid)
        return true;
    if (x->to_fd >= 0)
        close(x->to_fd);
    for (int64_t end = exec_now_ms() + grace_ms;;) {
        got = waitpid(x->pid, &status, WNOHANG);
        if (got != 0 || exec_now_ms() >= end)
            break;
        usleep(5000);
    }
    kill(-x->pid, SIGKILL);
    exec_group = 0;
    if (got == 0) {
        if (why)
            snprintf(why, whycap, "did not exit (killed)");
        waitpid(x->pid, &status, 0);
    } else if (why) {
        if (got > 0)
            exec_describe_status(status, why, whycap);
        else
            snprintf(why, whycap, "could not be waited for: %s", strerror(errno));
    }
    close(x->from_fd);
    x->pid = 0;
    x->to_fd = x->from_fd = -1;
    x->len = x->consumed = 0;
    return got != 0;
}

/* In the child: its own process group, death with the worker, only fds 0-2 across exec. */
static void exec_child(struct exec_ctx *x, pid_t parent, int in, int out, int report)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* the worker died before prctl() took effect */
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
        goto fail;
    /* Every fd above 2 (the worker's protocol pipes on 3 and 4, the module's own) is closed at
     * exec; `report` is already close-on-exec and tells the parent why exec failed. */
    if (close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
        long max = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
            if (fd != report)
                close(fd);
    }
    execvp(x->argv[0], x->argv);
fail:;
    int e = errno;
    if (write(report, &e, sizeof(e)) < 0)
        _exit(127);
    _exit(127);
}

static int exec_spawn(struct exec_ctx *x, char *err, size_t errcap)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, rep[2] = {-1, -1}, e = 0;
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(rep, O_CLOEXEC)) {
        snprintf(err, errcap, "cannot make pipes for %s: %s", x->argv[0], strerror(errno));
        goto fail;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        snprintf(err, errcap, "cannot start %s: %s", x->argv[0], strerror(errno));
        goto fail;
    }
    if (pid == 0)
        exec_child(x, parent, in[0], out[1], rep[1]);
    setpgid(pid, pid); /* also in the child: whichever runs first, the group exists */
    exec_group = pid;
    close(in[0]), close(out[1]), close(rep[1]);
    in[0] = out[1] = rep[1] = -1;
    x->pid = pid;
    x->to_fd = in[1];
    x->from_fd = out[0];
    x->len = x->consumed = 0;
    ssize_t r;
    while ((r = read(rep[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(rep[0]);
    if (r == (ssize_t)sizeof(e)) {
        exec_stop(x, 0, NULL, 0);
        snprintf(err, errcap, "cannot run %s: %s", x->argv[0], strerror(e));
        return -1;
    }
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        int *fds[] = {in, out, rep};
        for (int k = 0; k < 3; k++)
            if (fds[k][i] >= 0)
                close(fds[k][i]);
    }
    return -1;
}

/* The next line of the program's stdout, NUL-terminated, in *line (inside x->buf, valid until
 * the next call). deadline_ms < 0: wait as long as it takes. */
static enum exec_read exec_read_line(struct exec_ctx *x, int64_t deadline_ms, char **line)
{
    if (x->consumed) {
        memmove(x->buf, x->buf + x->consumed, x->len - x->consumed);
        x->len -= x->consumed;
        x->consumed = 0;
    }
    size_t scanned = 0;
    for (;;) {
        char *nl = memchr(x->buf + scanned, '\n', x->len - scanned);
        if (nl) {
            *nl = '\0';
            x->consumed = (size_t)(nl - x->buf) + 1;
            *line = x->buf;
            return EXEC_LINE;
        }
        scanned = x->len;
        if (x->len >= EXEC_LINE_MAX)
            return EXEC_TOOLONG;
        int64_t left = deadline_ms >= 0 ? deadline_ms - exec_now_ms() : EXEC_EXIT_POLL_MS;
        struct pollfd pfd = {.fd = x->from_fd, .events = POLLIN};
        int pr = left > 0
                     ? poll(&pfd, 1, (int)(left < EXEC_EXIT_POLL_MS ? left : EXEC_EXIT_POLL_MS))
                     : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return EXEC_IOERR;
        if (pr == 0) {
            /* Nothing to read: gone (its stdout held by a child of its own) is EOF, the exit
             * status read by exec_stop(); still there, wait on unless the deadline passed. */
            siginfo_t si;
            memset(&si, 0, sizeof(si));
            if (waitid(P_PID, (id_t)x->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
                return EXEC_EOF;
            if (deadline_ms >= 0 && exec_now_ms() >= deadline_ms)
                return EXEC_TIMEOUT;
            continue;
        }
        ssize_t r = read(x->from_fd, x->buf + x->len, EXEC_LINE_MAX - x->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return EXEC_IOERR;
        if (r == 0)
            return EXEC_EOF;
        x->len += (size_t)r;
    }
}

/* Why a read gave no line, for a reason; a program that is gone is stopped and described. */
static void exec_read_failure(struct exec_ctx *x, enum exec_read r, char *buf, size_t cap)
{
    char how[128];
    if (r == EXEC_EOF) {
        bool exited = exec_stop(x, EXEC_EXIT_GRACE_MS, how, sizeof(how));
        snprintf(buf, cap, "%s", exited ? how : "closed its stdout (and was killed)");
        return;
    }
    if (r == EXEC_TOOLONG) {
        char head[48];
        exec_quote(head, sizeof(head), x->buf, x->len);
        snprintf(buf, cap, "wrote a line longer than %u bytes (\"%s...\")", EXEC_LINE_MAX, head);
    } else if (r == EXEC_TIMEOUT) {
        snprintf(buf, cap, "said nothing within %.1f s", x->hello_ms / 1000.0);
    } else {
        snprintf(buf, cap, "cannot be read from: %s", strerror(errno));
    }
    exec_stop(x, 0, NULL, 0);
}

static const char *exec_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int exec_parse_caps(const cJSON *arr, unsigned *caps, char *err, size_t errcap)
{
    const cJSON *c;
    *caps = 0;
    if (!cJSON_IsArray(arr)) {
        snprintf(err, errcap, "\"caps\" is not an array of strings");
        return -1;
    }
    cJSON_ArrayForEach(c, arr)
    {
        unsigned bit = cJSON_IsString(c) ? cp_cap_from_protocol_name(c->valuestring) : 0;
        if (!bit) {
            char q[48];
            const char *s = cJSON_IsString(c) ? c->valuestring : "(not a string)";
            exec_quote(q, sizeof(q), s, strlen(s));
            snprintf(err, errcap, "unknown capability \"%s\" in \"caps\"", q);
            return -1;
        }
        *caps |= bit;
    }
    if (!(*caps & (CP_CAP_INPROC | CP_CAP_WIRE))) {
        snprintf(err, errcap, "\"caps\" has neither \"verify\" nor \"connect\"");
        return -1;
    }
    return 0;
}

/* Checks a hello line and, when `keep`, copies it into the adapter object. */
static int exec_parse_hello(struct exec_ctx *x, const char *line, bool keep, char *err,
                            size_t errcap)
{
    cJSON *h = cJSON_Parse(line);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, "certpath-exec");
    const char *name = exec_string(h, "name"), *library = exec_string(h, "library");
    const char *version = exec_string(h, "version"), *settings = exec_string(h, "settings");
    unsigned caps = 0;
    int rc = -1;
    char q[64];
    exec_quote(q, sizeof(q), line, strlen(line));
    if (!cJSON_IsObject(h))
        snprintf(err, errcap, "its first line is not a JSON hello: \"%s\"", q);
    else if (!cJSON_IsNumber(v) || v->valuedouble != 1)
        snprintf(err, errcap, "its hello lacks \"certpath-exec\": 1 (\"%s\")", q);
    else if (!name || !library || !version || !settings)
        snprintf(err, errcap, "its hello lacks one of name, library, version, settings (\"%s\")",
                 q);
    else if (exec_parse_caps(cJSON_GetObjectItemCaseSensitive(h, "caps"), &caps, err, errcap) == 0)
        rc = 0;
    if (rc == 0 && keep) {
        cp_copy_text(x->name, sizeof(x->name), name);
        cp_copy_text(x->library, sizeof(x->library), library);
        cp_copy_text(x->settings, sizeof(x->settings), settings);
        cp_copy_text(x->version, sizeof(x->version), version);
        x->caps = caps;
    } else if (rc == 0 && caps != x->caps) {
        snprintf(err, errcap, "its capabilities changed on restart");
        rc = -1;
    }
    cJSON_Delete(h);
    return rc;
}

/* Starts the program and reads its hello; on failure err names the program and why. */
static int exec_start(struct exec_ctx *x, bool first, char *err, size_t errcap)
{
    char why[512];
    char *line;
    if (exec_spawn(x, err, errcap))
        return -1;
    enum exec_read r = exec_read_line(x, exec_now_ms() + x->hello_ms, &line);
    if (r != EXEC_LINE) {
        exec_read_failure(x, r, why, sizeof(why));
        snprintf(err, errcap, "%s gave no hello: it %s", x->argv[0], why);
        return -1;
    }
    if (exec_parse_hello(x, line, first, why, sizeof(why))) {
        exec_stop(x, 0, NULL, 0);
        snprintf(err, errcap, "%s: %s", x->argv[0], why);
        return -1;
    }
    return 0;
}

static int exec_init(void *vctx, const char *arg, struct cp_adapter_info *info, char *err,
                     size_t errcap)
{
    struct exec_ctx *x = vctx;
    int n = 0;
    x->to_fd = x->from_fd = -1;
    if (!arg || !*arg) {
        snprintf(err, errcap, "exec needs a program: --stack exec:/path/to/program [args]");
        return -1;
    }
    /* A program that dies between two cases must not take the worker with it on write(). */
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = exec_on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    x->cmdline = strdup(arg);
    x->buf = malloc(EXEC_LINE_MAX + 1);
    if (!x->cmdline || !x->buf) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    for (char *save = NULL, *t = strtok_r(x->cmdline, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        if (n == EXEC_MAX_ARGS) {
            snprintf(err, errcap, "more than %d words in the command line \"%s\"", EXEC_MAX_ARGS,
                     arg);
            return -1;
        }
        x->argv[n++] = t;
    }
    if (!n) {
        snprintf(err, errcap, "exec needs a program: --stack exec:/path/to/program [args]");
        return -1;
    }
    const char *t = getenv("CERTPATH_EXEC_HELLO_TIMEOUT");
    double secs = t && *t ? strtod(t, NULL) : 0;
    x->hello_ms = secs > 0 && secs < 3600 ? (int)(secs * 1000) : EXEC_HELLO_TIMEOUT_MS;
    if (exec_start(x, true, err, errcap))
        return -1;
    info->name = x->name;
    info->library = x->library;
    info->caps = x->caps;
    info->settings = x->settings;
    return 0;
}

static void exec_version(void *vctx, char *buf, size_t cap)
{
    struct exec_ctx *x = vctx;
    cp_copy_text(buf, cap, x->version);
}

static int exec_request(const struct cp_verify_input *in, char **out)
{
    char dir[PATH_MAX], path[PATH_MAX + 16], when[32];
    struct tm tm;
    time_t tt = (time_t)in->vtime;
    if (!realpath(in->case_dir, dir))
        cp_copy_text(dir, sizeof(dir), in->case_dir);
    gmtime_r(&tt, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "id", in->case_id) &&
              cJSON_AddStringToObject(o, "mode", in->host ? "connect" : "verify") &&
              cJSON_AddStringToObject(o, "dir", dir);
    snprintf(path, sizeof(path), "%s/chain.pem", dir);
    ok = ok && cJSON_AddStringToObject(o, "chain", path);
    snprintf(path, sizeof(path), "%s/roots.pem", dir);
    ok = ok && cJSON_AddStringToObject(o, "roots", path) &&
         cJSON_AddStringToObject(o, "hostname", in->hostname ? in->hostname : "") &&
         cJSON_AddNumberToObject(o, "time", (double)in->vtime) &&
         cJSON_AddNumberToObject(o, "timeout_ms", (double)in->timeout_ms) &&
         cJSON_AddStringToObject(o, "time_rfc3339", when);
    if (ok && in->host)
        ok = cJSON_AddStringToObject(o, "host", in->host) &&
             cJSON_AddNumberToObject(o, "port", in->port);
    *out = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return *out ? 0 : -1;
}

/* The largest native code a reply may give: 2^53, the last integer every JSON parser holds. */
#define EXEC_CODE_MAX 9007199254740992.0

/* Maps a reply onto the result; returns -1 (with out's reason naming why) when the reply
 * breaks the protocol. */
static int exec_reply(const char *line, const char *id, struct cp_verify_result *out)
{
    static const struct {
        const char *name;
        enum cp_verify_status status;
    } outcomes[] = {
        {"accept", CP_VERIFY_ACCEPT}, {"reject", CP_VERIFY_REJECT}, {"error", CP_VERIFY_ERROR}};
    char q[64];
    int rc = -1;
    cJSON *r = cJSON_Parse(line);
    const char *rid = exec_string(r, "id"), *outcome = exec_string(r, "outcome");
    const char *reason = exec_string(r, "reason");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(r, "path"), *p;
    size_t k = 0;
    exec_quote(q, sizeof(q), line, strlen(line));
    if (!cJSON_IsObject(r)) {
        cp_result(out, CP_VERIFY_ERROR, 0, "exec: the reply is not a JSON object: \"%s\"", q);
        goto out;
    }
    if (!rid || strcmp(rid, id) != 0) {
        exec_quote(q, sizeof(q), rid ? rid : "(none)", strlen(rid ? rid : "(none)"));
        cp_result(out, CP_VERIFY_ERROR, 0, "exec: the reply is for id \"%s\", not this case", q);
        goto out;
    }
    while (outcome && k < sizeof(outcomes) / sizeof(outcomes[0]) &&
           strcmp(outcome, outcomes[k].name) != 0)
        k++;
    if (!outcome || k == sizeof(outcomes) / sizeof(outcomes[0])) {
        exec_quote(q, sizeof(q), outcome ? outcome : "(none)",
                   strlen(outcome ? outcome : "(none)"));
        cp_result(out, CP_VERIFY_ERROR, 0,
                  "exec: the reply's outcome \"%s\" is not accept, "
                  "reject or error",
                  q);
        goto out;
    }
    if (path) {
        bool strings = cJSON_IsArray(path);
        cJSON_ArrayForEach(p, path) strings = strings && cJSON_IsString(p);
        if (!strings) {
            cp_result(out, CP_VERIFY_ERROR, 0,
                      "exec: the reply's path is not an array of "
                      "strings");
            goto out;
        }
    }
    /* A native code is an integer a double holds exactly; anything else (1e300, 0.5, NaN) is
     * no library's code, and casting it to long would be undefined. */
    if (code && !cJSON_IsString(code) &&
        !(cJSON_IsNumber(code) && code->valuedouble >= -EXEC_CODE_MAX &&
          code->valuedouble <= EXEC_CODE_MAX &&
          (double)(long long)code->valuedouble == code->valuedouble)) {
        exec_quote(q, sizeof(q), line, strlen(line));
        cp_result(out, CP_VERIFY_ERROR, 0,
                  "exec: the reply's code is not a string or an integer within +-2^53: \"%s\"", q);
        goto out;
    }
    if (!reason)
        reason = "";
    if (cJSON_IsString(code))
        cp_result(out, outcomes[k].status, 0, "[%s] %s", code->valuestring, reason);
    else
        cp_result(out, outcomes[k].status, cJSON_IsNumber(code) ? (long)code->valuedouble : 0, "%s",
                  reason);
    rc = 0;
out:
    cJSON_Delete(r);
    return rc;
}

static int exec_verify(void *vctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct exec_ctx *x = vctx;
    char why[512], *req = NULL, *line;
    if (!x->pid && exec_start(x, false, why, sizeof(why)))
        return cp_result(out, CP_VERIFY_ERROR, 0, "exec: restarting the program failed: %s", why);
    if (exec_request(in, &req))
        return cp_result(out, CP_VERIFY_ERROR, 0, "exec: out of memory for the request");
    size_t len = strlen(req);
    req[len] = '\n'; /* over the NUL: the text is written by length */
    int w = cp_write_all(x->to_fd, req, len + 1);
    free(req);
    if (w) {
        char how[128];
        exec_stop(x, EXEC_EXIT_GRACE_MS, how, sizeof(how));
        return cp_result(out, CP_VERIFY_ERROR, 0, "exec: %s stopped reading requests: it %s",
                         x->argv[0], how);
    }
    enum exec_read r = exec_read_line(x, -1, &line);
    if (r != EXEC_LINE) {
        exec_read_failure(x, r, why, sizeof(why));
        return cp_result(out, CP_VERIFY_ERROR, 0, "exec: %s %s mid-case", x->argv[0], why);
    }
    if (exec_reply(line, in->case_id, out))
        exec_stop(x, 0, NULL, 0); /* out of step with the program: start afresh */
    return 0;
}

static void exec_cleanup(void *vctx)
{
    struct exec_ctx *x = vctx;
    exec_stop(x, EXEC_EXIT_GRACE_MS, NULL, 0);
    free(x->cmdline);
    free(x->buf);
    x->cmdline = x->buf = NULL;
}

static const struct cp_adapter exec_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "exec",
    .library = "exec",
    .caps = 0, /* the program's, from its hello: init() reports them */
    .settings = "",
    .ctx_size = sizeof(struct exec_ctx),
    .init = exec_init,
    .version = exec_version,
    .verify = exec_verify,
    .cleanup = exec_cleanup,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void);
const struct cp_adapter *cp_adapter_entry(void)
{
    return &exec_adapter;
}
