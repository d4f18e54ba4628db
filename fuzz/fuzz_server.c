/*
 * fuzz_server.c - libFuzzer target: the built-in TLS server's handshake entry (harness/server.c:
 * the ClientHello as mbedTLS reads it, then the SNI callback that picks a case and loads its
 * chain and key). Each input is what a client sends on one connection: the target connects to
 * a server started once on 127.0.0.1, writes the input, closes its sending side and reads
 * until the server hangs up. The server runs in its own threads; libFuzzer's coverage and the
 * sanitizers see them. After every input the server must still be serving (it accepted the
 * connection and counted it), so a fault that only stops it is found too.
 *
 * The suite is the controls family minted at start into a temporary directory, and its two
 * cases are served under fixed names (case0.fuzz.test, case1.fuzz.test), so the seed corpus's
 * ClientHellos (fuzz/corpus/fuzz_server) keep reaching a case whatever names a generator
 * version gives the cases.
 */
#include "cp_common.h"
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_manifest.h"
#include "cp_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A ClientHello is at most a few KiB; more only repeats what the server already refused. */
#define FUZZ_MAX_INPUT (64 * 1024)
/* Generous under ASan: the server answers a full ClientHello with a signed handshake. */
#define FUZZ_READ_TIMEOUT_S 10

static char suite_dir[64];
static struct cp_server *server;

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_server: %s: %s\n", what, cp_error_msg(-1));
    exit(1);
}

static void stop_server(void)
{
    cp_server_stop(server, NULL);
    server = NULL;
    if (suite_dir[0])
        cp_fs_rmtree(suite_dir);
}

static void start_server(void)
{
    static const char *const families[] = {"controls"};
    static const char *const names[] = {"case0.fuzz.test", "case1.fuzz.test"};
    struct cp_gen_opts g;
    struct cp_manifest m;
    struct cp_server_case cases[2];
    char dirs[2][256];
    struct cp_server_opts so;

    snprintf(suite_dir, sizeof(suite_dir), "/tmp/cp-fuzz-server.XXXXXX");
    if (!mkdtemp(suite_dir))
        fuzz_fail("mkdtemp");
    atexit(stop_server);
    cp_gen_opts_init(&g);
    g.out_dir = suite_dir;
    g.seed = 1;
    g.vtime = 1767225600; /* 2026-01-01T00:00:00Z: fixed, so every start mints the same */
    g.families = families;
    g.nfamilies = 1;
    g.threads = 1;
    if (cp_generator_generate(&g, NULL) || cp_manifest_load(suite_dir, &m))
        fuzz_fail("minting the controls");
    if (m.ncases < 2)
        fuzz_fail("the controls have fewer than two cases");
    for (int i = 0; i < 2; i++) {
        snprintf(dirs[i], sizeof(dirs[i]), "%s/%s", suite_dir, m.cases[i].dir);
        cases[i] = (struct cp_server_case){.id = names[i], .hostname = names[i], .dir = dirs[i]};
    }
    cp_server_opts_init(&so);
    so.read_timeout_ms = 2000;
    so.conn_timeout_ms = 8000;
    int rc = cp_server_start(&so, cases, 2, &server); /* copies the cases */
    cp_manifest_free(&m);
    if (rc)
        fuzz_fail("starting the server");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    start_server();
    return 0;
}

static int connect_server(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)cp_server_port(server))};
    struct timeval tv = {.tv_sec = FUZZ_READ_TIMEOUT_S};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || inet_pton(AF_INET, cp_server_host(server), &a.sin_addr) != 1 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
        connect(fd, (struct sockaddr *)&a, sizeof(a))) {
        perror("fuzz_server: connecting to the server");
        exit(1);
    }
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cp_server_stats before, after;
    char buf[16384];
    cp_server_stats(server, &before);
    int fd = connect_server();
    size_t left = size < FUZZ_MAX_INPUT ? size : FUZZ_MAX_INPUT;
    /* The server may hang up before it has read everything: that ends the writing. */
    for (const uint8_t *p = data; left > 0;) {
        ssize_t n = send(fd, p, left, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        ;
    /* A reset is a hang-up too (the server closed with input unread); only the timeout is not. */
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        fprintf(stderr, "fuzz_server: the server neither answered nor hung up in %d s\n",
                FUZZ_READ_TIMEOUT_S);
        abort(); /* a hang is a finding: libFuzzer keeps the input */
    }
    close(fd);
    cp_server_stats(server, &after);
    if (after.connections <= before.connections) {
        fprintf(stderr, "fuzz_server: the server did not count the connection\n");
        abort();
    }
    return 0;
}
