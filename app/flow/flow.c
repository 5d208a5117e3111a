/*
 * flow.c - the session controller: which screen shows, what a tap or a device event does.
 *
 * The flow owns the window, the UI toolkit and the device hub. Drawing is lazy: handlers
 * change state and invalidate the UI; the loop's before-wait hook draws at most one frame per
 * wakeup, and only if something changed. The clock is a one-shot timer armed for the next
 * minute boundary, so an idle attract screen wakes once a minute.
 *
 * A session starts with the first touch (or a card). It ends when the resident ends it or
 * does not answer "are you still there?" (flow_session.c: the inactivity timeout, then a
 * countdown): the resident's personal data is wiped and the attract screen returns. The
 * receipt printer forgets its reprint copy first; a receipt still printing then comes out
 * whole, and is not kept. A dialog over the screen (help, the hotline, the countdown, the
 * elderly offer) is drawn after the screen and takes every tap while it shows.
 *
 * Main thread only.
 */
#include "flow_internal.h"
#include "frame_times.h"
#include "journey_run.h"

#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/secbuf.h"
#include "drivers/barcode.h"
#include "drivers/receipt_printer.h"
#include "drivers/registry.h"
#include "services/signature.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static enum bm_lang lang_of(const char *code)
{
    return strcmp(code, "en") == 0 ? BM_LANG_EN : BM_LANG_ZH_CN;
}

static const char *code_of(enum bm_lang lang)
{
    return lang == BM_LANG_EN ? "en" : "zh_CN";
}

static void set_language(struct bm_flow *flow, enum bm_lang lang)
{
    if (bm_i18n_set_language(code_of(lang)) != BM_OK) {
        bm_log_err(BM_LOG_ERROR, "flow", BM_ERR_NOT_FOUND, "language switch");
        return;
    }
    flow->lang = lang;
    bm_ui_invalidate(flow->ui);
}

/* A resident's switch of language: the screen's prompt again, in the language now shown. */
static void switch_language(struct bm_flow *flow, enum bm_lang lang)
{
    set_language(flow, lang);
    bm_flow_speak_screen(flow);
}

/* ---- drawing and hit-testing, through the screen table ---- */

static const struct bm_flow_screen_ops *current(const struct bm_flow *flow)
{
    return bm_flow_screen_ops(flow->screen);
}

static void draw(struct bm_flow *flow)
{
    bm_ui_frame_begin(flow->ui);
    current(flow)->draw(flow);
    if (bm_flow_overlay_ops(flow))
        bm_flow_overlay_ops(flow)->draw(flow); /* dims the screen behind it */
    bm_ui_frame_end(flow->ui);
}

size_t bm_flow_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    const struct bm_flow_screen_ops *overlay = bm_flow_overlay_ops(flow);
    return (overlay ? overlay : current(flow))->elements(flow, out, cap);
}

/* ---- frames ---- */

static const char *screen_name(enum bm_flow_screen s)
{
    return bm_flow_screen_ops(s)->name;
}

void bm_flow_screenshot(struct bm_flow *flow, const char *dir)
{
    if (!dir)
        dir = flow->opts.screenshot_dir;
    if (!dir)
        return;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        bm_log_warn("flow", "screenshot dir %s: %s", dir, strerror(errno));
        return;
    }
    char path[4096];
    const char *overlay = bm_overlay_name(flow->overlay); /* "home+help" under a dialog */
    snprintf(path, sizeof path, "%s/%03u-%s%s%s-%s.png", dir, ++flow->screenshot_seq,
             screen_name(flow->screen), *overlay ? "+" : "", overlay, code_of(flow->lang));
    if (bm_display_save_png(&flow->display, path) != BM_OK)
        bm_log_err(BM_LOG_WARN, "flow", BM_ERR_IO, "screenshot");
    else
        bm_log_info("flow", "screen saved to %s", path);
}

static void report_first_frame(struct bm_flow *flow)
{
    flow->first_frame_done = true;
    const char *t0 = getenv("BM_BENCH_T0_NS");
    if (t0 && *t0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        /* And the main thread's CPU time: a busy machine stretches the wall time, not it. */
        struct timespec cpu;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
        bm_log_notice("flow", "first frame after %.1f ms (main thread CPU %.1f ms)",
                      (double)(now - strtoll(t0, NULL, 10)) / 1e6,
                      (double)cpu.tv_sec * 1e3 + (double)cpu.tv_nsec / 1e6);
    }
    if (flow->opts.exit_after_first_frame)
        bm_loop_request_quit(0);
}

