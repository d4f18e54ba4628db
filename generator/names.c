/*
 * names.c - the oracle's names: which names a certificate presents, whether a hostname matches
 * the leaf, and RFC 5280 4.2.1.10 name constraints for every GeneralName form of the model.
 *
 * The names of a certificate (RFC 5280 6.1.3 (b), (c)):
 *   - its subject DN, as the minter writes it: CN (unless the model leaves it out), OU=<graph
 *     tag>, O=certpath, serialNumber=<seed> (which no constraint can name: expectations do not
 *     depend on the seed), then emailAddress when the model sets one;
 *   - the subject's emailAddress attribute, as an rfc822Name, when the certificate has no SAN;
 *   - every SAN entry: the dNSName list, then cp_names.san. A SAN holding an entry that does not
 *     decode (CP_GN_RAW) is no SAN at all: a strict DER parser refuses the whole extension, so
 *     such a leaf has no usable name and never matches a hostname. A parse failure is therefore
 *     never what makes an expected reject: the case is a reject for its hostname already;
 *   - webpki only, for the target certificate: a CN that is an IP address literal, when the
 *     SAN holds no iPAddress, as an iPAddress; a CN that reads as a hostname (LDH labels with a
 *     dot), when the SAN holds no dNSName, as a dNSName (docs/profiles.md says why).
 * A v1 certificate has no extensions: no SAN, and as a CA no constraints.
 *
 * Matching, per form:
 *   dNSName   the base and every name formed by adding labels on the left (case-insensitive);
 *             a base with a leading "." only the names below it; an empty base every name.
 *   iPAddress an address of the same length whose masked bits equal the base's.
 *   rfc822    "local@host" that mailbox; "host" every mailbox at that host; ".domain" every
 *             mailbox at a host below it. Local parts compare exactly, hosts case-insensitively.
 *   URI       the host of the URI's authority: "host" that host only, ".domain" the hosts below
 *             it (case-insensitive). A URI
 *             without a host, or with an IP-literal host, is outside every URI subtree and
 *             inside none: when URI constraints exist it violates them (4.2.1.10: MUST reject).
 *   dirName   the base's RDNs are the first RDNs of the name; attribute types compare by name,
 *             values case-insensitively with runs of spaces folded (RFC 4518, simplified).
 * A wildcard dNSName "*.S" is a name like any other under rfc5280 (byte matching); under webpki
 * it is also outside when it covers an excluded base L.S (it would serve that name).
 * Permitted subtrees of one form, when a CA lists any, must hold every name of that form;
 * excluded subtrees must hold none. Each CA's constraints apply to every later certificate of
 * the path, so levels intersect (permitted) and unite (excluded), as 6.1.4 (g) accumulates them.
 */
#include "cp_generator_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_DN_MAX 6 /* RDNs of a subject DN: CN, OU, O, serialNumber, emailAddress */

/* One name of a certificate, as the matcher sees it (pointers into the model). */
struct name {
    enum cp_gn_type type;
    const char *text;        /* DNS, EMAIL, URI: NUL-terminated */
    const unsigned char *ip; /* IP: len octets */
    int len;
    const struct cp_gname *dn; /* DIR from a SAN entry; NULL with subject set */
    bool subject;              /* DIR: the certificate's own subject */
};

struct rdn {
    char type[16];
    char value[CP_GN_VALUE_MAX];
};

static bool dns_subtree(const char *name, const char *base)
{
    size_t n = strlen(name), b = strlen(base);
    if (b == 0)
        return true;
    if (base[0] == '.')
        return n > b && strcasecmp(name + n - b, base) == 0;
    if (n == b)
        return strcasecmp(name, base) == 0;
    return n > b && name[n - b - 1] == '.' && strcasecmp(name + n - b, base) == 0;
}

static bool ip_subtree(const unsigned char *ip, int len, const struct cp_gname *base)
{
    if (base->len != 2 * len)
        return false;
    const unsigned char *addr = (const unsigned char *)base->value, *mask = addr + len;
    for (int i = 0; i < len; i++) {
        if ((ip[i] & mask[i]) != (addr[i] & mask[i]))
            return false;
    }
    return true;
}

static bool email_subtree(const char *mbox, const char *base)
{
    const char *at = strrchr(mbox, '@');
    if (!at || at == mbox || !at[1])
        return false; /* no mailbox: inside no subtree */
    if (strchr(base, '@')) {
        const char *bat = strrchr(base, '@');
        return (size_t)(at - mbox) == (size_t)(bat - base) &&
               strncmp(mbox, base, (size_t)(at - mbox)) == 0 && strcasecmp(at + 1, bat + 1) == 0;
    }
    if (base[0] == '.')
        return dns_subtree(at + 1, base);
    return strcasecmp(at + 1, base) == 0;
}

