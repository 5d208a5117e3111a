/*
 * catalog_parse.c - reads a catalog document (docs/catalog.md) and checks every rule of it.
 *
 * jansson parses the bytes into a tree (only this file and catalog_parse_values.c include
 * jansson.h); the walk below checks each value against the format and copies it into the
 * catalog's arena.
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
#include "catalog_parse.h"

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

/* ---- the document's parts ---------------------------------------------------------------- */

static const char *const hue_names[] = {"blue", "green", "orange", "purple", "teal", "red"};
#define HUE_COUNT 6

static void text_list_at(struct cp_ctx *c, json_t *obj, const char *key, const struct bm_text **out,
                         size_t *count)
{
    size_t saved;
    json_t *arr = cp_array_at(c, obj, key, false, 0, MAX_LIST, &saved);
    if (!arr)
        return;
    struct bm_text *items = cp_alloc(c, (json_array_size(arr) + 1) * sizeof *items);
    if (items) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) {
            size_t s = cp_push_index(c, i);
            cp_text_value(c, v, CP_REQUIRED, &items[i]);
            cp_pop(c, s);
        }
        *out = items;
        *count = json_array_size(arr);
    }
    cp_pop(c, saved);
}

static void parse_guide(struct cp_ctx *c, json_t *obj, struct bm_catalog_guide *g)
{
    static const char *const keys[] = {"about", "conditions", "process", "faq", "notes", NULL};
    size_t saved;
    json_t *v = cp_member(c, obj, "guide", true, "a guide object", &saved);
    if (!v)
        return;
    if (cp_object_or_fail(c, v)) {
        cp_check_keys(c, v, keys);
        cp_text_at(c, v, "about", CP_REQUIRED | CP_MULTILINE, &g->about);
        text_list_at(c, v, "conditions", &g->conditions, &g->condition_count);
        text_list_at(c, v, "process", &g->process, &g->process_count);
        cp_text_at(c, v, "notes", CP_MULTILINE, &g->notes);

        size_t fs;
        json_t *arr = cp_array_at(c, v, "faq", false, 0, MAX_LIST, &fs);
        if (arr) {
            struct bm_catalog_faq *faq = cp_alloc(c, (json_array_size(arr) + 1) * sizeof *faq);
            size_t i;
            json_t *item;
            json_array_foreach(arr, i, item) {
                static const char *const faq_keys[] = {"q", "a", NULL};
                size_t s = cp_push_index(c, i);
                if (faq && cp_object_or_fail(c, item)) {
                    cp_check_keys(c, item, faq_keys);
                    cp_text_at(c, item, "q", CP_REQUIRED, &faq[i].q);
                    cp_text_at(c, item, "a", CP_REQUIRED | CP_MULTILINE, &faq[i].a);
                }
                cp_pop(c, s);
            }
            g->faq = faq;
            g->faq_count = faq ? json_array_size(arr) : 0;
            cp_pop(c, fs);
        }
    }
    cp_pop(c, saved);
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

static void parse_options(struct cp_ctx *c, json_t *obj, struct bm_catalog_field *f)
{
    size_t saved;
    json_t *arr = cp_array_at(c, obj, "options", f->type == BM_FIELD_CHOICE, 2, MAX_OPTIONS, &saved);
    if (!arr)
        return;
    if (f->type != BM_FIELD_CHOICE) {
        cp_fail(c, "only a choice field has options");
        cp_pop(c, saved);
        return;
    }
    struct bm_catalog_option *opts = cp_alloc(c, json_array_size(arr) * sizeof *opts);
    const char *ids[MAX_OPTIONS] = {0};
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        static const char *const keys[] = {"id", "label", NULL};
        size_t s = cp_push_index(c, i);
        if (opts && cp_object_or_fail(c, v)) {
            cp_check_keys(c, v, keys);
            opts[i].id = ids[i] = cp_id_at(c, v, "id");
            size_t ks = cp_push_key(c, "id");
            cp_check_unique(c, ids[i], ids, i, base);
            cp_pop(c, ks);
            cp_text_at(c, v, "label", CP_REQUIRED, &opts[i].label);
        }
        cp_pop(c, s);
    }
    f->options = opts;
    f->option_count = opts ? json_array_size(arr) : 0;
    cp_pop(c, saved);
}

