/*
 * sam_link.h - how the SAM reader driver reaches the reader: a link that sends a command frame
 * and receives response bytes, over USB bulk pipes (sam_usb.c) or a serial tty (sam_tty.c).
 * The reader logic (sam_reader.c) is the same over both.
 *
 * Every call takes a timeout and returns within it; BM_ERR_NO_DEVICE means the reader is gone
 * (unplugged, hung up) and the link must be closed and opened again.
 *
 * Threads: a link belongs to the device's worker thread.
 */
#ifndef BM_DRIVERS_SAM_LINK_H
#define BM_DRIVERS_SAM_LINK_H

#include "sam_codec.h"

#include "core/config.h"
#include "core/err.h"

#include <stdint.h>

struct sam_link;

struct sam_link_ops {
    /* Writes one whole command frame. */
    enum bm_err (*send)(struct sam_link *link, const uint8_t *frame, size_t len,
                        unsigned timeout_ms);
    /* Appends what the reader sends within timeout_ms to rx: at least one byte, or
     * BM_ERR_TIMEOUT. */
    enum bm_err (*receive)(struct sam_link *link, struct sam_rx *rx, unsigned timeout_ms);
    /* Drops whatever the reader sent that nobody asked for (a late answer to a timed-out
     * command). */
    void (*discard_input)(struct sam_link *link);
    void (*close)(struct sam_link *link);
};

struct sam_link {
    const struct sam_link_ops *ops;
    char name[64];       /* "usb 0400:c35a bus 1 dev 4", "tty /dev/ttyUSB0": for logs */
    uint64_t bytes_sent; /* on the wire, for diagnostics and the benchmark */
    uint64_t bytes_received;
};

/* Opens the serial reader at cfg's [id_reader] serial_device (115200 8N1 unless configured). */
enum bm_err sam_tty_open(const struct bm_config *cfg, struct sam_link **out);

/* ---- USB ---- */

/* Where a reader's frames go: one pipe each way, or header and body on separate pipes. */
struct sam_usb_pipes {
    bool split;         /* header (preamble + LEN) and body on separate endpoints */
    uint8_t out_header; /* split: OUT endpoint for the 7-byte header */
    uint8_t out_body;   /* split: OUT endpoint for the rest; single: the OUT endpoint */
    uint8_t in_header;  /* split: IN endpoint for the header */
    uint8_t in_body;    /* split: IN endpoint for the rest; single: the IN endpoint */
};

struct sam_usb_id {
    uint16_t vid, pid;
    struct sam_usb_pipes layout; /* single with zero endpoints: the interface's first pair */
    const char *model;
};

/* The built-in table of known readers (ends with vid 0). */
extern const struct sam_usb_id sam_usb_known[];

/*
 * Parses the config's [id_reader] usb_ids: comma-separated entries "VVVV:PPPP" (one pipe each
 * way, found in the interface), "VVVV:PPPP:split" (the pipes of 0400:C35A: 02 and 06 out, 81 and 85
 * in) or "VVVV:PPPP:OO/OO/II/II" (split with these endpoints: header out, body out, header in, body
 * in; hex). Fills up to cap entries; returns how many or -1 with bm_err set naming the entry.
 */
int sam_usb_parse_ids(const char *text, struct sam_usb_id *out, int cap);

struct sam_usb;
/* The USB side: a libusb context and the hotplug watch. NULL on failure (bm_err set). */
struct sam_usb *sam_usb_new(const struct bm_config *cfg);
void sam_usb_free(struct sam_usb *usb);
/* Whether a hotplug arrival was seen since the last call (always false without hotplug
 * support: the caller polls). Serves pending libusb events first. */
bool sam_usb_arrived(struct sam_usb *usb);
/* Opens the first known (built-in or configured) reader present. BM_ERR_NO_DEVICE if none. */
enum bm_err sam_usb_open(struct sam_usb *usb, struct sam_link **out);

#endif
