/*
 * graph_orders.h - helpers shared by the cycles and pathological families.
 *
 * Both families describe a graph once, with its sent list in a declared order (the leaf first,
 * then upwards), and emit one case per distinct order: declared, reversed, and a keyed shuffle
 * that differs from both. Defects on single certificates come from one table, so the cycles
 * family's "exit edge is bad" matrix and the pathological family's broken deep chains name a
 * defect the same way.
 *
 * Errors: functions that return int return 0 or the negative CP_E_* of the first failure, its
 * message set (a graph build error surfaces at the next cp_model_case()).
 */
#ifndef CP_GRAPH_ORDERS_H
#define CP_GRAPH_ORDERS_H

#include "cp_model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which orders fc_add_orders() emits; an order that repeats another's sent list is left out. */
#define FC_DECLARED 0x1u
#define FC_REVERSED 0x2u
#define FC_SHUFFLED 0x4u
#define FC_ALL_ORDERS (FC_DECLARED | FC_REVERSED | FC_SHUFFLED)

/* A sent list under construction; pushes past CP_MAX_SENT are counted in lost, and
 * fc_add_orders() refuses such a list rather than sending less than the family meant. */
struct fc_list {
    int v[CP_MAX_SENT];
    int n;
    int lost;
};

void fc_push(struct fc_list *l, int cert);
void fc_push_all(struct fc_list *l, const int *certs, int n);

/* Adds the cases "<prefix>/<order>" of one sent list (leaf first) for each order in orders.
 * spec carries everything but id, sent and nsent; reordered cases add CP_F_ORDERING and are
 * never probes. */
int fc_add_orders(struct cp_model *m, struct cp_graph *g, const char *prefix,
                  const struct cp_case_spec *spec, const struct fc_list *declared, unsigned orders);

/* Defects of one CA certificate, in the table's order. */
enum fc_defect_id {
    FC_EXPIRED = 0,
    FC_NOT_YET_VALID,
    FC_NOT_CA,
    FC_NO_BC,
    FC_V1,
    FC_NO_KEY_CERT_SIGN,
    FC_PATH_LEN,
    FC_BAD_SIGNATURE,
    FC_SHA1,
    FC_UNKNOWN_ALG,
    FC_UNKNOWN_CRITICAL,
    FC_OTHER_KEY,
    FC_NDEFECTS
};

struct fc_defect {
    const char *id;                   /* id segment: "expired" */
    const char *summary;              /* "expired" as in "exit edge expired" */
    uint64_t features;                /* CP_F_* a client needs to get the defect right */
    void (*apply)(struct cp_cert *c); /* NULL for FC_OTHER_KEY, which changes the signer */
};

extern const struct fc_defect fc_defects[FC_NDEFECTS];

/* A CA certificate issuer -> subject carrying defect d (NULL: none). FC_OTHER_KEY signs it
 * with a second key under the issuer's name (entity "<issuer> other key", made once), so the
 * name chains but the signature does not. Returns the certificate index or -1 (sticky). */
int fc_ca(struct cp_graph *g, int issuer, int subject, const struct fc_defect *d);

/* Applies d to an existing certificate; FC_OTHER_KEY cannot be applied after the fact and is
 * refused (sticky CP_E_ARG). */
void fc_apply(struct cp_graph *g, int cert, const struct fc_defect *d);

/* Entities "<prefix> 1" .. "<prefix> n" into out[0..n); returns 0 or -1 (sticky). */
int fc_entities(struct cp_graph *g, const char *prefix, int n, int *out);

/* The entity labelled label, or -1. */
int fc_entity_find(const struct cp_graph *g, const char *label);

#endif
