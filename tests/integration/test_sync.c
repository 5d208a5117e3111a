/*
 * test_sync.c - the sync engine against the reference central service (TLS on loopback):
 * applications with their files and ratings delivered and acknowledged exactly once; the
 * faults of issue 6 along the way (503 + Retry-After, a connection dropped mid-upload, a
 * submit whose answer is cut off, a 2xx that is not JSON) and still exactly once; a refused
 * application becomes a dead letter with its files while the next goes on; a kiosk the
 * centre refuses pauses without losing anything; offline for hours (time is passed in, so
 * hours take seconds), backing off to the cap, then everything delivered in order per
 * application once the centre is back; an outbox whose disk fills after a request succeeded
 * stops the round and delivers once when there is room again; application numbers allocated
 * by the outbox; the submit's empty body.
 */
#include "central_fixture.h"
#include "test_support.h"

#include "services/heartbeat.h"
#include "services/sync.h"

#include <fcntl.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T0     ((int64_t)1764460800000) /* 2025-11-30 00:00 UTC, in ms */
#define MINUTE ((int64_t)60000)

static struct central central;
static char dir[4096];
static struct bm_sync *sync_engine;

static void open_sync(void)
{
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 1024 * 1024, &paths, &cfg);
    assert_int_equal(bm_sync_open(&cfg, &sync_engine), BM_OK);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("sync"));
    central_start(&central, dir, NULL);
    open_sync();
    return 0;
}

static int teardown(void **state)
{
    bm_sync_close(sync_engine);
    sync_engine = NULL;
    central_stop(&central);
    return 0;
}

/* Application n: an ApplicationRequest for the catalog's first service, two pages. */
static void enqueue_application(int n, const char *service, size_t page_bytes)
{
    char number[32], json[800];
    snprintf(number, sizeof number, "BM20251130%06d", n);
    snprintf(json, sizeof json,
             "{\"application_no\": \"%s\", \"service\": \"%s\", \"catalog_revision\": "
             "\"2026-11-20.1\", \"created_at\": \"2025-11-30T09:00:00+08:00\", \"language\": "
             "\"zh_CN\", \"applicant\": {\"identified_by\": \"none\"}, \"fields\": {\"phone\": "
             "\"13800138000\"}, \"materials\": [{\"material\": \"hukou\", \"pages\": 2}]}",
             number, service);
    unsigned char *page = malloc(page_bytes);
    for (size_t i = 0; i < page_bytes; i++)
        page[i] = (unsigned char)(i * 31 + (size_t)n);
    struct bm_sync_file files[2] = {{"hukou-1", "image/jpeg", page, page_bytes},
                                    {"hukou-2", "image/png", page, page_bytes / 2 + 1}};
    struct bm_sync_application a = {number, json, strlen(json), files, 2};
    assert_int_equal(bm_sync_enqueue_application(sync_engine, &a, T0), BM_OK);
    free(page);
}

static void enqueue_rating(int n)
{
    char key[32];
    snprintf(key, sizeof key, "rating-%d", n);
    const char *json = "{\"rated_at\": \"2025-11-30T09:05:00+08:00\", \"service\": "
                       "\"household_certificate\", \"score\": 5, \"language\": \"zh_CN\"}";
    assert_int_equal(
        bm_sync_enqueue_post(sync_engine, BM_OUTBOX_RATING, key, json, strlen(json), false, T0),
        BM_OK);
}

static uint64_t queued(void)
{
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(bm_sync_outbox(sync_engine), &st), BM_OK);
    return st.queued;
}

/* Runs the engine from `now` in steps of `step` until the outbox is empty (or max steps). */
static int64_t run_until_empty(int64_t now, int64_t step, int max_steps, unsigned *requests)
{
    for (int i = 0; i < max_steps && queued() > 0; i++, now += step) {
        struct bm_sync_round r;
        assert_int_equal(bm_sync_run(sync_engine, now, &r), BM_OK);
        if (requests)
            *requests += r.requests;
    }
    return now;
}

