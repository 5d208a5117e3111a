/*
 * outbox.c - the durable outbox (outbox.h): SQLite for durability and order, libsodium for
 * personal data at rest. Only the outbox's files (outbox*.c, outbox_internal.h) include sqlite3.h.
 *
 * Tables (PRAGMA user_version 1):
 *   items  what waits for the centre, in put order (id); body as stored: plaintext, or for
 *          personal items nonce || secretbox(body); digest: keyed BLAKE2b of the plaintext, so
 *          a repeated put can be told from a different one without decrypting anything;
 *   dead   refused items with status and reason, same id and body;
 *   sent   keys the centre acknowledged, kept 30 days so the same item is never queued
 *          again; with their digest, except for personal items (empty: docs/sync.md says why).
 * Every change is one transaction (BEGIN IMMEDIATE ... COMMIT), so a crash at any point leaves
 * either the old or the new state; WAL with synchronous=FULL makes a commit durable when it
 * returns.
 *
 * Keys: the key file (outbox_key.c) holds a 32-byte master key; two subkeys are derived from it
 * (crypto_kdf), one to encrypt, one for digests, so one key never serves two primitives. Keys
 * and decrypted bodies live in sodium_malloc memory: locked, guarded, zeroed when freed. That
 * memory is not session data: the session wipe must not touch an upload in flight.
 *
 * The size cap is SQLite's own max_page_count, so a put over it fails inside SQLite exactly as
 * on a full disk, with nothing written; the error says which of the two it was.
 *
 * Threads: one owner thread per outbox (the sync worker).
 */
#include "outbox.h"
#include "outbox_internal.h"
#include "outbox_key.h"
#include "outbox_usage.h"

#include "core/log.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_VERSION    1
#define DEFAULT_MAX_BYTES ((uint64_t)2048 * 1024 * 1024)
#define KEY_BYTES         BM_OUTBOX_KEY_BYTES
#define DIGEST_BYTES      32
#define SENT_KEEP_MS      ((int64_t)30 * 24 * 3600 * 1000)
#define STORED_OVERHEAD   (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

static const char *const kind_names[BM_OUTBOX_KIND_COUNT] = {
    [BM_OUTBOX_APPLICATION] = "application", [BM_OUTBOX_FILE] = "file",
    [BM_OUTBOX_SUBMIT] = "submit",           [BM_OUTBOX_RATING] = "rating",
    [BM_OUTBOX_FEEDBACK] = "feedback",       [BM_OUTBOX_USAGE] = "usage",
};

const char *bm_outbox_kind_name(enum bm_outbox_kind kind)
{
    return (unsigned)kind < BM_OUTBOX_KIND_COUNT ? kind_names[kind] : "unknown";
}

static enum bm_outbox_kind kind_from_name(const char *name)
{
    for (int k = 0; k < BM_OUTBOX_KIND_COUNT; k++)
        if (name && strcmp(name, kind_names[k]) == 0)
            return (enum bm_outbox_kind)k;
    return BM_OUTBOX_KIND_COUNT;
}

/* ---- errors ---- */

/*
 * SQLite says SQLITE_FULL both at max_page_count and on a full disk. The cap is the cause if
 * the pages in use plus what the failed change needed reach it; otherwise it was the disk.
 */
static bool at_cap(struct bm_outbox *ob)
{
    sqlite3_stmt *st;
    bool capped = false;
    if (sqlite3_prepare_v2(ob->db,
                           "SELECT (page_count - freelist_count) * page_size + ?1 >= "
                           "max_page_count * page_size FROM pragma_page_count(), "
                           "pragma_freelist_count(), pragma_page_size(), pragma_max_page_count()",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)ob->pending_bytes);
        capped = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    }
    sqlite3_finalize(st);
    return capped;
}

