/*
 * sam_codec.h - the SAM frame protocol of resident ID card readers, as pure functions: no I/O,
 * no threads, no allocation except the identity a text block decodes into. The facts come from
 * ../shared/specs/idcard-sam.md (mirrored in docs/id-reader.md).
 *
 *   command : AA AA AA 96 69 | LEN_H LEN_L | CMD PARA | DATA... | CHK
 *   response: AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3 | DATA... | CHK
 *
 * LEN counts every byte after itself (CHK included); CHK is the XOR of LEN and body.
 *
 * The receive side is a small stream parser (struct sam_rx): bytes go in as they arrive, in any
 * pieces, with any garbage before a preamble; complete, checked frames come out. The text
 * decoder turns the card's 256-byte UCS-2LE text block into a struct bm_identity (secure
 * buffers; no plain copy of a personal field outlives the call).
 *
 * Threads: any; a struct sam_rx belongs to one thread at a time.
 */
#ifndef BM_DRIVERS_SAM_CODEC_H
#define BM_DRIVERS_SAM_CODEC_H

#include "drivers/device.h"
#include "drivers/id_reader.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAM_PREAMBLE_SIZE 5
#define SAM_HEADER_SIZE 7 /* preamble + LEN */
/* The largest LEN accepted: a text + photo + 1024-byte fingerprint read is 2,314 (09 0A). */
#define SAM_MAX_LEN 4096
#define SAM_MAX_FRAME (SAM_HEADER_SIZE + SAM_MAX_LEN)

extern const uint8_t sam_preamble[SAM_PREAMBLE_SIZE]; /* AA AA AA 96 69 */

/* Commands as CMD << 8 | PARA. */
enum sam_command {
    SAM_CMD_RESET = 0x10FF,
    SAM_CMD_STATUS = 0x11FF,
    SAM_CMD_SAM_ID = 0x12FF,
    SAM_CMD_FIND = 0x2001,
    SAM_CMD_SELECT = 0x2002,
    SAM_CMD_READ = 0x3001,         /* text + photo */
    SAM_CMD_READ_ADDRESS = 0x3003, /* appended address (住址变更), up to 4 x 70 bytes */
    SAM_CMD_READ_FP = 0x3010,      /* text + photo + fingerprint */
};

/* Short name for logs: "find", "select", "read", ... ("unknown" otherwise). */
const char *sam_command_name(uint16_t cmd);

/*
 * Writes the complete frame for cmd with optional data into out. Returns the frame length, or
 * 0 if it does not fit in cap or data is longer than a frame allows.
 */
size_t sam_build_command(uint16_t cmd, const uint8_t *data, size_t data_len, uint8_t *out,
                         size_t cap);

/* ---- receiving ---- */

struct sam_response {
    uint8_t sw1, sw2, sw3;
    const uint8_t *data; /* the bytes between SW3 and CHK; points into the sam_rx */
    size_t data_len;
};

enum sam_rx_result {
    SAM_RX_NEED_MORE,    /* no complete frame yet */
    SAM_RX_FRAME,        /* *out holds a checked frame */
    SAM_RX_BAD_CHECKSUM, /* a complete frame whose XOR is wrong: dropped (its preamble is
                            skipped and the rest scanned as garbage, so a real frame behind a
                            false preamble is still found) */
    SAM_RX_BAD_LENGTH,   /* a preamble with LEN < 4 or > SAM_MAX_LEN: the preamble is skipped */
};

struct sam_rx {
    uint8_t buf[SAM_MAX_FRAME];
    size_t len;      /* bytes held */
    size_t consumed; /* bytes of buf already handed out as the last frame */
    size_t skipped;  /* garbage bytes dropped before preambles, for diagnostics */
};

/* Empties rx and zeroes its buffer (a read response holds personal text). Bytes the parser
 * drops are zeroed too. */
void sam_rx_reset(struct sam_rx *rx);

/*
 * Room for incoming bytes: read into sam_rx_space() up to sam_rx_room() bytes, then call
 * sam_rx_commit(n). These first drop the frame last returned by sam_rx_take (its data pointer
 * becomes invalid) and any garbage known not to start a preamble.
 */