static const char *svc = "household_certificate";

static void test_delivered_once(void **state)
{
    for (int n = 1; n <= 3; n++)
        enqueue_application(n, svc, n == 2 ? 2500 * 1024 : 50000); /* one needs 3 PATCHes */
    enqueue_rating(1);
    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_int_equal(queued(), 0);
    assert_int_equal(r.acknowledged, 4);
    assert_int_equal(central_count(&central, "submissions"), 3);
    assert_int_equal(central_count(&central, "complete_files"), 6);
    assert_int_equal(central_count(&central, "ratings"), 1);
    struct bm_outbox_stats st;
    bm_outbox_stats(bm_sync_outbox(sync_engine), &st);
    assert_int_equal(st.delivered, 3 * 4 + 1);
    /* The submit has an empty body, as the API says (not "{}"). */
    assert_int_equal(central_db_int(&central,
                                    "SELECT COUNT(*) FROM requests WHERE method = 'POST' AND path "
                                    "LIKE '%/submit' AND status = 200 AND bytes_in = 0"),
                     3);

    /* Nothing left, nothing sent; the same application again is not queued again. */
    assert_int_equal(bm_sync_run(sync_engine, T0 + MINUTE, &r), BM_OK);
    assert_int_equal(r.requests, 0);
    enqueue_application(1, svc, 50000);
    assert_int_equal(queued(), 0);
}

/* The yield callback: true from the n-th question on (how many times it was asked). */
static int yield_after, yield_asked;
static bool yield_now(void *ud)
{
    (void)ud;
    return ++yield_asked >= yield_after;
}

/* A round makes way when the thread has other work: it stops after the request the callback
 * said so at, and the next round goes on from there; all is delivered once in the end. */
static void test_round_yields(void **state)
{
    bm_sync_close(sync_engine);
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 1024 * 1024, &paths, &cfg);
    cfg.yield = yield_now;
    assert_int_equal(bm_sync_open(&cfg, &sync_engine), BM_OK);
    for (int n = 1; n <= 2; n++)
        enqueue_application(n, svc, 50000); /* 4 items each: PUT, 2 files, submit */
    yield_after = 3;
    yield_asked = 0;
    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_true(r.yielded);
    assert_int_equal(yield_asked, 3);
    assert_int_equal(r.delivered, 3); /* three items' steps taken, no more */
    assert_int_equal(central_count(&central, "submissions"), 0);
    yield_after = 1000;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_false(r.yielded);
    assert_int_equal(queued(), 0);
    assert_int_equal(central_count(&central, "submissions"), 2);
    assert_int_equal(central_count(&central, "complete_files"), 4);
}

/* What the progress callback heard of each file. */
static struct {
    int calls, files_done;
    uint64_t last_sent, size;
    bool went_back;
    char number[32], file[32];
} heard;

static void on_progress(const struct bm_sync_progress *p, void *ud)
{
    (void)ud;
    if (strcmp(heard.file, p->file) != 0) { /* a new file */
        snprintf(heard.file, sizeof heard.file, "%s", p->file);
        heard.last_sent = 0;
    }
    heard.went_back |= p->sent < heard.last_sent || p->sent > p->size;
    heard.calls++;
    heard.last_sent = p->sent;
    heard.size = p->size;
    heard.files_done += p->sent == p->size;
    snprintf(heard.number, sizeof heard.number, "%s", p->number);
}

/* Upload progress for a progress bar: each file's bytes climb to its size, across its PATCHes,
 * and each file ends with one call at its size. */
