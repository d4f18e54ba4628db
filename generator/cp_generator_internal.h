/*
 * cp_generator_internal.h - the generator's parts as they meet each other (generator-internal;
 * tests include it too). The harness sees only cp_generator.h.
 */
#ifndef CP_GENERATOR_INTERNAL_H
#define CP_GENERATOR_INTERNAL_H

#include "cp_model.h"

#include <stdio.h>

/* Key pools. Keys are drawn from a per-seed pool rather than made per entity: key generation
 * would otherwise dominate generation time. Entities of one graph get distinct keys; names
 * (unique per graph) keep graphs from chaining into each other. 256 ECDSA keys cover the
 * largest pathological pool; 4 RSA keys cover the mixed-algorithm graphs. */
#define CP_KEYPOOL_EC 256
#define CP_KEYPOOL_RSA 4

/* ---- describing certificates (describe.c) ---- */

/* Writes the ways cert differs from its role's default profile ("expired; SHA-1") into out;
 * returns the number of differences (0: a default certificate, out = ""). */
int cp_cert_describe_defects(const struct cp_graph *g, const struct cp_cert *cert, char *out,
                             size_t cap);

/* ---- names and name constraints (oracle.c, whose names section states the rules) ---- */

/* Whether every name of certificate x passes ca's name constraints under profile p; target:
 * x is the certificate the path is for (the webpki profile reads its CN). */
bool cp_names_allowed(const struct cp_graph *g, const struct cp_cert *ca, const struct cp_cert *x,
                      bool target, enum cp_profile p);
/* Whether ca's nameConstraints extension does not decode as RFC 5280 4.2.1.10 defines it (a
 * malformed cp_nc_form, or an undecodable GeneralName in a subtree): the certificate is then
 * rejected as one whose critical extension cannot be processed (4.2). */
bool cp_names_nc_undecodable(const struct cp_cert *ca);
/* Whether the hostname (a DNS name, with at most one trailing dot, or an IP literal) matches a
 * SAN entry of the leaf. */
bool cp_names_hostname_matches(const struct cp_cert *leaf, const char *hostname);
/* RFC 6125 6.4.3 matching of one dNSName (a leftmost "*." matches one label). */
bool cp_names_dns_match(const char *pattern, const char *host);

/* ---- the oracle (oracle.c) ---- */

/* Computes the expectation of one case under one profile: outcome, valid paths, rejected
 * candidates and their reasons. Fails only when the search exceeds its work budget
 * (CP_E_LIMIT, the case named). */
int cp_oracle_expect(const struct cp_graph *g, const struct cp_case *c, enum cp_profile p,
                     struct cp_expect *out);

/* Runs cp_oracle_expect() for every case and profile of a finalised model. */
int cp_oracle_expect_all(struct cp_model *m);

/* ---- minting (mint.c) ---- */

/* The per-seed key pools: CP_KEYPOOL_EC ECDSA P-256 keys and CP_KEYPOOL_RSA RSA-2048 keys, each
 * derived from its own DRBG seeded with (seed, pool, slot), so the pool is the same whatever
 * the number of threads that build it. Owned by the caller; free with cp_keypool_free(). */
struct cp_keypool;
int cp_keypool_new(uint64_t seed, int threads, struct cp_keypool **out);
void cp_keypool_free(struct cp_keypool *kp);

/* The private key of an entity as PEM (SEC1 for ECDSA, PKCS#1 for RSA), NUL-terminated. */
int cp_keypool_key_pem(const struct cp_keypool *kp, const struct cp_entity *e, char *buf,
                       size_t cap);

/* DER of every certificate of a graph, index for index. */
struct cp_minted {
    unsigned char **der;
    size_t *len;
    int n;
};
void cp_minted_init(struct cp_minted *mt);
void cp_minted_free(struct cp_minted *mt);

/* Mints every certificate of a finalised graph with mbedTLS's writer. Deterministic: the
 * signing DRBG is seeded with (seed, graph tag), so the same seed and validation time give the
 * same bytes whatever the thread. vtime is the validation time (Unix seconds) that the
 * certificates' relative validity windows are anchored to. The DN of an entity is
 * CN=<label of its name_of entity>, OU=<graph tag>, O=certpath, serialNumber=<16 hex digits
 * of the seed> (so suites from different seeds never share names). Thread-safe. */
int cp_mint_graph(const struct cp_keypool *kp, const struct cp_graph *g, uint64_t seed,
                  int64_t vtime, struct cp_minted *out);

/* ---- building the model (build.c) ---- */

/* Runs the named families (all when n == 0), finalises the model and runs the oracle. */
int cp_generator_build(struct cp_model *m, const char *const *families, int n);

/* One line per case and profile, sorted by id: the checked-in expectations format. */
int cp_generator_write_expectations(const struct cp_model *m, FILE *out);

#endif
