/*
 * journal.c - every finished case, appended and flushed as it finishes.
 *
 * JSON lines: a header {"journal": "certpath", "journal_version", "run", "suite_id", "stack",
 * "mode", "profiles", "program", "filter", "shard", "tls"}, then one line per case {"run", "id",
 * "outcome", "code", "reason", "usec", "cpu_usec"}, over the wire also "server" and "tls" (the
 * engine that served the case, the version negotiated). "run" is a digest of everything that makes
 * the run what it is (the header's fields), carried by every line, so that --resume takes only the
 * lines of this very run: a journal of another suite, stack, program, mode, profile set,
 * filter or shard, or a line of another run written into this one, is refused with a message
 * naming the file and the line.
 *
 * After Ctrl-C, a kill or a full disk the journal holds every finished case. A line is written
 * with one write(); when that fails the file is cut back to its last complete line. A last line
 * cut short all the same (kill -9 in the middle of the write) is dropped and cut off the file
 * before anything is appended, so no case is ever glued onto it.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_hash.h"
#include "harness_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A journal holds one line per case of a suite; 2,546 cases take under 1 MiB. 256 MiB is far
 * beyond any suite and bounds what --resume reads. */
#define CP_JOURNAL_MAX (256u << 20)
/* One journal line: a case id, an outcome and a reason of at most CP_REASON_TEXT_MAX bytes,
 * escaped; 8 KiB is ample. */
#define CP_JOURNAL_LINE_MAX 8192
#define CP_JOURNAL_VERSION 2
/* Native codes are C longs from a library; JSON numbers are doubles, exact to 2^53. A code
 * outside that range was not written by certpath. */
#define CP_JOURNAL_CODE_MAX 9007199254740992.0
/* Microseconds a case took: at most an hour (the largest --timeout) and some. */
#define CP_JOURNAL_USEC_MAX 1e10

struct cp_journal {
    int fd;
    char *path;
    char run[20];
};

static void run_digest(const struct cp_results *r, const struct cp_journal_id *id, char *out,
                       size_t cap)
{
    uint64_t h = CP_FNV1A64_INIT;
    const char *parts[] = {r->suite_id, r->stack, r->mode, id->program, id->filter};
    char shard[32];
    for (size_t i = 0; i < CP_ARRAY_LEN(parts); i++)
        h = cp_fnv1a64_add(h, parts[i] ? parts[i] : "", strlen(parts[i] ? parts[i] : "") + 1);
    for (int p = 0; p < r->nprofiles; p++)
        h = cp_fnv1a64_add(h, r->profiles[p], strlen(r->profiles[p]) + 1);
    snprintf(shard, sizeof(shard), "%d/%d", id->shard_index, id->shard_count);
    h = cp_fnv1a64_add(h, shard, strlen(shard) + 1);
    /* Only a pinned version joins the digest, so an unpinned run's is what it was before --tls. */
    if (id->tls)
        h = cp_fnv1a64_add(h, id->tls, strlen(id->tls) + 1);
    snprintf(out, cap, "%016llx", (unsigned long long)h);
}

static cJSON *header_json(const struct cp_results *r, const struct cp_journal_id *id,
                          const char *run)
{
    char shard[32] = "";
    cJSON *h = cJSON_CreateObject();
    if (id->shard_count > 0)
        snprintf(shard, sizeof(shard), "%d/%d", id->shard_index, id->shard_count);
    if (!h || !cJSON_AddStringToObject(h, "journal", "certpath") ||
        !cJSON_AddNumberToObject(h, "journal_version", CP_JOURNAL_VERSION) ||
        !cJSON_AddStringToObject(h, "run", run) ||
        !cJSON_AddStringToObject(h, "suite_id", r->suite_id) ||
        !cJSON_AddStringToObject(h, "stack", r->stack) ||
        !cJSON_AddStringToObject(h, "mode", r->mode) ||
        !cJSON_AddItemToObject(
            h, "profiles",
            cJSON_CreateStringArray((const char *const *)r->profiles, r->nprofiles)) ||
        !cJSON_AddStringToObject(h, "program", id->program ? id->program : "") ||
        !cJSON_AddStringToObject(h, "filter", id->filter ? id->filter : "") ||
        !cJSON_AddStringToObject(h, "shard", shard) ||
        !cJSON_AddStringToObject(h, "tls", id->tls ? id->tls : "")) {
        cJSON_Delete(h);
        return NULL;
    }
    return h;
}

