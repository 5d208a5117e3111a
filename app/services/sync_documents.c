/*
 * sync_documents.c - the centre's signed documents, fetched, checked and swapped in
 * (sync_documents.h).
 *
 * The three kinds differ only in a row of rules (the name, the size limit, the audience, the
 * file) and in their check; everything else (the GET, the signature, the rollback rule, the
 * swap, the high-water mark, the refusals kept for the heartbeat) is one path.
 *
 * What "older" means (docs/central-api.md, "Rollback"): an earlier published date, or the same
 * date and a revision before in version order (strverscmp). The document is compared with the
 * higher of the copy held and the mark in the outbox database; the same revision is accepted
 * again only with the same bytes (their SHA-256), which also puts back a file that was lost.
 *
 * Threads: the sync worker.
 */
#include "sync_documents.h"

#include "catalog.h"
#include "notices.h"
#include "outbox_documents.h"
#include "remote_settings.h"

#include "core/files.h"
#include "core/log.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MOD "sync"
/* A refused revision is asked for again after this long, even if the heartbeat names it. */
#define REFUSAL_QUIET_MS ((int64_t)3600 * 1000)

static const struct rules {
    const char *name;
    size_t max_bytes;
    const char *file; /* in state_dir; NULL: [catalog] current */
} rules[BM_DOC_KINDS] = {
    [BM_DOC_CATALOG] = {"catalog", BM_CATALOG_MAX_BYTES, NULL},
    [BM_DOC_NOTICES] = {"notices", BM_NOTICES_MAX_BYTES, "notices.json"},
    [BM_DOC_SETTINGS] = {"settings", BM_SETTINGS_MAX_BYTES, "settings.json"},
};

/* A (published, revision) with the digest of its bytes: the copy held, or the mark. */
typedef struct bm_outbox_document_mark mark_t;

struct held {
    bool enabled;
    char path[1100];
    bool current;   /* a verified centre copy is in force; its mark is `copy` */
    mark_t copy;    /* etag unused */
    bool have_mark; /* the high-water mark from the outbox database */
    mark_t mark;
    bool refused; /* the last GET was refused */
    char refused_revision[65];
    int64_t refused_at_ms;
    char reason[24], detail[200];
};

struct bm_docs {
    struct bm_sig_keys keys;
    char kiosk_id[40];
    char assets[1024];
    bool check_assets;
    char bundled[1024];
    char bundled_revision[65];
    struct held h[BM_DOC_KINDS];
    struct bm_doc_rejection rejections[BM_DOCS_MAX_REJECTIONS];
    size_t n_rejections;
};

const char *bm_doc_kind_name(enum bm_doc_kind kind)
{
    return kind < BM_DOC_KINDS ? rules[kind].name : "?";
}

static const char *audience(const struct bm_docs *d, enum bm_doc_kind kind)
{
    return kind == BM_DOC_SETTINGS ? d->kiosk_id : "*";
}

enum bm_err bm_docs_create(const struct bm_docs_config *cfg, struct bm_docs **out)
{
    *out = NULL;
    if (!cfg->keys || !cfg->kiosk_id || !cfg->state_dir || !*cfg->state_dir)
        return bm_err_set(BM_ERR_INVALID_ARG, "documents: no keys, kiosk id or state dir");
    if (mkdir(cfg->state_dir, 0755) != 0 && errno != EEXIST)
        return bm_err_set(BM_ERR_IO, "[sync] state_dir %s: %s", cfg->state_dir, strerror(errno));
    struct bm_docs *d = calloc(1, sizeof *d);
    if (!d)
        return bm_err_set(BM_ERR_NO_MEMORY, "documents");
    d->keys = *cfg->keys;
    snprintf(d->kiosk_id, sizeof d->kiosk_id, "%s", cfg->kiosk_id);
    d->check_assets = cfg->assets_dir != NULL;
    snprintf(d->assets, sizeof d->assets, "%s", cfg->assets_dir ? cfg->assets_dir : "");
    snprintf(d->bundled, sizeof d->bundled, "%s", cfg->bundled_path ? cfg->bundled_path : "");
    for (int k = 0; k < BM_DOC_KINDS; k++) {
        struct held *h = &d->h[k];
        int n = rules[k].file
                    ? snprintf(h->path, sizeof h->path, "%s/%s", cfg->state_dir, rules[k].file)
                    : snprintf(h->path, sizeof h->path, "%s",
                               cfg->catalog_path ? cfg->catalog_path : "");
        h->enabled = n > 0 && (size_t)n < sizeof h->path;
    }
    *out = d;
    return BM_OK;
}

