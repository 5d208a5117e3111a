/*
 * device.h - the one device model every class and every driver shares.
 *
 * The model follows XFS4IoT, the open standard for self-service terminals. A device has a
 * state (`device`: online, offline, power_off, no_device, hardware_error, user_error, busy,
 * starting) and class fields (a card reader's media, a printer's paper, ...). Everything that
 * goes wrong is reported as an error event that says what fixes it: a reset, a member of staff
 * (clear: load paper, close the cover), a technician (maintenance), or nothing but waiting
 * (suspend: the device recovers by itself).
 *
 * Commands are asynchronous. Each accepted command completes exactly once, on the main thread,
 * through the main loop: with its result, with BM_ERR_CANCELLED, or with BM_ERR_SHUTDOWN when
 * the device was closed first. Events (media inserted/removed/taken, status changed, error,
 * code read) are delivered on the main thread to the one callback given at open; the receiver
 * owns each event and frees it with bm_device_event_free, which wipes the personal data in it.
 *
 * Each open device owns one worker thread: the driver's code runs there and only there, so a
 * driver needs no locks of its own. The status snapshot is copied under a lock and may be read
 * from any thread. Everything else in this header is for the main thread unless it says
 * otherwise.
 *
 * The class headers (id_reader.h, receipt_printer.h, doc_printer.h, scanner.h, barcode.h) add
 * capabilities and typed commands; registry.h opens the driver the config names; driver.h is
 * for people writing a driver.
 */
#ifndef BM_DRIVERS_DEVICE_H
#define BM_DRIVERS_DEVICE_H

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bm_device;
struct bm_identity;     /* id_reader.h */
struct bm_barcode_read; /* barcode.h */

enum bm_device_class {
    BM_CLASS_ID_READER,
    BM_CLASS_RECEIPT_PRINTER,
    BM_CLASS_DOC_PRINTER,
    BM_CLASS_SCANNER,
    BM_CLASS_BARCODE,
    BM_CLASS_COUNT
};

/* A set of device classes: bit BM_DEVICE_BIT(cls) for each. */
typedef unsigned bm_device_mask;
#define BM_DEVICE_BIT(cls) (1u << (cls))

/* "id_reader", "receipt_printer", ...: also the key in the config's [devices] section. */
const char *bm_device_class_name(enum bm_device_class cls);

/* XFS4IoT Common.Status.device. */
enum bm_device_state {
    BM_DEVICE_STARTING,       /* opening; commands queue until it settles */
    BM_DEVICE_ONLINE,         /* ready */
    BM_DEVICE_OFFLINE,        /* connected but not answering / switched offline */
    BM_DEVICE_POWER_OFF,      /* connected but without power */
    BM_DEVICE_NO_DEVICE,      /* absent, unplugged, or not configured */
    BM_DEVICE_HARDWARE_ERROR, /* broken: see the status's error and fix */
    BM_DEVICE_USER_ERROR,     /* a person must act (cover open, paper jammed by a user) */
    BM_DEVICE_BUSY,           /* cannot take a command now */
};
const char *bm_device_state_name(enum bm_device_state state);

/* What makes an error go away. */
enum bm_fix {
    BM_FIX_NONE,        /* nothing outstanding (or the error was the caller's) */
    BM_FIX_RESET,       /* a reset command (bm_device_reset) should recover it */
    BM_FIX_CLEAR,       /* staff can fix it on site: load paper, clear a jam, close a cover */
    BM_FIX_MAINTENANCE, /* a technician must come: broken, unplugged, SAM failure */
    BM_FIX_SUSPEND,     /* wait: the device recovers by itself */
};
const char *bm_fix_name(enum bm_fix fix);

/* ---- class fields of the status ---- */

enum bm_card_media { BM_CARD_UNKNOWN, BM_CARD_NOT_PRESENT, BM_CARD_PRESENT, BM_CARD_JAMMED };
enum bm_sam_state { BM_SAM_UNKNOWN, BM_SAM_OK, BM_SAM_ERROR, BM_SAM_MISSING };

struct bm_id_reader_fields {
    enum bm_card_media media;
    enum bm_sam_state sam;
    char sam_id[48]; /* the security module's id, for technicians (not personal) */
};

enum bm_paper { BM_PAPER_UNKNOWN, BM_PAPER_FULL, BM_PAPER_LOW, BM_PAPER_OUT, BM_PAPER_JAMMED };
const char *bm_paper_name(enum bm_paper paper);

/* Where the last receipt is: none at the exit, presented (waiting to be taken), taken. */
enum bm_print_media { BM_PRINT_MEDIA_NONE, BM_PRINT_MEDIA_PRESENTED, BM_PRINT_MEDIA_TAKEN };
enum bm_cutter { BM_CUTTER_UNKNOWN, BM_CUTTER_OK, BM_CUTTER_ERROR };

struct bm_receipt_printer_fields {
    enum bm_paper paper;
    enum bm_print_media media;
    bool cover_open;
    enum bm_cutter cutter;
};

enum bm_toner { BM_TONER_UNKNOWN, BM_TONER_FULL, BM_TONER_LOW, BM_TONER_OUT };

struct bm_doc_printer_fields {
    enum bm_paper paper;
    enum bm_toner toner;
    bool cover_open;
    bool accepting_jobs;
};

enum bm_scan_media {
    BM_SCAN_MEDIA_UNKNOWN,
    BM_SCAN_MEDIA_NOT_PRESENT,
    BM_SCAN_MEDIA_PRESENT,
    BM_SCAN_MEDIA_JAMMED
};

