/*
 * test_app_status.c - reading the centre's answer to a status GET and a receipt's scanned code
 * (services/sync_application_status.h): the state and when it was reached (from the history,
 * also when a state comes back), a state the kiosk does not know read as in review, the note
 * in both languages and cut at a character boundary, refusals of another application's answer
 * and of what is not an answer; application numbers with real dates only; the QR's URL with
 * and without its tracking token, and the Code 128 number.
 */
#include "test_support.h"

#include "services/sync_application_status.h"

#include <stdio.h>
#include <string.h>

#define NO "BM20261129000123"

static enum bm_err parse(const char *json, struct bm_app_status *st)
{
    return bm_app_status_parse(json, strlen(json), NO, st);
}

static void test_answer(void **state)
{
    (void)state;
    struct bm_app_status st;
    assert_int_equal(
        parse("{\"application_no\": \"" NO "\", \"service\": \"elderly_allowance\", \"state\": "
              "\"in_review\", \"created_at\": \"2026-11-29T18:30:12+08:00\", \"updated_at\": "
              "\"2026-12-02T10:00:00+08:00\", \"history\": [{\"state\": \"received\", \"at\": "
              "\"2026-11-29T18:31:40+08:00\"}, {\"state\": \"in_review\", \"at\": "
              "\"2026-11-30T09:12:00+08:00\"}, {\"state\": \"needs_more\", \"at\": "
              "\"2026-12-01T10:00:00+08:00\"}, {\"state\": \"in_review\", \"at\": "
              "\"2026-12-02T09:00:00+08:00\"}], \"future_member\": [1, 2]}",
              &st),
        BM_OK);
    assert_string_equal(st.number, NO);
    assert_string_equal(st.service, "elderly_allowance");
    assert_int_equal(st.state, BM_APP_IN_REVIEW);
    assert_int_equal(st.since, 1796173200); /* its last entry: 2026-12-02T01:00:00Z */
    assert_string_equal(st.note_zh, "");

    /* No history: the last update. A new state: in review. The note in both languages. */
    assert_int_equal(parse("{\"application_no\": \"" NO "\", \"state\": \"escalated\", "
                           "\"updated_at\": \"2026-12-01T02:00:00Z\", \"note\": {\"zh-CN\": "
                           "\"请补交户口簿。\", \"en\": \"Bring the register.\"}}",
                           &st),
                     BM_OK);
    assert_int_equal(st.state, BM_APP_IN_REVIEW);
    assert_int_equal(st.since, 1796090400);
    assert_string_equal(st.note_zh, "请补交户口簿。");
    assert_string_equal(st.note_en, "Bring the register.");
    assert_string_equal(bm_app_state_name(BM_APP_READY_FOR_PICKUP), "ready_for_pickup");

    /* A note longer than kept is cut between characters, never inside one. */
    char json[8000], note[5000];
    for (int i = 0; i < 1400; i++) /* 3 bytes each: 4200 */
        memcpy(note + 3 * i, "字", 3);
    note[3 * 1400] = '\0';
    snprintf(json, sizeof json,
             "{\"application_no\": \"" NO "\", \"state\": \"rejected\", \"updated_at\": "
             "\"2026-12-01T02:00:00Z\", \"note\": {\"zh-CN\": \"%s\"}}",
             note);
    assert_int_equal(parse(json, &st), BM_OK);
    assert_int_equal(st.state, BM_APP_REJECTED);
    size_t len = strlen(st.note_zh);
    assert_true(len > 1000 && len < BM_APP_NOTE_MAX && len % 3 == 0);
}

static void test_refusals(void **state)
{
    (void)state;
    struct bm_app_status st;
    const char *bad[] = {
        "",
        "not json",
        "[]",
        "{\"application_no\": \"BM20261129000124\", \"state\": \"received\", \"updated_at\": "
        "\"2026-12-01T02:00:00Z\"}", /* another application's */
        "{\"application_no\": \"" NO "\", \"updated_at\": \"2026-12-01T02:00:00Z\"}",
        "{\"application_no\": \"" NO "\", \"state\": \"received\"}",
        "{\"application_no\": \"" NO "\", \"state\": \"received\", \"updated_at\": \"yesterday\"}",
        "{\"application_no\": 7, \"state\": \"received\", \"updated_at\": "
        "\"2026-12-01T02:00:00Z\"}",
        "{\"application_no\": \"" NO "\", \"application_no\": \"" NO "\", \"state\": "
        "\"received\", \"updated_at\": \"2026-12-01T02:00:00Z\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&st, 0x55, sizeof st);
        if (parse(bad[i], &st) != BM_ERR_PARSE)
            fail_msg("accepted: %s", bad[i]);
        assert_string_equal(st.number, "");
        assert_non_null(strstr(bm_err_detail(), "status answer"));
    }
}

static void test_numbers_and_codes(void **state)
{
    (void)state;
    assert_true(bm_app_number_valid(NO));
    assert_true(bm_app_number_valid("BM20280229000001")); /* a leap day */
    const char *bad[] = {
        "BM2026112900012",  "BM202611290001234", "bm20261129000123", "BM20261131000123",
        "BM20270229000001", "BM19991129000123",  "BM2026112900012X", "",
        "XX20261129000123"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (bm_app_number_valid(bad[i]))
            fail_msg("'%s' taken as a number", bad[i]);

    char no[BM_APP_NUMBER_LEN + 1], token[BM_APP_TOKEN_MAX + 1];
    assert_true(bm_app_receipt_code(NO, no, token));
    assert_string_equal(no, NO);
    assert_string_equal(token, "");
    assert_true(bm_app_receipt_code("https://zwfw.example.gov.cn/q/" NO, no, token));
    assert_string_equal(no, NO);
    assert_true(bm_app_receipt_code("https://zwfw.example.gov.cn/q/" NO "?t=1WpBRGngWzE5jN-f8-YsyQ",
                                    no, token));
    assert_string_equal(token, "1WpBRGngWzE5jN-f8-YsyQ");
    const char *refused[] = {
        "http://zwfw.example.gov.cn/q/" NO,      /* not https */
        "https://zwfw.example.gov.cn/v/" NO,     /* the verification code of a document */
        "https://zwfw.example.gov.cn/q/" NO "x", /* more after the number */
        "https://zwfw.example.gov.cn/q/" NO "?t=",
        "https://zwfw.example.gov.cn/q/" NO "?t=a b",
        NO "?t=abc", /* a bare number has no token */
        "https://zwfw.example.gov.cn/q/BM20261131000123",
        "hello",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        if (bm_app_receipt_code(refused[i], no, token))
            fail_msg("'%s' taken as a receipt code", refused[i]);
        assert_string_equal(no, "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_numbers_and_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
