/*
 * sync.c - the sync engine (sync.h): outbox items to API requests, answers to actions.
 *
 * Items: an application is a group keyed by its number: the application (key = number), one
 * item per file (key number/files/<id>, body "<media type>\n<bytes>") and the submit (key
 * number/submit). A step the centre took is marked sent, so the next may go while the data
 * stays; the submit's 2xx acknowledges the group (deleting it). Ratings, feedback and usage
 * are single items whose key is their Idempotency-Key.
 *
 * Answers are judged once (judge) into an action, then applied (apply): that is the API's
 * action table, in one place. Recoveries are counted with the item in the outbox (apart from
 * failed attempts), so a centre that keeps answering the same recoverable code cannot make
 * the kiosk loop: after RECOVERY_TRIES the item becomes a dead letter.
 *
 * Threads: the owner thread.
 */
#include "sync.h"

#include "core/log.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CHUNK  ((size_t)1024 * 1024)
#define MAX_CHUNK      ((size_t)4 * 1024 * 1024)
#define BACKOFF_CAP_MS ((int64_t)900 * 1000)
#define PAUSE_PROBE_MS ((int64_t)300 * 1000)
/* The longest wait the API allows: Retry-After's hour plus its 10 % spread. */
#define WAIT_MAX_MS ((int64_t)3960 * 1000)
/*
 * Recoveries an item may have before it is a dead letter: the action table's "once" per code,
 * for up to two different codes on one item (a checksum mismatch, then a lost offset, say).
 */
#define RECOVERY_TRIES 3
#define MOD            "sync"

struct bm_sync {
    struct bm_outbox *outbox;
    struct bm_http *http;
    size_t chunk;
    bool (*yield)(void *ud);
    void *yield_ud;
    void (*progress)(const struct bm_sync_progress *p, void *ud);
    void *progress_ud;
    struct bm_sync_status st;
    atomic_bool stopping; /* bm_sync_cancel: no more requests */
};

int64_t bm_sync_backoff_ms(unsigned failures, uint32_t random)
{
    if (failures == 0)
        return 0;
    int64_t cap = failures >= 10 ? BACKOFF_CAP_MS : (int64_t)2000 << (failures - 1);
    if (cap > BACKOFF_CAP_MS)
        cap = BACKOFF_CAP_MS;
    return cap / 2 + (int64_t)((uint64_t)random * (uint64_t)(cap / 2) / UINT32_MAX);
}

enum bm_err bm_sync_open(const struct bm_sync_config *cfg, struct bm_sync **out)
{
    *out = NULL;
    if (!cfg->http.kiosk_id || !*cfg->http.kiosk_id)
        return bm_err_set(BM_ERR_CONFIG, "sync: no [kiosk] id to check the certificate against");
    struct bm_sync *s = calloc(1, sizeof *s);
    if (!s)
        return bm_err_set(BM_ERR_NO_MEMORY, "sync");
    s->chunk = cfg->upload_chunk ? cfg->upload_chunk : DEFAULT_CHUNK;
    s->yield = cfg->yield;
    s->yield_ud = cfg->yield_ud;
    s->progress = cfg->progress;
    s->progress_ud = cfg->progress_ud;
    if (s->chunk > MAX_CHUNK)
        s->chunk = MAX_CHUNK;
    enum bm_err err = bm_outbox_open(&cfg->outbox, &s->outbox);
    if (err == BM_OK)
        err = bm_http_create(&cfg->http, &s->http);
    if (err != BM_OK) {
        bm_sync_close(s);
        return err;
    }
    *out = s;
    return BM_OK;
}

void bm_sync_close(struct bm_sync *s)
{
    if (!s)
        return;
    bm_http_destroy(s->http);
    bm_outbox_close(s->outbox);
    free(s);
}

struct bm_http *bm_sync_http(struct bm_sync *s)
{
    return s->http;
}

void bm_sync_cancel(struct bm_sync *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    bm_http_cancel(s->http);
}

struct bm_outbox *bm_sync_outbox(struct bm_sync *s)
{
    return s->outbox;
}

void bm_sync_get_status(const struct bm_sync *s, struct bm_sync_status *out)
{
    *out = s->st;
}

