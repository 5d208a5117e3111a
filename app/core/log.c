/*
 * log.c - levelled logging to stderr (journald priority prefixes) and an optional file, with
 * personal-data redaction.
 *
 * Every path (bm_log, bm_logv, bm_log_err, bm_log_fields) builds the whole line body
 * ("module: message ...") in a local buffer first, then runs it through bm_log_redact once, and
 * only the redacted text is written. So no caller-side formatting, field or error detail can
 * reach a sink unredacted.
 *
 * What is masked (bm_log_redact). A "number" is a chain of ASCII digit runs joined by one
 * space or one dash ("138 1234 5678", "110105 19491231 002X", "+86-138-1234-5678"), whatever
 * surrounds it (letters too: "ID11010519491231002X" is caught), and an X/x right after a digit
 * ends it. The whole chain is judged and masked as one, never in part:
 *   - 15 or more digits: "[id]" when it has the shape of a resident ID number (18 digits,
 *     17 + X, or the old 15 digits), "[number]" otherwise. A chain longer than 18 is not an
 *     ID, but any 18 consecutive digits of it could be one, so none of it is shown; bank card
 *     numbers (16-19 digits) fall under the same rule.
 *   - 11 to 14 digits holding a mobile number (1[3-9] and 9 more) anywhere: "[phone]" (this
 *     covers 86..., +86 ..., 0... and, at 15 digits, 0086...).
 * Judging whole chains is what keeps an ID from leaking through its surroundings ("12" glued in
 * front, "9 " before a spaced phone number). The price: a list of small numbers separated by
 * single spaces or dashes that adds up to 15 digits is masked too ("8080 8081 8082 8083"), so
 * write such lists with commas. Dates and times ("2024-05-01 12:30:45", 10 digits before the
 * colon) are untouched.
 * Masks are never longer than what they replace, so redacting never lengthens a text. Not
 * caught: full-width digits, other separators ("110105/1949..."), numbers spelled in words.
 * The net is no excuse to log personal data; it is there for the slip.
 *
 * Control characters in a message become spaces (one line stays one line). A body longer than
 * the cap is cut and marked; when the first formatting had to cut a message, the cut may have
 * split a number, so trailing digits at the cut are dropped before redaction.
 *
 * Threads: any thread. The level is atomic; one mutex orders the writes, and each line is one
 * write(2) per sink, so lines never interleave.
 */
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* A whole written line (prefix, body, marker, newline) stays within this. */
#define LINE_CAP 2048
/* The body before redaction may be longer: redaction only shrinks it, and cutting after
 * redaction cannot split a personal number. */
#define FORMAT_CAP 8192
/* Room kept for "<N>" on stderr, or timestamp and level name in the file. */
#define PREFIX_ROOM 64
#define BODY_CAP (LINE_CAP - PREFIX_ROOM)

static const char TRUNC_MARK[] = " [...truncated]";

static _Atomic int current_level = BM_LOG_INFO;
static _Atomic int stderr_enabled = 1;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static int file_fd = -1;

static const char *const level_names[] = {
    [BM_LOG_ERROR] = "error", [BM_LOG_WARN] = "warn",   [BM_LOG_NOTICE] = "notice",
    [BM_LOG_INFO] = "info",   [BM_LOG_DEBUG] = "debug",
};

enum bm_err bm_log_level_parse(const char *name, enum bm_log_level *out)
{
    for (int l = BM_LOG_ERROR; name && l <= BM_LOG_DEBUG; l++) {
        if (strcmp(name, level_names[l]) == 0) {
            if (out)
                *out = (enum bm_log_level)l;
            return BM_OK;
        }
    }
    return bm_err_set(BM_ERR_INVALID_ARG, "unknown log level \"%s\"; allowed: "
                      "error|warn|notice|info|debug", name ? name : "(null)");
}

const char *bm_log_level_name(enum bm_log_level level)
{
    if (level < BM_LOG_ERROR || level > BM_LOG_DEBUG)
        return "?";
    return level_names[level];
}

void bm_log_set_level(enum bm_log_level level)
{
    if (level < BM_LOG_ERROR)
        level = BM_LOG_ERROR;
    if (level > BM_LOG_DEBUG)
        level = BM_LOG_DEBUG;
    atomic_store(&current_level, (int)level);
}

enum bm_log_level bm_log_get_level(void)
{
    return (enum bm_log_level)atomic_load(&current_level);
}

void bm_log_set_stderr(int enabled)
{
    atomic_store(&stderr_enabled, enabled != 0);
}

enum bm_err bm_log_set_file(const char *path)
{
    int fd = -1;
    if (path && *path) {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
            return bm_err_set(BM_ERR_IO, "open log file %s: %s", path, strerror(errno));
    }
    pthread_mutex_lock(&write_lock);
    int old = file_fd;
    file_fd = fd;
    pthread_mutex_unlock(&write_lock);
    if (old >= 0)
        close(old);
    return BM_OK;
}

