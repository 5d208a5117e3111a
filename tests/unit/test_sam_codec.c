/*
 * test_sam_codec.c - the SAM frame codec of the ID card reader: every command frame of the
 * spec byte for byte; the stream parser on the spec's sample responses fed whole, byte by byte,
 * in random pieces, behind garbage, with bad checksums and lengths, and with a buffer full of
 * garbage; every SW3 code; splitting read responses; and the text decoder on each card layout.
 *
 * The text blocks are made here by a small encoder of its own (UTF-8 to UCS-2LE, space
 * padded) from invented people: province code 99 (unassigned) with correct GB 11643 check
 * digits, worked out by hand, not by the code under test. Every test that decodes checks that
 * the live secure buffers return to their count before it.
 */
#include "test_support.h"

#include "core/secbuf.h"
#include "drivers/sam/sam_codec.h"

#include <stdio.h>
#include <string.h>

/* ---- an independent encoder for text blocks and frames ---- */

/* One code point from UTF-8 (BMP only, which is all the tests need). */
static unsigned utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    unsigned u;
    if (p[0] < 0x80) {
        u = p[0];
        *s += 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        u = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
        *s += 2;
    } else {
        u = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
        *s += 3;
    }
    return u;
}

static void put_unit(uint8_t *block, size_t off, unsigned u)
{
    block[off] = (uint8_t)(u & 0xFF);
    block[off + 1] = (uint8_t)(u >> 8);
}

/* Writes utf8 as UCS-2LE into the field at off, padded with spaces to size bytes. */
static void put(uint8_t *block, size_t off, size_t size, const char *utf8)
{
    for (size_t i = 0; i < size; i += 2)
        put_unit(block, off + i, 0x20);
    size_t i = 0;
    while (*utf8) {
        assert_true(i + 2 <= size);
        put_unit(block, off + i, utf8_next(&utf8));
        i += 2;
    }
}

static void blank(uint8_t *block)
{
    put(block, 0, SAM_TEXT_SIZE, "");
}

