/*
 * widgets.h - the toolkit's widgets: button, icon tile, list, dialog, progress bar, toast,
 * countdown, step indicator and on-screen QR code, plus a layout helper for portrait and
 * landscape windows.
 *
 * Each widget draws a small view-model (a plain struct the caller fills) into a rectangle with
 * the current theme's tokens, and lists its tappable parts as named elements with rectangles,
 * computed by the same layout code that draws them, so a tap (touch and mouse are one input
 * path) and a scripted journey find exactly what was drawn. Tappable parts are never smaller
 * than the theme's minimum target at the configured dpi.
 *
 * Press feedback: the caller sets `pressed` in the view-model on finger-down and invalidates;
 * the very next frame shows it (nothing waits for a release, nothing depends on hover).
 *
 * Motion only where it explains: the indeterminate progress bar, the countdown and a toast's
 * lifetime. Those report when they next need a frame (bm_*_next_frame_ms: -1 means never);
 * the loop sleeps until the nearest one, so an idle screen costs nothing.
 *
 * Main thread only, like the whole toolkit.
 */
#ifndef BM_UI_WIDGETS_H
#define BM_UI_WIDGETS_H

#include "ui/ui.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Elements: the tappable parts of widgets ---------------------------------------------- */

#define BM_UI_ELEMENT_NAME_MAX 48

struct bm_ui_element {
    char name[BM_UI_ELEMENT_NAME_MAX]; /* "<widget name>.<part>", stable across languages */
    SDL_Rect rect;
    int index;     /* row, button or page index within the widget */
    bool disabled; /* drawn and hit (a tap on it is swallowed), but does nothing */
};

/* Appends an element (counts past cap, so the caller can see it was short). */
void bm_ui_element_add(struct bm_ui_element *out, size_t cap, size_t *n, SDL_Rect r, int index,
                       bool disabled, const char *name_fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* The first element containing (x, y), or NULL. */
const struct bm_ui_element *bm_ui_element_hit(const struct bm_ui_element *list, size_t n, int x,
                                              int y);
const struct bm_ui_element *bm_ui_element_find(const struct bm_ui_element *list, size_t n,
                                               const char *name);

/* A side of a tappable thing: a design size in pixels, grown to the minimum target. */
int bm_ui_target_px(struct bm_ui *ui, int design);

/*
 * Text in a box that never overflows: the largest size from f.px down to 85 % of it at which
 * text fits on one line, else wrapped over up to max_lines lines (as many as box.h holds at
 * line_h), the last one cut with "…" if text is still longer. Returns the lines drawn.
 */
size_t bm_ui_text_block(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                        size_t max_lines, int align);

/* ---- Layout: portrait 1080x1920 and landscape 1920x1080 --------------------------------- */

/* True when the window is wider than tall. */
bool bm_ui_landscape(const struct bm_ui *ui);
/*
 * Splits r into a main and a side pane: stacked (side below main, side_share of the height)
 * in portrait, side by side (side on the right, side_share of the width) in landscape, gap
 * pixels apart. A screen written against this reads the same in both orientations.
 */
void bm_ui_split(const struct bm_ui *ui, SDL_Rect r, float side_share, int gap, SDL_Rect *main,
                 SDL_Rect *side);
/* How many columns a grid of items at least min_w design pixels wide gets in r. */
int bm_ui_columns(struct bm_ui *ui, SDL_Rect r, int min_w, int gap, int max_cols);

/* ---- Button ------------------------------------------------------------------------------ */

enum bm_button_kind {
    BM_BUTTON_PRIMARY,   /* the one obvious next step: filled primary */
    BM_BUTTON_SECONDARY, /* other choices: soft primary */
    BM_BUTTON_ACCENT,    /* the ID-card call (gold) */
    BM_BUTTON_HELP,      /* help: always the help colour */
    BM_BUTTON_QUIET,     /* back, cancel: surface with a border */
};

struct bm_button {
    const char *name;  /* element name, e.g. "dialog.ok" */
    const char *label; /* shown as given (translate before) */
    const char *glyph; /* optional one-character icon before the label, NULL for none */
    enum bm_button_kind kind;
    bool pressed;
    bool disabled;
};

/* The height a button needs for its label in this theme (>= the minimum target). */
int bm_button_height(struct bm_ui *ui);
void bm_button_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_button *b);
size_t bm_button_elements(struct bm_ui *ui, SDL_Rect r, const struct bm_button *b,
                          struct bm_ui_element *out, size_t cap);

