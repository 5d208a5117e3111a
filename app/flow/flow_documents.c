/*
 * flow_documents.c - what the sync worker hands the flow: the centre's notices, this kiosk's
 * remote settings and upload progress, as the flow uses them (docs/central-api.md, "The
 * documents").
 *
 * The sync worker hands over each document that came into force (sync_service.h). Notices
 * replace the catalog's on the screens at once: they are only read between taps. Settings
 * never change a session under way: a new document waits until the session ends (or applies
 * at once when no session runs, on the attract screen), and then the kiosk's name, location,
 * hotline, the language sessions start in, the inactivity timeout, its countdown and the
 * log level are read again, remote values over the config file's. The progress of uploads to
 * the centre is kept here too, for a progress bar.
 *
 * Main thread only.
 */
#include "flow_internal.h"

#include "core/i18n.h"
#include "core/log.h"
#include "services/catalog.h"
#include "services/remote_settings.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const struct bm_catalog *bm_flow_notices(const struct bm_flow *flow,
                                         const struct bm_catalog *catalog)
{
    return flow->notices ? flow->notices : catalog;
}

void bm_flow_on_notices(struct bm_catalog *notices, void *ud)
{
    struct bm_flow *flow = ud;
    if (flow->stopping) {
        bm_catalog_unref(notices);
        return;
    }
    bm_catalog_unref(flow->notices);
    flow->notices = notices;
    bm_log_info("flow", "notices: %s", notices ? bm_catalog_revision(notices) : "the catalog's");
    bm_ui_invalidate(flow->ui);
}

void bm_flow_apply_settings(struct bm_flow *flow)
{
    if (!flow->settings_waiting)
        return;
    bool had_level = bm_remote_settings_has(flow->settings, "log", "level");
    bm_remote_settings_free(flow->settings);
    flow->settings = flow->settings_pending;
    flow->settings_pending = NULL;
    flow->settings_waiting = false;
    const struct bm_remote_settings *rs = flow->settings;
    const struct bm_config *cfg = flow->cfg;
    flow->kiosk = (struct bm_kiosk_info){bm_settings_str(rs, cfg, "kiosk", "name"),
                                         bm_settings_str(rs, cfg, "kiosk", "location"),
                                         bm_settings_str(rs, cfg, "kiosk", "hotline")};
    flow->default_lang = strcmp(bm_settings_str(rs, cfg, "kiosk", "language"), "en") == 0
                             ? BM_LANG_EN
                             : BM_LANG_ZH_CN;
    flow->session_timeout_ms = (unsigned)bm_settings_int(rs, cfg, "session", "timeout_s") * 1000u;
    flow->countdown_ms = (unsigned)bm_settings_int(rs, cfg, "session", "countdown_s") * 1000u;
    enum bm_log_level level;
    /* The level from the command line stays unless the centre sets one (or set one before). */
    if ((had_level || bm_remote_settings_has(rs, "log", "level")) &&
        bm_log_level_parse(bm_settings_str(rs, cfg, "log", "level"), &level) == BM_OK)
        bm_log_set_level(level);
    bm_log_notice("flow", "remote settings %s%s applied (%zu keys)", rs ? "revision " : "",
                  rs ? bm_remote_settings_revision(rs) : "none", bm_remote_settings_count(rs));
    bm_ui_invalidate(flow->ui);
}

void bm_flow_on_settings(struct bm_remote_settings *settings, void *ud)
{
    struct bm_flow *flow = ud;
    if (flow->stopping) {
        bm_remote_settings_free(settings);
        return;
    }
    bm_remote_settings_free(flow->settings_pending);
    flow->settings_pending = settings;
    flow->settings_waiting = true;
    if (flow->screen != BM_FLOW_ATTRACT) {
        bm_log_info("flow", "remote settings wait for the session to end");
        return;
    }
    bm_flow_apply_settings(flow); /* no session runs: now */
    const char *code = flow->default_lang == BM_LANG_EN ? "en" : "zh_CN";
    if (flow->lang != flow->default_lang && bm_i18n_set_language(code) == BM_OK)
        flow->lang = flow->default_lang;
}

void bm_flow_on_upload(const struct bm_sync_progress *p, void *ud)
{
    struct bm_flow *flow = ud;
    if (flow->stopping)
        return;
    snprintf(flow->upload.number, sizeof flow->upload.number, "%s", p->number);
    snprintf(flow->upload.file, sizeof flow->upload.file, "%s", p->file);
    flow->upload.sent = p->sent;
    flow->upload.size = p->size;
    if (p->sent == p->size)
        bm_log_info("flow", "upload %s: %s sent (%" PRIu64 " bytes)", p->number, p->file, p->size);
}

void bm_flow_documents_free(struct bm_flow *flow)
{
    bm_catalog_unref(flow->notices);
    bm_remote_settings_free(flow->settings);
    bm_remote_settings_free(flow->settings_pending);
    flow->notices = NULL;
    flow->settings = flow->settings_pending = NULL;
}
