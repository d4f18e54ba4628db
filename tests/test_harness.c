/*
 * test_harness.c - the harness's failure paths with a fake adapter that hangs, crashes with
 * SIGSEGV, aborts, exits early and prints garbage; the controls; the journal and --resume after
 * SIGINT; the results file against its JSON Schema; --mode both and its disagreements; results
 * files named by mode.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256], suite[300], results[300];

static void setup(void)
{
    static const char *const families[] = {"controls", "ordering"};
    struct cp_gen_opts o;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-harness.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s/suite", tmpdir);
    snprintf(results, sizeof(results), "%s/results.json", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = suite;
    o.families = families;
    o.nfamilies = 2;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
}

static void teardown(void)
{
    cp_fs_rmtree(tmpdir);
}

TestSuite(harness, .init = setup, .fini = teardown);

/* The ids of the first n cases that are not controls and not a substring of another id (the
 * fake adapter's plan matches substrings). */
static int pick_cases(char ids[][192], int n)
{
    struct cp_manifest m;
    int k = 0;
    cp_test_manifest_load(suite, &m);
    for (int a = 0; a < m.ncases; a++) {
        const char *id = m.cases[a].id;
        bool unique = strncmp(id, "controls/", 9) != 0;
        for (int b = 0; b < m.ncases; b++)
            unique = unique && (b == a || !strstr(m.cases[b].id, id));
        if (unique && k < n)
            snprintf(ids[k++], 192, "%s", id);
    }
    cp_manifest_free(&m);
    return k;
}

static int run_certpath(const char *env, const char *extra, char **output)
{
    char args[8192], log[400];
    snprintf(log, sizeof(log), "%s/log.txt", tmpdir);
    snprintf(args, sizeof(args),
             "run --stack %s --suite %s --no-regenerate -j2 --timeout 1 -o %s %s", CP_FAKE_ADAPTER,
             suite, results, extra);
    return cp_test_certpath(NULL, env, args, log, output);
}

Test(harness, every_misbehaviour_gets_its_own_outcome_and_the_run_completes)
{
    char ids[5][192], env[2048], *log = NULL;
    cr_assert_eq(pick_cases(ids, 5), 5, "the suite has too few cases");
    snprintf(env, sizeof(env), "CP_FAKE_PLAN='%s=hang,%s=segv,%s=abort,%s=exit,%s=garbage'", ids[0],
             ids[1], ids[2], ids[3], ids[4]);
    int rc = run_certpath(env, "", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")), "run not complete");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(res, "broken")), "run reported broken");

    cJSON *c = cp_test_case_of(res, ids[0]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "timeout", "%s", ids[0]);
    c = cp_test_case_of(res, ids[1]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "crash", "%s", ids[1]);
    cr_expect(strstr(cp_test_field(c, "reason"), "signal 11") != NULL, "%s",
              cp_test_field(c, "reason"));
    c = cp_test_case_of(res, ids[2]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "crash", "%s", ids[2]);
    cr_expect(strstr(cp_test_field(c, "reason"), "signal 6") != NULL, "%s",
              cp_test_field(c, "reason"));
    c = cp_test_case_of(res, ids[3]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error", "%s", ids[3]);
    cr_expect(strstr(cp_test_field(c, "reason"), "exited with status 3") != NULL, "%s",
              cp_test_field(c, "reason"));
    c = cp_test_case_of(res, ids[4]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error", "%s", ids[4]);
    cr_expect(strstr(cp_test_field(c, "reason"), "invalid status 99") != NULL, "%s",
              cp_test_field(c, "reason"));

    /* Every other case still ran, on fresh workers, and got the fake's plain answer. */
    struct cp_manifest m;
    int total = 0, plain = 0;
    cp_test_manifest_load(suite, &m);
    for (int i = 0; i < m.ncases; i++) {
        const char *id = m.cases[i].id;
        const char *out = cp_test_field(cp_test_case_of(res, id), "outcome");
        total++;
        plain += out && (strcmp(out, strstr(id, "reject") ? "reject" : "accept") == 0);
    }
    cr_expect_eq(plain, total - 5, "%d of %d cases got the plain answer", plain, total);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "cases")), total);
    cp_manifest_free(&m);
    cJSON_Delete(res);
    free(log);
}

