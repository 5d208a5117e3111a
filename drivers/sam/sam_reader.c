/*
 * sam_reader.c - the resident ID card reader driver: the SAM protocol's read sequence over a
 * USB (sam-usb) or serial (sam-serial) link, as the device model wants it.
 *
 * At open the reader is found, its SAM checks itself (status 11 FF) and names itself (SAM id,
 * 12 FF, kept in the status for technicians). Then the driver polls on its worker at
 * [id_reader] poll_ms: find (retried once on 80, as readers expect) -> select -> read text and
 * photo -> appended address. A card read raises media-inserted once with its identity; when
 * find no longer sees it, media-removed. The SAM protocol cannot tell a card still lying on the
 * reader after a successful read from no card (the card halts until it leaves the field), so
 * media-removed comes at the first poll after the read in which find fails; the identity stays
 * available to a read command until then. A card that fails to read three times running, or leaves
 * before it read, raises media-inserted without identity and the reader's error (e.g. "read card
 * failed"), once; reading goes on, and should it succeed later, media-inserted with the
 * identity follows. A broken SAM makes the reader hardware_error until a find works again.
 *
 * A reader that stops answering (a command times out), whose transfers fail, or that
 * disappears (unplugged, hung up) is closed and reported (offline / no_device), and the tick
 * opens it again every reopen_ms, at once on a USB hotplug arrival. Every fault is reported
 * once, with the status set in one update before its event. Nothing personal is ever logged:
 * only commands, status codes and byte counts.
 *
 * Threads: everything here runs on the device's worker thread.
 */
#include "sam_codec.h"
#include "sam_link.h"
#include "sam_photo.h"

#include "sam.h"

#include "core/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIND_TRIES        2 /* find, and once more on 80 */
#define READ_TRIES        3 /* failed reads of one card before it is reported unreadable */
#define MAINTENANCE_AFTER 5 /* failed reopen attempts before a technician is called */
#define CORRUPT_RETRIES   2 /* a command whose answer arrives corrupt is sent again */

enum card_state {
    CARD_NONE,       /* nothing reported */
    CARD_READ,       /* inserted reported with an identity */
    CARD_UNREADABLE, /* inserted reported without one */
};

struct sam_reader {
    bool over_usb;
    struct sam_usb *usb;   /* libusb context (sam-usb only) */
    struct sam_link *link; /* NULL while the reader is closed */
    struct sam_rx rx;
    struct sam_photo *photo;
    unsigned timeout_ms, poll_ms, reopen_ms;
    uint64_t next_open_ms;
    unsigned failed_opens;
    enum card_state card;
    unsigned read_failures;
    enum bm_err find_error; /* the last error find reported, so it is reported once */
    bool sam_fault;         /* the SAM failed: stay failed until find works again */
    enum bm_err transport;  /* how the last exchange failed on the link (BM_OK: it did not) */
    char read_why[96];      /* why the card in the field would not read */
    enum bm_err read_err;
    enum bm_fix read_fix;
    struct bm_identity *current; /* the card read last, until media-removed */
    char sam_id[48];
    uint64_t wire_at_read_start;     /* bytes on the link when the current read began */
    _Atomic uint64_t last_read_wire; /* bytes both ways of the last complete read (any thread) */
};

/* ---- talking to the reader ---- */

/*
 * Whether an answer can be the one to cmd. Answers carry no command, so a late answer to an
 * earlier command (a reader that was slow, a pipe not fully drained) would otherwise be taken
 * for this one's; its status and length give most away.
 */
static bool answers(uint16_t cmd, const struct sam_response *a)
{
    if (a->sw3 == 0x9F || a->sw3 == 0x80) /* find's own codes */
        return cmd == SAM_CMD_FIND;
    if (!sam_response_ok(a))
        return true; /* another failure could be anyone's */
    switch (cmd) {
    case SAM_CMD_STATUS:
        return a->data_len == 0;
    case SAM_CMD_SAM_ID:
        return a->data_len == 16;
    case SAM_CMD_SELECT:
        return a->data_len == 8;
    case SAM_CMD_READ:
    case SAM_CMD_READ_FP:
        return a->data_len >= 4 + SAM_TEXT_SIZE;
    case SAM_CMD_READ_ADDRESS:
        return a->data_len <= 4 * 70; /* up to four 70-byte blocks */
    default:
        return true;
    }
}

