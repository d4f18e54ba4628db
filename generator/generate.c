/* generate.c - the generator's entry points: generate a suite, list cases, validation times. */
#include "cp_families.h"
#include "cp_fs.h"
#include "cp_manifest.h"
#include "cp_suite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cp_gen_opts_init(struct cp_gen_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->out_dir = "suite";
    o->seed = CP_DEFAULT_SEED;
    o->vtime = cp_time_default();
}

int64_t cp_time_default(void)
{
    int64_t now = (int64_t)time(NULL);
    return now - now % CP_HOUR;
}

void cp_time_format(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, cap, "@%" PRId64, t);
}

int cp_time_parse(const char *s, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    int64_t offset = 0;
    if (rest && (*rest == '+' || *rest == '-')) {
        int hh, mm, n = 0;
        if (sscanf(rest + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || rest[1 + n] != '\0' || hh > 23 ||
            mm > 59)
            rest = NULL;
        else
            offset = (*rest == '+' ? 1 : -1) * ((int64_t)hh * 3600 + mm * 60);
    } else if (rest && (rest[0] == 'Z' || rest[0] == 'z') && rest[1] == '\0') {
        offset = 0;
    } else {
        rest = NULL;
    }
    if (!rest)
        return cp_error_set(CP_E_ARG,
                            "bad time \"%s\": expected RFC 3339 like "
                            "2026-11-29T05:00:00Z",
                            s);
    /* strptime takes day 1..31 in any month and second 60: timegm would carry 2026-02-30 into
     * March. A real date survives the round trip unchanged. */
    struct tm want = tm, back;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_year != want.tm_year ||
        back.tm_mon != want.tm_mon || back.tm_mday != want.tm_mday ||
        back.tm_hour != want.tm_hour || back.tm_min != want.tm_min || back.tm_sec != want.tm_sec)
        return cp_error_set(CP_E_ARG, "bad time \"%s\": no such date or time of day", s);
    int64_t v = (int64_t)t - offset;
    if (v < CP_MANIFEST_TIME_MIN || v > CP_MANIFEST_TIME_MAX)
        return cp_error_set(CP_E_ARG, "bad time \"%s\": outside 1970-01-01 to 9999-12-31", s);
    *out = v;
    return 0;
}

static uint64_t suite_id(const struct cp_gen_opts *o)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "certpath %s|%" PRIu64 "|%" PRId64 "|", CP_VERSION, o->seed,
                     o->vtime);
    for (int i = 0; i < o->nfamilies && n > 0 && (size_t)n < sizeof(buf); i++)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s,", o->families[i]);
    return cp_fnv1a64_str(buf);
}

