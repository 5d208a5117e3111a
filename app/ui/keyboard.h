/*
 * keyboard.h - on-screen keyboards, a toolkit widget: a digit pad, an ID-number pad (digits
 * and X), Latin letters, and Chinese pinyin with a candidate bar that pages.
 *
 * Physical keyboards are not assumed. The keyboard is drawn across the bottom of the window
 * (portrait 1080x1920 or landscape 1920x1080) from a small view-model (struct bm_kbd_vm) and
 * lists its keys as named elements with rectangles, exactly as the screens do, so a tap, a
 * test and a scripted journey ("tap kbd.key.5") use the geometry that was drawn:
 *   kbd.key.<c>   a character key: kbd.key.5, kbd.key.a (types A with shift), kbd.key.X,
 *                 kbd.key.apostrophe (the pinyin syllable separator)
 *   kbd.backspace kbd.space kbd.shift kbd.done
 *   kbd.switch    Latin <-> pinyin
 *   kbd.cand.<i>  candidate i (0-based) of the current page; kbd.prev_page, kbd.next_page
 * Every key is at least the theme's minimum target (15 mm at the configured dpi). A key the
 * field would refuse now (the ID pad's X before the 18th place, any digit after it) is drawn
 * quiet and is not listed, so it cannot be hit. The key under a finger (vm.pressed) is drawn
 * pressed, so feedback comes with the next frame. Nothing depends on hover.
 *
 * The widget types into a struct bm_input_field (ui/input_field.h) through bm_kbd_apply; the
 * pinyin layout's letters go to the input method instead (services/ime.h), whose preedit and
 * candidate page the caller puts in the vm. The widget never calls a service.
 *
 * Main thread only.
 */
#ifndef BM_UI_KEYBOARD_H
#define BM_UI_KEYBOARD_H

#include "ui/input_field.h"
#include "ui/ui.h"

#include <stdbool.h>
#include <stddef.h>

enum bm_kbd_layout {
    BM_KBD_DIGITS,    /* 0-9: phone numbers, codes */
    BM_KBD_ID_NUMBER, /* 0-9 and X: a resident identity card number */
    BM_KBD_LATIN,     /* digits and a-z, with shift */
    BM_KBD_PINYIN,    /* a-z into the input method, with a candidate bar */
};

enum bm_kbd_action {
    BM_KBD_NONE = 0,
    BM_KBD_TEXT,      /* type key.text */
    BM_KBD_BACKSPACE, /* delete the last pinyin letter, or else the last character */
    BM_KBD_SPACE,     /* a space; in pinyin while composing, the first candidate */
    BM_KBD_SHIFT,     /* Latin: capitals on / off */
    BM_KBD_SWITCH,    /* Latin <-> pinyin */
    BM_KBD_DONE,      /* the field is finished: hide the keyboard */
    BM_KBD_CANDIDATE, /* pick candidate key.index of the current page */
    BM_KBD_PREV_PAGE,
    BM_KBD_NEXT_PAGE,
};

#define BM_KBD_NAME_MAX 32
#define BM_KBD_MAX_KEYS 64
#define BM_KBD_PAGE_MAX 6 /* candidates shown on one page */

struct bm_kbd_key {
    char name[BM_KBD_NAME_MAX]; /* kbd.key.a */
    SDL_Rect rect;
    enum bm_kbd_action action;
    char text[8]; /* BM_KBD_TEXT: what it types ("a", "A", "5", "X", "'") */
    int index;    /* BM_KBD_CANDIDATE: the candidate's place on the page */
};

struct bm_kbd_vm {
    enum bm_kbd_layout layout;
    const struct bm_input_field *field; /* keys it would refuse are shown off; NULL: none */
    const char *pressed;                /* name of the key under a finger now, or NULL */
    bool shift;                         /* Latin: the letter keys type capitals */
    /* Pinyin: false when the input method could not start (the bar says so, letters are off,
     * the switch to Latin letters stays). */
    bool pinyin_available;
    const char *preedit;           /* the pinyin so far ("ni hao"), or NULL */
    const char *const *candidates; /* this page's candidates */
    size_t candidate_count;        /* at most BM_KBD_PAGE_MAX are shown */
    bool has_prev_page, has_next_page;
    /* Where the keyboard goes: across the bottom of this rectangle (a screen keeps its bottom
     * bar, or puts the pad beside its content in landscape). Empty (w or h 0): the window. */
    SDL_Rect area;
};

/* The keyboard's rectangle: the full width of vm->area (the window) at its bottom edge. A
 * screen lays its content out above rect.y. */
SDL_Rect bm_kbd_rect(struct bm_ui *ui, const struct bm_kbd_vm *vm);

void bm_kbd_draw(struct bm_ui *ui, const struct bm_kbd_vm *vm);

/* Fills out (up to cap) with the live keys; returns how many there are. */
size_t bm_kbd_keys(struct bm_ui *ui, const struct bm_kbd_vm *vm, struct bm_kbd_key *out,
                   size_t cap);

/* The key at (x, y), or one with action BM_KBD_NONE and an empty name. */
struct bm_kbd_key bm_kbd_hit(struct bm_ui *ui, const struct bm_kbd_vm *vm, int x, int y);

/*
 * Applies a key that edits the field directly (text, space, backspace); the digit, ID and
 * Latin layouts need nothing else. Returns whether the field changed. Other actions (and
 * pinyin letters, which belong to the input method) return false.
 */
bool bm_kbd_apply(const struct bm_kbd_key *key, struct bm_input_field *field);

#endif
