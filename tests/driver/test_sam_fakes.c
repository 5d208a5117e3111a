/*
 * test_sam_fakes.c - the self-test of the emulated ID card reader harness: the sam_model as a
 * pure state machine (frames, cards, faults), the same model behind usb_fake in both endpoint
 * layouts driven by plain libusb calls (sequence, timeout on silence, unplug during a pending
 * IN, replug, stall, a class control request), and behind pty_fake driven by plain termios
 * read/write (sequence, split + garbage, hang-up, replug through the symlink). Every wait has
 * a short bound. Main thread (plus one helper thread for the blocked-IN unplug case).
 */
#include "test_support.h"

#include "pty_fake.h"
#include "sam_model.h"
#include "sam_usb_model.h"
#include "usb_fake.h"

#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Bound for what should succeed (returns as soon as it does): generous, because CI machines and
 * this 2-core box under parallel builds stall threads for a second or more (seen: a 50 ms poll
 * returning after 1.5 s at CPU pressure 93%). Waits meant to time out use short bounds. */
#define WAIT_MS 8000

#define CMD_STATUS 0x11FF
#define CMD_SAM_ID 0x12FF
#define CMD_FIND 0x2001
#define CMD_SELECT 0x2002
#define CMD_READ 0x3001
#define CMD_READ_ADDR 0x3003
#define CMD_READ_FP 0x3010

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Timings on a shared 2-core machine have long stalls: report the median and the worst. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static double max_of(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

/* ---- the model alone ---- */

/* Sends one command straight into the model and collects the reply (waits <= 2 s). */
static long model_cmd(struct sam_model *m, uint16_t cmd, uint8_t *reply, size_t cap)
{
    uint8_t f[16];
    size_t n = sam_model_build_command(cmd, NULL, 0, f, sizeof f);
    sam_model_host_write(m, f, n);
    size_t got = 0;
    double end = now_s() + WAIT_MS / 1000.0;
    while (now_s() < end) {
        got += sam_model_host_read(m, reply + got, cap - got);
        long r = sam_model_parse_reply(reply, got, NULL, NULL, NULL);
        if (r != 0)
            return r;
        usleep(500);
    }
    return 0;
}

static uint8_t sw3_of(const uint8_t *reply)
{
    return reply[9];
}

static void test_model_cards(void **state)
{
    for (int p = 0; p < SAM_MODEL_PRESET_COUNT; p++) {
        const struct sam_model_card *c = sam_model_preset((enum sam_model_preset)p);
        assert_non_null(c);
        if (c->type != SAM_MODEL_CARD_I) {
            assert_int_equal(strlen(c->id_number), 18);
            assert_int_equal(c->id_number[17], sam_model_id_check(c->id_number));
            assert_memory_equal(c->id_number, "99", 2);
        }
    }
    assert_int_equal(sam_model_id_check("11010519491231002"), 'X'); /* the GB 11643 example */

    uint8_t t[SAM_MODEL_TEXT_SIZE];
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_RESIDENT_34), t);
    assert_memory_equal(t, "\x4e\x67\xd5\x8b\x11\x6c\x20\x00", 8); /* 李试民 + space */
    assert_memory_equal(t + 30, "2\0", 2);
    assert_memory_equal(t + 32, "0\0" "1\0", 4);
    assert_memory_equal(t + 36, "1\0" "9\0" "9\0" "2\0", 8);
    assert_memory_equal(t + 122, "9\0" "9\0", 4);
    assert_memory_equal(t + 248, " \0", 2);
    assert_memory_equal(t + 254, " \0", 2);
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_RESIDENT_72), t);
    assert_memory_equal(t + 204, "\x7f\x95\x1f\x67", 4); /* 长期 */
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_PERMIT_J), t);
    assert_memory_equal(t + 248, "J\0", 2);
    assert_memory_equal(t + 220, "H\0" "9\0", 4);
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_FOREIGN_I), t);
    assert_memory_equal(t + 248, "I\0", 2);
    assert_memory_equal(t, "S\0P\0", 4);
    assert_memory_equal(t + 152, "U\0T\0O\0", 6);
    assert_memory_equal(t + 220, "1\0" "9\0" "8\0" "5\0", 8);
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_FOREIGN_Y), t);
    assert_memory_equal(t + 248, "Y\0", 2);
    assert_memory_equal(t + 52, "S\0P\0", 4);
    /* the English name runs on at 220 after 35 characters: "...ALEXANDER JONATHA|N WILLIAMS" */
    assert_memory_equal(t + 220, "N\0 \0W\0I\0", 8);
    assert_memory_equal(t + 242, "U\0T\0O\0", 6);
}

