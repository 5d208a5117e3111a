/*
 * test_program.c - the bianmin program as an operator meets it: command line, exit codes,
 * config errors, a headless start, clean shutdown on SIGTERM and SIGINT (workers joined,
 * LeakSanitizer clean in the sanitizer build), and the demo console driving simulated devices.
 */
#include "program.h"
#include "test_support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int run_to_end(const char *const *args, char **out)
{
    return bm_program_run(BM_PROGRAM, args, out);
}

static void test_help_version_and_usage_errors(void **state)
{
    char *out;
    assert_int_equal(run_to_end((const char *[]){"--help", NULL}, &out), 0);
    assert_non_null(strstr(out, "--check-config"));
    assert_non_null(strstr(out, "Exit status"));
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--version", NULL}, &out), 0);
    assert_non_null(strstr(out, "bianmin " BM_VERSION));
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--no-such-option", NULL}, &out), 2);
    assert_non_null(strstr(out, "unknown option"));
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--config", NULL}, &out), 2);
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--help-config", NULL}, &out), 0);
    assert_non_null(strstr(out, "timeout_s"));
    free(out);
}

static void test_config_errors_stop_startup(void **state)
{
    const char *dir = bm_test_mkdtemp("badconf");
    char path[4096];
    snprintf(path, sizeof path, "%s",
             bm_test_write_file(dir, "bad.conf",
                                "[kiosk]\nname = 测试\n\n[display]\n"
                                "width = wide\n"));
    char *out;
    assert_int_equal(run_to_end((const char *[]){"--config", path, "--check-config", NULL}, &out),
                     3);
    /* One message naming file, line, key and what is allowed. */
    assert_non_null(strstr(out, "bad.conf:5"));
    assert_non_null(strstr(out, "width"));
    assert_non_null(strstr(out, "320..7680"));
    free(out);

    assert_int_equal(
        run_to_end((const char *[]){"--config", "/nonexistent/kiosk.conf", NULL}, &out), 3);
    assert_non_null(strstr(out, "/nonexistent/kiosk.conf"));
    free(out);

    assert_int_equal(
        run_to_end((const char *[]){"--set", "display.width=5", "--check-config", NULL}, &out), 3);
    assert_non_null(strstr(out, "width"));
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--check-config", NULL}, &out), 0);
    assert_non_null(strstr(out, "config/kiosk.conf: valid"));
    free(out);
}

/* A signing-key file that is not one stops the start with the file, line and what to write. */
static void test_bad_signing_keys_stop_startup(void **state)
{
    const char *dir = bm_test_mkdtemp("badkeys");
    char set[4300], *out;
    snprintf(set, sizeof set, "central.signing_public_key=%s",
             bm_test_write_file(dir, "centre.keys", "# keys\ncentre-1 AAAA\n"));
    assert_int_equal(
        run_to_end((const char *[]){"--set", set, "--exit-after-first-frame", NULL}, &out), 4);
    assert_non_null(strstr(out, "[central] signing_public_key: "));
    assert_non_null(strstr(out, "centre.keys:2: the public key is not 32 bytes in base64"));
    free(out);
}

static void test_check_catalog(void **state)
{
    char *out;
    char bundled[4096];
    snprintf(bundled, sizeof bundled, "%s", bm_test_source_path("config/catalog.json"));
    assert_int_equal(run_to_end((const char *[]){"--check-catalog", bundled, NULL}, &out), 0);
    assert_non_null(strstr(out, "catalog.json: valid: revision"));
    assert_non_null(strstr(out, ", 0 warnings"));
    assert_null(strstr(out, "warning:"));
    free(out);

    const char *dir = bm_test_mkdtemp("badcat");
    char bad[4096];
    snprintf(bad, sizeof bad, "%s",
             bm_test_write_file(dir, "bad.json",
                                "{\"format\": \"bianmin-catalog\", \"format_version\": 1,\n"
                                " \"revision\": \"r1\", \"published\": \"2026-13-01\"}\n"));
    assert_int_equal(run_to_end((const char *[]){"--check-catalog", bad, NULL}, &out), 3);
    /* Every problem, each naming the file, the JSON path and what was expected. */
    assert_non_null(strstr(out, "bad.json: $.published: \"2026-13-01\" is not a date"));
    assert_non_null(strstr(out, "bad.json: $.services: missing"));
    assert_non_null(strstr(out, "bad.json: invalid: 4 problems"));
    free(out);

    assert_int_equal(
        run_to_end((const char *[]){"--check-catalog", "/nonexistent/c.json", NULL}, &out), 3);
    assert_non_null(strstr(out, "/nonexistent/c.json: cannot open"));
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--check-catalog", NULL}, &out), 2);
    free(out);
}

