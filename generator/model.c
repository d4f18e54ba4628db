/* model.c - building graphs and cases; see cp_model.h for the call sequence and ownership. */
#include "cp_hash.h"
#include "cp_model.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Growth step for the model's arrays: graphs are small, a doubling policy keeps reallocs rare. */
#define CP_GROW_MIN 8

static int grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int ncap = *cap ? *cap : CP_GROW_MIN;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p)
        return cp_error_set(CP_E_NOMEM, "out of memory growing the model to %d entries", ncap);
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return 0;
}

static int copy_str(char *dst, size_t cap, const char *src, const char *what)
{
    size_t n = strlen(src);
    if (n >= cap)
        return cp_error_set(CP_E_LIMIT, "%s \"%s\" is longer than %zu characters", what, src,
                            cap - 1);
    memcpy(dst, src, n + 1);
    return 0;
}

int cp_model_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT, "\"%s...\" is longer than %zu characters", out, cap - 1);
    return 0;
}

void cp_model_init(struct cp_model *m)
{
    memset(m, 0, sizeof(*m));
}

void cp_model_free(struct cp_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->ngraphs; i++) {
        free(m->graphs[i].entities);
        free(m->graphs[i].certs);
    }
    free(m->graphs);
    free(m->cases);
    memset(m, 0, sizeof(*m));
}

struct cp_graph *cp_model_graph(struct cp_model *m, const char *name)
{
    for (int i = 0; i < m->ngraphs; i++) {
        if (strcmp(m->graphs[i].name, name) == 0) {
            cp_error_set(CP_E_ARG, "graph name \"%s\" is used twice", name);
            return NULL;
        }
    }
    if (grow((void **)&m->graphs, &m->cap_graphs, m->ngraphs + 1, sizeof(*m->graphs)))
        return NULL;
    struct cp_graph *g = &m->graphs[m->ngraphs];
    memset(g, 0, sizeof(*g));
    if (copy_str(g->name, sizeof(g->name), name, "graph name"))
        return NULL;
    snprintf(g->tag, sizeof(g->tag), "g%012" PRIx64, cp_fnv1a64_str(name) >> 16);
    m->ngraphs++;
    return g;
}

/* Records the first error of a build step; later calls keep it. */
static int sticky(struct cp_graph *g, int rc)
{
    if (!g->err)
        g->err = rc;
    return -1;
}

static int add_entity(struct cp_graph *g, const char *label, enum cp_key_alg alg, int name_of)
{
    if (g->err)
        return -1;
    if (grow((void **)&g->entities, &g->cap_entities, g->nentities + 1, sizeof(*g->entities)))
        return sticky(g, CP_E_NOMEM);
    for (int i = 0; i < g->nentities; i++) {
        if (strcmp(g->entities[i].label, label) == 0)
            return sticky(
                g, cp_error_set(CP_E_ARG, "graph %s: entity \"%s\" added twice", g->name, label));
    }
    struct cp_entity *e = &g->entities[g->nentities];
    if (copy_str(e->label, sizeof(e->label), label, "entity label"))
        return sticky(g, CP_E_LIMIT);
    e->alg = alg;
    e->name_of = name_of < 0 ? g->nentities : name_of;
    e->key_slot = -1;
    return g->nentities++;
}

int cp_graph_entity(struct cp_graph *g, const char *label)
{
    return add_entity(g, label, CP_KEY_EC_P256, -1);
}

int cp_graph_entity_rsa(struct cp_graph *g, const char *label)
{
    return add_entity(g, label, CP_KEY_RSA_2048, -1);
}

int cp_graph_rekey(struct cp_graph *g, int entity, const char *label)
{
    if (g->err)
        return -1;
    if (entity < 0 || entity >= g->nentities)
        return sticky(
            g, cp_error_set(CP_E_ARG, "graph %s: rekey of unknown entity %d", g->name, entity));
    return add_entity(g, label, g->entities[entity].alg, g->entities[entity].name_of);
}

int cp_graph_find(const struct cp_graph *g, const char *label)
{
    for (int i = 0; i < g->ncerts; i++) {
        if (strcmp(g->certs[i].label, label) == 0)
            return i;
    }
    return -1;
}

/* "Issuer->Subject", or the subject alone for a self-signed certificate; "#2", "#3"... when a
 * graph has two certificates for the same pair (a re-issued cross-sign). */
static int make_label(const struct cp_graph *g, int issuer, int subject, char *out, size_t cap)
{
    const char *is = g->entities[issuer].label, *su = g->entities[subject].label;
    int n = issuer == subject ? snprintf(out, cap, "%s", su) : snprintf(out, cap, "%s->%s", is, su);
    for (int k = 2; n >= 0 && (size_t)n < cap && cp_graph_find(g, out) >= 0; k++)
        n = issuer == subject ? snprintf(out, cap, "%s#%d", su, k)
                              : snprintf(out, cap, "%s->%s#%d", is, su, k);
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT,
                            "graph %s: certificate label for %s -> %s is longer "
                            "than %zu characters",
                            g->name, is, su, cap - 1);
    return 0;
}