/*
 * Why compiling or matching pattern could exhaust the kiosk, or NULL. glibc's regcomp expands
 * counted repeats into copies, so {1,32767}, or counts that multiply through nested groups,
 * take minutes and gigabytes; backreferences make matching exponential. The check adds up
 * how many atoms the expansion has (a group costs the sum of its contents, a repeat
 * multiplies what it repeats) and refuses more than MAX_EXPANSION. An answer is at most 200
 * characters, so no honest pattern comes near.
 */
static const char *pattern_risk(const char *p, long *expansion)
{
    enum { MAX_DEPTH = 16, MAX_COUNT = MAX_LENGTH, MAX_EXPANSION = 2000 };
    long sum[MAX_DEPTH + 1] = {0}; /* the expanded size of each open group so far */
    int depth = 0;
    long last = 0; /* the expanded size of the atom just read, for a {m,n} after it */
    bool last_group = false; /* whether that atom was a (group) */
    for (size_t i = 0; p[i]; i++) {
        long atom = 1;
        bool group = false;
        switch (p[i]) {
        case '\\':
            if (p[i + 1] >= '1' && p[i + 1] <= '9')
                return "backreferences (\\1 to \\9) are not allowed; expected a plain pattern";
            i += p[i + 1] != '\0';
            break;
        case '[': { /* a bracket expression is one atom; regcomp checks its syntax */
            size_t j = i + 1 + (p[i + 1] == '^');
            j += p[j] == ']';
            while (p[j] && p[j] != ']') {
                if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
                    char close = p[j + 1];
                    for (j += 2; p[j] && !(p[j] == close && p[j + 1] == ']'); j++)
                        ;
                    j += p[j] ? 2 : 0;
                } else {
                    j++;
                }
            }
            if (!p[j])
                return NULL;
            i = j;
            break;
        }
        case '(':
            if (depth == MAX_DEPTH)
                return "groups nested more than 16 deep; expected a simpler pattern";
            sum[++depth] = 0;
            last = 0;
            last_group = false;
            continue;
        case ')':
            if (depth == 0)
                break;
            atom = sum[depth--];
            atom = atom > 0 ? atom : 1;
            group = true;
            break;
        case '{': {
            char *end;
            long m = strtol(p + i + 1, &end, 10), n = m;
            if (*end == ',')
                n = end[1] == '}' ? m + 1 : strtol(end + 1, &end, 10);
            if (m > MAX_COUNT || n > MAX_COUNT)
                return "a repeat count above 200; expected {m,n} with m and n at most 200";
            /* glibc copies a repeated group's optional parts combinatorially: seconds each */
            if (last_group)
                return "a counted repeat of a (group); expected {m,n} on a character or a "
                       "[...] only";
            n = n > 1 ? n : 1;
            sum[depth] += last * (n - 1); /* the copies regcomp makes of the atom */
            last *= n;
            last_group = false;
            if (sum[depth] > MAX_EXPANSION || last > MAX_EXPANSION)
                return "repeats expand past 2000 atoms; expected a simpler pattern";
            while (p[i + 1] && p[i] != '}')
                i++;
            continue;
        }
        case '*':
        case '+':
        case '?':
        case '|':
        case '^':
        case '$':
            continue; /* these add no copies */
        default:
            break;
        }
        sum[depth] += atom;
        last = atom;
        last_group = group;
        if (sum[depth] > MAX_EXPANSION)
            return "repeats expand past 2000 atoms; expected a simpler pattern";
    }
    *expansion = sum[0];
    return NULL;
}

