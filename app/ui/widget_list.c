/*
 * widget_list.c - a scrolling list of rows with two large page buttons under it.
 *
 * Design: many elderly residents cannot flick, and some do not know a list scrolls at all, so
 * the list always has 上一页 / 下一页 buttons with the page number between them; a page moves
 * by whole rows, so no row is ever left cut at the top. Those who can drag get direct
 * scrolling with momentum (a flick glides and slows, iOS-like friction). A touch that moves
 * less than 3 mm is a tap on the row under it; the row shows pressed from touch-down.
 * Only the visible rows are drawn, cut to the viewport, so a list of a thousand costs what a
 * list of eight does. The scroll state belongs to the caller (a screen keeps it with its
 * view-model); every function here is pure layout plus that state.
 *
 * Scrolling re-rasterises nothing: each row's content (glyph, words, chevron) is drawn once,
 * on the card's opaque surface colour, into a slot of the toolkit's row texture (struct
 * list_ring), and a frame copies the visible rows from there to their place in the viewport;
 * only a row that comes into view is drawn. What reaches across a row's edge (the separator
 * line's anti-aliased fringe, a pressed row's tint) is drawn straight after the copy, in the
 * order drawing everything straight would give it, so the pixels are exactly those: opaque
 * rows in the window's pixel format blend as on the card. The viewport's corner squares
 * (inside the card's rounded corners, where row content never reaches) are not copied over.
 * The card, its shadow and outline, the scroll bar and the page buttons are drawn each frame
 * (small shapes). Audit mode draws rows straight, so tests see every label.
 *
 * Main thread only.
 */
#include "ui/widgets.h"

#include "ui/ui_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FRICTION_MS   325.0f /* velocity falls to 1/e in this time */
#define REST_SPEED    20.0f  /* px/s below which a flick stops */
#define GLIDE_MS      90.0f  /* a page change covers 1/e of the way left in this time */
#define FRAME_MS      16
#define HOLD_STILL_MS 100 /* a finger held this long before lifting flings nothing */
#define TAP_SLOP_MM   3.0

struct list_layout {
    SDL_Rect card, viewport, prev, next, page;
    int row_h;
    float max_offset, page_h;
};

static struct bm_ui_font font_of(struct bm_ui *ui, enum bm_theme_type type, enum bm_ui_weight w,
                                 SDL_Color c)
{
    struct bm_ui_font f = {w, bm_ui_px(ui, bm_ui_theme(ui)->type[type]), c};
    return f;
}

int bm_list_row_height(struct bm_ui *ui, const struct bm_list *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bool detail = false;
    for (size_t i = 0; i < l->count && !detail; i++)
        detail = l->items[i].detail != NULL;
    int h = t->type[BM_TYPE_SUBTITLE] * 6 / 5 + 2 * t->space[BM_SPACE_M];
    if (detail)
        h += t->type[BM_TYPE_BODY] * 6 / 5 + t->space[BM_SPACE_XS];
    return bm_ui_target_px(ui, h);
}