static int add_cert(struct cp_graph *g, int issuer, int subject, bool leaf)
{
    if (g->err)
        return -1;
    if (issuer < 0 || issuer >= g->nentities || subject < 0 || subject >= g->nentities)
        return sticky(g, cp_error_set(CP_E_ARG,
                                      "graph %s: certificate %d -> %d names an "
                                      "unknown entity",
                                      g->name, issuer, subject));
    if (grow((void **)&g->certs, &g->cap_certs, g->ncerts + 1, sizeof(*g->certs)))
        return sticky(g, CP_E_NOMEM);
    struct cp_cert *c = &g->certs[g->ncerts];
    memset(c, 0, sizeof(*c));
    if (make_label(g, issuer, subject, c->label, sizeof(c->label)))
        return sticky(g, CP_E_LIMIT);
    c->issuer = issuer;
    c->subject = subject;
    c->is_leaf = leaf;
    c->version = 3;
    c->not_before = -CP_DAY;
    c->not_after = 366 * CP_DAY;
    c->path_len = -1;
    c->aki = CP_KID_PRESENT;
    c->ski = CP_KID_PRESENT;
    c->kid_entity = -1;
    c->sig_alg = CP_SIG_SHA256;
    if (leaf) {
        c->bc = CP_BC_NOT_CA;
        c->key_usage = CP_KU_DIGITAL_SIGNATURE;
        c->eku = CP_EKU_SERVER_AUTH;
    } else {
        c->bc = CP_BC_CA;
        c->key_usage = CP_KU_KEY_CERT_SIGN;
    }
    return g->ncerts++;
}

int cp_graph_ca(struct cp_graph *g, int issuer, int subject)
{
    return add_cert(g, issuer, subject, false);
}

int cp_graph_self_signed(const struct cp_graph *g, int entity)
{
    for (int i = 0; i < g->ncerts; i++) {
        if (g->certs[i].issuer == entity && g->certs[i].subject == entity)
            return i;
    }
    return -1;
}

int cp_graph_root(struct cp_graph *g, int entity)
{
    if (g->err)
        return -1;
    int i = cp_graph_self_signed(g, entity);
    return i >= 0 ? i : add_cert(g, entity, entity, false);
}

int cp_graph_leaf(struct cp_graph *g, int issuer, int subject)
{
    return add_cert(g, issuer, subject, true);
}

struct cp_cert *cp_graph_cert_at(struct cp_graph *g, int cert)
{
    if (cert < 0 || cert >= g->ncerts) {
        if (!g->err)
            sticky(g, cp_error_set(CP_E_ARG, "graph %s: no certificate %d", g->name, cert));
        return NULL;
    }
    return &g->certs[cert];
}

void cp_order_reverse(int *sent, int n)
{
    for (int i = 1, j = n - 1; i < j; i++, j--) {
        int t = sent[i];
        sent[i] = sent[j];
        sent[j] = t;
    }
}

void cp_order_shuffle(int *sent, int n, const char *key)
{
    /* xorshift64 keyed by the string: a fixed, portable sequence (rand() differs by libc). */
    uint64_t x = cp_fnv1a64_str(key) | 1;
    for (int i = n - 1; i > 1; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int j = 1 + (int)(x % (uint64_t)i); /* 1..i: the leaf stays first */
        int t = sent[i];
        sent[i] = sent[j];
        sent[j] = t;
    }
}

static const char *const profile_names[] = {
#define CP_X_NAME(code, name) name,
    CP_PROFILES(CP_X_NAME)
#undef CP_X_NAME
};
static const char *const feature_names[] = {
#define CP_X_NAME(code, name) name,
    CP_FEATURES(CP_X_NAME)
#undef CP_X_NAME
};
static const char *const reason_names[] = {
#define CP_X_NAME(code, name) name,
    CP_REASONS(CP_X_NAME)
#undef CP_X_NAME
};

const char *cp_profile_name(enum cp_profile p)
{
    return (unsigned)p < CP_PROFILE_COUNT ? profile_names[p] : "?";
}

const char *cp_feature_name(int bit)
{
    return bit >= 0 && bit < CP_FEATURE_COUNT ? feature_names[bit] : "?";
}

const char *cp_reason_name(enum cp_reason r)
{
    return (unsigned)r < CP_REASON_COUNT ? reason_names[r] : "?";
}

int cp_feature_lookup(const char *name)
{
    for (int i = 0; i < CP_FEATURE_COUNT; i++) {
        if (strcmp(feature_names[i], name) == 0)
            return i;
    }
    return -1;
}

/* ---- GeneralNames (cp_gname_*; the oracle reads them in oracle.c) ---- */

