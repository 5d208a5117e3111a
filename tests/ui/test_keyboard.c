/*
 * test_keyboard.c - the on-screen keyboards rendered offscreen, portrait 1080x1920 and
 * landscape 1920x1080, in zh_CN and en, compared with tests/ui/golden/kbd-*.png; every key is
 * at least 15 mm at the configured dpi, inside the screen, apart from its neighbours and found
 * by a tap at its centre; labels fit; a pressed key is drawn pressed (and nothing else
 * changes); the ID pad only takes 17 digits and then a digit or X; the pinyin keyboard says
 * when the input method is unavailable and the other keys still work.
 *
 * Goldens: BM_UPDATE_GOLDENS=1 rewrites the references (docs/ui.md). Tolerance as in
 * test_screens.c: a channel may differ by 1.
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "golden_check.h"
#include "ui/keyboard.h"

#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DPI 96

enum orient { PORTRAIT, LANDSCAPE, ORIENTS };
static struct bm_canvas canvas[ORIENTS];
static const char *orient_name[ORIENTS] = {"portrait", "landscape"};
static const int size_w[ORIENTS] = {1080, 1920}, size_h[ORIENTS] = {1920, 1080};

static const char *const candidates[] = {"你好", "拟好", "你", "尼", "泥", "妮"};

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    for (int o = 0; o < ORIENTS; o++)
        if (bm_canvas_open(&canvas[o], size_w[o], size_h[o], DPI) != BM_OK) {
            fprintf(stderr, "canvas: %s\n", bm_err_detail());
            return -1;
        }
    return bm_fixture_language(BM_LANG_ZH_CN) == BM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (int o = 0; o < ORIENTS; o++)
        bm_canvas_close(&canvas[o]);
    return 0;
}

/* ---- fixed view-models ------------------------------------------------------------------ */

static struct bm_input_field field;

/* The vm each layout's golden shows: a digit pad with 5 held down; an ID pad at the 18th
 * place (X live); Latin letters; pinyin while "ni hao" is composed, more pages to come. */
static struct bm_kbd_vm fixture_vm(enum bm_kbd_layout layout)
{
    struct bm_kbd_vm vm = {.layout = layout, .pinyin_available = true};
    switch (layout) {
    case BM_KBD_DIGITS:
        bm_input_init(&field, 11, bm_input_digits_only);
        bm_input_insert(&field, "1391234");
        vm.pressed = "kbd.key.5";
        break;
    case BM_KBD_ID_NUMBER:
        bm_input_init(&field, 18, bm_input_id_number_prefix);
        bm_input_insert(&field, "11010519491231002");
        break;
    case BM_KBD_LATIN:
        bm_input_init(&field, 40, NULL);
        break;
    case BM_KBD_PINYIN:
        bm_input_init(&field, 40, NULL);
        vm.preedit = "ni hao";
        vm.candidates = candidates;
        vm.candidate_count = 6;
        vm.has_next_page = true;
        break;
    }
    vm.field = &field;
    return vm;
}

static const char *layout_name(enum bm_kbd_layout l)
{
    static const char *names[] = {"digits", "id", "latin", "pinyin"};
    return names[l];
}

static void draw(int o, const struct bm_kbd_vm *vm)
{
    bm_ui_frame_begin(canvas[o].ui);
    bm_kbd_draw(canvas[o].ui, vm);
    bm_ui_frame_end(canvas[o].ui);
}

/* ---- goldens ------------------------------------------------------------------------------ */

