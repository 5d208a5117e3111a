/*
 * theme.c - the built-in themes as constant tables, and small colour arithmetic.
 *
 * Design: a theme is data. The standard theme is a calm government blue with one warm gold
 * for the ID-card action and one red reserved for help; every colour pair used for text was
 * chosen for a contrast of at least 4.5:1 (white on primary ~6.4:1, on help ~4.6:1). The
 * elderly theme is the same palette with larger type, spacing and targets; the high-contrast
 * theme black on white with darker colours. Pure functions; any thread.
 */
#include "ui/theme.h"

#include <pthread.h>
#include <string.h>

#define RGB(r, g, b) {(r), (g), (b), 255}
#define RGBA(r, g, b, a) {(r), (g), (b), (a)}

static const struct bm_theme standard = {
    .name = "standard",

    .background = RGB(0xEE, 0xF3, 0xFA),
    .surface = RGB(0xFF, 0xFF, 0xFF),
    .surface_alt = RGB(0xE6, 0xEE, 0xFA),
    .border = RGB(0xD5, 0xDF, 0xEC),
    .shadow = RGBA(0x1D, 0x3F, 0x7A, 0x22),

    .text = RGB(0x1B, 0x25, 0x36),
    .text_muted = RGB(0x55, 0x61, 0x75),
    .text_on_dark = RGB(0xFF, 0xFF, 0xFF),
    .text_on_dark_muted = RGB(0xD4, 0xE3, 0xFB),

    .primary = RGB(0x17, 0x5C, 0xC9),
    .primary_dark = RGB(0x0B, 0x3E, 0x8F),
    .primary_soft = RGB(0xE3, 0xEE, 0xFD),
    .accent = RGB(0xF6, 0xC3, 0x44),
    .accent_dark = RGB(0xE8, 0x96, 0x0C),
    .text_on_accent = RGB(0x4A, 0x2A, 0x00),

    .help = RGB(0xD6, 0x36, 0x36),
    .text_on_help = RGB(0xFF, 0xFF, 0xFF),

    .warm_soft = RGB(0xFF, 0xF1, 0xD6),
    .warm_text = RGB(0x8A, 0x4B, 0x00),
    .notice_bg = RGB(0xFF, 0xF8, 0xE6),
    .notice_border = RGB(0xF3, 0xD2, 0x84),
    .notice_badge = RGB(0xE0, 0x8E, 0x0B),
    .notice_text = RGB(0x6B, 0x43, 0x05),

    .hue =
        {
            [BM_HUE_BLUE] = {RGB(0x3B, 0x86, 0xF0), RGB(0x12, 0x4F, 0xB8)},
            [BM_HUE_GREEN] = {RGB(0x2E, 0xB8, 0x6A), RGB(0x12, 0x7F, 0x45)},
            [BM_HUE_ORANGE] = {RGB(0xF5, 0x9E, 0x45), RGB(0xD9, 0x5F, 0x1C)},
            [BM_HUE_PURPLE] = {RGB(0x9B, 0x6B, 0xE0), RGB(0x6A, 0x3F, 0xB5)},
            [BM_HUE_TEAL] = {RGB(0x1F, 0xB0, 0xC0), RGB(0x0E, 0x7D, 0x8C)},
            [BM_HUE_RED] = {RGB(0xEE, 0x5D, 0x5D), RGB(0xC2, 0x34, 0x34)},
        },

    /* Body text at 30 px on a ~100 dpi 21.5" portrait panel is ~7.6 mm: legible at 1 m;
     * the clock and the start call read from three metres. */
    .type =
        {
            [BM_TYPE_CAPTION] = 26,
            [BM_TYPE_BODY] = 28,
            [BM_TYPE_LABEL] = 32,
            [BM_TYPE_SUBTITLE] = 36,
            [BM_TYPE_TITLE] = 44,
            [BM_TYPE_HEADLINE] = 56,
            [BM_TYPE_DISPLAY] = 72,
            [BM_TYPE_CLOCK] = 240,
        },
    .space = {[BM_SPACE_XS] = 8, [BM_SPACE_S] = 16, [BM_SPACE_M] = 24, [BM_SPACE_L] = 36,
              [BM_SPACE_XL] = 56},
    .radius = {[BM_RADIUS_S] = 14, [BM_RADIUS_M] = 24, [BM_RADIUS_L] = 32},
    .min_target_mm = 15.0,
};

const struct bm_theme *bm_theme_standard(void)
{
    return &standard;
}

/* 长辈模式, designed rather than zoomed: the standard palette with type 1.5x (body 42 px,
 * ~11 mm at 100 dpi), roomier spacing and 18 mm targets, so fewer, larger items fit a screen.
 * Built once from the standard table, so the two palettes cannot drift apart. */
static struct bm_theme elderly;
static pthread_once_t elderly_once = PTHREAD_ONCE_INIT;

