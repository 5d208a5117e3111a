/*
 * sync_documents.h - the centre's three signed documents on the kiosk: the catalog, the
 * notices and this kiosk's settings (docs/central-api.md, "Signed documents").
 *
 * One path for all three, with per-kind checks: a GET conditional on the ETag of the revision
 * held, the body read up to the kind's limit (4 MiB / 256 KiB / 64 KiB), the signature checked
 * for the kind and its audience (`*`, or this kiosk's id for settings), the document checked by
 * its own rules (the catalog as --check-catalog does, notices as the catalog's notices,
 * settings against the config schema and the allow-list), a rollback refused (against the
 * high-water mark kept in the outbox database as well as the copy held), then the swap:
 * <file>.new and <file>.sig.new written and fsync'd, the .sig renamed over, then the body, the
 * directory fsync'd, the mark and ETag recorded. Anything refused is logged and kept for the
 * next heartbeat's document_rejections; the copy in use stays.
 *
 * At start (bm_docs_load) each file is verified again with its .sig, after finishing a swap a
 * crash cut between its two renames. What fails falls back: notices and settings to none.
 *
 * Threads: the sync worker, which owns the outbox and the engine, for everything here.
 */
#ifndef BM_SERVICES_SYNC_DOCUMENTS_H
#define BM_SERVICES_SYNC_DOCUMENTS_H

#include "signature.h"
#include "sync.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum bm_doc_kind { BM_DOC_CATALOG, BM_DOC_NOTICES, BM_DOC_SETTINGS, BM_DOC_KINDS };

/* "catalog", "notices", "settings": the API's names (signature kind, heartbeat keys). */
const char *bm_doc_kind_name(enum bm_doc_kind kind);

struct bm_docs_config {
    const struct bm_sig_keys *keys; /* the centre's signing keys; required */
    const char *kiosk_id;           /* the settings' audience */
    const char *catalog_path;       /* [catalog] current; NULL or "": the catalog is not fetched */
    const char *bundled_path;       /* its revision is reported while no centre copy is held */
    const char *assets_dir;         /* as the catalog store checks it; NULL: unchecked */
    const char *state_dir;          /* [sync] state_dir: notices.json, settings.json */
};

struct bm_docs;

/* Makes state_dir if it is missing. Nothing is read yet. */
enum bm_err bm_docs_create(const struct bm_docs_config *cfg, struct bm_docs **out);
void bm_docs_destroy(struct bm_docs *d);

/*
 * A document now in force, handed to fn (which owns object): for the catalog, NULL (the
 * catalog store reloads its file); for notices, a notices catalog (notices.h; NULL: none held,
 * the catalog's notices apply); for settings, a struct bm_remote_settings (NULL: none held).
 */
typedef void (*bm_docs_fn)(enum bm_doc_kind kind, void *object, void *ud);

/* At start: each kind from disk (rolled forward, verified, checked), then, given ob, the
 * marks (bm_docs_read_marks); fn hears of the notices and the settings (the catalog store
 * loads the catalog itself). ob may be NULL when the outbox cannot open yet. */
void bm_docs_load(struct bm_docs *d, struct bm_outbox *ob, bm_docs_fn fn, void *ud);
/* The high-water marks from the outbox: a copy held that is older is refused as a rollback
 * (fn hears NULL for notices or settings that fall back). Before any GET. */
void bm_docs_read_marks(struct bm_docs *d, struct bm_outbox *ob, bm_docs_fn fn, void *ud);

enum bm_doc_result {
    BM_DOC_UNCHANGED, /* 304, or the same revision and bytes again */
    BM_DOC_REPLACED,  /* a new copy is in place; fn heard of it */
    BM_DOC_REFUSED,   /* the centre's copy was refused (kept for the heartbeat) */
    BM_DOC_FAILED,    /* no usable answer; the engine's backoff or pause decides what next */
};

/*
 * One GET of kind through the engine's client; the engine judges failures (backoff,
 * Retry-After, pause on 401/403). asked: the revision a heartbeat named ("" if none), which a
 * refusal is recorded under. now_ms: wall-clock.
 */
enum bm_doc_result bm_docs_fetch(struct bm_docs *d, struct bm_sync *engine, enum bm_doc_kind kind,
                                 const char *asked, int64_t now_ms, bm_docs_fn fn, void *ud);

/* The last refusal's reason (a document_rejections code) and detail for kind, or "". */
const char *bm_docs_last_reason(const struct bm_docs *d, enum bm_doc_kind kind);
const char *bm_docs_last_detail(const struct bm_docs *d, enum bm_doc_kind kind);

/*
 * Whether to GET kind when a heartbeat's answer names latest (NULL: it named none): when it
 * differs from the revision held, unless it is the revision refused last, within the hour
 * after that refusal.
 */
bool bm_docs_wanted(const struct bm_docs *d, enum bm_doc_kind kind, const char *latest,
                    int64_t now_ms);

/* What the heartbeat reports: the revision held and where it came from. */
struct bm_doc_held {
    char revision[65];
    const char *source; /* "current" (the centre's copy), "bundled", "none" */
};
void bm_docs_held(const struct bm_docs *d, enum bm_doc_kind kind, struct bm_doc_held *out);

/* Refusals since the last heartbeat that got through, oldest first (at most 16 kept). */
#define BM_DOCS_MAX_REJECTIONS 16
struct bm_doc_rejection {
    enum bm_doc_kind kind;
    char revision[65];
    char reason[24];
    time_t at;
};
size_t bm_docs_rejections(const struct bm_docs *d, struct bm_doc_rejection *out, size_t cap);
/* A heartbeat carrying the first n of them got a 2xx: forget those. */
void bm_docs_rejections_delivered(struct bm_docs *d, size_t n);

#endif
