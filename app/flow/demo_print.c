/*
 * demo_print.c - the demo's `receipt` and `certificate` commands.
 *
 * Design: the command reads the configured printer's caps on the main thread (the receipt's
 * width and longest raster), a worker renders the sample document (services/document.h),
 * and back on the main thread the result goes to bm_receipt_printer_print or
 * bm_doc_printer_print, which copy it; the rendered buffer is then wiped and freed. So the
 * demo's receipts are the real ones, whatever driver is configured.
 *
 * Why a worker: measured on the loaded 2-core build machine (Debug build), the sample receipt
 * renders in about 2 ms once the fonts are loaded, but the first one in a fresh process took
 * 20 ms alone and 1.3 s in the running kiosk (fontconfig and the CJK faces load then); the
 * first A4 certificate took 2.4 s, later ones about 20 ms (bench_document): too long for the
 * main loop, which must keep drawing frames.
 *
 * Lifetime: a job's render_done is posted to the main loop, which may deliver it after the demo
 * has stopped (bm_loop_shutdown runs after the devices are closed). So the demo keeps the jobs
 * it has submitted and not yet seen done, and detaches them when it is destroyed: a detached
 * job is only freed.
 *
 * Threads: main, except render_run (the "documents" worker).
 */
#include "demo_print.h"

#include "core/log.h"
#include "core/worker.h"
#include "drivers/doc_printer.h"
#include "drivers/receipt_printer.h"
#include "flow_internal.h"
#include "services/document.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct render_job;

struct bm_demo_print {
    struct bm_flow *flow;
    struct bm_worker *worker;
    struct render_job *jobs; /* submitted, render_done not yet run */
};

