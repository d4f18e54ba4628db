/*
 * export.c - a certpath suite as a limbo.json (cp_limbo.h), written as a stream: one
 * testcase's JSON at a time, into a temporary file renamed into place when complete.
 *
 * A case whose profiles agree is one testcase, "certpath::all::<id>"; a case whose profiles
 * disagree is one testcase per profile, "certpath::<profile>::<id>", each naming the others in
 * conflicts_with. The peer certificate is the first one sent (what a TLS server sends first),
 * the untrusted intermediates the rest in the case's order, the trusted certificates the
 * anchors; the expected peer name is the case's hostname (DNS), the time the case's own;
 * extended_key_usage is [serverAuth] for the cases that test EKU and empty otherwise. A
 * case the suite itself skips (an imported one certpath cannot express) is left out: its limbo
 * constraints are not in the suite to write back.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_manifest.h"
#include "limbo_internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A limbo id: "certpath::" + profile + "::" + up to 255 id characters, each component grown
 * by at most two. */
#define LIMBO_OUT_ID_MAX 1024
/* A certificate file of a suite (PEM of at most a few KiB; 1 MiB refuses a wrong file). */
#define LIMBO_PEM_MAX (1u << 20)

/* certpath features that are limbo features by the same name. */
static const char *const same_name[] = {"denial-of-service", "max-chain-depth"};

static void append_component(char *buf, size_t cap, size_t *n, const char *p, size_t len)
{
    size_t start;
    if (*n + 2 >= cap)
        return;
    memcpy(buf + *n, "::", 2);
    *n += 2;
    start = *n;
    if (!isalpha((unsigned char)*p) && *n + 1 < cap)
        buf[(*n)++] = 'n';
    for (size_t i = 0; i < len && *n + 1 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        buf[(*n)++] = isalnum(c) || c == '-' || c == '.' ? (char)c : '-';
    }
    if (*n - start < 2 && *n + 1 < cap)
        buf[(*n)++] = '-';
    buf[*n] = '\0';
}

void cp_limbo_id(const char *profile, const char *id, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "certpath");
    append_component(buf, cap, &n, profile, strlen(profile));
    /* Components end at "/" (certpath's ids) or "::" (an imported suite's limbo ids). */
    for (const char *p = id; *p;) {
        size_t len = strcspn(p, "/");
        const char *colons = strstr(p, "::");
        if (colons && (size_t)(colons - p) < len)
            len = (size_t)(colons - p);
        if (len)
            append_component(buf, cap, &n, p, len);
        p += len;
        p += *p == '/' ? 1 : strncmp(p, "::", 2) == 0 ? 2 : 0;
    }
}

struct exp {
    const struct cp_limbo_export_opts *o;
    struct cp_manifest m;
    FILE *f;
    char tmp[PATH_MAX];
    bool first;
    struct cp_limbo_set ids;
};

static int nomem(const struct exp *e)
{
    return cp_error_set(CP_E_NOMEM, "out of memory writing %s", e->o->out);
}

static int cert_pem(const struct exp *e, int i, char **out)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", e->o->suite_dir, e->m.certs[i].file) >=
        (int)sizeof(path))
        return cp_error_set(CP_E_LIMIT, "path %s/%s is too long", e->o->suite_dir,
                            e->m.certs[i].file);
    return cp_fs_read(path, LIMBO_PEM_MAX, out, NULL);
}

static int add_pems(const struct exp *e, cJSON *a, const int *certs, int n)
{
    for (int i = 0; i < n; i++) {
        char *pem = NULL;
        int rc = cert_pem(e, certs[i], &pem);
        if (rc)
            return rc;
        cJSON *s = cJSON_CreateString(pem);
        free(pem);
        if (!s || !cJSON_AddItemToArray(a, s))
            return nomem(e);
    }
    return 0;
}

static void time_text(int64_t t, char *buf, size_t cap)
{
    char z[32];
    cp_manifest_time_format(t, z, sizeof(z));
    snprintf(buf, cap, "%.19s+00:00", z); /* limbo writes UTC as +00:00 */
}

