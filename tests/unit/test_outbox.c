/*
 * test_outbox.c - the durable outbox on a real SQLite file: order within a group, idempotent
 * puts, acknowledgement and tombstones, deferral, dead letters (group, retry, export),
 * encryption at rest (the plaintext is in neither the database nor its WAL; a wrong key
 * cannot open it), the key file's rules, the size cap and a full disk (RLIMIT_FSIZE), a
 * damaged database, and that everything survives closing and reopening; application numbers
 * (a daily sequence in the local date, allocated only by a put that commits).
 */
#include "test_support.h"

#include "services/outbox.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct rig {
    char dir[4096], db[4400], key[4200];
    struct bm_outbox *ob;
};

static struct rig rig;

static void open_rig(uint64_t max_bytes)
{
    struct bm_outbox_config cfg = {.path = rig.db, .key_path = rig.key, .max_bytes = max_bytes};
    assert_int_equal(bm_outbox_open(&cfg, &rig.ob), BM_OK);
}

static int setup(void **state)
{
    snprintf(rig.dir, sizeof rig.dir, "%s", bm_test_mkdtemp("outbox"));
    snprintf(rig.db, sizeof rig.db, "%s/outbox.db", rig.dir);
    snprintf(rig.key, sizeof rig.key, "%s/outbox.key", rig.dir);
    open_rig(0);
    return 0;
}

static int teardown(void **state)
{
    bm_outbox_close(rig.ob);
    rig.ob = NULL;
    return 0;
}

static void reopen(void)
{
    bm_outbox_close(rig.ob);
    open_rig(0);
}

static enum bm_err put(enum bm_outbox_kind kind, const char *key, const char *group, bool personal,
                       const char *body)
{
    struct bm_outbox_put p = {kind, key, group, personal, body, strlen(body), 1000};
    return bm_outbox_put(rig.ob, &p, NULL);
}

/* Takes the next item due at now and checks its key; returns its id. */
static int64_t expect_next(int64_t now, const char *key)
{
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, now, &it, NULL), BM_OK);
    assert_string_equal(it.key, key);
    int64_t id = it.id;
    bm_outbox_item_clear(&it);
    return id;
}

static void expect_nothing_due(int64_t now, int64_t want_next_due)
{
    struct bm_outbox_item it;
    int64_t due = 0;
    assert_int_equal(bm_outbox_next(rig.ob, now, &it, &due), BM_ERR_NOT_FOUND);
    assert_int_equal(due, want_next_due);
}

static void test_order_ack_and_groups(void **state)
{
    expect_nothing_due(0, INT64_MAX);
    assert_int_equal(put(BM_OUTBOX_APPLICATION, "A1", "A", true, "{\"app\":1}"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_RATING, "R1", "", false, "{\"stars\":5}"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_FILE, "A1/f1", "A", true, "scan bytes"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_SUBMIT, "A1/submit", "A", false, "{}"), BM_OK);

    /* The application goes first; its file waits behind it even when the rating is deferred. */
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "A1");
    assert_int_equal(it.kind, BM_OUTBOX_APPLICATION);
    assert_true(it.personal);
    assert_int_equal(it.len, strlen("{\"app\":1}"));
    assert_memory_equal(it.body, "{\"app\":1}", it.len);
    int64_t a1 = it.id;
    bm_outbox_item_clear(&it);
    bm_outbox_item_clear(&it); /* twice is harmless */

    assert_int_equal(bm_outbox_defer(rig.ob, a1, 5000, "503"), BM_OK);
    int64_t r1 = expect_next(0, "R1"); /* another group (none) may pass */
    assert_int_equal(bm_outbox_defer(rig.ob, r1, 7000, "503"), BM_OK);
    expect_nothing_due(0, 5000); /* A1/f1 may not overtake A1 */

    assert_int_equal(bm_outbox_next(rig.ob, 5000, &it, NULL), BM_OK);
    assert_string_equal(it.key, "A1");
    assert_int_equal(it.attempts, 1);
    bm_outbox_item_clear(&it);
    assert_int_equal(bm_outbox_ack(rig.ob, a1, 6000), BM_OK);
    assert_int_equal(bm_outbox_ack(rig.ob, a1, 6000), BM_ERR_NOT_FOUND);

    int64_t f1 = expect_next(6000, "A1/f1");
    assert_int_equal(bm_outbox_ack(rig.ob, f1, 6000), BM_OK);
    /* Survives a reopen, order and all. */
    reopen();
    int64_t sub = expect_next(6000, "A1/submit");
    assert_int_equal(bm_outbox_ack(rig.ob, sub, 6000), BM_OK);
    expect_next(7000, "R1");

    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_int_equal(st.queued, 1);
    assert_true(st.file_bytes > 0);
    assert_int_equal(st.delivered, 3);
    assert_int_equal(st.dead, 0);
    assert_int_equal(st.oldest_ms, 1000);
}

