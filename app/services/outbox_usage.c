/*
 * outbox_usage.c - the running usage counts in the outbox's database (outbox_usage.h).
 *
 * Tables (made if missing; the outbox's schema version is not changed by them):
 *   usage_hours     one row per local hour with any count: its label (with the UTC offset of
 *                   that hour) and the sessions that ended before a service was chosen;
 *   usage_services  per hour and service: starts, completions, the completed durations'
 *                   count, sum and 7 buckets (b0..b6);
 *   usage_left      per hour, service and place (guide or a step kind): abandonments;
 *   usage_errors    per hour, device class and error: how many.
 * The hour is the unix second the local hour starts at, so hours sort in time order even
 * across a change of the UTC offset.
 *
 * A batch becomes an ordinary usage item of the outbox, inserted here in the same transaction
 * that deletes its counts (bm_outbox_put opens a transaction of its own, which SQLite cannot
 * nest). The item is stored as bm_outbox_put stores a non-personal one: its body as is, with
 * the keyed digest of it, under a fresh random key.
 */
#include "outbox_usage.h"
#include "outbox_internal.h"
#include "outbox_key.h"

#include "core/log.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGEST_BYTES 32 /* as outbox.c's items.digest */

static const char tables_sql[] =
    "CREATE TABLE IF NOT EXISTS usage_hours ("
    " hour INTEGER PRIMARY KEY, label TEXT NOT NULL,"
    " without_service INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS usage_services ("
    " hour INTEGER NOT NULL, service TEXT NOT NULL, starts INTEGER NOT NULL DEFAULT 0,"
    " completions INTEGER NOT NULL DEFAULT 0, durations INTEGER NOT NULL DEFAULT 0,"
    " duration_sum INTEGER NOT NULL DEFAULT 0, b0 INTEGER NOT NULL DEFAULT 0,"
    " b1 INTEGER NOT NULL DEFAULT 0, b2 INTEGER NOT NULL DEFAULT 0,"
    " b3 INTEGER NOT NULL DEFAULT 0, b4 INTEGER NOT NULL DEFAULT 0,"
    " b5 INTEGER NOT NULL DEFAULT 0, b6 INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (hour, service));"
    "CREATE TABLE IF NOT EXISTS usage_left ("
    " hour INTEGER NOT NULL, service TEXT NOT NULL, place TEXT NOT NULL,"
    " count INTEGER NOT NULL, PRIMARY KEY (hour, service, place));"
    "CREATE TABLE IF NOT EXISTS usage_errors ("
    " hour INTEGER NOT NULL, class TEXT NOT NULL, error TEXT NOT NULL,"
    " count INTEGER NOT NULL, PRIMARY KEY (hour, class, error));";

enum bm_err bm_outbox_usage_create(struct bm_outbox *ob)
{
    enum bm_err err = bm_outbox_db_begin(ob, "usage tables");
    if (err == BM_OK)
        err = bm_outbox_db_exec(ob, tables_sql, "usage tables");
    return bm_outbox_db_finish(ob, err, "usage tables");
}

/* ---- recording ---- */

/* The hour's row, adding without_service to its count. */
static enum bm_err add_hour(struct bm_outbox *ob, int64_t hour, const char *label,
                            int without_service)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob,
        "INSERT INTO usage_hours (hour, label, without_service) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (hour) DO UPDATE SET without_service = without_service + ?3",
        &st, "usage count");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, hour);
    sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, without_service);
    return bm_outbox_db_step_done(ob, st, "usage count");
}

