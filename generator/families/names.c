/*
 * names.c - the `names` family: name constraints at depth, an opt-in suite of its own
 * (`certpath generate --family names`). Its parts are in names_*.c; the oracle's rules are in
 * the names section of generator/oracle.c and docs/profiles.md.
 */
#include "cp_families.h"
#include "cp_generator_internal.h"
#include "names_parts.h"

int cp_family_names(struct cp_model *m)
{
    int rc = cp_names_bettertls(m);
    return rc ? rc : cp_names_beyond(m);
}

/* The forms one certificate's well-formed constraints name. */
static uint64_t forms_of(const struct cp_cert *c)
{
    uint64_t f = c->npermitted || c->nexcluded ? CP_F_NC_DNS : 0;
    const struct {
        const struct cp_gname *e;
        int n;
    } lists[] = {{c->gn.permitted, c->gn.npermitted}, {c->gn.excluded, c->gn.nexcluded}};
    for (size_t l = 0; l < CP_ARRAY_LEN(lists); l++) {
        for (int i = 0; i < lists[l].n; i++) {
            const struct cp_gname *e = &lists[l].e[i];
            f |= e->type == CP_GN_DNS                 ? CP_F_NC_DNS
                 : e->type == CP_GN_IP && e->len == 8 ? CP_F_NC_IPV4
                 : e->type == CP_GN_IP                ? CP_F_NC_IPV6
                 : e->type == CP_GN_EMAIL             ? CP_F_NC_EMAIL
                 : e->type == CP_GN_URI               ? CP_F_NC_URI
                 : e->type == CP_GN_DIR               ? CP_F_NC_DIRNAME
                                                      : 0;
        }
    }
    return f;
}

static bool has_nc(const struct cp_cert *c)
{
    return c->version == 3 && (c->npermitted || c->nexcluded || c->gn.npermitted ||
                               c->gn.nexcluded || c->gn.nc_form != CP_NC_DER);
}

uint64_t cp_names_facets(const struct cp_graph *g, int leaf, const int *sent, int nsent,
                         const int *anchors, int nanchors)
{
    uint64_t f = 0;
    int levels[CP_MAX_SENT + CP_MAX_ANCHORS], nlevels = 0;
    const struct cp_cert *lc = &g->certs[leaf];
    if (has_nc(lc))
        f |= CP_F_NC_ON_LEAF;
    for (int k = 0; k < nsent + nanchors; k++) {
        bool anchor = k >= nsent;
        int ci = anchor ? cp_graph_self_signed(g, anchors[k - nsent]) : sent[k];
        if (ci < 0 || ci == leaf || (!anchor && g->certs[ci].issuer == g->certs[ci].subject))
            continue; /* the leaf, an anchor without a certificate, a sent self-signed root */
        const struct cp_cert *c = &g->certs[ci];
        if (!has_nc(c))
            continue;
        if (cp_names_nc_undecodable(c)) {
            f |= CP_F_NC_MALFORMED; /* no form, no placement: never read as enforcement */
            continue;
        }
        f |= forms_of(c) | (anchor ? CP_F_NC_ON_ANCHOR : CP_F_NC_ON_INTERMEDIATE);
        bool seen = false;
        for (int i = 0; i < nlevels; i++)
            seen = seen || levels[i] == c->subject;
        if (!seen)
            levels[nlevels++] = c->subject;
    }
    return f | (nlevels >= 2 ? CP_F_NC_TWO_LEVELS : 0);
}