/* An application's steps: each marked sent lets the next go; the submit acknowledges all. */
static void test_application_steps(void **state)
{
    assert_int_equal(put(BM_OUTBOX_APPLICATION, "D1", "D", true, "{\"app\":4}"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_FILE, "D1/hukou-1", "D", true, "page"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_SUBMIT, "D1/submit", "D", false, "{}"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_RATING, "R9", "", false, "{\"stars\":3}"), BM_OK);

    int64_t app = expect_next(0, "D1");
    assert_int_equal(bm_outbox_mark_sent(rig.ob, app), BM_OK);
    int64_t file = expect_next(0, "D1/hukou-1");
    assert_int_equal(bm_outbox_mark_sent(rig.ob, file), BM_OK);
    /* The centre lost the application: everything goes again from the PUT, data intact. */
    assert_int_equal(bm_outbox_resend_group(rig.ob, "D"), BM_OK);
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "D1");
    assert_memory_equal(it.body, "{\"app\":4}", it.len);
    bm_outbox_item_clear(&it);
    assert_int_equal(bm_outbox_mark_sent(rig.ob, app), BM_OK);
    assert_int_equal(bm_outbox_mark_sent(rig.ob, file), BM_OK);
    reopen(); /* the marks are durable */
    int64_t submit = expect_next(0, "D1/submit");
    assert_int_equal(bm_outbox_mark_sent(rig.ob, submit), BM_OK);
    int64_t rating = expect_next(0, "R9"); /* the whole group is sent, waiting for its ack */
    assert_int_equal(bm_outbox_mark_sent(rig.ob, rating), BM_ERR_NOT_FOUND); /* no group */

    /* The submit's 2xx: the application, its file and the submit go, keys remembered. */
    assert_int_equal(bm_outbox_ack_group(rig.ob, "D", 10), BM_OK);
    assert_int_equal(bm_outbox_ack_group(rig.ob, "D", 10), BM_ERR_NOT_FOUND);
    assert_int_equal(bm_outbox_resend_group(rig.ob, "D"), BM_ERR_NOT_FOUND);
    bool queued = true;
    struct bm_outbox_put p = {BM_OUTBOX_FILE, "D1/hukou-1", "D", true, "page", 4, 11};
    assert_int_equal(bm_outbox_put(rig.ob, &p, &queued), BM_OK);
    assert_false(queued);
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.delivered, 3);
}

