/*
 * scanner.h - the document scanner class (flatbed and/or feeder; SANE on a real kiosk).
 *
 * A scan returns one page as raw pixels in a secure buffer, since a scanned document is
 * personal data. The status says whether a document lies on the glass or waits in the feeder;
 * placing and removing one raise BM_EVENT_MEDIA_INSERTED / BM_EVENT_MEDIA_REMOVED where the
 * hardware can tell. Main thread.
 */
#ifndef BM_DRIVERS_SCANNER_H
#define BM_DRIVERS_SCANNER_H

#include "device.h"

#include "core/secbuf.h"

enum bm_scan_mode { BM_SCAN_GREY, BM_SCAN_COLOUR };
enum bm_scan_source { BM_SCAN_FLATBED, BM_SCAN_ADF };
enum bm_pixel_format {
    BM_PIXEL_GREY8, /* one byte per pixel, 0 black .. 255 white */
    BM_PIXEL_RGB24, /* three bytes per pixel: R, G, B */
};

#define BM_SCAN_MAX_RESOLUTIONS 8

struct bm_scanner_caps {
    unsigned resolutions[BM_SCAN_MAX_RESOLUTIONS]; /* dpi, ascending */
    unsigned n_resolutions;
    bool colour;
    bool flatbed;
    bool adf;
    unsigned max_width_mm, max_height_mm; /* the scan area */
    char model[48];
};
enum bm_err bm_scanner_get_caps(const struct bm_device *dev, struct bm_scanner_caps *out);

struct bm_scan_params {
    unsigned dpi; /* one of caps.resolutions */
    enum bm_scan_mode mode;
    enum bm_scan_source source;
    /* Area from the top-left corner in mm; width/height 0 mean the whole scan area. */
    unsigned x_mm, y_mm, width_mm, height_mm;
};

struct bm_scan_image {
    unsigned width, height, stride; /* stride in bytes */
    enum bm_pixel_format format;
    unsigned dpi;
    struct bm_secbuf *pixels; /* height * stride bytes */
};

/* Wipes and frees the image. NULL is ignored. */
void bm_scan_image_free(struct bm_scan_image *img);

/* image is the caller's (bm_scan_image_free); NULL unless c->err is BM_OK. */
typedef void (*bm_scan_done_fn)(const struct bm_completion *c, struct bm_scan_image *image,
                                void *ud);

/*
 * Scans one page. No document: BM_ERR_NO_MEDIA. An unsupported dpi/mode/source:
 * BM_ERR_UNSUPPORTED. On BM_OK, done runs exactly once on the main thread; *id cancels it.
 */
enum bm_err bm_scanner_scan(struct bm_device *dev, const struct bm_scan_params *p,
                            bm_scan_done_fn done, void *ud, uint64_t *id);

#endif
