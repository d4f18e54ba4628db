/* wire_test.c - see cp_wire_test.h. */
#include "cp_missing.h"
#include "cp_wire_test.h"

#include "cp_common.h"
#include "cp_fixture.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_server.h"
#include "cp_tool_test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* More certificates than any case a wire test picks sends. */
#define WT_MAX_CERTS 64

/* The stack under test: one per process. */
static struct cp_wire_test T;

/* A PEM file's certificates as DER, undecoded beyond base64 (a worker parses nothing either). */
struct wt_pem {
    unsigned char *der[WT_MAX_CERTS];
    struct cp_der certs[WT_MAX_CERTS];
    int n;
};

static void wt_pem_read(const char *path, struct wt_pem *p)
{
    BIO *b = BIO_new_file(path, "r");
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    cr_assert_not_null(b, "cannot open %s", path);
    p->n = 0;
    while (PEM_read_bio(b, &name, &header, &data, &len) == 1) {
        cr_assert_lt(p->n, WT_MAX_CERTS, "%s: too many certificates", path);
        p->der[p->n] = data;
        p->certs[p->n++] = (struct cp_der){data, (size_t)len};
        OPENSSL_free(name);
        OPENSSL_free(header);
    }
    ERR_clear_error();
    BIO_free(b);
}

static void wt_pem_free(struct wt_pem *p)
{
    for (int i = 0; i < p->n; i++)
        OPENSSL_free(p->der[i]);
    p->n = 0;
}

static void wt_generate(const char *const *families, int n, int64_t vtime)
{
    struct cp_gen_opts o;
    snprintf(T.tmpdir, sizeof(T.tmpdir), "/tmp/cp-test-wire.XXXXXX");
    cr_assert_not_null(mkdtemp(T.tmpdir));
    snprintf(T.suite, sizeof(T.suite), "%s/suite", T.tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = T.suite;
    o.families = families;
    o.nfamilies = n;
    if (vtime == CP_WIRE_TEST_CLOCK)
        o.vtime = (int64_t)time(NULL);
    else if (vtime)
        o.vtime = vtime;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
}

static void wt_serve(void)
{
    struct cp_server_opts o;
    struct cp_server_case *cases;
    cr_assert_eq(cp_suite_load(T.suite, &T.s), 0, "%s", cp_error_msg(-1));
    T.loaded = true;
    cases = calloc((size_t)T.s.ncases, sizeof(*cases));
    cr_assert_not_null(cases);
    for (int i = 0; i < T.s.ncases; i++)
        cases[i] = (struct cp_server_case){
            .id = T.s.cases[i].id, .hostname = T.s.cases[i].hostname, .dir = T.s.cases[i].dir};
    cp_server_opts_init(&o);
    int rc = cp_server_start(&o, cases, T.s.ncases, &T.srv);
    free(cases);
    cr_assert_eq(rc, 0, "%s", cp_error_msg(rc));
    cr_assert_gt(cp_server_port(T.srv), 0);
}

struct cp_wire_test *cp_wire_test_open(const char *module, const char *const *families, int n,
                                       int64_t vtime)
{
    const char *why = "";
    char err[512] = "";
    if (!(T.ad = cp_fixture_adapter(module, &T.handle, &why)))
        cp_test_missing(module, "the %s adapter is not built: %s", module, why);
    cr_assert_eq(T.ad->abi, CP_ADAPTER_ABI);
    cr_assert(T.ad->caps & CP_CAP_WIRE, "%s has no wire mode", module);
    T.ctx = calloc(1, T.ad->ctx_size ? T.ad->ctx_size : 1);
    cr_assert_not_null(T.ctx);
    cr_assert_eq(
        T.ad->init(T.ctx, NULL,
                   &(struct cp_adapter_info){T.ad->name, T.ad->library, T.ad->caps, T.ad->settings},
                   err, sizeof(err)),
        0, "init: %s", err);
    T.inited = true;
    wt_generate(families, n, vtime);
    wt_serve();
    return &T;
}

void cp_wire_test_close(void)
{
    cp_server_stop(T.srv, NULL);
    T.srv = NULL;
    if (T.inited)
        T.ad->cleanup(T.ctx);
    T.inited = false;
    free(T.ctx);
    T.ctx = NULL;
    if (T.loaded)
        cp_suite_free(&T.s);
    T.loaded = false;
    if (T.closed_fd > 0)
        close(T.closed_fd);
    T.closed_fd = 0;
    if (T.tmpdir[0])
        cp_fs_rmtree(T.tmpdir);
    T.tmpdir[0] = '\0';
}

const struct cp_suite_case *cp_wire_test_case(const char *id)
{
    int i = cp_suite_find(&T.s, id);
    cr_assert_geq(i, 0, "the suite has no case %s", id);
    return &T.s.cases[i];
}

struct cp_verify_result cp_wire_test_run(const char *id, int64_t vtime)
{
    struct cp_wire_test_opts o = {.vtime = vtime};
    return cp_wire_test_run_with(id, &o);
}

struct cp_verify_result cp_wire_test_run_with(const char *id, const struct cp_wire_test_opts *o)
{
    const struct cp_suite_case *c = cp_wire_test_case(id);
    struct wt_pem chain, roots;
    struct cp_verify_result r;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/chain.pem", c->dir);
    wt_pem_read(path, &chain);
    snprintf(path, sizeof(path), "%s/roots.pem", c->dir);
    wt_pem_read(path, &roots);
    struct cp_verify_input in = {.case_id = c->id,
                                 .case_dir = c->dir,
                                 .chain = chain.certs,
                                 .nchain = chain.n,
                                 .roots = roots.certs,
                                 .nroots = roots.n,
                                 .hostname = o->hostname ? o->hostname : c->hostname,
                                 .vtime = o->vtime ? o->vtime : T.s.vtime,
                                 .host = cp_server_host(T.srv),
                                 .port = o->port ? o->port : cp_server_port(T.srv)};
    memset(&r, 0, sizeof(r));
    cr_assert_eq(T.ad->verify(T.ctx, &in, &r), 0, "%s: verify() failed", id);
    wt_pem_free(&chain);
    wt_pem_free(&roots);
    return r;
}

int cp_wire_test_closed_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind: %s", strerror(errno));
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    if (T.closed_fd > 0)
        close(T.closed_fd);
    T.closed_fd = fd;
    return ntohs(sa.sin_port);
}