/* Maps a failed SQLite call to our error, with what we were doing. */
enum bm_err bm_outbox_db_fail(struct bm_outbox *ob, int rc, const char *what)
{
    int sys = sqlite3_system_errno(ob->db);
    const char *msg = sqlite3_errmsg(ob->db);
    if ((rc & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EFBIG || sys == EDQUOT) {
        bool capped = at_cap(ob);
        return bm_err_set(BM_ERR_NO_SPACE, "outbox %s: %s", what,
                          capped ? "the outbox is at its size cap (max_bytes)"
                                 : "the disk is full");
    }
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return bm_err_set(BM_ERR_PARSE, "outbox %s: damaged database: %s", what, msg);
    case SQLITE_NOMEM:
        return bm_err_set(BM_ERR_NO_MEMORY, "outbox %s: %s", what, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return bm_err_set(BM_ERR_BUSY, "outbox %s: database locked by another process", what);
    default:
        return bm_err_set(BM_ERR_IO, "outbox %s: %s (%s)", what, msg, sqlite3_errstr(rc));
    }
}

enum bm_err bm_outbox_db_exec(struct bm_outbox *ob, const char *sql, const char *what)
{
    int rc = sqlite3_exec(ob->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? BM_OK : bm_outbox_db_fail(ob, rc, what);
}

enum bm_err bm_outbox_db_prepare(struct bm_outbox *ob, const char *sql, sqlite3_stmt **st,
                                 const char *what)
{
    int rc = sqlite3_prepare_v2(ob->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? BM_OK : bm_outbox_db_fail(ob, rc, what);
}

/* Runs a statement with no rows to return, and finalizes it. */
enum bm_err bm_outbox_db_step_done(struct bm_outbox *ob, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, what);
}

enum bm_err bm_outbox_db_begin(struct bm_outbox *ob, const char *what)
{
    return bm_outbox_db_exec(ob, "BEGIN IMMEDIATE", what);
}

/* Commits on BM_OK, else rolls back (keeping the first error's detail). */
enum bm_err bm_outbox_db_finish(struct bm_outbox *ob, enum bm_err err, const char *what)
{
    if (err == BM_OK)
        err = bm_outbox_db_exec(ob, "COMMIT", what);
    if (err != BM_OK && !sqlite3_get_autocommit(ob->db))
        sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

/* ---- keys (the key file itself: outbox_key.c) ---- */

static enum bm_err load_keys(struct bm_outbox *ob, const char *path)
{
    unsigned char *master = sodium_malloc(KEY_BYTES);
    ob->box_key = sodium_malloc(KEY_BYTES);
    ob->digest_key = sodium_malloc(KEY_BYTES);
    if (!master || !ob->box_key || !ob->digest_key) {
        sodium_free(master);
        return bm_err_set(BM_ERR_NO_MEMORY, "outbox keys");
    }
    enum bm_err err = bm_outbox_read_key(path, master);
    if (err == BM_OK) {
        crypto_kdf_derive_from_key(ob->box_key, KEY_BYTES, 1, "bmoutbox", master);
        crypto_kdf_derive_from_key(ob->digest_key, KEY_BYTES, 2, "bmoutbox", master);
    }
    sodium_free(master);
    return err;
}

/* ---- open and close ---- */

static const char schema_sql[] =
    "CREATE TABLE items ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,"
    " grp TEXT NOT NULL, personal INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_try_ms INTEGER NOT NULL DEFAULT 0,"
    " sent INTEGER NOT NULL DEFAULT 0, recoveries INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '', digest BLOB NOT NULL, body BLOB NOT NULL);"
    "CREATE INDEX items_by_group ON items (grp, id);"
    "CREATE TABLE dead ("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE, grp TEXT NOT NULL,"
    " personal INTEGER NOT NULL, created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,"
    " digest BLOB NOT NULL, body BLOB NOT NULL, dead_ms INTEGER NOT NULL,"
    " status INTEGER NOT NULL, reason TEXT NOT NULL);"
    "CREATE TABLE sent (key TEXT PRIMARY KEY, digest BLOB NOT NULL, acked_ms INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

static enum bm_err check_schema(struct bm_outbox *ob)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob, "PRAGMA user_version", &st, "open");
    if (err != BM_OK)
        return err;
    int rc = sqlite3_step(st);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return bm_outbox_db_fail(ob, rc, "open");
    if (version == 0) {
        err = bm_outbox_db_begin(ob, "create");
        if (err == BM_OK)
            err = bm_outbox_db_exec(ob, schema_sql, "create");
        return bm_outbox_db_finish(ob, err, "create");
    }
    if (version != SCHEMA_VERSION)
        return bm_err_set(BM_ERR_PARSE, "outbox: schema version %d; this program knows %d", version,
                          SCHEMA_VERSION);
    if (bm_outbox_db_prepare(ob, "PRAGMA quick_check", &st, "check") != BM_OK)
        return BM_ERR_PARSE;
    rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    return ok ? BM_OK : bm_err_set(BM_ERR_PARSE, "outbox: the database fails its integrity check");
}

static enum bm_err configure(struct bm_outbox *ob)
{
    /* Free pages are given back to the file system (bm_outbox_ack). This takes effect only on
     * a new, empty database, so it goes before the WAL header is written. */
    enum bm_err err = bm_outbox_db_exec(ob, "PRAGMA auto_vacuum = INCREMENTAL", "open");
    if (err != BM_OK)
        return err;
    /* journal_mode answers with the mode in force: a read-only or odd file system may refuse. */
    sqlite3_stmt *st;
    err = bm_outbox_db_prepare(ob, "PRAGMA journal_mode = WAL", &st, "open");
    if (err != BM_OK)
        return err;
    int rc = sqlite3_step(st);
    bool wal = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return bm_outbox_db_fail(ob, rc, "open");
    if (!wal)
        return bm_err_set(BM_ERR_IO, "outbox: the database cannot use a write-ahead log here");
    char sql[160];
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;"
             " PRAGMA max_page_count = %" PRIu64 ";",
             ob->max_bytes / 4096);
    return bm_outbox_db_exec(ob, sql, "open");
}

