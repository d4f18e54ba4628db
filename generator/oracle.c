/*
 * oracle.c - the reference path builder: the expected outcome of every case.
 *
 * It reads the model only (never the minted bytes) and builds paths the way RFC 4158 describes:
 * from the leaf towards the anchors, depth first, trying every certificate the client has (the
 * sent list, duplicates collapsed) whose subject name equals the issuer name of the certificate
 * at hand. Key identifiers are hints a real builder may use to order candidates; the oracle
 * tries every candidate, so it needs none. A candidate whose key did not sign the certificate
 * fails its signature, as it would in a real library.
 *
 * Each step applies RFC 5280 section 6 to the candidate (validity, v3 with basicConstraints cA,
 * pathLen over non-self-issued intermediates, keyUsage keyCertSign, unknown critical
 * extensions, name constraints of every form (the names section below)) plus the profile's choices,
 * written down in docs/profiles.md. A v1 certificate has no extensions: a v1 leaf has no DNS name,
 * so it never matches the hostname, and a v1 CA is rejected (6.1.4 (k)). An anchor listed twice is
 * one anchor. The profiles: rfc5280: a trust anchor is a name and a key; its certificate's validity
 * and constraints do not matter (RFC 5280 6.1.1 (d)). EKU in CA certificates is ignored. SHA-1 is
 *            accepted.
 *   webpki:  an anchor certificate outside its validity is unusable and its name constraints
 *            apply, and so does its pathLenConstraint (Mozilla's verifier and OpenSSL check the
 *            dates and pathLen; Mozilla and rustls apply the name constraints); a CA's EKU without
 * serverAuth or anyExtendedKeyUsage excludes TLS servers below it (as in Chrome and Go); SHA-1
 * signatures are rejected. Cycles are cut by entity (name and key): a path never visits the same CA
 * twice (RFC 4158 5.2). A path stops at the first usable trust anchor; when an anchor is unusable
 * under the profile, the builder goes on through the certificates issued to that entity, as a real
 * builder would.
 */
#include "cp_generator_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Work budget per case and profile, in search steps. The costliest pathological graph (a
 * 16-level ladder) needs about 3% of it; a family that exceeds it has built a graph the oracle
 * cannot vouch for, and generation fails loudly instead of writing a guess. */
#define CP_ORACLE_MAX_STEPS 2000000L

struct search {
    const struct cp_graph *g;
    const struct cp_case *c;
    enum cp_profile p;
    struct cp_expect *out;
    bool *avail;   /* per certificate: the client has it (sent) */
    bool *on_path; /* per entity: already a subject on the current path */
    int16_t path[CP_MAX_DEPTH + 2];
    int len;
    long steps;
};

static bool self_issued(const struct cp_graph *g, const struct cp_cert *x)
{
    return cp_same_name(g, x->issuer, x->subject);
}

/*
 * ---- names (RFC 5280 4.2.1.10) ----
 *
 * The oracle's names: which names a certificate presents, whether a hostname matches
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
 *   dNSName   the base and every name formed by adding labels on the left (case-insensitive,
 *             so A-labels "xn--..." compare as the ASCII they are, RFC 5280 7.2); a base with
 *             a leading "." only the names below it; an empty base every name. A dNSName, or
 *             a dNSName base, with a trailing dot is outside preferred name syntax (RFC 1034
 *             3.5, required by 4.2.1.6): it cannot be compared, so under any dNSName
 *             constraint of that CA every dNSName violates it, as a hostless URI does.
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
 * A nameConstraints extension that does not decode as 4.2.1.10 defines it - an empty SEQUENCE
 * ("MUST NOT be empty"), an empty permittedSubtrees (GeneralSubtrees is SIZE (1..MAX)), a
 * subtree with minimum or maximum ("minimum MUST be zero, maximum MUST be absent": DER leaves
 * the default out, and the profile gives them no meaning), or a subtree whose GeneralName does
 * not decode - rejects its certificate under both profiles (4.2: a critical extension "that
 * contains information that it cannot process"), reason malformed-name-constraints, never
 * name-constraints.
 */
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

/* A dNSName that ends in a dot is outside RFC 1034 3.5's preferred name syntax, which
 * RFC 5280 4.2.1.6 requires of a dNSName (and, through it, of a dNSName subtree). */
static bool dns_not_preferred(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '.';
}

/* Whether ca lists a dNSName subtree that is no name in preferred syntax ("example.com."):
 * the constraint cannot be processed, so every dNSName below violates it (4.2.1.10: process
 * the constraint or reject the certificate). */
