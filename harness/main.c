/*
 * main.c - the certpath command line. Each subcommand parses its own options and calls one
 * part's public interface; only this file decides exit statuses:
 *   0 success, 1 the work failed (message on stderr), 2 bad usage, 130 interrupted.
 */
#include "cp_baseline.h"
#include "cp_common.h"
#include "cp_explain.h"
#include "cp_generator.h"
#include "cp_harness.h"
#include "cp_results.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
/* More --family options than families exist is a mistake, not a need. */
#define CP_MAX_FAMILY_ARGS 32

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static const char usage_text[] =
    "usage: certpath <command> [options]\n"
    "\n"
    "commands:\n"
    "  generate   mint the suite into a directory (default ./suite)\n"
    "  list       list the cases the families make, with expected outcomes\n"
    "  run        run the suite against a stack (see `certpath help run`)\n"
    "  serve      the built-in TLS server on a suite's cases, for any TLS client\n"
    "  report     matrix, HTML, JUnit, Markdown or LimboResult from results files\n"
    "  merge      join the results of a run's shards (run --shard I/N) into one file\n"
    "  explain    one case: its graph, anchors, sent order, expectations, reproduce lines\n"
    "  baseline   a stack's known results (expected/baselines/) from results files\n"
    "  gate       compare results files with their baselines: regressions exit 1\n"
    "  stacks     the adapters built here, their libraries' versions and capabilities\n"
    "  help       show this text, or `certpath help <command>`\n"
    "  version    print the version\n"
    "\n"
    "certpath checks how well a TLS library builds and verifies certificate paths.\n";

static const char generate_usage[] =
    "usage: certpath generate [-o DIR] [--seed N] [--time RFC3339] [--family NAME]... [-j N]\n"
    "                         [--expectations FILE]\n"
    "  -o, --output DIR       where the suite goes (default: suite); replaced atomically\n"
    "      --seed N           DRBG seed, a decimal number (default: 1); same seed and time\n"
    "                         give a byte-identical suite\n"
    "      --time T           validation time, RFC 3339 (default: now, rounded to the hour)\n"
    "      --family NAME      only this family (repeatable; see `certpath list --families`)\n"
    "  -j, --jobs N           minting threads (default: one per core)\n"
    "      --expectations F   also write the oracle's expectations (expected/ format) to F\n";

static const char list_usage[] =
    "usage: certpath list [--family NAME]... [--families]\n"
    "  --family NAME   only this family (repeatable)\n"
    "  --families      list the families instead of the cases\n";

/* Prints "certpath: <what>: <arg>" and the subcommand's usage; returns the usage exit code. */
static const char run_usage[] =
    "usage: certpath run --stack NAME [--suite DIR] [-j N] [--timeout S] [--filter GLOB]\n"
    "                    [--profile P] [-o FILE] [--resume] [--no-regenerate]\n"
    "                    [--mode inproc|wire|both] [--shard I/N]\n"
    "  --stack NAME      a stack from `certpath stacks`, NAME:ARG, a module path, or all\n"
    "  --mode M          inproc (default): the library's verify call in the worker; wire: its\n"
    "                    TLS client against the built-in server (see `certpath help serve`);\n"
    "                    both: each mode the adapter has, then every case where the two\n"
    "                    disagree (in both results files and the summary)\n"
    "  --shard I/N       run slice I of N of the cases (both controls run in every shard);\n"
    "                    `certpath merge` joins the N results files into one\n"
    "  --suite DIR       the suite (default: suite; generated when missing or a day old)\n"
    "  -j, --jobs N      worker processes (default: one per core)\n"
    "  --timeout S       seconds a case may take before it counts as a timeout (default 5)\n"
    "  --filter GLOB     only cases whose id matches (e.g. 'bettertls/*')\n"
    "  --profile P       the profile the summary shows: webpki (default) or rfc5280\n"
    "  -o, --output F    results file (default: results/<stack>-<inproc|wire>.json, with\n"
    "                    --shard results/<stack>-<mode>.shard-I-of-N.json)\n"
    "  --resume          continue an interrupted run from its journal\n"
    "  --no-regenerate   use the suite however old it is\n"
    "  --baseline B      compare each stack with its baseline: B is a file, or a directory\n"
    "                    holding <stack>.json (e.g. expected/baselines); exit 1 when a case\n"
    "                    regressed (see docs/baselines.md)\n";

