/* limbo_internal.h - what the limbo part's files share (nothing outside limbo/). */
#ifndef CP_LIMBO_INTERNAL_H
#define CP_LIMBO_INTERNAL_H

#include "cp_limbo.h"

#include <stddef.h>
#include <stdio.h>

/* What cp_limbo_scan_next() found. */
enum cp_limbo_item {
    CP_LIMBO_ITEM_VERSION,  /* buf holds the "version" value's JSON text */
    CP_LIMBO_ITEM_TESTCASE, /* buf[0..len) holds one testcase's JSON text, NUL-terminated */
    CP_LIMBO_ITEM_END,      /* the top-level object is closed and nothing follows */
};

/* The stream reader (scan.c). Holds one value at a time. */
struct cp_limbo_scan {
    const char *path;
    FILE *f;
    long long offset;
    int state, pending, keeping;
    int seen_version, seen_testcases;
    int index; /* testcases read so far */
    char *buf;
    size_t len, cap;
};

int cp_limbo_scan_open(struct cp_limbo_scan *s, const char *path);
/* The next item; CP_E_FORMAT naming the byte when the file is not limbo JSON, CP_E_LIMIT for
 * a testcase over CP_LIMBO_TESTCASE_MAX. */
int cp_limbo_scan_next(struct cp_limbo_scan *s, enum cp_limbo_item *item);
void cp_limbo_scan_close(struct cp_limbo_scan *s);

/* A set of strings, each with an int (set.c); zero-initialised is empty. */
struct cp_limbo_set {
    char **slot;
    int *val;
    size_t cap, n;
};
/* The value stored for k, or -1 when k is not in the set. */
int cp_limbo_set_get(const struct cp_limbo_set *t, const char *k);
/* Adds k (copied) or replaces its value; CP_E_NOMEM. */
int cp_limbo_set_put(struct cp_limbo_set *t, const char *k, int v);
void cp_limbo_set_free(struct cp_limbo_set *t);

#endif
