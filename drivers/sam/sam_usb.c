/*
 * sam_usb.c - the SAM reader over USB vendor bulk pipes (libusb).
 *
 * Readers differ in where the frames go, so the endpoint layout is data: the built-in table
 * below and the config's [id_reader] usb_ids say, per VID:PID, whether the reader takes the
 * whole frame on one pipe each way, or the 7-byte header (preamble + LEN) and the body on
 * separate pipes (as 0400:C35A does: header out 02, body out 06, header in 81, body in 85).
 *
 * The bus, plug events and bulk transfers are the USB drivers' shared part
 * (drivers/usb/usb_bus.c).
 *
 * Threads: the device's worker thread (libusb's own event thread only sets the arrival flag).
 */
#include "sam_link.h"

#include "core/log.h"
#include "drivers/usb/usb_bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPLIT_0400_C35A                                                                            \
    {                                                                                              \
        .split = true, .out_header = 0x02, .out_body = 0x06, .in_header = 0x81, .in_body = 0x85    \
    }

const struct sam_usb_id sam_usb_known[] = {
    {0x0400, 0xC35A, SPLIT_0400_C35A, "SAM reader 0400:C35A (split pipes)"},
    {0, 0, {0}, NULL},
};

#define MAX_CONFIGURED 16

struct sam_usb {
    struct bm_usb_bus *bus;
    struct sam_usb_id configured[MAX_CONFIGURED];
    int n_configured;
};

struct sam_usb_link {
    struct sam_link link; /* first: the ops get a struct sam_link * */
    libusb_device_handle *handle;
    int interface;
    struct sam_usb_pipes layout;
    size_t body_left; /* split: body bytes of the frame being received still to come */
    uint8_t header[SAM_HEADER_SIZE]; /* split: the header gathered so far */
    size_t header_len;
};

/* ---- the config's usb_ids ---- */

static bool parse_hex(const char **p, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(*p, &end, 16);
    if (end == *p || v > max)
        return false;
    *p = end;
    *out = (unsigned)v;
    return true;
}

/* One entry "VVVV:PPPP[:split|:OO/OO/II/II]" from p up to a comma or the end. */
static bool parse_entry(const char *p, const char *end, struct sam_usb_id *id)
{
    unsigned vid, pid;
    if (!parse_hex(&p, 0xFFFF, &vid) || *p++ != ':' || !parse_hex(&p, 0xFFFF, &pid))
        return false;
    *id = (struct sam_usb_id){
        .vid = (uint16_t)vid, .pid = (uint16_t)pid, .model = "configured SAM reader"};
    if (p == end)
        return true;
    if (*p++ != ':')
        return false;
    if ((size_t)(end - p) == 5 && strncmp(p, "split", 5) == 0) {
        id->layout = (struct sam_usb_pipes)SPLIT_0400_C35A;
        return true;
    }
    unsigned ep[4];
    for (int i = 0; i < 4; i++) {
        if ((i > 0 && *p++ != '/') || !parse_hex(&p, 0xFF, &ep[i]))
            return false;
    }
    bool outs_ok = !(ep[0] & 0x80) && !(ep[1] & 0x80), ins_ok = (ep[2] & 0x80) && (ep[3] & 0x80);
    if (p != end || !outs_ok || !ins_ok)
        return false;
    id->layout = (struct sam_usb_pipes){.split = true,
                                        .out_header = (uint8_t)ep[0],
                                        .out_body = (uint8_t)ep[1],
                                        .in_header = (uint8_t)ep[2],
                                        .in_body = (uint8_t)ep[3]};
    return true;
}

int sam_usb_parse_ids(const char *text, struct sam_usb_id *out, int cap)
{
    int n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = p + strcspn(p, ", ");
        if (n >= cap) {
            bm_err_set(BM_ERR_CONFIG, "[id_reader] usb_ids: more than %d entries", cap);
            return -1;
        }
        if (!parse_entry(p, end, &out[n])) {
            bm_err_set(BM_ERR_CONFIG,
                       "[id_reader] usb_ids: \"%.*s\" is not VVVV:PPPP, VVVV:PPPP:split or "
                       "VVVV:PPPP:OO/OO/II/II (hex; OUT endpoints below 80, IN from 80)",
                       (int)(end - p) > 40 ? 40 : (int)(end - p), p);
            return -1;
        }
        n++;
        p = end;
    }
    return n;
}

/* ---- transfers ---- */

static enum bm_err bulk(struct sam_usb_link *u, uint8_t ep, uint8_t *buf, size_t len,
                        unsigned timeout_ms, size_t *done)
{
    return bm_usb_bulk(u->handle, ep, buf, len, timeout_ms, done, u->link.name);
}

