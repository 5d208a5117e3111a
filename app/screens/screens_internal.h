/*
 * screens_internal.h - pieces the screens share: the page frame (content column and scale),
 * the bottom bar (frame.c), theme-based font shortcuts, the kiosk emblem, cards, and element-list
 * helpers. Main thread only.
 */
#ifndef BM_SCREENS_INTERNAL_H
#define BM_SCREENS_INTERNAL_H

#include "screens/screens.h"

/* A font from the theme's type scale, scaled to the window. */
struct bm_ui_font bm_scr_font(struct bm_ui *ui, enum bm_theme_type type, enum bm_ui_weight w,
                              SDL_Color c);

/* The 1080-wide design column, centred in the window (full width in portrait). */
SDL_Rect bm_scr_column(struct bm_ui *ui);

/* The round kiosk emblem: a white disc with a gold ring and a red 便. */
void bm_scr_draw_emblem(struct bm_ui *ui, int cx, int cy, int radius);

/* A white card with a soft shadow. */
void bm_scr_draw_card(struct bm_ui *ui, SDL_Rect r, int radius);

/* The bottom bar every resident screen shares (frame.c): help (red, bottom left), hotline,
 * elderly mode, voice, language; full width in landscape, in the column in portrait. */
struct bm_scr_bar {
    SDL_Rect bar; /* the whole strip, the window's width */
    SDL_Rect help, hotline, elderly, voice, language;
};
struct bm_scr_bar_vm {
    const char *hotline; /* the kiosk's number, "12345" */
    enum bm_lang lang;
    bool elderly_on, voice_on; /* the switches show their state */
};
/* Takes the bar off page's bottom (elderly: larger; two rows in portrait). */
void bm_scr_bar_layout(struct bm_ui *ui, bool elderly, SDL_Rect *page, struct bm_scr_bar *b);
void bm_scr_bar_draw(struct bm_ui *ui, const struct bm_scr_bar_vm *vm, const struct bm_scr_bar *b);
/* Appends "<screen>.help", ".hotline", ".elderly", ".voice", ".language". */
void bm_scr_bar_elements(const struct bm_scr_bar *b, const char *screen,
                         struct bm_screen_element *out, size_t cap, size_t *n);

/* Appends an element; names longer than BM_SCREEN_NAME_MAX are cut. */
void bm_scr_add(struct bm_screen_element *out, size_t cap, size_t *n, SDL_Rect r,
                enum bm_intent_kind kind, int index, const char *name_fmt, ...)
    __attribute__((format(printf, 7, 8)));

#endif
