/*
 * test_worker.c - worker threads: exactly-once completion on the main thread, cancel of queued
 * and running requests, queue cap, shutdown with work pending, ticks and kicks.
 */
#include "test_support.h"

#include "core/loop.h"
#include "core/worker.h"

#include <SDL2/SDL.h>
#include <stdatomic.h>
#include <stdlib.h>

static SDL_threadID main_thread;

struct job {
    int index;
    unsigned sleep_ms;      /* run sleeps this long (cancellable) */
    atomic_int ran;
    atomic_int done_calls;
    enum bm_err err;
    bool done_on_main;
    int *order;             /* where done writes its index */
    int *order_len;
};

static enum bm_err run_job(struct bm_request *req, void *arg, void **result)
{
    struct job *j = arg;
    atomic_fetch_add(&j->ran, 1);
    if (j->sleep_ms && bm_request_sleep(req, j->sleep_ms))
        return BM_ERR_CANCELLED;
    int *r = malloc(sizeof *r);
    *r = j->index * 10;
    *result = r;
    return BM_OK;
}

static void job_done(enum bm_err err, void *result, void *arg)
{
    struct job *j = arg;
    atomic_fetch_add(&j->done_calls, 1);
    j->err = err;
    j->done_on_main = SDL_ThreadID() == main_thread;
    if (result)
        assert_int_equal(*(int *)result, j->index * 10);
    free(result);
    if (j->order)
        j->order[(*j->order_len)++] = j->index;
}

struct all_done {
    struct job *jobs;
    int n;
};

static bool jobs_done(void *ud)
{
    struct all_done *a = ud;
    for (int i = 0; i < a->n; i++)
        if (atomic_load(&a->jobs[i].done_calls) == 0)
            return false;
    return true;
}

static int setup(void **state)
{
    main_thread = SDL_ThreadID();
    assert_int_equal(SDL_Init(SDL_INIT_EVENTS), 0);
    assert_int_equal(bm_loop_init(NULL, NULL), BM_OK);
    return 0;
}

static int teardown(void **state)
{
    bm_loop_shutdown();
    SDL_Quit();
    return 0;
}

static void test_completes_in_order_on_main_thread(void **state)
{
    struct bm_worker *w;
    assert_int_equal(bm_worker_create(&(struct bm_worker_config){.name = "t"}, &w), BM_OK);
    enum { N = 50 };
    struct job jobs[N] = {0};
    int order[N], order_len = 0;
    for (int i = 0; i < N; i++) {
        jobs[i].index = i;
        jobs[i].order = order;
        jobs[i].order_len = &order_len;
        uint64_t id = 0;
        assert_int_equal(bm_worker_submit(w, run_job, job_done, &jobs[i], &id), BM_OK);
        assert_true(id > 0);
    }
    assert_true(bm_loop_run_until(jobs_done, &(struct all_done){jobs, N}, 5000));
    for (int i = 0; i < N; i++) {
        assert_int_equal(atomic_load(&jobs[i].done_calls), 1);
        assert_int_equal(jobs[i].err, BM_OK);
        assert_true(jobs[i].done_on_main);
        assert_int_equal(order[i], i);
    }
    bm_worker_destroy(w);
    for (int i = 0; i < N; i++)
        assert_int_equal(atomic_load(&jobs[i].done_calls), 1);
}

static void test_cancel_queued_and_running(void **state)
{
    struct bm_worker *w;
    assert_int_equal(bm_worker_create(&(struct bm_worker_config){.name = "t"}, &w), BM_OK);
    struct job slow = {.index = 1, .sleep_ms = 30000}, queued = {.index = 2};
    uint64_t slow_id, queued_id;
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &slow, &slow_id), BM_OK);
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &queued, &queued_id), BM_OK);
    while (atomic_load(&slow.ran) == 0)
        SDL_Delay(1);

    assert_int_equal(bm_worker_cancel(w, queued_id), BM_OK);
    uint64_t t0 = SDL_GetTicks64();
    assert_int_equal(bm_worker_cancel(w, slow_id), BM_OK);
    assert_true(bm_loop_run_until(jobs_done, &(struct all_done){&slow, 1}, 2000));
    assert_true(bm_loop_run_until(jobs_done, &(struct all_done){&queued, 1}, 2000));
    assert_true(SDL_GetTicks64() - t0 < 15000); /* the 30 s sleep was cut short */

    assert_int_equal(slow.err, BM_ERR_CANCELLED);
    assert_int_equal(queued.err, BM_ERR_CANCELLED);
    assert_int_equal(atomic_load(&queued.ran), 0);
    /* Cancelling again, or an unknown id, finds nothing. */
    assert_int_equal(bm_worker_cancel(w, queued_id), BM_ERR_NOT_FOUND);
    assert_int_equal(bm_worker_cancel(w, 999999), BM_ERR_NOT_FOUND);
    bm_worker_destroy(w);
    assert_int_equal(atomic_load(&slow.done_calls), 1);
    assert_int_equal(atomic_load(&queued.done_calls), 1);
}

