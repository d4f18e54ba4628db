/*
 * harness_internal.h - the harness's parts as they meet each other (harness-internal).
 *
 *   suite_load.c the suite as the harness runs it, from the manifest part's reader
 *   worker.c   the worker process: loads one adapter module, verifies the cases it is sent
 *   pool.c     the parent's side: spawns workers, sends cases, enforces timeouts, replaces
 *              workers that hang or crash
 *   journal.c  appends every finished case to a journal, and reads it back for --resume
 *   run.c      `certpath run`: suite, controls, pool, journal, results
 *   stacks.c   `certpath stacks`
 */
#ifndef CP_HARNESS_INTERNAL_H
#define CP_HARNESS_INTERNAL_H

#include "cp_adapter.h"
#include "cp_manifest.h"
#include "cp_results.h"

#include <arpa/inet.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* ---- the suite as the harness reads it (suite_load.c) ---- */

/* The strings are borrowed from the manifest (valid until cp_suite_free); dir is owned. */
struct cp_suite_case {
    const char *id, *family, *hostname, *description;
    char *dir;         /* the suite directory joined with the case's "dir" */
    uint64_t features; /* bits index cp_suite.features */
    bool probe;
    int ncerts; /* the certificates it gives its verifier: sent and anchors */
    bool expect_accept[CP_RESULTS_MAX_PROFILES];
    int64_t vtime;         /* the case's validation time (its own, or the suite's) */
    const char *skip;      /* NULL, or why the suite says not to run it (an importer's skip) */
    const char *wire_skip; /* wire mode: why the built-in server cannot serve it, or NULL */
    /* Wire mode: the engine that serves it ("mbedtls", "gnutls"), and the port a client
     * connects to when it is not the run's default server's (0). */
    const char *wire_server;
    int wire_port;
    /* Wire mode: the address a client connects to when it is not the default server's: a case
     * whose hostname is a loopback address is served on that address (and a port of its own),
     * with no SNI. */
    const char *wire_host;
};

struct cp_suite {
    struct cp_manifest man; /* the manifest as read and checked (cp_manifest.h) */
    char *dir;
    const char *suite_id;
    char seed[24];            /* the seed as the manifest writes it (decimal) */
    char validation_time[32]; /* RFC 3339 */
    int64_t vtime;
    int nprofiles;
    char *const *profiles; /* borrowed from man */
    int nfeatures;
    char *const *features;
    struct cp_suite_case *cases;
    int ncases;
};

/* Wire mode (run.c): marks with why every case the built-in server cannot serve (wire_skip) and
 * lists the others in *order (owned by the caller), sorted by hostname. */
int cp_wire_mark_skips(struct cp_suite *s, int **order);
/* Then picks each servable case's engine (wire_server), GnuTLS's for what mbedTLS cannot send and
 * for every case under tls "1.3" where mbedTLS has no TLS 1.3; *n_gnutls counts GnuTLS's. */
int cp_wire_route(const char *tls, struct cp_suite *s, int *n_gnutls);

/* Loads dir/manifest.json through cp_manifest_load(): errors name the file and, for a bad
 * case, its id and the field. */
int cp_suite_load(const char *dir, struct cp_suite *s);
void cp_suite_free(struct cp_suite *s);
int cp_suite_find(const struct cp_suite *s, const char *id);
int cp_suite_feature(const struct cp_suite *s, const char *name); /* bit index or -1 */

/* Wall-clock seconds a case may take by default (run --timeout): the cap for cases that wait
 * (a handshake, a browser). */
#define CP_DEFAULT_TIMEOUT 5.0
/* CPU seconds a case's verifier may use by default: CP_DEFAULT_CPU_BASE plus
 * CP_DEFAULT_CPU_PER_CERT for every certificate the case gives it (sent and anchors), at most
 * CP_DEFAULT_CPU_LIMIT (run --cpu-limit S makes it S for every case). Path building on the
 * suite's graphs takes milliseconds; a verifier still busy after that is looping or exploring
 * an exponential number of paths, which is the `timeout` finding. The allowance grows with the
 * case because honest work does: measured on the main job (bench/main-job.sh), the most CPU a
 * case with a verdict took was 139 ms with 3 certificates (a JVM's first case), 125 ms with 22
 * and 589 ms with 41 (java on pathological/same-name/two-levels, 1.7x under its 1 s), while the
 * cycles PKI.js never leaves have 4 to 14 certificates: a flat second made them 80% of the
 * job's CPU. */
#define CP_DEFAULT_CPU_LIMIT 1.0
#define CP_DEFAULT_CPU_BASE 0.3
#define CP_DEFAULT_CPU_PER_CERT 0.02

/* ---- the pipe between parent and worker (pool.c, worker.c) ---- */

