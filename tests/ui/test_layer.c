/*
 * test_layer.c - the static layer (bm_ui_layer_begin/end) changes no pixel and is reused:
 * a screen drawn through its layer, the same screen on later frames (one copy plus the clock),
 * after the minute changes, in the other language, after a theme switch and with a button
 * pressed are compared byte for byte with the same frame drawn straight to the output (audit
 * mode bypasses the layer) on a second canvas. Counters prove that the layer was copied, not
 * drawn again, when nothing but the clock changed, and drawn again when anything else did.
 * The same on a window's software renderer (its pixel format is the window's, not the test
 * canvas's). Also: every size of text comes from one font per weight (resized, not opened
 * again).
 */
#include "test_support.h"

#include "../ui/fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct bm_canvas layered, direct;

static int setup_size(int w, int h)
{
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    if (bm_canvas_open(&layered, w, h, 96) != BM_OK || bm_canvas_open(&direct, w, h, 96) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return -1;
    }
    bm_ui_set_audit(direct.ui, true); /* audit draws every frame straight to the output */
    /* The ui's first frame never uses a layer (it would delay the first picture). */
    struct bm_attract_vm first;
    bm_fixture_attract(&first, BM_LANG_ZH_CN);
    bm_ui_frame_begin(layered.ui);
    bm_attract_draw(layered.ui, &first);
    bm_ui_frame_end(layered.ui);
    struct bm_ui_stats s;
    bm_ui_get_stats(layered.ui, &s);
    if (s.layer_draws != 0)
        return -1;
    if (bm_fixture_language(BM_LANG_ZH_CN) != BM_OK) {
        fprintf(stderr, "translations: %s\n", bm_err_detail());
        return -1;
    }
    return 0;
}

static int setup_portrait(void **state)
{
    (void)state;
    return setup_size(1080, 1920);
}

static int setup_landscape(void **state)
{
    (void)state;
    return setup_size(1920, 1080);
}

static int teardown(void **state)
{
    (void)state;
    bm_canvas_close(&layered);
    bm_canvas_close(&direct);
    return 0;
}

static void assert_same(const char *what)
{
    SDL_Rect box;
    long n = bm_canvas_differing(&layered, &direct, &box);
    if (n)
        fail_msg("%s: %ld pixels differ from drawing straight to the output, in %d,%d %dx%d", what,
                 n, box.x, box.y, box.w, box.h);
}

static void draw_home(struct bm_canvas *c, const struct bm_home_vm *vm)
{
    bm_ui_invalidate(c->ui);
    bm_ui_frame_begin(c->ui);
    bm_home_draw(c->ui, vm);
    bm_ui_frame_end(c->ui);
}

static void draw_attract(struct bm_canvas *c, const struct bm_attract_vm *vm)
{
    bm_ui_invalidate(c->ui);
    bm_ui_frame_begin(c->ui);
    bm_attract_draw(c->ui, vm);
    bm_ui_frame_end(c->ui);
}

static struct bm_ui_stats stats(void)
{
    struct bm_ui_stats s;
    bm_ui_get_stats(layered.ui, &s);
    return s;
}

static void test_home_reuses_layer_and_matches(void **state)
{
    (void)state;
    struct bm_home_vm vm;
    bm_fixture_home(&vm, BM_LANG_ZH_CN);
    struct bm_ui_stats s0 = stats();
    draw_home(&layered, &vm);
    draw_home(&direct, &vm);
    assert_same("home, first frame");
    assert_int_equal(stats().layer_draws, s0.layer_draws + 1);

    /* The minute changes: one copy and the clock. */
    vm.now.tm_min = 31;
    draw_home(&layered, &vm);
    draw_home(&direct, &vm);
    assert_same("home, the next minute");
    vm.now.tm_hour = 23;
    vm.now.tm_min = 59;
    draw_home(&layered, &vm);
    draw_home(&direct, &vm);
    assert_same("home, 23:59");
    assert_int_equal(stats().layer_draws, s0.layer_draws + 1);
    assert_int_equal(stats().layer_copies, s0.layer_copies + 2);

    /* Anything else the screen shows draws the layer again. */
    vm.elderly_on = true;
    draw_home(&layered, &vm);
    draw_home(&direct, &vm);
    assert_same("home, elderly mode on");
    vm.now.tm_mday = 30; /* the date is in the layer */
    vm.now.tm_wday = 1;
    draw_home(&layered, &vm);
    draw_home(&direct, &vm);
    assert_same("home, the next day");
    assert_int_equal(stats().layer_draws, s0.layer_draws + 3);
}

static void test_language_and_theme_redraw_layer(void **state)
{
    (void)state;
    struct bm_home_vm vm;
    assert_int_equal(bm_fixture_language(BM_LANG_EN), BM_OK);
    bm_fixture_home(&vm, BM_LANG_EN);
    struct bm_ui_stats s0 = stats();
    draw_home(&layered, &vm);
    draw_home(&direct, &vm);
    assert_same("home in English");
    assert_int_equal(stats().layer_draws, s0.layer_draws + 1);

    bm_ui_set_theme(layered.ui, bm_ui_theme(layered.ui)); /* drops every layer */
    draw_home(&layered, &vm);
    assert_same("home after a theme switch");
    assert_int_equal(stats().layer_draws, s0.layer_draws + 2);
    assert_int_equal(bm_fixture_language(BM_LANG_ZH_CN), BM_OK);
}

