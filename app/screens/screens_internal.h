/*
 * screens_internal.h - pieces the screens share: the page frame (content column and scale),
 * theme-based font shortcuts, the kiosk emblem, cards, and element-list helpers.
 * Main thread only.
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

/* Appends an element; names longer than BM_SCREEN_NAME_MAX are cut. */
void bm_scr_add(struct bm_screen_element *out, size_t cap, size_t *n, SDL_Rect r,
                enum bm_intent_kind kind, int index, const char *name_fmt, ...)
    __attribute__((format(printf, 7, 8)));

#endif
