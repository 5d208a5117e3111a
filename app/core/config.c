/*
 * config.c - loading, validating and reading the kiosk's INI configuration.
 *
 * Design. inih does the INI syntax; we feed it our own reader (ini_parse_stream), one physical
 * line per call, because the handler of Debian's inih gets no line number and its line buffer
 * is a fixed 200 bytes. The reader counts lines (so every message names one), drops a UTF-8
 * BOM and CR, rejects control characters, invalid UTF-8 and lines over BM_CONFIG_LINE_MAX,
 * strips indentation (inih would otherwise read an indented line as the continuation of the
 * previous value: we want such a line to be an error or a key of its own), and checks section
 * headers itself, since inih does not tell the handler about an empty section. A key line too
 * long for inih's buffer (a 96-character Chinese location is 288 bytes) is handed over as
 * "key=\x01" with the value kept aside, and the handler trims it by inih's rules (whitespace,
 * then a ';' comment after whitespace); \x01 cannot come from a file, as control characters
 * are refused before.
 *
 * Strictness: the first problem stops the load (unknown section or key, duplicate key,
 * malformed line, bad value) with one line in bm_err_detail():
 *     FILE:LINE: [section] key = value: problem; allowed: what
 * Values are validated and converted once, here; the getters only read. Keys absent from the
 * file keep the schema default.
 *
 * Threads: load on any thread; a loaded config is never changed except by bm_config_set,
 * which belongs to start-up (before other threads read it).
 */
#include "config.h"

#include "paths.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct slot {
    char *text; /* the value as written (after trimming) */
    long num;   /* INT: the value; BOOL: 0/1; ENUM: index of the choice */
    int line;   /* where the file set it; 0: default or bm_config_set */
};

struct bm_config {
    char *path;
    char *dir; /* for relative path values */
    size_t count;
    struct slot *slots; /* parallel to bm_config_schema */
};

/* Stands for a value kept aside by the reader (see the file comment). */
#define LONG_VALUE "\x01"

/* ---- schema lookup and value checks ----------------------------------------------------- */

static size_t schema_count(void)
{
    size_t n = 0;
    while (bm_config_schema[n].section)
        n++;
    return n;
}

static long find_key(const char *section, const char *key)
{
    for (size_t i = 0; bm_config_schema[i].section; i++)
        if (strcmp(bm_config_schema[i].section, section) == 0 &&
            strcmp(bm_config_schema[i].key, key) == 0)
            return (long)i;
    return -1;
}

static bool section_known(const char *section)
{
    for (size_t i = 0; bm_config_schema[i].section; i++)
        if (strcmp(bm_config_schema[i].section, section) == 0)
            return true;
    return false;
}

/* Appends with bounds; the result is always terminated. */
static void append(char *buf, size_t sz, const char *s)
{
    size_t n = strlen(buf);
    if (n + 1 < sz)
        snprintf(buf + n, sz - n, "%s", s);
}

static void list_sections(char *buf, size_t sz)
{
    buf[0] = '\0';
    for (size_t i = 0; bm_config_schema[i].section; i++) {
        if (i > 0 && strcmp(bm_config_schema[i - 1].section, bm_config_schema[i].section) == 0)
            continue;
        if (buf[0])
            append(buf, sz, ", ");
        append(buf, sz, bm_config_schema[i].section);
    }
}

static void list_keys(const char *section, char *buf, size_t sz)
{
    buf[0] = '\0';
    for (size_t i = 0; bm_config_schema[i].section; i++) {
        if (strcmp(bm_config_schema[i].section, section) != 0)
            continue;
        if (buf[0])
            append(buf, sz, ", ");
        append(buf, sz, bm_config_schema[i].key);
    }
}