static void test_missing_font_is_a_startup_failure(void **state)
{
    char *out;
    assert_int_equal(run_to_end((const char *[]){"--set", "paths.font=/nonexistent/font.ttc",
                                                 "--set", "sim.output_dir=/tmp", NULL},
                                &out),
                     4);
    assert_non_null(strstr(out, "/nonexistent/font.ttc"));
    free(out);
}

/* Starts headless, waits for the first frame, stops with sig: exit 0 and nothing leaked. */
static void stop_with(int sig)
{
    const char *dir = bm_test_mkdtemp("sig");
    char sim[4200];
    snprintf(sim, sizeof sim, "sim.output_dir=%s", dir);
    struct bm_program r;
    bm_program_start(&r, BM_PROGRAM,
                     (const char *[]){"--set", sim, "--set", "log.level=debug", NULL});
    assert_true(bm_program_wait_output(&r, "ui: toolkit ready", 60));
    /* The devices' worker threads are running now; the signal must stop them all. */
    assert_true(bm_program_wait_output(&r, "barcode (sim): online", 60));
    kill(r.pid, sig);
    int rc = bm_program_finish(&r, 30);
    char *out = bm_program_output(&r);
    if (rc != 0)
        fprintf(stderr, "%s\n", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "bianmin stopped (exit 0)"));
    assert_null(strstr(out, "LeakSanitizer"));
    assert_null(strstr(out, "runtime error"));
    free(out);
}

static void test_sigterm_stops_cleanly(void **state)
{
    stop_with(SIGTERM);
}

static void test_sigint_stops_cleanly(void **state)
{
    stop_with(SIGINT);
}

static void test_demo_console_drives_devices_and_screens(void **state)
{
    char dir[4096], shots[4200], sim[4200], simset[4300], catset[4300];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("console"));
    snprintf(shots, sizeof shots, "%s/screens", dir);
    snprintf(sim, sizeof sim, "%s/sim", dir);
    snprintf(simset, sizeof simset, "sim.output_dir=%s", sim);
    /* The centre's copy is broken: the kiosk says why and runs on the bundled catalog. */
    snprintf(catset, sizeof catset, "catalog.current=%s",
             bm_test_write_file(dir, "current.json", "{\"format\": \"bianmin-catalog\"}"));
    struct bm_program r;
    bm_program_start(&r, BM_PROGRAM,
                     (const char *[]){"--demo-console", "--screenshot-dir", shots, "--set", simset,
                                      "--set", catset, NULL});
    assert_true(bm_program_wait_output(&r, "current.json rejected", 60));
    assert_true(bm_program_wait_output(&r, "current.json: $.format_version: missing", 60));
    assert_true(bm_program_wait_output(&r, "using the bundled catalog", 60));
    assert_true(bm_program_wait_output(&r, "catalog.json: 3 categories", 60));
    assert_true(bm_program_wait_output(&r, "barcode (sim): online", 60));
    assert_true(bm_program_wait_output(&r, "001-attract-zh_CN.png", 60));

    bm_program_say(&r, "tap attract.start");
    assert_true(bm_program_wait_output(&r, "002-home-zh_CN.png", 60));
    bm_program_say(&r, "tap home.language");
    assert_true(bm_program_wait_output(&r, "003-home-en.png", 60));
    bm_program_say(&r, "card elderly");
    assert_true(bm_program_wait_output(&r, "ID card read (resident)", 60));
    bm_program_say(&r, "paper-out");
    assert_true(bm_program_wait_output(&r, "BM_ERR_NO_MEDIA (fix: clear)", 60));
    bm_program_say(&r, "unplug scanner");
    assert_true(bm_program_wait_output(&r, "scanner (sim): no_device", 60));
    /* Paper out and no scanner: the technician sees which services cannot run now. */
    bm_program_say(&r, "status");
    assert_true(bm_program_wait_output(
        &r, "services unavailable now (needs receipt_printer, scanner)", 60));
    assert_true(bm_program_wait_output(&r, "rejected since start: 1", 60));
    bm_program_say(&r, "tap no.such.element");
    assert_true(bm_program_wait_output(&r, "no element 'no.such.element'", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 30), 0);

    char *out = bm_program_output(&r);
    /* The card's personal data never reaches the log. */
    assert_null(strstr(out, "示例"));
    free(out);
    char png[4300];
    snprintf(png, sizeof png, "%s/003-home-en.png", shots);
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
    assert_true(st.st_size > 10000);
}

