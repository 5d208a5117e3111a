/*
 * fuzz_catalog.c - libFuzzer target for the service catalog loader.
 *
 * Feeds arbitrary bytes to bm_catalog_parse (the same path as a file, without touching the
 * disk; no assets directory, so example pictures are not looked up) with a report. A load
 * that fails must return no catalog and say why in at least one report line counted as an
 * error. A load that succeeds is walked whole, so ASan/UBSan see jansson, the rules and the
 * queries: every category, service, guide, step, field, option, material, document and
 * notice, each text in both languages, the quick entries, the listings against a few sets of
 * usable devices, the notices on a few dates and a lookup of every id. The notices are read
 * from the catalog's own list (catalog_internal.h), as the API lists them by date only.
 * The walk aborts where a loaded catalog breaks a rule of docs/catalog.md, because then the
 * loader let a bad catalog through. Single-threaded, as libFuzzer runs it.
 */
#include "services/catalog.h"
#include "services/catalog_internal.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SERVICES 512
#define MAX_NOTICES  64
#define ALL_DEVICES  ((bm_device_mask)(BM_DEVICE_BIT(BM_CLASS_COUNT) - 1u))

/* Lengths summed here so the reads of every string are not optimised away. */
static volatile size_t sink;

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void read_string(const char *s)
{
    check(s != NULL);
    sink += strlen(s);
}

/* A text: zh present (and not empty) whenever the catalog gave one, en only with zh. */
static void read_text(const struct bm_text *t, bool required)
{
    check(!required || (t->zh && *t->zh));
    check(!t->en || t->zh);
    check(!t->zh || *t->zh);
    const char *zh = bm_text_get(t, BM_LANG_ZH_CN);
    const char *en = bm_text_get(t, BM_LANG_EN);
    read_string(zh);
    read_string(en);
    check(t->zh ? zh == t->zh : *zh == '\0');
    check(en == (t->en ? t->en : zh));
}

static void read_texts(const struct bm_text *list, size_t count)
{
    check(count == 0 || list != NULL);
    check(count <= 64);
    for (size_t i = 0; i < count; i++)
        read_text(&list[i], true);
}

