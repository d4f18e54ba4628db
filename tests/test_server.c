/*
 * test_server.c - the built-in TLS server (harness/server.c) and wire mode, against real
 * clients: OpenSSL's TLS client records the raw Certificate message the server sends and compares
 * it, certificate by certificate, with the case's chain.pem (duplicates, unrelated extras,
 * reversed orders, and certificates mbedTLS itself refuses to parse); the server survives
 * garbage, a truncated ClientHello, clients that hang up and clients that say nothing, and still
 * serves real handshakes meanwhile; `certpath serve` runs standalone; and a -j2 wire run of
 * the openssl stack (`--stack openssl --mode wire`: libssl's TLS client, in the same module as
 * its in-process verification) completes, its controls passing, its verdicts equal to the same
 * stack's in-process ones. Under load: 200 idle connections held open while 2,000 more open and
 * close, then a verified handshake still completes, every connection is counted and memory
 * stays bounded.
 */
#include "cp_missing.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_server.h"
#include "cp_tool_test.h"
#include "harness_internal.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/x509_crt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* More certificates than any case the tests pick sends. */
#define T_MAX_CERTS 128

static char tmpdir[256], suite[300];

static void make_suite(const char *const *families, int n)
{
    struct cp_gen_opts o;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-server.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s/suite", tmpdir);
    cp_gen_opts_init(&o);
    o.out_dir = suite;
    o.families = families;
    o.nfamilies = n;
    cr_assert_eq(cp_generator_generate(&o, NULL), 0, "%s", cp_error_msg(-1));
}

static void teardown(void)
{
    if (tmpdir[0])
        cp_fs_rmtree(tmpdir);
}

TestSuite(server, .fini = teardown);

/* ---- the suite and the server ---- */

struct fixture {
    struct cp_suite s;
    struct cp_server *srv;
};

static void start(struct fixture *f, int read_timeout_ms)
{
    struct cp_server_opts o;
    struct cp_server_case *cases;
    cr_assert_eq(cp_suite_load(suite, &f->s), 0, "%s", cp_error_msg(-1));
    cases = calloc((size_t)f->s.ncases, sizeof(*cases));
    cr_assert_not_null(cases);
    for (int i = 0; i < f->s.ncases; i++)
        cases[i] = (struct cp_server_case){
            .id = f->s.cases[i].id, .hostname = f->s.cases[i].hostname, .dir = f->s.cases[i].dir};
    cp_server_opts_init(&o);
    if (read_timeout_ms)
        o.read_timeout_ms = read_timeout_ms;
    cr_assert_eq(cp_server_start(&o, cases, f->s.ncases, &f->srv), 0, "%s", cp_error_msg(-1));
    free(cases);
    cr_assert_gt(cp_server_port(f->srv), 0);
}

static void stop(struct fixture *f)
{
    cp_server_stop(f->srv, NULL);
    cp_suite_free(&f->s);
}

static const struct cp_suite_case *case_with(const struct fixture *f, const char *feature,
                                             const char *id_part)
{
    int bit = feature ? cp_suite_feature(&f->s, feature) : -1;
    for (int i = 0; i < f->s.ncases; i++) {
        const struct cp_suite_case *c = &f->s.cases[i];
        if ((!feature || (bit >= 0 && (c->features & (UINT64_C(1) << bit)))) &&
            (!id_part || strstr(c->id, id_part)))
            return c;
    }
    cr_assert_fail("the suite has no case with feature %s and id part %s", feature ? feature : "-",
                   id_part ? id_part : "-");
    return NULL;
}

/* ---- certificates as files and as sent ---- */

struct der_list {
    unsigned char *der[T_MAX_CERTS];
    long len[T_MAX_CERTS];
    int n;
};

static void der_list_free(struct der_list *l)
{
    for (int i = 0; i < l->n; i++)
        OPENSSL_free(l->der[i]);
    l->n = 0;
}

/* Every certificate of a PEM file as its bytes: PEM_read_bio decodes base64 and parses
 * nothing. */
static void read_pem(const char *path, struct der_list *l)
{
    BIO *b = BIO_new_file(path, "r");
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    cr_assert_not_null(b, "%s", path);
    l->n = 0;
    while (PEM_read_bio(b, &name, &header, &data, &len) == 1) {
        cr_assert_lt(l->n, T_MAX_CERTS);
        cr_assert_str_eq(name, "CERTIFICATE");
        l->der[l->n] = data;
        l->len[l->n++] = len;
        OPENSSL_free(name);
        OPENSSL_free(header);
    }
    ERR_clear_error();
    BIO_free(b);
}

/* What an OpenSSL client saw of one handshake. */
struct capture {
    unsigned char *cert_msg; /* the Certificate handshake message, header included */
    size_t cert_len;
    int recv_alert, sent_alert;
    int tls13; /* the handshake negotiated TLS 1.3 (Mbed TLS 3.x has it; 2.28 stops at 1.2) */
};

static void on_msg(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    struct capture *c = arg;
    const unsigned char *p = buf;
    (void)version, (void)ssl;
    if (content_type == SSL3_RT_HANDSHAKE && !write_p && len > 0 && p[0] == SSL3_MT_CERTIFICATE &&
        !c->cert_msg) {
        c->cert_msg = malloc(len);
        if (c->cert_msg) {
            memcpy(c->cert_msg, buf, len);
            c->cert_len = len;
        }
    }
    if (content_type == SSL3_RT_ALERT && len >= 2 && p[0] == SSL3_AL_FATAL) {
        if (write_p)
            c->sent_alert = p[1];
        else
            c->recv_alert = p[1];
    }
}

static int connect_tcp_at(const char *addr, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    cr_assert_eq(inet_pton(AF_INET, addr, &sa.sin_addr), 1, "%s", addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "connect: %s",
                 strerror(errno));
    return fd;
}

static int connect_tcp(int port)
{
    return connect_tcp_at("127.0.0.1", port);
}

/* One handshake offering sni. With roots, verifies as a client would (the case's roots, the
 * hostname, the suite's time); without, verification is off and the certificates are only
 * recorded. Returns 1 when the handshake completed. */
static int handshake_at(const char *addr, int port, const char *sni, const char *roots,
                        int64_t vtime, struct capture *cap)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl;
    int fd = connect_tcp_at(addr, port), ok;
    memset(cap, 0, sizeof(*cap));
    cap->recv_alert = cap->sent_alert = -1;
    cr_assert_not_null(ctx);
    if (roots) {
        cr_assert_eq(SSL_CTX_load_verify_locations(ctx, roots, NULL), 1, "%s", roots);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    ssl = SSL_new(ctx);
    cr_assert_not_null(ssl);
    /* No sni: the client verifies the address it connected to, as for an IP literal. */
    if (sni)
        SSL_set_tlsext_host_name(ssl, sni);
    if (roots) {
        if (sni)
            SSL_set1_host(ssl, sni);
        else
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), addr);
        X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), (time_t)vtime);
    }
    SSL_set_msg_callback(ssl, on_msg);
    SSL_set_msg_callback_arg(ssl, cap);
    SSL_set_fd(ssl, fd);
    ok = SSL_connect(ssl) == 1;
    cap->tls13 = SSL_version(ssl) == TLS1_3_VERSION;
    if (ok)
        SSL_shutdown(ssl);
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return ok;
}

