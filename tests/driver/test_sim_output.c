/*
 * test_sim_output.c - what the sim devices produce: receipt PNGs that read back with the dots
 * we sent, PDF documents written as given (and non-PDFs refused), jobs that run out of paper
 * midway failing without output, scanner images of the right size and content, and the test
 * identities (check digits, ages, expiry against the injected clock). Receipts and the session:
 * a session ending (forget_last, then the secure-buffer wipe) while a receipt prints leaves it
 * whole on paper and kept nowhere; reprint, forget_last and the session generation rule.
 * Main thread.
 */
#include "fixture.h"

#include "core/secbuf.h"
#include "drivers/driver.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int setup(void **state)
{
    *state = fx_setup();
    return 0;
}

static int teardown(void **state)
{
    fx_teardown(*state);
    return 0;
}

/* A recognisable pattern: a frame, a diagonal, and a block of stripes. */
static int dot(unsigned x, unsigned y, unsigned w, unsigned h)
{
    if (x == 0 || y == 0 || x == w - 1 || y == h - 1)
        return 1;
    if (x == y)
        return 1;
    return x >= 100 && x < 300 && y >= 50 && y < 150 && (x / 3) % 2 == 0;
}

/* The pattern as a raster of the given stride (malloc'd). */
static unsigned char *pattern(unsigned w, unsigned h, unsigned stride)
{
    unsigned char *bits = calloc(h, stride);
    assert_non_null(bits);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            if (dot(x, y, w, h))
                bits[y * stride + x / 8] |= (unsigned char)(0x80u >> (x % 8));
    return bits;
}

/* The PNG the sim wrote is the pattern, dot for dot (black where a dot is, white elsewhere). */
static void assert_png_is_pattern(const char *path, unsigned w, unsigned h)
{
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(png), (int)w);
    assert_int_equal(cairo_image_surface_get_height(png), (int)h);
    const unsigned char *data = cairo_image_surface_get_data(png);
    int cstride = cairo_image_surface_get_stride(png);
    assert_int_equal(cairo_image_surface_get_format(png), CAIRO_FORMAT_RGB24);
    for (unsigned y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)y * (size_t)cstride);
        for (unsigned x = 0; x < w; x++) {
            uint32_t rgb = row[x] & 0xffffff;
            if (dot(x, y, w, h) ? rgb != 0 : rgb != 0xffffff)
                fail_msg("%s: pixel %u,%u is %06x", path, x, y, (unsigned)rgb);
        }
    }
    cairo_surface_destroy(png);
}

static void test_receipt_png(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_RECEIPT_PRINTER);
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(dev, &caps), BM_OK);
    assert_true(caps.width_dots == 576 || caps.width_dots == 384);
    unsigned w = caps.width_dots, h = 240, stride = (w + 7) / 8 + 3; /* padded stride on purpose */
    unsigned char *bits = pattern(w, h, stride);
    struct bm_receipt_job job = {.raster = {w, h, stride, bits}, .feed_dots = 80, .cut = true};
    struct fx_cmd *k = fx_cmd(f);
    int from = f->n_events;
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    free(bits); /* copied by the print call */
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);

    /* Progress: a few events for this job, growing, ending at the whole job. */
    int progress = 0;
    uint64_t last = 0, total = 0;
    for (int i = from; i < f->n_events; i++) {
        const struct bm_device_event *ev = f->events[i];
        if (ev->kind != BM_EVENT_PROGRESS)
            continue;
        assert_int_equal(ev->cmd_id, k->id);
        assert_true(ev->done > last && ev->done <= ev->total);
        last = ev->done;
        total = ev->total;
        progress++;
    }
    assert_true(progress >= 2 && progress <= 10);
    assert_int_equal(last, total);

    char path[4096];
    assert_int_equal(bm_sim_last_output(dev, path, sizeof path), BM_OK);
    assert_non_null(strstr(path, f->out_dir));
    assert_non_null(strstr(path, "receipt-0001-20260615-"));
    assert_png_is_pattern(path, w, h);

    /* A raster of the wrong width is refused by the driver. */
    unsigned char small[72 * 4] = {0};
    struct bm_receipt_job bad = {.raster = {384 == w ? 576 : 384, 4, 72, small}};
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_print(dev, &bad, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_INVALID_ARG);
    bm_device_close(dev);
}

