/*
 * test_input_field.c - the input-field model behind the on-screen keyboards: length in
 * characters, UTF-8 handling, backspace by character, the validator, wiping, and the ID-number
 * rules (17 digits, then a digit or X; the check character).
 */
#include "test_support.h"

#include "ui/input_field.h"

#include <string.h>

static void test_text_and_backspace(void **state)
{
    (void)state;
    struct bm_input_field f;
    bm_input_init(&f, 4, NULL);
    assert_true(bm_input_insert(&f, "张"));
    assert_true(bm_input_insert(&f, "三a"));
    assert_string_equal(f.text, "张三a");
    assert_int_equal(f.chars, 3);
    assert_int_equal(f.len, strlen("张三a"));
    assert_false(bm_input_insert(&f, "你好")); /* 5 characters: refused whole */
    assert_string_equal(f.text, "张三a");
    assert_true(bm_input_insert(&f, "丰"));
    assert_false(bm_input_insert(&f, "b"));
    assert_true(bm_input_backspace(&f));
    assert_true(bm_input_backspace(&f));
    assert_string_equal(f.text, "张三");
    assert_true(bm_input_backspace(&f));
    assert_true(bm_input_backspace(&f));
    assert_false(bm_input_backspace(&f));
    assert_string_equal(f.text, "");
    assert_int_equal(f.chars, 0);
    /* Not UTF-8, or empty: refused. */
    assert_false(bm_input_insert(&f, "\xe5\xbc"));
    assert_false(bm_input_insert(&f, "\xc0\x80"));
    assert_false(bm_input_insert(&f, "\xed\xa0\x80"));
    assert_false(bm_input_insert(&f, ""));
    assert_int_equal(f.len, 0);
    /* 0 means as many as the buffer holds in the worst case. */
    bm_input_init(&f, 0, NULL);
    assert_int_equal(f.max_chars, BM_INPUT_MAX_BYTES / 4 - 1);
    for (size_t i = 0; i < f.max_chars; i++)
        assert_true(bm_input_insert(&f, "\xf0\x9f\x98\x80"));
    assert_false(bm_input_insert(&f, "a"));
    assert_int_equal(strlen(f.text), f.len);
}

static void test_wipe(void **state)
{
    (void)state;
    struct bm_input_field f;
    bm_input_init(&f, 18, bm_input_id_number_prefix);
    assert_true(bm_input_insert(&f, "1101011990"));
    bm_input_wipe(&f);
    assert_int_equal(f.len, 0);
    assert_int_equal(f.chars, 0);
    for (size_t i = 0; i < sizeof f.text; i++)
        assert_int_equal(f.text[i], 0);
    assert_int_equal(f.max_chars, 18);
    assert_ptr_equal(f.validator, bm_input_id_number_prefix);
}

static void test_digits(void **state)
{
    (void)state;
    struct bm_input_field f;
    bm_input_init(&f, 6, bm_input_digits_only);
    assert_true(bm_input_insert(&f, "0123"));
    assert_false(bm_input_insert(&f, "X"));
    assert_false(bm_input_insert(&f, "一"));
    assert_true(bm_input_insert(&f, "45"));
    assert_false(bm_input_insert(&f, "6"));
    assert_string_equal(f.text, "012345");
}

/* The ID pad: 17 digits, then a digit or X, nothing more; X nowhere else. */
static void test_id_number_pad_rules(void **state)
{
    (void)state;
    struct bm_input_field f;
    bm_input_init(&f, 18, bm_input_id_number_prefix);
    assert_false(bm_input_id_number_x_allowed(&f));
    assert_false(bm_input_insert(&f, "X"));
    for (int i = 0; i < 16; i++) {
        assert_true(bm_input_insert(&f, "1"));
        assert_false(bm_input_id_number_x_allowed(&f));
        assert_false(bm_input_insert(&f, "X"));
    }
    assert_true(bm_input_insert(&f, "0"));
    assert_int_equal(f.chars, 17);
    assert_true(bm_input_id_number_x_allowed(&f));
    assert_false(bm_input_insert(&f, "x")); /* lowercase is not the pad's X */
    assert_false(bm_input_insert(&f, "A"));
    assert_true(bm_input_insert(&f, "X"));
    assert_false(bm_input_id_number_x_allowed(&f));
    assert_false(bm_input_insert(&f, "1")); /* 19th */
    assert_false(bm_input_insert(&f, "X"));
    assert_true(bm_input_backspace(&f));
    assert_true(bm_input_insert(&f, "7"));
    assert_int_equal(f.chars, 18);
    /* Pasting a whole number follows the same rules. */
    bm_input_init(&f, 18, bm_input_id_number_prefix);
    assert_false(bm_input_insert(&f, "11010119900307X51"));
    assert_true(bm_input_insert(&f, "11010519491231002X"));
    assert_true(bm_input_id_number_complete(f.text));
}

static void test_id_number_check_character(void **state)
{
    (void)state;
    /* The GB 11643 example and a few computed by hand. */
    assert_true(bm_input_id_number_complete("11010519491231002X"));
    assert_false(bm_input_id_number_complete("110105194912310021"));
    assert_true(bm_input_id_number_complete("440524188001010014"));
    assert_false(bm_input_id_number_complete("44052418800101001"));   /* 17 */
    assert_false(bm_input_id_number_complete("4405241880010100145")); /* 19 */
    assert_false(bm_input_id_number_complete("44052418800101001x"));
    assert_false(bm_input_id_number_complete(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_backspace),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_id_number_pad_rules),
        cmocka_unit_test(test_id_number_check_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
