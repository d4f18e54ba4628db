/*
 * test_isolation.c - a worker holds exactly one TLS library (issue 11).
 *
 * Two copies of one library in one process interpose their unversioned symbols: a crash or a
 * wrong verdict. certpath itself links Mbed TLS (minting, the built-in server), so the worker is
 * a program of its own, certpath-worker, that links none. For every adapter module built here
 * the test starts certpath-worker exactly as the pool does (request pipe on fd 3, response pipe
 * on fd 4), waits for its hello (the module is loaded and initialised by then), and reads the
 * worker's /proc/PID/maps:
 *   - each C adapter's worker maps exactly the TLS libraries its module brings (its ldd
 *     closure: its own library, and e.g. the OpenSSL that Debian's Botan 2 links), no other;
 *   - curl maps whatever Debian's libcurl flavour brings, but never Mbed TLS;
 *   - the exec module (the program runs in a process of its own) and the fake map none;
 *   - no library is mapped from two different files (two copies).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* TLS libraries by the file names their shared objects have on Debian. */
static const struct {
    const char *family;
    const char *needle; /* a substring of the mapped path */
} tls_libs[] = {
    {"mbedtls", "/libmbedcrypto.so"},
    {"mbedtls", "/libmbedtls.so"},
    {"mbedtls", "/libmbedx509.so"},
    {"openssl", "/libssl.so.3"},
    {"openssl", "/libcrypto.so.3"},
    {"gnutls", "/libgnutls.so"},
    {"nss", "/libnss3.so"},
    {"nss", "/libssl3.so"},
    {"wolfssl", "/libwolfssl.so"},
    {"botan", "/libbotan-"},
    {"boringssl", "/android/libcrypto"},
    {"boringssl", "/android/libssl"},
};
#define NLIBS (sizeof(tls_libs) / sizeof(tls_libs[0]))

struct mapped {
    bool family[NLIBS];    /* by index of the first tls_libs entry of that family */
    char path[NLIBS][512]; /* the file each needle was first seen in */
    bool two_copies;
    char copies[1024];
};

static int family_index(const char *family)
{
    for (size_t i = 0; i < NLIBS; i++) {
        if (strcmp(tls_libs[i].family, family) == 0)
            return (int)i;
    }
    return -1;
}

static void read_maps(pid_t pid, struct mapped *m)
{
    char path[64], line[1024];
    memset(m, 0, sizeof(*m));
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    while (fgets(line, sizeof(line), f)) {
        char *file = strchr(line, '/');
        if (!file)
            continue;
        file[strcspn(file, "\n")] = '\0';
        for (size_t i = 0; i < NLIBS; i++) {
            if (!strstr(file, tls_libs[i].needle))
                continue;
            m->family[family_index(tls_libs[i].family)] = true;
            if (!m->path[i][0])
                snprintf(m->path[i], sizeof(m->path[i]), "%s", file);
            else if (strcmp(m->path[i], file) != 0 && !m->two_copies) {
                m->two_copies = true;
                snprintf(m->copies, sizeof(m->copies), "%s and %s", m->path[i], file);
            }
        }
    }
    fclose(f);
}

/* Starts certpath-worker MODULE as the pool does and returns its pid once it said hello; the
 * pipes' parent ends in *req and *resp. */
static pid_t start_worker(const char *worker, const char *module, int *req, int *resp)
{
    int rq[2], rs[2];
    cr_assert_eq(pipe(rq), 0);
    cr_assert_eq(pipe(rs), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int a = fcntl(rq[0], F_DUPFD, 10), b = fcntl(rs[1], F_DUPFD, 10);
        if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0)
            _exit(127);
        for (int fd = 5; fd < 64; fd++)
            close(fd);
        execl(worker, "certpath-worker", module, (char *)NULL);
        _exit(127);
    }
    close(rq[0]);
    close(rs[1]);
    struct pollfd p = {.fd = rs[0], .events = POLLIN};
    cr_assert_eq(poll(&p, 1, 60000), 1, "%s: no hello within 60 s", module);
    *req = rq[1];
    *resp = rs[0];
    return pid;
}

