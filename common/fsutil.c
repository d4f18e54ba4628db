#include "cp_fs.h"
#include "cp_common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int cp_fs_mkdirs(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return cp_error_set(CP_E_ARG, "directory path \"%s\" is empty or too long", path);
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) && errno != EEXIST)
            return cp_error_set(CP_E_IO, "cannot create directory %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) && errno != EEXIST)
        return cp_error_set(CP_E_IO, "cannot create directory %s: %s", buf, strerror(errno));
    return 0;
}

/* Writes all of data to fd and closes it; messages name path. */
static int write_close(int fd, const char *path, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            close(fd);
            return cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(e));
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd))
        return cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int cp_fs_write(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return cp_error_set(CP_E_IO, "cannot create %s: %s", path, strerror(errno));
    int rc = write_close(fd, path, data, len);
    /* Half a file read back later as a whole one is worse than none. */
    if (rc)
        unlink(path);
    return rc;
}

int cp_fs_write_atomic(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
        return cp_error_set(CP_E_LIMIT, "path %s is too long", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return cp_error_set(CP_E_IO, "cannot create a file beside %s: %s", path, strerror(errno));
    /* mkostemp makes the file 0600; the result is an ordinary file anyone may read. */
    int rc =
        fchmod(fd, 0644) ? cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno)) : 0;
    if (rc)
        close(fd);
    else
        rc = write_close(fd, path, data, len);
    if (!rc && rename(tmp, path))
        rc = cp_error_set(CP_E_IO, "cannot write %s: %s", path, strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) ? -1 : 0;
}

int cp_fs_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) && errno == ENOENT)
        return 0;
    if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS))
        return cp_error_set(CP_E_IO, "cannot remove %s: %s", path, strerror(errno));
    return 0;
}

int cp_fs_read(const char *path, size_t max, char **out, size_t *len)
{
    int rc = CP_E_IO;
    char *buf = NULL;
    FILE *f = NULL;
    /* O_NONBLOCK: a FIFO or a device in place of a file must not hang the reader at open. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    *out = NULL;
    if (fd < 0)
        return cp_error_set(CP_E_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st)) {
        rc = cp_error_set(rc, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return cp_error_set(CP_E_FORMAT, "%s is not a regular file", path);
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) || !(f = fdopen(fd, "rb"))) {
        rc = cp_error_set(rc, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        rc = cp_error_set(CP_E_LIMIT, "%s is %lld bytes, more than the %zu allowed", path,
                          (long long)st.st_size, max);
        goto out;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = cp_error_set(CP_E_NOMEM, "out of memory reading %s", path);
        goto out;
    }
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    if (n != (size_t)st.st_size || ferror(f)) {
        cp_error_set(rc, "cannot read %s", path);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    buf = NULL;
    if (len)
        *len = n;
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}

int cp_fs_lock(const char *path, int *fd_out)
{
    char lock[PATH_MAX], text[32];
    *fd_out = -1;
    if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
        return cp_error_set(CP_E_LIMIT, "path %s is too long", path);
    /* A lock file that a finished holder unlinked between our open and our flock is stale:
     * locking it would lock nothing, so retry on the file now at that path. */
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        struct stat a, b;
        if (fd < 0)
            return cp_error_set(CP_E_IO, "cannot write beside %s (lock file %s): %s", path, lock,
                                strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB)) {
            int e = errno;
            ssize_t n = e == EWOULDBLOCK ? pread(fd, text, sizeof(text) - 1, 0) : -1;
            close(fd);
            if (e != EWOULDBLOCK)
                return cp_error_set(CP_E_IO, "cannot lock %s: %s", lock, strerror(e));
            text[n > 0 ? n : 0] = '\0';
            text[strcspn(text, "\n")] = '\0';
            return cp_error_set(CP_E_IO,
                                "%s is being written by another certpath run (pid %s, lock %s); "
                                "wait for it to finish or give this run another -o",
                                path, *text ? text : "?", lock);
        }
        if (fstat(fd, &a) || stat(lock, &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
            close(fd);
            continue;
        }
        int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) || pwrite(fd, text, (size_t)len, 0) != len) {
            int e = errno;
            cp_fs_unlock(path, fd);
            return cp_error_set(CP_E_IO, "cannot write %s: %s", lock, strerror(e));
        }
        *fd_out = fd;
        return 0;
    }
    return cp_error_set(CP_E_IO, "cannot lock %s.lock: it keeps being replaced", path);
}

void cp_fs_unlock(const char *path, int fd)
{
    char lock[PATH_MAX];
    if (fd < 0)
        return;
    /* Unlinked while still held, so a waiting run never locks a file that is gone. */
    if (snprintf(lock, sizeof(lock), "%s.lock", path) < (int)sizeof(lock))
        unlink(lock);
    close(fd);
}
