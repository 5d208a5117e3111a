/*
 * input_field.c - the model behind a text field: bounded UTF-8 with the cursor at the end, a
 * validator consulted before every insertion, and the ID-number rules (17 digits, then a
 * digit or X, checked with ISO 7064 MOD 11-2 when complete).
 */
#include "ui/input_field.h"

#include <string.h>

/* Counts the code points of s[0..len) if it is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF); returns (size_t)-1 otherwise. */
static size_t utf8_count(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t extra;
        unsigned cp;
        if (c < 0x80) {
            extra = 0;
            cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return (size_t)-1;
        }
        if (i + extra >= len && extra > 0) /* cut short */
            return (size_t)-1;
        for (size_t k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return (size_t)-1;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return (size_t)-1;
        i += extra + 1;
        n++;
    }
    return n;
}

void bm_input_init(struct bm_input_field *f, size_t max_chars, bm_input_validator validator)
{
    memset(f, 0, sizeof *f);
    size_t cap = BM_INPUT_MAX_BYTES / 4 - 1;
    f->max_chars = max_chars == 0 || max_chars > cap ? cap : max_chars;
    f->validator = validator;
}

bool bm_input_insert(struct bm_input_field *f, const char *utf8)
{
    size_t add = strlen(utf8);
    if (add == 0 || f->len + add >= sizeof f->text)
        return false;
    size_t add_chars = utf8_count(utf8, add);
    if (add_chars == (size_t)-1 || f->chars + add_chars > f->max_chars)
        return false;
    char next[BM_INPUT_MAX_BYTES];
    memcpy(next, f->text, f->len);
    memcpy(next + f->len, utf8, add);
    next[f->len + add] = '\0';
    bool ok = !f->validator || f->validator(next, f->chars + add_chars);
    if (ok) {
        memcpy(f->text, next, f->len + add + 1);
        f->len += add;
        f->chars += add_chars;
    }
    memset(next, 0, sizeof next); /* what was typed does not linger on the stack */
    return ok;
}

bool bm_input_backspace(struct bm_input_field *f)
{
    if (f->len == 0)
        return false;
    size_t i = f->len - 1;
    while (i > 0 && ((unsigned char)f->text[i] & 0xC0) == 0x80)
        i--;
    memset(f->text + i, 0, f->len - i);
    f->len = i;
    f->chars--;
    return true;
}

void bm_input_wipe(struct bm_input_field *f)
{
    memset(f->text, 0, sizeof f->text);
    f->len = 0;
    f->chars = 0;
}

bool bm_input_digits_only(const char *text, size_t chars)
{
    (void)chars;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

bool bm_input_id_number_prefix(const char *text, size_t chars)
{
    if (chars > 18 || strlen(text) != chars)
        return false;
    for (size_t i = 0; i < chars; i++) {
        bool digit = text[i] >= '0' && text[i] <= '9';
        if (!digit && !(i == 17 && text[i] == 'X'))
            return false;
    }
    return true;
}

bool bm_input_id_number_x_allowed(const struct bm_input_field *f)
{
    return f->chars == 17 && f->max_chars >= 18 && bm_input_id_number_prefix(f->text, f->chars);
}

bool bm_input_id_number_complete(const char *text)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    if (strlen(text) != 18 || !bm_input_id_number_prefix(text, 18))
        return false;
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (text[i] - '0') * weight[i];
    return text[17] == check[sum % 11];
}
