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

#include <cjson/cJSON.h>
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
    const cJSON *kase;
    const cJSON *cert[X_MAX_CERTS]; /* the graph's certificates, by their number */
    int ncerts;
    const char *ent[X_MAX_CERTS * 2]; /* entity names */
    int nent;
    bool expanded[X_MAX_CERTS * 2], on_branch[X_MAX_CERTS * 2];
    FILE *out;
};

static const char *str(const cJSON *o, const char *key)
{
    return cp_rep_json_str(o, key);
}

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

static bool listed(const cJSON *list, const char *id)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, list)
    {
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            return true;
    }
    return false;
}

/* "#3" for a certificate of the case's graph (ids are "<graph tag>/<n>"). */
static const char *short_id(const char *id)
{
    const char *slash = strrchr(id, '/');
    return slash ? slash + 1 : id;
}

static bool is_anchor_entity(const struct xcase *x, const char *name)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(x->kase, "anchors"))
    {
        const cJSON *c = cJSON_IsString(a) ? cp_rep_suite_cert(x->s, a->valuestring) : NULL;
        if (c && strcmp(str(c, "subject"), name) == 0)
            return true;
    }
    return false;
}

/* Where a certificate is sent: " sent 2" or " sent 2,5" (a duplicate), or "" when it is not. */
static void put_sent(const struct xcase *x, const char *id)
{
    const cJSON *v;
    int pos = 0, n = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(x->kase, "sent"))
    {
        pos++;
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            fprintf(x->out, "%s%d", n++ ? "," : "  sent ", pos);
    }
    if (!n)
        fputs("  not sent", x->out);
}

static void put_cert_line(const struct xcase *x, const cJSON *c)
{
    const char *defects = str(c, "defects");
    fprintf(x->out, "#%s %s -> %s", short_id(str(c, "id")), str(c, "issuer"), str(c, "subject"));
    put_sent(x, str(c, "id"));
    if (*defects)
        fprintf(x->out, "  [%s]", defects);
}

static bool self_signed(const cJSON *c)
{
    return strcmp(str(c, "issuer"), str(c, "subject")) == 0;
}

/* The certificates under entity e (its issuers' edges), each followed by its issuer. */
static void draw(struct xcase *x, int e, char *prefix, size_t plen, int depth)
{
    int kids[X_MAX_CERTS], n = 0;
    for (int i = 0; i < x->ncerts; i++) {
        if (!self_signed(x->cert[i]) && strcmp(str(x->cert[i], "subject"), x->ent[e]) == 0)
            kids[n++] = i;
    }
    x->expanded[e] = x->on_branch[e] = true;
    for (int k = 0; k < n; k++) {
        const cJSON *c = x->cert[kids[k]];
        const char *issuer = str(c, "issuer");
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
                issued =
                    !self_signed(x->cert[i]) && strcmp(str(x->cert[i], "subject"), issuer) == 0;
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
    const char *leaf = str(x->kase, "leaf"), *slash = strrchr(leaf, '/');
    char id[256];
    if (!slash || slash - leaf > 200)
        return cp_error_set(CP_E_FORMAT, "%s/manifest.json: case %s has no leaf certificate",
                            x->s->dir, str(x->kase, "id"));
    for (int i = 0; i < X_MAX_CERTS; i++) {
        snprintf(id, sizeof(id), "%.*s/%d", (int)(slash - leaf), leaf, i);
        if (!(x->cert[i] = cp_rep_suite_cert(x->s, id)))
            break;
        x->ncerts++;
        if (entity(x, str(x->cert[i], "issuer")) < 0 || entity(x, str(x->cert[i], "subject")) < 0)
            return cp_error_set(CP_E_LIMIT, "case %s: too many entities", str(x->kase, "id"));
    }
    return 0;
}

static void put_header(const struct xcase *x)
{
    const cJSON *f;
    int n = 0;
    fprintf(x->out, "case %s\n  %s\n  family     %s; features:", str(x->kase, "id"),
            str(x->kase, "description"), str(x->kase, "family"));
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(x->kase, "features"))
    {
        fprintf(x->out, "%s %s", n++ ? "," : "", cJSON_IsString(f) ? f->valuestring : "?");
    }
    fprintf(x->out,
            "%s\n  hostname   %s\n  time       %s (%.0f)\n  files      %s/%s/"
            "{chain.pem,roots.pem,leaf.key}\n",
            n ? "" : " none", str(x->kase, "hostname"), str(x->s->root, "validation_time"),
            x->s->vtime, x->s->dir, str(x->kase, "dir"));
}

