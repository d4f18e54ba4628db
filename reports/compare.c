/*
 * compare.c - `certpath report --compare OLD.json NEW.json`: what changed between two runs of
 * one row on one suite, typically two versions of its library (Debian 12's and Debian 13's):
 * the verdict counts side by side, every feature whose support changed, and every case whose
 * verdict changed, each called an improvement, a regression or a change. Text, Markdown and
 * HTML say the same thing; scripts/releases.sh writes docs/releases.md with the Markdown.
 *
 * A case improved when its verdict became pass, regressed when it was pass and is no longer,
 * and changed otherwise (wrongly accepted to wrongly rejected, an error to a skip).
 */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

enum cmp_kind { CMP_IMPROVED, CMP_REGRESSED, CMP_CHANGED, CMP_KINDS };
static const char *const kind_word[CMP_KINDS] = {"improved", "regressed", "changed"};

/* The most cases a report lists per kind; the counts always cover all of them. */
#define CMP_LIST_MAX 400

struct cmp_case {
    const char *id;
    enum cp_verdict from, to;
    const char *reason; /* the new run's reason, or "" */
};

struct cmp_feature {
    const char *name;
    enum cp_support from, to;
};

struct cmp {
    const struct cp_results *r; /* [2]: old, new */
    int prof[2];
    struct cmp_case *cases[CMP_KINDS];
    int ncases[CMP_KINDS];
    int unchanged, only_old, only_new;
    struct cmp_feature features[CP_RESULTS_MAX_FEATURES];
    int nfeatures, features_unchanged;
};

static enum cmp_kind kind_of(enum cp_verdict from, enum cp_verdict to)
{
    if (to == CP_V_PASS)
        return CMP_IMPROVED;
    return from == CP_V_PASS ? CMP_REGRESSED : CMP_CHANGED;
}

static int compare_cases(struct cmp *c, const char *profile)
{
    struct cp_rep_grid g;
    int rc = cp_rep_grid_build(&g, c->r, 2, profile);
    if (rc)
        return rc;
    for (int k = 0; k < CMP_KINDS; k++) {
        if (!(c->cases[k] = calloc((size_t)g.nrows + 1, sizeof(struct cmp_case)))) {
            cp_rep_grid_free(&g);
            return cp_error_set(CP_E_NOMEM, "out of memory comparing %d cases", g.nrows);
        }
    }
    for (int i = 0; i < g.nrows; i++) {
        int a = g.at[i * 2], b = g.at[i * 2 + 1];
        if (a < 0 || b < 0) {
            c->only_old += b < 0;
            c->only_new += a < 0;
            continue;
        }
        const struct cp_result_case *x = &c->r[0].cases[a], *y = &c->r[1].cases[b];
        enum cp_verdict from = x->verdict[c->prof[0]], to = y->verdict[c->prof[1]];
        if (from == to) {
            c->unchanged++;
            continue;
        }
        enum cmp_kind k = kind_of(from, to);
        c->cases[k][c->ncases[k]++] = (struct cmp_case){
            .id = y->id, .from = from, .to = to, .reason = y->reason ? y->reason : ""};
    }
    cp_rep_grid_free(&g);
    return 0;
}

/* Support levels from worst to best; not measured sorts below all. */
static int support_rank(enum cp_support s)
{
    return s == CP_SUPPORTED ? 3 : s == CP_SUPPORT_PARTIAL ? 2 : s == CP_UNSUPPORTED ? 1 : 0;
}

static void compare_features(struct cmp *c)
{
    const struct cp_results *a = &c->r[0], *b = &c->r[1];
    for (int f = 0; f < b->nfeatures; f++) {
        enum cp_support to = b->summary[c->prof[1]][f].support, from = CP_SUPPORT_NONE;
        for (int e = 0; e < a->nfeatures; e++) {
            if (strcmp(a->features[e], b->features[f]) == 0)
                from = a->summary[c->prof[0]][e].support;
        }
        if (from == to) {
            c->features_unchanged++;
            continue;
        }
        c->features[c->nfeatures++] =
            (struct cmp_feature){.name = b->features[f], .from = from, .to = to};
    }
}

static const char *feature_word(const struct cmp_feature *f)
{
    int a = support_rank(f->from), b = support_rank(f->to);
    return a && b ? (b > a ? "improved" : "regressed") : "changed";
}

static const char *platform_of(const struct cp_results *r)
{
    return r->has_platform && *r->platform.pretty_name ? r->platform.pretty_name
                                                       : "platform not recorded";
}

static void free_cmp(struct cmp *c)
{
    for (int k = 0; k < CMP_KINDS; k++)
        free(c->cases[k]);
}

/* ---- text ---- */

