/*
 * import.c - a limbo.json as a certpath suite (cp_limbo.h).
 *
 * The suite starts as the generator's controls (controls/accept, controls/reject: the harness
 * runs them first, so a broken stack is found before any limbo verdict counts), minted at the
 * suite's time into a temporary directory beside the target. Every testcase read from the
 * stream then adds its certificates (each distinct DER once, certs/limbo/<n>.pem) and its case
 * directory; the manifest, written last through the manifest part, lists them all and the
 * directory replaces the target only when complete.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_hash.h"
#include "cp_manifest.h"
#include "cp_pem.h"
#include "limbo_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A worker request holds ids of up to 191 bytes and hostnames of up to 127
 * (harness_internal.h, struct cp_ipc_request). */
#define LIMBO_ID_MAX 191
#define LIMBO_HOST_MAX 127
/* Certificates one testcase may carry, before anything is decoded. */
#define LIMBO_CERTS_MAX (CP_MANIFEST_MAX_SENT + CP_MANIFEST_MAX_ANCHORS)

static const char *const skip_names[] = {
#define N(code, name, why) name,
    CP_LIMBO_SKIPS(N)
#undef N
};
static const char *const skip_reasons[] = {
#define R(code, name, why) why,
    CP_LIMBO_SKIPS(R)
#undef R
};

const char *cp_limbo_skip_name(enum cp_limbo_skip s)
{
    return (unsigned)s < CP_LIMBO_SKIP_COUNT ? skip_names[s] : "?";
}

const char *cp_limbo_skip_reason(enum cp_limbo_skip s)
{
    return (unsigned)s < CP_LIMBO_SKIP_COUNT ? skip_reasons[s] : "?";
}

/* A case's conflicts_with, kept until every id of the file is known. */
struct conflicts {
    char **ids;
    int n;
};

struct imp {
    const struct cp_limbo_import_opts *o;
    struct cp_limbo_import_stats *st;
    char tmp[PATH_MAX];
    struct cp_manifest m; /* being built; certs and cases grow */
    int cert_cap, case_cap, conf_cap;
    struct conflicts *conf;      /* per case */
    struct cp_limbo_set ids;     /* every testcase id of the file: case index, or -2 refused */
    struct cp_limbo_set digests; /* certificate sha256 -> index */
    uint64_t hash;               /* of the file's testcases, for the suite id */
    int first_limbo_case;        /* cases before it are the controls */
};

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256(const unsigned char *in, size_t len, unsigned char out[32])
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256(in, len, out, 0);
#else
    mbedtls_sha256_ret(in, len, out, 0);
#endif
}

/* ---- one testcase ---- */

/* What a testcase says, checked, before anything is written. */
struct tc {
    const char *id;
    bool accept;
    const char *host; /* "" for none */
    bool own_time;
    int64_t vtime;
    int skip; /* -1, or the first enum cp_limbo_skip that applies */
    const char *key;
    char *pem_text[LIMBO_CERTS_MAX]; /* decoded in place: DER below points into these */
    int npem;
    struct cp_pem_cert leaf, sent[CP_MANIFEST_MAX_SENT], roots[CP_MANIFEST_MAX_ANCHORS];
    int nsent, nroots;
    uint64_t features; /* bits of m.features */
    char description[CP_MANIFEST_TEXT_MAX + 1];
};

static void tc_free(struct tc *t)
{
    for (int i = 0; i < t->npem; i++)
        free(t->pem_text[i]);
    t->npem = 0;
}

static int refuse(const char *path, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(const char *path, const char *id, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return cp_error_set(CP_E_FORMAT, "%s: testcase %.200s: %s", path, id, what);
}

static const cJSON *member(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A member that must be null/absent or a list (of strings when strings): its size, or -1
 * for absent/null, or -2 for the wrong type. */
static int opt_list(const cJSON *o, const char *k, bool strings)
{
    const cJSON *v = member(o, k), *it;
    if (!v || cJSON_IsNull(v))
        return -1;
    if (!cJSON_IsArray(v))
        return -2;
    cJSON_ArrayForEach(it, v)
    {
        if (strings && !cJSON_IsString(it))
            return -2;
    }
    return cJSON_GetArraySize(v);
}

static bool limbo_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > LIMBO_ID_MAX || id[0] == '.' || strstr(id, ".."))
        return false;
    for (const char *p = id; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == ':' || c == '_'))
            return false;
    }
    return true;
}

