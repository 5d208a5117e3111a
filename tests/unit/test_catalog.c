/*
 * test_catalog.c - the service catalog: every validation rule with an example that breaks it,
 * the documented example and the bundled catalog pass, the queries, and the limits that keep
 * a hostile file from exhausting the kiosk.
 *
 * Each rule's example is the complete example of docs/catalog.md with one or two edits
 * applied (set, insert or delete at a path), so every failure is the only thing wrong with an
 * otherwise valid catalog. jansson is used here only to make those edits.
 */
#include "test_support.h"

#include "services/catalog.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char *doc_example; /* the ```json block of docs/catalog.md */
static char assets_dir[4096];

static int setup(void **state)
{
    (void)state;
    char *md = bm_test_read_file(bm_test_source_path("docs/catalog.md"), NULL);
    assert_non_null(md);
    const char *start = strstr(md, "```json\n");
    assert_non_null(start);
    start += strlen("```json\n");
    const char *end = strstr(start, "```");
    assert_non_null(end);
    doc_example = strndup(start, (size_t)(end - start));
    free(md);
    snprintf(assets_dir, sizeof assets_dir, "%s", bm_test_source_path("ui-assets"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(doc_example);
    return 0;
}

static struct bm_catalog_load_options assets(void)
{
    return (struct bm_catalog_load_options){.assets_dir = assets_dir};
}

/* ---- edits on the example ----------------------------------------------------------------- */

/* The container that holds the last segment of path ("a/0/b"), and that segment. */
static json_t *parent_of(json_t *root, const char *path, char *last, size_t size)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *seg = buf, *slash;
    json_t *cur = root;
    while ((slash = strchr(seg, '/'))) {
        *slash = '\0';
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(seg, NULL, 10))
                                 : json_object_get(cur, seg);
        if (!cur)
            fail_msg("edit path %s: nothing at %s", path, seg);
        seg = slash + 1;
    }
    snprintf(last, size, "%.*s", (int)size - 1, seg);
    return cur;
}

/*
 * One edit: value NULL deletes; "@path" copies what is at path; else value is JSON. In an
 * array, segment "+N" inserts at N and "N" replaces.
 */
struct edit {
    const char *path;
    const char *value;
};

static void apply(json_t *root, struct edit e)
{
    char last[64];
    json_t *parent = parent_of(root, e.path, last, sizeof last);
    json_t *v = NULL;
    if (e.value && e.value[0] == '@') {
        char src_last[64];
        json_t *sp = parent_of(root, e.value + 1, src_last, sizeof src_last);
        json_t *src = json_is_array(sp) ? json_array_get(sp, strtoul(src_last, NULL, 10))
                                        : json_object_get(sp, src_last);
        assert_non_null(src);
        v = json_deep_copy(src);
    } else if (e.value) {
        json_error_t err;
        v = json_loads(e.value, JSON_DECODE_ANY, &err);
        if (!v)
            fail_msg("edit %s: bad JSON %s: %s", e.path, e.value, err.text);
    }
    if (json_is_array(parent)) {
        size_t i = strtoul(last[0] == '+' ? last + 1 : last, NULL, 10);
        if (!v)
            assert_int_equal(json_array_remove(parent, i), 0);
        else if (last[0] == '+')
            assert_int_equal(json_array_insert_new(parent, i, v), 0);
        else
            assert_int_equal(json_array_set_new(parent, i, v), 0);
    } else if (!v) {
        assert_int_equal(json_object_del(parent, last), 0);
    } else {
        assert_int_equal(json_object_set_new(parent, last, v), 0);
    }
}

/* json_dumps text comes from jansson's allocator (the loader installs its own): give it back. */
static void free_dump(char *text)
{
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    jfree(text);
}

static char *edited(const struct edit *edits, size_t n)
{
    json_error_t err;
    json_t *root = json_loads(doc_example, 0, &err);
    assert_non_null(root);
    for (size_t i = 0; i < n; i++)
        apply(root, edits[i]);
    char *text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return text;
}

/* Whether a line of report contains want. */
static bool reported(const struct bm_catalog_report *r, const char *want)
{
    for (size_t i = 0; i < bm_catalog_report_count(r); i++)
        if (strstr(bm_catalog_report_line(r, i), want))
            return true;
    return false;
}

static void print_report(const struct bm_catalog_report *r)
{
    for (size_t i = 0; i < bm_catalog_report_count(r); i++)
        fprintf(stderr, "  | %s\n", bm_catalog_report_line(r, i));
}

