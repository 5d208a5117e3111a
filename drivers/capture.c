/*
 * capture.c - the classes that take something from the resident: the document scanner and the
 * barcode scanner. Typed commands over device.c, and the free functions of what they return.
 * See scanner.h and barcode.h.
 *
 * Scanned images and decoded codes are personal data: they only ever live in secure buffers,
 * and their free functions wipe them.
 *
 * Threads: the commands from the main thread; the free functions from any thread.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

/* ---- scanner ---- */

void bm_scan_image_free(struct bm_scan_image *img)
{
    if (!img)
        return;
    bm_secbuf_free(img->pixels);
    free(img);
}

static void deliver_image(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    ((bm_scan_done_fn)fn)(c, result, ud);
}

static void free_image(void *p)
{
    bm_scan_image_free(p);
}

enum bm_err bm_scanner_scan(struct bm_device *dev, const struct bm_scan_params *p,
                            bm_scan_done_fn done, void *ud, uint64_t *id)
{
    if (!p || !done || p->dpi == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "scan: no parameters, dpi or callback");
    struct bm_scan_params *args = malloc(sizeof *args);
    if (!args)
        return bm_err_set(BM_ERR_NO_MEMORY, "scan");
    *args = *p;
    struct bm_submit s = {
        .cls = BM_CLASS_SCANNER,
        .op = BM_OP_SCAN,
        .args = args,
        .args_free = free,
        .result_free = free_image,
        .deliver = deliver_image,
        .fn = (void (*)(void))done,
        .ud = ud,
    };
    return bm_device_submit(dev, &s, id);
}

enum bm_err bm_scanner_get_caps(const struct bm_device *dev, struct bm_scanner_caps *out)
{
    return bm_device_get_caps(dev, BM_CLASS_SCANNER, out, sizeof *out);
}

/* ---- barcode ---- */

const char *bm_symbology_name(enum bm_symbology sym)
{
    static const char *const names[BM_SYM_COUNT] = {"unknown", "qr",     "ean13",
                                                    "code128", "pdf417", "datamatrix"};
    return (unsigned)sym < BM_SYM_COUNT ? names[sym] : "unknown";
}

void bm_barcode_read_free(struct bm_barcode_read *code)
{
    if (!code)
        return;
    bm_secbuf_free(code->text);
    free(code);
}

static void deliver_plain(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    (void)result;
    if (fn)
        ((bm_device_done_fn)fn)(c, ud);
}

enum bm_err bm_barcode_enable(struct bm_device *dev, bool enable, bm_device_done_fn done,
                              void *ud, uint64_t *id)
{
    struct bm_submit s = {
        .cls = BM_CLASS_BARCODE,
        .op = enable ? BM_OP_BARCODE_ENABLE : BM_OP_BARCODE_DISABLE,
        .deliver = deliver_plain,
        .fn = (void (*)(void))done,
        .ud = ud,
    };
    return bm_device_submit(dev, &s, id);
}

static void deliver_code(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    ((bm_barcode_done_fn)fn)(c, result, ud);
}

static void free_code(void *p)
{
    bm_barcode_read_free(p);
}

enum bm_err bm_barcode_read(struct bm_device *dev, unsigned timeout_ms, bm_barcode_done_fn done,
                            void *ud, uint64_t *id)
{
    if (!done)
        return bm_err_set(BM_ERR_INVALID_ARG, "barcode read without a callback");
    unsigned *args = malloc(sizeof *args);
    if (!args)
        return bm_err_set(BM_ERR_NO_MEMORY, "barcode read");
    *args = timeout_ms;
    struct bm_submit s = {
        .cls = BM_CLASS_BARCODE,
        .op = BM_OP_BARCODE_READ,
        .args = args,
        .args_free = free,
        .result_free = free_code,
        .deliver = deliver_code,
        .fn = (void (*)(void))done,
        .ud = ud,
    };
    return bm_device_submit(dev, &s, id);
}

enum bm_err bm_barcode_get_caps(const struct bm_device *dev, struct bm_barcode_caps *out)
{
    return bm_device_get_caps(dev, BM_CLASS_BARCODE, out, sizeof *out);
}