/* A response frame: preamble, LEN, 00 00 sw3, data, XOR. */
static size_t frame(uint8_t sw3, const uint8_t *data, size_t n, uint8_t *out)
{
    static const uint8_t pre[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};
    size_t len = n + 4;
    memcpy(out, pre, 5);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    out[7] = 0;
    out[8] = 0;
    out[9] = sw3;
    if (n)
        memcpy(out + 10, data, n);
    uint8_t x = 0;
    for (size_t i = 5; i < 7 + len - 1; i++)
        x ^= out[i];
    out[7 + len - 1] = x;
    return 7 + len;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* ---- invented people ---- */

static void resident_block(uint8_t *b)
{
    blank(b);
    put(b, 0, 30, "王小测");
    put(b, 30, 2, "1");
    put(b, 32, 4, "01");
    put(b, 36, 16, "19800101");
    put(b, 52, 70, "测试省样例市示范区示范路1号");
    put(b, 122, 36, "990102198001011232");
    put(b, 158, 30, "样例市公安局示范分局");
    put(b, 188, 16, "20200101");
    put(b, 204, 16, "20400101");
}

static void hmt_block(uint8_t *b)
{
    blank(b);
    put(b, 0, 30, "陈样本");
    put(b, 30, 2, "2");
    put(b, 36, 16, "19910214");
    put(b, 52, 70, "测试省样例市港湾路8号");
    put(b, 122, 36, "83000019910214006X");
    put(b, 158, 30, "样例市公安局");
    put(b, 188, 16, "20210301");
    put(b, 204, 16, "20260301");
    put(b, 220, 18, "T99000001");
    put(b, 238, 4, "01");
    put(b, 248, 2, "J");
}

static void foreign_block(uint8_t *b, const char *chinese_name)
{
    blank(b);
    put(b, 0, 120, "TESTER, ALICE SAMPLE");
    put(b, 120, 2, "2");
    put(b, 122, 30, "CAN990060101001");
    put(b, 152, 6, "CAN");
    put(b, 158, 30, chinese_name);
    put(b, 188, 16, "20170601");
    put(b, 204, 16, "20270601");
    put(b, 220, 16, "19860601");
    put(b, 236, 4, "05");
    put(b, 240, 8, "1500");
    put(b, 248, 2, "I");
}

/* The 2023 layout; the English name is cut after 35 characters into its continuation. */
static void foreign_y_block(uint8_t *b, const char *chinese_name, const char *part1,
                            const char *cont)
{
    blank(b);
    put(b, 0, 30, chinese_name);
    put(b, 30, 2, "1");
    put(b, 32, 4, "00");
    put(b, 36, 16, "19750315");
    put(b, 52, 70, part1);
    put(b, 122, 36, "991234197503150017");
    put(b, 188, 16, "20230901");
    put(b, 204, 16, "20330901");
    put(b, 220, 22, cont);
    put(b, 242, 6, "AUS");
    put(b, 248, 2, "Y");
}

/* ---- commands ---- */

static void expect_command(uint16_t cmd, const uint8_t *data, size_t n, const uint8_t *want,
                           size_t want_len)
{
    uint8_t out[32];
    memset(out, 0xEE, sizeof out);
    assert_int_equal(sam_build_command(cmd, data, n, out, sizeof out), want_len);
    assert_memory_equal(out, want, want_len);
}

#define PRE        0xAA, 0xAA, 0xAA, 0x96, 0x69
#define BYTES(...) ((const uint8_t[]){__VA_ARGS__})
#define EXPECT(cmd, ...)                                                                           \
    expect_command(cmd, NULL, 0, BYTES(PRE, __VA_ARGS__), 5 + sizeof(BYTES(__VA_ARGS__)))

static void test_build_command(void **state)
{
    (void)state;
    EXPECT(SAM_CMD_RESET, 0x00, 0x03, 0x10, 0xFF, 0xEC);
    EXPECT(SAM_CMD_STATUS, 0x00, 0x03, 0x11, 0xFF, 0xED);
    EXPECT(SAM_CMD_SAM_ID, 0x00, 0x03, 0x12, 0xFF, 0xEE);
    EXPECT(SAM_CMD_FIND, 0x00, 0x03, 0x20, 0x01, 0x22);
    EXPECT(SAM_CMD_SELECT, 0x00, 0x03, 0x20, 0x02, 0x21);
    EXPECT(SAM_CMD_READ, 0x00, 0x03, 0x30, 0x01, 0x32);
    EXPECT(SAM_CMD_READ_ADDRESS, 0x00, 0x03, 0x30, 0x03, 0x30);
    EXPECT(SAM_CMD_READ_FP, 0x00, 0x03, 0x30, 0x10, 0x23);
    EXPECT(0x6000, 0x00, 0x03, 0x60, 0x00, 0x63); /* baud rate index 0: 115200 */

    /* Set max RF frame size: 61 FF with one data byte, LEN 00 04. */
    const uint8_t n = 0x50;
    const uint8_t want[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x61, 0xFF, 0x50, 0xCA};
    expect_command(0x61FF, &n, 1, want, sizeof want);

    uint8_t out[16];
    assert_int_equal(sam_build_command(SAM_CMD_FIND, NULL, 0, out, 9), 0); /* one short */
    assert_int_equal(sam_build_command(SAM_CMD_FIND, NULL, 0, out, 10), 10);
    assert_int_equal(sam_build_command(SAM_CMD_FIND, NULL, 3, out, sizeof out), 0);
    static uint8_t big[SAM_MAX_FRAME + 8];
    static uint8_t big_out[SAM_MAX_FRAME + 16];
    assert_int_equal(sam_build_command(0x61FF, big, SAM_MAX_LEN - 3, big_out, sizeof big_out),
                     SAM_MAX_FRAME);
    assert_int_equal(sam_build_command(0x61FF, big, SAM_MAX_LEN - 2, big_out, sizeof big_out), 0);

    assert_string_equal(sam_command_name(SAM_CMD_FIND), "find");
    assert_string_equal(sam_command_name(SAM_CMD_SELECT), "select");
    assert_string_equal(sam_command_name(SAM_CMD_READ), "read");
    assert_string_equal(sam_command_name(SAM_CMD_RESET), "reset");
    assert_string_equal(sam_command_name(0x1234), "unknown");
}

/* ---- receiving ---- */

struct sample {
    const uint8_t *bytes;
    size_t len;
    uint8_t sw3;
    size_t data_len;
};

#define SAMPLE(sw3, n, ...)                                                                        \
    {                                                                                              \
        BYTES(PRE, __VA_ARGS__), 5 + sizeof(BYTES(__VA_ARGS__)), sw3, n                            \
    }

static const struct sample samples[] = {
    SAMPLE(0x90, 0, 0x00, 0x04, 0x00, 0x00, 0x90, 0x94),
    SAMPLE(0x60, 0, 0x00, 0x04, 0x00, 0x00, 0x60, 0x64),
    SAMPLE(0x9F, 4, 0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00, 0x97),
    SAMPLE(0x80, 0, 0x00, 0x04, 0x00, 0x00, 0x80, 0x84),
    /* select ok: 8 data bytes, XOR of 00 0C 00 00 90 and eight zeros is 0x9C */
    SAMPLE(0x90, 8, 0x00, 0x0C, 0x00, 0x00, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0x9C),
    SAMPLE(0x81, 0, 0x00, 0x04, 0x00, 0x00, 0x81, 0x85),
    SAMPLE(0x41, 0, 0x00, 0x04, 0x00, 0x00, 0x41, 0x45),
};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

/* The spec's 1295-byte text + photo response, and the 30 10 one with a 1024-byte fingerprint. */
static uint8_t read_frame[1295], fp_frame[7 + 0x090A];

static void make_read_frames(void)
{
    uint8_t data[6 + 256 + 1024 + 1024];
    const uint8_t lengths[] = {0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
    memcpy(data, lengths, 4);
    resident_block(data + 4);
    for (size_t i = 0; i < 1024; i++)
        data[4 + 256 + i] = (uint8_t)(i * 7 + 0xAA); /* photo bytes, including AA runs */
    assert_int_equal(frame(0x90, data, 4 + 256 + 1024, read_frame), sizeof read_frame);
    assert_memory_equal(read_frame, BYTES(PRE, 0x05, 0x08, 0x00, 0x00, 0x90, 1, 0, 4, 0), 14);

    memcpy(data, lengths, 6);
    resident_block(data + 6);
    for (size_t i = 0; i < 2048; i++)
        data[6 + 256 + i] = (uint8_t)(i * 13);
    assert_int_equal(frame(0x90, data, sizeof data, fp_frame), sizeof fp_frame);
    assert_memory_equal(fp_frame + 5, BYTES(0x09, 0x0A, 0x00, 0x00, 0x90), 5);
}

/* Takes every frame out of rx into a list of (sw3, data_len, first data byte). */
struct got {
    uint8_t sw3;
    size_t data_len;
    uint8_t data[2400];
};

static size_t drain(struct sam_rx *rx, struct got *got, size_t max, size_t *bad)
{
    size_t n = 0;
    struct sam_response r;
    enum sam_rx_result res;
    while ((res = sam_rx_take(rx, &r)) != SAM_RX_NEED_MORE) {
        if (res != SAM_RX_FRAME) {
            if (bad)
                (*bad)++;
            continue;
        }
        assert_true(n < max);
        got[n].sw3 = r.sw3;
        got[n].data_len = r.data_len;
        assert_true(r.data_len <= sizeof got[n].data);
        memcpy(got[n].data, r.data, r.data_len);
        n++;
    }
    return n;
}

/* Feeds the stream in pieces of 1..max bytes (random), or whole if max is 0, draining after
 * each. */
static size_t feed(struct sam_rx *rx, const uint8_t *s, size_t len, size_t max, struct got *got,
                   size_t n_got, size_t *bad)
{
    size_t n = 0, at = 0;
    while (at < len) {
        size_t k = max ? 1 + rng() % max : len - at;
        if (k > len - at)
            k = len - at;
        size_t taken = sam_rx_push(rx, s + at, k);
        at += taken;
        n += drain(rx, got + n, n_got - n, bad);
        assert_true(taken > 0 || sam_rx_room(rx) > 0);
    }
    return n;
}

static struct got got[32];

static void test_rx_samples(void **state)
{
    (void)state;
    struct sam_rx rx;
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        sam_rx_reset(&rx);
        assert_int_equal(sam_rx_push(&rx, samples[i].bytes, samples[i].len), samples[i].len);
        struct sam_response r;
        assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
        assert_int_equal(r.sw1, 0);
        assert_int_equal(r.sw2, 0);
        assert_int_equal(r.sw3, samples[i].sw3);
        assert_int_equal(r.data_len, samples[i].data_len);
        assert_ptr_equal(r.data, rx.buf + 10);
        assert_int_equal(sam_response_ok(&r), samples[i].sw3 == 0x90 || samples[i].sw3 == 0x9F);
        assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
        assert_int_equal(rx.skipped, 0);
    }
}

/* Every sample, the read and the fingerprint read, behind garbage, in the given pieces. */
static void check_stream(size_t max_piece)
{
    static uint8_t s[8192];
    size_t len = 0, garbage = 0;
    const uint8_t junk[] = {0x00, 0xAA, 0xAA, 0x13, 0xAA, 0x96, 0x69, 0xAA};
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        size_t g = i % 3 ? 3 : 0; /* AA AA 13: a partial preamble that breaks off */
        memcpy(s + len, junk + 1, g);
        len += g;
        garbage += g;
        memcpy(s + len, samples[i].bytes, samples[i].len);
        len += samples[i].len;
    }
    memcpy(s + len, junk, sizeof junk);
    len += sizeof junk;
    garbage += sizeof junk;
    memcpy(s + len, read_frame, sizeof read_frame);
    len += sizeof read_frame;
    memcpy(s + len, fp_frame, sizeof fp_frame);
    len += sizeof fp_frame;

    struct sam_rx rx;
    sam_rx_reset(&rx);
    size_t bad = 0;
    size_t n = feed(&rx, s, len, max_piece, got, 32, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(n, SAMPLE_COUNT + 2);
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        assert_int_equal(got[i].sw3, samples[i].sw3);
        assert_int_equal(got[i].data_len, samples[i].data_len);
    }
    assert_int_equal(got[SAMPLE_COUNT].data_len, sizeof read_frame - 11);
    assert_memory_equal(got[SAMPLE_COUNT].data, read_frame + 10, sizeof read_frame - 11);
    assert_int_equal(got[SAMPLE_COUNT + 1].data_len, sizeof fp_frame - 11);
    assert_memory_equal(got[SAMPLE_COUNT + 1].data, fp_frame + 10, sizeof fp_frame - 11);
    assert_int_equal(rx.skipped, garbage);
}

