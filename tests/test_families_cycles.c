/*
 * test_families_cycles.c - the cycles and pathological families: case counts, unique and distinct
 * ids, features, budgets, and expectations worked out by hand.
 *
 * The model is built with only these families, then finalised and run through the oracle
 * (cp_generator_build). Every test runs in its own process, so each builds the model once; the
 * explained cases build only the family they look at.
 */
#include "cp_generator_internal.h"
#include "cp_model_test.h"
#include "cp_suite_internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

/* The brief's floor for each family. */
#define MIN_CYCLES 200
#define MIN_PATHOLOGICAL 50
/* Minting costs about a millisecond a certificate: the pathological family stays below this. */
#define MAX_PATHOLOGICAL_CERTS 1500

static struct cp_model model;
static bool built;

static const struct cp_model *build(const char *const *names, int n)
{
    if (!built) {
        cp_model_init(&model);
        int rc = cp_generator_build(&model, names, n);
        cr_assert_eq(rc, 0, "building the model failed: %s", cp_error_msg(rc));
        built = true;
    }
    return &model;
}

static const struct cp_model *families_c(void)
{
    static const char *const names[] = {"cycles", "pathological"};
    return build(names, 2);
}

static void release(void)
{
    cp_model_free(&model);
    built = false;
}

TestSuite(families_c, .fini = release);

static bool in_family(const struct cp_case *c, const char *family)
{
    return strcmp(c->family, family) == 0;
}

Test(families_c, case_counts)
{
    const struct cp_model *m = families_c();
    int nc = cp_test_count_family(m, "cycles"), np = cp_test_count_family(m, "pathological");
    cr_expect_geq(nc, MIN_CYCLES, "cycles has %d cases", nc);
    cr_expect_geq(np, MIN_PATHOLOGICAL, "pathological has %d cases", np);
    cr_expect_eq(nc + np, m->ncases, "every case belongs to one of the two families");
}

/* Unique ids are checked by cp_model_finalise() too; distinct means a client sees a different
 * graph, trust set or sent list, not just another name. */
Test(families_c, ids_unique_and_cases_distinct)
{
    const struct cp_model *m = families_c();
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        size_t flen = strlen(c->family);
        cr_expect(strncmp(c->id, c->family, flen) == 0 && c->id[flen] == '/',
                  "%s does not start with its family", c->id);
        cr_expect_eq(cp_model_find(m, c->id), c, "%s is not unique", c->id);
        cr_expect(cp_test_id_has(c, "/declared") || cp_test_id_has(c, "/reversed") ||
                      cp_test_id_has(c, "/shuffled"),
                  "%s names no order", c->id);
    }
    cr_expect_eq(cp_model_count_distinct(m), m->ncases, "some cases differ only by name");
}

Test(families_c, labels_are_plain)
{
    const struct cp_model *m = families_c();
    for (int gi = 0; gi < m->ngraphs; gi++) {
        const struct cp_graph *g = &m->graphs[gi];
        for (int e = 0; e < g->nentities; e++)
            cr_expect(cp_test_plain_label(g->entities[e].label), "graph %s: entity label \"%s\"",
                      g->name, g->entities[e].label);
    }
}

/* Features: the family's own on every case, ordering exactly on the reordered ones, probes
 * only on the two declared cases chosen as the simplest of their feature. */
Test(families_c, features_follow_the_shape)
{
    const struct cp_model *m = families_c();
    int probes = 0;
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        bool reordered = cp_test_id_has(c, "/reversed") || cp_test_id_has(c, "/shuffled");
        cr_expect_eq((c->features & CP_F_ORDERING) != 0, reordered, "%s: ordering", c->id);
        if (in_family(c, "pathological"))
            cr_expect(c->features & CP_F_DOS, "%s is not tagged denial-of-service", c->id);
        else
            cr_expect(c->features & (CP_F_CYCLES | CP_F_KEY_ROLLOVER),
                      "%s names neither cycles nor key-rollover", c->id);
        if (cp_test_id_has(c, "misleading"))
            cr_expect(c->features & CP_F_KEY_IDS, "%s: key-identifiers", c->id);
        if (cp_test_id_has(c, "/deep/"))
            cr_expect(c->features & CP_F_DEEP_CHAIN, "%s: deep-chain", c->id);
        probes += c->probe;
    }
    const struct cp_case *cyc = cp_model_find(m, "cycles/two-way/anchor-a/plain/declared");
    const struct cp_case *rol =
        cp_model_find(m, "cycles/rollover/trust-old/leaf-new/new-with-old/declared");
    cr_assert(cyc && rol, "the probe cases are missing");
    cr_expect(cyc->probe && cyc->features == CP_F_CYCLES, "the cycles probe is not a pure probe");
    cr_expect(rol->probe && rol->features == CP_F_KEY_ROLLOVER, "the rollover probe is not pure");
    cr_expect_eq(probes, 2, "%d probes", probes);
}

