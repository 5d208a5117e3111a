/*
 * sync_application_status.h - where a resident's application stands: the centre's status GET
 * (docs/central-api.md, "Status: GET /v1/applications/{no}"), its answer read, and the number
 * or receipt code a resident brings to the progress query.
 *
 * The answer holds no personal data: the state, when it was reached, the case worker's note.
 * Each way a query can end is one outcome the screen can put in plain words: found, not
 * arrived at the centre (yet), the centre out of reach, the centre busy (try again in a
 * while), or an answer that makes no sense.
 *
 * Threads: bm_app_status_fetch runs on the sync worker (it blocks on the network); the rest is
 * pure and safe anywhere.
 */
#ifndef BM_SERVICES_SYNC_APPLICATION_STATUS_H
#define BM_SERVICES_SYNC_APPLICATION_STATUS_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct bm_sync;

/* "BM" + yyyymmdd + 6 digits (outbox_number.c makes them). */
#define BM_APP_NUMBER_LEN 16
/* The tracking token from a receipt's QR code: 1 to 64 of A-Z a-z 0-9 - _ (base64url). */
#define BM_APP_TOKEN_MAX 64

/* The API's states; one the kiosk does not know reads as in review (the API says so). */
enum bm_app_state {
    BM_APP_OPEN,       /* created, materials still arriving from the kiosk */
    BM_APP_RECEIVED,   /* submitted and acknowledged */
    BM_APP_IN_REVIEW,  /* a case worker has it */
    BM_APP_NEEDS_MORE, /* something is missing: the note says what */
    BM_APP_APPROVED,
    BM_APP_REJECTED, /* the note gives the reason */
    BM_APP_READY_FOR_PICKUP,
    BM_APP_COMPLETED,
};
const char *bm_app_state_name(enum bm_app_state s); /* "in_review" */

#define BM_APP_NOTE_MAX 1024 /* bytes of a note kept (cut at a character boundary) */

struct bm_app_status {
    char number[BM_APP_NUMBER_LEN + 1];
    char service[40]; /* the catalog id ("elderly_allowance") */
    enum bm_app_state state;
    time_t since;                  /* when it reached this state (0: unknown) */
    char note_zh[BM_APP_NOTE_MAX]; /* the case worker's note, "" for none */
    char note_en[BM_APP_NOTE_MAX]; /* "" when the centre gave none in English */
};

/*
 * Reads a 200's body. BM_ERR_PARSE (with the reason in bm_err_detail, never the body) for
 * anything that is not a JSON object with a known application number equal to `number`, a
 * state string and the required times; unknown members and states are tolerated.
 */
enum bm_err bm_app_status_parse(const char *json, size_t len, const char *number,
                                struct bm_app_status *out);

/* Whether s is an application number: BM, a real date yyyymmdd (2000-2099), 6 digits. */
bool bm_app_number_valid(const char *s);

/*
 * What a scanned receipt code says: the QR's tracking URL (".../q/BM20261129000123", with
 * "?t=<token>" when the receipt carries a tracking token) or the Code 128 of the bare number.
 * number gets the application number, token the token or "". false if the code is neither.
 */
bool bm_app_receipt_code(const char *text, char number[BM_APP_NUMBER_LEN + 1],
                         char token[BM_APP_TOKEN_MAX + 1]);

/* How a status query ended. */
enum bm_app_outcome {
    BM_APP_FOUND,     /* status holds the answer */
    BM_APP_NOT_FOUND, /* 404: not at the centre (yet), or not this kiosk's without its token */
    BM_APP_OFFLINE,   /* no answer: network, timeout, TLS, no centre configured, sync paused */
    BM_APP_BUSY,      /* 429 (or the kiosk's own limit): try again after retry_after_s */
    BM_APP_ERROR,     /* an answer that makes no sense (garbage, 5xx, another 4xx) */
};
const char *bm_app_outcome_name(enum bm_app_outcome o);

struct bm_app_query {
    enum bm_app_outcome outcome;
    struct bm_app_status status; /* BM_APP_FOUND only */
    unsigned retry_after_s;      /* BM_APP_BUSY: how long to wait (>= 1) */
    char detail[200];            /* why, for the log (never personal data) */
};

/*
 * Worker thread: asks the centre through the engine's client (token may be NULL or ""), and
 * tells the engine how the centre answered (a 429 or a dead network hold all of sync back, as
 * the API's action table says for the status GET). The caller checks the engine lets a
 * request go before calling.
 */
void bm_app_status_fetch(struct bm_sync *engine, const char *number, const char *token,
                         int64_t now_ms, struct bm_app_query *out);

#endif
