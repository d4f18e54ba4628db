/*
 * test_oracle.c - the reference path builder (generator/oracle.c) on small hand-made graphs
 * whose answer is obvious by hand.
 *
 * One function per graph builds it with the model API and states, for each profile, what the
 * oracle must say: the outcome, the number of valid paths, every valid path as certificate labels
 * (leaf first, the anchor's self-signed certificate last) and the exact set of reasons it saw.
 * Labels are the model's: "Issuer->Subject" for a certificate, the entity's own label for its
 * self-signed one. A comment above each function says why that is the right answer.
 *
 * One ParameterizedTest runs every graph (the parameter is an index into a compile-time table:
 * Criterion re-executes the test binary, so only the parameter's bytes reach the child); every
 * message names the graph and the profile. Besides the stated values, every run also checks
 * that each recorded path is a real chain (each certificate signed by the next one's key, no
 * CA twice, ending at a trusted entity's self-signed certificate), that every recorded
 * rejection's reason is in the mask, and that the oracle is deterministic and agrees with
 * cp_oracle_expect_all().
 */
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#define WANT_PATHS 8    /* valid paths a graph lists by hand; more are checked by count only */
#define RENDER_MAX 1024 /* one path as labels; the deep chain (50 labels of <= 9 chars) fits */
#define LIST_MAX 64     /* labels in one comma-separated list given to trust() or send() */

/* Which profiles an expectation is for. */
enum { RFC = 1 << CP_PROFILE_RFC5280, WEB = 1 << CP_PROFILE_WEBPKI, BOTH = RFC | WEB };

#define R_(code) (UINT64_C(1) << CP_R_##code)

struct want {
    bool set;
    enum cp_outcome outcome;
    long paths_all;
    uint64_t reasons; /* the exact mask */
    const char *paths[WANT_PATHS];
    int npaths;
};

struct fx {
    const char *name;
    struct cp_model m;
    struct cp_graph *g;
    int anchors[CP_MAX_ANCHORS];
    int nanchors;
    int sent[CP_MAX_SENT];
    int nsent;
    bool mismatch;
    struct want want[CP_PROFILE_COUNT];
    char buf[RENDER_MAX]; /* a path label list a builder computes (the deep chain) */
};

/* ---- building graphs by label ---- */

static int find_entity(const struct fx *f, const char *label)
{
    for (int i = 0; i < f->g->nentities; i++) {
        if (strcmp(f->g->entities[i].label, label) == 0)
            return i;
    }
    return -1;
}

/* The entity with that label, made (ECDSA P-256, its own name) on first use. */
static int entity(struct fx *f, const char *label)
{
    int e = find_entity(f, label);
    if (e < 0)
        e = cp_graph_entity(f->g, label);
    cr_assert_geq(e, 0, "%s: entity %s: %s", f->name, label, cp_error_msg(f->g->err));
    return e;
}

/* A new key under old's name (RFC 4210 4.4 root key update; any CA may roll its key). */
static int rekey(struct fx *f, const char *old, const char *label)
{
    int e = cp_graph_rekey(f->g, entity(f, old), label);
    cr_assert_geq(e, 0, "%s: rekey %s: %s", f->name, label, cp_error_msg(f->g->err));
    return e;
}

static int ca(struct fx *f, const char *issuer, const char *subject)
{
    int c = cp_graph_ca(f->g, entity(f, issuer), entity(f, subject));
    cr_assert_geq(c, 0, "%s: %s->%s: %s", f->name, issuer, subject, cp_error_msg(f->g->err));
    return c;
}

static int root(struct fx *f, const char *label)
{
    int c = cp_graph_root(f->g, entity(f, label));
    cr_assert_geq(c, 0, "%s: root %s: %s", f->name, label, cp_error_msg(f->g->err));
    return c;
}

static int leaf(struct fx *f, const char *issuer, const char *subject)
{
    int c = cp_graph_leaf(f->g, entity(f, issuer), entity(f, subject));
    cr_assert_geq(c, 0, "%s: leaf %s->%s: %s", f->name, issuer, subject, cp_error_msg(f->g->err));
    return c;
}

/* A certificate's attributes by label. The pointer is valid until the next certificate is
 * added, so builders tweak after building. */
static struct cp_cert *cert(struct fx *f, const char *label)
{
    int c = cp_graph_find(f->g, label);
    cr_assert_geq(c, 0, "%s: no certificate labelled %s", f->name, label);
    return cp_graph_cert_at(f->g, c);
}

/* Splits "a, b, c" into labels; returns how many. */
static int split(const struct fx *f, const char *list, char out[][CP_LABEL_MAX], int max)
{
    int n = 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        cr_assert(n < max && len > 0 && len < CP_LABEL_MAX, "%s: bad label list \"%s\"", f->name,
                  list);
        memcpy(out[n], p, len);
        out[n++][len] = '\0';
        p = end ? end + 1 : p + strlen(p);
    }
    return n;
}

/* The entities the client trusts (made on first use: an unrelated anchor needs no edges). */
static void trust(struct fx *f, const char *entities)
{
    char labels[LIST_MAX][CP_LABEL_MAX];
    int n = split(f, entities, labels, CP_MAX_ANCHORS - f->nanchors);
    for (int i = 0; i < n; i++)
        f->anchors[f->nanchors++] = entity(f, labels[i]);
}

/* The certificates the server sends, in order; the first is the target. */
static void send(struct fx *f, const char *certs)
{
    char labels[LIST_MAX][CP_LABEL_MAX];
    int room = CP_MAX_SENT - f->nsent;
    int n = split(f, certs, labels, room < LIST_MAX ? room : LIST_MAX);
    for (int i = 0; i < n; i++) {
        int c = cp_graph_find(f->g, labels[i]);
        cr_assert_geq(c, 0, "%s: sends unknown certificate %s", f->name, labels[i]);
        f->sent[f->nsent++] = c;
    }
}

static void want_set(struct fx *f, int profiles, enum cp_outcome outcome, long paths_all,
                     uint64_t reasons, const char *const *paths)
{
    for (int p = 0; p < CP_PROFILE_COUNT; p++) {
        if (!(profiles & (1 << p)))
            continue;
        struct want *w = &f->want[p];
        memset(w, 0, sizeof(*w));
        w->set = true;
        w->outcome = outcome;
        w->paths_all = paths_all;
        w->reasons = reasons;
        for (int i = 0; paths && paths[i]; i++) {
            cr_assert_lt(w->npaths, WANT_PATHS, "%s: too many paths listed", f->name);
            w->paths[w->npaths++] = paths[i];
        }
    }
}