struct render_job {
    struct bm_demo_print *p; /* NULL once detached */
    struct render_job *prev, *next;
    bool pdf, english;
    unsigned width, max_height;
    struct bm_doc_raster raster;
    struct bm_doc_pdf doc;
    double ms;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void track(struct bm_demo_print *p, struct render_job *j)
{
    j->next = p->jobs;
    if (p->jobs)
        p->jobs->prev = j;
    p->jobs = j;
}

static void untrack(struct render_job *j)
{
    if (!j->p)
        return;
    if (j->prev)
        j->prev->next = j->next;
    else
        j->p->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
}

static void free_job(struct render_job *j)
{
    untrack(j);
    bm_doc_raster_free(&j->raster);
    bm_doc_pdf_free(&j->doc);
    free(j);
}

/* Worker thread: builds and renders the sample. */
static enum bm_err render_run(struct bm_request *req, void *arg, void **result)
{
    (void)result;
    struct render_job *j = arg;
    if (bm_request_cancelled(req))
        return bm_err_set(BM_ERR_CANCELLED, "demo stopping");
    double t0 = now_ms();
    struct bm_document *doc = NULL;
    enum bm_err err = j->pdf ? bm_doc_certificate_sample(&doc)
                             : bm_doc_receipt_build(bm_doc_receipt_sample(j->english), &doc);
    if (err == BM_OK)
        err = j->pdf ? bm_doc_render_pdf(doc, &j->doc)
                     : bm_doc_render_raster(doc, j->width, j->max_height, &j->raster);
    bm_doc_destroy(doc);
    j->ms = now_ms() - t0;
    return err;
}

static void on_printed(const struct bm_completion *c, void *ud)
{
    const char *what = ud;
    if (c->err == BM_OK)
        bm_log_notice("demo", "%s printed", what);
    else
        bm_log_warn("demo", "%s not printed: %s (%s)", what, bm_err_name(c->err), c->detail);
}

/* Main thread (or the worker, at shutdown): hands the rendering to the printer. */
static void render_done(enum bm_err err, void *result, void *arg)
{
    (void)result;
    struct render_job *j = arg;
    const char *what = j->pdf ? "certificate" : "receipt";
    if (!j->p) { /* the demo has stopped: nobody to print for */
        free_job(j);
        return;
    }
    if (err != BM_OK) {
        if (err != BM_ERR_SHUTDOWN && err != BM_ERR_CANCELLED)
            bm_log_warn("demo", "%s not rendered: %s (%s)", what, bm_err_name(err),
                        bm_err_detail());
        free_job(j);
        return;
    }
    struct bm_devices *hub = j->p->flow->devices;
    uint64_t id;
    if (j->pdf) {
        bm_log_notice("demo", "certificate rendered in %.1f ms: %u page(s), %zu bytes", j->ms,
                      j->doc.pages, j->doc.len);
        struct bm_doc_job job = {.pdf = j->doc.data,
                                 .len = j->doc.len,
                                 .copies = 1,
                                 .title = "bianmin certificate sample"};
        err = bm_doc_printer_print(bm_devices_get(hub, BM_CLASS_DOC_PRINTER), &job, on_printed,
                                   (void *)"certificate", &id);
    } else {
        bm_log_notice("demo", "receipt rendered in %.1f ms: %ux%u dots, %zu bytes", j->ms,
                      j->raster.raster.width, j->raster.raster.height, j->raster.size);
        struct bm_receipt_job job = {.raster = j->raster.raster, .feed_dots = 96, .cut = true};
        err = bm_receipt_printer_print(bm_devices_get(hub, BM_CLASS_RECEIPT_PRINTER), &job,
                                       on_printed, (void *)"receipt", &id);
    }
    if (err != BM_OK)
        bm_log_warn("demo", "%s not sent: %s (%s)", what, bm_err_name(err), bm_err_detail());
    free_job(j); /* the printers copied what they need */
}

enum bm_err bm_demo_print_create(struct bm_flow *flow, struct bm_demo_print **out)
{
    struct bm_demo_print *p = calloc(1, sizeof *p);
    if (!p)
        return bm_err_set(BM_ERR_NO_MEMORY, "demo print");
    p->flow = flow;
    struct bm_worker_config cfg = {.name = "documents", .queue_cap = 4};
    enum bm_err err = bm_worker_create(&cfg, &p->worker);
    if (err != BM_OK) {
        free(p);
        return err;
    }
    *out = p;
    return BM_OK;
}

void bm_demo_print_destroy(struct bm_demo_print *p)
{
    if (!p)
        return;
    bm_worker_destroy(p->worker); /* after this, render_done runs on the main thread only */
    for (struct render_job *j = p->jobs; j; j = j->next)
        j->p = NULL;
    free(p);
}

static enum bm_err submit(struct bm_demo_print *p, struct render_job *j)
{
    track(p, j);
    enum bm_err err = bm_worker_submit(p->worker, render_run, render_done, j, NULL);
    if (err != BM_OK)
        free_job(j);
    else
        bm_log_info("demo", "%s render started", j->pdf ? "certificate" : "receipt");
    return err;
}

enum bm_err bm_demo_print_receipt(struct bm_demo_print *p, bool english)
{
    struct bm_receipt_caps caps;
    enum bm_err err = bm_receipt_printer_get_caps(
        bm_devices_get(p->flow->devices, BM_CLASS_RECEIPT_PRINTER), &caps);
    if (err != BM_OK)
        return err;
    struct render_job *j = calloc(1, sizeof *j);
    if (!j)
        return bm_err_set(BM_ERR_NO_MEMORY, "demo receipt");
    *j = (struct render_job){
        .p = p, .english = english, .width = caps.width_dots, .max_height = caps.max_height};
    return submit(p, j);
}

enum bm_err bm_demo_print_certificate(struct bm_demo_print *p)
{
    struct render_job *j = calloc(1, sizeof *j);
    if (!j)
        return bm_err_set(BM_ERR_NO_MEMORY, "demo certificate");
    *j = (struct render_job){.p = p, .pdf = true};
    return submit(p, j);
}