enum bm_err bm_outbox_open(const struct bm_outbox_config *cfg, struct bm_outbox **out)
{
    *out = NULL;
    if (!cfg || !cfg->path || !cfg->key_path)
        return bm_err_set(BM_ERR_INVALID_ARG, "outbox: no path or key path");
    if (sodium_init() < 0)
        return bm_err_set(BM_ERR_INTERNAL, "libsodium failed to start");
    struct bm_outbox *ob = calloc(1, sizeof *ob);
    if (!ob)
        return bm_err_set(BM_ERR_NO_MEMORY, "outbox");
    ob->max_bytes = cfg->max_bytes ? cfg->max_bytes : DEFAULT_MAX_BYTES;
    enum bm_err err = load_keys(ob, cfg->key_path);
    if (err == BM_OK) {
        int rc = sqlite3_open_v2(cfg->path, &ob->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                     SQLITE_OPEN_NOFOLLOW,
                                 NULL);
        if (rc != SQLITE_OK)
            err = bm_err_set(BM_ERR_IO, "outbox %s: %s", cfg->path,
                             ob->db ? sqlite3_errmsg(ob->db) : sqlite3_errstr(rc));
    }
    if (err == BM_OK) {
        sqlite3_busy_timeout(ob->db, 5000); /* a technician's tool may read it meanwhile */
        sqlite3_extended_result_codes(ob->db, 1);
        err = configure(ob);
    }
    if (err == BM_OK)
        err = check_schema(ob);
    if (err == BM_OK)
        err = bm_outbox_usage_create(ob); /* outbox_usage.c: the running usage counts */
    if (err == BM_OK)
        err = bm_outbox_documents_schema(ob);
    if (err != BM_OK) {
        bm_outbox_close(ob);
        return err;
    }
    *out = ob;
    return BM_OK;
}

void bm_outbox_close(struct bm_outbox *ob)
{
    if (!ob)
        return;
    sqlite3_close(ob->db);
    sodium_free(ob->box_key);
    sodium_free(ob->digest_key);
    free(ob);
}

/* ---- put ---- */

static bool key_ok(const char *s, size_t max, bool may_be_empty)
{
    if (!s)
        return may_be_empty;
    size_t n = strlen(s);
    if (n > max || (n == 0 && !may_be_empty))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return false;
    return true;
}

/*
 * The digest the key was stored with, in items, dead or sent. 1 found (*same says if the
 * digest matches; a delivered personal item kept no digest and counts as the same), 0 not
 * found, -1 error.
 */
