/*
 * bench_frames.c - the UI while sync works: frame times of the real flow's home screen at the
 * configured 1080x1920 with the software renderer, redrawn 60 times a second, with sync idle
 * and while 20 applications of 3 MiB each are delivered to the reference central service
 * (started here, tests/support/central_fixture.c); then the CPU the main thread and the sync
 * worker use while the kiosk is idle, and how often the loop wakes.
 *
 * "own" is a frame's wall time less the time the main thread waited for a CPU (schedstat):
 * on this machine the centre (Python) runs beside the kiosk, which a real kiosk does not
 * have. A benchmark prints numbers; it does not pass or fail.
 * Usage: bench_frames [SECONDS_IDLE]   (default 10; run from the build tree, headless:
 *        SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software, as tests/bench/run.sh does)
 */
#include "flow_rig.h"
#include "test_support.h"

#include "core/loop.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAMES 65536

static struct bm_frame_time frames[MAX_FRAMES];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A thread of this process by name ("sync"); 0 if there is none. */
static long thread_named(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    long found = 0;
    struct dirent *e;
    while (d && !found && (e = readdir(d))) {
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f && fgets(comm, sizeof comm, f) && strncmp(comm, name, strlen(name)) == 0 &&
            comm[strlen(name)] == '\n')
            found = strtol(e->d_name, NULL, 10);
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return found;
}

/* A thread's CPU time so far in seconds (schedstat's first field). */
static double thread_cpu_s(long tid)
{
    char path[100];
    snprintf(path, sizeof path, "/proc/self/task/%ld/schedstat", tid);
    FILE *f = fopen(path, "r");
    int64_t ns = 0;
    if (!f || fscanf(f, "%" SCNd64, &ns) != 1)
        ns = -1;
    if (f)
        fclose(f);
    return (double)ns / 1e9;
}

static void window(const char *label, struct frame_summary *s)
{
    size_t n = bm_frame_times_copy(frames, MAX_FRAMES);
    frame_summary_of(frames, n, s);
    frame_summary_print(label, s);
}

int main(int argc, char **argv)
{
    double idle_s = argc > 1 ? strtod(argv[1], NULL) : 10;
    if (idle_s < 1)
        idle_s = 10;
    struct flow_rig r;
    flow_rig_start(&r, "bench-frames");
    long main_tid = (long)getpid(), sync_tid = thread_named("sync");
    int w = 0, h = 0;
    flow_rig_screen_size(&r, &w, &h);
    printf("home screen %dx%d, %s video, software renderer, redrawn 60 times a second\n", w, h,
           getenv("SDL_VIDEODRIVER") ? getenv("SDL_VIDEODRIVER") : "default");

    struct frame_summary idle, busy;
    flow_rig_redraw(&r, 60);
    bm_frame_times_record(MAX_FRAMES);
    flow_rig_run_ms(&r, 5000);
    window("sync idle", &idle);

    bm_frame_times_record(MAX_FRAMES);
    double t0 = now_s(), sync0 = thread_cpu_s(sync_tid), main0 = thread_cpu_s(main_tid);
    flow_rig_submit(&r, 20, 3, 1024 * 1024);
    bool done = flow_rig_run_until_delivered(&r, 600000);
    double t1 = now_s();
    window("sync delivering 20 x 3 MiB", &busy);
    printf("delivery %s: %u applications in %.1f s (%.1f MiB/s), centre holds %ld; sync worker "
           "CPU %.2f s, main thread CPU %.2f s\n",
           done ? "done" : "NOT DONE", r.queued, t1 - t0, 60.0 / (t1 - t0),
           central_count(&r.central, "submissions"), thread_cpu_s(sync_tid) - sync0,
           thread_cpu_s(main_tid) - main0);
    bm_frame_times_stop();
    printf("p99 own during sync / idle: %.2f\n", busy.own_p99 / idle.own_p99);

    /* Idle: no redraws but the clock's, nothing to send; after a settling second. */
    flow_rig_redraw(&r, 0);
    flow_rig_run_ms(&r, 1000);
    struct bm_loop_stats l0, l1;
    bm_loop_get_stats(&l0);
    bm_frame_times_record(MAX_FRAMES);
    double m0 = thread_cpu_s(main_tid), s0 = thread_cpu_s(sync_tid);
    flow_rig_run_ms(&r, (unsigned)(idle_s * 1000));
    double m1 = thread_cpu_s(main_tid), s1 = thread_cpu_s(sync_tid);
    bm_loop_get_stats(&l1);
    printf("idle %.0f s: main thread CPU %.2f ms (%.3f%% of a core), %.1f loop wakeups a "
           "second (%.1f for messages, %.1f for timers), %" PRIu64 " frames drawn; sync worker "
           "CPU %.2f ms (%.3f%%)\n",
           idle_s, (m1 - m0) * 1e3, 100 * (m1 - m0) / idle_s,
           (double)(l1.wakeups - l0.wakeups) / idle_s, (double)(l1.messages - l0.messages) / idle_s,
           (double)(l1.timers_fired - l0.timers_fired) / idle_s, bm_frame_times_count(),
           (s1 - s0) * 1e3, 100 * (s1 - s0) / idle_s);
    bm_frame_times_stop();
    flow_rig_stop(&r);
    return done ? 0 : 1;
}
