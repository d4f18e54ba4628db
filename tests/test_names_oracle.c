/*
 * test_names_oracle.c - the oracle's name constraints (the names section of generator/oracle.c)
 * on hand-made graphs, one rule of RFC 5280 4.2.1.10 (or of a profile's choice,
 * docs/profiles.md) per test.
 *
 * Every graph is Root (the anchor) -> [Upper ->] ICA -> leaf, sent leaf first. Each test puts
 * constraints and names on certificates, then states the outcome per profile and, for a
 * reject, the exact set of reasons the oracle saw; the comment above it says why that is the
 * answer. Certificates are taken by index after the graph is complete (cp_graph_cert_at()
 * pointers move when a certificate is added).
 */
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <string.h>

#define R_(code) (UINT64_C(1) << CP_R_##code)
#define ACC CP_OUTCOME_ACCEPT
#define REJ CP_OUTCOME_REJECT

struct nc {
    struct cp_model m;
    struct cp_graph *g;
    int e_root, e_upper, e_ica, e_leaf;
    int root, upper, ica, ica2, leaf; /* certificate indexes; -1 when absent */
    int sent[6];
    int nsent;
};

static struct cp_cert *cert(struct nc *t, int i);

/* Root -> [Upper ->] ICA -> Leaf; the leaf names only what a test gives it. */
static void build(struct nc *t, bool upper)
{
    memset(t, 0, sizeof(*t));
    cp_model_init(&t->m);
    t->g = cp_model_graph(&t->m, "names-oracle");
    cr_assert(t->g);
    t->e_root = cp_graph_entity(t->g, "Root");
    t->e_upper = upper ? cp_graph_entity(t->g, "Upper") : -1;
    t->e_ica = cp_graph_entity(t->g, "ICA");
    t->e_leaf = cp_graph_entity(t->g, "Leaf");
    t->root = cp_graph_root(t->g, t->e_root);
    t->upper = upper ? cp_graph_ca(t->g, t->e_root, t->e_upper) : -1;
    t->ica = cp_graph_ca(t->g, upper ? t->e_upper : t->e_root, t->e_ica);
    t->ica2 = -1;
    t->leaf = cp_graph_leaf(t->g, t->e_ica, t->e_leaf);
    cr_assert_eq(t->g->err, 0, "%s", cp_error_msg(t->g->err));
    cert(t, t->leaf)->gn.fixed = true;
    t->sent[t->nsent++] = t->leaf;
    t->sent[t->nsent++] = t->ica;
    if (upper)
        t->sent[t->nsent++] = t->upper;
}

static struct cp_cert *cert(struct nc *t, int i)
{
    struct cp_cert *c = cp_graph_cert_at(t->g, i);
    cr_assert(c, "no certificate %d", i);
    return c;
}

static void san(struct nc *t, int c, enum cp_gn_type type, const char *text)
{
    struct cp_names *gn = &cert(t, c)->gn;
    cr_assert_eq(cp_gname_add(gn->san, &gn->nsan, type, text), 0, "%s", cp_error_msg(CP_E_ARG));
}

static void permit(struct nc *t, int c, enum cp_gn_type type, const char *text)
{
    struct cp_names *gn = &cert(t, c)->gn;
    cr_assert_eq(cp_gname_add(gn->permitted, &gn->npermitted, type, text), 0, "%s",
                 cp_error_msg(CP_E_ARG));
}

static void exclude(struct nc *t, int c, enum cp_gn_type type, const char *text)
{
    struct cp_names *gn = &cert(t, c)->gn;
    cr_assert_eq(cp_gname_add(gn->excluded, &gn->nexcluded, type, text), 0, "%s",
                 cp_error_msg(CP_E_ARG));
}

