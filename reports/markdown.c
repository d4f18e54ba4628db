/* markdown.c - the matrix and the wrongly accepted cases as GitHub-flavoured Markdown, sized for
 * a pull-request comment or a job summary (GitHub caps a comment at 65,536 characters). */
#include "cp_baseline.h"
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

/* At most this many wrongly accepted cases per stack and in all; each line is a case id (at most
 * 160 bytes) and its features, so the lists stay under 40 KB. */
#define MD_LIST_PER_STACK 20
#define MD_LIST_TOTAL 100

static void put_cell(FILE *out, const struct cp_rep_cell *c)
{
    if (c->pass + c->fail > 0)
        fprintf(out, " %s %d/%d |", cp_support_look(c->support)->badge, c->pass, c->pass + c->fail);
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

/* The name-constraint columns (cp_rep_nc_columns), when a case carries a facet. */
static void put_nc_matrix(FILE *out, const struct cp_results *r, int n, const int *prof)
{
    struct cp_rep_nc nc;
    struct cp_rep_cell cells[CP_REP_NC_MAX];
    cp_rep_nc_columns(r, n, &nc);
    if (!nc.ncols)
        return;
    fputs("### Name constraints\n\n| Stack | Mode |", out);
    for (int k = 0; k < nc.ncols; k++)
        fprintf(out, " %s%s |", k < nc.nforms ? "" : "Placement: ", nc.col[k].title);
    fputs("\n|:--|:--|", out);
    for (int k = 0; k < nc.ncols; k++)
        fputs(":-:|", out);
    fputc('\n', out);
    for (int s = 0; s < n; s++) {
        cp_rep_nc_row(&r[s], prof[s], &nc, cells);
        fputs("| ", out);
        cp_rep_put_code(out, r[s].stack);
        fputs(" | ", out);
        cp_rep_put_md(out, r[s].mode);
        fputs(" |", out);
        for (int k = 0; k < nc.ncols; k++)
            put_cell(out, &cells[k]);
        fputc('\n', out);
    }
    fputs("\n*n/m*: of the cases whose name constraints name that GeneralName type (or sit at "
          "that placement) and were scored, how many pass; the support mark is from these "
          "counts.\n\n",
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

/* A wire run whose stack's in-process run is among r lists the same pairs: shown once. */
static bool pair_shown_elsewhere(const struct cp_results *r, int n, int s)
{
    if (!r[s].mode || strcmp(r[s].mode, "wire") != 0)
        return false;
    for (int t = 0; t < n; t++) {
        if (t != s && r[t].compared && strcmp(r[t].stack, r[s].stack) == 0 &&
            strcmp(r[t].mode, "wire") != 0)
            return true;
    }
    return false;
}

static void put_outcome(FILE *out, enum cp_outcome_kind o, const char *reason)
{
    cp_rep_put_md(out, cp_outcome_kind_name(o));
    if (reason && *reason) {
        fputs(": ", out);
        cp_rep_put_md(out, reason);
    }
    fputs(" |", out);
}

/* --mode both: the cases where a stack's in-process and wire runs differ. */
static void put_disagreements(FILE *out, const struct cp_results *r, int n)
{
    int total = 0, listed = 0;
    for (int s = 0; s < n; s++)
        total += r[s].compared && !pair_shown_elsewhere(r, n, s) ? r[s].ndisagreements : 0;
    if (!total)
        return;
    fprintf(out, "### In-process and wire disagree (%d)\n\n", total);
    fputs("| Case | Stack | In-process | Wire |\n|:--|:--|:--|:--|\n", out);
    for (int s = 0; s < n; s++) {
        if (!r[s].compared || pair_shown_elsewhere(r, n, s))
            continue;
        bool wire = strcmp(r[s].mode, "wire") == 0;
        for (int i = 0; i < r[s].ndisagreements && listed < MD_LIST_TOTAL; i++, listed++) {
            const struct cp_disagreement *d = &r[s].disagreements[i];
            fputs("| ", out);
            cp_rep_put_code(out, d->id);
            fputs(" | ", out);
            cp_rep_put_code(out, r[s].stack);
            fputs(" | ", out);
            put_outcome(out, wire ? d->other_outcome : d->outcome,
                        wire ? d->other_reason : d->reason);
            fputc(' ', out);
            put_outcome(out, wire ? d->outcome : d->other_outcome,
                        wire ? d->reason : d->other_reason);
            fputc('\n', out);
        }
    }
    if (listed < total)
        fprintf(out, "\n\xe2\x80\xa6 and %d more (every results file lists its own)\n",
                total - listed);
    fputc('\n', out);
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
    put_nc_matrix(out, r, n, prof);
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
    put_disagreements(out, r, n);
    rc = cp_rep_check_stream(out, "Markdown");
out:
    free(prof);
    return rc;
}

/* ---- the gate's section (cp_baseline.h) ---- */

/* Regressions are listed first and in full up to this many; the other kinds are capped lower. */
#define MD_GATE_REGRESSIONS 60
#define MD_GATE_OTHERS 20

static void put_gate_item(FILE *out, const struct cp_gate *g, const struct cp_gate_item *it)
{
    fputs("| ", out);
    cp_rep_put_code(out, it->id);
    fputs(" | ", out);
    cp_rep_put_md(out, g->stack);
    if (it->kind == CP_GATE_NEW)
        fputs(" | \xe2\x80\x94 | ", out);
    else
        fprintf(out, " | %s (%s) | ", cp_outcome_kind_name(it->was),
                cp_verdict_name(it->was_verdict));
    fprintf(out, "%s (%s) | ", cp_outcome_kind_name(it->now), cp_verdict_name(it->now_verdict));
    if (it->cause && it->link) {
        fputc('[', out);
        cp_rep_put_md(out, it->cause);
        fprintf(out, "](%s)", it->link);
    } else {
        cp_rep_put_md(out, it->cause ? it->cause : "");
    }
    fputs(" |\n", out);
}

static void put_gate_kind(FILE *out, const struct cp_gate *g, int n, enum cp_gate_kind k,
                          const char *title, int cap)
{
    int total = 0, shown = 0;
    for (int s = 0; s < n; s++)
        total += g[s].count[k];
    if (!total)
        return;
    if (k != CP_GATE_REGRESSION)
        fprintf(out, "<details><summary>%s (%d)</summary>\n\n", title, total);
    else
        fprintf(out, "#### %s (%d)\n\n", title, total);
    fputs("| Case | Stack | Baseline | Now | Known cause |\n|:--|:--|:--|:--|:--|\n", out);
    for (int s = 0; s < n; s++) {
        for (int i = 0; i < g[s].nitems && shown < cap; i++) {
            if (g[s].items[i].kind == k) {
                put_gate_item(out, &g[s], &g[s].items[i]);
                shown++;
            }
        }
    }
    if (shown < total)
        fprintf(out, "\n\xe2\x80\xa6 and %d more (`certpath gate` lists them all)\n",
                total - shown);
    fputs(k != CP_GATE_REGRESSION ? "\n</details>\n\n" : "\n", out);
}

int cp_gate_write_markdown(const struct cp_gate *g, int n, FILE *out)
{
    int regressions = 0;
    fputs(
        "### Against the baseline\n\n| Stack | Mode | Baseline | Regressions | Improvements | New "
        "| Unchanged |\n|:--|:--|:--|--:|--:|--:|--:|\n",
        out);
    for (int s = 0; s < n; s++) {
        fputs("| ", out);
        cp_rep_put_code(out, g[s].stack);
        fputs(" | ", out);
        cp_rep_put_md(out, g[s].mode);
        fputs(" | ", out);
        if (!g[s].gated) {
            fputs("none: not gated | | | | |\n", out);
            continue;
        }
        cp_rep_put_code(out, g[s].baseline);
        fprintf(out, " | %s%d%s | %d | %d | %d |\n", g[s].count[CP_GATE_REGRESSION] ? "**" : "",
                g[s].count[CP_GATE_REGRESSION], g[s].count[CP_GATE_REGRESSION] ? "**" : "",
                g[s].count[CP_GATE_IMPROVEMENT], g[s].count[CP_GATE_NEW], g[s].unchanged);
        regressions += g[s].count[CP_GATE_REGRESSION];
    }
    fputs(regressions ? "\n**The gate fails**: a case that matched the oracle in the baseline no "
                        "longer does, or a known divergence changed.\n\n"
                      : "\nNo regression against the baseline.\n\n",
          out);
    put_gate_kind(out, g, n, CP_GATE_REGRESSION, "Regressions", MD_GATE_REGRESSIONS);
    put_gate_kind(out, g, n, CP_GATE_IMPROVEMENT,
                  "Improvements (refresh the baseline to keep them)", MD_GATE_OTHERS);
    put_gate_kind(out, g, n, CP_GATE_NOW_RUN, "Now run (skipped in the baseline)", MD_GATE_OTHERS);
    put_gate_kind(out, g, n, CP_GATE_NEW, "New cases (not in the baseline)", MD_GATE_OTHERS);
    return cp_rep_check_stream(out, "Markdown");
}
