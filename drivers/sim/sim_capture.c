/*
 * sim_capture.c - the simulated document scanner and barcode reader.
 *
 * Scanner: a page is "on the glass" after bm_sim_page_place (the built-in test page, or a PNG
 * file read at scan time); a scan renders it at the requested resolution, mode and area with
 * cairo (sim_render.c) and returns the pixels in a secure buffer. Flatbed only, A4 glass.
 *
 * Barcode reader: a scripted code goes to a running bm_barcode_read if there is one, else
 * becomes a code-read event when the reader is enabled, else is dropped (as a real reader with
 * its illumination off would not see it).
 *
 * Threads: everything here runs on the device's worker thread.
 */
#include "sim_internal.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned resolutions[] = {75, 100, 150, 200, 300};
#define N_RES (sizeof resolutions / sizeof resolutions[0])

struct sim_scanner {
    struct sim_common common; /* first: sim.c reads it */
    bool page;
    char png[PATH_MAX]; /* "" for the built-in test page */
};

struct sim_barcode {
    struct sim_common common; /* first: sim.c reads it */
    bool enabled;
    bool reading;                  /* a bm_barcode_read waits */
    struct bm_barcode_read *taken; /* the code for that read */
};

/* ---- scanner ---- */

static void scanner_publish(struct bm_device *dev)
{
    struct sim_scanner *s = bm_device_priv(dev);
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_SCANNER, &st);
    st.device = BM_DEVICE_ONLINE;
    st.error = BM_OK;
    st.fix = BM_FIX_NONE;
    st.detail[0] = '\0';
    st.scanner.flatbed = s->page ? BM_SCAN_MEDIA_PRESENT : BM_SCAN_MEDIA_NOT_PRESENT;
    st.scanner.adf = BM_SCAN_MEDIA_UNKNOWN;
    sim_publish(dev, &s->common, &st);
}

static void scanner_action(struct bm_device *dev, const struct sim_action *a)
{
    struct sim_scanner *s = bm_device_priv(dev);
    if (a->act == SIM_ACT_PAGE_PLACE) {
        snprintf(s->png, sizeof s->png, "%s", a->text ? a->text : "");
        s->page = true;
        scanner_publish(dev);
        bm_device_emit(dev, BM_EVENT_MEDIA_INSERTED, NULL, NULL);
    } else if (a->act == SIM_ACT_PAGE_REMOVE && s->page) {
        s->page = false;
        s->png[0] = '\0';
        scanner_publish(dev);
        bm_device_emit(dev, BM_EVENT_MEDIA_REMOVED, NULL, NULL);
    }
}

static enum bm_err scanner_open(struct bm_device *dev)
{
    struct sim_scanner *s = bm_device_priv(dev);
    sim_common_init(&s->common, scanner_publish, scanner_action);
    struct bm_scanner_caps caps = {
        .n_resolutions = N_RES,
        .colour = true,
        .flatbed = true,
        .adf = false,
        .max_width_mm = 210,
        .max_height_mm = 297,
    };
    memcpy(caps.resolutions, resolutions, sizeof resolutions);
    snprintf(caps.model, sizeof caps.model, "%s", "bianmin simulated A4 flatbed scanner");
    bm_device_set_caps(dev, &caps, sizeof caps);
    scanner_publish(dev);
    return BM_OK;
}

static enum bm_err scan(struct bm_device *dev, struct sim_scanner *s, struct bm_cmd *cmd)
{
    const struct bm_scan_params *p = cmd->args;
    bool dpi_ok = false;
    for (size_t i = 0; i < N_RES; i++)
        dpi_ok = dpi_ok || resolutions[i] == p->dpi;
    if (!dpi_ok)
        return bm_err_set(BM_ERR_UNSUPPORTED, "%u dpi (sim scans 75..300)", p->dpi);
    if (p->source != BM_SCAN_FLATBED)
        return bm_err_set(BM_ERR_UNSUPPORTED, "no document feeder");
    if (p->x_mm + p->width_mm > 210 || p->y_mm + p->height_mm > 297)
        return bm_err_set(BM_ERR_INVALID_ARG, "area outside the 210 x 297 mm glass");
    if (!s->page)
        return bm_err_set(BM_ERR_NO_MEDIA, "no document on the glass");
    enum bm_err err = sim_step(dev, &s->common, cmd, 0);
    if (err != BM_OK)
        return err;
    struct bm_scan_image *img = NULL;
    err = sim_render_page(s->png[0] ? s->png : NULL, p, &img);
    if (err != BM_OK)
        return err;
    /* Served after the work, so an unplug or cancel during the scan still fails it. */
    err = sim_step(dev, &s->common, cmd, 0);
    if (err != BM_OK) {
        bm_scan_image_free(img);
        return err;
    }
    cmd->result = img;
    return BM_OK;
}

static enum bm_err scanner_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct sim_scanner *s = bm_device_priv(dev);
    if (cmd->op == BM_OP_RESET)
        return sim_reset(dev, &s->common, cmd);
    enum bm_err err = sim_begin(dev, &s->common, cmd);
    if (err != BM_OK)
        return err;
    if (cmd->op == BM_OP_SCAN)
        return scan(dev, s, cmd);
    return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a scanner", (int)cmd->op);
}

