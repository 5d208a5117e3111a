/*
 * journey_run.c - plays a journey on the running kiosk, one step at a time on the main loop.
 *
 * Nothing here blocks: the loop calls bm_journey_run_pump after each wakeup's frame, and the
 * pump runs steps until one has to wait. Actions (a tap, a card, a page, a demo command) run
 * and end the pump, so the next step looks at a frame drawn after them. Waits and
 * expectations are checked on every pump until they hold or their deadline passes; a
 * repeating loop timer wakes the loop while a journey runs, so a deadline or a file written
 * by a device thread is noticed without anything else happening. Device steps go through the
 * demo console's own commands (demo.c), after the device has finished starting.
 *
 * The log names lines, steps, screens and elements: the script's and the program's words.
 * The texts a step expects are not logged when they hold (a script might expect a resident's
 * name) and no text of the screen is ever logged: a failed "expect text" says which of the
 * script's texts was missing, and which elements the screen offered. Main thread only.
 */
#include "journey_run.h"

#include "flow_internal.h"
#include "journey.h"

#include "core/log.h"
#include "core/loop.h"
#include "drivers/sim/sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 50 /* how often waits are checked when nothing else wakes the loop */

struct bm_journey_run {
    const struct bm_journey *journey;
    struct bm_journey *owned; /* freed at the end (the console's); --journey's is main's */
    bool quit_at_end;
    size_t step;
    bool step_begun;
    int64_t deadline_ms, started_ms, step_started_ms;
    uint32_t tick;
    /* What each sim printer had written when the last `wait printed` for it passed (or when
     * the journey began): a different file since then is a new print. */
    char printed[2][1024];
};

enum outcome {
    ACTED,   /* an action ran: the next step waits for the frame after it */
    PASSED,  /* a check held: go on with the next step now */
    PENDING, /* not yet: look again on the next pump */
    FAILED,  /* why is written */
};

/* Writes why the step failed and says so. */
__attribute__((format(printf, 3, 4))) static enum outcome failed(char *why, size_t size,
                                                                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return FAILED;
}

static const char *lang_code(const struct bm_flow *flow)
{
    return flow->lang == BM_LANG_EN ? "en" : "zh_CN";
}

static const char *screen_now(const struct bm_flow *flow)
{
    return bm_flow_screen_ops(flow->screen)->name;
}

/* Whether the screen called name shows: the screen itself, or a dialog over it (overlay). */
static bool screen_shows(const struct bm_flow *flow, const char *name)
{
    const struct bm_flow_screen_ops *overlay = bm_flow_overlay_ops(flow);
    return strcmp(screen_now(flow), name) == 0 || (overlay && strcmp(overlay->name, name) == 0);
}

static bool element_shown(struct bm_flow *flow, const char *name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_elements(flow, list, BM_SCREEN_MAX_ELEMENTS);
    return bm_screen_find(list, n, name) != NULL;
}

/* The elements the screen offers, as one log line: the program's names, never data. */
static void log_elements(struct bm_flow *flow, const char *journey)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_elements(flow, list, BM_SCREEN_MAX_ELEMENTS);
    char names[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof names; i++) {
        int w = snprintf(names + len, sizeof names - len, "%s%s", i ? " " : "", list[i].name);
        len += w > 0 ? (size_t)w : 0;
    }
    const struct bm_flow_screen_ops *overlay = bm_flow_overlay_ops(flow);
    bm_log_error("journey", "%s: the %s screen%s%s (language %s) offers: %s", journey,
                 screen_now(flow), overlay ? " under " : "", overlay ? overlay->name : "",
                 lang_code(flow), n ? names : "(nothing)");
}

static int printer_slot(const char *which)
{
    return strcmp(which, "document") == 0;
}

static struct bm_device *printer(struct bm_flow *flow, int slot)
{
    return bm_devices_get(flow->devices, slot ? BM_CLASS_DOC_PRINTER : BM_CLASS_RECEIPT_PRINTER);
}

static void last_printed(struct bm_flow *flow, int slot, char *buf, size_t size)
{
    buf[0] = '\0';
    if (bm_sim_last_output(printer(flow, slot), buf, size) != BM_OK)
        buf[0] = '\0';
}

/* The device class a step acts on, and the demo console line that does it. */
static bool device_command(const struct bm_journey *j, const struct bm_journey_step *st,
                           enum bm_device_class *cls, char *line, size_t size)
{
    *cls = BM_CLASS_ID_READER;
    switch (st->op) {
    case BM_JOURNEY_CARD:
        snprintf(line, size, "card %s", st->arg);
        return true;
    case BM_JOURNEY_REMOVE_CARD:
        snprintf(line, size, "remove");
        return true;
    case BM_JOURNEY_SCAN:
        *cls = BM_CLASS_SCANNER;
        if (!st->arg[0])
            snprintf(line, size, "page");
        else if (st->arg[0] == '/')
            snprintf(line, size, "page %s", st->arg);
        else /* pages sit next to the journey */
            snprintf(line, size, "page %s/%s", bm_journey_dir(j), st->arg);
        return true;
    case BM_JOURNEY_REMOVE_PAGE:
        *cls = BM_CLASS_SCANNER;
        snprintf(line, size, "page-remove");
        return true;
    case BM_JOURNEY_CODE:
        *cls = BM_CLASS_BARCODE;
        snprintf(line, size, "code %s", st->arg);
        return true;
    default:
        return false;
    }
}

