/*
 * catalog_parse.c - reads a catalog document (docs/catalog.md) and checks every rule of it.
 *
 * jansson parses the bytes into a tree (this is the only file that includes jansson.h); the
 * walk below checks each value against the format and copies it into the catalog's arena.
 * Every problem is reported with the JSON path of the value and what was expected, and the
 * walk goes on after a problem so one check shows them all. A catalog with any error is
 * thrown away whole.
 *
 * Bounds, so a broken or hostile document cannot exhaust the kiosk: the input size is capped,
 * jansson's allocations on this thread count against a budget (a thread-local set around the
 * parse; jansson's allocator is process-wide, so it is installed before main), its
 * parser stops at a fixed nesting depth, and every array of the format has a maximum.
 *
 * Any thread; parses on different threads do not share state.
 */
#include "catalog_internal.h"

#include "core/log.h"

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOG_TAG "catalog"

enum {
    MAX_CATEGORIES = 64,
    MAX_SERVICES = 512,
    MAX_NOTICES = 64,
    MAX_STEPS = 16,
    MAX_FIELDS = 64,
    MAX_MATERIALS = 32,
    MAX_OPTIONS = 16,
    MAX_LIST = 64,
    MAX_TEXT_CHARS = 4000,
    MAX_PATTERN_CHARS = 200,
    MAX_EXAMPLE_CHARS = 200,
    MAX_PAGES = 20,
    MAX_LENGTH = 200,
    MAX_RANK = 99,
    FORMAT_VERSION = 1,
};
#define ARENA_CAP   (16u << 20)
#define JSON_BUDGET (64u << 20)

/* ---- jansson's memory, on a budget ------------------------------------------------------- */

static _Thread_local size_t budget_left;
static _Thread_local bool budget_on;
static _Thread_local bool budget_hit;

/* A header in front of each block remembers its size so free can give the budget back. */
#define HEADER 16u

static void *budget_malloc(size_t size)
{
    if (budget_on) {
        if (size > budget_left || budget_left - size < HEADER) {
            budget_hit = true;
            return NULL;
        }
        budget_left -= size + HEADER;
    }
    unsigned char *p = malloc(size + HEADER);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof size);
    return p + HEADER;
}

static void budget_free(void *ptr)
{
    if (!ptr)
        return;
    unsigned char *p = (unsigned char *)ptr - HEADER;
    size_t size;
    memcpy(&size, p, sizeof size);
    if (budget_on)
        budget_left += size + HEADER;
    free(p);
}

/*
 * Installed before main, so every jansson block in a program that links this file (tests
 * that build JSON, later the sync client) comes from these functions and carries the header:
 * switching allocators after a block exists would free it with the wrong one.
 */
__attribute__((constructor)) static void install_allocator(void)
{
    json_set_alloc_funcs(budget_malloc, budget_free);
}

/* ---- walking with a JSON path ------------------------------------------------------------ */

struct ctx {
    struct bm_catalog_report *report;
    const char *name;
    const struct bm_catalog_load_options *opts;
    struct bm_arena *arena;
    size_t errors;
    bool out_of_memory;
    char path[256];
    size_t path_len;
};

static void __attribute__((format(printf, 3, 4)))
report_plain(struct bm_catalog_report *r, bool warning, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_catalog_report_add(r, warning, fmt, ap);
    va_end(ap);
}

static void vreport(struct ctx *c, bool warning, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!warning)
        c->errors++;
    report_plain(c->report, warning, "%s: %s: %s", c->name, c->path, msg);
}

static void __attribute__((format(printf, 2, 3))) fail(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, false, fmt, ap);
    va_end(ap);
}

static void __attribute__((format(printf, 2, 3))) warn(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, true, fmt, ap);
    va_end(ap);
}

static size_t push_key(struct ctx *c, const char *key)
{
    size_t saved = c->path_len;
    int n = snprintf(c->path + saved, sizeof c->path - saved, ".%s", key);
    if (n > 0)
        c->path_len = saved + (size_t)n < sizeof c->path ? saved + (size_t)n : sizeof c->path - 1;
    return saved;
}

static size_t push_index(struct ctx *c, size_t i)
{
    size_t saved = c->path_len;
    int n = snprintf(c->path + saved, sizeof c->path - saved, "[%zu]", i);
    if (n > 0)
        c->path_len = saved + (size_t)n < sizeof c->path ? saved + (size_t)n : sizeof c->path - 1;
    return saved;
}

static void pop(struct ctx *c, size_t saved)
{
    c->path_len = saved;
    c->path[saved] = '\0';
}

static void *alloc(struct ctx *c, size_t size)
{
    void *p = bm_arena_alloc(c->arena, size);
    if (!p && !c->out_of_memory) {
        c->out_of_memory = true;
        fail(c, "the catalog needs more than %u MiB of memory", ARENA_CAP >> 20);
    }
    return p;
}

static const char *copy(struct ctx *c, const char *s)
{
    char *p = alloc(c, strlen(s) + 1);
    if (p)
        memcpy(p, s, strlen(s) + 1);
    return p;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "a whole number";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "true/false";
    case JSON_NULL: return "null";
    }
    return "?";
}

static void wrong_type(struct ctx *c, const json_t *v, const char *expected)
{
    fail(c, "expected %s, found %s", expected, type_name(v));
}

/* Reports every key of obj not in allowed (NULL-terminated). */
static void check_keys(struct ctx *c, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (known)
            continue;
        char list[400];
        size_t n = 0;
        for (const char *const *a = allowed; *a && n < sizeof list; a++) {
            int w = snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", *a);
            n += w > 0 ? (size_t)w : 0;
        }
        size_t saved = push_key(c, key);
        fail(c, "unknown field; expected one of: %s", list);
        pop(c, saved);
    }
}

