/* scenarios.c - scenario emission for the ordering, incidents and validity families. */
#include "cp_hash.h"
#include "scenarios.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A shuffle can land on an order the graph already has; retrying with a derived key finds a
 * new one when any is left. 32 tries find the last of 6 permutations with probability over
 * 99.5 %, and the keys are fixed, so the outcome is the same on every run. */
#define FA_SHUFFLE_TRIES 32

static const struct {
    unsigned bit;
    const char *name;
    const char *words;
} fa_orders[] = {
    {FA_DECLARED, "declared", "in the declared order"},
    {FA_REVERSED, "reversed", "reversed after the leaf"},
    {FA_SHUFFLED, "shuffled", "shuffled after the leaf"},
};

void fa_list_clear(struct fa_list *l)
{
    l->n = 0;
}

void fa_push(struct fa_list *l, int cert)
{
    if (l->n < CP_MAX_SENT)
        l->v[l->n++] = cert;
}

void fa_push_all(struct fa_list *l, const int *certs, int n)
{
    for (int i = 0; i < n; i++)
        fa_push(l, certs[i]);
}

int fa_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT, "\"%.60s...\" is longer than %zu characters", buf, cap - 1);
    return 0;
}

bool fa_out_of_validity(const struct cp_cert *c)
{
    return c->not_after < 0 || c->not_before > 0;
}

void fa_graph_init(struct fa_graph *fg, struct cp_graph *g, int leaf)
{
    memset(fg, 0, sizeof(*fg));
    fg->g = g;
    fg->leaf = leaf;
}

void fa_graph_free(struct fa_graph *fg)
{
    if (!fg)
        return;
    free(fg->seen);
    fg->seen = NULL;
    fg->nseen = fg->cap_seen = 0;
}

/* FNV-1a over the list: FA_LEAF stands for every twin leaf, so twins compare equal. A graph
 * holds a few dozen lists, so a 64-bit collision (which would drop a case) is out of reach. */
static uint64_t list_hash(const struct fa_list *l)
{
    uint64_t h = CP_FNV1A64_INIT;
    for (int i = 0; i < l->n; i++) {
        uint32_t v = (uint32_t)l->v[i];
        unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                               (unsigned char)(v >> 24)};
        h = cp_fnv1a64_add(h, le, sizeof(le));
    }
    return h;
}

static bool seen(const struct fa_graph *fg, uint64_t h)
{
    for (int i = 0; i < fg->nseen; i++) {
        if (fg->seen[i] == h)
            return true;
    }
    return false;
}

static int remember(struct fa_graph *fg, uint64_t h)
{
    if (fg->nseen == fg->cap_seen) {
        int ncap = fg->cap_seen ? 2 * fg->cap_seen : 64;
        uint64_t *p = realloc(fg->seen, (size_t)ncap * sizeof(*p));
        if (!p)
            return cp_error_set(CP_E_NOMEM, "graph %s: out of memory", fg->g->name);
        fg->seen = p;
        fg->cap_seen = ncap;
    }
    fg->seen[fg->nseen++] = h;
    return 0;
}

/* The order with index k of scenario s, or false when it would repeat a list of the graph. */
static bool make_order(const struct fa_graph *fg, const struct fa_scenario *s, int k,
                       const char *id, struct fa_list *out)
{
    *out = *s->sent;
    if (fa_orders[k].bit == FA_DECLARED)
        return !seen(fg, list_hash(out));
    if (fa_orders[k].bit == FA_REVERSED) {
        cp_order_reverse(out->v, out->n);
        return !seen(fg, list_hash(out));
    }
    for (int t = 1; t <= FA_SHUFFLE_TRIES; t++) {
        char key[CP_ID_MAX + 16];
        if (t == 1)
            snprintf(key, sizeof(key), "%s", id);
        else
            snprintf(key, sizeof(key), "%s#%d", id, t);
        *out = *s->sent;
        cp_order_shuffle(out->v, out->n, key);
        if (!seen(fg, list_hash(out)))
            return true;
    }
    return false;
}

/* A leaf with room for one more hostname: the current one, or a new twin of it. */
static int take_leaf(struct fa_graph *fg)
{
    struct cp_graph *g = fg->g;
    if (fg->leaf_used < CP_MAX_SAN)
        return fg->leaf;
    const struct cp_cert *first = cp_graph_cert_at(g, fg->leaf);
    if (!first)
        return -1;
    int twin = cp_graph_leaf(g, first->issuer, first->subject);
    if (twin < 0)
        return -1;
    /* Same attributes (validity, extensions) as the leaf it replaces, under its own label. */
    struct cp_cert *dst = &g->certs[twin];
    char label[CP_LABEL_MAX];
    memcpy(label, dst->label, sizeof(label));
    *dst = g->certs[fg->leaf];
    memcpy(dst->label, label, sizeof(label));
    fg->leaf = twin;
    fg->leaf_used = 0;
    return twin;
}

static int add_case(struct cp_model *m, struct fa_graph *fg, const struct fa_scenario *s, int k,
                    const char *id, const struct fa_list *order)
{
    int leaf = take_leaf(fg);
    if (leaf < 0)
        return cp_error_set(fg->g->err, "case %s: graph %s: %s", id, fg->g->name,
                            cp_error_msg(fg->g->err));
    int sent[CP_MAX_SENT];
    for (int i = 0; i < order->n; i++)
        sent[i] = order->v[i] == FA_LEAF ? leaf : order->v[i];
    char summary[CP_DESC_MAX];
    snprintf(summary, sizeof(summary), "%s; sent %s", s->summary, fa_orders[k].words);
    struct cp_case_spec spec = {
        .id = id,
        .summary = summary,
        .leaf = leaf,
        .anchors = s->anchors,
        .nanchors = s->nanchors,
        .sent = sent,
        .nsent = order->n,
        .features = s->features | (fa_orders[k].bit == FA_DECLARED ? 0 : CP_F_ORDERING),
        .probe = (s->probes & fa_orders[k].bit) != 0,
    };
    int rc = cp_model_case(m, fg->g, &spec);
    if (rc)
        return rc;
    fg->leaf_used++;
    return remember(fg, list_hash(order));
}

static int check_scenario(const struct fa_graph *fg, const struct fa_scenario *s)
{
    if (fg->g->err)
        return cp_error_set(fg->g->err, "scenario %s: building graph %s failed: %s", s->id,
                            fg->g->name, cp_error_msg(fg->g->err));
    if (s->sent->n < 1 || s->sent->v[0] != FA_LEAF)
        return cp_error_set(CP_E_ARG, "scenario %s: the sent list must start with the leaf", s->id);
    return 0;
}

static int emit_order(struct cp_model *m, struct fa_graph *fg, const struct fa_scenario *s, int k)
{
    char id[CP_ID_MAX];
    struct fa_list order;
    int rc = fa_fmt(id, sizeof(id), "%s/%s", s->id, fa_orders[k].name);
    if (rc || !make_order(fg, s, k, id, &order))
        return rc;
    return add_case(m, fg, s, k, id, &order);
}

int fa_emit(struct cp_model *m, struct fa_graph *fg, const struct fa_scenario *s, int n)
{
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = check_scenario(fg, &s[i]);
    /* Order by order: a shuffle must never take the list that another scenario declares. */
    for (int k = 0; k < (int)CP_ARRAY_LEN(fa_orders) && !rc; k++) {
        for (int i = 0; i < n && !rc; i++)
            rc = emit_order(m, fg, &s[i], k);
    }
    return rc;
}
