/*
 * test_outbox_crash.c - the outbox survives SIGKILL at any point (issue 6, point 7, the
 * kiosk's half: the delivery half joins it with the sync client).
 *
 * A child process works the outbox as the kiosk would: it puts applications (an application,
 * two files and a submit in one group, personal parts encrypted), takes what is due, and
 * defers it, or acknowledges it: even applications step by step, odd ones as the API has it
 * (each step marked sent, the submit acknowledging the whole group). After each call returns it
 * tells the parent, through a pipe, what now holds ("put K", "ack K"). The parent kills it with
 * SIGKILL after a random few milliseconds, ROUNDS times, each time reopening the same database and
 * checking:
 *   - it opens (integrity check passes) and a new child can go on where the last one stopped;
 *   - every put the child saw succeed is still there, queued or delivered: nothing lost;
 *   - every acknowledgement the child saw succeed holds: delivered, and not queued again;
 *   - no item is both queued and delivered, and the queued items of each group are a suffix
 *     of the order they were put in (nothing delivered out of order).
 * Each new child starts two applications back and puts them again, as a kiosk retrying after a
 * crash would: some of those items are already delivered. The outbox's idempotency makes
 * that harmless, which the checks above prove (without the delivered keys' memory they fail).
 */
#include "test_support.h"

#include "services/outbox.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS   200
#define PARTS    4 /* application, two files, submit */
#define MAX_APPS 20000

static char db_path[4200], key_path[4200];

static const char *part_name(int part)
{
    static const char *const names[PARTS] = {"app", "file1", "file2", "submit"};
    return names[part];
}

static void make_key(char *out, size_t size, int app, int part)
{
    snprintf(out, size, "BM%06d/%s", app, part_name(part));
}

/* What the parent learned from the children: per (app, part) whether put and ack held. */
static unsigned char put_held[MAX_APPS][PARTS], ack_held[MAX_APPS][PARTS];

/* The child: works until killed. Starts at app `from`, putting it (and the next) again. */
static void child(int fd, int from, unsigned seed)
{
    struct bm_outbox_config cfg = {.path = db_path, .key_path = key_path};
    struct bm_outbox *ob;
    if (bm_outbox_open(&cfg, &ob) != BM_OK)
        _exit(3);
    static char body[20000];
    char line[128], key[64], group[32];
    for (int app = from; app < MAX_APPS; app++) {
        snprintf(group, sizeof group, "BM%06d", app);
        for (int part = 0; part < PARTS; part++) {
            make_key(key, sizeof key, app, part);
            size_t len = part == 1 || part == 2 ? 4000 + (size_t)(app % 7) * 2000 : 300;
            memset(body, 'a' + part, len);
            memcpy(body, key, strlen(key) + 1); /* the body names its key */
            struct bm_outbox_put p = {part == 0   ? BM_OUTBOX_APPLICATION
                                      : part == 3 ? BM_OUTBOX_SUBMIT
                                                  : BM_OUTBOX_FILE,
                                      key,
                                      group,
                                      part != 3,
                                      body,
                                      len,
                                      app};
            if (bm_outbox_put(ob, &p, NULL) != BM_OK)
                _exit(4);
            int n = snprintf(line, sizeof line, "put %d %d\n", app, part);
            if (write(fd, line, (size_t)n) != n)
                _exit(5);
        }
        /* Deliver what is due, more than was put, so recent applications get delivered:
         * most acknowledged, some deferred a moment. */
        struct bm_outbox_item it;
        for (int k = 0; k < 6 && bm_outbox_next(ob, app, &it, NULL) == BM_OK; k++) {
            int a, part = -1;
            char name[16];
            if (sscanf(it.key, "BM%d/%15s", &a, name) != 2 ||
                strncmp((const char *)it.body, it.key, strlen(it.key)) != 0)
                _exit(6); /* a body that does not belong to its key */
            for (int q = 0; q < PARTS; q++)
                if (strcmp(name, part_name(q)) == 0)
                    part = q;
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 5 == 0) {
                if (bm_outbox_defer(ob, it.id, app + 2, "503") != BM_OK)
                    _exit(7);
            } else if (a % 2 == 0) { /* acknowledged step by step */
                if (bm_outbox_ack(ob, it.id, app) != BM_OK)
                    _exit(8);
                int n = snprintf(line, sizeof line, "ack %d %d\n", a, part);
                if (write(fd, line, (size_t)n) != n)
                    _exit(9);
            } else if (part < PARTS - 1) { /* as the API has it: sent, kept until the submit */
                if (bm_outbox_mark_sent(ob, it.id) != BM_OK)
                    _exit(10);
            } else { /* the submit's 2xx acknowledges the whole application */
                snprintf(group, sizeof group, "BM%06d", a);
                if (bm_outbox_ack_group(ob, group, app) != BM_OK)
                    _exit(11);
                for (int q = 0; q < PARTS; q++) {
                    int n = snprintf(line, sizeof line, "ack %d %d\n", a, q);
                    if (write(fd, line, (size_t)n) != n)
                        _exit(9);
                }
            }
            bm_outbox_item_clear(&it);
        }
    }
    bm_outbox_close(ob);
    _exit(0);
}

