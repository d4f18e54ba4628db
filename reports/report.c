/* report.c - `certpath report`: read results files, write the reports asked for. */
#include "cp_baseline.h"
#include "cp_common.h"
#include "cp_report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum report_kind {
    REPORT_HTML,
    REPORT_JUNIT,
    REPORT_MARKDOWN,
    REPORT_LIMBO,
    REPORT_COMPARE_HTML,
    REPORT_COMPARE_MARKDOWN
};
static const char *const kind_names[] = {"HTML",        "JUnit",           "Markdown",
                                         "LimboResult", "comparison HTML", "comparison Markdown"};

void cp_report_opts_init(struct cp_report_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->profile = "webpki";
    o->out = stdout;
    o->err = stderr;
}

static int emit(enum report_kind kind, const struct cp_results *r, int n,
                const struct cp_report_opts *o, FILE *out)
{
    switch (kind) {
    case REPORT_HTML:
        return cp_report_write_html(r, n, o->profile, o->suite_dir ? o->suite_dir : "suite", out);
    case REPORT_JUNIT:
        return cp_report_write_junit(r, n, o->profile, out);
    case REPORT_MARKDOWN: {
        int rc = cp_report_write_markdown(r, n, o->profile, out);
        return rc || !o->baseline ? rc
                                  : cp_gate_write_markdown_for(r, n, o->baseline, o->profile, out);
    }
    case REPORT_LIMBO:
        return cp_report_write_limbo(r, o->profile, out);
    case REPORT_COMPARE_HTML:
        return cp_report_write_compare(r, o->profile, CP_COMPARE_HTML, out);
    case REPORT_COMPARE_MARKDOWN:
        return cp_report_write_compare(r, o->profile, CP_COMPARE_MARKDOWN, out);
    }
    return CP_E_INTERNAL;
}

/* Writes one report to path ("-": o->out), through a temporary file renamed into place so a
 * failed write never leaves half a report where a CI job picks it up. */
static int write_report(enum report_kind kind, const char *path, const struct cp_results *r, int n,
                        const struct cp_report_opts *o)
{
    int rc;
    char tmp[PATH_MAX];
    FILE *f = NULL;
    if (strcmp(path, "-") == 0)
        return emit(kind, r, n, o, o->out);
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
        rc = cp_error_set(CP_E_LIMIT, "path %s is too long", path);
        goto out;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0 || fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            remove(tmp);
        }
        goto out;
    }
    errno = 0;
    rc = emit(kind, r, n, o, f);
    /* A full disk shows as a stream error (the writer's own check, fflush) or at close; either
     * fails the report. errno still holds the writer's failure when it stopped on one. */
    int werr = errno ? errno : EIO;
    errno = 0;
    int e = fflush(f) ? errno : ferror(f) ? werr : 0;
    if (fclose(f) && !e)
        e = errno ? errno : EIO;
    /* The stream's failure, named by its file, over the writer's "cannot write the report". */
    if (e && (!rc || rc == CP_E_IO))
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(e));
    f = NULL;
    if (!rc && rename(tmp, path))
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
    if (rc)
        remove(tmp);
    else
        fprintf(o->err, "certpath report: wrote %s (%s)\n", path, kind_names[kind]);
out:
    return rc;
}

/* With several runs, the LimboResult (one harness per file) of each goes to PATH with the
 * stack's name before the extension: limbo.json -> limbo-gnutls.json. */
static int limbo_path(const char *path, const struct cp_results *r, int n, int s, char *buf,
                      size_t cap)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    int same = 0;
    char suffix[96];
    if (n == 1) {
        snprintf(buf, cap, "%s", path);
        return 0;
    }
    if (strcmp(path, "-") == 0)
        return cp_error_set(CP_E_ARG, "--limbo - takes one results file: LimboResult holds one "
                                      "harness; give a file name and each stack gets its own");
    for (int k = 0; k < n; k++)
        same += strcmp(r[k].stack, r[s].stack) == 0;
    /* Only names that are safe in a file name come from the results file. */
    size_t j = 0;
    suffix[j++] = '-';
    for (const char *p = r[s].stack; *p && j < 60; p++)
        suffix[j++] = (strchr("/\\.", *p) || (unsigned char)*p < 0x20) ? '_' : *p;
    suffix[j] = '\0';
    if (same > 1)
        snprintf(suffix + j, sizeof(suffix) - j, "-%d", s + 1);
    if (!dot || (slash && dot < slash) || dot == path || (slash && dot == slash + 1))
        dot = path + strlen(path);
    if (snprintf(buf, cap, "%.*s%s%s", (int)(dot - path), path, suffix, dot) >= (int)cap)
        return cp_error_set(CP_E_LIMIT, "path %s is too long", path);
    return 0;
}

