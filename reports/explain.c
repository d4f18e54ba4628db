/*
 * explain.c - `certpath explain CASE`: one case in the terminal, from the suite's manifest.
 *
 * The graph is drawn as a tree read upward from the leaf: under each entity, the certificates
 * that name it as subject, each one an edge "issuer -> subject" followed by its issuer's own
 * certificates. An entity is expanded once (later mentions point back), a trust anchor ends a
 * branch, and an issuer already on the branch is a cycle, so any graph prints in bounded space.
 */
#include "cp_common.h"
#include "cp_explain.h"
#include "cp_report_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The generator's largest graph has 64 certificates; twice that leaves room. */
#define X_MAX_CERTS 128
/* Ids suggested for an unknown case. */
#define X_SUGGEST 10
/* Deep enough for the deepest chain the generator makes (pathological/deep: 40). */
#define X_MAX_DEPTH 64

struct xcase {
    const struct cp_rep_suite *s;
    const struct cp_manifest_case *kase;
    const struct cp_manifest_cert *cert[X_MAX_CERTS]; /* the graph's certificates, by number */
    int ncerts;
    const char *ent[X_MAX_CERTS * 2]; /* entity names */
    int nent;
    bool expanded[X_MAX_CERTS * 2], on_branch[X_MAX_CERTS * 2];
    FILE *out;
};

static int entity(struct xcase *x, const char *name)
{
    for (int i = 0; i < x->nent; i++) {
        if (strcmp(x->ent[i], name) == 0)
            return i;
    }
    if (x->nent >= (int)CP_ARRAY_LEN(x->ent))
        return -1;
    x->ent[x->nent] = name;
    return x->nent++;
}

static bool listed(const int *refs, int n, int cert)
{
    for (int i = 0; i < n; i++) {
        if (refs[i] == cert)
            return true;
    }
    return false;
}

static const struct cp_manifest_cert *cert_at(const struct xcase *x, int i)
{
    return &x->s->man.certs[i];
}

/* The manifest's index of a certificate of the case's graph. */
static int index_of(const struct xcase *x, const struct cp_manifest_cert *c)
{
    return (int)(c - x->s->man.certs);
}

/* "#3" for a certificate of the case's graph (ids are "<graph tag>/<n>"). */
static const char *short_id(const char *id)
{
    const char *slash = strrchr(id, '/');
    return slash ? slash + 1 : id;
}

static bool is_anchor_entity(const struct xcase *x, const char *name)
{
    for (int i = 0; i < x->kase->nanchors; i++) {
        if (strcmp(cert_at(x, x->kase->anchors[i])->subject, name) == 0)
            return true;
    }
    return false;
}

/* Where a certificate is sent: " sent 2" or " sent 2,5" (a duplicate), or "" when it is not. */
static void put_sent(const struct xcase *x, int cert)
{
    int n = 0;
    for (int pos = 1; pos <= x->kase->nsent; pos++) {
        if (x->kase->sent[pos - 1] == cert)
            fprintf(x->out, "%s%d", n++ ? "," : "  sent ", pos);
    }
    if (!n)
        fputs("  not sent", x->out);
}

static void put_cert_line(const struct xcase *x, const struct cp_manifest_cert *c)
{
    fprintf(x->out, "#%s %s -> %s", short_id(c->id), c->issuer, c->subject);
    put_sent(x, index_of(x, c));
    if (*c->defects)
        fprintf(x->out, "  [%s]", c->defects);
}

static bool self_signed(const struct cp_manifest_cert *c)
{
    return strcmp(c->issuer, c->subject) == 0;
}

