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

#include "core/config.h"
#include "core/loop.h"
#include "core/paths.h"
#include "drivers/sim/sim.h"
#include "flow/flow_internal.h"

#include <stdio.h>
#include <stdlib.h>
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
    fprintf(stderr, "progress query: the tap took %.2f ms, the answer came after %.0f ms\n", took,
            now_ms() - t0);
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
    /* The shared bar's switches work here as on home, and the resident stays on the screen. */
    bool voice = rig.flow->voice_on;
    enum bm_lang lang = rig.flow->lang;
    tap("progress.voice");
    assert_true(rig.flow->voice_on != voice);
    tap("progress.voice");
    assert_true(rig.flow->voice_on == voice);
    tap("progress.language");
    assert_true(rig.flow->lang != lang);
    tap("progress.language");
    assert_int_equal(rig.flow->lang, lang);
    assert_int_equal(rig.flow->screen, BM_FLOW_PROGRESS);
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
    /* With voice guidance on, the answer is read out once it comes. */
    assert_non_null(rig.flow->voice);
    bm_flow_set_voice(rig.flow, true);
    struct bm_voice_stats before, after;
    bm_voice_get_stats(rig.flow->voice, &before);
    tap("progress.edit");
    type_number("BM20261130000001");
    ask("progress.query"); /* found, or busy for the kiosk's own limit: spoken either way */
    bm_voice_get_stats(rig.flow->voice, &after);
    assert_true(after.requested == before.requested + 1);
    bm_flow_set_voice(rig.flow, false);
    char spoken[800];
    struct bm_progress_vm vm = {.lang = BM_LANG_ZH_CN,
                                .phase = BM_PROGRESS_FOUND,
                                .result = {.state = BM_PROGRESS_NEEDS_MORE, .note = "secret"}};
    bm_progress_screen_spoken(rig.flow->ui, &vm, spoken, sizeof spoken);
    assert_non_null(strstr(spoken, "需补充材料"));
    assert_null(strstr(spoken, "secret")); /* the note is shown, not spoken */

    tap("progress.home"); /* leaving turns the scanner off again */
    assert_false(rig.flow->progress.scanning);
}

/* ---- another kiosk asks with the receipt's tracking token ---- */

static struct bm_app_query other_answer;
static bool other_answered;

static void on_other_answer(const struct bm_app_query *q, void *ud)
{
    (void)ud;
    other_answer = *q;
    other_answered = true;
}

static bool other_done(void *ud)
{
    (void)ud;
    return other_answered;
}

static bool received(void *ud)
{
    return central_db_int(&rig.central, (const char *)ud) == 1;
}

static bool other_running(void *ud)
{
    struct bm_sync_service_status st;
    bm_sync_service_status(ud, &st);
    return st.running;
}

static enum bm_app_outcome ask_other(struct bm_sync_service *svc, const char *no, const char *token)
{
    other_answered = false;
    assert_int_equal(bm_sync_service_query_status(svc, no, token, on_other_answer, NULL), BM_OK);
    if (!bm_loop_run_until(other_done, NULL, 60000))
        fail_msg("the other kiosk got no answer in 60 s");
    return other_answer.outcome;
}

static void test_token_from_another_kiosk(void **state)
{
    (void)state;
    /* An application of this kiosk whose receipt carries a tracking token. */
    const char *no = "BM20261130000777";
    static const char json[] =
        "{\"application_no\": \"BM20261130000777\", \"service\": \"household_certificate\", "
        "\"catalog_revision\": \"2026-11-20.1\", \"created_at\": \"2026-11-30T09:00:00+08:00\", "
        "\"language\": \"zh_CN\", \"tracking_token\": \"1WpBRGngWzE5jN-f8-YsyQ\", "
        "\"applicant\": {\"identified_by\": \"none\"}, \"fields\": {}, \"materials\": "
        "[{\"material\": \"hukou\", \"pages\": 1}]}";
    static const unsigned char page[] = {0xFF, 0xD8, 0xFF, 0xD9};
    struct bm_sync_file file = {"hukou-1", "image/jpeg", page, sizeof page};
    struct bm_sync_application a = {no, json, strlen(json), &file, 1};
    assert_int_equal(bm_sync_service_enqueue(rig.flow->sync, &a, NULL, NULL), BM_OK);
    const char *sql =
        "SELECT count(*) FROM applications WHERE no='BM20261130000777' AND state='received'";
    if (!bm_loop_run_until(received, (void *)sql, 120000))
        fail_msg("the application did not reach the centre in 120 s");

    /* Another kiosk of the same centre: its own certificate, outbox and sync worker. */
    char cmd[8400], path[4300];
    snprintf(cmd, sizeof cmd, "python3 -B %s %s --kiosk DEMO-0001 --kiosk DEMO-0002 >/dev/null",
             bm_test_source_path("tests/central/make_pki.py"), rig.dir);
    assert_int_equal(system(cmd), 0);
    struct bm_config *cfg;
    assert_int_equal(bm_config_load(bm_paths_default_config(), &cfg), BM_OK);
    assert_int_equal(bm_config_set(cfg, "kiosk", "id", "DEMO-0002"), BM_OK);
    assert_int_equal(bm_config_set(cfg, "central", "url", rig.central.url), BM_OK);
    assert_int_equal(
        bm_config_set(cfg, "central", "ca_bundle", central_file(&rig.central, "ca.pem")), BM_OK);
    snprintf(path, sizeof path, "%s/kiosk-DEMO-0002.crt", rig.dir);
    assert_int_equal(bm_config_set(cfg, "central", "client_cert", path), BM_OK);
    snprintf(path, sizeof path, "%s/kiosk-DEMO-0002.key", rig.dir);
    assert_int_equal(bm_config_set(cfg, "central", "client_key", path), BM_OK);
    snprintf(path, sizeof path, "%s/other-outbox.db", rig.dir);
    assert_int_equal(bm_config_set(cfg, "sync", "outbox", path), BM_OK);
    snprintf(path, sizeof path, "%s/other-outbox.key", rig.dir);
    assert_int_equal(bm_config_set(cfg, "sync", "key_file", path), BM_OK);
    struct bm_sync_service *other = NULL;
    assert_int_equal(bm_sync_service_create(cfg, NULL, NULL, &other), BM_OK);
    assert_non_null(other);
    assert_true(bm_loop_run_until(other_running, other, 60000));

    /* Without the token the number is not confirmed; with it, the state. */
    assert_int_equal(ask_other(other, no, NULL), BM_APP_NOT_FOUND);
    assert_int_equal(ask_other(other, no, "1WpBRGngWzE5jN-f8-YsyQ"), BM_APP_FOUND);
    assert_int_equal(other_answer.status.state, BM_APP_RECEIVED);
    assert_string_equal(other_answer.status.number, no);
    assert_int_equal(ask_other(other, no, "xxxxxxxxxxxxxxxxxxxxxx"), BM_APP_NOT_FOUND);
    /* Not a number: refused before the worker, no callback. */
    assert_int_equal(bm_sync_service_query_status(other, "BM2026", NULL, on_other_answer, NULL),
                     BM_ERR_INVALID_ARG);
    assert_int_equal(bm_sync_service_query_status(NULL, no, NULL, on_other_answer, NULL),
                     BM_ERR_STATE);
    bm_sync_service_destroy(other);
    bm_config_free(cfg);
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
        cmocka_unit_test(test_token_from_another_kiosk),
        cmocka_unit_test(test_centre_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