/*
 * Sends a frame and waits for the answer, within one deadline. Garbage before it is skipped; a
 * corrupt frame (checksum, length) is skipped too, and if nothing good follows it in what has
 * arrived, the wait ends with BM_ERR_PARSE so the command can be sent again.
 */
static enum bm_err transact(struct sam_reader *r, uint16_t cmd, const uint8_t *frame, size_t len,
                            struct sam_response *resp)
{
    const struct bm_clock *clock = bm_clock_system();
    uint64_t deadline = bm_clock_ms(clock) + r->timeout_ms;
    sam_rx_reset(&r->rx);
    enum bm_err err = r->link->ops->send(r->link, frame, len, r->timeout_ms);
    bool corrupt = false;
    while (err == BM_OK) {
        enum sam_rx_result got = sam_rx_take(&r->rx, resp);
        if (got == SAM_RX_FRAME && answers(cmd, resp))
            return BM_OK;
        if (got == SAM_RX_FRAME) {
            bm_log_info("id_reader",
                        "%s: a late answer (SW3 %02X, %zu bytes) skipped while "
                        "waiting for %s",
                        r->link->name, resp->sw3, resp->data_len, sam_command_name(cmd));
            continue;
        }
        if (got != SAM_RX_NEED_MORE) {
            corrupt = true;
            continue;
        }
        if (corrupt)
            return bm_err_set(BM_ERR_PARSE, "%s: a corrupt answer to %s", r->link->name,
                              sam_command_name(cmd));
        uint64_t now = bm_clock_ms(clock);
        if (now >= deadline)
            return bm_err_set(BM_ERR_TIMEOUT, "%s: no answer to %s within %u ms", r->link->name,
                              sam_command_name(cmd), r->timeout_ms);
        err = r->link->ops->receive(r->link, &r->rx, (unsigned)(deadline - now));
        if (err == BM_ERR_TIMEOUT)
            err = bm_err_set(BM_ERR_TIMEOUT, "%s: no answer to %s within %u ms", r->link->name,
                             sam_command_name(cmd), r->timeout_ms);
    }
    return err;
}

/*
 * Sends cmd (with data) and returns its answer; a corrupt answer is asked for again. A failure
 * of the link itself (gone, silent, transfers failing, answers that stay corrupt) is also
 * kept in r->transport, so callers tell it from the reader's own "no".
 */
static enum bm_err exchange(struct sam_reader *r, uint16_t cmd, const uint8_t *data,
                            size_t data_len, struct sam_response *resp)
{
    uint8_t frame[64];
    size_t len = sam_build_command(cmd, data, data_len, frame, sizeof frame);
    if (len == 0)
        return bm_err_set(BM_ERR_INTERNAL, "command %04x does not fit a frame", cmd);
    for (int attempt = 0;; attempt++) {
        enum bm_err err = transact(r, cmd, frame, len, resp);
        if (err != BM_ERR_PARSE || attempt == CORRUPT_RETRIES) {
            r->transport = err;
            return err;
        }
        bm_log_warn("id_reader", "%s; sending it again", bm_err_detail());
        r->link->ops->discard_input(r->link);
    }
}

/* A failed SW3 as an error, with the fix the status table gives. */
static enum bm_err status_error(const struct sam_response *resp, uint16_t cmd, enum bm_fix *fix)
{
    const struct sam_status *s = sam_status_of(resp->sw3);
    *fix = s->fix;
    if (resp->sw1 || resp->sw2)
        return bm_err_set(BM_ERR_DEVICE, "%s: status %02X %02X %02X", sam_command_name(cmd),
                          resp->sw1, resp->sw2, resp->sw3);
    return bm_err_set(s->err, "%s: %s (SW3 %02X)", sam_command_name(cmd), s->text, resp->sw3);
}

/* ---- status ---- */

