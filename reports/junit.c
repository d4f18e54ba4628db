/* junit.c - JUnit XML: a testsuite per run, a testcase per (stack, case), so any CI system
 * shows wrong verdicts natively. The layout is the common one Jenkins, GitLab and GitHub
 * actions read: <testsuites> / <testsuite> / <testcase> with <failure>, <error>, <skipped>. */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

/* In a broken run (a control failed) nothing but the controls is scored: the other cases are
 * reported as skipped, so the failures a CI system shows are the controls' own. */
static bool scored(const struct cp_results *r, const struct cp_result_case *c)
{
    return !r->broken || strncmp(c->id, "controls/", 9) == 0;
}

struct suite_counts {
    int tests, failures, errors, skipped;
};

static struct suite_counts counts_of(const struct cp_results *r, int p)
{
    struct suite_counts k = {r->ncases, 0, 0, 0};
    for (int i = 0; i < r->ncases; i++) {
        enum cp_verdict v = r->cases[i].verdict[p];
        if (!scored(r, &r->cases[i]) || v == CP_V_SKIP || v == CP_V_NONE)
            k.skipped++;
        else if (v == CP_V_WRONG_ACCEPT || v == CP_V_WRONG_REJECT)
            k.failures++;
        else if (v == CP_V_ERROR)
            k.errors++;
    }
    return k;
}

static void put_features(FILE *out, const struct cp_results *r, uint64_t bits)
{
    int first = 1;
    for (int f = 0; f < r->nfeatures; f++) {
        if (bits & (UINT64_C(1) << f)) {
            fputs(first ? "" : ", ", out);
            cp_rep_put_xml(out, r->features[f]);
            first = 0;
        }
    }
    if (first)
        fputs("(none)", out);
}

static void put_details(FILE *out, const struct cp_results *r, int p,
                        const struct cp_result_case *c)
{
    fprintf(out, "expected: %s (profile ", c->expect_accept[p] ? "accept" : "reject");
    cp_rep_put_xml(out, r->profiles[p]);
    fprintf(out, ")\nactual:   %s\nreason:   ", cp_outcome_kind_name(c->outcome));
    cp_rep_put_xml(out, c->reason && *c->reason ? c->reason : "(none given)");
    fprintf(out, "\ncode:     %ld\nfamily:   ", c->code);
    cp_rep_put_xml(out, c->family);
    fputs("\nfeatures: ", out);
    put_features(out, r, c->features);
    fputc('\n', out);
}

static void put_case(FILE *out, const struct cp_results *r, int p, const struct cp_result_case *c)
{
    enum cp_verdict v = c->verdict[p];
    fputs("    <testcase classname=\"", out);
    cp_rep_put_xml(out, r->stack);
    fputs("\" name=\"", out);
    cp_rep_put_xml(out, c->id);
    fprintf(out, "\" time=\"%.6f\"", (double)c->usec / 1e6);
    if (!scored(r, c)) {
        fputs(">\n      <skipped message=\"not scored: a control failed (", out);
        cp_rep_put_xml(out, r->broken_reason);
        fputs(")\"/>\n    </testcase>\n", out);
        return;
    }
    switch (v) {
    case CP_V_WRONG_ACCEPT:
    case CP_V_WRONG_REJECT:
        fprintf(out, ">\n      <failure type=\"%s\" message=\"%s: expected %s, got %s",
                cp_verdict_name(v),
                v == CP_V_WRONG_ACCEPT ? "wrongly accepted" : "wrongly rejected",
                c->expect_accept[p] ? "accept" : "reject", cp_outcome_kind_name(c->outcome));
        if (c->reason && *c->reason) {
            fputs(": ", out);
            cp_rep_put_xml(out, c->reason);
        }
        fputs("\">", out);
        put_details(out, r, p, c);
        fputs("</failure>\n    </testcase>\n", out);
        break;
    case CP_V_ERROR:
        fprintf(out, ">\n      <error type=\"%s\" message=\"", cp_outcome_kind_name(c->outcome));
        cp_rep_put_xml(out, c->reason && *c->reason ? c->reason : cp_outcome_kind_name(c->outcome));
        fputs("\">", out);
        put_details(out, r, p, c);
        fputs("</error>\n    </testcase>\n", out);
        break;
    case CP_V_SKIP:
    case CP_V_NONE:
        fputs(">\n      <skipped message=\"", out);
        cp_rep_put_xml(out, c->reason && *c->reason ? c->reason : "skipped");
        fputs("\"/>\n    </testcase>\n", out);
        break;
    default:
        fputs("/>\n", out);
    }
}

static void put_property(FILE *out, const char *name, const char *value)
{
    fprintf(out, "      <property name=\"%s\" value=\"", name);
    cp_rep_put_xml(out, value);
    fputs("\"/>\n", out);
}

static void put_suite(FILE *out, const struct cp_results *r, int n, int s, int p)
{
    struct suite_counts k = counts_of(&r[s], p);
    char lib[256];
    int same = 0;
    for (int t = 0; t < n; t++)
        same += strcmp(r[t].stack, r[s].stack) == 0;
    fprintf(out, "  <testsuite id=\"%d\" name=\"", s);
    cp_rep_put_xml(out, r[s].stack);
    if (same > 1) { /* two runs of one stack (two builds, two versions): names must differ */
        fputs(" (", out);
        cp_rep_put_xml(out, cp_rep_library(&r[s], lib, sizeof(lib)));
        fprintf(out, " #%d)", s + 1);
    }
    fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
            k.tests, k.failures, k.errors, k.skipped, r[s].seconds);
    fputs("    <properties>\n", out);
    put_property(out, "library", r[s].library);
    put_property(out, "version", r[s].library_version);
    put_property(out, "mode", r[s].mode);
    put_property(out, "profile", r[s].profiles[p]);
    put_property(out, "suite", r[s].suite_id);
    put_property(out, "validation_time", r[s].validation_time);
    put_property(out, "complete", r[s].complete ? "true" : "false");
    put_property(out, "broken", r[s].broken ? "true" : "false");
    if (r[s].broken)
        put_property(out, "broken_reason", r[s].broken_reason);
    fputs("    </properties>\n", out);
    for (int i = 0; i < r[s].ncases; i++)
        put_case(out, &r[s], p, &r[s].cases[i]);
    fputs("  </testsuite>\n", out);
}

int cp_report_write_junit(const struct cp_results *r, int n, const char *profile, FILE *out)
{
    int rc = CP_E_NOMEM;
    int *prof = calloc((size_t)n + 1, sizeof(*prof));
    struct suite_counts all = {0, 0, 0, 0};
    double seconds = 0;
    if (!prof) {
        cp_error_set(rc, "out of memory writing JUnit XML");
        goto out;
    }
    if ((rc = cp_rep_profiles(r, n, profile, prof)))
        goto out;
    for (int s = 0; s < n; s++) {
        struct suite_counts k = counts_of(&r[s], prof[s]);
        all.tests += k.tests;
        all.failures += k.failures;
        all.errors += k.errors;
        all.skipped += k.skipped;
        seconds += r[s].seconds;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fputs("<testsuites name=\"certpath (profile ", out);
    cp_rep_put_xml(out, profile);
    fprintf(out, ")\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
            all.tests, all.failures, all.errors, all.skipped, seconds);
    for (int s = 0; s < n; s++)
        put_suite(out, r, n, s, prof[s]);
    fputs("</testsuites>\n", out);
    rc = cp_rep_check_stream(out, "JUnit");
out:
    free(prof);
    return rc;
}
