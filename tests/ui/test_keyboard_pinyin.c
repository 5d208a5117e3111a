/*
 * test_keyboard_pinyin.c - the pinyin keyboard driven end to end as the flow will drive it:
 * taps found by key name at their centres go to the real input method (librime, deployed by
 * tools/rime-deploy.sh into a temp dir), its preedit and candidate page come back into the
 * keyboard's vm, a tapped candidate lands in the input field; paging by the bar's buttons;
 * the session end wipes both. Also checks that real candidates fit their keys.
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "services/ime.h"
#include "ui/keyboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct bm_canvas canvas;
static struct bm_ime *ime;
static struct bm_input_field field;
static struct bm_ime_view view;
static const char *cand_ptrs[BM_IME_PAGE_MAX];
static struct bm_kbd_vm vm;

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    if (system("command -v rime_deployer >/dev/null") != 0 ||
        access("/usr/share/rime-data/luna_pinyin_simp.schema.yaml", R_OK) != 0)
        bm_test_skip_or_fail("librime-bin and rime-data-luna-pinyin");
    char dir[4096], cmd[8192];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("rime"));
    snprintf(cmd, sizeof cmd, "bash '%s' '%s'", bm_test_source_path("tools/rime-deploy.sh"), dir);
    if (system(cmd) != 0)
        return -1;
    struct bm_ime_options o = {.user_data_dir = dir};
    if (bm_ime_open(&o, &ime) != BM_OK) {
        fprintf(stderr, "ime: %s\n", bm_err_detail());
        return -1;
    }
    if (bm_canvas_open(&canvas, 1080, 1920, 96) != BM_OK ||
        bm_fixture_language(BM_LANG_ZH_CN) != BM_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bm_ime_close(ime);
    bm_canvas_close(&canvas);
    return 0;
}

/* The vm from the input method's state (what the flow does after every key). */
static void refresh_vm(void)
{
    bm_ime_get_view(ime, &view);
    for (size_t i = 0; i < view.count; i++)
        cand_ptrs[i] = view.candidates[i];
    vm = (struct bm_kbd_vm){
        .layout = BM_KBD_PINYIN,
        .field = &field,
        .pinyin_available = true,
        .preedit = view.preedit,
        .candidates = cand_ptrs,
        .candidate_count = view.count,
        .has_prev_page = view.has_prev,
        .has_next_page = view.has_next,
    };
}

/* Taps the key named name at its centre and does what the flow does with it. */
static void tap(const char *name)
{
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    size_t n = bm_kbd_keys(canvas.ui, &vm, keys, BM_KBD_MAX_KEYS);
    const struct bm_kbd_key *k = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, name) == 0)
            k = &keys[i];
    if (!k)
        fail_msg("no live key %s", name);
    struct bm_kbd_key hit =
        bm_kbd_hit(canvas.ui, &vm, k->rect.x + k->rect.w / 2, k->rect.y + k->rect.h / 2);
    assert_string_equal(hit.name, name);
    char committed[BM_IME_TEXT_MAX * 4];
    switch (hit.action) {
    case BM_KBD_TEXT:
        assert_true(bm_ime_key(ime, hit.text[0]));
        break;
    case BM_KBD_CANDIDATE:
        assert_true(bm_ime_pick(ime, (size_t)hit.index));
        break;
    case BM_KBD_NEXT_PAGE:
    case BM_KBD_PREV_PAGE:
        assert_true(bm_ime_page(ime, hit.action == BM_KBD_NEXT_PAGE));
        break;
    case BM_KBD_BACKSPACE:
        if (!bm_ime_backspace(ime))
            assert_true(bm_kbd_apply(&hit, &field));
        break;
    default:
        fail_msg("unexpected action %d", hit.action);
    }
    if (bm_ime_take_commit(ime, committed, sizeof committed) > 0)
        assert_true(bm_input_insert(&field, committed));
    refresh_vm();
}

static void test_type_nihao(void **state)
{
    (void)state;
    bm_input_init(&field, 20, NULL);
    refresh_vm();
    const char *letters[] = {"kbd.key.n", "kbd.key.i", "kbd.key.h", "kbd.key.a", "kbd.key.o"};
    for (size_t i = 0; i < 5; i++)
        tap(letters[i]);
    assert_string_equal(vm.preedit, "ni hao");
    assert_string_equal(vm.candidates[0], "你好");

    /* The real page draws with every candidate inside its key. */
    bm_ui_set_audit(canvas.ui, true);
    bm_ui_frame_begin(canvas.ui);
    bm_kbd_draw(canvas.ui, &vm);
    bm_ui_frame_end(canvas.ui);
    size_t count;
    const struct bm_ui_audit_label *lab = bm_ui_audit_labels(canvas.ui, &count);
    for (size_t i = 0; i < count; i++)
        if (lab[i].overflow)
            fail_msg("'%s' overflows its key", lab[i].text);
    bm_ui_set_audit(canvas.ui, false);

    /* Page forward and back with the bar's buttons. */
    tap("kbd.next_page");
    assert_int_equal(view.page, 1);
    assert_true(vm.has_prev_page);
    tap("kbd.prev_page");
    assert_int_equal(view.page, 0);
    tap("kbd.cand.0");
    assert_string_equal(field.text, "你好");
    assert_string_equal(vm.preedit, "");
    assert_int_equal(vm.candidate_count, 0);

    /* Nothing composed: backspace edits the field. */
    tap("kbd.backspace");
    assert_string_equal(field.text, "你");

    /* Session end: both forget. */
    tap("kbd.key.m");
    bm_ime_reset(ime);
    bm_input_wipe(&field);
    refresh_vm();
    assert_string_equal(vm.preedit, "");
    assert_int_equal(field.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_type_nihao)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
