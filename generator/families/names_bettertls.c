/*
 * names_bettertls.c - BetterTLS's name-constraints suite (Netflix/bettertls e1e99e3,
 * test-suites/nameconstraints), case for case, for the `names` family.
 *
 * BetterTLS numbers its 9,491 cases by position (shared/reference/bettertls-nameconstraints.md
 * 1.4): 0-5 probes, 6 a hand-written URI smuggle, 7-8754 the grid of 2 hostname types x 2 CN
 * types x 3^7 field values, 8755-8978 one extra SAN entry of every context tag 0-15 carrying
 * the hostname in 7 encodings, 8979-9490 the separator smuggles. This file rebuilds that list
 * from the formulas, folds exact duplicates (a CN type without a CN, the probes that reappear in
 * the grid) into one case that lists every id, and gives each distinct definition one case:
 *
 *   names/bettertls/tc<first id>, described "BetterTLS nc #<id>[, #<id>...]: <fields>".
 *
 * Chain shape as BetterTLS's: trust_root -> local_root -> local_ica -> leaf, all four sent
 * leaf first, name constraints (critical, dNSName before iPAddress, permitted before excluded
 * in DER) on local_ica only; the leaf has a CN or none, a dNSName SAN, an iPAddress SAN and
 * the extra entry, in that order, and no SAN extension when it has none of them.
 *
 * Values (BetterTLS's, with one change): the DNS hostname test.localhost becomes
 * tc<id>.test.localhost, so that every case has its own SNI name over the wire; it keeps every
 * relation to the constraints (inside localhost, outside example.com and bad.example.com).
 * The IP hostname stays 127.0.0.1 for every IP case. A smuggled payload carries the case's
 * hostname where BetterTLS's carries test.localhost.
 *
 * Minting shares: one graph (trust root, local_root, local_ica) per constraint set and chunk of
 * at most CHUNK cases, one new leaf, that is one signature, per case; keys come from the pool.
 */
#include "cp_families.h"
#include "names_parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NC_TOTAL 9491 /* BetterTLS's case count; its provider pre-sizes the list to it */
#define NC_GRID_FIRST 7
#define NC_GRID_N 8748 /* 2 * 2 * 3^7 */
#define NC_TAG_FIRST 8755
#define NC_SEP_FIRST 8979
#define CHUNK 200 /* leaves per graph: within the key pool's 256 entities per graph */

enum { NONE = 0, VALID = 1, INVALID = 2 };
enum { DNS = 0, IP = 1 };

/* One BetterTLS test case definition (its NameConstraintsTestCase). */
struct btnc {
    int host, cn_type, cn, dns_san, ip_san, dns_w, ip_w, dns_b, ip_b;
    bool extra;
    unsigned char tag;
    char payload[CP_GN_VALUE_MAX]; /* with "%H" for the hostname, or raw octets */
    int plen;                      /* raw payload length; 0: payload is text */
};

static void grid(int idx, struct btnc *d)
{
    int f[9];
    for (int i = 8; i >= 2; i--, idx /= 3)
        f[i] = idx % 3;
    f[1] = idx % 2;
    f[0] = idx / 2;
    *d = (struct btnc){.host = f[0],
                       .cn_type = f[1],
                       .cn = f[2],
                       .dns_san = f[3],
                       .ip_san = f[4],
                       .dns_w = f[5],
                       .ip_w = f[6],
                       .dns_b = f[7],
                       .ip_b = f[8]};
}

