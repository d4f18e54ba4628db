/* set.c - a set of strings with an int each (testcase ids, certificate digests): open
 * addressing over FNV-1a, grown at half load. */
#include "cp_common.h"
#include "cp_hash.h"
#include "limbo_internal.h"

#include <stdlib.h>
#include <string.h>

/* A set of strings (ids, digests), open addressing over FNV-1a. */
static size_t set_probe(const struct cp_limbo_set *t, const char *k)
{
    size_t i = (size_t)cp_fnv1a64_str(k) & (t->cap - 1);
    while (t->slot[i] && strcmp(t->slot[i], k) != 0)
        i = (i + 1) & (t->cap - 1);
    return i;
}

int cp_limbo_set_get(const struct cp_limbo_set *t, const char *k)
{
    if (!t->cap)
        return -1;
    size_t i = set_probe(t, k);
    return t->slot[i] ? t->val[i] : -1;
}

int cp_limbo_set_put(struct cp_limbo_set *t, const char *k, int v)
{
    if (2 * (t->n + 1) > t->cap) {
        struct cp_limbo_set g = {.cap = t->cap ? t->cap * 2 : 1024};
        if (!(g.slot = calloc(g.cap, sizeof(*g.slot))) || !(g.val = calloc(g.cap, sizeof(int)))) {
            free(g.slot);
            return cp_error_set(CP_E_NOMEM, "out of memory importing limbo testcases");
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (t->slot[i]) {
                size_t j = set_probe(&g, t->slot[i]);
                g.slot[j] = t->slot[i];
                g.val[j] = t->val[i];
            }
        }
        g.n = t->n;
        free(t->slot);
        free(t->val);
        *t = g;
    }
    size_t i = set_probe(t, k);
    if (!t->slot[i]) {
        if (!(t->slot[i] = strdup(k)))
            return cp_error_set(CP_E_NOMEM, "out of memory importing limbo testcases");
        t->n++;
    }
    t->val[i] = v;
    return 0;
}

void cp_limbo_set_free(struct cp_limbo_set *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slot[i]);
    free(t->slot);
    free(t->val);
    memset(t, 0, sizeof(*t));
}
