/*
 * browse_internal.h - the page frame the browse screens share (browse_frame.c): a header with
 * back, title and home, the bottom bar every resident screen shares (frame.c, help bottom
 * left), and the content between. The progress query wears it too.
 * Main thread only.
 */
#ifndef BM_SCREENS_BROWSE_INTERNAL_H
#define BM_SCREENS_BROWSE_INTERNAL_H

#include "screens/browse.h"
#include "screens/screens_internal.h"

struct bm_browse_frame {
    SDL_Rect header, back, title, home;
    SDL_Rect content; /* between header and bar, inset by the page margin */
    struct bm_scr_bar bar;
    int pad, gap; /* the page margin and the gap between things, in pixels */
};

/* The frame's rectangles on this ui (elderly: a taller header, larger buttons). */
void bm_browse_frame_layout(struct bm_ui *ui, bool elderly, struct bm_browse_frame *f);
/* Header (with title and, if given, the category's badge glyph) and bottom bar. */
void bm_browse_frame_draw(struct bm_ui *ui, const struct bm_browse_frame_vm *vm,
                          const struct bm_browse_frame *f, const char *title);
/* Appends "<screen>.back", ".home", ".help", ".hotline", ".elderly", ".voice", ".language". */
void bm_browse_frame_elements(const struct bm_browse_frame *f, const char *screen,
                              struct bm_screen_element *out, size_t cap, size_t *n);
/* Darkens the element named pressed (if it is in list): press feedback. */
void bm_browse_draw_pressed(struct bm_ui *ui, const struct bm_screen_element *list, size_t n,
                            const char *pressed);
/* A button of the content in the theme's style (the toolkit's button, pressed if named). */
void bm_browse_button(struct bm_ui *ui, SDL_Rect r, const char *label, const char *glyph,
                      enum bm_button_kind kind);

#endif
