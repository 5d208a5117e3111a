/*
 * test_cups_printer.c - the CUPS document printer driver (drivers/cups) against a real private
 * cupsd (cups_fixture.c) whose fake backend writes each job to a file.
 *
 * A PDF made here with cairo (Noto Sans CJK SC and Latin text) goes through the driver,
 * cupsd and the backend; the backend's file must be that PDF byte for byte and pdftotext must
 * find the text in it. Then: copies, progress events, out of paper mid-job (the job does not
 * complete, the status says paper out with fix clear, and it recovers when paper is loaded),
 * a stopped and a rejecting queue seen while idle, a job timeout and a cancel (both cancel the
 * CUPS job), cupsd going away and coming back, the queue missing, and a non-PDF. Then what
 * review found: a cancel while cupsd is down is retried when it is back (the job must not print
 * later), a purged job is "outcome unknown", a Create-Job cupsd refuses is a refusal (not
 * "unreachable"), and the failure details say what happened once. Every wait polls for its
 * condition; the long limits are hang guards only.
 */
#include "cups_fixture.h"
#include "fixture.h"

#include "drivers/cups/cups.h"
#include "services/document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rig {
    struct fx *f;
    struct cups_fx cups;
    struct bm_device *dev;
    unsigned char *pdf; /* the last PDF made, freed at teardown (also when a test fails) */
};

static struct rig rig;

static int rig_setup(void **state)
{
    memset(&rig, 0, sizeof rig);
    cups_fx_setup(&rig.cups);
    rig.f = fx_setup();
    assert_int_equal(bm_config_set(rig.f->cfg, "devices", "doc_printer", "cups"), BM_OK);
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "queue", CUPS_FX_QUEUE), BM_OK);
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "server", rig.cups.sock), BM_OK);
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "status_poll_ms", "100"), BM_OK);
    /* A hang guard only: a sanitizer build on a loaded machine makes cupsd answer slowly. */
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "connect_timeout_ms", "60000"),
                     BM_OK);
    *state = &rig;
    return 0;
}

static int rig_teardown(void **state)
{
    (void)state;
    bm_device_close(rig.dev);
    rig.dev = NULL;
    fx_teardown(rig.f);
    cups_fx_teardown(&rig.cups);
    free(rig.pdf);
    rig.pdf = NULL;
    return 0;
}

static struct bm_device *open_printer(void)
{
    rig.dev = fx_open_clock(rig.f, BM_CLASS_DOC_PRINTER, NULL); /* real time: a real cupsd */
    assert_non_null(rig.dev);
    assert_string_equal(bm_device_driver_name(rig.dev), "cups");
    return rig.dev;
}

/* ---- a PDF made here ---- */

struct membuf {
    unsigned char *data;
    size_t len;
};

static cairo_status_t write_mem(void *closure, const unsigned char *data, unsigned int length)
{
    struct membuf *m = closure;
    unsigned char *p = realloc(m->data, m->len + length);
    if (!p)
        return CAIRO_STATUS_NO_MEMORY;
    memcpy(p + m->len, data, length);
    m->data = p;
    m->len += length;
    return CAIRO_STATUS_SUCCESS;
}

/* An A4 page of CJK and Latin text; with noise, an incompressible image (~500 KB more). */
static struct membuf make_pdf(bool noise)
{
    struct membuf m = {0};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_mem, &m, 595, 842);
    cairo_t *cr = cairo_create(s);
    cairo_select_font_face(cr, "Noto Sans CJK SC", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 24);
    cairo_move_to(cr, 60, 100);
    cairo_show_text(cr, "政务服务 申请表");
    cairo_move_to(cr, 60, 150);
    cairo_show_text(cr, "Application form 2026");
    if (noise) {
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 400);
        unsigned char *px = cairo_image_surface_get_data(img);
        unsigned seed = 12345;
        for (int i = 0; i < 400 * cairo_image_surface_get_stride(img); i++) {
            seed = seed * 1103515245u + 12345u;
            px[i] = (unsigned char)(seed >> 16);
        }
        cairo_surface_mark_dirty(img);
        cairo_set_source_surface(cr, img, 60, 200);
        cairo_paint(cr);
        cairo_surface_destroy(img);
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    assert_true(m.len > 500);
    free(rig.pdf);
    rig.pdf = m.data;
    return m;
}