/* The status in one update, so nobody sees the state without its fields or its error. */
static void set_status(struct bm_device *dev, enum bm_device_state state, enum bm_card_media media,
                       enum bm_sam_state sam, enum bm_err err, enum bm_fix fix, const char *why)
{
    struct sam_reader *r = bm_device_priv(dev);
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_ID_READER, &st);
    st.device = state;
    st.error = err;
    st.fix = fix;
    snprintf(st.detail, sizeof st.detail, "%s", why);
    st.id_reader.media = media;
    st.id_reader.sam = sam;
    snprintf(st.id_reader.sam_id, sizeof st.id_reader.sam_id, "%s", r->sam_id);
    bm_device_set_status(dev, &st);
}

/* A good state: no error outstanding. */
static void publish(struct bm_device *dev, enum bm_device_state state, enum bm_card_media media,
                    enum bm_sam_state sam)
{
    set_status(dev, state, media, sam, BM_OK, BM_FIX_NONE, "");
}

/*
 * A problem that stays until it is fixed: the status says it (state, error, fix) and an error
 * event tells the flow, once: the same problem again is not reported again.
 */
static void fault(struct bm_device *dev, enum bm_device_state state, enum bm_card_media media,
                  enum bm_sam_state sam, enum bm_err err, enum bm_fix fix, const char *why)
{
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_ID_READER, &st);
    bool again = st.device == state && st.error == err && st.fix == fix;
    set_status(dev, state, media, sam, err, fix, why);
    if (!again) /* the status is already right: this only posts the error event */
        bm_device_report_error(dev, state, err, fix, "%s", why);
}

static void forget_card(struct bm_device *dev, struct sam_reader *r, bool emit)
{
    bool had = r->card != CARD_NONE;
    bm_identity_free(r->current);
    r->current = NULL;
    r->card = CARD_NONE;
    r->read_failures = 0;
    if (had && emit)
        bm_device_emit(dev, BM_EVENT_MEDIA_REMOVED, NULL, NULL);
}

/*
 * The link failed (the reader is gone, silent, or its transfers fail): close it, say so, and
 * let the tick reopen it. A card we reported is gone from our view.
 */
static void lose_link(struct bm_device *dev, struct sam_reader *r, enum bm_err err)
{
    char why[96];
    snprintf(why, sizeof why, "%s", bm_err_detail());
    if (r->link) {
        bm_log_warn("id_reader", "%s: closed: %s", r->link->name, why);
        r->link->ops->close(r->link);
        r->link = NULL;
    }
    r->failed_opens++;
    enum bm_fix fix = r->failed_opens >= MAINTENANCE_AFTER ? BM_FIX_MAINTENANCE : BM_FIX_SUSPEND;
    enum bm_device_state state = err == BM_ERR_NO_DEVICE ? BM_DEVICE_NO_DEVICE : BM_DEVICE_OFFLINE;
    fault(dev, state, BM_CARD_UNKNOWN, BM_SAM_UNKNOWN, err, fix, why);
    forget_card(dev, r, true);
    r->next_open_ms = bm_clock_ms(bm_device_clock(dev)) + r->reopen_ms;
}

/*
 * The SAM itself failed (self-test, not authorised): the reader cannot read any card. Close it
 * and call a technician; the tick keeps checking in case it was only reseated. Returns
 * BM_OK: the failure is handled.
 */
static enum bm_err sam_failed(struct bm_device *dev, struct sam_reader *r, enum bm_err err)
{
    char why[96];
    snprintf(why, sizeof why, "%s", bm_err_detail());
    bm_log_error("id_reader", "%s: %s", r->link ? r->link->name : "reader", why);
    if (r->link) {
        r->link->ops->close(r->link);
        r->link = NULL;
    }
    r->sam_fault = true;
    fault(dev, BM_DEVICE_HARDWARE_ERROR, BM_CARD_UNKNOWN, BM_SAM_ERROR, err, BM_FIX_MAINTENANCE,
          why);
    forget_card(dev, r, true);
    r->next_open_ms = bm_clock_ms(bm_device_clock(dev)) + r->reopen_ms;
    return BM_OK;
}

/* ---- opening: find the reader, check the SAM ---- */

