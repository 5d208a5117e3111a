/*
 * test_screens.c - the golden matrix of the attract and home screens: each rendered offscreen
 * in zh_CN, en and elderly mode (Chinese in the elderly theme), portrait 1080x1920 and
 * landscape 1920x1080, plus home in high contrast, compared with the reference PNGs in
 * tests/ui/golden/<screen>-<look>-<orientation>.png. For every combination (and English in
 * elderly mode, which has no golden) it also checks that a second frame rasterises no text,
 * that every named element is hit where it is drawn, is large enough to touch for its theme,
 * is on the screen and overlaps no other, that nothing is drawn off the screen and that every
 * label fits its box. And what elderly mode and landscape promise: type >= 1.5x, at most six
 * quick entries, labels as large in landscape as in portrait; the static layer redraws when
 * the voice or elderly state changes, and a press darkens only the pressed element.
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

#define DPI     96
#define ATTRACT 0
#define HOME    1

static struct bm_canvas canvas[BM_FIXTURE_ORIENTATIONS];

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        int w, h;
        bm_fixture_orientation_size(o, &w, &h);
        if (bm_canvas_open(&canvas[o], w, h, DPI) != BM_OK) {
            fprintf(stderr, "canvas: %s\n", bm_err_detail());
            return -1;
        }
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
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++)
        bm_canvas_close(&canvas[o]);
    return 0;
}

static const struct bm_fixture_look *look_named(const char *name)
{
    for (int k = 0; k < BM_FIXTURE_LOOKS; k++)
        if (strcmp(bm_fixture_looks[k].name, name) == 0)
            return &bm_fixture_looks[k];
    fail_msg("no look %s", name);
    return NULL;
}

/* Draws screen in look on the canvas of orientation o and compares with its golden. */
static void golden(int screen, const struct bm_fixture_look *look, int o)
{
    struct bm_canvas *c = &canvas[o];
    assert_int_equal(bm_fixture_use_look(c, look), BM_OK);
    bm_fixture_draw_look(c, screen, look);
    char name[96];
    snprintf(name, sizeof name, "%s-%s-%s", bm_fixture_screen_name(screen), look->name,
             bm_fixture_orientation_name(o));
    bm_golden_check(c->surface, name);
}

/* The matrix of one screen in one orientation: zh_CN, en, elderly. */
static void golden_matrix(int screen, int o)
{
    for (int k = 0; k < BM_FIXTURE_MATRIX_LOOKS; k++)
        golden(screen, &bm_fixture_looks[k], o);
}

static void test_golden_attract_portrait(void **state)
{
    (void)state;
    golden_matrix(ATTRACT, 0);
}

static void test_golden_attract_landscape(void **state)
{
    (void)state;
    golden_matrix(ATTRACT, 1);
}

static void test_golden_home_portrait(void **state)
{
    (void)state;
    golden_matrix(HOME, 0);
}

static void test_golden_home_landscape(void **state)
{
    (void)state;
    golden_matrix(HOME, 1);
}

static void test_golden_home_high_contrast(void **state)
{
    (void)state;
    golden(HOME, look_named("high_contrast-zh_CN"), 0);
}

/* The second frame of an unchanged screen rasterises nothing: every label is a cache hit. */
static void test_text_cache_second_frame(void **state)
{
    (void)state;
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        struct bm_canvas *c = &canvas[o];
        for (int k = 0; k < BM_FIXTURE_LOOKS; k++) {
            assert_int_equal(bm_fixture_use_look(c, &bm_fixture_looks[k]), BM_OK);
            for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
                bm_fixture_draw_look(c, s, &bm_fixture_looks[k]);
                struct bm_ui_stats a, b;
                bm_ui_get_stats(c->ui, &a);
                bm_fixture_draw_look(c, s, &bm_fixture_looks[k]);
                bm_ui_get_stats(c->ui, &b);
                assert_int_equal(b.text_misses, a.text_misses);
                assert_true(b.text_hits > a.text_hits);
            }
        }
    }
}

