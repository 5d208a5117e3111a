/*
 * outbox_usage.h - the running usage counts (usage.h) in the outbox's database.
 *
 * Each summary is added in one transaction, so a crash loses at most the session in progress.
 * Taking a batch is one transaction too: the counts of up to 168 hours become one
 * BM_OUTBOX_USAGE item (a fresh idempotency key) and leave the running counts together, so a
 * crash never loses them or sends them twice. The centre adds what it gets, so an hour still
 * under way may be taken: its later sessions come in the next batch.
 *
 * Threads: the outbox's owner thread (the sync worker).
 */
#ifndef BM_SERVICES_OUTBOX_USAGE_H
#define BM_SERVICES_OUTBOX_USAGE_H

#include "outbox.h"
#include "usage.h"

/* Makes the counts' tables if missing (bm_outbox_open calls it). */
enum bm_err bm_outbox_usage_create(struct bm_outbox *ob);

/* Adds a summary or a device error to the running counts. BM_ERR_INVALID_ARG for an event
 * bm_usage_event_check refuses; BM_ERR_NO_SPACE at the cap or on a full disk. */
enum bm_err bm_outbox_usage_record(struct bm_outbox *ob, const struct bm_usage_event *ev);

/*
 * Moves the oldest hours' counts (at most BM_USAGE_BATCH_HOURS, and fewer if the body would
 * pass BM_USAGE_BODY_MAX) into one usage item. *hours: how many went (0: there were none).
 * Call again while it takes some: the first call takes the oldest.
 */
enum bm_err bm_outbox_usage_take(struct bm_outbox *ob, int64_t now_ms, size_t *hours);

/* Takes batches until no counts are left; *batches (may be NULL): how many were made. */
enum bm_err bm_outbox_usage_take_all(struct bm_outbox *ob, int64_t now_ms, size_t *batches);

/* How many hours have running counts. */
enum bm_err bm_outbox_usage_hours(struct bm_outbox *ob, uint64_t *hours);

#endif
