/*
 * test_press_feedback.c - a finger on a home-screen button shows it pressed in the very next
 * frame (issue 3, point 6: press feedback within one frame); the button acts when the finger
 * lifts on it, and not at all when it slides off first. The real flow runs in this process,
 * headless (tests/support/flow_rig.c); mouse button events, which touches arrive as, go through
 * SDL's event queue into the flow's loop. The pixel at the button's centre is read from the window
 * after each frame.
 */
#include "flow_rig.h"
#include "test_support.h"

#include "core/loop.h"
#include "flow/flow_internal.h"

#include <stdio.h>
#include <string.h>

static struct flow_rig rig;
static bool rig_started;

static int setup(void **state)
{
    (void)state;
    flow_rig_start(&rig, "press-feedback");
    rig_started = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bm_frame_times_stop();
    if (rig_started)
        flow_rig_stop(&rig);
    rig_started = false;
    return 0;
}

/* Where an element of the home screen is, as the flow lays it out. */
static SDL_Rect home_element(const char *name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_screen_ops(BM_FLOW_HOME)->elements(rig.flow, list, BM_SCREEN_MAX_ELEMENTS);
    const struct bm_screen_element *e = bm_screen_find(list, n, name);
    assert_non_null(e);
    return e->rect;
}

static Uint32 pixel_at(int x, int y)
{
    Uint32 px = 0;
    SDL_Rect one = {x, y, 1, 1};
    assert_int_equal(
        SDL_RenderReadPixels(rig.flow->display.renderer, &one, SDL_PIXELFORMAT_ARGB8888, &px, 4),
        0);
    return px;
}

static void push_button(Uint32 type, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.x = x;
    ev.button.y = y;
    ev.button.windowID = SDL_GetWindowID(rig.flow->display.window);
    assert_int_equal(SDL_PushEvent(&ev), 1);
}

/* The mouse moving with the left button held. */
static void push_motion(int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_MOUSEMOTION;
    ev.motion.state = SDL_BUTTON_LMASK;
    ev.motion.x = x;
    ev.motion.y = y;
    ev.motion.windowID = SDL_GetWindowID(rig.flow->display.window);
    assert_int_equal(SDL_PushEvent(&ev), 1);
}

static bool frames_at_least(void *ud)
{
    return bm_frame_times_count() >= *(const uint64_t *)ud;
}

/* Runs the loop until one more frame has been drawn (generous deadline). */
static void next_frame(void)
{
    uint64_t want = bm_frame_times_count() + 1;
    assert_true(bm_loop_run_until(frames_at_least, &want, 30000));
}

static void test_notice_pressed_then_released(void **state)
{
    (void)state;
    assert_int_equal(rig.flow->screen, BM_FLOW_HOME);
    flow_rig_redraw(&rig, 0);
    /* The notice strip: it shows pressed while the button is down, and acts (opens the
     * notice) only when it is released on it; a press that slides off acts not at all. */
    SDL_Rect r = home_element("home.notice");
    int x = r.x + r.w / 2, y = r.y + 6; /* inside the strip, above its text */
    assert_true(bm_frame_times_record(1024));
    bm_ui_invalidate(rig.flow->ui);
    next_frame();
    Uint32 released = pixel_at(x, y);

    push_button(SDL_MOUSEBUTTONDOWN, x, y);
    next_frame();
    assert_string_equal(rig.flow->pressed, "home.notice");
    Uint32 pressed = pixel_at(x, y);
    if (pressed == released)
        fail_msg("the frame after the press shows the button as before (0x%08x)", pressed);
    assert_int_equal(rig.flow->overlay, BM_OVERLAY_NONE); /* nothing acted yet */

    /* Slides off (the button still held) and lets go elsewhere: no longer pressed, no act. */
    push_motion(x, r.y - bm_ui_px(rig.flow->ui, 40));
    next_frame();
    assert_string_equal(rig.flow->pressed, "");
    assert_int_equal(pixel_at(x, y), released);
    push_button(SDL_MOUSEBUTTONUP, x, r.y - bm_ui_px(rig.flow->ui, 40));
    /* Nothing is left to redraw, so frames are asked for: two, the event handled before the
     * second whichever way the loop orders events and drawing. */
    for (int i = 0; i < 2; i++) {
        bm_ui_invalidate(rig.flow->ui);
        next_frame();
    }
    assert_int_equal(rig.flow->overlay, BM_OVERLAY_NONE);

    /* Pressed and released on it: the notice opens. */
    push_button(SDL_MOUSEBUTTONDOWN, x, y);
    next_frame();
    push_button(SDL_MOUSEBUTTONUP, x, y);
    next_frame();
    assert_string_equal(rig.flow->pressed, "");
    assert_int_equal(rig.flow->overlay, BM_OVERLAY_NOTICE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_pressed_then_released),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