void bm_docs_destroy(struct bm_docs *d)
{
    free(d);
}

/* ---- the per-kind checks ---- */

struct checked {
    int published;
    char revision[65];
    void *object; /* the parsed document: a catalog, a notices catalog or remote settings */
};

static void drop(enum bm_doc_kind kind, void *object)
{
    if (kind == BM_DOC_SETTINGS)
        bm_remote_settings_free(object);
    else
        bm_catalog_unref(object);
}

static void first_error(const struct bm_catalog_report *r, char *why, size_t size)
{
    snprintf(why, size, "it breaks the format's rules");
    for (size_t i = 0; r && i < bm_catalog_report_count(r); i++)
        if (strncmp(bm_catalog_report_line(r, i), "warning: ", 9) != 0) {
            snprintf(why, size, "%s", bm_catalog_report_line(r, i));
            return;
        }
}

/* The document's own rules; out->object holds it when they pass. */
static bool check(const struct bm_docs *d, enum bm_doc_kind kind, const unsigned char *body,
                  size_t len, struct checked *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    const char *text = (const char *)body;
    if (kind == BM_DOC_SETTINGS) {
        struct bm_remote_settings *rs = NULL;
        if (bm_remote_settings_parse(text, len, why, why_size, &rs) != BM_OK)
            return false;
        out->object = rs;
        out->published = bm_remote_settings_published(rs);
        snprintf(out->revision, sizeof out->revision, "%s", bm_remote_settings_revision(rs));
        return true;
    }
    struct bm_catalog_report *report = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    /* The same checks as the catalog store's, or a copy it refuses would replace a good one. */
    struct bm_catalog_load_options opts = {.assets_dir = d->check_assets ? d->assets : NULL};
    enum bm_err err = kind == BM_DOC_CATALOG
                          ? bm_catalog_parse(text, len, "catalog", &opts, report, &cat)
                          : bm_notices_parse(text, len, "notices", report, &cat);
    if (err != BM_OK)
        first_error(report, why, why_size);
    bm_catalog_report_destroy(report);
    if (err != BM_OK)
        return false;
    out->object = cat;
    out->published = bm_catalog_published(cat);
    snprintf(out->revision, sizeof out->revision, "%s", bm_catalog_revision(cat));
    return true;
}

/* -1: a is older than b; 0: the same revision; 1: newer. */
static int compare(int pub_a, const char *rev_a, int pub_b, const char *rev_b)
{
    if (pub_a != pub_b)
        return pub_a < pub_b ? -1 : 1;
    int c = strverscmp(rev_a, rev_b);
    return c < 0 ? -1 : c > 0;
}

/* What a new copy must not be older than: the higher of the copy held and the mark. */
static const mark_t *reference(const struct held *h)
{
    if (h->current && h->have_mark)
        return compare(h->copy.published, h->copy.revision, h->mark.published, h->mark.revision) >=
                       0
                   ? &h->copy
                   : &h->mark;
    return h->current ? &h->copy : h->have_mark ? &h->mark : NULL;
}

/* ---- files ---- */

/* The whole file, at most max bytes (malloc'd, *len), or NULL. */
static unsigned char *read_all(const char *path, size_t max, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    unsigned char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, fp) : 0;
    bool bad = ferror(fp) || n > max;
    fclose(fp);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/*
 * The .sig first, then the body, the directory fsync'd after each rename so they reach the
 * disk in that order: a crash between leaves a .sig that matches <path>.new, which the next
 * start rolls forward (bm_sig_roll_forward). Once the .sig is in place <path>.new is never
 * removed, since it is the only body that .sig vouches for. false, with bm_err set, when the
 * new copy is not in force; a failed fsync of the directory after both renames is only logged
 * (the copy is in force; a power cut could still undo the rename, and roll-forward copes).
 */
