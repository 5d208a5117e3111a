/*
 * signals.h - SIGTERM and SIGINT become a clean quit of the event loop.
 *
 * The signals are blocked in every thread and taken by one thread in sigwait(), which asks
 * the loop to quit: no code runs in signal context, and the loop is woken however it sleeps
 * (SDL's own handlers only set a flag that is seen at the next pump, which a sleeping kiosk
 * may not do for a long time). Call bm_signals_start from main before any other thread
 * exists (SDL's included), so every thread inherits the blocked mask.
 */
#ifndef BM_CORE_SIGNALS_H
#define BM_CORE_SIGNALS_H

#include "err.h"

enum bm_err bm_signals_start(void);
/* Stops and joins the signal thread. Safe if never started. */
void bm_signals_stop(void);

#endif
