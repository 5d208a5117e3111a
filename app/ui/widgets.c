/*
 * widgets.c - what the widgets share (elements, text that never overflows, the portrait /
 * landscape layout helpers) and the widgets a resident presses: button, icon tile, dialog.
 *
 * Design: every widget computes its rectangles in one layout function that both drawing and
 * the element list call, so a tap lands on exactly what was drawn. Colours and sizes come
 * from the theme, so the elderly theme (type 1.5x, 18 mm targets) needs no code of its own.
 * A pressed part is drawn darker and without its shadow, sunk by a pixel or two: feedback in
 * the next frame, without waiting for the release and without hover.
 *
 * Main thread only.
 */
#include "ui/widgets.h"

#include "ui/ui_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Elements ---------------------------------------------------------------------------- */

void bm_ui_element_add(struct bm_ui_element *out, size_t cap, size_t *n, SDL_Rect r, int index,
                       bool disabled, const char *name_fmt, ...)
{
    if (*n < cap) {
        struct bm_ui_element *e = &out[*n];
        va_list ap;
        va_start(ap, name_fmt);
        vsnprintf(e->name, sizeof e->name, name_fmt, ap);
        va_end(ap);
        e->rect = r;
        e->index = index;
        e->disabled = disabled;
    }
    (*n)++;
}

const struct bm_ui_element *bm_ui_element_hit(const struct bm_ui_element *list, size_t n, int x,
                                              int y)
{
    for (size_t i = 0; i < n; i++)
        if (bm_rect_contains(list[i].rect, x, y))
            return &list[i];
    return NULL;
}

const struct bm_ui_element *bm_ui_element_find(const struct bm_ui_element *list, size_t n,
                                               const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

int bm_ui_target_px(struct bm_ui *ui, int design)
{
    int px = bm_ui_px(ui, design), min = bm_ui_min_target(ui);
    return px > min ? px : min;
}

int bm_ui_next_frame_min(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

/* ---- Text that never overflows ----------------------------------------------------------- */

static int text_width(struct bm_ui *ui, const char *s, struct bm_ui_font f)
{
    TTF_Font *font = bm_ui_font(ui, f.weight, f.px);
    int w = 0, h = 0;
    if (!font || TTF_SizeUTF8(font, s, &w, &h) != 0)
        return 0;
    return w;
}

/* Cuts buf (a line that was followed by more text) so that buf + "…" fits max_w. */
static void ellipsize(struct bm_ui *ui, char *buf, size_t size, struct bm_ui_font f, int max_w)
{
    static const char dots[] = "…";
    size_t len = strlen(buf);
    for (;;) {
        while (len > 0 && buf[len - 1] == ' ')
            len--;
        char probe[512];
        snprintf(probe, sizeof probe, "%.*s%s", (int)len, buf, dots);
        if (len == 0 || text_width(ui, probe, f) <= max_w) {
            snprintf(buf, size, "%s", probe);
            return;
        }
        /* Drop one UTF-8 character. */
        do
            len--;
        while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80);
    }
}

size_t bm_ui_text_block(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                        size_t max_lines, int align)
{
    if (!text || !*text || box.w <= 0)
        return 0;
    int halign = align & (BM_UI_ALIGN_LEFT | BM_UI_ALIGN_CENTER | BM_UI_ALIGN_RIGHT);
    struct bm_ui_font one = f;
    one.px = bm_ui_fit_px(ui, text, f, box.w, f.px * 85 / 100);
    if (text_width(ui, text, one) <= box.w && one.px <= box.h) {
        bm_ui_label(ui, box, text, one, halign | (align & 0x70));
        return 1;
    }
    if (max_lines > BM_UI_MAX_LINES)
        max_lines = BM_UI_MAX_LINES;
    /* Wrap at full size if the box holds enough lines, else at the smaller size if that
     * gains a line (a button's second line), cutting with "…" what still does not fit. */
    size_t fit = (size_t)(box.h / (f.px * 6 / 5));
    size_t fit_small = (size_t)(box.h / (one.px * 6 / 5));
    if (fit < max_lines && fit_small > fit) {
        f.px = one.px;
        fit = fit_small;
    }
    int line_h = f.px * 6 / 5;
    if (fit > max_lines)
        fit = max_lines;
    if (fit < 1)
        fit = 1;
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    bool truncated = false;
    size_t n = bm_ui_wrap(ui, text, f, box.w, align & BM_UI_WRAP_WORDS, lines, fit, &truncated);
    int block = (int)n * line_h;
    int y = box.y + (box.h - block) / 2;
    if (align & BM_UI_ALIGN_TOP)
        y = box.y;
    else if (align & BM_UI_ALIGN_BOTTOM)
        y = box.y + box.h - block;
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)lines[i].len, text + lines[i].start);
        if ((i + 1 == n && truncated) || text_width(ui, buf, f) > box.w)
            ellipsize(ui, buf, sizeof buf, f, box.w);
        int h = line_h < box.h ? line_h : box.h;
        bm_ui_label(ui, bm_rect(box.x, y + (int)i * line_h, box.w, h), buf, f,
                    halign | BM_UI_ALIGN_MIDDLE);
    }
    /* The words on screen are the whole text too, not only its lines: a journey expecting
     * "Hotline 12345" finds it on a button that wrapped it in two. */
    bm_ui_texts_note(ui, text);
    return n;
}

