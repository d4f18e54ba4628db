/*
 * server_gnutls.c - certpath-server-gnutls, the built-in server's second engine: a GnuTLS TLS
 * server, run by the harness as a process of its own (cp_server.h, server_proc.c), for what the
 * mbedTLS engine cannot do: Certificate messages longer than one 16 KiB record (GnuTLS splits a
 * handshake message over as many records as it needs), and TLS 1.3 where the mbedTLS build has
 * none (Debian 12's 2.28). A process of its own, so that the harness never holds two TLS
 * libraries, and never a worker, so that a worker holds only its adapter's.
 *
 * Protocol with the parent (server_proc.c):
 *   certpath-server-gnutls [--host ADDR] [--tls 1.2|1.3|any] [--log]
 *   stdin:  one line per case, "ID<TAB>HOSTNAME<TAB>DIR", then an empty line; after that stdin
 *           only says when to stop: end of file (the parent closed it, or is gone).
 *   stdout: "listening ADDR PORT" once serving (or "error MESSAGE" and exit status 1); then, for
 *           every handshake that reaches the ServerHello, "hello HOSTNAME 1.x" before the
 *           ServerHello is sent, so the parent has read it by the time the client has an answer.
 *   stderr: with --log, one line per connection, in the mbedTLS engine's words.
 *
 * How a certificate list goes out byte for byte: the certificate retrieval callback
 * (gnutls_certificate_set_retrieve_function2) hands GnuTLS one gnutls_pcert_st per certificate
 * of chain.pem, in the file's order with duplicates kept, whose cert datum is that certificate's
 * DER as the file holds it. Nothing is parsed, as in the mbedTLS engine (server.c): the one
 * public key GnuTLS reads (the first entry's, to pick a cipher suite and signature scheme) is the
 * public half of leaf.key, so a leaf GnuTLS would refuse to parse, or whose key usage it would
 * refuse to serve, is sent all the same. The writer of the Certificate message reads only the
 * cert datum of each entry (and, for TLS 1.3, appends empty extensions); tests/test_server.c
 * checks the bytes on the wire against chain.pem. Under retrieve_function2 GnuTLS does not free
 * what the callback returns: each connection frees its own entries, key and buffer.
 *
 * Threads: the main thread polls the listening socket and stdin; each connection gets a
 * detached thread with its own session, up to CP_GS_MAX_CONNS at once, a socket whose reads
 * and writes wait at most CP_GS_READ_TIMEOUT_MS, and a handshake bounded by
 * CP_GS_CONN_TIMEOUT_MS. Every fd is close-on-exec.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_pem.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* As in the mbedTLS engine (server.c), for the same reasons. */
#define CP_GS_READ_TIMEOUT_MS 5000
#define CP_GS_CONN_TIMEOUT_MS 30000
#define CP_GS_MAX_CONNS 256
#define CP_GS_BACKLOG 128
/* A chain.pem of 512 certificates of a few KB each stays within 1 MiB; a longer file is not a
 * chain. TLS itself bounds a Certificate message at 16 MiB (a 24-bit length). */
#define CP_GS_PEM_MAX (1u << 20)
#define CP_GS_MAX_CERTS 512
#define CP_GS_KEY_FILE_MAX (64u << 10)
#define CP_GS_NAME_MAX 256
/* A case line: an id (under 192), a hostname (under 256) and a directory (PATH_MAX). */
#define CP_GS_LINE_MAX (PATH_MAX + 512)
#define CP_GS_RESPONSE_MAX 1024

struct gs_case {
    char *id, *hostname, *dir;
};

struct gs_server {
    struct gs_case *cases; /* sorted by hostname (lower case) */
    int ncases;
    bool log;
    gnutls_priority_t prio;
    gnutls_certificate_credentials_t cred;
    int listen_fd;
    pthread_mutex_t mu; /* guards everything below, and stdout and stderr */
    pthread_cond_t cv;
    bool stopping;
    int nconns;
    int conn_fds[CP_GS_MAX_CONNS];
};

