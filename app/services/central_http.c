/*
 * central_http.c - HTTPS to the centre with libcurl (central_http.h). The only file, with the
 * sync worker, that includes curl.h.
 *
 * Each request is an easy handle run on the client's multi handle: the multi handle keeps the
 * connection cache, so consecutive requests reuse one connection (and HTTP/2 multiplexes
 * where offered). bm_http_perform drives it with curl_multi_poll in 100 ms slices, which is
 * also where a cancel from another thread (bm_http_cancel wakes the poll) is noticed.
 *
 * Trust is narrow on purpose: only the configured CA file (CAPATH off, so the system store
 * cannot vouch for the centre), HTTPS only, no redirects followed, optional SPKI pins.
 * curl's own error text goes to the detail for technicians; answers' bodies never do.
 *
 * The kiosk's own certificate is read once at create with OpenSSL's libcrypto (curl here is
 * built on OpenSSL; this is the only file that includes its headers): its SAN URI
 * urn:bianmin:kiosk:<id> must name [kiosk] id, since the centre takes the kiosk's identity
 * from it and a kiosk speaking under another's would file applications in the wrong place.
 *
 * Threads: the owner thread, except bm_http_cancel.
 */
#include "central_http.h"

#include "core/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_ANSWER ((size_t)1024 * 1024)
#define POLL_MS            100
#define PROGRESS_EVERY_MS  100
#define RETRY_AFTER_MAX_MS ((int64_t)3600 * 1000)
#define KIOSK_URN          "urn:bianmin:kiosk:"
#define KIOSK_ID_MAX       32

struct bm_http {
    CURLM *multi;
    char *base, *ca_bundle, *pins, *cert, *key;
    long connect_timeout_ms, low_speed_s;
    time_t cert_not_after; /* 0: not read */
    atomic_bool cancel;
};

