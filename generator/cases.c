/* cases.c - adding cases to the model, describing them, and finalising the model. */
#include "cp_model.h"
#include "cp_generator_internal.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_HOST_DOMAIN "certpath.test"

bool cp_is_ip_literal(const char *s)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

static int grow_cases(struct cp_model *m)
{
    if (m->ncases < m->cap_cases)
        return 0;
    int ncap = m->cap_cases ? 2 * m->cap_cases : 64;
    void *p = realloc(m->cases, (size_t)ncap * sizeof(*m->cases));
    if (!p)
        return cp_error_set(CP_E_NOMEM, "out of memory growing the case list to %d", ncap);
    m->cases = p;
    m->cap_cases = ncap;
    return 0;
}

static bool same_anchor_set(const struct cp_graph *g, const int *anchors, int n)
{
    if (n != g->nanchors)
        return false;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++)
            found = g->anchors[j] == anchors[i];
        if (!found)
            return false;
    }
    return true;
}

static int check_spec(const struct cp_graph *g, const struct cp_case_spec *s)
{
    if (g->err)
        return cp_error_set(g->err, "case %s: building graph %s failed: %s", s->id, g->name,
                            cp_error_msg(g->err));
    if (!s->id || !*s->id || strlen(s->id) >= CP_ID_MAX)
        return cp_error_set(CP_E_ARG, "graph %s: a case id is empty or too long", g->name);
    if (s->hostname && (!*s->hostname || strlen(s->hostname) >= CP_HOST_MAX))
        return cp_error_set(CP_E_ARG, "case %s: the hostname is empty or too long", s->id);
    if (s->leaf < 0 || s->leaf >= g->ncerts || !g->certs[s->leaf].is_leaf)
        return cp_error_set(CP_E_ARG, "case %s: leaf %d is not a leaf certificate", s->id, s->leaf);
    if (s->nanchors < 1 || s->nanchors > CP_MAX_ANCHORS)
        return cp_error_set(CP_E_ARG, "case %s: %d anchors (1..%d allowed)", s->id, s->nanchors,
                            CP_MAX_ANCHORS);
    for (int i = 0; i < s->nanchors; i++) {
        if (s->anchors[i] < 0 || s->anchors[i] >= g->nentities)
            return cp_error_set(CP_E_ARG, "case %s: anchor %d is no entity", s->id, s->anchors[i]);
    }
    if (s->nsent < 1 || s->nsent > CP_MAX_SENT || s->sent[0] != s->leaf)
        return cp_error_set(CP_E_ARG,
                            "case %s: the sent list must start with the leaf and "
                            "hold 1..%d certificates",
                            s->id, CP_MAX_SENT);
    for (int i = 0; i < s->nsent; i++) {
        if (s->sent[i] < 0 || s->sent[i] >= g->ncerts)
            return cp_error_set(CP_E_ARG, "case %s: sent certificate %d does not exist", s->id,
                                s->sent[i]);
    }
    if (g->ncases > 0 && !same_anchor_set(g, s->anchors, s->nanchors))
        return cp_error_set(CP_E_ARG,
                            "case %s: graph %s already has cases with other anchors; "
                            "use a graph of its own",
                            s->id, g->name);
    return 0;
}

/* Appends printf-style text to a fixed buffer, truncating (with "...") rather than failing:
 * descriptions are for people, and a cut one is still useful. */
static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= cap - len && cap > 4)
        memcpy(buf + cap - 4, "...", 4);
}

static void describe(struct cp_case *c, const struct cp_graph *g, const char *summary)
{
    char *d = c->description;
    size_t cap = sizeof(c->description);
    d[0] = '\0';
    if (summary && *summary)
        append(d, cap, "%s. ", summary);
    append(d, cap, "Trusts");
    for (int i = 0; i < c->nanchors; i++)
        append(d, cap, "%s %s", i ? "," : "", g->entities[c->anchors[i]].label);
    append(d, cap, "; sends");
    for (int i = 0; i < c->nsent; i++)
        append(d, cap, "%s %s", i ? "," : "", g->certs[c->sent[i]].label);
    char defects[CP_DESC_MAX] = "";
    for (int i = 0; i < g->ncerts; i++) {
        char one[256];
        if (cp_cert_describe_defects(g, &g->certs[i], one, sizeof(one)) > 0)
            append(defects, sizeof(defects), "%s%s: %s", defects[0] ? "; " : "", g->certs[i].label,
                   one);
    }
    if (defects[0])
        append(d, cap, "; %s", defects);
    if (c->hostname_mismatch)
        append(d, cap, "; hostname not in the leaf's SAN");
}

