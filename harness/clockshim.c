/*
 * clockshim.c - certpath-clockshim.so, preloaded into workers of stacks that read the wall
 * clock instead of taking a validation time (mbedTLS; later, wire clients). With
 * CERTPATH_FAKETIME=<Unix seconds> in the environment, time(), gettimeofday() and
 * clock_gettime() on the real-time clocks return that instant; every other clock (monotonic,
 * CPU time) is untouched, so timeouts and timings still work.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static int fake(time_t *out)
{
    const char *s = getenv("CERTPATH_FAKETIME");
    char *end;
    if (!s || !*s)
        return 0;
    long long v = strtoll(s, &end, 10);
    if (*end)
        return 0;
    *out = (time_t)v;
    return 1;
}

__attribute__((visibility("default"))) time_t time(time_t *t)
{
    time_t now;
    if (!fake(&now)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now = ts.tv_sec;
    }
    if (t)
        *t = now;
    return now;
}

__attribute__((visibility("default"))) int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    struct timespec ts;
    int rc = clock_gettime(CLOCK_REALTIME, &ts);
    if (rc == 0) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return rc;
}

__attribute__((visibility("default"))) int clock_gettime(clockid_t id, struct timespec *ts)
{
    static clock_gettime_fn real;
    time_t now;
    if ((id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) && fake(&now)) {
        ts->tv_sec = now;
        ts->tv_nsec = 0;
        return 0;
    }
    if (!real)
        real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    return real ? real(id, ts) : -1;
}
