/*
 * frame_times.h - how long the main thread takes to draw and present each frame, for tests
 * and benchmarks (issue 6: the UI must stay smooth while sync works).
 *
 * Off until bm_frame_times_record is called; while off, the flow's frame hook costs one branch.
 * When on, each frame's wall-clock time, the main thread's CPU time in it, and the part of it
 * the main thread was ready to run but had no CPU (another thread or process had it, from
 * /proc/thread-self/schedstat) go into a ring of the last `capacity` frames. That last part
 * tells a slow frame caused by the main thread itself (work, a lock, I/O) from one stretched
 * by a busy machine. Main thread only.
 */
#ifndef BM_FLOW_FRAME_TIMES_H
#define BM_FLOW_FRAME_TIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bm_frame_time {
    int64_t start_ns; /* CLOCK_MONOTONIC when drawing began */
    int64_t wall_ns;  /* drawing and presenting, start to end */
    int64_t cpu_ns;   /* the main thread's CPU time in it */
    int64_t ready_ns; /* of wall_ns, time spent ready to run without a CPU; -1: unknown */
    /* The main thread's ready-without-CPU time since it started, at start_ns (-1: unknown):
     * the difference between two frames tells how much of the gap between them was others'. */
    int64_t ready_total_ns;
};

/* Starts recording the next frames, forgetting earlier ones; false if out of memory. */
bool bm_frame_times_record(size_t capacity);
/* Stops recording and frees the ring. */
void bm_frame_times_stop(void);
/* Copies up to cap of the recorded frames, oldest first; returns how many. */
size_t bm_frame_times_copy(struct bm_frame_time *out, size_t cap);
/* Frames recorded since bm_frame_times_record (the ring keeps only the last capacity). */
uint64_t bm_frame_times_count(void);

/* The wall-clock time of a frame less the time it waited for a CPU: what the main thread
 * itself spent on it. */
int64_t bm_frame_time_own_ns(const struct bm_frame_time *f);

/* The flow's hooks around drawing and presenting one frame. */
void bm_frame_times_begin(void);
void bm_frame_times_end(void);

#endif
