/*
 * catalog_view.h - the catalog's part of the screens' view-models: category tiles, quick
 * entries and notices in the session's language, marked against the devices that work now.
 *
 * Main thread. The strings point into the catalog, so a filled view is valid only until the
 * catalog store swaps (which happens only between loop iterations).
 */
#ifndef BM_FLOW_CATALOG_VIEW_H
#define BM_FLOW_CATALOG_VIEW_H

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

/* The title of the first notice valid today, in lang, or NULL. */
const char *bm_catalog_view_notice(const struct bm_catalog *cat, enum bm_lang lang, int today);

/* yyyymmdd of a local time. */
int bm_catalog_view_date(const struct tm *t);

#endif