static void parse_field(struct cp_ctx *c, json_t *v, bool has_identify, struct bm_catalog_field *f)
{
    static const char *const keys[] = {"id",      "type",     "label",   "hint",
                                       "required", "min_length", "max_length", "pattern",
                                       "options", "prefill",  "personal", NULL};
    cp_check_keys(c, v, keys);
    f->id = cp_id_at(c, v, "id");
    int type = cp_choice_at(c, v, "type", true, field_type_names, 6, 0);
    f->type = type < 0 ? BM_FIELD_TEXT : (enum bm_field_type)type;
    cp_text_at(c, v, "label", CP_REQUIRED, &f->label);
    cp_text_at(c, v, "hint", CP_OPTIONAL, &f->hint);
    f->required = cp_bool_at(c, v, "required", false);
    f->personal = cp_bool_at(c, v, "personal", f->type != BM_FIELD_CHOICE);
    parse_options(c, v, f);

    bool free_text = f->type == BM_FIELD_TEXT || f->type == BM_FIELD_DIGITS;
    const char *const limits[] = {"min_length", "max_length", "pattern"};
    for (int i = 0; i < 3; i++) {
        if (!free_text && json_object_get(v, limits[i])) {
            size_t s = cp_push_key(c, limits[i]);
            cp_fail(c, "only text and digits fields have %s", limits[i]);
            cp_pop(c, s);
        }
    }
    if (free_text) {
        cp_int_at(c, v, "min_length", false, 0, MAX_LENGTH, &f->min_length);
        cp_int_at(c, v, "max_length", false, 1, MAX_LENGTH, &f->max_length);
        if (f->max_length && f->min_length > f->max_length) {
            size_t s = cp_push_key(c, "min_length");
            cp_fail(c, "%d is more than max_length %d", f->min_length, f->max_length);
            cp_pop(c, s);
        }
        size_t saved;
        json_t *p = cp_member(c, v, "pattern", false, "", &saved);
        if (p) {
            regex_t re;
            int rc;
            const char *risk;
            long expansion = 0;
            if (!json_is_string(p))
                cp_wrong_type(c, p, "a POSIX extended regular expression");
            else if (json_string_length(p) == 0 || cp_utf8_chars(json_string_value(p)) > MAX_PATTERN_CHARS)
                cp_fail(c, "expected a regular expression of 1 to %d characters", MAX_PATTERN_CHARS);
            else if ((risk = pattern_risk(json_string_value(p), &expansion)))
                cp_fail(c, "\"%s\": %s", json_string_value(p), risk);
            else if ((c->pattern_budget -= expansion) < 0)
                cp_fail(c, "the catalog's patterns together expand past %d atoms; expected "
                           "simpler patterns",
                        PATTERN_BUDGET);
            else if ((rc = regcomp(&re, json_string_value(p), REG_EXTENDED | REG_NOSUB)) != 0)
                cp_fail(c, "\"%s\" does not compile as a POSIX extended regular expression",
                     json_string_value(p));
            else {
                regfree(&re);
                f->pattern = cp_copy(c, json_string_value(p));
            }
            cp_pop(c, saved);
        }
    }

    int prefill = cp_choice_at(c, v, "prefill", false, prefill_names, 7, BM_PREFILL_NONE);
    f->prefill = prefill < 0 ? BM_PREFILL_NONE : (enum bm_prefill)prefill;
    if (f->prefill != BM_PREFILL_NONE) {
        size_t s = cp_push_key(c, "prefill");
        if (!has_identify)
            cp_fail(c, "%s needs the ID card read first; expected an identify step in this service",
                 prefill_names[f->prefill]);
        else if (type >= 0 && prefill_type(f->prefill) != f->type)
            cp_fail(c, "%s fills a %s field; this field's type is %s", prefill_names[f->prefill],
                 field_type_names[prefill_type(f->prefill)], field_type_names[f->type]);
        cp_pop(c, s);
    }
}

