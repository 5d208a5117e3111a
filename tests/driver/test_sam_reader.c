/*
 * test_sam_reader.c - the SAM ID card reader driver (sam-usb, sam-serial) against an emulated
 * reader (sam_model.c): the production libusb code through umockdev (usb_fake.c), the tty
 * code through a pseudo-terminal (pty_fake.c). Each scenario says what a resident or a
 * technician would see: events, the status, the identity. Main thread.
 *
 * Built twice: test_sam_reader_usb (SAM_TEST_USB) and test_sam_reader_tty, so CTest runs the
 * two transports side by side. The reader logic above the link is the same for both, so the
 * long scenarios (every error status, the read command) run on the faster tty only (over USB
 * under the sanitizers the emulated bus costs minutes); card types, layouts, faults, unplug
 * and the photo run over USB.
 *
 * The program re-executes itself under the umockdev preload (usb_fake_init). Timings are
 * short (poll 50 ms; a 3 s timeout, long enough for a loaded machine) so faults show quickly; waits
 * end as soon as their condition holds.
 */
#include "fixture.h"
#include "pty_fake.h"
#include "sam_model.h"
#include "sam_usb_model.h"
#include "usb_fake.h"

#include "core/secbuf.h"
#include "drivers/sam/sam.h"
#include "drivers/sam/sam_codec.h"
#include "drivers/sam/sam_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum rig_kind { RIG_USB_SPLIT, RIG_USB_SINGLE, RIG_TTY };

struct rig {
    enum rig_kind kind;
    struct fx *f;
    struct sam_model *model;
    struct sam_usb_model *usb;
    struct pty_fake *pty;
    struct bm_device *dev;
};

static struct rig rig;

#define SINGLE_VID 0x1d6b /* an id the built-in table does not know, configured per test */
#define SINGLE_PID 0x5a5a

static void configure(struct fx *f, enum rig_kind kind)
{
    struct bm_config *c = f->cfg;
    assert_int_equal(
        bm_config_set(c, "devices", "id_reader", kind == RIG_TTY ? "sam-serial" : "sam-usb"),
        BM_OK);
    assert_int_equal(bm_config_set(c, "id_reader", "poll_ms", "50"), BM_OK);
    assert_int_equal(bm_config_set(c, "id_reader", "timeout_ms", "3000"), BM_OK);
    assert_int_equal(bm_config_set(c, "id_reader", "reopen_ms", "100"), BM_OK);
    if (kind == RIG_USB_SINGLE) {
        char ids[32];
        snprintf(ids, sizeof ids, "%04x:%04x", SINGLE_VID, SINGLE_PID);
        assert_int_equal(bm_config_set(c, "id_reader", "usb_ids", ids), BM_OK);
    }
}

/* A fake USB reader: 0400:C35A with split pipes, or one pipe each way under an id only the
 * config knows. */
static struct sam_usb_model *plug_usb(struct sam_model *m, enum rig_kind kind)
{
    struct usb_fake_desc d;
    enum sam_usb_layout layout = kind == RIG_USB_SPLIT ? SAM_USB_SPLIT : SAM_USB_SINGLE;
    sam_usb_model_desc(layout, &d);
    if (kind == RIG_USB_SINGLE) {
        d.vid = SINGLE_VID;
        d.pid = SINGLE_PID;
    }
    struct sam_usb_model *su = sam_usb_model_new(m, layout, &d);
    assert_non_null(su);
    return su;
}

/* The emulated reader for kind, plugged in, and the driver opened on it. */
static struct rig *rig_open(enum rig_kind kind)
{
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->f = fx_setup();
    r->model = sam_model_new();
    configure(r->f, kind);
    if (kind == RIG_TTY) {
        r->pty = pty_fake_new(r->model, NULL, 0);
        assert_non_null(r->pty);
        assert_int_equal(
            bm_config_set(r->f->cfg, "id_reader", "serial_device", pty_fake_path(r->pty)), BM_OK);
    } else {
        r->usb = plug_usb(r->model, kind);
    }
    r->dev = fx_open_clock(r->f, BM_CLASS_ID_READER, NULL);
    return r;
}

