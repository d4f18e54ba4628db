/*
 * test_names_cli.c - how a user asks for the opt-in `names` suite: `run --family NAME` makes
 * and uses suite-NAME beside the default suite, `list --families` marks the family opt-in, and
 * the default listing leaves it out.
 */
#include "cp_fs.h"
#include "cp_tool_test.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

Test(names_cli, run_family_makes_its_own_suite_dir)
{
    char dir[] = "/tmp/cp-names-cli.XXXXXX", args[PATH_MAX + 64], path[PATH_MAX], *out = NULL;
    cr_assert_not_null(mkdtemp(dir));
    snprintf(args, sizeof(args), "run --stack %s --family controls -o r.json", CP_FAKE_ADAPTER);
    cr_expect_eq(cp_test_certpath(dir, NULL, args, NULL, &out), 0, "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/suite-controls/manifest.json", dir);
    cr_expect_eq(access(path, R_OK), 0, "run --family controls generates suite-controls");
    snprintf(path, sizeof(path), "%s/suite", dir);
    cr_expect_neq(access(path, F_OK), 0, "and leaves the default suite directory alone");
    cp_fs_rmtree(dir);
}

Test(names_cli, names_is_opt_in)
{
    char dir[] = "/tmp/cp-names-cli.XXXXXX", *out = NULL;
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(cp_test_certpath(dir, NULL, "list --families", NULL, &out), 0, "%s", out);
    const char *line = strstr(out, "\nnames ");
    cr_expect(line && strstr(line, "(opt-in)"), "%s", out);
    free(out);
    cr_assert_eq(cp_test_certpath(dir, NULL, "list", NULL, &out), 0);
    cr_expect_null(strstr(out, "names/bettertls/"), "the default suite has no names cases");
    free(out);
    cp_fs_rmtree(dir);
}