/* ---- enqueue ---- */

static bool id_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

/* An application's outbox items (see the top of the file) and the memory they point into. */
struct parts {
    const struct bm_sync_application *a;
    int64_t now_ms;
    struct bm_outbox_put *items;
    char (*keys)[BM_OUTBOX_KEY_MAX + 1];
    unsigned char **bodies;  /* the files' bodies: locked, they are a resident's scans */
    unsigned char *numbered; /* the JSON with its number put in (bm_sync_enqueue_new_...) */
    size_t numbered_len, n;
};

static enum bm_err make_parts(struct parts *p, const char *number, const void *json,
                              size_t json_len)
{
    const struct bm_sync_application *a = p->a;
    size_t n = a->n_files + 2;
    p->items = calloc(n, sizeof *p->items);
    p->keys = calloc(n, sizeof *p->keys);
    p->bodies = calloc(n, sizeof *p->bodies);
    if (!p->items || !p->keys || !p->bodies)
        return bm_err_set(BM_ERR_NO_MEMORY, "sync");
    p->items[0] = (struct bm_outbox_put){
        BM_OUTBOX_APPLICATION, number, number, true, json, json_len, p->now_ms};
    for (size_t i = 0; i < a->n_files; i++) {
        const struct bm_sync_file *f = &a->files[i];
        if (!id_ok(f->id, 48) || !f->media_type || strchr(f->media_type, '\n') || !f->data ||
            !f->len)
            return bm_err_set(BM_ERR_INVALID_ARG, "sync: file %zu: bad id, type or data", i);
        size_t tl = strlen(f->media_type);
        p->bodies[i] = sodium_malloc(tl + 1 + f->len);
        if (!p->bodies[i])
            return bm_err_set(BM_ERR_NO_MEMORY, "sync: file of %zu bytes", f->len);
        memcpy(p->bodies[i], f->media_type, tl);
        p->bodies[i][tl] = '\n';
        memcpy(p->bodies[i] + tl + 1, f->data, f->len);
        snprintf(p->keys[i], sizeof p->keys[i], "%s/files/%s", number, f->id);
        p->items[i + 1] = (struct bm_outbox_put){BM_OUTBOX_FILE, p->keys[i],      number,   true,
                                                 p->bodies[i],   tl + 1 + f->len, p->now_ms};
    }
    snprintf(p->keys[n - 1], sizeof p->keys[n - 1], "%s/submit", number);
    p->items[n - 1] =
        (struct bm_outbox_put){BM_OUTBOX_SUBMIT, p->keys[n - 1], number, false, "", 0, p->now_ms};
    p->n = n;
    return BM_OK;
}

static void free_parts(struct parts *p)
{
    for (size_t i = 0; p->bodies && i < p->a->n_files + 2; i++)
        sodium_free(p->bodies[i]);
    sodium_free(p->numbered);
    free(p->bodies);
    free(p->keys);
    free(p->items);
}

enum bm_err bm_sync_enqueue_application(struct bm_sync *s, const struct bm_sync_application *a,
                                        int64_t now_ms)
{
    if (!a || !id_ok(a->number, 40) || !a->json || !a->json_len || a->n_files > 64)
        return bm_err_set(BM_ERR_INVALID_ARG, "sync: bad application number, body or files");
    struct parts p = {.a = a, .now_ms = now_ms};
    enum bm_err err = make_parts(&p, a->number, a->json, a->json_len);
    if (err == BM_OK)
        err = bm_outbox_put_all(s->outbox, p.items, p.n, NULL);
    free_parts(&p);
    return err;
}

static size_t skip_space(const char *s, size_t at, size_t len)
{
    while (at < len && (s[at] == ' ' || s[at] == '\t' || s[at] == '\n' || s[at] == '\r'))
        at++;
    return at;
}

/* Whether the JSON text has the member name `"name":` anywhere (a value cannot look so). */
static bool has_member(const char *json, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl + 2 <= len; i++)
        if (json[i] == '"' && memcmp(json + i + 1, name, nl) == 0 && json[i + 1 + nl] == '"') {
            size_t at = skip_space(json, i + nl + 2, len);
            if (at < len && json[at] == ':')
                return true;
        }
    return false;
}

