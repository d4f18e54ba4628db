/*
 * test_suite.c - the written suite: determinism, the manifest read back against the model, the
 * per-case files read by OpenSSL, atomic output, and the checked-in expectations.
 */
#include "cp_fs.h"
#include "cp_manifest.h"
#include "cp_generator.h"
#include "cp_generator_internal.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fixed validation time keeps every run of these tests comparable. */
#define TEST_TIME INT64_C(1795000000)
#define MANIFEST_MAX (256u << 20)

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-suite.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp failed");
}

static void remove_tmpdir(void)
{
    cp_fs_rmtree(tmpdir);
}

static int generate(const char *out, uint64_t seed, const char *const *families, int n)
{
    struct cp_gen_opts o;
    cp_gen_opts_init(&o);
    o.out_dir = out;
    o.seed = seed;
    o.vtime = TEST_TIME;
    o.families = families;
    o.nfamilies = n;
    return cp_generator_generate(&o, NULL);
}

/* Compares two trees file by file; returns the number of differences (missing files count). */
static int diff_trees(const char *a, const char *b)
{
    int diffs = 0;
    DIR *d = opendir(a);
    cr_assert_not_null(d, "cannot open %s", a);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char pa[4096], pb[4096];
        snprintf(pa, sizeof(pa), "%s/%s", a, e->d_name);
        snprintf(pb, sizeof(pb), "%s/%s", b, e->d_name);
        struct stat st;
        cr_assert_eq(lstat(pa, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            diffs += diff_trees(pa, pb);
            continue;
        }
        char *x = NULL, *y = NULL;
        size_t lx = 0, ly = 0;
        if (cp_fs_read(pa, MANIFEST_MAX, &x, &lx) || cp_fs_read(pb, MANIFEST_MAX, &y, &ly) ||
            lx != ly || memcmp(x, y, lx) != 0)
            diffs++;
        free(x);
        free(y);
    }
    closedir(d);
    return diffs;
}

static const char *const one_family[] = {"bettertls"};

Test(suite, same_seed_and_time_give_identical_bytes, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char a[300], b[300], c[300];
    snprintf(a, sizeof(a), "%s/a", tmpdir);
    snprintf(b, sizeof(b), "%s/b", tmpdir);
    snprintf(c, sizeof(c), "%s/c", tmpdir);
    cr_assert_eq(generate(a, 7, one_family, 1), 0, "%s", cp_error_msg(-1));
    cr_assert_eq(generate(b, 7, one_family, 1), 0, "%s", cp_error_msg(-1));
    cr_assert_eq(generate(c, 8, one_family, 1), 0, "%s", cp_error_msg(-1));
    cr_expect_eq(diff_trees(a, b), 0, "two runs with seed 7 differ");
    /* Another seed: other keys and names, so every certificate and the manifest differ. */
    cr_expect_gt(diff_trees(a, c), 100, "seed 8 gave (nearly) the same suite as seed 7");
}

/* Reads every certificate of a PEM file; returns how many there were. */
static int count_pem(const char *path, X509 **first)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    int n = 0;
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
        if (n == 0 && first)
            *first = x;
        else
            X509_free(x);
        n++;
    }
    fclose(f);
    return n;
}

static void check_case_against_model(const struct cp_manifest *man,
                                     const struct cp_manifest_case *mc, const struct cp_model *m,
                                     const char *dir)
{
    const char *id = mc->id;
    const struct cp_case *c = NULL;
    for (int i = 0; i < m->ncases && !c; i++)
        c = strcmp(m->cases[i].id, id) == 0 ? &m->cases[i] : NULL;
    cr_assert_not_null(c, "manifest case %s is not in the model", id);
    const struct cp_graph *g = &m->graphs[c->graph];
    cr_assert_eq(mc->nsent, c->nsent, "%s: sent list length", id);
    for (int i = 0; i < c->nsent; i++)
        cr_expect_str_eq(man->certs[mc->sent[i]].label, g->certs[c->sent[i]].label, "%s: sent[%d]",
                         id, i);
    cr_assert_eq(man->nprofiles, CP_PROFILE_COUNT);
    for (int p = 0; p < CP_PROFILE_COUNT; p++) {
        cr_expect_str_eq(man->profiles[p], cp_profile_name((enum cp_profile)p));
        cr_expect_eq(mc->expect[p].accept, c->expect[p].outcome == CP_OUTCOME_ACCEPT,
                     "%s: %s outcome", id, cp_profile_name((enum cp_profile)p));
        cr_expect_eq(mc->expect[p].paths_all, c->expect[p].paths_all, "%s: npaths", id);
    }
    char path[1024];
    X509 *leaf = NULL;
    snprintf(path, sizeof(path), "%s/cases/%s/chain.pem", dir, id);
    cr_expect_eq(count_pem(path, &leaf), c->nsent, "%s: chain.pem certificates", id);
    snprintf(path, sizeof(path), "%s/cases/%s/roots.pem", dir, id);
    cr_expect_eq(count_pem(path, NULL), c->nanchors, "%s: roots.pem certificates", id);
    snprintf(path, sizeof(path), "%s/cases/%s/leaf.key", dir, id);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: no leaf.key", id);
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    cr_expect(key && leaf && X509_check_private_key(leaf, key) == 1,
              "%s: leaf.key does not match the leaf certificate", id);
    EVP_PKEY_free(key);
    X509_free(leaf);
}