/* Runs the case for hostname and checks each profile's outcome and exact reason mask. */
static void expect(struct nc *t, const char *host, enum cp_outcome rfc, uint64_t rfc_reasons,
                   enum cp_outcome web, uint64_t web_reasons)
{
    int anchors[] = {t->e_root};
    struct cp_case_spec spec = {.id = "names-oracle/case",
                                .leaf = t->leaf,
                                .anchors = anchors,
                                .nanchors = 1,
                                .sent = t->sent,
                                .nsent = t->nsent,
                                .hostname = host};
    cr_assert_eq(cp_model_case(&t->m, t->g, &spec), 0, "%s", cp_error_msg(CP_E_ARG));
    cr_assert_eq(cp_model_finalise(&t->m), 0, "%s", cp_error_msg(CP_E_ARG));
    const struct cp_case *c = &t->m.cases[0];
    const enum cp_outcome want[] = {rfc, web};
    const uint64_t reasons[] = {rfc_reasons, web_reasons};
    for (int p = 0; p < CP_PROFILE_COUNT; p++) {
        struct cp_expect e;
        cr_assert_eq(cp_oracle_expect(t->g, c, (enum cp_profile)p, &e), 0);
        cr_expect_eq(e.outcome, want[p], "%s: outcome %d, want %d",
                     cp_profile_name((enum cp_profile)p), e.outcome, want[p]);
        cr_expect_eq(e.reasons, reasons[p], "%s: reasons 0x%llx, want 0x%llx",
                     cp_profile_name((enum cp_profile)p), (unsigned long long)e.reasons,
                     (unsigned long long)reasons[p]);
    }
    cp_model_free(&t->m);
}

#define BOTH(o, r) o, r, o, r

/* A dNSName base admits itself and every name made by adding labels on the left. */
Test(names_oracle, dns_permitted_admits_subdomain)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.example.com");
    expect(&t, "www.example.com", BOTH(ACC, 0));
}

Test(names_oracle, dns_permitted_admits_base_itself)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "example.com");
    expect(&t, "example.com", BOTH(ACC, 0));
}

/* Labels, not characters: badexample.com does not end in ".example.com". */
Test(names_oracle, dns_label_boundary)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "badexample.com");
    expect(&t, "badexample.com", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* DNS names compare case-insensitively (RFC 4343), in constraints as in hostnames. */
Test(names_oracle, dns_case_insensitive)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "EXAMPLE.com");
    san(&t, t.leaf, CP_GN_DNS, "www.Example.COM");
    expect(&t, "www.example.com", BOTH(ACC, 0));
}

/* A leading "." (undefined for dNSName in RFC 5280, the URI form's meaning used widely) admits
 * the names below the domain but not the domain itself. */
Test(names_oracle, dns_leading_dot_excludes_the_domain)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, ".example.com");
    san(&t, t.leaf, CP_GN_DNS, "example.com");
    expect(&t, "example.com", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

Test(names_oracle, dns_leading_dot_admits_below)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, ".example.com");
    san(&t, t.leaf, CP_GN_DNS, "a.b.example.com");
    expect(&t, "a.b.example.com", BOTH(ACC, 0));
}

/* An excluded subtree wins over a permitted one and covers the names below it. */
Test(names_oracle, dns_excluded_covers_subtree)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    exclude(&t, t.ica, CP_GN_DNS, "bad.example.com");
    san(&t, t.leaf, CP_GN_DNS, "x.bad.example.com");
    expect(&t, "x.bad.example.com", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* Every name in the leaf must satisfy the constraints, not just the one that matches the
 * hostname (6.1.3 (b)): the second dNSName is outside the permitted subtree. */
Test(names_oracle, dns_every_san_entry_counts)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.example.com", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* Constraints of one form say nothing about the others: an iPAddress subtree leaves dNSNames
 * free. */
Test(names_oracle, forms_are_independent)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_IP, "10.0.0.0/8");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.other.org", BOTH(ACC, 0));
}

/* An IPv4 subtree is an address and a mask: 10.1.2.3 is in 10.0.0.0/8, 11.0.0.1 is not. */
Test(names_oracle, ipv4_mask_inside)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_IP, "10.0.0.0/8");
    san(&t, t.leaf, CP_GN_IP, "10.1.2.3");
    expect(&t, "10.1.2.3", BOTH(ACC, 0));
}

