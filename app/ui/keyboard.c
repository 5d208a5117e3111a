/*
 * keyboard.c - the on-screen keyboards: layout, key list, hit testing and drawing.
 *
 * One layout() computes every key's rectangle, label and style for a vm; drawing, the key
 * list and hit testing all use it, so what is hit is exactly what was drawn. Sizes are real
 * pixels from the window and the minimum touch target, not design pixels: in landscape the
 * design scale (1080 of 1920 tall) would make ten keys a row narrower than a finger, so the key
 * pitch comes from the width (capped so landscape keys stay keys, not slabs) and never goes
 * below the theme's minimum target at the configured dpi.
 *
 * Rows are measured in key units (the Latin row of ten is ten units): wide keys (space, done,
 * shift) take more units. Numeric pads are three digit columns and an action column.
 */
#include "ui/keyboard.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

enum style {
    STYLE_CHAR,    /* white key, dark text */
    STYLE_ACTION,  /* tinted key: shift, backspace, switch, pages */
    STYLE_PRIMARY, /* done */
    STYLE_CAND,    /* a candidate chip */
    STYLE_OFF,     /* drawn quiet, not listed, not hit */
};

enum icon { ICON_NONE, ICON_BACKSPACE, ICON_SHIFT, ICON_PREV, ICON_NEXT };

struct kkey {
    struct bm_kbd_key key;
    const char *label; /* NULL: draw key.text */
    enum style style;
    enum icon icon;
    bool on; /* shift engaged / first candidate */
};

struct layout {
    SDL_Rect panel;
    int pitch, gap, kh, x0;
    SDL_Rect preedit, bar; /* pinyin */
    struct kkey keys[BM_KBD_MAX_KEYS];
    size_t count;
};

static int imax(int a, int b)
{
    return a > b ? a : b;
}
static int imin(int a, int b)
{
    return a < b ? a : b;
}

/* Whether the field would take text now (all keys are live without a field). */
static bool field_takes(const struct bm_input_field *field, const char *text)
{
    if (!field)
        return true;
    struct bm_input_field copy = *field;
    bool ok = bm_input_insert(&copy, text);
    bm_input_wipe(&copy);
    return ok;
}

static struct kkey *add(struct layout *l, SDL_Rect r, enum bm_kbd_action action, enum style style,
                        const char *name)
{
    if (l->count >= BM_KBD_MAX_KEYS)
        return NULL;
    struct kkey *k = &l->keys[l->count++];
    memset(k, 0, sizeof *k);
    k->key.rect = r;
    k->key.action = action;
    k->style = style;
    snprintf(k->key.name, sizeof k->key.name, "%s", name);
    return k;
}

/* The rectangle of units [from, from + units) of a row at y, with half a gap each side. */
static SDL_Rect unit_rect(const struct layout *l, int y, double from, double units)
{
    int a = l->x0 + (int)(from * l->pitch + 0.5),
        b = l->x0 + (int)((from + units) * l->pitch + 0.5);
    return bm_rect(a + l->gap / 2, y, b - a - l->gap, l->kh);
}

/* A character key typing text (shown as label, or text if NULL). */
static void add_char(struct layout *l, SDL_Rect r, const char *text, const char *name_suffix,
                     bool live)
{
    char name[BM_KBD_NAME_MAX];
    snprintf(name, sizeof name, "kbd.key.%s", name_suffix);
    struct kkey *k = add(l, r, BM_KBD_TEXT, live ? STYLE_CHAR : STYLE_OFF, name);
    if (k)
        snprintf(k->key.text, sizeof k->key.text, "%s", text);
}

/* A row of single letters starting at unit `from`. */
static void add_letters(struct layout *l, const struct bm_kbd_vm *vm, int y, double from,
                        const char *letters, bool live)
{
    for (size_t i = 0; letters[i]; i++) {
        char lower[2] = {letters[i], 0}, typed[2] = {letters[i], 0};
        if (vm->layout == BM_KBD_LATIN && vm->shift)
            typed[0] = (char)(letters[i] - 'a' + 'A');
        bool ok = live && (vm->layout == BM_KBD_PINYIN || field_takes(vm->field, typed));
        add_char(l, unit_rect(l, y, from + (double)i, 1), typed, lower, ok);
    }
}