/* The certificates under entity e (its issuers' edges), each followed by its issuer. */
static void draw(struct xcase *x, int e, char *prefix, size_t plen, int depth)
{
    int kids[X_MAX_CERTS], n = 0;
    for (int i = 0; i < x->ncerts; i++) {
        if (!self_signed(x->cert[i]) && strcmp(x->cert[i]->subject, x->ent[e]) == 0)
            kids[n++] = i;
    }
    x->expanded[e] = x->on_branch[e] = true;
    for (int k = 0; k < n; k++) {
        const struct cp_manifest_cert *c = x->cert[kids[k]];
        const char *issuer = c->issuer;
        int up = entity(x, issuer);
        bool last = k == n - 1;
        fprintf(x->out, "  %s%s", prefix,
                last ? "\xe2\x94\x94\xe2\x94\x80 " : "\xe2\x94\x9c\xe2\x94\x80 ");
        put_cert_line(x, c);
        if (up < 0) {
            fputc('\n', x->out);
            continue;
        }
        if (is_anchor_entity(x, issuer))
            fprintf(x->out, "   <- %s is a trust anchor\n", issuer);
        else if (x->on_branch[up])
            fprintf(x->out, "   <- %s: a cycle back up the branch\n", issuer);
        else if (x->expanded[up])
            fprintf(x->out, "   <- %s: its issuers are drawn above\n", issuer);
        else if (depth >= X_MAX_DEPTH || plen + 8 >= 4 * X_MAX_DEPTH * 4)
            fprintf(x->out, "   <- %s: (deeper than drawn)\n", issuer);
        else {
            size_t add = (size_t)snprintf(prefix + plen, 16, "%s", last ? "   " : "\xe2\x94\x82  ");
            bool issued = false;
            for (int i = 0; i < x->ncerts && !issued; i++)
                issued = !self_signed(x->cert[i]) && strcmp(x->cert[i]->subject, issuer) == 0;
            fputs(issued ? "\n" : "", x->out);
            if (!issued)
                fprintf(x->out, "   <- %s: no certificate issues to it, and it is no anchor\n",
                        issuer);
            else
                draw(x, up, prefix, plen + add, depth + 1);
            prefix[plen] = '\0';
        }
    }
    x->on_branch[e] = false;
}

static int load_graph(struct xcase *x)
{
    const char *leaf = cert_at(x, x->kase->leaf)->id, *slash = strrchr(leaf, '/');
    char id[256];
    if (!slash || slash - leaf > 200)
        return cp_error_set(CP_E_FORMAT, "%s/manifest.json: case %s has no leaf certificate",
                            x->s->dir, x->kase->id);
    for (int i = 0; i < X_MAX_CERTS; i++) {
        snprintf(id, sizeof(id), "%.*s/%d", (int)(slash - leaf), leaf, i);
        if (!(x->cert[i] = cp_rep_suite_cert(x->s, id)))
            break;
        x->ncerts++;
        if (entity(x, x->cert[i]->issuer) < 0 || entity(x, x->cert[i]->subject) < 0)
            return cp_error_set(CP_E_LIMIT, "case %s: too many entities", x->kase->id);
    }
    return 0;
}

static void put_header(const struct xcase *x)
{
    const struct cp_manifest *m = &x->s->man;
    char when[32];
    int n = 0;
    fprintf(x->out, "case %s\n  %s\n  family     %s; features:", x->kase->id, x->kase->description,
            x->kase->family);
    for (int b = 0; b < m->nfeatures; b++) {
        if (x->kase->features & (UINT64_C(1) << b))
            fprintf(x->out, "%s %s", n++ ? "," : "", m->features[b]);
    }
    /* The case's own time when it has one (an imported case's), else the suite's. */
    int64_t t = cp_manifest_case_time(m, x->kase);
    cp_manifest_time_format(t, when, sizeof(when));
    fprintf(x->out,
            "%s\n  hostname   %s\n  time       %s (%lld)\n  files      %s/%s/"
            "{chain.pem,roots.pem,leaf.key}\n",
            n ? "" : " none", x->kase->hostname, when, (long long)t, x->s->dir, x->kase->dir);
}

static void put_graph(struct xcase *x)
{
    const struct cp_manifest_cert *leaf = cert_at(x, x->kase->leaf);
    char prefix[4 * X_MAX_DEPTH * 4 + 16] = "";
    fprintf(x->out,
            "\ngraph %s: %d entities, %d certificates (issuer -> subject, read up "
            "from the leaf)\n",
            x->kase->graph, x->nent, x->ncerts);
    fprintf(x->out, "  %s (the leaf)\n", leaf->subject);
    draw(x, entity(x, leaf->subject), prefix, 0, 0);
    for (int i = 0; i < x->ncerts; i++) {
        if (!self_signed(x->cert[i]))
            continue;
        fputs("  self-signed: ", x->out);
        put_cert_line(x, x->cert[i]);
        fputs(listed(x->kase->anchors, x->kase->nanchors, index_of(x, x->cert[i]))
                  ? "  ANCHOR (in roots.pem)\n"
                  : "\n",
              x->out);
    }
}