static void build_elderly(void)
{
    static const int type[BM_TYPE_COUNT] = {
        [BM_TYPE_CAPTION] = 40, [BM_TYPE_BODY] = 42,     [BM_TYPE_LABEL] = 48,
        [BM_TYPE_SUBTITLE] = 54, [BM_TYPE_TITLE] = 66,   [BM_TYPE_HEADLINE] = 84,
        [BM_TYPE_DISPLAY] = 108, [BM_TYPE_CLOCK] = 260,
    };
    static const int space[BM_SPACE_COUNT] = {12, 20, 32, 48, 72};
    static const int radius[BM_RADIUS_COUNT] = {16, 28, 36};
    elderly = standard;
    elderly.name = "elderly";
    memcpy(elderly.type, type, sizeof type);
    memcpy(elderly.space, space, sizeof space);
    memcpy(elderly.radius, radius, sizeof radius);
    elderly.min_target_mm = 18.0;
}

const struct bm_theme *bm_theme_elderly(void)
{
    pthread_once(&elderly_once, build_elderly);
    return &elderly;
}

/* High contrast: black on white, every border black, darker brand and hue colours (white on
 * each >= 7:1). Sizes as standard. */
static struct bm_theme high_contrast;
static pthread_once_t high_contrast_once = PTHREAD_ONCE_INIT;

static void build_high_contrast(void)
{
    const SDL_Color white = RGB(0xFF, 0xFF, 0xFF), black = RGB(0x00, 0x00, 0x00);
    struct bm_theme t = standard;
    t.name = "high_contrast";
    t.background = white;
    t.surface = white;
    t.surface_alt = (SDL_Color)RGB(0xF0, 0xF0, 0xF0);
    t.border = black;
    t.shadow = (SDL_Color)RGBA(0x00, 0x00, 0x00, 0x30);
    t.text = black;
    t.text_muted = (SDL_Color)RGB(0x30, 0x30, 0x30);
    t.text_on_dark = white;
    t.text_on_dark_muted = white;
    t.primary = (SDL_Color)RGB(0x00, 0x33, 0xA0);
    t.primary_dark = (SDL_Color)RGB(0x00, 0x1F, 0x66);
    t.primary_soft = (SDL_Color)RGB(0xE8, 0xEE, 0xFF);
    t.accent = (SDL_Color)RGB(0xFF, 0xD2, 0x00);
    t.accent_dark = (SDL_Color)RGB(0xC7, 0x9A, 0x00);
    t.text_on_accent = black;
    t.help = (SDL_Color)RGB(0xB0, 0x00, 0x00);
    t.text_on_help = white;
    t.warm_soft = (SDL_Color)RGB(0xFF, 0xF0, 0xC0);
    t.warm_text = black;
    t.notice_bg = (SDL_Color)RGB(0xFF, 0xF6, 0xD0);
    t.notice_border = black;
    t.notice_badge = (SDL_Color)RGB(0x8A, 0x4B, 0x00);
    t.notice_text = black;
    static const SDL_Color hue[BM_HUE_COUNT][2] = {
        [BM_HUE_BLUE] = {RGB(0x00, 0x44, 0xCC), RGB(0x00, 0x2A, 0x80)},
        [BM_HUE_GREEN] = {RGB(0x00, 0x6B, 0x2D), RGB(0x00, 0x4D, 0x20)},
        [BM_HUE_ORANGE] = {RGB(0xA8, 0x48, 0x00), RGB(0x7A, 0x33, 0x00)},
        [BM_HUE_PURPLE] = {RGB(0x5A, 0x2D, 0xA0), RGB(0x3A, 0x16, 0x70)},
        [BM_HUE_TEAL] = {RGB(0x00, 0x5F, 0x6B), RGB(0x00, 0x43, 0x4D)},
        [BM_HUE_RED] = {RGB(0xB0, 0x00, 0x00), RGB(0x80, 0x00, 0x00)},
    };
    memcpy(t.hue, hue, sizeof hue);
    high_contrast = t;
}

const struct bm_theme *bm_theme_high_contrast(void)
{
    pthread_once(&high_contrast_once, build_high_contrast);
    return &high_contrast;
}

const struct bm_theme *bm_theme_find(const char *name)
{
    if (name && strcmp(name, standard.name) == 0)
        return &standard;
    if (name && strcmp(name, "elderly") == 0)
        return bm_theme_elderly();
    if (name && strcmp(name, "high_contrast") == 0)
        return bm_theme_high_contrast();
    return NULL;
}

SDL_Color bm_color_alpha(SDL_Color c, Uint8 a)
{
    c.a = a;
    return c;
}

static Uint8 mix8(Uint8 a, Uint8 b, float t)
{
    float v = (float)a + ((float)b - (float)a) * t;
    if (v < 0.0f)
        v = 0.0f;
    if (v > 255.0f)
        v = 255.0f;
    return (Uint8)(v + 0.5f);
}

SDL_Color bm_color_mix(SDL_Color a, SDL_Color b, float t)
{
    SDL_Color c = {mix8(a.r, b.r, t), mix8(a.g, b.g, t), mix8(a.b, b.b, t), mix8(a.a, b.a, t)};
    return c;
}
