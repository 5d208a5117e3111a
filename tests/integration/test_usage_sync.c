/*
 * test_usage_sync.c - usage counts end to end: sessions and device errors counted in the
 * outbox, taken as batches (one hour split over two of them), delivered by the sync engine to
 * the reference central service (TLS on loopback), whose schema checks every body; the sums
 * the centre stored are read back from its database and must equal what was counted, exactly.
 * The first delivery's answer is lost after the centre committed it, so the engine sends the
 * batch again under the same Idempotency-Key: the centre answers it as a replay and the sums
 * do not double.
 */
#include "central_fixture.h"
#include "test_support.h"

#include "services/outbox_usage.h"
#include "services/sync.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0     ((int64_t)1764460800) /* 2025-11-30 00:00 UTC: 08:00 in China (TZ CST-8) */
#define MINUTE ((int64_t)60000)

static struct central central;
static char dir[4096];
static struct bm_sync *sync_engine;

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("usage_sync"));
    central_start(&central, dir, NULL);
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 1024 * 1024, &paths, &cfg);
    assert_int_equal(bm_sync_open(&cfg, &sync_engine), BM_OK);
    return 0;
}

static int teardown(void **state)
{
    bm_sync_close(sync_engine);
    sync_engine = NULL;
    central_stop(&central);
    return 0;
}

static void used(const char *service, int64_t at, bool completed, unsigned left_at,
                 uint64_t duration_s)
{
    struct bm_usage_event ev = {
        .kind = BM_USAGE_SESSION,
        .session = {
            .started_s = at, .completed = completed, .left_at = left_at, .duration_s = duration_s}};
    snprintf(ev.session.service, sizeof ev.session.service, "%s", service);
    assert_int_equal(bm_outbox_usage_record(bm_sync_outbox(sync_engine), &ev), BM_OK);
}

static void device_error(enum bm_device_class cls, enum bm_err err, int64_t at)
{
    struct bm_usage_event ev = {.kind = BM_USAGE_DEVICE_ERROR, .cls = cls, .err = err, .at_s = at};
    assert_int_equal(bm_outbox_usage_record(bm_sync_outbox(sync_engine), &ev), BM_OK);
}

static uint64_t queued(void)
{
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(bm_sync_outbox(sync_engine), &st), BM_OK);
    return st.queued;
}

static void deliver(int64_t now_ms)
{
    for (int i = 0; i < 30 && queued() > 0; i++, now_ms += MINUTE) {
        struct bm_sync_round r;
        assert_int_equal(bm_sync_run(sync_engine, now_ms, &r), BM_OK);
    }
    assert_int_equal(queued(), 0);
    struct bm_outbox_stats st;
    bm_outbox_stats(bm_sync_outbox(sync_engine), &st);
    assert_int_equal(st.dead, 0);
}

/* ---- the centre's sums, from its database ---- */

static void add(json_t *o, const char *key, json_int_t v)
{
    json_t *old = json_object_get(o, key);
    json_object_set_new(o, key, json_integer((old ? json_integer_value(old) : 0) + v));
}

static json_t *child(json_t *o, const char *key)
{
    json_t *c = json_object_get(o, key);
    if (!c) {
        c = json_object();
        json_object_set_new(o, key, c);
    }
    return c;
}

/* Adds one stored batch to totals: {hour: {"without", "services": {id: sums}, "errors"}}. */
static void add_batch(json_t *totals, json_t *batch)
{
    size_t i, j, k;
    json_t *h, *s, *e, *v;
    const char *key;
    json_array_foreach(json_object_get(batch, "hours"), i, h)
    {
        json_t *t = child(totals, json_string_value(json_object_get(h, "hour")));
        add(t, "without", json_integer_value(json_object_get(h, "sessions_without_service")));
        json_array_foreach(json_object_get(h, "services"), j, s)
        {
            json_t *ts =
                child(child(t, "services"), json_string_value(json_object_get(s, "service")));
            add(ts, "starts", json_integer_value(json_object_get(s, "starts")));
            add(ts, "completions", json_integer_value(json_object_get(s, "completions")));
            json_object_foreach(json_object_get(s, "abandonments"), key, v)
                add(child(ts, "left"), key, json_integer_value(v));
            json_t *d = json_object_get(s, "durations_s");
            add(ts, "count", json_integer_value(json_object_get(d, "count")));
            add(ts, "sum", json_integer_value(json_object_get(d, "sum")));
            json_array_foreach(json_object_get(d, "buckets"), k, v)
            {
                char b[24];
                snprintf(b, sizeof b, "b%zu", k);
                add(ts, b, json_integer_value(v));
            }
        }
        json_array_foreach(json_object_get(h, "device_errors"), j, e)
        {
            char name[96];
            snprintf(name, sizeof name, "%s/%s", json_string_value(json_object_get(e, "class")),
                     json_string_value(json_object_get(e, "error")));
            add(child(t, "errors"), name, json_integer_value(json_object_get(e, "count")));
        }
    }
}

