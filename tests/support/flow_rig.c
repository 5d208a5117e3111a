/*
 * flow_rig.c - the real flow in the test process against the reference centre (flow_rig.h).
 *
 * The configuration is the tree's config/kiosk.conf (demo mode, simulated devices) with the
 * centre's URL and the test PKI set over it, as `bianmin --set` would. Applications go in
 * through bm_sync_service_enqueue, the path a resident's submit takes: the main thread copies
 * them and the sync worker stores and delivers them.
 */
#include "flow_rig.h"

#include "test_support.h"

#include "core/config.h"
#include "core/i18n.h"
#include "core/loop.h"
#include "core/paths.h"
#include "flow/flow_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many applications are in the sync worker's queue at once (its cap is 16). */
#define SUBMIT_AHEAD 4

static void set(struct flow_rig *r, const char *section, const char *key, const char *value)
{
    if (bm_config_set(r->cfg, section, key, value) != BM_OK)
        fail_msg("[%s] %s: %s", section, key, bm_err_detail());
}

static bool sync_started(void *ud)
{
    struct flow_rig *r = ud;
    struct bm_sync_service_status st;
    flow_rig_sync_status(r, &st);
    return st.running && st.sync.last_success_ms > 0; /* the first heartbeat got through */
}

void flow_rig_start(struct flow_rig *r, const char *prefix)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", bm_test_mkdtemp(prefix));
    central_start(&r->central, r->dir, NULL);

    assert_int_equal(bm_config_load(bm_paths_default_config(), &r->cfg), BM_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/sim", r->dir);
    set(r, "sim", "output_dir", path);
    set(r, "central", "url", r->central.url);
    set(r, "central", "ca_bundle", central_file(&r->central, "ca.pem"));
    set(r, "central", "client_cert", central_file(&r->central, "kiosk.crt"));
    set(r, "central", "client_key", central_file(&r->central, "kiosk.key"));
    snprintf(path, sizeof path, "%s/outbox.db", r->dir);
    set(r, "sync", "outbox", path);
    snprintf(path, sizeof path, "%s/outbox.key", r->dir);
    set(r, "sync", "key_file", path);
    set(r, "session", "timeout_s", "900"); /* the home screen stays for the whole run */

    assert_int_equal(bm_i18n_init(bm_paths_localedir(), "zh_CN"), BM_OK);
    struct bm_flow_options opts = {0};
    if (bm_flow_start(r->cfg, &opts, &r->flow) != BM_OK)
        fail_msg("the flow did not start: %s", bm_err_detail());
    assert_non_null(r->flow->sync);
    if (!bm_loop_run_until(sync_started, r, 120000))
        fail_msg("the sync worker did not reach the centre in 120 s");
    assert_int_equal(bm_flow_tap(r->flow, "attract.start"), BM_OK);
    flow_rig_run_ms(r, 200); /* the home screen's first frame */
}

void flow_rig_stop(struct flow_rig *r)
{
    flow_rig_redraw(r, 0);
    bm_loop_timer_cancel(r->submit_timer);
    bm_flow_stop(r->flow);
    r->flow = NULL;
    bm_config_free(r->cfg);
    r->cfg = NULL;
    free(r->file_data);
    r->file_data = NULL;
    central_stop(&r->central);
}

void flow_rig_screen_size(const struct flow_rig *r, int *w, int *h)
{
    *w = *h = 0;
    SDL_GetRendererOutputSize(r->flow->display.renderer, w, h);
}

static bool redraw(void *ud)
{
    struct flow_rig *r = ud;
    bm_ui_invalidate(r->flow->ui);
    return true;
}

void flow_rig_redraw(struct flow_rig *r, unsigned hz)
{
    bm_loop_timer_cancel(r->redraw_timer);
    r->redraw_timer = hz ? bm_loop_timer_add(1000u / hz, true, redraw, r) : 0;
    if (hz)
        assert_true(r->redraw_timer != 0);
}

static bool never(void *ud)
{
    (void)ud;
    return false;
}

void flow_rig_run_ms(struct flow_rig *r, unsigned ms)
{
    (void)r;
    bm_loop_run_until(never, NULL, ms);
}

static void on_queued(enum bm_err err, const char *number, void *ud)
{
    struct flow_rig *r = ud;
    r->in_flight--;
    if (err == BM_OK) {
        r->queued++;
    } else {
        r->refused++;
        fprintf(stderr, "flow_rig: %s not queued: %s\n", number, bm_err_detail());
    }
}

