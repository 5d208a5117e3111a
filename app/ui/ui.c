/*
 * ui.c - the toolkit object: lifetime, frames and the redraw flag, scale and physical sizes,
 * rectangle helpers, counters and the audit record that tests read.
 *
 * Design: struct bm_ui borrows the caller's SDL_Renderer (a window's, or a software renderer
 * on a plain SDL_Surface in tests and headless runs) and owns everything derived from it:
 * fonts, label textures, wrap results. Screens are laid out from the output size: the scale is
 * min(short side / 1080, long side / 1920), so type has one size in portrait and landscape;
 * physical sizes (touch targets) come from the dpi instead, because a finger does not scale.
 * A frame is drawn only when something invalidated the ui; idle costs nothing here.
 *
 * Main thread only (the thread that owns SDL).
 */
#include "ui/ui_internal.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESIGN_WIDTH  1080.0f
#define DESIGN_HEIGHT 1920.0f

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void update_size(struct bm_ui *ui)
{
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(ui->renderer, &w, &h) != 0 || w <= 0 || h <= 0) {
        w = (int)DESIGN_WIDTH;
        h = (int)DESIGN_HEIGHT;
    }
    if (w != ui->width || h != ui->height)
        ui->dirty = true;
    ui->width = w;
    ui->height = h;
    /* Sizes follow the short side (1080 design pixels), so type is as large in landscape as
     * in portrait; the long side (1920) caps it for windows squatter than 9:16. */
    float short_side = (float)(w < h ? w : h), long_side = (float)(w < h ? h : w);
    float by_short = short_side / DESIGN_WIDTH, by_long = long_side / DESIGN_HEIGHT;
    ui->scale = by_short < by_long ? by_short : by_long;
}

enum bm_err bm_ui_create(SDL_Renderer *renderer, const struct bm_ui_options *opts,
                         struct bm_ui **out)
{
    if (!renderer || !opts || !out)
        return bm_err_set(BM_ERR_INVALID_ARG, "bm_ui_create: NULL argument");
    *out = NULL;
    const char *regular = opts->font_regular ? opts->font_regular : BM_UI_FONT_REGULAR_DEFAULT;
    const char *bold = opts->font_bold ? opts->font_bold : BM_UI_FONT_BOLD_DEFAULT;
    int face = opts->font_face > 0 ? opts->font_face : BM_UI_FONT_FACE_SC;

    if (!TTF_WasInit() && TTF_Init() != 0)
        return bm_err_set(BM_ERR_INTERNAL, "TTF_Init: %s", TTF_GetError());

    struct bm_ui *ui = calloc(1, sizeof *ui);
    if (!ui)
        return bm_err_set(BM_ERR_NO_MEMORY, "bm_ui_create");
    ui->renderer = renderer;
    ui->theme = opts->theme ? opts->theme : bm_theme_standard();
    ui->font_face = face;
    ui->dpi = opts->dpi > 0 ? opts->dpi : 96;
    ui->font_path[BM_UI_REGULAR] = dup_str(regular);
    ui->font_path[BM_UI_BOLD] = dup_str(bold);
    if (!ui->font_path[0] || !ui->font_path[1]) {
        bm_ui_destroy(ui);
        return bm_err_set(BM_ERR_NO_MEMORY, "bm_ui_create: font paths");
    }
    enum bm_err err = bm_ui_text_init(ui, opts->text_cache_entries ? opts->text_cache_entries : 512,
                                      opts->text_cache_bytes ? opts->text_cache_bytes : 48u << 20);
    if (err != BM_OK) {
        bm_ui_destroy(ui);
        return err;
    }
    update_size(ui);
    ui->dirty = true;
    bm_log_info("ui", "toolkit ready: %dx%d, scale %.3f, %d dpi, font face %d", ui->width,
                ui->height, (double)ui->scale, ui->dpi, face);
    *out = ui;
    return BM_OK;
}

