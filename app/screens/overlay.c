/*
 * overlay.c - the dialogs over a screen (overlay.h): "are you still there?", the elderly-mode
 * offer, help and the hotline, in one card style.
 *
 * Design. The screen behind is dimmed, not hidden: the resident sees where they were and that
 * the card is about it. The card reads top to bottom: an icon (colour and character together,
 * never colour alone), a title that asks or says one thing, a short message, then the large
 * part the dialog is about -- the countdown ring with its seconds, or the hotline number with a
 * QR code that dials it from a phone -- and the buttons, full width, the one primary action
 * first. In landscape the large part (or, without one, the buttons) goes to the right of the
 * words, so the card fits 1080 pixels of height even in elderly mode. Elderly mode (vm.elderly)
 * says less in plainer words; its theme makes everything larger. One layout function gives
 * both drawing and the element list their rectangles, so a tap lands on what was drawn.
 *
 * Honesty: the video call to staff is not built, so help says so and offers the hotline.
 *
 * Main thread only.
 */
#include "screens/overlay.h"

#include "screens/screens_internal.h"

#include "core/i18n.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <string.h>

#define MAX_BUTTONS 3

enum hero { HERO_NONE, HERO_COUNTDOWN, HERO_HOTLINE };

struct button_spec {
    const char *part; /* element name after the overlay's: "continue" */
    const char *label;
    enum bm_button_kind kind;
    enum bm_intent_kind intent;
};

struct content {
    const char *glyph; /* the icon's character; NULL for no icon */
    SDL_Color icon_bg, icon_fg;
    const char *title, *message;
    enum hero hero;
    const char *hero_label; /* above the hotline number, or NULL */
    struct button_spec buttons[MAX_BUTTONS];
    size_t count;
};

struct layout {
    struct content c;
    SDL_Rect card, icon, title, message, hero;
    SDL_Rect buttons[MAX_BUTTONS];
    int primary_h; /* the first button's height */
};

static const char *const names[BM_OVERLAY_COUNT] = {
    [BM_OVERLAY_NONE] = "",
    [BM_OVERLAY_STILL_THERE] = "still_there",
    [BM_OVERLAY_ELDERLY_OFFER] = "elderly_offer",
    [BM_OVERLAY_HELP] = "help",
    [BM_OVERLAY_HOTLINE] = "hotline",
    [BM_OVERLAY_ID_CARD] = "id_card",
    [BM_OVERLAY_NOTICE] = "notice",
};

const char *bm_overlay_name(enum bm_overlay kind)
{
    return (unsigned)kind < BM_OVERLAY_COUNT ? names[kind] : "";
}

void bm_overlay_tel_uri(const char *hotline, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "tel:");
    for (const char *p = hotline ? hotline : ""; *p && n + 1 < size; p++)
        if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 4))
            buf[n++] = *p; /* "0571-12345" dials as 057112345 */
    if (n < size)
        buf[n] = '\0';
}

static bool has_hotline(const struct bm_overlay_vm *vm)
{
    return vm->hotline && *vm->hotline;
}

static void add_button(struct content *c, const char *part, const char *label,
                       enum bm_button_kind kind, enum bm_intent_kind intent)
{
    if (c->count < MAX_BUTTONS)
        c->buttons[c->count++] = (struct button_spec){part, label, kind, intent};
}

