/*
 * test_program.c - the bianmin program as an operator meets it: command line, exit codes,
 * config errors, a headless start, clean shutdown on SIGTERM and SIGINT (workers joined,
 * LeakSanitizer clean in the sanitizer build), and the demo console driving simulated devices.
 */
#include "test_support.h"

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

struct run {
    pid_t pid;
    int in_fd;      /* the child's stdin (write end), -1 if closed */
    char out[4096]; /* where stdout+stderr go */
};

/* Starts bianmin with args (NULL-terminated), output to a file, stdin from a pipe. */
static void start(struct run *r, const char *const *args)
{
    int in[2];
    assert_int_equal(pipe(in), 0);
    snprintf(r->out, sizeof r->out, "%s/out.txt", bm_test_mkdtemp("program"));
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        int fd = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        dup2(in[0], 0);
        close(in[1]);
        const char *argv[32] = {BM_PROGRAM};
        int n = 1;
        for (; args[n - 1] && n < 31; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        execv(BM_PROGRAM, (char **)argv);
        _exit(127);
    }
    close(in[0]);
    r->in_fd = in[1];
}

/* Waits for the child; returns its exit code, or 128+signal. Fails after timeout_s. */
static int finish(struct run *r, int timeout_s)
{
    if (r->in_fd >= 0)
        close(r->in_fd);
    r->in_fd = -1;
    for (int i = 0; i < timeout_s * 100; i++) {
        int status;
        pid_t got = waitpid(r->pid, &status, WNOHANG);
        if (got == r->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        usleep(10000);
    }
    kill(r->pid, SIGKILL);
    waitpid(r->pid, NULL, 0);
    fail_msg("bianmin did not exit within %d s", timeout_s);
    return -1;
}

static char *output(const struct run *r)
{
    char *text = bm_test_read_file(r->out, NULL);
    assert_non_null(text);
    return text;
}

/* Waits until the output contains needle (true) or timeout_s passes (false). */
static bool wait_output(const struct run *r, const char *needle, int timeout_s)
{
    for (int i = 0; i < timeout_s * 100; i++) {
        char *text = bm_test_read_file(r->out, NULL);
        bool found = text && strstr(text, needle);
        free(text);
        if (found)
            return true;
        usleep(10000);
    }
    return false;
}

static int run_to_end(const char *const *args, char **out)
{
    struct run r;
    start(&r, args);
    int rc = finish(&r, 60);
    *out = output(&r);
    return rc;
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
    snprintf(path, sizeof path, "%s", bm_test_write_file(dir, "bad.conf",
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

    assert_int_equal(run_to_end((const char *[]){"--set", "display.width=5", "--check-config",
                                                 NULL},
                                &out),
                     3);
    assert_non_null(strstr(out, "width"));
    free(out);

    assert_int_equal(run_to_end((const char *[]){"--check-config", NULL}, &out), 0);
    assert_non_null(strstr(out, "config/kiosk.conf: valid"));
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
    struct run r;
    start(&r, (const char *[]){"--set", sim, "--set", "log.level=debug", NULL});
    assert_true(wait_output(&r, "screen", 30) || wait_output(&r, "online", 1));
    /* The devices' worker threads are running now; the signal must stop them all. */
    assert_true(wait_output(&r, "barcode (sim): online", 30));
    kill(r.pid, sig);
    int rc = finish(&r, 30);
    char *out = output(&r);
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

static void write_line(struct run *r, const char *line)
{
    size_t n = strlen(line);
    assert_int_equal(write(r->in_fd, line, n), (ssize_t)n);
}

static void test_demo_console_drives_devices_and_screens(void **state)
{
    char dir[4096], shots[4200], sim[4200], simset[4300];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("console"));
    snprintf(shots, sizeof shots, "%s/screens", dir);
    snprintf(sim, sizeof sim, "%s/sim", dir);
    snprintf(simset, sizeof simset, "sim.output_dir=%s", sim);
    struct run r;
    start(&r, (const char *[]){"--demo-console", "--screenshot-dir", shots, "--set", simset, NULL});
    assert_true(wait_output(&r, "barcode (sim): online", 30));
    assert_true(wait_output(&r, "001-attract-zh_CN.png", 30));

    write_line(&r, "tap attract.start\n");
    assert_true(wait_output(&r, "002-home-zh_CN.png", 30));
    write_line(&r, "tap home.language\n");
    assert_true(wait_output(&r, "003-home-en.png", 30));
    write_line(&r, "card elderly\n");
    assert_true(wait_output(&r, "ID card read (resident)", 30));
    write_line(&r, "paper-out\n");
    assert_true(wait_output(&r, "BM_ERR_NO_MEDIA (fix: clear)", 30));
    write_line(&r, "unplug scanner\n");
    assert_true(wait_output(&r, "scanner (sim): no_device", 30));
    write_line(&r, "tap no.such.element\n");
    assert_true(wait_output(&r, "no element 'no.such.element'", 30));
    write_line(&r, "quit\n");
    assert_int_equal(finish(&r, 30), 0);

    char *out = output(&r);
    /* The card's personal data never reaches the log. */
    assert_null(strstr(out, "示例"));
    free(out);
    char png[4300];
    snprintf(png, sizeof png, "%s/003-home-en.png", shots);
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
    assert_true(st.st_size > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_version_and_usage_errors),
        cmocka_unit_test(test_config_errors_stop_startup),
        cmocka_unit_test(test_missing_font_is_a_startup_failure),
        cmocka_unit_test(test_sigterm_stops_cleanly),
        cmocka_unit_test(test_sigint_stops_cleanly),
        cmocka_unit_test(test_demo_console_drives_devices_and_screens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