static void test_upload_progress(void **state)
{
    bm_sync_close(sync_engine);
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 1024 * 1024, &paths, &cfg);
    cfg.progress = on_progress;
    assert_int_equal(bm_sync_open(&cfg, &sync_engine), BM_OK);
    memset(&heard, 0, sizeof heard);
    enqueue_application(7, svc, 2500 * 1024); /* hukou-1: 3 PATCHes; hukou-2: 2 */
    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_int_equal(central_count(&central, "submissions"), 1);
    assert_false(heard.went_back);
    assert_int_equal(heard.files_done, 2);
    assert_true(heard.calls >= 2);
    assert_string_equal(heard.number, "BM20251130000007");
    assert_string_equal(heard.file, "hukou-2");
    assert_int_equal(heard.size, 2500 * 1024 / 2 + 1);
    assert_int_equal(heard.last_sent, heard.size);
}

/* A new application gets its number from the outbox, in its JSON too (the centre refuses a
 * body whose application_no is not the path's), and a body that has one already is refused. */
static void test_new_application_is_numbered(void **state)
{
    const char *json = "{\"service\": \"household_certificate\", \"catalog_revision\": "
                       "\"2026-11-20.1\", \"created_at\": \"2025-11-30T09:00:00+08:00\", "
                       "\"language\": \"zh_CN\", \"applicant\": {\"identified_by\": \"none\"}, "
                       "\"fields\": {}, \"materials\": [{\"material\": \"hukou\", \"pages\": 1}]}";
    static unsigned char page[3000];
    struct bm_sync_file file = {"hukou-1", "image/png", page, sizeof page};
    struct bm_sync_application a = {NULL, json, strlen(json), &file, 1};
    char first[BM_OUTBOX_NUMBER_LEN + 1], second[BM_OUTBOX_NUMBER_LEN + 1];
    setenv("TZ", "CST-8", 1);
    assert_int_equal(bm_sync_enqueue_new_application(sync_engine, &a, T0, first), BM_OK);
    assert_int_equal(bm_sync_enqueue_new_application(sync_engine, &a, T0, second), BM_OK);
    unsetenv("TZ");
    assert_string_equal(first, "BM20251130000001"); /* 08:00 in Beijing */
    assert_string_equal(second, "BM20251130000002");
    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_int_equal(r.acknowledged, 2);
    assert_int_equal(r.dead, 0);
    assert_int_equal(
        central_db_int(&central, "SELECT COUNT(*) FROM applications WHERE state = 'received' AND "
                                 "no IN ('BM20251130000001', 'BM20251130000002') AND "
                                 "json_extract(body, '$.application_no') = no"),
        2);

    const char *numbered = "{\"application_no\" : \"BM1\", \"service\": \"x\"}";
    struct bm_sync_application b = {NULL, numbered, strlen(numbered), &file, 1};
    char none[BM_OUTBOX_NUMBER_LEN + 1] = "x";
    assert_int_equal(bm_sync_enqueue_new_application(sync_engine, &b, T0, none),
                     BM_ERR_INVALID_ARG);
    assert_non_null(strstr(bm_err_detail(), "application_no"));
    assert_string_equal(none, "");
    b.json = "[1]";
    b.json_len = 3;
    assert_int_equal(bm_sync_enqueue_new_application(sync_engine, &b, T0, none),
                     BM_ERR_INVALID_ARG);
    assert_int_equal(queued(), 0);
}

static void test_faults_still_once(void **state)
{
    central_fault(&central, "{\"method\": \"PUT\", \"path\": \"^/v1/applications/[^/]*$\", "
                            "\"kind\": \"status\", \"status\": 503, \"retry_after\": 7}");
    central_fault(&central, "{\"method\": \"PATCH\", \"kind\": \"drop\", \"stage\": \"mid_body\", "
                            "\"after_bytes\": 30000}");
    central_fault(&central, "{\"method\": \"POST\", \"path\": \"/submit$\", \"kind\": "
                            "\"truncate\", \"count\": 2}");
    central_fault(&central, "{\"method\": \"POST\", \"path\": \"^/v1/ratings$\", \"kind\": "
                            "\"malformed\"}");
    for (int n = 1; n <= 3; n++)
        enqueue_application(n, svc, 200000);
    enqueue_rating(2);
    unsigned requests = 0;
    run_until_empty(T0, MINUTE, 100, &requests);
    assert_int_equal(queued(), 0);
    assert_int_equal(central_count(&central, "submissions"), 3);
    assert_int_equal(central_count(&central, "ratings"), 1);
    struct bm_sync_status st;
    bm_sync_get_status(sync_engine, &st);
    assert_int_equal(st.failures, 0);
    assert_false(st.paused);
}

