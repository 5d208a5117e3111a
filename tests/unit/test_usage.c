/*
 * test_usage.c - usage counts (usage.h, outbox_usage.h) on a real outbox database: the
 * duration buckets at their boundaries, the hour in local time under several TZ offsets, the
 * tracker's summaries, a batch's JSON holding exactly the documented fields and the right
 * sums, counts surviving a reopen, a batch take that is all or nothing (a trigger makes either
 * half fail), and the 168-hour and body-size limits splitting the counts into several batches.
 */
#include "test_support.h"

#include "services/outbox.h"
#include "services/outbox_usage.h"
#include "services/usage.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 2025-11-30 00:00 UTC: 08:00 in China (TZ CST-8, set in main). */
#define T0 ((int64_t)1764460800)

struct rig {
    char dir[4096], db[4400], key[4200];
    struct bm_outbox *ob;
};

static struct rig rig;

static void open_rig(void)
{
    struct bm_outbox_config cfg = {.path = rig.db, .key_path = rig.key};
    assert_int_equal(bm_outbox_open(&cfg, &rig.ob), BM_OK);
}

static int setup(void **state)
{
    snprintf(rig.dir, sizeof rig.dir, "%s", bm_test_mkdtemp("usage"));
    snprintf(rig.db, sizeof rig.db, "%s/outbox.db", rig.dir);
    snprintf(rig.key, sizeof rig.key, "%s/outbox.key", rig.dir);
    open_rig();
    return 0;
}

static int teardown(void **state)
{
    bm_outbox_close(rig.ob);
    rig.ob = NULL;
    return 0;
}

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static struct bm_usage_event used(const char *service, int64_t at, bool completed, unsigned left_at,
                                  uint64_t duration_s)
{
    struct bm_usage_event ev = {.kind = BM_USAGE_SESSION};
    snprintf(ev.session.service, sizeof ev.session.service, "%s", service);
    ev.session.started_s = at;
    ev.session.completed = completed;
    ev.session.left_at = left_at;
    ev.session.duration_s = duration_s;
    return ev;
}

static void record(struct bm_usage_event ev)
{
    assert_int_equal(bm_outbox_usage_record(rig.ob, &ev), BM_OK);
}

static void record_error(enum bm_device_class cls, enum bm_err err, int64_t at)
{
    struct bm_usage_event ev = {.kind = BM_USAGE_DEVICE_ERROR, .cls = cls, .err = err, .at_s = at};
    record(ev);
}

static uint64_t queued(void)
{
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    return st.queued;
}

static uint64_t hours_counted(void)
{
    uint64_t n = 0;
    assert_int_equal(bm_outbox_usage_hours(rig.ob, &n), BM_OK);
    return n;
}

/* The next queued item, which must be a usage batch: its body parsed; the item acknowledged. */
static json_t *next_batch(void)
{
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_int_equal(it.kind, BM_OUTBOX_USAGE);
    assert_false(it.personal);
    assert_true(strncmp(it.key, "usage-", 6) == 0);
    assert_true(it.len <= BM_USAGE_BODY_MAX);
    json_error_t e;
    json_t *root = json_loadb((const char *)it.body, it.len, 0, &e);
    assert_non_null(root);
    assert_int_equal(bm_outbox_ack(rig.ob, it.id, 0), BM_OK);
    bm_outbox_item_clear(&it);
    return root;
}

/* Fails unless every member of o is one of names (NULL-terminated). */
static void only_members(json_t *o, const char *const *names)
{
    assert_true(json_is_object(o));
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strcmp(k, names[i]) == 0;
        if (!known)
            fail_msg("undocumented member '%s' in a usage batch", k);
    }
}

static json_t *find_service(json_t *hour, const char *service)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(hour, "services"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "service")), service) == 0)
            return s;
    }
    fail_msg("no service %s in the hour", service);
    return NULL;
}

static long long member(json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    assert_true(json_is_integer(v));
    return (long long)json_integer_value(v);
}

