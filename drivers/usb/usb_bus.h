/*
 * usb_bus.h - what the USB drivers share (libusb): a watch on the bus (a libusb context, with
 * hotplug where libusb has it), the search for the first device a driver wants, claiming an
 * interface, bulk transfers, and libusb's errors in ours. Each driver keeps what is its own:
 * which devices it wants, which interface and endpoints, and what goes over them.
 *
 * Threads: a bus and its handles belong to one device's worker thread; libusb's event
 * handling, run from bm_usb_bus_arrived, only sets the arrival flag.
 */
#ifndef BM_DRIVERS_USB_BUS_H
#define BM_DRIVERS_USB_BUS_H

#include "core/err.h"

#include <libusb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bm_usb_bus;

/* Whether an arriving device may be one of the driver's; NULL: any arrival counts. Called from
 * libusb's event handling, so it looks at the device descriptor only. */
typedef bool (*bm_usb_arrival_fn)(const struct libusb_device_descriptor *d, void *ud);

/* A libusb context and its hotplug watch. domain names the driver in the log ("id_reader").
 * NULL on failure, with bm_err set. */
struct bm_usb_bus *bm_usb_bus_new(const char *domain, bm_usb_arrival_fn arrival, void *ud);
void bm_usb_bus_free(struct bm_usb_bus *bus);
/* Whether a wanted device arrived since the last call; always false without hotplug support
 * (the driver polls). Serves pending libusb events first, without waiting. */
bool bm_usb_bus_arrived(struct bm_usb_bus *bus);

struct bm_usb_search {
    /* Whether the driver wants this device (cheap: descriptors only). */
    bool (*wanted)(libusb_device *dev, const struct libusb_device_descriptor *d, void *ud);
    /* Opens a wanted device; BM_OK ends the search. */
    enum bm_err (*open)(libusb_device *dev, const struct libusb_device_descriptor *d, void *ud);
    void *ud;
    const char *none; /* the error when no device is wanted: "no receipt printer on USB" */
};
/* Opens the first wanted device that opens. Otherwise the last open's error, or none's
 * BM_ERR_NO_DEVICE. */
enum bm_err bm_usb_bus_open_first(struct bm_usb_bus *bus, const struct bm_usb_search *search);

/* libusb's error rc, during what, on the device called name: TIMEOUT, NO_DEVICE (unplugged)
 * or IO, with bm_err set. */
enum bm_err bm_usb_error(const char *name, int rc, const char *what);

/* Opens dev and claims its interface (and alt setting, when not 0), detaching a kernel driver
 * (usblp) if one holds it. name is for the error. */
enum bm_err bm_usb_claim(libusb_device *dev, int interface, int alt, const char *name,
                         libusb_device_handle **out);
/* Releases the interface and closes the handle; NULL is fine. */
void bm_usb_release(libusb_device_handle *handle, int interface);

/* One bulk transfer on ep (IN or OUT by its direction bit) within timeout_ms (0: 1 ms). A
 * stalled pipe is cleared. Bytes that moved before a timeout count: BM_OK with *done > 0. */
enum bm_err bm_usb_bulk(libusb_device_handle *handle, uint8_t ep, uint8_t *buf, size_t len,
                        unsigned timeout_ms, size_t *done, const char *name);

#endif
