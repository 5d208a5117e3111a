/*
 * sim_printers.c - the simulated receipt printer and document printer.
 *
 * Both write what they print where a person can look at it: receipts as PNG (via
 * sim_render.c), documents as the PDF file they were given, into [sim] output_dir, named with
 * a sequence number and the device clock's time. Both keep a stock of paper (mm of roll, sheets
 * in the tray) that each job consumes step by step, so a long job can run out midway: it then
 * fails with BM_ERR_NO_MEDIA and the reason, nothing is written, and the paper-out error event
 * (fix: clear) goes out. Between steps the job serves script actions, so an unplug, a jam or a
 * cancel in the middle of a job is seen in the middle of the job.
 *
 * Threads: everything here runs on the device's worker thread.
 */
#include "sim_internal.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECEIPT_PAPER_MM 50000u
#define RECEIPT_LOW_MM   1000u
#define RECEIPT_DPI      203u
#define RECEIPT_WIDTH    576u
#define DOC_SHEETS       250u
#define DOC_LOW_SHEETS   20u
/* Dots printed between two looks at the world (cancel, unplug, jam). */
#define BAND_DOTS 24u

struct sim_printer {
    struct sim_common common; /* first: sim.c reads it */
    enum bm_device_class cls;
    unsigned remaining; /* mm (receipt) or sheets (doc) */
    bool jammed, cover_open, cutter_error, out;
    enum bm_toner toner;
    enum bm_print_media media;
    unsigned seq;
};

static void publish(struct bm_device *dev)
{
    struct sim_printer *p = bm_device_priv(dev);
    struct bm_device_status st;
    bm_device_get_status(dev, p->cls, &st);
    st.device = BM_DEVICE_ONLINE;
    st.error = BM_OK;
    st.fix = BM_FIX_NONE;
    st.detail[0] = '\0';

    unsigned low = p->cls == BM_CLASS_RECEIPT_PRINTER ? RECEIPT_LOW_MM : DOC_LOW_SHEETS;
    enum bm_paper paper = p->jammed                       ? BM_PAPER_JAMMED
                          : (p->out || p->remaining == 0) ? BM_PAPER_OUT
                          : p->remaining < low            ? BM_PAPER_LOW
                                                          : BM_PAPER_FULL;
    /* The worst problem is the one reported; fixing it reveals the next. */
    if (p->cutter_error && p->cls == BM_CLASS_RECEIPT_PRINTER) {
        st.device = BM_DEVICE_HARDWARE_ERROR;
        st.error = BM_ERR_DEVICE;
        st.fix = BM_FIX_MAINTENANCE;
        snprintf(st.detail, sizeof st.detail, "cutter error");
    } else if (paper == BM_PAPER_JAMMED) {
        st.device = BM_DEVICE_USER_ERROR;
        st.error = BM_ERR_MEDIA_JAM;
        st.fix = BM_FIX_CLEAR;
        snprintf(st.detail, sizeof st.detail, "paper jammed");
    } else if (p->cover_open) {
        st.device = BM_DEVICE_USER_ERROR;
        st.error = BM_ERR_STATE;
        st.fix = BM_FIX_CLEAR;
        snprintf(st.detail, sizeof st.detail, "cover open");
    } else if (paper == BM_PAPER_OUT) {
        st.error = BM_ERR_NO_MEDIA;
        st.fix = BM_FIX_CLEAR;
        snprintf(st.detail, sizeof st.detail, "paper out");
    } else if (p->cls == BM_CLASS_DOC_PRINTER && p->toner == BM_TONER_OUT) {
        st.error = BM_ERR_NO_MEDIA;
        st.fix = BM_FIX_CLEAR;
        snprintf(st.detail, sizeof st.detail, "toner out");
    }

    if (p->cls == BM_CLASS_RECEIPT_PRINTER) {
        st.receipt.paper = paper;
        st.receipt.media = p->media;
        st.receipt.cover_open = p->cover_open;
        st.receipt.cutter = p->cutter_error ? BM_CUTTER_ERROR : BM_CUTTER_OK;
    } else {
        st.doc.paper = paper;
        st.doc.toner = p->toner;
        st.doc.cover_open = p->cover_open;
        st.doc.accepting_jobs = st.error == BM_OK;
    }
    sim_publish(dev, &p->common, &st);
}