static int features_json(const struct exp *e, const struct cp_manifest_case *c, cJSON *a)
{
    for (int b = 0; b < e->m.nfeatures && b < 64; b++) {
        if (!(c->features & (UINT64_C(1) << b)))
            continue;
        const char *name = e->m.features[b], *out = NULL;
        if (strncmp(name, "limbo:", 6) == 0)
            out = name + 6;
        for (size_t k = 0; k < CP_ARRAY_LEN(same_name); k++)
            if (strcmp(name, same_name[k]) == 0)
                out = name;
        if (out && !cJSON_AddItemToArray(a, cJSON_CreateString(out)))
            return nomem(e);
    }
    return 0;
}

/* Whether the case tests EKU (certpath's leaf-eku, eku-on-ca): its testcase asks for
 * [serverAuth], which the importer turns back into the purpose check a row must have. */
static bool needs_purpose(const struct cp_manifest *m, const struct cp_manifest_case *c)
{
    const char *names[] = {"leaf-eku", "eku-on-ca"};
    for (size_t k = 0; k < CP_ARRAY_LEN(names); k++) {
        int b = cp_manifest_name_index(m->features, m->nfeatures, names[k]);
        if (b >= 0 && (c->features & (UINT64_C(1) << b)))
            return true;
    }
    return false;
}

/* One testcase for case c under profile p (-1: every profile agrees). */
static int write_testcase(struct exp *e, const struct cp_manifest_case *c, int p,
                          const char *suffix)
{
    char id[LIMBO_OUT_ID_MAX + 32], other[LIMBO_OUT_ID_MAX + 32], t[40], *key = NULL,
                                                                         path[PATH_MAX];
    cJSON *o = cJSON_CreateObject(), *a;
    char *text = NULL;
    int rc = CP_E_NOMEM;
    if (!o)
        return nomem(e);
    cp_limbo_id(p < 0 ? "all" : e->m.profiles[p], c->id, id, LIMBO_OUT_ID_MAX);
    strncat(id, suffix, sizeof(id) - strlen(id) - 1);
    if (cp_limbo_set_get(&e->ids, id) >= 0) {
        rc = cp_error_set(CP_E_FORMAT, "%s: case %s: its limbo id %s is another case's too",
                          e->o->suite_dir, c->id, id);
        goto out;
    }
    if ((rc = cp_limbo_set_put(&e->ids, id, 0)))
        goto out;
    rc = CP_E_NOMEM;
    if (!cJSON_AddStringToObject(o, "id", id) || !(a = cJSON_AddArrayToObject(o, "conflicts_with")))
        goto nomem;
    for (int q = 0; p >= 0 && q < e->m.nprofiles; q++) {
        if (q == p)
            continue;
        cp_limbo_id(e->m.profiles[q], c->id, other, LIMBO_OUT_ID_MAX);
        strncat(other, suffix, sizeof(other) - strlen(other) - 1);
        if (!cJSON_AddItemToArray(a, cJSON_CreateString(other)))
            goto nomem;
    }
    if (!(a = cJSON_AddArrayToObject(o, "features")) || (rc = features_json(e, c, a)))
        goto fail;
    rc = CP_E_NOMEM;
    if (!cJSON_AddStringToObject(o, "importance", "undetermined") ||
        !cJSON_AddStringToObject(o, "description", c->description) ||
        !cJSON_AddStringToObject(o, "validation_kind", "SERVER") ||
        !(a = cJSON_AddArrayToObject(o, "trusted_certs")))
        goto nomem;
    if ((rc = add_pems(e, a, c->anchors, c->nanchors)))
        goto fail;
    if (!(a = cJSON_AddArrayToObject(o, "untrusted_intermediates")))
        goto nomem;
    if ((rc = add_pems(e, a, c->sent + 1, c->nsent - 1)))
        goto fail;
    if ((rc = cert_pem(e, c->sent[0], &text)))
        goto fail;
    if (!cJSON_AddStringToObject(o, "peer_certificate", text))
        goto nomem;
    snprintf(path, sizeof(path), "%s/%s/leaf.key", e->o->suite_dir, c->dir);
    if (access(path, F_OK) == 0 && (rc = cp_fs_read(path, LIMBO_PEM_MAX, &key, NULL)))
        goto fail;
    time_text(cp_manifest_case_time(&e->m, c), t, sizeof(t));
    bool accept = c->expect[p < 0 ? 0 : p].accept;
    if (!(key ? cJSON_AddStringToObject(o, "peer_certificate_key", key)
              : cJSON_AddNullToObject(o, "peer_certificate_key")) ||
        !cJSON_AddStringToObject(o, "validation_time", t) ||
        !cJSON_AddArrayToObject(o, "signature_algorithms") ||
        !cJSON_AddArrayToObject(o, "key_usage") ||
        !(a = cJSON_AddArrayToObject(o, "extended_key_usage")) ||
        (needs_purpose(&e->m, c) && !cJSON_AddItemToArray(a, cJSON_CreateString("serverAuth"))) ||
        !cJSON_AddStringToObject(o, "expected_result", accept ? "SUCCESS" : "FAILURE"))
        goto nomem;
    if (c->hostname[0]) {
        cJSON *pn = cJSON_AddObjectToObject(o, "expected_peer_name");
        if (!pn || !cJSON_AddStringToObject(pn, "kind", "DNS") ||
            !cJSON_AddStringToObject(pn, "value", c->hostname))
            goto nomem;
    } else if (!cJSON_AddNullToObject(o, "expected_peer_name")) {
        goto nomem;
    }
    if (!cJSON_AddArrayToObject(o, "expected_peer_names") ||
        !cJSON_AddNullToObject(o, "max_chain_depth") || !cJSON_AddArrayToObject(o, "crls"))
        goto nomem;
    free(text);
    if (!(text = cJSON_PrintUnformatted(o)))
        goto nomem;
    if (fprintf(e->f, "%s\n    %s", e->first ? "" : ",", text) < 0) {
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", e->tmp, strerror(errno));
        goto fail;
    }
    e->first = false;
    rc = 0;
    goto out;
nomem:
    rc = nomem(e);
fail:
out:
    cJSON_free(text);
    free(key);
    cJSON_Delete(o);
    return rc;
}

