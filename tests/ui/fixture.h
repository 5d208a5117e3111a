/*
 * fixture.h - what the ui tests and the bm_render_screens tool share: an offscreen canvas (a
 * software renderer on a plain SDL_Surface, no window) with a toolkit on it, and fixed
 * view-models (2026-11-29 09:30, fixed names and catalog) so renders are reproducible.
 * Main thread only.
 */
#ifndef BM_TEST_UI_FIXTURE_H
#define BM_TEST_UI_FIXTURE_H

#include "screens/screens.h"

#include <SDL.h>

struct bm_canvas {
    SDL_Surface *surface; /* ARGB8888, what the renderer draws into */
    SDL_Renderer *renderer;
    struct bm_ui *ui;
};

/* Opens a w x h canvas with the default Noto Sans CJK fonts (face 2). BM_ERR_NOT_FOUND if the
 * fonts are missing. */
enum bm_err bm_canvas_open(struct bm_canvas *c, int w, int h, int dpi);
void bm_canvas_close(struct bm_canvas *c);

/* Binds the build's translations and switches to lang. */
enum bm_err bm_fixture_language(enum bm_lang lang);
const char *bm_fixture_lang_code(enum bm_lang lang);

void bm_fixture_attract(struct bm_attract_vm *vm, enum bm_lang lang);
void bm_fixture_home(struct bm_home_vm *vm, enum bm_lang lang);

/* The screens the fixtures know, by name: "attract", "home". */
#define BM_FIXTURE_SCREENS 2
const char *bm_fixture_screen_name(int screen);
/* Draws screen in lang on c as one frame (begin, draw, end; no present). */
void bm_fixture_draw(struct bm_canvas *c, int screen, enum bm_lang lang);
/* The elements of screen in lang; returns their count. */
size_t bm_fixture_elements(struct bm_canvas *c, int screen, enum bm_lang lang,
                           struct bm_screen_element *out, size_t cap);

#endif
