/*
 * cli.h - what the certpath command files (cli_*.c) share with main.c: one function per
 * command, their usage texts, and the exit-status policy, which only main.c implements:
 *   0 success, 1 the work failed (message on stderr), 2 bad usage, 130 interrupted.
 */
#ifndef CP_CLI_H
#define CP_CLI_H

#include <signal.h>
#include <stdint.h>

#define CP_EXIT_FAILED 1
#define CP_EXIT_USAGE 2
#define CP_EXIT_INTERRUPTED 130

/* Which cp_error codes a command reports as something other than "the work failed". */
enum cp_cli_status_flags {
    CP_CLI_INTERRUPTIBLE = 1 << 0,     /* CP_E_INTERRUPTED: 130 */
    CP_CLI_ARG_IS_USAGE = 1 << 1,      /* CP_E_ARG: 2 */
    CP_CLI_NOTFOUND_IS_USAGE = 1 << 2, /* CP_E_NOTFOUND: 2 */
};

/* Set by SIGINT/SIGTERM once cp_cli_catch_interrupts() ran; long commands poll it. */
extern volatile sig_atomic_t cp_cli_stop;
void cp_cli_catch_interrupts(void);

/* 0 for rc == 0; else prints "certpath <cmd>: <message>" and returns the exit status. */
int cp_cli_status(const char *cmd, int rc, unsigned flags);
/* Prints "certpath: <what>: <arg>" (no ": " when arg is empty) and the command's usage to
 * stderr; returns the usage exit status. */
int cp_cli_usage_error(const char *usage, const char *what, const char *arg);
/* The getopt loops' last branch: 'h' prints the usage on stdout and returns 0; anything else
 * (an unknown option, a missing argument) prints it on stderr and returns the usage status. */
int cp_cli_help_or_usage(int c, const char *usage);
/* A decimal number without sign; -1 when s is anything else. */
int cp_cli_parse_u64(const char *s, uint64_t *out);
/* A worker or thread count, 1..64. */
int cp_cli_parse_jobs(const char *s, int *out);

/* The commands: argv[0] is the command's name, as getopt expects. */
int cp_cli_generate(int argc, char **argv);
int cp_cli_list(int argc, char **argv);
int cp_cli_run(int argc, char **argv);
int cp_cli_stacks(int argc, char **argv);
int cp_cli_serve(int argc, char **argv);
int cp_cli_merge(int argc, char **argv);
int cp_cli_report(int argc, char **argv);
int cp_cli_explain(int argc, char **argv);
int cp_cli_baseline(int argc, char **argv);
int cp_cli_gate(int argc, char **argv);
int cp_cli_import(int argc, char **argv);
int cp_cli_export(int argc, char **argv);

extern const char cp_cli_generate_usage[];
extern const char cp_cli_list_usage[];
extern const char cp_cli_run_usage[];
extern const char cp_cli_serve_usage[];
extern const char cp_cli_merge_usage[];
extern const char cp_cli_report_usage[];
extern const char cp_cli_explain_usage[];
extern const char cp_cli_baseline_usage[];
extern const char cp_cli_gate_usage[];
extern const char cp_cli_import_usage[];
extern const char cp_cli_export_usage[];

#endif