Test(names_oracle, ipv4_mask_outside)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_IP, "10.0.0.0/8");
    san(&t, t.leaf, CP_GN_IP, "11.0.0.1");
    expect(&t, "11.0.0.1", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* IPv6: 32 octets of address and mask; 2001:db8::/32 holds 2001:db8::1 but not 2001:db9::1. */
Test(names_oracle, ipv6_mask)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_IP, "2001:db8::/32");
    san(&t, t.leaf, CP_GN_IP, "2001:db8::1");
    expect(&t, "2001:db8::1", BOTH(ACC, 0));
    build(&t, false);
    exclude(&t, t.ica, CP_GN_IP, "2001:db8::/32");
    san(&t, t.leaf, CP_GN_IP, "2001:db8:0:1::1");
    expect(&t, "2001:db8:0:1::1", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* An IPv4-mapped IPv6 address is 16 octets: no IPv4 subtree (8 octets) can hold it, so under
 * a permitted IPv4 subtree it is outside. */
Test(names_oracle, ipv4_mapped_is_not_ipv4)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_IP, "10.0.0.0/8");
    san(&t, t.leaf, CP_GN_IP, "::ffff:10.0.0.1");
    expect(&t, "::ffff:10.0.0.1", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* An IP reference identity matches an iPAddress entry only (RFC 9525 6.2), never a dNSName
 * that spells the address. */
Test(names_oracle, ip_hostname_needs_ip_san)
{
    struct nc t;
    build(&t, false);
    san(&t, t.leaf, CP_GN_DNS, "127.0.0.1");
    expect(&t, "127.0.0.1", BOTH(REJ, R_(HOSTNAME)));
}

/* rfc822Name "host": every mailbox at exactly that host. */
Test(names_oracle, email_host_form)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_EMAIL, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_EMAIL, "alice@EXAMPLE.com");
    expect(&t, "www.other.org", BOTH(ACC, 0));
    build(&t, false);
    permit(&t, t.ica, CP_GN_EMAIL, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_EMAIL, "alice@mail.example.com");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* rfc822Name ".domain": mailboxes at hosts below the domain, not at the domain itself. */