static void content_of(struct bm_ui *ui, const struct bm_overlay_vm *vm, struct content *c)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    memset(c, 0, sizeof *c);
    switch (vm->kind) {
    case BM_OVERLAY_STILL_THERE:
        /* No icon: the ring is the picture. */
        c->title = _("Are you still there?");
        c->message = vm->elderly ? _("Press \"Yes, continue\" to go on.")
                                 : _("No touch for a while. When the countdown ends, this "
                                     "session closes and your details are erased.");
        c->hero = HERO_COUNTDOWN;
        add_button(c, "continue", _("Yes, continue"), BM_BUTTON_PRIMARY, BM_INTENT_CONTINUE);
        add_button(c, "end", _("End session now"), BM_BUTTON_QUIET, BM_INTENT_END);
        break;
    case BM_OVERLAY_ELDERLY_OFFER:
        c->glyph = "长"; /* as in 长辈 */
        c->icon_bg = t->warm_soft, c->icon_fg = t->warm_text;
        c->title = _("Switch to elderly mode?");
        c->message = _("Larger text and buttons, and every step read aloud.");
        add_button(c, "on", _("Turn on elderly mode"), BM_BUTTON_PRIMARY, BM_INTENT_ELDERLY);
        add_button(c, "help", _("Call staff"), BM_BUTTON_HELP, BM_INTENT_HELP);
        add_button(c, "no", _("No, thanks"), BM_BUTTON_QUIET, BM_INTENT_CLOSE);
        break;
    case BM_OVERLAY_HELP:
        c->glyph = "助"; /* as on the help button */
        c->icon_bg = t->help, c->icon_fg = t->text_on_help;
        c->title = _("Reach a staff member");
        if (!has_hotline(vm))
            c->message = _("Video calls to staff are not available here yet. Please ask at the "
                           "service counter.");
        else if (vm->elderly)
            c->message = _("Please call the hotline. A staff member will help you.");
        else
            c->message = _("Video calls to staff are not available here yet. Please call the "
                           "service hotline: a staff member will help you.");
        c->hero = has_hotline(vm) ? HERO_HOTLINE : HERO_NONE;
        c->hero_label = _("Service hotline");
        add_button(c, "close", _("Close"), BM_BUTTON_PRIMARY, BM_INTENT_CLOSE);
        break;
    case BM_OVERLAY_HOTLINE:
        c->glyph = "☎";
        c->icon_bg = t->primary, c->icon_fg = t->text_on_dark;
        c->title = _("Service hotline");
        c->message = has_hotline(vm) ? _("Questions about a service? Call this number: a staff "
                                         "member will answer.")
                                     : _("Please ask at the service counter.");
        c->hero = has_hotline(vm) ? HERO_HOTLINE : HERO_NONE;
        add_button(c, "close", _("Close"), BM_BUTTON_PRIMARY, BM_INTENT_CLOSE);
        break;
    case BM_OVERLAY_ID_CARD:
        /* The home screen's big yellow button: how, not a promise. A card read closes it. */
        c->glyph = "证";
        c->icon_bg = t->warm_soft, c->icon_fg = t->warm_text;
        c->title = _("Swipe your ID card");
        if (vm->reader_out) {
            c->message = _("The card reader is out of order for now. A staff member or the "
                           "hotline can help you.");
            c->hero = has_hotline(vm) ? HERO_HOTLINE : HERO_NONE;
            c->hero_label = _("Service hotline");
            add_button(c, "help", _("Call staff"), BM_BUTTON_HELP, BM_INTENT_HELP);
            add_button(c, "close", _("Close"), BM_BUTTON_QUIET, BM_INTENT_CLOSE);
        } else {
            c->message = vm->elderly ? _("Put your ID card on the reader below the screen.")
                                     : _("Put your ID card flat on the card reader below the "
                                         "screen and hold it there until you hear a beep.");
            add_button(c, "close", _("Close"), BM_BUTTON_QUIET, BM_INTENT_CLOSE);
        }
        break;
    case BM_OVERLAY_NOTICE:
        /* The strip shows a title on one line: here it is whole, with its body. */
        c->glyph = "告"; /* as in 通知公告 */
        c->icon_bg = t->accent, c->icon_fg = t->text_on_accent;
        c->title = vm->notice_title ? vm->notice_title : "";
        c->message = vm->notice_body;
        add_button(c, "close", _("Close"), BM_BUTTON_PRIMARY, BM_INTENT_CLOSE);
        break;
    case BM_OVERLAY_NONE:
    case BM_OVERLAY_COUNT:
        break;
    }
}

