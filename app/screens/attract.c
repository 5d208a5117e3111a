/*
 * attract.c - the idle screen shown between residents.
 *
 * Design: calm and legible from three metres. A deep blue page with the kiosk's emblem, name
 * and location at the top; a large clock (tabular figures, so the digits do not shift as they
 * change) with the date and weekday; one obvious call, 轻触屏幕 开始办事, on a large white
 * button; a notice line and the hotline at the bottom. The whole screen is the touch target --
 * a resident may tap anywhere -- and the button says so. Nothing moves: the flow redraws when
 * the minute changes, so idle costs one frame a minute. Landscape puts the clock on the left
 * and the call on the right, level with it. In elderly mode (vm.elderly, the elderly theme)
 * the call is on two lines of the larger type and the hint says only what to do.
 *
 * Main thread only.
 */
#include "screens/screens_internal.h"

#include "core/i18n.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <string.h>

/* Every rectangle of the screen, computed once per call from the window size. */
struct layout {
    bool land, elderly;
    SDL_Rect screen, column;
    SDL_Rect brand, emblem, name, location;
    SDL_Rect clock, date;
    SDL_Rect button, button_icon, button_text, hint;
    SDL_Rect notice, hotline;
};

/* The widest line of text wrapped to two lines of max_w (max_w if it needs more). */
static int widest_line(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w)
{
    struct bm_ui_line_span lines[2];
    bool cut = false;
    size_t n = bm_ui_wrap(ui, text, f, max_w, BM_UI_WRAP_WORDS, lines, 2, &cut);
    if (cut)
        return max_w;
    int widest = 0;
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)lines[i].len, text + lines[i].start);
        int w = bm_ui_text_size(ui, buf, f).x;
        widest = w > widest ? w : widest;
    }
    return widest < max_w ? widest : max_w;
}

/* The start button and its hint, centred on cx with the button's top at y. */
static void layout_button(struct bm_ui *ui, struct layout *l, int cx, int y, int max_w)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int display = bm_ui_px(ui, t->type[BM_TYPE_DISPLAY]);
    /* Elderly mode: the call on two lines of the larger type, so it is not shrunk to fit. */
    int bw = bm_ui_px(ui, 820), bh = l->elderly ? display * 5 / 2 : bm_ui_px(ui, 200);
    if (l->elderly) /* as wide as the two lines need, the group centred */
        bw = widest_line(ui, _("Touch the screen to start"),
                         (struct bm_ui_font){BM_UI_BOLD, display, t->primary_dark},
                         max_w - bm_ui_px(ui, 56 + 112 + 28 + 56)) +
             bm_ui_px(ui, 56 + 112 + 28 + 56);
    if (bw > max_w)
        bw = max_w;
    l->button = bm_rect(cx - bw / 2, y, bw, bh);
    SDL_Rect in = bm_rect_inset4(l->button, bm_ui_px(ui, 56), 0, bm_ui_px(ui, 56), 0);
    l->button_icon = bm_rect_take_left(&in, bm_ui_px(ui, 112));
    bm_rect_take_left(&in, bm_ui_px(ui, 28));
    l->button_text = in;
    int hint_h = bm_ui_px(ui, t->type[BM_TYPE_SUBTITLE]) * 4 / 3;
    l->hint = bm_rect(cx - max_w / 2, y + bh + bm_ui_px(ui, 40), max_w, hint_h);
}