/* The outbox's builder: the application's JSON with its number put first, and its items. */
static enum bm_err build_numbered(const char *number, void *ud, const struct bm_outbox_put **items,
                                  size_t *n)
{
    struct parts *p = ud;
    const char *json = p->a->json;
    size_t len = p->a->json_len;
    size_t open = skip_space(json, 0, len); /* json[open] is '{': checked before */
    bool empty = json[skip_space(json, open + 1, len)] == '}';
    char head[64];
    int hl =
        snprintf(head, sizeof head, "{\"application_no\": \"%s\"%s", number, empty ? "" : ", ");
    size_t rest = len - open - 1;
    p->numbered_len = (size_t)hl + rest;
    p->numbered = sodium_malloc(p->numbered_len); /* personal: locked, zeroed when freed */
    if (!p->numbered)
        return bm_err_set(BM_ERR_NO_MEMORY, "sync: application of %zu bytes", len);
    memcpy(p->numbered, head, (size_t)hl);
    memcpy(p->numbered + hl, json + open + 1, rest);
    enum bm_err err = make_parts(p, number, p->numbered, p->numbered_len);
    *items = p->items;
    *n = p->n;
    return err;
}

enum bm_err bm_sync_enqueue_new_application(struct bm_sync *s, const struct bm_sync_application *a,
                                            int64_t now_ms, char *number)
{
    number[0] = '\0';
    if (!a || !a->json || !a->json_len || a->n_files > 64)
        return bm_err_set(BM_ERR_INVALID_ARG, "sync: bad application body or files");
    size_t open = skip_space(a->json, 0, a->json_len);
    if (open >= a->json_len || a->json[open] != '{' ||
        skip_space(a->json, open + 1, a->json_len) >= a->json_len)
        return bm_err_set(BM_ERR_INVALID_ARG, "sync: the application body is not a JSON object");
    if (has_member(a->json, a->json_len, "application_no"))
        return bm_err_set(BM_ERR_INVALID_ARG,
                          "sync: a new application's body has no application_no: the number "
                          "is allocated with it");
    struct parts p = {.a = a, .now_ms = now_ms};
    enum bm_err err = bm_outbox_put_numbered(s->outbox, now_ms, build_numbered, &p, number);
    free_parts(&p);
    return err;
}

enum bm_err bm_sync_enqueue_post(struct bm_sync *s, enum bm_outbox_kind kind, const char *key,
                                 const char *json, size_t len, bool personal, int64_t now_ms)
{
    if ((kind != BM_OUTBOX_RATING && kind != BM_OUTBOX_FEEDBACK && kind != BM_OUTBOX_USAGE) ||
        !id_ok(key, 64))
        return bm_err_set(BM_ERR_INVALID_ARG, "sync: not a post kind, or a bad key");
    struct bm_outbox_put p = {kind, key, "", personal, json, len, now_ms};
    return bm_outbox_put(s->outbox, &p, NULL);
}

/* ---- judging an answer ---- */

enum action {
    A_OK,          /* the step is done */
    A_WAIT_CENTRE, /* leave the centre alone: backoff or Retry-After for everything */
    A_WAIT_ITEM,   /* this item later; others may go */
    A_DEAD,        /* refused for good */
    A_PAUSE,       /* the kiosk itself is refused */
    A_RECOVER,     /* a protocol step: the caller looks at code */
    A_CANCELLED,   /* we are stopping: the item stays as it is */
};

struct verdict {
    enum action action;
    long status;
    char code[48];
    char why[200];
    int64_t retry_after_ms; /* -1: none */
};