/* ---- layout ---- */

static struct bm_ui_font title_font(struct bm_ui *ui)
{
    return bm_scr_font(ui, BM_TYPE_HEADLINE, BM_UI_BOLD, bm_ui_theme(ui)->text);
}

static struct bm_ui_font message_font(struct bm_ui *ui)
{
    return bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, bm_ui_theme(ui)->text_muted);
}

static struct bm_ui_font number_font(struct bm_ui *ui)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct bm_ui_font f = {BM_UI_BOLD, bm_ui_px(ui, t->type[BM_TYPE_DISPLAY] * 3 / 2),
                           t->primary_dark};
    return f;
}

static int line_h(struct bm_ui_font f)
{
    return f.px * 6 / 5;
}

/* The height text takes wrapped at width w (at most max lines). */
static int text_h(struct bm_ui *ui, const char *text, struct bm_ui_font f, int w, size_t max)
{
    if (!text || !*text)
        return 0;
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    size_t n = bm_ui_wrap(ui, text, f, w, 0, lines, max, NULL);
    return (int)(n ? n : 1) * line_h(f);
}

static int countdown_label_h(struct bm_ui *ui)
{
    /* bm_countdown_draw's label: two lines of subtitle under the ring, a gap above. */
    const struct bm_theme *t = bm_ui_theme(ui);
    return line_h(bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text)) * 2 +
           bm_ui_px(ui, t->space[BM_SPACE_M]);
}

static int qr_side(struct bm_ui *ui)
{
    return bm_ui_px(ui, 320);
}

static int qr_caption_h(struct bm_ui *ui)
{
    /* bm_qr_draw's caption: two lines of body under the code, a small gap above. */
    const struct bm_theme *t = bm_ui_theme(ui);
    return line_h(bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted)) * 2 +
           bm_ui_px(ui, t->space[BM_SPACE_S]);
}

static int hero_h(struct bm_ui *ui, const struct content *c)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    switch (c->hero) {
    case HERO_COUNTDOWN:
        return bm_ui_px(ui, t->type[BM_TYPE_DISPLAY] * 4) + countdown_label_h(ui); /* the ring */
    case HERO_HOTLINE:
        return (c->hero_label ? line_h(message_font(ui)) : 0) + line_h(number_font(ui)) +
               bm_ui_px(ui, t->space[BM_SPACE_M]) + qr_side(ui) + qr_caption_h(ui);
    case HERO_NONE:
        break;
    }
    return 0;
}

static int buttons_h(struct bm_ui *ui, const struct layout *l, int gap)
{
    int n = (int)l->c.count;
    return n ? l->primary_h + (n - 1) * bm_button_height(ui) + (n - 1) * gap : 0;
}

/* Icon, title and message from the top of *col; returns their height when col is NULL. */
static int place_words(struct bm_ui *ui, struct layout *l, SDL_Rect *col, int w, int gap)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int icon = l->c.glyph ? bm_ui_px(ui, t->type[BM_TYPE_TITLE] * 2) : 0;
    int th = text_h(ui, l->c.title, title_font(ui), w, 3);
    int mh = text_h(ui, l->c.message, message_font(ui), w, 6);
    if (col) {
        SDL_Rect row = bm_rect_take_top(col, icon);
        /* Centred over centred words (portrait), at their left edge beside the large part. */
        int x = bm_ui_landscape(ui) ? row.x : row.x + (row.w - icon) / 2;
        l->icon = bm_rect(x, row.y, icon, icon);
        bm_rect_take_top(col, icon ? gap : 0);
        l->title = bm_rect_take_top(col, th);
        bm_rect_take_top(col, gap);
        l->message = bm_rect_take_top(col, mh);
    }
    return icon + (icon ? gap : 0) + th + gap + mh;
}