/* ---- pure parts ---- */

static void test_buckets_at_their_boundaries(void **state)
{
    static const struct {
        uint64_t s;
        unsigned bucket;
    } cases[] = {{0, 0},   {30, 0},   {31, 1},   {60, 1},    {61, 2},
                 {120, 2}, {121, 3},  {300, 3},  {301, 4},   {600, 4},
                 {601, 5}, {1200, 5}, {1201, 6}, {86400, 6}, {UINT64_MAX, 6}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (bm_usage_bucket(cases[i].s) != cases[i].bucket)
            fail_msg("%llu s went to bucket %u, not %u", (unsigned long long)cases[i].s,
                     bm_usage_bucket(cases[i].s), cases[i].bucket);
}

static void test_hour_in_local_time(void **state)
{
    int64_t t = T0 + 32 * 60 + 5; /* 00:32:05 UTC */
    static const struct {
        const char *tz, *label;
        int64_t back; /* seconds from the hour's start to t */
    } cases[] = {
        {"CST-8", "2025-11-30T08:00:00+08:00", 32 * 60 + 5},
        {"UTC0", "2025-11-30T00:00:00+00:00", 32 * 60 + 5},
        {"EST5", "2025-11-29T19:00:00-05:00", 32 * 60 + 5},
        {"IST-5:30", "2025-11-30T06:00:00+05:30", 2 * 60 + 5}, /* 06:02:05 local */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        set_tz(cases[i].tz);
        int64_t start;
        char label[32];
        bm_usage_hour_of(t, &start, label);
        assert_string_equal(label, cases[i].label);
        assert_int_equal(start, t - cases[i].back);
    }
    set_tz("CST-8");
}

struct emitted {
    struct bm_usage_event ev[16];
    size_t n;
};

static void collect(const struct bm_usage_event *ev, void *ud)
{
    struct emitted *e = ud;
    assert_true(e->n < 16);
    e->ev[e->n++] = *ev;
}

static void test_tracker(void **state)
{
    struct emitted e = {0};
    struct bm_usage_tracker t;
    bm_usage_tracker_init(&t, collect, &e);

    /* A touch, then nothing chosen: a session without a service. */
    bm_usage_session_begin(&t, T0, 0);
    bm_usage_session_end(&t, 20000);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.ev[0].session.service, "");
    assert_int_equal(e.ev[0].session.started_s, T0);

    /* Left while at the materials. */
    bm_usage_session_begin(&t, T0 + 100, 100000);
    bm_usage_service_chosen(&t, "elderly_allowance", T0 + 105, 105000);
    bm_usage_step_reached(&t, BM_STEP_IDENTIFY);
    bm_usage_step_reached(&t, BM_STEP_MATERIALS);
    bm_usage_session_end(&t, 200000);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.ev[1].session.service, "elderly_allowance");
    assert_false(e.ev[1].session.completed);
    assert_int_equal(e.ev[1].session.left_at, BM_STEP_MATERIALS);
    assert_int_equal(e.ev[1].session.started_s, T0 + 105);

    /* Two services done in one session: the first timed from the session's start, the second
     * from the first's end; the guide left without a step is "guide". */
    bm_usage_session_begin(&t, T0 + 300, 300000);
    bm_usage_service_chosen(&t, "pension_record", T0 + 310, 310000);
    bm_usage_service_completed(&t, 365000);
    bm_usage_service_chosen(&t, "elderly_allowance", T0 + 370, 370000);
    bm_usage_service_completed(&t, 400000);
    bm_usage_service_chosen(&t, "housing_fund", T0 + 410, 410000);
    bm_usage_session_end(&t, 420000);
    assert_int_equal(e.n, 5);
    assert_true(e.ev[2].session.completed);
    assert_int_equal(e.ev[2].session.duration_s, 65);
    assert_true(e.ev[3].session.completed);
    assert_int_equal(e.ev[3].session.duration_s, 35);
    assert_string_equal(e.ev[4].session.service, "housing_fund");
    assert_int_equal(e.ev[4].session.left_at, BM_USAGE_AT_GUIDE);

    /* The demo's apply outside a session: a start and a completion, nothing else after. */
    bm_usage_service_chosen(&t, "elderly_allowance", T0 + 500, 500000);
    bm_usage_service_completed(&t, 500000);
    bm_usage_session_begin(&t, T0 + 600, 600000); /* ends the open one: nothing to count */
    assert_int_equal(e.n, 6);
    assert_true(e.ev[5].session.completed);

    bm_usage_device_error(&t, BM_CLASS_RECEIPT_PRINTER, BM_ERR_NO_MEDIA, T0 + 700);
    bm_usage_device_error(&t, BM_CLASS_RECEIPT_PRINTER, BM_OK, T0 + 700); /* not an error */
    assert_int_equal(e.n, 7);
    assert_int_equal(e.ev[6].kind, BM_USAGE_DEVICE_ERROR);
    for (size_t i = 0; i < e.n; i++)
        assert_int_equal(bm_usage_event_check(&e.ev[i]), BM_OK);
}

