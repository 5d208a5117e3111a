/*
 * printers.c - the receipt and document printer classes: typed print commands over device.c.
 * See receipt_printer.h and doc_printer.h.
 *
 * Both commands copy what they print before returning, so the caller may free its raster or
 * PDF at once. A receipt raster may show a resident's (masked) name, so its copy sits in a
 * secure buffer; a PDF is copied to the heap and zeroed before it is freed for the same reason.
 * The checks here are the contract (sizes, caps); what a printer can do is the driver's.
 *
 * Reprint: each receipt job carries a second (heap, wiped) copy of its raster through the caller's
 * completion; when the job completes BM_OK that copy becomes "the last receipt" (one for the
 * program: a kiosk has one receipt printer), replacing and wiping the one before, so the same
 * works for every receipt driver, the sim included. bm_receipt_printer_forget_last wipes it.
 *
 * Threads: the main thread.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

/* A receipt longer than this (in dots) is a caller's bug: ~12 m at 203 dpi. */
#define MAX_RECEIPT_DOTS 100000u

struct receipt_args {
    struct bm_receipt_job job; /* job.raster.bits points into copy */
    struct bm_secbuf *copy;
};

struct doc_args {
    struct bm_doc_job job; /* job.pdf points into copy; title into title */
    unsigned char *copy;
    char title[64];
};

static void deliver_plain(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    (void)result;
    ((bm_device_done_fn)fn)(c, ud);
}

static void free_receipt_args(void *p)
{
    struct receipt_args *a = p;
    if (!a)
        return;
    bm_secbuf_free(a->copy);
    free(a);
}

/* A receipt on its way: the caller's completion, and the copy kept if it prints. */
struct receipt_keep {
    bm_device_done_fn done;
    void *ud;
    const struct bm_device *dev;
    struct bm_receipt_job job; /* job.raster.bits points into copy */
    unsigned char *copy;       /* heap, wiped when freed (not a secbuf: it outlives the job) */
    size_t size;
};

static struct receipt_keep *last_receipt; /* main thread only */

static void free_keep(struct receipt_keep *k)
{
    if (!k)
        return;
    if (k->copy) {
        explicit_bzero(k->copy, k->size);
        free(k->copy);
    }
    free(k);
}

void bm_receipt_printer_forget_last(void)
{
    free_keep(last_receipt);
    last_receipt = NULL;
}

static void deliver_receipt(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    (void)result;
    (void)fn;
    struct receipt_keep *k = ud;
    bm_device_done_fn done = k->done;
    void *done_ud = k->ud;
    if (c->err == BM_OK) {
        free_keep(last_receipt);
        last_receipt = k;
    } else {
        free_keep(k);
    }
    done(c, done_ud);
}

static enum bm_err submit_receipt(struct bm_device *dev, const struct bm_receipt_job *job,
                                  bm_device_done_fn done, void *ud, uint64_t *id);

enum bm_err bm_receipt_printer_reprint(struct bm_device *dev, bm_device_done_fn done, void *ud,
                                       uint64_t *id)
{
    if (!last_receipt || last_receipt->dev != dev)
        return bm_err_set(BM_ERR_NOT_FOUND, "no receipt to print again");
    struct bm_receipt_job job = last_receipt->job; /* copied again by the submit */
    return submit_receipt(dev, &job, done, ud, id);
}

enum bm_err bm_receipt_printer_print(struct bm_device *dev, const struct bm_receipt_job *job,
                                     bm_device_done_fn done, void *ud, uint64_t *id)
{
    return submit_receipt(dev, job, done, ud, id);
}

