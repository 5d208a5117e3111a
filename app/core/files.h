/*
 * files.h - small files written so that a crash or a power cut leaves the old content or the
 * new, never a torn file: the outbox key, the receipt counters, the centre's catalog. Any
 * thread (each call blocks on fsync: never the main thread).
 */
#ifndef BM_CORE_FILES_H
#define BM_CORE_FILES_H

#include "err.h"

#include <stddef.h>
#include <sys/types.h>

/* Creates or truncates path (not through a symlink), writes all of data and fsyncs it. */
enum bm_err bm_file_write_synced(const char *path, const void *data, size_t len, mode_t mode);

/* Fsyncs the directory holding path, so a rename or link into it survives a power cut. */
enum bm_err bm_file_sync_dir(const char *path);

/*
 * Replaces path with data: written to path.tmp, fsync'd, renamed over path, the directory
 * fsync'd. On failure path is unchanged and the .tmp file removed.
 */
enum bm_err bm_file_replace(const char *path, const void *data, size_t len, mode_t mode);

#endif