/* ---- the rules ------------------------------------------------------------------------------ */

#define S0           "services/0/"
#define STEPS        S0 "steps/"
#define FIELDS       STEPS "1/fields/"
#define MATS         STEPS "2/materials/"
#define DOC          STEPS "5/document/"
#define TEXT(zh, en) "{\"zh-CN\": \"" zh "\", \"en\": \"" en "\"}"

static const struct rule_case {
    const char *rule;
    struct edit edits[3];
    const char *want; /* a report line contains this */
} rules[] = {
    {"unknown field at the top",
     {{"extra", "1"}},
     "catalog: $.extra: unknown field; expected one of: format"},
    {"unknown field in a service", {{S0 "bogus", "true"}}, "$.services[0].bogus: unknown field"},
    {"unknown field in a form field",
     {{FIELDS "0/colour", "\"red\""}},
     "$.services[0].steps[1].fields[0].colour: unknown field"},
    {"unknown field in a step",
     {{STEPS "3/fields", "[]"}},
     "$.services[0].steps[3].fields: only a \"form\" step has fields"},
    {"unknown language in a text",
     {{S0 "title/fr", "\"x\""}},
     "$.services[0].title.fr: unknown field; expected one of: zh-CN, en"},
    {"wrong type: text as a string",
     {{S0 "title", "\"高龄津贴\""}},
     "$.services[0].title: expected a text {\"zh-CN\""},
    {"wrong type: rank as a string",
     {{S0 "quick_rank", "\"1\""}},
     "$.services[0].quick_rank: expected a whole number 1..99, found a string"},
    {"wrong type: required as a word",
     {{FIELDS "0/required", "\"yes\""}},
     "fields[0].required: expected true or false, found a string"},
    {"wrong type: categories as an object",
     {{"categories", "{}"}},
     "$.categories: expected an array of 1 to 64 items, found an object"},
    {"dangling category",
     {{S0 "category", "\"welfre\""}},
     "$.services[0].category: \"welfre\" is not a category id; expected one of: welfare"},
    {"duplicate category id",
     {{"categories/+1", "@categories/0"}},
     "$.categories[1].id: duplicate id \"welfare\" (first at $.categories[0])"},
    {"duplicate service id",
     {{"services/+1", "@services/0"}, {"services/1/quick_rank", "2"}},
     "$.services[1].id: duplicate id \"elderly_allowance\" (first at $.services[0])"},
    {"duplicate notice id", {{"notices/+1", "@notices/0"}}, "$.notices[1].id: duplicate id"},
    {"duplicate field id",
     {{FIELDS "1/id", "\"name\""}},
     "fields[1].id: duplicate id \"name\" (first at $.services[0].steps[1].fields[0])"},
    {"duplicate option id",
     {{FIELDS "2/options/1/id", "\"card\""}},
     "options[1].id: duplicate id \"card\""},
    {"duplicate material id",
     {{MATS "+1", "@" MATS "0"}},
     "materials[1].id: duplicate id \"hukou\""},
    {"device class that does not exist",
     {{STEPS "1/devices", "[\"printer\"]"}},
     "$.services[0].steps[1].devices[0]: \"printer\" is not known; expected one of: id_reader, "
     "receipt_printer, doc_printer, scanner, barcode"},
    {"prefill source that does not exist",
     {{FIELDS "0/prefill", "\"id_card.phone\""}},
     "fields[0].prefill: \"id_card.phone\" is not known; expected one of: none, id_card.name"},
    {"prefill of the wrong type",
     {{FIELDS "0/type", "\"digits\""}},
     "fields[0].prefill: id_card.name fills a text field; this field's type is digits"},
    {"prefill without an identify step",
     {{STEPS "0", NULL}, {S0 "identification", "\"none\""}},
     "fields[0].prefill: id_card.name needs the ID card read first"},
    {"missing zh-CN text",
     {{S0 "title", "{\"en\": \"Elderly allowance\"}"}},
     "$.services[0].title.zh-CN: no Chinese text; every text needs zh-CN"},
    {"empty zh-CN text", {{S0 "fee/zh-CN", "\"\""}}, "$.services[0].fee.zh-CN: no Chinese text"},
    {"missing required field",
     {{S0 "department", NULL}},
     "$.services[0].department: missing; expected a text"},
    {"wrong format", {{"format", "\"other-catalog\""}}, "$.format: expected \"bianmin-catalog\""},
    {"newer format version",
     {{"format_version", "2"}},
     "$.format_version: version 2 is not one this kiosk reads; expected 1"},
    {"revision with a space",
     {{"revision", "\"2026 11\""}},
     "$.revision: expected 1-64 printable ASCII characters"},
    {"impossible date",
     {{"notices/0/valid_from", "\"2026-02-30\""}},
     "$.notices[0].valid_from: \"2026-02-30\" is not a date; expected YYYY-MM-DD"},
    {"notice ends before it starts",
     {{"notices/0/valid_until", "\"2026-10-01\""}},
     "$.notices[0].valid_until: 20261001 is before valid_from 20261101"},
    {"unknown step kind",
     {{STEPS "3/kind", "\"scan\""}},
     "$.services[0].steps[3].kind: \"scan\" is not known; expected one of: identify, form"},
    {"steps out of order",
     {{STEPS "+0", "{\"kind\": \"rate\"}"}, {STEPS "7", NULL}},
     "$.services[0].steps[1].kind: \"identify\" after \"rate\"; expected the order identify"},
    {"a step twice",
     {{STEPS "+1", "{\"kind\": \"identify\"}"}},
     "$.services[0].steps[1].kind: duplicate step \"identify\" (first at steps[0])"},
    {"identify step but identification none",
     {{S0 "identification", "\"none\""}},
     "$.services[0].steps: an identify step, but identification is none"},
    {"identification without an identify step",
     {{FIELDS "0/prefill", NULL}, {STEPS "0", NULL}},
     "$.services[0].steps: identification is not none, but no step identifies"},
    {"review without submit",
     {{STEPS "4", NULL}},
     "$.services[0].steps: review and submit come together"},
    {"form without fields",
     {{STEPS "1/fields", NULL}},
     "$.services[0].steps[1].fields: missing; expected an array of 1 to 64 items"},
    {"choice without options", {{FIELDS "2/options", NULL}}, "fields[2].options: missing"},
    {"choice with one option",
     {{FIELDS "2/options/1", NULL}},
     "fields[2].options: 1 items; expected 2 to 16"},
    {"options on a text field",
     {{FIELDS "1/options", "@" FIELDS "2/options"}},
     "fields[1].options: only a choice field has options"},
    {"length limits on a phone field",
     {{FIELDS "1/max_length", "11"}},
     "fields[1].max_length: only text and digits fields have max_length"},
    {"min_length above max_length",
     {{FIELDS "0/min_length", "9"}, {FIELDS "0/max_length", "4"}},
     "fields[0].min_length: 9 is more than max_length 4"},
    {"pattern that does not compile",
     {{FIELDS "0/pattern", "\"([a-z\""}},
     "fields[0].pattern: \"([a-z\" does not compile"},
    {"pattern with a huge repeat count",
     {{FIELDS "0/pattern", "\"[0-9]{1,32767}\""}},
     "fields[0].pattern: \"[0-9]{1,32767}\": a repeat count above 200"},
    {"pattern whose nested counts multiply",
     {{FIELDS "0/pattern", "\"((a{1,100}){1,100})\""}},
     "a counted repeat of a (group)"},
    {"pattern repeating a group of optional parts",
     {{FIELDS "0/pattern", "\"((a?){10}){200}\""}},
     "a counted repeat of a (group); expected {m,n} on a character or a [...] only"},
    {"pattern whose repeats add up",
     {{FIELDS "0/pattern",
       "\"a{200}b{200}c{200}d{200}e{200}f{200}g{200}h{200}i{200}j{200}k{200}\""}},
     "repeats expand past 2000 atoms"},
    {"pattern on a phone field",
     {{FIELDS "1/pattern", "\"[0-9]+\""}},
     "fields[1].pattern: only text and digits fields have pattern"},
    {"unknown identification",
     {{S0 "identification", "\"face\""}},
     "$.services[0].identification: \"face\" is not known; expected one of: none, id_card, "
     "id_card_or_number"},
    {"unknown field type",
     {{FIELDS "1/type", "\"email\""}},
     "fields[1].type: \"email\" is not known; expected one of: text, digits, phone"},
    {"unknown document kind",
     {{DOC "kind", "\"poster\""}},
     "document.kind: \"poster\" is not known; expected one of: receipt, a4, certificate"},
    {"materials on a form step",
     {{STEPS "1/materials", "@" STEPS "2/materials"}},
     "$.services[0].steps[1].materials: only a \"materials\" step has materials"},
    {"document on a rate step",
     {{STEPS "6/document", "@" STEPS "5/document"}},
     "$.services[0].steps[6].document: only a \"print\" step has document"},
    {"an unknown key on a step",
     {{STEPS "3/timeout", "30"}},
     "$.services[0].steps[3].timeout: unknown field; expected kind, devices"},
    {"an empty device list",
     {{STEPS "1/devices", "[]"}},
     "$.services[0].steps[1].devices: 0 items; expected 1 to 5"},
    {"an FAQ without an answer",
     {{S0 "guide/faq/0/a", NULL}},
     "$.services[0].guide.faq[0].a: missing"},
    {"a guide without about", {{S0 "guide/about", NULL}}, "$.services[0].guide.about: missing"},
    {"too many options",
     {{FIELDS "2/options",
       "[{\"id\":\"a\",\"label\":{\"zh-CN\":\"a\"}},{\"id\":\"b\",\"label\":{\"zh-CN\":\"b\"}},{"
       "\"id\":\"c\",\"label\":{\"zh-CN\":\"c\"}},{\"id\":\"d\",\"label\":{\"zh-CN\":\"d\"}},{"
       "\"id\":\"e\",\"label\":{\"zh-CN\":\"e\"}},{\"id\":\"f\",\"label\":{\"zh-CN\":\"f\"}},{"
       "\"id\":\"g\",\"label\":{\"zh-CN\":\"g\"}},{\"id\":\"h\",\"label\":{\"zh-CN\":\"h\"}},{"
       "\"id\":\"i\",\"label\":{\"zh-CN\":\"i\"}},{\"id\":\"j\",\"label\":{\"zh-CN\":\"j\"}},{"
       "\"id\":\"k\",\"label\":{\"zh-CN\":\"k\"}},{\"id\":\"l\",\"label\":{\"zh-CN\":\"l\"}},{"
       "\"id\":\"m\",\"label\":{\"zh-CN\":\"m\"}},{\"id\":\"n\",\"label\":{\"zh-CN\":\"n\"}},{"
       "\"id\":\"o\",\"label\":{\"zh-CN\":\"o\"}},{\"id\":\"p\",\"label\":{\"zh-CN\":\"p\"}},{"
       "\"id\":\"q\",\"label\":{\"zh-CN\":\"q\"}}]"}},
     "fields[2].options: 17 items; expected 2 to 16"},
    {"an example path with a space",
     {{MATS "0/example", "\"catalog/examples/my file.svg\""}},
     "is not a safe relative path"},
    {"pattern with a backreference",
     {{FIELDS "0/pattern", "\"(a+)\\\\1\""}},
     "backreferences (\\1 to \\9) are not allowed"},
    {"short title too long for a tile",
     {{S0 "short_title/zh-CN", "\"高龄老人津贴申请办理\""}},
     "$.services[0].short_title: 10 characters (zh-CN) and 17 (en) for a tile; expected at most 8 "
     "and 20"},
    {"quick entry with a long title and no short title",
     {{S0 "short_title", NULL}, {S0 "title/zh-CN", "\"城乡居民高龄老人津贴申请\""}},
     "$.services[0].title: 12 characters (zh-CN) and 29 (en) for a tile; expected at most 8 and 20 "
     "(a quick entry needs a short_title)"},
    {"glyph that is an ideographic space",
     {{S0 "glyph", "\"\\u3000\""}},
     "$.services[0].glyph: \"\u3000\" is not one character"},
    {"control characters in an id are not echoed raw",
     {{S0 "id", "\"x\\n\\u001b[2J\""}},
     "$.services[0].id: \"x??[2J\" is not an id"},
    {"watermark on a receipt",
     {{DOC "watermark", TEXT("样本", "Sample")}},
     "document.watermark: only a certificate has a watermark; this document is receipt"},
    {"certificate without a watermark",
     {{DOC "kind", "\"certificate\""}},
     "document.watermark: missing"},
    {"print step without a document",
     {{STEPS "5/document", NULL}},
     "$.services[0].steps[5].document: missing"},
    {"example picture that does not exist",
     {{MATS "0/example", "\"catalog/examples/none.svg\""}},
     "example: \"catalog/examples/none.svg\" is not a file in"},
    {"example path leaving ui-assets",
     {{MATS "0/example", "\"../../etc/passwd\""}},
     "example: \"../../etc/passwd\" is not a safe relative path"},
    {"pages out of range", {{MATS "0/pages", "0"}}, "materials[0].pages: 0 is out of range"},
    {"glyph of two characters",
     {{S0 "glyph", "\"老人\""}},
     "$.services[0].glyph: \"老人\" is not one character"},
    {"unknown hue",
     {{"categories/0/hue", "\"pink\""}},
     "$.categories[0].hue: \"pink\" is not known; expected one of: blue, green"},
    {"id with capitals and a dash",
     {{S0 "id", "\"Elderly-Allowance\""}},
     "$.services[0].id: \"Elderly-Allowance\" is not an id"},
    {"id of 33 characters",
     {{"notices/0/id", "\"a23456789012345678901234567890123\""}},
     "$.notices[0].id: \"a23456789012345678901234567890123\" is not an id"},
    {"quick rank taken twice",
     {{"services/+1", "@services/0"}, {"services/1/id", "\"elderly_allowance_2\""}},
     "$.services[1].quick_rank: rank 1 is taken by $.services[0]"},
    {"quick rank out of range",
     {{S0 "quick_rank", "100"}},
     "$.services[0].quick_rank: 100 is out of range; expected a whole number 1..99"},
    {"control character in a title",
     {{S0 "title/zh-CN", "\"高龄\\u0007津贴\""}},
     "$.services[0].title.zh-CN: control character 0x07; expected printable text on one line"},
    {"line break in a one-line text",
     {{S0 "title/en", "\"Elderly\\nallowance\""}},
     "$.services[0].title.en: control character 0x0a"},
    {"no categories", {{"categories", "[]"}}, "$.categories: 0 items; expected 1 to 64"},
    {"no services", {{"services", "[]"}}, "$.services: 0 items; expected 1 to 512"},
    {"not an object at all",
     {{"services/0", "42"}},
     "$.services[0]: expected an object, found a whole number"},
};

