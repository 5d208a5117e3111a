/*
 * attract.c - the idle screen shown between residents.
 *
 * Design: calm and legible from three metres. A deep blue page with the kiosk's emblem, name
 * and location at the top; a large clock (tabular figures, so the digits do not shift as they
 * change) with the date and weekday; one obvious call, 轻触屏幕 开始办事, on a large white
 * button; a notice line and the hotline at the bottom. The whole screen is the touch target --
 * a resident may tap anywhere -- and the button says so. Nothing moves: the flow redraws when
 * the minute changes, so idle costs one frame a minute.
 *
 * Main thread only.
 */
#include "screens/screens_internal.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

/* Every rectangle of the screen, computed once per call from the window size. */
struct layout {
    SDL_Rect screen, column;
    SDL_Rect brand, emblem, name, location;
    SDL_Rect clock, date;
    SDL_Rect button, button_icon, button_text, hint;
    SDL_Rect notice, hotline;
};

static void layout(struct bm_ui *ui, struct layout *l)
{
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    l->screen = bm_rect(0, 0, W, H);
    l->column = bm_scr_column(ui);
    SDL_Rect c = bm_rect_inset4(l->column, bm_ui_px(ui, 64), 0, bm_ui_px(ui, 64), 0);
    /* Vertical positions are proportions of the height, so a shorter window keeps the order. */
#define Y(v) (H * (v) / 1920)
    l->brand = bm_rect(c.x, Y(96), c.w, bm_ui_px(ui, 128));
    SDL_Rect b = l->brand;
    l->emblem = bm_rect_take_left(&b, b.h);
    bm_rect_take_left(&b, bm_ui_px(ui, 28));
    l->name = bm_rect(b.x, b.y + bm_ui_px(ui, 10), b.w, bm_ui_px(ui, 60));
    l->location = bm_rect(b.x, b.y + bm_ui_px(ui, 80), b.w, bm_ui_px(ui, 40));

    l->clock = bm_rect(c.x, Y(470), c.w, bm_ui_px(ui, 260));
    l->date = bm_rect(c.x, Y(470) + bm_ui_px(ui, 300), c.w, bm_ui_px(ui, 60));

    int bw = bm_ui_px(ui, 820), bh = bm_ui_px(ui, 200);
    l->button = bm_rect(l->column.x + (l->column.w - bw) / 2, Y(1130), bw, bh);
    SDL_Rect in = bm_rect_inset4(l->button, bm_ui_px(ui, 56), 0, bm_ui_px(ui, 56), 0);
    l->button_icon = bm_rect_take_left(&in, bm_ui_px(ui, 112));
    bm_rect_take_left(&in, bm_ui_px(ui, 28));
    l->button_text = in;
    l->hint = bm_rect(c.x, l->button.y + bh + bm_ui_px(ui, 40), c.w, bm_ui_px(ui, 48));

    l->notice = bm_rect(c.x, Y(1640), c.w, bm_ui_px(ui, 96));
    l->hotline = bm_rect(c.x, H - bm_ui_px(ui, 130), c.w, bm_ui_px(ui, 56));
#undef Y
}

/* A touch mark: a finger-tip dot inside two rings, the icon of "tap here". */
static void draw_touch_icon(struct bm_ui *ui, SDL_Rect r, SDL_Color c)
{
    int cx = r.x + r.w / 2, cy = r.y + r.h / 2, rad = r.w / 2;
    bm_ui_fill_circle(ui, cx, cy, rad, bm_color_alpha(c, 0x24));
    bm_ui_stroke_circle(ui, cx, cy, rad * 7 / 10, bm_ui_px(ui, 5), bm_color_alpha(c, 0x90));
    bm_ui_fill_circle(ui, cx, cy, rad * 4 / 10, c);
}

/* Everything the static layer shows: the vm but for the time of day (the date stays in). */
static uint64_t layer_key(const struct bm_attract_vm *vm)
{
    char date[96];
    bm_screen_format_date(&vm->now, vm->lang, date, sizeof date);
    uint64_t h = bm_ui_hash_str(0, date);
    h = bm_ui_hash_str(h, vm->kiosk.name);
    h = bm_ui_hash_str(h, vm->kiosk.location);
    h = bm_ui_hash_str(h, vm->kiosk.hotline);
    h = bm_ui_hash(h, &vm->lang, sizeof vm->lang);
    return bm_ui_hash_str(h, vm->notice);
}

static void draw_static(struct bm_ui *ui, const struct bm_attract_vm *vm, const struct layout *l);