/* The host of a URI's authority into host; false when there is none or it is an IP literal. */
static bool uri_host(const char *uri, char *host, size_t cap)
{
    const char *p = strstr(uri, "://");
    if (!p || p == uri)
        return false;
    p += 3;
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at)
        p = at + 1;
    if (*p == '[')
        return false; /* an IPv6 literal */
    size_t n = strcspn(p, ":/?#");
    if (n == 0 || n >= cap)
        return false;
    memcpy(host, p, n);
    host[n] = '\0';
    unsigned char addr[4];
    return inet_pton(AF_INET, host, addr) != 1;
}

/* "CN=a,OU=b" into RDNs; returns the count, or -1 when it does not parse or is too long. */
static int dn_parse(const char *s, struct rdn *out, int max)
{
    int n = 0;
    while (*s) {
        if (n >= max)
            return -1;
        const char *eq = strchr(s, '=');
        if (!eq || eq == s || (size_t)(eq - s) >= sizeof(out[n].type))
            return -1;
        memcpy(out[n].type, s, (size_t)(eq - s));
        out[n].type[eq - s] = '\0';
        const char *v = eq + 1;
        size_t len = strcspn(v, ",");
        if (len >= sizeof(out[n].value))
            return -1;
        memcpy(out[n].value, v, len);
        out[n].value[len] = '\0';
        n++;
        s = v + len;
        if (*s == ',')
            s++;
    }
    return n;
}

/* Case-insensitive comparison with runs of spaces folded and outer spaces dropped. */
static bool value_eq(const char *a, const char *b)
{
    while (*a == ' ')
        a++;
    while (*b == ' ')
        b++;
    while (*a && *b) {
        if (*a == ' ' && *b == ' ') {
            while (*a == ' ')
                a++;
            while (*b == ' ')
                b++;
            if (!*a || !*b)
                break;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++, b++;
    }
    while (*a == ' ')
        a++;
    while (*b == ' ')
        b++;
    return !*a && !*b;
}

/* The subject DN of x in DER order, as the minter writes it (the header says what is in it). */
static int subject_rdns(const struct cp_graph *g, const struct cp_cert *x, struct rdn *out)
{
    int n = 0;
    const char *label = g->entities[g->entities[x->subject].name_of].label;
    if (x->gn.cn != CP_CN_NONE) {
        snprintf(out[n].type, sizeof(out[n].type), "CN");
        snprintf(out[n].value, sizeof(out[n].value), "%s",
                 x->gn.cn == CP_CN_TEXT ? x->gn.cn_text : label);
        n++;
    }
    snprintf(out[n].type, sizeof(out[n].type), "OU");
    snprintf(out[n].value, sizeof(out[n].value), "%s", g->tag);
    n++;
    snprintf(out[n].type, sizeof(out[n].type), "O");
    snprintf(out[n].value, sizeof(out[n].value), "certpath");
    n++;
    /* serialNumber holds the seed: "\x01" matches no base a family can write. */
    snprintf(out[n].type, sizeof(out[n].type), "serialNumber");
    snprintf(out[n].value, sizeof(out[n].value), "\x01");
    n++;
    if (x->gn.email[0]) {
        snprintf(out[n].type, sizeof(out[n].type), "emailAddress");
        snprintf(out[n].value, sizeof(out[n].value), "%s", x->gn.email);
        n++;
    }
    return n;
}

static bool dir_subtree(const struct cp_graph *g, const struct cp_cert *x, const struct name *nm,
                        const struct cp_gname *base)
{
    struct rdn name[NAME_DN_MAX], want[NAME_DN_MAX];
    int nn = nm->subject ? subject_rdns(g, x, name) : dn_parse(nm->dn->value, name, NAME_DN_MAX);
    int nb = dn_parse(base->value, want, NAME_DN_MAX);
    if (nn < 0 || nb < 0 || nb > nn)
        return false;
    for (int i = 0; i < nb; i++) {
        if (strcasecmp(name[i].type, want[i].type) != 0 || !value_eq(name[i].value, want[i].value))
            return false;
    }
    return true;
}

/* Whether name nm of certificate x lies within subtree base (of the same form). */
static bool within(const struct cp_graph *g, const struct cp_cert *x, const struct name *nm,
                   const struct cp_gname *base)
{
    char host[CP_GN_VALUE_MAX];
    switch (nm->type) {
    case CP_GN_DNS:
        return dns_subtree(nm->text, base->value);
    case CP_GN_IP:
        return ip_subtree(nm->ip, nm->len, base);
    case CP_GN_EMAIL:
        return email_subtree(nm->text, base->value);
    case CP_GN_URI:
        /* "host" is that host only; ".domain" the hosts below it (4.2.1.10). */
        return uri_host(nm->text, host, sizeof(host)) &&
               (base->value[0] == '.' ? dns_subtree(host, base->value)
                                      : strcasecmp(host, base->value) == 0);
    case CP_GN_DIR:
        return dir_subtree(g, x, nm, base);
    default:
        return false;
    }
}

/* A URI without a usable host violates any URI constraint, permitted or excluded. */
static bool uri_hostless(const struct name *nm)
{
    char host[CP_GN_VALUE_MAX];
    return nm->type == CP_GN_URI && !uri_host(nm->text, host, sizeof(host));
}

static bool san_decodes(const struct cp_cert *x)
{
    for (int i = 0; i < x->gn.nsan; i++) {
        if (x->gn.san[i].type == CP_GN_RAW)
            return false;
    }
    return true;
}

static bool has_san(const struct cp_cert *x)
{
    return x->version == 3 && (x->nsan > 0 || x->gn.nsan > 0);
}

static bool ldh_hostname(const char *s)
{
    bool dot = false;
    size_t label = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s == '.') {
            if (label == 0)
                return false;
            dot = true;
            label = 0;
        } else if (isalnum((unsigned char)*s) || *s == '-' || *s == '_') {
            label++;
        } else {
            return false;
        }
    }
    return dot && label > 0;
}