static enum bm_err add_service(struct bm_outbox *ob, int64_t hour, const struct bm_usage_session *s)
{
    /* The bucket's column is one of b0..b6, chosen here, never from input. */
    unsigned b = bm_usage_bucket(s->duration_s);
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO usage_services (hour, service, starts, completions, durations, "
             "duration_sum, b%u) VALUES (?1, ?2, 1, ?3, ?3, ?4, ?3) "
             "ON CONFLICT (hour, service) DO UPDATE SET starts = starts + 1, "
             "completions = completions + ?3, durations = durations + ?3, "
             "duration_sum = duration_sum + ?4, b%u = b%u + ?3",
             b, b, b);
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob, sql, &st, "usage count");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, hour);
    sqlite3_bind_text(st, 2, s->service, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, s->completed);
    sqlite3_bind_int64(st, 4, s->completed ? (sqlite3_int64)s->duration_s : 0);
    err = bm_outbox_db_step_done(ob, st, "usage count");
    if (err != BM_OK || s->completed)
        return err;
    err = bm_outbox_db_prepare(
        ob,
        "INSERT INTO usage_left (hour, service, place, count) VALUES (?1, ?2, ?3, 1) "
        "ON CONFLICT (hour, service, place) DO UPDATE SET count = count + 1",
        &st, "usage count");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, hour);
    sqlite3_bind_text(st, 2, s->service, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, bm_usage_place_name(s->left_at), -1, SQLITE_STATIC);
    return bm_outbox_db_step_done(ob, st, "usage count");
}

static enum bm_err add_error(struct bm_outbox *ob, int64_t hour, const struct bm_usage_event *ev)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob,
        "INSERT INTO usage_errors (hour, class, error, count) VALUES (?1, ?2, ?3, 1) "
        "ON CONFLICT (hour, class, error) DO UPDATE SET count = count + 1",
        &st, "usage count");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, hour);
    sqlite3_bind_text(st, 2, bm_device_class_name(ev->cls), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, bm_err_name(ev->err), -1, SQLITE_STATIC);
    return bm_outbox_db_step_done(ob, st, "usage count");
}

enum bm_err bm_outbox_usage_record(struct bm_outbox *ob, const struct bm_usage_event *ev)
{
    enum bm_err err = bm_usage_event_check(ev);
    if (err != BM_OK)
        return err;
    bool session = ev->kind == BM_USAGE_SESSION;
    int64_t hour;
    char label[32];
    bm_usage_hour_of(session ? ev->session.started_s : ev->at_s, &hour, label);
    err = bm_outbox_db_begin(ob, "usage count");
    if (err == BM_OK)
        err = add_hour(ob, hour, label, session && !ev->session.service[0]);
    if (err == BM_OK && session && ev->session.service[0])
        err = add_service(ob, hour, &ev->session);
    if (err == BM_OK && !session)
        err = add_error(ob, hour, ev);
    return bm_outbox_db_finish(ob, err, "usage count");
}

/* ---- reading a batch ---- */

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static uint64_t column_count(sqlite3_stmt *st, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(st, col);
    return v > 0 ? (uint64_t)v : 0;
}

/* Grows *arr (of *cap elements of size each) to hold one more; false without memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, c * size);
    if (!p)
        return false;
    *arr = p;
    *cap = c;
    return true;
}

/* The index of the batch's hour that starts at hour, from *from on (rows come in order). */
static size_t hour_index(const struct bm_usage_batch *b, int64_t hour, size_t *from)
{
    while (*from < b->n_hours && b->hours[*from].start < hour)
        (*from)++;
    return *from;
}

static enum bm_err read_hours(struct bm_outbox *ob, struct bm_usage_batch *b)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob, "SELECT hour, label, without_service FROM usage_hours ORDER BY hour LIMIT ?1", &st,
        "usage batch");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int(st, 1, BM_USAGE_BATCH_HOURS);
    b->hours = calloc(BM_USAGE_BATCH_HOURS, sizeof *b->hours);
    int rc = SQLITE_NOMEM;
    while (b->hours && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct bm_usage_hour_counts *h = &b->hours[b->n_hours++];
        h->start = sqlite3_column_int64(st, 0);
        copy_text(h->label, sizeof h->label, st, 1);
        h->sessions_without_service = column_count(st, 2);
    }
    err = rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, "usage batch");
    sqlite3_finalize(st);
    return err;
}

static enum bm_err read_services(struct bm_outbox *ob, struct bm_usage_batch *b, int64_t last)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(
        ob,
        "SELECT hour, service, starts, completions, durations, duration_sum, b0, b1, b2, b3, "
        "b4, b5, b6 FROM usage_services WHERE hour <= ?1 ORDER BY hour, service",
        &st, "usage batch");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, last);
    size_t cap = 0, h = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!grow((void **)&b->services, &cap, b->n_services, sizeof *b->services)) {
            rc = SQLITE_NOMEM;
            break;
        }
        struct bm_usage_service_counts *s = &b->services[b->n_services++];
        *s = (struct bm_usage_service_counts){.hour =
                                                  hour_index(b, sqlite3_column_int64(st, 0), &h)};
        copy_text(s->service, sizeof s->service, st, 1);
        s->starts = column_count(st, 2);
        s->completions = column_count(st, 3);
        s->durations = column_count(st, 4);
        s->duration_sum = column_count(st, 5);
        for (int k = 0; k < BM_USAGE_BUCKETS; k++)
            s->buckets[k] = column_count(st, 6 + k);
    }
    err = rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, "usage batch");
    sqlite3_finalize(st);
    return err;
}

