/*
 * incidents.c - the cross-sign shapes of two real root expiries, as tables.
 *
 * AddTrust 2020: servers sent Leaf <- Sectigo RSA DV CA <- USERTrust RSA CA (cross-signed by
 * AddTrust External CA Root). On 2020-05-30 the AddTrust root and that cross-sign expired.
 * Clients that trust USERTrust RSA CA itself should have stopped there; those that followed
 * the sent chain to the expired AddTrust anchor failed (OpenSSL 1.0.x, GnuTLS, older curl).
 *
 * Let's Encrypt 2021: Leaf <- R3 <- ISRG Root X1, with ISRG Root X1 cross-signed by DST Root CA
 * X3, whose own certificate expired on 2021-09-30 while the cross-sign ran to 2024. An old
 * Android device trusting DST only still accepted the long chain, because RFC 5280 6.1.1 (d)
 * treats the anchor as a name and key whatever its certificate says; a Web PKI verifier does
 * not (see oracle.c). R3 had also been cross-signed directly by DST; that certificate expired
 * a day before the root.
 *
 * CA dates are days relative to the incident (the expiry), taken from the real certificates; the
 * leaf keeps the model's default window (a day old, a year to go), as a freshly issued one. Each
 * incident is seen on two timelines: 15 days after the expiry (the incident) and 10 days before it
 * (everything still worked). Expectations come from the oracle; this file only says what the client
 * has.
 */
#include "cp_families.h"
#include "scenarios.h"

#define IN_MAX_ENTITIES 4 /* three RSA CAs and an ECDSA leaf: the RSA pool has 4 keys */
#define IN_MAX_CERTS 6
#define IN_MAX_SENT 5
#define IN_MAX_TRUSTS 3
#define IN_MAX_SENTS 6
#define IN_NTIMELINES 2

struct in_cert {
    int issuer, subject; /* entity table indexes; equal for a self-signed root */
    int nb_days, na_days;
    bool leaf; /* the default leaf window; nb_days and na_days unused */
};

struct in_trust {
    const char *name;
    int entities[2];
    int n;
};

struct in_sent {
    const char *name;
    const char *summary;
    int certs[IN_MAX_SENT]; /* cert table indexes, the leaf (index 0) first */
    int n;
};

struct in_timeline {
    const char *suffix; /* appended to the incident's name in ids */
    const char *summary;
    int vt_days; /* the validation time, relative to the incident */
};

struct in_incident {
    const char *name;
    const char *summary;
    const char *labels[IN_MAX_ENTITIES];
    bool rsa[IN_MAX_ENTITIES];
    struct in_cert certs[IN_MAX_CERTS]; /* certs[0] is the leaf */
    int ncerts;
    struct in_trust trusts[IN_MAX_TRUSTS];
    struct in_sent sents[IN_MAX_SENTS];
    int nsents;
};

static const struct in_timeline in_timelines[IN_NTIMELINES] = {
    {"", "seen 15 days after", 15},
    {"-before", "seen 10 days before", -10},
};

enum { AT_ADDTRUST, AT_USERTRUST, AT_SECTIGO, AT_LEAF };
enum { AT_C_LEAF, AT_C_SECTIGO, AT_C_CROSS, AT_C_ADDTRUST, AT_C_USERTRUST };

enum { LE_DST, LE_ISRG, LE_R3, LE_LEAF };
enum { LE_C_LEAF, LE_C_R3, LE_C_CROSS, LE_C_OLD_R3, LE_C_DST, LE_C_ISRG };