static void action(struct bm_device *dev, const struct sim_action *a)
{
    struct sim_printer *p = bm_device_priv(dev);
    bool receipt = p->cls == BM_CLASS_RECEIPT_PRINTER;
    unsigned full = receipt ? RECEIPT_PAPER_MM : DOC_SHEETS;
    unsigned low = receipt ? RECEIPT_LOW_MM : DOC_LOW_SHEETS;
    if (a->act == SIM_ACT_PAPER) {
        p->remaining = a->value;
        p->out = a->value == 0;
        publish(dev);
        return;
    }
    if (a->act != SIM_ACT_PRINTER) {
        bm_log_warn(bm_device_class_name(p->cls), "sim: action %d does not apply", (int)a->act);
        return;
    }
    switch ((enum bm_sim_printer_event)a->value) {
    case BM_SIM_PAPER_LOW:
        p->remaining = low / 2;
        p->out = false;
        break;
    case BM_SIM_PAPER_OUT:
        p->remaining = 0;
        p->out = true;
        break;
    case BM_SIM_PAPER_JAM:
        p->jammed = true;
        break;
    case BM_SIM_COVER_OPEN:
        p->cover_open = true;
        break;
    case BM_SIM_COVER_CLOSE:
        p->cover_open = false;
        break;
    case BM_SIM_CUTTER_ERROR:
        p->cutter_error = receipt;
        break;
    case BM_SIM_TONER_LOW:
        if (!receipt)
            p->toner = BM_TONER_LOW;
        break;
    case BM_SIM_TONER_OUT:
        if (!receipt)
            p->toner = BM_TONER_OUT;
        break;
    case BM_SIM_REFILL:
        p->remaining = full;
        p->out = p->jammed = p->cover_open = p->cutter_error = false;
        p->toner = receipt ? BM_TONER_UNKNOWN : BM_TONER_FULL;
        break;
    case BM_SIM_RECEIPT_TAKEN:
        if (receipt && p->media == BM_PRINT_MEDIA_PRESENTED) {
            p->media = BM_PRINT_MEDIA_TAKEN;
            publish(dev);
            bm_device_emit(dev, BM_EVENT_MEDIA_TAKEN, NULL, NULL);
        }
        return;
    }
    publish(dev);
}

/* Whether the printer can start a job now; sets the error and fix if not. */
static enum bm_err ready(struct sim_printer *p, struct bm_cmd *cmd)
{
    cmd->fix = BM_FIX_CLEAR;
    if (p->cutter_error && p->cls == BM_CLASS_RECEIPT_PRINTER) {
        cmd->fix = BM_FIX_MAINTENANCE;
        return bm_err_set(BM_ERR_DEVICE, "cutter error");
    }
    if (p->jammed)
        return bm_err_set(BM_ERR_MEDIA_JAM, "paper jammed");
    if (p->cover_open)
        return bm_err_set(BM_ERR_STATE, "cover open");
    if (p->out || p->remaining == 0)
        return bm_err_set(BM_ERR_NO_MEDIA, "paper out");
    if (p->cls == BM_CLASS_DOC_PRINTER && p->toner == BM_TONER_OUT)
        return bm_err_set(BM_ERR_NO_MEDIA, "toner out");
    cmd->fix = BM_FIX_NONE;
    return BM_OK;
}

/*
 * Consumes `need` units of paper in `step`-sized pieces, serving the world between them.
 * On running out: paper out, the error event, and BM_ERR_NO_MEDIA with how far it got.
 */
