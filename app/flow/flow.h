/*
 * flow.h - the kiosk's top controller: display, screens, devices and the session.
 *
 * main.c parses arguments and loads the config; everything after that (window, UI, devices,
 * which screen shows, what a tap or a device event does) is the flow's. Main thread only.
 */
#ifndef BM_FLOW_H
#define BM_FLOW_H

#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>

struct bm_flow;
struct bm_journey;

struct bm_flow_options {
    const char *screenshot_dir;  /* save a PNG of each new screen here (NULL: never) */
    bool exit_after_first_frame; /* benchmarks: quit once the first frame is presented */
    bool demo_console;           /* read simulated-device commands from stdin (demo mode) */
    /* Play this journey (borrowed: outlives the flow), then quit with its result. */
    const struct bm_journey *journey;
};

/* Opens the window, the UI, the devices and shows the attract screen. */
enum bm_err bm_flow_start(const struct bm_config *cfg, const struct bm_flow_options *opts,
                          struct bm_flow **out);

/* Runs the event loop until quit; returns the exit code asked for (0 on SIGTERM/SIGINT). */
int bm_flow_run(struct bm_flow *flow);

/* Closes devices (joining their threads), the UI and the window. NULL is ignored. */
void bm_flow_stop(struct bm_flow *flow);

#endif