static int find_key(struct bm_outbox *ob, const char *key, const unsigned char *digest, bool *same)
{
    sqlite3_stmt *st;
    if (bm_outbox_db_prepare(ob,
                             "SELECT digest FROM items WHERE key = ?1 UNION ALL "
                             "SELECT digest FROM dead WHERE key = ?1 UNION ALL "
                             "SELECT digest FROM sent WHERE key = ?1",
                             &st, "put") != BM_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int found = 0;
    if (rc == SQLITE_ROW) {
        found = 1;
        int n = sqlite3_column_bytes(st, 0);
        *same = n == 0 || (n == DIGEST_BYTES &&
                           sodium_memcmp(sqlite3_column_blob(st, 0), digest, DIGEST_BYTES) == 0);
    } else if (rc != SQLITE_DONE) {
        bm_outbox_db_fail(ob, rc, "put");
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

static enum bm_err insert(struct bm_outbox *ob, const struct bm_outbox_put *p,
                          const unsigned char *digest, const unsigned char *stored, size_t n)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "INSERT INTO items (kind, key, grp, personal, created_ms, digest, "
                             "body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             &st, "put");
    if (err != BM_OK)
        return err;
    sqlite3_bind_text(st, 1, bm_outbox_kind_name(p->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->group ? p->group : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, p->personal);
    sqlite3_bind_int64(st, 5, p->now_ms);
    sqlite3_bind_blob(st, 6, digest, DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 7, n ? stored : (const void *)"", n, SQLITE_STATIC);
    return bm_outbox_db_step_done(ob, st, "put");
}

static bool put_ok(const struct bm_outbox_put *p)
{
    return p && (unsigned)p->kind < BM_OUTBOX_KIND_COUNT && (p->body || !p->len) &&
           p->len <= BM_OUTBOX_BODY_MAX && key_ok(p->key, BM_OUTBOX_KEY_MAX, false) &&
           key_ok(p->group, BM_OUTBOX_GROUP_MAX, true);
}

/* Inside a transaction: one item, sealed if personal. *queued false if it was there. */
static enum bm_err put_one(struct bm_outbox *ob, const struct bm_outbox_put *p, bool *queued)
{
    unsigned char digest[DIGEST_BYTES];
    crypto_generichash(digest, sizeof digest, p->body, p->len, ob->digest_key, KEY_BYTES);
    bool same = false;
    int found = find_key(ob, p->key, digest, &same);
    if (found < 0)
        return BM_ERR_IO;
    *queued = !found;
    if (found)
        return same ? BM_OK
                    : bm_err_set(BM_ERR_STATE,
                                 "outbox put: key %s was put before with another body", p->key);
    if (!p->personal)
        return insert(ob, p, digest, p->body, p->len);
    size_t n = p->len + STORED_OVERHEAD;
    unsigned char *sealed = malloc(n);
    if (!sealed)
        return bm_err_set(BM_ERR_NO_MEMORY, "outbox put: %zu bytes", n);
    randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, p->body, p->len, sealed,
                          ob->box_key);
    enum bm_err err = insert(ob, p, digest, sealed, n);
    free(sealed);
    return err;
}

enum bm_err bm_outbox_put_items(struct bm_outbox *ob, const struct bm_outbox_put *items, size_t n,
                                size_t *added)
{
    *added = 0;
    if (!items || n == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "outbox put: no items");
    for (size_t i = 0; i < n; i++)
        if (!put_ok(&items[i]))
            return bm_err_set(BM_ERR_INVALID_ARG,
                              "outbox put: item %zu: bad kind, key, group "
                              "or body",
                              i);
    ob->pending_bytes = 0;
    for (size_t i = 0; i < n; i++)
        ob->pending_bytes += items[i].len + STORED_OVERHEAD + 4096; /* row, index entries */
    enum bm_err err = BM_OK;
    for (size_t i = 0; i < n && err == BM_OK; i++) {
        bool q = false;
        err = put_one(ob, &items[i], &q);
        *added += q;
    }
    return err;
}

void bm_outbox_put_ended(struct bm_outbox *ob, enum bm_err err)
{
    ob->pending_bytes = 0;
    if (err == BM_ERR_NO_SPACE)
        ob->full = true;
    else if (err == BM_OK)
        ob->full = false;
}

enum bm_err bm_outbox_put_all(struct bm_outbox *ob, const struct bm_outbox_put *items, size_t n,
                              size_t *queued)
{
    if (queued)
        *queued = 0;
    if (!ob || !items || n == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "outbox put: no items");
    size_t added = 0;
    enum bm_err err = bm_outbox_db_begin(ob, "put");
    if (err == BM_OK)
        err = bm_outbox_put_items(ob, items, n, &added);
    err = bm_outbox_db_finish(ob, err, "put");
    bm_outbox_put_ended(ob, err);
    if (err == BM_OK && queued)
        *queued = added;
    return err;
}

enum bm_err bm_outbox_put(struct bm_outbox *ob, const struct bm_outbox_put *p, bool *queued)
{
    size_t n = 0;
    if (!p)
        return bm_err_set(BM_ERR_INVALID_ARG, "outbox put: no item");
    enum bm_err err = bm_outbox_put_all(ob, p, 1, &n);
    if (queued)
        *queued = err == BM_OK && n == 1;
    return err;
}

/* ---- take, acknowledge, defer ---- */

void bm_outbox_item_clear(struct bm_outbox_item *item)
{
    if (!item)
        return;
    sodium_free(item->body); /* zeroes it */
    item->body = NULL;
    item->len = 0;
}

/* Copies the row's body into locked memory, decrypting a personal one. */
static enum bm_err open_body(struct bm_outbox *ob, sqlite3_stmt *st, int col,
                             struct bm_outbox_item *item)
{
    const unsigned char *stored = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    size_t len = item->personal ? (n >= STORED_OVERHEAD ? n - STORED_OVERHEAD : 0) : n;
    if (item->personal && n < STORED_OVERHEAD)
        return bm_err_set(BM_ERR_PARSE, "outbox: item %s is too short to decrypt", item->key);
    item->body = sodium_malloc(len ? len : 1);
    if (!item->body)
        return bm_err_set(BM_ERR_NO_MEMORY, "outbox: %zu bytes for an item", len);
    item->len = len;
    if (!item->personal) {
        if (len) /* an empty blob comes back as NULL */
            memcpy(item->body, stored, len);
        return BM_OK;
    }
    if (crypto_secretbox_open_easy(item->body, stored + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, stored, ob->box_key) != 0) {
        bm_outbox_item_clear(item);
        return bm_err_set(BM_ERR_PARSE,
                          "outbox: item %s does not decrypt (another key, or "
                          "damaged)",
                          item->key);
    }
    return BM_OK;
}

/*
 * Items that are first in their group (or in none) among those not yet sent, the only ones
 * that may go next. A sent item waits for its group's acknowledgement (bm_outbox_ack_group).
 */
#define HEADS                                                                                      \
    "FROM items i WHERE sent = 0 AND (grp = '' OR id = (SELECT MIN(id) FROM items j "              \
    "WHERE j.grp = i.grp AND j.sent = 0))"

static enum bm_err next_due(struct bm_outbox *ob, int64_t *next_due_ms)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob, "SELECT MIN(next_try_ms) " HEADS, &st, "next");
    if (err != BM_OK)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *next_due_ms =
            sqlite3_column_type(st, 0) == SQLITE_NULL ? INT64_MAX : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? BM_OK : bm_outbox_db_fail(ob, rc, "next");
}

