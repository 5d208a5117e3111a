/*
 * home.c - the first screen of a resident's session.
 *
 * Design, top to bottom:
 * - header: emblem, the service point's name and location, the clock (tabular) and the date;
 * - greeting card with the one primary action, the gold "swipe your ID card" button;
 * - three category tiles, each its own hue with a gradient, a badge character, a title and
 *   what it covers;
 * - quick entries, four a row, one icon style throughout: a coloured disc with one character;
 * - a notice strip;
 * - a fixed bottom bar: help (always red, always bottom-left), hotline, elderly mode,
 *   language. It is pinned to the bottom of the window whatever the content above does.
 * Every rectangle comes from layout(), which both drawing and the element list use, so hit
 * regions are exactly what was drawn. Sizes are design pixels on a 1080-wide column (bm_ui_px);
 * tappable things are never smaller than the theme's minimum target at the configured dpi.
 * Names and catalog texts come from the vm and are shown as given; the screen's own words go
 * through _().
 *
 * Main thread only.
 */
#include "screens/screens_internal.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

struct layout {
    SDL_Rect screen, column;
    SDL_Rect header, emblem, name, location, clock, date;
    SDL_Rect greet, greet_title, greet_sub, id_button;
    SDL_Rect tiles[BM_HOME_MAX_CATEGORIES];
    size_t tile_count;
    SDL_Rect section, section_title, section_hint;
    SDL_Rect quick[BM_HOME_MAX_QUICK];
    size_t quick_count;
    SDL_Rect notice;
    SDL_Rect bar, help, hotline, elderly, language;
};

/* Grows a design size so a tappable side is at least the minimum target. */
static int target(struct bm_ui *ui, int design)
{
    int px = bm_ui_px(ui, design), min = bm_ui_min_target(ui);
    return px > min ? px : min;
}

