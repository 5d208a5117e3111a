/*
 * central_http.h - HTTPS requests to the central service (docs/central-api.md), for the sync
 * worker.
 *
 * One client holds one libcurl multi handle, so connections are reused across requests
 * (HTTP/2 where the server offers it, keep-alive otherwise). TLS is always verified, against
 * the configured CA bundle only (never the system store), optionally pinned to the server's
 * public key; the kiosk proves itself with its client certificate (mutual TLS). Answers may be
 * compressed. A request fails when no byte moves for transfer_timeout_ms, not after a total
 * time, so a large upload on a slow line is not cut off while it progresses.
 *
 * A request that got no usable answer says why in a failure kind the sync worker maps to the
 * API's action table: the network, a timeout, a server we do not trust, our own certificate
 * refused, an answer cut short, an answer over its cap, or cancelled.
 *
 * Threads: a client belongs to the thread that created it (the sync worker); bm_http_perform
 * blocks it until the answer. bm_http_cancel may be called from any thread.
 */
#ifndef BM_SERVICES_CENTRAL_HTTP_H
#define BM_SERVICES_CENTRAL_HTTP_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct bm_http_config {
    const char *url;         /* base, "https://host[:port]", without /v1 */
    const char *ca_bundle;   /* PEM file of the CAs the server must chain to */
    const char *pin_sha256;  /* NULL/"": no pin; else base64 SPKI hashes, comma-separated */
    const char *client_cert; /* PEM */
    const char *client_key;  /* PEM */
    unsigned connect_timeout_ms;
    unsigned transfer_timeout_ms; /* the longest a request may go without a byte moving */
    /*
     * [kiosk] id: client_cert must name it, and only it, in its SAN URI
     * urn:bianmin:kiosk:<id> (docs/central-api.md, "Ground rules"). NULL: not checked, for
     * tests of the centre's own refusals; the sync engine always sets it.
     */
    const char *kiosk_id;
};

struct bm_http;

/*
 * BM_ERR_CONFIG for a URL that is not https://, a bad pin list, or (with kiosk_id) a client
 * certificate that cannot be read or names no kiosk, several, or another: the error says which.
 * Logs the certificate's kiosk id and expiry.
 */
enum bm_err bm_http_create(const struct bm_http_config *cfg, struct bm_http **out);
/* When the client certificate expires (its notAfter, UTC); 0 if it was not read. */
time_t bm_http_certificate_not_after(const struct bm_http *h);
/* NULL is ignored. */
void bm_http_destroy(struct bm_http *h);

/* Upload progress: bytes of the request body sent so far, of total. */
typedef void (*bm_http_progress_fn)(uint64_t sent, uint64_t total, void *ud);

struct bm_http_request {
    const char *method;         /* GET, HEAD, PUT, POST, PATCH */
    const char *path;           /* "/v1/...", appended to the base URL */
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const void *body;           /* NULL with len 0: no body */
    size_t len;
    size_t max_answer;            /* cap on the answer's body (0: 1 MiB) */
    bm_http_progress_fn progress; /* may be NULL; called at most about 10 times a second */
    void *ud;
};

enum bm_http_failure {
    BM_HTTP_ANSWERED,   /* status is set (any status: what it means is the caller's) */
    BM_HTTP_NETWORK,    /* no connection, reset, nothing answered */
    BM_HTTP_TIMEOUT,    /* connect timeout, or no byte moved for transfer_timeout_ms */
    BM_HTTP_UNTRUSTED,  /* the server's certificate or pin did not verify: nothing sent */
    BM_HTTP_REFUSED_US, /* the server refused our certificate in the handshake */
    BM_HTTP_TRUNCATED,  /* the answer was cut short or is not what its headers say */
    BM_HTTP_TOO_LARGE,  /* the answer's body was over max_answer */
    BM_HTTP_CANCELLED,
};

struct bm_http_response {
    enum bm_http_failure failure;
    long status;         /* 0 unless answered */
    unsigned char *body; /* malloc'd, NUL-terminated (not counted in len); NULL if none */
    size_t len;
    char retry_after[64]; /* header values, "" when absent */
    char date[64];
    char etag[160];
    char upload_offset[32];
    char signature[200]; /* Bianmin-Signature; "duplicate" (never valid) if sent twice */
    char content_type[96];
    bool reused_connection; /* the request went over a connection already open */
    char detail[256];       /* why, for the log (never a body) */
};

/*
 * Sends one request and waits for the whole answer. BM_OK whenever the request ran (then
 * rs->failure says how it went); BM_ERR_NO_MEMORY or BM_ERR_INVALID_ARG otherwise.
 * Free rs with bm_http_response_clear.
 */
enum bm_err bm_http_perform(struct bm_http *h, const struct bm_http_request *rq,
                            struct bm_http_response *rs);
void bm_http_response_clear(struct bm_http_response *rs);

/* Makes the request under way (or the next one) end as BM_HTTP_CANCELLED. Any thread. */
void bm_http_cancel(struct bm_http *h);

const char *bm_http_failure_name(enum bm_http_failure f);

/*
 * The wait a Retry-After value asks for, in ms: seconds, or an HTTP date measured against the
 * answer's Date (or now when there is none); capped at 3600 s. -1 if absent or unreadable.
 */
int64_t bm_http_retry_after_ms(const char *value, const char *date, time_t now);

#endif
