/*
 * journey.c - the journey parser: lines of text in, steps out, or the first bad line named.
 *
 * A line is words separated by spaces or tabs; a word in double quotes may hold spaces, \" and
 * \\. Whole-line comments start with '#'. Each keyword takes a fixed shape of words, so a typo
 * is caught here with its line number, before a kiosk starts, not halfway through a run.
 * Pure: no SDL, no devices, no globals. Any thread.
 */
#include "journey.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS      8
#define MAX_FILE_BYTES (1024 * 1024)

struct bm_journey {
    char *name, *dir;
    struct bm_journey_step *steps;
    size_t count, cap;
};

static const char *const op_names[] = {
    [BM_JOURNEY_TAP] = "tap",
    [BM_JOURNEY_CARD] = "card",
    [BM_JOURNEY_REMOVE_CARD] = "remove card",
    [BM_JOURNEY_SCAN] = "scan",
    [BM_JOURNEY_REMOVE_PAGE] = "remove page",
    [BM_JOURNEY_CODE] = "code",
    [BM_JOURNEY_VOICE] = "voice",
    [BM_JOURNEY_DEMO] = "demo",
    [BM_JOURNEY_WAIT_SCREEN] = "wait screen",
    [BM_JOURNEY_WAIT_PRINTED] = "wait printed",
    [BM_JOURNEY_WAIT] = "wait",
    [BM_JOURNEY_EXPECT_TEXT] = "expect text",
    [BM_JOURNEY_EXPECT_NO_TEXT] = "expect no text",
    [BM_JOURNEY_EXPECT_ELEMENT] = "expect element",
    [BM_JOURNEY_EXPECT_LANGUAGE] = "expect language",
};

const char *bm_journey_op_name(enum bm_journey_op op)
{
    return (size_t)op < sizeof op_names / sizeof op_names[0] && op_names[op] ? op_names[op] : "?";
}

/* One line cut into words. Word texts live in buf (quotes removed, escapes applied). */
struct words {
    size_t n;
    const char *w[MAX_WORDS];
    bool quoted[MAX_WORDS];
    const char *rest[MAX_WORDS]; /* the raw line from word i on (for `demo`) */
    char buf[BM_JOURNEY_LINE_MAX + MAX_WORDS];
};

/* The parse error of this line, in a buffer the caller provides. */
struct problem {
    char *text;
    size_t size;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct problem *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->text, p->size, fmt, ap);
    va_end(ap);
    return false;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool split(const char *line, struct words *ws, struct problem *p)
{
    size_t used = 0;
    ws->n = 0;
    const char *s = line;
    for (;;) {
        while (is_space(*s))
            s++;
        if (!*s)
            return true;
        if (ws->n == MAX_WORDS)
            return fail(p, "too many words (at most %d)", MAX_WORDS);
        char *out = ws->buf + used;
        ws->rest[ws->n] = s;
        ws->quoted[ws->n] = *s == '"';
        if (*s == '"') {
            for (s++;; s++) {
                if (!*s)
                    return fail(p, "a quote is not closed");
                if (*s == '"')
                    break;
                if (*s == '\\') {
                    s++;
                    if (*s != '"' && *s != '\\')
                        return fail(p, "in quotes, a backslash may only come before \\ or \"");
                }
                ws->buf[used++] = *s;
            }
            s++;
            if (*s && !is_space(*s))
                return fail(p, "a closing quote must be followed by a space");
        } else {
            while (*s && !is_space(*s)) {
                if (*s == '"')
                    return fail(p, "a quote inside a word (quote the whole word)");
                ws->buf[used++] = *s++;
            }
        }
        ws->buf[used++] = '\0';
        ws->w[ws->n++] = out;
    }
}

/* Seconds as written ("10", "2.5", at most 3 decimals) in milliseconds; 0 < s <= the max. */
static bool parse_seconds(const char *w, unsigned *ms, struct problem *p)
{
    unsigned long whole = 0, frac = 0, scale = 1000;
    const char *s = w;
    if (*s < '0' || *s > '9')
        return fail(p, "'%s' is not a number of seconds", w);
    while (*s >= '0' && *s <= '9') {
        whole = whole * 10 + (unsigned long)(*s++ - '0');
        if (whole > BM_JOURNEY_MAX_SECONDS)
            return fail(p, "%s seconds is too long (at most 3600)", w);
    }
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return fail(p, "'%s' is not a number of seconds", w);
        while (*s >= '0' && *s <= '9') {
            if (scale == 1)
                return fail(p, "'%s': at most three decimals (milliseconds)", w);
            scale /= 10;
            frac += (unsigned long)(*s++ - '0') * scale;
        }
    }
    if (*s)
        return fail(p, "'%s' is not a number of seconds", w);
    unsigned long total = whole * 1000 + frac;
    if (total == 0)
        return fail(p, "a time of 0 seconds");
    if (total > BM_JOURNEY_MAX_SECONDS * 1000ul)
        return fail(p, "%s seconds is too long (at most 3600)", w);
    *ms = (unsigned)total;
    return true;
}

