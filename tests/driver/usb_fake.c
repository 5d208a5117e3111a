/*
 * usb_fake.c - a fake USB device on umockdev: descriptors built from a description, a usbfs
 * ioctl handler (urbs, claims, control requests), unplug/replug, and the re-exec under the
 * umockdev preload. See usb_fake.h.
 *
 * Design: one UMockdevIoctlBase per fake, attached to the current device node; its
 * "handle-ioctl" signal runs on umockdev's worker thread and answers every request at once
 * (never blocks). Urbs live in one list in submission order, each with the client (open fd)
 * that submitted it: OUT urbs complete at submit (their bytes go to ops->out); IN urbs wait
 * and are offered to ops->in whenever that client reaps, first urb of an endpoint first. A
 * completed urb goes back through umockdev_ioctl_data_set_ptr on the reap's argument, which
 * makes umockdev write the urb and its buffer into the client. Clients of an earlier plug are
 * "stale": their new urbs fail with ENODEV, their reaps still return what completed (REAPURB
 * never answers ENODEV: libusb would spin). libusb waits by polling the node, a plain file,
 * so it reaps in a loop; that loop is what drives IN completion, no timer is needed (an idle
 * loop is slowed down by holding empty answers 1 ms).
 *
 * Threads: handler on the worker thread; public functions on the test thread; one mutex.
 */
#include "usb_fake.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <umockdev.h>

#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>

#define DESC_CAP 512
#define CTRL_CAP 4096
#define BUSNUM 1

struct urb {
    struct urb *next;
    UMockdevIoctlClient *client;
    UMockdevIoctlData *urb_data; /* the struct usbdevfs_urb, client memory mirrored */
    UMockdevIoctlData *buf_data; /* its buffer (NULL when empty) */
    uint8_t type, ep;
    bool done;
};

struct usb_fake {
    pthread_mutex_t mu;
    struct usb_fake_desc d;
    struct usb_fake_ops ops;
    void *ud;
    UMockdevIoctlBase *handler;
    uint8_t desc[DESC_CAP];
    size_t desc_len;
    int port; /* 1-<port> in sysfs */
    int devnum;
    bool plugged;
    char syspath[128], devnode[64];
    struct urb *urbs;
    uint32_t stalled; /* bit (ep & 15) | 16 for IN */
    UMockdevIoctlClient *claimed[32];
    struct usb_fake_stats st;
    unsigned idle_reaps; /* empty reaps in a row (libusb spinning on a pending IN) */
    struct usb_fake *retired_next;
};

static UMockdevTestbed *testbed;
static struct usb_fake *retired; /* freed fakes, kept until exit (see usb_fake_free) */
static char *testbed_root;
static int next_port = 1, next_devnum = 2;
static pthread_mutex_t global_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- the mock environment ---- */

static void fini(void)
{
    if (testbed)
        g_object_unref(testbed);
    testbed = NULL;
    while (retired) {
        struct usb_fake *f = retired;
        retired = f->retired_next;
        g_object_unref(f->handler);
        pthread_mutex_destroy(&f->mu);
        free(f);
    }
    g_free(testbed_root);
    testbed_root = NULL;
}