struct gs_conn {
    struct gs_server *srv;
    int fd, slot;
    const struct gs_case *c;
    char sni[CP_GS_NAME_MAX];
    char why[256];
    char *pem_text;
    gnutls_pcert_st *pcerts;
    int ncerts;
    gnutls_privkey_t key;
    gnutls_pubkey_t pub;
};

static int gs_case_cmp(const void *a, const void *b)
{
    return strcmp(((const struct gs_case *)a)->hostname, ((const struct gs_case *)b)->hostname);
}

/* ---- the case's files ---- */

static void gs_conn_free_case(struct gs_conn *c)
{
    free(c->pcerts);
    c->pcerts = NULL;
    free(c->pem_text);
    c->pem_text = NULL;
    if (c->pub)
        gnutls_pubkey_deinit(c->pub);
    c->pub = NULL;
    if (c->key)
        gnutls_privkey_deinit(c->key);
    c->key = NULL;
}

/* chain.pem as entries in the file's order, and leaf.key with its public half. */
static int gs_load_case(struct gs_conn *c)
{
    struct cp_pem_cert certs[CP_GS_MAX_CERTS];
    char path[PATH_MAX + 16], *key_text = NULL;
    size_t key_len = 0;
    int rc, ret;
    snprintf(path, sizeof(path), "%s/chain.pem", c->c->dir);
    if ((rc = cp_pem_read_certs(path, CP_GS_PEM_MAX, certs, CP_GS_MAX_CERTS, &c->ncerts,
                                &c->pem_text)))
        return rc;
    if (c->ncerts == 0)
        return cp_error_set(CP_E_FORMAT, "%s holds no certificate", path);
    snprintf(path, sizeof(path), "%s/leaf.key", c->c->dir);
    if ((rc = cp_fs_read(path, CP_GS_KEY_FILE_MAX, &key_text, &key_len)))
        return rc;
    gnutls_datum_t kd = {.data = (unsigned char *)key_text, .size = (unsigned)key_len};
    if ((ret = gnutls_privkey_init(&c->key)) ||
        (ret = gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) ||
        (ret = gnutls_pubkey_init(&c->pub)) ||
        (ret = gnutls_pubkey_import_privkey(c->pub, c->key, 0, 0))) {
        rc = cp_error_set(CP_E_CRYPTO, "%s: GnuTLS cannot use the key: %s", path,
                          gnutls_strerror(ret));
        goto out;
    }
    if (!(c->pcerts = calloc((size_t)c->ncerts, sizeof(*c->pcerts)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory for %d certificates", c->ncerts);
        goto out;
    }
    /* Every entry borrows the leaf's public key (only the first one's is read) and points its
     * cert at the DER in pem_text. */
    for (int i = 0; i < c->ncerts; i++) {
        c->pcerts[i].pubkey = c->pub;
        c->pcerts[i].cert.data = (unsigned char *)certs[i].der;
        c->pcerts[i].cert.size = (unsigned)certs[i].len;
        c->pcerts[i].type = GNUTLS_CRT_X509;
    }
    rc = 0;
out:
    free(key_text);
    return rc;
}

/* ---- the handshake's callbacks ---- */

/* After the ClientHello: picks the case by its server name, or refuses the name. */
static int gs_post_client_hello(gnutls_session_t s)
{
    struct gs_conn *c = gnutls_session_get_ptr(s);
    unsigned char name[CP_GS_NAME_MAX];
    size_t len = sizeof(name);
    unsigned type;
    int ret = gnutls_server_name_get(s, name, &len, &type, 0);
    if (ret < 0 || type != GNUTLS_NAME_DNS) {
        snprintf(c->why, sizeof(c->why),
                 "no server name (every case is chosen by its hostname, "
                 "sent as SNI)");
        return GNUTLS_E_UNRECOGNIZED_NAME;
    }
    for (size_t i = 0; i < len && i + 1 < sizeof(c->sni); i++)
        c->sni[i] = (char)tolower(name[i]);
    c->sni[len < sizeof(c->sni) ? len : sizeof(c->sni) - 1] = '\0';
    struct gs_case key = {.hostname = c->sni};
    c->c = bsearch(&key, c->srv->cases, (size_t)c->srv->ncases, sizeof(key), gs_case_cmp);
    if (!c->c) {
        snprintf(c->why, sizeof(c->why), "no case has this hostname");
        return GNUTLS_E_UNRECOGNIZED_NAME;
    }
    int rc = gs_load_case(c);
    if (rc) {
        snprintf(c->why, sizeof(c->why), "%s", cp_error_msg(rc));
        c->c = NULL;
        return GNUTLS_E_INTERNAL_ERROR;
    }
    return 0;
}

static int gs_retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca_dn, int nreqs,
                       const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                       gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    struct gs_conn *c = gnutls_session_get_ptr(s);
    (void)req_ca_dn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
    if (!c->c || !c->pcerts)
        return -1;
    *pcert = c->pcerts;
    *pcert_length = (unsigned)c->ncerts;
    *pkey = c->key;
    return 0;
}

/* Before the ServerHello: the version is chosen; the parent learns it before the client does. */
static int gs_hello_hook(gnutls_session_t s, unsigned htype, unsigned when, unsigned incoming,
                         const gnutls_datum_t *msg)
{
    struct gs_conn *c = gnutls_session_get_ptr(s);
    (void)htype, (void)when, (void)incoming, (void)msg;
    if (c->c) {
        gnutls_protocol_t p = gnutls_protocol_get_version(s);
        const char *v = p == GNUTLS_TLS1_3 ? "1.3" : p == GNUTLS_TLS1_2 ? "1.2" : "?";
        pthread_mutex_lock(&c->srv->mu);
        printf("hello %s %s\n", c->c->hostname, v);
        fflush(stdout);
        pthread_mutex_unlock(&c->srv->mu);
    }
    return 0;
}

/* ---- one connection ---- */

static void gs_after_handshake(struct gs_conn *c, gnutls_session_t s)
{
    char req[CP_GS_RESPONSE_MAX], body[CP_GS_RESPONSE_MAX / 2], resp[CP_GS_RESPONSE_MAX];
    if (gnutls_record_recv(s, req, sizeof(req)) > 0) {
        int blen = snprintf(body, sizeof(body),
                            "certpath case %s: the handshake completed; the server sent the "
                            "%d certificates of chain.pem as listed.\n",
                            c->c->id, c->ncerts);
        int n = snprintf(resp, sizeof(resp),
                         "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                         "%d\r\nConnection: close\r\n\r\n%s",
                         blen, body);
        if (n > 0 && (size_t)n < sizeof(resp))
            gnutls_record_send(s, resp, (size_t)n);
    }
    gnutls_bye(s, GNUTLS_SHUT_WR);
}

static void gs_log(struct gs_conn *c, gnutls_session_t s, int ret)
{
    if (!c->srv->log)
        return;
    pthread_mutex_lock(&c->srv->mu);
    if (ret == 0) {
        const char *v = gnutls_protocol_get_name(gnutls_protocol_get_version(s));
        char *desc = gnutls_session_get_desc(s);
        fprintf(stderr, "%s %s: handshake completed (%s, %s, %d certificates sent, GnuTLS)\n",
                c->sni, c->c->id, v ? v : "?", desc ? desc : "?", c->ncerts);
        gnutls_free(desc);
    } else {
        fprintf(stderr, "%s %s: handshake failed: %s (GnuTLS)\n", c->sni[0] ? c->sni : "-",
                c->c ? c->c->id : "-", c->why[0] ? c->why : gnutls_strerror(ret));
    }
    fflush(stderr);
    pthread_mutex_unlock(&c->srv->mu);
}

static void *gs_conn_main(void *arg)
{
    struct gs_conn *c = arg;
    struct gs_server *srv = c->srv;
    gnutls_session_t s = NULL;
    struct timeval tv = {.tv_sec = CP_GS_READ_TIMEOUT_MS / 1000,
                         .tv_usec = (CP_GS_READ_TIMEOUT_MS % 1000) * 1000};
    int one = 1, ret;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if ((ret = gnutls_init(&s, GNUTLS_SERVER)) || (ret = gnutls_priority_set(s, srv->prio)) ||
        (ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, srv->cred)))
        goto out;
    gnutls_session_set_ptr(s, c);
    gnutls_handshake_set_post_client_hello_function(s, gs_post_client_hello);
    gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_SERVER_HELLO, GNUTLS_HOOK_PRE,
                                       gs_hello_hook);
    gnutls_handshake_set_timeout(s, CP_GS_CONN_TIMEOUT_MS);
    gnutls_transport_set_int(s, c->fd);
    do {
        ret = gnutls_handshake(s);
    } while (ret == GNUTLS_E_INTERRUPTED);
    if (ret < 0)
        gnutls_alert_send_appropriate(s, ret);
    else
        gs_after_handshake(c, s);
