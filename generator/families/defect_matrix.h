/*
 * defect_matrix.h - the defect matrix shared by the constraints and algorithms families.
 *
 * Sleevi's rule: building and verifying are inseparable. So every defect is placed
 *   (1) alone, on a linear chain, where a client must reject it (when the profile says it is a
 *       defect), and
 *   (2) on one branch of a two-issuer graph whose other branch is good, where a client must
 *       accept and a good builder must find the good branch.
 *
 * Shapes (entities in quotes are labels; "Sub CA" appears at depth 3 only):
 *   alone      Root -> [Sub CA ->] ICA -> Leaf.
 *   bad-branch ICA (depth 2) or Sub CA (depth 3) is certified by Root1 and by Root2: branch
 *              certificates A (Root1->...) and B (Root2->...). The client trusts both roots,
 *              only the good branch's root, or only the bad branch's root.
 *   bad-rekey  Root certifies two intermediates with one name and two keys ("Sub CA" and
 *              "Sub CA.key2"), and both certify ICA: the branch certificates are Sub CA->ICA
 *              and Sub CA.key2->ICA (depth 2) or Root->Sub CA and Root->Sub CA.key2 (depth 3).
 * "depth 2": the defect sits on the leaf issuer's certificate (path position 1, leaf = 0);
 * "depth 3": one level higher, on the cross-sign / the certificate of the issuer's issuer.
 * Position "first" puts the defect on A (sent first in declared order), "second" on B,
 * "both" on both (the defect is on every path: a reject wherever it is a defect).
 * Orders: declared (leaf, then each level, A before B), reversed, and a keyed shuffle; only the
 * orders that give distinct sent lists are emitted.
 *
 * Case ids: <family>/<defect id>/<shape>[/<position>]/depth<N>[/trust-<set>]/<order>; the graph
 * name is the id without the order. Expected outcomes come from the oracle, never from here.
 *
 * Errors: the fb_run_* functions return 0 or the first negative CP_E_* of cp_model_case (whose
 * message is set), or of a graph build step.
 */
#ifndef CP_DEFECT_MATRIX_H
#define CP_DEFECT_MATRIX_H

#include "cp_model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which certificate a defect goes on. */
enum fb_target {
    FB_AT_CA,     /* the branch certificate(s) A / B: an intermediate or cross-sign */
    FB_AT_ANCHOR, /* the self-signed certificate of the root above the bad branch */
    FB_AT_LEAF,   /* the leaf (position does not apply: the graph's branches are all good) */
};

/* How much of the matrix a defect gets: every shape, order, position and trust set (a real
 * defect), or one representative of each shape (a variant that is no defect, or a near twin
 * of one that has the full matrix). */
enum fb_scope { FB_FULL, FB_LIGHT };

/* Depth masks (fb_defect.depths; 0 means both). */
#define FB_DEPTH2 0x1u
#define FB_DEPTH3 0x2u

/* Roles whose entity gets an RSA key (fb_shape.rsa); at most 4 per graph (the key pool). */
#define FB_RSA_ROOT1 0x01u /* Root, or Root1 */
#define FB_RSA_ROOT2 0x02u
#define FB_RSA_SUB 0x04u /* Sub CA (and its rekey) */
#define FB_RSA_ICA 0x08u
#define FB_RSA_LEAF 0x10u

struct fb_defect {
    const char *id;      /* "eku-ca/email-only": the case ids' part after the family */
    const char *summary; /* "CA EKU emailProtection only" */
    uint64_t features;   /* CP_F_* of the defect; shape and order features are added */
    enum fb_target target;
    enum fb_scope scope;
    unsigned depths; /* FB_DEPTH2 | FB_DEPTH3, 0 for both */
    /* Applies the defect to one certificate. other is an entity whose key identifier is a
     * plausible lie (the other branch's issuer, else a decoy CA); only misleading AKIs use it. */
    void (*apply)(struct cp_cert *c, int other);
    const char *san;        /* FB_AT_LEAF: a SAN name of the leaf's own, or NULL */
    bool hostname_mismatch; /* FB_AT_LEAF: the case hostnames stay out of the leaf's SAN */
    bool needs_other;       /* apply uses other: alone shapes get a decoy CA entity */
};

enum fb_kind { FB_ALONE, FB_CROSS, FB_REKEY };
enum fb_pos { FB_NONE, FB_FIRST, FB_SECOND, FB_BOTH };
enum fb_trust { FB_TRUST_BOTH, FB_TRUST_GOOD, FB_TRUST_BAD };

/* One graph of the matrix. */
struct fb_shape {
    enum fb_kind kind;
    int depth; /* 2 or 3 */
    enum fb_pos pos;
    enum fb_trust trust; /* FB_CROSS only; FB_TRUST_BOTH elsewhere */
    unsigned rsa;        /* FB_RSA_* */
};

/* Builds one graph of shape s with defect d (d->apply may be NULL: no defect) and adds a case
 * per distinct order. */
int fb_build(struct cp_model *m, const char *family, const struct fb_defect *d,
             const struct fb_shape *s);

/* Runs the matrix of d->scope over every shape. */
int fb_run_defect(struct cp_model *m, const char *family, const struct fb_defect *d);
int fb_run_defects(struct cp_model *m, const char *family, const struct fb_defect *d, size_t n);

/* Emits the cases of one graph: declared order, reversed and shuffled where those differ.
 * id_prefix is the graph part of the id; spec carries everything but id and sent. */
int fb_add_orders(struct cp_model *m, struct cp_graph *g, const char *id_prefix,
                  const struct cp_case_spec *spec, const int *declared, int n);

/* Defines a defect's apply function from one statement on c (most defects are one field). */
#define FB_SETTER(fn, stmt)                                                                        \
    static void fn(struct cp_cert *c, int other)                                                   \
    {                                                                                              \
        (void)other;                                                                               \
        stmt;                                                                                      \
    }

#endif