/* One request's state, shared with curl's callbacks. */
struct exchange {
    struct bm_http *h;
    const struct bm_http_request *rq;
    struct bm_http_response *rs;
    size_t cap, used;
    bool over_cap;
    curl_off_t last_progress_ms;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *bm_http_failure_name(enum bm_http_failure f)
{
    static const char *const names[] = {
        [BM_HTTP_ANSWERED] = "answered",     [BM_HTTP_NETWORK] = "network",
        [BM_HTTP_TIMEOUT] = "timeout",       [BM_HTTP_UNTRUSTED] = "server_untrusted",
        [BM_HTTP_REFUSED_US] = "refused_us", [BM_HTTP_TRUNCATED] = "truncated",
        [BM_HTTP_TOO_LARGE] = "too_large",   [BM_HTTP_CANCELLED] = "cancelled",
    };
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}

/*
 * "a, b" -> "sha256//a;sha256//b" (curl's pin syntax). Each pin must be a SHA-256 in padded
 * base64 (44 characters); NULL on anything else, or more than 8 pins.
 */
static char *pin_list(const char *pins)
{
    enum { PIN_LEN = 44, MAX_PINS = 8 };
    char *out = malloc(MAX_PINS * (8 + PIN_LEN + 1) + 1);
    if (!out)
        return NULL;
    size_t len = 0, count = 0;
    for (const char *p = pins; *p;) {
        p += strspn(p, " ");
        size_t w = strcspn(p, ", ");
        unsigned char hash[32];
        size_t got = 0;
        const char *end = NULL;
        if (w != PIN_LEN || count == MAX_PINS ||
            sodium_base642bin(hash, sizeof hash, p, w, NULL, &got, &end,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            got != sizeof hash) {
            free(out);
            return NULL;
        }
        memcpy(out + len, count ? ";sha256//" : "sha256//", count ? 9 : 8);
        len += count ? 9 : 8;
        memcpy(out + len, p, PIN_LEN);
        len += PIN_LEN;
        count++;
        p += w;
        p += strspn(p, " ");
        if (*p == ',')
            p++;
        else if (*p) {
            free(out);
            return NULL;
        }
    }
    out[len] = '\0';
    if (count == 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Whether id is a kiosk id: 1 to 32 letters, digits, '-' and '_' ([kiosk] id's syntax). */
static bool kiosk_id_ok(const unsigned char *id, size_t n)
{
    if (n == 0 || n > KIOSK_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= 'a' && id[i] <= 'z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_'))
            return false;
    return true;
}

/*
 * The kiosk ids a certificate's SAN URIs name (urn:bianmin:kiosk:<id>): how many, the first
 * into id; one that is not a valid id counts, as "" (refused as no kiosk id).
 */
static int kiosk_ids(X509 *x, char *id, size_t size)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t prefix = strlen(KIOSK_URN);
    int found = 0;
    id[0] = '\0';
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type != GEN_URI)
            continue;
        const unsigned char *uri = ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
        int n = ASN1_STRING_length(g->d.uniformResourceIdentifier);
        if (n < 0 || (size_t)n < prefix || memcmp(uri, KIOSK_URN, prefix) != 0)
            continue;
        if (found++ == 0 && kiosk_id_ok(uri + prefix, (size_t)n - prefix))
            snprintf(id, size, "%.*s", (int)((size_t)n - prefix), (const char *)uri + prefix);
    }
    GENERAL_NAMES_free(names);
    return found;
}

/*
 * Reads the client certificate: its expiry into h->cert_not_after (logged) and, when want is
 * set, its kiosk id, which must be want. BM_ERR_CONFIG, saying why, otherwise.
 */
static enum bm_err check_certificate(struct bm_http *h, const char *want)
{
    FILE *f = fopen(h->cert, "r");
    if (!f)
        return bm_err_set(BM_ERR_CONFIG, "[central] client_cert %s: %s", h->cert, strerror(errno));
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x)
        return bm_err_set(BM_ERR_CONFIG, "[central] client_cert %s: not a PEM certificate",
                          h->cert);
    struct tm tm;
    const ASN1_TIME *not_after = X509_get0_notAfter(x);
    if (not_after && ASN1_TIME_to_tm(not_after, &tm) == 1)
        h->cert_not_after = timegm(&tm);
    char id[KIOSK_ID_MAX + 1];
    int ids = kiosk_ids(x, id, sizeof id);
    X509_free(x);
    char until[32] = "?";
    if (h->cert_not_after && gmtime_r(&h->cert_not_after, &tm))
        strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (want && ids == 0)
        return bm_err_set(BM_ERR_CONFIG,
                          "[central] client_cert %s names no kiosk (no SAN URI " KIOSK_URN
                          "<id>): the centre would not know this kiosk; sync cannot start",
                          h->cert);
    if (want && (ids > 1 || !id[0]))
        return bm_err_set(BM_ERR_CONFIG,
                          "[central] client_cert %s: %d kiosk ids, or not a valid one; the API "
                          "wants exactly one SAN URI " KIOSK_URN "<id>; sync cannot start",
                          h->cert, ids);
    if (want && strcmp(id, want) != 0)
        return bm_err_set(BM_ERR_CONFIG,
                          "[central] client_cert %s is kiosk %s's, not this kiosk's ([kiosk] id "
                          "%s): sync cannot start",
                          h->cert, id, want);
    if (h->cert_not_after && h->cert_not_after < time(NULL))
        bm_log_warn("sync",
                    "client certificate of kiosk %s expired at %s: the centre will "
                    "refuse it",
                    id[0] ? id : "(none)", until);
    else
        bm_log_info("sync", "client certificate of kiosk %s, valid until %s", id[0] ? id : "(none)",
                    until);
    return BM_OK;
}

time_t bm_http_certificate_not_after(const struct bm_http *h)
{
    return h ? h->cert_not_after : 0;
}