static struct bm_device_event device_event(enum bm_device_event_kind kind, enum bm_err status,
                                           enum bm_err err)
{
    struct bm_device_event ev = {.kind = kind, .cls = BM_CLASS_RECEIPT_PRINTER, .err = err};
    ev.status.error = status;
    return ev;
}

/* Status changes into an error count once; the error event that goes with one does not count
 * again; an error about the medium in hand (status untouched) counts. */
static void test_device_events(void **state)
{
    struct emitted e = {0};
    struct bm_usage_tracker t;
    bm_usage_tracker_init(&t, collect, &e);
    struct bm_device_event evs[] = {
        device_event(BM_EVENT_STATUS, BM_OK, BM_OK),                    /* online */
        device_event(BM_EVENT_STATUS, BM_ERR_NO_MEDIA, BM_OK),          /* paper out: 1 */
        device_event(BM_EVENT_ERROR, BM_ERR_NO_MEDIA, BM_ERR_NO_MEDIA), /* the same error */
        device_event(BM_EVENT_STATUS, BM_ERR_NO_MEDIA, BM_OK),          /* still out */
        device_event(BM_EVENT_STATUS, BM_ERR_MEDIA_JAM, BM_OK),         /* jammed: 2 */
        device_event(BM_EVENT_STATUS, BM_OK, BM_OK),                    /* cleared */
        device_event(BM_EVENT_STATUS, BM_ERR_NO_MEDIA, BM_OK),          /* out again: 3 */
        device_event(BM_EVENT_ERROR, BM_ERR_NO_MEDIA, BM_ERR_NO_MEDIA), /* with it */
        device_event(BM_EVENT_ERROR, BM_OK, BM_ERR_PARSE),              /* a medium's: 4 */
        device_event(BM_EVENT_MEDIA_TAKEN, BM_OK, BM_OK),
    };
    for (size_t i = 0; i < sizeof evs / sizeof *evs; i++)
        bm_usage_device_event(&t, &evs[i], T0);
    assert_int_equal(e.n, 4);
    static const enum bm_err counted[] = {BM_ERR_NO_MEDIA, BM_ERR_MEDIA_JAM, BM_ERR_NO_MEDIA,
                                          BM_ERR_PARSE};
    for (size_t i = 0; i < e.n; i++) {
        assert_int_equal(e.ev[i].kind, BM_USAGE_DEVICE_ERROR);
        assert_int_equal(e.ev[i].cls, BM_CLASS_RECEIPT_PRINTER);
        assert_int_equal(e.ev[i].err, counted[i]);
    }
}