/* The 16 bytes of the SAM id in the vendors' usual dotted form. */
static void format_sam_id(const uint8_t *d, char *out, size_t size)
{
    unsigned a = (unsigned)d[0] | (unsigned)d[1] << 8, b = (unsigned)d[2] | (unsigned)d[3] << 8;
    uint32_t c = (uint32_t)d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16 | (uint32_t)d[7] << 24;
    uint32_t e =
        (uint32_t)d[8] | (uint32_t)d[9] << 8 | (uint32_t)d[10] << 16 | (uint32_t)d[11] << 24;
    uint32_t f =
        (uint32_t)d[12] | (uint32_t)d[13] << 8 | (uint32_t)d[14] << 16 | (uint32_t)d[15] << 24;
    snprintf(out, size, "%02u.%02u-%08u-%010u-%010u", a % 100, b % 100, c % 100000000u, e, f);
}

/*
 * The SAM's self-check and id. BM_ERR_DEVICE: the SAM is broken (reported, link closed);
 * another error: the link failed or the reader refused (the caller closes the link).
 */
static enum bm_err check_sam(struct bm_device *dev, struct sam_reader *r)
{
    struct sam_response resp;
    enum bm_err err = exchange(r, SAM_CMD_STATUS, NULL, 0, &resp);
    if (err != BM_OK)
        return err;
    if (!sam_response_ok(&resp)) {
        enum bm_fix fix;
        err = status_error(&resp, SAM_CMD_STATUS, &fix);
        if (fix != BM_FIX_MAINTENANCE) { /* e.g. a garbled command: worth another try */
            char why[96];
            snprintf(why, sizeof why, "%s", bm_err_detail());
            return bm_err_set(BM_ERR_IO, "%s", why);
        }
        sam_failed(dev, r, err);
        return BM_ERR_DEVICE;
    }
    err = exchange(r, SAM_CMD_SAM_ID, NULL, 0, &resp);
    if (err != BM_OK)
        return err;
    if (sam_response_ok(&resp) && resp.data_len >= 16)
        format_sam_id(resp.data, r->sam_id, sizeof r->sam_id);
    else
        snprintf(r->sam_id, sizeof r->sam_id, "%s", "unknown");
    return BM_OK;
}

static enum bm_err open_link(struct sam_reader *r, const struct bm_config *cfg)
{
    if (r->over_usb)
        return r->usb ? sam_usb_open(r->usb, &r->link)
                      : bm_err_set(BM_ERR_CONFIG, "USB unavailable (see the log at start)");
    return sam_tty_open(cfg, &r->link);
}

static enum bm_err find_card(struct sam_reader *r, enum bm_fix *fix);

/* Opens the reader and checks its SAM; on success the reader is online without a card. */
static bool try_open(struct bm_device *dev, struct sam_reader *r)
{
    r->next_open_ms = bm_clock_ms(bm_device_clock(dev)) + r->reopen_ms;
    enum bm_err err = open_link(r, bm_device_config(dev));
    if (err != BM_OK) {
        r->failed_opens++;
        enum bm_fix fix =
            r->failed_opens >= MAINTENANCE_AFTER ? BM_FIX_MAINTENANCE : BM_FIX_SUSPEND;
        char why[96];
        snprintf(why, sizeof why, "%s", bm_err_detail());
        fault(dev, BM_DEVICE_NO_DEVICE, BM_CARD_UNKNOWN, BM_SAM_UNKNOWN, err, fix, why);
        return false;
    }
    r->link->ops->discard_input(r->link); /* whatever it still had to say to our last link */
    err = check_sam(dev, r);
    if (err == BM_ERR_DEVICE) /* SAM broken: reported and closed */
        return false;
    if (err == BM_OK && r->sam_fault) {
        /* The SAM failed on a find before: the self-check is not enough, find must work. */
        enum bm_fix fix = BM_FIX_NONE;
        err = find_card(r, &fix);
        if (r->transport == BM_OK && err != BM_OK && fix == BM_FIX_MAINTENANCE) {
            sam_failed(dev, r, err);
            return false;
        }
        err = r->transport;
    }
    if (err != BM_OK) {
        lose_link(dev, r, err);
        return false;
    }
    bm_log_notice("id_reader", "%s: ready, SAM %s", r->link->name, r->sam_id);
    r->failed_opens = 0;
    r->sam_fault = false;
    publish(dev, BM_DEVICE_ONLINE, BM_CARD_NOT_PRESENT, BM_SAM_OK);
    return true;
}

