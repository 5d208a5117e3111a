/*
 * usage.h - usage counts for demand analysis (docs/central-api.md, "Ratings, feedback, usage").
 *
 * Nothing here identifies a resident or a session: the flow hands over a summary when a
 * service use ends (which service, completed or where it was left, how long it took, the
 * hour it began) and each device error as it happens (class, error, hour). The sync worker
 * adds them to running counts per hour (kiosk local time) and service in the outbox database
 * (outbox_usage.h), and every [sync] usage_batch_s takes them out as a batch of at most 168
 * hours: the JSON body of POST /v1/usage, built here.
 *
 * The tracker (bm_usage_session_begin ... bm_usage_session_end) turns what the flow sees into
 * those summaries; it is the API the step engine calls (service chosen, step reached,
 * completed). Main thread. The rest is pure and may run on any thread.
 */
#ifndef BM_SERVICES_USAGE_H
#define BM_SERVICES_USAGE_H

#include "catalog.h"

#include "core/err.h"
#include "drivers/device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a service was left: reading its guide, or at one of the catalog's step kinds. */
#define BM_USAGE_AT_GUIDE BM_STEP_KIND_COUNT
#define BM_USAGE_PLACES   (BM_STEP_KIND_COUNT + 1)
/* "guide", or the step kind's name ("materials"); NULL out of range. */
const char *bm_usage_place_name(unsigned place);

/* Durations of completed services: 7 buckets, <=30, <=60, <=120, <=300, <=600, <=1200, >1200 s. */
#define BM_USAGE_BUCKETS 7
unsigned bm_usage_bucket(uint64_t seconds);

/* A batch holds at most this many hours (the API's limit), and a body at most this many
 * bytes (the centre takes 256 KiB). */
#define BM_USAGE_BATCH_HOURS 168
#define BM_USAGE_BODY_MAX    ((size_t)200 * 1024)

/* Service ids are the catalog's: [a-z][a-z0-9_]{0,31}. */
#define BM_USAGE_SERVICE_MAX 32

/*
 * The local hour t (unix seconds) falls in: *start is its first second, label its RFC 3339
 * name with the offset in force ("2026-11-29T18:00:00+08:00"). Uses TZ, as localtime does.
 */
void bm_usage_hour_of(int64_t t, int64_t *start, char label[32]);

/* One service use, or a session that ended before any service was chosen (service ""). */
struct bm_usage_session {
    char service[BM_USAGE_SERVICE_MAX + 1];
    int64_t started_s;   /* wall clock: the hour it counts in */
    bool completed;      /* else left at left_at */
    unsigned left_at;    /* BM_USAGE_AT_GUIDE or an enum bm_step_kind */
    uint64_t duration_s; /* completed: how long it took */
};

/* What the flow reports to the sync worker. */
struct bm_usage_event {
    enum { BM_USAGE_SESSION, BM_USAGE_DEVICE_ERROR } kind;
    struct bm_usage_session session; /* BM_USAGE_SESSION */
    enum bm_device_class cls;        /* BM_USAGE_DEVICE_ERROR */
    enum bm_err err;
    int64_t at_s; /* wall clock */
};

/* BM_ERR_INVALID_ARG (with why) for an event the counts cannot take: an id that is not a
 * service id, a place or class out of range. */
enum bm_err bm_usage_event_check(const struct bm_usage_event *ev);

/* ---- the tracker: the flow's side (main thread) ---- */

typedef void (*bm_usage_emit_fn)(const struct bm_usage_event *ev, void *ud);

struct bm_usage_tracker {
    bm_usage_emit_fn emit;
    void *ud;
    bool in_session, chose_service, in_service;
    int64_t session_wall_s;
    struct bm_usage_session current;          /* in_service */
    int64_t current_mono_ms;                  /* when the current use began */
    enum bm_err device_error[BM_CLASS_COUNT]; /* each device's error as last seen */
};

void bm_usage_tracker_init(struct bm_usage_tracker *t, bm_usage_emit_fn emit, void *ud);
/* The first touch (or a card) on the attract screen. A session still open is ended first. */
void bm_usage_session_begin(struct bm_usage_tracker *t, int64_t wall_s, int64_t mono_ms);
/*
 * The resident opened a service (its guide first). A service still open counts as left
 * where it was. Outside a session this begins one. The use's duration runs from the
 * session's start for its first service, from the end of the one before for the next.
 */
void bm_usage_service_chosen(struct bm_usage_tracker *t, const char *service, int64_t wall_s,
                             int64_t mono_ms);
/* The service's flow reached this step: leaving now counts as left there. */
void bm_usage_step_reached(struct bm_usage_tracker *t, enum bm_step_kind step);
/* The service was done (submitted, printed): counts as a completion. */
void bm_usage_service_completed(struct bm_usage_tracker *t, int64_t mono_ms);
/* The wipe or the timeout: an open service counts as left; no service at all, as a session
 * without one. */
void bm_usage_session_end(struct bm_usage_tracker *t, int64_t mono_ms);
/* A device reported an error (counted at once, by the hour it happened in). */
void bm_usage_device_error(struct bm_usage_tracker *t, enum bm_device_class cls, enum bm_err err,
                           int64_t wall_s);
/*
 * Every device event the flow receives: counts a device's status turning to an error (paper
 * out), once until the error changes, and an error event about the medium in hand (a card
 * that will not read), which leaves the status alone. The error event that follows a status
 * change to that same error is the same error and is not counted again.
 */
void bm_usage_device_event(struct bm_usage_tracker *t, const struct bm_device_event *ev,
                           int64_t wall_s);

/* ---- a batch (outbox_usage.c reads it from the database) ---- */

struct bm_usage_hour_counts {
    int64_t start; /* bm_usage_hour_of */
    char label[32];
    uint64_t sessions_without_service;
};
struct bm_usage_service_counts {
    size_t hour; /* index into the batch's hours */
    char service[BM_USAGE_SERVICE_MAX + 1];
    uint64_t starts, completions;
    uint64_t left[BM_USAGE_PLACES];
    uint64_t durations, duration_sum, buckets[BM_USAGE_BUCKETS];
};
struct bm_usage_error_count {
    size_t hour;
    char cls[24], error[48]; /* bm_device_class_name, bm_err_name */
    uint64_t count;
};
/* Hours ascending; services and errors grouped by hour in that order. */
struct bm_usage_batch {
    struct bm_usage_hour_counts *hours;
    size_t n_hours;
    struct bm_usage_service_counts *services;
    size_t n_services;
    struct bm_usage_error_count *errors;
    size_t n_errors;
};
void bm_usage_batch_free(struct bm_usage_batch *b);

/* The POST /v1/usage body, in plain malloc memory (free()); NULL when memory runs out. */
char *bm_usage_batch_json(const struct bm_usage_batch *b, size_t *len);

#endif
