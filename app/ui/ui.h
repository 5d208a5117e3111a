/*
 * ui.h - the bianmin drawing toolkit on SDL2 + SDL2_ttf.
 *
 * The toolkit knows nothing of devices, services or the flow: it draws shapes and text on an
 * SDL_Renderer that the caller owns, with sizes taken from a theme (struct bm_theme: colours
 * with semantic names, a type scale, spacing and radii), and it keeps the expensive things
 * cached: fonts per (weight, pixel size) and every label as a texture, so a frame that shows
 * the same words again costs a texture copy, not a rasterisation.
 *
 * Geometry is designed on a 1080x1920 canvas (portrait, or 1920x1080 landscape); bm_ui_px()
 * scales a design size to the real window by its short side, so a screen laid out from the
 * window size works at other sizes.
 *
 * Everything here runs on the main thread (the thread that owns SDL).
 */
#ifndef BM_UI_UI_H
#define BM_UI_UI_H

#include "core/err.h"
#include "ui/theme.h"

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bm_ui;

/* What bm_ui_create needs. Paths are borrowed for the call only. */
struct bm_ui_options {
    const char *font_regular;     /* e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc */
    const char *font_bold;        /* e.g. .../NotoSansCJK-Bold.ttc */
    int font_face;                /* face index in the collection; 0 means "use 2 (SC)" */
    int dpi;                      /* of the physical screen, for touch target sizes; 0 means 96 */
    const struct bm_theme *theme; /* NULL means bm_theme_standard() */
    size_t text_cache_entries;    /* label textures kept; 0 means 512 */
    size_t text_cache_bytes;      /* their pixel memory cap; 0 means 48 MiB */
};

/* The default font paths of Debian's fonts-noto-cjk. */
#define BM_UI_FONT_REGULAR_DEFAULT "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#define BM_UI_FONT_BOLD_DEFAULT    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
/* Noto Sans CJK collection faces: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK. We need SC. */
#define BM_UI_FONT_FACE_SC 2

/*
 * Creates the toolkit on renderer (borrowed; must outlive the ui). Initialises SDL_ttf if
 * needed and checks that both fonts open. BM_ERR_NOT_FOUND if a font file is missing.
 */
enum bm_err bm_ui_create(SDL_Renderer *renderer, const struct bm_ui_options *opts,
                         struct bm_ui **out);
void bm_ui_destroy(struct bm_ui *ui);

SDL_Renderer *bm_ui_renderer(struct bm_ui *ui);
const struct bm_theme *bm_ui_theme(const struct bm_ui *ui);
/* Switches theme (data only); drops cached label textures whose colours may no longer occur
 * lazily through the LRU, and marks the ui dirty. */
void bm_ui_set_theme(struct bm_ui *ui, const struct bm_theme *theme);

/* The drawing area in pixels (the renderer's output size, refreshed by bm_ui_frame_begin). */
int bm_ui_width(const struct bm_ui *ui);
int bm_ui_height(const struct bm_ui *ui);
/* A design size in real pixels, rounded, never below 1 for size > 0. Design pixels are those
 * of a 1080x1920 screen in either orientation: the scale is min(short side / 1080, long side /
 * 1920), so type is the same size in portrait and landscape. */
int bm_ui_px(const struct bm_ui *ui, int design);
/* millimetres on the physical screen in pixels (from the dpi), rounded up. */
int bm_ui_mm(const struct bm_ui *ui, double mm);
/* The smallest side a tappable element may have: the theme's min_target_mm at this dpi. */
int bm_ui_min_target(const struct bm_ui *ui);

/*
 * Redraw bookkeeping: something changed (a view-model, the clock's minute, the size) ->
 * bm_ui_invalidate; the loop draws only while bm_ui_dirty is true. bm_ui_frame_begin reads
 * the output size and clears to the theme background; bm_ui_frame_end clears the dirty flag.
 * The caller presents (SDL_RenderPresent) after reading pixels if it wants them.
 */
void bm_ui_invalidate(struct bm_ui *ui);
bool bm_ui_dirty(const struct bm_ui *ui);
void bm_ui_frame_begin(struct bm_ui *ui);
void bm_ui_frame_end(struct bm_ui *ui);

/*
 * A screen's static layer: what does not change from frame to frame (everything but a clock
 * or a pressed button) drawn once into a texture and copied on later frames. screen names
 * whose layer it is ("home": each screen keeps its own, two are held); key names the content
 * (bm_ui_hash over the view-model fields the layer shows); the toolkit adds the theme and the
 * output size. bm_ui_layer_begin returns false when the screen's layer holds this key: it has
 * been copied to the output and there is nothing to draw. Otherwise it returns true and
 * drawing goes into the layer (cleared to the background) until bm_ui_layer_end, which copies
 * it to the output. Pixels are the same as drawing straight to the output. Audit mode and a
 * failed texture draw straight to the output, and so does the ui's first frame (allocating
 * the layer would delay the first picture). bm_ui_set_theme makes every layer stale.
 */
