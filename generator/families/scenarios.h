/*
 * scenarios.h - helpers shared by the ordering, incidents and validity families.
 *
 * A family describes a scenario once, in its declared order, and fa_emit() turns it into up to
 * three cases on one graph: declared, reversed and shuffled. An order that yields a sent list
 * the graph already has (a one-intermediate chain reversed is itself) is left out, so the cases
 * of a graph all differ in what the client sees, and counts are honest.
 *
 * Sent lists name the leaf with FA_LEAF. A leaf's SAN holds the hostnames of the cases that
 * target it (at most CP_MAX_SAN), so fa_emit() hands out leaves from a pool: when the current
 * leaf is full, it issues another one from the same issuer with the same attributes. Two cases
 * whose lists differ only in which of these twin leaves they send are the same test, and the
 * duplicate check treats them so.
 *
 * Usage per graph: build the graph and its first leaf; fa_graph_init(); one fa_emit() with all
 * the graph's scenarios; fa_graph_free(). Errors: fa_emit() returns 0 or the negative CP_E_* of the
 * first failure, its message set (a graph build error is reported there too). The caller owns
 * struct fa_graph.
 */
#ifndef CP_SCENARIOS_H
#define CP_SCENARIOS_H

#include "cp_model.h"

#define FA_LEAF (-2) /* in a scenario's sent list: the leaf the pool hands out */

/* Orders of one scenario, as bits (for marking probes). */
#define FA_DECLARED 0x1u
#define FA_REVERSED 0x2u
#define FA_SHUFFLED 0x4u

/* A sent list under construction. */
struct fa_list {
    int v[CP_MAX_SENT];
    int n;
};

struct fa_graph {
    struct cp_graph *g;
    int leaf;       /* the leaf being filled; the next twin copies its attributes */
    int leaf_used;  /* hostnames its cases take so far */
    uint64_t *seen; /* fingerprints of the sent lists this graph's cases use */
    int nseen, cap_seen;
};

struct fa_scenario {
    const char *id;      /* case ids are id + "/declared", "/reversed" or "/shuffled" */
    const char *summary; /* the order is appended */
    const int *anchors;  /* entity indexes the client trusts */
    int nanchors;
    const struct fa_list *sent; /* declared order, FA_LEAF first */
    uint64_t features;          /* CP_F_ORDERING is added to reversed and shuffled cases */
    unsigned probes;            /* FA_* orders whose case probes its features */
};

/* Starts filling graph g, whose first leaf certificate is leaf (made and tweaked by the
 * family). g must stay the model's newest graph until fa_graph_free(). */
void fa_graph_init(struct fa_graph *fg, struct cp_graph *g, int leaf);
void fa_graph_free(struct fa_graph *fg);

/* Adds the cases of n scenarios (see the header comment): every declared order first, then
 * the reversed ones, then the shuffles, so that a shuffle never takes a list that another
 * scenario of the graph names explicitly. */
int fa_emit(struct cp_model *m, struct fa_graph *fg, const struct fa_scenario *s, int n);

/* List building; appends past CP_MAX_SENT are dropped (families stay far below it). */
void fa_list_clear(struct fa_list *l);
void fa_push(struct fa_list *l, int cert);
void fa_push_all(struct fa_list *l, const int *certs, int n);

/* snprintf that fails with CP_E_LIMIT (message set) instead of truncating: ids and names cut
 * short would collide. */
int fa_fmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Whether a certificate is outside its validity at the validation time (offset 0). */
bool fa_out_of_validity(const struct cp_cert *c);

#endif
