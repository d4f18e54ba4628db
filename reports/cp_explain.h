/*
 * cp_explain.h - `certpath explain CASE`: one case of a suite in the terminal, everything taken
 * from the suite's manifest.json (docs/suite-format.md), nothing re-derived: the graph drawn as a
 * tree from the leaf up (certificates as issuer -> subject edges with their defects, anchors
 * marked), the anchors, the certificates in the order the server sends them, per profile the
 * expected outcome, the valid paths and what ruled out the others, and the shell lines that
 * reproduce the case by hand (openssl verify; certpath serve and curl).
 *
 * Errors: CP_E_NOTFOUND for a missing suite or an unknown case (the message names it and
 * suggests ids that share its beginning), CP_E_FORMAT for a manifest that is not a suite's.
 */
#ifndef CP_EXPLAIN_H
#define CP_EXPLAIN_H

#include <stdio.h>

struct cp_explain_opts {
    const char *suite_dir; /* default "suite" */
    const char *case_id;   /* a case id, or its directory (suite/cases/<id>) */
    FILE *out;
};

int cp_explain(const struct cp_explain_opts *o);

#endif
