/*
 * test_journeys.c - resident journeys (the .journey files in journeys/, docs/journeys.md) played by
 * the real program, headless, with the simulated devices.
 *
 *   test_journeys FILE [ARG...]   plays FILE with `bianmin --journey FILE ARG...`: one ctest
 *                                 per shipped journey
 *   test_journeys                 the runner itself: a failing journey exits 5 naming its
 *                                 line and never the screen's words, a bad line exits 2 before
 *                                 the kiosk starts, and the demo console's `journey FILE`
 *
 * Every run is held to the rules that hold for any journey: the log carries no personal
 * data of any test card (names, ID numbers, addresses: the cards are fictional, but a log
 * line that prints them would print a real resident's), and every session that ended left
 * no personal buffer allocated nor a receipt still printing.
 */
#include "drivers/sim/sim.h"

#include "core/secbuf.h"
#include "program.h"
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *journey_file; /* the one to play, from the command line */
static const char *const *journey_args;

/* The test cards' personal fields must not occur in out. */
static void assert_no_personal_data(const char *out)
{
    for (int c = 0; c < BM_SIM_CARD_COUNT; c++) {
        struct bm_identity *id = bm_sim_card_identity((enum bm_sim_card)c, time(NULL));
        assert_non_null(id);
        struct bm_secbuf *fields[] = {id->name, id->name_en, id->address, id->id_number};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            const char *s = fields[i] ? bm_secbuf_str(fields[i]) : NULL;
            if (s && strlen(s) >= 2 && strstr(out, s)) {
                fprintf(stderr, "personal data of the %s card in the log (field %zu)\n",
                        bm_sim_card_name((enum bm_sim_card)c), i);
                fail();
            }
        }
        bm_identity_free(id);
    }
    assert_null(strstr(out, "示例")); /* the cards' fictional province, in every address */
}

/* Every "session ended" line: nothing personal left allocated, no receipt still printing. */
static void assert_sessions_wiped(const char *out)
{
    for (const char *s = out; (s = strstr(s, "session ended: ")); s++) {
        unsigned long wiped = 0, left = 1, printing = 1;
        assert_int_equal(sscanf(s,
                                "session ended: %lu personal buffers wiped, %lu still allocated "
                                "(%lu of them receipts still printing)",
                                &wiped, &left, &printing),
                         3);
        assert_int_equal(left, 0);
        assert_int_equal(printing, 0);
    }
}

