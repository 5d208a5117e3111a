/*
 * test_central_http.c - the HTTPS client against the reference central service over TLS on
 * loopback (tests/central/server.py, a test PKI made at test time): mutual TLS, a signed
 * document that verifies, ETag and 304, one connection reused, upload progress, and each way
 * a request can fail: 503 with Retry-After, a dropped connection, a truncated answer, a
 * server that stops moving, an answer over its cap, cancel, a server from the wrong CA, a
 * wrong pin (and the right one), and our certificate refused.
 */
#include "central_fixture.h"
#include "test_support.h"

#include "services/central_http.h"
#include "services/signature.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char pki_dir[4096];
static struct central central;

static int setup_group(void **state)
{
    snprintf(pki_dir, sizeof pki_dir, "%s", bm_test_mkdtemp("central-http"));
    return 0;
}

static struct bm_http *client_with(const struct central *c, const char *cert, const char *key,
                                   const char *pins, unsigned transfer_timeout_ms)
{
    char ca[4200], crt[4200], k[4200];
    snprintf(ca, sizeof ca, "%s", central_file(c, "ca.pem"));
    snprintf(crt, sizeof crt, "%s", central_file(c, cert));
    snprintf(k, sizeof k, "%s", central_file(c, key));
    struct bm_http_config cfg = {.url = c->url,
                                 .ca_bundle = ca,
                                 .pin_sha256 = pins,
                                 .client_cert = crt,
                                 .client_key = k,
                                 .connect_timeout_ms = 10000,
                                 .transfer_timeout_ms = transfer_timeout_ms};
    struct bm_http *h;
    assert_int_equal(bm_http_create(&cfg, &h), BM_OK);
    return h;
}

static struct bm_http *client(const struct central *c)
{
    return client_with(c, "kiosk.crt", "kiosk.key", NULL, 30000);
}

static void get(struct bm_http *h, const char *path, const char *const *headers,
                struct bm_http_response *rs)
{
    struct bm_http_request rq = {.method = "GET", .path = path, .headers = headers};
    assert_int_equal(bm_http_perform(h, &rq, rs), BM_OK);
}

static void test_signed_catalog_etag_and_reuse(void **state)
{
    central_start(&central, pki_dir, NULL);
    struct bm_http *h = client(&central);
    struct bm_http_response rs;
    get(h, "/v1/catalog", NULL, &rs);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 200);
    assert_true(rs.len > 1000);
    assert_non_null(strstr((const char *)rs.body, "\"format\""));
    assert_true(rs.etag[0]);

    /* The body as received (gzip undone) verifies with the centre's published key. */
    struct bm_sig_keys keys;
    assert_int_equal(bm_sig_keys_load(central_file(&central, "signing.keys"), &keys), BM_OK);
    assert_int_equal(bm_sig_verify(&keys, rs.signature, "catalog", "*", rs.body, rs.len),
                     BM_SIG_VALID);
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", rs.etag);
    bm_http_response_clear(&rs);

    /* 304 for the copy held, over the same connection. */
    get(h, "/v1/catalog", (const char *[]){inm, NULL}, &rs);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 304);
    assert_true(rs.reused_connection);
    bm_http_response_clear(&rs);

    /* This kiosk's settings, signed for it alone. */
    get(h, "/v1/settings", NULL, &rs);
    assert_int_equal(rs.status, 200);
    assert_int_equal(bm_sig_verify(&keys, rs.signature, "settings", "DEMO-0001", rs.body, rs.len),
                     BM_SIG_VALID);
    assert_int_equal(bm_sig_verify(&keys, rs.signature, "settings", "DEMO-0002", rs.body, rs.len),
                     BM_SIG_BAD);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    central_stop(&central);
}

struct progress {
    int calls;
    uint64_t last, total;
};

static void on_progress(uint64_t sent, uint64_t total, void *ud)
{
    struct progress *p = ud;
    p->calls++;
    assert_true(sent >= p->last);
    p->last = sent;
    p->total = total;
}

