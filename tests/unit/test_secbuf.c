/*
 * test_secbuf.c - secure buffers: capacity caps, content and NUL, wipe and wipe_all zero the
 * bytes, the registry counts live buffers, and a refused mlock is not an error.
 */
#include "test_support.h"

#include "core/secbuf.h"

#include <string.h>

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void test_new_and_caps(void **state)
{
    (void)state;
    size_t before = bm_secbuf_live_count();
    assert_null(bm_secbuf_new(0));
    assert_null(bm_secbuf_new(BM_SECBUF_MAX + 1));
    assert_int_equal(bm_secbuf_live_count(), before);

    struct bm_secbuf *b = bm_secbuf_new(16);
    assert_non_null(b);
    assert_int_equal(bm_secbuf_capacity(b), 16);
    assert_int_equal(bm_secbuf_len(b), 0);
    assert_true(all_zero(bm_secbuf_cdata(b), 17));
    assert_int_equal(bm_secbuf_live_count(), before + 1);

    assert_int_equal(bm_secbuf_assign(b, "0123456789abcdefX", 17), BM_ERR_NO_MEMORY);
    assert_int_equal(bm_secbuf_assign(b, "0123456789abcdef", 16), BM_OK);
    assert_string_equal(bm_secbuf_str(b), "0123456789abcdef"); /* NUL kept after len */
    assert_int_equal(bm_secbuf_set_len(b, 17), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_secbuf_set_len(b, 4), BM_OK);
    assert_string_equal(bm_secbuf_str(b), "0123");

    /* A shorter assignment leaves nothing of the longer old content. */
    assert_int_equal(bm_secbuf_assign(b, "0123456789abcdef", 16), BM_OK);
    assert_int_equal(bm_secbuf_assign(b, "xy", 2), BM_OK);
    assert_true(all_zero(bm_secbuf_cdata(b) + 2, 15));

    /* Locked or not depends on RLIMIT_MEMLOCK; either way the buffer works. */
    (void)bm_secbuf_locked(b);
    bm_secbuf_free(b);
    assert_int_equal(bm_secbuf_live_count(), before);
    bm_secbuf_free(NULL);
}

static void test_wipe(void **state)
{
    (void)state;
    struct bm_secbuf *b = bm_secbuf_strdup("11010519491231002X");
    assert_non_null(b);
    assert_int_equal(bm_secbuf_len(b), 18);
    assert_string_equal(bm_secbuf_str(b), "11010519491231002X");
    const unsigned char *data = bm_secbuf_cdata(b);
    size_t cap = bm_secbuf_capacity(b);
    bm_secbuf_wipe(b);
    assert_int_equal(bm_secbuf_len(b), 0);
    assert_true(all_zero(data, cap + 1));
    assert_string_equal(bm_secbuf_str(b), "");
    /* Still usable after a wipe. */
    assert_int_equal(bm_secbuf_assign(b, "abc", 3), BM_OK);
    assert_string_equal(bm_secbuf_str(b), "abc");
    bm_secbuf_free(b);

    struct bm_secbuf *empty = bm_secbuf_strdup("");
    assert_non_null(empty);
    assert_string_equal(bm_secbuf_str(empty), "");
    bm_secbuf_free(empty);
    assert_null(bm_secbuf_strdup(NULL));
}

static void test_wipe_all(void **state)
{
    (void)state;
    size_t before = bm_secbuf_live_count();
    struct bm_secbuf *bufs[5];
    const char *values[5] = {"张三", "13812345678", "11010519491231002X", "幸福街道1号",
                             "110105491231002"};
    for (int i = 0; i < 5; i++) {
        bufs[i] = bm_secbuf_strdup(values[i]);
        assert_non_null(bufs[i]);
    }
    /* A large one, too: a scan-sized buffer over any default RLIMIT_MEMLOCK. */
    struct bm_secbuf *big = bm_secbuf_new(8 * 1024 * 1024);
    assert_non_null(big);
    memset(bm_secbuf_data(big), 0xA5, 8 * 1024 * 1024);
    assert_int_equal(bm_secbuf_set_len(big, 8 * 1024 * 1024), BM_OK);
    assert_int_equal(bm_secbuf_live_count(), before + 6);

    assert_int_equal(bm_secbuf_wipe_all(), before + 6);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(bm_secbuf_len(bufs[i]), 0);
        assert_true(all_zero(bm_secbuf_cdata(bufs[i]), bm_secbuf_capacity(bufs[i]) + 1));
    }
    assert_true(all_zero(bm_secbuf_cdata(big), 8 * 1024 * 1024));
    for (int i = 0; i < 5; i++)
        bm_secbuf_free(bufs[i]);
    bm_secbuf_free(big);
    assert_int_equal(bm_secbuf_live_count(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_caps),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_wipe_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