/* A device step: once its device has finished starting, the demo command runs it. */
static enum outcome act_on_device(struct bm_flow *flow, struct bm_journey_run *r,
                                  const struct bm_journey_step *st, int64_t now, char *why,
                                  size_t size)
{
    enum bm_device_class cls;
    char line[BM_JOURNEY_LINE_MAX + 64];
    if (!device_command(r->journey, st, &cls, line, sizeof line))
        return failed(why, size, "not a device step");
    if (!flow->demo)
        return failed(why, size, "the simulated devices need demo mode (kiosk.mode = demo)");
    struct bm_device_status ds;
    bm_devices_status(flow->devices, cls, &ds);
    if (ds.device == BM_DEVICE_STARTING) {
        if (now < r->deadline_ms)
            return PENDING;
        return failed(why, size, "the %s is still starting", bm_device_class_name(cls));
    }
    if (bm_demo_command(flow->demo, line) != BM_OK)
        return failed(why, size, "%s", bm_err_detail());
    return ACTED;
}

static enum outcome act(struct bm_flow *flow, struct bm_journey_run *r,
                        const struct bm_journey_step *st, int64_t now, char *why, size_t size)
{
    switch (st->op) {
    case BM_JOURNEY_TAP:
        /* The element may come with the next frame (a card read, a screen sliding in). */
        if (!element_shown(flow, st->arg) && now < r->deadline_ms)
            return PENDING;
        if (bm_flow_tap(flow, st->arg) != BM_OK)
            return failed(why, size, "%s", bm_err_detail());
        return ACTED;
    case BM_JOURNEY_VOICE:
        bm_flow_set_voice(flow, strcmp(st->arg, "on") == 0);
        return ACTED;
    case BM_JOURNEY_DEMO:
        if (!flow->demo)
            return failed(why, size, "demo commands need demo mode (kiosk.mode = demo)");
        if (bm_demo_command(flow->demo, st->arg) != BM_OK)
            return failed(why, size, "%s", bm_err_detail());
        return ACTED;
    default:
        return act_on_device(flow, r, st, now, why, size);
    }
}

/* A condition that must come true before the deadline. */
static enum outcome await(bool holds, int64_t now, int64_t deadline)
{
    return holds ? PASSED : now < deadline ? PENDING : FAILED;
}

static enum outcome check(struct bm_flow *flow, struct bm_journey_run *r,
                          const struct bm_journey_step *st, int64_t now, char *why, size_t size)
{
    enum outcome o;
    char file[sizeof r->printed[0]];
    switch (st->op) {
    case BM_JOURNEY_WAIT:
        return now >= r->deadline_ms ? PASSED : PENDING;
    case BM_JOURNEY_WAIT_SCREEN:
        o = await(screen_shows(flow, st->arg), now, r->deadline_ms);
        if (o == FAILED)
            snprintf(why, size, "the %s screen shows, not %s", screen_now(flow), st->arg);
        return o;
    case BM_JOURNEY_EXPECT_TEXT:
        o = await(bm_ui_texts_shown(flow->ui, st->arg), now, r->deadline_ms);
        if (o == FAILED)
            snprintf(why, size, "\"%s\" is not on the %s screen", st->arg, screen_now(flow));
        return o;
    case BM_JOURNEY_EXPECT_NO_TEXT:
        o = await(!bm_ui_texts_shown(flow->ui, st->arg), now, r->deadline_ms);
        if (o == FAILED)
            snprintf(why, size, "\"%s\" is still on the %s screen", st->arg, screen_now(flow));
        return o;
    case BM_JOURNEY_EXPECT_ELEMENT:
        o = await(element_shown(flow, st->arg), now, r->deadline_ms);
        if (o == FAILED)
            snprintf(why, size, "no element %s on the %s screen", st->arg, screen_now(flow));
        return o;
    case BM_JOURNEY_EXPECT_LANGUAGE:
        o = await(strcmp(lang_code(flow), st->arg) == 0, now, r->deadline_ms);
        if (o == FAILED)
            snprintf(why, size, "the screen is in %s, not %s", lang_code(flow), st->arg);
        return o;
    case BM_JOURNEY_WAIT_PRINTED: {
        int slot = printer_slot(st->arg);
        last_printed(flow, slot, file, sizeof file);
        o = await(file[0] && strcmp(file, r->printed[slot]) != 0, now, r->deadline_ms);
        if (o == PASSED)
            snprintf(r->printed[slot], sizeof r->printed[slot], "%s", file);
        if (o == FAILED)
            snprintf(why, size, "the %s printer printed nothing new", st->arg);
        return o;
    }
    default:
        return act(flow, r, st, now, why, size);
    }
}

