/*
 * home.c - the first screen of a resident's session.
 *
 * Design, top to bottom (portrait):
 * - header: emblem, the service point's name and location, the clock (tabular) and the date;
 * - greeting card with the one primary action, the gold "swipe your ID card" button;
 * - three category tiles, each its own hue with a gradient, a badge character, a title and
 *   what it covers;
 * - quick entries, four a row, one icon style throughout: a coloured disc with one character;
 * - a notice strip;
 * - a fixed bottom bar: help (always red, always bottom-left), hotline, elderly mode, voice,
 *   language. It is pinned to the bottom of the window whatever the content above does.
 * Landscape (1920x1080) puts greeting and categories on the left and the quick entries with
 * the notice on the right, between the same header and bar across the whole width.
 * Elderly mode (长辈模式, vm.elderly_on, drawn in the elderly theme) is designed rather than
 * scaled: the categories become three rows with large titles and a chevron, six quick
 * entries three a row whose words wrap rather than shrink, the ID-card button spans the
 * greeting card, fewer words (no location, no hint, no notice), and in portrait the bar takes
 * two rows so no label shrinks.
 * Every rectangle comes from layout(), which both drawing and the element list use, so hit
 * regions are exactly what was drawn. Sizes are theme tokens and design pixels (bm_ui_px);
 * tappable things are never smaller than the theme's minimum target at the configured dpi.
 * Names and catalog texts come from the vm and are shown as given; the screen's own words go
 * through _().
 *
 * Main thread only.
 */
#include "screens/screens_internal.h"

#include "core/i18n.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <string.h>

struct layout {
    bool land, elderly; /* landscape window; elderly mode (fewer, larger items) */
    SDL_Rect screen;
    SDL_Rect header, emblem, name, location, clock, date;
    SDL_Rect greet, greet_title, greet_sub, id_button;
    SDL_Rect tiles[BM_HOME_MAX_CATEGORIES];
    size_t tile_count;
    SDL_Rect section, section_title, section_hint;
    SDL_Rect quick[BM_HOME_MAX_QUICK];
    size_t quick_count;
    int quick_cols;
    SDL_Rect notice;
    struct bm_scr_bar bar; /* frame.c: the bar every resident screen shares */
};

/* At most this many quick entries in elderly mode: fewer, larger, two a row. */
#define ELDERLY_MAX_QUICK 6

/* A theme type size in real pixels. */
static int type_px(struct bm_ui *ui, enum bm_theme_type type)
{
    return bm_ui_px(ui, bm_ui_theme(ui)->type[type]);
}

/* Grows a size in real pixels so a tappable side is at least the minimum target. */
static int at_least_target(struct bm_ui *ui, int px)
{
    int min = bm_ui_min_target(ui);
    return px > min ? px : min;
}

/* Grows a design size so a tappable side is at least the minimum target. */
static int target(struct bm_ui *ui, int design)
{
    return at_least_target(ui, bm_ui_px(ui, design));
}

/* Header: emblem, name and location (standard) or name and date (elderly: fewer words),
 * the clock on the right. */
static void layout_header(struct bm_ui *ui, struct layout *l, SDL_Rect *page, SDL_Rect column)
{
    int pad = bm_ui_px(ui, 40);
    l->header = bm_rect_take_top(page, bm_ui_px(ui, l->land ? 176 : 200));
    /* Full width; the content inside the column, as below. */
    SDL_Rect h = bm_rect_inset4(bm_rect(column.x, 0, column.w, l->header.h), pad, 0, pad, 0);
    int e = bm_ui_px(ui, 112);
    l->emblem = bm_rect(h.x, h.y + (h.h - e) / 2, e, e);
    /* The clock's side is as wide as the clock needs (and the date, in standard mode). */
    struct bm_ui_font clock = {BM_UI_BOLD, type_px(ui, BM_TYPE_DISPLAY), bm_ui_theme(ui)->text};
    int right_w = bm_ui_tabular_width(ui, "00:00", clock) + bm_ui_px(ui, 8);
    if (!l->elderly && right_w < bm_ui_px(ui, 300))
        right_w = bm_ui_px(ui, 300);
    SDL_Rect right = bm_rect_take_right(&h, right_w);
    bm_rect_take_left(&h, l->emblem.w + bm_ui_px(ui, 28));
    bm_rect_take_right(&h, bm_ui_px(ui, 16));
    int title = type_px(ui, BM_TYPE_TITLE) * 4 / 3, caption = type_px(ui, BM_TYPE_CAPTION) * 3 / 2;
    int top = h.y + (h.h - title - caption - bm_ui_px(ui, 8)) / 2;
    l->name = bm_rect(h.x, top, h.w, title);
    SDL_Rect under_name = bm_rect(h.x, top + title + bm_ui_px(ui, 8), h.w, caption);
    if (l->elderly) {
        l->clock = bm_rect(right.x, h.y, right.w, h.h);
        l->date = under_name;
    } else {
        l->location = under_name;
        int clock_h = clock.px * 6 / 5;
        l->clock = bm_rect(right.x, top + (title - clock_h) / 2, right.w, clock_h);
        l->date = bm_rect(right.x, under_name.y, right.w, caption);
    }
}