/* The action table's recoveries, each once: the application still arrives once, nothing is
 * dead-lettered, and a 500 on one item lets the others go. */
static void test_recoveries(void **state)
{
    central_fault(&central, "{\"method\": \"PATCH\", \"kind\": \"status\", \"status\": 422, "
                            "\"code\": \"checksum_mismatch\"}");
    central_fault(&central, "{\"method\": \"PATCH\", \"kind\": \"status\", \"status\": 409, "
                            "\"code\": \"offset_mismatch\"}"); /* and no Upload-Offset */
    central_fault(&central, "{\"method\": \"POST\", \"path\": \"/submit$\", \"kind\": "
                            "\"status\", \"status\": 404, \"code\": \"application_unknown\"}");
    central_fault(&central, "{\"method\": \"POST\", \"path\": \"^/v1/ratings$\", \"kind\": "
                            "\"status\", \"status\": 409, \"code\": \"idempotency_in_progress\", "
                            "\"retry_after\": 0}");
    central_fault(&central, "{\"method\": \"PUT\", \"path\": \"000002$\", \"kind\": \"status\", "
                            "\"status\": 500}");
    enqueue_application(1, svc, 100000);
    enqueue_application(2, svc, 100000);
    enqueue_rating(4);
    /* The 500 only delays application 2: application 1 goes in the first round. */
    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_true(r.acknowledged >= 1);
    run_until_empty(T0 + MINUTE, MINUTE, 30, NULL);
    assert_int_equal(queued(), 0);
    struct bm_outbox_stats st;
    bm_outbox_stats(bm_sync_outbox(sync_engine), &st);
    assert_int_equal(st.dead, 0);
    assert_int_equal(central_count(&central, "submissions"), 2);
    assert_int_equal(central_count(&central, "ratings"), 1);
}

struct dead_list {
    int n;
    char keys[8][96];
    int status[8];
};

static bool collect(const struct bm_outbox_dead *d, void *ud)
{
    struct dead_list *l = ud;
    if (l->n < 8) {
        snprintf(l->keys[l->n], sizeof l->keys[l->n], "%s", d->key);
        l->status[l->n++] = d->status;
    }
    return true;
}

static void test_refused_application_is_a_dead_letter(void **state)
{
    enqueue_application(1, "no_such_service", 1000);
    enqueue_application(2, svc, 1000);
    run_until_empty(T0, MINUTE, 10, NULL);
    assert_int_equal(queued(), 0);
    assert_int_equal(central_count(&central, "submissions"), 1);
    struct dead_list l = {0};
    assert_int_equal(bm_outbox_dead_list(bm_sync_outbox(sync_engine), collect, &l), BM_OK);
    assert_int_equal(l.n, 4); /* the application, its two files and its submit */
    assert_string_equal(l.keys[0], "BM20251130000001");
    assert_int_equal(l.status[0], 422);
}

