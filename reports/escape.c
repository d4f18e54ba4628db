/* escape.c - escaping for HTML/XML, Markdown, JSON and the shell. */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. Overlong forms,
 * surrogates and code points past U+10FFFF are invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Walks s one character at a time: *len is the sequence's length in s, the return value what
 * to write instead of it when it is not to be copied as it is (NULL: copy; "": drop). */
static const char *next_char(const unsigned char *s, size_t *len)
{
    size_t n = utf8_len(s);
    if (n == 0) {
        *len = 1;
        return replacement;
    }
    *len = n;
    if (n == 1 && ((s[0] < 0x20 && s[0] != '\t' && s[0] != '\n') || s[0] == 0x7f))
        return "";
    /* U+FFFE and U+FFFF are not characters XML allows. */
    if (n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
        return replacement;
    return NULL;
}

void cp_rep_put_xml(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        size_t len;
        const char *sub = next_char(s, &len);
        if (sub) {
            fputs(sub, out);
        } else if (len > 1) {
            fwrite(s, 1, len, out);
        } else {
            switch (*s) {
            case '&':
                fputs("&amp;", out);
                break;
            case '<':
                fputs("&lt;", out);
                break;
            case '>':
                fputs("&gt;", out);
                break;
            case '"':
                fputs("&quot;", out);
                break;
            case '\'':
                fputs("&#39;", out);
                break;
            default:
                fputc(*s, out);
            }
        }
        s += len;
    }
}

void cp_rep_put_md(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    const unsigned char *start = s;
    while (*s) {
        size_t len;
        const char *sub = next_char(s, &len);
        if (sub) {
            fputs(sub, out);
        } else if (len > 1) {
            fwrite(s, 1, len, out);
        } else if (*s == '\n' || *s == '\t') {
            fputc(' ', out); /* a newline would end a table row or a list item */
        } else if (strchr("\\`*_[](){}<>|~#!&", *s) || (s == start && strchr("-+.=", *s))) {
            fputc('\\', out);
            fputc(*s, out);
        } else {
            fputc(*s, out);
        }
        s += len;
    }
}

void cp_rep_put_code(FILE *out, const char *s)
{
    s = s ? s : "";
    for (const char *p = s; *p; p++) {
        /* A backtick would end the span and a pipe would end a table cell (GitHub needs "\|"
         * even inside code, which shows the backslash elsewhere): plain text then. */
        if (*p == '`' || *p == '|' || (unsigned char)*p < 0x20) {
            cp_rep_put_md(out, s);
            return;
        }
    }
    if (!*s)
        return;
    fputc('`', out);
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        size_t len;
        const char *sub = next_char(u, &len);
        if (sub)
            fputs(sub, out);
        else
            fwrite(u, 1, len, out);
        u += len;
    }
    fputc('`', out);
}

char *cp_rep_clean_dup(const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    /* Each input byte becomes at most the three bytes of U+FFFD. */
    char *copy = malloc(3 * strlen((const char *)s) + 1), *w = copy;
    if (!copy)
        return NULL;
    while (*s) {
        size_t len;
        const char *sub = next_char(s, &len);
        if (sub) {
            size_t k = strlen(sub);
            memcpy(w, sub, k);
            w += k;
        } else {
            memcpy(w, s, len);
            w += len;
        }
        s += len;
    }
    *w = '\0';
    return copy;
}

const char *cp_rep_shell_quote(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap < 3) {
        if (cap)
            buf[0] = '\0';
        return buf;
    }
    buf[n++] = '\'';
    for (; *s; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t k = piece ? strlen(piece) : 1;
        if (n + k + 2 > cap) {
            buf[0] = '\0';
            return buf;
        }
        if (piece)
            memcpy(buf + n, piece, k);
        else
            buf[n] = *s;
        n += k;
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}
