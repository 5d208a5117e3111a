/*
 * test_program_usage.c - the kiosk program's usage counts, through the flow: a touch that
 * times out without a service chosen, the receipt printer running out of paper and the demo
 * console's `apply` are counted by the sync worker in the outbox; the program stops before a
 * batch is due ([sync] usage_batch_s is an hour) and the counts wait in the outbox; started
 * again, it queues them as a batch at once and delivers it to the reference central service,
 * whose stored batch holds exactly those counts.
 */
#include "central_fixture.h"
#include "program.h"
#include "test_support.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct central c;
static char dir[4096];
static struct central_program args;

static void start(struct bm_program *r)
{
    bm_program_start(r, BM_PROGRAM, args.argv);
    assert_true(bm_program_wait_output(r, "sync: sending to https://127.0.0.1:", 60));
}

/* Sums over every stored batch: sessions without a service, starts, completions, and the
 * receipt printer's BM_ERR_NO_MEDIA errors. */
static void centre_sums(long long *without, long long *starts, long long *completions,
                        long long *no_paper)
{
    *without = *starts = *completions = *no_paper = 0;
    char db[4200];
    snprintf(db, sizeof db, "%s/central.db", dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT body FROM usage", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_error_t e;
        json_t *batch = json_loads((const char *)sqlite3_column_text(st, 0), 0, &e), *hour, *x;
        assert_non_null(batch);
        size_t i, j;
        json_array_foreach(json_object_get(batch, "hours"), i, hour)
        {
            *without += json_integer_value(json_object_get(hour, "sessions_without_service"));
            json_array_foreach(json_object_get(hour, "services"), j, x)
            {
                *starts += json_integer_value(json_object_get(x, "starts"));
                *completions += json_integer_value(json_object_get(x, "completions"));
            }
            json_array_foreach(json_object_get(hour, "device_errors"), j, x)
            {
                if (strcmp(json_string_value(json_object_get(x, "class")), "receipt_printer") ==
                        0 &&
                    strcmp(json_string_value(json_object_get(x, "error")), "BM_ERR_NO_MEDIA") == 0)
                    *no_paper += json_integer_value(json_object_get(x, "count"));
            }
        }
        json_decref(batch);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
}

static void test_counts_reach_the_centre(void **state)
{
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("program-usage"));
    central_start(&c, dir, NULL);
    central_program_args(&args, &c, dir);
    central_program_set(&args, "session.timeout_s=15");
    central_program_set(&args, "sync.usage_batch_s=3600");
    struct bm_program r;
    start(&r);
    bm_program_say(&r, "paper-out");
    bm_program_say(&r, "tap attract.start");
    assert_true(bm_program_wait_output(&r, "screen home", 60));
    assert_true(bm_program_wait_output(&r, "no touch for 15 s", 120));
    assert_true(bm_program_wait_output(&r, "session ended", 60)); /* after the countdown */
    bm_program_say(&r, "apply");
    /* The worker takes requests in order: the counts went in before the application. */
    assert_true(bm_program_wait_output(&r, "queued for the centre", 60));
    assert_true(bm_program_wait_output(&r, "1 acknowledged, 0 dead letters", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);
    assert_int_equal(central_count(&c, "usage"), 0); /* the batch is not due for an hour */

    start(&r);
    assert_true(bm_program_wait_output(&r, "usage batches queued", 60));
    bool arrived = false;
    for (int i = 0; i < 600 && !arrived; i++) {
        arrived = central_count(&c, "usage") >= 1;
        if (!arrived)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    assert_true(arrived);
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);
    assert_int_equal(central_count(&c, "usage"), 1);

    long long without, starts, completions, no_paper;
    centre_sums(&without, &starts, &completions, &no_paper);
    assert_int_equal(without, 1);
    assert_int_equal(starts, 1);
    assert_int_equal(completions, 1);
    assert_int_equal(no_paper, 1);
    central_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_reach_the_centre),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
