/* suite_load.c - the suite as the harness runs it: the manifest part's typed reader
 * (cp_manifest.h) does every check; this joins paths and lays out the cases for a run. */
#include "cp_common.h"
#include "cp_manifest.h"
#include "harness_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CP_MANIFEST_MAX_PROFILES <= CP_RESULTS_MAX_PROFILES,
               "the results hold every profile a manifest may name");
_Static_assert(CP_MANIFEST_MAX_NAMES <= CP_RESULTS_MAX_FEATURES,
               "the results hold every feature a manifest may name");

static int lay_out_case(struct cp_suite *s, int i)
{
    const struct cp_manifest_case *mc = &s->man.cases[i];
    struct cp_suite_case *c = &s->cases[i];
    size_t need = strlen(s->dir) + strlen(mc->dir) + 2;
    if (!(c->dir = malloc(need)))
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s/manifest.json", s->dir);
    snprintf(c->dir, need, "%s/%s", s->dir, mc->dir);
    c->id = mc->id;
    c->family = mc->family;
    c->hostname = mc->hostname;
    c->description = mc->description;
    c->features = mc->features;
    c->probe = mc->probe;
    c->ncerts = mc->nsent + mc->nanchors;
    c->vtime = cp_manifest_case_time(&s->man, mc);
    c->skip = mc->skip;
    for (int p = 0; p < s->nprofiles; p++)
        c->expect_accept[p] = mc->expect[p].accept;
    return 0;
}

int cp_suite_load(const char *dir, struct cp_suite *s)
{
    int rc;
    memset(s, 0, sizeof(*s));
    cp_manifest_init(&s->man);
    if ((rc = cp_manifest_load(dir, &s->man)))
        return rc;
    if (!(s->dir = strdup(dir)) || !(s->cases = calloc((size_t)s->man.ncases, sizeof(*s->cases)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory reading %s/manifest.json", dir);
        goto out;
    }
    s->suite_id = s->man.suite_id;
    snprintf(s->seed, sizeof(s->seed), "%" PRIu64, s->man.seed);
    cp_manifest_time_format(s->man.vtime, s->validation_time, sizeof(s->validation_time));
    s->vtime = s->man.vtime;
    s->nprofiles = s->man.nprofiles;
    s->profiles = s->man.profiles;
    s->nfeatures = s->man.nfeatures;
    s->features = s->man.features;
    for (; s->ncases < s->man.ncases; s->ncases++) {
        if ((rc = lay_out_case(s, s->ncases)))
            goto out;
    }
out:
    if (rc)
        cp_suite_free(s);
    return rc;
}

void cp_suite_free(struct cp_suite *s)
{
    if (!s)
        return;
    for (int i = 0; s->cases && i < s->ncases; i++)
        free(s->cases[i].dir);
    free(s->cases);
    free(s->dir);
    cp_manifest_free(&s->man);
    memset(s, 0, sizeof(*s));
}

int cp_suite_find(const struct cp_suite *s, const char *id)
{
    return cp_manifest_find_case(&s->man, id);
}

int cp_suite_feature(const struct cp_suite *s, const char *name)
{
    return cp_manifest_name_index(s->features, s->nfeatures, name);
}
