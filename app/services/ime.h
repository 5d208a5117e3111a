/*
 * ime.h - Chinese pinyin input through librime (luna_pinyin_simp), for the on-screen pinyin
 * keyboard.
 *
 * Letters go in one at a time; out come the preedit (the pinyin typed so far, as librime
 * segments it) and a page of candidates; picking one commits its text, which the caller
 * takes with bm_ime_take_commit and puts into an input field. The data is deployed at build
 * or install time by tools/rime-deploy.sh into a private directory under the kiosk's state
 * (never at start): only luna_pinyin_simp, with its user dictionary off, so nothing residents
 * type is learned or stored. bm_ime_reset ends a resident's composition and wipes our copies.
 *
 * librime is a process-wide engine: at most one bm_ime is open at a time. A missing or broken
 * deployment is not fatal: bm_ime_open fails with a clear error and the flow shows the pinyin
 * keyboard as unavailable. librime's own log is limited to errors, which carry no typed text.
 *
 * Main thread only (each key takes well under a millisecond).
 */
#ifndef BM_SERVICES_IME_H
#define BM_SERVICES_IME_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

struct bm_ime;

struct bm_ime_options {
    const char *user_data_dir;   /* deployed by tools/rime-deploy.sh; required */
    const char *shared_data_dir; /* NULL: /usr/share/rime-data */
};

/* Candidates on one page (the deployment sets librime's page size to 6). */
#define BM_IME_PAGE_MAX 10
#define BM_IME_TEXT_MAX 64

/* What the keyboard shows. */
struct bm_ime_view {
    char preedit[BM_IME_TEXT_MAX]; /* "ni hao"; empty when nothing is being composed */
    char candidates[BM_IME_PAGE_MAX][BM_IME_TEXT_MAX];
    size_t count;  /* candidates on this page */
    int page;      /* 0-based */
    bool has_prev; /* page > 0 */
    bool has_next; /* librime has more candidates after this page */
};

/*
 * Starts librime on a deployed directory and opens a session on luna_pinyin_simp.
 * BM_ERR_NOT_FOUND if the directory has no deployed schema; BM_ERR_BUSY if another bm_ime is
 * open; BM_ERR_UNSUPPORTED if librime cannot select the schema.
 */
enum bm_err bm_ime_open(const struct bm_ime_options *opts, struct bm_ime **out);
void bm_ime_close(struct bm_ime *ime);

/* One letter a-z (or ' to separate syllables). false if librime did not take it. */
bool bm_ime_key(struct bm_ime *ime, char letter);
/* Deletes the last pinyin letter; false if nothing was being composed (then the caller
 * deletes from its field instead). */
bool bm_ime_backspace(struct bm_ime *ime);
/* Next / previous candidate page; false if there is none. */
bool bm_ime_page(struct bm_ime *ime, bool forward);
/* Picks candidate index of the current page. Whatever is committed waits for
 * bm_ime_take_commit. false if there is no such candidate. */
bool bm_ime_pick(struct bm_ime *ime, size_t index);
/* Commits the pinyin letters as typed (the space / "done" key with no candidate chosen). */
bool bm_ime_commit_raw(struct bm_ime *ime);
/* Copies text committed since the last call into buf (NUL-terminated) and forgets it;
 * returns its length (0 if none). Text longer than buf is cut at a character boundary. */
size_t bm_ime_take_commit(struct bm_ime *ime, char *buf, size_t size);
/* Whether letters are being composed (the preedit is not empty). */
bool bm_ime_composing(const struct bm_ime *ime);
/* The current preedit and candidate page. */
void bm_ime_get_view(struct bm_ime *ime, struct bm_ime_view *out);

/* Session end: drops the composition and librime's session, zeroes our copies of what was
 * typed, and makes the next resident's session at once (about 30 ms here rather than on their
 * first key). */
void bm_ime_reset(struct bm_ime *ime);

#endif