static void test_queue_cap(void **state)
{
    struct bm_worker *w;
    assert_int_equal(
        bm_worker_create(&(struct bm_worker_config){.name = "t", .queue_cap = 2}, &w), BM_OK);
    struct job slow = {.index = 0, .sleep_ms = 30000}, a = {.index = 1}, b = {.index = 2},
               c = {.index = 3};
    uint64_t slow_id;
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &slow, &slow_id), BM_OK);
    while (atomic_load(&slow.ran) == 0)
        SDL_Delay(1);
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &a, NULL), BM_OK);
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &b, NULL), BM_OK);
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &c, NULL), BM_ERR_BUSY);
    bm_worker_cancel(w, slow_id);
    assert_true(bm_loop_run_until(jobs_done, &(struct all_done){&b, 1}, 2000));
    bm_worker_destroy(w);
    assert_int_equal(atomic_load(&c.done_calls), 0); /* refused: never completes */
    assert_int_equal(atomic_load(&a.done_calls), 1);
    assert_int_equal(a.err, BM_OK);
}

static void test_destroy_with_pending_work(void **state)
{
    struct bm_worker *w;
    assert_int_equal(bm_worker_create(&(struct bm_worker_config){.name = "t"}, &w), BM_OK);
    struct job slow = {.index = 0, .sleep_ms = 30000};
    struct job rest[5] = {0};
    assert_int_equal(bm_worker_submit(w, run_job, job_done, &slow, NULL), BM_OK);
    for (int i = 0; i < 5; i++) {
        rest[i].index = i + 1;
        assert_int_equal(bm_worker_submit(w, run_job, job_done, &rest[i], NULL), BM_OK);
    }
    while (atomic_load(&slow.ran) == 0)
        SDL_Delay(1);
    bm_worker_destroy(w); /* must not wait 30 s */
    assert_true(bm_loop_run_until(jobs_done, &(struct all_done){rest, 5}, 2000));
    assert_true(bm_loop_run_until(jobs_done, &(struct all_done){&slow, 1}, 2000));
    assert_int_equal(slow.err, BM_ERR_CANCELLED);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(atomic_load(&rest[i].done_calls), 1);
        assert_int_equal(rest[i].err, BM_ERR_SHUTDOWN);
        assert_int_equal(atomic_load(&rest[i].ran), 0);
    }
}

static void test_inline_done_runs_on_worker(void **state)
{
    struct bm_worker *w;
    assert_int_equal(bm_worker_create(&(struct bm_worker_config){.name = "t"}, &w), BM_OK);
    struct job j = {.index = 7};
    assert_int_equal(bm_worker_submit_inline(w, run_job, job_done, &j, NULL), BM_OK);
    while (atomic_load(&j.done_calls) == 0)
        SDL_Delay(1);
    assert_false(j.done_on_main);
    assert_int_equal(j.err, BM_OK);
    bm_worker_destroy(w);
}

static atomic_int ticks;
static void count_tick(void *ud)
{
    atomic_fetch_add(&ticks, 1);
}

static void test_tick_and_kick(void **state)
{
    struct bm_worker *w;
    atomic_store(&ticks, 0);
    assert_int_equal(bm_worker_create(&(struct bm_worker_config){.name = "t", .tick_ms = 20,
                                                                  .tick = count_tick},
                                      &w),
                     BM_OK);
    /* Ticks come about every 20 ms: wait for three (generously, the machine may be busy)
     * and check they did not come faster than the interval allows (no spinning). */
    uint64_t t0 = SDL_GetTicks64();
    while (atomic_load(&ticks) < 3 && SDL_GetTicks64() - t0 < 15000)
        SDL_Delay(5);
    uint64_t elapsed = SDL_GetTicks64() - t0;
    int n = atomic_load(&ticks);
    assert_true(n >= 3);
    assert_true((uint64_t)n <= elapsed / 20 + 2);

    bm_worker_set_tick_ms(w, 0); /* ticks only when kicked now */
    SDL_Delay(50);
    int before = atomic_load(&ticks);
    SDL_Delay(100);
    assert_int_equal(atomic_load(&ticks), before);
    bm_worker_kick(w);
    for (int i = 0; i < 1000 && atomic_load(&ticks) == before; i++)
        SDL_Delay(1);
    assert_int_equal(atomic_load(&ticks), before + 1);
    bm_worker_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_completes_in_order_on_main_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_queued_and_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_with_pending_work, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_done_runs_on_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tick_and_kick, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