/* ---- Layout ------------------------------------------------------------------------------ */

bool bm_ui_landscape(const struct bm_ui *ui)
{
    return bm_ui_width(ui) > bm_ui_height(ui);
}

void bm_ui_split(const struct bm_ui *ui, SDL_Rect r, float side_share, int gap, SDL_Rect *main,
                 SDL_Rect *side)
{
    SDL_Rect m = r;
    if (bm_ui_landscape(ui)) {
        *side = bm_rect_take_right(&m, (int)((float)(r.w - gap) * side_share));
        bm_rect_take_right(&m, gap);
    } else {
        *side = bm_rect_take_bottom(&m, (int)((float)(r.h - gap) * side_share));
        bm_rect_take_bottom(&m, gap);
    }
    *main = m;
}

int bm_ui_columns(struct bm_ui *ui, SDL_Rect r, int min_w, int gap, int max_cols)
{
    int w = bm_ui_px(ui, min_w);
    int min = bm_ui_min_target(ui);
    if (w < min)
        w = min;
    int cols = (r.w + gap) / (w + gap);
    if (cols > max_cols)
        cols = max_cols;
    return cols < 1 ? 1 : cols;
}

/* ---- Button ------------------------------------------------------------------------------ */

static struct bm_ui_font font_of(struct bm_ui *ui, enum bm_theme_type type, enum bm_ui_weight w,
                                 SDL_Color c)
{
    struct bm_ui_font f = {w, bm_ui_px(ui, bm_ui_theme(ui)->type[type]), c};
    return f;
}

/* Darker for a pressed face: 18 % of the way to the theme's darkest primary. */
static SDL_Color pressed_color(const struct bm_theme *t, SDL_Color c)
{
    return bm_color_mix(c, t->primary_dark, 0.18f);
}

int bm_button_height(struct bm_ui *ui)
{
    return bm_ui_target_px(ui, bm_ui_theme(ui)->type[BM_TYPE_SUBTITLE] * 13 / 5);
}

