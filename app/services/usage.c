/*
 * usage.c - usage summaries, the flow's tracker and the batch JSON (usage.h), with jansson.
 *
 * The batch carries only the fields docs/central-api.md lists: hour, sessions_without_service,
 * services (service, starts, completions, abandonments, durations_s) and device_errors (class,
 * error, count). Abandonments list only the places someone left at, as the API's example does.
 * The text is returned in plain malloc memory (jansson's own allocator is the catalog parser's).
 */
#include "usage.h"
#include "json_text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *bm_usage_place_name(unsigned place)
{
    if (place == BM_USAGE_AT_GUIDE)
        return "guide";
    return place < BM_STEP_KIND_COUNT ? bm_step_kind_name((enum bm_step_kind)place) : NULL;
}

unsigned bm_usage_bucket(uint64_t seconds)
{
    static const uint64_t upper[BM_USAGE_BUCKETS - 1] = {30, 60, 120, 300, 600, 1200};
    unsigned b = 0;
    while (b < BM_USAGE_BUCKETS - 1 && seconds > upper[b])
        b++;
    return b;
}

void bm_usage_hour_of(int64_t t, int64_t *start, char label[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    /* The local hour starts tm_min:tm_sec ago, whatever the offset (even a half-hour one). */
    *start = t - tm.tm_min * 60 - tm.tm_sec;
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    size_t n = strftime(label, 32, "%Y-%m-%dT%H:00:00", &tm);
    snprintf(label + n, 32 - n, "%c%02ld:%02ld", sign, off / 60 % 100, off % 60);
}

static bool service_id_ok(const char *s)
{
    size_t n = strnlen(s, BM_USAGE_SERVICE_MAX + 1);
    if (n == 0 || n > BM_USAGE_SERVICE_MAX || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

enum bm_err bm_usage_event_check(const struct bm_usage_event *ev)
{
    if (!ev)
        return bm_err_set(BM_ERR_INVALID_ARG, "usage: no event");
    if (ev->kind == BM_USAGE_DEVICE_ERROR) {
        if ((unsigned)ev->cls >= BM_CLASS_COUNT || ev->err == BM_OK)
            return bm_err_set(BM_ERR_INVALID_ARG, "usage: not a device error");
        return BM_OK;
    }
    if (ev->kind != BM_USAGE_SESSION)
        return bm_err_set(BM_ERR_INVALID_ARG, "usage: unknown event");
    const struct bm_usage_session *s = &ev->session;
    if (s->service[0] && !service_id_ok(s->service))
        return bm_err_set(BM_ERR_INVALID_ARG, "usage: '%.40s' is not a service id", s->service);
    if (s->service[0] && !s->completed && s->left_at >= BM_USAGE_PLACES)
        return bm_err_set(BM_ERR_INVALID_ARG, "usage: left at step %u", s->left_at);
    return BM_OK;
}

/* ---- the tracker ---- */

void bm_usage_tracker_init(struct bm_usage_tracker *t, bm_usage_emit_fn emit, void *ud)
{
    *t = (struct bm_usage_tracker){.emit = emit, .ud = ud};
}

static void emit_session(struct bm_usage_tracker *t, const struct bm_usage_session *s)
{
    struct bm_usage_event ev = {.kind = BM_USAGE_SESSION, .session = *s, .at_s = s->started_s};
    if (t->emit)
        t->emit(&ev, t->ud);
}

static uint64_t elapsed_s(int64_t from_ms, int64_t to_ms)
{
    return to_ms > from_ms ? (uint64_t)(to_ms - from_ms) / 1000 : 0;
}

/* The open service ends: completed, or left where it was. */
static void close_service(struct bm_usage_tracker *t, bool completed, int64_t mono_ms)
{
    if (!t->in_service)
        return;
    t->current.completed = completed;
    t->current.duration_s = completed ? elapsed_s(t->current_mono_ms, mono_ms) : 0;
    emit_session(t, &t->current);
    t->in_service = false;
    t->current_mono_ms = mono_ms; /* the next service's time starts here */
}

void bm_usage_session_begin(struct bm_usage_tracker *t, int64_t wall_s, int64_t mono_ms)
{
    if (t->in_session)
        bm_usage_session_end(t, mono_ms);
    t->in_session = true;
    t->chose_service = t->in_service = false;
    t->session_wall_s = wall_s;
    t->current_mono_ms = mono_ms;
}

void bm_usage_service_chosen(struct bm_usage_tracker *t, const char *service, int64_t wall_s,
                             int64_t mono_ms)
{
    if (!t->in_session)
        bm_usage_session_begin(t, wall_s, mono_ms);
    close_service(t, false, mono_ms);
    t->chose_service = t->in_service = true;
    t->current = (struct bm_usage_session){.started_s = wall_s, .left_at = BM_USAGE_AT_GUIDE};
    snprintf(t->current.service, sizeof t->current.service, "%s", service ? service : "");
}

void bm_usage_step_reached(struct bm_usage_tracker *t, enum bm_step_kind step)
{
    if (t->in_service && (unsigned)step < BM_STEP_KIND_COUNT)
        t->current.left_at = (unsigned)step;
}

void bm_usage_service_completed(struct bm_usage_tracker *t, int64_t mono_ms)
{
    close_service(t, true, mono_ms);
}

void bm_usage_session_end(struct bm_usage_tracker *t, int64_t mono_ms)
{
    if (!t->in_session)
        return;
    close_service(t, false, mono_ms);
    if (!t->chose_service) {
        struct bm_usage_session none = {.started_s = t->session_wall_s};
        emit_session(t, &none);
    }
    t->in_session = false;
}

void bm_usage_device_error(struct bm_usage_tracker *t, enum bm_device_class cls, enum bm_err err,
                           int64_t wall_s)
{
    struct bm_usage_event ev = {
        .kind = BM_USAGE_DEVICE_ERROR, .cls = cls, .err = err, .at_s = wall_s};
    if (t->emit && err != BM_OK)
        t->emit(&ev, t->ud);
}

void bm_usage_device_event(struct bm_usage_tracker *t, const struct bm_device_event *ev,
                           int64_t wall_s)
{
    if ((unsigned)ev->cls >= BM_CLASS_COUNT)
        return;
    if (ev->kind == BM_EVENT_STATUS) {
        enum bm_err now = ev->status.error;
        if (now != BM_OK && now != t->device_error[ev->cls])
            bm_usage_device_error(t, ev->cls, now, wall_s);
        t->device_error[ev->cls] = now;
    } else if (ev->kind == BM_EVENT_ERROR && ev->err != ev->status.error) {
        bm_usage_device_error(t, ev->cls, ev->err, wall_s);
    }
}

/* ---- the batch ---- */

void bm_usage_batch_free(struct bm_usage_batch *b)
{
    if (!b)
        return;
    free(b->hours);
    free(b->services);
    free(b->errors);
    *b = (struct bm_usage_batch){0};
}

static json_t *service_json(const struct bm_usage_service_counts *s)
{
    json_t *left = json_object();
    for (unsigned p = 0; p < BM_USAGE_PLACES && left; p++)
        if (s->left[p])
            json_object_set_new(left, bm_usage_place_name(p), json_integer((json_int_t)s->left[p]));
    json_t *buckets = json_array();
    for (unsigned b = 0; b < BM_USAGE_BUCKETS && buckets; b++)
        json_array_append_new(buckets, json_integer((json_int_t)s->buckets[b]));
    /* "o" takes the references, also when packing fails (jansson 2.11 and later). */
    return json_pack("{s:s, s:I, s:I, s:o, s:{s:I, s:I, s:o}}", "service", s->service, "starts",
                     (json_int_t)s->starts, "completions", (json_int_t)s->completions,
                     "abandonments", left, "durations_s", "count", (json_int_t)s->durations, "sum",
                     (json_int_t)s->duration_sum, "buckets", buckets);
}

/* NULL when memory runs out (a part missing would be a wrong count, not a smaller one). */
static json_t *hour_json(const struct bm_usage_batch *b, size_t h, size_t *si, size_t *ei)
{
    json_t *services = json_array(), *errors = json_array();
    bool ok = services && errors;
    for (; *si < b->n_services && b->services[*si].hour == h; (*si)++)
        ok = ok && json_array_append_new(services, service_json(&b->services[*si])) == 0;
    for (; *ei < b->n_errors && b->errors[*ei].hour == h; (*ei)++) {
        const struct bm_usage_error_count *e = &b->errors[*ei];
        ok = ok &&
             json_array_append_new(errors, json_pack("{s:s, s:s, s:I}", "class", e->cls, "error",
                                                     e->error, "count", (json_int_t)e->count)) == 0;
    }
    if (!ok) {
        json_decref(services);
        json_decref(errors);
        return NULL;
    }
    return json_pack("{s:s, s:I, s:o, s:o}", "hour", b->hours[h].label, "sessions_without_service",
                     (json_int_t)b->hours[h].sessions_without_service, "services", services,
                     "device_errors", errors);
}

char *bm_usage_batch_json(const struct bm_usage_batch *b, size_t *len)
{
    json_t *hours = json_array();
    size_t si = 0, ei = 0;
    bool ok = hours != NULL;
    for (size_t h = 0; ok && h < b->n_hours; h++) {
        json_t *hj = hour_json(b, h, &si, &ei);
        ok = hj && json_array_append_new(hours, hj) == 0;
    }
    json_t *root = ok ? json_pack("{s:o}", "hours", hours) : (json_decref(hours), NULL);
    return bm_json_text(root, len);
}
