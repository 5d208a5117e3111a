/*
 * sam_model.c - the emulated SAM ID card reader: frame parser, command state machine, fault
 * injection and a reply queue with time-based readiness. See sam_model.h.
 *
 * Design: host bytes collect in `in` until a whole frame is there (garbage before a preamble is
 * skipped and counted); each frame produces at most one reply, built whole into the reply
 * queue, then altered by the armed faults (CHK flipped, garbage prefix, cut, pieces, delay).
 * Reads hand out bytes only from replies whose time has come, and only one piece at a time
 * for a split reply. Nothing here does I/O, so the model behaves the same behind every
 * transport. Card state follows the spec's sequence: find -> select -> read; after a
 * successful read the card must leave the field (or be re-presented) before find succeeds.
 *
 * Threads: any; one mutex per model.
 */
#include "sam_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IN_CAP 8192
#define MAX_LEN 4096 /* largest LEN the model accepts before answering 11 */
#define MAX_REPLIES 32
#define MAX_FAULTS 8
#define GARBAGE_MAX 64

static const uint8_t preamble[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

struct reply {
    uint8_t *bytes;
    size_t len, off;
    size_t header_end; /* garbage + preamble + LEN */
    size_t piece;      /* 0: whole */
    unsigned gap_ms;
    int64_t ready_at; /* monotonic ms */
};

struct fault {
    int kind; /* enum sam_model_cmd or ANY */
    uint8_t sw3;
    int count; /* < 0 forever, 0 unused */
};

struct sam_model {
    pthread_mutex_t mu;
    uint8_t in[IN_CAP];
    size_t in_len;

    struct reply q[MAX_REPLIES];
    size_t q_head, q_n;

    /* the card */
    bool present, found, selected, used;
    uint8_t text[SAM_MODEL_TEXT_SIZE], photo[SAM_MODEL_PHOTO_SIZE], fp[SAM_MODEL_FP_MAX];
    size_t fp_len;
    uint8_t addr[SAM_MODEL_ADDR_MAX][SAM_MODEL_ADDR_ENTRY];
    int n_addr;
    uint8_t sam_id[SAM_MODEL_SAM_ID_SIZE];

    /* faults */
    struct fault faults[MAX_FAULTS];
    bool remove_armed;
    enum sam_model_removal remove_how;
    size_t cut_at;
    int bad_chk;
    size_t split_piece;
    unsigned split_gap;
    uint8_t garbage[GARBAGE_MAX];
    size_t garbage_n;
    int silent_after;
    unsigned delay_ms;

    struct sam_model_stats st;
    enum sam_model_cmd last_kind;
    uint16_t last_cmd;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- text encoding (the model's own; UTF-8 BMP -> UCS-2LE, space padded) ---- */

static void put_field(uint8_t *block, size_t off, size_t size, const char *utf8)
{
    for (size_t i = 0; i + 2 <= size; i += 2) {
        block[off + i] = 0x20;
        block[off + i + 1] = 0x00;
    }
    if (!utf8)
        return;
    const unsigned char *s = (const unsigned char *)utf8;
    size_t pos = 0;
    while (*s && pos + 2 <= size) {
        unsigned cp;
        if (*s < 0x80) {
            cp = *s++;
        } else if ((*s & 0xE0) == 0xC0 && s[1]) {
            cp = (unsigned)(*s & 0x1F) << 6 | (s[1] & 0x3F);
            s += 2;
        } else if ((*s & 0xF0) == 0xE0 && s[1] && s[2]) {
            cp = (unsigned)(*s & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
            s += 3;
        } else {
            cp = '?'; /* outside the BMP or broken: not on a card */
            s++;
            while ((*s & 0xC0) == 0x80)
                s++;
        }
        block[off + pos] = (uint8_t)(cp & 0xFF);
        block[off + pos + 1] = (uint8_t)(cp >> 8);
        pos += 2;
    }
}

/* Characters of a UTF-8 string up to byte offset: where the first `chars` characters end. */
static const char *skip_chars(const char *s, size_t chars)
{
    while (*s && chars > 0) {
        s++;
        while ((*s & 0xC0) == 0x80)
            s++;
        chars--;
    }
    return s;
}

void sam_model_text_block(const struct sam_model_card *c, uint8_t out[SAM_MODEL_TEXT_SIZE])
{
    put_field(out, 0, SAM_MODEL_TEXT_SIZE, NULL);
    switch (c->type) {
    case SAM_MODEL_CARD_RESIDENT:
    case SAM_MODEL_CARD_J:
        put_field(out, 0, 30, c->name);
        put_field(out, 30, 2, c->gender);
        put_field(out, 32, 4, c->type == SAM_MODEL_CARD_RESIDENT ? c->nation : NULL);
        put_field(out, 36, 16, c->birth);
        put_field(out, 52, 70, c->address);
        put_field(out, 122, 36, c->id_number);
        put_field(out, 158, 30, c->authority);
        put_field(out, 188, 16, c->valid_from);
        put_field(out, 204, 16, c->valid_until);
        if (c->type == SAM_MODEL_CARD_J) {
            put_field(out, 220, 18, c->pass_number);
            put_field(out, 238, 4, c->issue_count);
            put_field(out, 248, 2, "J");
        }
        break;
    case SAM_MODEL_CARD_I:
        put_field(out, 0, 120, c->name_en);
        put_field(out, 120, 2, c->gender);
        put_field(out, 122, 30, c->id_number);
        put_field(out, 152, 6, c->nationality);
        put_field(out, 158, 30, c->name);
        put_field(out, 188, 16, c->valid_from);
        put_field(out, 204, 16, c->valid_until);
        put_field(out, 220, 16, c->birth);
        put_field(out, 236, 4, c->card_version);
        put_field(out, 240, 8, c->authority);
        put_field(out, 248, 2, "I");
        break;
    case SAM_MODEL_CARD_Y:
        put_field(out, 0, 30, c->name);
        put_field(out, 30, 2, c->gender);
        put_field(out, 32, 4, c->issue_count);
        put_field(out, 36, 16, c->birth);
        put_field(out, 52, 70, c->name_en);
        put_field(out, 122, 36, c->id_number);
        put_field(out, 188, 16, c->valid_from);
        put_field(out, 204, 16, c->valid_until);
        if (c->name_en)
            put_field(out, 220, 22, skip_chars(c->name_en, 35));
        put_field(out, 242, 6, c->nationality);
        put_field(out, 248, 2, "Y");
        put_field(out, 250, 6, c->old_link);
        break;
    }
}

char sam_model_id_check(const char *first17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9')
            return '?';
        sum += (first17[i] - '0') * w[i];
    }
    return "10X98765432"[sum % 11];
}

static const struct sam_model_card presets[SAM_MODEL_PRESET_COUNT] = {
    [SAM_MODEL_PRESET_RESIDENT_34] = {
        .type = SAM_MODEL_CARD_RESIDENT, .name = "李试民", .gender = "2", .nation = "01",
        .birth = "19920101", .address = "测试省样例市示范区便民路1号", .id_number =
        "990101199201010021", .authority = "样例市公安局示范分局", .valid_from = "20200601",
        .valid_until = "20400601"},
    [SAM_MODEL_PRESET_RESIDENT_72] = {
        .type = SAM_MODEL_CARD_RESIDENT, .name = "王长青", .gender = "1", .nation = "03",
        .birth = "19540101", .address = "测试省样例县青山镇松树村3组12号", .id_number =
        "99010119540101001X", .authority = "样例县公安局", .valid_from = "20150808",
        .valid_until = "长期", .appended = {"测试省样例县青山镇新街8号"}, .fp_len = 1024},
    [SAM_MODEL_PRESET_EXPIRED] = {
        .type = SAM_MODEL_CARD_RESIDENT, .name = "赵过期", .gender = "1", .nation = "01",
        .birth = "19800615", .address = "测试省样例市旧城区老街5号", .id_number =
        "990102198006150039", .authority = "样例市公安局旧城分局", .valid_from = "20060301",
        .valid_until = "20160301"},
    [SAM_MODEL_PRESET_PERMIT_J] = {
        .type = SAM_MODEL_CARD_J, .name = "陈港澳", .gender = "2", .birth = "19950505",
        .address = "测试省样例市示范区海景路9号", .id_number = "990101199505050049",
        .authority = "样例市公安局", .valid_from = "20210310", .valid_until = "20260310",
        .pass_number = "H99999999", .issue_count = "01"},
    [SAM_MODEL_PRESET_FOREIGN_I] = {
        .type = SAM_MODEL_CARD_I, .name_en = "SPECIMEN, ANNA MARIA", .gender = "2",
        .id_number = "UTO999985030360", .nationality = "UTO", .name = "安测试",
        .valid_from = "20190401", .valid_until = "20290401", .birth = "19850303",
        .card_version = "20", .authority = "9900"},
    [SAM_MODEL_PRESET_FOREIGN_Y] = {
        .type = SAM_MODEL_CARD_Y, .name = "艾样本", .gender = "1", .issue_count = "00",
        .birth = "19900101",
        .name_en = "SPECIMEN-EXAMPLE, ALEXANDER JONATHAN WILLIAMS",
        .id_number = "999999199001010059", .valid_from = "20240105",
        .valid_until = "20340105", .nationality = "UTO", .old_link = ""},
};

const struct sam_model_card *sam_model_preset(enum sam_model_preset p)
{
    if ((int)p < 0 || p >= SAM_MODEL_PRESET_COUNT)
        return NULL;
    return &presets[p];
}

/* ---- frames ---- */

size_t sam_model_build_command(uint16_t cmd_para, const uint8_t *data, size_t n, uint8_t *out,
                               size_t cap)
{
    size_t len = 2 + n + 1;
    if (len > MAX_LEN || 7 + len > cap)
        return 0;
    memcpy(out, preamble, 5);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    out[7] = (uint8_t)(cmd_para >> 8);
    out[8] = (uint8_t)cmd_para;
    if (n)
        memcpy(out + 9, data, n);
    uint8_t x = 0;
    for (size_t i = 5; i < 7 + len - 1; i++)
        x ^= out[i];
    out[7 + len - 1] = x;
    return 7 + len;
}

long sam_model_parse_reply(const uint8_t *buf, size_t n, uint8_t *sw3, const uint8_t **data,
                           size_t *data_len)
{
    for (size_t i = 0; i < 5 && i < n; i++)
        if (buf[i] != preamble[i])
            return -1;
    if (n < 7)
        return 0;
    size_t len = (size_t)buf[5] << 8 | buf[6];
    if (len < 4)
        return -1;
    if (n < 7 + len)
        return 0;
    uint8_t x = 0;
    for (size_t i = 5; i < 7 + len; i++)
        x ^= buf[i];
    if (x != 0)
        return -1;
    if (sw3)
        *sw3 = buf[9];
    if (data)
        *data = buf + 10;
    if (data_len)
        *data_len = len - 4;
    return (long)(7 + len);
}

/* ---- model ---- */

static void make_photo(struct sam_model *m)
{
    /* deterministic bytes derived from the text block: "WLf" then an xorshift stream */
    uint32_t s = 2166136261u;
    for (size_t i = 0; i < SAM_MODEL_TEXT_SIZE; i++)
        s = (s ^ m->text[i]) * 16777619u;
    m->photo[0] = 'W';
    m->photo[1] = 'L';
    m->photo[2] = 'f';
    for (size_t i = 3; i < SAM_MODEL_PHOTO_SIZE; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        m->photo[i] = (uint8_t)s;
    }
    for (size_t i = 0; i < SAM_MODEL_FP_MAX; i++)
        m->fp[i] = (uint8_t)(m->photo[i] ^ 0x5A);
}

struct sam_model *sam_model_new(void)
{
    struct sam_model *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    pthread_mutex_init(&m->mu, NULL);
    for (int i = 0; i < SAM_MODEL_SAM_ID_SIZE; i++)
        m->sam_id[i] = (uint8_t)(0x05 + i * 0x11);
    m->silent_after = -1;
    m->last_kind = SAM_MODEL_CMD_UNKNOWN;
    return m;
}

static void free_reply(struct reply *r)
{
    free(r->bytes);
    memset(r, 0, sizeof *r);
}

static void drop_output_locked(struct sam_model *m)
{
    while (m->q_n) {
        free_reply(&m->q[m->q_head]);
        m->q_head = (m->q_head + 1) % MAX_REPLIES;
        m->q_n--;
    }
}

void sam_model_free(struct sam_model *m)
{
    if (!m)
        return;
    drop_output_locked(m);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* Queues one reply frame: SW1 SW2 SW3, data parts, CHK; then applies the output faults. */
static void queue_reply(struct sam_model *m, uint8_t sw3, const uint8_t *d1, size_t n1,
                        const uint8_t *d2, size_t n2)
{
    if (m->q_n == MAX_REPLIES) { /* the host never reads: forget the oldest */
        free_reply(&m->q[m->q_head]);
        m->q_head = (m->q_head + 1) % MAX_REPLIES;
        m->q_n--;
    }
    size_t len = 3 + n1 + n2 + 1;
    size_t g = m->garbage_n;
    size_t total = g + 7 + len;
    uint8_t *b = malloc(total);
    if (!b)
        abort();
    memcpy(b, m->garbage, g);
    uint8_t *f = b + g;
    memcpy(f, preamble, 5);
    f[5] = (uint8_t)(len >> 8);
    f[6] = (uint8_t)len;
    f[7] = 0;
    f[8] = 0;
    f[9] = sw3;
    if (n1)
        memcpy(f + 10, d1, n1);
    if (n2)
        memcpy(f + 10 + n1, d2, n2);
    uint8_t x = 0;
    for (size_t i = 5; i < 7 + len - 1; i++)
        x ^= f[i];
    if (m->bad_chk > 0) {
        x ^= 0x5A;
        m->bad_chk--;
    }
    f[7 + len - 1] = x;
    m->garbage_n = 0;

    struct reply *r = &m->q[(m->q_head + m->q_n) % MAX_REPLIES];
    r->bytes = b;
    r->len = total;
    r->off = 0;
    r->header_end = g + 7;
    r->piece = m->split_piece;
    r->gap_ms = m->split_gap;
    m->split_piece = 0;
    m->split_gap = 0;
    r->ready_at = now_ms() + m->delay_ms;
    m->q_n++;
    m->st.replies++;
}

static void reply_sw3(struct sam_model *m, uint8_t sw3)
{
    queue_reply(m, sw3, NULL, 0, NULL, 0);
}

static enum sam_model_cmd kind_of(uint16_t cp, size_t body_len)
{
    switch (cp) {
    case 0x10FF:
        return SAM_MODEL_CMD_RESET;
    case 0x11FF:
        return SAM_MODEL_CMD_STATUS;
    case 0x12FF:
        return SAM_MODEL_CMD_SAM_ID;
    case 0x2001:
        return SAM_MODEL_CMD_FIND;
    case 0x2002:
        return SAM_MODEL_CMD_SELECT;
    case 0x3001:
        return SAM_MODEL_CMD_READ;
    case 0x3003:
        return SAM_MODEL_CMD_READ_ADDRESS;
    case 0x3010:
        return SAM_MODEL_CMD_READ_FP;
    case 0x61FF:
        return body_len == 3 ? SAM_MODEL_CMD_SET_FRAME : SAM_MODEL_CMD_UNKNOWN;
    default:
        if ((cp >> 8) == 0x60 && (cp & 0xFF) <= 4 && body_len == 2)
            return SAM_MODEL_CMD_SET_BAUD;
        return SAM_MODEL_CMD_UNKNOWN;
    }
}

static void do_read(struct sam_model *m, bool with_fp)
{
    if (!m->present || !m->selected) {
        reply_sw3(m, 0x41);
        return;
    }
    if (m->remove_armed && m->remove_how == SAM_MODEL_REMOVE_ANSWER_41) {
        m->remove_armed = false;
        m->present = m->found = m->selected = m->used = false;
        reply_sw3(m, 0x41);
        return;
    }
    uint8_t lens[6] = {0x01, 0x00, 0x04, 0x00, (uint8_t)(m->fp_len >> 8), (uint8_t)m->fp_len};
    uint8_t *blob = malloc(SAM_MODEL_TEXT_SIZE + SAM_MODEL_PHOTO_SIZE + SAM_MODEL_FP_MAX + 6);
    if (!blob)
        abort();
    size_t n = 0;
    memcpy(blob, lens, with_fp ? 6 : 4);
    n += with_fp ? 6 : 4;
    memcpy(blob + n, m->text, SAM_MODEL_TEXT_SIZE);
    n += SAM_MODEL_TEXT_SIZE;
    if (with_fp) {
        memcpy(blob + n, m->photo, SAM_MODEL_PHOTO_SIZE);
        n += SAM_MODEL_PHOTO_SIZE;
        queue_reply(m, 0x90, blob, n, m->fp, m->fp_len);
    } else {
        queue_reply(m, 0x90, blob, n, m->photo, SAM_MODEL_PHOTO_SIZE);
    }
    free(blob);
    if (m->remove_armed && m->remove_how == SAM_MODEL_REMOVE_CUT) {
        /* the card left mid-transfer: the rest of this reply never comes */
        struct reply *r = &m->q[(m->q_head + m->q_n - 1) % MAX_REPLIES];
        if (m->cut_at < r->len)
            r->len = m->cut_at;
        m->remove_armed = false;
        m->present = m->found = m->selected = m->used = false;
        return;
    }
    m->used = true;
    m->st.reads_ok++;
}

static void handle_frame(struct sam_model *m, const uint8_t *body, size_t body_len, bool chk_ok)
{
    enum sam_model_cmd kind;
    uint16_t cp = 0;
    if (!chk_ok || body_len < 2) {
        kind = SAM_MODEL_CMD_BAD_FRAME;
    } else {
        cp = (uint16_t)(body[0] << 8 | body[1]);
        kind = kind_of(cp, body_len);
    }
    m->st.cmds[kind]++;
    m->last_kind = kind;
    m->last_cmd = cp;

    if (m->silent_after == 0) {
        m->st.silenced++;
        return;
    }
    if (m->silent_after > 0)
        m->silent_after--;

    if (kind == SAM_MODEL_CMD_BAD_FRAME) {
        reply_sw3(m, chk_ok ? 0x11 : 0x10);
        return;
    }
    for (int i = 0; i < MAX_FAULTS; i++) {
        struct fault *f = &m->faults[i];
        if (f->count != 0 && (f->kind == SAM_MODEL_CMD_ANY || f->kind == (int)kind)) {
            if (f->count > 0)
                f->count--;
            reply_sw3(m, f->sw3);
            return;
        }
    }

    switch (kind) {
    case SAM_MODEL_CMD_RESET:
        m->found = m->selected = false;
        reply_sw3(m, 0x90);
        break;
    case SAM_MODEL_CMD_STATUS:
        reply_sw3(m, 0x90);
        break;
    case SAM_MODEL_CMD_SAM_ID:
        queue_reply(m, 0x90, m->sam_id, SAM_MODEL_SAM_ID_SIZE, NULL, 0);
        break;
    case SAM_MODEL_CMD_FIND: {
        static const uint8_t four[4] = {0, 0, 0, 0};
        if (m->present && !m->used) {
            m->found = true;
            m->selected = false;
            queue_reply(m, 0x9F, four, 4, NULL, 0);
        } else {
            reply_sw3(m, 0x80);
        }
        break;
    }
    case SAM_MODEL_CMD_SELECT: {
        static const uint8_t eight[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        if (m->present && m->found) {
            m->selected = true;
            queue_reply(m, 0x90, eight, 8, NULL, 0);
        } else {
            reply_sw3(m, 0x81);
        }
        break;
    }
    case SAM_MODEL_CMD_READ:
        do_read(m, false);
        break;
    case SAM_MODEL_CMD_READ_FP:
        do_read(m, true);
        break;
    case SAM_MODEL_CMD_READ_ADDRESS:
        if (!m->present || !m->selected)
            reply_sw3(m, 0x41);
        else if (m->n_addr == 0)
            reply_sw3(m, 0x91);
        else
            queue_reply(m, 0x90, &m->addr[0][0], (size_t)m->n_addr * SAM_MODEL_ADDR_ENTRY, NULL,
                        0);
        break;
    case SAM_MODEL_CMD_SET_BAUD:
        m->st.baud_index = cp & 0xFF;
        reply_sw3(m, 0x90);
        break;
    case SAM_MODEL_CMD_SET_FRAME:
        m->st.frame_size = body[2];
        reply_sw3(m, 0x90);
        break;
    default:
        reply_sw3(m, 0x21);
        break;
    }
}

/* Finds the next preamble (or a preamble prefix at the end); drops what comes before it. */
static void skip_garbage(struct sam_model *m)
{
    size_t i = 0;
    for (; i < m->in_len; i++) {
        size_t k = 0;
        while (k < 5 && i + k < m->in_len && m->in[i + k] == preamble[k])
            k++;
        if (k == 5 || i + k == m->in_len)
            break;
    }
    if (i) {
        m->st.garbage_in += i;
        memmove(m->in, m->in + i, m->in_len - i);
        m->in_len -= i;
    }
}

static void consume(struct sam_model *m, size_t n)
{
    memmove(m->in, m->in + n, m->in_len - n);
    m->in_len -= n;
}

static void parse_input(struct sam_model *m)
{
    for (;;) {
        skip_garbage(m);
        if (m->in_len < 7)
            return;
        size_t len = (size_t)m->in[5] << 8 | m->in[6];
        if (len < 3 || len > MAX_LEN) {
            handle_frame(m, NULL, 0, true); /* length error: 11 */
            consume(m, 7);
            continue;
        }
        if (m->in_len < 7 + len)
            return;
        uint8_t x = 0;
        for (size_t i = 5; i < 7 + len; i++)
            x ^= m->in[i];
        handle_frame(m, m->in + 7, len - 1, x == 0);
        consume(m, 7 + len);
    }
}

void sam_model_host_write(struct sam_model *m, const uint8_t *bytes, size_t n)
{
    pthread_mutex_lock(&m->mu);
    m->st.bytes_in += n;
    while (n > 0) {
        size_t room = IN_CAP - m->in_len;
        size_t k = n < room ? n : room;
        memcpy(m->in + m->in_len, bytes, k);
        m->in_len += k;
        bytes += k;
        n -= k;
        parse_input(m);
        if (m->in_len == IN_CAP) /* cannot happen with LEN <= MAX_LEN; stay safe */
            m->in_len = 0;
    }
    pthread_mutex_unlock(&m->mu);
}

void sam_model_host_discard_input(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    m->in_len = 0;
    pthread_mutex_unlock(&m->mu);
}

size_t sam_model_host_read_part(struct sam_model *m, uint8_t *buf, size_t cap,
                                enum sam_model_part part)
{
    size_t got = 0;
    pthread_mutex_lock(&m->mu);
    int64_t t = now_ms();
    while (got < cap && m->q_n) {
        struct reply *r = &m->q[m->q_head];
        if (r->off >= r->len) {
            free_reply(r);
            m->q_head = (m->q_head + 1) % MAX_REPLIES;
            m->q_n--;
            continue;
        }
        if (t < r->ready_at)
            break;
        size_t lo = r->off, hi = r->len;
        if (part == SAM_MODEL_PART_HEADER && hi > r->header_end)
            hi = r->header_end;
        if (part == SAM_MODEL_PART_BODY && lo < r->header_end)
            break;
        if (lo >= hi)
            break;
        size_t k = hi - lo;
        if (k > cap - got)
            k = cap - got;
        if (r->piece && k > r->piece)
            k = r->piece;
        memcpy(buf + got, r->bytes + lo, k);
        got += k;
        r->off += k;
        if (r->piece) {
            r->ready_at = t + r->gap_ms;
            break; /* one piece per read */
        }
        if (part != SAM_MODEL_PART_ANY)
            break; /* never run on into the next reply's header */
    }
    m->st.bytes_out += got;
    pthread_mutex_unlock(&m->mu);
    return got;
}

size_t sam_model_host_read(struct sam_model *m, uint8_t *buf, size_t cap)
{
    return sam_model_host_read_part(m, buf, cap, SAM_MODEL_PART_ANY);
}

size_t sam_model_pending(struct sam_model *m)
{
    size_t n = 0;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->q_n; i++) {
        struct reply *r = &m->q[(m->q_head + i) % MAX_REPLIES];
        n += r->len - r->off;
    }
    pthread_mutex_unlock(&m->mu);
    return n;
}

int sam_model_next_ready_ms(struct sam_model *m)
{
    int ms = -1;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->q_n; i++) {
        struct reply *r = &m->q[(m->q_head + i) % MAX_REPLIES];
        if (r->off < r->len) {
            int64_t d = r->ready_at - now_ms();
            ms = d <= 0 ? 0 : (int)d;
            break;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return ms;
}

void sam_model_drop_output(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    drop_output_locked(m);
    pthread_mutex_unlock(&m->mu);
}

/* ---- cards ---- */

void sam_model_insert_raw(struct sam_model *m, const uint8_t text[SAM_MODEL_TEXT_SIZE],
                          const uint8_t *photo, const uint8_t *fp, size_t fp_len)
{
    pthread_mutex_lock(&m->mu);
    memcpy(m->text, text, SAM_MODEL_TEXT_SIZE);
    make_photo(m);
    if (photo)
        memcpy(m->photo, photo, SAM_MODEL_PHOTO_SIZE);
    if (fp_len > SAM_MODEL_FP_MAX)
        fp_len = SAM_MODEL_FP_MAX;
    if (fp && fp_len)
        memcpy(m->fp, fp, fp_len);
    m->fp_len = fp_len;
    m->n_addr = 0;
    m->present = true;
    m->found = m->selected = m->used = false;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_insert_card(struct sam_model *m, const struct sam_model_card *c)
{
    uint8_t text[SAM_MODEL_TEXT_SIZE];
    sam_model_text_block(c, text);
    sam_model_insert_raw(m, text, NULL, NULL, 0);
    pthread_mutex_lock(&m->mu);
    m->fp_len = c->fp_len > SAM_MODEL_FP_MAX ? SAM_MODEL_FP_MAX : c->fp_len;
    for (int i = 0; i < SAM_MODEL_ADDR_MAX && c->appended[i]; i++) {
        put_field(m->addr[i], 0, SAM_MODEL_ADDR_ENTRY, c->appended[i]);
        m->n_addr = i + 1;
    }
    pthread_mutex_unlock(&m->mu);
}

void sam_model_insert_preset(struct sam_model *m, enum sam_model_preset p)
{
    const struct sam_model_card *c = sam_model_preset(p);
    if (c)
        sam_model_insert_card(m, c);
}

void sam_model_remove_card(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    m->present = m->found = m->selected = m->used = false;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_represent_card(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    m->found = m->selected = m->used = false;
    pthread_mutex_unlock(&m->mu);
}

bool sam_model_card_present(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    bool p = m->present;
    pthread_mutex_unlock(&m->mu);
    return p;
}

bool sam_model_card_photo(struct sam_model *m, uint8_t out[SAM_MODEL_PHOTO_SIZE])
{
    pthread_mutex_lock(&m->mu);
    bool p = m->present;
    if (p)
        memcpy(out, m->photo, SAM_MODEL_PHOTO_SIZE);
    pthread_mutex_unlock(&m->mu);
    return p;
}

void sam_model_set_sam_id(struct sam_model *m, const uint8_t id[SAM_MODEL_SAM_ID_SIZE])
{
    pthread_mutex_lock(&m->mu);
    memcpy(m->sam_id, id, SAM_MODEL_SAM_ID_SIZE);
    pthread_mutex_unlock(&m->mu);
}

/* ---- faults ---- */

void sam_model_fault_sw3(struct sam_model *m, enum sam_model_cmd kind, uint8_t sw3, int count)
{
    pthread_mutex_lock(&m->mu);
    for (int i = 0; i < MAX_FAULTS; i++) {
        if (m->faults[i].count == 0) {
            m->faults[i] = (struct fault){.kind = kind, .sw3 = sw3, .count = count};
            break;
        }
    }
    pthread_mutex_unlock(&m->mu);
}

void sam_model_fault_remove_during_read(struct sam_model *m, enum sam_model_removal how,
                                        size_t cut_at)
{
    pthread_mutex_lock(&m->mu);
    m->remove_armed = true;
    m->remove_how = how;
    m->cut_at = cut_at;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_fault_bad_checksum(struct sam_model *m, int count)
{
    pthread_mutex_lock(&m->mu);
    m->bad_chk = count;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_fault_split(struct sam_model *m, size_t piece, unsigned gap_ms)
{
    pthread_mutex_lock(&m->mu);
    m->split_piece = piece;
    m->split_gap = gap_ms;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_fault_garbage(struct sam_model *m, const uint8_t *bytes, size_t n)
{
    pthread_mutex_lock(&m->mu);
    if (n > GARBAGE_MAX)
        n = GARBAGE_MAX;
    memcpy(m->garbage, bytes, n);
    m->garbage_n = n;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_fault_silent_after(struct sam_model *m, int k)
{
    pthread_mutex_lock(&m->mu);
    m->silent_after = k;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_set_delay_ms(struct sam_model *m, unsigned ms)
{
    pthread_mutex_lock(&m->mu);
    m->delay_ms = ms;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_clear_faults(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    memset(m->faults, 0, sizeof m->faults);
    m->remove_armed = false;
    m->bad_chk = 0;
    m->split_piece = 0;
    m->split_gap = 0;
    m->garbage_n = 0;
    m->silent_after = -1;
    m->delay_ms = 0;
    pthread_mutex_unlock(&m->mu);
}

/* ---- what happened ---- */

void sam_model_get_stats(struct sam_model *m, struct sam_model_stats *out)
{
    pthread_mutex_lock(&m->mu);
    *out = m->st;
    pthread_mutex_unlock(&m->mu);
}

void sam_model_reset_stats(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    memset(&m->st, 0, sizeof m->st);
    pthread_mutex_unlock(&m->mu);
}

enum sam_model_cmd sam_model_last_kind(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    enum sam_model_cmd k = m->last_kind;
    pthread_mutex_unlock(&m->mu);
    return k;
}

uint16_t sam_model_last_command(struct sam_model *m)
{
    pthread_mutex_lock(&m->mu);
    uint16_t c = m->last_cmd;
    pthread_mutex_unlock(&m->mu);
    return c;
}

const char *sam_model_cmd_name(enum sam_model_cmd kind)
{
    static const char *const names[SAM_MODEL_CMD_COUNT] = {
        "reset", "status", "sam-id", "find", "select", "read",
        "read-address", "read-fp", "set-baud", "set-frame", "unknown", "bad-frame"};
    if ((int)kind < 0 || kind >= SAM_MODEL_CMD_COUNT)
        return "any";
    return names[kind];
}