void cp_wire_test_expect_error(const struct cp_verify_result *r, const char *words)
{
    cr_expect_eq(r->status, CP_VERIFY_ERROR, "status %d, want an error: %s", r->status, r->reason);
    cr_expect(strstr(r->reason, words) != NULL, "the reason \"%s\" does not say \"%s\"", r->reason,
              words);
}

/* The manifest's outcome for the case, asserted to be the same under every profile. */
static bool wt_expect_accept(const struct cp_suite_case *c)
{
    for (int p = 1; p < T.s.nprofiles; p++)
        cr_assert_eq(c->expect_accept[p], c->expect_accept[0],
                     "%s: the profiles disagree; pick a certain case", c->id);
    return c->expect_accept[0];
}

void cp_wire_test_expect(const char *id)
{
    bool accept = wt_expect_accept(cp_wire_test_case(id));
    struct cp_verify_result r = cp_wire_test_run(id, 0);
    enum cp_verify_status want = accept ? CP_VERIFY_ACCEPT : CP_VERIFY_REJECT;
    cr_expect_eq(r.status, want, "%s: status %d (want %s), code %ld: %s", id, r.status,
                 accept ? "accept" : "reject", r.code, r.reason);
    if (accept)
        cr_expect_eq(r.code, 0, "%s: an accept with code %ld", id, r.code);
    else
        cr_expect_neq(r.reason[0], '\0', "%s: a reject without a reason", id);
}

void cp_wire_test_expect_refusals(const char *refused_words, const char *unknown_words)
{
    struct cp_wire_test_opts closed = {.port = cp_wire_test_closed_port()};
    struct cp_verify_result r = cp_wire_test_run_with("controls/accept", &closed);
    cp_wire_test_expect_error(&r, refused_words);
    struct cp_wire_test_opts unknown = {.hostname = "no-such-case.certpath.test"};
    r = cp_wire_test_run_with("controls/accept", &unknown);
    cp_wire_test_expect_error(&r, unknown_words);
}

/* The cases of cp_wire_test_expect_certain(), each with the flag it needs (0: none). */
static const struct {
    const char *id;
    unsigned needs;
} wt_certain[] = {
    {"controls/accept", 0},
    {"controls/reject", 0},
    {"ordering/depth3/plain/declared", 0},
    {"ordering/depth3/plain/reversed", CP_WIRE_CERTAIN_REVERSED},
    {"ordering/depth3/missing-bottom/declared", 0},
    {"validity/chain/leaf-expired/declared", 0},
    {"validity/chain/leaf-long-lived/declared", 0},
    {"constraints/hostname/mismatch/alone/depth2/declared", CP_WIRE_CERTAIN_HOSTNAME},
    {"constraints/hostname/wildcard-one-label/alone/depth2/declared", CP_WIRE_CERTAIN_HOSTNAME},
};

