/*
 * sim_internal.h - what the sim driver's files share (not for use outside drivers/sim and the
 * registry). Every sim class keeps a struct sim_common first in its private state, so the
 * script plumbing in sim.c can handle unplug, fail-next and silence the same way for all.
 * Worker thread unless said otherwise.
 */
#ifndef BM_DRIVERS_SIM_INTERNAL_H
#define BM_DRIVERS_SIM_INTERNAL_H

#include "drivers/driver.h"
#include "sim.h"

#include <limits.h>

extern const struct bm_driver bm_sim_id_reader_driver;
extern const struct bm_driver bm_sim_receipt_driver;
extern const struct bm_driver bm_sim_doc_driver;
extern const struct bm_driver bm_sim_scanner_driver;
extern const struct bm_driver bm_sim_barcode_driver;

#define SIM_DEFAULT_TIMEOUT_MS 5000u

enum sim_act {
    SIM_ACT_UNPLUG,
    SIM_ACT_REPLUG,
    SIM_ACT_FAIL_NEXT,
    SIM_ACT_SILENT,
    SIM_ACT_CARD_INSERT,
    SIM_ACT_CARD_REMOVE,
    SIM_ACT_PAGE_PLACE,
    SIM_ACT_PAGE_REMOVE,
    SIM_ACT_BARCODE,
    SIM_ACT_PRINTER,
    SIM_ACT_PAPER,
};

struct sim_action {
    enum sim_act act;
    unsigned value;
    bool flag;
    enum bm_err err;
    enum bm_fix fix;
    char *text; /* heap, may be NULL */
};

struct sim_common {
    bool plugged;
    bool silent;
    unsigned timeout_ms;
    enum bm_err fail_next;
    enum bm_fix fail_fix;
    /* Re-derives the class status after a common change (plug state). */
    void (*publish)(struct bm_device *dev);
    /* Class actions (card, page, paper ...). */
    void (*action)(struct bm_device *dev, const struct sim_action *a);
    /* Printers: the last file written; read from other threads under a lock in sim.c. */
    char last_output[PATH_MAX];
};

/* In open: defaults, and the class hooks. */
void sim_common_init(struct sim_common *c, void (*publish)(struct bm_device *),
                     void (*action)(struct bm_device *, const struct sim_action *));

/*
 * At the start of every command: unplugged (BM_ERR_NO_DEVICE), a scripted failure, or a silent
 * device (waits for the timeout on the device's clock, then BM_ERR_TIMEOUT). Sets cmd->fix.
 */
enum bm_err sim_begin(struct bm_device *dev, struct sim_common *c, struct bm_cmd *cmd);

/*
 * One wait step inside a command (~10 ms, serving script actions). BM_OK to go on,
 * BM_ERR_CANCELLED, or BM_ERR_NO_DEVICE if unplugged meanwhile (cmd->fix set).
 */
enum bm_err sim_step(struct bm_device *dev, struct sim_common *c, struct bm_cmd *cmd,
                     unsigned ms);

/*
 * Applies a freshly derived status: posts an error event if a new error appeared, else only
 * the status change. The plug state is applied here (unplugged wins over everything).
 */
void sim_publish(struct bm_device *dev, struct sim_common *c, struct bm_device_status *st);

/* The common part of reset: clears a scripted failure; fails like any command when silent. */
enum bm_err sim_reset(struct bm_device *dev, struct sim_common *c, struct bm_cmd *cmd);

/* Printers: makes a unique output path "<dir>/<prefix>-<seq>-<YYYYmmdd-HHMMSS>.<ext>" and
 * creates the directory. */
enum bm_err sim_output_path(struct bm_device *dev, const char *prefix, unsigned seq,
                            const char *ext, char *buf, size_t size);
void sim_set_last_output(struct sim_common *c, const char *path);

/* sim_render.c (cairo): a receipt raster to PNG; a page image for the scanner. */
enum bm_err sim_render_receipt_png(const struct bm_raster *r, const char *path);
/* Releases cairo's and fontconfig's process-wide caches (at program exit). */
void sim_render_release(void);
enum bm_err sim_render_page(const char *png_path, const struct bm_scan_params *p,
                            struct bm_scan_image **out);

/* sim_cards.c */
struct bm_identity *sim_card_identity(enum bm_sim_card card, time_t now);

#endif