enum bm_err bm_http_create(const struct bm_http_config *cfg, struct bm_http **out)
{
    *out = NULL;
    if (!cfg || !cfg->url || strncmp(cfg->url, "https://", 8) != 0 || !cfg->url[8])
        return bm_err_set(BM_ERR_CONFIG, "[central] url: expected https://host[:port]");
    if (!cfg->ca_bundle || !*cfg->ca_bundle || !cfg->client_cert || !*cfg->client_cert ||
        !cfg->client_key || !*cfg->client_key)
        return bm_err_set(BM_ERR_CONFIG, "[central]: ca_bundle, client_cert and client_key are "
                                         "required with a url");
    pthread_once(&global_once, global_init);
    if (global_result != CURLE_OK)
        return bm_err_set(BM_ERR_INTERNAL, "libcurl failed to start: %s",
                          curl_easy_strerror(global_result));
    struct bm_http *h = calloc(1, sizeof *h);
    if (!h)
        return bm_err_set(BM_ERR_NO_MEMORY, "http client");
    size_t base_len = strlen(cfg->url);
    while (base_len > 8 && cfg->url[base_len - 1] == '/')
        base_len--; /* paths start with their own slash */
    h->base = strndup(cfg->url, base_len);
    h->ca_bundle = strdup(cfg->ca_bundle);
    h->cert = strdup(cfg->client_cert);
    h->key = strdup(cfg->client_key);
    h->pins = cfg->pin_sha256 && *cfg->pin_sha256 ? pin_list(cfg->pin_sha256) : NULL;
    h->connect_timeout_ms = cfg->connect_timeout_ms ? (long)cfg->connect_timeout_ms : 10000;
    h->low_speed_s =
        cfg->transfer_timeout_ms ? (long)((cfg->transfer_timeout_ms + 999) / 1000) : 60;
    h->multi = curl_multi_init();
    enum bm_err err = BM_OK;
    if (!h->base || !h->ca_bundle || !h->cert || !h->key || !h->multi)
        err = bm_err_set(BM_ERR_NO_MEMORY, "http client");
    else if (cfg->pin_sha256 && *cfg->pin_sha256 && !h->pins)
        err = bm_err_set(BM_ERR_CONFIG, "[central] pin_sha256: expected 1 to 8 SHA-256 hashes "
                                        "in base64 (44 characters each), comma-separated");
    else if (cfg->kiosk_id)
        err = check_certificate(h, cfg->kiosk_id);
    if (err != BM_OK) {
        bm_http_destroy(h);
        return err;
    }
    curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    *out = h;
    return BM_OK;
}

void bm_http_destroy(struct bm_http *h)
{
    if (!h)
        return;
    if (h->multi)
        curl_multi_cleanup(h->multi);
    free(h->base);
    free(h->ca_bundle);
    free(h->pins);
    free(h->cert);
    free(h->key);
    free(h);
}

void bm_http_cancel(struct bm_http *h)
{
    if (!h)
        return;
    atomic_store(&h->cancel, true);
    curl_multi_wakeup(h->multi);
}

void bm_http_response_clear(struct bm_http_response *rs)
{
    if (!rs)
        return;
    free(rs->body);
    memset(rs, 0, sizeof *rs);
}

/* ---- callbacks ---- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    struct exchange *x = ud;
    size_t len = size * n;
    if (x->used + len > x->cap) {
        x->over_cap = true;
        return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
    }
    if (!x->rs->body) {
        x->rs->body = malloc(x->cap + 1);
        if (!x->rs->body)
            return 0;
    }
    memcpy(x->rs->body + x->used, data, len);
    x->used += len;
    x->rs->body[x->used] = '\0';
    return len;
}

/* Copies the value of header `name` from line into out, if line is that header. */
static void take_header(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    snprintf(out, size, "%.*s", (int)vl, v);
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    struct exchange *x = ud;
    struct bm_http_response *rs = x->rs;
    size_t len = size * n;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new answer (after a 100 Continue, say): forget the last one's headers. */
        rs->retry_after[0] = rs->date[0] = rs->etag[0] = rs->upload_offset[0] = '\0';
        rs->signature[0] = rs->content_type[0] = '\0';
        return len;
    }
    take_header(line, len, "Retry-After", rs->retry_after, sizeof rs->retry_after);
    take_header(line, len, "Date", rs->date, sizeof rs->date);
    take_header(line, len, "ETag", rs->etag, sizeof rs->etag);
    take_header(line, len, "Upload-Offset", rs->upload_offset, sizeof rs->upload_offset);
    /* Exactly one signature header, or none counts (the API: two is a refused document). */
    char sig[sizeof rs->signature] = "";
    take_header(line, len, "Bianmin-Signature", sig, sizeof sig);
    if (sig[0] && rs->signature[0])
        snprintf(rs->signature, sizeof rs->signature, "%s", "duplicate");
    else if (sig[0])
        snprintf(rs->signature, sizeof rs->signature, "%s", sig);
    take_header(line, len, "Content-Type", rs->content_type, sizeof rs->content_type);
    return len;
}

