/*
 * err.c - error names, descriptions and the thread-local detail string.
 *
 * The detail lives in a fixed thread-local buffer, so setting it never allocates and never
 * fails; a detail longer than the buffer is cut. Any thread.
 */
#include "err.h"

#include <stdio.h>

static _Thread_local char detail[512];

static const struct {
    const char *name;
    const char *text;
} descriptions[BM_ERR_COUNT] = {
    [BM_OK] = {"BM_OK", "success"},
    [BM_ERR_INVALID_ARG] = {"BM_ERR_INVALID_ARG", "invalid argument"},
    [BM_ERR_NO_MEMORY] = {"BM_ERR_NO_MEMORY", "out of memory or over a size limit"},
    [BM_ERR_IO] = {"BM_ERR_IO", "input/output error"},
    [BM_ERR_NOT_FOUND] = {"BM_ERR_NOT_FOUND", "not found"},
    [BM_ERR_CONFIG] = {"BM_ERR_CONFIG", "invalid configuration"},
    [BM_ERR_PARSE] = {"BM_ERR_PARSE", "malformed data"},
    [BM_ERR_TIMEOUT] = {"BM_ERR_TIMEOUT", "timed out"},
    [BM_ERR_CANCELLED] = {"BM_ERR_CANCELLED", "cancelled"},
    [BM_ERR_BUSY] = {"BM_ERR_BUSY", "busy"},
    [BM_ERR_NO_DEVICE] = {"BM_ERR_NO_DEVICE", "device not present"},
    [BM_ERR_DEVICE] = {"BM_ERR_DEVICE", "device hardware error"},
    [BM_ERR_NO_MEDIA] = {"BM_ERR_NO_MEDIA", "no media"},
    [BM_ERR_MEDIA_JAM] = {"BM_ERR_MEDIA_JAM", "media jammed"},
    [BM_ERR_UNSUPPORTED] = {"BM_ERR_UNSUPPORTED", "not supported"},
    [BM_ERR_STATE] = {"BM_ERR_STATE", "not allowed in the current state"},
    [BM_ERR_SHUTDOWN] = {"BM_ERR_SHUTDOWN", "shutting down"},
    [BM_ERR_INTERNAL] = {"BM_ERR_INTERNAL", "internal error"},
    [BM_ERR_NO_SPACE] = {"BM_ERR_NO_SPACE", "no space left"},
};

static int known(enum bm_err err)
{
    return (unsigned)err < BM_ERR_COUNT && descriptions[err].name;
}

const char *bm_err_str(enum bm_err err)
{
    return known(err) ? descriptions[err].text : "unknown error";
}

const char *bm_err_name(enum bm_err err)
{
    return known(err) ? descriptions[err].name : "BM_ERR_UNKNOWN";
}

enum bm_err bm_err_vset(enum bm_err err, const char *fmt, va_list ap)
{
    vsnprintf(detail, sizeof detail, fmt, ap);
    return err;
}

enum bm_err bm_err_set(enum bm_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_err_vset(err, fmt, ap);
    va_end(ap);
    return err;
}

const char *bm_err_detail(void)
{
    return detail;
}

void bm_err_clear(void)
{
    detail[0] = '\0';
}
