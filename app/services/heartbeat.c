/*
 * heartbeat.c - the heartbeat's JSON (heartbeat.h), with jansson.
 *
 * Times are RFC 3339 in UTC. The outbox state follows the API: "full" at the size cap,
 * "disk_full" when the disk refused a write, "error" when the outbox could not be read.
 * Counters without a forecast are left out rather than sent as a guess. The text is returned in
 * plain malloc memory (jansson's own allocator is the catalog parser's).
 *
 * Pure. Any thread.
 */
#include "heartbeat.h"
#include "json_text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rfc3339(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The length of s cut to at most max bytes, never inside a UTF-8 character (jansson refuses
 * an invalid string, and the field would be lost). */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static json_t *device_json(const struct bm_heartbeat_device *d)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "class", d->cls, "driver", d->driver,
                          "device", d->device, "error", d->error, "fix", d->fix);
    if (o && d->detail && *d->detail)
        json_object_set_new(o, "detail", json_stringn(d->detail, utf8_cut(d->detail, 200)));
    if (o && d->has_counters)
        json_object_set_new(
            o, "receipt_counters",
            json_pack("{s:I, s:I, s:I, s:I, s:I}", "receipts", (json_int_t)d->receipts, "paper_mm",
                      (json_int_t)d->paper_mm, "roll_mm", (json_int_t)d->roll_mm, "avg_mm",
                      (json_int_t)d->avg_mm, "receipts_left", (json_int_t)d->receipts_left));
    return o;
}

char *bm_heartbeat_json(const struct bm_heartbeat *hb, size_t *len)
{
    char now[32];
    rfc3339(hb->now, now);
    const struct bm_outbox_stats *ob = &hb->outbox;
    const char *state = hb->outbox_error ? "error"
                        : ob->full
                            ? (ob->file_bytes + (1u << 20) >= ob->max_bytes ? "full" : "disk_full")
                            : "ok";
    int64_t oldest_s = ob->oldest_ms ? ((int64_t)hb->now * 1000 - ob->oldest_ms) / 1000 : 0;
    json_t *root = json_pack(
        "{s:s, s:s, s:I, s:{}, s:[], s:{s:I, s:I, s:I, s:I, s:I, s:s}, s:b, s:{s:I, s:I}}",
        "sent_at", now, "version", hb->version, "uptime_s", (json_int_t)hb->uptime_s, "documents",
        "devices", "outbox", "depth", (json_int_t)ob->queued, "oldest_age_s",
        (json_int_t)(oldest_s > 0 ? oldest_s : 0), "bytes", (json_int_t)ob->queued_bytes,
        "cap_bytes", (json_int_t)ob->max_bytes, "dead_letters", (json_int_t)ob->dead, "state",
        state, "sync_paused", hb->paused, "disk", "free_bytes", (json_int_t)hb->disk_free,
        "total_bytes", (json_int_t)hb->disk_total);
    if (!root)
        return NULL;
    json_t *devices = json_object_get(root, "devices");
    for (size_t i = 0; i < hb->n_devices && i < 16; i++)
        json_array_append_new(devices, device_json(&hb->devices[i]));
    json_t *docs = json_object_get(root, "documents");
    for (size_t i = 0; i < hb->n_documents && i < 3; i++)
        json_object_set_new(docs, hb->documents[i].kind,
                            json_pack("{s:s, s:s}", "revision", hb->documents[i].revision, "source",
                                      hb->documents[i].source));
    if (hb->n_rejections) {
        json_t *refused = json_array();
        for (size_t i = 0; i < hb->n_rejections && i < 16; i++) {
            const struct bm_heartbeat_rejection *r = &hb->rejections[i];
            char at[32];
            rfc3339(r->at, at);
            json_t *o =
                json_pack("{s:s, s:s, s:s}", "kind", r->kind, "reason", r->reason, "at", at);
            if (o && r->revision && *r->revision)
                json_object_set_new(o, "revision", json_string(r->revision));
            json_array_append_new(refused, o);
        }
        json_object_set_new(root, "document_rejections", refused);
    }
    if (hb->paused && hb->pause_reason && *hb->pause_reason)
        json_object_set_new(root, "pause_reason",
                            json_stringn(hb->pause_reason, utf8_cut(hb->pause_reason, 64)));
    if (hb->last_sync_ok_ms > 0) {
        char ok[32];
        rfc3339((time_t)(hb->last_sync_ok_ms / 1000), ok);
        json_object_set_new(root, "last_sync_ok_at", json_string(ok));
    }
    if (hb->certificate_not_after > 0) {
        char expiry[32];
        rfc3339(hb->certificate_not_after, expiry);
        json_object_set_new(root, "certificate_not_after", json_string(expiry));
    }
    if (hb->has_clock_skew)
        json_object_set_new(root, "clock_skew_s", json_integer((json_int_t)hb->clock_skew_s));
    return bm_json_text(root, len);
}
