/*
 * names_beyond.c - the `names` family's cases that BetterTLS lacks (its reference's section 6):
 * constraints on the trust anchor and at two levels, a constraint that forbids one of two paths,
 * every GeneralName form with matches and near misses (label boundaries, case, leading dots,
 * wildcards, IP masks of both families, URIs with ports and userinfo, mailbox forms,
 * directoryNames), non-critical constraints, constraints on a leaf, and undecodable SAN entries
 * in a group of their own (no constraint there, so a parse failure is never read as
 * enforcement).
 *
 * Each group is one graph, trust_root -> [upper ->] ica -> leaves, whose constraints a table
 * gives; each leaf is one case (one signature), its hostname its own. Groups that test path
 * choice send their CAs in two orders, a leaf per order. Every group uses a domain of its own
 * under names.test, so hostnames stay unique in the suite.
 *
 * Table strings are typed: "D:" dNSName, "I:" iPAddress, "E:" rfc822Name, "U:" URI, "N:"
 * directoryName; a constraint starts with "+" (permitted) or "-" (excluded).
 */
#include "cp_families.h"
#include "names_parts.h"

#include <stdio.h>
#include <string.h>

#define MAX_LEAVES 8
#define MAX_ITEMS 6

struct leafdef {
    const char *name;           /* the case id's last part */
    const char *host;           /* the hostname */
    const char *san[MAX_ITEMS]; /* typed entries, in order */
    const char *cn;             /* NULL: CN = the entity label */
    bool raw_otherName;         /* append a primitive [0]: an undecodable entry */
};

struct groupdef {
    const char *name;
    const char *summary;
    const char *root_nc[MAX_ITEMS];  /* on the trust anchor's certificate */
    const char *upper_nc[MAX_ITEMS]; /* on an intermediate above the ica (NULL: no upper) */
    bool upper;
    const char *ica_nc[MAX_ITEMS];
    const char *leaf_nc[MAX_ITEMS]; /* on the leaf itself (RFC 5280: CAs only) */
    bool noncritical;
    enum cp_nc_form ica_form;  /* the ica's encoding (malformed groups) */
    unsigned char ica_raw_tag; /* nonzero: an undecodable permitted GeneralName on the ica */
    const char *ica_raw;       /* its content bytes */
    int ica_raw_len;
    bool two_paths;  /* a second root -> ica certificate without constraints */
    bool two_orders; /* each leaf in the sent order and reversed */
    uint64_t features;
    struct leafdef leaves[MAX_LEAVES];
};