static unsigned place_of(const char *name)
{
    for (unsigned p = 0; p < BM_USAGE_PLACES; p++)
        if (strcmp(bm_usage_place_name(p), name) == 0)
            return p;
    return BM_USAGE_PLACES;
}

/* Abandonments, onto the services read before (same order: hour, then service). */
static enum bm_err read_left(struct bm_outbox *ob, struct bm_usage_batch *b, int64_t last)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob,
                                           "SELECT hour, service, place, count FROM usage_left "
                                           "WHERE hour <= ?1 ORDER BY hour, service",
                                           &st, "usage batch");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, last);
    size_t h = 0, s = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t hi = hour_index(b, sqlite3_column_int64(st, 0), &h);
        const char *service = (const char *)sqlite3_column_text(st, 1);
        while (s < b->n_services &&
               (b->services[s].hour < hi || (b->services[s].hour == hi && service &&
                                             strcmp(b->services[s].service, service) < 0)))
            s++;
        unsigned p = place_of((const char *)sqlite3_column_text(st, 2));
        if (s < b->n_services && b->services[s].hour == hi && p < BM_USAGE_PLACES)
            b->services[s].left[p] += column_count(st, 3);
    }
    err = rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, "usage batch");
    sqlite3_finalize(st);
    return err;
}

static enum bm_err read_errors(struct bm_outbox *ob, struct bm_usage_batch *b, int64_t last)
{
    sqlite3_stmt *st;
    enum bm_err err = bm_outbox_db_prepare(ob,
                                           "SELECT hour, class, error, count FROM usage_errors "
                                           "WHERE hour <= ?1 ORDER BY hour, class, error",
                                           &st, "usage batch");
    if (err != BM_OK)
        return err;
    sqlite3_bind_int64(st, 1, last);
    size_t cap = 0, h = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!grow((void **)&b->errors, &cap, b->n_errors, sizeof *b->errors)) {
            rc = SQLITE_NOMEM;
            break;
        }
        struct bm_usage_error_count *e = &b->errors[b->n_errors++];
        e->hour = hour_index(b, sqlite3_column_int64(st, 0), &h);
        copy_text(e->cls, sizeof e->cls, st, 1);
        copy_text(e->error, sizeof e->error, st, 2);
        e->count = column_count(st, 3);
    }
    err = rc == SQLITE_DONE ? BM_OK : bm_outbox_db_fail(ob, rc, "usage batch");
    sqlite3_finalize(st);
    return err;
}

/* Keeps only the first n hours (and what belongs to them). */
static void keep_hours(struct bm_usage_batch *b, size_t n)
{
    b->n_hours = n;
    while (b->n_services && b->services[b->n_services - 1].hour >= n)
        b->n_services--;
    while (b->n_errors && b->errors[b->n_errors - 1].hour >= n)
        b->n_errors--;
}

/* ---- taking a batch ---- */

static enum bm_err insert_item(struct bm_outbox *ob, const char *body, size_t len, int64_t now_ms)
{
    unsigned char random[16], digest[DIGEST_BYTES];
    char hex[2 * sizeof random + 1], key[48];
    randombytes_buf(random, sizeof random);
    sodium_bin2hex(hex, sizeof hex, random, sizeof random);
    snprintf(key, sizeof key, "usage-%s", hex);
    crypto_generichash(digest, sizeof digest, (const unsigned char *)body, len, ob->digest_key,
                       BM_OUTBOX_KEY_BYTES);
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob,
                             "INSERT INTO items (kind, key, grp, personal, created_ms, digest, "
                             "body) VALUES (?1, ?2, '', 0, ?3, ?4, ?5)",
                             &st, "usage batch");
    if (err != BM_OK)
        return err;
    sqlite3_bind_text(st, 1, bm_outbox_kind_name(BM_OUTBOX_USAGE), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms);
    sqlite3_bind_blob(st, 4, digest, sizeof digest, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 5, body, len, SQLITE_STATIC);
    return bm_outbox_db_step_done(ob, st, "usage batch");
}