out:
    gs_log(c, s, ret < 0 ? ret : 0);
    if (s)
        gnutls_deinit(s);
    gs_conn_free_case(c);
    pthread_mutex_lock(&srv->mu);
    srv->conn_fds[c->slot] = -1; /* before the close, under the lock stop shuts sockets with */
    close(c->fd);
    srv->nconns--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    free(c);
    return NULL;
}

static void gs_start_conn(struct gs_server *srv, int fd, const pthread_attr_t *attr)
{
    struct gs_conn *c = NULL;
    int slot = -1;
    pthread_t t;
    pthread_mutex_lock(&srv->mu);
    while (!srv->stopping && srv->nconns >= CP_GS_MAX_CONNS)
        pthread_cond_wait(&srv->cv, &srv->mu);
    if (!srv->stopping) {
        for (slot = 0; srv->conn_fds[slot] >= 0; slot++)
            ;
        srv->conn_fds[slot] = fd;
        srv->nconns++;
    }
    pthread_mutex_unlock(&srv->mu);
    if (slot < 0) {
        close(fd);
        return;
    }
    if ((c = calloc(1, sizeof(*c)))) {
        c->srv = srv;
        c->fd = fd;
        c->slot = slot;
        if (pthread_create(&t, attr, gs_conn_main, c) == 0)
            return;
    }
    free(c);
    pthread_mutex_lock(&srv->mu);
    srv->conn_fds[slot] = -1;
    srv->nconns--;
    pthread_mutex_unlock(&srv->mu);
    close(fd);
}

