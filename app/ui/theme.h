/*
 * theme.h - design tokens: the colours, type scale, spacing and radii every screen draws with.
 *
 * A theme is plain data in one struct, so the standard, elderly and high-contrast themes are
 * three constant tables, and a screen never names a colour or a size of its own: it asks for
 * "primary", "help" or "title" and gets what the current theme says. Sizes are in design
 * pixels on a 1080-pixel-wide canvas (bm_ui_px scales them to the window).
 */
#ifndef BM_UI_THEME_H
#define BM_UI_THEME_H

#include <SDL.h>

/* Accent hues for categories and quick-entry icons; an item names one by index. */
enum bm_theme_hue {
    BM_HUE_BLUE,
    BM_HUE_GREEN,
    BM_HUE_ORANGE,
    BM_HUE_PURPLE,
    BM_HUE_TEAL,
    BM_HUE_RED,
    BM_HUE_COUNT
};

/* The type scale, smallest first. */
enum bm_theme_type {
    BM_TYPE_CAPTION, /* small print that still reads at arm's length */
    BM_TYPE_BODY,    /* running text, notices */
    BM_TYPE_LABEL,   /* button and tile labels */
    BM_TYPE_SUBTITLE,
    BM_TYPE_TITLE,   /* a card's or a header's title */
    BM_TYPE_HEADLINE,
    BM_TYPE_DISPLAY, /* the one big call on a screen */
    BM_TYPE_CLOCK,   /* the attract clock */
    BM_TYPE_COUNT
};

enum bm_theme_space { BM_SPACE_XS, BM_SPACE_S, BM_SPACE_M, BM_SPACE_L, BM_SPACE_XL, BM_SPACE_COUNT };
enum bm_theme_radius { BM_RADIUS_S, BM_RADIUS_M, BM_RADIUS_L, BM_RADIUS_COUNT };

struct bm_theme {
    const char *name;

    /* Surfaces */
    SDL_Color background;     /* the page behind cards */
    SDL_Color surface;        /* cards, bars */
    SDL_Color surface_alt;    /* quiet buttons */
    SDL_Color border;
    SDL_Color shadow;         /* the darkest tone of a card's shadow, with alpha */

    /* Text */
    SDL_Color text;
    SDL_Color text_muted;
    SDL_Color text_on_dark;
    SDL_Color text_on_dark_muted;

    /* Brand and actions */
    SDL_Color primary;        /* headers, the primary action */
    SDL_Color primary_dark;   /* gradient end, headline text */
    SDL_Color primary_soft;   /* quiet primary buttons */
    SDL_Color accent;         /* the ID-card call to action (gold) */
    SDL_Color accent_dark;
    SDL_Color text_on_accent;

    /* Help: always this colour and always in the same place (bottom left). */
    SDL_Color help;
    SDL_Color text_on_help;

    /* Elderly mode button and notices */
    SDL_Color warm_soft;
    SDL_Color warm_text;
    SDL_Color notice_bg;
    SDL_Color notice_border;
    SDL_Color notice_badge;
    SDL_Color notice_text;

    /* Category and icon hues: [hue][0] light end, [hue][1] dark end of a gradient. */
    SDL_Color hue[BM_HUE_COUNT][2];

    int type[BM_TYPE_COUNT];
    int space[BM_SPACE_COUNT];
    int radius[BM_RADIUS_COUNT];
    double min_target_mm; /* smallest side of anything tappable */
};

/* The standard theme (blue government look, help in red). */
const struct bm_theme *bm_theme_standard(void);

/* 长辈模式: the standard palette, type >= 1.5x, larger spacing and targets (18 mm). */
const struct bm_theme *bm_theme_elderly(void);

/* High contrast: black on white, black borders, darker colours (white text on each >= 7:1). */
const struct bm_theme *bm_theme_high_contrast(void);

/* Looks a theme up by name ("standard", "elderly", "high_contrast"); NULL if unknown. */
const struct bm_theme *bm_theme_find(const char *name);

/* c with alpha a. */
SDL_Color bm_color_alpha(SDL_Color c, Uint8 a);
/* The colour t (0..1) of the way from a to b. */
SDL_Color bm_color_mix(SDL_Color a, SDL_Color b, float t);

#endif
