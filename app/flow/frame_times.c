/*
 * frame_times.c - the frame recorder for tests and benchmarks. See frame_times.h.
 *
 * The ready-without-CPU time is the second field of /proc/thread-self/schedstat (Linux with
 * schedstats, which distributions enable); the file is opened once, on the main thread, when
 * recording starts, and read with pread at each frame's start and end. Main thread only.
 */
#include "frame_times.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static struct {
    struct bm_frame_time *ring; /* NULL: not recording */
    size_t capacity;
    uint64_t count;
    int schedstat_fd;          /* -1: unknown */
    struct bm_frame_time open; /* the frame being drawn */
    int64_t cpu_at_start;
} rec = {.schedstat_fd = -1};

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The main thread's time ready to run without a CPU so far, or -1. */
static int64_t ready_so_far(void)
{
    char buf[128];
    if (rec.schedstat_fd < 0)
        return -1;
    ssize_t n = pread(rec.schedstat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    int64_t on_cpu, ready;
    if (sscanf(buf, "%" SCNd64 " %" SCNd64, &on_cpu, &ready) != 2)
        return -1;
    return ready;
}

bool bm_frame_times_record(size_t capacity)
{
    bm_frame_times_stop();
    if (capacity == 0 || !(rec.ring = calloc(capacity, sizeof *rec.ring)))
        return false;
    rec.capacity = capacity;
    rec.count = 0;
    rec.schedstat_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    return true;
}

void bm_frame_times_stop(void)
{
    free(rec.ring);
    rec.ring = NULL;
    if (rec.schedstat_fd >= 0)
        close(rec.schedstat_fd);
    rec.schedstat_fd = -1;
}

size_t bm_frame_times_copy(struct bm_frame_time *out, size_t cap)
{
    if (!rec.ring)
        return 0;
    size_t kept = rec.count < rec.capacity ? (size_t)rec.count : rec.capacity;
    size_t n = kept < cap ? kept : cap;
    /* The oldest kept frame is count - kept; copy the newest n of them, oldest first. */
    for (size_t i = 0; i < n; i++)
        out[i] = rec.ring[(rec.count - n + i) % rec.capacity];
    return n;
}

uint64_t bm_frame_times_count(void)
{
    return rec.count;
}

int64_t bm_frame_time_own_ns(const struct bm_frame_time *f)
{
    return f->ready_ns > 0 ? f->wall_ns - f->ready_ns : f->wall_ns;
}

void bm_frame_times_begin(void)
{
    if (!rec.ring)
        return;
    rec.open.ready_total_ns = ready_so_far();
    rec.cpu_at_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    rec.open.start_ns = clock_ns(CLOCK_MONOTONIC);
}

void bm_frame_times_end(void)
{
    if (!rec.ring)
        return;
    struct bm_frame_time f = rec.open;
    f.wall_ns = clock_ns(CLOCK_MONOTONIC) - f.start_ns;
    f.cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - rec.cpu_at_start;
    int64_t ready = ready_so_far();
    f.ready_ns = ready >= 0 && f.ready_total_ns >= 0 ? ready - f.ready_total_ns : -1;
    rec.ring[rec.count % rec.capacity] = f;
    rec.count++;
}