static void rig_close(struct rig *r)
{
    bm_device_close(r->dev);
    r->dev = NULL;
    if (r->usb)
        sam_usb_model_free(r->usb);
    r->usb = NULL;
    if (r->pty)
        pty_fake_free(r->pty);
    r->pty = NULL;
    sam_model_free(r->model);
    r->model = NULL;
    struct fx *f = r->f;
    r->f = NULL;
    if (f) /* last: its checks may fail, and nothing may be left open when they do */
        fx_teardown(f);
}

/* After every test, also one that failed half-way: nothing may keep polling into the next. */
static int rig_teardown(void **state)
{
    (void)state;
    rig_close(&rig);
    return 0;
}

static void rig_unplug(struct rig *r)
{
    if (r->usb)
        usb_fake_unplug(sam_usb_model_fake(r->usb));
    else
        pty_fake_unplug(r->pty);
}

static void rig_replug(struct rig *r)
{
    if (r->usb)
        usb_fake_replug(sam_usb_model_fake(r->usb));
    else
        pty_fake_replug(r->pty);
}

/* ---- waiting and looking ---- */

static bool is_online(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_ONLINE && st->error == BM_OK;
}

static bool is_absent(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_NO_DEVICE || st->device == BM_DEVICE_OFFLINE;
}

static bool is_hardware_error(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_HARDWARE_ERROR;
}

static struct bm_device_event *event_at(struct rig *r, int i)
{
    assert_true(i >= 0 && i < r->f->n_events);
    return r->f->events[i];
}

/* The next media-inserted event after index *from; advances *from past it. */
static struct bm_device_event *wait_inserted(struct rig *r, int *from)
{
    int i = fx_wait_event(r->f, *from, BM_EVENT_MEDIA_INSERTED);
    assert_true(i >= 0);
    *from = i + 1;
    return event_at(r, i);
}

static const char *field(const struct bm_secbuf *b)
{
    return b ? bm_secbuf_str(b) : NULL;
}

static int count_kind(struct rig *r, int from, enum bm_device_event_kind kind)
{
    int n = 0;
    for (int i = from; i < r->f->n_events; i++)
        n += r->f->events[i]->kind == kind;
    return n;
}

/* Errors other than a timeout: a machine that stalls for seconds can make a healthy emulated
 * reader miss a deadline, which must not fail a test about something else. */
static int count_errors_but_timeouts(struct rig *r)
{
    int n = 0;
    for (int i = 0; i < r->f->n_events; i++)
        n += r->f->events[i]->kind == BM_EVENT_ERROR && r->f->events[i]->err != BM_ERR_TIMEOUT;
    return n;
}

/* ---- scenarios ---- */

/* Open: SAM checked, its id for technicians, online without a card. */
static void opens_and_names_the_sam(enum rig_kind kind)
{
    struct rig *r = rig_open(kind);
    assert_true(fx_wait_status(r->dev, is_online));
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_ID_READER, &st);
    assert_int_equal(st.id_reader.sam, BM_SAM_OK);
    assert_int_equal(st.id_reader.media, BM_CARD_NOT_PRESENT);
    assert_true(strlen(st.id_reader.sam_id) > 10);
    assert_string_not_equal(st.id_reader.sam_id, "unknown");
    assert_string_equal(bm_device_driver_name(r->dev), kind == RIG_TTY ? "sam-serial" : "sam-usb");
    rig_close(r);
}

