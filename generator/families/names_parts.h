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

#endif