static void read_id(const char *id)
{
    check(id != NULL);
    size_t n = strlen(id);
    check(n >= 1 && n <= 32 && id[0] >= 'a' && id[0] <= 'z');
    for (size_t i = 0; i < n; i++)
        check((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '_');
}

static void read_glyph(const char *g)
{
    check(g != NULL && (unsigned char)g[0] > 0x20);
    size_t chars = 0;
    for (const char *p = g; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    check(chars == 1);
}

static void read_guide(const struct bm_catalog_guide *g)
{
    read_text(&g->about, true);
    read_texts(g->conditions, g->condition_count);
    read_texts(g->process, g->process_count);
    check(g->faq_count == 0 || g->faq != NULL);
    check(g->faq_count <= 64);
    for (size_t i = 0; i < g->faq_count; i++) {
        read_text(&g->faq[i].q, true);
        read_text(&g->faq[i].a, true);
    }
    read_text(&g->notes, false);
}

static void read_field(const struct bm_catalog_field *f, bool has_identify)
{
    read_id(f->id);
    check(f->type >= BM_FIELD_TEXT && f->type <= BM_FIELD_CHOICE);
    read_text(&f->label, true);
    read_text(&f->hint, false);
    check(f->min_length >= 0 && f->min_length <= 200);
    check(f->max_length >= 0 && f->max_length <= 200);
    check(f->max_length == 0 || f->min_length <= f->max_length);
    bool free_text = f->type == BM_FIELD_TEXT || f->type == BM_FIELD_DIGITS;
    check(free_text || (f->min_length == 0 && f->max_length == 0 && !f->pattern));
    if (f->pattern)
        read_string(f->pattern);
    if (f->type == BM_FIELD_CHOICE) {
        check(f->options != NULL && f->option_count >= 2 && f->option_count <= 16);
        for (size_t i = 0; i < f->option_count; i++) {
            read_id(f->options[i].id);
            read_text(&f->options[i].label, true);
            for (size_t j = 0; j < i; j++)
                check(strcmp(f->options[j].id, f->options[i].id) != 0);
        }
    } else {
        check(f->option_count == 0);
    }
    check(f->prefill >= BM_PREFILL_NONE && f->prefill <= BM_PREFILL_ID_NATION);
    check(f->prefill == BM_PREFILL_NONE || has_identify);
}

static void read_material(const struct bm_catalog_material *m)
{
    read_id(m->id);
    read_text(&m->name, true);
    read_text(&m->hint, false);
    check(m->pages >= 1 && m->pages <= 20);
    if (m->example) {
        read_string(m->example);
        check(m->example[0] != '/' && !strstr(m->example, ".."));
    }
}

static void read_document(const struct bm_catalog_document *doc)
{
    check(doc->kind >= BM_DOCUMENT_RECEIPT && doc->kind <= BM_DOCUMENT_CERTIFICATE);
    read_text(&doc->title, true);
    read_text(&doc->watermark, doc->kind == BM_DOCUMENT_CERTIFICATE);
    check(doc->kind == BM_DOCUMENT_CERTIFICATE || !doc->watermark.zh);
    read_text(&doc->issuer, false);
}

static void read_step(const struct bm_catalog_service *svc, const struct bm_catalog_step *st,
                      bool has_identify)
{
    check(st->kind >= BM_STEP_IDENTIFY && st->kind < BM_STEP_KIND_COUNT);
    read_string(bm_step_kind_name(st->kind));
    check((st->devices & ~ALL_DEVICES) == 0);
    check((svc->devices & st->devices) == st->devices);
    check(bm_catalog_step_find(svc, st->kind) == st);

    check((st->kind == BM_STEP_FORM) == (st->fields != NULL));
    check(st->kind == BM_STEP_FORM ? st->field_count >= 1 && st->field_count <= 64
                                   : st->field_count == 0);
    for (size_t i = 0; i < st->field_count; i++) {
        read_field(&st->fields[i], has_identify);
        for (size_t j = 0; j < i; j++)
            check(strcmp(st->fields[j].id, st->fields[i].id) != 0);
    }

    check((st->kind == BM_STEP_MATERIALS) == (st->materials != NULL));
    check(st->kind == BM_STEP_MATERIALS ? st->material_count >= 1 && st->material_count <= 32
                                        : st->material_count == 0);
    for (size_t i = 0; i < st->material_count; i++) {
        read_material(&st->materials[i]);
        for (size_t j = 0; j < i; j++)
            check(strcmp(st->materials[j].id, st->materials[i].id) != 0);
    }
    if (st->kind == BM_STEP_MATERIALS)
        check(st->devices & BM_DEVICE_BIT(BM_CLASS_SCANNER));

    check((st->kind == BM_STEP_PRINT) == (st->document != NULL));
    if (st->document) {
        read_document(st->document);
        enum bm_device_class printer = st->document->kind == BM_DOCUMENT_RECEIPT
                                           ? BM_CLASS_RECEIPT_PRINTER
                                           : BM_CLASS_DOC_PRINTER;
        check(st->devices & BM_DEVICE_BIT(printer));
    }
    if (st->kind == BM_STEP_IDENTIFY && svc->identification == BM_IDENTIFY_ID_CARD)
        check(st->devices & BM_DEVICE_BIT(BM_CLASS_ID_READER));
}

static void read_service(const struct bm_catalog *cat, const struct bm_catalog_service *svc)
{
    read_id(svc->id);
    check(svc->category != NULL);
    bool in_catalog = false;
    for (size_t i = 0; i < bm_catalog_category_count(cat) && !in_catalog; i++)
        in_catalog = bm_catalog_category_at(cat, i) == svc->category;
    check(in_catalog);
    read_text(&svc->title, true);
    read_text(&svc->short_title, true);
    read_glyph(svc->glyph);
    check(svc->hue >= BM_CATALOG_HUE_BLUE && svc->hue <= BM_CATALOG_HUE_RED);
    check(svc->quick_rank >= 0 && svc->quick_rank <= 99);
    read_text(&svc->who_can_apply, true);
    read_text(&svc->fee, true);
    read_text(&svc->time_limit, true);
    read_text(&svc->department, true);
    read_guide(&svc->guide);
    check(svc->identification >= BM_IDENTIFY_NONE &&
          svc->identification <= BM_IDENTIFY_ID_CARD_OR_NUMBER);
    check((svc->devices & ~ALL_DEVICES) == 0);

    /* Kinds once each, in order; the devices of the steps make up the service's. */
    check(svc->step_count <= 16 && (svc->step_count == 0 || svc->steps != NULL));
    bool has_identify = bm_catalog_step_find(svc, BM_STEP_IDENTIFY) != NULL;
    bm_device_mask devices = 0;
    for (size_t i = 0; i < svc->step_count; i++) {
        const struct bm_catalog_step *st = &svc->steps[i];
        check(i == 0 || svc->steps[i - 1].kind < st->kind);
        read_step(svc, st, has_identify);
        devices |= st->devices;
    }
    check(devices == svc->devices);
    if (svc->step_count > 0)
        check(has_identify == (svc->identification != BM_IDENTIFY_NONE));
    check((bm_catalog_step_find(svc, BM_STEP_REVIEW) != NULL) ==
          (bm_catalog_step_find(svc, BM_STEP_SUBMIT) != NULL));
    for (int k = 0; k < BM_STEP_KIND_COUNT; k++) {
        const struct bm_catalog_step *st = bm_catalog_step_find(svc, (enum bm_step_kind)k);
        check(!st || (st >= svc->steps && st < svc->steps + svc->step_count));
    }
}

static const bm_device_mask usable_masks[] = {
    0u,
    ALL_DEVICES,
    ALL_DEVICES & ~BM_DEVICE_BIT(BM_CLASS_ID_READER),
    ALL_DEVICES & ~BM_DEVICE_BIT(BM_CLASS_SCANNER),
    BM_DEVICE_BIT(BM_CLASS_RECEIPT_PRINTER) | BM_DEVICE_BIT(BM_CLASS_BARCODE),
    BM_DEVICE_BIT(BM_CLASS_DOC_PRINTER),
};

static void read_listings(const struct bm_catalog *cat)
{
    static struct bm_catalog_entry entries[MAX_SERVICES + 1];
    size_t services = bm_catalog_service_count(cat);
    check(services >= 1 && services <= MAX_SERVICES);

    for (size_t m = 0; m < sizeof usable_masks / sizeof usable_masks[0]; m++) {
        bm_device_mask usable = usable_masks[m];
        size_t total = 0;
        for (size_t c = 0; c < bm_catalog_category_count(cat); c++) {
            const struct bm_catalog_category *category = bm_catalog_category_at(cat, c);
            size_t n = bm_catalog_services_of(cat, category, usable, entries, MAX_SERVICES + 1);
            check(n <= services);
            size_t next = 0; /* in catalog order: each entry after the one before */
            for (size_t i = 0; i < n; i++) {
                const struct bm_catalog_service *svc = entries[i].service;
                check(svc != NULL && svc->category == category);
                check(entries[i].missing == (svc->devices & ~usable));
                size_t at = next;
                while (at < services && bm_catalog_service_at(cat, at) != svc)
                    at++;
                check(at < services);
                next = at + 1;
            }
            /* A short array gets the first entries and the same total. */
            struct bm_catalog_entry one[1] = {{NULL, 0}};
            check(bm_catalog_services_of(cat, category, usable, one, 1) == n);
            check(n == 0 || one[0].service == entries[0].service);
            check(bm_catalog_services_of(cat, category, usable, one, 0) == n);
            total += n;
        }
        check(total == services); /* every service is in exactly one category */

        size_t quick = bm_catalog_quick_entries(cat, usable, entries, MAX_SERVICES + 1);
        check(quick <= services && quick <= 99);
        size_t ranked = 0;
        for (size_t i = 0; i < services; i++)
            ranked += bm_catalog_service_at(cat, i)->quick_rank > 0;
        check(quick == ranked);
        for (size_t i = 0; i < quick; i++) {
            const struct bm_catalog_service *svc = entries[i].service;
            check(svc != NULL && svc->quick_rank >= 1);
            check(i == 0 || entries[i - 1].service->quick_rank < svc->quick_rank);
            check(entries[i].missing == (svc->devices & ~usable));
        }
    }
}

static void read_notices_on(const struct bm_catalog *cat, int date,
                            const struct bm_catalog_notice *all, size_t count)
{
    static const struct bm_catalog_notice *out[MAX_NOTICES + 1];
    size_t n = bm_catalog_notices_on(cat, date, out, MAX_NOTICES + 1);
    size_t want = 0;
    for (size_t i = 0; i < count; i++) {
        const struct bm_catalog_notice *no = &all[i];
        if (date < no->valid_from || date > no->valid_until)
            continue;
        check(want < n && out[want] == no);
        want++;
    }
    check(n == want);
    const struct bm_catalog_notice *one[1] = {NULL};
    check(bm_catalog_notices_on(cat, date, one, 1) == n);
    check(n == 0 || one[0] == out[0]);
}

static void read_notices(const struct bm_catalog *cat)
{
    /* The public API lists notices by date only; the walk needs them all, so it reads the
     * catalog's own list (catalog_internal.h) and checks the query against it. */
    const struct bm_catalog_notice *all = cat->data->notices;
    size_t count = cat->data->notice_count;
    check(count <= MAX_NOTICES && (count == 0 || all != NULL));
    for (size_t i = 0; i < count; i++) {
        const struct bm_catalog_notice *no = &all[i];
        read_id(no->id);
        read_text(&no->title, true);
        read_text(&no->body, true);
        check(no->valid_from >= 19700101 && no->valid_from <= no->valid_until);
        for (size_t j = 0; j < i; j++)
            check(strcmp(all[j].id, no->id) != 0);
    }
    int dates[] = {0, INT_MAX, 19700101, bm_catalog_published(cat), 20261120};
    for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++)
        read_notices_on(cat, dates[d], all, count);
    for (size_t i = 0; i < count && i < 8; i++) {
        read_notices_on(cat, all[i].valid_from, all, count);
        read_notices_on(cat, all[i].valid_from - 1, all, count);
        read_notices_on(cat, all[i].valid_until, all, count);
        read_notices_on(cat, all[i].valid_until + 1, all, count);
    }
}

static void read_catalog(struct bm_catalog *cat)
{
    const char *rev = bm_catalog_revision(cat);
    check(rev != NULL);
    size_t len = strlen(rev);
    check(len >= 1 && len <= 64);
    for (size_t i = 0; i < len; i++)
        check(rev[i] > 0x20 && rev[i] < 0x7f);
    read_text(bm_catalog_issuer(cat), true);
    int published = bm_catalog_published(cat);
    check(published >= 19700101 && published <= 99991231);

    size_t categories = bm_catalog_category_count(cat);
    check(categories >= 1 && categories <= 64);
    check(bm_catalog_category_at(cat, categories) == NULL);
    for (size_t i = 0; i < categories; i++) {
        const struct bm_catalog_category *c = bm_catalog_category_at(cat, i);
        check(c != NULL);
        read_id(c->id);
        read_text(&c->title, true);
        read_text(&c->subtitle, true);
        read_glyph(c->glyph);
        check(c->hue >= BM_CATALOG_HUE_BLUE && c->hue <= BM_CATALOG_HUE_RED);
        check(bm_catalog_category_find(cat, c->id) == c);
    }
    check(bm_catalog_category_find(cat, "") == NULL);
    check(bm_catalog_category_find(cat, "Not-an-id") == NULL);

    size_t services = bm_catalog_service_count(cat);
    check(bm_catalog_service_at(cat, services) == NULL);
    for (size_t i = 0; i < services; i++) {
        const struct bm_catalog_service *svc = bm_catalog_service_at(cat, i);
        check(svc != NULL);
        read_service(cat, svc);
        check(bm_catalog_service_find(cat, svc->id) == svc);
    }
    check(bm_catalog_service_find(cat, "") == NULL);
    check(bm_catalog_service_find(cat, "Not-an-id") == NULL);

    read_listings(cat);
    read_notices(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bm_catalog_report *report = bm_catalog_report_create();
    if (!report)
        return 0;
    struct bm_catalog *cat = NULL;
    enum bm_err err = bm_catalog_parse((const char *)data, size, "fuzz/catalog.json", NULL,
                                       report, &cat);
    size_t lines = bm_catalog_report_count(report);
    for (size_t i = 0; i < lines; i++)
        read_string(bm_catalog_report_line(report, i));
    if (err != BM_OK) {
        check(cat == NULL);
        check(lines >= 1 && bm_catalog_report_errors(report) > 0);
        bm_catalog_report_destroy(report);
        return 0;
    }
    check(cat != NULL && bm_catalog_report_errors(report) == 0);
    check(lines == 0 || bm_catalog_report_warnings(report) > 0);
    bm_catalog_report_destroy(report);

    read_catalog(cat);
    check(bm_catalog_ref(cat) == cat);
    bm_catalog_unref(cat);
    read_catalog(cat); /* still held: the first reference */
    bm_catalog_unref(cat);
    return 0;
}
