/*
 * driver.h - what a driver implements, and the helpers device.c gives it. For driver authors
 * only: nothing above drivers/ includes this.
 *
 * A driver is a const struct bm_driver: a name, its class, the size of its private state
 * (device.c allocates it zeroed, like SDL's video backends), and four functions. All four run
 * on the device's worker thread, one at a time, so a driver's state needs no lock:
 *   open   the hardware; fill the capabilities and the first status. An error is not fatal:
 *          the status says no_device (or what the driver set) and tick may retry.
 *   close  the hardware (runs after the worker stopped, on the thread closing the device).
 *   tick   periodic status polls while no command runs (every tick_ms; also when kicked).
 *   run    one command (struct bm_cmd): long waits go through bm_device_wait so cancel and
 *          posted actions are served promptly.
 * A driver reports through bm_device_set_status / bm_device_report_error / bm_device_emit;
 * device.c turns those into events on the main thread.
 */
#ifndef BM_DRIVERS_DRIVER_H
#define BM_DRIVERS_DRIVER_H

#include "barcode.h"
#include "device.h"
#include "doc_printer.h"
#include "id_reader.h"
#include "receipt_printer.h"
#include "scanner.h"

#include "core/worker.h"

enum bm_op {
    BM_OP_RESET,           /* args NULL */
    BM_OP_ID_READ,         /* args const struct bm_id_read_params *; result struct bm_identity * */
    BM_OP_RECEIPT_PRINT,   /* args const struct bm_receipt_job * (bits owned by device.c) */
    BM_OP_DOC_PRINT,       /* args const struct bm_doc_job * (pdf owned by device.c) */
    BM_OP_SCAN,            /* args const struct bm_scan_params *; result struct bm_scan_image * */
    BM_OP_BARCODE_ENABLE,  /* args NULL */
    BM_OP_BARCODE_DISABLE, /* args NULL */
    BM_OP_BARCODE_READ,    /* args const unsigned *timeout_ms; result struct bm_barcode_read * */
};

struct bm_cmd {
    enum bm_op op;
    uint64_t id;
    const void *args;
    void *result;    /* set by run on success only */
    enum bm_fix fix; /* set by run on failure: what fixes it */
    const struct bm_request *req;
};

struct bm_driver {
    const char *name;        /* as written in the config: "sim", "sam-usb", "escpos", ... */
    const char *description; /* one line for --help and diagnostics */
    enum bm_device_class cls;
    size_t priv_size;
    unsigned tick_ms; /* 0: tick only when kicked */
    enum bm_err (*open)(struct bm_device *dev);
    void (*close)(struct bm_device *dev);
    void (*tick)(struct bm_device *dev);
    enum bm_err (*run)(struct bm_device *dev, struct bm_cmd *cmd);
};

/* ---- for the driver, on the worker thread unless said otherwise ---- */

void *bm_device_priv(struct bm_device *dev);
const struct bm_clock *bm_device_clock(const struct bm_device *dev);
const struct bm_config *bm_device_config(const struct bm_device *dev);
const struct bm_driver *bm_device_driver(const struct bm_device *dev);

/* Sets the capabilities (size must be the class's caps struct). Normally in open. */
void bm_device_set_caps(struct bm_device *dev, const void *caps, size_t size);
/* Copies the capabilities out (size checked). Any thread. */
enum bm_err bm_device_get_caps(const struct bm_device *dev, enum bm_device_class cls, void *out,
                               size_t size);

/*
 * Replaces the status (start from a bm_device_get_status copy). If anything changed, posts a
 * BM_EVENT_STATUS with the new snapshot.
 */
void bm_device_set_status(struct bm_device *dev, const struct bm_device_status *st);

/*
 * Records an outstanding error in the status (error, fix, detail; `state` becomes the device
 * state unless it is BM_DEVICE_STARTING, which keeps the current one) and posts the status
 * change followed by a BM_EVENT_ERROR, so whoever handles the error sees the new status.
 * detail: never personal data.
 */
void bm_device_report_error(struct bm_device *dev, enum bm_device_state state, enum bm_err err,
                            enum bm_fix fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Posts a BM_EVENT_ERROR about the medium in hand (a card that will not read) and leaves the
 * status alone: the device itself is fine, so nobody reading the status may see the error,
 * not even for a moment. detail: never personal data.
 */
void bm_device_report_media_error(struct bm_device *dev, enum bm_err err, enum bm_fix fix,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Clears the outstanding error (status error BM_OK, fix none) and sets the state. */
void bm_device_clear_error(struct bm_device *dev, enum bm_device_state state);

/*
 * Posts a media or code event with the current status. Takes ownership of identity / code
 * (either may be NULL), freeing them if the event cannot be delivered.
 */
void bm_device_emit(struct bm_device *dev, enum bm_device_event_kind kind,
                    struct bm_identity *identity, struct bm_barcode_read *code);

/*
 * Inside run: posts a BM_EVENT_PROGRESS for cmd (done of total units: bytes sent, rows, pages).
 * Call it at most a few times a second; screens draw a progress bar from it.
 */
void bm_device_progress(struct bm_device *dev, const struct bm_cmd *cmd, uint64_t done,
                        uint64_t total);

/*
 * Queues fn(dev, arg) to run on the device's worker thread: at the next tick, or inside a
 * running command's bm_device_wait. Any thread. free_arg (may be NULL) disposes of arg after
 * fn ran or if it never runs (device closed). Used by the sim's script API and by hotplug
 * callbacks that arrive on other threads.
 */
typedef void (*bm_device_action_fn)(struct bm_device *dev, void *arg);
enum bm_err bm_device_post_action(struct bm_device *dev, bm_device_action_fn fn, void *arg,
                                  void (*free_arg)(void *arg));

/*
 * Inside run: waits up to ms of real time, serving posted actions meanwhile. Returns true as
 * soon as the command is cancelled (or the device is closing).
 */
bool bm_device_wait(struct bm_device *dev, const struct bm_cmd *cmd, unsigned ms);

/* Changes how often tick runs (e.g. to a configured poll interval). Normally in open. */
void bm_device_set_tick_ms(struct bm_device *dev, unsigned tick_ms);

/* Runs the posted actions now (tick does so too). */
void bm_device_run_actions(struct bm_device *dev);

/* ---- for the class wrappers (id_reader.c, ...) ---- */

/* Hands a finished command to the caller's typed callback (fn cast back to its real type). */
typedef void (*bm_device_deliver_fn)(const struct bm_completion *c, void *result, void (*fn)(void),
                                     void *ud);

struct bm_submit {
    enum bm_device_class cls; /* the class the caller believes dev is */
    enum bm_op op;
    void *args; /* heap copy, consumed in every case */
    void (*args_free)(void *args);
    void (*result_free)(void *result); /* for a result nobody takes */
    bm_device_deliver_fn deliver;
    void (*fn)(void);
    void *ud;
};

/*
 * Queues a command on the device's worker. On BM_OK deliver runs exactly once on the main
 * thread. On failure (NULL device: BM_ERR_NO_DEVICE, wrong class: BM_ERR_INVALID_ARG, queue
 * full, closing) nothing is called. args are consumed either way.
 */
enum bm_err bm_device_submit(struct bm_device *dev, const struct bm_submit *s, uint64_t *id);

#endif
