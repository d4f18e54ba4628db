/*
 * main.c - the certpath command line: dispatch to the commands (cli_generate.c, cli_run.c,
 * cli_report.c), signal handling, and the exit-status policy; only this file decides it:
 *   0 success, 1 the work failed (message on stderr), 2 bad usage, 130 interrupted.
 */
#include "cli.h"
#include "cp_common.h"
#include "cp_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t cp_cli_stop;

static void on_signal(int sig)
{
    (void)sig;
    cp_cli_stop = 1;
}

void cp_cli_catch_interrupts(void)
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
    "  import     a limbo.json (x509-limbo) as a suite `run` takes\n"
    "  export     the suite as a limbo.json (--format limbo)\n"
    "  stacks     the adapters built here, their libraries' versions and capabilities\n"
    "  help       show this text, or `certpath help <command>`\n"
    "  version    print the version\n"
    "\n"
    "certpath checks how well a TLS library builds and verifies certificate paths.\n";

int cp_cli_status(const char *cmd, int rc, unsigned flags)
{
    if (!rc)
        return 0;
    fprintf(stderr, "certpath %s: %s\n", cmd, cp_error_msg(rc));
    if (rc == CP_E_INTERRUPTED && (flags & CP_CLI_INTERRUPTIBLE))
        return CP_EXIT_INTERRUPTED;
    if ((rc == CP_E_ARG && (flags & CP_CLI_ARG_IS_USAGE)) ||
        (rc == CP_E_NOTFOUND && (flags & CP_CLI_NOTFOUND_IS_USAGE)))
        return CP_EXIT_USAGE;
    return CP_EXIT_FAILED;
}

int cp_cli_usage_error(const char *usage, const char *what, const char *arg)
{
    fprintf(stderr, "certpath: %s%s%s\n%s", what, *arg ? ": " : "", arg, usage);
    return CP_EXIT_USAGE;
}

int cp_cli_help_or_usage(int c, const char *usage)
{
    fputs(usage, c == 'h' ? stdout : stderr);
    return c == 'h' ? 0 : CP_EXIT_USAGE;
}

int cp_cli_parse_u64(const char *s, uint64_t *out)
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

int cp_cli_parse_jobs(const char *s, int *out)
{
    uint64_t v;
    if (cp_cli_parse_u64(s, &v) || v < 1 || v > 64)
        return -1;
    *out = (int)v;
    return 0;
}

/* The commands; those with a usage text are also topics of `certpath help`. */
static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
} commands[] = {
    {"generate", cp_cli_generate, cp_cli_generate_usage},
    {"list", cp_cli_list, cp_cli_list_usage},
    {"run", cp_cli_run, cp_cli_run_usage},
    {"report", cp_cli_report, cp_cli_report_usage},
    {"serve", cp_cli_serve, cp_cli_serve_usage},
    {"explain", cp_cli_explain, cp_cli_explain_usage},
    {"merge", cp_cli_merge, cp_cli_merge_usage},
    {"baseline", cp_cli_baseline, cp_cli_baseline_usage},
    {"gate", cp_cli_gate, cp_cli_gate_usage},
    {"stacks", cp_cli_stacks, NULL},
    {"import", cp_cli_import, cp_cli_import_usage},
    {"export", cp_cli_export, cp_cli_export_usage},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Text as a roff line: backslashes doubled, and a leading '.' or '\'' escaped so that roff
 * never reads a line of usage text as a request. */
static void put_roff(const char *text)
{
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n && (line[0] == '.' || line[0] == '\''))
            fputs("\\&", stdout);
        for (size_t i = 0; i < n; i++) {
            if (line[i] == '\\')
                fputs("\\e", stdout);
            else if (line[i] == '-')
                fputs("\\-", stdout);
            else
                putchar(line[i]);
        }
        putchar('\n');
        line += n + (end ? 1 : 0);
    }
}

/* certpath.1, from the same texts as `certpath help` (the build writes it; CMakeLists.txt). */
static void put_man(void)
{
    fputs(".TH CERTPATH 1 \"\" \"certpath " CP_VERSION "\" \"User Commands\"\n"
          ".SH NAME\ncertpath \\- a conformance suite for certificate path building in TLS "
          "libraries\n.SH SYNOPSIS\n.nf\n",
          stdout);
    put_roff(usage_text);
    fputs(".fi\n.SH COMMANDS\n", stdout);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (!commands[i].usage)
            continue;
        printf(".SS %s\n.nf\n", commands[i].name);
        put_roff(commands[i].usage);
        fputs(".fi\n", stdout);
    }
    fputs(".SH SEE ALSO\nThe README and docs/ of the certpath sources.\n", stdout);
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--man") == 0) {
        put_man();
        return 0;
    }
    const struct command *c = argc > 1 ? find_command(argv[1]) : NULL;
    fputs(c && c->usage ? c->usage : usage_text, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CP_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    const struct command *c = find_command(cmd);
    if (c)
        return c->fn(argc - 1, argv + 1);
    if (strcmp(cmd, "__floor") == 0 && argc == 4)
        return cp_cli_status("__floor", cp_harness_floor(argv[2], argv[3]), 0);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("certpath %s\n", CP_VERSION);
        return 0;
    }
    fprintf(stderr, "certpath: unknown command \"%s\"\n%s", cmd, usage_text);
    return CP_EXIT_USAGE;
}
