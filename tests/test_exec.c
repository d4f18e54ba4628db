/*
 * test_exec.c - the exec adapter (adapters/exec.c) and the verifiers built with it.
 *
 * The module against tests/exec/scripted-verifier, which answers the manifest's expectation
 * except where told to misbehave: garbage, a wrong id, no outcome, a line over the limit, an
 * exit mid-case each cost one case an `error` that names what happened, and the run goes on; a
 * program that hangs dies with its worker; a program sees only fds 0-2 and has its own process
 * group; a program that gives no hello (none, late, exits, an unknown capability) stops the run
 * with that message; a restart without a hello costs the later cases an error each.
 *
 * Then each verifier built here (go in both modes, python and node over the wire) and the
 * protocol's example, through the built tool on the controls and certain validity cases whose
 * exact outcome the manifest gives: an expired or not-yet-valid leaf, also by one second (the
 * suite's validation time is an hour before the real clock, so a program that read the real
 * clock would accept the leaf that becomes valid one second after it: the clock shim is tested).
 */
#include "cp_missing.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_SCRIPTED CP_SOURCE_DIR "/tests/exec/scripted-verifier"

static char tmpdir[256], suite[300], results[300], state[300];

static void make_suite(const char *family)
{
    const char *families[] = {"controls", family};
    struct cp_gen_opts o;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-exec.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s/suite", tmpdir);
    snprintf(results, sizeof(results), "%s/results.json", tmpdir);
    snprintf(state, sizeof(state), "%s/state", tmpdir);
    cr_assert_eq(mkdir(state, 0700), 0);
    cp_gen_opts_init(&o);
    o.out_dir = suite;
    o.families = families;
    o.nfamilies = 2;
    /* An hour before the real clock: a program that read the real clock would be caught. */
    o.vtime = (int64_t)time(NULL) / 3600 * 3600 - 3600;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
}

static void setup_ordering(void)
{
    make_suite("ordering");
}

static void setup_validity(void)
{
    make_suite("validity");
}

static void teardown(void)
{
    if (tmpdir[0])
        cp_fs_rmtree(tmpdir);
}

TestSuite(exec, .fini = teardown);

/* Runs `certpath run --stack STACK ... ARGS` with ENV before it; returns the exit status and
 * the output. */
static int run_certpath(const char *env, const char *stack, const char *args, char **output)
{
    char envs[4096], run[8192], log[400];
    snprintf(log, sizeof(log), "%s/log.txt", tmpdir);
    snprintf(envs, sizeof(envs), "env CP_EXEC_STATE=%s %s", state, env);
    snprintf(run, sizeof(run), "run --stack '%s' --suite %s --no-regenerate -o %s %s", stack, suite,
             results, args);
    return cp_test_certpath(NULL, envs, run, log, output);
}

static struct cp_manifest *manifest(void)
{
    static struct cp_manifest m;
    cp_test_manifest_load(suite, &m);
    return &m;
}

static void expect_error(cJSON *res, const char *id, const char *words)
{
    cJSON *c = cp_test_case_of(res, id);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error", "%s: %s", id,
                     cp_test_field(c, "reason"));
    cr_expect(strstr(cp_test_field(c, "reason"), words) != NULL, "%s: want \"%s\" in \"%s\"", id,
              words, cp_test_field(c, "reason"));
}

/* issue 12: a row that can only read the real clock (neither set-time nor clock-shim) runs at
 * the real clock against a suite of its own beside the user's, which stays as it was. The
 * suite here is an hour old, past the hour such a row may be off. */
Test(exec, a_realclock_row_runs_against_a_suite_of_its_own, .init = setup_ordering)
{
    char manifest[400], own[400], *before = NULL, *after = NULL, *log = NULL;
    size_t nb = 0, na = 0;
    snprintf(manifest, sizeof(manifest), "%s/manifest.json", suite);
    snprintf(own, sizeof(own), "%s.realclock", suite);
    cr_assert_eq(cp_fs_read(manifest, 1 << 24, &before, &nb), 0);
    int rc = run_certpath("CP_EXEC_HELLO=realclock", "exec:" T_SCRIPTED, "-j2", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cr_expect(strstr(log, "runs at the real clock against") && strstr(log, own), "%s", log);
    cr_assert_eq(cp_fs_read(manifest, 1 << 24, &after, &na), 0);
    cr_expect(nb == na && memcmp(before, after, nb) == 0, "the user's suite changed");
    struct cp_manifest m;
    cp_test_manifest_load(own, &m);
    int64_t now = (int64_t)time(NULL);
    cr_expect(m.vtime <= now && now - m.vtime <= 3600, "its suite is of %lld, now %lld",
              (long long)m.vtime, (long long)now);
    cJSON *res = cp_test_load_json(results);
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(res, "cases")), m.ncases,
                 "the row ran its own suite's cases");
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")));
    cp_manifest_free(&m);
    cJSON_Delete(res);
    free(before);
    free(after);
    free(log);
}