static bool overlap(SDL_Rect a, SDL_Rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* One combination's elements: hit at the centre, >= the theme's minimum, on the screen, apart. */
static void check_elements(int o, int s, const struct bm_fixture_look *look)
{
    struct bm_canvas *c = &canvas[o];
    int W = bm_ui_width(c->ui), H = bm_ui_height(c->ui);
    int min = bm_ui_min_target(c->ui);
    assert_int_equal(min, look->elderly ? 69 : 57); /* 18 / 15 mm at 96 dpi */
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_fixture_elements_look(c, s, look, el, BM_SCREEN_MAX_ELEMENTS);
    assert_true(n > 0 && n <= BM_SCREEN_MAX_ELEMENTS);
    for (size_t i = 0; i < n; i++) {
        SDL_Rect r = el[i].rect;
        const char *where = bm_fixture_orientation_name(o);
        if (r.w < min || r.h < min)
            fail_msg("%s %s %s is %dx%d, smaller than %d px", look->name, where, el[i].name, r.w,
                     r.h, min);
        if (r.x < 0 || r.y < 0 || r.x + r.w > W || r.y + r.h > H)
            fail_msg("%s %s %s is off the screen", look->name, where, el[i].name);
        assert_ptr_equal(bm_screen_find(el, n, el[i].name), &el[i]);
        const char *name = NULL;
        struct bm_intent in = bm_fixture_hit_look(c, s, look, r.x + r.w / 2, r.y + r.h / 2, &name);
        bool whole_screen = strcmp(el[i].name, "attract.start") == 0;
        if (strcmp(name, el[i].name) != 0 && !whole_screen)
            fail_msg("%s %s: a tap at the centre of %s found '%s'", look->name, where, el[i].name,
                     name);
        assert_int_equal(in.kind, el[i].intent.kind);
        for (size_t j = i + 1; j < n && !whole_screen; j++)
            if (strcmp(el[j].name, "attract.start") != 0 && overlap(r, el[j].rect))
                fail_msg("%s %s: %s overlaps %s", look->name, where, el[i].name, el[j].name);
    }
}

static void test_elements(void **state)
{
    (void)state;
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        for (int k = 0; k < BM_FIXTURE_LOOKS; k++) {
            const struct bm_fixture_look *look = &bm_fixture_looks[k];
            assert_int_equal(bm_fixture_use_look(&canvas[o], look), BM_OK);
            for (int s = 0; s < BM_FIXTURE_SCREENS; s++)
                check_elements(o, s, look);
        }
    }
}

/* The names journeys use exist in every look and orientation; help sits at the bottom left. */
static void test_home_names_and_help(void **state)
{
    (void)state;
    const char *names[] = {"home.id_card", "home.category.gov", "home.quick.social_security",
                           "home.help",    "home.hotline",      "home.elderly",
                           "home.voice",   "home.language"};
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        struct bm_canvas *c = &canvas[o];
        int W = bm_ui_width(c->ui), H = bm_ui_height(c->ui);
        for (int k = 0; k < BM_FIXTURE_LOOKS; k++) {
            const struct bm_fixture_look *look = &bm_fixture_looks[k];
            assert_int_equal(bm_fixture_use_look(c, look), BM_OK);
            struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
            size_t n = bm_fixture_elements_look(c, HOME, look, el, BM_SCREEN_MAX_ELEMENTS);
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                if (!bm_screen_find(el, n, names[i]))
                    fail_msg("%s %s: no element %s", look->name, bm_fixture_orientation_name(o),
                             names[i]);
            /* The notice is left out in elderly mode (fewer things to read). */
            assert_true((bm_screen_find(el, n, "home.notice") != NULL) == !look->elderly);
            const struct bm_screen_element *help = bm_screen_find(el, n, "home.help");
            assert_true(help->rect.x < W / 4 && help->rect.y > H * 4 / 5);
            for (size_t i = 0; i < n; i++) /* nothing below or left of it */
                assert_false(
                    el[i].rect.y > help->rect.y + help->rect.h / 2 ||
                    (el[i].rect.x + el[i].rect.w <= help->rect.x && el[i].rect.y >= help->rect.y));
        }
    }
    /* Between elements nothing is hit. */
    struct bm_home_vm vm;
    bm_fixture_home(&vm, BM_LANG_ZH_CN);
    assert_int_equal(bm_fixture_use_look(&canvas[0], look_named("zh_CN")), BM_OK);
    assert_int_equal(bm_home_hit(canvas[0].ui, &vm, 2, 2, NULL).kind, BM_INTENT_NONE);
}

