/*
 * sync_application_status.c - the status GET of one application, its answer read, and the
 * numbers and receipt codes a resident brings (sync_application_status.h).
 *
 * Every answer maps to one outcome the progress screen can word: the API's action table for
 * the status GET (docs/central-api.md) says 2xx use it, 404 "not arrived yet", 429 wait, and
 * drop the rest; here "drop" becomes "out of reach" when nothing answered and "error" when
 * something answered nonsense. The engine hears of every answer, so a dead network or a 429
 * holds the outbox back as the heartbeat's would.
 */
#include "sync_application_status.h"

#include "central_http.h"
#include "json_text.h"
#include "sync.h"

#include "core/log.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MOD               "sync"
#define STATUS_ANSWER_MAX (256u << 10) /* a status is small; a runaway answer is refused */

static const char *const state_names[] = {
    [BM_APP_OPEN] = "open",
    [BM_APP_RECEIVED] = "received",
    [BM_APP_IN_REVIEW] = "in_review",
    [BM_APP_NEEDS_MORE] = "needs_more",
    [BM_APP_APPROVED] = "approved",
    [BM_APP_REJECTED] = "rejected",
    [BM_APP_READY_FOR_PICKUP] = "ready_for_pickup",
    [BM_APP_COMPLETED] = "completed",
};

const char *bm_app_state_name(enum bm_app_state s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "in_review";
}

/* A state the kiosk does not know reads as in review (new ones may appear within v1). */
static enum bm_app_state state_of(const char *name)
{
    for (size_t i = 0; i < sizeof state_names / sizeof *state_names; i++)
        if (strcmp(name, state_names[i]) == 0)
            return (enum bm_app_state)i;
    return BM_APP_IN_REVIEW;
}