enum bm_err bm_outbox_next(struct bm_outbox *ob, int64_t now_ms, struct bm_outbox_item *item,
                           int64_t *next_due_ms)
{
    memset(item, 0, sizeof *item);
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob,
        "SELECT id, kind, key, grp, personal, created_ms, attempts, recoveries, body " HEADS
        " AND next_try_ms <= ? ORDER BY id LIMIT 1",
        &st, "next");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, now_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        item->id = sqlite3_column_int64(st, 0);
        item->kind = kind_from_name((const char *)sqlite3_column_text(st, 1));
        snprintf(item->key, sizeof item->key, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(item->group, sizeof item->group, "%s", (const char *)sqlite3_column_text(st, 3));
        item->personal = sqlite3_column_int(st, 4) != 0;
        item->created_ms = sqlite3_column_int64(st, 5);
        item->attempts = (unsigned)sqlite3_column_int(st, 6);
        item->recoveries = (unsigned)sqlite3_column_int(st, 7);
        err = open_body(ob, st, 8, item);
    } else if (rc == SQLITE_DONE) {
        err = BM_ERR_NOT_FOUND;
    } else {
        err = bm_outbox_db_fail(ob, rc, "next");
    }
    sqlite3_finalize(st);

    if (err == BM_ERR_PARSE) {
        /* Undecryptable: it can never be sent; technicians see it with the reason. */
        char why[160];
        snprintf(why, sizeof why, "%s", bm_err_detail());
        int64_t id = item->id;
        memset(item, 0, sizeof *item);
        enum bm_err moved = bm_outbox_dead_letter(ob, id, 0, why, now_ms);
        return moved == BM_OK ? bm_err_set(BM_ERR_PARSE, "%s", why) : moved;
    }
    if (err == BM_ERR_NOT_FOUND) {
        int64_t due = INT64_MAX;
        enum bm_err e = next_due(ob, &due);
        if (e != BM_OK)
            return e;
        if (next_due_ms)
            *next_due_ms = due;
        return bm_err_set(BM_ERR_NOT_FOUND, "outbox: nothing due");
    }
    return err;
}

/* Binds id to parameter 1 and runs; BM_ERR_NOT_FOUND if no row changed. */
static enum bm_err change_one(struct bm_outbox *ob, sqlite3_stmt *st, int64_t id, const char *what)
{
    sqlite3_bind_int64(st, 1, id);
    enum bm_err err = bm_outbox_db_step_done(ob, st, what);
    if (err == BM_OK && sqlite3_changes(ob->db) == 0)
        return bm_err_set(BM_ERR_NOT_FOUND, "outbox %s: no item %" PRId64, what, id);
    return err;
}

/* Items by id (?1) or by group (?2); the other parameter is bound to match nothing. */
#define BY_ID    "id = ?1"
#define BY_GROUP "grp = ?2 AND grp != ''"

static void bind_target(sqlite3_stmt *st, int64_t id, const char *grp)
{
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, grp ? grp : "", -1, SQLITE_TRANSIENT);
}

/*
 * Deletes the items `where` selects and remembers their keys; *personal if any was. A personal
 * item's digest is not kept: the project deletes personal data once the centre has it, and a
 * keyed hash of it, with the key on the same disk, would let a guess be checked.
 */
