/*
 * cp_platform.h - the system a run happens on, from os-release(5): ID, VERSION_ID and
 * PRETTY_NAME. Results files record it, baselines are kept per platform
 * (expected/baselines/<ID>-<VERSION_ID>/, e.g. debian-12) and the gate picks the directory of
 * the platform a run was made on.
 *
 * The file read is CERTPATH_OS_RELEASE when that is set (as scripts/install-deps.sh reads it),
 * else /etc/os-release, else /usr/lib/os-release. A system without one is "unknown", never an
 * error: nothing a run measures depends on it.
 */
#ifndef CP_PLATFORM_H
#define CP_PLATFORM_H

#include <stddef.h>

/* os-release values are short (the longest PRETTY_NAME Debian ships is under 40 bytes); a
 * longer value is cut at these sizes, which only shortens a label. */
#define CP_PLATFORM_ID_MAX 64
#define CP_PLATFORM_NAME_MAX 128

struct cp_platform {
    char id[CP_PLATFORM_ID_MAX];            /* "debian"; "" when unknown */
    char version_id[CP_PLATFORM_ID_MAX];    /* "12"; "" when the release has none (sid) */
    char pretty_name[CP_PLATFORM_NAME_MAX]; /* "Debian GNU/Linux 12 (bookworm)" */
};

/* Fills p from the os-release file of this system; fields it lacks are left "". Never fails. */
void cp_platform_this(struct cp_platform *p);

/* Parses os-release text (NUL-terminated) into p. */
void cp_platform_parse(const char *text, struct cp_platform *p);

/* The directory name of p's baselines: "<ID>-<VERSION_ID>" ("debian-12"), or "<ID>" when the
 * release has no VERSION_ID. 0, or CP_E_NOTFOUND (message) when p has no ID, CP_E_LIMIT when
 * buf is too small. Only [a-z0-9._-] come through (os-release's own rule for both fields). */
int cp_platform_key(const struct cp_platform *p, char *buf, size_t cap);

#endif
