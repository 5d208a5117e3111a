/*
 * test_support.h - small helpers shared by the test programs (temporary dirs, files, CI
 * detection). Include after cmocka's prerequisites; any thread.
 */
#ifndef BM_TEST_SUPPORT_H
#define BM_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

/* Exit code CTest treats as "skipped" (only where a prerequisite is truly absent). */
#define BM_TEST_SKIP 77

/* A fresh empty directory under the build's test tmp dir, unique per call. Returns a static
 * buffer valid until the next call. */
const char *bm_test_mkdtemp(const char *prefix);

/* Writes text to dir/name; returns the full path in a static buffer. */
const char *bm_test_write_file(const char *dir, const char *name, const char *text);

/* Reads a whole file into a malloc'd NUL-terminated buffer (NULL if absent); *len if given. */
char *bm_test_read_file(const char *path, size_t *len);

/* Whether we run under CI (CI=true): skipping is then a failure. */
bool bm_test_in_ci(void);

/*
 * Skips the whole program (exit 77) because `what` is absent -- unless in CI, where it fails
 * (CI installs everything).
 */
void bm_test_skip_or_fail(const char *what) __attribute__((noreturn));

/* Path of a file in the source tree (static buffer). */
const char *bm_test_source_path(const char *rel);

/*
 * A small disk of its own for full-disk tests: a 1 MiB tmpfs mounted on dir in a private mount
 * namespace (as root, or in an unprivileged user namespace where the system allows it); false
 * if neither works here. The namespace stays the calling process's for its life.
 */
bool bm_test_mount_small_disk(const char *dir);
/* Writes path until its file system has not one byte left. */
void bm_test_fill_disk(const char *path);

#endif