/* One PEM string of the testcase: exactly one certificate, decoded to DER. */
static int take_pem(struct imp *im, struct tc *t, const cJSON *v, const char *field,
                    struct cp_pem_cert *out)
{
    char name[96];
    int n = 0, rc;
    struct cp_pem_cert c[2];
    if (!cJSON_IsString(v))
        return refuse(im->o->in, t->id, "\"%s\" holds a non-string", field);
    if (!(t->pem_text[t->npem] = strdup(v->valuestring)))
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    char *text = t->pem_text[t->npem++];
    snprintf(name, sizeof(name), "\"%s\"", field);
    if ((rc = cp_pem_decode_certs(text, name, c, 2, &n)))
        return refuse(im->o->in, t->id, "PEM does not decode: %s", cp_error_msg(rc));
    if (n != 1)
        return refuse(im->o->in, t->id, "\"%s\" holds %d PEM certificates, not one", field, n);
    *out = c[0];
    return 0;
}

static int take_pems(struct imp *im, struct tc *t, const cJSON *tcj, const char *field,
                     struct cp_pem_cert *out, int max, int *n)
{
    const cJSON *a = member(tcj, field), *it;
    int rc;
    if (!cJSON_IsArray(a))
        return refuse(im->o->in, t->id, "\"%s\" is missing or not a list", field);
    if (cJSON_GetArraySize(a) > max)
        return refuse(im->o->in, t->id, "\"%s\" holds %d certificates; certpath takes %d", field,
                      cJSON_GetArraySize(a), max);
    *n = 0;
    cJSON_ArrayForEach(it, a)
    {
        if ((rc = take_pem(im, t, it, field, &out[(*n)++])))
            return rc;
    }
    return 0;
}

static void set_skip(struct tc *t, enum cp_limbo_skip s)
{
    if (t->skip < 0)
        t->skip = (int)s;
}

/* A limbo feature as the suite's feature "limbo:<name>" (added to the list when new). */
static int feature_bit(struct imp *im, const char *name, int *bit)
{
    char full[CP_MANIFEST_NAME_MAX + 1];
    if (snprintf(full, sizeof(full), "limbo:%s", name) >= (int)sizeof(full))
        return -1;
    *bit = cp_manifest_name_index(im->m.features, im->m.nfeatures, full);
    if (*bit >= 0)
        return 0;
    if (im->m.nfeatures >= CP_MANIFEST_MAX_NAMES)
        return -1;
    char **f = realloc(im->m.features, ((size_t)im->m.nfeatures + 2) * sizeof(*f));
    if (!f)
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    im->m.features = f;
    if (!(f[im->m.nfeatures] = strdup(full)))
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    *bit = im->m.nfeatures++;
    return 0;
}

static void clean_text(char *out, size_t cap, const char *in)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++)
        out[n++] = (unsigned char)*in < 0x20 ? ' ' : *in;
    out[n] = '\0';
}

