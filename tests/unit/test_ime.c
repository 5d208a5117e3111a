/*
 * test_ime.c - the pinyin input method against real librime and a real deployment made by
 * tools/rime-deploy.sh in a fresh directory: nihao gives 你好, candidate pages go forward and
 * back, picking commits, reset forgets, nothing typed is learned or stored, and a missing or
 * broken deployment fails cleanly.
 */
#include "test_support.h"

#include "services/ime.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char deployed[4096];

static int setup(void **state)
{
    (void)state;
    if (system("command -v rime_deployer >/dev/null") != 0 ||
        access("/usr/share/rime-data/luna_pinyin_simp.schema.yaml", R_OK) != 0)
        bm_test_skip_or_fail("librime-bin and rime-data-luna-pinyin");
    snprintf(deployed, sizeof deployed, "%s", bm_test_mkdtemp("rime"));
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "bash '%s' '%s'", bm_test_source_path("tools/rime-deploy.sh"),
             deployed);
    return system(cmd) == 0 ? 0 : -1;
}

static struct bm_ime *open_ime(void)
{
    struct bm_ime_options o = {.user_data_dir = deployed};
    struct bm_ime *ime = NULL;
    enum bm_err err = bm_ime_open(&o, &ime);
    if (err != BM_OK)
        fail_msg("bm_ime_open: %s", bm_err_detail());
    return ime;
}

static void type(struct bm_ime *ime, const char *letters)
{
    for (const char *p = letters; *p; p++)
        assert_true(bm_ime_key(ime, *p));
}

/* The index of text on the current page, or -1. */
static int find_on_page(const struct bm_ime_view *v, const char *text)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->candidates[i], text) == 0)
            return (int)i;
    return -1;
}

static void test_nihao(void **state)
{
    (void)state;
    struct bm_ime *ime = open_ime();
    assert_false(bm_ime_composing(ime));
    type(ime, "nihao");
    assert_true(bm_ime_composing(ime));
    struct bm_ime_view v;
    bm_ime_get_view(ime, &v);
    assert_string_equal(v.preedit, "ni hao");
    assert_int_equal(find_on_page(&v, "你好"), 0);
    assert_int_equal(v.count, 6); /* the deployment's page size */
    assert_int_equal(v.page, 0);
    assert_false(v.has_prev);
    assert_true(v.has_next);
    char first_page[BM_IME_TEXT_MAX];
    snprintf(first_page, sizeof first_page, "%s", v.candidates[1]);

    /* Forward and back. */
    assert_false(bm_ime_page(ime, false));
    assert_true(bm_ime_page(ime, true));
    bm_ime_get_view(ime, &v);
    assert_int_equal(v.page, 1);
    assert_true(v.has_prev);
    assert_int_equal(find_on_page(&v, "你好"), -1);
    assert_true(bm_ime_page(ime, false));
    bm_ime_get_view(ime, &v);
    assert_int_equal(v.page, 0);
    assert_string_equal(v.candidates[1], first_page);

    /* Backspace edits the pinyin, not the field. */
    assert_true(bm_ime_backspace(ime));
    bm_ime_get_view(ime, &v);
    assert_string_equal(v.preedit, "ni ha");
    type(ime, "o");

    char out[64];
    assert_int_equal(bm_ime_take_commit(ime, out, sizeof out), 0);
    assert_true(bm_ime_pick(ime, 0));
    assert_false(bm_ime_composing(ime));
    assert_int_equal(bm_ime_take_commit(ime, out, sizeof out), strlen("你好"));
    assert_string_equal(out, "你好");
    assert_int_equal(bm_ime_take_commit(ime, out, sizeof out), 0); /* taken once */
    assert_false(bm_ime_backspace(ime)); /* nothing composed: the field's turn */

    /* The letters as typed. */
    type(ime, "abc");
    assert_true(bm_ime_commit_raw(ime));
    bm_ime_take_commit(ime, out, sizeof out);
    assert_string_equal(out, "abc");

    /* Only letters go in. */
    assert_false(bm_ime_key(ime, '1'));
    assert_false(bm_ime_key(ime, 'A'));
    assert_false(bm_ime_pick(ime, 0)); /* nothing to pick */
    bm_ime_close(ime);
}

/* Reset at session end forgets the composition and what was committed but not taken. */
static void test_reset(void **state)
{
    (void)state;
    struct bm_ime *ime = open_ime();
    type(ime, "zhongguo");
    assert_true(bm_ime_pick(ime, 0));
    type(ime, "ren");
    bm_ime_reset(ime);
    assert_false(bm_ime_composing(ime));
    struct bm_ime_view v;
    bm_ime_get_view(ime, &v);
    assert_string_equal(v.preedit, "");
    assert_int_equal(v.count, 0);
    char out[64];
    assert_int_equal(bm_ime_take_commit(ime, out, sizeof out), 0);
    /* The next resident starts fresh, in a new session. */
    type(ime, "nihao");
    bm_ime_get_view(ime, &v);
    assert_string_equal(v.candidates[0], "你好");
    bm_ime_close(ime);
}

/* Sizes of every file under dir, as "path size\n" lines, sorted by the walk (for compare). */
static void snapshot(const char *dir, char *out, size_t size)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && find . -type f -printf '%%p %%s\\n' | sort", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    pclose(p);
}

