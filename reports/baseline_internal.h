/*
 * baseline_internal.h - a baseline file read back (reports-internal: baseline.c reads and
 * writes it, gate.c compares runs with it).
 *
 * Ownership: a cp_bl owns every string and case; cp_bl_free() releases them and is safe on a
 * zeroed or half-loaded one.
 */
#ifndef CP_BASELINE_INTERNAL_H
#define CP_BASELINE_INTERNAL_H

#include "cp_report_internal.h"
#include "cp_results.h"

/* A baseline holds at most the two modes a run has. */
#define CP_BL_MAX_MODES 2

struct cp_bl_case {
    char *id;
    enum cp_outcome_kind outcome;
    /* per profile of the baseline: 1 accept, 0 reject, -1 not known (a skip or an error) */
    signed char expect[CP_RESULTS_MAX_PROFILES];
    char *cause, *link; /* for a divergence; NULL otherwise */
};

struct cp_bl_mode {
    char *name, *version;
    struct cp_bl_case *cases;
    int ncases;
    struct cp_rep_map index; /* id -> case */
};

struct cp_bl {
    char *path, *stack, *seed, *generator;
    int nprofiles;
    char *profiles[CP_RESULTS_MAX_PROFILES];
    struct cp_bl_mode modes[CP_BL_MAX_MODES];
    int nmodes;
};

/* Reads a baseline. CP_E_NOTFOUND when path does not exist, CP_E_FORMAT (message naming the
 * file and what is wrong) when it is not a baseline of this format version. */
int cp_bl_load(const char *path, struct cp_bl *b);
/* The same from len bytes of text (b zeroed by the caller; name stands for the file). The
 * caller frees b with cp_bl_free() either way. */
int cp_bl_parse(const char *text, size_t len, const char *name, struct cp_bl *b);
void cp_bl_free(struct cp_bl *b);
/* The section of a mode ("in-process", "wire"), or NULL. */
const struct cp_bl_mode *cp_bl_mode(const struct cp_bl *b, const char *mode);
const struct cp_bl_case *cp_bl_case(const struct cp_bl_mode *m, const char *id);

#endif