static bool swap_in(const char *path, const unsigned char *body, size_t len, const char *sig)
{
    char tmp[1200], sig_path[1200], sig_tmp[1200], line[256];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    snprintf(sig_path, sizeof sig_path, "%s.sig", path);
    snprintf(sig_tmp, sizeof sig_tmp, "%s.sig.new", path);
    int n = snprintf(line, sizeof line, "%s\n", sig);
    if (bm_file_write_synced(tmp, body, len, 0644) != BM_OK ||
        bm_file_write_synced(sig_tmp, line, (size_t)n, 0644) != BM_OK) {
        unlink(tmp); /* nothing half-written is left lying beside the copy held */
        unlink(sig_tmp);
        return false;
    }
    if (rename(sig_tmp, sig_path) != 0) {
        bm_err_set(BM_ERR_IO, "%s: rename: %s", sig_path, strerror(errno));
        unlink(tmp);
        unlink(sig_tmp);
        return false;
    }
    enum bm_err err = bm_file_sync_dir(path);
    if (err == BM_OK && rename(tmp, path) != 0)
        err = bm_err_set(BM_ERR_IO, "%s: rename: %s", path, strerror(errno));
    if (err != BM_OK)
        return false; /* the .sig names <path>.new: the next start rolls it forward */
    if (bm_file_sync_dir(path) != BM_OK)
        bm_log_warn(MOD, "%s in force, but %s", path, bm_err_detail());
    return true;
}

/* ---- at start ---- */

/* The catalog's revision while no centre copy is held: the bundled one's. */
static void read_bundled_revision(struct bm_docs *d)
{
    struct bm_catalog *cat = NULL;
    if (d->bundled[0] && bm_catalog_load_file(d->bundled, NULL, NULL, &cat) == BM_OK)
        snprintf(d->bundled_revision, sizeof d->bundled_revision, "%s", bm_catalog_revision(cat));
    bm_catalog_unref(cat);
}

static void load_one(struct bm_docs *d, enum bm_doc_kind kind, bm_docs_fn fn, void *ud)
{
    struct held *h = &d->h[kind];
    const char *name = rules[kind].name;
    if (bm_sig_roll_forward(&d->keys, h->path, name, audience(d, kind), rules[kind].max_bytes))
        bm_log_notice(MOD, "%s: finished the swap a crash had cut (the .sig matched %s.new)",
                      h->path, h->path);
    enum bm_sig_verdict v = BM_SIG_MISSING;
    enum bm_err err =
        bm_sig_verify_file(&d->keys, h->path, name, audience(d, kind), rules[kind].max_bytes, &v);
    if (err == BM_ERR_NOT_FOUND)
        return; /* none held */
    char why[300] = "";
    size_t len = 0;
    unsigned char *body = NULL;
    struct checked c = {0};
    if (err != BM_OK)
        snprintf(why, sizeof why, "%s", bm_err_detail());
    else if (v != BM_SIG_VALID)
        snprintf(why, sizeof why, "signature: %s (checked against its .sig)",
                 bm_sig_verdict_code(v));
    else if (!(body = read_all(h->path, rules[kind].max_bytes, &len)))
        snprintf(why, sizeof why, "cannot read it");
    else if (check(d, kind, body, len, &c, why, sizeof why)) {
        h->current = true;
        h->copy.published = c.published;
        snprintf(h->copy.revision, sizeof h->copy.revision, "%s", c.revision);
        crypto_hash_sha256(h->copy.sha256, body, len);
        bm_log_info(MOD, "%s: revision %s in force", h->path, c.revision);
        if (kind != BM_DOC_CATALOG && fn) {
            fn(kind, c.object, ud);
            c.object = NULL;
        }
        drop(kind, c.object);
    }
    if (!h->current)
        bm_log_error(MOD, "%s rejected: %s; %s", h->path, why,
                     kind == BM_DOC_CATALOG   ? "the bundled catalog applies"
                     : kind == BM_DOC_NOTICES ? "the catalog's notices apply"
                                              : "the config file alone applies");
    free(body);
}

