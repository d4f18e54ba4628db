/* strmap.c - the reports' string -> int map (open addressing, FNV-1a slots; keys borrowed). */
#include "cp_common.h"
#include "cp_hash.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

static int map_alloc(struct cp_rep_map *m, size_t cap)
{
    m->cap = cap;
    m->n = 0;
    m->keys = calloc(cap, sizeof(*m->keys));
    m->vals = calloc(cap, sizeof(*m->vals));
    if (!m->keys || !m->vals) {
        cp_rep_map_free(m);
        return cp_error_set(CP_E_NOMEM, "out of memory for a map of %zu entries", cap);
    }
    return 0;
}

int cp_rep_map_init(struct cp_rep_map *m, size_t expect)
{
    size_t cap = 16;
    while (cap < 2 * expect)
        cap *= 2;
    return map_alloc(m, cap);
}

static size_t slot(const struct cp_rep_map *m, const char *key)
{
    size_t i = (size_t)cp_fnv1a64_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int cp_rep_map_put(struct cp_rep_map *m, const char *key, int val)
{
    if (2 * (m->n + 1) > m->cap) {
        struct cp_rep_map bigger;
        int rc = map_alloc(&bigger, 2 * m->cap);
        if (rc)
            return rc;
        for (size_t i = 0; i < m->cap; i++) {
            if (m->keys[i]) {
                size_t j = slot(&bigger, m->keys[i]);
                bigger.keys[j] = m->keys[i];
                bigger.vals[j] = m->vals[i];
                bigger.n++;
            }
        }
        cp_rep_map_free(m);
        *m = bigger;
    }
    size_t i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
    return 0;
}

int cp_rep_map_get(const struct cp_rep_map *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t i = slot(m, key);
    return m->keys[i] ? m->vals[i] : -1;
}

void cp_rep_map_free(struct cp_rep_map *m)
{
    if (!m)
        return;
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}
