/*
 * server.c - the built-in mbedTLS TLS server that wire mode connects to (cp_server.h).
 *
 * How a certificate list goes out byte for byte. mbedTLS's server builds its Certificate message
 * from the chain of mbedtls_x509_crt nodes it is handed for the handshake: for every node, in
 * order, it writes node->raw.len and the node->raw.p bytes, and nothing else of the node
 * (mbedtls_ssl_write_certificate in 2.28; the TLS 1.3 writer in 3.x does the same plus empty
 * per-certificate extensions). Parsing the case's certificates with mbedtls_x509_crt_parse*()
 * would refuse exactly the certificates the suite is about (an unknown critical extension, an
 * unknown signature algorithm such as ML-DSA, odd encodings) and would let mbedTLS re-encode or
 * judge them. So nothing is parsed: for each connection the server builds the chain itself, one
 * zeroed node (mbedtls_x509_crt_init) per certificate of chain.pem, in the file's order with
 * duplicates kept, whose raw points at that certificate's DER as the file holds it.
 *
 * The only thing mbedTLS reads from the chain besides raw is the first node, when it picks the
 * certificate for the ciphersuite (ssl_pick_cert; ssl_tls13_pick_key_cert in 3.x): the key
 * type and curve of node->pk, and keyUsage and extendedKeyUsage through node->ext_types. The
 * first node gets the public half of the case's leaf.key as pk and no extensions (ext_types 0,
 * which mbedTLS reads as "no usage restriction"), so a leaf whose EKU or key usage mbedTLS would
 * refuse to serve is sent all the same; the private key signs the handshake. No debug callback
 * is set, so the nodes are never printed.
 *
 * This relies on behaviour, not on a documented interface: mbedTLS 3.x documents raw, pk and
 * next as readable, not as fields an application fills in. What the writer reads is the same in
 * 2.28 and 3.6; tests/test_server.c checks the bytes on the wire against chain.pem.
 *
 * The nodes are never given to mbedtls_x509_crt_free(), which would treat the chained nodes and
 * their raw buffers as its own allocations: each connection frees its node array and the DER
 * buffer itself, and the first node's pk belongs to the key cache below.
 *
 * Limit: mbedTLS writes a handshake message into a single record buffer of
 * MBEDTLS_SSL_OUT_CONTENT_LEN bytes (16 KiB unless the library was built otherwise) and does not
 * split TLS handshake messages over records, so a certificate list longer than that cannot be
 * sent. cp_server_check_case() tells the harness which cases those are; a client that asks for
 * one gets an internal_error alert after the ServerHello.
 *
 * Keys: a suite's leaves share a pool of keys (248 for 2546 cases in the default suite), so
 * parsed keys are kept in a bounded cache, each checked out by one connection at a time (an
 * mbedTLS key is not safe to use from two threads at once). An EC key is kept as an
 * MBEDTLS_PK_ECDSA context: mbedTLS 2.28 signs with an MBEDTLS_PK_ECKEY context by copying it,
 * curve and all, and so recomputes the curve's precomputed multiples of the base point on every
 * handshake, which was a fifth of a wire run's time; an ECDSA context keeps them.
 *
 * Threads: an acceptor thread polls the listening socket and a wake-up pipe; each accepted
 * connection gets a detached thread of its own with its own mbedTLS configuration and context
 * (no mbedTLS object is used by two threads at once), up to max_conns at once. Reads wait at most
 * read_timeout_ms and a connection lives at most conn_timeout_ms, so a silent or dripping client
 * only ties up its own thread for a bounded time. Random numbers come from getrandom(): the
 * kernel's CSPRNG, with no DRBG state to share or lock. Every fd is close-on-exec, so workers
 * forked by the harness never hold the server's sockets.
 */
#include "cp_hash.h"
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_mbedtls_compat.h"
#include "cp_pem.h"
#include "cp_server.h"
#include "harness_internal.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define CP_SERVER_DEFAULT_HOST "127.0.0.1"
/* Loopback clients answer within milliseconds; five seconds of silence means the client has
 * gone (or is a person at s_client who has the handshake already and has not typed a request). */
#define CP_SERVER_READ_TIMEOUT_MS 5000
/* A client that drips a byte per read timeout is cut off after this. */
#define CP_SERVER_CONN_TIMEOUT_MS 30000
/* The harness runs at most CP_MAX_JOBS (64) clients at once; four times that leaves room for
 * stalled connections and standalone clients while bounding threads and memory (a connection
 * holds two 16 KiB mbedTLS record buffers and one case's files). */
#define CP_SERVER_MAX_CONNS 256
#define CP_SERVER_BACKLOG 128
/* The default suite's longest chain.pem is under 50 KB and nothing over 16 KiB of DER can be
 * sent anyway; a file over 1 MiB is not a chain. */
#define CP_SERVER_PEM_MAX (1u << 20)
/* As in the workers: pathological cases send about 130 certificates. */
#define CP_SERVER_MAX_CERTS 512
/* A DNS name has at most 253 characters. */
#define CP_SERVER_NAME_MAX 256
/* The DER of a public key: RSA-8192 takes about 1.1 KB. */
#define CP_SERVER_PUBKEY_MAX 4096
/* mbedTLS needs a few KB of stack for a handshake; 1 MiB leaves room for sanitizer builds and
 * keeps CP_SERVER_MAX_CONNS threads within 256 MiB of address space. */