/* The buttons, stacked from the bottom of col up, the primary on top. */
static void place_buttons(struct bm_ui *ui, struct layout *l, SDL_Rect col, int gap)
{
    int bh = bm_button_height(ui);
    SDL_Rect c = col;
    for (size_t i = l->c.count; i-- > 0;) {
        l->buttons[i] = bm_rect_take_bottom(&c, i == 0 ? l->primary_h : bh);
        bm_rect_take_bottom(&c, gap);
    }
}

static void layout(struct bm_ui *ui, const struct bm_overlay_vm *vm, struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    memset(l, 0, sizeof *l);
    content_of(ui, vm, &l->c);
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    int margin = bm_ui_px(ui, t->space[BM_SPACE_XL]), pad = bm_ui_px(ui, t->space[BM_SPACE_XL]);
    int gap = bm_ui_px(ui, t->space[BM_SPACE_M]);
    /* "Yes, continue" is the big one: the easiest thing on the screen to hit. */
    l->primary_h = bm_button_height(ui) * (vm->kind == BM_OVERLAY_STILL_THERE ? 5 : 4) / 4;
    int hh = hero_h(ui, &l->c);
    if (!bm_ui_landscape(ui)) {
        int cw = W - 2 * margin < bm_ui_px(ui, 920) ? W - 2 * margin : bm_ui_px(ui, 920);
        int inner = cw - 2 * pad;
        /* The countdown's label keeps room for a second line: less space under it. */
        int after = l->c.hero == HERO_COUNTDOWN ? gap : 2 * gap;
        int h = pad + place_words(ui, l, NULL, inner, gap) + (hh ? 2 * gap + hh : 0) + after +
                buttons_h(ui, l, gap) + pad;
        h = h < H - 2 * margin ? h : H - 2 * margin;
        l->card = bm_rect((W - cw) / 2, (H - h) / 2, cw, h);
        SDL_Rect c = bm_rect_inset(l->card, pad);
        place_words(ui, l, &c, inner, gap);
        if (hh) {
            bm_rect_take_top(&c, 2 * gap);
            l->hero = bm_rect_take_top(&c, hh);
        }
        place_buttons(ui, l, c, gap);
        return;
    }
    /* Landscape: the words (and the buttons, when there is a large part) on the left, the
     * large part (or the buttons) on the right. */
    int cw = W - 2 * margin < bm_ui_px(ui, 1600) ? W - 2 * margin : bm_ui_px(ui, 1600);
    int inner = cw - 2 * pad, colgap = bm_ui_px(ui, t->space[BM_SPACE_XL]);
    int left_w = (inner - colgap) * 11 / 20;
    int words = place_words(ui, l, NULL, left_w, gap);
    int left_h = words + (hh ? 2 * gap + buttons_h(ui, l, gap) : 0);
    int right_h = hh ? hh : buttons_h(ui, l, gap);
    int h = pad + (left_h > right_h ? left_h : right_h) + pad;
    h = h < H - 2 * margin ? h : H - 2 * margin;
    l->card = bm_rect((W - cw) / 2, (H - h) / 2, cw, h);
    SDL_Rect c = bm_rect_inset(l->card, pad);
    SDL_Rect left = bm_rect_take_left(&c, left_w);
    bm_rect_take_left(&c, colgap);
    SDL_Rect right = c;
    place_words(ui, l, &left, left_w, gap);
    if (hh) {
        l->hero = bm_rect(right.x, right.y + (right.h - hh) / 2, right.w, hh);
        place_buttons(ui, l, left, gap);
    } else {
        int bh = buttons_h(ui, l, gap);
        place_buttons(ui, l, bm_rect(right.x, right.y + (right.h - bh) / 2, right.w, bh), gap);
    }
}

/* ---- drawing ---- */

static void element_name(const struct bm_overlay_vm *vm, const struct button_spec *b, char *buf,
                         size_t size)
{
    snprintf(buf, size, "%s.%s", bm_overlay_name(vm->kind), b->part);
}

