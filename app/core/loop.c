/*
 * loop.c - the main thread's event loop. See loop.h.
 *
 * Design: one registered SDL user event type carries every cross-thread message as a small
 * heap envelope {handler, message}. Under X11 and Wayland the loop blocks in
 * SDL_WaitEventTimeout with the time left to the next timer, so an idle kiosk wakes only for
 * input, messages and due timers. Other SDL video drivers (kmsdrm, offscreen, none at all)
 * cannot block: SDL 2.26 then polls every millisecond, which costs a quarter of a core while
 * idle. There the loop sleeps on its own semaphore, which bm_loop_post signals and so does
 * every event anyone pushes into SDL's queue (an event watch), and pumps SDL's input every
 * INPUT_POLL_MS. A driver without input of its own (offscreen, dummy: only pushed events)
 * sleeps until the next timer: an idle headless kiosk wakes for its clock only.
 * Signals arrive as messages too (signals.c). Timers live in a small fixed table scanned on each
 * wakeup: there are a handful of them (clock tick, inactivity, animations), so a heap would buy
 * nothing.
 *
 * A mutex orders posting against shutdown: bm_loop_shutdown delivers what is queued and stops
 * accepting under it, so no envelope can slip in behind: nothing posted is lost or leaked, and
 * every worker completion is delivered exactly once.
 *
 * bm_loop_post, bm_loop_request_quit and bm_loop_quitting: any thread.
 * Everything else: the main thread.
 */
#include "loop.h"

#include "log.h"

#include <SDL2/SDL.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIMERS 64
/* Even with nothing scheduled, wake now and then: a lost wakeup can never stall the kiosk. */
#define MAX_WAIT_MS 60000
/* Where SDL cannot block and the driver has input (kmsdrm reads evdev only when pumped), how
 * often input is pumped: a touch waits at most this long. */
#define INPUT_POLL_MS 20
/* How long a wakeup by a pushed event waits for it to be in the queue. */
#define PUSH_GRACE_MS 20
/* How often bm_loop_run_until asks its condition again when nothing woke the loop. */
#define RUN_UNTIL_RECHECK_MS 100

struct envelope {
    bm_loop_msg_fn fn; /* NULL: a wakeup only (quit request) */
    void *msg;
};

struct timer {
    uint32_t id; /* 0: free slot */
    uint64_t due;
    uint32_t period; /* 0: one-shot */
    bm_loop_timer_fn fn;
    void *ud;
};

static struct {
    bool ready;
    Uint32 event_type;
    bm_loop_event_fn on_event;
    void *on_event_ud;
    void (*before_wait)(void *ud);
    void *before_wait_ud;
    struct timer timers[MAX_TIMERS];
    uint32_t next_timer_id;
    struct bm_loop_stats stats;
} loop;

static SDL_mutex *post_lock;
static SDL_sem *wake; /* posted with every message, for drivers SDL cannot block on */
static atomic_bool accepting;
static atomic_bool quit_requested;
static atomic_int quit_code;

/* Wakes a loop asleep on the semaphore: an event was pushed, from any thread (SDL calls
 * watches from SDL_PushEvent, where driver-less events such as a test's taps come in). */
static int wake_on_push(void *ud, SDL_Event *ev)
{
    (void)ud;
    if (ev->type == SDL_POLLSENTINEL)
        return 0; /* SDL_PollEvent's own marker, pushed on every poll */
    if (wake && SDL_SemValue(wake) == 0)
        SDL_SemPost(wake);
    return 0;
}

enum bm_err bm_loop_init(bm_loop_event_fn on_event, void *ud)
{
    if (loop.ready)
        return bm_err_set(BM_ERR_STATE, "event loop already initialised");
    if (!SDL_WasInit(SDL_INIT_EVENTS))
        return bm_err_set(BM_ERR_STATE, "SDL events are not initialised");
    Uint32 type = SDL_RegisterEvents(1);
    if (type == (Uint32)-1)
        return bm_err_set(BM_ERR_NO_MEMORY, "no SDL user event type left");
    if (!post_lock && !(post_lock = SDL_CreateMutex()))
        return bm_err_set(BM_ERR_NO_MEMORY, "SDL_CreateMutex: %s", SDL_GetError());
    if (!wake && !(wake = SDL_CreateSemaphore(0)))
        return bm_err_set(BM_ERR_NO_MEMORY, "SDL_CreateSemaphore: %s", SDL_GetError());
    SDL_DelEventWatch(wake_on_push, NULL);
    SDL_AddEventWatch(wake_on_push, NULL);
    memset(&loop, 0, sizeof loop);
    loop.event_type = type;
    loop.on_event = on_event;
    loop.on_event_ud = ud;
    loop.ready = true;
    atomic_store(&quit_requested, false);
    atomic_store(&quit_code, 0);
    atomic_store(&accepting, true);
    return BM_OK;
}

