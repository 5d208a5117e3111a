/*
 * overlay.h - the dialogs drawn over whatever screen shows: "are you still there?" with its
 * countdown, the offer of elderly mode to a resident aged 65 or more, help, the hotline, how
 * to swipe an ID card, and the notice of the home screen's strip.
 *
 * Like a screen, an overlay is a pure function of its view-model: it dims the screen drawn
 * before it and draws one card, and lists its buttons as named elements. While an overlay
 * shows, its buttons are the only elements: a touch anywhere else on the dimmed screen hits
 * nothing, so a resident cannot end or leave something by accident. All four share one card
 * style: an icon, a title, a short message, what the dialog is about in large (the countdown,
 * the hotline with a QR code to call it from a phone) and at most three large buttons, the
 * primary one first. Portrait stacks them; landscape puts the large part beside the words.
 *
 * Main thread only.
 */
#ifndef BM_SCREENS_OVERLAY_H
#define BM_SCREENS_OVERLAY_H

#include "screens/screens.h"

#include <stdint.h>

enum bm_overlay {
    BM_OVERLAY_NONE = 0,
    BM_OVERLAY_STILL_THERE,   /* no touch for a while: a countdown, continue or end */
    BM_OVERLAY_ELDERLY_OFFER, /* a resident aged 65+: elderly mode, staff, or no thanks */
    BM_OVERLAY_HELP,          /* call a person: the hotline (no video call yet) */
    BM_OVERLAY_HOTLINE,       /* the hotline, large, with a QR code to call it */
    BM_OVERLAY_ID_CARD,       /* how to swipe an ID card (or that the reader is out) */
    BM_OVERLAY_NOTICE,        /* the notice strip's notice, whole */
    BM_OVERLAY_COUNT
};

struct bm_overlay_vm {
    enum bm_overlay kind;
    enum bm_lang lang;
    bool elderly;        /* elderly mode: plainer, shorter words */
    const char *hotline; /* the kiosk's hotline ("12345"); NULL or "" if it has none */
    bool reader_out;     /* id_card: the card reader is out of order */
    /* notice: the notice's title and body (catalog data, shown as given; body may be NULL) */
    const char *notice_title, *notice_body;
    /* still_there: the countdown, in the same milliseconds as ms (SDL_GetTicks) */
    uint32_t deadline_ms, total_ms, ms;
    const char *pressed; /* the element under a finger, drawn pressed; or NULL */
};

/* "still_there", "elderly_offer", "help", "hotline", "id_card", "notice" ("" for none):
 * element prefixes, logs. */
const char *bm_overlay_name(enum bm_overlay kind);

/* Dims the whole window and draws the dialog over it (after the screen behind). */
void bm_overlay_draw(struct bm_ui *ui, const struct bm_overlay_vm *vm);

/*
 * The dialog's buttons (and nothing else); returns how many there are:
 * still_there.continue (BM_INTENT_CONTINUE), still_there.end (BM_INTENT_END);
 * elderly_offer.on (BM_INTENT_ELDERLY), elderly_offer.help (BM_INTENT_HELP),
 * elderly_offer.no (BM_INTENT_CLOSE); help.close, hotline.close (BM_INTENT_CLOSE);
 * id_card.close (BM_INTENT_CLOSE), and id_card.help (BM_INTENT_HELP) when the reader is out;
 * notice.close (BM_INTENT_CLOSE).
 */
size_t bm_overlay_elements(struct bm_ui *ui, const struct bm_overlay_vm *vm,
                           struct bm_screen_element *out, size_t cap);

/* The "tel:" URI the QR code holds for hotline: digits and + only ("tel:057112345"). */
void bm_overlay_tel_uri(const char *hotline, char *buf, size_t size);

#endif
