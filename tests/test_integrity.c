/*
 * test_integrity.c - nothing lost, nothing wrong: results and journals that check themselves
 * and faults survived, through the built tool on a real suite (controls and ordering) with the
 * fake adapter, whose every answer is known (accept, or reject for ids with "reject").
 *
 * Two runs on one output: the second refuses naming the first's pid, the first is untouched.
 * --resume refuses the journal of another run (another program, another filter) and a journal
 * holding a line of another run, and after a torn last line runs that case again and glues
 * nothing onto it. A program named like a stack writes its own results file. A full disk
 * (a file-size limit, RLIMIT_FSIZE, with SIGXFSZ ignored, so write() fails as on a full disk)
 * while journaling, while writing the results and while writing a report: the failed write is
 * named, the exit status is 1, no temporary file is left, the journal ends with its last
 * complete case and --resume completes the run. An -o that is a directory, or in none, is
 * refused before the run.
 *
 * SIGKILL and SIGINT of the harness mid-run, then --resume: the same outcomes, codes, reasons
 * and verdicts, case for case, as an uninterrupted run.
 *
 * Input checked on read: an exec reply with "code": 1e300 costs its case an error and leaves
 * the results readable; a results file with a 100 KB stack name is refused by `report`; a case
 * file that is a FIFO costs its case an error instead of hanging the run; a --filter that is no
 * glob or matches nothing and an impossible --time are refused.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256], suite[300];
static int ncases;

static void setup(void)
{
    static const char *const families[] = {"controls", "ordering"};
    struct cp_gen_opts o;
    struct cp_manifest m;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-integrity.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s/suite", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = suite;
    o.families = families;
    o.nfamilies = 2;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
    cp_test_manifest_load(suite, &m);
    ncases = m.ncases;
    cp_manifest_free(&m);
}

static void teardown(void)
{
    cp_fs_rmtree(tmpdir);
}

TestSuite(integrity, .init = setup, .fini = teardown, .timeout = 300);

/* `cd tmpdir && ENV exec certpath ARGS >log 2>&1` in a child whose files may grow to at most
 * fsize bytes (0: no limit) and which ignores SIGXFSZ, so a write past the limit fails with
 * EFBIG as one on a full disk fails with ENOSPC. Returns the exit status and the log. */
static int certpath_limited(const char *env, long fsize, const char *args, char **out)
{
    char cmd[8192], log[400];
    snprintf(log, sizeof(log), "%s/log.txt", tmpdir);
    snprintf(cmd, sizeof(cmd), "cd %s && %s exec %s %s >%s 2>&1", tmpdir, env ? env : "",
             CP_CERTPATH_BIN, args, log);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (fsize > 0) {
            struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
            signal(SIGXFSZ, SIG_IGN);
            if (setrlimit(RLIMIT_FSIZE, &rl))
                _exit(126);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "certpath %s did not exit normally", args);
    cr_assert_eq(cp_fs_read(log, 1u << 24, out, NULL), 0);
    return WEXITSTATUS(st);
}

static int certpath(const char *env, const char *args, char **out)
{
    return certpath_limited(env, 0, args, out);
}

/* The fake adapter's run of the whole suite into r.json, with extra arguments. */
static void fake_run_args(char *buf, size_t cap, const char *extra)
{
    snprintf(buf, cap, "run --stack %s --suite suite --no-regenerate -j2 --timeout 5 -o r.json %s",
             CP_FAKE_ADAPTER, extra);
}

static void path_of(char *buf, size_t cap, const char *name)
{
    cr_assert_lt((size_t)snprintf(buf, cap, "%s/%s", tmpdir, name), cap);
}

static bool exists(const char *name)
{
    char path[512];
    path_of(path, sizeof(path), name);
    return access(path, F_OK) == 0;
}