static void bottom_row(struct layout *l, const struct bm_kbd_vm *vm, int y)
{
    struct kkey *k = add(l, unit_rect(l, y, 0, 2), BM_KBD_SWITCH, STYLE_ACTION, "kbd.switch");
    if (k)
        k->label = vm->layout == BM_KBD_PINYIN ? "ABC" : _("Pinyin");
    k = add(l, unit_rect(l, y, 2, 5.5), BM_KBD_SPACE,
            field_takes(vm->field, " ") || vm->layout == BM_KBD_PINYIN ? STYLE_CHAR : STYLE_OFF,
            "kbd.space");
    if (k)
        k->label = _("Space");
    k = add(l, unit_rect(l, y, 7.5, 2.5), BM_KBD_DONE, STYLE_PRIMARY, "kbd.done");
    if (k)
        k->label = _("Done");
}

static void layout_letters(const struct bm_kbd_vm *vm, struct layout *l, int y)
{
    int row = l->kh + l->gap;
    bool pinyin = vm->layout == BM_KBD_PINYIN;
    bool live = !pinyin || vm->pinyin_available;
    if (!pinyin) {
        static const char digits[] = "1234567890";
        for (int i = 0; i < 10; i++) {
            char d[2] = {digits[i], 0};
            add_char(l, unit_rect(l, y, i, 1), d, d, field_takes(vm->field, d));
        }
        y += row;
    }
    add_letters(l, vm, y, 0, "qwertyuiop", live);
    y += row;
    add_letters(l, vm, y, 0.5, "asdfghjkl", live);
    y += row;
    if (pinyin) {
        /* The syllable separator (xi'an), only once something is being composed. */
        bool composing = vm->preedit && *vm->preedit;
        struct kkey *k = add(l, unit_rect(l, y, 0, 1.5), BM_KBD_TEXT,
                             live && composing ? STYLE_ACTION : STYLE_OFF, "kbd.key.apostrophe");
        if (k) {
            snprintf(k->key.text, sizeof k->key.text, "'");
            k->label = _("Split");
        }
    } else {
        struct kkey *k = add(l, unit_rect(l, y, 0, 1.5), BM_KBD_SHIFT, STYLE_ACTION, "kbd.shift");
        if (k) {
            k->icon = ICON_SHIFT;
            k->on = vm->shift;
        }
    }
    add_letters(l, vm, y, 1.5, "zxcvbnm", live);
    struct kkey *k =
        add(l, unit_rect(l, y, 8.5, 1.5), BM_KBD_BACKSPACE, STYLE_ACTION, "kbd.backspace");
    if (k)
        k->icon = ICON_BACKSPACE;
    y += row;
    bottom_row(l, vm, y);
}

/* The candidate bar: the preedit above, then previous page, six candidates, next page. */
static void layout_bar(const struct bm_kbd_vm *vm, struct layout *l, int y)
{
    if (!vm->pinyin_available)
        return;
    struct kkey *k = add(l, unit_rect(l, y, 0, 1), BM_KBD_PREV_PAGE,
                         vm->has_prev_page ? STYLE_ACTION : STYLE_OFF, "kbd.prev_page");
    if (k)
        k->icon = ICON_PREV;
    size_t n = vm->candidates ? vm->candidate_count : 0;
    n = n < BM_KBD_PAGE_MAX ? n : BM_KBD_PAGE_MAX;
    for (size_t i = 0; i < n; i++) {
        char name[BM_KBD_NAME_MAX];
        snprintf(name, sizeof name, "kbd.cand.%zu", i);
        k = add(l, unit_rect(l, y, 1 + 8.0 * (double)i / BM_KBD_PAGE_MAX, 8.0 / BM_KBD_PAGE_MAX),
                BM_KBD_CANDIDATE, STYLE_CAND, name);
        if (k) {
            k->key.index = (int)i;
            k->label = vm->candidates[i] ? vm->candidates[i] : "";
            k->on = i == 0;
        }
    }
    k = add(l, unit_rect(l, y, 9, 1), BM_KBD_NEXT_PAGE,
            vm->has_next_page ? STYLE_ACTION : STYLE_OFF, "kbd.next_page");
    if (k)
        k->icon = ICON_NEXT;
}

/* Digit and ID pads: 1-9 in three columns, then (X or nothing) 0, and an action column of
 * backspace over done, each two rows tall. */
