/*
 * catalog_view.h - the catalog's part of the screens' view-models: category tiles, quick
 * entries and notices in the session's language, marked against the devices that work now.
 *
 * Main thread. The strings point into the catalog, so a filled view is valid only until the
 * catalog store swaps (which happens only between loop iterations).
 */
#ifndef BM_FLOW_CATALOG_VIEW_H
#define BM_FLOW_CATALOG_VIEW_H

#include "screens/browse.h"
#include "screens/screens.h"
#include "services/catalog.h"

/* Storage for the arrays a home view-model points at; lives as long as the vm. */
struct bm_home_parts {
    struct bm_home_category categories[BM_HOME_MAX_CATEGORIES];
    struct bm_home_quick quick[BM_HOME_MAX_QUICK];
};

/*
 * Fills the categories, quick entries and notice of vm from cat (NULL: the home screen shows
 * none yet), in lang, for the date today (yyyymmdd), with usable the device classes that work.
 */
void bm_catalog_view_home(const struct bm_catalog *cat, enum bm_lang lang, int today,
                          bm_device_mask usable, struct bm_home_parts *parts,
                          struct bm_home_vm *vm);

/* Storage for a category view-model's rows and their one-line summaries. */
struct bm_category_parts {
    struct bm_category_row rows[BM_CATEGORY_MAX_ROWS];
    char summary[BM_CATEGORY_MAX_ROWS][128];
};

/*
 * Fills vm's title, badge and rows with the services of category (catalog order) in lang,
 * each marked against usable. elderly words the summaries more plainly. False (and no rows)
 * if cat is NULL or has no such category.
 */
bool bm_catalog_view_category(const struct bm_catalog *cat, const char *category, enum bm_lang lang,
                              bool elderly, bm_device_mask usable, struct bm_category_parts *parts,
                              struct bm_category_vm *vm);

/* Storage for a guide view-model's sections and items. */
#define BM_GUIDE_MAX_ITEMS 64
struct bm_guide_parts {
    struct bm_guide_section sections[BM_GUIDE_MAX_SECTIONS];
    struct bm_guide_item items[BM_GUIDE_MAX_ITEMS];
};

/*
 * Fills vm with the guide of service svc in lang: the facts, and as sections what it is, who
 * can apply, the materials (from its BM_STEP_MATERIALS step), the process, questions and notes
 * where the catalog has them; whether it can start here and which needed device is out of
 * order (against usable). elderly titles the sections in plainer words.
 */
void bm_catalog_view_guide(const struct bm_catalog_service *svc, enum bm_lang lang, bool elderly,
                           bm_device_mask usable, struct bm_guide_parts *parts,
                           struct bm_guide_vm *vm);

/* The first device class in missing, as a resident calls it, translated ("打印机"); NULL for
 * none. */
const char *bm_catalog_view_device(bm_device_mask missing);

/* The title of the first notice valid today, in lang, or NULL. */
const char *bm_catalog_view_notice(const struct bm_catalog *cat, enum bm_lang lang, int today);

/* The body of that notice, in lang, or NULL (no notice today, or one without a body). */
const char *bm_catalog_view_notice_body(const struct bm_catalog *cat, enum bm_lang lang, int today);

/* yyyymmdd of a local time. */
int bm_catalog_view_date(const struct tm *t);

#endif