static void parse_fields(struct cp_ctx *c, json_t *arr, bool has_identify,
                         struct bm_catalog_step *step)
{
    struct bm_catalog_field *fields = cp_alloc(c, json_array_size(arr) * sizeof *fields);
    const char *ids[MAX_FIELDS] = {0};
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        size_t s = cp_push_index(c, i);
        if (fields && cp_object_or_fail(c, v)) {
            parse_field(c, v, has_identify, &fields[i]);
            ids[i] = fields[i].id;
            size_t ks = cp_push_key(c, "id");
            cp_check_unique(c, ids[i], ids, i, base);
            cp_pop(c, ks);
        }
        cp_pop(c, s);
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

static void parse_material(struct cp_ctx *c, json_t *v, struct bm_catalog_material *m)
{
    static const char *const keys[] = {"id",       "name",    "hint", "pages",
                                       "required", "example", NULL};
    cp_check_keys(c, v, keys);
    m->id = cp_id_at(c, v, "id");
    cp_text_at(c, v, "name", CP_REQUIRED, &m->name);
    cp_text_at(c, v, "hint", CP_OPTIONAL, &m->hint);
    m->pages = 1;
    cp_int_at(c, v, "pages", false, 1, MAX_PAGES, &m->pages);
    m->required = cp_bool_at(c, v, "required", true);

    size_t saved;
    json_t *ex = cp_member(c, v, "example", false, "", &saved);
    if (!ex)
        return;
    const char *path = json_is_string(ex) ? json_string_value(ex) : NULL;
    if (!path)
        cp_wrong_type(c, ex, "a path relative to ui-assets/");
    else if (strlen(path) > MAX_EXAMPLE_CHARS || !safe_relative_path(path))
        cp_fail(c, "\"%s\" is not a safe relative path; expected letters, digits, _ - . / under "
                "ui-assets/, no \"..\"",
             path);
    else {
        const char *assets = c->opts ? c->opts->assets_dir : NULL;
        char full[1200];
        struct stat st;
        if (assets && (snprintf(full, sizeof full, "%s/%s", assets, path) >= (int)sizeof full ||
                       stat(full, &st) != 0 || !S_ISREG(st.st_mode)))
            cp_fail(c, "\"%s\" is not a file in %s; expected an existing picture", path, assets);
        else
            m->example = cp_copy(c, path);
    }
    cp_pop(c, saved);
}

static void parse_materials(struct cp_ctx *c, json_t *arr, struct bm_catalog_step *step)
{
    struct bm_catalog_material *mats = cp_alloc(c, json_array_size(arr) * sizeof *mats);
    const char *ids[MAX_MATERIALS] = {0};
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        size_t s = cp_push_index(c, i);
        if (mats && cp_object_or_fail(c, v)) {
            parse_material(c, v, &mats[i]);
            ids[i] = mats[i].id;
            size_t ks = cp_push_key(c, "id");
            cp_check_unique(c, ids[i], ids, i, base);
            cp_pop(c, ks);
        }
        cp_pop(c, s);
    }
    step->materials = mats;
    step->material_count = mats ? json_array_size(arr) : 0;
}

static void parse_document(struct cp_ctx *c, json_t *v, struct bm_catalog_step *step)
{
    static const char *const keys[] = {"kind", "title", "watermark", "issuer", NULL};
    static const char *const kinds[] = {"receipt", "a4", "certificate"};
    if (!cp_object_or_fail(c, v))
        return;
    struct bm_catalog_document *doc = cp_alloc(c, sizeof *doc);
    if (!doc)
        return;
    cp_check_keys(c, v, keys);
    int kind = cp_choice_at(c, v, "kind", true, kinds, 3, 0);
    doc->kind = kind < 0 ? BM_DOCUMENT_RECEIPT : (enum bm_document_kind)kind;
    cp_text_at(c, v, "title", CP_REQUIRED, &doc->title);
    cp_text_at(c, v, "issuer", CP_OPTIONAL, &doc->issuer);
    if (doc->kind == BM_DOCUMENT_CERTIFICATE) {
        cp_text_at(c, v, "watermark", CP_REQUIRED, &doc->watermark);
    } else if (kind >= 0 && json_object_get(v, "watermark")) {
        size_t s = cp_push_key(c, "watermark");
        cp_fail(c, "only a certificate has a watermark; this document is %s", kinds[kind]);
        cp_pop(c, s);
    }
    step->document = doc;
    step->devices |= BM_DEVICE_BIT(doc->kind == BM_DOCUMENT_RECEIPT ? BM_CLASS_RECEIPT_PRINTER
                                                                    : BM_CLASS_DOC_PRINTER);
}

static void parse_step_devices(struct cp_ctx *c, json_t *v, struct bm_catalog_step *step)
{
    const char *names[BM_CLASS_COUNT];
    for (int i = 0; i < BM_CLASS_COUNT; i++)
        names[i] = bm_device_class_name((enum bm_device_class)i);
    size_t saved;
    json_t *arr = cp_array_at(c, v, "devices", false, 1, BM_CLASS_COUNT, &saved);
    if (!arr)
        return;
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        size_t s = cp_push_index(c, i);
        int cls = cp_choice_value(c, item, names, BM_CLASS_COUNT);
        if (cls >= 0)
            step->devices |= BM_DEVICE_BIT(cls);
        cp_pop(c, s);
    }
    cp_pop(c, saved);
}

