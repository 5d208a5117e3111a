/*
 * test_screens_progress.c - the progress query screen (办件进度查询) rendered offscreen in each
 * of its states (empty, typing, querying, a result, not found, offline) in zh_CN, en and the
 * elderly theme, portrait 1080x1920 and landscape 1920x1080, compared with
 * tests/ui/golden/progress-<state>-<zh_CN|en|elderly>-<portrait|landscape>.png; and, in every
 * one of them, that each element is at least the theme's minimum target, inside the screen,
 * found by a tap at its centre, that no label overflows and nothing is drawn off the screen;
 * that the digit pad's keys are the screen's elements (progress.key.5 types a 5), the query
 * button appears only for a whole valid number, and the busy and error states have their way
 * on too.
 *
 * Goldens: BM_UPDATE_GOLDENS=1 rewrites the references (docs/ui.md); look at each before
 * committing. Tolerance as in test_screens.c: a channel may differ by 1.
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "golden_check.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DPI 96

enum orient { PORTRAIT, LANDSCAPE, ORIENTS };
static struct bm_canvas canvas[ORIENTS];
static const char *orient_name[ORIENTS] = {"portrait", "landscape"};
static const int size_w[ORIENTS] = {1080, 1920}, size_h[ORIENTS] = {1920, 1080};

/* zh_CN, en, and Chinese in the elderly theme. */
enum look { ZH, EN, ELDERLY, LOOKS };
static const char *look_name[LOOKS] = {"zh_CN", "en", "elderly"};

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

/* ---- fixed view-models ---------------------------------------------------------------------- */

enum state { EMPTY, TYPING, QUERYING, RESULT, NOT_FOUND, OFFLINE, STATES };
static const char *state_name[STATES] = {"empty",  "typing",   "querying",
                                         "result", "notfound", "offline"};

static struct bm_input_field field;

static struct tm fixed_tm(int y, int mon, int d, int h, int min)
{
    struct tm t = {.tm_year = y - 1900,
                   .tm_mon = mon - 1,
                   .tm_mday = d,
                   .tm_hour = h,
                   .tm_min = min,
                   .tm_isdst = -1};
    time_t s = mktime(&t);
    localtime_r(&s, &t);
    return t;
}

static bool digits14(const char *text, size_t chars)
{
    return chars <= 14 && bm_input_digits_only(text, chars);
}

static struct bm_progress_vm fixture(enum state s, enum look look)
{
    struct bm_progress_vm vm = {
        .kiosk = {"幸福街道党群服务中心", "一楼大厅", "12345"},
        .now = fixed_tm(2026, 11, 29, 9, 30),
        .lang = look == EN ? BM_LANG_EN : BM_LANG_ZH_CN,
        .elderly = look == ELDERLY,
        .voice_on = look == ELDERLY, /* elderly mode turns voice on */
        .scanner = true,
        .ms = 400,
    };
    bm_input_init(&field, 14, digits14);
    if (s != EMPTY)
        bm_input_insert(&field, s == TYPING ? "2026112900" : "20261129000123");
    vm.digits = field.text;
    switch (s) {
    case EMPTY:
    case TYPING:
        vm.phase = BM_PROGRESS_ENTRY;
        vm.field = &field;
        vm.pressed = s == TYPING ? "progress.key.1" : NULL;
        break;
    case QUERYING:
        vm.phase = BM_PROGRESS_QUERYING;
        break;
    case RESULT:
        vm.phase = BM_PROGRESS_FOUND;
        vm.result = (struct bm_progress_result){
            .state = BM_PROGRESS_NEEDS_MORE,
            .since = fixed_tm(2026, 12, 1, 10, 0),
            .service = look == EN ? "Elderly allowance" : "高龄津贴申请",
            .note = look == EN ? "The household register scan is unreadable; please bring it to "
                                 "the village service point."
                               : "户口簿照片不清晰，请到村便民服务点补交。"};
        break;
    case NOT_FOUND:
        vm.phase = BM_PROGRESS_NOT_FOUND;
        break;
    case OFFLINE:
        vm.phase = BM_PROGRESS_OFFLINE;
        break;
    case STATES:
        break;
    }
    return vm;
}

static void use_look(struct bm_canvas *c, enum look look)
{
    assert_int_equal(bm_fixture_language(look == EN ? BM_LANG_EN : BM_LANG_ZH_CN), BM_OK);
    bm_ui_set_theme(c->ui, look == ELDERLY ? bm_theme_elderly() : bm_theme_standard());
}