static enum bm_err consume(struct bm_device *dev, struct sim_printer *p, struct bm_cmd *cmd,
                           unsigned need, unsigned step, const char *unit)
{
    unsigned done = 0;
    while (done < need) {
        enum bm_err err = sim_step(dev, &p->common, cmd, 0);
        if (err == BM_OK && (err = ready(p, cmd)) == BM_OK && p->remaining == 0)
            err = BM_ERR_NO_MEDIA;
        if (err != BM_OK) {
            if (err == BM_ERR_NO_MEDIA || p->remaining == 0) {
                p->out = true;
                publish(dev);
                cmd->fix = BM_FIX_CLEAR;
                return bm_err_set(BM_ERR_NO_MEDIA,
                                  "paper ran out after %u of %u %s; job not printed", done, need,
                                  unit);
            }
            char why[96];
            snprintf(why, sizeof why, "%s", bm_err_detail());
            return bm_err_set(err, "%s after %u of %u %s; job not printed", why, done, need, unit);
        }
        unsigned n = need - done < step ? need - done : step;
        if (n > p->remaining)
            n = p->remaining;
        p->remaining -= n;
        /* Progress in tenths, so a long receipt posts ten events rather than a hundred. */
        if ((done + n) * 10 / need != done * 10 / need)
            bm_device_progress(dev, cmd, done + n, need);
        done += n;
    }
    publish(dev);
    return BM_OK;
}

static enum bm_err print_receipt(struct bm_device *dev, struct sim_printer *p, struct bm_cmd *cmd)
{
    const struct bm_receipt_job *job = cmd->args;
    if (job->raster.width != RECEIPT_WIDTH)
        return bm_err_set(BM_ERR_INVALID_ARG, "raster %u dots wide, the head has %u",
                          job->raster.width, RECEIPT_WIDTH);
    enum bm_err err = ready(p, cmd);
    if (err != BM_OK)
        return err;
    /* 203 dpi is 8 dots per mm; round up so a tiny receipt still uses paper. */
    unsigned dots = job->raster.height + job->feed_dots;
    unsigned mm = (dots + 7) / 8;
    err = consume(dev, p, cmd, mm, BAND_DOTS / 8, "mm");
    if (err != BM_OK)
        return err;

    char path[PATH_MAX];
    err = sim_output_path(dev, "receipt", ++p->seq, "png", path, sizeof path);
    if (err == BM_OK)
        err = sim_render_receipt_png(&job->raster, path);
    if (err != BM_OK) {
        cmd->fix = BM_FIX_MAINTENANCE;
        return err;
    }
    sim_set_last_output(&p->common, path);
    bm_log_info("receipt_printer", "sim: printed %ux%u dots to %s", job->raster.width,
                job->raster.height, path);
    p->media = BM_PRINT_MEDIA_PRESENTED;
    publish(dev);
    return BM_OK;
}

/* Pages in a PDF: the "/Type /Page" objects (not "/Pages"). Good enough for our own PDFs. */
static unsigned count_pages(const unsigned char *pdf, size_t len)
{
    unsigned pages = 0;
    for (size_t i = 0; i + 10 < len; i++) {
        if (memcmp(pdf + i, "/Type", 5) != 0)
            continue;
        size_t j = i + 5;
        while (j < len && (pdf[j] == ' ' || pdf[j] == '\n' || pdf[j] == '\r'))
            j++;
        if (j + 5 <= len && memcmp(pdf + j, "/Page", 5) == 0 && (j + 5 == len || pdf[j + 5] != 's'))
            pages++;
    }
    return pages ? pages : 1;
}

static enum bm_err write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return bm_err_set(BM_ERR_IO, "open %s", path);
    size_t n = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || n != len)
        return bm_err_set(BM_ERR_IO, "write %s", path);
    return BM_OK;
}

