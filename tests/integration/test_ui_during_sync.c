/*
 * test_ui_during_sync.c - the UI thread's frame time is unaffected while sync works (issue 6,
 * point 7). The real flow runs in this process, headless, its sync service against the
 * reference central service over mutual TLS. The home screen is redrawn 60 times a second;
 * its frame times are recorded (app/flow/frame_times.h) with sync idle, then while 20
 * applications of 3 MiB each go in through the sync service and out through the outbox to
 * the centre, which must hold all 20 at the end (so delivery happened inside the window),
 * then idle again. The time between frames is checked too: sync work done on the main thread
 * outside drawing would show there.
 *
 * Asserted loosely, on what the main thread itself spends on a frame (wall time less the
 * time it waited for a CPU, from schedstat): on a loaded two-core CI machine running the
 * sanitizer build the sync worker, the Python centre and other jobs take CPUs away from the
 * main thread, which says nothing about the kiosk; the main thread doing sync work, waiting
 * on a lock the worker holds, or blocking on I/O does count. Wall times are printed too. The
 * numbers themselves are tests/bench/bench_frames' business.
 */
#include "flow_rig.h"
#include "test_support.h"

#include "core/loop.h"

#include <SDL2/SDL_timer.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define REDRAW_HZ      60
#define IDLE_MS        5000
#define IDLE_FRAMES    100
#define IDLE_LIMIT     120000 /* ms; with the rest, within the test's 900 s */
#define APPLICATIONS   20
#define FILES_EACH     3
#define FILE_BYTES     (1024 * 1024)
#define MAX_FRAMES     65536
#define DELIVERY_LIMIT 400000 /* ms: a sanitizer build on a busy machine is slow, not wrong */

static struct bm_frame_time frames[MAX_FRAMES];

static void recorded(struct frame_summary *s, const char *label)
{
    uint64_t total = bm_frame_times_count();
    size_t n = bm_frame_times_copy(frames, MAX_FRAMES);
    assert_true(total == n); /* the ring held every frame of the window */
    frame_summary_of(frames, n, s);
    frame_summary_print(label, s);
}

static double max2(double a, double b)
{
    return a > b ? a : b;
}

static struct flow_rig rig;
static bool rig_started;

static int setup(void **state)
{
    (void)state;
    flow_rig_start(&rig, "ui-during-sync");
    rig_started = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bm_frame_times_stop();
    if (rig_started)
        flow_rig_stop(&rig);
    rig_started = false;
    return 0;
}

static bool idle_window_done(void *ud)
{
    const uint64_t *until_ms = ud;
    return SDL_GetTicks64() >= *until_ms && bm_frame_times_count() >= IDLE_FRAMES;
}

/* IDLE_MS and at least IDLE_FRAMES frames (a loaded machine draws the sanitizer build's
 * frames a few a second). */
static void idle_window(struct frame_summary *s, const char *label)
{
    assert_true(bm_frame_times_record(MAX_FRAMES));
    uint64_t until_ms = SDL_GetTicks64() + IDLE_MS;
    assert_true(bm_loop_run_until(idle_window_done, &until_ms, IDLE_LIMIT));
    recorded(s, label);
}

static void test_frames_while_sync_delivers(void **state)
{
    (void)state;
    flow_rig_redraw(&rig, REDRAW_HZ);

    struct frame_summary before, busy, after;
    idle_window(&before, "sync idle, before");
    assert_int_equal(central_count(&rig.central, "submissions"), 0);

    assert_true(bm_frame_times_record(MAX_FRAMES));
    flow_rig_submit(&rig, APPLICATIONS, FILES_EACH, FILE_BYTES);
    assert_true(flow_rig_run_until_delivered(&rig, DELIVERY_LIMIT));
    recorded(&busy, "sync delivering");

    struct bm_sync_service_status st;
    flow_rig_sync_status(&rig, &st);
    assert_int_equal(rig.refused, 0);
    assert_int_equal(rig.queued, APPLICATIONS);
    assert_int_equal(st.outbox.dead, 0);
    /* The window ended when the outbox was empty: all 20 reached the centre inside it, and
     * the UI kept drawing meanwhile. */
    assert_int_equal(central_count(&rig.central, "submissions"), APPLICATIONS);
    assert_true(busy.frames >= 10);

    /* The baseline is the worse of an idle window before and one after: the machine's load
     * from other jobs changes over the minute this takes, and must not fail the test. */
    idle_window(&after, "sync idle, after");
    double idle_p99 = max2(before.own_p99, after.own_p99);
    double idle_max = max2(before.own_max, after.own_max);
    double p99_limit = max2(3 * idle_p99, idle_p99 + 25);
    /* No frame over 250 ms, unless this build's idle frames come near that already (the
     * sanitizer build's frames take ~70 ms and, on a busy machine, up to ~150 ms). */
    double max_limit = max2(250, 2 * idle_max);
    printf("during sync: p99 own frame time %.2f ms (limit %.2f), slowest frame %.2f ms (limit "
           "%.2f), longest time between frames %.1f ms (limit 250)\n",
           busy.own_p99, p99_limit, busy.own_max, max_limit, busy.between_own_max);
    assert_true(busy.own_p99 <= p99_limit);
    assert_true(busy.own_max <= max_limit);
    /* Between frames too the loop kept going: no stall while the main thread queued 3 MiB
     * applications and the worker delivered them. */
    assert_true(busy.between_own_max <= 250);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_frames_while_sync_delivers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
