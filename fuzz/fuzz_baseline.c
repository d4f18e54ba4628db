/*
 * fuzz_baseline.c - libFuzzer target: the baseline reader (reports/baseline_read.c) on any
 * bytes, and the gate's look-ups into what it read.
 */
#include "baseline_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cp_bl b;
    memset(&b, 0, sizeof(b));
    if (cp_bl_parse((const char *)data, size, "fuzz/baseline.json", &b) == 0) {
        const struct cp_bl_mode *m = cp_bl_mode(&b, "in-process");
        if (m)
            (void)cp_bl_case(m, "controls/accept");
    }
    cp_bl_free(&b);
    return 0;
}
