/*
 * outbox_key.c - the outbox's key file (outbox_key.h).
 *
 * A missing key is made beside the file and linked into place, so a crash can leave a stray
 * .new file but never a short key. An existing one is used only if nobody else could have
 * read it: a key others can read protects nothing, and the kiosk says so instead of using it.
 *
 * Any thread.
 */
#include "outbox_key.h"

#include "core/files.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Writes a new key beside path, then links it into place: a crash can leave a stray .new
 * file, never a short key file that would stop the outbox. If another key got there first
 * (link fails with EEXIST), that one is used.
 */
static enum bm_err make_key(const char *path, unsigned char *master)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
        return bm_err_set(BM_ERR_CONFIG, "outbox key %s: path too long", path);
    unlink(tmp);
    randombytes_buf(master, BM_OUTBOX_KEY_BYTES);
    enum bm_err werr = bm_file_write_synced(tmp, master, BM_OUTBOX_KEY_BYTES, 0600);
    bool ok = werr == BM_OK;
    int e = 0;
    if (ok && link(tmp, path) != 0) {
        e = errno;
        ok = false;
    }
    unlink(tmp);
    if (!ok && e == EEXIST)
        return bm_outbox_read_key(path, master);
    if (werr != BM_OK)
        return werr; /* its detail names the file */
    if (!ok)
        return bm_err_set(BM_ERR_IO, "outbox key %s: %s", path, strerror(e));
    bm_log_notice("outbox", "made a new outbox key in %s", path);
    return bm_file_sync_dir(path);
}

enum bm_err bm_outbox_read_key(const char *path, unsigned char *master)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return make_key(path, master);
    if (fd < 0)
        return bm_err_set(BM_ERR_CONFIG, "outbox key %s: %s", path, strerror(errno));
    struct stat st;
    enum bm_err err = BM_OK;
    if (fstat(fd, &st) != 0)
        err = bm_err_set(BM_ERR_IO, "outbox key %s: stat: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        err = bm_err_set(BM_ERR_CONFIG, "outbox key %s: not a regular file", path);
    else if (st.st_uid != geteuid())
        err = bm_err_set(BM_ERR_CONFIG, "outbox key %s: owned by uid %u, not by this user", path,
                         (unsigned)st.st_uid);
    else if (st.st_mode & 077)
        err = bm_err_set(BM_ERR_CONFIG,
                         "outbox key %s: mode %03o lets others read it; expected 600 (chmod 600)",
                         path, (unsigned)(st.st_mode & 0777));
    else if (st.st_size != BM_OUTBOX_KEY_BYTES)
        err = bm_err_set(BM_ERR_CONFIG, "outbox key %s: %lld bytes; expected %d", path,
                         (long long)st.st_size, BM_OUTBOX_KEY_BYTES);
    else if (read(fd, master, BM_OUTBOX_KEY_BYTES) != BM_OUTBOX_KEY_BYTES)
        err = bm_err_set(BM_ERR_IO, "outbox key %s: short read", path);
    close(fd);
    return err;
}
