/*
 * wire_connect.h - the TCP connection a wire-mode client makes to the built-in server: the
 * server's numeric address and port, TCP_NODELAY (as curl sets it), and send and receive
 * timeouts so that a server that stops answering fails the case instead of hanging it. Shared
 * by the modules whose TLS client runs over a socket they open (OpenSSL, GnuTLS, wolfSSL); each
 * module compiles its own static copy, so no symbol is shared between modules.
 */
#ifndef CP_WIRE_CONNECT_H
#define CP_WIRE_CONNECT_H

#include "cp_adapter_util.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* in->timeout_ms as a socket timeout. The server is on loopback and answers in milliseconds;
 * a read or write that waits this long means it is gone, and the harness's per-case limit is
 * longer, so a stuck connection is reported as the adapter's error, not as a killed worker. */
static inline struct timeval cp_wire_timeval(const struct cp_verify_input *in)
{
    int ms = in->timeout_ms > 0 ? in->timeout_ms : 100;
    return (struct timeval){.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
}

/* A connected TCP socket to in->host:in->port, or -1 with out filled (an error). */
static int cp_wire_connect(const struct cp_verify_input *in, struct cp_verify_result *out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    struct timeval tv = cp_wire_timeval(in);
    char service[16];
    int fd = -1, one = 1, rc;
    snprintf(service, sizeof(service), "%d", in->port);
    if ((rc = getaddrinfo(in->host, service, &hints, &ai))) {
        cp_result(out, CP_VERIFY_ERROR, 0, "server address %s: %s", in->host, gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
        connect(fd, ai->ai_addr, ai->ai_addrlen)) {
        cp_result(out, CP_VERIFY_ERROR, 0, "connect to %s port %d: %s", in->host, in->port,
                  strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

#endif