/* One frame for everything that changed since the last one. */
static void draw_frame(struct bm_flow *flow)
{
    bm_frame_times_begin();
    draw(flow);
    /* A PNG per screen shown, not per frame: a clock tick or a device change redraws too. */
    if (!flow->shot_taken || flow->shot_screen != flow->screen || flow->shot_lang != flow->lang ||
        flow->shot_overlay != flow->overlay) {
        bm_flow_screenshot(flow, NULL); /* reads pixels, so before present */
        flow->shot_taken = true;
        flow->shot_screen = flow->screen;
        flow->shot_overlay = flow->overlay;
        flow->shot_lang = flow->lang;
    }
    SDL_RenderPresent(flow->display.renderer);
    bm_frame_times_end();
    if (!flow->first_frame_done)
        report_first_frame(flow);
}

/* Before the loop sleeps: the frame, then a journey's next steps, which look at it. */
static void before_wait(void *ud)
{
    struct bm_flow *flow = ud;
    if (bm_ui_dirty(flow->ui))
        draw_frame(flow);
    bm_journey_run_pump(flow);
}

/* ---- clock ---- */

static bool clock_tick(void *ud);

static void arm_clock(struct bm_flow *flow)
{
    time_t t = time(NULL);
    localtime_r(&t, &flow->now);
    unsigned ms_to_minute = (unsigned)(60 - flow->now.tm_sec) * 1000u;
    if (!bm_loop_timer_add(ms_to_minute, false, clock_tick, flow))
        bm_log_error("flow", "no timer for the clock: it will stand still");
}

static bool clock_tick(void *ud)
{
    struct bm_flow *flow = ud;
    arm_clock(flow);
    bm_ui_invalidate(flow->ui);
    return false;
}

/* ---- session ---- */

int64_t bm_flow_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The tracker's summaries and device errors go to the sync worker, which counts them. */
static void count_usage(const struct bm_usage_event *ev, void *ud)
{
    struct bm_flow *flow = ud;
    if (!flow->stopping)
        bm_sync_service_usage(flow->sync, ev);
}

static void end_session(struct bm_flow *flow)
{
    bm_usage_session_end(&flow->usage, bm_flow_mono_ms());
    bm_flow_apply_settings(flow);    /* remote settings wait for the session to end */
    bm_flow_voice_session_end(flow); /* nothing of this session goes on speaking */
    flow->elderly_offered = false;
    bm_flow_progress_reset(flow);
    /* Before the wipe, which spares print jobs' buffers: the kept receipt copy is one of them. */
    bm_receipt_printer_forget_last();
    /* Every personal buffer zeroed, the resident's too, before any is freed (test_session). */
    size_t wiped = bm_secbuf_wipe_all();
    bm_identity_free(flow->resident);
    flow->resident = NULL;
    bm_log_info("flow",
                "session ended: %zu personal buffers wiped, %zu still allocated "
                "(%zu of them receipts still printing)",
                wiped, bm_secbuf_live_count(), bm_secbuf_job_count());
    if (flow->lang != flow->default_lang)
        set_language(flow, flow->default_lang);
}

void bm_flow_show(struct bm_flow *flow, enum bm_flow_screen screen)
{
    bm_flow_overlay_close(flow); /* a screen shown is what the resident sees next */
    if (screen == BM_FLOW_ATTRACT && flow->screen != BM_FLOW_ATTRACT)
        end_session(flow);
    if (screen != BM_FLOW_ATTRACT && flow->screen == BM_FLOW_ATTRACT)
        bm_usage_session_begin(&flow->usage, time(NULL), bm_flow_mono_ms());
    bool changed = screen != flow->screen;
    if (changed)
        bm_log_info("flow", "screen %s", screen_name(screen));
    flow->screen = screen;
    flow->pressed[0] = '\0';
    bm_flow_session_touch(flow);
    bm_ui_invalidate(flow->ui);
    if (changed)
        bm_flow_speak_screen(flow); /* cuts the last screen's prompt short */
}

/* ---- input ---- */

