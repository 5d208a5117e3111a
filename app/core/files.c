/*
 * files.c - crash-safe small files (files.h).
 *
 * Writes loop over short writes; every error names the file and the errno. The replace is the
 * classic temp + fsync + rename + directory fsync; callers that need another order (a
 * signature file before its document) use the two halves.
 *
 * Any thread.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum bm_err bm_file_write_synced(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return bm_err_set(BM_ERR_IO, "%s: %s", path, strerror(errno));
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return bm_err_set(e == ENOSPC ? BM_ERR_NO_SPACE : BM_ERR_IO, "%s: write: %s", path,
                              strerror(e));
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return bm_err_set(BM_ERR_IO, "%s: fsync: %s", path, strerror(e));
    }
    return close(fd) == 0 ? BM_OK : bm_err_set(BM_ERR_IO, "%s: close: %s", path, strerror(errno));
}

enum bm_err bm_file_sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0'; /* a file in / */
    else if (slash)
        *slash = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bm_err_set(BM_ERR_IO, "the directory of %s: %s", path, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    return rc == 0 ? BM_OK
                   : bm_err_set(BM_ERR_IO, "fsync the directory of %s: %s", path, strerror(e));
}

enum bm_err bm_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return bm_err_set(BM_ERR_INVALID_ARG, "%s: path too long", path);
    enum bm_err err = bm_file_write_synced(tmp, data, len, mode);
    if (err == BM_OK && rename(tmp, path) != 0)
        err = bm_err_set(BM_ERR_IO, "rename %s: %s", tmp, strerror(errno));
    if (err != BM_OK) {
        unlink(tmp);
        return err;
    }
    return bm_file_sync_dir(path);
}
