#include "cp_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Large enough for a path plus a sentence; longer messages are truncated, never overflowed. */
#define CP_ERROR_MSG_MAX 1024

static _Thread_local char cp_errmsg[CP_ERROR_MSG_MAX];

int cp_error_set(int rc, const char *fmt, ...)
{
    /* Format into a local buffer first: callers often pass cp_error_msg() itself as an
     * argument, to prefix the message that is already there. */
    char buf[CP_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    memcpy(cp_errmsg, buf, sizeof(buf));
    return rc;
}

const char *cp_error_name(int rc)
{
    switch (rc) {
#define CP_X_CASE(code, value, text)                                                               \
    case value:                                                                                    \
        return text;
        CP_ERRORS(CP_X_CASE)
#undef CP_X_CASE
    }
    return "unknown error";
}

const char *cp_error_msg(int rc)
{
    return cp_errmsg[0] ? cp_errmsg : cp_error_name(rc);
}

void cp_error_clear(void)
{
    cp_errmsg[0] = '\0';
}