/* obj[key] with its path pushed, or NULL (reporting it when required). */
static json_t *member(struct ctx *c, json_t *obj, const char *key, bool required,
                      const char *expected, size_t *saved)
{
    *saved = push_key(c, key);
    json_t *v = json_object_get(obj, key);
    if (!v && required)
        fail(c, "missing; expected %s", expected);
    if (!v)
        pop(c, *saved);
    return v;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- scalar values ----------------------------------------------------------------------- */

enum text_flags { OPTIONAL = 0, REQUIRED = 1, MULTILINE = 2 };

static bool check_text_string(struct ctx *c, const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 && !(multiline && *p == '\n')) {
            fail(c, "control character 0x%02x; expected printable text%s", *p,
                 multiline ? " (line breaks allowed)" : " on one line");
            return false;
        }
    }
    size_t n = utf8_chars(s);
    if (n > MAX_TEXT_CHARS) {
        fail(c, "%zu characters; expected at most %d", n, MAX_TEXT_CHARS);
        return false;
    }
    return true;
}

static void text_value(struct ctx *c, json_t *v, int flags, struct bm_text *out)
{
    static const char *const keys[] = {"zh-CN", "en", NULL};
    if (!json_is_object(v)) {
        wrong_type(c, v, "a text {\"zh-CN\": \"...\", \"en\": \"...\"}");
        return;
    }
    check_keys(c, v, keys);
    bool multiline = flags & MULTILINE;
    json_t *zh = json_object_get(v, "zh-CN"), *en = json_object_get(v, "en");
    size_t saved = push_key(c, "zh-CN");
    if (!zh || (json_is_string(zh) && json_string_length(zh) == 0))
        fail(c, "no Chinese text; every text needs zh-CN");
    else if (!json_is_string(zh))
        wrong_type(c, zh, "a string");
    else if (check_text_string(c, json_string_value(zh), multiline))
        out->zh = copy(c, json_string_value(zh));
    pop(c, saved);

    if (!en || (json_is_string(en) && json_string_length(en) == 0)) {
        warn(c, "no English text; zh-CN is shown");
        return;
    }
    saved = push_key(c, "en");
    if (!json_is_string(en))
        wrong_type(c, en, "a string");
    else if (check_text_string(c, json_string_value(en), multiline))
        out->en = copy(c, json_string_value(en));
    pop(c, saved);
}

static void text_at(struct ctx *c, json_t *obj, const char *key, int flags, struct bm_text *out)
{
    size_t saved;
    json_t *v = member(c, obj, key, flags & REQUIRED, "a text {\"zh-CN\": ..., \"en\": ...}",
                       &saved);
    if (!v)
        return;
    text_value(c, v, flags, out);
    pop(c, saved);
}

static bool is_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

#define ID_EXPECTED "an id: 1-32 characters of a-z, 0-9 and _, starting with a letter"

/* A required id; returns a copy in the arena or NULL. */
static const char *id_at(struct ctx *c, json_t *obj, const char *key)
{
    size_t saved;
    json_t *v = member(c, obj, key, true, ID_EXPECTED, &saved);
    if (!v)
        return NULL;
    const char *out = NULL;
    if (!json_is_string(v))
        wrong_type(c, v, ID_EXPECTED);
    else if (!is_id(json_string_value(v)))
        fail(c, "\"%s\" is not an id; expected %s", json_string_value(v), ID_EXPECTED);
    else
        out = copy(c, json_string_value(v));
    pop(c, saved);
    return out;
}

static void list_names(const char *const *names, int count, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < count && n < size; i++) {
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", names[i]);
        n += w > 0 ? (size_t)w : 0;
    }
}

/* v (its path pushed) as one of names[]; returns the index, -1 (reported) if it is not. */
static int choice_value(struct ctx *c, json_t *v, const char *const *names, int count)
{
    char list[300];
    list_names(names, count, list, sizeof list);
    if (!json_is_string(v)) {
        fail(c, "expected one of: %s, found %s", list, type_name(v));
        return -1;
    }
    for (int i = 0; i < count; i++)
        if (strcmp(json_string_value(v), names[i]) == 0)
            return i;
    fail(c, "\"%s\" is not known; expected one of: %s", json_string_value(v), list);
    return -1;
}

/* obj[key] as one of names[]; returns its index, def when absent, -1 on error. */
static int choice_at(struct ctx *c, json_t *obj, const char *key, bool required,
                     const char *const *names, int count, int def)
{
    char list[300], expected[320];
    list_names(names, count, list, sizeof list);
    snprintf(expected, sizeof expected, "one of: %s", list);
    size_t saved;
    json_t *v = member(c, obj, key, required, expected, &saved);
    if (!v)
        return required ? -1 : def;
    int out = choice_value(c, v, names, count);
    pop(c, saved);
    return out;
}

static bool int_at(struct ctx *c, json_t *obj, const char *key, bool required, int min, int max,
                   int *out)
{
    char expected[64];
    snprintf(expected, sizeof expected, "a whole number %d..%d", min, max);
    size_t saved;
    json_t *v = member(c, obj, key, required, expected, &saved);
    if (!v)
        return false;
    bool ok = false;
    if (!json_is_integer(v))
        wrong_type(c, v, expected);
    else if (json_integer_value(v) < min || json_integer_value(v) > max)
        fail(c, "%lld is out of range; expected %s", (long long)json_integer_value(v), expected);
    else
        ok = true;
    if (ok)
        *out = (int)json_integer_value(v);
    pop(c, saved);
    return ok;
}

