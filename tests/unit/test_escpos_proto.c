/*
 * test_escpos_proto.c - the ESC/POS protocol layer of the receipt printer: every command's
 * bytes as the spec gives them, GS v 0 bands (header, row bytes, a short last band, padding
 * bits past the width cleared, band limits), the DLE EOT 1..4 / GS r 1 / ASB status parsers
 * with their fixed bits (replies of one kind are refused by the other parsers), the mapping of
 * each fault onto the device model with its fix, and the IEEE 1284 device ID (both length byte
 * orders, synonyms, too short, missing keys, no terminating semicolon).
 */
#include "test_support.h"

#include "drivers/escpos/escpos_proto.h"

#include <string.h>

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void expect(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
}

static void test_commands(void **state)
{
    (void)state;
    uint8_t b[64];
    expect(b, escpos_init(b, sizeof b), BYTES(0x1B, 0x40));
    expect(b, escpos_feed_lines(b, sizeof b, 3), BYTES(0x1B, 0x64, 3));
    expect(b, escpos_feed_dots(b, sizeof b, 300), BYTES(0x1B, 0x4A, 255, 0x1B, 0x4A, 45));
    assert_int_equal(escpos_feed_dots(b, sizeof b, 0), 0);
    expect(b, escpos_cut(b, sizeof b, ESCPOS_CUT_FULL), BYTES(0x1D, 0x56, 0x00));
    expect(b, escpos_cut(b, sizeof b, ESCPOS_CUT_PARTIAL), BYTES(0x1D, 0x56, 0x01));
    expect(b, escpos_feed_cut(b, sizeof b, ESCPOS_CUT_FULL, 10), BYTES(0x1D, 0x56, 0x41, 10));
    expect(b, escpos_feed_cut(b, sizeof b, ESCPOS_CUT_PARTIAL, 5), BYTES(0x1D, 0x56, 0x42, 5));
    for (unsigned n = 1; n <= 4; n++) {
        assert_int_equal(escpos_dle_eot(b, sizeof b, n), 3);
        assert_int_equal(b[0], 0x10);
        assert_int_equal(b[1], 0x04);
        assert_int_equal(b[2], n);
    }
    assert_int_equal(escpos_dle_eot(b, sizeof b, 0), 0);
    assert_int_equal(escpos_dle_eot(b, sizeof b, 5), 0);
    expect(b, escpos_paper_sensor(b, sizeof b), BYTES(0x1D, 0x72, 0x01));
    /* too small a buffer writes nothing */
    assert_int_equal(escpos_init(b, 1), 0);
    assert_int_equal(escpos_feed_dots(b, 4, 300), 0);
}

static void test_raster_bands(void **state)
{
    (void)state;
    /* 13 dots wide (2 bytes, 3 padding bits), 600 rows, stride 4 with junk in the padding */
    enum { W = 13, H = 600, STRIDE = 4 };
    static uint8_t bits[STRIDE * H];
    for (unsigned i = 0; i < sizeof bits; i++)
        bits[i] = (uint8_t)(i * 37 + 11);
    struct bm_raster r = {.width = W, .height = H, .stride = STRIDE, .bits = bits};
    assert_int_equal(escpos_band_count(&r, 255), 3);
    assert_int_equal(escpos_band_count(&r, 256), 0); /* over the limit */
    assert_int_equal(escpos_band_count(&r, 0), 0);
    assert_int_equal(escpos_band_count(&r, 1), 600);
    assert_int_equal(escpos_band_size(&r, 255), 8 + 2 * 255);
    static uint8_t out[8 + 2 * 255];
    unsigned row = 0;
    for (unsigned band = 0; band < 3; band++) {
        size_t n = escpos_raster_band(out, sizeof out, &r, band, 255);
        unsigned rows = band < 2 ? 255 : 90;
        assert_int_equal(n, 8 + 2 * rows);
        const uint8_t head[] = {0x1D, 0x76, 0x30, 0, 2, 0, (uint8_t)rows, 0};
        assert_memory_equal(out, head, 8);
        for (unsigned y = 0; y < rows; y++, row++) {
            assert_int_equal(out[8 + 2 * y], bits[row * STRIDE]);
            assert_int_equal(out[8 + 2 * y + 1], bits[row * STRIDE + 1] & 0xF8);
        }
    }
    assert_int_equal(row, H);
    assert_int_equal(escpos_raster_band(out, sizeof out, &r, 3, 255), 0); /* past the end */
    assert_int_equal(escpos_raster_band(out, 100, &r, 0, 255), 0);        /* too small */
    /* 576 wide: 72 bytes per row; 24-row bands */
    static uint8_t wide[72 * 50];
    memset(wide, 0xFF, sizeof wide);
    struct bm_raster w = {.width = 576, .height = 50, .stride = 72, .bits = wide};
    size_t n = escpos_raster_band(out, sizeof out, &w, 2, 24);
    assert_int_equal(n, 8 + 72 * 2);
    assert_int_equal(out[4], 72);
    assert_int_equal(out[6], 2);
    assert_int_equal(out[8 + 72 * 2 - 1], 0xFF); /* whole last byte kept at width % 8 == 0 */
}