/* Elderly mode shows fewer quick entries: at most six (standard: all twelve). */
static void test_elderly_fewer_items(void **state)
{
    (void)state;
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        for (int k = 0; k < BM_FIXTURE_LOOKS; k++) {
            const struct bm_fixture_look *look = &bm_fixture_looks[k];
            assert_int_equal(bm_fixture_use_look(&canvas[o], look), BM_OK);
            struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
            size_t n = bm_fixture_elements_look(&canvas[o], HOME, look, el, BM_SCREEN_MAX_ELEMENTS);
            size_t quick = 0;
            for (size_t i = 0; i < n; i++)
                quick += el[i].intent.kind == BM_INTENT_QUICK;
            assert_int_equal(quick, look->elderly ? 6 : 12);
        }
    }
}

/* The audited label whose text is text (NULL if none was drawn). */
static const struct bm_ui_audit_label *audited(struct bm_canvas *c, const char *text)
{
    size_t count;
    const struct bm_ui_audit_label *l = bm_ui_audit_labels(c->ui, &count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(l[i].text, text) == 0)
            return &l[i];
    return NULL;
}

/* The height of a label as drawn in look on orientation o's canvas. */
static int label_height(int o, int screen, const char *look_name, const char *text)
{
    struct bm_canvas *c = &canvas[o];
    const struct bm_fixture_look *look = look_named(look_name);
    assert_int_equal(bm_fixture_use_look(c, look), BM_OK);
    bm_ui_set_audit(c->ui, true);
    bm_fixture_draw_look(c, screen, look);
    const struct bm_ui_audit_label *l = audited(c, text);
    if (!l)
        fail_msg("%s: no label '%s' on %s", look_name, text, bm_fixture_screen_name(screen));
    int h = l->size.y;
    bm_ui_set_audit(c->ui, false);
    return h;
}

/* Elderly type is at least 1.5x the standard, as drawn (fitting never shrinks it below). */
static void test_elderly_type_is_larger(void **state)
{
    (void)state;
    const char *home_texts[] = {"政务办理", "社保查询", "求助", "您好，欢迎自助办事"};
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        for (size_t i = 0; i < sizeof home_texts / sizeof home_texts[0]; i++) {
            int std = label_height(o, HOME, "zh_CN", home_texts[i]);
            int eld = label_height(o, HOME, "elderly", home_texts[i]);
            if (eld * 100 < std * 145) /* 1.5x, less a pixel's rounding of the line box */
                fail_msg("%s %s: elderly %d px vs standard %d px", bm_fixture_orientation_name(o),
                         home_texts[i], eld, std);
        }
        int std = label_height(o, ATTRACT, "zh_CN", "2026年11月29日 星期日");
        int eld = label_height(o, ATTRACT, "elderly", "2026年11月29日 星期日");
        assert_true(eld * 100 >= std * 145);
    }
}

/* Landscape type is the size of portrait type (the scale follows the short side). */
static void test_landscape_type_as_portrait(void **state)
{
    (void)state;
    const char *texts[] = {"求助", "政务办理", "您好，欢迎自助办事"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_int_equal(label_height(1, HOME, "zh_CN", texts[i]),
                         label_height(0, HOME, "zh_CN", texts[i]));
    assert_int_equal(label_height(1, ATTRACT, "zh_CN", "服务热线 12345"),
                     label_height(0, ATTRACT, "zh_CN", "服务热线 12345"));
    assert_int_equal(bm_ui_px(canvas[1].ui, 100), 100);
}

/* Every label fits its box in every combination, and nothing is drawn off the screen. */
static void test_audit(void **state)
{
    (void)state;
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        struct bm_canvas *c = &canvas[o];
        bm_ui_set_audit(c->ui, true);
        for (int k = 0; k < BM_FIXTURE_LOOKS; k++) {
            const struct bm_fixture_look *look = &bm_fixture_looks[k];
            assert_int_equal(bm_fixture_use_look(c, look), BM_OK);
            for (int s = 0; s < BM_FIXTURE_SCREENS; s++) {
                bm_fixture_draw_look(c, s, look);
                size_t count;
                const struct bm_ui_audit_label *l = bm_ui_audit_labels(c->ui, &count);
                assert_true(count > 5);
                int bad = 0;
                for (size_t i = 0; i < count; i++) {
                    if (l[i].overflow) {
                        fprintf(stderr, "%s/%s/%s: '%s' needs %dx%d, box %dx%d\n",
                                bm_fixture_screen_name(s), look->name,
                                bm_fixture_orientation_name(o), l[i].text, l[i].size.x, l[i].size.y,
                                l[i].box.w, l[i].box.h);
                        bad++;
                    }
                }
                assert_int_equal(bad, 0);
                SDL_Rect first;
                size_t outside = bm_ui_audit_outside(c->ui, &first);
                if (outside)
                    fail_msg("%s/%s/%s: %zu shapes drawn outside the screen, first at %d,%d %dx%d",
                             bm_fixture_screen_name(s), look->name, bm_fixture_orientation_name(o),
                             outside, first.x, first.y, first.w, first.h);
            }
        }
        bm_ui_set_audit(c->ui, false);
    }
}