/* Reads and checks one testcase's fields into t. */
static int read_testcase(struct imp *im, const cJSON *j, struct tc *t)
{
    const char *in = im->o->in;
    const cJSON *v;
    int rc, n;
    t->skip = -1;
    t->host = "";
    v = member(j, "expected_result");
    if (!cJSON_IsString(v) ||
        (strcmp(v->valuestring, "SUCCESS") && strcmp(v->valuestring, "FAILURE")))
        return refuse(in, t->id, "\"expected_result\" is neither \"SUCCESS\" nor \"FAILURE\"");
    t->accept = strcmp(v->valuestring, "SUCCESS") == 0;
    v = member(j, "validation_kind");
    if (!cJSON_IsString(v) ||
        (strcmp(v->valuestring, "SERVER") && strcmp(v->valuestring, "CLIENT")))
        return refuse(in, t->id, "\"validation_kind\" is neither \"SERVER\" nor \"CLIENT\"");
    if (strcmp(v->valuestring, "CLIENT") == 0)
        set_skip(t, CP_LIMBO_SKIP_CLIENT);
    v = member(j, "description");
    if (v && !cJSON_IsString(v))
        return refuse(in, t->id, "\"description\" is not a string");
    clean_text(t->description, sizeof(t->description), v ? v->valuestring : "");
    v = member(j, "importance");
    if (v && !cJSON_IsString(v))
        return refuse(in, t->id, "\"importance\" is not a string");
    /* The certificates. */
    if ((rc = take_pem(im, t, member(j, "peer_certificate"), "peer_certificate", &t->leaf)))
        return rc;
    t->sent[0] = t->leaf;
    if ((rc = take_pems(im, t, j, "untrusted_intermediates", t->sent + 1, CP_MANIFEST_MAX_SENT - 1,
                        &n)))
        return rc;
    t->nsent = n + 1;
    if ((rc = take_pems(im, t, j, "trusted_certs", t->roots, CP_MANIFEST_MAX_ANCHORS, &t->nroots)))
        return rc;
    v = member(j, "peer_certificate_key");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsString(v) || !strstr(v->valuestring, "-----BEGIN ") ||
            !strstr(v->valuestring, "PRIVATE KEY-----"))
            return refuse(in, t->id, "\"peer_certificate_key\" is not a PEM private key");
        t->key = v->valuestring;
    }
    /* The time: null means "now" in limbo, the suite's one time here. */
    v = member(j, "validation_time");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsString(v) || cp_time_parse(v->valuestring, &t->vtime) ||
            t->vtime < CP_MANIFEST_TIME_MIN || t->vtime > CP_MANIFEST_TIME_MAX)
            return refuse(in, t->id, "\"validation_time\" is not an RFC 3339 time in 1970..9999");
        t->own_time = true;
    }
    /* What certpath cannot express: a skip with its reason. */
    if ((n = opt_list(j, "crls", true)) == -2)
        return refuse(in, t->id, "\"crls\" is not a list of strings");
    if (n > 0)
        set_skip(t, CP_LIMBO_SKIP_CRLS);
    v = member(j, "max_chain_depth");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsNumber(v))
            return refuse(in, t->id, "\"max_chain_depth\" is not a number");
        set_skip(t, CP_LIMBO_SKIP_DEPTH);
    }
    if ((n = opt_list(j, "key_usage", true)) == -2)
        return refuse(in, t->id, "\"key_usage\" is not a list of strings");
    if (n > 0)
        set_skip(t, CP_LIMBO_SKIP_KEY_USAGE);
    if ((n = opt_list(j, "signature_algorithms", true)) == -2)
        return refuse(in, t->id, "\"signature_algorithms\" is not a list of strings");
    if (n > 0)
        set_skip(t, CP_LIMBO_SKIP_SIG_ALGS);
    if ((n = opt_list(j, "extended_key_usage", true)) == -2)
        return refuse(in, t->id, "\"extended_key_usage\" is not a list of strings");
    const cJSON *it;
    cJSON_ArrayForEach(it, (n > 0 ? member(j, "extended_key_usage") : NULL))
    {
        if (strcmp(it->valuestring, "serverAuth") != 0)
            set_skip(t, CP_LIMBO_SKIP_EKU);
    }
    /* [serverAuth] asks for the purpose check: certpath's leaf-eku feature, which a row without
     * the purpose capability skips rather than runs without it. */
    int eb = cp_manifest_name_index(im->m.features, im->m.nfeatures, "leaf-eku");
    if (n > 0 && eb >= 0)
        t->features |= UINT64_C(1) << eb;
    if ((n = opt_list(j, "expected_peer_names", false)) == -2)
        return refuse(in, t->id, "\"expected_peer_names\" is not a list");
    if (n > 0)
        set_skip(t, CP_LIMBO_SKIP_PEER_NAMES);
    v = member(j, "expected_peer_name");
    if (v && !cJSON_IsNull(v)) {
        const cJSON *kind = member(v, "kind"), *value = member(v, "value");
        if (!cJSON_IsObject(v) || !cJSON_IsString(kind) || !cJSON_IsString(value) ||
            (strcmp(kind->valuestring, "DNS") && strcmp(kind->valuestring, "IP") &&
             strcmp(kind->valuestring, "RFC822")))
            return refuse(in, t->id,
                          "\"expected_peer_name\" is not {\"kind\": DNS|IP|RFC822, \"value\"}");
        if (strcmp(kind->valuestring, "DNS") != 0)
            set_skip(t, CP_LIMBO_SKIP_PEER_KIND);
        else if (strlen(value->valuestring) > LIMBO_HOST_MAX)
            set_skip(t, CP_LIMBO_SKIP_LONG_NAME);
        else
            t->host = value->valuestring;
        if (strchr(value->valuestring, '\n') || !value->valuestring[0])
            return refuse(in, t->id, "\"expected_peer_name\" has an empty or multi-line value");
    }
    /* Features: limbo's own, kept as "limbo:<name>"; a peer name needs the hostname check. */
    if ((n = opt_list(j, "features", true)) == -2)
        return refuse(in, t->id, "\"features\" is not a list of strings");
    cJSON_ArrayForEach(it, (n > 0 ? member(j, "features") : NULL))
    {
        int bit;
        if ((rc = feature_bit(im, it->valuestring, &bit)) < 0 && rc != -1)
            return rc;
        if (rc == -1)
            return refuse(in, t->id, "feature \"%.64s\" does not fit the suite's %d feature names",
                          it->valuestring, CP_MANIFEST_MAX_NAMES);
        t->features |= UINT64_C(1) << bit;
    }
    int hb = cp_manifest_name_index(im->m.features, im->m.nfeatures, "hostname");
    if (t->host[0] && hb >= 0)
        t->features |= UINT64_C(1) << hb;
    if ((n = opt_list(j, "conflicts_with", true)) == -2)
        return refuse(in, t->id, "\"conflicts_with\" is not a list of ids");
    return 0;
}

