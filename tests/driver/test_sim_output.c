/*
 * test_sim_output.c - what the sim devices produce: receipt PNGs that read back with the dots
 * we sent, PDF documents written as given (and non-PDFs refused), jobs that run out of paper
 * midway failing without output, scanner images of the right size and content, and the test
 * identities (check digits, ages, expiry against the injected clock). Main thread.
 */
#include "fixture.h"

#include "core/secbuf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <string.h>

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

static void test_receipt_png(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_RECEIPT_PRINTER);
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(dev, &caps), BM_OK);
    assert_true(caps.width_dots == 576 || caps.width_dots == 384);
    unsigned w = caps.width_dots, h = 240, stride = (w + 7) / 8 + 3; /* padded stride on purpose */
    unsigned char *bits = calloc(h, stride);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            if (dot(x, y, w, h))
                bits[y * stride + x / 8] |= (unsigned char)(0x80u >> (x % 8));
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
                fail_msg("pixel %u,%u is %06x", x, y, (unsigned)rgb);
        }
    }
    cairo_surface_destroy(png);

    /* A raster of the wrong width is refused by the driver. */
    unsigned char small[72 * 4] = {0};
    struct bm_receipt_job bad = {.raster = {384 == w ? 576 : 384, 4, 72, small}};
    k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_print(dev, &bad, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_INVALID_ARG);
    bm_device_close(dev);
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
