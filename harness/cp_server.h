/*
 * cp_server.h - the built-in TLS server that wire mode connects to (harness/server.c).
 *
 * An mbedTLS TLS server on a loopback address that serves every case of a suite at once: the
 * client names the case by its hostname in SNI, and the server answers with that case's
 * certificate list exactly as the case's chain.pem holds it (order, duplicates, unrelated
 * extras and certificates mbedTLS itself could not parse, byte for byte), signing the handshake
 * with the case's leaf.key. TLS 1.2 (and TLS 1.3 where the mbedTLS build has it); an unknown
 * name gets an unrecognized_name alert.
 *
 * Connections are served concurrently, one thread each up to opts.max_conns; a client that
 * stalls, hangs up or sends garbage holds only its own thread, and only until its read timeout.
 * Each case's files are read when a client asks for it and dropped when the connection ends, so
 * memory is bounded by the number of open connections, not by the suite.
 *
 * The server copies what it is given: the caller may free the case list after start. Every
 * function returns 0 or a negative CP_E_* whose message (cp_error_msg) names what failed.
 */
#ifndef CP_SERVER_H
#define CP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cp_server;

/* One case the server can send: picked by hostname, served from dir. A case whose hostname is
 * an IP address is picked by the address and port the client connects to instead (a client
 * sends no SNI for an address, RFC 6066 3): by_address gives it a listening socket of its own
 * on that address and a free port (cp_server_case_port), which serves it whatever the client
 * sends; many such cases may share one address. */
struct cp_server_case {
    const char *id;       /* shown in the log */
    const char *hostname; /* the SNI name that selects it (compared case-insensitively) */
    const char *dir;      /* holds chain.pem and leaf.key */
    bool by_address;      /* hostname is a numeric address to listen on (127.0.0.0/8, ::1) */
};

struct cp_server_opts {
    const char *host;    /* numeric address to listen on; default "127.0.0.1" */
    int port;            /* 0 (default): any free port, see cp_server_port() */
    int read_timeout_ms; /* a read that waits longer ends the connection */
    int conn_timeout_ms; /* no connection lives longer than this */
    int max_conns;       /* connections served at once; more wait in the listen queue */
    const char *tls;     /* "1.2" or "1.3": only that version; NULL or "any": 1.3 and 1.2 */
    FILE *log;           /* one line per connection (NULL: none) */
};

/* connections counts a connection when it is accepted; handshakes and failures count it
 * when its thread ends, so while connections are open handshakes + failures < connections. */
struct cp_server_stats {
    uint64_t connections, handshakes, failures;
};

void cp_server_opts_init(struct cp_server_opts *o);

/* Listens and starts serving the n cases; *out is the running server. */
int cp_server_start(const struct cp_server_opts *o, const struct cp_server_case *cases, int n,
                    struct cp_server **out);

/* The address and port it listens on. */
const char *cp_server_host(const struct cp_server *srv);
int cp_server_port(const struct cp_server *srv);

/* The port of the listening socket of case i (in the order start was given them) on its
 * address, when it is by_address and its socket could be made; else 0, and *why (when not NULL)
 * says why ("" for a case picked by SNI). A socket is not made when the address cannot be bound
 * here (EADDRNOTAVAIL: no ::1 without IPv6) or the process is out of file descriptors; any other
 * failure fails the start. */
int cp_server_case_port(const struct cp_server *srv, int i, const char **why);

/* The mbedTLS version the server runs on ("2.28.3"). */
const char *cp_server_mbedtls_version(void);

/* Whether this mbedTLS build has a TLS 1.3 server (3.6 has; 2.28 has not). */
bool cp_server_has_tls13(void);

/* The TLS version ("TLSv1.2") the last handshake with hostname negotiated once it had written
 * its ServerHello, taken (a second call gives ""), or "" when none got that far. Called once the
 * client has its answer: the version is recorded before the Certificate message is sent. */
void cp_server_take_version(struct cp_server *srv, const char *hostname, char *buf, size_t cap);

/* The same for the case listening on port (a by_address case's). */
void cp_server_take_version_at(struct cp_server *srv, int port, char *buf, size_t cap);

/* The counts so far (connections still open are counted as connections only). */
void cp_server_stats(struct cp_server *srv, struct cp_server_stats *st);

/* Whether the server can send the certificate list in dir/chain.pem: CP_E_LIMIT when the
 * Certificate message would exceed what mbedTLS can send in one handshake message (the message
 * says by how much), another CP_E_* when the file cannot be read. */
int cp_server_check_case(const char *dir);

/* Stops listening, ends every open connection, waits for their threads and frees the server;
 * takes NULL. When final is not NULL it receives the counts with every connection finished. */
void cp_server_stop(struct cp_server *srv, struct cp_server_stats *final);

/*
 * The second engine: certpath-server-gnutls (server_gnutls.c), a GnuTLS server in a process of
 * its own beside this program, for what the mbedTLS engine cannot do: a Certificate message
 * longer than one record (GnuTLS sends it over several) and TLS 1.3 where the mbedTLS build has
 * none. It serves its cases as the mbedTLS engine does (picked by SNI, chain.pem byte for byte,
 * leaf.key signing) on a port of its own. This side links no TLS library.
 */
struct cp_server_proc;

/* The engine's path beside this program, or CP_E_NOTFOUND (the build had no GnuTLS). */
int cp_server_gnutls_exe(char *buf, size_t cap);

/* Starts the engine on the n cases, listening on o->host (o may be NULL); tls is "1.2", "1.3" or
 * "any" (both); o->log sends one line per connection to stderr. */
int cp_server_proc_start(const struct cp_server_opts *o, const char *tls,
                         const struct cp_server_case *cases, int n, struct cp_server_proc **out);
const char *cp_server_proc_host(const struct cp_server_proc *p);
int cp_server_proc_port(const struct cp_server_proc *p);

/* The TLS version ("1.3") the engine chose in the last handshake with hostname that reached
 * its ServerHello, taken (a second call gives ""), or "" when none did. Called once the client
 * has its answer: the engine writes the version before it sends the ServerHello. */
void cp_server_proc_take_version(struct cp_server_proc *p, const char *hostname, char *buf,
                                 size_t cap);

/* Stops the engine (its open connections are ended) and frees p; takes NULL. */
void cp_server_proc_stop(struct cp_server_proc *p);

#endif
