/*
 * catalog_view.c - fills the screens' view-models from the catalog. See the header.
 *
 * The catalog has its own colour names so that the services layer knows nothing of the UI
 * theme; this is where they meet. Main thread.
 */
#include "catalog_view.h"

static enum bm_theme_hue theme_hue(enum bm_catalog_hue hue)
{
    switch (hue) {
    case BM_CATALOG_HUE_BLUE: return BM_HUE_BLUE;
    case BM_CATALOG_HUE_GREEN: return BM_HUE_GREEN;
    case BM_CATALOG_HUE_ORANGE: return BM_HUE_ORANGE;
    case BM_CATALOG_HUE_PURPLE: return BM_HUE_PURPLE;
    case BM_CATALOG_HUE_TEAL: return BM_HUE_TEAL;
    case BM_CATALOG_HUE_RED: return BM_HUE_RED;
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

void bm_catalog_view_home(const struct bm_catalog *cat, enum bm_lang lang, int today,
                          bm_device_mask usable, struct bm_home_parts *parts,
                          struct bm_home_vm *vm)
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
        parts->categories[i] = (struct bm_home_category){
            c->id, bm_text_get(&c->title, lang), bm_text_get(&c->subtitle, lang), c->glyph,
            theme_hue(c->hue)};
        vm->category_count++;
    }

    struct bm_catalog_entry entries[BM_HOME_MAX_QUICK];
    size_t n = bm_catalog_quick_entries(cat, usable, entries, BM_HOME_MAX_QUICK);
    for (size_t i = 0; i < n && i < BM_HOME_MAX_QUICK; i++) {
        const struct bm_catalog_service *s = entries[i].service;
        parts->quick[i] = (struct bm_home_quick){s->id, bm_text_get(&s->short_title, lang),
                                                 s->glyph, theme_hue(s->hue),
                                                 entries[i].missing != 0};
        vm->quick_count++;
    }
    vm->notice = bm_catalog_view_notice(cat, lang, today);
}