/* The adapter contract (cp_adapter.h): a non-zero verify() return is no outcome, whatever status
 * it wrote; the adapter is told how long it may wait, four fifths of --timeout. */
Test(harness, a_nonzero_verify_is_an_error_and_the_wait_reaches_the_adapter)
{
    char ids[2][192], env[1024], *log = NULL;
    cr_assert_eq(pick_cases(ids, 2), 2, "the suite has too few cases");
    snprintf(env, sizeof(env), "CP_FAKE_PLAN='%s=noresult,%s=wait'", ids[0], ids[1]);
    int rc = run_certpath(env, "", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results);
    cJSON *c = cp_test_case_of(res, ids[0]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error", "%s", ids[0]);
    cr_expect_str_eq(cp_test_field(c, "reason"),
                     "adapter: verify() returned -1 without an outcome: fake: gave up");
    c = cp_test_case_of(res, ids[1]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "reject", "%s", ids[1]);
    cr_expect_str_eq(cp_test_field(c, "reason"), "timeout_ms=800"); /* --timeout 1 */
    cJSON_Delete(res);
    free(log);
}

/* issue 12: a pinned suite is how a result is reproduced. `run` without --no-regenerate takes
 * a suite validated long ago as it is (every stack takes the suite's time) and writes nothing
 * into it; a directory that is not a suite is refused by name, not filled. */
Test(harness, an_old_suite_is_run_as_it_is_and_never_written_over)
{
    static const char *const families[] = {"controls"};
    char old[400], manifest[500], args[1200], *before = NULL, *after = NULL, *log = NULL;
    size_t nb = 0, na = 0;
    struct cp_gen_opts o;
    snprintf(old, sizeof(old), "%s/pinned", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = old;
    o.families = families;
    o.nfamilies = 1;
    o.seed = 42;
    cr_assert_eq(cp_time_parse("2025-06-01T00:00:00Z", &o.vtime), 0);
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
    snprintf(manifest, sizeof(manifest), "%s/manifest.json", old);
    cr_assert_eq(cp_fs_read(manifest, 1 << 24, &before, &nb), 0);

    snprintf(args, sizeof(args), "run --stack %s --suite %s -o %s", CP_FAKE_ADAPTER, old, results);
    int rc = cp_test_certpath(tmpdir, NULL, args, NULL, &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cr_expect(strstr(log, "generating") == NULL, "the run generated a suite:\n%s", log);
    cr_assert_eq(cp_fs_read(manifest, 1 << 24, &after, &na), 0);
    cr_expect(nb == na && memcmp(before, after, nb) == 0, "the pinned suite's manifest changed");
    cJSON *res = cp_test_load_json(results);
    cr_expect_str_eq(cp_test_field(cJSON_GetObjectItem(res, "suite"), "validation_time"),
                     "2025-06-01T00:00:00Z");
    cr_expect_str_eq(cp_test_field(cJSON_GetObjectItem(res, "suite"), "seed"), "42");
    cJSON_Delete(res);
    free(log);

    char notsuite[400];
    snprintf(notsuite, sizeof(notsuite), "%s/photos", tmpdir);
    cr_assert_eq(mkdir(notsuite, 0700), 0);
    snprintf(args, sizeof(args), "run --stack %s --suite %s -o %s", CP_FAKE_ADAPTER, notsuite,
             results);
    rc = cp_test_certpath(tmpdir, NULL, args, NULL, &log);
    cr_expect_neq(rc, 0, "a directory that is not a suite was run:\n%s", log);
    cr_expect(strstr(log, notsuite) && strstr(log, "is not a certpath suite"), "%s", log);
    char stray[500];
    snprintf(stray, sizeof(stray), "%s/manifest.json", notsuite);
    cr_expect_neq(access(stray, F_OK), 0, "a suite was written into %s", notsuite);
    free(before);
    free(after);
    free(log);
}

/* issue 12: the per-case limit is on the CPU the verifier used, with the wall clock as a cap
 * for cases that wait; both are recorded in the results. A spinning case ends after about its
 * CPU limit whatever the wall cap, a sleeping one at the wall cap. */
Test(harness, a_spinning_case_ends_at_its_cpu_limit_a_sleeping_one_at_the_wall_cap)
{
    char ids[2][192], env[1024], args[1200], *log = NULL;
    cr_assert_eq(pick_cases(ids, 2), 2, "the suite has too few cases");
    snprintf(env, sizeof(env), "CP_FAKE_PLAN='%s=spin,%s=hang'", ids[0], ids[1]);
    snprintf(args, sizeof(args),
             "run --stack %s --suite %s -j2 --cpu-limit 0.3 --timeout 4 --filter '%s' -o %s",
             CP_FAKE_ADAPTER, suite, ids[0], results);
    int64_t t0 = (int64_t)time(NULL);
    int rc = cp_test_certpath(tmpdir, env, args, NULL, &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    /* Only what the limit allows: the spin costs about 0.3 s of CPU, never the 4 s cap. */
    cr_expect_lt((int64_t)time(NULL) - t0, 4 + 2, "the spin was not ended by the CPU limit");
    cJSON *res = cp_test_load_json(results);
    cJSON *c = cp_test_case_of(res, ids[0]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "timeout");
    cr_expect(strstr(cp_test_field(c, "reason"), "s of CPU (limit 0.30 s)") != NULL, "%s",
              cp_test_field(c, "reason"));
    cJSON *limits = cJSON_GetObjectItem(res, "limits");
    cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(limits, "cpu_seconds")), 0.3);
    cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(limits, "wall_seconds")), 4);
    cJSON_Delete(res);
    free(log);

    snprintf(args, sizeof(args),
             "run --stack %s --suite %s -j2 --cpu-limit 0.3 --timeout 1 --filter '%s' -o %s",
             CP_FAKE_ADAPTER, suite, ids[1], results);
    rc = cp_test_certpath(tmpdir, env, args, NULL, &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    res = cp_test_load_json(results);
    c = cp_test_case_of(res, ids[1]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "timeout");
    cr_expect(strstr(cp_test_field(c, "reason"), "no verdict within 1.0 s") != NULL, "%s",
              cp_test_field(c, "reason"));
    cJSON_Delete(res);
    free(log);
}

/* The smallest and the largest of the cases pick_cases() would take, with their certificates
 * (sent and anchors). */
static void smallest_and_largest(char ids[2][192], int n[2])
{
    char all[64][192];
    struct cp_manifest m;
    int k = pick_cases(all, 64);
    n[0] = 1 << 30;
    n[1] = -1;
    cp_test_manifest_load(suite, &m);
    for (int a = 0; a < m.ncases; a++)
        for (int i = 0; i < k; i++) {
            int c = m.cases[a].nsent + m.cases[a].nanchors;
            if (strcmp(m.cases[a].id, all[i]))
                continue;
            if (c < n[0])
                snprintf(ids[0], 192, "%.191s", m.cases[a].id), n[0] = c;
            if (c > n[1])
                snprintf(ids[1], 192, "%.191s", m.cases[a].id), n[1] = c;
        }
    cp_manifest_free(&m);
}

/* issue 12: by default a case's CPU limit is 0.3 s plus 20 ms per certificate it gives its
 * verifier, at most 1 s, and the results say so; the journal names the limits, so a run
 * resumed under others is refused. */
Test(harness, the_default_cpu_limit_grows_with_the_case_and_resume_keeps_it)
{
    char ids[2][192], env[1024], want[64], *log = NULL;
    int n[2];
    smallest_and_largest(ids, n);
    cr_assert(n[0] < n[1], "the suite's cases all have %d certificates", n[0]);
    snprintf(env, sizeof(env), "CP_FAKE_PLAN='%s=spin,%s=spin'", ids[0], ids[1]);
    int rc = run_certpath(env, "--timeout 20", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results);
    for (int i = 0; i < 2; i++) {
        double limit = 0.3 + 0.02 * n[i];
        cJSON *c = cp_test_case_of(res, ids[i]);
        cr_expect_str_eq(cp_test_field(c, "outcome"), "timeout", "%s", ids[i]);
        snprintf(want, sizeof(want), "s of CPU (limit %.2f s)", limit < 1 ? limit : 1.0);
        cr_expect(strstr(cp_test_field(c, "reason"), want) != NULL, "%s (%d certificates): %s",
                  ids[i], n[i], cp_test_field(c, "reason"));
    }
    cJSON *limits = cJSON_GetObjectItem(res, "limits");
    cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(limits, "cpu_seconds")), 1);
    cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(limits, "cpu_base_seconds")), 0.3);
    cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(limits, "cpu_per_certificate_seconds")),
                 0.02);
    cJSON_Delete(res);
    free(log);

    char journal[400], *text = NULL;
    snprintf(journal, sizeof(journal), "%s/results.journal.jsonl", tmpdir);
    cr_assert_eq(cp_fs_read(journal, 1 << 20, &text, NULL), 0, "%s", cp_error_msg(-1));
    cr_expect(strstr(text, "\"limits\":\"cpu 0.3+0.02/cert<=1 s, wall 20 s\"") != NULL, "%.300s",
              text);
    free(text);
    rc = run_certpath(env, "--timeout 20 --cpu-limit 2 --resume", &log);
    cr_expect_neq(rc, 0, "a resume under other limits was taken:\n%s", log);
    cr_expect(strstr(log, "its limits is \"cpu 0.3+0.02/cert<=1 s, wall 20 s\", this run's is "
                          "\"cpu 2 s, wall 20 s\"") != NULL,
              "%s", log);
    free(log);
}

