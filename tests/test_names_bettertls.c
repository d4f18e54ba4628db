/*
 * test_names_bettertls.c - the `names` family against BetterTLS's name-constraints suite.
 *
 * The test rebuilds BetterTLS's 9,491 definitions from the reference's formulas
 * (shared/reference/bettertls-nameconstraints.md 1.4) and BetterTLS's own oracle (2.2), and
 * first proves both right: the expected results in id order hash to the reference's
 * fingerprint. Then it checks the family case for case: every id is described by exactly one
 * case, whose description states that id's definition, and whose leaf and ICA carry its names
 * and constraints; and our oracle agrees with BetterTLS's wherever BetterTLS is firm:
 *   PASS and FAIL are accept and reject under both profiles;
 *   SOFT_FAIL (matched only through the CN, or another name violates) is reject under both
 *     (RFC 9525 and 6.1.3 (b): docs/profiles.md);
 *   SOFT_PASS (the unused CN violates its form's constraint) is accept under rfc5280 and, under
 *     webpki, reject exactly when no SAN entry of the CN's form exists (docs/profiles.md).
 */
#include "cp_families.h"
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 9491
#define FINGERPRINT "1aa65348950474f46129191ad912b5e9247443ff437ab9b43f958af2b90584db"

enum { NONE = 0, VALID = 1, INVALID = 2 };

struct def {
    int host, cn_type, cn, dns_san, ip_san, dns_w, ip_w, dns_b, ip_b;
    int tag; /* -1: no extra SAN entry */
};

static void def_of(int id, struct def *d)
{
    memset(d, 0, sizeof(*d));
    d->tag = -1;
    if (id <= 1) {
        d->cn = VALID, d->dns_san = VALID, d->dns_w = id ? VALID : NONE;
    } else if (id <= 5) {
        d->host = d->cn_type = id > 3;
        *(id <= 3 ? &d->dns_san : &d->ip_san) = id % 2 ? INVALID : VALID;
    } else if (id == 6) {
        d->dns_san = INVALID, d->dns_b = VALID, d->tag = 6;
    } else if (id < 8755) {
        int x = id - 7, f[9];
        for (int i = 8; i >= 2; i--) {
            f[i] = x % 3;
            x /= 3;
        }
        *d = (struct def){x / 2, x % 2, f[2], f[3], f[4], f[5], f[6], f[7], f[8], -1};
    } else if (id < 8979) {
        int k = (id - 8755) % 14;
        d->tag = (id - 8755) / 14;
        if (k < 10) {
            d->dns_san = INVALID;
            *(k % 2 ? &d->dns_b : &d->dns_w) = k % 2 ? VALID : INVALID;
        } else {
            d->host = d->cn_type = 1;
            d->ip_san = INVALID;
            *(k % 2 ? &d->ip_b : &d->ip_w) = k % 2 ? VALID : INVALID;
        }
    } else {
        int r = id - 8979;
        d->dns_san = INVALID;
        d->tag = (r / 2) % 16;
        *(r % 2 ? &d->dns_b : &d->dns_w) = r % 2 ? VALID : INVALID;
    }
}

static bool violates(int v, int w, int b)
{
    return v != NONE && ((w != NONE && w != v) || b == v);
}

/* BetterTLS's oracle, in the reference's words (2.2): 'P', 'F', 'p' (soft pass), 'f'. */
static char bettertls_expect(const struct def *d)
{
    int san_h = d->host ? d->ip_san : d->dns_san;
    int w_h = d->host ? d->ip_w : d->dns_w, b_h = d->host ? d->ip_b : d->dns_b;
    bool cn_only = false;
    if (san_h != VALID) {
        if (d->cn == VALID && d->cn_type == d->host)
            cn_only = true;
        else
            return 'F';
    }
    if (w_h == INVALID || b_h == VALID)
        return 'F';
    bool san_v = violates(d->dns_san, d->dns_w, d->dns_b) || violates(d->ip_san, d->ip_w, d->ip_b);
    bool cn_v =
        d->cn_type ? violates(d->cn, d->ip_w, d->ip_b) : violates(d->cn, d->dns_w, d->dns_b);
    return san_v ? 'f' : cn_v ? 'p' : cn_only ? 'f' : 'P';
}