void bm_docs_load(struct bm_docs *d, struct bm_outbox *ob, bm_docs_fn fn, void *ud)
{
    for (int k = 0; k < BM_DOC_KINDS; k++)
        if (d->h[k].enabled)
            load_one(d, (enum bm_doc_kind)k, fn, ud);
    if (d->h[BM_DOC_CATALOG].enabled && !d->h[BM_DOC_CATALOG].current)
        read_bundled_revision(d);
    if (ob)
        bm_docs_read_marks(d, ob, fn, ud);
}

static void add_rejection(struct bm_docs *d, enum bm_doc_kind kind, const char *revision,
                          const char *reason, int64_t now_ms);

/*
 * A copy held that is older than the highest ever accepted (a restored backup, a planted older
 * file with its .sig) is refused as a GET of it would be: notices and settings fall back, and
 * the refusal goes in the next heartbeat. The catalog store reads the catalog file itself, so
 * for the catalog this is a report to technicians only.
 */
static void refuse_held_rollback(struct bm_docs *d, enum bm_doc_kind kind, bm_docs_fn fn, void *ud)
{
    struct held *h = &d->h[kind];
    if (!h->current || !h->have_mark ||
        compare(h->copy.published, h->copy.revision, h->mark.published, h->mark.revision) >= 0)
        return;
    bm_log_error(MOD, "%s holds revision %s, older than %s, the highest accepted: rollback; %s",
                 h->path, h->copy.revision, h->mark.revision,
                 kind == BM_DOC_CATALOG   ? "the catalog store still uses it"
                 : kind == BM_DOC_NOTICES ? "the catalog's notices apply"
                                          : "the config file alone applies");
    add_rejection(d, kind, h->copy.revision, "rollback", (int64_t)time(NULL) * 1000);
    if (kind == BM_DOC_CATALOG)
        return;
    h->current = false;
    if (fn)
        fn(kind, NULL, ud);
}

void bm_docs_read_marks(struct bm_docs *d, struct bm_outbox *ob, bm_docs_fn fn, void *ud)
{
    for (int k = 0; k < BM_DOC_KINDS; k++) {
        struct held *h = &d->h[k];
        if (!h->enabled)
            continue;
        enum bm_err err = bm_outbox_document_mark(ob, rules[k].name, &h->mark);
        h->have_mark = err == BM_OK;
        if (err != BM_OK && err != BM_ERR_NOT_FOUND)
            bm_log_error(MOD, "%s: high-water mark unreadable (%s): older copies are not refused",
                         rules[k].name, bm_err_detail());
        refuse_held_rollback(d, (enum bm_doc_kind)k, fn, ud);
    }
}

/* ---- one GET ---- */

static void add_rejection(struct bm_docs *d, enum bm_doc_kind kind, const char *revision,
                          const char *reason, int64_t now_ms)
{
    if (d->n_rejections == BM_DOCS_MAX_REJECTIONS) { /* the oldest goes */
        memmove(&d->rejections[0], &d->rejections[1],
                (BM_DOCS_MAX_REJECTIONS - 1) * sizeof d->rejections[0]);
        d->n_rejections--;
    }
    struct bm_doc_rejection *r = &d->rejections[d->n_rejections++];
    r->kind = kind;
    snprintf(r->revision, sizeof r->revision, "%s", revision ? revision : "");
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    r->at = (time_t)(now_ms / 1000);
}

static enum bm_doc_result refuse(struct bm_docs *d, enum bm_doc_kind kind, const char *revision,
                                 const char *reason, const char *detail, int64_t now_ms)
{
    struct held *h = &d->h[kind];
    snprintf(h->reason, sizeof h->reason, "%s", reason);
    snprintf(h->detail, sizeof h->detail, "%s", detail);
    h->refused = true;
    snprintf(h->refused_revision, sizeof h->refused_revision, "%s", revision ? revision : "");
    h->refused_at_ms = now_ms;
    add_rejection(d, kind, revision, reason, now_ms);
    bm_log_error(MOD, "the centre's %s refused (%s): %s; the copy held stays", rules[kind].name,
                 reason, h->detail);
    return BM_DOC_REFUSED;
}