static int handshake(int port, const char *sni, const char *roots, int64_t vtime,
                     struct capture *cap)
{
    return handshake_at("127.0.0.1", port, sni, roots, vtime, cap);
}

static unsigned long get24(const unsigned char *p)
{
    return (unsigned long)p[0] << 16 | (unsigned long)p[1] << 8 | p[2];
}

/* The certificates of a TLS 1.2 Certificate message (TLS 1.3 adds a request context and
 * per-certificate extensions). */
static void split_certificate_msg(const struct capture *cap, int tls13, struct der_list *l)
{
    const unsigned char *p = cap->cert_msg, *end;
    cr_assert_not_null(p, "no Certificate message was received");
    cr_assert_geq(cap->cert_len, 7);
    cr_assert_eq(get24(p + 1), cap->cert_len - 4, "handshake length");
    p += 4;
    if (tls13)
        p += 1 + p[0];
    unsigned long total = get24(p);
    p += 3;
    end = p + total;
    cr_assert_eq(end, cap->cert_msg + cap->cert_len, "certificate_list length");
    l->n = 0;
    while (p < end) {
        cr_assert_lt(l->n, T_MAX_CERTS);
        unsigned long len = get24(p);
        p += 3;
        cr_assert_leq(p + len, end);
        l->der[l->n] = OPENSSL_malloc(len ? len : 1);
        memcpy(l->der[l->n], p, len);
        l->len[l->n++] = (long)len;
        p += len;
        if (tls13)
            p += 2 + (p[0] << 8 | p[1]);
    }
}

/* Whether mbedTLS's own parser takes a certificate. */
static bool mbedtls_parses(const unsigned char *der, long len)
{
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = mbedtls_x509_crt_parse_der(&crt, der, (size_t)len);
    mbedtls_x509_crt_free(&crt);
    return ret == 0;
}

/* ---- tests ---- */

Test(server, sends_exactly_the_listed_certificates)
{
    static const char *const families[] = {"controls", "ordering", "constraints", "algorithms"};
    static const struct {
        const char *feature, *id_part;
    } picks[] = {
        {NULL, "controls/accept"},
        {"duplicates", "/declared"},
        {"duplicates", "/reversed"},
        {"unrelated-extras", "/declared"},
        {"unrelated-extras", "/shuffled"},
        {NULL, "ordering/depth3/plain/reversed"},
        {"unknown-critical-extension", "unknown-critical/intermediate/"},
        {"unknown-critical-extension", "unknown-critical/leaf/"},
        {"unknown-algorithm", "unknown-alg/intermediate/"},
        {"unknown-algorithm", "unknown-alg/leaf/"},
        {"v1-ca", NULL},
        {"leaf-eku", NULL},
    };
    struct fixture f;
    int refused_by_mbedtls = 0, duplicated = 0;
    make_suite(families, 4);
    start(&f, 0);
    for (size_t k = 0; k < sizeof(picks) / sizeof(picks[0]); k++) {
        const struct cp_suite_case *c = case_with(&f, picks[k].feature, picks[k].id_part);
        struct der_list want = {0}, got = {0};
        struct capture cap;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/chain.pem", c->dir);
        read_pem(path, &want);
        handshake(cp_server_port(f.srv), c->hostname, NULL, 0, &cap);
        split_certificate_msg(&cap, cap.tls13, &got);
        cr_expect_eq(got.n, want.n, "%s: %d certificates sent, chain.pem lists %d", c->id, got.n,
                     want.n);
        for (int i = 0; i < want.n && i < got.n; i++) {
            cr_expect(got.len[i] == want.len[i] &&
                          memcmp(got.der[i], want.der[i], (size_t)want.len[i]) == 0,
                      "%s: certificate %d differs from chain.pem", c->id, i);
            refused_by_mbedtls += !mbedtls_parses(want.der[i], want.len[i]);
            for (int j = 0; j < i; j++)
                duplicated += want.len[j] == want.len[i] &&
                              memcmp(want.der[j], want.der[i], (size_t)want.len[i]) == 0;
        }
        cr_log_info("%s: %d certificates, byte for byte", c->id, got.n);
        der_list_free(&want);
        der_list_free(&got);
        free(cap.cert_msg);
    }
    /* The picks include what the server's own library would refuse, and duplicates. */
    cr_expect_gt(refused_by_mbedtls, 0, "no picked certificate is one mbedTLS refuses to parse");
    cr_expect_gt(duplicated, 0, "no picked case sends a certificate twice");
    stop(&f);
}