static void layout(struct bm_ui *ui, const struct bm_attract_vm *vm, struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    memset(l, 0, sizeof *l);
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    l->land = bm_ui_landscape(ui);
    l->elderly = vm->elderly;
    l->screen = bm_rect(0, 0, W, H);
    l->column = l->land ? l->screen : bm_scr_column(ui);
    int margin = bm_ui_px(ui, l->land ? 96 : 64);
    SDL_Rect c = bm_rect_inset4(l->column, margin, 0, margin, 0);
    int headline = bm_ui_px(ui, t->type[BM_TYPE_HEADLINE]),
        body = bm_ui_px(ui, t->type[BM_TYPE_BODY]);
    int clock_h = bm_ui_px(ui, t->type[BM_TYPE_CLOCK]) * 13 / 12;
    int date_h = bm_ui_px(ui, t->type[BM_TYPE_TITLE]) * 4 / 3;

    /* Brand: emblem, name and location, top left. */
    l->brand = bm_rect(c.x, l->land ? bm_ui_px(ui, 64) : H * 96 / 1920, c.w,
                       headline * 15 / 14 + body * 10 / 7 + bm_ui_px(ui, 8));
    SDL_Rect b = l->brand;
    l->emblem = bm_rect_take_left(&b, bm_ui_px(ui, 128));
    l->emblem.h = l->emblem.w;
    l->emblem.y = b.y + (b.h - l->emblem.h) / 2;
    bm_rect_take_left(&b, bm_ui_px(ui, 28));
    l->name = bm_rect_take_top(&b, headline * 15 / 14);
    bm_rect_take_top(&b, bm_ui_px(ui, 8));
    l->location = b;

    int notice_h = bm_ui_px(ui, 96) > body * 24 / 7 ? bm_ui_px(ui, 96) : body * 24 / 7;
    int hot_h = bm_ui_px(ui, t->type[BM_TYPE_SUBTITLE]) * 3 / 2;
    l->hotline = bm_rect(c.x, H - bm_ui_px(ui, 72) - hot_h, c.w, hot_h);
    if (l->land) {
        /* Wide: the clock on the left half, the call to action on the right, level. */
        SDL_Rect left = bm_rect(c.x, 0, (c.w - margin) / 2, H);
        SDL_Rect right = bm_rect(left.x + left.w + margin, 0, c.w - left.w - margin, H);
        int mid = (l->brand.y + l->brand.h + l->hotline.y - notice_h) / 2;
        l->clock = bm_rect(left.x, mid - (clock_h + date_h) / 2, left.w, clock_h);
        l->date = bm_rect(left.x, l->clock.y + clock_h, left.w, date_h);
        layout_button(ui, l, right.x + right.w / 2, 0, right.w);
        int block = l->hint.y + l->hint.h - l->button.y;
        int dy = mid - block / 2;
        l->button.y += dy;
        l->button_icon.y += dy;
        l->button_text.y += dy;
        l->hint.y += dy;
        l->notice = bm_rect(c.x, l->hotline.y - bm_ui_px(ui, 32) - notice_h, c.w, notice_h);
        return;
    }
    /* Vertical positions are proportions of the height, so a shorter window keeps the order. */
    l->clock = bm_rect(c.x, H * 470 / 1920, c.w, clock_h);
    l->date = bm_rect(c.x, l->clock.y + clock_h + bm_ui_px(ui, 16), c.w, date_h);
    layout_button(ui, l, l->column.x + l->column.w / 2, H * (l->elderly ? 1080 : 1130) / 1920, c.w);
    l->notice = bm_rect(c.x, H * 1640 / 1920, c.w, notice_h);
    if (l->notice.y + l->notice.h > l->hotline.y - bm_ui_px(ui, 24))
        l->notice.y = l->hotline.y - bm_ui_px(ui, 24) - notice_h;
}

/* A touch mark: a finger-tip dot inside two rings, the icon of "tap here". */
static void draw_touch_icon(struct bm_ui *ui, SDL_Rect r, SDL_Color c)
{
    int cx = r.x + r.w / 2, cy = r.y + r.h / 2, rad = r.w / 2;
    bm_ui_fill_circle(ui, cx, cy, rad, bm_color_alpha(c, 0x24));
    bm_ui_stroke_circle(ui, cx, cy, rad * 7 / 10, bm_ui_px(ui, 5), bm_color_alpha(c, 0x90));
    bm_ui_fill_circle(ui, cx, cy, rad * 4 / 10, c);
}

/* text on at most two lines in box, at the largest size from f.px down to two thirds of it
 * at which it fits whole (a long translation gets a smaller size, never a cut). */
static void draw_two_lines(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f)
{
    struct bm_ui_line_span lines[2];
    int min_px = f.px * 2 / 3;
    for (; f.px > min_px; f.px -= bm_ui_px(ui, 2)) {
        bool cut = false;
        size_t n = bm_ui_wrap(ui, text, f, box.w, BM_UI_WRAP_WORDS, lines, 2, &cut);
        if (!cut && n * (size_t)(f.px * 6 / 5) <= (size_t)box.h)
            break;
    }
    bm_ui_paragraph(ui, box, text, f, f.px * 6 / 5,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE | BM_UI_WRAP_WORDS);
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
    int flags[2] = {(int)vm->lang, vm->elderly};
    h = bm_ui_hash(h, flags, sizeof flags);
    return bm_ui_hash_str(h, vm->notice);
}

