/*
 * cli_run.c - `certpath run`, `stacks`, `serve` and `merge`: running stacks on the suite and
 * joining a sharded run's results.
 */
#include "cli.h"
#include "cp_common.h"
#include "cp_harness.h"
#include "cp_results.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cp_cli_run_usage[] =
    "usage: certpath run --stack NAME [--suite DIR] [-j N] [--cpu-limit S] [--timeout S] [--filter "
    "GLOB]\n"
    "                    [--profile P] [-o FILE] [--resume] [--no-regenerate] [--family NAME]\n"
    "                    [--mode inproc|wire|both] [--tls 1.2|1.3] [--shard I/N]\n"
    "  --stack NAME      a stack from `certpath stacks`, NAME:ARG, a module path, or all\n"
    "  --mode M          inproc (default): the library's verify call in the worker; wire: its\n"
    "                    TLS client against the built-in server (see `certpath help serve`);\n"
    "                    both: each mode the adapter has, then every case where the two\n"
    "                    disagree (in both results files and the summary)\n"
    "  --tls V           wire mode: the server speaks TLS V only (1.2 or 1.3); default: it\n"
    "                    offers 1.3 (where its engine has it) and 1.2. Each case's results\n"
    "                    record the version negotiated and the engine that served it\n"
    "  --shard I/N       run slice I of N of the cases (both controls run in every shard);\n"
    "                    `certpath merge` joins the N results files into one\n"
    "  --suite DIR       the suite (default: suite; generated only when it does not exist,\n"
    "                    never written over: every stack takes its validation time)\n"
    "  --family NAME     a suite of this family only, e.g. names (default DIR: suite-NAME)\n"
    "  -j, --jobs N      worker processes (default: one per core)\n"
    "  --cpu-limit S     CPU seconds a case's verifier may use before it counts as a timeout\n"
    "                    (default 1; 0: none): a hang costs little, the same on a busy machine\n"
    "  --timeout S       wall-clock seconds a case may take, for verifiers that wait (default 5)\n"
    "  --filter GLOB     only cases whose id matches (e.g. 'bettertls/*')\n"
    "  --profile P       the profile the summary shows: webpki (default) or rfc5280\n"
    "  -o, --output F    results file (default: results/<stack>-<inproc|wire>.json, with\n"
    "                    --shard results/<stack>-<mode>.shard-I-of-N.json)\n"
    "  --resume          continue an interrupted run from its journal\n"
    "  --no-regenerate   accepted for old scripts (a suite is never regenerated)\n"
    "  --summary         with --stack all: every row's per-feature summary, not one line per row\n"
    "  --baseline B      compare each stack with its baseline: B is a file, or a directory\n"
    "                    holding <stack>.json (e.g. expected/baselines); exit 1 when a case\n"
    "                    regressed (see docs/baselines.md)\n";

const char cp_cli_merge_usage[] =
    "usage: certpath merge SHARD.json... -o OUT.json [--allow-incomplete]\n"
    "  Joins the results files of every shard of one run (`certpath run --shard I/N`) into\n"
    "  the results file one unsharded run writes (its timings aside): the cases in manifest\n"
    "  order, verdicts, counts and feature support recomputed. The shards must come from one\n"
    "  suite, stack, library version, mode and profile set, each be complete, and together\n"
    "  cover every case exactly once (shards 1..N, none missing or repeated).\n"
    "  -o, --output F        the merged results file\n"
    "  --allow-incomplete    take shards that did not finish (\"complete\": false): the merged\n"
    "                        run holds the cases they ran and is itself incomplete, so gate\n"
    "                        and baseline need --allow-incomplete for it too\n";

const char cp_cli_serve_usage[] =
    "usage: certpath serve [--suite DIR] [--port P] [--tls 1.2|1.3]\n"
    "  --suite DIR   the suite whose cases are served (default: suite)\n"
    "  --port P      TCP port on 127.0.0.1 (default 0: any free port, printed at start)\n"
    "  --tls V       only TLS V (1.2, or 1.3 where the server's Mbed TLS has it); default:\n"
    "                1.3 where it has it, and 1.2\n"
    "  A client picks a case by sending the case's hostname as SNI; the server sends that\n"
    "  case's chain.pem exactly as listed. Runs until Ctrl-C.\n";

/* --tls: the one version a wire run or the server speaks. */
static int parse_tls(const char *s)
{
    return strcmp(s, "1.2") == 0 || strcmp(s, "1.3") == 0 ? 0 : -1;
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
    if (cp_cli_parse_u64(buf, &i) || cp_cli_parse_u64(slash + 1, &n) || i < 1 || i > n || n > 10000)
        return -1;
    *index = (int)i;
    *count = (int)n;
    return 0;
}

int cp_cli_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"allow-incomplete", no_argument, NULL, 'I'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    bool allow_incomplete = false;
    struct cp_results r;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'I':
            allow_incomplete = true;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_merge_usage);
        }
    }
    if (optind >= argc)
        return cp_cli_usage_error(cp_cli_merge_usage, "no shard results file given", "");
    if (!out)
        return cp_cli_usage_error(cp_cli_merge_usage, "-o OUT.json is required", "");
    int rc =
        cp_results_merge((const char *const *)(argv + optind), argc - optind, allow_incomplete, &r);
    if (!rc)
        rc = cp_results_write_json(&r, out);
    int status = cp_cli_status("merge", rc, CP_CLI_ARG_IS_USAGE);
    if (!rc && r.complete)
        printf("certpath merge: %d shards, %d cases of %s (%s mode) into %s\n", argc - optind,
               r.ncases, r.stack, r.mode, out);
    else if (!rc)
        printf("certpath merge: %d shards, %d cases of %s (%s mode) into %s: an incomplete "
               "run (gate and baseline take it only with --allow-incomplete)\n",
               argc - optind, r.ncases, r.stack, r.mode, out);
    cp_results_free(&r);
    return status;
}