static const char merge_usage[] =
    "usage: certpath merge SHARD.json... -o OUT.json\n"
    "  Joins the results files of every shard of one run (`certpath run --shard I/N`) into\n"
    "  the results file one unsharded run writes (its timings aside): the cases in manifest\n"
    "  order, verdicts, counts and feature support recomputed. The shards must come from one\n"
    "  suite, stack, library version, mode and profile set, each be complete, and together\n"
    "  cover every case exactly once (shards 1..N, none missing or repeated).\n"
    "  -o, --output F   the merged results file\n";

static const char explain_usage[] =
    "usage: certpath explain CASE [--suite DIR]\n"
    "  One case from the suite's manifest: its graph drawn from the leaf up (certificates as\n"
    "  issuer -> subject with their defects, anchors marked), the anchors, the certificates in\n"
    "  the order sent, per profile the expected outcome, valid paths and what ruled out the\n"
    "  others, and shell lines that reproduce it (openssl verify; certpath serve + curl).\n"
    "  CASE is a case id or its directory. --suite DIR: the suite (default: suite)\n";

static const char baseline_usage[] =
    "usage: certpath baseline RESULTS.json... -o FILE [--reasons FILE]\n"
    "  A stack's known results from complete runs, one results file per mode: every case's\n"
    "  outcome and, for every divergence from the oracle, the library's reason and its cause\n"
    "  from the first matching rule of the reasons file (else \"unexplained\"). Format:\n"
    "  docs/baselines.md.\n"
    "  -o, --output FILE   the baseline to write (expected/baselines/<stack>.json)\n"
    "  --reasons FILE      the rules (expected/baselines/reasons.json)\n";

static const char gate_usage[] =
    "usage: certpath gate RESULTS.json... --baseline FILE|DIR [--profile P] [--markdown F]\n"
    "  Compares each results file with its stack's baseline and lists the regressions, the\n"
    "  improvements and the new cases. Exit 0: no regression; 1: a regression, or a baseline\n"
    "  that cannot be used (missing, corrupt, another suite: the message names it).\n"
    "  --profile P    whose verdicts are compared: webpki (default) or rfc5280\n"
    "  --markdown F   also write the comparison as Markdown (- for stdout)\n";

static const char serve_usage[] =
    "usage: certpath serve [--suite DIR] [--port P]\n"
    "  --suite DIR   the suite whose cases are served (default: suite)\n"
    "  --port P      TCP port on 127.0.0.1 (default 0: any free port, printed at start)\n"
    "  A client picks a case by sending the case's hostname as SNI; the server sends that\n"
    "  case's chain.pem exactly as listed. Runs until Ctrl-C.\n";

static const char report_usage[] =
    "usage: certpath report RESULTS.json... [--matrix] [--html FILE] [--junit FILE]\n"
    "                       [--markdown FILE] [--limbo FILE] [--profile P] [--suite DIR]\n"
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