static void test_dle_eot(void **state)
{
    (void)state;
    struct escpos_status st = {0};
    assert_true(escpos_is_dle_eot_reply(0x12));
    assert_false(escpos_is_dle_eot_reply(0x02)); /* bit 4 missing */
    assert_false(escpos_is_dle_eot_reply(0x13)); /* bit 0 set */
    assert_false(escpos_is_dle_eot_reply(0x92)); /* bit 7 set */
    assert_int_equal(escpos_parse_dle_eot(1, 0x1A, &st), BM_OK);
    assert_true(st.offline);
    assert_int_equal(escpos_parse_dle_eot(2, 0x12 | 0x04 | 0x20 | 0x40, &st), BM_OK);
    assert_true(st.cover_open && st.paper_stop && st.error && !st.feed_button);
    assert_int_equal(escpos_parse_dle_eot(3, 0x12 | 0x08, &st), BM_OK);
    assert_true(st.cutter_error && !st.unrecoverable && !st.auto_recoverable && !st.mech_error);
    assert_int_equal(escpos_parse_dle_eot(3, 0x12 | 0x20 | 0x40 | 0x04, &st), BM_OK);
    assert_true(st.unrecoverable && st.auto_recoverable && st.mech_error && !st.cutter_error);
    assert_int_equal(escpos_parse_dle_eot(4, 0x12 | 0x0C, &st), BM_OK);
    assert_true(st.paper_near_end && !st.paper_end);
    assert_int_equal(escpos_parse_dle_eot(4, 0x12 | 0x60, &st), BM_OK);
    assert_true(st.paper_end && !st.paper_near_end);
    assert_int_equal(st.have, 0x1E);
    assert_int_equal(escpos_parse_dle_eot(4, 0x03, &st), BM_ERR_PARSE);
    assert_int_equal(escpos_parse_dle_eot(5, 0x12, &st), BM_ERR_INVALID_ARG);
}

static void test_gs_r_and_asb(void **state)
{
    (void)state;
    struct escpos_status st = {0};
    assert_int_equal(escpos_parse_gs_r(0x03, &st), BM_OK);
    assert_true(st.paper_near_end && !st.paper_end);
    assert_int_equal(escpos_parse_gs_r(0x0C, &st), BM_OK);
    assert_true(st.paper_end && !st.paper_near_end);
    assert_int_equal(escpos_parse_gs_r(0x12, &st), BM_ERR_PARSE); /* a DLE EOT reply */
    assert_false(escpos_is_dle_eot_reply(0x0C));                  /* and the other way */

    uint8_t asb[4] = {0x10 | 0x08 | 0x20, 0x08 | 0x40, 0x03, 0x00};
    assert_true(escpos_is_asb(asb, 4));
    assert_false(escpos_is_asb(asb, 3));
    memset(&st, 0, sizeof st);
    assert_int_equal(escpos_parse_asb(asb, 4, &st), BM_OK);
    assert_true(st.offline && st.cover_open && st.cutter_error && st.auto_recoverable);
    assert_true(st.paper_near_end && !st.paper_end && !st.unrecoverable);
    assert_int_equal(st.have, ESCPOS_HAVE_ASB);
    /* a DLE EOT byte starts no ASB block: bit 1 is set there, clear in ASB */
    const uint8_t not_asb[4] = {0x12, 0, 0, 0};
    assert_false(escpos_is_asb(not_asb, 4));
    const uint8_t bad_tail[4] = {0x10, 0x10, 0, 0};
    assert_int_equal(escpos_parse_asb(bad_tail, 4, &st), BM_ERR_PARSE);
}

static void check_map(struct escpos_status st, enum bm_device_state dev, enum bm_paper paper,
                      enum bm_err err, enum bm_fix fix)
{
    struct escpos_mapped m;
    escpos_map_status(&st, &m);
    assert_int_equal(m.device, dev);
    assert_int_equal(m.paper, paper);
    assert_int_equal(m.err, err);
    assert_int_equal(m.fix, fix);
    assert_true(err == BM_OK ? m.what[0] == '\0' : m.what[0] != '\0');
}