/* The greeting card: title and a line of help on the left, the gold ID-card button on the
 * right; in elderly mode the title alone above a button across the card. */
static void layout_greeting(struct bm_ui *ui, struct layout *l, SDL_Rect *c)
{
    if (l->elderly) {
        int pad = bm_ui_px(ui, 28), title = type_px(ui, BM_TYPE_TITLE) * 5 / 4;
        int bh = at_least_target(ui, type_px(ui, BM_TYPE_SUBTITLE) * 2), gap = bm_ui_px(ui, 20);
        l->greet = bm_rect_take_top(c, pad + title + gap + bh + pad);
        SDL_Rect g = bm_rect_inset(l->greet, pad);
        l->greet_title = bm_rect_take_top(&g, title);
        bm_rect_take_top(&g, gap);
        l->id_button = g;
        return;
    }
    l->greet = bm_rect_take_top(c, bm_ui_px(ui, l->land ? 200 : 220));
    SDL_Rect g = bm_rect_inset4(l->greet, bm_ui_px(ui, 44), 0, bm_ui_px(ui, 36), 0);
    SDL_Rect btn = bm_rect_take_right(&g, bm_ui_px(ui, 320));
    int bh = target(ui, 124);
    l->id_button = bm_rect(btn.x, btn.y + (btn.h - bh) / 2, btn.w, bh);
    bm_rect_take_right(&g, bm_ui_px(ui, 24));
    l->greet_title = g; /* split vertically when drawn: it depends on the wrapped lines */
    l->greet_sub = g;
}

/* Categories: three tiles side by side; in elderly mode three rows across, title only. */
static void layout_tiles(struct bm_ui *ui, const struct bm_home_vm *vm, struct layout *l,
                         SDL_Rect area)
{
    int gap = bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_M]);
    l->tile_count =
        vm->category_count < BM_HOME_MAX_CATEGORIES ? vm->category_count : BM_HOME_MAX_CATEGORIES;
    int n = (int)l->tile_count;
    for (int i = 0; i < n; i++)
        l->tiles[i] =
            l->elderly ? bm_rect_grid(area, 1, n, gap, 0, i) : bm_rect_grid(area, n, 1, gap, i, 0);
}

/* Quick entries: a grid of cols columns filling area (a row at most max_row_h high). */
static void layout_quick(struct bm_ui *ui, const struct bm_home_vm *vm, struct layout *l,
                         SDL_Rect area, int max_row_h)
{
    int gap = bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_M]);
    size_t max = l->elderly ? ELDERLY_MAX_QUICK : BM_HOME_MAX_QUICK;
    l->quick_cols = l->elderly ? 2 : 4;
    l->quick_count = vm->quick_count < max ? vm->quick_count : max;
    int rows = (int)((l->quick_count + (size_t)l->quick_cols - 1) / (size_t)l->quick_cols);
    if (rows == 0)
        return;
    int grid_h = rows * max_row_h + (rows - 1) * gap;
    if (grid_h > area.h)
        grid_h = area.h;
    SDL_Rect grid = bm_rect(area.x, area.y, area.w, grid_h);
    for (size_t i = 0; i < l->quick_count; i++)
        l->quick[i] = bm_rect_grid(grid, l->quick_cols, rows, gap, (int)i % l->quick_cols,
                                   (int)i / l->quick_cols);
}

/* The section heading over the quick entries (a hint beside it in standard mode). */
static void layout_section(struct bm_ui *ui, struct layout *l, SDL_Rect *c)
{
    l->section = bm_rect_take_top(c, type_px(ui, BM_TYPE_SUBTITLE) * (l->elderly ? 13 : 15) / 10);
    SDL_Rect s = l->section;
    if (!l->elderly)
        l->section_hint = bm_rect_take_right(&s, s.w / 2);
    l->section_title = bm_rect_inset4(s, bm_ui_px(ui, 26), 0, 0, 0);
    bm_rect_take_top(c, bm_ui_px(ui, 20));
}