/* Between min and max words after the keyword (at index kw), else the usage as the problem. */
static bool shape(const struct words *ws, size_t kw, size_t min, size_t max, const char *usage,
                  struct problem *p)
{
    size_t args = ws->n - kw;
    if (args < min || args > max)
        return fail(p, "expected: %s", usage);
    return true;
}

/* An optional trailing SECONDS at word i. */
static bool timeout_at(const struct words *ws, size_t i, struct bm_journey_step *st,
                       struct problem *p)
{
    st->timeout_ms = BM_JOURNEY_DEFAULT_TIMEOUT_MS;
    return i >= ws->n || parse_seconds(ws->w[i], &st->timeout_ms, p);
}

static bool not_quoted(const struct words *ws, size_t i, const char *what, struct problem *p)
{
    if (i < ws->n && ws->quoted[i])
        return fail(p, "%s is a name, not a quoted text", what);
    return true;
}

static bool parse_wait(const struct words *ws, struct bm_journey_step *st, const char **arg,
                       struct problem *p)
{
    if (ws->n >= 2 && strcmp(ws->w[1], "screen") == 0) {
        st->op = BM_JOURNEY_WAIT_SCREEN;
        *arg = ws->n > 2 ? ws->w[2] : NULL;
        return shape(ws, 2, 1, 2, "wait screen NAME [SECONDS]", p) &&
               not_quoted(ws, 2, "a screen", p) && timeout_at(ws, 3, st, p);
    }
    if (ws->n >= 2 && strcmp(ws->w[1], "printed") == 0) {
        st->op = BM_JOURNEY_WAIT_PRINTED;
        *arg = ws->n > 2 ? ws->w[2] : NULL;
        if (!shape(ws, 2, 1, 2, "wait printed receipt|document [SECONDS]", p))
            return false;
        if (strcmp(*arg, "receipt") != 0 && strcmp(*arg, "document") != 0)
            return fail(p, "wait printed: '%s' is not receipt or document", *arg);
        return timeout_at(ws, 3, st, p);
    }
    st->op = BM_JOURNEY_WAIT;
    return shape(ws, 1, 1, 1, "wait SECONDS, wait screen NAME or wait printed receipt", p) &&
           parse_seconds(ws->w[1], &st->timeout_ms, p);
}

static bool parse_expect(const struct words *ws, struct bm_journey_step *st, const char **arg,
                         struct problem *p)
{
    size_t kw = 2;
    const char *what = ws->n >= 2 ? ws->w[1] : "";
    if (strcmp(what, "no") == 0 && ws->n >= 3 && strcmp(ws->w[2], "text") == 0) {
        st->op = BM_JOURNEY_EXPECT_NO_TEXT;
        kw = 3;
    } else if (strcmp(what, "text") == 0) {
        st->op = BM_JOURNEY_EXPECT_TEXT;
    } else if (strcmp(what, "element") == 0) {
        st->op = BM_JOURNEY_EXPECT_ELEMENT;
    } else if (strcmp(what, "language") == 0) {
        st->op = BM_JOURNEY_EXPECT_LANGUAGE;
    } else {
        return fail(p, "expected: expect text|no text|element|language ...");
    }
    *arg = ws->n > kw ? ws->w[kw] : NULL;
    if (st->op == BM_JOURNEY_EXPECT_TEXT || st->op == BM_JOURNEY_EXPECT_NO_TEXT) {
        const char *usage =
            kw == 3 ? "expect no text \"TEXT\" [SECONDS]" : "expect text \"TEXT\" [SECONDS]";
        if (!shape(ws, kw, 1, 2, usage, p))
            return false;
        if (!ws->quoted[kw])
            return fail(p, "the text goes in double quotes: %s", usage);
        if (!**arg)
            return fail(p, "an empty text is on every screen");
        return timeout_at(ws, kw + 1, st, p);
    }
    if (st->op == BM_JOURNEY_EXPECT_LANGUAGE) {
        if (!shape(ws, kw, 1, 2, "expect language zh_CN|en [SECONDS]", p))
            return false;
        if (strcmp(*arg, "zh_CN") != 0 && strcmp(*arg, "en") != 0)
            return fail(p, "expect language: '%s' is not zh_CN or en", *arg);
        return timeout_at(ws, kw + 1, st, p);
    }
    return shape(ws, kw, 1, 2, "expect element NAME [SECONDS]", p) &&
           not_quoted(ws, kw, "an element", p) && timeout_at(ws, kw + 1, st, p);
}