static void test_map(void **state)
{
    (void)state;
    check_map((struct escpos_status){0}, BM_DEVICE_ONLINE, BM_PAPER_FULL, BM_OK, BM_FIX_NONE);
    check_map((struct escpos_status){.paper_near_end = true}, BM_DEVICE_ONLINE, BM_PAPER_LOW, BM_OK,
              BM_FIX_NONE);
    check_map((struct escpos_status){.paper_end = true, .offline = true}, BM_DEVICE_USER_ERROR,
              BM_PAPER_OUT, BM_ERR_NO_MEDIA, BM_FIX_CLEAR);
    check_map((struct escpos_status){.cover_open = true, .offline = true}, BM_DEVICE_USER_ERROR,
              BM_PAPER_FULL, BM_ERR_STATE, BM_FIX_CLEAR);
    check_map((struct escpos_status){.offline = true}, BM_DEVICE_OFFLINE, BM_PAPER_FULL,
              BM_ERR_DEVICE, BM_FIX_SUSPEND);
    check_map((struct escpos_status){.cutter_error = true, .error = true}, BM_DEVICE_HARDWARE_ERROR,
              BM_PAPER_FULL, BM_ERR_DEVICE, BM_FIX_MAINTENANCE);
    check_map((struct escpos_status){.unrecoverable = true, .cover_open = true},
              BM_DEVICE_HARDWARE_ERROR, BM_PAPER_FULL, BM_ERR_DEVICE, BM_FIX_MAINTENANCE);
    check_map((struct escpos_status){.auto_recoverable = true}, BM_DEVICE_OFFLINE, BM_PAPER_FULL,
              BM_ERR_DEVICE, BM_FIX_SUSPEND);
    check_map((struct escpos_status){.mech_error = true}, BM_DEVICE_HARDWARE_ERROR, BM_PAPER_FULL,
              BM_ERR_DEVICE, BM_FIX_RESET);
    struct escpos_mapped m;
    escpos_map_status(&(struct escpos_status){.cutter_error = true}, &m);
    assert_int_equal(m.cutter, BM_CUTTER_ERROR);
    escpos_map_status(&(struct escpos_status){.cover_open = true}, &m);
    assert_true(m.cover_open);
}

static size_t make_id(uint8_t *out, const char *text, bool little_endian)
{
    size_t n = strlen(text) + 2;
    out[little_endian ? 1 : 0] = (uint8_t)(n >> 8);
    out[little_endian ? 0 : 1] = (uint8_t)(n & 0xFF);
    memcpy(out + 2, text, n - 2);
    return n;
}

static void test_device_id(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct escpos_device_id id;
    size_t n =
        make_id(buf, "MFG:EPSON;CMD:ESC/POS;MDL:TM-T20;CLS:PRINTER;SN:X12;DES:TM-T20 II;", false);
    assert_int_equal(escpos_parse_device_id(buf, n, &id), BM_OK);
    assert_string_equal(id.mfg, "EPSON");
    assert_string_equal(id.mdl, "TM-T20");
    assert_string_equal(id.cmd, "ESC/POS");
    assert_string_equal(id.cls, "PRINTER");
    assert_string_equal(id.sn, "X12");
    assert_string_equal(id.des, "TM-T20 II");
    assert_true(escpos_device_id_is_escpos(&id));

    /* little-endian length, long synonyms, spaces, no final semicolon, trailing junk cut off */
    n = make_id(buf,
                "MANUFACTURER: Xprinter ;MODEL:XP-58;COMMAND SET:PCL,ESC/POS;SERIALNUMBER:7;"
                "DESCRIPTION:thermal",
                true);
    memcpy(buf + n, "MDL:WRONG;", 10);
    assert_int_equal(escpos_parse_device_id(buf, n + 10, &id), BM_OK);
    assert_string_equal(id.mfg, "Xprinter");
    assert_string_equal(id.mdl, "XP-58");
    assert_string_equal(id.sn, "7");
    assert_string_equal(id.des, "thermal");
    assert_true(escpos_device_id_is_escpos(&id));
    n = make_id(buf, "MFG:A;MDL:B;SERN:S9;CMD:PCL;", false);
    assert_int_equal(escpos_parse_device_id(buf, n, &id), BM_OK);
    assert_string_equal(id.sn, "S9");
    assert_false(escpos_device_id_is_escpos(&id));

    /* a length over the buffer is clamped to it */
    n = make_id(buf, "MFG:EPSON;MDL:TM;", false);
    buf[0] = 0x7F;
    buf[1] = 0x7F;
    assert_int_equal(escpos_parse_device_id(buf, n, &id), BM_OK);
    assert_string_equal(id.mdl, "TM");

    /* refused: short, empty, missing model, NULL */
    n = make_id(buf, "MFG:A;MDL:", false); /* 12 bytes */
    assert_int_equal(escpos_parse_device_id(buf, n, &id), BM_ERR_PARSE);
    assert_int_equal(escpos_parse_device_id(buf, 1, &id), BM_ERR_PARSE);
    assert_int_equal(escpos_parse_device_id(NULL, 0, &id), BM_ERR_PARSE);
    n = make_id(buf, "MFG:EPSON;CMD:ESC/POS;", false);
    assert_int_equal(escpos_parse_device_id(buf, n, &id), BM_ERR_PARSE);
    /* control bytes in a value do not reach logs */
    n = make_id(buf, "MFG:EP\x01SON;MDL:T\x7fM;", false);
    assert_int_equal(escpos_parse_device_id(buf, n, &id), BM_OK);
    assert_string_equal(id.mfg, "EP?SON");
    assert_string_equal(id.mdl, "T?M");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands), cmocka_unit_test(test_raster_bands),
        cmocka_unit_test(test_dle_eot),  cmocka_unit_test(test_gs_r_and_asb),
        cmocka_unit_test(test_map),      cmocka_unit_test(test_device_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