/* ---- Icon tile: a coloured disc with one character over a label (home's quick entries) --- */

struct bm_tile {
    const char *name;
    const char *glyph; /* one character */
    const char *label;
    enum bm_theme_hue hue;
    const char *badge; /* small pill in the corner ("暂停"), NULL for none */
    bool pressed;
    bool disabled; /* greyed out */
};

/* The smallest tile side in this theme (>= the minimum target). */
int bm_tile_min_side(struct bm_ui *ui);
void bm_tile_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_tile *t);
size_t bm_tile_elements(struct bm_ui *ui, SDL_Rect r, const struct bm_tile *t,
                        struct bm_ui_element *out, size_t cap);

/* ---- List: rows that scroll by drag (with momentum) or by large page buttons ------------- */

struct bm_list_item {
    const char *title;
    const char *detail; /* second line, NULL for none */
    const char *glyph;  /* optional one-character icon */
    enum bm_theme_hue hue;
    bool disabled;
};

struct bm_list {
    const char *name; /* elements: <name>.row.<i>, <name>.prev, <name>.next */
    const struct bm_list_item *items;
    size_t count;
    const char *prev_label; /* "上一页" / "Previous"; NULL shows an arrow only */
    const char *next_label;
    int pressed_page; /* -1 none, 0 prev, 1 next (a pressed row comes from the scroll state) */
};

/* Scroll state, owned by the caller; zero it to start at the top. Offsets in pixels. */
struct bm_list_scroll {
    float offset;
    float velocity; /* px per second, after a flick */
    float target;   /* where a page change glides to */
    bool gliding;   /* moving toward target */
    bool dragging;
    float grab_y, grab_offset, last_y, moved;
    uint32_t last_ms;
    int press_row; /* row under the finger at touch-down, drawn pressed while it is down; -1 */
};

/* The row pitch in this theme (>= the minimum target). */
int bm_list_row_height(struct bm_ui *ui, const struct bm_list *l);
/* Rows [first, first + count) at least partly visible in r at the current offset. */
void bm_list_visible(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                     const struct bm_list_scroll *s, size_t *first, size_t *count);
/* Rows come from the toolkit's row texture (each drawn once, copied while it stays in view):
 * draw the list after the screen's static layer (bm_ui_layer_end), not inside it, or every
 * scroll would redraw the layer. One list per screen is kept. */
void bm_list_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                  const struct bm_list_scroll *s);
/* Rows showing at least a minimum target's height, then the two page buttons. */
size_t bm_list_elements(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                        const struct bm_list_scroll *s, struct bm_ui_element *out, size_t cap);
/* Touch on the rows' area: down, move, up. Up returns the row tapped (no drag), or -1. */
void bm_list_touch_down(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                        struct bm_list_scroll *s, int x, int y, uint32_t ms);
void bm_list_touch_move(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                        struct bm_list_scroll *s, int y, uint32_t ms);
int bm_list_touch_up(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                     struct bm_list_scroll *s, uint32_t ms);
/* Pages by one viewport (dir -1 or +1), gliding there. */
void bm_list_page(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l, struct bm_list_scroll *s,
                  int dir);
/* Advances momentum and glides to ms; returns the delay to the next frame, -1 when at rest. */
int bm_list_step(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l, struct bm_list_scroll *s,
                 uint32_t ms);

