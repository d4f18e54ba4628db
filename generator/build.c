/* build.c - runs the families, finalises the model, runs the oracle; writes expectations. */
#include "cp_families.h"
#include "cp_generator_internal.h"

#include <stdlib.h>
#include <string.h>

static int run_family(struct cp_model *m, const struct cp_family *f)
{
    m->family = f->name;
    int rc = f->build(m);
    m->family = NULL;
    if (rc)
        return cp_error_set(rc, "family %s: %s", f->name, cp_error_msg(rc));
    return 0;
}

int cp_generator_build(struct cp_model *m, const char *const *families, int n)
{
    int rc;
    for (int i = 0; i < n; i++) {
        if (!cp_family_find(families[i]))
            return cp_error_set(CP_E_NOTFOUND,
                                "unknown family \"%s\" (see `certpath list "
                                "--families`)",
                                families[i]);
    }
    bool opt_in = false; /* an opt-in family was asked for: it brings the controls */
    for (int i = 0; i < n; i++)
        opt_in = opt_in || cp_family_find(families[i])->opt_in;
    for (int i = 0; i < cp_nfamilies; i++) {
        bool wanted =
            n == 0 ? !cp_families[i].opt_in : opt_in && cp_families[i].build == cp_family_controls;
        for (int j = 0; j < n && !wanted; j++)
            wanted = strcmp(families[j], cp_families[i].name) == 0;
        if (wanted && (rc = run_family(m, &cp_families[i])))
            return rc;
    }
    if ((rc = cp_model_finalise(m)))
        return rc;
    return cp_oracle_expect_all(m);
}

/* The body of a JSON string: labels and ids are plain in every family, but a hand-made graph
 * may use any text (DN escaping is tested with "Acme, Inc."). */
static void json_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

static void write_path(FILE *out, const struct cp_graph *g, const struct cp_path *p)
{
    fputc('"', out);
    for (int i = 0; i < p->len; i++) {
        fputs(i ? " < " : "", out);
        json_text(out, g->certs[p->certs[i]].label);
    }
    fputc('"', out);
}

static void write_profile(FILE *out, const struct cp_graph *g, const struct cp_expect *e)
{
    fprintf(out, "{\"outcome\":\"%s\",\"paths\":[",
            e->outcome == CP_OUTCOME_ACCEPT ? "accept" : "reject");
    for (int i = 0; i < e->npaths; i++) {
        if (i)
            fputc(',', out);
        write_path(out, g, &e->paths[i]);
    }
    fprintf(out, "],\"npaths\":%ld,\"reasons\":[", e->paths_all);
    int n = 0;
    for (int r = 1; r < CP_REASON_COUNT; r++) {
        if (e->reasons & (UINT64_C(1) << r))
            fprintf(out, "%s\"%s\"", n++ ? "," : "", cp_reason_name((enum cp_reason)r));
    }
    fputs("]}", out);
}

static int cmp_case_id(const void *a, const void *b)
{
    return strcmp((*(const struct cp_case *const *)a)->id, (*(const struct cp_case *const *)b)->id);
}

int cp_generator_write_expectations(const struct cp_model *m, FILE *out)
{
    const struct cp_case **v = malloc((size_t)(m->ncases ? m->ncases : 1) * sizeof(*v));
    if (!v)
        return cp_error_set(CP_E_NOMEM, "out of memory sorting %d cases", m->ncases);
    for (int i = 0; i < m->ncases; i++)
        v[i] = &m->cases[i];
    qsort(v, (size_t)m->ncases, sizeof(*v), cmp_case_id);
    for (int i = 0; i < m->ncases; i++) {
        const struct cp_graph *g = &m->graphs[v[i]->graph];
        fputs("{\"id\":\"", out);
        json_text(out, v[i]->id);
        fputc('"', out);
        for (int p = 0; p < CP_PROFILE_COUNT; p++) {
            fprintf(out, ",\"%s\":", cp_profile_name((enum cp_profile)p));
            write_profile(out, g, &v[i]->expect[p]);
        }
        fputs("}\n", out);
    }
    free(v);
    return ferror(out) ? cp_error_set(CP_E_IO, "writing the expectations failed") : 0;
}
