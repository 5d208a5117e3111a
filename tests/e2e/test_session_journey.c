/*
 * test_session_journey.c - one resident's visit, end to end: the attract screen, a touch, the
 * home screen in English, an elderly resident's ID card, a printed receipt, then walking away.
 * After the inactivity timeout the kiosk must be back on the attract screen, in Chinese, with
 * every piece of the resident's personal data wiped and freed -- the receipt printer's reprint
 * copy included -- and none of it in the log.
 */
#include "program.h"
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_visit_then_walk_away(void **state)
{
    char dir[4096], shots[4200], set_sim[4300];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("journey"));
    snprintf(shots, sizeof shots, "%s/screens", dir);
    snprintf(set_sim, sizeof set_sim, "sim.output_dir=%s/sim", dir);

    struct bm_program p;
    bm_program_start(&p, BM_PROGRAM,
                     (const char *[]){"--demo-console", "--screenshot-dir", shots, "--set", set_sim,
                                      "--set", "session.timeout_s=60", NULL});
    assert_true(bm_program_wait_output(&p, "001-attract-zh_CN.png", 60));
    assert_true(bm_program_wait_output(&p, "id_reader (sim): online", 60));

    bm_program_say(&p, "tap attract.start");
    assert_true(bm_program_wait_output(&p, "002-home-zh_CN.png", 60));
    bm_program_say(&p, "tap home.language");
    assert_true(bm_program_wait_output(&p, "003-home-en.png", 60));
    bm_program_say(&p, "card elderly");
    assert_true(bm_program_wait_output(&p, "ID card read (resident)", 60));
    /* Their receipt (the sample, through the sim printer): kept for a reprint until they go. */
    bm_program_say(&p, "receipt");
    assert_true(bm_program_wait_output(&p, "receipt printed", 60));

    /*
     * The resident walks away: no touch for 60 s. (A shorter timeout can expire between two
     * scripted taps when a loaded CI machine stalls the test for seconds.)
     */
    assert_true(bm_program_wait_output(&p, "no touch for 60 s", 120));
    assert_true(bm_program_wait_output(&p, "still allocated", 60));
    assert_true(bm_program_wait_output(&p, "attract-zh_CN.png", 60));
    bm_program_say(&p, "quit");
    assert_int_equal(bm_program_finish(&p, 30), 0);

    char *out = bm_program_output(&p);
    /* The session's personal data was wiped and nothing personal is left allocated. */
    const char *ended = strstr(out, "session ended: ");
    assert_non_null(ended);
    unsigned long wiped = 0, left = 1, printing = 1;
    assert_int_equal(sscanf(ended,
                            "session ended: %lu personal buffers wiped, %lu still allocated "
                            "(%lu of them receipts still printing)",
                            &wiped, &left, &printing),
                     3);
    assert_int_equal(left, 0); /* the receipt's copy (a job buffer) went with the session */
    assert_int_equal(printing, 0);
    /* The card's text never reached the log: its fictional province and its ID digits. */
    assert_null(strstr(out, "示例"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visit_then_walk_away),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
