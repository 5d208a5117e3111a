/*
 * sync_service.c - the sync engine on its own worker thread (sync_service.h).
 *
 * The worker's tick opens the engine if it is not open yet (a missing key file or an
 * unreadable certificate is logged and tried again later, never fatal: the kiosk serves
 * residents offline) and then runs a delivery round. Enqueueing is a worker request, so the
 * engine is only ever touched on its thread; the request kicks the tick so an application
 * goes out at once when the centre is reachable. After each round the worker publishes a
 * status snapshot under a mutex that is held only to copy it.
 *
 * Threads: see the header.
 */
#include "sync_service.h"

#include "catalog.h"
#include "heartbeat.h"
#include "json_text.h"
#include "outbox_usage.h"
#include "remote_settings.h"
#include "sync_application_status.h"
#include "sync_documents.h"

#include "core/log.h"
#include "core/loop.h"
#include "core/paths.h"
#include "core/worker.h"
#include "drivers/receipt_printer.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#define MOD       "sync"
#define POLL_MS   10000
#define QUEUE_CAP 16 /* requests from the main thread waiting for the worker */
/* Residents' status queries: a burst of STATUS_BURST, then one every STATUS_EVERY_MS (12 a
 * minute), well under the centre's 60 a minute (central-api.md, "Limits"). */
#define STATUS_BURST    6
#define STATUS_EVERY_MS 5000

struct bm_sync_service {
    struct bm_sync_config cfg;
    char url[1024], ca[1024], pins[512], cert[1024], key[1024], outbox[1024], outbox_key[1024];
    char kiosk_id[64]; /* [kiosk] id: the client certificate must name it */
    struct bm_worker *worker;
    struct bm_devices *devices; /* read-only here: statuses are readable from any thread */
    struct bm_sync *engine;     /* worker thread only */
    int64_t next_open_ms;       /* worker thread only */
    int64_t next_heartbeat_ms;  /* worker thread only (monotonic) */
    int64_t heartbeat_ms;
    int64_t started_ms;                 /* monotonic, for the uptime */
    const struct bm_config *file_cfg;   /* the config file's values, under remote settings */
    struct bm_docs *docs;               /* worker thread only; NULL without signing keys */
    bool docs_loaded;                   /* worker: the documents on disk were read */
    bool marks_read;                    /* worker: and checked against the outbox's marks */
    bool asked[BM_DOC_KINDS];           /* worker: each document was asked for since start */
    struct bm_sync_service_hooks hooks; /* main thread, through the loop */
    /* Usage batches: worker thread only (monotonic). */
    int64_t next_usage_ms, usage_ms;
    /* Worker: our clock minus the centre's, from the last heartbeat answer's server_time. */
    bool has_clock_skew;
    int64_t clock_skew_s;
    /* Worker: status queries' token bucket (monotonic), and until when the centre said busy. */
    double status_tokens;
    int64_t status_refilled_ms, status_busy_until_ms;

    atomic_bool stopping; /* destroy has begun: the tick sends nothing more */
    pthread_mutex_t lock; /* guards status and opened */
    struct bm_sync_service_status status;
    struct bm_sync *opened; /* the engine, for cancel from the main thread */
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Worker: "catalog 2026-11-20.1 (current), notices none, ...; refused: notices bad_signature". */
static void describe_documents(const struct bm_docs *docs, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int k = 0; k < BM_DOC_KINDS && n < size; k++) {
        struct bm_doc_held h;
        bm_docs_held(docs, (enum bm_doc_kind)k, &h);
        n += (size_t)snprintf(out + n, size - n, "%s%s %s%s%s%s", k ? ", " : "",
                              bm_doc_kind_name((enum bm_doc_kind)k), h.revision,
                              h.revision[0] ? " (" : "none", h.revision[0] ? h.source : "",
                              h.revision[0] ? ")" : "");
    }
    struct bm_doc_rejection r[BM_DOCS_MAX_REJECTIONS];
    size_t count = bm_docs_rejections(docs, r, BM_DOCS_MAX_REJECTIONS);
    if (count && n < size)
        snprintf(out + n, size - n, "; refused since the last heartbeat: %zu, the last %s %s",
                 count, bm_doc_kind_name(r[count - 1].kind), r[count - 1].reason);
}

static void publish(struct bm_sync_service *svc, const char *problem)
{
    struct bm_sync_service_status st = {.running = svc->engine != NULL};
    if (svc->engine) {
        bm_sync_get_status(svc->engine, &st.sync);
        bm_outbox_stats(bm_sync_outbox(svc->engine), &st.outbox);
    }
    snprintf(st.problem, sizeof st.problem, "%s", problem ? problem : st.sync.last_error);
    if (svc->docs)
        describe_documents(svc->docs, st.documents, sizeof st.documents);
    pthread_mutex_lock(&svc->lock);
    svc->status = st;
    pthread_mutex_unlock(&svc->lock);
}

