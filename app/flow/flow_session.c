/*
 * flow_session.c - how long a session lasts, and the dialogs over the current screen.
 *
 * Lifetime: every touch starts the inactivity timer again ([session] timeout_s). When it runs
 * out, "are you still there?" opens over whatever shows, with a countdown of
 * [session] countdown_s. Only its two buttons act: "Yes, continue" closes it and the session
 * goes on with its data; "End session now", or the countdown reaching zero, ends the session
 * (flow.c's end_session: the resident's data wiped, the attract screen). A touch beside the
 * buttons does nothing, so nobody ends or keeps a session by accident. The countdown wakes the
 * loop once a second, and only while it shows: an idle kiosk stays asleep.
 *
 * Overlays: a dialog over the screen (screens/overlay.h) is drawn after the screen, and while
 * it shows its buttons are the only elements the flow hit-tests, taps by name included. Its
 * spoken prompt replaces the screen's while voice or elderly mode is on. Showing a screen
 * closes any dialog. Help and the hotline open from anywhere (home's 求助 and 热线); a
 * resident aged 65 or more is offered elderly mode and staff once a session when their ID
 * card is read. Their age is worked out here and forgotten: neither it nor the birth date is
 * ever logged or kept.
 *
 * Main thread only.
 */
#include "catalog_view.h"
#include "flow_internal.h"

#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "screens/overlay.h"
#include "ui/widgets.h"

#include <time.h>

/* The age from which a resident is offered elderly mode (issue 3, point 7). */
#define ELDERLY_AGE 65

/* ---- the overlays as the flow draws them ---- */

static void fill_overlay(const struct bm_flow *flow, struct bm_overlay_vm *vm)
{
    *vm = (struct bm_overlay_vm){
        .kind = flow->overlay,
        .lang = flow->lang,
        .elderly = flow->elderly,
        .hotline = flow->kiosk.hotline,
        .reader_out = !(bm_devices_usable(flow->devices) & BM_DEVICE_BIT(BM_CLASS_ID_READER)),
        .deadline_ms = flow->countdown_deadline,
        .total_ms = flow->countdown_ms,
        .ms = SDL_GetTicks(),
        .pressed = flow->pressed[0] ? flow->pressed : NULL,
    };
    if (flow->overlay == BM_OVERLAY_NOTICE) { /* the one the strip shows */
        const struct bm_catalog *notices = bm_flow_notices(flow, bm_flow_catalog(flow));
        int today = bm_catalog_view_date(&flow->now);
        vm->notice_title = bm_catalog_view_notice(notices, flow->lang, today);
        vm->notice_body = bm_catalog_view_notice_body(notices, flow->lang, today);
    }
}

static void draw_overlay(struct bm_flow *flow)
{
    struct bm_overlay_vm vm;
    fill_overlay(flow, &vm);
    bm_overlay_draw(flow->ui, &vm);
}

static size_t overlay_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_overlay_vm vm;
    fill_overlay(flow, &vm);
    return bm_overlay_elements(flow->ui, &vm, out, cap);
}

/* Names and prompts: the next step first, nothing of the resident's. */
static const struct bm_flow_screen_ops overlays[BM_OVERLAY_COUNT] = {
    [BM_OVERLAY_STILL_THERE] = {"still_there",
                                N_("Are you still there? To go on, press Yes, continue."),
                                draw_overlay, overlay_elements},
    [BM_OVERLAY_ELDERLY_OFFER] = {"elderly_offer",
                                  N_("Would you like elderly mode? Larger text, and every step "
                                     "read aloud. Or press the red button to reach a staff "
                                     "member."),
                                  draw_overlay, overlay_elements},
    [BM_OVERLAY_HELP] = {"help",
                         N_("Video calls to staff are not available yet. Please call the service "
                            "hotline shown on the screen."),
                         draw_overlay, overlay_elements},
    [BM_OVERLAY_HOTLINE] = {"hotline", N_("The service hotline is shown on the screen."),
                            draw_overlay, overlay_elements},
    [BM_OVERLAY_ID_CARD] = {"id_card",
                            N_("Please put your ID card on the reader below the screen."),
                            draw_overlay, overlay_elements},
    [BM_OVERLAY_NOTICE] = {"notice", N_("Here is the notice. Press Close when you have read it."),
                           draw_overlay, overlay_elements},
};

const struct bm_flow_screen_ops *bm_flow_overlay_ops(const struct bm_flow *flow)
{
    return flow->overlay != BM_OVERLAY_NONE && flow->overlay < BM_OVERLAY_COUNT
               ? &overlays[flow->overlay]
               : NULL;
}

/* ---- inactivity and the countdown ---- */

static bool idle_timeout(void *ud);
static bool countdown_tick(void *ud);

void bm_flow_session_touch(struct bm_flow *flow)
{
    if (flow->overlay == BM_OVERLAY_STILL_THERE)
        return; /* only its buttons answer it */
    bm_loop_timer_cancel(flow->idle_timer);
    flow->idle_timer = 0;
    if (flow->screen != BM_FLOW_ATTRACT)
        flow->idle_timer = bm_loop_timer_add(flow->session_timeout_ms, false, idle_timeout, flow);
}

