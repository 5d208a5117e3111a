/*
 * browse_frame.c - the page frame of the browse screens (category, guide, problem).
 *
 * Design: a resident who goes one level into the catalog must always see the two ways out in
 * the same places: back at the top left (where every phone puts it) and home at the top right,
 * both large and labelled with a word, not an arrow alone. The bottom bar is the one every
 * resident screen shares (frame.c), so help stays red and bottom left on every screen and a
 * resident can switch language, elderly mode or voice wherever they are. Header and bar span
 * the whole window in landscape, as on home. The header wears the
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

    /* The bar every resident screen shares: help is where the resident last saw it. */
    bm_scr_bar_layout(ui, elderly, &page, &f->bar);

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

void bm_browse_frame_draw(struct bm_ui *ui, const struct bm_browse_frame_vm *vm,
                          const struct bm_browse_frame *f, const char *title)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_rrect_gradient(ui, f->header, 0, t->primary_dark, t->primary,
                              BM_UI_GRADIENT_DIAGONAL);
    header_button(ui, f->back, _("Back"), false);
    header_button(ui, f->home, _("Home"), true);
    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text_on_dark);
    bm_ui_label_fit(ui, f->title, title ? title : "", tf, tf.px * 2 / 3,
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    struct bm_scr_bar_vm bar = {vm->kiosk.hotline, vm->lang, vm->elderly, vm->voice_on};
    bm_scr_bar_draw(ui, &bar, &f->bar);
}

void bm_browse_frame_elements(const struct bm_browse_frame *f, const char *screen,
                              struct bm_screen_element *out, size_t cap, size_t *n)
{
    bm_scr_add(out, cap, n, f->back, BM_INTENT_BACK, 0, "%s.back", screen);
    bm_scr_add(out, cap, n, f->home, BM_INTENT_HOME, 0, "%s.home", screen);
    bm_scr_bar_elements(&f->bar, screen, out, cap, n);
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
