/*
 * bench_escpos.c - what a receipt costs on the ESC/POS path, apart from the printer's paper
 * motion.
 *
 * 1. Encode: a 576 x 1600 raster (80 mm paper, ~200 mm long) turned into ESC @ + GS v 0 bands
 *    of 255 rows + feed + cut, RUNS times; the median and best time per receipt.
 * 2. Bytes sent per receipt: the command stream, plus the status requests the driver makes
 *    (DLE EOT 1..4 before the job, after each band and after the job).
 * 3. USB bandwidth: the encoded receipt written through the driver's libusb transport
 *    (escpos_usb.c, 16 KiB chunks) to the emulated printer (tests/driver/escpos_model.c on the
 *    umockdev fake, full-speed 64-byte packets), a few times; bytes per second of wall time.
 *    That is the host and emulation's ceiling, not the wire's (~1.2 MB/s at full speed).
 * A benchmark prints numbers; it does not pass or fail.
 * Usage: bench_escpos [RUNS]   (built with the tests; see tests/bench/run.sh)
 */
#include "escpos_model.h"
#include "escpos_usb_model.h"
#include "usb_fake.h"

#include "core/config.h"
#include "drivers/escpos/escpos.h"
#include "drivers/escpos/escpos_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define W    576
#define H    1600
#define BAND 255

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The whole receipt's command stream into out; returns its length. */
static size_t encode(const struct bm_raster *r, uint8_t *out, size_t cap)
{
    size_t n = escpos_init(out, cap);
    unsigned bands = escpos_band_count(r, BAND);
    for (unsigned b = 0; b < bands; b++)
        n += escpos_raster_band(out + n, cap - n, r, b, BAND);
    n += escpos_feed_dots(out + n, cap - n, 120);
    n += escpos_cut(out + n, cap - n, ESCPOS_CUT_PARTIAL);
    return n;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 200;
    if (runs < 1)
        runs = 1;
    usb_fake_init(argv);

    static uint8_t bits[W / 8 * H];
    for (size_t i = 0; i < sizeof bits; i++) /* something like text: a third of dots black */
        bits[i] = (uint8_t)((i * 2654435761u) >> 24 & 0x49);
    struct bm_raster r = {.width = W, .height = H, .stride = W / 8, .bits = bits};
    size_t cap = (size_t)W / 8 * H + 64 * 16;
    uint8_t *out = malloc(cap);
    double *t = malloc(sizeof *t * (size_t)runs);
    if (!out || !t)
        return 1;
    size_t len = 0;
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();
        len = encode(&r, out, cap);
        t[i] = now_s() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    unsigned bands = escpos_band_count(&r, BAND);
    size_t status = (size_t)(bands + 2) * 12;
    printf("encode %ux%u raster (%u bands of %u rows): median %.3f ms, best %.3f ms (%d runs)\n", W,
           H, bands, BAND, t[runs / 2] * 1e3, t[0] * 1e3, runs);
    printf("bytes sent per receipt: %zu commands + %zu status requests = %zu\n", len, status,
           len + status);

    struct escpos_model *m = escpos_model_new();
    struct escpos_usb_model *u = escpos_usb_model_new(m, ESCPOS_USB_BIDIR, NULL);
    struct bm_config *cfg = bm_config_defaults();
    struct escpos_usb *usb = cfg ? escpos_usb_new(cfg) : NULL;
    struct escpos_port *port = NULL;
    if (!usb || escpos_usb_open(usb, &port) != BM_OK) {
        printf("usb: cannot open the emulated printer\n");
        return 1;
    }
    int writes = 3;
    double t0 = now_s();
    for (int i = 0; i < writes; i++)
        if (escpos_port_write(port, out, len, 10000) != BM_OK) {
            printf("usb write failed\n");
            return 1;
        }
    double dt = now_s() - t0;
    struct escpos_model_counts n;
    escpos_model_counts(m, &n);
    printf("usb path to the emulated printer: %d x %zu bytes in %.2f s = %.2f MB/s "
           "(model printed %u rows, %u bands)\n",
           writes, len, dt, (double)len * writes / dt / 1e6, n.rows, n.bands);
    escpos_port_close(port);
    escpos_usb_free(usb);
    bm_config_free(cfg);
    escpos_usb_model_free(u);
    escpos_model_free(m);
    free(out);
    free(t);
    return 0;
}