const char *cp_gname_type_name(enum cp_gn_type type)
{
    static const char *const names[] = {
        [CP_GN_DNS] = "dNSName",       [CP_GN_IP] = "iPAddress",
        [CP_GN_EMAIL] = "rfc822Name",  [CP_GN_URI] = "uniformResourceIdentifier",
        [CP_GN_DIR] = "directoryName", [CP_GN_RID] = "registeredID",
        [CP_GN_RAW] = "undecodable"};
    return (unsigned)type < CP_ARRAY_LEN(names) ? names[type] : "?";
}

static bool printable(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] < 0x20 || b[i] > 0x7e)
            return false;
    }
    return true;
}

/* A prefix length as a mask of len octets. */
static void prefix_mask(unsigned char *mask, int len, int bits)
{
    for (int i = 0; i < len; i++) {
        int b = bits - 8 * i;
        mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (unsigned char)(0xff << (8 - b));
    }
}

/* 1 to 3 comma-separated TYPE=value attributes, each type non-empty and at most 15 bytes (the
 * oracle's directoryName reader takes exactly these). */
static bool dn_ok(const char *s)
{
    int n = 0;
    while (*s) {
        const char *eq = strchr(s, '=');
        size_t part = strcspn(s, ",");
        if (!eq || eq == s || (size_t)(eq - s) >= 16 || (size_t)(eq - s) >= part || ++n > 3)
            return false;
        s += part;
        if (*s == ',')
            s++;
    }
    return n > 0;
}

int cp_gname_set(struct cp_gname *e, enum cp_gn_type type, const char *text)
{
    memset(e, 0, sizeof(*e));
    e->type = type;
    size_t n = strlen(text);
    if (type == CP_GN_IP) {
        char addr[INET6_ADDRSTRLEN + 8];
        const char *slash = strchr(text, '/');
        size_t alen = slash ? (size_t)(slash - text) : n;
        unsigned char *v = (unsigned char *)e->value;
        if (alen >= sizeof(addr))
            return cp_error_set(CP_E_ARG, "iPAddress \"%s\" is no address", text);
        memcpy(addr, text, alen);
        addr[alen] = '\0';
        int len = inet_pton(AF_INET, addr, v) == 1 ? 4 : inet_pton(AF_INET6, addr, v) == 1 ? 16 : 0;
        if (!len)
            return cp_error_set(CP_E_ARG, "iPAddress \"%s\" is no address", text);
        e->len = len;
        if (slash) {
            char *end;
            long bits = strtol(slash + 1, &end, 10);
            if (!slash[1] || *end || bits < 0 || bits > 8 * len)
                return cp_error_set(CP_E_ARG, "iPAddress subtree \"%s\" has a bad prefix length",
                                    text);
            prefix_mask(v + len, len, (int)bits);
            e->len = 2 * len;
        }
        return 0;
    }
    if (type != CP_GN_DNS && type != CP_GN_EMAIL && type != CP_GN_URI && type != CP_GN_DIR)
        return cp_error_set(CP_E_ARG, "GeneralName \"%s\": %s has no text form", text,
                            cp_gname_type_name(type));
    if (n >= sizeof(e->value))
        return cp_error_set(CP_E_LIMIT, "%s \"%s\" is longer than %zu bytes",
                            cp_gname_type_name(type), text, sizeof(e->value) - 1);
    if (!printable((const unsigned char *)text, n))
        return cp_error_set(CP_E_ARG, "%s \"%s\" holds bytes outside printable IA5",
                            cp_gname_type_name(type), text);
    if (type == CP_GN_DIR && !dn_ok(text))
        return cp_error_set(CP_E_ARG, "directoryName \"%s\" is not 1 to 3 attributes TYPE=value",
                            text);
    memcpy(e->value, text, n + 1);
    e->len = (int)n;
    return 0;
}

int cp_gname_raw(struct cp_gname *e, unsigned char tag, const void *bytes, size_t n)
{
    memset(e, 0, sizeof(*e));
    if (n >= sizeof(e->value))
        return cp_error_set(CP_E_LIMIT, "a raw GeneralName of %zu bytes is longer than %zu", n,
                            sizeof(e->value) - 1);
    memcpy(e->value, bytes, n);
    e->len = (int)n;
    e->tag = tag;
    const unsigned char *b = bytes;
    if ((tag == 0x81 || tag == 0x82 || tag == 0x86) && n > 0 && printable(b, n))
        e->type = tag == 0x81 ? CP_GN_EMAIL : tag == 0x82 ? CP_GN_DNS : CP_GN_URI;
    else if (tag == 0x87 && (n == 4 || n == 16))
        e->type = CP_GN_IP;
    else if (tag == 0x88 && n > 0 && b[n - 1] < 0x80)
        e->type = CP_GN_RID;
    else
        e->type = CP_GN_RAW;
    return 0;
}

int cp_gname_add(struct cp_gname *list, int *n, enum cp_gn_type type, const char *text)
{
    if (*n >= CP_MAX_GN)
        return cp_error_set(CP_E_LIMIT, "more than %d GeneralNames in one list (adding \"%s\")",
                            CP_MAX_GN, text);
    int rc = cp_gname_set(&list[*n], type, text);
    if (!rc)
        (*n)++;
    return rc;
}