/* The steps of a service: kinds once each, in order, with what each kind carries. */
static void parse_steps(struct cp_ctx *c, json_t *svc_obj, struct bm_catalog_service *svc)
{
    size_t saved;
    json_t *arr = cp_array_at(c, svc_obj, "steps", false, 0, MAX_STEPS, &saved);
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

    struct bm_catalog_step *steps = cp_alloc(c, (json_array_size(arr) + 1) * sizeof *steps);
    int seen_at[BM_STEP_KIND_COUNT];
    for (int k = 0; k < BM_STEP_KIND_COUNT; k++)
        seen_at[k] = -1;
    int last_kind = -1;
    json_array_foreach(arr, i, v) {
        size_t s = cp_push_index(c, i);
        if (!steps || !cp_object_or_fail(c, v)) {
            cp_pop(c, s);
            continue;
        }
        struct bm_catalog_step *st = &steps[i];
        int kind = cp_choice_at(c, v, "kind", true, kind_names, BM_STEP_KIND_COUNT, -1);
        if (kind >= 0) {
            st->kind = (enum bm_step_kind)kind;
            size_t ks = cp_push_key(c, "kind");
            if (seen_at[kind] >= 0)
                cp_fail(c, "duplicate step \"%s\" (first at steps[%d]); each kind runs once",
                     kind_names[kind], seen_at[kind]);
            else if (kind < last_kind)
                cp_fail(c, "\"%s\" after \"%s\"; expected the order identify, form, materials, "
                        "review, submit, print, rate",
                     kind_names[kind], kind_names[last_kind]);
            cp_pop(c, ks);
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
            size_t ks = cp_push_key(c, key);
            bool known = false;
            for (size_t o = 0; o < 3; o++) {
                if (strcmp(key, owned[o].key) != 0)
                    continue;
                known = true;
                if (kind >= 0 && kind != (int)owned[o].kind)
                    cp_fail(c, "only a \"%s\" step has %s; this step is \"%s\"",
                         kind_names[owned[o].kind], key, kind_names[kind]);
            }
            if (!known)
                cp_fail(c, "unknown field; expected kind, devices, and fields (form), materials "
                        "(materials) or document (print)");
            cp_pop(c, ks);
        }

        size_t ps;
        json_t *part;
        switch (kind) {
        case BM_STEP_IDENTIFY:
            if (svc->identification == BM_IDENTIFY_ID_CARD)
                st->devices |= BM_DEVICE_BIT(BM_CLASS_ID_READER);
            break;
        case BM_STEP_FORM:
            if ((part = cp_array_at(c, v, "fields", true, 1, MAX_FIELDS, &ps)))
                parse_fields(c, part, has_identify, st), cp_pop(c, ps);
            break;
        case BM_STEP_MATERIALS:
            st->devices |= BM_DEVICE_BIT(BM_CLASS_SCANNER);
            if ((part = cp_array_at(c, v, "materials", true, 1, MAX_MATERIALS, &ps)))
                parse_materials(c, part, st), cp_pop(c, ps);
            break;
        case BM_STEP_PRINT:
            if ((part = cp_member(c, v, "document", true, "a document object", &ps)))
                parse_document(c, part, st), cp_pop(c, ps);
            break;
        default:
            break;
        }
        parse_step_devices(c, v, st);
        svc->devices |= st->devices;
        cp_pop(c, s);
    }
    svc->steps = steps;
    svc->step_count = steps ? json_array_size(arr) : 0;

    bool identify = seen_at[BM_STEP_IDENTIFY] >= 0;
    if (svc->identification != BM_IDENTIFY_NONE && !identify && json_array_size(arr) > 0)
        cp_fail(c, "identification is not none, but no step identifies; expected an identify step "
                "(or identification none)");
    if (svc->identification == BM_IDENTIFY_NONE && identify)
        cp_fail(c, "an identify step, but identification is none; expected identification id_card "
                "or id_card_or_number");
    if ((seen_at[BM_STEP_REVIEW] >= 0) != (seen_at[BM_STEP_SUBMIT] >= 0))
        cp_fail(c, "review and submit come together; expected both or neither");
    cp_pop(c, saved);
}