static int on_progress(void *ud, curl_off_t dl_total, curl_off_t dl_now, curl_off_t ul_total,
                       curl_off_t ul_now)
{
    (void)dl_total;
    (void)dl_now;
    struct exchange *x = ud;
    if (atomic_load(&x->h->cancel))
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    if (x->rq->progress && x->rq->len) {
        curl_off_t now_ms = 0;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now_ms = (curl_off_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        if (now_ms - x->last_progress_ms >= PROGRESS_EVERY_MS || ul_now == ul_total) {
            x->last_progress_ms = now_ms;
            x->rq->progress((uint64_t)ul_now,
                            (uint64_t)(ul_total ? ul_total : (curl_off_t)x->rq->len), x->rq->ud);
        }
    }
    return 0;
}

/* ---- one request ---- */

static enum bm_http_failure classify(CURLcode rc, const struct exchange *x, const char *errbuf)
{
    switch (rc) {
    case CURLE_OK:
        return BM_HTTP_ANSWERED;
    case CURLE_OPERATION_TIMEDOUT:
        return BM_HTTP_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return BM_HTTP_UNTRUSTED;
    case CURLE_SSL_CERTPROBLEM:
        return BM_HTTP_REFUSED_US; /* our own certificate or key would not load */
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        /* With TLS 1.3 the server's refusal of our certificate arrives as an alert at the
         * first read; curl reports it in its error text ("tlsv13 alert certificate
         * required", "tlsv1 alert unknown ca", "sslv3 alert bad certificate"). */
        return strstr(errbuf, "alert") &&
                       (strstr(errbuf, "certificate") || strstr(errbuf, "unknown ca") ||
                        strstr(errbuf, "access denied"))
                   ? BM_HTTP_REFUSED_US
                   : BM_HTTP_NETWORK;
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
        return BM_HTTP_TRUNCATED;
    case CURLE_WRITE_ERROR:
        return x->over_cap ? BM_HTTP_TOO_LARGE : BM_HTTP_NETWORK;
    case CURLE_ABORTED_BY_CALLBACK:
        return BM_HTTP_CANCELLED;
    default:
        return BM_HTTP_NETWORK;
    }
}

static bool method_ok(const char *m)
{
    static const char *const methods[] = {"GET", "HEAD", "PUT", "POST", "PATCH"};
    for (size_t i = 0; m && i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m, methods[i]) == 0)
            return true;
    return false;
}

static void configure(CURL *e, struct exchange *x, const char *url, struct curl_slist *headers,
                      char *errbuf)
{
    struct bm_http *h = x->h;
    const struct bm_http_request *rq = x->rq;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can undo */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    /* Trust: the centre's CA file alone, verified always, pinned if configured. */
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2); /* at least */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_bundle);
    curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    if (h->pins)
        curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, h->pins);
    curl_easy_setopt(e, CURLOPT_SSLCERT, h->cert);
    curl_easy_setopt(e, CURLOPT_SSLKEY, h->key);
    /* Time: to connect, and without progress; never a cap on a slow but moving upload. */
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->low_speed_s);

    if (strcmp(rq->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(rq->method, "GET") != 0) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->len ? rq->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
}