static struct fx_cmd *print_sides(struct membuf *pdf, unsigned copies, bool duplex)
{
    struct bm_doc_job job = {.pdf = pdf->data,
                             .len = pdf->len,
                             .copies = copies,
                             .duplex = duplex,
                             .title = "test form"};
    struct fx_cmd *k = fx_cmd(rig.f);
    assert_int_equal(bm_doc_printer_print(rig.dev, &job, fx_done, k, &k->id), BM_OK);
    return k;
}

static struct fx_cmd *print(struct membuf *pdf, unsigned copies)
{
    return print_sides(pdf, copies, false);
}

/* The text pdftotext finds in a PDF. */
static char *pdf_text(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = '\0';
    pclose(p);
    return text;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- status predicates ---- */

static bool online_ok(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_ONLINE && st->error == BM_OK && st->doc.accepting_jobs &&
           st->doc.paper == BM_PAPER_FULL;
}
static bool paper_out(const struct bm_device_status *st)
{
    return st->doc.paper == BM_PAPER_OUT && st->error == BM_ERR_NO_MEDIA && st->fix == BM_FIX_CLEAR;
}
static bool queue_stopped(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_OFFLINE && st->fix == BM_FIX_MAINTENANCE &&
           strstr(st->detail, "queue stopped");
}
static bool rejecting(const struct bm_device_status *st)
{
    return !st->doc.accepting_jobs && st->device == BM_DEVICE_OFFLINE &&
           st->fix == BM_FIX_MAINTENANCE;
}
static bool server_gone(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_OFFLINE && st->error == BM_ERR_NO_DEVICE &&
           st->fix == BM_FIX_SUSPEND;
}
static bool queue_missing(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_NO_DEVICE && st->fix == BM_FIX_MAINTENANCE;
}

/* Whether needle occurs in hay exactly once. */
static bool once(const char *hay, const char *needle)
{
    const char *first = strstr(hay, needle);
    return first && !strstr(first + 1, needle);
}

/* How many error events with this fix arrived. */
static int errors_with(enum bm_fix fix)
{
    int n = 0;
    for (int i = 0; i < rig.f->n_events; i++)
        if (rig.f->events[i]->kind == BM_EVENT_ERROR && rig.f->events[i]->fix == fix)
            n++;
    return n;
}

/* Pumps until at least n such error events arrived (the status comes first); the count. */
static int wait_errors(enum bm_fix fix, int n)
{
    for (double t0 = now_ms(); errors_with(fix) < n && now_ms() - t0 < FX_WAIT_MS;)
        fx_pump(10);
    return errors_with(fix);
}

/* ---- tests ---- */

static void prints_pdf_with_cjk_text(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    struct bm_doc_caps caps;
    assert_int_equal(bm_doc_printer_get_caps(dev, &caps), BM_OK);
    assert_true(caps.max_copies >= 1);
    assert_true(caps.model[0] != '\0');

    struct membuf pdf = make_pdf(false);
    double t0 = now_ms();
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    print_message("job round trip %.0f ms for %zu bytes; cupsd start %.0f ms\n", now_ms() - t0,
                  pdf.len, rig.cups.start_ms);
    assert_int_equal(k->c.err, BM_OK);
    size_t len = 0;
    char *out = cups_fx_job(&rig.cups, 1, "pdf", &len, 5000);
    assert_non_null(out);
    assert_int_equal(len, pdf.len);
    assert_memory_equal(out, pdf.data, len);
    free(out);
    char path[512];
    snprintf(path, sizeof path, "%s/job-1.pdf", rig.cups.out);
    const char *text = pdf_text(path);
    assert_non_null(strstr(text, "政务服务"));
    assert_non_null(strstr(text, "申请表"));
    assert_non_null(strstr(text, "Application form 2026"));
}

/* The document renderer's A4 certificate, through cupsd: the printed file is its PDF, and its
 * words come back out with pdftotext. */
static void prints_the_rendered_certificate(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    struct bm_document *doc;
    assert_int_equal(bm_doc_certificate_sample(&doc), BM_OK);
    struct bm_doc_pdf rendered = {0};
    assert_int_equal(bm_doc_render_pdf(doc, &rendered), BM_OK);
    bm_doc_destroy(doc);
    struct membuf pdf = {.data = rendered.data, .len = rendered.len};
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    size_t len = 0;
    char *out = cups_fx_job(&rig.cups, 1, "pdf", &len, 5000);
    assert_non_null(out);
    assert_int_equal(len, rendered.len);
    assert_memory_equal(out, rendered.data, len);
    free(out);
    bm_doc_pdf_free(&rendered);
    char path[512];
    snprintf(path, sizeof path, "%s/job-1.pdf", rig.cups.out);
    const char *text = pdf_text(path);
    assert_non_null(strstr(text, "居住证明"));
    assert_non_null(strstr(text, "BM20261129000123"));
    assert_non_null(strstr(text, "XX市XX区政务服务中心"));
}

static void copies_and_progress(void **state)
{
    (void)state;
    open_printer();
    struct membuf pdf = make_pdf(true);
    assert_true(pdf.len > 200 * 1024); /* several chunks */
    struct fx_cmd *k = print(&pdf, 3);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    char *args = cups_fx_job(&rig.cups, 1, "args", NULL, 5000);
    assert_non_null(args);
    char title[64], user[64];
    int job = 0, copies = 0;
    /* job user title copies options: the title has a space, so read it as two words */
    assert_int_equal(sscanf(args, "%d %63s test %63s %d", &job, user, title, &copies), 4);
    assert_int_equal(copies, 3);
    assert_non_null(strstr(args, "sides=one-sided"));
    free(args);
    size_t len = 0;
    char *out = cups_fx_job(&rig.cups, 1, "pdf", &len, 5000);
    assert_non_null(out);
    assert_int_equal(len, pdf.len);
    free(out);

    int progress = 0;
    uint64_t last = 0;
    for (int i = 0; i < rig.f->n_events; i++) {
        const struct bm_device_event *ev = rig.f->events[i];
        if (ev->kind != BM_EVENT_PROGRESS)
            continue;
        assert_int_equal(ev->cmd_id, k->id);
        assert_int_equal(ev->total, pdf.len);
        assert_true(ev->done >= last);
        last = ev->done;
        progress++;
    }
    assert_true(progress >= 2);
    assert_int_equal(last, pdf.len);
}

static void paper_out_then_loaded(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_flag(&rig.cups, "paper-out", true);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_status(dev, paper_out));
    assert_int_equal(wait_errors(BM_FIX_CLEAR, 1), 1);
    assert_int_equal(k->calls, 0); /* not printed */
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
    fx_pump(500); /* more polls: the fault is reported once */
    assert_int_equal(wait_errors(BM_FIX_CLEAR, 1), 1);
    assert_int_equal(k->calls, 0);

    cups_fx_flag(&rig.cups, "paper-out", false); /* paper loaded */
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_true(fx_wait_status(dev, online_ok));
    assert_int_equal(cups_fx_job_count(&rig.cups), 1);
}