static void put_graph(struct xcase *x)
{
    const cJSON *leaf = cp_rep_suite_cert(x->s, str(x->kase, "leaf"));
    char prefix[4 * X_MAX_DEPTH * 4 + 16] = "";
    fprintf(x->out,
            "\ngraph %s: %d entities, %d certificates (issuer -> subject, read up "
            "from the leaf)\n",
            str(x->kase, "graph"), x->nent, x->ncerts);
    if (!leaf)
        return;
    fprintf(x->out, "  %s (the leaf)\n", str(leaf, "subject"));
    draw(x, entity(x, str(leaf, "subject")), prefix, 0, 0);
    for (int i = 0; i < x->ncerts; i++) {
        if (!self_signed(x->cert[i]))
            continue;
        fputs("  self-signed: ", x->out);
        put_cert_line(x, x->cert[i]);
        fputs(listed(cJSON_GetObjectItemCaseSensitive(x->kase, "anchors"), str(x->cert[i], "id"))
                  ? "  ANCHOR (in roots.pem)\n"
                  : "\n",
              x->out);
    }
}

static void put_ids(const struct xcase *x, const cJSON *list, bool labels)
{
    const cJSON *v;
    int n = 0;
    cJSON_ArrayForEach(v, list)
    {
        const char *id = cJSON_IsString(v) ? v->valuestring : "?";
        const cJSON *c = cp_rep_suite_cert(x->s, id);
        fprintf(x->out, "%s#%s", n++ ? (labels ? "\n    " : " -> ") : "", short_id(id));
        if (labels)
            fprintf(x->out, " %s", c ? str(c, "label") : "(not in the manifest)");
    }
}

/* Whether id is on some valid path under some profile; *any says whether there is a path. */
static bool on_a_path(const struct xcase *x, const char *id, bool *any)
{
    const cJSON *e, *p;
    bool on = false;
    *any = false;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(x->kase, "expect"))
    {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(e, "paths"))
        {
            *any = true;
            on |= listed(p, id);
        }
    }
    return on;
}

static void put_lists(const struct xcase *x)
{
    const cJSON *sent = cJSON_GetObjectItemCaseSensitive(x->kase, "sent"), *v;
    int pos = 0;
    fputs("\nanchors (roots.pem)\n    ", x->out);
    put_ids(x, cJSON_GetObjectItemCaseSensitive(x->kase, "anchors"), true);
    fprintf(x->out, "\nsent (chain.pem, in this order, %d certificates)\n",
            cJSON_GetArraySize(sent));
    cJSON_ArrayForEach(v, sent)
    {
        const char *id = cJSON_IsString(v) ? v->valuestring : "?";
        const cJSON *c = cp_rep_suite_cert(x->s, id), *w;
        int first = 0, k = 0;
        pos++;
        cJSON_ArrayForEach(w, sent)
        {
            k++;
            if (!first && cJSON_IsString(w) && strcmp(w->valuestring, id) == 0)
                first = k;
        }
        fprintf(x->out, "  %2d. #%s %s", pos, short_id(id), c ? str(c, "label") : "?");
        bool any, on = on_a_path(x, id, &any);
        if (first < pos)
            fprintf(x->out, "  (duplicate of %d.)", first);
        else if (c && self_signed(c))
            fputs("  (self-signed)", x->out);
        if (any && !on && first == pos)
            fputs("  (on no valid path)", x->out);
        fputc('\n', x->out);
    }
}

