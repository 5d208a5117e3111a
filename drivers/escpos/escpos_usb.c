/*
 * escpos_usb.c - the USB transport of the ESC/POS receipt printer (libusb).
 *
 * Printers are found two ways: any interface of USB printer class 7 with a bulk OUT pipe, and a
 * VID:PID table for printers that report a vendor class (04b8:0202 and friends), extendable
 * from the config's [receipt_printer] usb_ids. A bidirectional printer (protocol 2, or a bulk
 * IN pipe) answers status on bulk IN; a unidirectional one only has the class request
 * GET_PORT_STATUS (paper empty / not error / selected), which the driver falls back on.
 *
 * Writes go out in ESCPOS_USB_CHUNK pieces with a timeout each, so a printer that stops taking
 * data is seen within one timeout however large the receipt. The bus, plug events and bulk
 * transfers are the USB drivers' shared part (drivers/usb/usb_bus.c).
 *
 * Threads: the device's worker thread (libusb's event handling only sets the arrival flag).
 */
#include "escpos.h"

#include "core/log.h"
#include "drivers/usb/usb_bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct escpos_usb_id escpos_usb_known[] = {
    {0x04B8, 0x0202, "Epson TM series (vendor class)"},
    {0x0416, 0x5011, "Winbond-based POS-58/80 (vendor class)"},
    {0, 0, NULL},
};

#define MAX_CONFIGURED 16

struct escpos_usb {
    struct bm_usb_bus *bus;
    struct escpos_usb_id configured[MAX_CONFIGURED];
    int n_configured;
};

struct escpos_port {
    libusb_device_handle *handle;
    int interface, alt;
    uint8_t ep_out, ep_in; /* ep_in 0: unidirectional */
    char name[64];
    uint64_t bytes_sent;
};

int escpos_usb_parse_ids(const char *text, struct escpos_usb_id *out, int cap)
{
    int n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = p + strcspn(p, ", ");
        char *e1, *e2;
        unsigned long vid = strtoul(p, &e1, 16), pid = 0;
        bool ok = e1 != p && *e1 == ':' && vid <= 0xFFFF;
        if (ok) {
            pid = strtoul(e1 + 1, &e2, 16);
            ok = e2 != e1 + 1 && e2 == end && pid <= 0xFFFF;
        }
        if (!ok) {
            bm_err_set(BM_ERR_CONFIG, "[receipt_printer] usb_ids: \"%.*s\" is not VVVV:PPPP (hex)",
                       (int)(end - p) > 40 ? 40 : (int)(end - p), p);
            return -1;
        }
        if (n >= cap) {
            bm_err_set(BM_ERR_CONFIG, "[receipt_printer] usb_ids: more than %d entries", cap);
            return -1;
        }
        out[n++] = (struct escpos_usb_id){(uint16_t)vid, (uint16_t)pid, "configured printer"};
        p = end;
    }
    return n;
}

/* ---- transfers ---- */

enum bm_err escpos_port_write(struct escpos_port *p, const uint8_t *data, size_t len,
                              unsigned timeout_ms)
{
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < ESCPOS_USB_CHUNK ? len - off : ESCPOS_USB_CHUNK;
        size_t got = 0;
        /* Slow but moving (a timeout after some bytes) is BM_OK: the next chunk gets its own
         * timeout. */
        enum bm_err err =
            bm_usb_bulk(p->handle, p->ep_out, (uint8_t *)data + off, n, timeout_ms, &got, p->name);
        off += got;
        p->bytes_sent += got;
        if (err != BM_OK)
            return err;
    }
    return BM_OK;
}

enum bm_err escpos_port_read(struct escpos_port *p, uint8_t *buf, size_t cap, size_t *got,
                             unsigned timeout_ms)
{
    *got = 0;
    if (!p->ep_in)
        return bm_err_set(BM_ERR_UNSUPPORTED, "%s: no bulk IN", p->name);
    return bm_usb_bulk(p->handle, p->ep_in, buf, cap, timeout_ms, got, p->name);
}

void escpos_port_drain(struct escpos_port *p)
{
    uint8_t scrap[64];
    size_t got;
    for (int i = 0; p->ep_in && i < 8; i++)
        if (escpos_port_read(p, scrap, sizeof scrap, &got, 1) != BM_OK || got == 0)
            break;
}

enum bm_err escpos_port_device_id(struct escpos_port *p, uint8_t *buf, size_t cap, size_t *len,
                                  unsigned timeout_ms)
{
    *len = 0;
    int rc = libusb_control_transfer(p->handle, 0xA1, 0, 0, (uint16_t)(p->interface << 8 | p->alt),
                                     buf, (uint16_t)(cap > 0xFFFF ? 0xFFFF : cap), timeout_ms);
    if (rc < 0)
        return bm_usb_error(p->name, rc, "GET_DEVICE_ID");
    *len = (size_t)rc;
    return BM_OK;
}

enum bm_err escpos_port_status(struct escpos_port *p, uint8_t *status, unsigned timeout_ms)
{
    int rc = libusb_control_transfer(p->handle, 0xA1, 1, 0, (uint16_t)p->interface, status, 1,
                                     timeout_ms);
    if (rc < 0)
        return bm_usb_error(p->name, rc, "GET_PORT_STATUS");
    if (rc != 1)
        return bm_err_set(BM_ERR_PARSE, "%s: GET_PORT_STATUS: %d bytes", p->name, rc);
    return BM_OK;
}

enum bm_err escpos_port_soft_reset(struct escpos_port *p, unsigned timeout_ms)
{
    int rc =
        libusb_control_transfer(p->handle, 0x21, 2, 0, (uint16_t)p->interface, NULL, 0, timeout_ms);
    return rc < 0 ? bm_usb_error(p->name, rc, "SOFT_RESET") : BM_OK;
}