static enum bm_err print_doc(struct bm_device *dev, struct sim_printer *p, struct bm_cmd *cmd)
{
    const struct bm_doc_job *job = cmd->args;
    if (job->len < 5 || memcmp(job->pdf, "%PDF-", 5) != 0)
        return bm_err_set(BM_ERR_PARSE, "not a PDF (no %%PDF- header)");
    if (job->copies > 10)
        return bm_err_set(BM_ERR_INVALID_ARG, "%u copies, at most 10", job->copies);
    enum bm_err err = ready(p, cmd);
    if (err != BM_OK)
        return err;
    unsigned pages = count_pages(job->pdf, job->len);
    unsigned sheets = (job->duplex ? (pages + 1) / 2 : pages) * job->copies;
    err = consume(dev, p, cmd, sheets, 1, "sheets");
    if (err != BM_OK)
        return err;

    char path[PATH_MAX];
    err = sim_output_path(dev, "document", ++p->seq, "pdf", path, sizeof path);
    if (err == BM_OK)
        err = write_file(path, job->pdf, job->len);
    if (err != BM_OK) {
        cmd->fix = BM_FIX_MAINTENANCE;
        return err;
    }
    sim_set_last_output(&p->common, path);
    bm_log_info("doc_printer", "sim: printed %u page(s) x %u to %s", pages, job->copies, path);
    return BM_OK;
}

static enum bm_err sim_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct sim_printer *p = bm_device_priv(dev);
    if (cmd->op == BM_OP_RESET)
        return sim_reset(dev, &p->common, cmd);
    enum bm_err err = sim_begin(dev, &p->common, cmd);
    if (err != BM_OK)
        return err;
    if (cmd->op == BM_OP_RECEIPT_PRINT && p->cls == BM_CLASS_RECEIPT_PRINTER)
        return print_receipt(dev, p, cmd);
    if (cmd->op == BM_OP_DOC_PRINT && p->cls == BM_CLASS_DOC_PRINTER)
        return print_doc(dev, p, cmd);
    return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a printer", (int)cmd->op);
}

static enum bm_err open_receipt(struct bm_device *dev)
{
    struct sim_printer *p = bm_device_priv(dev);
    sim_common_init(&p->common, publish, action);
    p->cls = BM_CLASS_RECEIPT_PRINTER;
    p->remaining = RECEIPT_PAPER_MM;
    struct bm_receipt_caps caps = {
        .width_dots = RECEIPT_WIDTH,
        .dpi = RECEIPT_DPI,
        .max_height = 100000,
        .has_cutter = true,
        .reports_paper_low = true,
        .reports_taken = true,
    };
    snprintf(caps.model, sizeof caps.model, "%s", "bianmin simulated 80 mm receipt printer");
    bm_device_set_caps(dev, &caps, sizeof caps);
    publish(dev);
    return BM_OK;
}

static enum bm_err open_doc(struct bm_device *dev)
{
    struct sim_printer *p = bm_device_priv(dev);
    sim_common_init(&p->common, publish, action);
    p->cls = BM_CLASS_DOC_PRINTER;
    p->remaining = DOC_SHEETS;
    p->toner = BM_TONER_FULL;
    struct bm_doc_caps caps = {
        .duplex = true,
        .colour = false,
        .paper_sizes = 1u << BM_PAPER_A4,
        .max_copies = 10,
    };
    snprintf(caps.model, sizeof caps.model, "%s", "bianmin simulated A4 printer");
    bm_device_set_caps(dev, &caps, sizeof caps);
    publish(dev);
    return BM_OK;
}

const struct bm_driver bm_sim_receipt_driver = {
    .name = "sim",
    .description = "simulated 80 mm receipt printer (writes PNG files)",
    .cls = BM_CLASS_RECEIPT_PRINTER,
    .priv_size = sizeof(struct sim_printer),
    .open = open_receipt,
    .run = sim_run,
};

const struct bm_driver bm_sim_doc_driver = {
    .name = "sim",
    .description = "simulated A4 document printer (writes PDF files)",
    .cls = BM_CLASS_DOC_PRINTER,
    .priv_size = sizeof(struct sim_printer),
    .open = open_doc,
    .run = sim_run,
};
