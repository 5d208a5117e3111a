/*
 * render_screens.c - bm_render_screens DIR [WIDTHxHEIGHT]: writes every screen in every look
 * (zh_CN, en, elderly, high contrast, English in elderly mode) and both orientations to
 * DIR/<screen>-<look>-<portrait|landscape>.png with the test fixtures, the golden matrix's
 * names, so people can look at them. With a size, only that size (named by it instead of the
 * orientation). Prints each first and cached frame's CPU time. Not a test. Main thread.
 */
#include "fixture.h"

#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time, not wall time: a loaded build machine would make wall time meaningless. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Every screen in every look on one canvas; size_name ends each file name. */
static int render_all(const char *dir, int w, int h, const char *size_name)
{
    struct bm_canvas c;
    if (bm_canvas_open(&c, w, h, 96) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return 1;
    }
    int rc = 0;
    for (int k = 0; k < BM_FIXTURE_LOOKS && rc == 0; k++) {
        const struct bm_fixture_look *look = &bm_fixture_looks[k];
        if (bm_fixture_use_look(&c, look) != BM_OK) {
            fprintf(stderr, "language: %s\n", bm_err_detail());
            rc = 1;
            break;
        }
        for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
            double t0 = cpu_ms();
            bm_fixture_draw_look(&c, s, look);
            double t1 = cpu_ms();
            bm_fixture_draw_look(&c, s, look); /* again: now from the caches and the layer */
            double t2 = cpu_ms();
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%s-%s.png", dir, bm_fixture_screen_name(s),
                     look->name, size_name);
            if (IMG_SavePNG(c.surface, path) != 0) {
                fprintf(stderr, "%s: %s\n", path, IMG_GetError());
                rc = 1;
                break;
            }
            struct bm_ui_stats st;
            bm_ui_get_stats(c.ui, &st);
            printf("%s  (first frame %.1f ms, cached frame %.1f ms CPU; labels: %llu hits, "
                   "%llu misses, %zu textures; %zu fonts)\n",
                   path, t1 - t0, t2 - t1, (unsigned long long)st.text_hits,
                   (unsigned long long)st.text_misses, st.text_entries, st.fonts_open);
        }
    }
    bm_canvas_close(&c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [WIDTHxHEIGHT]\n", argv[0]);
        return 2;
    }
    if (argc > 2) {
        int w, h;
        if (sscanf(argv[2], "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0) {
            fprintf(stderr, "bad size %s\n", argv[2]);
            return 2;
        }
        return render_all(argv[1], w, h, argv[2]);
    }
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        int w, h;
        bm_fixture_orientation_size(o, &w, &h);
        if (render_all(argv[1], w, h, bm_fixture_orientation_name(o)) != 0)
            return 1;
    }
    return 0;
}