/* One line, written whole or not at all: a failed write is cut back off the file. */
static int write_line(struct cp_journal *j, cJSON *o)
{
    char *text = cJSON_PrintUnformatted(o);
    int rc = 0;
    if (!text)
        return cp_error_set(CP_E_NOMEM, "out of memory writing %s", j->path);
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (!line) {
        cJSON_free(text);
        return cp_error_set(CP_E_NOMEM, "out of memory writing %s", j->path);
    }
    line[len++] = '\n';
    off_t at = lseek(j->fd, 0, SEEK_END);
    for (size_t done = 0; done < len;) {
        ssize_t w = write(j->fd, line + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            if (at >= 0 && ftruncate(j->fd, at) == 0)
                rc = cp_error_set(CP_E_IO,
                                  "cannot write %s: %s (it holds every case finished before; "
                                  "--resume goes on from there)",
                                  j->path, strerror(e));
            else
                rc = cp_error_set(CP_E_IO, "cannot write %s: %s", j->path, strerror(e));
            break;
        }
        done += (size_t)w;
    }
    free(line);
    return rc;
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The header of the journal at path against this run's: the first field that differs. */
static int check_header(const char *path, const cJSON *h, const cJSON *want)
{
    static const char *const fields[] = {"suite_id", "stack", "program",  "mode",
                                         "filter",   "shard", "profiles", "tls"};
    const char *j = str_of(h, "journal");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, "journal_version");
    if (!j || strcmp(j, "certpath") || !cJSON_IsNumber(v) ||
        cJSON_GetNumberValue(v) != CP_JOURNAL_VERSION)
        return cp_error_set(CP_E_FORMAT,
                            "%s is no certpath journal of this version (line 1); run without "
                            "--resume to start over",
                            path);
    for (size_t i = 0; i < CP_ARRAY_LEN(fields); i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, fields[i]);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(want, fields[i]);
        if (a && cJSON_Compare(a, b, true))
            continue;
        /* A journal from before --tls has no "tls": it was not pinned. */
        if (!a && strcmp(fields[i], "tls") == 0 && !*cJSON_GetStringValue(b))
            continue;
        char *at = a ? cJSON_PrintUnformatted(a) : NULL, *bt = cJSON_PrintUnformatted(b);
        int rc = cp_error_set(CP_E_FORMAT,
                              "%s is the journal of another run: its %s is %.200s, this run's "
                              "is %.200s; run without --resume to start over, or give this run "
                              "another -o",
                              path, fields[i], at ? at : "(none)", bt ? bt : "?");
        cJSON_free(at);
        cJSON_free(bt);
        return rc;
    }
    const char *run = str_of(h, "run"), *mine = str_of(want, "run");
    if (!run || strcmp(run, mine))
        return cp_error_set(CP_E_FORMAT, "%s: line 1 names run %s, not this run's %s", path,
                            run ? run : "(none)", mine);
    return 0;
}

static int find_case(const struct cp_results *r, const char *id)
{
    for (int i = 0; i < r->ncases; i++) {
        if (strcmp(r->cases[i].id, id) == 0)
            return i;
    }
    return -1;
}

/* A finite number within [lo, hi], or the default when absent. */
static int number_in(const cJSON *o, const char *key, double lo, double hi, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = 0;
        return 0;
    }
    double d = cJSON_GetNumberValue(v);
    /* NaN fails every comparison; within the range the cast is defined. */
    if (!cJSON_IsNumber(v) || !(d >= lo && d <= hi) || (double)(long long)d != d)
        return -1;
    *out = d;
    return 0;
}