/* ---- reading a card ---- */

/* Replaces the card's printed address with its appended one (住址变更: up to four 70-byte
 * blocks, joined), if it has any: that is where the resident lives now. */
static enum bm_err read_appended_address(struct sam_reader *r, struct bm_identity *id)
{
    struct sam_response resp;
    enum bm_err err = exchange(r, SAM_CMD_READ_ADDRESS, NULL, 0, &resp);
    if (err != BM_OK || !sam_response_ok(&resp) || !id->address)
        return err; /* 91: no appended address, the common case */
    char text[4 * 70 * 3 / 2 + 8];
    size_t len = sam_decode_appended_address(resp.data, resp.data_len, text, sizeof text);
    if (len > 0) {
        struct bm_secbuf *latest = bm_secbuf_strdup(text);
        if (latest) {
            bm_secbuf_free(id->address);
            id->address = latest;
        }
    }
    explicit_bzero(text, sizeof text);
    return BM_OK;
}

static enum bm_err decode_read(struct sam_reader *r, const struct sam_response *resp,
                               struct bm_identity **out)
{
    struct sam_read_parts parts;
    enum bm_err err = sam_split_read(resp, false, &parts);
    if (err == BM_OK)
        err = sam_decode_text(parts.text, out);
    if (err != BM_OK || parts.photo_len != BM_ID_PHOTO_WLT_SIZE)
        return err;
    struct bm_identity *id = *out;
    id->photo_wlt = bm_secbuf_new(BM_ID_PHOTO_WLT_SIZE);
    if (!id->photo_wlt || bm_secbuf_assign(id->photo_wlt, parts.photo, parts.photo_len) != BM_OK)
        return bm_err_set(BM_ERR_NO_MEMORY, "photo buffer");
    if (r->photo && sam_photo_decode(r->photo, parts.photo, &id->photo_rgb) != BM_OK)
        bm_log_warn("id_reader", "photo not decoded: %s", bm_err_detail());
    return BM_OK;
}

/*
 * select -> read -> appended address for the card find has just seen. *fix tells what fixes a
 * failure reported by the reader; BM_ERR_TIMEOUT / BM_ERR_NO_DEVICE mean the link is lost.
 */
static enum bm_err read_card(struct sam_reader *r, struct bm_identity **out, enum bm_fix *fix)
{
    *out = NULL;
    *fix = BM_FIX_NONE;
    struct sam_response resp;
    enum bm_err err = exchange(r, SAM_CMD_SELECT, NULL, 0, &resp);
    if (err == BM_OK && !sam_response_ok(&resp))
        return status_error(&resp, SAM_CMD_SELECT, fix);
    if (err == BM_OK)
        err = exchange(r, SAM_CMD_READ, NULL, 0, &resp);
    if (err == BM_OK && !sam_response_ok(&resp))
        return status_error(&resp, SAM_CMD_READ, fix);
    if (err == BM_OK)
        err = decode_read(r, &resp, out);
    if (err == BM_OK)
        err = read_appended_address(r, *out);
    sam_rx_reset(&r->rx); /* it held the card's text: zeroed */
    if (err != BM_OK) {
        bm_identity_free(*out);
        *out = NULL;
    }
    return err;
}

/* find, retried once on "no card" as readers expect. BM_OK: a card is in the field. */
static enum bm_err find_card(struct sam_reader *r, enum bm_fix *fix)
{
    *fix = BM_FIX_NONE;
    struct sam_response resp;
    enum bm_err err = BM_OK;
    for (int i = 0; i < FIND_TRIES; i++) {
        err = exchange(r, SAM_CMD_FIND, NULL, 0, &resp);
        if (err != BM_OK)
            return err;
        if (sam_response_ok(&resp))
            return BM_OK;
        err = status_error(&resp, SAM_CMD_FIND, fix);
        if (err != BM_ERR_NO_MEDIA)
            return err;
    }
    return err;
}

/*
 * A card that would not read. After READ_TRIES attempts, or when it leaves before one worked,
 * the flow hears it once: media-inserted without identity and the reader's error. A reader
 * error that needs a reset stays in the status; one about the card does not.
 */