Test(names_oracle, email_domain_form)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_EMAIL, ".example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_EMAIL, "alice@example.com");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* rfc822Name "local@host": that mailbox; the local part is case-sensitive (RFC 5280 7.5). */
Test(names_oracle, email_mailbox_form_local_part_case)
{
    struct nc t;
    build(&t, false);
    exclude(&t, t.ica, CP_GN_EMAIL, "alice@example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_EMAIL, "Alice@example.com");
    expect(&t, "www.other.org", BOTH(ACC, 0));
    build(&t, false);
    exclude(&t, t.ica, CP_GN_EMAIL, "alice@example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_EMAIL, "alice@Example.COM");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* A certificate without a SAN has its subject emailAddress checked against rfc822Name
 * constraints (4.2.1.10, a MUST). Here that certificate is the ICA under Upper's constraint. */
Test(names_oracle, email_subject_attribute_without_san)
{
    struct nc t;
    build(&t, true);
    permit(&t, t.upper, CP_GN_EMAIL, "example.com");
    snprintf(cert(&t, t.ica)->gn.email, CP_GN_VALUE_MAX, "ca@other.org");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* URI constraints name a host: the authority's host, with userinfo and port stripped, is
 * compared as a DNS name; "host" is exact, ".domain" is below. */
Test(names_oracle, uri_host_with_userinfo_and_port)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_URI, ".example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_URI, "https://user@www.example.com:8443/path");
    expect(&t, "www.other.org", BOTH(ACC, 0));
    build(&t, false);
    permit(&t, t.ica, CP_GN_URI, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_URI, "https://www.example.com/");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* A URI without a host, or with an IP-literal host, MUST be rejected when URI constraints
 * apply (4.2.1.10) - even an excluded subtree it is not in. */
Test(names_oracle, uri_without_dns_host)
{
    struct nc t;
    build(&t, false);
    exclude(&t, t.ica, CP_GN_URI, "bad.example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_URI, "https://10.0.0.1/");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
    build(&t, false);
    exclude(&t, t.ica, CP_GN_URI, "bad.example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_URI, "urn:uuid:1");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* directoryName: the base's RDNs must be the first RDNs of the subject (in DER order,
 * CN=Leaf first); values compare case-insensitively. */
Test(names_oracle, dirname_prefix_of_subject)
{
    struct nc t;
    char base[64];
    build(&t, false);
    snprintf(base, sizeof(base), "cn=LEAF,OU=%s", t.g->tag);
    permit(&t, t.ica, CP_GN_DIR, base);
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.other.org", BOTH(ACC, 0));
    build(&t, false);
    permit(&t, t.ica, CP_GN_DIR, "CN=Other");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* A directoryName SAN is checked too: excluded O=Evil catches a SAN "O=Evil,CN=x". */
Test(names_oracle, dirname_san_entry)
{
    struct nc t;
    build(&t, false);
    exclude(&t, t.ica, CP_GN_DIR, "O=Evil");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    san(&t, t.leaf, CP_GN_DIR, "O=Evil,CN=x");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* Two levels: permitted subtrees intersect (6.1.4 (g)). Upper permits example.com, ICA permits
 * other.org: no name satisfies both. */
Test(names_oracle, two_levels_intersect)
{
    struct nc t;
    build(&t, true);
    permit(&t, t.upper, CP_GN_DNS, "example.com");
    permit(&t, t.ica, CP_GN_DNS, "other.org");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.other.org", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* Two levels: excluded subtrees unite. Upper excludes a.example.com, ICA b.example.com. */
Test(names_oracle, two_levels_exclusions_unite)
{
    struct nc t;
    build(&t, true);
    exclude(&t, t.upper, CP_GN_DNS, "a.example.com");
    exclude(&t, t.ica, CP_GN_DNS, "b.example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.a.example.com");
    expect(&t, "www.a.example.com", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* Upper's constraint reaches the ICA too: an intermediate's own SAN outside it fails. */
Test(names_oracle, intermediate_names_are_constrained)
{
    struct nc t;
    build(&t, true);
    permit(&t, t.upper, CP_GN_DNS, "example.com");
    san(&t, t.ica, CP_GN_DNS, "ca.other.org");
    san(&t, t.leaf, CP_GN_DNS, "www.example.com");
    expect(&t, "www.example.com", BOTH(REJ, R_(NAME_CONSTRAINTS)));
}

/* ... but not a self-issued one (6.1.3 (b)): a key-rollover certificate of the ICA (same
 * name, new key) with that SAN is exempt. Path: leaf < ICA' < ICA (self-issued) < Root; the
 * old ICA certificate, tried directly as the leaf's issuer, has the wrong key. */
Test(names_oracle, self_issued_intermediate_exempt)
{
    struct nc t;
    build(&t, false);
    int e_new = cp_graph_rekey(t.g, t.e_ica, "ICA-new");
    int roll = cp_graph_ca(t.g, t.e_ica, e_new);
    int leaf2 = cp_graph_leaf(t.g, e_new, t.e_leaf);
    cr_assert_eq(t.g->err, 0, "%s", cp_error_msg(t.g->err));
    cert(&t, leaf2)->gn.fixed = true;
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, roll, CP_GN_DNS, "ca.other.org");
    san(&t, leaf2, CP_GN_DNS, "www.example.com");
    t.leaf = leaf2;
    t.sent[0] = leaf2;
    t.sent[t.nsent++] = roll;
    expect(&t, "www.example.com", BOTH(ACC, R_(WRONG_KEY)));
}

/* Constraints in the anchor's certificate: not trust-anchor information under rfc5280
 * (6.1.1), applied under webpki (docs/profiles.md). */
Test(names_oracle, anchor_constraints_per_profile)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.root, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.other.org");
    expect(&t, "www.other.org", ACC, 0, REJ, R_(NAME_CONSTRAINTS));
}

/* The CN is never a hostname (RFC 9525; CA/B Forum BR 7.1.4.3 make it repeat a SAN). */
Test(names_oracle, cn_never_matches_hostname)
{
    struct nc t;
    build(&t, false);
    cert(&t, t.leaf)->gn.cn = CP_CN_TEXT;
    snprintf(cert(&t, t.leaf)->gn.cn_text, CP_HOST_MAX, "www.example.com");
    expect(&t, "www.example.com", BOTH(REJ, R_(HOSTNAME)));
}

/* A hostname-like CN of a leaf whose SAN has no dNSName: rfc5280 applies dNSName constraints
 * to dNSNames only (the CN is a DN attribute); webpki checks the CN as the dNSName it spells
 * (docs/profiles.md). The hostname is the leaf's iPAddress, so the CN decides alone. */
Test(names_oracle, cn_against_dns_constraints_per_profile)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    cert(&t, t.leaf)->gn.cn = CP_CN_TEXT;
    snprintf(cert(&t, t.leaf)->gn.cn_text, CP_HOST_MAX, "bad.other.org");
    san(&t, t.leaf, CP_GN_IP, "10.0.0.1");
    expect(&t, "10.0.0.1", ACC, 0, REJ, R_(NAME_CONSTRAINTS));
    /* With a dNSName in the SAN the CN is not consulted, even under webpki. */
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    cert(&t, t.leaf)->gn.cn = CP_CN_TEXT;
    snprintf(cert(&t, t.leaf)->gn.cn_text, CP_HOST_MAX, "bad.other.org");
    san(&t, t.leaf, CP_GN_DNS, "www.example.com");
    san(&t, t.leaf, CP_GN_IP, "10.0.0.1");
    expect(&t, "10.0.0.1", BOTH(ACC, 0));
}

/* An IP-literal CN is checked as an iPAddress under webpki, never as a dNSName: 127.0.0.1
 * under a permitted dNSName subtree passes, under an excluded 127.0.0.0/24 it does not. */
Test(names_oracle, cn_ip_literal_per_profile)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "localhost");
    cert(&t, t.leaf)->gn.cn = CP_CN_TEXT;
    snprintf(cert(&t, t.leaf)->gn.cn_text, CP_HOST_MAX, "127.0.0.1");
    san(&t, t.leaf, CP_GN_DNS, "test.localhost");
    expect(&t, "test.localhost", BOTH(ACC, 0));
    build(&t, false);
    exclude(&t, t.ica, CP_GN_IP, "127.0.0.0/24");
    cert(&t, t.leaf)->gn.cn = CP_CN_TEXT;
    snprintf(cert(&t, t.leaf)->gn.cn_text, CP_HOST_MAX, "127.0.0.1");
    san(&t, t.leaf, CP_GN_DNS, "test.localhost");
    expect(&t, "test.localhost", ACC, 0, REJ, R_(NAME_CONSTRAINTS));
}

/* A SAN with an entry that does not decode (a primitive [0], where otherName must be
 * constructed) is no SAN: the leaf has no name and matches no hostname. The reject is the
 * hostname's, never a name constraint's. */
Test(names_oracle, undecodable_san_is_no_san)
{
    struct nc t;
    build(&t, false);
    permit(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.example.com");
    struct cp_names *gn = &cert(&t, t.leaf)->gn;
    cr_assert_eq(cp_gname_raw(&gn->san[gn->nsan++], 0x80, "test.localhost", 14), 0);
    cr_expect_eq(gn->san[gn->nsan - 1].type, CP_GN_RAW);
    expect(&t, "www.example.com", BOTH(REJ, R_(HOSTNAME)));
}

/* A constraint that forbids one of two paths: the ICA has two certificates from Root, one
 * excluding the leaf's name. The builder must back off and take the other. */
Test(names_oracle, constraint_forbids_one_of_two_paths)
{
    struct nc t;
    build(&t, false);
    int other = cp_graph_ca(t.g, t.e_root, t.e_ica);
    cr_assert_geq(other, 0);
    exclude(&t, t.ica, CP_GN_DNS, "example.com");
    san(&t, t.leaf, CP_GN_DNS, "www.example.com");
    t.sent[t.nsent++] = other;
    expect(&t, "www.example.com", BOTH(ACC, R_(NAME_CONSTRAINTS)));
}

/* The GeneralName parser of the model: classification of raw encodings, and bad input. */
Test(names_oracle, gname_classification_and_errors)
{
    struct cp_gname e;
    static const unsigned char ip4[] = {0x7f, 0, 0, 1};
    cr_expect_eq(cp_gname_raw(&e, 0x87, ip4, 4), 0);
    cr_expect_eq(e.type, CP_GN_IP);
    cr_expect_eq(cp_gname_raw(&e, 0x82, ip4, 4), 0);
    cr_expect_eq(e.type, CP_GN_RAW, "control bytes in a dNSName");
    cr_expect_eq(cp_gname_raw(&e, 0x87, "127.0.0.1", 9), 0);
    cr_expect_eq(e.type, CP_GN_RAW, "a 9-octet iPAddress");
    cr_expect_eq(cp_gname_raw(&e, 0x86, "http://x.test", 13), 0);
    cr_expect_eq(e.type, CP_GN_URI);
    cr_expect_eq(cp_gname_raw(&e, 0x88, "t", 1), 0);
    cr_expect_eq(e.type, CP_GN_RID);
    cr_expect_eq(cp_gname_raw(&e, 0x8f, "x", 1), 0);
    cr_expect_eq(e.type, CP_GN_RAW, "tag 15 is outside the CHOICE");
    cr_expect_eq(cp_gname_set(&e, CP_GN_IP, "10.0.0.0/33"), CP_E_ARG);
    cr_expect(strstr(cp_error_msg(CP_E_ARG), "10.0.0.0/33"));
    cr_expect_eq(cp_gname_set(&e, CP_GN_IP, "10.0.0"), CP_E_ARG);
    cr_expect_eq(cp_gname_set(&e, CP_GN_DIR, "no equals sign"), CP_E_ARG);
    cr_expect_eq(cp_gname_set(&e, CP_GN_DNS, "tab\there"), CP_E_ARG);
    cr_expect_eq(cp_gname_set(&e, CP_GN_IP, "127.0.0.0/24"), 0);
    static const unsigned char want[] = {0x7f, 0, 0, 0, 0xff, 0xff, 0xff, 0};
    cr_expect_eq(e.len, 8);
    cr_expect(memcmp(e.value, want, 8) == 0);
}