const struct bm_driver bm_sim_scanner_driver = {
    .name = "sim",
    .description = "simulated A4 flatbed scanner (test page or a PNG)",
    .cls = BM_CLASS_SCANNER,
    .priv_size = sizeof(struct sim_scanner),
    .open = scanner_open,
    .run = scanner_run,
};

/* ---- barcode ---- */

static void barcode_publish(struct bm_device *dev)
{
    struct sim_barcode *b = bm_device_priv(dev);
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_BARCODE, &st);
    st.device = BM_DEVICE_ONLINE;
    st.error = BM_OK;
    st.fix = BM_FIX_NONE;
    st.detail[0] = '\0';
    st.barcode.enabled = b->enabled;
    sim_publish(dev, &b->common, &st);
}

/* EAN-13 for 13 digits, QR for anything else (what a kiosk mostly sees). */
static enum bm_symbology guess_symbology(const char *text)
{
    size_t n = strlen(text);
    if (n != 13)
        return BM_SYM_QR;
    for (size_t i = 0; i < n; i++)
        if (text[i] < '0' || text[i] > '9')
            return BM_SYM_QR;
    return BM_SYM_EAN13;
}

static struct bm_barcode_read *make_code(const char *text)
{
    struct bm_barcode_read *code = calloc(1, sizeof *code);
    if (!code)
        return NULL;
    code->symbology = guess_symbology(text);
    code->text = bm_secbuf_strdup(text);
    if (!code->text) {
        free(code);
        return NULL;
    }
    return code;
}

static void barcode_action(struct bm_device *dev, const struct sim_action *a)
{
    struct sim_barcode *b = bm_device_priv(dev);
    if (a->act != SIM_ACT_BARCODE || !a->text || !b->common.plugged)
        return;
    if (b->reading && !b->taken) {
        b->taken = make_code(a->text);
    } else if (b->enabled) {
        struct bm_barcode_read *code = make_code(a->text);
        if (code)
            bm_device_emit(dev, BM_EVENT_CODE_READ, NULL, code);
    } else {
        bm_log_debug("barcode", "sim: code shown to a disabled reader: not seen");
    }
}

static enum bm_err barcode_open(struct bm_device *dev)
{
    struct sim_barcode *b = bm_device_priv(dev);
    sim_common_init(&b->common, barcode_publish, barcode_action);
    struct bm_barcode_caps caps = {
        .symbologies = (1u << BM_SYM_QR) | (1u << BM_SYM_EAN13) | (1u << BM_SYM_CODE128),
    };
    snprintf(caps.model, sizeof caps.model, "%s", "bianmin simulated QR/barcode reader");
    bm_device_set_caps(dev, &caps, sizeof caps);
    barcode_publish(dev);
    return BM_OK;
}

static void barcode_close(struct bm_device *dev)
{
    struct sim_barcode *b = bm_device_priv(dev);
    bm_barcode_read_free(b->taken);
    b->taken = NULL;
}

static enum bm_err read_one(struct bm_device *dev, struct sim_barcode *b, struct bm_cmd *cmd)
{
    unsigned timeout_ms = *(const unsigned *)cmd->args;
    const struct bm_clock *clock = bm_device_clock(dev);
    uint64_t start = bm_clock_ms(clock);
    enum bm_err err = BM_OK;
    b->reading = true;
    while (!b->taken) {
        if (bm_clock_ms(clock) - start >= timeout_ms) {
            err = bm_err_set(BM_ERR_TIMEOUT, "no code within %u ms", timeout_ms);
            break;
        }
        if ((err = sim_step(dev, &b->common, cmd, 10)) != BM_OK)
            break;
    }
    b->reading = false;
    if (err == BM_OK) {
        cmd->result = b->taken;
        b->taken = NULL;
    }
    return err;
}

static enum bm_err barcode_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct sim_barcode *b = bm_device_priv(dev);
    if (cmd->op == BM_OP_RESET)
        return sim_reset(dev, &b->common, cmd);
    enum bm_err err = sim_begin(dev, &b->common, cmd);
    if (err != BM_OK)
        return err;
    switch (cmd->op) {
    case BM_OP_BARCODE_ENABLE:
    case BM_OP_BARCODE_DISABLE:
        b->enabled = cmd->op == BM_OP_BARCODE_ENABLE;
        barcode_publish(dev);
        return BM_OK;
    case BM_OP_BARCODE_READ:
        return read_one(dev, b, cmd);
    default:
        return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a barcode reader", (int)cmd->op);
    }
}

const struct bm_driver bm_sim_barcode_driver = {
    .name = "sim",
    .description = "simulated QR / barcode reader (codes typed by the script)",
    .cls = BM_CLASS_BARCODE,
    .priv_size = sizeof(struct sim_barcode),
    .open = barcode_open,
    .close = barcode_close,
    .run = barcode_run,
};