static void define(int id, struct btnc *d)
{
    static const char *const dns_enc[] = {"%H", "http://%H", "https://%H", "spiffe://%H",
                                          "unspec://%H"};
    static const char *const seps[] = {", ", ",", ";", ":"};
    static const char *const prefixes[] = {"", "DNS:"};
    static const char *const leads[] = {"bad.example.com", "http://bad.example.com"};
    memset(d, 0, sizeof(*d));
    if (id == 0 || id == 1) { /* sanity; the NAME_CONSTRAINTS probe */
        *d = (struct btnc){.host = DNS, .cn = VALID, .dns_san = VALID, .dns_w = id ? VALID : NONE};
    } else if (id <= 5) { /* VALIDATE_DNS, VALIDATE_IP */
        d->host = id <= 3 ? DNS : IP;
        d->cn_type = d->host;
        *(id <= 3 ? &d->dns_san : &d->ip_san) = id % 2 == 0 ? VALID : INVALID;
    } else if (id == 6) {
        *d =
            (struct btnc){.host = DNS, .dns_san = INVALID, .dns_b = VALID, .extra = true, .tag = 6};
        snprintf(d->payload, sizeof(d->payload), "http://foo.bar, DNS:%%H");
    } else if (id < NC_TAG_FIRST) {
        grid(id - NC_GRID_FIRST, d);
    } else if (id < NC_SEP_FIRST) {
        int t = (id - NC_TAG_FIRST) / 14, k = (id - NC_TAG_FIRST) % 14;
        d->extra = true;
        d->tag = (unsigned char)t;
        if (k < 10) {
            d->host = DNS;
            d->dns_san = INVALID;
            *(k % 2 ? &d->dns_b : &d->dns_w) = k % 2 ? VALID : INVALID;
            snprintf(d->payload, sizeof(d->payload), "%s", dns_enc[k / 2]);
        } else {
            d->host = IP;
            d->cn_type = IP;
            d->ip_san = INVALID;
            *(k % 2 ? &d->ip_b : &d->ip_w) = k % 2 ? VALID : INVALID;
            if (k < 12) {
                memcpy(d->payload, "\x7f\x00\x00\x01", 4);
                d->plen = 4;
            } else {
                snprintf(d->payload, sizeof(d->payload), "127.0.0.1");
            }
        }
    } else {
        int r = id - NC_SEP_FIRST, v = r % 2, t = (r / 2) % 16, combo = r / 32;
        int lead = combo % 2, prefix = (combo / 2) % 2, sep = combo / 4;
        *d = (struct btnc){.host = DNS, .dns_san = INVALID, .extra = true, .tag = (unsigned char)t};
        *(v ? &d->dns_b : &d->dns_w) = v ? VALID : INVALID;
        snprintf(d->payload, sizeof(d->payload), "%s%s%s%%H", leads[lead], seps[sep],
                 prefixes[prefix]);
    }
    if (d->cn == NONE)
        d->cn_type = 0; /* no CN: its type means nothing (BetterTLS's 1,458 duplicates) */
}

static bool same(const struct btnc *a, const struct btnc *b)
{
    return a->host == b->host && a->cn_type == b->cn_type && a->cn == b->cn &&
           a->dns_san == b->dns_san && a->ip_san == b->ip_san && a->dns_w == b->dns_w &&
           a->ip_w == b->ip_w && a->dns_b == b->dns_b && a->ip_b == b->ip_b &&
           a->extra == b->extra && a->tag == b->tag && a->plen == b->plen &&
           (a->plen ? memcmp(a->payload, b->payload, (size_t)a->plen) == 0
                    : strcmp(a->payload, b->payload) == 0);
}