/* The notice strip (left out in elderly mode: fewer things to read). */
static void layout_notice(struct bm_ui *ui, const struct bm_home_vm *vm, struct layout *l,
                          SDL_Rect *c)
{
    if (l->elderly || !vm->notice || !*vm->notice)
        return;
    l->notice = bm_rect_take_bottom(c, target(ui, l->land ? 104 : 112));
    bm_rect_take_bottom(c, bm_ui_px(ui, 24));
}

static void layout(struct bm_ui *ui, const struct bm_home_vm *vm, struct layout *l)
{
    memset(l, 0, sizeof *l);
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    int pad = bm_ui_px(ui, 40), gap = bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_M]);
    l->land = bm_ui_landscape(ui);
    l->elderly = vm->elderly_on;
    l->screen = bm_rect(0, 0, W, H);
    /* Portrait uses the 1080-wide column; landscape the whole width. */
    SDL_Rect column = l->land ? l->screen : bm_scr_column(ui);
    SDL_Rect page = l->screen;
    layout_header(ui, l, &page, column);
    bm_scr_bar_layout(ui, l->elderly, &page, &l->bar);
    SDL_Rect c = bm_rect_inset4(bm_rect(column.x, page.y, column.w, page.h), pad,
                                bm_ui_px(ui, l->land ? 28 : 32), pad, bm_ui_px(ui, 28));

    if (l->land) {
        /* Wide: greeting and categories on the left, quick entries and notice on the right. */
        /* Elderly mode gives the quick entries more room: their names are large. */
        int share = l->elderly ? 45 : 52;
        SDL_Rect left = bm_rect_take_left(&c, (c.w - bm_ui_px(ui, 40)) * share / 100);
        bm_rect_take_left(&c, bm_ui_px(ui, 40));
        layout_greeting(ui, l, &left);
        bm_rect_take_top(&left, gap);
        layout_tiles(ui, vm, l, left);
        layout_section(ui, l, &c);
        layout_notice(ui, vm, l, &c);
        layout_quick(ui, vm, l, c, c.h);
        return;
    }
    layout_greeting(ui, l, &c);
    bm_rect_take_top(&c, bm_ui_px(ui, 32));
    layout_tiles(ui, vm, l,
                 bm_rect_take_top(&c, bm_ui_px(ui, l->elderly ? 3 * 128 + 2 * 32 : 440)));
    bm_rect_take_top(&c, bm_ui_px(ui, l->elderly ? 28 : 36));
    layout_section(ui, l, &c);
    layout_notice(ui, vm, l, &c);
    layout_quick(ui, vm, l, c, bm_ui_px(ui, l->elderly ? 200 : 172));
}