static void test_rx_pieces(void **state)
{
    (void)state;
    make_read_frames();
    check_stream(0);
    check_stream(1);
    for (int round = 0; round < 50; round++)
        check_stream(97);
}

static void test_rx_garbage_before_preamble(void **state)
{
    (void)state;
    /* AA AA then a whole preamble: the first two AA are garbage, not the frame's start. */
    uint8_t s[64] = {0x55, 0xAA, 0xAA};
    memcpy(s + 3, samples[0].bytes, samples[0].len);
    struct sam_rx rx;
    sam_rx_reset(&rx);
    assert_int_equal(sam_rx_push(&rx, s, 3), 3);
    struct sam_response r;
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
    assert_int_equal(rx.skipped, 1); /* AA AA may still begin a preamble */
    assert_int_equal(rx.len, 2);
    assert_int_equal(sam_rx_push(&rx, s + 3, samples[0].len), samples[0].len);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
    assert_int_equal(r.sw3, 0x90);
    assert_int_equal(rx.skipped, 3);
}

static void test_rx_two_frames_one_push(void **state)
{
    (void)state;
    uint8_t s[64];
    memcpy(s, samples[2].bytes, samples[2].len);
    memcpy(s + samples[2].len, samples[4].bytes, samples[4].len);
    struct sam_rx rx;
    sam_rx_reset(&rx);
    sam_rx_push(&rx, s, samples[2].len + samples[4].len);
    struct sam_response r;
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
    assert_int_equal(r.sw3, 0x9F);
    assert_int_equal(r.data_len, 4);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
    assert_int_equal(r.sw3, 0x90);
    assert_int_equal(r.data_len, 8);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
    assert_int_equal(rx.skipped, 0);
}

