/* matrix.c - the cases of several runs side by side, and the BetterTLS-style matrix. */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

const struct cp_rep_column cp_rep_columns[CP_REP_NCOLS] = {
    {"branching", "Branching", "branching"},
    {"distrust-sha1", "Distrusts SHA-1", "sha-1"},
    {"eku-on-ca", "EKU on CAs", "eku-ca"},
    {"basic-constraints", "Basic constraints", "basic-c"},
    {"name-constraints", "Name constraints", "name-c"},
    {"expiry", "Expiry", "expiry"},
    {"cycles", "Cycles", "cycles"},
    {"ordering", "Ordering", "order"},
    {NULL, "Other errors", "other"},
};

int cp_rep_profiles(const struct cp_results *r, int n, const char *profile, int *prof)
{
    for (int s = 0; s < n; s++) {
        if ((prof[s] = cp_results_profile(&r[s], profile)) < 0)
            return cp_error_set(CP_E_ARG, "the results of %s have no profile \"%s\"", r[s].stack,
                                profile);
    }
    return 0;
}

int cp_rep_check_stream(FILE *out, const char *what)
{
    if (fflush(out) || ferror(out))
        return cp_error_set(CP_E_IO, "cannot write the %s report", what);
    return 0;
}

int cp_rep_grid_build(struct cp_rep_grid *g, const struct cp_results *r, int n, const char *profile)
{
    int rc = CP_E_NOMEM;
    size_t cap = 0;
    memset(g, 0, sizeof(*g));
    g->n = n;
    for (int s = 0; s < n; s++)
        cap += (size_t)r[s].ncases;
    if (!(g->prof = calloc((size_t)n + 1, sizeof(*g->prof))) ||
        !(g->ids = calloc(cap + 1, sizeof(*g->ids))) ||
        !(g->at = malloc((cap + 1) * (size_t)n * sizeof(*g->at)))) {
        cp_error_set(rc, "out of memory lining up %zu cases", cap);
        goto out;
    }
    if ((rc = cp_rep_profiles(r, n, profile, g->prof)) || (rc = cp_rep_map_init(&g->index, cap)))
        goto out;
    for (int s = 0; s < n; s++) {
        for (int i = 0; i < r[s].ncases; i++) {
            const char *id = r[s].cases[i].id;
            int row = cp_rep_map_get(&g->index, id);
            if (row < 0) {
                row = g->nrows++;
                g->ids[row] = id;
                for (int k = 0; k < n; k++)
                    g->at[(size_t)row * (size_t)n + (size_t)k] = -1;
                if ((rc = cp_rep_map_put(&g->index, id, row)))
                    goto out;
            }
            g->at[(size_t)row * (size_t)n + (size_t)s] = i;
        }
    }
    rc = 0;
out:
    if (rc)
        cp_rep_grid_free(g);
    return rc;
}

void cp_rep_grid_free(struct cp_rep_grid *g)
{
    if (!g)
        return;
    free(g->ids);
    free(g->at);
    free(g->prof);
    cp_rep_map_free(&g->index);
    memset(g, 0, sizeof(*g));
}

const struct cp_result_case *cp_rep_grid_case(const struct cp_rep_grid *g,
                                              const struct cp_results *r, int row, int *stack)
{
    for (int s = 0; s < g->n; s++) {
        int i = g->at[(size_t)row * (size_t)g->n + (size_t)s];
        if (i >= 0) {
            if (stack)
                *stack = s;
            return &r[s].cases[i];
        }
    }
    return NULL;
}

static int feature_of(const struct cp_results *r, const char *name)
{
    for (int f = 0; f < r->nfeatures; f++) {
        if (strcmp(r->features[f], name) == 0)
            return f;
    }
    return -1;
}

static void count(struct cp_rep_cell *cell, enum cp_verdict v)
{
    cell->pass += v == CP_V_PASS;
    cell->fail += v == CP_V_WRONG_ACCEPT || v == CP_V_WRONG_REJECT;
    cell->skip += v == CP_V_SKIP;
    cell->error += v == CP_V_ERROR;
}

static enum cp_support support_of(const struct cp_rep_cell *c)
{
    return c->pass + c->fail == 0 ? CP_SUPPORT_NONE
           : c->fail == 0         ? CP_SUPPORTED
           : c->pass == 0         ? CP_UNSUPPORTED
                                  : CP_SUPPORT_PARTIAL;
}

void cp_rep_matrix_row(const struct cp_results *r, int p, struct cp_rep_row *row)
{
    uint64_t named = 0;
    int fidx[CP_REP_NCOLS];
    memset(row, 0, sizeof(*row));
    for (int k = 0; k < CP_REP_NCOLS; k++) {
        fidx[k] = cp_rep_columns[k].feature ? feature_of(r, cp_rep_columns[k].feature) : -1;
        if (fidx[k] >= 0)
            named |= UINT64_C(1) << fidx[k];
    }
    for (int i = 0; i < r->ncases; i++) {
        const struct cp_result_case *c = &r->cases[i];
        for (int k = 0; k < CP_REP_NCOLS; k++) {
            bool needs = cp_rep_columns[k].feature
                             ? fidx[k] >= 0 && (c->features & (UINT64_C(1) << fidx[k]))
                             : (c->features & ~named) != 0;
            if (needs)
                count(&row->cell[k], c->verdict[p]);
        }
        row->timeout += c->outcome == CP_OUT_TIMEOUT;
        row->crash += c->outcome == CP_OUT_CRASH;
    }
    for (int k = 0; k < CP_REP_NCOLS; k++) {
        struct cp_rep_cell *cell = &row->cell[k];
        if (fidx[k] >= 0) {
            /* BetterTLS's support call (from the feature's probe cases), as the run made it. */
            cell->support = r->summary[p][fidx[k]].support;
            cell->probe_pass = r->summary[p][fidx[k]].probe_pass;
            cell->probe_fail = r->summary[p][fidx[k]].probe_fail;
        } else {
            cell->support = support_of(cell);
        }
    }
    row->pass = r->counts[p][CP_V_PASS];
    row->wrong_accept = r->counts[p][CP_V_WRONG_ACCEPT];
    row->wrong_reject = r->counts[p][CP_V_WRONG_REJECT];
    row->skip = r->counts[p][CP_V_SKIP];
    row->error = r->counts[p][CP_V_ERROR];
    row->total = r->ncases;
}

