/*
 * cp_fs.h - small file-system helpers. Each returns 0 or a negative CP_E_* with a message that
 * names the path.
 */
#ifndef CP_FS_H
#define CP_FS_H

#include <stddef.h>

/* mkdir -p: creates path and its missing parents (mode 0755). */
int cp_fs_mkdirs(const char *path);

/* Writes len bytes to path (created or truncated, mode 0644). A short write (a full disk) is an
 * error, not a truncated file. */
int cp_fs_write(const char *path, const void *data, size_t len);

/* Writes len bytes to path through a temporary file beside it (path.tmp.XXXXXX, mode 0644)
 * renamed into place, so path holds either its old content or all of the new, never half; two
 * writers at once never share a temporary file. The temporary file is removed on failure. */
int cp_fs_write_atomic(const char *path, const void *data, size_t len);

/* rm -rf: removes path and everything under it; a missing path is not an error. */
int cp_fs_rmtree(const char *path);

/* Reads a whole file into a NUL-terminated buffer the caller frees; max bounds the size. */
int cp_fs_read(const char *path, size_t max, char **out, size_t *len);

#endif