static void deliver(struct envelope *env)
{
    if (env->fn) {
        loop.stats.messages++;
        env->fn(env->msg);
    }
    free(env);
}

void bm_loop_shutdown(void)
{
    if (!loop.ready)
        return;
    for (;;) {
        SDL_Event ev;
        SDL_LockMutex(post_lock);
        if (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, loop.event_type, loop.event_type) != 1) {
            atomic_store(&accepting, false);
            SDL_UnlockMutex(post_lock);
            break;
        }
        SDL_UnlockMutex(post_lock);
        deliver(ev.user.data1); /* unlocked: a handler may post again */
    }
    SDL_DelEventWatch(wake_on_push, NULL);
    loop.ready = false;
}

enum bm_err bm_loop_post(bm_loop_msg_fn fn, void *msg)
{
    struct envelope *env = malloc(sizeof *env);
    if (!env)
        return bm_err_set(BM_ERR_NO_MEMORY, "loop message");
    *env = (struct envelope){fn, msg};

    enum bm_err err = BM_OK;
    SDL_LockMutex(post_lock);
    if (!atomic_load(&accepting)) {
        err = bm_err_set(BM_ERR_SHUTDOWN, "event loop stopped");
    } else {
        SDL_Event ev = {0};
        ev.type = loop.event_type;
        ev.user.data1 = env;
        if (SDL_PushEvent(&ev) != 1)
            err = bm_err_set(BM_ERR_NO_MEMORY, "SDL_PushEvent: %s", SDL_GetError());
        else if (SDL_SemValue(wake) == 0)
            SDL_SemPost(wake); /* one pending wakeup is enough */
    }
    SDL_UnlockMutex(post_lock);
    if (err != BM_OK)
        free(env); /* the caller keeps msg, as documented */
    return err;
}

uint32_t bm_loop_timer_add(uint32_t delay_ms, bool repeat, bm_loop_timer_fn fn, void *ud)
{
    for (int i = 0; i < MAX_TIMERS; i++) {
        struct timer *t = &loop.timers[i];
        if (t->id)
            continue;
        if (++loop.next_timer_id == 0)
            loop.next_timer_id = 1;
        *t = (struct timer){loop.next_timer_id, SDL_GetTicks64() + delay_ms,
                            repeat ? (delay_ms ? delay_ms : 1) : 0, fn, ud};
        return t->id;
    }
    bm_log_error("loop", "timer table full (%d)", MAX_TIMERS);
    return 0;
}

void bm_loop_timer_cancel(uint32_t id)
{
    for (int i = 0; id && i < MAX_TIMERS; i++)
        if (loop.timers[i].id == id)
            loop.timers[i].id = 0;
}

/* Milliseconds until the next timer is due (0 if one is due), capped at limit. */
static uint32_t time_to_next_timer(uint64_t now, uint32_t limit)
{
    uint64_t wait = limit;
    for (int i = 0; i < MAX_TIMERS; i++) {
        const struct timer *t = &loop.timers[i];
        if (t->id && t->due <= now)
            return 0;
        if (t->id && t->due - now < wait)
            wait = t->due - now;
    }
    return (uint32_t)wait;
}

static void fire_due_timers(void)
{
    uint64_t now = SDL_GetTicks64();
    for (int i = 0; i < MAX_TIMERS; i++) {
        struct timer *t = &loop.timers[i];
        if (!t->id || t->due > now)
            continue;
        uint32_t id = t->id;
        loop.stats.timers_fired++;
        bool keep = t->fn(t->ud);
        /* The callback may have cancelled this timer or reused the slot. */
        if (t->id != id)
            continue;
        if (keep && t->period) {
            /* Skip missed periods rather than firing a burst after a stall. */
            t->due += t->period;
            if (t->due <= now)
                t->due = now + t->period;
        } else {
            t->id = 0;
        }
    }
}

