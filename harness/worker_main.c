/*
 * worker_main.c - certpath-worker, the program a worker process runs.
 *
 * A program of its own, not a mode of `certpath`, so that a worker holds exactly one TLS
 * library: the one its adapter module brings. `certpath` itself links Mbed TLS (minting, the
 * built-in server); a worker that were `certpath` would carry that Mbed TLS next to the module's
 * library, and two copies of one library interpose their unversioned symbols (a crash or a
 * wrong verdict when the module is an Mbed TLS adapter built against another Mbed TLS). This
 * program links only certpath's own C (errors, files, PEM, the manifest reader for --floor).
 *
 *   certpath-worker MODULE [ARG]          the pool's worker (pipes on fds 3 and 4)
 *   certpath-worker --floor MODULE SUITE  every case of SUITE through MODULE's verify() here
 */
#include "cp_common.h"
#include "harness_internal.h"

#include <stdio.h>
#include <string.h>

static int floor_main(const char *module, const char *suite_dir)
{
    struct cp_suite s;
    double secs = 0;
    int n = 0, rc;
    if ((rc = cp_suite_load(suite_dir, &s))) {
        fprintf(stderr, "certpath-worker: %s\n", cp_error_msg(rc));
        return 1;
    }
    rc = cp_worker_floor(module, &s, &secs, &n);
    if (rc)
        fprintf(stderr, "certpath-worker: %s\n", cp_error_msg(rc));
    else
        printf("floor %s: %d cases in %.3f s, %.3f ms per case\n", module, n, secs,
               n ? secs * 1000.0 / n : 0.0);
    cp_suite_free(&s);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--floor") == 0)
        return floor_main(argv[2], argv[3]);
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: certpath-worker MODULE [ARG] | --floor MODULE SUITE\n"
                        "(started by certpath run; not meant to be run by hand)\n");
        return 2;
    }
    return cp_worker_main(argc, argv);
}