static void draw(struct bm_canvas *c, const struct bm_progress_vm *vm)
{
    bm_ui_frame_begin(c->ui);
    bm_progress_screen_draw(c->ui, vm);
    bm_ui_frame_end(c->ui);
}

/* ---- goldens and geometry ------------------------------------------------------------------- */

/* Every element of vm on c: big enough, inside, found at its centre; labels fit; nothing is
 * drawn outside the screen. */
static void check_elements(struct bm_canvas *c, const struct bm_progress_vm *vm, const char *what)
{
    int w = c->surface->w, h = c->surface->h, min = bm_ui_min_target(c->ui);
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_progress_screen_elements(c->ui, vm, list, BM_SCREEN_MAX_ELEMENTS);
    assert_true(n >= 3 && n <= BM_SCREEN_MAX_ELEMENTS);
    for (size_t i = 0; i < n; i++) {
        SDL_Rect r = list[i].rect;
        if (r.w < min || r.h < min)
            fail_msg("%s: %s is %dx%d, under %d px", what, list[i].name, r.w, r.h, min);
        if (r.x < 0 || r.y < 0 || r.x + r.w > w || r.y + r.h > h)
            fail_msg("%s: %s at %d,%d %dx%d leaves the screen", what, list[i].name, r.x, r.y, r.w,
                     r.h);
        const char *name;
        bm_screen_hit(list, n, r.x + r.w / 2, r.y + r.h / 2, &name);
        if (strcmp(name, list[i].name) != 0)
            fail_msg("%s: a tap at the centre of %s found '%s'", what, list[i].name, name);
    }
    /* Help is bottom left, as on home: at the bottom, left of everything else there. */
    const struct bm_screen_element *help = bm_screen_find(list, n, "progress.help");
    assert_non_null(help);
    assert_true(help->rect.y > h * 3 / 4);
    for (size_t i = 0; i < n; i++)
        if (list[i].rect.y + list[i].rect.h > help->rect.y && &list[i] != help &&
            list[i].rect.x <= help->rect.x)
            fail_msg("%s: %s is left of help at the bottom", what, list[i].name);

    bm_ui_set_audit(c->ui, true);
    draw(c, vm);
    size_t count;
    const struct bm_ui_audit_label *labels = bm_ui_audit_labels(c->ui, &count);
    for (size_t i = 0; i < count; i++)
        if (labels[i].overflow)
            fail_msg("%s: label '%s' overflows its box (%dx%d, needs %dx%d)", what, labels[i].text,
                     labels[i].box.w, labels[i].box.h, labels[i].size.x, labels[i].size.y);
    SDL_Rect first;
    if (bm_ui_audit_outside(c->ui, &first) != 0)
        fail_msg("%s: drawn outside the screen at %d,%d %dx%d", what, first.x, first.y, first.w,
                 first.h);
    bm_ui_set_audit(c->ui, false);
}

static void test_goldens(void **state)
{
    (void)state;
    for (int look = 0; look < LOOKS; look++)
        for (int o = 0; o < ORIENTS; o++) {
            use_look(&canvas[o], (enum look)look);
            for (int s = 0; s < STATES; s++) {
                struct bm_progress_vm vm = fixture((enum state)s, (enum look)look);
                char name[96];
                snprintf(name, sizeof name, "progress-%s-%s-%s", state_name[s], look_name[look],
                         orient_name[o]);
                check_elements(&canvas[o], &vm, name);
                draw(&canvas[o], &vm);
                /* A second frame costs what each frame of the querying bar costs. */
                struct timespec a, b;
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
                draw(&canvas[o], &vm);
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
                fprintf(stderr, "%s: a frame %.1f ms CPU\n", name,
                        (double)(b.tv_sec - a.tv_sec) * 1e3 +
                            (double)(b.tv_nsec - a.tv_nsec) / 1e6);
                bm_golden_check(canvas[o].surface, name);
            }
        }
    use_look(&canvas[PORTRAIT], ZH);
    use_look(&canvas[LANDSCAPE], ZH);
}

/* ---- behaviour ------------------------------------------------------------------------------ */

static bool has(const struct bm_screen_element *list, size_t n, const char *name)
{
    return bm_screen_find(list, n, name) != NULL;
}

