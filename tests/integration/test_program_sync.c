/*
 * test_program_sync.c - the kiosk program with a central service: started with the
 * [central]/[sync] lines tests/central/run.sh prints, its demo console's `apply` goes through
 * the outbox and mutual TLS to the reference central service, which then holds the
 * application once, submitted, under the number the outbox allocated (today's first); the kiosk's
 * outbox is empty again and says so in `status`; its heartbeat arrives and passes the centre's
 * schema; the centre's signed catalog is fetched, stored with its signature and used.
 */
#include "central_fixture.h"
#include "program.h"
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "application BM<local date>000001 queued", as the demo logs a new outbox's first. */
static void today_first_number(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char date[9]; /* YYYYMMDD */
    strftime(date, sizeof date, "%Y%m%d", &tm);
    snprintf(out, size, "application BM%.8s000001 queued", date);
}

static void test_apply_reaches_the_centre(void **state)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("program-sync"));
    struct central c;
    central_start(&c, dir, NULL);

    char set[9][4400];
    snprintf(set[0], sizeof set[0], "central.url=%s", c.url);
    snprintf(set[1], sizeof set[1], "central.ca_bundle=%s", central_file(&c, "ca.pem"));
    snprintf(set[2], sizeof set[2], "central.client_cert=%s", central_file(&c, "kiosk.crt"));
    snprintf(set[3], sizeof set[3], "central.client_key=%s", central_file(&c, "kiosk.key"));
    snprintf(set[4], sizeof set[4], "central.signing_public_key=%s",
             central_file(&c, "signing.keys"));
    snprintf(set[5], sizeof set[5], "sync.outbox=%s/outbox.db", dir);
    snprintf(set[6], sizeof set[6], "sync.key_file=%s/outbox.key", dir);
    snprintf(set[7], sizeof set[7], "sim.output_dir=%s/sim", dir);
    snprintf(set[8], sizeof set[8], "catalog.current=%s/current.json", dir);
    struct bm_program r;
    bm_program_start(&r, BM_PROGRAM,
                     (const char *[]){"--demo-console", "--set", set[0],  "--set", set[1],
                                      "--set",          set[2],  "--set", set[3],  "--set",
                                      set[4],           "--set", set[5],  "--set", set[6],
                                      "--set",          set[7],  "--set", set[8],  NULL});
    /* (Each wait looks after the last line found, so these go in the order they are logged.) */
    assert_true(bm_program_wait_output(&r, "catalog.json: 3 categories", 60));
    assert_true(bm_program_wait_output(&r, "sync: sending to https://127.0.0.1:", 60));
    char numbers[2][40]; /* the first number of today, read before and after (midnight) */
    today_first_number(numbers[0], sizeof numbers[0]);
    bm_program_say(&r, "apply");
    assert_true(bm_program_wait_output(&r, "queued for the centre", 60));
    today_first_number(numbers[1], sizeof numbers[1]);
    assert_true(bm_program_wait_output(&r, "1 acknowledged, 0 dead letters", 60));
    /* At start the sync worker fetched the centre's signed catalog, and the kiosk uses it. */
    assert_true(bm_program_wait_output(&r, "the centre's catalog revision", 60));
    assert_true(bm_program_wait_output(&r, "current.json: 3 categories", 60));
    bm_program_say(&r, "status");
    assert_true(bm_program_wait_output(&r, "sync: running; outbox: 0 queued", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);
    assert_int_equal(central_count(&c, "submissions"), 1);
    /* The outbox allocated the number: today's first. */
    char *log = bm_program_output(&r);
    assert_true(strstr(log, numbers[0]) || strstr(log, numbers[1]));
    free(log);
    /* The first heartbeat went at start, and passed the centre's schema. */
    char *out = bm_program_output(&r);
    assert_non_null(strstr(out, "sync: heartbeat sent"));
    free(out);
    assert_true(central_count(&c, "heartbeats") >= 1);
    central_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_reaches_the_centre),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
