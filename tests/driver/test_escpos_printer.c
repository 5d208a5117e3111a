/*
 * test_escpos_printer.c - the ESC/POS receipt printer driver (escpos-usb) against an emulated
 * printer (escpos_model.c, its own ESC/POS parser) behind a fake USB device on umockdev: the
 * production libusb code runs unchanged. What the model decodes is compared bit for bit with
 * committed reference PBMs (tests/driver/ref); on a mismatch the actual bitmap and a diff (XOR)
 * are written next to the sim output and the first differing dot is named.
 *
 * Scenarios: printing (printer class bidirectional, unidirectional with GET_PORT_STATUS, a
 * vendor-class printer found by VID:PID), bands, progress events, device IDs good and bad,
 * every status (paper near end, out at start and mid-job, cover open, cutter error,
 * unrecoverable, silence, unplug mid-job and replug), faults reported once, a printer that
 * buffers (done only once printed, paper out in the buffered tail, with and without the paper
 * sensor, an unanswered GS r 1), reset, a printer found by hotplug alone, counters across
 * close/open, read while a save hangs, and a corrupt counters file, reprint and forget.
 *
 * Under the sanitizers the emulated bus is slow: the idle poll is long (60 s) unless a test
 * needs it, so the round trips are the ones each test causes; tests count commands and rows,
 * and wait on conditions with generous hang guards rather than timing anything.
 * The program re-executes itself under the umockdev preload (usb_fake_init).
 */
#include "escpos_model.h"
#include "escpos_usb_model.h"
#include "fixture.h"
#include "usb_fake.h"

#include "drivers/escpos/escpos.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rig {
    struct fx *f;
    struct escpos_model *model;
    struct escpos_usb_model *usb;
    struct bm_device *dev;
    char counters[4200];
};

static struct rig rig;

static void configure(struct fx *f, unsigned width, unsigned band_rows, unsigned poll_ms)
{
    struct bm_config *c = f->cfg;
    char v[32];
    assert_int_equal(bm_config_set(c, "devices", "receipt_printer", "escpos-usb"), BM_OK);
    snprintf(v, sizeof v, "%u", width);
    assert_int_equal(bm_config_set(c, "receipt_printer", "width_dots", v), BM_OK);
    snprintf(v, sizeof v, "%u", band_rows);
    assert_int_equal(bm_config_set(c, "receipt_printer", "band_rows", v), BM_OK);
    snprintf(v, sizeof v, "%u", poll_ms);
    assert_int_equal(bm_config_set(c, "receipt_printer", "status_poll_ms", v), BM_OK);
    assert_int_equal(bm_config_set(c, "receipt_printer", "timeout_ms", "3000"), BM_OK);
    assert_int_equal(bm_config_set(c, "receipt_printer", "reopen_ms", "100"), BM_OK);
    assert_int_equal(bm_config_set(c, "receipt_printer", "roll_length_mm", "10000"), BM_OK);
    snprintf(rig.counters, sizeof rig.counters, "%s/counters", f->out_dir);
    assert_int_equal(bm_config_set(c, "receipt_printer", "counters_file", rig.counters), BM_OK);
}

static struct rig *rig_open(enum escpos_usb_kind kind, unsigned width, unsigned band_rows,
                            unsigned poll_ms)
{
    memset(&rig, 0, sizeof rig);
    rig.f = fx_setup();
    configure(rig.f, width, band_rows, poll_ms);
    rig.model = escpos_model_new();
    rig.usb = escpos_usb_model_new(rig.model, kind, NULL);
    return &rig;
}

static void rig_start(struct rig *r)
{
    r->dev = fx_open_clock(r->f, BM_CLASS_RECEIPT_PRINTER, NULL);
    assert_non_null(r->dev);
}

static int rig_teardown(void **state)
{
    (void)state;
    bm_device_close(rig.dev);
    rig.dev = NULL;
    bm_receipt_printer_forget_last();
    escpos_usb_model_free(rig.usb);
    rig.usb = NULL;
    escpos_model_free(rig.model);
    rig.model = NULL;
    struct fx *f = rig.f;
    rig.f = NULL;
    if (f)
        fx_teardown(f);
    return 0;
}

/* ---- rasters and reference bitmaps ---- */

struct image {
    unsigned w, h, stride;
    uint8_t *bits;
};

static void set_dot(struct image *im, unsigned x, unsigned y)
{
    if (x < im->w && y < im->h)
        im->bits[(size_t)y * im->stride + x / 8] |= (uint8_t)(0x80 >> (x % 8));
}