static void test_model_sequence(void **state)
{
    struct sam_model *m = sam_model_new();
    uint8_t r[4096];
    const uint8_t *data;
    size_t dlen;
    uint8_t sw3;

    assert_int_equal(model_cmd(m, CMD_STATUS, r, sizeof r), 11);
    assert_memory_equal(r, "\xAA\xAA\xAA\x96\x69\x00\x04\x00\x00\x90\x94", 11);
    assert_int_equal(model_cmd(m, CMD_SAM_ID, r, sizeof r), 7 + 3 + 16 + 1);
    assert_int_equal(model_cmd(m, CMD_FIND, r, sizeof r), 11);
    assert_memory_equal(r, "\xAA\xAA\xAA\x96\x69\x00\x04\x00\x00\x80\x84", 11);
    assert_int_equal(model_cmd(m, CMD_SELECT, r, sizeof r), 11);
    assert_int_equal(sw3_of(r), 0x81);

    sam_model_insert_preset(m, SAM_MODEL_PRESET_RESIDENT_34);
    assert_int_equal(model_cmd(m, CMD_FIND, r, sizeof r), 15);
    assert_memory_equal(r, "\xAA\xAA\xAA\x96\x69\x00\x08\x00\x00\x9F\x00\x00\x00\x00\x97", 15);
    assert_int_equal(model_cmd(m, CMD_SELECT, r, sizeof r), 7 + 12);
    assert_int_equal(sw3_of(r), 0x90);
    long n = model_cmd(m, CMD_READ, r, sizeof r);
    assert_int_equal(n, 1295);
    assert_memory_equal(r, "\xAA\xAA\xAA\x96\x69\x05\x08\x00\x00\x90\x01\x00\x04\x00", 14);
    assert_int_equal(sam_model_parse_reply(r, (size_t)n, &sw3, &data, &dlen), 1295);
    uint8_t t[SAM_MODEL_TEXT_SIZE], photo[SAM_MODEL_PHOTO_SIZE];
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_RESIDENT_34), t);
    assert_memory_equal(data + 4, t, sizeof t);
    assert_true(sam_model_card_photo(m, photo));
    assert_memory_equal(data + 4 + 256, photo, sizeof photo);
    assert_int_equal(model_cmd(m, CMD_READ_ADDR, r, sizeof r), 11);
    assert_int_equal(sw3_of(r), 0x91);

    /* after a read the same card is not found again until it leaves or is re-presented */
    assert_int_equal(model_cmd(m, CMD_FIND, r, sizeof r), 11);
    assert_int_equal(sw3_of(r), 0x80);
    sam_model_represent_card(m);
    model_cmd(m, CMD_FIND, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x9F);
    sam_model_remove_card(m);
    model_cmd(m, CMD_FIND, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x80);

    /* fingerprint read and the appended address */
    sam_model_insert_preset(m, SAM_MODEL_PRESET_RESIDENT_72);
    model_cmd(m, CMD_FIND, r, sizeof r);
    model_cmd(m, CMD_SELECT, r, sizeof r);
    n = model_cmd(m, CMD_READ_FP, r, sizeof r);
    assert_int_equal(n, 7 + 0x90A);
    assert_memory_equal(r + 5, "\x09\x0A\x00\x00\x90\x01\x00\x04\x00\x04\x00", 11);
    n = model_cmd(m, CMD_READ_ADDR, r, sizeof r);
    assert_int_equal(n, 7 + 3 + 70 + 1);
    assert_int_equal(sw3_of(r), 0x90);

    /* a raw text block */
    memset(t, 0x41, sizeof t);
    sam_model_insert_raw(m, t, NULL, NULL, 0);
    model_cmd(m, CMD_FIND, r, sizeof r);
    model_cmd(m, CMD_SELECT, r, sizeof r);
    n = model_cmd(m, CMD_READ_FP, r, sizeof r);
    assert_int_equal(n, 7 + 3 + 6 + 1280 + 1);
    assert_memory_equal(r + 16, t, sizeof t);

    struct sam_model_stats st;
    sam_model_get_stats(m, &st);
    assert_int_equal(st.cmds[SAM_MODEL_CMD_FIND], 7);
    assert_int_equal(st.reads_ok, 3);
    assert_int_equal(sam_model_last_command(m), CMD_READ_FP);
    assert_int_equal(sam_model_last_kind(m), SAM_MODEL_CMD_READ_FP);
    sam_model_free(m);
}