/* The oracle must finish the pathological family within its budget (cp_generator_build
 * would have failed otherwise) and give every case and profile an outcome that agrees with
 * the paths it found. No timing assertion: the brief's 0.5 s is measured, not tested. */
Test(families_c, oracle_finishes_pathological)
{
    static const char *const names[] = {"pathological"};
    const struct cp_model *m = build(names, 1);
    cr_assert_geq(m->ncases, MIN_PATHOLOGICAL, "pathological has %d cases", m->ncases);
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            const struct cp_expect *e = &c->expect[p];
            cr_expect_eq(e->outcome == CP_OUTCOME_ACCEPT, e->paths_all > 0,
                         "%s (%s): outcome and paths disagree", c->id, cp_profile_name(p));
            cr_expect_gt(e->paths_all + e->rejected_all, 0, "%s (%s): the oracle saw nothing",
                         c->id, cp_profile_name(p));
        }
    }
}

/* The limits the brief sets: certificates to mint, keys per graph, certificates per list. */
Test(families_c, pathological_within_budget)
{
    const struct cp_model *m = families_c();
    int certs = 0;
    for (int gi = 0; gi < m->ngraphs; gi++) {
        const struct cp_graph *g = &m->graphs[gi];
        if (strncmp(g->name, "pathological/", 13) == 0)
            certs += g->ncerts;
        cr_expect_leq(g->nentities, CP_KEYPOOL_EC, "graph %s has %d entities", g->name,
                      g->nentities);
    }
    cr_expect_gt(certs, 0);
    cr_expect_leq(certs, MAX_PATHOLOGICAL_CERTS, "the pathological family mints %d", certs);
    for (int i = 0; i < m->ncases; i++)
        cr_expect_leq(m->cases[i].nsent, CP_MAX_SENT, "%s sends too much", m->cases[i].id);
}

/* Loops without an anchor end in a reject (RFC 4158 2.4.2: a builder that never repeats a
 * name and key terminates); a good second exit always saves the case; the only exit, bad,
 * loses it wherever the profile counts the defect. */
Test(families_c, loops_and_exits)
{
    const struct cp_model *m = families_c();
    int none = 0, saved = 0, lost = 0;
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            const struct cp_expect *e = &c->expect[p];
            if (cp_test_id_has(c, "/anchor-none/") || cp_test_id_has(c, "/no-anchor/")) {
                none += p == 0;
                cr_expect_eq(e->outcome, CP_OUTCOME_REJECT, "%s accepts", c->id);
            } else if (cp_test_id_has(c, "/exit/two-exits/")) {
                saved += p == 0;
                cr_expect_eq(e->outcome, CP_OUTCOME_ACCEPT, "%s (%s) rejects", c->id,
                             cp_profile_name(p));
            } else if (cp_test_id_has(c, "/exit/only-exit/") && !cp_test_id_has(c, "/good/") &&
                       !(cp_test_id_has(c, "/sha1/") && p == CP_PROFILE_RFC5280)) {
                lost += p == 0;
                cr_expect_eq(e->outcome, CP_OUTCOME_REJECT, "%s (%s) accepts", c->id,
                             cp_profile_name(p));
            }
        }
    }
    cr_expect_geq(none, 24, "only %d cases without an anchor", none);
    cr_expect_geq(saved, 80, "only %d two-exit cases", saved);
    cr_expect_geq(lost, 40, "only %d only-exit cases", lost);
}

/* Rollover with the old key trusted and the leaf signed by the new one: a path exists exactly
 * when NewWithOld is sent, whatever the key identifiers claim; without it the only reason is
 * the other key's signature. */