static void test_upload_progress_and_answer(void **state)
{
    central_start(&central, pki_dir, NULL);
    struct bm_http *h = client(&central);
    /* 3 MiB: the centre refuses it (over the JSON limit) after reading it all. */
    size_t len = 3u << 20;
    char *body = malloc(len);
    memset(body, ' ', len);
    body[0] = '{';
    body[len - 1] = '}';
    struct progress p = {0};
    struct bm_http_request rq = {.method = "POST",
                                 .path = "/v1/feedback",
                                 .headers = (const char *[]){"Content-Type: application/json",
                                                             "Idempotency-Key: fb-big-1", NULL},
                                 .body = body,
                                 .len = len,
                                 .progress = on_progress,
                                 .ud = &p};
    struct bm_http_response rs;
    assert_int_equal(bm_http_perform(h, &rq, &rs), BM_OK);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 413);
    assert_non_null(strstr(rs.content_type, "problem+json"));
    assert_true(p.calls >= 1);
    assert_int_equal(p.last, len);
    assert_int_equal(p.total, len);
    bm_http_response_clear(&rs);
    free(body);
    bm_http_destroy(h);
    central_stop(&central);
}

/* One request with a fault armed for it; the response (to be cleared by the caller). */
static void faulted(struct bm_http *h, const char *fault, struct bm_http_response *rs)
{
    central_fault(&central, fault);
    get(h, "/v1/notices", NULL, rs);
}

static void test_faults(void **state)
{
    central_start(&central, pki_dir, NULL);
    struct bm_http *h = client_with(&central, "kiosk.crt", "kiosk.key", NULL, 2000);
    struct bm_http_response rs;

    faulted(h,
            "{\"path\": \"/v1/notices\", \"kind\": \"status\", \"status\": 503, "
            "\"code\": \"maintenance\", \"retry_after\": 7}",
            &rs);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 503);
    assert_int_equal(bm_http_retry_after_ms(rs.retry_after, rs.date, time(NULL)), 7000);
    bm_http_response_clear(&rs);

    /* libcurl sends a request again, once, on a fresh connection when a reused one dies
     * before answering (every request of the API is safe to repeat), so drop twice. */
    faulted(h,
            "{\"path\": \"/v1/notices\", \"kind\": \"drop\", \"stage\": \"after_body\", "
            "\"count\": 2}",
            &rs);
    assert_int_equal(rs.failure, BM_HTTP_NETWORK);
    assert_true(rs.detail[0]);
    assert_null(rs.body);
    bm_http_response_clear(&rs);

    faulted(h, "{\"path\": \"/v1/notices\", \"kind\": \"truncate\"}", &rs);
    assert_int_equal(rs.failure, BM_HTTP_TRUNCATED);
    bm_http_response_clear(&rs);

    /* Nothing moves for longer than transfer_timeout_ms (2 s): a timeout, not a hang. */
    faulted(h, "{\"path\": \"/v1/notices\", \"kind\": \"slow\", \"delay_s\": 6}", &rs);
    assert_int_equal(rs.failure, BM_HTTP_TIMEOUT);
    bm_http_response_clear(&rs);

    /* The answer is fine again, on a new connection where the old one was lost. */
    get(h, "/v1/notices", NULL, &rs);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 200);
    bm_http_response_clear(&rs);

    /* Over its cap. */
    struct bm_http_request rq = {.method = "GET", .path = "/v1/catalog", .max_answer = 100};
    assert_int_equal(bm_http_perform(h, &rq, &rs), BM_OK);
    assert_int_equal(rs.failure, BM_HTTP_TOO_LARGE);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    central_stop(&central);
}

static void *cancel_soon(void *arg)
{
    usleep(300 * 1000);
    bm_http_cancel(arg);
    return NULL;
}

static void test_cancel(void **state)
{
    central_start(&central, pki_dir, NULL);
    struct bm_http *h = client(&central);
    central_fault(&central, "{\"path\": \"/v1/notices\", \"kind\": \"slow\", \"delay_s\": 20}");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_soon, h), 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct bm_http_response rs;
    get(h, "/v1/notices", NULL, &rs);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(t, NULL);
    assert_int_equal(rs.failure, BM_HTTP_CANCELLED);
    assert_true(b.tv_sec - a.tv_sec < 15); /* well before the server's 20 s */
    bm_http_response_clear(&rs);
    /* The next request is not cancelled. */
    get(h, "/v1/notices", NULL, &rs);
    assert_int_equal(rs.status, 200);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    central_stop(&central);
}