static void test_model_stream_and_faults(void **state)
{
    struct sam_model *m = sam_model_new();
    uint8_t r[4096], f[64];
    sam_model_insert_preset(m, SAM_MODEL_PRESET_PERMIT_J);

    /* garbage, two frames in one write, then one frame split byte by byte */
    size_t n = 0;
    f[n++] = 0x00;
    f[n++] = 0xAA;
    f[n++] = 0xAA;
    n += sam_model_build_command(CMD_STATUS, NULL, 0, f + n, sizeof f - n);
    n += sam_model_build_command(CMD_FIND, NULL, 0, f + n, sizeof f - n);
    sam_model_host_write(m, f, n);
    assert_int_equal(sam_model_host_read(m, r, sizeof r), 11 + 15);
    n = sam_model_build_command(CMD_SELECT, NULL, 0, f, sizeof f);
    for (size_t i = 0; i < n; i++)
        sam_model_host_write(m, f + i, 1);
    assert_int_equal(sam_model_host_read(m, r, sizeof r), 19);

    /* a bad checksum from the host -> 10 */
    n = sam_model_build_command(CMD_STATUS, NULL, 0, f, sizeof f);
    f[n - 1] ^= 1;
    sam_model_host_write(m, f, n);
    assert_int_equal(sam_model_host_read(m, r, sizeof r), 11);
    assert_int_equal(sw3_of(r), 0x10);

    /* SW3 faults for N commands of a kind */
    sam_model_fault_sw3(m, SAM_MODEL_CMD_STATUS, 0x60, 2);
    model_cmd(m, CMD_STATUS, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x60);
    model_cmd(m, CMD_SAM_ID, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x90);
    model_cmd(m, CMD_STATUS, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x60);
    model_cmd(m, CMD_STATUS, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x90);
    sam_model_fault_sw3(m, SAM_MODEL_CMD_READ, 0x41, 1);
    model_cmd(m, CMD_READ, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x41);
    assert_int_equal(model_cmd(m, CMD_READ, r, sizeof r), 1295); /* still selected */

    /* bad checksum in the reply */
    sam_model_fault_bad_checksum(m, 1);
    n = sam_model_build_command(CMD_STATUS, NULL, 0, f, sizeof f);
    sam_model_host_write(m, f, n);
    assert_int_equal(sam_model_host_read(m, r, sizeof r), 11);
    assert_int_equal(sam_model_parse_reply(r, 11, NULL, NULL, NULL), -1);

    /* garbage prefix + tiny pieces with a gap */
    sam_model_fault_garbage(m, (const uint8_t *)"\xAA\xAA", 2);
    sam_model_fault_split(m, 3, 5);
    sam_model_host_write(m, f, n);
    size_t got = 0, reads = 0;
    double end = now_s() + WAIT_MS / 1000.0;
    while (got < 13 && now_s() < end) {
        size_t k = sam_model_host_read(m, r + got, sizeof r - got);
        assert_true(k <= 3);
        if (k)
            reads++;
        got += k;
        usleep(1000);
    }
    assert_int_equal(got, 13);
    assert_int_equal(reads, 5);
    assert_memory_equal(r, "\xAA\xAA\xAA\xAA\xAA\x96\x69", 7);

    /* a delay */
    sam_model_set_delay_ms(m, 80);
    double t0 = now_s();
    assert_int_equal(model_cmd(m, CMD_STATUS, r, sizeof r), 11);
    assert_true(now_s() - t0 >= 0.079);
    sam_model_set_delay_ms(m, 0);

    /* silent after K */
    sam_model_fault_silent_after(m, 1);
    assert_int_equal(model_cmd(m, CMD_STATUS, r, sizeof r), 11);
    sam_model_host_write(m, f, n);
    usleep(20000);
    assert_int_equal(sam_model_pending(m), 0);
    sam_model_clear_faults(m);
    assert_int_equal(model_cmd(m, CMD_STATUS, r, sizeof r), 11);

    /* removal during a read: 41, or a reply cut short */
    sam_model_represent_card(m);
    model_cmd(m, CMD_FIND, r, sizeof r);
    model_cmd(m, CMD_SELECT, r, sizeof r);
    sam_model_fault_remove_during_read(m, SAM_MODEL_REMOVE_ANSWER_41, 0);
    model_cmd(m, CMD_READ, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x41);
    assert_false(sam_model_card_present(m));
    sam_model_insert_preset(m, SAM_MODEL_PRESET_FOREIGN_Y);
    model_cmd(m, CMD_FIND, r, sizeof r);
    model_cmd(m, CMD_SELECT, r, sizeof r);
    sam_model_fault_remove_during_read(m, SAM_MODEL_REMOVE_CUT, 300);
    n = sam_model_build_command(CMD_READ, NULL, 0, f, sizeof f);
    sam_model_host_write(m, f, n);
    assert_int_equal(sam_model_host_read(m, r, sizeof r), 300);
    assert_int_equal(sam_model_pending(m), 0);
    model_cmd(m, CMD_FIND, r, sizeof r);
    assert_int_equal(sw3_of(r), 0x80);
    sam_model_free(m);
}

