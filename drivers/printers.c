/*
 * printers.c - the receipt and document printer classes: typed print commands over device.c.
 * See receipt_printer.h and doc_printer.h.
 *
 * Both commands copy what they print before returning, so the caller may free its raster or
 * PDF at once. A receipt raster may show a resident's (masked) name, so its copy sits in a
 * secure buffer; a PDF is copied to the heap and zeroed before it is freed for the same reason.
 * The checks here are the contract (sizes, caps); what a printer can do is the driver's.
 *
 * A receipt's copy is a job buffer (core/secbuf.h): locked and out of core dumps like every
 * secure buffer, zeroed when freed, but spared by the session wipe, because the job may still
 * be printing when the session ends and a wiped raster would come out as blank paper reported
 * as printed. The job owns it, whatever the driver; the driver only reads it.
 *
 * Reprint: when a receipt job completes BM_OK, its buffer is not freed but becomes "the last
 * receipt" (one for the program: a kiosk has one receipt printer), replacing and freeing the
 * one before, so reprint works for every receipt driver, the sim included. Sessions are
 * counted: bm_receipt_printer_forget_last (the flow's session end, before its wipe) frees the
 * copy and starts a new generation, and a job submitted in an earlier generation that
 * completes after that is printed whole but not kept, so nothing of a resident outlives their
 * session but the paper still coming out of the printer. Closing the receipt printer forgets
 * the copy too (device.c), so it never passes to a new device that gets the old one's address.
 *
 * Threads: the main thread.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

/* A receipt longer than this (in dots) is a caller's bug: ~12 m at 203 dpi. */
#define MAX_RECEIPT_DOTS 100000u

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

/*
 * A receipt on its way: the caller's completion, and the raster, which the job owns (the
 * driver's args only point into it, so they and this may be freed in either order).
 */
struct receipt_ticket {
    bm_device_done_fn done;
    void *ud;
    const struct bm_device *dev; /* compared, never used: the kept copy prints only on it */
    uint64_t generation;         /* of the session that submitted it */
    struct bm_receipt_job job;   /* job.raster.bits points into raster */
    struct bm_secbuf *raster;    /* a job buffer (see above) */
};

/* Main thread only. */
static struct receipt_ticket *last_receipt;
static uint64_t generation;

static void free_ticket(struct receipt_ticket *t)
{
    if (!t)
        return;
    bm_secbuf_free(t->raster);
    free(t);
}

void bm_receipt_printer_forget_last(void)
{
    free_ticket(last_receipt);
    last_receipt = NULL;
    generation++;
}

static void deliver_receipt(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    (void)result;
    (void)fn;
    struct receipt_ticket *t = ud;
    bm_device_done_fn done = t->done;
    void *done_ud = t->ud;
    if (c->err == BM_OK && t->generation == generation) {
        free_ticket(last_receipt);
        last_receipt = t;
    } else {
        free_ticket(t); /* failed, or its session is over */
    }
    done(c, done_ud);
}

enum bm_err bm_receipt_printer_print(struct bm_device *dev, const struct bm_receipt_job *job,
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

    struct receipt_ticket *t = calloc(1, sizeof *t);
    struct bm_receipt_job *args = malloc(sizeof *args);
    if (!t || !args || !(t->raster = bm_secbuf_new_for_job(size)) ||
        bm_secbuf_assign(t->raster, job->raster.bits, size) != BM_OK) {
        free(args);
        free_ticket(t);
        return bm_err_set(BM_ERR_NO_MEMORY, "receipt raster copy");
    }
    t->done = done;
    t->ud = ud;
    t->dev = dev;
    t->generation = generation;
    t->job = *job;
    t->job.raster.bits = bm_secbuf_cdata(t->raster);
    *args = t->job;
    struct bm_submit s = {
        .cls = BM_CLASS_RECEIPT_PRINTER,
        .op = BM_OP_RECEIPT_PRINT,
        .args = args,
        .args_free = free,
        .deliver = deliver_receipt,
        .fn = (void (*)(void))done,
        .ud = t,
    };
    enum bm_err err = bm_device_submit(dev, &s, id);
    if (err != BM_OK)
        free_ticket(t); /* nothing will be called; args are freed */
    return err;
}

enum bm_err bm_receipt_printer_reprint(struct bm_device *dev, bm_device_done_fn done, void *ud,
                                       uint64_t *id)
{
    if (!last_receipt || last_receipt->dev != dev)
        return bm_err_set(BM_ERR_NOT_FOUND, "no receipt to print again");
    return bm_receipt_printer_print(dev, &last_receipt->job, done, ud, id); /* copies it again */
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
