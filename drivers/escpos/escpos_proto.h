/*
 * escpos_proto.h - the ESC/POS bytes a receipt printer takes and the status it answers, with
 * no I/O: command builders (initialise, GS v 0 raster bands, feed, cut, status requests), the
 * parsers of DLE EOT n / GS r 1 / ASB replies and of the IEEE 1284 device ID, and the mapping
 * of a printer's status onto the device model (drivers/device.h). Facts:
 * shared/specs/escpos-usb-printer.md. Pure functions: any thread.
 */
#ifndef BM_DRIVERS_ESCPOS_PROTO_H
#define BM_DRIVERS_ESCPOS_PROTO_H

#include "drivers/device.h"
#include "drivers/receipt_printer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ESCPOS_MAX_BAND_ROWS 255u /* rows per GS v 0 band: yL only, as printers buffer it */
#define ESCPOS_RASTER_HEADER 8u   /* 1D 76 30 m xL xH yL yH */

/* ---- commands (each returns the bytes written, 0 if cap is too small) ---- */

size_t escpos_init(uint8_t *out, size_t cap);                       /* ESC @ */
size_t escpos_feed_dots(uint8_t *out, size_t cap, unsigned dots);   /* ESC J n, repeated */
size_t escpos_feed_lines(uint8_t *out, size_t cap, unsigned lines); /* ESC d n */
enum escpos_cut { ESCPOS_CUT_FULL, ESCPOS_CUT_PARTIAL };
size_t escpos_cut(uint8_t *out, size_t cap, enum escpos_cut how); /* GS V 0/1 */
size_t escpos_feed_cut(uint8_t *out, size_t cap, enum escpos_cut how,
                       unsigned n);                          /* GS V 41/42 n */
size_t escpos_dle_eot(uint8_t *out, size_t cap, unsigned n); /* n 1..4 */
size_t escpos_paper_sensor(uint8_t *out, size_t cap);        /* GS r 1 */

/*
 * Band `band` of raster r as one GS v 0 command (m = 0), band_rows rows tall (1..255; the last
 * band may be shorter). Bytes per row: (width + 7) / 8, the bits beyond width cleared. Returns
 * the bytes written, 0 if cap is too small or the band is past the end.
 */
size_t escpos_raster_band(uint8_t *out, size_t cap, const struct bm_raster *r, unsigned band,
                          unsigned band_rows);
unsigned escpos_band_count(const struct bm_raster *r, unsigned band_rows);
/* The size of the largest band command for r (for buffers). */
size_t escpos_band_size(const struct bm_raster *r, unsigned band_rows);

/* ---- status ---- */

/* What a printer said about itself; bits from DLE EOT 1..4, GS r 1 or an ASB block. */
struct escpos_status {
    bool offline, cover_open, feed_button, paper_stop, error;
    bool mech_error, cutter_error, unrecoverable, auto_recoverable;
    bool paper_near_end, paper_end, drawer;
    unsigned have; /* which replies filled it: bit n for DLE EOT n, ESCPOS_HAVE_* */
};
#define ESCPOS_HAVE_GSR 0x20u
#define ESCPOS_HAVE_ASB 0x40u

/* Whether byte b is a valid reply to DLE EOT n (bits 1 and 4 set, 0 and 7 clear). */
bool escpos_is_dle_eot_reply(uint8_t b);
/* Folds one DLE EOT n reply into st. BM_ERR_PROTOCOL if the fixed bits are wrong. */
enum bm_err escpos_parse_dle_eot(unsigned n, uint8_t b, struct escpos_status *st);
/* GS r 1 (fixed bits: 4 clear, 7 clear, bits 5/6 zero). */
bool escpos_is_gs_r_reply(uint8_t b);
enum bm_err escpos_parse_gs_r(uint8_t b, struct escpos_status *st);
/* An ASB block: 4 bytes; byte 1 has bit 4 set, bits 0,1,7 clear; bytes 2-4 bits 4 and 7 clear. */
bool escpos_is_asb(const uint8_t *b, size_t len);
enum bm_err escpos_parse_asb(const uint8_t *b, size_t len, struct escpos_status *st);

/* The status in the device model's terms. */
struct escpos_mapped {
    enum bm_device_state device;
    enum bm_paper paper;
    bool cover_open;
    enum bm_cutter cutter;
    enum bm_err err; /* BM_OK if nothing to report */
    enum bm_fix fix;
    const char *what; /* "paper out", ...; "" if none */
};
void escpos_map_status(const struct escpos_status *st, struct escpos_mapped *out);

/* ---- IEEE 1284 device ID ---- */

struct escpos_device_id {
    char mfg[48], mdl[48], cmd[64], cls[24], sn[48], des[96];
};
/*
 * Parses a GET_DEVICE_ID reply: a 2-byte length (big-endian, counting itself; little-endian
 * when big-endian does not fit, as CUPS does), then KEY:value; pairs. Synonyms MANUFACTURER,
 * MODEL, COMMAND SET, SERIALNUMBER/SERN, DESCRIPTION. BM_ERR_PROTOCOL if shorter than 14 bytes
 * or without a manufacturer or model.
 */
enum bm_err escpos_parse_device_id(const uint8_t *buf, size_t len, struct escpos_device_id *out);
/* Whether the command set names ESC/POS (case-insensitive). */
bool escpos_device_id_is_escpos(const struct escpos_device_id *id);

#endif