static void card_unreadable(struct bm_device *dev, struct sam_reader *r)
{
    forget_card(dev, r, true);
    r->card = CARD_UNREADABLE;
    r->read_failures = READ_TRIES;
    bm_log_warn("id_reader", "card not readable: %s", r->read_why);
    publish(dev, BM_DEVICE_ONLINE, BM_CARD_PRESENT, BM_SAM_OK);
    bm_device_emit(dev, BM_EVENT_MEDIA_INSERTED, NULL, NULL);
    if (r->read_fix == BM_FIX_NONE) {
        bm_device_report_media_error(dev, r->read_err, r->read_fix, "%s", r->read_why);
    } else {
        fault(dev, BM_DEVICE_ONLINE, BM_CARD_PRESENT, BM_SAM_OK, r->read_err, r->read_fix,
              r->read_why);
    }
}

static void read_failed(struct bm_device *dev, struct sam_reader *r, enum bm_err err,
                        enum bm_fix fix)
{
    r->read_err = err;
    r->read_fix = fix;
    snprintf(r->read_why, sizeof r->read_why, "%s", bm_err_detail());
    if (++r->read_failures >= READ_TRIES && r->card != CARD_UNREADABLE)
        card_unreadable(dev, r);
}

/* find says the field is empty: a card we reported has left. */
static void field_empty(struct bm_device *dev, struct sam_reader *r)
{
    /* A card that failed to read and left before we said so: say so now. */
    if (r->card == CARD_NONE && r->read_failures > 0)
        card_unreadable(dev, r);
    r->find_error = BM_OK;
    r->read_failures = 0;
    if (r->card != CARD_NONE) {
        publish(dev, BM_DEVICE_ONLINE, BM_CARD_NOT_PRESENT, BM_SAM_OK);
        forget_card(dev, r, true);
    } else {
        struct bm_device_status st;
        bm_device_get_status(dev, BM_CLASS_ID_READER, &st);
        if (st.error != BM_OK) /* an error that needed a reset went away */
            publish(dev, BM_DEVICE_ONLINE, BM_CARD_NOT_PRESENT, BM_SAM_OK);
    }
}

/* The card find has just seen was read: report it (replacing one reported before). */
static void card_read(struct bm_device *dev, struct sam_reader *r, struct bm_identity *id)
{
    atomic_store(&r->last_read_wire,
                 r->link->bytes_sent + r->link->bytes_received - r->wire_at_read_start);
    bool replaced = r->card == CARD_READ; /* an unreadable card that now read did not leave */
    if (replaced)
        publish(dev, BM_DEVICE_ONLINE, BM_CARD_NOT_PRESENT, BM_SAM_OK);
    forget_card(dev, r, replaced);
    r->current = id;
    r->card = CARD_READ;
    publish(dev, BM_DEVICE_ONLINE, BM_CARD_PRESENT, BM_SAM_OK);
    bm_device_emit(dev, BM_EVENT_MEDIA_INSERTED, bm_identity_dup(id), NULL);
    bm_log_info("id_reader", "card read, %llu bytes on the wire",
                (unsigned long long)atomic_load(&r->last_read_wire));
}

/*
 * One poll: is a card in the field, and if it is new, who is it. Updates the media state and
 * raises the events. Returns BM_OK, or the link error that must close the link.
 */
static enum bm_err poll_card(struct bm_device *dev, struct sam_reader *r)
{
    enum bm_fix fix = BM_FIX_NONE;
    r->wire_at_read_start = r->link->bytes_sent + r->link->bytes_received;
    enum bm_err err = find_card(r, &fix);
    if (r->transport != BM_OK)
        return r->transport;
    if (err == BM_ERR_NO_MEDIA) {
        field_empty(dev, r);
        return BM_OK;
    }
    if (err != BM_OK && fix == BM_FIX_MAINTENANCE)
        return sam_failed(dev, r, err);
    if (err != BM_OK) { /* the reader refused find itself: say so once, keep polling */
        if (err != r->find_error) {
            char why[96];
            snprintf(why, sizeof why, "%s", bm_err_detail());
            fault(dev, BM_DEVICE_ONLINE, BM_CARD_UNKNOWN, BM_SAM_OK, err, fix, why);
            if (fix == BM_FIX_NONE)
                bm_device_clear_error(dev, BM_DEVICE_ONLINE);
        }
        r->find_error = err;
        return BM_OK;
    }
    r->find_error = BM_OK;
    struct bm_identity *id;
    err = read_card(r, &id, &fix);
    if (r->transport != BM_OK)
        return r->transport;
    if (err != BM_OK && fix == BM_FIX_MAINTENANCE)
        return sam_failed(dev, r, err);
    if (err != BM_OK)
        read_failed(dev, r, err, fix);
    else
        card_read(dev, r, id);
    return BM_OK;
}

