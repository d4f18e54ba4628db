/*
 * scan.c - limbo.json read as a stream: the top-level object's members one at a time, and the
 * "testcases" array one element at a time, each element's JSON text handed to the caller
 * (who parses that one testcase with cJSON). The scanner only tracks strings, escapes and
 * nesting; whether a value is well-formed JSON is cJSON's to say, per testcase, so one broken
 * testcase is refused and the next one is still read.
 */
#include "cp_common.h"
#include "limbo_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int cp_limbo_scan_open(struct cp_limbo_scan *s, const char *path)
{
    memset(s, 0, sizeof(*s));
    s->path = path;
    if (!(s->f = fopen(path, "rb")))
        return cp_error_set(errno == ENOENT ? CP_E_NOTFOUND : CP_E_IO, "cannot open %s: %s", path,
                            strerror(errno));
    return 0;
}

void cp_limbo_scan_close(struct cp_limbo_scan *s)
{
    if (s->f)
        fclose(s->f);
    free(s->buf);
    s->f = NULL;
    s->buf = NULL;
}

static int next_byte(struct cp_limbo_scan *s)
{
    int c = getc(s->f);
    if (c != EOF)
        s->offset++;
    return c;
}

static int skip_space(struct cp_limbo_scan *s)
{
    int c;
    do
        c = next_byte(s);
    while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
    return c;
}

static int not_limbo(const struct cp_limbo_scan *s, const char *what)
{
    return cp_error_set(CP_E_FORMAT, "%s is not limbo JSON: %s at byte %lld", s->path, what,
                        (long long)s->offset);
}

static int keep(struct cp_limbo_scan *s, int c)
{
    if (!s->keeping)
        return 0;
    if (s->len + 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 65536;
        if (cap > CP_LIMBO_TESTCASE_MAX + 2)
            cap = CP_LIMBO_TESTCASE_MAX + 2;
        if (s->len + 2 > cap)
            return cp_error_set(CP_E_LIMIT, "%s: testcase %d is over %u bytes of JSON", s->path,
                                s->index + 1, CP_LIMBO_TESTCASE_MAX);
        char *b = realloc(s->buf, cap);
        if (!b)
            return cp_error_set(CP_E_NOMEM, "out of memory reading %s", s->path);
        s->buf = b;
        s->cap = cap;
    }
    s->buf[s->len++] = (char)c;
    return 0;
}

/* The rest of a string whose opening quote was read (kept when keeping). */
static int scan_string(struct cp_limbo_scan *s)
{
    int c, rc;
    for (;;) {
        if ((c = next_byte(s)) == EOF)
            return not_limbo(s, "the file ends inside a string");
        if ((rc = keep(s, c)))
            return rc;
        if (c == '"')
            return 0;
        if (c == '\\') {
            if ((c = next_byte(s)) == EOF)
                return not_limbo(s, "the file ends inside a string");
            if ((rc = keep(s, c)))
                return rc;
        }
    }
}

/* One value starting with c; *after is the first byte past it that is not space (a primitive
 * ends only when that byte is read). */
static int scan_value(struct cp_limbo_scan *s, int c, int *after)
{
    int rc, depth = 0;
    for (;;) {
        if (c == EOF)
            return not_limbo(s, "the file ends inside a value");
        if (depth == 0 && (c == ',' || c == ']' || c == '}')) {
            *after = c; /* a primitive ended */
            return 0;
        }
        if (depth == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            *after = skip_space(s);
            return 0;
        }
        if ((rc = keep(s, c)))
            return rc;
        if (c == '"') {
            if ((rc = scan_string(s)))
                return rc;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                *after = skip_space(s);
                return 0;
            }
        }
        c = next_byte(s);
    }
}

/* A member key into key[cap] (longer keys are cut: no member we read is long). */
static int scan_key(struct cp_limbo_scan *s, char *key, size_t cap)
{
    size_t n = 0;
    int c;
    for (;;) {
        if ((c = next_byte(s)) == EOF)
            return not_limbo(s, "the file ends inside a key");
        if (c == '"')
            break;
        if (c == '\\' && (c = next_byte(s)) == EOF)
            return not_limbo(s, "the file ends inside a key");
        if (n + 1 < cap)
            key[n++] = (char)c;
    }
    key[n] = '\0';
    return 0;
}

int cp_limbo_scan_next(struct cp_limbo_scan *s, enum cp_limbo_item *item)
{
    int c, rc;
    char key[64];
    s->len = 0;
    for (;;) {
        switch (s->state) {
        case 0: /* before the top-level object */
            if (skip_space(s) != '{')
                return not_limbo(s, "no top-level object");
            s->state = 1;
            c = skip_space(s);
            if (c == '}')
                return not_limbo(s, "an empty object (no \"version\", no \"testcases\")");
            s->pending = c;
            break;
        case 1: /* at a member of the top-level object: pending holds its first byte */
            if (s->pending != '"')
                return not_limbo(s, "expected a member name");
            if ((rc = scan_key(s, key, sizeof(key))))
                return rc;
            if (skip_space(s) != ':')
                return not_limbo(s, "expected ':' after a member name");
            c = skip_space(s);
            if (strcmp(key, "testcases") == 0) {
                if (c != '[')
                    return not_limbo(s, "\"testcases\" is not a list");
                s->seen_testcases = 1;
                c = skip_space(s);
                if (c == ']') {
                    s->pending = skip_space(s);
                    s->state = 3;
                    break;
                }
                s->pending = c;
                s->state = 2;
                break;
            }
            bool version = strcmp(key, "version") == 0;
            s->keeping = version;
            rc = scan_value(s, c, &s->pending);
            if (!rc && version)
                rc = keep(s, '\0');
            s->keeping = 0;
            if (rc)
                return rc;
            s->state = 3;
            if (version) {
                *item = CP_LIMBO_ITEM_VERSION;
                s->seen_version = 1;
                return 0;
            }
            break;
        case 2: /* at a testcase: pending holds its first byte */
            s->keeping = 1;
            rc = scan_value(s, s->pending, &c);
            if (!rc)
                rc = keep(s, '\0');
            s->keeping = 0;
            if (rc)
                return rc;
            s->len--; /* the text is NUL-terminated; len counts the JSON */
            if (c == ',') {
                s->pending = skip_space(s);
            } else if (c == ']') {
                s->pending = skip_space(s);
                s->state = 3;
            } else {
                return not_limbo(s, "expected ',' or ']' in \"testcases\"");
            }
            *item = CP_LIMBO_ITEM_TESTCASE;
            s->index++;
            return 0;
        case 3: /* after a member: pending holds ',' or '}' */
            if (s->pending == '}') {
                if (skip_space(s) != EOF)
                    return not_limbo(s, "text after the top-level object");
                s->state = 4;
                break;
            }
            if (s->pending != ',')
                return not_limbo(s, "expected ',' or '}' between members");
            s->pending = skip_space(s);
            s->state = 1;
            break;
        default:
            *item = CP_LIMBO_ITEM_END;
            return 0;
        }
    }
}