/* A resident card placed on the reader: inserted once, every field right, then removed. */
static void reads_a_resident_card(enum rig_kind kind)
{
    struct rig *r = rig_open(kind);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    struct bm_device_event *ev = wait_inserted(r, &from);
    const struct bm_identity *id = ev->identity;
    assert_non_null(id);
    assert_int_equal(id->type, BM_ID_CARD_RESIDENT);
    assert_string_equal(field(id->name), "李试民");
    assert_string_equal(field(id->gender), "女");
    assert_string_equal(field(id->nation), "汉");
    assert_string_equal(field(id->birth_date), "19920101");
    assert_string_equal(field(id->address), "测试省样例市示范区便民路1号");
    assert_string_equal(field(id->id_number), "990101199201010021");
    assert_string_equal(field(id->issuer), "样例市公安局示范分局");
    assert_string_equal(field(id->valid_from), "20200601");
    assert_string_equal(field(id->valid_until), "20400601");
    assert_null(id->name_en);
    assert_non_null(id->photo_wlt);
    uint8_t photo[SAM_MODEL_PHOTO_SIZE];
    assert_true(sam_model_card_photo(r->model, photo));
    assert_int_equal(bm_secbuf_len(id->photo_wlt), sizeof photo);
    assert_memory_equal(bm_secbuf_cdata(id->photo_wlt), photo, sizeof photo);
    assert_null(id->photo_rgb); /* no vendor library configured */
    assert_true(bm_secbuf_locked(id->name));

    /* The card halts after the read: find no longer sees it, so it reads as removed; once. */
    assert_true(fx_wait_event(r->f, from, BM_EVENT_MEDIA_REMOVED) >= 0);
    fx_pump(200);
    assert_int_equal(count_kind(r, 0, BM_EVENT_MEDIA_INSERTED), 1);
    assert_int_equal(count_kind(r, 0, BM_EVENT_MEDIA_REMOVED), 1);
    assert_true(sam_reader_last_read_wire(r->dev) > 1295);

    /* Placed again: read again. */
    sam_model_represent_card(r->model);
    ev = wait_inserted(r, &from);
    assert_non_null(ev->identity);
    rig_close(r);
}

static void usb_split_opens(void **state)
{
    (void)state;
    opens_and_names_the_sam(RIG_USB_SPLIT);
}

static void usb_single_opens(void **state)
{
    (void)state;
    opens_and_names_the_sam(RIG_USB_SINGLE);
}

static void tty_opens(void **state)
{
    (void)state;
    opens_and_names_the_sam(RIG_TTY);
}

static void usb_split_reads_resident(void **state)
{
    (void)state;
    reads_a_resident_card(RIG_USB_SPLIT);
}

static void usb_single_reads_resident(void **state)
{
    (void)state;
    reads_a_resident_card(RIG_USB_SINGLE);
}

static void tty_reads_resident(void **state)
{
    (void)state;
    reads_a_resident_card(RIG_TTY);
}

/* Every card type, the elderly resident's appended address, and expiry. */
static void reads_every_card_type(void **state)
{
    (void)state;
    struct rig *r = rig_open(RIG_USB_SPLIT);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    time_t now = time(NULL);

    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_72);
    const struct bm_identity *id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_string_equal(field(id->name), "王长青");
    assert_string_equal(field(id->gender), "男");
    assert_string_equal(field(id->nation), "回");
    assert_string_equal(field(id->valid_until), "长期");
    /* The latest appended address (住址变更) replaces the card's printed one. */
    assert_string_equal(field(id->address), "测试省样例县青山镇新街8号");
    assert_true(bm_identity_age(id, now) >= 72);
    assert_false(bm_identity_expired(id, now));

    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_EXPIRED);
    id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_true(bm_identity_expired(id, now));

    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_PERMIT_J);
    id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_int_equal(id->type, BM_ID_CARD_HMT_RESIDENCE);
    assert_true(bm_id_number_valid(field(id->id_number)));

    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_FOREIGN_I);
    id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_int_equal(id->type, BM_ID_CARD_FOREIGN_PERMANENT);
    assert_non_null(id->name_en);
    assert_string_equal(field(id->nation), "UTO");
    assert_null(id->address);

    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_FOREIGN_Y);
    id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_int_equal(id->type, BM_ID_CARD_FOREIGN_PERMANENT_Y);
    assert_non_null(id->name_en);
    assert_string_equal(field(id->nation), "UTO");
    rig_close(r);
}

/* A card whose read fails with sw3 three times: inserted without identity, the error with
 * the status table's fix; once the card has gone the reader is clear again. */