static void test_refused_kiosk_pauses(void **state)
{
    /* The centre does not know this kiosk: everything waits, nothing is dead-lettered. */
    central_stop(&central);
    int port = (int)strtol(strrchr(central.url, ':') + 1, NULL, 10);
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    central_start(&central, dir, (const char *[]){"--port", p, "--kiosk", "OTHER-1", NULL});
    enqueue_application(1, svc, 1000);
    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_OK);
    assert_int_equal(r.requests, 1);
    struct bm_sync_status st;
    bm_sync_get_status(sync_engine, &st);
    assert_true(st.paused);
    assert_non_null(strstr(st.pause_reason, "kiosk_unknown"));
    assert_int_equal(r.dead, 0);
    assert_int_equal(queued(), 4);
    /* Paused: nothing leaves the outbox (its items carry personal data), however long. */
    assert_int_equal(bm_sync_run(sync_engine, T0 + 60 * MINUTE, &r), BM_OK);
    assert_int_equal(r.requests, 0);

    /* Known again: the heartbeat (no personal data) is the probe; then it all goes. */
    central_stop(&central);
    central_start(&central, dir, (const char *[]){"--port", p, NULL});
    const char *hb = "{\"sent_at\": \"2025-11-30T01:00:00Z\", \"version\": \"0.1.0\", "
                     "\"uptime_s\": 60, \"documents\": {}, \"devices\": [], \"outbox\": "
                     "{\"depth\": 4, \"dead_letters\": 0, \"state\": \"ok\"}, "
                     "\"sync_paused\": true, \"disk\": {\"free_bytes\": 1, \"total_bytes\": 2}}";
    long status;
    assert_int_equal(bm_sync_heartbeat(sync_engine, hb, strlen(hb), T0 + 61 * MINUTE, &status),
                     BM_OK);
    run_until_empty(T0 + 61 * MINUTE, MINUTE, 20, NULL);
    assert_int_equal(queued(), 0);
    bm_sync_get_status(sync_engine, &st);
    assert_false(st.paused);
    assert_int_equal(central_count(&central, "submissions"), 1);
}

/* In the centre's request log: per application, the PUT before every PATCH, every PATCH
 * before the submit that succeeded. */
static void check_order(int apps)
{
    char db[4200];
    snprintf(db, sizeof db, "%s/central.db", dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    for (int n = 1; n <= apps; n++) {
        char like[64], sql[400];
        snprintf(like, sizeof like, "/v1/applications/BM20251130%06d", n);
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT MIN(id) FROM requests WHERE method = 'PUT' AND path = ?1 AND "
                 "status / 100 = 2), (SELECT MIN(id) FROM requests WHERE method = 'PATCH' AND "
                 "path LIKE ?1 || '/files/%%'), (SELECT MAX(id) FROM requests WHERE method = "
                 "'PATCH' AND path LIKE ?1 || '/files/%%' AND status / 100 = 2), (SELECT MIN(id) "
                 "FROM requests WHERE method = 'POST' AND path = ?1 || '/submit' AND status / 100 "
                 "= 2)");
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        for (int c = 0; c < 4; c++)
            assert_int_not_equal(sqlite3_column_type(st, c), SQLITE_NULL);
        int64_t put = sqlite3_column_int64(st, 0), first_patch = sqlite3_column_int64(st, 1),
                last_patch = sqlite3_column_int64(st, 2), submit = sqlite3_column_int64(st, 3);
        sqlite3_finalize(st);
        assert_true(put < first_patch);
        assert_true(last_patch < submit);
    }
    sqlite3_close(h);
}

static void test_offline_for_hours(void **state)
{
    int port = (int)strtol(strrchr(central.url, ':') + 1, NULL, 10);
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    central_stop(&central);
    for (int n = 1; n <= 5; n++)
        enqueue_application(n, svc, 80000);
    enqueue_rating(3);
    /* Six hours without a centre, the engine asked every minute. */
    unsigned requests = 0;
    int64_t now = T0;
    for (; now < T0 + 360 * MINUTE; now += MINUTE) {
        struct bm_sync_round r;
        assert_int_equal(bm_sync_run(sync_engine, now, &r), BM_OK);
        requests += r.requests;
    }
    struct bm_sync_status st;
    bm_sync_get_status(sync_engine, &st);
    assert_true(st.failures >= 10);
    assert_true(st.wait_until_ms - now <= 15 * MINUTE); /* the cap, never more */
    /* Backing off: one request per wait, tens in six hours, not one a minute. */
    assert_true(requests >= 15);
    assert_true(requests <= 60);
    printf("offline 6 h: %u requests, %u failures in a row\n", requests, st.failures);
    assert_int_equal(queued(), 5 * 4 + 1);

    central_start(&central, dir, (const char *[]){"--port", p, NULL});
    run_until_empty(now, MINUTE, 60, NULL);
    assert_int_equal(queued(), 0);
    assert_int_equal(central_count(&central, "submissions"), 5);
    assert_int_equal(central_count(&central, "ratings"), 1);
    check_order(5);
}