Test(server, verifying_client_accepts_the_control_and_unknown_names_get_an_alert)
{
    static const char *const families[] = {"controls"};
    struct fixture f;
    struct capture cap;
    char roots[PATH_MAX];
    make_suite(families, 1);
    start(&f, 0);
    const struct cp_suite_case *ok = case_with(&f, NULL, "controls/accept");
    const struct cp_suite_case *bad = case_with(&f, NULL, "controls/reject");
    snprintf(roots, sizeof(roots), "%s/roots.pem", ok->dir);
    cr_expect(handshake(cp_server_port(f.srv), ok->hostname, roots, f.s.vtime, &cap),
              "controls/accept: handshake failed (alert %d)", cap.recv_alert);
    free(cap.cert_msg);
    snprintf(roots, sizeof(roots), "%s/roots.pem", bad->dir);
    cr_expect_not(handshake(cp_server_port(f.srv), bad->hostname, roots, f.s.vtime, &cap));
    cr_expect_neq(cap.sent_alert, -1, "controls/reject: the client should refuse the chain");
    free(cap.cert_msg);
    /* A name that is no case's, in another case: the server refuses it. */
    cr_expect_not(handshake(cp_server_port(f.srv), "NO-SUCH-CASE.certpath.test", NULL, 0, &cap));
    cr_expect_eq(cap.recv_alert, SSL_AD_UNRECOGNIZED_NAME, "alert %d", cap.recv_alert);
    cr_expect_null(cap.cert_msg);
    free(cap.cert_msg);
    /* Names are matched case-insensitively, as DNS names are. */
    char upper[256];
    snprintf(upper, sizeof(upper), "%s", ok->hostname);
    for (char *p = upper; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    cr_expect(handshake(cp_server_port(f.srv), upper, NULL, 0, &cap), "%s", upper);
    free(cap.cert_msg);
    stop(&f);
}

/* Whether the Certificate message a client saw lists exactly the certificates of dir's
 * chain.pem. */
static bool sent_chain_of(const struct capture *cap, const char *dir)
{
    struct der_list want = {0}, got = {0};
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/chain.pem", dir);
    read_pem(path, &want);
    split_certificate_msg(cap, cap->tls13, &got);
    bool same = got.n == want.n && got.n > 0;
    for (int i = 0; same && i < want.n; i++)
        same =
            got.len[i] == want.len[i] && memcmp(got.der[i], want.der[i], (size_t)want.len[i]) == 0;
    der_list_free(&want);
    der_list_free(&got);
    return same;
}

/* Cases picked by the address and port a client connects to (an IP-literal hostname, no SNI):
 * two on 127.0.0.1 and one on 127.0.0.2, each on a port of its own serving its own chain
 * whatever the client sends; an address that is not this host's gets no socket and says why,
 * and the cases picked by SNI are served as before. */
Test(server, address_cases_are_served_on_their_own_address_and_port)
{
    static const char *const families[] = {"controls"};
    struct fixture f;
    struct cp_server_opts o;
    struct cp_server *srv;
    struct capture cap;
    char roots[PATH_MAX];
    make_suite(families, 1);
    cr_assert_eq(cp_suite_load(suite, &f.s), 0, "%s", cp_error_msg(-1));
    const struct cp_suite_case *ok = case_with(&f, NULL, "controls/accept");
    const struct cp_suite_case *bad = case_with(&f, NULL, "controls/reject");
    struct cp_server_case cases[] = {
        {.id = "a", .hostname = "127.0.0.1", .dir = ok->dir, .by_address = true},
        {.id = "sni", .hostname = ok->hostname, .dir = ok->dir},
        {.id = "b", .hostname = "127.0.0.1", .dir = bad->dir, .by_address = true},
        {.id = "c", .hostname = "127.0.0.2", .dir = ok->dir, .by_address = true},
        {.id = "far", .hostname = "192.0.2.1", .dir = ok->dir, .by_address = true},
    };
    cp_server_opts_init(&o);
    cr_assert_eq(cp_server_start(&o, cases, 5, &srv), 0, "%s", cp_error_msg(-1));
    const char *why = NULL;
    int pa = cp_server_case_port(srv, 0, &why), pb = cp_server_case_port(srv, 2, NULL);
    int pc = cp_server_case_port(srv, 3, NULL), pfar = cp_server_case_port(srv, 4, &why);
    cr_expect(pa > 0 && pb > 0 && pc > 0 && pa != pb && pa != cp_server_port(srv), "%d %d %d", pa,
              pb, pc);
    cr_expect_eq(pfar, 0);
    cr_expect(strstr(why, "192.0.2.1") && strstr(why, "address"), "%s", why);
    cr_expect_eq(cp_server_case_port(srv, 1, &why), 0, "a case picked by SNI has no port");
    cr_expect_str_eq(why, "");

    /* No SNI, the address verified: the accept control's chain on a, the reject one's on b. */
    snprintf(roots, sizeof(roots), "%s/roots.pem", ok->dir);
    cr_expect(handshake_at("127.0.0.1", pa, NULL, roots, f.s.vtime, &cap) == 0,
              "the control's leaf names no address: verifying 127.0.0.1 fails");
    free(cap.cert_msg);
    cr_expect(handshake_at("127.0.0.1", pa, NULL, NULL, 0, &cap));
    cr_expect(sent_chain_of(&cap, ok->dir), "a: the accept control's chain");
    free(cap.cert_msg);
    cr_expect(handshake_at("127.0.0.1", pb, NULL, NULL, 0, &cap));
    cr_expect(sent_chain_of(&cap, bad->dir), "b: the reject control's chain");
    free(cap.cert_msg);
    /* An SNI name on an address listener changes nothing: the listener's case is served. */
    cr_expect(handshake_at("127.0.0.1", pb, ok->hostname, NULL, 0, &cap));
    cr_expect(sent_chain_of(&cap, bad->dir), "b with another case's SNI: still b's chain");
    free(cap.cert_msg);
    cr_expect(handshake_at("127.0.0.2", pc, NULL, NULL, 0, &cap));
    cr_expect(sent_chain_of(&cap, ok->dir), "c on 127.0.0.2");
    free(cap.cert_msg);
    /* The SNI listener serves its case, and tells a client without SNI it has none. */
    cr_expect(handshake(cp_server_port(srv), ok->hostname, roots, f.s.vtime, &cap));
    free(cap.cert_msg);
    cr_expect_not(handshake_at("127.0.0.1", cp_server_port(srv), NULL, NULL, 0, &cap));
    free(cap.cert_msg);
    char v[16];
    cp_server_take_version_at(srv, pc, v, sizeof(v));
    cr_expect(strncmp(v, "TLSv1.", 6) == 0, "the version c's handshake negotiated: %s", v);
    cp_server_take_version_at(srv, pc, v, sizeof(v));
    cr_expect_str_eq(v, "", "taken once");
    cp_server_stop(srv, NULL);
    cp_suite_free(&f.s);
}

Test(server, a_list_longer_than_mbedtls_can_send_is_named_and_refused)
{
    static const char *const families[] = {"controls"};
    struct cp_server_opts o;
    struct cp_server *srv = NULL;
    struct capture cap;
    struct cp_suite s;
    char *pem = NULL, *key = NULL, path[PATH_MAX + 32], dir[PATH_MAX];
    size_t pem_len = 0, key_len = 0;
    make_suite(families, 1);
    cr_assert_eq(cp_suite_load(suite, &s), 0);
    int i = cp_suite_find(&s, "controls/accept");
    cr_assert_geq(i, 0);
    /* The control's chain sent 24 times over: about 20 KB of certificates. */
    snprintf(path, sizeof(path), "%s/chain.pem", s.cases[i].dir);
    cr_assert_eq(cp_fs_read(path, 1u << 20, &pem, &pem_len), 0);
    snprintf(path, sizeof(path), "%s/leaf.key", s.cases[i].dir);
    cr_assert_eq(cp_fs_read(path, 1u << 20, &key, &key_len), 0);
    snprintf(dir, sizeof(dir), "%s/big", tmpdir);
    cr_assert_eq(cp_fs_mkdirs(dir), 0);
    char *big = malloc(pem_len * 24 + 1);
    cr_assert_not_null(big);
    for (int k = 0; k < 24; k++)
        memcpy(big + (size_t)k * pem_len, pem, pem_len);
    snprintf(path, sizeof(path), "%s/chain.pem", dir);
    cr_assert_eq(cp_fs_write(path, big, pem_len * 24), 0);
    snprintf(path, sizeof(path), "%s/leaf.key", dir);
    cr_assert_eq(cp_fs_write(path, key, key_len), 0);

    cr_expect_eq(cp_server_check_case(s.cases[i].dir), 0, "%s", cp_error_msg(-1));
    cr_expect_eq(cp_server_check_case(dir), CP_E_LIMIT);
    cr_expect(strstr(cp_error_msg(CP_E_LIMIT), "48 certificates") != NULL, "%s",
              cp_error_msg(CP_E_LIMIT));

    struct cp_server_case cases[] = {
        {.id = "big", .hostname = "big.certpath.test", .dir = dir},
        {.id = "controls/accept", .hostname = s.cases[i].hostname, .dir = s.cases[i].dir}};
    cp_server_opts_init(&o);
    cr_assert_eq(cp_server_start(&o, cases, 2, &srv), 0, "%s", cp_error_msg(-1));
    cr_expect_not(handshake(cp_server_port(srv), "big.certpath.test", NULL, 0, &cap));
    cr_expect_eq(cap.recv_alert, SSL_AD_INTERNAL_ERROR, "alert %d", cap.recv_alert);
    free(cap.cert_msg);
    /* and goes on serving */
    cr_expect(handshake(cp_server_port(srv), s.cases[i].hostname, NULL, 0, &cap));
    free(cap.cert_msg);
    cp_server_stop(srv, NULL);
    free(big);
    free(pem);
    free(key);
    cp_suite_free(&s);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void send_all(int fd, const void *buf, size_t len)
{
    cr_assert_eq(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len, "send: %s", strerror(errno));
}

/* Whether the server has closed fd within ms (reads and drops whatever it sent first). */
static bool closed_within(int fd, int ms)
{
    int64_t deadline = now_ms() + ms;
    char buf[256];
    for (;;) {
        int left = (int)(deadline - now_ms());
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            return false;
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0)
            return true;
    }
}

Test(server, survives_garbage_truncated_hellos_hangups_and_silence)
{
    static const char *const families[] = {"controls"};
    /* A ClientHello record that promises 512 bytes and delivers 44. */
    static const unsigned char truncated[] = {
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x11, 0x22,
        0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
        0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    unsigned char garbage[300];
    struct fixture f;
    struct capture cap;
    char roots[PATH_MAX];
    /* Reads time out after 3 s: a server that served one client at a time would keep the real
     * handshake below waiting that long behind the stalled ones. */
    const int timeout_ms = 3000;
    make_suite(families, 1);
    start(&f, timeout_ms);
    int port = cp_server_port(f.srv);
    const struct cp_suite_case *ok = case_with(&f, NULL, "controls/accept");
    snprintf(roots, sizeof(roots), "%s/roots.pem", ok->dir);
    for (size_t i = 0; i < sizeof(garbage); i++)
        garbage[i] = (unsigned char)(i * 37 + 11);

    int silent = connect_tcp(port);
    int stalled = connect_tcp(port);
    send_all(stalled, truncated, sizeof(truncated));
    int junk = connect_tcp(port);
    send_all(junk, garbage, sizeof(garbage));
    int http = connect_tcp(port);
    send_all(http, "GET / HTTP/1.0\r\n\r\n", 18);
    close(connect_tcp(port)); /* hangs up at once */
    int half = connect_tcp(port);
    send_all(half, truncated, 20);
    close(half); /* hangs up mid-ClientHello */

    int64_t t0 = now_ms();
    cr_expect(handshake(port, ok->hostname, roots, f.s.vtime, &cap),
              "a real client was not served while others stall (alert %d)", cap.recv_alert);
    free(cap.cert_msg);
    cr_expect_lt(now_ms() - t0, timeout_ms - 500, "the real handshake waited %lld ms",
                 (long long)(now_ms() - t0));
    cr_expect(closed_within(junk, 2000), "the server kept a connection that sent garbage");
    cr_expect(closed_within(http, 2000), "the server kept a connection that sent plain HTTP");
    /* The stalled ones are let go after the read timeout. */
    cr_expect(closed_within(silent, timeout_ms + 3000), "a silent client was never dropped");
    cr_expect(closed_within(stalled, timeout_ms + 3000), "a truncated hello was never dropped");
    close(silent);
    close(stalled);
    close(junk);
    close(http);
    /* and the server still serves */
    cr_expect(handshake(port, ok->hostname, roots, f.s.vtime, &cap));
    free(cap.cert_msg);
    struct cp_server_stats st;
    cp_server_stop(f.srv, &st);
    f.srv = NULL;
    cr_expect_eq(st.connections, 8);
    cr_expect_eq(st.handshakes, 2);
    cr_expect_eq(st.failures, 6);
    stop(&f);
}

struct hammer {
    int port;
    const char *host, *roots;
    int64_t vtime;
    int ok;
};

static void *hammer_main(void *arg)
{
    struct hammer *h = arg;
    struct capture cap;
    for (int i = 0; i < 10; i++) {
        h->ok += handshake(h->port, h->host, h->roots, h->vtime, &cap);
        free(cap.cert_msg);
    }
    return NULL;
}

Test(server, concurrent_handshakes_all_complete)
{
    static const char *const families[] = {"controls", "ordering"};
    enum { NTHREADS = 8 };
    struct fixture f;
    struct hammer h[NTHREADS];
    pthread_t t[NTHREADS];
    char roots[NTHREADS][PATH_MAX];
    make_suite(families, 2);
    start(&f, 0);
    /* Cases that share leaf keys, so connections race for the server's key cache too. */
    int accepting[NTHREADS], n = 0;
    for (int i = 0; i < f.s.ncases && n < NTHREADS; i++) {
        if (f.s.cases[i].expect_accept[0] && f.s.cases[i].expect_accept[1])
            accepting[n++] = i;
    }
    cr_assert_eq(n, NTHREADS);
    for (int k = 0; k < NTHREADS; k++) {
        const struct cp_suite_case *c = &f.s.cases[accepting[k]];
        snprintf(roots[k], sizeof(roots[k]), "%s/roots.pem", c->dir);
        h[k] = (struct hammer){cp_server_port(f.srv), c->hostname, roots[k], f.s.vtime, 0};
        cr_assert_eq(pthread_create(&t[k], NULL, hammer_main, &h[k]), 0);
    }
    for (int k = 0; k < NTHREADS; k++) {
        pthread_join(t[k], NULL);
        cr_expect_eq(h[k].ok, 10, "%s: %d of 10 handshakes completed", f.s.cases[accepting[k]].id,
                     h[k].ok);
    }
    stop(&f);
}

/* ---- under load ---- */

/* Resident memory of this process (the server runs in it), in KiB. */
static long rss_kib(void)
{
    char buf[128];
    long pages = 0, resident = 0;
    int fd = open("/proc/self/statm", O_RDONLY);
    cr_assert_geq(fd, 0);
    ssize_t r = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    cr_assert_gt(r, 0);
    buf[r] = '\0';
    cr_assert_eq(sscanf(buf, "%ld %ld", &pages, &resident), 2);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

Test(server, two_hundred_idle_and_two_thousand_short_connections_leave_it_serving)
{
    static const char *const families[] = {"controls"};
    enum { IDLE = 200, SHORT = 2000 };
    struct fixture f;
    struct capture cap;
    char roots[PATH_MAX];
    int idle[IDLE];
    make_suite(families, 1);
    /* Idle clients are held for the whole test: a read timeout longer than it. */
    start(&f, 120000);
    int port = cp_server_port(f.srv), ctl = cp_suite_find(&f.s, "controls/accept");
    cr_assert_geq(ctl, 0);
    snprintf(roots, sizeof(roots), "%s/roots.pem", f.s.cases[ctl].dir);
    cr_assert(handshake(port, f.s.cases[ctl].hostname, roots, f.s.vtime, &cap));
    free(cap.cert_msg);
    long before = rss_kib();

    for (int i = 0; i < IDLE; i++)
        idle[i] = connect_tcp(port);
    for (int i = 0; i < SHORT; i++)
        close(connect_tcp(port));
    /* With every idle client still there, a real client is served and verifies. */
    for (int i = 0; i < 3; i++) {
        cr_expect(handshake(port, f.s.cases[ctl].hostname, roots, f.s.vtime, &cap),
                  "handshake %d under load failed", i);
        free(cap.cert_msg);
    }
    long loaded = rss_kib();
    for (int i = 0; i < IDLE; i++)
        close(idle[i]);

    /* Every connection ends and is counted: the first handshake, the idle ones, the short
     * ones and the three under load. A connection is counted when it is accepted, its
     * handshake or failure only when its thread ends, so the wait is for the ends. */
    struct cp_server_stats st;
    for (int i = 0; i < 1000; i++) {
        cp_server_stats(f.srv, &st);
        if (st.handshakes + st.failures >= 1 + IDLE + SHORT + 3)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    cr_expect_geq(st.connections, 1 + IDLE + SHORT + 3, "%llu connections counted",
                  (unsigned long long)st.connections);
    cr_expect_geq(st.handshakes, 4, "%llu handshakes", (unsigned long long)st.handshakes);
    /* Bounded: each idle connection holds a thread and a small buffer, never a case's files
     * it has not asked for; 200 of them stay well under 64 MiB. AddressSanitizer keeps freed
     * memory in its quarantine (256 MiB by default) and pads every allocation, so there the
     * bound is the quarantine's on top. */
    long bound_kib = 64 * 1024;
#if defined(__SANITIZE_ADDRESS__)
    bound_kib += 256 * 1024;
#endif
    cr_expect_lt(loaded - before, bound_kib, "memory grew by %ld KiB under load (bound %ld KiB)",
                 loaded - before, bound_kib);
    struct cp_server_stats final;
    cp_server_stop(f.srv, &final);
    cr_expect_geq(final.connections, st.connections);
    cp_suite_free(&f.s);
}

/* ---- the command line ---- */

static int run_certpath(const char *args, char **output)
{
    char log[400];
    snprintf(log, sizeof(log), "%s/log.txt", tmpdir);
    return cp_test_certpath(NULL, NULL, args, log, output);
}

Test(server, wire_run_j2_passes_its_controls_and_agrees_with_in_process_openssl)
{
    static const char *const families[] = {"controls", "ordering"};
    char args[2048], wire[400], inproc[400], *log = NULL;
    make_suite(families, 2);
    snprintf(wire, sizeof(wire), "%s/wire.json", tmpdir);
    snprintf(inproc, sizeof(inproc), "%s/inproc.json", tmpdir);
    snprintf(args, sizeof(args),
             "run --stack openssl --mode wire -j2 --suite %s --no-regenerate -o %s", suite, wire);
    int rc = run_certpath(args, &log);
    if (rc == 2 && strstr(log, "no adapter"))
        cp_test_missing("openssl", "the openssl adapter is not built");
    cr_assert_eq(rc, 0, "wire run: exit %d:\n%s", rc, log);
    free(log);
    snprintf(args, sizeof(args), "run --stack openssl -j2 --suite %s --no-regenerate -o %s", suite,
             inproc);
    rc = run_certpath(args, &log);
    cr_assert_eq(rc, 0, "in-process run: exit %d:\n%s", rc, log);
    free(log);

    cJSON *w = cp_test_load_json(wire), *in = cp_test_load_json(inproc), *c;
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(w, "complete")));
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(w, "broken")));
    cJSON *stack = cJSON_GetObjectItem(w, "stack");
    cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(stack, "mode")), "wire");
    cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(stack, "name")), "openssl");
    cr_expect_str_eq(
        cJSON_GetStringValue(cJSON_GetObjectItem(cp_test_case_of(w, "controls/accept"), "outcome")),
        "accept");
    cr_expect_str_eq(
        cJSON_GetStringValue(cJSON_GetObjectItem(cp_test_case_of(w, "controls/reject"), "outcome")),
        "reject");
    int n = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(w, "cases"))
    {
        const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
        const char *out = cJSON_GetStringValue(cJSON_GetObjectItem(c, "outcome"));
        cJSON *other = cp_test_case_of(in, id);
        cr_assert_not_null(other, "%s missing from the in-process results", id);
        cr_expect(strcmp(out, "accept") == 0 || strcmp(out, "reject") == 0, "%s: %s (%s)", id, out,
                  cJSON_GetStringValue(cJSON_GetObjectItem(c, "reason")));
        cr_expect_str_eq(out, cJSON_GetStringValue(cJSON_GetObjectItem(other, "outcome")),
                         "%s: wire %s, in-process %s", id, out,
                         cJSON_GetStringValue(cJSON_GetObjectItem(other, "outcome")));
        cr_expect_eq(cJSON_GetObjectItem(c, "code")->valuedouble,
                     cJSON_GetObjectItem(other, "code")->valuedouble, "%s: codes differ", id);
        n++;
    }
    cr_expect_gt(n, 100);
    cJSON_Delete(w);
    cJSON_Delete(in);
}