int cp_limbo_export(const struct cp_limbo_export_opts *o, struct cp_limbo_export_stats *st)
{
    struct exp e = {.o = o, .first = true};
    int rc, copies = o->copies > 1 ? o->copies : 1;
    memset(st, 0, sizeof(*st));
    if ((rc = cp_manifest_load(o->suite_dir, &e.m)))
        return rc;
    if (snprintf(e.tmp, sizeof(e.tmp), "%s.tmp.%ld", o->out, (long)getpid()) >=
        (int)sizeof(e.tmp)) {
        rc = cp_error_set(CP_E_LIMIT, "path %s is too long", o->out);
        goto out;
    }
    if (!(e.f = fopen(e.tmp, "w"))) {
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", e.tmp, strerror(errno));
        goto out;
    }
    fputs("{\n  \"version\": 1,\n  \"testcases\": [", e.f);
    for (int k = 0; k < copies && !rc; k++) {
        char suffix[24] = "";
        if (k)
            snprintf(suffix, sizeof(suffix), "-copy%d", k + 1);
        for (int i = 0; i < e.m.ncases && !rc; i++) {
            const struct cp_manifest_case *c = &e.m.cases[i];
            bool agree = true;
            if (c->skip)
                continue;
            for (int p = 1; p < e.m.nprofiles; p++)
                agree = agree && c->expect[p].accept == c->expect[0].accept;
            if (agree) {
                rc = write_testcase(&e, c, -1, suffix);
                st->testcases++;
            } else {
                for (int p = 0; p < e.m.nprofiles && !rc; p++, st->testcases++)
                    rc = write_testcase(&e, c, p, suffix);
                st->split++;
            }
            st->cases++;
        }
    }
    if (rc)
        goto out;
    fputs("\n  ]\n}\n", e.f);
    if (fflush(e.f) || ferror(e.f) || fsync(fileno(e.f))) {
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", e.tmp, strerror(errno));
        goto out;
    }
    fclose(e.f);
    e.f = NULL;
    if (rename(e.tmp, o->out) != 0)
        rc = cp_error_set(CP_E_IO, "cannot rename %s to %s: %s", e.tmp, o->out, strerror(errno));
out:
    if (e.f)
        fclose(e.f);
    if (rc)
        unlink(e.tmp);
    cp_limbo_set_free(&e.ids);
    cp_manifest_free(&e.m);
    return rc;
}
