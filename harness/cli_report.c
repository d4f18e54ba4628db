/*
 * cli_report.c - `certpath report`, `explain`, `baseline` and `gate`: reading results files
 * and the suite back.
 */
#include "cli.h"
#include "cp_common.h"
#include "cp_baseline.h"
#include "cp_explain.h"
#include "cp_harness.h"

#include <getopt.h>
#include <stdio.h>

const char cp_cli_explain_usage[] =
    "usage: certpath explain CASE [--suite DIR]\n"
    "  One case from the suite's manifest: its graph drawn from the leaf up (certificates as\n"
    "  issuer -> subject with their defects, anchors marked), the anchors, the certificates in\n"
    "  the order sent, per profile the expected outcome, valid paths and what ruled out the\n"
    "  others, and shell lines that reproduce it (openssl verify; certpath serve + curl).\n"
    "  CASE is a case id or its directory. --suite DIR: the suite (default: suite)\n";

const char cp_cli_baseline_usage[] =
    "usage: certpath baseline RESULTS.json... -o FILE [--reasons FILE] [--allow-incomplete]\n"
    "  A stack's known results from complete runs, one results file per mode: every case's\n"
    "  outcome and, for every divergence from the oracle, the library's reason and its cause\n"
    "  from the first matching rule of the reasons file (else \"unexplained\"). Format:\n"
    "  docs/baselines.md.\n"
    "  -o, --output FILE   the baseline to write (expected/baselines/<stack>.json)\n"
    "  --reasons FILE      the rules (expected/baselines/reasons.json)\n"
    "  --allow-incomplete  take a run that did not finish (\"complete\": false); only the\n"
    "                      cases it ran are recorded. Without it such a run is refused.\n";

const char cp_cli_gate_usage[] =
    "usage: certpath gate RESULTS.json... --baseline FILE|DIR [--profile P] [--markdown F]\n"
    "                     [--allow-incomplete]\n"
    "  Compares each results file with its stack's baseline and lists the regressions, the\n"
    "  improvements and the new cases. Exit 0: no regression; 1: a regression, a run that is\n"
    "  broken or incomplete, or a baseline that cannot be used (missing, corrupt, another\n"
    "  suite: the message names it).\n"
    "  --profile P    whose verdicts are compared: webpki (default) or rfc5280\n"
    "  --markdown F   also write the comparison as Markdown (- for stdout)\n"
    "  --allow-incomplete  compare a run that did not finish (\"complete\": false) on the\n"
    "                 cases it ran; without it such a run is refused (exit 1, naming it)\n";

const char cp_cli_report_usage[] =
    "usage: certpath report RESULTS.json... [--matrix] [--html FILE] [--junit FILE]\n"
    "                       [--markdown FILE] [--limbo FILE] [--profile P] [--suite DIR]\n"
    "       certpath report --compare OLD.json NEW.json [--markdown FILE] [--html FILE]\n"
    "  --compare         two runs of one row on one suite (two library versions or releases):\n"
    "                    verdict counts side by side, every feature whose support changed and\n"
    "                    every case whose verdict changed (improved, regressed, changed)\n"
    "  --matrix          the text matrix on stdout (the default when no other report is asked)\n"
    "  --html FILE       one self-contained page: the matrix, filters, each case's graph\n"
    "  --junit FILE      JUnit XML: a test case per (stack, case)\n"
    "  --markdown FILE   the matrix and the wrongly accepted cases, for a pull request\n"
    "  --limbo FILE      x509-limbo's LimboResult JSON; with several results files, one file\n"
    "                    per stack (limbo.json: limbo-gnutls.json, limbo-nss.json, ...)\n"
    "  --profile P       whose verdicts are shown: webpki (default) or rfc5280\n"
    "  --suite DIR       the suite the results come from, for the HTML graphs (default: suite)\n"
    "  --baseline B      the Markdown also lists regressions and improvements against the\n"
    "                    baselines in B (a file, or a directory of <stack>.json)\n"
    "  FILE may be - (stdout). A results file that cannot be read is named on stderr, the\n"
    "  others are still reported, and the exit status is 1.\n";