Test(server, wire_mode_refuses_adapters_without_a_tls_client)
{
    static const char *const families[] = {"controls"};
    char args[1024], *log = NULL;
    make_suite(families, 1);
    /* Botan's adapter verifies through its FFI only: it has no TLS client. */
    snprintf(args, sizeof(args),
             "run --stack botan --mode wire --suite %s --no-regenerate -o %s/r.json", suite,
             tmpdir);
    int rc = run_certpath(args, &log);
    if (rc == 2 && strstr(log, "no adapter"))
        cp_test_missing("botan", "the botan adapter is not built");
    cr_expect_eq(rc, 2, "%s", log);
    cr_expect(strstr(log, "botan has no TLS client for wire mode") != NULL, "%s", log);
    free(log);
    cr_expect_eq(run_certpath("run --stack openssl --mode sideways", &log), 2);
    cr_expect(strstr(log, "bad --mode") != NULL, "%s", log);
    free(log);
}

/* Reads the child's stdout until a line holds needle (or 20 s pass); returns what was read. */
static char *read_until(int fd, const char *needle)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = calloc(1, cap);
    int64_t deadline = now_ms() + 20000;
    cr_assert_not_null(buf);
    while (!strstr(buf, needle) && len + 1 < cap) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int left = (int)(deadline - now_ms());
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    return buf;
}

