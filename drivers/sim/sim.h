/*
 * sim.h - scripting the simulated devices (the `sim` driver of every class).
 *
 * Tests, and the keyboard in demo mode, play the world around the kiosk through these calls:
 * a resident places a test ID card or a page, scans a code, takes a receipt; paper runs low,
 * out or jams; someone opens a cover, unplugs a device, plugs it back. Each call posts the
 * change to the device's worker thread, where the sim driver applies it (so the driver's state
 * is only touched there, even while a command runs); the resulting status changes and events
 * reach the main thread through the loop as they would from real hardware.
 *
 * Every function may be called from any thread while the device is open (not concurrently
 * with bm_device_close). They return BM_ERR_UNSUPPORTED if dev is not a sim device of the
 * right class, BM_ERR_NO_DEVICE if dev is NULL.
 *
 * The test cards are fictional: invented names, an invented province (示例省) and addresses,
 * ID numbers built from those with valid check digits. Their dates are computed against the device's clock, so the
 * elderly card stays 65+ and the expired card stays expired whenever the tests run.
 */
#ifndef BM_DRIVERS_SIM_H
#define BM_DRIVERS_SIM_H

#include "drivers/device.h"
#include "drivers/id_reader.h"

#include <stddef.h>
#include <time.h>

enum bm_sim_card {
    BM_SIM_CARD_ADULT,    /* resident card, 34 years old, valid for years */
    BM_SIM_CARD_ELDERLY,  /* resident card, 72 years old, valid 长期 */
    BM_SIM_CARD_EXPIRED,  /* resident card whose validity ended last month */
    BM_SIM_CARD_FOREIGN,  /* foreign permanent residence card (2023, 'Y'), valid */
    BM_SIM_CARD_HMT,      /* Hong Kong/Macau/Taiwan residence permit ('J'), valid */
    BM_SIM_CARD_COUNT
};

/* Whether dev is a sim device. */
bool bm_sim_is(const struct bm_device *dev);

/* The identity a test card reads as on `now` (tests compare with it). Free with
 * bm_identity_free. NULL if card is out of range. */
struct bm_identity *bm_sim_card_identity(enum bm_sim_card card, time_t now);
/* A short label for menus and logs ("adult", "elderly", ...). */
const char *bm_sim_card_name(enum bm_sim_card card);

/* ---- id reader ---- */
enum bm_err bm_sim_card_insert(struct bm_device *dev, enum bm_sim_card card);
enum bm_err bm_sim_card_remove(struct bm_device *dev);

/* ---- scanner ---- */
/* Places a page: png_path NULL is the built-in test page, else that PNG (read at scan time). */
enum bm_err bm_sim_page_place(struct bm_device *dev, const char *png_path);
enum bm_err bm_sim_page_remove(struct bm_device *dev);

/* ---- barcode ---- */
/* A code is held to the scanner: goes to a waiting bm_barcode_read, else an event if enabled. */
enum bm_err bm_sim_barcode_scan(struct bm_device *dev, const char *text);

/* ---- printers (receipt and document) ---- */
enum bm_sim_printer_event {
    BM_SIM_PAPER_LOW,    /* near end: status paper low, printing goes on */
    BM_SIM_PAPER_OUT,    /* out: status paper out, error (fix clear), jobs fail */
    BM_SIM_PAPER_JAM,    /* jammed: user error, error (fix clear), jobs fail */
    BM_SIM_COVER_OPEN,   /* user error, error (fix clear) */
    BM_SIM_COVER_CLOSE,
    BM_SIM_CUTTER_ERROR, /* receipt only: hardware error (fix maintenance) */
    BM_SIM_TONER_LOW,    /* document only */
    BM_SIM_TONER_OUT,    /* document only: error (fix clear) */
    BM_SIM_REFILL,       /* staff came: full paper and toner, jam and cover cleared */
    BM_SIM_RECEIPT_TAKEN /* receipt only: the resident took the presented receipt */
};
enum bm_err bm_sim_printer(struct bm_device *dev, enum bm_sim_printer_event ev);

/*
 * Paper left: millimetres of roll on a receipt printer (default 50000; low below 1000),
 * sheets in the tray of a document printer (default 250; low below 20). A job needing more
 * runs out midway and fails.
 */
enum bm_err bm_sim_printer_set_paper(struct bm_device *dev, unsigned remaining);

/* The path of the last file this sim printer wrote, copied into buf ("" if none yet). */
enum bm_err bm_sim_last_output(struct bm_device *dev, char *buf, size_t size);

/* ---- every class ---- */
/* Unplug: running and queued commands fail with BM_ERR_NO_DEVICE, status no_device, an error
 * event (fix maintenance). Replug: online again (with whatever media/paper state it had). */
enum bm_err bm_sim_unplug(struct bm_device *dev);
enum bm_err bm_sim_replug(struct bm_device *dev);

/* The next command (of any kind, reset included) fails with err, reporting fix. */
enum bm_err bm_sim_fail_next(struct bm_device *dev, enum bm_err err, enum bm_fix fix);

/*
 * A silent device takes commands and never answers: each fails with BM_ERR_TIMEOUT after
 * timeout_ms of the device's clock (0 keeps the current, default 5000).
 */
enum bm_err bm_sim_set_silent(struct bm_device *dev, bool silent, unsigned timeout_ms);

#endif