/* Texts a script expects are not logged (they could be a resident's). */
static bool says_text(enum bm_journey_op op)
{
    return op == BM_JOURNEY_EXPECT_TEXT || op == BM_JOURNEY_EXPECT_NO_TEXT;
}

static void finish(struct bm_flow *flow, bool passed)
{
    struct bm_journey_run *r = flow->journey;
    double s = (double)(bm_flow_mono_ms() - r->started_ms) / 1000.0;
    if (passed)
        bm_log_notice("journey", "%s passed: %zu steps in %.1f s", bm_journey_name(r->journey),
                      bm_journey_count(r->journey), s);
    else
        bm_log_error("journey", "%s FAILED after %.1f s", bm_journey_name(r->journey), s);
    bool quit = r->quit_at_end;
    bm_journey_run_stop(flow);
    if (quit)
        bm_loop_request_quit(passed ? 0 : BM_JOURNEY_EXIT_FAILED);
}

void bm_journey_run_pump(struct bm_flow *flow)
{
    struct bm_journey_run *r = flow->journey;
    if (!r || bm_ui_dirty(flow->ui))
        return; /* checks look at a frame that shows the current state */
    const char *name = bm_journey_name(r->journey);
    while (r->step < bm_journey_count(r->journey)) {
        const struct bm_journey_step *st = bm_journey_step(r->journey, r->step);
        int64_t now = bm_flow_mono_ms();
        if (!r->step_begun) {
            r->step_begun = true;
            r->step_started_ms = now;
            r->deadline_ms = now + st->timeout_ms;
            if (st->timeout_ms == 0)
                r->deadline_ms = now + BM_JOURNEY_DEFAULT_TIMEOUT_MS; /* actions */
            bm_log_info("journey", "%s:%u: %s%s%s", name, st->line, bm_journey_op_name(st->op),
                        st->arg[0] && !says_text(st->op) ? " " : "",
                        says_text(st->op) ? "" : st->arg);
        }
        char why[512] = "";
        enum outcome o = check(flow, r, st, now, why, sizeof why);
        if (o == PENDING)
            return;
        if (o == FAILED) {
            bm_log_error("journey", "%s:%u: %s failed after %.1f s: %s", name, st->line,
                         bm_journey_op_name(st->op), (double)(now - r->step_started_ms) / 1000.0,
                         why);
            log_elements(flow, name);
            finish(flow, false);
            return;
        }
        r->step++;
        r->step_begun = false;
        if (o == ACTED)
            return; /* the tick wakes the loop; the frame after the action comes first */
    }
    finish(flow, true);
}

static bool on_tick(void *ud)
{
    (void)ud;
    return true; /* waking the loop is the point: the pump runs before it sleeps again */
}

enum bm_err bm_journey_run_start(struct bm_flow *flow, const struct bm_journey *j, bool quit_at_end)
{
    if (flow->journey)
        return bm_err_set(BM_ERR_BUSY, "journey %s is running",
                          bm_journey_name(flow->journey->journey));
    struct bm_journey_run *r = calloc(1, sizeof *r);
    if (!r)
        return bm_err_set(BM_ERR_NO_MEMORY, "journey");
    r->journey = j;
    r->quit_at_end = quit_at_end;
    r->started_ms = bm_flow_mono_ms();
    r->tick = bm_loop_timer_add(TICK_MS, true, on_tick, NULL);
    if (!r->tick) {
        free(r);
        return bm_err_set(BM_ERR_NO_MEMORY, "journey: no timer");
    }
    for (int slot = 0; slot < 2; slot++)
        last_printed(flow, slot, r->printed[slot], sizeof r->printed[slot]);
    flow->journey = r;
    bm_ui_texts_record(flow->ui, true); /* and the screen is drawn again */
    bm_log_notice("journey", "%s: %zu steps", bm_journey_name(j), bm_journey_count(j));
    return BM_OK;
}

enum bm_err bm_journey_run_file(struct bm_flow *flow, const char *path)
{
    if (flow->journey)
        return bm_err_set(BM_ERR_BUSY, "journey %s is running",
                          bm_journey_name(flow->journey->journey));
    struct bm_journey *j;
    enum bm_err err = bm_journey_load(path, &j);
    if (err != BM_OK)
        return err;
    err = bm_journey_run_start(flow, j, false);
    if (err != BM_OK) {
        bm_journey_free(j);
        return err;
    }
    flow->journey->owned = j;
    return BM_OK;
}

void bm_journey_run_stop(struct bm_flow *flow)
{
    struct bm_journey_run *r = flow->journey;
    if (!r)
        return;
    flow->journey = NULL;
    bm_loop_timer_cancel(r->tick);
    bm_ui_texts_record(flow->ui, false); /* wipes the words the screens showed */
    bm_journey_free(r->owned);
    free(r);
}