static bool dns_bases_unusable(const struct cp_cert *ca)
{
    for (int i = 0; i < ca->npermitted; i++) {
        if (dns_not_preferred(ca->nc_permitted[i]))
            return true;
    }
    for (int i = 0; i < ca->nexcluded; i++) {
        if (dns_not_preferred(ca->nc_excluded[i]))
            return true;
    }
    for (int i = 0; i < ca->gn.npermitted + ca->gn.nexcluded; i++) {
        const struct cp_gname *e =
            i < ca->gn.npermitted ? &ca->gn.permitted[i] : &ca->gn.excluded[i - ca->gn.npermitted];
        if (e->type == CP_GN_DNS && dns_not_preferred(e->value))
            return true;
    }
    return false;
}

bool cp_names_nc_undecodable(const struct cp_cert *ca)
{
    if (ca->version != 3)
        return false;
    if (ca->gn.nc_form != CP_NC_DER)
        return true;
    for (int i = 0; i < ca->gn.npermitted; i++) {
        if (ca->gn.permitted[i].type == CP_GN_RAW)
            return true;
    }
    for (int i = 0; i < ca->gn.nexcluded; i++) {
        if (ca->gn.excluded[i].type == CP_GN_RAW)
            return true;
    }
    return false;
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
        /* A dNSName outside preferred syntax, or a dNSName subtree outside it, cannot be
         * compared: under any dNSName constraint the name violates it. */
        if (nm->type == CP_GN_DNS && (listed_p || listed_e) &&
            (dns_not_preferred(nm->text) || dns_bases_unusable(ca)))
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
    /* A reference identity with one trailing dot is the absolute form of the same DNS name
     * (RFC 1034 3.1); the SAN entry must be in preferred syntax, without it (4.2.1.6). */
    char abs_host[CP_HOST_MAX];
    size_t hn = strlen(hostname);
    if (!iplen && hn > 1 && hn < sizeof(abs_host) && hostname[hn - 1] == '.') {
        memcpy(abs_host, hostname, hn - 1);
        abs_host[hn - 1] = '\0';
        hostname = abs_host;
    }
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

/* ---- path building ---- */

/* Whether ca's name constraints allow the leaf and every non-self-issued intermediate below
 * position s->len (RFC 5280 6.1.3 (b), (c): constraints apply to every later certificate but
 * a self-issued intermediate). */
static bool names_allowed(const struct search *s, const struct cp_cert *ca)
{
    const struct cp_graph *g = s->g;
    for (int i = 0; i < s->len; i++) {
        const struct cp_cert *x = &g->certs[s->path[i]];
        if (i > 0 && self_issued(g, x))
            continue;
        if (!cp_names_allowed(g, ca, x, i == 0, s->p))
            return false;
    }
    return true;
}

static enum cp_reason validity_reason(const struct cp_cert *x)
{
    /* Offsets are relative to the validation time, so "now" is 0; both bounds are inclusive. */
    if (x->not_after < 0)
        return CP_R_EXPIRED;
    if (x->not_before > 0)
        return CP_R_NOT_YET_VALID;
    return CP_R_NONE;
}

static enum cp_reason leaf_reason(const struct search *s, const struct cp_cert *leaf)
{
    enum cp_reason r = validity_reason(leaf);
    if (r)
        return r;
    if (leaf->unknown_critical_ext && leaf->version == 3)
        return CP_R_UNKNOWN_CRITICAL;
    if (leaf->eku && leaf->version == 3) {
        unsigned ok = CP_EKU_SERVER_AUTH;
        if (s->p == CP_PROFILE_RFC5280)
            ok |= CP_EKU_ANY; /* RFC 5280 4.2.1.12; the Web PKI requires serverAuth itself */
        if (!(leaf->eku & ok))
            return CP_R_EKU_LEAF;
    }
    return cp_names_hostname_matches(leaf, s->c->hostname) ? CP_R_NONE : CP_R_HOSTNAME;
}

/* Whether child's signature verifies under the key of entity signer. */
static enum cp_reason signature_reason(const struct search *s, const struct cp_cert *child,
                                       int signer)
{
    if (child->issuer != signer)
        return CP_R_WRONG_KEY;
    /* An algorithm the client does not accept is refused before the signature is computed. */
    if (child->sig_alg == CP_SIG_UNKNOWN)
        return CP_R_UNKNOWN_ALG;
    if (child->sig_alg == CP_SIG_SHA1 && s->p == CP_PROFILE_WEBPKI)
        return CP_R_SHA1;
    if (child->sig_corrupt)
        return CP_R_BAD_SIGNATURE;
    return CP_R_NONE;
}

/* RFC 5280 6.1.4 (l): the non-self-issued intermediates between the leaf and position
 * s->len, which is where the next CA (or the anchor) goes. */
static int intermediates_below(const struct search *s)
{
    int n = 0;
    for (int i = 1; i < s->len; i++)
        n += !self_issued(s->g, &s->g->certs[s->path[i]]);
    return n;
}

/* RFC 5280 6.1.4 for x as an intermediate at position s->len (the leaf is position 0). */
static enum cp_reason ca_reason(const struct search *s, const struct cp_cert *x)
{
    enum cp_reason r = validity_reason(x);
    if (r)
        return r;
    if (x->version != 3)
        return CP_R_V1_CA;
    if (x->bc == CP_BC_ABSENT)
        return CP_R_NO_BASIC_CONSTRAINTS;
    if (x->bc == CP_BC_NOT_CA)
        return CP_R_NOT_CA;
    if (x->key_usage && !(x->key_usage & CP_KU_KEY_CERT_SIGN))
        return CP_R_NO_KEY_CERT_SIGN;
    if (x->unknown_critical_ext)
        return CP_R_UNKNOWN_CRITICAL;
    /* RFC 5280 4.2: a critical extension "that contains information that it cannot process"
     * rejects the certificate; a nameConstraints that does not decode is one. */
    if (cp_names_nc_undecodable(x))
        return CP_R_BAD_NAME_CONSTRAINTS;
    if (s->p == CP_PROFILE_WEBPKI && x->eku && !(x->eku & (CP_EKU_SERVER_AUTH | CP_EKU_ANY)))
        return CP_R_EKU_CA;
    if (x->path_len >= 0 && intermediates_below(s) > x->path_len)
        return CP_R_PATH_LEN;
    if (!names_allowed(s, x))
        return CP_R_NAME_CONSTRAINTS;
    return CP_R_NONE;
}

/* The profile's view of an anchor's own certificate (the header comment says why). */
static enum cp_reason anchor_reason(const struct search *s, const struct cp_cert *root)
{
    if (s->p != CP_PROFILE_WEBPKI || !root)
        return CP_R_NONE;
    enum cp_reason r = validity_reason(root);
    if (r == CP_R_EXPIRED)
        return CP_R_ANCHOR_EXPIRED;
    if (r == CP_R_NOT_YET_VALID)
        return CP_R_ANCHOR_NOT_YET_VALID;
    if (cp_names_nc_undecodable(root))
        return CP_R_BAD_NAME_CONSTRAINTS;
    if (!names_allowed(s, root))
        return CP_R_NAME_CONSTRAINTS;
    if (root->version == 3 && root->path_len >= 0 && intermediates_below(s) > root->path_len)
        return CP_R_PATH_LEN;
    return CP_R_NONE;
}

static void copy_path(const struct search *s, struct cp_path *dst, int extra)
{
    dst->len = s->len + (extra >= 0);
    memcpy(dst->certs, s->path, (size_t)s->len * sizeof(s->path[0]));
    if (extra >= 0)
        dst->certs[s->len] = (int16_t)extra;
}

static void record_rejected(struct search *s, int extra, enum cp_reason r, int at)
{
    struct cp_expect *e = s->out;
    e->reasons |= UINT64_C(1) << r;
    if (e->nrejected < CP_MAX_REJECTED) {
        struct cp_rejected *rj = &e->rejected[e->nrejected++];
        copy_path(s, &rj->path, extra);
        rj->reason = r;
        rj->at = at;
    }
    e->rejected_all++;
}

static void record_path(struct search *s, int anchor)
{
    struct cp_expect *e = s->out;
    if (e->npaths < CP_MAX_PATHS)
        copy_path(s, &e->paths[e->npaths++], anchor);
    e->paths_all++;
}

/* Whether the case's anchor i is also an earlier one: an entity listed twice is one anchor. */
static bool listed_before(const struct cp_case *c, int i)
{
    for (int j = 0; j < i; j++) {
        if (c->anchors[j] == c->anchors[i])
            return true;
    }
    return false;
}

/* Tries the trust anchors named like child's issuer; true when one completes a valid path. */
static bool try_anchors(struct search *s, const struct cp_cert *child, bool *candidates)
{
    bool anchored = false;
    int child_idx = s->path[s->len - 1];
    for (int i = 0; i < s->c->nanchors; i++) {
        int a = s->c->anchors[i];
        if (!cp_same_name(s->g, a, child->issuer) || listed_before(s->c, i))
            continue;
        *candidates = true;
        int root = cp_graph_self_signed(s->g, a);
        enum cp_reason r = signature_reason(s, child, a);
        if (r) {
            record_rejected(s, root, r, child_idx);
            continue;
        }
        r = anchor_reason(s, root >= 0 ? &s->g->certs[root] : NULL);
        if (r) {
            record_rejected(s, root, r, root);
            continue;
        }
        record_path(s, root);
        anchored = true;
    }
    return anchored;
}

static void extend(struct search *s)
{
    const struct cp_graph *g = s->g;
    int child_idx = s->path[s->len - 1];
    const struct cp_cert *child = &g->certs[child_idx];
    bool candidates = false;

    if (++s->steps > CP_ORACLE_MAX_STEPS)
        return;
    if (try_anchors(s, child, &candidates))
        return;
    if (s->len >= CP_MAX_DEPTH + 1) {
        record_rejected(s, -1, CP_R_DEPTH, child_idx);
        return;
    }
    for (int x = 0; x < g->ncerts && s->steps <= CP_ORACLE_MAX_STEPS; x++) {
        const struct cp_cert *cand = &g->certs[x];
        if (!s->avail[x] || !cp_same_name(g, cand->subject, child->issuer))
            continue;
        if (s->on_path[cand->subject]) {
            /* A self-issued certificate of a CA already on the path is no new candidate. */
            if (!self_issued(g, cand)) {
                candidates = true;
                record_rejected(s, x, CP_R_CYCLE, x);
            }
            continue;
        }
        candidates = true;
        enum cp_reason r = signature_reason(s, child, cand->subject);
        if (r) {
            record_rejected(s, x, r, child_idx);
            continue;
        }
        if ((r = ca_reason(s, cand))) {
            record_rejected(s, x, r, x);
            continue;
        }
        s->path[s->len++] = (int16_t)x;
        s->on_path[cand->subject] = true;
        extend(s);
        s->on_path[cand->subject] = false;
        s->len--;
    }
    if (!candidates)
        record_rejected(s, -1, CP_R_NO_ISSUER, child_idx);
}

int cp_oracle_expect(const struct cp_graph *g, const struct cp_case *c, enum cp_profile p,
                     struct cp_expect *out)
{
    int rc = CP_E_NOMEM;
    struct search s = {.g = g, .c = c, .p = p, .out = out};
    memset(out, 0, sizeof(*out));
    s.avail = calloc((size_t)g->ncerts, sizeof(bool));
    s.on_path = calloc((size_t)g->nentities, sizeof(bool));
    if (!s.avail || !s.on_path) {
        cp_error_set(rc, "case %s: out of memory in the oracle", c->id);
        goto out;
    }
    for (int i = 0; i < c->nsent; i++)
        s.avail[c->sent[i]] = true;

    const struct cp_cert *leaf = &g->certs[c->leaf];
    s.path[0] = (int16_t)c->leaf;
    s.len = 1;
    enum cp_reason r = leaf_reason(&s, leaf);
    if (r) {
        record_rejected(&s, -1, r, c->leaf);
    } else {
        s.on_path[leaf->subject] = true;
        extend(&s);
    }
    if (s.steps > CP_ORACLE_MAX_STEPS) {
        rc = cp_error_set(CP_E_LIMIT,
                          "case %s (%s): the oracle's search exceeded %ld steps; "
                          "the graph is too large to vouch for",
                          c->id, cp_profile_name(p), CP_ORACLE_MAX_STEPS);
        goto out;
    }
    out->outcome = out->paths_all > 0 ? CP_OUTCOME_ACCEPT : CP_OUTCOME_REJECT;
    rc = 0;
out:
    free(s.avail);
    free(s.on_path);
    return rc;
}

int cp_oracle_expect_all(struct cp_model *m)
{
    for (int i = 0; i < m->ncases; i++) {
        struct cp_case *c = &m->cases[i];
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            int rc = cp_oracle_expect(&m->graphs[c->graph], c, (enum cp_profile)p, &c->expect[p]);
            if (rc)
                return rc;
        }
    }
    return 0;
}