/* A 200: verify, check, refuse a rollback, swap in, record the mark. */
static enum bm_doc_result accept(struct bm_docs *d, struct bm_sync *engine, enum bm_doc_kind kind,
                                 const struct bm_http_response *rs, const char *asked,
                                 int64_t now_ms, bm_docs_fn fn, void *ud)
{
    struct held *h = &d->h[kind];
    enum bm_sig_verdict v = bm_sig_verify(&d->keys, rs->signature, rules[kind].name,
                                          audience(d, kind), rs->body, rs->len);
    if (v != BM_SIG_VALID)
        return refuse(d, kind, asked, bm_sig_verdict_code(v),
                      v == BM_SIG_MISSING       ? "no Bianmin-Signature"
                      : v == BM_SIG_UNKNOWN_KEY ? "signed with a key this kiosk does not trust"
                                                : "the signature does not verify",
                      now_ms);
    struct checked c;
    char why[300];
    if (!check(d, kind, rs->body, rs->len, &c, why, sizeof why))
        return refuse(d, kind, asked, "invalid_document", why, now_ms);

    mark_t got = {.published = c.published};
    snprintf(got.revision, sizeof got.revision, "%s", c.revision);
    snprintf(got.etag, sizeof got.etag, "%s", rs->etag);
    crypto_hash_sha256(got.sha256, rs->body, rs->len);
    const mark_t *ref = reference(h);
    int order = ref ? compare(got.published, got.revision, ref->published, ref->revision) : 1;
    bool same_bytes = ref && memcmp(got.sha256, ref->sha256, sizeof got.sha256) == 0;
    enum bm_doc_result result = BM_DOC_REPLACED;
    char detail[200];
    if (order < 0 || (order == 0 && !same_bytes)) {
        snprintf(detail, sizeof detail, "revision %.64s (published %d) %s %.64s", got.revision,
                 got.published, order < 0 ? "is older than" : "has other bytes than the same",
                 ref->revision);
        drop(kind, c.object);
        return refuse(d, kind, got.revision, "rollback", detail, now_ms);
    }
    if (order == 0 && h->current && strcmp(h->copy.revision, got.revision) == 0 &&
        access(h->path, F_OK) == 0) {
        result = BM_DOC_UNCHANGED; /* the same bytes again: only the ETag may be new */
    } else if (!swap_in(h->path, rs->body, rs->len, rs->signature)) {
        bm_log_error(MOD, "the centre's %s not stored: %s", rules[kind].name, bm_err_detail());
        drop(kind, c.object);
        return BM_DOC_FAILED;
    }
    enum bm_err err =
        bm_outbox_document_set_mark(bm_sync_outbox(engine), rules[kind].name, &got, now_ms);
    if (err != BM_OK) /* the file holds it; the mark catches up with the next copy */
        bm_log_error(MOD, "%s: high-water mark not recorded: %s", rules[kind].name,
                     bm_err_detail());
    h->have_mark = err == BM_OK || h->have_mark;
    if (err == BM_OK)
        h->mark = got;
    h->current = true;
    h->copy = got;
    h->refused = false;
    if (result == BM_DOC_REPLACED) {
        bm_log_notice(MOD, "the centre's %s revision %s is in place", rules[kind].name,
                      got.revision);
        if (fn) {
            fn(kind, kind == BM_DOC_CATALOG ? NULL : c.object, ud);
            if (kind != BM_DOC_CATALOG)
                c.object = NULL;
        }
    }
    drop(kind, c.object);
    return result;
}