#define CP_SERVER_STACK_SIZE (1u << 20)
/* Parsed leaf keys kept between connections: the default suite has 248 distinct ones; an EC key
 * with its curve's tables takes a few KB, so 512 stay within a few MB. */
#define CP_SERVER_KEY_CACHE 512
/* A leaf.key is a few hundred bytes of PEM; an RSA-8192 key is under 7 KB. */
#define CP_SERVER_KEY_FILE_MAX (64u << 10)
/* What a client that sends a request after the handshake (curl, a browser) is told. */
#define CP_SERVER_RESPONSE_MAX 1024

struct srv_case {
    char *id, *hostname, *dir;
    char version[16]; /* the last handshake's version once past its ServerHello (under mu) */
    /* A by_address case: its listening socket (-1: none) and port, or why it has none. */
    int listen_fd, port;
    char why[160];
};

/* A parsed leaf key, used by one connection at a time. */
struct srv_key {
    char *text; /* the leaf.key file it was parsed from */
    size_t len;
    uint64_t hash;          /* FNV-1a of text, to skip most comparisons */
    mbedtls_pk_context key; /* signs the handshake; MBEDTLS_PK_ECDSA for an EC key */
    mbedtls_pk_context pub; /* its public half, as the first certificate node's key */
    bool busy;              /* checked out by a connection */
    uint64_t used;          /* when last checked out, for eviction */
};

struct cp_server {
    char host[64];
    int port;
    int read_timeout_ms, conn_timeout_ms, max_conns;
    int tls; /* 0: 1.2 and 1.3 where the library has it; 12 or 13: only that version */
    FILE *log;
    struct srv_case *cases; /* picked by SNI: sorted by hostname (lower case) */
    int ncases;
    struct srv_case *addr; /* picked by the address and port connected to, in input order */
    int naddr;
    int *addr_of;        /* per input case: its index in addr, or -1 */
    int ninput;          /* the cases start was given */
    struct pollfd *pfds; /* the acceptor's: listen_fd, wake[0], then each addr listener */
    int *pfd_case;       /* pfds[k] for k >= 2: the index in addr it serves */
    int npfds;
    int listen_fd, wake[2];
    pthread_t acceptor;
    bool acceptor_running, sync_ready;
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;  /* a connection ended, or the server is stopping */
    bool stopping;
    int nconns;
    int *conn_fds; /* max_conns slots: the socket of each live connection, or -1 */
    struct cp_server_stats stats;
    struct srv_key *keys[CP_SERVER_KEY_CACHE];
    int nkeys;
    uint64_t key_clock;
};

/* A certificate file, each certificate's DER decoded in place into text. */
struct srv_pem {
    char *text;
    unsigned char *der[CP_SERVER_MAX_CERTS]; /* into text, which we own: mbedTLS wants it mutable */
    size_t len[CP_SERVER_MAX_CERTS];
    int n;
};

struct srv_conn {
    struct cp_server *srv;
    int fd, slot;
    int64_t deadline_ms;
    const struct srv_case *c; /* the case SNI chose (or the listener's), or NULL */
    bool by_address;          /* c is the listener's: no SNI callback */
    struct srv_pem pem;       /* its chain.pem */
    mbedtls_x509_crt *nodes;  /* one per certificate of pem, chained; raw points into pem */
    struct srv_key *key;      /* its leaf.key, checked out of the cache */
    char sni[CP_SERVER_NAME_MAX];
    char why[256]; /* why SNI refused the name */
};

void cp_server_opts_init(struct cp_server_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->host = CP_SERVER_DEFAULT_HOST;
    o->read_timeout_ms = CP_SERVER_READ_TIMEOUT_MS;
    o->conn_timeout_ms = CP_SERVER_CONN_TIMEOUT_MS;
    o->max_conns = CP_SERVER_MAX_CONNS;
}

/* ---- the case's files ---- */

/* Reads path and decodes every certificate's DER in place, in the file's order (cp_pem.h). */
static int srv_read_pem(const char *path, struct srv_pem *p)
{
    struct cp_pem_cert certs[CP_SERVER_MAX_CERTS];
    int rc =
        cp_pem_read_certs(path, CP_SERVER_PEM_MAX, certs, CP_SERVER_MAX_CERTS, &p->n, &p->text);
    if (rc)
        return rc;
    if (p->n == 0)
        return cp_error_set(CP_E_FORMAT, "%s holds no certificate", path);
    for (int i = 0; i < p->n; i++) {
        p->der[i] = (unsigned char *)certs[i].der; /* points into p->text, ours */
        p->len[i] = certs[i].len;
    }
    return 0;
}

/* Reads dir/chain.pem; *sendable says whether mbedTLS can send it in one Certificate message
 * (when not, the message says why). */