/* Worker: open the engine when due; false if it is not open. */
static bool ensure_open(struct bm_sync_service *svc)
{
    if (svc->engine)
        return true;
    int64_t now = wall_ms();
    if (now < svc->next_open_ms)
        return false;
    enum bm_err err = bm_sync_open(&svc->cfg, &svc->engine);
    if (err == BM_OK) {
        pthread_mutex_lock(&svc->lock);
        svc->opened = svc->engine;
        pthread_mutex_unlock(&svc->lock);
        bm_log_notice(MOD, "sending to %s", svc->url);
        return true;
    }
    char why[200];
    snprintf(why, sizeof why, "cannot start: %s (%s)", bm_err_detail(), bm_err_name(err));
    bm_log_error(MOD, "%s; trying again in a minute", why);
    svc->next_open_ms = now + 60000;
    publish(svc, why);
    return false;
}

/* Worker: whether the engine lets a request go now (backoff, Retry-After, pause); the
 * heartbeat is the probe, which goes while paused when the probe is due. */
static bool centre_open(struct bm_sync_service *svc, int64_t now, bool probe)
{
    struct bm_sync_status st;
    bm_sync_get_status(svc->engine, &st);
    int64_t wait = st.wait_until_ms;
    if (wait > now + (int64_t)3960 * 1000) /* far ahead: a clock stepped back, not a backoff */
        wait = now;
    return now >= wait && (probe || !st.paused);
}

/* Worker: the documents held and refused, for the heartbeat (n_rejections of them). */
struct heartbeat_documents {
    struct bm_doc_held held[BM_DOC_KINDS];
    struct bm_heartbeat_document docs[BM_DOC_KINDS];
    struct bm_doc_rejection refused[BM_DOCS_MAX_REJECTIONS];
    struct bm_heartbeat_rejection rejections[BM_DOCS_MAX_REJECTIONS];
};

static void gather_documents(struct bm_sync_service *svc, struct heartbeat_documents *hd,
                             struct bm_heartbeat *hb)
{
    for (int k = 0; k < BM_DOC_KINDS; k++) {
        bm_docs_held(svc->docs, (enum bm_doc_kind)k, &hd->held[k]);
        hd->docs[k] = (struct bm_heartbeat_document){bm_doc_kind_name((enum bm_doc_kind)k),
                                                     hd->held[k].revision, hd->held[k].source};
    }
    size_t n = bm_docs_rejections(svc->docs, hd->refused, BM_DOCS_MAX_REJECTIONS);
    for (size_t i = 0; i < n; i++)
        hd->rejections[i] = (struct bm_heartbeat_rejection){
            bm_doc_kind_name(hd->refused[i].kind), hd->refused[i].revision, hd->refused[i].reason,
            hd->refused[i].at};
    hb->documents = hd->docs;
    hb->n_documents = BM_DOC_KINDS;
    hb->rejections = hd->rejections;
    hb->n_rejections = n;
}

/* The heartbeat's answer: the newest revision of each document, and the centre's clock. */
static void read_answer(struct bm_sync_service *svc, const struct bm_http_response *rs,
                        char latest[BM_DOC_KINDS][65])
{
    time_t received = time(NULL);
    json_t *root = rs->body ? json_loadb((const char *)rs->body, rs->len, 0, NULL) : NULL;
    json_t *l = json_object_get(root, "latest");
    for (int k = 0; k < BM_DOC_KINDS; k++) {
        const char *rev = json_string_value(json_object_get(l, bm_doc_kind_name(k)));
        snprintf(latest[k], 65, "%s", rev && strlen(rev) <= 64 ? rev : "");
    }
    time_t server;
    if (bm_rfc3339_parse(json_string_value(json_object_get(root, "server_time")), &server)) {
        svc->has_clock_skew = true;
        svc->clock_skew_s = (int64_t)received - (int64_t)server;
        if (svc->clock_skew_s > 60 || svc->clock_skew_s < -60)
            bm_log_warn(MOD, "this kiosk's clock is %+" PRId64 " s off the centre's",
                        svc->clock_skew_s);
    }
    json_decref(root);
}

