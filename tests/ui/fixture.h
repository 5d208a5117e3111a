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
#include <stdbool.h>

struct bm_canvas {
    SDL_Surface *surface; /* ARGB8888, what the renderer draws into */
    SDL_Renderer *renderer;
    struct bm_ui *ui;
};

/* Opens a w x h canvas with the default Noto Sans CJK fonts (face 2). BM_ERR_NOT_FOUND if the
 * fonts are missing. */
enum bm_err bm_canvas_open(struct bm_canvas *c, int w, int h, int dpi);
/* How many pixels differ between two canvases of one size (0: byte for byte the same), and
 * in *box (if given) the rectangle around them. */
long bm_canvas_differing(const struct bm_canvas *a, const struct bm_canvas *b, SDL_Rect *box);

void bm_canvas_close(struct bm_canvas *c);

/* Binds the build's translations and switches to lang. */
enum bm_err bm_fixture_language(enum bm_lang lang);
const char *bm_fixture_lang_code(enum bm_lang lang);

void bm_fixture_attract(struct bm_attract_vm *vm, enum bm_lang lang);
void bm_fixture_home(struct bm_home_vm *vm, enum bm_lang lang);

/*
 * One rendering of the golden matrix: a language, elderly mode (the vm's flag and the elderly
 * theme) or another theme. Goldens are named <screen>[-<state>]-<look>-<orientation>, e.g.
 * home-elderly-portrait ("elderly" is Chinese in elderly mode).
 */
struct bm_fixture_look {
    const char *name; /* "zh_CN", "en", "elderly", "high_contrast-zh_CN", "en-elderly" */
    enum bm_lang lang;
    bool elderly;
    const char *theme; /* bm_theme_find: "standard", "elderly", "high_contrast" */
};
/* The matrix every screen has: zh_CN, en, elderly (the first three of bm_fixture_looks). */
#define BM_FIXTURE_MATRIX_LOOKS 3
/* All looks: the matrix, then high contrast (zh_CN) and English in elderly mode. */
#define BM_FIXTURE_LOOKS 5
extern const struct bm_fixture_look bm_fixture_looks[BM_FIXTURE_LOOKS];
/* Switches the language and puts the look's theme on c. */
enum bm_err bm_fixture_use_look(struct bm_canvas *c, const struct bm_fixture_look *look);

/* The two orientations: portrait 1080x1920, landscape 1920x1080. */
#define BM_FIXTURE_ORIENTATIONS 2
const char *bm_fixture_orientation_name(int orientation); /* "portrait", "landscape" */
void bm_fixture_orientation_size(int orientation, int *w, int *h);

/* The screens the fixtures know, by name: "attract", "home". */
#define BM_FIXTURE_SCREENS 2
const char *bm_fixture_screen_name(int screen);
/* Draws screen in lang on c as one frame (begin, draw, end; no present). */
void bm_fixture_draw(struct bm_canvas *c, int screen, enum bm_lang lang);
/* The elements of screen in lang; returns their count. */
size_t bm_fixture_elements(struct bm_canvas *c, int screen, enum bm_lang lang,
                           struct bm_screen_element *out, size_t cap);
/* The same in a look (its language and elderly mode in the vm; call bm_fixture_use_look
 * first for the language and theme). */
void bm_fixture_draw_look(struct bm_canvas *c, int screen, const struct bm_fixture_look *look);
size_t bm_fixture_elements_look(struct bm_canvas *c, int screen, const struct bm_fixture_look *look,
                                struct bm_screen_element *out, size_t cap);
/* The element at (x, y) of screen in look: its intent, *name its name. */
struct bm_intent bm_fixture_hit_look(struct bm_canvas *c, int screen,
                                     const struct bm_fixture_look *look, int x, int y,
                                     const char **name);

#endif