Test(harness, a_failed_control_marks_the_adapter_broken)
{
    char *log = NULL;
    int rc = run_certpath("CP_FAKE_PLAN='controls/accept=reject'", "", &log);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, log);
    cr_expect(strstr(log, "broken") && strstr(log, "controls/accept"), "%s", log);
    cJSON *res = cp_test_load_json(results);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "broken")));
    cr_expect(strstr(cp_test_field(res, "broken_reason"), "controls/accept") != NULL);
    cJSON_Delete(res);
    free(log);
}

static int count_lines(const char *path)
{
    char *text = NULL;
    int n = 0;
    if (cp_fs_read(path, 1u << 26, &text, NULL))
        return -1;
    for (char *p = text; *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

Test(harness, sigint_keeps_every_finished_case_and_resume_completes_the_run)
{
    char cmd[4096], journal[400], *log = NULL;
    snprintf(journal, sizeof(journal), "%s/results.journal.jsonl", tmpdir);
    snprintf(cmd, sizeof(cmd),
             "exec %s run --stack %s --suite %s --no-regenerate -j1 --timeout 1 -o %s "
             ">%s/log1.txt 2>&1",
             CP_CERTPATH_BIN, CP_FAKE_ADAPTER, suite, results, tmpdir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setenv("CP_FAKE_DELAY_MS", "20", 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    struct timespec wait = {1, 500000000};
    nanosleep(&wait, NULL);
    kill(pid, SIGINT);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 130, "exit status %d", WEXITSTATUS(st));
    int done = count_lines(journal) - 1; /* minus the header */
    cJSON *res = cp_test_load_json(results);
    int total = cJSON_GetArraySize(cJSON_GetObjectItem(res, "cases"));
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(res, "complete")));
    cr_expect_gt(done, 5, "too few cases finished before SIGINT");
    cr_expect_eq(total, done, "results (%d) and journal (%d) disagree", total, done);
    cJSON_Delete(res);

    int rc = run_certpath("", "--resume", &log);
    cr_assert_eq(rc, 0, "resume: exit %d:\n%s", rc, log);
    char want[64];
    snprintf(want, sizeof(want), "resuming; %d cases already done", done);
    cr_expect(strstr(log, want) != NULL, "want \"%s\" in:\n%s", want, log);
    res = cp_test_load_json(results);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")));
    struct cp_manifest m;
    cp_test_manifest_load(suite, &m);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "cases")), m.ncases);
    cr_expect_eq(count_lines(journal) - 1, m.ncases);
    cp_manifest_free(&m);
    cJSON_Delete(res);
    free(log);
}