/* Reads what the killed child reported; returns the highest app it started putting. */
static int absorb(FILE *in, int highest)
{
    char line[128];
    while (fgets(line, sizeof line, in)) {
        int app, part;
        if (sscanf(line, "put %d %d", &app, &part) == 2 && app < MAX_APPS && part < PARTS) {
            put_held[app][part] = 1;
            if (app > highest)
                highest = app;
        } else if (sscanf(line, "ack %d %d", &app, &part) == 2 && app < MAX_APPS && part < PARTS) {
            ack_held[app][part] = 1;
        }
        /* A line cut by the kill is simply not counted: the child had not reported it. */
    }
    return highest;
}

/* Where key is now: 1 queued, 2 delivered, 3 both (a defect), 0 nowhere. */
static int where(sqlite3 *db, const char *key)
{
    int at = 0;
    static const char *const sql[2] = {"SELECT 1 FROM items WHERE key = ?",
                                       "SELECT 1 FROM sent WHERE key = ?"};
    for (int t = 0; t < 2; t++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql[t], -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            at |= 1 << t;
        sqlite3_finalize(st);
    }
    return at;
}

static void check_invariants(int highest)
{
    /* Opening runs the integrity check; the child reopens it next round too. */
    struct bm_outbox_config cfg = {.path = db_path, .key_path = key_path};
    struct bm_outbox *ob;
    assert_int_equal(bm_outbox_open(&cfg, &ob), BM_OK);
    bm_outbox_close(ob);

    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char key[64];
    for (int app = 0; app <= highest; app++) {
        bool queued_seen = false;
        for (int part = 0; part < PARTS; part++) {
            make_key(key, sizeof key, app, part);
            int at = where(db, key);
            if (at == 3)
                fail_msg("%s is both queued and delivered", key);
            if (put_held[app][part] && at == 0)
                fail_msg("%s was put (the child saw BM_OK) and is lost", key);
            if (ack_held[app][part] && at != 2)
                fail_msg("%s was acknowledged and is %s", key, at == 1 ? "queued again" : "lost");
            /* In a group, once one part is still queued, no later part may be delivered. */
            if (at == 1)
                queued_seen = true;
            else if (at == 2 && queued_seen)
                fail_msg("%s was delivered before an earlier part of its application", key);
        }
    }
    sqlite3_close(db);
}

static void test_sigkill_anywhere(void **state)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("outbox-crash"));
    snprintf(db_path, sizeof db_path, "%s/outbox.db", dir);
    snprintf(key_path, sizeof key_path, "%s/outbox.key", dir);
    unsigned seed = (unsigned)time(NULL);
    printf("seed %u\n", seed);
    int highest = 0, finished = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            /* Back a few applications: re-putting what may already be delivered must not
             * queue it again. */
            child(fds[1], highest > 2 ? highest - 2 : 0, seed + (unsigned)round);
        }
        close(fds[1]);
        seed = seed * 1103515245u + 12345u;
        /* 5..120 ms: opening takes the first few (and, once, making the key and schema). */
        struct timespec t = {0, (long)(5 + (seed >> 16) % 116) * 1000000L};
        nanosleep(&t, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status)) {
            if (WEXITSTATUS(status) != 0)
                fail_msg("round %d: the child failed with %d", round, WEXITSTATUS(status));
            finished++;
        }
        FILE *in = fdopen(fds[0], "r");
        assert_non_null(in);
        highest = absorb(in, highest);
        fclose(in);
        check_invariants(highest);
    }
    printf("%d rounds, %d applications started, %d children finished before the kill\n", ROUNDS,
           highest + 1, finished);
    assert_true(highest > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_anywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