/* ACCEPT lists every valid path ("leaf, ..., anchor"); NULL lists none (count only). */
#define ACCEPT(f, profiles, paths_all, reasons, ...)                                               \
    want_set(f, profiles, CP_OUTCOME_ACCEPT, paths_all, reasons,                                   \
             (const char *const[]){__VA_ARGS__, NULL})
#define REJECT(f, profiles, reasons) want_set(f, profiles, CP_OUTCOME_REJECT, 0, reasons, NULL)

/* ---- checking the oracle's answer ---- */

static void render_path(const struct cp_graph *g, const struct cp_path *p, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < p->len && len < cap; i++) {
        int n = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", g->certs[p->certs[i]].label);
        if (n < 0)
            break;
        len += (size_t)n;
    }
}

static void render_reasons(uint64_t mask, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int r = 0; r < CP_REASON_COUNT && len < cap; r++) {
        if (!(mask & (UINT64_C(1) << r)))
            continue;
        int n = snprintf(out + len, cap - len, "%s%s", len ? "," : "",
                         cp_reason_name((enum cp_reason)r));
        if (n < 0)
            break;
        len += (size_t)n;
    }
}

static bool trusted(const struct cp_case *c, int entity)
{
    for (int i = 0; i < c->nanchors; i++) {
        if (c->anchors[i] == entity)
            return true;
    }
    return false;
}

/* A recorded path must be a chain a client could verify: the target first; each certificate
 * signed by the key of the next one's subject; no CA (name and key) twice (RFC 4158 2.4.2 and
 * 5.2); the last one a trusted entity's self-signed certificate, standing for the anchor. */
static void check_chain(const char *what, const struct cp_graph *g, const struct cp_case *c,
                        const struct cp_path *p)
{
    cr_assert_geq(p->len, 2, "%s: a path of %d certificates", what, p->len);
    cr_expect_eq(p->certs[0], c->leaf, "%s: the path does not start at the target", what);
    const struct cp_cert *last = &g->certs[p->certs[p->len - 1]];
    cr_expect(last->issuer == last->subject && trusted(c, last->subject),
              "%s: the path ends at %s, not a trusted self-signed certificate", what, last->label);
    for (int i = 0; i + 1 < p->len; i++) {
        const struct cp_cert *child = &g->certs[p->certs[i]], *parent = &g->certs[p->certs[i + 1]];
        cr_expect_eq(child->issuer, parent->subject, "%s: %s is not signed by %s's key", what,
                     child->label, parent->label);
        for (int j = i + 1; j + 1 < p->len; j++) {
            cr_expect_neq(g->certs[p->certs[j]].subject, child->subject,
                          "%s: the CA of %s appears twice", what, child->label);
        }
    }
}

static void check_profile(struct fx *f, const struct cp_graph *g, const struct cp_case *c,
                          enum cp_profile p, struct cp_expect *e)
{
    const struct want *w = &f->want[p];
    char what[128];
    snprintf(what, sizeof(what), "%s/%s", f->name, cp_profile_name(p));
    cr_assert(w->set, "%s: the graph states no expectation for this profile", what);

    int rc = cp_oracle_expect(g, c, p, e);
    cr_assert_eq(rc, 0, "%s: cp_oracle_expect failed: %s", what, cp_error_msg(rc));

    cr_expect_eq(e->outcome, w->outcome, "%s: outcome %s, want %s", what,
                 e->outcome == CP_OUTCOME_ACCEPT ? "accept" : "reject",
                 w->outcome == CP_OUTCOME_ACCEPT ? "accept" : "reject");
    cr_expect_eq(e->paths_all, w->paths_all, "%s: %ld valid paths, want %ld", what, e->paths_all,
                 w->paths_all);
    long recorded = w->paths_all < CP_MAX_PATHS ? w->paths_all : CP_MAX_PATHS;
    cr_expect_eq(e->npaths, recorded, "%s: %d paths recorded, want %ld", what, e->npaths, recorded);

    char got_r[512], want_r[512];
    render_reasons(e->reasons, got_r, sizeof(got_r));
    render_reasons(w->reasons, want_r, sizeof(want_r));
    cr_expect_eq(e->reasons, w->reasons, "%s: reasons {%s}, want {%s}", what, got_r, want_r);
    for (int i = 0; i < e->nrejected; i++) {
        cr_expect(e->reasons & (UINT64_C(1) << e->rejected[i].reason),
                  "%s: rejection %d (%s) is missing from the mask", what, i,
                  cp_reason_name(e->rejected[i].reason));
    }
    cr_expect_geq(e->rejected_all, e->nrejected, "%s: fewer rejections counted than recorded",
                  what);
    cr_expect_eq(e->nrejected,
                 e->rejected_all < CP_MAX_REJECTED ? e->rejected_all : CP_MAX_REJECTED,
                 "%s: %d rejections recorded of %ld", what, e->nrejected, e->rejected_all);

    static char got[CP_MAX_PATHS][RENDER_MAX]; /* static: 16 KiB kept off the stack */
    for (int i = 0; i < e->npaths && i < CP_MAX_PATHS; i++) {
        render_path(g, &e->paths[i], got[i], sizeof(got[i]));
        check_chain(what, g, c, &e->paths[i]);
        for (int j = 0; j < i; j++)
            cr_expect_str_neq(got[i], got[j], "%s: path recorded twice: %s", what, got[i]);
    }
    /* Every valid path is listed by hand when there are few enough to list. */
    if (w->paths_all <= WANT_PATHS)
        cr_assert_eq(w->npaths, w->paths_all, "%s: the test lists %d of %ld paths", what, w->npaths,
                     w->paths_all);
    for (int k = 0; k < w->npaths; k++) {
        int seen = 0;
        for (int i = 0; i < e->npaths; i++)
            seen += strcmp(got[i], w->paths[k]) == 0;
        cr_expect_eq(seen, 1, "%s: path [%s] found %d times", what, w->paths[k], seen);
    }
    for (int i = 0; i < e->npaths && w->npaths > 0; i++) {
        bool listed = false;
        for (int k = 0; k < w->npaths && !listed; k++)
            listed = strcmp(got[i], w->paths[k]) == 0;
        cr_expect(listed, "%s: unexpected path [%s]", what, got[i]);
    }