/* ---- writing ---- */

static int join(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int join(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT, "a path under the suite is too long");
    return 0;
}

/* PEM of one DER certificate (appended to buf when buf is a file being built). */
static int pem_of(const struct cp_pem_cert *c, char **out, size_t *olen)
{
    size_t cap = c->len * 4 / 3 + c->len / 48 + 128, n = 0;
    if (!(*out = malloc(cap)))
        return cp_error_set(CP_E_NOMEM, "out of memory writing a certificate");
    if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                 c->der, c->len, (unsigned char *)*out, cap, &n)) {
        free(*out);
        *out = NULL;
        return cp_error_set(CP_E_INTERNAL, "cannot write a %zu-byte certificate as PEM", c->len);
    }
    *olen = strlen(*out);
    return 0;
}

static int grow(void **arr, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int ncap = *cap ? *cap * 2 : 256;
    while (ncap < need)
        ncap *= 2;
    void *a = realloc(*arr, ((size_t)ncap + 1) * size);
    if (!a)
        return cp_error_set(CP_E_NOMEM, "out of memory importing limbo testcases");
    memset((char *)a + (size_t)*cap * size, 0, ((size_t)(ncap - *cap) + 1) * size);
    *arr = a;
    *cap = ncap;
    return 0;
}

/* The issuer and subject names as Mbed TLS prints them, for labels and `explain`. A
 * certificate it cannot parse (limbo has malformed ones on purpose) is named so, and the two
 * names differ so that nothing takes it for self-signed. */
static void names_of(const struct cp_pem_cert *c, int i, char *issuer, char *subject, size_t cap)
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse_der(&crt, c->der, c->len) != 0 ||
        mbedtls_x509_dn_gets(issuer, cap, &crt.issuer) < 0 ||
        mbedtls_x509_dn_gets(subject, cap, &crt.subject) < 0) {
        snprintf(issuer, cap, "(issuer of limbo/%d: Mbed TLS cannot parse it)", i);
        snprintf(subject, cap, "(limbo/%d: Mbed TLS cannot parse it)", i);
    }
    mbedtls_x509_crt_free(&crt);
}