int cp_cli_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"stack", required_argument, NULL, 'S'},   {"suite", required_argument, NULL, 'd'},
        {"jobs", required_argument, NULL, 'j'},    {"timeout", required_argument, NULL, 'T'},
        {"filter", required_argument, NULL, 'F'},  {"profile", required_argument, NULL, 'P'},
        {"output", required_argument, NULL, 'o'},  {"resume", no_argument, NULL, 'R'},
        {"no-regenerate", no_argument, NULL, 'N'}, {"help", no_argument, NULL, 'h'},
        {"mode", required_argument, NULL, 'm'},    {"baseline", required_argument, NULL, 'B'},
        {"shard", required_argument, NULL, 'H'},   {"cpu-limit", required_argument, NULL, 'C'},
        {"summary", no_argument, NULL, 'Y'},       {"family", required_argument, NULL, 'f'},
        {"tls", required_argument, NULL, 'V'},     {NULL, 0, NULL, 0}};
    struct cp_run_opts o;
    int c, regressions = 0;
    bool suite_given = false;
    char family_dir[128];
    cp_run_opts_init(&o);
    o.regressions = &regressions;
    while ((c = getopt_long(argc, argv, "j:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            o.stack = optarg;
            break;
        case 'd':
            o.suite_dir = optarg;
            suite_given = true;
            break;
        case 'f':
            o.family = optarg;
            break;
        case 'j':
            if (cp_cli_parse_jobs(optarg, &o.jobs))
                return cp_cli_usage_error(cp_cli_run_usage, "bad --jobs (want 1..64)", optarg);
            break;
        case 'T':
            if (parse_seconds(optarg, &o.timeout))
                return cp_cli_usage_error(cp_cli_run_usage, "bad --timeout (want seconds, 0..3600)",
                                          optarg);
            break;
        case 'Y':
            o.summary = true;
            break;
        case 'C':
            o.cpu_limit_given = true;
            if (strcmp(optarg, "0") == 0)
                o.cpu_limit = 0;
            else if (parse_seconds(optarg, &o.cpu_limit))
                return cp_cli_usage_error(cp_cli_run_usage,
                                          "bad --cpu-limit (want seconds, 0..3600)", optarg);
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
                return cp_cli_usage_error(cp_cli_run_usage,
                                          "bad --mode (want inproc, wire or both)", optarg);
            break;
        case 'V':
            if (parse_tls(optarg))
                return cp_cli_usage_error(cp_cli_run_usage, "bad --tls (want 1.2 or 1.3)", optarg);
            o.tls = optarg;
            break;
        case 'H':
            if (parse_shard(optarg, &o.shard_index, &o.shard_count))
                return cp_cli_usage_error(cp_cli_run_usage,
                                          "bad --shard (want I/N with 1 <= I <= N)", optarg);
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_run_usage);
        }
    }
    if (optind < argc)
        return cp_cli_usage_error(cp_cli_run_usage, "unexpected argument", argv[optind]);
    if (!o.stack)
        return cp_cli_usage_error(cp_cli_run_usage, "--stack is required", "");
    if (o.tls && o.mode == CP_RUN_INPROC)
        return cp_cli_usage_error(
            cp_cli_run_usage, "--tls applies over the wire only (add --mode wire or both)", o.tls);
    if (o.family && !suite_given) {
        int w = snprintf(family_dir, sizeof(family_dir), "suite-%s", o.family);
        if (w < 0 || (size_t)w >= sizeof(family_dir))
            return cp_cli_usage_error(cp_cli_run_usage, "--family name too long", o.family);
        o.suite_dir = family_dir;
    }
    /* A mistyped baseline fails before the run, not after it. */
    if (o.baseline && access(o.baseline, F_OK) != 0)
        return cp_cli_usage_error(cp_cli_run_usage, "no such baseline file or directory",
                                  o.baseline);
    cp_cli_catch_interrupts();
    o.stop = &cp_cli_stop;
    o.progress = isatty(STDERR_FILENO);
    int rc = cp_run(&o);
    if (rc)
        return cp_cli_status("run", rc,
                             CP_CLI_INTERRUPTIBLE | CP_CLI_NOTFOUND_IS_USAGE | CP_CLI_ARG_IS_USAGE);
    if (regressions) {
        fprintf(stderr, "certpath run: %d case%s regressed against the baseline (listed above)\n",
                regressions, regressions == 1 ? "" : "s");
        return CP_EXIT_FAILED;
    }
    return 0;
}

int cp_cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"suite", required_argument, NULL, 'd'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"tls", required_argument, NULL, 'V'},
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
            if (cp_cli_parse_u64(optarg, &port) || port > 65535)
                return cp_cli_usage_error(cp_cli_serve_usage, "bad --port (want 0..65535)", optarg);
            o.port = (int)port;
            break;
        case 'V':
            if (parse_tls(optarg))
                return cp_cli_usage_error(cp_cli_serve_usage, "bad --tls (want 1.2 or 1.3)",
                                          optarg);
            o.tls = optarg;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_serve_usage);
        }
    }
    if (optind < argc)
        return cp_cli_usage_error(cp_cli_serve_usage, "unexpected argument", argv[optind]);
    cp_cli_catch_interrupts();
    o.stop = &cp_cli_stop;
    int rc = cp_serve(&o);
    if (rc)
        return cp_cli_status("serve", rc, CP_CLI_NOTFOUND_IS_USAGE | CP_CLI_ARG_IS_USAGE);
    return 0;
}

int cp_cli_stacks(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cp_cli_status("stacks", cp_stacks_print(stdout), 0);
}
