/*
 * sync.h - delivering the outbox to the centre (docs/central-api.md, docs/sync.md).
 *
 * The sync engine owns the outbox and the HTTPS client. bm_sync_run delivers what is due:
 * an application as the API has it (PUT the application, declare and upload each file in
 * pieces resuming where the centre's offset says, submit; the submit's 2xx acknowledges it all
 * and deletes its personal data), and ratings, feedback and usage batches as POSTs with their
 * idempotency key. Every answer is acted on as the API's action table says: done, the next
 * step, a bounded recovery (offset mismatch, a lost application or file, a checksum
 * mismatch, an incomplete upload), a wait for the item or for the whole centre (exponential
 * backoff with equal jitter, or Retry-After), a dead letter, or a pause of all sync when the
 * centre refuses the kiosk itself (401, 403, our certificate refused).
 *
 * Time is passed in (wall-clock ms, as the outbox stores it), so tests can run hours of
 * backoff in a moment.
 *
 * Threads: one owner thread (the sync worker) for everything here.
 */
#ifndef BM_SERVICES_SYNC_H
#define BM_SERVICES_SYNC_H

#include "central_http.h"
#include "outbox.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One file of an application on its way to the centre. */
struct bm_sync_progress {
    const char *number;  /* the application */
    const char *file;    /* its id: "hukou-1" */
    uint64_t sent, size; /* bytes the centre holds (or is being sent) of the file's size */
};

struct bm_sync_config {
    struct bm_http_config http;
    struct bm_outbox_config outbox;
    size_t upload_chunk; /* bytes per PATCH (0: 1 MiB; at most 4 MiB) */
    /* Asked between the requests of a round (NULL: never): true ends the round early, so the
     * thread can serve other work (a resident's application waiting to be stored); the next
     * round goes on where this one stopped. */
    bool (*yield)(void *ud);
    void *yield_ud;
    /* A file of an application going out (NULL: not wanted), for a progress bar: called as
     * its bytes move (each value once, at most about 10 times a second), the last call with
     * sent == size. */
    void (*progress)(const struct bm_sync_progress *p, void *ud);
    void *progress_ud;
};

struct bm_sync;

enum bm_err bm_sync_open(const struct bm_sync_config *cfg, struct bm_sync **out);
/* NULL is ignored. */
void bm_sync_close(struct bm_sync *s);

/* One scanned page or document of an application. */
struct bm_sync_file {
    const char *id;         /* "<material>-<page>", e.g. "hukou-1" */
    const char *media_type; /* image/jpeg, image/png or application/pdf */
    const void *data;
    size_t len;
};

struct bm_sync_application {
    const char *number; /* the application number on the receipt: the idempotency key
                           (bm_sync_enqueue_new_application allocates it instead) */
    const char *json;   /* the ApplicationRequest body */
    size_t json_len;
    const struct bm_sync_file *files;
    size_t n_files;
};

/*
 * Queues an application, its files and its submit in one transaction (personal data
 * encrypted). Putting the same application again is harmless. Errors as bm_outbox_put_all.
 */
enum bm_err bm_sync_enqueue_application(struct bm_sync *s, const struct bm_sync_application *a,
                                        int64_t now_ms);
/*
 * Queues a new application under the next application number, allocated in the same outbox
 * transaction (bm_outbox_put_numbered): the kiosk's way. a->number is not used; a->json is
 * the ApplicationRequest object without "application_no", which is put in first with the
 * number. number (BM_OUTBOX_NUMBER_LEN + 1 bytes) gets it on BM_OK, for the receipt, which
 * is printed only then. Errors as bm_outbox_put_numbered.
 */
enum bm_err bm_sync_enqueue_new_application(struct bm_sync *s, const struct bm_sync_application *a,
                                            int64_t now_ms, char *number);
/* Queues a rating, feedback or usage batch (kind) under its idempotency key. */
enum bm_err bm_sync_enqueue_post(struct bm_sync *s, enum bm_outbox_kind kind, const char *key,
                                 const char *json, size_t len, bool personal, int64_t now_ms);

struct bm_sync_round {
    unsigned requests;     /* HTTP requests made */
    unsigned delivered;    /* items whose step the centre took */
    unsigned acknowledged; /* applications and posts the centre acknowledged */
    unsigned dead;         /* items moved to the dead letters */
    bool yielded;          /* ended early for the yield callback: more may be due now */
};

/*
 * Delivers what is due at now_ms until nothing is, the centre is to be left alone for a
 * while, or sync is paused; returns then (the status says until when). BM_OK unless the
 * outbox itself failed.
 */
enum bm_err bm_sync_run(struct bm_sync *s, int64_t now_ms, struct bm_sync_round *round);

struct bm_sync_status {
    bool paused; /* the centre refuses this kiosk (401/403): nothing is sent */
    char pause_reason[200];
    unsigned failures;       /* consecutive centre-wide failures */
    int64_t wait_until_ms;   /* no request before this (backoff, Retry-After, pause probe) */
    int64_t last_success_ms; /* 0: none yet */
    char last_error[200];
};
void bm_sync_get_status(const struct bm_sync *s, struct bm_sync_status *out);

/*
 * Sends a heartbeat (heartbeat.h) now: live, never queued; the next interval is its retry.
 * A 2xx ends a pause (the heartbeat is the probe), 401/403 start one. *status: the HTTP status
 * (0 without an answer). BM_OK on a 2xx.
 */
enum bm_err bm_sync_heartbeat(struct bm_sync *s, const char *json, size_t len, int64_t now_ms,
                              long *status);

/* The engine's HTTPS client, for requests outside the outbox (documents). Owner thread. */
struct bm_http *bm_sync_http(struct bm_sync *s);

/* Makes the request under way (or the next) end as cancelled. Any thread. */
void bm_sync_cancel(struct bm_sync *s);

/* The engine's outbox, for technicians' views and tests (the owner thread only). */
struct bm_outbox *bm_sync_outbox(struct bm_sync *s);

/*
 * The API's backoff after the n-th consecutive failure (n >= 1): cap = min(900, 2 * 2^(n-1))
 * seconds, wait cap/2 + random share of cap/2. random: any 32-bit value. Pure.
 */
int64_t bm_sync_backoff_ms(unsigned failures, uint32_t random);

/*
 * Acts on the answer to a request made outside the outbox (rs from bm_http_perform on
 * bm_sync_http): the heartbeat (probe true) or a document GET. As the API's action table says
 * for the centre as a whole: network failures, 408, 429 and 502-504 back off all of sync
 * (Retry-After honoured), 401/403 and our certificate refused pause it; a 2xx (a document's
 * whatever its body, the heartbeat's if it is JSON) or a 304 resets the backoff, and the
 * probe's ends a pause. Callers send nothing while bm_sync_get_status says paused (but the
 * probe) or wait_until_ms lies ahead.
 */
enum bm_sync_answer {
    BM_SYNC_ANSWER_OK,        /* use it */
    BM_SYNC_ANSWER_WAIT,      /* the centre is unwell: all of sync waits */
    BM_SYNC_ANSWER_PAUSED,    /* the centre refuses this kiosk: all of sync paused */
    BM_SYNC_ANSWER_FAILED,    /* this request refused or failed (500, other 4xx): report it */
    BM_SYNC_ANSWER_CANCELLED, /* bm_sync_cancel */
};
enum bm_sync_answer bm_sync_note_answer(struct bm_sync *s, const struct bm_http_response *rs,
                                        int64_t now_ms, bool probe);

#endif