static void layout(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l, struct list_layout *o)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    memset(o, 0, sizeof *o);
    SDL_Rect c = r;
    int gap = bm_ui_px(ui, t->space[BM_SPACE_M]);
    int bar_h = bm_button_height(ui);
    bm_rect_take_bottom(&c, bar_h + gap);
    o->row_h = bm_list_row_height(ui, l);
    /* The viewport holds whole rows: at rest (after a page) no row is cut. The page buttons
     * sit right under it, part of the list. */
    int edge = bm_ui_px(ui, 2); /* the card's outline, outside the rows */
    SDL_Rect bar = bm_rect(c.x, 0, c.w, bar_h);
    c = bm_rect_inset(c, edge);
    int rows = c.h / o->row_h;
    if (rows >= 1)
        c.h = rows * o->row_h;
    o->viewport = c;
    o->card = bm_rect_inset(c, -edge);
    bar.y = o->card.y + o->card.h + gap;
    /* Page buttons at the two sides, the page number between them. */
    int side = bar.w * 3 / 8;
    o->prev = bm_rect(bar.x, bar.y, side, bar.h);
    o->next = bm_rect(bar.x + bar.w - side, bar.y, side, bar.h);
    o->page = bm_rect(o->prev.x + side + gap, bar.y, bar.w - 2 * side - 2 * gap, bar.h);
    float content = (float)o->row_h * (float)l->count;
    o->max_offset = content > (float)c.h ? content - (float)c.h : 0.0f;
    o->page_h = (float)((rows > 0 ? rows : 1) * o->row_h);
}

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void bm_list_visible(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                     const struct bm_list_scroll *s, size_t *first, size_t *count)
{
    struct list_layout o;
    layout(ui, r, l, &o);
    float off = clampf(s->offset, 0.0f, o.max_offset);
    size_t a = (size_t)(off / (float)o.row_h);
    size_t b = (size_t)ceilf((off + (float)o.viewport.h) / (float)o.row_h);
    if (b > l->count)
        b = l->count;
    if (a > b)
        a = b;
    *first = a;
    *count = b - a;
}

/* Every row moves by the same whole number of pixels (rows never overlap or part by one). */
static SDL_Rect row_rect(const struct list_layout *o, float off, size_t i)
{
    int y = o->viewport.y + (int)i * o->row_h - (int)floorf(off + 0.5f);
    return bm_rect(o->viewport.x, y, o->viewport.w, o->row_h);
}

static void page_numbers(const struct list_layout *o, float off, int *page, int *pages)
{
    *pages = 1 + (int)ceilf(o->max_offset / o->page_h - 0.001f);
    *page = off >= o->max_offset - 0.5f ? *pages : 1 + (int)lroundf(off / o->page_h);
    if (*page > *pages)
        *page = *pages;
}

