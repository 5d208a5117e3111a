/*
 * catalog_view.c - fills the screens' view-models from the catalog: home's tiles and quick
 * entries, a category's rows, a service's guide. See the header.
 *
 * The catalog has its own colour names so that the services layer knows nothing of the UI
 * theme; this is where they meet. Main thread.
 */
#include "catalog_view.h"

#include "core/i18n.h"

#include <stdio.h>

static enum bm_theme_hue theme_hue(enum bm_catalog_hue hue)
{
    switch (hue) {
    case BM_CATALOG_HUE_BLUE:
        return BM_HUE_BLUE;
    case BM_CATALOG_HUE_GREEN:
        return BM_HUE_GREEN;
    case BM_CATALOG_HUE_ORANGE:
        return BM_HUE_ORANGE;
    case BM_CATALOG_HUE_PURPLE:
        return BM_HUE_PURPLE;
    case BM_CATALOG_HUE_TEAL:
        return BM_HUE_TEAL;
    case BM_CATALOG_HUE_RED:
        return BM_HUE_RED;
    }
    return BM_HUE_BLUE;
}

int bm_catalog_view_date(const struct tm *t)
{
    return (t->tm_year + 1900) * 10000 + (t->tm_mon + 1) * 100 + t->tm_mday;
}

const char *bm_catalog_view_notice(const struct bm_catalog *cat, enum bm_lang lang, int today)
{
    const struct bm_catalog_notice *notice;
    if (!cat || bm_catalog_notices_on(cat, today, &notice, 1) == 0)
        return NULL;
    return bm_text_get(&notice->title, lang);
}

const char *bm_catalog_view_notice_body(const struct bm_catalog *cat, enum bm_lang lang, int today)
{
    const struct bm_catalog_notice *notice;
    if (!cat || bm_catalog_notices_on(cat, today, &notice, 1) == 0)
        return NULL;
    const char *body = bm_text_get(&notice->body, lang);
    return body && *body ? body : NULL;
}

void bm_catalog_view_home(const struct bm_catalog *cat, enum bm_lang lang, int today,
                          bm_device_mask usable, struct bm_home_parts *parts, struct bm_home_vm *vm)
{
    vm->categories = parts->categories;
    vm->quick = parts->quick;
    vm->category_count = vm->quick_count = 0;
    vm->notice = NULL;
    if (!cat)
        return;

    size_t ncat = bm_catalog_category_count(cat);
    for (size_t i = 0; i < ncat && i < BM_HOME_MAX_CATEGORIES; i++) {
        const struct bm_catalog_category *c = bm_catalog_category_at(cat, i);
        parts->categories[i] =
            (struct bm_home_category){c->id, bm_text_get(&c->title, lang),
                                      bm_text_get(&c->subtitle, lang), c->glyph, theme_hue(c->hue)};
        vm->category_count++;
    }

    struct bm_catalog_entry entries[BM_HOME_MAX_QUICK];
    size_t n = bm_catalog_quick_entries(cat, usable, entries, BM_HOME_MAX_QUICK);
    for (size_t i = 0; i < n && i < BM_HOME_MAX_QUICK; i++) {
        const struct bm_catalog_service *s = entries[i].service;
        parts->quick[i] =
            (struct bm_home_quick){s->id, bm_text_get(&s->short_title, lang), s->glyph,
                                   theme_hue(s->hue), entries[i].missing != 0};
        vm->quick_count++;
    }
    vm->notice = bm_catalog_view_notice(cat, lang, today);
}

/* ---- the browse screens ---- */

const char *bm_catalog_view_device(bm_device_mask missing)
{
    static const char *const names[BM_CLASS_COUNT] = {
        [BM_CLASS_ID_READER] = N_("ID card reader"),
        [BM_CLASS_RECEIPT_PRINTER] = N_("receipt printer"),
        [BM_CLASS_DOC_PRINTER] = N_("document printer"),
        [BM_CLASS_SCANNER] = N_("document scanner"),
        [BM_CLASS_BARCODE] = N_("code scanner"),
    };
    for (int c = 0; c < BM_CLASS_COUNT; c++)
        if (missing & BM_DEVICE_BIT(c))
            return names[c] ? _(names[c]) : NULL;
    return NULL;
}

/* What a row says under the title: how long it takes, or that it is a guide only. */
static void row_summary(const struct bm_catalog_service *s, enum bm_lang lang, bool elderly,
                        char *buf, size_t size)
{
    const char *limit = bm_text_get(&s->time_limit, lang);
    if (s->step_count == 0)
        snprintf(buf, size, "%s",
                 elderly ? _("Guide only: done at a counter")
                         : _("Guide only · apply at a counter"));
    else if (*limit)
        snprintf(buf, size, elderly ? _("Ready in: %s") : _("Time limit: %s"), limit);
    else
        buf[0] = '\0';
}