void bm_button_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_button *b)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    SDL_Color top, bottom, fg;
    bool border = false, shadow = true;
    SDL_Color edge = t->border;
    switch (b->kind) {
    case BM_BUTTON_PRIMARY:
        top = t->primary, bottom = t->primary_dark, fg = t->text_on_dark;
        break;
    case BM_BUTTON_ACCENT:
        top = t->accent, bottom = t->accent_dark, fg = t->text_on_accent;
        break;
    case BM_BUTTON_HELP:
        top = t->help, bottom = t->help, fg = t->text_on_help;
        break;
    case BM_BUTTON_SECONDARY:
        top = t->primary_soft, bottom = t->primary_soft, fg = t->primary_dark, shadow = false;
        edge = bm_color_alpha(t->primary, 0x70);
        border = true;
        break;
    case BM_BUTTON_QUIET:
    default:
        top = t->surface, bottom = t->surface, fg = t->text, border = true;
        break;
    }
    if (b->disabled) {
        /* Flat on the page with a thin outline: clearly not a live button. */
        top = bottom = t->background;
        fg = t->text_muted;
        edge = t->border;
        shadow = false;
        border = true;
    } else if (b->pressed) {
        top = pressed_color(t, top);
        bottom = pressed_color(t, bottom);
        shadow = false;
    }
    SDL_Rect face = r;
    if (b->pressed && !b->disabled)
        face = bm_rect_inset(r, bm_ui_px(ui, 3)); /* sinks in, never spills */
    if (shadow)
        bm_ui_shadow(ui, face, radius, bm_ui_px(ui, 12), bm_ui_px(ui, 4),
                     bm_color_alpha(t->shadow, 0x40));
    bm_ui_fill_rrect_gradient(ui, face, radius, top, bottom, BM_UI_GRADIENT_VERTICAL);
    if (border)
        bm_ui_stroke_rrect(ui, face, radius, bm_ui_px(ui, 2), edge);

    struct bm_ui_font f = font_of(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, fg);
    SDL_Rect in =
        bm_rect_inset4(face, bm_ui_px(ui, 24), bm_ui_px(ui, 6), bm_ui_px(ui, 24), bm_ui_px(ui, 6));
    if (b->glyph && *b->glyph) {
        /* Icon and label centred together when the label is short, icon at the left when not. */
        int gw = f.px * 5 / 4, gap = bm_ui_px(ui, 12);
        int tw = bm_ui_text_size(ui, b->label ? b->label : "", f).x;
        int avail = in.w - gw - gap;
        int group = gw + gap + (tw < avail ? tw : avail);
        SDL_Rect g = bm_rect(in.x + (in.w - group) / 2, in.y, gw, in.h);
        bm_ui_label(ui, g, b->glyph, f, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        in = bm_rect(g.x + gw + gap, in.y, group - gw - gap, in.h);
        bm_ui_text_block(ui, in, b->label, f, 2, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    } else {
        bm_ui_text_block(ui, in, b->label, f, 2, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
}

size_t bm_button_elements(struct bm_ui *ui, SDL_Rect r, const struct bm_button *b,
                          struct bm_ui_element *out, size_t cap)
{
    (void)ui;
    size_t n = 0;
    bm_ui_element_add(out, cap, &n, r, 0, b->disabled, "%s", b->name ? b->name : "button");
    return n;
}

/* ---- Icon tile --------------------------------------------------------------------------- */

int bm_tile_min_side(struct bm_ui *ui)
{
    return bm_ui_target_px(ui, bm_ui_theme(ui)->type[BM_TYPE_LABEL] * 11 / 2);
}

void bm_tile_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_tile *tile)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int hue = tile->hue >= 0 && tile->hue < BM_HUE_COUNT ? (int)tile->hue : 0;
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    SDL_Color bg = tile->pressed && !tile->disabled ? pressed_color(t, t->surface) : t->surface;
    if (!tile->pressed && !tile->disabled)
        bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 14), bm_ui_px(ui, 4),
                     bm_color_alpha(t->shadow, 0x18));
    bm_ui_fill_rrect(ui, r, radius, tile->disabled ? t->surface_alt : bg);
    /* The outline carries the edge where a shadow cannot (high contrast: white on white). */
    bm_ui_stroke_rrect(ui, r, radius, bm_ui_px(ui, 2), t->border);

    /* The disc takes the upper part, the label (up to two lines) the rest. */
    struct bm_ui_font lf =
        font_of(ui, BM_TYPE_LABEL, BM_UI_REGULAR, tile->disabled ? t->text_muted : t->text);
    int label_h = lf.px * 6 / 5 * 2;
    int pad = bm_ui_px(ui, 16);
    int disc_space = r.h - label_h - 3 * pad;
    int ir = (disc_space < r.w - 2 * pad ? disc_space : r.w - 2 * pad) / 2;
    int max_ir = bm_ui_px(ui, t->type[BM_TYPE_LABEL] * 5 / 4);
    if (ir > max_ir)
        ir = max_ir;
    if (ir < 1)
        ir = 1;
    int block = 2 * ir + pad + label_h;
    int top = r.y + (r.h - block) / 2;
    int cx = r.x + r.w / 2, cy = top + ir;
    SDL_Color from = tile->disabled ? t->text_muted : t->hue[hue][0];
    SDL_Color to = tile->disabled ? t->text_muted : t->hue[hue][1];
    SDL_Rect disc = bm_rect(cx - ir, cy - ir, 2 * ir, 2 * ir);
    bm_ui_fill_rrect_gradient(ui, disc, ir, from, to, BM_UI_GRADIENT_DIAGONAL);
    if (tile->glyph)
        bm_ui_label(ui, disc, tile->glyph,
                    (struct bm_ui_font){BM_UI_BOLD, ir * 19 / 20, t->text_on_dark},
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    SDL_Rect label = bm_rect(r.x + pad / 2, cy + ir + pad, r.w - pad, label_h);
    bm_ui_text_block(ui, label, tile->label, lf, 2, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
    if (tile->badge && *tile->badge) {
        struct bm_ui_font pf = font_of(ui, BM_TYPE_CAPTION, BM_UI_REGULAR, t->text_on_dark);
        pf.px = pf.px * 4 / 5;
        int pw = bm_ui_text_size(ui, tile->badge, pf).x + bm_ui_px(ui, 20);
        int max_w = r.w - 2 * bm_ui_px(ui, 10);
        pw = pw < max_w ? pw : max_w;
        SDL_Rect pill =
            bm_rect(r.x + r.w - pw - bm_ui_px(ui, 10), r.y + bm_ui_px(ui, 10), pw, pf.px * 3 / 2);
        bm_ui_fill_rrect(ui, pill, pill.h / 2, t->text_muted);
        bm_ui_text_block(ui, bm_rect_inset4(pill, bm_ui_px(ui, 10), 0, bm_ui_px(ui, 10), 0),
                         tile->badge, pf, 1, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
}

size_t bm_tile_elements(struct bm_ui *ui, SDL_Rect r, const struct bm_tile *t,
                        struct bm_ui_element *out, size_t cap)
{
    (void)ui;
    size_t n = 0;
    /* A greyed tile stays tappable: its screen explains and offers another way. */
    bm_ui_element_add(out, cap, &n, r, 0, false, "%s", t->name ? t->name : "tile");
    return n;
}

/* ---- Dialog ------------------------------------------------------------------------------ */

struct dialog_layout {
    SDL_Rect card, icon, title, message;
    SDL_Rect buttons[BM_DIALOG_MAX_BUTTONS];
    size_t count;
};

/* The lines bm_ui_text_block will use for text at width w: one if it fits when shrunk. */
static size_t wrapped_lines(struct bm_ui *ui, const char *text, struct bm_ui_font f, int w,
                            size_t max)
{
    if (!text || !*text)
        return 0;
    struct bm_ui_font one = f;
    one.px = bm_ui_fit_px(ui, text, f, w, f.px * 85 / 100);
    if (text_width(ui, text, one) <= w)
        return 1;
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    size_t n = bm_ui_wrap(ui, text, f, w, 0, lines, max, NULL);
    return n ? n : 1;
}

static void dialog_layout(struct bm_ui *ui, const struct bm_dialog *d, struct dialog_layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    memset(l, 0, sizeof *l);
    int W = bm_ui_width(ui), H = bm_ui_height(ui);
    int margin = bm_ui_px(ui, t->space[BM_SPACE_XL]);
    int pad = bm_ui_px(ui, t->space[BM_SPACE_XL]), gap = bm_ui_px(ui, t->space[BM_SPACE_M]);
    int cw = W - 2 * margin;
    if (cw > bm_ui_px(ui, 900))
        cw = bm_ui_px(ui, 900);
    int inner = cw - 2 * pad;
    struct bm_ui_font tf = font_of(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text);
    struct bm_ui_font mf = font_of(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text_muted);
    int icon = bm_ui_px(ui, t->type[BM_TYPE_TITLE] * 2);
    int title_h = (int)wrapped_lines(ui, d->title, tf, inner, 2) * tf.px * 6 / 5;
    int msg_h = (int)wrapped_lines(ui, d->message, mf, inner, 5) * mf.px * 6 / 5;
    l->count = d->button_count < BM_DIALOG_MAX_BUTTONS ? d->button_count : BM_DIALOG_MAX_BUTTONS;
    int bh = bm_button_height(ui);
    int h = pad + icon + gap + title_h + (msg_h ? gap + msg_h : 0) + 2 * gap + (int)l->count * bh +
            (l->count ? (int)(l->count - 1) * gap : 0) + pad;
    if (h > H - 2 * margin)
        h = H - 2 * margin;
    l->card = bm_rect((W - cw) / 2, (H - h) / 2, cw, h);
    SDL_Rect c = bm_rect_inset(l->card, pad);
    SDL_Rect row = bm_rect_take_top(&c, icon);
    l->icon = bm_rect(row.x + (row.w - icon) / 2, row.y, icon, icon);
    bm_rect_take_top(&c, gap);
    l->title = bm_rect_take_top(&c, title_h);
    if (msg_h) {
        bm_rect_take_top(&c, gap);
        l->message = bm_rect_take_top(&c, msg_h);
    }
    /* Buttons stacked full width from the bottom up, the default on top: the widest, the
     * easiest to hit, read first. */
    for (size_t i = l->count; i-- > 0;) {
        l->buttons[i] = bm_rect_take_bottom(&c, bh);
        bm_rect_take_bottom(&c, gap);
    }
}

/* Buttons in drawing order: the default first. */
static size_t dialog_button_at(const struct bm_dialog *d, size_t count, size_t slot)
{
    size_t def = d->default_button < count ? d->default_button : 0;
    if (slot == 0)
        return def;
    return slot <= def ? slot - 1 : slot;
}

void bm_dialog_backdrop(struct bm_ui *ui, SDL_Rect card)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    /* Dim what is behind: it is still there, but the card is what to read now. */
    bm_ui_fill_rrect(ui, bm_rect(0, 0, bm_ui_width(ui), bm_ui_height(ui)), 0,
                     bm_color_alpha(t->text, 0x99));
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_ui_shadow(ui, card, radius, bm_ui_px(ui, 30), bm_ui_px(ui, 10),
                 bm_color_alpha(t->text, 0x60));
    bm_ui_fill_rrect(ui, card, radius, t->surface);
}

void bm_dialog_draw(struct bm_ui *ui, const struct bm_dialog *d)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct dialog_layout l;
    dialog_layout(ui, d, &l);
    bm_dialog_backdrop(ui, l.card);

    /* The tone as shape and colour together: i, ! or × in a disc. */
    SDL_Color tone = d->tone == BM_DIALOG_ERROR     ? t->help
                     : d->tone == BM_DIALOG_WARNING ? t->accent_dark
                                                    : t->primary;
    const char *mark = d->tone == BM_DIALOG_ERROR ? "×" : d->tone == BM_DIALOG_WARNING ? "!" : "i";
    int ir = l.icon.w / 2;
    bm_ui_fill_circle(ui, l.icon.x + ir, l.icon.y + ir, ir, tone);
    bm_ui_label(ui, l.icon, mark, (struct bm_ui_font){BM_UI_BOLD, ir, t->text_on_dark},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    bm_ui_text_block(ui, l.title, d->title, font_of(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text), 2,
                     BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
    if (l.message.h > 0)
        bm_ui_text_block(ui, l.message, d->message,
                         font_of(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text_muted), 5,
                         BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
    for (size_t slot = 0; slot < l.count; slot++) {
        size_t i = dialog_button_at(d, l.count, slot);
        struct bm_button b = {.label = d->buttons[i],
                              .kind = slot == 0 ? BM_BUTTON_PRIMARY : BM_BUTTON_QUIET,
                              .pressed = d->pressed == (int)i};
        bm_button_draw(ui, l.buttons[slot], &b);
    }
}

size_t bm_dialog_elements(struct bm_ui *ui, const struct bm_dialog *d, struct bm_ui_element *out,
                          size_t cap)
{
    struct dialog_layout l;
    dialog_layout(ui, d, &l);
    size_t n = 0;
    for (size_t slot = 0; slot < l.count; slot++) {
        size_t i = dialog_button_at(d, l.count, slot);
        bm_ui_element_add(out, cap, &n, l.buttons[slot], (int)i, false, "%s.button.%zu",
                          d->name ? d->name : "dialog", i);
    }
    return n;
}