static uint64_t key_hash(const struct btnc *d)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%d%d%d%d%d%d%d%d%d%d/%u/%d/", d->host, d->cn_type, d->cn,
             d->dns_san, d->ip_san, d->dns_w, d->ip_w, d->dns_b, d->ip_b, d->extra, d->tag,
             d->plen);
    uint64_t h = cp_fnv1a64_str(buf);
    for (int i = 0; i < (d->plen ? d->plen : (int)strlen(d->payload)); i++) {
        h ^= (unsigned char)d->payload[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* The constraint set: the graph key. */
static int nc_set(const struct btnc *d)
{
    return ((d->dns_w * 3 + d->ip_w) * 3 + d->dns_b) * 3 + d->ip_b;
}

struct entry {
    struct btnc d;
    uint64_t hash;
    int ids[4]; /* BetterTLS ids, ascending; at most 3 repeat one definition */
    int nids;
};

static const char *val_name(int v)
{
    return v == VALID ? "VALID" : v == INVALID ? "INVALID" : "NONE";
}

static void summary(const struct entry *e, char *out, size_t cap)
{
    const struct btnc *d = &e->d;
    size_t n = (size_t)snprintf(out, cap, "BetterTLS nc");
    for (int i = 0; i < e->nids && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s #%d", i ? "," : "", e->ids[i]);
    if (n >= cap)
        return;
    snprintf(out + n, cap - n,
             ": %s host; CN %s%s; DnsSan %s; IpSan %s; DnsWhitelist %s; IpWhitelist %s; "
             "DnsBlacklist %s; IpBlacklist %s%s",
             d->host ? "IP" : "DNS", d->cn ? (d->cn_type ? "IP " : "DNS ") : "", val_name(d->cn),
             val_name(d->dns_san), val_name(d->ip_san), val_name(d->dns_w), val_name(d->ip_w),
             val_name(d->dns_b), val_name(d->ip_b), d->extra ? "; an extra SAN entry" : "");
    if (d->extra) {
        size_t k = strlen(out);
        snprintf(out + k, cap - k, " [%u]", d->tag);
    }
}

static int add_subtree(struct cp_gname *list, int *n, int type, int v, bool permitted)
{
    static const char *const dns[2][2] = {{"localhost", "example.com"},
                                          {"localhost", "bad.example.com"}};
    static const char *const ip[2] = {"127.0.0.0/24", "1.1.1.0/24"};
    if (v == NONE)
        return 0;
    return cp_gname_add(list, n, type == DNS ? CP_GN_DNS : CP_GN_IP,
                        type == DNS ? dns[!permitted][v - 1] : ip[v - 1]);
}

/* The payload with the hostname put in for "%H". */
static int expand(const struct btnc *d, const char *host, char *out, size_t cap)
{
    const char *h = strstr(d->payload, "%H");
    int w = h ? snprintf(out, cap, "%.*s%s%s", (int)(h - d->payload), d->payload, host, h + 2)
              : snprintf(out, cap, "%s", d->payload);
    if (w < 0 || (size_t)w >= cap)
        return cp_error_set(CP_E_LIMIT, "the smuggled payload for %s exceeds %zu bytes", host,
                            cap - 1);
    return 0;
}

/* host: BetterTLS's VALID_DNS_NAME for this case (the hostname of a DNS case; an IP case
 * carries it too, in a valid DNS SAN or CN). */
static int leaf_names(struct cp_names *gn, const struct btnc *d, const char *host)
{
    static const char *const dns[] = {NULL, NULL, "bad.example.com"};
    static const char *const ips[] = {NULL, "127.0.0.1", "1.1.1.1"};
    int rc = 0;
    gn->fixed = true;
    gn->cn = d->cn ? CP_CN_TEXT : CP_CN_NONE;
    if (d->cn)
        snprintf(gn->cn_text, sizeof(gn->cn_text), "%s",
                 d->cn_type == DNS ? (d->cn == VALID ? host : dns[INVALID]) : ips[d->cn]);
    if (d->dns_san)
        rc = cp_gname_add(gn->san, &gn->nsan, CP_GN_DNS, d->dns_san == VALID ? host : dns[INVALID]);
    if (!rc && d->ip_san)
        rc = cp_gname_add(gn->san, &gn->nsan, CP_GN_IP, ips[d->ip_san]);
    if (!rc && d->extra) {
        char text[CP_GN_VALUE_MAX];
        if (d->plen) {
            rc = cp_gname_raw(&gn->san[gn->nsan], (unsigned char)(0x80 | d->tag), d->payload,
                              (size_t)d->plen);
        } else {
            rc = expand(d, host, text, sizeof(text));
            if (!rc)
                rc = cp_gname_raw(&gn->san[gn->nsan], (unsigned char)(0x80 | d->tag), text,
                                  strlen(text));
        }
        gn->nsan += !rc;
    }
    return rc;
}

struct chunk {
    struct cp_graph *g;
    int root, local_root, ica, e_root, e_ica;
    int sent_ca[3];
    int n;
};

static int new_chunk(struct cp_model *m, struct chunk *ch, const struct btnc *d, int set, int k)
{
    char name[CP_ID_MAX];
    snprintf(name, sizeof(name), "names/bettertls/nc-%02d/%d", set, k);
    if (!(ch->g = cp_model_graph(m, name)))
        return CP_E_NOMEM;
    struct cp_graph *g = ch->g;
    ch->e_root = cp_graph_entity(g, "trust_root");
    int e_local = cp_graph_entity(g, "local_root");
    ch->e_ica = cp_graph_entity(g, "local_ica");
    ch->root = cp_graph_root(g, ch->e_root);
    ch->local_root = cp_graph_ca(g, ch->e_root, e_local);
    ch->ica = cp_graph_ca(g, e_local, ch->e_ica);
    struct cp_cert *ica = cp_graph_cert_at(g, ch->ica);
    if (!ica)
        return g->err;
    struct cp_names *gn = &ica->gn;
    int rc = add_subtree(gn->permitted, &gn->npermitted, DNS, d->dns_w, true);
    if (!rc)
        rc = add_subtree(gn->permitted, &gn->npermitted, IP, d->ip_w, true);
    if (!rc)
        rc = add_subtree(gn->excluded, &gn->nexcluded, DNS, d->dns_b, false);
    if (!rc)
        rc = add_subtree(gn->excluded, &gn->nexcluded, IP, d->ip_b, false);
    if (rc)
        return cp_error_set(rc, "graph %s: %s", name, cp_error_msg(rc));
    ch->sent_ca[0] = ch->ica;
    ch->sent_ca[1] = ch->local_root;
    ch->sent_ca[2] = ch->root;
    ch->n = 0;
    return 0;
}

static int add_case(struct cp_model *m, struct chunk *ch, const struct entry *e)
{
    const struct btnc *d = &e->d;
    char id[CP_ID_MAX], dns_name[CP_HOST_MAX], label[CP_LABEL_MAX], text[CP_DESC_MAX];
    struct cp_graph *g = ch->g;
    snprintf(id, sizeof(id), "names/bettertls/tc%d", e->ids[0]);
    snprintf(dns_name, sizeof(dns_name), "tc%d.test.localhost", e->ids[0]);
    const char *host = d->host == DNS ? dns_name : "127.0.0.1";
    snprintf(label, sizeof(label), "leaf%d", e->ids[0]);
    int ee = cp_graph_entity(g, label);
    int leaf = cp_graph_leaf(g, ch->e_ica, ee);
    struct cp_cert *c = cp_graph_cert_at(g, leaf);
    if (!c)
        return cp_error_set(g->err, "case %s: %s", id, cp_error_msg(g->err));
    int rc = leaf_names(&c->gn, d, dns_name);
    if (rc)
        return cp_error_set(rc, "case %s: %s", id, cp_error_msg(rc));
    bool constrained = d->dns_w || d->ip_w || d->dns_b || d->ip_b;
    int sent[] = {leaf, ch->sent_ca[0], ch->sent_ca[1], ch->sent_ca[2]};
    summary(e, text, sizeof(text));
    struct cp_case_spec s = {
        .id = id,
        .summary = text,
        .leaf = leaf,
        .anchors = &ch->e_root,
        .nanchors = 1,
        .sent = sent,
        .nsent = 4,
        .features = CP_F_HOSTNAME | (constrained ? CP_F_NAME_CONSTRAINTS : 0) |
                    cp_names_facets(g, leaf, sent, 4, &ch->e_root, 1),
        .probe = e->ids[0] <= 5, /* BetterTLS's sanity case and feature probes */
        .hostname = host,
    };
    ch->n++;
    return cp_model_case(m, g, &s);
}

static int cmp_entry_set(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int sx = nc_set(&x->d), sy = nc_set(&y->d);
    return sx != sy ? (sx > sy) - (sx < sy) : (x->ids[0] > y->ids[0]) - (x->ids[0] < y->ids[0]);
}

/* Folds the 9,491 definitions into distinct entries, each listing its ids (ascending). */
static int distinct(struct entry **out, int *nout)
{
    /* Open addressing on the definition's hash; 16384 slots for 8,027 entries. */
    enum { SLOTS = 16384 };
    struct entry *v = calloc(NC_TOTAL, sizeof(*v));
    int *slot = malloc(SLOTS * sizeof(*slot)), n = 0;
    if (!v || !slot) {
        free(v);
        free(slot);
        return cp_error_set(CP_E_NOMEM, "out of memory folding BetterTLS's cases");
    }
    for (int i = 0; i < SLOTS; i++)
        slot[i] = -1;
    for (int id = 0; id < NC_TOTAL; id++) {
        struct btnc d;
        define(id, &d);
        uint64_t h = key_hash(&d);
        unsigned s = (unsigned)(h % SLOTS);
        while (slot[s] >= 0 && !(v[slot[s]].hash == h && same(&v[slot[s]].d, &d)))
            s = (s + 1) % SLOTS;
        if (slot[s] < 0) {
            slot[s] = n;
            v[n++] = (struct entry){.d = d, .hash = h, .ids = {id}, .nids = 1};
        } else if (v[slot[s]].nids < (int)CP_ARRAY_LEN(v[0].ids)) {
            struct entry *e = &v[slot[s]];
            e->ids[e->nids++] = id;
        } else {
            free(v);
            free(slot);
            return cp_error_set(CP_E_INTERNAL,
                                "BetterTLS nc #%d repeats a definition more than %d "
                                "times",
                                id, (int)CP_ARRAY_LEN(v[0].ids));
        }
    }
    free(slot);
    *out = v;
    *nout = n;
    return 0;
}

int cp_names_bettertls(struct cp_model *m)
{
    struct entry *v = NULL;
    int n = 0, rc = distinct(&v, &n);
    if (rc)
        return rc;
    qsort(v, (size_t)n, sizeof(*v), cmp_entry_set);
    struct chunk ch = {0};
    int set = -1, k = 0;
    for (int i = 0; i < n && !rc; i++) {
        int s = nc_set(&v[i].d);
        if (s != set || ch.n >= CHUNK) {
            k = s != set ? 0 : k + 1;
            set = s;
            rc = new_chunk(m, &ch, &v[i].d, s, k);
        }
        if (!rc)
            rc = add_case(m, &ch, &v[i]);
    }
    free(v);
    return rc;
}
