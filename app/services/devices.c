/*
 * devices.c - the device hub. See devices.h.
 *
 * The hub sits between the drivers and the flow: it is the event callback of every device, so
 * it can log what technicians need (status changes, errors with their fix) in one place and
 * in one format before the flow decides what residents see. The status report adds the
 * receipt paper forecast from the printer's counters, for the technician who brings paper.
 * Main thread only.
 */
#include "devices.h"

#include "core/log.h"
#include "drivers/receipt_printer.h"
#include "drivers/registry.h"

#include <stdio.h>
#include <stdlib.h>

struct bm_devices {
    struct bm_device *dev[BM_CLASS_COUNT];
    bm_devices_event_fn on_event;
    void *ud;
};

static void log_status(enum bm_log_level level, const struct bm_device_status *st,
                       const char *driver)
{
    if (st->error != BM_OK)
        bm_log(level, "devices", "%s (%s): %s, %s (fix: %s) %s", bm_device_class_name(st->cls),
               driver, bm_device_state_name(st->device), bm_err_name(st->error),
               bm_fix_name(st->fix), st->detail);
    else
        bm_log(level, "devices", "%s (%s): %s", bm_device_class_name(st->cls), driver,
               bm_device_state_name(st->device));
}

static void on_device_event(struct bm_device_event *ev, void *ud)
{
    struct bm_devices *hub = ud;
    const char *driver = bm_device_driver_name(hub->dev[ev->cls]);
    switch (ev->kind) {
    case BM_EVENT_STATUS:
        log_status(BM_LOG_INFO, &ev->status, driver);
        break;
    case BM_EVENT_ERROR:
        bm_log_warn("devices", "%s (%s) error %s, fix %s: %s", bm_device_class_name(ev->cls),
                    driver, bm_err_name(ev->err), bm_fix_name(ev->fix), ev->detail);
        break;
    default:
        bm_log_info("devices", "%s: %s", bm_device_class_name(ev->cls),
                    bm_device_event_kind_name(ev->kind));
        break;
    }
    if (hub->on_event)
        hub->on_event(ev, hub->ud);
    else
        bm_device_event_free(ev);
}

enum bm_err bm_devices_open(const struct bm_config *cfg, const struct bm_clock *clock,
                            bm_devices_event_fn on_event, void *ud, struct bm_devices **out)
{
    *out = NULL;
    struct bm_devices *hub = calloc(1, sizeof *hub);
    if (!hub)
        return bm_err_set(BM_ERR_NO_MEMORY, "device hub");
    hub->on_event = on_event;
    hub->ud = ud;

    struct bm_device_params params = {.cfg = cfg, .clock = clock, .on_event = on_device_event,
                                      .ud = hub};
    for (int cls = 0; cls < BM_CLASS_COUNT; cls++) {
        const char *name = bm_device_class_name(cls);
        enum bm_err err = bm_registry_open(cls, &params, &hub->dev[cls]);
        if (err == BM_ERR_CONFIG) {
            bm_devices_close(hub);
            return err;
        }
        if (err == BM_ERR_NO_DEVICE && !hub->dev[cls])
            bm_log_info("devices", "%s: none configured", name);
        else if (err != BM_OK)
            bm_log_err(BM_LOG_ERROR, "devices", err, name);
    }
    *out = hub;
    return BM_OK;
}

void bm_devices_close(struct bm_devices *hub)
{
    if (!hub)
        return;
    for (int cls = 0; cls < BM_CLASS_COUNT; cls++)
        bm_device_close(hub->dev[cls]);
    free(hub);
}

struct bm_device *bm_devices_get(struct bm_devices *hub, enum bm_device_class cls)
{
    return (unsigned)cls < BM_CLASS_COUNT ? hub->dev[cls] : NULL;
}

void bm_devices_status(const struct bm_devices *hub, enum bm_device_class cls,
                       struct bm_device_status *out)
{
    bm_device_get_status((unsigned)cls < BM_CLASS_COUNT ? hub->dev[cls] : NULL, cls, out);
}

bm_device_mask bm_devices_usable(const struct bm_devices *hub)
{
    bm_device_mask usable = 0;
    for (int cls = 0; cls < BM_CLASS_COUNT; cls++) {
        struct bm_device_status st;
        bm_devices_status(hub, cls, &st);
        bool up = st.device == BM_DEVICE_ONLINE || st.device == BM_DEVICE_BUSY ||
                  st.device == BM_DEVICE_STARTING;
        /* Online with paper out is still unable to print: the outstanding error decides. */
        enum bm_paper paper = cls == BM_CLASS_RECEIPT_PRINTER ? st.receipt.paper
                              : cls == BM_CLASS_DOC_PRINTER   ? st.doc.paper
                                                              : BM_PAPER_UNKNOWN;
        if (up && st.error == BM_OK && paper != BM_PAPER_OUT && paper != BM_PAPER_JAMMED)
            usable |= BM_DEVICE_BIT(cls);
    }
    return usable;
}

/* "1234 receipts, 98.8 m since the counters began; this roll 41.0 m used, 85 mm a receipt,
 * about 105 receipts left" (mm shown as metres with one decimal, rounded down). */
static void paper_line(const struct bm_receipt_counters *c, char *out, size_t cap)
{
    int n = snprintf(
        out, cap, "%llu receipts, %llu.%llu m since the counters began; this roll %llu.%llu m used",
        (unsigned long long)c->receipts, (unsigned long long)(c->paper_mm / 1000),
        (unsigned long long)(c->paper_mm % 1000 / 100), (unsigned long long)(c->roll_mm / 1000),
        (unsigned long long)(c->roll_mm % 1000 / 100));
    if (n < 0 || (size_t)n >= cap)
        return;
    if (c->receipts_left >= 0)
        snprintf(out + n, cap - (size_t)n, ", %u mm a receipt, about %lld receipts left", c->avg_mm,
                 (long long)c->receipts_left);
    else
        snprintf(out + n, cap - (size_t)n, ", no forecast yet");
}

void bm_devices_log_status(const struct bm_devices *hub)
{
    for (int cls = 0; cls < BM_CLASS_COUNT; cls++) {
        struct bm_device_status st;
        bm_devices_status(hub, cls, &st);
        log_status(BM_LOG_NOTICE, &st, hub->dev[cls] ? bm_device_driver_name(hub->dev[cls]) : "none");
    }
    /* A driver that keeps no counters (the sim, none) says so with BM_ERR_UNSUPPORTED: no line. */
    struct bm_receipt_counters c;
    struct bm_device *printer = hub->dev[BM_CLASS_RECEIPT_PRINTER];
    if (printer && bm_receipt_printer_counters(printer, &c) == BM_OK) {
        char line[200];
        paper_line(&c, line, sizeof line);
        bm_log_notice("devices", "receipt paper: %s", line);
    }
}
