/*
 * names.c - the `names` family: name constraints at depth, an opt-in suite of its own
 * (`certpath generate --family names`). Its parts are in names_*.c; the oracle's rules are in
 * the names section of generator/oracle.c and docs/profiles.md.
 */
#include "cp_families.h"
#include "names_parts.h"

int cp_family_names(struct cp_model *m)
{
    int rc = cp_names_bettertls(m);
    return rc ? rc : cp_names_beyond(m);
}
