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
 * error, not a truncated file: the file is removed. */
int cp_fs_write(const char *path, const void *data, size_t len);

/* Writes len bytes to path through a temporary file beside it (path.tmp.XXXXXX, mode 0644)
 * renamed into place, so path holds either its old content or all of the new, never half; two
 * writers at once never share a temporary file. The temporary file is removed on failure. */
int cp_fs_write_atomic(const char *path, const void *data, size_t len);

/* rm -rf: removes path and everything under it; a missing path is not an error. */
int cp_fs_rmtree(const char *path);

/* Reads a whole file into a NUL-terminated buffer the caller frees; max bounds the size. Only a
 * regular file is read (a FIFO or a device is CP_E_FORMAT, and never blocks the open). */
int cp_fs_read(const char *path, size_t max, char **out, size_t *len);

/* Takes the lock of path: an exclusive flock on path.lock (created, holding our pid), so that
 * one process at a time writes path. Held: *fd is the lock's descriptor. Taken by another
 * process: CP_E_IO with a message naming path, the holder's pid and the lock file. A
 * directory that cannot be written fails here too (CP_E_IO naming it). */
int cp_fs_lock(const char *path, int *fd);
/* Releases the lock cp_fs_lock(path) took and removes path.lock; fd -1 is a no-op. */
void cp_fs_unlock(const char *path, int fd);

#endif
