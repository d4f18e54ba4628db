/*
 * cp_report_internal.h - what the report writers share (reports-internal): escaping for each
 * output format, a string map, the cases of several runs side by side, and the matrix.
 *
 * Ownership: a map borrows its keys; a grid borrows the results it was built from, which must
 * outlive it. Functions that allocate return 0 or CP_E_NOMEM with a message.
 */
#ifndef CP_REPORT_INTERNAL_H
#define CP_REPORT_INTERNAL_H

#include "cp_manifest.h"
#include "cp_results.h"

#include <stddef.h>
#include <stdio.h>

/* Sets CP_E_FORMAT with "<path>: <message>": a results file that is not what it should be
 * (read.c, merge.c). Returns the code. */
int cp_report_bad_file(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Escapers. Each writes s (NULL counts as "") to out. Invalid UTF-8 becomes U+FFFD and control
 * characters other than tab and newline are dropped, so a library's raw error text can never
 * break the document it lands in. */
void cp_rep_put_xml(FILE *out, const char *s);  /* HTML and XML text and attribute values */
void cp_rep_put_md(FILE *out, const char *s);   /* Markdown text, also inside a table cell */
void cp_rep_put_code(FILE *out, const char *s); /* Markdown inline code, or text if it cannot */
/* A copy of s that is valid UTF-8 without control characters (tab and newline kept), for
 * writers that escape through cJSON; NULL when out of memory. */
char *cp_rep_clean_dup(const char *s);
/* s quoted for a POSIX shell ('...'), into buf; "" when it does not fit. */
const char *cp_rep_shell_quote(const char *s, char *buf, size_t cap);

/* A string -> int map with open addressing. Keys are borrowed. */
struct cp_rep_map {
    size_t cap, n;
    const char **keys;
    int *vals;
};
int cp_rep_map_init(struct cp_rep_map *m, size_t expect);
int cp_rep_map_put(struct cp_rep_map *m, const char *key, int val); /* replaces an old value */
int cp_rep_map_get(const struct cp_rep_map *m, const char *key);    /* -1 when absent */
void cp_rep_map_free(struct cp_rep_map *m);

/* The cases of n runs side by side: row i is one case id (in the order the runs list them,
 * first run first), at[i * n + s] is its index in r[s].cases or -1 when run s lacks it. */
struct cp_rep_grid {
    int n, nrows;
    const char **ids;
    int *at;
    int *prof; /* prof[s]: the profile's index in r[s] */
    struct cp_rep_map index;
};
int cp_rep_grid_build(struct cp_rep_grid *g, const struct cp_results *r, int n,
                      const char *profile);
void cp_rep_grid_free(struct cp_rep_grid *g);
/* The first run's record of row i (the one with expectations, family and features). */
const struct cp_result_case *cp_rep_grid_case(const struct cp_rep_grid *g,
                                              const struct cp_results *r, int row, int *stack);

/* The matrix: BetterTLS's summary columns, each derived from every case that needs the
 * feature; "other" is every case that needs a feature outside the eight. */
#define CP_REP_NCOLS 9
struct cp_rep_column {
    const char *feature; /* NULL for "other" */
    const char *title;   /* "Distrusts SHA-1" */
    const char *abbrev;  /* "sha-1", for the text matrix */
};
extern const struct cp_rep_column cp_rep_columns[CP_REP_NCOLS];

struct cp_rep_cell {
    enum cp_support support;
    int pass, fail, skip, error;
    int probe_pass, probe_fail;
};
struct cp_rep_row {
    struct cp_rep_cell cell[CP_REP_NCOLS];
    int pass, wrong_accept, wrong_reject, skip, error, timeout, crash, total;
};
void cp_rep_matrix_row(const struct cp_results *r, int profile, struct cp_rep_row *row);
/* The name-constraint columns (issue 14): one per name-constraints facet ("nc-*" features,
 * listed by a suite's manifest only when a case has one) that a case of the runs carries, the
 * GeneralName types first, then the placements, then any facet a newer suite adds (titled by
 * its name). A facet nobody carries has no column; no facet, no table. */
#define CP_REP_NC_MAX 16
struct cp_rep_nc {
    int ncols, nforms; /* columns [0, nforms) are GeneralName types, the rest placements */
    struct cp_rep_column col[CP_REP_NC_MAX];
};
void cp_rep_nc_columns(const struct cp_results *r, int n, struct cp_rep_nc *nc);
/* Run r's cells, one per column of nc, counted from every case that carries the facet. */
void cp_rep_nc_row(const struct cp_results *r, int profile, const struct cp_rep_nc *nc,
                   struct cp_rep_cell *cells);
/* A cell's short support mark: "yes", "partial", "no", or "-" when nothing was measured. */
const char *cp_rep_support_word(enum cp_support s);
/* The library and its version in one short phrase ("GnuTLS 3.7.9", "OpenSSL 3.0.22 ..."). */
const char *cp_rep_library(const struct cp_results *r, char *buf, size_t cap);
/* The same, cut before a parenthesis when longer than 24 characters ("Botan 2.19.3"). */
const char *cp_rep_library_short(const struct cp_results *r, char *buf, size_t cap);
/* The suite the runs come from: r[0]'s id, and whether all agree. */
int cp_rep_same_suite(const struct cp_results *r, int n);

/* A suite's manifest.json, for the HTML report's graphs and commands and for `explain`, read
 * and checked by the manifest part (cp_manifest.h). Cases and certificates are found by id and
 * borrowed from man until cp_rep_suite_free (suite_view.c). */
struct cJSON;
struct cp_rep_suite {
    struct cp_manifest man;
    const char *dir; /* borrowed */
    const char *suite_id;
    double vtime; /* validation time, Unix seconds */
};
/* CP_E_NOTFOUND when dir has no manifest.json, CP_E_FORMAT (and the manifest reader's other
 * codes) when it is not a readable suite manifest. */
int cp_rep_suite_load(struct cp_rep_suite *s, const char *dir);
void cp_rep_suite_free(struct cp_rep_suite *s);
const struct cp_manifest_case *cp_rep_suite_case(const struct cp_rep_suite *s, const char *id);
const struct cp_manifest_cert *cp_rep_suite_cert(const struct cp_rep_suite *s, const char *id);
/* A string member of a JSON object, or "" when absent. */
const char *cp_rep_json_str(const struct cJSON *o, const char *key);
/* Draws a case's graph as inline SVG: entities as nodes, certificates as arrows from issuer to
 * subject numbered in the order they are sent, the anchors and the leaf marked, the arrows on a
 * valid path (green) and the certificates at fault (red) under the profile marked (an index
 * into the manifest's profiles; -1 marks none). */
void cp_rep_draw_graph(FILE *out, const struct cp_rep_suite *s, const struct cp_manifest_case *kase,
                       int profile);
/* The <svg> with the arrowheads every graph refers to (written once per page). */
void cp_rep_graph_defs(FILE *out);

/* Checks every run has the profile; sets prof[s]. CP_E_ARG with a message otherwise. */
int cp_rep_profiles(const struct cp_results *r, int n, const char *profile, int *prof);
/* CP_E_IO with a message when out failed. */
int cp_rep_check_stream(FILE *out, const char *what);

#endif
