/*
 * fuzz_limbo_scan.c - libFuzzer target: the x509-limbo importer's stream reader
 * (limbo/scan.c), which walks a limbo.json of any size one testcase at a time. The input is
 * given to it as a file (a memfd, reopened through /proc/self/fd) and read to its end or its
 * first error.
 */
#include "limbo_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Items read from one input at most: far above what a small input holds. */
#define FUZZ_MAX_ITEMS 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char path[64];
    struct cp_limbo_scan s;
    enum cp_limbo_item item;
    if (fd < 0 && (fd = memfd_create("limbo.json", 0)) < 0)
        return 0;
    if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (cp_limbo_scan_open(&s, path) == 0) {
        for (int n = 0; n < FUZZ_MAX_ITEMS; n++) {
            if (cp_limbo_scan_next(&s, &item) || item == CP_LIMBO_ITEM_END)
                break;
        }
    }
    cp_limbo_scan_close(&s);
    return 0;
}
