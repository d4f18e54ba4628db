/*
 * run.c - `certpath run`: make sure a fresh suite exists, then for each stack start its
 * workers, run the two controls, run every case (skipping only what the adapter cannot do),
 * journal each result as it lands, and write the results file and the summary.
 */
#include "cp_baseline.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_hash.h"
#include "cp_harness.h"
#include "cp_registry.h"
#include "cp_server.h"
#include "harness_internal.h"

#include <mbedtls/version.h>

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CP_CONTROL_ACCEPT "controls/accept"
#define CP_CONTROL_REJECT "controls/reject"
/* A row that can only read the real clock runs against a suite of its own, generated at the
 * current hour and replaced when its time is this far from the clock. */
#define CP_REALCLOCK_MAX_AGE (3600)
/* Families a suite may name; the generator has a dozen. */
#define CP_REALCLOCK_FAMILIES_MAX 64
/* In-process verification takes milliseconds; five seconds means a library that has stopped
 * making progress (Botan 2 on a five-CA mesh), and keeps a run of every stack short. */

void cp_run_opts_init(struct cp_run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->suite_dir = "suite";
    o->timeout = CP_DEFAULT_TIMEOUT;
    o->cpu_limit = CP_DEFAULT_CPU_LIMIT;
    o->profile = "webpki";
}

/* Generates a suite into dir: every family when nfamilies is 0, else the ones named. */
static int generate(const char *dir, const char *why, uint64_t seed, const char *const *families,
                    int nfamilies, volatile sig_atomic_t *stop)
{
    struct cp_gen_opts g;
    struct cp_gen_stats st;
    cp_gen_opts_init(&g);
    g.out_dir = dir;
    g.seed = seed;
    g.families = nfamilies ? families : NULL;
    g.nfamilies = nfamilies;
    g.stop = stop;
    fprintf(stderr, "certpath run: %s; generating one in %s\n", why, dir);
    int rc = cp_generator_generate(&g, &st);
    if (!rc)
        fprintf(stderr, "certpath run: generated %d cases in %.1f s\n", st.ncases,
                st.build_seconds + st.mint_seconds);
    return rc;
}

/* A suite is generated only where there is none; one that exists is never written over, however
 * old: every stack takes the suite's validation time (its API or the clock shim), and a pinned
 * suite is how a published result is reproduced. A directory that exists without a manifest is
 * not a suite and is refused by name rather than filled. */
static int ensure_suite(const struct cp_run_opts *o, struct cp_suite *s)
{
    char manifest[PATH_MAX];
    struct stat sb;
    int rc;
    if (snprintf(manifest, sizeof(manifest), "%s/manifest.json", o->suite_dir) >=
        (int)sizeof(manifest))
        return cp_error_set(CP_E_LIMIT, "suite directory name too long: %s", o->suite_dir);
    if (stat(o->suite_dir, &sb) != 0) {
        if ((rc = generate(o->suite_dir, "no suite found", CP_DEFAULT_SEED,
                           o->family ? &o->family : NULL, o->family ? 1 : 0, o->stop)))
            return rc;
    } else if (access(manifest, F_OK) != 0) {
        return cp_error_set(CP_E_FORMAT,
                            "%s is not a certpath suite (no manifest.json); give --suite a suite "
                            "directory, or a path that does not exist yet to generate one there",
                            o->suite_dir);
    }
    return cp_suite_load(o->suite_dir, s);
}

/* The suite a real-clock row runs against: <suite>.realclock, generated with the user's seed at
 * the current hour when missing or more than CP_REALCLOCK_MAX_AGE from the clock. Only this
 * directory, certpath's own, is ever replaced. */
