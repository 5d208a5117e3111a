/*
 * log.h - levelled logging with personal-data redaction.
 *
 * Lines go to stderr with a journald priority prefix ("<6>") so systemd files them at the right
 * level, and optionally to a file. Redaction happens here, once, for every path: ID card numbers
 * (18 and old 15 digits), mainland mobile numbers, and any field marked personal are replaced
 * before a byte is written. Callers still must not log personal data on purpose; the redaction
 * is the net under them. Any thread may call these functions.
 */
#ifndef BM_CORE_LOG_H
#define BM_CORE_LOG_H

#include "err.h"

#include <stdarg.h>
#include <stddef.h>

/* syslog/journald priorities, so the numeric value is the prefix written to stderr. */
enum bm_log_level {
    BM_LOG_ERROR = 3,
    BM_LOG_WARN = 4,
    BM_LOG_NOTICE = 5,
    BM_LOG_INFO = 6,
    BM_LOG_DEBUG = 7,
};

/* Parses "error", "warn", "notice", "info" or "debug". */
enum bm_err bm_log_level_parse(const char *name, enum bm_log_level *out);
const char *bm_log_level_name(enum bm_log_level level);

/* Lines above this level are dropped. Default BM_LOG_INFO. */
void bm_log_set_level(enum bm_log_level level);
enum bm_log_level bm_log_get_level(void);

/*
 * Also appends every line to path (created 0600). NULL or "" stops file logging.
 * Returns BM_ERR_IO if the file cannot be opened; stderr logging goes on regardless.
 */
enum bm_err bm_log_set_file(const char *path);

/* Turns the stderr copy off or on (tests that only read the file). Default on. */
void bm_log_set_stderr(int enabled);

/* Closes the log file. Safe to call more than once. */
void bm_log_shutdown(void);

/* One line: `module` is a short tag such as "config" or "id_reader". */
void bm_log(enum bm_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void bm_logv(enum bm_log_level level, const char *module, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define bm_log_error(mod, ...)  bm_log(BM_LOG_ERROR, mod, __VA_ARGS__)
#define bm_log_warn(mod, ...)   bm_log(BM_LOG_WARN, mod, __VA_ARGS__)
#define bm_log_notice(mod, ...) bm_log(BM_LOG_NOTICE, mod, __VA_ARGS__)
#define bm_log_info(mod, ...)   bm_log(BM_LOG_INFO, mod, __VA_ARGS__)
#define bm_log_debug(mod, ...)  bm_log(BM_LOG_DEBUG, mod, __VA_ARGS__)

/* Logs `what` with this thread's error detail: "what: <name>: <detail>". */
void bm_log_err(enum bm_log_level level, const char *module, enum bm_err err, const char *what);

/*
 * Structured line: a message plus key=value fields. A field marked personal is written as
 * key=[personal] whatever its value; values of unmarked fields are still scanned for ID and
 * phone numbers.
 */
struct bm_log_field {
    const char *key;
    const char *value;
    int personal;
};
#define BM_FIELD(k, v)          ((struct bm_log_field){(k), (v), 0})
#define BM_FIELD_PERSONAL(k, v) ((struct bm_log_field){(k), (v), 1})

void bm_log_fields(enum bm_log_level level, const char *module, const char *msg,
                   const struct bm_log_field *fields, size_t count);

/*
 * The redaction itself, exposed for tests and for other sinks (diagnostics export):
 * copies src to dst (size dstsz, always NUL-terminated) with personal numbers masked.
 * Returns the length written.
 */
size_t bm_log_redact(const char *src, char *dst, size_t dstsz);

#endif