/* How many bytes of digest the sent row of key holds (-1: no row), read with SQLite. */
static int sent_digest_bytes(const char *key)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(rig.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT LENGTH(digest) FROM sent WHERE key = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_put_is_idempotent(void **state)
{
    bool queued = false;
    struct bm_outbox_put p = {BM_OUTBOX_APPLICATION, "BM1", "BM1", true, "same", 4, 1};
    assert_int_equal(bm_outbox_put(rig.ob, &p, &queued), BM_OK);
    assert_true(queued);
    assert_int_equal(bm_outbox_put(rig.ob, &p, &queued), BM_OK);
    assert_false(queued);
    p.body = "diff";
    assert_int_equal(bm_outbox_put(rig.ob, &p, &queued), BM_ERR_STATE);

    /* Once delivered, the same put is still a no-op: nothing goes twice. */
    int64_t id = expect_next(0, "BM1");
    assert_int_equal(bm_outbox_ack(rig.ob, id, 2), BM_OK);
    p.body = "same";
    assert_int_equal(bm_outbox_put(rig.ob, &p, &queued), BM_OK);
    assert_false(queued);
    expect_nothing_due(0, INT64_MAX);
    /* A delivered personal item left its key only (no digest to compare): any body is
     * "already delivered". A delivered non-personal one keeps its digest. */
    p.body = "diff";
    assert_int_equal(bm_outbox_put(rig.ob, &p, &queued), BM_OK);
    assert_false(queued);
    assert_int_equal(put(BM_OUTBOX_RATING, "R1", "", false, "{\"score\": 5}"), BM_OK);
    assert_int_equal(bm_outbox_ack(rig.ob, expect_next(0, "R1"), 2), BM_OK);
    assert_int_equal(sent_digest_bytes("BM1"), 0);
    assert_int_equal(sent_digest_bytes("R1"), 32);
    assert_int_equal(put(BM_OUTBOX_RATING, "R1", "", false, "{\"score\": 1}"), BM_ERR_STATE);

    /* All or nothing: the third item conflicts, so the first two are not queued either. */
    struct bm_outbox_put three[3] = {
        {BM_OUTBOX_APPLICATION, "E1", "E", true, "{}", 2, 1},
        {BM_OUTBOX_FILE, "E1/f", "E", true, "x", 1, 1},
        {BM_OUTBOX_RATING, "R1", "", false, "another", 7, 1},
    };
    size_t added = 9;
    assert_int_equal(bm_outbox_put_all(rig.ob, three, 3, &added), BM_ERR_STATE);
    assert_int_equal(added, 0);
    expect_nothing_due(0, INT64_MAX);
    assert_int_equal(bm_outbox_put_all(rig.ob, three, 2, &added), BM_OK);
    assert_int_equal(added, 2);
    expect_next(0, "E1");

    /* An empty body (a submit) comes back empty. */
    assert_int_equal(put(BM_OUTBOX_SUBMIT, "E1/submit", "E", false, ""), BM_OK);
    int64_t e1 = expect_next(0, "E1");
    assert_int_equal(bm_outbox_mark_sent(rig.ob, e1), BM_OK);
    int64_t ef = expect_next(0, "E1/f");
    assert_int_equal(bm_outbox_mark_sent(rig.ob, ef), BM_OK);
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "E1/submit");
    assert_int_equal(it.len, 0);
    bm_outbox_item_clear(&it);

    /* Bad arguments. */
    p.key = "has space";
    assert_int_equal(bm_outbox_put(rig.ob, &p, NULL), BM_ERR_INVALID_ARG);
    p.key = "";
    assert_int_equal(bm_outbox_put(rig.ob, &p, NULL), BM_ERR_INVALID_ARG);
    p.key = "ok";
    p.kind = BM_OUTBOX_KIND_COUNT;
    assert_int_equal(bm_outbox_put(rig.ob, &p, NULL), BM_ERR_INVALID_ARG);
}

static bool collect(const struct bm_outbox_dead *d, void *ud)
{
    struct bm_outbox_dead *out = ud;
    for (int i = 0; i < 4; i++)
        if (out[i].id == 0) {
            out[i] = *d;
            break;
        }
    return true;
}