static bool bool_at(struct ctx *c, json_t *obj, const char *key, bool def)
{
    size_t saved;
    json_t *v = member(c, obj, key, false, "true or false", &saved);
    if (!v)
        return def;
    bool out = def;
    if (!json_is_boolean(v))
        wrong_type(c, v, "true or false");
    else
        out = json_is_true(v);
    pop(c, saved);
    return out;
}

static bool parse_date(const char *s, int *out)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
        return false;
    *out = y * 10000 + m * 100 + d;
    return true;
}

static int date_at(struct ctx *c, json_t *obj, const char *key)
{
    size_t saved;
    json_t *v = member(c, obj, key, true, "a date YYYY-MM-DD", &saved);
    if (!v)
        return 0;
    int out = 0;
    if (!json_is_string(v))
        wrong_type(c, v, "a date YYYY-MM-DD");
    else if (!parse_date(json_string_value(v), &out))
        fail(c, "\"%s\" is not a date; expected YYYY-MM-DD", json_string_value(v));
    pop(c, saved);
    return out;
}

/* One character (one code point) that is not a space or control. */
static const char *glyph_at(struct ctx *c, json_t *obj, const char *key)
{
    size_t saved;
    json_t *v = member(c, obj, key, true, "one character", &saved);
    if (!v)
        return NULL;
    const char *out = NULL;
    if (!json_is_string(v))
        wrong_type(c, v, "one character");
    else if (utf8_chars(json_string_value(v)) != 1 ||
             (unsigned char)json_string_value(v)[0] <= 0x20)
        fail(c, "\"%s\" is not one character; expected one character such as \"社\"",
             json_string_value(v));
    else
        out = copy(c, json_string_value(v));
    pop(c, saved);
    return out;
}

/* obj[key] as an array of min..max items, with its path pushed; NULL if absent or wrong. */
static json_t *array_at(struct ctx *c, json_t *obj, const char *key, bool required, size_t min,
                        size_t max, size_t *saved)
{
    char expected[64];
    snprintf(expected, sizeof expected, "an array of %zu to %zu items", min, max);
    json_t *v = member(c, obj, key, required, expected, saved);
    if (!v)
        return NULL;
    if (!json_is_array(v)) {
        wrong_type(c, v, expected);
    } else if (json_array_size(v) < min || json_array_size(v) > max) {
        fail(c, "%zu items; expected %zu to %zu", json_array_size(v), min, max);
    } else {
        return v;
    }
    pop(c, *saved);
    return NULL;
}

static bool object_or_fail(struct ctx *c, json_t *v)
{
    if (json_is_object(v))
        return true;
    wrong_type(c, v, "an object");
    return false;
}

/* Reports id if one of the n earlier ones has it; base is the array's path, for the message. */
static void check_unique(struct ctx *c, const char *id, const char *const *earlier, size_t n,
                         const char *base)
{
    if (!id)
        return;
    for (size_t i = 0; i < n; i++)
        if (earlier[i] && strcmp(earlier[i], id) == 0) {
            fail(c, "duplicate id \"%s\" (first at %s[%zu])", id, base, i);
            return;
        }
}

/* ---- the document's parts ---------------------------------------------------------------- */

static const char *const hue_names[] = {"blue", "green", "orange", "purple", "teal", "red"};
#define HUE_COUNT 6

static void text_list_at(struct ctx *c, json_t *obj, const char *key, const struct bm_text **out,
                         size_t *count)
{
    size_t saved;
    json_t *arr = array_at(c, obj, key, false, 0, MAX_LIST, &saved);
    if (!arr)
        return;
    struct bm_text *items = alloc(c, (json_array_size(arr) + 1) * sizeof *items);
    if (items) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) {
            size_t s = push_index(c, i);
            text_value(c, v, REQUIRED, &items[i]);
            pop(c, s);
        }
        *out = items;
        *count = json_array_size(arr);
    }
    pop(c, saved);
}

static void parse_guide(struct ctx *c, json_t *obj, struct bm_catalog_guide *g)
{
    static const char *const keys[] = {"about", "conditions", "process", "faq", "notes", NULL};
    size_t saved;
    json_t *v = member(c, obj, "guide", true, "a guide object", &saved);
    if (!v)
        return;
    if (object_or_fail(c, v)) {
        check_keys(c, v, keys);
        text_at(c, v, "about", REQUIRED | MULTILINE, &g->about);
        text_list_at(c, v, "conditions", &g->conditions, &g->condition_count);
        text_list_at(c, v, "process", &g->process, &g->process_count);
        text_at(c, v, "notes", MULTILINE, &g->notes);

        size_t fs;
        json_t *arr = array_at(c, v, "faq", false, 0, MAX_LIST, &fs);
        if (arr) {
            struct bm_catalog_faq *faq = alloc(c, (json_array_size(arr) + 1) * sizeof *faq);
            size_t i;
            json_t *item;
            json_array_foreach(arr, i, item) {
                static const char *const faq_keys[] = {"q", "a", NULL};
                size_t s = push_index(c, i);
                if (faq && object_or_fail(c, item)) {
                    check_keys(c, item, faq_keys);
                    text_at(c, item, "q", REQUIRED, &faq[i].q);
                    text_at(c, item, "a", REQUIRED | MULTILINE, &faq[i].a);
                }
                pop(c, s);
            }
            g->faq = faq;
            g->faq_count = faq ? json_array_size(arr) : 0;
            pop(c, fs);
        }
    }
    pop(c, saved);
}

static const char *const field_type_names[] = {"text", "digits", "phone", "id_number", "date",
                                               "choice"};
static const char *const prefill_names[] = {"none",
                                            "id_card.name",
                                            "id_card.id_number",
                                            "id_card.gender",
                                            "id_card.birth_date",
                                            "id_card.address",
                                            "id_card.nation"};