static void layout(struct bm_ui *ui, const struct bm_home_vm *vm, struct layout *l)
{
    memset(l, 0, sizeof *l);
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    int pad = bm_ui_px(ui, 40), gap = bm_ui_px(ui, 24);
    l->screen = bm_rect(0, 0, W, H);
    l->column = bm_scr_column(ui);
    SDL_Rect page = l->screen;

    /* Header: full width, content inside the column. */
    l->header = bm_rect_take_top(&page, bm_ui_px(ui, 200));
    SDL_Rect h = bm_rect_inset4(bm_rect(l->column.x, 0, l->column.w, l->header.h), pad, 0, pad, 0);
    l->emblem =
        bm_rect(h.x, h.y + (h.h - bm_ui_px(ui, 112)) / 2, bm_ui_px(ui, 112), bm_ui_px(ui, 112));
    SDL_Rect right = bm_rect_take_right(&h, bm_ui_px(ui, 300));
    bm_rect_take_left(&h, l->emblem.w + bm_ui_px(ui, 28));
    bm_rect_take_right(&h, bm_ui_px(ui, 16));
    l->name = bm_rect(h.x, bm_ui_px(ui, 46), h.w, bm_ui_px(ui, 60));
    l->location = bm_rect(h.x, bm_ui_px(ui, 118), h.w, bm_ui_px(ui, 40));
    l->clock = bm_rect(right.x, bm_ui_px(ui, 40), right.w, bm_ui_px(ui, 80));
    l->date = bm_rect(right.x, bm_ui_px(ui, 118), right.w, bm_ui_px(ui, 40));

    /* Bottom bar: pinned to the window's bottom edge. */
    l->bar = bm_rect_take_bottom(&page, bm_ui_px(ui, 168));
    SDL_Rect bar = bm_rect_inset4(bm_rect(l->column.x, l->bar.y, l->column.w, l->bar.h), pad,
                                  bm_ui_px(ui, 28), pad, bm_ui_px(ui, 28));
    bar.h = target(ui, bar.h);
    l->help = bm_rect_grid(bar, 4, 1, gap, 0, 0);
    l->hotline = bm_rect_grid(bar, 4, 1, gap, 1, 0);
    l->elderly = bm_rect_grid(bar, 4, 1, gap, 2, 0);
    l->language = bm_rect_grid(bar, 4, 1, gap, 3, 0);

    /* The content between header and bar, in the column. */
    SDL_Rect c = bm_rect_inset4(bm_rect(l->column.x, page.y, l->column.w, page.h), pad,
                                bm_ui_px(ui, 32), pad, bm_ui_px(ui, 28));
    l->greet = bm_rect_take_top(&c, bm_ui_px(ui, 220));
    SDL_Rect g = bm_rect_inset4(l->greet, bm_ui_px(ui, 44), 0, bm_ui_px(ui, 36), 0);
    SDL_Rect btn = bm_rect_take_right(&g, bm_ui_px(ui, 320));
    l->id_button = bm_rect(btn.x, btn.y + (btn.h - target(ui, 124)) / 2, btn.w, target(ui, 124));
    bm_rect_take_right(&g, bm_ui_px(ui, 24));
    l->greet_title = g; /* split vertically when drawn: it depends on the wrapped lines */
    l->greet_sub = g;
    bm_rect_take_top(&c, bm_ui_px(ui, 32));

    l->tile_count =
        vm->category_count < BM_HOME_MAX_CATEGORIES ? vm->category_count : BM_HOME_MAX_CATEGORIES;
    SDL_Rect tiles = bm_rect_take_top(&c, bm_ui_px(ui, 440));
    for (size_t i = 0; i < l->tile_count; i++)
        l->tiles[i] = bm_rect_grid(tiles, (int)l->tile_count, 1, gap, (int)i, 0);
    bm_rect_take_top(&c, bm_ui_px(ui, 36));

    l->section = bm_rect_take_top(&c, bm_ui_px(ui, 52));
    SDL_Rect s = l->section;
    l->section_hint = bm_rect_take_right(&s, s.w / 2);
    l->section_title = bm_rect_inset4(s, bm_ui_px(ui, 26), 0, 0, 0);
    bm_rect_take_top(&c, bm_ui_px(ui, 20));

    /* Notice at the bottom of the content; quick entries fill what is left above it. */
    if (vm->notice && *vm->notice) {
        l->notice = bm_rect_take_bottom(&c, target(ui, 112));
        bm_rect_take_bottom(&c, bm_ui_px(ui, 28));
    }
    l->quick_count = vm->quick_count < BM_HOME_MAX_QUICK ? vm->quick_count : BM_HOME_MAX_QUICK;
    int rows = (int)((l->quick_count + 3) / 4);
    if (rows > 0) {
        int row_h = bm_ui_px(ui, 172);
        int grid_h = rows * row_h + (rows - 1) * gap;
        if (grid_h > c.h)
            grid_h = c.h;
        SDL_Rect grid = bm_rect(c.x, c.y, c.w, grid_h);
        for (size_t i = 0; i < l->quick_count; i++)
            l->quick[i] = bm_rect_grid(grid, 4, rows, gap, (int)(i % 4), (int)(i / 4));
    }
}

static void draw_header(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    char buf[160];
    bm_ui_fill_rrect_gradient(ui, l->header, 0, t->primary_dark, t->primary,
                              BM_UI_GRADIENT_DIAGONAL);
    bm_scr_draw_emblem(ui, l->emblem.x + l->emblem.w / 2, l->emblem.y + l->emblem.h / 2,
                       l->emblem.w / 2);
    bm_ui_label_fit(ui, l->name, vm->kiosk.name ? vm->kiosk.name : "",
                    bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text_on_dark), bm_ui_px(ui, 30),
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    snprintf(buf, sizeof buf, "%s  ·  %s", vm->kiosk.location ? vm->kiosk.location : "",
             _("24-hour self-service"));
    bm_ui_label_fit(ui, l->location, buf,
                    bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_REGULAR, t->text_on_dark_muted),
                    bm_ui_px(ui, 20), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_screen_format_date(&vm->now, vm->lang, buf, sizeof buf);
    bm_ui_label_fit(ui, l->date, buf,
                    bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_REGULAR, t->text_on_dark_muted),
                    bm_ui_px(ui, 20), BM_UI_ALIGN_RIGHT | BM_UI_ALIGN_MIDDLE);
}

