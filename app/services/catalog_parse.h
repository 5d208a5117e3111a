/*
 * catalog_parse.h - what the catalog loader's two files share: the walk's state (with the
 * JSON path of the value being checked) and the checks of single values that report into it.
 * catalog_parse.c walks the document's parts; catalog_parse_values.c checks scalars, texts
 * and arrays. Only these two files include jansson.h.
 */
#ifndef BM_SERVICES_CATALOG_PARSE_H
#define BM_SERVICES_CATALOG_PARSE_H

#include "catalog_internal.h"

#include <jansson.h>
#include <stdarg.h>

/* The hard caps of docs/catalog.md, and the format version this kiosk reads. */
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
    MAX_TILE_ZH = 8,
    MAX_TILE_EN = 20,
    PATTERN_BUDGET = 20000, /* atoms, over all patterns: bounds regcomp's total time */
    FORMAT_VERSION = 1,
};

/* The most one catalog may take: its own arena, and jansson's tree while parsing. */
#define ARENA_CAP   (16u << 20)
#define JSON_BUDGET (64u << 20)

/* The walk: where it is (a JSON path such as $.services[3].steps[1]) and what it found. */
struct cp_ctx {
    struct bm_catalog_report *report;
    const char *name;
    const struct bm_catalog_load_options *opts;
    struct bm_arena *arena;
    size_t errors;
    bool out_of_memory;
    long pattern_budget; /* atoms regcomp may still be given */
    char path[256];
    size_t path_len;
};

/* How a text is checked: whether it must be there, whether it may break lines. */
enum cp_text_flags { CP_OPTIONAL = 0, CP_REQUIRED = 1, CP_MULTILINE = 2 };

/* What an id is, for messages. */
#define ID_EXPECTED "an id: 1-32 characters of a-z, 0-9 and _, starting with a letter"

/* ---- the path and the report (a report line is "NAME: PATH: problem; expected ...") ---- */

void __attribute__((format(printf, 3, 4)))
cp_report_plain(struct bm_catalog_report *r, bool warning, const char *fmt, ...);
void cp_vreport(struct cp_ctx *c, bool warning, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void __attribute__((format(printf, 2, 3))) cp_fail(struct cp_ctx *c, const char *fmt, ...);
void __attribute__((format(printf, 2, 3))) cp_warn(struct cp_ctx *c, const char *fmt, ...);
size_t cp_push_key(struct cp_ctx *c, const char *key);
size_t cp_push_index(struct cp_ctx *c, size_t i);
void cp_pop(struct cp_ctx *c, size_t saved);
/* Arena memory and copies; running out is reported once. */
void *cp_alloc(struct cp_ctx *c, size_t size);
const char *cp_copy(struct cp_ctx *c, const char *s);
/* ---- single values: each pushes its key, reports what is wrong, returns what is good ---- */

const char *cp_type_name(const json_t *v);
void cp_wrong_type(struct cp_ctx *c, const json_t *v, const char *expected);
void cp_check_keys(struct cp_ctx *c, json_t *obj, const char *const *allowed);
/* obj[key] with its path pushed (pop with *saved), or NULL, reported when required. */
json_t *cp_member(struct cp_ctx *c, json_t *obj, const char *key, bool required,
                  const char *expected, size_t *saved);
size_t cp_utf8_chars(const char *s);
bool cp_check_text_string(struct cp_ctx *c, const char *s, bool multiline);
void cp_text_value(struct cp_ctx *c, json_t *v, int flags, struct bm_text *out);
void cp_text_at(struct cp_ctx *c, json_t *obj, const char *key, int flags, struct bm_text *out);
bool cp_is_id(const char *s);
const char *cp_id_at(struct cp_ctx *c, json_t *obj, const char *key);
void cp_list_names(const char *const *names, int count, char *buf, size_t size);
int cp_choice_value(struct cp_ctx *c, json_t *v, const char *const *names, int count);
int cp_choice_at(struct cp_ctx *c, json_t *obj, const char *key, bool required,
                 const char *const *names, int count, int def);
bool cp_int_at(struct cp_ctx *c, json_t *obj, const char *key, bool required, int min, int max,
               int *out);
bool cp_bool_at(struct cp_ctx *c, json_t *obj, const char *key, bool def);
bool cp_parse_date(const char *s, int *out);
int cp_date_at(struct cp_ctx *c, json_t *obj, const char *key);
const char *cp_glyph_at(struct cp_ctx *c, json_t *obj, const char *key);
/* obj[key] as an array of min..max items, its path pushed; NULL if absent or wrong. */
json_t *cp_array_at(struct cp_ctx *c, json_t *obj, const char *key, bool required, size_t min,
                    size_t max, size_t *saved);
bool cp_object_or_fail(struct cp_ctx *c, json_t *v);
/* Reports id if one of the n earlier ones has it; base is the array's path, for the message. */
void cp_check_unique(struct cp_ctx *c, const char *id, const char *const *earlier, size_t n,
                     const char *base);

/* ---- shared by the documents that reuse the catalog's rules (catalog_parse_notices.c) ---- */

/* Checks format (the name, e.g. "bianmin-catalog"), format_version, revision and published
 * into d; false when the version is one this kiosk does not read (the rest is not walked). */
bool cp_header(struct cp_ctx *c, json_t *root, const char *format, struct bm_catalog_data *d);
/* Walks array key of root, calling each on every object item (checking ids are unique at
 * id_offset); returns the items' memory. */
typedef void (*cp_item_fn)(struct cp_ctx *c, json_t *v, void *item, void *ud);
void *cp_parse_list(struct cp_ctx *c, json_t *root, const char *key, bool required, size_t min,
                    size_t max, size_t item_size, cp_item_fn each, void *ud, size_t *count,
                    size_t id_offset);
/* One notice (item: a struct bm_catalog_notice), as docs/catalog.md has it. */
void cp_each_notice(struct cp_ctx *c, json_t *v, void *item, void *ud);
/* Parses json (at most max_len bytes) under jansson's budget and walks it into a catalog
 * object; as bm_catalog_parse otherwise. */
typedef void (*cp_root_fn)(struct cp_ctx *c, json_t *root, struct bm_catalog_data *d);
enum bm_err cp_parse_document(const char *json, size_t len, size_t max_len, const char *name,
                              const struct bm_catalog_load_options *opts,
                              struct bm_catalog_report *report, cp_root_fn walk,
                              struct bm_catalog **out);

#endif
