/*
 * cp_suite_internal.h - writing a suite's files (generator-internal): suite_write.c mints and
 * writes certificate and case files, model_manifest.c writes manifest.json (through cp_manifest.h),
 * generate.c drives both.
 */
#ifndef CP_SUITE_INTERNAL_H
#define CP_SUITE_INTERNAL_H

#include "cp_generator.h"
#include "cp_generator_internal.h"

/* Mints every graph of m into minted[0..ngraphs) (the caller frees each with cp_minted_free)
 * and writes certs/ and cases/ under dir, with o->threads threads. */
int cp_suite_mint_all(const struct cp_model *m, const struct cp_gen_opts *o, const char *dir,
                      struct cp_minted *minted);

void cp_suite_free_index(int **idx, int ngraphs);

/* Writes dir/manifest.json. suite_id identifies the inputs (seed, time, families, version). */
int cp_suite_write_manifest(const struct cp_model *m, const struct cp_gen_opts *o,
                            const struct cp_minted *minted, const char *suite_id, const char *dir);

/* Cases that differ in nothing a client can see but names (same graph shape and attributes,
 * trust, sent list and hostname fit) count once. */
int cp_model_count_distinct(const struct cp_model *m);

#endif