/* A test pattern: a 2-dot frame, both diagonals, an 8x8 checkerboard block, bars across the
 * band boundaries (rows 254-256, 509-511), pseudo-random "text" dots, and a ramp of widths. */
static struct image pattern(unsigned w, unsigned h, unsigned stride)
{
    struct image im = {w, h, stride, calloc((size_t)stride * h, 1)};
    assert_non_null(im.bits);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            bool on = x < 2 || y < 2 || x >= w - 2 || y >= h - 2;
            on |= x * h / w == y || (w - 1 - x) * h / w == y;
            on |= x >= 16 && x < 144 && y >= 16 && y < 144 && ((x / 8) ^ (y / 8)) & 1;
            on |= (y >= 254 && y <= 256) || (y >= 509 && y <= 511);
            on |= y >= 300 && y < 360 && x >= 20 && x < 20 + (y - 300) * 8;
            if (y >= 400 && y < 460 && x >= 200 && x < w - 20) {
                uint32_t s = (x * 2654435761u) ^ (y * 40503u);
                on |= (s >> 13) % 3 == 0;
            }
            if (on)
                set_dot(&im, x, y);
        }
    /* junk in the stride padding must not reach the paper */
    for (unsigned y = 0; y < h; y++)
        for (unsigned b = (w + 7) / 8; b < stride; b++)
            im.bits[(size_t)y * stride + b] = 0xA5;
    return im;
}

static void write_pbm(const char *path, const uint8_t *bits, unsigned w, unsigned h,
                      unsigned stride)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fprintf(fp, "P4\n%u %u\n", w, h);
    for (unsigned y = 0; y < h; y++)
        fwrite(bits + (size_t)y * stride, 1, (w + 7) / 8, fp);
    fclose(fp);
}

static uint8_t *read_pbm(const char *path, unsigned *w, unsigned *h)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    uint8_t *bits = NULL;
    if (fscanf(fp, "P4 %u %u", w, h) == 2 && fgetc(fp) != EOF && *w && *h < 100000) {
        size_t n = (size_t)(*w + 7) / 8 * *h;
        bits = malloc(n);
        if (bits && fread(bits, 1, n, fp) != n) {
            free(bits);
            bits = NULL;
        }
    }
    fclose(fp);
    return bits;
}

/* The model's paper against ref/<name>.pbm, bit for bit. ESCPOS_WRITE_REF=1 writes the
 * reference from the test's own input raster (the pattern, not the driver's output). */
static void compare_with_ref(struct rig *r, const char *name, const struct image *input)
{
    char ref[4200], actual[4200], diff[4200];
    snprintf(ref, sizeof ref, "%s/%s.pbm", ESCPOS_REF_DIR, name);
    if (getenv("ESCPOS_WRITE_REF"))
        write_pbm(ref, input->bits, input->w, input->h, input->stride);
    unsigned w, h, rw = 0, rh = 0;
    uint8_t *got = escpos_model_take_bitmap(r->model, &w, &h);
    uint8_t *want = read_pbm(ref, &rw, &rh);
    assert_non_null(want);
    assert_non_null(got);
    unsigned stride = (w + 7) / 8;
    long first = -1;
    if (w == rw && h == rh)
        for (size_t i = 0; i < (size_t)stride * h && first < 0; i++)
            if (got[i] != want[i])
                first = (long)i;
    if (w != rw || h != rh || first >= 0) {
        snprintf(actual, sizeof actual, "%s/%s.actual.pbm", r->f->out_dir, name);
        write_pbm(actual, got, w, h, stride);
        if (w == rw && h == rh) {
            for (size_t i = 0; i < (size_t)stride * h; i++)
                got[i] ^= want[i];
            snprintf(diff, sizeof diff, "%s/%s.diff.pbm", r->f->out_dir, name);
            write_pbm(diff, got, w, h, stride);
            fprintf(stderr, "%s: first difference at row %ld, dots %ld-%ld; see %s and %s\n", name,
                    first / stride, first % stride * 8, first % stride * 8 + 7, actual, diff);
        } else {
            fprintf(stderr, "%s: printed %ux%u, reference %ux%u; see %s\n", name, w, h, rw, rh,
                    actual);
        }
        fail_msg("%s differs from its reference", name);
    }
    free(got);
    free(want);
}

/* ---- helpers ---- */

