/*
 * flow_voice.c - spoken guidance in the flow: each screen's prompt, and when it is spoken.
 *
 * A screen's prompt is spoken when the screen is shown while voice is on. Elderly mode switches
 * voice on (a resident may still switch it off: the home screen's voice button shows the
 * state); switching voice on, or switching language, speaks the current screen's prompt again
 * (in the new language), so a resident who cannot read hears at once what the tap did. The
 * prompts are the program's own fixed words, translated like every other text of the screens:
 * never a name, a number or anything else of the resident's. The session's end stops speech
 * and returns voice and elderly mode to the kiosk's defaults. Elderly mode also puts the
 * elderly theme on the ui (the screens lay out fewer, larger items), the standard one after.
 *
 * The voice service does the work on its own thread; everything here only hands it a text.
 * Main thread only.
 */
#include "flow_internal.h"

#include "core/config.h"
#include "core/i18n.h"
#include "core/log.h"

#include <string.h>

const char *bm_flow_prompt(enum bm_flow_screen screen)
{
    /* Short, the next step first; Chinese numerals if a number is ever needed (espeak-ng's
     * Mandarin drops 点 from decimal figures). The words are each screen's (flow_screens.h). */
    return _(bm_flow_screen_ops(screen)->prompt);
}

void bm_flow_speak_screen(struct bm_flow *flow)
{
    if (!flow->voice || !flow->voice_on)
        return;
    /* A dialog over the screen speaks for it (flow_session.c). */
    const struct bm_flow_screen_ops *ops = bm_flow_overlay_ops(flow);
    if (!ops)
        ops = bm_flow_screen_ops(flow->screen);
    bm_log_debug("voice", "prompt of the %s screen", ops->name);
    bm_voice_say(flow->voice, _(ops->prompt), flow->lang);
}

void bm_flow_speak(struct bm_flow *flow, const char *text)
{
    if (flow->voice && flow->voice_on && text && *text)
        bm_voice_say(flow->voice, text, flow->lang);
}

void bm_flow_voice_open(struct bm_flow *flow)
{
    flow->voice_default = flow->voice_on = bm_config_bool(flow->cfg, "voice", "enabled");
    const char *device = bm_config_str(flow->cfg, "voice", "device");
    if (strcmp(device, "none") == 0) {
        bm_log_notice("voice", "[voice] device = none: no spoken guidance");
        return;
    }
    struct bm_voice_config c = {
        .rate_wpm = (int)bm_config_int(flow->cfg, "voice", "rate"),
        .volume = (int)bm_config_int(flow->cfg, "voice", "volume"),
        .device = device,
    };
    /* Voice is optional: without it the kiosk works on, silently. */
    if (bm_voice_create(&c, &flow->voice) != BM_OK)
        bm_log_err(BM_LOG_WARN, "voice", BM_ERR_INTERNAL, "no spoken guidance");
}

void bm_flow_voice_close(struct bm_flow *flow)
{
    bm_voice_destroy(flow->voice);
    flow->voice = NULL;
}

void bm_flow_voice_session_end(struct bm_flow *flow)
{
    bm_voice_stop(flow->voice);
    flow->voice_on = flow->voice_default;
    if (flow->elderly)
        bm_ui_set_theme(flow->ui, bm_theme_standard());
    flow->elderly = false;
}

void bm_flow_set_voice(struct bm_flow *flow, bool on)
{
    bool was = flow->voice_on;
    flow->voice_on = on;
    bm_log_info("voice", "voice %s", on ? "on" : "off");
    bm_ui_invalidate(flow->ui); /* the voice button shows its state */
    if (!on)
        bm_voice_stop(flow->voice);
    else if (!was)
        bm_flow_speak_screen(flow);
}

void bm_flow_set_elderly(struct bm_flow *flow, bool on)
{
    flow->elderly = on;
    bm_log_info("flow", "elderly mode %s", on ? "on" : "off");
    /* Larger type and targets; the screens lay out fewer, larger items (vm.elderly). The
     * theme switch invalidates the ui and every static layer. */
    bm_ui_set_theme(flow->ui, on ? bm_theme_elderly() : bm_theme_standard());
    /* Elderly mode speaks; leaving it leaves voice as the resident now sees it on the button. */
    if (on)
        bm_flow_set_voice(flow, true);
}