Test(suite, manifest_round_trips_to_the_model, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/s", tmpdir);
    cr_assert_eq(generate(dir, 1, one_family, 1), 0, "%s", cp_error_msg(-1));
    struct cp_model m;
    struct cp_manifest man;
    cp_model_init(&m);
    cr_assert_eq(cp_generator_build(&m, one_family, 1), 0, "%s", cp_error_msg(-1));
    cr_assert_eq(cp_manifest_load(dir, &man), 0, "%s", cp_error_msg(-1));
    cr_expect_eq(man.seed, 1);
    cr_expect_eq(man.vtime, TEST_TIME);
    cr_assert_eq(man.ncases, m.ncases, "manifest and model case counts");
    cr_assert_gt(m.ncases, 0, "the family made no cases");
    for (int i = 0; i < man.ncases; i++)
        check_case_against_model(&man, &man.cases[i], &m, dir);
    cp_manifest_free(&man);
    cp_model_free(&m);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

Test(suite, refuses_to_replace_a_directory_that_is_not_a_suite, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    char dir[300], keep[400];
    snprintf(dir, sizeof(dir), "%s/home", tmpdir);
    snprintf(keep, sizeof(keep), "%s/precious.txt", dir);
    cr_assert_eq(cp_fs_mkdirs(dir), 0);
    cr_assert_eq(cp_fs_write(keep, "x", 1), 0);
    int rc = generate(dir, 1, one_family, 1);
    cr_expect_neq(rc, 0);
    cr_expect(strstr(cp_error_msg(rc), "not a certpath suite") != NULL, "message: %s",
              cp_error_msg(rc));
    cr_expect_eq(access(keep, F_OK), 0, "the directory's content was touched");
    cr_expect_eq(count_entries(tmpdir), 1, "a temporary directory was left behind");
}

Test(suite, an_existing_suite_is_replaced_whole, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char dir[300], stale[400];
    snprintf(dir, sizeof(dir), "%s/s", tmpdir);
    cr_assert_eq(generate(dir, 1, one_family, 1), 0, "%s", cp_error_msg(-1));
    snprintf(stale, sizeof(stale), "%s/stale-file", dir);
    cr_assert_eq(cp_fs_write(stale, "x", 1), 0);
    cr_assert_eq(generate(dir, 2, one_family, 1), 0, "%s", cp_error_msg(-1));
    cr_expect_neq(access(stale, F_OK), 0, "the old suite's files survived");
    cr_expect_eq(count_entries(tmpdir), 1, "the old suite or a temporary directory was left");
}

Test(suite, an_unwritable_target_fails_cleanly_and_names_the_path, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    char file[300], dir[400];
    snprintf(file, sizeof(file), "%s/a-file", tmpdir);
    cr_assert_eq(cp_fs_write(file, "x", 1), 0);
    snprintf(dir, sizeof(dir), "%s/suite", file); /* a directory under a regular file */
    int rc = generate(dir, 1, one_family, 1);
    cr_expect_neq(rc, 0);
    cr_expect(strstr(cp_error_msg(rc), file) != NULL, "message does not name the path: %s",
              cp_error_msg(rc));
    cr_expect_eq(count_entries(tmpdir), 1, "something was left behind");
}

Test(suite, an_interrupted_run_leaves_nothing_that_looks_complete, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    char dir[300];
    volatile sig_atomic_t stop = 1;
    struct cp_gen_opts o;
    snprintf(dir, sizeof(dir), "%s/s", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = dir;
    o.vtime = TEST_TIME;
    o.families = one_family;
    o.nfamilies = 1;
    o.stop = &stop;
    cr_expect_eq(cp_generator_generate(&o, NULL), CP_E_INTERRUPTED);
    cr_expect_eq(count_entries(tmpdir), 0, "an interrupted run left files");
}

/* The checked-in expectations (expected/expectations.jsonl) are the oracle's answers for the
 * default suite; any change that flips one must show up in review as a change to that file.
 * Regenerate with: build/certpath generate --expectations expected/expectations.jsonl */
Test(suite, expectations_match_the_checked_in_file)
{
    struct cp_model m;
    char *now = NULL, *want = NULL;
    size_t len = 0;
    cp_model_init(&m);
    cr_assert_eq(cp_generator_build(&m, NULL, 0), 0, "%s", cp_error_msg(-1));
    FILE *f = open_memstream(&now, &len);
    cr_assert_not_null(f);
    cr_assert_eq(cp_generator_write_expectations(&m, f), 0);
    fclose(f);
    cr_assert_eq(
        cp_fs_read(CP_SOURCE_DIR "/expected/expectations.jsonl", MANIFEST_MAX, &want, NULL), 0,
        "%s", cp_error_msg(-1));
    /* Report the first differing line: that is the case whose expectation flipped. */
    const char *a = now, *b = want, *line_a = now, *line_b = want;
    int line = 1;
    for (; *a && *a == *b; a++, b++) {
        if (*a == '\n') {
            line++;
            line_a = a + 1;
            line_b = b + 1;
        }
    }
    cr_expect(*a == '\0' && *b == '\0',
              "expectations differ from expected/expectations.jsonl at line %d:\n  now:  %.300s\n"
              "  file: %.300s",
              line, line_a, line_b);
    free(now);
    free(want);
    cp_model_free(&m);
}