static struct fx_cmd *print(struct rig *r, const struct image *im, unsigned feed, bool cut)
{
    struct bm_receipt_job job = {
        .raster = {.width = im->w, .height = im->h, .stride = im->stride, .bits = im->bits},
        .feed_dots = feed,
        .cut = cut};
    struct fx_cmd *k = fx_cmd(r->f);
    assert_int_equal(bm_receipt_printer_print(r->dev, &job, fx_done, k, &k->id), BM_OK);
    return k;
}

static int count_errors(struct fx *f, int from, enum bm_err err)
{
    int n = 0;
    for (int i = from; i < f->n_events; i++)
        n += f->events[i]->kind == BM_EVENT_ERROR && f->events[i]->err == err;
    return n;
}

static bool is_online(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_ONLINE;
}
static bool is_offline(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_OFFLINE;
}
static bool is_no_device(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_NO_DEVICE;
}
static bool is_cover_open(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_USER_ERROR && st->receipt.cover_open;
}
static bool is_paper_low(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_ONLINE && st->receipt.paper == BM_PAPER_LOW;
}

/* ---- printing ---- */

static void prints_pattern_bidirectional(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    rig_start(r);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.device, BM_DEVICE_ONLINE);
    assert_int_equal(st.receipt.paper, BM_PAPER_FULL);
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(r->dev, &caps), BM_OK);
    assert_string_equal(caps.model, "BIANMIN FAKE-80");
    assert_int_equal(caps.width_dots, 576);
    assert_true(caps.has_cutter && caps.reports_paper_low);
    assert_int_equal(escpos_usb_model_id_requests(r->usb), 1);

    struct image im = pattern(576, 600, 76);
    int mark = r->f->n_events;
    struct fx_cmd *k = print(r, &im, 40, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->calls, 1);
    assert_int_equal(k->c.err, BM_OK);
    compare_with_ref(r, "escpos_pattern_576", &im);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.bands, 3); /* 255 + 255 + 90 */
    assert_int_equal(n.cuts, 1);
    assert_int_equal(n.inits, 1);
    assert_int_equal(n.unknown, 0);
    assert_int_equal(n.dropped, 0);
    assert_int_equal(escpos_model_feed_dots(r->model), 40);
    /* status asked before, between the bands and after: 4 DLE EOT each time */
    assert_true(n.status_requests >= 4 * 5);
    /* progress: a few events, the last one complete */
    int progress = 0;
    const struct bm_device_event *last = NULL;
    for (int i = mark; i < r->f->n_events; i++)
        if (r->f->events[i]->kind == BM_EVENT_PROGRESS) {
            progress++;
            last = r->f->events[i];
        }
    assert_true(progress >= 1 && progress <= 4);
    assert_int_equal(last->cmd_id, k->id);
    assert_int_equal(last->done, 600);
    assert_int_equal(last->total, 600);
    free(im.bits);
}

static void prints_vendor_class_by_id(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_VENDOR, 384, 100, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    struct image im = pattern(384, 520, 48);
    struct fx_cmd *k = print(r, &im, 0, false);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    compare_with_ref(r, "escpos_pattern_384", &im);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.bands, 6); /* 5 x 100 + 20 */
    assert_int_equal(n.cuts, 0);
    /* a raster of the wrong width is refused before anything is sent */
    struct image wide = pattern(576, 10, 72);
    k = print(r, &wide, 0, false);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_INVALID_ARG);
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.bands, 6);
    free(wide.bits);
    free(im.bits);
}

static void unidirectional_port_status(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_UNIDIR, 576, 255, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(r->dev, &caps), BM_OK);
    assert_false(caps.reports_paper_low);
    struct image im = pattern(576, 300, 72);
    struct fx_cmd *k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.rows, 300);
    assert_int_equal(n.status_requests, 0); /* nothing can answer them */
    /* paper empty through GET_PORT_STATUS: the next job fails before it starts */
    escpos_model_set_paper_out(r->model, true);
    int mark = r->f->n_events;
    k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR);
    assert_int_equal(count_errors(r->f, mark, BM_ERR_NO_MEDIA), 1);
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.rows, 300);
    free(im.bits);
}