/* The server's SPKI hash, base64, as [central] pin_sha256 wants it. */
static void server_pin(const char *cert, char *out, size_t size)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd,
             "openssl x509 -in %s -pubkey -noout | openssl pkey -pubin -outform der | "
             "openssl dgst -sha256 -binary | base64",
             cert);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, (int)size, p));
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

static void test_trust(void **state)
{
    /* A server whose certificate chains to another CA: nothing is sent. */
    central_start(&central, pki_dir, (const char *[]){"--wrong-ca", NULL});
    long before = central_count(&central, "requests");
    struct bm_http *h = client(&central);
    struct bm_http_response rs;
    get(h, "/v1/notices", NULL, &rs);
    assert_int_equal(rs.failure, BM_HTTP_UNTRUSTED);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    assert_int_equal(central_count(&central, "requests"), before);
    central_stop(&central);

    /* The right server, pinned: a wrong pin is refused, the right one accepted. */
    central_start(&central, pki_dir, NULL);
    h = client_with(&central, "kiosk.crt", "kiosk.key",
                    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", 30000);
    get(h, "/v1/notices", NULL, &rs);
    assert_int_equal(rs.failure, BM_HTTP_UNTRUSTED);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    char pin[128], pins[300];
    server_pin(central_file(&central, "server.crt"), pin, sizeof pin);
    snprintf(pins, sizeof pins, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=, %s", pin);
    h = client_with(&central, "kiosk.crt", "kiosk.key", pins, 30000);
    get(h, "/v1/notices", NULL, &rs);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 200);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);

    /* Our certificate from a CA the centre does not know: refused in the handshake, and
     * nothing reaches the API. With TLS 1.3 the refusal is an alert sent after the client's
     * side of the handshake is done: read first, it says "unknown ca" (refused us); but the
     * server may have hung up before our request went out, and then all we see is a
     * connection gone (network). Either way nothing was sent. */
    long seen = central_count(&central, "requests");
    h = client_with(&central, "wrong-server.crt", "wrong-server.key", NULL, 30000);
    get(h, "/v1/notices", NULL, &rs);
    assert_true(rs.failure == BM_HTTP_REFUSED_US || rs.failure == BM_HTTP_NETWORK);
    assert_int_equal(central_count(&central, "requests"), seen);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    /* A certificate of the right CA without a kiosk id: the centre answers 401. */
    h = client_with(&central, "nosan.crt", "nosan.key", NULL, 30000);
    get(h, "/v1/notices", NULL, &rs);
    assert_int_equal(rs.failure, BM_HTTP_ANSWERED);
    assert_int_equal(rs.status, 401);
    bm_http_response_clear(&rs);
    bm_http_destroy(h);
    central_stop(&central);
}

/* A client for [kiosk] id kiosk_id with certificate cert (and key): bm_http_create's result. */
static enum bm_err open_as(const struct central *c, const char *kiosk_id, const char *cert,
                           const char *key, struct bm_http **h)
{
    char ca[4200], crt[4200], k[4200];
    snprintf(ca, sizeof ca, "%s", central_file(c, "ca.pem"));
    snprintf(crt, sizeof crt, "%s", central_file(c, cert));
    snprintf(k, sizeof k, "%s", central_file(c, key));
    struct bm_http_config cfg = {
        .url = c->url, .ca_bundle = ca, .client_cert = crt, .client_key = k, .kiosk_id = kiosk_id};
    return bm_http_create(&cfg, h);
}

/* The certificate must name this kiosk ([kiosk] id) in its SAN URI: then the client opens and
 * knows when the certificate expires; another kiosk's, or one naming none, is refused with
 * the reason, before anything is sent. */