static int realclock_suite(const struct cp_run_opts *o, const struct cp_suite *user,
                           const char *row, struct cp_suite *own)
{
    char dir[PATH_MAX], manifest[PATH_MAX + 16];
    int rc;
    if (snprintf(dir, sizeof(dir), "%s.realclock", o->suite_dir) >= (int)sizeof(dir))
        return cp_error_set(CP_E_LIMIT, "suite directory name too long: %s", o->suite_dir);
    snprintf(manifest, sizeof(manifest), "%s/manifest.json", dir);
    uint64_t seed = strtoull(user->seed, NULL, 10);
    if (access(manifest, F_OK) == 0) {
        if ((rc = cp_suite_load(dir, own)))
            return rc;
        int64_t age = (int64_t)time(NULL) - own->vtime;
        if (age <= CP_REALCLOCK_MAX_AGE && age >= -CP_REALCLOCK_MAX_AGE &&
            strcmp(own->seed, user->seed) == 0)
            goto chosen;
        cp_suite_free(own);
    }
    /* The same families as the user's suite, so the row answers the same questions. */
    const char *families[CP_REALCLOCK_FAMILIES_MAX];
    int nf = 0;
    for (int i = 0; i < user->ncases; i++) {
        const char *f = user->cases[i].family;
        bool seen = !f;
        for (int k = 0; k < nf && !seen; k++)
            seen = strcmp(families[k], f) == 0;
        if (!seen && nf == CP_REALCLOCK_FAMILIES_MAX)
            return cp_error_set(CP_E_LIMIT, "%s has more than %d families", o->suite_dir, nf);
        if (!seen)
            families[nf++] = f;
    }
    if ((rc =
             generate(dir, "a row that reads only the real clock needs a suite of the current hour",
                      seed, families, nf, o->stop)) ||
        (rc = cp_suite_load(dir, own)))
        return rc;
chosen:
    fprintf(stderr,
            "certpath run: %s takes no validation time (neither set-time nor clock-shim): it runs "
            "at the real clock against %s (validated %s), not %s\n",
            row, dir, own->validation_time, o->suite_dir);
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Lays the suite's cases out in the results, every one not yet run. */
static int layout(const struct cp_suite *s, struct cp_results *r)
{
    r->suite_id = dup_or_null(s->suite_id);
    r->suite_dir = dup_or_null(s->dir);
    r->seed = dup_or_null(s->seed);
    r->validation_time = dup_or_null(s->validation_time);
    r->vtime = s->vtime;
    if ((s->suite_id && !r->suite_id) || (s->dir && !r->suite_dir) || !r->seed ||
        !r->validation_time)
        return cp_error_set(CP_E_NOMEM, "out of memory for the results' suite fields");
    for (int p = 0; p < s->nprofiles; p++) {
        if (!(r->profiles[r->nprofiles++] = strdup(s->profiles[p])))
            return cp_error_set(CP_E_NOMEM, "out of memory for the results' profiles");
    }
    for (int f = 0; f < s->nfeatures; f++) {
        if (!(r->features[r->nfeatures++] = strdup(s->features[f])))
            return cp_error_set(CP_E_NOMEM, "out of memory for the results' features");
    }
    if (!(r->cases = calloc((size_t)s->ncases, sizeof(*r->cases))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d results", s->ncases);
    for (int i = 0; i < s->ncases; i++) {
        struct cp_result_case *c = &r->cases[r->ncases++];
        const struct cp_suite_case *sc = &s->cases[i];
        c->id = strdup(sc->id);
        c->family = dup_or_null(sc->family);
        c->features = sc->features;
        c->probe = sc->probe;
        memcpy(c->expect_accept, sc->expect_accept, sizeof(c->expect_accept));
        if (!c->id || (sc->family && !c->family))
            return cp_error_set(CP_E_NOMEM, "out of memory for results");
    }
    return 0;
}

/* The capabilities a case needs beyond plain in-process verification. */
static unsigned needed_caps(const struct cp_suite *s, const struct cp_suite_case *c)
{
    static const struct {
        const char *feature;
        unsigned cap;
    } needs[] = {
        {"hostname", CP_CAP_HOSTNAME}, {"leaf-eku", CP_CAP_PURPOSE}, {"eku-on-ca", CP_CAP_PURPOSE}};
    unsigned caps = cp_host_is_ip(c->hostname) ? CP_CAP_IP : 0;
    for (size_t i = 0; i < CP_ARRAY_LEN(needs); i++) {
        int bit = cp_suite_feature(s, needs[i].feature);
        if (bit >= 0 && (c->features & (UINT64_C(1) << bit)))
            caps |= needs[i].cap;
    }
    return caps;
}

/* A validity boundary within a second of the validation time needs that exact time: given to
 * the library, or pinned by the clock shim. */
static bool needs_exact_time(const struct cp_suite *s, const struct cp_suite_case *c, unsigned have)
{
    int bit = cp_suite_feature(s, "exact-time");
    return bit >= 0 && (c->features & (UINT64_C(1) << bit)) &&
           !(have & (CP_CAP_SET_TIME | CP_CAP_CLOCK_SHIM));
}

/* The built-in server's engines a wire run connects to: mbedTLS in this process, and GnuTLS in
 * a process of its own (cp_server.h) for the cases mbedTLS cannot serve, when there are any. */
struct wire_servers {
    struct cp_server *mbed;
    struct cp_server_proc *gnutls;
};

struct stack_run {
    const struct cp_run_opts *o;
    const struct cp_suite *s;
    const struct wire_servers *srv; /* wire mode: the built-in server; NULL in-process */
    int *pos;                       /* each case's place in the run's selection, or -1 */
    struct cp_results r;
    struct cp_journal *journal;
    int done, total;
    int64_t started_ms, last_progress_ms;
    char name[80]; /* results_name(): a stack spec's name (< 64) and a digest */
};

static void progress(struct stack_run *st, bool final)
{
    int64_t now = cp_now_ms();
    if (!st->o->progress || (!final && now - st->last_progress_ms < 200))
        return;
    st->last_progress_ms = now;
    double secs = (double)(now - st->started_ms) / 1000.0;
    double rate = secs > 0 ? st->done / secs : 0;
    double eta = rate > 0 ? (st->total - st->done) / rate : 0;
    fprintf(stderr, "\r[%s] %d/%d cases  %.0f/s  ETA %.0f s   %s", st->name, st->done, st->total,
            rate, eta, final ? "\n" : "");
    fflush(stderr);
}

/* Which engine served a wire case, and the TLS version it negotiated ("1.3": mbedTLS's
 * "TLSv1.3" without its prefix; the GnuTLS engine writes "1.3"). */
static void wire_record(const struct wire_servers *ws, const struct cp_suite_case *sc,
                        struct cp_result_case *c)
{
    char v[CP_RESULT_WORD_MAX];
    snprintf(c->server, sizeof(c->server), "%s", sc->wire_server ? sc->wire_server : "");
    if (sc->wire_server && strcmp(sc->wire_server, "gnutls") == 0)
        cp_server_proc_take_version(ws->gnutls, sc->hostname, v, sizeof(v));
    else if (sc->wire_host)
        cp_server_take_version_at(ws->mbed, sc->wire_port, v, sizeof(v));
    else
        cp_server_take_version(ws->mbed, sc->hostname, v, sizeof(v));
    snprintf(c->tls, sizeof(c->tls), "%s", strncmp(v, "TLSv", 4) == 0 ? v + 4 : v);
}

static int record(void *arg, int index, enum cp_outcome_kind outcome, long code, const char *reason,
                  long usec, long cpu_usec)
{
    struct stack_run *st = arg;
    struct cp_result_case *c = &st->r.cases[index];
    free(c->reason);
    c->reason = strdup(reason ? reason : "");
    if (!c->reason) /* the run stops here, naming why */
        return cp_error_set(CP_E_NOMEM, "out of memory recording case %s", c->id);
    c->outcome = outcome;
    c->code = code;
    c->usec = usec;
    c->cpu_usec = cpu_usec;
    c->server[0] = c->tls[0] = '\0';
    if (st->srv && outcome != CP_OUT_SKIP)
        wire_record(st->srv, &st->s->cases[index], c);
    /* A case the journal could not keep is not finished: the run stops at the first failed
     * write, and the case runs again on --resume. */
    int rc = cp_journal_append(st->journal, c);
    if (rc) {
        c->outcome = CP_OUT_NONE;
        return rc;
    }
    st->done++;
    progress(st, false);
    return 0;
}

static void mark_broken(struct stack_run *st, const char *id, const char *want)
{
    int i = cp_suite_find(st->s, id);
    char why[512];
    if (i < 0) {
        snprintf(why, sizeof(why), "the suite has no control %s", id);
    } else {
        const struct cp_result_case *c = &st->r.cases[i];
        if (strcmp(cp_outcome_kind_name(c->outcome), want) == 0)
            return;
        snprintf(why, sizeof(why), "control %s: expected %s, got %s (%s)", id, want,
                 cp_outcome_kind_name(c->outcome), c->reason ? c->reason : "");
    }
    if (!st->r.broken) {
        st->r.broken = true;
        /* Out of memory here leaves the reason out; broken itself is still recorded. */
        st->r.broken_reason = strdup(why);
    }
}

static bool is_control(const char *id)
{
    return strcmp(id, CP_CONTROL_ACCEPT) == 0 || strcmp(id, CP_CONTROL_REJECT) == 0;
}

/* Whether case i is this run's: selected (a control, or passing the filter) and, with --shard,
 * in this shard's slice. */
static bool in_shard(const struct stack_run *st, int i)
{
    int p = st->pos[i], n = st->o->shard_count;
    return p >= 0 && (n <= 0 || p % n == st->o->shard_index - 1);
}

/* Every shard runs both controls (a broken adapter is found in each), but a control belongs to
 * one shard's results only, so that merged shards list it once. */
static void drop_other_controls(struct stack_run *st)
{
    const char *controls[] = {CP_CONTROL_ACCEPT, CP_CONTROL_REJECT};
    for (size_t k = 0; k < CP_ARRAY_LEN(controls); k++) {
        int i = cp_suite_find(st->s, controls[k]);
        if (i >= 0 && !in_shard(st, i)) {
            struct cp_result_case *c = &st->r.cases[i];
            free(c->reason);
            c->reason = NULL;
            c->outcome = CP_OUT_NONE;
            c->code = c->usec = c->cpu_usec = 0;
        }
    }
}

/* The run's selection: the controls and the cases the filter passes, in manifest order, each
 * numbered; with --shard, the shard's record (how many the whole run selects, and a digest of
 * their ids) and the number of cases this shard runs. */
static int plan_selection(struct stack_run *st)
{
    const struct cp_suite *s = st->s;
    const struct cp_run_opts *o = st->o;
    int n = 0;
    uint64_t h = CP_SHARD_HASH_INIT;
    if (!(st->pos = malloc((size_t)(s->ncases ? s->ncases : 1) * sizeof(int))))
        return cp_error_set(CP_E_NOMEM, "out of memory planning %d cases", s->ncases);
    for (int i = 0; i < s->ncases; i++) {
        const char *id = s->cases[i].id;
        st->pos[i] = is_control(id) || !o->filter || !fnmatch(o->filter, id, 0) ? n++ : -1;
        if (st->pos[i] >= 0)
            h = cp_shard_hash(h, id);
    }
    st->total = 0; /* for the progress line: the shard's cases and both controls */
    for (int i = 0; i < s->ncases; i++)
        st->total += in_shard(st, i) || is_control(s->cases[i].id);
    if (o->shard_count > 0)
        st->r.shard = (struct cp_shard){
            .index = o->shard_index, .count = o->shard_count, .total = n, .selection = h};
    return 0;
}

static bool has_leaf_key(const struct cp_suite_case *c)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/leaf.key", c->dir);
    return access(path, R_OK) == 0;
}

/* Runs the controls, then every other case of this run (the filter's, the shard's). */
static int run_cases(struct stack_run *st, struct cp_pool *pool)
{
    const struct cp_suite *s = st->s;
    int *todo = malloc((size_t)s->ncases * sizeof(int)), n = 0, rc = 0;
    if (!todo)
        return cp_error_set(CP_E_NOMEM, "out of memory planning %d cases", s->ncases);
    const char *controls[] = {CP_CONTROL_ACCEPT, CP_CONTROL_REJECT};
    for (size_t k = 0; k < CP_ARRAY_LEN(controls); k++) {
        int i = cp_suite_find(s, controls[k]);
        if (i >= 0 && st->r.cases[i].outcome == CP_OUT_NONE)
            todo[n++] = i;
    }
    if (n && (rc = cp_pool_run(pool, s, todo, n, record, st, st->o->stop)))
        goto out;
    mark_broken(st, CP_CONTROL_ACCEPT, "accept");
    mark_broken(st, CP_CONTROL_REJECT, "reject");
    if (st->r.broken)
        goto out;
    drop_other_controls(st);
    n = 0;
    for (int i = 0; i < s->ncases; i++) {
        struct cp_result_case *c = &st->r.cases[i];
        if (c->outcome != CP_OUT_NONE || !in_shard(st, i))
            continue;
        /* The suite's own skip (an imported case certpath cannot express), with its reason. */
        if (s->cases[i].skip) {
            if ((rc = record(st, i, CP_OUT_SKIP, 0, s->cases[i].skip, 0, 0)))
                goto out;
            continue;
        }
        unsigned missing = needed_caps(s, &s->cases[i]) & ~pool->hello.caps;
        if (st->srv && s->cases[i].wire_skip) {
            if ((rc = record(st, i, CP_OUT_SKIP, 0, s->cases[i].wire_skip, 0, 0)))
                goto out;
            continue;
        }
        if (missing || needs_exact_time(s, &s->cases[i], pool->hello.caps)) {
            char why[128];
            snprintf(why, sizeof(why), "needs the %s capability, which this adapter lacks",
                     missing ? cp_cap_name(missing & -missing) : "set-time");
            if ((rc = record(st, i, CP_OUT_SKIP, 0, why, 0, 0)))
                goto out;
            continue;
        }
        todo[n++] = i;
    }
    rc = cp_pool_run(pool, s, todo, n, record, st, st->o->stop);
out:
    free(todo);
    return rc;
}

/* Whether a row runs under no CPU limit by default: a browser row (it reads only the wall
 * clock, and its CPU is a browser's, not its path builder's). */
static bool wall_clock_only(const char *module, const char *arg)
{
    if (!arg)
        return false;
    for (int i = 0; i < cp_stack_count; i++) {
        const struct cp_stack_entry *e = &cp_stack_registry[i];
        const char *tail = e->arg && strncmp(e->arg, "@/", 2) == 0 ? e->arg + 1 : NULL;
        size_t n = tail ? strlen(tail) : 0, an = strlen(arg);
        if (e->wall_clock_only && tail && an >= n && strcmp(arg + an - n, tail) == 0 &&
            strstr(module, "certpath-adapter-exec"))
            return true;
    }
    return false;
}

/* The CPU limits a row runs under: --cpu-limit S is S for every case (browser rows too);
 * by default a base and an allowance per certificate up to a cap (harness_internal.h), and
 * none for a browser row. */
static void set_cpu_limits(struct cp_pool *pool, const struct cp_run_opts *o, const char *module,
                           const char *arg)
{
    pool->cpu_base = pool->cpu_per_cert = 0;
    if (o->cpu_limit_given) {
        pool->cpu_limit = o->cpu_limit;
    } else if (wall_clock_only(module, arg)) {
        pool->cpu_limit = 0;
    } else {
        pool->cpu_limit = o->cpu_limit;
        pool->cpu_base = CP_DEFAULT_CPU_BASE;
        pool->cpu_per_cert = CP_DEFAULT_CPU_PER_CERT;
    }
}

static int start_pool(struct cp_pool *pool, const char *module, const char *arg,
                      const struct cp_run_opts *o, const struct cp_suite *s)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = o->jobs > 0 ? o->jobs : (cores > 0 ? (int)cores : 1);
    int rc = cp_pool_start(pool, module, arg, jobs, o->timeout, s->vtime, false);
    /* A stack that reads only the wall clock gets its workers again, under the clock shim. */
    if (!rc && (pool->hello.caps & CP_CAP_CLOCK_SHIM) && !(pool->hello.caps & CP_CAP_SET_TIME)) {
        cp_pool_stop(pool);
        rc = cp_pool_start(pool, module, arg, jobs, o->timeout, s->vtime, true);
    }
    if (!rc)
        set_cpu_limits(pool, o, module, arg);
    return rc;
}

/* A results path that can never be written is refused before the run, not after it. */
static int check_output(const char *out)
{
    struct stat st;
    char dir[PATH_MAX];
    const char *slash = strrchr(out, '/');
    if (stat(out, &st) == 0 && !S_ISREG(st.st_mode))
        return cp_error_set(CP_E_ARG, "-o %s is %s, not a results file", out,
                            S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", slash == out ? 1 : (int)(slash - out), out);
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return cp_error_set(CP_E_ARG, "-o %s: %s is not a directory that exists", out, dir);
    if (access(dir, W_OK | X_OK))
        return cp_error_set(CP_E_ARG, "-o %s: directory %s is not writable: %s", out, dir,
                            strerror(errno));
    return 0;
}

static uint64_t program_digest(const struct cp_stack_spec *sp)
{
    uint64_t h = cp_fnv1a64_add(CP_FNV1A64_INIT, sp->module, strlen(sp->module) + 1);
    return sp->has_arg ? cp_fnv1a64_add(h, sp->arg, strlen(sp->arg) + 1) : h;
}

/* The name a run's results carry (their "stack", their file name, the journal's and the
 * gate's): a registry row's name is its own; any other program (exec:/x/openssl.py, a module
 * path, NAME:ARG) may share its base name with a row or with another program, so its name
 * carries a digest of the program: no two programs share results, and a gate never compares
 * a program with a row's baseline. */
static void results_name(const struct cp_stack_spec *sp, char *name, size_t cap)
{
    if (sp->row)
        snprintf(name, cap, "%s", sp->name);
    else
        snprintf(name, cap, "%s-%08llx", sp->name,
                 (unsigned long long)(program_digest(sp) & 0xffffffffu));
}

/* results/<name>-<inproc|wire>[.shard-I-of-N].json unless -o names the file; the journal
 * beside it. */
static int output_paths(const struct cp_run_opts *o, const char *name, enum cp_run_mode mode,
                        char *out, size_t cap, char *journal, size_t jcap)
{
    int rc;
    char shard[48] = "";
    if (o->shard_count > 0)
        snprintf(shard, sizeof(shard), ".shard-%d-of-%d", o->shard_index, o->shard_count);
    if (o->output)
        snprintf(out, cap, "%s", o->output);
    else if ((rc = cp_fs_mkdirs("results")))
        return rc;
    else
        snprintf(out, cap, "results/%s-%s%s.json", name, mode == CP_RUN_WIRE ? "wire" : "inproc",
                 shard);
    size_t len = strlen(out);
    if (len > 5 && strcmp(out + len - 5, ".json") == 0)
        len -= 5;
    if (snprintf(journal, jcap, "%.*s.journal.jsonl", (int)len, out) >= (int)jcap)
        return cp_error_set(CP_E_LIMIT, "results path %s is too long", out);
    return 0;
}

/* Whether the adapter can run in the chosen mode: an in-process adapter has no TLS client to
 * connect with, a wire client has no verify call. Returns 0 or CP_E_ARG. */
static int check_mode(enum cp_run_mode mode, const struct cp_pool *pool, const char *name)
{
    if (mode == CP_RUN_WIRE && !(pool->hello.caps & CP_CAP_WIRE))
        return cp_error_set(CP_E_ARG,
                            "%s has no TLS client for wire mode (it lacks the wire "
                            "capability; see `certpath stacks`); run it without "
                            "--mode wire",
                            name);
    if (mode == CP_RUN_INPROC && !(pool->hello.caps & CP_CAP_INPROC))
        return cp_error_set(CP_E_ARG,
                            "%s is a wire client only (it lacks the in-process "
                            "capability); run it with --mode wire",
                            name);
    return 0;
}

static int set_stack_info(struct cp_results *r, const char *name, const struct cp_pool *pool,
                          enum cp_run_mode mode)
{
    r->stack = strdup(name);
    r->library = strdup(pool->hello.library);
    r->library_version = strdup(pool->hello.version);
    r->mode = strdup(mode == CP_RUN_WIRE ? "wire" : "in-process");
    r->settings = strdup(pool->hello.settings);
    r->caps = pool->hello.caps;
    if (!r->stack || !r->library || !r->library_version || !r->mode || !r->settings)
        return cp_error_set(CP_E_NOMEM, "out of memory");
    /* Where it ran and every library it used: the stack's, and the Mbed TLS certpath is built
     * with (it minted the suite when run made one, and is the server over the wire). */
    char mbed[32] = ""; /* mbedtls_version_get_string() writes at most 9 bytes */
    mbedtls_version_get_string(mbed);
    cp_platform_this(&r->platform);
    r->has_platform = true;
    int rc = cp_results_add_library(r, "stack", r->library, r->library_version);
    return rc ? rc : cp_results_add_library(r, "certpath", "Mbed TLS", mbed);
}

/* With all set (--stack all), a stack that cannot run in the chosen mode is passed over with a
 * note rather than failing the run. */
/* One run of one stack in one mode. With keep, the results written are handed over to it (for
 * --mode both to compare) instead of freed. */
struct mode_run {
    enum cp_run_mode mode;
    bool ran; /* r holds the results written to out */
    struct cp_results r;
    char out[PATH_MAX];
    int lock; /* out's lock (cp_fs_lock), held until the comparison is written */
};

static const char *mode_word(enum cp_run_mode mode)
{
    return mode == CP_RUN_WIRE ? "wire" : "in-process";
}

/* The first failure's message, kept while later steps (the results write) may set their own. */
struct first_error {
    int rc;
    char msg[1024];
};

static void note_error(struct first_error *fe, int rc)
{
    if (rc && !fe->rc) {
        fe->rc = rc;
        snprintf(fe->msg, sizeof(fe->msg), "%s", cp_error_msg(rc));
    }
}

static int first_error_rc(const struct first_error *fe)
{
    return fe->rc ? cp_error_set(fe->rc, "%s", fe->msg) : 0;
}

/* A row that takes no validation time: in-process it runs against realclock_suite(); over the
 * wire the server already serves the user's suite, so it runs there only when that suite's
 * time is within CP_REALCLOCK_MAX_AGE of the clock. */
static int realclock_choice(const struct cp_run_opts *o, const struct cp_suite *s, const char *row,
                            enum cp_run_mode mode, struct cp_suite *own, bool *loaded)
{
    int64_t age = (int64_t)time(NULL) - s->vtime;
    *loaded = false;
    /* An imported suite cannot be made again at another hour, and its cases carry their own
     * times, which such a row cannot be given. */
    if (strncmp(s->man.generator, CP_MANIFEST_IMPORTED, strlen(CP_MANIFEST_IMPORTED)) == 0)
        return cp_error_set(CP_E_ARG,
                            "%s takes no validation time (neither set-time nor clock-shim); %s is "
                            "an imported suite whose cases carry their own times, which it cannot "
                            "be given",
                            row, o->suite_dir);
    if (age <= CP_REALCLOCK_MAX_AGE && age >= -CP_REALCLOCK_MAX_AGE)
        return 0;
    if (mode == CP_RUN_WIRE)
        return cp_error_set(CP_E_ARG,
                            "%s takes no validation time (neither set-time nor clock-shim) and %s "
                            "was validated at %s: over the wire it needs a suite of the current "
                            "hour (certpath generate -o DIR, then --suite DIR)",
                            row, o->suite_dir, s->validation_time);
    int rc = realclock_suite(o, s, row, own);
    *loaded = rc == 0;
    return rc;
}

/* The results files of the rows `--stack all` (or a group) ran, for the matrix at the end. */
#define CP_RUN_ROWS_MAX 128
struct ran_rows {
    int n;
    char path[CP_RUN_ROWS_MAX][PATH_MAX];
};

/* The limits a run's cases are judged by, as the journal names them. */
static void limits_text(const struct cp_pool *p, double timeout, char *out, size_t cap)
{
    if (p->cpu_per_cert > 0)
        snprintf(out, cap, "cpu %g+%g/cert<=%g s, wall %g s", p->cpu_base, p->cpu_per_cert,
                 p->cpu_limit, timeout);
    else
        snprintf(out, cap, "cpu %g s, wall %g s", p->cpu_limit, timeout);
}

static int run_stack(const struct cp_run_opts *o, const struct cp_suite *s, const char *spec,
                     const struct wire_servers *srv, enum cp_run_mode mode, bool all,
                     struct mode_run *keep, struct ran_rows *ran)
{
    struct stack_run st = {.o = o, .s = s, .srv = mode == CP_RUN_WIRE ? srv : NULL};
    struct cp_pool pool;
    struct cp_stack_spec sp;
    struct first_error fe = {0};
    char out[PATH_MAX], journal[PATH_MAX], program[2 * PATH_MAX + 2];
    struct cp_suite own;
    bool own_loaded = false;
    int rc, resumed = 0, wrc, lock = -1;
    memset(&pool, 0, sizeof(pool));
    memset(&own, 0, sizeof(own));
    cp_results_init(&st.r);
    if ((rc = cp_stack_resolve(spec, &sp)))
        goto out;
    results_name(&sp, st.name, sizeof(st.name));
    snprintf(program, sizeof(program), "%s%s%s", sp.module, sp.has_arg ? ":" : "",
             sp.has_arg ? sp.arg : "");
    /* The output is this run's alone (or the run refuses) before any worker starts. */
    long long cpu0 = cp_self_cpu_ns();
    if ((rc = output_paths(o, st.name, mode, out, sizeof(out), journal, sizeof(journal))) ||
        (rc = check_output(out)) || (rc = cp_fs_lock(out, &lock)) ||
        (rc = start_pool(&pool, sp.module, sp.has_arg ? sp.arg : NULL, o, s)))
        goto out;
    if (!(pool.hello.caps & (CP_CAP_SET_TIME | CP_CAP_CLOCK_SHIM))) {
        if ((rc = realclock_choice(o, s, st.name, mode, &own, &own_loaded)))
            goto out;
        if (own_loaded)
            st.s = &own;
    }
    if ((rc = layout(st.s, &st.r)) || (rc = plan_selection(&st)))
        goto out;
    if ((rc = check_mode(mode, &pool, st.name))) {
        if (o->mode == CP_RUN_BOTH) {
            fprintf(stderr, "certpath run: %s: %s mode passed over: the adapter lacks it\n",
                    st.name, mode_word(mode));
            rc = 0;
        } else if (all) {
            fprintf(stderr, "certpath run: %s: passed over: %s\n", st.name, cp_error_msg(rc));
            rc = 0;
        }
        goto out;
    }
    if (st.srv) {
        snprintf(pool.wire_host, sizeof(pool.wire_host), "%s", cp_server_host(srv->mbed));
        pool.wire_port = cp_server_port(srv->mbed);
    }
    char limits[96];
    limits_text(&pool, o->timeout, limits, sizeof(limits));
    struct cp_journal_id jid = {.program = program,
                                .filter = o->filter,
                                .tls = o->tls,
                                .limits = limits,
                                .shard_index = o->shard_index,
                                .shard_count = o->shard_count};
    if ((rc = set_stack_info(&st.r, st.name, &pool, mode)) ||
        (rc = cp_journal_open(journal, &st.r, &jid, o->resume, &resumed, &st.journal)))
        goto out;
    if (resumed)
        fprintf(stderr, "certpath run: %s: resuming; %d cases already done\n", st.name, resumed);
    st.done = resumed;
    st.started_ms = cp_now_ms();
    note_error(&fe, run_cases(&st, &pool));
    st.r.seconds = (double)(cp_now_ms() - st.started_ms) / 1000.0;
    st.r.cpu_seconds = (double)(cp_self_cpu_ns() - cpu0 + cp_pool_cpu_ns(&pool)) / 1e9;
    st.r.cpu_limit = pool.cpu_limit;
    st.r.cpu_base = pool.cpu_base;
    st.r.cpu_per_cert = pool.cpu_per_cert;
    st.r.wall_limit = o->timeout;
    progress(&st, true);
    st.r.complete = fe.rc == 0 && !st.r.broken;
    cp_results_score(&st.r);
    /* Whatever happened, what finished is written (a full disk may refuse that too). */
    note_error(&fe, wrc = cp_results_write_json(&st.r, out));
    if (!wrc && keep) {
        keep->ran = true;
        snprintf(keep->out, sizeof(keep->out), "%s", out);
    }
    int p = cp_results_profile(&st.r, o->profile);
    if (ran && !o->summary) {
        /* Many rows: one line each as it finishes; the matrix comes at the end. */
        cp_results_print_line(&st.r, p >= 0 ? p : 0, stdout);
        if (wrc)
            printf("  results: not written (%s); the journal %s holds what finished\n", out,
                   journal);
    } else {
        cp_results_print_summary(&st.r, p >= 0 ? p : 0, stdout);
        if (wrc)
            printf("  results: not written (%s); the journal %s holds what finished\n", out,
                   journal);
        else
            printf("  results: %s\n", out);
    }
    if (fflush(stdout))
        note_error(&fe, cp_error_set(CP_E_IO, "cannot write the summary: %s", strerror(errno)));
    if (!wrc && ran && ran->n < CP_RUN_ROWS_MAX)
        snprintf(ran->path[ran->n++], PATH_MAX, "%s", out);
    if (o->baseline && !st.r.broken && !fe.rc)
        note_error(&fe, cp_gate_stack(o->baseline, all, &st.r, o->profile, stdout, o->regressions));
    if (!fe.rc && st.r.broken)
        note_error(&fe,
                   cp_error_set(CP_E_INTERNAL, "%s is broken: %s", st.name, st.r.broken_reason));
    rc = first_error_rc(&fe);
out:
    cp_pool_stop(&pool);
    cp_journal_close(st.journal);
    free(st.pos);
    if (own_loaded)
        cp_suite_free(&own);
    if (keep && keep->ran) {
        keep->r = st.r; /* handed over whole: nothing left to free here */
        cp_results_init(&st.r);
        keep->lock = lock; /* the comparison rewrites the file: still ours until then */
        lock = -1;
    }
    cp_fs_unlock(out, lock);
    cp_results_free(&st.r);
    return rc;
}

/* How many disagreements the summary shows; the results files hold them all. */
#define CP_DISAGREEMENTS_SHOWN 20

/* --mode both: each mode the adapter has (the other one is passed over with a note), then the
 * cases where the two disagree, written into both results files and summarised. */
static int run_modes(const struct cp_run_opts *o, const struct cp_suite *s, const char *spec,
                     const struct wire_servers *srv, bool all, struct ran_rows *ran)
{
    if (o->mode != CP_RUN_BOTH)
        return run_stack(o, s, spec, srv, o->mode, all, NULL, ran);
    struct mode_run m[2] = {{.mode = CP_RUN_INPROC, .lock = -1}, {.mode = CP_RUN_WIRE, .lock = -1}};
    int rc = 0, one;
    for (int k = 0; k < 2 && !(o->stop && *o->stop); k++) {
        cp_results_init(&m[k].r);
        one = run_stack(o, s, spec, srv, m[k].mode, all, &m[k], ran);
        rc = rc ? rc : one;
        if (one && !m[k].ran) /* the stack could not even start: the other mode would not */
            break;
    }
    if (m[0].ran && m[1].ran) {
        if ((one = cp_results_compare_modes(&m[0].r, &m[1].r)) ||
            (one = cp_results_write_json(&m[0].r, m[0].out)) ||
            (one = cp_results_write_json(&m[1].r, m[1].out)))
            rc = rc ? rc : one;
        else
            cp_results_print_disagreements(&m[0].r, CP_DISAGREEMENTS_SHOWN, m[0].out, stdout);
    }
    for (int k = 0; k < 2; k++) {
        cp_fs_unlock(m[k].out, m[k].lock);
        cp_results_free(&m[k].r);
    }
    return rc;
}

/* A module name that is no row of its own but several rows' module: `--stack curl` runs every
 * libcurl flavour installed. */
static bool is_group(const char *spec)
{
    if (strchr(spec, ':') || strchr(spec, '/') || cp_stack_find(spec))
        return false;
    for (int i = 0; i < cp_stack_count; i++) {
        const char *m = cp_stack_registry[i].module;
        if (m && strcmp(m, spec) == 0)
            return true;
    }
    return false;
}

/* --stack all, or a group: every row that can run here; the others are named and passed over. */
/* The matrix of the rows just run, read back from their results files. */
static void print_matrix(const struct cp_run_opts *o, const struct ran_rows *ran)
{
    struct cp_results *r = calloc((size_t)(ran->n ? ran->n : 1), sizeof(*r));
    int n = 0;
    if (!r)
        return;
    for (int i = 0; i < ran->n; i++) {
        cp_results_init(&r[n]);
        if (cp_results_read_json(ran->path[i], &r[n]) == 0)
            n++;
        else
            cp_results_free(&r[n]);
    }
    if (n) {
        printf("\n");
        if (cp_report_write_matrix(r, n, o->profile, stdout))
            fprintf(stderr, "certpath run: the matrix: %s\n", cp_error_msg(-1));
        printf("\n%d results files (the per-feature summary of each: run --summary)\n", n);
    }
    for (int i = 0; i < n; i++)
        cp_results_free(&r[i]);
    free(r);
}

static int run_rows(const struct cp_run_opts *o, const struct cp_suite *s,
                    const struct wire_servers *srv)
{
    bool all = strcmp(o->stack, "all") == 0;
    int first = 0;
    struct ran_rows *ran = calloc(1, sizeof(*ran));
    if (!ran)
        return cp_error_set(CP_E_NOMEM, "out of memory for the rows' results");
    for (int i = 0; i < cp_stack_count && !(o->stop && *o->stop); i++) {
        const struct cp_stack_entry *e = &cp_stack_registry[i];
        char buf[256];
        const char *why;
        if (!all && !(e->module && strcmp(e->module, o->stack) == 0))
            continue;
        if (!cp_stack_runnable(e, buf, sizeof(buf), &why)) {
            if (!e->unavailable || !all)
                fprintf(stderr, "certpath run: %s: passed over: %s\n", e->name, why);
            continue;
        }
        int one = run_modes(o, s, e->name, srv, true, ran);
        if (one) {
            fprintf(stderr, "certpath run: %s: %s\n", e->name, cp_error_msg(one));
            first = first ? first : one;
        }
    }
    if (ran->n > 0)
        print_matrix(o, ran);
    free(ran);
    return first;
}

/* Whether a glob is well formed for fnmatch: every '[' closed, no '\\' at the end. fnmatch
 * itself takes "[abc" as a literal and so a typo would match nothing without a word. */
static bool glob_ok(const char *g)
{
    for (const char *p = g; *p; p++) {
        if (*p == '\\') {
            if (!*++p)
                return false;
        } else if (*p == '[') {
            const char *q = p + 1;
            q += *q == '!' || *q == '^';
            q += *q == ']'; /* a ']' first is a member */
            while (*q && *q != ']')
                q++;
            if (!*q)
                return false;
            p = q;
        }
    }
    return true;
}

/* A --filter that is no glob, or that matches no case, is a mistake: the run of the two
 * controls (which always run) would pass for a run of the cases meant. */
static int check_filter(const struct cp_run_opts *o, const struct cp_suite *s)
{
    int n = 0;
    if (!o->filter)
        return 0;
    if (!*o->filter || !glob_ok(o->filter))
        return cp_error_set(CP_E_ARG,
                            "--filter \"%.200s\" is not a glob (an unclosed '[' or a trailing "
                            "'\\')",
                            o->filter);
    for (int i = 0; i < s->ncases; i++)
        n += !fnmatch(o->filter, s->cases[i].id, 0);
    if (n == 0)
        return cp_error_set(CP_E_ARG,
                            "--filter \"%.200s\" matches no case of the suite in %s (see "
                            "`certpath list`)",
                            o->filter, s->dir);
    return 0;
}

/* Wire mode: the built-in server on 127.0.0.1, any free port, serving every case. */
static const struct cp_suite *sort_suite; /* for by_hostname(): qsort has no argument */

static int by_hostname(const void *a, const void *b)
{
    return strcmp(sort_suite->cases[*(const int *)a].hostname,
                  sort_suite->cases[*(const int *)b].hostname);
}

/* Which cases the built-in server can serve: it needs the leaf's key and picks the case by
 * the SNI name, so a case without either, or whose hostname another case has too (an
 * imported suite's; generated hostnames are unique), is marked with why and left out. A case
 * whose hostname is an IP address gets no SNI: a loopback one is served on its own address and
 * port (start_server), any other is left out, saying why. */
int cp_wire_mark_skips(struct cp_suite *s, int **order)
{
    int n = 0;
    if (!(*order = malloc((size_t)(s->ncases ? s->ncases : 1) * sizeof(int))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d cases", s->ncases);
    for (int i = 0; i < s->ncases; i++) {
        struct cp_suite_case *c = &s->cases[i];
        c->wire_skip = c->skip            ? c->skip
                       : !c->hostname[0]  ? "wire: the case has no hostname (limbo "
                                            "expected_peer_name) for the server to pick it by SNI"
                       : !has_leaf_key(c) ? "wire: the case has no leaf key (limbo "
                                            "peer_certificate_key) for the server to serve it with"
                       : cp_host_is_ip(c->hostname) && !cp_host_is_loopback(c->hostname)
                           ? "wire: an IP-address hostname that is not a loopback address "
                             "(127.0.0.0/8, ::1): a client connects to the address it verifies "
                             "and sends no SNI for it (RFC 6066 3), and the built-in server "
                             "listens on loopback only; run it in-process"
                           : NULL;
        c->wire_host = NULL;
        if (!c->wire_skip && !cp_host_is_ip(c->hostname))
            (*order)[n++] = i; /* the address cases are picked by address, never by name */
    }
    sort_suite = s;
    qsort(*order, (size_t)n, sizeof(int), by_hostname);
    /* A hostname several cases have: none of them is served, unless one is a control, which
     * keeps it (the controls decide whether the run counts at all). */
    for (int k = 0, end; k < n; k = end) {
        bool control = false;
        for (end = k; end < n &&
                      strcmp(s->cases[(*order)[end]].hostname, s->cases[(*order)[k]].hostname) == 0;
             end++)
            control = control || is_control(s->cases[(*order)[end]].id);
        for (int x = k; end - k > 1 && x < end; x++) {
            struct cp_suite_case *c = &s->cases[(*order)[x]];
            if (!(control && is_control(c->id)))
                c->wire_skip = "wire: another case has the same hostname, and the built-in "
                               "server picks a case by its SNI name";
        }
    }
    return 0;
}

/* Which engine serves each case: GnuTLS (in a process of its own) for a Certificate message
 * longer than mbedTLS can send, and for every case under --tls 1.3 where mbedTLS has no TLS 1.3;
 * mbedTLS in this process for the others. Without the GnuTLS engine those cases are skipped over
 * the wire, saying why. */
int cp_wire_route(const char *tls, struct cp_suite *s, int *n_gnutls)
{
    char exe[PATH_MAX];
    bool all = tls && strcmp(tls, "1.3") == 0 && !cp_server_has_tls13();
    bool have = cp_server_gnutls_exe(exe, sizeof(exe)) == 0;
    *n_gnutls = 0;
    if (all && !have)
        return cp_error_set(CP_E_ARG,
                            "--tls 1.3: the built-in mbedTLS server (mbedTLS %s) has no TLS 1.3, "
                            "and its GnuTLS engine, which has, is not built (%s)",
                            cp_server_mbedtls_version(), cp_error_msg(CP_E_NOTFOUND));
    for (int i = 0; i < s->ncases; i++) {
        struct cp_suite_case *c = &s->cases[i];
        c->wire_server = NULL;
        c->wire_port = 0;
        if (c->wire_skip)
            continue;
        if (!all && cp_server_check_case(c->dir) != CP_E_LIMIT) {
            c->wire_server = "mbedtls";
        } else if (cp_host_is_ip(c->hostname)) {
            c->wire_skip = all ? "wire: an IP-address hostname is served on its own address by "
                                 "the mbedTLS engine only, which has no TLS 1.3 here"
                               : "wire: an IP-address hostname is served on its own address by "
                                 "the mbedTLS engine only, and its Certificate message is longer "
                                 "than that engine can send in one record";
        } else if (have) {
            c->wire_server = "gnutls";
            ++*n_gnutls;
        } else {
            c->wire_skip = "wire: a Certificate message longer than the built-in mbedTLS server "
                           "can send in one record, and certpath was built without the server's "
                           "GnuTLS engine (certpath-server-gnutls; apt install libgnutls28-dev)";
        }
    }
    return 0;
}

/* The cases the given engine serves, for its start. */
static struct cp_server_case *wire_cases(const struct cp_suite *s, const char *engine, int *n)
{
    struct cp_server_case *cases = calloc((size_t)s->ncases + 1, sizeof(*cases));
    *n = 0;
    for (int i = 0; cases && i < s->ncases; i++) {
        const struct cp_suite_case *c = &s->cases[i];
        if (!c->wire_skip && c->wire_server && strcmp(c->wire_server, engine) == 0)
            cases[(*n)++] = (struct cp_server_case){.id = c->id,
                                                    .hostname = c->hostname,
                                                    .dir = c->dir,
                                                    .by_address = cp_host_is_ip(c->hostname)};
    }
    if (!cases)
        cp_error_set(CP_E_NOMEM, "out of memory for %d cases", s->ncases);
    return cases;
}

/* The listening sockets the address cases need. */
static int addr_fds(const struct cp_suite *s)
{
    int n = 0;
    for (int i = 0; i < s->ncases; i++)
        n += !s->cases[i].wire_skip && s->cases[i].wire_server &&
             strcmp(s->cases[i].wire_server, "mbedtls") == 0 && cp_host_is_ip(s->cases[i].hostname);
    return n;
}

/* One socket per address case (the names suite has 3,709 on 127.0.0.1) besides the workers'
 * and the connections': the soft limit on descriptors goes up to the hard one when it is lower
 * than they need with room to spare. A case left without a socket is skipped, saying why. */
static int raise_fd_limit(int need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return cp_error_set(CP_E_IO, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
    rlim_t want = (rlim_t)need + 1024;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl))
            return cp_error_set(CP_E_IO, "setrlimit(RLIMIT_NOFILE, %llu): %s",
                                (unsigned long long)rl.rlim_cur, strerror(errno));
    }
    return 0;
}

static int start_server(const struct cp_run_opts *o, struct cp_suite *s, struct wire_servers *ws)
{
    struct cp_server_opts so;
    struct cp_server_case *cases = NULL;
    int *order = NULL, n = 0, ng = 0, rc;
    if ((rc = cp_wire_mark_skips(s, &order)) || (rc = cp_wire_route(o->tls, s, &ng)))
        goto out;
    cp_server_opts_init(&so);
    /* Under --tls 1.3 without an mbedTLS TLS 1.3 server, every case is GnuTLS's and the
     * mbedTLS engine serves none. */
    so.tls = o->tls && !(strcmp(o->tls, "1.3") == 0 && !cp_server_has_tls13()) ? o->tls : NULL;
    if (!(cases = wire_cases(s, "mbedtls", &n))) {
        rc = CP_E_NOMEM;
        goto out;
    }
    if (addr_fds(s) && (rc = raise_fd_limit(addr_fds(s))))
        goto out;
    if ((rc = cp_server_start(&so, cases, n, &ws->mbed)))
        goto out;
    /* The address cases: each on its listener's port, or skipped with the server's why. */
    for (int k = 0, i = 0; i < s->ncases; i++) {
        struct cp_suite_case *c = &s->cases[i];
        if (c->wire_skip || !c->wire_server || strcmp(c->wire_server, "mbedtls") != 0)
            continue;
        const char *why = NULL;
        int port = cp_server_case_port(ws->mbed, k++, &why);
        if (!cp_host_is_ip(c->hostname))
            continue;
        if (port > 0) {
            c->wire_host = c->hostname;
            c->wire_port = port;
        } else {
            c->wire_skip = "wire: the built-in server could not listen on this case's address "
                           "(the address is not configured here, or no file descriptor was left; "
                           "see the server's message in the log)";
            fprintf(stderr, "certpath: case %s: %s\n", c->id, why);
        }
    }
    free(cases);
    cases = NULL;
    if (ng > 0) {
        if (!(cases = wire_cases(s, "gnutls", &n))) {
            rc = CP_E_NOMEM;
            goto out;
        }
        if ((rc = cp_server_proc_start(&so, o->tls, cases, n, &ws->gnutls)))
            goto out;
        for (int i = 0; i < s->ncases; i++) {
            if (!s->cases[i].wire_skip && s->cases[i].wire_server &&
                strcmp(s->cases[i].wire_server, "gnutls") == 0)
                s->cases[i].wire_port = cp_server_proc_port(ws->gnutls);
        }
    }
out:
    free(order);
    free(cases);
    return rc;
}

int cp_run(const struct cp_run_opts *o)
{
    struct cp_suite s;
    struct wire_servers ws = {0};
    int rc;
    if (!o->stack)
        return cp_error_set(CP_E_ARG, "no --stack given (see `certpath stacks`)");
    if ((strcmp(o->stack, "all") == 0 || is_group(o->stack)) && o->output)
        return cp_error_set(CP_E_ARG,
                            "-o names one results file; --stack %s writes one per "
                            "stack into results/",
                            o->stack);
    if (o->mode == CP_RUN_BOTH && o->output)
        return cp_error_set(CP_E_ARG, "-o names one results file; --mode both writes two, "
                                      "results/<stack>-inproc.json and results/<stack>-wire.json");
    if (o->shard_count < 0 ||
        (o->shard_count > 0 && (o->shard_index < 1 || o->shard_index > o->shard_count)))
        return cp_error_set(CP_E_ARG, "bad shard %d/%d (want I/N with 1 <= I <= N)", o->shard_index,
                            o->shard_count);
    if (o->output && (rc = check_output(o->output)))
        return rc;
    if ((rc = ensure_suite(o, &s)))
        return rc;
    if ((rc = check_filter(o, &s)))
        goto out;
    /* The profiles are the suite's: rfc5280 and webpki for a generated one, limbo for an
     * imported one (docs/profiles.md). The default, webpki, falls back to the suite's first. */
    if (o->profile && cp_manifest_name_index(s.profiles, s.nprofiles, o->profile) < 0 &&
        strcmp(o->profile, "webpki") != 0) {
        rc = cp_error_set(CP_E_ARG, "unknown profile \"%s\" (this suite has %s%s%s)", o->profile,
                          s.profiles[0], s.nprofiles > 1 ? ", " : "",
                          s.nprofiles > 1 ? s.profiles[1] : "");
        goto out;
    }
    if (o->mode != CP_RUN_INPROC && (rc = start_server(o, &s, &ws)))
        goto out;
    const struct wire_servers *srv = o->mode != CP_RUN_INPROC ? &ws : NULL;
    if (strcmp(o->stack, "all") == 0 || is_group(o->stack))
        rc = run_rows(o, &s, srv);
    else
        rc = run_modes(o, &s, o->stack, srv, false, NULL);
out:
    cp_server_proc_stop(ws.gnutls);
    cp_server_stop(ws.mbed, NULL);
    cp_suite_free(&s);
    return rc;
}