bool bm_ui_layer_begin(struct bm_ui *ui, const char *screen, uint64_t key);
void bm_ui_layer_end(struct bm_ui *ui);
/* FNV-1a over data / a string (NULL hashes like ""), continuing from h (0 to start). */
uint64_t bm_ui_hash(uint64_t h, const void *data, size_t n);
uint64_t bm_ui_hash_str(uint64_t h, const char *s);

/* ---- Geometry helpers ------------------------------------------------------------------ */

SDL_Rect bm_rect(int x, int y, int w, int h);
/* Shrinks r by d on every side (negative d grows it). */
SDL_Rect bm_rect_inset(SDL_Rect r, int d);
SDL_Rect bm_rect_inset4(SDL_Rect r, int left, int top, int right, int bottom);
/* Cell (col, row) of r split into cols x rows with gap pixels between cells. */
SDL_Rect bm_rect_grid(SDL_Rect r, int cols, int rows, int gap, int col, int row);
/* Cuts a strip of size off the top / bottom / left / right of *r and returns it. */
SDL_Rect bm_rect_take_top(SDL_Rect *r, int size);
SDL_Rect bm_rect_take_bottom(SDL_Rect *r, int size);
SDL_Rect bm_rect_take_left(SDL_Rect *r, int size);
SDL_Rect bm_rect_take_right(SDL_Rect *r, int size);
bool bm_rect_contains(SDL_Rect r, int x, int y);

/* ---- Shapes ---------------------------------------------------------------------------- */

enum bm_ui_gradient {
    BM_UI_GRADIENT_VERTICAL, /* a at the top, b at the bottom */
    BM_UI_GRADIENT_DIAGONAL, /* a at the top-left, b at the bottom-right */
    BM_UI_GRADIENT_HORIZONTAL,
};

/* A rounded rectangle in one colour, anti-aliased over one pixel. radius 0 is square. */
void bm_ui_fill_rrect(struct bm_ui *ui, SDL_Rect r, int radius, SDL_Color c);
/* The same with a two-colour gradient through vertex colours. */
void bm_ui_fill_rrect_gradient(struct bm_ui *ui, SDL_Rect r, int radius, SDL_Color a, SDL_Color b,
                               enum bm_ui_gradient dir);
/* A border of width px along the inside of a rounded rectangle. */
void bm_ui_stroke_rrect(struct bm_ui *ui, SDL_Rect r, int radius, int width, SDL_Color c);
/* A soft shadow under r: colour c fading to nothing over blur pixels, moved down by dy. */
void bm_ui_shadow(struct bm_ui *ui, SDL_Rect r, int radius, int blur, int dy, SDL_Color c);
void bm_ui_fill_circle(struct bm_ui *ui, int cx, int cy, int radius, SDL_Color c);
void bm_ui_stroke_circle(struct bm_ui *ui, int cx, int cy, int radius, int width, SDL_Color c);
/* A circle cut to the inside of a rounded rectangle (a decoration that must not spill). */
void bm_ui_fill_circle_in_rrect(struct bm_ui *ui, int cx, int cy, int radius, SDL_Rect clip,
                                int clip_radius, SDL_Color c);
/*
 * The card holder's photo (w x h pixels of RGB24, top row first), scaled into box keeping its
 * shape, or, when rgb is NULL, a neutral placeholder silhouette of an ID photo's shape. The
 * photo's texture is destroyed before this returns (personal data is never cached).
 */
void bm_ui_portrait(struct bm_ui *ui, SDL_Rect box, const uint8_t *rgb, int w, int h);
/* A straight line of the given width with round-free square ends, anti-aliased. */
void bm_ui_line(struct bm_ui *ui, float x0, float y0, float x1, float y1, float width, SDL_Color c);

/* ---- Text ------------------------------------------------------------------------------ */

enum bm_ui_weight { BM_UI_REGULAR = 0, BM_UI_BOLD = 1 };

/* How a label sits in its box. */
enum bm_ui_align {
    BM_UI_ALIGN_LEFT = 0x01,
    BM_UI_ALIGN_CENTER = 0x02,
    BM_UI_ALIGN_RIGHT = 0x04,
    BM_UI_ALIGN_TOP = 0x10,
    BM_UI_ALIGN_MIDDLE = 0x20,
    BM_UI_ALIGN_BOTTOM = 0x40,
    /* Paragraphs: break only at spaces (list items such as "社保 · 医保" stay whole), and
     * between characters only when one item is wider than the line. */
    BM_UI_WRAP_WORDS = 0x100,
};

/* A text style: weight, size in real pixels (use bm_ui_px on a theme size), colour. */
struct bm_ui_font {
    enum bm_ui_weight weight;
    int px;
    SDL_Color color;
};

