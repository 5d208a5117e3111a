/*
 * flow_internal.h - the flow's state, shared by its files (flow.c, demo.c). Main thread only.
 */
#ifndef BM_FLOW_INTERNAL_H
#define BM_FLOW_INTERNAL_H

#include "display.h"
#include "flow_browse.h"
#include "flow.h"
#include "flow_progress.h"
#include "flow_screens.h"

#include "drivers/id_reader.h"
#include "screens/overlay.h"
#include "screens/screens.h"
#include "services/catalog_store.h"
#include "services/devices.h"
#include "services/sync_service.h"
#include "services/usage.h"
#include "services/voice.h"
#include "ui/ui.h"

#include <stdint.h>

struct bm_demo;
struct bm_journey_run;

struct bm_flow {
    const struct bm_config *cfg;
    struct bm_flow_options opts;
    struct bm_display display;
    struct bm_ui *ui;
    struct bm_devices *devices;
    struct bm_catalog_store *catalogs;
    struct bm_sync_service *sync; /* NULL without a central service */
    bool stopping;                /* bm_flow_stop has begun */
    struct bm_demo *demo;         /* NULL outside demo mode */

    enum bm_flow_screen screen;
    /* The element under a finger on home, drawn pressed until it lifts; "" if none. */
    char pressed[BM_SCREEN_NAME_MAX];
    enum bm_lang lang, default_lang;
    struct bm_kiosk_info kiosk;
    struct tm now; /* the time the screens show, refreshed each minute */

    /* Session lifetime and the dialog over the screen (flow_session.c). */
    uint32_t idle_timer, countdown_timer;
    unsigned session_timeout_ms, countdown_ms;
    uint32_t countdown_deadline; /* SDL_GetTicks() when "are you still there?" reaches 0 */
    enum bm_overlay overlay;     /* BM_OVERLAY_NONE: the screen alone */
    bool elderly_offered;        /* a resident aged 65+ is offered elderly mode once */

    /* Usage counts for demand analysis (no personal data): to the sync worker. */
    struct bm_usage_tracker usage;

    /* The centre's documents (flow_documents.c): its notices (NULL: the catalog's), the
     * remote settings in force and the ones waiting for the session to end. */
    struct bm_catalog *notices;
    struct bm_remote_settings *settings, *settings_pending;
    bool settings_waiting;

    /* The last file of an application on its way to the centre, for a progress bar. */
    struct {
        char number[48], file[64];
        uint64_t sent, size;
    } upload;

    /* Browsing the catalog (flow_browse.c): the category, the service, where back goes. */
    struct bm_flow_browse browse;

    /* Spoken guidance (flow_voice.c): NULL when there is none. voice_on and elderly are the
     * session's, back to the kiosk's defaults when it ends. */
    struct bm_voice *voice;
    bool voice_on, voice_default, elderly;

    /* The progress query (flow_progress.c): the number typed, the query, its answer. */
    struct bm_flow_progress progress;

    /* The resident of this session: personal data, wiped when the session ends. */
    struct bm_identity *resident;

    /* A scripted journey being played (journey_run.c), NULL if none. */
    struct bm_journey_run *journey;

    bool first_frame_done;
    unsigned screenshot_seq;
    /* The screen and language of the last automatic screenshot: one PNG per screen shown. */
    enum bm_flow_screen shot_screen;
    enum bm_overlay shot_overlay;
    enum bm_lang shot_lang;
    bool shot_taken;
};

/* The catalog in force (NULL until one has loaded). */
const struct bm_catalog *bm_flow_catalog(const struct bm_flow *flow);

/* The elements a finger can reach now: a dialog's only while one shows, else the screen's. */
size_t bm_flow_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap);

/* Switches screen (starting or ending the session as needed) and redraws. */
void bm_flow_show(struct bm_flow *flow, enum bm_flow_screen screen);

/* Acts as if the element called name was tapped; BM_ERR_NOT_FOUND if it is not on screen. */
enum bm_err bm_flow_tap(struct bm_flow *flow, const char *name);

/* Monotonic milliseconds, for the usage tracker's durations. */
int64_t bm_flow_mono_ms(void);

/* Saves the current screen into the screenshot dir (or dir if given). */
void bm_flow_screenshot(struct bm_flow *flow, const char *dir);

/* The centre's notices and remote settings (flow_documents.c). */
const struct bm_catalog *bm_flow_notices(const struct bm_flow *flow,
                                         const struct bm_catalog *catalog);
void bm_flow_on_notices(struct bm_catalog *notices, void *ud);
void bm_flow_on_settings(struct bm_remote_settings *settings, void *ud);
/* The sync service's upload progress (main thread). */
void bm_flow_on_upload(const struct bm_sync_progress *p, void *ud);
/* Between sessions: the waiting remote settings take effect. */
void bm_flow_apply_settings(struct bm_flow *flow);
void bm_flow_documents_free(struct bm_flow *flow);

/* Spoken guidance (flow_voice.c). */
/* The screen's spoken prompt in the current language: the program's words, never data. */
const char *bm_flow_prompt(enum bm_flow_screen screen);
/* Opens the voice service from [voice] (never fatal: without it the kiosk is silent). */
void bm_flow_voice_open(struct bm_flow *flow);
void bm_flow_voice_close(struct bm_flow *flow);
/* Speaks the current screen's prompt if voice or elderly mode is on. */
void bm_flow_speak_screen(struct bm_flow *flow);
/* Speaks the program's own words (never personal data) if voice or elderly mode is on. */
void bm_flow_speak(struct bm_flow *flow, const char *text);
/* Stops speech; voice and elderly mode return to the kiosk's defaults. */
void bm_flow_voice_session_end(struct bm_flow *flow);
void bm_flow_set_voice(struct bm_flow *flow, bool on);
void bm_flow_set_elderly(struct bm_flow *flow, bool on);

/* Session lifetime and the dialogs over the screen (flow_session.c). */
/* A touch: the inactivity timer starts again (not while "are you still there?" asks). */
void bm_flow_session_touch(struct bm_flow *flow);
/* Opens a dialog over the current screen (closing any other) and speaks its prompt. */
void bm_flow_overlay_show(struct bm_flow *flow, enum bm_overlay overlay);
void bm_flow_overlay_close(struct bm_flow *flow);
/* Help and the hotline from any screen, and a dialog's buttons: true if it was one of them. */
bool bm_flow_overlay_intent(struct bm_flow *flow, struct bm_intent in);
/* After an ID card is read: a resident aged 65 or more is offered elderly mode and staff. */
void bm_flow_offer_elderly(struct bm_flow *flow);

/* Demo mode (demo.c): keyboard and console scripting of the simulated devices. */
enum bm_err bm_demo_start(struct bm_flow *flow, bool console, struct bm_demo **out);
/* Runs one demo console command line ("card elderly"); its outcome is logged too. */
enum bm_err bm_demo_command(struct bm_demo *demo, const char *line);
/* Handles a key press; returns true if it was a demo key. */
bool bm_demo_key(struct bm_demo *demo, const SDL_KeyboardEvent *key);
void bm_demo_stop(struct bm_demo *demo);

#endif
