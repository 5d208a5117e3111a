/*
 * test_files.c - crash-safe small files (core/files.h): a replace leaves the new content and no
 * temporary file, a failed one leaves the old content; writes never follow a symlink; the
 * directory sync reports a missing directory.
 */
#include "test_support.h"

#include "core/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_replace(void **state)
{
    char dir[4096], path[4200], tmp[4300];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("files"));
    snprintf(path, sizeof path, "%s/counters", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(bm_file_replace(path, "one\n", 4, 0644), BM_OK);
    assert_int_equal(bm_file_replace(path, "two\n", 4, 0600), BM_OK);
    char *text = bm_test_read_file(path, NULL);
    assert_string_equal(text, "two\n");
    free(text);
    struct stat st;
    assert_int_equal(stat(tmp, &st), -1); /* no temporary left */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* The temporary cannot be made (a directory in its way): the old content stays. */
    assert_int_equal(mkdir(tmp, 0700), 0);
    assert_int_not_equal(bm_file_replace(path, "three\n", 6, 0644), BM_OK);
    text = bm_test_read_file(path, NULL);
    assert_string_equal(text, "two\n");
    free(text);
    rmdir(tmp);

    /* Never through a symlink. */
    char link_path[4300], target[4300];
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(link_path, sizeof link_path, "%s/link", dir);
    assert_int_equal(bm_file_write_synced(target, "t", 1, 0644), BM_OK);
    assert_int_equal(symlink(target, link_path), 0);
    assert_int_equal(bm_file_write_synced(link_path, "x", 1, 0644), BM_ERR_IO);
    text = bm_test_read_file(target, NULL);
    assert_string_equal(text, "t");
    free(text);

    char missing[4300];
    snprintf(missing, sizeof missing, "%s/no/such/file", dir);
    assert_int_equal(bm_file_sync_dir(missing), BM_ERR_IO);
    assert_int_equal(bm_file_sync_dir(path), BM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