/* ---- the module against a scripted verifier ---- */

static const char *const broken_ids[] = {
    "ordering/depth1/plain/declared",         "ordering/depth1/dup-leaf/declared",
    "ordering/depth1/extras-before/declared", "ordering/depth1/root-end/declared",
    "ordering/depth1/extras-before/reversed", "ordering/depth1/kitchen-sink/declared",
};

/* issue 12: an exec verifier's program runs in its worker's session, so the CPU limit counts its
 * work and ends a spinning program (and its worker) as a timeout. */
Test(exec, a_spinning_program_ends_at_the_cpu_limit, .init = setup_ordering)
{
    char env[512], *log = NULL;
    snprintf(env, sizeof(env), "CP_EXEC_PLAN='%s=spin'", broken_ids[0]);
    int rc = run_certpath(env, "exec:" T_SCRIPTED, "-j2 --cpu-limit 0.5 --timeout 30", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results);
    cJSON *c = cp_test_case_of(res, broken_ids[0]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "timeout");
    cr_expect(strstr(cp_test_field(c, "reason"), "s of CPU (limit 0.50 s)") != NULL, "%s",
              cp_test_field(c, "reason"));
    cJSON_Delete(res);
    free(log);
}

Test(exec, each_broken_reply_is_an_error_naming_it_and_the_run_goes_on, .init = setup_ordering)
{
    char env[2048], *log = NULL;
    snprintf(env, sizeof(env),
             "CP_EXEC_PLAN='%s=garbage,%s=wrongid,%s=crash,%s=toolong,%s=nooutcome,%s=probe'",
             broken_ids[0], broken_ids[1], broken_ids[2], broken_ids[3], broken_ids[4],
             broken_ids[5]);
    int rc = run_certpath(env, "exec:" T_SCRIPTED, "-j2 --timeout 20", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results), *c;
    struct cp_manifest *m = manifest();
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")), "run not complete");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(res, "broken")), "run reported broken");
    /* Not a registry row: its name carries the program's digest. */
    const char *name = cp_test_field(cJSON_GetObjectItem(res, "stack"), "name");
    cr_expect(cp_test_is_program_name(name, "scripted-verifier"), "stack name %s", name);
    expect_error(res, broken_ids[0], "not a JSON object: \"<html>500");
    expect_error(res, broken_ids[1], "for id \"someone/else\"");
    expect_error(res, broken_ids[2], "exited with status 3 mid-case");
    expect_error(res, broken_ids[3], "line longer than 65536 bytes");
    expect_error(res, broken_ids[4], "outcome \"(none)\" is not accept, reject or error");
    /* The program's view of itself; a string code is kept in the reason. */
    c = cp_test_case_of(res, broken_ids[5]);
    cr_expect_str_eq(cp_test_field(c, "reason"), "[probe] fds 0,1,2; own group");
    cr_expect_str_eq(cp_test_field(c, "outcome"), cp_test_expected(m, broken_ids[5]));

    /* Every other case ran (on restarted programs) and got the manifest's answer. */
    int total = 0, right = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cases"))
    {
        const char *id = cp_test_field(c, "id");
        total++;
        right += strcmp(cp_test_field(c, "outcome"), cp_test_expected(m, id)) == 0;
    }
    cr_expect_eq(right, total - 5, "%d of %d cases got the manifest's answer", right, total);
    cr_expect_eq(total, m->ncases);
    cp_manifest_free(m);
    cJSON_Delete(res);
    free(log);
}

/* A zombie is dead too: only its parent (now init) has yet to reap it. */
static bool process_alive(pid_t pid)
{
    char path[64], *status = NULL;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (cp_fs_read(path, 1u << 16, &status, NULL))
        return false;
    bool zombie = strstr(status, "State:\tZ") != NULL;
    free(status);
    return !zombie;
}