static void bad_device_ids(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    static const uint8_t short_id[] = {0x00, 0x0C, 'M', 'F', 'G', ':',
                                       'A',  ';',  'M', 'D', 'L', ':'};
    escpos_usb_model_set_device_id(r->usb, short_id, sizeof short_id);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(r->dev, &caps), BM_OK);
    assert_string_equal(caps.model, "ESC/POS printer"); /* refused, still usable */
    bm_device_close(r->dev);
    /* little-endian length and long keys, as some printers send it */
    const char *text = "MANUFACTURER:Acme;MODEL:TP-58;COMMAND SET:ESC/POS;";
    uint8_t raw[128];
    size_t n = strlen(text) + 2;
    raw[0] = (uint8_t)n;
    raw[1] = 0;
    memcpy(raw + 2, text, n - 2);
    escpos_usb_model_set_device_id(r->usb, raw, n);
    r->dev = fx_open_clock(r->f, BM_CLASS_RECEIPT_PRINTER, NULL);
    assert_true(fx_wait_status(r->dev, is_online));
    assert_int_equal(bm_receipt_printer_get_caps(r->dev, &caps), BM_OK);
    assert_string_equal(caps.model, "Acme TP-58");
}

/* ---- status ---- */

static void paper_near_end_and_cover_open_idle(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 100);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    int mark = r->f->n_events;
    escpos_model_set_near_end(r->model, true);
    assert_true(fx_wait_status(r->dev, is_paper_low));
    escpos_model_set_cover_open(r->model, true);
    assert_true(fx_wait_status(r->dev, is_cover_open));
    /* several more polls see it: still one error event */
    struct escpos_model_counts n0, n;
    escpos_model_counts(r->model, &n0);
    for (int i = 0; i < FX_WAIT_MS / 50; i++) { /* a hang guard, not a timing */
        fx_pump(50);
        escpos_model_counts(r->model, &n);
        if (n.status_requests >= n0.status_requests + 12)
            break;
    }
    assert_true(n.status_requests >= n0.status_requests + 12);
    assert_int_equal(count_errors(r->f, mark, BM_ERR_STATE), 1);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.fix, BM_FIX_CLEAR);
    /* paper low is no error */
    assert_int_equal(count_errors(r->f, mark, BM_ERR_NO_MEDIA), 0);
    escpos_model_set_cover_open(r->model, false);
    assert_true(fx_wait_status(r->dev, is_paper_low));
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.error, BM_OK);
}

/* A printer with a paper sensor (GS r 1) asked besides DLE EOT: status reads keep working and
 * see the near end; the printer never drops offline for want of a reply. */
static void paper_sensor_asked_too(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 100);
    assert_int_equal(bm_config_set(r->f->cfg, "receipt_printer", "paper_sensor", "true"), BM_OK);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    int mark = r->f->n_events;
    escpos_model_set_near_end(r->model, true);
    assert_true(fx_wait_status(r->dev, is_paper_low));
    struct escpos_model_counts n0, n;
    escpos_model_counts(r->model, &n0);
    assert_true(n0.gs_r_requests >= 1);
    for (int i = 0; i < FX_WAIT_MS / 50; i++) { /* a hang guard, not a timing */
        fx_pump(50);
        escpos_model_counts(r->model, &n);
        if (n.gs_r_requests >= n0.gs_r_requests + 3)
            break;
    }
    assert_true(n.gs_r_requests >= n0.gs_r_requests + 3);
    assert_int_equal(count_errors(r->f, mark, BM_ERR_TIMEOUT), 0);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.device, BM_DEVICE_ONLINE);
    assert_int_equal(st.receipt.paper, BM_PAPER_LOW);
}

/*
 * After a job failed for paper out: paper is loaded and the next resident's receipt prints,
 * and not a row of the failed one comes out with it (the printer keeps what it could not
 * print; the driver flushed it when the job failed).
 */
static void assert_rest_never_prints(struct rig *r, unsigned rows_printed)
{
    escpos_model_set_paper_out(r->model, false);
    struct image next = pattern(576, 100, 72);
    struct fx_cmd *k = print(r, &next, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.rows, rows_printed + 100);
    assert_int_equal(n.cuts, 1);
    free(next.bits);
}

static void paper_out_mid_job(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    escpos_model_paper_out_after(r->model, 300);
    struct image im = pattern(576, 700, 72);
    int mark = r->f->n_events;
    struct fx_cmd *k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->calls, 1);
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.rows, 300);
    assert_int_equal(n.bands, 2); /* stopped after the band that ran out */
    assert_int_equal(n.cuts, 0);
    assert_int_equal(n.soft_resets, 1);
    assert_int_equal(count_errors(r->f, mark, BM_ERR_NO_MEDIA), 1);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.receipt.paper, BM_PAPER_OUT);
    /* not counted as printed, nothing to reprint */
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 0);
    k = fx_cmd(r->f);
    assert_int_equal(bm_receipt_printer_reprint(r->dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);
    assert_rest_never_prints(r, 300);
    free(im.bits);
}

