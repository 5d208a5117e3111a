/*
 * worker.c - a thread fed by a bounded request queue. See worker.h.
 *
 * Design: one mutex and one condition variable (on CLOCK_MONOTONIC) per worker guard the FIFO
 * queue, the running request and the stop flag. The thread takes the oldest request, runs it
 * unlocked, then completes it. Completion is the single place a request ends: it either posts
 * the request to the main loop (where done runs and the request is freed) or, for inline
 * requests, calls done right there; every path (ran, cancelled while queued, shut down) goes
 * through it, which is what makes "exactly once" hold. Cancelling a running request only sets
 * its flag and signals the condition, so bm_request_sleep returns at once.
 *
 * When idle, the thread sleeps until the next tick is due or it is kicked, and runs the tick
 * callback then: devices use it to poll status without a request.
 */
#include "worker.h"

#include "log.h"
#include "loop.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_QUEUE_CAP 64

struct bm_request {
    uint64_t id;
    bm_request_run_fn run;
    bm_request_done_fn done;
    void *arg;
    bool inline_done;
    atomic_bool cancelled;
    enum bm_err err;
    void *result;
    struct bm_worker *worker;
    struct bm_request *next;
};

struct bm_worker {
    char name[16];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct bm_request *head, *tail;
    unsigned queued, queue_cap;
    struct bm_request *running;
    bool stopping;
    bool kicked;
    uint64_t next_id;
    unsigned tick_ms;
    bm_worker_tick_fn tick;
    void *tick_ud;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000u;
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Runs on the main thread: the request's one and only completion. */
static void deliver_on_main(void *msg)
{
    struct bm_request *req = msg;
    req->done(req->err, req->result, req->arg);
    free(req);
}

/* The single exit of every accepted request. Called without the worker lock held. */
static void complete(struct bm_request *req, enum bm_err err, void *result)
{
    req->err = err;
    req->result = result;
    if (!req->done) {
        free(req);
        return;
    }
    if (req->inline_done || bm_loop_post(deliver_on_main, req) != BM_OK) {
        /* Inline by request, or the loop is gone: done still runs, exactly once, here. */
        req->done(req->err, req->result, req->arg);
        free(req);
    }
}

static struct bm_request *pop_locked(struct bm_worker *w)
{
    struct bm_request *req = w->head;
    if (req) {
        w->head = req->next;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        req->next = NULL;
    }
    return req;
}

unsigned bm_worker_queued(struct bm_worker *w)
{
    pthread_mutex_lock(&w->lock);
    unsigned n = w->queued;
    pthread_mutex_unlock(&w->lock);
    return n;
}

static void *worker_main(void *ud)
{
    struct bm_worker *w = ud;
    uint64_t next_tick = w->tick_ms ? now_ms() + w->tick_ms : 0;

    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        struct bm_request *req = pop_locked(w);
        if (req) {
            w->running = req;
            pthread_mutex_unlock(&w->lock);

            void *result = NULL;
            enum bm_err err = req->run(req, req->arg, &result);
            /* A run that noticed the cancel may report anything; the caller sees CANCELLED. */
            if (atomic_load(&req->cancelled) && err != BM_OK)
                err = BM_ERR_CANCELLED;

            pthread_mutex_lock(&w->lock);
            w->running = NULL;
            pthread_mutex_unlock(&w->lock);
            complete(req, err, result);
            pthread_mutex_lock(&w->lock);
            continue;
        }

        bool tick_due = w->tick && (w->kicked || (next_tick && now_ms() >= next_tick));
        if (tick_due) {
            w->kicked = false;
            pthread_mutex_unlock(&w->lock);
            w->tick(w->tick_ud);
            pthread_mutex_lock(&w->lock);
            next_tick = w->tick_ms ? now_ms() + w->tick_ms : 0;
            continue;
        }

        if (next_tick) {
            uint64_t now = now_ms();
            struct timespec ts;
            deadline_in(&ts, next_tick > now ? (unsigned)(next_tick - now) : 0);
            pthread_cond_timedwait(&w->wake, &w->lock, &ts);
        } else {
            pthread_cond_wait(&w->wake, &w->lock);
        }
        if (!next_tick && w->tick_ms)
            next_tick = now_ms() + w->tick_ms; /* the interval was just switched on */
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum bm_err bm_worker_create(const struct bm_worker_config *cfg, struct bm_worker **out)
{
    *out = NULL;
    struct bm_worker *w = calloc(1, sizeof *w);
    if (!w)
        return bm_err_set(BM_ERR_NO_MEMORY, "worker");
    snprintf(w->name, sizeof w->name, "%s", cfg->name ? cfg->name : "worker");
    w->queue_cap = cfg->queue_cap ? cfg->queue_cap : DEFAULT_QUEUE_CAP;
    w->tick_ms = cfg->tick_ms;
    w->tick = cfg->tick;
    w->tick_ud = cfg->tick_ud;

    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);

    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    if (rc != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return bm_err_set(BM_ERR_NO_MEMORY, "pthread_create %s: %s", cfg->name, strerror(rc));
    }
    pthread_setname_np(w->thread, w->name);
    *out = w;
    return BM_OK;
}

void bm_worker_destroy(struct bm_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    if (w->running)
        atomic_store(&w->running->cancelled, true);
    struct bm_request *pending = w->head;
    w->head = w->tail = NULL;
    w->queued = 0;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);

