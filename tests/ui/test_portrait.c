/*
 * test_portrait.c - the card holder's photo and its placeholder (bm_ui_portrait): a decoded
 * photo is drawn scaled into its box keeping its shape, with its colours; without one, a
 * neutral silhouette in the theme's tones. Both are written as PNGs into BM_TEST_TMP for
 * people to look at.
 */
#include "fixture.h"
#include "test_support.h"

#include "ui/theme.h"
#include "ui/ui.h"

#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <stdlib.h>

#define W 102
#define H 126

static SDL_Color pixel(SDL_Surface *s, int x, int y)
{
    Uint32 v = ((const Uint32 *)s->pixels)[y * (s->pitch / 4) + x];
    SDL_Color c;
    SDL_GetRGBA(v, s->format, &c.r, &c.g, &c.b, &c.a);
    return c;
}

static void assert_near(SDL_Color a, SDL_Color b, int tolerance)
{
    if (abs(a.r - b.r) > tolerance || abs(a.g - b.g) > tolerance || abs(a.b - b.b) > tolerance)
        fail_msg("colour %d,%d,%d is not near %d,%d,%d", a.r, a.g, a.b, b.r, b.g, b.b);
}

static void test_photo_and_placeholder(void **state)
{
    (void)state;
    struct bm_canvas c;
    enum bm_err err = bm_canvas_open(&c, 600, 400, 160);
    if (err == BM_ERR_NOT_FOUND)
        bm_test_skip_or_fail("Noto Sans CJK fonts");
    assert_int_equal(err, BM_OK);
    const struct bm_theme *t = bm_ui_theme(c.ui);

    /* A photo with a colour per quarter, so scaling and orientation both show. */
    static uint8_t rgb[W * H * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = rgb + (y * W + x) * 3;
            p[0] = x < W / 2 ? 200 : 20;
            p[1] = y < H / 2 ? 180 : 40;
            p[2] = 90;
        }
    SDL_Rect left = {20, 20, 260, 360}, right = {320, 20, 260, 360};
    bm_ui_frame_begin(c.ui);
    bm_ui_portrait(c.ui, left, NULL, 0, 0);
    bm_ui_portrait(c.ui, right, rgb, W, H);
    bm_ui_frame_end(c.ui);

    char png[4096];
    snprintf(png, sizeof png, "%s/portrait.png", bm_test_mkdtemp("portrait"));
    assert_int_equal(IMG_SavePNG(c.surface, png), 0);

    /* Placeholder: the box's ID-photo shape (260 wide -> 260 x 321, centred), the head in
     * the border tone at 40 % of the height, the frame's own tone in its top corner. */
    int ph = 260 * H / W, py = 20 + (360 - ph) / 2;
    assert_near(pixel(c.surface, 20 + 130, py + ph * 40 / 100), t->border, 2);
    assert_near(pixel(c.surface, 20 + 20, py + 8), t->surface_alt, 2);
    assert_near(pixel(c.surface, 20 + 130, py + ph - 4), t->border, 2); /* shoulders */

    /* Photo: each quarter's colour where it belongs, top row first. */
    int x0 = 320, y0 = py;
    assert_near(pixel(c.surface, x0 + 60, y0 + 60), (SDL_Color){200, 180, 90, 255}, 4);
    assert_near(pixel(c.surface, x0 + 200, y0 + 60), (SDL_Color){20, 180, 90, 255}, 4);
    assert_near(pixel(c.surface, x0 + 60, y0 + ph - 60), (SDL_Color){200, 40, 90, 255}, 4);
    assert_near(pixel(c.surface, x0 + 200, y0 + ph - 60), (SDL_Color){20, 40, 90, 255}, 4);
    /* Outside the photo's shape the page is untouched. */
    assert_near(pixel(c.surface, x0 + 130, 20 + 2), pixel(c.surface, 300, 2), 0);
    bm_canvas_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_photo_and_placeholder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
