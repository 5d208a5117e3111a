/*
 * test_kiosk_input.c - the kiosk input rules (issue 3, point 6), each with the real flow in
 * this process, headless, events pushed through SDL's queue into the flow's loop:
 *   - touch and mouse are one input path: a finger down and up at a point taps what a mouse
 *     click there taps, once (a mouse copy of the touch is not a second tap);
 *   - no hover-only affordances: the mouse moving over a button changes nothing on screen;
 *   - system shortcuts (Alt+F4, Alt+Tab, Ctrl+Alt+Backspace, Super) are swallowed in kiosk
 *     mode, and closing the window does not end a kiosk; in demo mode they are not;
 *   - the cursor is hidden in kiosk mode, shown in demo mode;
 *   - press feedback within one frame, for a finger too.
 */
#include "test_support.h"

#include "core/config.h"
#include "core/i18n.h"
#include "core/loop.h"
#include "core/paths.h"
#include "flow/flow_internal.h"
#include "flow/frame_times.h"

#include <stdio.h>
#include <string.h>

static struct bm_config *cfg;
static struct bm_flow *flow;

static bool first_frame_drawn(void *ud)
{
    (void)ud;
    return flow->first_frame_done;
}

static void start(const char *mode)
{
    assert_int_equal(bm_config_load(bm_paths_default_config(), &cfg), BM_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/sim", bm_test_mkdtemp("kiosk-input"));
    assert_int_equal(bm_config_set(cfg, "sim", "output_dir", path), BM_OK);
    assert_int_equal(bm_config_set(cfg, "kiosk", "mode", mode), BM_OK);
    assert_int_equal(bm_config_set(cfg, "voice", "device", "none"), BM_OK);
    assert_int_equal(bm_i18n_init(bm_paths_localedir(), "zh_CN"), BM_OK);
    struct bm_flow_options opts = {0};
    if (bm_flow_start(cfg, &opts, &flow) != BM_OK)
        fail_msg("the flow did not start: %s", bm_err_detail());
    assert_true(bm_loop_run_until(first_frame_drawn, NULL, 60000));
}

static int teardown(void **state)
{
    (void)state;
    bm_frame_times_stop();
    bm_flow_stop(flow);
    flow = NULL;
    bm_config_free(cfg);
    cfg = NULL;
    return 0;
}

static int setup_kiosk(void **state)
{
    (void)state;
    start("kiosk");
    return 0;
}

static int setup_demo(void **state)
{
    (void)state;
    start("demo");
    return 0;
}

/* Runs the loop until everything pushed so far has been handled and a frame drawn if due. */
static bool queue_empty(void *ud)
{
    (void)ud;
    return SDL_PeepEvents(NULL, 1, SDL_PEEKEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) == 0;
}

static void handle_pushed(void)
{
    assert_true(bm_loop_run_until(queue_empty, NULL, 30000));
    bm_loop_run_until(queue_empty, NULL, 50); /* one more wakeup: the frame for them */
}

static void push(SDL_Event *ev)
{
    assert_int_equal(SDL_PushEvent(ev), 1);
}

static void push_mouse(Uint32 type, int x, int y, Uint32 which)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.button.which = which;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.clicks = 1;
    ev.button.x = x;
    ev.button.y = y;
    ev.button.windowID = SDL_GetWindowID(flow->display.window);
    push(&ev);
}

static void push_finger(Uint32 type, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.tfinger.touchId = 1;
    ev.tfinger.fingerId = 1;
    ev.tfinger.x = ((float)x + 0.5f) / (float)bm_ui_width(flow->ui);
    ev.tfinger.y = ((float)y + 0.5f) / (float)bm_ui_height(flow->ui);
    ev.tfinger.pressure = 1.0f;
    ev.tfinger.windowID = SDL_GetWindowID(flow->display.window);
    push(&ev);
}

static void push_key(SDL_Keycode key, Uint16 mod)
{
    for (int up = 0; up < 2; up++) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = up ? SDL_KEYUP : SDL_KEYDOWN;
        ev.key.state = up ? SDL_RELEASED : SDL_PRESSED;
        ev.key.keysym.sym = key;
        ev.key.keysym.scancode = SDL_GetScancodeFromKey(key);
        ev.key.keysym.mod = mod;
        ev.key.windowID = SDL_GetWindowID(flow->display.window);
        push(&ev);
    }
}