static void write_text(const struct cmp *c, const char *profile, FILE *out)
{
    const struct cp_results *a = &c->r[0], *b = &c->r[1];
    fprintf(out, "%s (%s), profile %s\n  old: %s (%s)\n  new: %s (%s)\n", b->stack, b->mode,
            profile, a->library_version, platform_of(a), b->library_version, platform_of(b));
    fprintf(out, "  %-18s %7s %7s\n", "verdict", "old", "new");
    for (int v = CP_V_PASS; v < CP_V_COUNT; v++)
        fprintf(out, "  %-18s %7d %7d\n", cp_verdict_name((enum cp_verdict)v),
                a->counts[c->prof[0]][v], b->counts[c->prof[1]][v]);
    fprintf(out, "  features: %d changed, %d unchanged\n", c->nfeatures, c->features_unchanged);
    for (int f = 0; f < c->nfeatures; f++)
        fprintf(out, "    %-9s %s: %s -> %s\n", feature_word(&c->features[f]), c->features[f].name,
                cp_support_name(c->features[f].from), cp_support_name(c->features[f].to));
    fprintf(out,
            "  cases: %d improved, %d regressed, %d changed, %d unchanged, %d only in old, %d "
            "only in new\n",
            c->ncases[CMP_IMPROVED], c->ncases[CMP_REGRESSED], c->ncases[CMP_CHANGED], c->unchanged,
            c->only_old, c->only_new);
    for (int k = 0; k < CMP_KINDS; k++) {
        for (int i = 0; i < c->ncases[k] && i < CMP_LIST_MAX; i++)
            fprintf(out, "    %-9s %s: %s -> %s\n", kind_word[k], c->cases[k][i].id,
                    cp_verdict_name(c->cases[k][i].from), cp_verdict_name(c->cases[k][i].to));
        if (c->ncases[k] > CMP_LIST_MAX)
            fprintf(out, "    ... and %d more %s\n", c->ncases[k] - CMP_LIST_MAX, kind_word[k]);
    }
}

/* ---- Markdown ---- */

static void write_markdown(const struct cmp *c, const char *profile, FILE *out)
{
    const struct cp_results *a = &c->r[0], *b = &c->r[1];
    fputs("### ", out);
    cp_rep_put_md(out, b->stack);
    fprintf(out, " (%s): ", b->mode);
    cp_rep_put_md(out, a->library_version);
    fputs(" → ", out);
    cp_rep_put_md(out, b->library_version);
    fputs("\n\n| verdict (", out);
    cp_rep_put_md(out, profile);
    fputs(") | ", out);
    cp_rep_put_md(out, platform_of(a));
    fputs(" | ", out);
    cp_rep_put_md(out, platform_of(b));
    fputs(" |\n|---|---:|---:|\n", out);
    for (int v = CP_V_PASS; v < CP_V_COUNT; v++)
        fprintf(out, "| %s | %d | %d |\n", cp_verdict_name((enum cp_verdict)v),
                a->counts[c->prof[0]][v], b->counts[c->prof[1]][v]);
    fprintf(out, "\nFeatures: %d changed, %d unchanged.\n", c->nfeatures, c->features_unchanged);
    if (c->nfeatures) {
        fputs("\n| feature | old | new | |\n|---|---|---|---|\n", out);
        for (int f = 0; f < c->nfeatures; f++) {
            fputs("| ", out);
            cp_rep_put_code(out, c->features[f].name);
            fprintf(out, " | %s | %s | %s |\n", cp_support_name(c->features[f].from),
                    cp_support_name(c->features[f].to), feature_word(&c->features[f]));
        }
    }
    fprintf(out,
            "\nCases: %d improved, %d regressed, %d changed, %d unchanged, %d only in the old "
            "run, %d only in the new.\n",
            c->ncases[CMP_IMPROVED], c->ncases[CMP_REGRESSED], c->ncases[CMP_CHANGED], c->unchanged,
            c->only_old, c->only_new);
    if (c->ncases[CMP_IMPROVED] + c->ncases[CMP_REGRESSED] + c->ncases[CMP_CHANGED] == 0) {
        fputc('\n', out);
        return;
    }
    fputs("\n| case | old | new | | the new run's reason |\n|---|---|---|---|---|\n", out);
    for (int k = 0; k < CMP_KINDS; k++) {
        for (int i = 0; i < c->ncases[k] && i < CMP_LIST_MAX; i++) {
            const struct cmp_case *x = &c->cases[k][i];
            fputs("| ", out);
            cp_rep_put_code(out, x->id);
            fprintf(out, " | %s | %s | %s | ", cp_verdict_name(x->from), cp_verdict_name(x->to),
                    kind_word[k]);
            cp_rep_put_md(out, x->reason);
            fputs(" |\n", out);
        }
        if (c->ncases[k] > CMP_LIST_MAX)
            fprintf(out, "| … and %d more %s | | | | |\n", c->ncases[k] - CMP_LIST_MAX,
                    kind_word[k]);
    }
    fputc('\n', out);
}