void bm_log_shutdown(void)
{
    bm_log_set_file(NULL);
}

/* ---- redaction ---------------------------------------------------------------------------- */

struct out {
    char *p;
    size_t cap; /* including the NUL */
    size_t n;
};

static void put(struct out *o, const char *s, size_t len)
{
    if (o->cap == 0)
        return;
    size_t room = o->cap - 1 - o->n;
    if (len > room)
        len = room;
    memcpy(o->p + o->n, s, len);
    o->n += len;
    o->p[o->n] = '\0';
}

static void puts_out(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool mobile_at(const char *d)
{
    if (d[0] != '1' || d[1] < '3' || d[1] > '9')
        return false;
    for (int k = 2; k < 11; k++)
        if (!is_digit(d[k]))
            return false;
    return true;
}

/*
 * The mask for a chain of n digits (their text in digits when n <= 19), x: it ends in X/x.
 * NULL when it is not personal.
 */
static const char *classify(const char *digits, size_t n, bool x)
{
    bool phone = false;
    for (size_t k = 0; n >= 11 && n <= 15 && k + 11 <= n; k++)
        phone = phone || mobile_at(digits + k);
    if (phone && !x && (n < 15 || memcmp(digits, "0086", 4) == 0))
        return "[phone]";
    if (n == 18 || n == 15 || (n == 17 && x))
        return "[id]";
    if (n >= 15 || phone)
        return "[number]";
    return NULL;
}

size_t bm_log_redact(const char *src, char *dst, size_t dstsz)
{
    struct out o = {dst, dstsz, 0};
    if (dstsz)
        dst[0] = '\0';
    if (!src)
        return 0;
    size_t i = 0;
    while (src[i]) {
        if (!is_digit(src[i])) {
            put(&o, src + i, 1);
            i++;
            continue;
        }
        /* Read the whole chain: runs of digits joined by one space or dash; an X ends it. */
        char digits[20];
        size_t n = 0, end = i;
        bool x = false;
        for (;;) {
            while (is_digit(src[end])) {
                if (n < sizeof digits)
                    digits[n] = src[end];
                n++;
                end++;
            }
            if (src[end] == 'X' || src[end] == 'x') {
                x = true;
                end++;
                break;
            }
            if ((src[end] == ' ' || src[end] == '-') && is_digit(src[end + 1]))
                end++;
            else
                break;
        }
        const char *mask = classify(digits, n, x);
        if (mask) {
            /* "+86 138..." leaves no stray '+'. */
            if (i > 0 && src[i - 1] == '+' && o.n > 0 && o.p[o.n - 1] == '+')
                o.p[--o.n] = '\0';
            puts_out(&o, mask);
        } else {
            put(&o, src + i, end - i);
        }
        i = end;
    }
    return o.n;
}

/* ---- line assembly ------------------------------------------------------------------------ */

static const char *const personal_tokens[] = {
    "name",    "idnum",  "idno", "idcard",    "phone", "mobile", "tel",   "telephone",
    "address", "addr",   "birth", "birthday", "dob",   "photo",  "email", "passport",
};

/* Whether a field key names personal data: one of its words (split at _ - . and case) is a
 * personal word, or it says id_number / id_no / id_card. */
static bool key_is_personal(const char *key)
{
    char word[32];
    char prev[32] = "";
    size_t i = 0;
    while (key && key[i]) {
        size_t len = 0;
        while (key[i] && (isalnum((unsigned char)key[i]))) {
            if (len < sizeof word - 1)
                word[len++] = (char)tolower((unsigned char)key[i]);
            i++;
        }
        word[len] = '\0';
        if (len) {
            for (size_t k = 0; k < sizeof personal_tokens / sizeof *personal_tokens; k++)
                if (strcmp(word, personal_tokens[k]) == 0)
                    return true;
            if (strcmp(prev, "id") == 0 &&
                (strcmp(word, "number") == 0 || strcmp(word, "no") == 0 ||
                 strcmp(word, "card") == 0))
                return true;
            memcpy(prev, word, len + 1);
        }
        while (key[i] && !isalnum((unsigned char)key[i]))
            i++;
    }
    return false;
}

/* A cut in the middle of a number may have split it: drop the digits (and joiners) at the end,
 * so redaction sees no partial ID it could not recognise. */
static void drop_cut_number(char *s, size_t *n)
{
    while (*n > 0) {
        char c = s[*n - 1];
        if (!(is_digit(c) || c == 'X' || c == 'x' || c == ' ' || c == '-' || c == '+'))
            break;
        (*n)--;
    }
    s[*n] = '\0';
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

/* Cuts s to at most max bytes at a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* nowhere left to report it */
        }
        p += w;
        n -= (size_t)w;
    }
}