static void test_rx_bad_checksum(void **state)
{
    (void)state;
    uint8_t s[64];
    memcpy(s, samples[0].bytes, samples[0].len);
    s[samples[0].len - 1] ^= 0x01;
    memcpy(s + samples[0].len, samples[3].bytes, samples[3].len);
    struct sam_rx rx;
    sam_rx_reset(&rx);
    sam_rx_push(&rx, s, samples[0].len + samples[3].len);
    struct sam_response r;
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_BAD_CHECKSUM);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
    assert_int_equal(r.sw3, 0x80);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
    assert_int_equal(rx.skipped, samples[0].len); /* the damaged frame, all of it */
}

static void test_rx_bad_length(void **state)
{
    (void)state;
    const uint8_t short_len[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x00, 0x00, 0x03};
    const uint8_t long_len[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x10, 0x01};
    const uint8_t *bad[] = {short_len, long_len};
    const size_t bad_len[] = {sizeof short_len, sizeof long_len};
    for (int i = 0; i < 2; i++) {
        struct sam_rx rx;
        sam_rx_reset(&rx);
        sam_rx_push(&rx, bad[i], bad_len[i]);
        sam_rx_push(&rx, samples[1].bytes, samples[1].len);
        struct sam_response r;
        assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_BAD_LENGTH);
        assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
        assert_int_equal(r.sw3, 0x60);
        assert_int_equal(rx.skipped, bad_len[i]);
    }
    /* The largest LEN allowed is a frame, one more is not. */
    struct sam_rx rx;
    sam_rx_reset(&rx);
    const uint8_t max_len[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x10, 0x00};
    sam_rx_push(&rx, max_len, sizeof max_len);
    struct sam_response r;
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
    assert_int_equal(sam_rx_wanted(&rx), SAM_MAX_LEN);
}

static void test_rx_full_of_garbage(void **state)
{
    (void)state;
    struct sam_rx rx;
    sam_rx_reset(&rx);
    struct sam_response r;
    /* Garbage through space/room/commit, ending in AA AA that could begin a preamble. */
    for (int round = 0; round < 3; round++) {
        size_t room = sam_rx_room(&rx);
        assert_true(room > 0);
        uint8_t *p = sam_rx_space(&rx);
        for (size_t i = 0; i < room; i++)
            p[i] = (uint8_t)(0x30 + i % 50);
        p[room - 2] = p[room - 1] = 0xAA;
        sam_rx_commit(&rx, room);
        assert_int_equal(sam_rx_room(&rx), sizeof rx.buf - 2);
        assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
    }

    /* A preamble claiming the largest frame, then garbage to the brim: room runs out, take
     * finds a complete frame with a wrong XOR, and afterwards there is room again. */
    sam_rx_reset(&rx);
    const uint8_t head[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x10, 0x00};
    sam_rx_push(&rx, head, sizeof head);
    uint8_t junk[512];
    memset(junk, 0x5A, sizeof junk);
    size_t pushed = sizeof head;
    while (sam_rx_room(&rx) > 0)
        pushed += sam_rx_push(&rx, junk, sizeof junk);
    assert_int_equal(pushed, SAM_MAX_FRAME);
    assert_int_equal(sam_rx_push(&rx, junk, 1), 0);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_BAD_CHECKSUM);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_NEED_MORE);
    assert_int_equal(sam_rx_room(&rx), sizeof rx.buf);
    assert_int_equal(rx.skipped, SAM_MAX_FRAME);
    sam_rx_push(&rx, samples[0].bytes, samples[0].len);
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
}