/* A quick entry's tile has room for 8 Chinese or 20 Latin characters. */
static void check_tile_text(struct cp_ctx *c, const char *key, const struct bm_text *t)
{
    size_t zh = t->zh ? cp_utf8_chars(t->zh) : 0, en = t->en ? cp_utf8_chars(t->en) : 0;
    size_t saved = cp_push_key(c, key);
    if (zh > MAX_TILE_ZH || en > MAX_TILE_EN)
        cp_fail(c, "%zu characters (zh-CN) and %zu (en) for a tile; expected at most %d and %d%s",
                zh, en, MAX_TILE_ZH, MAX_TILE_EN,
                strcmp(key, "title") == 0 ? " (a quick entry needs a short_title)" : "");
    cp_pop(c, saved);
}

static void parse_service(struct cp_ctx *c, json_t *v, const struct bm_catalog_category *cats,
                          size_t cat_count, struct bm_catalog_service *svc)
{
    static const char *const keys[] = {
        "id",        "category", "title",      "short_title", "glyph",          "hue",
        "quick_rank", "who_can_apply", "fee", "time_limit",  "department",     "guide",
        "identification", "steps", NULL};
    static const char *const idents[] = {"none", "id_card", "id_card_or_number"};
    cp_check_keys(c, v, keys);
    svc->id = cp_id_at(c, v, "id");

    size_t saved;
    json_t *cat = cp_member(c, v, "category", true, "the id of a category", &saved);
    if (cat) {
        if (!json_is_string(cat)) {
            cp_wrong_type(c, cat, "the id of a category");
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
                cp_fail(c, "\"%s\" is not a category id; expected one of: %s",
                     json_string_value(cat), list);
            }
        }
        cp_pop(c, saved);
    }

    cp_text_at(c, v, "title", CP_REQUIRED, &svc->title);
    bool has_short = json_object_get(v, "short_title") != NULL;
    if (has_short)
        cp_text_at(c, v, "short_title", CP_REQUIRED, &svc->short_title);
    else
        svc->short_title = svc->title;
    svc->glyph = cp_glyph_at(c, v, "glyph");
    int hue = cp_choice_at(c, v, "hue", true, hue_names, HUE_COUNT, 0);
    svc->hue = hue < 0 ? BM_CATALOG_HUE_BLUE : (enum bm_catalog_hue)hue;
    cp_int_at(c, v, "quick_rank", false, 1, MAX_RANK, &svc->quick_rank);
    if (has_short || svc->quick_rank > 0)
        check_tile_text(c, has_short ? "short_title" : "title", &svc->short_title);
    cp_text_at(c, v, "who_can_apply", CP_REQUIRED | CP_MULTILINE, &svc->who_can_apply);
    cp_text_at(c, v, "fee", CP_REQUIRED, &svc->fee);
    cp_text_at(c, v, "time_limit", CP_REQUIRED, &svc->time_limit);
    cp_text_at(c, v, "department", CP_REQUIRED, &svc->department);
    parse_guide(c, v, &svc->guide);
    int ident = cp_choice_at(c, v, "identification", true, idents, 3, 0);
    svc->identification = ident < 0 ? BM_IDENTIFY_NONE : (enum bm_identification)ident;
    parse_steps(c, v, svc);
}

static void parse_category(struct cp_ctx *c, json_t *v, struct bm_catalog_category *cat)
{
    static const char *const keys[] = {"id", "title", "subtitle", "glyph", "hue", NULL};
    cp_check_keys(c, v, keys);
    cat->id = cp_id_at(c, v, "id");
    cp_text_at(c, v, "title", CP_REQUIRED, &cat->title);
    cp_text_at(c, v, "subtitle", CP_REQUIRED, &cat->subtitle);
    cat->glyph = cp_glyph_at(c, v, "glyph");
    int hue = cp_choice_at(c, v, "hue", true, hue_names, HUE_COUNT, 0);
    cat->hue = hue < 0 ? BM_CATALOG_HUE_BLUE : (enum bm_catalog_hue)hue;
}

