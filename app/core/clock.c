/*
 * clock.c - the system clock and a manual clock for tests. See clock.h.
 *
 * The manual clock is advanced by the test thread and read by the code under test on any thread,
 * so its millisecond counter is read and written atomically. Any thread.
 */
#include "clock.h"

static uint64_t system_ms(const struct bm_clock *c)
{
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static time_t system_wall(const struct bm_clock *c)
{
    (void)c;
    return time(NULL);
}

static const struct bm_clock system_clock = {system_ms, system_wall, 0, 0};

const struct bm_clock *bm_clock_system(void)
{
    return &system_clock;
}

static uint64_t manual_ms(const struct bm_clock *c)
{
    return __atomic_load_n(&c->manual_ms, __ATOMIC_ACQUIRE);
}

static time_t manual_wall(const struct bm_clock *c)
{
    return c->manual_wall + (time_t)(manual_ms(c) / 1000u);
}

void bm_clock_init_manual(struct bm_clock *c, uint64_t start_ms, time_t start_wall)
{
    c->monotonic_ms = manual_ms;
    c->wall = manual_wall;
    c->manual_ms = start_ms;
    c->manual_wall = start_wall - (time_t)(start_ms / 1000u);
}

void bm_clock_advance(struct bm_clock *c, uint64_t ms)
{
    __atomic_add_fetch(&c->manual_ms, ms, __ATOMIC_RELEASE);
}