/*
 * Holds a receipt job in the middle of printing. The sim serves posted actions between the
 * bands it prints (bm_device_wait in sim_step), so an action that posts itself again runs once
 * as the next command starts and once per band after; the hold_at-th time it runs during a
 * command, it stays (on the device's worker, so the job waits) until the test releases it.
 * Posted before the job is submitted, it cannot miss the job however fast the job runs.
 */
struct hold {
    int hold_at;
    atomic_int runs;
    atomic_bool held, release;
};

static void nap_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void hold_action(struct bm_device *dev, void *arg)
{
    struct hold *h = arg;
    if (bm_device_running(dev) == 0) {
        nap_ms(1); /* idle: the job is not submitted yet */
    } else if (atomic_fetch_add(&h->runs, 1) + 1 == h->hold_at) {
        atomic_store(&h->held, true);
        while (!atomic_load(&h->release))
            nap_ms(1);
        return;
    }
    bm_device_post_action(dev, hold_action, h, NULL);
}

/* Runs the loop until the worker is held (or FX_WAIT_MS). */
static bool wait_held(struct hold *h)
{
    for (int tries = 0; tries < FX_WAIT_MS / 10 && !atomic_load(&h->held); tries++)
        fx_pump(10);
    return atomic_load(&h->held);
}

/*
 * The resident walks away while their receipt prints: the flow ends the session
 * (bm_receipt_printer_forget_last, then bm_secbuf_wipe_all) with the job half printed. The
 * receipt must still come out whole -- not blank paper reported as printed -- and must not be
 * kept for a reprint, and once it is out no secure buffer of it is left.
 */
static void test_receipt_session_ends_mid_print(void **state)
{
    struct fx *f = *state;
    bm_receipt_printer_forget_last(); /* nothing kept from an earlier test */
    size_t live = bm_secbuf_live_count(), jobs = bm_secbuf_job_count();
    struct bm_device *dev = fx_open(f, BM_CLASS_RECEIPT_PRINTER);
    unsigned w = 576, h = 240, stride = 72;
    unsigned char *bits = pattern(w, h, stride);
    assert_true(dot(0, 0, w, h)); /* the pattern's corner is black: a blank receipt is not it */
    struct bm_receipt_job job = {.raster = {w, h, stride, bits}, .feed_dots = 80, .cut = true};
    /* 40 mm in 3 mm bands: held at the 4th look, 6 mm or more are on paper. (Static: should
     * the test fail while the worker is held, the action must not read a dead stack frame.) */
    static struct hold hold;
    hold = (struct hold){.hold_at = 4};
    assert_int_equal(bm_device_post_action(dev, hold_action, &hold, NULL), BM_OK);
    struct fx_cmd *k = fx_cmd(f);
    int mark = f->n_events;
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    free(bits);
    assert_true(wait_held(&hold));
    int e = fx_wait_event(f, mark, BM_EVENT_PROGRESS);
    assert_true(e >= 0);
    assert_int_equal(f->events[e]->cmd_id, k->id);
    assert_true(f->events[e]->done > 0 && f->events[e]->done < f->events[e]->total);
    assert_int_equal(bm_device_running(dev), k->id);
    assert_int_equal(k->calls, 0);

    /* The session ends, as the flow ends it. */
    bm_receipt_printer_forget_last();
    bm_secbuf_wipe_all();
    size_t jobs_after_wipe = bm_secbuf_job_count();
    atomic_store(&hold.release, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);

    char path[4096];
    assert_int_equal(bm_sim_last_output(dev, path, sizeof path), BM_OK);
    assert_png_is_pattern(path, w, h);           /* whole: every dot, the corner first */
    assert_int_equal(jobs_after_wipe, jobs + 1); /* the raster was a job buffer, spared */

    /* Not kept: the session that printed it is over. */
    struct fx_cmd *r = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_reprint(dev, fx_done, r, &r->id), BM_ERR_NOT_FOUND);
    assert_int_equal(bm_secbuf_live_count(), live);
    assert_int_equal(bm_secbuf_job_count(), jobs);
    bm_device_close(dev);
    assert_int_equal(bm_secbuf_live_count(), live);
}

