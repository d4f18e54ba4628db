/* text.c - the matrix for a terminal: one row per stack, BetterTLS's columns. */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Wider library strings ("Botan 2.19.3 (unreleased, revision unknown, ...)") are cut. */
#define TEXT_LIBRARY_MAX 30
#define TEXT_CELL 8

/* The share of cases that pass, never rounded to 100% or 0% when it is not. */
static int percent(int pass, int fail)
{
    int pct = pass * 100 / (pass + fail);
    if (fail && pct == 100)
        pct = 99;
    if (pass && pct == 0)
        pct = 1;
    return pct;
}

static int cell_width(int k)
{
    int w = (int)strlen(cp_rep_columns[k].abbrev);
    return w > TEXT_CELL - 2 ? w : TEXT_CELL - 2;
}

static void put_cell(FILE *out, const struct cp_rep_cell *c, int width)
{
    char buf[16];
    if (c->pass + c->fail > 0)
        snprintf(buf, sizeof(buf), "%c%4d%%", cp_support_look(c->support)->mark,
                 percent(c->pass, c->fail));
    else if (c->skip + c->error > 0)
        snprintf(buf, sizeof(buf), "%s", c->skip ? " skip" : "  err");
    else
        snprintf(buf, sizeof(buf), "    .");
    fprintf(out, "  %-*s", width, buf);
}

/* Text from a results file goes to a terminal: control characters are dropped so an escape
 * sequence in a library's version string cannot reach it. */
static void put_clean(FILE *out, const char *s, int width)
{
    int n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool lead = (c & 0xc0) != 0x80; /* a character starts here: it takes a column */
        if (lead && n >= width)
            break;
        if (c >= 0x20 && c != 0x7f) {
            fputc(*s, out);
            n += lead;
        }
    }
    fprintf(out, "%*s", width > n ? width - n : 0, "");
}

static void put_plain(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s >= 0x20 && *s != 0x7f ? *s : ' ', out);
}

static void library_text(const struct cp_results *r, char *buf, size_t cap)
{
    cp_rep_library_short(r, buf, cap);
    if (strlen(buf) > TEXT_LIBRARY_MAX)
        memcpy(buf + TEXT_LIBRARY_MAX - 3, "...", 4);
}

static void notes(const struct cp_results *r, int n, FILE *out)
{
    for (int s = 0; s < n; s++) {
        if (r[s].broken) {
            fputs("  ", out);
            put_plain(out, r[s].stack);
            fputs(" is BROKEN: ", out);
            put_plain(out, r[s].broken_reason ? r[s].broken_reason : "a control failed");
            fputs(" (the controls failed: its row is no finding)\n", out);
        } else if (!r[s].complete) {
            fputs("  ", out);
            put_plain(out, r[s].stack);
            fprintf(out, " is INCOMPLETE: the run stopped early; its row covers %d cases\n",
                    r[s].ncases);
        }
    }
    if (!cp_rep_same_suite(r, n))
        fprintf(out, "  the runs come from different suites: rows are not comparable case by "
                     "case\n");
}

/* The name-constraint columns: per stack, of the cases whose constraints name a GeneralName
 * type or sit at a placement, how many pass (of those scored). */
