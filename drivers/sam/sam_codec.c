/*
 * sam_codec.c - the SAM frame protocol of resident ID card readers as pure functions: command
 * frames out, a stream parser for response frames in, the SW3 status table, and the decoders of
 * a read response (length fields, the 256-byte UCS-2LE text block, the appended address).
 * See sam_codec.h and ../shared/specs/idcard-sam.md for the facts.
 *
 * Design: the parser keeps one fixed buffer the size of the largest frame. A frame handed out
 * stays in place until the next call, so its data can be read without a copy; the next call
 * drops it and any garbage in front of the next possible preamble, and zeroes the bytes it
 * vacated, because a read response carries the resident's text. The text decoder is driven by
 * one table per card layout (offset, size, kind of check, identity slot); each field is
 * decoded into a stack buffer, checked, copied into its secure buffer, and the stack buffer is
 * wiped on every path. Nothing here logs: the only words that leave are bm_err_set details,
 * which name a field and never its value.
 *
 * Threads: any; a struct sam_rx belongs to one thread at a time.
 */
#include "sam_codec.h"

#include <stdlib.h>
#include <string.h>

const uint8_t sam_preamble[SAM_PREAMBLE_SIZE] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

const char *sam_command_name(uint16_t cmd)
{
    switch (cmd) {
    case SAM_CMD_RESET:
        return "reset";
    case SAM_CMD_STATUS:
        return "status";
    case SAM_CMD_SAM_ID:
        return "sam_id";
    case SAM_CMD_FIND:
        return "find";
    case SAM_CMD_SELECT:
        return "select";
    case SAM_CMD_READ:
        return "read";
    case SAM_CMD_READ_ADDRESS:
        return "read_address";
    case SAM_CMD_READ_FP:
        return "read_fp";
    case 0x61FF:
        return "set_frame_size";
    default:
        /* Set baud rate is 60 n: the parameter is the rate's index, not part of the name. */
        return (cmd >> 8) == 0x60 ? "set_baud" : "unknown";
    }
}

size_t sam_build_command(uint16_t cmd, const uint8_t *data, size_t data_len, uint8_t *out,
                         size_t cap)
{
    /* LEN counts CMD, PARA, the data and CHK; the receiver would refuse more than SAM_MAX_LEN. */
    if ((data_len && !data) || data_len > SAM_MAX_LEN - 3 || !out)
        return 0;
    size_t len = 3 + data_len;
    size_t total = SAM_HEADER_SIZE + len;
    if (total > cap)
        return 0;
    memcpy(out, sam_preamble, SAM_PREAMBLE_SIZE);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    out[7] = (uint8_t)(cmd >> 8);
    out[8] = (uint8_t)cmd;
    if (data_len)
        memcpy(out + 9, data, data_len);
    uint8_t chk = 0;
    for (size_t i = SAM_PREAMBLE_SIZE; i < total - 1; i++)
        chk ^= out[i];
    out[total - 1] = chk;
    return total;
}

/* ---- receiving ---- */

/*
 * The first index at which p[i..n) could start a preamble: all five bytes match, or the bytes
 * up to the end match its beginning (a preamble split across reads). n if there is none.
 */
static size_t find_start(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < SAM_PREAMBLE_SIZE && i + k < n && p[i + k] == sam_preamble[k])
            k++;
        if (k == SAM_PREAMBLE_SIZE || i + k == n)
            return i;
    }
    return n;
}

/* Removes n bytes from the front; the vacated tail is zeroed so no personal text lingers. */
static void drop(struct sam_rx *rx, size_t n)
{
    if (n > rx->len)
        n = rx->len;
    memmove(rx->buf, rx->buf + n, rx->len - n);
    explicit_bzero(rx->buf + rx->len - n, n);
    rx->len -= n;
}

