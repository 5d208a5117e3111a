/*
 * escpos_usb_model.c - an escpos_model as a USB printer on a usb_fake. See escpos_usb_model.h.
 *
 * Design: bulk OUT bytes go straight to the model's parser; bulk IN offers whatever the model
 * has queued (an empty answer keeps the urb pending, so a silent printer times out in libusb);
 * the printer-class requests are answered here.
 *
 * Threads: callbacks on umockdev's worker thread (under the usb_fake lock); setters on the test
 * thread; one mutex for the device ID.
 */
#include "escpos_usb_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ID "MFG:BIANMIN;CMD:ESC/POS;MDL:FAKE-80;CLS:PRINTER;SN:FAKE0001;"

struct escpos_usb_model {
    struct escpos_model *m;
    struct usb_fake *fake;
    pthread_mutex_t mu;
    uint8_t id[1024];
    size_t id_len;
    unsigned id_requests;
};

void escpos_usb_model_desc(enum escpos_usb_kind kind, struct usb_fake_desc *out)
{
    memset(out, 0, sizeof *out);
    out->vid = 0x1d6b; /* not in the driver's table: found by class */
    out->pid = 0x7e57;
    out->bcd_device = 0x0100;
    out->if_class = 7;
    out->if_subclass = 1;
    out->if_protocol = kind == ESCPOS_USB_UNIDIR ? 1 : 2;
    out->manufacturer = "bianmin-test";
    out->product = "ESC/POS printer (fake)";
    out->serial = "FAKE0001";
    out->speed_mbps = 12;
    out->n_ep = kind == ESCPOS_USB_UNIDIR ? 1 : 2;
    out->ep[0] = (struct usb_fake_endpoint){0x01, 2, 64};
    out->ep[1] = (struct usb_fake_endpoint){0x82, 2, 64};
    if (kind == ESCPOS_USB_VENDOR) {
        out->vid = 0x04B8;
        out->pid = 0x0202;
        out->if_class = 0xFF;
        out->if_subclass = 0;
        out->if_protocol = 0;
    }
}

static void on_out(void *ud, uint8_t ep, const uint8_t *data, size_t n)
{
    struct escpos_usb_model *u = ud;
    if (ep == 0x01)
        escpos_model_host_write(u->m, data, n);
}

static size_t on_in(void *ud, uint8_t ep, uint8_t *buf, size_t cap)
{
    struct escpos_usb_model *u = ud;
    return ep == 0x82 ? escpos_model_host_read(u->m, buf, cap) : 0;
}

static int on_control(void *ud, const struct usb_fake_setup *s, uint8_t *data, size_t cap)
{
    struct escpos_usb_model *u = ud;
    if (s->request_type == 0xA1 && s->request == 0) {
        pthread_mutex_lock(&u->mu);
        u->id_requests++;
        size_t n = u->id_len < cap ? u->id_len : cap;
        if (n > s->length)
            n = s->length;
        memcpy(data, u->id, n);
        pthread_mutex_unlock(&u->mu);
        return (int)n;
    }
    if (s->request_type == 0xA1 && s->request == 1 && cap >= 1) {
        data[0] = escpos_model_port_status(u->m);
        return 1;
    }
    if (s->request_type == 0x21 && s->request == 2) {
        escpos_model_soft_reset(u->m);
        return 0;
    }
    return -1;
}

void escpos_usb_model_set_device_id(struct escpos_usb_model *u, const uint8_t *raw, size_t len)
{
    pthread_mutex_lock(&u->mu);
    if (!raw) {
        size_t n = strlen(DEFAULT_ID) + 2;
        u->id[0] = (uint8_t)(n >> 8);
        u->id[1] = (uint8_t)n;
        memcpy(u->id + 2, DEFAULT_ID, n - 2);
        u->id_len = n;
    } else {
        u->id_len = len < sizeof u->id ? len : sizeof u->id;
        memcpy(u->id, raw, u->id_len);
    }
    pthread_mutex_unlock(&u->mu);
}

unsigned escpos_usb_model_id_requests(struct escpos_usb_model *u)
{
    pthread_mutex_lock(&u->mu);
    unsigned n = u->id_requests;
    pthread_mutex_unlock(&u->mu);
    return n;
}

struct escpos_usb_model *escpos_usb_model_new(struct escpos_model *m, enum escpos_usb_kind kind,
                                              const struct usb_fake_desc *desc)
{
    struct usb_fake_desc def;
    if (!desc) {
        escpos_usb_model_desc(kind, &def);
        desc = &def;
    }
    struct escpos_usb_model *u = calloc(1, sizeof *u);
    if (!u)
        abort();
    u->m = m;
    pthread_mutex_init(&u->mu, NULL);
    escpos_usb_model_set_device_id(u, NULL, 0);
    static const struct usb_fake_ops ops = {.out = on_out, .in = on_in, .control = on_control};
    u->fake = usb_fake_new(desc, &ops, u);
    return u;
}

void escpos_usb_model_free(struct escpos_usb_model *u)
{
    if (!u)
        return;
    usb_fake_free(u->fake);
    pthread_mutex_destroy(&u->mu);
    free(u);
}

struct usb_fake *escpos_usb_model_fake(struct escpos_usb_model *u)
{
    return u->fake;
}