static void test_every_rule_has_a_failing_example(void **state)
{
    (void)state;
    bool ok = true;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct rule_case *rc = &rules[i];
        size_t n = 0;
        while (n < 3 && rc->edits[n].path)
            n++;
        char *text = edited(rc->edits, n);
        struct bm_catalog_report *r = bm_catalog_report_create();
        struct bm_catalog *cat = (struct bm_catalog *)1;
        struct bm_catalog_load_options o = assets();
        enum bm_err err = bm_catalog_parse(text, strlen(text), "catalog", &o, r, &cat);
        if (err != BM_ERR_PARSE || cat != NULL || bm_catalog_report_errors(r) == 0 ||
            !reported(r, rc->want)) {
            fprintf(stderr, "rule \"%s\": got %s, want a line with:\n  %s\nreport:\n", rc->rule,
                    bm_err_name(err), rc->want);
            print_report(r);
            ok = false;
        }
        bm_catalog_report_destroy(r);
        free_dump(text);
    }
    assert_true(ok);
}

static void test_the_documented_example_passes(void **state)
{
    (void)state;
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    struct bm_catalog_load_options o = assets();
    enum bm_err err = bm_catalog_parse(doc_example, strlen(doc_example), "docs", &o, r, &cat);
    print_report(r);
    assert_int_equal(err, BM_OK);
    assert_int_equal(bm_catalog_report_count(r), 0);
    const struct bm_catalog_service *s = bm_catalog_service_find(cat, "elderly_allowance");
    assert_non_null(s);
    assert_string_equal(s->category->id, "welfare");
    assert_int_equal(s->step_count, 7);
    const struct bm_catalog_step *form = bm_catalog_step_find(s, BM_STEP_FORM);
    assert_int_equal(form->field_count, 3);
    assert_int_equal(form->fields[0].prefill, BM_PREFILL_ID_NAME);
    assert_true(form->fields[0].personal);  /* text */
    assert_false(form->fields[2].personal); /* choice */
    assert_int_equal(form->fields[2].option_count, 2);
    assert_int_equal(bm_catalog_step_find(s, BM_STEP_PRINT)->document->kind, BM_DOCUMENT_RECEIPT);
    /* What the steps need, their own classes included. */
    assert_int_equal(s->devices, BM_DEVICE_BIT(BM_CLASS_ID_READER) |
                                     BM_DEVICE_BIT(BM_CLASS_SCANNER) |
                                     BM_DEVICE_BIT(BM_CLASS_RECEIPT_PRINTER));
    bm_catalog_unref(cat);
    bm_catalog_report_destroy(r);
}

