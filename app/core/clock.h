/*
 * clock.h - an injectable clock, so drivers and timers can be tested deterministically.
 *
 * Production code reads time through a struct bm_clock; tests pass a manual clock they advance.
 * Any thread may read a clock; a manual clock is advanced by one thread (the test).
 */
#ifndef BM_CORE_CLOCK_H
#define BM_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

struct bm_clock {
    uint64_t (*monotonic_ms)(const struct bm_clock *c);
    time_t (*wall)(const struct bm_clock *c);
    uint64_t manual_ms; /* used by the manual clock only */
    time_t manual_wall;
};

/* The real clock (CLOCK_MONOTONIC and time()). */
const struct bm_clock *bm_clock_system(void);

/* A clock that stands still until bm_clock_advance. */
void bm_clock_init_manual(struct bm_clock *c, uint64_t start_ms, time_t start_wall);
void bm_clock_advance(struct bm_clock *c, uint64_t ms);

static inline uint64_t bm_clock_ms(const struct bm_clock *c)
{
    return c->monotonic_ms(c);
}
static inline time_t bm_clock_wall(const struct bm_clock *c)
{
    return c->wall(c);
}

#endif
