/*
 * escpos.h - the ESC/POS receipt printer driver over USB ("escpos-usb"), for the registry and
 * the tests, and its USB transport (escpos_usb.c) for the driver. How it behaves:
 * escpos_printer.c and docs/receipt-printer.md.
 *
 * Threads: the transport belongs to the device's worker thread.
 */
#ifndef BM_DRIVERS_ESCPOS_H
#define BM_DRIVERS_ESCPOS_H

#include "drivers/driver.h"

#include <stdint.h>

extern const struct bm_driver bm_escpos_usb_driver; /* "escpos-usb" */

/* Bytes on the wire per bulk transfer: a large write goes out in chunks of this size, each with
 * its own timeout, so a stalled printer is noticed within one timeout. */
#define ESCPOS_USB_CHUNK 16384u

struct escpos_usb_id {
    uint16_t vid, pid;
    const char *model;
};
/* Printers that do not say they are printers (vendor class); ends with vid 0. */
extern const struct escpos_usb_id escpos_usb_known[];

/* Parses [receipt_printer] usb_ids, "VVVV:PPPP,VVVV:PPPP" (hex). Returns how many, or -1 with
 * bm_err set naming the bad entry. */
int escpos_usb_parse_ids(const char *text, struct escpos_usb_id *out, int cap);

struct escpos_usb;  /* libusb context + hotplug watch */
struct escpos_port; /* one open printer */

struct escpos_usb *escpos_usb_new(const struct bm_config *cfg);
void escpos_usb_free(struct escpos_usb *usb);
/* A matching printer arrived (hotplug) since the last call; false without hotplug support. */
bool escpos_usb_arrived(struct escpos_usb *usb);
/* Opens the first printer: USB printer class 7 with a bulk OUT, or a known/configured VID:PID. */
enum bm_err escpos_usb_open(struct escpos_usb *usb, struct escpos_port **out);

void escpos_port_close(struct escpos_port *p);
/* "usb 04b8:0202 bus 1 dev 4", for logs. */
const char *escpos_port_name(const struct escpos_port *p);
/* Whether the printer has a bulk IN pipe for status replies. */
bool escpos_port_bidirectional(const struct escpos_port *p);
/* Writes all of data in chunks, each within timeout_ms. NO_DEVICE: unplugged; TIMEOUT: stalled. */
enum bm_err escpos_port_write(struct escpos_port *p, const uint8_t *data, size_t len,
                              unsigned timeout_ms);
/* Reads what the printer sent within timeout_ms (*got may be 0 on TIMEOUT). */
enum bm_err escpos_port_read(struct escpos_port *p, uint8_t *buf, size_t cap, size_t *got,
                             unsigned timeout_ms);
/* Drops unread input (late replies, ASB blocks nobody asked for). */
void escpos_port_drain(struct escpos_port *p);
/* Class requests: GET_DEVICE_ID (raw reply) and GET_PORT_STATUS (1 byte). */
enum bm_err escpos_port_device_id(struct escpos_port *p, uint8_t *buf, size_t cap, size_t *len,
                                  unsigned timeout_ms);
enum bm_err escpos_port_status(struct escpos_port *p, uint8_t *status, unsigned timeout_ms);
/* The class request SOFT_RESET: the printer flushes its buffers (what it has not printed). */
enum bm_err escpos_port_soft_reset(struct escpos_port *p, unsigned timeout_ms);
uint64_t escpos_port_bytes_sent(const struct escpos_port *p);

#endif