static void test_dead_letters(void **state)
{
    assert_int_equal(put(BM_OUTBOX_APPLICATION, "B1", "B", true, "{\"b\":1}"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_FILE, "B1/f1", "B", true, "scan"), BM_OK);
    assert_int_equal(put(BM_OUTBOX_FEEDBACK, "F1", "", false, "{\"text\":\"a \\\"quote\\\"\"}"),
                     BM_OK);
    int64_t b1 = expect_next(0, "B1");
    assert_int_equal(bm_outbox_dead_letter(rig.ob, b1, 422, "field \"phone\" invalid", 9), BM_OK);
    /* The file of the refused application went with it; the feedback goes on. */
    expect_next(0, "F1");

    struct bm_outbox_dead dead[4] = {0};
    assert_int_equal(bm_outbox_dead_list(rig.ob, collect, dead), BM_OK);
    assert_string_equal(dead[0].key, "B1");
    assert_int_equal(dead[0].status, 422);
    assert_string_equal(dead[0].reason, "field \"phone\" invalid");
    assert_string_equal(dead[1].key, "B1/f1");
    assert_non_null(strstr(dead[1].reason, "held back"));
    assert_int_equal(dead[2].id, 0);

    /* Export: one JSON line each, personal bodies still encrypted. */
    char path[4300];
    snprintf(path, sizeof path, "%s/dead.jsonl", rig.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(bm_outbox_dead_export(rig.ob, f), BM_OK);
    fclose(f);
    char *text = bm_test_read_file(path, NULL);
    assert_non_null(strstr(text, "\"key\": \"B1\""));
    assert_non_null(strstr(text, "\"reason\": \"field \\\"phone\\\" invalid\""));
    assert_non_null(strstr(text, "\"encrypted\": true"));
    assert_null(strstr(text, "c2Nhbg==")); /* base64 of the plaintext "scan" */
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2);
    free(text);

    /* Retry puts the group back, in its old order, due now. */
    assert_int_equal(bm_outbox_dead_retry(rig.ob, dead[1].id), BM_OK);
    assert_int_equal(bm_outbox_dead_retry(rig.ob, dead[1].id), BM_ERR_NOT_FOUND);
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "B1");
    assert_int_equal(it.attempts, 0);
    assert_memory_equal(it.body, "{\"b\":1}", it.len);
    bm_outbox_item_clear(&it);
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_int_equal(st.dead, 0);
    assert_int_equal(st.queued, 3);
}

/* Whether the n bytes of needle occur in the file (absent file: false). */
static bool file_has_bytes(const char *path, const void *needle, size_t n)
{
    size_t len = 0;
    char *data = bm_test_read_file(path, &len);
    bool found = false;
    for (size_t i = 0; data && i + n <= len && !found; i++)
        found = memcmp(data + i, needle, n) == 0;
    free(data);
    return found;
}

static bool file_has(const char *path, const char *needle)
{
    return file_has_bytes(path, needle, strlen(needle));
}