static void stop_worker(pid_t pid, int req, int resp)
{
    close(req);
    close(resp);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* The TLS libraries a module brings itself: its own dependency closure, as ldd lists it. */
static void module_families(const char *module, bool family[NLIBS])
{
    char cmd[2300], line[1024];
    memset(family, 0, NLIBS * sizeof(bool));
    snprintf(cmd, sizeof(cmd), "ldd '%s'", module);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "cannot run %s", cmd);
    while (fgets(line, sizeof(line), p)) {
        for (size_t i = 0; i < NLIBS; i++) {
            if (strstr(line, tls_libs[i].needle))
                family[family_index(tls_libs[i].family)] = true;
        }
    }
    cr_assert_eq(pclose(p), 0, "%s failed", cmd);
}

static void check_module(const char *worker, const char dir[1024], const char name[128])
{
    char module[2200];
    int req, resp;
    struct mapped m;
    snprintf(module, sizeof(module), "%s/certpath-adapter-%s.so", dir, name);
    pid_t pid = start_worker(worker, module, &req, &resp);
    read_maps(pid, &m);
    stop_worker(pid, req, resp);

    cr_expect(!m.two_copies, "%s: two copies of one library: %s", name, m.copies);
    bool brings[NLIBS];
    module_families(module, brings);
    for (size_t i = 0; i < NLIBS; i++) {
        if (family_index(tls_libs[i].family) != (int)i)
            continue; /* one check per family */
        const char *f = tls_libs[i].family;
        if (strcmp(name, "curl") == 0) {
            /* It dlopen()s a libcurl at init, whose flavour brings its own set. */
            cr_expect(!(m.family[i] && strcmp(f, "mbedtls") == 0),
                      "curl's worker holds Mbed TLS, which no libcurl flavour brings");
            continue;
        }
        cr_expect_eq(m.family[i], brings[i], "%s's worker %s %s, which the module %s", name,
                     m.family[i] ? "holds" : "lacks", f, brings[i] ? "brings" : "does not bring");
    }
    if (strcmp(name, "curl") != 0) {
        int own = family_index(name);
        cr_expect(own < 0 || m.family[own], "%s's worker does not hold %s itself", name, name);
    }
}

Test(isolation, every_worker_holds_only_its_modules_tls_library, .timeout = 600)
{
    char dir[1024], worker[1024];
    const char *bin = CP_CERTPATH_BIN, *slash = strrchr(bin, '/');
    snprintf(dir, sizeof(dir), "%.*s/adapters", (int)(slash - bin), bin);
    snprintf(worker, sizeof(worker), "%.*s/certpath-worker", (int)(slash - bin), bin);
    cr_assert_eq(access(worker, X_OK), 0, "no %s", worker);

    DIR *d = opendir(dir);
    cr_assert_not_null(d, "no %s", dir);
    int checked = 0;
    bool saw_openssl = false, saw_mbedtls = false;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *prefix = "certpath-adapter-";
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 4 ||
            strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(len - strlen(prefix) - 3),
                 e->d_name + strlen(prefix));
        if (strcmp(name, "exec") == 0)
            continue; /* its init starts a program: checked below with the fake's emptiness */
        check_module(worker, dir, name);
        saw_openssl = saw_openssl || strcmp(name, "openssl") == 0;
        saw_mbedtls = saw_mbedtls || strcmp(name, "mbedtls") == 0;
        checked++;
    }
    closedir(d);
    /* The two that matter most: Mbed TLS is also certpath's own, OpenSSL the tests' own. */
    cr_expect(saw_openssl && saw_mbedtls, "the openssl and mbedtls modules must be built here");
    cr_expect_geq(checked, 2);
}

Test(isolation, a_module_without_a_tls_library_leaves_the_worker_without_one)
{
    char worker[1024], module[1024];
    int req, resp;
    struct mapped m;
    const char *bin = CP_CERTPATH_BIN, *slash = strrchr(bin, '/');
    snprintf(worker, sizeof(worker), "%.*s/certpath-worker", (int)(slash - bin), bin);
    snprintf(module, sizeof(module), "%s", CP_FAKE_ADAPTER);
    pid_t pid = start_worker(worker, module, &req, &resp);
    read_maps(pid, &m);
    stop_worker(pid, req, resp);
    for (size_t i = 0; i < NLIBS; i++)
        cr_expect(!m.family[i], "the fake's worker holds %s: certpath-worker links a TLS library",
                  tls_libs[i].family);
}
