/* stacks.c - `certpath stacks`, and where adapter modules and the clock shim are found. */
#include "cp_common.h"
#include "cp_harness.h"
#include "cp_registry.h"
#include "harness_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cp_exe_dir(char *buf, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n < 0)
        return cp_error_set(CP_E_IO, "cannot find the certpath executable: %s", strerror(errno));
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    return 0;
}

/* $CERTPATH_ADAPTER_DIR first (tests, packagers), then beside the executable (a build tree),
 * then the installed library directory. */
int cp_module_path(const char *stack, char *buf, size_t cap)
{
    char exe[PATH_MAX], file[128];
    const char *env = getenv("CERTPATH_ADAPTER_DIR");
    if (strcmp(stack, "clockshim") == 0)
        snprintf(file, sizeof(file), "certpath-clockshim.so");
    else
        snprintf(file, sizeof(file), "certpath-adapter-%s.so", stack);
    if (env && *env) {
        snprintf(buf, cap, "%s/%s", env, file);
        if (access(buf, R_OK) == 0)
            return 0;
    }
    int rc = cp_exe_dir(exe, sizeof(exe));
    if (rc)
        return rc;
    snprintf(buf, cap, "%s/adapters/%s", exe, file);
    if (access(buf, R_OK) == 0)
        return 0;
    snprintf(buf, cap, "%s/../lib/certpath/%s", exe, file);
    if (access(buf, R_OK) == 0)
        return 0;
    return cp_error_set(CP_E_NOTFOUND,
                        "module %s not found beside %s (set "
                        "CERTPATH_ADAPTER_DIR)",
                        file, exe);
}

static void print_caps(FILE *out, unsigned caps)
{
    int n = 0;
#define CP_X_PRINT(code, bit, name)                                                                \
    if (caps & (code))                                                                             \
        fprintf(out, "%s%s", n++ ? ", " : "", name);
    CP_CAPS(CP_X_PRINT)
#undef CP_X_PRINT
}

int cp_stacks_print(FILE *out)
{
    int failed = 0;
    if (cp_stack_count == 0)
        fprintf(out, "no adapters were built (see the CMake configure summary)\n");
    for (int i = 0; i < cp_stack_count; i++) {
        const struct cp_stack_entry *e = &cp_stack_registry[i];
        char module[PATH_MAX];
        struct cp_pool pool;
        memset(&pool, 0, sizeof(pool));
        int rc = cp_module_path(e->name, module, sizeof(module));
        if (!rc)
            rc = cp_pool_start(&pool, module, NULL, 1, 10.0, 0, false);
        if (rc) {
            fprintf(out, "%-10s %-10s unavailable: %s\n", e->name, e->library, cp_error_msg(rc));
            failed++;
            continue;
        }
        fprintf(out, "%-10s %-10s %s\n           capabilities: ", e->name, e->library,
                pool.hello.version);
        print_caps(out, pool.hello.caps);
        fprintf(out, "\n           settings: %s\n", pool.hello.settings);
        cp_pool_stop(&pool);
    }
    return failed ? cp_error_set(CP_E_INTERNAL, "%d adapter(s) could not start", failed) : 0;
}

int cp_harness_worker_main(int argc, char **argv)
{
    return cp_worker_main(argc, argv);
}

int cp_harness_floor(const char *stack, const char *suite_dir)
{
    char module[PATH_MAX];
    struct cp_suite s;
    double secs = 0;
    int n = 0, rc;
    if ((rc = cp_module_path(stack, module, sizeof(module))) || (rc = cp_suite_load(suite_dir, &s)))
        return rc;
    rc = cp_worker_floor(module, &s, &secs, &n);
    if (!rc)
        printf("floor %s: %d cases in %.3f s, %.3f ms per case\n", stack, n, secs,
               n ? secs * 1000.0 / n : 0.0);
    cp_suite_free(&s);
    return rc;
}
