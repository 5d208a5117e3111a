/*
 * test_remote_settings.c - this kiosk's settings from the centre (remote_settings.h): the
 * API's test vector parses and lies over the config file; every key of the allow-list may be
 * set and no other; each value is checked as --set checks it; the header's rules (format,
 * version, revision, date, unknown members, duplicates, size) refuse with a reason.
 */
#include "test_support.h"

#include "services/remote_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The body of docs/central-api.md's test vector. */
static const char vector_body[] =
    "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"2026-11-29.1\","
    "\"published\":\"2026-11-29\",\"settings\":{\"kiosk\":{\"hotline\":\"0571-12345\"},"
    "\"session\":{\"timeout_s\":\"90\"}}}";

static struct bm_remote_settings *parse(const char *json, char *why, size_t size)
{
    struct bm_remote_settings *rs = NULL;
    enum bm_err err = bm_remote_settings_parse(json, strlen(json), why, size, &rs);
    assert_true((err == BM_OK) == (rs != NULL));
    return rs;
}

static char *with_settings(const char *settings)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"r1\","
             "\"published\":\"2026-11-29\",\"settings\":%s}",
             settings);
    return buf;
}

static void test_vector_lies_over_the_file(void **state)
{
    char why[300] = "";
    struct bm_remote_settings *rs = parse(vector_body, why, sizeof why);
    assert_non_null(rs);
    assert_string_equal(bm_remote_settings_revision(rs), "2026-11-29.1");
    assert_int_equal(bm_remote_settings_published(rs), 20261129);
    assert_int_equal(bm_remote_settings_count(rs), 2);
    struct bm_config *file = bm_config_defaults();
    assert_int_equal(bm_config_set(file, "kiosk", "hotline", "12345"), BM_OK);
    assert_int_equal(bm_config_set(file, "kiosk", "name", "本地"), BM_OK);
    assert_string_equal(bm_settings_str(rs, file, "kiosk", "hotline"), "0571-12345");
    assert_string_equal(bm_settings_str(rs, file, "kiosk", "name"), "本地");
    assert_int_equal(bm_settings_int(rs, file, "session", "timeout_s"), 90);
    assert_string_equal(bm_settings_str(NULL, file, "kiosk", "hotline"), "12345");
    bm_remote_settings_free(rs);
    bm_config_free(file);
}

static void test_allow_list(void **state)
{
    char why[300];
    struct bm_remote_settings *rs =
        parse(with_settings("{\"kiosk\":{\"name\":\"示范\",\"location\":\"一楼\",\"language\":"
                            "\"en\",\"hotline\":\"0571-1\"},\"session\":{\"timeout_s\":\"120\","
                            "\"countdown_s\":\"20\"},\"log\":{\"level\":\"debug\"},\"sync\":"
                            "{\"heartbeat_interval_s\":\"60\",\"usage_batch_s\":\"7200\"}}"),
              why, sizeof why);
    assert_non_null(rs);
    assert_int_equal(bm_remote_settings_count(rs), 9);
    bm_remote_settings_free(rs);
    assert_non_null(rs = parse(with_settings("{}"), why, sizeof why)); /* "none" is a document */
    assert_int_equal(bm_remote_settings_count(rs), 0);
    bm_remote_settings_free(rs);

    static const char *const forbidden[] = {
        "{\"central\":{\"url\":\"https://x.example\"}}",
        "{\"central\":{\"signing_public_key\":\"/tmp/k\"}}",
        "{\"kiosk\":{\"id\":\"OTHER\"}}",
        "{\"sync\":{\"outbox\":\"/tmp/o.db\"}}",
        "{\"devices\":{\"id_reader\":\"none\"}}",
        "{\"nosuch\":{\"key\":\"1\"}}",
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++) {
        why[0] = '\0';
        assert_null(parse(with_settings(forbidden[i]), why, sizeof why));
        assert_non_null(strstr(why, "not a key the centre may set"));
    }
    /* The last of the allow-list, checked against its range as --set does. */
    assert_non_null(
        rs = parse(with_settings("{\"sync\":{\"usage_batch_s\":\"600\"}}"), why, sizeof why));
    assert_int_equal(bm_settings_int(rs, NULL, "sync", "usage_batch_s"), 600);
    bm_remote_settings_free(rs);
    assert_null(parse(with_settings("{\"sync\":{\"usage_batch_s\":\"60\"}}"), why, sizeof why));
}

static void test_values_checked_as_set(void **state)
{
    char why[300];
    static const char *const bad[] = {
        "{\"session\":{\"timeout_s\":\"5\"}}",      /* below 15 */
        "{\"session\":{\"timeout_s\":\"ninety\"}}", /* not a number */
        "{\"kiosk\":{\"language\":\"fr\"}}",        /* not a choice */
        "{\"kiosk\":{\"hotline\":\"call us\"}}",    /* digits and - only */
        "{\"log\":{\"level\":\"loud\"}}",           /* not a level */
        "{\"session\":{\"timeout_s\":90}}",         /* a number, not a string */
        "{\"session\":\"timeout_s\"}",              /* not an object */
        "{\"kiosk\":{\"name\":\"a\\nb\"}}",         /* a control character */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = '\0';
        assert_null(parse(with_settings(bad[i]), why, sizeof why));
        assert_true(strlen(why) > 0);
    }
}

static void test_header_rules(void **state)
{
    char why[300];
    static const char *const bad[] = {
        "[]",
        "{\"format\":\"bianmin-notices\",\"format_version\":1,\"revision\":\"r\","
        "\"published\":\"2026-11-29\",\"settings\":{}}",
        "{\"format\":\"bianmin-settings\",\"format_version\":2,\"revision\":\"r\","
        "\"published\":\"2026-11-29\",\"settings\":{}}",
        "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"a b\","
        "\"published\":\"2026-11-29\",\"settings\":{}}",
        "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"r\","
        "\"published\":\"2026-02-30\",\"settings\":{}}",
        "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"r\","
        "\"published\":\"2026-11-29\",\"settings\":{},\"extra\":1}",
        "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"r\","
        "\"published\":\"2026-11-29\",\"settings\":{\"kiosk\":{\"name\":\"a\",\"name\":\"b\"}}}",
        "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"r\","
        "\"published\":\"2026-11-29\"}",
        "{\"format\":\"bianmin-settings\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = '\0';
        assert_null(parse(bad[i], why, sizeof why));
        assert_true(strlen(why) > 0);
    }
    size_t big = 70 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    memcpy(huge, vector_body, strlen(vector_body));
    assert_null(parse(huge, why, sizeof why));
    assert_non_null(strstr(why, "64 KiB"));
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_lies_over_the_file),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_values_checked_as_set),
        cmocka_unit_test(test_header_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
