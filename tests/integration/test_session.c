/*
 * test_session.c - a session's lifetime in the real flow (in this process, headless, the sim
 * devices): the inactivity timeout opens "are you still there?" over the screen, its countdown
 * runs out and the session ends with every byte of the resident's ID card data zeroed before
 * its memory is freed; "Yes, continue" keeps the session and its data; "End session now"
 * wipes at once; a touch beside the buttons changes nothing. A resident aged 65 or more is
 * offered elderly mode and staff once a session; help and the hotline open over home and
 * close again; with voice on, the dialog speaks its own prompt. (The dialogs' pictures:
 * tests/ui/test_screens_session.c.)
 *
 * The proof of the wipe: the test notes where the resident's buffers live when the card is
 * read, and bm_secbuf's free observer shows it each buffer's bytes as it is freed, before
 * free zeroes them itself. Nothing is read after it is freed (ASan would say).
 *
 * Timings are the flow's own fields, shorter than [session] allows (15 s, 5 s), so the test is
 * quick; every wait has a generous deadline, and nothing sleeps and hopes.
 */
#include "test_support.h"

#include "core/config.h"
#include "core/i18n.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/secbuf.h"
#include "drivers/sim/sim.h"
#include "flow/flow_internal.h"
#include "flow/frame_times.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS   300u
#define COUNTDOWN_MS 2500u
#define DEADLINE_MS  60000u /* for anything to happen on a loaded machine */

static struct bm_config *cfg;
static struct bm_flow *flow;