static void draw_static(struct bm_ui *ui, const struct bm_attract_vm *vm, const struct layout *l);

void bm_attract_draw(struct bm_ui *ui, const struct bm_attract_vm *vm)
{
    struct layout l;
    layout(ui, vm, &l);
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
    struct bm_ui_font nf = bm_scr_font(ui, BM_TYPE_HEADLINE, BM_UI_BOLD, t->text_on_dark);
    bm_ui_label_fit(ui, l.name, vm->kiosk.name ? vm->kiosk.name : "", nf, nf.px * 2 / 3,
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    snprintf(buf, sizeof buf, "%s  ·  %s", vm->kiosk.location ? vm->kiosk.location : "",
             _("24-hour self-service"));
    struct bm_ui_font lf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_on_dark_muted);
    bm_ui_label_fit(ui, l.location, buf, lf, lf.px * 5 / 6, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);

    /* The date (the clock goes over the layer) */
    bm_screen_format_date(&vm->now, vm->lang, buf, sizeof buf);
    struct bm_ui_font df = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_REGULAR, t->text_on_dark_muted);
    bm_ui_label_fit(ui, l.date, buf, df, df.px * 3 / 4, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    /* The call to action: on two lines in elderly mode rather than smaller */
    int br = l.button.h / 2 < bm_ui_px(ui, 100) ? l.button.h / 2 : bm_ui_px(ui, 100);
    bm_ui_shadow(ui, l.button, br, bm_ui_px(ui, 40), bm_ui_px(ui, 14),
                 bm_color_alpha(t->primary_dark, 0x90));
    bm_ui_fill_rrect(ui, l.button, br, t->surface);
    draw_touch_icon(ui, l.button_icon, t->primary);
    struct bm_ui_font bf = bm_scr_font(ui, BM_TYPE_DISPLAY, BM_UI_BOLD, t->primary_dark);
    if (l.elderly)
        draw_two_lines(ui, l.button_text, _("Touch the screen to start"), bf);
    else
        bm_ui_label_fit(ui, l.button_text, _("Touch the screen to start"), bf, bf.px * 3 / 5,
                        BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    /* Plainer words in elderly mode: only what to do. */
    struct bm_ui_font hf = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text_on_dark_muted);
    bm_ui_text_block(ui, l.hint,
                     l.elderly ? _("Touch anywhere to begin")
                               : _("Tap anywhere to begin. Help is one touch away."),
                     hf, 1, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);

    /* Notice and hotline */
    if (vm->notice && *vm->notice) {
        int nr = bm_ui_px(ui, 24);
        bm_ui_fill_rrect(ui, l.notice, nr, bm_color_alpha(t->text_on_dark, 0x1C));
        SDL_Rect in = bm_rect_inset4(l.notice, bm_ui_px(ui, 24), 0, bm_ui_px(ui, 28), 0);
        struct bm_ui_font cf = bm_scr_font(ui, BM_TYPE_CAPTION, BM_UI_BOLD, t->text_on_accent);
        SDL_Point bs = bm_ui_text_size(ui, _("Notice"), cf);
        int bh = cf.px * 24 / 13;
        SDL_Rect badge = bm_rect(in.x, in.y + (in.h - bh) / 2, bs.x + bm_ui_px(ui, 32), bh);
        bm_ui_fill_rrect(ui, badge, bm_ui_px(ui, 12), t->accent);
        bm_ui_label(ui, badge, _("Notice"), cf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        bm_rect_take_left(&in, badge.w + bm_ui_px(ui, 20));
        bm_ui_text_block(ui, in, vm->notice,
                         bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_on_dark), 2,
                         BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
    snprintf(buf, sizeof buf, _("Service hotline %s"), vm->kiosk.hotline ? vm->kiosk.hotline : "");
    bm_ui_label(ui, l.hotline, buf, bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text_on_dark),
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

size_t bm_attract_elements(struct bm_ui *ui, const struct bm_attract_vm *vm,
                           struct bm_screen_element *out, size_t cap)
{
    struct layout l;
    layout(ui, vm, &l);
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