struct bm_scanner_fields {
    enum bm_scan_media flatbed; /* a document lies on the glass */
    enum bm_scan_media adf;     /* pages wait in the feeder (BM_SCAN_MEDIA_UNKNOWN: no ADF) */
};

struct bm_barcode_fields {
    bool enabled; /* codes are being read and reported */
};

/* A snapshot of one device's status. Plain data: copy it freely. */
struct bm_device_status {
    enum bm_device_class cls;
    enum bm_device_state device;
    /* The outstanding problem, if any (BM_OK / BM_FIX_NONE when none), for screens and logs. */
    enum bm_err error;
    enum bm_fix fix;
    char detail[96]; /* for the technician log; never personal data */
    union {
        struct bm_id_reader_fields id_reader;
        struct bm_receipt_printer_fields receipt;
        struct bm_doc_printer_fields doc;
        struct bm_scanner_fields scanner;
        struct bm_barcode_fields barcode;
    };
};

/* ---- events ---- */

enum bm_device_event_kind {
    BM_EVENT_STATUS,         /* the status changed; status holds the new snapshot */
    BM_EVENT_ERROR,          /* something failed: err, fix, detail */
    BM_EVENT_MEDIA_INSERTED, /* card inserted (identity, if it could be read) / page placed */
    BM_EVENT_MEDIA_REMOVED,  /* card or page removed */
    BM_EVENT_MEDIA_TAKEN,    /* the resident took the receipt */
    BM_EVENT_CODE_READ,      /* a barcode was read while enabled (code) */
    BM_EVENT_PROGRESS,       /* a running command moved on: cmd_id, done of total units */
};
const char *bm_device_event_kind_name(enum bm_device_event_kind kind);

struct bm_device_event {
    enum bm_device_event_kind kind;
    enum bm_device_class cls;
    struct bm_device_status status; /* the status when the event happened (every kind) */
    enum bm_err err;                /* BM_EVENT_ERROR */
    enum bm_fix fix;                /* BM_EVENT_ERROR */
    char detail[96];                /* BM_EVENT_ERROR: for the technician log */
    struct bm_identity *identity;   /* MEDIA_INSERTED on an id reader; NULL if unreadable */
    struct bm_barcode_read *code;   /* CODE_READ */
    uint64_t cmd_id;                /* PROGRESS: the command (its bm_*_submit id) */
    uint64_t done, total;           /* PROGRESS: units (bytes, rows, pages) done so far */
};

/* Wipes and frees the event with whatever personal data it carries. NULL is ignored. */
void bm_device_event_free(struct bm_device_event *ev);

/* Runs on the main thread; owns ev (free it with bm_device_event_free). */
typedef void (*bm_device_event_fn)(struct bm_device_event *ev, void *ud);

/* ---- commands ---- */

/* How a command ended. detail is for the technician log and never holds personal data. */
struct bm_completion {
    uint64_t id; /* the id bm_*_submit returned */
    enum bm_err err;
    enum bm_fix fix; /* what fixes err (BM_FIX_NONE on success or cancel) */
    char detail[96];
};

/* Completion of a command without a result (reset, barcode enable/disable). */
typedef void (*bm_device_done_fn)(const struct bm_completion *c, void *ud);

/* ---- opening and closing ---- */

struct bm_device_params {
    const struct bm_config *cfg;  /* must outlive the device */
    const struct bm_clock *clock; /* NULL: the system clock; must outlive the device */
    bm_device_event_fn on_event;  /* may be NULL: events are dropped */
    void *ud;
};

struct bm_driver; /* driver.h */

/*
 * Opens a device with the given driver (registry.h finds drivers by name). Returns at once
 * with the status `starting`; the driver opens on the device's worker thread and the status
 * becomes online (or no_device, ...) with a BM_EVENT_STATUS. Commands submitted meanwhile
 * wait their turn. Fails only if the worker cannot start.
 */
enum bm_err bm_device_open(const struct bm_driver *driver, const struct bm_device_params *p,
                           struct bm_device **out);

/*
 * Closes the device: the running command is cancelled, every command still pending completes
 * (BM_ERR_CANCELLED / BM_ERR_SHUTDOWN) on the main thread through the loop, after this returns:
 * keep their ud valid until then. Events not yet delivered are dropped (freed, never passed to
 * on_event). NULL is ignored.
 */
void bm_device_close(struct bm_device *dev);

/*
 * Copies the status. Any thread. A NULL device (class configured "none") reads as no_device
 * for cls.
 */
void bm_device_get_status(const struct bm_device *dev, enum bm_device_class cls,
                          struct bm_device_status *out);

enum bm_device_class bm_device_class(const struct bm_device *dev);
/* The driver's name ("sim", "sam-usb", ...). Static string. Any thread. */
const char *bm_device_driver_name(const struct bm_device *dev);

/*
 * Cancels command id: a queued command completes with BM_ERR_CANCELLED at once (delivered
 * through the loop), a running one as soon as the driver notices. BM_ERR_NOT_FOUND if it
 * already completed. Any thread.
 */
enum bm_err bm_device_cancel(struct bm_device *dev, uint64_t id);

/* Resets the device (every class): the fix for errors whose fix is BM_FIX_RESET. */
enum bm_err bm_device_reset(struct bm_device *dev, bm_device_done_fn done, void *ud, uint64_t *id);

/* The id of the command the driver is running now, 0 if none. Any thread (diagnostics). */
uint64_t bm_device_running(const struct bm_device *dev);

#endif