static void test_missing_english_is_a_warning_and_falls_back(void **state)
{
    (void)state;
    struct edit e[] = {{S0 "title/en", NULL}, {S0 "guide/about", "{\"zh-CN\": \"说明\"}"}};
    char *text = edited(e, 2);
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    assert_int_equal(bm_catalog_parse(text, strlen(text), "c", NULL, r, &cat), BM_OK);
    assert_int_equal(bm_catalog_report_errors(r), 0);
    assert_int_equal(bm_catalog_report_warnings(r), 2);
    assert_true(reported(r, "warning: c: $.services[0].title: no English text; zh-CN is shown"));
    const struct bm_catalog_service *s = bm_catalog_service_at(cat, 0);
    assert_string_equal(bm_text_get(&s->title, BM_LANG_EN), "高龄津贴申请");
    assert_string_equal(bm_text_get(&s->title, BM_LANG_ZH_CN), "高龄津贴申请");
    assert_string_equal(bm_text_get(&s->fee, BM_LANG_EN), "Free");
    /* A text the catalog left out reads as empty, never NULL. */
    assert_string_equal(bm_text_get(&s->guide.notes, BM_LANG_EN), "");
    bm_catalog_unref(cat);
    bm_catalog_report_destroy(r);
    free_dump(text);
}

