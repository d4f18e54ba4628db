/*
 * cp_generator.h - the generator as the rest of certpath sees it.
 *
 * cp_generator_generate() builds the model from the chosen families, computes every case's
 * expectation with the oracle, mints the certificates with mbedTLS and writes the suite:
 *
 *   DIR/manifest.json                 every certificate and case, expectations per profile
 *   DIR/certs/<graph tag>/<n>.pem     each certificate once
 *   DIR/cases/<case id>/chain.pem     what the server sends, leaf first, in order
 *   DIR/cases/<case id>/roots.pem     the trust anchors' certificates
 *   DIR/cases/<case id>/leaf.key      the leaf's private key
 *
 * The suite is written to a temporary directory beside DIR and renamed into place only when
 * complete, so a failed or interrupted run never leaves a suite that looks complete. An
 * existing DIR is replaced only when it holds a certpath suite (a manifest.json). The manifest
 * is written through the manifest part (manifest/cp_manifest.h), which owns its format.
 */
#ifndef CP_GENERATOR_H
#define CP_GENERATOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CP_DEFAULT_SEED 1

struct cp_gen_opts {
    const char *out_dir;         /* default "suite" */
    uint64_t seed;               /* default CP_DEFAULT_SEED */
    int64_t vtime;               /* validation time, Unix seconds; default now, hour-rounded */
    const char *const *families; /* NULL: every family */
    int nfamilies;
    int threads;                   /* minting threads; 0: one per core */
    const char *expectations_path; /* also write the expectations file here (NULL: don't) */
    volatile sig_atomic_t *stop;   /* set (e.g. by SIGINT) to abandon the run cleanly */
};

struct cp_gen_family_count {
    const char *name;
    int cases;
};

struct cp_gen_stats {
    int ncases, ndistinct, ngraphs, ncerts;
    int naccept[2]; /* per profile: rfc5280, webpki */
    double build_seconds, mint_seconds;
    struct cp_gen_family_count families[16];
    int nfamilies;
};

void cp_gen_opts_init(struct cp_gen_opts *o);

/* Generates the suite; fills stats (may be NULL). Returns 0 or a negative CP_E_* whose message
 * names what went wrong. */
int cp_generator_generate(const struct cp_gen_opts *o, struct cp_gen_stats *stats);

/* Prints the cases the families make (id, expected outcome per profile, description), without
 * minting anything; or with families_only, the families and their summaries. */
int cp_generator_list(FILE *out, const char *const *families, int n, bool families_only);

/* Parses "2026-11-29T05:00:00Z" (or an offset like +01:00) into Unix seconds. */
int cp_time_parse(const char *s, int64_t *out);
/* Formats Unix seconds as "2026-11-29T05:00:00Z". */
void cp_time_format(int64_t t, char *buf, size_t cap);
/* Now, rounded down to the hour: the default validation time. */
int64_t cp_time_default(void);

#endif
