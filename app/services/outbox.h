/*
 * outbox.h - the durable queue of everything bound for the centre.
 *
 * What must reach the centre (an application, its scanned materials, the submit that asks the
 * centre to acknowledge it, ratings, feedback, usage batches) is put here first. Once
 * bm_outbox_put returns BM_OK the item survives a crash or a power cut (SQLite, WAL,
 * synchronous=FULL); the sync client then takes items in order, and each ends in exactly one
 * of two ways: acknowledged by the centre (deleted, personal data and all; its key is
 * remembered so the same item is never queued twice) or refused for good (moved to the
 * dead-letter table, where technicians can list, retry or export it). Nothing is dropped
 * silently.
 *
 * Every item carries an idempotency key made on the kiosk (the application number printed on
 * the receipt, with a suffix per part); putting a key again is harmless. Items of one group
 * (one application) go out strictly in the order they were put, and a refused item takes the
 * rest of its group to the dead letters with it, so no submit ever overtakes its files.
 *
 * Personal items are encrypted at rest (libsodium secretbox, a fresh nonce per item) with a
 * 32-byte key from a file only the kiosk's user may read; the database is opened with
 * secure_delete, and the WAL is checkpointed away after personal data was deleted.
 *
 * Size: the database is capped (max_bytes); a put over the cap, or on a full disk, fails with
 * BM_ERR_NO_SPACE and a reason, and the outbox stays usable: a reported state, not a crash.
 *
 * Threads: one owner thread (the sync worker) makes every call on an outbox.
 */
#ifndef BM_SERVICES_OUTBOX_H
#define BM_SERVICES_OUTBOX_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum bm_outbox_kind {
    BM_OUTBOX_APPLICATION, /* PUT /v1/applications/{no} */
    BM_OUTBOX_FILE,        /* a material's bytes, uploaded in pieces */
    BM_OUTBOX_SUBMIT,      /* POST .../submit: the acknowledgement */
    BM_OUTBOX_RATING,
    BM_OUTBOX_FEEDBACK,
    BM_OUTBOX_USAGE,
    BM_OUTBOX_KIND_COUNT
};

/* Longest idempotency key and group name, in bytes (printable ASCII only). */
#define BM_OUTBOX_KEY_MAX   95
#define BM_OUTBOX_GROUP_MAX 63
/* Largest item body (a material is at most 10 MiB; a little room for its framing). */
#define BM_OUTBOX_BODY_MAX ((size_t)11 * 1024 * 1024)

struct bm_outbox_config {
    const char *path;     /* the database file; its directory must exist */
    const char *key_path; /* 32 raw bytes, mode 0600; made (0600) if missing */
    uint64_t max_bytes;   /* cap on the database file (0: 2 GiB) */
};

struct bm_outbox;

/*
 * Opens (creating if needed) the outbox. BM_ERR_CONFIG if the key file is readable by others,
 * not a regular file, not ours or not 32 bytes; BM_ERR_PARSE if the database is not one of
 * ours or fails its integrity check (the file is left as it is for technicians).
 */
enum bm_err bm_outbox_open(const struct bm_outbox_config *cfg, struct bm_outbox **out);
/* NULL is ignored. */
void bm_outbox_close(struct bm_outbox *ob);

/* What to put. body/len are copied (encrypted if personal) before this returns. */
struct bm_outbox_put {
    enum bm_outbox_kind kind;
    const char *key;   /* idempotency key: unique over the outbox's life */
    const char *group; /* NULL or "": no ordering with other items */
    bool personal;     /* encrypt at rest */
    const void *body;
    size_t len;
    int64_t now_ms; /* wall-clock ms, for technicians' views */
};

/*
 * Puts an item durably. A key already queued, refused or delivered with the same body is
 * BM_OK and changes nothing (*queued false); with a different body it is BM_ERR_STATE, except
 * for a delivered personal item, whose body is not remembered in any form: its key alone
 * makes any put of it BM_OK, already delivered.
 * BM_ERR_NO_SPACE: over max_bytes or the disk is full (nothing was written).
 * queued may be NULL.
 */
enum bm_err bm_outbox_put(struct bm_outbox *ob, const struct bm_outbox_put *item, bool *queued);
/*
 * Puts n items in one transaction: all of them or none (an application with its files and
 * its submit, so a crash can never leave half an application queued). Each item follows
 * bm_outbox_put's rules; *queued (may be NULL) counts those that were new.
 */
enum bm_err bm_outbox_put_all(struct bm_outbox *ob, const struct bm_outbox_put *items, size_t n,
                              size_t *queued);

/*
 * Application numbers (docs/central-api.md, "The number"): "BM", the kiosk's local date
 * (YYYYMMDD) and a 6-digit daily sequence, BM20261129000123.
 */
#define BM_OUTBOX_NUMBER_LEN 16
#define BM_OUTBOX_DAILY_MAX  999999

/*
 * Makes the items of an application once its number is known, inside the put's transaction:
 * sets *items and *n to items it keeps (through ud) until bm_outbox_put_numbered returns.
 * Anything but BM_OK puts nothing.
 */
typedef enum bm_err (*bm_outbox_build_fn)(const char *number, void *ud,
                                          const struct bm_outbox_put **items, size_t *n);
