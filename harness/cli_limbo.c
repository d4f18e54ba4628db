/*
 * cli_limbo.c - `certpath import` and `certpath export`: x509-limbo's testcase format both
 * ways (limbo/cp_limbo.h).
 */
#include "cli.h"
#include "cp_common.h"
#include "cp_generator.h"
#include "cp_limbo.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cp_cli_import_usage[] =
    "usage: certpath import FILE.json -o DIR [--time RFC3339]\n"
    "  a limbo.json (x509-limbo's format, version 1) as a certpath suite in DIR, which\n"
    "  `certpath run --suite DIR` takes like any other (profile \"limbo\")\n"
    "  -o, --output DIR   where the suite goes (replaced when it holds a suite)\n"
    "      --time T       the time of testcases whose validation_time is null (default: now,\n"
    "                     rounded to the hour); recorded as the suite's validation time\n"
    "  Testcases certpath cannot run faithfully are imported as skips with their reason;\n"
    "  testcases that are wrong are refused, named on stderr, and the rest still imports.\n";

const char cp_cli_export_usage[] =
    "usage: certpath export --format limbo -o FILE [--suite DIR]\n"
    "  the suite as a limbo.json for x509-limbo's harnesses: ids certpath::<profile>::<case>,\n"
    "  one testcase per case (profile \"all\"), or one per profile where the profiles disagree\n"
    "  -o, --output FILE  the limbo.json to write\n"
    "      --suite DIR    the suite (default: suite)\n"
    "      --copies N     the suite N times in one file (ids suffixed), for import benchmarks\n";

int cp_cli_import(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"time", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct cp_limbo_import_opts o = {.log = stderr};
    struct cp_limbo_import_stats st;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o')
            o.out_dir = optarg;
        else if (c == 't') {
            if (cp_time_parse(optarg, &o.vtime) || o.vtime <= 0)
                return cp_cli_usage_error(cp_cli_import_usage, "bad --time", optarg);
        } else
            return cp_cli_help_or_usage(c, cp_cli_import_usage);
    }
    if (optind != argc - 1)
        return cp_cli_usage_error(cp_cli_import_usage, "give one limbo.json", "");
    if (!o.out_dir)
        return cp_cli_usage_error(cp_cli_import_usage, "no -o DIR", "");
    o.in = argv[optind];
    int rc = cp_limbo_import(&o, &st);
    if (!rc) {
        char t[32];
        cp_time_format(st.vtime, t, sizeof(t));
        printf("certpath import: %s: %d testcases: %d imported (%d to run, %d skipped), "
               "%d refused\n",
               o.in, st.testcases, st.imported, st.imported - st.skipped, st.skipped, st.refused);
        printf("  suite        %s/manifest.json (profile %s, with the controls)\n", o.out_dir,
               CP_LIMBO_PROFILE);
        printf("  time         %s (testcases with a null validation_time)\n", t);
        for (int s = 0; s < CP_LIMBO_SKIP_COUNT; s++) {
            if (st.skips[s])
                printf("  skipped %5d  %s\n", st.skips[s],
                       cp_limbo_skip_reason((enum cp_limbo_skip)s));
        }
    }
    return cp_cli_status("import", rc, CP_CLI_ARG_IS_USAGE | CP_CLI_NOTFOUND_IS_USAGE);
}

int cp_cli_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"suite", required_argument, NULL, 's'},  {"copies", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    struct cp_limbo_export_opts o = {.suite_dir = "suite"};
    struct cp_limbo_export_stats st;
    const char *format = NULL;
    uint64_t copies;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o')
            o.out = optarg;
        else if (c == 'f')
            format = optarg;
        else if (c == 's')
            o.suite_dir = optarg;
        else if (c == 'c') {
            if (cp_cli_parse_u64(optarg, &copies) || copies < 1 || copies > 1000)
                return cp_cli_usage_error(cp_cli_export_usage, "bad --copies (1..1000)", optarg);
            o.copies = (int)copies;
        } else
            return cp_cli_help_or_usage(c, cp_cli_export_usage);
    }
    if (optind != argc)
        return cp_cli_usage_error(cp_cli_export_usage, "unexpected argument", argv[optind]);
    if (!format || strcmp(format, "limbo") != 0)
        return cp_cli_usage_error(cp_cli_export_usage, "--format limbo is the one format",
                                  format ? format : "");
    if (!o.out)
        return cp_cli_usage_error(cp_cli_export_usage, "no -o FILE", "");
    int rc = cp_limbo_export(&o, &st);
    if (!rc)
        printf("certpath export: %s: %d cases as %d limbo testcases (%d split by profile)\n", o.out,
               st.cases, st.testcases, st.split);
    return cp_cli_status("export", rc, CP_CLI_ARG_IS_USAGE | CP_CLI_NOTFOUND_IS_USAGE);
}