static void test_rx_wanted_and_wipe(void **state)
{
    (void)state;
    make_read_frames();
    struct sam_rx rx;
    sam_rx_reset(&rx);
    assert_int_equal(sam_rx_wanted(&rx), SAM_HEADER_SIZE);
    sam_rx_push(&rx, read_frame, 3);
    assert_int_equal(sam_rx_wanted(&rx), 4);
    sam_rx_push(&rx, read_frame + 3, 4);
    assert_int_equal(sam_rx_wanted(&rx), 1288);
    sam_rx_push(&rx, read_frame + 7, 1000);
    assert_int_equal(sam_rx_wanted(&rx), 288);
    sam_rx_push(&rx, read_frame + 1007, 288);
    assert_int_equal(sam_rx_wanted(&rx), 0);

    struct sam_response r;
    assert_int_equal(sam_rx_take(&rx, &r), SAM_RX_FRAME);
    assert_int_equal(r.data_len, 1284);
    /* The frame handed out does not count; garbage before a preamble neither. */
    assert_int_equal(sam_rx_wanted(&rx), SAM_HEADER_SIZE);
    /* Once dropped, the read response (personal text) is zeroed, not left behind. */
    assert_int_equal(sam_rx_room(&rx), sizeof rx.buf);
    for (size_t i = 0; i < sizeof rx.buf; i++)
        assert_int_equal(rx.buf[i], 0);
}

/* ---- status ---- */

static void test_status(void **state)
{
    (void)state;
    static const struct {
        uint8_t sw3;
        enum bm_err err;
        enum bm_fix fix;
    } want[] = {
        {0x90, BM_OK, BM_FIX_NONE},
        {0x9F, BM_OK, BM_FIX_NONE},
        {0x91, BM_ERR_NOT_FOUND, BM_FIX_NONE},
        {0x10, BM_ERR_IO, BM_FIX_RESET},
        {0x11, BM_ERR_IO, BM_FIX_RESET},
        {0x21, BM_ERR_INTERNAL, BM_FIX_RESET},
        {0x23, BM_ERR_DEVICE, BM_FIX_MAINTENANCE},
        {0x24, BM_ERR_DEVICE, BM_FIX_RESET},
        {0x31, BM_ERR_IO, BM_FIX_NONE},
        {0x32, BM_ERR_IO, BM_FIX_NONE},
        {0x33, BM_ERR_IO, BM_FIX_NONE},
        {0x37, BM_ERR_IO, BM_FIX_NONE},
        {0x3F, BM_ERR_PARSE, BM_FIX_NONE},
        {0x40, BM_ERR_UNSUPPORTED, BM_FIX_NONE},
        {0x41, BM_ERR_IO, BM_FIX_NONE},
        {0x47, BM_ERR_IO, BM_FIX_NONE},
        {0x60, BM_ERR_DEVICE, BM_FIX_MAINTENANCE},
        {0x66, BM_ERR_DEVICE, BM_FIX_MAINTENANCE},
        {0x80, BM_ERR_NO_MEDIA, BM_FIX_NONE},
        {0x81, BM_ERR_NO_MEDIA, BM_FIX_NONE},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct sam_status *s = sam_status_of(want[i].sw3);
        assert_non_null(s);
        assert_int_equal(s->sw3, want[i].sw3);
        assert_int_equal(s->err, want[i].err);
        assert_int_equal(s->fix, want[i].fix);
        assert_non_null(s->text);
        assert_true(strlen(s->text) > 3);
        assert_string_not_equal(s->text, sam_status_of(0x00)->text);
    }
    assert_string_equal(sam_status_of(0x60)->text, "SAM self-test failed");
    const uint8_t unknown[] = {0x00, 0x01, 0x55, 0x92, 0xFF};
    for (size_t i = 0; i < sizeof unknown; i++) {
        const struct sam_status *s = sam_status_of(unknown[i]);
        assert_non_null(s);
        assert_int_equal(s->sw3, unknown[i]);
        assert_int_equal(s->err, BM_ERR_DEVICE);
        assert_int_equal(s->fix, BM_FIX_RESET);
        assert_non_null(s->text);
    }

    struct sam_response r = {0, 0, 0x90, NULL, 0};
    assert_true(sam_response_ok(&r));
    r.sw3 = 0x9F;
    assert_true(sam_response_ok(&r));
    r.sw3 = 0x91;
    assert_false(sam_response_ok(&r));
    r.sw3 = 0x90;
    r.sw1 = 0x01;
    assert_false(sam_response_ok(&r));
    assert_false(sam_response_ok(NULL));
}

/* ---- read results ---- */