static void test_bad_events_refused(void **state)
{
    struct bm_usage_event ev = used("Not-An-Id", T0, true, 0, 10);
    assert_int_equal(bm_outbox_usage_record(rig.ob, &ev), BM_ERR_INVALID_ARG);
    ev = used("elderly_allowance", T0, false, BM_USAGE_PLACES, 0);
    assert_int_equal(bm_outbox_usage_record(rig.ob, &ev), BM_ERR_INVALID_ARG);
    ev = (struct bm_usage_event){
        .kind = BM_USAGE_DEVICE_ERROR, .cls = BM_CLASS_COUNT, .err = BM_ERR_IO};
    assert_int_equal(bm_outbox_usage_record(rig.ob, &ev), BM_ERR_INVALID_ARG);
    assert_int_equal(hours_counted(), 0);
}

/* ---- the outbox's counts ---- */

static void record_sample_hour(int64_t at)
{
    record(used("elderly_allowance", at, true, 0, 30));
    record(used("elderly_allowance", at + 60, true, 0, 31));
    record(used("elderly_allowance", at + 120, true, 0, 1201));
    record(used("elderly_allowance", at + 180, false, BM_STEP_MATERIALS, 0));
    record(used("pension_record", at + 240, false, BM_USAGE_AT_GUIDE, 0));
    record(used("", at + 300, false, 0, 0));
    record(used("", at + 360, false, 0, 0));
    record_error(BM_CLASS_RECEIPT_PRINTER, BM_ERR_NO_MEDIA, at + 400);
    record_error(BM_CLASS_RECEIPT_PRINTER, BM_ERR_NO_MEDIA, at + 500);
    record_error(BM_CLASS_SCANNER, BM_ERR_TIMEOUT, at + 600);
}

static void check_sample_hour(json_t *hour, const char *label)
{
    static const char *const hour_members[] = {"hour", "sessions_without_service", "services",
                                               "device_errors", NULL};
    static const char *const service_members[] = {"service",      "starts",      "completions",
                                                  "abandonments", "durations_s", NULL};
    static const char *const places[] = {"guide",  "identify", "form", "materials", "review",
                                         "submit", "print",    "rate", NULL};
    static const char *const duration_members[] = {"count", "sum", "buckets", NULL};
    static const char *const error_members[] = {"class", "error", "count", NULL};
    only_members(hour, hour_members);
    assert_string_equal(json_string_value(json_object_get(hour, "hour")), label);
    assert_int_equal(member(hour, "sessions_without_service"), 2);
    assert_int_equal(json_array_size(json_object_get(hour, "services")), 2);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(hour, "services"), i, s)
    {
        only_members(s, service_members);
        only_members(json_object_get(s, "abandonments"), places);
        only_members(json_object_get(s, "durations_s"), duration_members);
    }
    json_t *ea = find_service(hour, "elderly_allowance");
    assert_int_equal(member(ea, "starts"), 4);
    assert_int_equal(member(ea, "completions"), 3);
    assert_int_equal(json_object_size(json_object_get(ea, "abandonments")), 1);
    assert_int_equal(member(json_object_get(ea, "abandonments"), "materials"), 1);
    json_t *d = json_object_get(ea, "durations_s");
    assert_int_equal(member(d, "count"), 3);
    assert_int_equal(member(d, "sum"), 30 + 31 + 1201);
    static const long long buckets[BM_USAGE_BUCKETS] = {1, 1, 0, 0, 0, 0, 1};
    assert_int_equal(json_array_size(json_object_get(d, "buckets")), BM_USAGE_BUCKETS);
    for (size_t b = 0; b < BM_USAGE_BUCKETS; b++)
        assert_int_equal(json_integer_value(json_array_get(json_object_get(d, "buckets"), b)),
                         buckets[b]);
    json_t *pr = find_service(hour, "pension_record");
    assert_int_equal(member(pr, "starts"), 1);
    assert_int_equal(member(pr, "completions"), 0);
    assert_int_equal(member(json_object_get(pr, "abandonments"), "guide"), 1);
    assert_int_equal(member(json_object_get(pr, "durations_s"), "count"), 0);
    json_t *errors = json_object_get(hour, "device_errors");
    assert_int_equal(json_array_size(errors), 2);
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        only_members(e, error_members);
        bool paper = strcmp(json_string_value(json_object_get(e, "error")), "BM_ERR_NO_MEDIA") == 0;
        assert_string_equal(json_string_value(json_object_get(e, "class")),
                            paper ? "receipt_printer" : "scanner");
        assert_int_equal(member(e, "count"), paper ? 2 : 1);
    }
}

