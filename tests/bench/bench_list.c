/*
 * bench_list.c - what a frame of a scrolling list costs the main thread at 1080x1920 (and
 * 1920x1080) with SDL's software renderer on an offscreen canvas (tests/ui/fixture.c), drawn
 * as a list screen draws it: the screen's static layer (a header) copied, then the list.
 * A momentum scroll: a finger drags the list up by two rows, flicks, and lets it glide to rest
 * (bm_list_step every 16 ms), then the same back down; frames are timed from the first move to
 * rest, over several flicks. Then page buttons: a glide to the next page and back.
 * CPU time is the thread's own (CLOCK_THREAD_CPUTIME_ID), so a busy machine stretches wall
 * time but not it. A benchmark prints numbers; it does not pass or fail.
 *
 * Usage: bench_list [FLICKS]   (default 12; headless: SDL_VIDEODRIVER=offscreen)
 */
#include "fixture.h"

#include "ui/widgets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FRAMES 20000
#define ITEMS      60

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, int n, double q)
{
    int i = (int)(q * (double)n + 0.999999) - 1;
    i = i < 0 ? 0 : i >= n ? n - 1 : i;
    return sorted[i];
}

static struct {
    double wall[MAX_FRAMES], cpu[MAX_FRAMES];
    int n;
} sample;

static void report(const char *label)
{
    qsort(sample.wall, (size_t)sample.n, sizeof(double), cmp_double);
    qsort(sample.cpu, (size_t)sample.n, sizeof(double), cmp_double);
    printf("  %-28s median %6.2f ms, p99 %6.2f ms wall; CPU median %6.2f, p99 %6.2f, max %6.2f ms "
           "(%d frames)\n",
           label, quantile(sample.wall, sample.n, 0.5), quantile(sample.wall, sample.n, 0.99),
           quantile(sample.cpu, sample.n, 0.5), quantile(sample.cpu, sample.n, 0.99),
           sample.cpu[sample.n - 1], sample.n);
    sample.n = 0;
}

static char titles[ITEMS][64], details[ITEMS][96];
static struct bm_list_item items[ITEMS];
static struct bm_list list = {.name = "list",
                              .items = items,
                              .count = ITEMS,
                              .prev_label = "上一页",
                              .next_label = "下一页",
                              .pressed_page = -1};

static void make_items(void)
{
    static const char *const names[] = {"户籍办理", "社保查询", "医保服务",   "公积金",
                                        "婚姻登记", "出入境",   "不动产登记", "税务服务"};
    static const char *const glyphs[] = {"户", "社", "医", "金", "婚", "出", "房", "税"};
    for (int i = 0; i < ITEMS; i++) {
        snprintf(titles[i], sizeof titles[i], "%s %d", names[i % 8], i + 1);
        snprintf(details[i], sizeof details[i], "在线预约 · 材料清单 · 办理进度 %d", i + 1);
        items[i] = (struct bm_list_item){titles[i], details[i], glyphs[i % 8],
                                         (enum bm_theme_hue)(i % BM_HUE_COUNT), i % 11 == 5};
    }
}

/* The list screen: a header in the static layer, the list under it. */
static SDL_Rect list_rect(struct bm_ui *ui)
{
    int m = bm_ui_px(ui, 48), top = bm_ui_px(ui, 220);
    return bm_rect(m, top, bm_ui_width(ui) - 2 * m, bm_ui_height(ui) - top - m);
}

static void frame(struct bm_canvas *c, const struct bm_list_scroll *s)
{
    struct bm_ui *ui = c->ui;
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_invalidate(ui);
    bm_ui_frame_begin(ui);
    if (bm_ui_layer_begin(ui, "bench_list", 1)) {
        SDL_Rect head = bm_rect(0, 0, bm_ui_width(ui), bm_ui_px(ui, 180));
        bm_ui_fill_rrect_gradient(ui, head, 0, t->primary, t->primary_dark,
                                  BM_UI_GRADIENT_DIAGONAL);
        bm_ui_label(ui, bm_rect_inset(head, bm_ui_px(ui, 48)), "政务办理",
                    (struct bm_ui_font){BM_UI_BOLD, bm_ui_px(ui, t->type[BM_TYPE_HEADLINE]),
                                        t->text_on_dark},
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        bm_ui_layer_end(ui);
    }
    bm_list_draw(ui, list_rect(ui), &list, s);
    bm_ui_frame_end(ui);
}

static void timed_frame(struct bm_canvas *c, const struct bm_list_scroll *s)
{
    double w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    frame(c, s);
    if (sample.n < MAX_FRAMES) {
        sample.cpu[sample.n] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
        sample.wall[sample.n] = clock_ms(CLOCK_MONOTONIC) - w0;
        sample.n++;
    }
}

/* One flick of dir (+1 up the list, -1 back) from the middle of the viewport, glided to rest. */
static void flick(struct bm_canvas *c, struct bm_list_scroll *s, uint32_t *ms, int dir)
{
    struct bm_ui *ui = c->ui;
    SDL_Rect r = list_rect(ui);
    int row = bm_list_row_height(ui, &list);
    int x = r.x + r.w / 2, y0 = r.y + r.h / 3 + (dir < 0 ? 0 : row * 2);
    bm_list_touch_down(ui, r, &list, s, x, y0, *ms);
    for (int i = 1; i <= 8; i++) {
        *ms += 16;
        bm_list_touch_move(ui, r, &list, s, y0 - dir * row * i / 4, *ms);
        timed_frame(c, s);
    }
    bm_list_touch_up(ui, r, &list, s, *ms);
    while (bm_list_step(ui, r, &list, s, *ms += 16) >= 0)
        timed_frame(c, s);
    timed_frame(c, s);
}

static int run(int w, int h, int flicks)
{
    struct bm_canvas c;
    if (bm_canvas_open(&c, w, h, 102) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return 1;
    }
    struct bm_list_scroll s = {0};
    frame(&c, &s); /* the first frame: labels rasterised */
    frame(&c, &s);
    printf("list of %d rows %dx%d (%s), software renderer:\n", ITEMS, w, h,
           w < h ? "portrait" : "landscape");
    uint32_t ms = 1000;
    for (int i = 0; i < flicks; i++)
        flick(&c, &s, &ms, i % 4 < 2 ? +1 : -1);
    report("momentum scroll (flicks)");
    SDL_Rect r = list_rect(c.ui);
    for (int i = 0; i < flicks; i++) {
        bm_list_page(c.ui, r, &list, &s, i % 2 ? -1 : +1);
        while (bm_list_step(c.ui, r, &list, &s, ms += 16) >= 0)
            timed_frame(&c, &s);
        timed_frame(&c, &s);
    }
    report("page button glide");
    bm_canvas_close(&c);
    return 0;
}

int main(int argc, char **argv)
{
    int flicks = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 12;
    if (flicks < 1 || flicks > 200)
        flicks = 12;
    make_items();
    int rc = run(1080, 1920, flicks);
    if (rc == 0)
        rc = run(1920, 1080, flicks);
    return rc;
}