const char *escpos_port_name(const struct escpos_port *p)
{
    return p->name;
}

bool escpos_port_bidirectional(const struct escpos_port *p)
{
    return p->ep_in != 0;
}

uint64_t escpos_port_bytes_sent(const struct escpos_port *p)
{
    return p->bytes_sent;
}

void escpos_port_close(struct escpos_port *p)
{
    if (!p)
        return;
    bm_usb_release(p->handle, p->interface);
    free(p);
}

/* ---- finding and opening a printer ---- */

static const struct escpos_usb_id *lookup(const struct escpos_usb *usb, uint16_t vid, uint16_t pid)
{
    for (int i = 0; i < usb->n_configured; i++)
        if (usb->configured[i].vid == vid && usb->configured[i].pid == pid)
            return &usb->configured[i];
    for (const struct escpos_usb_id *k = escpos_usb_known; k->vid; k++)
        if (k->vid == vid && k->pid == pid)
            return k;
    return NULL;
}

/*
 * The interface to print on: a printer-class one, or (by_id) the first with a bulk OUT. Fills
 * the endpoints; an IN endpoint counts only where the interface can use it (printer protocol 2
 * or 3, or any vendor interface that has one).
 */
static bool find_interface(libusb_device *dev, bool by_id, struct escpos_port *p)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
        return false;
    bool found = false;
    for (int i = 0; i < cfg->bNumInterfaces && !found; i++) {
        for (int a = 0; a < cfg->interface[i].num_altsetting && !found; a++) {
            const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[a];
            bool printer = alt->bInterfaceClass == LIBUSB_CLASS_PRINTER;
            if (!printer && !by_id)
                continue;
            uint8_t in = 0, out = 0;
            for (int e = 0; e < alt->bNumEndpoints; e++) {
                const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
                if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
                    continue;
                if ((ep->bEndpointAddress & 0x80) && !in)
                    in = ep->bEndpointAddress;
                if (!(ep->bEndpointAddress & 0x80) && !out)
                    out = ep->bEndpointAddress;
            }
            if (!out)
                continue;
            found = true;
            p->interface = alt->bInterfaceNumber;
            p->alt = alt->bAlternateSetting;
            p->ep_out = out;
            p->ep_in = (printer && alt->bInterfaceProtocol == 1) ? 0 : in;
        }
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

static bool is_printer_class(libusb_device *dev)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
        return false;
    bool yes = false;
    for (int i = 0; i < cfg->bNumInterfaces && !yes; i++)
        for (int a = 0; a < cfg->interface[i].num_altsetting; a++)
            yes |= cfg->interface[i].altsetting[a].bInterfaceClass == LIBUSB_CLASS_PRINTER;
    libusb_free_config_descriptor(cfg);
    return yes;
}

/* The search's state: the port once opened. */
struct search {
    struct escpos_usb *usb;
    struct escpos_port *port;
};

static bool wanted(libusb_device *dev, const struct libusb_device_descriptor *d, void *ud)
{
    struct search *s = ud;
    return lookup(s->usb, d->idVendor, d->idProduct) || is_printer_class(dev);
}

static enum bm_err open_device(libusb_device *dev, const struct libusb_device_descriptor *d,
                               void *ud)
{
    struct search *s = ud;
    bool by_id = lookup(s->usb, d->idVendor, d->idProduct) != NULL;
    struct escpos_port *p = calloc(1, sizeof *p);
    if (!p)
        return bm_err_set(BM_ERR_NO_MEMORY, "usb port");
    snprintf(p->name, sizeof p->name, "usb %04x:%04x bus %u dev %u", d->idVendor, d->idProduct,
             libusb_get_bus_number(dev), libusb_get_device_address(dev));
    if (!find_interface(dev, by_id, p)) {
        free(p);
        return bm_err_set(BM_ERR_UNSUPPORTED, "usb %04x:%04x: no interface with a bulk OUT pipe",
                          d->idVendor, d->idProduct);
    }
    enum bm_err err = bm_usb_claim(dev, p->interface, p->alt, p->name, &p->handle);
    if (err != BM_OK) {
        free(p);
        return err;
    }
    s->port = p;
    return BM_OK;
}

enum bm_err escpos_usb_open(struct escpos_usb *usb, struct escpos_port **out)
{
    struct search s = {.usb = usb};
    enum bm_err err = bm_usb_bus_open_first(
        usb->bus,
        &(struct bm_usb_search){
            .wanted = wanted, .open = open_device, .ud = &s, .none = "no receipt printer on USB"});
    *out = s.port;
    return err;
}

/* ---- the bus ---- */

struct escpos_usb *escpos_usb_new(const struct bm_config *cfg)
{
    struct escpos_usb *usb = calloc(1, sizeof *usb);
    if (!usb) {
        bm_err_set(BM_ERR_NO_MEMORY, "usb context");
        return NULL;
    }
    usb->n_configured = escpos_usb_parse_ids(bm_config_str(cfg, "receipt_printer", "usb_ids"),
                                             usb->configured, MAX_CONFIGURED);
    /* Any arrival counts: whether it is a printer shows in its configuration descriptor,
     * which the tick's search reads. */
    if (usb->n_configured < 0 || !(usb->bus = bm_usb_bus_new("receipt_printer", NULL, NULL))) {
        free(usb);
        return NULL;
    }
    bm_log_debug("receipt_printer", "usb: %d configured ids", usb->n_configured);
    return usb;
}

void escpos_usb_free(struct escpos_usb *usb)
{
    if (!usb)
        return;
    bm_usb_bus_free(usb->bus);
    free(usb);
}

bool escpos_usb_arrived(struct escpos_usb *usb)
{
    return bm_usb_bus_arrived(usb->bus);
}