static SDL_Surface *copy_of(const SDL_Surface *s)
{
    SDL_Surface *c = SDL_ConvertSurfaceFormat((SDL_Surface *)s, SDL_PIXELFORMAT_ARGB8888, 0);
    assert_non_null(c);
    return c;
}

/* The bounding box of the pixels that differ between a and b (w 0 if none). */
static SDL_Rect diff_box(const SDL_Surface *a, const SDL_Surface *b)
{
    int x0 = a->w, y0 = a->h, x1 = -1, y1 = -1;
    for (int y = 0; y < a->h; y++) {
        const Uint32 *pa = (const Uint32 *)((const Uint8 *)a->pixels + y * a->pitch);
        const Uint32 *pb = (const Uint32 *)((const Uint8 *)b->pixels + y * b->pitch);
        for (int x = 0; x < a->w; x++) {
            if (pa[x] != pb[x]) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
        }
    }
    return x1 < 0 ? bm_rect(0, 0, 0, 0) : bm_rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
}

static void draw_home_vm(struct bm_canvas *c, const struct bm_home_vm *vm)
{
    bm_ui_frame_begin(c->ui);
    bm_home_draw(c->ui, vm);
    bm_ui_frame_end(c->ui);
}

/* The static layer's key holds the voice and elderly states: switching either redraws the
 * layer (the voice button's words change), it is not a stale copy. And a press darkens the
 * pressed element only. */
static void test_layer_key_and_press(void **state)
{
    (void)state;
    for (int o = 0; o < BM_FIXTURE_ORIENTATIONS; o++) {
        for (int eld = 0; eld <= 1; eld++) {
            struct bm_canvas *c = &canvas[o];
            const struct bm_fixture_look *look = look_named(eld ? "elderly" : "zh_CN");
            assert_int_equal(bm_fixture_use_look(c, look), BM_OK);
            struct bm_home_vm vm;
            bm_fixture_home(&vm, BM_LANG_ZH_CN);
            vm.elderly_on = eld;
            struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
            size_t n = bm_home_elements(c->ui, &vm, el, BM_SCREEN_MAX_ELEMENTS);
            /* The button and its anti-aliased edge (half a pixel out). */
            SDL_Rect voice = bm_rect_inset(bm_screen_find(el, n, "home.voice")->rect, -1);

            draw_home_vm(c, &vm);
            draw_home_vm(c, &vm); /* from the layer */
            SDL_Surface *off = copy_of(c->surface);
            vm.voice_on = true;
            draw_home_vm(c, &vm);
            SDL_Rect d = diff_box(off, c->surface);
            assert_true(d.w > 0); /* the layer was drawn again */
            assert_true(d.x >= voice.x && d.y >= voice.y && d.x + d.w <= voice.x + voice.w &&
                        d.y + d.h <= voice.y + voice.h);

            SDL_Surface *on = copy_of(c->surface);
            vm.pressed = "home.voice";
            draw_home_vm(c, &vm);
            d = diff_box(on, c->surface);
            assert_true(d.w > 0);
            assert_true(d.x >= voice.x && d.y >= voice.y && d.x + d.w <= voice.x + voice.w &&
                        d.y + d.h <= voice.y + voice.h);
            SDL_FreeSurface(on);
            SDL_FreeSurface(off);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_attract_portrait),
        cmocka_unit_test(test_golden_attract_landscape),
        cmocka_unit_test(test_golden_home_portrait),
        cmocka_unit_test(test_golden_home_landscape),
        cmocka_unit_test(test_golden_home_high_contrast),
        cmocka_unit_test(test_text_cache_second_frame),
        cmocka_unit_test(test_elements),
        cmocka_unit_test(test_home_names_and_help),
        cmocka_unit_test(test_elderly_fewer_items),
        cmocka_unit_test(test_elderly_type_is_larger),
        cmocka_unit_test(test_landscape_type_as_portrait),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_layer_key_and_press),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
