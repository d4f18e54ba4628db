/*
 * serve.c - `certpath serve`: the built-in TLS server (cp_server.h) on every case of a suite, for
 * any client, until Ctrl-C. It prints where it listens and how to point a client at a case;
 * each connection is logged on stderr.
 */
#include "cp_common.h"
#include "cp_generator.h"
#include "cp_harness.h"
#include "cp_mbedtls_compat.h"
#include "cp_server.h"
#include "harness_internal.h"

#include <mbedtls/version.h>

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often the wait for Ctrl-C looks at the stop flag. */
#define CP_SERVE_POLL_MS 200

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define CP_SERVE_VERSIONS "TLS 1.2 and 1.3"
#else
#define CP_SERVE_VERSIONS "TLS 1.2"
#endif

static void print_help(const struct cp_suite *s, const struct cp_server *srv)
{
    char version[32] = "?", when[32];
    int ex = cp_suite_find(s, "controls/accept");
    const struct cp_suite_case *c = &s->cases[ex >= 0 ? ex : 0];
    const char *host = cp_server_host(srv);
    int port = cp_server_port(srv);
    mbedtls_version_get_string(version);
    cp_time_format(s->vtime, when, sizeof(when));
    printf("certpath serve: %d cases of %s on %s port %d (mbed TLS %s, %s)\n", s->ncases, s->dir,
           host, port, version, CP_SERVE_VERSIONS);
    printf("\n"
           "A client picks a case by sending the case's hostname as the server name (SNI), and\n"
           "trusts only that case's roots.pem. Every case's hostname and directory are in\n"
           "%s/manifest.json. The server sends the case's chain.pem as it is, byte for byte.\n"
           "The suite's validation time is %s (%" PRId64 "); clients that cannot be given a\n"
           "time check against their own clock.\n\n",
           s->dir, when, s->vtime);
    printf("  case      %s\n  hostname  %s\n  address   %s port %d\n  roots     %s/roots.pem\n\n",
           c->id, c->hostname, host, port, c->dir);
    printf("  openssl s_client -connect %s:%d -servername %s -CAfile %s/roots.pem \\\n"
           "      -verify_hostname %s -verify_return_error -attime %" PRId64 " </dev/null\n",
           host, port, c->hostname, c->dir, c->hostname, s->vtime);
    printf("  curl --resolve %s:%d:%s --cacert %s/roots.pem https://%s:%d/\n\n", c->hostname, port,
           host, c->dir, c->hostname, port);
    printf("listening on %s:%d; Ctrl-C stops the server\n", host, port);
    fflush(stdout);
}

int cp_serve(const struct cp_serve_opts *o)
{
    struct cp_suite s;
    struct cp_server *srv = NULL;
    struct cp_server_case *cases = NULL;
    struct cp_server_opts so;
    struct cp_server_stats st;
    const char *dir = o->suite_dir ? o->suite_dir : "suite";
    char manifest[PATH_MAX];
    int rc;
    memset(&s, 0, sizeof(s));
    snprintf(manifest, sizeof(manifest), "%s/manifest.json", dir);
    if (access(manifest, F_OK) != 0)
        return cp_error_set(CP_E_NOTFOUND,
                            "no suite in %s (make one with `certpath generate -o "
                            "%s`)",
                            dir, dir);
    if ((rc = cp_suite_load(dir, &s)))
        return rc;
    if (s.ncases == 0) {
        rc = cp_error_set(CP_E_FORMAT, "%s has no cases", manifest);
        goto out;
    }
    if (!(cases = calloc((size_t)s.ncases, sizeof(*cases)))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory for %d cases", s.ncases);
        goto out;
    }
    int n = 0;
    for (int i = 0; i < s.ncases; i++) {
        if (!cp_host_is_ip(s.cases[i].hostname)) /* no SNI can pick them */
            cases[n++] = (struct cp_server_case){
                .id = s.cases[i].id, .hostname = s.cases[i].hostname, .dir = s.cases[i].dir};
    }
    cp_server_opts_init(&so);
    so.port = o->port;
    so.tls = o->tls;
    so.log = stderr;
    if ((rc = cp_server_start(&so, cases, n, &srv)))
        goto out;
    print_help(&s, srv);
    while (!(o->stop && *o->stop))
        poll(NULL, 0, CP_SERVE_POLL_MS);
    cp_server_stop(srv, &st);
    srv = NULL;
    printf("\ncertpath serve: stopped after %" PRIu64 " connections (%" PRIu64
           " handshakes completed, %" PRIu64 " failed)\n",
           st.connections, st.handshakes, st.failures);
    rc = 0;
out:
    cp_server_stop(srv, NULL);
    free(cases);
    cp_suite_free(&s);
    return rc;
}