/* ---- over USB with plain libusb ---- */

struct usb_host {
    libusb_context *ctx;
    libusb_device_handle *h;
    enum sam_usb_layout layout;
    uint8_t out_hdr, out_body, in_hdr, in_body;
};

static libusb_device_handle *open_vid_pid(libusb_context *ctx, uint16_t vid, uint16_t pid,
                                          int *devnum)
{
    libusb_device **list;
    libusb_device_handle *h = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    for (ssize_t i = 0; i < n && !h; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) == 0 && dd.idVendor == vid &&
            dd.idProduct == pid) {
            if (libusb_open(list[i], &h) != 0)
                h = NULL;
            else if (devnum)
                *devnum = libusb_get_device_address(list[i]);
        }
    }
    libusb_free_device_list(list, 1);
    return h;
}

static bool present(libusb_context *ctx, uint16_t vid, uint16_t pid)
{
    libusb_device **list;
    bool found = false;
    ssize_t n = libusb_get_device_list(ctx, &list);
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd) == 0 && dd.idVendor == vid &&
            dd.idProduct == pid)
            found = true;
    }
    libusb_free_device_list(list, 1);
    return found;
}

static bool wait_present(libusb_context *ctx, bool want, double seconds)
{
    double end = now_s() + seconds;
    while (now_s() < end) {
        if (present(ctx, 0x0400, 0xC35A) == want)
            return true;
        usleep(10000);
    }
    return false;
}

static void host_open(struct usb_host *u, enum sam_usb_layout layout)
{
    u->layout = layout;
    u->out_hdr = 0x02;
    u->out_body = layout == SAM_USB_SPLIT ? 0x06 : 0x02;
    u->in_hdr = 0x81;
    u->in_body = layout == SAM_USB_SPLIT ? 0x85 : 0x81;
    if (!u->ctx)
        assert_int_equal(libusb_init(&u->ctx), 0);
    assert_true(wait_present(u->ctx, true, WAIT_MS / 1000.0));
    u->h = open_vid_pid(u->ctx, 0x0400, 0xC35A, NULL);
    assert_non_null(u->h);
    assert_int_equal(libusb_claim_interface(u->h, 0), 0);
}

static void host_close(struct usb_host *u)
{
    if (u->h) {
        libusb_release_interface(u->h, 0);
        libusb_close(u->h);
    }
    u->h = NULL;
}

/* One command over USB as the layout wants it; returns the reply length, or a libusb error. */
static int usb_cmd(struct usb_host *u, uint16_t cmd, uint8_t *reply, size_t cap, unsigned ms)
{
    uint8_t f[16];
    int n = (int)sam_model_build_command(cmd, NULL, 0, f, sizeof f), t = 0, rc;
    if (u->layout == SAM_USB_SPLIT) {
        rc = libusb_bulk_transfer(u->h, u->out_hdr, f, 7, &t, ms);
        if (rc)
            return rc;
        rc = libusb_bulk_transfer(u->h, u->out_body, f + 7, n - 7, &t, ms);
        if (rc)
            return rc;
        rc = libusb_bulk_transfer(u->h, u->in_hdr, reply, 7, &t, ms);
        if (rc)
            return rc;
        assert_int_equal(t, 7);
        int len = reply[5] << 8 | reply[6];
        int got = 0;
        while (got < len) {
            rc = libusb_bulk_transfer(u->h, u->in_body, reply + 7 + got, len - got, &t, ms);
            if (rc)
                return rc;
            got += t;
        }
        return 7 + len;
    }
    rc = libusb_bulk_transfer(u->h, u->out_hdr, f, n, &t, ms);
    if (rc)
        return rc;
    size_t got = 0;
    for (;;) {
        rc = libusb_bulk_transfer(u->h, u->in_hdr, reply + got, 64, &t, ms);
        if (rc)
            return rc;
        got += (size_t)t;
        long r = sam_model_parse_reply(reply, got, NULL, NULL, NULL);
        if (r != 0)
            return (int)r;
        assert_true(got + 64 <= cap);
    }
}

