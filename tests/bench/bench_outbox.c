/*
 * bench_outbox.c - what the durable outbox costs: durable enqueues per second (each put is a
 * transaction that reaches the disk: WAL + synchronous=FULL), the same with an application
 * number allocated in the transaction, takes + acknowledgements per
 * second, and the database bytes one queued application needs (its JSON, three scanned pages
 * and the submit, personal parts encrypted) against the bytes of its bodies.
 *
 * fsync is the cost, so the numbers depend on the disk: the benchmark says which file system
 * it ran on (tmpfs makes fsync free and the numbers meaningless for a kiosk). A benchmark
 * prints numbers; it does not pass or fail.
 * Usage: bench_outbox [DIR [PUTS]]   (DIR default: the current directory; PUTS default 500)
 */
#include "services/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(seed >> 16); /* incompressible, like a JPEG */
    }
}

/* A numbered put's builder: one personal item under the number. */
struct numbered {
    const unsigned char *body;
    size_t len;
    struct bm_outbox_put item;
};

static enum bm_err build_one(const char *number, void *ud, const struct bm_outbox_put **items,
                             size_t *n)
{
    struct numbered *nb = ud;
    nb->item =
        (struct bm_outbox_put){BM_OUTBOX_APPLICATION, number, number, true, nb->body, nb->len, 1};
    *items = &nb->item;
    *n = 1;
    return BM_OK;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    long puts_n = argc > 2 ? strtol(argv[2], NULL, 10) : 500;
    if (puts_n < 1)
        puts_n = 500;
    char db[4096], key[4096];
    snprintf(db, sizeof db, "%s/bench-outbox-%ld.db", dir, (long)getpid());
    snprintf(key, sizeof key, "%s/bench-outbox-%ld.key", dir, (long)getpid());
    struct statfs fs;
    if (statfs(dir, &fs) == 0)
        printf("outbox in %s (file system type 0x%lx%s)\n", dir, (unsigned long)fs.f_type,
               fs.f_type == TMPFS_MAGIC ? ", tmpfs: fsync costs nothing here" : "");

    struct bm_outbox_config cfg = {.path = db, .key_path = key};
    struct bm_outbox *ob;
    if (bm_outbox_open(&cfg, &ob) != BM_OK) {
        fprintf(stderr, "bench_outbox: cannot open %s\n", db);
        return 1;
    }

    /* 1. Durable puts of a 2 KB personal application body, one transaction each. */
    static unsigned char app[2048], page[300 * 1024];
    fill(app, sizeof app, 1);
    char k[64];
    double t0 = now_s();
    for (long i = 0; i < puts_n; i++) {
        snprintf(k, sizeof k, "BM-PUT-%06ld", i);
        struct bm_outbox_put p = {BM_OUTBOX_APPLICATION, k, k, true, app, sizeof app, 1};
        if (bm_outbox_put(ob, &p, NULL) != BM_OK) {
            fprintf(stderr, "bench_outbox: put failed\n");
            return 1;
        }
    }
    double put_s = now_s() - t0;
    printf("durable enqueues: %.0f a second (%ld puts of %zu bytes, personal, %.2f ms each)\n",
           (double)puts_n / put_s, puts_n, sizeof app, put_s * 1e3 / (double)puts_n);

    /* 1b. The same with the number allocated in the transaction (the kiosk's way). */
    struct numbered nb = {.body = app, .len = sizeof app};
    char number[BM_OUTBOX_NUMBER_LEN + 1];
    t0 = now_s();
    for (long i = 0; i < puts_n; i++)
        if (bm_outbox_put_numbered(ob, 1764518399000, build_one, &nb, number) != BM_OK) {
            fprintf(stderr, "bench_outbox: numbered put failed\n");
            return 1;
        }
    double numbered_s = now_s() - t0;
    printf("durable enqueues with a number allocated: %.0f a second (%.2f ms each)\n",
           (double)puts_n / numbered_s, numbered_s * 1e3 / (double)puts_n);

    /* 2. Take and acknowledge them all. */
    t0 = now_s();
    long taken = 0;
    struct bm_outbox_item it;
    while (bm_outbox_next(ob, 2, &it, NULL) == BM_OK) {
        bm_outbox_ack(ob, it.id, 2);
        bm_outbox_item_clear(&it);
        taken++;
    }
    double ack_s = now_s() - t0;
    printf("take + acknowledge: %.0f a second (%ld items)\n", (double)taken / ack_s, taken);

    /* 3. Bytes per queued application: JSON + 3 scanned pages + submit. */
    struct bm_outbox_stats before, after;
    bm_outbox_stats(ob, &before);
    const int apps = 20;
    size_t body_bytes = 0;
    for (int a = 0; a < apps; a++) {
        char grp[32];
        snprintf(grp, sizeof grp, "BM-APP-%04d", a);
        fill(app, sizeof app, (unsigned)a + 7);
        struct bm_outbox_put p = {BM_OUTBOX_APPLICATION, grp, grp, true, app, sizeof app, 3};
        bm_outbox_put(ob, &p, NULL);
        body_bytes += sizeof app;
        for (int f = 0; f < 3; f++) {
            snprintf(k, sizeof k, "%s/file-%d", grp, f);
            fill(page, sizeof page, (unsigned)(a * 3 + f));
            struct bm_outbox_put pf = {BM_OUTBOX_FILE, k, grp, true, page, sizeof page, 3};
            bm_outbox_put(ob, &pf, NULL);
            body_bytes += sizeof page;
        }
        snprintf(k, sizeof k, "%s/submit", grp);
        struct bm_outbox_put ps = {BM_OUTBOX_SUBMIT, k, grp, false, "{}", 2, 3};
        bm_outbox_put(ob, &ps, NULL);
        body_bytes += 2;
    }
    bm_outbox_stats(ob, &after);
    double per_app = (double)(after.file_bytes - before.file_bytes) / apps;
    printf("outbox size per queued application: %.0f KiB in the database for %.0f KiB of "
           "bodies (%.1f%% overhead; JSON 2 KiB + 3 pages of 300 KiB + submit)\n",
           per_app / 1024, (double)body_bytes / apps / 1024,
           100.0 * (per_app * apps - (double)body_bytes) / (double)body_bytes);

    bm_outbox_close(ob);
    char wal[4200], shm[4200];
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(shm, sizeof shm, "%s-shm", db);
    unlink(db);
    unlink(wal);
    unlink(shm);
    unlink(key);
    return 0;
}
