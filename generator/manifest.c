/*
 * manifest.c - suite/manifest.json: every certificate once, every case with its expectations.
 *
 * Certificates are referred to by id "<graph tag>/<index>" everywhere in the manifest; each has
 * its file, label and SHA-256. The format is documented in docs/suite-format.md.
 */
#include "cp_fs.h"
#include "cp_suite_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 under both mbedTLS 2.28 (mbedtls_sha256_ret) and 3.x (mbedtls_sha256). */
static void cp_sha256(const unsigned char *in, size_t len, unsigned char out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256(in, len, out, 0);
#else
    mbedtls_sha256_ret(in, len, out, 0);
#endif
}

/* cJSON reports allocation failure by returning NULL from any constructor; building the whole
 * document and checking once at the end would lose which part failed, so each helper checks. */
#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            goto nomem;                                                                            \
    } while (0)

static cJSON *cert_ref(const struct cp_graph *g, int cert)
{
    char id[48];
    snprintf(id, sizeof(id), "%s/%d", g->tag, cert);
    return cJSON_CreateString(id);
}

static cJSON *path_json(const struct cp_graph *g, const struct cp_path *p)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < p->len; i++) {
        if (!cJSON_AddItemToArray(a, cert_ref(g, p->certs[i])))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *reasons_json(uint64_t reasons)
{
    cJSON *a = cJSON_CreateArray();
    for (int r = 1; a && r < CP_REASON_COUNT; r++) {
        if ((reasons & (UINT64_C(1) << r)) &&
            !cJSON_AddItemToArray(a, cJSON_CreateString(cp_reason_name((enum cp_reason)r))))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *expect_json(const struct cp_graph *g, const struct cp_expect *e)
{
    cJSON *o = cJSON_CreateObject(), *paths = NULL, *rej = NULL;
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "outcome",
                                  e->outcome == CP_OUTCOME_ACCEPT ? "accept" : "reject"));
    CHECK(paths = cJSON_AddArrayToObject(o, "paths"));
    for (int i = 0; i < e->npaths; i++)
        CHECK(cJSON_AddItemToArray(paths, path_json(g, &e->paths[i])));
    CHECK(cJSON_AddNumberToObject(o, "npaths", (double)e->paths_all));
    CHECK(cJSON_AddItemToObject(o, "reasons", reasons_json(e->reasons)));
    CHECK(rej = cJSON_AddArrayToObject(o, "rejected"));
    for (int i = 0; i < e->nrejected; i++) {
        cJSON *r = cJSON_CreateObject();
        CHECK(r && cJSON_AddItemToArray(rej, r));
        CHECK(cJSON_AddItemToObject(r, "path", path_json(g, &e->rejected[i].path)));
        CHECK(cJSON_AddStringToObject(r, "reason", cp_reason_name(e->rejected[i].reason)));
        CHECK(cJSON_AddItemToObject(r, "at", cert_ref(g, e->rejected[i].at)));
    }
    CHECK(cJSON_AddNumberToObject(o, "nrejected", (double)e->rejected_all));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *features_json(uint64_t features)
{
    cJSON *a = cJSON_CreateArray();
    for (int b = 0; a && b < CP_FEATURE_COUNT; b++) {
        if ((features & (UINT64_C(1) << b)) &&
            !cJSON_AddItemToArray(a, cJSON_CreateString(cp_feature_name(b))))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *case_json(const struct cp_model *m, const struct cp_case *c)
{
    const struct cp_graph *g = &m->graphs[c->graph];
    cJSON *o = cJSON_CreateObject(), *a, *ex;
    char dir[CP_ID_MAX + 8];
    CHECK(o);
    snprintf(dir, sizeof(dir), "cases/%s", c->id);
    CHECK(cJSON_AddStringToObject(o, "id", c->id));
    CHECK(cJSON_AddStringToObject(o, "family", c->family));
    CHECK(cJSON_AddStringToObject(o, "description", c->description));
    CHECK(cJSON_AddStringToObject(o, "graph", g->name));
    CHECK(cJSON_AddStringToObject(o, "hostname", c->hostname));
    CHECK(cJSON_AddItemToObject(o, "features", features_json(c->features)));
    CHECK(cJSON_AddBoolToObject(o, "probe", c->probe));
    CHECK(cJSON_AddStringToObject(o, "dir", dir));
    CHECK(cJSON_AddItemToObject(o, "leaf", cert_ref(g, c->leaf)));
    CHECK(a = cJSON_AddArrayToObject(o, "sent"));
    for (int i = 0; i < c->nsent; i++)
        CHECK(cJSON_AddItemToArray(a, cert_ref(g, c->sent[i])));
    CHECK(a = cJSON_AddArrayToObject(o, "anchors"));
    for (int i = 0; i < c->nanchors; i++)
        CHECK(cJSON_AddItemToArray(a, cert_ref(g, cp_graph_self_signed(g, c->anchors[i]))));
    CHECK(ex = cJSON_AddObjectToObject(o, "expect"));
    for (int p = 0; p < CP_PROFILE_COUNT; p++)
        CHECK(cJSON_AddItemToObject(ex, cp_profile_name((enum cp_profile)p),
                                    expect_json(g, &c->expect[p])));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static cJSON *cert_json(const struct cp_graph *g, int i, const struct cp_minted *mt)
{
    const struct cp_cert *c = &g->certs[i];
    cJSON *o = cJSON_CreateObject();
    char file[64], digest_hex[65], defects[256];
    unsigned char digest[32];
    CHECK(o);
    cp_cert_describe_defects(g, c, defects, sizeof(defects));
    snprintf(file, sizeof(file), "certs/%s/%d.pem", g->tag, i);
    cp_sha256(mt->der[i], mt->len[i], digest);
    hex(digest, sizeof(digest), digest_hex);
    CHECK(cJSON_AddItemToObject(o, "id", cert_ref(g, i)));
    CHECK(cJSON_AddStringToObject(o, "label", c->label));
    CHECK(cJSON_AddStringToObject(o, "graph", g->name));
    CHECK(cJSON_AddStringToObject(o, "issuer", g->entities[g->entities[c->issuer].name_of].label));
    CHECK(cJSON_AddStringToObject(o, "subject",
                                  g->entities[g->entities[c->subject].name_of].label));
    CHECK(cJSON_AddStringToObject(o, "file", file));
    CHECK(cJSON_AddStringToObject(o, "sha256", digest_hex));
    /* How the certificate differs from its role's default profile ("" when it does not), so
     * reports can mark the bad edges of a graph. */
    CHECK(cJSON_AddStringToObject(o, "defects", defects));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *names_json(const char *(*name)(int), int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) {
        if (!cJSON_AddItemToArray(a, cJSON_CreateString(name(i))))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static const char *profile_at(int i)
{
    return cp_profile_name((enum cp_profile)i);
}

static const char *reason_at(int i)
{
    return cp_reason_name((enum cp_reason)i);
}

static cJSON *header_json(const struct cp_gen_opts *o, const char *suite_id)
{
    cJSON *root = cJSON_CreateObject();
    char t[32], seed[24];
    CHECK(root);
    cp_time_format(o->vtime, t, sizeof(t));
    snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
    CHECK(cJSON_AddStringToObject(root, "format", CP_SUITE_FORMAT));
    CHECK(cJSON_AddNumberToObject(root, "format_version", CP_SUITE_FORMAT_VERSION));
    CHECK(cJSON_AddStringToObject(root, "suite_id", suite_id));
    CHECK(cJSON_AddStringToObject(root, "generator", "certpath " CP_VERSION));
    CHECK(cJSON_AddStringToObject(root, "minted_with", "mbedTLS " MBEDTLS_VERSION_STRING));
    CHECK(cJSON_AddStringToObject(root, "seed", seed));
    CHECK(cJSON_AddStringToObject(root, "validation_time", t));
    CHECK(cJSON_AddNumberToObject(root, "validation_time_unix", (double)o->vtime));
    CHECK(cJSON_AddItemToObject(root, "profiles", names_json(profile_at, CP_PROFILE_COUNT)));
    CHECK(cJSON_AddItemToObject(root, "features", names_json(cp_feature_name, CP_FEATURE_COUNT)));
    CHECK(cJSON_AddItemToObject(root, "reasons", names_json(reason_at, CP_REASON_COUNT)));
    return root;
nomem:
    cJSON_Delete(root);
    return NULL;
}

static int add_certs_and_cases(cJSON *root, const struct cp_model *m,
                               const struct cp_minted *minted)
{
    cJSON *certs, *cases;
    CHECK(certs = cJSON_AddArrayToObject(root, "certs"));
    for (int gi = 0; gi < m->ngraphs; gi++) {
        for (int i = 0; i < m->graphs[gi].ncerts; i++)
            CHECK(cJSON_AddItemToArray(certs, cert_json(&m->graphs[gi], i, &minted[gi])));
    }
    CHECK(cases = cJSON_AddArrayToObject(root, "cases"));
    for (int i = 0; i < m->ncases; i++)
        CHECK(cJSON_AddItemToArray(cases, case_json(m, &m->cases[i])));
    return 0;
nomem:
    return cp_error_set(CP_E_NOMEM, "out of memory building manifest.json");
}

int cp_manifest_write(const struct cp_model *m, const struct cp_gen_opts *o,
                      const struct cp_minted *minted, const char *suite_id, const char *dir)
{
    int rc = CP_E_NOMEM;
    char path[PATH_MAX], *text = NULL;
    cJSON *root = header_json(o, suite_id);
    if (!root) {
        cp_error_set(rc, "out of memory building manifest.json");
        goto out;
    }
    if ((rc = add_certs_and_cases(root, m, minted)))
        goto out;
    if (!(text = cJSON_Print(root))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory printing manifest.json");
        goto out;
    }
    if (snprintf(path, sizeof(path), "%s/manifest.json", dir) >= (int)sizeof(path)) {
        rc = cp_error_set(CP_E_LIMIT, "path %s/manifest.json is too long", dir);
        goto out;
    }
    rc = cp_fs_write(path, text, strlen(text));
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}
