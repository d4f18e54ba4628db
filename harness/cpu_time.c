/*
 * cpu_time.c - CPU time a worker has used, for the per-case CPU limit (pool.c).
 *
 * A worker runs as the leader of a session of its own, so everything it starts (an exec
 * verifier's program, that program's children) stays in its session unless it leaves it. The
 * work of a worker is the user+system time of every live process of that session plus what
 * its reaped children used, read from /proc/<pid>/stat (proc(5)). In-process adapters start
 * no process, so reading the worker's own stat is enough; exec workers need a /proc scan.
 */
#include "harness_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads /proc/<pid>/stat: its session and its CPU ticks (utime + stime + cutime + cstime).
 * Returns 0, or -1 when the process is gone or the line does not parse. */
static int proc_stat(const char *pid, long *session, long long *ticks)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* The command name (field 2) is in parentheses and may hold anything: start after the
     * last ')'. Then: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime cutime cstime. */
    const char *p = strrchr(buf, ')');
    long long f[15];
    if (!p ||
        sscanf(p + 1, " %*c %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
               &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11],
               &f[12], &f[13]) != 14)
        return -1;
    *session = (long)f[2];
    *ticks = f[10] + f[11] + f[12] + f[13];
    return 0;
}

void cp_cpu_ticks(const pid_t *workers, int n, bool whole_session, long long *out)
{
    for (int i = 0; i < n; i++)
        out[i] = 0;
    if (!whole_session) {
        for (int i = 0; i < n; i++) {
            char pid[24];
            long sid;
            snprintf(pid, sizeof(pid), "%ld", (long)workers[i]);
            if (workers[i] > 0 && proc_stat(pid, &sid, &out[i]) != 0)
                out[i] = 0;
        }
        return;
    }
    DIR *d = opendir("/proc");
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        long sid;
        long long ticks;
        if (!isdigit((unsigned char)e->d_name[0]) || proc_stat(e->d_name, &sid, &ticks) != 0)
            continue;
        for (int i = 0; i < n; i++) {
            if (workers[i] > 0 && sid == (long)workers[i])
                out[i] += ticks;
        }
    }
    closedir(d);
}

double cp_cpu_tick_seconds(void)
{
    static double tick;
    if (tick == 0) {
        long hz = sysconf(_SC_CLK_TCK);
        tick = hz > 0 ? 1.0 / (double)hz : 0.01;
    }
    return tick;
}