static void test_pad_and_query_button(void **state)
{
    (void)state;
    struct bm_canvas *c = &canvas[PORTRAIT];
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    struct bm_progress_vm vm = fixture(TYPING, ZH);
    size_t n = bm_progress_screen_elements(c->ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
    /* The pad's keys are the screen's: a digit types itself, the others act. */
    const struct bm_screen_element *five = bm_screen_find(list, n, "progress.key.5");
    assert_non_null(five);
    assert_int_equal(five->intent.kind, BM_INTENT_KEY);
    assert_int_equal(five->intent.index, '5');
    assert_int_equal(bm_screen_find(list, n, "progress.key.backspace")->intent.index,
                     BM_KEY_BACKSPACE);
    assert_int_equal(bm_screen_find(list, n, "progress.key.done")->intent.index, BM_KEY_DONE);
    assert_false(has(list, n, "progress.key.X")); /* digits only: "BM" is fixed */
    assert_false(has(list, n, "progress.query")); /* 10 of 14 digits */

    vm = fixture(QUERYING, ZH); /* a whole number: now the pad */
    vm.phase = BM_PROGRESS_ENTRY;
    vm.field = &field;
    n = bm_progress_screen_elements(c->ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
    assert_true(has(list, n, "progress.query"));
    assert_int_equal(bm_screen_find(list, n, "progress.query")->intent.kind, BM_INTENT_SUBMIT);
    assert_false(has(list, n, "progress.key.5")); /* 14 digits: no more */
    assert_true(has(list, n, "progress.key.backspace"));

    vm.number_invalid = true; /* no such date: no query, and it says so */
    n = bm_progress_screen_elements(c->ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
    assert_false(has(list, n, "progress.query"));
    check_elements(c, &vm, "invalid number");

    /* While querying, nothing can be typed or asked twice. */
    vm = fixture(QUERYING, ZH);
    n = bm_progress_screen_elements(c->ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
    assert_false(has(list, n, "progress.key.5") || has(list, n, "progress.query"));
    assert_true(bm_progress_screen_next_frame_ms(&vm) > 0);
    vm = fixture(RESULT, ZH);
    assert_int_equal(bm_progress_screen_next_frame_ms(&vm), -1);
    n = bm_progress_screen_elements(c->ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
    assert_int_equal(bm_screen_find(list, n, "progress.edit")->intent.kind, BM_INTENT_EDIT);
}

/* Busy, error, each result state and the note's length: each has its words and its way on. */
static void test_other_states(void **state)
{
    (void)state;
    for (int look = 0; look < LOOKS; look++)
        for (int o = 0; o < ORIENTS; o++) {
            struct bm_canvas *c = &canvas[o];
            use_look(c, (enum look)look);
            struct bm_progress_vm vm = fixture(OFFLINE, (enum look)look);
            enum bm_progress_phase phases[] = {BM_PROGRESS_BUSY, BM_PROGRESS_ERROR};
            for (size_t i = 0; i < 2; i++) {
                vm.phase = phases[i];
                vm.retry_after_s = 30;
                struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
                size_t n = bm_progress_screen_elements(c->ui, &vm, list, BM_SCREEN_MAX_ELEMENTS);
                assert_int_equal(bm_screen_find(list, n, "progress.retry")->intent.kind,
                                 BM_INTENT_SUBMIT);
                check_elements(c, &vm, phases[i] == BM_PROGRESS_BUSY ? "busy" : "error");
            }
            vm = fixture(RESULT, (enum look)look);
            for (int s = BM_PROGRESS_RECEIVED; s <= BM_PROGRESS_DONE; s++) {
                vm.result.state = (enum bm_progress_state)s;
                vm.result.note = s == BM_PROGRESS_REJECTED
                                     ? "申请人年龄未满八十周岁，不符合高龄津贴的申领条件。如对结果"
                                       "有异议，可在六十日内向县民政局申请复核，或拨打热线咨询。"
                                     : NULL;
                char what[64];
                snprintf(what, sizeof what, "result state %d %s %s", s, look_name[look],
                         orient_name[o]);
                check_elements(c, &vm, what);
            }
        }
    use_look(&canvas[PORTRAIT], ZH);
    use_look(&canvas[LANDSCAPE], ZH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goldens),
        cmocka_unit_test(test_pad_and_query_button),
        cmocka_unit_test(test_other_states),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
