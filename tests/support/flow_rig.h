/*
 * flow_rig.h - the kiosk's real flow in the test process, headless (SDL offscreen, software
 * renderer), its sync service pointed at the reference central service (central_fixture.h):
 * for measuring the UI while sync works (tests/integration/test_ui_during_sync.c and
 * tests/bench/bench_frames.c). It can force redraws at a steady rate, submit applications
 * through the sync service's real enqueue, and summarise recorded frame times
 * (app/flow/frame_times.h). The test's main thread, which is the kiosk's main thread here.
 */
#ifndef BM_TEST_FLOW_RIG_H
#define BM_TEST_FLOW_RIG_H

#include "central_fixture.h"

#include "flow/frame_times.h"
#include "services/sync_service.h"

#include <stddef.h>
#include <stdint.h>

struct flow_rig {
    char dir[4096];
    struct central central;
    struct bm_config *cfg;
    struct bm_flow *flow;
    uint32_t redraw_timer, submit_timer;
    /* Applications submitted through the sync service, and what became of them. */
    unsigned to_submit, submitted, in_flight, queued, refused;
    unsigned files_per_application;
    size_t file_bytes;
    unsigned char *file_data; /* one buffer, every file's bytes (they differ by their id) */
};

/* Starts the centre and the flow (home screen shown); waits until the sync worker is sending
 * and its first heartbeat is past. Fails the test if it does not. */
void flow_rig_start(struct flow_rig *r, const char *prefix);
/* Stops the flow, then the centre. */
void flow_rig_stop(struct flow_rig *r);

/* The size of what the renderer draws, in pixels. */
void flow_rig_screen_size(const struct flow_rig *r, int *w, int *h);

/* Forces a redraw hz times a second (0: stops); the flow draws at most one frame per wakeup. */
void flow_rig_redraw(struct flow_rig *r, unsigned hz);
/* Runs the kiosk's loop for ms. */
void flow_rig_run_ms(struct flow_rig *r, unsigned ms);

/* Starts submitting n applications of `files` files of `bytes` each (random, incompressible),
 * a few at a time, as the sync worker takes them. */
void flow_rig_submit(struct flow_rig *r, unsigned n, unsigned files, size_t bytes);
/* Runs the loop until every submitted application is queued and the outbox is empty again;
 * false after timeout_ms. */
bool flow_rig_run_until_delivered(struct flow_rig *r, unsigned timeout_ms);
/* The sync service's status snapshot. */
void flow_rig_sync_status(const struct flow_rig *r, struct bm_sync_service_status *st);

/* Frame times (ms) of some recorded frames. "own" is wall time less the time the main thread
 * waited for a CPU: what a busy machine adds is not counted, what the kiosk does is. */
struct frame_summary {
    size_t frames;
    double wall_p50, wall_p99, wall_max;
    double own_p50, own_p99, own_max;
    double cpu_p50, cpu_p99;
    /* The longest time from the end of a frame to the start of the next, less the time the
     * main thread waited for a CPU then: the loop busy with other things, or asleep (a redraw
     * is asked for every 1000/hz ms). */
    double between_own_max;
    bool ready_known; /* the kernel reports the waiting (schedstat); else own is wall */
};
void frame_summary_of(const struct bm_frame_time *f, size_t n, struct frame_summary *out);
/* One line, for the test's log and the benchmark. */
void frame_summary_print(const char *label, const struct frame_summary *s);

#endif