/* ---- start, serve, stop ---- */

/* Reads the case lines from stdin up to the empty line. */
static int gs_read_cases(struct gs_server *srv)
{
    char line[CP_GS_LINE_MAX];
    int cap = 0;
    while (fgets(line, sizeof(line), stdin)) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            return cp_error_set(CP_E_FORMAT, "case line %d: too long or not ended",
                                srv->ncases + 1);
        line[--len] = '\0';
        if (len == 0) {
            qsort(srv->cases, (size_t)srv->ncases, sizeof(*srv->cases), gs_case_cmp);
            return 0;
        }
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2 || strchr(tab2 + 1, '\t'))
            return cp_error_set(CP_E_FORMAT, "case line %d: not ID<TAB>HOSTNAME<TAB>DIR",
                                srv->ncases + 1);
        *tab1 = *tab2 = '\0';
        if (srv->ncases == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct gs_case *n = realloc(srv->cases, (size_t)ncap * sizeof(*n));
            if (!n)
                return cp_error_set(CP_E_NOMEM, "out of memory for %d cases", ncap);
            srv->cases = n;
            cap = ncap;
        }
        struct gs_case *c = &srv->cases[srv->ncases++];
        c->id = strdup(line);
        c->hostname = strdup(tab1 + 1);
        c->dir = strdup(tab2 + 1);
        if (!c->id || !c->hostname || !c->dir)
            return cp_error_set(CP_E_NOMEM, "out of memory for the cases");
        for (char *p = c->hostname; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    return cp_error_set(CP_E_FORMAT, "the case list ended without its empty line");
}

static int gs_listen(struct gs_server *srv, const char *host, char *bound, size_t cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    int one = 1, rc;
    if ((rc = getaddrinfo(host, "0", &hints, &ai)))
        return cp_error_set(CP_E_ARG, "cannot listen on %s: %s", host, gai_strerror(rc));
    srv->listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (srv->listen_fd < 0 ||
        setsockopt(srv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(srv->listen_fd, ai->ai_addr, ai->ai_addrlen) ||
        listen(srv->listen_fd, CP_GS_BACKLOG) ||
        getsockname(srv->listen_fd, (struct sockaddr *)&sa, &salen)) {
        rc = cp_error_set(CP_E_IO, "cannot listen on %s: %s", host, strerror(errno));
    } else {
        int port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                                  : ((struct sockaddr_in *)&sa)->sin_port);
        snprintf(bound, cap, "%s %d", host, port);
        rc = 0;
    }
    freeaddrinfo(ai);
    return rc;
}

