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

static SDL_Rect row_rect(const struct list_layout *o, float off, size_t i)
{
    int y = o->viewport.y + (int)lroundf((float)i * (float)o->row_h - off);
    return bm_rect(o->viewport.x, y, o->viewport.w, o->row_h);
}

static void page_numbers(const struct list_layout *o, float off, int *page, int *pages)
{
    *pages = 1 + (int)ceilf(o->max_offset / o->page_h - 0.001f);
    *page = off >= o->max_offset - 0.5f ? *pages : 1 + (int)lroundf(off / o->page_h);
    if (*page > *pages)
        *page = *pages;
}

static void draw_row(struct bm_ui *ui, SDL_Rect row, const struct bm_list_item *it, bool pressed,
                     bool last)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    if (pressed)
        bm_ui_fill_rrect(ui, row, 0, t->primary_soft);
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
    if (!last)
        bm_ui_fill_rrect(ui, bm_rect(row.x + pad, row.y + row.h - 1, row.w - 2 * pad, 1), 0,
                         t->border);
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
    SDL_RenderSetClipRect(ui->renderer, &o.viewport);
    size_t first, n;
    bm_list_visible(ui, r, l, s, &first, &n);
    for (size_t i = first; i < first + n; i++)
        draw_row(ui, row_rect(&o, off, i), &l->items[i], s->dragging && s->press_row == (int)i,
                 i + 1 == l->count);
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
