/*
 * browse_frame.c - the page frame of the browse screens (category, guide, problem).
 *
 * Design: a resident who goes one level into the catalog must always see the two ways out in
 * the same places: back at the top left (where every phone puts it) and home at the top right,
 * both large and labelled with a word, not an arrow alone. The bottom bar is home's, at the
 * same height and in the same order, so help stays red and bottom left on every screen and a
 * resident can switch language or elderly mode wherever they are. The header wears the
 * primary colour like home's; the page title sits between the two buttons.
 *
 * Main thread only.
 */
#include "screens/browse_internal.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

/* A design size grown so a tappable side is at least the minimum target. */
static int target(struct bm_ui *ui, int design)
{
    int px = bm_ui_px(ui, design), min = bm_ui_min_target(ui);
    return px > min ? px : min;
}

void bm_browse_frame_layout(struct bm_ui *ui, bool elderly, struct bm_browse_frame *f)
{
    memset(f, 0, sizeof *f);
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    SDL_Rect column = bm_scr_column(ui);
    f->pad = bm_ui_px(ui, 40);
    f->gap = bm_ui_px(ui, 24);
    SDL_Rect page = bm_rect(0, 0, W, H);

    int button_h = target(ui, elderly ? 120 : 104);
    int header_h = button_h + 2 * bm_ui_px(ui, 28);
    f->header = bm_rect_take_top(&page, header_h);
    SDL_Rect h = bm_rect_inset4(f->header, f->pad, 0, f->pad, 0);
    int button_w = bm_ui_px(ui, elderly ? 250 : 220);
    f->back = bm_rect(h.x, h.y + (h.h - button_h) / 2, button_w, button_h);
    f->home = bm_rect(h.x + h.w - button_w, f->back.y, button_w, button_h);
    f->title = bm_rect(f->back.x + button_w + f->gap, h.y, h.w - 2 * (button_w + f->gap), h.h);

    /* Home's bottom bar, to the pixel: help is where the resident last saw it. */
    f->bar = bm_rect_take_bottom(&page, bm_ui_px(ui, 168));
    SDL_Rect bar = bm_rect_inset4(bm_rect(column.x, f->bar.y, column.w, f->bar.h), f->pad,
                                  bm_ui_px(ui, 28), f->pad, bm_ui_px(ui, 28));
    bar.h = target(ui, bar.h);
    f->help = bm_rect_grid(bar, 4, 1, f->gap, 0, 0);
    f->hotline = bm_rect_grid(bar, 4, 1, f->gap, 1, 0);
    f->elderly = bm_rect_grid(bar, 4, 1, f->gap, 2, 0);
    f->language = bm_rect_grid(bar, 4, 1, f->gap, 3, 0);

    f->content = bm_rect_inset4(page, f->pad, bm_ui_px(ui, 32), f->pad, bm_ui_px(ui, 28));
}