void bm_ui_destroy(struct bm_ui *ui)
{
    if (!ui)
        return;
    for (size_t i = 0; i < LAYER_SLOTS; i++)
        if (ui->layers[i].tex)
            SDL_DestroyTexture(ui->layers[i].tex);
    bm_ui_list_ring_free(ui);
    bm_ui_text_fini(ui);
    bm_ui_texts_record(ui, false);
    free(ui->font_path[0]);
    free(ui->font_path[1]);
    free(ui);
}

SDL_Renderer *bm_ui_renderer(struct bm_ui *ui)
{
    return ui->renderer;
}

const struct bm_theme *bm_ui_theme(const struct bm_ui *ui)
{
    return ui->theme;
}

void bm_ui_set_theme(struct bm_ui *ui, const struct bm_theme *theme)
{
    ui->theme = theme ? theme : bm_theme_standard();
    for (size_t i = 0; i < LAYER_SLOTS; i++)
        ui->layers[i].valid = false;
    ui->list_ring.key = 0;
    ui->dirty = true;
}

int bm_ui_width(const struct bm_ui *ui)
{
    return ui->width;
}

int bm_ui_height(const struct bm_ui *ui)
{
    return ui->height;
}

int bm_ui_px(const struct bm_ui *ui, int design)
{
    if (design == 0)
        return 0;
    int v = (int)SDL_lroundf((float)design * ui->scale);
    if (design > 0 && v < 1)
        v = 1;
    return v;
}

int bm_ui_mm(const struct bm_ui *ui, double mm)
{
    return (int)SDL_ceil(mm * (double)ui->dpi / 25.4 - 1e-9);
}

int bm_ui_min_target(const struct bm_ui *ui)
{
    return bm_ui_mm(ui, ui->theme->min_target_mm);
}

void bm_ui_invalidate(struct bm_ui *ui)
{
    ui->dirty = true;
}

bool bm_ui_dirty(const struct bm_ui *ui)
{
    return ui->dirty;
}

void bm_ui_frame_begin(struct bm_ui *ui)
{
    update_size(ui);
    ui->label_count = 0;
    ui->outside_count = 0;
    bm_ui_texts_frame_begin(ui);
    SDL_Color bg = ui->theme->background;
    SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(ui->renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ui->renderer);
    SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
}

/* ---- the static layer ---- */

uint64_t bm_ui_hash(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (h == 0)
        h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull; /* FNV-1a, 64 bits */
    }
    return h;
}

uint64_t bm_ui_hash_str(uint64_t h, const char *s)
{
    /* The terminator goes in too, so ("ab", "c") and ("a", "bc") differ. */
    return s ? bm_ui_hash(h, s, strlen(s) + 1) : bm_ui_hash(h, "", 1);
}

/* The layer's pixel format: the window's, so blending into the layer takes the same path
 * (and rounds the same way) as blending into the window; a renderer on a plain surface
 * (tests) gets ARGB8888, the format of the test canvas. */
Uint32 bm_ui_layer_format(struct bm_ui *ui)
{
    SDL_Window *w = SDL_RenderGetWindow(ui->renderer);
    Uint32 f = w ? SDL_GetWindowPixelFormat(w) : SDL_PIXELFORMAT_UNKNOWN;
    return f != SDL_PIXELFORMAT_UNKNOWN ? f : SDL_PIXELFORMAT_ARGB8888;
}

static void layer_copy(struct bm_ui *ui, struct layer_slot *l)
{
    SDL_SetTextureBlendMode(l->tex, SDL_BLENDMODE_NONE);
    SDL_RenderCopy(ui->renderer, l->tex, NULL, NULL);
}

/*
 * The slot for screen: the one it had (redrawn in place when its content changed), else a
 * never-used one, else the least recently used. *hit: it holds key and is current.
 */