static void paper_out_times_out(void **state)
{
    (void)state;
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "job_timeout_ms", "8000"), BM_OK);
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_flag(&rig.cups, "paper-out", true);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    /* 8 s leaves the backend time to report paper out even on a loaded machine (a job round
     * trip there took up to 11 s); the fix the timeout carries is that fault's. */
    assert_true(fx_wait_status(rig.dev, paper_out));
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_TIMEOUT);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR); /* the fault's fix */
    assert_non_null(strstr(k->c.detail, "paper out"));
    assert_true(cups_fx_queue_empty(10000)); /* the CUPS job was cancelled */
    cups_fx_flag(&rig.cups, "paper-out", false);
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
}

static void stopped_and_rejecting_while_idle(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    assert_int_equal(cups_fx_sh("cupsdisable %s", CUPS_FX_QUEUE), 0);
    assert_true(fx_wait_status(dev, queue_stopped));
    assert_int_equal(wait_errors(BM_FIX_MAINTENANCE, 1), 1);
    /* A job now would never print: it fails at once and says why. */
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_STATE);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    assert_int_equal(cups_fx_sh("cupsenable %s", CUPS_FX_QUEUE), 0);
    assert_true(fx_wait_status(dev, online_ok));

    assert_int_equal(cups_fx_sh("cupsreject %s", CUPS_FX_QUEUE), 0);
    assert_true(fx_wait_status(dev, rejecting));
    assert_int_equal(wait_errors(BM_FIX_MAINTENANCE, 2), 2);
    assert_int_equal(cups_fx_sh("cupsaccept %s", CUPS_FX_QUEUE), 0);
    assert_true(fx_wait_status(dev, online_ok));
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
}