static const struct in_incident in_incidents[] = {
    {
        .name = "addtrust-2020",
        .summary = "AddTrust 2020 (the AddTrust root and cross-sign expire 2020-05-30)",
        .labels = {"AddTrust External CA Root", "USERTrust RSA CA", "Sectigo RSA DV CA", "Leaf"},
        .rsa = {true, true, true, false},
        .certs =
            {
                [AT_C_LEAF] = {AT_SECTIGO, AT_LEAF, 0, 0, true},
                [AT_C_SECTIGO] = {AT_USERTRUST, AT_SECTIGO, -575, 3867, false},
                [AT_C_CROSS] = {AT_ADDTRUST, AT_USERTRUST, -7305, 0, false},
                [AT_C_ADDTRUST] = {AT_ADDTRUST, AT_ADDTRUST, -7305, 0, false},
                [AT_C_USERTRUST] = {AT_USERTRUST, AT_USERTRUST, -3771, 6442, false},
            },
        .ncerts = 5,
        .trusts =
            {
                {"trust-usertrust", {AT_USERTRUST}, 1},
                {"trust-addtrust", {AT_ADDTRUST}, 1},
                {"trust-both", {AT_USERTRUST, AT_ADDTRUST}, 2},
            },
        .sents =
            {
                {"with-cross",
                 "Sectigo RSA DV CA and the AddTrust cross-sign (the usual setup)",
                 {AT_C_LEAF, AT_C_SECTIGO, AT_C_CROSS},
                 3},
                {"short", "Sectigo RSA DV CA only", {AT_C_LEAF, AT_C_SECTIGO}, 2},
                {"with-cross-and-root",
                 "Sectigo, the cross-sign and the AddTrust root",
                 {AT_C_LEAF, AT_C_SECTIGO, AT_C_CROSS, AT_C_ADDTRUST},
                 4},
                {"with-usertrust-root",
                 "Sectigo and the self-signed USERTrust root",
                 {AT_C_LEAF, AT_C_SECTIGO, AT_C_USERTRUST},
                 3},
                {"missing-intermediate",
                 "The cross-sign without Sectigo RSA DV CA",
                 {AT_C_LEAF, AT_C_CROSS},
                 2},
            },
        .nsents = 5,
    },
    {
        .name = "le-2021",
        .summary = "Let's Encrypt 2021 (DST Root CA X3 expires 2021-09-30)",
        .labels = {"DST Root CA X3", "ISRG Root X1", "R3", "Leaf"},
        .rsa = {true, true, true, false},
        .certs =
            {
                [LE_C_LEAF] = {LE_R3, LE_LEAF, 0, 0, true},
                [LE_C_R3] = {LE_ISRG, LE_R3, -391, 1446, false},
                [LE_C_CROSS] = {LE_DST, LE_ISRG, -253, 1096, false},
                [LE_C_OLD_R3] = {LE_DST, LE_R3, -358, -1, false},
                [LE_C_DST] = {LE_DST, LE_DST, -7670, 0, false},
                [LE_C_ISRG] = {LE_ISRG, LE_ISRG, -2310, 4995, false},
            },
        .ncerts = 6,
        .trusts =
            {
                {"trust-isrg", {LE_ISRG}, 1},
                {"trust-dst", {LE_DST}, 1},
                {"trust-both", {LE_ISRG, LE_DST}, 2},
            },
        .sents =
            {
                {"long-chain",
                 "R3 and ISRG Root X1 cross-signed by DST (the default chain)",
                 {LE_C_LEAF, LE_C_R3, LE_C_CROSS},
                 3},
                {"short-chain", "R3 only (the alternate chain)", {LE_C_LEAF, LE_C_R3}, 2},
                {"old-chain",
                 "R3 cross-signed by DST Root CA X3 (the 2020 chain)",
                 {LE_C_LEAF, LE_C_OLD_R3},
                 2},
                {"long-chain-with-dst-root",
                 "The long chain and the DST root itself",
                 {LE_C_LEAF, LE_C_R3, LE_C_CROSS, LE_C_DST},
                 4},
                {"old-and-new-r3",
                 "Both R3 certificates, the DST-signed one first, and the "
                 "cross-sign",
                 {LE_C_LEAF, LE_C_OLD_R3, LE_C_R3, LE_C_CROSS},
                 4},
            },
        .nsents = 5,
    },
};

