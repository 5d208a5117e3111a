/*
 * worker.h - a thread that owns one blocking subsystem, fed by a queue of requests.
 *
 * Whoever owns a device, the scanner, a printer or the sync client runs it on a worker so the
 * main thread never blocks. A request is a run function executed on the worker thread and a
 * done function executed on the main thread (through bm_loop_post) with the result. Every
 * accepted request completes exactly once: with its run's result, with BM_ERR_CANCELLED if it
 * was cancelled, or with BM_ERR_SHUTDOWN if the worker stopped first. Cancelling a queued
 * request removes it at once; cancelling a running one sets a flag its run function polls
 * (bm_request_cancelled) and should honour promptly.
 *
 * Submit and cancel may be called from any thread; destroy from the thread that created.
 */
#ifndef BM_CORE_WORKER_H
#define BM_CORE_WORKER_H

#include "err.h"

#include <stdbool.h>
#include <stdint.h>

struct bm_worker;
struct bm_request;

/*
 * Runs on the worker thread. Returns the result code; may set *result to a heap object that
 * is handed to done (which then owns it).
 */
typedef enum bm_err (*bm_request_run_fn)(struct bm_request *req, void *arg, void **result);
/*
 * Runs on the main thread exactly once per accepted request. Owns result (may be NULL).
 * arg is the submitter's and is still valid: release it here if the submitter allocated it.
 * Should the loop already have stopped (a shutdown in the wrong order), done runs on the worker
 * thread instead, so it still runs exactly once and nothing leaks.
 */
typedef void (*bm_request_done_fn)(enum bm_err err, void *result, void *arg);

/* Periodic work on the worker thread when no request runs (device status polls). */
typedef void (*bm_worker_tick_fn)(void *ud);

struct bm_worker_config {
    const char *name;   /* thread name, <= 15 chars, e.g. "id_reader" */
    unsigned queue_cap; /* hard cap on queued requests (0: 64) */
    unsigned tick_ms;   /* 0: no tick */
    bm_worker_tick_fn tick;
    void *tick_ud;
};

/* Starts the thread. */
enum bm_err bm_worker_create(const struct bm_worker_config *cfg, struct bm_worker **out);

/*
 * Stops the thread: cancels the running request, completes every queued one with
 * BM_ERR_SHUTDOWN, joins. NULL is ignored.
 */
void bm_worker_destroy(struct bm_worker *w);

/*
 * Queues a request. On success *id (if not NULL) is a non-zero id for bm_worker_cancel and
 * done will be called exactly once. On failure (BM_ERR_BUSY when the queue is full,
 * BM_ERR_SHUTDOWN) done is never called and the caller keeps arg.
 */
enum bm_err bm_worker_submit(struct bm_worker *w, bm_request_run_fn run, bm_request_done_fn done,
                             void *arg, uint64_t *id);

/*
 * As bm_worker_submit, but done runs on the worker thread right after run instead of on the
 * main thread. For drivers that manage their own delivery (and for tests without a loop).
 */
enum bm_err bm_worker_submit_inline(struct bm_worker *w, bm_request_run_fn run,
                                    bm_request_done_fn done, void *arg, uint64_t *id);

/*
 * Cancels request id. Returns BM_OK if it was queued (it completes with BM_ERR_CANCELLED) or
 * running (flagged); BM_ERR_NOT_FOUND if it already completed or never existed.
 */
enum bm_err bm_worker_cancel(struct bm_worker *w, uint64_t id);

/* Inside a run function: whether this request was cancelled or the worker is stopping. */
bool bm_request_cancelled(const struct bm_request *req);

/*
 * Inside a run function: sleeps up to ms, returning early (true) if the request is cancelled.
 * Drivers use it for polling delays so cancel is prompt.
 */
bool bm_request_sleep(const struct bm_request *req, unsigned ms);

/* How many requests wait in the queue (not counting the one running). Any thread: a long
 * tick asks it to make way for requests. */
unsigned bm_worker_queued(struct bm_worker *w);

/* Wakes the worker so its tick runs now (e.g. a scripted sim event arrived). Any thread. */
void bm_worker_kick(struct bm_worker *w);

/* Calls the tick on the next wakeup at the latest (for changes of interval). */
void bm_worker_set_tick_ms(struct bm_worker *w, unsigned tick_ms);

#endif