Test(exec, a_program_that_hangs_dies_with_its_worker, .init = setup_ordering)
{
    char env[512], path[400], *log = NULL, *pidtext = NULL;
    snprintf(env, sizeof(env), "CP_EXEC_PLAN='%s=hang'", broken_ids[0]);
    int rc = run_certpath(env, "exec:" T_SCRIPTED, "-j2 --timeout 3", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results);
    cr_expect_str_eq(cp_test_field(cp_test_case_of(res, broken_ids[0]), "outcome"), "timeout");
    snprintf(path, sizeof(path), "%s/hang.pid", state);
    cr_assert_eq(cp_fs_read(path, 64, &pidtext, NULL), 0, "the program never hung");
    char *end = NULL;
    long pidnum = strtol(pidtext, &end, 10);
    cr_assert(end != pidtext && pidnum > 1 && pidnum <= INT32_MAX, "hang.pid holds \"%s\"",
              pidtext);
    pid_t pid = (pid_t)pidnum;
    bool alive = true;
    for (int i = 0; i < 100 && (alive = process_alive(pid)); i++)
        usleep(20000);
    if (alive)
        kill(pid, SIGKILL);
    cr_expect(!alive, "the hung program %d outlived its worker", (int)pid);
    cJSON_Delete(res);
    free(pidtext);
    free(log);
}

/* Processes (zombies aside: a killed orphan waits for its new parent to reap it) in process
 * group pgid, from /proc/<pid>/stat: "pid (comm) state ppid pgrp ...". */
static int group_members(pid_t pgid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d))) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t r = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (r <= 0)
            continue;
        buf[r] = '\0';
        char *paren = strrchr(buf, ')'), st;
        int ppid, pgrp;
        if (paren && sscanf(paren + 1, " %c %d %d", &st, &ppid, &pgrp) == 3 && pgrp == pgid &&
            st != 'Z')
            n++;
    }
    closedir(d);
    return n;
}

/* Every way the module gives up on a program that has children holding its stdout (a hang
 * past --timeout, an exit, garbage): the case gets its own outcome (an exit is an exit, not a
 * timeout) and no process of the program's group outlives it. */
Test(exec, no_child_of_a_program_outlives_a_case_given_up_on, .init = setup_ordering)
{
    char env[1024], path[400], *log = NULL, *text = NULL;
    snprintf(env, sizeof(env), "CP_EXEC_PLAN='%s=kids:hang,%s=kids:crash,%s=kids:garbage'",
             broken_ids[0], broken_ids[1], broken_ids[2]);
    int rc = run_certpath(env, "exec:" T_SCRIPTED, "-j1 --timeout 3", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results);
    cJSON *c = cp_test_case_of(res, broken_ids[0]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "timeout");
    c = cp_test_case_of(res, broken_ids[1]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error", "%s", cp_test_field(c, "reason"));
    cr_expect(strstr(cp_test_field(c, "reason"), "exited with status 3 mid-case") != NULL, "%s",
              cp_test_field(c, "reason"));
    c = cp_test_case_of(res, broken_ids[2]);
    cr_expect_str_eq(cp_test_field(c, "outcome"), "error");
    cr_expect(strstr(cp_test_field(c, "reason"), "not a JSON object") != NULL, "%s",
              cp_test_field(c, "reason"));
    cJSON_Delete(res);
    free(log);

    snprintf(path, sizeof(path), "%s/kids", state);
    cr_assert_eq(cp_fs_read(path, 1u << 16, &text, NULL), 0, "no program started children");
    int groups = 0, left = 0;
    for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        int pgid, a, b;
        *nl = '\0';
        cr_assert_eq(sscanf(line, "%d %d %d", &pgid, &a, &b), 3, "kids: \"%s\"", line);
        int alive = group_members(pgid);
        for (int i = 0; i < 100 && alive; i++, alive = group_members(pgid))
            usleep(20000);
        if (alive) {
            kill(-pgid, SIGKILL);
            left += alive;
        }
        groups++;
    }
    free(text);
    cr_expect_eq(groups, 3, "%d programs started children", groups);
    cr_expect_eq(left, 0, "%d processes outlived their program's case", left);
}

Test(exec, a_program_without_a_hello_stops_the_run_with_why, .init = setup_ordering)
{
    static const struct {
        const char *env, *words;
    } starts[] = {
        {"CP_EXEC_HELLO=missing", "not a JSON hello: \"Starting up, please wait...\""},
        {"CP_EXEC_HELLO=exit", "gave no hello: it exited with status 5"},
        {"CP_EXEC_HELLO=slow CERTPATH_EXEC_HELLO_TIMEOUT=0.5", "said nothing within 0.5 s"},
        {"CP_EXEC_HELLO=badcap", "unknown capability \"telepathy\""},
    };
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        char *log = NULL;
        int rc = run_certpath(starts[i].env, "exec:" T_SCRIPTED, "-j1", &log);
        cr_expect_neq(rc, 0, "%s: the run went on:\n%s", starts[i].env, log);
        cr_expect(strstr(log, starts[i].words) != NULL, "%s: want \"%s\" in:\n%s", starts[i].env,
                  starts[i].words, log);
        free(log);
    }
    char *log = NULL;
    int rc = run_certpath("", "exec:/nonexistent/verifier", "-j1", &log);
    cr_expect_neq(rc, 0);
    cr_expect(strstr(log, "cannot run /nonexistent/verifier: No such file or directory") != NULL,
              "%s", log);
    free(log);
}

