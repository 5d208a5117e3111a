/*
 * demo_sync.c - the demo's sample application and sync status (demo_sync.h).
 *
 * The application number is allocated by the outbox as the application is stored
 * (docs/central-api.md, "The number"), so the JSON made here has none, and the log line that
 * stands in for the receipt comes only once it is stored.
 *
 * Main thread.
 */
#include "demo_sync.h"

#include "flow_internal.h"

#include "core/log.h"
#include "services/catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void on_queued(enum bm_err err, const char *number, void *ud)
{
    (void)ud;
    if (err == BM_OK)
        bm_log_notice("demo", "application %s queued for the centre", number);
    else
        bm_log_warn("demo", "application not queued: %s (%s)", bm_err_name(err), bm_err_detail());
}

void bm_demo_apply(struct bm_flow *flow)
{
    if (!flow->sync) {
        bm_log_warn("demo", "apply: no central service ([central] url is empty)");
        return;
    }
    const struct bm_catalog *cat = bm_catalog_store_get(flow->catalogs);
    if (!cat || bm_catalog_service_count(cat) == 0) {
        bm_log_warn("demo", "apply: no catalog loaded");
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[40], json[1024];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S%z", &tm);
    /* ISO 8601 wants the offset as +08:00. */
    size_t sl = strlen(stamp);
    char offset[8] = "";
    if (sl >= 5) {
        snprintf(offset, sizeof offset, "%.3s:%.2s", stamp + sl - 5, stamp + sl - 2);
        stamp[sl - 5] = '\0';
    }
    const struct bm_catalog_service *svc = bm_catalog_service_at(cat, 0);
    snprintf(json, sizeof json,
             "{\"service\": \"%s\", \"catalog_revision\": \"%s\", "
             "\"created_at\": \"%s%s\", \"language\": \"%s\", \"applicant\": {\"identified_by\": "
             "\"none\"}, \"fields\": {}, \"materials\": [{\"material\": \"sample\", \"pages\": "
             "2}]}",
             svc->id, bm_catalog_revision(cat), stamp, offset,
             flow->lang == BM_LANG_EN ? "en" : "zh_CN");
    static unsigned char page[64 * 1024];
    for (size_t i = 0; i < sizeof page; i++)
        page[i] = (unsigned char)(i * 131 + (size_t)now);
    memcpy(page, "\x89PNG\r\n\x1a\n", 8);
    struct bm_sync_file files[2] = {{"sample-1", "image/png", page, sizeof page},
                                    {"sample-2", "image/png", page, sizeof page / 2}};
    /* For the usage counts the sample is its service used from start to completion. */
    bm_usage_service_chosen(&flow->usage, svc->id, (int64_t)now, bm_flow_mono_ms());
    bm_usage_service_completed(&flow->usage, bm_flow_mono_ms());
    struct bm_sync_application a = {NULL, json, strlen(json), files, 2}; /* numbered on storing */
    enum bm_err err = bm_sync_service_enqueue(flow->sync, &a, on_queued, NULL);
    if (err != BM_OK)
        on_queued(err, "", NULL);
}

void bm_demo_log_sync(const struct bm_flow *flow)
{
    struct bm_sync_service_status st;
    bm_sync_service_status(flow->sync, &st);
    if (!flow->sync) {
        bm_log_notice("sync", "off: %s", st.problem);
        return;
    }
    bm_log_notice("sync",
                  "%s%s; outbox: %" PRIu64 " queued (%" PRIu64 " KiB), %" PRIu64
                  " dead letters, %" PRIu64 " delivered keys%s%s",
                  st.running ? (st.sync.paused ? "paused by the centre" : "running")
                             : "not running",
                  st.running && st.sync.failures ? " (backing off)" : "", st.outbox.queued,
                  st.outbox.queued_bytes / 1024, st.outbox.dead, st.outbox.delivered,
                  st.problem[0] ? "; last problem: " : "", st.problem);
    if (st.documents[0])
        bm_log_notice("sync", "documents: %s", st.documents);
}
