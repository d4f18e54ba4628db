/*
 * test_cli.c - the certpath command line as a person uses it: help, version, and bad input
 * that must fail with a clear message naming what is wrong and a non-zero exit.
 */
#include "cp_fs.h"
#include "cp_tool_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-cli.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    cp_fs_rmtree(tmpdir);
}

/* Runs certpath with args (a shell fragment); returns its exit status, output in *out. */
static int run(const char *args, char **out)
{
    return cp_test_certpath(tmpdir, NULL, args, NULL, out);
}

static void expect_failure(const char *args, int status, const char *needle)
{
    char *out = NULL;
    int rc = run(args, &out);
    cr_expect_eq(rc, status, "certpath %s: exit %d, want %d; output:\n%s", args, rc, status, out);
    cr_expect(strstr(out, needle) != NULL, "certpath %s: output lacks \"%s\":\n%s", args, needle,
              out);
    free(out);
}

TestSuite(cli, .init = make_tmpdir, .fini = remove_tmpdir);

Test(cli, version_and_help)
{
    char *out = NULL;
    cr_expect_eq(run("--version", &out), 0);
    cr_expect(strstr(out, "certpath 0.") != NULL, "%s", out);
    free(out);
    cr_expect_eq(run("--help", &out), 0);
    cr_expect(strstr(out, "generate") && strstr(out, "list"), "%s", out);
    free(out);
    cr_expect_eq(run("list --families", &out), 0);
    cr_expect(strstr(out, "bettertls") && strstr(out, "pathological"), "%s", out);
    free(out);
}

/* The man page is the help texts in roff: every command's usage, no line roff would take for a
 * request. */
Test(cli, help_man_is_the_help_texts_as_a_man_page)
{
    char *out = NULL;
    int rc = run("help --man", &out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_expect_eq(strncmp(out, ".TH CERTPATH 1 ", 15), 0, "%.80s", out);
    cr_expect(strstr(out, ".SS run\n") && strstr(out, ".SS generate\n") &&
                  strstr(out, ".SS gate\n"),
              "a command is missing");
    cr_expect(strstr(out, "\\-\\-cpu\\-limit") != NULL, "run's options are not in it");
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (*l == '.' || *l == '\'')
            cr_expect(strncmp(l, ".TH", 3) == 0 || strncmp(l, ".SH", 3) == 0 ||
                          strncmp(l, ".SS", 3) == 0 || strncmp(l, ".nf", 3) == 0 ||
                          strncmp(l, ".fi", 3) == 0,
                      "a text line reads as a roff request: %.60s", l);
    }
    free(out);
}

Test(cli, bad_input_is_named_and_fails)
{
    expect_failure("frobnicate", 2, "unknown command \"frobnicate\"");
    expect_failure("generate --family nosuch", 2, "unknown family \"nosuch\"");
    expect_failure("list --family nosuch", 2, "unknown family \"nosuch\"");
    expect_failure("generate --seed 12x", 2, "bad --seed");
    expect_failure("generate --seed -3", 2, "bad --seed");
    expect_failure("generate --time yesterday", 2, "bad time \"yesterday\"");
    expect_failure("generate --time 2026-13-01T00:00:00Z", 2, "bad time");
    expect_failure("generate -j 0", 2, "bad --jobs");
    expect_failure("generate stray", 2, "unexpected argument");
}

Test(cli, an_unwritable_output_fails_with_its_path)
{
    char *out = NULL, file[300], args[700];
    snprintf(file, sizeof(file), "%s/not-a-dir", tmpdir);
    cr_assert_eq(cp_fs_write(file, "x", 1), 0);
    snprintf(args, sizeof(args), "generate --family bettertls -o %s/suite", file);
    int rc = run(args, &out);
    cr_expect_eq(rc, 1, "exit %d:\n%s", rc, out);
    cr_expect(strstr(out, file) != NULL, "%s", out);
    free(out);
}

Test(cli, generate_prints_what_it_made)
{
    char *out = NULL;
    int rc = run("generate --family bettertls --seed 3 --time 2026-11-29T05:00:00Z -o s", &out);
    cr_assert_eq(rc, 0, "%s", out);
    cr_expect(strstr(out, "generated 243 cases") != NULL, "%s", out);
    cr_expect(strstr(out, "2026-11-29T05:00:00Z") != NULL, "%s", out);
    free(out);
    char manifest[400];
    snprintf(manifest, sizeof(manifest), "%s/s/manifest.json", tmpdir);
    cr_expect_eq(access(manifest, F_OK), 0, "no manifest.json");
}
