/*
 * catalog_fetch.c - the centre's signed catalog, checked and swapped in (catalog_fetch.h).
 *
 * The rollback rule compares with the copy on disk, parsed again here, so it holds across
 * restarts without other state. The ETag is kept only in memory: after a restart the first
 * GET downloads the catalog again, which costs a transfer but can never keep a stale copy.
 *
 * Threads: the sync worker.
 */
#include "catalog_fetch.h"

#include "catalog.h"

#include "core/files.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MOD "sync"

static enum bm_catalog_fetch_result refuse(struct bm_catalog_fetch *f, const char *reason,
                                           const char *detail)
{
    snprintf(f->reason, sizeof f->reason, "%s", reason);
    snprintf(f->detail, sizeof f->detail, "%s", detail);
    bm_log_error(MOD, "the centre's catalog refused (%s): %s; the copy held stays", reason,
                 f->detail);
    return BM_FETCH_REFUSED;
}

/* The .sig first, then the body: a crash between leaves a .sig that matches <path>.new. */
static bool swap_in(const char *path, const unsigned char *body, size_t len, const char *sig)
{
    char tmp[4200], sig_path[4200], sig_tmp[4200], line[256];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    snprintf(sig_path, sizeof sig_path, "%s.sig", path);
    snprintf(sig_tmp, sizeof sig_tmp, "%s.sig.new", path);
    int n = snprintf(line, sizeof line, "%s\n", sig);
    bool ok = bm_file_write_synced(tmp, body, len, 0644) == BM_OK &&
              bm_file_write_synced(sig_tmp, line, (size_t)n, 0644) == BM_OK &&
              rename(sig_tmp, sig_path) == 0 && rename(tmp, path) == 0 &&
              bm_file_sync_dir(path) == BM_OK;
    if (!ok) { /* nothing half-written is left lying beside the copy held */
        unlink(tmp);
        unlink(sig_tmp);
    }
    return ok;
}

/* -1: a older than b; 0 the same; 1 newer (published date, then revision in version order). */
static int compare(const struct bm_catalog *a, const struct bm_catalog *b)
{
    if (bm_catalog_published(a) != bm_catalog_published(b))
        return bm_catalog_published(a) < bm_catalog_published(b) ? -1 : 1;
    int c = strverscmp(bm_catalog_revision(a), bm_catalog_revision(b));
    return c < 0 ? -1 : c > 0;
}

static bool same_file(const char *path, const unsigned char *body, size_t len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    unsigned char *held = malloc(len + 1);
    size_t n = held ? fread(held, 1, len + 1, fp) : 0;
    fclose(fp);
    bool same = held && n == len && memcmp(held, body, len) == 0;
    free(held);
    return same;
}

enum bm_catalog_fetch_result bm_catalog_fetch(struct bm_http *http, struct bm_catalog_fetch *f)
{
    f->reason[0] = f->detail[0] = '\0';
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", f->etag);
    const char *headers[] = {f->etag[0] ? inm : NULL, NULL};
    struct bm_http_request rq = {.method = "GET",
                                 .path = "/v1/catalog",
                                 .headers = headers,
                                 .max_answer = BM_CATALOG_MAX_BYTES};
    struct bm_http_response rs;
    if (bm_http_perform(http, &rq, &rs) != BM_OK)
        return BM_FETCH_FAILED;
    /* The same checks as the catalog store's, or a copy it refuses would replace a good one. */
    struct bm_catalog_load_options opts = {.assets_dir = f->assets_dir};
    enum bm_catalog_fetch_result result = BM_FETCH_FAILED;
    struct bm_catalog *got = NULL, *held = NULL;
    if (rs.failure == BM_HTTP_TOO_LARGE) {
        result = refuse(f, "too_large", "over 4 MiB");
    } else if (rs.failure != BM_HTTP_ANSWERED || (rs.status != 200 && rs.status != 304)) {
        snprintf(f->detail, sizeof f->detail, "%.180s",
                 rs.failure == BM_HTTP_ANSWERED ? "an unexpected status" : rs.detail);
        result = BM_FETCH_FAILED;
    } else if (rs.status == 304) {
        result = BM_FETCH_UNCHANGED;
    } else {
        enum bm_sig_verdict v =
            bm_sig_verify(f->keys, rs.signature, "catalog", "*", rs.body, rs.len);
        if (v != BM_SIG_VALID) {
            result =
                refuse(f, bm_sig_verdict_code(v),
                       v == BM_SIG_MISSING       ? "no Bianmin-Signature"
                       : v == BM_SIG_UNKNOWN_KEY ? "signed with a key this kiosk does not trust"
                                                 : "the signature does not verify");
        } else if (bm_catalog_parse((const char *)rs.body, rs.len, "centre catalog", &opts, NULL,
                                    &got) != BM_OK) {
            result = refuse(f, "invalid_document", "it breaks the catalog format's rules");
        } else if (same_file(f->path, rs.body, rs.len)) {
            result = BM_FETCH_UNCHANGED;
        } else if (bm_catalog_load_file(f->path, NULL, NULL, &held) == BM_OK &&
                   compare(got, held) <= 0) {
            char why[120];
            snprintf(why, sizeof why, "revision %.64s is not newer than the copy held",
                     bm_catalog_revision(got));
            result = refuse(f, "rollback", why);
        } else if (!swap_in(f->path, rs.body, rs.len, rs.signature)) {
            snprintf(f->detail, sizeof f->detail, "writing %s: %s", f->path, strerror(errno));
            bm_log_error(MOD, "the centre's catalog not stored: %s", f->detail);
            result = BM_FETCH_FAILED;
        } else {
            bm_log_notice(MOD, "the centre's catalog revision %s is in place",
                          bm_catalog_revision(got));
            result = BM_FETCH_REPLACED;
        }
    }
    if (result == BM_FETCH_REPLACED || (result == BM_FETCH_UNCHANGED && rs.status == 200))
        snprintf(f->etag, sizeof f->etag, "%s", rs.etag);
    bm_catalog_unref(got);
    bm_catalog_unref(held);
    bm_http_response_clear(&rs);
    return result;
}