#define NAMES_MAX (CP_MAX_SAN + CP_MAX_GN + 3)

/* Every name of x that constraints look at (the header comment lists them). */
static int collect(const struct cp_graph *g, const struct cp_cert *x, bool target,
                   enum cp_profile p, struct name *out, unsigned char ipbuf[16])
{
    int n = 0;
    out[n++] = (struct name){.type = CP_GN_DIR, .subject = true};
    if (x->gn.email[0] && !has_san(x))
        out[n++] = (struct name){.type = CP_GN_EMAIL, .text = x->gn.email};
    if (x->version != 3 || !san_decodes(x))
        return n;
    bool has_dns = x->nsan > 0, has_ip = false;
    for (int i = 0; i < x->nsan; i++)
        out[n++] = (struct name){.type = CP_GN_DNS, .text = x->san[i]};
    for (int i = 0; i < x->gn.nsan; i++) {
        const struct cp_gname *e = &x->gn.san[i];
        switch (e->type) {
        case CP_GN_DNS:
        case CP_GN_EMAIL:
        case CP_GN_URI:
            out[n++] = (struct name){.type = e->type, .text = e->value};
            break;
        case CP_GN_IP:
            out[n++] = (struct name){
                .type = CP_GN_IP, .ip = (const unsigned char *)e->value, .len = e->len};
            break;
        case CP_GN_DIR:
            out[n++] = (struct name){.type = CP_GN_DIR, .dn = e};
            break;
        default:
            break; /* registeredID: no constraint form of the model applies */
        }
        has_dns = has_dns || e->type == CP_GN_DNS;
        has_ip = has_ip || e->type == CP_GN_IP;
    }
    if (p == CP_PROFILE_WEBPKI && target && x->gn.cn != CP_CN_NONE) {
        const char *cn = x->gn.cn == CP_CN_TEXT
                             ? x->gn.cn_text
                             : g->entities[g->entities[x->subject].name_of].label;
        if (inet_pton(AF_INET, cn, ipbuf) == 1) {
            if (!has_ip)
                out[n++] = (struct name){.type = CP_GN_IP, .ip = ipbuf, .len = 4};
        } else if (inet_pton(AF_INET6, cn, ipbuf) == 1) {
            if (!has_ip)
                out[n++] = (struct name){.type = CP_GN_IP, .ip = ipbuf, .len = 16};
        } else if (ldh_hostname(cn) && !has_dns) {
            out[n++] = (struct name){.type = CP_GN_DNS, .text = cn};
        }
    }
    return n;
}

/* Whether ca's subtree list (the dNSName list plus the general one) holds nm. */
static bool in_list(const struct cp_graph *g, const struct cp_cert *x, const struct name *nm,
                    const char (*dns)[CP_HOST_MAX], int ndns, const struct cp_gname *gen, int ngen,
                    bool *form_listed)
{
    bool in = false;
    *form_listed = false;
    if (nm->type == CP_GN_DNS) {
        *form_listed = ndns > 0;
        for (int i = 0; i < ndns && !in; i++)
            in = dns_subtree(nm->text, dns[i]);
    }
    for (int i = 0; i < ngen; i++) {
        if (gen[i].type != nm->type)
            continue;
        *form_listed = true;
        in = in || within(g, x, nm, &gen[i]);
    }
    return in;
}