/* Starts the program with the demo console, its sim printers writing into dir/sim. */
static void start_demo(struct bm_program *r, const char *dir)
{
    static char simset[4300];
    snprintf(simset, sizeof simset, "sim.output_dir=%s/sim", dir);
    bm_program_start(r, BM_PROGRAM, (const char *[]){"--demo-console", "--set", simset, NULL});
    assert_true(bm_program_wait_output(r, "receipt_printer (sim): online", 60));
    assert_true(bm_program_wait_output(r, "doc_printer (sim): online", 60));
}

/* The PNG files the sim receipt printer wrote into dir/sim, read whole; returns how many. */
static size_t read_receipts(const char *dir, char *files[], size_t lens[], size_t max)
{
    char sim[4200];
    snprintf(sim, sizeof sim, "%s/sim", dir);
    DIR *d = opendir(sim);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".png") != 0 || n == max)
            continue;
        char path[4500];
        snprintf(path, sizeof path, "%s/%s", sim, e->d_name);
        files[n] = bm_test_read_file(path, &lens[n]);
        assert_non_null(files[n]);
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

/* `reprint` prints the last receipt again, the same paper; with none it says so. */
static void test_reprint(void **state)
{
    char dir[4096]; /* a copy: the next bm_test_mkdtemp reuses its buffer */
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("reprint"));
    struct bm_program r;
    start_demo(&r, dir);
    bm_program_say(&r, "reprint");
    assert_true(bm_program_wait_output(&r, "no receipt to print again", 60));
    bm_program_say(&r, "receipt");
    assert_true(bm_program_wait_output(&r, "receipt printed", 120));
    bm_program_say(&r, "reprint");
    assert_true(bm_program_wait_output(&r, "receipt printed again", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);

    char *files[3];
    size_t lens[3];
    assert_int_equal(read_receipts(dir, files, lens, 3), 2);
    assert_int_equal(lens[0], lens[1]);
    assert_memory_equal(files[0], files[1], lens[0]);
    free(files[0]);
    free(files[1]);
}

/*
 * Quitting while a certificate renders: the render's completion reaches the main loop only
 * after the demo and the devices have gone, and must find nothing of theirs (under the
 * sanitizers a use-after-free here ends the program with an error).
 */
static void test_quit_while_rendering(void **state)
{
    char dir[4096]; /* a copy: the next bm_test_mkdtemp reuses its buffer */
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("quitrender"));
    struct bm_program r;
    start_demo(&r, dir);
    bm_program_say(&r, "certificate");
    assert_true(bm_program_wait_output(&r, "certificate render started", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 120), 0);
    char *out = bm_program_output(&r);
    assert_null(strstr(out, "certificate printed"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_version_and_usage_errors),
        cmocka_unit_test(test_config_errors_stop_startup),
        cmocka_unit_test(test_check_catalog),
        cmocka_unit_test(test_bad_signing_keys_stop_startup),
        cmocka_unit_test(test_missing_font_is_a_startup_failure),
        cmocka_unit_test(test_sigterm_stops_cleanly),
        cmocka_unit_test(test_sigint_stops_cleanly),
        cmocka_unit_test(test_demo_console_drives_devices_and_screens),
        cmocka_unit_test(test_reprint),
        cmocka_unit_test(test_quit_while_rendering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