static void put_expect(const struct xcase *x, const char *profile, const cJSON *e)
{
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(e, "paths"), *p;
    const cJSON *rej = cJSON_GetObjectItemCaseSensitive(e, "rejected"), *np, *nr;
    np = cJSON_GetObjectItemCaseSensitive(e, "npaths");
    nr = cJSON_GetObjectItemCaseSensitive(e, "nrejected");
    fprintf(x->out, "  %-8s %s", profile, str(e, "outcome"));
    if (cJSON_GetArraySize(paths))
        fprintf(x->out, ": %.0f valid path%s, leaf to anchor", cJSON_GetNumberValue(np),
                cJSON_GetNumberValue(np) == 1 ? "" : "s");
    fputc('\n', x->out);
    cJSON_ArrayForEach(p, paths)
    {
        fputs("      ", x->out);
        put_ids(x, p, false);
        fputc('\n', x->out);
    }
    if (cJSON_GetArraySize(paths) < cJSON_GetNumberValue(np))
        fprintf(x->out, "      ... and %.0f more\n",
                cJSON_GetNumberValue(np) - cJSON_GetArraySize(paths));
    if (!cJSON_GetArraySize(rej))
        return;
    fprintf(x->out, "    ruled out (%.0f candidate%s):\n", cJSON_GetNumberValue(nr),
            cJSON_GetNumberValue(nr) == 1 ? "" : "s");
    cJSON_ArrayForEach(p, rej)
    {
        const char *at = str(p, "at");
        fputs("      ", x->out);
        put_ids(x, cJSON_GetObjectItemCaseSensitive(p, "path"), false);
        fprintf(x->out, ": %s", str(p, "reason"));
        if (*at)
            fprintf(x->out, " at #%s", short_id(at));
        fputc('\n', x->out);
    }
}

static void put_expectations(const struct xcase *x)
{
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(x->kase, "expect"), *e;
    fputs("\nexpected (the oracle)\n", x->out);
    cJSON_ArrayForEach(e, ex)
    {
        put_expect(x, e->string ? e->string : "?", e);
    }
}

static void put_reproduce(const struct xcase *x)
{
    const cJSON *leaf = cp_rep_suite_cert(x->s, str(x->kase, "leaf"));
    const char *host = str(x->kase, "hostname");
    bool ip = strchr(host, ':') || strspn(host, "0123456789.") == strlen(host);
    char dir[2048], path[2200], q[4400], qs[2200], qh[600];
    snprintf(dir, sizeof(dir), "%s/%s", x->s->dir, str(x->kase, "dir"));
    cp_rep_shell_quote(host, qh, sizeof(qh));
    cp_rep_shell_quote(x->s->dir, qs, sizeof(qs));
    fputs("\nreproduce by hand\n  # OpenSSL's verifier as libssl's TLS client calls it on Debian "
          "(serverAuth, hostname, security level 2)\n",
          x->out);
    fprintf(x->out, "  openssl verify -purpose sslserver %s %s -attime %.0f -auth_level 2 \\\n",
            ip ? "-verify_ip" : "-verify_hostname", qh, x->s->vtime);
    snprintf(path, sizeof(path), "%s/roots.pem", dir);
    fprintf(x->out, "    -CAfile %s \\\n", cp_rep_shell_quote(path, q, sizeof(q)));
    snprintf(path, sizeof(path), "%s/chain.pem", dir);
    fprintf(x->out, "    -untrusted %s \\\n", cp_rep_shell_quote(path, q, sizeof(q)));
    snprintf(path, sizeof(path), "%s/%s", x->s->dir, leaf ? str(leaf, "file") : "");
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
            qs, cp_rep_shell_quote(str(x->kase, "id"), q, sizeof(q)));
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
        for (int i = 0; i < s->ncases; i++) {
            const char *id = str(s->cases[i], "id");
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