static void test_split_read(void **state)
{
    (void)state;
    static uint8_t data[6 + 256 + 1024 + 1024];
    struct sam_read_parts p;
    struct sam_response r = {0, 0, 0x90, data, 0};

    const uint8_t two[] = {0x01, 0x00, 0x04, 0x00};
    memcpy(data, two, 4);
    r.data_len = 4 + 256 + 1024;
    assert_int_equal(sam_split_read(&r, false, &p), BM_OK);
    assert_ptr_equal(p.text, data + 4);
    assert_ptr_equal(p.photo, data + 260);
    assert_int_equal(p.photo_len, 1024);
    assert_null(p.fingerprint);
    assert_int_equal(p.fingerprint_len, 0);

    const size_t fp_sizes[] = {0, 512, 1024};
    for (int i = 0; i < 3; i++) {
        const uint8_t three[] = {0x01, 0x00, 0x04, 0x00, (uint8_t)(fp_sizes[i] >> 8), 0x00};
        memcpy(data, three, 6);
        r.data_len = 6 + 256 + 1024 + fp_sizes[i];
        assert_int_equal(sam_split_read(&r, true, &p), BM_OK);
        assert_ptr_equal(p.text, data + 6);
        assert_ptr_equal(p.photo, data + 262);
        assert_int_equal(p.photo_len, 1024);
        assert_int_equal(p.fingerprint_len, fp_sizes[i]);
        if (fp_sizes[i])
            assert_ptr_equal(p.fingerprint, data + 6 + 256 + 1024);
    }

    /* Truncated, too long, wrong text/photo/fingerprint lengths: each says why. */
    memcpy(data, two, 4);
    const struct {
        uint8_t text_hi, text_lo, photo_hi, fp_hi, fp_lo;
        bool fp;
        size_t len;
    } bad[] = {
        {1, 0, 4, 0, 0, false, 4 + 256 + 1000},      /* truncated */
        {1, 0, 4, 0, 0, false, 4 + 256 + 1025},      /* trailing byte */
        {0, 0xFF, 4, 0, 0, false, 4 + 255 + 1024},   /* text not 256 */
        {1, 0, 3, 0, 0, false, 4 + 256 + 768},       /* odd photo */
        {1, 0, 4, 1, 0, true, 6 + 256 + 1024 + 256}, /* odd fingerprint */
        {1, 0, 4, 2, 0, true, 6 + 256 + 1024 + 100}, /* truncated fingerprint */
        {1, 0, 4, 0, 0, false, 3},                   /* not even the length fields */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const uint8_t head[] = {bad[i].text_hi, bad[i].text_lo, bad[i].photo_hi,
                                0x00,           bad[i].fp_hi,   bad[i].fp_lo};
        memcpy(data, head, 6);
        r.data_len = bad[i].len;
        bm_err_clear();
        assert_int_equal(sam_split_read(&r, bad[i].fp, &p), BM_ERR_PARSE);
        assert_true(strstr(bm_err_detail(), "read response") != NULL);
        assert_null(p.text);
    }
    /* A plain read taken as a fingerprint read: the photo's first bytes are no length. */
    memcpy(data, two, 4);
    r.data_len = 4 + 256 + 1024;
    assert_int_equal(sam_split_read(&r, true, &p), BM_ERR_PARSE);
}

/* ---- text ---- */

static const char *str(struct bm_secbuf *b)
{
    assert_non_null(b);
    return bm_secbuf_str(b);
}

/* Every text field in struct order (name, name_en, gender, nation, birth date, address,
 * id number, issuer, valid from, valid until); NULL where the card has no such field. */
static void expect_fields(const struct bm_identity *id, enum bm_id_card_type type,
                          const char *const want[10])
{
    struct bm_secbuf *got_fields[10] = {id->name,       id->name_en,    id->gender,    id->nation,
                                        id->birth_date, id->address,    id->id_number, id->issuer,
                                        id->valid_from, id->valid_until};
    assert_int_equal(id->type, type);
    for (int i = 0; i < 10; i++) {
        if (!want[i])
            assert_null(got_fields[i]);
        else
            assert_string_equal(str(got_fields[i]), want[i]);
    }
    assert_null(id->photo_wlt);
}

static void test_decode_resident(void **state)
{
    (void)state;
    size_t live = bm_secbuf_live_count();
    uint8_t b[SAM_TEXT_SIZE];
    resident_block(b);
    struct bm_identity *id = NULL;
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_non_null(id);
    expect_fields(id, BM_ID_CARD_RESIDENT,
                  (const char *const[]){"王小测", NULL, "男", "汉", "19800101",
                                        "测试省样例市示范区示范路1号", "990102198001011232",
                                        "样例市公安局示范分局", "20200101", "20400101"});
    bm_identity_free(id);

    /* No expiry, a woman of the Jino, an X check character written small, NUL padding. */
    resident_block(b);
    put(b, 30, 2, "2");
    put(b, 32, 4, "56");
    put(b, 36, 16, "19920708");
    put(b, 122, 36, "99050619920708018x");
    put(b, 204, 16, "长期");
    memset(b + 220, 0, 36);
    memset(b + 10, 0, 20); /* the name padded with NULs instead of spaces */
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_string_equal(str(id->name), "王小测");
    assert_string_equal(str(id->gender), "女");
    assert_string_equal(str(id->nation), "基诺");
    assert_string_equal(str(id->id_number), "99050619920708018X");
    assert_string_equal(str(id->valid_until), "长期");
    bm_identity_free(id);

    /* Leading padding is trimmed too; a leap day is a date. */
    resident_block(b);
    put(b, 0, 30, "  王小测");
    put(b, 36, 16, "20000229");
    put(b, 122, 36, "990304200002290513");
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_string_equal(str(id->name), "王小测");
    assert_string_equal(str(id->birth_date), "20000229");
    bm_identity_free(id);
    assert_int_equal(bm_secbuf_live_count(), live);
}

static void test_decode_hmt(void **state)
{
    (void)state;
    size_t live = bm_secbuf_live_count();
    uint8_t b[SAM_TEXT_SIZE];
    hmt_block(b);
    struct bm_identity *id = NULL;
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    expect_fields(id, BM_ID_CARD_HMT_RESIDENCE,
                  (const char *const[]){"陈样本", NULL, "女", NULL, "19910214",
                                        "测试省样例市港湾路8号", "83000019910214006X",
                                        "样例市公安局", "20210301", "20260301"});
    bm_identity_free(id);

    put(b, 122, 36, "830000199102140060"); /* the check character is X, not 0 */
    assert_int_equal(sam_decode_text(b, &id), BM_ERR_PARSE);
    assert_null(id);
    assert_string_equal(bm_err_detail(), "id number check digit");
    assert_int_equal(bm_secbuf_live_count(), live);
}