/* Runs e on the multi handle until it is done; its result code. */
static CURLcode run(struct bm_http *h, CURL *e)
{
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    CURLcode result = CURLE_OK;
    for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(h->multi, &running);
        if (mc != CURLM_OK) {
            result = CURLE_OUT_OF_MEMORY;
            break;
        }
        if (!running) {
            int left;
            CURLMsg *m;
            while ((m = curl_multi_info_read(h->multi, &left)))
                if (m->msg == CURLMSG_DONE && m->easy_handle == e)
                    result = m->data.result;
            break;
        }
        if (atomic_load(&h->cancel)) {
            result = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        curl_multi_poll(h->multi, NULL, 0, POLL_MS, NULL);
    }
    curl_multi_remove_handle(h->multi, e);
    return result;
}

static bool has_body_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

/* Whether the NULL-terminated header lines name header `name`. */
static bool has_header(const char *const *lines, const char *name)
{
    size_t n = strlen(name);
    for (; lines && *lines; lines++)
        if (strncasecmp(*lines, name, n) == 0 && (*lines)[n] == ':')
            return true;
    return false;
}

/* Appends line; on failure frees the list and returns NULL. */
static struct curl_slist *append_or_free(struct curl_slist *list, const char *line)
{
    struct curl_slist *more = curl_slist_append(list, line);
    if (!more)
        curl_slist_free_all(list);
    return more;
}

enum bm_err bm_http_perform(struct bm_http *h, const struct bm_http_request *rq,
                            struct bm_http_response *rs)
{
    memset(rs, 0, sizeof *rs);
    if (!h || !rq || !method_ok(rq->method) || !rq->path || rq->path[0] != '/' ||
        (!rq->body && rq->len))
        return bm_err_set(BM_ERR_INVALID_ARG, "http: bad method, path or body");
    size_t url_len = strlen(h->base) + strlen(rq->path) + 1;
    char *url = malloc(url_len);
    CURL *e = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:"); /* no 100-continue wait */
    /* A POST without a body goes out with Content-Length: 0 and no Content-Type (curl would
     * otherwise name a form), unless the caller names one. */
    if (headers && !rq->len && has_body_method(rq->method) &&
        !has_header(rq->headers, "Content-Type"))
        headers = append_or_free(headers, "Content-Type:");
    for (const char *const *hl = rq->headers; headers && hl && *hl; hl++)
        headers = append_or_free(headers, *hl);
    if (!url || !e || !headers) {
        free(url);
        curl_easy_cleanup(e);
        curl_slist_free_all(headers);
        return bm_err_set(BM_ERR_NO_MEMORY, "http request");
    }
    snprintf(url, url_len, "%s%s", h->base, rq->path);
    struct exchange x = {
        .h = h, .rq = rq, .rs = rs, .cap = rq->max_answer ? rq->max_answer : DEFAULT_MAX_ANSWER};
    char errbuf[CURL_ERROR_SIZE] = "";
    configure(e, &x, url, headers, errbuf);

    CURLcode rc = run(h, e);
    atomic_store(&h->cancel, false);
    rs->failure = classify(rc, &x, errbuf);
    if (rs->failure == BM_HTTP_ANSWERED) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &rs->status);
        rs->len = x.used;
    } else {
        free(rs->body);
        rs->body = NULL;
        snprintf(rs->detail, sizeof rs->detail, "%.6s %.60s: %.180s", rq->method, rq->path,
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    long connects = 0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
    rs->reused_connection = rs->failure == BM_HTTP_ANSWERED && connects == 0;
    curl_easy_cleanup(e);
    curl_slist_free_all(headers);
    free(url);
    return BM_OK;
}

int64_t bm_http_retry_after_ms(const char *value, const char *date, time_t now)
{
    if (!value || !*value)
        return -1;
    int64_t ms;
    if (strspn(value, "0123456789") == strlen(value)) {
        if (strlen(value) > 9)
            return RETRY_AFTER_MAX_MS;
        ms = strtoll(value, NULL, 10) * 1000;
    } else {
        time_t at = curl_getdate(value, NULL);
        if (at == -1)
            return -1;
        time_t base = date && *date ? curl_getdate(date, NULL) : -1;
        ms = ((int64_t)at - (int64_t)(base != -1 ? base : now)) * 1000;
        if (ms < 0)
            ms = 0;
    }
    return ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : ms;
}