static Uint32 px_at(SDL_Surface *s, int x, int y)
{
    return ((Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
}

static int max_chan_diff(Uint32 a, Uint32 b)
{
    int m = 0;
    for (int sh = 0; sh < 24; sh += 8) {
        int d = (int)((a >> sh) & 0xFF) - (int)((b >> sh) & 0xFF);
        d = d < 0 ? -d : d;
        m = d > m ? d : m;
    }
    return m;
}

static void check_golden(SDL_Surface *a, const char *name)
{
    bm_golden_check(a, name);
}

static void test_goldens(void **state)
{
    (void)state;
    for (int lang = BM_LANG_ZH_CN; lang <= BM_LANG_EN; lang++) {
        assert_int_equal(bm_fixture_language((enum bm_lang)lang), BM_OK);
        for (int o = 0; o < ORIENTS; o++)
            for (int l = BM_KBD_DIGITS; l <= BM_KBD_PINYIN; l++) {
                struct bm_kbd_vm vm = fixture_vm((enum bm_kbd_layout)l);
                draw(o, &vm);
                char name[96];
                snprintf(name, sizeof name, "kbd-%s-%s-%s", layout_name((enum bm_kbd_layout)l),
                         bm_fixture_lang_code((enum bm_lang)lang), orient_name[o]);
                check_golden(canvas[o].surface, name);
            }
    }
    /* The pinyin keyboard when librime is missing. */
    assert_int_equal(bm_fixture_language(BM_LANG_ZH_CN), BM_OK);
    struct bm_kbd_vm vm = fixture_vm(BM_KBD_PINYIN);
    vm.pinyin_available = false;
    vm.preedit = NULL;
    vm.candidate_count = 0;
    vm.has_next_page = false;
    draw(PORTRAIT, &vm);
    check_golden(canvas[PORTRAIT].surface, "kbd-pinyin-unavailable-zh_CN-portrait");
}

/* ---- geometry ------------------------------------------------------------------------------ */

static bool overlap(SDL_Rect a, SDL_Rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every listed key of vm on canvas c: big enough, inside, apart, hit at its centre. */
static size_t check_keys(struct bm_canvas *c, const struct bm_kbd_vm *vm, int w, int h)
{
    int min = bm_ui_min_target(c->ui);
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    size_t n = bm_kbd_keys(c->ui, vm, keys, BM_KBD_MAX_KEYS);
    assert_true(n > 0 && n <= BM_KBD_MAX_KEYS);
    SDL_Rect panel = bm_kbd_rect(c->ui, vm);
    assert_int_equal(panel.y + panel.h, h);
    assert_true(panel.y > h / 3); /* the screen above stays usable */
    for (size_t i = 0; i < n; i++) {
        SDL_Rect r = keys[i].rect;
        if (r.w < min || r.h < min)
            fail_msg("%s (layout %d, %dx%d) is %dx%d, smaller than %d px", keys[i].name, vm->layout,
                     w, h, r.w, r.h, min);
        if (!(r.x >= 0 && r.y >= panel.y && r.x + r.w <= w && r.y + r.h <= h))
            fail_msg("%s at %d,%d %dx%d leaves the keyboard", keys[i].name, r.x, r.y, r.w, r.h);
        struct bm_kbd_key hit = bm_kbd_hit(c->ui, vm, r.x + r.w / 2, r.y + r.h / 2);
        if (strcmp(hit.name, keys[i].name) != 0)
            fail_msg("tap at the centre of %s found '%s'", keys[i].name, hit.name);
        assert_int_equal(hit.action, keys[i].action);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(keys[i].name, keys[j].name) == 0)
                fail_msg("two keys named %s", keys[i].name);
            if (overlap(r, keys[j].rect))
                fail_msg("%s overlaps %s", keys[i].name, keys[j].name);
        }
    }
    /* Above the keyboard nothing is hit. */
    assert_int_equal(bm_kbd_hit(c->ui, vm, w / 2, panel.y - 5).action, BM_KBD_NONE);
    return n;
}

static bool has_key(struct bm_canvas *c, const struct bm_kbd_vm *vm, const char *name)
{
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    size_t n = bm_kbd_keys(c->ui, vm, keys, BM_KBD_MAX_KEYS);
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, name) == 0)
            return true;
    return false;
}

static void test_keys(void **state)
{
    (void)state;
    assert_int_equal(bm_ui_min_target(canvas[PORTRAIT].ui), 57); /* 15 mm at 96 dpi */
    for (int o = 0; o < ORIENTS; o++)
        for (int l = BM_KBD_DIGITS; l <= BM_KBD_PINYIN; l++) {
            struct bm_kbd_vm vm = fixture_vm((enum bm_kbd_layout)l);
            check_keys(&canvas[o], &vm, size_w[o], size_h[o]);
        }
    /* The names journeys use. */
    struct bm_kbd_vm vm = fixture_vm(BM_KBD_PINYIN);
    const char *pinyin[] = {"kbd.key.a",  "kbd.key.apostrophe", "kbd.cand.0",    "kbd.cand.2",
                            "kbd.cand.5", "kbd.next_page",      "kbd.backspace", "kbd.space",
                            "kbd.done",   "kbd.switch"};
    for (size_t i = 0; i < sizeof pinyin / sizeof pinyin[0]; i++)
        if (!has_key(&canvas[PORTRAIT], &vm, pinyin[i]))
            fail_msg("pinyin has no %s", pinyin[i]);
    assert_false(has_key(&canvas[PORTRAIT], &vm, "kbd.prev_page")); /* first page */
    vm = fixture_vm(BM_KBD_LATIN);
    assert_true(has_key(&canvas[LANDSCAPE], &vm, "kbd.key.0"));
    assert_true(has_key(&canvas[LANDSCAPE], &vm, "kbd.shift"));
    vm = fixture_vm(BM_KBD_ID_NUMBER);
    assert_true(has_key(&canvas[PORTRAIT], &vm, "kbd.key.X"));
    vm = fixture_vm(BM_KBD_DIGITS);
    assert_false(has_key(&canvas[PORTRAIT], &vm, "kbd.key.X"));
    assert_true(has_key(&canvas[PORTRAIT], &vm, "kbd.key.5"));
}