/* Drops the frame handed out last, then garbage that cannot start a preamble. */
static void compact(struct sam_rx *rx)
{
    if (rx->consumed) {
        drop(rx, rx->consumed);
        rx->consumed = 0;
    }
    size_t garbage = find_start(rx->buf, rx->len);
    if (garbage) {
        drop(rx, garbage);
        rx->skipped += garbage;
    }
}

/* Skips a preamble that led nowhere; what followed it is scanned again as possible garbage. */
static void skip_preamble(struct sam_rx *rx)
{
    drop(rx, SAM_PREAMBLE_SIZE);
    rx->skipped += SAM_PREAMBLE_SIZE;
}

void sam_rx_reset(struct sam_rx *rx)
{
    explicit_bzero(rx, sizeof *rx);
}

uint8_t *sam_rx_space(struct sam_rx *rx)
{
    compact(rx);
    return rx->buf + rx->len;
}

size_t sam_rx_room(struct sam_rx *rx)
{
    compact(rx);
    return sizeof rx->buf - rx->len;
}

void sam_rx_commit(struct sam_rx *rx, size_t n)
{
    size_t room = sizeof rx->buf - rx->len;
    rx->len += n < room ? n : room;
}

size_t sam_rx_push(struct sam_rx *rx, const uint8_t *bytes, size_t n)
{
    size_t room = sam_rx_room(rx);
    if (n > room)
        n = room;
    if (n) {
        memcpy(rx->buf + rx->len, bytes, n);
        rx->len += n;
    }
    return n;
}

static size_t frame_len_field(const uint8_t *header)
{
    return (size_t)header[5] << 8 | header[6];
}

static bool len_ok(size_t len)
{
    return len >= 4 && len <= SAM_MAX_LEN; /* SW1 SW2 SW3 CHK at least */
}

enum sam_rx_result sam_rx_take(struct sam_rx *rx, struct sam_response *out)
{
    compact(rx);
    if (rx->len < SAM_HEADER_SIZE)
        return SAM_RX_NEED_MORE;
    size_t len = frame_len_field(rx->buf);
    if (!len_ok(len)) {
        skip_preamble(rx);
        return SAM_RX_BAD_LENGTH;
    }
    size_t total = SAM_HEADER_SIZE + len;
    if (rx->len < total)
        return SAM_RX_NEED_MORE;
    uint8_t x = 0;
    for (size_t i = SAM_PREAMBLE_SIZE; i < total; i++)
        x ^= rx->buf[i];
    if (x) {
        /* Skip only the preamble: if it was a false one inside garbage, a real frame may be
         * hidden in the bytes it claimed; a damaged real frame is dropped as garbage. */
        skip_preamble(rx);
        return SAM_RX_BAD_CHECKSUM;
    }
    out->sw1 = rx->buf[7];
    out->sw2 = rx->buf[8];
    out->sw3 = rx->buf[9];
    out->data = rx->buf + 10;
    out->data_len = len - 4;
    rx->consumed = total;
    return SAM_RX_FRAME;
}

size_t sam_rx_wanted(const struct sam_rx *rx)
{
    const uint8_t *p = rx->buf + rx->consumed;
    size_t n = rx->len - rx->consumed;
    size_t start = find_start(p, n);
    size_t held = n - start;
    if (held < SAM_HEADER_SIZE)
        return SAM_HEADER_SIZE - held;
    size_t len = frame_len_field(p + start);
    if (!len_ok(len))
        return 0; /* take() reports it now */
    size_t total = SAM_HEADER_SIZE + len;
    return total > held ? total - held : 0;
}

/* ---- status ---- */

