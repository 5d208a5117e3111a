/*
 * home_content.h - what the home screen offers until the service catalog exists.
 *
 * The catalog (a later issue) will supply categories, quick entries and notices in both
 * languages; until then this fixed table stands in for it, so the home screen shows realistic
 * content. Main thread; the data is constant.
 */
#ifndef BM_FLOW_HOME_CONTENT_H
#define BM_FLOW_HOME_CONTENT_H

#include "screens/screens.h"

/* Fills the category, quick-entry and notice parts of vm for lang. */
void bm_home_content_fill(struct bm_home_vm *vm, enum bm_lang lang);

/* The notice shown on the attract screen, in lang. */
const char *bm_home_content_notice(enum bm_lang lang);

#endif