static struct layer_slot *layer_slot_for(struct bm_ui *ui, uint64_t screen, uint64_t key, bool *hit)
{
    struct layer_slot *victim = NULL;
    *hit = false;
    for (size_t i = 0; i < LAYER_SLOTS; i++) {
        struct layer_slot *l = &ui->layers[i];
        int tw = 0, th = 0;
        if (l->tex && (SDL_QueryTexture(l->tex, NULL, NULL, &tw, &th) != 0 || tw != ui->width ||
                       th != ui->height)) {
            SDL_DestroyTexture(l->tex); /* the output changed size */
            memset(l, 0, sizeof *l);
        }
        if (l->tex && l->screen == screen) {
            *hit = l->valid && l->key == key;
            return l;
        }
        if (!victim || (victim->tex && (!l->tex || l->stamp < victim->stamp)))
            victim = l;
    }
    return victim;
}

bool bm_ui_layer_begin(struct bm_ui *ui, const char *screen, uint64_t key)
{
    ui->layer_drawing = NULL;
    if (ui->audit)
        return true; /* audit records what a frame draws: draw it */
    /* The ui's first frame goes straight to the output: the layer's 8 MiB of fresh
     * pages (zeroed, faulted in) would lie on the path to the first picture. The next frame
     * of the screen draws the layer. */
    if (ui->stats.frames == 0)
        return true;
    const void *theme = ui->theme;
    int size[2] = {ui->width, ui->height};
    key = bm_ui_hash(key, &theme, sizeof theme);
    key = bm_ui_hash(key, size, sizeof size);
    bool hit;
    struct layer_slot *l = layer_slot_for(ui, bm_ui_hash_str(0, screen), key, &hit);
    l->stamp = ++ui->clock;
    if (hit) {
        layer_copy(ui, l);
        bm_ui_texts_layer_copied(ui, l);
        ui->stats.layer_copies++;
        return false;
    }
    ui->stats.layer_draws++;
    l->valid = false;
    if (!l->tex)
        l->tex = SDL_CreateTexture(ui->renderer, bm_ui_layer_format(ui), SDL_TEXTUREACCESS_TARGET,
                                   ui->width, ui->height);
    if (!l->tex || SDL_SetRenderTarget(ui->renderer, l->tex) != 0) {
        bm_log_warn("ui", "no static layer (%s): drawing this frame in full", SDL_GetError());
        return true;
    }
    SDL_Color bg = ui->theme->background;
    SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(ui->renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ui->renderer);
    SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
    l->screen = bm_ui_hash_str(0, screen);
    l->key = key;
    ui->layer_drawing = l;
    bm_ui_texts_layer_drawing(ui);
    return true;
}

void bm_ui_layer_end(struct bm_ui *ui)
{
    struct layer_slot *l = ui->layer_drawing;
    if (!l)
        return;
    ui->layer_drawing = NULL;
    if (SDL_SetRenderTarget(ui->renderer, NULL) != 0) {
        bm_log_warn("ui", "static layer: back to the output: %s", SDL_GetError());
        return;
    }
    l->valid = true;
    layer_copy(ui, l);
    bm_ui_texts_layer_drawn(ui, l);
}

void bm_ui_frame_end(struct bm_ui *ui)
{
    if (ui->list_ring.tex && ui->list_ring.frame != ui->stats.frames)
        bm_ui_list_ring_free(ui); /* no list on this screen: give its rows' memory back */
    ui->dirty = false;
    ui->stats.frames++;
}

/* ---- rectangles ---- */

SDL_Rect bm_rect(int x, int y, int w, int h)
{
    SDL_Rect r = {x, y, w, h};
    return r;
}

SDL_Rect bm_rect_inset(SDL_Rect r, int d)
{
    return bm_rect_inset4(r, d, d, d, d);
}

SDL_Rect bm_rect_inset4(SDL_Rect r, int left, int top, int right, int bottom)
{
    SDL_Rect o = {r.x + left, r.y + top, r.w - left - right, r.h - top - bottom};
    if (o.w < 0)
        o.w = 0;
    if (o.h < 0)
        o.h = 0;
    return o;
}

