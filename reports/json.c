/* json.c - results JSON for dashboards (schema: reports/schema/results.schema.json). */
#include "cp_caps.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_results.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            goto nomem;                                                                            \
    } while (0)

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static cJSON *feature_list(const struct cp_results *r, uint64_t bits)
{
    cJSON *a = cJSON_CreateArray();
    for (int f = 0; a && f < r->nfeatures; f++) {
        if ((bits & (UINT64_C(1) << f)) &&
            !cJSON_AddItemToArray(a, cJSON_CreateString(r->features[f])))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *case_json(const struct cp_results *r, const struct cp_result_case *c)
{
    cJSON *o = cJSON_CreateObject(), *ex, *v;
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "id", c->id));
    CHECK(cJSON_AddStringToObject(o, "family", or_empty(c->family)));
    CHECK(cJSON_AddItemToObject(o, "features", feature_list(r, c->features)));
    CHECK(ex = cJSON_AddObjectToObject(o, "expected"));
    CHECK(v = cJSON_AddObjectToObject(o, "verdict"));
    for (int p = 0; p < r->nprofiles; p++) {
        CHECK(
            cJSON_AddStringToObject(ex, r->profiles[p], c->expect_accept[p] ? "accept" : "reject"));
        CHECK(cJSON_AddStringToObject(v, r->profiles[p], cp_verdict_name(c->verdict[p])));
    }
    if (c->probe)
        CHECK(cJSON_AddBoolToObject(o, "probe", true));
    CHECK(cJSON_AddStringToObject(o, "outcome", cp_outcome_kind_name(c->outcome)));
    CHECK(cJSON_AddNumberToObject(o, "code", (double)c->code));
    CHECK(cJSON_AddStringToObject(o, "reason", or_empty(c->reason)));
    CHECK(cJSON_AddNumberToObject(o, "microseconds", (double)c->usec));
    CHECK(cJSON_AddNumberToObject(o, "cpu_microseconds", (double)c->cpu_usec));
    if (c->server[0])
        CHECK(cJSON_AddStringToObject(o, "server", c->server));
    if (c->tls[0])
        CHECK(cJSON_AddStringToObject(o, "tls", c->tls));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *summary_json(const struct cp_results *r)
{
    cJSON *o = cJSON_CreateObject();
    CHECK(o);
    for (int p = 0; p < r->nprofiles; p++) {
        cJSON *prof, *counts, *feats;
        CHECK(prof = cJSON_AddObjectToObject(o, r->profiles[p]));
        CHECK(counts = cJSON_AddObjectToObject(prof, "counts"));
        for (int v = CP_V_PASS; v < CP_V_COUNT; v++)
            CHECK(cJSON_AddNumberToObject(counts, cp_verdict_name((enum cp_verdict)v),
                                          r->counts[p][v]));
        CHECK(feats = cJSON_AddObjectToObject(prof, "features"));
        for (int f = 0; f < r->nfeatures; f++) {
            const struct cp_feature_summary *s = &r->summary[p][f];
            cJSON *fo;
            CHECK(fo = cJSON_AddObjectToObject(feats, r->features[f]));
            CHECK(cJSON_AddStringToObject(fo, "support", cp_support_name(s->support)));
            CHECK(cJSON_AddNumberToObject(fo, "pass", s->pass));
            CHECK(cJSON_AddNumberToObject(fo, "fail", s->fail));
            CHECK(cJSON_AddNumberToObject(fo, "skip", s->skip));
            CHECK(cJSON_AddNumberToObject(fo, "error", s->error));
            CHECK(cJSON_AddNumberToObject(fo, "probe_pass", s->probe_pass));
            CHECK(cJSON_AddNumberToObject(fo, "probe_fail", s->probe_fail));
        }
    }
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *caps_json(unsigned caps)
{
    cJSON *a = cJSON_CreateArray();
    for (unsigned i = 0; a && i < CP_CAP_COUNT; i++) {
        unsigned bit = 1u << i;
        if ((caps & bit) && !cJSON_AddItemToArray(a, cJSON_CreateString(cp_cap_name(bit))))
            goto nomem;
    }
    return a;
nomem:
    cJSON_Delete(a);
    return NULL;
}

static cJSON *shard_json(const struct cp_shard *sh)
{
    char digest[24];
    cJSON *o = cJSON_CreateObject();
    CHECK(o);
    snprintf(digest, sizeof(digest), "%016llx", (unsigned long long)sh->selection);
    CHECK(cJSON_AddNumberToObject(o, "index", sh->index));
    CHECK(cJSON_AddNumberToObject(o, "count", sh->count));
    CHECK(cJSON_AddNumberToObject(o, "total", sh->total));
    CHECK(cJSON_AddStringToObject(o, "selection", digest));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

static cJSON *disagreement_json(const struct cp_results *r, const struct cp_disagreement *d)
{
    cJSON *o = cJSON_CreateObject();
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "id", d->id));
    CHECK(cJSON_AddStringToObject(o, "outcome", cp_outcome_kind_name(d->outcome)));
    CHECK(cJSON_AddStringToObject(o, "reason", or_empty(d->reason)));
    CHECK(cJSON_AddStringToObject(o, "other_mode", or_empty(r->other_mode)));
    CHECK(cJSON_AddStringToObject(o, "other_outcome", cp_outcome_kind_name(d->other_outcome)));
    CHECK(cJSON_AddStringToObject(o, "other_reason", or_empty(d->other_reason)));
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

/* The optional parts: the shard a run covered, and the other mode's disagreements. */
static int add_extras(cJSON *o, const struct cp_results *r)
{
    cJSON *a;
    if (r->shard.count > 0 && !cJSON_AddItemToObject(o, "shard", shard_json(&r->shard)))
        return -1;
    if (!r->compared)
        return 0;
    if (!(a = cJSON_AddArrayToObject(o, "disagreements")))
        return -1;
    for (int i = 0; i < r->ndisagreements; i++) {
        if (!cJSON_AddItemToArray(a, disagreement_json(r, &r->disagreements[i])))
            return -1;
    }
    return 0;
}

/* Where the run was made and every library it used (absent in a file read from before). */
static int add_platform(cJSON *o, const struct cp_results *r)
{
    cJSON *p, *libs, *l;
    if (r->has_platform) {
        if (!(p = cJSON_AddObjectToObject(o, "platform")) ||
            !cJSON_AddStringToObject(p, "id", r->platform.id) ||
            !cJSON_AddStringToObject(p, "version_id", r->platform.version_id) ||
            !cJSON_AddStringToObject(p, "pretty_name", r->platform.pretty_name))
            return -1;
    }
    if (!r->nlibraries)
        return 0;
    if (!(libs = cJSON_AddArrayToObject(o, "libraries")))
        return -1;
    for (int i = 0; i < r->nlibraries; i++) {
        const struct cp_result_library *b = &r->libraries[i];
        if (!(l = cJSON_CreateObject()))
            return -1;
        if (!cJSON_AddItemToArray(libs, l)) { /* l is the array's once added */
            cJSON_Delete(l);
            return -1;
        }
        if (!cJSON_AddStringToObject(l, "role", b->role) ||
            !cJSON_AddStringToObject(l, "name", b->name) ||
            !cJSON_AddStringToObject(l, "version", b->version))
            return -1;
    }
    return 0;
}

static cJSON *results_json(const struct cp_results *r)
{
    cJSON *o = cJSON_CreateObject(), *suite, *stack, *cases;
    CHECK(o);
    CHECK(cJSON_AddStringToObject(o, "format", CP_RESULTS_FORMAT));
    CHECK(cJSON_AddNumberToObject(o, "format_version", CP_RESULTS_FORMAT_VERSION));
    CHECK(cJSON_AddStringToObject(o, "certpath", CP_VERSION));
    CHECK(suite = cJSON_AddObjectToObject(o, "suite"));
    CHECK(cJSON_AddStringToObject(suite, "id", or_empty(r->suite_id)));
    CHECK(cJSON_AddStringToObject(suite, "seed", or_empty(r->seed)));
    CHECK(cJSON_AddStringToObject(suite, "validation_time", or_empty(r->validation_time)));
    CHECK(cJSON_AddItemToObject(
        suite, "profiles",
        cJSON_CreateStringArray((const char *const *)r->profiles, r->nprofiles)));
    CHECK(stack = cJSON_AddObjectToObject(o, "stack"));
    CHECK(cJSON_AddStringToObject(stack, "name", or_empty(r->stack)));
    CHECK(cJSON_AddStringToObject(stack, "library", or_empty(r->library)));
    CHECK(cJSON_AddStringToObject(stack, "version", or_empty(r->library_version)));
    CHECK(cJSON_AddStringToObject(stack, "mode", or_empty(r->mode)));
    CHECK(cJSON_AddStringToObject(stack, "settings", or_empty(r->settings)));
    CHECK(cJSON_AddItemToObject(stack, "capabilities", caps_json(r->caps)));
    CHECK(add_platform(o, r) == 0);
    CHECK(cJSON_AddBoolToObject(o, "complete", r->complete));
    CHECK(cJSON_AddBoolToObject(o, "broken", r->broken));
    if (r->broken)
        CHECK(cJSON_AddStringToObject(o, "broken_reason", or_empty(r->broken_reason)));
    CHECK(cJSON_AddNumberToObject(o, "seconds", r->seconds));
    CHECK(cJSON_AddNumberToObject(o, "cpu_seconds", r->cpu_seconds));
    cJSON *limits;
    CHECK(limits = cJSON_AddObjectToObject(o, "limits"));
    CHECK(cJSON_AddNumberToObject(limits, "cpu_seconds", r->cpu_limit));
    CHECK(cJSON_AddNumberToObject(limits, "wall_seconds", r->wall_limit));
    CHECK(add_extras(o, r) == 0);
    CHECK(cJSON_AddItemToObject(o, "summary", summary_json(r)));
    CHECK(cases = cJSON_AddArrayToObject(o, "cases"));
    for (int i = 0; i < r->ncases; i++) {
        if (r->cases[i].outcome != CP_OUT_NONE)
            CHECK(cJSON_AddItemToArray(cases, case_json(r, &r->cases[i])));
    }
    return o;
nomem:
    cJSON_Delete(o);
    return NULL;
}

int cp_results_write_json(const struct cp_results *r, const char *path)
{
    int rc = CP_E_NOMEM;
    char *text = NULL;
    cJSON *root = results_json(r);
    if (!root || !(text = cJSON_Print(root))) {
        cp_error_set(rc, "out of memory writing %s", path);
        goto out;
    }
    /* Beside path and renamed into place: a full disk leaves the old file and no temporary. */
    rc = cp_fs_write_atomic(path, text, strlen(text));
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}