void usb_fake_init(char **argv)
{
    if (testbed)
        return;
    /* The testbed first: umockdev_in_mock_environment() caches its first answer, which is
     * only right once UMOCKDEV_DIR is set. */
    testbed = umockdev_testbed_new();
    if (umockdev_in_mock_environment()) {
        testbed_root = umockdev_testbed_get_root_dir(testbed);
        atexit(fini);
        return;
    }
    if (getenv("BM_USB_FAKE_REEXEC")) {
        fprintf(stderr, "usb_fake: re-executed under libumockdev-preload.so.0 but still not in "
                        "the mock environment\n");
        exit(1);
    }
    g_object_unref(testbed); /* removes its directory and UMOCKDEV_DIR */
    testbed = NULL;

    char buf[4096];
    const char *old = getenv("LD_PRELOAD");
    snprintf(buf, sizeof buf, "libumockdev-preload.so.0%s%s", old && *old ? ":" : "",
             old ? old : "");
    setenv("LD_PRELOAD", buf, 1);
    /* gcc's ASan insists on coming first in the library list; the preload comes before it */
    old = getenv("ASAN_OPTIONS");
    snprintf(buf, sizeof buf, "%s%sverify_asan_link_order=0", old ? old : "",
             old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", buf, 1);
    setenv("BM_USB_FAKE_REEXEC", "1", 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "usb_fake: execv /proc/self/exe: %s\n", strerror(errno));
    exit(1);
}

const char *usb_fake_root(void)
{
    return testbed_root;
}

/* ---- descriptors ---- */

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

size_t usb_fake_descriptors(const struct usb_fake_desc *d, uint8_t *o, size_t cap)
{
    size_t cfg_len = 9 + 9 + 7 * (size_t)d->n_ep;
    if (d->n_ep < 0 || d->n_ep > USB_FAKE_MAX_EP || 18 + cfg_len > cap)
        return 0;
    uint8_t *p = o;
    p[0] = 18; /* device */
    p[1] = 1;
    put16(p + 2, 0x0200);
    p[4] = d->dev_class;
    p[5] = d->dev_subclass;
    p[6] = d->dev_protocol;
    p[7] = 64;
    put16(p + 8, d->vid);
    put16(p + 10, d->pid);
    put16(p + 12, d->bcd_device ? d->bcd_device : 0x0100);
    p[14] = d->manufacturer ? 1 : 0;
    p[15] = d->product ? 2 : 0;
    p[16] = d->serial ? 3 : 0;
    p[17] = 1;
    p += 18;
    p[0] = 9; /* configuration */
    p[1] = 2;
    put16(p + 2, (unsigned)cfg_len);
    p[4] = 1; /* interfaces */
    p[5] = 1; /* bConfigurationValue */
    p[6] = 0;
    p[7] = 0x80; /* bus powered */
    p[8] = 50;   /* 100 mA */
    p += 9;
    p[0] = 9; /* interface 0 */
    p[1] = 4;
    p[2] = 0;
    p[3] = 0;
    p[4] = (uint8_t)d->n_ep;
    p[5] = d->if_class;
    p[6] = d->if_subclass;
    p[7] = d->if_protocol;
    p[8] = 0;
    p += 9;
    for (int i = 0; i < d->n_ep; i++) {
        p[0] = 7;
        p[1] = 5;
        p[2] = d->ep[i].address;
        p[3] = d->ep[i].attributes;
        put16(p + 4, d->ep[i].max_packet);
        p[6] = d->ep[i].attributes == 3 ? 10 : 0;
        p += 7;
    }
    return 18 + cfg_len;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02X", b[i]);
}

/* ---- urbs ---- */

static unsigned ep_bit(uint8_t ep)
{
    return 1u << ((ep & 15) | (ep & 0x80 ? 16 : 0));
}

static struct usbdevfs_urb *urb_of(struct urb *u)
{
    return (struct usbdevfs_urb *)u->urb_data->data;
}

static void finish(struct usb_fake *f, struct urb *u, int status, int actual)
{
    urb_of(u)->status = status;
    urb_of(u)->actual_length = actual;
    u->done = true;
    if (status == -EPIPE)
        f->st.stalls_sent++;
}

static void free_urb(struct urb *u)
{
    g_object_unref(u->urb_data);
    if (u->buf_data)
        g_object_unref(u->buf_data);
    g_object_unref(u->client);
    free(u);
}

/* Standard requests here; class/vendor ones to ops->control. Returns data length or -errno. */
static int control(struct usb_fake *f, const struct usb_fake_setup *s, uint8_t *data,
                   size_t cap)
{
    f->st.controls++;
    if ((s->request_type & 0x60) != 0) {
        if (!f->ops.control)
            return -EPIPE;
        int r = f->ops.control(f->ud, s, data, cap);
        return r < 0 ? -EPIPE : (r > (int)cap ? (int)cap : r);
    }
    size_t n = 0;
    uint8_t tmp[256];
    const uint8_t *src = tmp;
    switch (s->request) {
    case 0: /* GET_STATUS */
        tmp[0] = tmp[1] = 0;
        n = 2;
        break;
    case 1: /* CLEAR_FEATURE: ENDPOINT_HALT */
        if ((s->request_type & 0x1F) == 2 && s->value == 0)
            f->stalled &= ~ep_bit((uint8_t)s->index);
        return 0;
    case 3:  /* SET_FEATURE */
    case 9:  /* SET_CONFIGURATION */
    case 11: /* SET_INTERFACE */
        return 0;
    case 8: /* GET_CONFIGURATION */
        tmp[0] = 1;
        n = 1;
        break;
    case 6: { /* GET_DESCRIPTOR */
        unsigned type = s->value >> 8, idx = s->value & 0xFF;
        if (type == 1) {
            src = f->desc;
            n = 18;
        } else if (type == 2 && idx == 0) {
            src = f->desc + 18;
            n = f->desc_len - 18;
        } else if (type == 3 && idx == 0) {
            static const uint8_t langs[4] = {4, 3, 0x09, 0x04};
            src = langs;
            n = 4;
        } else if (type == 3 && idx >= 1 && idx <= 3) {
            const char *str = idx == 1 ? f->d.manufacturer
                              : idx == 2 ? f->d.product
                                         : f->d.serial;
            if (!str)
                return -EPIPE;
            size_t len = strlen(str);
            if (len > 126)
                len = 126;
            tmp[0] = (uint8_t)(2 + 2 * len);
            tmp[1] = 3;
            for (size_t i = 0; i < len; i++) { /* ASCII strings only */
                tmp[2 + 2 * i] = (uint8_t)(str[i] & 0x7F);
                tmp[3 + 2 * i] = 0;
            }
            n = 2 + 2 * len;
        } else {
            return -EPIPE;
        }
        break;
    }
    default:
        return -EPIPE;
    }
    if (n > s->length)
        n = s->length;
    if (n > cap)
        n = cap;
    memcpy(data, src, n);
    return (int)n;
}

static void setup_of(const uint8_t *b, struct usb_fake_setup *s)
{
    s->request_type = b[0];
    s->request = b[1];
    s->value = (uint16_t)(b[2] | b[3] << 8);
    s->index = (uint16_t)(b[4] | b[5] << 8);
    s->length = (uint16_t)(b[6] | b[7] << 8);
}

/* Runs a just-submitted urb as far as it goes now. */
static void start_urb(struct usb_fake *f, struct urb *u)
{
    struct usbdevfs_urb *k = urb_of(u);
    uint8_t *buf = u->buf_data ? u->buf_data->data : NULL;
    int len = k->buffer_length;
    if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
        if (len < 8) {
            finish(f, u, -EINVAL, 0);
            return;
        }
        struct usb_fake_setup s;
        setup_of(buf, &s);
        size_t cap = (size_t)len - 8 < s.length ? (size_t)len - 8 : s.length;
        int r = control(f, &s, buf + 8, cap);
        finish(f, u, r < 0 ? r : 0, r < 0 ? 0 : ((s.request_type & 0x80) ? r : (int)cap));
        return;
    }
    if (f->stalled & ep_bit(u->ep)) {
        finish(f, u, -EPIPE, 0);
        return;
    }
    if (!(u->ep & 0x80)) {
        if (len > 0 && f->ops.out)
            f->ops.out(f->ud, u->ep, buf, (size_t)len);
        f->st.out_bytes += (uint64_t)(len > 0 ? len : 0);
        finish(f, u, 0, len > 0 ? len : 0);
    }
    /* IN: waits for the reap loop */
}

