/*
 * screens.h - the resident screens: view-models in, pixels and intents out.
 *
 * A screen is two functions over a view-model (vm) struct that the flow fills: draw it with a
 * struct bm_ui, and list its tappable elements (name, rectangle, intent). Hit-testing a touch
 * or a click is a lookup in that list, so the flow, tests and scripted journeys ("tap
 * home.quick.social_security") all use the same geometry the screen drew. A screen never
 * calls a device or a service, and never keeps state between calls: everything it shows comes
 * in the vm (names from config and the catalog are data and are shown as given; the screen's
 * own words go through _() in the current language, which the flow sets to match vm.lang).
 *
 * Main thread only.
 */
#ifndef BM_SCREENS_SCREENS_H
#define BM_SCREENS_SCREENS_H

#include "core/i18n.h"
#include "ui/input_field.h"
#include "ui/ui.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What a tap asks the flow to do. index says which category / quick entry. */
enum bm_intent_kind {
    BM_INTENT_NONE = 0,
    BM_INTENT_START,    /* attract: a resident touched the screen */
    BM_INTENT_ID_CARD,  /* home: "swipe your ID card" (show how / start reading) */
    BM_INTENT_CATEGORY, /* home: category tile `index` */
    BM_INTENT_QUICK,    /* home: quick entry `index` */
    BM_INTENT_NOTICE,   /* home: the notice strip */
    BM_INTENT_HELP,     /* call a person */
    BM_INTENT_HOTLINE,  /* show the hotline */
    BM_INTENT_ELDERLY,  /* switch elderly mode */
    BM_INTENT_LANGUAGE, /* switch between Chinese and English */
    BM_INTENT_VOICE,    /* switch spoken guidance on or off */
    BM_INTENT_BACK,     /* one screen back */
    BM_INTENT_HOME,     /* to the home screen, the session goes on */
    BM_INTENT_SERVICE,  /* a service `index` of the list shown */
    BM_INTENT_CONTINUE, /* "are you still there?": yes, go on */
    BM_INTENT_END,      /* end the session now (its data is wiped) */
    BM_INTENT_CLOSE,    /* close the dialog over the screen (screens/overlay.h) */
    BM_INTENT_PAGE,     /* page a list or a guide: index -1 back, +1 on */
    BM_INTENT_APPLY,    /* guide: start the service shown (开始办理) */
    BM_INTENT_KEY,      /* an on-screen key: index the character typed, or a BM_KEY_* action */
    BM_INTENT_SUBMIT,   /* the screen's primary action on what was typed (progress: query) */
    BM_INTENT_EDIT,     /* back to typing (progress: correct the number, query another) */
};

/* BM_INTENT_KEY's index for keys that type nothing. */
enum { BM_KEY_BACKSPACE = -1, BM_KEY_DONE = -2 };

struct bm_intent {
    enum bm_intent_kind kind;
    int index;
};

/* A tappable element. The name is stable across languages: "home.help", "home.quick.<id>". */
#define BM_SCREEN_NAME_MAX 48
struct bm_screen_element {
    char name[BM_SCREEN_NAME_MAX];
    SDL_Rect rect;
    struct bm_intent intent;
};
#define BM_SCREEN_MAX_ELEMENTS 32

/* The kiosk itself (from config). */
struct bm_kiosk_info {
    const char *name;     /* 幸福街道党群服务中心 */
    const char *location; /* 一楼大厅 */
    const char *hotline;  /* 12345 */
};

/* ---- attract: the idle screen between residents ---------------------------------------- */

struct bm_attract_vm {
    struct bm_kiosk_info kiosk;
    struct tm now; /* local time; the flow redraws when the minute changes */
    enum bm_lang lang;
    const char *notice; /* one line from the catalog, or NULL */
    bool elderly;       /* elderly mode (a kiosk that starts in it): larger, fewer words */
};

void bm_attract_draw(struct bm_ui *ui, const struct bm_attract_vm *vm);
/* Fills out (up to cap) with the screen's elements; returns how many there are. */
size_t bm_attract_elements(struct bm_ui *ui, const struct bm_attract_vm *vm,
                           struct bm_screen_element *out, size_t cap);
/* The intent at (x, y) (BM_INTENT_NONE if none); *name, if given, the element's name or "". */
struct bm_intent bm_attract_hit(struct bm_ui *ui, const struct bm_attract_vm *vm, int x, int y,
                                const char **name);

/* ---- home: the first screen of a session ---------------------------------------------- */

#define BM_HOME_MAX_CATEGORIES 3
#define BM_HOME_MAX_QUICK      12

struct bm_home_category {
    const char *id;    /* stable catalog id, used in the element name; NULL = index */
    const char *title; /* 政务办理 */
    const char *subtitle; /* 户籍 · 证照 · 不动产 · 企业开办 · 出入境 (wraps to two lines) */
    const char *glyph; /* one character for the badge: 政 */
    enum bm_theme_hue hue;
};

struct bm_home_quick {
    const char *id;
    const char *label; /* 社保查询 */
    const char *glyph; /* 社 */
    enum bm_theme_hue hue;
    bool unavailable; /* a device it needs is out of order: shown greyed, still tappable */
};

