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
    bool two_paths;  /* a second root -> ica certificate without constraints */
    bool two_orders; /* each leaf in the sent order and reversed */
    uint64_t features;
    struct leafdef leaves[MAX_LEAVES];
};

static const struct groupdef groups[] = {
    {"anchor", "Name constraints on the trust anchor's certificate (BetterTLS issue #19)",
     .root_nc = {"+D:anchor.names.test"}, .features = CP_F_ANCHOR_CONSTRAINTS,
     .leaves = {{"inside", "www.anchor.names.test", {"D:www.anchor.names.test"}},
                {"outside", "www.anchor-out.names.test", {"D:www.anchor-out.names.test"}}}},
    {"two-levels-intersect",
     "Permitted subtrees at two levels intersect (RFC 5280 6.1.4 (g)): upper permits "
     "two.names.test, ica the narrower a.two.names.test",
     .upper = true, .upper_nc = {"+D:two.names.test"}, .ica_nc = {"+D:a.two.names.test"},
     .two_orders = true,
     .leaves = {{"in-both", "x.a.two.names.test", {"D:x.a.two.names.test"}},
                {"upper-only", "x.b.two.names.test", {"D:x.b.two.names.test"}}}},
    {"two-levels-wider-below",
     "A lower CA cannot widen its issuer's subtree: upper permits a.wide.names.test, ica the "
     "wider wide.names.test",
     .upper = true, .upper_nc = {"+D:a.wide.names.test"}, .ica_nc = {"+D:wide.names.test"},
     .two_orders = true,
     .leaves = {{"in-both", "x.a.wide.names.test", {"D:x.a.wide.names.test"}},
                {"ica-only", "x.b.wide.names.test", {"D:x.b.wide.names.test"}}}},
    {"two-levels-exclusions-unite",
     "Excluded subtrees at two levels unite: upper excludes a.unite.names.test, ica "
     "b.unite.names.test",
     .upper = true, .upper_nc = {"-D:a.unite.names.test"}, .ica_nc = {"-D:b.unite.names.test"},
     .two_orders = true,
     .leaves = {{"upper-excluded", "x.a.unite.names.test", {"D:x.a.unite.names.test"}},
                {"ica-excluded", "x.b.unite.names.test", {"D:x.b.unite.names.test"}},
                {"neither", "x.c.unite.names.test", {"D:x.c.unite.names.test"}}}},
    {"one-of-two-paths",
     "The ica has two certificates from the root, one excluding the leaf's name: a builder "
     "must back off and take the other",
     .ica_nc = {"-D:branch.names.test"}, .two_paths = true, .two_orders = true,
     .features = CP_F_BRANCHING,
     .leaves = {{"excluded-on-one", "www.branch.names.test", {"D:www.branch.names.test"}}}},
    {"dns-label-boundary",
     "dNSName subtrees end at a label: label.names.test admits itself and names below it, "
     "not badlabel.names.test",
     .ica_nc = {"+D:label.names.test"},
     .leaves = {{"base", "label.names.test", {"D:label.names.test"}},
                {"below", "a.b.label.names.test", {"D:a.b.label.names.test"}},
                {"no-label-boundary", "badlabel.names.test", {"D:badlabel.names.test"}},
                {"second-name-outside",
                 "www.label.names.test",
                 {"D:www.label.names.test", "D:www.nolabel.names.test"}}}},
    {"dns-leading-dot",
     "A leading-dot dNSName subtree (.dot.names.test) admits the names below the domain only",
     .ica_nc = {"+D:.dot.names.test"},
     .leaves = {{"domain-itself", "dot.names.test", {"D:dot.names.test"}},
                {"below", "www.dot.names.test", {"D:www.dot.names.test"}}}},
    {"dns-case", "dNSName constraints compare case-insensitively (RFC 4343)",
     .ica_nc = {"+D:CASE.Names.TEST"},
     .leaves = {{"mixed-case-san", "www.case.names.test", {"D:Www.Case.NAMES.test"}}}},
    {"dns-wildcard",
     "Wildcard SANs against constraints: *.wild.names.test is inside the permitted "
     "wild.names.test; under excluded bad.wild2.names.test, *.wild2.names.test covers the "
     "excluded name",
     .ica_nc = {"+D:wild.names.test", "-D:bad.wild2.names.test", "+D:wild2.names.test"},
     .leaves = {{"wildcard-inside", "www.wild.names.test", {"D:*.wild.names.test"}},
                {"wildcard-covers-excluded", "www.wild2.names.test", {"D:*.wild2.names.test"}}}},
    {"ip-v4", "iPAddress subtrees, IPv4: 10.20.0.0/16 permitted, 10.20.30.0/24 excluded",
     .ica_nc = {"+I:10.20.0.0/16", "-I:10.20.30.0/24"},
     .leaves = {{"inside", "10.20.1.1", {"I:10.20.1.1"}},
                {"excluded", "10.20.30.1", {"I:10.20.30.1"}},
                {"outside", "10.21.0.1", {"I:10.21.0.1"}},
                {"mapped-v6", "::ffff:10.20.1.1", {"I:::ffff:10.20.1.1"}},
                {"dns-name-spelling-the-address", "10.20.1.2", {"D:10.20.1.2"}}}},
    {"ip-v6", "iPAddress subtrees, IPv6: 2001:db8::/32 permitted, 2001:db8:bad::/48 excluded",
     .ica_nc = {"+I:2001:db8::/32", "-I:2001:db8:bad::/48"},
     .leaves = {{"inside", "2001:db8::1", {"I:2001:db8::1"}},
                {"excluded", "2001:db8:bad::1", {"I:2001:db8:bad::1"}},
                {"outside", "2001:db9::1", {"I:2001:db9::1"}}}},
    {"ip-masks", "iPAddress masks /0 (every address of the family) and /32",
     .ica_nc = {"+I:0.0.0.0/0", "-I:192.0.2.7/32"},
     .leaves = {{"any-v4", "198.51.100.1", {"I:198.51.100.1"}},
                {"the-excluded-host", "192.0.2.7", {"I:192.0.2.7"}},
                {"v6-outside-v4-only", "2001:db8::7", {"I:2001:db8::7"}}}},
    {"email",
     "rfc822Name subtrees: a host (mail.names.test), a domain (.sub.names.test), a "
     "mailbox (boss@names.test excluded)",
     .ica_nc = {"+E:mail.names.test", "+E:.sub.names.test", "+E:boss@names.test",
                "-E:Boss@names.test"},
     .leaves =
         {{"host", "h.email.names.test", {"D:h.email.names.test", "E:a@MAIL.names.test"}},
          {"host-below", "b.email.names.test", {"D:b.email.names.test", "E:a@x.mail.names.test"}},
          {"domain", "d.email.names.test", {"D:d.email.names.test", "E:a@x.sub.names.test"}},
          {"domain-itself", "e.email.names.test", {"D:e.email.names.test", "E:a@sub.names.test"}},
          {"mailbox", "m.email.names.test", {"D:m.email.names.test", "E:boss@names.test"}},
          {"mailbox-excluded-local-part",
           "n.email.names.test",
           {"D:n.email.names.test", "E:Boss@names.test"}}}},
    {"uri", "URI subtrees: a host (uri.names.test) and a domain (.udom.names.test)",
     .ica_nc = {"+U:uri.names.test", "+U:.udom.names.test"},
     .leaves =
         {{"host-port-userinfo",
           "a.u.names.test",
           {"D:a.u.names.test", "U:https://user:pw@uri.names.test:8443/x?y#z"}},
          {"host-below", "b.u.names.test", {"D:b.u.names.test", "U:https://x.uri.names.test/"}},
          {"domain", "c.u.names.test", {"D:c.u.names.test", "U:spiffe://a.udom.names.test/w"}},
          {"no-host", "d.u.names.test", {"D:d.u.names.test", "U:urn:uuid:0"}},
          {"ip-host", "e.u.names.test", {"D:e.u.names.test", "U:https://192.0.2.1/"}}}},
    {"dirname", "directoryName subtrees on the subject DN and on directoryName SANs",
     .ica_nc = {"-N:CN=Evil", "-N:O=Evil Corp"},
     .leaves = {{"subject-excluded", "a.dn.names.test", {"D:a.dn.names.test"}, "evil"},
                {"san-excluded", "b.dn.names.test", {"D:b.dn.names.test", "N:O=evil  corp,CN=x"}},
                {"subject-and-san-fine",
                 "c.dn.names.test",
                 {"D:c.dn.names.test", "N:O=Good Corp,CN=x"}}}},
    {"noncritical", "A non-critical nameConstraints extension is enforced all the same",
     .ica_nc = {"+D:nc.names.test"}, .noncritical = true,
     .leaves = {{"inside", "www.nc.names.test", {"D:www.nc.names.test"}},
                {"outside", "www.nc-out.names.test", {"D:www.nc-out.names.test"}}}},
    {"on-leaf", "nameConstraints on the leaf itself constrain nothing (only CAs' apply)",
     .leaf_nc = {"+D:elsewhere.names.test"},
     .leaves = {{"own-constraint", "www.leafnc.names.test", {"D:www.leafnc.names.test"}}}},
    {"malformed-san",
     "An undecodable SAN entry (a primitive [0] where otherName is constructed) beside the "
     "hostname, with no constraint anywhere: a strict parser refuses the SAN",
     .leaves = {{"otherName-primitive",
                 "www.malformed.names.test",
                 {"D:www.malformed.names.test"},
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
    bool constrained = d->root_nc[0] || d->upper_nc[0] || d->ica_nc[0];
    int rc = constrain(g, root, d->root_nc, d->noncritical, gname);
    if (!rc && d->upper)
        rc = constrain(g, upper, d->upper_nc, d->noncritical, gname);
    if (!rc)
        rc = constrain(g, ica, d->ica_nc, d->noncritical, gname);
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
            struct cp_case_spec s = {
                .id = id,
                .summary = d->summary,
                .leaf = leaf,
                .anchors = &e_root,
                .nanchors = 1,
                .sent = sent,
                .nsent = n,
                .features = CP_F_HOSTNAME | (constrained ? CP_F_NAME_CONSTRAINTS : 0) |
                            d->features | (d->two_orders ? CP_F_ORDERING : 0),
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