/* A row's glyph, words and chevron: all inset from the row's edges, nothing spills out. */
static void row_content(struct bm_ui *ui, SDL_Rect row, const struct bm_list_item *it)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int pad = bm_ui_px(ui, t->space[BM_SPACE_L]);
    SDL_Rect in = bm_rect_inset4(row, pad, bm_ui_px(ui, t->space[BM_SPACE_M]), pad,
                                 bm_ui_px(ui, t->space[BM_SPACE_M]));
    SDL_Color ink = it->disabled ? t->text_muted : t->text;
    if (it->glyph) {
        int d = bm_ui_px(ui, t->type[BM_TYPE_SUBTITLE] * 2);
        if (d > in.h)
            d = in.h;
        SDL_Rect disc = bm_rect(in.x, in.y + (in.h - d) / 2, d, d);
        int hue = it->hue >= 0 && it->hue < BM_HUE_COUNT ? (int)it->hue : 0;
        SDL_Color a = it->disabled ? t->text_muted : t->hue[hue][0];
        SDL_Color b = it->disabled ? t->text_muted : t->hue[hue][1];
        bm_ui_fill_rrect_gradient(ui, disc, d / 2, a, b, BM_UI_GRADIENT_DIAGONAL);
        bm_ui_label(ui, disc, it->glyph, (struct bm_ui_font){BM_UI_BOLD, d / 2, t->text_on_dark},
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        bm_rect_take_left(&in, d + pad / 2);
    }
    /* A chevron says "opens": drawn, so it is the same in every font. */
    SDL_Rect chev = bm_rect_take_right(&in, bm_ui_px(ui, 28));
    bm_rect_take_right(&in, bm_ui_px(ui, 12));
    float cx = (float)chev.x + (float)chev.w * 0.35f, cy = (float)(row.y + row.h / 2);
    float u = (float)bm_ui_px(ui, 12), w = (float)bm_ui_px(ui, 4);
    bm_ui_line(ui, cx, cy - u, cx + u, cy, w, t->text_muted);
    bm_ui_line(ui, cx + u, cy, cx, cy + u, w, t->text_muted);

    struct bm_ui_font tf = font_of(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, ink);
    struct bm_ui_font df = font_of(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    if (it->detail) {
        SDL_Rect title = bm_rect_take_top(&in, tf.px * 6 / 5);
        bm_rect_take_top(&in, bm_ui_px(ui, t->space[BM_SPACE_XS]));
        bm_ui_text_block(ui, title, it->title, tf, 1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        bm_ui_text_block(ui, in, it->detail, df, 1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    } else {
        bm_ui_text_block(ui, in, it->title, tf, 1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
}

/* The line under a row (its anti-aliased edge reaches into the next row's first pixels). */
static void row_separator(struct bm_ui *ui, SDL_Rect row, bool last)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int pad = bm_ui_px(ui, t->space[BM_SPACE_L]);
    if (!last)
        bm_ui_fill_rrect(ui, bm_rect(row.x + pad, row.y + row.h - 1, row.w - 2 * pad, 1), 0,
                         t->border);
}

static void draw_row(struct bm_ui *ui, SDL_Rect row, const struct bm_list_item *it, bool pressed,
                     bool last)
{
    if (pressed) /* its edges reach a pixel into the rows around it */
        bm_ui_fill_rrect(ui, row, 0, bm_ui_theme(ui)->primary_soft);
    row_content(ui, row, it);
    row_separator(ui, row, last);
}

static void page_button(struct bm_ui *ui, SDL_Rect r, const char *label, const char *arrow,
                        bool pressed, bool disabled)
{
    char text[96];
    snprintf(text, sizeof text, "%s%s%s", arrow, label ? " " : "", label ? label : "");
    struct bm_button b = {
        .label = text, .kind = BM_BUTTON_SECONDARY, .pressed = pressed, .disabled = disabled};
    bm_button_draw(ui, r, &b);
}

/* ---- The row texture (struct list_ring) ----------------------------------------------- */

void bm_ui_list_ring_free(struct bm_ui *ui)
{
    if (ui->list_ring.tex)
        SDL_DestroyTexture(ui->list_ring.tex);
    memset(&ui->list_ring, 0, sizeof ui->list_ring);
}

/* What the rows look like: every item's fields, the theme and the sizes. */
static uint64_t rows_key(struct bm_ui *ui, const struct list_layout *o, const struct bm_list *l)
{
    const void *theme = bm_ui_theme(ui);
    int sizes[3] = {o->viewport.w, o->row_h, ui->height};
    uint64_t h = bm_ui_hash(0, &theme, sizeof theme);
    h = bm_ui_hash(h, sizes, sizeof sizes);
    h = bm_ui_hash(h, &l->count, sizeof l->count);
    for (size_t i = 0; i < l->count; i++) {
        const struct bm_list_item *it = &l->items[i];
        int flags[2] = {(int)it->hue, it->disabled};
        h = bm_ui_hash_str(h, it->title);
        h = bm_ui_hash_str(h, it->detail);
        h = bm_ui_hash_str(h, it->glyph);
        h = bm_ui_hash(h, flags, sizeof flags);
    }
    return h ? h : 1;
}

/* The ring ready for this list, or NULL (draw straight): the texture made or remade when the
 * sizes changed, every slot emptied when the rows' looks did. */
static struct list_ring *ring_for(struct bm_ui *ui, const struct list_layout *o,
                                  const struct bm_list *l)
{
    struct list_ring *g = &ui->list_ring;
    int slots = o->viewport.h / o->row_h + 2;
    if (ui->audit || slots > LIST_RING_MAX_SLOTS || o->viewport.w <= 0)
        return NULL;
    if (!g->tex || g->w != o->viewport.w || g->row_h != o->row_h || g->slots != slots) {
        bm_ui_list_ring_free(ui);
        g->tex = SDL_CreateTexture(ui->renderer, bm_ui_layer_format(ui), SDL_TEXTUREACCESS_TARGET,
                                   o->viewport.w, slots * o->row_h);
        if (!g->tex)
            return NULL;
        SDL_SetTextureBlendMode(g->tex, SDL_BLENDMODE_NONE);
        g->w = o->viewport.w;
        g->row_h = o->row_h;
        g->slots = slots;
    }
    uint64_t key = rows_key(ui, o, l);
    if (g->key != key) {
        for (int i = 0; i < LIST_RING_MAX_SLOTS; i++)
            g->slot_row[i] = -1;
        g->key = key;
    }
    g->frame = ui->stats.frames;
    return g;
}

/* Draws the content of visible rows that are not in their slots yet into the ring. False if
 * the renderer would not draw into it (the caller then draws straight). */
static bool ring_fill(struct bm_ui *ui, struct list_ring *g, const struct bm_list *l, size_t first,
                      size_t n)
{
    SDL_Texture *target = SDL_GetRenderTarget(ui->renderer);
    bool switched = false;
    for (size_t i = first; i < first + n; i++) {
        int slot = (int)(i % (size_t)g->slots);
        if (g->slot_row[slot] == (int)i)
            continue;
        if (!switched) {
            if (SDL_SetRenderTarget(ui->renderer, g->tex) != 0)
                return false;
            switched = true;
        }
        SDL_Rect box = bm_rect(0, slot * g->row_h, g->w, g->row_h);
        SDL_RenderSetClipRect(ui->renderer, &box);
        SDL_Color bg = bm_ui_theme(ui)->surface; /* the card under the rows */
        SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
        SDL_SetRenderDrawColor(ui->renderer, bg.r, bg.g, bg.b, 255);
        SDL_RenderFillRect(ui->renderer, &box);
        SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
        row_content(ui, box, &l->items[i]);
        ui->stats.list_rows_drawn++;
        g->slot_row[slot] = (int)i;
    }
    if (switched) {
        SDL_RenderSetClipRect(ui->renderer, NULL);
        SDL_SetRenderTarget(ui->renderer, target); /* the output, or a screen's static layer */
    }
    return true;
}

/* Copies the visible rows from their slots into the viewport, except its corner squares of
 * side k (the card's rounded corners, which the card already shows). */
static void ring_copy(struct bm_ui *ui, const struct list_ring *g, const struct list_layout *o,
                      float off, size_t first, size_t n, int k)
{
    SDL_Rect v = o->viewport;
    k = SDL_min(k, SDL_min(v.w, v.h) / 2);
    const SDL_Rect bands[3] = {
        {v.x + k, v.y, v.w - 2 * k, k},
        {v.x, v.y + k, v.w, v.h - 2 * k},
        {v.x + k, v.y + v.h - k, v.w - 2 * k, k},
    };
    for (size_t i = first; i < first + n; i++) {
        SDL_Rect row = row_rect(o, off, i);
        int slot_y = (int)(i % (size_t)g->slots) * g->row_h;
        for (int b = 0; b < 3; b++) {
            SDL_Rect part;
            if (!SDL_IntersectRect(&row, &bands[b], &part))
                continue;
            SDL_Rect src = {part.x - row.x, slot_y + part.y - row.y, part.w, part.h};
            SDL_RenderCopy(ui->renderer, g->tex, &src, &part);
        }
    }
}

void bm_list_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                  const struct bm_list_scroll *s)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct list_layout o;
    layout(ui, r, l, &o);
    float off = clampf(s->offset, 0.0f, o.max_offset);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_shadow(ui, o.card, radius, bm_ui_px(ui, 14), bm_ui_px(ui, 4),
                 bm_color_alpha(t->shadow, 0x18));
    bm_ui_fill_rrect(ui, o.card, radius, t->surface);

    SDL_Rect old_clip;
    SDL_bool had_clip = SDL_RenderIsClipEnabled(ui->renderer);
    SDL_RenderGetClipRect(ui->renderer, &old_clip);
    size_t first, n;
    bm_list_visible(ui, r, l, s, &first, &n);
    struct list_ring *g = ring_for(ui, &o, l);
    if (g && ring_fill(ui, g, l, first, n)) {
        /* Rows' content copied; then, in the order drawing straight would give them, what
         * reaches across rows' edges: separators and the pressed row. */
        SDL_RenderSetClipRect(ui->renderer, had_clip ? &old_clip : NULL);
        ring_copy(ui, g, &o, off, first, n, radius - (o.viewport.x - o.card.x));
        SDL_RenderSetClipRect(ui->renderer, &o.viewport);
        for (size_t i = first; i < first + n; i++) {
            SDL_Rect row = row_rect(&o, off, i);
            if (s->dragging && s->press_row == (int)i)
                draw_row(ui, row, &l->items[i], true, i + 1 == l->count);
            else
                row_separator(ui, row, i + 1 == l->count);
        }
    } else {
        SDL_RenderSetClipRect(ui->renderer, &o.viewport);
        for (size_t i = first; i < first + n; i++) {
            draw_row(ui, row_rect(&o, off, i), &l->items[i], s->dragging && s->press_row == (int)i,
                     i + 1 == l->count);
            ui->stats.list_rows_drawn++;
        }
    }
    SDL_RenderSetClipRect(ui->renderer, had_clip ? &old_clip : NULL);
    bm_ui_stroke_rrect(ui, o.card, radius, bm_ui_px(ui, 2), t->border);

    /* A thin bar at the right edge says where in the list this is, and that there is more. */
    if (o.max_offset > 0.0f) {
        int track = o.viewport.h - 2 * radius;
        int thumb =
            (int)((float)track * (float)o.viewport.h / ((float)o.viewport.h + o.max_offset));
        int y = o.viewport.y + radius + (int)((float)(track - thumb) * off / o.max_offset);
        int w = bm_ui_px(ui, 6);
        bm_ui_fill_rrect(ui,
                         bm_rect(o.viewport.x + o.viewport.w - w - bm_ui_px(ui, 6), y, w, thumb),
                         w / 2, bm_color_alpha(t->text_muted, 0x80));
    }

    int page, pages;
    page_numbers(&o, off, &page, &pages);
    page_button(ui, o.prev, l->prev_label, "▲", l->pressed_page == 0, off <= 0.5f);
    page_button(ui, o.next, l->next_label, "▼", l->pressed_page == 1, off >= o.max_offset - 0.5f);
    char buf[32];
    snprintf(buf, sizeof buf, "%d / %d", page, pages);
    bm_ui_label_tabular(ui, o.page, buf, font_of(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text),
                        BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

size_t bm_list_elements(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                        const struct bm_list_scroll *s, struct bm_ui_element *out, size_t cap)
{
    struct list_layout o;
    layout(ui, r, l, &o);
    float off = clampf(s->offset, 0.0f, o.max_offset);
    const char *name = l->name ? l->name : "list";
    size_t n = 0, first, count;
    bm_list_visible(ui, r, l, s, &first, &count);
    int min = bm_ui_min_target(ui);
    for (size_t i = first; i < first + count; i++) {
        SDL_Rect vis;
        SDL_Rect row = row_rect(&o, off, i);
        if (SDL_IntersectRect(&row, &o.viewport, &vis) && vis.h >= min)
            bm_ui_element_add(out, cap, &n, vis, (int)i, l->items[i].disabled, "%s.row.%zu", name,
                              i);
    }
    bm_ui_element_add(out, cap, &n, o.prev, 0, off <= 0.5f, "%s.prev", name);
    bm_ui_element_add(out, cap, &n, o.next, 1, off >= o.max_offset - 0.5f, "%s.next", name);
    return n;
}

/* ---- Input and motion -------------------------------------------------------------------- */

static int row_at(const struct list_layout *o, const struct bm_list *l, float off, int y)
{
    if (y < o->viewport.y || y >= o->viewport.y + o->viewport.h)
        return -1;
    float pos = (float)(y - o->viewport.y) + off;
    size_t i = (size_t)(pos / (float)o->row_h);
    return i < l->count ? (int)i : -1;
}

void bm_list_touch_down(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                        struct bm_list_scroll *s, int x, int y, uint32_t ms)
{
    struct list_layout o;
    layout(ui, r, l, &o);
    if (!bm_rect_contains(o.viewport, x, y))
        return;
    s->offset = clampf(s->offset, 0.0f, o.max_offset);
    s->dragging = true;
    s->gliding = false;
    s->velocity = 0.0f;
    s->grab_y = s->last_y = (float)y;
    s->grab_offset = s->offset;
    s->moved = 0.0f;
    s->last_ms = ms;
    s->press_row = row_at(&o, l, s->offset, y);
}

void bm_list_touch_move(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                        struct bm_list_scroll *s, int y, uint32_t ms)
{
    if (!s->dragging)
        return;
    struct list_layout o;
    layout(ui, r, l, &o);
    float delta = s->grab_y - (float)y;
    if (fabsf(delta) > s->moved)
        s->moved = fabsf(delta);
    if (s->moved > (float)bm_ui_mm(ui, TAP_SLOP_MM))
        s->press_row = -1; /* a drag, not a tap */
    s->offset = clampf(s->grab_offset + delta, 0.0f, o.max_offset);
    uint32_t dt = ms - s->last_ms;
    if (dt > 0) {
        float v = (s->last_y - (float)y) * 1000.0f / (float)dt;
        s->velocity = 0.7f * v + 0.3f * s->velocity; /* smooths jittery touch samples */
        s->last_y = (float)y;
        s->last_ms = ms;
    }
}

int bm_list_touch_up(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l,
                     struct bm_list_scroll *s, uint32_t ms)
{
    if (!s->dragging)
        return -1;
    s->dragging = false;
    int tapped = s->moved <= (float)bm_ui_mm(ui, TAP_SLOP_MM) ? s->press_row : -1;
    s->press_row = -1;
    if (tapped >= 0 || ms - s->last_ms > HOLD_STILL_MS)
        s->velocity = 0.0f;
    s->last_ms = ms;
    (void)r;
    (void)l;
    return tapped;
}

void bm_list_page(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l, struct bm_list_scroll *s,
                  int dir)
{
    struct list_layout o;
    layout(ui, r, l, &o);
    float from = s->gliding ? s->target : s->offset;
    /* Land on a row boundary, so the top row is never cut. */
    float to = floorf((from + (float)dir * o.page_h) / (float)o.row_h + 0.5f) * (float)o.row_h;
    s->target = clampf(to, 0.0f, o.max_offset);
    s->gliding = s->target != s->offset;
    s->velocity = 0.0f;
}

int bm_list_step(struct bm_ui *ui, SDL_Rect r, const struct bm_list *l, struct bm_list_scroll *s,
                 uint32_t ms)
{
    struct list_layout o;
    layout(ui, r, l, &o);
    float dt = (float)(uint32_t)(ms - s->last_ms);
    s->last_ms = ms;
    if (dt > 100.0f)
        dt = 100.0f; /* after a stall, do not jump */
    if (s->dragging)
        return -1;
    if (s->gliding) {
        float k = 1.0f - expf(-dt / GLIDE_MS);
        s->offset += (s->target - s->offset) * k;
        if (fabsf(s->target - s->offset) < 0.5f) {
            s->offset = s->target;
            s->gliding = false;
            return -1;
        }
        return FRAME_MS;
    }
    if (s->velocity != 0.0f) {
        s->offset += s->velocity * dt / 1000.0f;
        s->velocity *= expf(-dt / FRICTION_MS);
        if (s->offset <= 0.0f || s->offset >= o.max_offset) {
            s->offset = clampf(s->offset, 0.0f, o.max_offset);
            s->velocity = 0.0f;
        }
        if (fabsf(s->velocity) < REST_SPEED)
            s->velocity = 0.0f;
        return s->velocity != 0.0f ? FRAME_MS : -1;
    }
    return -1;
}