static void draw_header(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    char buf[160];
    bm_ui_fill_rrect_gradient(ui, l->header, 0, t->primary_dark, t->primary,
                              BM_UI_GRADIENT_DIAGONAL);
    bm_scr_draw_emblem(ui, l->emblem.x + l->emblem.w / 2, l->emblem.y + l->emblem.h / 2,
                       l->emblem.w / 2);
    struct bm_ui_font nf = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text_on_dark);
    bm_ui_label_fit(ui, l->name, vm->kiosk.name ? vm->kiosk.name : "", nf, nf.px * 3 / 4,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    struct bm_ui_font cf = bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_REGULAR, t->text_on_dark_muted);
    if (l->location.w > 0) {
        snprintf(buf, sizeof buf, "%s  ·  %s", vm->kiosk.location ? vm->kiosk.location : "",
                 _("24-hour self-service"));
        bm_ui_label_fit(ui, l->location, buf, cf, cf.px * 3 / 4,
                        BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
    bm_screen_format_date(&vm->now, vm->lang, buf, sizeof buf);
    bm_ui_label_fit(ui, l->date, buf, cf, cf.px * 3 / 4,
                    (l->elderly ? BM_UI_ALIGN_LEFT : BM_UI_ALIGN_RIGHT) | BM_UI_ALIGN_MIDDLE);
}

/* The clock: the one thing on the screen that changes every minute, drawn over the layer. */
static void draw_clock(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *l)
{
    char buf[32];
    bm_screen_format_time(&vm->now, buf, sizeof buf);
    bm_ui_label_tabular(ui, l->clock, buf,
                        bm_scr_font(ui, BM_TYPE_DISPLAY, BM_UI_BOLD, bm_ui_theme(ui)->text_on_dark),
                        BM_UI_ALIGN_RIGHT | BM_UI_ALIGN_MIDDLE);
}

/* A small ID card: a rounded card outline, a photo disc and two text lines. */
static void draw_id_icon(struct bm_ui *ui, SDL_Rect r, SDL_Color c)
{
    int w = r.w, h = w * 5 / 8;
    SDL_Rect card = bm_rect(r.x, r.y + (r.h - h) / 2, w, h);
    int lw = bm_ui_px(ui, 4);
    bm_ui_stroke_rrect(ui, card, bm_ui_px(ui, 7), lw, c);
    int pr = h / 5;
    bm_ui_fill_circle(ui, card.x + w * 3 / 10, card.y + h * 2 / 5, pr, c);
    bm_ui_fill_rrect(ui,
                     bm_rect(card.x + w * 3 / 10 - pr - lw / 2, card.y + h * 2 / 5 + pr + lw,
                             2 * pr + lw, h / 6),
                     lw, c);
    int lx = card.x + w * 11 / 20, lx2 = card.x + w - w / 7;
    bm_ui_fill_rrect(ui, bm_rect(lx, card.y + h * 3 / 10, lx2 - lx, lw), lw / 2, c);
    bm_ui_fill_rrect(ui, bm_rect(lx, card.y + h / 2, lx2 - lx, lw), lw / 2, c);
    bm_ui_fill_rrect(ui, bm_rect(lx, card.y + h * 7 / 10, (lx2 - lx) * 2 / 3, lw), lw / 2, c);
}

/* The gold ID-card button: the screen's one primary action. */
static void draw_id_button(struct bm_ui *ui, SDL_Rect b)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int br = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_shadow(ui, b, br, bm_ui_px(ui, 16), bm_ui_px(ui, 6),
                 bm_color_alpha(t->accent_dark, 0x60));
    bm_ui_fill_rrect_gradient(ui, b, br, t->accent, t->accent_dark, BM_UI_GRADIENT_VERTICAL);
    struct bm_ui_font f = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text_on_accent);
    int icon_w = f.px * 16 / 9, gap = bm_ui_px(ui, 16);
    SDL_Rect in = bm_rect_inset4(b, bm_ui_px(ui, 28), 0, bm_ui_px(ui, 24), 0);
    /* Icon and words centred together: on a wide button they stay one group. */
    int text_w = bm_ui_text_size(ui, _("Swipe ID card"), f).x;
    int group = icon_w + gap + text_w;
    if (group < in.w)
        in = bm_rect(in.x + (in.w - group) / 2, in.y, group, in.h);
    draw_id_icon(ui, bm_rect_take_left(&in, icon_w), t->text_on_accent);
    bm_rect_take_left(&in, gap);
    bm_ui_label_fit(ui, in, _("Swipe ID card"), f, f.px * 2 / 3,
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

static void draw_greeting(struct bm_ui *ui, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_scr_draw_card(ui, l->greet, radius);
    /* A faint wash of the primary colour toward the button side. */
    bm_ui_fill_rrect_gradient(ui, l->greet, radius, bm_color_alpha(t->primary_soft, 0),
                              bm_color_alpha(t->primary_soft, 0xFF), BM_UI_GRADIENT_HORIZONTAL);

    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->primary_dark);
    const char *title = _("Hello, welcome to self-service");
    if (l->elderly) {
        bm_ui_label_fit(ui, l->greet_title, title, tf, tf.px * 3 / 4,
                        BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        draw_id_button(ui, l->id_button);
        return;
    }
    struct bm_ui_font sf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    const char *sub = _("Choose a service below, or swipe your ID card to start quickly");
    struct bm_ui_line_span lines[2];
    size_t n = bm_ui_wrap(ui, sub, sf, l->greet_sub.w, 0, lines, 2, NULL);
    int line_h = sf.px * 3 / 2, gap = bm_ui_px(ui, 20);
    int sub_h = n ? (int)(n - 1) * line_h + sf.px : 0;
    int block = tf.px + gap + sub_h;
    int y = l->greet.y + (l->greet.h - block) / 2;
    bm_ui_label_fit(ui, bm_rect(l->greet_title.x, y, l->greet_title.w, tf.px), title, tf,
                    tf.px * 3 / 4, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    bm_ui_paragraph(ui, bm_rect(l->greet_sub.x, y + tf.px + gap, l->greet_sub.w, sub_h), sub, sf,
                    line_h, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    draw_id_button(ui, l->id_button);
}

/* A tile's coloured ground: a gradient in its hue, a soft shadow and a light disc. */
static void draw_tile_ground(struct bm_ui *ui, SDL_Rect r, enum bm_theme_hue hue_index)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int hue = hue_index >= 0 && hue_index < BM_HUE_COUNT ? (int)hue_index : 0;
    SDL_Color light = t->hue[hue][0], dark = t->hue[hue][1];
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 22), bm_ui_px(ui, 10), bm_color_alpha(dark, 0x50));
    bm_ui_fill_rrect_gradient(ui, r, radius, light, dark, BM_UI_GRADIENT_DIAGONAL);
    bm_ui_fill_circle_in_rrect(ui, r.x + r.w - bm_ui_px(ui, 30), r.y + bm_ui_px(ui, 40),
                               bm_ui_px(ui, 150), r, radius, bm_color_alpha(t->text_on_dark, 0x22));
}