/* The case a worker runs next; fixed size, written whole to the worker's request pipe. */
struct cp_ipc_request {
    int32_t index;
    int64_t vtime;
    char id[192];
    char hostname[128];
    char dir[PATH_MAX];
    char host[64]; /* wire mode: the built-in server's numeric address ("" in-process) */
    int32_t port;
    int32_t timeout_ms; /* cp_verify_input.timeout_ms: how long the adapter may wait */
};

/* Fills a request for one case; the adapter's wait is cp_ipc_wait_ms(timeout). Returns 0, or
 * CP_E_LIMIT (message naming the case and the field) when a field does not fit: a request
 * never carries a cut id, hostname or directory. */
int cp_ipc_request_fill(struct cp_ipc_request *rq, int index, const struct cp_suite_case *c,
                        int64_t vtime, const char *host, int port, double timeout);

/* How long an adapter may wait within a per-case limit of timeout seconds: four fifths of it
 * (4 s of the default 5 s), so the adapter reports a stuck peer before the harness kills it;
 * at least 100 ms. */
int cp_ipc_wait_ms(double timeout);

/* One finished case; index -1 is the worker's hello after init. */
struct cp_ipc_response {
    int32_t index;
    int32_t status; /* enum cp_verify_status; anything else is garbage */
    int64_t code;
    int64_t usec;
    char reason[CP_REASON_TEXT_MAX];
};

/* What a worker says once its adapter is initialised (or failed to). */
struct cp_ipc_hello {
    int32_t ok;
    uint32_t caps;
    char name[64];
    char library[64];
    char version[CP_VERSION_TEXT_MAX];
    char settings[4096]; /* in-process and wire settings together */
    char error[512];
};

/* The fds a worker finds its pipes on (dup2'ed before exec). */
#define CP_WORKER_REQ_FD 3
#define CP_WORKER_RESP_FD 4

/* `certpath-worker MODULE [ARG]`: the worker's main (worker_main.c is the program). */
int cp_worker_main(int argc, char **argv);

/* The worker program's path, beside the running certpath: 0, or an error naming it when it is
 * missing. */
int cp_worker_exe(char *buf, size_t cap);

/* The benchmark floor: every case of s through the module's verify() in this one process,
 * reading the same files the workers read; no fork, no pipes. */
int cp_worker_floor(const char *module, const struct cp_suite *s, double *seconds, int *ncases);

/* ---- the pool of workers (pool.c) ---- */

#define CP_MAX_JOBS 64

/* A worker started (a fresh one after a timeout or a crash) whose hello is still to come; its
 * deadline_ms is then the hello's deadline. */
#define CP_WORKER_STARTING (-2)

struct cp_worker {
    pid_t pid; /* a worker's CPU is counted over its process tree (cpu_time.c) */
    int req_fd, resp_fd;
    int busy; /* case index being run, -1 idle, or CP_WORKER_STARTING (its hello not read) */
    int64_t deadline_ms;
    long long cpu_start; /* its tree's CPU (ns) when the case was handed over */
    double cpu_limit;    /* the CPU seconds its case may use (cp_pool_case_cpu_limit()) */
};

/* ---- CPU time of workers (cpu_time.c) ---- */

/* The CPU (user + system, nanoseconds) a worker's work has used: the worker process alone, or
 * with tree every live process under it and what their reaped children used (exec verifiers
 * and what they start). A worker that is gone reads 0. */
long long cp_cpu_ns(pid_t worker, bool tree);

/* What the pool reports for each finished case (cpu_usec: the CPU its verifier used);
 * non-zero stops the run, and cp_pool_run() returns it (a journal that cannot be written). */
typedef int (*cp_pool_done_fn)(void *arg, int index, enum cp_outcome_kind outcome, long code,
                               const char *reason, long usec, long cpu_usec);

struct cp_pool {
    char exe[PATH_MAX];
    char module[PATH_MAX];
    const char *arg;
    bool clock_shim;
    char shim[PATH_MAX];
    int64_t vtime;
    double timeout; /* wall-clock cap per case, seconds */
    /* The per-case CPU limit, set after cp_pool_start(): cpu_base plus cpu_per_cert for each
     * certificate of the case, at most cpu_limit (0: no CPU limit; cpu_per_cert 0: cpu_limit
     * for every case, cpu_base unused). */
    double cpu_limit, cpu_base, cpu_per_cert;
    bool whole_tree; /* count the CPU of every process under a worker (exec) */
    int nworkers;
    int ncpus; /* online CPUs: how fast a worker's CPU time can grow against the wall clock */
    /* A worker started ahead, from the first case given up on (a timeout, a crash): the next
     * worker that must be replaced is replaced by it at once, instead of the slot waiting for
     * a JVM or Node and its library to load. pid 0: none. */
    struct cp_worker spare;
    long long ended_ns; /* CPU of the workers replaced so far, measured as they were ended */
    char wire_host[64]; /* wire mode: where cases are sent to the workers' clients */
    int wire_port;
    struct cp_worker w[CP_MAX_JOBS];
    struct cp_ipc_hello hello;
};

/* Starts n workers for the module; the first one's hello fills p->hello. A module that fails
 * to load or init fails the start with the worker's own message. */