Test(harness, results_validate_against_the_schema)
{
    char cmd[2048], *log = NULL;
    cr_assert_eq(run_certpath("", "", &log), 0, "%s", log);
    free(log);
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c 'import json,sys,jsonschema; "
             "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' "
             "%s/reports/schema/results.schema.json %s",
             CP_SOURCE_DIR, results);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "results do not validate (exit %d)",
              WEXITSTATUS(st));
}

static bool validates(const char *path)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c 'import json,sys,jsonschema; "
             "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' "
             "%s/reports/schema/results.schema.json %s",
             CP_SOURCE_DIR, path);
    int st = system(cmd);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* One entry of a disagreements array, checked whole. */
static void expect_disagreement(cJSON *d, const char *id, const char *outcome, const char *reason,
                                const char *other_mode, const char *other, const char *other_reason)
{
    cr_assert_not_null(d, "no disagreement for %s", id);
    cr_expect_str_eq(cp_test_field(d, "id"), id);
    cr_expect_str_eq(cp_test_field(d, "outcome"), outcome, "%s", id);
    cr_expect_str_eq(cp_test_field(d, "reason"), reason, "%s", id);
    cr_expect_str_eq(cp_test_field(d, "other_mode"), other_mode, "%s", id);
    cr_expect_str_eq(cp_test_field(d, "other_outcome"), other, "%s", id);
    if (other_reason)
        cr_expect_str_eq(cp_test_field(d, "other_reason"), other_reason, "%s", id);
}

