/*
 * test_receipt_print.c - the whole receipt path, end to end: the sample receipt laid out and
 * rendered by the document renderer (app/services), printed by the escpos-usb driver through
 * real libusb to the emulated printer (escpos_model.c, its own ESC/POS parser), and what the
 * printer put on paper read back: it must be the rendered raster dot for dot, and its QR code
 * and barcode must decode with ZBar to the tracking URL and the application number. At 80 mm
 * (576 dots) and 58 mm (384 dots). The bytes on the wire per receipt are printed for the notes.
 *
 * Main thread; the program re-executes itself under the umockdev preload (usb_fake_init).
 */
#include "escpos_model.h"
#include "escpos_usb_model.h"
#include "fixture.h"
#include "usb_fake.h"

#include "services/document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

/* The first symbol of this type ZBar finds in a 1-bit bitmap (MSB-first rows), or NULL. */
static char *decode(const uint8_t *bits, unsigned w, unsigned h, unsigned stride,
                    zbar_symbol_type_t type)
{
    unsigned char *grey = malloc((size_t)w * h);
    assert_non_null(grey);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            grey[(size_t)y * w + x] =
                (bits[(size_t)y * stride + x / 8] >> (7 - x % 8)) & 1 ? 0 : 255;
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, type, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, w, h);
    zbar_image_set_data(img, grey, (unsigned long)w * h, zbar_image_free_data);
    char *found = NULL;
    if (zbar_scan_image(sc, img) > 0) {
        const zbar_symbol_t *s = zbar_image_first_symbol(img);
        if (s && zbar_symbol_get_type(s) == type)
            found = strdup(zbar_symbol_get_data(s));
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    return found;
}

static void print_receipt_at(unsigned width)
{
    struct fx *f = fx_setup();
    char v[16], counters[4200];
    snprintf(v, sizeof v, "%u", width);
    snprintf(counters, sizeof counters, "%s/counters", f->out_dir);
    assert_int_equal(bm_config_set(f->cfg, "devices", "receipt_printer", "escpos-usb"), BM_OK);
    assert_int_equal(bm_config_set(f->cfg, "receipt_printer", "width_dots", v), BM_OK);
    assert_int_equal(bm_config_set(f->cfg, "receipt_printer", "status_poll_ms", "60000"), BM_OK);
    assert_int_equal(bm_config_set(f->cfg, "receipt_printer", "counters_file", counters), BM_OK);
    struct escpos_model *model = escpos_model_new();
    struct escpos_usb_model *usb = escpos_usb_model_new(model, ESCPOS_USB_BIDIR, NULL);
    struct bm_device *dev = fx_open_clock(f, BM_CLASS_RECEIPT_PRINTER, NULL);
    assert_non_null(dev);

    /* Render for the printer's width, as the flow does. */
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(dev, &caps), BM_OK);
    assert_int_equal(caps.width_dots, width);
    const struct bm_receipt_fields *fields = bm_doc_receipt_sample(false);
    struct bm_document *doc;
    assert_int_equal(bm_doc_receipt_build(fields, &doc), BM_OK);
    struct bm_doc_raster r;
    assert_int_equal(bm_doc_render_raster(doc, caps.width_dots, caps.max_height, &r), BM_OK);
    bm_doc_destroy(doc);

    struct fx_cmd *k = fx_cmd(f);
    struct bm_receipt_job job = {.raster = r.raster, .feed_dots = 80, .cut = true};
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);

    /* What came out on paper is the rendered receipt, dot for dot. */
    unsigned w, h;
    uint8_t *paper = escpos_model_take_bitmap(model, &w, &h);
    assert_non_null(paper);
    assert_int_equal(w, r.raster.width);
    assert_int_equal(h, r.raster.height);
    size_t row = (w + 7) / 8;
    for (unsigned y = 0; y < h; y++)
        if (memcmp(paper + (size_t)y * row, r.raster.bits + (size_t)y * r.raster.stride, row))
            fail_msg("printed row %u differs from the rendered receipt", y);

    /* And a phone (ZBar) reads what the resident needs from the paper. */
    char *qr = decode(paper, w, h, (unsigned)row, ZBAR_QRCODE);
    assert_non_null(qr);
    assert_string_equal(qr, fields->tracking_url);
    char *bar = decode(paper, w, h, (unsigned)row, ZBAR_CODE128);
    assert_non_null(bar);
    assert_string_equal(bar, fields->tracking_id);

    struct escpos_model_counts n;
    escpos_model_counts(model, &n);
    assert_int_equal(n.unknown, 0);
    assert_int_equal(n.cuts, 1);
    print_message("receipt %ux%u dots: %llu bytes to the printer (raster %zu)\n", w, h,
                  (unsigned long long)n.bytes, row * h);

    free(qr);
    free(bar);
    free(paper);
    bm_doc_raster_free(&r);
    bm_device_close(dev);
    bm_receipt_printer_forget_last();
    escpos_usb_model_free(usb);
    escpos_model_free(model);
    fx_teardown(f);
}

static void receipt_80mm(void **state)
{
    (void)state;
    print_receipt_at(576);
}

static void receipt_58mm(void **state)
{
    (void)state;
    print_receipt_at(384);
}

int main(int argc, char **argv)
{
    (void)argc;
    usb_fake_init(argv);
    fx_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(receipt_80mm),
        cmocka_unit_test(receipt_58mm),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bm_doc_render_release();
    fx_global_fini();
    return rc;
}
