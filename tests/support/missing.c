/* missing.c - skip or fail when a component is missing (cp_missing.h). */
#include "cp_missing.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cp_test_absence_allowed(const char *what)
{
    const char *ci = getenv("CI"), *absent = getenv("CERTPATH_ABSENT");
    if (!ci || strcmp(ci, "true") != 0)
        return true;
    size_t n = strlen(what);
    for (const char *p = absent; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, what, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

const char *cp_test_missing_text(const char *fmt, ...)
{
    static _Thread_local char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}