static void test_decode_foreign(void **state)
{
    (void)state;
    size_t live = bm_secbuf_live_count();
    uint8_t b[SAM_TEXT_SIZE];
    foreign_block(b, "艾测试");
    struct bm_identity *id = NULL;
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    expect_fields(id, BM_ID_CARD_FOREIGN_PERMANENT,
                  (const char *const[]){"艾测试", "TESTER, ALICE SAMPLE", "女", "CAN", "19860601",
                                        NULL, "CAN990060101001", "1500", "20170601", "20270601"});
    bm_identity_free(id);

    /* No Chinese name: the English one stands in. */
    foreign_block(b, "");
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_string_equal(str(id->name), "TESTER, ALICE SAMPLE");
    assert_string_equal(str(id->name_en), "TESTER, ALICE SAMPLE");
    bm_identity_free(id);

    /* The longest English name fills all 120 bytes. */
    const char *longest = "ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEF";
    assert_int_equal(strlen(longest), 60);
    put(b, 0, 120, longest);
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_string_equal(str(id->name_en), longest);
    bm_identity_free(id);

    foreign_block(b, "艾测试");
    put(b, 152, 6, "C1N");
    assert_int_equal(sam_decode_text(b, &id), BM_ERR_PARSE);
    assert_non_null(strstr(bm_err_detail(), "nationality"));
    assert_int_equal(bm_secbuf_live_count(), live);
}

static void test_decode_foreign_y(void **state)
{
    (void)state;
    size_t live = bm_secbuf_live_count();
    uint8_t b[SAM_TEXT_SIZE];
    /* 35 characters fill the first part exactly; the cut falls inside a word. */
    foreign_y_block(b, "", "SAMPLEPERSON-LONGNAME, BARTHOLOMEWM", "AXIMILIAN");
    struct bm_identity *id = NULL;
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    const char *en = "SAMPLEPERSON-LONGNAME, BARTHOLOMEWMAXIMILIAN";
    expect_fields(id, BM_ID_CARD_FOREIGN_PERMANENT_Y,
                  (const char *const[]){en, en, "男", "AUS", "19750315", NULL, "991234197503150017",
                                        NULL, "20230901", "20330901"});
    bm_identity_free(id);

    /* A first part that ends in padding joins its continuation with one space. */
    foreign_y_block(b, "样安娜", "SAMPLE, ANNA", "MARIA");
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_string_equal(str(id->name), "样安娜");
    assert_string_equal(str(id->name_en), "SAMPLE, ANNA MARIA");
    bm_identity_free(id);

    foreign_y_block(b, "", "SAMPLE, ANNA", "");
    assert_int_equal(sam_decode_text(b, &id), BM_OK);
    assert_string_equal(str(id->name_en), "SAMPLE, ANNA");
    bm_identity_free(id);
    assert_int_equal(bm_secbuf_live_count(), live);
}

/* Decodes b expecting err, no identity, a detail naming `field` and never `value`. */
static void expect_error(const uint8_t *b, enum bm_err err, const char *field, const char *value)
{
    static struct bm_identity sentinel;
    struct bm_identity *id = &sentinel; /* must come back NULL */
    bm_err_clear();
    assert_int_equal(sam_decode_text(b, &id), err);
    assert_null(id);
    if (!strstr(bm_err_detail(), field))
        fail_msg("detail \"%s\" does not name \"%s\"", bm_err_detail(), field);
    if (value && strstr(bm_err_detail(), value))
        fail_msg("detail \"%s\" gives the value away", bm_err_detail());
}

