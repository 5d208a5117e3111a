/*
 * outbox_documents.c - the signed documents' high-water marks, a table of the outbox
 * database (outbox_documents.h). One row per kind; the sync worker replaces it after each
 * document it swaps in. The table is made by bm_outbox_open (IF NOT EXISTS), so databases
 * made before it get it too without a schema version of their own.
 *
 * Threads: the outbox's owner thread.
 */
#include "outbox_documents.h"

#include "outbox_internal.h"

#include <stdio.h>
#include <string.h>

enum bm_err bm_outbox_documents_schema(struct bm_outbox *ob)
{
    return bm_outbox_db_exec(ob,
                             "CREATE TABLE IF NOT EXISTS document_marks ("
                             " kind TEXT PRIMARY KEY, published INTEGER NOT NULL,"
                             " revision TEXT NOT NULL, sha256 BLOB NOT NULL,"
                             " etag TEXT NOT NULL, at_ms INTEGER NOT NULL)",
                             "document marks");
}

enum bm_err bm_outbox_document_mark(struct bm_outbox *ob, const char *kind,
                                    struct bm_outbox_document_mark *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob, "SELECT published, revision, sha256, etag FROM document_marks WHERE kind = ?", &st,
        "document mark");
    if (err != BM_OK)
        return err;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->published = sqlite3_column_int(st, 0);
        snprintf(out->revision, sizeof out->revision, "%s",
                 (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_bytes(st, 2) == (int)sizeof out->sha256)
            memcpy(out->sha256, sqlite3_column_blob(st, 2), sizeof out->sha256);
        snprintf(out->etag, sizeof out->etag, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return BM_ERR_NOT_FOUND;
    return rc == SQLITE_ROW ? BM_OK : bm_outbox_db_fail(ob, rc, "document mark");
}

enum bm_err bm_outbox_document_set_mark(struct bm_outbox *ob, const char *kind,
                                        const struct bm_outbox_document_mark *mark, int64_t now_ms)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob,
        "INSERT OR REPLACE INTO document_marks (kind, published, revision, sha256, etag, at_ms)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        &st, "document mark");
    if (err != BM_OK)
        return err;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, mark->published);
    sqlite3_bind_text(st, 3, mark->revision, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, mark->sha256, (int)sizeof mark->sha256, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, mark->etag, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)now_ms);
    return bm_outbox_db_step_done(ob, st, "document mark");
}