static enum bm_err delete_acked(struct bm_outbox *ob, const char *where, int64_t id,
                                const char *grp, int64_t now_ms, bool *personal)
{
    char sql[3][240];
    snprintf(sql[0], sizeof sql[0], "SELECT MAX(personal) FROM items WHERE %s", where);
    snprintf(sql[1], sizeof sql[1],
             "INSERT OR REPLACE INTO sent (key, digest, acked_ms) SELECT key, CASE WHEN "
             "personal THEN x'' ELSE digest END, ?3 FROM items WHERE %s",
             where);
    snprintf(sql[2], sizeof sql[2], "DELETE FROM items WHERE %s", where);
    enum bm_err err = bm_outbox_db_begin(ob, "ack");
    sqlite3_stmt *st;
    if (err == BM_OK && (err = bm_outbox_db_prepare(ob, sql[0], &st, "ack")) == BM_OK) {
        bind_target(st, id, grp);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)
            err = bm_err_set(BM_ERR_NOT_FOUND, "outbox ack: no such item or group");
        else if (rc == SQLITE_ROW)
            *personal = sqlite3_column_int(st, 0) != 0;
        else
            err = bm_outbox_db_fail(ob, rc, "ack");
        sqlite3_finalize(st);
    }
    if (err == BM_OK && (err = bm_outbox_db_prepare(ob, sql[1], &st, "ack")) == BM_OK) {
        bind_target(st, id, grp);
        sqlite3_bind_int64(st, 3, now_ms);
        err = bm_outbox_db_step_done(ob, st, "ack");
    }
    if (err == BM_OK && (err = bm_outbox_db_prepare(ob, sql[2], &st, "ack")) == BM_OK) {
        bind_target(st, id, grp);
        err = bm_outbox_db_step_done(ob, st, "ack");
    }
    if (err == BM_OK && (err = bm_outbox_db_prepare(ob, "DELETE FROM sent WHERE acked_ms < ?1", &st,
                                                    "ack")) == BM_OK) {
        sqlite3_bind_int64(st, 1, now_ms - SENT_KEEP_MS);
        err = bm_outbox_db_step_done(ob, st, "ack");
    }
    return bm_outbox_db_finish(ob, err, "ack");
}

static enum bm_err ack(struct bm_outbox *ob, const char *where, int64_t id, const char *grp,
                       int64_t now_ms)
{
    bool personal = false;
    enum bm_err err = delete_acked(ob, where, id, grp, now_ms, &personal);
    if (err == BM_ERR_NO_SPACE) {
        /* Zeroing the freed pages needs room in the WAL that a full disk does not have, and
         * an outbox that cannot delete could never make room. Delete without overwriting:
         * what stays in the free pages is ciphertext, and the vacuum below gives those pages
         * back to the file system. */
        sqlite3_exec(ob->db, "PRAGMA secure_delete = FAST", NULL, NULL, NULL);
        err = delete_acked(ob, where, id, grp, now_ms, &personal);
        sqlite3_exec(ob->db, "PRAGMA secure_delete = ON", NULL, NULL, NULL);
        if (err == BM_OK)
            bm_log_warn("outbox", "the disk is full: acknowledged items deleted without "
                                  "overwriting their (encrypted) pages");
    }
    if (err != BM_OK)
        return err;
    ob->full = false;
    /* Free pages go back to the file system, and the WAL, which still holds copies of the
     * deleted pages, is checkpointed and truncated. */
    sqlite3_exec(ob->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
    if (personal && sqlite3_wal_checkpoint_v2(ob->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                                              NULL) != SQLITE_OK)
        bm_log_warn("outbox",
                    "the WAL could not be truncated (%s): deleted personal data stays "
                    "in it, encrypted, until the next acknowledgement truncates it",
                    sqlite3_errmsg(ob->db)); /* a reader holding a snapshot, say */
    return BM_OK;
}

enum bm_err bm_outbox_ack(struct bm_outbox *ob, int64_t id, int64_t now_ms)
{
    return ack(ob, BY_ID, id, NULL, now_ms);
}

enum bm_err bm_outbox_ack_group(struct bm_outbox *ob, const char *group, int64_t now_ms)
{
    if (!key_ok(group, BM_OUTBOX_GROUP_MAX, false))
        return bm_err_set(BM_ERR_INVALID_ARG, "outbox ack: bad group");
    return ack(ob, BY_GROUP, 0, group, now_ms);
}

enum bm_err bm_outbox_mark_sent(struct bm_outbox *ob, int64_t id)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "UPDATE items SET sent = 1, attempts = 0, next_try_ms = 0, "
                             "last_error = '' WHERE id = ?1 AND grp != ''",
                             &st, "mark sent");
    return err != BM_OK ? err : change_one(ob, st, id, "mark sent");
}

enum bm_err bm_outbox_resend_group(struct bm_outbox *ob, const char *group)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob, "UPDATE items SET sent = 0 WHERE grp = ?2 AND grp != ''", &st, "resend");
    if (err != BM_OK)
        return err;
    bind_target(st, 0, group);
    err = bm_outbox_db_step_done(ob, st, "resend");
    if (err == BM_OK && sqlite3_changes(ob->db) == 0)
        return bm_err_set(BM_ERR_NOT_FOUND, "outbox resend: no group %s", group ? group : "");
    return err;
}