/* The problem's code and detail, if the body is one. */
static void read_problem(const struct bm_http_response *rs, struct verdict *v)
{
    if (!rs->body || !rs->len)
        return;
    json_t *j = json_loadb((const char *)rs->body, rs->len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *detail = json_string_value(json_object_get(j, "detail"));
    if (code)
        snprintf(v->code, sizeof v->code, "%s", code);
    if (detail)
        snprintf(v->why, sizeof v->why, "%ld %s: %.140s", rs->status, v->code, detail);
    json_decref(j);
}

static bool is(const struct verdict *v, const char *code)
{
    return strcmp(v->code, code) == 0;
}

/* A 2xx that should carry JSON: it must parse, or it counts as no answer. */
static bool json_ok(const struct bm_http_response *rs)
{
    if (rs->status == 204 || !rs->len)
        return true;
    json_t *j = json_loadb((const char *)rs->body, rs->len, 0, NULL);
    bool ok = json_is_object(j);
    json_decref(j);
    return ok;
}

static struct verdict judge(const struct bm_http_response *rs, time_t now_s)
{
    struct verdict v = {.action = A_DEAD, .status = rs->status, .retry_after_ms = -1};
    if (rs->failure != BM_HTTP_ANSWERED) {
        snprintf(v.why, sizeof v.why, "%s: %.180s", bm_http_failure_name(rs->failure), rs->detail);
        v.action = rs->failure == BM_HTTP_REFUSED_US  ? A_PAUSE
                   : rs->failure == BM_HTTP_CANCELLED ? A_CANCELLED
                                                      : A_WAIT_CENTRE;
        return v;
    }
    snprintf(v.why, sizeof v.why, "HTTP %ld", rs->status);
    v.retry_after_ms = bm_http_retry_after_ms(rs->retry_after, rs->date, now_s);
    if (rs->status >= 200 && rs->status < 300) {
        if (json_ok(rs)) {
            v.action = A_OK;
        } else {
            v.action = A_WAIT_CENTRE;
            snprintf(v.why, sizeof v.why, "HTTP %ld whose JSON does not parse", rs->status);
        }
        return v;
    }
    read_problem(rs, &v);
    long st = rs->status;
    if (st == 401 || st == 403)
        v.action = A_PAUSE;
    else if (st == 408 || st == 429 || (st >= 500 && st != 500) || (st >= 300 && st < 400))
        v.action = A_WAIT_CENTRE;
    else if (st == 500)
        v.action = A_WAIT_ITEM;
    else if (is(&v, "offset_mismatch") || is(&v, "upload_incomplete") ||
             is(&v, "already_submitted") || is(&v, "idempotency_in_progress") ||
             is(&v, "application_unknown") || is(&v, "file_unknown") || is(&v, "checksum_mismatch"))
        v.action = A_RECOVER;
    return v; /* any other 4xx: dead letter */
}

/* ---- one item ---- */

struct job {
    struct bm_sync *s;
    const struct bm_outbox_item *it;
    int64_t now_ms;
    struct bm_sync_round *round;
    enum bm_err stored; /* the first outbox write that failed while acting on an answer */
};

/* Records an outbox write's failure: the round stops, or the item would come straight back. */
static void note(struct job *j, enum bm_err err)
{
    if (err != BM_OK && j->stored == BM_OK)
        j->stored = err;
}

/* A PATCH on its way: where its chunk starts in the file, for the progress callback. */
struct upload {
    struct bm_sync *s;
    struct bm_sync_progress p;
    uint64_t chunk_at;
    bool told; /* p.sent was reported: libcurl repeats itself while an answer is awaited */
};

static void tell_progress(struct upload *u, uint64_t sent)
{
    if (u->told && sent == u->p.sent)
        return;
    u->p.sent = sent;
    u->told = true;
    u->s->progress(&u->p, u->s->progress_ud);
}

static void on_http_progress(uint64_t sent, uint64_t total, void *ud)
{
    (void)total;
    struct upload *u = ud;
    tell_progress(u, u->chunk_at + sent);
}

static void request_with(struct job *j, const char *method, const char *path,
                         const char *const *headers, const void *body, size_t len,
                         struct upload *upload, struct bm_http_response *rs)
{
    struct bm_http_request rq = {.method = method,
                                 .path = path,
                                 .headers = headers,
                                 .body = body,
                                 .len = len,
                                 .progress = upload ? on_http_progress : NULL,
                                 .ud = upload};
    j->round->requests++;
    if (bm_http_perform(j->s->http, &rq, rs) != BM_OK) {
        memset(rs, 0, sizeof *rs);
        rs->failure = BM_HTTP_NETWORK;
        snprintf(rs->detail, sizeof rs->detail, "%s", bm_err_detail());
    }
}

static void request(struct job *j, const char *method, const char *path, const char *const *headers,
                    const void *body, size_t len, struct bm_http_response *rs)
{
    request_with(j, method, path, headers, body, len, NULL, rs);
}

static const char *const json_headers[] = {"Content-Type: application/json", NULL};

/* The application number of an item (its group). */
static const char *number_of(const struct bm_outbox_item *it)
{
    return it->group;
}

static struct verdict put_application(struct job *j)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/applications/%s", number_of(j->it));
    struct bm_http_response rs;
    request(j, "PUT", path, json_headers, j->it->body, j->it->len, &rs);
    struct verdict v = judge(&rs, (time_t)(j->now_ms / 1000));
    bm_http_response_clear(&rs);
    return v;
}