static const struct groupdef groups[] = {
    {"anchor", "Name constraints on the trust anchor's certificate (BetterTLS issue #19)",
     .root_nc = {"+D:anchor.names.test"}, .features = CP_F_ANCHOR_CONSTRAINTS,
     .leaves = {{.name = "inside",
                 .host = "www.anchor.names.test",
                 .san = {"D:www.anchor.names.test"}},
                {.name = "outside",
                 .host = "www.anchor-out.names.test",
                 .san = {"D:www.anchor-out.names.test"}}}},
    {"two-levels-intersect",
     "Permitted subtrees at two levels intersect (RFC 5280 6.1.4 (g)): upper permits "
     "two.names.test, ica the narrower a.two.names.test",
     .upper = true, .upper_nc = {"+D:two.names.test"}, .ica_nc = {"+D:a.two.names.test"},
     .two_orders = true,
     .leaves = {{.name = "in-both", .host = "x.a.two.names.test", .san = {"D:x.a.two.names.test"}},
                {.name = "upper-only",
                 .host = "x.b.two.names.test",
                 .san = {"D:x.b.two.names.test"}}}},
    {"two-levels-wider-below",
     "A lower CA cannot widen its issuer's subtree: upper permits a.wide.names.test, ica the "
     "wider wide.names.test",
     .upper = true, .upper_nc = {"+D:a.wide.names.test"}, .ica_nc = {"+D:wide.names.test"},
     .two_orders = true,
     .leaves =
         {{.name = "in-both", .host = "x.a.wide.names.test", .san = {"D:x.a.wide.names.test"}},
          {.name = "ica-only", .host = "x.b.wide.names.test", .san = {"D:x.b.wide.names.test"}}}},
    {"two-levels-exclusions-unite",
     "Excluded subtrees at two levels unite: upper excludes a.unite.names.test, ica "
     "b.unite.names.test",
     .upper = true, .upper_nc = {"-D:a.unite.names.test"}, .ica_nc = {"-D:b.unite.names.test"},
     .two_orders = true,
     .leaves = {{.name = "upper-excluded",
                 .host = "x.a.unite.names.test",
                 .san = {"D:x.a.unite.names.test"}},
                {.name = "ica-excluded",
                 .host = "x.b.unite.names.test",
                 .san = {"D:x.b.unite.names.test"}},
                {.name = "neither",
                 .host = "x.c.unite.names.test",
                 .san = {"D:x.c.unite.names.test"}}}},
    {"one-of-two-paths",
     "The ica has two certificates from the root, one excluding the leaf's name: a builder "
     "must back off and take the other",
     .ica_nc = {"-D:branch.names.test"}, .two_paths = true, .two_orders = true,
     .features = CP_F_BRANCHING,
     .leaves = {{.name = "excluded-on-one",
                 .host = "www.branch.names.test",
                 .san = {"D:www.branch.names.test"}}}},
    {"dns-label-boundary",
     "dNSName subtrees end at a label: label.names.test admits itself and names below it, "
     "not badlabel.names.test",
     .ica_nc = {"+D:label.names.test"},
     .leaves = {{.name = "base", .host = "label.names.test", .san = {"D:label.names.test"}},
                {.name = "below",
                 .host = "a.b.label.names.test",
                 .san = {"D:a.b.label.names.test"}},
                {.name = "no-label-boundary",
                 .host = "badlabel.names.test",
                 .san = {"D:badlabel.names.test"}},
                {.name = "second-name-outside",
                 .host = "www.label.names.test",
                 .san = {"D:www.label.names.test", "D:www.nolabel.names.test"}}}},
    {"dns-leading-dot",
     "A leading-dot dNSName subtree (.dot.names.test) admits the names below the domain only",
     .ica_nc = {"+D:.dot.names.test"},
     .leaves = {{.name = "domain-itself", .host = "dot.names.test", .san = {"D:dot.names.test"}},
                {.name = "below", .host = "www.dot.names.test", .san = {"D:www.dot.names.test"}}}},
    {"dns-case", "dNSName constraints compare case-insensitively (RFC 4343)",
     .ica_nc = {"+D:CASE.Names.TEST"},
     .leaves = {{.name = "mixed-case-san",
                 .host = "www.case.names.test",
                 .san = {"D:Www.Case.NAMES.test"}}}},
    {"dns-wildcard",
     "Wildcard SANs against constraints: *.wild.names.test is inside the permitted "
     "wild.names.test; under excluded bad.wild2.names.test, *.wild2.names.test covers the "
     "excluded name",
     .ica_nc = {"+D:wild.names.test", "-D:bad.wild2.names.test", "+D:wild2.names.test"},
     .leaves = {{.name = "wildcard-inside",
                 .host = "www.wild.names.test",
                 .san = {"D:*.wild.names.test"}},
                {.name = "wildcard-covers-excluded",
                 .host = "www.wild2.names.test",
                 .san = {"D:*.wild2.names.test"}}}},
    {"ip-v4", "iPAddress subtrees, IPv4: 10.20.0.0/16 permitted, 10.20.30.0/24 excluded",
     .ica_nc = {"+I:10.20.0.0/16", "-I:10.20.30.0/24"},
     .leaves = {{.name = "inside", .host = "10.20.1.1", .san = {"I:10.20.1.1"}},
                {.name = "excluded", .host = "10.20.30.1", .san = {"I:10.20.30.1"}},
                {.name = "outside", .host = "10.21.0.1", .san = {"I:10.21.0.1"}},
                {.name = "mapped-v6", .host = "::ffff:10.20.1.1", .san = {"I:::ffff:10.20.1.1"}},
                {.name = "dns-name-spelling-the-address",
                 .host = "10.20.1.2",
                 .san = {"D:10.20.1.2"}}}},
    {"ip-v6", "iPAddress subtrees, IPv6: 2001:db8::/32 permitted, 2001:db8:bad::/48 excluded",
     .ica_nc = {"+I:2001:db8::/32", "-I:2001:db8:bad::/48"},
     .leaves = {{.name = "inside", .host = "2001:db8::1", .san = {"I:2001:db8::1"}},
                {.name = "excluded", .host = "2001:db8:bad::1", .san = {"I:2001:db8:bad::1"}},
                {.name = "outside", .host = "2001:db9::1", .san = {"I:2001:db9::1"}}}},
    {"ip-masks", "iPAddress masks /0 (every address of the family) and /32",
     .ica_nc = {"+I:0.0.0.0/0", "-I:192.0.2.7/32"},
     .leaves = {{.name = "any-v4", .host = "198.51.100.1", .san = {"I:198.51.100.1"}},
                {.name = "the-excluded-host", .host = "192.0.2.7", .san = {"I:192.0.2.7"}},
                {.name = "v6-outside-v4-only", .host = "2001:db8::7", .san = {"I:2001:db8::7"}}}},
    {"email",
     "rfc822Name subtrees: a host (mail.names.test), a domain (.sub.names.test), a "
     "mailbox (boss@names.test excluded)",
     .ica_nc = {"+E:mail.names.test", "+E:.sub.names.test", "+E:boss@names.test",
                "-E:Boss@names.test"},
     .leaves = {{.name = "host",
                 .host = "h.email.names.test",
                 .san = {"D:h.email.names.test", "E:a@MAIL.names.test"}},
                {.name = "host-below",
                 .host = "b.email.names.test",
                 .san = {"D:b.email.names.test", "E:a@x.mail.names.test"}},
                {.name = "domain",
                 .host = "d.email.names.test",
                 .san = {"D:d.email.names.test", "E:a@x.sub.names.test"}},
                {.name = "domain-itself",
                 .host = "e.email.names.test",
                 .san = {"D:e.email.names.test", "E:a@sub.names.test"}},
                {.name = "mailbox",
                 .host = "m.email.names.test",
                 .san = {"D:m.email.names.test", "E:boss@names.test"}},
                {.name = "mailbox-excluded-local-part",
                 .host = "n.email.names.test",
                 .san = {"D:n.email.names.test", "E:Boss@names.test"}}}},
    {"uri", "URI subtrees: a host (uri.names.test) and a domain (.udom.names.test)",
     .ica_nc = {"+U:uri.names.test", "+U:.udom.names.test"},
     .leaves = {{.name = "host-port-userinfo",
                 .host = "a.u.names.test",
                 .san = {"D:a.u.names.test", "U:https://user:pw@uri.names.test:8443/x?y#z"}},
                {.name = "host-below",
                 .host = "b.u.names.test",
                 .san = {"D:b.u.names.test", "U:https://x.uri.names.test/"}},
                {.name = "domain",
                 .host = "c.u.names.test",
                 .san = {"D:c.u.names.test", "U:spiffe://a.udom.names.test/w"}},
                {.name = "no-host",
                 .host = "d.u.names.test",
                 .san = {"D:d.u.names.test", "U:urn:uuid:0"}},
                {.name = "ip-host",
                 .host = "e.u.names.test",
                 .san = {"D:e.u.names.test", "U:https://192.0.2.1/"}}}},
    {"dirname", "directoryName subtrees on the subject DN and on directoryName SANs",
     .ica_nc = {"-N:CN=Evil", "-N:O=Evil Corp"},
     .leaves = {{.name = "subject-excluded",
                 .host = "a.dn.names.test",
                 .san = {"D:a.dn.names.test"},
                 "evil"},
                {.name = "san-excluded",
                 .host = "b.dn.names.test",
                 .san = {"D:b.dn.names.test", "N:O=evil  corp,CN=x"}},
                {.name = "subject-and-san-fine",
                 .host = "c.dn.names.test",
                 .san = {"D:c.dn.names.test", "N:O=Good Corp,CN=x"}}}},
    {"noncritical", "A non-critical nameConstraints extension is enforced all the same",
     .ica_nc = {"+D:nc.names.test"}, .noncritical = true,
     .leaves = {{.name = "inside", .host = "www.nc.names.test", .san = {"D:www.nc.names.test"}},
                {.name = "outside",
                 .host = "www.nc-out.names.test",
                 .san = {"D:www.nc-out.names.test"}}}},
    {"on-leaf", "nameConstraints on the leaf itself constrain nothing (only CAs' apply)",
     .leaf_nc = {"+D:elsewhere.names.test"},
     .leaves = {{.name = "own-constraint",
                 .host = "www.leafnc.names.test",
                 .san = {"D:www.leafnc.names.test"}}}},
    {"dns-trailing-dot-hostname",
     "A hostname with one trailing dot is the absolute form of the same DNS name (RFC 1034 "
     "3.1): it matches the SAN's www.tdh.names.test, inside the permitted tdh.names.test",
     .ica_nc = {"+D:tdh.names.test"},
     .leaves = {{.name = "absolute-hostname",
                 .host = "www.tdh.names.test.",
                 .san = {"D:www.tdh.names.test"}}}},
    {"dns-trailing-dot-san",
     "A dNSName SAN entry with a trailing dot is outside preferred name syntax (RFC 5280 "
     "4.2.1.6, RFC 1034 3.5): it matches no hostname and violates the permitted tds.names.test",
     .ica_nc = {"+D:tds.names.test"},
     .leaves = {{.name = "only-name-with-dot",
                 .host = "www.tds.names.test",
                 .san = {"D:www.tds.names.test."}},
                {.name = "second-name-with-dot",
                 .host = "a.tds.names.test",
                 .san = {"D:a.tds.names.test", "D:b.tds.names.test."}}}},
    {"dns-trailing-dot-san-unconstrained",
     "The same trailing-dot SAN entry with no constraint anywhere: it matches nothing, the other "
     "entry matches the hostname",
     .leaves = {{.name = "second-name-with-dot",
                 .host = "a.tdn.names.test",
                 .san = {"D:a.tdn.names.test", "D:b.tdn.names.test."}}}},
    {"dns-trailing-dot-permitted",
     "A permitted dNSName subtree with a trailing dot (tdc.names.test.) names no dNSName in "
     "preferred syntax: the constraint cannot be processed and every dNSName below violates it",
     .ica_nc = {"+D:tdc.names.test."},
     .leaves = {{.name = "name-below",
                 .host = "www.tdc.names.test",
                 .san = {"D:www.tdc.names.test"}}}},
    {"dns-trailing-dot-excluded",
     "An excluded dNSName subtree with a trailing dot (bad.tdx.names.test.): a verifier that "
     "compares labels as written excludes nothing; it cannot be processed, so every dNSName "
     "below violates it",
     .ica_nc = {"-D:bad.tdx.names.test."},
     .leaves = {{.name = "the-excluded-name",
                 .host = "bad.tdx.names.test",
                 .san = {"D:bad.tdx.names.test"}},
                {.name = "another-name",
                 .host = "ok.tdx.names.test",
                 .san = {"D:ok.tdx.names.test"}}}},
    {"dns-punycode",
     "Punycode A-labels against dNSName subtrees (RFC 5280 7.2: IDNs are stored and compared as "
     "A-labels, case-insensitively): permitted xn--bcher-kva.names.test, excluded "
     "xn--caf-dma.xn--bcher-kva.names.test",
     .ica_nc = {"+D:xn--bcher-kva.names.test", "-D:xn--caf-dma.xn--bcher-kva.names.test"},
     .leaves = {{.name = "a-label-inside",
                 .host = "www.xn--bcher-kva.names.test",
                 .san = {"D:www.xn--bcher-kva.names.test"}},
                {.name = "a-label-upper-case",
                 .host = "shop.xn--bcher-kva.names.test",
                 .san = {"D:shop.XN--BCHER-KVA.names.test"}},
                {.name = "another-a-label",
                 .host = "www.xn--bcher-kvb.names.test",
                 .san = {"D:www.xn--bcher-kvb.names.test"}},
                {.name = "no-label-boundary",
                 .host = "www.zxn--bcher-kva.names.test",
                 .san = {"D:www.zxn--bcher-kva.names.test"}},
                {.name = "excluded-a-label",
                 .host = "www.xn--caf-dma.xn--bcher-kva.names.test",
                 .san = {"D:www.xn--caf-dma.xn--bcher-kva.names.test"}}}},
    /* Malformed nameConstraints encodings, each on an ica whose well-formed reading admits the
     * leaf: a reject is the parse failure (malformed-name-constraints), never enforcement, and
     * these cases carry nc-malformed instead of the form and placement facets. */
    {"malformed-nc/empty-sequence",
     "nameConstraints is an empty SEQUENCE (RFC 5280 4.2.1.10: conforming CAs MUST NOT issue "
     "it)",
     .ica_form = CP_NC_EMPTY,
     .leaves = {{.name = "any-name",
                 .host = "www.ncempty.names.test",
                 .san = {"D:www.ncempty.names.test"}}}},
    {"malformed-nc/empty-permitted",
     "permittedSubtrees is present and empty (GeneralSubtrees is SIZE (1..MAX)) beside an "
     "excluded bad.ncemptyp.names.test the leaf is outside",
     .ica_nc = {"-D:bad.ncemptyp.names.test"}, .ica_form = CP_NC_EMPTY_PERMITTED,
     .leaves = {{.name = "name-not-excluded",
                 .host = "www.ncemptyp.names.test",
                 .san = {"D:www.ncemptyp.names.test"}}}},
    {"malformed-nc/minimum",
     "The permitted subtree ncmin.names.test carries minimum 1 (4.2.1.10: minimum MUST be "
     "zero)",
     .ica_nc = {"+D:ncmin.names.test"}, .ica_form = CP_NC_MINIMUM,
     .leaves = {{.name = "name-inside",
                 .host = "www.ncmin.names.test",
                 .san = {"D:www.ncmin.names.test"}}}},
    {"malformed-nc/maximum",
     "The permitted subtree ncmax.names.test carries maximum 2 (4.2.1.10: maximum MUST be "
     "absent)",
     .ica_nc = {"+D:ncmax.names.test"}, .ica_form = CP_NC_MAXIMUM,
     .leaves = {{.name = "name-inside",
                 .host = "www.ncmax.names.test",
                 .san = {"D:www.ncmax.names.test"}}}},
    {"malformed-nc/ip-wrong-length",
     "Beside the permitted ncip.names.test, a permitted iPAddress subtree of 5 octets (an "
     "address and mask are 8 or 32)",
     .ica_nc = {"+D:ncip.names.test"}, .ica_raw_tag = 0x87, .ica_raw = "\x0a\x00\x00\x00\xff",
     .ica_raw_len = 5,
     .leaves = {{.name = "name-inside",
                 .host = "www.ncip.names.test",
                 .san = {"D:www.ncip.names.test"}}}},
    {"malformed-nc/othername-primitive",
     "Beside the permitted ncother.names.test, a permitted subtree whose GeneralName is a "
     "primitive [0] (otherName is constructed)",
     .ica_nc = {"+D:ncother.names.test"}, .ica_raw_tag = 0x80, .ica_raw = "x", .ica_raw_len = 1,
     .leaves = {{.name = "name-inside",
                 .host = "www.ncother.names.test",
                 .san = {"D:www.ncother.names.test"}}}},
    {"malformed-san",
     "An undecodable SAN entry (a primitive [0] where otherName is constructed) beside the "
     "hostname, with no constraint anywhere: a strict parser refuses the SAN",
     .leaves = {{.name = "otherName-primitive",
                 .host = "www.malformed.names.test",
                 .san = {"D:www.malformed.names.test"},
                 NULL,
                 true}}},
};