static void test_batch_holds_the_documented_fields_and_sums(void **state)
{
    record_sample_hour(T0 + 60); /* 08:01 in China */
    record(used("elderly_allowance", T0 + 3600 + 10, true, 0, 600));
    assert_int_equal(hours_counted(), 2);
    size_t hours = 0;
    assert_int_equal(bm_outbox_usage_take(rig.ob, 1000, &hours), BM_OK);
    assert_int_equal(hours, 2);
    assert_int_equal(hours_counted(), 0);
    assert_int_equal(queued(), 1);
    json_t *root = next_batch();
    static const char *const root_members[] = {"hours", NULL};
    only_members(root, root_members);
    json_t *list = json_object_get(root, "hours");
    assert_int_equal(json_array_size(list), 2);
    check_sample_hour(json_array_get(list, 0), "2025-11-30T08:00:00+08:00");
    json_t *h2 = json_array_get(list, 1);
    assert_string_equal(json_string_value(json_object_get(h2, "hour")),
                        "2025-11-30T09:00:00+08:00");
    assert_int_equal(member(h2, "sessions_without_service"), 0);
    json_t *d = json_object_get(find_service(h2, "elderly_allowance"), "durations_s");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(d, "buckets"), 4)), 1);
    json_decref(root);
    /* Nothing left: the next take makes no batch. */
    assert_int_equal(bm_outbox_usage_take(rig.ob, 2000, &hours), BM_OK);
    assert_int_equal(hours, 0);
    assert_int_equal(queued(), 0);
}

static void test_counts_survive_reopen(void **state)
{
    record_sample_hour(T0 + 60);
    bm_outbox_close(rig.ob);
    open_rig();
    assert_int_equal(hours_counted(), 1);
    size_t batches = 0;
    assert_int_equal(bm_outbox_usage_take_all(rig.ob, 1000, &batches), BM_OK);
    assert_int_equal(batches, 1);
    /* The batch, not yet delivered, survives a reopen too. */
    bm_outbox_close(rig.ob);
    open_rig();
    assert_int_equal(queued(), 1);
    json_t *root = next_batch();
    check_sample_hour(json_array_get(json_object_get(root, "hours"), 0),
                      "2025-11-30T08:00:00+08:00");
    json_decref(root);
}

