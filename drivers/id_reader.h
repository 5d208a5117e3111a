/*
 * id_reader.h - the resident ID card reader (居民身份证阅读器) class.
 *
 * The reader polls on its own: a card placed on it raises BM_EVENT_MEDIA_INSERTED carrying the
 * identity once per card, and BM_EVENT_MEDIA_REMOVED when it leaves. bm_id_reader_read asks for
 * the identity of the card on the reader now, or waits for one up to a timeout.
 *
 * Every personal field of an identity lives in its own secure buffer (secbuf.h): locked memory,
 * zeroed on free. Nothing here is ever logged. The card-type letters follow the card's own
 * text block: blank for a resident card, 'J' for a Hong Kong/Macau/Taiwan residence permit,
 * 'I' and 'Y' for the foreign permanent residence cards (old and 2023 layouts).
 *
 * Main thread, except the pure helpers at the end (any thread).
 */
#ifndef BM_DRIVERS_ID_READER_H
#define BM_DRIVERS_ID_READER_H

#include "device.h"

#include "core/secbuf.h"

#include <time.h>

enum bm_id_card_type {
    BM_ID_CARD_RESIDENT,           /* 居民身份证 */
    BM_ID_CARD_HMT_RESIDENCE,      /* 'J' 港澳台居民居住证 */
    BM_ID_CARD_FOREIGN_PERMANENT,  /* 'I' 外国人永久居留身份证 (2017) */
    BM_ID_CARD_FOREIGN_PERMANENT_Y, /* 'Y' 外国人永久居留身份证 (2023) */
    BM_ID_CARD_TYPE_COUNT
};
/* "resident", "hmt_residence", "foreign_permanent", "foreign_permanent_2023". */
const char *bm_id_card_type_name(enum bm_id_card_type type);

#define BM_ID_PHOTO_WLT_SIZE 1024
/* The card photo once decoded: 102 x 126 pixels, RGB24, top row first. */
#define BM_ID_PHOTO_WIDTH 102
#define BM_ID_PHOTO_HEIGHT 126
#define BM_ID_PHOTO_RGB_SIZE (BM_ID_PHOTO_WIDTH * BM_ID_PHOTO_HEIGHT * 3)

/*
 * What a card says. Text fields are UTF-8, trimmed. Dates are "YYYYMMDD"; valid_until may be
 * "长期" (no expiry). A field the card type does not carry is NULL (e.g. name_en on a resident
 * card, address on a foreign permanent residence card).
 */
struct bm_identity {
    enum bm_id_card_type type;
    struct bm_secbuf *name;        /* Chinese name (foreign card: Chinese name if any, else English) */
    struct bm_secbuf *name_en;     /* foreign cards only */
    struct bm_secbuf *gender;      /* "男" / "女" / "未知" */
    struct bm_secbuf *nation;      /* "汉"...; the nationality code (e.g. "CAN") on foreign cards */
    struct bm_secbuf *birth_date;  /* YYYYMMDD */
    struct bm_secbuf *address;
    struct bm_secbuf *id_number;   /* 18 characters */
    struct bm_secbuf *issuer;
    struct bm_secbuf *valid_from;  /* YYYYMMDD */
    struct bm_secbuf *valid_until; /* YYYYMMDD or "长期" */
    struct bm_secbuf *photo_wlt;   /* BM_ID_PHOTO_WLT_SIZE opaque bytes, NULL if none */
    /* BM_ID_PHOTO_RGB_SIZE bytes, decoded by the vendor library the config names; NULL if
     * there is none (screens show a neutral placeholder instead) */
    struct bm_secbuf *photo_rgb;
};

/* Wipes and frees every field. NULL is ignored. */
void bm_identity_free(struct bm_identity *id);
/* A deep copy in new secure buffers (NULL on failure). */
struct bm_identity *bm_identity_dup(const struct bm_identity *id);

struct bm_id_reader_caps {
    unsigned card_types; /* bit (1u << enum bm_id_card_type) per readable type */
    bool photo;          /* delivers the WLT photo block */
    bool sam;            /* has a SAM whose status and id are reported */
    char model[48];
};
enum bm_err bm_id_reader_get_caps(const struct bm_device *dev, struct bm_id_reader_caps *out);

struct bm_id_read_params {
    /*
     * 0: read the card on the reader now (BM_ERR_NO_MEDIA if none). Otherwise wait up to this
     * long (the device's clock) for a card to be placed (BM_ERR_TIMEOUT).
     */
    unsigned timeout_ms;
};

/* identity is the caller's (free with bm_identity_free); NULL unless c->err is BM_OK. */
typedef void (*bm_id_read_done_fn)(const struct bm_completion *c, struct bm_identity *identity,
                                   void *ud);

/* Reads the card. On BM_OK, done runs exactly once on the main thread; *id cancels it. */
enum bm_err bm_id_reader_read(struct bm_device *dev, const struct bm_id_read_params *p,
                              bm_id_read_done_fn done, void *ud, uint64_t *id);

/* ---- pure helpers (any thread) ---- */

/* The GB 11643 check character ('0'-'9' or 'X') for 17 digits; '\0' if they are not digits. */
char bm_id_check_digit(const char *first17);
/* Whether s is an 18-character ID number whose check character is right. */
bool bm_id_number_valid(const char *s);
/* Age in whole years on the local date of `now`; -1 if the birth date is unreadable. */
int bm_identity_age(const struct bm_identity *id, time_t now);
/* Whether the card's validity ended before the local date of `now` ("长期" never expires). */
bool bm_identity_expired(const struct bm_identity *id, time_t now);

#endif