bool bm_catalog_view_category(const struct bm_catalog *cat, const char *category, enum bm_lang lang,
                              bool elderly, bm_device_mask usable, struct bm_category_parts *parts,
                              struct bm_category_vm *vm)
{
    vm->rows = parts->rows;
    vm->row_count = 0;
    const struct bm_catalog_category *c =
        cat && category ? bm_catalog_category_find(cat, category) : NULL;
    if (!c)
        return false;
    vm->title = bm_text_get(&c->title, lang);
    vm->subtitle = bm_text_get(&c->subtitle, lang);
    vm->glyph = c->glyph;
    vm->hue = theme_hue(c->hue);
    struct bm_catalog_entry entries[BM_CATEGORY_MAX_ROWS];
    size_t n = bm_catalog_services_of(cat, c, usable, entries, BM_CATEGORY_MAX_ROWS);
    for (size_t i = 0; i < n && i < BM_CATEGORY_MAX_ROWS; i++) {
        const struct bm_catalog_service *s = entries[i].service;
        row_summary(s, lang, elderly, parts->summary[i], sizeof parts->summary[i]);
        parts->rows[i] = (struct bm_category_row){s->id,
                                                  bm_text_get(&s->title, lang),
                                                  parts->summary[i],
                                                  s->glyph,
                                                  theme_hue(s->hue),
                                                  entries[i].missing != 0,
                                                  bm_catalog_view_device(entries[i].missing)};
        vm->row_count++;
    }
    return true;
}

/* Appends texts as items of a new section (nothing if there are none and no text). */
static void add_section(struct bm_guide_parts *parts, struct bm_guide_vm *vm, size_t *items,
                        const char *title, const char *text, bool numbered)
{
    if (vm->section_count >= BM_GUIDE_MAX_SECTIONS)
        return;
    parts->sections[vm->section_count++] = (struct bm_guide_section){
        title, text && *text ? text : NULL, &parts->items[*items], 0, numbered};
}

static void add_item(struct bm_guide_parts *parts, struct bm_guide_vm *vm, size_t *items,
                     const char *text, const char *detail)
{
    if (*items >= BM_GUIDE_MAX_ITEMS || vm->section_count == 0 || !text || !*text)
        return;
    parts->items[(*items)++] = (struct bm_guide_item){text, detail && *detail ? detail : NULL};
    parts->sections[vm->section_count - 1].item_count++;
}

void bm_catalog_view_guide(const struct bm_catalog_service *svc, enum bm_lang lang, bool elderly,
                           bm_device_mask usable, struct bm_guide_parts *parts,
                           struct bm_guide_vm *vm)
{
    const struct bm_catalog_guide *g = &svc->guide;
    size_t items = 0;
    vm->title = bm_text_get(&svc->title, lang);
    vm->glyph = svc->glyph;
    vm->hue = theme_hue(svc->hue);
    vm->time_limit = bm_text_get(&svc->time_limit, lang);
    vm->fee = bm_text_get(&svc->fee, lang);
    vm->department = bm_text_get(&svc->department, lang);
    vm->can_start = svc->step_count > 0;
    vm->missing = bm_catalog_view_device(svc->devices & ~usable);
    vm->sections = parts->sections;
    vm->section_count = 0;

    add_section(parts, vm, &items, elderly ? _("What it is") : _("About"),
                bm_text_get(&g->about, lang), false);
    add_section(parts, vm, &items, elderly ? _("Who can apply for it") : _("Who can apply"),
                bm_text_get(&svc->who_can_apply, lang), false);
    for (size_t i = 0; i < g->condition_count; i++)
        add_item(parts, vm, &items, bm_text_get(&g->conditions[i], lang), NULL);

    add_section(parts, vm, &items, elderly ? _("What to bring") : _("Materials needed"), NULL,
                false);
    const struct bm_catalog_step *m = bm_catalog_step_find(svc, BM_STEP_MATERIALS);
    if (svc->identification != BM_IDENTIFY_NONE)
        add_item(parts, vm, &items, _("Your own ID card"), NULL);
    for (size_t i = 0; m && i < m->material_count; i++) {
        const struct bm_catalog_material *mat = &m->materials[i];
        const char *hint = bm_text_get(&mat->hint, lang);
        if (!mat->required) {
            /* Optional materials say so first: nobody should go home to fetch one. */
            add_item(parts, vm, &items, bm_text_get(&mat->name, lang),
                     *hint ? hint : _("If you have it"));
            continue;
        }
        add_item(parts, vm, &items, bm_text_get(&mat->name, lang), hint);
    }
    if (parts->sections[vm->section_count - 1].item_count == 0)
        add_item(parts, vm, &items, _("Nothing to bring"), NULL);

    if (g->process_count) {
        add_section(parts, vm, &items, elderly ? _("How it goes") : _("Process"), NULL, true);
        for (size_t i = 0; i < g->process_count; i++)
            add_item(parts, vm, &items, bm_text_get(&g->process[i], lang), NULL);
    }
    if (g->faq_count) {
        add_section(parts, vm, &items, elderly ? _("Questions people ask") : _("FAQ"), NULL, false);
        for (size_t i = 0; i < g->faq_count; i++)
            add_item(parts, vm, &items, bm_text_get(&g->faq[i].q, lang),
                     bm_text_get(&g->faq[i].a, lang));
    }
    const char *notes = bm_text_get(&g->notes, lang);
    if (*notes)
        add_section(parts, vm, &items, elderly ? _("Good to know") : _("Notes"), notes, false);
}