/* What a key allows, as the end of an error line and in --help-config. */
static void describe_allowed(const struct bm_config_key *k, char *buf, size_t sz)
{
    switch (k->type) {
    case BM_CONFIG_INT:
        snprintf(buf, sz, "%ld..%ld", k->min, k->max);
        break;
    case BM_CONFIG_BOOL:
        snprintf(buf, sz, "true|false (also yes|no, on|off, 1|0)");
        break;
    case BM_CONFIG_ENUM:
        snprintf(buf, sz, "%s", k->choices);
        break;
    case BM_CONFIG_STRING: {
        static const char *const classes[] = {
            [BM_CONFIG_CHARS_TEXT] = "",
            [BM_CONFIG_CHARS_IDENT] = " of letters, digits, - and _",
            [BM_CONFIG_CHARS_PHONE] = " of digits and -",
            [BM_CONFIG_CHARS_PATH] = ", a path (relative: to the config file's directory)",
        };
        snprintf(buf, sz, "%ld..%ld characters%s", k->min, k->max, classes[k->chars]);
        break;
    }
    }
}

/* Number of UTF-8 characters, or -1 if s is not valid UTF-8. */
static long utf8_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    while (*p) {
        unsigned c = *p;
        int more;
        unsigned min;
        if (c < 0x80) {
            more = 0;
            min = 0;
        } else if ((c & 0xE0) == 0xC0) {
            more = 1;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            more = 2;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            more = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return -1;
        }
        p++;
        for (int k = 0; k < more; k++, p++) {
            if ((*p & 0xC0) != 0x80)
                return -1;
            c = (c << 6) | (*p & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return -1;
        n++;
    }
    return n;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return true;
    return false;
}

static bool parse_bool(const char *v, long *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* Index of v in a '|'-separated list, or -1. */
static long choice_index(const char *choices, const char *v)
{
    size_t vlen = strlen(v);
    long idx = 0;
    for (const char *p = choices; *p; idx++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == vlen && memcmp(p, v, len) == 0)
            return idx;
        if (!bar)
            break;
        p = bar + 1;
    }
    return -1;
}

/*
 * Validates v for k and converts it into *num. On failure returns false with the problem in
 * why ("not a whole number").
 */
static bool convert(const struct bm_config_key *k, const char *v, long *num, char *why, size_t sz)
{
    if (has_control(v)) {
        snprintf(why, sz, "control characters are not allowed");
        return false;
    }
    long chars = utf8_chars(v);
    if (chars < 0) {
        snprintf(why, sz, "not valid UTF-8");
        return false;
    }
    switch (k->type) {
    case BM_CONFIG_INT: {
        const char *p = v;
        if (*p == '-' || *p == '+')
            p++;
        if (*p < '0' || *p > '9' || strspn(p, "0123456789") != strlen(p)) {
            snprintf(why, sz, "not a whole number");
            return false;
        }
        errno = 0;
        long x = strtol(v, NULL, 10);
        if (errno == ERANGE || x < k->min || x > k->max) {
            snprintf(why, sz, "out of range");
            return false;
        }
        *num = x;
        return true;
    }
    case BM_CONFIG_BOOL:
        if (!parse_bool(v, num)) {
            snprintf(why, sz, "not a yes/no value");
            return false;
        }
        return true;
    case BM_CONFIG_ENUM:
        *num = choice_index(k->choices, v);
        if (*num < 0) {
            snprintf(why, sz, "not one of the choices");
            return false;
        }
        return true;
    case BM_CONFIG_STRING:
        if (chars < k->min || chars > k->max) {
            snprintf(why, sz, "%ld characters, %s", chars, chars < k->min ? "too short" : "too long");
            return false;
        }
        for (const char *p = v; *p; p++) {
            bool ok = true;
            if (k->chars == BM_CONFIG_CHARS_IDENT)
                ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
            else if (k->chars == BM_CONFIG_CHARS_PHONE)
                ok = (*p >= '0' && *p <= '9') || *p == '-';
            if (!ok) {
                snprintf(why, sz, "character '%c' is not allowed",
                         (unsigned char)*p < 0x80 ? *p : '?');
                return false;
            }
        }
        *num = 0;
        return true;
    }
    snprintf(why, sz, "unknown type");
    return false;
}

/* The value for a message: cut to a readable length at a character boundary. */
static void shown_value(const char *v, char *buf, size_t sz)
{
    size_t max = 60 < sz - 4 ? 60 : sz - 4;
    size_t len = strlen(v);
    if (len <= max) {
        snprintf(buf, sz, "%s", v);
        return;
    }
    while (max > 0 && ((unsigned char)v[max] & 0xC0) == 0x80)
        max--;
    snprintf(buf, sz, "%.*s...", (int)max, v);
}

/* Validates and stores; on failure sets the detail "<where>[sec] key = v: why; allowed: ..." */
static enum bm_err store(struct bm_config *cfg, size_t idx, const char *v, const char *where,
                         int line)
{
    const struct bm_config_key *k = &bm_config_schema[idx];
    char why[96];
    long num = 0;
    if (!convert(k, v, &num, why, sizeof why)) {
        char allowed[160], shown[80];
        describe_allowed(k, allowed, sizeof allowed);
        shown_value(has_control(v) ? "(control characters)" : v, shown, sizeof shown);
        return bm_err_set(BM_ERR_CONFIG, "%s[%s] %s = %s: %s; allowed: %s", where, k->section,
                          k->key, shown, why, allowed);
    }
    char *copy = strdup(v);
    if (!copy)
        return bm_err_set(BM_ERR_NO_MEMORY, "%s[%s] %s: out of memory", where, k->section,
                          k->key);
    free(cfg->slots[idx].text);
    cfg->slots[idx].text = copy;
    cfg->slots[idx].num = num;
    cfg->slots[idx].line = line;
    return BM_OK;
}

/* ---- construction ------------------------------------------------------------------------ */

static struct bm_config *config_new(const char *path)
{
    struct bm_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    cfg->count = schema_count();
    cfg->slots = calloc(cfg->count, sizeof *cfg->slots);
    cfg->path = strdup(path);
    if (!cfg->slots || !cfg->path) {
        bm_config_free(cfg);
        return NULL;
    }
    for (size_t i = 0; i < cfg->count; i++) {
        enum bm_err e = store(cfg, i, bm_config_schema[i].default_value, "(defaults) ", 0);
        /* A default the schema itself rejects is a bug in config_schema.c. */
        assert(e == BM_OK);
        if (e != BM_OK) {
            bm_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
}

struct bm_config *bm_config_defaults(void)
{
    struct bm_config *cfg = config_new("(defaults)");
    if (!cfg)
        bm_err_set(BM_ERR_NO_MEMORY, "config: out of memory");
    return cfg;
}

void bm_config_free(struct bm_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; cfg->slots && i < cfg->count; i++)
        free(cfg->slots[i].text);
    free(cfg->slots);
    free(cfg->path);
    free(cfg->dir);
    free(cfg);
}

/* The directory of path, absolute when it exists (the process may chdir later). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return NULL;
    char *real = realpath(dir, NULL);
    if (real) {
        free(dir);
        return real;
    }
    return dir;
}

/* ---- parsing ------------------------------------------------------------------------------ */

struct parse {
    const char *name;
    const char *data;
    size_t len, pos;
    int line;
    bool failed; /* the detail is set; stop feeding inih */
    int fail_line;
    struct bm_config *cfg;
    char long_value[BM_CONFIG_LINE_MAX + 1];
};

static enum bm_err fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static enum bm_err fail(struct parse *p, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->failed = true;
    p->fail_line = p->line;
    return bm_err_set(BM_ERR_CONFIG, "%s:%d: %s", p->name, p->line, msg);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Checks a "[section]" line (s starts at '['); false if it failed the parse. A header without
 * ']' is left to inih, which reports the line. */
static bool check_section(struct parse *p, const char *s)
{
    const char *close = strchr(s, ']');
    if (!close)
        return true;
    const char *rest = close + 1;
    while (is_space(*rest))
        rest++;
    if (*rest && *rest != ';' && *rest != '#') {
        fail(p, "text after the section header; allowed: [section] alone on its line");
        return false;
    }
    char name[128];
    size_t n = (size_t)(close - s - 1);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, s + 1, n);
    name[n] = '\0';
    if (!section_known(name)) {
        char allowed[256];
        list_sections(allowed, sizeof allowed);
        fail(p, "[%s]: unknown section; allowed: %s", name, allowed);
        return false;
    }
    return true;
}

/* inih's reader: hands over one physical line, checked and cleaned (see the file comment). */
static char *reader(char *buf, int size, void *user)
{
    struct parse *p = user;
    if (p->failed || p->pos >= p->len || size < 8)
        return NULL;
    const char *start = p->data + p->pos;
    const char *nl = memchr(start, '\n', p->len - p->pos);
    size_t n = nl ? (size_t)(nl - start) : p->len - p->pos;
    p->pos += n + (nl ? 1 : 0);
    p->line++;

    if (p->line == 1 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
        start += 3;
        n -= 3;
    }
    if (n > 0 && start[n - 1] == '\r')
        n--;
    if (n > BM_CONFIG_LINE_MAX) {
        fail(p, "line too long (%zu bytes); allowed: at most %d bytes", n, BM_CONFIG_LINE_MAX);
        return NULL;
    }
    char text[BM_CONFIG_LINE_MAX + 1];
    memcpy(text, start, n);
    text[n] = '\0';
    if (memchr(start, '\0', n) || has_control(text)) {
        fail(p, "control character in the line; allowed: printable UTF-8 text");
        return NULL;
    }
    if (utf8_chars(text) < 0) {
        fail(p, "not valid UTF-8; allowed: UTF-8 text");
        return NULL;
    }
    const char *s = text;
    while (is_space(*s))
        s++;
    if (*s == '[' && !check_section(p, s))
        return NULL;

    size_t slen = strlen(s);
    if (slen + 2 <= (size_t)size) {
        memcpy(buf, s, slen);
        memcpy(buf + slen, "\n", 2);
        return buf;
    }
    if (*s == '#' || *s == ';') {
        snprintf(buf, (size_t)size, "#\n");
        return buf;
    }
    /* Too long for inih: pass "key=" LONG_VALUE, keep the value aside. Like inih, the key ends
     * at the first '=' or ':', and a ';' after whitespace before it starts a comment. */
    const char *sep = s;
    bool was_space = false;
    while (*sep && *sep != '=' && *sep != ':' && !(was_space && *sep == ';')) {
        was_space = is_space(*sep);
        sep++;
    }
    if (*s == '[' || (*sep != '=' && *sep != ':') ||
        (size_t)(sep - s) + 3 + sizeof LONG_VALUE > (size_t)size) {
        fail(p, "malformed line; allowed: [section], key = value, or a comment (# or ;)");
        return NULL;
    }
    snprintf(p->long_value, sizeof p->long_value, "%s", sep + 1);
    snprintf(buf, (size_t)size, "%.*s=%s\n", (int)(sep - s), s, LONG_VALUE);
    return buf;
}

/* The value kept aside by the reader, trimmed as inih trims values. */
static const char *long_value(struct parse *p)
{
    char *v = p->long_value;
    while (is_space(*v))
        v++;
    bool was_space = false;
    for (char *c = v; *c; c++) {
        if (was_space && *c == ';') {
            *c = '\0';
            break;
        }
        was_space = is_space(*c);
    }
    size_t n = strlen(v);
    while (n > 0 && is_space(v[n - 1]))
        v[--n] = '\0';
    return v;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    struct parse *p = user;
    if (p->failed)
        return 0;
    if (!*section) {
        fail(p, "%s: key outside any section; allowed: keys under a [section] header", key);
        return 0;
    }
    long idx = find_key(section, key);
    if (idx < 0) {
        char allowed[512];
        list_keys(section, allowed, sizeof allowed);
        fail(p, "[%s] %s: unknown key; allowed: %s", section, key, allowed);
        return 0;
    }
    struct slot *slot = &p->cfg->slots[idx];
    if (slot->line > 0) {
        fail(p, "[%s] %s: duplicate key (first set on line %d); allowed: each key once",
             section, key, slot->line);
        return 0;
    }
    if (strcmp(value, LONG_VALUE) == 0)
        value = long_value(p);
    char where[300];
    snprintf(where, sizeof where, "%s:%d: ", p->name, p->line);
    if (store(p->cfg, (size_t)idx, value, where, p->line) != BM_OK) {
        p->failed = true;
        p->fail_line = p->line;
        return 0;
    }
    return 1;
}

/* inih found a syntax error on line: say what a line may be. */
static enum bm_err syntax_error(struct parse *p, int line)
{
    p->line = line;
    return fail(p, "malformed line; allowed: [section], key = value, or a comment (# or ;)");
}

enum bm_err bm_config_load_mem(const char *name, const char *data, size_t len,
                               struct bm_config **out)
{
    if (!out || (!data && len))
        return bm_err_set(BM_ERR_INVALID_ARG, "config: NULL argument");
    *out = NULL;
    if (!name)
        name = "(memory)";
    if (len > BM_CONFIG_FILE_MAX)
        return bm_err_set(BM_ERR_CONFIG, "%s: %zu bytes; allowed: at most %d bytes", name, len,
                          BM_CONFIG_FILE_MAX);
    struct parse *p = calloc(1, sizeof *p);
    struct bm_config *cfg = config_new(name);
    if (cfg)
        cfg->dir = dir_of(name);
    if (!p || !cfg || !cfg->dir) {
        free(p);
        bm_config_free(cfg);
        return bm_err_set(BM_ERR_NO_MEMORY, "%s: out of memory", name);
    }
    p->name = name;
    p->data = data ? data : "";
    p->len = len;
    p->cfg = cfg;

    int rc = ini_parse_stream(reader, p, handler, p);
    enum bm_err err = BM_OK;
    if (rc < 0)
        err = bm_err_set(BM_ERR_NO_MEMORY, "%s: inih failed (%d)", name, rc);
    else if (rc > 0 && (!p->failed || rc < p->fail_line))
        err = syntax_error(p, rc);
    else if (p->failed)
        err = BM_ERR_CONFIG;
    free(p);
    if (err != BM_OK) {
        bm_config_free(cfg);
        return err;
    }
    *out = cfg;
    return BM_OK;
}

enum bm_err bm_config_load(const char *path, struct bm_config **out)
{
    if (!path || !out)
        return bm_err_set(BM_ERR_INVALID_ARG, "config: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return bm_err_set(BM_ERR_NOT_FOUND, "config file %s: not found", path);
        return bm_err_set(BM_ERR_IO, "config file %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bm_err_set(BM_ERR_IO, "config file %s: %s", path,
                          S_ISDIR(st.st_mode) ? "is a directory, not a file" : "not a file");
    }
    if (st.st_size > BM_CONFIG_FILE_MAX) {
        close(fd);
        return bm_err_set(BM_ERR_CONFIG, "%s: %lld bytes; allowed: at most %d bytes", path,
                          (long long)st.st_size, BM_CONFIG_FILE_MAX);
    }
    char *data = malloc((size_t)st.st_size + 1);
    if (!data) {
        close(fd);
        return bm_err_set(BM_ERR_NO_MEMORY, "config file %s: out of memory", path);
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(data);
            close(fd);
            return bm_err_set(BM_ERR_IO, "config file %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    enum bm_err err = bm_config_load_mem(path, data, got, out);
    free(data);
    return err;
}

enum bm_err bm_config_set(struct bm_config *cfg, const char *section, const char *key,
                          const char *value)
{
    if (!cfg || !section || !key || !value)
        return bm_err_set(BM_ERR_INVALID_ARG, "config: NULL argument");
    if (!section_known(section)) {
        char allowed[256];
        list_sections(allowed, sizeof allowed);
        return bm_err_set(BM_ERR_CONFIG, "set: [%s]: unknown section; allowed: %s", section,
                          allowed);
    }
    long idx = find_key(section, key);
    if (idx < 0) {
        char allowed[512];
        list_keys(section, allowed, sizeof allowed);
        return bm_err_set(BM_ERR_CONFIG, "set: [%s] %s: unknown key; allowed: %s", section, key,
                          allowed);
    }
    return store(cfg, (size_t)idx, value, "set: ", 0);
}

const char *bm_config_path(const struct bm_config *cfg)
{
    return cfg ? cfg->path : "(defaults)";
}

/* ---- getters ------------------------------------------------------------------------------ */

static const struct slot *lookup(const struct bm_config *cfg, const char *section,
                                 const char *key, enum bm_config_type type)
{
    long idx = cfg && section && key ? find_key(section, key) : -1;
    bool ok = idx >= 0 && bm_config_schema[idx].type == type;
    /* Asking for a key the schema lacks, or as the wrong type, is a bug in the caller. */
    assert(ok && "config key not in the schema, or asked as the wrong type");
    return ok ? &cfg->slots[idx] : NULL;
}

const char *bm_config_str(const struct bm_config *cfg, const char *section, const char *key)
{
    /* An enum's value reads as its choice's name too: "kiosk", "zh_CN". */
    long idx = cfg && section && key ? find_key(section, key) : -1;
    bool is_enum = idx >= 0 && bm_config_schema[idx].type == BM_CONFIG_ENUM;
    const struct slot *s = lookup(cfg, section, key, is_enum ? BM_CONFIG_ENUM : BM_CONFIG_STRING);
    return s ? s->text : "";
}

long bm_config_int(const struct bm_config *cfg, const char *section, const char *key)
{
    const struct slot *s = lookup(cfg, section, key, BM_CONFIG_INT);
    return s ? s->num : 0;
}

bool bm_config_bool(const struct bm_config *cfg, const char *section, const char *key)
{
    const struct slot *s = lookup(cfg, section, key, BM_CONFIG_BOOL);
    return s ? s->num != 0 : false;
}

int bm_config_enum(const struct bm_config *cfg, const char *section, const char *key)
{
    const struct slot *s = lookup(cfg, section, key, BM_CONFIG_ENUM);
    return s ? (int)s->num : 0;
}

const char *bm_config_path_value(const struct bm_config *cfg, const char *section,
                                 const char *key, char *buf, size_t bufsz)
{
    const char *v = bm_config_str(cfg, section, key);
    if (!buf || bufsz == 0)
        return NULL;
    int n;
    if (*v == '\0' || *v == '/' || !cfg || !cfg->dir)
        n = snprintf(buf, bufsz, "%s", v);
    else
        n = snprintf(buf, bufsz, "%s/%s", cfg->dir, v);
    return n >= 0 && (size_t)n < bufsz ? buf : NULL;
}

/* ---- default path and help ---------------------------------------------------------------- */

const char *bm_config_default_path(void)
{
    return bm_paths_default_config();
}

static const char *type_name(const struct bm_config_key *k)
{
    switch (k->type) {
    case BM_CONFIG_STRING:
        return k->chars == BM_CONFIG_CHARS_PATH ? "path" : "string";
    case BM_CONFIG_INT:
        return "integer";
    case BM_CONFIG_BOOL:
        return "bool";
    case BM_CONFIG_ENUM:
        return "choice";
    }
    return "?";
}

void bm_config_print_schema(FILE *out)
{
    fprintf(out, "Configuration keys (INI; unknown sections or keys are errors).\n"
                 "Relative paths are relative to the config file's directory.\n");
    for (size_t i = 0; bm_config_schema[i].section; i++) {
        const struct bm_config_key *k = &bm_config_schema[i];
        if (i == 0 || strcmp(bm_config_schema[i - 1].section, k->section) != 0)
            fprintf(out, "\n[%s]\n", k->section);
        char allowed[160];
        describe_allowed(k, allowed, sizeof allowed);
        fprintf(out, "  %s = %s\n      %s; allowed: %s\n      %s\n", k->key, k->default_value,
                type_name(k), allowed, k->doc);
    }
}
