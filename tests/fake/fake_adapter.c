/*
 * fake_adapter.c - an adapter that misbehaves on purpose, to test the harness's failure paths.
 *
 * It accepts every case except those whose id contains "reject" (so it passes the controls),
 * and follows a plan from CP_FAKE_PLAN: comma-separated "SUBSTRING=ACTION" pairs; the first
 * pair whose substring is in the case id decides. A pair written "wire:SUBSTRING=ACTION" or
 * "inproc:SUBSTRING=ACTION" applies in that mode only: the fake declares both modes (it makes
 * no TLS connection; in wire mode it answers the same way, told the server's address), so
 * `--mode both` can be made to disagree on known cases. Actions:
 *   hang     sleep forever              -> the harness must record `timeout` (the wall cap)
 *   spin     loop on the CPU forever     -> `timeout` (the CPU limit)
 *   segv     dereference NULL           -> `crash` (signal 11)
 *   abort    abort()                    -> `crash` (signal 6)
 *   exit     exit(3) mid-case           -> `error` (worker exited)
 *   garbage  print junk, return status 99 and unprintable reason bytes -> `error`
 *   reject   reject
 *   accept   accept (even a case whose id says reject)
 *   error    an adapter error
 *   noresult write an accept but return -1 -> `error` (a non-zero return is no outcome)
 *   wait     reject with the reason "timeout_ms=N": the wait the harness allowed
 * CP_FAKE_DELAY_MS slows every case down (for interrupting a run mid-way).
 */
#include "cp_adapter.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *fake_action(const char *id, const char *host)
{
    static char plan[4096];
    const char *env = getenv("CP_FAKE_PLAN");
    if (!env)
        return NULL;
    snprintf(plan, sizeof(plan), "%s", env);
    for (char *item = plan; item && *item;) {
        char *next = strchr(item, ','), *eq = strchr(item, '=');
        if (next)
            *next++ = '\0';
        if (eq) {
            *eq = '\0';
            const char *key = item;
            bool mine = true;
            if (strncmp(key, "wire:", 5) == 0)
                key += 5, mine = host != NULL;
            else if (strncmp(key, "inproc:", 7) == 0)
                key += 7, mine = host == NULL;
            if (mine && strstr(id, key))
                return eq + 1;
        }
        item = next;
    }
    return NULL;
}

static void fake_delay(void)
{
    const char *ms = getenv("CP_FAKE_DELAY_MS");
    if (ms) {
        long v = strtol(ms, NULL, 10);
        struct timespec ts = {v / 1000, (v % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int fake_verify(void *ctx, const struct cp_verify_input *in, struct cp_verify_result *out)
{
    (void)ctx;
    const char *action = fake_action(in->case_id, in->host);
    fake_delay();
    if (in->nchain < 1 || in->nroots < 1) {
        out->status = CP_VERIFY_ERROR;
        snprintf(out->reason, sizeof(out->reason), "fake: no chain or roots were passed");
        return 0;
    }
    if (action && strcmp(action, "hang") == 0)
        for (;;)
            pause();
    if (action && strcmp(action, "spin") == 0)
        for (volatile unsigned long n = 0;; n++)
            continue;
    if (action && strcmp(action, "segv") == 0)
        raise(SIGSEGV);
    if (action && strcmp(action, "abort") == 0)
        abort();
    if (action && strcmp(action, "exit") == 0)
        exit(3);
    if (action && strcmp(action, "garbage") == 0) {
        fputs("\x01\x02 garbage on stdout \xff\n", stdout);
        fflush(stdout);
        out->status = (enum cp_verify_status)99;
        memcpy(out->reason, "\xff\xfe\x01junk", 8);
        return 0;
    }
    if (action && strcmp(action, "error") == 0) {
        out->status = CP_VERIFY_ERROR;
        snprintf(out->reason, sizeof(out->reason), "fake: told to fail");
        return 0;
    }
    if (action && strcmp(action, "noresult") == 0) {
        out->status = CP_VERIFY_ACCEPT;
        snprintf(out->reason, sizeof(out->reason), "fake: gave up");
        return -1;
    }
    if (action && strcmp(action, "wait") == 0) {
        out->status = CP_VERIFY_REJECT;
        snprintf(out->reason, sizeof(out->reason), "timeout_ms=%d", in->timeout_ms);
        return 0;
    }
    if (action && strcmp(action, "accept") == 0) {
        out->status = CP_VERIFY_ACCEPT;
        return 0;
    }
    bool reject = strstr(in->case_id, "reject") || (action && strcmp(action, "reject") == 0);
    out->status = reject ? CP_VERIFY_REJECT : CP_VERIFY_ACCEPT;
    out->code = reject ? 42 : 0;
    snprintf(out->reason, sizeof(out->reason), "%s", reject ? "fake rejection" : "");
    return 0;
}

static void fake_version(void *ctx, char *buf, size_t cap)
{
    (void)ctx;
    snprintf(buf, cap, "fake 1.0");
}

static const struct cp_adapter fake_adapter = {
    .abi = CP_ADAPTER_ABI,
    .name = "fake",
    .library = "Fake",
    .caps = CP_CAP_INPROC | CP_CAP_WIRE | CP_CAP_SET_TIME | CP_CAP_HOSTNAME | CP_CAP_PURPOSE,
    .settings = "misbehaves as CP_FAKE_PLAN says",
    .ctx_size = 0,
    .init = cp_adapter_init_none,
    .version = fake_version,
    .verify = fake_verify,
    .cleanup = cp_adapter_cleanup_none,
};

__attribute__((visibility("default"))) const struct cp_adapter *cp_adapter_entry(void)
{
    return &fake_adapter;
}