static void test_json_syntax_and_duplicate_keys(void **state)
{
    (void)state;
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    const char *broken = "{\n  \"format\": \"bianmin-catalog\",\n  \"format_version\": 1,,\n}";
    assert_int_equal(bm_catalog_parse(broken, strlen(broken), "f.json", NULL, r, &cat),
                     BM_ERR_PARSE);
    assert_true(reported(r, "f.json:3:"));
    assert_true(reported(r, "JSON syntax"));
    bm_catalog_report_destroy(r);

    r = bm_catalog_report_create();
    const char *dup = "{\"format\": \"bianmin-catalog\", \"format\": \"x\"}";
    assert_int_equal(bm_catalog_parse(dup, strlen(dup), "d.json", NULL, r, &cat), BM_ERR_PARSE);
    assert_true(reported(r, "duplicate object key"));
    assert_null(cat);
    bm_catalog_report_destroy(r);
}

static void test_limits_keep_memory_bounded(void **state)
{
    (void)state;
    struct bm_catalog *cat = NULL;
    struct bm_catalog_report *r;

    /* Past the size cap: refused before parsing. */
    size_t big = BM_CATALOG_MAX_BYTES + 1;
    char *buf = malloc(big);
    memset(buf, ' ', big);
    r = bm_catalog_report_create();
    assert_int_equal(bm_catalog_parse(buf, big, "big", NULL, r, &cat), BM_ERR_PARSE);
    assert_true(reported(r, "bytes; expected at most 4194304 (4 MiB)"));
    bm_catalog_report_destroy(r);

    /* Deep nesting: the parser stops at its depth limit. */
    memset(buf, '[', 100000);
    r = bm_catalog_report_create();
    assert_int_equal(bm_catalog_parse(buf, 100000, "deep", NULL, r, &cat), BM_ERR_PARSE);
    assert_true(reported(r, "JSON syntax"));
    bm_catalog_report_destroy(r);

    /* Just under the cap, as many tiny values as fit: jansson's allocations hit the budget. */
    size_t n = BM_CATALOG_MAX_BYTES - 2;
    buf[0] = '[';
    for (size_t i = 1; i < n; i += 2) {
        buf[i] = '0';
        buf[i + 1] = ',';
    }
    buf[n - 1] = '0';
    buf[n] = ']';
    r = bm_catalog_report_create();
    assert_int_equal(bm_catalog_parse(buf, n + 1, "wide", NULL, r, &cat), BM_ERR_PARSE);
    print_report(r);
    assert_true(reported(r, "the JSON needs more than 64 MiB to parse"));
    bm_catalog_report_destroy(r);
    free(buf);

    /* An array of the format over its maximum. */
    json_t *root = json_loads(doc_example, 0, NULL);
    json_t *steps = json_object_get(json_array_get(json_object_get(root, "services"), 0), "steps");
    while (json_array_size(steps) <= 16)
        json_array_append_new(steps, json_pack("{ss}", "kind", "rate"));
    char *text = json_dumps(root, 0);
    r = bm_catalog_report_create();
    assert_int_equal(bm_catalog_parse(text, strlen(text), "c", NULL, r, &cat), BM_ERR_PARSE);
    assert_true(reported(r, "$.services[0].steps: 17 items; expected 0 to 16"));
    bm_catalog_report_destroy(r);
    free_dump(text);
    json_decref(root);

    /* A text over 4,000 characters. */
    root = json_loads(doc_example, 0, NULL);
    char *long_text = malloc(4002);
    memset(long_text, 'a', 4001);
    long_text[4001] = '\0';
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(root, "services"), 0), "fee"), "en",
        json_string(long_text));
    text = json_dumps(root, 0);
    r = bm_catalog_report_create();
    assert_int_equal(bm_catalog_parse(text, strlen(text), "c", NULL, r, &cat), BM_ERR_PARSE);
    assert_true(reported(r, "$.services[0].fee.en: 4001 characters; expected at most 4000"));
    bm_catalog_report_destroy(r);
    free_dump(text);
    free(long_text);
    json_decref(root);
}