/* A header button: a light pill on the dark header with an icon drawn in lines and a word. */
static void header_button(struct bm_ui *ui, SDL_Rect r, const char *label, bool house)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Color ink = t->text_on_dark;
    bm_ui_fill_rrect(ui, r, bm_ui_px(ui, t->radius[BM_RADIUS_M]), bm_color_alpha(ink, 0x2E));
    bm_ui_stroke_rrect(ui, r, bm_ui_px(ui, t->radius[BM_RADIUS_M]), bm_ui_px(ui, 2),
                       bm_color_alpha(ink, 0x60));
    struct bm_ui_font f = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, ink);
    int icon = f.px * 4 / 5, gap = bm_ui_px(ui, 12);
    int tw = bm_ui_text_size(ui, label, f).x;
    int avail = r.w - 2 * bm_ui_px(ui, 16) - icon - gap;
    if (tw > avail)
        tw = avail;
    int x = r.x + (r.w - (icon + gap + tw)) / 2;
    float cy = (float)(r.y + r.h / 2), lw = (float)bm_ui_px(ui, 5);
    if (house) {
        float l = (float)x, rr = (float)(x + icon), top = cy - (float)icon * 0.55f;
        float mid = (float)x + (float)icon / 2, eave = cy - (float)icon * 0.05f;
        bm_ui_line(ui, l, eave, mid, top, lw, ink);
        bm_ui_line(ui, mid, top, rr, eave, lw, ink);
        int bx = x + icon / 6, bw = icon - icon / 3;
        bm_ui_stroke_rrect(ui,
                           bm_rect(bx, (int)eave - (int)lw / 2, bw,
                                   (int)(cy + (float)icon * 0.45f - eave) + (int)lw / 2),
                           0, (int)lw, ink);
    } else {
        float u = (float)icon * 0.42f, cx = (float)x + (float)icon * 0.3f;
        bm_ui_line(ui, cx + u, cy - u, cx, cy, lw, ink);
        bm_ui_line(ui, cx, cy, cx + u, cy + u, lw, ink);
    }
    bm_ui_label_fit(ui, bm_rect(x + icon + gap, r.y, tw, r.h), label, f, f.px * 3 / 4,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

static void bar_button(struct bm_ui *ui, SDL_Rect r, SDL_Color bg, SDL_Color fg, const char *text)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_rrect(ui, r, bm_ui_px(ui, t->radius[BM_RADIUS_M]), bg);
    bm_ui_label_fit(ui, bm_rect_inset4(r, bm_ui_px(ui, 12), 0, bm_ui_px(ui, 12), 0), text,
                    bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, fg), bm_ui_px(ui, 24),
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

void bm_browse_frame_draw(struct bm_ui *ui, const struct bm_browse_frame_vm *vm,
                          const struct bm_browse_frame *f, const char *title)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    char buf[96];
    bm_ui_fill_rrect_gradient(ui, f->header, 0, t->primary_dark, t->primary,
                              BM_UI_GRADIENT_DIAGONAL);
    header_button(ui, f->back, _("Back"), false);
    header_button(ui, f->home, _("Home"), true);
    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text_on_dark);
    bm_ui_label_fit(ui, f->title, title ? title : "", tf, tf.px * 2 / 3,
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    SDL_Rect edge = bm_rect(f->bar.x, f->bar.y - bm_ui_px(ui, 14), f->bar.w, bm_ui_px(ui, 14));
    bm_ui_fill_rrect_gradient(ui, edge, 0, bm_color_alpha(t->shadow, 0),
                              bm_color_alpha(t->shadow, 0x20), BM_UI_GRADIENT_VERTICAL);
    bm_ui_fill_rrect(ui, f->bar, 0, t->surface);
    bar_button(ui, f->help, t->help, t->text_on_help, _("Help"));
    snprintf(buf, sizeof buf, _("Hotline %s"), vm->kiosk.hotline ? vm->kiosk.hotline : "");
    bar_button(ui, f->hotline, t->primary_soft, t->primary_dark, buf);
    if (vm->elderly)
        bar_button(ui, f->elderly, t->accent, t->text_on_accent, _("Standard mode"));
    else
        bar_button(ui, f->elderly, t->warm_soft, t->warm_text, _("Elderly mode"));
    bar_button(ui, f->language, t->surface_alt, t->text,
               vm->lang == BM_LANG_EN ? "中文" : "English");
}

void bm_browse_frame_elements(const struct bm_browse_frame *f, const char *screen,
                              struct bm_screen_element *out, size_t cap, size_t *n)
{
    bm_scr_add(out, cap, n, f->back, BM_INTENT_BACK, 0, "%s.back", screen);
    bm_scr_add(out, cap, n, f->home, BM_INTENT_HOME, 0, "%s.home", screen);
    bm_scr_add(out, cap, n, f->help, BM_INTENT_HELP, 0, "%s.help", screen);
    bm_scr_add(out, cap, n, f->hotline, BM_INTENT_HOTLINE, 0, "%s.hotline", screen);
    bm_scr_add(out, cap, n, f->elderly, BM_INTENT_ELDERLY, 0, "%s.elderly", screen);
    bm_scr_add(out, cap, n, f->language, BM_INTENT_LANGUAGE, 0, "%s.language", screen);
}

void bm_browse_draw_pressed(struct bm_ui *ui, const struct bm_screen_element *list, size_t n,
                            const char *pressed)
{
    if (!pressed)
        return;
    const struct bm_screen_element *e = bm_screen_find(list, n, pressed);
    if (!e)
        return;
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_rrect(ui, e->rect, bm_ui_px(ui, t->radius[BM_RADIUS_M]),
                     bm_color_alpha(t->shadow, 0x38));
}

void bm_browse_button(struct bm_ui *ui, SDL_Rect r, const char *label, const char *glyph,
                      enum bm_button_kind kind)
{
    struct bm_button b = {.label = label, .glyph = glyph, .kind = kind};
    bm_button_draw(ui, r, &b);
}