/* Worker: what the heartbeat reports, gathered now, sent; true on a 2xx (latest filled). */
static bool send_heartbeat(struct bm_sync_service *svc, char latest[BM_DOC_KINDS][65])
{
    struct bm_heartbeat_device devs[BM_CLASS_COUNT];
    char errs[BM_CLASS_COUNT][48];
    size_t n = 0;
    for (int c = 0; c < BM_CLASS_COUNT; c++) {
        struct bm_device *dev = svc->devices ? bm_devices_get(svc->devices, c) : NULL;
        static struct bm_device_status sts[BM_CLASS_COUNT];
        bm_device_get_status(dev, (enum bm_device_class)c, &sts[c]);
        snprintf(errs[n], sizeof errs[n], "%s", bm_err_name(sts[c].error));
        devs[n] = (struct bm_heartbeat_device){.cls = bm_device_class_name((enum bm_device_class)c),
                                               .driver = dev ? bm_device_driver_name(dev) : "none",
                                               .device = bm_device_state_name(sts[c].device),
                                               .error = errs[n],
                                               .fix = bm_fix_name(sts[c].fix),
                                               .detail = sts[c].detail};
        struct bm_receipt_counters ctr;
        if (c == BM_CLASS_RECEIPT_PRINTER && dev &&
            bm_receipt_printer_counters(dev, &ctr) == BM_OK && ctr.receipts_left >= 0) {
            devs[n].has_counters = true;
            devs[n].receipts = ctr.receipts;
            devs[n].paper_mm = ctr.paper_mm;
            devs[n].roll_mm = ctr.roll_mm;
            devs[n].avg_mm = ctr.avg_mm;
            devs[n].receipts_left = (uint64_t)ctr.receipts_left;
        }
        n++;
    }
    struct bm_sync_status st;
    bm_sync_get_status(svc->engine, &st);
    struct bm_heartbeat hb = {.version = BM_VERSION,
                              .uptime_s = (uint64_t)((mono_ms() - svc->started_ms) / 1000),
                              .now = time(NULL),
                              .devices = devs,
                              .n_devices = n,
                              .paused = st.paused,
                              .pause_reason = st.pause_reason,
                              .last_sync_ok_ms = st.last_success_ms,
                              .certificate_not_after =
                                  bm_http_certificate_not_after(bm_sync_http(svc->engine)),
                              .has_clock_skew = svc->has_clock_skew,
                              .clock_skew_s = svc->clock_skew_s};
    hb.outbox_error = bm_outbox_stats(bm_sync_outbox(svc->engine), &hb.outbox) != BM_OK;
    struct heartbeat_documents hd;
    if (svc->docs)
        gather_documents(svc, &hd, &hb);
    struct statvfs vfs;
    char outbox_dir[1024];
    snprintf(outbox_dir, sizeof outbox_dir, "%s", svc->outbox);
    char *slash = strrchr(outbox_dir, '/');
    if (slash)
        *slash = '\0';
    if (statvfs(slash ? outbox_dir : ".", &vfs) == 0) {
        hb.disk_free = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        hb.disk_total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
    }
    size_t len = 0;
    char *json = bm_heartbeat_json(&hb, &len);
    if (!json) {
        bm_log_error(MOD, "heartbeat: out of memory");
        return false;
    }
    /* Sent here rather than by bm_sync_heartbeat: its answer names the latest documents. */
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    struct bm_http_request rq = {
        .method = "POST", .path = "/v1/heartbeat", .headers = headers, .body = json, .len = len};
    struct bm_http_response rs;
    bool ok = false;
    if (bm_http_perform(bm_sync_http(svc->engine), &rq, &rs) == BM_OK) {
        ok = bm_sync_note_answer(svc->engine, &rs, wall_ms(), true) == BM_SYNC_ANSWER_OK;
        if (ok) {
            bm_log_info(MOD, "heartbeat sent (%zu bytes)", len);
            read_answer(svc, &rs, latest);
            if (svc->docs) /* they reached the centre */
                bm_docs_rejections_delivered(svc->docs, hb.n_rejections);
        } else {
            bm_log_warn(MOD, "heartbeat dropped: %s %ld",
                        rs.failure == BM_HTTP_ANSWERED ? "HTTP" : bm_http_failure_name(rs.failure),
                        rs.status);
        }
        bm_http_response_clear(&rs);
    }
    free(json);
    return ok;
}

struct document_news {
    struct bm_sync_service_hooks hooks;
    enum bm_doc_kind kind;
    void *object;
};

static void deliver_document_news(void *msg)
{
    struct document_news *n = msg;
    const struct bm_sync_service_hooks *h = &n->hooks;
    if (n->kind == BM_DOC_CATALOG && h->catalog)
        h->catalog(h->ud);
    else if (n->kind == BM_DOC_NOTICES && h->notices)
        h->notices(n->object, h->ud);
    else if (n->kind == BM_DOC_SETTINGS && h->settings)
        h->settings(n->object, h->ud);
    else if (n->kind == BM_DOC_NOTICES)
        bm_catalog_unref(n->object);
    else if (n->kind == BM_DOC_SETTINGS)
        bm_remote_settings_free(n->object);
    free(n);
}