/* Runs sql on the outbox's database through a second connection (as a technician's tool). */
static void side_sql(const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(rig.db, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    char *err = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(h);
}

static void test_take_is_all_or_nothing(void **state)
{
    record_sample_hour(T0 + 60);
    size_t hours = 99;
    /* The item cannot be put: the counts stay as they were. */
    side_sql("CREATE TRIGGER refuse_usage BEFORE INSERT ON items WHEN NEW.kind = 'usage' "
             "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    assert_int_not_equal(bm_outbox_usage_take(rig.ob, 1000, &hours), BM_OK);
    assert_int_equal(hours, 0);
    assert_int_equal(queued(), 0);
    assert_int_equal(hours_counted(), 1);
    side_sql("DROP TRIGGER refuse_usage");
    /* The counts cannot be removed: the item put in the same transaction goes too. */
    side_sql("CREATE TRIGGER keep_counts BEFORE DELETE ON usage_errors "
             "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    assert_int_not_equal(bm_outbox_usage_take(rig.ob, 1000, &hours), BM_OK);
    assert_int_equal(queued(), 0);
    assert_int_equal(hours_counted(), 1);
    side_sql("DROP TRIGGER keep_counts");
    /* Now it goes, once, with the counts whole. */
    assert_int_equal(bm_outbox_usage_take(rig.ob, 1000, &hours), BM_OK);
    assert_int_equal(hours, 1);
    assert_int_equal(queued(), 1);
    assert_int_equal(hours_counted(), 0);
    json_t *root = next_batch();
    check_sample_hour(json_array_get(json_object_get(root, "hours"), 0),
                      "2025-11-30T08:00:00+08:00");
    json_decref(root);
}

/* Sums starts over every hour of every queued batch; counts batches and hours. */
static void drain(size_t *batches, size_t *hours, long long *starts, size_t *first_batch_hours)
{
    *batches = *hours = 0;
    *starts = 0;
    int64_t last_label_order = 0;
    while (queued() > 0) {
        json_t *root = next_batch();
        json_t *list = json_object_get(root, "hours");
        assert_true(json_array_size(list) >= 1 && json_array_size(list) <= BM_USAGE_BATCH_HOURS);
        if (*batches == 0)
            *first_batch_hours = json_array_size(list);
        size_t i;
        json_t *h;
        json_array_foreach(list, i, h)
        {
            /* Oldest first, across batches too: the labels (one offset) sort as times. */
            struct tm tm = {0};
            assert_non_null(
                strptime(json_string_value(json_object_get(h, "hour")), "%Y-%m-%dT%H:%M:%S", &tm));
            int64_t order = (int64_t)timegm(&tm);
            assert_true(order > last_label_order);
            last_label_order = order;
            size_t j;
            json_t *s;
            json_array_foreach(json_object_get(h, "services"), j, s) *starts += member(s, "starts");
        }
        *hours += json_array_size(list);
        (*batches)++;
        json_decref(root);
    }
}

static void test_168_hours_a_batch(void **state)
{
    for (int h = 0; h < 200; h++)
        record(used("elderly_allowance", T0 + h * 3600 + 59, true, 0, 45));
    assert_int_equal(hours_counted(), 200);
    size_t batches = 0, hours = 0, first = 0;
    assert_int_equal(bm_outbox_usage_take_all(rig.ob, 1000, &batches), BM_OK);
    assert_int_equal(batches, 2);
    assert_int_equal(hours_counted(), 0);
    long long starts = 0;
    drain(&batches, &hours, &starts, &first);
    assert_int_equal(batches, 2);
    assert_int_equal(first, BM_USAGE_BATCH_HOURS);
    assert_int_equal(hours, 200);
    assert_int_equal(starts, 200);
}

static void test_large_hours_split_by_size(void **state)
{
    /* 168 hours of 12 services: about 250 KiB as one body, over BM_USAGE_BODY_MAX. */
    for (int hour = 0; hour < BM_USAGE_BATCH_HOURS; hour++)
        for (int s = 0; s < 12; s++) {
            char id[16];
            snprintf(id, sizeof id, "service_%02d", s);
            record(used(id, T0 + hour * 3600, false, BM_USAGE_AT_GUIDE, 0));
        }
    size_t batches = 0, hours = 0, first = 0;
    assert_int_equal(bm_outbox_usage_take_all(rig.ob, 1000, &batches), BM_OK);
    assert_true(batches >= 2);
    long long starts = 0;
    drain(&batches, &hours, &starts, &first); /* each body at most BM_USAGE_BODY_MAX */
    assert_int_equal(hours, BM_USAGE_BATCH_HOURS);
    assert_int_equal(starts, BM_USAGE_BATCH_HOURS * 12);
}

int main(void)
{
    set_tz("CST-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_at_their_boundaries),
        cmocka_unit_test(test_hour_in_local_time),
        cmocka_unit_test(test_tracker),
        cmocka_unit_test(test_device_events),
        cmocka_unit_test_setup_teardown(test_bad_events_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_holds_the_documented_fields_and_sums, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_counts_survive_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_168_hours_a_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_hours_split_by_size, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
