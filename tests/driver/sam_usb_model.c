/*
 * sam_usb_model.c - a sam_model behind a usb_fake, in the SPLIT or SINGLE endpoint layout.
 * See sam_usb_model.h.
 *
 * Design: SINGLE passes bytes straight through. SPLIT keeps the host's frame position: up to
 * 7 header bytes are expected on the header OUT pipe, then LEN bytes on the body pipe; a new
 * header while a body is still owed means the host gave up on a frame, so the model forgets
 * its half frame too. Replies are offered by part: the header IN pipe gets the reply up to
 * the end of LEN, the body pipe the rest.
 *
 * Threads: out/in run on umockdev's worker thread, under the usb_fake lock; the state here
 * has its own mutex because sam_usb_model_violations reads it from the test thread.
 */
#include "sam_usb_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sam_usb_model {
    struct sam_model *m;
    enum sam_usb_layout layout;
    struct usb_fake *fake;
    uint8_t out_hdr, out_body, in_hdr, in_body;
    pthread_mutex_t mu;
    uint8_t hdr[7];
    size_t hdr_have, body_left;
    unsigned violations;
};

void sam_usb_model_desc(enum sam_usb_layout layout, struct usb_fake_desc *out)
{
    memset(out, 0, sizeof *out);
    out->vid = 0x0400;
    out->pid = 0xC35A;
    out->bcd_device = 0x0100;
    out->if_class = 0xFF;
    out->manufacturer = "bianmin-test";
    out->product = "SAM ID reader (fake)";
    out->serial = "SAMFAKE0001";
    out->speed_mbps = 12;
    if (layout == SAM_USB_SPLIT) {
        out->n_ep = 4;
        out->ep[0] = (struct usb_fake_endpoint){0x02, 2, 64};
        out->ep[1] = (struct usb_fake_endpoint){0x06, 2, 64};
        out->ep[2] = (struct usb_fake_endpoint){0x81, 2, 64};
        out->ep[3] = (struct usb_fake_endpoint){0x85, 2, 64};
    } else {
        out->n_ep = 2;
        out->ep[0] = (struct usb_fake_endpoint){0x02, 2, 64};
        out->ep[1] = (struct usb_fake_endpoint){0x81, 2, 64};
    }
}

static void violation(struct sam_usb_model *su)
{
    su->violations++;
}

static void on_out(void *ud, uint8_t ep, const uint8_t *data, size_t n)
{
    struct sam_usb_model *su = ud;
    if (su->layout == SAM_USB_SINGLE) {
        if (ep == su->out_hdr)
            sam_model_host_write(su->m, data, n);
        return;
    }
    pthread_mutex_lock(&su->mu);
    if (ep == su->out_hdr) {
        if (su->body_left > 0 || su->hdr_have == 7) { /* the host restarted a frame */
            violation(su);
            sam_model_host_discard_input(su->m);
            su->hdr_have = 0;
            su->body_left = 0;
        }
        size_t k = 7 - su->hdr_have < n ? 7 - su->hdr_have : n;
        memcpy(su->hdr + su->hdr_have, data, k);
        su->hdr_have += k;
        sam_model_host_write(su->m, data, k);
        if (k < n)
            violation(su); /* more than a header on the header pipe */
        if (su->hdr_have == 7) {
            su->body_left = (size_t)su->hdr[5] << 8 | su->hdr[6];
            if (su->body_left == 0)
                su->hdr_have = 0;
        }
    } else if (ep == su->out_body) {
        if (su->hdr_have < 7 || su->body_left == 0) {
            violation(su); /* a body with no header before it */
        } else {
            size_t k = su->body_left < n ? su->body_left : n;
            sam_model_host_write(su->m, data, k);
            su->body_left -= k;
            if (k < n)
                violation(su);
            if (su->body_left == 0)
                su->hdr_have = 0;
        }
    } else {
        violation(su);
    }
    pthread_mutex_unlock(&su->mu);
}

static size_t on_in(void *ud, uint8_t ep, uint8_t *buf, size_t cap)
{
    struct sam_usb_model *su = ud;
    if (su->layout == SAM_USB_SINGLE)
        return ep == su->in_hdr ? sam_model_host_read(su->m, buf, cap) : 0;
    if (ep == su->in_hdr)
        return sam_model_host_read_part(su->m, buf, cap, SAM_MODEL_PART_HEADER);
    if (ep == su->in_body)
        return sam_model_host_read_part(su->m, buf, cap, SAM_MODEL_PART_BODY);
    return 0;
}

struct sam_usb_model *sam_usb_model_new(struct sam_model *m, enum sam_usb_layout layout,
                                        const struct usb_fake_desc *desc)
{
    struct usb_fake_desc def;
    if (!desc) {
        sam_usb_model_desc(layout, &def);
        desc = &def;
    }
    struct sam_usb_model *su = calloc(1, sizeof *su);
    if (!su)
        abort();
    su->m = m;
    su->layout = layout;
    pthread_mutex_init(&su->mu, NULL);
    int n_out = 0, n_in = 0;
    for (int i = 0; i < desc->n_ep; i++) {
        const struct usb_fake_endpoint *e = &desc->ep[i];
        if (e->attributes != 2)
            continue;
        if (e->address & 0x80) {
            if (n_in == 0)
                su->in_hdr = e->address;
            else if (n_in == 1)
                su->in_body = e->address;
            n_in++;
        } else {
            if (n_out == 0)
                su->out_hdr = e->address;
            else if (n_out == 1)
                su->out_body = e->address;
            n_out++;
        }
    }
    int need = layout == SAM_USB_SPLIT ? 2 : 1;
    if (n_in < need || n_out < need)
        abort(); /* a description that cannot carry this layout */
    static const struct usb_fake_ops ops = {.out = on_out, .in = on_in};
    su->fake = usb_fake_new(desc, &ops, su);
    return su;
}

void sam_usb_model_free(struct sam_usb_model *su)
{
    if (!su)
        return;
    usb_fake_free(su->fake);
    /* usb_fake keeps the fake until exit and no longer calls us: su can go */
    pthread_mutex_destroy(&su->mu);
    free(su);
}

struct usb_fake *sam_usb_model_fake(struct sam_usb_model *su)
{
    return su->fake;
}

unsigned sam_usb_model_violations(struct sam_usb_model *su)
{
    pthread_mutex_lock(&su->mu);
    unsigned v = su->violations;
    pthread_mutex_unlock(&su->mu);
    return v;
}