/* Worker: a document came into force; the main thread hears of it. */
static void on_document(enum bm_doc_kind kind, void *object, void *ud)
{
    struct bm_sync_service *svc = ud;
    if (kind == BM_DOC_SETTINGS) { /* the worker's intervals are its own business: now */
        int64_t ms = bm_settings_int(object, svc->file_cfg, "sync", "heartbeat_interval_s") * 1000;
        if (ms != svc->heartbeat_ms) {
            bm_log_notice(MOD, "heartbeat every %lld s (remote settings)", (long long)(ms / 1000));
            svc->next_heartbeat_ms += ms - svc->heartbeat_ms;
            svc->heartbeat_ms = ms;
        }
        ms = bm_settings_int(object, svc->file_cfg, "sync", "usage_batch_s") * 1000;
        if (ms != svc->usage_ms) {
            bm_log_notice(MOD, "usage batches every %lld s (remote settings)",
                          (long long)(ms / 1000));
            svc->next_usage_ms += ms - svc->usage_ms;
            svc->usage_ms = ms;
        }
    }
    struct document_news *n = malloc(sizeof *n);
    if (n) {
        *n = (struct document_news){svc->hooks, kind, object};
        if (bm_loop_post(deliver_document_news, n) == BM_OK)
            return;
        free(n);
    }
    if (kind == BM_DOC_NOTICES)
        bm_catalog_unref(object);
    else if (kind == BM_DOC_SETTINGS)
        bm_remote_settings_free(object);
}

/* An upload's progress, copied for the main thread. */
struct upload_news {
    struct bm_sync_service_hooks hooks;
    struct bm_sync_progress p;
    char number[48], file[64];
};

static void deliver_upload_news(void *msg)
{
    struct upload_news *n = msg;
    n->p.number = n->number;
    n->p.file = n->file;
    n->hooks.upload(&n->p, n->hooks.ud);
    free(n);
}

/* Worker: the engine's upload progress, on to the main thread. */
static void on_upload_progress(const struct bm_sync_progress *p, void *ud)
{
    struct bm_sync_service *svc = ud;
    struct upload_news *n = svc->hooks.upload ? malloc(sizeof *n) : NULL;
    if (!n)
        return;
    *n = (struct upload_news){.hooks = svc->hooks, .p = *p};
    snprintf(n->number, sizeof n->number, "%s", p->number);
    snprintf(n->file, sizeof n->file, "%s", p->file);
    if (bm_loop_post(deliver_upload_news, n) != BM_OK)
        free(n);
}

/* Worker: each document the heartbeat's answer names anew (all of them once after start). */
static void refresh_documents(struct bm_sync_service *svc, char latest[BM_DOC_KINDS][65])
{
    for (int k = 0; k < BM_DOC_KINDS && !atomic_load(&svc->stopping); k++) {
        int64_t now = wall_ms();
        if ((svc->asked[k] && !bm_docs_wanted(svc->docs, (enum bm_doc_kind)k, latest[k], now)) ||
            !centre_open(svc, now, false))
            continue;
        enum bm_doc_result r = bm_docs_fetch(svc->docs, svc->engine, (enum bm_doc_kind)k, latest[k],
                                             now, on_document, svc);
        if (r != BM_DOC_FAILED)
            svc->asked[k] = true;
    }
}

/* Worker: a round makes way for requests waiting (a resident's application to store, whose
 * receipt waits for the commit), however long the backlog it is sending. */
static bool requests_waiting(void *ud)
{
    struct bm_sync_service *svc = ud;
    return bm_worker_queued(svc->worker) > 0;
}