/* One case line of this run: applied to r, or a message naming the line. */
static int apply_line(const char *path, int line, struct cp_results *r, const cJSON *o,
                      const char *run, int *resumed)
{
    const char *lrun = o ? str_of(o, "run") : NULL, *id = o ? str_of(o, "id") : NULL;
    const char *out = o ? str_of(o, "outcome") : NULL, *reason = o ? str_of(o, "reason") : NULL;
    double code, usec, cpu_usec;
    if (!o)
        return cp_error_set(CP_E_FORMAT,
                            "%s: line %d is not JSON (the journal was changed by hand or its "
                            "disk failed); run without --resume to start over",
                            path, line);
    if (!lrun || strcmp(lrun, run))
        return cp_error_set(CP_E_FORMAT,
                            "%s: line %d is of another run (run %.40s, this run is %s): two runs "
                            "wrote this journal; run without --resume to start over",
                            path, line, lrun ? lrun : "(none)", run);
    int i = id ? find_case(r, id) : -1, kind = out ? cp_outcome_kind_lookup(out) : -1;
    if (i < 0)
        return cp_error_set(CP_E_FORMAT, "%s: line %d: case %.200s is not in the suite", path, line,
                            id ? id : "(no id)");
    if (kind <= CP_OUT_NONE)
        return cp_error_set(CP_E_FORMAT, "%s: line %d (case %s): unknown outcome %.40s", path, line,
                            id, out ? out : "(none)");
    if (number_in(o, "code", -CP_JOURNAL_CODE_MAX, CP_JOURNAL_CODE_MAX, &code) ||
        number_in(o, "usec", 0, CP_JOURNAL_USEC_MAX, &usec) ||
        number_in(o, "cpu_usec", 0, CP_JOURNAL_USEC_MAX, &cpu_usec))
        return cp_error_set(CP_E_FORMAT,
                            "%s: line %d (case %s): code, usec or cpu_usec is not an integer in "
                            "range",
                            path, line, id);
    if (reason && strlen(reason) >= CP_REASON_TEXT_MAX)
        return cp_error_set(CP_E_FORMAT, "%s: line %d (case %s): reason longer than %d bytes", path,
                            line, id, CP_REASON_TEXT_MAX - 1);
    struct cp_result_case *c = &r->cases[i];
    char *dup = strdup(reason ? reason : "");
    if (!dup)
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    free(c->reason);
    c->reason = dup;
    *resumed += c->outcome == CP_OUT_NONE;
    c->outcome = (enum cp_outcome_kind)kind;
    c->code = (long)code;
    c->usec = (long)usec;
    c->cpu_usec = (long)cpu_usec;
    const char *server = str_of(o, "server"), *tls = str_of(o, "tls");
    snprintf(c->server, sizeof(c->server), "%s", server ? server : "");
    snprintf(c->tls, sizeof(c->tls), "%s", tls ? tls : "");
    return 0;
}

int cp_journal_read(const char *path, char *text, size_t len, struct cp_results *r,
                    const struct cp_journal_id *id, int *resumed, size_t *keep, bool *torn)
{
    char run[20];
    int rc = 0;
    run_digest(r, id, run, sizeof(run));
    cJSON *want = header_json(r, id, run);
    *keep = 0;
    *torn = false;
    if (!want)
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
    size_t at = 0;
    for (int n = 1; !rc && at < len; n++) {
        char *nl = memchr(text + at, '\n', len - at);
        if (!nl) { /* cut short by a kill in the middle of the write: not a finished case */
            *torn = true;
            break;
        }
        *nl = '\0';
        if ((size_t)(nl - (text + at)) >= CP_JOURNAL_LINE_MAX) {
            rc = cp_error_set(CP_E_FORMAT, "%s: line %d is longer than %d bytes", path, n,
                              CP_JOURNAL_LINE_MAX);
            break;
        }
        cJSON *o = cJSON_ParseWithLength(text + at, (size_t)(nl - (text + at)));
        if (n == 1)
            rc = o ? check_header(path, o, want)
                   : cp_error_set(CP_E_FORMAT,
                                  "%s: line 1 is no journal header; run without --resume to "
                                  "start over",
                                  path);
        else
            rc = apply_line(path, n, r, o, run, resumed);
        cJSON_Delete(o);
        at = (size_t)(nl - text) + 1;
        if (!rc)
            *keep = at;
    }
    cJSON_Delete(want);
    return rc;
}

