/*
 * test_progress_query.c - the progress query end to end: the real flow in this process
 * (tests/support/flow_rig.c), its sync worker talking TLS to the reference central service.
 * A resident taps the home screen's progress entry, types the number on the digit pad by its
 * elements (progress.key.N, as a journey would) and asks; the answer comes from the centre:
 * the state and the case worker's note; "not arrived yet" for a number it does not hold; an
 * error for a garbled answer; busy for a 429 (and no request while the centre said to wait);
 * out of reach once the centre is down; and, past the kiosk's own limit, busy without asking.
 * The tap that asks returns at once even while the centre is slow: the query never runs on the
 * main thread.
 */
#include "flow_rig.h"
#include "test_support.h"

#include "core/loop.h"
#include "drivers/sim/sim.h"
#include "flow/flow_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static struct flow_rig rig;
static bool rig_started;

static int setup(void **state)
{
    (void)state;
    flow_rig_start(&rig, "progress-query");
    rig_started = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (rig_started)
        flow_rig_stop(&rig);
    rig_started = false;
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A query asked and answered (the scanner's code arrives through the device's worker). */
static bool settled(void *ud)
{
    (void)ud;
    enum bm_progress_phase p = rig.flow->progress.phase;
    return p != BM_PROGRESS_ENTRY && p != BM_PROGRESS_QUERYING;
}

static void tap(const char *name)
{
    if (bm_flow_tap(rig.flow, name) != BM_OK)
        fail_msg("tap %s: %s", name, bm_err_detail());
}

/* Clears the field and types the 14 digits after "BM" key by key. */
static void type_number(const char *number)
{
    assert_int_equal(rig.flow->progress.phase, BM_PROGRESS_ENTRY);
    while (rig.flow->progress.field.len)
        tap("progress.key.backspace");
    for (const char *d = number + 2; *d; d++) {
        char key[32];
        snprintf(key, sizeof key, "progress.key.%c", *d);
        tap(key);
    }
    assert_string_equal(rig.flow->progress.field.text, number + 2);
}

static bool answered(void *ud)
{
    (void)ud;
    return rig.flow->progress.phase != BM_PROGRESS_QUERYING;
}

/* Taps the query button (or the way on of a trouble card) and waits for the answer. */
static enum bm_progress_phase ask(const char *button)
{
    double t0 = now_ms();
    tap(button);
    double took = now_ms() - t0;
    if (took > 1000) /* the request runs on the sync worker; a tap only hands it over */
        fail_msg("tapping %s took %.0f ms", button, took);
    if (!bm_loop_run_until(answered, NULL, 60000))
        fail_msg("no answer to the query in 60 s");
    bm_loop_run_until(answered, NULL, 50); /* the frame with the answer */
    return rig.flow->progress.phase;
}

static void wait_ms(unsigned ms)
{
    flow_rig_run_ms(&rig, ms);
}

static long status_gets(void)
{
    return central_db_int(&rig.central,
                          "SELECT count(*) FROM requests WHERE method='GET' AND path LIKE "
                          "'/v1/applications/%'");
}

static void test_query_end_to_end(void **state)
{
    (void)state;
    /* An application the kiosk sent, moved on by a case worker. */
    flow_rig_submit(&rig, 1, 1, 2000);
    assert_true(flow_rig_run_until_delivered(&rig, 120000));
    const char *no = "BM20261130000001";
    central_set_state(&rig.central, "DEMO-0001", no,
                      "{\"state\": \"needs_more\", \"note\": {\"zh-CN\": "
                      "\"户口簿照片不清晰，请到村便民服务点补交。\", \"en\": \"The household "
                      "register scan is unreadable.\"}}");

    tap("home.quick.progress");
    assert_int_equal(rig.flow->screen, BM_FLOW_PROGRESS);
    assert_true(rig.flow->progress.keyboard);
    tap("progress.key.9"); /* a slip, corrected */
    tap("progress.key.backspace");
    assert_int_equal(rig.flow->progress.field.len, 0);
    type_number(no);
    /* The pad takes no 15th digit. */
    assert_int_equal(bm_flow_tap(rig.flow, "progress.key.1"), BM_ERR_NOT_FOUND);

    /* A slow centre: the answer takes 2 s, the tap does not. */
    central_fault(&rig.central, "{\"method\": \"GET\", \"path\": \"/v1/applications/\", "
                                "\"kind\": \"slow\", \"delay_s\": 2}");
    double t0 = now_ms();
    tap("progress.query");
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(rig.flow->progress.phase, BM_PROGRESS_QUERYING);
    wait_ms(300);
    assert_int_equal(rig.flow->progress.phase, BM_PROGRESS_QUERYING); /* still asking */
    assert_true(bm_loop_run_until(answered, NULL, 60000));
    assert_int_equal(rig.flow->progress.phase, BM_PROGRESS_FOUND);
    assert_int_equal(rig.flow->progress.status.state, BM_APP_NEEDS_MORE);
    assert_string_equal(rig.flow->progress.status.number, no);
    assert_string_equal(rig.flow->progress.status.service, "household_certificate");
    assert_string_equal(rig.flow->progress.status.note_zh,
                        "户口簿照片不清晰，请到村便民服务点补交。");
    assert_true(rig.flow->progress.status.since > 0);
    wait_ms(100); /* the frame with the answer */

    /* A number the centre does not hold: not arrived yet. */
    tap("progress.edit");
    assert_int_equal(rig.flow->progress.field.len, 0); /* "another number" starts afresh */
    type_number("BM20261130999999");
    assert_int_equal(ask("progress.query"), BM_PROGRESS_NOT_FOUND);

    /* A 200 that is not JSON: the error state, and the way on is to try again. */
    central_fault(&rig.central, "{\"method\": \"GET\", \"path\": \"/v1/applications/\", "
                                "\"kind\": \"malformed\"}");
    tap("progress.edit"); /* "check the number": the digits stay */
    assert_int_equal(rig.flow->progress.field.len, 14);
    type_number(no);
    assert_int_equal(ask("progress.query"), BM_PROGRESS_ERROR);

    /* 429: busy, with the centre's wait; while it lasts no status GET goes out. */
    central_fault(&rig.central, "{\"method\": \"GET\", \"path\": \"/v1/applications/\", "
                                "\"kind\": \"status\", \"status\": 429, \"retry_after\": 3}");
    assert_int_equal(ask("progress.retry"), BM_PROGRESS_BUSY);
    assert_true(rig.flow->progress.retry_after_s >= 3 && rig.flow->progress.retry_after_s <= 4);
    long gets = status_gets();
    assert_int_equal(ask("progress.retry"), BM_PROGRESS_BUSY);
    assert_int_equal(status_gets(), gets);
    wait_ms(4500); /* past the wait: the centre answers again */
    assert_int_equal(ask("progress.retry"), BM_PROGRESS_FOUND);
}

/* The receipt's QR code held under the scanner: the number is filled in and asked at once. */
static void test_scanned_receipt(void **state)
{
    (void)state;
    tap("progress.home");
    tap("home.quick.progress");
    struct bm_device *scanner = bm_devices_get(rig.flow->devices, BM_CLASS_BARCODE);
    assert_non_null(scanner);
    assert_true(rig.flow->progress.scanning);
    wait_ms(5500); /* a query of the kiosk's own limit is free again */

    assert_int_equal(bm_sim_barcode_scan(scanner, "not a receipt"), BM_OK);
    wait_ms(500);
    assert_int_equal(rig.flow->progress.phase, BM_PROGRESS_ENTRY); /* ignored */
    assert_int_equal(rig.flow->progress.field.len, 0);

    assert_int_equal(
        bm_sim_barcode_scan(
            scanner, "https://zwfw.example.gov.cn/q/BM20261130000001?t=1WpBRGngWzE5jN-f8-YsyQ"),
        BM_OK);
    if (!bm_loop_run_until(settled, NULL, 60000))
        fail_msg("the scanned code brought no answer in 60 s");
    assert_string_equal(rig.flow->progress.field.text, "20261130000001");
    assert_int_equal(rig.flow->progress.phase, BM_PROGRESS_FOUND);
    assert_int_equal(rig.flow->progress.status.state, BM_APP_NEEDS_MORE);
    tap("progress.home"); /* leaving turns the scanner off again */
    assert_false(rig.flow->progress.scanning);
}

static void test_centre_down(void **state)
{
    (void)state;
    /* Coming back starts afresh. */
    assert_int_equal(rig.flow->screen, BM_FLOW_HOME);
    tap("home.quick.progress");
    assert_int_equal(rig.flow->progress.field.len, 0);
    type_number("BM20261130000001");

    central_stop(&rig.central);
    wait_ms(5500); /* a query of the kiosk's own limit is free again, whatever came before */
    assert_int_equal(ask("progress.query"), BM_PROGRESS_OFFLINE);
    /* Asked again and again: out of reach each time, until the kiosk's own limit (a burst of
     * 6, then one every 5 s) says to wait without asking at all. */
    enum bm_progress_phase p = BM_PROGRESS_OFFLINE;
    int asked = 1;
    while (p == BM_PROGRESS_OFFLINE && asked < 12) {
        p = ask("progress.retry");
        asked++;
    }
    assert_int_equal(p, BM_PROGRESS_BUSY);
    assert_true(asked <= 8);
    assert_true(rig.flow->progress.retry_after_s >= 1 && rig.flow->progress.retry_after_s <= 6);
    tap("progress.back");
    assert_int_equal(rig.flow->screen, BM_FLOW_HOME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_end_to_end),
        cmocka_unit_test(test_scanned_receipt),
        cmocka_unit_test(test_centre_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