Test(server, serve_runs_standalone_until_interrupted)
{
    static const char *const families[] = {"controls"};
    int out[2];
    struct capture cap;
    struct cp_suite s;
    char roots[PATH_MAX], log[400];
    make_suite(families, 1);
    cr_assert_eq(cp_suite_load(suite, &s), 0);
    int i = cp_suite_find(&s, "controls/accept");
    cr_assert_geq(i, 0);
    cr_assert_eq(pipe(out), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    snprintf(log, sizeof(log), "%s/serve.log", tmpdir);
    if (pid == 0) {
        int err = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        dup2(out[1], STDOUT_FILENO);
        if (err >= 0)
            dup2(err, STDERR_FILENO);
        close(out[0]);
        execl(CP_CERTPATH_BIN, "certpath", "serve", "--suite", suite, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char *text = read_until(out[0], "Ctrl-C");
    const char *at = strstr(text, "listening on 127.0.0.1:");
    cr_assert_not_null(at, "no address in:\n%s", text);
    int port = (int)strtol(at + strlen("listening on 127.0.0.1:"), NULL, 10);
    cr_expect(strstr(text, s.cases[i].hostname) != NULL, "the example case is not named:\n%s",
              text);
    cr_expect(strstr(text, "openssl s_client") && strstr(text, "curl --resolve"), "%s", text);
    free(text);
    snprintf(roots, sizeof(roots), "%s/roots.pem", s.cases[i].dir);
    cr_expect(handshake(port, s.cases[i].hostname, roots, s.vtime, &cap),
              "controls/accept over `certpath serve`");
    free(cap.cert_msg);
    kill(pid, SIGINT);
    text = read_until(out[0], "stopped after");
    int st = 0;
    waitpid(pid, &st, 0);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "serve did not exit cleanly (status %d)", st);
    cr_expect(strstr(text, "1 handshakes completed") != NULL, "%s", text);
    free(text);
    /* Each connection is logged on stderr. */
    cr_assert_eq(cp_fs_read(log, 1u << 20, &text, NULL), 0);
    cr_expect(strstr(text, cap.tls13 ? "controls/accept: handshake completed (TLSv1.3"
                                     : "controls/accept: handshake completed (TLSv1.2") != NULL,
              "%s", text);
    free(text);
    close(out[0]);
    cp_suite_free(&s);
}

/* ---- the GnuTLS engine: Certificate messages longer than one record, TLS 1.3 ---- */

/* One suite of the controls and the pathological family (the longest chains) for the tests
 * below, generated once; each test's outputs go to a directory of its own (tmpdir). */
CP_TEST_SHARED_DIR_OPEN("CP_TEST_SERVER_SHARED", "cp-test-server-shared")
CP_TEST_SHARED_DIR_CLOSE()

static void use_long_suite(void)
{
    static const char *const families[] = {"controls", "pathological"};
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cp-test-server.XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(suite, sizeof(suite), "%s",
             cp_test_shared_suite_of("CP_TEST_SERVER_SHARED", "long", families, 2));
}

/* The case of the suite whose chain.pem holds the most certificate bytes: its Certificate
 * message must exceed one 16 KiB record (RFC 8446 §5.1, RFC 5246 §6.2.1), which the mbedTLS
 * engine cannot send. */
static const struct cp_suite_case *longest_chain(const struct cp_suite *s, struct der_list *want)
{
    const struct cp_suite_case *best = NULL;
    long best_bytes = 0;
    for (int i = 0; i < s->ncases; i++) {
        struct der_list l = {0};
        char path[PATH_MAX];
        long bytes = 0;
        snprintf(path, sizeof(path), "%s/chain.pem", s->cases[i].dir);
        if (access(path, F_OK) != 0)
            continue;
        read_pem(path, &l);
        for (int k = 0; k < l.n; k++)
            bytes += l.len[k] + 3;
        if (bytes > best_bytes) {
            best_bytes = bytes;
            best = &s->cases[i];
        }
        der_list_free(&l);
    }
    cr_assert_not_null(best, "the suite has no case with a chain.pem");
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/chain.pem", best->dir);
    read_pem(path, want);
    cr_assert_gt(best_bytes, 16384, "%s: %ld bytes of certificates fit in one record", best->id,
                 best_bytes);
    cr_expect_eq(cp_server_check_case(best->dir), CP_E_LIMIT, "%s: the mbedTLS engine sends it",
                 best->id);
    return best;
}

static void need_gnutls_engine(void)
{
#ifndef CP_SERVER_GNUTLS_BIN
    cp_test_missing("gnutls", "certpath was built without the server's GnuTLS engine");
#endif
}

#ifdef CP_SERVER_GNUTLS_BIN
/* certpath-server-gnutls serving one case, spoken to as server_proc.c does (its protocol is in
 * server_gnutls.c): the case line, the empty line, then "listening ADDR PORT". */
struct engine {
    pid_t pid;
    int fd, port;
};

static void engine_start(struct engine *e, const char *tls, const struct cp_suite_case *c)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    e->pid = fork();
    cr_assert_geq(e->pid, 0);
    if (e->pid == 0) {
        dup2(sv[1], STDIN_FILENO);
        dup2(sv[1], STDOUT_FILENO);
        execl(CP_SERVER_GNUTLS_BIN, "certpath-server-gnutls", "--tls", tls, (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    e->fd = sv[0];
    cr_assert_gt(dprintf(e->fd, "%s\t%s\t%s\n\n", c->id, c->hostname, c->dir), 0);
    char *text = read_until(e->fd, "\n");
    cr_assert(sscanf(text, "listening 127.0.0.1 %d", &e->port) == 1, "engine said: %s", text);
    free(text);
}

/* Closing its stdin stops it; it exits 0. */
static void engine_stop(struct engine *e)
{
    int st = -1;
    close(e->fd);
    cr_expect_eq(waitpid(e->pid, &st, 0), e->pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the engine ended with status %d", st);
}
#endif

Test(server, gnutls_engine_sends_the_longest_chain_byte_for_byte_in_tls12_and_tls13)
{
    need_gnutls_engine();
#ifdef CP_SERVER_GNUTLS_BIN
    static const struct {
        const char *pin;
        int tls13;
    } runs[] = {{"1.2", 0}, {"1.3", 1}, {"any", 1}};
    struct der_list want = {0};
    struct cp_suite s;
    char roots[PATH_MAX], hello[300];
    use_long_suite();
    cr_assert_eq(cp_suite_load(suite, &s), 0, "%s", cp_error_msg(-1));
    const struct cp_suite_case *c = longest_chain(&s, &want);
    struct cp_manifest m;
    cp_test_manifest_load(suite, &m);
    bool accept = strcmp(cp_test_expected(&m, c->id), "accept") == 0;
    cp_manifest_free(&m);
    snprintf(roots, sizeof(roots), "%s/roots.pem", c->dir);
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        struct engine e;
        struct capture cap;
        struct der_list got = {0};
        engine_start(&e, runs[r].pin, c);
        /* OpenSSL verifies as a client does, with the case's roots, name and time: the oracle's
         * outcome (its default depth, 100, is above the chain's). */
        int ok = handshake(e.port, c->hostname, roots, s.vtime, &cap);
        cr_expect_eq(ok, accept, "%s (--tls %s): handshake %d, the oracle says %s", c->id,
                     runs[r].pin, ok, accept ? "accept" : "reject");
        cr_expect_eq(cap.tls13, runs[r].tls13, "%s (--tls %s): TLS 1.3 %d", c->id, runs[r].pin,
                     cap.tls13);
        split_certificate_msg(&cap, cap.tls13, &got);
        cr_expect_gt(cap.cert_len, 16384);
        cr_expect_eq(got.n, want.n, "%s: %d certificates sent, chain.pem lists %d", c->id, got.n,
                     want.n);
        for (int i = 0; i < want.n && i < got.n; i++)
            cr_expect(got.len[i] == want.len[i] &&
                          memcmp(got.der[i], want.der[i], (size_t)want.len[i]) == 0,
                      "%s: certificate %d differs from chain.pem", c->id, i);
        /* The engine said which version it chose, before its ServerHello. */
        snprintf(hello, sizeof(hello), "hello %s %s\n", c->hostname, cap.tls13 ? "1.3" : "1.2");
        char *text = read_until(e.fd, "\n");
        cr_expect_str_eq(text, hello);
        free(text);
        cr_log_info("%s (--tls %s): %d certificates, %zu bytes, byte for byte", c->id, runs[r].pin,
                    got.n, cap.cert_len);
        der_list_free(&got);
        free(cap.cert_msg);
        engine_stop(&e);
    }
    der_list_free(&want);
    cp_suite_free(&s);
#endif
}

/* The outcome and engine of one case in a results file. */
static void expect_case(const cJSON *res, const char *stack, const char *id, const char *outcome,
                        const char *server, const char *tls)
{
    const cJSON *c = cp_test_case_of(res, id);
    cr_assert_not_null(c, "%s: %s is not in the results", stack, id);
    cr_expect_str_eq(cp_test_field(c, "outcome"), outcome, "%s: %s: %s", stack, id,
                     cp_test_field(c, "reason"));
    cr_expect_str_eq(cp_test_field(c, "server"), server, "%s: %s", stack, id);
    if (tls)
        cr_expect_str_eq(cp_test_field(c, "tls"), tls, "%s: %s", stack, id);
}

Test(server, the_longest_chain_over_the_wire_to_openssl_gnutls_and_curl)
{
    need_gnutls_engine();
    struct der_list want = {0};
    struct cp_suite s;
    struct cp_manifest m;
    char args[1024];
    use_long_suite();
    cr_assert_eq(cp_suite_load(suite, &s), 0, "%s", cp_error_msg(-1));
    const struct cp_suite_case *c = longest_chain(&s, &want);
    der_list_free(&want);
    cp_test_manifest_load(suite, &m);
    const char *expected = cp_test_expected(&m, c->id);
    /* Wire and in-process: OpenSSL's and GnuTLS's clients judge the chain as their verify calls
     * do (GnuTLS refuses a chain over its verify depth, 16, in both); curl over OpenSSL as the
     * oracle does (no depth limit below the chain's). */
    static const struct {
        const char *stack, *inproc;
    } rows[] = {{"openssl", "openssl"}, {"gnutls", "gnutls"}, {"curl-openssl", NULL}};
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        snprintf(args, sizeof(args), "--mode wire -j1 --suite %s --filter '%s'", suite, c->id);
        char *log = NULL, out[400];
        snprintf(out, sizeof(out), "%s/%s.json", tmpdir, rows[r].stack);
        char run[1500];
        snprintf(run, sizeof(run), "run --stack %s %s -o %s", rows[r].stack, args, out);
        int rc = run_certpath(run, &log);
        if (rc == 2 && strstr(log, "no adapter"))
            cp_test_missing(rows[r].stack, "the %s adapter is not built", rows[r].stack);
        cr_assert_eq(rc, 0, "%s: exit %d:\n%s", rows[r].stack, rc, log);
        free(log);
        cJSON *wire = cp_test_load_json(out);
        const char *want_outcome = expected;
        cJSON *in = NULL;
        if (rows[r].inproc) {
            snprintf(run, sizeof(run), "run --stack %s -j1 --suite %s --filter '%s' -o %s",
                     rows[r].inproc, suite, c->id, out);
            rc = run_certpath(run, &log);
            cr_assert_eq(rc, 0, "%s in-process: exit %d:\n%s", rows[r].inproc, rc, log);
            free(log);
            in = cp_test_load_json(out);
            want_outcome = cp_test_field(cp_test_case_of(in, c->id), "outcome");
        }
        cr_expect(strcmp(want_outcome, "accept") == 0 || strcmp(want_outcome, "reject") == 0,
                  "%s: %s in-process: %s", rows[r].stack, c->id, want_outcome);
        expect_case(wire, rows[r].stack, c->id, want_outcome, "gnutls", NULL);
        expect_case(wire, rows[r].stack, "controls/accept", "accept", "mbedtls", NULL);
        cJSON_Delete(wire);
        cJSON_Delete(in);
    }
    /* OpenSSL agrees with the oracle on it. */
    cr_expect_str_eq(expected, "accept", "%s", c->id);
    cp_manifest_free(&m);
    cp_suite_free(&s);
}

Test(server, tls_pins_the_version_every_wire_case_records)
{
    need_gnutls_engine();
    static const char *const pins[] = {"1.2", "1.3", NULL};
    char run[1500], out[400], *log = NULL;
    use_long_suite();
    snprintf(out, sizeof(out), "%s/r.json", tmpdir);
    for (size_t p = 0; p < sizeof(pins) / sizeof(pins[0]); p++) {
        snprintf(run, sizeof(run),
                 "run --stack openssl --mode wire -j2 --suite %s --filter 'pathological/deep/*' "
                 "%s%s -o %s",
                 suite, pins[p] ? "--tls " : "", pins[p] ? pins[p] : "", out);
        int rc = run_certpath(run, &log);
        if (rc == 2 && strstr(log, "no adapter"))
            cp_test_missing("openssl", "the openssl adapter is not built");
        cr_assert_eq(rc, 0, "--tls %s: exit %d:\n%s", pins[p] ? pins[p] : "(none)", rc, log);
        free(log);
        cJSON *res = cp_test_load_json(out), *c;
        int n = 0, by_gnutls = 0;
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cases"))
        {
            const char *id = cp_test_field(c, "id"), *server = cp_test_field(c, "server");
            bool mbed = strcmp(server, "mbedtls") == 0;
            cr_expect(mbed || strcmp(server, "gnutls") == 0, "%s: server %s", id, server);
            /* Unpinned, OpenSSL's client and either engine settle on 1.3 where the engine has
             * it: GnuTLS always, mbedTLS from 3.x with TLS 1.3 built in. */
            const char *want = pins[p] ? pins[p] : !mbed || cp_server_has_tls13() ? "1.3" : "1.2";
            cr_expect_str_eq(cp_test_field(c, "tls"), want, "--tls %s: %s (%s)",
                             pins[p] ? pins[p] : "(none)", id, server);
            cr_expect(strcmp(cp_test_field(c, "outcome"), "accept") == 0 ||
                          strcmp(cp_test_field(c, "outcome"), "reject") == 0,
                      "%s: %s", id, cp_test_field(c, "reason"));
            by_gnutls += !mbed;
            n++;
        }
        /* Both controls and the deep chains; under 1.3 without an mbedTLS TLS 1.3 server every
         * case is the GnuTLS engine's. */
        cr_expect_gt(n, 4);
        cr_expect_gt(by_gnutls, 0);
        if (pins[p] && strcmp(pins[p], "1.3") == 0 && !cp_server_has_tls13())
            cr_expect_eq(by_gnutls, n);
        cJSON_Delete(res);
    }
    /* The pin is part of the run: resuming the unpinned run above with a pin mixes no versions
     * into its results, it is refused. */
    snprintf(run, sizeof(run),
             "run --stack openssl --mode wire -j2 --suite %s --filter 'pathological/deep/*' "
             "--tls 1.3 --resume -o %s",
             suite, out);
    cr_expect_eq(run_certpath(run, &log), 1, "%s", log);
    cr_expect(
        strstr(log, "is the journal of another run: its tls is \"\", this run's is \"1.3\"") !=
            NULL,
        "%s", log);
    free(log);
    cr_expect_eq(run_certpath("run --stack openssl --mode wire --tls 1.1", &log), 2);
    cr_expect(strstr(log, "bad --tls (want 1.2 or 1.3): 1.1") != NULL, "%s", log);
    free(log);
    cr_expect_eq(run_certpath("run --stack openssl --tls 1.3", &log), 2);
    cr_expect(strstr(log, "--tls applies over the wire only") != NULL, "%s", log);
    free(log);
}

/* The pids of parent's children, by a scan of /proc (orphans included when parent is their
 * subreaper); engine receives the one that is a certpath-server-gnutls, if any. */
static int children_of(pid_t parent, pid_t *pids, int cap, pid_t *engine)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    cr_assert_not_null(d, "/proc: %s", strerror(errno));
    while ((e = readdir(d)) && n < cap) {
        char path[300], text[1024], *close_paren;
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        /* A /proc file has no size to read by: one read() takes it whole. */
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t len = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (len <= 0)
            continue; /* it ended meanwhile */
        text[len] = '\0';
        /* "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses. */
        long ppid = 0;
        if ((close_paren = strrchr(text, ')')) && sscanf(close_paren + 1, " %*c %ld", &ppid) == 1 &&
            ppid == (long)parent) {
            pids[n] = (pid_t)strtol(e->d_name, NULL, 10);
            if (engine && strncmp(strchr(text, '(') + 1, "certpath-server", 15) == 0)
                *engine = pids[n];
            n++;
        }
    }
    closedir(d);
    return n;
}

Test(server, no_gnutls_engine_outlives_its_run_even_a_killed_one)
{
    need_gnutls_engine();
    char out[400], *log = NULL, run[1500];
    pid_t kids[64];
    use_long_suite();
    /* Whatever certpath leaves behind becomes this process's child. */
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    snprintf(out, sizeof(out), "%s/r.json", tmpdir);
    snprintf(run, sizeof(run),
             "run --stack openssl --mode wire -j2 --suite %s --filter 'pathological/deep/*' -o %s",
             suite, out);
    int rc = run_certpath(run, &log);
    if (rc == 2 && strstr(log, "no adapter"))
        cp_test_missing("openssl", "the openssl adapter is not built");
    cr_assert_eq(rc, 0, "%s", log);
    free(log);
    int left = children_of(getpid(), kids, 64, NULL);
    cr_expect_eq(left, 0, "a finished run left %d processes", left);

    /* Killed outright (no handler runs) while its engine serves: the engine sees its stdin end
     * and stops. */
    char killed_log[400];
    snprintf(out, sizeof(out), "%s/killed.json", tmpdir);
    snprintf(killed_log, sizeof(killed_log), "%s/killed.log", tmpdir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fd = open(killed_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execl(CP_CERTPATH_BIN, "certpath", "run", "--stack", "openssl", "--mode", "wire", "-j1",
              "--suite", suite, "-o", out, (char *)NULL);
        _exit(127);
    }
    pid_t engine = 0;
    int64_t deadline = now_ms() + 20000;
    while (!engine && now_ms() < deadline) {
        children_of(pid, kids, 64, &engine);
        if (!engine)
            poll(NULL, 0, 2);
    }
    if (!engine) {
        kill(pid, SIGKILL);
        cr_assert_eq(cp_fs_read(killed_log, 1u << 20, &log, NULL), 0);
        cr_assert_fail("the run never started its GnuTLS engine:\n%s", log);
    }
    kill(pid, SIGKILL);
    int st;
    cr_expect_eq(waitpid(pid, &st, 0), pid);
    /* Its workers and engine, now ours, end within seconds. */
    deadline = now_ms() + 10000;
    while ((left = children_of(getpid(), kids, 64, NULL)) > 0 && now_ms() < deadline) {
        while (waitpid(-1, &st, WNOHANG) > 0)
            ;
        poll(NULL, 0, 10);
    }
    cr_expect_eq(left, 0, "%d processes outlived the killed run (the engine was %d)", left,
                 (int)engine);
    cr_expect(kill(engine, 0) != 0, "the engine %d is still there", (int)engine);
}