static void read_error(struct rig *r, uint8_t sw3, int *from)
{
    sam_model_fault_sw3(r->model, SAM_MODEL_CMD_READ, sw3, -1);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    struct bm_device_event *ev = wait_inserted(r, from);
    assert_null(ev->identity);
    int e = fx_wait_event(r->f, *from, BM_EVENT_ERROR);
    assert_true(e >= 0);
    const struct sam_status *want = sam_status_of(sw3);
    char code[8];
    snprintf(code, sizeof code, "SW3 %02X", sw3);
    assert_int_equal(event_at(r, e)->err, want->err);
    assert_int_equal(event_at(r, e)->fix, want->fix);
    assert_non_null(strstr(event_at(r, e)->detail, code));
    /* A card's own trouble leaves the reader usable; a reader error that wants a reset stays
     * in the status until the card has gone. */
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_ID_READER, &st);
    assert_int_equal(st.device, BM_DEVICE_ONLINE);
    assert_int_equal(st.error, want->fix == BM_FIX_NONE ? BM_OK : want->err);
    /* The card leaves: removed; the reader reads the next card fine. */
    sam_model_clear_faults(r->model);
    sam_model_remove_card(r->model);
    assert_true(fx_wait_event(r->f, *from, BM_EVENT_MEDIA_REMOVED) >= 0);
    assert_true(fx_wait_status(r->dev, is_online));
    *from = r->f->n_events;
}

static void every_read_error_status(enum rig_kind kind)
{
    struct rig *r = rig_open(kind);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    static const uint8_t codes[] = {0x10, 0x11, 0x21, 0x24, 0x31, 0x32, 0x33,
                                    0x37, 0x3F, 0x40, 0x41, 0x47, 0x81};
    for (size_t i = 0; i < sizeof codes; i++)
        read_error(r, codes[i], &from);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    assert_non_null(wait_inserted(r, &from)->identity);
    rig_close(r);
}

static void tty_every_read_error_status(void **state)
{
    (void)state;
    every_read_error_status(RIG_TTY);
}

/* The SAM fails its self-test at open, or stops being authorised while polling: a technician
 * is called; when it recovers the reader comes back. */
static void sam_failure_calls_a_technician(void **state)
{
    (void)state;
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    r->f = fx_setup();
    r->model = sam_model_new();
    configure(r->f, RIG_USB_SPLIT);
    sam_model_fault_sw3(r->model, SAM_MODEL_CMD_STATUS, 0x60, -1);
    r->usb = plug_usb(r->model, RIG_USB_SPLIT);
    r->dev = fx_open_clock(r->f, BM_CLASS_ID_READER, NULL);
    assert_true(fx_wait_status(r->dev, is_hardware_error));
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_ID_READER, &st);
    assert_int_equal(st.id_reader.sam, BM_SAM_ERROR);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "60"));
    fx_pump(400); /* re-checked, but reported once */
    assert_int_equal(count_kind(r, 0, BM_EVENT_ERROR), 1);

    sam_model_clear_faults(r->model);
    assert_true(fx_wait_status(r->dev, is_online));

    int from = r->f->n_events;
    sam_model_fault_sw3(r->model, SAM_MODEL_CMD_FIND, 0x66, -1);
    assert_true(fx_wait_status(r->dev, is_hardware_error));
    fx_pump(500); /* the self-check passes, but find still fails: no flapping back online */
    bm_device_get_status(r->dev, BM_CLASS_ID_READER, &st);
    assert_int_equal(st.device, BM_DEVICE_HARDWARE_ERROR);
    assert_int_equal(count_kind(r, from, BM_EVENT_ERROR), 1);
    sam_model_clear_faults(r->model);
    assert_true(fx_wait_status(r->dev, is_online));
    rig_close(r);
}