void *cp_parse_list(struct cp_ctx *c, json_t *root, const char *key, bool required, size_t min,
                    size_t max, size_t item_size, cp_item_fn each, void *ud, size_t *count,
                    size_t id_offset)
{
    size_t saved;
    json_t *arr = cp_array_at(c, root, key, required, min, max, &saved);
    *count = 0;
    if (!arr)
        return NULL;
    char *items = cp_alloc(c, (json_array_size(arr) + 1) * item_size);
    const char **ids = calloc(json_array_size(arr) + 1, sizeof *ids);
    char base[sizeof c->path];
    snprintf(base, sizeof base, "%s", c->path);
    if (items && !ids && !c->out_of_memory) {
        c->out_of_memory = true; /* never an empty list that looks valid */
        cp_fail(c, "out of memory");
    }
    if (items && ids) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) {
            size_t s = cp_push_index(c, i);
            if (cp_object_or_fail(c, v)) {
                each(c, v, items + i * item_size, ud);
                memcpy(&ids[i], items + i * item_size + id_offset, sizeof ids[i]);
                size_t ks = cp_push_key(c, "id");
                cp_check_unique(c, ids[i], ids, i, base);
                cp_pop(c, ks);
            }
            cp_pop(c, s);
        }
        *count = json_array_size(arr);
    }
    free(ids);
    cp_pop(c, saved);
    return items;
}

static void each_category(struct cp_ctx *c, json_t *v, void *item, void *ud)
{
    (void)ud;
    parse_category(c, v, item);
}

struct category_list {
    const struct bm_catalog_category *items;
    size_t count;
};

static void each_service(struct cp_ctx *c, json_t *v, void *item, void *ud)
{
    const struct category_list *cats = ud;
    parse_service(c, v, cats->items, cats->count, item);
}

static int by_rank(const void *a, const void *b)
{
    const struct bm_catalog_service *x = *(const struct bm_catalog_service *const *)a;
    const struct bm_catalog_service *y = *(const struct bm_catalog_service *const *)b;
    return x->quick_rank - y->quick_rank;
}

/* Derived lists and the checks that need the whole document. */
static void finish(struct cp_ctx *c, struct bm_catalog_data *d, struct bm_catalog_service *svcs)
{
    size_t quick = 0;
    for (size_t i = 0; i < d->service_count; i++)
        quick += svcs[i].quick_rank > 0;
    const struct bm_catalog_service **q = cp_alloc(c, (quick + 1) * sizeof *q);
    if (!q)
        return;
    size_t n = 0;
    for (size_t i = 0; i < d->service_count; i++) {
        if (svcs[i].quick_rank <= 0)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (svcs[j].quick_rank == svcs[i].quick_rank) {
                size_t s = cp_push_key(c, "services");
                cp_push_index(c, i);
                cp_push_key(c, "quick_rank");
                cp_fail(c, "rank %d is taken by $.services[%zu]; expected each rank once",
                     svcs[i].quick_rank, j);
                cp_pop(c, s);
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
            size_t s = cp_push_key(c, "categories");
            cp_push_index(c, i);
            cp_warn(c, "category \"%s\" has no services; its tile leads nowhere",
                 d->categories[i].id ? d->categories[i].id : "?");
            cp_pop(c, s);
        }
    }
}

bool cp_header(struct cp_ctx *c, json_t *root, const char *format, struct bm_catalog_data *d)
{
    char expected[64];
    snprintf(expected, sizeof expected, "\"%s\"", format);
    size_t saved;
    json_t *v = cp_member(c, root, "format", true, expected, &saved);
    if (v) {
        if (!json_is_string(v) || strcmp(json_string_value(v), format) != 0)
            cp_fail(c, "expected %s", expected);
        cp_pop(c, saved);
    }
    int version = 0;
    if (cp_int_at(c, root, "format_version", true, 1, 1000, &version) && version != FORMAT_VERSION) {
        size_t s = cp_push_key(c, "format_version");
        cp_fail(c, "version %d is not one this kiosk reads; expected %d", version, FORMAT_VERSION);
        cp_pop(c, s);
        return false; /* the rest is a format we do not know */
    }

    v = cp_member(c, root, "revision", true, "1-64 printable ASCII characters", &saved);
    if (v) {
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        bool ok = s && *s && strlen(s) <= 64;
        for (const char *p = s; ok && *p; p++)
            ok = *p > 0x20 && *p < 0x7f;
        if (ok)
            d->revision = cp_copy(c, s);
        else
            cp_fail(c, "expected 1-64 printable ASCII characters, such as \"2026-11-20.1\"");
        cp_pop(c, saved);
    }
    d->published = cp_date_at(c, root, "published");
    return true;
}