static const char *vn(int v)
{
    return v == VALID ? "VALID" : v == INVALID ? "INVALID" : "NONE";
}

/* The definition as the family's description states it. */
static void def_text(const struct def *d, char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "%s host; CN %s%s; DnsSan %s; IpSan %s; DnsWhitelist %s; IpWhitelist %s; "
                     "DnsBlacklist %s; IpBlacklist %s",
                     d->host ? "IP" : "DNS", d->cn ? (d->cn_type ? "IP " : "DNS ") : "", vn(d->cn),
                     vn(d->dns_san), vn(d->ip_san), vn(d->dns_w), vn(d->ip_w), vn(d->dns_b),
                     vn(d->ip_b));
    if (d->tag >= 0 && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "; an extra SAN entry [%d]", d->tag);
}

Test(names_bettertls, reference_enumeration_and_oracle_fingerprint)
{
    char s[N + 1], hex[65];
    unsigned char md[SHA256_DIGEST_LENGTH];
    for (int id = 0; id < N; id++) {
        struct def d;
        def_of(id, &d);
        s[id] = bettertls_expect(&d);
    }
    s[N] = '\0';
    SHA256((const unsigned char *)s, N, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    cr_assert_str_eq(hex, FINGERPRINT, "the rebuilt BetterTLS expectations do not hash right");
    cr_expect(strncmp(s, "PPPFPFF", 7) == 0);
}

struct built {
    struct cp_model m;
    const struct cp_case *by_id[N];
};

static void build(struct built *b)
{
    const char *fam[] = {"names"};
    cp_model_init(&b->m);
    memset(b->by_id, 0, sizeof(b->by_id));
    cr_assert_eq(cp_generator_build(&b->m, fam, 1), 0, "%s", cp_error_msg(CP_E_ARG));
    for (int i = 0; i < b->m.ncases; i++) {
        const struct cp_case *c = &b->m.cases[i];
        if (strncmp(c->id, "names/bettertls/", 16) != 0)
            continue;
        const char *p = c->description;
        cr_assert(strncmp(p, "BetterTLS nc #", 14) == 0, "%s: %s", c->id, p);
        p += 13;
        while (*p == '#' || (*p == ',' && p[1] == ' ' && p[2] == '#')) {
            p += *p == ',' ? 3 : 1;
            char *end;
            long id = strtol(p, &end, 10);
            cr_assert(end != p && id >= 0 && id < N, "%s: bad id in %s", c->id, c->description);
            cr_assert_null(b->by_id[id], "BetterTLS nc #%ld is in %s and %s", id,
                           b->by_id[id] ? b->by_id[id]->id : "", c->id);
            b->by_id[id] = c;
            p = end;
        }
    }
}

/* Every id once; the description states the id's definition; exact duplicates share. */
Test(names_bettertls, every_id_once_with_its_definition)
{
    static struct built b;
    build(&b);
    int distinct = 0, controls = 0;
    for (int i = 0; i < b.m.ncases; i++) {
        distinct += strncmp(b.m.cases[i].id, "names/bettertls/", 16) == 0;
        controls += strcmp(b.m.cases[i].family, "controls") == 0;
    }
    cr_expect_eq(distinct, 8027, "BetterTLS's 9,491 cases hold 8,027 distinct definitions");
    cr_expect_eq(controls, 2, "an opt-in family brings the two controls");
    for (int id = 0; id < N; id++) {
        const struct cp_case *c = b.by_id[id];
        cr_assert(c, "BetterTLS nc #%d has no case", id);
        struct def d;
        char want[256];
        def_of(id, &d);
        def_text(&d, want, sizeof(want));
        cr_expect(strstr(c->description, want), "#%d: %s lacks \"%s\"", id, c->id, want);
        char h[64];
        snprintf(h, sizeof(h), "%s.test.localhost", c->id + 16);
        cr_expect_str_eq(c->hostname, d.host ? "127.0.0.1" : h, "#%d", id);
    }
    cp_model_free(&b.m);
}

/* The chain and the names of two cases the reference spells out byte by byte. */
Test(names_bettertls, tc1112_and_tc8811_certificates)
{
    static struct built b;
    build(&b);
    const struct cp_case *c = b.by_id[1112];
    const struct cp_graph *g = &b.m.graphs[c->graph];
    const struct cp_cert *leaf = &g->certs[c->leaf], *ica = &g->certs[c->sent[1]];
    cr_expect_eq(c->nsent, 4, "leaf, local_ica, local_root, trust root");
    cr_expect_str_eq(g->entities[ica->subject].label, "local_ica");
    cr_expect_eq(ica->gn.npermitted, 2);
    cr_expect_eq(ica->gn.nexcluded, 2);
    cr_expect_str_eq(ica->gn.permitted[0].value, "localhost");
    cr_expect_eq(ica->gn.permitted[1].type, CP_GN_IP);
    cr_expect_eq((unsigned char)ica->gn.permitted[1].value[0], 1);
    cr_expect_str_eq(ica->gn.excluded[0].value, "bad.example.com");
    cr_expect_eq((unsigned char)ica->gn.excluded[1].value[0], 127);
    cr_expect_eq(leaf->nsan, 0);
    cr_expect_eq(leaf->gn.nsan, 2);
    cr_expect_str_eq(leaf->gn.san[0].value, "tc1112.test.localhost");
    cr_expect_eq(leaf->gn.san[1].type, CP_GN_IP);
    cr_expect_str_eq(leaf->gn.cn_text, "tc1112.test.localhost");
    c = b.by_id[8811];
    leaf = &b.m.graphs[c->graph].certs[c->leaf];
    cr_expect_eq(leaf->gn.nsan, 2);
    cr_expect_str_eq(leaf->gn.san[0].value, "bad.example.com");
    cr_expect_eq(leaf->gn.san[1].type, CP_GN_RAW, "a primitive [4]: no directoryName");
    cr_expect_eq(leaf->gn.san[1].tag, 0x84);
    cr_expect_eq(leaf->gn.cn, CP_CN_NONE);
    cp_model_free(&b.m);
}

/* Our oracle against BetterTLS's, id by id (the header says where they must agree). */
Test(names_bettertls, oracle_agrees_where_bettertls_is_firm)
{
    static struct built b;
    build(&b);
    int n[4][2][2] = {{{0}}}; /* [P F p f][rfc5280 accept][webpki accept] */
    const char *kinds = "PFpf";
    for (int id = 0; id < N; id++) {
        struct def d;
        def_of(id, &d);
        char want = bettertls_expect(&d);
        const struct cp_case *c = b.by_id[id];
        bool rfc = c->expect[CP_PROFILE_RFC5280].outcome == CP_OUTCOME_ACCEPT;
        bool web = c->expect[CP_PROFILE_WEBPKI].outcome == CP_OUTCOME_ACCEPT;
        n[strchr(kinds, want) - kinds][rfc][web]++;
        if (want == 'P' || want == 'F' || want == 'f') {
            cr_expect_eq(rfc, want == 'P', "#%d (%c) rfc5280", id, want);
            cr_expect_eq(web, want == 'P', "#%d (%c) webpki", id, want);
        } else {
            bool form_san = d.cn_type ? d.ip_san != NONE : d.dns_san != NONE;
            cr_expect(rfc, "#%d (p) rfc5280", id);
            cr_expect_eq(web, form_san, "#%d (p) webpki", id);
        }
    }
    cr_expect_eq(n[0][1][1], 590, "PASS");
    cr_expect_eq(n[1][0][0], 7759, "FAIL");
    cr_expect_eq(n[3][0][0], 912, "SOFT_FAIL");
    cr_expect_eq(n[2][1][1] + n[2][1][0], 230, "SOFT_PASS");
    cr_expect_eq(n[2][1][0], 80, "SOFT_PASS that webpki rejects (CN of a form without a SAN): %d",
                 n[2][1][0]);
    cp_model_free(&b.m);
}
