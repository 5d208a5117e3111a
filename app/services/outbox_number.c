/*
 * outbox_number.c - application numbers (outbox.h; docs/central-api.md, "The number"),
 * allocated in the same transaction that stores the application.
 *
 * Table numbers (made on first use): the kiosk's local date as YYYYMMDD -> the last daily
 * sequence handed out that day. Every day keeps its row (one short row a day), so a clock
 * stepped back to a day already used goes on from that day's last number instead of
 * repeating one. A number some key of the outbox already has (an application queued under a
 * number made another way) is skipped.
 *
 * Threads: the outbox's owner thread. That one thread, and BEGIN IMMEDIATE against another
 * process, is what makes reading and then writing the sequence safe.
 */
#include "outbox.h"
#include "outbox_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define WHAT "number"

/* The kiosk's local date at now_ms as YYYYMMDD, from TZ as it is now; -1 if it has none. */
static long local_day(int64_t now_ms)
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    tzset(); /* localtime_r need not look at TZ again by itself */
    if (!localtime_r(&t, &tm))
        return -1;
    return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static enum bm_err last_of(struct bm_outbox *ob, long day, int64_t *last)
{
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob, "SELECT last FROM numbers WHERE day = ?1", &st, WHAT);
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, day);
    int rc = sqlite3_step(st);
    *last = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, WHAT);
}

/* Whether key is an item's, a dead letter's or a delivered item's. */
static enum bm_err key_known(struct bm_outbox *ob, const char *key, bool *known)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob,
                                           "SELECT 1 FROM items WHERE key = ?1 UNION ALL "
                                           "SELECT 1 FROM dead WHERE key = ?1 UNION ALL "
                                           "SELECT 1 FROM sent WHERE key = ?1 LIMIT 1",
                                           &st, WHAT);
    if (err != BM_OK)
        return err;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *known = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, WHAT);
}

static enum bm_err save_last(struct bm_outbox *ob, long day, int64_t last)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob, "INSERT OR REPLACE INTO numbers (day, last) VALUES (?1, ?2)", &st, WHAT);
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, day);
    sqlite3_bind_int64(st, 2, last);
    return bm_outbox_db_step_done(ob, st, WHAT);
}

/* Inside the transaction: the next free number of day, recorded as taken. */
static enum bm_err next_number(struct bm_outbox *ob, long day, char *number, size_t size)
{
    int64_t last = 0;
    enum bm_err err = bm_outbox_db_exec(ob,
                                        "CREATE TABLE IF NOT EXISTS numbers (day INTEGER PRIMARY "
                                        "KEY, last INTEGER NOT NULL)",
                                        WHAT);
    if (err == BM_OK)
        err = last_of(ob, day, &last);
    bool known = true;
    while (err == BM_OK && known) {
        if (last >= BM_OUTBOX_DAILY_MAX)
            return bm_err_set(BM_ERR_STATE,
                              "outbox: all %d application numbers of %ld are used; numbering "
                              "starts again at 1 on the next day",
                              BM_OUTBOX_DAILY_MAX, day);
        last++;
        /* The moduli change nothing (YYYYMMDD; last <= 999999): they show the compiler the
         * 16 characters. */
        snprintf(number, size, "BM%08lu%06u", (unsigned long)day % 100000000ul,
                 (unsigned)last % 1000000u);
        err = key_known(ob, number, &known);
    }
    return err == BM_OK ? save_last(ob, day, last) : err;
}

enum bm_err bm_outbox_put_numbered(struct bm_outbox *ob, int64_t now_ms, bm_outbox_build_fn build,
                                   void *ud, char number[BM_OUTBOX_NUMBER_LEN + 1])
{
    number[0] = '\0';
    if (!ob || !build)
        return bm_err_set(BM_ERR_INVALID_ARG, "outbox number: no outbox or builder");
    long day = local_day(now_ms);
    if (day < 10000101 || day > 99991231)
        return bm_err_set(BM_ERR_STATE,
                          "outbox number: the clock's date (%ld) has no 4-digit "
                          "year",
                          day);
    char no[BM_OUTBOX_NUMBER_LEN + 1] = "";
    const struct bm_outbox_put *items = NULL;
    size_t n = 0, added = 0;
    enum bm_err err = bm_outbox_db_begin(ob, WHAT);
    if (err == BM_OK)
        err = next_number(ob, day, no, sizeof no);
    if (err == BM_OK)
        err = build(no, ud, &items, &n);
    if (err == BM_OK)
        err = bm_outbox_put_items(ob, items, n, &added);
    if (err == BM_OK && added != n) /* a fresh number's items cannot be there already */
        err = bm_err_set(BM_ERR_STATE, "outbox number: %zu items of %s were there already",
                         n - added, no);
    /* The number is taken if and only if this commits. */
    err = bm_outbox_db_finish(ob, err, WHAT);
    bm_outbox_put_ended(ob, err);
    if (err == BM_OK)
        memcpy(number, no, sizeof no);
    return err;
}
