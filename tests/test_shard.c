/*
 * test_shard.c - `certpath run --shard I/N` and `certpath merge`: a run split in three shards and
 * merged equals the unsharded run field by field (timings aside), with the fake adapter and with
 * OpenSSL on real cases; each shard records its slice and lists the controls once between them;
 * merge refuses a missing shard, a repeated one, an incomplete one (unless --allow-incomplete,
 * which makes an incomplete run) and one of another suite, naming the file; shard and merged
 * results validate against the schema.
 */
#include "cp_missing.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_tool_test.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* 30 ordering cases and the two controls: enough for every shard to hold several. */
#define FILTER "'ordering/depth[12]/*'"

static char tmpdir[256];

static void generate(const char *name, uint64_t seed, const char *const *families, int n)
{
    char dir[400];
    struct cp_gen_opts o;
    snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
    cp_gen_opts_init(&o);
    o.out_dir = dir;
    o.seed = seed;
    o.families = families;
    o.nfamilies = n;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
}

static void setup(void)
{
    static const char *const families[] = {"controls", "ordering"};
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-shard.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    generate("suite", 1, families, 2);
}

static void teardown(void)
{
    cp_fs_rmtree(tmpdir);
}

TestSuite(shard, .init = setup, .fini = teardown, .timeout = 300);

/* Runs `certpath ARGS` in tmpdir with env before it; returns the exit status, the output in
 * *out (the caller frees it). */
static int certpath(const char *env, const char *args, char **out)
{
    char cmd[8192], log[400];
    snprintf(log, sizeof(log), "%s/log.txt", tmpdir);
    snprintf(cmd, sizeof(cmd), "cd %s && %s %s %s >%s 2>&1", tmpdir, env, CP_CERTPATH_BIN, args,
             log);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "certpath did not exit normally: %s", args);
    cr_assert_eq(cp_fs_read(log, 1u << 24, out, NULL), 0);
    return WEXITSTATUS(st);
}

static void run_ok(const char *env, const char *args)
{
    char *out = NULL;
    int rc = certpath(env, args, &out);
    cr_assert_eq(rc, 0, "certpath %s: exit %d:\n%s", args, rc, out);
    free(out);
}

static cJSON *load_json(const char *name)
{
    char path[512], *text = NULL;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    cr_assert_eq(cp_fs_read(path, 1u << 28, &text, NULL), 0, "%s", cp_error_msg(-1));
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j, "%s is not JSON", path);
    return j;
}

/* A results file without what may differ between two runs of the same cases: the timings. */
static cJSON *untimed(const char *name)
{
    cJSON *j = load_json(name), *c;
    cJSON_DeleteItemFromObject(j, "seconds");
    cJSON_DeleteItemFromObject(j, "cpu_seconds");
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "cases"))
    {
        cJSON_DeleteItemFromObject(c, "microseconds");
        cJSON_DeleteItemFromObject(c, "cpu_microseconds");
    }
    return j;
}

/* Field by field, so that a difference is named. */
static void expect_same(cJSON *a, cJSON *b, const char *where)
{
    cJSON *x;
    char path[512];
    cr_assert_eq(cJSON_IsObject(a), cJSON_IsObject(b), "%s: object and not", where);
    if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
        cr_expect_eq(cJSON_GetArraySize(a), cJSON_GetArraySize(b), "%s: %d and %d items", where,
                     cJSON_GetArraySize(a), cJSON_GetArraySize(b));
        for (int i = 0; i < cJSON_GetArraySize(a) && i < cJSON_GetArraySize(b); i++) {
            snprintf(path, sizeof(path), "%s[%d]", where, i);
            expect_same(cJSON_GetArrayItem(a, i), cJSON_GetArrayItem(b, i), path);
        }
        return;
    }
    if (!cJSON_IsObject(a)) {
        cr_expect(cJSON_Compare(a, b, true), "%s differs", where);
        return;
    }
    cr_expect_eq(cJSON_GetArraySize(a), cJSON_GetArraySize(b), "%s: %d and %d fields", where,
                 cJSON_GetArraySize(a), cJSON_GetArraySize(b));
    cJSON_ArrayForEach(x, a)
    {
        snprintf(path, sizeof(path), "%s.%s", where, x->string);
        cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
        cr_expect_not_null(y, "%s is missing from the merged file", path);
        if (y)
            expect_same(x, y, path);
    }
}