/* Files in tmpdir whose name holds ".tmp" (a temporary left behind), counted. */
static int temporaries(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

/* The journal r.journal.jsonl: ends with a complete line, every line a JSON object, one run
 * id on every line and no case twice. Returns the number of case lines. */
static int check_journal(void)
{
    char path[512], *text = NULL, run[64] = "";
    path_of(path, sizeof(path), "r.journal.jsonl");
    cr_assert_eq(cp_fs_read(path, 1u << 26, &text, NULL), 0, "%s", cp_error_msg(-1));
    size_t len = strlen(text);
    cr_expect(len > 0 && text[len - 1] == '\n', "%s does not end with a complete line", path);
    int cases = 0, line = 0;
    char **ids = calloc((size_t)ncases + 1, sizeof(char *));
    cr_assert_not_null(ids);
    for (char *p = text, *nl; *p && (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = '\0';
        cJSON *o = cJSON_Parse(p);
        line++;
        cr_expect(cJSON_IsObject(o), "%s line %d is not a JSON object: %.300s", path, line, p);
        const char *r = cp_test_field(o, "run");
        if (line == 1)
            snprintf(run, sizeof(run), "%s", r);
        else
            cr_expect_str_eq(r, run, "%s line %d is of another run", path, line);
        if (line > 1 && o) {
            const char *id = cp_test_field(o, "id");
            for (int k = 0; k < cases; k++)
                cr_expect_str_neq(ids[k], id, "%s: case %s twice", path, id);
            if (cases < ncases)
                ids[cases] = strdup(id);
            cases++;
        }
        cJSON_Delete(o);
    }
    for (int k = 0; k < ncases; k++)
        free(ids[k]);
    free(ids);
    free(text);
    return cases;
}

/* r.json is complete and every case has the fake's plain answer. */
static void expect_complete_plain(void)
{
    char path[512];
    path_of(path, sizeof(path), "r.json");
    cJSON *res = cp_test_load_json(path);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")), "r.json is not complete");
    cJSON *cases = cJSON_GetObjectItem(res, "cases"), *c;
    cr_expect_eq(cJSON_GetArraySize(cases), ncases);
    int plain = 0;
    cJSON_ArrayForEach(c, cases)
    {
        const char *id = cp_test_field(c, "id");
        plain +=
            strcmp(cp_test_field(c, "outcome"), strstr(id, "reject") ? "reject" : "accept") == 0;
    }
    cr_expect_eq(plain, ncases, "%d of %d cases have the plain answer", plain, ncases);
    cJSON_Delete(res);
}

static long file_size(const char *name)
{
    char path[512];
    struct stat st;
    path_of(path, sizeof(path), name);
    cr_assert_eq(stat(path, &st), 0, "no %s", path);
    return (long)st.st_size;
}

/* ---- full disks ---- */

Test(integrity, a_full_disk_while_journaling_stops_at_the_first_failed_write)
{
    char args[4096], *out = NULL;
    fake_run_args(args, sizeof(args), "");
    /* 8 KiB holds the header and some dozens of cases, not the suite's. */
    int rc = certpath_limited(NULL, 8192, args, &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "cannot write r.journal.jsonl: File too large") != NULL, "%s", out);
    cr_expect(strstr(out, "results: r.json\n") == NULL, "results claimed written:\n%s", out);
    cr_expect(strstr(out, "results: not written (r.json)") != NULL, "%s", out);
    free(out);
    cr_expect_eq(temporaries(), 0, "a temporary file was left");
    cr_expect(!exists("r.json"), "a results file of more than 8 KiB was written");
    int done = check_journal();
    cr_expect(done > 10 && done < ncases, "%d cases in the journal", done);
    cr_expect_leq(file_size("r.journal.jsonl"), 8192);

    fake_run_args(args, sizeof(args), "--resume");
    rc = certpath(NULL, args, &out);
    cr_assert_eq(rc, 0, "resume: exit %d:\n%s", rc, out);
    char want[64];
    snprintf(want, sizeof(want), "resuming; %d cases already done", done);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    free(out);
    cr_expect_eq(check_journal(), ncases);
    expect_complete_plain();
}

Test(integrity, a_full_disk_writing_the_results_leaves_no_temporary_and_the_journal_whole)
{
    char args[4096], *out = NULL;
    fake_run_args(args, sizeof(args), "");
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    long journal = file_size("r.journal.jsonl"), results = file_size("r.json");
    cr_assert_lt(journal * 2, results, "journal %ld, results %ld bytes", journal, results);
    char path[512];
    path_of(path, sizeof(path), "r.json");
    cr_assert_eq(unlink(path), 0);

    /* Room for the journal, not for the results. */
    fake_run_args(args, sizeof(args), "");
    int rc = certpath_limited(NULL, (journal + results) / 2, args, &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "cannot write r.json: File too large") != NULL, "%s", out);
    cr_expect(strstr(out, "results: not written (r.json); the journal r.journal.jsonl holds") !=
                  NULL,
              "%s", out);
    free(out);
    cr_expect_eq(temporaries(), 0, "a temporary file was left");
    cr_expect(!exists("r.json"));
    cr_expect_eq(check_journal(), ncases);

    fake_run_args(args, sizeof(args), "--resume");
    rc = certpath(NULL, args, &out);
    cr_assert_eq(rc, 0, "resume: exit %d:\n%s", rc, out);
    char want[64];
    snprintf(want, sizeof(want), "resuming; %d cases already done", ncases);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    free(out);
    expect_complete_plain();
}

