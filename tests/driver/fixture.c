/*
 * fixture.c - shared set-up and recorders for the driver tests. See fixture.h. Main thread.
 */
#include "fixture.h"

#include "core/loop.h"
#include "core/secbuf.h"

#include <SDL2/SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fx fixture;

void fx_global_init(void)
{
    if (SDL_Init(SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        exit(1);
    }
    if (bm_loop_init(NULL, NULL) != BM_OK) {
        fprintf(stderr, "bm_loop_init: %s\n", bm_err_detail());
        exit(1);
    }
}

void fx_global_fini(void)
{
    bm_loop_shutdown();
    SDL_Quit();
}

static void on_event(struct bm_device_event *ev, void *ud)
{
    struct fx *f = ud;
    if (f->n_events < FX_MAX_EVENTS)
        f->events[f->n_events++] = ev;
    else
        bm_device_event_free(ev);
}

struct fx *fx_setup(void)
{
    struct fx *f = &fixture;
    memset(f, 0, sizeof *f);
    f->cfg = bm_config_defaults();
    assert_non_null(f->cfg);
    snprintf(f->out_dir, sizeof f->out_dir, "%s", bm_test_mkdtemp("sim-out"));
    assert_int_equal(bm_config_set(f->cfg, "sim", "output_dir", f->out_dir), BM_OK);
    /* 2026-06-15 10:00 UTC: a fixed date, so ages and validity are reproducible. */
    bm_clock_init_manual(&f->clock, 1000, (time_t)1781517600);
    return f;
}

static void free_result(struct fx_cmd *k)
{
    /* The slot does not know the result's type: the tests free typed results themselves and
     * set result to NULL; anything left here is a test bug. */
    assert_null(k->result);
}

void fx_teardown(struct fx *f)
{
    fx_pump(20); /* anything still in flight shows up as an extra call or event */
    for (int i = 0; i < f->n_events; i++)
        bm_device_event_free(f->events[i]);
    for (int i = 0; i < f->n_cmds; i++) {
        free_result(&f->cmds[i]);
        assert_true(f->cmds[i].calls <= 1);
    }
    bm_config_free(f->cfg);
    f->n_events = 0;
    f->n_cmds = 0;
}

struct bm_device *fx_open(struct fx *f, enum bm_device_class cls)
{
    return fx_open_clock(f, cls, &f->clock);
}

struct bm_device *fx_open_clock(struct fx *f, enum bm_device_class cls,
                                const struct bm_clock *clock)
{
    struct bm_device_params p = {.cfg = f->cfg, .clock = clock, .on_event = on_event, .ud = f};
    struct bm_device *dev = NULL;
    assert_int_equal(bm_registry_open(cls, &p, &dev), BM_OK);
    assert_non_null(dev);
    for (int i = 0; i < 1000; i++) {
        struct bm_device_status st;
        bm_device_get_status(dev, cls, &st);
        if (st.device != BM_DEVICE_STARTING)
            return dev;
        fx_pump(10);
    }
    fail_msg("device did not start");
    return NULL;
}

struct fx_cmd *fx_cmd(struct fx *f)
{
    assert_true(f->n_cmds < FX_MAX_CMDS);
    struct fx_cmd *k = &f->cmds[f->n_cmds++];
    memset(k, 0, sizeof *k);
    return k;
}

void fx_done(const struct bm_completion *c, void *ud)
{
    struct fx_cmd *k = ud;
    k->calls++;
    k->c = *c;
}

void fx_done_identity(const struct bm_completion *c, struct bm_identity *id, void *ud)
{
    struct fx_cmd *k = ud;
    fx_done(c, ud);
    k->result = id;
}

void fx_done_image(const struct bm_completion *c, struct bm_scan_image *img, void *ud)
{
    struct fx_cmd *k = ud;
    fx_done(c, ud);
    k->result = img;
}

void fx_done_code(const struct bm_completion *c, struct bm_barcode_read *code, void *ud)
{
    struct fx_cmd *k = ud;
    fx_done(c, ud);
    k->result = code;
}

static bool cmd_done(void *ud)
{
    return ((struct fx_cmd *)ud)->calls > 0;
}

static bool never(void *ud)
{
    (void)ud;
    return false;
}

void fx_pump(unsigned ms)
{
    bm_loop_run_until(never, NULL, ms);
}

bool fx_wait_cmd(struct fx_cmd *k)
{
    bool ok = bm_loop_run_until(cmd_done, k, FX_WAIT_MS);
    fx_pump(20);
    return ok && k->calls == 1;
}

struct ev_wait {
    struct fx *f;
    int n;
};

static bool enough_events(void *ud)
{
    struct ev_wait *w = ud;
    return w->f->n_events >= w->n;
}

bool fx_wait_events(struct fx *f, int n)
{
    struct ev_wait w = {f, n};
    return bm_loop_run_until(enough_events, &w, FX_WAIT_MS);
}

int fx_wait_event(struct fx *f, int from, enum bm_device_event_kind kind)
{
    for (int tries = 0; tries < FX_WAIT_MS / 10; tries++) {
        for (int i = from; i < f->n_events; i++)
            if (f->events[i]->kind == kind)
                return i;
        fx_pump(10);
    }
    return -1;
}

bool fx_wait_status(struct bm_device *dev, bool (*pred)(const struct bm_device_status *st))
{
    for (int tries = 0; tries < FX_WAIT_MS / 10; tries++) {
        struct bm_device_status st;
        bm_device_get_status(dev, bm_device_class(dev), &st);
        if (pred(&st))
            return true;
        fx_pump(10);
    }
    return false;
}

bool fx_wait_running(struct bm_device *dev, uint64_t id)
{
    for (int tries = 0; tries < FX_WAIT_MS / 10; tries++) {
        if (bm_device_running(dev) == id)
            return true;
        fx_pump(10);
    }
    return false;
}
