/*
 * render_screens.c - bm_render_screens DIR [WIDTHxHEIGHT]: writes every screen in every
 * language to DIR/<screen>-<lang>.png with the test fixtures, so people can look at them.
 * Not a test. Main thread.
 */
#include "fixture.h"

#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* CPU time, not wall time: a loaded build machine would make wall time meaningless. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [WIDTHxHEIGHT]\n", argv[0]);
        return 2;
    }
    int w = 1080, h = 1920;
    if (argc > 2 && sscanf(argv[2], "%dx%d", &w, &h) != 2) {
        fprintf(stderr, "bad size %s\n", argv[2]);
        return 2;
    }
    struct bm_canvas c;
    if (bm_canvas_open(&c, w, h, 96) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return 1;
    }
    int rc = 0;
    for (int lang = BM_LANG_ZH_CN; lang <= BM_LANG_EN; lang++) {
        if (bm_fixture_language((enum bm_lang)lang) != BM_OK) {
            fprintf(stderr, "language: %s\n", bm_err_detail());
            rc = 1;
            break;
        }
        for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
            double t0 = cpu_ms();
            bm_fixture_draw(&c, s, (enum bm_lang)lang);
            double t1 = cpu_ms();
            bm_fixture_draw(&c, s, (enum bm_lang)lang); /* again: now from the caches */
            double t2 = cpu_ms();
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%s.png", argv[1], bm_fixture_screen_name(s),
                     bm_fixture_lang_code((enum bm_lang)lang));
            if (IMG_SavePNG(c.surface, path) != 0) {
                fprintf(stderr, "%s: %s\n", path, IMG_GetError());
                rc = 1;
            } else {
                struct bm_ui_stats st;
                bm_ui_get_stats(c.ui, &st);
                printf("%s  (first frame %.1f ms, cached frame %.1f ms CPU; labels: %llu hits, "
                       "%llu misses, %zu textures; %zu fonts)\n",
                       path, t1 - t0, t2 - t1,
                       (unsigned long long)st.text_hits, (unsigned long long)st.text_misses,
                       st.text_entries, st.fonts_open);
            }
        }
    }
    bm_canvas_close(&c);
    return rc;
}