Test(integrity, a_full_disk_writing_a_report_names_it_and_leaves_nothing)
{
    char args[4096], *out = NULL;
    fake_run_args(args, sizeof(args), "");
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    cr_assert_eq(certpath(NULL, "report r.json --html full.html --junit full.xml", &out), 0, "%s",
                 out);
    free(out);
    long html = file_size("full.html"), junit = file_size("full.xml");
    cr_assert_gt(html, 16384);
    cr_assert_gt(junit, 16384);
    int rc = certpath_limited(NULL, 16384, "report r.json --html out.html", &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "cannot write out.html: File too large") != NULL, "%s", out);
    free(out);
    rc = certpath_limited(NULL, 16384, "report r.json --junit out.xml", &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "cannot write out.xml: File too large") != NULL, "%s", out);
    free(out);
    cr_expect(!exists("out.html") && !exists("out.xml"), "half a report was left");
    cr_expect_eq(temporaries(), 0, "a temporary file was left");
}

Test(integrity, an_output_that_is_a_directory_or_in_none_is_refused_before_the_run)
{
    char args[4096], path[512], *out = NULL;
    path_of(path, sizeof(path), "adir");
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(args, sizeof(args), "run --stack %s --suite suite --no-regenerate -j1 -o adir",
             CP_FAKE_ADAPTER);
    /* A slow fake: a run that started would take minutes. */
    time_t t0 = time(NULL);
    int rc = certpath("CP_FAKE_DELAY_MS=1000", args, &out);
    cr_expect_eq(rc, 2, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "-o adir is a directory, not a results file") != NULL, "%s", out);
    free(out);
    snprintf(args, sizeof(args),
             "run --stack %s --suite suite --no-regenerate -j1 -o nowhere/r.json", CP_FAKE_ADAPTER);
    rc = certpath("CP_FAKE_DELAY_MS=1000", args, &out);
    cr_expect_eq(rc, 2, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "-o nowhere/r.json: nowhere is not a directory that exists") != NULL,
              "%s", out);
    free(out);
    cr_expect_lt(time(NULL) - t0, 10, "the refusals came after running cases");
    cr_expect(!exists("adir.journal.jsonl") && !exists("nowhere"));
}

/* ---- one run, one output ---- */