/* The centre of a named element on the current screen. */
static SDL_Point centre_of(const char *name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_screen_ops(flow->screen)->elements(flow, list, BM_SCREEN_MAX_ELEMENTS);
    const struct bm_screen_element *e = bm_screen_find(list, n, name);
    if (!e)
        fail_msg("no %s on the %s screen", name, bm_flow_screen_ops(flow->screen)->name);
    SDL_Point p = {e->rect.x + e->rect.w / 2, e->rect.y + e->rect.h / 2};
    return p;
}

static void to_home(void)
{
    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);
    handle_pushed();
    assert_int_equal(flow->screen, BM_FLOW_HOME);
}

/* A finger taps what a mouse click at the same point taps, and once: SDL's mouse copy of a
 * touch (which = SDL_TOUCH_MOUSEID), should a driver make one, is not a second tap. */
static void test_touch_and_mouse_one_path(void **state)
{
    (void)state;
    to_home();
    SDL_Point p = centre_of("home.language");
    assert_int_equal(flow->lang, BM_LANG_ZH_CN);

    push_finger(SDL_FINGERDOWN, p.x, p.y);
    push_mouse(SDL_MOUSEBUTTONDOWN, p.x, p.y, SDL_TOUCH_MOUSEID);
    push_finger(SDL_FINGERUP, p.x, p.y);
    push_mouse(SDL_MOUSEBUTTONUP, p.x, p.y, SDL_TOUCH_MOUSEID);
    handle_pushed();
    assert_int_equal(flow->lang, BM_LANG_EN); /* switched once, not switched back */
    assert_string_equal(flow->pressed, "");

    push_mouse(SDL_MOUSEBUTTONDOWN, p.x, p.y, 0);
    push_mouse(SDL_MOUSEBUTTONUP, p.x, p.y, 0);
    handle_pushed();
    assert_int_equal(flow->lang, BM_LANG_ZH_CN); /* the mouse: the same tap */

    /* A finger on the attract screen starts a session, as a click does. */
    bm_flow_show(flow, BM_FLOW_ATTRACT);
    handle_pushed();
    p = centre_of("attract.start_button");
    push_finger(SDL_FINGERDOWN, p.x, p.y);
    push_finger(SDL_FINGERUP, p.x, p.y);
    handle_pushed();
    assert_int_equal(flow->screen, BM_FLOW_HOME);
}

static Uint32 pixel_at(SDL_Point p)
{
    Uint32 px = 0;
    SDL_Rect one = {p.x, p.y, 1, 1};
    assert_int_equal(
        SDL_RenderReadPixels(flow->display.renderer, &one, SDL_PIXELFORMAT_ARGB8888, &px, 4), 0);
    return px;
}

static bool frames_at_least(void *ud)
{
    return bm_frame_times_count() >= *(const uint64_t *)ud;
}

/* A finger on a button shows it pressed in the very next frame; the button acts as the finger
 * lifts on it. */
static void test_finger_press_feedback(void **state)
{
    (void)state;
    to_home();
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_screen_ops(flow->screen)->elements(flow, list, BM_SCREEN_MAX_ELEMENTS);
    const struct bm_screen_element *e = bm_screen_find(list, n, "home.id_card");
    assert_non_null(e);
    SDL_Point p = {e->rect.x + e->rect.w / 2, e->rect.y + 6}; /* above its label */
    assert_true(bm_frame_times_record(1024));
    bm_ui_invalidate(flow->ui);
    uint64_t want = bm_frame_times_count() + 1;
    assert_true(bm_loop_run_until(frames_at_least, &want, 30000));
    Uint32 released = pixel_at(p);

    push_finger(SDL_FINGERDOWN, p.x, p.y);
    want = bm_frame_times_count() + 1;
    assert_true(bm_loop_run_until(frames_at_least, &want, 30000));
    assert_string_equal(flow->pressed, "home.id_card");
    if (pixel_at(p) == released)
        fail_msg("the frame after the finger went down shows the button as before");

    push_finger(SDL_FINGERUP, p.x, p.y);
    want = bm_frame_times_count() + 1;
    assert_true(bm_loop_run_until(frames_at_least, &want, 30000));
    assert_string_equal(flow->pressed, "");
    assert_int_equal(flow->overlay, BM_OVERLAY_ID_CARD); /* it acts as the finger lifts */
}

