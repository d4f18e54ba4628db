/*
 * cp_exec_proc.h - test support for tests that drive an exec verifier (adapters/exec/PROTOCOL.md)
 * directly, without the exec module in between: start a program with pipes on its stdin and
 * stdout, write request lines, read its lines with a deadline, end it at EOF; run the built
 * tool's `certpath serve` for connect requests; loopback ports where nothing listens or where a
 * listener never speaks. The helpers assert, so Test() bodies (and what they call) only.
 */
#ifndef CP_EXEC_PROC_H
#define CP_EXEC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A line longer than this is no exec protocol line (PROTOCOL.md: at most 64 KiB). */
#define CP_TEST_PROC_LINE_MAX 65536

struct cp_test_proc {
    pid_t pid;   /* in a process group of its own, so a browser it starts goes with it */
    int in, out; /* our ends: its stdin, its stdout */
    char buf[CP_TEST_PROC_LINE_MAX];
    size_t len;
};

/* CLOCK_MONOTONIC in milliseconds. */
int64_t cp_test_now_ms(void);

/* Starts argv[0] (a path) with argv; its stderr is ours. It gets SIGKILL when the test's process
 * ends (a failed assertion), so it never outlives the test. */
void cp_test_proc_start(struct cp_test_proc *p, char *const argv[]);

/* The next line of the program's stdout up to and with its '\n' (or up to and with `until`,
 * when given), within timeout_ms; NULL on EOF, timeout or an overlong line. The caller frees
 * it. */
char *cp_test_proc_read(struct cp_test_proc *p, const char *until, int timeout_ms);

/* Writes text (a request line with its '\n') to the program's stdin. */
void cp_test_proc_write(struct cp_test_proc *p, const char *text);

/* Closes the program's stdin and expects it to exit 0 within 20 s (a stuck one is killed with
 * its process group, and the test fails). */
void cp_test_proc_stop(struct cp_test_proc *p);

/* `certpath serve --suite SUITE --port 0` started, its port returned. */
int cp_test_serve_start(struct cp_test_proc *srv, const char *suite);
/* Stops it (SIGINT, as Ctrl-C). */
void cp_test_serve_stop(struct cp_test_proc *srv);

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
int cp_test_closed_port(void);

/* A TCP socket listening on 127.0.0.1 that never accepts: the kernel completes connections to it
 * (they wait in its backlog), and nothing is ever sent on them. *port gets its port; close the
 * returned fd to end it. */
int cp_test_silent_listener(int *port);

#endif