Test(integrity, two_runs_on_one_output_refuse_and_the_first_is_untouched)
{
    char args[4096], cmd[8192], lock[512], journal[512], *out = NULL;
    path_of(lock, sizeof(lock), "r.json.lock");
    path_of(journal, sizeof(journal), "r.journal.jsonl");
    fake_run_args(args, sizeof(args), "");
    snprintf(cmd, sizeof(cmd), "cd %s && exec %s %s -j1 >first.txt 2>&1", tmpdir, CP_CERTPATH_BIN,
             args);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setenv("CP_FAKE_DELAY_MS", "15", 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    /* Until the first run holds its lock and has journaled a case. */
    struct stat st;
    for (int i = 0; i < 500 && (stat(journal, &st) || st.st_size < 400); i++)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    cr_assert_eq(access(lock, F_OK), 0, "the first run holds no lock");

    /* Another program (everything rejected) on the same output. */
    int rc = certpath("CP_FAKE_PLAN='/=reject'", args, &out);
    char want[512];
    snprintf(want, sizeof(want), "r.json is being written by another certpath run (pid %d, lock",
             (int)pid);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    free(out);
    fake_run_args(args, sizeof(args), "--resume");
    rc = certpath(NULL, args, &out);
    cr_expect_eq(rc, 1, "a resume while the run goes on: exit %d:\n%s", rc, out);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    free(out);

    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the first run failed");
    cr_expect_eq(check_journal(), ncases);
    expect_complete_plain();
    cr_expect_neq(access(lock, F_OK), 0, "the lock file outlived its run");
}

Test(integrity, resume_refuses_the_journal_of_another_run)
{
    char args[4096], path[512], other[512], *out = NULL, *before = NULL, *after = NULL;
    fake_run_args(args, sizeof(args), "");
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    path_of(path, sizeof(path), "r.json");
    cr_assert_eq(cp_fs_read(path, 1u << 24, &before, NULL), 0);

    /* The same module at another path is another program. */
    path_of(other, sizeof(other), "other");
    cr_assert_eq(mkdir(other, 0755), 0);
    snprintf(args, sizeof(args), "cp %s %s/", CP_FAKE_ADAPTER, other);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof(args),
             "run --stack %s/certpath-adapter-fake.so --suite suite --no-regenerate -j2 -o r.json "
             "--resume",
             other);
    int rc = certpath(NULL, args, &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    /* Its results name carries the program's digest, so the stack names differ first. */
    cr_expect(strstr(out, "r.journal.jsonl is the journal of another run: its stack is "
                          "\"certpath-adapter-fake-") != NULL,
              "%s", out);
    free(out);

    fake_run_args(args, sizeof(args), "--resume --filter 'ordering/*'");
    rc = certpath(NULL, args, &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "its filter is \"\", this run's is \"ordering/*\"") != NULL, "%s", out);
    free(out);

    cr_assert_eq(cp_fs_read(path, 1u << 24, &after, NULL), 0);
    cr_expect_str_eq(after, before, "a refused resume changed r.json");
    free(before);
    free(after);
    cr_expect_eq(check_journal(), ncases);
}