/* The field type a prefill source fills. */
static enum bm_field_type prefill_type(enum bm_prefill p)
{
    switch (p) {
    case BM_PREFILL_ID_NUMBER: return BM_FIELD_ID_NUMBER;
    case BM_PREFILL_ID_BIRTH_DATE: return BM_FIELD_DATE;
    default: return BM_FIELD_TEXT;
    }
}

static void parse_options(struct ctx *c, json_t *obj, struct bm_catalog_field *f)
{
    size_t saved;
    json_t *arr = array_at(c, obj, "options", f->type == BM_FIELD_CHOICE, 2, MAX_OPTIONS, &saved);
    if (!arr)
        return;
    if (f->type != BM_FIELD_CHOICE) {
        fail(c, "only a choice field has options");
        pop(c, saved);
        return;
    }
    struct bm_catalog_option *opts = alloc(c, json_array_size(arr) * sizeof *opts);
    const char *ids[MAX_OPTIONS] = {0};
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        static const char *const keys[] = {"id", "label", NULL};
        size_t s = push_index(c, i);
        if (opts && object_or_fail(c, v)) {
            check_keys(c, v, keys);
            opts[i].id = ids[i] = id_at(c, v, "id");
            size_t ks = push_key(c, "id");
            check_unique(c, ids[i], ids, i, base);
            pop(c, ks);
            text_at(c, v, "label", REQUIRED, &opts[i].label);
        }
        pop(c, s);
    }
    f->options = opts;
    f->option_count = opts ? json_array_size(arr) : 0;
    pop(c, saved);
}

static void parse_field(struct ctx *c, json_t *v, bool has_identify, struct bm_catalog_field *f)
{
    static const char *const keys[] = {"id",      "type",     "label",   "hint",
                                       "required", "min_length", "max_length", "pattern",
                                       "options", "prefill",  "personal", NULL};
    check_keys(c, v, keys);
    f->id = id_at(c, v, "id");
    int type = choice_at(c, v, "type", true, field_type_names, 6, 0);
    f->type = type < 0 ? BM_FIELD_TEXT : (enum bm_field_type)type;
    text_at(c, v, "label", REQUIRED, &f->label);
    text_at(c, v, "hint", OPTIONAL, &f->hint);
    f->required = bool_at(c, v, "required", false);
    f->personal = bool_at(c, v, "personal", f->type != BM_FIELD_CHOICE);
    parse_options(c, v, f);

    bool free_text = f->type == BM_FIELD_TEXT || f->type == BM_FIELD_DIGITS;
    const char *const limits[] = {"min_length", "max_length", "pattern"};
    for (int i = 0; i < 3; i++) {
        if (!free_text && json_object_get(v, limits[i])) {
            size_t s = push_key(c, limits[i]);
            fail(c, "only text and digits fields have %s", limits[i]);
            pop(c, s);
        }
    }
    if (free_text) {
        int_at(c, v, "min_length", false, 0, MAX_LENGTH, &f->min_length);
        int_at(c, v, "max_length", false, 1, MAX_LENGTH, &f->max_length);
        if (f->max_length && f->min_length > f->max_length) {
            size_t s = push_key(c, "min_length");
            fail(c, "%d is more than max_length %d", f->min_length, f->max_length);
            pop(c, s);
        }
        size_t saved;
        json_t *p = member(c, v, "pattern", false, "", &saved);
        if (p) {
            regex_t re;
            int rc;
            if (!json_is_string(p))
                wrong_type(c, p, "a POSIX extended regular expression");
            else if (json_string_length(p) == 0 || utf8_chars(json_string_value(p)) > MAX_PATTERN_CHARS)
                fail(c, "expected a regular expression of 1 to %d characters", MAX_PATTERN_CHARS);
            else if ((rc = regcomp(&re, json_string_value(p), REG_EXTENDED | REG_NOSUB)) != 0)
                fail(c, "\"%s\" does not compile as a POSIX extended regular expression",
                     json_string_value(p));
            else {
                regfree(&re);
                f->pattern = copy(c, json_string_value(p));
            }
            pop(c, saved);
        }
    }

    int prefill = choice_at(c, v, "prefill", false, prefill_names, 7, BM_PREFILL_NONE);
    f->prefill = prefill < 0 ? BM_PREFILL_NONE : (enum bm_prefill)prefill;
    if (f->prefill != BM_PREFILL_NONE) {
        size_t s = push_key(c, "prefill");
        if (!has_identify)
            fail(c, "%s needs the ID card read first; expected an identify step in this service",
                 prefill_names[f->prefill]);
        else if (type >= 0 && prefill_type(f->prefill) != f->type)
            fail(c, "%s fills a %s field; this field's type is %s", prefill_names[f->prefill],
                 field_type_names[prefill_type(f->prefill)], field_type_names[f->type]);
        pop(c, s);
    }
}

static void parse_fields(struct ctx *c, json_t *arr, bool has_identify,
                         struct bm_catalog_step *step)
{
    struct bm_catalog_field *fields = alloc(c, json_array_size(arr) * sizeof *fields);
    const char *ids[MAX_FIELDS] = {0};
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        size_t s = push_index(c, i);
        if (fields && object_or_fail(c, v)) {
            parse_field(c, v, has_identify, &fields[i]);
            ids[i] = fields[i].id;
            size_t ks = push_key(c, "id");
            check_unique(c, ids[i], ids, i, base);
            pop(c, ks);
        }
        pop(c, s);
    }
    step->fields = fields;
    step->field_count = fields ? json_array_size(arr) : 0;
}

static bool safe_relative_path(const char *s)
{
    if (!*s || *s == '/' || strstr(s, ".."))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.' || *s == '/'))
            return false;
    return true;
}