Test(families_c, rollover_needs_new_with_old)
{
    const struct cp_model *m = families_c();
    int n = 0;
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_case *c = &m->cases[i];
        if (!cp_test_id_has(c, "cycles/rollover/trust-old/leaf-new/"))
            continue;
        bool linked = cp_test_id_has(c, "/new-with-old/") || cp_test_id_has(c, "/both-links/") ||
                      cp_test_id_has(c, "/all/");
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            const struct cp_expect *e = &c->expect[p];
            n += p == 0;
            cr_expect_eq(e->outcome, linked ? CP_OUTCOME_ACCEPT : CP_OUTCOME_REJECT, "%s", c->id);
            if (!linked)
                cr_expect_eq(e->reasons, UINT64_C(1) << CP_R_WRONG_KEY, "%s: reasons", c->id);
        }
    }
    cr_expect_geq(n, 30, "only %d rollover cases", n);
}

/* Hand-checked expectations. Criterion copies parameters into a freshly started process, so
 * they hold their strings by value. */
struct explained {
    char id[CP_ID_MAX];
    enum cp_outcome rfc5280, webpki;
    long npaths;            /* exact valid paths under webpki; -1: not checked */
    enum cp_reason reason;  /* a reason some profile must report; CP_R_NONE: none checked */
    char via[CP_LABEL_MAX]; /* a certificate every recorded webpki path goes through, or "" */
    int len;                /* length of every recorded webpki path (leaf to anchor); 0: any */
};

#define A CP_OUTCOME_ACCEPT
#define R CP_OUTCOME_REJECT