static void expect_valid(const char *name)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c 'import json,sys,jsonschema; "
             "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' "
             "%s/reports/schema/results.schema.json %s/%s",
             CP_SOURCE_DIR, tmpdir, name);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s does not validate (exit %d)", name,
              WEXITSTATUS(st));
}

static int count_id(cJSON *res, const char *id)
{
    cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cases")) n +=
        strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")), id) == 0;
    return n;
}

/* The whole run, its three shards (named by default), their merge, and the comparison. */
static void split_and_merge(const char *env, const char *stack, const char *name)
{
    char args[2048], file[256];
    snprintf(args, sizeof(args),
             "run --stack %s --suite suite --no-regenerate -j2 --timeout 2 --filter " FILTER
             " -o single.json",
             stack);
    run_ok(env, args);
    for (int i = 1; i <= 3; i++) {
        snprintf(args, sizeof(args),
                 "run --stack %s --suite suite --no-regenerate -j2 --timeout 2 --filter " FILTER
                 " --shard %d/3",
                 stack, i);
        run_ok(env, args);
    }
    /* Listed out of order: merge puts them back. */
    snprintf(args, sizeof(args),
             "merge results/%s-inproc.shard-3-of-3.json results/%s-inproc.shard-1-of-3.json "
             "results/%s-inproc.shard-2-of-3.json -o merged.json",
             name, name, name);
    run_ok("", args);

    cJSON *single = untimed("single.json"), *merged = untimed("merged.json");
    cr_assert_gt(cJSON_GetArraySize(cJSON_GetObjectItem(single, "cases")), 20);
    expect_same(single, merged, "results");
    cJSON_Delete(single);
    cJSON_Delete(merged);

    /* Each shard holds its slice and its record; the controls are in exactly one. */
    int controls = 0, cases = 0;
    for (int i = 1; i <= 3; i++) {
        snprintf(file, sizeof(file), "results/%s-inproc.shard-%d-of-3.json", name, i);
        cJSON *s = load_json(file), *sh = cJSON_GetObjectItem(s, "shard");
        cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(sh, "index")), i);
        cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(sh, "count")), 3);
        cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(sh, "total")), 32);
        controls += count_id(s, "controls/accept") + count_id(s, "controls/reject");
        cases += cJSON_GetArraySize(cJSON_GetObjectItem(s, "cases"));
        cJSON_Delete(s);
        expect_valid(file);
    }
    cr_expect_eq(controls, 2, "the controls are listed %d times across the shards", controls);
    cr_expect_eq(cases, 32);
    expect_valid("merged.json");
}

Test(shard, three_shards_of_the_fake_merge_into_the_single_run)
{
    char env[1024];
    /* A few outcomes other than the plain answer, so that the comparison covers them. */
    snprintf(env, sizeof(env),
             "CP_FAKE_PLAN='depth1/plain/declared=reject,depth2/plain/declared=error,"
             "depth1/kitchen-sink/declared=exit'");
    char stack[512], name[128];
    snprintf(stack, sizeof(stack), "%s", CP_FAKE_ADAPTER);
    cp_test_module_results_name(CP_FAKE_ADAPTER, name, sizeof(name));
    split_and_merge(env, stack, name);
}

Test(shard, three_shards_of_openssl_merge_into_the_single_run)
{
    char module[512];
    const char *bin = CP_CERTPATH_BIN;
    snprintf(module, sizeof(module), "%.*s/adapters/certpath-adapter-openssl.so",
             (int)(strrchr(bin, '/') - bin), bin);
    if (access(module, R_OK) != 0)
        cp_test_missing("openssl", "the openssl adapter is not built here");
    split_and_merge("", "openssl", "openssl");
}

/* The fake's three shards by default names, for the refusal tests. */
static void make_shards(const char *suite)
{
    char args[1024];
    for (int i = 1; i <= 3; i++) {
        snprintf(args, sizeof(args),
                 "run --stack %s --suite %s --no-regenerate -j2 --filter " FILTER
                 " --shard %d/3 -o %s-%d.json",
                 CP_FAKE_ADAPTER, suite, i, suite, i);
        run_ok("", args);
    }
}