Test(integrity, a_journal_holding_a_line_of_another_run_is_refused)
{
    char args[4096], path[512], *out = NULL;
    fake_run_args(args, sizeof(args), "");
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    path_of(path, sizeof(path), "r.journal.jsonl");
    FILE *f = fopen(path, "a");
    cr_assert_not_null(f);
    fprintf(f, "{\"run\":\"0123456789abcdef\",\"id\":\"controls/accept\",\"outcome\":\"reject\","
               "\"code\":1,\"reason\":\"another stack's\",\"usec\":1}\n");
    fclose(f);
    fake_run_args(args, sizeof(args), "--resume");
    int rc = certpath(NULL, args, &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    char want[128];
    snprintf(want, sizeof(want), "r.journal.jsonl: line %d is of another run (run 0123456789abcdef",
             ncases + 2);
    cr_expect(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
    free(out);
}

Test(integrity, resume_after_a_torn_last_line_runs_that_case_again_and_glues_nothing)
{
    char args[4096], path[512], *out = NULL, *text = NULL;
    fake_run_args(args, sizeof(args), "");
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    /* The header, 100 cases and half of the 101st, as a kill -9 mid-write leaves it. */
    path_of(path, sizeof(path), "r.journal.jsonl");
    cr_assert_eq(cp_fs_read(path, 1u << 24, &text, NULL), 0);
    char *p = text;
    for (int i = 0; i < 101; i++)
        p = strchr(p, '\n') + 1;
    size_t keep = (size_t)(p - text) + (size_t)(strchr(p, '\n') - p) / 2;
    cr_assert_eq(truncate(path, (off_t)keep), 0);
    free(text);
    path_of(path, sizeof(path), "r.json");
    cr_assert_eq(unlink(path), 0);

    fake_run_args(args, sizeof(args), "--resume");
    int rc = certpath(NULL, args, &out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "resuming; 100 cases already done") != NULL, "%s", out);
    cr_expect(strstr(out, "its last line was cut short") != NULL, "%s", out);
    free(out);
    cr_expect_eq(check_journal(), ncases);
    expect_complete_plain();
}

/* ---- file names ---- */

Test(integrity, a_program_named_like_a_stack_never_writes_that_stacks_results)
{
    char args[4096], dir[512], prog[600], name[128], want[700], *out = NULL;
    path_of(dir, sizeof(dir), "x");
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(prog, sizeof(prog), "%s/openssl.so", dir);
    snprintf(args, sizeof(args), "cp %s %s", CP_FAKE_ADAPTER, prog);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof(args),
             "run --stack %s --suite suite --no-regenerate -j2 --filter "
             "'controls/*'",
             prog);
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    cp_test_module_results_name(prog, name, sizeof(name));
    snprintf(want, sizeof(want), "results/%s-inproc.json", name);
    cr_expect(exists(want), "no %s", want);

    /* An exec verifier called openssl.py, in the same directory. */
    snprintf(prog, sizeof(prog), "%s/openssl.py", dir);
    snprintf(args, sizeof(args), "cp %s %s", CP_SOURCE_DIR "/tests/exec/scripted-verifier", prog);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof(args),
             "run --stack exec:%s --suite suite --no-regenerate -j1 --filter 'controls/*'", prog);
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    cr_expect(strstr(out, "results: results/openssl-") != NULL, "%s", out);
    free(out);
    cr_expect(!exists("results/openssl-inproc.json"), "a program wrote the openssl stack's file");
    cr_expect(!exists("results/openssl-inproc.journal.jsonl"));
    /* Its results name it by its digest too, so a gate on a directory of baselines never takes
     * the openssl row's baseline for it. */
    glob_t g;
    char pattern[600];
    path_of(pattern, sizeof(pattern), "results/openssl-*-inproc.json");
    cr_assert_eq(glob(pattern, 0, NULL, &g), 0);
    /* openssl.so's file (want) matches the pattern too. */
    const char *file = NULL;
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (!strstr(g.gl_pathv[i], want))
            file = g.gl_pathv[i];
    cr_assert(file && g.gl_pathc == 2, "%zu files match %s", g.gl_pathc, pattern);
    cJSON *res = cp_test_load_json(file);
    const char *got = cp_test_field(cJSON_GetObjectItem(res, "stack"), "name");
    cr_expect(cp_test_is_program_name(got, "openssl"), "%s names the stack %s", file, got);
    /* A directory holding the openssl row's baseline has none for this program. */
    snprintf(args, sizeof(args), "cd %s && mkdir baselines && cp %s baselines/openssl.json", dir,
             file);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof(args), "gate %s --baseline x/baselines", file);
    cr_expect_neq(certpath(NULL, args, &out), 0, "%s", out);
    snprintf(want, sizeof(want), "x/baselines/%s.json", got);
    cr_expect(strstr(out, want) != NULL && strstr(out, "regression") == NULL, "%s", out);
    free(out);
    cJSON_Delete(res);
    globfree(&g);
}

/* ---- fields checked on read ---- */

Test(integrity, an_exec_reply_with_a_huge_code_costs_its_case_and_the_results_stay_readable)
{
    char args[4096], *out = NULL;
    const char *id = "ordering/depth1/plain/declared";
    snprintf(args, sizeof(args),
             "run --stack exec:%s --suite suite --no-regenerate -j1 --filter 'ordering/depth1/*' "
             "-o r.json",
             CP_SOURCE_DIR "/tests/exec/scripted-verifier");
    char env[512];
    snprintf(env, sizeof(env), "CP_EXEC_PLAN='%s=hugecode'", id);
    int rc = certpath(env, args, &out);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
    free(out);
    char path[512];
    path_of(path, sizeof(path), "r.json");
    cJSON *res = cp_test_load_json(path), *c = cp_test_case_of(res, id);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error");
    cr_expect(strstr(cp_test_field(c, "reason"), "code is not a string or an integer") != NULL,
              "%s", cp_test_field(c, "reason"));
    cJSON_Delete(res);
    rc = certpath(NULL, "report r.json --junit r.xml", &out);
    cr_expect_eq(rc, 0, "the results are not readable: exit %d:\n%s", rc, out);
    free(out);
}

