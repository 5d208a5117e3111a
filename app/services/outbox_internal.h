/*
 * outbox_internal.h - what the outbox's own files share (outbox.c and the files that keep
 * further tables in the same database). Not for the rest of the program: outbox.h is the API.
 *
 * Each call below takes `what`, a few words for the error message ("put", "usage count"), and
 * maps a failure to our errors as outbox.c does (a full disk or the size cap: BM_ERR_NO_SPACE).
 */
#ifndef BM_SERVICES_OUTBOX_INTERNAL_H
#define BM_SERVICES_OUTBOX_INTERNAL_H

#include "outbox.h"

#include "core/err.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct bm_outbox {
    sqlite3 *db;
    unsigned char *box_key;    /* sodium_malloc, KEY_BYTES */
    unsigned char *digest_key; /* sodium_malloc, KEY_BYTES */
    uint64_t max_bytes;
    uint64_t pending_bytes; /* what the put under way adds, for telling cap from disk */
    bool full;
};

/* Maps a failed SQLite call (its result code) to our error, with what we were doing. */
enum bm_err bm_outbox_db_fail(struct bm_outbox *ob, int rc, const char *what);
enum bm_err bm_outbox_db_exec(struct bm_outbox *ob, const char *sql, const char *what);
enum bm_err bm_outbox_db_prepare(struct bm_outbox *ob, const char *sql, sqlite3_stmt **st,
                                 const char *what);
/* Runs a statement that returns no rows, and finalizes it. */
enum bm_err bm_outbox_db_step_done(struct bm_outbox *ob, sqlite3_stmt *st, const char *what);
/* One transaction: BEGIN IMMEDIATE; then finish commits on BM_OK, else rolls back. */
enum bm_err bm_outbox_db_begin(struct bm_outbox *ob, const char *what);
enum bm_err bm_outbox_db_finish(struct bm_outbox *ob, enum bm_err err, const char *what);

/*
 * Inside a transaction: checks the items and puts each (bm_outbox_put's rules); *added counts
 * the new ones. After the transaction, put_ended(err) updates the outbox's "full" state.
 */
enum bm_err bm_outbox_put_items(struct bm_outbox *ob, const struct bm_outbox_put *items, size_t n,
                                size_t *added);
void bm_outbox_put_ended(struct bm_outbox *ob, enum bm_err err);

/* Makes the signed documents' high-water mark table if missing (outbox_documents.c); called by
 * bm_outbox_open once the schema is checked. */
enum bm_err bm_outbox_documents_schema(struct bm_outbox *ob);

#endif
