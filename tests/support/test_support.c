/*
 * test_support.c - helpers shared by the test programs. See test_support.h.
 */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

const char *bm_test_mkdtemp(const char *prefix)
{
    static char path[4096];
    const char *base = getenv("BM_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0700);
    snprintf(path, sizeof path, "%s/%s-XXXXXX", base, prefix);
    if (!mkdtemp(path)) {
        fprintf(stderr, "mkdtemp %s: %s\n", path, strerror(errno));
        abort();
    }
    return path;
}

const char *bm_test_write_file(const char *dir, const char *name, const char *text)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "fopen %s: %s\n", path, strerror(errno));
        abort();
    }
    fputs(text, f);
    fclose(f);
    return path;
}

char *bm_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

bool bm_test_in_ci(void)
{
    const char *ci = getenv("CI");
    return ci && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}

void bm_test_skip_or_fail(const char *what)
{
    if (bm_test_in_ci()) {
        fprintf(stderr, "FAIL: %s is missing, and CI must have everything\n", what);
        exit(1);
    }
    fprintf(stderr, "SKIP: %s is missing\n", what);
    exit(BM_TEST_SKIP);
}

const char *bm_test_source_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", BM_SOURCE_DIR, rel);
    return path;
}

bool bm_test_mount_small_disk(const char *dir)
{
    if (unshare(CLONE_NEWNS) != 0) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return false;
        char map[64];
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        bm_test_write_file("/proc/self", "uid_map", map);
        bm_test_write_file("/proc/self", "setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        bm_test_write_file("/proc/self", "gid_map", map);
    }
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
           mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700") == 0;
}

void bm_test_fill_disk(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf(stderr, "fill %s: %s\n", path, strerror(errno));
        abort();
    }
    static const char block[4096];
    while (write(fd, block, sizeof block) > 0)
        ;
    while (write(fd, block, 1) > 0) /* the last partial block */
        ;
    close(fd);
}