/* The offset the centre holds, from an answer's Upload-Offset (or its JSON upload_offset). */
static int64_t offset_of(const struct bm_http_response *rs)
{
    if (rs->upload_offset[0])
        return strtoll(rs->upload_offset, NULL, 10);
    int64_t off = -1;
    json_t *b = rs->body ? json_loadb((const char *)rs->body, rs->len, 0, NULL) : NULL;
    json_t *o = json_object_get(b, "upload_offset");
    if (json_is_integer(o))
        off = json_integer_value(o);
    json_decref(b);
    return off;
}

/* Declares the file (again) and sends what the centre does not have yet. */
static struct verdict upload_file(struct job *j)
{
    const unsigned char *body = j->it->body;
    const unsigned char *nl = memchr(body, '\n', j->it->len);
    const char *slash = strrchr(j->it->key, '/');
    struct verdict bad = {.action = A_DEAD, .retry_after_ms = -1};
    if (!nl || !slash) {
        snprintf(bad.why, sizeof bad.why, "a file item without its media type or id");
        return bad;
    }
    const unsigned char *data = nl + 1;
    size_t size = j->it->len - (size_t)(data - body);
    unsigned char sum[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1], decl[300], path[200];
    crypto_hash_sha256(sum, data, size);
    sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
    snprintf(decl, sizeof decl, "{\"media_type\": \"%.*s\", \"size\": %zu, \"sha256\": \"%s\"}",
             (int)(nl - body), (const char *)body, size, hex);
    snprintf(path, sizeof path, "/v1/applications/%s/files/%s", number_of(j->it), slash + 1);

    struct bm_http_response rs;
    request(j, "PUT", path, json_headers, decl, strlen(decl), &rs);
    struct verdict v = judge(&rs, (time_t)(j->now_ms / 1000));
    int64_t offset = v.action == A_OK ? offset_of(&rs) : -1;
    bm_http_response_clear(&rs);
    if (v.action != A_OK)
        return v;
    int mismatches = 0; /* a centre that keeps disagreeing ends as a recovery, not a loop */
    struct upload up = {.s = j->s, .p = {number_of(j->it), slash + 1, 0, size}};
    while (offset >= 0 && (size_t)offset < size) {
        size_t n = size - (size_t)offset < j->s->chunk ? size - (size_t)offset : j->s->chunk;
        char at[64];
        snprintf(at, sizeof at, "Upload-Offset: %" PRId64, offset);
        const char *headers[] = {"Content-Type: application/offset+octet-stream", at, NULL};
        up.chunk_at = (uint64_t)offset;
        request_with(j, "PATCH", path, headers, data + offset, n, j->s->progress ? &up : NULL, &rs);
        v = judge(&rs, (time_t)(j->now_ms / 1000));
        int64_t next = offset_of(&rs);
        bm_http_response_clear(&rs);
        if (v.action == A_RECOVER && is(&v, "offset_mismatch") && next >= 0 && next != offset &&
            ++mismatches <= 3) {
            offset = next; /* the centre says where it is: go on from there */
            continue;
        }
        if (v.action != A_OK)
            return v;
        if (next <= offset) { /* a 2xx that does not move the offset: not what the API says */
            v.action = A_WAIT_CENTRE;
            snprintf(v.why, sizeof v.why, "PATCH answered without a new Upload-Offset");
            return v;
        }
        offset = next;
    }
    if (offset < 0) {
        v.action = A_WAIT_CENTRE;
        snprintf(v.why, sizeof v.why, "file declaration answered without its offset");
    } else if (j->s->progress) { /* all of it is there (also when the centre had it already) */
        tell_progress(&up, size);
    }
    return v;
}