/* At a denser screen (a 21.5" 1080p panel is ~102 dpi; small ones reach 160) keys grow with
 * the minimum target and still fit. */
static void test_keys_at_high_dpi(void **state)
{
    (void)state;
    for (int o = 0; o < ORIENTS; o++) {
        struct bm_canvas c;
        assert_int_equal(bm_canvas_open(&c, size_w[o], size_h[o], 160), BM_OK);
        assert_int_equal(bm_ui_min_target(c.ui), 95);
        for (int l = BM_KBD_DIGITS; l <= BM_KBD_PINYIN; l++) {
            struct bm_kbd_vm vm = fixture_vm((enum bm_kbd_layout)l);
            check_keys(&c, &vm, size_w[o], size_h[o]);
        }
        bm_canvas_close(&c);
    }
}

/* Every label fits its key and nothing is drawn off the screen, in both languages. */
static void test_audit(void **state)
{
    (void)state;
    for (int o = 0; o < ORIENTS; o++) {
        bm_ui_set_audit(canvas[o].ui, true);
        for (int lang = BM_LANG_ZH_CN; lang <= BM_LANG_EN; lang++) {
            assert_int_equal(bm_fixture_language((enum bm_lang)lang), BM_OK);
            for (int l = BM_KBD_DIGITS; l <= BM_KBD_PINYIN; l++) {
                struct bm_kbd_vm vm = fixture_vm((enum bm_kbd_layout)l);
                draw(o, &vm);
                size_t count;
                const struct bm_ui_audit_label *lab = bm_ui_audit_labels(canvas[o].ui, &count);
                assert_true(count >= 10);
                for (size_t i = 0; i < count; i++)
                    if (lab[i].overflow)
                        fail_msg("%s/%s: '%s' needs %dx%d, box %dx%d",
                                 layout_name((enum bm_kbd_layout)l), orient_name[o], lab[i].text,
                                 lab[i].size.x, lab[i].size.y, lab[i].box.w, lab[i].box.h);
                SDL_Rect first;
                assert_int_equal(bm_ui_audit_outside(canvas[o].ui, &first), 0);
            }
        }
        bm_ui_set_audit(canvas[o].ui, false);
    }
}

/* A pressed key is drawn pressed in the next frame, and only that key changes. */
static void test_press_feedback(void **state)
{
    (void)state;
    struct bm_canvas *c = &canvas[PORTRAIT];
    struct bm_kbd_vm vm = fixture_vm(BM_KBD_LATIN);
    size_t bytes = (size_t)c->surface->pitch * (size_t)c->surface->h;
    Uint8 *before = malloc(bytes);
    assert_non_null(before);
    draw(PORTRAIT, &vm);
    memcpy(before, c->surface->pixels, bytes);
    vm.pressed = "kbd.key.g";
    draw(PORTRAIT, &vm);
    struct bm_kbd_key g = bm_kbd_hit(c->ui, &vm, 0, 0);
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    size_t n = bm_kbd_keys(c->ui, &vm, keys, BM_KBD_MAX_KEYS);
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, "kbd.key.g") == 0)
            g = keys[i];
    assert_string_equal(g.name, "kbd.key.g");
    SDL_Rect around = bm_rect_inset(g.rect, -8); /* the key and its edge below */
    long inside = 0, outside = 0;
    for (int y = 0; y < c->surface->h; y++)
        for (int x = 0; x < c->surface->w; x++) {
            Uint32 a = ((Uint32 *)(before + (size_t)y * (size_t)c->surface->pitch))[x];
            if (max_chan_diff(a, px_at(c->surface, x, y)) > 0) {
                if (bm_rect_contains(around, x, y))
                    inside++;
                else
                    outside++;
            }
        }
    free(before);
    assert_int_equal(outside, 0);
    assert_true(inside > g.rect.w * g.rect.h / 2); /* the whole key changes colour */
}

