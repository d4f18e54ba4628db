/*
 * cp_registry.h - the stacks this build of certpath knows, one row each.
 *
 * One line per row in registry.c, guarded by the CMake option that built its module. A row
 * names the module a worker loads and the argument its init gets, so one module can give
 * several rows: the curl module once per libcurl flavour, the exec module once per verifier
 * written in another language. Rows that cannot run here (LibreSSL, Edge, Safari) are listed
 * with the reason, so the table says so instead of leaving them out. The module itself is
 * loaded only inside a worker, never by the process that lists stacks.
 */
#ifndef CP_REGISTRY_H
#define CP_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

struct cp_stack_entry {
    const char *name;        /* what --stack takes */
    const char *library;     /* what people call it */
    const char *module;      /* certpath-adapter-<module>.so */
    const char *arg;         /* what the module's init gets: NULL, or text; "@/x" is the path
                                x under the adapter directory (an exec verifier) */
    const char *needs;       /* NULL, a shared library (searched in the loader's directories)
                                or an absolute path, that must be installed for the row to run */
    const char *unavailable; /* non-NULL: why the row cannot run on this platform at all */
    bool wall_clock_only;    /* the CPU limit does not apply (run --cpu-limit still sets one):
                                the row's CPU is a browser's rendering, not path building */
};

extern const struct cp_stack_entry cp_stack_registry[];
extern const int cp_stack_count;

/* The registry entry for a name, or NULL. */
const struct cp_stack_entry *cp_stack_find(const char *name);

/* Whether a row can run on this machine; when not, *why says why (static text or buf). */
bool cp_stack_runnable(const struct cp_stack_entry *e, char *buf, size_t cap, const char **why);

#endif
