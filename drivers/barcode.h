/*
 * barcode.h - the barcode / QR code scanner class (a camera with ZBar, or a serial scanner).
 *
 * Two ways to read: enable the scanner and take every code as a BM_EVENT_CODE_READ event, or
 * ask for one code with a timeout (bm_barcode_read), which takes the next code instead of an
 * event. A code may be personal (a health code, an appointment), so its text lives in a secure
 * buffer. Main thread.
 */
#ifndef BM_DRIVERS_BARCODE_H
#define BM_DRIVERS_BARCODE_H

#include "device.h"

#include "core/secbuf.h"

enum bm_symbology {
    BM_SYM_UNKNOWN,
    BM_SYM_QR,
    BM_SYM_EAN13,
    BM_SYM_CODE128,
    BM_SYM_PDF417,
    BM_SYM_DATAMATRIX,
    BM_SYM_COUNT
};
const char *bm_symbology_name(enum bm_symbology sym);

#define BM_BARCODE_MAX_TEXT 4096

struct bm_barcode_read {
    enum bm_symbology symbology;
    struct bm_secbuf *text; /* the decoded bytes, NUL-terminated, <= BM_BARCODE_MAX_TEXT */
};
void bm_barcode_read_free(struct bm_barcode_read *code);

struct bm_barcode_caps {
    unsigned symbologies; /* bit (1u << enum bm_symbology) per symbology */
    char model[48];
};
enum bm_err bm_barcode_get_caps(const struct bm_device *dev, struct bm_barcode_caps *out);

/* Starts / stops reporting codes as events. */
enum bm_err bm_barcode_enable(struct bm_device *dev, bool enable, bm_device_done_fn done,
                              void *ud, uint64_t *id);

/* code is the caller's (bm_barcode_read_free); NULL unless c->err is BM_OK. */
typedef void (*bm_barcode_done_fn)(const struct bm_completion *c, struct bm_barcode_read *code,
                                   void *ud);

/* Reads one code within timeout_ms of the device's clock (BM_ERR_TIMEOUT), enabled or not. */
enum bm_err bm_barcode_read(struct bm_device *dev, unsigned timeout_ms, bm_barcode_done_fn done,
                            void *ud, uint64_t *id);

#endif