static void cover_open_before_job(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    escpos_model_set_cover_open(r->model, true);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_cover_open));
    struct image im = pattern(576, 50, 72);
    struct fx_cmd *k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_STATE);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.bands, 0);
    free(im.bits);
}

static void cutter_error_fails_job(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    escpos_model_set_cutter_error(r->model, true);
    struct image im = pattern(576, 100, 72);
    struct fx_cmd *k = print(r, &im, 20, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.device, BM_DEVICE_HARDWARE_ERROR);
    assert_int_equal(st.receipt.cutter, BM_CUTTER_ERROR);
    free(im.bits);
}

static void unrecoverable_error(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    escpos_model_set_unrecoverable(r->model, true);
    rig_start(r);
    /* The status is set before its error event goes out: wait for the event itself. */
    assert_true(fx_wait_event(r->f, 0, BM_EVENT_ERROR) >= 0);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.device, BM_DEVICE_HARDWARE_ERROR);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_int_equal(count_errors(r->f, 0, BM_ERR_DEVICE), 1);
}

static void silent_printer_goes_offline_and_comes_back(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    escpos_model_set_silent(r->model, true);
    struct image im = pattern(576, 100, 72);
    struct fx_cmd *k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_TIMEOUT);
    assert_true(fx_wait_status(r->dev, is_offline));
    escpos_model_set_silent(r->model, false);
    assert_true(fx_wait_status(r->dev, is_online)); /* reopened by the tick */
    k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    free(im.bits);
}

static void unplug_mid_job_and_replug(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 50, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    escpos_model_unplug_after(r->model, 100);
    struct image im = pattern(576, 1000, 72);
    struct fx_cmd *k = print(r, &im, 0, true);
    for (int i = 0; i < 6000 && !escpos_model_wants_unplug(r->model) && !k->calls; i++)
        fx_pump(5);
    assert_true(escpos_model_wants_unplug(r->model));
    usb_fake_unplug(escpos_usb_model_fake(r->usb));
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_DEVICE);
    assert_true(fx_wait_status(r->dev, is_no_device));
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_true(n.rows < 1000);
    assert_int_equal(n.cuts, 0);
    escpos_model_unplug_after(r->model, 1000000);
    usb_fake_replug(escpos_usb_model_fake(r->usb));
    assert_true(fx_wait_status(r->dev, is_online));
    free(im.bits);
}

/* ---- a printer that buffers: done only once printed ---- */

/* The model's rows at the moment a job completed (set by done_snapshot on the main thread). */
static unsigned rows_at_done;

static void done_snapshot(const struct bm_completion *c, void *ud)
{
    struct escpos_model_counts n;
    escpos_model_counts(rig.model, &n);
    rows_at_done = n.rows;
    fx_done(c, ud);
}

static struct fx_cmd *print_snap(struct rig *r, const struct image *im, unsigned feed)
{
    struct bm_receipt_job job = {
        .raster = {.width = im->w, .height = im->h, .stride = im->stride, .bits = im->bits},
        .feed_dots = feed,
        .cut = true};
    struct fx_cmd *k = fx_cmd(r->f);
    rows_at_done = 0;
    assert_int_equal(bm_receipt_printer_print(r->dev, &job, done_snapshot, k, &k->id), BM_OK);
    return k;
}

/* A printer that holds the receipt until its cut and then prints at 8000 rows/s (1000 mm/s):
 * twice the configured 500 mm/s, so a wait for the print time at that speed is sound. */
static struct rig *rig_buffered(bool paper_sensor)
{
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    assert_int_equal(bm_config_set(r->f->cfg, "receipt_printer", "paper_sensor",
                                   paper_sensor ? "true" : "false"),
                     BM_OK);
    assert_int_equal(bm_config_set(r->f->cfg, "receipt_printer", "print_speed_mm_s", "500"), BM_OK);
    escpos_model_set_print_rate(r->model, 8000);
    escpos_model_set_hold_until_cut(r->model, true);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    return r;
}

static void buffered_job_done_once_printed(bool paper_sensor)
{
    struct rig *r = rig_buffered(paper_sensor);
    struct image im = pattern(576, 600, 72);
    struct fx_cmd *k = print_snap(r, &im, 40);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->calls, 1);
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(rows_at_done, 600); /* printed before it was reported printed */
    compare_with_ref(r, "escpos_pattern_576", &im);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.cuts, 1);
    assert_int_equal(escpos_model_buffered(r->model), 0);
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 1);
    free(im.bits);
}