static void tick(void *ud)
{
    struct bm_sync_service *svc = ud;
    if (atomic_load(&svc->stopping))
        return;
    /* The documents on disk apply even while the engine cannot open (a refused certificate,
     * a missing outbox key); their marks are read, and older copies refused, once it opens. */
    bool open = ensure_open(svc);
    if (svc->docs && !svc->docs_loaded) {
        bm_docs_load(svc->docs, open ? bm_sync_outbox(svc->engine) : NULL, on_document, svc);
        svc->docs_loaded = true;
        svc->marks_read = open;
    }
    if (!open)
        return;
    if (svc->docs && !svc->marks_read) {
        bm_docs_read_marks(svc->docs, bm_sync_outbox(svc->engine), on_document, svc);
        svc->marks_read = true;
    }
    if (mono_ms() >= svc->next_heartbeat_ms && centre_open(svc, wall_ms(), true)) {
        svc->next_heartbeat_ms = mono_ms() + svc->heartbeat_ms;
        char latest[BM_DOC_KINDS][65];
        if (send_heartbeat(svc, latest) && svc->docs && !atomic_load(&svc->stopping))
            refresh_documents(svc, latest);
    }
    if (mono_ms() >= svc->next_usage_ms) { /* the first at start: counts left from before */
        svc->next_usage_ms = mono_ms() + svc->usage_ms;
        if (bm_outbox_usage_take_all(bm_sync_outbox(svc->engine), wall_ms(), NULL) != BM_OK)
            bm_log_warn(MOD, "usage batch: %s", bm_err_detail());
    }
    struct bm_sync_round r;
    enum bm_err err = bm_sync_run(svc->engine, wall_ms(), &r);
    if (err != BM_OK)
        bm_log_error(MOD, "outbox: %s (%s)", bm_err_detail(), bm_err_name(err));
    if (r.acknowledged || r.dead)
        bm_log_info(MOD, "round: %u requests, %u acknowledged, %u dead letters", r.requests,
                    r.acknowledged, r.dead);
    if (r.yielded)
        bm_worker_kick(svc->worker); /* the rest right after the requests */
    publish(svc, err != BM_OK ? bm_err_detail() : NULL);
}

/* A copy of an application for the worker; its personal parts in locked memory. */
struct enqueue_job {
    struct bm_sync_service *svc;
    char number[48];
    unsigned char *json; /* sodium_malloc */
    size_t json_len;
    struct bm_sync_file *files;
    unsigned char **data; /* sodium_malloc each */
    char (*ids)[64];
    char (*types)[64];
    size_t n_files;
    bm_sync_queued_fn done;
    void *ud;
};

static void job_free(struct enqueue_job *j)
{
    if (!j)
        return;
    sodium_free(j->json);
    for (size_t i = 0; j->data && i < j->n_files; i++)
        sodium_free(j->data[i]);
    free(j->data);
    free(j->files);
    free(j->ids);
    free(j->types);
    free(j);
}

static enum bm_err enqueue_run(struct bm_request *req, void *arg, void **result)
{
    (void)req;
    (void)result;
    struct enqueue_job *j = arg;
    struct bm_sync_service *svc = j->svc;
    if (!ensure_open(svc)) {
        struct bm_sync_service_status st;
        bm_sync_service_status(svc, &st);
        return bm_err_set(BM_ERR_STATE, "sync is not running: %s", st.problem);
    }
    struct bm_sync_application a = {j->number, (const char *)j->json, j->json_len, j->files,
                                    j->n_files};
    enum bm_err err = j->number[0]
                          ? bm_sync_enqueue_application(svc->engine, &a, wall_ms())
                          : bm_sync_enqueue_new_application(svc->engine, &a, wall_ms(), j->number);
    publish(svc, NULL);
    if (err == BM_OK)
        bm_worker_kick(svc->worker); /* deliver it now: the tick runs after this request */
    return err;
}

static void enqueue_done(enum bm_err err, void *result, void *arg)
{
    (void)result;
    struct enqueue_job *j = arg; /* j->svc may be gone already: not touched here */
    if (j->done)
        j->done(err, j->number, j->ud);
    job_free(j);
}

static struct enqueue_job *copy_application(struct bm_sync_service *svc,
                                            const struct bm_sync_application *a)
{
    struct enqueue_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->svc = svc;
    snprintf(j->number, sizeof j->number, "%s", a->number ? a->number : "");
    j->json_len = a->json_len;
    j->json = sodium_malloc(a->json_len ? a->json_len : 1);
    j->n_files = a->n_files;
    j->files = calloc(a->n_files + 1, sizeof *j->files);
    j->data = calloc(a->n_files + 1, sizeof *j->data);
    j->ids = calloc(a->n_files + 1, sizeof *j->ids);
    j->types = calloc(a->n_files + 1, sizeof *j->types);
    if (!j->json || !j->files || !j->data || !j->ids || !j->types) {
        job_free(j);
        return NULL;
    }
    memcpy(j->json, a->json, a->json_len);
    for (size_t i = 0; i < a->n_files; i++) {
        const struct bm_sync_file *f = &a->files[i];
        j->data[i] = sodium_malloc(f->len ? f->len : 1);
        if (!j->data[i]) {
            job_free(j);
            return NULL;
        }
        memcpy(j->data[i], f->data, f->len);
        snprintf(j->ids[i], sizeof j->ids[i], "%s", f->id ? f->id : "");
        snprintf(j->types[i], sizeof j->types[i], "%s", f->media_type ? f->media_type : "");
        j->files[i] = (struct bm_sync_file){j->ids[i], j->types[i], j->data[i], f->len};
    }
    return j;
}

