/*
 * test_i18n.c - the compiled catalogues load and the language switches at run time.
 */
#include "test_support.h"

#include "core/i18n.h"
#include "core/paths.h"

#include <string.h>

static void test_switch_language(void **state)
{
    assert_int_equal(bm_i18n_init(BM_LOCALEDIR_BUILD, "zh_CN"), BM_OK);
    assert_string_equal(bm_i18n_language(), "zh_CN");
    assert_string_equal(_("Touch the screen to start"), "轻触屏幕 开始办事");

    assert_int_equal(bm_i18n_set_language("en"), BM_OK);
    assert_string_equal(_("Touch the screen to start"), "Touch the screen to start");

    assert_int_equal(bm_i18n_set_language("zh_CN"), BM_OK);
    assert_string_equal(_("Touch the screen to start"), "轻触屏幕 开始办事");
}

static void test_unknown_language_is_refused(void **state)
{
    assert_int_equal(bm_i18n_init(BM_LOCALEDIR_BUILD, "zh_CN"), BM_OK);
    assert_int_equal(bm_i18n_set_language("fr"), BM_ERR_INVALID_ARG);
    assert_string_equal(bm_i18n_language(), "zh_CN");
    assert_int_equal(bm_i18n_init("/nonexistent", "zh_CN"), BM_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_language),
        cmocka_unit_test(test_unknown_language_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