/* The mouse moving over buttons (no button down) changes nothing: no frame, nothing pressed. */
static void test_no_hover(void **state)
{
    (void)state;
    to_home();
    handle_pushed();
    struct bm_ui_stats before, after;
    bm_ui_get_stats(flow->ui, &before);
    int minute = flow->now.tm_min;
    const char *over[] = {"home.language", "home.hotline", "home.help", "home.elderly"};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        SDL_Point p = centre_of(over[i]);
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_MOUSEMOTION;
        ev.motion.x = p.x;
        ev.motion.y = p.y;
        ev.motion.xrel = 5;
        ev.motion.windowID = SDL_GetWindowID(flow->display.window);
        push(&ev);
    }
    handle_pushed();
    bm_ui_get_stats(flow->ui, &after);
    assert_string_equal(flow->pressed, "");
    if (flow->now.tm_min == minute) /* the clock's minute draws a frame; hover must not */
        assert_int_equal(after.frames, before.frames);
}

/* The shortcuts a desktop would act on, in kiosk mode: none reaches the flow. */
static void test_kiosk_swallows_shortcuts(void **state)
{
    (void)state;
    assert_true(flow->display.kiosk_mode);
    const struct {
        SDL_Keycode key;
        Uint16 mod;
    } shortcuts[] = {
        {SDLK_F4, KMOD_LALT}, {SDLK_TAB, KMOD_LALT},     {SDLK_BACKSPACE, KMOD_LCTRL | KMOD_LALT},
        {SDLK_F1, KMOD_LGUI}, {SDLK_ESCAPE, KMOD_LCTRL}, {SDLK_q, KMOD_LCTRL},
        {SDLK_F4, KMOD_RALT},
    };
    for (size_t i = 0; i < sizeof shortcuts / sizeof shortcuts[0]; i++) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_KEYDOWN;
        ev.key.keysym.sym = shortcuts[i].key;
        ev.key.keysym.mod = shortcuts[i].mod;
        if (!bm_display_swallow(&flow->display, &ev))
            fail_msg("shortcut %zu (%s) is not swallowed in kiosk mode", i,
                     SDL_GetKeyName(shortcuts[i].key));
        push_key(shortcuts[i].key, shortcuts[i].mod);
    }
    /* The window manager's close: swallowed, and SDL makes no SDL_QUIT of it. */
    SDL_Event close;
    memset(&close, 0, sizeof close);
    close.type = SDL_WINDOWEVENT;
    close.window.event = SDL_WINDOWEVENT_CLOSE;
    close.window.windowID = SDL_GetWindowID(flow->display.window);
    assert_true(bm_display_swallow(&flow->display, &close));
    assert_false(SDL_GetHintBoolean(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, SDL_TRUE));
    push(&close);
    handle_pushed();
    assert_false(bm_loop_quitting());
    assert_int_equal(flow->screen, BM_FLOW_ATTRACT);
    /* The keyboard is grabbed, so the desktop does not act on them first. */
    assert_true(SDL_GetWindowFlags(flow->display.window) & SDL_WINDOW_KEYBOARD_GRABBED);
    /* Typing itself is not swallowed (an attached keyboard may type into a field). */
    SDL_Event plain;
    memset(&plain, 0, sizeof plain);
    plain.type = SDL_KEYDOWN;
    plain.key.keysym.sym = SDLK_a;
    assert_false(bm_display_swallow(&flow->display, &plain));
}

/* In demo mode (a developer's desk) nothing is swallowed and the window closes. */
static void test_demo_swallows_nothing(void **state)
{
    (void)state;
    assert_false(flow->display.kiosk_mode);
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = SDLK_F4;
    ev.key.keysym.mod = KMOD_LALT;
    assert_false(bm_display_swallow(&flow->display, &ev));
    assert_true(SDL_GetHintBoolean(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, SDL_FALSE));
}

static void test_kiosk_hides_cursor(void **state)
{
    (void)state;
    assert_int_equal(SDL_ShowCursor(SDL_QUERY), SDL_DISABLE);
}

static void test_demo_shows_cursor(void **state)
{
    (void)state;
    assert_int_equal(SDL_ShowCursor(SDL_QUERY), SDL_ENABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kiosk_hides_cursor, setup_kiosk, teardown),
        cmocka_unit_test_setup_teardown(test_demo_shows_cursor, setup_demo, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_swallows_shortcuts, setup_kiosk, teardown),
        cmocka_unit_test_setup_teardown(test_demo_swallows_nothing, setup_demo, teardown),
        cmocka_unit_test_setup_teardown(test_touch_and_mouse_one_path, setup_kiosk, teardown),
        cmocka_unit_test_setup_teardown(test_finger_press_feedback, setup_kiosk, teardown),
        cmocka_unit_test_setup_teardown(test_no_hover, setup_kiosk, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_hides_cursor, setup_kiosk, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