/* --mode both, from tmpdir: the results go to tmpdir/results/ under their default names. */
static int run_both(const char *env, const char *extra, char **output)
{
    char args[8192], log[400];
    snprintf(log, sizeof(log), "%s/log.txt", tmpdir);
    snprintf(args, sizeof(args),
             "run --stack %s --suite suite --no-regenerate -j2 --timeout 1 --mode both %s",
             CP_FAKE_ADAPTER, extra);
    return cp_test_certpath(tmpdir, env, args, log, output);
}

Test(harness, mode_both_writes_both_files_and_lists_exactly_the_disagreements)
{
    char ids[4][192], env[2048], path[800], *log = NULL;
    cr_assert_eq(pick_cases(ids, 4), 4, "the suite has too few cases");
    /* Three cases differ (reject, error, timeout in one mode only); the fourth errs in both
     * modes alike, which is no disagreement. */
    snprintf(env, sizeof(env),
             "CP_FAKE_PLAN='wire:%s=reject,inproc:%s=error,wire:%s=hang,%s=error'", ids[0], ids[1],
             ids[2], ids[3]);
    int rc = run_both(env, "", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cr_expect(strstr(log, "3 cases where in-process and wire disagree") != NULL, "%s", log);
    for (int i = 0; i < 3; i++)
        cr_expect(strstr(log, ids[i]) != NULL, "%s is not in the summary:\n%s", ids[i], log);
    cr_expect(strstr(log, "in-process: error: fake: told to fail") != NULL, "%s", log);
    cr_expect(strstr(log, "wire:       reject: fake rejection") != NULL, "%s", log);

    char name[128];
    cp_test_module_results_name(CP_FAKE_ADAPTER, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/results/%s-inproc.json", tmpdir, name);
    cJSON *in = cp_test_load_json(path);
    cr_expect(validates(path), "%s does not validate", path);
    snprintf(path, sizeof(path), "%s/results/%s-wire.json", tmpdir, name);
    cJSON *wire = cp_test_load_json(path);
    cr_expect(validates(path), "%s does not validate", path);
    cr_expect_str_eq(cp_test_field(cJSON_GetObjectItem(in, "stack"), "mode"), "in-process");
    cr_expect_str_eq(cp_test_field(cJSON_GetObjectItem(wire, "stack"), "mode"), "wire");
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(in, "complete")));
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(wire, "complete")));

    /* Exactly the three, in the suite's order, each seen from its own file's side. */
    cJSON *din = cJSON_GetObjectItem(in, "disagreements");
    cJSON *dwire = cJSON_GetObjectItem(wire, "disagreements");
    cr_assert_eq(cJSON_GetArraySize(din), 3, "%d disagreements", cJSON_GetArraySize(din));
    cr_assert_eq(cJSON_GetArraySize(dwire), 3, "%d disagreements", cJSON_GetArraySize(dwire));
    expect_disagreement(cJSON_GetArrayItem(din, 0), ids[0], "accept", "", "wire", "reject",
                        "fake rejection");
    expect_disagreement(cJSON_GetArrayItem(din, 1), ids[1], "error", "fake: told to fail", "wire",
                        "accept", "");
    expect_disagreement(cJSON_GetArrayItem(din, 2), ids[2], "accept", "", "wire", "timeout", NULL);
    expect_disagreement(cJSON_GetArrayItem(dwire, 0), ids[0], "reject", "fake rejection",
                        "in-process", "accept", "");
    expect_disagreement(cJSON_GetArrayItem(dwire, 1), ids[1], "accept", "", "in-process", "error",
                        "fake: told to fail");
    cr_expect_str_eq(cp_test_field(cJSON_GetArrayItem(dwire, 2), "outcome"), "timeout");
    cr_expect_str_eq(cp_test_field(cp_test_case_of(in, ids[3]), "outcome"), "error");
    cr_expect_str_eq(cp_test_field(cp_test_case_of(wire, ids[3]), "outcome"), "error");
    cJSON_Delete(in);
    cJSON_Delete(wire);
    free(log);

    /* The Markdown report lists each disagreement once, in-process then wire. */
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "cd %s && %s report results/*.json --markdown - >md.txt 2>&1",
             tmpdir, CP_CERTPATH_BIN);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/md.txt", tmpdir);
    cr_assert_eq(cp_fs_read(path, 1u << 24, &log, NULL), 0);
    cr_expect(strstr(log, "In-process and wire disagree (3)") != NULL, "%s", log);
    cr_expect(strstr(log, "| accept | reject: fake rejection |") != NULL, "%s", log);
    free(log);
}