static void expect_refused(const char *files, const char *want)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof(args), "merge %s -o refused.json", files);
    int rc = certpath("", args, &out);
    cr_expect_eq(rc, 1, "merge %s: exit %d:\n%s", files, rc, out);
    cr_expect(strstr(out, want) != NULL, "merge %s: want \"%s\" in:\n%s", files, want, out);
    char path[400];
    snprintf(path, sizeof(path), "%s/refused.json", tmpdir);
    cr_expect_neq(access(path, F_OK), 0, "a refused merge wrote %s", path);
    free(out);
}

Test(shard, merge_refuses_what_is_not_one_whole_run)
{
    static const char *const families[] = {"controls", "ordering"};
    make_shards("suite");
    run_ok("", "merge suite-1.json suite-2.json suite-3.json -o whole.json");
    expect_refused("suite-1.json suite-2.json", "shard 3/3 is missing");
    expect_refused("suite-1.json suite-2.json suite-2.json suite-3.json",
                   "suite-2.json: shard 2/3 again");
    expect_refused("suite-1.json whole.json suite-3.json", "whole.json: not a shard's results");

    /* The same families minted with another seed: another suite. */
    generate("other", 2, families, 2);
    make_shards("other");
    expect_refused("suite-1.json suite-2.json other-3.json", "other-3.json: is from suite");

    /* A shard whose cases were edited away no longer holds its slice. */
    cJSON *s = load_json("suite-2.json");
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(s, "cases"), 0);
    char *text = cJSON_Print(s), path[400];
    snprintf(path, sizeof(path), "%s/cut-2.json", tmpdir);
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0);
    cJSON_free(text);
    cJSON_Delete(s);
    expect_refused("suite-1.json cut-2.json suite-3.json", "cut-2.json: shard 2/3 lists 10 cases");
}

/* Shard 2 as a run stopped before its last case writes it: "complete": false, one case short. */
static void write_stopped_shard(const char *from, const char *to)
{
    cJSON *s = load_json(from), *cases = cJSON_GetObjectItem(s, "cases");
    cJSON_DeleteItemFromArray(cases, cJSON_GetArraySize(cases) - 1);
    cJSON_ReplaceItemInObject(s, "complete", cJSON_CreateFalse());
    char *text = cJSON_Print(s), path[400];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, to);
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0);
    cJSON_free(text);
    cJSON_Delete(s);
}

Test(shard, an_incomplete_shard_merges_only_when_allowed_and_the_merge_stays_incomplete)
{
    make_shards("suite");
    run_ok("", "merge suite-1.json suite-2.json suite-3.json -o whole.json");
    write_stopped_shard("suite-2.json", "part-2.json");
    expect_refused("suite-1.json part-2.json suite-3.json",
                   "part-2.json: shard 2/3 is incomplete (finish it with `certpath run --resume`, "
                   "or merge with --allow-incomplete)");

    char *out = NULL;
    int rc = certpath("",
                      "merge suite-1.json part-2.json suite-3.json -o part.json "
                      "--allow-incomplete",
                      &out);
    cr_expect_eq(rc, 0, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "31 cases") && strstr(out, "an incomplete run"), "%s", out);
    free(out);
    expect_valid("part.json");

    /* The whole run's cases but shard 2's last, in the same order and with the same verdicts. */
    cJSON *whole = load_json("whole.json"), *part = load_json("part.json");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(part, "complete")), "part.json is complete");
    cJSON *wc = cJSON_GetObjectItem(whole, "cases"), *pc = cJSON_GetObjectItem(part, "cases");
    cr_assert_eq(cJSON_GetArraySize(wc), 32);
    cr_assert_eq(cJSON_GetArraySize(pc), 31);
    cJSON *s2 = load_json("suite-2.json"), *s2c = cJSON_GetObjectItem(s2, "cases");
    const char *dropped = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetArrayItem(s2c, cJSON_GetArraySize(s2c) - 1), "id"));
    for (int w = 0, q = 0; w < 32; w++) {
        cJSON *a = cJSON_GetArrayItem(wc, w);
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(a, "id"));
        if (strcmp(id, dropped) == 0)
            continue;
        cJSON *b = cJSON_GetArrayItem(pc, q++);
        cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(b, "id")), id);
        char *va = cJSON_PrintUnformatted(cJSON_GetObjectItem(a, "verdict"));
        char *vb = cJSON_PrintUnformatted(cJSON_GetObjectItem(b, "verdict"));
        cr_expect(va && vb && strcmp(va, vb) == 0, "%s: %s, merged %s", id, va, vb);
        cJSON_free(va);
        cJSON_free(vb);
    }
    cJSON_Delete(s2);
    cJSON_Delete(whole);
    cJSON_Delete(part);

    /* What the merge made is an incomplete run to the gate as well. */
    run_ok("", "baseline whole.json -o base.json");
    rc = certpath("", "gate part.json --baseline base.json", &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "part.json") && strstr(out, "--allow-incomplete"), "%s", out);
    free(out);
    rc = certpath("", "gate part.json --baseline base.json --allow-incomplete", &out);
    cr_expect_eq(rc, 0, "exit %d:\n%s", rc, out);
    free(out);

    /* A stopped shard never lists more than its slice (two of shard 1's cases added). */
    cJSON *s = load_json("part-2.json"), *s1 = load_json("suite-1.json");
    cJSON *cases = cJSON_GetObjectItem(s, "cases"), *s1c = cJSON_GetObjectItem(s1, "cases");
    for (int i = 0; i < 2; i++)
        cJSON_AddItemToArray(cases, cJSON_Duplicate(cJSON_GetArrayItem(s1c, i), true));
    cJSON_Delete(s1);
    char *text = cJSON_Print(s), path[400];
    snprintf(path, sizeof(path), "%s/over-2.json", tmpdir);
    cr_assert_eq(cp_fs_write(path, text, strlen(text)), 0);
    cJSON_free(text);
    cJSON_Delete(s);
    rc = certpath("", "merge suite-1.json over-2.json suite-3.json -o over.json --allow-incomplete",
                  &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, "over-2.json: shard 2/3 lists 12 cases") != NULL, "%s", out);
    free(out);
}