#define WT_NCERTAIN (sizeof(wt_certain) / sizeof(wt_certain[0]))

/* The ids of wt_certain[] that `with` allows and that begin with one of the prefixes (NULL:
 * any), NULL-terminated, into ids (WT_NCERTAIN + 1 entries). */
static void wt_certain_ids(unsigned with, const char *const *prefixes, const char **ids)
{
    size_t n = 0;
    for (size_t i = 0; i < WT_NCERTAIN; i++) {
        bool match = !prefixes;
        for (const char *const *p = prefixes; p && *p; p++)
            match = match || strncmp(wt_certain[i].id, *p, strlen(*p)) == 0;
        if ((wt_certain[i].needs & ~with) == 0 && match)
            ids[n++] = wt_certain[i].id;
    }
    ids[n] = NULL;
}

void cp_wire_test_expect_certain(unsigned with)
{
    const char *ids[WT_NCERTAIN + 1];
    wt_certain_ids(with, NULL, ids);
    for (const char *const *id = ids; *id; id++)
        cp_wire_test_expect(*id);
}

/* ---- the command line ---- */

void cp_wire_test_cli_depth3(const char *stack, unsigned with)
{
    static const char *const prefixes[] = {"controls/", "ordering/depth3/", NULL};
    const char *ids[WT_NCERTAIN + 1];
    wt_certain_ids(with, prefixes, ids);
    cp_wire_test_cli(stack, "ordering/depth3/*", 30, ids);
}

static const char *wt_str(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return s ? s : "";
}

/* Checks one case of the results file; returns 1 when it is one of `certain`. */
static int wt_check_case(const cJSON *c, const char *const *certain)
{
    const char *id = wt_str(c, "id"), *out = wt_str(c, "outcome");
    cr_expect(strcmp(out, "accept") == 0 || strcmp(out, "reject") == 0 || strcmp(out, "skip") == 0,
              "%s: %s (%s)", id, out, wt_str(c, "reason"));
    if (strncmp(id, "controls/", 9) == 0)
        cr_expect_str_eq(out, id + 9, "control %s: %s (%s)", id, out, wt_str(c, "reason"));
    for (const char *const *p = certain; p && *p; p++) {
        if (strcmp(*p, id) == 0) {
            const char *want = wt_expect_accept(cp_wire_test_case(id)) ? "accept" : "reject";
            cr_expect_str_eq(out, want, "%s: %s, the manifest says %s (%s)", id, out, want,
                             wt_str(c, "reason"));
            return 1;
        }
    }
    return 0;
}

void cp_wire_test_cli(const char *stack, const char *filter, int min_cases,
                      const char *const *certain)
{
    char args[4096], results[400], log[400], *text = NULL;
    int n = 0, found = 0, ncertain = 0;
    snprintf(results, sizeof(results), "%s/%s-wire.json", T.tmpdir, stack);
    snprintf(log, sizeof(log), "%s/run.log", T.tmpdir);
    snprintf(args, sizeof(args),
             "run --stack %s --mode wire -j2 --suite %s --no-regenerate --filter '%s' -o %s", stack,
             T.suite, filter, results);
    int rc = cp_test_certpath(NULL, NULL, args, log, &text);
    cr_assert_eq(rc, 0, "certpath %s: status %d:\n%s", args, rc, text);
    free(text);
    cJSON *r = cp_test_load_json(results), *c, *cap;
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(r, "complete")), "the run is not complete");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(r, "broken")), "the run says the stack is broken");
    const cJSON *st_info = cJSON_GetObjectItem(r, "stack");
    cr_expect_str_eq(wt_str(st_info, "name"), stack);
    cr_expect_str_eq(wt_str(st_info, "mode"), "wire");
    cJSON_ArrayForEach(cap, cJSON_GetObjectItem(st_info, "capabilities"))
    {
        found |= strcmp(cJSON_GetStringValue(cap), "wire") == 0;
    }
    cr_expect(found, "the results do not list the wire capability");
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "cases"))
    {
        ncertain += wt_check_case(c, certain);
        n++;
    }
    cr_expect_geq(n, min_cases, "%d cases in the results, want at least %d", n, min_cases);
    int want_certain = 0;
    for (const char *const *p = certain; p && *p; p++)
        want_certain++;
    cr_expect_eq(ncertain, want_certain, "only %d of the %d certain cases are in the results",
                 ncertain, want_certain);
    cJSON_Delete(r);
}