Test(exec, a_restart_without_a_hello_costs_each_later_case_an_error, .init = setup_ordering)
{
    char env[512], *log = NULL;
    snprintf(env, sizeof(env), "CP_EXEC_RESTART_HELLO=missing CP_EXEC_PLAN='%s=crash'",
             broken_ids[0]);
    int rc = run_certpath(env, "exec:" T_SCRIPTED, "-j1 --filter 'ordering/depth1/*'", &log);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, log);
    cJSON *res = cp_test_load_json(results), *c;
    expect_error(res, broken_ids[0], "exited with status 3 mid-case");
    int restarts = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cases"))
    {
        restarts += strstr(cp_test_field(c, "reason"), "restarting the program failed") &&
                    strstr(cp_test_field(c, "reason"), "not a JSON hello");
    }
    cr_expect_gt(restarts, 0, "no case reported the failed restart");
    cJSON_Delete(res);
    free(log);
}

/* ---- the verifiers built here ---- */

/* Whether a verifier's program was built (its toolchain was found) and can run here. */
static bool verifier_present(const char *program, const char *needs)
{
    char path[PATH_MAX];
    const char *slash = strrchr(CP_CERTPATH_BIN, '/');
    snprintf(path, sizeof(path), "%.*s/adapters/exec/%s", (int)(slash - CP_CERTPATH_BIN),
             CP_CERTPATH_BIN, program);
    return access(path, X_OK) == 0 && (!needs || access(needs, X_OK) == 0);
}

static void check_verifier(const char *stack, const char *mode)
{
    char args[512], *log = NULL;
    snprintf(args, sizeof(args), "-j2 --mode %s --filter 'validity/chain/leaf-*'", mode);
    int rc = run_certpath("", stack, args, &log);
    cr_assert_eq(rc, 0, "%s %s: exit %d:\n%s", stack, mode, rc, log);
    cJSON *res = cp_test_load_json(results);
    struct cp_manifest *m = manifest();
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")), "%s: run not complete", stack);
    for (size_t i = 0; i < CP_TEST_NCERTAIN_VALIDITY; i++) {
        cJSON *c = cp_test_case_of(res, cp_test_certain_validity[i]);
        cr_expect_str_eq(cp_test_field(c, "outcome"),
                         cp_test_expected(m, cp_test_certain_validity[i]), "%s %s: %s: %s", stack,
                         mode, cp_test_certain_validity[i], cp_test_field(c, "reason"));
    }
    cp_manifest_free(m);
    cJSON_Delete(res);
    free(log);
}

Test(exec, go_verifies_in_process_and_over_the_wire, .init = setup_validity)
{
    if (!verifier_present("go/certpath-verify-go", NULL))
        cp_test_missing("go", "the go verifier is not built (apt install golang-go)");
    check_verifier("go", "inproc");
    check_verifier("go", "wire");
}

Test(exec, python_verifies_over_the_wire_at_the_shimmed_time, .init = setup_validity)
{
    if (!verifier_present("python/certpath-verify-python", "/usr/bin/python3"))
        cp_test_missing("python", "the python verifier is not built (no /usr/bin/python3)");
    check_verifier("python", "wire");
}

Test(exec, node_verifies_over_the_wire_at_the_shimmed_time, .init = setup_validity)
{
    if (!verifier_present("node/certpath-verify-node", "/usr/bin/node"))
        cp_test_missing("node", "the node verifier is not built (apt install nodejs)");
    check_verifier("node", "wire");
}

Test(exec, the_protocol_example_verifies, .init = setup_validity)
{
    if (access("/usr/bin/python3", X_OK) != 0 || access("/usr/bin/openssl", X_OK) != 0)
        cp_test_missing("python", "the example needs /usr/bin/python3 and /usr/bin/openssl");
    check_verifier("exec:" CP_SOURCE_DIR "/adapters/exec/example/openssl-verify.py", "inproc");
}