Test(shard, bad_shard_arguments_are_usage_errors)
{
    char *out = NULL;
    cr_expect_eq(certpath("", "run --stack openssl --shard 4/3", &out), 2, "%s", out);
    cr_expect(strstr(out, "bad --shard") != NULL, "%s", out);
    free(out);
    cr_expect_eq(certpath("", "run --stack openssl --shard 0/3", &out), 2, "%s", out);
    free(out);
    cr_expect_eq(certpath("", "merge suite-1.json", &out), 2, "%s", out);
    cr_expect(strstr(out, "-o OUT.json is required") != NULL, "%s", out);
    free(out);
    cr_expect_eq(certpath("", "help merge", &out), 0, "%s", out);
    cr_expect(strstr(out, "usage: certpath merge") != NULL, "%s", out);
    free(out);
}

Test(shard, shards_run_in_both_modes_merge_their_disagreements)
{
    /* Three disagreements at selection positions 4, 5 and 6 (controls at 0 and 1): one in
     * each shard. */
    const char *env =
        "CP_FAKE_PLAN='wire:depth1/extras-before/declared=reject,"
        "inproc:depth1/root-end/declared=error,wire:depth1/kitchen-sink/declared=hang'";
    char args[2048];
    snprintf(args, sizeof(args),
             "run --stack %s --suite suite --no-regenerate -j2 --timeout 1 --filter " FILTER
             " --mode both",
             CP_FAKE_ADAPTER);
    run_ok(env, args);
    for (int i = 1; i <= 3; i++) {
        snprintf(args, sizeof(args),
                 "run --stack %s --suite suite --no-regenerate -j2 --timeout 1 --filter " FILTER
                 " --mode both --shard %d/3",
                 CP_FAKE_ADAPTER, i);
        run_ok(env, args);
    }
    const char *modes[] = {"inproc", "wire"};
    char name[128];
    cp_test_module_results_name(CP_FAKE_ADAPTER, name, sizeof(name));
    for (int m = 0; m < 2; m++) {
        char merged[64], single[256];
        snprintf(args, sizeof(args),
                 "merge results/%s-%s.shard-1-of-3.json results/%s-%s.shard-2-of-3.json "
                 "results/%s-%s.shard-3-of-3.json -o merged-%s.json",
                 name, modes[m], name, modes[m], name, modes[m], modes[m]);
        run_ok("", args);
        snprintf(merged, sizeof(merged), "merged-%s.json", modes[m]);
        snprintf(single, sizeof(single), "results/%s-%s.json", name, modes[m]);
        cJSON *a = untimed(single), *b = untimed(merged);
        cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a, "disagreements")), 3, "%s", single);
        expect_same(a, b, merged);
        cJSON_Delete(a);
        cJSON_Delete(b);
        expect_valid(merged);
    }
}