static void put_ids(const struct xcase *x, const int *refs, int n, bool labels)
{
    for (int i = 0; i < n; i++) {
        const struct cp_manifest_cert *c = cert_at(x, refs[i]);
        fprintf(x->out, "%s#%s", i ? (labels ? "\n    " : " -> ") : "", short_id(c->id));
        if (labels)
            fprintf(x->out, " %s", c->label);
    }
}

/* Whether id is on some valid path under some profile; *any says whether there is a path. */
static bool on_a_path(const struct xcase *x, int cert, bool *any)
{
    bool on = false;
    *any = false;
    for (int p = 0; p < x->s->man.nprofiles; p++) {
        const struct cp_manifest_expect *e = &x->kase->expect[p];
        for (int i = 0; i < e->npaths; i++) {
            *any = true;
            on |= listed(e->paths[i].certs, e->paths[i].n, cert);
        }
    }
    return on;
}

static void put_lists(const struct xcase *x)
{
    const struct cp_manifest_case *k = x->kase;
    fputs("\nanchors (roots.pem)\n    ", x->out);
    put_ids(x, k->anchors, k->nanchors, true);
    fprintf(x->out, "\nsent (chain.pem, in this order, %d certificates)\n", k->nsent);
    for (int pos = 1; pos <= k->nsent; pos++) {
        int cert = k->sent[pos - 1], first = 0;
        const struct cp_manifest_cert *c = cert_at(x, cert);
        for (int j = 1; j <= k->nsent && !first; j++)
            first = k->sent[j - 1] == cert ? j : 0;
        fprintf(x->out, "  %2d. #%s %s", pos, short_id(c->id), c->label);
        bool any, on = on_a_path(x, cert, &any);
        if (first < pos)
            fprintf(x->out, "  (duplicate of %d.)", first);
        else if (self_signed(c))
            fputs("  (self-signed)", x->out);
        if (any && !on && first == pos)
            fputs("  (on no valid path)", x->out);
        fputc('\n', x->out);
    }
}

static void put_expect(const struct xcase *x, const char *profile,
                       const struct cp_manifest_expect *e)
{
    fprintf(x->out, "  %-8s %s", profile, e->accept ? "accept" : "reject");
    if (e->npaths)
        fprintf(x->out, ": %lld valid path%s, leaf to anchor", (long long)e->paths_all,
                e->paths_all == 1 ? "" : "s");
    fputc('\n', x->out);
    for (int i = 0; i < e->npaths; i++) {
        fputs("      ", x->out);
        put_ids(x, e->paths[i].certs, e->paths[i].n, false);
        fputc('\n', x->out);
    }
    if (e->npaths < e->paths_all)
        fprintf(x->out, "      ... and %lld more\n", (long long)(e->paths_all - e->npaths));
    if (!e->nrejected)
        return;
    fprintf(x->out, "    ruled out (%lld candidate%s):\n", (long long)e->rejected_all,
            e->rejected_all == 1 ? "" : "s");
    for (int i = 0; i < e->nrejected; i++) {
        const struct cp_manifest_rejected *r = &e->rejected[i];
        fputs("      ", x->out);
        put_ids(x, r->path.certs, r->path.n, false);
        fprintf(x->out, ": %s at #%s\n", x->s->man.reasons[r->reason],
                short_id(cert_at(x, r->at)->id));
    }
}

static void put_expectations(const struct xcase *x)
{
    fputs("\nexpected (the oracle)\n", x->out);
    for (int p = 0; p < x->s->man.nprofiles; p++)
        put_expect(x, x->s->man.profiles[p], &x->kase->expect[p]);
}

