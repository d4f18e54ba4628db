/*
 * tool.c - test support for tests that drive the built certpath tool (cp_tool_test.h).
 */
#include "cp_tool_test.h"

#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_hash.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int cp_test_certpath(const char *dir, const char *env, const char *args, const char *log,
                     char **output)
{
    char cmd[8192], dirlog[PATH_MAX];
    if (!log) {
        snprintf(dirlog, sizeof(dirlog), "%s/out.txt", dir);
        log = dirlog;
    }
    int n = snprintf(cmd, sizeof(cmd), "%s%s%s%s %s %s >%s 2>&1", dir ? "cd '" : "", dir ? dir : "",
                     dir ? "' && " : "", env ? env : "", CP_CERTPATH_BIN, args, log);
    cr_assert(n > 0 && (size_t)n < sizeof(cmd), "certpath %s: the command is too long", args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "certpath %s did not exit normally", args);
    if (output)
        cr_assert_eq(cp_fs_read(log, 1u << 28, output, NULL), 0, "%s", cp_error_msg(-1));
    return WEXITSTATUS(st);
}

cJSON *cp_test_run_results(const char *env, const char *stack, const char *args)
{
    char dir[PATH_MAX], out[PATH_MAX + 32], log[PATH_MAX + 32], *text = NULL;
    snprintf(dir, sizeof(dir), "/tmp/cp-test-run.XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "cannot make a directory for the %s run", stack);
    snprintf(out, sizeof(out), "%s/results.json", dir);
    snprintf(log, sizeof(log), "%s/log.txt", dir);
    size_t cap = strlen(stack) + strlen(args) + sizeof(out) + 64;
    char *run_args = malloc(cap);
    cr_assert_not_null(run_args);
    snprintf(run_args, cap, "run --stack %s %s -o %s", stack, args, out);
    int rc = cp_test_certpath(NULL, env, run_args, log, &text);
    free(run_args);
    cr_assert_eq(rc, 0, "%s: certpath run failed:\n%s", stack, text);
    free(text);
    cJSON *res = cp_test_load_json(out);
    cp_fs_rmtree(dir);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "complete")), "%s: run not complete", stack);
    return res;
}

void cp_test_module_results_name(const char *module, char *buf, size_t cap)
{
    const char *base = strrchr(module, '/') ? strrchr(module, '/') + 1 : module;
    uint64_t h = cp_fnv1a64_add(CP_FNV1A64_INIT, module, strlen(module) + 1);
    snprintf(buf, cap, "%.*s-%08llx", (int)strcspn(base, ".:"), base,
             (unsigned long long)(h & 0xffffffffu));
}

bool cp_test_is_program_name(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (!name || strncmp(name, base, n) != 0 || name[n] != '-' || strlen(name + n + 1) != 8)
        return false;
    return strspn(name + n + 1, "0123456789abcdef") == 8;
}

const char *const cp_test_certain_validity[CP_TEST_NCERTAIN_VALIDITY] = {
    "controls/accept",
    "controls/reject",
    "validity/chain/leaf-expired/declared",
    "validity/chain/leaf-expired/shuffled",
    "validity/chain/leaf-not-yet-valid/reversed",
    "validity/chain/leaf-expired-1s/declared",
    "validity/chain/leaf-not-yet-valid-1s/declared",
    "validity/chain/leaf-not-yet-valid-1s/shuffled",
    "validity/chain/leaf-starts-now/declared",
    "validity/chain/leaf-long-lived/reversed",
    "validity/chain/leaf-expired-long-ago/declared",
};

cJSON *cp_test_load_json(const char *path)
{
    char *text = NULL;
    cr_assert_eq(cp_fs_read(path, 1u << 28, &text, NULL), 0, "%s", cp_error_msg(-1));
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j, "%s is not JSON", path);
    return j;
}

cJSON *cp_test_case_of(const cJSON *doc, const char *id)
{
    cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases"))
    {
        const char *cid = cJSON_GetStringValue(cJSON_GetObjectItem(c, "id"));
        if (cid && strcmp(cid, id) == 0)
            return c;
    }
    return NULL;
}

const char *cp_test_field(const cJSON *c, const char *key)
{
    const char *s = c ? cJSON_GetStringValue(cJSON_GetObjectItem(c, key)) : NULL;
    return s ? s : "(none)";
}

void cp_test_manifest_load(const char *suite_dir, struct cp_manifest *m)
{
    cr_assert_eq(cp_manifest_load(suite_dir, m), 0, "%s", cp_error_msg(-1));
}

const struct cp_manifest_case *cp_test_manifest_case(const struct cp_manifest *m, const char *id)
{
    int i = cp_manifest_find_case(m, id);
    return i >= 0 ? &m->cases[i] : NULL;
}

const char *cp_test_expected(const struct cp_manifest *m, const char *id)
{
    const struct cp_manifest_case *c = cp_test_manifest_case(m, id);
    int p = cp_manifest_name_index(m->profiles, m->nprofiles, "webpki");
    if (!c || p < 0)
        return "(no such case)";
    return c->expect[p].accept ? "accept" : "reject";
}

void cp_test_expect_outcomes(const char *stack, const char *suite_dir, const cJSON *res,
                             const char *const *ids, size_t n, bool want_skip)
{
    struct cp_manifest m;
    cp_test_manifest_load(suite_dir, &m);
    for (size_t i = 0; i < n; i++) {
        cJSON *rc = cp_test_case_of(res, ids[i]);
        cr_assert_not_null(cp_test_manifest_case(&m, ids[i]), "%s is not in the suite", ids[i]);
        cr_assert_not_null(rc, "%s: %s is not in the results", stack, ids[i]);
        const char *want = want_skip ? "skip" : cp_test_expected(&m, ids[i]);
        cr_expect_str_eq(cp_test_field(rc, "outcome"), want, "%s: %s: %s", stack, ids[i],
                         cp_test_field(rc, "reason"));
    }
    cp_manifest_free(&m);
}

void cp_test_shared_dir_make(char *dir, size_t cap, const char *env, const char *prefix)
{
    snprintf(dir, cap, "/tmp/%s.XXXXXX", prefix);
    if (mkdtemp(dir))
        setenv(env, dir, 1); /* the tests, forked from the runner, inherit it */
    else
        dir[0] = '\0';
}

void cp_test_shared_dir_remove(const char *dir)
{
    if (dir[0])
        cp_fs_rmtree(dir);
}

const char *cp_test_shared_suite(const char *env)
{
    static const char *const families[] = {"controls", "validity", "constraints"};
    return cp_test_shared_suite_of(env, "suite", families, 3);
}

const char *cp_test_shared_suite_of(const char *env, const char *name, const char *const *families,
                                    int nfamilies)
{
    static char suite[PATH_MAX];
    const char *dir = getenv(env);
    cr_assert_not_null(dir, "the runner made no shared directory");
    snprintf(suite, sizeof(suite), "%s/%s", dir, name);
    char lock[PATH_MAX], manifest[PATH_MAX + 16];
    snprintf(lock, sizeof(lock), "%s/lock", dir);
    snprintf(manifest, sizeof(manifest), "%s/manifest.json", suite);
    int fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    cr_assert(fd >= 0 && flock(fd, LOCK_EX) == 0, "cannot lock %s", lock);
    if (access(manifest, R_OK) != 0) {
        struct cp_gen_opts o;
        cp_gen_opts_init(&o);
        o.out_dir = suite;
        o.families = families;
        o.nfamilies = nfamilies;
        o.threads = 2;
        o.vtime = (int64_t)time(NULL) / 3600 * 3600 - 3600;
        cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
    }
    close(fd);
    return suite;
}