static void usb_sequence(struct usb_host *u, struct sam_model *m)
{
    uint8_t r[4096];
    assert_int_equal(usb_cmd(u, CMD_STATUS, r, sizeof r, WAIT_MS), 11);
    assert_int_equal(sw3_of(r), 0x90);
    sam_model_represent_card(m);
    assert_int_equal(usb_cmd(u, CMD_FIND, r, sizeof r, WAIT_MS), 15);
    assert_int_equal(sw3_of(r), 0x9F);
    assert_int_equal(usb_cmd(u, CMD_SELECT, r, sizeof r, WAIT_MS), 19);
    assert_int_equal(usb_cmd(u, CMD_READ, r, sizeof r, WAIT_MS), 1295);
    uint8_t t[SAM_MODEL_TEXT_SIZE];
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_RESIDENT_72), t);
    assert_memory_equal(r + 14, t, sizeof t);
    assert_int_equal(usb_cmd(u, CMD_READ_ADDR, r, sizeof r, WAIT_MS), 81);
    assert_int_equal(usb_cmd(u, CMD_FIND, r, sizeof r, WAIT_MS), 11);
    assert_int_equal(sw3_of(r), 0x80);
}

static void test_usb_layouts(void **state)
{
    for (int layout = 0; layout < 2; layout++) {
        struct sam_model *m = sam_model_new();
        sam_model_insert_preset(m, SAM_MODEL_PRESET_RESIDENT_72);
        struct sam_usb_model *su = sam_usb_model_new(m, (enum sam_usb_layout)layout, NULL);
        struct usb_host u = {0};
        host_open(&u, (enum sam_usb_layout)layout);

        unsigned char s[64];
        assert_true(libusb_get_string_descriptor_ascii(u.h, 1, s, sizeof s) > 0);
        assert_string_equal((char *)s, "bianmin-test");
        assert_true(libusb_get_string_descriptor_ascii(u.h, 3, s, sizeof s) > 0);
        assert_string_equal((char *)s, "SAMFAKE0001");
        struct libusb_config_descriptor *cfg;
        assert_int_equal(libusb_get_active_config_descriptor(libusb_get_device(u.h), &cfg), 0);
        assert_int_equal(cfg->interface[0].altsetting[0].bNumEndpoints, layout ? 2 : 4);
        libusb_free_config_descriptor(cfg);

        usb_sequence(&u, m);
        /* a split reply with garbage in front still arrives whole (single layout) */
        if (layout == SAM_USB_SINGLE) {
            uint8_t r[4096];
            sam_model_fault_split(m, 5, 1);
            assert_int_equal(usb_cmd(&u, CMD_STATUS, r, sizeof r, WAIT_MS), 11);
        }
        assert_int_equal(sam_usb_model_violations(su), 0);

        /* a second open of the claimed interface is refused, as the kernel would */
        libusb_device_handle *h2 = open_vid_pid(u.ctx, 0x0400, 0xC35A, NULL);
        assert_non_null(h2);
        assert_int_equal(libusb_claim_interface(h2, 0), LIBUSB_ERROR_BUSY);
        libusb_close(h2);

        host_close(&u);
        libusb_exit(u.ctx);
        sam_usb_model_free(su);
        sam_model_free(m);
    }
}

static void test_usb_timeout_and_stall(void **state)
{
    struct sam_model *m = sam_model_new();
    struct sam_usb_model *su = sam_usb_model_new(m, SAM_USB_SINGLE, NULL);
    struct usb_host u = {0};
    host_open(&u, SAM_USB_SINGLE);
    uint8_t r[4096];

    sam_model_fault_silent_after(m, 0);
    double t0 = now_s(), c0 = cpu_s();
    assert_int_equal(usb_cmd(&u, CMD_STATUS, r, sizeof r, 500), LIBUSB_ERROR_TIMEOUT);
    double dt = now_s() - t0;
    assert_true(dt >= 0.49 && dt < WAIT_MS / 1000.0);
    double cpu = cpu_s() - c0;
    struct usb_fake_stats st;
    usb_fake_get_stats(sam_usb_model_fake(su), &st);
    fprintf(stderr, "usb: a 500 ms IN timeout cost %.0f ms of CPU, %u empty reaps\n",
            cpu * 1000, st.reaps_empty);
    assert_int_equal(st.discards, 1);
    assert_int_equal(st.pending_in, 0);
    sam_model_clear_faults(m);
    assert_int_equal(usb_cmd(&u, CMD_STATUS, r, sizeof r, WAIT_MS), 11); /* nothing was lost */

    /* a stalled IN endpoint until the host clears the halt */
    usb_fake_stall(sam_usb_model_fake(su), 0x81);
    assert_int_equal(usb_cmd(&u, CMD_STATUS, r, sizeof r, WAIT_MS), LIBUSB_ERROR_PIPE);
    assert_int_equal(libusb_clear_halt(u.h, 0x81), 0);
    int t = 0;
    assert_int_equal(libusb_bulk_transfer(u.h, 0x81, r, 64, &t, WAIT_MS), 0);
    assert_int_equal(t, 11); /* the reply that waited behind the stall */

    host_close(&u);
    libusb_exit(u.ctx);
    sam_usb_model_free(su);
    sam_model_free(m);
}

