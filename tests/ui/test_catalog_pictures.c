/*
 * test_catalog_pictures.c - every example picture the bundled catalog names loads with the
 * UI's image library (SDL2_image, whose SVG support is nanosvg) and has a usable size, so a
 * materials screen can show it. Each is also written as a PNG into BM_TEST_TMP for people to
 * look at.
 */
#include "test_support.h"

#include "services/catalog.h"

#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <string.h>

static void test_every_example_picture_loads(void **state)
{
    (void)state;
    char assets[4096];
    snprintf(assets, sizeof assets, "%s", bm_test_source_path("ui-assets"));
    struct bm_catalog_load_options o = {.assets_dir = assets};
    struct bm_catalog *cat = NULL;
    assert_int_equal(
        bm_catalog_load_file(bm_test_source_path("config/catalog.json"), &o, NULL, &cat), BM_OK);
    assert_int_equal(IMG_Init(0), 0);
    const char *out = bm_test_mkdtemp("catalog-pictures");

    size_t checked = 0;
    for (size_t i = 0; i < bm_catalog_service_count(cat); i++) {
        const struct bm_catalog_step *st =
            bm_catalog_step_find(bm_catalog_service_at(cat, i), BM_STEP_MATERIALS);
        for (size_t m = 0; st && m < st->material_count; m++) {
            const char *rel = st->materials[m].example;
            if (!rel)
                continue;
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", assets, rel);
            SDL_Surface *s = IMG_Load(path);
            if (!s)
                fail_msg("%s: %s", path, IMG_GetError());
            /* A picture big enough to show, and not one flat colour (it really drew). */
            assert_true(s->w >= 200 && s->h >= 200);
            SDL_Surface *rgba = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGBA32, 0);
            const Uint32 *px = rgba->pixels;
            size_t different = 0;
            for (int k = 0; k < rgba->w * rgba->h; k++)
                different += px[k] != px[0];
            assert_true(different > (size_t)(rgba->w * rgba->h) / 20);
            char png[8192];
            snprintf(png, sizeof png, "%s/%s.png", out, strrchr(rel, '/') + 1);
            IMG_SavePNG(rgba, png);
            SDL_FreeSurface(rgba);
            SDL_FreeSurface(s);
            checked++;
        }
    }
    assert_true(checked >= 10);
    IMG_Quit();
    bm_catalog_unref(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_example_picture_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
