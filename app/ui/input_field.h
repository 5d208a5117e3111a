/*
 * input_field.h - the text a resident is typing: UTF-8 text with the cursor at its end, a
 * maximum length in characters and a validator that refuses what the field may not hold.
 *
 * The on-screen keyboards (ui/keyboard.h) type into one; a form screen shows field->text. The
 * field owns its bytes, so bm_input_wipe can zero them when the session ends (what a resident
 * types is personal data). Physical keyboards are not assumed: text arrives a key or a
 * committed pinyin phrase at a time. Main thread only.
 */
#ifndef BM_UI_INPUT_FIELD_H
#define BM_UI_INPUT_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#define BM_INPUT_MAX_BYTES 256

/* Whether text (the whole content the field would hold after an edit, `chars` characters)
 * is allowed. Called before every insertion; a refused insertion leaves the field as it was. */
typedef bool (*bm_input_validator)(const char *text, size_t chars);

struct bm_input_field {
    char text[BM_INPUT_MAX_BYTES]; /* NUL-terminated UTF-8 */
    size_t len;                    /* bytes in text */
    size_t chars;                  /* characters (code points) in text */
    size_t max_chars;              /* at most this many characters */
    bm_input_validator validator;  /* NULL: anything up to max_chars */
};

/* An empty field of at most max_chars characters (0 or too many for the buffer: as many as
 * fit in the worst case, BM_INPUT_MAX_BYTES / 4 - 1). */
void bm_input_init(struct bm_input_field *f, size_t max_chars, bm_input_validator validator);

/* Appends utf8 at the cursor (the end). false, and nothing changes, if utf8 is not valid
 * UTF-8, would pass max_chars or the buffer, or the validator refuses the result. */
bool bm_input_insert(struct bm_input_field *f, const char *utf8);

/* Removes the last character; false if the field was empty. */
bool bm_input_backspace(struct bm_input_field *f);

/* Zeroes the text (session end); keeps max_chars and the validator. */
void bm_input_wipe(struct bm_input_field *f);

/* Validators. */
/* Digits 0-9 only. */
bool bm_input_digits_only(const char *text, size_t chars);
/*
 * A resident identity card number (GB 11643) as it is being typed: up to 17 digits, then a
 * final digit or X. An X anywhere else, a lowercase x, or more than 18 characters is refused.
 */
bool bm_input_id_number_prefix(const char *text, size_t chars);

/* Whether an ID pad key would be accepted next: is an 'X' allowed now (only as the 18th). */
bool bm_input_id_number_x_allowed(const struct bm_input_field *f);

/* A complete 18-character ID number whose check character (ISO 7064 MOD 11-2) is right. */
bool bm_input_id_number_complete(const char *text);

#endif