static struct verdict submit(struct job *j)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/applications/%s/submit", number_of(j->it));
    struct bm_http_response rs;
    request(j, "POST", path, NULL, NULL, 0, &rs); /* the API: an empty body */
    struct verdict v = judge(&rs, (time_t)(j->now_ms / 1000));
    bm_http_response_clear(&rs);
    return v;
}

static struct verdict post(struct job *j)
{
    static const char *const paths[BM_OUTBOX_KIND_COUNT] = {
        [BM_OUTBOX_RATING] = "/v1/ratings",
        [BM_OUTBOX_FEEDBACK] = "/v1/feedback",
        [BM_OUTBOX_USAGE] = "/v1/usage",
    };
    char key[120];
    snprintf(key, sizeof key, "Idempotency-Key: %.95s", j->it->key); /* BM_OUTBOX_KEY_MAX */
    const char *headers[] = {"Content-Type: application/json", key, NULL};
    struct bm_http_response rs;
    request(j, "POST", paths[j->it->kind], headers, j->it->body, j->it->len, &rs);
    struct verdict v = judge(&rs, (time_t)(j->now_ms / 1000));
    bm_http_response_clear(&rs);
    return v;
}

/* ---- acting on a verdict ---- */

static void centre_wait(struct bm_sync *s, const struct verdict *v, int64_t now_ms)
{
    s->st.failures++;
    int64_t wait = bm_sync_backoff_ms(s->st.failures, randombytes_random());
    if (v->retry_after_ms >= 0) /* the centre's word wins, spread by up to 10% */
        wait = v->retry_after_ms +
               (int64_t)randombytes_uniform((uint32_t)(v->retry_after_ms / 10 + 1));
    s->st.wait_until_ms = now_ms + wait;
}

enum next { GO_ON, STOP };

static enum next dead(struct job *j, const struct verdict *v)
{
    note(j, bm_outbox_dead_letter(j->s->outbox, j->it->id, (int)v->status, v->why, j->now_ms));
    j->round->dead++;
    j->s->st.failures = 0;
    return GO_ON;
}

/* A bounded recovery: try again soon, or give up after RECOVERY_TRIES. */
static enum next recover(struct job *j, const struct verdict *v, bool resend_group)
{
    if (j->it->recoveries + 1 >= RECOVERY_TRIES)
        return dead(j, v);
    if (resend_group)
        note(j, bm_outbox_resend_group(j->s->outbox, j->it->group));
    note(j, bm_outbox_recover(j->s->outbox, j->it->id, j->now_ms, v->why));
    return GO_ON;
}