static void parse_material(struct ctx *c, json_t *v, struct bm_catalog_material *m)
{
    static const char *const keys[] = {"id",       "name",    "hint", "pages",
                                       "required", "example", NULL};
    check_keys(c, v, keys);
    m->id = id_at(c, v, "id");
    text_at(c, v, "name", REQUIRED, &m->name);
    text_at(c, v, "hint", OPTIONAL, &m->hint);
    m->pages = 1;
    int_at(c, v, "pages", false, 1, MAX_PAGES, &m->pages);
    m->required = bool_at(c, v, "required", true);

    size_t saved;
    json_t *ex = member(c, v, "example", false, "", &saved);
    if (!ex)
        return;
    const char *path = json_is_string(ex) ? json_string_value(ex) : NULL;
    if (!path)
        wrong_type(c, ex, "a path relative to ui-assets/");
    else if (strlen(path) > MAX_EXAMPLE_CHARS || !safe_relative_path(path))
        fail(c, "\"%s\" is not a safe relative path; expected letters, digits, _ - . / under "
                "ui-assets/, no \"..\"",
             path);
    else {
        const char *assets = c->opts ? c->opts->assets_dir : NULL;
        char full[1200];
        struct stat st;
        if (assets && (snprintf(full, sizeof full, "%s/%s", assets, path) >= (int)sizeof full ||
                       stat(full, &st) != 0 || !S_ISREG(st.st_mode)))
            fail(c, "\"%s\" is not a file in %s; expected an existing picture", path, assets);
        else
            m->example = copy(c, path);
    }
    pop(c, saved);
}

static void parse_materials(struct ctx *c, json_t *arr, struct bm_catalog_step *step)
{
    struct bm_catalog_material *mats = alloc(c, json_array_size(arr) * sizeof *mats);
    const char *ids[MAX_MATERIALS] = {0};
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        size_t s = push_index(c, i);
        if (mats && object_or_fail(c, v)) {
            parse_material(c, v, &mats[i]);
            ids[i] = mats[i].id;
            size_t ks = push_key(c, "id");
            check_unique(c, ids[i], ids, i, base);
            pop(c, ks);
        }
        pop(c, s);
    }
    step->materials = mats;
    step->material_count = mats ? json_array_size(arr) : 0;
}

static void parse_document(struct ctx *c, json_t *v, struct bm_catalog_step *step)
{
    static const char *const keys[] = {"kind", "title", "watermark", "issuer", NULL};
    static const char *const kinds[] = {"receipt", "a4", "certificate"};
    if (!object_or_fail(c, v))
        return;
    struct bm_catalog_document *doc = alloc(c, sizeof *doc);
    if (!doc)
        return;
    check_keys(c, v, keys);
    int kind = choice_at(c, v, "kind", true, kinds, 3, 0);
    doc->kind = kind < 0 ? BM_DOCUMENT_RECEIPT : (enum bm_document_kind)kind;
    text_at(c, v, "title", REQUIRED, &doc->title);
    text_at(c, v, "issuer", OPTIONAL, &doc->issuer);
    if (doc->kind == BM_DOCUMENT_CERTIFICATE) {
        text_at(c, v, "watermark", REQUIRED, &doc->watermark);
    } else if (kind >= 0 && json_object_get(v, "watermark")) {
        size_t s = push_key(c, "watermark");
        fail(c, "only a certificate has a watermark; this document is %s", kinds[kind]);
        pop(c, s);
    }
    step->document = doc;
    step->devices |= BM_DEVICE_BIT(doc->kind == BM_DOCUMENT_RECEIPT ? BM_CLASS_RECEIPT_PRINTER
                                                                    : BM_CLASS_DOC_PRINTER);
}

static void parse_step_devices(struct ctx *c, json_t *v, struct bm_catalog_step *step)
{
    const char *names[BM_CLASS_COUNT];
    for (int i = 0; i < BM_CLASS_COUNT; i++)
        names[i] = bm_device_class_name((enum bm_device_class)i);
    size_t saved;
    json_t *arr = array_at(c, v, "devices", false, 1, BM_CLASS_COUNT, &saved);
    if (!arr)
        return;
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        size_t s = push_index(c, i);
        int cls = choice_value(c, item, names, BM_CLASS_COUNT);
        if (cls >= 0)
            step->devices |= BM_DEVICE_BIT(cls);
        pop(c, s);
    }
    pop(c, saved);
}