static const struct sam_status statuses[] = {
    /* Success. */
    {0x90, BM_OK, BM_FIX_NONE, "success"},
    {0x9F, BM_OK, BM_FIX_NONE, "find card success"},
    /* A normal answer about the card (e.g. no appended address), not a fault. */
    {0x91, BM_ERR_NOT_FOUND, BM_FIX_NONE, "the card has no such item"},
    /* The reader got our frame damaged (line noise): resetting the link recovers. */
    {0x10, BM_ERR_IO, BM_FIX_RESET, "checksum error in the data sent to the reader"},
    {0x11, BM_ERR_IO, BM_FIX_RESET, "length error in the data sent to the reader"},
    /* We sent a command the reader refuses: our bug; a reset gets it back to a known state. */
    {0x21, BM_ERR_INTERNAL, BM_FIX_RESET, "command or parameter logic error"},
    /* Unauthorised operation points at a SAM or reader configuration: a technician. */
    {0x23, BM_ERR_DEVICE, BM_FIX_MAINTENANCE, "unauthorised operation"},
    {0x24, BM_ERR_DEVICE, BM_FIX_RESET, "unrecognised error"},
    /* Card and SAM disagree: the card moved during the read, or it is damaged or forged.
     * The reader is fine; the resident places the card again. */
    {0x31, BM_ERR_IO, BM_FIX_NONE, "card failed to authenticate the SAM"},
    {0x32, BM_ERR_IO, BM_FIX_NONE, "SAM failed to authenticate the card"},
    {0x33, BM_ERR_IO, BM_FIX_NONE, "information verification failed"},
    {0x37, BM_ERR_IO, BM_FIX_NONE, "fingerprint verification error"},
    /* What the card holds is malformed: the card, not the reader. */
    {0x3F, BM_ERR_PARSE, BM_FIX_NONE, "information length error"},
    {0x40, BM_ERR_UNSUPPORTED, BM_FIX_NONE, "unrecognised card type"},
    /* Radio-level read failures: usually the card's position; trying again is the fix. */
    {0x41, BM_ERR_IO, BM_FIX_NONE, "read card failed"},
    {0x47, BM_ERR_IO, BM_FIX_NONE, "get-random failed"},
    /* The SAM itself is broken or not provisioned: no reset helps, a technician must come. */
    {0x60, BM_ERR_DEVICE, BM_FIX_MAINTENANCE, "SAM self-test failed"},
    {0x66, BM_ERR_DEVICE, BM_FIX_MAINTENANCE, "SAM not authorised"},
    /* No card in the field (find), or it left before select. */
    {0x80, BM_ERR_NO_MEDIA, BM_FIX_NONE, "find card failed"},
    {0x81, BM_ERR_NO_MEDIA, BM_FIX_NONE, "select card failed"},
};

/* One entry per possible code, so an unknown code has a static entry that carries its own
 * sw3 (the pointer stays valid forever, on any thread). */
#define UNKNOWN1(n)                                                                                \
    {                                                                                              \
        (n), BM_ERR_DEVICE, BM_FIX_RESET, "unrecognised status code"                               \
    }
#define UNKNOWN4(n)  UNKNOWN1(n), UNKNOWN1((n) + 1), UNKNOWN1((n) + 2), UNKNOWN1((n) + 3)
#define UNKNOWN16(n) UNKNOWN4(n), UNKNOWN4((n) + 4), UNKNOWN4((n) + 8), UNKNOWN4((n) + 12)
#define UNKNOWN64(n) UNKNOWN16(n), UNKNOWN16((n) + 16), UNKNOWN16((n) + 32), UNKNOWN16((n) + 48)
static const struct sam_status unknown_statuses[256] = {UNKNOWN64(0), UNKNOWN64(64), UNKNOWN64(128),
                                                        UNKNOWN64(192)};

const struct sam_status *sam_status_of(uint8_t sw3)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].sw3 == sw3)
            return &statuses[i];
    return &unknown_statuses[sw3];
}

bool sam_response_ok(const struct sam_response *r)
{
    return r && r->sw1 == 0 && r->sw2 == 0 && (r->sw3 == 0x90 || r->sw3 == 0x9F);
}

/* ---- read results ---- */

