/*
 * err.h - the one error enum of bianmin.
 *
 * Every fallible function returns enum bm_err (BM_OK is 0). The code says what kind of failure
 * it was; the words for a log line go into a thread-local detail string (bm_err_set), so the
 * caller can add "why" without changing signatures. Words for residents never come from here:
 * screens map (device class, error) to translated text.
 */
#ifndef BM_CORE_ERR_H
#define BM_CORE_ERR_H

#include <stdarg.h>

enum bm_err {
    BM_OK = 0,
    BM_ERR_INVALID_ARG,     /* a caller broke an API contract */
    BM_ERR_NO_MEMORY,       /* allocation failed or a hard cap was reached */
    BM_ERR_IO,              /* read/write/ioctl failed */
    BM_ERR_NOT_FOUND,       /* file, key, device or item absent */
    BM_ERR_CONFIG,          /* configuration invalid */
    BM_ERR_PARSE,           /* malformed input (file, frame, reply) */
    BM_ERR_TIMEOUT,         /* no answer in time */
    BM_ERR_CANCELLED,       /* the request was cancelled */
    BM_ERR_BUSY,            /* the device or worker is doing something else */
    BM_ERR_NO_DEVICE,       /* device absent or unplugged */
    BM_ERR_DEVICE,          /* the device reported a hardware error */
    BM_ERR_NO_MEDIA,        /* no card, no page, no paper */
    BM_ERR_MEDIA_JAM,       /* paper or card jammed */
    BM_ERR_UNSUPPORTED,     /* the driver or device cannot do this */
    BM_ERR_STATE,           /* not allowed in the current state */
    BM_ERR_SHUTDOWN,        /* the subsystem is shutting down */
    BM_ERR_INTERNAL,        /* a bug: should never happen */
    BM_ERR_NO_SPACE,        /* a disk or a store is full */
    BM_ERR_COUNT
};

/* A short, stable, English description of the code (never NULL), for logs and the CLI. */
const char *bm_err_str(enum bm_err err);

/* A stable identifier such as "BM_ERR_TIMEOUT", for logs and JSON. */
const char *bm_err_name(enum bm_err err);

/*
 * Sets this thread's detail string and returns err unchanged, so a failing path can say
 * `return bm_err_set(BM_ERR_IO, "open %s: %s", path, strerror(errno));`.
 * The detail is for logs: it passes through the log redaction like any other text.
 */
enum bm_err bm_err_set(enum bm_err err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum bm_err bm_err_vset(enum bm_err err, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* This thread's last detail string ("" if none). Valid until the next bm_err_set here. */
const char *bm_err_detail(void);

/* Forgets this thread's detail string. */
void bm_err_clear(void);

#endif