enum bm_err bm_sync_service_enqueue(struct bm_sync_service *svc,
                                    const struct bm_sync_application *a, bm_sync_queued_fn done,
                                    void *ud)
{
    if (!svc)
        return bm_err_set(BM_ERR_STATE, "no central service configured");
    if (!a || !a->json || a->n_files > 64)
        return bm_err_set(BM_ERR_INVALID_ARG, "sync: no application");
    struct enqueue_job *j = copy_application(svc, a);
    if (!j)
        return bm_err_set(BM_ERR_NO_MEMORY, "sync: application copy");
    j->done = done;
    j->ud = ud;
    enum bm_err err = bm_worker_submit(svc->worker, enqueue_run, enqueue_done, j, NULL);
    if (err != BM_OK)
        job_free(j);
    return err;
}

/* ---- residents' status queries (sync_application_status.h) ---- */

struct status_job {
    struct bm_sync_service *svc;
    char number[BM_APP_NUMBER_LEN + 1];
    char token[BM_APP_TOKEN_MAX + 1];
    struct bm_app_query q;
    bm_sync_status_fn done;
    void *ud;
};

/* Worker: takes a token of the kiosk's own limit, or says how many seconds until one. */
static bool take_status_token(struct bm_sync_service *svc, int64_t now, unsigned *wait_s)
{
    if (svc->status_refilled_ms == 0) {
        svc->status_tokens = STATUS_BURST;
        svc->status_refilled_ms = now;
    }
    svc->status_tokens += (double)(now - svc->status_refilled_ms) / STATUS_EVERY_MS;
    if (svc->status_tokens > STATUS_BURST)
        svc->status_tokens = STATUS_BURST;
    svc->status_refilled_ms = now;
    if (svc->status_tokens >= 1) {
        svc->status_tokens -= 1;
        return true;
    }
    *wait_s = (unsigned)((1 - svc->status_tokens) * STATUS_EVERY_MS / 1000) + 1;
    return false;
}

static void status_outcome(struct bm_app_query *q, enum bm_app_outcome o, unsigned wait_s,
                           const char *why)
{
    q->outcome = o;
    q->retry_after_s = wait_s;
    snprintf(q->detail, sizeof q->detail, "%s", why);
}

/* Worker: asks the centre, or says why not without asking. */
static void ask_centre(struct bm_sync_service *svc, struct status_job *j)
{
    unsigned wait_s = 0;
    if (!take_status_token(svc, mono_ms(), &wait_s)) {
        status_outcome(&j->q, BM_APP_BUSY, wait_s, "over the kiosk's own rate of queries");
        return;
    }
    if (!ensure_open(svc)) {
        status_outcome(&j->q, BM_APP_OFFLINE, 0, "sync is not running");
        return;
    }
    struct bm_sync_status st;
    bm_sync_get_status(svc->engine, &st);
    int64_t now = wall_ms();
    if (st.paused) {
        status_outcome(&j->q, BM_APP_OFFLINE, 0, "sync is paused");
        return;
    }
    if (!centre_open(svc, now, false)) {
        /* The whole client waits (central-api.md): busy if it was the centre's word to a
         * query, out of reach when the network failed. */
        wait_s = st.wait_until_ms > now ? (unsigned)((st.wait_until_ms - now) / 1000) + 1 : 1;
        if (mono_ms() < svc->status_busy_until_ms)
            status_outcome(&j->q, BM_APP_BUSY, wait_s, "the centre asked to wait");
        else
            status_outcome(&j->q, BM_APP_OFFLINE, 0, "the centre is out of reach for now");
        return;
    }
    bm_app_status_fetch(svc->engine, j->number, j->token, now, &j->q);
    if (j->q.outcome == BM_APP_BUSY)
        svc->status_busy_until_ms = mono_ms() + (int64_t)j->q.retry_after_s * 1000;
}

static enum bm_err status_run(struct bm_request *req, void *arg, void **result)
{
    (void)req;
    (void)result;
    struct status_job *j = arg;
    ask_centre(j->svc, j);
    bm_log_info(MOD, "progress query: %s (%s)", bm_app_outcome_name(j->q.outcome), j->q.detail);
    return BM_OK;
}

static void status_done(enum bm_err err, void *result, void *arg)
{
    (void)result;
    struct status_job *j = arg; /* j->svc may be gone already: not touched here */
    if (err != BM_OK)           /* the worker stopped before it ran */
        status_outcome(&j->q, BM_APP_OFFLINE, 0, bm_err_name(err));
    j->done(&j->q, j->ud);
    sodium_memzero(j->token, sizeof j->token);
    free(j);
}