/*
 * Reprint prints the kept copy, which is a secure buffer while kept; forget_last frees it; and
 * a receipt submitted before forget_last that completes after it is not kept, while one of the
 * next session is.
 */
static void test_receipt_reprint_and_forget(void **state)
{
    struct fx *f = *state;
    bm_receipt_printer_forget_last();
    size_t live = bm_secbuf_live_count();
    struct bm_device *dev = fx_open(f, BM_CLASS_RECEIPT_PRINTER);
    unsigned w = 576, h = 240, stride = 80;
    unsigned char *bits = pattern(w, h, stride);
    struct bm_receipt_job job = {.raster = {w, h, stride, bits}, .feed_dots = 16};
    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_reprint(dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);

    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    char first[4096], again[4096];
    assert_int_equal(bm_sim_last_output(dev, first, sizeof first), BM_OK);
    /* The kept copy is personal data in a secure buffer, and the only one left. */
    assert_int_equal(bm_secbuf_live_count(), live + 1);

    memset(bits, 0, (size_t)stride * h); /* the caller's raster is not what is reprinted */
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_reprint(dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(bm_sim_last_output(dev, again, sizeof again), BM_OK);
    assert_string_not_equal(again, first);
    assert_png_is_pattern(again, w, h);
    assert_int_equal(bm_secbuf_live_count(), live + 1); /* the reprint replaced the copy */
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_reprint(NULL, fx_done, k, &k->id), BM_ERR_NOT_FOUND);

    bm_receipt_printer_forget_last();
    assert_int_equal(bm_secbuf_live_count(), live);
    assert_int_equal(bm_receipt_printer_reprint(dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);

    /* Submitted in one session, completed (as the main thread learns it) in the next. */
    free(bits);
    bits = pattern(w, h, stride);
    job.raster.bits = bits;
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    bm_receipt_printer_forget_last(); /* no loop turn in between: it cannot have completed */
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(bm_sim_last_output(dev, again, sizeof again), BM_OK);
    assert_png_is_pattern(again, w, h);
    assert_int_equal(bm_secbuf_live_count(), live);
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_reprint(dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);

    /* The next session's receipt is kept again. */
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(bm_secbuf_live_count(), live + 1);
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_reprint(dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    free(bits);
    bm_device_close(dev);
    bm_receipt_printer_forget_last();
    assert_int_equal(bm_secbuf_live_count(), live);
}

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

/* A PDF of `pages` A4 pages, made with cairo-pdf. */
static struct membuf make_pdf(int pages)
{
    struct membuf m = {0};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_mem, &m, 595, 842);
    cairo_t *cr = cairo_create(s);
    for (int i = 0; i < pages; i++) {
        cairo_rectangle(cr, 50, 50, 200, 100);
        cairo_fill(cr);
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    return m;
}

static void test_doc_pdf(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_DOC_PRINTER);
    struct membuf pdf = make_pdf(2);
    assert_true(pdf.len > 100);
    struct bm_doc_job job = {.pdf = pdf.data, .len = pdf.len, .copies = 2, .title = "test"};
    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_doc_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    char path[4096];
    assert_int_equal(bm_sim_last_output(dev, path, sizeof path), BM_OK);
    assert_non_null(strstr(path, ".pdf"));
    size_t len = 0;
    char *written = bm_test_read_file(path, &len);
    assert_non_null(written);
    assert_int_equal(len, pdf.len);
    assert_memory_equal(written, "%PDF-", 5);
    assert_memory_equal(written, pdf.data, len);
    free(written);

    /* Not a PDF: refused, nothing written. */
    static const char not_pdf[] = "hello, this is not a PDF";
    struct bm_doc_job bad = {.pdf = not_pdf, .len = sizeof not_pdf, .copies = 1};
    k = fx_cmd(f);
    assert_int_equal(bm_doc_printer_print(dev, &bad, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_PARSE);
    char again[4096];
    assert_int_equal(bm_sim_last_output(dev, again, sizeof again), BM_OK);
    assert_string_equal(again, path);

    /* Two pages x 2 copies need 4 sheets; with 3 the job runs out midway and fails. */
    assert_int_equal(bm_sim_printer_set_paper(dev, 3), BM_OK);
    int mark = f->n_events;
    k = fx_cmd(f);
    assert_int_equal(bm_doc_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR);
    assert_non_null(strstr(k->c.detail, "ran out"));
    int e = fx_wait_event(f, mark, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(f->events[e]->status.doc.paper, BM_PAPER_OUT);
    assert_false(f->events[e]->status.doc.accepting_jobs);
    assert_int_equal(bm_sim_last_output(dev, again, sizeof again), BM_OK);
    assert_string_equal(again, path);
    free(pdf.data);
    bm_device_close(dev);
}

static void test_receipt_runs_out(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_RECEIPT_PRINTER);
    /* 10 mm of paper left; the receipt needs 50 mm (400 dots at 8 dots/mm). */
    assert_int_equal(bm_sim_printer_set_paper(dev, 10), BM_OK);
    unsigned char *bits = calloc(400, 72);
    struct bm_receipt_job job = {.raster = {576, 400, 72, bits}};
    int mark = f->n_events;
    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    free(bits);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR);
    assert_non_null(strstr(k->c.detail, "ran out after 10 of 50 mm"));
    int e = fx_wait_event(f, mark, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(f->events[e]->fix, BM_FIX_CLEAR);
    assert_int_equal(f->events[e]->status.receipt.paper, BM_PAPER_OUT);
    char path[4096];
    assert_int_equal(bm_sim_last_output(dev, path, sizeof path), BM_OK);
    assert_string_equal(path, ""); /* nothing was printed */
    bm_device_close(dev);
}

static void test_scanner_image(void **state)
{
    struct fx *f = *state;
    size_t live = bm_secbuf_live_count();
    struct bm_device *dev = fx_open(f, BM_CLASS_SCANNER);
    struct bm_scan_params p = {.dpi = 100, .mode = BM_SCAN_GREY, .source = BM_SCAN_FLATBED};

    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_scanner_scan(dev, &p, fx_done_image, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);

    int mark = f->n_events;
    assert_int_equal(bm_sim_page_place(dev, NULL), BM_OK);
    assert_true(fx_wait_event(f, mark, BM_EVENT_MEDIA_INSERTED) >= 0);
    k = fx_cmd(f);
    assert_int_equal(bm_scanner_scan(dev, &p, fx_done_image, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct bm_scan_image *img = k->result;
    k->result = NULL;
    assert_int_equal(img->width, 827);   /* 210 mm at 100 dpi */
    assert_int_equal(img->height, 1169); /* 297 mm */
    assert_int_equal(img->format, BM_PIXEL_GREY8);
    assert_int_equal(img->stride, 827);
    assert_int_equal(bm_secbuf_len(img->pixels), (size_t)827 * 1169);
    const unsigned char *px = bm_secbuf_cdata(img->pixels);
    /* The black block at 25..65 x 160..200 mm, and the grey page around it. */
    assert_true(px[(size_t)(180 * 100 / 25.4) * img->stride + (size_t)(45 * 100 / 25.4)] < 20);
    unsigned bg = px[(size_t)(250 * 100 / 25.4) * img->stride + (size_t)(100 * 100 / 25.4)];
    assert_true(bg > 220 && bg < 250);
    bm_scan_image_free(img);

    /* Colour, an area, from a PNG of our own: a red page. */
    const char *png = bm_test_write_file(f->out_dir, "red.png", "");
    cairo_surface_t *red = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 210, 297);
    cairo_t *cr = cairo_create(red);
    cairo_set_source_rgb(cr, 1, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    assert_int_equal(cairo_surface_write_to_png(red, png), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(red);
    assert_int_equal(bm_sim_page_place(dev, png), BM_OK);
    struct bm_scan_params area = {.dpi = 150,
                                  .mode = BM_SCAN_COLOUR,
                                  .x_mm = 10,
                                  .y_mm = 20,
                                  .width_mm = 50,
                                  .height_mm = 30};
    k = fx_cmd(f);
    assert_int_equal(bm_scanner_scan(dev, &area, fx_done_image, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    img = k->result;
    k->result = NULL;
    assert_int_equal(img->width, 295);
    assert_int_equal(img->height, 177);
    assert_int_equal(img->format, BM_PIXEL_RGB24);
    px = bm_secbuf_cdata(img->pixels) + (size_t)88 * img->stride + 147 * 3;
    assert_true(px[0] > 240 && px[1] < 15 && px[2] < 15);
    bm_scan_image_free(img);

    /* Unsupported resolution. */
    struct bm_scan_params odd = {.dpi = 123};
    k = fx_cmd(f);
    assert_int_equal(bm_scanner_scan(dev, &odd, fx_done_image, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_UNSUPPORTED);

    mark = f->n_events;
    assert_int_equal(bm_sim_page_remove(dev), BM_OK);
    assert_true(fx_wait_event(f, mark, BM_EVENT_MEDIA_REMOVED) >= 0);
    bm_device_close(dev);
    assert_int_equal(bm_secbuf_live_count(), live);
}

static void test_identities(void **state)
{
    struct fx *f = *state;
    size_t live = bm_secbuf_live_count();
    time_t now = bm_clock_wall(&f->clock);
    for (int c = 0; c < BM_SIM_CARD_COUNT; c++) {
        struct bm_identity *id = bm_sim_card_identity((enum bm_sim_card)c, now);
        assert_non_null(id);
        const char *number = bm_secbuf_str(id->id_number);
        assert_int_equal(strlen(number), 18);
        assert_true(bm_id_number_valid(number));
        assert_int_equal(bm_secbuf_len(id->photo_wlt), BM_ID_PHOTO_WLT_SIZE);
        assert_non_null(id->name);
        int age = bm_identity_age(id, now);
        switch ((enum bm_sim_card)c) {
        case BM_SIM_CARD_ADULT:
            assert_int_equal(id->type, BM_ID_CARD_RESIDENT);
            assert_int_equal(age, 34);
            assert_false(bm_identity_expired(id, now));
            break;
        case BM_SIM_CARD_ELDERLY:
            assert_true(age >= 65);
            assert_false(bm_identity_expired(id, now));
            /* Still 65+ and valid ten years from now: dates follow the clock. */
            bm_identity_free(id);
            id = bm_sim_card_identity(BM_SIM_CARD_ELDERLY, now + 10 * 365 * 24 * 3600L);
            assert_true(bm_identity_age(id, now + 10 * 365 * 24 * 3600L) >= 65);
            break;
        case BM_SIM_CARD_EXPIRED:
            assert_true(bm_identity_expired(id, now));
            break;
        case BM_SIM_CARD_FOREIGN:
            assert_int_equal(id->type, BM_ID_CARD_FOREIGN_PERMANENT_Y);
            assert_non_null(id->name_en);
            assert_int_equal(number[0], '9');
            assert_false(bm_identity_expired(id, now));
            break;
        case BM_SIM_CARD_HMT:
            assert_int_equal(id->type, BM_ID_CARD_HMT_RESIDENCE);
            assert_memory_equal(number, "810000", 6);
            break;
        case BM_SIM_CARD_COUNT:
            break;
        }
        bm_identity_free(id);
    }
    /* The check digit itself (GB 11643 example). */
    assert_int_equal(bm_id_check_digit("11010519491231002"), 'X');
    assert_true(bm_id_number_valid("11010519491231002X"));
    assert_false(bm_id_number_valid("110105194912310021"));
    assert_false(bm_id_number_valid("1101051949123100"));
    assert_int_equal(bm_secbuf_live_count(), live);
}

int main(void)
{
    fx_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_receipt_png, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_pdf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_runs_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_session_ends_mid_print, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_reprint_and_forget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scanner_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identities, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fx_global_fini();
    /* The test page's toy font face keeps fontconfig patterns in cairo's caches for the life
     * of the process; release them so LeakSanitizer sees only real leaks. */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