static void backend_stops_queue(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_flag(&rig.cups, "stop", true);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_not_equal(k->c.err, BM_OK);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    assert_true(fx_wait_status(dev, queue_stopped));
    assert_true(cups_fx_queue_empty(10000)); /* not left to print later by surprise */
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
}

static void cancel_cancels_the_cups_job(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_flag(&rig.cups, "slow", true);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_running(dev, k->id));
    /* wait until cupsd has the job, then cancel */
    for (double t0 = now_ms(); cups_fx_queue_empty(0) && now_ms() - t0 < FX_WAIT_MS;)
        fx_pump(20);
    assert_int_equal(bm_device_cancel(dev, k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_CANCELLED);
    assert_true(cups_fx_queue_empty(10000));
    cups_fx_flag(&rig.cups, "slow", false);
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
}

static void cupsd_gone_and_back(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_kill(&rig.cups);
    assert_true(fx_wait_status(dev, server_gone));
    assert_int_equal(wait_errors(BM_FIX_SUSPEND, 1), 1);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_SUSPEND);
    /* the detail wraps the cause once (it was formatted from itself into itself) */
    print_message("print: %s\n", k->c.detail);
    assert_true(once(k->c.detail, "document printer unavailable: "));
    assert_non_null(strstr(k->c.detail, "unreachable"));
    struct fx_cmd *r = fx_cmd(rig.f);
    assert_int_equal(bm_device_reset(dev, fx_done, r, &r->id), BM_OK);
    assert_true(fx_wait_cmd(r));
    assert_int_equal(r->c.err, BM_ERR_NO_DEVICE);
    print_message("reset: %s\n", r->c.detail);
    assert_true(once(r->c.detail, "reset: "));
    assert_non_null(strstr(r->c.detail, "unreachable"));

    cups_fx_start(&rig.cups);
    assert_true(fx_wait_status(dev, online_ok));
    k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(cups_fx_job_count(&rig.cups), 1);
}

/* The connection breaks while Send-Document carries the PDF: not printed, and the job cupsd
 * already made is cancelled (the driver reconnects for that), never left to print half a
 * document or to wait. */
static void send_document_cut_midway(void **state)
{
    (void)state;
    cups_fx_proxy_start(&rig.cups);
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "server", rig.cups.proxy_sock),
                     BM_OK);
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    struct membuf pdf = make_pdf(true);
    assert_true(pdf.len > 300 * 1024);
    cups_fx_proxy_arm(&rig.cups, CUPS_FX_CUT_SEND_DOCUMENT);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    print_message("cut: %s\n", k->c.detail);
    assert_int_equal(cups_fx_proxy_cuts(&rig.cups), 1);
    assert_int_equal(k->c.err, BM_ERR_NO_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_SUSPEND);
    assert_non_null(strstr(k->c.detail, "Send-Document"));
    /* cancelled (its reasons say processing-to-stop-point while cupsd drops the half document) */
    assert_true(cups_fx_log_has(&rig.cups, "access_log", "Cancel-Job successful-ok", 10000));
    assert_true(cups_fx_queue_empty(10000));
    assert_true(fx_wait_status(dev, online_ok)); /* the next poll reconnects */
    k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(cups_fx_job_count(&rig.cups), 1);
    size_t len = 0;
    free(cups_fx_job(&rig.cups, 1, "pdf", &len, 0));
    assert_int_equal(len, 0); /* job 1 never printed; job 2 did */
    char *out = cups_fx_job(&rig.cups, 2, "pdf", &len, 5000);
    assert_non_null(out);
    assert_int_equal(len, pdf.len);
    free(out);
}

/* cupsd makes the job but its reply to Create-Job never arrives: the driver cannot know the
 * job's id, so it cannot cancel it; the job has no document, so it can never print (cupsd
 * aborts it after MultipleOperationTimeout). The command fails as "unreachable, wait". */
static void create_job_reply_lost(void **state)
{
    (void)state;
    cups_fx_proxy_start(&rig.cups);
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "server", rig.cups.proxy_sock),
                     BM_OK);
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    struct membuf pdf = make_pdf(false);
    cups_fx_proxy_arm(&rig.cups, CUPS_FX_CUT_CREATE_JOB_REPLY);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    print_message("cut: %s\n", k->c.detail);
    assert_int_equal(cups_fx_proxy_cuts(&rig.cups), 1);
    assert_int_equal(k->c.err, BM_ERR_NO_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_SUSPEND);
    assert_non_null(strstr(k->c.detail, "Create-Job"));
    assert_true(cups_fx_job_shows(1, "job-incoming", 10000)); /* made, without a document */
    assert_true(fx_wait_status(dev, online_ok));
    k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(cups_fx_job_count(&rig.cups), 1); /* job 2 only */
    char *out = cups_fx_job(&rig.cups, 2, "pdf", NULL, 5000);
    assert_non_null(out);
    free(out);
}

