/*
 * fuzz_results.c - libFuzzer target: the results-file reader (reports/read.c) on any bytes,
 * then what every report does first with what it read: score it again.
 */
#include "cp_results.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cp_results r;
    char *text = malloc(size + 1); /* the reader wants a NUL after the text */
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (cp_results_parse(text, size, "fuzz/results.json", &r) == 0)
        cp_results_score(&r);
    cp_results_free(&r);
    free(text);
    return 0;
}