static void draw_hotline(struct bm_ui *ui, SDL_Rect r, const struct bm_overlay_vm *vm,
                         const struct content *c)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Rect box = r;
    if (c->hero_label) {
        struct bm_ui_font lf = message_font(ui);
        bm_ui_text_block(ui, bm_rect_take_top(&box, line_h(lf)), c->hero_label, lf, 1,
                         BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
    /* The number as large as the box allows, in tabular figures. */
    struct bm_ui_font nf = number_font(ui);
    SDL_Rect num = bm_rect_take_top(&box, line_h(nf));
    int w = bm_ui_tabular_width(ui, vm->hotline, nf);
    if (w > num.w && w > 0)
        nf.px = nf.px * num.w / w;
    bm_ui_label_tabular(ui, num, vm->hotline, nf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_top(&box, bm_ui_px(ui, t->space[BM_SPACE_M]));
    char uri[64];
    bm_overlay_tel_uri(vm->hotline, uri, sizeof uri);
    struct bm_qr q = {uri, _("Scan with your phone to call")};
    /* The whole width, for the caption; the height keeps the code at its side. */
    bm_qr_draw(ui, bm_rect(box.x, box.y, box.w, qr_side(ui) + qr_caption_h(ui)), &q);
}

void bm_overlay_draw(struct bm_ui *ui, const struct bm_overlay_vm *vm)
{
    if (vm->kind == BM_OVERLAY_NONE)
        return;
    struct layout l;
    layout(ui, vm, &l);
    bm_dialog_backdrop(ui, l.card); /* the toolkit's dialogs' dim and card */

    if (l.c.glyph) {
        int ir = l.icon.w / 2;
        bm_ui_fill_circle(ui, l.icon.x + ir, l.icon.y + ir, ir, l.c.icon_bg);
        bm_ui_label(ui, l.icon, l.c.glyph, (struct bm_ui_font){BM_UI_BOLD, ir, l.c.icon_fg},
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
    int align = bm_ui_landscape(ui) ? BM_UI_ALIGN_LEFT : BM_UI_ALIGN_CENTER;
    bm_ui_text_block(ui, l.title, l.c.title, title_font(ui), 3, align | BM_UI_ALIGN_TOP);
    bm_ui_text_block(ui, l.message, l.c.message, message_font(ui), 6, align | BM_UI_ALIGN_TOP);

    if (l.c.hero == HERO_COUNTDOWN) {
        struct bm_countdown cd = {_("seconds until the session closes"), vm->deadline_ms,
                                  vm->total_ms, vm->ms};
        bm_countdown_draw(ui, l.hero, &cd);
    } else if (l.c.hero == HERO_HOTLINE) {
        draw_hotline(ui, l.hero, vm, &l.c);
    }

    for (size_t i = 0; i < l.c.count; i++) {
        char name[BM_SCREEN_NAME_MAX];
        element_name(vm, &l.c.buttons[i], name, sizeof name);
        struct bm_button b = {.name = name,
                              .label = l.c.buttons[i].label,
                              .kind = l.c.buttons[i].kind,
                              .pressed = vm->pressed && strcmp(vm->pressed, name) == 0};
        bm_button_draw(ui, l.buttons[i], &b);
    }
}

size_t bm_overlay_elements(struct bm_ui *ui, const struct bm_overlay_vm *vm,
                           struct bm_screen_element *out, size_t cap)
{
    if (vm->kind == BM_OVERLAY_NONE)
        return 0;
    struct layout l;
    layout(ui, vm, &l);
    size_t n = 0;
    for (size_t i = 0; i < l.c.count; i++)
        bm_scr_add(out, cap, &n, l.buttons[i], l.c.buttons[i].intent, 0, "%s.%s",
                   bm_overlay_name(vm->kind), l.c.buttons[i].part);
    return n;
}