    pthread_join(w->thread, NULL);
    while (pending) {
        struct bm_request *next = pending->next;
        complete(pending, BM_ERR_SHUTDOWN, NULL);
        pending = next;
    }
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static enum bm_err submit(struct bm_worker *w, bm_request_run_fn run, bm_request_done_fn done,
                          void *arg, bool inline_done, uint64_t *id)
{
    if (!w || !run)
        return bm_err_set(BM_ERR_INVALID_ARG, "worker submit without worker or run function");
    struct bm_request *req = calloc(1, sizeof *req);
    if (!req)
        return bm_err_set(BM_ERR_NO_MEMORY, "worker request");
    req->run = run;
    req->done = done;
    req->arg = arg;
    req->inline_done = inline_done;
    req->worker = w;

    pthread_mutex_lock(&w->lock);
    enum bm_err err = BM_OK;
    if (w->stopping)
        err = bm_err_set(BM_ERR_SHUTDOWN, "worker %s is stopping", w->name);
    else if (w->queued >= w->queue_cap)
        err = bm_err_set(BM_ERR_BUSY, "worker %s queue full (%u)", w->name, w->queue_cap);
    if (err == BM_OK) {
        req->id = ++w->next_id;
        if (w->tail)
            w->tail->next = req;
        else
            w->head = req;
        w->tail = req;
        w->queued++;
        if (id)
            *id = req->id;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    if (err != BM_OK)
        free(req);
    return err;
}

enum bm_err bm_worker_submit(struct bm_worker *w, bm_request_run_fn run, bm_request_done_fn done,
                             void *arg, uint64_t *id)
{
    return submit(w, run, done, arg, false, id);
}

enum bm_err bm_worker_submit_inline(struct bm_worker *w, bm_request_run_fn run,
                                    bm_request_done_fn done, void *arg, uint64_t *id)
{
    return submit(w, run, done, arg, true, id);
}

enum bm_err bm_worker_cancel(struct bm_worker *w, uint64_t id)
{
    struct bm_request *found = NULL;
    pthread_mutex_lock(&w->lock);
    for (struct bm_request **link = &w->head; *link; link = &(*link)->next) {
        if ((*link)->id != id)
            continue;
        found = *link;
        *link = found->next;
        if (w->tail == found) {
            w->tail = NULL;
            for (struct bm_request *r = w->head; r; r = r->next)
                w->tail = r;
        }
        w->queued--;
        break;
    }
    bool running = !found && w->running && w->running->id == id;
    if (running) {
        atomic_store(&w->running->cancelled, true);
        pthread_cond_broadcast(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);

    if (found) {
        found->next = NULL;
        complete(found, BM_ERR_CANCELLED, NULL);
        return BM_OK;
    }
    return running ? BM_OK
                   : bm_err_set(BM_ERR_NOT_FOUND, "no request %llu", (unsigned long long)id);
}

bool bm_request_cancelled(const struct bm_request *req)
{
    return atomic_load(&req->cancelled);
}

bool bm_request_sleep(const struct bm_request *req, unsigned ms)
{
    struct bm_worker *w = req->worker;
    struct timespec ts;
    deadline_in(&ts, ms);
    pthread_mutex_lock(&w->lock);
    while (!atomic_load(&req->cancelled) && pthread_cond_timedwait(&w->wake, &w->lock, &ts) == 0)
        ;
    pthread_mutex_unlock(&w->lock);
    return atomic_load(&req->cancelled);
}

void bm_worker_kick(struct bm_worker *w)
{
    pthread_mutex_lock(&w->lock);
    w->kicked = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void bm_worker_set_tick_ms(struct bm_worker *w, unsigned tick_ms)
{
    pthread_mutex_lock(&w->lock);
    w->tick_ms = tick_ms;
    w->kicked = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}