/* 32 bytes from the middle of the body of key as stored, read on a second connection. */
static void stored_sample(const char *key, unsigned char out[32])
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(rig.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT body FROM items WHERE key = ?", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_bytes(st, 0);
    assert_true(n >= 64);
    memcpy(out, (const unsigned char *)sqlite3_column_blob(st, 0) + n / 2 - 16, 32);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_encrypted_at_rest_and_deleted(void **state)
{
    const char *secret = "RESIDENT-NAME-ZHANG-SAN-110101199003071234";
    const char *plain = "USAGE-COUNTER-PUBLIC-DATA";
    assert_int_equal(put(BM_OUTBOX_APPLICATION, "C1", "C", true, secret), BM_OK);
    assert_int_equal(put(BM_OUTBOX_USAGE, "U1", "", false, plain), BM_OK);
    char wal[4500];
    snprintf(wal, sizeof wal, "%s-wal", rig.db);
    assert_false(file_has(rig.db, secret));
    assert_false(file_has(wal, secret));
    /* The test can see what is stored: the public item is in plain text. */
    assert_true(file_has(rig.db, plain) || file_has(wal, plain));

    /* Another key cannot open it: the item goes to the dead letters with the reason. */
    bm_outbox_close(rig.ob);
    rig.ob = NULL;
    char other[4300];
    snprintf(other, sizeof other, "%s/other.key", rig.dir);
    struct bm_outbox_config cfg = {.path = rig.db, .key_path = other};
    assert_int_equal(bm_outbox_open(&cfg, &rig.ob), BM_OK);
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_ERR_PARSE);
    assert_null(it.body);
    expect_next(0, "U1");
    bm_outbox_close(rig.ob);
    rig.ob = NULL;

    /* With the right key (retried), then acknowledged: gone from the file and its WAL. */
    open_rig(0);
    struct bm_outbox_dead dead[4] = {0};
    assert_int_equal(bm_outbox_dead_list(rig.ob, collect, dead), BM_OK);
    assert_string_equal(dead[0].key, "C1");
    assert_non_null(strstr(dead[0].reason, "does not decrypt"));
    assert_int_equal(bm_outbox_dead_retry(rig.ob, dead[0].id), BM_OK);
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "C1");
    assert_memory_equal(it.body, secret, strlen(secret));
    unsigned char sealed[32];
    stored_sample("C1", sealed);
    assert_true(file_has_bytes(rig.db, sealed, 32) || file_has_bytes(wal, sealed, 32));
    assert_int_equal(bm_outbox_ack(rig.ob, it.id, 5), BM_OK);
    bm_outbox_item_clear(&it);
    /* Not even the ciphertext is left behind, in the database or in its WAL. */
    assert_false(file_has_bytes(rig.db, sealed, 32));
    assert_false(file_has_bytes(wal, sealed, 32));
    reopen();
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.delivered, 1);
}

static void test_key_file_rules(void **state)
{
    bm_outbox_close(rig.ob);
    rig.ob = NULL;
    struct stat st;
    assert_int_equal(stat(rig.key, &st), 0); /* made by the first open */
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);

    struct bm_outbox_config cfg = {.path = rig.db, .key_path = rig.key};
    struct bm_outbox *ob = NULL;
    assert_int_equal(chmod(rig.key, 0644), 0);
    assert_int_equal(bm_outbox_open(&cfg, &ob), BM_ERR_CONFIG);
    assert_null(ob);
    assert_non_null(strstr(bm_err_detail(), "chmod 600"));
    assert_int_equal(chmod(rig.key, 0600), 0);

    char shortkey[4300];
    snprintf(shortkey, sizeof shortkey, "%s", bm_test_write_file(rig.dir, "short.key", "abc"));
    assert_int_equal(chmod(shortkey, 0600), 0);
    cfg.key_path = shortkey;
    assert_int_equal(bm_outbox_open(&cfg, &ob), BM_ERR_CONFIG);
    assert_non_null(strstr(bm_err_detail(), "expected 32"));
    cfg.key_path = rig.dir; /* a directory */
    assert_int_equal(bm_outbox_open(&cfg, &ob), BM_ERR_CONFIG);
    open_rig(0);
}

static void test_damaged_database(void **state)
{
    bm_outbox_close(rig.ob);
    rig.ob = NULL;
    char bad[4300];
    snprintf(bad, sizeof bad, "%s",
             bm_test_write_file(rig.dir, "bad.db",
                                "this is not a database, it is a text file "
                                "long enough to look like a header......."));
    struct bm_outbox_config cfg = {.path = bad, .key_path = rig.key};
    struct bm_outbox *ob = NULL;
    assert_int_equal(bm_outbox_open(&cfg, &ob), BM_ERR_PARSE);
    assert_null(ob);
    /* Left as it was, for technicians. */
    char *text = bm_test_read_file(bad, NULL);
    assert_non_null(strstr(text, "not a database"));
    free(text);
    open_rig(0);
}