/* The facets the names family writes (generator/cp_model.h, CP_NAMES_FEATURES), titled. */
static const struct {
    struct cp_rep_column col;
    bool form;
} nc_known[] = {
    {{"nc-dns", "dNSName", "dns"}, true},
    {{"nc-ipv4", "iPAddress v4", "ipv4"}, true},
    {{"nc-ipv6", "iPAddress v6", "ipv6"}, true},
    {{"nc-email", "rfc822Name", "email"}, true},
    {{"nc-uri", "URI", "uri"}, true},
    {{"nc-dirname", "directoryName", "dirname"}, true},
    {{"nc-on-intermediate", "On an intermediate", "on-ica"}, false},
    {{"nc-on-anchor", "On the trust anchor", "on-anchor"}, false},
    {{"nc-two-levels", "At two levels", "2-levels"}, false},
    {{"nc-on-leaf", "On the leaf", "on-leaf"}, false},
    {{"nc-malformed", "Malformed constraints", "malformed"}, false},
};

/* Whether a case of some run carries the feature called name. */
static bool carried(const struct cp_results *r, int n, const char *name)
{
    for (int s = 0; s < n; s++) {
        int f = feature_of(&r[s], name);
        for (int i = 0; f >= 0 && i < r[s].ncases; i++) {
            if (r[s].cases[i].features & (UINT64_C(1) << f))
                return true;
        }
    }
    return false;
}

/* A facet's name as a column may show it unescaped: lower-case letters, digits and '-'. */
static bool nc_plain(const char *name)
{
    for (; *name; name++) {
        if (!islower((unsigned char)*name) && !isdigit((unsigned char)*name) && *name != '-')
            return false;
    }
    return true;
}

static bool nc_listed(const struct cp_rep_nc *nc, const char *name)
{
    for (int k = 0; k < nc->ncols; k++) {
        if (strcmp(nc->col[k].feature, name) == 0)
            return true;
    }
    return false;
}

void cp_rep_nc_columns(const struct cp_results *r, int n, struct cp_rep_nc *nc)
{
    memset(nc, 0, sizeof(*nc));
    for (int pass = 0; pass < 2; pass++) { /* the types, then the placements */
        for (size_t k = 0; k < CP_ARRAY_LEN(nc_known); k++) {
            if (nc_known[k].form == (pass == 0) && carried(r, n, nc_known[k].col.feature))
                nc->col[nc->ncols++] = nc_known[k].col;
        }
        if (pass == 0)
            nc->nforms = nc->ncols;
    }
    for (int s = 0; s < n; s++) {
        for (int f = 0; f < r[s].nfeatures && nc->ncols < CP_REP_NC_MAX; f++) {
            const char *name = r[s].features[f];
            if (strncmp(name, "nc-", 3) == 0 && nc_plain(name) && !nc_listed(nc, name) &&
                carried(r, n, name))
                nc->col[nc->ncols++] = (struct cp_rep_column){name, name, name + 3};
        }
    }
}

void cp_rep_nc_row(const struct cp_results *r, int p, const struct cp_rep_nc *nc,
                   struct cp_rep_cell *cells)
{
    for (int k = 0; k < nc->ncols; k++) {
        int f = feature_of(r, nc->col[k].feature);
        memset(&cells[k], 0, sizeof(cells[k]));
        for (int i = 0; f >= 0 && i < r->ncases; i++) {
            if (r->cases[i].features & (UINT64_C(1) << f))
                count(&cells[k], r->cases[i].verdict[p]);
        }
        cells[k].support = support_of(&cells[k]);
    }
}

const char *cp_rep_support_word(enum cp_support s)
{
    return cp_support_look(s)->word;
}

const char *cp_rep_library(const struct cp_results *r, char *buf, size_t cap)
{
    const char *lib = r->library && *r->library ? r->library : r->stack;
    const char *ver = r->library_version ? r->library_version : "";
    size_t n = strlen(lib);
    bool named =
        strncasecmp(ver, lib, n) == 0 && (ver[n] == '\0' || isspace((unsigned char)ver[n]));
    if (named || !*lib)
        snprintf(buf, cap, "%s", ver);
    else if (!*ver)
        snprintf(buf, cap, "%s", lib);
    else
        snprintf(buf, cap, "%s %s", lib, ver);
    return buf;
}

const char *cp_rep_library_short(const struct cp_results *r, char *buf, size_t cap)
{
    char *paren;
    cp_rep_library(r, buf, cap);
    if (strlen(buf) > 24 && (paren = strstr(buf, " (")))
        *paren = '\0';
    return buf;
}

int cp_rep_same_suite(const struct cp_results *r, int n)
{
    for (int s = 1; s < n; s++) {
        if (strcmp(r[s].suite_id ? r[s].suite_id : "", r[0].suite_id ? r[0].suite_id : ""))
            return 0;
    }
    return 1;
}