/* The badge: one character on a lighter square. */
static void draw_badge(struct bm_ui *ui, SDL_Rect badge, const char *glyph, int px)
{
    SDL_Color white = bm_ui_theme(ui)->text_on_dark;
    bm_ui_fill_rrect(ui, badge, badge.w * 11 / 50, bm_color_alpha(white, 0x38));
    bm_ui_label(ui, badge, glyph ? glyph : "", (struct bm_ui_font){BM_UI_BOLD, px, white},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

/* The lines a tile's subtitle takes (at most three). */
static size_t subtitle_lines(struct bm_ui *ui, SDL_Rect r, const struct bm_home_category *cat)
{
    if (!cat->subtitle)
        return 0;
    struct bm_ui_font sf = bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_REGULAR, bm_ui_theme(ui)->text);
    struct bm_ui_line_span lines[3];
    return bm_ui_wrap(ui, cat->subtitle, sf, r.w - 2 * bm_ui_px(ui, 32), BM_UI_WRAP_WORDS, lines, 3,
                      NULL);
}

/* A category tile; sub_lines is the most any tile's subtitle takes, so titles line up. */
static void draw_tile(struct bm_ui *ui, SDL_Rect r, const struct bm_home_category *cat,
                      int title_px, size_t sub_lines)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Color white = t->text_on_dark;
    draw_tile_ground(ui, r, cat->hue);
    int pad = bm_ui_px(ui, 32), hp = type_px(ui, BM_TYPE_HEADLINE);
    draw_badge(ui, bm_rect(r.x + pad, r.y + pad, hp * 9 / 5, hp * 9 / 5), cat->glyph, hp);

    struct bm_ui_font sf =
        bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_REGULAR, bm_color_alpha(white, 0xF0));
    int line_h = sf.px * 3 / 2;
    SDL_Rect in = bm_rect_inset4(r, pad, 0, pad, bm_ui_px(ui, 30));
    /* The subtitle's lines at the bottom, the title right above them. */
    size_t n = subtitle_lines(ui, r, cat);
    SDL_Rect sub = bm_rect_take_bottom(&in, (int)sub_lines * line_h);
    bm_rect_take_bottom(&in, bm_ui_px(ui, 12));
    SDL_Rect title = bm_rect_take_bottom(&in, hp * 5 / 4);
    bm_ui_label_fit(ui, title, cat->title ? cat->title : "",
                    (struct bm_ui_font){BM_UI_BOLD, title_px, white}, hp / 2,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    if (n)
        bm_ui_paragraph(ui, sub, cat->subtitle, sf, line_h,
                        BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP | BM_UI_WRAP_WORDS);
}

/* A chevron pointing right: "this row opens something". */
static void draw_chevron(struct bm_ui *ui, int cx, int cy, int size, SDL_Color c)
{
    float w = (float)bm_ui_px(ui, 6), s = (float)size / 2.0f;
    float x = (float)cx - s / 2.0f, y = (float)cy;
    bm_ui_line(ui, x, y - s, x + s, y, w, c);
    bm_ui_line(ui, x + s, y, x, y + s, w, c);
}

