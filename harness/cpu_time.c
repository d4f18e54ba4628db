/*
 * cpu_time.c - CPU time a worker has used, for the per-case CPU limit (pool.c).
 *
 * The work of a worker is the CPU of every live process of its tree (the worker, an exec
 * verifier's program, that program's children) plus what their reaped children used. (A
 * grandchild whose parent exits goes to init and out of the count; it is still in the
 * program's process group, which the exec module kills when the case is given up on.) A live
 * process's own CPU is read from its CPU-time clock
 * (clock_getcpuclockid(3): every thread, to the nanosecond); its reaped children's from
 * cutime + cstime of /proc/<pid>/stat (proc(5), in clock ticks); its children from
 * /proc/<pid>/task/<tid>/children. In-process adapters start no process, so the worker's own
 * clock is enough for them: one system call.
 *
 * Cost, why the tree and not a /proc scan: the pool reads a worker at every dispatch and every
 * verdict. A scan of /proc opens one stat file per process on the machine (about 1 ms of CPU
 * for 120 processes); the tree of an exec worker is a dozen small files (a Node program's
 * threads), about a tenth of that.
 */
#include "harness_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* A worker's tree is the worker, its program and what that starts: a browser has a few dozen
 * processes. Beyond this the rest is not counted (the wall-clock cap still ends the case). */
#define CP_CPU_TREE_MAX 512

static long long tick_ns(void)
{
    static long long ns;
    if (ns == 0) {
        long hz = sysconf(_SC_CLK_TCK);
        ns = hz > 0 ? 1000000000LL / hz : 10000000LL;
    }
    return ns;
}

/* A live process's own CPU (all its threads), or -1 when it is gone. */
static long long own_ns(pid_t pid)
{
    clockid_t clk;
    struct timespec t;
    if (clock_getcpuclockid(pid, &clk) != 0 || clock_gettime(clk, &t) != 0)
        return -1;
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* What a process's reaped children used (cutime + cstime of /proc/<pid>/stat), in ns; 0 when
 * the line cannot be read. */
static long long reaped_ns(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name (field 2) is in parentheses and may hold anything: start after the
     * last ')'. Then: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime cutime cstime. */
    const char *p = strrchr(buf, ')');
    long long cu, cs;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %lld %lld", &cu,
                     &cs) != 2)
        return 0;
    return (cu + cs) * tick_ns();
}

/* Appends the children of every thread of pid to the list (as far as it has room). */
static void add_children(pid_t pid, pid_t *list, int *n)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL && *n < CP_CPU_TREE_MAX;) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        snprintf(path, sizeof(path), "/proc/%ld/task/%.20s/children", (long)pid, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t got = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (got <= 0)
            continue;
        buf[got] = '\0';
        for (char *p = buf, *end; *n < CP_CPU_TREE_MAX; p = end) {
            long child = strtol(p, &end, 10);
            if (end == p)
                break;
            if (child > 0)
                list[(*n)++] = (pid_t)child;
        }
    }
    closedir(d);
}

static long long tv_ns(struct timeval t)
{
    return (long long)t.tv_sec * 1000000000LL + (long long)t.tv_usec * 1000LL;
}

long long cp_self_cpu_ns(void)
{
    struct rusage self;
    if (getrusage(RUSAGE_SELF, &self))
        return 0;
    return tv_ns(self.ru_utime) + tv_ns(self.ru_stime);
}

long long cp_cpu_ns(pid_t worker, bool tree)
{
    if (worker <= 0)
        return 0;
    if (!tree) {
        long long own = own_ns(worker);
        return own > 0 ? own : 0;
    }
    pid_t list[CP_CPU_TREE_MAX];
    int n = 1;
    long long total = 0;
    list[0] = worker;
    for (int i = 0; i < n; i++) {
        long long own = own_ns(list[i]);
        if (own < 0)
            continue; /* gone: its time is in its parent's reaped children once waited for */
        total += own + reaped_ns(list[i]);
        add_children(list[i], list, &n);
    }
    return total;
}
