/*
 * bench_sync.c - deliveries a second from the outbox to a central service over one reused
 * connection (the sync engine), side by side in the same run with one `curl` process per
 * request (a fresh process, TCP and TLS handshake each time), and their ratio.
 *
 * The items are ratings (small JSON POSTs with an Idempotency-Key), so the numbers are about
 * the per-request cost, not bandwidth. The server is whatever URL is given: tests/bench/run.sh
 * starts the reference central service (Python, single process) for it, which bounds both
 * sides alike. A benchmark prints numbers; it does not pass or fail.
 * Usage: bench_sync PKI_DIR URL [N]   (PKI_DIR from tests/central/make_pki.py; N default 200)
 */
#include "services/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char rating[] = "{\"rated_at\": \"2026-11-30T09:05:00+08:00\", \"service\": "
                             "\"household_certificate\", \"score\": 4, \"language\": \"zh_CN\"}";

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_sync PKI_DIR URL [N]\n");
        return 2;
    }
    const char *pki = argv[1], *url = argv[2];
    long n = argc > 3 ? strtol(argv[3], NULL, 10) : 200;
    if (n < 1)
        n = 200;
    char ca[4200], crt[4200], key[4200], db[4200], okey[4200];
    snprintf(ca, sizeof ca, "%s/ca.pem", pki);
    snprintf(crt, sizeof crt, "%s/kiosk.crt", pki);
    snprintf(key, sizeof key, "%s/kiosk.key", pki);
    snprintf(db, sizeof db, "%s/bench-outbox-%ld.db", pki, (long)getpid());
    snprintf(okey, sizeof okey, "%s/bench-outbox-%ld.key", pki, (long)getpid());
    struct bm_sync_config cfg = {.http = {.url = url,
                                          .ca_bundle = ca,
                                          .client_cert = crt,
                                          .client_key = key,
                                          .kiosk_id = "DEMO-0001"},
                                 .outbox = {.path = db, .key_path = okey}};
    struct bm_sync *s;
    if (bm_sync_open(&cfg, &s) != BM_OK) {
        fprintf(stderr, "bench_sync: %s\n", bm_err_detail());
        return 1;
    }
    char k[64];
    long stamp = (long)time(NULL);
    for (long i = 0; i < n; i++) {
        snprintf(k, sizeof k, "bench-%ld-%ld", stamp, i);
        bm_sync_enqueue_post(s, BM_OUTBOX_RATING, k, rating, strlen(rating), false, 0);
    }
    struct bm_sync_round r;
    double t0 = now_s();
    bm_sync_run(s, 1, &r);
    double engine_s = now_s() - t0;
    bm_sync_close(s);
    unlink(db);
    unlink(okey);
    char path[4300];
    snprintf(path, sizeof path, "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db);
    unlink(path);
    if (r.acknowledged != (unsigned)n) {
        fprintf(stderr, "bench_sync: only %u of %ld acknowledged\n", r.acknowledged, n);
        return 1;
    }

    /* The same requests, one curl process each. */
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        char cmd[16000];
        snprintf(cmd, sizeof cmd,
                 "curl -s -o /dev/null --fail --cacert %s --cert %s --key %s -H 'Content-Type: "
                 "application/json' -H 'Idempotency-Key: curl-%ld-%ld' --data '%s' %s/v1/ratings",
                 ca, crt, key, stamp, i, rating, url);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_sync: curl failed\n");
            return 1;
        }
    }
    double curl_s = now_s() - t0;
    double a = (double)n / engine_s, b = (double)n / curl_s;
    printf("deliveries: %.0f a second over one reused connection (%ld ratings, outbox to "
           "acknowledged), %.0f a second with one curl process per request; ratio %.1f\n",
           a, n, b, a / b);
    return 0;
}
