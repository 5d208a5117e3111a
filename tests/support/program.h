/*
 * program.h - running the bianmin program as a child process in tests: start it headless with
 * arguments, talk to its demo console, wait for lines in its output, collect its exit code.
 * The test thread only.
 */
#ifndef BM_TEST_PROGRAM_H
#define BM_TEST_PROGRAM_H

#include <stdbool.h>
#include <sys/types.h>

struct bm_program {
    pid_t pid;
    int in_fd;      /* the child's stdin (write end), -1 once closed */
    char out[4096]; /* the file collecting its stdout and stderr */
};

/* Starts `path args...` (args NULL-terminated) with SDL_VIDEODRIVER=offscreen. */
void bm_program_start(struct bm_program *p, const char *path, const char *const *args);

/* Writes a line (with its newline) to the child's standard input. */
void bm_program_say(struct bm_program *p, const char *line);

/* Waits until the output holds needle (true), or timeout_s passes (false). */
bool bm_program_wait_output(const struct bm_program *p, const char *needle, int timeout_s);

/* Closes stdin and waits; returns the exit code, or 128+signal; fails the test after
 * timeout_s (the child is killed). */
int bm_program_finish(struct bm_program *p, int timeout_s);

/* The output so far, malloc'd (the caller frees). */
char *bm_program_output(const struct bm_program *p);

/* Runs to the end and returns the exit code; *out receives the output (free it). */
int bm_program_run(const char *path, const char *const *args, char **out);

#endif