struct blocked_in {
    libusb_device_handle *h;
    int rc;
    double took;
};

static void *blocked_in_thread(void *arg)
{
    struct blocked_in *b = arg;
    uint8_t buf[64];
    int t = 0;
    double t0 = now_s();
    b->rc = libusb_bulk_transfer(b->h, 0x81, buf, sizeof buf, &t, 30000);
    b->took = now_s() - t0;
    return NULL;
}

static void test_usb_unplug_replug(void **state)
{
    struct sam_model *m = sam_model_new();
    sam_model_insert_preset(m, SAM_MODEL_PRESET_RESIDENT_72);
    struct sam_usb_model *su = sam_usb_model_new(m, SAM_USB_SPLIT, NULL);
    struct usb_fake *fk = sam_usb_model_fake(su);
    struct usb_host u = {0};
    host_open(&u, SAM_USB_SPLIT);
    int devnum = usb_fake_devnum(fk);

    struct blocked_in b = {.h = u.h};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, blocked_in_thread, &b), 0);
    usleep(150000);
    usb_fake_unplug(fk);
    pthread_join(th, NULL);
    assert_int_equal(b.rc, LIBUSB_ERROR_NO_DEVICE);
    assert_true(b.took < 25.0); /* ended by the unplug, not by its 30 s timeout */
    uint8_t r[64];
    int t = 0;
    assert_int_equal(libusb_bulk_transfer(u.h, 0x02, r, 7, &t, WAIT_MS), LIBUSB_ERROR_NO_DEVICE);
    assert_true(wait_present(u.ctx, false, WAIT_MS / 1000.0));
    host_close(&u);

    usb_fake_replug(fk);
    assert_int_not_equal(usb_fake_devnum(fk), devnum);
    int seen = 0;
    assert_true(wait_present(u.ctx, true, WAIT_MS / 1000.0));
    u.h = open_vid_pid(u.ctx, 0x0400, 0xC35A, &seen);
    assert_non_null(u.h);
    assert_int_equal(seen, usb_fake_devnum(fk));
    assert_int_equal(libusb_claim_interface(u.h, 0), 0);
    usb_sequence(&u, m);

    host_close(&u);
    libusb_exit(u.ctx);
    sam_usb_model_free(su);
    sam_model_free(m);
}

/* A printer-like fake: the generic usb_fake with a class control request. */
static int printer_control(void *ud, const struct usb_fake_setup *s, uint8_t *data, size_t cap)
{
    static const char id[] = "MFG:Test;MDL:Fake 80;CMD:ESC/POS;";
    if (s->request_type != 0xA1 || s->request != 0)
        return -1;
    size_t n = 2 + strlen(id);
    if (n > cap)
        n = cap;
    uint8_t tmp[128];
    tmp[0] = (uint8_t)((2 + strlen(id)) >> 8);
    tmp[1] = (uint8_t)(2 + strlen(id));
    memcpy(tmp + 2, id, strlen(id));
    memcpy(data, tmp, n);
    return (int)n;
}

