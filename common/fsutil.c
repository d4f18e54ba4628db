#include "cp_fs.h"
#include "cp_common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    return write_close(fd, path, data, len);
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
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f)
        return cp_error_set(CP_E_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st)) {
        cp_error_set(rc, "cannot stat %s: %s", path, strerror(errno));
        goto out;
    }
    if ((size_t)st.st_size > max) {
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
