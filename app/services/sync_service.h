/*
 * sync_service.h - the kiosk's sync worker: the sync engine (sync.h) on its own thread, fed
 * from the configuration ([central], [sync]: docs/config.md).
 *
 * With `[central] url` empty (the default) there is no service and nothing is sent. Otherwise
 * the worker opens the outbox and the HTTPS client, delivers what is due whenever it is kicked
 * (an application was queued) and every 10 seconds, sends a heartbeat every
 * [sync] heartbeat_interval_s (the first at start), and publishes a status snapshot that the
 * main thread reads without waiting (technicians' status report).
 *
 * Threads: create, destroy, enqueue and status from the main thread; the engine lives on the
 * worker.
 */
#ifndef BM_SERVICES_SYNC_SERVICE_H
#define BM_SERVICES_SYNC_SERVICE_H

#include "outbox.h"
#include "sync_application_status.h"
#include "sync.h"
#include "usage.h"

#include "devices.h"

#include "core/config.h"

struct bm_sync_service;

/*
 * What the sync worker tells the main thread (through the loop; a message may arrive after
 * the service is gone, during the loop's shutdown). Each may be NULL. notices and settings
 * own what they are given: a notices catalog (notices.h; bm_catalog_unref it) and remote
 * settings (remote_settings.h; bm_remote_settings_free them); NULL means none is held.
 */
struct bm_remote_settings;
struct bm_catalog;
struct bm_sync_service_hooks {
    void (*catalog)(void *ud); /* a new catalog is in place: reload it */
    void (*notices)(struct bm_catalog *notices, void *ud);
    void (*settings)(struct bm_remote_settings *settings, void *ud);
    /* A file of an application going out, for a progress bar (the engine's progress). */
    void (*upload)(const struct bm_sync_progress *p, void *ud);
    void *ud;
};

/*
 * *out stays NULL (and BM_OK) when no central service is configured. devices (may be NULL)
 * and cfg must outlive the service: the heartbeat reads the devices' statuses. With the
 * centre's signing keys configured, the worker loads the signed documents held at start and
 * fetches new ones as the heartbeat's answer names them (sync_documents.h); hooks (copied;
 * may be NULL) hear of each.
 */
enum bm_err bm_sync_service_create(const struct bm_config *cfg, struct bm_devices *devices,
                                   const struct bm_sync_service_hooks *hooks,
                                   struct bm_sync_service **out);
/* Stops the worker (a delivery under way is cancelled; everything stays in the outbox). */
void bm_sync_service_destroy(struct bm_sync_service *svc);

/* Called on the main thread when the application is in the outbox (err BM_OK) or not. */
typedef void (*bm_sync_queued_fn)(enum bm_err err, const char *number, void *ud);

/*
 * Queues an application (copied; its personal data is wiped from the copy once stored).
 * With a->number NULL the number is allocated as it is stored
 * (bm_sync_enqueue_new_application) and done gets it: print the receipt only then.
 * done runs exactly once on the main thread.
 */
enum bm_err bm_sync_service_enqueue(struct bm_sync_service *svc,
                                    const struct bm_sync_application *a, bm_sync_queued_fn done,
                                    void *ud);

/*
 * Counts a usage event (usage.h) in the outbox's running counts, on the worker; the worker
 * queues them as a batch at start and every [sync] usage_batch_s. BM_OK and nothing done
 * without a central service; BM_ERR_BUSY if the worker's queue is full (not counted).
 */
enum bm_err bm_sync_service_usage(struct bm_sync_service *svc, const struct bm_usage_event *ev);

/* How a resident's status query ended (q is valid during the call only). */
typedef void (*bm_sync_status_fn)(const struct bm_app_query *q, void *ud);

/*
 * Asks the centre where application `number` stands (token: the tracking token from the
 * receipt's QR code, or NULL), on the worker, never blocking the caller; done runs exactly
 * once, on the main thread. The worker answers without asking the centre when it may not:
 * over the kiosk's own limit (a burst of 6, then one query every 5 s) or while the centre
 * said to wait, BM_APP_BUSY with the seconds; while sync cannot start, is paused or backs off
 * after a network failure, BM_APP_OFFLINE. BM_ERR_STATE without a central service (svc NULL:
 * nothing to ask), BM_ERR_INVALID_ARG for a number that is not one, BM_ERR_BUSY when the
 * worker's queue is full; done is not called then.
 */
enum bm_err bm_sync_service_query_status(struct bm_sync_service *svc, const char *number,
                                         const char *token, bm_sync_status_fn done, void *ud);

struct bm_sync_service_status {
    bool running;        /* the engine opened */
    char problem[200];   /* why not, or the last error */
    char documents[300]; /* the signed documents held, and the last one refused ("": none) */
    struct bm_sync_status sync;
    struct bm_outbox_stats outbox;
};
/* The last snapshot (after the worker's last round). Any thread. */
void bm_sync_service_status(const struct bm_sync_service *svc, struct bm_sync_service_status *out);

#endif
