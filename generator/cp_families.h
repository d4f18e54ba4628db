/*
 * cp_families.h - the registry of graph families (generator-internal).
 *
 * A family is a function that adds graphs and cases to the model. It never touches crypto or
 * files. It returns 0, or the negative CP_E_* of the first failing cp_model_case() call (whose
 * message is already set). One family per file in generator/families/, one line in registry.c.
 */
#ifndef CP_FAMILIES_H
#define CP_FAMILIES_H

#include "cp_model.h"

struct cp_family {
    const char *name;
    const char *summary; /* one line for `certpath list --families` */
    int (*build)(struct cp_model *m);
    bool opt_in; /* only when asked for by name (not in the default suite); it brings the
                    controls, which every run needs */
};

extern const struct cp_family cp_families[];
extern const int cp_nfamilies;

/* The family registered under name, or NULL. */
const struct cp_family *cp_family_find(const char *name);

int cp_family_controls(struct cp_model *m);
int cp_family_bettertls(struct cp_model *m);
int cp_family_ordering(struct cp_model *m);
int cp_family_incidents(struct cp_model *m);
int cp_family_validity(struct cp_model *m);
int cp_family_constraints(struct cp_model *m);
int cp_family_algorithms(struct cp_model *m);
int cp_family_cycles(struct cp_model *m);
int cp_family_pathological(struct cp_model *m);
int cp_family_names(struct cp_model *m);

#endif