static bool has_duplex(const struct bm_device_status *st)
{
    (void)st;
    struct bm_doc_caps caps;
    return bm_doc_printer_get_caps(rig.dev, &caps) == BM_OK && caps.duplex;
}

/* Duplex is asked for only where the printer has it: the raw queue prints one-sided whatever
 * the job says; a duplex printer gets sides=two-sided-long-edge, and one-sided when the job
 * does not ask. */
static void duplex_only_where_supported(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    struct bm_doc_caps caps;
    assert_int_equal(bm_doc_printer_get_caps(dev, &caps), BM_OK);
    assert_false(caps.duplex);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print_sides(&pdf, 1, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    char *args = cups_fx_job(&rig.cups, 1, "args", NULL, 5000);
    assert_non_null(args);
    assert_non_null(strstr(args, "sides=one-sided"));
    free(args);

    cups_fx_duplex_queue(&rig.cups);
    assert_true(fx_wait_status(dev, has_duplex)); /* the caps follow the printer */
    k = print_sides(&pdf, 1, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    args = cups_fx_job(&rig.cups, 2, "args", NULL, 5000);
    assert_non_null(args);
    print_message("duplex job: %s", args);
    assert_non_null(strstr(args, "sides=two-sided-long-edge"));
    free(args);
    size_t len = 0;
    char *out = cups_fx_job(&rig.cups, 2, "pdf", &len, 5000);
    assert_non_null(out);
    assert_int_equal(len, pdf.len); /* still the PDF as sent */
    assert_memory_equal(out, pdf.data, len);
    free(out);
    k = print_sides(&pdf, 1, false);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    args = cups_fx_job(&rig.cups, 3, "args", NULL, 5000);
    assert_non_null(args);
    assert_non_null(strstr(args, "sides=one-sided"));
    free(args);
}

/* Cancelled while cupsd is down: the cancel cannot reach it, and cupsd keeps the job across a
 * restart, so it would print later with nobody at the kiosk. The driver keeps the job id and
 * cancels it as soon as cupsd answers again. */
static void cancel_while_cupsd_down_is_retried(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_flag(&rig.cups, "slow", true);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(cups_fx_started(&rig.cups, 1, FX_WAIT_MS)); /* cupsd has it whole */
    /* and the driver follows it (killed before, Send-Document fails: another path) */
    assert_true(cups_fx_log_has(&rig.cups, "access_log", "Get-Job-Attributes", FX_WAIT_MS));
    cups_fx_kill(&rig.cups);
    assert_true(fx_wait_status(dev, server_gone));
    assert_int_equal(k->calls, 0);
    assert_int_equal(bm_device_cancel(dev, k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_CANCELLED);
    assert_non_null(strstr(k->c.detail, "cancelled")); /* not the failed poll's words after it */

    cups_fx_start(&rig.cups); /* the job is back, printing (slowly) */
    assert_true(fx_wait_status(dev, online_ok));
    assert_true(cups_fx_job_shows(1, "job-canceled", 15000));
    cups_fx_flag(&rig.cups, "slow", false);
    assert_true(cups_fx_queue_empty(10000));
    assert_int_equal(cups_fx_job_count(&rig.cups), 0); /* never printed */
}

/* A job purged from cupsd while the driver follows it: nobody knows whether it printed. Not the
 * queue missing, and not a wait until the job timeout. */
static void purged_job_is_outcome_unknown(void **state)
{
    (void)state;
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "job_timeout_ms", "30000"), BM_OK);
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    cups_fx_flag(&rig.cups, "slow", true);
    /* job 1 from lp keeps the printer busy, so the driver's job 2 waits, pending */
    assert_int_equal(cups_fx_sh("printf '%%%%PDF-1.4 lp' | lp -d %s >/dev/null", CUPS_FX_QUEUE), 0);
    assert_true(cups_fx_started(&rig.cups, 1, FX_WAIT_MS));
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    char text[2048];
    for (double t0 = now_ms(); now_ms() - t0 < FX_WAIT_MS; fx_pump(20)) { /* document in */
        cups_fx_job_text(2, text, sizeof text);
        if (text[0] && !strstr(text, "job-incoming"))
            break;
    }
    assert_true(text[0] && !strstr(text, "job-incoming"));
    assert_int_equal(cups_fx_sh("cancel -x -a %s", CUPS_FX_QUEUE), 0); /* Purge-Jobs */
    double t0 = now_ms();
    assert_true(fx_wait_cmd(k));
    print_message("purged: %s after %.0f ms\n", k->c.detail, now_ms() - t0);
    assert_int_equal(k->c.err, BM_ERR_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(k->c.detail, "outcome unknown"));
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_DOC_PRINTER, &st);
    assert_int_not_equal(st.device, BM_DEVICE_NO_DEVICE); /* the queue is there */
    cups_fx_flag(&rig.cups, "slow", false);
    assert_true(cups_fx_queue_empty(10000));
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
}

