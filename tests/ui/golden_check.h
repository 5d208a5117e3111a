/*
 * golden_check.h - compares a rendered surface with a reference PNG in BM_GOLDEN_DIR (a channel may
 * differ by 1; any larger difference fails and writes <name>-actual.png and <name>-diff.png into
 * BM_GOLDEN_OUT). BM_UPDATE_GOLDENS=1 rewrites the reference instead. For cmocka tests; main thread
 * only.
 */
#ifndef BM_TEST_UI_GOLDEN_CHECK_H
#define BM_TEST_UI_GOLDEN_CHECK_H

#include <SDL.h>

/* Fails the running cmocka test on a mismatch. */
void bm_golden_check(SDL_Surface *surface, const char *name);

#endif
