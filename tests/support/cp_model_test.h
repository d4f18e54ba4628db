/* cp_model_test.h - small questions the family tests ask of a model. */
#ifndef CP_MODEL_TEST_H
#define CP_MODEL_TEST_H

#include "cp_model.h"

#include <stdbool.h>

/* How many cases the family made. */
int cp_test_count_family(const struct cp_model *m, const char *family);
/* Whether the case id contains part. */
bool cp_test_id_has(const struct cp_case *c, const char *part);
/* Whether a label is plain: letters, digits, space, dot, underscore, hyphen. */
bool cp_test_plain_label(const char *s);

#endif