static void put_reproduce(const struct xcase *x)
{
    const struct cp_manifest_cert *leaf = cert_at(x, x->kase->leaf);
    const char *host = x->kase->hostname;
    bool ip = strchr(host, ':') || strspn(host, "0123456789.") == strlen(host);
    char dir[2048], path[2200], q[4400], qs[2200], qh[600];
    snprintf(dir, sizeof(dir), "%s/%s", x->s->dir, x->kase->dir);
    cp_rep_shell_quote(host, qh, sizeof(qh));
    cp_rep_shell_quote(x->s->dir, qs, sizeof(qs));
    fputs("\nreproduce by hand\n  # OpenSSL's verifier as libssl's TLS client calls it on Debian "
          "(serverAuth, hostname, security level 2)\n",
          x->out);
    fprintf(x->out, "  openssl verify -purpose sslserver %s %s -attime %.0f -auth_level 2 \\\n",
            ip ? "-verify_ip" : "-verify_hostname", qh,
            (double)cp_manifest_case_time(&x->s->man, x->kase));
    snprintf(path, sizeof(path), "%s/roots.pem", dir);
    fprintf(x->out, "    -CAfile %s \\\n", cp_rep_shell_quote(path, q, sizeof(q)));
    snprintf(path, sizeof(path), "%s/chain.pem", dir);
    fprintf(x->out, "    -untrusted %s \\\n", cp_rep_shell_quote(path, q, sizeof(q)));
    snprintf(path, sizeof(path), "%s/%s", x->s->dir, leaf->file);
    fprintf(x->out, "    %s\n", cp_rep_shell_quote(path, q, sizeof(q)));
    fputs("  # over TLS: the built-in server sends chain.pem to whoever asks for the hostname "
          "(SNI);\n  # curl checks with the current clock, so this holds while the suite is "
          "fresh\n",
          x->out);
    fprintf(x->out, "  certpath serve --suite %s --port 8443 &\n", qs);
    snprintf(path, sizeof(path), "%s/roots.pem", dir);
    fprintf(x->out, "  curl --cacert %s --resolve %s:8443:127.0.0.1 https://%s:8443/\n",
            cp_rep_shell_quote(path, q, sizeof(q)), host, host);
    fprintf(x->out,
            "  # the case against a stack, through the harness\n  certpath run --stack "
            "openssl --suite %s --no-regenerate --filter %s\n",
            qs, cp_rep_shell_quote(x->kase->id, q, sizeof(q)));
}

/* Ids that begin like want, trying shorter beginnings (up to a '/') until some match. */
static int unknown_case(const struct cp_rep_suite *s, const char *want)
{
    char prefix[256], list[768] = "";
    size_t len = strlen(want) < sizeof(prefix) - 1 ? strlen(want) : sizeof(prefix) - 1;
    int found = 0, total = 0;
    memcpy(prefix, want, len);
    prefix[len] = '\0';
    while (len > 0) {
        for (int i = 0; i < s->man.ncases; i++) {
            const char *id = s->man.cases[i].id;
            if (strncmp(id, prefix, len) != 0)
                continue;
            if (found < X_SUGGEST && strlen(list) + strlen(id) + 8 < sizeof(list)) {
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "\n  %s", id);
                found++;
            }
            total++;
        }
        if (total)
            break;
        while (len > 0 && prefix[len - 1] != '/')
            len--;
        if (len > 0)
            prefix[--len] = '\0'; /* drop the slash: the parent's ids next */
    }
    return cp_error_set(CP_E_NOTFOUND, "no case \"%.200s\" in %s/manifest.json%s%s%s", want, s->dir,
                        total ? "; cases that begin alike:" : "", list,
                        total > found ? "\n  ..." : "");
}

/* A case directory (suite/cases/<id>/) names its case too. */
static const char *case_id_of(const char *arg, char *buf, size_t cap)
{
    const char *p = strstr(arg, "cases/");
    snprintf(buf, cap, "%s", p && (p == arg || p[-1] == '/') ? p + strlen("cases/") : arg);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '/')
        buf[--n] = '\0';
    return buf;
}

int cp_explain(const struct cp_explain_opts *o)
{
    struct cp_rep_suite s;
    struct xcase *x = calloc(1, sizeof(*x));
    const char *dir = o->suite_dir ? o->suite_dir : "suite";
    char idbuf[512];
    int rc = cp_rep_suite_load(&s, dir);
    if (rc == CP_E_NOTFOUND)
        rc = cp_error_set(rc,
                          "no suite at %s (no %s/manifest.json): `certpath generate -o %s` "
                          "makes one, or give --suite DIR",
                          dir, dir, dir);
    if (rc)
        goto out;
    if (!x) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory");
        goto out;
    }
    x->s = &s;
    x->out = o->out;
    const char *id = case_id_of(o->case_id, idbuf, sizeof(idbuf));
    if (!(x->kase = cp_rep_suite_case(&s, id)) && !(x->kase = cp_rep_suite_case(&s, o->case_id))) {
        rc = unknown_case(&s, o->case_id);
        goto out;
    }
    if ((rc = load_graph(x)))
        goto out;
    put_header(x);
    put_graph(x);
    put_lists(x);
    put_expectations(x);
    put_reproduce(x);
    rc = cp_rep_check_stream(o->out, "the explanation");
out:
    free(x);
    cp_rep_suite_free(&s);
    return rc;
}