/* The steps of a service: kinds once each, in order, with what each kind carries. */
static void parse_steps(struct ctx *c, json_t *svc_obj, struct bm_catalog_service *svc)
{
    size_t saved;
    json_t *arr = array_at(c, svc_obj, "steps", false, 0, MAX_STEPS, &saved);
    if (!arr)
        return;
    /* Whether an identify step exists decides what the form may prefill: look first. */
    bool has_identify = false;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        json_t *k = json_is_object(v) ? json_object_get(v, "kind") : NULL;
        has_identify |= k && json_is_string(k) && strcmp(json_string_value(k), "identify") == 0;
    }

    const char *kind_names[BM_STEP_KIND_COUNT];
    for (int k = 0; k < BM_STEP_KIND_COUNT; k++)
        kind_names[k] = bm_step_kind_name((enum bm_step_kind)k);

    struct bm_catalog_step *steps = alloc(c, (json_array_size(arr) + 1) * sizeof *steps);
    int seen_at[BM_STEP_KIND_COUNT];
    for (int k = 0; k < BM_STEP_KIND_COUNT; k++)
        seen_at[k] = -1;
    int last_kind = -1;
    json_array_foreach(arr, i, v) {
        size_t s = push_index(c, i);
        if (!steps || !object_or_fail(c, v)) {
            pop(c, s);
            continue;
        }
        struct bm_catalog_step *st = &steps[i];
        int kind = choice_at(c, v, "kind", true, kind_names, BM_STEP_KIND_COUNT, -1);
        if (kind >= 0) {
            st->kind = (enum bm_step_kind)kind;
            size_t ks = push_key(c, "kind");
            if (seen_at[kind] >= 0)
                fail(c, "duplicate step \"%s\" (first at steps[%d]); each kind runs once",
                     kind_names[kind], seen_at[kind]);
            else if (kind < last_kind)
                fail(c, "\"%s\" after \"%s\"; expected the order identify, form, materials, "
                        "review, submit, print, rate",
                     kind_names[kind], kind_names[last_kind]);
            pop(c, ks);
            if (seen_at[kind] < 0)
                seen_at[kind] = (int)i;
            if (kind > last_kind)
                last_kind = kind;
        }

        /* What a step carries depends on its kind; anything else is unknown. */
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val) {
            static const struct {
                const char *key;
                enum bm_step_kind kind;
            } owned[] = {{"fields", BM_STEP_FORM},
                         {"materials", BM_STEP_MATERIALS},
                         {"document", BM_STEP_PRINT}};
            if (strcmp(key, "kind") == 0 || strcmp(key, "devices") == 0)
                continue;
            size_t ks = push_key(c, key);
            bool known = false;
            for (size_t o = 0; o < 3; o++) {
                if (strcmp(key, owned[o].key) != 0)
                    continue;
                known = true;
                if (kind >= 0 && kind != (int)owned[o].kind)
                    fail(c, "only a \"%s\" step has %s; this step is \"%s\"",
                         kind_names[owned[o].kind], key, kind_names[kind]);
            }
            if (!known)
                fail(c, "unknown field; expected kind, devices, and fields (form), materials "
                        "(materials) or document (print)");
            pop(c, ks);
        }

        size_t ps;
        json_t *part;
        switch (kind) {
        case BM_STEP_IDENTIFY:
            if (svc->identification == BM_IDENTIFY_ID_CARD)
                st->devices |= BM_DEVICE_BIT(BM_CLASS_ID_READER);
            break;
        case BM_STEP_FORM:
            if ((part = array_at(c, v, "fields", true, 1, MAX_FIELDS, &ps)))
                parse_fields(c, part, has_identify, st), pop(c, ps);
            break;
        case BM_STEP_MATERIALS:
            st->devices |= BM_DEVICE_BIT(BM_CLASS_SCANNER);
            if ((part = array_at(c, v, "materials", true, 1, MAX_MATERIALS, &ps)))
                parse_materials(c, part, st), pop(c, ps);
            break;
        case BM_STEP_PRINT:
            if ((part = member(c, v, "document", true, "a document object", &ps)))
                parse_document(c, part, st), pop(c, ps);
            break;
        default:
            break;
        }
        parse_step_devices(c, v, st);
        svc->devices |= st->devices;
        pop(c, s);
    }
    svc->steps = steps;
    svc->step_count = steps ? json_array_size(arr) : 0;

    bool identify = seen_at[BM_STEP_IDENTIFY] >= 0;
    if (svc->identification != BM_IDENTIFY_NONE && !identify && json_array_size(arr) > 0)
        fail(c, "identification is not none, but no step identifies; expected an identify step "
                "(or identification none)");
    if (svc->identification == BM_IDENTIFY_NONE && identify)
        fail(c, "an identify step, but identification is none; expected identification id_card "
                "or id_card_or_number");
    if ((seen_at[BM_STEP_REVIEW] >= 0) != (seen_at[BM_STEP_SUBMIT] >= 0))
        fail(c, "review and submit come together; expected both or neither");
    pop(c, saved);
}

static void parse_service(struct ctx *c, json_t *v, const struct bm_catalog_category *cats,
                          size_t cat_count, struct bm_catalog_service *svc)
{
    static const char *const keys[] = {
        "id",        "category", "title",      "short_title", "glyph",          "hue",
        "quick_rank", "who_can_apply", "fee", "time_limit",  "department",     "guide",
        "identification", "steps", NULL};
    static const char *const idents[] = {"none", "id_card", "id_card_or_number"};
    check_keys(c, v, keys);
    svc->id = id_at(c, v, "id");

    size_t saved;
    json_t *cat = member(c, v, "category", true, "the id of a category", &saved);
    if (cat) {
        if (!json_is_string(cat)) {
            wrong_type(c, cat, "the id of a category");
        } else {
            for (size_t i = 0; i < cat_count && !svc->category; i++)
                if (cats[i].id && strcmp(cats[i].id, json_string_value(cat)) == 0)
                    svc->category = &cats[i];
            if (!svc->category) {
                char list[300];
                size_t n = 0;
                for (size_t i = 0; i < cat_count && n < sizeof list; i++) {
                    int w = snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "",
                                     cats[i].id ? cats[i].id : "?");
                    n += w > 0 ? (size_t)w : 0;
                }
                fail(c, "\"%s\" is not a category id; expected one of: %s",
                     json_string_value(cat), list);
            }
        }
        pop(c, saved);
    }

    text_at(c, v, "title", REQUIRED, &svc->title);
    if (json_object_get(v, "short_title"))
        text_at(c, v, "short_title", REQUIRED, &svc->short_title);
    else
        svc->short_title = svc->title;
    svc->glyph = glyph_at(c, v, "glyph");
    int hue = choice_at(c, v, "hue", true, hue_names, HUE_COUNT, 0);
    svc->hue = hue < 0 ? BM_CATALOG_HUE_BLUE : (enum bm_catalog_hue)hue;
    int_at(c, v, "quick_rank", false, 1, MAX_RANK, &svc->quick_rank);
    text_at(c, v, "who_can_apply", REQUIRED | MULTILINE, &svc->who_can_apply);
    text_at(c, v, "fee", REQUIRED, &svc->fee);
    text_at(c, v, "time_limit", REQUIRED, &svc->time_limit);
    text_at(c, v, "department", REQUIRED, &svc->department);
    parse_guide(c, v, &svc->guide);
    int ident = choice_at(c, v, "identification", true, idents, 3, 0);
    svc->identification = ident < 0 ? BM_IDENTIFY_NONE : (enum bm_identification)ident;
    parse_steps(c, v, svc);
}