static size_t be16(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

enum bm_err sam_split_read(const struct sam_response *r, bool with_fingerprint,
                           struct sam_read_parts *out)
{
    if (!r || !out)
        return bm_err_set(BM_ERR_INVALID_ARG, "sam_split_read without a response or parts");
    memset(out, 0, sizeof *out);
    size_t fields = with_fingerprint ? 3 : 2;
    if (r->data_len < 2 * fields || !r->data)
        return bm_err_set(BM_ERR_PARSE, "read response: %zu bytes, too short for %zu length fields",
                          r->data_len, fields);
    size_t text = be16(r->data), photo = be16(r->data + 2);
    size_t fp = with_fingerprint ? be16(r->data + 4) : 0;
    if (text != SAM_TEXT_SIZE)
        return bm_err_set(BM_ERR_PARSE, "read response: text length %zu, expected %d", text,
                          SAM_TEXT_SIZE);
    if (photo != SAM_PHOTO_SIZE && photo != 0)
        return bm_err_set(BM_ERR_PARSE, "read response: photo length %zu, expected %d or 0", photo,
                          SAM_PHOTO_SIZE);
    if (fp != 0 && fp != 512 && fp != 1024)
        return bm_err_set(BM_ERR_PARSE,
                          "read response: fingerprint length %zu, expected 0, "
                          "512 or 1024",
                          fp);
    size_t need = 2 * fields + text + photo + fp;
    if (r->data_len != need)
        return bm_err_set(BM_ERR_PARSE, "read response: %zu data bytes, the length fields say %zu",
                          r->data_len, need);
    const uint8_t *p = r->data + 2 * fields;
    out->text = p;
    out->photo = photo ? p + text : NULL;
    out->photo_len = photo;
    out->fingerprint = fp ? p + text + photo : NULL;
    out->fingerprint_len = fp;
    return BM_OK;
}

/* ---- text ---- */

/* The largest field is the 'I' card's English name: 60 UCS-2 units, at most 3 UTF-8 bytes
 * each; the 'Y' English name is 46 units. */
#define FIELD_UNITS_MAX 60
#define FIELD_TEXT_MAX  (FIELD_UNITS_MAX * 3 + 1)

enum ucs2_result { UCS2_OK, UCS2_SURROGATE, UCS2_CONTROL, UCS2_NO_ROOM };

static unsigned unit_at(const uint8_t *p, size_t i)
{
    return (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
}

static bool is_padding(unsigned u)
{
    return u == 0x0020 || u == 0x0000;
}

/*
 * UCS-2LE units to NUL-terminated UTF-8, with padding (spaces, NULs) trimmed at both ends.
 * A surrogate is refused (the cards hold BMP text only), and so is a control character left
 * inside the text (C0, DEL, C1): it would be a NUL cutting the string or junk on a receipt.
 */
static enum ucs2_result ucs2_to_utf8(const uint8_t *p, size_t units, char *out, size_t cap,
                                     size_t *out_len)
{
    size_t a = 0, b = units, n = 0;
    while (a < b && is_padding(unit_at(p, a)))
        a++;
    while (b > a && is_padding(unit_at(p, b - 1)))
        b--;
    for (size_t i = a; i < b; i++) {
        unsigned u = unit_at(p, i);
        if (u >= 0xD800 && u <= 0xDFFF)
            return UCS2_SURROGATE;
        if (u < 0x20 || (u >= 0x7F && u <= 0x9F))
            return UCS2_CONTROL;
        size_t need = u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
        if (n + need >= cap)
            return UCS2_NO_ROOM;
        if (need == 1) {
            out[n++] = (char)u;
        } else if (need == 2) {
            out[n++] = (char)(0xC0 | u >> 6);
            out[n++] = (char)(0x80 | (u & 0x3F));
        } else {
            out[n++] = (char)(0xE0 | u >> 12);
            out[n++] = (char)(0x80 | (u >> 6 & 0x3F));
            out[n++] = (char)(0x80 | (u & 0x3F));
        }
    }
    out[n] = '\0';
    *out_len = n;
    return UCS2_OK;
}

static const char *const genders[10] = {[0] = "未知", [1] = "男", [2] = "女", [9] = "未说明"};

const char *sam_gender_name(int code)
{
    return code >= 0 && code < 10 ? genders[code] : NULL;
}

/* GB 3304, codes 01-56 in order, then 97 and 98. */
static const char *const nations[] = {
    "汉",     "蒙古",   "回",       "藏",     "维吾尔",   "苗",   "彝",     "壮",
    "布依",   "朝鲜",   "满",       "侗",     "瑶",       "白",   "土家",   "哈尼",
    "哈萨克", "傣",     "黎",       "傈僳",   "佤",       "畲",   "高山",   "拉祜",
    "水",     "东乡",   "纳西",     "景颇",   "柯尔克孜", "土",   "达斡尔", "仫佬",
    "羌",     "布朗",   "撒拉",     "毛南",   "仡佬",     "锡伯", "阿昌",   "普米",
    "塔吉克", "怒",     "乌孜别克", "俄罗斯", "鄂温克",   "德昂", "保安",   "裕固",
    "京",     "塔塔尔", "独龙",     "鄂伦春", "赫哲",     "门巴", "珞巴",   "基诺",
};
#define NATION_COUNT ((int)(sizeof nations / sizeof nations[0]))

const char *sam_nation_name(int code)
{
    if (code >= 1 && code <= NATION_COUNT)
        return nations[code - 1];
    if (code == 97)
        return "其他";
    if (code == 98)
        return "外国血统中国籍人士";
    return NULL;
}

/* How a field is checked and what is stored. */
enum field_kind {
    F_TEXT,      /* any text, required */
    F_TEXT_OPT,  /* may be blank (a foreign card's Chinese name): the slot stays NULL */
    F_GENDER,    /* one digit -> 男/女/... */
    F_NATION,    /* two digits -> GB 3304 name */
    F_DATE,      /* YYYYMMDD */
    F_UNTIL,     /* YYYYMMDD or 长期 */
    F_ID_NUMBER, /* 18 characters, GB 11643 check digit */
    F_PERMIT,    /* a foreign card's number: ASCII capitals and digits */
    F_COUNTRY,   /* ISO 3166 alpha-3 nationality */
    F_DIGITS,    /* an authority code */
};

struct field {
    const char *name; /* for error details */
    uint8_t off, size;
    uint8_t off2, size2; /* a continuation (the 'Y' English name), size2 0 if none */
    enum field_kind kind;
    size_t slot; /* offsetof(struct bm_identity, ...) */
};

#define SLOT(member) offsetof(struct bm_identity, member)

static const struct field resident_fields[] = {
    {"name", 0, 30, 0, 0, F_TEXT, SLOT(name)},
    {"gender", 30, 2, 0, 0, F_GENDER, SLOT(gender)},
    {"nation", 32, 4, 0, 0, F_NATION, SLOT(nation)},
    {"birth date", 36, 16, 0, 0, F_DATE, SLOT(birth_date)},
    {"address", 52, 70, 0, 0, F_TEXT, SLOT(address)},
    {"id number", 122, 36, 0, 0, F_ID_NUMBER, SLOT(id_number)},
    {"issuer", 158, 30, 0, 0, F_TEXT, SLOT(issuer)},
    {"valid from", 188, 16, 0, 0, F_DATE, SLOT(valid_from)},
    {"valid until", 204, 16, 0, 0, F_UNTIL, SLOT(valid_until)},
};

/* The resident layout without the nation; pass number and issue count are not kept. */
static const struct field hmt_fields[] = {
    {"name", 0, 30, 0, 0, F_TEXT, SLOT(name)},
    {"gender", 30, 2, 0, 0, F_GENDER, SLOT(gender)},
    {"birth date", 36, 16, 0, 0, F_DATE, SLOT(birth_date)},
    {"address", 52, 70, 0, 0, F_TEXT, SLOT(address)},
    {"id number", 122, 36, 0, 0, F_ID_NUMBER, SLOT(id_number)},
    {"issuer", 158, 30, 0, 0, F_TEXT, SLOT(issuer)},
    {"valid from", 188, 16, 0, 0, F_DATE, SLOT(valid_from)},
    {"valid until", 204, 16, 0, 0, F_UNTIL, SLOT(valid_until)},
};

/* 'I' (2017): the issuer is the authority's code as the card gives it (e.g. "1500"). */
static const struct field foreign_fields[] = {
    {"english name", 0, 120, 0, 0, F_TEXT, SLOT(name_en)},
    {"gender", 120, 2, 0, 0, F_GENDER, SLOT(gender)},
    {"permit number", 122, 30, 0, 0, F_PERMIT, SLOT(id_number)},
    {"nationality", 152, 6, 0, 0, F_COUNTRY, SLOT(nation)},
    {"chinese name", 158, 30, 0, 0, F_TEXT_OPT, SLOT(name)},
    {"valid from", 188, 16, 0, 0, F_DATE, SLOT(valid_from)},
    {"valid until", 204, 16, 0, 0, F_UNTIL, SLOT(valid_until)},
    {"birth date", 220, 16, 0, 0, F_DATE, SLOT(birth_date)},
    {"issuer code", 240, 8, 0, 0, F_DIGITS, SLOT(issuer)},
};

/* 'Y' (2023), provisional (one source): offsets are the running sum of the spec's field
 * order: Chinese name 30 @0, gender 2 @30, renewal count 4 @32, birth 16 @36, English name
 * 70 @52, ID number 36 @122, reserved 30 @158, valid from 16 @188, valid until 16 @204,
 * English name continued 22 @220, nationality 6 @242, flag 2 @248, old number link 6 @250. */
static const struct field foreign_y_fields[] = {
    {"chinese name", 0, 30, 0, 0, F_TEXT_OPT, SLOT(name)},
    {"gender", 30, 2, 0, 0, F_GENDER, SLOT(gender)},
    {"birth date", 36, 16, 0, 0, F_DATE, SLOT(birth_date)},
    {"english name", 52, 70, 220, 22, F_TEXT, SLOT(name_en)},
    {"id number", 122, 36, 0, 0, F_PERMIT, SLOT(id_number)},
    {"valid from", 188, 16, 0, 0, F_DATE, SLOT(valid_from)},
    {"valid until", 204, 16, 0, 0, F_UNTIL, SLOT(valid_until)},
    {"nationality", 242, 6, 0, 0, F_COUNTRY, SLOT(nation)},
};

struct layout {
    enum bm_id_card_type type;
    const struct field *fields;
    size_t count;
};

#define LAYOUT(t, f)                                                                               \
    {                                                                                              \
        t, f, sizeof f / sizeof f[0]                                                               \
    }
static const struct layout layouts[] = {
    LAYOUT(BM_ID_CARD_RESIDENT, resident_fields),
    LAYOUT(BM_ID_CARD_HMT_RESIDENCE, hmt_fields),
    LAYOUT(BM_ID_CARD_FOREIGN_PERMANENT, foreign_fields),
    LAYOUT(BM_ID_CARD_FOREIGN_PERMANENT_Y, foreign_y_fields),
};

#define FLAG_OFFSET 248

static enum bm_err card_layout(const uint8_t *text, const struct layout **out)
{
    unsigned flag = unit_at(text + FLAG_OFFSET, 0);
    switch (flag) {
    case 0x0000:
    case 0x0020:
        *out = &layouts[0];
        return BM_OK;
    case 'J':
        *out = &layouts[1];
        return BM_OK;
    case 'I':
        *out = &layouts[2];
        return BM_OK;
    case 'Y':
        *out = &layouts[3];
        return BM_OK;
    default:
        return bm_err_set(BM_ERR_UNSUPPORTED, "text block: unknown card type flag U+%04X", flag);
    }
}

/*
 * The field's UCS-2 bytes, joined with its continuation if that is not blank. The name was cut
 * at a fixed width: when the first part is full the cut can fall inside a word, so the parts
 * join directly; otherwise the first part ended at a word and they join with a space.
 */
static size_t gather(const uint8_t *text, const struct field *f, uint8_t *units)
{
    memcpy(units, text + f->off, f->size);
    size_t n = f->size;
    if (!f->size2)
        return n / 2;
    const uint8_t *cont = text + f->off2;
    bool blank = true;
    for (size_t i = 0; i < f->size2 / 2u; i++)
        blank = blank && is_padding(unit_at(cont, i));
    if (blank)
        return n / 2;
    while (n >= 2 && is_padding(unit_at(units, n / 2 - 1)))
        n -= 2;
    if (n < f->size) {
        units[n++] = 0x20;
        units[n++] = 0;
    }
    memcpy(units + n, cont, f->size2);
    return (n + f->size2) / 2;
}

static bool all_in(const char *s, const char *set)
{
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

#define DIGITS   "0123456789"
#define CAPITALS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* The number a string of one or two ASCII digits spells; -1 otherwise. */
static int small_number(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2 || !all_in(s, DIGITS))
        return -1;
    return n == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
}

/* Eight digits of a real calendar date between 1900 and 2199. */
static bool date_ok(const char *s)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 8 || !all_in(s, DIGITS))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[4] - '0') * 10 + (s[5] - '0');
    int d = (s[6] - '0') * 10 + (s[7] - '0');
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* Checks the decoded text s of field f; *value is what to store (s, or a constant name). */
static enum bm_err check_value(const struct field *f, char *s, const char **value)
{
    *value = s;
    switch (f->kind) {
    case F_TEXT:
    case F_TEXT_OPT:
        return BM_OK;
    case F_GENDER:
        *value = sam_gender_name(strlen(s) == 1 ? small_number(s) : -1);
        return *value ? BM_OK : bm_err_set(BM_ERR_PARSE, "%s: unknown code", f->name);
    case F_NATION:
        *value = sam_nation_name(small_number(s));
        return *value ? BM_OK : bm_err_set(BM_ERR_PARSE, "%s: unknown code", f->name);
    case F_UNTIL:
    case F_DATE:
        if (f->kind == F_UNTIL && strcmp(s, "长期") == 0)
            return BM_OK;
        return date_ok(s) ? BM_OK : bm_err_set(BM_ERR_PARSE, "%s: not a YYYYMMDD date", f->name);
    case F_ID_NUMBER:
        if (strlen(s) == 18 && s[17] == 'x')
            s[17] = 'X';
        if (strlen(s) != 18 || !all_in(s, DIGITS "X"))
            return bm_err_set(BM_ERR_PARSE, "%s: not 18 digits", f->name);
        return bm_id_number_valid(s) ? BM_OK : bm_err_set(BM_ERR_PARSE, "id number check digit");
    case F_PERMIT:
        return all_in(s, DIGITS CAPITALS)
                   ? BM_OK
                   : bm_err_set(BM_ERR_PARSE, "%s: not capitals and digits", f->name);
    case F_COUNTRY:
        return strlen(s) == 3 && all_in(s, CAPITALS)
                   ? BM_OK
                   : bm_err_set(BM_ERR_PARSE, "%s: not a three-letter code", f->name);
    case F_DIGITS:
        return all_in(s, DIGITS) ? BM_OK : bm_err_set(BM_ERR_PARSE, "%s: not digits", f->name);
    }
    return bm_err_set(BM_ERR_INTERNAL, "%s: no check", f->name);
}

