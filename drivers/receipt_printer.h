/*
 * receipt_printer.h - the thermal receipt printer class (58 mm / 80 mm roll).
 *
 * A receipt is one 1-bit raster the width of the print head (384 dots for 58 mm paper, 576 for
 * 80 mm), rendered above the device layer (app/services documents). The printer reports paper
 * full/low/out/jammed, cover open, cutter error, and where the printed receipt is: presented
 * at the exit, then taken (BM_EVENT_MEDIA_TAKEN) where the hardware can tell.
 *
 * A job that fails midway (paper out, jam, unplug) completes with that error and is never
 * reported as printed. Main thread.
 */
#ifndef BM_DRIVERS_RECEIPT_PRINTER_H
#define BM_DRIVERS_RECEIPT_PRINTER_H

#include "device.h"

/*
 * A 1-bit raster: rows of `stride` bytes, the leftmost dot in the most significant bit of a
 * byte, 1 = black (as ESC/POS GS v 0 sends it). The bits are borrowed for the call only.
 */
struct bm_raster {
    unsigned width, height, stride; /* stride >= (width + 7) / 8 */
    const unsigned char *bits;
};

struct bm_receipt_caps {
    unsigned width_dots; /* 384 or 576 */
    unsigned dpi;        /* 203 for most heads */
    unsigned max_height; /* longest raster accepted, in dots */
    bool has_cutter;
    bool reports_paper_low; /* has a near-end sensor */
    bool reports_taken;     /* has a presenter that sees the receipt taken */
    char model[48];
};
enum bm_err bm_receipt_printer_get_caps(const struct bm_device *dev, struct bm_receipt_caps *out);

struct bm_receipt_job {
    struct bm_raster raster; /* width must equal caps.width_dots */
    unsigned feed_dots;      /* blank paper fed after the raster (to clear the cutter) */
    bool cut;                /* cut after feeding (ignored without a cutter) */
};

/*
 * Prints a receipt. The raster is copied before this returns, into a job buffer (core/secbuf.h)
 * that the session wipe spares, so a receipt still printing when the session ends comes out
 * whole. On BM_OK, done runs exactly once on the main thread; *id cancels it (a cancelled job
 * may have printed a part).
 */
enum bm_err bm_receipt_printer_print(struct bm_device *dev, const struct bm_receipt_job *job,
                                     bm_device_done_fn done, void *ud, uint64_t *id);

/*
 * Prints the last receipt that printed on dev again (a resident lost it, the cut failed). The
 * class layer keeps the copy of the last job that completed BM_OK in this session, in a job
 * buffer, for every receipt driver. BM_ERR_NOT_FOUND if there is none (or it was forgotten);
 * otherwise as bm_receipt_printer_print.
 */
enum bm_err bm_receipt_printer_reprint(struct bm_device *dev, bm_device_done_fn done, void *ud,
                                       uint64_t *id);
/*
 * Ends the session for receipts: frees (zeroing) the kept copy, which may show the resident's
 * masked name and application number, and makes sure a receipt of this session still printing
 * is not kept when it completes (it still prints whole). Call it before bm_secbuf_wipe_all.
 */
void bm_receipt_printer_forget_last(void);

/* Paper use, kept across restarts by drivers that can count (escpos-usb). Any thread. */
struct bm_receipt_counters {
    uint64_t receipts;     /* printed since the counters began */
    uint64_t paper_mm;     /* paper used since then (raster + feed) */
    uint64_t roll_mm;      /* used on this roll (since paper out turned into paper loaded) */
    unsigned avg_mm;       /* recent average receipt length */
    int64_t receipts_left; /* forecast for this roll at avg_mm; -1 when unknown */
};
/* BM_ERR_UNSUPPORTED for a driver that does not count. */
enum bm_err bm_receipt_printer_counters(struct bm_device *dev, struct bm_receipt_counters *out);

/* The bit of dot (x, y) of a raster (for renderers and tests). */
static inline int bm_raster_get(const struct bm_raster *r, unsigned x, unsigned y)
{
    return (r->bits[(size_t)y * r->stride + x / 8] >> (7 - x % 8)) & 1;
}

#endif
