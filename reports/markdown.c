/* markdown.c - the matrix and the wrongly accepted cases as GitHub-flavoured Markdown, sized for
 * a pull-request comment or a job summary (GitHub caps a comment at 65,536 characters). */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

/* At most this many wrongly accepted cases per stack and in all; each line is a case id (at most
 * 160 bytes) and its features, so the lists stay under 40 KB. */
#define MD_LIST_PER_STACK 20
#define MD_LIST_TOTAL 100

static const char *support_badge(enum cp_support s)
{
    switch (s) {
    case CP_SUPPORTED:
        return "\xe2\x9c\x85"; /* white heavy check mark */
    case CP_SUPPORT_PARTIAL:
        return "\xe2\x9a\xa0\xef\xb8\x8f"; /* warning sign */
    case CP_UNSUPPORTED:
        return "\xe2\x9d\x8c"; /* cross mark */
    default:
        return "";
    }
}

static void put_cell(FILE *out, const struct cp_rep_cell *c)
{
    if (c->pass + c->fail > 0)
        fprintf(out, " %s %d/%d |", support_badge(c->support), c->pass, c->pass + c->fail);
    else if (c->skip + c->error > 0)
        fprintf(out, " %s |", c->skip ? "skip" : "error");
    else
        fputs(" \xe2\x80\x94 |", out); /* em dash: nothing measured */
}

static void put_matrix(FILE *out, const struct cp_results *r, int n, const int *prof)
{
    char lib[256];
    fputs("| Stack | Library | Mode |", out);
    for (int k = 0; k < CP_REP_NCOLS; k++)
        fprintf(out, " %s |", cp_rep_columns[k].title);
    fputs(" Pass | Wrongly accepted | Wrongly rejected | Skip | Error |\n|:--|:--|:--|", out);
    for (int k = 0; k < CP_REP_NCOLS; k++)
        fputs(":-:|", out);
    fputs("--:|--:|--:|--:|--:|\n", out);
    for (int s = 0; s < n; s++) {
        struct cp_rep_row row;
        cp_rep_matrix_row(&r[s], prof[s], &row);
        fputs("| ", out);
        cp_rep_put_code(out, r[s].stack);
        if (r[s].broken)
            fputs(" **BROKEN**", out);
        else if (!r[s].complete)
            fputs(" (incomplete)", out);
        fputs(" | ", out);
        cp_rep_put_md(out, cp_rep_library_short(&r[s], lib, sizeof(lib)));
        fputs(" | ", out);
        cp_rep_put_md(out, r[s].mode);
        fputs(" |", out);
        for (int k = 0; k < CP_REP_NCOLS; k++)
            put_cell(out, &row.cell[k]);
        fprintf(out, " %d | %s%d%s | %d | %d | %d |\n", row.pass, row.wrong_accept ? "**" : "",
                row.wrong_accept, row.wrong_accept ? "**" : "", row.wrong_reject, row.skip,
                row.error);
    }
    fputs("\n\xe2\x9c\x85 supported \xc2\xb7 \xe2\x9a\xa0\xef\xb8\x8f partial \xc2\xb7 "
          "\xe2\x9d\x8c not supported (BetterTLS's call, from the feature's probe cases); "
          "*n/m*: of the cases that need the feature and were scored, how many pass. "
          "*Other errors*: cases that need a feature outside these columns. "
          "*Error*: error, timeout or crash.\n\n",
          out);
}

static void put_features(FILE *out, const struct cp_results *r, uint64_t bits)
{
    int first = 1;
    for (int f = 0; f < r->nfeatures; f++) {
        if (bits & (UINT64_C(1) << f)) {
            fputs(first ? " (" : ", ", out);
            cp_rep_put_md(out, r->features[f]);
            first = 0;
        }
    }
    if (!first)
        fputc(')', out);
}

static void put_wrongly_accepted(FILE *out, const struct cp_results *r, int n, const int *prof)
{
    int total = 0, listed = 0;
    for (int s = 0; s < n; s++)
        total += r[s].counts[prof[s]][CP_V_WRONG_ACCEPT];
    fprintf(out, "### Wrongly accepted (%d)\n\n", total);
    if (!total) {
        fputs("No stack accepted a chain it should have rejected.\n", out);
        return;
    }
    fputs("Chains a stack accepted that the profile rejects: the findings that matter most.\n\n",
          out);
    for (int s = 0; s < n; s++) {
        int count = r[s].counts[prof[s]][CP_V_WRONG_ACCEPT], shown = 0;
        if (!count)
            continue;
        fputs("<details><summary><b>", out);
        cp_rep_put_xml(out, r[s].stack);
        fprintf(out, "</b>: %d wrongly accepted</summary>\n\n", count);
        for (int i = 0; i < r[s].ncases; i++) {
            const struct cp_result_case *c = &r[s].cases[i];
            if (c->verdict[prof[s]] != CP_V_WRONG_ACCEPT)
                continue;
            if (shown >= MD_LIST_PER_STACK || listed >= MD_LIST_TOTAL)
                break;
            fputs("- ", out);
            cp_rep_put_code(out, c->id);
            put_features(out, &r[s], c->features);
            fputc('\n', out);
            shown++;
            listed++;
        }
        if (shown < count)
            fprintf(out, "- \xe2\x80\xa6 and %d more (the HTML or JUnit report lists them all)\n",
                    count - shown);
        fputs("\n</details>\n\n", out);
    }
}

int cp_report_write_markdown(const struct cp_results *r, int n, const char *profile, FILE *out)
{
    int rc = CP_E_NOMEM, cases = 0;
    int *prof = calloc((size_t)n + 1, sizeof(*prof));
    if (!prof) {
        cp_error_set(rc, "out of memory writing Markdown");
        goto out;
    }
    if ((rc = cp_rep_profiles(r, n, profile, prof)))
        goto out;
    for (int s = 0; s < n; s++)
        cases = r[s].ncases > cases ? r[s].ncases : cases;
    fputs("## certpath: profile ", out);
    cp_rep_put_code(out, profile);
    fputs("\n\nSuite ", out);
    cp_rep_put_code(out, r[0].suite_id);
    fputs(" (validation time ", out);
    cp_rep_put_md(out, r[0].validation_time);
    fprintf(out, "), %d cases, %d stack%s.", cases, n, n == 1 ? "" : "s");
    if (!cp_rep_same_suite(r, n))
        fputs(" **The runs come from different suites.**", out);
    fputs("\n\n", out);
    put_matrix(out, r, n, prof);
    for (int s = 0; s < n; s++) {
        if (r[s].broken) {
            fputs("> **", out);
            cp_rep_put_md(out, r[s].stack);
            fputs(" is broken**: ", out);
            cp_rep_put_md(out, r[s].broken_reason);
            fputs(". A control failed, so its row is no finding.\n\n", out);
        }
    }
    put_wrongly_accepted(out, r, n, prof);
    rc = cp_rep_check_stream(out, "Markdown");
out:
    free(prof);
    return rc;
}
