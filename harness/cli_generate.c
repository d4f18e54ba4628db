/*
 * cli_generate.c - `certpath generate` and `certpath list`: the generator's commands.
 */
#include "cli.h"
#include "cp_common.h"
#include "cp_generator.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

/* More --family options than families exist is a mistake, not a need. */
#define CP_MAX_FAMILY_ARGS 32

const char cp_cli_generate_usage[] =
    "usage: certpath generate [-o DIR] [--seed N] [--time RFC3339] [--family NAME]... [-j N]\n"
    "                         [--expectations FILE]\n"
    "  -o, --output DIR       where the suite goes (default: suite); replaced atomically\n"
    "      --seed N           DRBG seed, a decimal number (default: 1); same seed and time\n"
    "                         give a byte-identical suite\n"
    "      --time T           validation time, RFC 3339 (default: now, rounded to the hour)\n"
    "      --family NAME      only this family (repeatable; see `certpath list --families`)\n"
    "  -j, --jobs N           minting threads (default: one per core)\n"
    "      --expectations F   also write the oracle's expectations (expected/ format) to F\n";

const char cp_cli_list_usage[] = "usage: certpath list [--family NAME]... [--families]\n"
                                 "  --family NAME   only this family (repeatable)\n"
                                 "  --families      list the families instead of the cases\n";

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

int cp_cli_generate(int argc, char **argv)
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
            if (cp_cli_parse_u64(optarg, &o.seed))
                return cp_cli_usage_error(cp_cli_generate_usage,
                                          "bad --seed (want a decimal number)", optarg);
            break;
        case 't':
            if (cp_time_parse(optarg, &o.vtime))
                return cp_cli_usage_error(cp_cli_generate_usage, cp_error_msg(CP_E_ARG), "");
            break;
        case 'f':
            if (add_family(families, &o.nfamilies, optarg))
                return cp_cli_usage_error(cp_cli_generate_usage, "too many --family options", "");
            break;
        case 'j':
            if (cp_cli_parse_jobs(optarg, &o.threads))
                return cp_cli_usage_error(cp_cli_generate_usage, "bad --jobs (want 1..64)", optarg);
            break;
        case 'e':
            o.expectations_path = optarg;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_generate_usage);
        }
    }
    if (optind < argc)
        return cp_cli_usage_error(cp_cli_generate_usage, "unexpected argument", argv[optind]);
    cp_cli_catch_interrupts();
    o.stop = &cp_cli_stop;
    int rc = cp_generator_generate(&o, &st);
    if (rc)
        return cp_cli_status("generate", rc, CP_CLI_INTERRUPTIBLE | CP_CLI_NOTFOUND_IS_USAGE);
    print_stats(&o, &st);
    return 0;
}

int cp_cli_list(int argc, char **argv)
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
                return cp_cli_usage_error(cp_cli_list_usage, "too many --family options", "");
            break;
        case 'F':
            families_only = true;
            break;
        default:
            return cp_cli_help_or_usage(c, cp_cli_list_usage);
        }
    }
    if (optind < argc)
        return cp_cli_usage_error(cp_cli_list_usage, "unexpected argument", argv[optind]);
    int rc = cp_generator_list(stdout, families, n, families_only);
    if (rc)
        return cp_cli_status("list", rc, CP_CLI_NOTFOUND_IS_USAGE);
    return 0;
}
