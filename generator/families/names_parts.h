/*
 * names_parts.h - the parts of the `names` family (generator/families/names*.c), each adding
 * its cases to the model; 0 or the negative CP_E_* of the first failure (message set).
 */
#ifndef CP_NAMES_PARTS_H
#define CP_NAMES_PARTS_H

#include "cp_model.h"

/* BetterTLS's name-constraints suite, case for case (names_bettertls.c). */
int cp_names_bettertls(struct cp_model *m);

/* Constraint placements and name forms BetterTLS lacks (names_beyond.c). */
int cp_names_beyond(struct cp_model *m);

/* The names facets (cp_model.h) of a case: the forms its CAs' well-formed constraints name
 * (CAs it sends, and its anchors' certificates), where they sit (an intermediate, an anchor, two
 * or more CA entities, the leaf), and nc-malformed, alone, for a CA whose nameConstraints does
 * not decode. Computed from the graph, never from ids. */
uint64_t cp_names_facets(const struct cp_graph *g, int leaf, const int *sent, int nsent,
                         const int *anchors, int nanchors);

#endif