/* The certificate's index in the manifest: an earlier one with the same DER, or a new one. */
static int add_cert(struct imp *im, const struct cp_pem_cert *c, int *index)
{
    unsigned char d[32];
    char digest[65], path[PATH_MAX], *pem = NULL;
    size_t len;
    int rc;
    sha256(c->der, c->len, d);
    hex(d, sizeof(d), digest);
    if ((*index = cp_limbo_set_get(&im->digests, digest)) >= 0)
        return 0;
    int i = im->m.ncerts;
    if (i >= CP_MANIFEST_MAX_CERTS)
        return cp_error_set(CP_E_LIMIT, "%s: more than %d distinct certificates", im->o->in,
                            CP_MANIFEST_MAX_CERTS);
    if ((rc = grow((void **)&im->m.certs, &im->cert_cap, i + 1, sizeof(*im->m.certs))))
        return rc;
    struct cp_manifest_cert *mc = &im->m.certs[i];
    char id[32], file[48];
    snprintf(id, sizeof(id), "limbo/%d", i);
    snprintf(file, sizeof(file), "certs/limbo/%d.pem", i);
    if ((rc = join(path, sizeof(path), "%s/%s", im->tmp, file)) || (rc = pem_of(c, &pem, &len)) ||
        (rc = cp_fs_write(path, pem, len)))
        goto out;
    char issuer[512], subject[512];
    names_of(c, i, issuer, subject, sizeof(subject));
    mc->id = strdup(id);
    mc->label = strdup(subject);
    mc->graph = strdup("limbo");
    mc->issuer = strdup(issuer);
    mc->subject = strdup(subject);
    mc->file = strdup(file);
    mc->sha256 = strdup(digest);
    mc->defects = strdup("");
    im->m.ncerts++;
    if (!mc->id || !mc->label || !mc->graph || !mc->issuer || !mc->subject || !mc->file ||
        !mc->sha256 || !mc->defects) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
        goto out;
    }
    if ((rc = cp_limbo_set_put(&im->digests, digest, i)))
        goto out;
    *index = i;
out:
    free(pem);
    return rc;
}

static int write_pems(const char *path, const struct cp_pem_cert *c, int n)
{
    char *all = NULL, *pem = NULL;
    size_t len = 0, plen;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        if ((rc = pem_of(&c[i], &pem, &plen)))
            break;
        char *a = realloc(all, len + plen + 1);
        if (!a) {
            rc = cp_error_set(CP_E_NOMEM, "out of memory writing %s", path);
        } else {
            all = a;
            memcpy(all + len, pem, plen);
            len += plen;
        }
        free(pem);
        pem = NULL;
    }
    if (!rc)
        rc = cp_fs_write(path, all ? all : "", len);
    free(all);
    return rc;
}

static int add_case(struct imp *im, struct tc *t, const cJSON *conflicts)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    int rc, i = im->m.ncases;
    if ((rc = grow((void **)&im->m.cases, &im->case_cap, i + 1, sizeof(*im->m.cases))))
        return rc;
    if ((rc = grow((void **)&im->conf, &im->conf_cap, i + 1, sizeof(*im->conf))))
        return rc;
    struct cp_manifest_case *c = &im->m.cases[i];
    memset(c, 0, sizeof(*c));
    im->m.ncases++;
    c->expect = calloc(2, sizeof(*c->expect));
    c->id = strdup(t->id);
    c->family = strdup("limbo");
    c->description = strdup(t->description);
    c->graph = strdup("limbo");
    c->hostname = strdup(t->host);
    c->sent = calloc((size_t)t->nsent + 1, sizeof(int));
    c->anchors = calloc((size_t)t->nroots + 1, sizeof(int));
    if (t->skip >= 0)
        c->skip = strdup(cp_limbo_skip_reason((enum cp_limbo_skip)t->skip));
    if ((rc = join(dir, sizeof(dir), "cases/%s", t->id)))
        return rc;
    c->dir = strdup(dir);
    if (!c->expect || !c->id || !c->family || !c->description || !c->graph || !c->hostname ||
        !c->sent || !c->anchors || !c->dir || (t->skip >= 0 && !c->skip))
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    c->expect[0].accept = t->accept;
    c->features = t->features;
    c->own_time = t->own_time;
    c->vtime = t->vtime;
    for (; c->nsent < t->nsent; c->nsent++) {
        if ((rc = add_cert(im, &t->sent[c->nsent], &c->sent[c->nsent])))
            return rc;
    }
    c->leaf = c->sent[0];
    for (; c->nanchors < t->nroots; c->nanchors++) {
        if ((rc = add_cert(im, &t->roots[c->nanchors], &c->anchors[c->nanchors])))
            return rc;
    }
    /* conflicts_with, checked once the whole file is read. */
    const cJSON *it;
    struct conflicts *cf = &im->conf[i];
    memset(cf, 0, sizeof(*cf));
    int n = cJSON_IsArray(conflicts) ? cJSON_GetArraySize(conflicts) : 0;
    if (n && !(cf->ids = calloc((size_t)n, sizeof(char *))))
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    cJSON_ArrayForEach(it, (n ? conflicts : NULL))
    {
        if (!(cf->ids[cf->n++] = strdup(it->valuestring)))
            return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    }
    /* The case's files, as the generator writes them. */
    if ((rc = join(path, sizeof(path), "%s/%s", im->tmp, dir)) || (rc = cp_fs_mkdirs(path)) ||
        (rc = join(path, sizeof(path), "%s/%s/chain.pem", im->tmp, dir)) ||
        (rc = write_pems(path, t->sent, t->nsent)) ||
        (rc = join(path, sizeof(path), "%s/%s/roots.pem", im->tmp, dir)) ||
        (rc = write_pems(path, t->roots, t->nroots)))
        return rc;
    if (t->key && ((rc = join(path, sizeof(path), "%s/%s/leaf.key", im->tmp, dir)) ||
                   (rc = cp_fs_write(path, t->key, strlen(t->key)))))
        return rc;
    return 0;
}