uint8_t *sam_rx_space(struct sam_rx *rx);
size_t sam_rx_room(struct sam_rx *rx);
void sam_rx_commit(struct sam_rx *rx, size_t n);
/* Copies up to n bytes in (as space/room/commit); returns how many were taken. Room is only
 * ever 0 while a complete frame (or bad header) waits at the head: sam_rx_take it first. */
size_t sam_rx_push(struct sam_rx *rx, const uint8_t *bytes, size_t n);

/*
 * The next frame in the buffer. SAM_RX_FRAME: out points into rx until the next call on rx.
 * After BAD_CHECKSUM or BAD_LENGTH call again: more frames may follow.
 * If the buffer is full of garbage without a frame, the garbage is dropped (NEED_MORE).
 */
enum sam_rx_result sam_rx_take(struct sam_rx *rx, struct sam_response *out);

/* How many more bytes the frame at the head of the buffer needs (a hint for split reads):
 * SAM_HEADER_SIZE minus what is held while no header is complete. */
size_t sam_rx_wanted(const struct sam_rx *rx);

/* ---- status ---- */

/* What one SW3 code means to the device model. */
struct sam_status {
    uint8_t sw3;
    enum bm_err err;  /* BM_OK for 90 and 9F */
    enum bm_fix fix;  /* what fixes it (BM_FIX_NONE: the resident tries again, or nothing) */
    const char *text; /* English, for the technician log: "SAM self-test failed" */
};

/* The entry for sw3; an unknown code gives a generic BM_ERR_DEVICE / BM_FIX_RESET entry whose
 * sw3 is the code asked for. Never NULL. */
const struct sam_status *sam_status_of(uint8_t sw3);

/* Whether a response is a success: SW1 = SW2 = 0 and SW3 90 or 9F. */
bool sam_response_ok(const struct sam_response *r);

/* ---- read results ---- */

#define SAM_TEXT_SIZE 256
#define SAM_PHOTO_SIZE 1024

struct sam_read_parts {
    const uint8_t *text; /* SAM_TEXT_SIZE bytes */
    const uint8_t *photo; /* photo_len bytes (SAM_PHOTO_SIZE or 0) */
    size_t photo_len;
    const uint8_t *fingerprint; /* fingerprint_len bytes (0 unless READ_FP) */
    size_t fingerprint_len;
};

/*
 * Splits a successful read response's data (length fields, then the blocks) into its parts.
 * with_fingerprint: the response to SAM_CMD_READ_FP (three length fields). BM_ERR_PARSE if the
 * lengths disagree with the data or the text block is not SAM_TEXT_SIZE bytes.
 */
enum bm_err sam_split_read(const struct sam_response *r, bool with_fingerprint,
                           struct sam_read_parts *out);

/*
 * Decodes a 256-byte text block: the card type from the flag at offset 248, then each field
 * of that layout, UCS-2LE to UTF-8, padding (spaces, NULs) trimmed; gender and nation codes to
 * their names; dates checked as YYYYMMDD (valid_until may be 长期). *out gets a new identity in
 * secure buffers (photo_wlt NULL) on BM_OK. BM_ERR_PARSE names the field that is wrong, never
 * its value. Stack copies of personal text are wiped before returning.
 */
enum bm_err sam_decode_text(const uint8_t text[SAM_TEXT_SIZE], struct bm_identity **out);

/*
 * Decodes the appended-address data (SAM_CMD_READ_ADDRESS: up to four 70-byte UCS-2LE
 * entries, each a later address) into UTF-8 in out (the entries joined by one space, trimmed).
 * Returns the UTF-8 length, or 0 if there is none. cap >= 4 * 70 * 3 / 2 + 4 is enough.
 */
size_t sam_decode_appended_address(const uint8_t *data, size_t len, char *out, size_t cap);

/* "男", "女", "未知" (0), "未说明" (9); NULL for other codes. */
const char *sam_gender_name(int code);
/* GB 3304 nation name for codes 1-56, 97, 98 ("汉", ...); NULL otherwise. */
const char *sam_nation_name(int code);

#endif