/* The tick: open the reader when it is due, else poll for a card. */
static void sam_tick(struct bm_device *dev)
{
    struct sam_reader *r = bm_device_priv(dev);
    if (r->over_usb && !r->usb)
        return; /* USB could not start: reported at open, nothing to poll */
    if (!r->link) {
        bool arrived = r->over_usb && sam_usb_arrived(r->usb);
        if (arrived || bm_clock_ms(bm_device_clock(dev)) >= r->next_open_ms)
            try_open(dev, r);
        return;
    }
    enum bm_err err = poll_card(dev, r);
    if (err != BM_OK)
        lose_link(dev, r, err);
}

/* ---- commands ---- */

/* A command that cannot reach the reader fails with what the status says is wrong. */
static enum bm_err unavailable(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_ID_READER, &st);
    cmd->fix = st.fix != BM_FIX_NONE ? st.fix : BM_FIX_MAINTENANCE;
    return bm_err_set(st.error != BM_OK ? st.error : BM_ERR_NO_DEVICE,
                      "ID card reader unavailable: %s", st.detail);
}

static enum bm_err run_read(struct bm_device *dev, struct sam_reader *r, struct bm_cmd *cmd)
{
    const struct bm_id_read_params *p = cmd->args;
    const struct bm_clock *clock = bm_device_clock(dev);
    uint64_t start = bm_clock_ms(clock);
    for (;;) {
        /* A closed reader is opened again by the tick, on its schedule: a command never waits
         * out an open attempt of its own. */
        if (!r->link)
            return unavailable(dev, cmd);
        if (r->card == CARD_READ && r->current) {
            cmd->result = bm_identity_dup(r->current);
            return cmd->result ? BM_OK : bm_err_set(BM_ERR_NO_MEMORY, "identity copy");
        }
        enum bm_err err = poll_card(dev, r);
        if (err != BM_OK) {
            lose_link(dev, r, err);
            return unavailable(dev, cmd);
        }
        if (r->card == CARD_READ)
            continue;
        if (p->timeout_ms == 0)
            return r->card == CARD_UNREADABLE
                       ? bm_err_set(BM_ERR_IO, "the card on the reader cannot be read")
                       : bm_err_set(BM_ERR_NO_MEDIA, "no card on the reader");
        if (bm_clock_ms(clock) - start >= p->timeout_ms)
            return bm_err_set(BM_ERR_TIMEOUT, "no card within %u ms", p->timeout_ms);
        if (bm_device_wait(dev, cmd, r->poll_ms))
            return bm_err_set(BM_ERR_CANCELLED, "read cancelled");
    }
}

/* Reset: the SAM's own reset, then close and open again (self-check included). */
static enum bm_err run_reset(struct bm_device *dev, struct sam_reader *r, struct bm_cmd *cmd)
{
    if (r->link) {
        struct sam_response resp;
        if (exchange(r, SAM_CMD_RESET, NULL, 0, &resp) != BM_OK)
            bm_log_info("id_reader", "reset: %s", bm_err_detail());
        r->link->ops->close(r->link);
        r->link = NULL;
    }
    forget_card(dev, r, true);
    r->failed_opens = 0;
    if (try_open(dev, r))
        return BM_OK;
    cmd->fix = BM_FIX_MAINTENANCE;
    return bm_err_set(BM_ERR_NO_DEVICE, "reader did not come back after reset");
}

static enum bm_err sam_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct sam_reader *r = bm_device_priv(dev);
    switch (cmd->op) {
    case BM_OP_RESET:
        return run_reset(dev, r, cmd);
    case BM_OP_ID_READ:
        return run_read(dev, r, cmd);
    default:
        return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a card reader", (int)cmd->op);
    }
}

