/*
 * journey_run.h - playing a journey (journey.h) on the running kiosk, one step at a time on
 * the main loop. Main thread only.
 */
#ifndef BM_FLOW_JOURNEY_RUN_H
#define BM_FLOW_JOURNEY_RUN_H

#include "core/err.h"

#include <stdbool.h>

struct bm_flow;
struct bm_journey;

/* The exit code of a program whose --journey failed (0 when it passed). */
#define BM_JOURNEY_EXIT_FAILED 5

/*
 * Starts playing j (borrowed: it must outlive the run). With quit_at_end the program quits
 * when the journey ends, with 0 if it passed and BM_JOURNEY_EXIT_FAILED if not (--journey);
 * otherwise the result is only logged (the demo console). BM_ERR_BUSY if one is running.
 */
enum bm_err bm_journey_run_start(struct bm_flow *flow, const struct bm_journey *j,
                                 bool quit_at_end);
/* Loads the file and plays it (the demo console's `journey FILE`); the run owns it. */
enum bm_err bm_journey_run_file(struct bm_flow *flow, const char *path);
/*
 * Runs what it can of the journey: called on every wakeup of the loop after the frame (if
 * any) was drawn, so expectations see what the screen shows. Never blocks.
 */
void bm_journey_run_pump(struct bm_flow *flow);
/* Stops a running journey without a result (the program is stopping). */
void bm_journey_run_stop(struct bm_flow *flow);

#endif