static enum bm_err send_all(struct sam_usb_link *u, uint8_t ep, const uint8_t *data, size_t len,
                            unsigned timeout_ms)
{
    size_t done = 0;
    enum bm_err err = bulk(u, ep, (uint8_t *)data, len, timeout_ms, &done);
    u->link.bytes_sent += done;
    if (err == BM_OK && done != len)
        return bm_err_set(BM_ERR_TIMEOUT, "%s: sent %zu of %zu bytes", u->link.name, done, len);
    return err;
}

static enum bm_err usb_send(struct sam_link *link, const uint8_t *frame, size_t len,
                            unsigned timeout_ms)
{
    struct sam_usb_link *u = (struct sam_usb_link *)link;
    u->body_left = 0;
    u->header_len = 0;
    if (!u->layout.split)
        return send_all(u, u->layout.out_body, frame, len, timeout_ms);
    if (len < SAM_HEADER_SIZE)
        return bm_err_set(BM_ERR_INVALID_ARG, "frame shorter than its header");
    enum bm_err err = send_all(u, u->layout.out_header, frame, SAM_HEADER_SIZE, timeout_ms);
    if (err == BM_OK && len > SAM_HEADER_SIZE)
        err = send_all(u, u->layout.out_body, frame + SAM_HEADER_SIZE, len - SAM_HEADER_SIZE,
                       timeout_ms);
    return err;
}

/*
 * Split pipes: the header from its pipe (gathered until all 7 bytes are in) tells how much body
 * to fetch from the other. A header that is not one goes to rx as is, for the parser to skip.
 */
static enum bm_err receive_split(struct sam_usb_link *u, struct sam_rx *rx, unsigned timeout_ms)
{
    size_t got = 0;
    enum bm_err err;
    if (u->body_left == 0) {
        err = bulk(u, u->layout.in_header, u->header + u->header_len,
                   SAM_HEADER_SIZE - u->header_len, timeout_ms, &got);
        u->header_len += got;
        if (err == BM_OK && u->header_len == SAM_HEADER_SIZE) {
            sam_rx_push(rx, u->header, SAM_HEADER_SIZE);
            if (memcmp(u->header, sam_preamble, SAM_PREAMBLE_SIZE) == 0)
                u->body_left = (size_t)u->header[5] << 8 | u->header[6];
            u->header_len = 0;
        }
    } else {
        size_t want = u->body_left < sam_rx_room(rx) ? u->body_left : sam_rx_room(rx);
        err = bulk(u, u->layout.in_body, sam_rx_space(rx), want, timeout_ms, &got);
        sam_rx_commit(rx, got);
        u->body_left -= got < u->body_left ? got : u->body_left;
    }
    u->link.bytes_received += got;
    return err; /* nothing new (a zero-length packet) is not an error: the caller's deadline */
}

static enum bm_err usb_receive(struct sam_link *link, struct sam_rx *rx, unsigned timeout_ms)
{
    struct sam_usb_link *u = (struct sam_usb_link *)link;
    if (u->layout.split)
        return receive_split(u, rx, timeout_ms);
    size_t got = 0;
    enum bm_err err =
        bulk(u, u->layout.in_body, sam_rx_space(rx), sam_rx_room(rx), timeout_ms, &got);
    sam_rx_commit(rx, got);
    u->link.bytes_received += got;
    return err;
}

/* A late answer to a timed-out command would be taken for the next one's: read it away,
 * from both pipes of a split reader. */
static void drain(struct sam_usb_link *u, uint8_t ep)
{
    uint8_t scrap[512];
    size_t got;
    for (int i = 0; i < 16; i++) {
        if (bulk(u, ep, scrap, sizeof scrap, 5, &got) != BM_OK || got == 0)
            break;
    }
    explicit_bzero(scrap, sizeof scrap); /* it may have held the tail of a card's answer */
}

static void usb_discard_input(struct sam_link *link)
{
    struct sam_usb_link *u = (struct sam_usb_link *)link;
    if (u->layout.split)
        drain(u, u->layout.in_header);
    drain(u, u->layout.in_body);
    u->body_left = 0;
    u->header_len = 0;
}

static void usb_close(struct sam_link *link)
{
    struct sam_usb_link *u = (struct sam_usb_link *)link;
    bm_usb_release(u->handle, u->interface);
    free(u);
}

static const struct sam_link_ops usb_ops = {
    .send = usb_send,
    .receive = usb_receive,
    .discard_input = usb_discard_input,
    .close = usb_close,
};

/* ---- finding and opening a reader ---- */