/* Decodes, checks and stores one field; the stack copies are wiped on every path. */
static enum bm_err decode_field(const uint8_t *text, const struct field *f, struct bm_identity *id)
{
    uint8_t units[2 * FIELD_UNITS_MAX];
    char s[FIELD_TEXT_MAX];
    size_t len = 0;
    enum bm_err err = BM_OK;
    enum ucs2_result r = ucs2_to_utf8(units, gather(text, f, units), s, sizeof s, &len);
    if (r == UCS2_SURROGATE)
        err = bm_err_set(BM_ERR_PARSE, "%s: surrogate (not BMP text)", f->name);
    else if (r == UCS2_CONTROL)
        err = bm_err_set(BM_ERR_PARSE, "%s: control character", f->name);
    else if (r == UCS2_NO_ROOM)
        err = bm_err_set(BM_ERR_INTERNAL, "%s: longer than its buffer", f->name);
    else if (len == 0 && f->kind != F_TEXT_OPT)
        err = bm_err_set(BM_ERR_PARSE, "%s: empty", f->name);
    const char *value = NULL;
    if (err == BM_OK && len)
        err = check_value(f, s, &value);
    if (err == BM_OK && value) {
        struct bm_secbuf **slot = (struct bm_secbuf **)((char *)id + f->slot);
        *slot = bm_secbuf_strdup(value);
        if (!*slot)
            err = bm_err_set(BM_ERR_NO_MEMORY, "%s: no secure buffer", f->name);
    }
    explicit_bzero(units, sizeof units);
    explicit_bzero(s, sizeof s);
    return err;
}

