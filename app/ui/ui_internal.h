/*
 * ui_internal.h - the inside of struct bm_ui, shared by the toolkit's files only (ui.c owns
 * lifetime and frames, draw.c shapes, text.c fonts, the label cache and line breaking).
 * Main thread only, like the whole toolkit.
 */
#ifndef BM_UI_INTERNAL_H
#define BM_UI_INTERNAL_H

#include "ui/ui.h"

#include <SDL_ttf.h>

#define FONT_SLOTS 32

/* A font size's ascent and digit widths, remembered (see font_slot_of in text.c). */
struct font_slot {
    bool used;
    int weight, px, ascent;
    int digit_w[10]; /* digits' widths measured without rasterising them; 0 until then */
    uint64_t stamp;
};

/* One cached label texture. Hash chains and free list link entries by index (-1 ends). */
struct text_entry {
    char *text; /* NULL if the slot is free */
    uint32_t hash;
    int weight, px;
    SDL_Color color;
    SDL_Texture *tex;
    int w, h;
    int next;       /* hash chain, or free list */
    uint64_t stamp; /* last use, for LRU eviction */
};

struct text_cache {
    struct text_entry *entries;
    size_t cap, count;
    int *buckets;
    size_t nbuckets;
    int free_head;
    size_t bytes, max_bytes;
};

/* One static layer: a screen's unchanging pixels, output-sized (8 MiB at 1080x1920). Two:
 * attract and home both stay; a third would take peak RSS past the 80 MB budget. */
#define LAYER_SLOTS 2
struct layer_slot {
    SDL_Texture *tex; /* NULL if never drawn */
    uint64_t screen;  /* whose layer it is (hash of the screen's name) */
    uint64_t key;     /* what it holds, with theme and size mixed in */
    bool valid;       /* false while being drawn and after bm_ui_set_theme */
    uint64_t stamp;   /* last use */
};

/* Sizes bm_ui_fit_px chose: measuring needs the font at each size tried, and a screen fits
 * the same names on every redraw of its layer. */
#define FIT_CACHE 64
struct fit_entry {
    char *text; /* NULL if free */
    int weight, px, max_w, min_px, result;
    uint64_t stamp;
};

/* The rows of the one list on screen (widget_list.c): each row's content drawn once into a
 * slot of an opaque texture the viewport's width, so a scroll frame copies rows, not draws them.
 * Row i lives in slot i % slots; slots = whole rows in the viewport + 2. */
#define LIST_RING_MAX_SLOTS 64
struct list_ring {
    SDL_Texture *tex; /* NULL until a list is drawn; freed after a frame without one */
    int w, row_h, slots;
    uint64_t key;   /* the items, theme and sizes the slots were drawn for; 0: stale */
    uint64_t frame; /* the frame (stats.frames) it last served */
    int slot_row[LIST_RING_MAX_SLOTS]; /* the row whose content each slot holds, -1 none */
};

#define WRAP_CACHE 32

/* Line breaks of recent paragraphs, so wrapping does not re-measure every frame. */
struct wrap_entry {
    uint32_t hash; /* of text, weight, px, max_w; 0 if free */
    char *text;
    int weight, px, max_w, flags;
    size_t count;
    bool truncated;
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    uint64_t stamp;
};

struct bm_ui {
    SDL_Renderer *renderer;
    const struct bm_theme *theme;
    char *font_path[2];
    /* The font files mapped into memory (NULL if that failed: opened by path then). */
    void *font_map[2];
    size_t font_map_size[2];
    int font_face;
    int dpi;
    int width, height;
    float scale;
    bool dirty;

    /* One font per weight, at font_px now (bm_ui_font changes the size). */
    TTF_Font *font[2];
    int font_px[2];
    struct font_slot fonts[FONT_SLOTS];
    struct text_cache cache;
    struct wrap_entry wraps[WRAP_CACHE];
    struct fit_entry fits[FIT_CACHE];
    uint64_t clock; /* use stamps */

    struct bm_ui_stats stats;

    /* Static layers (bm_ui_layer_begin), two so that going back and forth between
     * screens (attract, home) copies too; the least recently used is redrawn. layer_drawing: the
     * one drawing goes into now, or NULL. */
    struct layer_slot layers[LAYER_SLOTS];
    struct layer_slot *layer_drawing;
    struct list_ring list_ring;

    /* The words on screen for journeys (ui_texts.c); NULL unless recording. */
    struct bm_ui_texts *texts;

    bool audit;
    struct bm_ui_audit_label labels[BM_UI_AUDIT_MAX_LABELS];
    size_t label_count;
    size_t outside_count;
    SDL_Rect outside_first;
};

/* text.c */
enum bm_err bm_ui_text_init(struct bm_ui *ui, size_t entries, size_t bytes);
void bm_ui_text_fini(struct bm_ui *ui);
/* The font of weight at px. Valid at that size until the next call for the same weight. */
TTF_Font *bm_ui_font(struct bm_ui *ui, int weight, int px);

/* ui.c: the pixel format of layers (the window's, so blending rounds the same way). */
Uint32 bm_ui_layer_format(struct bm_ui *ui);
/* widget_list.c: drops the list's row texture (a frame without a list, or the end). */
void bm_ui_list_ring_free(struct bm_ui *ui);

/* ui.c: audit hooks */
void bm_ui_audit_bounds(struct bm_ui *ui, float x0, float y0, float x1, float y1);
void bm_ui_audit_label(struct bm_ui *ui, SDL_Rect box, const char *text, SDL_Point need,
                       bool overflow);

/* ui_texts.c: what each frame and each static layer drew (no-ops unless recording) */
void bm_ui_texts_frame_begin(struct bm_ui *ui);
void bm_ui_texts_note(struct bm_ui *ui, const char *text);
void bm_ui_texts_layer_drawing(struct bm_ui *ui);
void bm_ui_texts_layer_drawn(struct bm_ui *ui, const struct layer_slot *slot);
void bm_ui_texts_layer_copied(struct bm_ui *ui, const struct layer_slot *slot);

#endif