static int add_typed(struct cp_gname *list, int *n, const char *s, const char *where)
{
    static const struct {
        char c;
        enum cp_gn_type t;
    } types[] = {
        {'D', CP_GN_DNS}, {'I', CP_GN_IP}, {'E', CP_GN_EMAIL}, {'U', CP_GN_URI}, {'N', CP_GN_DIR}};
    for (size_t i = 0; i < CP_ARRAY_LEN(types); i++) {
        if (s[0] == types[i].c && s[1] == ':') {
            int rc = cp_gname_add(list, n, types[i].t, s + 2);
            return rc ? cp_error_set(rc, "%s: %s", where, cp_error_msg(rc)) : 0;
        }
    }
    return cp_error_set(CP_E_ARG, "%s: \"%s\" has no GeneralName type", where, s);
}

static int constrain(struct cp_graph *g, int cert, const char *const *nc, bool noncritical,
                     const char *where)
{
    struct cp_cert *c = cp_graph_cert_at(g, cert);
    if (!c)
        return g->err;
    c->nc_noncritical = noncritical;
    for (int i = 0; i < MAX_ITEMS && nc[i]; i++) {
        bool permit = nc[i][0] == '+';
        int rc = add_typed(permit ? c->gn.permitted : c->gn.excluded,
                           permit ? &c->gn.npermitted : &c->gn.nexcluded, nc[i] + 1, where);
        if (rc)
            return rc;
    }
    return 0;
}