const char *bm_app_outcome_name(enum bm_app_outcome o)
{
    switch (o) {
    case BM_APP_FOUND:
        return "found";
    case BM_APP_NOT_FOUND:
        return "not_found";
    case BM_APP_OFFLINE:
        return "offline";
    case BM_APP_BUSY:
        return "busy";
    case BM_APP_ERROR:
        return "error";
    }
    return "error";
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool bm_app_number_valid(const char *s)
{
    if (!s || strlen(s) != BM_APP_NUMBER_LEN || s[0] != 'B' || s[1] != 'M' ||
        !all_digits(s + 2, BM_APP_NUMBER_LEN - 2))
        return false;
    int y = (s[2] - '0') * 1000 + (s[3] - '0') * 100 + (s[4] - '0') * 10 + (s[5] - '0');
    int m = (s[6] - '0') * 10 + (s[7] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return !(m == 2 && d == 29 && !leap);
}

static bool token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool bm_app_receipt_code(const char *text, char number[BM_APP_NUMBER_LEN + 1],
                         char token[BM_APP_TOKEN_MAX + 1])
{
    number[0] = token[0] = '\0';
    if (!text)
        return false;
    /* The bare number (the receipt's Code 128), or the QR's URL: .../q/<number>[?t=<token>]. */
    const char *no = text;
    if (strncmp(text, "BM", 2) != 0) {
        if (strncmp(text, "https://", 8) != 0)
            return false;
        const char *q = strstr(text + 8, "/q/");
        if (!q)
            return false;
        no = q + 3;
    }
    char candidate[BM_APP_NUMBER_LEN + 1];
    snprintf(candidate, sizeof candidate, "%.*s", BM_APP_NUMBER_LEN, no);
    if (!bm_app_number_valid(candidate))
        return false;
    const char *rest = no + BM_APP_NUMBER_LEN;
    if (*rest == '\0') {
        memcpy(number, candidate, sizeof candidate);
        return true;
    }
    if (no == text || strncmp(rest, "?t=", 3) != 0)
        return false;
    size_t n = 0;
    for (rest += 3; rest[n] && token_char(rest[n]); n++)
        ;
    if (n == 0 || n > BM_APP_TOKEN_MAX || (rest[n] && rest[n] != '&'))
        return false;
    memcpy(number, candidate, sizeof candidate);
    memcpy(token, rest, n);
    token[n] = '\0';
    return true;
}

/* Copies a note text, cut at a UTF-8 character boundary if it is longer than the buffer. */
static void copy_note(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static enum bm_err parse_root(json_t *root, const char *number, struct bm_app_status *out)
{
    if (!json_is_object(root))
        return bm_err_set(BM_ERR_PARSE, "status answer: not a JSON object");
    const char *no = json_string_value(json_object_get(root, "application_no"));
    if (!no || !bm_app_number_valid(no))
        return bm_err_set(BM_ERR_PARSE, "status answer: no application number");
    if (number && strcmp(no, number) != 0)
        return bm_err_set(BM_ERR_PARSE, "status answer: another application's number");
    const char *state = json_string_value(json_object_get(root, "state"));
    if (!state || !*state)
        return bm_err_set(BM_ERR_PARSE, "status answer: no state");
    time_t updated;
    if (!bm_rfc3339_parse(json_string_value(json_object_get(root, "updated_at")), &updated))
        return bm_err_set(BM_ERR_PARSE, "status answer: no updated_at time");
    snprintf(out->number, sizeof out->number, "%s", no);
    const char *service = json_string_value(json_object_get(root, "service"));
    if (service && strlen(service) < sizeof out->service)
        snprintf(out->service, sizeof out->service, "%s", service);
    out->state = state_of(state);
    /* When it reached this state: its last entry in the history (a state may come back,
     * needs_more then in_review again), else the last update. */
    out->since = updated;
    json_t *history = json_object_get(root, "history");
    for (size_t i = json_array_size(history); i-- > 0;) {
        json_t *h = json_array_get(history, i);
        const char *s = json_string_value(json_object_get(h, "state"));
        time_t at;
        if (s && strcmp(s, state) == 0 &&
            bm_rfc3339_parse(json_string_value(json_object_get(h, "at")), &at)) {
            out->since = at;
            break;
        }
    }
    json_t *note = json_object_get(root, "note");
    copy_note(out->note_zh, sizeof out->note_zh, json_string_value(json_object_get(note, "zh-CN")));
    copy_note(out->note_en, sizeof out->note_en, json_string_value(json_object_get(note, "en")));
    return BM_OK;
}

enum bm_err bm_app_status_parse(const char *json, size_t len, const char *number,
                                struct bm_app_status *out)
{
    memset(out, 0, sizeof *out);
    if (!json)
        return bm_err_set(BM_ERR_PARSE, "status answer: empty");
    json_error_t e;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!root)
        return bm_err_set(BM_ERR_PARSE, "status answer: not JSON (line %d)", e.line);
    enum bm_err err = parse_root(root, number, out);
    json_decref(root);
    if (err != BM_OK)
        memset(out, 0, sizeof *out);
    return err;
}

/* The answer's Retry-After in whole seconds, at least 1 (60 when it gave none). */
static unsigned retry_after_s(const struct bm_http_response *rs, int64_t now_ms)
{
    int64_t ms = bm_http_retry_after_ms(rs->retry_after, rs->date, (time_t)(now_ms / 1000));
    if (ms < 0)
        return 60;
    return ms < 1000 ? 1u : (unsigned)((ms + 999) / 1000);
}

static void classify(struct bm_sync *engine, const struct bm_http_response *rs, const char *number,
                     int64_t now_ms, struct bm_app_query *out)
{
    enum bm_sync_answer a = bm_sync_note_answer(engine, rs, now_ms, false);
    if (rs->failure != BM_HTTP_ANSWERED) {
        out->outcome = BM_APP_OFFLINE;
        snprintf(out->detail, sizeof out->detail, "%s: %.150s", bm_http_failure_name(rs->failure),
                 rs->detail);
        return;
    }
    long st = rs->status;
    if (st >= 200 && st < 300) {
        if (bm_app_status_parse((const char *)rs->body, rs->len, number, &out->status) == BM_OK) {
            out->outcome = BM_APP_FOUND;
            snprintf(out->detail, sizeof out->detail, "HTTP %ld %s", st,
                     bm_app_state_name(out->status.state));
        } else {
            out->outcome = BM_APP_ERROR;
            snprintf(out->detail, sizeof out->detail, "HTTP %ld: %s", st, bm_err_detail());
        }
    } else if (st == 404) {
        out->outcome = BM_APP_NOT_FOUND;
        snprintf(out->detail, sizeof out->detail, "HTTP 404");
    } else if (st == 429 || st == 503) {
        out->outcome = BM_APP_BUSY;
        out->retry_after_s = retry_after_s(rs, now_ms);
        snprintf(out->detail, sizeof out->detail, "HTTP %ld, again in %u s", st,
                 out->retry_after_s);
    } else if (a == BM_SYNC_ANSWER_PAUSED) {
        out->outcome = BM_APP_OFFLINE; /* the centre refuses this kiosk: nothing to ask it */
        snprintf(out->detail, sizeof out->detail, "HTTP %ld: sync paused", st);
    } else {
        out->outcome = BM_APP_ERROR;
        snprintf(out->detail, sizeof out->detail, "HTTP %ld", st);
    }
}

void bm_app_status_fetch(struct bm_sync *engine, const char *number, const char *token,
                         int64_t now_ms, struct bm_app_query *out)
{
    memset(out, 0, sizeof *out);
    out->outcome = BM_APP_ERROR;
    if (!bm_app_number_valid(number)) {
        snprintf(out->detail, sizeof out->detail, "not an application number");
        return;
    }
    char path[64], header[32 + BM_APP_TOKEN_MAX];
    snprintf(path, sizeof path, "/v1/applications/%s", number);
    const char *headers[2] = {NULL, NULL};
    if (token && *token) {
        snprintf(header, sizeof header, "Bianmin-Tracking-Token: %s", token);
        headers[0] = header;
    }
    struct bm_http_request rq = {
        .method = "GET", .path = path, .headers = headers, .max_answer = STATUS_ANSWER_MAX};
    struct bm_http_response rs;
    if (bm_http_perform(bm_sync_http(engine), &rq, &rs) != BM_OK) {
        snprintf(out->detail, sizeof out->detail, "request: %s", bm_err_detail());
        return;
    }
    classify(engine, &rs, number, now_ms, out);
    bm_http_response_clear(&rs);
}