static void test_usb_generic_control(void **state)
{
    struct usb_fake_desc d = {.vid = 0x0FE6, .pid = 0x811E, .if_class = 7, .if_subclass = 1,
                              .if_protocol = 2, .product = "Receipt (fake)", .n_ep = 2};
    d.ep[0] = (struct usb_fake_endpoint){0x01, 2, 64};
    d.ep[1] = (struct usb_fake_endpoint){0x82, 2, 64};
    static const struct usb_fake_ops ops = {.control = printer_control};
    struct usb_fake *f = usb_fake_new(&d, &ops, NULL);
    libusb_context *ctx;
    assert_int_equal(libusb_init(&ctx), 0);
    libusb_device_handle *h = NULL;
    double end = now_s() + WAIT_MS / 1000.0;
    while (!h && now_s() < end) {
        h = open_vid_pid(ctx, 0x0FE6, 0x811E, NULL);
        if (!h)
            usleep(10000);
    }
    assert_non_null(h);
    assert_int_equal(libusb_claim_interface(h, 0), 0);
    uint8_t buf[1024];
    int n = libusb_control_transfer(h, 0xA1, 0, 0, 0, buf, sizeof buf, WAIT_MS);
    assert_int_equal(n, 2 + 33);
    assert_memory_equal(buf + 2, "MFG:Test;", 9);
    assert_int_equal(libusb_control_transfer(h, 0x21, 2, 0, 0, NULL, 0, WAIT_MS), LIBUSB_ERROR_PIPE);
    libusb_release_interface(h, 0);
    libusb_close(h);
    libusb_exit(ctx);
    usb_fake_free(f);
}

static void test_usb_timing(void **state)
{
    struct sam_model *m = sam_model_new();
    sam_model_insert_preset(m, SAM_MODEL_PRESET_RESIDENT_34);
    struct sam_usb_model *su = sam_usb_model_new(m, SAM_USB_SPLIT, NULL);
    struct usb_host u = {0};
    host_open(&u, SAM_USB_SPLIT);
    uint8_t r[4096];
    int rounds = 50;
    double t0 = now_s();
    double each[50];
    for (int i = 0; i < rounds; i++) {
        double a = now_s();
        assert_int_equal(usb_cmd(&u, CMD_STATUS, r, sizeof r, WAIT_MS), 11);
        each[i] = now_s() - a;
    }
    double dt = now_s() - t0;
    t0 = now_s();
    for (int i = 0; i < 5; i++) {
        sam_model_represent_card(m);
        usb_cmd(&u, CMD_FIND, r, sizeof r, WAIT_MS);
        usb_cmd(&u, CMD_SELECT, r, sizeof r, WAIT_MS);
        assert_int_equal(usb_cmd(&u, CMD_READ, r, sizeof r, WAIT_MS), 1295);
    }
    double dr = now_s() - t0;
    fprintf(stderr,
            "usb split: status round trip (4 bulk transfers) median %.2f ms, max %.0f ms, "
            "%.0f/s overall; find+select+read %.1f ms\n",
            median(each, rounds) * 1000, max_of(each, rounds) * 1000, rounds / dt,
            dr / 5 * 1000);
    host_close(&u);
    libusb_exit(u.ctx);
    sam_usb_model_free(su);
    sam_model_free(m);
}

/* ---- over a pty with plain termios ---- */

static int tty_open(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(fd >= 0);
    struct termios t;
    assert_int_equal(tcgetattr(fd, &t), 0);
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    t.c_cflag |= CLOCAL | CREAD;
    assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
    return fd;
}

/* Writes a command and reads one reply frame, skipping garbage before the preamble. Returns
 * the frame length at reply[0], 0 on timeout, -1 on hang-up; *reads counts read() calls. */
static long tty_cmd(int fd, uint16_t cmd, uint8_t *reply, size_t cap, int ms, int *reads)
{
    uint8_t f[16];
    size_t n = sam_model_build_command(cmd, NULL, 0, f, sizeof f), got = 0;
    if (write(fd, f, n) != (ssize_t)n)
        return -1;
    double end = now_s() + ms / 1000.0;
    while (now_s() < end) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 20) <= 0)
            continue;
        if (pf.revents & (POLLHUP | POLLERR))
            return -1;
        ssize_t k = read(fd, reply + got, cap - got);
        if (k <= 0)
            return -1;
        if (reads)
            (*reads)++;
        got += (size_t)k;
        for (;;) { /* resync: drop bytes until a preamble (or its start) is at 0 */
            size_t i = 0;
            while (i < got && i < 5 && reply[i] == (uint8_t)"\xAA\xAA\xAA\x96\x69"[i])
                i++;
            if (i == got || i == 5)
                break;
            memmove(reply, reply + 1, --got);
        }
        long r = sam_model_parse_reply(reply, got, NULL, NULL, NULL);
        if (r > 0)
            return r;
        if (r < 0)
            memmove(reply, reply + 1, --got);
    }
    fprintf(stderr, "tty_cmd %04x: no reply in %d ms (%zu bytes held)\n", cmd, ms, got);
    return 0;
}

