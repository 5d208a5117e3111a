/*
 * signals.c - the signal thread. See signals.h.
 *
 * The thread waits in sigwait() for SIGTERM, SIGINT or its own stop request (SIGUSR2 sent
 * with pthread_kill by bm_signals_stop). A quit request goes through bm_loop_request_quit,
 * which any thread may call. Main thread: start and stop; the signal thread: the rest.
 */
#include "signals.h"

#include "log.h"
#include "loop.h"

#include <SDL2/SDL_hints.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

static pthread_t thread;
static bool running;
static sigset_t watched;

static void *signal_main(void *ud)
{
    (void)ud;
    for (;;) {
        int sig = 0;
        if (sigwait(&watched, &sig) != 0)
            continue;
        if (sig == SIGUSR2)
            return NULL; /* bm_signals_stop */
        bm_log_notice("signals", "%s received: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        bm_loop_request_quit(0);
    }
}

enum bm_err bm_signals_start(void)
{
    sigemptyset(&watched);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGUSR2);
    /* A signal a parent set to "ignore" is discarded before sigwait could see it: take the
     * default back (blocked, the default never runs). */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    int rc = pthread_sigmask(SIG_BLOCK, &watched, NULL);
    if (rc != 0)
        return bm_err_set(BM_ERR_INTERNAL, "pthread_sigmask: %s", strerror(rc));
    /* Ours replace SDL's: SDL's would never run with the signals blocked anyway. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    rc = pthread_create(&thread, NULL, signal_main, NULL);
    if (rc != 0)
        return bm_err_set(BM_ERR_NO_MEMORY, "signal thread: %s", strerror(rc));
    pthread_setname_np(thread, "signals");
    running = true;
    return BM_OK;
}

void bm_signals_stop(void)
{
    if (!running)
        return;
    pthread_kill(thread, SIGUSR2);
    pthread_join(thread, NULL);
    running = false;
}