static void submit_one(struct flow_rig *r)
{
    unsigned n = r->submitted + 1;
    char number[32], json[800];
    snprintf(number, sizeof number, "BM20261130%06u", n);
    snprintf(json, sizeof json,
             "{\"application_no\": \"%s\", \"service\": \"household_certificate\", "
             "\"catalog_revision\": \"2026-11-20.1\", \"created_at\": "
             "\"2026-11-30T09:00:00+08:00\", \"language\": \"zh_CN\", \"applicant\": "
             "{\"identified_by\": \"none\"}, \"fields\": {}, \"materials\": [{\"material\": "
             "\"hukou\", \"pages\": %u}]}",
             number, r->files_per_application);
    struct bm_sync_file files[16];
    char ids[16][24];
    for (unsigned i = 0; i < r->files_per_application; i++) {
        snprintf(ids[i], sizeof ids[i], "hukou-%u", i + 1);
        files[i] = (struct bm_sync_file){ids[i], "image/jpeg", r->file_data, r->file_bytes};
    }
    struct bm_sync_application a = {number, json, strlen(json), files, r->files_per_application};
    if (bm_sync_service_enqueue(r->flow->sync, &a, on_queued, r) != BM_OK)
        fail_msg("enqueue %s: %s", number, bm_err_detail());
    r->submitted++;
    r->in_flight++;
}

static bool submit_more(void *ud)
{
    struct flow_rig *r = ud;
    if (r->submitted < r->to_submit && r->in_flight < SUBMIT_AHEAD)
        submit_one(r);
    if (r->submitted < r->to_submit)
        return true;
    r->submit_timer = 0;
    return false;
}

void flow_rig_submit(struct flow_rig *r, unsigned n, unsigned files, size_t bytes)
{
    assert_true(files >= 1 && files <= 16);
    free(r->file_data);
    r->file_data = malloc(bytes);
    assert_non_null(r->file_data);
    uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift: bytes that do not compress */
    for (size_t i = 0; i < bytes; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        r->file_data[i] = (unsigned char)x;
    }
    memcpy(r->file_data, "\xff\xd8\xff", 3); /* a JPEG's start, as the media type says */
    r->to_submit += n;
    r->files_per_application = files;
    r->file_bytes = bytes;
    if (!r->submit_timer)
        r->submit_timer = bm_loop_timer_add(20, true, submit_more, r);
    assert_true(r->submit_timer != 0);
}

static bool delivered(void *ud)
{
    struct flow_rig *r = ud;
    if (r->queued + r->refused < r->to_submit)
        return false;
    struct bm_sync_service_status st;
    flow_rig_sync_status(r, &st);
    return st.outbox.queued == 0;
}

bool flow_rig_run_until_delivered(struct flow_rig *r, unsigned timeout_ms)
{
    return bm_loop_run_until(delivered, r, timeout_ms);
}

void flow_rig_sync_status(const struct flow_rig *r, struct bm_sync_service_status *st)
{
    bm_sync_service_status(r->flow->sync, st);
}

static int compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of v[0..n), in ms; v is sorted. */
static double percentile_ms(int64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, compare);
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    return (double)v[(rank > n ? n : rank) - 1] / 1e6;
}

void frame_summary_of(const struct bm_frame_time *f, size_t n, struct frame_summary *out)
{
    memset(out, 0, sizeof *out);
    out->frames = n;
    if (n == 0)
        return;
    int64_t *v = calloc(n, sizeof *v);
    assert_non_null(v);
    out->ready_known = true;
    int64_t gap_max = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].ready_ns < 0)
            out->ready_known = false;
        if (i > 0) {
            /* From the end of one frame to the start of the next, less the CPU waits then. */
            const struct bm_frame_time *a = &f[i - 1], *b = &f[i];
            int64_t gap = b->start_ns - (a->start_ns + a->wall_ns);
            if (a->ready_total_ns >= 0 && a->ready_ns >= 0 && b->ready_total_ns >= 0)
                gap -= b->ready_total_ns - (a->ready_total_ns + a->ready_ns);
            if (gap > gap_max)
                gap_max = gap;
        }
    }
    out->between_own_max = (double)gap_max / 1e6;
    for (size_t i = 0; i < n; i++)
        v[i] = f[i].wall_ns;
    out->wall_p50 = percentile_ms(v, n, 50);
    out->wall_p99 = percentile_ms(v, n, 99);
    out->wall_max = percentile_ms(v, n, 100);
    for (size_t i = 0; i < n; i++)
        v[i] = bm_frame_time_own_ns(&f[i]);
    out->own_p50 = percentile_ms(v, n, 50);
    out->own_p99 = percentile_ms(v, n, 99);
    out->own_max = percentile_ms(v, n, 100);
    for (size_t i = 0; i < n; i++)
        v[i] = f[i].cpu_ns;
    out->cpu_p50 = percentile_ms(v, n, 50);
    out->cpu_p99 = percentile_ms(v, n, 99);
    free(v);
}

void frame_summary_print(const char *label, const struct frame_summary *s)
{
    printf("%s: %zu frames; wall median %.2f ms, p99 %.2f ms, max %.2f ms; own (less CPU "
           "waits%s) median %.2f ms, p99 %.2f ms, max %.2f ms; CPU median %.2f ms, p99 %.2f ms; "
           "longest time between frames (own) %.1f ms\n",
           label, s->frames, s->wall_p50, s->wall_p99, s->wall_max,
           s->ready_known ? "" : ": unknown here, same as wall", s->own_p50, s->own_p99, s->own_max,
           s->cpu_p50, s->cpu_p99, s->between_own_max);
}
