/*
 * limbo.c - x509-limbo's LimboResult JSON, so x509-limbo's tooling reads our results:
 *   {"version": 1, "harness": "...", "results": [{"id", "actual_result", "context"}]}
 * actual_result is SUCCESS, FAILURE or SKIPPED (the format has nothing else: a timeout is
 * SKIPPED with context "hang: ...", an adapter error or a crash SKIPPED with its context, since
 * neither is the library rejecting the chain).
 *
 * Limbo ids are "namespace::id" with components matching [A-Za-z][A-Za-z0-9-.]+, so ours are
 * namespaced "certpath::" and each "/" becomes "::"; a component that does not fit is made to
 * (other characters become "-", a leading digit gets an "n", a single character a "-"). The
 * original id is the context's first words, so a reader can always find the case. An id that
 * already is a limbo id (a suite imported with `certpath import`) is written as it is, so the
 * results match the testcases they came from.
 */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Our ids are at most 160 bytes; each component can grow by two. */
#define LIMBO_ID_MAX 512

/* Whether id already is a limbo id (an imported suite's cases keep theirs). */
static bool is_limbo_id(const char *id)
{
    for (const char *p = id;;) {
        size_t len = 0;
        if (!isalpha((unsigned char)*p))
            return false;
        while (isalnum((unsigned char)p[len]) || p[len] == '-' || p[len] == '.')
            len++;
        if (len < 2)
            return false;
        p += len;
        if (*p == '\0')
            return true;
        if (strncmp(p, "::", 2) != 0)
            return false;
        p += 2;
    }
}

static void limbo_id(const char *id, char *buf, size_t cap)
{
    if (is_limbo_id(id) && strlen(id) < cap) {
        memcpy(buf, id, strlen(id) + 1);
        return;
    }
    size_t n = (size_t)snprintf(buf, cap, "certpath");
    const char *p = id;
    while (*p && n + 8 < cap) {
        size_t len = strcspn(p, "/"), start;
        memcpy(buf + n, "::", 2);
        n += 2;
        start = n;
        if (!isalpha((unsigned char)*p))
            buf[n++] = 'n';
        for (size_t i = 0; i < len && n + 4 < cap; i++) {
            unsigned char c = (unsigned char)p[i];
            buf[n++] = isalnum(c) || c == '-' || c == '.' ? (char)c : '-';
        }
        if (n - start < 2)
            buf[n++] = '-';
        p += len;
        if (*p == '/')
            p++;
    }
    buf[n] = '\0';
}

static const char *actual_result(enum cp_outcome_kind o)
{
    switch (o) {
    case CP_OUT_ACCEPT:
        return "SUCCESS";
    case CP_OUT_REJECT:
        return "FAILURE";
    default:
        return "SKIPPED";
    }
}

static char *context_of(const struct cp_results *r, int p, const struct cp_result_case *c)
{
    static const char *const said[CP_OUT_COUNT] = {
        [CP_OUT_ACCEPT] = "accepted", [CP_OUT_REJECT] = "rejected", [CP_OUT_ERROR] = "error",
        [CP_OUT_TIMEOUT] = "hang",    [CP_OUT_CRASH] = "crash",     [CP_OUT_SKIP] = "skipped",
    };
    char buf[1536];
    const char *what =
        (unsigned)c->outcome < CP_OUT_COUNT && said[c->outcome] ? said[c->outcome] : "not run";
    bool why = c->reason && *c->reason;
    snprintf(buf, sizeof(buf), "certpath case %s: expected %s (%s profile), %s%s%s", c->id,
             c->expect_accept[p] ? "accept" : "reject", r->profiles[p], what, why ? ": " : "",
             why ? c->reason : "");
    return cp_rep_clean_dup(buf);
}

static cJSON *result_json(const struct cp_results *r, int p, const struct cp_result_case *c,
                          const struct cp_rep_map *seen)
{
    char id[LIMBO_ID_MAX + 16];
    char *context = NULL;
    cJSON *o = cJSON_CreateObject();
    limbo_id(c->id, id, LIMBO_ID_MAX);
    /* Two ids that differ only in characters limbo does not allow must stay two ids. */
    for (int k = 2; cp_rep_map_get(seen, id) >= 0 && k < 1000; k++) {
        limbo_id(c->id, id, LIMBO_ID_MAX);
        snprintf(id + strlen(id), sizeof(id) - strlen(id), "-%d", k);
    }
    if (!o || !(context = context_of(r, p, c)) || !cJSON_AddStringToObject(o, "id", id) ||
        !cJSON_AddStringToObject(o, "actual_result", actual_result(c->outcome)) ||
        !cJSON_AddStringToObject(o, "context", context)) {
        cJSON_Delete(o);
        o = NULL;
    }
    free(context);
    return o;
}

/* Builds the document; ids[i] keeps each result's id alive for the map, which borrows it. */
static cJSON *limbo_json(const struct cp_results *r, int p, char **ids, struct cp_rep_map *seen)
{
    char harness[600], lib[256], *clean = NULL;
    cJSON *root = cJSON_CreateObject(), *results;
    snprintf(harness, sizeof(harness), "certpath:%s %s", r->stack,
             cp_rep_library(r, lib, sizeof(lib)));
    if (!root || !(clean = cp_rep_clean_dup(harness)) ||
        !cJSON_AddNumberToObject(root, "version", 1) ||
        !cJSON_AddStringToObject(root, "harness", clean) ||
        !(results = cJSON_AddArrayToObject(root, "results")))
        goto fail;
    for (int i = 0; i < r->ncases; i++) {
        cJSON *o = result_json(r, p, &r->cases[i], seen);
        if (!o || !cJSON_AddItemToArray(results, o)) {
            cJSON_Delete(o);
            goto fail;
        }
        if (!(ids[i] = strdup(cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring)) ||
            cp_rep_map_put(seen, ids[i], i))
            goto fail;
    }
    free(clean);
    return root;
fail:
    free(clean);
    cJSON_Delete(root);
    return NULL;
}

int cp_report_write_limbo(const struct cp_results *r, const char *profile, FILE *out)
{
    int rc, p;
    char *text = NULL;
    cJSON *root = NULL;
    struct cp_rep_map seen = {0};
    char **ids = calloc((size_t)r->ncases + 1, sizeof(*ids));
    if ((rc = cp_rep_profiles(r, 1, profile, &p)))
        goto out;
    if (!ids || cp_rep_map_init(&seen, (size_t)r->ncases) ||
        !(root = limbo_json(r, p, ids, &seen)) || !(text = cJSON_Print(root))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory writing LimboResult JSON");
        goto out;
    }
    fputs(text, out);
    fputc('\n', out);
    rc = cp_rep_check_stream(out, "LimboResult");
out:
    for (int i = 0; ids && i < r->ncases; i++)
        free(ids[i]);
    free(ids);
    cp_rep_map_free(&seen);
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}
