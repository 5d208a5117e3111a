/*
 * test_list_layer.c - the list's row texture (widget_list.c) changes no pixel and scrolling
 * re-rasterises nothing. Every frame of a drag with a pressed row, a flick gliding to rest,
 * a page glide and a drag back is drawn twice: through the row texture on one canvas, and
 * straight to the output on another (audit mode draws rows straight); the two are compared
 * byte for byte, at fractional offsets too, in the standard and elderly themes, portrait and
 * landscape. Counters prove that a row is drawn once when it comes into view and never again
 * while it stays in view, and that a frame that scrolls by less than a row draws no row.
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct bm_canvas layered, direct;

#define ITEMS 40
static char titles[ITEMS][48], details[ITEMS][64];
static struct bm_list_item items[ITEMS];
static struct bm_list list = {.name = "list",
                              .items = items,
                              .count = ITEMS,
                              .prev_label = "上一页",
                              .next_label = "下一页",
                              .pressed_page = -1};

static int setup_size(int w, int h)
{
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    if (bm_canvas_open(&layered, w, h, 96) != BM_OK || bm_canvas_open(&direct, w, h, 96) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return -1;
    }
    bm_ui_set_audit(direct.ui, true);
    static const char *const glyphs[] = {"户", "社", "医", "金", "婚", "出", "房", "税"};
    for (int i = 0; i < ITEMS; i++) {
        snprintf(titles[i], sizeof titles[i], "服务事项 %d", i + 1);
        snprintf(details[i], sizeof details[i], "预约 · 材料清单 · 进度查询 %d", i + 1);
        items[i] = (struct bm_list_item){titles[i], i % 5 == 3 ? NULL : details[i], glyphs[i % 8],
                                         (enum bm_theme_hue)(i % BM_HUE_COUNT), i % 7 == 6};
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

/* The list as a list screen places it: under a header, over the screen's background. */
static SDL_Rect list_rect(struct bm_ui *ui)
{
    int m = bm_ui_px(ui, 48), top = bm_ui_px(ui, 200);
    return bm_rect(m, top, bm_ui_width(ui) - 2 * m, bm_ui_height(ui) - top - m);
}

static int frames_compared;

/* One frame on both canvases, compared; returns the rows the layered one drew. */
static uint64_t frame(const struct bm_list_scroll *s, const char *what)
{
    struct bm_ui_stats a, b;
    bm_ui_get_stats(layered.ui, &a);
    struct bm_canvas *both[2] = {&layered, &direct};
    for (int i = 0; i < 2; i++) {
        bm_ui_frame_begin(both[i]->ui);
        bm_list_draw(both[i]->ui, list_rect(both[i]->ui), &list, s);
        bm_ui_frame_end(both[i]->ui);
    }
    bm_ui_get_stats(layered.ui, &b);
    SDL_Rect box;
    long n = bm_canvas_differing(&layered, &direct, &box);
    if (n)
        fail_msg("%s (offset %.2f, frame %d): %ld pixels differ from drawing straight, in "
                 "%d,%d %dx%d",
                 what, (double)s->offset, frames_compared, n, box.x, box.y, box.w, box.h);
    frames_compared++;
    return b.list_rows_drawn - a.list_rows_drawn;
}

static void set_theme(const struct bm_theme *t)
{
    bm_ui_set_theme(layered.ui, t);
    bm_ui_set_theme(direct.ui, t);
}

