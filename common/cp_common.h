/*
 * cp_common.h - conventions shared by every certpath part.
 *
 * Errors: functions return 0 on success or a negative CP_E_* code. The code says what kind of
 * failure it was; the message, set with cp_error_set() by the function that saw the failure,
 * names the file, case or value at fault. The message is thread-local, so minting threads never
 * overwrite each other's text. Library code never exits or aborts; only main() decides the exit
 * status, and it prints cp_error_msg().
 */
#ifndef CP_COMMON_H
#define CP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define CP_VERSION "0.1.0"

/* X-macro: code, value, short text. One list, so a code and its name can never drift apart. */
#define CP_ERRORS(X)                                                                               \
    X(CP_OK, 0, "ok")                                                                              \
    X(CP_E_ARG, -1, "invalid argument")                                                            \
    X(CP_E_NOMEM, -2, "out of memory")                                                             \
    X(CP_E_IO, -3, "input/output error")                                                           \
    X(CP_E_LIMIT, -4, "limit exceeded")                                                            \
    X(CP_E_CRYPTO, -5, "cryptographic library error")                                              \
    X(CP_E_FORMAT, -6, "malformed input")                                                          \
    X(CP_E_NOTFOUND, -7, "not found")                                                              \
    X(CP_E_INTERNAL, -8, "internal inconsistency")                                                 \
    X(CP_E_INTERRUPTED, -9, "interrupted")

enum cp_error {
#define CP_X_ENUM(code, value, text) code = value,
    CP_ERRORS(CP_X_ENUM)
#undef CP_X_ENUM
};

/* Records the message for the current thread and returns rc, so callers can write
 * `return cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));`. */
int cp_error_set(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message set on this thread, or the code's generic text when none was set. */
const char *cp_error_msg(int rc);

/* Clears the current thread's message. */
void cp_error_clear(void);

/* Generic text for a code. */
const char *cp_error_name(int rc);

#define CP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
