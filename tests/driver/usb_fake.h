/*
 * usb_fake.h - a dynamic fake USB device for tests, on umockdev: the production libusb code
 * runs unchanged against it. One process-wide UMockdevTestbed holds any number of fakes; each
 * fake is described by data (ids, classes, endpoints, strings) from which the raw descriptors
 * are built, and answers usbfs ioctls itself: bulk/interrupt OUT data goes to a callback, IN
 * urbs stay pending until a callback has bytes for them (so a libusb timeout cancels them),
 * standard control requests are answered here, class/vendor ones by a callback. Unplug fails
 * new urbs with ENODEV, ends pending INs with -ESHUTDOWN and removes the device from the
 * testbed; replug adds it again with the next device number.
 *
 * Usage: call usb_fake_init(argv) first thing in main(): it creates the testbed and, when the
 * process is not under the umockdev preload, re-executes it under it (so CTest runs the test
 * binary plainly). See hardware-free.md, "USB devices", for the traps this follows.
 *
 * Threads: the callbacks run on umockdev's worker thread (one at a time, under the fake's
 * lock: they must not call usb_fake functions). Everything else: the test thread.
 */
#ifndef BM_TEST_USB_FAKE_H
#define BM_TEST_USB_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_FAKE_MAX_EP 8

struct usb_fake_endpoint {
    uint8_t address;     /* 0x81 IN, 0x02 OUT ... */
    uint8_t attributes;  /* 2 bulk, 3 interrupt */
    uint16_t max_packet; /* wMaxPacketSize */
};

struct usb_fake_desc {
    uint16_t vid, pid, bcd_device;                     /* bcd_device 0 -> 0x0100 */
    uint8_t dev_class, dev_subclass, dev_protocol;     /* 0: per interface */
    uint8_t if_class, if_subclass, if_protocol;        /* e.g. 0xFF vendor, 7/1/2 printer */
    const char *manufacturer, *product, *serial;       /* NULL: no string */
    int n_ep;
    struct usb_fake_endpoint ep[USB_FAKE_MAX_EP];
    unsigned speed_mbps; /* 12 (full, default) or 480 */
};

/* A control request's setup packet (host byte order). */
struct usb_fake_setup {
    uint8_t request_type, request;
    uint16_t value, index, length;
};

struct usb_fake_ops {
    /* The host sent bytes on an OUT endpoint (a stream: libusb may split transfers). */
    void (*out)(void *ud, uint8_t ep, const uint8_t *data, size_t n);
    /* Bytes the device has for an IN endpoint now, at most cap; 0 keeps the urb pending. */
    size_t (*in)(void *ud, uint8_t ep, uint8_t *buf, size_t cap);
    /* Class/vendor control requests: IN -> fill data, return its length; OUT -> data holds
     * the host's bytes, return 0. Negative: stall. NULL: every such request stalls. */
    int (*control)(void *ud, const struct usb_fake_setup *s, uint8_t *data, size_t cap);
    /* USBDEVFS_RESET (libusb_reset_device). May be NULL. */
    void (*reset)(void *ud);
};

/*
 * First thing in main(): creates the testbed; outside the umockdev preload, re-executes the
 * program under it (LD_PRELOAD=libumockdev-preload.so.0, ASAN_OPTIONS with
 * verify_asan_link_order=0) and does not return. Returns once inside the mock environment.
 */
void usb_fake_init(char **argv);
/* The testbed root (for diagnostics). */
const char *usb_fake_root(void);

struct usb_fake;

/* Adds a device to the testbed (plugged in). ops/ud are used until usb_fake_free. */
struct usb_fake *usb_fake_new(const struct usb_fake_desc *d, const struct usb_fake_ops *ops,
                              void *ud);
/* Unplugs if needed, then frees. Open libusb handles get ENODEV afterwards. */
void usb_fake_free(struct usb_fake *f);

void usb_fake_unplug(struct usb_fake *f);
/* Plugs the device in again, with a new device number. */
void usb_fake_replug(struct usb_fake *f);
bool usb_fake_plugged(struct usb_fake *f);
int usb_fake_busnum(struct usb_fake *f);
int usb_fake_devnum(struct usb_fake *f);
/* "/dev/bus/usb/BBB/DDD" of the current plug (valid until the next replug). */
const char *usb_fake_devnode(struct usb_fake *f);

/* The next transfers on ep end with -EPIPE (LIBUSB_ERROR_PIPE) until the host clears the
 * halt (libusb_clear_halt). */
void usb_fake_stall(struct usb_fake *f, uint8_t ep);

struct usb_fake_stats {
    unsigned opens, submits, reaps_done, reaps_empty, discards, controls, claims, releases,
        resets, clear_halts, stalls_sent, enodev;
    uint64_t out_bytes, in_bytes;
    unsigned pending_in; /* IN urbs waiting now */
};
void usb_fake_get_stats(struct usb_fake *f, struct usb_fake_stats *out);

/* Builds the raw descriptors (device + configuration + interface + endpoints); returns the
 * length (0 if cap is too small). Exposed for tests of the fake itself. */
size_t usb_fake_descriptors(const struct usb_fake_desc *d, uint8_t *out, size_t cap);

#endif
