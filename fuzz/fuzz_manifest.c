/*
 * fuzz_manifest.c - libFuzzer target: the manifest reader (manifest/read.c, check.c) on any
 * bytes. Every input is refused with a message or read into a manifest that is then freed;
 * nothing may crash, leak or read out of bounds (built with ASan + UBSan).
 */
#include "cp_manifest.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cp_manifest m;
    if (cp_manifest_parse((const char *)data, size, "fuzz/manifest.json", &m) == 0)
        cp_manifest_free(&m);
    return 0;
}