SDL_Rect bm_rect_grid(SDL_Rect r, int cols, int rows, int gap, int col, int row)
{
    if (cols < 1)
        cols = 1;
    if (rows < 1)
        rows = 1;
    /* Cells take their edges from the exact split so rounding never leaves a ragged edge. */
    int inner_w = r.w - gap * (cols - 1), inner_h = r.h - gap * (rows - 1);
    int x0 = r.x + col * gap + inner_w * col / cols;
    int x1 = r.x + col * gap + inner_w * (col + 1) / cols;
    int y0 = r.y + row * gap + inner_h * row / rows;
    int y1 = r.y + row * gap + inner_h * (row + 1) / rows;
    return bm_rect(x0, y0, x1 - x0, y1 - y0);
}

SDL_Rect bm_rect_take_top(SDL_Rect *r, int size)
{
    if (size > r->h)
        size = r->h;
    SDL_Rect o = {r->x, r->y, r->w, size};
    r->y += size;
    r->h -= size;
    return o;
}

SDL_Rect bm_rect_take_bottom(SDL_Rect *r, int size)
{
    if (size > r->h)
        size = r->h;
    SDL_Rect o = {r->x, r->y + r->h - size, r->w, size};
    r->h -= size;
    return o;
}

SDL_Rect bm_rect_take_left(SDL_Rect *r, int size)
{
    if (size > r->w)
        size = r->w;
    SDL_Rect o = {r->x, r->y, size, r->h};
    r->x += size;
    r->w -= size;
    return o;
}

SDL_Rect bm_rect_take_right(SDL_Rect *r, int size)
{
    if (size > r->w)
        size = r->w;
    SDL_Rect o = {r->x + r->w - size, r->y, size, r->h};
    r->w -= size;
    return o;
}

bool bm_rect_contains(SDL_Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

/* ---- counters and audit ---- */

void bm_ui_get_stats(const struct bm_ui *ui, struct bm_ui_stats *out)
{
    *out = ui->stats;
    out->text_entries = ui->cache.count;
    out->text_bytes = ui->cache.bytes;
    size_t fonts = 0;
    for (size_t i = 0; i < 2; i++)
        fonts += ui->font[i] != NULL;
    out->fonts_open = fonts;
}

void bm_ui_set_audit(struct bm_ui *ui, bool on)
{
    ui->audit = on;
}

const struct bm_ui_audit_label *bm_ui_audit_labels(const struct bm_ui *ui, size_t *count)
{
    *count = ui->label_count;
    return ui->labels;
}

size_t bm_ui_audit_outside(const struct bm_ui *ui, SDL_Rect *first)
{
    if (first)
        *first = ui->outside_first;
    return ui->outside_count;
}

void bm_ui_audit_bounds(struct bm_ui *ui, float x0, float y0, float x1, float y1)
{
    if (!ui->audit)
        return;
    /* Half a pixel of slack: anti-aliasing fringes of a shape flush with the edge. */
    if (x0 >= -0.5f && y0 >= -0.5f && x1 <= (float)ui->width + 0.5f &&
        y1 <= (float)ui->height + 0.5f)
        return;
    if (ui->outside_count++ == 0)
        ui->outside_first = bm_rect((int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0));
}

void bm_ui_audit_label(struct bm_ui *ui, SDL_Rect box, const char *text, SDL_Point need,
                       bool overflow)
{
    bm_ui_texts_note(ui, text); /* every label passes here: the words on screen */
    if (!ui->audit)
        return;
    bm_ui_audit_bounds(ui, (float)box.x, (float)box.y, (float)(box.x + box.w),
                       (float)(box.y + box.h));
    if (ui->label_count >= BM_UI_AUDIT_MAX_LABELS)
        return;
    struct bm_ui_audit_label *l = &ui->labels[ui->label_count++];
    snprintf(l->text, sizeof l->text, "%s", text);
    l->box = box;
    l->size = need;
    l->overflow = overflow;
}
