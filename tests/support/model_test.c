#include "cp_model_test.h"

#include <string.h>

int cp_test_count_family(const struct cp_model *m, const char *family)
{
    int n = 0;
    for (int i = 0; i < m->ncases; i++)
        n += strcmp(m->cases[i].family, family) == 0;
    return n;
}

bool cp_test_id_has(const struct cp_case *c, const char *part)
{
    return strstr(c->id, part) != NULL;
}

bool cp_test_plain_label(const char *s)
{
    for (; *s; s++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-", *s))
            return false;
    }
    return true;
}