void bm_attract_draw(struct bm_ui *ui, const struct bm_attract_vm *vm)
{
    struct layout l;
    layout(ui, &l);
    /* The screen changes once a minute, and only its clock: the rest is one copy. */
    if (bm_ui_layer_begin(ui, "attract", layer_key(vm))) {
        draw_static(ui, vm, &l);
        bm_ui_layer_end(ui);
    }
    char buf[32];
    bm_screen_format_time(&vm->now, buf, sizeof buf);
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_label_tabular(ui, l.clock, buf,
                        bm_scr_font(ui, BM_TYPE_CLOCK, BM_UI_BOLD, t->text_on_dark),
                        BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

static void draw_static(struct bm_ui *ui, const struct bm_attract_vm *vm, const struct layout *lp)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    const struct layout l = *lp;
    char buf[160];

    bm_ui_fill_rrect_gradient(ui, l.screen, 0, t->primary_dark, t->primary,
                              BM_UI_GRADIENT_VERTICAL);

    /* Brand */
    bm_scr_draw_emblem(ui, l.emblem.x + l.emblem.w / 2, l.emblem.y + l.emblem.h / 2,
                       l.emblem.w / 2);
    bm_ui_label_fit(ui, l.name, vm->kiosk.name ? vm->kiosk.name : "",
                    bm_scr_font(ui, BM_TYPE_HEADLINE, BM_UI_BOLD, t->text_on_dark),
                    bm_ui_px(ui, 36), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    snprintf(buf, sizeof buf, "%s  ·  %s", vm->kiosk.location ? vm->kiosk.location : "",
             _("24-hour self-service"));
    bm_ui_label_fit(ui, l.location, buf,
                    bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_on_dark_muted),
                    bm_ui_px(ui, 24), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);

    /* The date (the clock goes over the layer) */
    bm_screen_format_date(&vm->now, vm->lang, buf, sizeof buf);
    bm_ui_label(ui, l.date, buf,
                bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_REGULAR, t->text_on_dark_muted),
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    /* The call to action */
    int br = l.button.h / 2;
    bm_ui_shadow(ui, l.button, br, bm_ui_px(ui, 40), bm_ui_px(ui, 14),
                 bm_color_alpha(t->primary_dark, 0x90));
    bm_ui_fill_rrect(ui, l.button, br, t->surface);
    draw_touch_icon(ui, l.button_icon, t->primary);
    bm_ui_label_fit(ui, l.button_text, _("Touch the screen to start"),
                    bm_scr_font(ui, BM_TYPE_DISPLAY, BM_UI_BOLD, t->primary_dark), bm_ui_px(ui, 44),
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_ui_label_fit(ui, l.hint, _("Tap anywhere to begin. Help is one touch away."),
                    bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text_on_dark_muted),
                    bm_ui_px(ui, 26), BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    /* Notice and hotline */
    if (vm->notice && *vm->notice) {
        int nr = bm_ui_px(ui, 24);
        bm_ui_fill_rrect(ui, l.notice, nr, bm_color_alpha(t->text_on_dark, 0x1C));
        SDL_Rect in = bm_rect_inset4(l.notice, bm_ui_px(ui, 24), 0, bm_ui_px(ui, 28), 0);
        struct bm_ui_font bf = bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_BOLD, t->text_on_accent);
        SDL_Point bs = bm_ui_text_size(ui, _("Notice"), bf);
        SDL_Rect badge = bm_rect(in.x, in.y + (in.h - bm_ui_px(ui, 48)) / 2,
                                 bs.x + bm_ui_px(ui, 32), bm_ui_px(ui, 48));
        bm_ui_fill_rrect(ui, badge, bm_ui_px(ui, 12), t->accent);
        bm_ui_label(ui, badge, _("Notice"), bf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        bm_rect_take_left(&in, badge.w + bm_ui_px(ui, 20));
        bm_ui_label_fit(ui, in, vm->notice,
                        bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_on_dark),
                        bm_ui_px(ui, 22), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
    snprintf(buf, sizeof buf, _("Service hotline %s"), vm->kiosk.hotline ? vm->kiosk.hotline : "");
    bm_ui_label(ui, l.hotline, buf, bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text_on_dark),
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

size_t bm_attract_elements(struct bm_ui *ui, const struct bm_attract_vm *vm,
                           struct bm_screen_element *out, size_t cap)
{
    (void)vm;
    struct layout l;
    layout(ui, &l);
    size_t n = 0;
    /* The button first, so a hit on it reports the more specific name. */
    bm_scr_add(out, cap, &n, l.button, BM_INTENT_START, 0, "attract.start_button");
    bm_scr_add(out, cap, &n, l.screen, BM_INTENT_START, 0, "attract.start");
    return n;
}

struct bm_intent bm_attract_hit(struct bm_ui *ui, const struct bm_attract_vm *vm, int x, int y,
                                const char **name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_attract_elements(ui, vm, list, BM_SCREEN_MAX_ELEMENTS);
    return bm_screen_hit(list, n, x, y, name);
}