Test(harness, mode_both_takes_no_single_output_file)
{
    char *log = NULL;
    int rc = run_both("", "-o one.json", &log);
    cr_expect_eq(rc, 2, "exit %d:\n%s", rc, log);
    cr_expect(strstr(log, "--mode both writes two") != NULL, "%s", log);
    free(log);
}

Test(harness, results_are_named_by_mode_by_default)
{
    char cmd[4096], path[800];
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s run --stack %s --suite suite --no-regenerate -j2 --filter 'controls/*' "
             ">/dev/null 2>&1 && %s run --stack %s --suite suite --no-regenerate -j2 --mode wire "
             "--filter 'controls/*' --shard 2/2 >/dev/null 2>&1",
             tmpdir, CP_CERTPATH_BIN, CP_FAKE_ADAPTER, CP_CERTPATH_BIN, CP_FAKE_ADAPTER);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    /* A module path's results carry a digest of its path: no other program shares them. */
    char name[128];
    cp_test_module_results_name(CP_FAKE_ADAPTER, name, sizeof(name));
    const char *names[] = {"-inproc.json", "-inproc.journal.jsonl", "-wire.shard-2-of-2.json",
                           "-wire.shard-2-of-2.journal.jsonl"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/results/%s%s", tmpdir, name, names[i]);
        cr_expect_eq(access(path, F_OK), 0, "no %s", path);
    }
    snprintf(path, sizeof(path), "%s/results/certpath-adapter-fake-inproc.json", tmpdir);
    cr_expect_neq(access(path, F_OK), 0, "%s: a name another program could have", path);
}