/* Offers the pending IN urbs of this client to ops->in, oldest first per endpoint. */
static void poll_in(struct usb_fake *f, UMockdevIoctlClient *client)
{
    uint32_t seen = 0;
    for (struct urb *u = f->urbs; u; u = u->next) {
        if (u->client != client || !(u->ep & 0x80) || u->type == USBDEVFS_URB_TYPE_CONTROL)
            continue;
        uint32_t bit = ep_bit(u->ep);
        if (u->done || (seen & bit)) {
            seen |= bit;
            continue;
        }
        seen |= bit;
        if (f->stalled & bit) {
            finish(f, u, -EPIPE, 0);
            continue;
        }
        int len = urb_of(u)->buffer_length;
        size_t n = (len > 0 && f->ops.in) ? f->ops.in(f->ud, u->ep, u->buf_data->data,
                                                      (size_t)len)
                                          : 0;
        if (n > 0) {
            f->st.in_bytes += n;
            finish(f, u, 0, (int)n);
        }
    }
}

/* ---- the ioctl handler (worker thread) ---- */

static void *resolve(UMockdevIoctlData *arg, size_t len, UMockdevIoctlData **out)
{
    GError *err = NULL;
    *out = umockdev_ioctl_data_resolve(arg, 0, len, &err);
    if (err) {
        g_error_free(err);
        *out = NULL;
    }
    return *out ? (*out)->data : NULL;
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
    struct usb_fake *f = user;
    unsigned long req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    UMockdevIoctlData *d = NULL;
    long res = 0;
    int err = 0;
    bool nap = false;

    pthread_mutex_lock(&f->mu);
    bool live = f->plugged && strcmp(umockdev_ioctl_client_get_devnode(client), f->devnode) == 0;
    size_t size = _IOC_SIZE(req);
    void *p = size ? resolve(arg, size, &d) : NULL;
    if (size && !p) {
        res = -1;
        err = EFAULT;
        goto out;
    }

    if (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY) {
        if (live)
            poll_in(f, client);
        struct urb **pp = &f->urbs;
        while (*pp && !((*pp)->client == client && (*pp)->done))
            pp = &(*pp)->next;
        if (!*pp) {
            res = -1;
            err = EAGAIN; /* never ENODEV: libusb would spin */
            nap = ++f->idle_reaps > 2;
            f->st.reaps_empty++;
            goto out;
        }
        f->idle_reaps = 0;
        struct urb *u = *pp;
        *pp = u->next;
        umockdev_ioctl_data_set_ptr(d, 0, u->urb_data);
        f->st.reaps_done++;
        free_urb(u);
        goto out;
    }
    if (req == USBDEVFS_DISCARDURB) {
        unsigned long addr = *(unsigned long *)arg->data;
        struct urb *u = f->urbs;
        while (u && !(u->client == client && u->urb_data->client_addr == addr))
            u = u->next;
        if (!u || u->done) {
            res = -1;
            err = EINVAL;
        } else {
            finish(f, u, -ENOENT, 0);
            f->st.discards++;
        }
        goto out;
    }
    if (!live) {
        res = -1;
        err = ENODEV;
        f->st.enodev++;
        goto out;
    }

    switch (req) {
    case USBDEVFS_SUBMITURB: {
        struct usbdevfs_urb *k = p;
        if (k->type == USBDEVFS_URB_TYPE_ISO || k->buffer_length < 0) {
            res = -1;
            err = EINVAL;
            break;
        }
        struct urb *u = calloc(1, sizeof *u);
        if (!u)
            abort();
        u->client = g_object_ref(client);
        u->urb_data = d;
        d = NULL;
        u->type = k->type;
        u->ep = k->endpoint;
        if (k->buffer_length > 0) {
            GError *e = NULL;
            u->buf_data = umockdev_ioctl_data_resolve(u->urb_data,
                                                      offsetof(struct usbdevfs_urb, buffer),
                                                      (gsize)k->buffer_length, &e);
            if (e)
                g_error_free(e);
        }
        if (k->buffer_length > 0 && !u->buf_data) {
            free_urb(u);
            res = -1;
            err = EFAULT;
            break;
        }
        struct urb **pp = &f->urbs;
        while (*pp)
            pp = &(*pp)->next;
        *pp = u;
        f->st.submits++;
        f->idle_reaps = 0;
        start_urb(f, u);
        break;
    }
    case USBDEVFS_GET_CAPABILITIES:
        *(uint32_t *)p = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
                         USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        break;
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_RELEASEINTERFACE: {
        unsigned ifno = *(unsigned *)p;
        if (ifno != 0) {
            res = -1;
            err = EINVAL;
        } else if (req == USBDEVFS_CLAIMINTERFACE) {
            if (f->claimed[0] && f->claimed[0] != client) {
                res = -1;
                err = EBUSY;
            } else {
                f->claimed[0] = client;
                f->st.claims++;
            }
        } else {
            if (f->claimed[0] == client)
                f->claimed[0] = NULL;
            f->st.releases++;
        }
        break;
    }
    case USBDEVFS_DISCONNECT_CLAIM: {
        struct usbdevfs_disconnect_claim *dc = p;
        if (dc->interface != 0 || (f->claimed[0] && f->claimed[0] != client)) {
            res = -1;
            err = dc->interface != 0 ? EINVAL : EBUSY;
        } else {
            f->claimed[0] = client;
            f->st.claims++;
        }
        break;
    }
    case USBDEVFS_SETINTERFACE: {
        struct usbdevfs_setinterface *si = p;
        if (si->interface != 0 || si->altsetting != 0) {
            res = -1;
            err = EINVAL;
        }
        break;
    }
    case USBDEVFS_SETCONFIGURATION: {
        int v = *(int *)p;
        if (v != 1 && v != 0 && v != -1) {
            res = -1;
            err = EINVAL;
        }
        break;
    }
    case USBDEVFS_CLEAR_HALT:
        f->stalled &= ~ep_bit((uint8_t)*(unsigned *)p);
        f->st.clear_halts++;
        break;
    case USBDEVFS_RESETEP:
    case USBDEVFS_DROP_PRIVILEGES:
        break;
    case USBDEVFS_RESET:
        f->st.resets++;
        f->stalled = 0;
        if (f->ops.reset)
            f->ops.reset(f->ud);
        break;
    case USBDEVFS_GETDRIVER:
        res = -1;
        err = ENODATA; /* no kernel driver bound */
        break;
    case USBDEVFS_IOCTL: {
        struct usbdevfs_ioctl *io = p;
        if (io->ioctl_code == (int)USBDEVFS_DISCONNECT) {
            res = -1;
            err = ENODATA;
        } else if (io->ioctl_code != (int)USBDEVFS_CONNECT) {
            res = -1;
            err = ENOTTY;
        }
        break;
    }
    case USBDEVFS_CONNECTINFO: {
        struct usbdevfs_connectinfo *ci = p;
        ci->devnum = (unsigned)f->devnum;
        ci->slow = 0;
        break;
    }
    case USBDEVFS_GET_SPEED:
        res = f->d.speed_mbps >= 480 ? 3 : 2; /* USB_SPEED_HIGH : USB_SPEED_FULL */
        break;
    case USBDEVFS_CONTROL: {
        struct usbdevfs_ctrltransfer *ct = p;
        struct usb_fake_setup s = {ct->bRequestType, ct->bRequest, ct->wValue, ct->wIndex,
                                   ct->wLength};
        UMockdevIoctlData *dd = NULL;
        uint8_t scratch[1];
        uint8_t *data = scratch;
        if (ct->wLength) {
            GError *e = NULL;
            dd = umockdev_ioctl_data_resolve(d, offsetof(struct usbdevfs_ctrltransfer, data),
                                             ct->wLength, &e);
            if (e)
                g_error_free(e);
            if (!dd) {
                res = -1;
                err = EFAULT;
                break;
            }
            data = dd->data;
        }
        int r = control(f, &s, data, ct->wLength);
        if (dd)
            g_object_unref(dd);
        if (r < 0) {
            res = -1;
            err = -r;
        } else {
            res = (s.request_type & 0x80) ? r : ct->wLength;
        }
        break;
    }
    default:
        res = -1;
        err = ENOTTY;
        break;
    }

out:
    pthread_mutex_unlock(&f->mu);
    if (d)
        g_object_unref(d);
    /* libusb polls the node (a plain file, always ready) and reaps in a loop while an IN
     * waits: after a few empty reaps, hold the answer 1 ms so a waiting transfer costs a few
     * hundred round trips a second instead of two busy cores (the first empty reaps still
     * answer at once, so a reply that is about to come is not slowed down). */
    if (nap)
        g_usleep(1000);
    umockdev_ioctl_client_complete(client, res, err);
    return TRUE;
}