    /* Deterministic: the same question gives the same bytes. */
    struct cp_expect again;
    cr_assert_eq(cp_oracle_expect(g, c, p, &again), 0, "%s: second run failed", what);
    cr_expect(memcmp(e, &again, sizeof(again)) == 0, "%s: a second run differs", what);
}

/* Adds the builder's case, finalises the model, and checks both profiles. */
static void run(struct fx *f)
{
    char id[CP_ID_MAX];
    snprintf(id, sizeof(id), "oracle/%s", f->name);
    cr_assert_gt(f->nsent, 0, "%s: the graph sends nothing", f->name);
    struct cp_case_spec spec = {
        .id = id,
        .summary = f->name,
        .leaf = f->sent[0],
        .anchors = f->anchors,
        .nanchors = f->nanchors,
        .sent = f->sent,
        .nsent = f->nsent,
        .hostname_mismatch = f->mismatch,
    };
    int rc = cp_model_case(&f->m, f->g, &spec);
    cr_assert_eq(rc, 0, "%s: cp_model_case: %s", f->name, cp_error_msg(rc));
    rc = cp_model_finalise(&f->m);
    cr_assert_eq(rc, 0, "%s: cp_model_finalise: %s", f->name, cp_error_msg(rc));
    cr_assert_eq(f->m.ncases, 1);

    const struct cp_graph *g = &f->m.graphs[0];
    struct cp_case *c = &f->m.cases[0];
    struct cp_expect e[CP_PROFILE_COUNT];
    for (int p = 0; p < CP_PROFILE_COUNT; p++)
        check_profile(f, g, c, (enum cp_profile)p, &e[p]);

    rc = cp_oracle_expect_all(&f->m);
    cr_assert_eq(rc, 0, "%s: cp_oracle_expect_all: %s", f->name, cp_error_msg(rc));
    for (int p = 0; p < CP_PROFILE_COUNT; p++)
        cr_expect(memcmp(&c->expect[p], &e[p], sizeof(e[p])) == 0,
                  "%s/%s: cp_oracle_expect_all disagrees with cp_oracle_expect", f->name,
                  cp_profile_name((enum cp_profile)p));
}

/* ---- the graphs ---- */

/* Root R -> intermediate I -> leaf EE, trusting R and sending leaf and I: the shape most of the
 * defect graphs below start from. */
static void linear(struct fx *f)
{
    ca(f, "R", "I");
    leaf(f, "I", "EE");
    trust(f, "R");
    send(f, "I->EE, R->I");
}

/* R1 and R2 both issued I (the Let's Encrypt R3 shape); the client trusts both. */
static void two_roots(struct fx *f)
{
    ca(f, "R1", "I");
    ca(f, "R2", "I");
    leaf(f, "I", "EE");
    trust(f, "R1, R2");
    send(f, "I->EE, R1->I, R2->I");
}

/* A chain that validates under RFC 5280 6.1 (every check of 6.1.3 and 6.1.4 holds) and has one
 * path: leaf, I, and the anchor R. */