Test(integrity, a_results_file_with_a_huge_stack_name_is_refused_by_report)
{
    char args[4096], path[512], *out = NULL;
    fake_run_args(args, sizeof(args), "--filter 'controls/*'");
    cr_assert_eq(certpath(NULL, args, &out), 0, "%s", out);
    free(out);
    path_of(path, sizeof(path), "r.json");
    cJSON *res = cp_test_load_json(path);
    char *name = malloc(100001);
    cr_assert_not_null(name);
    memset(name, 'n', 100000);
    name[100000] = '\0';
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(res, "stack"), "name", cJSON_CreateString(name));
    free(name);
    char *text = cJSON_Print(res);
    cJSON_Delete(res);
    path_of(path, sizeof(path), "huge.json");
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0);
    free(text);
    int rc = certpath(NULL, "report huge.json --html huge.html", &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(
        strstr(out, "huge.json: stack.name is 100000 bytes long, more than the 128 allowed") !=
            NULL,
        "%s", out);
    free(out);
    cr_expect(!exists("huge.html"));
}

Test(integrity, a_case_file_that_is_a_fifo_costs_that_case_an_error_not_the_run)
{
    const char *id = "ordering/depth1/plain/declared";
    char path[512], args[4096], *out = NULL;
    snprintf(path, sizeof(path), "%s/cases/%s/chain.pem", suite, id);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(mkfifo(path, 0644), 0);
    fake_run_args(args, sizeof(args), "");
    time_t t0 = time(NULL);
    int rc = certpath(NULL, args, &out);
    cr_expect_eq(rc, 0, "exit %d:\n%s", rc, out);
    free(out);
    cr_expect_lt(time(NULL) - t0, 30);
    path_of(path, sizeof(path), "r.json");
    cJSON *res = cp_test_load_json(path), *c = cp_test_case_of(res, id);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")));
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error");
    cr_expect(strstr(cp_test_field(c, "reason"), "chain.pem is not a regular file") != NULL, "%s",
              cp_test_field(c, "reason"));
    cJSON_Delete(res);
}

Test(integrity, a_filter_that_is_no_glob_or_matches_nothing_is_refused)
{
    static const struct {
        const char *filter, *words;
    } bad[] = {
        {"'nothing/here/*'", "--filter \"nothing/here/*\" matches no case of the suite"},
        {"'ordering/[abc'", "--filter \"ordering/[abc\" is not a glob"},
        {"''", "--filter \"\" is not a glob"},
    };
    char args[4096], extra[256], *out = NULL;
    for (size_t i = 0; i < CP_ARRAY_LEN(bad); i++) {
        snprintf(extra, sizeof(extra), "--filter %s", bad[i].filter);
        fake_run_args(args, sizeof(args), extra);
        int rc = certpath(NULL, args, &out);
        cr_expect_eq(rc, 2, "%s: exit %d:\n%s", bad[i].filter, rc, out);
        cr_expect(strstr(out, bad[i].words) != NULL, "want \"%s\" in:\n%s", bad[i].words, out);
        free(out);
        cr_expect(!exists("r.json") && !exists("r.journal.jsonl"), "%s ran", bad[i].filter);
    }
}

Test(integrity, generate_refuses_a_time_that_is_no_real_date)
{
    static const char *const bad[] = {"2026-02-30T20:00:00Z", "2025-02-29T00:00:00Z",
                                      "2026-01-01T23:59:60Z", "2026-04-31T00:00:00Z",
                                      "1969-12-31T23:59:59Z"};
    char args[512], *out = NULL;
    for (size_t i = 0; i < CP_ARRAY_LEN(bad); i++) {
        snprintf(args, sizeof(args), "generate --family controls --time %s -o g", bad[i]);
        int rc = certpath(NULL, args, &out);
        cr_expect_eq(rc, 2, "%s: exit %d:\n%s", bad[i], rc, out);
        cr_expect(strstr(out, "bad time") != NULL, "%s", out);
        free(out);
        cr_expect(!exists("g"), "%s made a suite", bad[i]);
    }
    /* A leap day is a real date. */
    int rc = certpath(NULL, "generate --family controls --time 2028-02-29T12:00:00Z -o g", &out);
    cr_expect_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "2028-02-29T12:00:00Z") != NULL, "%s", out);
    free(out);
}

/* ---- interrupted, then resumed ---- */

/* The fake's plan for the comparison: several outcomes besides the plain answer. */
#define MIXED_PLAN                                                                                 \
    "CP_FAKE_PLAN='depth1/plain/declared=reject,depth2/plain/declared=error,"                      \
    "depth1/kitchen-sink/declared=exit,depth2/kitchen-sink/declared=segv,"                         \
    "depth3/plain/declared=garbage'"

