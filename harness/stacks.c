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

/* "@/x" in a registry row is x under the directory the module was found in. */
static int expand_arg(struct cp_stack_spec *sp, const char *arg)
{
    sp->has_arg = arg != NULL;
    if (!arg)
        return 0;
    if (strncmp(arg, "@/", 2) != 0) {
        snprintf(sp->arg, sizeof(sp->arg), "%s", arg);
        return 0;
    }
    const char *slash = strrchr(sp->module, '/');
    int dirlen = slash ? (int)(slash - sp->module) : 1;
    if (snprintf(sp->arg, sizeof(sp->arg), "%.*s/%s", dirlen, slash ? sp->module : ".", arg + 2) >=
        (int)sizeof(sp->arg))
        return cp_error_set(CP_E_LIMIT, "path of %s is too long", arg);
    return 0;
}

/* A results name from a program path: exec:/opt/x/my-verifier.py runs as "my-verifier". */
static void name_from_program(char *name, size_t cap, const char *prog)
{
    const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
    snprintf(name, cap, "%.*s", (int)strcspn(base, "."), base);
}

int cp_stack_resolve(const char *spec, struct cp_stack_spec *sp)
{
    const char *colon = strchr(spec, ':'), *slash = strchr(spec, '/');
    char want[64];
    int rc;
    memset(sp, 0, sizeof(*sp));
    if (slash && (!colon || slash < colon)) { /* a module path: a fake or a third party's */
        const char *base = strrchr(spec, '/') + 1;
        snprintf(sp->module, sizeof(sp->module), "%.*s",
                 colon ? (int)(colon - spec) : (int)strlen(spec), spec);
        snprintf(sp->name, sizeof(sp->name), "%.*s", (int)strcspn(base, ".:"), base);
        return expand_arg(sp, colon ? colon + 1 : NULL);
    }
    snprintf(want, sizeof(want), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    snprintf(sp->name, sizeof(sp->name), "%s", want);
    const struct cp_stack_entry *e = cp_stack_find(want);
    if (e && e->unavailable)
        return cp_error_set(CP_E_NOTFOUND, "%s: %s", want, e->unavailable);
    /* A row's module, or a module by its own name (exec:PROGRAM, curl:/path/libcurl.so). */
    if ((rc = cp_module_path(e ? e->module : want, sp->module, sizeof(sp->module))))
        return e ? rc
                 : cp_error_set(CP_E_NOTFOUND,
                                "no adapter \"%s\" in this build (see `certpath stacks`)", want);
    if (colon && !e && strcmp(want, "exec") == 0)
        name_from_program(sp->name, sizeof(sp->name), colon + 1);
    sp->row = e && !colon;
    return expand_arg(sp, colon ? colon + 1 : e ? e->arg : NULL);
}

static void print_caps(FILE *out, unsigned caps)
{
    int n = 0;
    for (unsigned i = 0; i < CP_CAP_COUNT; i++) {
        if (caps & (1u << i))
            fprintf(out, "%s%s", n++ ? ", " : "", cp_cap_name(1u << i));
    }
}

int cp_stacks_print(FILE *out)
{
    int failed = 0;
    if (cp_stack_count == 0)
        fprintf(out, "no adapters were built (see the CMake configure summary)\n");
    for (int i = 0; i < cp_stack_count; i++) {
        const struct cp_stack_entry *e = &cp_stack_registry[i];
        struct cp_stack_spec sp;
        struct cp_pool pool;
        char buf[256];
        const char *why;
        memset(&pool, 0, sizeof(pool));
        if (!cp_stack_runnable(e, buf, sizeof(buf), &why)) {
            fprintf(out, "%-14s %-14s %s\n", e->name, e->library, why);
            continue;
        }
        int rc = cp_stack_resolve(e->name, &sp);
        if (!rc)
            rc = cp_pool_start(&pool, sp.module, sp.has_arg ? sp.arg : NULL, 1, 10.0, 0, false);
        if (rc) {
            fprintf(out, "%-14s %-14s unavailable: %s\n", e->name, e->library, cp_error_msg(rc));
            failed++;
            continue;
        }
        fprintf(out, "%-14s %-14s %s\n               capabilities: ", e->name, e->library,
                pool.hello.version);
        print_caps(out, pool.hello.caps);
        fprintf(out, "\n               settings: %s\n", pool.hello.settings);
        cp_pool_stop(&pool);
    }
    return failed ? cp_error_set(CP_E_INTERNAL, "%d adapter(s) could not start", failed) : 0;
}

int cp_harness_floor(const char *stack, const char *suite_dir)
{
    char module[PATH_MAX], worker[PATH_MAX];
    int rc;
    if ((rc = cp_module_path(stack, module, sizeof(module))) ||
        (rc = cp_worker_exe(worker, sizeof(worker))))
        return rc;
    /* The floor runs in the worker program, which holds the module's TLS library alone. */
    fflush(stdout);
    char *argv[] = {(char *)"certpath-worker", (char *)"--floor", module, (char *)suite_dir, NULL};
    execv(worker, argv);
    return cp_error_set(CP_E_IO, "cannot run %s: %s", worker, strerror(errno));
}