/* A heartbeat the centre's schema accepts; it is the probe that ends a pause. */
static void test_heartbeat(void **state)
{
    /* A detail cut at 200 bytes in the middle of a character still goes (cut before it). */
    char long_detail[260] = "";
    for (int i = 0; i < 86; i++)
        memcpy(long_detail + i * 3, "纸", 3); /* 3 bytes each: 200 falls inside one */
    struct bm_heartbeat_device devs[2] = {
        {.cls = "id_reader", .driver = "sim", .device = "online", .error = "BM_OK", .fix = "none"},
        {.cls = "receipt_printer",
         .driver = "escpos-usb",
         .device = "online",
         .error = "BM_ERR_NO_MEDIA",
         .fix = "clear",
         .detail = "paper near end",
         .has_counters = true,
         .receipts = 1234,
         .paper_mm = 98800,
         .roll_mm = 41000,
         .avg_mm = 85,
         .receipts_left = 105},
    };
    devs[1].detail = long_detail;
    struct bm_heartbeat hb = {.version = "0.1.0",
                              .uptime_s = 3600,
                              .now = time(NULL),
                              .devices = devs,
                              .n_devices = 2,
                              .disk_free = 1 << 30,
                              .disk_total = 1u << 31,
                              .last_sync_ok_ms = T0};
    assert_int_equal(bm_outbox_stats(bm_sync_outbox(sync_engine), &hb.outbox), BM_OK);
    size_t len;
    char *json = bm_heartbeat_json(&hb, &len);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"receipts_left\":105"));
    assert_non_null(strstr(json, "\"detail\":\"纸"));
    long status;
    assert_int_equal(bm_sync_heartbeat(sync_engine, json, len, T0, &status), BM_OK);
    assert_int_equal(status, 200);
    assert_int_equal(central_count(&central, "heartbeats"), 1);

    /* Refused: paused; accepted again: the pause ends at once. */
    central_fault(&central, "{\"path\": \"^/v1/heartbeat$\", \"kind\": \"status\", "
                            "\"status\": 403, \"code\": \"kiosk_disabled\"}");
    assert_int_equal(bm_sync_heartbeat(sync_engine, json, len, T0, &status), BM_ERR_STATE);
    struct bm_sync_status st;
    bm_sync_get_status(sync_engine, &st);
    assert_true(st.paused);
    assert_int_equal(bm_sync_heartbeat(sync_engine, json, len, T0 + MINUTE, &status), BM_OK);
    bm_sync_get_status(sync_engine, &st);
    assert_false(st.paused);
    assert_true(st.wait_until_ms <= T0 + MINUTE);
    free(json);
}

/*
 * The outbox's disk fills after a request succeeded, so the centre's answer cannot be
 * recorded: the round stops with BM_ERR_NO_SPACE and waits (it used to take the same item
 * again at once, resending it in a loop), nothing is marked wrongly, and once there is room
 * the application is delivered: the PUT goes again, the centre answers the replay 200, and it
 * holds the application once.
 */
