/* exec_proc.c - see cp_exec_proc.h. */
#include "cp_exec_proc.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long `certpath serve` may take to say where it listens. */
#define SERVE_START_MS 30000

int64_t cp_test_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void cp_test_proc_start(struct cp_test_proc *p, char *const argv[])
{
    int in[2], out[2];
    pid_t parent = getpid();
    cr_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
    p->pid = fork();
    cr_assert_geq(p->pid, 0);
    if (p->pid == 0) {
        /* A failed assertion ends the test at once: the program (a server that would hold the
         * runner's output pipe open) dies with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        setpgid(0, 0); /* a browser it starts goes with it in cp_test_proc_stop() */
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    p->in = in[1];
    p->out = out[0];
    p->len = 0;
}

char *cp_test_proc_read(struct cp_test_proc *p, const char *until, int timeout_ms)
{
    int64_t deadline = cp_test_now_ms() + timeout_ms;
    for (;;) {
        p->buf[p->len] = '\0';
        char *nl = until ? strstr(p->buf, until) : strchr(p->buf, '\n');
        if (nl) {
            size_t n = (size_t)(nl - p->buf) + (until ? strlen(until) : 1);
            char *line = strndup(p->buf, n);
            cr_assert_not_null(line);
            memmove(p->buf, p->buf + n, p->len - n);
            p->len -= n;
            return line;
        }
        struct pollfd pfd = {.fd = p->out, .events = POLLIN};
        int wait = (int)(deadline - cp_test_now_ms());
        if (wait <= 0 || p->len + 1 >= sizeof(p->buf) || poll(&pfd, 1, wait) <= 0)
            return NULL;
        ssize_t r = read(p->out, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
        if (r <= 0)
            return NULL;
        p->len += (size_t)r;
    }
}

void cp_test_proc_write(struct cp_test_proc *p, const char *text)
{
    size_t n = strlen(text);
    cr_assert_eq(write(p->in, text, n), (ssize_t)n, "a request could not be written");
}

void cp_test_proc_stop(struct cp_test_proc *p)
{
    close(p->in);
    close(p->out);
    /* At EOF a verifier closes what it started and exits 0; a stuck one is killed. */
    for (int i = 0; i < 200; i++) {
        int st;
        if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
            cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the program ended with status %#x",
                      (unsigned)st);
            return;
        }
        usleep(100 * 1000);
    }
    kill(-p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    cr_expect(false, "the program did not exit within 20 s of EOF on its stdin");
}

int cp_test_serve_start(struct cp_test_proc *srv, const char *suite)
{
    static const char at[] = "listening on 127.0.0.1:";
    char *argv[] = {(char *)CP_CERTPATH_BIN,
                    (char *)"serve",
                    (char *)"--suite",
                    (char *)suite,
                    (char *)"--port",
                    (char *)"0",
                    NULL};
    cp_test_proc_start(srv, argv);
    char *text = cp_test_proc_read(srv, "Ctrl-C", SERVE_START_MS);
    cr_assert_not_null(text, "certpath serve did not start");
    const char *where = strstr(text, at);
    cr_assert_not_null(where, "no address in:\n%s", text);
    long port = strtol(where + strlen(at), NULL, 10);
    free(text);
    cr_assert(port > 0 && port < 65536, "certpath serve listens on port %ld", port);
    return (int)port;
}

void cp_test_serve_stop(struct cp_test_proc *srv)
{
    kill(srv->pid, SIGINT);
    close(srv->in);
    close(srv->out);
    waitpid(srv->pid, NULL, 0);
}

static int loopback_socket(struct sockaddr_in *a)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof(*a);
    *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)a, sizeof(*a)) == 0 &&
              getsockname(fd, (struct sockaddr *)a, &len) == 0);
    return fd;
}

int cp_test_closed_port(void)
{
    struct sockaddr_in a;
    int fd = loopback_socket(&a);
    close(fd);
    return ntohs(a.sin_port);
}

int cp_test_silent_listener(int *port)
{
    struct sockaddr_in a;
    int fd = loopback_socket(&a);
    cr_assert_eq(listen(fd, 64), 0);
    *port = ntohs(a.sin_port);
    return fd;
}