static void on_intent(struct bm_flow *flow, struct bm_intent in, const char *name)
{
    /* What a resident types is theirs: a key is logged as a key, never as its character. */
    if (in.kind == BM_INTENT_KEY)
        bm_log_info("flow", "tap %s.key", screen_name(flow->screen));
    else
        bm_log_info("flow", "tap %s", name && *name ? name : "(nothing)");
    if (bm_flow_overlay_intent(flow, in)) /* help, hotline, a dialog's buttons */
        return;
    if (bm_flow_progress_intent(flow, in, name)) /* the progress query's screen and entry */
        return;
    switch (in.kind) {
    case BM_INTENT_START:
        bm_flow_show(flow, BM_FLOW_HOME);
        break;
    case BM_INTENT_LANGUAGE:
        switch_language(flow, flow->lang == BM_LANG_EN ? BM_LANG_ZH_CN : BM_LANG_EN);
        break;
    case BM_INTENT_ELDERLY:
        /* The elderly theme and layouts, and voice on (flow_voice.c). */
        bm_flow_set_elderly(flow, !flow->elderly);
        break;
    case BM_INTENT_VOICE:
        bm_flow_set_voice(flow, !flow->voice_on);
        break;
    case BM_INTENT_NONE:
        break;
    default:
        if (bm_flow_browse_intent(flow, in)) /* categories, services, guides, back, home */
            break;
        /* Every element a screen draws has its handler above; one without is a bug. */
        bm_log_warn("flow", "%s: no handler for intent %d", name, (int)in.kind);
        break;
    }
}

/* The element under (x, y): its intent, and its name into name (BM_SCREEN_NAME_MAX; "" if
 * none). Under a dialog, only the dialog's buttons are there to hit. */
static struct bm_intent hit(struct bm_flow *flow, int x, int y, char *name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_elements(flow, list, BM_SCREEN_MAX_ELEMENTS);
    const char *found = NULL;
    struct bm_intent in = bm_screen_hit(list, n, x, y, &found);
    snprintf(name, BM_SCREEN_NAME_MAX, "%s", found ? found : "");
    return in;
}

enum bm_err bm_flow_tap(struct bm_flow *flow, const char *name)
{
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_flow_elements(flow, list, BM_SCREEN_MAX_ELEMENTS);
    const struct bm_screen_element *e = bm_screen_find(list, n, name);
    if (!e)
        return bm_err_set(BM_ERR_NOT_FOUND, "no element '%s' on the %s screen%s%s", name,
                          screen_name(flow->screen), flow->overlay ? " under the dialog " : "",
                          bm_overlay_name(flow->overlay));
    bm_flow_session_touch(flow);
    on_intent(flow, e->intent, e->name);
    return BM_OK;
}

/* Whatever shows pressed stops showing so. */
static void release(struct bm_flow *flow)
{
    if (flow->pressed[0]) {
        flow->pressed[0] = '\0';
        bm_ui_invalidate(flow->ui);
    }
}

/*
 * A finger or the mouse button goes down, moves or lifts at (x, y) in window pixels, at ms
 * (the event's timestamp): one input path for both. The element under the finger is drawn
 * pressed from the next frame on (a screen's static layer makes that frame one copy and the
 * button), and acts when the finger lifts still on it -- as touch screens do: the press is
 * seen at once, and sliding off before lifting changes one's mind. A list's row is the list's
 * to open (flow_browse.c: a drag scrolls instead). Under a dialog only its buttons act.
 */
static void pointer(struct bm_flow *flow, enum bm_pointer_phase phase, int x, int y, uint32_t ms)
{
    bool list = !bm_flow_overlay_ops(flow) && bm_flow_browse_pointer(flow, phase, x, y, ms);
    char under[BM_SCREEN_NAME_MAX];
    switch (phase) {
    case BM_POINTER_DOWN:
        hit(flow, x, y, flow->pressed);
        if (flow->pressed[0])
            bm_ui_invalidate(flow->ui);
        bm_flow_session_touch(flow);
        break;
    case BM_POINTER_MOVE:
        if (list || !flow->pressed[0])
            break;
        hit(flow, x, y, under);
        if (strcmp(under, flow->pressed) != 0) /* slid off: nothing will act */
            release(flow);
        break;
    case BM_POINTER_UP:
        if (!list && flow->pressed[0]) {
            struct bm_intent in = hit(flow, x, y, under);
            if (strcmp(under, flow->pressed) == 0) {
                release(flow);
                bm_flow_session_touch(flow);
                on_intent(flow, in, under);
            }
        }
        release(flow);
        break;
    }
}