int cp_pool_start(struct cp_pool *p, const char *module, const char *arg, int n, double timeout,
                  int64_t vtime, bool clock_shim);

/* The CPU seconds case c may use under p's limits (0: no CPU limit). */
double cp_pool_case_cpu_limit(const struct cp_pool *p, const struct cp_suite_case *c);

/* Runs the given cases (indexes into s->cases) to completion, calling done for each. Returns
 * CP_E_INTERRUPTED when *stop was set (unfinished cases are not reported). */
int cp_pool_run(struct cp_pool *p, const struct cp_suite *s, const int *cases, int n,
                cp_pool_done_fn done, void *arg, volatile sig_atomic_t *stop);

void cp_pool_stop(struct cp_pool *p);

/* The CPU (ns) the pool's workers (the spare too, start-ups included) and what ran under them
 * have used so far: the live ones now, the ones replaced as they were when they were ended. */
long long cp_pool_cpu_ns(const struct cp_pool *p);

/* The CPU (ns) this process has used (getrusage RUSAGE_SELF). */
long long cp_self_cpu_ns(void);

/* ---- the journal (journal.c) ---- */

struct cp_journal;

/* What makes a run this run, beside the suite, stack, mode and profiles its results name:
 * every journal line carries a digest of them all. */
struct cp_journal_id {
    const char *program; /* the module and its argument (exec:PROGRAM's program) */
    const char *filter;  /* --filter, or NULL */
    const char *tls;     /* --tls (wire mode's pinned version), or NULL */
    const char *limits;  /* what ends a case as a timeout, as text ("cpu 0.3+0.02/cert<=1 s,
                            wall 5 s"): a resumed run judges its cases as the first part did */
    int shard_index, shard_count;
};

/* Opens path for appending. With resume, first reads the finished cases back into r (whose
 * cases must already be laid out from the suite, its suite, stack, mode and profiles set): a
 * journal of another run, or holding a line of another run or a damaged one, is refused
 * (CP_E_FORMAT naming the file and line); a torn last line is cut off. Without resume, or
 * with no journal yet, truncates and writes the header. */
int cp_journal_open(const char *path, struct cp_results *r, const struct cp_journal_id *id,
                    bool resume, int *resumed, struct cp_journal **out);
/* What cp_journal_open() reads back, from len bytes of a journal's text (split into lines in
 * place; name stands for the file in messages): the finished cases of this run into r.
 * *keep: how many bytes are complete lines of this run; *torn: the text ends in a line cut
 * short. */
int cp_journal_read(const char *name, char *text, size_t len, struct cp_results *r,
                    const struct cp_journal_id *id, int *resumed, size_t *keep, bool *torn);
/* Appends one case in one write; a failed write is cut back off the file (CP_E_IO naming it),
 * so the journal always ends with a complete line. */
int cp_journal_append(struct cp_journal *j, const struct cp_result_case *c);
void cp_journal_close(struct cp_journal *j);

/* ---- helpers ---- */

/* Milliseconds on the monotonic clock. */
int64_t cp_now_ms(void);
/* The directory of the running executable (to find adapter modules and the clock shim). */
int cp_exe_dir(char *buf, size_t cap);
/* Where an adapter's module lives: $CERTPATH_ADAPTER_DIR, the build tree, or the install. */
int cp_module_path(const char *stack, char *buf, size_t cap);

/* What a --stack spec loads: the module, the argument its init gets, the results name. */
struct cp_stack_spec {
    char module[PATH_MAX];
    char name[64];
    char arg[PATH_MAX];
    bool has_arg;
    bool row; /* a registry row as it stands (not NAME:ARG, a module, exec:PROGRAM) */
};

/* Resolves a registry row name, NAME:ARG (a row, or a module by its own name: exec:PROGRAM,
 * curl:/path/libcurl.so), or a module path[:ARG]. */
int cp_stack_resolve(const char *spec, struct cp_stack_spec *sp);

/* Whether a case's hostname is an IP address: the adapter must check IP addresses, and a
 * client sends no SNI for it (RFC 6066 3), so the server cannot pick its case by name; wire
 * runs serve a loopback one on its own address and port (cp_host_is_loopback) and skip the
 * others, and `certpath serve` leaves them out. */
static inline bool cp_host_is_ip(const char *host)
{
    unsigned char addr[16];
    return host && (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1);
}

/* Whether an IP-address hostname is one this host can listen on: 127.0.0.0/8 (all loopback on
 * Linux) or ::1. */
static inline bool cp_host_is_loopback(const char *host)
{
    unsigned char addr[16];
    static const unsigned char v6_loopback[16] = {[15] = 1};
    if (!host)
        return false;
    if (inet_pton(AF_INET, host, addr) == 1)
        return addr[0] == 127;
    return inet_pton(AF_INET6, host, addr) == 1 && memcmp(addr, v6_loopback, 16) == 0;
}

#endif