/* webpki: whether wildcard "*.S" covers an excluded dNSName base L.S (one label L), a name
 * the wildcard certificate would serve although RFC 5280's byte matching lets it through. */
static bool wildcard_covers(const char *name, const char *base)
{
    if (name[0] != '*' || name[1] != '.')
        return false;
    const char *suffix = name + 1; /* ".S" */
    if (base[0] == '.')
        base++;
    const char *dot = strchr(base, '.');
    return dot && dot != base && strcasecmp(dot, suffix) == 0;
}

static bool wildcard_excluded(const struct cp_cert *ca, const struct name *nm)
{
    for (int i = 0; i < ca->nexcluded; i++) {
        if (wildcard_covers(nm->text, ca->nc_excluded[i]))
            return true;
    }
    for (int i = 0; i < ca->gn.nexcluded; i++) {
        if (ca->gn.excluded[i].type == CP_GN_DNS &&
            wildcard_covers(nm->text, ca->gn.excluded[i].value))
            return true;
    }
    return false;
}

bool cp_names_allowed(const struct cp_graph *g, const struct cp_cert *ca, const struct cp_cert *x,
                      bool target, enum cp_profile p)
{
    struct name names[NAMES_MAX];
    unsigned char ipbuf[16];
    if (ca->version != 3)
        return true;
    if (ca->npermitted == 0 && ca->nexcluded == 0 && ca->gn.npermitted == 0 &&
        ca->gn.nexcluded == 0)
        return true;
    int n = collect(g, x, target, p, names, ipbuf);
    for (int i = 0; i < n; i++) {
        const struct name *nm = &names[i];
        bool listed_p, listed_e;
        bool in_p = in_list(g, x, nm, ca->nc_permitted, ca->npermitted, ca->gn.permitted,
                            ca->gn.npermitted, &listed_p);
        bool in_e = in_list(g, x, nm, ca->nc_excluded, ca->nexcluded, ca->gn.excluded,
                            ca->gn.nexcluded, &listed_e);
        if ((listed_p || listed_e) && uri_hostless(nm))
            return false;
        if (listed_p && !in_p)
            return false;
        if (in_e)
            return false;
        if (p == CP_PROFILE_WEBPKI && nm->type == CP_GN_DNS && wildcard_excluded(ca, nm))
            return false;
    }
    return true;
}

bool cp_names_hostname_matches(const struct cp_cert *leaf, const char *hostname)
{
    unsigned char ip[16];
    int iplen = 0;
    if (leaf->version != 3 || !san_decodes(leaf))
        return false;
    if (inet_pton(AF_INET, hostname, ip) == 1)
        iplen = 4;
    else if (inet_pton(AF_INET6, hostname, ip) == 1)
        iplen = 16;
    if (iplen) {
        /* RFC 9525 6.2: an IP reference identity matches an iPAddress entry only. */
        for (int i = 0; i < leaf->gn.nsan; i++) {
            const struct cp_gname *e = &leaf->gn.san[i];
            if (e->type == CP_GN_IP && e->len == iplen && memcmp(e->value, ip, (size_t)iplen) == 0)
                return true;
        }
        return false;
    }
    for (int i = 0; i < leaf->nsan; i++) {
        if (cp_names_dns_match(leaf->san[i], hostname))
            return true;
    }
    for (int i = 0; i < leaf->gn.nsan; i++) {
        if (leaf->gn.san[i].type == CP_GN_DNS &&
            cp_names_dns_match(leaf->gn.san[i].value, hostname))
            return true;
    }
    return false;
}

bool cp_names_dns_match(const char *pattern, const char *host)
{
    /* RFC 6125 6.4.3, as every client implements it: "*." matches exactly one leftmost label. */
    if (pattern[0] == '*' && pattern[1] == '.') {
        const char *dot = strchr(host, '.');
        return dot && dot != host && strcasecmp(pattern + 1, dot) == 0;
    }
    return strcasecmp(pattern, host) == 0;
}

/* ---- building GeneralNames (the model side) ---- */

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
    if (type == CP_GN_DIR) {
        struct rdn rdns[NAME_DN_MAX];
        int k = dn_parse(text, rdns, 3);
        if (k < 1)
            return cp_error_set(CP_E_ARG,
                                "directoryName \"%s\" is not 1 to 3 attributes TYPE=value", text);
    }
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