static void on_sdl_event(const SDL_Event *ev, void *ud)
{
    struct bm_flow *flow = ud;
    if (bm_display_swallow(&flow->display, ev))
        return;
    switch (ev->type) {
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
        /* A touch screen's fingers, at normalised window coordinates. */
        int x = (int)(ev->tfinger.x * (float)bm_ui_width(flow->ui));
        int y = (int)(ev->tfinger.y * (float)bm_ui_height(flow->ui));
        enum bm_pointer_phase phase = ev->type == SDL_FINGERDOWN ? BM_POINTER_DOWN
                                      : ev->type == SDL_FINGERUP ? BM_POINTER_UP
                                                                 : BM_POINTER_MOVE;
        pointer(flow, phase, x, y, ev->tfinger.timestamp);
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        /* A mouse copy of a touch (should SDL make one) was handled as the finger: a second
         * press would be a double tap. */
        if (ev->button.which == SDL_TOUCH_MOUSEID || ev->button.button != SDL_BUTTON_LEFT)
            break;
        pointer(flow, ev->type == SDL_MOUSEBUTTONDOWN ? BM_POINTER_DOWN : BM_POINTER_UP,
                ev->button.x, ev->button.y, ev->button.timestamp);
        break;
    case SDL_MOUSEMOTION:
        /* Only a held button drags: nothing on screen answers a hovering mouse. */
        if (ev->motion.which != SDL_TOUCH_MOUSEID && (ev->motion.state & SDL_BUTTON_LMASK))
            pointer(flow, BM_POINTER_MOVE, ev->motion.x, ev->motion.y, ev->motion.timestamp);
        break;
    case SDL_KEYDOWN:
        if (flow->demo)
            bm_demo_key(flow->demo, &ev->key);
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_EXPOSED ||
            ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            bm_ui_invalidate(flow->ui);
        break;
    default:
        break;
    }
}

/* ---- devices ---- */

static void on_device_event(struct bm_device_event *ev, void *ud)
{
    struct bm_flow *flow = ud;
    if (ev->cls == BM_CLASS_ID_READER && ev->kind == BM_EVENT_MEDIA_INSERTED && ev->identity) {
        /* A card starts (or continues) a session; keep its data for this session only. */
        bm_identity_free(flow->resident);
        flow->resident = ev->identity;
        ev->identity = NULL;
        bm_log_info("flow", "ID card read (%s)", bm_id_card_type_name(flow->resident->type));
        bm_flow_show(flow, BM_FLOW_HOME);
        bm_flow_offer_elderly(flow); /* aged 65 or more: elderly mode and staff, once */
    }
    if (ev->kind == BM_EVENT_CODE_READ && ev->code && flow->screen == BM_FLOW_PROGRESS)
        bm_flow_progress_code(flow, (const char *)bm_secbuf_data(ev->code->text));
    if (ev->kind == BM_EVENT_STATUS)
        bm_ui_invalidate(flow->ui); /* services that need this device may change state */
    bm_usage_device_event(&flow->usage, ev, time(NULL));
    bm_device_event_free(ev);
}

/* ---- start and stop ---- */

static void on_catalog_changed(void *ud)
{
    struct bm_flow *flow = ud;
    bm_ui_invalidate(flow->ui);
}

/* The sync worker put the centre's new catalog in place: load it (unless stopping). */
static void on_new_catalog(void *ud)
{
    struct bm_flow *flow = ud;
    if (!flow->stopping)
        bm_catalog_store_reload(flow->catalogs);
}

static enum bm_err open_catalog(struct bm_flow *flow)
{
    char bundled[1024], current[1024], assets[1024];
    struct bm_catalog_store_config c = {
        .bundled_path = bm_paths_from_config(flow->cfg, "catalog", "bundled",
                                             bm_paths_bundled_catalog(), bundled, sizeof bundled),
        .current_path =
            bm_paths_from_config(flow->cfg, "catalog", "current", "", current, sizeof current),
        .assets_dir = bm_paths_from_config(flow->cfg, "paths", "assets", bm_paths_assets(), assets,
                                           sizeof assets),
        .changed = on_catalog_changed,
        .ud = flow,
    };
    if (!c.bundled_path || !c.current_path || !c.assets_dir)
        return bm_err_set(BM_ERR_CONFIG, "catalog: a path is too long");
    /* With the centre's keys configured, its catalog copy must carry their signature; a key
     * file that is missing or wrong is a configuration error, never "no signing". */
    char keys_path[1024];
    struct bm_sig_keys keys;
    const char *kp = bm_paths_from_config(flow->cfg, "central", "signing_public_key", "", keys_path,
                                          sizeof keys_path);
    if (!kp)
        return bm_err_set(BM_ERR_CONFIG, "[central] signing_public_key: path too long");
    if (*kp) {
        enum bm_err err = bm_sig_keys_load(kp, &keys);
        if (err != BM_OK) {
            char why[512];
            snprintf(why, sizeof why, "%s", bm_err_detail()); /* not formatted into itself */
            return bm_err_set(err, "[central] signing_public_key: %s", why);
        }
        c.signing_keys = &keys;
    }
    return bm_catalog_store_create(&c, &flow->catalogs);
}