static void layout_pad(const struct bm_kbd_vm *vm, struct layout *l, int y)
{
    int row = l->kh + l->gap;
    for (int i = 0; i < 9; i++) {
        char d[2] = {(char)('1' + i), 0};
        add_char(l, unit_rect(l, y + (i / 3) * row, i % 3, 1), d, d, field_takes(vm->field, d));
    }
    int y3 = y + 3 * row;
    if (vm->layout == BM_KBD_ID_NUMBER)
        add_char(l, unit_rect(l, y3, 0, 1), "X", "X", field_takes(vm->field, "X"));
    add_char(l, unit_rect(l, y3, 1, 1), "0", "0", field_takes(vm->field, "0"));
    SDL_Rect back = unit_rect(l, y, 3, 1), done = unit_rect(l, y + 2 * row, 3, 1);
    back.h = done.h = 2 * l->kh + l->gap;
    struct kkey *k = add(l, back, BM_KBD_BACKSPACE, STYLE_ACTION, "kbd.backspace");
    if (k)
        k->icon = ICON_BACKSPACE;
    k = add(l, done, BM_KBD_DONE, STYLE_PRIMARY, "kbd.done");
    if (k)
        k->label = _("Done");
}

static void layout(struct bm_ui *ui, const struct bm_kbd_vm *vm, struct layout *l)
{
    memset(l, 0, sizeof *l);
    /* Keys are sized by the window (its height caps them); they fill the area's width. */
    int H = bm_ui_height(ui), min = bm_ui_min_target(ui);
    bool portrait = H >= bm_ui_width(ui);
    SDL_Rect area = vm->area.w > 0 && vm->area.h > 0 ? vm->area : bm_rect(0, 0, bm_ui_width(ui), H);
    int W = area.w;
    int margin = imax(8, W * 3 / 200);
    bool pad = vm->layout == BM_KBD_DIGITS || vm->layout == BM_KBD_ID_NUMBER;

    /* Ten units across for letters, four wider ones for the pads; capped by the height so
     * landscape keys stay key-shaped. */
    int units = pad ? 4 : 10;
    int cap = pad ? H * 14 / 100 : H * 13 / 100;
    l->pitch = imax(min + 4, imin((W - 2 * margin) / units, cap));
    l->gap = imax(4, imin(l->pitch / 9, l->pitch - min));
    int tall = portrait ? H * 62 / 1000 : H * 80 / 1000;
    l->kh = imax(min, imin(pad ? l->pitch * 6 / 10 : l->pitch * 108 / 100, tall));
    if (pad)
        l->kh = imax(min, imin(l->kh, tall * 12 / 10));
    l->x0 = area.x + (W - units * l->pitch) / 2;

    int rows = pad ? 4 : vm->layout == BM_KBD_LATIN ? 5 : 4;
    int top = l->gap * 2, bottom = margin + l->gap;
    int preedit_h = vm->layout == BM_KBD_PINYIN ? imax(l->kh * 45 / 100, 20) : 0;
    int bar_h = vm->layout == BM_KBD_PINYIN ? l->kh + l->gap : 0;
    int h = top + preedit_h + bar_h + rows * l->kh + (rows - 1) * l->gap + bottom;
    l->panel = bm_rect(area.x, area.y + area.h - h, W, h);

    int y = l->panel.y + top;
    if (vm->layout == BM_KBD_PINYIN) {
        l->preedit = bm_rect(l->x0 + l->gap / 2, y, 10 * l->pitch - l->gap, preedit_h);
        y += preedit_h;
        l->bar = bm_rect(l->x0 + l->gap / 2, y, 10 * l->pitch - l->gap, l->kh);
        layout_bar(vm, l, y);
        y += bar_h;
    }
    if (pad)
        layout_pad(vm, l, y);
    else
        layout_letters(vm, l, y);
}

SDL_Rect bm_kbd_rect(struct bm_ui *ui, const struct bm_kbd_vm *vm)
{
    struct layout l;
    layout(ui, vm, &l);
    return l.panel;
}

size_t bm_kbd_keys(struct bm_ui *ui, const struct bm_kbd_vm *vm, struct bm_kbd_key *out, size_t cap)
{
    struct layout l;
    layout(ui, vm, &l);
    size_t n = 0;
    for (size_t i = 0; i < l.count; i++) {
        if (l.keys[i].style == STYLE_OFF)
            continue;
        if (n < cap)
            out[n] = l.keys[i].key;
        n++;
    }
    return n;
}

struct bm_kbd_key bm_kbd_hit(struct bm_ui *ui, const struct bm_kbd_vm *vm, int x, int y)
{
    struct layout l;
    layout(ui, vm, &l);
    for (size_t i = 0; i < l.count; i++)
        if (l.keys[i].style != STYLE_OFF && bm_rect_contains(l.keys[i].key.rect, x, y))
            return l.keys[i].key;
    struct bm_kbd_key none;
    memset(&none, 0, sizeof none);
    return none;
}