static void test_pty(void **state)
{
    struct sam_model *m = sam_model_new();
    sam_model_insert_preset(m, SAM_MODEL_PRESET_FOREIGN_I);
    struct pty_fake *p = pty_fake_new(m, NULL, 0);
    struct termios t;
    assert_true(pty_fake_termios(p, &t));
    assert_int_equal(cfgetospeed(&t), B9600);
    int fd = tty_open(pty_fake_path(p));
    assert_true(pty_fake_termios(p, &t));
    assert_int_equal(cfgetospeed(&t), B115200);
    assert_int_equal(t.c_lflag & (ICANON | ECHO), 0);

    uint8_t r[4096];
    assert_int_equal(tty_cmd(fd, CMD_STATUS, r, sizeof r, WAIT_MS, NULL), 11);
    assert_int_equal(tty_cmd(fd, CMD_FIND, r, sizeof r, WAIT_MS, NULL), 15);
    assert_int_equal(tty_cmd(fd, CMD_SELECT, r, sizeof r, WAIT_MS, NULL), 19);
    assert_int_equal(tty_cmd(fd, CMD_READ, r, sizeof r, WAIT_MS, NULL), 1295);
    uint8_t txt[SAM_MODEL_TEXT_SIZE];
    sam_model_text_block(sam_model_preset(SAM_MODEL_PRESET_FOREIGN_I), txt);
    assert_memory_equal(r + 14, txt, sizeof txt);

    /* a reply in 4-byte pieces 2 ms apart behind garbage that looks like a preamble */
    sam_model_fault_garbage(m, (const uint8_t *)"\x13\xAA\xAA", 3);
    sam_model_fault_split(m, 4, 2);
    /* (how many read() calls it takes depends on scheduling: a stalled reader gets several
     * pieces at once, so only the frame is checked; test_model_stream_and_faults counts pieces) */
    int reads = 0;
    assert_int_equal(tty_cmd(fd, CMD_STATUS, r, sizeof r, WAIT_MS, &reads), 11);
    assert_true(reads >= 1);

    /* delay, silence */
    sam_model_set_delay_ms(m, 150);
    double t0 = now_s();
    assert_int_equal(tty_cmd(fd, CMD_STATUS, r, sizeof r, WAIT_MS, NULL), 11);
    assert_true(now_s() - t0 >= 0.14);
    sam_model_set_delay_ms(m, 0);
    sam_model_fault_silent_after(m, 0);
    assert_int_equal(tty_cmd(fd, CMD_STATUS, r, sizeof r, 150, NULL), 0);
    sam_model_clear_faults(m);

    /* round trips */
    double each[100];
    t0 = now_s();
    for (int i = 0; i < 100; i++) {
        double a = now_s();
        assert_int_equal(tty_cmd(fd, CMD_STATUS, r, sizeof r, WAIT_MS, NULL), 11);
        each[i] = now_s() - a;
    }
    fprintf(stderr, "pty: status round trip median %.2f ms, max %.0f ms, %.0f/s overall\n",
            median(each, 100) * 1000, max_of(each, 100) * 1000, 100 / (now_s() - t0));

    /* unplug: the driver's fd hangs up, the link disappears; replug: the link works again */
    char slave[128];
    snprintf(slave, sizeof slave, "%s", pty_fake_slave(p));
    pty_fake_unplug(p);
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, WAIT_MS), 1);
    assert_true(pf.revents & POLLHUP);
    ssize_t k = read(fd, r, sizeof r);
    assert_true(k == 0 || (k < 0 && errno == EIO));
    assert_true(write(fd, "x", 1) < 0 && errno == EIO);
    assert_int_equal(access(pty_fake_path(p), F_OK), -1);
    close(fd);
    pty_fake_replug(p);
    fd = tty_open(pty_fake_path(p));
    sam_model_represent_card(m);
    assert_int_equal(tty_cmd(fd, CMD_FIND, r, sizeof r, WAIT_MS, NULL), 15);
    close(fd);
    pty_fake_free(p);
    sam_model_free(m);
}

int main(int argc, char **argv)
{
    usb_fake_init(argv);
    if (getenv("BM_TEST_FILTER")) /* e.g. BM_TEST_FILTER='test_pty*' */
        cmocka_set_test_filter(getenv("BM_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_cards),
        cmocka_unit_test(test_model_sequence),
        cmocka_unit_test(test_model_stream_and_faults),
        cmocka_unit_test(test_usb_layouts),
        cmocka_unit_test(test_usb_timeout_and_stall),
        cmocka_unit_test(test_usb_unplug_replug),
        cmocka_unit_test(test_usb_generic_control),
        cmocka_unit_test(test_usb_timing),
        cmocka_unit_test(test_pty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