static void test_pressed_button(void **state)
{
    (void)state;
    struct bm_home_vm vm;
    bm_fixture_home(&vm, BM_LANG_ZH_CN);
    draw_home(&direct, &vm); /* the released picture */
    draw_home(&layered, &vm);
    struct bm_ui_stats s0 = stats();

    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_home_elements(layered.ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
    const char *names[] = {"home.quick.social_security", "home.help", "home.id_card",
                           "home.category.gov"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct bm_screen_element *e = bm_screen_find(list, n, names[i]);
        assert_non_null(e);
        vm.pressed = names[i];
        draw_home(&layered, &vm);
        SDL_Rect box;
        long changed = bm_canvas_differing(&layered, &direct, &box);
        /* Feedback in this frame, on the button and nowhere else. */
        if (changed < (long)e->rect.w * e->rect.h / 2)
            fail_msg("%s pressed: only %ld pixels changed", names[i], changed);
        assert_true(box.x >= e->rect.x && box.y >= e->rect.y &&
                    box.x + box.w <= e->rect.x + e->rect.w + 1 &&
                    box.y + box.h <= e->rect.y + e->rect.h + 1);
        vm.pressed = NULL;
        draw_home(&layered, &vm);
        assert_same("released again");
    }
    assert_int_equal(stats().layer_draws, s0.layer_draws); /* pressing is drawn over the layer */
}

static void test_attract_reuses_layer_and_matches(void **state)
{
    (void)state;
    struct bm_attract_vm vm;
    bm_fixture_attract(&vm, BM_LANG_ZH_CN);
    struct bm_ui_stats s0 = stats();
    draw_attract(&layered, &vm);
    draw_attract(&direct, &vm);
    assert_same("attract, first frame");
    vm.now.tm_hour = 18;
    vm.now.tm_min = 8;
    draw_attract(&layered, &vm);
    draw_attract(&direct, &vm);
    assert_same("attract, 18:08");
    assert_int_equal(stats().layer_draws, s0.layer_draws + 1);
    assert_int_equal(stats().layer_copies, s0.layer_copies + 1);

    /* Home and attract keep a layer each: going back and forth copies both. */
    struct bm_home_vm home;
    bm_fixture_home(&home, BM_LANG_ZH_CN);
    draw_home(&layered, &home);
    struct bm_ui_stats s1 = stats();
    draw_attract(&layered, &vm);
    draw_home(&layered, &home);
    draw_home(&direct, &home);
    assert_same("home after attract");
    assert_int_equal(stats().layer_draws, s1.layer_draws);
}

/* A frame of home read back from a window's renderer (the kiosk's case: the window's pixel
 * format, XRGB8888 with the offscreen driver, not the test canvas's ARGB8888). */
static void window_frame(SDL_Renderer *r, struct bm_ui *ui, const struct bm_home_vm *vm,
                         Uint32 *pixels, int w, int h)
{
    draw_home(&(struct bm_canvas){.renderer = r, .ui = ui}, vm);
    assert_int_equal(SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, pixels, w * 4), 0);
    (void)h;
}

static void test_window_format(void **state)
{
    (void)state;
    int w = layered.surface->w, h = layered.surface->h;
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        fail_msg("video: %s", SDL_GetError());
    SDL_Window *win = SDL_CreateWindow("layer", 0, 0, w, h, SDL_WINDOW_HIDDEN);
    assert_non_null(win);
    SDL_Renderer *r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    assert_non_null(r);
    struct bm_ui *through_layer = NULL, *straight = NULL;
    struct bm_ui_options o = {.dpi = 96};
    assert_int_equal(bm_ui_create(r, &o, &through_layer), BM_OK);
    assert_int_equal(bm_ui_create(r, &o, &straight), BM_OK);
    bm_ui_set_audit(straight, true);
    Uint32 *a = calloc((size_t)w * h, 4), *b = calloc((size_t)w * h, 4);
    assert_true(a && b);
    struct bm_home_vm vm;
    bm_fixture_home(&vm, BM_LANG_ZH_CN);
    window_frame(r, through_layer, &vm, a, w, h); /* the first frame: straight */
    window_frame(r, through_layer, &vm, a, w, h); /* draws the layer */
    vm.now.tm_min = 45;
    window_frame(r, through_layer, &vm, a, w, h); /* copies it */
    window_frame(r, straight, &vm, b, w, h);
    struct bm_ui_stats s;
    bm_ui_get_stats(through_layer, &s);
    assert_int_equal(s.layer_draws, 1);
    assert_int_equal(s.layer_copies, 1);
    long differ = 0;
    for (long i = 0; i < (long)w * h; i++)
        differ += (a[i] & 0xFFFFFF) != (b[i] & 0xFFFFFF);
    if (differ)
        fail_msg("%ld pixels differ between the layer and straight drawing on a window", differ);
    free(a);
    free(b);
    bm_ui_destroy(through_layer);
    bm_ui_destroy(straight);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

static void test_one_font_per_weight(void **state)
{
    (void)state;
    struct bm_home_vm home;
    struct bm_attract_vm attract;
    for (int lang = BM_LANG_ZH_CN; lang <= BM_LANG_EN; lang++) {
        bm_fixture_home(&home, (enum bm_lang)lang);
        bm_fixture_attract(&attract, (enum bm_lang)lang);
        draw_home(&direct, &home);
        draw_attract(&direct, &attract);
    }
    struct bm_ui_stats s;
    bm_ui_get_stats(direct.ui, &s);
    assert_int_equal(s.fonts_open, 2); /* a screen uses ~20 sizes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home_reuses_layer_and_matches),
        cmocka_unit_test(test_language_and_theme_redraw_layer),
        cmocka_unit_test(test_pressed_button),
        cmocka_unit_test(test_attract_reuses_layer_and_matches),
        cmocka_unit_test(test_one_font_per_weight),
        cmocka_unit_test(test_window_format),
    };
    int rc = cmocka_run_group_tests_name("portrait", tests, setup_portrait, teardown);
    return rc ? rc : cmocka_run_group_tests_name("landscape", tests, setup_landscape, teardown);
}
