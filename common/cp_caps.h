/*
 * cp_caps.h - adapter capabilities: the bits, their names in results files and reports, and
 * their names in the exec protocol. One X-macro list, so a bit and its names never drift apart.
 * Header-only (static inline), so adapter modules, the exec adapter and the reports include it
 * without linking anything; cp_adapter.h includes it for the adapters.
 */
#ifndef CP_CAPS_H
#define CP_CAPS_H

#include <stddef.h>
#include <string.h>

/* X(code, bit, results name, exec protocol name). A case needing a capability the adapter
 * lacks is `skip`, never pass or fail. */
#define CP_CAPS(X)                                                                                 \
    X(CP_CAP_INPROC, 0, "in-process", "verify")         /* verifies through the library's API */   \
    X(CP_CAP_WIRE, 1, "wire", "connect")                /* connects to the built-in TLS server */  \
    X(CP_CAP_SET_TIME, 2, "set-time", "set-time")       /* takes the case's validation time */     \
    X(CP_CAP_HOSTNAME, 3, "hostname", "hostname")       /* checks the leaf against the hostname */ \
    X(CP_CAP_PURPOSE, 4, "purpose", "purpose")          /* checks serverAuth (leaf EKU, CA EKU) */ \
    X(CP_CAP_IP, 5, "ip", "ip")                         /* checks IP addresses */                  \
    X(CP_CAP_CLOCK_SHIM, 6, "clock-shim", "clock-shim") /* takes the time only via the shim */

enum cp_cap_bit {
#define CP_X_ENUM(code, bit, name, proto) code = 1u << (bit),
    CP_CAPS(CP_X_ENUM)
#undef CP_X_ENUM
};

/* The results-file name of one capability bit ("in-process"), or "?" for anything else. */
static inline const char *cp_cap_name(unsigned cap)
{
#define CP_X_NAME(code, bit, name, proto)                                                          \
    if (cap == (unsigned)(code))                                                                   \
        return name;
    CP_CAPS(CP_X_NAME)
#undef CP_X_NAME
    return "?";
}

/* The bit of a results-file name, or 0 when the name is unknown. */
static inline unsigned cp_cap_from_name(const char *s)
{
#define CP_X_FROM(code, bit, name, proto)                                                          \
    if (strcmp(s, name) == 0)                                                                      \
        return (unsigned)(code);
    CP_CAPS(CP_X_FROM)
#undef CP_X_FROM
    return 0;
}

/* The bit of an exec-protocol name ("verify", "connect", ...), or 0 when unknown. */
static inline unsigned cp_cap_from_protocol_name(const char *s)
{
#define CP_X_PROTO(code, bit, name, proto)                                                         \
    if (strcmp(s, proto) == 0)                                                                     \
        return (unsigned)(code);
    CP_CAPS(CP_X_PROTO)
#undef CP_X_PROTO
    return 0;
}

/* Every bit in order, for loops that print or serialise a mask. */
#define CP_CAP_COUNT 7

#endif