static void dispatch(const SDL_Event *ev)
{
    if (ev->type == loop.event_type) {
        deliver(ev->user.data1);
        return;
    }
    loop.stats.sdl_events++;
    if (ev->type == SDL_QUIT && !atomic_load(&quit_requested)) {
        atomic_store(&quit_code, 0);
        atomic_store(&quit_requested, true);
    }
    if (loop.on_event)
        loop.on_event(ev, loop.on_event_ud);
}

/* How the current SDL video driver lets the loop sleep. */
enum wait_kind { WAIT_SDL, WAIT_SEM_INPUT, WAIT_SEM_NO_INPUT };

static enum wait_kind wait_kind(void)
{
    const char *driver = SDL_GetCurrentVideoDriver(); /* NULL until video is initialised */
    if (!driver || strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0)
        return WAIT_SEM_NO_INPUT;
    if (strcmp(driver, "x11") == 0 || strcmp(driver, "wayland") == 0)
        return WAIT_SDL;
    return WAIT_SEM_INPUT;
}

/* Waits up to wait_ms for an event; 1 and *ev filled if one came. */
static int wait_event(SDL_Event *ev, uint32_t wait_ms)
{
    int got = SDL_PollEvent(ev);
    if (got || wait_ms == 0)
        return got;
    enum wait_kind kind = wait_kind();
    if (kind == WAIT_SDL)
        return SDL_WaitEventTimeout(ev, (int)wait_ms);
    uint32_t slice = kind == WAIT_SEM_INPUT ? INPUT_POLL_MS : wait_ms;
    bool woken = SDL_SemWaitTimeout(wake, wait_ms < slice ? wait_ms : slice) == 0;
    got = SDL_PollEvent(ev);
    /* SDL calls event watches just before it queues the event: woken by one, the event may
     * be a moment behind. */
    for (int i = 0; woken && !got && i < PUSH_GRACE_MS; i++) {
        SDL_Delay(1);
        got = SDL_PollEvent(ev);
    }
    return got;
}

/* One wakeup: wait up to limit_ms (less if a timer is due), handle everything pending. */
static void iterate(uint32_t limit_ms)
{
    SDL_Event ev;
    uint32_t wait = time_to_next_timer(SDL_GetTicks64(), limit_ms);
    int got = wait_event(&ev, wait);
    loop.stats.wakeups++;
    while (got) {
        dispatch(&ev);
        got = SDL_PollEvent(&ev);
    }
    fire_due_timers();
    if (loop.before_wait)
        loop.before_wait(loop.before_wait_ud);
}

void bm_loop_set_before_wait(void (*fn)(void *ud), void *ud)
{
    loop.before_wait = fn;
    loop.before_wait_ud = ud;
}

int bm_loop_run(void)
{
    while (!atomic_load(&quit_requested))
        iterate(MAX_WAIT_MS);
    return atomic_load(&quit_code);
}

bool bm_loop_run_until(bool (*done)(void *ud), void *ud, uint32_t timeout_ms)
{
    uint64_t deadline = SDL_GetTicks64() + timeout_ms;
    while (!done(ud)) {
        uint64_t now = SDL_GetTicks64();
        if (now >= deadline || atomic_load(&quit_requested))
            break;
        /* done may watch what another thread changes without a message: look again soon. */
        uint64_t left = deadline - now;
        iterate(left < RUN_UNTIL_RECHECK_MS ? (uint32_t)left : RUN_UNTIL_RECHECK_MS);
    }
    return done(ud);
}

void bm_loop_request_quit(int code)
{
    atomic_store(&quit_code, code);
    atomic_store(&quit_requested, true);
    /* Wake the loop if it sleeps; harmless if the loop has stopped accepting. */
    if (bm_loop_post(NULL, NULL) != BM_OK)
        bm_err_clear();
}

bool bm_loop_quitting(void)
{
    return atomic_load(&quit_requested);
}

void bm_loop_get_stats(struct bm_loop_stats *out)
{
    *out = loop.stats;
}