static void scroll_and_compare(const struct bm_theme *theme)
{
    set_theme(theme);
    struct bm_ui *ui = layered.ui;
    SDL_Rect r = list_rect(ui);
    int row = bm_list_row_height(ui, &list);
    struct bm_list_scroll s = {0};
    size_t first, n;
    bm_list_visible(ui, r, &list, &s, &first, &n);
    /* The first frame draws each visible row once; the same frame again draws none. */
    assert_int_equal(frame(&s, "at the top"), n);
    assert_int_equal(frame(&s, "again"), 0);

    /* A finger down on the second row: it shows pressed; a small move keeps it a tap. */
    int x = r.x + r.w / 2, y = r.y + row * 3 / 2;
    uint32_t ms = 1000;
    bm_list_touch_down(ui, r, &list, &s, x, y, ms);
    assert_int_equal(s.press_row, 1);
    assert_int_equal(frame(&s, "pressed"), 0);
    bm_list_touch_move(ui, r, &list, &s, y - 3, ms += 16);
    frame(&s, "pressed, moved a little");

    /* Then a drag (no longer a tap) and a flick: every frame, fractional offsets included. */
    for (int i = 1; i <= 10; i++) {
        bm_list_touch_move(ui, r, &list, &s, y - 3 - row * i / 3, ms += 16);
        frame(&s, "dragging");
    }
    bm_list_touch_up(ui, r, &list, &s, ms);
    int glide = 0;
    while (bm_list_step(ui, r, &list, &s, ms += 16) >= 0 && glide++ < 1000) {
        size_t f0, n0;
        bm_list_visible(ui, r, &list, &s, &f0, &n0);
        uint64_t drawn = frame(&s, "gliding");
        /* Only rows new to the view are drawn (scrolling down, none comes back). */
        assert_true(drawn <= n0);
    }
    assert_true(glide > 3);
    frame(&s, "at rest");

    /* A small scroll within the rows already shown draws no row at all. */
    bm_list_visible(ui, r, &list, &s, &first, &n);
    if (s.offset >= 4.0f) {
        bm_list_touch_down(ui, r, &list, &s, x, y + row, ms += 1000);
        bm_list_touch_move(ui, r, &list, &s, y + row + 2, ms += 16);
        size_t f1, n1;
        bm_list_visible(ui, r, &list, &s, &f1, &n1);
        uint64_t drawn = frame(&s, "scrolled by two pixels");
        if (f1 == first && n1 <= n)
            assert_int_equal(drawn, 0);
        bm_list_touch_up(ui, r, &list, &s, ms += 200);
    }

    /* Page buttons glide by whole rows, down and back up. */
    for (int dir = 1; dir >= -1; dir -= 2) {
        bm_list_page(ui, r, &list, &s, dir);
        while (bm_list_step(ui, r, &list, &s, ms += 16) >= 0)
            frame(&s, dir > 0 ? "next page" : "previous page");
        frame(&s, "paged");
    }
    /* Dragged back to the top: rows that come back into view are drawn again once. */
    bm_list_touch_down(ui, r, &list, &s, x, r.y + row, ms += 1000);
    for (int i = 1; i <= 30; i++) {
        bm_list_touch_move(ui, r, &list, &s, r.y + row + row * i / 2, ms += 16);
        frame(&s, "dragging back");
    }
    bm_list_touch_up(ui, r, &list, &s, ms += 500);
    frame(&s, "back at the top");
}

static void test_standard(void **state)
{
    (void)state;
    scroll_and_compare(bm_theme_standard());
}

static void test_elderly(void **state)
{
    (void)state;
    scroll_and_compare(bm_theme_elderly());
}

static void test_high_contrast(void **state)
{
    (void)state;
    scroll_and_compare(bm_theme_high_contrast());
}

/* Screens without a list give the row texture's memory back at the end of their frame. */
static void test_memory_given_back(void **state)
{
    (void)state;
    struct bm_list_scroll s = {0};
    frame(&s, "a list");
    bm_ui_frame_begin(layered.ui);
    bm_ui_frame_end(layered.ui);
    struct bm_ui_stats a, b;
    bm_ui_get_stats(layered.ui, &a);
    frame(&s, "the list again");
    bm_ui_get_stats(layered.ui, &b);
    size_t first, n;
    bm_list_visible(layered.ui, list_rect(layered.ui), &list, &s, &first, &n);
    /* Drawn again from nothing: its slots had gone with the texture. */
    assert_int_equal(b.list_rows_drawn - a.list_rows_drawn, n);
}

int main(void)
{
    const struct CMUnitTest portrait[] = {
        cmocka_unit_test(test_standard),
        cmocka_unit_test(test_elderly),
        cmocka_unit_test(test_high_contrast),
        cmocka_unit_test(test_memory_given_back),
    };
    const struct CMUnitTest landscape[] = {
        cmocka_unit_test(test_standard),
        cmocka_unit_test(test_elderly),
    };
    int rc = cmocka_run_group_tests_name("portrait", portrait, setup_portrait, teardown);
    rc |= cmocka_run_group_tests_name("landscape", landscape, setup_landscape, teardown);
    return rc;
}