/* A client (open fd) went away: its urbs and claims go with it. */
static void on_client_notify(GObject *obj, GParamSpec *pspec, gpointer user)
{
    struct usb_fake *f = user;
    UMockdevIoctlClient *client = UMOCKDEV_IOCTL_CLIENT(obj);
    if (umockdev_ioctl_client_get_connected(client))
        return;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < 32; i++)
        if (f->claimed[i] == client)
            f->claimed[i] = NULL;
    struct urb **pp = &f->urbs;
    while (*pp) {
        struct urb *u = *pp;
        if (u->client == client) {
            *pp = u->next;
            free_urb(u);
        } else {
            pp = &u->next;
        }
    }
    pthread_mutex_unlock(&f->mu);
}

static void on_client_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client,
                                gpointer user)
{
    struct usb_fake *f = user;
    pthread_mutex_lock(&f->mu);
    f->st.opens++;
    pthread_mutex_unlock(&f->mu);
    g_signal_connect(client, "notify::connected", G_CALLBACK(on_client_notify), f);
}

/* ---- plugging ---- */

static void plug(struct usb_fake *f)
{
    pthread_mutex_lock(&global_mu);
    f->devnum = next_devnum++;
    pthread_mutex_unlock(&global_mu);
    if (f->devnum > 127)
        abort(); /* more plugs than a bus has addresses: a test that loops forever */
    snprintf(f->devnode, sizeof f->devnode, "/dev/bus/usb/%03d/%03d", BUSNUM, f->devnum);

    /* attach first: the "add" uevent goes out inside add_from_string, and an fd opened before
     * the handler exists would talk to a plain file */
    GError *err = NULL;
    if (!umockdev_testbed_attach_ioctl(testbed, f->devnode, f->handler, &err)) {
        fprintf(stderr, "usb_fake: attach_ioctl %s: %s\n", f->devnode,
                err ? err->message : "?");
        abort();
    }

    size_t cap = 4096 + 4 * f->desc_len;
    char *s = malloc(cap), *h = malloc(2 * f->desc_len + 1);
    if (!s || !h)
        abort();
    hex(h, f->desc, f->desc_len);
    int minor = (BUSNUM - 1) * 128 + f->devnum - 1;
    /* A: strings are plain here: the fixed descriptions hold no '\' or newline */
    snprintf(s, cap,
             "P: /devices/pci0000:00/0000:00:14.0/usb%d/%d-%d\n"
             "N: bus/usb/%03d/%03d=%s\n"
             "E: DEVNAME=/dev/bus/usb/%03d/%03d\n"
             "E: DEVTYPE=usb_device\nE: DRIVER=usb\nE: SUBSYSTEM=usb\n"
             "E: BUSNUM=%03d\nE: DEVNUM=%03d\nE: MAJOR=189\nE: MINOR=%d\n"
             "E: PRODUCT=%x/%x/%x\nE: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n"
             "A: busnum=%d\nA: devnum=%d\nA: dev=189:%d\nA: speed=%u\n"
             "A: bConfigurationValue=1\nA: bNumConfigurations=1\nA: bMaxPacketSize0=64\n"
             "A: idVendor=%04x\nA: idProduct=%04x\nA: bcdDevice=%04x\nA: bDeviceClass=%02x\n"
             "A: manufacturer=%s\nA: product=%s\nA: serial=%s\n"
             "H: descriptors=%s\n",
             BUSNUM, BUSNUM, f->port, BUSNUM, f->devnum, h, BUSNUM, f->devnum, BUSNUM,
             f->devnum, minor, f->d.vid, f->d.pid, f->d.bcd_device ? f->d.bcd_device : 0x100,
             f->d.vid, f->d.pid, BUSNUM, f->devnum, minor,
             f->d.speed_mbps ? f->d.speed_mbps : 12, f->d.vid, f->d.pid,
             f->d.bcd_device ? f->d.bcd_device : 0x100, f->d.dev_class,
             f->d.manufacturer ? f->d.manufacturer : "", f->d.product ? f->d.product : "",
             f->d.serial ? f->d.serial : "", h);
    snprintf(f->syspath, sizeof f->syspath, "/sys/devices/pci0000:00/0000:00:14.0/usb%d/%d-%d",
             BUSNUM, BUSNUM, f->port);
    pthread_mutex_lock(&f->mu);
    f->plugged = true;
    f->stalled = 0;
    pthread_mutex_unlock(&f->mu);
    if (!umockdev_testbed_add_from_string(testbed, s, &err)) {
        fprintf(stderr, "usb_fake: add_from_string: %s\n%s", err ? err->message : "?", s);
        abort();
    }
    free(s);
    free(h);
}