static void timestamp(char *buf, size_t sz)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    /* Offsets are at most 14 h; the bounds only tell the compiler the widths. */
    int hours = (int)(off / 60 % 100), minutes = (int)(off % 60);
    int ms = (int)(ts.tv_nsec / 1000000 % 1000);
    snprintf(buf, sz, "%.19s.%03d%c%02d:%02d", base, ms, sign, hours, minutes);
}

/* raw: the unredacted body, n bytes; cut: whether composing it already cut something. */
static void emit(enum bm_log_level level, char *raw, size_t n, bool cut)
{
    if (cut)
        drop_cut_number(raw, &n);
    sanitize(raw);

    char body[FORMAT_CAP];
    size_t len = bm_log_redact(raw, body, sizeof body);
    size_t keep = utf8_cut(body, len, cut || len > BODY_CAP ? BODY_CAP - sizeof TRUNC_MARK : len);
    if (keep < len || cut) {
        body[keep] = '\0';
        len = keep;
        struct out o = {body, sizeof body, len};
        puts_out(&o, TRUNC_MARK);
        len = o.n;
    }

    char line[LINE_CAP];
    int stderr_on = atomic_load(&stderr_enabled);
    pthread_mutex_lock(&write_lock);
    if (stderr_on) {
        int p = snprintf(line, sizeof line, "<%d>%s\n", (int)level, body);
        if (p > 0)
            write_all(STDERR_FILENO, line, (size_t)p < sizeof line ? (size_t)p : sizeof line - 1);
    }
    if (file_fd >= 0) {
        char ts[48];
        timestamp(ts, sizeof ts);
        int p = snprintf(line, sizeof line, "%s %s %s\n", ts, bm_log_level_name(level), body);
        if (p > 0)
            write_all(file_fd, line, (size_t)p < sizeof line ? (size_t)p : sizeof line - 1);
    }
    pthread_mutex_unlock(&write_lock);
}

static bool enabled(enum bm_log_level level)
{
    return (int)level <= atomic_load(&current_level);
}

/* Appends to raw with bounds; records a cut. */
struct body {
    char raw[FORMAT_CAP];
    size_t n;
    bool cut;
};

static void body_vadd(struct body *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void body_vadd(struct body *b, const char *fmt, va_list ap)
{
    if (b->cut)
        return;
    size_t room = sizeof b->raw - b->n;
    int w = vsnprintf(b->raw + b->n, room, fmt, ap);
    if (w < 0)
        return;
    if ((size_t)w >= room) {
        b->n = sizeof b->raw - 1;
        b->cut = true;
    } else {
        b->n += (size_t)w;
    }
}

static void body_add(struct body *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void body_add(struct body *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    body_vadd(b, fmt, ap);
    va_end(ap);
}

static void body_start(struct body *b, const char *module)
{
    b->n = 0;
    b->cut = false;
    b->raw[0] = '\0';
    body_add(b, "%s: ", module && *module ? module : "bianmin");
}

void bm_logv(enum bm_log_level level, const char *module, const char *fmt, va_list ap)
{
    if (!enabled(level))
        return;
    struct body b;
    body_start(&b, module);
    if (fmt)
        body_vadd(&b, fmt, ap);
    emit(level, b.raw, b.n, b.cut);
}

void bm_log(enum bm_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_logv(level, module, fmt, ap);
    va_end(ap);
}

void bm_log_err(enum bm_log_level level, const char *module, enum bm_err err, const char *what)
{
    if (!enabled(level))
        return;
    const char *detail = bm_err_detail();
    struct body b;
    body_start(&b, module);
    body_add(&b, "%s: %s: %s", what ? what : "error", bm_err_name(err),
             detail && *detail ? detail : bm_err_str(err));
    emit(level, b.raw, b.n, b.cut);
}

/* key=value, quoting values that are empty or hold a space, quote, backslash or '='. */
static void add_field(struct body *b, const struct bm_log_field *f)
{
    const char *key = f->key && *f->key ? f->key : "field";
    if (f->personal || key_is_personal(key)) {
        body_add(b, " %s=[personal]", key);
        return;
    }
    const char *v = f->value ? f->value : "(null)";
    bool quote = *v == '\0' || strpbrk(v, " \t\"\\=") != NULL;
    body_add(b, " %s=%s", key, quote ? "\"" : "");
    for (const char *p = v; *p && !b->cut; p++) {
        if (quote && (*p == '"' || *p == '\\'))
            body_add(b, "\\%c", *p);
        else
            body_add(b, "%c", *p);
    }
    if (quote)
        body_add(b, "\"");
}

void bm_log_fields(enum bm_log_level level, const char *module, const char *msg,
                   const struct bm_log_field *fields, size_t count)
{
    if (!enabled(level))
        return;
    struct body b;
    body_start(&b, module);
    body_add(&b, "%s", msg ? msg : "");
    for (size_t k = 0; fields && k < count; k++)
        add_field(&b, &fields[k]);
    emit(level, b.raw, b.n, b.cut);
}