int cp_model_case(struct cp_model *m, struct cp_graph *g, const struct cp_case_spec *s)
{
    int rc = check_spec(g, s);
    if (rc)
        return rc;
    /* Every anchor needs its own certificate for roots.pem; make the default one if the
     * family did not. */
    for (int i = 0; i < s->nanchors; i++) {
        if (cp_graph_root(g, s->anchors[i]) < 0)
            return cp_error_set(g->err, "case %s: %s", s->id, cp_error_msg(g->err));
    }
    if ((rc = grow_cases(m)))
        return rc;
    struct cp_case *c = &m->cases[m->ncases];
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", s->id);
    snprintf(c->family, sizeof(c->family), "%s", m->family ? m->family : "");
    if (s->hostname)
        snprintf(c->hostname, sizeof(c->hostname), "%s", s->hostname);
    else
        snprintf(c->hostname, sizeof(c->hostname), "h%012" PRIx64 "." CP_HOST_DOMAIN,
                 cp_fnv1a64_str(s->id) >> 16);
    c->graph = (int)(g - m->graphs);
    c->leaf = s->leaf;
    c->nanchors = s->nanchors;
    memcpy(c->anchors, s->anchors, (size_t)s->nanchors * sizeof(int));
    c->nsent = s->nsent;
    for (int i = 0; i < s->nsent; i++)
        c->sent[i] = (int16_t)s->sent[i];
    /* A case that tests the hostname check needs it, whatever the family said. */
    c->features = s->features | (s->hostname_mismatch ? CP_F_HOSTNAME : 0);
    c->probe = s->probe;
    c->hostname_mismatch = s->hostname_mismatch;
    if (g->ncases == 0) {
        g->nanchors = s->nanchors;
        memcpy(g->anchors, s->anchors, (size_t)s->nanchors * sizeof(int));
    }
    g->ncases++;
    describe(c, g, s->summary);
    m->ncases++;
    return 0;
}

static int add_san(struct cp_graph *g, struct cp_cert *leaf, const char *name)
{
    for (int i = 0; i < leaf->nsan; i++) {
        if (strcmp(leaf->san[i], name) == 0)
            return 0;
    }
    if (leaf->nsan >= CP_MAX_SAN)
        return cp_error_set(CP_E_LIMIT,
                            "graph %s: leaf %s would need more than %d SAN names; "
                            "split its cases over more graphs",
                            g->name, leaf->label, CP_MAX_SAN);
    snprintf(leaf->san[leaf->nsan++], CP_HOST_MAX, "%s", name);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Ids and hostnames must be unique: a sorted scan finds any repeat in n log n. */
static int check_unique(const struct cp_model *m, size_t field_offset, const char *what,
                        bool skip_ip)
{
    int rc = 0;
    const char **v = malloc((size_t)(m->ncases ? m->ncases : 1) * sizeof(*v));
    if (!v)
        return cp_error_set(CP_E_NOMEM, "out of memory checking %s", what);
    int n = 0;
    for (int i = 0; i < m->ncases; i++) {
        const char *s = (const char *)&m->cases[i] + field_offset;
        /* An IP address is no SNI name: cases may share one (the wire run skips them). */
        if (!skip_ip || !cp_is_ip_literal(s))
            v[n++] = s;
    }
    qsort(v, (size_t)n, sizeof(*v), cmp_str);
    for (int i = 1; i < n && !rc; i++) {
        if (strcmp(v[i - 1], v[i]) == 0)
            rc = cp_error_set(CP_E_ARG, "%s \"%s\" is used by two cases", what, v[i]);
    }
    free(v);
    return rc;
}

int cp_model_finalise(struct cp_model *m)
{
    int rc;
    if ((rc = check_unique(m, offsetof(struct cp_case, id), "case id", false)))
        return rc;
    if ((rc = check_unique(m, offsetof(struct cp_case, hostname), "hostname", true)))
        return rc;
    for (int gi = 0; gi < m->ngraphs; gi++) {
        for (int k = 0; k < m->graphs[gi].ncerts; k++)
            m->graphs[gi].certs[k].nsan_own = m->graphs[gi].certs[k].nsan;
    }
    for (int i = 0; i < m->ncases; i++) {
        struct cp_case *c = &m->cases[i];
        struct cp_graph *g = &m->graphs[c->graph];
        if (!c->hostname_mismatch && !g->certs[c->leaf].gn.fixed &&
            (rc = add_san(g, &g->certs[c->leaf], c->hostname)))
            return rc;
    }
    for (int gi = 0; gi < m->ngraphs; gi++) {
        struct cp_graph *g = &m->graphs[gi];
        uint64_t h = cp_fnv1a64_str(g->tag);
        int nec = 0, nrsa = 0;
        if (g->err)
            return cp_error_set(g->err, "graph %s was left with an error: %s", g->name,
                                cp_error_msg(g->err));
        for (int e = 0; e < g->nentities; e++) {
            struct cp_entity *en = &g->entities[e];
            if (en->alg == CP_KEY_RSA_2048) {
                if (nrsa >= CP_KEYPOOL_RSA)
                    return cp_error_set(CP_E_LIMIT, "graph %s has more than %d RSA entities",
                                        g->name, CP_KEYPOOL_RSA);
                en->key_slot = nrsa++;
            } else {
                if (nec >= CP_KEYPOOL_EC)
                    return cp_error_set(CP_E_LIMIT, "graph %s has more than %d ECDSA entities",
                                        g->name, CP_KEYPOOL_EC);
                en->key_slot = (int)((h + (uint64_t)nec++) % CP_KEYPOOL_EC);
            }
        }
        for (int k = 0; k < g->ncerts; k++) {
            struct cp_cert *ct = &g->certs[k];
            ct->serial = ((h & 0xffffffu) << 16) | (uint64_t)(k + 1);
            if (ct->is_leaf && ct->nsan == 0 && !ct->gn.fixed) {
                char other[CP_HOST_MAX];
                snprintf(other, sizeof(other), "other.%s." CP_HOST_DOMAIN, g->tag);
                if ((rc = add_san(g, ct, other)))
                    return rc;
            }
        }
    }
    return 0;
}

const struct cp_case *cp_model_find(const struct cp_model *m, const char *id)
{
    for (int i = 0; i < m->ncases; i++) {
        if (strcmp(m->cases[i].id, id) == 0)
            return &m->cases[i];
    }
    return NULL;
}