static int srv_load_chain(const char *dir, struct srv_pem *p, bool *sendable)
{
    char path[PATH_MAX];
    *sendable = false;
    if (snprintf(path, sizeof(path), "%s/chain.pem", dir) >= (int)sizeof(path))
        return cp_error_set(CP_E_ARG, "case directory %s: path too long", dir);
    int rc = srv_read_pem(path, p);
    if (rc)
        return rc;
    size_t need = cp_mbedtls_certificate_msg_len(p->len, p->n);
    *sendable = need <= CP_MBEDTLS_CERTIFICATE_MSG_MAX;
    if (!*sendable)
        cp_error_set(CP_E_LIMIT,
                     "the built-in server cannot send its %d certificates: a %zu-byte "
                     "Certificate message, and mbedTLS sends at most %zu bytes in one "
                     "handshake message",
                     p->n, need, CP_MBEDTLS_CERTIFICATE_MSG_MAX);
    return 0;
}

int cp_server_check_case(const char *dir)
{
    struct srv_pem *p = calloc(1, sizeof(*p));
    bool sendable;
    if (!p)
        return cp_error_set(CP_E_NOMEM, "out of memory reading %s", dir);
    int rc = srv_load_chain(dir, p, &sendable);
    free(p->text);
    free(p);
    return rc ? rc : sendable ? 0 : CP_E_LIMIT;
}

/* The kernel's CSPRNG: thread-safe, with no DRBG state to share between connections. */
static int srv_rng(void *arg, unsigned char *buf, size_t len)
{
    (void)arg;
    while (len) {
        ssize_t r = getrandom(buf, len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        buf += r;
        len -= (size_t)r;
    }
    return 0;
}

static uint64_t srv_hash(const char *p, size_t len)
{
    return cp_fnv1a64_add(CP_FNV1A64_INIT, p, len);
}

static void srv_key_free(struct srv_key *k)
{
    if (!k)
        return;
    mbedtls_pk_free(&k->key);
    mbedtls_pk_free(&k->pub);
    free(k->text);
    free(k);
}

/* Parses a leaf.key (text, len; the entry takes text over) into a new entry. */
static int srv_key_parse(const char *path, char *text, size_t len, struct srv_key **out)
{
    struct srv_key *k = calloc(1, sizeof(*k));
    unsigned char pub[CP_SERVER_PUBKEY_MAX];
    mbedtls_pk_context parsed;
    int rc, ret;
    mbedtls_pk_init(&parsed);
    if (!k) {
        free(text);
        rc = cp_error_set(CP_E_NOMEM, "out of memory for a key");
        goto out;
    }
    k->text = text;
    k->len = len;
    k->hash = srv_hash(text, len);
    mbedtls_pk_init(&k->key);
    mbedtls_pk_init(&k->pub);
    /* PEM input to mbedTLS counts its terminating NUL. */
    if ((ret = cp_mbedtls_pk_parse_key(&parsed, (const unsigned char *)text, len + 1, srv_rng,
                                       NULL))) {
        rc = cp_error_set(CP_E_CRYPTO, "%s: mbedTLS cannot read the key (-0x%04x)", path, -ret);
        goto out;
    }
    /* The public half, written at the end of pub. */
    if ((ret = mbedtls_pk_write_pubkey_der(&parsed, pub, sizeof(pub))) <= 0 ||
        (ret = mbedtls_pk_parse_public_key(&k->pub, pub + sizeof(pub) - ret, (size_t)ret))) {
        rc = cp_error_set(CP_E_CRYPTO, "%s: mbedTLS cannot use the public key (-0x%04x)", path,
                          ret < 0 ? -ret : ret);
        goto out;
    }
    if (mbedtls_pk_get_type(&parsed) == MBEDTLS_PK_ECKEY) {
        /* An ECDSA context signs in place and keeps its curve's tables (see the top). */
        if ((ret = mbedtls_pk_setup(&k->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECDSA))) ||
            (ret = mbedtls_ecdsa_from_keypair(mbedtls_pk_ec(k->key), mbedtls_pk_ec(parsed)))) {
            rc = cp_error_set(CP_E_CRYPTO, "%s: mbedTLS cannot use the key (-0x%04x)", path, -ret);
            goto out;
        }
    } else {
        k->key = parsed; /* moved: parsed is not freed below */
        mbedtls_pk_init(&parsed);
    }
    *out = k;
    k = NULL;
    rc = 0;
out:
    mbedtls_pk_free(&parsed);
    srv_key_free(k);
    return rc;
}

/* Checks out the key of dir/leaf.key: a free cached entry for the same file, or a new one. */
static int srv_key_get(struct cp_server *srv, const char *dir, struct srv_key **out)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    int rc;
    snprintf(path, sizeof(path), "%s/leaf.key", dir);
    if ((rc = cp_fs_read(path, CP_SERVER_KEY_FILE_MAX, &text, &len)))
        return rc;
    uint64_t h = srv_hash(text, len);
    pthread_mutex_lock(&srv->mu);
    for (int i = 0; i < srv->nkeys; i++) {
        struct srv_key *k = srv->keys[i];
        if (!k->busy && k->hash == h && k->len == len && memcmp(k->text, text, len) == 0) {
            k->busy = true;
            k->used = ++srv->key_clock;
            *out = k;
            pthread_mutex_unlock(&srv->mu);
            free(text);
            return 0;
        }
    }
    pthread_mutex_unlock(&srv->mu);
    return srv_key_parse(path, text, len, out);
}

/* Returns a checked-out key: back to the cache (in place of the least recently used free entry
 * when the cache is full), or freed when every entry is in use. */