static void log_line(const struct imp *im, const char *msg)
{
    if (im->o->log)
        fprintf(im->o->log, "certpath import: refused: %s\n", msg);
}

/* One testcase's JSON text: imported (maybe as a skip), or refused with a logged reason.
 * Returns non-zero only for failures that stop the import (memory, disk). */
static int one_testcase(struct imp *im, const char *text, size_t len, int index)
{
    struct tc *t = calloc(1, sizeof(*t));
    cJSON *j = NULL;
    char num[32];
    int rc = 0;
    if (!t)
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    im->st->testcases++;
    im->hash = cp_fnv1a64_add(im->hash, text, len);
    snprintf(num, sizeof(num), "#%d", index + 1);
    t->id = num;
    if (!(j = cJSON_ParseWithLength(text, len)) || !cJSON_IsObject(j)) {
        rc = refuse(im->o->in, num, "%s", j ? "is not an object" : "is not valid JSON");
        goto refused;
    }
    const cJSON *id = member(j, "id");
    if (!cJSON_IsString(id)) {
        rc = refuse(im->o->in, num, "has no string \"id\"");
        goto refused;
    }
    t->id = id->valuestring;
    if (cp_limbo_set_get(&im->ids, t->id) != -1) {
        rc = refuse(im->o->in, t->id, "duplicate id (the first testcase with it is kept)");
        goto refused_dup;
    }
    if (!limbo_id_ok(t->id)) {
        rc = refuse(im->o->in, t->id,
                    "the id is not 1 to %d of [A-Za-z0-9-._:] (a case directory and a "
                    "worker request hold it)",
                    LIMBO_ID_MAX);
        goto refused;
    }
    if ((rc = read_testcase(im, j, t)))
        goto refused;
    if ((rc = cp_limbo_set_put(&im->ids, t->id, im->m.ncases)) ||
        (rc = add_case(im, t, member(j, "conflicts_with"))))
        goto out; /* memory or disk: the import stops */
    im->st->imported++;
    if (t->skip >= 0) {
        im->st->skipped++;
        im->st->skips[t->skip]++;
    }
    goto out;
refused:
    if (rc == CP_E_NOMEM)
        goto out;
    if (strcmp(t->id, num) != 0 && cp_limbo_set_get(&im->ids, t->id) == -1 &&
        cp_limbo_set_put(&im->ids, t->id, -2)) {
        rc = CP_E_NOMEM;
        goto out;
    }
refused_dup:
    log_line(im, cp_error_msg(rc));
    im->st->refused++;
    rc = 0;
out:
    tc_free(t);
    free(t);
    cJSON_Delete(j);
    return rc;
}

/* conflicts_with must name testcases of the file: a case that names another id is refused
 * (removed, with its directory) now that every id is known. */