static void buffered_job_done_once_printed_sensor(void **state)
{
    (void)state;
    buffered_job_done_once_printed(true);
}

static void buffered_job_done_once_printed_no_sensor(void **state)
{
    (void)state;
    buffered_job_done_once_printed(false);
}

/* Paper runs out in the tail the printer still held when the last byte went out: the job
 * fails with paper out, is not counted and is not kept for reprint; the printer keeps what
 * it could not print. */
static void paper_out_in_buffered_tail(bool paper_sensor)
{
    struct rig *r = rig_buffered(paper_sensor);
    escpos_model_paper_out_after(r->model, 300);
    struct image im = pattern(576, 600, 72);
    int mark = r->f->n_events;
    struct fx_cmd *k = print_snap(r, &im, 40);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->calls, 1);
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);
    assert_int_equal(k->c.fix, BM_FIX_CLEAR);
    assert_int_equal(rows_at_done, 300);
    assert_int_equal(count_errors(r->f, mark, BM_ERR_NO_MEDIA), 1);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.rows, 300);
    assert_int_equal(n.cuts, 0);
    assert_int_equal(n.soft_resets, 1);
    assert_int_equal(escpos_model_buffered(r->model), 0); /* flushed, for the reason below */
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.receipt.paper, BM_PAPER_OUT);
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 0);
    k = fx_cmd(r->f);
    assert_int_equal(bm_receipt_printer_reprint(r->dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);
    assert_rest_never_prints(r, 300);
    free(im.bits);
}

static void paper_out_in_buffered_tail_sensor(void **state)
{
    (void)state;
    paper_out_in_buffered_tail(true);
}

static void paper_out_in_buffered_tail_no_sensor(void **state)
{
    (void)state;
    paper_out_in_buffered_tail(false);
}

/* With the paper sensor on, a GS r 1 after the cut that never comes back (and no fault) is a
 * timeout, never a printed receipt. */
static void unanswered_gs_r_times_out(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    assert_int_equal(bm_config_set(r->f->cfg, "receipt_printer", "paper_sensor", "true"), BM_OK);
    assert_int_equal(bm_config_set(r->f->cfg, "receipt_printer", "timeout_ms", "500"), BM_OK);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    escpos_model_set_no_gs_r(r->model, true);
    struct image im = pattern(576, 100, 72);
    struct fx_cmd *k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_TIMEOUT);
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 0);
    free(im.bits);
}

/* ---- reset and hotplug ---- */

