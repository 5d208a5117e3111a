/*
 * fuzz_sam.c - libFuzzer target for the SAM frame codec of the ID card reader.
 *
 * The first input byte chooses how the rest is cut into pieces (0: one piece; n: pseudo-random
 * pieces of 1..n bytes, seeded by n), and the pieces go into a struct sam_rx alternately
 * through sam_rx_push and through space/room/commit, as a driver would read them. Every frame
 * that comes out is split as a read response both ways (with and without fingerprint); a text
 * block that splits is decoded and its identity checked and freed; the frame data is also
 * decoded as an appended address. Besides, the rest of the input is decoded directly as a text
 * block and an appended address, so the decoders see arbitrary text without having to pass a
 * checksum first. The target aborts where the codec breaks its own contract: a frame outside
 * the buffer, a full buffer that never makes room, an identity with a missing or malformed
 * field, a secure buffer left behind. Single-threaded, as libFuzzer runs it.
 */
#include "core/secbuf.h"
#include "drivers/sam/sam_codec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* Whether s is well-formed UTF-8 of BMP characters without control characters. */
static bool clean_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned u;
        size_t n;
        if (p[0] < 0x80) {
            u = p[0];
            n = 1;
        } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            u = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
            n = 2;
            if (u < 0x80)
                return false;
        } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            u = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
            n = 3;
            if (u < 0x800 || (u >= 0xD800 && u <= 0xDFFF))
                return false;
        } else {
            return false;
        }
        if (u < 0x20 || (u >= 0x7F && u <= 0x9F))
            return false;
        p += n;
    }
    return true;
}

/* A present field: trimmed, clean, its secure buffer's length is the string's. */
static const char *field(const struct bm_secbuf *b)
{
    check(b != NULL);
    const char *s = bm_secbuf_str(b);
    size_t n = strlen(s);
    check(n > 0 && n == bm_secbuf_len(b));
    check(s[0] != ' ' && s[n - 1] != ' ');
    check(clean_utf8(s));
    sink += n;
    return s;
}

static bool date_shape(const char *s)
{
    if (strlen(s) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static void check_identity(const struct bm_identity *id)
{
    check((unsigned)id->type < BM_ID_CARD_TYPE_COUNT);
    bool foreign =
        id->type == BM_ID_CARD_FOREIGN_PERMANENT || id->type == BM_ID_CARD_FOREIGN_PERMANENT_Y;
    field(id->name);
    const char *g = field(id->gender);
    check(!strcmp(g, "男") || !strcmp(g, "女") || !strcmp(g, "未知") || !strcmp(g, "未说明"));
    check(date_shape(field(id->birth_date)));
    check(date_shape(field(id->valid_from)));
    const char *until = field(id->valid_until);
    check(date_shape(until) || !strcmp(until, "长期"));
    const char *number = field(id->id_number);
    if (foreign) {
        field(id->name_en);
        field(id->nation);
        check(id->address == NULL);
    } else {
        check(bm_id_number_valid(number));
        check(id->name_en == NULL);
        field(id->address);
        field(id->issuer);
        check((id->nation != NULL) == (id->type == BM_ID_CARD_RESIDENT));
    }
    if (id->nation)
        field(id->nation);
    check(id->photo_wlt == NULL);
}

static void decode_text(const uint8_t *text)
{
    static struct bm_identity sentinel;
    struct bm_identity *id = &sentinel; /* must be overwritten */
    if (sam_decode_text(text, &id) == BM_OK) {
        check(id != NULL);
        check_identity(id);
        bm_identity_free(id);
    } else {
        check(id == NULL);
    }
}

static void decode_address(const uint8_t *p, size_t n)
{
    char out[4 * 70 * 3 / 2 + 4];
    size_t len = sam_decode_appended_address(p, n, out, sizeof out);
    check(len < sizeof out && strlen(out) == len && clean_utf8(out));
    char small[16];
    len = sam_decode_appended_address(p, n, small, sizeof small);
    check(len < sizeof small && strlen(small) == len);
}

static void split(const struct sam_response *r, bool fp)
{
    struct sam_read_parts parts;
    if (sam_split_read(r, fp, &parts) != BM_OK) {
        check(parts.text == NULL);
        return;
    }
    check(parts.text == r->data + (fp ? 6 : 4));
    check(parts.photo_len == 0 || parts.photo_len == SAM_PHOTO_SIZE);
    size_t total = (fp ? 6 : 4) + SAM_TEXT_SIZE + parts.photo_len + parts.fingerprint_len;
    check(total == r->data_len);
    check(fp || parts.fingerprint_len == 0);
    decode_text(parts.text);
}

static void take_all(struct sam_rx *rx)
{
    struct sam_response r;
    enum sam_rx_result res;
    while ((res = sam_rx_take(rx, &r)) != SAM_RX_NEED_MORE) {
        if (res != SAM_RX_FRAME) {
            check(res == SAM_RX_BAD_CHECKSUM || res == SAM_RX_BAD_LENGTH);
            continue;
        }
        check(r.data == rx->buf + 10);
        check(r.data_len <= SAM_MAX_LEN - 4 && 10 + r.data_len + 1 <= rx->len);
        const struct sam_status *st = sam_status_of(r.sw3);
        check(st && st->sw3 == r.sw3 && st->text);
        check(sam_response_ok(&r) == (r.sw1 == 0 && r.sw2 == 0 && st->err == BM_OK));
        split(&r, false);
        split(&r, true);
        if (r.data_len >= SAM_TEXT_SIZE)
            decode_text(r.data);
        decode_address(r.data, r.data_len);
    }
}

/* Feeds the stream as the first byte says: one piece, or pieces of 1..n bytes. */
static void feed(const uint8_t *p, size_t n, uint8_t cut)
{
    static struct sam_rx rx;
    sam_rx_reset(&rx);
    uint32_t state = 0x9E3779B9u ^ cut;
    size_t at = 0;
    while (at < n) {
        state = state * 1664525u + 1013904223u;
        size_t k = cut ? 1 + (state >> 8) % cut : n - at;
        if (k > n - at)
            k = n - at;
        size_t taken;
        if (state & 0x80000000u) {
            taken = sam_rx_push(&rx, p + at, k);
        } else {
            size_t room = sam_rx_room(&rx);
            taken = k < room ? k : room;
            memcpy(sam_rx_space(&rx), p + at, taken);
            sam_rx_commit(&rx, taken);
        }
        at += taken;
        check(rx.len <= sizeof rx.buf);
        check(sam_rx_wanted(&rx) <= SAM_MAX_FRAME);
        take_all(&rx);
        /* After every frame is taken there is room again: the parser cannot wedge. */
        check(sam_rx_room(&rx) > 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t live = bm_secbuf_live_count();
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (n >= SAM_TEXT_SIZE)
        decode_text(p);
    decode_address(p, n);
    feed(p, n, data[0]);
    check(bm_secbuf_live_count() == live);
    return 0;
}