static void g_linear(struct fx *f)
{
    linear(f);
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* A leaf issued by the anchor itself: the path is the leaf and the anchor (RFC 5280 6.1: n = 1). */
static void g_leaf_by_anchor(struct fx *f)
{
    leaf(f, "R", "EE");
    trust(f, "R");
    send(f, "R->EE");
    ACCEPT(f, BOTH, 1, 0, "R->EE, R");
}

/* The chain ends at R, which the client does not trust (it trusts an unrelated T): the client
 * has no certificate issued to R, so the search dead-ends there (RFC 4158 5.1). */
static void g_untrusted_root(struct fx *f)
{
    linear(f);
    f->nanchors = 0;
    trust(f, "T");
    REJECT(f, BOTH, R_(NO_ISSUER));
}

/* The same with R's self-signed certificate sent too: a self-signed certificate of a CA
 * already on the path is no new issuer, so it still ends with no issuer, never a loop. */
static void g_untrusted_root_sent(struct fx *f)
{
    ca(f, "R", "I");
    leaf(f, "I", "EE");
    root(f, "R");
    trust(f, "T");
    send(f, "I->EE, R->I, R");
    REJECT(f, BOTH, R_(NO_ISSUER));
}

/* The server leaves out I: the client has no certificate issued to I (RFC 4158 5.1), and the
 * profiles fetch nothing through AIA (docs/profiles.md). */
static void g_missing_intermediate(struct fx *f)
{
    ca(f, "R", "I");
    leaf(f, "I", "EE");
    trust(f, "R");
    send(f, "I->EE");
    REJECT(f, BOTH, R_(NO_ISSUER));
}

/* RFC 5280 6.1.3 (a)(2): the validation time must fall within every certificate's validity;
 * the leaf expired an hour ago. */
static void g_leaf_expired(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->not_after = -CP_HOUR;
    REJECT(f, BOTH, R_(EXPIRED));
}

/* RFC 5280 6.1.3 (a)(2): the leaf's notBefore is an hour after the validation time. */
static void g_leaf_not_yet_valid(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->not_before = CP_HOUR;
    REJECT(f, BOTH, R_(NOT_YET_VALID));
}

/* RFC 6125 6.4: the hostname the client asked for is not among the leaf's DNS names (the model
 * leaves it out of the SAN), so the server is not identified whatever the path. */
static void g_hostname_mismatch(struct fx *f)
{
    linear(f);
    f->mismatch = true;
    REJECT(f, BOTH, R_(HOSTNAME));
}

/* RFC 5280 4.2: a critical extension the client does not recognise makes the leaf unusable. */
static void g_leaf_unknown_critical(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->unknown_critical_ext = true;
    REJECT(f, BOTH, R_(UNKNOWN_CRITICAL));
}

/* A v1 leaf has no extensions (RFC 5280 4.1.2.1), so no subjectAltName: the hostname cannot
 * match (RFC 6125 6.4.4 allows the CN only to clients that chose to, and the CN is "EE"). */
static void g_leaf_v1(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->version = 1;
    REJECT(f, BOTH, R_(HOSTNAME));
}

/* RFC 5280 6.1.3 (a)(2) for an intermediate: R->I expired and nothing else issues I. */
static void g_ica_expired(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->not_after = -CP_HOUR;
    REJECT(f, BOTH, R_(EXPIRED));
}

/* RFC 5280 6.1.3 (a)(2): R->I becomes valid only in an hour. */
static void g_ica_not_yet_valid(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->not_before = CP_HOUR;
    REJECT(f, BOTH, R_(NOT_YET_VALID));
}

/* Two issuers of I; with both good there are two paths, one per anchor (RFC 4158 2.2,
 * criterion 1: a builder can find every path). */
static void g_two_roots(struct fx *f)
{
    two_roots(f);
    ACCEPT(f, BOTH, 2, 0, "I->EE, R1->I, R1", "I->EE, R2->I, R2");
}

/* Two issuers, R1->I expired: the builder backtracks to R2 (RFC 4158 2.3), one path; the expiry
 * is still reported for the branch it ruled out. */
static void g_two_roots_one_expired(struct fx *f)
{
    two_roots(f);
    cert(f, "R1->I")->not_after = -CP_HOUR;
    ACCEPT(f, BOTH, 1, R_(EXPIRED), "I->EE, R2->I, R2");
}

/* Both branches bad for different reasons (R1->I expired, R2->I has cA=false): no path, and the
 * reject names both reasons (RFC 5280 6.1.3 (a)(2) and 6.1.4 (k)). */
static void g_two_roots_both_bad(struct fx *f)
{
    two_roots(f);
    cert(f, "R1->I")->not_after = -CP_HOUR;
    cert(f, "R2->I")->bc = CP_BC_NOT_CA;
    REJECT(f, BOTH, R_(EXPIRED) | R_(NOT_CA));
}

/* RFC 5280 6.1.4 (k): a v3 intermediate needs basicConstraints with cA TRUE; here cA=FALSE. */
static void g_ica_not_ca(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->bc = CP_BC_NOT_CA;
    REJECT(f, BOTH, R_(NOT_CA));
}

/* RFC 5280 6.1.4 (k): the extension is absent altogether. */
static void g_ica_no_basic_constraints(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->bc = CP_BC_ABSENT;
    REJECT(f, BOTH, R_(NO_BASIC_CONSTRAINTS));
}

/* RFC 5280 6.1.4 (k): a v1 intermediate can carry no basicConstraints, and the client has no
 * out-of-band knowledge that it is a CA, so it must reject it. */
static void g_ica_v1(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->version = 1;
    REJECT(f, BOTH, R_(V1_CA));
}

/* RFC 5280 4.2.1.9: pathLenConstraint 0 on R->I allows no intermediate below I; the leaf does
 * not count, so this path is valid. */
static void g_pathlen0_ok(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->path_len = 0;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* RFC 5280 6.1.4 (l)-(m): R->I1 has pathLen 0 but I1->I2 is one more (non-self-issued) CA below
 * it. */
static void g_pathlen0_violated(struct fx *f)
{
    ca(f, "R", "I1");
    ca(f, "I1", "I2");
    leaf(f, "I2", "EE");
    trust(f, "R");
    send(f, "I2->EE, I1->I2, R->I1");
    cert(f, "R->I1")->path_len = 0;
    REJECT(f, BOTH, R_(PATH_LEN));
}

/* RFC 5280 4.2.1.9 and 6.1.4 (l): self-issued intermediates do not count against pathLen. A
 * rolled its key: A->A2 is its old key certifying the new one (same name), and the leaf is
 * signed by the new key, so R->A (pathLen 0) has only a self-issued CA below it: valid. R->A is
 * also tried for the leaf and fails with the wrong key, which the mask records. */
static void g_pathlen0_self_issued(struct fx *f)
{
    ca(f, "R", "A");
    rekey(f, "A", "A2");
    ca(f, "A", "A2");
    leaf(f, "A2", "EE");
    trust(f, "R");
    send(f, "A2->EE, A->A2, R->A");
    cert(f, "R->A")->path_len = 0;
    ACCEPT(f, BOTH, 1, R_(WRONG_KEY), "A2->EE, A->A2, R->A, R");
}

/* RFC 5280 6.1.4 (n): keyUsage is present on R->I without keyCertSign, so I may not sign
 * certificates. */
static void g_ku_no_cert_sign(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->key_usage = CP_KU_DIGITAL_SIGNATURE;
    REJECT(f, BOTH, R_(NO_KEY_CERT_SIGN));
}

/* RFC 5280 6.1.4 (n) applies only when keyUsage is present: without it the CA is fine. */
static void g_ku_absent_on_ca(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->key_usage = 0;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* RFC 5280 4.2.1.12 gives EKU in a CA certificate no meaning, so rfc5280 accepts; the Web PKI
 * (Mozilla, rustls) reads it as a limit on what the CA may issue, and emailProtection alone
 * leaves no serverAuth. */
static void g_ca_eku_email(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->eku = CP_EKU_EMAIL;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(EKU_CA));
}

/* anyExtendedKeyUsage on the CA: ignored by rfc5280; the webpki profile as documented
 * (docs/profiles.md) lets it stand for serverAuth, so both accept. */
static void g_ca_eku_any(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->eku = CP_EKU_ANY;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* serverAuth on the CA: no restriction on a TLS server leaf in either profile. */
static void g_ca_eku_server(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->eku = CP_EKU_SERVER_AUTH;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* RFC 5280 4.2.1.12: a leaf whose EKU lists clientAuth only may not be used as a TLS server. */
static void g_leaf_eku_client(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->eku = CP_EKU_CLIENT_AUTH;
    REJECT(f, BOTH, R_(EKU_LEAF));
}

/* RFC 5280 4.2.1.12 lets anyExtendedKeyUsage stand for every purpose; the Web PKI requires
 * serverAuth itself (CA/B Forum BR 7.1.2.7.10 forbids anyEKU in server leaves). */
static void g_leaf_eku_any(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->eku = CP_EKU_ANY;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(EKU_LEAF));
}

/* RFC 5280 4.2.1.10 and 6.1.3 (b): I is permitted only example.org; the leaf's name is under
 * certpath.test, outside every permitted subtree. */
static void g_nc_permitted_excludes_leaf(struct fx *f)
{
    linear(f);
    struct cp_cert *x = cert(f, "R->I");
    snprintf(x->nc_permitted[0], CP_HOST_MAX, "example.org");
    x->npermitted = 1;
    REJECT(f, BOTH, R_(NAME_CONSTRAINTS));
}

/* RFC 5280 4.2.1.10: a DNS subtree holds every name made by adding labels on the left, so
 * certpath.test permits the leaf's h....certpath.test. */
static void g_nc_permitted_includes_leaf(struct fx *f)
{
    linear(f);
    struct cp_cert *x = cert(f, "R->I");
    snprintf(x->nc_permitted[0], CP_HOST_MAX, "example.org");
    snprintf(x->nc_permitted[1], CP_HOST_MAX, "CertPath.Test");
    x->npermitted = 2;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* RFC 5280 6.1.3 (c): the leaf's name is within an excluded subtree, which wins even though no
 * permitted list exists. */
static void g_nc_excluded_matches(struct fx *f)
{
    linear(f);
    struct cp_cert *x = cert(f, "R->I");
    snprintf(x->nc_excluded[0], CP_HOST_MAX, "certpath.test");
    x->nexcluded = 1;
    REJECT(f, BOTH, R_(NAME_CONSTRAINTS));
}

/* RFC 5280 4.2.1.10: "xcertpath.test" is not a subtree of the leaf's name (labels, not
 * characters), so excluding it excludes nothing here. */
static void g_nc_excluded_other(struct fx *f)
{
    linear(f);
    struct cp_cert *x = cert(f, "R->I");
    snprintf(x->nc_excluded[0], CP_HOST_MAX, "xcertpath.test");
    snprintf(x->nc_excluded[1], CP_HOST_MAX, "test.certpath.test");
    x->nexcluded = 2;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* Name constraints in the anchor's own certificate: RFC 5280 6.1.1 (d) makes the anchor a name
 * and a key, so rfc5280 ignores them; the Web PKI (Mozilla, rustls) applies them. */
static void g_nc_on_anchor(struct fx *f)
{
    linear(f);
    struct cp_cert *x = cp_graph_cert_at(f->g, root(f, "R"));
    snprintf(x->nc_permitted[0], CP_HOST_MAX, "example.org");
    x->npermitted = 1;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(NAME_CONSTRAINTS));
}

/* The anchor's certificate expired: its validity is no part of RFC 5280's trust anchor
 * (6.1.1 (d)), so rfc5280 accepts; the webpki profile treats an expired anchor as unusable. */
static void g_anchor_expired(struct fx *f)
{
    linear(f);
    cp_graph_cert_at(f->g, root(f, "R"))->not_after = -CP_HOUR;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(ANCHOR_EXPIRED));
}

/* The anchor's certificate is not valid yet: the same split as an expired anchor. */
static void g_anchor_not_yet_valid(struct fx *f)
{
    linear(f);
    cp_graph_cert_at(f->g, root(f, "R"))->not_before = CP_HOUR;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(ANCHOR_NOT_YET_VALID));
}

/* The expired anchor's certificate is also sent. rfc5280 stops at the anchor. webpki finds the
 * anchor unusable, then tries the sent self-signed certificate as an ordinary intermediate
 * issued by R, which fails RFC 5280 6.1.3 (a)(2) itself: both reasons are recorded. */
static void g_anchor_expired_and_sent(struct fx *f)
{
    linear(f);
    cp_graph_cert_at(f->g, root(f, "R"))->not_after = -CP_HOUR;
    f->nsent = 0;
    send(f, "I->EE, R->I, R");
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(ANCHOR_EXPIRED) | R_(EXPIRED));
}

/* Let's Encrypt, 30 September 2021: R3 is issued by ISRG Root X1, which DST Root CA X3 (now
 * expired) cross-signed; the server sends the cross-sign. A client trusting both stops at ISRG
 * (a path ends at the first usable anchor; RFC 5280 6.1 validates from the anchor down, so
 * nothing above it belongs to the path), and the expired DST never matters: one path in both
 * profiles. */
static void g_le_2021(struct fx *f)
{
    ca(f, "DST", "ISRG");
    ca(f, "ISRG", "R3");
    leaf(f, "R3", "EE");
    cp_graph_cert_at(f->g, root(f, "DST"))->not_after = -CP_HOUR;
    trust(f, "ISRG, DST");
    send(f, "R3->EE, ISRG->R3, DST->ISRG");
    ACCEPT(f, BOTH, 1, 0, "R3->EE, ISRG->R3, ISRG");
}

/* The same chain for a client that trusts only DST (old Android): rfc5280 accepts through the
 * cross-sign (the anchor's expiry is not checked); webpki has no usable anchor. */
static void g_le_2021_dst_only(struct fx *f)
{
    ca(f, "DST", "ISRG");
    ca(f, "ISRG", "R3");
    leaf(f, "R3", "EE");
    cp_graph_cert_at(f->g, root(f, "DST"))->not_after = -CP_HOUR;
    trust(f, "DST");
    send(f, "R3->EE, ISRG->R3, DST->ISRG");
    ACCEPT(f, RFC, 1, 0, "R3->EE, ISRG->R3, DST->ISRG, DST");
    REJECT(f, WEB, R_(ANCHOR_EXPIRED));
}

/* An expired anchor A that another anchor B cross-signed: rfc5280 stops at A; webpki finds A
 * unusable and goes on through B->A to B (the oracle's documented fallback), a different,
 * longer path. */
static void g_expired_anchor_cross_signed(struct fx *f)
{
    ca(f, "A", "I");
    ca(f, "B", "A");
    leaf(f, "I", "EE");
    cp_graph_cert_at(f->g, root(f, "A"))->not_after = -CP_HOUR;
    trust(f, "A, B");
    send(f, "I->EE, A->I, B->A");
    ACCEPT(f, RFC, 1, 0, "I->EE, A->I, A");
    ACCEPT(f, WEB, 1, R_(ANCHOR_EXPIRED), "I->EE, A->I, B->A, B");
}

/* R->I is signed with SHA-1: RFC 5280 (with RFC 3279) still defines it; the Web PKI distrusts
 * SHA-1 signatures. */
static void g_sha1_ica(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->sig_alg = CP_SIG_SHA1;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(SHA1));
}

