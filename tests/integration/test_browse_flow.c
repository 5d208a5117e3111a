/*
 * test_browse_flow.c - a resident browsing the catalog through the real flow, by element
 * names, as a scripted journey would: home -> a category -> a service's guide -> back to the
 * list -> back home; a quick entry's guide goes back to home; "start" on a guide leads to the
 * problem screen (the steps are not built yet), which goes back to the guide or home; the
 * category list pages; and with the simulated scanner unplugged, a service that needs it
 * leads to the problem screen naming it. The flow runs in this process, headless, with the
 * tree's catalog and demo devices (tests/support/flow_rig.c); every screen is drawn.
 */
#include "flow_rig.h"
#include "test_support.h"

#include "core/loop.h"
#include "drivers/sim/sim.h"
#include "flow/flow_internal.h"

#include <stdio.h>
#include <string.h>

static struct flow_rig rig;
static bool rig_started;

static int setup(void **state)
{
    (void)state;
    flow_rig_start(&rig, "browse-flow");
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

static bool usable_is(void *ud)
{
    const bm_device_mask *want = ud;
    return (bm_devices_usable(rig.flow->devices) & want[0]) == want[1];
}

/* Runs the loop until the classes in mask are usable (want) or not (0); generous deadline. */
static void wait_usable(bm_device_mask mask, bool usable)
{
    bm_device_mask want[2] = {mask, usable ? mask : 0};
    if (!bm_loop_run_until(usable_is, want, 60000))
        fail_msg("devices 0x%x did not become %s", mask, usable ? "usable" : "unusable");
}

/* Taps the element called name and lets the loop draw the screen it leads to. */
static void tap(const char *name, enum bm_flow_screen expect)
{
    if (bm_flow_tap(rig.flow, name) != BM_OK)
        fail_msg("%s", bm_err_detail());
    flow_rig_run_ms(&rig, 50);
    if (rig.flow->screen != expect)
        fail_msg("after %s the screen is %s, not %s", name,
                 bm_flow_screen_ops(rig.flow->screen)->name, bm_flow_screen_ops(expect)->name);
}

static bool on_screen(const char *name)
{
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_screen_ops(rig.flow->screen)->elements(rig.flow, el, BM_SCREEN_MAX_ELEMENTS);
    return bm_screen_find(el, n, name) != NULL;
}

static void test_home_category_guide_back_home(void **state)
{
    (void)state;
    wait_usable(~(bm_device_mask)0 >> (sizeof(bm_device_mask) * 8 - BM_CLASS_COUNT), true);
    assert_int_equal(rig.flow->screen, BM_FLOW_HOME);
    tap("home.category.government", BM_FLOW_CATEGORY);
    assert_string_equal(bm_flow_screen_ops(rig.flow->screen)->name, "category");
    tap("category.service.residence_permit", BM_FLOW_GUIDE);
    assert_string_equal(rig.flow->browse.service, "residence_permit");
    assert_true(on_screen("guide.start"));
    tap("guide.back", BM_FLOW_CATEGORY);
    assert_string_equal(rig.flow->browse.category, "government");
    tap("category.back", BM_FLOW_HOME);

    /* A quick entry's guide goes back to home, not to a list never seen. */
    tap("home.quick.social_security_record", BM_FLOW_GUIDE);
    tap("guide.back", BM_FLOW_HOME);

    /* A guide-only service says where to go and offers no start. */
    tap("home.category.government", BM_FLOW_CATEGORY);
    tap("category.service.exit_entry_guide", BM_FLOW_GUIDE);
    assert_false(on_screen("guide.start"));
    tap("guide.home", BM_FLOW_HOME);
}

static void test_start_leads_to_problem_with_ways_on(void **state)
{
    (void)state;
    tap("home.category.welfare", BM_FLOW_CATEGORY);
    tap("category.service.social_security_record", BM_FLOW_GUIDE);
    tap("guide.start", BM_FLOW_PROBLEM);
    assert_int_equal(rig.flow->browse.problem, BM_PROBLEM_NOT_YET);
    assert_true(on_screen("problem.call") && on_screen("problem.call_hotline"));
    tap("problem.other", BM_FLOW_GUIDE); /* back to the guide it came from */
    tap("guide.start", BM_FLOW_PROBLEM);
    tap("problem.go_home", BM_FLOW_HOME);
}

/* The guide pages through its sections; the list pages (and glides) in elderly mode. */
static void test_paging(void **state)
{
    (void)state;
    tap("home.quick.social_security_record", BM_FLOW_GUIDE);
    assert_int_equal(rig.flow->browse.guide_page, 0);
    tap("guide.page_down", BM_FLOW_GUIDE);
    assert_int_equal(rig.flow->browse.guide_page, 1);
    tap("guide.page_up", BM_FLOW_GUIDE);
    assert_int_equal(rig.flow->browse.guide_page, 0);
    tap("guide.page_up", BM_FLOW_GUIDE); /* at the first page: stays */
    assert_int_equal(rig.flow->browse.guide_page, 0);
    tap("guide.home", BM_FLOW_HOME);

    bm_flow_set_elderly(rig.flow, true);
    bm_ui_set_theme(rig.flow->ui, bm_theme_elderly()); /* as the flow does with the look work */
    tap("home.category.welfare", BM_FLOW_CATEGORY);
    assert_true(on_screen("category.service.social_security_record"));
    assert_false(on_screen("category.service.employment")); /* the last row, a page below */
    tap("category.page_down", BM_FLOW_CATEGORY);
    flow_rig_run_ms(&rig, 1500); /* the glide settles */
    assert_int_equal(rig.flow->browse.glide_timer, 0);
    assert_true(rig.flow->browse.scroll.offset > 0.0f);
    assert_false(on_screen("category.service.social_security_record"));
    /* Back and into the category again starts at its top. */
    tap("category.back", BM_FLOW_HOME);
    tap("home.category.welfare", BM_FLOW_CATEGORY);
    assert_true(rig.flow->browse.scroll.offset == 0.0f);
    tap("category.home", BM_FLOW_HOME);
    bm_flow_set_elderly(rig.flow, false);
    bm_ui_set_theme(rig.flow->ui, bm_theme_standard());
}

static void push_mouse(Uint32 type, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    if (type == SDL_MOUSEMOTION) {
        ev.motion.x = x;
        ev.motion.y = y;
        ev.motion.state = SDL_BUTTON_LMASK;
        ev.motion.windowID = SDL_GetWindowID(rig.flow->display.window);
    } else {
        ev.button.button = SDL_BUTTON_LEFT;
        ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        ev.button.x = x;
        ev.button.y = y;
        ev.button.windowID = SDL_GetWindowID(rig.flow->display.window);
    }
    assert_int_equal(SDL_PushEvent(&ev), 1);
    flow_rig_run_ms(&rig, 20);
}

static SDL_Rect element(const char *name)
{
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_screen_ops(rig.flow->screen)->elements(rig.flow, el, BM_SCREEN_MAX_ELEMENTS);
    const struct bm_screen_element *e = bm_screen_find(el, n, name);
    if (!e)
        fail_msg("no %s on screen", name);
    return e->rect;
}

/* A finger drags the list (a row under it does not open), a flick glides on, a touch that
 * does not move opens the row when it lifts. */
static void test_drag_and_tap(void **state)
{
    (void)state;
    bm_flow_set_elderly(rig.flow, true);
    bm_ui_set_theme(rig.flow->ui, bm_theme_elderly());
    tap("home.category.welfare", BM_FLOW_CATEGORY);
    assert_false(on_screen("category.service.disability_subsidy")); /* the sixth row */
    SDL_Rect r = element("category.service.medical_insurance_payment");
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    push_mouse(SDL_MOUSEBUTTONDOWN, x, y);
    assert_int_equal(rig.flow->screen, BM_FLOW_CATEGORY); /* a press alone opens nothing */
    for (int i = 1; i <= 8; i++)
        push_mouse(SDL_MOUSEMOTION, x, y - i * 40);
    push_mouse(SDL_MOUSEBUTTONUP, x, y - 320);
    assert_int_equal(rig.flow->screen, BM_FLOW_CATEGORY);
    assert_string_equal(rig.flow->pressed, "");
    flow_rig_run_ms(&rig, 1500); /* any glide comes to rest */
    float offset = rig.flow->browse.scroll.offset;
    assert_true(offset >= 300.0f);
    assert_int_equal(rig.flow->browse.glide_timer, 0);

    r = element("category.service.disability_subsidy"); /* now in view */
    push_mouse(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2);
    assert_int_equal(rig.flow->screen, BM_FLOW_CATEGORY);
    push_mouse(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2);
    assert_int_equal(rig.flow->screen, BM_FLOW_GUIDE);
    assert_string_equal(rig.flow->browse.service, "disability_subsidy");
    tap("guide.back", BM_FLOW_CATEGORY);
    assert_true(rig.flow->browse.scroll.offset == offset); /* the list where it was */
    tap("category.home", BM_FLOW_HOME);
    bm_flow_set_elderly(rig.flow, false);
    bm_ui_set_theme(rig.flow->ui, bm_theme_standard());
}

/* A device out of order: the services that need it lead to the problem screen naming it. */
static void test_device_out(void **state)
{
    (void)state;
    struct bm_device *scanner = bm_devices_get(rig.flow->devices, BM_CLASS_SCANNER);
    assert_non_null(scanner);
    assert_int_equal(bm_sim_unplug(scanner), BM_OK);
    wait_usable(BM_DEVICE_BIT(BM_CLASS_SCANNER), false);

    tap("home.category.welfare", BM_FLOW_CATEGORY);
    tap("category.service.elderly_allowance", BM_FLOW_PROBLEM); /* it scans materials */
    assert_int_equal(rig.flow->browse.problem, BM_PROBLEM_DEVICE);
    assert_int_equal(rig.flow->browse.problem_missing, BM_DEVICE_BIT(BM_CLASS_SCANNER));
    tap("problem.other", BM_FLOW_CATEGORY); /* another service, from the same list */
    tap("category.service.social_security_record", BM_FLOW_GUIDE); /* needs no scanner */
    tap("guide.home", BM_FLOW_HOME);
    /* The same from home's quick entry: nowhere to go back to but home itself. */
    tap("home.quick.elderly_allowance", BM_FLOW_PROBLEM);
    assert_int_equal(rig.flow->browse.problem, BM_PROBLEM_DEVICE);
    assert_false(on_screen("problem.other"));
    tap("problem.back", BM_FLOW_HOME);

    assert_int_equal(bm_sim_replug(scanner), BM_OK);
    wait_usable(BM_DEVICE_BIT(BM_CLASS_SCANNER), true);
    tap("home.category.welfare", BM_FLOW_CATEGORY);
    tap("category.service.elderly_allowance", BM_FLOW_GUIDE);
    tap("guide.home", BM_FLOW_HOME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home_category_guide_back_home),
        cmocka_unit_test(test_start_leads_to_problem_with_ways_on),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_drag_and_tap),
        cmocka_unit_test(test_device_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