/* Every usage body the centre stored, summed; *rows: how many it stored. */
static json_t *centre_totals(int *rows)
{
    char db[4200];
    snprintf(db, sizeof db, "%s/central.db", dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT body FROM usage ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    json_t *totals = json_object();
    *rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_error_t e;
        json_t *batch = json_loads((const char *)sqlite3_column_text(st, 0), 0, &e);
        assert_non_null(batch);
        add_batch(totals, batch);
        json_decref(batch);
        (*rows)++;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return totals;
}

static long usage_posts(void)
{
    char db[4200];
    snprintf(db, sizeof db, "%s/central.db", dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT COUNT(*) FROM requests WHERE method = 'POST' "
                                        "AND path = '/v1/usage'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

static const char expected[] =
    "{\"2025-11-30T08:00:00+08:00\": {\"without\": 3,"
    "  \"services\": {"
    "   \"elderly_allowance\": {\"starts\": 5, \"completions\": 4, \"left\": {\"materials\": 1},"
    "    \"count\": 4, \"sum\": 1421, \"b0\": 1, \"b1\": 2, \"b2\": 0, \"b3\": 0, \"b4\": 0,"
    "    \"b5\": 0, \"b6\": 1},"
    "   \"pension_record\": {\"starts\": 1, \"completions\": 0, \"left\": {\"guide\": 1},"
    "    \"count\": 0, \"sum\": 0, \"b0\": 0, \"b1\": 0, \"b2\": 0, \"b3\": 0, \"b4\": 0,"
    "    \"b5\": 0, \"b6\": 0}},"
    "  \"errors\": {\"receipt_printer/BM_ERR_NO_MEDIA\": 2}},"
    " \"2025-11-30T09:00:00+08:00\": {\"without\": 0,"
    "  \"services\": {"
    "   \"elderly_allowance\": {\"starts\": 1, \"completions\": 1, \"count\": 1, \"sum\": 600,"
    "    \"b0\": 0, \"b1\": 0, \"b2\": 0, \"b3\": 0, \"b4\": 1, \"b5\": 0, \"b6\": 0}},"
    "  \"errors\": {\"scanner/BM_ERR_TIMEOUT\": 1}}}";

static void test_centre_sums_exactly_once(void **state)
{
    struct bm_outbox *ob = bm_sync_outbox(sync_engine);
    /* First batch: part of 08:00. */
    used("elderly_allowance", T0 + 60, true, 0, 30);
    used("elderly_allowance", T0 + 120, true, 0, 31);
    used("elderly_allowance", T0 + 180, true, 0, 1300);
    used("elderly_allowance", T0 + 240, false, BM_STEP_MATERIALS, 0);
    used("pension_record", T0 + 300, false, BM_USAGE_AT_GUIDE, 0);
    used("", T0 + 400, false, 0, 0);
    used("", T0 + 500, false, 0, 0);
    device_error(BM_CLASS_RECEIPT_PRINTER, BM_ERR_NO_MEDIA, T0 + 600);
    device_error(BM_CLASS_RECEIPT_PRINTER, BM_ERR_NO_MEDIA, T0 + 700);
    size_t batches = 0;
    assert_int_equal(bm_outbox_usage_take_all(ob, T0 * 1000, &batches), BM_OK);
    assert_int_equal(batches, 1);
    /* Its answer is lost after the centre committed it: the engine sends it again. */
    central_fault(&central, "{\"method\": \"POST\", \"path\": \"^/v1/usage$\", \"kind\": "
                            "\"drop\", \"stage\": \"after_commit\"}");
    deliver(T0 * 1000);
    assert_int_equal(usage_posts(), 2);

    /* Second batch: the rest of 08:00 (late counts still count) and 09:00. */
    used("elderly_allowance", T0 + 3000, true, 0, 60);
    used("", T0 + 3500, false, 0, 0);
    used("elderly_allowance", T0 + 3600 + 5, true, 0, 600);
    device_error(BM_CLASS_SCANNER, BM_ERR_TIMEOUT, T0 + 3600 + 30);
    assert_int_equal(bm_outbox_usage_take_all(ob, T0 * 1000 + MINUTE, &batches), BM_OK);
    assert_int_equal(batches, 1);
    deliver(T0 * 1000 + 10 * MINUTE);
    assert_int_equal(usage_posts(), 3);

    int rows = 0;
    json_t *got = centre_totals(&rows);
    assert_int_equal(rows, 2); /* the replay stored nothing */
    json_error_t e;
    json_t *want = json_loads(expected, 0, &e);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *text = json_dumps(got, JSON_INDENT(1) | JSON_SORT_KEYS);
        fail_msg("the centre's sums differ from what was counted:\n%s", text);
    }
    json_decref(got);
    json_decref(want);
}

int main(void)
{
    setenv("TZ", "CST-8", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_centre_sums_exactly_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
