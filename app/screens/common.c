/*
 * common.c - what every screen shares: date and time wording, the emblem and card styles,
 * the element list and hit-testing.
 *
 * Design: hit-testing is not a second copy of the layout. Each screen computes its layout in
 * one function and turns it into a list of named elements; a touch (or a mouse click, the
 * same input path) is looked up in that list, so what a resident taps is exactly what was
 * drawn there, and scripted journeys tap elements by name. Dates are written here in both
 * languages from tables rather than strftime, so they do not depend on the process locale.
 *
 * Main thread only (the formatting helpers are pure and safe anywhere).
 */
#include "screens/screens_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const weekday_zh[7] = {"星期日", "星期一", "星期二", "星期三",
                                          "星期四", "星期五", "星期六"};
static const char *const weekday_en[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
static const char *const month_en[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};

void bm_screen_format_time(const struct tm *t, char *buf, size_t size)
{
    int h = t->tm_hour, m = t->tm_min;
    if (h < 0 || h > 23)
        h = 0;
    if (m < 0 || m > 59)
        m = 0;
    snprintf(buf, size, "%02d:%02d", h, m);
}

void bm_screen_format_date(const struct tm *t, enum bm_lang lang, char *buf, size_t size)
{
    int wd = t->tm_wday >= 0 && t->tm_wday < 7 ? t->tm_wday : 0;
    int mon = t->tm_mon >= 0 && t->tm_mon < 12 ? t->tm_mon : 0;
    if (lang == BM_LANG_EN)
        snprintf(buf, size, "%s, %d %s %d", weekday_en[wd], t->tm_mday, month_en[mon],
                 t->tm_year + 1900);
    else
        snprintf(buf, size, "%d年%d月%d日 %s", t->tm_year + 1900, mon + 1, t->tm_mday,
                 weekday_zh[wd]);
}

struct bm_ui_font bm_scr_font(struct bm_ui *ui, enum bm_theme_type type, enum bm_ui_weight w,
                              SDL_Color c)
{
    struct bm_ui_font f = {w, bm_ui_px(ui, bm_ui_theme(ui)->type[type]), c};
    return f;
}

SDL_Rect bm_scr_column(struct bm_ui *ui)
{
    int w = bm_ui_px(ui, 1080);
    if (w > bm_ui_width(ui))
        w = bm_ui_width(ui);
    return bm_rect((bm_ui_width(ui) - w) / 2, 0, w, bm_ui_height(ui));
}

void bm_scr_draw_emblem(struct bm_ui *ui, int cx, int cy, int radius)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_shadow(ui, bm_rect(cx - radius, cy - radius, 2 * radius, 2 * radius), radius,
                 bm_ui_px(ui, 10), bm_ui_px(ui, 3), bm_color_alpha(t->shadow, 0x50));
    bm_ui_fill_circle(ui, cx, cy, radius, t->accent);
    bm_ui_fill_circle(ui, cx, cy, radius - bm_ui_px(ui, 6), t->surface);
    struct bm_ui_font f = {BM_UI_BOLD, radius * 21 / 20, t->help};
    /* The brand mark, not a word: the same in every language. */
    bm_ui_label(ui, bm_rect(cx - radius, cy - radius, 2 * radius, 2 * radius), "便", f,
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

void bm_scr_draw_card(struct bm_ui *ui, SDL_Rect r, int radius)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 18), bm_ui_px(ui, 6), t->shadow);
    bm_ui_fill_rrect(ui, r, radius, t->surface);
}

void bm_scr_add(struct bm_screen_element *out, size_t cap, size_t *n, SDL_Rect r,
                enum bm_intent_kind kind, int index, const char *name_fmt, ...)
{
    if (*n < cap) {
        struct bm_screen_element *e = &out[*n];
        va_list ap;
        va_start(ap, name_fmt);
        vsnprintf(e->name, sizeof e->name, name_fmt, ap);
        va_end(ap);
        e->rect = r;
        e->intent.kind = kind;
        e->intent.index = index;
    }
    (*n)++;
}

struct bm_intent bm_screen_hit(const struct bm_screen_element *list, size_t count, int x, int y,
                               const char **name)
{
    /* The list lives on the caller's stack: the name is copied to outlive it (until the
     * next hit, as screens.h says). */
    static char hit_name[BM_SCREEN_NAME_MAX];
    struct bm_intent in = {BM_INTENT_NONE, 0};
    hit_name[0] = '\0';
    if (count > BM_SCREEN_MAX_ELEMENTS)
        count = BM_SCREEN_MAX_ELEMENTS;
    for (size_t i = 0; i < count; i++) {
        if (bm_rect_contains(list[i].rect, x, y)) {
            snprintf(hit_name, sizeof hit_name, "%s", list[i].name);
            in = list[i].intent;
            break;
        }
    }
    if (name)
        *name = hit_name;
    return in;
}

const struct bm_screen_element *bm_screen_find(const struct bm_screen_element *list, size_t count,
                                               const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}
