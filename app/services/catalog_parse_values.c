/*
 * catalog_parse_values.c - checks one JSON value of a catalog against what the format expects
 * there, and reports what is wrong with the path of the value (catalog_parse.h).
 *
 * Each checker takes the object and the key, pushes the key onto the path while it looks,
 * reports a missing required value or a wrong one, and copies what is good into the arena.
 * They never stop the walk: one check of a file lists every problem. Any thread (the state
 * is the caller's).
 */
#include "catalog_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---- the path and the report ------------------------------------------------------------- */

void __attribute__((format(printf, 3, 4)))
cp_report_plain(struct bm_catalog_report *r, bool warning, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_catalog_report_add(r, warning, fmt, ap);
    va_end(ap);
}

void cp_vreport(struct cp_ctx *c, bool warning, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!warning)
        c->errors++;
    cp_report_plain(c->report, warning, "%s: %s: %s", c->name, c->path, msg);
}

void __attribute__((format(printf, 2, 3))) cp_fail(struct cp_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cp_vreport(c, false, fmt, ap);
    va_end(ap);
}

void __attribute__((format(printf, 2, 3))) cp_warn(struct cp_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cp_vreport(c, true, fmt, ap);
    va_end(ap);
}

size_t cp_push_key(struct cp_ctx *c, const char *key)
{
    size_t saved = c->path_len;
    int n = snprintf(c->path + saved, sizeof c->path - saved, ".%s", key);
    if (n > 0)
        c->path_len = saved + (size_t)n < sizeof c->path ? saved + (size_t)n : sizeof c->path - 1;
    return saved;
}

size_t cp_push_index(struct cp_ctx *c, size_t i)
{
    size_t saved = c->path_len;
    int n = snprintf(c->path + saved, sizeof c->path - saved, "[%zu]", i);
    if (n > 0)
        c->path_len = saved + (size_t)n < sizeof c->path ? saved + (size_t)n : sizeof c->path - 1;
    return saved;
}

void cp_pop(struct cp_ctx *c, size_t saved)
{
    c->path_len = saved;
    c->path[saved] = '\0';
}

void *cp_alloc(struct cp_ctx *c, size_t size)
{
    void *p = bm_arena_alloc(c->arena, size);
    if (!p && !c->out_of_memory) {
        c->out_of_memory = true;
        cp_fail(c, "the catalog needs more than %u MiB of memory", ARENA_CAP >> 20);
    }
    return p;
}

const char *cp_copy(struct cp_ctx *c, const char *s)
{
    char *p = cp_alloc(c, strlen(s) + 1);
    if (p)
        memcpy(p, s, strlen(s) + 1);
    return p;
}

const char *cp_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "a whole number";
    case JSON_REAL:
        return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:
        return "true/false";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

void cp_wrong_type(struct cp_ctx *c, const json_t *v, const char *expected)
{
    cp_fail(c, "expected %s, found %s", expected, cp_type_name(v));
}

/* Reports every key of obj not in allowed (NULL-terminated). */
void cp_check_keys(struct cp_ctx *c, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
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
        size_t saved = cp_push_key(c, key);
        cp_fail(c, "unknown field; expected one of: %s", list);
        cp_pop(c, saved);
    }
}

/* obj[key] with its path pushed, or NULL (reporting it when required). */
json_t *cp_member(struct cp_ctx *c, json_t *obj, const char *key, bool required,
                  const char *expected, size_t *saved)
{
    *saved = cp_push_key(c, key);
    json_t *v = json_object_get(obj, key);
    if (!v && required)
        cp_fail(c, "missing; expected %s", expected);
    if (!v)
        cp_pop(c, *saved);
    return v;
}

size_t cp_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- scalar values ----------------------------------------------------------------------- */

bool cp_check_text_string(struct cp_ctx *c, const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 && !(multiline && *p == '\n')) {
            cp_fail(c, "control character 0x%02x; expected printable text%s", *p,
                    multiline ? " (line breaks allowed)" : " on one line");
            return false;
        }
    }
    size_t n = cp_utf8_chars(s);
    if (n > MAX_TEXT_CHARS) {
        cp_fail(c, "%zu characters; expected at most %d", n, MAX_TEXT_CHARS);
        return false;
    }
    return true;
}