static enum next apply(struct job *j, const struct verdict *v)
{
    struct bm_sync *s = j->s;
    const struct bm_outbox_item *it = j->it;
    snprintf(s->st.last_error, sizeof s->st.last_error, "%s", v->action == A_OK ? "" : v->why);
    switch (v->action) {
    case A_OK:
        s->st.failures = 0;
        s->st.last_success_ms = j->now_ms;
        if (s->st.paused)
            bm_log_notice(MOD, "the centre accepts this kiosk again: sync resumes");
        s->st.paused = false;
        j->round->delivered++;
        if (it->kind == BM_OUTBOX_SUBMIT) {
            note(j, bm_outbox_ack_group(s->outbox, it->group, j->now_ms));
            j->round->acknowledged++;
        } else if (it->group[0]) {
            note(j, bm_outbox_mark_sent(s->outbox, it->id));
        } else {
            note(j, bm_outbox_ack(s->outbox, it->id, j->now_ms));
            j->round->acknowledged++;
        }
        return GO_ON;
    case A_PAUSE:
        if (!s->st.paused)
            bm_log_error(MOD, "the centre refuses this kiosk (%s): all sync paused", v->why);
        s->st.paused = true;
        snprintf(s->st.pause_reason, sizeof s->st.pause_reason, "%s", v->why);
        s->st.wait_until_ms = j->now_ms + PAUSE_PROBE_MS; /* the item stays as it is */
        return STOP;
    case A_WAIT_CENTRE:
        centre_wait(s, v, j->now_ms);
        note(j, bm_outbox_defer(s->outbox, it->id, s->st.wait_until_ms, v->why));
        bm_log_warn(MOD, "%s: waiting %" PRId64 " s (failure %u)", v->why,
                    (s->st.wait_until_ms - j->now_ms) / 1000, s->st.failures);
        return STOP;
    case A_WAIT_ITEM:
        note(j,
             bm_outbox_defer(s->outbox, it->id,
                             j->now_ms + bm_sync_backoff_ms(it->attempts + 1, randombytes_random()),
                             v->why));
        return GO_ON;
    case A_RECOVER:
        if (is(v, "idempotency_in_progress")) {
            /* At least a second, whatever Retry-After says, so the round cannot spin on it. */
            int64_t wait = v->retry_after_ms > 1000 ? v->retry_after_ms : 1000;
            note(j, bm_outbox_defer(s->outbox, it->id, j->now_ms + wait, v->why));
            return GO_ON;
        }
        if (is(v, "already_submitted")) {
            /* The centre holds it: every step before the submit is done, and the submit is
             * the acknowledgement. */
            if (it->kind == BM_OUTBOX_SUBMIT) {
                note(j, bm_outbox_ack_group(s->outbox, it->group, j->now_ms));
                j->round->acknowledged++;
            } else {
                note(j, bm_outbox_mark_sent(s->outbox, it->id));
            }
            return GO_ON;
        }
        return recover(j, v, is(v, "application_unknown") || is(v, "upload_incomplete"));
    case A_CANCELLED:
        return STOP;
    case A_DEAD:
    default:
        return dead(j, v);
    }
}

enum bm_err bm_sync_run(struct bm_sync *s, int64_t now_ms, struct bm_sync_round *round)
{
    struct bm_sync_round ignore;
    if (!round)
        round = &ignore;
    memset(round, 0, sizeof *round);
    /* Paused, nothing goes out of the outbox (its items carry personal data): the heartbeat
     * is the probe. A wait that lies far ahead is a clock stepped back, not a backoff. */
    if (s->st.paused)
        return BM_OK;
    if (s->st.wait_until_ms > now_ms + WAIT_MAX_MS)
        s->st.wait_until_ms = now_ms;
    if (now_ms < s->st.wait_until_ms)
        return BM_OK;
    for (;;) {
        if (atomic_load(&s->stopping))
            return BM_OK;
        struct bm_outbox_item it;
        enum bm_err err = bm_outbox_next(s->outbox, now_ms, &it, NULL);
        if (err == BM_ERR_PARSE)
            continue; /* undecryptable: already a dead letter */
        if (err == BM_ERR_NOT_FOUND)
            return BM_OK;
        if (err != BM_OK)
            return err;
        struct job j = {s, &it, now_ms, round, BM_OK};
        struct verdict v;
        switch (it.kind) {
        case BM_OUTBOX_APPLICATION:
            v = put_application(&j);
            break;
        case BM_OUTBOX_FILE:
            v = upload_file(&j);
            break;
        case BM_OUTBOX_SUBMIT:
            v = submit(&j);
            break;
        case BM_OUTBOX_RATING:
        case BM_OUTBOX_FEEDBACK:
        case BM_OUTBOX_USAGE:
            v = post(&j);
            break;
        default:
            v = (struct verdict){.action = A_DEAD, .retry_after_ms = -1};
            snprintf(v.why, sizeof v.why, "an item of a kind this program does not know");
            break;
        }
        enum next next = apply(&j, &v);
        bm_outbox_item_clear(&it);
        if (j.stored != BM_OK) {
            /* The outbox could not record the answer (a full disk, say): stop for a minute
             * rather than send the same item again and again. */
            s->st.wait_until_ms = now_ms + 60000;
            return j.stored;
        }
        if (next == STOP)
            return BM_OK;
        if (s->yield && s->yield(s->yield_ud)) {
            round->yielded = true;
            return BM_OK;
        }
    }
}