/* Fills st and *arg from the words of one line. */
static bool parse_words(const struct words *ws, struct bm_journey_step *st, const char **arg,
                        struct problem *p)
{
    const char *kw = ws->w[0];
    *arg = NULL;
    if (ws->quoted[0])
        return fail(p, "a line starts with a keyword, not a quoted text");
    if (strcmp(kw, "tap") == 0) {
        st->op = BM_JOURNEY_TAP;
        *arg = ws->n > 1 ? ws->w[1] : NULL;
        return shape(ws, 1, 1, 1, "tap ELEMENT", p) && not_quoted(ws, 1, "an element", p);
    }
    if (strcmp(kw, "card") == 0) {
        st->op = BM_JOURNEY_CARD;
        *arg = ws->n > 1 ? ws->w[1] : NULL;
        return shape(ws, 1, 0, 1, "card [adult|elderly|expired|foreign|hmt]", p) &&
               not_quoted(ws, 1, "a card", p);
    }
    if (strcmp(kw, "remove") == 0) {
        if (ws->n == 2 && strcmp(ws->w[1], "card") == 0)
            st->op = BM_JOURNEY_REMOVE_CARD;
        else if (ws->n == 2 && strcmp(ws->w[1], "page") == 0)
            st->op = BM_JOURNEY_REMOVE_PAGE;
        else
            return fail(p, "expected: remove card, or remove page");
        return true;
    }
    if (strcmp(kw, "scan") == 0) {
        st->op = BM_JOURNEY_SCAN;
        *arg = ws->n > 1 ? ws->w[1] : NULL;
        return shape(ws, 1, 0, 1, "scan [PAGE.png]", p);
    }
    if (strcmp(kw, "code") == 0) {
        st->op = BM_JOURNEY_CODE;
        *arg = ws->n > 1 ? ws->w[1] : NULL;
        return shape(ws, 1, 1, 1, "code TEXT (quoted if it has spaces)", p);
    }
    if (strcmp(kw, "voice") == 0) {
        st->op = BM_JOURNEY_VOICE;
        *arg = ws->n > 1 ? ws->w[1] : NULL;
        if (!shape(ws, 1, 1, 1, "voice on|off", p))
            return false;
        if (strcmp(*arg, "on") != 0 && strcmp(*arg, "off") != 0)
            return fail(p, "voice: '%s' is not on or off", *arg);
        return true;
    }
    if (strcmp(kw, "demo") == 0) {
        st->op = BM_JOURNEY_DEMO;
        if (ws->n < 2)
            return fail(p, "expected: demo COMMAND (a demo console command)");
        *arg = ws->rest[1]; /* the console's own words, as typed */
        if (strcmp(ws->w[1], "quit") == 0 || strcmp(ws->w[1], "journey") == 0)
            return fail(p, "demo %s: a journey ends at its last line and runs no other journey",
                        ws->w[1]);
        return true;
    }
    if (strcmp(kw, "wait") == 0)
        return parse_wait(ws, st, arg, p);
    if (strcmp(kw, "expect") == 0)
        return parse_expect(ws, st, arg, p);
    return fail(p, "unknown keyword '%s' (docs/journeys.md lists them)", kw);
}

/* Bytes a line may not hold: control characters, and UTF-8 that does not decode. */
static bool check_bytes(const unsigned char *s, size_t n, struct problem *p)
{
    char hex[8];
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x20 && c != '\t') {
            snprintf(hex, sizeof hex, "0x%02x", c);
            return fail(p, "a control character (%s)", hex);
        }
        if (c == 0x7f)
            return fail(p, "a control character (0x7f)");
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4))
            return fail(p, "not UTF-8");
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return fail(p, "not UTF-8");
        /* Overlong three- and four-byte forms and UTF-16 surrogates. */
        if ((len == 3 && c == 0xe0 && s[i + 1] < 0xa0) ||
            (len == 3 && c == 0xed && s[i + 1] >= 0xa0) ||
            (len == 4 && c == 0xf0 && s[i + 1] < 0x90) ||
            (len == 4 && c == 0xf4 && s[i + 1] >= 0x90))
            return fail(p, "not UTF-8");
        i += len;
    }
    return true;
}