/* Reads the journal at path back into r (nothing when there is none). */
static int read_back(const char *path, struct cp_results *r, const struct cp_journal_id *id,
                     int *resumed, size_t *keep, bool *torn)
{
    char *text = NULL;
    size_t len = 0;
    int rc = cp_fs_read(path, CP_JOURNAL_MAX, &text, &len);
    *keep = 0;
    *torn = false;
    if (rc)
        return access(path, F_OK) != 0 && errno == ENOENT ? 0 : rc;
    rc = cp_journal_read(path, text, len, r, id, resumed, keep, torn);
    free(text);
    return rc;
}

int cp_journal_open(const char *path, struct cp_results *r, const struct cp_journal_id *id,
                    bool resume, int *resumed, struct cp_journal **out)
{
    int rc = CP_E_NOMEM;
    size_t keep = 0;
    bool torn = false;
    struct cp_journal *j = calloc(1, sizeof(*j));
    cJSON *h = NULL;
    *resumed = 0;
    *out = NULL;
    if (!j || !(j->path = strdup(path))) {
        cp_error_set(rc, "out of memory opening %s", path);
        goto fail;
    }
    j->fd = -1;
    run_digest(r, id, j->run, sizeof(j->run));
    if (!(h = header_json(r, id, j->run))) {
        cp_error_set(rc, "out of memory opening %s", path);
        goto fail;
    }
    if (resume && (rc = read_back(path, r, id, resumed, &keep, &torn)))
        goto fail;
    bool fresh = !resume || keep == 0;
    if ((j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (fresh ? O_TRUNC : 0),
                      0644)) < 0) {
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!fresh && torn) {
        if (ftruncate(j->fd, (off_t)keep)) {
            rc = cp_error_set(CP_E_IO, "cannot cut the torn last line off %s: %s", path,
                              strerror(errno));
            goto fail;
        }
        fprintf(stderr,
                "certpath run: %s: its last line was cut short (the run was killed while "
                "writing it); that case runs again\n",
                path);
    }
    if (fresh && (rc = write_line(j, h)))
        goto fail;
    cJSON_Delete(h);
    *out = j;
    return 0;
fail:
    cJSON_Delete(h);
    cp_journal_close(j);
    return rc;
}

int cp_journal_append(struct cp_journal *j, const struct cp_result_case *c)
{
    cJSON *o = cJSON_CreateObject();
    int rc;
    if (!o || !cJSON_AddStringToObject(o, "run", j->run) ||
        !cJSON_AddStringToObject(o, "id", c->id) ||
        !cJSON_AddStringToObject(o, "outcome", cp_outcome_kind_name(c->outcome)) ||
        !cJSON_AddNumberToObject(o, "code", (double)c->code) ||
        !cJSON_AddStringToObject(o, "reason", c->reason ? c->reason : "") ||
        !cJSON_AddNumberToObject(o, "usec", (double)c->usec) ||
        !cJSON_AddNumberToObject(o, "cpu_usec", (double)c->cpu_usec) ||
        (c->server[0] && !cJSON_AddStringToObject(o, "server", c->server)) ||
        (c->tls[0] && !cJSON_AddStringToObject(o, "tls", c->tls)))
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
    if (j->fd >= 0)
        close(j->fd);
    free(j->path);
    free(j);
}