static void test_size_cap(void **state)
{
    bm_outbox_close(rig.ob);
    open_rig(256 * 1024); /* 64 pages */
    static char body[40000];
    memset(body, 'x', sizeof body - 1);
    int stored = 0;
    enum bm_err err = BM_OK;
    char key[32];
    for (int i = 0; i < 40 && err == BM_OK; i++) {
        snprintf(key, sizeof key, "K%d", i);
        err = put(BM_OUTBOX_FILE, key, "", true, body);
        stored += err == BM_OK;
    }
    assert_int_equal(err, BM_ERR_NO_SPACE);
    assert_non_null(strstr(bm_err_detail(), "size cap"));
    assert_true(stored >= 3);
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_true(st.full);
    assert_int_equal(st.queued, (uint64_t)stored);
    assert_true(st.file_bytes <= 256 * 1024);

    /* Delivering makes room again; nothing queued was lost. */
    int64_t id = expect_next(0, "K0");
    assert_int_equal(bm_outbox_ack(rig.ob, id, 1), BM_OK);
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_false(st.full);
    assert_int_equal(put(BM_OUTBOX_FILE, key, "", true, body), BM_OK);
}

static void test_full_disk(void **state)
{
    bm_outbox_close(rig.ob);
    rig.ob = NULL;
    char disk[4300];
    snprintf(disk, sizeof disk, "%s/disk", rig.dir);
    assert_int_equal(mkdir(disk, 0700), 0);
    if (!bm_test_mount_small_disk(disk)) {
        if (bm_test_in_ci())
            fail_msg("cannot mount a small tmpfs for the full-disk test");
        skip();
    }
    snprintf(rig.db, sizeof rig.db, "%s/outbox.db", disk);
    open_rig(0);
    assert_int_equal(put(BM_OUTBOX_RATING, "before", "", false, "{\"stars\":4}"), BM_OK);
    static char body[300000];
    memset(body, 'y', sizeof body - 1);
    enum bm_err err = BM_OK;
    int stored = 0;
    char key[32];
    for (int i = 0; i < 10 && err == BM_OK; i++) {
        snprintf(key, sizeof key, "big%d", i);
        err = put(BM_OUTBOX_FILE, key, "", true, body);
        stored += err == BM_OK;
    }
    assert_int_equal(err, BM_ERR_NO_SPACE);
    assert_non_null(strstr(bm_err_detail(), "disk is full"));
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_true(st.full);

    /* Nothing lost, across a reopen; once items are delivered there is room again (for a
     * smaller one: a WAL database needs room for the new pages before it frees old ones). */
    reopen();
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_int_equal(st.queued, (uint64_t)stored + 1);
    int64_t id = expect_next(0, "before");
    assert_int_equal(bm_outbox_ack(rig.ob, id, 1), BM_OK);
    id = expect_next(0, "big0");
    assert_int_equal(bm_outbox_ack(rig.ob, id, 1), BM_OK);
    body[50000] = 0;
    assert_int_equal(put(BM_OUTBOX_FILE, key, "", true, body), BM_OK);
    assert_int_equal(bm_outbox_stats(rig.ob, &st), BM_OK);
    assert_false(st.full);
}

/* ---- application numbers ---- */

/* What the numbering tests put: an application whose body names its number, and its submit. */
struct numbered_app {
    bool fail;       /* the builder refuses */
    const char *big; /* a body of big_len bytes instead of the JSON */
    size_t big_len;
    char body[64], submit_key[40];
    struct bm_outbox_put items[2];
};

static enum bm_err build_app(const char *number, void *ud, const struct bm_outbox_put **items,
                             size_t *n)
{
    struct numbered_app *a = ud;
    if (a->fail)
        return bm_err_set(BM_ERR_INVALID_ARG, "the builder refuses");
    snprintf(a->body, sizeof a->body, "{\"application_no\": \"%s\"}", number);
    snprintf(a->submit_key, sizeof a->submit_key, "%s/submit", number);
    a->items[0] = (struct bm_outbox_put){BM_OUTBOX_APPLICATION,
                                         number,
                                         number,
                                         true,
                                         a->big ? a->big : a->body,
                                         a->big ? a->big_len : strlen(a->body),
                                         1};
    a->items[1] = (struct bm_outbox_put){BM_OUTBOX_SUBMIT, a->submit_key, number, false, "", 0, 1};
    *items = a->items;
    *n = 2;
    return BM_OK;
}