enum bm_err sam_decode_text(const uint8_t text[SAM_TEXT_SIZE], struct bm_identity **out)
{
    if (!out)
        return bm_err_set(BM_ERR_INVALID_ARG, "sam_decode_text without an output");
    *out = NULL;
    if (!text)
        return bm_err_set(BM_ERR_INVALID_ARG, "sam_decode_text without a text block");
    const struct layout *l = NULL;
    enum bm_err err = card_layout(text, &l);
    if (err != BM_OK)
        return err;
    struct bm_identity *id = calloc(1, sizeof *id);
    if (!id)
        return bm_err_set(BM_ERR_NO_MEMORY, "identity");
    id->type = l->type;
    for (size_t i = 0; i < l->count && err == BM_OK; i++)
        err = decode_field(text, &l->fields[i], id);
    /* A foreign resident without a Chinese name goes by the English one. */
    if (err == BM_OK && !id->name && id->name_en) {
        id->name = bm_secbuf_strdup(bm_secbuf_str(id->name_en));
        if (!id->name)
            err = bm_err_set(BM_ERR_NO_MEMORY, "name: no secure buffer");
    }
    if (err != BM_OK) {
        bm_identity_free(id);
        return err;
    }
    *out = id;
    return BM_OK;
}

#define ADDRESS_ENTRY_SIZE 70
#define ADDRESS_ENTRIES    4

size_t sam_decode_appended_address(const uint8_t *data, size_t len, char *out, size_t cap)
{
    if (!out || !cap)
        return 0;
    out[0] = '\0';
    if (!data)
        return 0;
    size_t n = 0;
    for (size_t e = 0; e < ADDRESS_ENTRIES && e * ADDRESS_ENTRY_SIZE < len; e++) {
        size_t off = e * ADDRESS_ENTRY_SIZE;
        size_t size = len - off < ADDRESS_ENTRY_SIZE ? len - off : ADDRESS_ENTRY_SIZE;
        /* Decode in place after a separator; an entry that is blank, not text or does not
         * fit is left out (and its bytes zeroed), the others still count. */
        size_t sep = n ? 1 : 0, got = 0;
        if (n + sep >= cap)
            break;
        enum ucs2_result r = ucs2_to_utf8(data + off, size / 2, out + n + sep, cap - n - sep, &got);
        if (r == UCS2_OK && got) {
            if (sep)
                out[n] = ' ';
            n += sep + got;
        } else {
            explicit_bzero(out + n, cap - n);
        }
    }
    out[n] = '\0';
    return n;
}