/* cupsd answers Create-Job with an error (here the queue allows only another user; cupsd takes
 * `deny:all` as an empty list, which denies nobody): a refusal a
 * technician must fix, not "cupsd unreachable, wait". */
static void create_job_refused(void **state)
{
    (void)state;
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, online_ok));
    assert_int_equal(cups_fx_sh("lpadmin -p %s -u allow:bm-nobody", CUPS_FX_QUEUE), 0);
    struct membuf pdf = make_pdf(false);
    struct fx_cmd *k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    print_message("refused: %s\n", k->c.detail);
    assert_int_equal(k->c.err, BM_ERR_CONFIG);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(k->c.detail, "Create-Job"));
    assert_int_equal(errors_with(BM_FIX_SUSPEND), 0); /* never reported as unreachable */
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_DOC_PRINTER, &st);
    assert_false(server_gone(&st));

    assert_int_equal(cups_fx_sh("lpadmin -p %s -u allow:all", CUPS_FX_QUEUE), 0);
    k = print(&pdf, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(cups_fx_job_count(&rig.cups), 1);
}

static void queue_missing_is_no_device(void **state)
{
    (void)state;
    assert_int_equal(bm_config_set(rig.f->cfg, "doc_printer", "queue", "no-such-queue"), BM_OK);
    struct bm_device *dev = open_printer();
    assert_true(fx_wait_status(dev, queue_missing));
}

static void not_a_pdf(void **state)
{
    (void)state;
    open_printer();
    struct membuf junk = {.data = (unsigned char *)strdup("hello, not a PDF"), .len = 16};
    rig.pdf = junk.data;
    struct fx_cmd *k = print(&junk, 1);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_PARSE);
    assert_int_equal(cups_fx_job_count(&rig.cups), 0);
    assert_true(cups_fx_queue_empty(0));
}

/*
 * cairo 1.16's PDF surface leaks one 768-byte array per surface (a standalone program with
 * one empty page shows it), outside our code: LeakSanitizer is told to ignore leaks from
 * inside libcairo in this program only. Used only under the sanitizers.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libcairo.so\n";
}

int main(void)
{
    fx_global_init();
#define T(fn) cmocka_unit_test_setup_teardown(fn, rig_setup, rig_teardown)
    /* clang-format off: one test a line */
    const struct CMUnitTest tests[] = {
        T(prints_pdf_with_cjk_text),
        T(prints_the_rendered_certificate),
        T(copies_and_progress),
        T(paper_out_then_loaded),
        T(paper_out_times_out),
        T(stopped_and_rejecting_while_idle),
        T(backend_stops_queue),
        T(cancel_cancels_the_cups_job),
        T(cupsd_gone_and_back),
        T(cancel_while_cupsd_down_is_retried),
        T(purged_job_is_outcome_unknown),
        T(create_job_refused),
        T(duplex_only_where_supported),
        T(send_document_cut_midway),
        T(create_job_reply_lost),
        T(queue_missing_is_no_device),
        T(not_a_pdf),
    };
    /* clang-format on */
    if (getenv("BM_CUPS_ONLY")) /* a name pattern (cmocka's * and ?): run only those tests */
        cmocka_set_test_filter(getenv("BM_CUPS_ONLY"));
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fx_global_fini();
    /* cairo's toy font face keeps fontconfig patterns cached for the life of the process;
     * release them so LeakSanitizer sees only real leaks. */
    bm_doc_render_release(); /* pango's font map, cairo's and fontconfig's caches */
    return rc;
}