/* The graph's certificate indexes, cert table index for index. */
struct in_graph {
    int ent[IN_MAX_ENTITIES];
    int cert[IN_MAX_CERTS];
    int anchors[2];
    int nanchors;
};

static void build_graph(struct cp_graph *g, const struct in_incident *inc,
                        const struct in_timeline *tl, struct in_graph *ig)
{
    for (int e = 0; e < IN_MAX_ENTITIES; e++)
        ig->ent[e] = inc->rsa[e] ? cp_graph_entity_rsa(g, inc->labels[e])
                                 : cp_graph_entity(g, inc->labels[e]);
    for (int i = 0; i < inc->ncerts; i++) {
        const struct in_cert *d = &inc->certs[i];
        int is = ig->ent[d->issuer], su = ig->ent[d->subject];
        int c = d->leaf    ? cp_graph_leaf(g, is, su)
                : is == su ? cp_graph_root(g, is)
                           : cp_graph_ca(g, is, su);
        struct cp_cert *x = cp_graph_cert_at(g, c);
        ig->cert[i] = c;
        if (!x || d->leaf)
            continue;
        x->not_before = (int64_t)(d->nb_days - tl->vt_days) * CP_DAY;
        x->not_after = (int64_t)(d->na_days - tl->vt_days) * CP_DAY;
    }
}

/* Whether some certificate the client holds has two possible issuers among the sent
 * certificates and the anchors: then a client that follows the first one it sees may need to
 * back off and try the other (RFC 4158 3.5). */
static bool offers_branch(const struct cp_graph *g, const int *sent, int n, const int *anchors,
                          int nanchors)
{
    for (int i = 0; i < n; i++) {
        const struct cp_cert *x = &g->certs[sent[i]];
        if (x->issuer == x->subject)
            continue;
        int options = 0;
        for (int a = 0; a < nanchors; a++)
            options += cp_same_name(g, anchors[a], x->issuer);
        for (int j = 0; j < n; j++) {
            bool repeat = false;
            for (int k = 0; k < j && !repeat; k++)
                repeat = sent[k] == sent[j];
            const struct cp_cert *y = &g->certs[sent[j]];
            options += !repeat && y->issuer != y->subject && cp_same_name(g, y->subject, x->issuer);
        }
        if (options >= 2)
            return true;
    }
    return false;
}

/* Whether the anchor's certificate is outside its validity and some sent certificate names
 * the anchor as its issuer, so that the client's view of that certificate can matter. */
static bool expired_anchor_in_play(const struct cp_graph *g, const int *sent, int n, int anchor)
{
    int root = cp_graph_self_signed(g, anchor);
    if (root < 0 || !fa_out_of_validity(&g->certs[root]))
        return false;
    for (int i = 0; i < n; i++) {
        const struct cp_cert *x = &g->certs[sent[i]];
        if (x->issuer != x->subject && cp_same_name(g, x->issuer, anchor))
            return true;
    }
    return false;
}

/* Whether the sent certificates chain by name from the leaf up to an anchor. When they do not,
 * a client would have to fetch an issuer (AIA), which these cases never offer. Names only:
 * whether the certificates on the way are valid is the oracle's business. */
static bool names_reach_anchor(const struct cp_graph *g, const int *sent, int n, const int *anchors,
                               int nanchors)
{
    bool named[IN_MAX_ENTITIES] = {false}; /* by name_of: names the chain can reach */
    named[g->entities[g->certs[sent[0]].issuer].name_of] = true;
    for (int round = 0; round < n; round++) {
        for (int i = 1; i < n; i++) {
            const struct cp_cert *x = &g->certs[sent[i]];
            if (x->issuer != x->subject && named[g->entities[x->subject].name_of])
                named[g->entities[x->issuer].name_of] = true;
        }
    }
    for (int a = 0; a < nanchors; a++) {
        if (named[g->entities[anchors[a]].name_of])
            return true;
    }
    return false;
}

