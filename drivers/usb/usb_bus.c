/*
 * usb_bus.c - the libusb plumbing the USB drivers share (usb_bus.h).
 *
 * Plug events: where libusb has hotplug support, its callback sets an arrival flag that the
 * driver's tick reads without blocking; the drivers also retry opening on a timer, so a
 * platform without hotplug (or a missed event) only waits a little longer. An unplug shows as
 * LIBUSB_ERROR_NO_DEVICE on the next transfer.
 */
#include "usb_bus.h"

#include "core/log.h"

#include <stdatomic.h>
#include <stdlib.h>

struct bm_usb_bus {
    libusb_context *ctx;
    libusb_hotplug_callback_handle hotplug;
    bool has_hotplug;
    atomic_bool arrived;
    bm_usb_arrival_fn arrival;
    void *ud;
};

enum bm_err bm_usb_error(const char *name, int rc, const char *what)
{
    enum bm_err err = rc == LIBUSB_ERROR_TIMEOUT     ? BM_ERR_TIMEOUT
                      : rc == LIBUSB_ERROR_NO_DEVICE ? BM_ERR_NO_DEVICE
                                                     : BM_ERR_IO;
    return bm_err_set(err, "%s: %s: %s", name, what, libusb_error_name(rc));
}

/* ---- the bus and hotplug ---- */

static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev,
                                  libusb_hotplug_event event, void *ud)
{
    (void)ctx;
    struct bm_usb_bus *bus = ud;
    struct libusb_device_descriptor d;
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED &&
        (!bus->arrival ||
         (libusb_get_device_descriptor(dev, &d) == 0 && bus->arrival(&d, bus->ud))))
        atomic_store(&bus->arrived, true); /* the driver's tick opens it */
    return 0;                              /* stay registered */
}

struct bm_usb_bus *bm_usb_bus_new(const char *domain, bm_usb_arrival_fn arrival, void *ud)
{
    struct bm_usb_bus *bus = calloc(1, sizeof *bus);
    if (!bus) {
        bm_err_set(BM_ERR_NO_MEMORY, "usb context");
        return NULL;
    }
    int rc = libusb_init(&bus->ctx);
    if (rc != 0) {
        bm_err_set(BM_ERR_IO, "libusb_init: %s", libusb_error_name(rc));
        free(bus);
        return NULL;
    }
    bus->arrival = arrival;
    bus->ud = ud;
    atomic_init(&bus->arrived, false);
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        rc = libusb_hotplug_register_callback(
            bus->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0, LIBUSB_HOTPLUG_MATCH_ANY,
            LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, bus, &bus->hotplug);
        bus->has_hotplug = rc == LIBUSB_SUCCESS;
    }
    bm_log_debug(domain, "usb: hotplug %s", bus->has_hotplug ? "on" : "off (polling)");
    return bus;
}

void bm_usb_bus_free(struct bm_usb_bus *bus)
{
    if (!bus)
        return;
    if (bus->has_hotplug)
        libusb_hotplug_deregister_callback(bus->ctx, bus->hotplug);
    libusb_exit(bus->ctx);
    free(bus);
}

bool bm_usb_bus_arrived(struct bm_usb_bus *bus)
{
    if (!bus->has_hotplug)
        return false;
    struct timeval zero = {0, 0};
    libusb_handle_events_timeout_completed(bus->ctx, &zero, NULL);
    return atomic_exchange(&bus->arrived, false);
}

enum bm_err bm_usb_bus_open_first(struct bm_usb_bus *bus, const struct bm_usb_search *search)
{
    libusb_device **list;
    ssize_t n = libusb_get_device_list(bus->ctx, &list);
    if (n < 0)
        return bm_err_set(BM_ERR_IO, "usb: cannot list devices: %s", libusb_error_name((int)n));
    enum bm_err err = bm_err_set(BM_ERR_NO_DEVICE, "%s", search->none);
    bool opened = false;
    for (ssize_t i = 0; i < n && !opened; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) != 0 ||
            !search->wanted(list[i], &d, search->ud))
            continue;
        err = search->open(list[i], &d, search->ud);
        opened = err == BM_OK;
    }
    libusb_free_device_list(list, 1);
    return err;
}

/* ---- a device ---- */

enum bm_err bm_usb_claim(libusb_device *dev, int interface, int alt, const char *name,
                         libusb_device_handle **out)
{
    libusb_device_handle *handle = NULL;
    int rc = libusb_open(dev, &handle);
    if (rc == 0) {
        libusb_set_auto_detach_kernel_driver(handle, 1); /* usblp, if loaded */
        rc = libusb_claim_interface(handle, interface);
        if (rc == 0 && alt)
            rc = libusb_set_interface_alt_setting(handle, interface, alt);
        if (rc != 0)
            bm_usb_release(handle, interface);
    }
    if (rc != 0)
        return bm_usb_error(name, rc, rc == LIBUSB_ERROR_BUSY ? "claim" : "open");
    *out = handle;
    return BM_OK;
}

void bm_usb_release(libusb_device_handle *handle, int interface)
{
    if (!handle)
        return;
    libusb_release_interface(handle, interface);
    libusb_close(handle);
}

enum bm_err bm_usb_bulk(libusb_device_handle *handle, uint8_t ep, uint8_t *buf, size_t len,
                        unsigned timeout_ms, size_t *done, const char *name)
{
    int got = 0;
    int rc = libusb_bulk_transfer(handle, ep, buf, (int)len, &got, timeout_ms ? timeout_ms : 1);
    *done = got > 0 ? (size_t)got : 0;
    if (rc == LIBUSB_ERROR_PIPE)
        libusb_clear_halt(handle, ep);
    if (rc == 0 || (rc == LIBUSB_ERROR_TIMEOUT && *done > 0))
        return BM_OK;
    return bm_usb_error(name, rc, (ep & 0x80) ? "bulk in" : "bulk out");
}
