/*
 * id_reader.c - the ID card reader class: the typed read command over device.c, and the
 * identity helpers (free, copy, check digit, age, expiry). See id_reader.h.
 *
 * The read command copies its parameters to the heap and hands them to bm_device_submit; the
 * deliver function casts the caller's callback back to its real type. Identities are only ever
 * held in secure buffers; a copy is a new set of secure buffers, never a plain string.
 *
 * Threads: bm_id_reader_read from the main thread; the helpers from any thread.
 */
#include "driver.h"
#include "id_reader.h"

#include <stdlib.h>
#include <string.h>

const char *bm_id_card_type_name(enum bm_id_card_type type)
{
    static const char *const names[BM_ID_CARD_TYPE_COUNT] = {
        "resident", "hmt_residence", "foreign_permanent", "foreign_permanent_2023"};
    return (unsigned)type < BM_ID_CARD_TYPE_COUNT ? names[type] : "unknown";
}

/* Every secure-buffer field of an identity, so free and dup cannot forget one. */
static struct bm_secbuf **field(struct bm_identity *id, unsigned i)
{
    struct bm_secbuf **fields[] = {&id->name,       &id->name_en,    &id->gender,
                                   &id->nation,     &id->birth_date, &id->address,
                                   &id->id_number,  &id->issuer,     &id->valid_from,
                                   &id->valid_until, &id->photo_wlt, &id->photo_rgb};
    return i < sizeof fields / sizeof fields[0] ? fields[i] : NULL;
}

void bm_identity_free(struct bm_identity *id)
{
    if (!id)
        return;
    struct bm_secbuf **f;
    for (unsigned i = 0; (f = field(id, i)); i++)
        bm_secbuf_free(*f);
    free(id);
}

struct bm_identity *bm_identity_dup(const struct bm_identity *src)
{
    if (!src)
        return NULL;
    struct bm_identity *id = calloc(1, sizeof *id);
    if (!id)
        return NULL;
    id->type = src->type;
    struct bm_identity *s = (struct bm_identity *)src; /* field() only reads it here */
    struct bm_secbuf **from, **to;
    for (unsigned i = 0; (from = field(s, i)); i++) {
        if (!*from)
            continue;
        to = field(id, i);
        size_t cap = bm_secbuf_capacity(*from);
        *to = bm_secbuf_new(cap);
        if (!*to || bm_secbuf_assign(*to, bm_secbuf_cdata(*from), bm_secbuf_len(*from)) != BM_OK) {
            bm_identity_free(id);
            return NULL;
        }
    }
    return id;
}

/* ---- the read command ---- */

static void deliver_identity(const struct bm_completion *c, void *result, void (*fn)(void),
                             void *ud)
{
    ((bm_id_read_done_fn)fn)(c, result, ud);
}

static void free_identity(void *p)
{
    bm_identity_free(p);
}

enum bm_err bm_id_reader_read(struct bm_device *dev, const struct bm_id_read_params *p,
                              bm_id_read_done_fn done, void *ud, uint64_t *id)
{
    if (!done)
        return bm_err_set(BM_ERR_INVALID_ARG, "bm_id_reader_read without a callback");
    struct bm_id_read_params *args = malloc(sizeof *args);
    if (!args)
        return bm_err_set(BM_ERR_NO_MEMORY, "id read");
    if (p)
        *args = *p;
    else
        memset(args, 0, sizeof *args);
    struct bm_submit s = {
        .cls = BM_CLASS_ID_READER,
        .op = BM_OP_ID_READ,
        .args = args,
        .args_free = free,
        .result_free = free_identity,
        .deliver = deliver_identity,
        .fn = (void (*)(void))done,
        .ud = ud,
    };
    return bm_device_submit(dev, &s, id);
}

enum bm_err bm_id_reader_get_caps(const struct bm_device *dev, struct bm_id_reader_caps *out)
{
    return bm_device_get_caps(dev, BM_CLASS_ID_READER, out, sizeof *out);
}

/* ---- pure helpers ---- */

char bm_id_check_digit(const char *first17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!first17)
        return '\0';
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9')
            return '\0';
        sum += (first17[i] - '0') * weights[i];
    }
    return check[sum % 11];
}

bool bm_id_number_valid(const char *s)
{
    if (!s || strlen(s) != 18)
        return false;
    char c = bm_id_check_digit(s);
    char last = s[17] == 'x' ? 'X' : s[17];
    return c != '\0' && c == last;
}

/* Parses "YYYYMMDD" into y/m/d; false if it is not 8 digits of a plausible date. */
static bool parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) < 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[4] - '0') * 10 + (s[5] - '0');
    *d = (s[6] - '0') * 10 + (s[7] - '0');
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

static void local_date(time_t now, int *y, int *m, int *d)
{
    struct tm tm;
    localtime_r(&now, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

int bm_identity_age(const struct bm_identity *id, time_t now)
{
    int by, bmo, bd, y, m, d;
    if (!id || !id->birth_date || !parse_date(bm_secbuf_str(id->birth_date), &by, &bmo, &bd))
        return -1;
    local_date(now, &y, &m, &d);
    int age = y - by;
    if (m < bmo || (m == bmo && d < bd))
        age--;
    return age < 0 ? -1 : age;
}

bool bm_identity_expired(const struct bm_identity *id, time_t now)
{
    int vy, vm, vd, y, m, d;
    if (!id || !id->valid_until)
        return false;
    const char *until = bm_secbuf_str(id->valid_until);
    if (strcmp(until, "长期") == 0)
        return false;
    if (!parse_date(until, &vy, &vm, &vd))
        return true; /* unreadable validity: do not treat the card as valid */
    local_date(now, &y, &m, &d);
    long today = (long)y * 10000 + m * 100 + d;
    long last = (long)vy * 10000 + vm * 100 + vd;
    return today > last;
}
