/*
 * test_ui_texts.c - the record of words on screen (ui_texts.c) that journeys' "expect text"
 * reads: it holds what the last frame showed, whether the screen's static layer was drawn or
 * only copied (the labels in a copied layer are not drawn again, yet they are on screen), it
 * follows a change of language and of screen, and it is empty and wiped when recording stops.
 */
#include "test_support.h"

#include "../ui/fixture.h"

#include <stdio.h>
#include <unistd.h>

static struct bm_canvas canvas;

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    if (bm_canvas_open(&canvas, 1080, 1920, 96) != BM_OK ||
        bm_fixture_language(BM_LANG_ZH_CN) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
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

enum { ATTRACT = 0, HOME = 1 };

static uint64_t layer_copies(void)
{
    struct bm_ui_stats s;
    bm_ui_get_stats(canvas.ui, &s);
    return s.layer_copies;
}

static void test_nothing_recorded_until_asked(void **state)
{
    (void)state;
    bm_fixture_draw(&canvas, HOME, BM_LANG_ZH_CN);
    assert_false(bm_ui_texts_recording(canvas.ui));
    assert_false(bm_ui_texts_shown(canvas.ui, "您好"));
    assert_int_equal(bm_ui_texts_count(canvas.ui, NULL), 0);
}

static void test_layer_copies_keep_their_words(void **state)
{
    (void)state;
    /* Drawn before recording: the layer holds home's pixels but no words yet. */
    bm_fixture_draw(&canvas, HOME, BM_LANG_ZH_CN);
    bm_fixture_draw(&canvas, HOME, BM_LANG_ZH_CN);
    bm_ui_texts_record(canvas.ui, true);
    assert_true(bm_ui_dirty(canvas.ui)); /* the screen is drawn again, layers too */

    bm_fixture_draw(&canvas, HOME, BM_LANG_ZH_CN); /* the layer drawn again, with its words */
    assert_true(bm_ui_texts_shown(canvas.ui, "您好，欢迎自助办事"));
    assert_true(bm_ui_texts_shown(canvas.ui, "欢迎")); /* part of a label */
    assert_false(bm_ui_texts_shown(canvas.ui, "Hello"));
    size_t drawn = bm_ui_texts_count(canvas.ui, NULL);
    assert_true(drawn > 5);

    uint64_t copies = layer_copies();
    bm_fixture_draw(&canvas, HOME, BM_LANG_ZH_CN); /* the layer copied: its labels not drawn */
    assert_int_equal(layer_copies(), copies + 1);
    assert_true(bm_ui_texts_shown(canvas.ui, "您好，欢迎自助办事"));
    bool cut = true;
    assert_int_equal(bm_ui_texts_count(canvas.ui, &cut), drawn);
    assert_false(cut);
}

static void test_follows_language_and_screen(void **state)
{
    (void)state;
    bm_ui_texts_record(canvas.ui, true);
    assert_int_equal(bm_fixture_language(BM_LANG_EN), BM_OK);
    bm_fixture_draw(&canvas, HOME, BM_LANG_EN);
    assert_true(bm_ui_texts_shown(canvas.ui, "Hello, welcome to self-service"));
    assert_false(bm_ui_texts_shown(canvas.ui, "您好"));

    assert_int_equal(bm_fixture_language(BM_LANG_ZH_CN), BM_OK);
    for (int i = 0; i < 2; i++) { /* drawn, then copied */
        bm_fixture_draw(&canvas, ATTRACT, BM_LANG_ZH_CN);
        assert_true(bm_ui_texts_shown(canvas.ui, "轻触屏幕 开始办事"));
        assert_false(bm_ui_texts_shown(canvas.ui, "您好，欢迎自助办事"));
        bm_fixture_draw(&canvas, HOME, BM_LANG_ZH_CN);
        assert_true(bm_ui_texts_shown(canvas.ui, "您好，欢迎自助办事"));
        assert_false(bm_ui_texts_shown(canvas.ui, "轻触屏幕 开始办事"));
    }
}

/* A label drawn outside any layer is in its frame's record and gone from the next. */
static void test_one_frame_only(void **state)
{
    (void)state;
    bm_ui_texts_record(canvas.ui, true);
    struct bm_ui_font f = {BM_UI_REGULAR, 40, {0, 0, 0, 255}};
    bm_ui_frame_begin(canvas.ui);
    bm_ui_label(canvas.ui, bm_rect(0, 0, 800, 100), "请稍候", f, BM_UI_ALIGN_LEFT);
    bm_ui_frame_end(canvas.ui);
    assert_true(bm_ui_texts_shown(canvas.ui, "请稍候"));
    assert_int_equal(bm_ui_texts_count(canvas.ui, NULL), 1);
    bm_ui_frame_begin(canvas.ui);
    bm_ui_frame_end(canvas.ui);
    assert_false(bm_ui_texts_shown(canvas.ui, "请稍候"));

    bm_ui_frame_begin(canvas.ui);
    bm_ui_label(canvas.ui, bm_rect(0, 0, 800, 100), "请稍候", f, BM_UI_ALIGN_LEFT);
    bm_ui_frame_end(canvas.ui);
    bm_ui_texts_record(canvas.ui, false); /* stops and forgets */
    assert_false(bm_ui_texts_recording(canvas.ui));
    assert_false(bm_ui_texts_shown(canvas.ui, "请稍候"));
    assert_int_equal(bm_ui_texts_count(canvas.ui, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nothing_recorded_until_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layer_copies_keep_their_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follows_language_and_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_frame_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