static void start_flow(bool voice)
{
    assert_int_equal(bm_config_load(bm_paths_default_config(), &cfg), BM_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/sim", bm_test_mkdtemp("session"));
    assert_int_equal(bm_config_set(cfg, "sim", "output_dir", path), BM_OK);
    if (voice)
        setenv("SDL_AUDIODRIVER", "dummy", 1); /* real synthesis, played to nowhere */
    else
        assert_int_equal(bm_config_set(cfg, "voice", "device", "none"), BM_OK);
    assert_int_equal(bm_i18n_init(bm_paths_localedir(), "zh_CN"), BM_OK);
    struct bm_flow_options opts = {0};
    if (bm_flow_start(cfg, &opts, &flow) != BM_OK)
        fail_msg("the flow did not start: %s", bm_err_detail());
    flow->session_timeout_ms = TIMEOUT_MS;
    flow->countdown_ms = COUNTDOWN_MS;
}

static int setup(void **state)
{
    (void)state;
    start_flow(false);
    return 0;
}

static int setup_with_voice(void **state)
{
    (void)state;
    start_flow(true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bm_secbuf_set_free_observer(NULL, NULL);
    bm_frame_times_stop();
    bm_flow_stop(flow);
    flow = NULL;
    bm_config_free(cfg);
    cfg = NULL;
    return 0;
}

/* ---- waiting on the flow's own loop ---- */

static bool overlay_is(void *ud)
{
    return flow->overlay == *(const enum bm_overlay *)ud;
}

static void wait_overlay(enum bm_overlay overlay)
{
    if (!bm_loop_run_until(overlay_is, &overlay, DEADLINE_MS))
        fail_msg("no %s dialog within %u ms (dialog now: '%s')", bm_overlay_name(overlay),
                 DEADLINE_MS, bm_overlay_name(flow->overlay));
}

static bool on_attract(void *ud)
{
    (void)ud;
    return flow->screen == BM_FLOW_ATTRACT;
}

static bool never(void *ud)
{
    (void)ud;
    return false;
}

/* The loop has drawn what was invalidated (the before-wait hook draws, then the ui is clean). */
static bool frame_drawn(void *ud)
{
    (void)ud;
    return !bm_ui_dirty(flow->ui);
}

static bool card_arrived(void *ud)
{
    return flow->resident && flow->resident != ud;
}

/* Places a test card on the sim reader; returns once the flow holds its identity. */
static void present_card(enum bm_sim_card card)
{
    struct bm_identity *before = flow->resident;
    assert_int_equal(bm_sim_card_insert(bm_devices_get(flow->devices, BM_CLASS_ID_READER), card),
                     BM_OK);
    if (!bm_loop_run_until(card_arrived, before, DEADLINE_MS))
        fail_msg("the card's identity did not reach the flow within %u ms", DEADLINE_MS);
}

static void start_session_with(enum bm_sim_card card)
{
    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);
    assert_int_equal(flow->screen, BM_FLOW_HOME);
    present_card(card);
}

/* ---- where the resident's data lives, and what it was when freed ---- */

#define MAX_FIELDS 16

static struct {
    const unsigned char *data[MAX_FIELDS];
    size_t size[MAX_FIELDS];
    bool freed[MAX_FIELDS];
    size_t nonzero_at_free[MAX_FIELDS]; /* bytes not yet zero when free began */
    size_t count;
} watched;

static void watch(const struct bm_secbuf *b)
{
    if (!b)
        return;
    assert_true(watched.count < MAX_FIELDS);
    size_t i = watched.count++;
    watched.data[i] = bm_secbuf_cdata(b);
    watched.size[i] = bm_secbuf_capacity(b) + 1;
    watched.freed[i] = false;
    watched.nonzero_at_free[i] = 0;
}

/* Runs in bm_secbuf_free, before it zeroes and unmaps: the last moment the bytes exist. */
static void on_free(const unsigned char *data, size_t size, void *ud)
{
    (void)ud;
    for (size_t i = 0; i < watched.count; i++) {
        if (data != watched.data[i] || watched.freed[i])
            continue;
        assert_int_equal(size, watched.size[i]);
        for (size_t k = 0; k < size; k++)
            watched.nonzero_at_free[i] += data[k] != 0;
        watched.freed[i] = true;
    }
}

/* Notes every personal field of the resident now in the flow, and watches them being freed. */
static void watch_resident(void)
{
    const struct bm_identity *id = flow->resident;
    assert_non_null(id);
    memset(&watched, 0, sizeof watched);
    const struct bm_secbuf *fields[] = {
        id->name,      id->name_en, id->gender,     id->nation,      id->birth_date, id->address,
        id->id_number, id->issuer,  id->valid_from, id->valid_until, id->photo_wlt,  id->photo_rgb,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        watch(fields[i]);
    assert_true(watched.count >= 8);
    /* Real data to wipe: the name and the ID number are there before the end. */
    assert_true(bm_secbuf_len(id->name) > 0);
    assert_int_equal(bm_secbuf_len(id->id_number), 18);
    bm_secbuf_set_free_observer(on_free, NULL);
}

/* Every watched buffer was freed, and not one byte of it was left non-zero for free to do. */
static void assert_resident_wiped(void)
{
    assert_null(flow->resident);
    for (size_t i = 0; i < watched.count; i++) {
        if (!watched.freed[i])
            fail_msg("personal buffer %zu of %zu was not freed at the session's end", i,
                     watched.count);
        if (watched.nonzero_at_free[i])
            fail_msg("personal buffer %zu still held %zu non-zero bytes when it was freed", i,
                     watched.nonzero_at_free[i]);
    }
}

/* ---- the tests ---- */

/* Nobody answers: the countdown runs out, the session ends, the resident's data is zeroed. */
static void test_countdown_runs_out(void **state)
{
    (void)state;
    start_session_with(BM_SIM_CARD_ADULT);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE); /* 34 years old: no elderly offer */
    watch_resident();

    wait_overlay(BM_OVERLAY_STILL_THERE);
    uint32_t shown = SDL_GetTicks();
    assert_int_equal(flow->screen, BM_FLOW_HOME); /* over the screen, which stays */
    assert_non_null(flow->resident);              /* nothing is wiped while it asks */
    assert_true(bm_frame_times_record(256));
    if (!bm_loop_run_until(on_attract, NULL, DEADLINE_MS))
        fail_msg("the countdown did not end the session within %u ms", DEADLINE_MS);
    uint32_t took = SDL_GetTicks() - shown;
    uint64_t frames = bm_frame_times_count();
    printf("countdown of %u ms ended the session after %u ms, %llu frames\n", COUNTDOWN_MS, took,
           (unsigned long long)frames);
    assert_true(took + 50 >= COUNTDOWN_MS); /* not before its time */
    /* A frame for each second shown (3 for 2.5 s) and the attract screen, not a busy loop. */
    assert_true(frames >= 2 && frames <= 10);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    assert_int_equal(flow->countdown_timer, 0);
    assert_resident_wiped();

    /* Then the kiosk sleeps: no timer of the session left, and at most the clock's frame
     * (a minute may turn) in a second. */
    assert_int_equal(flow->idle_timer, 0);
    uint64_t after = bm_frame_times_count();
    bm_loop_run_until(never, NULL, 1000);
    assert_true(bm_frame_times_count() <= after + 1);
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
    ev.button.windowID = SDL_GetWindowID(flow->display.window);
    assert_int_equal(SDL_PushEvent(&ev), 1);
}

/* A touch beside the buttons keeps the dialog and its countdown; "Yes, continue" keeps the
 * session with its data, and the inactivity timer starts again. */
static void test_continue_keeps_the_session(void **state)
{
    (void)state;
    start_session_with(BM_SIM_CARD_ADULT);
    const struct bm_identity *resident = flow->resident;
    char number[32];
    snprintf(number, sizeof number, "%s", bm_secbuf_str(resident->id_number));

    wait_overlay(BM_OVERLAY_STILL_THERE);
    uint32_t deadline = flow->countdown_deadline;
    /* Only the dialog's buttons are there to tap: home's are under it. */
    assert_int_equal(bm_flow_tap(flow, "home.help"), BM_ERR_NOT_FOUND);
    /* A finger on the dimmed screen, top left (home's header): nothing happens. */
    push_button(SDL_MOUSEBUTTONDOWN, 4, 4);
    push_button(SDL_MOUSEBUTTONUP, 4, 4);
    bm_loop_run_until(never, NULL, 200);
    assert_int_equal(flow->overlay, BM_OVERLAY_STILL_THERE);
    assert_int_equal(flow->countdown_deadline, deadline);
    assert_int_equal(flow->screen, BM_FLOW_HOME);

    assert_int_equal(bm_flow_tap(flow, "still_there.continue"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    assert_int_equal(flow->screen, BM_FLOW_HOME);
    assert_int_equal(flow->countdown_timer, 0);
    assert_ptr_equal(flow->resident, resident);
    assert_string_equal(bm_secbuf_str(flow->resident->id_number), number);
    assert_true(flow->idle_timer != 0);
    /* Still the same session: it asks again after the next quiet spell. */
    wait_overlay(BM_OVERLAY_STILL_THERE);
    assert_ptr_equal(flow->resident, resident);
}

/* "End session now": the session ends and the data is zeroed at once, before the loop runs. */
static void test_end_wipes_at_once(void **state)
{
    (void)state;
    start_session_with(BM_SIM_CARD_ADULT);
    watch_resident();
    wait_overlay(BM_OVERLAY_STILL_THERE);
    assert_int_equal(bm_flow_tap(flow, "still_there.end"), BM_OK);
    assert_int_equal(flow->screen, BM_FLOW_ATTRACT);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    assert_int_equal(flow->countdown_timer, 0);
    assert_resident_wiped();
}

/* A resident aged 65+: elderly mode and staff offered, once a session; younger: never. */
static void test_elderly_offer(void **state)
{
    (void)state;
    flow->session_timeout_ms = 900000; /* nobody is asked whether they are still there */
    start_session_with(BM_SIM_CARD_ELDERLY);
    assert_int_equal(flow->overlay, BM_OVERLAY_ELDERLY_OFFER);
    assert_false(flow->elderly);
    assert_int_equal(bm_flow_tap(flow, "elderly_offer.on"), BM_OK);
    assert_true(flow->elderly);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    present_card(BM_SIM_CARD_ELDERLY); /* the same card again: not offered twice */
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);

    bm_flow_show(flow, BM_FLOW_ATTRACT); /* the next resident */
    assert_false(flow->elderly);
    start_session_with(BM_SIM_CARD_ELDERLY);
    assert_int_equal(flow->overlay, BM_OVERLAY_ELDERLY_OFFER);
    assert_int_equal(bm_flow_tap(flow, "elderly_offer.help"), BM_OK); /* one tap to staff */
    assert_int_equal(flow->overlay, BM_OVERLAY_HELP);
    assert_int_equal(bm_flow_tap(flow, "help.close"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    assert_false(flow->elderly);

    bm_flow_show(flow, BM_FLOW_ATTRACT);
    start_session_with(BM_SIM_CARD_ELDERLY);
    assert_int_equal(bm_flow_tap(flow, "elderly_offer.no"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    assert_false(flow->elderly);

    bm_flow_show(flow, BM_FLOW_ATTRACT);
    start_session_with(BM_SIM_CARD_ADULT);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
}

/* Home's 求助 and 热线 open their dialogs over home and close again; a dialog times out like a
 * screen: "are you still there?" takes its place. */
static void test_help_and_hotline(void **state)
{
    (void)state;
    flow->session_timeout_ms = 900000;
    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);
    assert_int_equal(bm_flow_tap(flow, "home.help"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_HELP);
    assert_int_equal(bm_flow_tap(flow, "home.hotline"), BM_ERR_NOT_FOUND);
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_overlay_ops(flow)->elements(flow, el, BM_SCREEN_MAX_ELEMENTS);
    assert_int_equal(n, 1);
    assert_string_equal(el[0].name, "help.close");
    assert_int_equal(bm_flow_tap(flow, "help.close"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);

    assert_int_equal(bm_flow_tap(flow, "home.hotline"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_HOTLINE);
    assert_int_equal(bm_flow_tap(flow, "hotline.close"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
    assert_int_equal(flow->screen, BM_FLOW_HOME);

    flow->session_timeout_ms = TIMEOUT_MS;
    assert_int_equal(bm_flow_tap(flow, "home.help"), BM_OK);
    wait_overlay(BM_OVERLAY_STILL_THERE);
    assert_int_equal(bm_flow_tap(flow, "still_there.continue"), BM_OK);
    assert_int_equal(flow->screen, BM_FLOW_HOME);
}

/* Every dialog has its row in the flow (a name, a prompt, draw and elements), shows over home
 * by its button or by being shown, and closes again; the ID card's and the notice's too. */
static void test_every_dialog(void **state)
{
    (void)state;
    flow->session_timeout_ms = 900000;
    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);
    for (int k = BM_OVERLAY_NONE + 1; k < BM_OVERLAY_COUNT; k++) {
        bm_flow_overlay_show(flow, (enum bm_overlay)k);
        const struct bm_flow_screen_ops *ops = bm_flow_overlay_ops(flow);
        assert_non_null(ops);
        assert_non_null(ops->draw);
        assert_non_null(ops->elements);
        assert_string_equal(ops->name, bm_overlay_name((enum bm_overlay)k));
        assert_true(ops->prompt && *ops->prompt);
        bm_ui_invalidate(flow->ui);
        assert_true(bm_loop_run_until(frame_drawn, NULL, 30000));
        bm_flow_overlay_close(flow);
    }
    assert_int_equal(bm_flow_tap(flow, "home.id_card"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_ID_CARD);
    assert_int_equal(bm_flow_tap(flow, "id_card.close"), BM_OK);
    assert_int_equal(flow->overlay, BM_OVERLAY_NONE);
}

/* With voice on, the dialog says what it asks (its own prompt, in place of the screen's), and
 * closing it cuts the prompt short. */
static void test_still_there_is_spoken(void **state)
{
    (void)state;
    assert_non_null(flow->voice);
    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);
    bm_flow_set_voice(flow, true); /* home's prompt */
    struct bm_voice_stats st;
    bm_voice_get_stats(flow->voice, &st);
    uint64_t before = st.requested;
    assert_true(before >= 1);
    wait_overlay(BM_OVERLAY_STILL_THERE);
    bm_voice_get_stats(flow->voice, &st);
    assert_int_equal(st.requested, before + 1);
    assert_int_equal(bm_flow_tap(flow, "still_there.continue"), BM_OK);
    assert_true(bm_voice_wait_idle(flow->voice, DEADLINE_MS)); /* stopped, not spoken on */
    bm_voice_get_stats(flow->voice, &st);
    assert_int_equal(st.requested, before + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_countdown_runs_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continue_keeps_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_wipes_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elderly_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_hotline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_dialog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_still_there_is_spoken, setup_with_voice, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