static struct explained explained[] = {
    /* RFC 4158 2.4.2: no name and key twice in a path. The loop A <-> C has no exit and the
     * client trusts only an unrelated root: the builder must stop at the loop and reject. */
    {"cycles/two-way/anchor-none/plain/declared", R, R, 0, CP_R_CYCLE, "", 0},
    /* Anchor across the loop: Leaf, ICA(C), C(A), then the anchor A itself. */
    {"cycles/two-way/anchor-a/plain/declared", A, A, 1, CP_R_NONE, "CA A->CA C", 4},
    /* Anchor one hop up: the loop and the extra self-signed certificates are never needed. */
    {"cycles/two-way/anchor-c/with-roots/shuffled", A, A, 1, CP_R_CYCLE, "CA C->ICA", 3},
    /* With reverse edges C is certified by A directly and by B (which A certifies): two
     * paths to anchor A, the loop through C->A cut each time. */
    {"cycles/three-way/anchor-a/plain/reversed", A, A, 2, CP_R_CYCLE, "", 0},
    /* A loop of three with every self-signed certificate added and no anchor: still ends. */
    {"cycles/three-way-ring/anchor-none/with-roots/declared", R, R, 0, CP_R_CYCLE, "", 0},
    /* RFC 5280 6.1.3 (a)(2): the only exit from the loop to the Root expired. */
    {"cycles/two-way/exit/only-exit/expired/declared", R, R, 0, CP_R_EXPIRED, "", 0},
    /* The near exit Root->C expired: the one path goes round the loop, C(A), A(Root). */
    {"cycles/two-way/exit/two-exits/bad-near/expired/reversed", A, A, 1, CP_R_EXPIRED, "CA A->CA C",
     5},
    /* The far exit signed by another key of Root's name: the near exit Root->C remains. */
    {"cycles/two-way/exit/two-exits/bad-far/other-key/shuffled", A, A, 1, CP_R_WRONG_KEY,
     "Root->CA C", 4},
    /* 6.1.4 (m): pathLen 0 on Root->CA A with ICA and CA C below it. */
    {"cycles/two-way/exit/only-exit/path-len/declared", R, R, 0, CP_R_PATH_LEN, "", 0},
    /* SHA-1 on the only exit: RFC 5280 accepts it, the Web PKI does not. */
    {"cycles/two-way/exit/only-exit/sha1/declared", A, R, 0, CP_R_SHA1, "", 0},
    /* RFC 4158 figure 7: B(A) A(TA); B(A) A(C) C(TA); B(C) C(TA); B(C) C(A) A(TA). */
    {"cycles/rfc4158-fig7/trust-ta/declared", A, A, 4, CP_R_CYCLE, "", 0},
    /* Anchor A: B(A); B(C) C(A). TA is never reached, so the walk past it dead-ends. */
    {"cycles/rfc4158-fig7/trust-a/shuffled", A, A, 2, CP_R_NO_ISSUER, "", 0},
    /* TA->A and C->B expired: the one path runs through the cross-certificate C->A. */
    {"cycles/rfc4158-fig7/trust-ta/only-through-cross/declared", A, A, 1, CP_R_EXPIRED,
     "CA C->CA A", 5},
    /* The bridge certifies TA W; X, Y, Z each certify the bridge: three anchors, three paths,
     * each EE, W1(W), W(Bridge), Bridge(anchor). */
    {"cycles/bridge/trust-xyz/declared", A, A, 3, CP_R_CYCLE, "Bridge CA->TA W", 5},
    /* TA W trusted as well: the path stops at the first anchor, EE, W1(W). */
    {"cycles/bridge/trust-all/reversed", A, A, 1, CP_R_NONE, "TA W->CA W1", 3},
    /* X's certificate for the bridge expired; Y's remains. */
    {"cycles/bridge/trust-xy/x-to-bridge-expired/shuffled", A, A, 1, CP_R_EXPIRED,
     "TA Y->Bridge CA", 5},
    /* Across both bridges: EE, W1(W), W(B1), B1(B2), B2(X), anchor X. */
    {"cycles/two-bridges/trust-x/declared", A, A, 1, CP_R_CYCLE, "Bridge 2->Bridge 1", 6},
    /* Rollover: the leaf is signed by the new key, the client trusts the old one, and the
     * server offers only OldWithNew, whose key is the old one: signature by the other key. */
    {"cycles/rollover/trust-old/leaf-new/old-with-new/declared", R, R, 0, CP_R_WRONG_KEY, "", 0},
    /* Both links offered: NewWithOld (new key, signed by the old) bridges to the anchor. */
    {"cycles/rollover/trust-old/leaf-new/both-links/reversed", A, A, 1, CP_R_WRONG_KEY,
     "Root->Root new key", 3},
    /* The mirror: trust the new key, leaf signed by the old, OldWithNew is the bridge. */
    {"cycles/rollover/trust-new/leaf-old/old-with-new/declared", A, A, 1, CP_R_NONE,
     "Root new key->Root", 3},
    /* Two anchors of one name: the old one fails the signature, the new one signed the leaf. */
    {"cycles/rollover/trust-both/leaf-new/leaf-only/declared", A, A, 1, CP_R_WRONG_KEY, "", 2},
    /* RFC 5280 4.2.1.1: the AKI is a hint. The leaf's names the old key; the path through
     * NewWithOld must still be found by name and signature. */
    {"cycles/rollover/trust-old/leaf-new/aki-misleading/all/shuffled", A, A, 1, CP_R_WRONG_KEY,
     "Root->Root new key", 3},
    /* The links' SKIs swapped: matching the leaf's AKI picks OldWithNew first, wrongly. */
    {"cycles/rollover/trust-old/leaf-new/ski-misleading/both-links/declared", A, A, 1,
     CP_R_WRONG_KEY, "Root->Root new key", 3},
    /* Full mesh of 4, anchor Mesh CA 4, leaf under CA 1: routes 1<-4, 1<-2<-4, 1<-3<-4,
     * 1<-2<-3<-4, 1<-3<-2<-4 - five paths. */
    {"pathological/mesh4/reachable/declared", A, A, 5, CP_R_CYCLE, "", 0},
    /* Mesh of 5: 1 + 3 + 3*2 + 3*2*1 = 16 routes from CA 1 to CA 5 through the other three. */
    {"pathological/mesh5/reachable/reversed", A, A, 16, CP_R_CYCLE, "", 0},
    /* Mesh of 4 with Mesh Root over every CA: every loop-free walk from CA 1 (1 + 3 + 3*2 +
     * 3*2*1 = 16) ends at the root. */
    {"pathological/mesh4/exit-everywhere/declared", A, A, 16, CP_R_CYCLE, "", 0},
    /* No anchor reachable: every one of the mesh's loop-free walks ends in a loop. */
    {"pathological/mesh8/unreachable/shuffled", R, R, 0, CP_R_CYCLE, "", 0},
    /* Only CA k+1 -> CA k is valid: Leaf, 7 cross-certificates, Mesh Root->CA 8, Mesh Root. */
    {"pathological/mesh8/long-route/declared", A, A, 1, CP_R_EXPIRED, "Mesh CA 2->Mesh CA 1", 10},
    /* RFC 5280 sets no depth limit: leaf, 32 intermediates, anchor - exactly one path. */
    {"pathological/deep/depth32/chain/declared", A, A, 1, CP_R_NONE, "Deep Root->ICA 1", 34},
    /* Past 32, still well inside the oracle's 48. */
    {"pathological/deep/depth40/chain/shuffled", A, A, 1, CP_R_NONE, "ICA 39->ICA 40", 42},
    /* Duplicates collapse: still one path. */
    {"pathological/deep/depth32/duplicated/reversed", A, A, 1, CP_R_NONE, "", 34},
    /* ICA 16's certificate is not sent: the walk from the leaf stops at ICA 16. */
    {"pathological/deep/depth32/missing-middle/reversed", R, R, 0, CP_R_NO_ISSUER, "", 0},
    /* The defect sits at the far end of 32 levels. */
    {"pathological/deep/depth32/top-expired/declared", R, R, 0, CP_R_EXPIRED, "", 0},
    /* Two choices at each of 15 levels above the leaf's issuer: 2^15 paths. */
    {"pathological/ladder/depth16/reachable/declared", A, A, 32768, CP_R_NONE, "", 18},
    /* ...and with both top certificates expired, 2^15 dead ends. */
    {"pathological/ladder/depth16/top-expired/shuffled", R, R, 0, CP_R_EXPIRED, "", 0},
    /* 20 CAs named Pool CA: 19 fail the leaf's signature, key13 carries the one path. */
    {"pathological/same-name/pool20/shuffled", A, A, 1, CP_R_WRONG_KEY, "Pool Root->Pool CA key13",
     3},
    /* Without key13 nothing else of that name signed the leaf. */
    {"pathological/same-name/pool20/right-missing/declared", R, R, 0, CP_R_WRONG_KEY, "", 0},
    /* The leaf's AKI names key 1: a hint, the signature decides. */
    {"pathological/same-name/pool20-aki-misleading/reversed", A, A, 1, CP_R_WRONG_KEY,
     "Pool Root->Pool CA key13", 3},
    /* Two pools deep: one signature matches at each level. */
    {"pathological/same-name/two-levels/declared", A, A, 1, CP_R_WRONG_KEY,
     "Pool CA key13->Sub CA key13", 4},
    /* Eight anchors of one name: seven keys fail the signature on ICA, the eighth holds. */
    {"pathological/same-name/anchors8/ica/declared", A, A, 1, CP_R_WRONG_KEY, "Pool Root key8->ICA",
     3},
};