enum bm_err bm_sync_service_query_status(struct bm_sync_service *svc, const char *number,
                                         const char *token, bm_sync_status_fn done, void *ud)
{
    if (!svc)
        return bm_err_set(BM_ERR_STATE, "no central service configured");
    if (!done || !bm_app_number_valid(number) || (token && strlen(token) > BM_APP_TOKEN_MAX))
        return bm_err_set(BM_ERR_INVALID_ARG, "status query: not an application number");
    struct status_job *j = calloc(1, sizeof *j);
    if (!j)
        return bm_err_set(BM_ERR_NO_MEMORY, "status query");
    j->svc = svc;
    snprintf(j->number, sizeof j->number, "%s", number);
    snprintf(j->token, sizeof j->token, "%s", token ? token : "");
    j->done = done;
    j->ud = ud;
    enum bm_err err = bm_worker_submit(svc->worker, status_run, status_done, j, NULL);
    if (err != BM_OK)
        free(j);
    return err;
}

/* ---- usage counts (usage.h): added on the worker, where the outbox lives ---- */

struct usage_job {
    struct bm_sync_service *svc;
    struct bm_usage_event ev;
};

static enum bm_err usage_run(struct bm_request *req, void *arg, void **result)
{
    (void)req;
    (void)result;
    struct usage_job *j = arg;
    if (!ensure_open(j->svc))
        return bm_err_set(BM_ERR_STATE, "sync is not running");
    enum bm_err err = bm_outbox_usage_record(bm_sync_outbox(j->svc->engine), &j->ev);
    if (err != BM_OK)
        bm_log_warn(MOD, "usage not counted: %s", bm_err_detail());
    return err;
}

static void usage_done(enum bm_err err, void *result, void *arg)
{
    (void)err;
    (void)result;
    free(arg);
}

enum bm_err bm_sync_service_usage(struct bm_sync_service *svc, const struct bm_usage_event *ev)
{
    if (!svc)
        return BM_OK; /* no centre: nobody to count for */
    enum bm_err err = bm_usage_event_check(ev);
    struct usage_job *j = err == BM_OK ? malloc(sizeof *j) : NULL;
    if (err != BM_OK || !j)
        return err != BM_OK ? err : bm_err_set(BM_ERR_NO_MEMORY, "usage event");
    *j = (struct usage_job){svc, *ev};
    /* Counts never crowd out an application: the upper half of the queue is kept for them. */
    err = bm_worker_queued(svc->worker) >= QUEUE_CAP / 2
              ? bm_err_set(BM_ERR_BUSY, "the sync worker is busy")
              : bm_worker_submit(svc->worker, usage_run, usage_done, j, NULL);
    if (err != BM_OK) {
        bm_log_warn(MOD, "usage not counted: %s (%s)", bm_err_detail(), bm_err_name(err));
        free(j);
    }
    return err;
}

void bm_sync_service_status(const struct bm_sync_service *svc, struct bm_sync_service_status *out)
{
    memset(out, 0, sizeof *out);
    if (!svc) {
        snprintf(out->problem, sizeof out->problem, "no central service configured");
        return;
    }
    pthread_mutex_lock((pthread_mutex_t *)&svc->lock);
    *out = svc->status;
    pthread_mutex_unlock((pthread_mutex_t *)&svc->lock);
}

/* A path from the config (relative to the config file), into buf. */
static const char *path(const struct bm_config *cfg, const char *section, const char *key,
                        char *buf, size_t size)
{
    return bm_paths_from_config(cfg, section, key, "", buf, size);
}

/* The signed documents are fetched only where they can be checked: with the centre's keys. */
static enum bm_err open_documents(struct bm_sync_service *svc, const struct bm_config *cfg)
{
    char keys_path[1024], catalog[1024], bundled[1024], assets[1024], state[1024];
    if (!path(cfg, "central", "signing_public_key", keys_path, sizeof keys_path) || !*keys_path) {
        bm_log_notice(MOD, "no [central] signing_public_key: the centre's documents are not "
                           "fetched");
        return BM_OK;
    }
    struct bm_sig_keys keys;
    enum bm_err err = bm_sig_keys_load(keys_path, &keys);
    if (err != BM_OK)
        return err;
    struct bm_docs_config dc = {
        .keys = &keys,
        .kiosk_id = bm_config_str(cfg, "kiosk", "id"),
        .catalog_path = path(cfg, "catalog", "current", catalog, sizeof catalog),
        .bundled_path = bm_paths_from_config(cfg, "catalog", "bundled", bm_paths_bundled_catalog(),
                                             bundled, sizeof bundled),
        .assets_dir =
            bm_paths_from_config(cfg, "paths", "assets", bm_paths_assets(), assets, sizeof assets),
        .state_dir = path(cfg, "sync", "state_dir", state, sizeof state),
    };
    if (!dc.catalog_path || !dc.bundled_path || !dc.assets_dir || !dc.state_dir)
        return bm_err_set(BM_ERR_CONFIG, "[catalog]/[sync]: a path is too long");
    return bm_docs_create(&dc, &svc->docs);
}

