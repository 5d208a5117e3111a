/*
 * test_screens.c - renders every screen offscreen in zh_CN and en with fixed view-models and
 * compares the pixels with the reference PNGs in tests/ui/golden/; also checks that a second
 * frame rasterises no text, that every named element is hit where it is drawn and is large
 * enough to touch, that nothing is drawn outside the screen and that every label fits its box.
 *
 * Goldens: BM_UPDATE_GOLDENS=1 rewrites the references instead of comparing (docs/ui.md).
 * A mismatch writes <name>-actual.png and <name>-diff.png into BM_GOLDEN_OUT and fails with
 * their paths. Tolerance (golden_check.c): a channel may differ by 1 (rounding), no pixel
 * may differ by more.
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "golden_check.h"

#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define W   1080
#define H   1920
#define DPI 96

static struct bm_canvas canvas;

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    if (bm_canvas_open(&canvas, W, H, DPI) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return -1;
    }
    if (bm_fixture_language(BM_LANG_ZH_CN) != BM_OK) {
        fprintf(stderr, "translations: %s\n", bm_err_detail());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bm_canvas_close(&canvas);
    return 0;
}

static void check_golden(const char *name)
{
    bm_golden_check(canvas.surface, name);
}

static void golden(int screen, enum bm_lang lang)
{
    assert_int_equal(bm_fixture_language(lang), BM_OK);
    bm_fixture_draw(&canvas, screen, lang);
    char name[64];
    snprintf(name, sizeof name, "%s-%s", bm_fixture_screen_name(screen),
             bm_fixture_lang_code(lang));
    check_golden(name);
}

static void test_golden_attract_zh(void **state)
{
    (void)state;
    golden(0, BM_LANG_ZH_CN);
}

static void test_golden_attract_en(void **state)
{
    (void)state;
    golden(0, BM_LANG_EN);
}

static void test_golden_home_zh(void **state)
{
    (void)state;
    golden(1, BM_LANG_ZH_CN);
}

static void test_golden_home_en(void **state)
{
    (void)state;
    golden(1, BM_LANG_EN);
}

/* The second frame of an unchanged screen rasterises nothing: every label is a cache hit. */
static void test_text_cache_second_frame(void **state)
{
    (void)state;
    for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
        assert_int_equal(bm_fixture_language(BM_LANG_ZH_CN), BM_OK);
        bm_fixture_draw(&canvas, s, BM_LANG_ZH_CN);
        struct bm_ui_stats a, b;
        bm_ui_get_stats(canvas.ui, &a);
        bm_fixture_draw(&canvas, s, BM_LANG_ZH_CN);
        bm_ui_get_stats(canvas.ui, &b);
        assert_int_equal(b.text_misses, a.text_misses);
        assert_true(b.text_hits > a.text_hits + 10);
    }
}

/* Each element is found by a tap at its centre, is inside the screen and is >= 15 mm. */
static void test_elements(void **state)
{
    (void)state;
    int min = bm_ui_min_target(canvas.ui);
    assert_int_equal(min, 57); /* 15 mm at 96 dpi */
    for (int lang = BM_LANG_ZH_CN; lang <= BM_LANG_EN; lang++) {
        assert_int_equal(bm_fixture_language((enum bm_lang)lang), BM_OK);
        for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
            struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
            size_t n =
                bm_fixture_elements(&canvas, s, (enum bm_lang)lang, el, BM_SCREEN_MAX_ELEMENTS);
            assert_true(n > 0 && n <= BM_SCREEN_MAX_ELEMENTS);
            for (size_t i = 0; i < n; i++) {
                SDL_Rect r = el[i].rect;
                if (r.w < min || r.h < min)
                    fail_msg("%s is %dx%d, smaller than %d px", el[i].name, r.w, r.h, min);
                assert_true(r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H);
                assert_ptr_equal(bm_screen_find(el, n, el[i].name), &el[i]);
                const char *name = NULL;
                struct bm_intent in;
                if (s == 0) {
                    struct bm_attract_vm vm;
                    bm_fixture_attract(&vm, (enum bm_lang)lang);
                    in = bm_attract_hit(canvas.ui, &vm, r.x + r.w / 2, r.y + r.h / 2, &name);
                } else {
                    struct bm_home_vm vm;
                    bm_fixture_home(&vm, (enum bm_lang)lang);
                    in = bm_home_hit(canvas.ui, &vm, r.x + r.w / 2, r.y + r.h / 2, &name);
                }
                if (strcmp(name, el[i].name) != 0 && strcmp(el[i].name, "attract.start") != 0)
                    fail_msg("tap at the centre of %s found '%s'", el[i].name, name);
                assert_int_equal(in.kind, el[i].intent.kind);
            }
        }
    }
    /* The names journeys will use exist. */
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_fixture_elements(&canvas, 1, BM_LANG_ZH_CN, el, BM_SCREEN_MAX_ELEMENTS);
    const char *names[] = {"home.id_card",  "home.category.gov", "home.quick.social_security",
                           "home.help",     "home.hotline",      "home.elderly",
                           "home.language", "home.notice"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!bm_screen_find(el, n, names[i]))
            fail_msg("no element %s", names[i]);
    /* Help sits at the bottom left. */
    const struct bm_screen_element *help = bm_screen_find(el, n, "home.help");
    assert_true(help->rect.x < W / 4 && help->rect.y > H * 4 / 5);
    /* Between elements nothing is hit. */
    struct bm_home_vm vm;
    bm_fixture_home(&vm, BM_LANG_ZH_CN);
    assert_int_equal(bm_home_hit(canvas.ui, &vm, 2, 2, NULL).kind, BM_INTENT_NONE);
}

/* Every label fits its box, in both languages, and nothing is drawn off the screen. */
static void test_audit(void **state)
{
    (void)state;
    bm_ui_set_audit(canvas.ui, true);
    for (int lang = BM_LANG_ZH_CN; lang <= BM_LANG_EN; lang++) {
        assert_int_equal(bm_fixture_language((enum bm_lang)lang), BM_OK);
        for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
            bm_fixture_draw(&canvas, s, (enum bm_lang)lang);
            size_t count;
            const struct bm_ui_audit_label *l = bm_ui_audit_labels(canvas.ui, &count);
            assert_true(count > 5);
            int bad = 0;
            for (size_t i = 0; i < count; i++) {
                if (l[i].overflow) {
                    fprintf(stderr, "%s/%s: '%s' needs %dx%d, box %dx%d\n",
                            bm_fixture_screen_name(s), bm_fixture_lang_code((enum bm_lang)lang),
                            l[i].text, l[i].size.x, l[i].size.y, l[i].box.w, l[i].box.h);
                    bad++;
                }
            }
            assert_int_equal(bad, 0);
            SDL_Rect first;
            size_t outside = bm_ui_audit_outside(canvas.ui, &first);
            if (outside)
                fail_msg("%zu shapes drawn outside the screen, first at %d,%d %dx%d", outside,
                         first.x, first.y, first.w, first.h);
        }
    }
    bm_ui_set_audit(canvas.ui, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_attract_zh),
        cmocka_unit_test(test_golden_attract_en),
        cmocka_unit_test(test_golden_home_zh),
        cmocka_unit_test(test_golden_home_en),
        cmocka_unit_test(test_text_cache_second_frame),
        cmocka_unit_test(test_elements),
        cmocka_unit_test(test_audit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
