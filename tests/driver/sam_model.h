/*
 * sam_model.h - an emulated resident ID card reader (the SAM frame protocol) as a pure
 * byte-stream state machine, for the driver tests. It is the oracle: written from
 * ../shared/specs/idcard-sam.md without the production codec (drivers/sam/), so a codec bug
 * cannot hide in both. Transports (usb_fake + sam_usb_model, pty_fake) move its bytes.
 *
 * The host writes a byte stream (any pieces, several frames, garbage between them); the model
 * answers each complete frame with one reply that the host reads back when it is "ready"
 * (delays and split pieces are time-based). A card can be presented from plain fields (the
 * model encodes the 256-byte UCS-2LE text block itself), from a preset, or as raw bytes.
 * Faults are armed per command kind and consumed as commands arrive.
 *
 * Threads: every function takes the model's mutex, so the umockdev worker thread, a pty thread
 * and the test thread may all call it.
 */
#ifndef BM_TEST_SAM_MODEL_H
#define BM_TEST_SAM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAM_MODEL_TEXT_SIZE 256
#define SAM_MODEL_PHOTO_SIZE 1024
#define SAM_MODEL_FP_MAX 1024
#define SAM_MODEL_SAM_ID_SIZE 16
#define SAM_MODEL_ADDR_ENTRY 70 /* bytes of UCS-2LE per appended address */
#define SAM_MODEL_ADDR_MAX 4

/* What a received frame was; also selects faults (SAM_MODEL_CMD_ANY matches every kind). */
enum sam_model_cmd {
    SAM_MODEL_CMD_RESET,        /* 10 FF */
    SAM_MODEL_CMD_STATUS,       /* 11 FF */
    SAM_MODEL_CMD_SAM_ID,       /* 12 FF */
    SAM_MODEL_CMD_FIND,         /* 20 01 */
    SAM_MODEL_CMD_SELECT,       /* 20 02 */
    SAM_MODEL_CMD_READ,         /* 30 01 */
    SAM_MODEL_CMD_READ_ADDRESS, /* 30 03 */
    SAM_MODEL_CMD_READ_FP,      /* 30 10 */
    SAM_MODEL_CMD_SET_BAUD,     /* 60 n */
    SAM_MODEL_CMD_SET_FRAME,    /* 61 FF n */
    SAM_MODEL_CMD_UNKNOWN,      /* any other CMD PARA: answered 21 */
    SAM_MODEL_CMD_BAD_FRAME,    /* bad checksum (answered 10) or bad LEN (answered 11) */
    SAM_MODEL_CMD_COUNT,
    SAM_MODEL_CMD_ANY = -1,
};

enum sam_model_card_type {
    SAM_MODEL_CARD_RESIDENT, /* 居民身份证, flag blank */
    SAM_MODEL_CARD_J,        /* HK/Macau/Taiwan residence permit, flag 'J' */
    SAM_MODEL_CARD_I,        /* foreign permanent residence card, 2017 layout, flag 'I' */
    SAM_MODEL_CARD_Y,        /* foreign permanent residence card, 2023 layout, flag 'Y' */
};

/*
 * A card as plain UTF-8 fields (BMP characters only); NULL fields are left blank (spaces).
 * Which fields a type uses (others are ignored):
 *   RESIDENT: name gender nation birth address id_number authority valid_from valid_until
 *   J:        name gender birth address id_number authority valid_from valid_until
 *             pass_number issue_count
 *   I:        name_en gender id_number(permit number) nationality name birth valid_from
 *             valid_until card_version authority(issuing authority code)
 *   Y:        name gender issue_count(renewal count) birth name_en(first 35 chars, the rest
 *             in the "continued" field) id_number valid_from valid_until nationality
 *             old_link
 */
struct sam_model_card {
    enum sam_model_card_type type;
    const char *name, *name_en, *gender, *nation, *birth, *address, *id_number, *authority;
    const char *valid_from, *valid_until, *pass_number, *issue_count, *nationality;
    const char *card_version, *old_link;
    const char *appended[SAM_MODEL_ADDR_MAX]; /* 30 03 entries; none -> 91 */
    size_t fp_len;                            /* fingerprint bytes for 30 10: 0, 512, 1024 */
};

/* Fictional preset cards (province code 99, correct check digits). */
enum sam_model_preset {
    SAM_MODEL_PRESET_RESIDENT_34, /* 李试民, female, born 1992-01-01, valid 2020-2040 */
    SAM_MODEL_PRESET_RESIDENT_72, /* 王长青, male, born 1954-01-01, valid from 2015, 长期,
                                     one appended address, 1024-byte fingerprint */
    SAM_MODEL_PRESET_EXPIRED,     /* 赵过期, male, born 1980-06-15, valid 2006-2016 */
    SAM_MODEL_PRESET_PERMIT_J,    /* 陈港澳, 'J' permit */
    SAM_MODEL_PRESET_FOREIGN_I,   /* SPECIMEN, ANNA MARIA / 安测试, 'I' card, nationality UTO */
    SAM_MODEL_PRESET_FOREIGN_Y,   /* 艾样本 / SPECIMEN, ALEXANDRA..., 'Y' card, nationality UTO */
    SAM_MODEL_PRESET_COUNT,
};

const struct sam_model_card *sam_model_preset(enum sam_model_preset p);

/* The model's own encoder: the 256-byte text block of a card. */
void sam_model_text_block(const struct sam_model_card *c, uint8_t out[SAM_MODEL_TEXT_SIZE]);

/* GB 11643 check character for the first 17 digits of an ID number ('?' if not digits). */
char sam_model_id_check(const char *first17);

/* ---- the reader ---- */

struct sam_model;

struct sam_model *sam_model_new(void);
void sam_model_free(struct sam_model *m);

