/*
 * cp_wire_test.h - test support for tests/test_wire_<stack>.c: one stack's wire mode (its own TLS
 * client, in the same module as its in-process verification) in real handshakes with the real
 * built-in server (harness/cp_server.h), on a suite generated for the test. One stack is tested
 * per process (Criterion runs each test in a child of its own), so the state is the process's
 * one struct cp_wire_test.
 *
 * Call sequence, in a Test() body:
 *   1. cp_wire_test_open(): generates the suite in a temporary directory, starts the server on
 *      127.0.0.1 port 0 serving every case, loads certpath-adapter-<module>.so as the harness
 *      does and calls init(). Skips the test when the module is not built; fails it otherwise;
 *   2. the helpers below (they assert, so Test() bodies only);
 *   3. cp_wire_test_close(), the TestSuite's .fini: stops the server, cleans the adapter up (it
 *      stays mapped, as in a worker), removes the directory. Safe when open() skipped or failed.
 * Expected outcomes come from the suite's manifest, never from what a library does.
 */
#ifndef CP_WIRE_TEST_H
#define CP_WIRE_TEST_H

#include "cp_adapter.h"
#include "harness_internal.h"

#include <stdbool.h>
#include <stdint.h>

/* cp_wire_test_open()'s vtime for stacks that read the clock (mbedTLS): the suite is minted for
 * this second, not for the generator's hour-rounded default. */
#define CP_WIRE_TEST_CLOCK INT64_C(-1)

struct cp_wire_test {
    char tmpdir[256], suite[300];
    struct cp_suite s;
    bool loaded;
    struct cp_server *srv;
    const struct cp_adapter *ad;
    void *handle, *ctx;
    bool inited;
    int closed_fd; /* cp_wire_test_closed_port()'s socket, or 0 */
};

/* Step 1 above. vtime: 0 for the generator's default, CP_WIRE_TEST_CLOCK, or a Unix time. */
struct cp_wire_test *cp_wire_test_open(const char *module, const char *const *families, int n,
                                       int64_t vtime);
/* Step 3 above. */
void cp_wire_test_close(void);

/* The suite's case with this id (asserted to exist). */
const struct cp_suite_case *cp_wire_test_case(const char *id);

/* One handshake for the case: its chain and roots read from its directory as a worker reads
 * them, in->host and in->port naming the server; vtime 0 means the suite's validation time. */
struct cp_verify_result cp_wire_test_run(const char *id, int64_t vtime);

/* What cp_wire_test_run_with() changes; zero fields keep the case's own. */
struct cp_wire_test_opts {
    int64_t vtime;        /* the validation time given to the adapter */
    int port;             /* where to connect instead of the server */
    const char *hostname; /* the name to ask for and check instead of the case's */
};
struct cp_verify_result cp_wire_test_run_with(const char *id, const struct cp_wire_test_opts *o);

/* A loopback port where nothing listens (a bound socket, held until close): connecting to it
 * is refused. */
int cp_wire_test_closed_port(void);

/* Expects an error (never a verdict) with a reason holding `words`. */
void cp_wire_test_expect_error(const struct cp_verify_result *r, const char *words);

/* Runs controls/accept against a port where nothing listens, then asking for a name the server
 * does not serve (it alerts before sending any certificate): expects each to be an error, never a
 * verdict, with a reason holding refused_words and unknown_words respectively. */
void cp_wire_test_expect_refusals(const char *refused_words, const char *unknown_words);

/* Runs the case and expects exactly the outcome the manifest gives it (asserted to be the same
 * under every profile), with a reason; an accept has code 0. */
void cp_wire_test_expect(const char *id);

/* The cases whose outcome every profile agrees on that a stack's client is expected to get
 * right: the controls, ordering/depth3 plain and missing-bottom in the order declared, an
 * expired and a long-lived leaf; and with these flags also: */
#define CP_WIRE_CERTAIN_REVERSED 1u /* ordering/depth3/plain/reversed (a path built backwards) */
#define CP_WIRE_CERTAIN_HOSTNAME                                                                   \
    2u /* a hostname mismatch and a wildcard over one label (the                                   \
        * suite has the constraints family) */
/* cp_wire_test_expect() on each of those cases. */
void cp_wire_test_expect_certain(unsigned with);
/* cp_wire_test_cli() of the ordering/depth3 cases (at least 30), with those of the certain
 * cases that the run has. */
void cp_wire_test_cli_depth3(const char *stack, unsigned with);

/* `certpath run --stack STACK --mode wire -j2 --filter FILTER` on the suite, results into a file
 * of the test's directory; checks the file: complete, not broken, the stack and mode, the wire
 * capability, at least min_cases cases, none an error, timeout or crash, the controls passing,
 * and each id of `certain` (NULL-terminated) with the manifest's outcome. */
void cp_wire_test_cli(const char *stack, const char *filter, int min_cases,
                      const char *const *certain);

#endif