static void srv_key_put(struct cp_server *srv, struct srv_key *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&srv->mu);
    if (k->busy) { /* it came from the cache */
        k->busy = false;
        k = NULL;
    } else if (srv->nkeys < CP_SERVER_KEY_CACHE) {
        k->used = ++srv->key_clock;
        srv->keys[srv->nkeys++] = k;
        k = NULL;
    } else {
        int lru = -1;
        for (int i = 0; i < srv->nkeys; i++) {
            if (!srv->keys[i]->busy && (lru < 0 || srv->keys[i]->used < srv->keys[lru]->used))
                lru = i;
        }
        if (lru >= 0) {
            struct srv_key *old = srv->keys[lru];
            k->used = ++srv->key_clock;
            srv->keys[lru] = k;
            k = old;
        }
    }
    pthread_mutex_unlock(&srv->mu);
    srv_key_free(k);
}

/* Loads the chosen case for this connection and hands it to mbedTLS (see the top of the file). */
static int srv_load_case(struct srv_conn *c, mbedtls_ssl_context *ssl, mbedtls_ssl_config *conf)
{
    bool sendable;
    int rc = srv_load_chain(c->c->dir, &c->pem, &sendable), ret;
    if (rc)
        return rc;
    /* A list too long to send is still handed over: mbedTLS refuses it when it writes the
     * Certificate message, and the client gets an internal_error alert (not unrecognized_name,
     * which would say the name is wrong). */
    if (!sendable)
        snprintf(c->why, sizeof(c->why), "%s", cp_error_msg(CP_E_LIMIT));
    if ((rc = srv_key_get(c->srv, c->c->dir, &c->key)))
        return rc;
    if (!(c->nodes = calloc((size_t)c->pem.n, sizeof(*c->nodes))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d certificates", c->pem.n);
    for (int i = 0; i < c->pem.n; i++) {
        mbedtls_x509_crt_init(&c->nodes[i]);
        c->nodes[i].raw.tag = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
        c->nodes[i].raw.p = c->pem.der[i];
        c->nodes[i].raw.len = c->pem.len[i];
        c->nodes[i].next = i + 1 < c->pem.n ? &c->nodes[i + 1] : NULL;
    }
    /* The first node borrows the checked-out entry's public key: a shallow copy that is never
     * freed through the node. */
    c->nodes[0].pk = c->key->pub;
    /* A case picked by SNI is handed over in the callback, a listener's to the connection's
     * own configuration before the handshake starts. */
    if (ssl && (ret = mbedtls_ssl_set_hs_own_cert(ssl, &c->nodes[0], &c->key->key)))
        return cp_error_set(CP_E_NOMEM, "mbedtls_ssl_set_hs_own_cert: -0x%04x", -ret);
    if (!ssl && (ret = mbedtls_ssl_conf_own_cert(conf, &c->nodes[0], &c->key->key)))
        return cp_error_set(CP_E_NOMEM, "mbedtls_ssl_conf_own_cert: -0x%04x", -ret);
    return 0;
}

static void srv_conn_free_case(struct srv_conn *c)
{
    free(c->nodes);
    c->nodes = NULL;
    free(c->pem.text);
    c->pem.text = NULL;
    srv_key_put(c->srv, c->key);
    c->key = NULL;
}

static int srv_case_cmp(const void *a, const void *b)
{
    return strcmp(((const struct srv_case *)a)->hostname, ((const struct srv_case *)b)->hostname);
}

/* mbedTLS's SNI callback: picks the case by name, or refuses (mbedTLS then sends an
 * unrecognized_name alert). */
static int srv_sni(void *arg, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    struct srv_conn *c = arg;
    if (c->c) { /* a ClientHello with a second server_name extension */
        snprintf(c->why, sizeof(c->why), "a second server name");
        return -1;
    }
    if (len == 0 || len >= sizeof(c->sni) || memchr(name, '\0', len)) {
        snprintf(c->why, sizeof(c->why), "a server name of %zu bytes that is no hostname", len);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        c->sni[i] = (char)tolower(name[i]);
    c->sni[len] = '\0';
    struct srv_case key = {.hostname = c->sni};
    c->c = bsearch(&key, c->srv->cases, (size_t)c->srv->ncases, sizeof(key), srv_case_cmp);
    if (!c->c) {
        snprintf(c->why, sizeof(c->why), "no case has this hostname");
        return -1;
    }
    int rc = srv_load_case(c, ssl, NULL);
    if (rc) {
        snprintf(c->why, sizeof(c->why), "%s", cp_error_msg(rc));
        return -1;
    }
    return 0;
}

/* ---- I/O ---- */

static int srv_recv(void *arg, unsigned char *buf, size_t len)
{
    struct srv_conn *c = arg;
    for (;;) {
        int64_t left = c->deadline_ms - cp_now_ms();
        int wait = left < c->srv->read_timeout_ms ? (int)left : c->srv->read_timeout_ms;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        if (wait <= 0)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        int pr = poll(&pfd, 1, wait);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        if (pr < 0)
            return MBEDTLS_ERR_NET_RECV_FAILED;
        ssize_t r = recv(c->fd, buf, len > INT_MAX ? INT_MAX : len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
        return (int)r; /* 0: the peer closed */
    }
}

/* Blocking, bounded by the socket's SO_SNDTIMEO. */
static int srv_send(void *arg, const unsigned char *buf, size_t len)
{
    struct srv_conn *c = arg;
    for (;;) {
        ssize_t w = send(c->fd, buf, len > INT_MAX ? INT_MAX : len, MSG_NOSIGNAL);
        if (w >= 0)
            return (int)w;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
                                                     : MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

/* After the handshake: a client that sends a request (curl, a browser) gets a short plain-text
 * HTTP answer, so that it ends without an error of its own; one that closes is let go. */
static void srv_after_handshake(struct srv_conn *c, mbedtls_ssl_context *ssl)
{
    unsigned char req[CP_SERVER_RESPONSE_MAX];
    char body[CP_SERVER_RESPONSE_MAX / 2], resp[CP_SERVER_RESPONSE_MAX];
    if (mbedtls_ssl_read(ssl, req, sizeof(req)) > 0) {
        int blen = snprintf(body, sizeof(body),
                            "certpath case %s: the handshake completed; the server sent the "
                            "%d certificates of chain.pem as listed.\n",
                            c->c->id, c->pem.n);
        int n = snprintf(resp, sizeof(resp),
                         "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                         "%d\r\nConnection: close\r\n\r\n%s",
                         blen, body);
        const unsigned char *p = (const unsigned char *)resp;
        size_t left = n > 0 && (size_t)n < sizeof(resp) ? (size_t)n : 0;
        while (left) {
            int w = mbedtls_ssl_write(ssl, p, left);
            if (w <= 0)
                break;
            p += w;
            left -= (size_t)w;
        }
    }
    mbedtls_ssl_close_notify(ssl);
}

static void srv_log(struct srv_conn *c, mbedtls_ssl_context *ssl, int ret)
{
    char err[160];
    FILE *f = c->srv->log;
    if (!f)
        return;
    const char *id = c->c ? c->c->id : "-";
    if (c->by_address && !c->sni[0])
        snprintf(c->sni, sizeof(c->sni), "%s:%d", c->c->hostname, c->c->port);
    if (ret == 0) {
        fprintf(f, "%s %s: handshake completed (%s, %s, %d certificates sent)\n", c->sni, id,
                mbedtls_ssl_get_version(ssl), mbedtls_ssl_get_ciphersuite(ssl), c->pem.n);
    } else if (c->sni[0]) {
        mbedtls_strerror(ret, err, sizeof(err));
        fprintf(f, "%s %s: handshake failed: %s\n", c->sni, id, c->why[0] ? c->why : err);
    } else {
        mbedtls_strerror(ret, err, sizeof(err));
        fprintf(f, "(no server name) -: handshake failed: %s%s\n", c->why[0] ? c->why : err,
                ret == CP_MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN
                    ? " (every case is chosen by its hostname, sent as SNI)"
                    : "");
    }
    fflush(f);
}

static void *srv_conn_main(void *arg)
{
    struct srv_conn *c = arg;
    struct cp_server *srv = c->srv;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    struct timeval tv = {.tv_sec = srv->read_timeout_ms / 1000,
                         .tv_usec = (srv->read_timeout_ms % 1000) * 1000};
    int one = 1, ret;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    c->deadline_ms = cp_now_ms() + srv->conn_timeout_ms;
    /* A handshake flight is several small writes: without TCP_NODELAY each would wait for the
     * client's delayed ACK. */
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if ((ret =
             mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT)))
        goto out;
    if (srv->tls)
        cp_mbedtls_ssl_conf_pin_tls(&conf, srv->tls == 13);
    else
        cp_mbedtls_ssl_conf_min_tls12(&conf);
    cp_mbedtls_ssl_conf_fast_groups(&conf);
    mbedtls_ssl_conf_rng(&conf, srv_rng, NULL);
    if (!c->by_address) {
        mbedtls_ssl_conf_sni(&conf, srv_sni, c);
    } else if ((ret = srv_load_case(c, NULL, &conf))) {
        snprintf(c->why, sizeof(c->why), "%s", cp_error_msg(ret));
        ret = MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        goto out;
    }
    if ((ret = mbedtls_ssl_setup(&ssl, &conf)))
        goto out;
    mbedtls_ssl_set_bio(&ssl, c, srv_send, srv_recv, NULL);
    /* Step by step, so that the version is recorded once the ServerHello is written, before
     * the Certificate message: a client cannot have its answer before then. */
    bool recorded = false;
    while (cp_mbedtls_ssl_state(&ssl) < MBEDTLS_SSL_HANDSHAKE_OVER) {
        if ((ret = mbedtls_ssl_handshake_step(&ssl)))
            break;
        if (!recorded && c->c && cp_mbedtls_ssl_state(&ssl) > MBEDTLS_SSL_SERVER_HELLO) {
            pthread_mutex_lock(&srv->mu);
            snprintf(((struct srv_case *)c->c)->version, sizeof(c->c->version), "%s",
                     mbedtls_ssl_get_version(&ssl));
            pthread_mutex_unlock(&srv->mu);
            recorded = true;
        }
    }
    if (ret == CP_MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE)
        mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                       MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR);
    if (ret == 0)
        srv_after_handshake(c, &ssl);
out:
    srv_log(c, &ssl, ret);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    srv_conn_free_case(c);
    pthread_mutex_lock(&srv->mu);
    /* The slot is cleared before the fd is closed, under the lock cp_server_stop() shuts
     * sockets down with, so it never shuts down a reused fd number. */
    srv->conn_fds[c->slot] = -1;
    close(c->fd);
    srv->stats.handshakes += ret == 0;
    srv->stats.failures += ret != 0;
    srv->nconns--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    free(c);
    return NULL;
}

/* ---- accepting ---- */

/* Takes a free connection slot for fd, waiting while max_conns are open; -1 when stopping. */
static int srv_take_slot(struct cp_server *srv, int fd)
{
    int slot = -1;
    pthread_mutex_lock(&srv->mu);
    while (!srv->stopping && srv->nconns >= srv->max_conns)
        pthread_cond_wait(&srv->cv, &srv->mu);
    if (!srv->stopping) {
        for (slot = 0; srv->conn_fds[slot] >= 0; slot++)
            ;
        srv->conn_fds[slot] = fd;
        srv->nconns++;
        srv->stats.connections++;
    }
    pthread_mutex_unlock(&srv->mu);
    return slot;
}

static void srv_release_slot(struct cp_server *srv, int slot)
{
    pthread_mutex_lock(&srv->mu);
    srv->conn_fds[slot] = -1;
    srv->nconns--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
}

static void srv_start_conn(struct cp_server *srv, int fd, const struct srv_case *by_address,
                           const pthread_attr_t *attr)
{
    int slot = srv_take_slot(srv, fd);
    struct srv_conn *c = NULL;
    pthread_t t;
    if (slot < 0) {
        close(fd);
        return;
    }
    if ((c = calloc(1, sizeof(*c)))) {
        c->srv = srv;
        c->fd = fd;
        c->slot = slot;
        c->c = by_address;
        c->by_address = by_address != NULL;
        if (pthread_create(&t, attr, srv_conn_main, c) == 0)
            return;
    }
    /* No memory or no thread: this client is dropped, the server goes on. */
    free(c);
    srv_release_slot(srv, slot);
    close(fd);
}

static void *srv_accept_main(void *arg)
{
    struct cp_server *srv = arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, CP_SERVER_STACK_SIZE);
    struct pollfd *pfd = srv->pfds;
    for (;;) {
        if (poll(pfd, (nfds_t)srv->npfds, -1) < 0 && errno != EINTR)
            break;
        if (pfd[1].revents)
            break;
        for (int k = 0; k < srv->npfds; k++) {
            if (k == 1 || !(pfd[k].revents & POLLIN))
                continue;
            int fd = accept4(pfd[k].fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd < 0) {
                /* Out of fds: let connections end before accepting more, rather than spin. */
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    poll(NULL, 0, 10);
                continue;
            }
            srv_start_conn(srv, fd, k >= 2 ? &srv->addr[srv->pfd_case[k]] : NULL, &attr);
        }
    }
    pthread_attr_destroy(&attr);
    return NULL;
}

/* ---- start and stop ---- */

static int srv_copy_cases(struct cp_server *srv, const struct cp_server_case *cases, int n)
{
    if (n < 0 || !(srv->cases = calloc(n ? (size_t)n : 1, sizeof(*srv->cases))) ||
        !(srv->addr = calloc(n ? (size_t)n : 1, sizeof(*srv->addr))) ||
        !(srv->addr_of = calloc(n ? (size_t)n : 1, sizeof(*srv->addr_of))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d cases", n);
    srv->ninput = n;
    for (int i = 0; i < n; i++) {
        srv->addr_of[i] = cases[i].by_address ? srv->naddr : -1;
        struct srv_case *c =
            cases[i].by_address ? &srv->addr[srv->naddr++] : &srv->cases[srv->ncases++];
        c->listen_fd = -1;
        if (!cases[i].hostname || !cases[i].dir)
            return cp_error_set(CP_E_ARG, "case %s has no hostname or directory",
                                cases[i].id ? cases[i].id : "?");
        c->id = strdup(cases[i].id ? cases[i].id : cases[i].hostname);
        c->hostname = strdup(cases[i].hostname);
        c->dir = strdup(cases[i].dir);
        if (!c->id || !c->hostname || !c->dir)
            return cp_error_set(CP_E_NOMEM, "out of memory for the cases");
        for (char *p = c->hostname; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    qsort(srv->cases, (size_t)srv->ncases, sizeof(*srv->cases), srv_case_cmp);
    for (int i = 1; i < srv->ncases; i++) {
        if (strcmp(srv->cases[i - 1].hostname, srv->cases[i].hostname) == 0)
            return cp_error_set(CP_E_FORMAT,
                                "cases %s and %s share the hostname %s: the server "
                                "could not tell them apart",
                                srv->cases[i - 1].id, srv->cases[i].id, srv->cases[i].hostname);
    }
    return 0;
}

/* A listening socket on host and port (0: any free one): *fd and *port, or -1 and a CP_E_*
 * whose message names them; *err keeps errno. */
static int srv_socket(const char *host, int port, int *fd, int *bound, int *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    char service[16];
    int one = 1, rc;
    *fd = -1;
    *err = 0;
    snprintf(service, sizeof(service), "%d", port);
    if ((rc = getaddrinfo(host, service, &hints, &ai)))
        return cp_error_set(CP_E_ARG, "cannot listen on %s: %s (a numeric address is needed)", host,
                            gai_strerror(rc));
    *fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*fd < 0 || setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(*fd, ai->ai_addr, ai->ai_addrlen) || listen(*fd, CP_SERVER_BACKLOG) ||
        getsockname(*fd, (struct sockaddr *)&sa, &salen)) {
        *err = errno;
        rc = cp_error_set(CP_E_IO, "cannot listen on %s port %d: %s", host, port, strerror(errno));
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        goto out;
    }
    *bound = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                            : ((struct sockaddr_in *)&sa)->sin_port);
    rc = 0;
out:
    freeaddrinfo(ai);
    return rc;
}

/* Each by_address case's socket, and the acceptor's poll list. */
static int srv_listen_addr(struct cp_server *srv)
{
    int err, rc;
    if (!(srv->pfds = calloc((size_t)srv->naddr + 2, sizeof(*srv->pfds))) ||
        !(srv->pfd_case = calloc((size_t)srv->naddr + 2, sizeof(*srv->pfd_case))))
        return cp_error_set(CP_E_NOMEM, "out of memory for %d listening sockets", srv->naddr);
    srv->pfds[0] = (struct pollfd){.fd = srv->listen_fd, .events = POLLIN};
    srv->pfds[1] = (struct pollfd){.fd = srv->wake[0], .events = POLLIN};
    srv->npfds = 2;
    for (int i = 0; i < srv->naddr; i++) {
        struct srv_case *c = &srv->addr[i];
        if ((rc = srv_socket(c->hostname, 0, &c->listen_fd, &c->port, &err))) {
            if (err != EADDRNOTAVAIL && err != EAFNOSUPPORT && err != EMFILE && err != ENFILE)
                return cp_error_set(rc, "case %s: %s", c->id, cp_error_msg(rc));
            snprintf(c->why, sizeof(c->why), "%s", cp_error_msg(rc));
            c->port = 0;
            continue;
        }
        srv->pfd_case[srv->npfds] = i;
        srv->pfds[srv->npfds++] = (struct pollfd){.fd = c->listen_fd, .events = POLLIN};
    }
    return 0;
}

static int srv_listen(struct cp_server *srv, const char *host, int port)
{
    int err, rc = srv_socket(host, port, &srv->listen_fd, &srv->port, &err);
    if (!rc)
        snprintf(srv->host, sizeof(srv->host), "%s", host);
    return rc;
}

int cp_server_start(const struct cp_server_opts *o, const struct cp_server_case *cases, int n,
                    struct cp_server **out)
{
    struct cp_server *srv = calloc(1, sizeof(*srv));
    sigset_t all, old;
    int rc;
    *out = NULL;
    if (!srv)
        return cp_error_set(CP_E_NOMEM, "out of memory for the server");
    srv->listen_fd = srv->wake[0] = srv->wake[1] = -1;
    srv->log = o->log;
    srv->read_timeout_ms = o->read_timeout_ms > 0 ? o->read_timeout_ms : CP_SERVER_READ_TIMEOUT_MS;
    srv->conn_timeout_ms = o->conn_timeout_ms > 0 ? o->conn_timeout_ms : CP_SERVER_CONN_TIMEOUT_MS;
    srv->max_conns = o->max_conns > 0 ? o->max_conns : CP_SERVER_MAX_CONNS;
    if (o->tls && strcmp(o->tls, "1.2") == 0) {
        srv->tls = 12;
    } else if (o->tls && strcmp(o->tls, "1.3") == 0 && cp_server_has_tls13()) {
        srv->tls = 13;
    } else if (o->tls && strcmp(o->tls, "any") != 0) {
        rc = cp_error_set(CP_E_ARG, "TLS %s: the built-in mbedTLS server (mbedTLS %s) %s", o->tls,
                          cp_server_mbedtls_version(),
                          strcmp(o->tls, "1.3") == 0 ? "has no TLS 1.3" : "knows 1.2 and 1.3 only");
        goto fail;
    }
    if (o->port < 0 || o->port > 65535) {
        rc = cp_error_set(CP_E_ARG, "port %d is not a TCP port", o->port);
        goto fail;
    }
    if ((rc = srv_copy_cases(srv, cases, n)))
        goto fail;
    if (!(srv->conn_fds = malloc((size_t)srv->max_conns * sizeof(int)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory for the server");
        goto fail;
    }
    for (int i = 0; i < srv->max_conns; i++)
        srv->conn_fds[i] = -1;
    if (cp_mbedtls_init()) {
        rc = cp_error_set(CP_E_CRYPTO, "mbedTLS (PSA) could not be initialised");
        goto fail;
    }
    if ((rc = srv_listen(srv, o->host ? o->host : CP_SERVER_DEFAULT_HOST, o->port)))
        goto fail;
    if (pipe2(srv->wake, O_CLOEXEC)) {
        rc = cp_error_set(CP_E_IO, "cannot make a pipe: %s", strerror(errno));
        goto fail;
    }
    if ((rc = srv_listen_addr(srv)))
        goto fail;
    if (pthread_mutex_init(&srv->mu, NULL)) {
        rc = cp_error_set(CP_E_INTERNAL, "cannot make a mutex");
        goto fail;
    }
    if (pthread_cond_init(&srv->cv, NULL)) {
        pthread_mutex_destroy(&srv->mu);
        rc = cp_error_set(CP_E_INTERNAL, "cannot make a condition variable");
        goto fail;
    }
    srv->sync_ready = true;
    /* Signals (Ctrl-C) stay with the caller's threads: the server's threads block them all,
     * and the connection threads inherit that from the acceptor. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&srv->acceptor, NULL, srv_accept_main, srv);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        rc = cp_error_set(CP_E_INTERNAL, "cannot start the server thread: %s", strerror(rc));
        goto fail;
    }
    srv->acceptor_running = true;
    *out = srv;
    return 0;
fail:
    cp_server_stop(srv, NULL);
    return rc;
}

/* The run-time library's version (the headers' may differ from the library loaded). */
static char srv_version[32];

static void srv_version_once(void)
{
    mbedtls_version_get_string(srv_version);
}

const char *cp_server_mbedtls_version(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, srv_version_once);
    return srv_version;
}

bool cp_server_has_tls13(void)
{
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    return true;
#else
    return false;
#endif
}

void cp_server_take_version(struct cp_server *srv, const char *hostname, char *buf, size_t cap)
{
    char lower[CP_SERVER_NAME_MAX];
    size_t i = 0;
    buf[0] = '\0';
    if (!srv)
        return;
    for (; hostname[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char)tolower((unsigned char)hostname[i]);
    lower[i] = '\0';
    struct srv_case key = {.hostname = lower};
    pthread_mutex_lock(&srv->mu);
    struct srv_case *c = bsearch(&key, srv->cases, (size_t)srv->ncases, sizeof(key), srv_case_cmp);
    if (c) {
        snprintf(buf, cap, "%s", c->version);
        c->version[0] = '\0';
    }
    pthread_mutex_unlock(&srv->mu);
}

void cp_server_take_version_at(struct cp_server *srv, int port, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!srv || port <= 0)
        return;
    pthread_mutex_lock(&srv->mu);
    for (int i = 0; i < srv->naddr; i++) {
        if (srv->addr[i].port == port) {
            snprintf(buf, cap, "%s", srv->addr[i].version);
            srv->addr[i].version[0] = '\0';
            break;
        }
    }
    pthread_mutex_unlock(&srv->mu);
}

int cp_server_case_port(const struct cp_server *srv, int i, const char **why)
{
    const struct srv_case *c =
        i >= 0 && i < srv->ninput && srv->addr_of[i] >= 0 ? &srv->addr[srv->addr_of[i]] : NULL;
    if (why)
        *why = c ? c->why : "";
    return c ? c->port : 0;
}

const char *cp_server_host(const struct cp_server *srv)
{
    return srv->host;
}

int cp_server_port(const struct cp_server *srv)
{
    return srv->port;
}

void cp_server_stats(struct cp_server *srv, struct cp_server_stats *st)
{
    pthread_mutex_lock(&srv->mu);
    *st = srv->stats;
    pthread_mutex_unlock(&srv->mu);
}

void cp_server_stop(struct cp_server *srv, struct cp_server_stats *final)
{
    if (final)
        memset(final, 0, sizeof(*final));
    if (!srv)
        return;
    if (srv->sync_ready) {
        /* Stopping first (so the acceptor neither waits for a slot nor takes a new client),
         * and every open connection shut down, which ends its thread's next read or write. */
        pthread_mutex_lock(&srv->mu);
        srv->stopping = true;
        for (int i = 0; i < srv->max_conns; i++) {
            if (srv->conn_fds[i] >= 0)
                shutdown(srv->conn_fds[i], SHUT_RDWR);
        }
        pthread_cond_broadcast(&srv->cv);
        pthread_mutex_unlock(&srv->mu);
    }
    if (srv->acceptor_running) {
        ssize_t w;
        do {
            w = write(srv->wake[1], "x", 1);
        } while (w < 0 && errno == EINTR);
        pthread_join(srv->acceptor, NULL);
    }
    if (srv->sync_ready) {
        /* Then wait until the last connection thread has let go of the server. */
        pthread_mutex_lock(&srv->mu);
        while (srv->nconns > 0)
            pthread_cond_wait(&srv->cv, &srv->mu);
        if (final)
            *final = srv->stats;
        pthread_mutex_unlock(&srv->mu);
        pthread_cond_destroy(&srv->cv);
        pthread_mutex_destroy(&srv->mu);
    }
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    for (int i = 0; i < 2; i++) {
        if (srv->wake[i] >= 0)
            close(srv->wake[i]);
    }
    for (int i = 0; i < srv->nkeys; i++)
        srv_key_free(srv->keys[i]);
    for (int i = 0; i < srv->ncases; i++) {
        free(srv->cases[i].id);
        free(srv->cases[i].hostname);
        free(srv->cases[i].dir);
    }
    for (int i = 0; i < srv->naddr; i++) {
        if (srv->addr[i].listen_fd >= 0)
            close(srv->addr[i].listen_fd);
        free(srv->addr[i].id);
        free(srv->addr[i].hostname);
        free(srv->addr[i].dir);
    }
    free(srv->cases);
    free(srv->addr);
    free(srv->addr_of);
    free(srv->pfds);
    free(srv->pfd_case);
    free(srv->conn_fds);
    free(srv);
}