static const struct sam_usb_id *lookup(const struct sam_usb *usb, uint16_t vid, uint16_t pid)
{
    for (int i = 0; i < usb->n_configured; i++) /* configured entries override the table */
        if (usb->configured[i].vid == vid && usb->configured[i].pid == pid)
            return &usb->configured[i];
    for (const struct sam_usb_id *k = sam_usb_known; k->vid; k++)
        if (k->vid == vid && k->pid == pid)
            return k;
    return NULL;
}

/*
 * The interface that carries the reader's pipes: the one holding the IN body endpoint, or for
 * a single-pipe layout without endpoints given, the first with a bulk pair (filled in).
 */
static int find_interface(libusb_device *dev, struct sam_usb_pipes *layout)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
        return -1;
    int found = -1;
    for (int i = 0; i < cfg->bNumInterfaces && found < 0; i++) {
        if (cfg->interface[i].num_altsetting < 1)
            continue;
        const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[0];
        uint8_t in = 0, out = 0;
        for (int e = 0; e < alt->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
            if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
                continue;
            if (layout->in_body && ep->bEndpointAddress == layout->in_body)
                found = alt->bInterfaceNumber;
            if ((ep->bEndpointAddress & 0x80) && !in)
                in = ep->bEndpointAddress;
            if (!(ep->bEndpointAddress & 0x80) && !out)
                out = ep->bEndpointAddress;
        }
        if (found < 0 && !layout->in_body && in && out) {
            layout->in_body = in;
            layout->out_body = out;
            found = alt->bInterfaceNumber;
        }
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

/* The search's state: the link once opened. */
struct search {
    struct sam_usb *usb;
    struct sam_link *link;
};

static bool wanted(libusb_device *dev, const struct libusb_device_descriptor *d, void *ud)
{
    (void)dev;
    struct search *s = ud;
    return lookup(s->usb, d->idVendor, d->idProduct) != NULL;
}

static enum bm_err open_device(libusb_device *dev, const struct libusb_device_descriptor *d,
                               void *ud)
{
    struct search *s = ud;
    const struct sam_usb_id *id = lookup(s->usb, d->idVendor, d->idProduct);
    struct sam_usb_link *u = calloc(1, sizeof *u);
    if (!u)
        return bm_err_set(BM_ERR_NO_MEMORY, "usb link");
    u->link.ops = &usb_ops;
    u->layout = id->layout;
    snprintf(u->link.name, sizeof u->link.name, "usb %04x:%04x bus %u dev %u", id->vid, id->pid,
             libusb_get_bus_number(dev), libusb_get_device_address(dev));
    u->interface = find_interface(dev, &u->layout);
    if (u->interface < 0) {
        free(u);
        return bm_err_set(BM_ERR_UNSUPPORTED,
                          "usb %04x:%04x: no interface with the reader's "
                          "bulk endpoints",
                          id->vid, id->pid);
    }
    enum bm_err err = bm_usb_claim(dev, u->interface, 0, u->link.name, &u->handle);
    if (err != BM_OK) {
        free(u);
        return err;
    }
    s->link = &u->link;
    return BM_OK;
}

enum bm_err sam_usb_open(struct sam_usb *usb, struct sam_link **out)
{
    struct search s = {.usb = usb};
    enum bm_err err = bm_usb_bus_open_first(
        usb->bus, &(struct bm_usb_search){.wanted = wanted,
                                          .open = open_device,
                                          .ud = &s,
                                          .none = "no known ID card reader on USB"});
    *out = s.link;
    return err;
}

/* ---- the bus ---- */

static bool may_be_reader(const struct libusb_device_descriptor *d, void *ud)
{
    return lookup(ud, d->idVendor, d->idProduct) != NULL;
}

struct sam_usb *sam_usb_new(const struct bm_config *cfg)
{
    struct sam_usb *usb = calloc(1, sizeof *usb);
    if (!usb) {
        bm_err_set(BM_ERR_NO_MEMORY, "usb context");
        return NULL;
    }
    usb->n_configured = sam_usb_parse_ids(bm_config_str(cfg, "id_reader", "usb_ids"),
                                          usb->configured, MAX_CONFIGURED);
    if (usb->n_configured < 0 || !(usb->bus = bm_usb_bus_new("id_reader", may_be_reader, usb))) {
        free(usb);
        return NULL;
    }
    bm_log_debug("id_reader", "usb: %d configured ids", usb->n_configured);
    return usb;
}

void sam_usb_free(struct sam_usb *usb)
{
    if (!usb)
        return;
    bm_usb_bus_free(usb->bus);
    free(usb);
}

bool sam_usb_arrived(struct sam_usb *usb)
{
    return bm_usb_bus_arrived(usb->bus);
}