/* ---- open and close ---- */

static void load_photo_library(struct sam_reader *r, const struct bm_config *cfg)
{
    char path[1024];
    const char *lib = bm_config_path_value(cfg, "id_reader", "photo_library", path, sizeof path);
    if (!lib || !*bm_config_str(cfg, "id_reader", "photo_library"))
        return;
    if (sam_photo_open(lib, bm_config_str(cfg, "id_reader", "photo_symbol"), &r->photo) != BM_OK)
        bm_log_error("id_reader", "card photos will not be shown: %s", bm_err_detail());
}

static enum bm_err open_common(struct bm_device *dev, bool over_usb)
{
    struct sam_reader *r = bm_device_priv(dev);
    const struct bm_config *cfg = bm_device_config(dev);
    r->over_usb = over_usb;
    r->timeout_ms = (unsigned)bm_config_int(cfg, "id_reader", "timeout_ms");
    r->poll_ms = (unsigned)bm_config_int(cfg, "id_reader", "poll_ms");
    r->reopen_ms = (unsigned)bm_config_int(cfg, "id_reader", "reopen_ms");
    snprintf(r->sam_id, sizeof r->sam_id, "%s", "unknown");
    bm_device_set_tick_ms(dev, r->poll_ms);
    load_photo_library(r, cfg);

    struct bm_id_reader_caps caps = {
        .card_types = (1u << BM_ID_CARD_RESIDENT) | (1u << BM_ID_CARD_HMT_RESIDENCE) |
                      (1u << BM_ID_CARD_FOREIGN_PERMANENT) | (1u << BM_ID_CARD_FOREIGN_PERMANENT_Y),
        .photo = true,
        .sam = true,
    };
    snprintf(caps.model, sizeof caps.model, "SAM reader over %s", over_usb ? "USB" : "serial");
    bm_device_set_caps(dev, &caps, sizeof caps);

    if (over_usb && !(r->usb = sam_usb_new(cfg))) { /* bad usb_ids, or libusb cannot start */
        char why[96];
        snprintf(why, sizeof why, "%s", bm_err_detail());
        fault(dev, BM_DEVICE_HARDWARE_ERROR, BM_CARD_UNKNOWN, BM_SAM_UNKNOWN, BM_ERR_CONFIG,
              BM_FIX_MAINTENANCE, why);
        return BM_OK;
    }
    if (try_open(dev, r))
        return BM_OK;
    /* Absent at start is not fatal: the status says so and the tick keeps trying. */
    return BM_OK;
}

static enum bm_err sam_usb_driver_open(struct bm_device *dev)
{
    return open_common(dev, true);
}

static enum bm_err sam_serial_driver_open(struct bm_device *dev)
{
    return open_common(dev, false);
}

static void sam_close(struct bm_device *dev)
{
    struct sam_reader *r = bm_device_priv(dev);
    if (r->link)
        r->link->ops->close(r->link);
    r->link = NULL;
    bm_identity_free(r->current);
    r->current = NULL;
    sam_rx_reset(&r->rx); /* zeroed: it may still hold a card's answer */
    sam_usb_free(r->usb);
    sam_photo_close(r->photo);
}

uint64_t sam_reader_last_read_wire(struct bm_device *dev)
{
    return atomic_load(&((struct sam_reader *)bm_device_priv(dev))->last_read_wire);
}

const struct bm_driver bm_sam_usb_driver = {
    .name = "sam-usb",
    .description = "resident ID card reader with a SAM, on USB bulk pipes (libusb)",
    .cls = BM_CLASS_ID_READER,
    .priv_size = sizeof(struct sam_reader),
    .tick_ms = 300,
    .open = sam_usb_driver_open,
    .close = sam_close,
    .tick = sam_tick,
    .run = sam_run,
};

const struct bm_driver bm_sam_serial_driver = {
    .name = "sam-serial",
    .description = "resident ID card reader with a SAM, on a serial line (USB-serial, CDC-ACM)",
    .cls = BM_CLASS_ID_READER,
    .priv_size = sizeof(struct sam_reader),
    .tick_ms = 300,
    .open = sam_serial_driver_open,
    .close = sam_close,
    .tick = sam_tick,
    .run = sam_run,
};
