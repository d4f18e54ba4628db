/* cp_adapter_util.h - helpers every adapter module links (adapters/util.c). */
#ifndef CP_ADAPTER_UTIL_H
#define CP_ADAPTER_UTIL_H

#include "cp_adapter.h"

#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

/* Fills a result: status, native code and text (printf-style, cut at CP_REASON_TEXT_MAX).
 * Returns 0 so that `return cp_result(out, ...)` ends verify(). */
int cp_result(struct cp_verify_result *out, enum cp_verify_status status, long code,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Copies text into a fixed buffer, cutting (never overflowing). */
void cp_copy_text(char *dst, size_t cap, const char *src);

/* Writes all of buf to a pipe or socket, retrying short writes and EINTR. Returns 0, or -1 when
 * the other end is gone (errno says why). Inline, so the harness's side of the worker pipes
 * (pool.c, worker.c) shares it without linking an adapter library. */
static inline int cp_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

#endif