/* Starts `certpath run ... -o OUT -j2` with the mixed plan, slowed down; when its journal holds
 * at least `lines` lines, sends sig and returns its exit status. */
static int run_and_kill(const char *out, int lines, int sig)
{
    char cmd[8192], journal[512], name[256];
    snprintf(name, sizeof(name), "%.*s.journal.jsonl", (int)(strlen(out) - 5), out);
    path_of(journal, sizeof(journal), name);
    snprintf(cmd, sizeof(cmd),
             "cd %s && exec env " MIXED_PLAN " CP_FAKE_DELAY_MS=15 %s run --stack %s --suite suite "
             "--no-regenerate -j2 --timeout 5 -o %s >killed.txt 2>&1",
             tmpdir, CP_CERTPATH_BIN, CP_FAKE_ADAPTER, out);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        char *text = NULL;
        int n = 0;
        if (cp_fs_read(journal, 1u << 24, &text, NULL) == 0) {
            for (char *p = text; *p; p++)
                n += *p == '\n';
            free(text);
        }
        if (n >= lines)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    kill(pid, sig);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void expect_same_cases(const char *a_name, const char *b_name)
{
    char a_path[512], b_path[512];
    path_of(a_path, sizeof(a_path), a_name);
    path_of(b_path, sizeof(b_path), b_name);
    cJSON *a = cp_test_load_json(a_path), *b = cp_test_load_json(b_path), *c;
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(b, "complete")), "%s is not complete", b_name);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a, "cases")),
                 cJSON_GetArraySize(cJSON_GetObjectItem(b, "cases")));
    int same = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(a, "cases"))
    {
        const char *id = cp_test_field(c, "id");
        cJSON *d = cp_test_case_of(b, id);
        cr_assert_not_null(d, "%s lacks %s", b_name, id);
        static const char *const keys[] = {"outcome", "reason"};
        bool eq =
            cJSON_Compare(cJSON_GetObjectItem(c, "code"), cJSON_GetObjectItem(d, "code"), true) &&
            cJSON_Compare(cJSON_GetObjectItem(c, "verdict"), cJSON_GetObjectItem(d, "verdict"),
                          true);
        for (size_t k = 0; k < CP_ARRAY_LEN(keys); k++)
            eq = eq && strcmp(cp_test_field(c, keys[k]), cp_test_field(d, keys[k])) == 0;
        cr_expect(eq, "%s: %s in %s, %s in %s", id, cp_test_field(c, "outcome"), a_name,
                  cp_test_field(d, "outcome"), b_name);
        same += eq;
    }
    cr_expect_eq(same, ncases, "%d of %d cases alike", same, ncases);
    cr_expect(
        cJSON_Compare(cJSON_GetObjectItem(a, "summary"), cJSON_GetObjectItem(b, "summary"), true),
        "the summaries differ");
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(integrity, sigkill_or_sigint_then_resume_equals_an_uninterrupted_run)
{
    char args[4096], *out = NULL;
    snprintf(args, sizeof(args),
             "run --stack %s --suite suite --no-regenerate -j2 --timeout 5 -o whole.json",
             CP_FAKE_ADAPTER);
    cr_assert_eq(certpath(MIXED_PLAN, args, &out), 0, "%s", out);
    free(out);

    static const struct {
        int sig, status;
        const char *out;
    } kills[] = {{SIGKILL, 128 + SIGKILL, "killed.json"}, {SIGINT, 130, "interrupted.json"}};
    for (size_t k = 0; k < CP_ARRAY_LEN(kills); k++) {
        int st = run_and_kill(kills[k].out, 40, kills[k].sig);
        cr_expect_eq(st, kills[k].status, "%s: exit %d", kills[k].out, st);
        snprintf(args, sizeof(args),
                 "run --stack %s --suite suite --no-regenerate -j2 --timeout 5 -o %s --resume",
                 CP_FAKE_ADAPTER, kills[k].out);
        int rc = certpath(MIXED_PLAN, args, &out);
        cr_assert_eq(rc, 0, "%s: resume: exit %d:\n%s", kills[k].out, rc, out);
        cr_expect(strstr(out, "resuming; ") != NULL, "%s", out);
        free(out);
        expect_same_cases("whole.json", kills[k].out);
    }
}