/*
 * Allocates the next application number of the kiosk's local date at now_ms (TZ) and puts the
 * items build makes with it, in one transaction: the number is taken if and only if the items
 * are stored (a failed put, a builder's error or a crash before the commit leave the sequence
 * as it was; a crash after it, before the receipt is printed, wastes the number's receipt,
 * not the application). The sequence lives in the outbox database, survives restarts, starts
 * at 1 each local day and never repeats within a day, also when the clock steps back; a
 * number some key of the outbox already has is skipped. BM_ERR_STATE when the day's
 * BM_OUTBOX_DAILY_MAX numbers are used (no wrap); otherwise errors as bm_outbox_put_all.
 * number: the number on BM_OK, "" otherwise.
 */
enum bm_err bm_outbox_put_numbered(struct bm_outbox *ob, int64_t now_ms, bm_outbox_build_fn build,
                                   void *ud, char number[BM_OUTBOX_NUMBER_LEN + 1]);

/* An item taken out for sending. Its body is in guarded, locked memory, zeroed when cleared. */
struct bm_outbox_item {
    int64_t id; /* the order items were put in */
    enum bm_outbox_kind kind;
    char key[BM_OUTBOX_KEY_MAX + 1];
    char group[BM_OUTBOX_GROUP_MAX + 1];
    bool personal;
    int64_t created_ms;
    unsigned attempts;   /* earlier tries that failed */
    unsigned recoveries; /* protocol recoveries tried (bm_outbox_recover) */
    unsigned char *body;
    size_t len;
};

/*
 * The oldest item due at now_ms that is first in its group. BM_ERR_NOT_FOUND if none is due
 * (*next_due_ms, if not NULL, then says when one will be; INT64_MAX if the outbox is empty).
 * BM_ERR_PARSE if a personal body does not decrypt (a wrong key or a damaged row): that item
 * is moved to the dead letters with the reason, and the call may be repeated.
 */
enum bm_err bm_outbox_next(struct bm_outbox *ob, int64_t now_ms, struct bm_outbox_item *item,
                           int64_t *next_due_ms);
/* Zeroes and frees the item's body. Safe on a zeroed or already cleared item. */
void bm_outbox_item_clear(struct bm_outbox_item *item);

/* The centre has it: deletes the item and remembers its key. */
enum bm_err bm_outbox_ack(struct bm_outbox *ob, int64_t id, int64_t now_ms);
/*
 * An application's steps: each step the centre took (its PUT, each file) is marked sent, which
 * lets the group's next step go while the step's data stays; the submit's 2xx acknowledges the
 * whole group, which deletes it all (docs/central-api.md: personal data goes at the
 * acknowledgement). If the centre says it lost the application, resend_group makes every step
 * of the group due again, from the first. mark_sent: BM_ERR_NOT_FOUND for an item in no group.
 */
enum bm_err bm_outbox_mark_sent(struct bm_outbox *ob, int64_t id);
enum bm_err bm_outbox_ack_group(struct bm_outbox *ob, const char *group, int64_t now_ms);
enum bm_err bm_outbox_resend_group(struct bm_outbox *ob, const char *group);
/*
 * A bounded protocol recovery (the centre lost a file, a checksum mismatch): counts it, apart
 * from failed attempts, and sets when to try again.
 */
enum bm_err bm_outbox_recover(struct bm_outbox *ob, int64_t id, int64_t next_try_ms,
                              const char *why);
/* Not now (network, 5xx, 429): counts the attempt and sets when to try again. */
enum bm_err bm_outbox_defer(struct bm_outbox *ob, int64_t id, int64_t next_try_ms, const char *why);
/*
 * Refused for good (status: the HTTP status, 0 if none): moves the item, and the items of its
 * group still queued, to the dead letters.
 */
enum bm_err bm_outbox_dead_letter(struct bm_outbox *ob, int64_t id, int status, const char *why,
                                  int64_t now_ms);

struct bm_outbox_stats {
    uint64_t queued;       /* items waiting */
    uint64_t queued_bytes; /* their bodies as stored */
    uint64_t dead;         /* dead letters */
    uint64_t delivered;    /* keys remembered as delivered */
    int64_t oldest_ms;     /* when the oldest waiting item was put; 0 if none */
    uint64_t file_bytes;   /* database size */
    uint64_t max_bytes;
    bool full; /* the last put failed for space, and nothing was put or delivered since */
};
enum bm_err bm_outbox_stats(struct bm_outbox *ob, struct bm_outbox_stats *out);

/* One dead letter, for technicians (no body). */
struct bm_outbox_dead {
    int64_t id;
    enum bm_outbox_kind kind;
    char key[BM_OUTBOX_KEY_MAX + 1];
    char group[BM_OUTBOX_GROUP_MAX + 1];
    int64_t created_ms, dead_ms;
    unsigned attempts;
    int status;
    char reason[160];
};
/* Calls fn for each dead letter, oldest first; fn returns false to stop. */
enum bm_err bm_outbox_dead_list(struct bm_outbox *ob,
                                bool (*fn)(const struct bm_outbox_dead *d, void *ud), void *ud);
/* Puts dead letter id, and the dead letters of its group, back in the queue, due now. */
enum bm_err bm_outbox_dead_retry(struct bm_outbox *ob, int64_t id);
/*
 * Writes every dead letter as one JSON object a line: its fields and the body as stored, in
 * base64 (personal bodies stay encrypted: only this kiosk's key opens them).
 */
enum bm_err bm_outbox_dead_export(struct bm_outbox *ob, FILE *out);

const char *bm_outbox_kind_name(enum bm_outbox_kind kind);

#endif