bool bm_kbd_apply(const struct bm_kbd_key *key, struct bm_input_field *field)
{
    switch (key->action) {
    case BM_KBD_TEXT:
        return bm_input_insert(field, key->text);
    case BM_KBD_SPACE:
        return bm_input_insert(field, " ");
    case BM_KBD_BACKSPACE:
        return bm_input_backspace(field);
    default:
        return false;
    }
}

/* ---- Drawing ----------------------------------------------------------------------------- */

/* A joint of two strokes, rounded so square line ends leave no notch. */
static void joint(struct bm_ui *ui, float x, float y, float w, SDL_Color c)
{
    bm_ui_fill_circle(ui, (int)(x + 0.5f), (int)(y + 0.5f), (int)(w / 2 + 0.5f), c);
}

/* Icons are sized by the row height (kh), not the key: a two-row key keeps a normal icon. */
static void draw_icon(struct bm_ui *ui, SDL_Rect r, int kh, enum icon icon, SDL_Color c, bool on)
{
    float cx = (float)r.x + (float)r.w / 2, cy = (float)r.y + (float)r.h / 2;
    int side = imin(r.w, kh);
    float s = (float)side * 0.2f, w = (float)imax(2, side / 22);
    switch (icon) {
    case ICON_BACKSPACE: {
        /* A tag pointing left with an x in it. */
        float l = cx - s * 1.5f, rx = cx + s * 1.3f, t = cy - s * 0.85f, b = cy + s * 0.85f;
        float m = l + s * 0.8f;
        bm_ui_line(ui, l, cy, m, t, (float)w, c);
        bm_ui_line(ui, l, cy, m, b, (float)w, c);
        bm_ui_line(ui, m, t, rx, t, (float)w, c);
        bm_ui_line(ui, m, b, rx, b, (float)w, c);
        bm_ui_line(ui, rx, t, rx, b, (float)w, c);
        joint(ui, l, cy, w, c);
        joint(ui, m, t, w, c);
        joint(ui, m, b, w, c);
        joint(ui, rx, t, w, c);
        joint(ui, rx, b, w, c);
        float xc = (m + rx) / 2, d = s * 0.4f;
        bm_ui_line(ui, xc - d, cy - d, xc + d, cy + d, (float)w, c);
        bm_ui_line(ui, xc - d, cy + d, xc + d, cy - d, (float)w, c);
        break;
    }
    case ICON_SHIFT: {
        /* An upward arrow; filled stem when capitals are on. */
        float t = cy - s * 1.1f, mid = cy, b = cy + s * 1.0f;
        bm_ui_line(ui, cx, t, cx - s * 1.1f, mid, (float)w, c);
        bm_ui_line(ui, cx, t, cx + s * 1.1f, mid, (float)w, c);
        bm_ui_line(ui, cx - s * 1.1f, mid, cx - s * 0.5f, mid, (float)w, c);
        bm_ui_line(ui, cx + s * 1.1f, mid, cx + s * 0.5f, mid, (float)w, c);
        bm_ui_line(ui, cx - s * 0.5f, mid, cx - s * 0.5f, b, (float)w, c);
        bm_ui_line(ui, cx + s * 0.5f, mid, cx + s * 0.5f, b, (float)w, c);
        bm_ui_line(ui, cx - s * 0.5f, b, cx + s * 0.5f, b, (float)w, c);
        joint(ui, cx, t, w, c);
        joint(ui, cx - s * 1.1f, mid, w, c);
        joint(ui, cx + s * 1.1f, mid, w, c);
        joint(ui, cx - s * 0.5f, mid, w, c);
        joint(ui, cx + s * 0.5f, mid, w, c);
        joint(ui, cx - s * 0.5f, b, w, c);
        joint(ui, cx + s * 0.5f, b, w, c);
        if (on)
            bm_ui_fill_rrect(
                ui, bm_rect((int)(cx - s * 0.5f), (int)mid, (int)(s + 0.5f), (int)(b - mid)), 0, c);
        break;
    }
    case ICON_PREV:
    case ICON_NEXT: {
        float dir = icon == ICON_PREV ? -1.0f : 1.0f;
        bm_ui_line(ui, cx + dir * s * 0.5f, cy, cx - dir * s * 0.4f, cy - s, (float)w * 1.2f, c);
        bm_ui_line(ui, cx + dir * s * 0.5f, cy, cx - dir * s * 0.4f, cy + s, (float)w * 1.2f, c);
        joint(ui, cx + dir * s * 0.5f, cy, w * 1.2f, c);
        break;
    }
    case ICON_NONE:
        break;
    }
}