/* Accepts until stdin ends. */
static void gs_serve(struct gs_server *srv)
{
    pthread_attr_t attr;
    char buf[256];
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        struct pollfd pfd[2] = {{.fd = srv->listen_fd, .events = POLLIN},
                                {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0 && errno != EINTR)
            break;
        if (pfd[1].revents) {
            ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                break; /* the parent is done, or gone */
        }
        if (!(pfd[0].revents & POLLIN))
            continue;
        int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            gs_start_conn(srv, fd, &attr);
        else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            poll(NULL, 0, 10);
    }
    pthread_attr_destroy(&attr);
    /* Every open connection shut down, then waited for. */
    pthread_mutex_lock(&srv->mu);
    srv->stopping = true;
    for (int i = 0; i < CP_GS_MAX_CONNS; i++) {
        if (srv->conn_fds[i] >= 0)
            shutdown(srv->conn_fds[i], SHUT_RDWR);
    }
    while (srv->nconns > 0)
        pthread_cond_wait(&srv->cv, &srv->mu);
    pthread_mutex_unlock(&srv->mu);
}

static const char *gs_priority(const char *tls)
{
    if (strcmp(tls, "1.2") == 0)
        return "NORMAL:-VERS-ALL:+VERS-TLS1.2";
    if (strcmp(tls, "1.3") == 0)
        return "NORMAL:-VERS-ALL:+VERS-TLS1.3";
    return strcmp(tls, "any") == 0 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" : NULL;
}

int main(int argc, char **argv)
{
    struct gs_server srv = {.listen_fd = -1};
    const char *host = "127.0.0.1", *tls = "any", *prio;
    char bound[128];
    int rc, ret;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(argv[i], "--tls") == 0 && i + 1 < argc)
            tls = argv[++i];
        else if (strcmp(argv[i], "--log") == 0)
            srv.log = true;
        else {
            fprintf(stderr, "usage: certpath-server-gnutls [--host ADDR] [--tls 1.2|1.3|any] "
                            "[--log] (cases on stdin; see harness/server_gnutls.c)\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN); /* Ctrl-C is the parent's: it stops this server by closing stdin */
    for (int i = 0; i < CP_GS_MAX_CONNS; i++)
        srv.conn_fds[i] = -1;
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.cv, NULL);
    if (!(prio = gs_priority(tls))) {
        rc = cp_error_set(CP_E_ARG, "--tls %s: want 1.2, 1.3 or any", tls);
        goto out;
    }
    if ((ret = gnutls_global_init()) || (ret = gnutls_priority_init(&srv.prio, prio, NULL)) ||
        (ret = gnutls_certificate_allocate_credentials(&srv.cred))) {
        rc = cp_error_set(CP_E_CRYPTO, "GnuTLS: %s", gnutls_strerror(ret));
        goto out;
    }
    gnutls_certificate_set_retrieve_function2(srv.cred, gs_retrieve);
    if ((rc = gs_read_cases(&srv)) || (rc = gs_listen(&srv, host, bound, sizeof(bound))))
        goto out;
    printf("listening %s\n", bound);
    fflush(stdout);
    gs_serve(&srv);
    rc = 0;
out:
    if (rc) {
        printf("error %s\n", cp_error_msg(rc));
        fflush(stdout);
    }
    if (srv.listen_fd >= 0)
        close(srv.listen_fd);
    if (srv.cred)
        gnutls_certificate_free_credentials(srv.cred);
    if (srv.prio)
        gnutls_priority_deinit(srv.prio);
    for (int i = 0; i < srv.ncases; i++) {
        free(srv.cases[i].id);
        free(srv.cases[i].hostname);
        free(srv.cases[i].dir);
    }
    free(srv.cases);
    gnutls_global_deinit();
    return rc ? 1 : 0;
}