static enum bm_err submit_receipt(struct bm_device *dev, const struct bm_receipt_job *job,
                                  bm_device_done_fn done, void *ud, uint64_t *id)
{
    if (!job || !done || !job->raster.bits || job->raster.width == 0 || job->raster.height == 0 ||
        job->raster.stride < (job->raster.width + 7) / 8)
        return bm_err_set(BM_ERR_INVALID_ARG, "receipt: bad raster or no callback");
    if (job->raster.height > MAX_RECEIPT_DOTS)
        return bm_err_set(BM_ERR_NO_MEMORY, "receipt: %u dots is longer than %u",
                          job->raster.height, MAX_RECEIPT_DOTS);
    size_t size = (size_t)job->raster.stride * job->raster.height;
    if (size > BM_SECBUF_MAX)
        return bm_err_set(BM_ERR_NO_MEMORY, "receipt: raster of %zu bytes", size);
    if (!dev) /* before copying: an absent printer is the common case of "none" */
        return bm_err_set(BM_ERR_NO_DEVICE, "receipt printer not configured");

    struct receipt_args *a = calloc(1, sizeof *a);
    if (!a)
        return bm_err_set(BM_ERR_NO_MEMORY, "receipt job");
    a->copy = bm_secbuf_new(size);
    if (!a->copy || bm_secbuf_assign(a->copy, job->raster.bits, size) != BM_OK) {
        free_receipt_args(a);
        return bm_err_set(BM_ERR_NO_MEMORY, "receipt raster copy");
    }
    a->job = *job;
    a->job.raster.bits = bm_secbuf_cdata(a->copy);
    struct receipt_keep *k = calloc(1, sizeof *k);
    if (!k || !(k->copy = malloc(size))) {
        free_keep(k);
        free_receipt_args(a);
        return bm_err_set(BM_ERR_NO_MEMORY, "receipt raster copy");
    }
    memcpy(k->copy, job->raster.bits, size);
    k->size = size;
    k->done = done;
    k->ud = ud;
    k->dev = dev;
    k->job = *job;
    k->job.raster.bits = k->copy;
    struct bm_submit s = {
        .cls = BM_CLASS_RECEIPT_PRINTER,
        .op = BM_OP_RECEIPT_PRINT,
        .args = a,
        .args_free = free_receipt_args,
        .deliver = deliver_receipt,
        .fn = (void (*)(void))done,
        .ud = k,
    };
    enum bm_err err = bm_device_submit(dev, &s, id);
    if (err != BM_OK)
        free_keep(k); /* nothing will be called */
    return err;
}

enum bm_err bm_receipt_printer_get_caps(const struct bm_device *dev, struct bm_receipt_caps *out)
{
    return bm_device_get_caps(dev, BM_CLASS_RECEIPT_PRINTER, out, sizeof *out);
}

static void free_doc_args(void *p)
{
    struct doc_args *a = p;
    if (!a)
        return;
    if (a->copy) {
        explicit_bzero(a->copy, a->job.len);
        free(a->copy);
    }
    free(a);
}

enum bm_err bm_doc_printer_print(struct bm_device *dev, const struct bm_doc_job *job,
                                 bm_device_done_fn done, void *ud, uint64_t *id)
{
    if (!job || !done || !job->pdf || job->len == 0 || job->copies == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "doc: empty job, no copies or no callback");
    if (job->len > BM_DOC_MAX_BYTES)
        return bm_err_set(BM_ERR_NO_MEMORY, "doc: %zu bytes is over the cap of %zu", job->len,
                          BM_DOC_MAX_BYTES);
    if (!dev)
        return bm_err_set(BM_ERR_NO_DEVICE, "document printer not configured");

    struct doc_args *a = calloc(1, sizeof *a);
    if (!a || !(a->copy = malloc(job->len))) {
        free(a);
        return bm_err_set(BM_ERR_NO_MEMORY, "doc job copy");
    }
    memcpy(a->copy, job->pdf, job->len);
    a->job = *job;
    a->job.pdf = a->copy;
    snprintf(a->title, sizeof a->title, "%s", job->title ? job->title : "document");
    a->job.title = a->title;
    struct bm_submit s = {
        .cls = BM_CLASS_DOC_PRINTER,
        .op = BM_OP_DOC_PRINT,
        .args = a,
        .args_free = free_doc_args,
        .deliver = deliver_plain,
        .fn = (void (*)(void))done,
        .ud = ud,
    };
    return bm_device_submit(dev, &s, id);
}

enum bm_err bm_doc_printer_get_caps(const struct bm_device *dev, struct bm_doc_caps *out)
{
    return bm_device_get_caps(dev, BM_CLASS_DOC_PRINTER, out, sizeof *out);
}