/* The features a case needs, from what the client holds. */
static uint64_t case_features(const struct cp_graph *g, const int *sent, int n, const int *anchors,
                              int nanchors)
{
    uint64_t f = CP_F_RSA;
    for (int i = 0; i < n; i++) {
        if (fa_out_of_validity(&g->certs[sent[i]]))
            f |= CP_F_EXPIRY;
    }
    for (int a = 0; a < nanchors; a++) {
        if (expired_anchor_in_play(g, sent, n, anchors[a]))
            f |= CP_F_ANCHOR_EXPIRY;
    }
    if (offers_branch(g, sent, n, anchors, nanchors))
        f |= CP_F_BRANCHING;
    if (!names_reach_anchor(g, sent, n, anchors, nanchors))
        f |= CP_F_MISSING_ISSUER;
    return f;
}

/* Storage behind one scenario of a graph: fa_emit() takes them all at once. */
struct in_slot {
    struct fa_list sent;
    char id[CP_ID_MAX];
    char summary[CP_DESC_MAX];
};

static int describe_sent(const struct cp_graph *g, const char *gname, const char *gsummary,
                         const struct in_graph *ig, const struct in_sent *sd, struct in_slot *slot,
                         struct fa_scenario *s)
{
    int plain[IN_MAX_SENT];
    fa_list_clear(&slot->sent);
    for (int i = 0; i < sd->n; i++) {
        plain[i] = ig->cert[sd->certs[i]];
        fa_push(&slot->sent, sd->certs[i] == 0 ? FA_LEAF : plain[i]);
    }
    int rc = fa_fmt(slot->id, sizeof(slot->id), "%s/%s", gname, sd->name);
    if (rc || (rc = fa_fmt(slot->summary, sizeof(slot->summary), "%s; %s", gsummary, sd->summary)))
        return rc;
    *s = (struct fa_scenario){
        .id = slot->id,
        .summary = slot->summary,
        .anchors = ig->anchors,
        .nanchors = ig->nanchors,
        .sent = &slot->sent,
        .features = case_features(g, plain, sd->n, ig->anchors, ig->nanchors),
    };
    return 0;
}

static int emit_graph(struct cp_model *m, const struct in_incident *inc,
                      const struct in_timeline *tl, const struct in_trust *tr)
{
    char gname[CP_ID_MAX], gsummary[CP_DESC_MAX];
    struct in_slot slots[IN_MAX_SENTS];
    struct fa_scenario s[IN_MAX_SENTS];
    int rc = fa_fmt(gname, sizeof(gname), "incidents/%s%s/%s", inc->name, tl->suffix, tr->name);
    if (rc || (rc = fa_fmt(gsummary, sizeof(gsummary), "%s, %s", inc->summary, tl->summary)))
        return rc;
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_ARG; /* a repeated name or no memory; the message says which */
    struct in_graph ig;
    build_graph(g, inc, tl, &ig);
    ig.nanchors = tr->n;
    for (int a = 0; a < tr->n; a++)
        ig.anchors[a] = ig.ent[tr->entities[a]];
    if (g->err) /* the certificate indexes are not usable */
        return cp_error_set(g->err, "graph %s: %s", gname, cp_error_msg(g->err));
    for (int i = 0; i < inc->nsents && !rc; i++)
        rc = describe_sent(g, gname, gsummary, &ig, &inc->sents[i], &slots[i], &s[i]);
    if (rc)
        return rc;
    struct fa_graph fg;
    fa_graph_init(&fg, g, ig.cert[0]);
    rc = fa_emit(m, &fg, s, inc->nsents);
    fa_graph_free(&fg);
    return rc;
}

int cp_family_incidents(struct cp_model *m)
{
    for (size_t i = 0; i < CP_ARRAY_LEN(in_incidents); i++) {
        for (int t = 0; t < IN_NTIMELINES; t++) {
            for (int r = 0; r < IN_MAX_TRUSTS; r++) {
                int rc =
                    emit_graph(m, &in_incidents[i], &in_timelines[t], &in_incidents[i].trusts[r]);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}
