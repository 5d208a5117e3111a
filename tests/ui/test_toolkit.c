/*
 * test_toolkit.c - the toolkit on its own: the Simplified Chinese face is the one opened, line
 * breaking keeps closing punctuation off line starts, tabular figures have one width, the label
 * cache evicts least recently used textures at its cap, and grid cells tile their rectangle.
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "ui/ui_internal.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct bm_canvas canvas;

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    return bm_canvas_open(&canvas, 1080, 1920, 96) == BM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    bm_canvas_close(&canvas);
    return 0;
}

static void test_face_is_sc(void **state)
{
    (void)state;
    for (int w = BM_UI_REGULAR; w <= BM_UI_BOLD; w++) {
        TTF_Font *f = bm_ui_font(canvas.ui, w, 32);
        assert_non_null(f);
        const char *family = TTF_FontFaceFamilyName(f);
        assert_non_null(family);
        if (!strstr(family, "CJK SC"))
            fail_msg("font family is '%s', not Noto Sans CJK SC (face 2)", family);
    }
}

static bool starts_with_closing(const char *s)
{
    static const char *const closing[] = {"，", "。", "、", "；", "：",
                                          "？", "！", "）", "」", "·"};
    for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
        if (strncmp(s, closing[i], strlen(closing[i])) == 0)
            return true;
    return false;
}

static void test_wrap_punctuation(void **state)
{
    (void)state;
    const char *text =
        "本终端7×24小时服务，遇到问题请按「求助」，工作人员远程视频协助，证件材料请当面核对。";
    struct bm_ui_font f = {BM_UI_REGULAR, 28, {0, 0, 0, 255}};
    /* Try many widths so a break lands just before each punctuation mark at some width. */
    for (int w = 120; w < 900; w += 7) {
        struct bm_ui_line_span lines[BM_UI_MAX_LINES];
        bool trunc = false;
        size_t n = bm_ui_wrap(canvas.ui, text, f, w, 0, lines, BM_UI_MAX_LINES, &trunc);
        assert_true(n > 0);
        for (size_t i = 1; i < n; i++)
            if (starts_with_closing(text + lines[i].start))
                fail_msg("width %d: line %zu starts with '%.3s'", w, i, text + lines[i].start);
    }
    /* Word mode keeps list items whole and never starts a line with the separator. */
    const char *list = "户籍 · 证照 · 不动产 · 企业开办 · 出入境";
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    size_t n = bm_ui_wrap(canvas.ui, list, f, 260, BM_UI_WRAP_WORDS, lines, BM_UI_MAX_LINES, NULL);
    assert_true(n >= 2);
    for (size_t i = 0; i < n; i++) {
        assert_false(starts_with_closing(list + lines[i].start));
        char last[8] = {0};
        memcpy(last, list + lines[i].start + lines[i].len - 2, 2);
        assert_true(strcmp(last, "·") != 0 || i == n - 1);
    }
}

/* Wraps text at width w and returns line i as a string (in buf). */
static const char *wrapped_line(const char *text, int w, size_t i, char *buf, size_t size)
{
    struct bm_ui_font f = {BM_UI_REGULAR, 28, {0, 0, 0, 255}};
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    size_t n = bm_ui_wrap(canvas.ui, text, f, w, 0, lines, BM_UI_MAX_LINES, NULL);
    assert_true(i < n);
    snprintf(buf, size, "%.*s", (int)lines[i].len, text + lines[i].start);
    return buf;
}

/* The break opportunities are UAX #14's: a hyphenated word breaks after its hyphen, and a date
 * or a number with a hyphen or a decimal point is never split. */
static void test_wrap_uax14(void **state)
{
    (void)state;
    struct bm_ui_font f = {BM_UI_REGULAR, 28, {0, 0, 0, 255}};
    char buf[128];
    /* Room for "Self-ser": cutting between characters would leave "Self-ser" | "vice". */
    int self = bm_ui_text_size(canvas.ui, "Self-ser", f).x;
    assert_string_equal(wrapped_line("Self-service kiosk", self + 2, 0, buf, sizeof buf), "Self-");
    int date = bm_ui_text_size(canvas.ui, "办理日期2026-11-", f).x;
    assert_string_equal(wrapped_line("办理日期2026-11-30起", date + 2, 1, buf, sizeof buf),
                        "2026-11-30起");
    /* A number keeps its unit: room for "首次收费120" breaks before 120, not before 元. */
    int unit = bm_ui_text_size(canvas.ui, "首次收费120", f).x;
    assert_string_equal(wrapped_line("首次收费120元", unit + 2, 1, buf, sizeof buf), "120元");
    int fee = bm_ui_text_size(canvas.ui, "费用12.", f).x;
    assert_true(strncmp(wrapped_line("费用12.50元", fee + 2, 1, buf, sizeof buf), "12.50", 5) == 0);
}

static void test_tabular(void **state)
{
    (void)state;
    struct bm_ui_font f = {BM_UI_BOLD, 120, {0, 0, 0, 255}};
    int a = bm_ui_tabular_width(canvas.ui, "11:11", f);
    int b = bm_ui_tabular_width(canvas.ui, "08:48", f);
    assert_true(a > 0);
    assert_int_equal(a, b);
}

static void test_cache_lru(void **state)
{
    (void)state;
    struct bm_ui *ui = NULL;
    struct bm_ui_options o = {.text_cache_entries = 4};
    assert_int_equal(bm_ui_create(canvas.renderer, &o, &ui), BM_OK);
    struct bm_ui_font f = {BM_UI_REGULAR, 30, {0, 0, 0, 255}};
    const char *words[] = {"一", "二", "三", "四", "五", "六"};
    for (int i = 0; i < 6; i++)
        bm_ui_text_size(ui, words[i], f);
    bm_ui_text_size(ui, "六", f); /* hit */
    struct bm_ui_stats st;
    bm_ui_get_stats(ui, &st);
    assert_int_equal(st.text_misses, 6);
    assert_int_equal(st.text_hits, 1);
    assert_int_equal(st.text_evictions, 2);
    assert_int_equal(st.text_entries, 4);
    bm_ui_text_size(ui, "三", f); /* survived: the oldest two went */
    bm_ui_get_stats(ui, &st);
    assert_int_equal(st.text_hits, 2);
    bm_ui_destroy(ui);
}

static void test_grid(void **state)
{
    (void)state;
    SDL_Rect r = bm_rect(40, 100, 1000, 500);
    int area = 0;
    for (int c = 0; c < 4; c++)
        for (int row = 0; row < 3; row++) {
            SDL_Rect g = bm_rect_grid(r, 4, 3, 24, c, row);
            area += g.w * g.h;
            assert_true(g.x >= r.x && g.x + g.w <= r.x + r.w);
        }
    SDL_Rect last = bm_rect_grid(r, 4, 3, 24, 3, 2);
    assert_int_equal(last.x + last.w, r.x + r.w);
    assert_int_equal(last.y + last.h, r.y + r.h);
    assert_true(area > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_face_is_sc), cmocka_unit_test(test_wrap_punctuation),
        cmocka_unit_test(test_wrap_uax14), cmocka_unit_test(test_tabular),
        cmocka_unit_test(test_cache_lru),  cmocka_unit_test(test_grid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