static enum bm_err open_ui(struct bm_flow *flow)
{
    struct bm_ui_options o = {
        .font_regular = bm_config_str(flow->cfg, "paths", "font"),
        .font_bold = bm_config_str(flow->cfg, "paths", "font_bold"),
        .font_face = BM_UI_FONT_FACE_SC,
        .dpi = (int)bm_config_int(flow->cfg, "display", "dpi"),
    };
    return bm_ui_create(flow->display.renderer, &o, &flow->ui);
}

enum bm_err bm_flow_start(const struct bm_config *cfg, const struct bm_flow_options *opts,
                          struct bm_flow **out)
{
    *out = NULL;
    struct bm_flow *flow = calloc(1, sizeof *flow);
    if (!flow)
        return bm_err_set(BM_ERR_NO_MEMORY, "flow");
    flow->cfg = cfg;
    flow->opts = *opts;
    flow->default_lang = flow->lang = lang_of(bm_config_str(cfg, "kiosk", "language"));
    flow->kiosk = (struct bm_kiosk_info){bm_config_str(cfg, "kiosk", "name"),
                                         bm_config_str(cfg, "kiosk", "location"),
                                         bm_config_str(cfg, "kiosk", "hotline")};
    flow->session_timeout_ms = (unsigned)bm_config_int(cfg, "session", "timeout_s") * 1000u;
    flow->countdown_ms = (unsigned)bm_config_int(cfg, "session", "countdown_s") * 1000u;
    flow->screen = BM_FLOW_ATTRACT;
    bm_usage_tracker_init(&flow->usage, count_usage, flow);

    struct bm_sync_service_hooks hooks = {on_new_catalog, bm_flow_on_notices, bm_flow_on_settings,
                                          bm_flow_on_upload, flow};
    enum bm_err err = BM_OK;
    if (SDL_Init(SDL_INIT_EVENTS | SDL_INIT_TIMER) != 0)
        err = bm_err_set(BM_ERR_INTERNAL, "SDL_Init: %s", SDL_GetError());
    if (err == BM_OK)
        err = bm_loop_init(on_sdl_event, flow);
    if (err == BM_OK)
        err = bm_display_open(cfg, &flow->display);
    if (err == BM_OK)
        err = open_ui(flow);
    if (err == BM_OK)
        err = open_catalog(flow);
    if (err == BM_OK)
        err = bm_devices_open(cfg, NULL, on_device_event, flow, &flow->devices);
    if (err == BM_OK)
        err = bm_sync_service_create(cfg, flow->devices, &hooks, &flow->sync);
    if (err == BM_OK)
        bm_flow_voice_open(flow);
    if (err == BM_OK && strcmp(bm_config_str(cfg, "kiosk", "mode"), "demo") == 0)
        err = bm_demo_start(flow, opts->demo_console, &flow->demo);
    if (err == BM_OK && opts->journey)
        err = bm_journey_run_start(flow, opts->journey, true);
    if (err != BM_OK) {
        bm_flow_stop(flow);
        return err;
    }
    bm_loop_set_before_wait(before_wait, flow);
    arm_clock(flow);
    bm_ui_invalidate(flow->ui);
    bm_flow_speak_screen(flow); /* the attract screen's, if the kiosk speaks by default */
    *out = flow;
    return BM_OK;
}

int bm_flow_run(struct bm_flow *flow)
{
    int rc = bm_loop_run();
    bm_log_notice("flow", "stopping");
    return rc;
}

void bm_flow_stop(struct bm_flow *flow)
{
    if (!flow)
        return;
    flow->stopping = true; /* news still in the loop finds nobody to tell */
    bm_journey_run_stop(flow);
    bm_demo_stop(flow->demo);
    bm_flow_voice_close(flow);           /* on its own thread, before SDL goes */
    bm_sync_service_destroy(flow->sync); /* what is queued stays in the outbox */
    flow->sync = NULL;                   /* a console line still in the loop must not reach it */
    bm_devices_close(flow->devices);     /* joins device threads; completions go to the loop */
    bm_catalog_store_destroy(flow->catalogs);
    bm_registry_shutdown();
    bm_loop_shutdown(); /* delivers them, then refuses new messages */
    bm_flow_documents_free(flow);
    bm_identity_free(flow->resident);
    bm_receipt_printer_forget_last(); /* every job has completed: nothing is left printing */
    bm_secbuf_wipe_all();
    bm_ui_destroy(flow->ui);
    bm_display_close(&flow->display);
    SDL_Quit();
    free(flow);
}