/* A SHA-1 leaf signature: the same split, on the first signature of the path. */
static void g_sha1_leaf(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->sig_alg = CP_SIG_SHA1;
    ACCEPT(f, RFC, 1, 0, "I->EE, R->I, R");
    REJECT(f, WEB, R_(SHA1));
}

/* Algorithm agility: R1->I is SHA-1, R2->I SHA-256. rfc5280 has both paths; webpki rules out the
 * SHA-1 one and keeps the other (RFC 4158 2.3: backtrack past a failed branch). */
static void g_sha1_ica_alternative(struct fx *f)
{
    two_roots(f);
    cert(f, "R1->I")->sig_alg = CP_SIG_SHA1;
    ACCEPT(f, RFC, 2, 0, "I->EE, R1->I, R1", "I->EE, R2->I, R2");
    ACCEPT(f, WEB, 1, R_(SHA1), "I->EE, R2->I, R2");
}

/* SHA-1 only on the anchor's self-signature: the anchor is trusted as a name and a key (RFC 5280
 * 6.1.1 (d)); its self-signature is never verified, so neither profile cares. */
static void g_sha1_anchor_self_signature(struct fx *f)
{
    linear(f);
    cp_graph_cert_at(f->g, root(f, "R"))->sig_alg = CP_SIG_SHA1;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* A SHA-1 signature whose bytes are also wrong: rfc5280 computes it and finds it bad; webpki
 * refuses the algorithm before computing anything, as it would an unknown one. */
static void g_sha1_corrupt(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->sig_alg = CP_SIG_SHA1;
    cert(f, "R->I")->sig_corrupt = true;
    REJECT(f, RFC, R_(BAD_SIGNATURE));
    REJECT(f, WEB, R_(SHA1));
}

/* RFC 5280 6.1.3 (a)(1): the signature on R->I uses an algorithm no client implements, so it
 * cannot be verified. */
static void g_unknown_sig_alg(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->sig_alg = CP_SIG_UNKNOWN;
    REJECT(f, BOTH, R_(UNKNOWN_ALG));
}

/* RFC 5280 6.1.3 (a)(1): one bit of R->I's signature is flipped. */
static void g_corrupt_signature(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->sig_corrupt = true;
    REJECT(f, BOTH, R_(BAD_SIGNATURE));
}

/* The same on the leaf's signature. */
static void g_corrupt_leaf_signature(struct fx *f)
{
    linear(f);
    cert(f, "I->EE")->sig_corrupt = true;
    REJECT(f, BOTH, R_(BAD_SIGNATURE));
}

/* Key rollover: I (old key) and I2 (new key) share a name; the leaf is signed by I2 but the
 * server sends only R->I. The name matches, the signature cannot (RFC 4158 3.5.12: key
 * identifiers would have told them apart). */
static void g_rollover_old_key_only(struct fx *f)
{
    ca(f, "R", "I");
    rekey(f, "I", "I2");
    ca(f, "R", "I2");
    leaf(f, "I2", "EE");
    trust(f, "R");
    send(f, "I2->EE, R->I");
    REJECT(f, BOTH, R_(WRONG_KEY));
}

/* Both certificates sent: the builder tries R->I (wrong key), then R->I2 (right key). */
static void g_rollover_both_keys(struct fx *f)
{
    ca(f, "R", "I");
    rekey(f, "I", "I2");
    ca(f, "R", "I2");
    leaf(f, "I2", "EE");
    trust(f, "R");
    send(f, "I2->EE, R->I, R->I2");
    ACCEPT(f, BOTH, 1, R_(WRONG_KEY), "I2->EE, R->I2, R");
}

/* Root key rollover (RFC 4210 4.4): the client trusts A's old key; the chain is issued under
 * A's new key A2 and carries the NewWithOld link A->A2 (the new key signed by the old one). The
 * anchor named A fails I's signature (wrong key), so the builder goes on through A->A2 to the old
 * key. */
static void g_anchor_rollover(struct fx *f)
{
    root(f, "A");
    rekey(f, "A", "A2");
    ca(f, "A", "A2");
    ca(f, "A2", "I");
    leaf(f, "I", "EE");
    trust(f, "A");
    send(f, "I->EE, A2->I, A->A2");
    ACCEPT(f, BOTH, 1, R_(WRONG_KEY), "I->EE, A2->I, A->A2, A");
}

/* The client trusts both keys of a rolled-over root A (A and A2 share the name): I's signature
 * fails under A's key and verifies under A2's, so one path, ending at A2's certificate. */
static void g_anchor_both_keys(struct fx *f)
{
    root(f, "A");
    rekey(f, "A", "A2");
    root(f, "A2");
    ca(f, "A2", "I");
    leaf(f, "I", "EE");
    trust(f, "A, A2");
    send(f, "I->EE, A2->I");
    ACCEPT(f, BOTH, 1, R_(WRONG_KEY), "I->EE, A2->I, A2");
}

/* R re-issued its certificate for I (same name, same key; the model labels it R->I#2) after
 * the first one expired: two certificates for one edge are two candidates (RFC 4158 2.4.1
 * compares certificates, not edges), and the valid one makes the path. */
static void g_reissued_intermediate(struct fx *f)
{
    linear(f);
    ca(f, "R", "I");
    cert(f, "R->I")->not_after = -CP_HOUR;
    send(f, "R->I#2");
    ACCEPT(f, BOTH, 1, R_(EXPIRED), "I->EE, R->I#2, R");
}

/* A v1 anchor certificate: the anchor is its name and key in rfc5280 (6.1.1 (d)), and the webpki
 * profile looks only at its validity and name constraints, so the missing basicConstraints
 * that would rule out a v1 intermediate (g_ica_v1) do not matter. */
static void g_anchor_v1(struct fx *f)
{
    linear(f);
    cp_graph_cert_at(f->g, root(f, "R"))->version = 1;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* Likewise cA=FALSE and no keyCertSign in the anchor's own certificate: not checked. */
static void g_anchor_not_ca(struct fx *f)
{
    linear(f);
    struct cp_cert *x = cp_graph_cert_at(f->g, root(f, "R"));
    x->bc = CP_BC_NOT_CA;
    x->key_usage = CP_KU_DIGITAL_SIGNATURE;
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* A and C cross-certify each other; C issued the leaf; the only anchor T is unconnected. The
 * search goes leaf, A->C, C->A and stops there, as C is already on the path (RFC 4158 5.2):
 * it terminates and rejects. */
static void g_cycle2_no_anchor(struct fx *f)
{
    ca(f, "A", "C");
    ca(f, "C", "A");
    leaf(f, "C", "EE");
    trust(f, "T");
    send(f, "C->EE, A->C, C->A");
    REJECT(f, BOTH, R_(CYCLE));
}

/* The same loop with T->A: exactly one path, through A->C and T->A; the branch into C->A
 * loops back to C. */
static void g_cycle2_anchor(struct fx *f)
{
    ca(f, "A", "C");
    ca(f, "C", "A");
    ca(f, "T", "A");
    leaf(f, "C", "EE");
    trust(f, "T");
    send(f, "C->EE, A->C, C->A, T->A");
    ACCEPT(f, BOTH, 1, R_(CYCLE), "C->EE, A->C, T->A, T");
}

/* The loop with T certifying both A and C: two paths (via T->C directly, and via A->C, T->A);
 * the detour C->A ends in the loop back to C, whichever of C's issuers comes next. */
static void g_cycle2_anchor_both(struct fx *f)
{
    ca(f, "A", "C");
    ca(f, "C", "A");
    ca(f, "T", "A");
    ca(f, "T", "C");
    leaf(f, "C", "EE");
    trust(f, "T");
    send(f, "C->EE, A->C, C->A, T->A, T->C");
    ACCEPT(f, BOTH, 2, R_(CYCLE), "C->EE, T->C, T", "C->EE, A->C, T->A, T");
}

/* RFC 4158 2.3 figure 7 (BetterTLS FIGURE_SEVEN, in its order): A and C cross-certify, both
 * issued B, the anchor issued both. Rendered as a tree from the anchor, the figure has exactly
 * four leaves EE: TA-A-B, TA-A-C-B, TA-C-A-B, TA-C-B. */
static void figure7(struct fx *f)
{
    leaf(f, "B", "EE");
    ca(f, "C", "B");
    ca(f, "A", "B");
    ca(f, "C", "A");
    ca(f, "A", "C");
    ca(f, "TA", "C");
    ca(f, "TA", "A");
    trust(f, "TA");
    send(f, "B->EE, C->B, A->B, C->A, A->C, TA->C, TA->A");
}

static void g_figure7(struct fx *f)
{
    figure7(f);
    ACCEPT(f, BOTH, 4, R_(CYCLE), "B->EE, A->B, TA->A, TA", "B->EE, A->B, C->A, TA->C, TA",
           "B->EE, C->B, TA->C, TA", "B->EE, C->B, A->C, TA->A, TA");
}

/* BetterTLS's figure-7 scenario with TA->C and A->B marked bad (expired): only TA>A>C>B>EE is
 * left. */
static void g_figure7_only_via_a_c(struct fx *f)
{
    figure7(f);
    cert(f, "TA->C")->not_after = -CP_HOUR;
    cert(f, "A->B")->not_after = -CP_HOUR;
    ACCEPT(f, BOTH, 1, R_(CYCLE) | R_(EXPIRED), "B->EE, C->B, A->C, TA->A, TA");
}

/* And with TA->A and C->B marked: only TA>C>A>B>EE is left. */
static void g_figure7_only_via_c_a(struct fx *f)
{
    figure7(f);
    cert(f, "TA->A")->not_after = -CP_HOUR;
    cert(f, "C->B")->not_after = -CP_HOUR;
    ACCEPT(f, BOTH, 1, R_(CYCLE) | R_(EXPIRED), "B->EE, A->B, C->A, TA->C, TA");
}

/* A three-way loop A->B->C->A (RFC 4158 2.3's own example of an unbounded path); A issued the
 * leaf and no anchor is reachable: leaf, C->A, B->C, A->B, then A again - terminate, reject. */
static void g_cycle3_no_anchor(struct fx *f)
{
    ca(f, "A", "B");
    ca(f, "B", "C");
    ca(f, "C", "A");
    leaf(f, "A", "EE");
    trust(f, "T");
    send(f, "A->EE, A->B, B->C, C->A");
    REJECT(f, BOTH, R_(CYCLE));
}

/* The three-way loop with T->B: one path, entering the loop at A and leaving it at B. */
static void g_cycle3_anchor(struct fx *f)
{
    ca(f, "A", "B");
    ca(f, "B", "C");
    ca(f, "C", "A");
    ca(f, "T", "B");
    leaf(f, "A", "EE");
    trust(f, "T");
    send(f, "A->EE, A->B, B->C, C->A, T->B");
    ACCEPT(f, BOTH, 1, R_(CYCLE), "A->EE, C->A, B->C, T->B, T");
}

/* RFC 5280 4.2 and 6.1.4 (o): an unrecognised critical extension on the intermediate. */
static void g_ica_unknown_critical(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->unknown_critical_ext = true;
    REJECT(f, BOTH, R_(UNKNOWN_CRITICAL));
}

/* The linear chain with the leaf and I each sent more than once: the client holds a set of
 * certificates, so it is still one path (RFC 4158 2.4.1: a certificate never repeats). */
static void g_duplicates(struct fx *f)
{
    linear(f);
    f->nsent = 0;
    send(f, "I->EE, R->I, R->I, I->EE, R->I");
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* Duplicates on a branching graph: still exactly the two paths of g_two_roots. */
static void g_duplicates_two_roots(struct fx *f)
{
    two_roots(f);
    f->nsent = 0;
    send(f, "I->EE, R2->I, R1->I, R2->I, I->EE, R1->I");
    ACCEPT(f, BOTH, 2, 0, "I->EE, R1->I, R1", "I->EE, R2->I, R2");
}

/* Unrelated certificates in the sent list (another CA's chain) change nothing. */
static void g_unrelated_extras(struct fx *f)
{
    linear(f);
    ca(f, "X", "Y");
    ca(f, "Y", "Z");
    send(f, "X->Y, Y->Z");
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* The server also sends the anchor's own certificate (allowed by RFC 8446 4.4.2): the path
 * still ends at the anchor, once. */
static void g_anchor_sent(struct fx *f)
{
    linear(f);
    root(f, "R");
    f->nsent = 0;
    send(f, "I->EE, R, R->I");
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* The client trusts I itself: the path stops at I (RFC 5280 6.1: the path starts with a
 * certificate the anchor issued), so the expired R->I above it does not matter. */
static void g_intermediate_is_anchor(struct fx *f)
{
    linear(f);
    cert(f, "R->I")->not_after = -CP_HOUR;
    f->nanchors = 0;
    trust(f, "I");
    ACCEPT(f, BOTH, 1, 0, "I->EE, I");
}

/* The same anchor listed twice is one anchor: one path, not two. */
static void g_anchor_listed_twice(struct fx *f)
{
    linear(f);
    f->nanchors = 0;
    trust(f, "R, R");
    ACCEPT(f, BOTH, 1, 0, "I->EE, R->I, R");
}

/* A chain of n intermediates C(k-1)->Ck under the anchor C0, the leaf issued by Cn. */
static void deep_chain(struct fx *f, int n)
{
    char a[CP_LABEL_MAX], b[CP_LABEL_MAX];
    for (int k = 1; k <= n; k++) {
        snprintf(a, sizeof(a), "C%d", k - 1);
        snprintf(b, sizeof(b), "C%d", k);
        ca(f, a, b);
    }
    snprintf(a, sizeof(a), "C%d", n);
    f->sent[f->nsent++] = leaf(f, a, "EE");
    trust(f, "C0");
    for (int k = n; k >= 1; k--)
        f->sent[f->nsent++] = k - 1; /* C(k-1)->Ck was the k-th certificate made */
    /* The one path, leaf first. */
    size_t len = (size_t)snprintf(f->buf, sizeof(f->buf), "%s->EE", a);
    for (int k = n; k >= 1 && len < sizeof(f->buf); k--)
        len += (size_t)snprintf(f->buf + len, sizeof(f->buf) - len, ", C%d->C%d", k - 1, k);
    if (len < sizeof(f->buf))
        snprintf(f->buf + len, sizeof(f->buf) - len, ", C0");
}

/* CP_MAX_DEPTH (48) intermediates: the longest path the oracle follows, leaf + 48 + anchor. */
static void g_deep_chain_at_limit(struct fx *f)
{
    deep_chain(f, CP_MAX_DEPTH);
    ACCEPT(f, BOTH, 1, 0, f->buf);
}

/* One intermediate more: the search gives up at the depth limit rather than guess. */
static void g_deep_chain_past_limit(struct fx *f)
{
    deep_chain(f, CP_MAX_DEPTH + 1);
    REJECT(f, BOTH, R_(DEPTH));
}

/* A full mesh of six CAs N1..N6 (each pair cross-certified both ways, 30 certificates), the
 * leaf issued by N1, the client trusting N6. A path is a sequence of distinct CAs from N1 to N6
 * (RFC 4158 2.2: no name and key twice) whose middle part is an ordered choice of k of the
 * other four CAs: sum over k = 0..4 of 4!/(4-k)! = 1 + 4 + 12 + 24 + 24 = 65 paths. Only
 * loops are ruled out. CP_MAX_PATHS of them are recorded. */
static void g_mesh6(struct fx *f)
{
    char a[CP_LABEL_MAX], b[CP_LABEL_MAX], l[CP_LABEL_MAX];
    leaf(f, "N1", "EE");
    f->sent[f->nsent++] = cp_graph_find(f->g, "N1->EE");
    for (int i = 1; i <= 6; i++) {
        for (int j = 1; j <= 6; j++) {
            if (i == j)
                continue;
            snprintf(a, sizeof(a), "N%d", i);
            snprintf(b, sizeof(b), "N%d", j);
            ca(f, a, b);
            snprintf(l, sizeof(l), "N%d->N%d", i, j);
            send(f, l);
        }
    }
    trust(f, "N6");
    ACCEPT(f, BOTH, 65, R_(CYCLE), NULL);
}

struct graph_case {
    const char *name;
    void (*build)(struct fx *f);
};

/* clang-format off */
#define G(name) {#name, g_##name}
/* clang-format on */
static const struct graph_case graphs[] = {
    G(linear),
    G(leaf_by_anchor),
    G(untrusted_root),
    G(untrusted_root_sent),
    G(missing_intermediate),
    G(leaf_expired),
    G(leaf_not_yet_valid),
    G(hostname_mismatch),
    G(leaf_unknown_critical),
    G(leaf_v1),
    G(ica_expired),
    G(ica_not_yet_valid),
    G(two_roots),
    G(two_roots_one_expired),
    G(two_roots_both_bad),
    G(ica_not_ca),
    G(ica_no_basic_constraints),
    G(ica_v1),
    G(pathlen0_ok),
    G(pathlen0_violated),
    G(pathlen0_self_issued),
    G(ku_no_cert_sign),
    G(ku_absent_on_ca),
    G(ca_eku_email),
    G(ca_eku_any),
    G(ca_eku_server),
    G(leaf_eku_client),
    G(leaf_eku_any),
    G(nc_permitted_excludes_leaf),
    G(nc_permitted_includes_leaf),
    G(nc_excluded_matches),
    G(nc_excluded_other),
    G(nc_on_anchor),
    G(anchor_expired),
    G(anchor_not_yet_valid),
    G(anchor_expired_and_sent),
    G(le_2021),
    G(le_2021_dst_only),
    G(expired_anchor_cross_signed),
    G(sha1_ica),
    G(sha1_leaf),
    G(sha1_ica_alternative),
    G(sha1_anchor_self_signature),
    G(sha1_corrupt),
    G(unknown_sig_alg),
    G(corrupt_signature),
    G(corrupt_leaf_signature),
    G(rollover_old_key_only),
    G(rollover_both_keys),
    G(anchor_rollover),
    G(anchor_both_keys),
    G(reissued_intermediate),
    G(anchor_v1),
    G(anchor_not_ca),
    G(cycle2_no_anchor),
    G(cycle2_anchor),
    G(cycle2_anchor_both),
    G(figure7),
    G(figure7_only_via_a_c),
    G(figure7_only_via_c_a),
    G(cycle3_no_anchor),
    G(cycle3_anchor),
    G(ica_unknown_critical),
    G(duplicates),
    G(duplicates_two_roots),
    G(unrelated_extras),
    G(anchor_sent),
    G(intermediate_is_anchor),
    G(anchor_listed_twice),
    G(deep_chain_at_limit),
    G(deep_chain_past_limit),
    G(mesh6),
};
#undef G

#define NGRAPHS ((int)CP_ARRAY_LEN(graphs))

ParameterizedTestParameters(oracle, graphs)
{
    static int index[CP_ARRAY_LEN(graphs)];
    for (int i = 0; i < NGRAPHS; i++)
        index[i] = i;
    return cr_make_param_array(int, index, CP_ARRAY_LEN(graphs));
}

ParameterizedTest(int *i, oracle, graphs)
{
    cr_assert(*i >= 0 && *i < NGRAPHS, "graph index %d", *i);
    struct fx f;
    memset(&f, 0, sizeof(f));
    f.name = graphs[*i].name;
    cp_model_init(&f.m);
    f.g = cp_model_graph(&f.m, f.name);
    cr_assert_not_null(f.g, "%s: cp_model_graph: %s", f.name, cp_error_msg(CP_E_NOMEM));
    graphs[*i].build(&f);
    run(&f);
    cp_model_free(&f.m);
}

/* The table holds at least the 30 graphs the oracle is required to be tested on, and every
 * name is unique (case ids derive from them). */
Test(oracle, table)
{
    cr_expect_geq(NGRAPHS, 30);
    for (int i = 0; i < NGRAPHS; i++) {
        for (int j = 0; j < i; j++)
            cr_expect_str_neq(graphs[i].name, graphs[j].name);
    }
}