static enum bm_err add_step(struct bm_journey *j, const struct bm_journey_step *st, const char *arg)
{
    if (j->count == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        struct bm_journey_step *s = realloc(j->steps, cap * sizeof *s);
        if (!s)
            return bm_err_set(BM_ERR_NO_MEMORY, "journey steps");
        j->steps = s;
        j->cap = cap;
    }
    size_t n = strlen(arg ? arg : "") + 1;
    char *copy = malloc(n);
    if (!copy)
        return bm_err_set(BM_ERR_NO_MEMORY, "journey step");
    memcpy(copy, arg ? arg : "", n);
    j->steps[j->count] = *st;
    j->steps[j->count++].arg = copy;
    return BM_OK;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* One line (without its newline): a step added, or false with the problem written. */
static bool parse_line(struct bm_journey *j, const char *raw, size_t n, unsigned line_no,
                       struct problem *p, enum bm_err *err)
{
    if (n > BM_JOURNEY_LINE_MAX)
        return fail(p, "the line is longer than 1024 bytes");
    if (!check_bytes((const unsigned char *)raw, n, p))
        return false;
    char line[BM_JOURNEY_LINE_MAX + 1];
    memcpy(line, raw, n);
    line[n] = '\0';
    while (n > 0 && is_space(line[n - 1]))
        line[--n] = '\0';
    const char *s = line + strspn(line, " \t");
    if (!*s || *s == '#')
        return true;
    struct words ws;
    if (!split(s, &ws, p))
        return false;
    struct bm_journey_step st = {.line = line_no};
    const char *arg;
    if (!parse_words(&ws, &st, &arg, p))
        return false;
    *err = add_step(j, &st, arg);
    if (*err != BM_OK)
        return fail(p, "out of memory");
    return true;
}

static struct bm_journey *journey_new(const char *name, const char *dir)
{
    struct bm_journey *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->name = dup_str(name ? name : "journey");
    j->dir = dup_str(dir ? dir : ".");
    if (!j->name || !j->dir) {
        bm_journey_free(j);
        return NULL;
    }
    return j;
}

static enum bm_err parse_into(struct bm_journey *j, const char *text, size_t len)
{
    char why[256];
    struct problem p = {why, sizeof why};
    unsigned line_no = 0;
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a byte-order mark from an editor */
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - i;
        if (n > 0 && text[i + n - 1] == '\r')
            n--; /* CRLF */
        line_no++;
        enum bm_err err = BM_ERR_PARSE;
        if (!parse_line(j, text + i, n, line_no, &p, &err))
            return bm_err_set(err, "%s:%u: %s", j->name, line_no, why);
        i = end + 1;
    }
    if (j->count == 0)
        return bm_err_set(BM_ERR_PARSE, "%s: no steps (a journey must do something)", j->name);
    return BM_OK;
}

enum bm_err bm_journey_parse(const char *text, size_t len, const char *name,
                             struct bm_journey **out)
{
    *out = NULL;
    struct bm_journey *j = journey_new(name, ".");
    if (!j)
        return bm_err_set(BM_ERR_NO_MEMORY, "journey");
    enum bm_err err = parse_into(j, text, len);
    if (err != BM_OK) {
        bm_journey_free(j);
        return err;
    }
    *out = j;
    return BM_OK;
}

enum bm_err bm_journey_load(const char *path, struct bm_journey **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return bm_err_set(BM_ERR_NOT_FOUND, "%s: %s", path, strerror(errno));
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES + 1, f) : 0;
    bool bad = ferror(f);
    fclose(f);
    if (!buf)
        return bm_err_set(BM_ERR_NO_MEMORY, "%s", path);
    if (bad || n > MAX_FILE_BYTES) {
        free(buf);
        return bm_err_set(bad ? BM_ERR_IO : BM_ERR_PARSE, "%s: %s", path,
                          bad ? "read failed" : "longer than 1 MiB");
    }
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    struct bm_journey *j = journey_new(path, dir);
    enum bm_err err = j ? parse_into(j, buf, n) : bm_err_set(BM_ERR_NO_MEMORY, "journey");
    free(buf);
    if (err != BM_OK) {
        bm_journey_free(j);
        return err;
    }
    *out = j;
    return BM_OK;
}

void bm_journey_free(struct bm_journey *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->count; i++)
        free((char *)j->steps[i].arg);
    free(j->steps);
    free(j->name);
    free(j->dir);
    free(j);
}

const char *bm_journey_name(const struct bm_journey *j)
{
    return j->name;
}

const char *bm_journey_dir(const struct bm_journey *j)
{
    return j->dir;
}

size_t bm_journey_count(const struct bm_journey *j)
{
    return j->count;
}

const struct bm_journey_step *bm_journey_step(const struct bm_journey *j, size_t i)
{
    return i < j->count ? &j->steps[i] : NULL;
}
