/*
 * program.c - the bianmin program as a child process in tests. See program.h.
 */
#include "program.h"

#include "test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void bm_program_start(struct bm_program *p, const char *path, const char *const *args)
{
    int in[2];
    assert_int_equal(pipe(in), 0);
    snprintf(p->out, sizeof p->out, "%s/out.txt", bm_test_mkdtemp("program"));
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        /* A test that fails mid-way must not leave a kiosk running: die with the test. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        dup2(in[0], 0);
        close(in[1]);
        const char *argv[32] = {path};
        int n = 1;
        for (; n < 31 && args[n - 1]; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        execv(path, (char **)argv);
        _exit(127);
    }
    close(in[0]);
    p->in_fd = in[1];
}

void bm_program_say(struct bm_program *p, const char *line)
{
    size_t n = strlen(line);
    assert_int_equal(write(p->in_fd, line, n), (ssize_t)n);
    assert_int_equal(write(p->in_fd, "\n", 1), 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool bm_program_wait_output(const struct bm_program *p, const char *needle, int timeout_s)
{
    /* A deadline, not a count of polls: on a loaded machine each read of the log is slow. */
    double deadline = now_s() + timeout_s;
    do {
        char *text = bm_test_read_file(p->out, NULL);
        bool found = text && strstr(text, needle);
        free(text);
        if (found)
            return true;
        usleep(20000);
    } while (now_s() < deadline);
    fprintf(stderr, "program: no \"%s\" in its output after %d s; its last lines:\n", needle,
            timeout_s);
    char *text = bm_test_read_file(p->out, NULL);
    if (text) {
        /* The tail says what the program was doing instead. */
        size_t len = strlen(text), lines = 0, start = len;
        while (start > 0 && lines < 40)
            lines += text[--start] == '\n';
        fprintf(stderr, "%s\n", text + start);
        free(text);
    }
    return false;
}

int bm_program_finish(struct bm_program *p, int timeout_s)
{
    if (p->in_fd >= 0)
        close(p->in_fd);
    p->in_fd = -1;
    for (int i = 0; i < timeout_s * 100; i++) {
        int status;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        usleep(10000);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    fail_msg("bianmin did not exit within %d s", timeout_s);
    return -1;
}

char *bm_program_output(const struct bm_program *p)
{
    char *text = bm_test_read_file(p->out, NULL);
    assert_non_null(text);
    return text;
}

int bm_program_run(const char *path, const char *const *args, char **out)
{
    struct bm_program p;
    bm_program_start(&p, path, args);
    int rc = bm_program_finish(&p, 60);
    *out = bm_program_output(&p);
    return rc;
}