/* Width and height of text as it would be drawn (through the label cache). */
SDL_Point bm_ui_text_size(struct bm_ui *ui, const char *text, struct bm_ui_font f);
/*
 * Draws one line of text in box with the given alignment. Vertical centring uses the visual
 * centre of CJK ideographs, not the font's line box. Returns the drawn width. A label that does
 * not fit its box is still drawn; in audit mode it is recorded as an overflow.
 */
int bm_ui_label(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f, int align);
/*
 * Like bm_ui_label, but for data of unknown length (names from config or the catalog): uses
 * the largest size from f.px down to min_px at which text fits box.w. Returns the size used.
 */
int bm_ui_label_fit(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                    int min_px, int align);
/* The size bm_ui_label_fit would use, without drawing: for giving a row of items one size. */
int bm_ui_fit_px(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w, int min_px);
/*
 * Digits in cells of one width (tabular figures: a clock does not jiggle as it ticks); other
 * characters keep their own width. Each glyph is one cached texture. Same contract as
 * bm_ui_label. bm_ui_tabular_width measures.
 */
int bm_ui_label_tabular(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                        int align);
int bm_ui_tabular_width(struct bm_ui *ui, const char *text, struct bm_ui_font f);

/* One line of wrapped text: bytes [start, start + len) of the source. */
struct bm_ui_line_span {
    size_t start, len;
};
#define BM_UI_MAX_LINES 8

/*
 * Breaks text into lines no wider than max_w: between CJK characters, at spaces, never
 * before closing punctuation (，。、；：？！）」 ...) nor after opening punctuation. Returns
 * the number of lines (at most max_lines; *truncated set if text did not fit). flags may hold
 * BM_UI_WRAP_WORDS. Simple rules
 * now; UAX #14 through libunibreak replaces them later behind the same call.
 */
size_t bm_ui_wrap(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w, int flags,
                  struct bm_ui_line_span *lines, size_t max_lines, bool *truncated);
/*
 * Draws wrapped text in box, line_height pixels per line, up to what fits in box.h. Returns
 * the number of lines drawn. Text that needs more lines than fit is an overflow in audit mode.
 */
size_t bm_ui_paragraph(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                       int line_height, int align);

/* Whether cp must not begin a line (closing punctuation) / must not end one (opening). */
bool bm_ui_is_closing_punct(uint32_t cp);
bool bm_ui_is_opening_punct(uint32_t cp);

/* ---- Counters and audit (tests) -------------------------------------------------------- */

struct bm_ui_stats {
    uint64_t text_hits;      /* label lookups served from a cached texture */
    uint64_t text_misses;    /* labels rasterised (TTF_RenderUTF8_Blended) */
    uint64_t text_evictions; /* textures dropped by the LRU */
    size_t text_entries;     /* textures held now */
    size_t text_bytes;       /* their pixel memory */
    size_t fonts_open;
    uint64_t frames;
    uint64_t layer_draws;     /* static layers drawn (bm_ui_layer_begin returned true) */
    uint64_t layer_copies;    /* frames that reused the static layer */
    uint64_t list_rows_drawn; /* list rows drawn (into the list's row texture or straight) */
};
void bm_ui_get_stats(const struct bm_ui *ui, struct bm_ui_stats *out);

/* One label drawn during an audited frame. */
struct bm_ui_audit_label {
    char text[96];  /* cut to fit */
    SDL_Rect box;   /* the box it was given */
    SDL_Point size; /* what it needed */
    bool overflow;
};
#define BM_UI_AUDIT_MAX_LABELS 256

/*
 * Audit mode records every label with its box and whether it fits, and counts drawing that
 * leaves the output area. Cleared at each bm_ui_frame_begin. Off by default (it costs a copy
 * per label); tests turn it on.
 */
void bm_ui_set_audit(struct bm_ui *ui, bool on);
const struct bm_ui_audit_label *bm_ui_audit_labels(const struct bm_ui *ui, size_t *count);
size_t bm_ui_audit_outside(const struct bm_ui *ui, SDL_Rect *first);

/* ---- Words on screen (journeys) ------------------------------------------------------- */

/*
 * Recording keeps the text of every label the last frame showed, static layers included, so
 * a script can ask whether the resident sees a text. Off by default; turning it on redraws
 * the screen (layers too), turning it off wipes the record (it may hold personal data).
 */
void bm_ui_texts_record(struct bm_ui *ui, bool on);
bool bm_ui_texts_recording(const struct bm_ui *ui);
/* Whether text is part of a label of the last frame (false when not recording). */
bool bm_ui_texts_shown(const struct bm_ui *ui, const char *text);
/* How many labels the last frame recorded; *cut (may be NULL): some did not fit the record. */
size_t bm_ui_texts_count(const struct bm_ui *ui, bool *cut);

#endif
