/*
 * ime.c - the pinyin input method on librime: the one file that includes rime_api.h.
 *
 * librime keeps a process-wide engine (setup once per process, initialize/finalize around
 * use) and sessions inside it. We run one session for the resident at the keyboard, feed it
 * X keysyms (letters as ASCII, BackSpace, Page_Up/Down, Return to commit the letters as
 * typed), read its context after each key and keep a copy of the view and of committed text
 * until the caller takes it. Nothing is deployed here (no maintenance is started): the sessions
 * read what tools/rime-deploy.sh compiled into user_data_dir/build, so start takes about a
 * millisecond.
 */
#include "services/ime.h"

#include <errno.h>
#include <rime_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA "luna_pinyin_simp"

/* X keysyms librime understands. */
enum {
    KEY_BACKSPACE = 0xff08,
    KEY_RETURN = 0xff0d,
    KEY_PAGE_UP = 0xff55,
    KEY_PAGE_DOWN = 0xff56,
};

struct bm_ime {
    RimeApi *rime;
    RimeSessionId session; /* 0: none yet (made on the next key) */
    bool composing;
    char commit[BM_IME_TEXT_MAX * 4]; /* committed, not yet taken */
    size_t commit_len;
    bool closing; /* reset without a next session */
};

static bool engine_set_up; /* librime's setup (logging, traits) may run once per process */
static bool engine_open;

