/*
 * test_loop.c - the main loop: timers, messages from other threads, quit from another
 * thread, shutdown delivering what is queued, and sleeping (not spinning) while idle.
 */
#include "test_support.h"

#include "core/loop.h"

#include <SDL2/SDL.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
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

struct counter {
    int fired;
    int stop_after;
};

static bool count_timer(void *ud)
{
    struct counter *c = ud;
    c->fired++;
    return c->fired < c->stop_after;
}

static bool counter_reached(void *ud)
{
    struct counter *c = ud;
    return c->fired >= c->stop_after;
}

static bool never(void *ud)
{
    return false;
}

static void test_timers(void **state)
{
    struct counter once = {.stop_after = 1}, rep = {.stop_after = 5}, cancelled = {.stop_after = 1};
    uint64_t t0 = SDL_GetTicks64();
    assert_true(bm_loop_timer_add(30, false, count_timer, &once) > 0);
    assert_true(bm_loop_timer_add(10, true, count_timer, &rep) > 0);
    uint32_t id = bm_loop_timer_add(20, false, count_timer, &cancelled);
    bm_loop_timer_cancel(id);

    assert_true(bm_loop_run_until(counter_reached, &rep, 20000));
    assert_true(SDL_GetTicks64() - t0 >= 50);
    bm_loop_run_until(never, NULL, 60);
    assert_int_equal(once.fired, 1);
    assert_int_equal(rep.fired, 5); /* returned false on the 5th: stopped */
    assert_int_equal(cancelled.fired, 0);
}

enum { THREADS = 4, PER_THREAD = 500 };
static int received[THREADS];
static atomic_int total;

static void on_message(void *msg)
{
    int *m = msg;
    int thread = m[0], seq = m[1];
    /* Messages from one thread arrive in the order they were posted. */
    assert_int_equal(received[thread], seq);
    received[thread]++;
    atomic_fetch_add(&total, 1);
    free(m);
}

static int poster(void *ud)
{
    int thread = (int)(intptr_t)ud;
    for (int i = 0; i < PER_THREAD; i++) {
        int *m = malloc(2 * sizeof *m);
        m[0] = thread;
        m[1] = i;
        while (bm_loop_post(on_message, m) != BM_OK)
            SDL_Delay(1); /* SDL's queue holds 65535 events; never expected here */
    }
    return 0;
}

static bool all_received(void *ud)
{
    return atomic_load(&total) == THREADS * PER_THREAD;
}

static void test_messages_from_threads(void **state)
{
    memset(received, 0, sizeof received);
    atomic_store(&total, 0);
    SDL_Thread *t[THREADS];
    for (int i = 0; i < THREADS; i++)
        t[i] = SDL_CreateThread(poster, "poster", (void *)(intptr_t)i);
    assert_true(bm_loop_run_until(all_received, NULL, 5000));
    for (int i = 0; i < THREADS; i++)
        SDL_WaitThread(t[i], NULL);
    struct bm_loop_stats st;
    bm_loop_get_stats(&st);
    assert_true(st.messages >= THREADS * PER_THREAD);
}

static int quitter(void *ud)
{
    SDL_Delay(50);
    bm_loop_request_quit(42);
    return 0;
}

static void test_quit_from_another_thread(void **state)
{
    SDL_Thread *t = SDL_CreateThread(quitter, "quitter", NULL);
    uint64_t t0 = SDL_GetTicks64();
    assert_int_equal(bm_loop_run(), 42);
    assert_true(SDL_GetTicks64() - t0 < 15000); /* woke; did not wait out the 60 s idle wait */
    SDL_WaitThread(t, NULL);
    assert_true(bm_loop_quitting());
}

static int delivered;
static void count_delivery(void *msg)
{
    delivered++;
    free(msg);
}

static void test_shutdown_delivers_then_refuses(void **state)
{
    delivered = 0;
    for (int i = 0; i < 10; i++)
        assert_int_equal(bm_loop_post(count_delivery, malloc(8)), BM_OK);
    bm_loop_shutdown();
    assert_int_equal(delivered, 10);
    void *m = malloc(8);
    assert_int_equal(bm_loop_post(count_delivery, m), BM_ERR_SHUTDOWN);
    free(m); /* refused: still ours */
    /* teardown's second shutdown is harmless */
}

static void test_sdl_quit_event_stops_run(void **state)
{
    SDL_Event ev = {.type = SDL_QUIT};
    SDL_PushEvent(&ev);
    assert_int_equal(bm_loop_run(), 0);
}

static bool quit_now(void *ud)
{
    (void)ud;
    bm_loop_request_quit(7);
    return false;
}

static void test_idle_wakes_rarely(void **state)
{
    struct bm_loop_stats before, after;
    bm_loop_get_stats(&before);
    assert_true(bm_loop_timer_add(1000, false, quit_now, NULL) != 0);
    assert_int_equal(bm_loop_run(), 7);
    bm_loop_get_stats(&after);
    /* Without a display's input the loop sleeps until the next timer: a second idle is one
     * wakeup, perhaps two, where sleeping in slices of 100 ms took ten. */
    assert_true(after.wakeups - before.wakeups <= 3);
}

static atomic_bool pushed_seen;

static void see_pushed(const SDL_Event *ev, void *ud)
{
    if (ev->type == *(const Uint32 *)ud) {
        atomic_store(&pushed_seen, true);
        bm_loop_request_quit(0);
    }
}

static int push_later(void *ud)
{
    SDL_Delay(200);
    SDL_Event ev = {.type = *(const Uint32 *)ud};
    SDL_PushEvent(&ev);
    return 0;
}

/* An event another thread pushes straight into SDL's queue (not through bm_loop_post) wakes
 * the sleeping loop at once, though no timer is due. */
static void test_pushed_event_wakes_loop(void **state)
{
    static Uint32 type;
    type = SDL_RegisterEvents(1);
    bm_loop_shutdown();
    assert_int_equal(bm_loop_init(see_pushed, &type), BM_OK);
    atomic_store(&pushed_seen, false);
    SDL_Thread *t = SDL_CreateThread(push_later, "push", &type);
    assert_non_null(t);
    assert_true(bm_loop_timer_add(20000, false, quit_now, NULL) != 0); /* a bound */
    Uint64 t0 = SDL_GetTicks64();
    bm_loop_run();
    Uint64 took = SDL_GetTicks64() - t0;
    assert_true(atomic_load(&pushed_seen));
    SDL_WaitThread(t, NULL);
    /* Asleep until the deadline it would take 20 s; loosely: well before that. */
    assert_true(took < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_from_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quit_from_another_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_delivers_then_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sdl_quit_event_stops_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_wakes_rarely, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pushed_event_wakes_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