struct usb_fake *usb_fake_new(const struct usb_fake_desc *d, const struct usb_fake_ops *ops,
                              void *ud)
{
    if (!testbed) {
        fprintf(stderr, "usb_fake: call usb_fake_init(argv) first in main()\n");
        abort();
    }
    struct usb_fake *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    pthread_mutex_init(&f->mu, NULL);
    f->d = *d;
    f->ops = *ops;
    f->ud = ud;
    f->desc_len = usb_fake_descriptors(d, f->desc, sizeof f->desc);
    if (!f->desc_len)
        abort();
    pthread_mutex_lock(&global_mu);
    f->port = next_port++;
    pthread_mutex_unlock(&global_mu);
    f->handler = umockdev_ioctl_base_new();
    g_signal_connect(f->handler, "handle-ioctl", G_CALLBACK(on_ioctl), f);
    g_signal_connect(f->handler, "client-connected", G_CALLBACK(on_client_connected), f);
    plug(f);
    return f;
}

void usb_fake_unplug(struct usb_fake *f)
{
    pthread_mutex_lock(&f->mu);
    if (!f->plugged) {
        pthread_mutex_unlock(&f->mu);
        return;
    }
    f->plugged = false;
    for (struct urb *u = f->urbs; u; u = u->next)
        if (!u->done)
            finish(f, u, -ESHUTDOWN, 0);
    for (size_t i = 0; i < 32; i++)
        f->claimed[i] = NULL;
    pthread_mutex_unlock(&f->mu);
    /* stop accepting opens of the old node; open fds keep talking to the handler */
    umockdev_testbed_detach_ioctl(testbed, f->devnode, NULL);
    /* umockdev 0.17 removes the device without a "remove" uevent (later versions send one; a
     * second remove is ignored by libusb): send it while the sysfs entry still exists */
    umockdev_testbed_uevent(testbed, f->syspath, "remove");
    umockdev_testbed_remove_device(testbed, f->syspath);
}