static void parse_category(struct ctx *c, json_t *v, struct bm_catalog_category *cat)
{
    static const char *const keys[] = {"id", "title", "subtitle", "glyph", "hue", NULL};
    check_keys(c, v, keys);
    cat->id = id_at(c, v, "id");
    text_at(c, v, "title", REQUIRED, &cat->title);
    text_at(c, v, "subtitle", REQUIRED, &cat->subtitle);
    cat->glyph = glyph_at(c, v, "glyph");
    int hue = choice_at(c, v, "hue", true, hue_names, HUE_COUNT, 0);
    cat->hue = hue < 0 ? BM_CATALOG_HUE_BLUE : (enum bm_catalog_hue)hue;
}

static void parse_notice(struct ctx *c, json_t *v, struct bm_catalog_notice *no)
{
    static const char *const keys[] = {"id", "title", "body", "valid_from", "valid_until", NULL};
    check_keys(c, v, keys);
    no->id = id_at(c, v, "id");
    text_at(c, v, "title", REQUIRED, &no->title);
    text_at(c, v, "body", REQUIRED | MULTILINE, &no->body);
    no->valid_from = date_at(c, v, "valid_from");
    no->valid_until = date_at(c, v, "valid_until");
    if (no->valid_from && no->valid_until && no->valid_until < no->valid_from) {
        size_t s = push_key(c, "valid_until");
        fail(c, "%d is before valid_from %d; expected a date on or after it", no->valid_until,
             no->valid_from);
        pop(c, s);
    }
}

/* Walks array key of root, calling each on every object item; returns the items' memory. */
typedef void (*item_fn)(struct ctx *c, json_t *v, void *item, void *ud);

static void *parse_list(struct ctx *c, json_t *root, const char *key, bool required, size_t min,
                        size_t max, size_t item_size, item_fn each, void *ud, size_t *count,
                        size_t id_offset)
{
    size_t saved;
    json_t *arr = array_at(c, root, key, required, min, max, &saved);
    *count = 0;
    if (!arr)
        return NULL;
    char *items = alloc(c, (json_array_size(arr) + 1) * item_size);
    const char **ids = calloc(json_array_size(arr) + 1, sizeof *ids);
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    if (items && ids) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) {
            size_t s = push_index(c, i);
            if (object_or_fail(c, v)) {
                each(c, v, items + i * item_size, ud);
                memcpy(&ids[i], items + i * item_size + id_offset, sizeof ids[i]);
                size_t ks = push_key(c, "id");
                check_unique(c, ids[i], ids, i, base);
                pop(c, ks);
            }
            pop(c, s);
        }
        *count = json_array_size(arr);
    }
    free(ids);
    pop(c, saved);
    return items;
}

static void each_category(struct ctx *c, json_t *v, void *item, void *ud)
{
    (void)ud;
    parse_category(c, v, item);
}

struct category_list {
    const struct bm_catalog_category *items;
    size_t count;
};

static void each_service(struct ctx *c, json_t *v, void *item, void *ud)
{
    const struct category_list *cats = ud;
    parse_service(c, v, cats->items, cats->count, item);
}

static void each_notice(struct ctx *c, json_t *v, void *item, void *ud)
{
    (void)ud;
    parse_notice(c, v, item);
}

static int by_rank(const void *a, const void *b)
{
    const struct bm_catalog_service *x = *(const struct bm_catalog_service *const *)a;
    const struct bm_catalog_service *y = *(const struct bm_catalog_service *const *)b;
    return x->quick_rank - y->quick_rank;
}

/* Derived lists and the checks that need the whole document. */
static void finish(struct ctx *c, struct bm_catalog_data *d, struct bm_catalog_service *svcs)
{
    size_t quick = 0;
    for (size_t i = 0; i < d->service_count; i++)
        quick += svcs[i].quick_rank > 0;
    const struct bm_catalog_service **q = alloc(c, (quick + 1) * sizeof *q);
    if (!q)
        return;
    size_t n = 0;
    for (size_t i = 0; i < d->service_count; i++) {
        if (svcs[i].quick_rank <= 0)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (svcs[j].quick_rank == svcs[i].quick_rank) {
                size_t s = push_key(c, "services");
                push_index(c, i);
                push_key(c, "quick_rank");
                fail(c, "rank %d is taken by $.services[%zu]; expected each rank once",
                     svcs[i].quick_rank, j);
                pop(c, s);
                break;
            }
        }
        q[n++] = &svcs[i];
    }
    qsort(q, n, sizeof *q, by_rank);
    d->quick = q;
    d->quick_count = n;

    for (size_t i = 0; i < d->category_count; i++) {
        bool used = false;
        for (size_t j = 0; j < d->service_count && !used; j++)
            used = svcs[j].category == &d->categories[i];
        if (!used) {
            size_t s = push_key(c, "categories");
            push_index(c, i);
            warn(c, "category \"%s\" has no services; its tile leads nowhere",
                 d->categories[i].id ? d->categories[i].id : "?");
            pop(c, s);
        }
    }
}