enum bm_err bm_sync_service_create(const struct bm_config *cfg, struct bm_devices *devices,
                                   const struct bm_sync_service_hooks *hooks,
                                   struct bm_sync_service **out)
{
    *out = NULL;
    const char *url = bm_config_str(cfg, "central", "url");
    if (!url || !*url)
        return BM_OK;
    struct bm_sync_service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return bm_err_set(BM_ERR_NO_MEMORY, "sync service");
    pthread_mutex_init(&svc->lock, NULL);
    svc->devices = devices;
    if (hooks)
        svc->hooks = *hooks;
    svc->file_cfg = cfg;
    svc->started_ms = mono_ms();
    svc->heartbeat_ms = bm_config_int(cfg, "sync", "heartbeat_interval_s") * 1000;
    svc->usage_ms = bm_config_int(cfg, "sync", "usage_batch_s") * 1000;
    snprintf(svc->url, sizeof svc->url, "%s", url);
    snprintf(svc->pins, sizeof svc->pins, "%s", bm_config_str(cfg, "central", "pin_sha256"));
    snprintf(svc->kiosk_id, sizeof svc->kiosk_id, "%s", bm_config_str(cfg, "kiosk", "id"));
    if (!path(cfg, "central", "ca_bundle", svc->ca, sizeof svc->ca) ||
        !path(cfg, "central", "client_cert", svc->cert, sizeof svc->cert) ||
        !path(cfg, "central", "client_key", svc->key, sizeof svc->key) ||
        !path(cfg, "sync", "outbox", svc->outbox, sizeof svc->outbox) ||
        !path(cfg, "sync", "key_file", svc->outbox_key, sizeof svc->outbox_key)) {
        bm_sync_service_destroy(svc);
        return bm_err_set(BM_ERR_CONFIG, "[central]/[sync]: a path is too long");
    }
    svc->cfg = (struct bm_sync_config){
        .http = {.url = svc->url,
                 .ca_bundle = svc->ca,
                 .pin_sha256 = svc->pins,
                 .client_cert = svc->cert,
                 .client_key = svc->key,
                 .kiosk_id = svc->kiosk_id,
                 .connect_timeout_ms =
                     (unsigned)bm_config_int(cfg, "central", "connect_timeout_ms"),
                 .transfer_timeout_ms =
                     (unsigned)bm_config_int(cfg, "central", "transfer_timeout_ms")},
        .outbox = {.path = svc->outbox,
                   .key_path = svc->outbox_key,
                   .max_bytes = (uint64_t)bm_config_int(cfg, "sync", "max_outbox_mib") << 20},
        .upload_chunk = (size_t)bm_config_int(cfg, "sync", "upload_chunk_kib") << 10,
        .yield = requests_waiting,
        .yield_ud = svc,
        .progress = on_upload_progress,
        .progress_ud = svc,
    };
    enum bm_err err = open_documents(svc, cfg);
    if (err != BM_OK) {
        bm_sync_service_destroy(svc);
        return err;
    }
    snprintf(svc->status.problem, sizeof svc->status.problem, "starting");
    struct bm_worker_config wc = {
        .name = "sync", .queue_cap = QUEUE_CAP, .tick_ms = POLL_MS, .tick = tick, .tick_ud = svc};
    err = bm_worker_create(&wc, &svc->worker);
    if (err != BM_OK) {
        bm_sync_service_destroy(svc);
        return err;
    }
    bm_worker_kick(svc->worker); /* the first round now, not in POLL_MS */
    *out = svc;
    return BM_OK;
}

void bm_sync_service_destroy(struct bm_sync_service *svc)
{
    if (!svc)
        return;
    /* A request in flight would hold the join up to its timeout: cancel it, and everything
     * after it. */
    atomic_store(&svc->stopping, true);
    pthread_mutex_lock(&svc->lock);
    if (svc->opened)
        bm_sync_cancel(svc->opened);
    pthread_mutex_unlock(&svc->lock);
    bm_worker_destroy(svc->worker);
    bm_sync_close(svc->engine);
    bm_docs_destroy(svc->docs);
    pthread_mutex_destroy(&svc->lock);
    free(svc);
}