static int load(const struct cp_report_opts *o, struct cp_results *r, int *n)
{
    int bad = 0;
    *n = 0;
    for (int i = 0; i < o->nfiles; i++) {
        struct cp_results *one = &r[*n];
        int rc = cp_results_read_json(o->files[i], one);
        if (!rc && *n > 0 && strcmp(one->suite_id, r[0].suite_id) != 0)
            rc = cp_error_set(CP_E_FORMAT,
                              "%s: from suite %.64s, but %s is from suite %.64s (another seed, "
                              "time or suite version); report them separately",
                              o->files[i], one->suite_id, o->files[0], r[0].suite_id);
        if (!rc && cp_results_profile(one, o->profile) < 0)
            rc = cp_error_set(CP_E_ARG, "%s: has no profile \"%s\" (it has %s%s%s)", o->files[i],
                              o->profile, one->profiles[0], one->nprofiles > 1 ? ", " : "",
                              one->nprofiles > 1 ? one->profiles[1] : "");
        if (rc) {
            fprintf(o->err, "certpath report: %s\n", cp_error_msg(rc));
            cp_results_free(one);
            bad++;
            continue;
        }
        (*n)++;
    }
    return bad;
}

/* The default profile, webpki, stands for an imported suite's only one (limbo): results of
 * such a suite report under it without --profile. */
static void default_profile(const struct cp_report_opts *in, struct cp_report_opts *o)
{
    struct cp_results one;
    *o = *in;
    if (strcmp(in->profile, "webpki") != 0 || in->nfiles < 1)
        return;
    cp_results_init(&one);
    if (cp_results_read_json(in->files[0], &one) == 0 && one.nprofiles == 1 &&
        strcmp(one.profiles[0], "limbo") == 0)
        o->profile = "limbo";
    cp_results_free(&one);
}

/* --compare: both files read (a bad one fails the comparison, naming it), of one suite, row and
 * mode; the text on o->out unless the Markdown or HTML goes there, and those where asked. */
static int run_compare(const struct cp_report_opts *o, struct cp_results *r, int n, int bad)
{
    int rc;
    bool text =
        !(o->markdown && strcmp(o->markdown, "-") == 0) && !(o->html && strcmp(o->html, "-") == 0);
    if (bad || n != 2)
        return cp_error_set(CP_E_FORMAT, "--compare needs both results files readable (see above)");
    if ((rc = cp_report_check_comparable(o->files, r)))
        return rc;
    if (text && (rc = cp_report_write_compare(r, o->profile, CP_COMPARE_TEXT, o->out)))
        return rc;
    if (o->markdown && (rc = write_report(REPORT_COMPARE_MARKDOWN, o->markdown, r, 2, o)))
        return rc;
    if (o->html && (rc = write_report(REPORT_COMPARE_HTML, o->html, r, 2, o)))
        return rc;
    return 0;
}

int cp_report_run(const struct cp_report_opts *in)
{
    struct cp_report_opts opts, *o = &opts;
    default_profile(in, o);
    int rc = CP_E_NOMEM, n = 0, bad;
    struct cp_results *r = calloc((size_t)o->nfiles + 1, sizeof(*r));
    const char *paths[] = {o->html, o->junit, o->markdown};
    char path[PATH_MAX];
    if (!r) {
        cp_error_set(rc, "out of memory");
        goto out;
    }
    if (o->compare && (o->nfiles != 2 || o->junit || o->limbo)) {
        rc = cp_error_set(CP_E_ARG, "--compare takes two results files (OLD NEW) and writes text, "
                                    "--markdown and --html only");
        goto out;
    }
    bad = load(o, r, &n);
    if (o->compare) {
        rc = run_compare(o, r, n, bad);
        goto out;
    }
    if (n == 0) {
        rc = cp_error_set(CP_E_FORMAT, "no results to report (%d file%s could not be read)", bad,
                          bad == 1 ? "" : "s");
        goto out;
    }
    if ((o->matrix || (!o->html && !o->junit && !o->markdown && !o->limbo)) &&
        (rc = cp_report_write_matrix(r, n, o->profile, o->out)))
        goto out;
    for (int k = REPORT_HTML; k <= REPORT_MARKDOWN; k++) {
        if (paths[k] && (rc = write_report((enum report_kind)k, paths[k], r, n, o)))
            goto out;
    }
    for (int s = 0; o->limbo && s < n; s++) {
        if ((rc = limbo_path(o->limbo, r, n, s, path, sizeof(path))) ||
            (rc = write_report(REPORT_LIMBO, path, &r[s], 1, o)))
            goto out;
    }
    rc = bad ? cp_error_set(CP_E_FORMAT,
                            "%d of %d results files could not be reported (see "
                            "above); the reports cover the other %d",
                            bad, o->nfiles, n)
             : 0;
out:
    for (int s = 0; r && s < n; s++)
        cp_results_free(&r[s]);
    free(r);
    return rc;
}