static void expect_number(int64_t now_ms, const char *want)
{
    struct numbered_app a = {0};
    char number[BM_OUTBOX_NUMBER_LEN + 1];
    assert_int_equal(bm_outbox_put_numbered(rig.ob, now_ms, build_app, &a, number), BM_OK);
    assert_string_equal(number, want);
}

static void set_last_number(long day, long last)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(rig.db, &db), SQLITE_OK);
    char sql[120];
    snprintf(sql, sizeof sql, "UPDATE numbers SET last = %ld WHERE day = %ld", last, day);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);
}

static void test_application_numbers(void **state)
{
    setenv("TZ", "CST-8", 1); /* Beijing time, UTC+8 (a POSIX rule: no time zone files needed) */
    const int64_t late = 1764518399000; /* 2025-11-30 15:59:59 UTC: 23:59:59 in Beijing */
    expect_number(late, "BM20251130000001");
    expect_number(late, "BM20251130000002");
    reopen(); /* the sequence lives in the database */
    expect_number(late, "BM20251130000003");
    expect_number(late + 1000, "BM20251201000001"); /* local midnight: a new day, from 1 */
    expect_number(late + 1000, "BM20251201000002");
    expect_number(late, "BM20251130000004"); /* the clock stepped back: no number again */

    /* The body made in the transaction names its number. */
    struct bm_outbox_item it;
    assert_int_equal(bm_outbox_next(rig.ob, 0, &it, NULL), BM_OK);
    assert_string_equal(it.key, "BM20251130000001");
    assert_int_equal(it.len, strlen("{\"application_no\": \"BM20251130000001\"}"));
    assert_memory_equal(it.body, "{\"application_no\": \"BM20251130000001\"}", it.len);
    bm_outbox_item_clear(&it);

    /* A put that fails takes no number: the builder's error, the size cap (a crash before
     * the commit is the same rollback: test_outbox_crash). */
    struct numbered_app refusing = {.fail = true};
    char number[BM_OUTBOX_NUMBER_LEN + 1] = "x";
    assert_int_equal(bm_outbox_put_numbered(rig.ob, late, build_app, &refusing, number),
                     BM_ERR_INVALID_ARG);
    assert_string_equal(number, "");
    bm_outbox_close(rig.ob);
    open_rig(256 * 1024);
    static char big[300000];
    struct numbered_app too_big = {.big = big, .big_len = sizeof big};
    assert_int_equal(bm_outbox_put_numbered(rig.ob, late, build_app, &too_big, number),
                     BM_ERR_NO_SPACE);
    assert_string_equal(number, "");
    expect_number(late, "BM20251130000005");

    /* A number some key already has (queued another way) is skipped. */
    assert_int_equal(put(BM_OUTBOX_RATING, "BM20251130000006", "", false, "{}"), BM_OK);
    expect_number(late, "BM20251130000007");

    /* Past 999999 in a day: a clear error, no wrap; the next day is not affected. */
    set_last_number(20251130, 999998);
    expect_number(late, "BM20251130999999");
    assert_int_equal(bm_outbox_put_numbered(rig.ob, late, build_app, &refusing, number),
                     BM_ERR_STATE);
    assert_non_null(strstr(bm_err_detail(), "all 999999 application numbers of 20251130"));
    assert_string_equal(number, "");
    expect_number(late + 1000, "BM20251201000003");
    unsetenv("TZ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_ack_and_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_application_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encrypted_at_rest_and_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_application_numbers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