/* The host wrote these bytes (a stream: any split, several frames, garbage). */
void sam_model_host_write(struct sam_model *m, const uint8_t *bytes, size_t n);
/* Forget a half-received frame (a transport saw the host restart a frame). */
void sam_model_host_discard_input(struct sam_model *m);

/* Which bytes of the current reply a read may take (split-pipe USB readers). */
enum sam_model_part {
    SAM_MODEL_PART_ANY,
    SAM_MODEL_PART_HEADER, /* up to the end of preamble + LEN (garbage prefix included) */
    SAM_MODEL_PART_BODY,   /* after that */
};
/* Copies up to cap reply bytes the host may read now; 0 if none are ready. */
size_t sam_model_host_read(struct sam_model *m, uint8_t *buf, size_t cap);
size_t sam_model_host_read_part(struct sam_model *m, uint8_t *buf, size_t cap,
                                enum sam_model_part part);
/* Reply bytes queued, ready or not. */
size_t sam_model_pending(struct sam_model *m);
/* Milliseconds until reply bytes become ready: 0 ready now, -1 nothing queued. */
int sam_model_next_ready_ms(struct sam_model *m);
/* Drops every queued reply byte. */
void sam_model_drop_output(struct sam_model *m);

/* ---- cards ---- */

/* Puts a card in the field (replacing any). A new card can be found at once. */
void sam_model_insert_card(struct sam_model *m, const struct sam_model_card *c);
void sam_model_insert_preset(struct sam_model *m, enum sam_model_preset p);
/* A card given as raw blocks; photo NULL -> a generated one; fp may be NULL with fp_len 0. */
void sam_model_insert_raw(struct sam_model *m, const uint8_t text[SAM_MODEL_TEXT_SIZE],
                          const uint8_t *photo, const uint8_t *fp, size_t fp_len);
void sam_model_remove_card(struct sam_model *m);
/* The same card leaves and re-enters the field: find succeeds again after a read. */
void sam_model_represent_card(struct sam_model *m);
bool sam_model_card_present(struct sam_model *m);
/* The photo bytes the current card answers with (for comparison); false if no card. */
bool sam_model_card_photo(struct sam_model *m, uint8_t out[SAM_MODEL_PHOTO_SIZE]);
void sam_model_set_sam_id(struct sam_model *m, const uint8_t id[SAM_MODEL_SAM_ID_SIZE]);

/* ---- faults (each armed fault is consumed by the commands it hits) ---- */

/* The next `count` commands of `kind` (or SAM_MODEL_CMD_ANY) answer bare SW3 `sw3`
 * (count < 0: until cleared). Up to 8 armed at once; the first matching one wins. */
void sam_model_fault_sw3(struct sam_model *m, enum sam_model_cmd kind, uint8_t sw3, int count);

enum sam_model_removal {
    SAM_MODEL_REMOVE_ANSWER_41, /* the next read answers 41; the card is gone */
    SAM_MODEL_REMOVE_CUT,       /* the next read's reply stops after cut_at bytes; card gone */
};
void sam_model_fault_remove_during_read(struct sam_model *m, enum sam_model_removal how,
                                        size_t cut_at);
/* The next `count` replies carry a wrong CHK. */
void sam_model_fault_bad_checksum(struct sam_model *m, int count);
/* The next reply is delivered in pieces of at most `piece` bytes, `gap_ms` apart. */
void sam_model_fault_split(struct sam_model *m, size_t piece, unsigned gap_ms);
/* The next reply is preceded by these bytes (up to 64; e.g. AA AA, or 00 FF AA AA AA). */
void sam_model_fault_garbage(struct sam_model *m, const uint8_t *bytes, size_t n);
/* Answer `k` more commands, then never answer again (k = 0: silent now; k < 0: off). */
void sam_model_fault_silent_after(struct sam_model *m, int k);
/* Every reply becomes ready `ms` after its command arrived (0: at once). */
void sam_model_set_delay_ms(struct sam_model *m, unsigned ms);
/* Disarms every fault (delay included); queued replies stay. */
void sam_model_clear_faults(struct sam_model *m);

/* ---- what happened ---- */

struct sam_model_stats {
    uint64_t bytes_in, bytes_out;            /* host -> model, model -> host */
    unsigned cmds[SAM_MODEL_CMD_COUNT];      /* frames received, by kind */
    unsigned replies, silenced;              /* replies queued, commands left unanswered */
    uint64_t garbage_in;                     /* host bytes skipped before a preamble */
    unsigned baud_index, frame_size;         /* last 60 n / 61 FF n values */
    unsigned reads_ok;                       /* successful 30 01 / 30 10 */
};
void sam_model_get_stats(struct sam_model *m, struct sam_model_stats *out);
void sam_model_reset_stats(struct sam_model *m);

/* The last complete frame received: kind and CMD << 8 | PARA (0 if none yet). */
enum sam_model_cmd sam_model_last_kind(struct sam_model *m);
uint16_t sam_model_last_command(struct sam_model *m);

/* Short name of a kind for messages ("find", "read", ...). */
const char *sam_model_cmd_name(enum sam_model_cmd kind);

/* ---- a tiny independent frame builder/parser for tests ---- */

/* Builds a command frame; returns its length (0 if it does not fit). */
size_t sam_model_build_command(uint16_t cmd_para, const uint8_t *data, size_t n, uint8_t *out,
                               size_t cap);
/* If buf starts with a complete, checked reply frame: returns its length and the status and
 * data; 0 if incomplete; -1 if malformed (no preamble at 0, or bad checksum). */
long sam_model_parse_reply(const uint8_t *buf, size_t n, uint8_t *sw3, const uint8_t **data,
                           size_t *data_len);

#endif
