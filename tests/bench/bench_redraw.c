/*
 * bench_redraw.c - what one frame of the home screen costs the main thread, at 1080x1920
 * (portrait) and 1920x1080 (landscape), with SDL's software renderer on an offscreen canvas
 * (tests/ui/fixture.c: the same rasteriser the kiosk uses, no window, no present):
 *   - "full redraw": the screen invalidated and drawn again, as when the clock's minute
 *     changes: median and p99 of wall and CPU time over many frames;
 *   - "cold redraw": the same after everything the toolkit keeps between frames of a screen
 *     was dropped (as after a theme, language or view-model change); label textures stay;
 *   - "pressed button": the frame that shows a button pressed (press feedback), and the one
 *     that shows it released again;
 *   - the very first frame of a fresh toolkit (fonts opened, labels rasterised).
 * CPU time is the thread's own (CLOCK_THREAD_CPUTIME_ID), so a busy machine stretches wall
 * time but not it. A benchmark prints numbers; it does not pass or fail.
 *
 * Usage: bench_redraw [FRAMES]            (default 300; run from the build tree, headless:
 *                                          SDL_VIDEODRIVER=offscreen)
 *        bench_redraw --dump DIR          writes every home frame the bench draws as BMP
 *                                          files, to compare renders byte for byte
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FRAMES 5000

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

/* The q-quantile (0..1) of n sorted values, nearest rank. */
static double quantile(const double *sorted, int n, double q)
{
    int i = (int)(q * (double)n + 0.999999) - 1;
    i = i < 0 ? 0 : i >= n ? n - 1 : i;
    return sorted[i];
}

struct sample {
    double wall[MAX_FRAMES], cpu[MAX_FRAMES];
    int n;
};

static void report(const char *label, struct sample *s)
{
    qsort(s->wall, (size_t)s->n, sizeof(double), cmp_double);
    qsort(s->cpu, (size_t)s->n, sizeof(double), cmp_double);
    printf("  %-34s median %6.2f ms, p99 %6.2f ms wall; CPU median %6.2f, p99 %6.2f ms "
           "(%d frames)\n",
           label, quantile(s->wall, s->n, 0.5), quantile(s->wall, s->n, 0.99),
           quantile(s->cpu, s->n, 0.5), quantile(s->cpu, s->n, 0.99), s->n);
}

static const char *dump_dir;
static int dump_seq;

static void dump(struct bm_canvas *c, const char *what)
{
    if (!dump_dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%02d-%dx%d-%s.bmp", dump_dir, ++dump_seq, c->surface->w,
             c->surface->h, what);
    if (SDL_SaveBMP(c->surface, path) != 0)
        fprintf(stderr, "%s: %s\n", path, SDL_GetError());
}

enum kind { FULL, COLD, PRESS };

/* One frame of the home screen; pressed names the element shown pressed (or NULL). */
static void frame(struct bm_canvas *c, enum kind k, const char *pressed)
{
    struct bm_home_vm vm;
    bm_fixture_home(&vm, BM_LANG_ZH_CN);
    vm.pressed = pressed;
    if (k == COLD)
        bm_ui_set_theme(c->ui, bm_ui_theme(c->ui));
    bm_ui_invalidate(c->ui);
    bm_ui_frame_begin(c->ui);
    bm_home_draw(c->ui, &vm);
    bm_ui_frame_end(c->ui);
}

static void measure(struct bm_canvas *c, const char *label, enum kind k, int frames)
{
    static struct sample s;
    s.n = 0;
    for (int i = 0; i < frames && i < MAX_FRAMES; i++) {
        /* A pressed-button case alternates press and release, as a tap does. */
        const char *pressed = k == PRESS && i % 2 == 0 ? "home.quick.social_security" : NULL;
        double w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
        frame(c, k, pressed);
        s.cpu[s.n] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
        s.wall[s.n] = clock_ms(CLOCK_MONOTONIC) - w0;
        s.n++;
    }
    report(label, &s);
}

static int run(int w, int h, int frames)
{
    struct bm_canvas c;
    double w0 = clock_ms(CLOCK_MONOTONIC);
    if (bm_canvas_open(&c, w, h, 102) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return 1;
    }
    if (bm_fixture_language(BM_LANG_ZH_CN) != BM_OK) {
        fprintf(stderr, "language: %s\n", bm_err_detail());
        bm_canvas_close(&c);
        return 1;
    }
    frame(&c, FULL, NULL);
    printf("home %dx%d (%s), software renderer:\n", w, h, w < h ? "portrait" : "landscape");
    printf("  %-34s %6.2f ms wall, toolkit created, fonts opened, labels rasterised\n",
           "first frame", clock_ms(CLOCK_MONOTONIC) - w0);
    dump(&c, "first");
    frame(&c, FULL, NULL);
    dump(&c, "full");
    frame(&c, COLD, NULL);
    dump(&c, "cold");
    frame(&c, PRESS, "home.quick.social_security");
    dump(&c, "pressed");
    frame(&c, PRESS, NULL);
    dump(&c, "released");
    if (!dump_dir) {
        measure(&c, "full redraw (clock tick)", FULL, frames);
        measure(&c, "cold redraw (state dropped)", COLD, frames);
        measure(&c, "pressed button (press, release)", PRESS, frames);
    }
    bm_canvas_close(&c);
    return 0;
}

int main(int argc, char **argv)
{
    int frames = 300;
    if (argc > 2 && strcmp(argv[1], "--dump") == 0)
        dump_dir = argv[2];
    else if (argc > 1)
        frames = (int)strtol(argv[1], NULL, 10);
    if (frames < 10 || frames > MAX_FRAMES)
        frames = 300;
    int rc = run(1080, 1920, frames);
    if (rc == 0)
        rc = run(1920, 1080, frames);
    return rc;
}