static void test_report_is_capped(void **state)
{
    (void)state;
    /* 600 unknown fields: the report keeps its cap and says how many more there were. */
    json_t *root = json_loads(doc_example, 0, NULL);
    for (int i = 0; i < 600; i++) {
        char key[16];
        snprintf(key, sizeof key, "x%d", i);
        json_object_set_new(root, key, json_true());
    }
    char *text = json_dumps(root, 0);
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    assert_int_equal(bm_catalog_parse(text, strlen(text), "c", NULL, r, &cat), BM_ERR_PARSE);
    assert_int_equal(bm_catalog_report_errors(r), 600);
    assert_true(bm_catalog_report_count(r) <= 200);
    assert_non_null(strstr(bm_catalog_report_line(r, bm_catalog_report_count(r) - 1), "more"));
    bm_catalog_report_destroy(r);
    free_dump(text);
    json_decref(root);
}

/* ---- the bundled catalog and the queries --------------------------------------------------- */

static struct bm_catalog *load_bundled(struct bm_catalog_report *r)
{
    struct bm_catalog *cat = NULL;
    struct bm_catalog_load_options o = assets();
    enum bm_err err = bm_catalog_load_file(bm_test_source_path("config/catalog.json"), &o, r, &cat);
    print_report(r);
    assert_int_equal(err, BM_OK);
    return cat;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void test_bundled_catalog(void **state)
{
    (void)state;
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = load_bundled(r);
    assert_int_equal(bm_catalog_report_count(r), 0); /* not even a warning */
    bm_catalog_report_destroy(r);

    assert_true(bm_catalog_service_count(cat) >= 12);
    const char *cats[] = {"government", "welfare", "living"};
    size_t total = 0;
    for (int i = 0; i < 3; i++) {
        const struct bm_catalog_category *c = bm_catalog_category_find(cat, cats[i]);
        assert_non_null(c);
        struct bm_catalog_entry e[64];
        size_t n = bm_catalog_services_of(cat, c, ~0u, e, 64);
        assert_true(n >= 2);
        for (size_t j = 0; j < n; j++) {
            assert_ptr_equal(e[j].service->category, c);
            assert_int_equal(e[j].missing, 0);
        }
        total += n;
    }
    assert_int_equal(total, bm_catalog_service_count(cat));

    /* Quick entries: rank order, and short enough for a home tile. */
    struct bm_catalog_entry q[16];
    size_t nq = bm_catalog_quick_entries(cat, ~0u, q, 16);
    assert_true(nq >= 8 && nq <= 12);
    for (size_t i = 0; i < nq; i++) {
        if (i > 0)
            assert_true(q[i].service->quick_rank > q[i - 1].service->quick_rank);
        assert_true(utf8_chars(q[i].service->short_title.zh) <= 8);
    }
    assert_string_equal(q[0].service->id, "social_security_record");

    /* The services the issue names, with guides that need no identification among them. */
    const char *ids[] = {"social_security_record", "medical_insurance", "elderly_allowance",
                         "disability_subsidy",     "residence_permit",  "household_certificate",
                         "minimum_living",         "utilities",         "housing_fund"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_non_null(bm_catalog_service_find(cat, ids[i]));
    size_t guides = 0;
    for (size_t i = 0; i < bm_catalog_service_count(cat); i++) {
        const struct bm_catalog_service *s = bm_catalog_service_at(cat, i);
        guides += s->step_count == 0 && s->identification == BM_IDENTIFY_NONE;
        assert_non_null(s->guide.about.en);
    }
    assert_true(guides >= 2);
    bm_catalog_unref(cat);
}

static void test_unusable_devices_mark_services(void **state)
{
    (void)state;
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = load_bundled(r);
    bm_catalog_report_destroy(r);
    bm_device_mask all = (1u << BM_CLASS_COUNT) - 1;
    bm_device_mask no_scanner = all & ~BM_DEVICE_BIT(BM_CLASS_SCANNER);

    const struct bm_catalog_category *welfare = bm_catalog_category_find(cat, "welfare");
    struct bm_catalog_entry e[64];
    size_t n = bm_catalog_services_of(cat, welfare, no_scanner, e, 64);
    bool saw_elderly = false;
    for (size_t i = 0; i < n; i++) {
        bool scans = bm_catalog_step_find(e[i].service, BM_STEP_MATERIALS) != NULL;
        assert_int_equal(e[i].missing, scans ? BM_DEVICE_BIT(BM_CLASS_SCANNER) : 0u);
        saw_elderly |= strcmp(e[i].service->id, "elderly_allowance") == 0 && scans;
    }
    assert_true(saw_elderly);

    /* A typed ID number stands in for the card where the catalog allows it. */
    bm_device_mask no_reader = all & ~BM_DEVICE_BIT(BM_CLASS_ID_READER);
    const struct bm_catalog_service *pay =
        bm_catalog_service_find(cat, "medical_insurance_payment");
    assert_int_equal(pay->identification, BM_IDENTIFY_ID_CARD_OR_NUMBER);
    assert_int_equal(pay->devices & BM_DEVICE_BIT(BM_CLASS_ID_READER), 0);
    /* A service that shows a resident's own records needs their card. */
    assert_int_equal(bm_catalog_service_find(cat, "housing_fund")->identification,
                     BM_IDENTIFY_ID_CARD);
    const struct bm_catalog_service *elderly = bm_catalog_service_find(cat, "elderly_allowance");
    assert_true(elderly->devices & ~no_reader);

    /* The utilities form reads the bill's barcode; guides need nothing. */
    assert_true(bm_catalog_service_find(cat, "utilities")->devices &
                BM_DEVICE_BIT(BM_CLASS_BARCODE));
    for (size_t i = 0; i < bm_catalog_service_count(cat); i++) {
        const struct bm_catalog_service *s = bm_catalog_service_at(cat, i);
        if (s->step_count == 0)
            assert_int_equal(s->devices, 0);
    }
    bm_catalog_unref(cat);
}

static void test_notices_by_date(void **state)
{
    (void)state;
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = load_bundled(r);
    bm_catalog_report_destroy(r);
    const struct bm_catalog_notice *out[16];
    size_t n = bm_catalog_notices_on(cat, 20261201, out, 16);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_true(out[i]->valid_from <= 20261201 && 20261201 <= out[i]->valid_until);
    /* Expired and future notices are left out, the boundaries are inclusive. */
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(out[i]->id, "maintenance_2026_06");
    assert_int_equal(bm_catalog_notices_on(cat, 20260630, out, 16) >= 1, true);
    assert_int_equal(bm_catalog_notices_on(cat, 20990101, out, 16), 0);
    bm_catalog_unref(cat);
}

static void test_loaded_catalog_is_read_only(void **state)
{
    (void)state;
    struct bm_catalog *cat = NULL;
    assert_int_equal(bm_catalog_parse(doc_example, strlen(doc_example), "d", NULL, NULL, &cat),
                     BM_OK);
    const struct bm_catalog_service *s = bm_catalog_service_at(cat, 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The default action, not the sanitizer's report: a write must kill the child. */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        signal(SIGSEGV, SIG_DFL);
        ((volatile char *)s->id)[0] = 'X';
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV);
    assert_string_equal(s->id, "elderly_allowance");

    /* References: the catalog lives until the last one goes. */
    bm_catalog_ref(cat);
    bm_catalog_unref(cat);
    assert_string_equal(bm_catalog_revision(cat), "2026-11-20.1");
    bm_catalog_unref(cat);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct bm_catalog_report *r = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    assert_int_equal(bm_catalog_load_file("/nonexistent/catalog.json", NULL, r, &cat),
                     BM_ERR_NOT_FOUND);
    assert_true(reported(r, "/nonexistent/catalog.json: cannot open"));
    bm_catalog_report_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_has_a_failing_example),
        cmocka_unit_test(test_the_documented_example_passes),
        cmocka_unit_test(test_missing_english_is_a_warning_and_falls_back),
        cmocka_unit_test(test_json_syntax_and_duplicate_keys),
        cmocka_unit_test(test_limits_keep_memory_bounded),
        cmocka_unit_test(test_report_is_capped),
        cmocka_unit_test(test_bundled_catalog),
        cmocka_unit_test(test_unusable_devices_mark_services),
        cmocka_unit_test(test_notices_by_date),
        cmocka_unit_test(test_loaded_catalog_is_read_only),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