/* The second frame of an unchanged keyboard rasterises nothing: every label is cached. */
static void test_text_cache_second_frame(void **state)
{
    (void)state;
    assert_int_equal(bm_fixture_language(BM_LANG_ZH_CN), BM_OK);
    for (int l = BM_KBD_DIGITS; l <= BM_KBD_PINYIN; l++) {
        struct bm_kbd_vm vm = fixture_vm((enum bm_kbd_layout)l);
        draw(PORTRAIT, &vm);
        struct bm_ui_stats a, b;
        bm_ui_get_stats(canvas[PORTRAIT].ui, &a);
        draw(PORTRAIT, &vm);
        bm_ui_get_stats(canvas[PORTRAIT].ui, &b);
        assert_int_equal(b.text_misses, a.text_misses);
        assert_true(b.text_hits >= a.text_hits + 10);
    }
}

/* The ID pad through the widget: X only in the 18th place, nothing after 18. */
static void test_id_pad(void **state)
{
    (void)state;
    struct bm_canvas *c = &canvas[PORTRAIT];
    struct bm_input_field f;
    bm_input_init(&f, 18, bm_input_id_number_prefix);
    struct bm_kbd_vm vm = {.layout = BM_KBD_ID_NUMBER, .field = &f};
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    assert_false(has_key(c, &vm, "kbd.key.X"));
    /* Where X is drawn, nothing is hit while it is off. */
    bm_input_insert(&f, "11010519491231002");
    size_t n = bm_kbd_keys(c->ui, &vm, keys, BM_KBD_MAX_KEYS);
    SDL_Rect x_rect = {0};
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, "kbd.key.X") == 0)
            x_rect = keys[i].rect;
    assert_true(x_rect.w > 0);
    bm_input_wipe(&f);
    assert_int_equal(
        bm_kbd_hit(c->ui, &vm, x_rect.x + x_rect.w / 2, x_rect.y + x_rect.h / 2).action,
        BM_KBD_NONE);

    /* Type 17 digits by tapping, then X. */
    const char *digits = "11010519491231002";
    for (const char *p = digits; *p; p++) {
        char name[BM_KBD_NAME_MAX];
        snprintf(name, sizeof name, "kbd.key.%c", *p);
        n = bm_kbd_keys(c->ui, &vm, keys, BM_KBD_MAX_KEYS);
        const struct bm_kbd_key *k = NULL;
        for (size_t i = 0; i < n; i++)
            if (strcmp(keys[i].name, name) == 0)
                k = &keys[i];
        assert_non_null(k);
        struct bm_kbd_key hit =
            bm_kbd_hit(c->ui, &vm, k->rect.x + k->rect.w / 2, k->rect.y + k->rect.h / 2);
        assert_true(bm_kbd_apply(&hit, &f));
        assert_false(has_key(c, &vm, "kbd.key.X") != (f.chars == 17));
    }
    assert_string_equal(f.text, digits);
    struct bm_kbd_key x = bm_kbd_hit(c->ui, &vm, x_rect.x + x_rect.w / 2, x_rect.y + x_rect.h / 2);
    assert_string_equal(x.name, "kbd.key.X");
    assert_true(bm_kbd_apply(&x, &f));
    assert_true(bm_input_id_number_complete(f.text));
    /* Full: no character key is live; backspace and done are. */
    n = bm_kbd_keys(c->ui, &vm, keys, BM_KBD_MAX_KEYS);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(keys[i].action, BM_KBD_TEXT);
    assert_true(has_key(c, &vm, "kbd.backspace"));
    assert_true(has_key(c, &vm, "kbd.done"));
    struct bm_kbd_key bs = {.action = BM_KBD_BACKSPACE};
    assert_true(bm_kbd_apply(&bs, &f));
    assert_int_equal(f.chars, 17);
    bm_input_wipe(&f);
}

/* Without the input method the pinyin keyboard's letters are off; switching, backspace and
 * done still work, so the resident is never stuck. */
static void test_pinyin_unavailable(void **state)
{
    (void)state;
    struct bm_kbd_vm vm = fixture_vm(BM_KBD_PINYIN);
    vm.pinyin_available = false;
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    size_t n = bm_kbd_keys(canvas[PORTRAIT].ui, &vm, keys, BM_KBD_MAX_KEYS);
    for (size_t i = 0; i < n; i++) {
        assert_int_not_equal(keys[i].action, BM_KBD_TEXT);
        assert_int_not_equal(keys[i].action, BM_KBD_CANDIDATE);
    }
    assert_true(has_key(&canvas[PORTRAIT], &vm, "kbd.switch"));
    assert_true(has_key(&canvas[PORTRAIT], &vm, "kbd.done"));
    assert_true(has_key(&canvas[PORTRAIT], &vm, "kbd.backspace"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goldens),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_keys_at_high_dpi),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_press_feedback),
        cmocka_unit_test(test_id_pad),
        cmocka_unit_test(test_pinyin_unavailable),
        cmocka_unit_test(test_text_cache_second_frame),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