enum bm_doc_result bm_docs_fetch(struct bm_docs *d, struct bm_sync *engine, enum bm_doc_kind kind,
                                 const char *asked, int64_t now_ms, bm_docs_fn fn, void *ud)
{
    struct held *h = &d->h[kind];
    if (!h->enabled)
        return BM_DOC_UNCHANGED;
    h->reason[0] = h->detail[0] = '\0';
    /* The ETag only while the revision it belongs to is the one held. */
    char inm[200], path[32];
    bool conditional = h->current && h->have_mark && h->mark.etag[0] &&
                       strcmp(h->mark.revision, h->copy.revision) == 0;
    snprintf(inm, sizeof inm, "If-None-Match: %s", h->mark.etag);
    snprintf(path, sizeof path, "/v1/%s", rules[kind].name);
    const char *headers[] = {conditional ? inm : NULL, NULL};
    struct bm_http_request rq = {
        .method = "GET", .path = path, .headers = headers, .max_answer = rules[kind].max_bytes};
    struct bm_http_response rs;
    if (bm_http_perform(bm_sync_http(engine), &rq, &rs) != BM_OK)
        return BM_DOC_FAILED;
    enum bm_doc_result result = BM_DOC_FAILED;
    if (rs.failure == BM_HTTP_TOO_LARGE) {
        char detail[80];
        snprintf(detail, sizeof detail, "over %zu KiB", rules[kind].max_bytes >> 10);
        result = refuse(d, kind, asked, "too_large", detail, now_ms);
    } else {
        enum bm_sync_answer a = bm_sync_note_answer(engine, &rs, now_ms, false);
        if (a == BM_SYNC_ANSWER_OK && rs.status == 304)
            result = BM_DOC_UNCHANGED;
        else if (a == BM_SYNC_ANSWER_OK)
            result = accept(d, engine, kind, &rs, asked, now_ms, fn, ud);
        else if (a != BM_SYNC_ANSWER_CANCELLED)
            bm_log_warn(MOD, "GET %s: %s %ld; the copy held stays", path,
                        rs.failure == BM_HTTP_ANSWERED ? "HTTP" : bm_http_failure_name(rs.failure),
                        rs.status);
    }
    bm_http_response_clear(&rs);
    return result;
}

/* ---- what the heartbeat needs ---- */

const char *bm_docs_last_reason(const struct bm_docs *d, enum bm_doc_kind kind)
{
    return d->h[kind].reason;
}

const char *bm_docs_last_detail(const struct bm_docs *d, enum bm_doc_kind kind)
{
    return d->h[kind].detail;
}

bool bm_docs_wanted(const struct bm_docs *d, enum bm_doc_kind kind, const char *latest,
                    int64_t now_ms)
{
    const struct held *h = &d->h[kind];
    if (!h->enabled || !latest || !*latest)
        return false;
    if (h->current && strcmp(latest, h->copy.revision) == 0)
        return false;
    return !(h->refused && strcmp(latest, h->refused_revision) == 0 &&
             now_ms - h->refused_at_ms < REFUSAL_QUIET_MS && now_ms >= h->refused_at_ms);
}

void bm_docs_held(const struct bm_docs *d, enum bm_doc_kind kind, struct bm_doc_held *out)
{
    const struct held *h = &d->h[kind];
    out->revision[0] = '\0';
    out->source = "none";
    if (h->current) {
        snprintf(out->revision, sizeof out->revision, "%s", h->copy.revision);
        out->source = "current";
    } else if (kind == BM_DOC_CATALOG && d->bundled_revision[0]) {
        snprintf(out->revision, sizeof out->revision, "%s", d->bundled_revision);
        out->source = "bundled";
    }
}

size_t bm_docs_rejections(const struct bm_docs *d, struct bm_doc_rejection *out, size_t cap)
{
    size_t n = d->n_rejections < cap ? d->n_rejections : cap;
    memcpy(out, d->rejections, n * sizeof *out);
    return n;
}

void bm_docs_rejections_delivered(struct bm_docs *d, size_t n)
{
    if (n > d->n_rejections)
        n = d->n_rejections;
    memmove(&d->rejections[0], &d->rejections[n], (d->n_rejections - n) * sizeof d->rejections[0]);
    d->n_rejections -= n;
}
