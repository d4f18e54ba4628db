/* platform.c - os-release(5) read into a struct cp_platform (cp_platform.h). */
#include "cp_platform.h"
#include "cp_common.h"
#include "cp_fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* os-release is a few hundred bytes; anything much larger is not one. */
#define PLATFORM_FILE_MAX (64u * 1024u)

/* Copies the value of one KEY=value line, unquoted, into buf (cut to cap). */
static void take_value(const char *v, size_t n, char *buf, size_t cap)
{
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        v++;
        n -= 2;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (v[i] == '\\' && i + 1 < n) /* shell escapes: \" \\ \$ \` */
            i++;
        buf[o++] = v[i];
    }
    buf[o] = '\0';
}

void cp_platform_parse(const char *text, struct cp_platform *p)
{
    static const struct {
        const char *key;
        size_t off, cap;
    } keys[] = {
        {"ID=", offsetof(struct cp_platform, id), CP_PLATFORM_ID_MAX},
        {"VERSION_ID=", offsetof(struct cp_platform, version_id), CP_PLATFORM_ID_MAX},
        {"PRETTY_NAME=", offsetof(struct cp_platform, pretty_name), CP_PLATFORM_NAME_MAX},
    };
    memset(p, 0, sizeof(*p));
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            size_t kl = strlen(keys[k].key);
            if (len >= kl && memcmp(line, keys[k].key, kl) == 0)
                take_value(line + kl, len - kl, (char *)p + keys[k].off, keys[k].cap);
        }
        line = end ? end + 1 : NULL;
    }
}

void cp_platform_this(struct cp_platform *p)
{
    const char *env = getenv("CERTPATH_OS_RELEASE");
    const char *paths[] = {env && *env ? env : "/etc/os-release", "/usr/lib/os-release"};
    char *text = NULL;
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (cp_fs_read(paths[i], PLATFORM_FILE_MAX, &text, NULL) == 0)
            break;
        cp_error_clear();
        if (env && *env) /* the file asked for, or nothing: never this machine's by mistake */
            break;
    }
    if (text)
        cp_platform_parse(text, p);
    free(text);
}

static int safe(const char *s)
{
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
              *s == '-'))
            return 0;
    }
    return 1;
}

int cp_platform_key(const struct cp_platform *p, char *buf, size_t cap)
{
    /* A leading '.' would let ID=".." name the parent directory. */
    if (!*p->id || !safe(p->id) || !safe(p->version_id) || p->id[0] == '.')
        return cp_error_set(CP_E_NOTFOUND,
                            "the platform is unknown (os-release gives ID \"%s\", VERSION_ID "
                            "\"%s\")",
                            p->id, p->version_id);
    int n = *p->version_id ? snprintf(buf, cap, "%s-%s", p->id, p->version_id)
                           : snprintf(buf, cap, "%s", p->id);
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT, "platform name %s-%s is too long", p->id, p->version_id);
    return 0;
}
