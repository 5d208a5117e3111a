/*
 * fuzz_input_field.c - libFuzzer target for the input-field model: arbitrary bytes typed into
 * fields with each validator, split into insertions at NUL bytes, with 0x7f meaning backspace.
 * Whatever comes in, the field stays well-formed: len == strlen(text), chars within max, the
 * ID rules hold, and a refused insertion changes nothing.
 */
#include "ui/input_field.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const struct bm_input_field *f)
{
    if (strlen(f->text) != f->len || f->chars > f->max_chars || f->len >= sizeof f->text)
        abort();
    if (f->validator == bm_input_id_number_prefix && !bm_input_id_number_prefix(f->text, f->chars))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const bm_input_validator validators[] = {NULL, bm_input_digits_only,
                                                    bm_input_id_number_prefix};
    struct bm_input_field f;
    bm_input_init(&f, data[0] % 80, validators[data[0] % 3]);
    char chunk[64];
    size_t n = 0;
    for (size_t i = 1; i <= size; i++) {
        if (i == size || data[i] == 0 || data[i] == 0x7f || n == sizeof chunk - 1) {
            chunk[n] = '\0';
            if (n > 0) {
                struct bm_input_field before = f;
                if (!bm_input_insert(&f, chunk) && memcmp(&before, &f, sizeof f) != 0)
                    abort();
            }
            n = 0;
            if (i < size && data[i] == 0x7f)
                bm_input_backspace(&f);
            check(&f);
            if (i < size && data[i] != 0 && data[i] != 0x7f)
                chunk[n++] = (char)data[i];
        } else {
            chunk[n++] = (char)data[i];
        }
    }
    bm_input_id_number_complete(f.text);
    bm_input_id_number_x_allowed(&f);
    bm_input_wipe(&f);
    check(&f);
    return 0;
}