static void fill_stats(const struct cp_model *m, struct cp_gen_stats *st)
{
    st->ncases = m->ncases;
    st->ngraphs = m->ngraphs;
    st->ncerts = 0;
    for (int gi = 0; gi < m->ngraphs; gi++)
        st->ncerts += m->graphs[gi].ncerts;
    for (int i = 0; i < m->ncases; i++) {
        for (int p = 0; p < 2 && p < CP_PROFILE_COUNT; p++)
            st->naccept[p] += m->cases[i].expect[p].outcome == CP_OUTCOME_ACCEPT;
    }
    st->nfamilies = 0;
    for (int f = 0; f < cp_nfamilies && f < (int)CP_ARRAY_LEN(st->families); f++) {
        int n = 0;
        for (int i = 0; i < m->ncases; i++)
            n += strcmp(m->cases[i].family, cp_families[f].name) == 0;
        if (n)
            st->families[st->nfamilies++] = (struct cp_gen_family_count){cp_families[f].name, n};
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Refuses to replace a directory that is not a suite: `-o ~` must never wipe a home. */
static int check_target(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    if (lstat(dir, &st)) {
        if (errno == ENOENT)
            return 0;
        return cp_error_set(CP_E_IO, "cannot use %s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return cp_error_set(CP_E_ARG, "%s exists and is not a directory", dir);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    if (access(path, F_OK) == 0)
        return 0;
    if (rmdir(dir) == 0) /* an empty directory may go */
        return 0;
    return cp_error_set(CP_E_ARG,
                        "refusing to replace %s: it is not a certpath suite (it has "
                        "no manifest.json)",
                        dir);
}

/* Makes DIR.tmp.XXXXXX beside the target (same file system, so the final rename is atomic). */
static int make_temp(const char *dir, char *tmp, size_t cap)
{
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        int rc = cp_fs_mkdirs(parent);
        if (rc)
            return rc;
    }
    if (snprintf(tmp, cap, "%s.tmp.XXXXXX", dir) >= (int)cap)
        return cp_error_set(CP_E_LIMIT, "output path %s is too long", dir);
    if (!mkdtemp(tmp))
        return cp_error_set(CP_E_IO, "cannot create a directory beside %s: %s", dir,
                            strerror(errno));
    return 0;
}

/* Puts the finished suite in place. An existing suite is swapped out atomically and removed. */
static int install(const char *tmp, const char *dir)
{
    if (rename(tmp, dir) == 0)
        return 0;
    if (errno != ENOTEMPTY && errno != EEXIST)
        return cp_error_set(CP_E_IO, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE))
        return cp_error_set(CP_E_IO, "cannot replace %s: %s", dir, strerror(errno));
    return cp_fs_rmtree(tmp); /* tmp now holds the old suite */
}

static int write_expectations(const struct cp_model *m, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
    int rc = cp_generator_write_expectations(m, f);
    if (fclose(f) && !rc)
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
    return rc;
}

static int mint_and_write(const struct cp_model *m, const struct cp_gen_opts *o, const char *tmp)
{
    int rc = CP_E_NOMEM;
    char id[24];
    struct cp_minted *minted = calloc((size_t)m->ngraphs + 1, sizeof(*minted));
    if (!minted)
        return cp_error_set(rc, "out of memory for %d graphs", m->ngraphs);
    for (int i = 0; i < m->ngraphs; i++)
        cp_minted_init(&minted[i]);
    snprintf(id, sizeof(id), "%016" PRIx64, suite_id(o));
    if (!(rc = cp_suite_mint_all(m, o, tmp, minted)))
        rc = cp_suite_write_manifest(m, o, minted, id, tmp);
    for (int i = 0; i < m->ngraphs; i++)
        cp_minted_free(&minted[i]);
    free(minted);
    return rc;
}

int cp_generator_generate(const struct cp_gen_opts *o, struct cp_gen_stats *stats)
{
    struct cp_model m;
    struct cp_gen_stats st;
    struct timespec t0;
    char tmp[PATH_MAX] = "";
    int rc;

    memset(&st, 0, sizeof(st));
    cp_model_init(&m);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = cp_generator_build(&m, o->families, o->nfamilies)))
        goto out;
    if ((rc = cp_model_count_distinct(&m)) < 0)
        goto out;
    st.ndistinct = rc;
    fill_stats(&m, &st);
    st.build_seconds = seconds_since(&t0);
    if ((rc = check_target(o->out_dir)) || (rc = make_temp(o->out_dir, tmp, sizeof(tmp))))
        goto out;
    if ((rc = mint_and_write(&m, o, tmp)))
        goto out;
    if (o->expectations_path && (rc = write_expectations(&m, o->expectations_path)))
        goto out;
    if (o->stop && *o->stop) {
        rc = cp_error_set(CP_E_INTERRUPTED, "interrupted; %s was left as it was", o->out_dir);
        goto out;
    }
    if ((rc = install(tmp, o->out_dir)))
        goto out;
    tmp[0] = '\0';
    st.mint_seconds = seconds_since(&t0) - st.build_seconds;
out:
    if (tmp[0]) {
        int keep = rc;
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s", cp_error_msg(rc));
        cp_fs_rmtree(tmp);
        cp_error_set(keep, "%s", msg);
    }
    if (stats)
        *stats = st;
    cp_model_free(&m);
    return rc;
}

static void list_case(FILE *out, const struct cp_case *c)
{
    fprintf(out, "%-72s", c->id);
    for (int p = 0; p < CP_PROFILE_COUNT; p++)
        fprintf(out, " %s=%s", cp_profile_name((enum cp_profile)p),
                c->expect[p].outcome == CP_OUTCOME_ACCEPT ? "accept" : "reject");
    fprintf(out, "\n    %s\n", c->description);
}

int cp_generator_list(FILE *out, const char *const *families, int n, bool families_only)
{
    if (families_only) {
        for (int i = 0; i < cp_nfamilies; i++)
            fprintf(out, "%-14s %s\n", cp_families[i].name, cp_families[i].summary);
        return 0;
    }
    struct cp_model m;
    cp_model_init(&m);
    int rc = cp_generator_build(&m, families, n);
    if (!rc) {
        for (int i = 0; i < m.ncases; i++)
            list_case(out, &m.cases[i]);
        int distinct = cp_model_count_distinct(&m);
        fprintf(out, "%d cases (%d distinct) in %d graphs\n", m.ncases, distinct, m.ngraphs);
    }
    cp_model_free(&m);
    return rc;
}