static void parse_root(struct ctx *c, json_t *root, struct bm_catalog_data *d)
{
    static const char *const keys[] = {"format",   "format_version", "revision", "published",
                                       "issuer",   "categories",     "services", "notices",
                                       NULL};
    if (!object_or_fail(c, root))
        return;
    check_keys(c, root, keys);

    size_t saved;
    json_t *v = member(c, root, "format", true, "\"bianmin-catalog\"", &saved);
    if (v) {
        if (!json_is_string(v) || strcmp(json_string_value(v), "bianmin-catalog") != 0)
            fail(c, "expected \"bianmin-catalog\"");
        pop(c, saved);
    }
    int version = 0;
    if (int_at(c, root, "format_version", true, 1, 1000, &version) && version != FORMAT_VERSION) {
        size_t s = push_key(c, "format_version");
        fail(c, "version %d is not one this kiosk reads; expected %d", version, FORMAT_VERSION);
        pop(c, s);
        return; /* the rest is a format we do not know */
    }

    v = member(c, root, "revision", true, "1-64 printable ASCII characters", &saved);
    if (v) {
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        bool ok = s && *s && strlen(s) <= 64;
        for (const char *p = s; ok && *p; p++)
            ok = *p > 0x20 && *p < 0x7f;
        if (ok)
            d->revision = copy(c, s);
        else
            fail(c, "expected 1-64 printable ASCII characters, such as \"2026-11-20.1\"");
        pop(c, saved);
    }
    d->published = date_at(c, root, "published");
    text_at(c, root, "issuer", REQUIRED, &d->issuer);

    struct bm_catalog_category *cats =
        parse_list(c, root, "categories", true, 1, MAX_CATEGORIES, sizeof *cats, each_category,
                   NULL, &d->category_count, offsetof(struct bm_catalog_category, id));
    d->categories = cats;
    struct category_list cl = {cats, d->category_count};
    struct bm_catalog_service *svcs =
        parse_list(c, root, "services", true, 1, MAX_SERVICES, sizeof *svcs, each_service, &cl,
                   &d->service_count, offsetof(struct bm_catalog_service, id));
    d->services = svcs;
    d->notices = parse_list(c, root, "notices", false, 0, MAX_NOTICES,
                            sizeof(struct bm_catalog_notice), each_notice, NULL,
                            &d->notice_count, offsetof(struct bm_catalog_notice, id));
    if (svcs && cats)
        finish(c, d, svcs);
}

/* ---- entry points ------------------------------------------------------------------------ */

enum bm_err bm_catalog_parse(const char *json, size_t len, const char *name,
                             const struct bm_catalog_load_options *opts,
                             struct bm_catalog_report *report, struct bm_catalog **out)
{
    *out = NULL;
    if (!name)
        name = "catalog";
    if (len > BM_CATALOG_MAX_BYTES) {
        report_plain(report, false, "%s: %zu bytes; expected at most %u (4 MiB)", name, len,
                     BM_CATALOG_MAX_BYTES);
        return bm_err_set(BM_ERR_PARSE, "catalog %s too big", name);
    }

    budget_left = JSON_BUDGET;
    budget_hit = false;
    budget_on = true;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        budget_on = false;
        if (budget_hit)
            report_plain(report, false, "%s: the JSON needs more than %u MiB to parse", name,
                         JSON_BUDGET >> 20);
        else
            report_plain(report, false, "%s:%d:%d: JSON syntax: %s", name, jerr.line,
                         jerr.column, jerr.text);
        return bm_err_set(BM_ERR_PARSE, "catalog %s: not JSON", name);
    }

    struct ctx c = {.report = report, .name = name, .opts = opts};
    snprintf(c.path, sizeof c.path, "$");
    c.path_len = 1;
    c.arena = bm_arena_create(ARENA_CAP);
    struct bm_catalog *cat = calloc(1, sizeof *cat);
    struct bm_catalog_data *d = c.arena ? bm_arena_alloc(c.arena, sizeof *d) : NULL;
    if (!cat || !d) {
        json_decref(root);
        budget_on = false;
        bm_arena_destroy(c.arena);
        free(cat);
        return bm_err_set(BM_ERR_NO_MEMORY, "catalog %s: no memory", name);
    }
    parse_root(&c, root, d);
    json_decref(root);
    budget_on = false;

    if (c.errors > 0 || c.out_of_memory) {
        bm_arena_destroy(c.arena);
        free(cat);
        return bm_err_set(c.out_of_memory ? BM_ERR_NO_MEMORY : BM_ERR_PARSE,
                          "catalog %s: %zu problems", name, c.errors);
    }
    bm_arena_seal(c.arena);
    atomic_init(&cat->refs, 1);
    cat->arena = c.arena;
    cat->data = d;
    *out = cat;
    return BM_OK;
}

enum bm_err bm_catalog_load_file(const char *path, const struct bm_catalog_load_options *opts,
                                 struct bm_catalog_report *report, struct bm_catalog **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        report_plain(report, false, "%s: cannot open: %s", path, strerror(e));
        return bm_err_set(e == ENOENT ? BM_ERR_NOT_FOUND : BM_ERR_IO, "open %s: %s", path,
                          strerror(e));
    }
    /* Read one byte past the cap so a file that is too big is told apart from one at it. */
    size_t cap = BM_CATALOG_MAX_BYTES + 1;
    char *buf = malloc(cap);
    size_t len = buf ? fread(buf, 1, cap, f) : 0;
    bool read_error = ferror(f);
    fclose(f);
    if (!buf)
        return bm_err_set(BM_ERR_NO_MEMORY, "catalog %s: no memory", path);
    if (read_error) {
        free(buf);
        report_plain(report, false, "%s: read error", path);
        return bm_err_set(BM_ERR_IO, "read %s", path);
    }
    enum bm_err err = bm_catalog_parse(buf, len, path, opts, report, out);
    free(buf);
    return err;
}