static void reset_reopens_and_reads_id(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    assert_int_equal(escpos_usb_model_id_requests(r->usb), 1);
    struct fx_cmd *k = fx_cmd(r->f);
    assert_int_equal(bm_device_reset(r->dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct escpos_model_counts n;
    escpos_model_counts(r->model, &n);
    assert_int_equal(n.inits, 1); /* ESC @ */
    assert_int_equal(escpos_usb_model_id_requests(r->usb), 2);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.device, BM_DEVICE_ONLINE);

    /* unplugged when the reset comes: it fails for a technician */
    usb_fake_unplug(escpos_usb_model_fake(r->usb));
    k = fx_cmd(r->f);
    assert_int_equal(bm_device_reset(r->dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    assert_true(fx_wait_status(r->dev, is_no_device));
}

/* The printer comes by hotplug alone: the device clock stands still, so the reopen timer
 * never fires and only the arrival event can find it. */
static void found_by_hotplug_arrival(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    usb_fake_unplug(escpos_usb_model_fake(r->usb));
    r->dev = fx_open(r->f, BM_CLASS_RECEIPT_PRINTER); /* the fixture's manual clock */
    assert_true(fx_wait_status(r->dev, is_no_device));
    fx_pump(300); /* several reopen intervals of real time: the timer must not open it */
    assert_int_equal(escpos_usb_model_id_requests(r->usb), 0);
    usb_fake_replug(escpos_usb_model_fake(r->usb));
    assert_true(fx_wait_status(r->dev, is_online));
    assert_int_equal(escpos_usb_model_id_requests(r->usb), 1);
}

/* ---- counters and reprint ---- */

static void counters_persist_and_reprint(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    struct image im = pattern(576, 406, 72); /* 406 dots + 0 feed = 50.8 mm at 203 dpi */
    for (int i = 0; i < 2; i++) {
        struct fx_cmd *k = print(r, &im, 0, true);
        assert_true(fx_wait_cmd(k));
        assert_int_equal(k->c.err, BM_OK);
    }
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 2);
    assert_int_equal(c.paper_mm, 102);
    assert_int_equal(c.avg_mm, 51);
    assert_int_equal(c.receipts_left, (10000 - 102) / 51);

    /* reprint: the same dots again */
    escpos_model_clear(r->model);
    struct fx_cmd *k = fx_cmd(r->f);
    assert_int_equal(bm_receipt_printer_reprint(r->dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    compare_with_ref(r, "escpos_pattern_406", &im);

    /* forgotten at session end */
    bm_receipt_printer_forget_last();
    k = fx_cmd(r->f);
    assert_int_equal(bm_receipt_printer_reprint(r->dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);

    /* counters across close and open; the copy is forgotten with the device it printed on
     * (a new device may get the old one's address) */
    k = print(r, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    bm_device_close(r->dev);
    r->dev = fx_open_clock(r->f, BM_CLASS_RECEIPT_PRINTER, NULL);
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 4);
    assert_int_equal(c.paper_mm, 204);
    k = fx_cmd(r->f);
    assert_int_equal(bm_receipt_printer_reprint(r->dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);

    /* a corrupt file starts from zero */
    bm_device_close(r->dev);
    FILE *fp = fopen(r->counters, "w");
    assert_non_null(fp);
    fputs("receipts=12x\n", fp);
    fclose(fp);
    r->dev = fx_open_clock(r->f, BM_CLASS_RECEIPT_PRINTER, NULL);
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 0);
    assert_int_equal(c.receipts_left, -1);
    free(im.bits);
}

/* The counters are read from the main thread while the worker writes them: a write that
 * hangs (here: the temp file is a FIFO whose buffer the test filled, so write blocks as a
 * stalled fsync would) must not block the reader. (A FIFO without a reader would block open,
 * inside umockdev's preload lock, and stall the whole process.) */
struct counters_probe {
    struct bm_device *dev;
    atomic_bool done;
    uint64_t receipts;
};

static void *probe_counters(void *arg)
{
    struct counters_probe *pr = arg;
    struct bm_receipt_counters c = {0};
    for (int i = 0; i < 2000 && c.receipts == 0; i++) { /* until the job is counted */
        bm_receipt_printer_counters(pr->dev, &c);
        if (c.receipts == 0)
            usleep(5000);
    }
    pr->receipts = c.receipts;
    atomic_store(&pr->done, true);
    return NULL;
}

static void counters_read_while_saving(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", r->counters);
    assert_int_equal(mkfifo(tmp, 0600), 0);
    int rd = open(tmp, O_RDONLY | O_NONBLOCK), wr = open(tmp, O_WRONLY | O_NONBLOCK);
    assert_true(rd >= 0 && wr >= 0);
    static const char fill[4096];
    while (write(wr, fill, sizeof fill) > 0)
        ;
    close(wr);
    rig_start(r);
    assert_true(fx_wait_status(r->dev, is_online));
    struct image im = pattern(576, 50, 72);
    struct fx_cmd *k = print(r, &im, 0, true);
    struct counters_probe pr = {.dev = r->dev};
    atomic_init(&pr.done, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, probe_counters, &pr), 0);
    for (int i = 0; i < 500 && !atomic_load(&pr.done); i++) /* a hang guard: 5 s */
        fx_pump(10);
    bool answered = atomic_load(&pr.done);
    bool stuck = k->calls == 0; /* the worker is still in the write */
    /* let the write through (the save then fails at fsync on a FIFO, and says so) */
    char scrap[4096];
    for (int i = 0; i < 3000 && !k->calls; i++) {
        while (read(rd, scrap, sizeof scrap) > 0)
            ;
        fx_pump(10);
    }
    close(rd);
    assert_true(fx_wait_cmd(k));
    pthread_join(t, NULL);
    assert_true(stuck);
    assert_true(answered);
    assert_int_equal(pr.receipts, 1);
    assert_int_equal(k->c.err, BM_OK);
    unlink(tmp);
    free(im.bits);
}

/* The counters can be read the moment the device exists, before its open ran on the worker:
 * the lock is there already, and nothing known yet reads as no forecast (-1), not as 0 left. */
static void counters_readable_at_once(void **state)
{
    (void)state;
    struct rig *r = rig_open(ESCPOS_USB_BIDIR, 576, 255, 60000);
    struct bm_device_params prm = {.cfg = r->f->cfg};
    assert_int_equal(bm_registry_open(BM_CLASS_RECEIPT_PRINTER, &prm, &r->dev), BM_OK);
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(r->dev, &c), BM_OK);
    assert_int_equal(c.receipts, 0);
    assert_int_equal(c.receipts_left, -1);
    assert_true(fx_wait_status(r->dev, is_online));
}

/* Reprint lives in the class layer: the sim printer has it too, and a failed reprint target
 * (another device) is refused. */
static void sim_reprint(void **state)
{
    (void)state;
    memset(&rig, 0, sizeof rig);
    rig.f = fx_setup(); /* [devices] receipt_printer = sim */
    rig.dev = fx_open(rig.f, BM_CLASS_RECEIPT_PRINTER);
    struct bm_receipt_caps caps;
    assert_int_equal(bm_receipt_printer_get_caps(rig.dev, &caps), BM_OK);
    struct image im = pattern(caps.width_dots, 120, (caps.width_dots + 7) / 8);
    struct fx_cmd *k = fx_cmd(rig.f);
    assert_int_equal(bm_receipt_printer_reprint(rig.dev, fx_done, k, &k->id), BM_ERR_NOT_FOUND);
    k = print(&rig, &im, 0, true);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    k = fx_cmd(rig.f);
    assert_int_equal(bm_receipt_printer_reprint(rig.dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_int_equal(bm_receipt_printer_reprint(NULL, fx_done, k, &k->id), BM_ERR_NOT_FOUND);
    struct bm_receipt_counters c;
    assert_int_equal(bm_receipt_printer_counters(rig.dev, &c), BM_ERR_UNSUPPORTED);
    free(im.bits);
}

static void usb_ids_config(void **state)
{
    (void)state;
    struct escpos_usb_id ids[4];
    assert_int_equal(escpos_usb_parse_ids("", ids, 4), 0);
    assert_int_equal(escpos_usb_parse_ids("0fe6:811e, 1fc9:2016", ids, 4), 2);
    assert_int_equal(ids[0].vid, 0x0fe6);
    assert_int_equal(ids[1].pid, 0x2016);
    assert_int_equal(escpos_usb_parse_ids("0fe6", ids, 4), -1);
    assert_int_equal(escpos_usb_parse_ids("0fe6:811e:x", ids, 4), -1);
    assert_int_equal(escpos_usb_parse_ids("10000:1", ids, 4), -1);
    assert_int_equal(escpos_usb_parse_ids("1:1,2:2,3:3,4:4,5:5", ids, 4), -1);
}

int main(int argc, char **argv)
{
    (void)argc;
    usb_fake_init(argv);
    fx_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usb_ids_config),
        cmocka_unit_test_teardown(prints_pattern_bidirectional, rig_teardown),
        cmocka_unit_test_teardown(prints_vendor_class_by_id, rig_teardown),
        cmocka_unit_test_teardown(unidirectional_port_status, rig_teardown),
        cmocka_unit_test_teardown(bad_device_ids, rig_teardown),
        cmocka_unit_test_teardown(paper_near_end_and_cover_open_idle, rig_teardown),
        cmocka_unit_test_teardown(paper_sensor_asked_too, rig_teardown),
        cmocka_unit_test_teardown(paper_out_mid_job, rig_teardown),
        cmocka_unit_test_teardown(cover_open_before_job, rig_teardown),
        cmocka_unit_test_teardown(cutter_error_fails_job, rig_teardown),
        cmocka_unit_test_teardown(unrecoverable_error, rig_teardown),
        cmocka_unit_test_teardown(silent_printer_goes_offline_and_comes_back, rig_teardown),
        cmocka_unit_test_teardown(unplug_mid_job_and_replug, rig_teardown),
        cmocka_unit_test_teardown(buffered_job_done_once_printed_sensor, rig_teardown),
        cmocka_unit_test_teardown(buffered_job_done_once_printed_no_sensor, rig_teardown),
        cmocka_unit_test_teardown(paper_out_in_buffered_tail_sensor, rig_teardown),
        cmocka_unit_test_teardown(paper_out_in_buffered_tail_no_sensor, rig_teardown),
        cmocka_unit_test_teardown(unanswered_gs_r_times_out, rig_teardown),
        cmocka_unit_test_teardown(reset_reopens_and_reads_id, rig_teardown),
        cmocka_unit_test_teardown(found_by_hotplug_arrival, rig_teardown),
        cmocka_unit_test_teardown(counters_persist_and_reprint, rig_teardown),
        cmocka_unit_test_teardown(counters_read_while_saving, rig_teardown),
        cmocka_unit_test_teardown(counters_readable_at_once, rig_teardown),
        cmocka_unit_test_teardown(sim_reprint, rig_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fx_global_fini();
    return rc;
}
