/*
 * journal.c - every finished case, appended and flushed as it finishes.
 *
 * JSON lines: a header {"journal": "certpath", "suite_id", "stack", "mode"}, then one line per
 * case {"id", "outcome", "code", "reason", "usec"}. After Ctrl-C or a crash of the harness the
 * journal holds every finished case; --resume reads it back and runs only the rest. A last
 * line cut short by a kill is ignored (it was not finished).
 */
#include "cp_common.h"
#include "harness_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One journal line: a case id, an outcome and a reason of at most CP_REASON_TEXT_MAX bytes,
 * escaped; 8 KiB is ample. */
#define CP_JOURNAL_LINE_MAX 8192

struct cp_journal {
    FILE *f;
    char *path;
};

static int write_line(struct cp_journal *j, cJSON *o)
{
    char *text = cJSON_PrintUnformatted(o);
    int rc = 0;
    if (!text)
        return cp_error_set(CP_E_NOMEM, "out of memory writing %s", j->path);
    if (fprintf(j->f, "%s\n", text) < 0 || fflush(j->f))
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", j->path, strerror(errno));
    cJSON_free(text);
    return rc;
}

static int header_matches(const cJSON *h, const struct cp_results *r)
{
    const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(h, "suite_id"));
    const char *stack = cJSON_GetStringValue(cJSON_GetObjectItem(h, "stack"));
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(h, "mode"));
    return sid && stack && mode && strcmp(sid, r->suite_id) == 0 && strcmp(stack, r->stack) == 0 &&
           strcmp(mode, r->mode) == 0;
}

static int find_case(const struct cp_results *r, const char *id)
{
    for (int i = 0; i < r->ncases; i++) {
        if (strcmp(r->cases[i].id, id) == 0)
            return i;
    }
    return -1;
}

static void apply_line(struct cp_results *r, const cJSON *o, int *resumed)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(o, "id"));
    const char *out = cJSON_GetStringValue(cJSON_GetObjectItem(o, "outcome"));
    const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(o, "reason"));
    int i = id ? find_case(r, id) : -1, kind = out ? cp_outcome_kind_lookup(out) : -1;
    if (i < 0 || kind <= CP_OUT_NONE)
        return;
    struct cp_result_case *c = &r->cases[i];
    free(c->reason);
    c->reason = strdup(reason ? reason : "");
    c->outcome = (enum cp_outcome_kind)kind;
    c->code = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "code"));
    c->usec = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "usec"));
    (*resumed)++;
}

static int read_back(const char *path, struct cp_results *r, int *resumed)
{
    FILE *f = fopen(path, "r");
    char *line = malloc(CP_JOURNAL_LINE_MAX);
    int rc = 0, n = 0;
    if (!f) {
        free(line);
        return errno == ENOENT ? 0
                               : cp_error_set(CP_E_IO, "cannot read %s: %s", path, strerror(errno));
    }
    if (!line) {
        fclose(f);
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    }
    while (!rc && fgets(line, CP_JOURNAL_LINE_MAX, f)) {
        cJSON *o = cJSON_Parse(line);
        if (n++ == 0 && !(o && header_matches(o, r)))
            rc = cp_error_set(CP_E_FORMAT,
                              "%s is the journal of another suite, stack or mode; "
                              "run without --resume to start over",
                              path);
        else if (o && n > 1)
            apply_line(r, o, resumed);
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    return rc;
}

int cp_journal_open(const char *path, struct cp_results *r, bool resume, int *resumed,
                    struct cp_journal **out)
{
    int rc;
    *resumed = 0;
    *out = NULL;
    if (resume && (rc = read_back(path, r, resumed)))
        return rc;
    struct cp_journal *j = calloc(1, sizeof(*j));
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return cp_error_set(CP_E_NOMEM, "out of memory opening %s", path);
    }
    bool fresh = !resume || *resumed == 0;
    if (!(j->f = fopen(path, fresh ? "w" : "a"))) {
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
        cp_journal_close(j);
        return rc;
    }
    if (fresh) {
        cJSON *h = cJSON_CreateObject();
        rc = !h || !cJSON_AddStringToObject(h, "journal", "certpath") ||
                     !cJSON_AddStringToObject(h, "suite_id", r->suite_id) ||
                     !cJSON_AddStringToObject(h, "stack", r->stack) ||
                     !cJSON_AddStringToObject(h, "mode", r->mode)
                 ? cp_error_set(CP_E_NOMEM, "out of memory writing %s", path)
                 : write_line(j, h);
        cJSON_Delete(h);
        if (rc) {
            cp_journal_close(j);
            return rc;
        }
    }
    *out = j;
    return 0;
}

int cp_journal_append(struct cp_journal *j, const struct cp_result_case *c)
{
    cJSON *o = cJSON_CreateObject();
    int rc;
    if (!o || !cJSON_AddStringToObject(o, "id", c->id) ||
        !cJSON_AddStringToObject(o, "outcome", cp_outcome_kind_name(c->outcome)) ||
        !cJSON_AddNumberToObject(o, "code", (double)c->code) ||
        !cJSON_AddStringToObject(o, "reason", c->reason ? c->reason : "") ||
        !cJSON_AddNumberToObject(o, "usec", (double)c->usec))
        rc = cp_error_set(CP_E_NOMEM, "out of memory writing %s", j->path);
    else
        rc = write_line(j, o);
    cJSON_Delete(o);
    return rc;
}

void cp_journal_close(struct cp_journal *j)
{
    if (!j)
        return;
    if (j->f)
        fclose(j->f);
    free(j->path);
    free(j);
}