/* Wakes the loop when the shown second changes (or at zero). */
static void arm_countdown(struct bm_flow *flow)
{
    struct bm_countdown cd = {NULL, flow->countdown_deadline, flow->countdown_ms, SDL_GetTicks()};
    int next = bm_countdown_next_frame_ms(&cd);
    flow->countdown_timer =
        bm_loop_timer_add(next < 0 ? 0u : (uint32_t)next, false, countdown_tick, flow);
    if (!flow->countdown_timer) /* never a session that cannot end */
        bm_log_error("flow", "no timer for the countdown: the session ends now");
}

static bool countdown_tick(void *ud)
{
    struct bm_flow *flow = ud;
    flow->countdown_timer = 0;
    if ((int32_t)(flow->countdown_deadline - SDL_GetTicks()) > 0) {
        bm_ui_invalidate(flow->ui); /* the next second */
        arm_countdown(flow);
        if (flow->countdown_timer)
            return false;
    }
    bm_log_info("flow", "countdown over: the session ends");
    bm_flow_show(flow, BM_FLOW_ATTRACT);
    return false;
}

static bool idle_timeout(void *ud)
{
    struct bm_flow *flow = ud;
    flow->idle_timer = 0;
    bm_log_info("flow", "no touch for %u s: are you still there? (%u s to answer)",
                flow->session_timeout_ms / 1000u, flow->countdown_ms / 1000u);
    bm_flow_overlay_show(flow, BM_OVERLAY_STILL_THERE);
    return false;
}

/* ---- opening and closing ---- */

void bm_flow_overlay_show(struct bm_flow *flow, enum bm_overlay overlay)
{
    bm_flow_overlay_close(flow);
    flow->overlay = overlay;
    flow->pressed[0] = '\0';
    bm_log_info("flow", "dialog %s", bm_overlay_name(overlay));
    if (overlay == BM_OVERLAY_STILL_THERE) {
        bm_loop_timer_cancel(flow->idle_timer);
        flow->idle_timer = 0;
        flow->countdown_deadline = SDL_GetTicks() + flow->countdown_ms;
        arm_countdown(flow);
        if (!flow->countdown_timer) {
            bm_flow_show(flow, BM_FLOW_ATTRACT);
            return;
        }
    }
    bm_ui_invalidate(flow->ui);
    bm_flow_speak_screen(flow); /* the dialog's prompt, cutting the screen's short */
}

void bm_flow_overlay_close(struct bm_flow *flow)
{
    if (flow->overlay == BM_OVERLAY_NONE)
        return;
    bm_loop_timer_cancel(flow->countdown_timer);
    flow->countdown_timer = 0;
    flow->overlay = BM_OVERLAY_NONE;
    flow->pressed[0] = '\0';
    bm_voice_stop(flow->voice); /* its prompt is no longer true */
    bm_flow_session_touch(flow);
    bm_ui_invalidate(flow->ui);
}

bool bm_flow_overlay_intent(struct bm_flow *flow, struct bm_intent in)
{
    switch (in.kind) {
    case BM_INTENT_HELP: /* from home's 求助, or the elderly offer's "Call staff" */
        bm_flow_overlay_show(flow, BM_OVERLAY_HELP);
        return true;
    case BM_INTENT_HOTLINE:
        bm_flow_overlay_show(flow, BM_OVERLAY_HOTLINE);
        return true;
    case BM_INTENT_ID_CARD: /* home's 刷身份证: how to; the card itself starts what follows */
        bm_flow_overlay_show(flow, BM_OVERLAY_ID_CARD);
        return true;
    case BM_INTENT_NOTICE: /* home's notice strip: the notice whole */
        bm_flow_overlay_show(flow, BM_OVERLAY_NOTICE);
        return true;
    default:
        break;
    }
    if (flow->overlay == BM_OVERLAY_NONE)
        return false; /* the screen's own intents: flow.c */
    switch (in.kind) {
    case BM_INTENT_CONTINUE:
    case BM_INTENT_CLOSE:
        bm_flow_overlay_close(flow);
        break;
    case BM_INTENT_END:
        bm_flow_show(flow, BM_FLOW_ATTRACT); /* closes the dialog, ends the session */
        break;
    case BM_INTENT_ELDERLY:
        bm_flow_overlay_close(flow);
        bm_flow_set_elderly(flow, true); /* speaks the screen's prompt, now that it may */
        break;
    default:
        break; /* a dialog's buttons are all above */
    }
    return true;
}

void bm_flow_offer_elderly(struct bm_flow *flow)
{
    if (flow->elderly_offered || flow->elderly || !flow->resident)
        return;
    if (bm_identity_age(flow->resident, time(NULL)) < ELDERLY_AGE)
        return; /* -1 too: an unreadable birth date offers nothing */
    flow->elderly_offered = true;
    bm_flow_overlay_show(flow, BM_OVERLAY_ELDERLY_OFFER);
}