enum bm_err bm_outbox_recover(struct bm_outbox *ob, int64_t id, int64_t next_try_ms,
                              const char *why)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "UPDATE items SET recoveries = recoveries + 1, next_try_ms = ?2, "
                             "last_error = ?3 WHERE id = ?1",
                             &st, "recover");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 2, next_try_ms);
    sqlite3_bind_text(st, 3, why ? why : "", -1, SQLITE_TRANSIENT);
    return change_one(ob, st, id, "recover");
}

enum bm_err bm_outbox_defer(struct bm_outbox *ob, int64_t id, int64_t next_try_ms, const char *why)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "UPDATE items SET attempts = attempts + 1, next_try_ms = ?2, "
                             "last_error = ?3 WHERE id = ?1",
                             &st, "defer");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 2, next_try_ms);
    sqlite3_bind_text(st, 3, why ? why : "", -1, SQLITE_TRANSIENT);
    return change_one(ob, st, id, "defer");
}

/* ---- dead letters ---- */

/* Runs sql, which moves rows of item id and of its group (parameters 1 and 2). */
static enum bm_err move_group(struct bm_outbox *ob, const char *sql, int64_t id, const char *grp,
                              const char *what, void (*bind_more)(sqlite3_stmt *, const void *),
                              const void *more)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob, sql, &st, what);
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, grp, -1, SQLITE_TRANSIENT);
    if (bind_more)
        bind_more(st, more);
    return bm_outbox_db_step_done(ob, st, what);
}

struct refusal {
    int64_t now_ms;
    int status;
    const char *why, *held_back;
};

static void bind_refusal(sqlite3_stmt *st, const void *arg)
{
    const struct refusal *r = arg;
    sqlite3_bind_int64(st, 3, r->now_ms);
    sqlite3_bind_int(st, 4, r->status);
    sqlite3_bind_text(st, 5, r->why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, r->held_back, -1, SQLITE_TRANSIENT);
}

/* The group of item id in table (items or dead); *grp "" if none. */
static enum bm_err group_of(struct bm_outbox *ob, const char *sql, int64_t id, char *grp,
                            size_t size, const char *what)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob, sql, &st, what);
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(grp, size, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE)
        err = bm_err_set(BM_ERR_NOT_FOUND, "outbox %s: no item %" PRId64, what, id);
    else
        err = bm_outbox_db_fail(ob, rc, what);
    sqlite3_finalize(st);
    return err;
}

#define IN_GROUP "WHERE id = ?1 OR (grp != '' AND grp = ?2)"

enum bm_err bm_outbox_dead_letter(struct bm_outbox *ob, int64_t id, int status, const char *why,
                                  int64_t now_ms)
{
    char grp[BM_OUTBOX_GROUP_MAX + 1] = "", held_back[200];
    enum bm_err err = bm_outbox_db_begin(ob, "dead letter");
    if (err == BM_OK)
        err =
            group_of(ob, "SELECT grp FROM items WHERE id = ?1", id, grp, sizeof grp, "dead letter");
    snprintf(held_back, sizeof held_back, "held back: an earlier item of %s was refused", grp);
    struct refusal r = {now_ms, status, why ? why : "", held_back};
    if (err == BM_OK)
        err = move_group(ob,
                         "INSERT INTO dead (id, kind, key, grp, personal, created_ms, attempts, "
                         "digest, body, dead_ms, status, reason) SELECT id, kind, key, grp, "
                         "personal, created_ms, attempts, digest, body, ?3, ?4, "
                         "CASE WHEN id = ?1 THEN ?5 ELSE ?6 END FROM items " IN_GROUP,
                         id, grp, "dead letter", bind_refusal, &r);
    if (err == BM_OK)
        err = move_group(ob, "DELETE FROM items " IN_GROUP, id, grp, "dead letter", NULL, NULL);
    err = bm_outbox_db_finish(ob, err, "dead letter");
    if (err == BM_OK)
        bm_log_warn("outbox", "item %" PRId64 "%s%s refused for good (status %d): %s", id,
                    grp[0] ? " and the rest of " : "", grp, status, why ? why : "");
    return err;
}

enum bm_err bm_outbox_dead_retry(struct bm_outbox *ob, int64_t id)
{
    char grp[BM_OUTBOX_GROUP_MAX + 1] = "";
    enum bm_err err = bm_outbox_db_begin(ob, "retry");
    if (err == BM_OK)
        err = group_of(ob, "SELECT grp FROM dead WHERE id = ?1", id, grp, sizeof grp, "retry");
    if (err == BM_OK)
        err = move_group(ob,
                         "INSERT INTO items (id, kind, key, grp, personal, created_ms, attempts, "
                         "next_try_ms, last_error, digest, body) SELECT id, kind, key, grp, "
                         "personal, created_ms, 0, 0, '', digest, body FROM dead " IN_GROUP,
                         id, grp, "retry", NULL, NULL);
    if (err == BM_OK)
        err = move_group(ob, "DELETE FROM dead " IN_GROUP, id, grp, "retry", NULL, NULL);
    return bm_outbox_db_finish(ob, err, "retry");
}

