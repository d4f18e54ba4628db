/* manifest_internal.h - what the manifest part's files share (nothing outside manifest/). */
#ifndef CP_MANIFEST_INTERNAL_H
#define CP_MANIFEST_INTERNAL_H

#include "cp_manifest.h"

/* Sizes m->cases[ncases], each with expect[m->nprofiles]. */
int cp_manifest_alloc_cases(struct cp_manifest *m, int ncases);
/* (Re)builds the id index of the certificates / the cases; CP_E_FORMAT for a duplicate id.
 * Every id must be set. */
int cp_manifest_index_certs(struct cp_manifest *m, const char *name);
int cp_manifest_index_cases(struct cp_manifest *m, const char *name);

#endif