static int group(struct cp_model *m, const struct groupdef *d)
{
    char gname[CP_ID_MAX / 2];
    if (snprintf(gname, sizeof(gname), "names/beyond/%s", d->name) >= (int)sizeof(gname))
        return cp_error_set(CP_E_LIMIT, "group name %s is too long", d->name);
    struct cp_graph *g = cp_model_graph(m, gname);
    if (!g)
        return CP_E_NOMEM;
    int e_root = cp_graph_entity(g, "trust_root"), e_ica = cp_graph_entity(g, "ica");
    int e_upper = d->upper ? cp_graph_entity(g, "upper") : -1;
    int root = cp_graph_root(g, e_root);
    int upper = d->upper ? cp_graph_ca(g, e_root, e_upper) : -1;
    int ica = cp_graph_ca(g, d->upper ? e_upper : e_root, e_ica);
    int ica2 = d->two_paths ? cp_graph_ca(g, e_root, e_ica) : -1;
    int rc = constrain(g, root, d->root_nc, d->noncritical, gname);
    if (!rc && d->upper)
        rc = constrain(g, upper, d->upper_nc, d->noncritical, gname);
    if (!rc)
        rc = constrain(g, ica, d->ica_nc, d->noncritical, gname);
    struct cp_cert *ic = cp_graph_cert_at(g, ica);
    if (!rc && !ic)
        rc = g->err;
    if (!rc) {
        ic->gn.nc_form = d->ica_form;
        if (d->ica_raw_tag) {
            if (ic->gn.npermitted >= CP_MAX_GN)
                return cp_error_set(CP_E_LIMIT, "%s: too many permitted subtrees", gname);
            rc = cp_gname_raw(&ic->gn.permitted[ic->gn.npermitted++], d->ica_raw_tag, d->ica_raw,
                              (size_t)d->ica_raw_len);
        }
    }
    for (int l = 0; l < MAX_LEAVES && d->leaves[l].name && !rc; l++) {
        const struct leafdef *ld = &d->leaves[l];
        for (int order = 0; order < (d->two_orders ? 2 : 1) && !rc; order++) {
            char id[CP_ID_MAX], label[CP_LABEL_MAX], host[CP_HOST_MAX];
            const char *suffix = d->two_orders ? (order ? "/reversed" : "/declared") : "";
            /* The reversed order's leaf has a hostname of its own under the same name. */
            if (snprintf(id, sizeof(id), "%s/%s%s", gname, ld->name, suffix) >= (int)sizeof(id) ||
                snprintf(label, sizeof(label), "leaf-%s%s", ld->name, order ? "-r" : "") >=
                    (int)sizeof(label) ||
                snprintf(host, sizeof(host), "%s%s", order ? "r." : "", ld->host) >=
                    (int)sizeof(host))
                return cp_error_set(CP_E_LIMIT, "%s: case %s: an id, label or hostname is too long",
                                    gname, ld->name);
            int ee = cp_graph_entity(g, label);
            int leaf = cp_graph_leaf(g, e_ica, ee);
            struct cp_cert *c = cp_graph_cert_at(g, leaf);
            if (!c)
                return cp_error_set(g->err, "case %s: %s", id, cp_error_msg(g->err));
            c->gn.fixed = true;
            if (ld->cn) {
                c->gn.cn = CP_CN_TEXT;
                snprintf(c->gn.cn_text, sizeof(c->gn.cn_text), "%s", ld->cn);
            }
            for (int i = 0; i < MAX_ITEMS && ld->san[i] && !rc; i++) {
                char one[CP_GN_VALUE_MAX + 8];
                /* The reversed leaf's first name follows its hostname. */
                if (snprintf(one, sizeof(one), "%s%s", i == 0 && order ? "D:r." : "",
                             i == 0 && order ? ld->san[i] + 2 : ld->san[i]) >= (int)sizeof(one))
                    return cp_error_set(CP_E_LIMIT, "case %s: SAN entry %d is too long", id, i);
                rc = add_typed(c->gn.san, &c->gn.nsan, one, id);
            }
            if (!rc && ld->raw_otherName)
                rc = cp_gname_raw(&c->gn.san[c->gn.nsan++], 0x80, "x", 1);
            if (!rc)
                rc = constrain(g, leaf, d->leaf_nc, false, id);
            if (rc)
                return rc;
            int sent[5], n = 0;
            sent[n++] = leaf;
            sent[n++] = ica;
            if (ica2 >= 0)
                sent[n++] = ica2;
            if (upper >= 0)
                sent[n++] = upper;
            if (order)
                cp_order_reverse(sent, n);
            uint64_t facets = cp_names_facets(g, leaf, sent, n, &e_root, 1);
            struct cp_case_spec s = {
                .id = id,
                .summary = d->summary,
                .leaf = leaf,
                .anchors = &e_root,
                .nanchors = 1,
                .sent = sent,
                .nsent = n,
                /* name-constraints, as the forms, only for constraints that decode. */
                .features = CP_F_HOSTNAME | facets |
                            (facets & CP_F_NC_FORMS ? CP_F_NAME_CONSTRAINTS : 0) | d->features |
                            (d->two_orders ? CP_F_ORDERING : 0),
                .hostname = host,
            };
            rc = cp_model_case(m, g, &s);
        }
    }
    return rc;
}

int cp_names_beyond(struct cp_model *m)
{
    int rc = 0;
    for (size_t i = 0; i < CP_ARRAY_LEN(groups) && !rc; i++)
        rc = group(m, &groups[i]);
    return rc;
}