static void test_outbox_full_after_an_answer(void **state)
{
    bm_sync_close(sync_engine);
    sync_engine = NULL;
    char disk[4300], filler[4400];
    snprintf(disk, sizeof disk, "%s/disk", dir);
    assert_int_equal(mkdir(disk, 0700), 0);
    if (!bm_test_mount_small_disk(disk)) {
        if (bm_test_in_ci())
            fail_msg("cannot mount a small tmpfs for the full-disk test");
        skip();
    }
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 1024 * 1024, &paths, &cfg);
    snprintf(paths.outbox, sizeof paths.outbox, "%.4180s/outbox.db", disk);
    assert_int_equal(bm_sync_open(&cfg, &sync_engine), BM_OK);
    enqueue_application(1, svc, 20000);
    snprintf(filler, sizeof filler, "%s/filler", disk);
    bm_test_fill_disk(filler); /* reading the outbox needs no room; recording an answer does */

    struct bm_sync_round r;
    assert_int_equal(bm_sync_run(sync_engine, T0, &r), BM_ERR_NO_SPACE);
    assert_non_null(strstr(bm_err_detail(), "disk is full"));
    assert_int_equal(r.requests, 1);
    assert_int_equal(central_db_int(&central,
                                    "SELECT COUNT(*) FROM requests WHERE method = 'PUT' AND path = "
                                    "'/v1/applications/BM20251130000001' AND status = 201"),
                     1);
    /* Nothing was marked: the PUT is still the application's next step, all four wait. */
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(bm_sync_outbox(sync_engine), T0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "BM20251130000001");
    assert_int_equal(it.attempts, 0);
    bm_outbox_item_clear(&it);
    assert_int_equal(queued(), 4);
    /* The round waits a minute rather than send the same item again. */
    assert_int_equal(bm_sync_run(sync_engine, T0 + 1000, &r), BM_OK);
    assert_int_equal(r.requests, 0);
    assert_int_equal(bm_sync_run(sync_engine, T0 + 59000, &r), BM_OK);
    assert_int_equal(r.requests, 0);

    /* Room again: delivered once; the PUT's replay was answered 200, not a conflict. */
    assert_int_equal(unlink(filler), 0);
    assert_int_equal(bm_sync_run(sync_engine, T0 + MINUTE + 1000, &r), BM_OK);
    assert_int_equal(r.acknowledged, 1);
    assert_int_equal(r.dead, 0);
    assert_int_equal(queued(), 0);
    assert_int_equal(central_count(&central, "submissions"), 1);
    assert_int_equal(central_db_int(&central, "SELECT COUNT(*) FROM applications"), 1);
    assert_int_equal(central_db_int(&central, "SELECT COUNT(*) FROM files WHERE complete = 1"), 2);
    assert_int_equal(central_db_int(&central,
                                    "SELECT COUNT(*) FROM requests WHERE method = 'PUT' AND path = "
                                    "'/v1/applications/BM20251130000001' AND status = 200"),
                     1);
    assert_int_equal(central_db_int(&central, "SELECT COUNT(*) FROM requests WHERE status >= 400"),
                     0);
}

static void test_backoff(void **state)
{
    assert_int_equal(bm_sync_backoff_ms(0, 12345), 0);
    assert_int_equal(bm_sync_backoff_ms(1, 0), 1000);
    assert_int_equal(bm_sync_backoff_ms(1, UINT32_MAX), 2000);
    assert_int_equal(bm_sync_backoff_ms(2, 0), 2000);
    assert_int_equal(bm_sync_backoff_ms(9, 0), 256000);
    assert_int_equal(bm_sync_backoff_ms(10, 0), 450000);
    assert_int_equal(bm_sync_backoff_ms(10, UINT32_MAX), 900000);
    assert_int_equal(bm_sync_backoff_ms(1000, UINT32_MAX), 900000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivered_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_yields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_application_is_numbered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_still_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recoveries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_application_is_a_dead_letter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_kiosk_pauses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offline_for_hours, setup, teardown),
        /* Last: it leaves the process in a mount namespace of its own. */
        cmocka_unit_test_setup_teardown(test_outbox_full_after_an_answer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