/* The clock: the one thing on the screen that changes every minute, drawn over the layer. */
static void draw_clock(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *l)
{
    char buf[32];
    bm_screen_format_time(&vm->now, buf, sizeof buf);
    struct bm_ui_font clock = {BM_UI_BOLD, bm_ui_px(ui, 76), bm_ui_theme(ui)->text_on_dark};
    bm_ui_label_tabular(ui, l->clock, buf, clock, BM_UI_ALIGN_RIGHT | BM_UI_ALIGN_MIDDLE);
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

static void draw_greeting(struct bm_ui *ui, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_scr_draw_card(ui, l->greet, radius);
    /* A faint wash of the primary colour toward the button side. */
    SDL_Rect wash = bm_rect_inset(l->greet, 0);
    bm_ui_fill_rrect_gradient(ui, wash, radius, bm_color_alpha(t->primary_soft, 0),
                              bm_color_alpha(t->primary_soft, 0xFF), BM_UI_GRADIENT_HORIZONTAL);

    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->primary_dark);
    struct bm_ui_font sf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    const char *title = _("Hello, welcome to self-service");
    const char *sub = _("Choose a service below, or swipe your ID card to start quickly");
    struct bm_ui_line_span lines[2];
    size_t n = bm_ui_wrap(ui, sub, sf, l->greet_sub.w, 0, lines, 2, NULL);
    int line_h = sf.px * 3 / 2, gap = bm_ui_px(ui, 20);
    int sub_h = n ? (int)(n - 1) * line_h + sf.px : 0;
    int block = tf.px + gap + sub_h;
    int y = l->greet.y + (l->greet.h - block) / 2;
    bm_ui_label_fit(ui, bm_rect(l->greet_title.x, y, l->greet_title.w, tf.px), title, tf,
                    bm_ui_px(ui, 32), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    bm_ui_paragraph(ui, bm_rect(l->greet_sub.x, y + tf.px + gap, l->greet_sub.w, sub_h), sub, sf,
                    line_h, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);

    SDL_Rect b = l->id_button;
    int br = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_shadow(ui, b, br, bm_ui_px(ui, 16), bm_ui_px(ui, 6),
                 bm_color_alpha(t->accent_dark, 0x60));
    bm_ui_fill_rrect_gradient(ui, b, br, t->accent, t->accent_dark, BM_UI_GRADIENT_VERTICAL);
    SDL_Rect in = bm_rect_inset4(b, bm_ui_px(ui, 28), 0, bm_ui_px(ui, 24), 0);
    draw_id_icon(ui, bm_rect_take_left(&in, bm_ui_px(ui, 64)), t->text_on_accent);
    bm_rect_take_left(&in, bm_ui_px(ui, 16));
    bm_ui_label_fit(ui, in, _("Swipe ID card"),
                    bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text_on_accent),
                    bm_ui_px(ui, 24), BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

static void draw_tile(struct bm_ui *ui, SDL_Rect r, const struct bm_home_category *cat,
                      int title_px)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int hue = cat->hue >= 0 && cat->hue < BM_HUE_COUNT ? (int)cat->hue : 0;
    SDL_Color light = t->hue[hue][0], dark = t->hue[hue][1];
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 22), bm_ui_px(ui, 10), bm_color_alpha(dark, 0x50));
    bm_ui_fill_rrect_gradient(ui, r, radius, light, dark, BM_UI_GRADIENT_DIAGONAL);
    SDL_Color white = t->text_on_dark;
    bm_ui_fill_circle_in_rrect(ui, r.x + r.w - bm_ui_px(ui, 30), r.y + bm_ui_px(ui, 40),
                               bm_ui_px(ui, 150), r, radius, bm_color_alpha(white, 0x22));

    int pad = bm_ui_px(ui, 32);
    SDL_Rect badge = bm_rect(r.x + pad, r.y + pad, bm_ui_px(ui, 100), bm_ui_px(ui, 100));
    bm_ui_fill_rrect(ui, badge, bm_ui_px(ui, 22), bm_color_alpha(white, 0x38));
    bm_ui_label(ui, badge, cat->glyph ? cat->glyph : "",
                (struct bm_ui_font){BM_UI_BOLD, bm_ui_px(ui, 54), white},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    SDL_Rect in = bm_rect_inset4(r, pad, 0, pad, bm_ui_px(ui, 30));
    SDL_Rect sub = bm_rect_take_bottom(&in, bm_ui_px(ui, 26 + 2 * 38));
    bm_rect_take_bottom(&in, bm_ui_px(ui, 22));
    SDL_Rect title = bm_rect_take_bottom(&in, bm_ui_px(ui, 60));
    bm_ui_label_fit(ui, title, cat->title ? cat->title : "",
                    (struct bm_ui_font){BM_UI_BOLD, title_px, white}, bm_ui_px(ui, 30),
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    if (cat->subtitle)
        bm_ui_paragraph(
            ui, sub, cat->subtitle,
            (struct bm_ui_font){BM_UI_REGULAR, bm_ui_px(ui, 26), bm_color_alpha(white, 0xF0)},
            bm_ui_px(ui, 38), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_BOTTOM | BM_UI_WRAP_WORDS);
}

static void draw_quick(struct bm_ui *ui, SDL_Rect r, const struct bm_home_quick *q, int label_px)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int hue = q->hue >= 0 && q->hue < BM_HUE_COUNT ? (int)q->hue : 0;
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 14), bm_ui_px(ui, 4), bm_color_alpha(t->shadow, 0x18));
    bm_ui_fill_rrect(ui, r, radius, t->surface);
    int ir = bm_ui_px(ui, 40);
    int cx = r.x + r.w / 2, cy = r.y + bm_ui_px(ui, 24) + ir;
    /* An unavailable service stays tappable (its screen explains and offers another way). */
    SDL_Color from = q->unavailable ? t->text_muted : t->hue[hue][0];
    SDL_Color to = q->unavailable ? t->text_muted : t->hue[hue][1];
    bm_ui_fill_rrect_gradient(ui, bm_rect(cx - ir, cy - ir, 2 * ir, 2 * ir), ir, from, to,
                              BM_UI_GRADIENT_DIAGONAL);
    bm_ui_label(ui, bm_rect(cx - ir, cy - ir, 2 * ir, 2 * ir), q->glyph ? q->glyph : "",
                (struct bm_ui_font){BM_UI_BOLD, bm_ui_px(ui, 38), t->text_on_dark},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    SDL_Rect label = bm_rect_inset4(r, bm_ui_px(ui, 10), cy + ir - r.y + bm_ui_px(ui, 12),
                                    bm_ui_px(ui, 10), bm_ui_px(ui, 12));
    struct bm_ui_font f = {BM_UI_REGULAR, label_px, q->unavailable ? t->text_muted : t->text};
    bm_ui_label_fit(ui, label, q->label ? q->label : "", f, bm_ui_px(ui, 20),
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    if (q->unavailable) {
        struct bm_ui_font pf = {BM_UI_REGULAR, bm_ui_px(ui, 20), t->text_on_dark};
        SDL_Point ps = bm_ui_text_size(ui, _("Paused"), pf);
        SDL_Rect pill = bm_rect(r.x + r.w - ps.x - bm_ui_px(ui, 28), r.y + bm_ui_px(ui, 10),
                                ps.x + bm_ui_px(ui, 18), bm_ui_px(ui, 32));
        bm_ui_fill_rrect(ui, pill, bm_ui_px(ui, 16), t->text_muted);
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
    SDL_Rect badge = bm_rect(in.x, in.y + (in.h - bm_ui_px(ui, 48)) / 2, bs.x + bm_ui_px(ui, 32),
                             bm_ui_px(ui, 48));
    bm_ui_fill_rrect(ui, badge, bm_ui_px(ui, 12), t->notice_badge);
    bm_ui_label(ui, badge, _("Notice"), bf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_left(&in, badge.w + bm_ui_px(ui, 20));
    bm_ui_paragraph(ui, in, notice, bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->notice_text),
                    bm_ui_px(ui, 40), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

static void bar_button(struct bm_ui *ui, SDL_Rect r, SDL_Color bg, SDL_Color fg, const char *text)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_rrect(ui, r, bm_ui_px(ui, t->radius[BM_RADIUS_M]), bg);
    bm_ui_label_fit(ui, bm_rect_inset4(r, bm_ui_px(ui, 12), 0, bm_ui_px(ui, 12), 0), text,
                    bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, fg), bm_ui_px(ui, 24),
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

static void draw_bar(struct bm_ui *ui, const struct bm_home_vm *vm, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    char buf[96];
    SDL_Rect edge = bm_rect(l->bar.x, l->bar.y - bm_ui_px(ui, 14), l->bar.w, bm_ui_px(ui, 14));
    bm_ui_fill_rrect_gradient(ui, edge, 0, bm_color_alpha(t->shadow, 0),
                              bm_color_alpha(t->shadow, 0x20), BM_UI_GRADIENT_VERTICAL);
    bm_ui_fill_rrect(ui, l->bar, 0, t->surface);
    bar_button(ui, l->help, t->help, t->text_on_help, _("Help"));
    snprintf(buf, sizeof buf, _("Hotline %s"), vm->kiosk.hotline ? vm->kiosk.hotline : "");
    bar_button(ui, l->hotline, t->primary_soft, t->primary_dark, buf);
    if (vm->elderly_on)
        bar_button(ui, l->elderly, t->accent, t->text_on_accent, _("Standard mode"));
    else
        bar_button(ui, l->elderly, t->warm_soft, t->warm_text, _("Elderly mode"));
    /* Each language names itself, so a reader of either finds their way back. */
    bar_button(ui, l->language, t->surface_alt, t->text,
               vm->lang == BM_LANG_EN ? "中文" : "English");
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
    int flags[4] = {(int)vm->lang, vm->elderly_on, (int)vm->category_count, (int)vm->quick_count};
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
    for (size_t i = 0; i < l.tile_count; i++) {
        int w = l.tiles[i].w - 2 * bm_ui_px(ui, 32);
        int px = bm_ui_fit_px(ui, vm->categories[i].title, tf, w, bm_ui_px(ui, 30));
        title_px = px < title_px ? px : title_px;
    }
    for (size_t i = 0; i < l.tile_count; i++)
        draw_tile(ui, l.tiles[i], &vm->categories[i], title_px);
    struct bm_ui_font qf = {BM_UI_REGULAR, bm_ui_px(ui, 30), t->text};
    int label_px = qf.px;
    for (size_t i = 0; i < l.quick_count; i++) {
        int w = l.quick[i].w - 2 * bm_ui_px(ui, 10);
        int px = bm_ui_fit_px(ui, vm->quick[i].label, qf, w, bm_ui_px(ui, 20));
        label_px = px < label_px ? px : label_px;
    }

    if (l.quick_count > 0) {
        SDL_Rect s = l.section;
        int bar_h = bm_ui_px(ui, 40);
        bm_ui_fill_rrect(ui, bm_rect(s.x, s.y + (s.h - bar_h) / 2, bm_ui_px(ui, 8), bar_h),
                         bm_ui_px(ui, 4), t->primary);
        bm_ui_label(ui, l.section_title, _("Quick services"),
                    bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text),
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        bm_ui_label_fit(ui, l.section_hint, _("Most used, one touch away"),
                        bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted),
                        bm_ui_px(ui, 22), BM_UI_ALIGN_RIGHT | BM_UI_ALIGN_MIDDLE);
    }
    for (size_t i = 0; i < l.quick_count; i++)
        draw_quick(ui, l.quick[i], &vm->quick[i], label_px);
    if (l.notice.h > 0)
        draw_notice(ui, &l, vm->notice);
    draw_bar(ui, vm, &l);
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
    bm_scr_add(out, cap, &n, l.help, BM_INTENT_HELP, 0, "home.help");
    bm_scr_add(out, cap, &n, l.hotline, BM_INTENT_HOTLINE, 0, "home.hotline");
    bm_scr_add(out, cap, &n, l.elderly, BM_INTENT_ELDERLY, 0, "home.elderly");
    bm_scr_add(out, cap, &n, l.language, BM_INTENT_LANGUAGE, 0, "home.language");
    return n;
}

struct bm_intent bm_home_hit(struct bm_ui *ui, const struct bm_home_vm *vm, int x, int y,
                             const char **name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_home_elements(ui, vm, list, BM_SCREEN_MAX_ELEMENTS);
    return bm_screen_hit(list, n, x, y, name);
}