static void draw_key(struct bm_ui *ui, const struct kkey *k, bool pressed, int kh)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Rect r = k->key.rect;
    int radius = imax(4, kh * 14 / 100);
    SDL_Color fill, ink, edge = t->border;
    switch (k->style) {
    case STYLE_ACTION:
        fill = k->on ? t->primary_soft : bm_color_mix(t->surface_alt, t->border, 0.8f);
        ink = k->on ? t->primary : t->text;
        edge = bm_color_mix(t->border, t->text_muted, 0.35f);
        break;
    case STYLE_PRIMARY:
        fill = t->primary;
        ink = t->text_on_dark;
        edge = t->primary_dark;
        break;
    case STYLE_CAND:
        fill = t->surface;
        ink = k->on ? t->primary : t->text;
        break;
    case STYLE_OFF:
        fill = bm_color_mix(t->surface_alt, t->border, 0.3f);
        ink = bm_color_mix(t->text_muted, fill, 0.55f);
        edge = fill;
        break;
    case STYLE_CHAR:
    default:
        fill = t->surface;
        ink = t->text;
        break;
    }
    int lift = imax(2, kh / 30); /* the key's edge below it; a pressed key sits down on it */
    if (pressed) {
        fill = t->primary;
        ink = t->text_on_dark;
        r.y += lift;
    } else {
        bm_ui_fill_rrect(ui, bm_rect(r.x, r.y + lift, r.w, r.h), radius, edge);
    }
    bm_ui_fill_rrect(ui, r, radius, fill);

    if (k->icon != ICON_NONE) {
        draw_icon(ui, r, kh, k->icon, ink, k->on);
        return;
    }
    const char *label = k->label ? k->label : k->key.text;
    bool single = !k->label;
    struct bm_ui_font f = {single || k->style == STYLE_CAND ? BM_UI_REGULAR : BM_UI_BOLD,
                           single ? kh * 44 / 100 : kh * 32 / 100, ink};
    if (k->style == STYLE_CAND) {
        f.px = kh * 40 / 100;
        f.weight = k->on ? BM_UI_BOLD : BM_UI_REGULAR;
    }
    SDL_Rect box = bm_rect_inset4(r, imax(4, r.w / 12), 0, imax(4, r.w / 12), 0);
    bm_ui_label_fit(ui, box, label, f, imax(12, kh * 22 / 100),
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

void bm_kbd_draw(struct bm_ui *ui, const struct bm_kbd_vm *vm)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct layout l;
    layout(ui, vm, &l);
    SDL_Color panel = bm_color_mix(t->surface_alt, t->border, 0.45f);
    bm_ui_fill_rrect(ui, l.panel, 0, panel);
    bm_ui_fill_rrect(ui, bm_rect(l.panel.x, l.panel.y, l.panel.w, imax(1, l.kh / 40)), 0,
                     bm_color_mix(t->border, t->text_muted, 0.3f));

    if (vm->layout == BM_KBD_PINYIN) {
        struct bm_ui_font small = {BM_UI_REGULAR, imax(12, l.preedit.h * 70 / 100), t->text_muted};
        if (!vm->pinyin_available) {
            SDL_Rect msg = bm_rect(l.preedit.x, l.preedit.y, l.preedit.w, l.preedit.h + l.bar.h);
            struct bm_ui_font f = {BM_UI_REGULAR, l.kh * 34 / 100, t->text_muted};
            bm_ui_label_fit(ui, msg, _("Pinyin input is unavailable. Tap ABC for letters."), f,
                            imax(12, l.kh * 22 / 100), BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        } else if (vm->preedit && *vm->preedit) {
            bm_ui_label_fit(ui, l.preedit, vm->preedit, small, imax(12, l.preedit.h / 2),
                            BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        }
    }
    for (size_t i = 0; i < l.count; i++) {
        const struct kkey *k = &l.keys[i];
        bool pressed =
            k->style != STYLE_OFF && vm->pressed && strcmp(vm->pressed, k->key.name) == 0;
        draw_key(ui, k, pressed, l.kh);
    }
}