int cp_cli_report(int argc, char **argv)
{
    static const struct option opts[] = {{"matrix", no_argument, NULL, 'M'},
                                         {"html", required_argument, NULL, 'H'},
                                         {"junit", required_argument, NULL, 'J'},
                                         {"markdown", required_argument, NULL, 'D'},
                                         {"limbo", required_argument, NULL, 'L'},
                                         {"profile", required_argument, NULL, 'P'},
                                         {"suite", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"baseline", required_argument, NULL, 'B'},
                                         {"compare", no_argument, NULL, 'C'},
                                         {NULL, 0, NULL, 0}};
    struct cp_report_opts o;
    int c;
    cp_report_opts_init(&o);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'M':
            o.matrix = true;
            break;
        case 'H':
            o.html = optarg;
            break;
        case 'J':
            o.junit = optarg;
            break;
        case 'D':
            o.markdown = optarg;
            break;
        case 'L':
            o.limbo = optarg;
            break;
        case 'P':
            o.profile = optarg;
            break;
        case 'd':
            o.suite_dir = optarg;
            break;
        case 'B':
            o.baseline = optarg;
            break;
        case 'C':
            o.compare = true;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_report_usage);
        }
    }
    if (optind >= argc)
        return cp_cli_usage_error(cp_cli_report_usage, "no results file given", "");
    o.files = (const char *const *)(argv + optind);
    o.nfiles = argc - optind;
    int rc = cp_report_run(&o);
    if (rc)
        return cp_cli_status("report", rc, CP_CLI_ARG_IS_USAGE);
    return 0;
}

int cp_cli_explain(int argc, char **argv)
{
    static const struct option opts[] = {{"suite", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct cp_explain_opts o = {.suite_dir = "suite", .out = stdout};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.suite_dir = optarg;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_explain_usage);
        }
    }
    if (optind + 1 != argc)
        return cp_cli_usage_error(cp_cli_explain_usage,
                                  optind < argc ? "one case at a time" : "no case given", "");
    o.case_id = argv[optind];
    int rc = cp_explain(&o);
    if (rc)
        return cp_cli_status("explain", rc, CP_CLI_NOTFOUND_IS_USAGE);
    return 0;
}

int cp_cli_baseline(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"reasons", required_argument, NULL, 'r'},
                                         {"allow-incomplete", no_argument, NULL, 'I'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct cp_baseline_opts o = {.out = stdout};
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.output = optarg;
            break;
        case 'r':
            o.reasons = optarg;
            break;
        case 'I':
            o.allow_incomplete = true;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_baseline_usage);
        }
    }
    if (optind >= argc)
        return cp_cli_usage_error(cp_cli_baseline_usage, "no results file given", "");
    if (!o.output)
        return cp_cli_usage_error(cp_cli_baseline_usage, "-o FILE is required", "");
    o.files = (const char *const *)(argv + optind);
    o.nfiles = argc - optind;
    int rc = cp_baseline_build(&o);
    if (rc)
        return cp_cli_status("baseline", rc, CP_CLI_ARG_IS_USAGE);
    return 0;
}

int cp_cli_gate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"baseline", required_argument, NULL, 'B'}, {"profile", required_argument, NULL, 'P'},
        {"markdown", required_argument, NULL, 'D'}, {"allow-incomplete", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    struct cp_gate_opts o = {.profile = "webpki", .out = stdout};
    int c, regressions = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'B':
            o.baseline = optarg;
            break;
        case 'P':
            o.profile = optarg;
            break;
        case 'D':
            o.markdown = optarg;
            break;
        case 'I':
            o.allow_incomplete = true;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_gate_usage);
        }
    }
    if (optind >= argc)
        return cp_cli_usage_error(cp_cli_gate_usage, "no results file given", "");
    if (!o.baseline)
        return cp_cli_usage_error(cp_cli_gate_usage, "--baseline is required", "");
    o.files = (const char *const *)(argv + optind);
    o.nfiles = argc - optind;
    int rc = cp_gate_run(&o, &regressions);
    if (rc)
        return cp_cli_status("gate", rc, CP_CLI_ARG_IS_USAGE);
    if (regressions) {
        fprintf(stderr, "certpath gate: %d case%s regressed against the baseline\n", regressions,
                regressions == 1 ? "" : "s");
        return CP_EXIT_FAILED;
    }
    return 0;
}