static void nc_matrix(const struct cp_results *r, int n, const int *prof, int wstack, FILE *out)
{
    struct cp_rep_nc nc;
    struct cp_rep_cell cells[CP_REP_NC_MAX];
    char buf[32];
    cp_rep_nc_columns(r, n, &nc);
    if (!nc.ncols)
        return;
    int width[CP_REP_NC_MAX];
    fprintf(out, "\nname constraints: pass/scored per GeneralName type");
    if (nc.ncols > nc.nforms)
        fprintf(out, " | per placement");
    fprintf(out, "\n\n%-*s  %-10s", wstack, "stack", "mode");
    for (int k = 0; k < nc.ncols; k++) {
        width[k] = (int)strlen(nc.col[k].abbrev);
        for (int s = 0; s < n; s++) {
            cp_rep_nc_row(&r[s], prof[s], &nc, cells);
            int len =
                snprintf(buf, sizeof(buf), "%d/%d", cells[k].pass, cells[k].pass + cells[k].fail);
            width[k] = len > width[k] ? len : width[k];
        }
        fprintf(out, "%s%-*s", k == nc.nforms ? "  |  " : "  ", k + 1 < nc.ncols ? width[k] : 0,
                nc.col[k].abbrev);
    }
    fputc('\n', out);
    for (int s = 0; s < n; s++) {
        cp_rep_nc_row(&r[s], prof[s], &nc, cells);
        put_clean(out, r[s].stack, wstack);
        fputs("  ", out);
        put_clean(out, r[s].mode ? r[s].mode : "", 10);
        for (int k = 0; k < nc.ncols; k++) {
            const struct cp_rep_cell *c = &cells[k];
            if (c->pass + c->fail)
                snprintf(buf, sizeof(buf), "%d/%d", c->pass, c->pass + c->fail);
            else
                snprintf(buf, sizeof(buf), "%s", c->skip ? "skip" : c->error ? "err" : ".");
            fprintf(out, "%s%-*s", k == nc.nforms ? "  |  " : "  ", k + 1 < nc.ncols ? width[k] : 0,
                    buf);
        }
        fputc('\n', out);
    }
    fprintf(out, "\n  n/m: of the cases whose constraints name that type (sit there), m were "
                 "scored and n pass (skips and errors aside)\n");
}

int cp_report_write_matrix(const struct cp_results *r, int n, const char *profile, FILE *out)
{
    int rc = CP_E_NOMEM, wstack = 5, wlib = 7;
    int *prof = calloc((size_t)n + 1, sizeof(*prof));
    char lib[256];
    if (!prof) {
        cp_error_set(rc, "out of memory writing the matrix");
        goto out;
    }
    if ((rc = cp_rep_profiles(r, n, profile, prof)))
        goto out;
    for (int s = 0; s < n; s++) {
        int len = (int)strlen(r[s].stack);
        wstack = len > wstack ? len : wstack;
        library_text(&r[s], lib, sizeof(lib));
        len = (int)strlen(lib);
        wlib = len > wlib ? len : wlib;
    }
    wstack = wstack > 24 ? 24 : wstack;
    fprintf(out, "certpath report: profile %s, suite ", profile);
    put_plain(out, r[0].suite_id);
    fprintf(out, ", %d stack%s\n\n", n, n == 1 ? "" : "s");
    fprintf(out, "%-*s  %-*s  %-10s", wstack, "stack", wlib, "library", "mode");
    for (int k = 0; k < CP_REP_NCOLS; k++)
        fprintf(out, "  %-*s", cell_width(k), cp_rep_columns[k].abbrev);
    fprintf(out, "  %6s %6s %6s %5s %5s\n", "pass", "w-acc", "w-rej", "skip", "error");
    for (int s = 0; s < n; s++) {
        struct cp_rep_row row;
        cp_rep_matrix_row(&r[s], prof[s], &row);
        library_text(&r[s], lib, sizeof(lib));
        put_clean(out, r[s].stack, wstack);
        fputs("  ", out);
        put_clean(out, lib, wlib);
        fputs("  ", out);
        put_clean(out, r[s].mode ? r[s].mode : "", 10);
        for (int k = 0; k < CP_REP_NCOLS; k++)
            put_cell(out, &row.cell[k], cell_width(k));
        fprintf(out, "  %6d %6d %6d %5d %5d%s\n", row.pass, row.wrong_accept, row.wrong_reject,
                row.skip, row.error,
                r[s].broken      ? "  BROKEN"
                : !r[s].complete ? "  partial"
                                 : "");
    }
    fprintf(out, "\n  + supported, ~ partial, - not supported: BetterTLS's call, from the "
                 "feature's probe cases\n"
                 "  n%%: of every case that needs the feature, the share that passes (skips and "
                 "errors aside)\n"
                 "  other: cases that need a feature outside these columns (key usage, path "
                 "length, signatures, ...)\n"
                 "  error: error, timeout or crash\n");
    nc_matrix(r, n, prof, wstack, out);
    notes(r, n, out);
    rc = cp_rep_check_stream(out, "matrix");
out:
    free(prof);
    return rc;
}
