/*
 * loop.h - the main thread's event loop: SDL events, timers, and messages from other threads.
 *
 * The loop sleeps in SDL_WaitEventTimeout until an event arrives or the next timer is due; it
 * never spins. Other threads hand results to the main thread with bm_loop_post, which wraps
 * a heap message in an SDL user event; the handler then runs on the main thread and owns the
 * message. Timers and SDL event handlers are main-thread only. bm_loop_post and
 * bm_loop_request_quit may be called from any thread.
 */
#ifndef BM_CORE_LOOP_H
#define BM_CORE_LOOP_H

#include "err.h"

#include <SDL2/SDL_events.h>
#include <stdbool.h>
#include <stdint.h>

/* Runs on the main thread with the message that was posted; it owns msg from then on. */
typedef void (*bm_loop_msg_fn)(void *msg);
/* Runs on the main thread for every SDL event the loop takes that is not one of its own. */
typedef void (*bm_loop_event_fn)(const SDL_Event *ev, void *ud);
/* A timer fired. Return true to keep a repeating timer. */
typedef bool (*bm_loop_timer_fn)(void *ud);

/* Needs SDL's event subsystem (SDL_INIT_EVENTS) to be initialised. Main thread. */
enum bm_err bm_loop_init(bm_loop_event_fn on_event, void *ud);
/*
 * Stops the loop for good: every message still queued is delivered to its handler (here, on
 * the main thread), then posting fails with BM_ERR_SHUTDOWN; timers are dropped. Shut workers
 * down before the loop so their last completions are delivered. Main thread.
 */
void bm_loop_shutdown(void);

/*
 * Queues msg for fn on the main thread. Returns BM_ERR_SHUTDOWN once the loop has stopped
 * or BM_ERR_NO_MEMORY if SDL's queue is full; the caller still owns msg then.
 */
enum bm_err bm_loop_post(bm_loop_msg_fn fn, void *msg);

/* Timers, in milliseconds of SDL_GetTicks64. Returns an id > 0, or 0 on failure. */
uint32_t bm_loop_timer_add(uint32_t delay_ms, bool repeat, bm_loop_timer_fn fn, void *ud);
void bm_loop_timer_cancel(uint32_t id);

/*
 * fn(ud) runs on every wakeup after the events, messages and timers it brought were handled,
 * just before the loop sleeps again: the place to draw one frame for all of them. NULL unsets.
 */
void bm_loop_set_before_wait(void (*fn)(void *ud), void *ud);

/* Runs until bm_loop_request_quit or SDL_QUIT (SIGINT/SIGTERM). Returns the quit code. */
int bm_loop_run(void);

/*
 * Runs until done(ud) is true or timeout_ms passes, then returns done(ud)'s last answer.
 * For tests and start-up waits; the same dispatch as bm_loop_run, but done is asked again at
 * least every 100 ms (it may watch what other threads change without waking the loop).
 */
bool bm_loop_run_until(bool (*done)(void *ud), void *ud, uint32_t timeout_ms);

/* Asks the loop to return `code` from bm_loop_run. Any thread. */
void bm_loop_request_quit(int code);

/* Whether quit was requested (workers may check it to stop early). */
bool bm_loop_quitting(void);

/* Counters for benchmarks and tests: how many times the loop woke, and why. */
struct bm_loop_stats {
    uint64_t wakeups;
    uint64_t sdl_events;
    uint64_t messages;
    uint64_t timers_fired;
};
void bm_loop_get_stats(struct bm_loop_stats *out);

#endif
