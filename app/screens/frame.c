/*
 * frame.c - the bottom bar every resident screen shares: help (always red, always bottom
 * left), hotline, elderly mode, voice, language.
 *
 * Design: "help is always the same colour and place" (LOOK.md) holds only if there is one
 * bar, so home, the browse screens and the progress query all lay it out and draw it here.
 * It is pinned to the window's bottom edge across the whole width; its buttons sit in the
 * 1080 design column in portrait and span the whole width in landscape, so help is at the
 * bottom-left edge in both. The hotline's words and number are the longest: it gets 1.3
 * shares so every label keeps the bar's one size. In elderly mode in portrait the bar takes
 * two rows (the switches above; help, wide, and the hotline below), so no label shrinks.
 *
 * Main thread only.
 */
#include "screens/screens_internal.h"

#include "core/i18n.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <string.h>

void bm_scr_bar_layout(struct bm_ui *ui, bool elderly, SDL_Rect *page, struct bm_scr_bar *b)
{
    memset(b, 0, sizeof *b);
    bool land = bm_ui_landscape(ui);
    SDL_Rect column = land ? bm_rect(0, 0, bm_ui_width(ui), bm_ui_height(ui)) : bm_scr_column(ui);
    int pad = bm_ui_px(ui, 40), gap = bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_M]);
    int vpad = bm_ui_px(ui, land || elderly ? 22 : 28);
    int bh = bm_ui_px(ui, bm_ui_theme(ui)->type[BM_TYPE_SUBTITLE]) * (elderly ? 2 : 3);
    if (bh < bm_ui_min_target(ui))
        bh = bm_ui_min_target(ui);
    bool two_rows = elderly && !land;
    b->bar = bm_rect_take_bottom(page, 2 * vpad + bh + (two_rows ? bh + gap : 0));
    SDL_Rect bar =
        bm_rect_inset4(bm_rect(column.x, b->bar.y, column.w, b->bar.h), pad, vpad, pad, vpad);
    if (two_rows) {
        SDL_Rect top = bm_rect_take_top(&bar, bh);
        bm_rect_take_top(&bar, gap);
        b->voice = bm_rect_grid(top, 3, 1, gap, 0, 0);
        b->elderly = bm_rect_grid(top, 3, 1, gap, 1, 0);
        b->language = bm_rect_grid(top, 3, 1, gap, 2, 0);
        b->help = bm_rect_grid(bar, 2, 1, gap, 0, 0);
        b->hotline = bm_rect_grid(bar, 2, 1, gap, 1, 0);
        return;
    }
    int share = (bar.w - 4 * gap) * 10 / 53;
    b->help = bm_rect_take_left(&bar, share);
    bm_rect_take_left(&bar, gap);
    b->hotline = bm_rect_take_left(&bar, bar.w - 3 * (share + gap));
    bm_rect_take_left(&bar, gap);
    b->elderly = bm_rect_take_left(&bar, share);
    bm_rect_take_left(&bar, gap);
    b->voice = bm_rect_take_left(&bar, share);
    bm_rect_take_left(&bar, gap);
    b->language = bar;
}

/* A bar button: its words at the bar's size, on two lines rather than tiny if need be. */
static void bar_button(struct bm_ui *ui, SDL_Rect r, SDL_Color bg, SDL_Color fg, const char *text)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_rrect(ui, r, bm_ui_px(ui, t->radius[BM_RADIUS_M]), bg);
    bm_ui_text_block(ui, bm_rect_inset4(r, bm_ui_px(ui, 12), 0, bm_ui_px(ui, 12), 0), text,
                     bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, fg), 2,
                     BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE | BM_UI_WRAP_WORDS);
}

void bm_scr_bar_draw(struct bm_ui *ui, const struct bm_scr_bar_vm *vm, const struct bm_scr_bar *b)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    char buf[96];
    SDL_Rect edge = bm_rect(b->bar.x, b->bar.y - bm_ui_px(ui, 14), b->bar.w, bm_ui_px(ui, 14));
    bm_ui_fill_rrect_gradient(ui, edge, 0, bm_color_alpha(t->shadow, 0),
                              bm_color_alpha(t->shadow, 0x20), BM_UI_GRADIENT_VERTICAL);
    bm_ui_fill_rrect(ui, b->bar, 0, t->surface);
    bar_button(ui, b->help, t->help, t->text_on_help, _("Help"));
    snprintf(buf, sizeof buf, _("Hotline %s"), vm->hotline ? vm->hotline : "");
    bar_button(ui, b->hotline, t->primary_soft, t->primary_dark, buf);
    if (vm->elderly_on)
        bar_button(ui, b->elderly, t->accent, t->text_on_accent, _("Standard mode"));
    else
        bar_button(ui, b->elderly, t->warm_soft, t->warm_text, _("Elderly mode"));
    /* The voice switch says its state in words; the colour only repeats it. */
    if (vm->voice_on)
        bar_button(ui, b->voice, t->primary, t->text_on_dark, _("Voice on"));
    else
        bar_button(ui, b->voice, t->surface_alt, t->text, _("Voice off"));
    /* Each language names itself, so a reader of either finds their way back. */
    bar_button(ui, b->language, t->surface_alt, t->text,
               vm->lang == BM_LANG_EN ? "中文" : "English");
}

void bm_scr_bar_elements(const struct bm_scr_bar *b, const char *screen,
                         struct bm_screen_element *out, size_t cap, size_t *n)
{
    bm_scr_add(out, cap, n, b->help, BM_INTENT_HELP, 0, "%s.help", screen);
    bm_scr_add(out, cap, n, b->hotline, BM_INTENT_HOTLINE, 0, "%s.hotline", screen);
    bm_scr_add(out, cap, n, b->elderly, BM_INTENT_ELDERLY, 0, "%s.elderly", screen);
    bm_scr_add(out, cap, n, b->voice, BM_INTENT_VOICE, 0, "%s.voice", screen);
    bm_scr_add(out, cap, n, b->language, BM_INTENT_LANGUAGE, 0, "%s.language", screen);
}
