/* incidents.c - placeholder until the family lands (adds no cases). */
#include "cp_families.h"

int cp_family_incidents(struct cp_model *m)
{
    (void)m;
    return 0;
}