static enum bm_err delete_counts(struct bm_outbox *ob, int64_t last)
{
    static const char *const tables[] = {"usage_hours", "usage_services", "usage_left",
                                         "usage_errors"};
    enum bm_err err = BM_OK;
    for (size_t i = 0; i < sizeof tables / sizeof *tables && err == BM_OK; i++) {
        char sql[80];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE hour <= ?1", tables[i]);
        sqlite3_stmt *st;
        err = bm_outbox_db_prepare(ob, sql, &st, "usage batch");
        if (err == BM_OK) {
            sqlite3_bind_int64(st, 1, last);
            err = bm_outbox_db_step_done(ob, st, "usage batch");
        }
    }
    return err;
}

/* Inside the transaction: read, cut to size, put, delete. */
static enum bm_err take(struct bm_outbox *ob, int64_t now_ms, size_t *hours)
{
    struct bm_usage_batch b = {0};
    enum bm_err err = read_hours(ob, &b);
    if (err != BM_OK || b.n_hours == 0) {
        bm_usage_batch_free(&b);
        return err;
    }
    int64_t last = b.hours[b.n_hours - 1].start;
    err = read_services(ob, &b, last);
    if (err == BM_OK)
        err = read_left(ob, &b, last);
    if (err == BM_OK)
        err = read_errors(ob, &b, last);
    char *body = NULL;
    size_t len = 0;
    while (err == BM_OK) {
        body = bm_usage_batch_json(&b, &len);
        if (!body)
            err = bm_err_set(BM_ERR_NO_MEMORY, "usage batch: JSON");
        else if (len > BM_USAGE_BODY_MAX && b.n_hours > 1) {
            free(body);
            body = NULL;
            keep_hours(&b, b.n_hours / 2); /* the rest goes in the next batch */
        } else
            break;
    }
    if (err == BM_OK && len > BM_USAGE_BODY_MAX)
        err = bm_err_set(BM_ERR_INTERNAL, "usage batch: one hour takes %zu bytes", len);
    if (err == BM_OK)
        err = insert_item(ob, body, len, now_ms);
    if (err == BM_OK)
        err = delete_counts(ob, b.hours[b.n_hours - 1].start);
    if (err == BM_OK)
        *hours = b.n_hours;
    free(body);
    bm_usage_batch_free(&b);
    return err;
}

enum bm_err bm_outbox_usage_take(struct bm_outbox *ob, int64_t now_ms, size_t *hours)
{
    *hours = 0;
    enum bm_err err = bm_outbox_db_begin(ob, "usage batch");
    if (err == BM_OK)
        err = take(ob, now_ms, hours);
    err = bm_outbox_db_finish(ob, err, "usage batch");
    if (err != BM_OK)
        *hours = 0;
    return err;
}

enum bm_err bm_outbox_usage_take_all(struct bm_outbox *ob, int64_t now_ms, size_t *batches)
{
    size_t made = 0, hours = 0, total = 0;
    enum bm_err err;
    /* Each take removes what it took, so this ends; the bound only guards against a bug. */
    while ((err = bm_outbox_usage_take(ob, now_ms, &hours)) == BM_OK && hours > 0 &&
           made < 1000000) {
        made++;
        total += hours;
    }
    if (made)
        bm_log_info("usage", "%zu usage batches queued (%zu hours)", made, total);
    if (batches)
        *batches = made;
    return err;
}

enum bm_err bm_outbox_usage_hours(struct bm_outbox *ob, uint64_t *hours)
{
    *hours = 0;
    sqlite3_stmt *st;
    enum bm_err err =
        bm_outbox_db_prepare(ob, "SELECT COUNT(*) FROM usage_hours", &st, "usage hours");
    if (err != BM_OK)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *hours = column_count(st, 0);
    else
        err = bm_outbox_db_fail(ob, rc, "usage hours");
    sqlite3_finalize(st);
    return err;
}