void cp_text_value(struct cp_ctx *c, json_t *v, int flags, struct bm_text *out)
{
    static const char *const keys[] = {"zh-CN", "en", NULL};
    if (!json_is_object(v)) {
        cp_wrong_type(c, v, "a text {\"zh-CN\": \"...\", \"en\": \"...\"}");
        return;
    }
    cp_check_keys(c, v, keys);
    bool multiline = flags & CP_MULTILINE;
    json_t *zh = json_object_get(v, "zh-CN"), *en = json_object_get(v, "en");
    size_t saved = cp_push_key(c, "zh-CN");
    if (!zh || (json_is_string(zh) && json_string_length(zh) == 0))
        cp_fail(c, "no Chinese text; every text needs zh-CN");
    else if (!json_is_string(zh))
        cp_wrong_type(c, zh, "a string");
    else if (cp_check_text_string(c, json_string_value(zh), multiline))
        out->zh = cp_copy(c, json_string_value(zh));
    cp_pop(c, saved);

    if (!en || (json_is_string(en) && json_string_length(en) == 0)) {
        cp_warn(c, "no English text; zh-CN is shown");
        return;
    }
    saved = cp_push_key(c, "en");
    if (!json_is_string(en))
        cp_wrong_type(c, en, "a string");
    else if (cp_check_text_string(c, json_string_value(en), multiline))
        out->en = cp_copy(c, json_string_value(en));
    cp_pop(c, saved);
}

void cp_text_at(struct cp_ctx *c, json_t *obj, const char *key, int flags, struct bm_text *out)
{
    size_t saved;
    json_t *v =
        cp_member(c, obj, key, flags & CP_REQUIRED, "a text {\"zh-CN\": ..., \"en\": ...}", &saved);
    if (!v)
        return;
    cp_text_value(c, v, flags, out);
    cp_pop(c, saved);
}

bool cp_is_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* A required id; returns a copy in the arena or NULL. */
const char *cp_id_at(struct cp_ctx *c, json_t *obj, const char *key)
{
    size_t saved;
    json_t *v = cp_member(c, obj, key, true, ID_EXPECTED, &saved);
    if (!v)
        return NULL;
    const char *out = NULL;
    if (!json_is_string(v))
        cp_wrong_type(c, v, ID_EXPECTED);
    else if (!cp_is_id(json_string_value(v)))
        cp_fail(c, "\"%s\" is not an id; expected %s", json_string_value(v), ID_EXPECTED);
    else
        out = cp_copy(c, json_string_value(v));
    cp_pop(c, saved);
    return out;
}

void cp_list_names(const char *const *names, int count, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < count && n < size; i++) {
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", names[i]);
        n += w > 0 ? (size_t)w : 0;
    }
}

/* v (its path pushed) as one of names[]; returns the index, -1 (reported) if it is not. */
int cp_choice_value(struct cp_ctx *c, json_t *v, const char *const *names, int count)
{
    char list[300];
    cp_list_names(names, count, list, sizeof list);
    if (!json_is_string(v)) {
        cp_fail(c, "expected one of: %s, found %s", list, cp_type_name(v));
        return -1;
    }
    for (int i = 0; i < count; i++)
        if (strcmp(json_string_value(v), names[i]) == 0)
            return i;
    cp_fail(c, "\"%s\" is not known; expected one of: %s", json_string_value(v), list);
    return -1;
}

/* obj[key] as one of names[]; returns its index, def when absent, -1 on error. */
int cp_choice_at(struct cp_ctx *c, json_t *obj, const char *key, bool required,
                 const char *const *names, int count, int def)
{
    char list[300], expected[320];
    cp_list_names(names, count, list, sizeof list);
    snprintf(expected, sizeof expected, "one of: %s", list);
    size_t saved;
    json_t *v = cp_member(c, obj, key, required, expected, &saved);
    if (!v)
        return required ? -1 : def;
    int out = cp_choice_value(c, v, names, count);
    cp_pop(c, saved);
    return out;
}

