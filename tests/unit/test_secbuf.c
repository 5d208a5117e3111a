/*
 * test_secbuf.c - secure buffers: capacity caps, content and NUL, wipe and wipe_all zero the
 * bytes, the registry counts live buffers, and a refused mlock is not an error. Job buffers:
 * kept out of core dumps like the others (/proc/self/smaps says so), counted, spared by the
 * session wipe, zeroed by their own wipe.
 */
#include "test_support.h"

#include "core/secbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * The VmFlags of the mapping holding p, from /proc/self/smaps (e.g. "rd wr mr mw me dd wf");
 * false if not found.
 */
static bool vm_flags(const void *p, char *out, size_t size)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return false;
    char line[512];
    bool inside = false, found = false;
    uintptr_t a = (uintptr_t)p;
    while (!found && fgets(line, sizeof line, f)) {
        uintmax_t lo, hi;
        if (sscanf(line, "%jx-%jx ", &lo, &hi) == 2) {
            inside = a >= lo && a < hi;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out, size, "%.*s", (int)size - 1, line + 8);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static bool has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *c = strstr(flags, flag); c; c = strstr(c + 1, flag))
        if ((c == flags || c[-1] == ' ') && (c[n] == ' ' || c[n] == '\n' || c[n] == '\0'))
            return true;
    return false;
}

static void test_job_buffers(void **state)
{
    (void)state;
    size_t live = bm_secbuf_live_count(), jobs = bm_secbuf_job_count();
    assert_null(bm_secbuf_new_for_job(0));
    assert_null(bm_secbuf_new_for_job(BM_SECBUF_MAX + 1));
    assert_int_equal(bm_secbuf_live_count(), live);
    assert_int_equal(bm_secbuf_job_count(), jobs);

    /* A receipt raster (several pages) printing while the session ends, and the session's own
     * data. */
    const size_t size = 3 * 4096 + 100;
    unsigned char *raster = malloc(size);
    assert_non_null(raster);
    for (size_t i = 0; i < size; i++)
        raster[i] = (unsigned char)(i * 7 + 1);
    struct bm_secbuf *job = bm_secbuf_new_for_job(size);
    struct bm_secbuf *name = bm_secbuf_strdup("张三");
    assert_non_null(job);
    assert_non_null(name);
    assert_int_equal(bm_secbuf_assign(job, raster, size), BM_OK);
    assert_true(bm_secbuf_is_job(job));
    assert_false(bm_secbuf_is_job(name));
    assert_false(bm_secbuf_is_job(NULL));
    assert_int_equal(bm_secbuf_live_count(), live + 2);
    assert_int_equal(bm_secbuf_job_count(), jobs + 1);

    /* Out of core dumps, like every secure buffer. */
    char flags[256];
    assert_true(vm_flags(bm_secbuf_cdata(job), flags, sizeof flags));
    if (!has_flag(flags, "dd"))
        fail_msg("job buffer not excluded from core dumps: VmFlags %s", flags);
    /* (Not "lo": whether mlock is allowed depends on RLIMIT_MEMLOCK, and AddressSanitizer
     * turns mlock into a no-op that reports success.) */
    assert_true(vm_flags(bm_secbuf_cdata(name), flags, sizeof flags));
    assert_true(has_flag(flags, "dd"));

    /* The session wipe zeroes the session's data and leaves the job's alone. */
    size_t wiped = bm_secbuf_wipe_all();
    assert_int_equal(wiped, live + 1 - jobs);
    assert_int_equal(bm_secbuf_len(name), 0);
    assert_true(all_zero(bm_secbuf_cdata(name), bm_secbuf_capacity(name) + 1));
    assert_int_equal(bm_secbuf_len(job), size);
    assert_memory_equal(bm_secbuf_cdata(job), raster, size);

    /* Its own wipe does zero it. */
    bm_secbuf_wipe(job);
    assert_int_equal(bm_secbuf_len(job), 0);
    assert_true(all_zero(bm_secbuf_cdata(job), size + 1));

    bm_secbuf_free(job);
    bm_secbuf_free(name);
    free(raster);
    assert_int_equal(bm_secbuf_live_count(), live);
    assert_int_equal(bm_secbuf_job_count(), jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_caps),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_wipe_all),
        cmocka_unit_test(test_job_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