static int check_conflicts(struct imp *im)
{
    int w = im->first_limbo_case;
    for (int i = im->first_limbo_case; i < im->m.ncases; i++) {
        struct cp_manifest_case *c = &im->m.cases[i];
        struct conflicts *cf = &im->conf[i];
        const char *missing = NULL;
        for (int k = 0; k < cf->n && !missing; k++) {
            if (cp_limbo_set_get(&im->ids, cf->ids[k]) == -1)
                missing = cf->ids[k];
        }
        if (missing) {
            char path[PATH_MAX], msg[600];
            snprintf(msg, sizeof(msg),
                     "%s: testcase %.200s: conflicts_with names \"%.200s\", which the file does "
                     "not hold",
                     im->o->in, c->id, missing);
            log_line(im, msg);
            im->st->refused++;
            im->st->imported--;
            if (c->skip) {
                im->st->skipped--;
                for (int s = 0; s < CP_LIMBO_SKIP_COUNT; s++)
                    if (strcmp(c->skip, cp_limbo_skip_reason((enum cp_limbo_skip)s)) == 0)
                        im->st->skips[s]--;
            }
            if (!join(path, sizeof(path), "%s/%s", im->tmp, c->dir))
                cp_fs_rmtree(path);
            for (int k = 0; k < cf->n; k++)
                free(cf->ids[k]);
            free(cf->ids);
            cp_manifest_case_free(c, im->m.nprofiles); /* the slot is reused */
            continue;
        }
        im->m.cases[w] = *c;
        im->conf[w] = *cf;
        w++;
    }
    im->m.ncases = w;
    return 0;
}

/* ---- the controls and the suite around them ---- */

static int start_suite(struct imp *im)
{
    struct cp_gen_opts g;
    struct cp_manifest ctl;
    const char *families[] = {"controls"};
    int rc;
    cp_gen_opts_init(&g);
    g.out_dir = im->tmp;
    g.vtime = im->st->vtime;
    g.families = families;
    g.nfamilies = 1;
    g.threads = 1;
    if ((rc = cp_generator_generate(&g, NULL)) || (rc = cp_manifest_load(im->tmp, &ctl)))
        return rc;
    int wp = cp_manifest_name_index(ctl.profiles, ctl.nprofiles, "webpki");
    if (wp < 0)
        wp = 0;
    /* The controls' certificates and cases, their expectation under webpki as limbo's. */
    im->m.seed = ctl.seed;
    im->m.vtime = ctl.vtime;
    im->m.minted_with = ctl.minted_with;
    ctl.minted_with = NULL;
    im->m.features = ctl.features;
    im->m.nfeatures = ctl.nfeatures;
    ctl.features = NULL;
    ctl.nfeatures = 0;
    im->m.reasons = ctl.reasons;
    im->m.nreasons = ctl.nreasons;
    ctl.reasons = NULL;
    ctl.nreasons = 0;
    im->m.certs = ctl.certs;
    im->m.ncerts = im->cert_cap = ctl.ncerts;
    ctl.certs = NULL;
    ctl.ncerts = 0;
    im->m.cases = ctl.cases;
    im->m.ncases = im->case_cap = ctl.ncases;
    for (int i = 0; i < ctl.ncases; i++) {
        struct cp_manifest_expect *e = ctl.cases[i].expect, keep = e[wp];
        for (int p = 0; p < ctl.nprofiles; p++) {
            if (p == wp)
                continue;
            for (int k = 0; k < e[p].npaths; k++)
                free(e[p].paths[k].certs);
            free(e[p].paths);
            for (int k = 0; k < e[p].nrejected; k++)
                free(e[p].rejected[k].path.certs);
            free(e[p].rejected);
        }
        memset(e, 0, sizeof(*e) * (size_t)ctl.nprofiles);
        e[0] = keep;
    }
    ctl.cases = NULL;
    ctl.ncases = 0;
    cp_manifest_free(&ctl);
    im->first_limbo_case = im->m.ncases;
    im->conf_cap = im->case_cap;
    if (!(im->conf = calloc((size_t)im->conf_cap + 1, sizeof(*im->conf))))
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    char **prof = calloc(2, sizeof(*prof));
    if (!prof || !(prof[0] = strdup(CP_LIMBO_PROFILE))) {
        free(prof);
        return cp_error_set(CP_E_NOMEM, "out of memory importing %s", im->o->in);
    }
    im->m.profiles = prof;
    im->m.nprofiles = 1;
    char path[PATH_MAX];
    if ((rc = join(path, sizeof(path), "%s/certs/limbo", im->tmp)) || (rc = cp_fs_mkdirs(path)))
        return rc;
    return 0;
}