bool cp_int_at(struct cp_ctx *c, json_t *obj, const char *key, bool required, int min, int max,
               int *out)
{
    char expected[64];
    snprintf(expected, sizeof expected, "a whole number %d..%d", min, max);
    size_t saved;
    json_t *v = cp_member(c, obj, key, required, expected, &saved);
    if (!v)
        return false;
    bool ok = false;
    if (!json_is_integer(v))
        cp_wrong_type(c, v, expected);
    else if (json_integer_value(v) < min || json_integer_value(v) > max)
        cp_fail(c, "%lld is out of range; expected %s", (long long)json_integer_value(v), expected);
    else
        ok = true;
    if (ok)
        *out = (int)json_integer_value(v);
    cp_pop(c, saved);
    return ok;
}

bool cp_bool_at(struct cp_ctx *c, json_t *obj, const char *key, bool def)
{
    size_t saved;
    json_t *v = cp_member(c, obj, key, false, "true or false", &saved);
    if (!v)
        return def;
    bool out = def;
    if (!json_is_boolean(v))
        cp_wrong_type(c, v, "true or false");
    else
        out = json_is_true(v);
    cp_pop(c, saved);
    return out;
}

bool cp_parse_date(const char *s, int *out)
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

int cp_date_at(struct cp_ctx *c, json_t *obj, const char *key)
{
    size_t saved;
    json_t *v = cp_member(c, obj, key, true, "a date YYYY-MM-DD", &saved);
    if (!v)
        return 0;
    int out = 0;
    if (!json_is_string(v))
        cp_wrong_type(c, v, "a date YYYY-MM-DD");
    else if (!cp_parse_date(json_string_value(v), &out))
        cp_fail(c, "\"%s\" is not a date; expected YYYY-MM-DD", json_string_value(v));
    cp_pop(c, saved);
    return out;
}

/* One character (one code point) that is not a space or control. */
/* Whether the one character s is a space of some kind (a badge would look empty). */
static bool is_space(const char *s)
{
    static const char *const spaces[] = {"\u00a0", "\u1680", "\u2000", "\u2001", "\u2002",
                                         "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
                                         "\u2008", "\u2009", "\u200a", "\u200b", "\u2028",
                                         "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"};
    if ((unsigned char)s[0] <= 0x20 || s[0] == 0x7f)
        return true;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (strcmp(s, spaces[i]) == 0)
            return true;
    return false;
}

const char *cp_glyph_at(struct cp_ctx *c, json_t *obj, const char *key)
{
    size_t saved;
    json_t *v = cp_member(c, obj, key, true, "one character", &saved);
    if (!v)
        return NULL;
    const char *out = NULL;
    if (!json_is_string(v))
        cp_wrong_type(c, v, "one character");
    else if (cp_utf8_chars(json_string_value(v)) != 1 || is_space(json_string_value(v)))
        cp_fail(c, "\"%s\" is not one character; expected one character such as \"社\"",
                json_string_value(v));
    else
        out = cp_copy(c, json_string_value(v));
    cp_pop(c, saved);
    return out;
}

/* obj[key] as an array of min..max items, with its path pushed; NULL if absent or wrong. */
json_t *cp_array_at(struct cp_ctx *c, json_t *obj, const char *key, bool required, size_t min,
                    size_t max, size_t *saved)
{
    char expected[64];
    snprintf(expected, sizeof expected, "an array of %zu to %zu items", min, max);
    json_t *v = cp_member(c, obj, key, required, expected, saved);
    if (!v)
        return NULL;
    if (!json_is_array(v)) {
        cp_wrong_type(c, v, expected);
    } else if (json_array_size(v) < min || json_array_size(v) > max) {
        cp_fail(c, "%zu items; expected %zu to %zu", json_array_size(v), min, max);
    } else {
        return v;
    }
    cp_pop(c, *saved);
    return NULL;
}

bool cp_object_or_fail(struct cp_ctx *c, json_t *v)
{
    if (json_is_object(v))
        return true;
    cp_wrong_type(c, v, "an object");
    return false;
}

/* Reports id if one of the n earlier ones has it; base is the array's path, for the message. */
void cp_check_unique(struct cp_ctx *c, const char *id, const char *const *earlier, size_t n,
                     const char *base)
{
    if (!id)
        return;
    for (size_t i = 0; i < n; i++)
        if (earlier[i] && strcmp(earlier[i], id) == 0) {
            cp_fail(c, "duplicate id \"%s\" (first at %s[%zu])", id, base, i);
            return;
        }
}
