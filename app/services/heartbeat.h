/*
 * heartbeat.h - the heartbeat's body (docs/central-api.md, "Heartbeat"): what the centre
 * learns about a kiosk every [sync] heartbeat_interval_s. Never personal data: versions,
 * times, device states and counters, outbox depth, disk space.
 *
 * Pure: builds JSON from a snapshot the caller gathered. Any thread.
 */
#ifndef BM_SERVICES_HEARTBEAT_H
#define BM_SERVICES_HEARTBEAT_H

#include "outbox.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct bm_heartbeat_device {
    const char *cls, *driver; /* "receipt_printer", "escpos-usb" */
    const char *device;       /* state name: online, offline, no_device, ... */
    const char *error;        /* "BM_OK", "BM_ERR_NO_MEDIA", ... */
    const char *fix;          /* none, reset, clear, maintenance, suspend */
    const char *detail;       /* for technicians; never personal data */
    bool has_counters;        /* receipt paper counters with a forecast */
    uint64_t receipts, paper_mm, roll_mm, avg_mm, receipts_left;
};

/* A signed document held (docs/central-api.md, "Heartbeat": documents). */
struct bm_heartbeat_document {
    const char *kind;     /* catalog, notices, settings */
    const char *revision; /* "" when none */
    const char *source;   /* current, bundled, none */
};

/* A document refused since the last heartbeat that got through. */
struct bm_heartbeat_rejection {
    const char *kind, *revision, *reason; /* revision may be "" (unknown) */
    time_t at;
};

struct bm_heartbeat {
    const char *version;
    uint64_t uptime_s;
    time_t now;
    const struct bm_heartbeat_device *devices;
    size_t n_devices;
    struct bm_outbox_stats outbox;
    bool outbox_error;
    bool paused;
    const char *pause_reason;
    int64_t last_sync_ok_ms; /* wall ms; 0: never */
    uint64_t disk_free, disk_total;
    const struct bm_heartbeat_document *documents; /* n_documents of them (up to 3) */
    size_t n_documents;
    const struct bm_heartbeat_rejection *rejections; /* up to 16 are sent */
    size_t n_rejections;
    time_t certificate_not_after; /* the kiosk's client certificate; 0: unknown */
    bool has_clock_skew;          /* from the last answer's server_time */
    int64_t clock_skew_s;         /* the kiosk's clock minus the centre's */
};

/* The JSON body (malloc'd: free() it; *len bytes); NULL when memory runs out. */
char *bm_heartbeat_json(const struct bm_heartbeat *hb, size_t *len);

#endif