/* Replaces out_dir with tmp: out_dir must be absent or a suite (never a home directory). */
static int install(const char *tmp, const char *dir)
{
    char manifest[PATH_MAX];
    struct stat st;
    if (stat(dir, &st) != 0)
        return rename(tmp, dir) == 0
                   ? 0
                   : cp_error_set(CP_E_IO, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
    snprintf(manifest, sizeof(manifest), "%s/" CP_MANIFEST_FILE, dir);
    if (access(manifest, F_OK) != 0)
        return cp_error_set(CP_E_ARG, "refusing to replace %s: it is not a certpath suite", dir);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE))
        return cp_error_set(CP_E_IO, "cannot replace %s: %s", dir, strerror(errno));
    return cp_fs_rmtree(tmp);
}

static int check_target(const char *dir)
{
    char manifest[PATH_MAX];
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    snprintf(manifest, sizeof(manifest), "%s/" CP_MANIFEST_FILE, dir);
    if (!S_ISDIR(st.st_mode) || access(manifest, F_OK) != 0)
        return cp_error_set(CP_E_ARG, "refusing to replace %s: it is not a certpath suite (no %s)",
                            dir, manifest);
    return 0;
}

int cp_limbo_import(const struct cp_limbo_import_opts *o, struct cp_limbo_import_stats *st)
{
    struct imp im = {.o = o, .st = st, .hash = CP_FNV1A64_INIT};
    struct cp_limbo_scan sc;
    enum cp_limbo_item item;
    bool scanning = false;
    int rc;
    memset(st, 0, sizeof(*st));
    cp_manifest_init(&im.m);
    st->vtime = o->vtime > 0 ? o->vtime : cp_time_default();
    if ((rc = check_target(o->out_dir)) || (rc = cp_limbo_scan_open(&sc, o->in)))
        return rc;
    scanning = true;
    if ((rc = join(im.tmp, sizeof(im.tmp), "%s.import.%ld", o->out_dir, (long)getpid())))
        goto out;
    cp_fs_rmtree(im.tmp);
    if ((rc = start_suite(&im)))
        goto out;
    for (;;) {
        if ((rc = cp_limbo_scan_next(&sc, &item)))
            goto out;
        if (item == CP_LIMBO_ITEM_END)
            break;
        if (item == CP_LIMBO_ITEM_VERSION) {
            if (strcmp(sc.buf, "1") != 0) {
                rc = cp_error_set(CP_E_FORMAT, "%s: limbo format version %.32s; certpath reads 1",
                                  o->in, sc.buf);
                goto out;
            }
            continue;
        }
        if ((rc = one_testcase(&im, sc.buf, sc.len, sc.index - 1)))
            goto out;
    }
    if (!sc.seen_version || !sc.seen_testcases) {
        rc = cp_error_set(CP_E_FORMAT, "%s is not limbo JSON: no \"%s\"", o->in,
                          sc.seen_version ? "testcases" : "version");
        goto out;
    }
    if ((rc = check_conflicts(&im)))
        goto out;
    char sid[17];
    uint64_t h = cp_fnv1a64_add(im.hash, &st->vtime, sizeof(st->vtime));
    snprintf(sid, sizeof(sid), "%016llx", (unsigned long long)h);
    if (!(im.m.suite_id = strdup(sid)) ||
        !(im.m.generator = strdup(CP_MANIFEST_IMPORTED "0.1.0 (x509-limbo)"))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory importing %s", o->in);
        goto out;
    }
    if ((rc = cp_manifest_write(&im.m, im.tmp)) || (rc = install(im.tmp, o->out_dir)))
        goto out;
    im.tmp[0] = '\0';
out:
    if (scanning)
        cp_limbo_scan_close(&sc);
    if (im.tmp[0])
        cp_fs_rmtree(im.tmp);
    for (int i = 0; im.conf && i < im.m.ncases; i++) {
        for (int k = 0; k < im.conf[i].n; k++)
            free(im.conf[i].ids[k]);
        free(im.conf[i].ids);
    }
    free(im.conf);
    cp_manifest_free(&im.m);
    cp_limbo_set_free(&im.ids);
    cp_limbo_set_free(&im.digests);
    return rc;
}
