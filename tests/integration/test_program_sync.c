/*
 * test_program_sync.c - the kiosk program with a central service: started with the
 * [central]/[sync] lines tests/central/run.sh prints, its demo console's `apply` goes through
 * the outbox and mutual TLS to the reference central service, which then holds the
 * application once, submitted, under the number the outbox allocated (today's first); the
 * kiosk's outbox is empty again and says so in `status`; its heartbeat arrives and passes the
 * centre's schema; the centre's signed catalog is fetched, stored with its signature and used.
 * Remote settings take effect between sessions only, and a refused document reaches the
 * centre in the next heartbeat.
 */
#include "central_fixture.h"
#include "program.h"
#include "test_support.h"

#include <sqlite3.h>
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

    struct central_program args;
    central_program_args(&args, &c, dir);
    central_program_set(&args, "central.signing_public_key=%s", central_file(&c, "signing.keys"));
    central_program_set(&args, "catalog.current=%s/current.json", dir);
    struct bm_program r;
    bm_program_start(&r, BM_PROGRAM, args.argv);
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
    /* The flow heard each file's upload to its end (what a progress bar shows). */
    assert_non_null(strstr(log, ": sample-1 sent (65536 bytes)"));
    assert_non_null(strstr(log, ": sample-2 sent (32768 bytes)"));
    free(log);
    /* The first heartbeat went at start, and passed the centre's schema. */
    char *out = bm_program_output(&r);
    assert_non_null(strstr(out, "sync: heartbeat sent"));
    free(out);
    assert_true(central_count(&c, "heartbeats") >= 1);
    central_stop(&c);
}

static void publish_settings(const struct central *c, const char *revision, const char *settings)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"%s\","
             "\"published\":\"2026-11-29\",\"settings\":%s}",
             revision, settings);
    central_publish(c, "settings", body, "DEMO-0001");
}

/* How many heartbeats the centre stored whose body holds needle. */
static int heartbeats_with(const char *dir, const char *needle)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/central.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT body FROM heartbeats", -1, &st, NULL),
                     SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        n += strstr((const char *)sqlite3_column_text(st, 0), needle) != NULL;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/*
 * Remote settings wait for the session to end, then the next session runs under them; the
 * notices refused at start reach the centre in the next heartbeat, once.
 */
static void test_remote_settings_between_sessions(void **state)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("program-settings"));
    struct central c;
    central_start(&c, dir, NULL);
    publish_settings(&c, "2026-11-29.1", "{\"kiosk\":{\"hotline\":\"0571-1\"}}");
    central_fault(&c, "{\"path\": \"^/v1/notices$\", \"kind\": \"signature\"}");

    struct central_program args;
    central_program_args(&args, &c, dir);
    central_program_set(&args, "central.signing_public_key=%s", central_file(&c, "signing.keys"));
    central_program_set(&args, "catalog.current=%s/current.json", dir);
    central_program_set(&args, "sync.state_dir=%s/state", dir);
    central_program_set(&args, "sync.heartbeat_interval_s=30");
    struct bm_program r;
    bm_program_start(&r, BM_PROGRAM, args.argv);
    /* On the attract screen no session runs: the first settings apply at once. */
    assert_true(bm_program_wait_output(&r, "the centre's notices refused (bad_signature)", 60));
    assert_true(bm_program_wait_output(&r, "remote settings revision 2026-11-29.1 applied", 60));
    bm_program_say(&r, "tap attract.start");
    assert_true(bm_program_wait_output(&r, "screen home", 30));
    /* New settings during the session: fetched at the next heartbeat, held back. */
    publish_settings(&c, "2026-11-29.2",
                     "{\"kiosk\":{\"hotline\":\"0571-2\"},\"session\":{\"timeout_s\":\"15\"}}");
    assert_true(bm_program_wait_output(&r, "the centre's settings revision 2026-11-29.2", 90));
    assert_true(bm_program_wait_output(&r, "remote settings wait for the session to end", 30));
    char *out = bm_program_output(&r);
    assert_null(strstr(out, "revision 2026-11-29.2 applied"));
    free(out);
    /* The session ends on the config file's timeout (60 s), then they apply... */
    assert_true(bm_program_wait_output(&r, "no touch for 60 s", 120));
    assert_true(bm_program_wait_output(&r, "remote settings revision 2026-11-29.2 applied", 30));
    /* ...and the next session ends on theirs. */
    bm_program_say(&r, "tap attract.start");
    assert_true(bm_program_wait_output(&r, "no touch for 15 s", 60));
    /* Technicians see what is held (the refused notices were delivered: not listed again). */
    bm_program_say(&r, "status");
    assert_true(bm_program_wait_output(
        &r,
        "documents: catalog 2026-11-20.1 (current), notices none, settings 2026-11-29.2 "
        "(current)\n",
        30));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);
    /* The refusal went in the heartbeat after it, and was not sent again after its 2xx. */
    assert_int_equal(heartbeats_with(dir, "\"reason\":\"bad_signature\""), 1);
    assert_true(heartbeats_with(
                    dir, "\"settings\":{\"revision\":\"2026-11-29.2\",\"source\":\"current\"}") >=
                1);
    /* Every heartbeat names the certificate's expiry; from the second on, the clock's skew
     * against the centre's (the same machine's clock here: 0, or 1 across a second's edge). */
    int all = heartbeats_with(dir, "\"sent_at\"");
    assert_true(all >= 3);
    assert_int_equal(heartbeats_with(dir, "\"certificate_not_after\":\"20"), all);
    int skewed = heartbeats_with(dir, "\"clock_skew_s\":");
    assert_true(skewed >= 1 && skewed < all);
    int near = 0; /* 0, 1 or -1, then the next member or the end */
    for (const char *const *v = (const char *const[]){"0,", "0}", "1,", "1}", "-1,", "-1}", NULL};
         *v; v++) {
        char needle[40];
        snprintf(needle, sizeof needle, "\"clock_skew_s\":%s", *v);
        near += heartbeats_with(dir, needle);
    }
    assert_int_equal(near, skewed);
    central_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_reaches_the_centre),
        cmocka_unit_test(test_remote_settings_between_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
