/* cp_adapter_util.h - helpers every adapter module links (adapters/util.c). */
#ifndef CP_ADAPTER_UTIL_H
#define CP_ADAPTER_UTIL_H

#include "cp_adapter.h"

#include <stdarg.h>

/* Fills a result: status, native code and text (printf-style, cut at CP_REASON_TEXT_MAX).
 * Returns 0 so that `return cp_result(out, ...)` ends verify(). */
int cp_result(struct cp_verify_result *out, enum cp_verify_status status, long code,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Copies text into a fixed buffer, cutting (never overflowing). */
void cp_copy_text(char *dst, size_t cap, const char *src);

#endif