/* The read command: no card now, none in time, one placed while waiting, cancel. */
static void read_command(void **state)
{
    (void)state;
    struct rig *r = rig_open(RIG_TTY);
    assert_true(fx_wait_status(r->dev, is_online));
    struct fx_cmd *k = fx_cmd(r->f);
    struct bm_id_read_params now = {.timeout_ms = 0};
    assert_int_equal(bm_id_reader_read(r->dev, &now, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);

    k = fx_cmd(r->f);
    struct bm_id_read_params soon = {.timeout_ms = 300};
    assert_int_equal(bm_id_reader_read(r->dev, &soon, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_TIMEOUT);

    k = fx_cmd(r->f);
    struct bm_id_read_params wait = {.timeout_ms = 20000};
    assert_int_equal(bm_id_reader_read(r->dev, &wait, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_running(r->dev, k->id));
    fx_pump(100);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_PERMIT_J);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct bm_identity *id = k->result;
    assert_non_null(id);
    assert_int_equal(id->type, BM_ID_CARD_HMT_RESIDENCE);
    bm_identity_free(id);
    k->result = NULL;

    k = fx_cmd(r->f);
    sam_model_remove_card(r->model);
    assert_int_equal(bm_id_reader_read(r->dev, &wait, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_running(r->dev, k->id));
    assert_int_equal(bm_device_cancel(r->dev, k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_CANCELLED);
    rig_close(r);
}

/* Removed mid-read: the reader answers 41, or its answer stops half-way. The resident hears
 * the card could not be read (inserted without identity, the reader's error, removed); a cut
 * answer makes the reader count as silent until it answers again. */
static void card_removed_mid_read(void **state)
{
    (void)state;
    struct rig *r = rig_open(RIG_USB_SPLIT);
    assert_true(fx_wait_status(r->dev, is_online));
    sam_model_fault_remove_during_read(r->model, SAM_MODEL_REMOVE_ANSWER_41, 0);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    for (int i = 0; i < FX_WAIT_MS / 10 && sam_model_card_present(r->model); i++)
        fx_pump(10);
    assert_false(sam_model_card_present(r->model)); /* the read happened */
    int from = 0;
    assert_null(wait_inserted(r, &from)->identity);
    int e = fx_wait_event(r->f, from, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(event_at(r, e)->err, BM_ERR_IO);
    assert_non_null(strstr(event_at(r, e)->detail, "SW3 41"));
    assert_true(fx_wait_event(r->f, e, BM_EVENT_MEDIA_REMOVED) >= 0);
    assert_true(fx_wait_status(r->dev, is_online));

    from = r->f->n_events;
    sam_model_fault_remove_during_read(r->model, SAM_MODEL_REMOVE_CUT, 600);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    e = fx_wait_event(r->f, from, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(event_at(r, e)->err, BM_ERR_TIMEOUT);
    assert_true(fx_wait_status(r->dev, is_online)); /* reopened */
    assert_int_equal(count_kind(r, from, BM_EVENT_MEDIA_INSERTED), 0);
    rig_close(r);
}

/* Corrupt and awkward answers: a bad checksum is asked for again; answers in 5-byte pieces
 * behind garbage that looks like a preamble still read. */
static void corrupt_split_and_garbage(enum rig_kind kind)
{
    struct rig *r = rig_open(kind);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    sam_model_fault_bad_checksum(r->model, 1);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    assert_non_null(wait_inserted(r, &from)->identity);
    assert_int_equal(count_errors_but_timeouts(r), 0);

    static const uint8_t garbage[] = {0x00, 0xFF, 0xAA, 0xAA, 0x96, 0xAA, 0xAA, 0xAA};
    sam_model_fault_garbage(r->model, garbage, sizeof garbage);
    sam_model_fault_split(r->model, 5, 1);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_FOREIGN_Y);
    assert_non_null(wait_inserted(r, &from)->identity);
    assert_int_equal(count_errors_but_timeouts(r), 0);
    rig_close(r);
}

static void usb_corrupt_split_garbage(void **state)
{
    (void)state;
    corrupt_split_and_garbage(RIG_USB_SINGLE);
}

static void tty_corrupt_split_garbage(void **state)
{
    (void)state;
    corrupt_split_and_garbage(RIG_TTY);
}

/* A reader that stops answering: offline with the timeout, reopened when it answers again;
 * the kiosk never waits longer than one timeout per command. */
static void silent_reader(enum rig_kind kind)
{
    struct rig *r = rig_open(kind);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    sam_model_fault_silent_after(r->model, 0);
    int e = fx_wait_event(r->f, from, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(event_at(r, e)->err, BM_ERR_TIMEOUT);
    assert_int_equal(event_at(r, e)->fix, BM_FIX_SUSPEND);
    assert_true(fx_wait_status(r->dev, is_absent));

    /* A read meanwhile fails without trying the reader itself: it waits out at most the
     * reopen attempt already under way (one self-check), not one of its own. Counted in
     * commands, not milliseconds, so a slow machine cannot make it flaky. */
    struct sam_model_stats before, after;
    sam_model_get_stats(r->model, &before);
    struct fx_cmd *k = fx_cmd(r->f);
    struct bm_id_read_params now = {.timeout_ms = 0};
    assert_int_equal(bm_id_reader_read(r->dev, &now, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_not_equal(k->c.err, BM_OK);
    assert_int_equal(k->c.fix, BM_FIX_SUSPEND);
    sam_model_get_stats(r->model, &after);
    assert_int_equal(after.cmds[SAM_MODEL_CMD_FIND], before.cmds[SAM_MODEL_CMD_FIND]);
    /* the attempt under way when the read came, and perhaps the next, after it failed */
    assert_true(after.cmds[SAM_MODEL_CMD_STATUS] - before.cmds[SAM_MODEL_CMD_STATUS] <= 2);

    sam_model_fault_silent_after(r->model, -1);
    sam_model_drop_output(r->model);
    assert_true(fx_wait_status(r->dev, is_online));
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    assert_non_null(wait_inserted(r, &from)->identity);
    rig_close(r);
}

static void usb_silent(void **state)
{
    (void)state;
    silent_reader(RIG_USB_SPLIT);
}

static void tty_silent(void **state)
{
    (void)state;
    silent_reader(RIG_TTY);
}

/* Unplugged in the middle of a read (the reader answers slowly), then plugged back in. */
static void unplug_mid_read_and_replug(enum rig_kind kind)
{
    struct rig *r = rig_open(kind);
    assert_true(fx_wait_status(r->dev, is_online));
    sam_model_set_delay_ms(r->model, 150);
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    struct sam_model_stats s;
    for (int i = 0; i < FX_WAIT_MS / 5; i++) { /* until the read command is on its way */
        fx_pump(5);
        sam_model_get_stats(r->model, &s);
        if (s.cmds[SAM_MODEL_CMD_READ] > 0)
            break;
    }
    assert_true(s.cmds[SAM_MODEL_CMD_READ] > 0);
    int from = r->f->n_events;
    rig_unplug(r);
    int e = fx_wait_event(r->f, from, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(event_at(r, e)->err, BM_ERR_NO_DEVICE);
    assert_true(fx_wait_status(r->dev, is_absent));
    from = e + 1;
    /* Absent stays absent, reported once; after five attempts a technician is called. */
    int m = -1;
    for (int i = from; m < 0 && (i = fx_wait_event(r->f, i, BM_EVENT_ERROR)) >= 0; i++)
        if (event_at(r, i)->fix == BM_FIX_MAINTENANCE)
            m = i;
    assert_true(m >= 0);
    for (int i = from; i < m; i++)
        assert_false(r->f->events[i]->kind == BM_EVENT_ERROR);

    sam_model_set_delay_ms(r->model, 0);
    sam_model_drop_output(r->model);
    sam_model_represent_card(r->model);
    rig_replug(r);
    assert_true(fx_wait_status(r->dev, is_online));
    assert_non_null(wait_inserted(r, &from)->identity);
    rig_close(r);
}

static void usb_unplug_replug(void **state)
{
    (void)state;
    unplug_mid_read_and_replug(RIG_USB_SPLIT);
}

static void tty_unplug_replug(void **state)
{
    (void)state;
    unplug_mid_read_and_replug(RIG_TTY);
}

/* No reader at start: no_device, found when it is plugged in. */
static void absent_at_start(void **state)
{
    (void)state;
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    r->f = fx_setup();
    r->model = sam_model_new();
    configure(r->f, RIG_USB_SPLIT);
    r->dev = fx_open_clock(r->f, BM_CLASS_ID_READER, NULL);
    struct bm_device_status st;
    bm_device_get_status(r->dev, BM_CLASS_ID_READER, &st);
    assert_int_equal(st.device, BM_DEVICE_NO_DEVICE);
    assert_int_equal(st.error, BM_ERR_NO_DEVICE);
    r->usb = plug_usb(r->model, RIG_USB_SPLIT);
    assert_true(fx_wait_status(r->dev, is_online));
    rig_close(r);
}

/* The config's usb_ids: good entries, and a bad one named in the error. */
static void usb_ids_config(void **state)
{
    (void)state;
    struct sam_usb_id ids[4];
    assert_int_equal(sam_usb_parse_ids("", ids, 4), 0);
    assert_int_equal(sam_usb_parse_ids("1a2b:3c4d, 0400:c35b:split,5e6f:7a8b:01/02/83/84", ids, 4),
                     3);
    assert_int_equal(ids[0].vid, 0x1a2b);
    assert_false(ids[0].layout.split);
    assert_true(ids[1].layout.split);
    assert_int_equal(ids[1].layout.in_body, 0x85);
    assert_int_equal(ids[2].layout.out_body, 0x02);
    assert_int_equal(ids[2].layout.in_header, 0x83);
    static const char *const bad[] = {"1a2b",
                                      "1a2b:",
                                      "1a2b:3c4d:",
                                      "1a2b:3c4d:splat",
                                      "1a2b:3c4d:81/02/83/84",
                                      "12345:1",
                                      "1a2b:3c4d:01/02/83"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sam_usb_parse_ids(bad[i], ids, 4), -1);
        assert_non_null(strstr(bm_err_detail(), "usb_ids"));
    }
    assert_int_equal(sam_usb_parse_ids("1:1,2:2,3:3,4:4,5:5", ids, 4), -1);
}

/* ---- the photo through a vendor library ---- */

static void photo_through_vendor_library(void **state)
{
    (void)state;
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    r->f = fx_setup();
    r->model = sam_model_new();
    configure(r->f, RIG_USB_SPLIT);
    assert_int_equal(bm_config_set(r->f->cfg, "id_reader", "photo_library", BM_FAKE_WLT_PATH),
                     BM_OK);
    r->usb = plug_usb(r->model, RIG_USB_SPLIT);
    r->dev = fx_open_clock(r->f, BM_CLASS_ID_READER, NULL);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    const struct bm_identity *id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_non_null(id->photo_rgb);
    assert_int_equal(bm_secbuf_len(id->photo_rgb), BM_ID_PHOTO_RGB_SIZE);
    uint8_t wlt[SAM_MODEL_PHOTO_SIZE];
    assert_true(sam_model_card_photo(r->model, wlt));
    const uint8_t *px = bm_secbuf_cdata(id->photo_rgb);
    for (int y = 0; y < BM_ID_PHOTO_HEIGHT; y++) { /* fake_wlt.c's formula, top row first */
        for (int x = 0; x < BM_ID_PHOTO_WIDTH; x++) {
            const uint8_t *p = px + ((size_t)y * BM_ID_PHOTO_WIDTH + (size_t)x) * 3;
            assert_int_equal(p[0], (uint8_t)(x * 2));
            assert_int_equal(p[1], (uint8_t)(y * 2));
            assert_int_equal(p[2], wlt[(y * BM_ID_PHOTO_WIDTH + x) % 1024]);
        }
    }
    rig_close(r);
}

/* A library that is missing costs the photo, not the reader. */
static void missing_photo_library(void **state)
{
    (void)state;
    struct rig *r = &rig;
    memset(r, 0, sizeof *r);
    r->f = fx_setup();
    r->model = sam_model_new();
    configure(r->f, RIG_TTY);
    assert_int_equal(
        bm_config_set(r->f->cfg, "id_reader", "photo_library", "/nonexistent/libwlt.so"), BM_OK);
    r->pty = pty_fake_new(r->model, NULL, 0);
    assert_int_equal(bm_config_set(r->f->cfg, "id_reader", "serial_device", pty_fake_path(r->pty)),
                     BM_OK);
    r->dev = fx_open_clock(r->f, BM_CLASS_ID_READER, NULL);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_34);
    const struct bm_identity *id = wait_inserted(r, &from)->identity;
    assert_non_null(id);
    assert_non_null(id->photo_wlt);
    assert_null(id->photo_rgb);
    rig_close(r);
}

/* Nothing of a card outlives the events: freeing them leaves no secure buffer behind. */
static void identity_wiped_with_events(void **state)
{
    (void)state;
    size_t before = bm_secbuf_live_count();
    struct rig *r = rig_open(RIG_TTY);
    assert_true(fx_wait_status(r->dev, is_online));
    int from = r->f->n_events;
    sam_model_insert_preset(r->model, SAM_MODEL_PRESET_RESIDENT_72);
    assert_non_null(wait_inserted(r, &from)->identity);
    assert_true(fx_wait_event(r->f, from, BM_EVENT_MEDIA_REMOVED) >= 0);
    rig_close(r);
    assert_int_equal(bm_secbuf_live_count(), before);
}

int main(int argc, char **argv)
{
    usb_fake_init(argv);
    fx_global_init();
    const struct CMUnitTest usb_tests[] = {
        cmocka_unit_test_teardown(usb_ids_config, rig_teardown),
        cmocka_unit_test_teardown(usb_split_opens, rig_teardown),
        cmocka_unit_test_teardown(usb_single_opens, rig_teardown),
        cmocka_unit_test_teardown(usb_split_reads_resident, rig_teardown),
        cmocka_unit_test_teardown(usb_single_reads_resident, rig_teardown),
        cmocka_unit_test_teardown(reads_every_card_type, rig_teardown),
        cmocka_unit_test_teardown(sam_failure_calls_a_technician, rig_teardown),
        cmocka_unit_test_teardown(card_removed_mid_read, rig_teardown),
        cmocka_unit_test_teardown(usb_corrupt_split_garbage, rig_teardown),
        cmocka_unit_test_teardown(usb_silent, rig_teardown),
        cmocka_unit_test_teardown(usb_unplug_replug, rig_teardown),
        cmocka_unit_test_teardown(absent_at_start, rig_teardown),
        cmocka_unit_test_teardown(photo_through_vendor_library, rig_teardown),
    };
    const struct CMUnitTest tty_tests[] = {
        cmocka_unit_test_teardown(tty_opens, rig_teardown),
        cmocka_unit_test_teardown(tty_reads_resident, rig_teardown),
        cmocka_unit_test_teardown(tty_every_read_error_status, rig_teardown),
        cmocka_unit_test_teardown(read_command, rig_teardown),
        cmocka_unit_test_teardown(tty_corrupt_split_garbage, rig_teardown),
        cmocka_unit_test_teardown(tty_silent, rig_teardown),
        cmocka_unit_test_teardown(tty_unplug_replug, rig_teardown),
        cmocka_unit_test_teardown(missing_photo_library, rig_teardown),
        cmocka_unit_test_teardown(identity_wiped_with_events, rig_teardown),
    };
    if (argc > 1) /* one test by name (or a pattern), for debugging */
        cmocka_set_test_filter(argv[1]);
#ifdef SAM_TEST_USB
    int rc = cmocka_run_group_tests_name("usb", usb_tests, NULL, NULL);
    (void)tty_tests;
#else
    int rc = cmocka_run_group_tests_name("tty", tty_tests, NULL, NULL);
    (void)usb_tests;
#endif
    fx_global_fini();
    return rc;
}