static void test_kiosk_id_of_the_certificate(void **state)
{
    central_start(&central, pki_dir, NULL);
    long seen = central_count(&central, "requests");
    struct bm_http *h = NULL;
    assert_int_equal(open_as(&central, "DEMO-0001", "kiosk.crt", "kiosk.key", &h), BM_OK);
    time_t now = time(NULL), until = bm_http_certificate_not_after(h);
    assert_true(until > now + 3649L * 86400 && until < now + 3651L * 86400); /* make_pki: 10 y */
    bm_http_destroy(h);

    h = NULL;
    assert_int_equal(open_as(&central, "DEMO-0001", "wrong-kiosk.crt", "wrong-kiosk.key", &h),
                     BM_ERR_CONFIG);
    assert_null(h);
    assert_non_null(
        strstr(bm_err_detail(), "is kiosk OTHER-0002's, not this kiosk's ([kiosk] id DEMO-0001)"));
    assert_non_null(strstr(bm_err_detail(), "sync cannot start"));
    assert_int_equal(open_as(&central, "DEMO-0002", "kiosk.crt", "kiosk.key", &h), BM_ERR_CONFIG);
    assert_non_null(strstr(bm_err_detail(), "is kiosk DEMO-0001's"));
    assert_int_equal(open_as(&central, "DEMO-0001", "nosan.crt", "nosan.key", &h), BM_ERR_CONFIG);
    assert_non_null(strstr(bm_err_detail(), "names no kiosk (no SAN URI urn:bianmin:kiosk:<id>)"));
    assert_int_equal(open_as(&central, "DEMO-0001", "kiosk.key", "kiosk.key", &h), BM_ERR_CONFIG);
    assert_non_null(strstr(bm_err_detail(), "not a PEM certificate"));
    assert_int_equal(open_as(&central, "DEMO-0001", "missing.crt", "kiosk.key", &h), BM_ERR_CONFIG);
    assert_non_null(strstr(bm_err_detail(), "No such file"));
    assert_int_equal(central_count(&central, "requests"), seen); /* nothing was sent */
    central_stop(&central);
}

static void test_config_and_retry_after(void **state)
{
    struct bm_http *h = NULL;
    struct bm_http_config cfg = {.url = "http://127.0.0.1:1",
                                 .ca_bundle = "ca.pem",
                                 .client_cert = "k.crt",
                                 .client_key = "k.key"};
    assert_int_equal(bm_http_create(&cfg, &h), BM_ERR_CONFIG);
    cfg.url = "https://127.0.0.1:1";
    /* Malformed pin lists are refused (short pins once overflowed the converted list). */
    static const char *const bad_pins[] = {
        ",", "a,b,c,d,e", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;x",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,"
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,"
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,"
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,"
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=,47DEQpj8HBSa+/"
        "TImW+5JCeuQeRkm5NMpJWZG3hSuFU="};
    for (size_t i = 0; i < sizeof bad_pins / sizeof bad_pins[0]; i++) {
        cfg.pin_sha256 = bad_pins[i];
        assert_int_equal(bm_http_create(&cfg, &h), BM_ERR_CONFIG);
        assert_null(h);
    }
    cfg.pin_sha256 = " 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= , "
                     "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    assert_int_equal(bm_http_create(&cfg, &h), BM_OK);
    bm_http_destroy(h);

    time_t now = 1764460800; /* 2025-11-30 00:00:00 UTC */
    assert_int_equal(bm_http_retry_after_ms("30", NULL, now), 30000);
    assert_int_equal(bm_http_retry_after_ms("0", NULL, now), 0);
    assert_int_equal(bm_http_retry_after_ms("86400", NULL, now), 3600000);
    assert_int_equal(bm_http_retry_after_ms("99999999999999", NULL, now), 3600000);
    assert_int_equal(bm_http_retry_after_ms("", NULL, now), -1);
    assert_int_equal(bm_http_retry_after_ms("soon", NULL, now), -1);
    assert_int_equal(bm_http_retry_after_ms("-5", NULL, now), -1);
    /* An HTTP date, against the answer's Date rather than our clock. */
    assert_int_equal(bm_http_retry_after_ms("Sun, 30 Nov 2025 00:02:00 GMT",
                                            "Sun, 30 Nov 2025 00:00:30 GMT", now + 500),
                     90000);
    assert_int_equal(bm_http_retry_after_ms("Sun, 30 Nov 2025 00:01:00 GMT", NULL, now), 60000);
    assert_int_equal(bm_http_retry_after_ms("Sat, 29 Nov 2025 00:00:00 GMT", NULL, now), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_and_retry_after),
        cmocka_unit_test(test_signed_catalog_etag_and_reuse),
        cmocka_unit_test(test_upload_progress_and_answer),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_trust),
        cmocka_unit_test(test_kiosk_id_of_the_certificate),
    };
    return cmocka_run_group_tests(tests, setup_group, NULL);
}