static int usage_error(const char *cmd_usage, const char *what, const char *arg)
{
    fprintf(stderr, "certpath: %s%s%s\n%s", what, *arg ? ": " : "", arg, cmd_usage);
    return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_jobs(const char *s, int *out)
{
    uint64_t v;
    if (parse_u64(s, &v) || v < 1 || v > 64)
        return -1;
    *out = (int)v;
    return 0;
}

static int add_family(const char **families, int *n, const char *name)
{
    if (*n >= CP_MAX_FAMILY_ARGS)
        return -1;
    families[(*n)++] = name;
    return 0;
}

static void print_stats(const struct cp_gen_opts *o, const struct cp_gen_stats *st)
{
    char t[32];
    cp_time_format(o->vtime, t, sizeof(t));
    printf("certpath %s: generated %d cases (%d distinct) on %d graphs, %d certificates\n",
           CP_VERSION, st->ncases, st->ndistinct, st->ngraphs, st->ncerts);
    printf("  suite        %s/manifest.json\n", o->out_dir);
    printf("  seed         %" PRIu64 "\n", o->seed);
    printf("  time         %s\n", t);
    printf("  expected     rfc5280: %d accept, %d reject;  webpki: %d accept, %d reject\n",
           st->naccept[0], st->ncases - st->naccept[0], st->naccept[1],
           st->ncases - st->naccept[1]);
    for (int i = 0; i < st->nfamilies; i++)
        printf("  %-12s %d cases\n", st->families[i].name, st->families[i].cases);
    printf("  took         %.2f s (model and oracle %.2f s, minting and writing %.2f s)\n",
           st->build_seconds + st->mint_seconds, st->build_seconds, st->mint_seconds);
}

static int cmd_generate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
        {"time", required_argument, NULL, 't'},   {"family", required_argument, NULL, 'f'},
        {"jobs", required_argument, NULL, 'j'},   {"expectations", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *families[CP_MAX_FAMILY_ARGS];
    struct cp_gen_opts o;
    struct cp_gen_stats st;
    int c;

    cp_gen_opts_init(&o);
    o.families = families;
    while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out_dir = optarg;
            break;
        case 's':
            if (parse_u64(optarg, &o.seed))
                return usage_error(generate_usage, "bad --seed (want a decimal number)", optarg);
            break;
        case 't':
            if (cp_time_parse(optarg, &o.vtime))
                return usage_error(generate_usage, cp_error_msg(CP_E_ARG), "");
            break;
        case 'f':
            if (add_family(families, &o.nfamilies, optarg))
                return usage_error(generate_usage, "too many --family options", "");
            break;
        case 'j':
            if (parse_jobs(optarg, &o.threads))
                return usage_error(generate_usage, "bad --jobs (want 1..64)", optarg);
            break;
        case 'e':
            o.expectations_path = optarg;
            break;
        case 'h':
            fputs(generate_usage, stdout);
            return 0;
        default:
            fputs(generate_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error(generate_usage, "unexpected argument", argv[optind]);
    catch_interrupts();
    o.stop = &stop_requested;
    int rc = cp_generator_generate(&o, &st);
    if (rc) {
        fprintf(stderr, "certpath generate: %s\n", cp_error_msg(rc));
        return rc == CP_E_INTERRUPTED ? EXIT_INTERRUPTED
               : rc == CP_E_NOTFOUND  ? EXIT_USAGE
                                      : EXIT_FAILURE;
    }
    print_stats(&o, &st);
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {{"family", required_argument, NULL, 'f'},
                                         {"families", no_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *families[CP_MAX_FAMILY_ARGS];
    int n = 0, c;
    bool families_only = false;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (add_family(families, &n, optarg))
                return usage_error(list_usage, "too many --family options", "");
            break;
        case 'F':
            families_only = true;
            break;
        case 'h':
            fputs(list_usage, stdout);
            return 0;
        default:
            fputs(list_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error(list_usage, "unexpected argument", argv[optind]);
    int rc = cp_generator_list(stdout, families, n, families_only);
    if (rc) {
        fprintf(stderr, "certpath list: %s\n", cp_error_msg(rc));
        return rc == CP_E_NOTFOUND ? EXIT_USAGE : EXIT_FAILURE;
    }
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v > 0 && v <= 3600))
        return -1;
    *out = v;
    return 0;
}

/* "I/N" with 1 <= I <= N <= 10000. */
static int parse_shard(const char *s, int *index, int *count)
{
    char buf[32], *slash;
    uint64_t i, n;
    if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf) || !(slash = strchr(buf, '/')))
        return -1;
    *slash = '\0';
    if (parse_u64(buf, &i) || parse_u64(slash + 1, &n) || i < 1 || i > n || n > 10000)
        return -1;
    *index = (int)i;
    *count = (int)n;
    return 0;
}

static int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    struct cp_results r;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(merge_usage, stdout);
            return 0;
        default:
            fputs(merge_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error(merge_usage, "no shard results file given", "");
    if (!out)
        return usage_error(merge_usage, "-o OUT.json is required", "");
    int rc = cp_results_merge((const char *const *)(argv + optind), argc - optind, &r);
    if (!rc)
        rc = cp_results_write_json(&r, out);
    if (rc)
        fprintf(stderr, "certpath merge: %s\n", cp_error_msg(rc));
    else
        printf("certpath merge: %d shards, %d cases of %s (%s mode) into %s\n", argc - optind,
               r.ncases, r.stack, r.mode, out);
    cp_results_free(&r);
    return rc == CP_E_ARG ? EXIT_USAGE : rc ? EXIT_FAILURE : 0;
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"stack", required_argument, NULL, 'S'},
                                         {"suite", required_argument, NULL, 'd'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"filter", required_argument, NULL, 'F'},
                                         {"profile", required_argument, NULL, 'P'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"resume", no_argument, NULL, 'R'},
                                         {"no-regenerate", no_argument, NULL, 'N'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"mode", required_argument, NULL, 'm'},
                                         {"baseline", required_argument, NULL, 'B'},
                                         {"shard", required_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    struct cp_run_opts o;
    int c, regressions = 0;
    cp_run_opts_init(&o);
    o.regressions = &regressions;
    while ((c = getopt_long(argc, argv, "j:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            o.stack = optarg;
            break;
        case 'd':
            o.suite_dir = optarg;
            break;
        case 'j':
            if (parse_jobs(optarg, &o.jobs))
                return usage_error(run_usage, "bad --jobs (want 1..64)", optarg);
            break;
        case 'T':
            if (parse_seconds(optarg, &o.timeout))
                return usage_error(run_usage, "bad --timeout (want seconds, 0..3600)", optarg);
            break;
        case 'F':
            o.filter = optarg;
            break;
        case 'P':
            o.profile = optarg;
            break;
        case 'o':
            o.output = optarg;
            break;
        case 'R':
            o.resume = true;
            break;
        case 'N':
            o.no_regenerate = true;
            break;
        case 'B':
            o.baseline = optarg;
            break;
        case 'm':
            if (strcmp(optarg, "inproc") == 0 || strcmp(optarg, "in-process") == 0)
                o.mode = CP_RUN_INPROC;
            else if (strcmp(optarg, "wire") == 0)
                o.mode = CP_RUN_WIRE;
            else if (strcmp(optarg, "both") == 0)
                o.mode = CP_RUN_BOTH;
            else
                return usage_error(run_usage, "bad --mode (want inproc, wire or both)", optarg);
            break;
        case 'H':
            if (parse_shard(optarg, &o.shard_index, &o.shard_count))
                return usage_error(run_usage, "bad --shard (want I/N with 1 <= I <= N)", optarg);
            break;
        case 'h':
            fputs(run_usage, stdout);
            return 0;
        default:
            fputs(run_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error(run_usage, "unexpected argument", argv[optind]);
    if (!o.stack)
        return usage_error(run_usage, "--stack is required", "");
    /* A mistyped baseline fails before the run, not after it. */
    if (o.baseline && access(o.baseline, F_OK) != 0)
        return usage_error(run_usage, "no such baseline file or directory", o.baseline);
    catch_interrupts();
    o.stop = &stop_requested;
    o.progress = isatty(STDERR_FILENO);
    int rc = cp_run(&o);
    if (rc) {
        fprintf(stderr, "certpath run: %s\n", cp_error_msg(rc));
        return rc == CP_E_INTERRUPTED ? EXIT_INTERRUPTED
               : rc == CP_E_NOTFOUND || rc == CP_E_ARG ? EXIT_USAGE
                                                        : EXIT_FAILURE;
    }
    if (regressions) {
        fprintf(stderr, "certpath run: %d case%s regressed against the baseline (listed above)\n",
                regressions, regressions == 1 ? "" : "s");
        return EXIT_FAILURE;
    }
    return 0;
}

static int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"matrix", no_argument, NULL, 'M'},         {"html", required_argument, NULL, 'H'},
        {"junit", required_argument, NULL, 'J'},    {"markdown", required_argument, NULL, 'D'},
        {"limbo", required_argument, NULL, 'L'},    {"profile", required_argument, NULL, 'P'},
        {"suite", required_argument, NULL, 'd'},    {"help", no_argument, NULL, 'h'},
        {"baseline", required_argument, NULL, 'B'}, {NULL, 0, NULL, 0}};
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
        case 'h':
            fputs(report_usage, stdout);
            return 0;
        default:
            fputs(report_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error(report_usage, "no results file given", "");
    o.files = (const char *const *)(argv + optind);
    o.nfiles = argc - optind;
    int rc = cp_report_run(&o);
    if (rc) {
        fprintf(stderr, "certpath report: %s\n", cp_error_msg(rc));
        return rc == CP_E_ARG ? EXIT_USAGE : EXIT_FAILURE;
    }
    return 0;
}

static int cmd_explain(int argc, char **argv)
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
        case 'h':
            fputs(explain_usage, stdout);
            return 0;
        default:
            fputs(explain_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc)
        return usage_error(explain_usage, optind < argc ? "one case at a time" : "no case given",
                           "");
    o.case_id = argv[optind];
    int rc = cp_explain(&o);
    if (rc) {
        fprintf(stderr, "certpath explain: %s\n", cp_error_msg(rc));
        return rc == CP_E_NOTFOUND ? EXIT_USAGE : EXIT_FAILURE;
    }
    return 0;
}

static int cmd_baseline(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"reasons", required_argument, NULL, 'r'},
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
        case 'h':
            fputs(baseline_usage, stdout);
            return 0;
        default:
            fputs(baseline_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error(baseline_usage, "no results file given", "");
    if (!o.output)
        return usage_error(baseline_usage, "-o FILE is required", "");
    o.files = (const char *const *)(argv + optind);
    o.nfiles = argc - optind;
    int rc = cp_baseline_build(&o);
    if (rc) {
        fprintf(stderr, "certpath baseline: %s\n", cp_error_msg(rc));
        return rc == CP_E_ARG ? EXIT_USAGE : EXIT_FAILURE;
    }
    return 0;
}

static int cmd_gate(int argc, char **argv)
{
    static const struct option opts[] = {{"baseline", required_argument, NULL, 'B'},
                                         {"profile", required_argument, NULL, 'P'},
                                         {"markdown", required_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
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
        case 'h':
            fputs(gate_usage, stdout);
            return 0;
        default:
            fputs(gate_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error(gate_usage, "no results file given", "");
    if (!o.baseline)
        return usage_error(gate_usage, "--baseline is required", "");
    o.files = (const char *const *)(argv + optind);
    o.nfiles = argc - optind;
    int rc = cp_gate_run(&o, &regressions);
    if (rc) {
        fprintf(stderr, "certpath gate: %s\n", cp_error_msg(rc));
        return rc == CP_E_ARG ? EXIT_USAGE : EXIT_FAILURE;
    }
    if (regressions) {
        fprintf(stderr, "certpath gate: %d case%s regressed against the baseline\n", regressions,
                regressions == 1 ? "" : "s");
        return EXIT_FAILURE;
    }
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"suite", required_argument, NULL, 'd'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct cp_serve_opts o = {.suite_dir = "suite"};
    uint64_t port;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.suite_dir = optarg;
            break;
        case 'p':
            if (parse_u64(optarg, &port) || port > 65535)
                return usage_error(serve_usage, "bad --port (want 0..65535)", optarg);
            o.port = (int)port;
            break;
        case 'h':
            fputs(serve_usage, stdout);
            return 0;
        default:
            fputs(serve_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error(serve_usage, "unexpected argument", argv[optind]);
    catch_interrupts();
    o.stop = &stop_requested;
    int rc = cp_serve(&o);
    if (rc) {
        fprintf(stderr, "certpath serve: %s\n", cp_error_msg(rc));
        return rc == CP_E_NOTFOUND || rc == CP_E_ARG ? EXIT_USAGE : EXIT_FAILURE;
    }
    return 0;
}

static int cmd_stacks(void)
{
    int rc = cp_stacks_print(stdout);
    if (rc)
        fprintf(stderr, "certpath stacks: %s\n", cp_error_msg(rc));
    return rc ? EXIT_FAILURE : 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "generate") == 0)
        fputs(generate_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "list") == 0)
        fputs(list_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "run") == 0)
        fputs(run_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "serve") == 0)
        fputs(serve_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "report") == 0)
        fputs(report_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "merge") == 0)
        fputs(merge_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "explain") == 0)
        fputs(explain_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "baseline") == 0)
        fputs(baseline_usage, stdout);
    else if (argc > 1 && strcmp(argv[1], "gate") == 0)
        fputs(gate_usage, stdout);
    else
        fputs(usage_text, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "generate") == 0)
        return cmd_generate(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "baseline") == 0)
        return cmd_baseline(argc - 1, argv + 1);
    if (strcmp(cmd, "gate") == 0)
        return cmd_gate(argc - 1, argv + 1);
    if (strcmp(cmd, "stacks") == 0)
        return cmd_stacks();
    if (strcmp(cmd, "__worker") == 0)
        return cp_harness_worker_main(argc - 1, argv + 1);
    if (strcmp(cmd, "__floor") == 0 && argc == 4) {
        int rc = cp_harness_floor(argv[2], argv[3]);
        if (rc)
            fprintf(stderr, "certpath __floor: %s\n", cp_error_msg(rc));
        return rc ? EXIT_FAILURE : 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("certpath %s\n", CP_VERSION);
        return 0;
    }
    fprintf(stderr, "certpath: unknown command \"%s\"\n%s", cmd, usage_text);
    return EXIT_USAGE;
}
