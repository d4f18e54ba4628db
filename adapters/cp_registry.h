/*
 * cp_registry.h - the stacks this build of certpath has adapters for.
 *
 * One line per stack in registry.c, guarded by the CMake option that built its module; the
 * module itself is loaded only inside a worker, never by the process that lists stacks.
 */
#ifndef CP_REGISTRY_H
#define CP_REGISTRY_H

#include <stddef.h>

struct cp_stack_entry {
    const char *name;    /* what --stack takes */
    const char *library; /* what people call it */
};

extern const struct cp_stack_entry cp_stack_registry[];
extern const int cp_stack_count;

/* The registry entry for a name, or NULL. */
const struct cp_stack_entry *cp_stack_find(const char *name);

#endif