void usb_fake_replug(struct usb_fake *f)
{
    usb_fake_unplug(f);
    plug(f);
}

void usb_fake_free(struct usb_fake *f)
{
    if (!f)
        return;
    usb_fake_unplug(f);
    /* The worker thread may have entered on_ioctl for a stale client just now: disconnect the
     * handlers, drop the urbs, and keep f itself until exit rather than race with it. */
    g_signal_handlers_disconnect_by_data(f->handler, f);
    pthread_mutex_lock(&f->mu);
    while (f->urbs) {
        struct urb *u = f->urbs;
        f->urbs = u->next;
        free_urb(u);
    }
    pthread_mutex_unlock(&f->mu);
    pthread_mutex_lock(&global_mu);
    f->retired_next = retired;
    retired = f;
    pthread_mutex_unlock(&global_mu);
}

bool usb_fake_plugged(struct usb_fake *f)
{
    pthread_mutex_lock(&f->mu);
    bool p = f->plugged;
    pthread_mutex_unlock(&f->mu);
    return p;
}

int usb_fake_busnum(struct usb_fake *f)
{
    return BUSNUM;
}

int usb_fake_devnum(struct usb_fake *f)
{
    return f->devnum;
}

const char *usb_fake_devnode(struct usb_fake *f)
{
    return f->devnode;
}

void usb_fake_stall(struct usb_fake *f, uint8_t ep)
{
    pthread_mutex_lock(&f->mu);
    f->stalled |= ep_bit(ep);
    pthread_mutex_unlock(&f->mu);
}

void usb_fake_get_stats(struct usb_fake *f, struct usb_fake_stats *out)
{
    pthread_mutex_lock(&f->mu);
    *out = f->st;
    out->pending_in = 0;
    for (struct urb *u = f->urbs; u; u = u->next)
        if (!u->done && (u->ep & 0x80))
            out->pending_in++;
    pthread_mutex_unlock(&f->mu);
}