/* The global rank of text among the candidates for letters (first 10 pages), or -1. */
static int rank_of(struct bm_ime *ime, const char *letters, const char *text)
{
    type(ime, letters);
    int rank = -1;
    for (int page = 0; page < 10 && rank < 0; page++) {
        struct bm_ime_view v;
        bm_ime_get_view(ime, &v);
        int i = find_on_page(&v, text);
        if (i >= 0)
            rank = page * 6 + i;
        else if (!bm_ime_page(ime, true))
            break;
    }
    bm_ime_reset(ime);
    return rank;
}

/* A rare word typed and committed again and again is not learned: its rank stays, and no
 * user dictionary appears or grows. */
static void test_nothing_learned(void **state)
{
    (void)state;
    static char before[16384], after[16384];
    struct bm_ime *ime = open_ime();
    snapshot(deployed, before, sizeof before);

    /* A rare candidate: the last one of the third page for "shi". */
    type(ime, "shi");
    assert_true(bm_ime_page(ime, true));
    assert_true(bm_ime_page(ime, true));
    struct bm_ime_view v;
    bm_ime_get_view(ime, &v);
    assert_true(v.count == 6);
    char rare[BM_IME_TEXT_MAX];
    snprintf(rare, sizeof rare, "%s", v.candidates[5]);
    bm_ime_reset(ime);
    int rank = rank_of(ime, "shi", rare);
    assert_int_equal(rank, 17);

    for (int i = 0; i < 5; i++) {
        type(ime, "shi");
        bm_ime_page(ime, true);
        bm_ime_page(ime, true);
        assert_true(bm_ime_pick(ime, 5));
        char out[64];
        bm_ime_take_commit(ime, out, sizeof out);
        assert_string_equal(out, rare);
    }
    bm_ime_reset(ime);
    assert_int_equal(rank_of(ime, "shi", rare), rank);
    bm_ime_close(ime);

    /* A fresh start on the same directory: still not learned. */
    ime = open_ime();
    assert_int_equal(rank_of(ime, "shi", rare), rank);
    bm_ime_close(ime);

    snapshot(deployed, after, sizeof after);
    if (strstr(after, "userdb") || strstr(after, ".txt"))
        fail_msg("a user dictionary appeared:\n%s", after);
    if (strcmp(before, after) != 0)
        fail_msg("the deployment changed while typing:\nbefore:\n%safter:\n%s", before, after);
}

/* This thread's CPU time: what a key costs the main thread, which a loaded machine's other
 * work does not stretch (wall time would make the bounds below flaky). */
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Opening and typing are quick enough for the main thread (no deployment at start), in CPU
 * time. The bounds are loose (sanitizers); the numbers are printed. */
static void test_fast_enough_for_the_main_thread(void **state)
{
    (void)state;
    double t0 = now_ms();
    struct bm_ime *ime = open_ime();
    double opened = now_ms() - t0, worst = 0, worst_reset = 0;
    const char *text = "zhonghuarenmingongheguo";
    for (int round = 0; round < 5; round++) {
        for (const char *p = text; *p; p++) {
            double k0 = now_ms();
            assert_true(bm_ime_key(ime, *p));
            struct bm_ime_view v;
            bm_ime_get_view(ime, &v);
            double k = now_ms() - k0;
            worst = k > worst ? k : worst;
        }
        double r0 = now_ms();
        bm_ime_reset(ime);
        double r = now_ms() - r0;
        worst_reset = r > worst_reset ? r : worst_reset;
    }
    bm_ime_close(ime);
    fprintf(stderr, "ime: open %.1f ms, worst key + view %.2f ms, worst reset %.1f ms (CPU)\n",
            opened, worst, worst_reset);
    assert_true(opened < 2000);
    assert_true(worst < 100);
    assert_true(worst_reset < 2000);
}

/* No deployment, or a broken one: a clear error, never a crash. */
static void test_missing_or_broken(void **state)
{
    (void)state;
    struct bm_ime *ime = NULL;
    struct bm_ime_options o = {.user_data_dir = bm_test_mkdtemp("rime-empty")};
    assert_int_equal(bm_ime_open(&o, &ime), BM_ERR_NOT_FOUND);
    assert_null(ime);
    assert_non_null(strstr(bm_err_detail(), "rime-deploy"));

    /* A schema file that is not the schema. */
    const char *broken = bm_test_mkdtemp("rime-broken");
    char build[4096];
    snprintf(build, sizeof build, "%s/build", broken);
    assert_int_equal(mkdir(build, 0700), 0);
    bm_test_write_file(build, "luna_pinyin_simp.schema.yaml", "not: [a schema\n");
    o.user_data_dir = broken;
    assert_int_equal(bm_ime_open(&o, &ime), BM_ERR_UNSUPPORTED);
    assert_null(ime);
    assert_int_equal(bm_ime_open(&(struct bm_ime_options){0}, &ime), BM_ERR_INVALID_ARG);

    /* And the good one still opens afterwards. */
    ime = open_ime();
    bm_ime_close(ime);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nihao),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_nothing_learned),
        cmocka_unit_test(test_missing_or_broken),
        cmocka_unit_test(test_fast_enough_for_the_main_thread),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