/* ---- Dialog: a modal card with a title, a message and at most three large buttons -------- */

#define BM_DIALOG_MAX_BUTTONS 3

enum bm_dialog_tone { BM_DIALOG_INFO, BM_DIALOG_WARNING, BM_DIALOG_ERROR };

struct bm_dialog {
    const char *name; /* elements: <name>.button.<i> */
    enum bm_dialog_tone tone;
    const char *title;
    const char *message;
    const char *buttons[BM_DIALOG_MAX_BUTTONS];
    size_t button_count;
    size_t default_button; /* drawn first, as the primary button */
    int pressed;           /* button index, -1 none */
};

/* Draws a scrim over the whole window and the card centred on it. */
void bm_dialog_draw(struct bm_ui *ui, const struct bm_dialog *d);
/* What every dialog stands on: the whole window dimmed, and card drawn over it (shadow,
 * rounded corners, surface colour). For dialogs with their own content (screens/overlay.c). */
void bm_dialog_backdrop(struct bm_ui *ui, SDL_Rect card);
size_t bm_dialog_elements(struct bm_ui *ui, const struct bm_dialog *d, struct bm_ui_element *out,
                          size_t cap);

/* ---- Progress bar ------------------------------------------------------------------------ */

struct bm_progress {
    const char *label; /* "正在打印…", NULL for none */
    int percent;       /* 0..100; negative: indeterminate (no end known) */
    uint32_t ms;       /* time now, drives the indeterminate sweep */
};

/* The height the bar with its label needs. */
int bm_progress_height(struct bm_ui *ui, const struct bm_progress *p);
void bm_progress_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_progress *p);
/* Indeterminate: a frame every ~33 ms; determinate: -1 (redraw when percent changes). */
int bm_progress_next_frame_ms(const struct bm_progress *p);

/* ---- Toast: a short message over the bottom of the screen that goes by itself ----------- */

struct bm_toast {
    const char *text;
    uint32_t shown_ms;    /* when it appeared */
    uint32_t duration_ms; /* 0 means 3000 */
    uint32_t ms;          /* time now */
};

bool bm_toast_visible(const struct bm_toast *t);
/* Draws above the bottom edge of area (usually the content above a bottom bar). */
void bm_toast_draw(struct bm_ui *ui, SDL_Rect area, const struct bm_toast *t);
/* Delay until it must disappear, -1 if gone. */
int bm_toast_next_frame_ms(const struct bm_toast *t);

/* ---- Countdown: a ring that empties and the seconds left, tabular ----------------------- */

struct bm_countdown {
    const char *label;    /* under the ring: "秒后返回首页" */
    uint32_t deadline_ms; /* when it reaches zero */
    uint32_t total_ms;    /* its full length (for the ring) */
    uint32_t ms;          /* time now */
};

int bm_countdown_seconds_left(const struct bm_countdown *c);
void bm_countdown_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_countdown *c);
/* Delay until the shown second changes, -1 once at zero. */
int bm_countdown_next_frame_ms(const struct bm_countdown *c);

/* ---- Step indicator: where the resident is in a procedure ------------------------------- */

#define BM_STEPS_MAX 6

struct bm_steps {
    const char *labels[BM_STEPS_MAX];
    size_t count;
    size_t current; /* 0-based; steps before it are done */
};

int bm_steps_height(struct bm_ui *ui);
void bm_steps_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_steps *s);

/* ---- QR code (libqrencode): crisp integer modules with a four-module quiet zone -------- */

struct bm_qr {
    const char *text;    /* encoded as 8-bit data, error correction M */
    const char *caption; /* under the code, NULL for none */
};

/* Draws the code as large as fits r (whole pixels per module) on a white card. Returns the
 * module size in pixels, 0 if text could not be encoded (nothing drawn but the caption). */
int bm_qr_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_qr *q);

/* The nearest of two next-frame delays (-1 meaning never). */
int bm_ui_next_frame_min(int a, int b);

#endif