enum bm_err bm_outbox_dead_list(struct bm_outbox *ob,
                                bool (*fn)(const struct bm_outbox_dead *d, void *ud), void *ud)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "SELECT id, kind, key, grp, created_ms, dead_ms, attempts, status, "
                             "reason FROM dead ORDER BY id",
                             &st, "dead list");
    if (err != BM_OK)
        return err;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct bm_outbox_dead d = {
            .id = sqlite3_column_int64(st, 0),
            .kind = kind_from_name((const char *)sqlite3_column_text(st, 1)),
            .created_ms = sqlite3_column_int64(st, 4),
            .dead_ms = sqlite3_column_int64(st, 5),
            .attempts = (unsigned)sqlite3_column_int(st, 6),
            .status = sqlite3_column_int(st, 7),
        };
        snprintf(d.key, sizeof d.key, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(d.group, sizeof d.group, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(d.reason, sizeof d.reason, "%s", (const char *)sqlite3_column_text(st, 8));
        if (!fn(&d, ud)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, "dead list");
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

enum bm_err bm_outbox_dead_export(struct bm_outbox *ob, FILE *out)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "SELECT id, kind, key, grp, personal, created_ms, dead_ms, attempts, "
                             "status, reason, body FROM dead ORDER BY id",
                             &st, "export");
    if (err != BM_OK)
        return err;
    int rc;
    while (err == BM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 10);
        size_t b64_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(b64_len);
        if (!b64) {
            err = bm_err_set(BM_ERR_NO_MEMORY, "outbox export: %zu bytes", b64_len);
            break;
        }
        sodium_bin2base64(b64, b64_len, sqlite3_column_blob(st, 10), n,
                          sodium_base64_VARIANT_ORIGINAL);
        fprintf(out, "{\"id\": %" PRId64 ", \"kind\": ", (int64_t)sqlite3_column_int64(st, 0));
        json_string(out, (const char *)sqlite3_column_text(st, 1));
        fputs(", \"key\": ", out);
        json_string(out, (const char *)sqlite3_column_text(st, 2));
        fputs(", \"group\": ", out);
        json_string(out, (const char *)sqlite3_column_text(st, 3));
        fprintf(out,
                ", \"encrypted\": %s, \"created_ms\": %" PRId64 ", \"dead_ms\": %" PRId64
                ", \"attempts\": %d, \"status\": %d, \"reason\": ",
                sqlite3_column_int(st, 4) ? "true" : "false", (int64_t)sqlite3_column_int64(st, 5),
                (int64_t)sqlite3_column_int64(st, 6), sqlite3_column_int(st, 7),
                sqlite3_column_int(st, 8));
        json_string(out, (const char *)sqlite3_column_text(st, 9));
        fprintf(out, ", \"body_base64\": \"%s\"}\n", b64);
        free(b64);
    }
    sqlite3_finalize(st);
    if (err == BM_OK && rc != SQLITE_DONE)
        err = bm_outbox_db_fail(ob, rc, "export");
    if (err == BM_OK && (fflush(out) != 0 || ferror(out)))
        err = bm_err_set(BM_ERR_IO, "outbox export: write failed");
    return err;
}

/* ---- stats ---- */

enum bm_err bm_outbox_stats(struct bm_outbox *ob, struct bm_outbox_stats *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "SELECT (SELECT COUNT(*) FROM items),"
                             " (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM items),"
                             " (SELECT COALESCE(MIN(created_ms), 0) FROM items),"
                             " (SELECT COUNT(*) FROM dead), (SELECT COUNT(*) FROM sent),"
                             " (SELECT page_count * page_size FROM pragma_page_count(),"
                             " pragma_page_size())",
                             &st, "stats");
    if (err != BM_OK)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->queued = (uint64_t)sqlite3_column_int64(st, 0);
        out->queued_bytes = (uint64_t)sqlite3_column_int64(st, 1);
        out->oldest_ms = sqlite3_column_int64(st, 2);
        out->dead = (uint64_t)sqlite3_column_int64(st, 3);
        out->delivered = (uint64_t)sqlite3_column_int64(st, 4);
        out->file_bytes = (uint64_t)sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    out->max_bytes = ob->max_bytes;
    out->full = ob->full;
    return rc == SQLITE_ROW ? BM_OK : bm_outbox_db_fail(ob, rc, "stats");
}