#undef A
#undef R

ParameterizedTestParameters(families_c, explained)
{
    return cr_make_param_array(struct explained, explained, CP_ARRAY_LEN(explained));
}

static bool path_via(const struct cp_graph *g, const struct cp_path *p, const char *label)
{
    for (int i = 0; i < p->len; i++) {
        if (strcmp(g->certs[p->certs[i]].label, label) == 0)
            return true;
    }
    return false;
}

ParameterizedTest(struct explained *x, families_c, explained)
{
    /* Only the family of the case: the explained cases run one process each. */
    const char *family = strncmp(x->id, "cycles/", 7) == 0 ? "cycles" : "pathological";
    const struct cp_model *m = build(&family, 1);
    const struct cp_case *c = cp_model_find(m, x->id);
    cr_assert_not_null(c, "no case %s", x->id);
    const struct cp_graph *g = &m->graphs[c->graph];
    const struct cp_expect *rfc = &c->expect[CP_PROFILE_RFC5280];
    const struct cp_expect *web = &c->expect[CP_PROFILE_WEBPKI];
    cr_expect_eq(rfc->outcome, x->rfc5280, "%s: rfc5280 outcome", x->id);
    cr_expect_eq(web->outcome, x->webpki, "%s: webpki outcome", x->id);
    if (x->npaths >= 0)
        cr_expect_eq(web->paths_all, x->npaths, "%s: webpki paths %ld", x->id, web->paths_all);
    if (x->reason != CP_R_NONE)
        cr_expect((rfc->reasons | web->reasons) & (UINT64_C(1) << x->reason),
                  "%s: reason %s not reported", x->id, cp_reason_name(x->reason));
    for (int i = 0; i < web->npaths; i++) {
        if (x->via[0])
            cr_expect(path_via(g, &web->paths[i], x->via), "%s: a webpki path avoids %s", x->id,
                      x->via);
        if (x->len)
            cr_expect_eq(web->paths[i].len, x->len, "%s: a path of %d certificates", x->id,
                         web->paths[i].len);
    }
}