static void parse_root(struct cp_ctx *c, json_t *root, struct bm_catalog_data *d)
{
    static const char *const keys[] = {"format",   "format_version", "revision", "published",
                                       "issuer",   "categories",     "services", "notices",
                                       NULL};
    if (!cp_object_or_fail(c, root))
        return;
    cp_check_keys(c, root, keys);

    if (!cp_header(c, root, "bianmin-catalog", d))
        return; /* the rest is a format we do not know */
    cp_text_at(c, root, "issuer", CP_REQUIRED, &d->issuer);

    struct bm_catalog_category *cats =
        cp_parse_list(c, root, "categories", true, 1, MAX_CATEGORIES, sizeof *cats, each_category,
                   NULL, &d->category_count, offsetof(struct bm_catalog_category, id));
    d->categories = cats;
    struct category_list cl = {cats, d->category_count};
    struct bm_catalog_service *svcs =
        cp_parse_list(c, root, "services", true, 1, MAX_SERVICES, sizeof *svcs, each_service, &cl,
                   &d->service_count, offsetof(struct bm_catalog_service, id));
    d->services = svcs;
    d->notices = cp_parse_list(c, root, "notices", false, 0, MAX_NOTICES,
                            sizeof(struct bm_catalog_notice), cp_each_notice, NULL,
                            &d->notice_count, offsetof(struct bm_catalog_notice, id));
    if (svcs && cats)
        finish(c, d, svcs);
}

/* ---- entry points ------------------------------------------------------------------------ */

enum bm_err bm_catalog_parse(const char *json, size_t len, const char *name,
                             const struct bm_catalog_load_options *opts,
                             struct bm_catalog_report *report, struct bm_catalog **out)
{
    return cp_parse_document(json, len, BM_CATALOG_MAX_BYTES, name ? name : "catalog", opts,
                             report, parse_root, out);
}

enum bm_err cp_parse_document(const char *json, size_t len, size_t max_len, const char *name,
                              const struct bm_catalog_load_options *opts,
                              struct bm_catalog_report *report, cp_root_fn walk,
                              struct bm_catalog **out)
{
    *out = NULL;
    if (len > max_len) {
        bool mib = max_len % (1u << 20) == 0;
        cp_report_plain(report, false, "%s: %zu bytes; expected at most %zu (%zu %s)", name, len,
                        max_len, max_len >> (mib ? 20 : 10), mib ? "MiB" : "KiB");
        return bm_err_set(BM_ERR_PARSE, "%s too big", name);
    }

    budget_left = JSON_BUDGET;
    budget_hit = false;
    budget_on = true;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        budget_on = false;
        if (budget_hit)
            cp_report_plain(report, false, "%s: the JSON needs more than %u MiB to parse", name,
                         JSON_BUDGET >> 20);
        else
            cp_report_plain(report, false, "%s:%d:%d: JSON syntax: %s", name, jerr.line,
                         jerr.column, jerr.text);
        return bm_err_set(BM_ERR_PARSE, "%s: not JSON", name);
    }

    struct cp_ctx c = {.report = report, .name = name, .opts = opts,
                       .pattern_budget = PATTERN_BUDGET};
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
        return bm_err_set(BM_ERR_NO_MEMORY, "%s: no memory", name);
    }
    walk(&c, root, d);
    json_decref(root);
    budget_on = false;

    if (c.errors > 0 || c.out_of_memory) {
        bm_arena_destroy(c.arena);
        free(cat);
        return bm_err_set(c.out_of_memory ? BM_ERR_NO_MEMORY : BM_ERR_PARSE,
                          "%s: %zu problems", name, c.errors);
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
        cp_report_plain(report, false, "%s: cannot open: %s", path, strerror(e));
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
        cp_report_plain(report, false, "%s: read error", path);
        return bm_err_set(BM_ERR_IO, "read %s", path);
    }
    enum bm_err err = bm_catalog_parse(buf, len, path, opts, report, out);
    free(buf);
    return err;
}
