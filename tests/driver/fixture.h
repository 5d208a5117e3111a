/*
 * fixture.h - what the driver tests share: SDL events + the main loop (once per program), a
 * config whose sim output goes to a fresh temp dir, a manual clock, and recorders that count
 * command completions and keep the events a device delivers. Main thread only.
 */
#ifndef BM_TEST_DRIVER_FIXTURE_H
#define BM_TEST_DRIVER_FIXTURE_H

#include "test_support.h"

#include "core/clock.h"
#include "core/config.h"
#include "drivers/barcode.h"
#include "drivers/device.h"
#include "drivers/doc_printer.h"
#include "drivers/id_reader.h"
#include "drivers/receipt_printer.h"
#include "drivers/registry.h"
#include "drivers/scanner.h"
#include "drivers/sim/sim.h"

#define FX_MAX_EVENTS 256
#define FX_MAX_CMDS 16

/* One command's completions: how many times done ran, and how. */
struct fx_cmd {
    uint64_t id;
    int calls;
    struct bm_completion c;
    void *result; /* identity / image / code, owned here until fx_teardown */
};

struct fx {
    struct bm_config *cfg;
    struct bm_clock clock;
    char out_dir[4096];
    struct bm_device_event *events[FX_MAX_EVENTS];
    int n_events;
    struct fx_cmd cmds[FX_MAX_CMDS];
    int n_cmds;
};

/* Program start/end: SDL events and the loop. */
void fx_global_init(void);
void fx_global_fini(void);

/* Per test. Returns the fixture (static). */
struct fx *fx_setup(void);
void fx_teardown(struct fx *f);

/* Opens the configured driver of cls with the recorder; waits until it left `starting`. */
struct bm_device *fx_open(struct fx *f, enum bm_device_class cls);
/* The same with another clock (NULL: the system clock, for drivers that talk to emulated
 * hardware in real time). */
struct bm_device *fx_open_clock(struct fx *f, enum bm_device_class cls,
                                const struct bm_clock *clock);

/* A fresh completion slot to pass as ud to a command; and the callbacks that fill it. */
struct fx_cmd *fx_cmd(struct fx *f);
void fx_done(const struct bm_completion *c, void *ud);
void fx_done_identity(const struct bm_completion *c, struct bm_identity *id, void *ud);
void fx_done_image(const struct bm_completion *c, struct bm_scan_image *img, void *ud);
void fx_done_code(const struct bm_completion *c, struct bm_barcode_read *code, void *ud);

/*
 * How long a wait may take before the test gives up. Waits end as soon as their condition
 * holds, so this costs nothing when things work; it is long because a sanitizer build on a
 * busy 2-core machine can be slow.
 */
#define FX_WAIT_MS 30000

/* Runs the loop until the slot completed (or FX_WAIT_MS); then a little more, to catch a second call. */
bool fx_wait_cmd(struct fx_cmd *k);
/* Runs the loop until at least n events arrived (or FX_WAIT_MS). */
bool fx_wait_events(struct fx *f, int n);
/* Runs the loop until an event of kind arrived after index `from` (or FX_WAIT_MS); its index or -1. */
int fx_wait_event(struct fx *f, int from, enum bm_device_event_kind kind);
/* Runs the loop until the device's status satisfies pred (or FX_WAIT_MS). */
bool fx_wait_status(struct bm_device *dev, bool (*pred)(const struct bm_device_status *st));
/* Runs the loop until dev runs command id (or FX_WAIT_MS). */
bool fx_wait_running(struct bm_device *dev, uint64_t id);
/* Runs the loop for ms. */
void fx_pump(unsigned ms);

#endif
