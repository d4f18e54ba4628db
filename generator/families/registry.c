#include "cp_families.h"

#include <string.h>

const struct cp_family cp_families[] = {
    {"controls", "the must-accept and must-reject controls every run starts with",
     cp_family_controls, false},
    {"bettertls", "Netflix BetterTLS path-building graphs, scenarios and defects, in 3 orders",
     cp_family_bettertls, false},
    {"ordering", "chains of depth 1-6 sent in order, reversed, shuffled, with extras",
     cp_family_ordering, false},
    {"incidents", "AddTrust 2020 and Let's Encrypt DST Root CA X3 2021 cross-sign shapes",
     cp_family_incidents, false},
    {"validity", "expired and not-yet-valid leaves, intermediates, cross-signs and anchors",
     cp_family_validity, false},
    {"constraints", "basic constraints, pathLen, key usage, EKU on CAs, name constraints",
     cp_family_constraints, false},
    {"algorithms", "SHA-1, unknown algorithms, corrupted signatures, RSA and ECDSA mixed",
     cp_family_algorithms, false},
    {"cycles", "cross-certification loops, the RFC 4158 mesh, key rollover", cp_family_cycles,
     false},
    {"pathological", "large cross-signed pools and deep chains (work must stay bounded)",
     cp_family_pathological, false},
    {"names",
     "name constraints: BetterTLS's suite case for case, and the forms and placements it lacks "
     "(opt-in)",
     cp_family_names, true},
};

const int cp_nfamilies = (int)CP_ARRAY_LEN(cp_families);

const struct cp_family *cp_family_find(const char *name)
{
    for (int i = 0; i < cp_nfamilies; i++) {
        if (strcmp(cp_families[i].name, name) == 0)
            return &cp_families[i];
    }
    return NULL;
}