static void test_decode_errors(void **state)
{
    (void)state;
    size_t live = bm_secbuf_live_count();
    uint8_t b[SAM_TEXT_SIZE];
    const struct {
        size_t off, size;
        const char *value, *field;
    } bad[] = {
        {122, 36, "990102198001011233", "id number check digit"},
        {122, 36, "99010219800101123", "id number"},
        {122, 36, "99010219800101123Y", "id number"},
        {36, 16, "19800230", "birth date"},
        {36, 16, "19810229", "birth date"},
        {36, 16, "1980010", "birth date"},
        {36, 16, "198001 1", "birth date"},
        {36, 16, "1980O101", "birth date"},
        {36, 16, "18991231", "birth date"},
        {188, 16, "20201301", "valid from"},
        {204, 16, "长久", "valid until"},
        {30, 2, "3", "gender"},
        {30, 2, "男", "gender"},
        {32, 4, "57", "nation"},
        {32, 4, "00", "nation"},
        {32, 4, "1a", "nation"},
        {0, 30, "", "name"},
        {52, 70, "", "address"},
        {158, 30, "", "issuer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resident_block(b);
        put(b, bad[i].off, bad[i].size, bad[i].value);
        expect_error(b, BM_ERR_PARSE, bad[i].field, *bad[i].value ? bad[i].value : NULL);
    }

    /* A surrogate pair (outside the BMP) in the name; a control character in the address;
     * a NUL inside the issuer, which would cut it short. */
    resident_block(b);
    put_unit(b, 6, 0xD83D);
    put_unit(b, 8, 0xDE00);
    expect_error(b, BM_ERR_PARSE, "name", NULL);
    resident_block(b);
    put_unit(b, 60, 0x000A);
    expect_error(b, BM_ERR_PARSE, "address", NULL);
    resident_block(b);
    put_unit(b, 160, 0x0000);
    expect_error(b, BM_ERR_PARSE, "issuer", NULL);
    resident_block(b);
    put_unit(b, 188, 0x0085);
    expect_error(b, BM_ERR_PARSE, "valid from", NULL);

    resident_block(b);
    put(b, 248, 2, "Z");
    expect_error(b, BM_ERR_UNSUPPORTED, "flag", NULL);
    put_unit(b, 248, 'j');
    expect_error(b, BM_ERR_UNSUPPORTED, "flag", NULL);

    /* The last field is the one that fails: everything before it was freed. */
    resident_block(b);
    put(b, 204, 16, "2040010");
    expect_error(b, BM_ERR_PARSE, "valid until", NULL);

    struct bm_identity *id;
    assert_int_equal(sam_decode_text(NULL, &id), BM_ERR_INVALID_ARG);
    assert_int_equal(sam_decode_text(b, NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_secbuf_live_count(), live);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sam_gender_name(0), "未知");
    assert_string_equal(sam_gender_name(1), "男");
    assert_string_equal(sam_gender_name(2), "女");
    assert_string_equal(sam_gender_name(9), "未说明");
    assert_null(sam_gender_name(3));
    assert_null(sam_gender_name(-1));
    assert_null(sam_gender_name(10));

    assert_string_equal(sam_nation_name(1), "汉");
    assert_string_equal(sam_nation_name(29), "柯尔克孜");
    assert_string_equal(sam_nation_name(43), "乌孜别克");
    assert_string_equal(sam_nation_name(55), "珞巴");
    assert_string_equal(sam_nation_name(56), "基诺");
    assert_string_equal(sam_nation_name(97), "其他");
    assert_string_equal(sam_nation_name(98), "外国血统中国籍人士");
    assert_null(sam_nation_name(0));
    assert_null(sam_nation_name(57));
    assert_null(sam_nation_name(96));
    assert_null(sam_nation_name(99));
    assert_null(sam_nation_name(-1));
    for (int i = 1; i <= 56; i++)
        assert_non_null(sam_nation_name(i));
}

static void test_appended_address(void **state)
{
    (void)state;
    uint8_t d[4 * 70];
    put(d, 0, 70, "测试省样例市新区新路2号");
    put(d, 70, 70, "");
    put(d, 140, 70, "测试省样例市旧区旧路3号");
    put(d, 210, 70, "");
    char out[4 * 70 * 3 / 2 + 4];
    size_t n = sam_decode_appended_address(d, sizeof d, out, sizeof out);
    const char *want = "测试省样例市新区新路2号 测试省样例市旧区旧路3号";
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));

    /* One entry; none; a bad entry is left out; too small a buffer keeps whole entries. */
    assert_int_equal(sam_decode_appended_address(d, 70, out, sizeof out),
                     strlen("测试省样例市新区新路2号"));
    assert_string_equal(out, "测试省样例市新区新路2号");
    put(d, 0, 70, "");
    assert_int_equal(sam_decode_appended_address(d, 140, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(sam_decode_appended_address(NULL, 0, out, sizeof out), 0);
    put(d, 0, 70, "测试省样例市新区新路2号");
    put_unit(d, 70, 0xDC00);
    put_unit(d, 72, 'A');
    assert_int_equal(sam_decode_appended_address(d, sizeof d, out, sizeof out), strlen(want));
    assert_string_equal(out, want);
    char small[40];
    n = sam_decode_appended_address(d, sizeof d, small, sizeof small);
    assert_string_equal(small, "测试省样例市新区新路2号");
    assert_int_equal(n, strlen(small));

    /* Four full entries of 35 three-byte characters fit the documented size. */
    char full[36 * 3];
    full[0] = '\0';
    for (int i = 0; i < 35; i++)
        snprintf(full + strlen(full), sizeof full - strlen(full), "%s", "址");
    for (int e = 0; e < 4; e++)
        put(d, (size_t)e * 70, 70, full);
    n = sam_decode_appended_address(d, sizeof d, out, sizeof out);
    assert_int_equal(n, 4 * 105 + 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_command),
        cmocka_unit_test(test_rx_samples),
        cmocka_unit_test(test_rx_pieces),
        cmocka_unit_test(test_rx_garbage_before_preamble),
        cmocka_unit_test(test_rx_two_frames_one_push),
        cmocka_unit_test(test_rx_bad_checksum),
        cmocka_unit_test(test_rx_bad_length),
        cmocka_unit_test(test_rx_full_of_garbage),
        cmocka_unit_test(test_rx_wanted_and_wipe),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_split_read),
        cmocka_unit_test(test_decode_resident),
        cmocka_unit_test(test_decode_hmt),
        cmocka_unit_test(test_decode_foreign),
        cmocka_unit_test(test_decode_foreign_y),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_appended_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