/* Appends what librime committed (if anything) to ime->commit, whole characters only. */
static void collect_commit(struct bm_ime *ime)
{
    RIME_STRUCT(RimeCommit, commit);
    if (!ime->rime->get_commit(ime->session, &commit))
        return;
    size_t len = commit.text ? strlen(commit.text) : 0;
    size_t room = sizeof ime->commit - 1 - ime->commit_len;
    if (len > room) {
        len = room;
        while (len > 0 && ((unsigned char)commit.text[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(ime->commit + ime->commit_len, commit.text, len);
    ime->commit_len += len;
    ime->commit[ime->commit_len] = '\0';
    ime->rime->free_commit(&commit);
}

static void refresh_composing(struct bm_ime *ime)
{
    RIME_STRUCT(RimeContext, ctx);
    ime->composing = false;
    if (ime->session && ime->rime->get_context(ime->session, &ctx)) {
        ime->composing = ctx.composition.length > 0;
        ime->rime->free_context(&ctx);
    }
}

static bool ensure_session(struct bm_ime *ime)
{
    if (ime->session && ime->rime->find_session(ime->session))
        return true;
    ime->session = ime->rime->create_session();
    if (!ime->session)
        return false;
    if (!ime->rime->select_schema(ime->session, SCHEMA)) {
        ime->rime->destroy_session(ime->session);
        ime->session = 0;
        return false;
    }
    /* Simplified characters, Chinese mode: the schema's defaults, stated so they hold. */
    ime->rime->set_option(ime->session, "ascii_mode", False);
    return true;
}

static bool send_key(struct bm_ime *ime, int keysym)
{
    if (!ensure_session(ime))
        return false;
    bool taken = ime->rime->process_key(ime->session, keysym, 0);
    collect_commit(ime);
    refresh_composing(ime);
    return taken;
}

/* A deployment librime reads but cannot use (a damaged schema or dictionary) selects fine and
 * then offers nothing: try one letter. */
static bool offers_candidates(struct bm_ime *ime)
{
    bool ok = false;
    RIME_STRUCT(RimeContext, ctx);
    if (ime->rime->process_key(ime->session, 'a', 0) &&
        ime->rime->get_context(ime->session, &ctx)) {
        ok = ctx.menu.num_candidates > 0;
        ime->rime->free_context(&ctx);
    }
    ime->rime->clear_composition(ime->session);
    return ok;
}

enum bm_err bm_ime_open(const struct bm_ime_options *opts, struct bm_ime **out)
{
    *out = NULL;
    if (!opts || !opts->user_data_dir || !*opts->user_data_dir)
        return bm_err_set(BM_ERR_INVALID_ARG, "ime: no user_data_dir");
    if (engine_open)
        return bm_err_set(BM_ERR_BUSY, "ime: librime is already open in this process");
    const char *shared = opts->shared_data_dir ? opts->shared_data_dir : "/usr/share/rime-data";
    char probe[4096];
    int n = snprintf(probe, sizeof probe, "%s/build/" SCHEMA ".schema.yaml", opts->user_data_dir);
    if (n < 0 || (size_t)n >= sizeof probe || access(probe, R_OK) != 0)
        return bm_err_set(BM_ERR_NOT_FOUND,
                          "ime: %s is not deployed (run tools/rime-deploy.sh on it)",
                          opts->user_data_dir);

    RimeApi *rime = rime_get_api();
    if (!rime)
        return bm_err_set(BM_ERR_UNSUPPORTED, "ime: librime has no API");
    RIME_STRUCT(RimeTraits, traits);
    traits.shared_data_dir = shared;
    traits.user_data_dir = opts->user_data_dir;
    traits.distribution_name = "bianmin";
    traits.distribution_code_name = "bianmin";
    traits.distribution_version = "1";
    traits.app_name = "rime.bianmin";
    /* librime logs through glog, into files (1.8 has no stderr-only setting): errors only
     * (INFO lines would name what was typed), in a private directory beside the data rather
     * than world-readable files in /tmp. */
    char log_dir[4096];
    n = snprintf(log_dir, sizeof log_dir, "%s/log", opts->user_data_dir);
    if (n < 0 || (size_t)n >= sizeof log_dir || (mkdir(log_dir, 0700) != 0 && errno != EEXIST))
        return bm_err_set(BM_ERR_IO, "ime: cannot make %s/log", opts->user_data_dir);
    traits.min_log_level = 2;
    traits.log_dir = log_dir;
    if (!engine_set_up) {
        rime->setup(&traits);
        engine_set_up = true;
    }
    /* No start_maintenance: it would deploy (seconds, hundreds of MB) whenever it finds the
     * directory not to its liking. The sessions read the deployed build/ directly. */
    rime->initialize(&traits);

    struct bm_ime *ime = calloc(1, sizeof *ime);
    if (!ime) {
        rime->finalize();
        return bm_err_set(BM_ERR_NO_MEMORY, "ime: out of memory");
    }
    ime->rime = rime;
    engine_open = true;
    if (!ensure_session(ime) || !offers_candidates(ime)) {
        bm_ime_close(ime);
        return bm_err_set(BM_ERR_UNSUPPORTED, "ime: " SCHEMA " in %s gives no candidates",
                          opts->user_data_dir);
    }
    *out = ime;
    return BM_OK;
}

void bm_ime_close(struct bm_ime *ime)
{
    if (!ime)
        return;
    ime->closing = true;
    bm_ime_reset(ime);
    ime->rime->finalize();
    engine_open = false;
    free(ime);
}

bool bm_ime_key(struct bm_ime *ime, char letter)
{
    bool ok = (letter >= 'a' && letter <= 'z') || (letter == '\'' && ime->composing);
    return ok && send_key(ime, (unsigned char)letter);
}

bool bm_ime_backspace(struct bm_ime *ime)
{
    return ime->composing && send_key(ime, KEY_BACKSPACE);
}

bool bm_ime_page(struct bm_ime *ime, bool forward)
{
    struct bm_ime_view before;
    bm_ime_get_view(ime, &before);
    if (forward ? !before.has_next : !before.has_prev)
        return false;
    send_key(ime, forward ? KEY_PAGE_DOWN : KEY_PAGE_UP);
    return true;
}

bool bm_ime_pick(struct bm_ime *ime, size_t index)
{
    if (!ime->composing || !ensure_session(ime))
        return false;
    bool ok = ime->rime->select_candidate_on_current_page(ime->session, index);
    collect_commit(ime);
    refresh_composing(ime);
    return ok;
}

bool bm_ime_commit_raw(struct bm_ime *ime)
{
    return ime->composing && send_key(ime, KEY_RETURN);
}

size_t bm_ime_take_commit(struct bm_ime *ime, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    size_t len = ime->commit_len < size - 1 ? ime->commit_len : size - 1;
    while (len > 0 && len < ime->commit_len && ((unsigned char)ime->commit[len] & 0xC0) == 0x80)
        len--;
    memcpy(buf, ime->commit, len);
    buf[len] = '\0';
    memset(ime->commit, 0, sizeof ime->commit);
    ime->commit_len = 0;
    return len;
}

bool bm_ime_composing(const struct bm_ime *ime)
{
    return ime->composing;
}

/* Copies s into dst (size BM_IME_TEXT_MAX), cut at a character boundary. */
static void copy_text(char *dst, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len >= BM_IME_TEXT_MAX) {
        len = BM_IME_TEXT_MAX - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, s, len);
    dst[len] = '\0';
}

void bm_ime_get_view(struct bm_ime *ime, struct bm_ime_view *out)
{
    memset(out, 0, sizeof *out);
    RIME_STRUCT(RimeContext, ctx);
    if (!ime->session || !ime->rime->get_context(ime->session, &ctx))
        return;
    if (ctx.composition.length > 0)
        copy_text(out->preedit, ctx.composition.preedit);
    int count = ctx.menu.num_candidates;
    for (int i = 0; i < count && i < BM_IME_PAGE_MAX; i++)
        copy_text(out->candidates[i], ctx.menu.candidates[i].text);
    out->count = (size_t)(count < BM_IME_PAGE_MAX ? count : BM_IME_PAGE_MAX);
    out->page = ctx.menu.page_no;
    out->has_prev = count > 0 && ctx.menu.page_no > 0;
    out->has_next = count > 0 && !ctx.menu.is_last_page;
    ime->rime->free_context(&ctx);
}

void bm_ime_reset(struct bm_ime *ime)
{
    /* A fresh session for the next resident, made now and before the old one goes: making one
     * loads the schema (~30 ms), which must not fall on the next resident's first key, and
     * while the old one lives the dictionaries stay loaded. */
    RimeSessionId old = ime->session;
    ime->session = 0;
    if (!ime->closing)
        ensure_session(ime);
    if (old) {
        ime->rime->clear_composition(old);
        ime->rime->destroy_session(old);
    }
    ime->composing = false;
    memset(ime->commit, 0, sizeof ime->commit);
    ime->commit_len = 0;
}