/* ---- the heartbeat: live, never queued ---- */

enum bm_err bm_sync_heartbeat(struct bm_sync *s, const char *json, size_t len, int64_t now_ms,
                              long *status)
{
    *status = 0;
    struct bm_http_request rq = {.method = "POST",
                                 .path = "/v1/heartbeat",
                                 .headers = json_headers,
                                 .body = json,
                                 .len = len};
    struct bm_http_response rs;
    enum bm_err err = bm_http_perform(s->http, &rq, &rs);
    if (err != BM_OK)
        return err;
    struct verdict v = judge(&rs, (time_t)(now_ms / 1000));
    *status = rs.status;
    bm_http_response_clear(&rs);
    switch (v.action) {
    case A_OK: /* the heartbeat is the probe: it ends a pause and a backoff */
        if (s->st.paused)
            bm_log_notice(MOD, "the centre accepts this kiosk again: sync resumes");
        s->st.paused = false;
        s->st.failures = 0;
        s->st.wait_until_ms = now_ms;
        s->st.last_success_ms = now_ms;
        return BM_OK;
    case A_PAUSE:
        if (!s->st.paused)
            bm_log_error(MOD, "the centre refuses this kiosk (%s): all sync paused", v.why);
        s->st.paused = true;
        snprintf(s->st.pause_reason, sizeof s->st.pause_reason, "%s", v.why);
        s->st.wait_until_ms = now_ms + PAUSE_PROBE_MS;
        return bm_err_set(BM_ERR_STATE, "heartbeat: %s", v.why);
    default: /* dropped: the next interval is the retry */
        return bm_err_set(BM_ERR_IO, "heartbeat: %s", v.why);
    }
}

/* ---- answers to requests outside the outbox: the heartbeat and the document GETs ---- */

enum bm_sync_answer bm_sync_note_answer(struct bm_sync *s, const struct bm_http_response *rs,
                                        int64_t now_ms, bool probe)
{
    struct verdict v;
    bool answered = rs->failure == BM_HTTP_ANSWERED;
    /* A document's 200 is judged by its own checks (it may be anything), a 304 keeps it. */
    if (answered && (rs->status == 304 || (!probe && rs->status >= 200 && rs->status < 300)))
        v = (struct verdict){.action = A_OK, .status = rs->status, .retry_after_ms = -1};
    else
        v = judge(rs, (time_t)(now_ms / 1000));
    switch (v.action) {
    case A_OK:
        if (probe) { /* the heartbeat is the probe: it ends a pause and a backoff */
            if (s->st.paused)
                bm_log_notice(MOD, "the centre accepts this kiosk again: sync resumes");
            s->st.paused = false;
            s->st.wait_until_ms = now_ms;
        }
        s->st.failures = 0;
        s->st.last_success_ms = now_ms;
        return BM_SYNC_ANSWER_OK;
    case A_PAUSE:
        if (!s->st.paused)
            bm_log_error(MOD, "the centre refuses this kiosk (%s): all sync paused", v.why);
        s->st.paused = true;
        snprintf(s->st.pause_reason, sizeof s->st.pause_reason, "%s", v.why);
        s->st.wait_until_ms = now_ms + PAUSE_PROBE_MS;
        return BM_SYNC_ANSWER_PAUSED;
    case A_WAIT_CENTRE:
        centre_wait(s, &v, now_ms);
        snprintf(s->st.last_error, sizeof s->st.last_error, "%s", v.why);
        bm_log_warn(MOD, "%s: waiting %" PRId64 " s (failure %u)", v.why,
                    (s->st.wait_until_ms - now_ms) / 1000, s->st.failures);
        return BM_SYNC_ANSWER_WAIT;
    case A_CANCELLED:
        return BM_SYNC_ANSWER_CANCELLED;
    case A_WAIT_ITEM: /* a 500: this request failed, the centre as a whole is not blamed */
        return BM_SYNC_ANSWER_FAILED;
    default: /* any other refusal of this one request: reported by the caller */
        s->st.failures = 0;
        snprintf(s->st.last_error, sizeof s->st.last_error, "%s", v.why);
        return BM_SYNC_ANSWER_FAILED;
    }
}