/* ---- HTML ---- */

static void html_cell(FILE *out, const char *s)
{
    fputs("<td>", out);
    cp_rep_put_xml(out, s);
    fputs("</td>", out);
}

static void write_html(const struct cmp *c, const char *profile, FILE *out)
{
    const struct cp_results *a = &c->r[0], *b = &c->r[1];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>certpath: ",
          out);
    cp_rep_put_xml(out, b->stack);
    fputs(" compared</title><style>body{font-family:sans-serif;margin:2em}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
          "padding:.2em .5em;text-align:left}.improved{background:#e6ffe6}"
          ".regressed{background:#ffe6e6}</style></head><body>\n<h1>",
          out);
    cp_rep_put_xml(out, b->stack);
    fputs(" (", out);
    cp_rep_put_xml(out, b->mode);
    fputs(")</h1>\n<table><tr><th>verdict (", out);
    cp_rep_put_xml(out, profile);
    fputs(")</th>", out);
    for (int s = 0; s < 2; s++) {
        fputs("<th>", out);
        cp_rep_put_xml(out, c->r[s].library_version);
        fputs("<br>", out);
        cp_rep_put_xml(out, platform_of(&c->r[s]));
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (int v = CP_V_PASS; v < CP_V_COUNT; v++)
        fprintf(out, "<tr><td>%s</td><td>%d</td><td>%d</td></tr>\n",
                cp_verdict_name((enum cp_verdict)v), a->counts[c->prof[0]][v],
                b->counts[c->prof[1]][v]);
    fprintf(out, "</table>\n<h2>Features: %d changed, %d unchanged</h2>\n<table>", c->nfeatures,
            c->features_unchanged);
    fputs("<tr><th>feature</th><th>old</th><th>new</th></tr>\n", out);
    for (int f = 0; f < c->nfeatures; f++) {
        fprintf(out, "<tr class=\"%s\">", feature_word(&c->features[f]));
        html_cell(out, c->features[f].name);
        html_cell(out, cp_support_name(c->features[f].from));
        html_cell(out, cp_support_name(c->features[f].to));
        fputs("</tr>\n", out);
    }
    fprintf(out,
            "</table>\n<h2>Cases: %d improved, %d regressed, %d changed, %d unchanged, %d only "
            "in the old run, %d only in the new</h2>\n<table>",
            c->ncases[CMP_IMPROVED], c->ncases[CMP_REGRESSED], c->ncases[CMP_CHANGED], c->unchanged,
            c->only_old, c->only_new);
    fputs("<tr><th>case</th><th>old</th><th>new</th><th>the new run's reason</th></tr>\n", out);
    for (int k = 0; k < CMP_KINDS; k++) {
        for (int i = 0; i < c->ncases[k] && i < CMP_LIST_MAX; i++) {
            const struct cmp_case *x = &c->cases[k][i];
            fprintf(out, "<tr class=\"%s\">", kind_word[k]);
            html_cell(out, x->id);
            html_cell(out, cp_verdict_name(x->from));
            html_cell(out, cp_verdict_name(x->to));
            html_cell(out, x->reason);
            fputs("</tr>\n", out);
        }
    }
    fputs("</table>\n</body></html>\n", out);
}

int cp_report_check_comparable(const char *const paths[2], const struct cp_results r[2])
{
    if (strcmp(r[0].stack, r[1].stack) != 0)
        return cp_error_set(CP_E_FORMAT,
                            "%s: is a run of %.64s, %s of %.64s: --compare takes two runs of one "
                            "row",
                            paths[1], r[1].stack, paths[0], r[0].stack);
    if (strcmp(r[0].mode, r[1].mode) != 0)
        return cp_error_set(CP_E_FORMAT, "%s: ran %s, %s ran %s: compare runs of one mode",
                            paths[1], r[1].mode, paths[0], r[0].mode);
    return 0;
}

int cp_report_write_compare(const struct cp_results r[2], const char *profile,
                            enum cp_compare_format format, FILE *out)
{
    struct cmp c = {.r = r};
    c.prof[0] = cp_results_profile(&r[0], profile);
    c.prof[1] = cp_results_profile(&r[1], profile);
    if (c.prof[0] < 0 || c.prof[1] < 0)
        return cp_error_set(CP_E_ARG, "both runs need profile %s", profile);
    int rc = compare_cases(&c, profile);
    if (!rc) {
        compare_features(&c);
        if (format == CP_COMPARE_MARKDOWN)
            write_markdown(&c, profile, out);
        else if (format == CP_COMPARE_HTML)
            write_html(&c, profile, out);
        else
            write_text(&c, profile, out);
        if (ferror(out))
            rc = cp_error_set(CP_E_IO, "cannot write the comparison");
    }
    free_cmp(&c);
    return rc;
}