/* Runs the program with --journey path, the sim writing into a fresh directory. */
static int play(const char *path, const char *const *extra, char **out)
{
    char set_sim[4300];
    snprintf(set_sim, sizeof set_sim, "sim.output_dir=%s/sim", bm_test_mkdtemp("journey"));
    const char *args[48] = {"--journey", path, "--set", set_sim};
    size_t n = 4;
    for (; extra && *extra && n < sizeof args / sizeof args[0] - 1; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    int rc = bm_program_run(BM_PROGRAM, args, out);
    if (rc != 0)
        fprintf(stderr, "%s\n", *out);
    return rc;
}

static void test_play_journey(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(play(journey_file, journey_args, &out), 0);
    assert_non_null(strstr(out, " passed: "));
    assert_no_personal_data(out);
    assert_sessions_wiped(out);
    free(out);
}

static const char *write_journey(const char *name, const char *text)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", bm_test_mkdtemp("journey"), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A journey that fails: exit 5, the line and the screen named, the screen's words not. */
static void test_failure_names_the_line_not_the_screen_words(void **state)
{
    (void)state;
    const char *path = write_journey("fails.journey", "# the resident goes to home\n"
                                                      "tap attract.start\n"
                                                      "wait screen home\n"
                                                      "expect text \"不在屏幕上的字\" 2\n"
                                                      "tap home.language\n");
    char *out = NULL;
    assert_int_equal(play(path, NULL, &out), 5);
    assert_non_null(strstr(out, "fails.journey:4: expect text failed after"));
    assert_non_null(strstr(out, "\"不在屏幕上的字\" is not on the home screen"));
    assert_non_null(strstr(out, "the home screen (language zh_CN) offers: "));
    assert_non_null(strstr(out, "home.language"));
    assert_non_null(strstr(out, "FAILED"));
    assert_null(strstr(out, "fails.journey:5")); /* it stopped at the failing line */
    assert_null(strstr(out, "欢迎"));            /* what the screen said is not logged */
    free(out);

    path = write_journey("no-element.journey", "tap attract.start\ntap home.nothing_here\n");
    assert_int_equal(play(path, (const char *[]){"--set", "session.timeout_s=900", NULL}, &out), 5);
    assert_non_null(strstr(out, "no-element.journey:2: tap failed after"));
    assert_non_null(strstr(out, "no element 'home.nothing_here' on the home screen"));
    free(out);
}

/* Outside demo mode taps work, and a device step fails saying why. */
static void test_device_steps_need_demo_mode(void **state)
{
    (void)state;
    const char *path = write_journey("kiosk-mode.journey", "tap attract.start\n"
                                                           "wait screen home\n"
                                                           "card elderly\n");
    char *out = NULL;
    assert_int_equal(play(path, (const char *[]){"--set", "kiosk.mode=kiosk", NULL}, &out), 5);
    assert_non_null(strstr(out, "kiosk-mode.journey:3: card failed after"));
    assert_non_null(strstr(out, "the simulated devices need demo mode"));
    free(out);
}

/* A bad line is found before the kiosk starts: exit 2, the file and line named. */
static void test_bad_journey_is_bad_usage(void **state)
{
    (void)state;
    const char *path = write_journey("typo.journey", "tap attract.start\nwiat screen home\n");
    char *out = NULL;
    assert_int_equal(bm_program_run(BM_PROGRAM, (const char *[]){"--journey", path, NULL}, &out),
                     2);
    assert_non_null(strstr(out, "typo.journey:2: unknown keyword 'wiat'"));
    assert_null(strstr(out, "starting")); /* nothing started */
    free(out);
    assert_int_equal(bm_program_run(BM_PROGRAM,
                                    (const char *[]){"--journey", "/nonexistent.journey", NULL},
                                    &out),
                     2);
    assert_non_null(strstr(out, "/nonexistent.journey"));
    free(out);
}

/* The demo console plays a journey too, and the demo goes on after it. */
static void test_console_plays_a_journey(void **state)
{
    (void)state;
    char line[4300];
    snprintf(line, sizeof line, "journey %s/first-visit.journey", BM_JOURNEYS_DIR);
    struct bm_program p;
    bm_program_start(&p, BM_PROGRAM, (const char *[]){"--demo-console", NULL});
    assert_true(bm_program_wait_output(&p, "demo console", 60));
    bm_program_say(&p, line);
    assert_true(bm_program_wait_output(&p, "first-visit.journey passed: ", 120));
    bm_program_say(&p, "journey /nonexistent.journey");
    assert_true(bm_program_wait_output(&p, "journey: BM_ERR_NOT_FOUND", 60));
    bm_program_say(&p, line); /* again: the first run is over */
    bm_program_say(&p, line); /* one at a time */
    assert_true(bm_program_wait_output(&p, "journey: BM_ERR_BUSY", 60));
    bm_program_say(&p, "quit"); /* the program stops in the middle of a journey */
    assert_int_equal(bm_program_finish(&p, 120), 0);
    char *out = bm_program_output(&p);
    assert_no_personal_data(out);
    free(out);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        journey_file = argv[1];
        journey_args = (const char *const *)argv + 2;
        const struct CMUnitTest one[] = {cmocka_unit_test(test_play_journey)};
        return cmocka_run_group_tests(one, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_names_the_line_not_the_screen_words),
        cmocka_unit_test(test_device_steps_need_demo_mode),
        cmocka_unit_test(test_bad_journey_is_bad_usage),
        cmocka_unit_test(test_console_plays_a_journey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
