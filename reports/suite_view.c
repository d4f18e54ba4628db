/* suite_view.c - the suite's manifest as the reports see it, read by the manifest part. */
#include "cp_common.h"
#include "cp_manifest.h"
#include "cp_report_internal.h"

#include <cjson/cJSON.h>
#include <string.h>

const char *cp_rep_json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int cp_rep_suite_load(struct cp_rep_suite *s, const char *dir)
{
    int rc;
    memset(s, 0, sizeof(*s));
    s->dir = dir;
    if ((rc = cp_manifest_load(dir, &s->man)))
        return rc;
    s->suite_id = s->man.suite_id;
    s->vtime = (double)s->man.vtime;
    return 0;
}

void cp_rep_suite_free(struct cp_rep_suite *s)
{
    if (!s)
        return;
    cp_manifest_free(&s->man);
    memset(s, 0, sizeof(*s));
}

const struct cp_manifest_case *cp_rep_suite_case(const struct cp_rep_suite *s, const char *id)
{
    int i = cp_manifest_find_case(&s->man, id);
    return i >= 0 ? &s->man.cases[i] : NULL;
}

const struct cp_manifest_cert *cp_rep_suite_cert(const struct cp_rep_suite *s, const char *id)
{
    int i = cp_manifest_find_cert(&s->man, id);
    return i >= 0 ? &s->man.certs[i] : NULL;
}