struct bm_home_vm {
    struct bm_kiosk_info kiosk;
    struct tm now;
    enum bm_lang lang;
    const struct bm_home_category *categories;
    size_t category_count; /* at most BM_HOME_MAX_CATEGORIES are shown */
    const struct bm_home_quick *quick;
    size_t quick_count;  /* at most BM_HOME_MAX_QUICK are shown, four a row (six, three a row,
                            in elderly mode) */
    const char *notice;  /* or NULL: the strip is left out */
    bool elderly_on;     /* elderly mode: fewer, larger items; the button shows the state */
    bool voice_on;       /* spoken guidance: the voice button shows the state */
    const char *pressed; /* the element under a finger ("home.help"), drawn pressed; or NULL */
};

void bm_home_draw(struct bm_ui *ui, const struct bm_home_vm *vm);
size_t bm_home_elements(struct bm_ui *ui, const struct bm_home_vm *vm,
                        struct bm_screen_element *out, size_t cap);
struct bm_intent bm_home_hit(struct bm_ui *ui, const struct bm_home_vm *vm, int x, int y,
                             const char **name);

/* ---- progress: where an application stands (办件进度查询) --------------------------------- */

/* What the screen shows below the number. */
enum bm_progress_phase {
    BM_PROGRESS_ENTRY,     /* typing the number (the digit pad shows while vm.keyboard) */
    BM_PROGRESS_QUERYING,  /* asked; the answer is on its way */
    BM_PROGRESS_FOUND,     /* the centre's answer: vm.result */
    BM_PROGRESS_NOT_FOUND, /* not at the centre (yet) */
    BM_PROGRESS_OFFLINE,   /* the kiosk cannot reach the centre */
    BM_PROGRESS_BUSY,      /* the centre asked to wait: vm.retry_after_s */
    BM_PROGRESS_ERROR,     /* an answer that made no sense */
};

/* An application's state in the resident's words (the API's eight map onto these). */
enum bm_progress_state {
    BM_PROGRESS_RECEIVED,    /* received (also: materials still on their way from the kiosk) */
    BM_PROGRESS_IN_PROGRESS, /* a case worker has it */
    BM_PROGRESS_NEEDS_MORE,  /* something is missing: the note says what */
    BM_PROGRESS_APPROVED,
    BM_PROGRESS_REJECTED, /* the note gives the reason */
    BM_PROGRESS_READY,    /* ready to collect */
    BM_PROGRESS_DONE,
};

struct bm_progress_result {
    enum bm_progress_state state;
    struct tm since;     /* local date it reached this state */
    const char *service; /* the service's title from the catalog, or NULL */
    const char *note;    /* the case worker's note in the session's language, or NULL */
};

struct bm_progress_vm {
    struct bm_kiosk_info kiosk;
    struct tm now;
    enum bm_lang lang;
    bool elderly;  /* fewer, larger things: the layout and the words get plainer */
    bool voice_on; /* spoken guidance: the bar's voice button shows the state */
    enum bm_progress_phase phase;
    const char *digits; /* the digits typed after the fixed "BM" (at most 14) */
    /* The digit pad's field (keys it would refuse are off); NULL hides the pad. */
    const struct bm_input_field *field;
    bool number_invalid;              /* 14 digits that are not a number (no such date): say so */
    bool scanner;                     /* a barcode scanner works: "or scan the receipt's QR code" */
    struct bm_progress_result result; /* BM_PROGRESS_FOUND */
    unsigned retry_after_s;           /* BM_PROGRESS_BUSY */
    uint32_t ms;                      /* time now, for the querying bar's sweep */
    const char *pressed;              /* the element under a finger, or NULL */
};

void bm_progress_screen_draw(struct bm_ui *ui, const struct bm_progress_vm *vm);
/* Elements: progress.key.<0-9>, progress.key.backspace, progress.key.done (the pad),
 * progress.field, progress.query, progress.retry, progress.edit; the page frame of the browse
 * screens: progress.back (top left), progress.home (top right), and the shared bar's
 * progress.help, .hotline, .elderly, .voice, .language. */
size_t bm_progress_screen_elements(struct bm_ui *ui, const struct bm_progress_vm *vm,
                                   struct bm_screen_element *out, size_t cap);
/* What the answer says aloud (voice guidance): the state and what to do next, or why there is
 * no answer and the way on; the program's words only, never the note or the number. "" while
 * typing or querying. Returns the length. */
size_t bm_progress_screen_spoken(struct bm_ui *ui, const struct bm_progress_vm *vm, char *buf,
                                 size_t size);
/* When the screen next needs a frame (the querying bar), -1 for none. */
int bm_progress_screen_next_frame_ms(const struct bm_progress_vm *vm);

/* ---- shared -------------------------------------------------------------------------- */

/* The element named name in list (NULL if absent). */
const struct bm_screen_element *bm_screen_find(const struct bm_screen_element *list, size_t count,
                                               const char *name);

/* The first element of list containing (x, y): its intent (BM_INTENT_NONE if none), and
 * *name if given (its name, or "" for none; valid until the next hit). */
struct bm_intent bm_screen_hit(const struct bm_screen_element *list, size_t count, int x, int y,
                               const char **name);

/* "09:30" */
void bm_screen_format_time(const struct tm *t, char *buf, size_t size);
/* "2026年11月29日 星期日" in Chinese, "Sunday, 29 November 2026" in English. */
void bm_screen_format_date(const struct tm *t, enum bm_lang lang, char *buf, size_t size);

#endif