/* Elderly mode: a category is a row across the screen, badge, title and chevron. */
static void draw_tile_row(struct bm_ui *ui, SDL_Rect r, const struct bm_home_category *cat,
                          int title_px)
{
    SDL_Color white = bm_ui_theme(ui)->text_on_dark;
    draw_tile_ground(ui, r, cat->hue);
    int pad = r.h / 7, side = r.h - 2 * pad;
    SDL_Rect in = bm_rect_inset4(r, bm_ui_px(ui, 24), pad, bm_ui_px(ui, 40), pad);
    draw_badge(ui, bm_rect_take_left(&in, side), cat->glyph, side * 5 / 8);
    bm_rect_take_left(&in, bm_ui_px(ui, 32));
    SDL_Rect chevron = bm_rect_take_right(&in, side / 2);
    draw_chevron(ui, chevron.x + chevron.w / 2, chevron.y + chevron.h / 2, side / 3, white);
    /* The title may use the row's whole height: it is the row's one word. */
    bm_ui_label_fit(ui, bm_rect(in.x, r.y, in.w, r.h), cat->title ? cat->title : "",
                    (struct bm_ui_font){BM_UI_BOLD, title_px, white}, title_px / 2,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

/* The disc with one character, the icon style of every quick entry. */
static void draw_quick_icon(struct bm_ui *ui, SDL_Rect disc, const struct bm_home_quick *q,
                            int glyph_px)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int hue = q->hue >= 0 && q->hue < BM_HUE_COUNT ? (int)q->hue : 0;
    /* An unavailable service stays tappable (its screen explains and offers another way). */
    SDL_Color from = q->unavailable ? t->text_muted : t->hue[hue][0];
    SDL_Color to = q->unavailable ? t->text_muted : t->hue[hue][1];
    bm_ui_fill_rrect_gradient(ui, disc, disc.w / 2, from, to, BM_UI_GRADIENT_DIAGONAL);
    bm_ui_label(ui, disc, q->glyph ? q->glyph : "",
                (struct bm_ui_font){BM_UI_BOLD, glyph_px, t->text_on_dark},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

/* A quick entry: the disc above its name; in elderly mode the disc left of a large name
 * that takes two lines rather than shrink. */
static void draw_quick(struct bm_ui *ui, const struct layout *l, SDL_Rect r,
                       const struct bm_home_quick *q, int label_px)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 14), bm_ui_px(ui, 4), bm_color_alpha(t->shadow, 0x18));
    bm_ui_fill_rrect(ui, r, radius, t->surface);
    int glyph = type_px(ui, BM_TYPE_SUBTITLE), ir = glyph * 10 / 9, gap = bm_ui_px(ui, 12);
    struct bm_ui_font f = {BM_UI_REGULAR, label_px, q->unavailable ? t->text_muted : t->text};
    const char *label = q->label ? q->label : "";
    if (l->elderly) {
        SDL_Rect in = bm_rect_inset4(r, bm_ui_px(ui, 24), 0, bm_ui_px(ui, 16), 0);
        SDL_Rect icon = bm_rect_take_left(&in, 2 * ir);
        draw_quick_icon(ui, bm_rect(icon.x, r.y + (r.h - 2 * ir) / 2, 2 * ir, 2 * ir), q, glyph);
        bm_rect_take_left(&in, bm_ui_px(ui, 20));
        /* One size for every name: a long one wraps to a second line instead of shrinking. */
        SDL_Rect box = bm_rect_inset4(in, 0, gap, 0, gap);
        if (bm_ui_text_size(ui, label, f).x <= box.w)
            bm_ui_label(ui, box, label, f, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        else
            bm_ui_paragraph(ui, box, label, f, label_px * 6 / 5,
                            BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE | BM_UI_WRAP_WORDS);
    } else {
        int line_h = label_px * 6 / 5, block = 2 * ir + gap + line_h;
        int cx = r.x + r.w / 2, top = r.y + (r.h - block) / 2;
        draw_quick_icon(ui, bm_rect(cx - ir, top, 2 * ir, 2 * ir), q, glyph);
        SDL_Rect lr =
            bm_rect(r.x + bm_ui_px(ui, 10), top + 2 * ir + gap, r.w - 2 * bm_ui_px(ui, 10), line_h);
        bm_ui_label_fit(ui, lr, label, f, label_px * 2 / 3,
                        BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
    if (q->unavailable) {
        struct bm_ui_font pf = {BM_UI_REGULAR, type_px(ui, BM_TYPE_CAPTION) * 4 / 5,
                                t->text_on_dark};
        SDL_Point ps = bm_ui_text_size(ui, _("Paused"), pf);
        SDL_Rect pill = bm_rect(r.x + r.w - ps.x - bm_ui_px(ui, 28), r.y + bm_ui_px(ui, 10),
                                ps.x + bm_ui_px(ui, 18), pf.px * 8 / 5);
        bm_ui_fill_rrect(ui, pill, pill.h / 2, t->text_muted);
        bm_ui_label(ui, pill, _("Paused"), pf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
}

static void draw_notice(struct bm_ui *ui, const struct layout *l, const char *notice)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_fill_rrect(ui, l->notice, radius, t->notice_bg);
    bm_ui_stroke_rrect(ui, l->notice, radius, bm_ui_px(ui, 2), t->notice_border);
    SDL_Rect in = bm_rect_inset4(l->notice, bm_ui_px(ui, 24), 0, bm_ui_px(ui, 28), 0);
    struct bm_ui_font bf = bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_BOLD, t->text_on_dark);
    SDL_Point bs = bm_ui_text_size(ui, _("Notice"), bf);
    int bh = bf.px * 24 / 13;
    SDL_Rect badge = bm_rect(in.x, in.y + (in.h - bh) / 2, bs.x + bm_ui_px(ui, 32), bh);
    bm_ui_fill_rrect(ui, badge, bm_ui_px(ui, 12), t->notice_badge);
    bm_ui_label(ui, badge, _("Notice"), bf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_left(&in, badge.w + bm_ui_px(ui, 20));
    struct bm_ui_font nf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->notice_text);
    bm_ui_paragraph(ui, in, notice, nf, nf.px * 10 / 7, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

/* Everything the static layer shows: the vm but for the time of day (the date stays in). */
static uint64_t layer_key(const struct bm_home_vm *vm)
{
    char date[96];
    bm_screen_format_date(&vm->now, vm->lang, date, sizeof date);
    uint64_t h = bm_ui_hash_str(0, date);
    h = bm_ui_hash_str(h, vm->kiosk.name);
    h = bm_ui_hash_str(h, vm->kiosk.location);
    h = bm_ui_hash_str(h, vm->kiosk.hotline);
    int flags[5] = {(int)vm->lang, vm->elderly_on, vm->voice_on, (int)vm->category_count,
                    (int)vm->quick_count};
    h = bm_ui_hash(h, flags, sizeof flags);
    for (size_t i = 0; i < vm->category_count && i < BM_HOME_MAX_CATEGORIES; i++) {
        const struct bm_home_category *c = &vm->categories[i];
        h = bm_ui_hash_str(h, c->title);
        h = bm_ui_hash_str(h, c->subtitle);
        h = bm_ui_hash_str(h, c->glyph);
        h = bm_ui_hash(h, &c->hue, sizeof c->hue);
    }
    for (size_t i = 0; i < vm->quick_count && i < BM_HOME_MAX_QUICK; i++) {
        const struct bm_home_quick *q = &vm->quick[i];
        h = bm_ui_hash_str(h, q->label);
        h = bm_ui_hash_str(h, q->glyph);
        int state[2] = {(int)q->hue, q->unavailable};
        h = bm_ui_hash(h, state, sizeof state);
    }
    return bm_ui_hash_str(h, vm->notice);
}

/* Press feedback: the element under the finger darkens, drawn over the layer. */
static void draw_pressed(struct bm_ui *ui, const struct bm_home_vm *vm)
{
    if (!vm->pressed)
        return;
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_home_elements(ui, vm, list, BM_SCREEN_MAX_ELEMENTS);
    const struct bm_screen_element *e = bm_screen_find(list, n, vm->pressed);
    if (!e)
        return;
    const struct bm_theme *t = bm_ui_theme(ui);
    bool tile = e->intent.kind == BM_INTENT_CATEGORY;
    int radius = bm_ui_px(ui, t->radius[tile ? BM_RADIUS_L : BM_RADIUS_M]);
    bm_ui_fill_rrect(ui, e->rect, radius, bm_color_alpha(t->shadow, 0x38));
}

static void draw_static(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *l);

void bm_home_draw(struct bm_ui *ui, const struct bm_home_vm *vm)
{
    struct layout l;
    layout(ui, vm, &l);
    /* Redraws are the clock's minute and press feedback: the rest is one copy. */
    if (bm_ui_layer_begin(ui, "home", layer_key(vm))) {
        draw_static(ui, vm, &l);
        bm_ui_layer_end(ui);
    }
    draw_clock(ui, vm, &l);
    draw_pressed(ui, vm);
}

static void draw_section(struct bm_ui *ui, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Rect s = l->section;
    int mark_h = s.h * 10 / 13;
    bm_ui_fill_rrect(ui, bm_rect(s.x, s.y + (s.h - mark_h) / 2, bm_ui_px(ui, 8), mark_h),
                     bm_ui_px(ui, 4), t->primary);
    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text);
    bm_ui_label_fit(ui, l->section_title, _("Quick services"), tf, tf.px * 3 / 4,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    if (l->section_hint.w > 0) {
        struct bm_ui_font hf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
        bm_ui_label_fit(ui, l->section_hint, _("Most used, one touch away"), hf, hf.px * 3 / 4,
                        BM_UI_ALIGN_RIGHT | BM_UI_ALIGN_MIDDLE);
    }
}

static void draw_static(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *lp)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    const struct layout l = *lp;

    draw_header(ui, vm, &l);
    draw_greeting(ui, &l);
    /* One title size for all tiles and one label size for all quick entries: the largest
     * at which every item fits, so a row never looks uneven. */
    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_HEADLINE, BM_UI_BOLD, t->text_on_dark);
    int title_px = tf.px;
    for (size_t i = 0; i < l.tile_count && !l.elderly; i++) {
        int w = l.tiles[i].w - 2 * bm_ui_px(ui, 32);
        int px = bm_ui_fit_px(ui, vm->categories[i].title, tf, w, tf.px / 2);
        title_px = px < title_px ? px : title_px;
    }
    size_t sub_lines = 0;
    for (size_t i = 0; i < l.tile_count && !l.elderly; i++) {
        size_t n = subtitle_lines(ui, l.tiles[i], &vm->categories[i]);
        sub_lines = n > sub_lines ? n : sub_lines;
    }
    for (size_t i = 0; i < l.tile_count; i++) {
        if (l.elderly)
            draw_tile_row(ui, l.tiles[i], &vm->categories[i], title_px);
        else
            draw_tile(ui, l.tiles[i], &vm->categories[i], title_px, sub_lines);
    }
    struct bm_ui_font qf = bm_scr_font(ui, BM_TYPE_LABEL, BM_UI_REGULAR, t->text);
    int label_px = qf.px;
    for (size_t i = 0; i < l.quick_count && !l.elderly; i++) {
        int w = l.quick[i].w - 2 * bm_ui_px(ui, 10);
        int px = bm_ui_fit_px(ui, vm->quick[i].label, qf, w, qf.px * 2 / 3);
        label_px = px < label_px ? px : label_px;
    }
    if (l.quick_count > 0)
        draw_section(ui, &l);
    for (size_t i = 0; i < l.quick_count; i++)
        draw_quick(ui, &l, l.quick[i], &vm->quick[i], label_px);
    if (l.notice.h > 0)
        draw_notice(ui, &l, vm->notice);
    struct bm_scr_bar_vm bar = {vm->kiosk.hotline, vm->lang, vm->elderly_on, vm->voice_on};
    bm_scr_bar_draw(ui, &bar, &l.bar);
}

size_t bm_home_elements(struct bm_ui *ui, const struct bm_home_vm *vm,
                        struct bm_screen_element *out, size_t cap)
{
    struct layout l;
    layout(ui, vm, &l);
    size_t n = 0;
    bm_scr_add(out, cap, &n, l.id_button, BM_INTENT_ID_CARD, 0, "home.id_card");
    for (size_t i = 0; i < l.tile_count; i++) {
        const char *id = vm->categories[i].id;
        if (id)
            bm_scr_add(out, cap, &n, l.tiles[i], BM_INTENT_CATEGORY, (int)i, "home.category.%s",
                       id);
        else
            bm_scr_add(out, cap, &n, l.tiles[i], BM_INTENT_CATEGORY, (int)i, "home.category.%zu",
                       i);
    }
    for (size_t i = 0; i < l.quick_count; i++) {
        const char *id = vm->quick[i].id;
        if (id)
            bm_scr_add(out, cap, &n, l.quick[i], BM_INTENT_QUICK, (int)i, "home.quick.%s", id);
        else
            bm_scr_add(out, cap, &n, l.quick[i], BM_INTENT_QUICK, (int)i, "home.quick.%zu", i);
    }
    if (l.notice.h > 0)
        bm_scr_add(out, cap, &n, l.notice, BM_INTENT_NOTICE, 0, "home.notice");
    bm_scr_bar_elements(&l.bar, "home", out, cap, &n);
    return n;
}

struct bm_intent bm_home_hit(struct bm_ui *ui, const struct bm_home_vm *vm, int x, int y,
                             const char **name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_home_elements(ui, vm, list, BM_SCREEN_MAX_ELEMENTS);
    return bm_screen_hit(list, n, x, y, name);
}
