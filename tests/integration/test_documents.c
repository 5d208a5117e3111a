/*
 * test_documents.c - the centre's three signed documents (sync_documents.h) against the
 * reference central service (TLS on loopback): each kind fetched, swapped in with its .sig and
 * handed over; 304 then; refused for a bad, missing or unknown-key signature, one made for
 * another kiosk, a body over the kind's limit, a document breaking its rules (a forbidden
 * settings key, a catalog naming a picture the kiosk lacks), a rollback (also once the file is
 * gone: the high-water mark in the outbox database remembers), the copy held untouched each
 * time; a swap cut between its two renames rolled forward at the next start; the refusals
 * reach the centre in a heartbeat its schema accepts; a 503 with Retry-After and a 401 on a
 * GET hold all of sync back as the engine's own requests would.
 */
#include "central_fixture.h"
#include "test_support.h"

#include "services/catalog.h"
#include "services/heartbeat.h"
#include "services/remote_settings.h"
#include "services/sync_documents.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct central central;
static char dir[4096], state_dir[4200], catalog_path[4200];
static struct bm_sync *engine;
static struct bm_sig_keys keys;
static struct bm_docs *docs;

/* What the documents handed over, as the main thread would get it. */
static struct {
    int catalogs;
    struct bm_catalog *notices;
    struct bm_remote_settings *settings;
} got;

static void on_document(enum bm_doc_kind kind, void *object, void *ud)
{
    (void)ud;
    if (kind == BM_DOC_CATALOG) {
        got.catalogs++;
    } else if (kind == BM_DOC_NOTICES) {
        bm_catalog_unref(got.notices);
        got.notices = object;
    } else {
        bm_remote_settings_free(got.settings);
        got.settings = object;
    }
}

static void open_docs(void)
{
    struct bm_docs_config dc = {.keys = &keys,
                                .kiosk_id = "DEMO-0001",
                                .catalog_path = catalog_path,
                                .bundled_path = bm_test_source_path("config/catalog.json"),
                                .assets_dir = bm_test_source_path("ui-assets"),
                                .state_dir = state_dir};
    char assets[4200];
    snprintf(assets, sizeof assets, "%s", dc.assets_dir);
    dc.assets_dir = assets;
    assert_int_equal(bm_docs_create(&dc, &docs), BM_OK);
    bm_docs_load(docs, bm_sync_outbox(engine), on_document, NULL);
}

/* A restart of the kiosk's side: a new engine (the same outbox) and documents loaded again. */
static void restart(void)
{
    bm_catalog_unref(got.notices); /* what the load hands over must be new */
    got.notices = NULL;
    bm_remote_settings_free(got.settings);
    got.settings = NULL;
    bm_docs_destroy(docs);
    bm_sync_close(engine);
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 0, &paths, &cfg);
    assert_int_equal(bm_sync_open(&cfg, &engine), BM_OK);
    open_docs();
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("documents"));
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    snprintf(catalog_path, sizeof catalog_path, "%s/current.json", dir);
    central_start(&central, dir, NULL);
    assert_int_equal(bm_sig_keys_load(central_file(&central, "signing.keys"), &keys), BM_OK);
    struct central_sync_paths paths;
    struct bm_sync_config cfg;
    central_sync_config(&central, dir, 0, &paths, &cfg);
    assert_int_equal(bm_sync_open(&cfg, &engine), BM_OK);
    memset(&got, 0, sizeof got);
    open_docs();
    return 0;
}

static int teardown(void **state)
{
    bm_docs_destroy(docs);
    bm_sync_close(engine);
    central_stop(&central);
    bm_catalog_unref(got.notices);
    bm_remote_settings_free(got.settings);
    memset(&got, 0, sizeof got);
    return 0;
}

static int64_t now_ms(void)
{
    return (int64_t)time(NULL) * 1000;
}

static enum bm_doc_result fetch(enum bm_doc_kind kind)
{
    return bm_docs_fetch(docs, engine, kind, "", now_ms(), on_document, NULL);
}

static void publish_notices(const char *revision, const char *published, const char *title)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"format\":\"bianmin-notices\",\"format_version\":1,\"revision\":\"%s\","
             "\"published\":\"%s\",\"notices\":[{\"id\":\"n1\",\"title\":{\"zh-CN\":\"%s\","
             "\"en\":\"%s\"},\"body\":{\"zh-CN\":\"正文\",\"en\":\"Body\"},"
             "\"valid_from\":\"2020-01-01\",\"valid_until\":\"2099-12-31\"}]}",
             revision, published, title, title);
    central_publish(&central, "notices", body, NULL);
}

static void publish_settings(const char *revision, const char *settings, const char *kiosk)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"%s\","
             "\"published\":\"2026-11-29\",\"settings\":%s}",
             revision, settings);
    central_publish(&central, "settings", body, kiosk);
}

static char *file_text(const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", state_dir, name);
    return bm_test_read_file(path, NULL);
}

static void assert_verifies(const char *path, const char *kind, const char *audience)
{
    enum bm_sig_verdict v;
    assert_int_equal(bm_sig_verify_file(&keys, path, kind, audience, 4u << 20, &v), BM_OK);
    assert_int_equal(v, BM_SIG_VALID);
}

/* Each kind: fetched, in place with its .sig, handed over; then 304. */
static void test_each_kind_fetched_then_304(void **state)
{
    publish_notices("2026-11-28.1", "2026-11-28", "停水通知");
    publish_settings("2026-11-29.1",
                     "{\"kiosk\":{\"hotline\":\"0571-12345\"},\"session\":{\"timeout_s\":\"90\"}}",
                     NULL);
    assert_int_equal(fetch(BM_DOC_CATALOG), BM_DOC_REPLACED);
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REPLACED);
    assert_int_equal(fetch(BM_DOC_SETTINGS), BM_DOC_REPLACED);
    assert_int_equal(got.catalogs, 1);
    assert_non_null(got.notices);
    assert_string_equal(bm_catalog_revision(got.notices), "2026-11-28.1");
    const struct bm_catalog_notice *n;
    assert_int_equal(bm_catalog_notices_on(got.notices, 20261130, &n, 1), 1);
    assert_non_null(got.settings);
    assert_string_equal(bm_settings_str(got.settings, NULL, "kiosk", "hotline"), "0571-12345");
    assert_int_equal(bm_settings_int(got.settings, NULL, "session", "timeout_s"), 90);
    assert_false(bm_remote_settings_has(got.settings, "kiosk", "name"));

    char path[4400];
    assert_verifies(catalog_path, "catalog", "*");
    snprintf(path, sizeof path, "%s/notices.json", state_dir);
    assert_verifies(path, "notices", "*");
    snprintf(path, sizeof path, "%s/settings.json", state_dir);
    assert_verifies(path, "settings", "DEMO-0001");

    struct bm_doc_held h;
    bm_docs_held(docs, BM_DOC_SETTINGS, &h);
    assert_string_equal(h.revision, "2026-11-29.1");
    assert_string_equal(h.source, "current");

    long before = central_count(&central, "requests");
    for (int k = 0; k < BM_DOC_KINDS; k++)
        assert_int_equal(fetch((enum bm_doc_kind)k), BM_DOC_UNCHANGED);
    assert_int_equal(got.catalogs, 1); /* nothing handed over again */
    assert_int_equal(central_count(&central, "requests"), before + 3);

    /* After a restart the ETag comes from the outbox database: still 304. */
    restart();
    assert_non_null(got.notices); /* loaded from disk and verified */
    for (int k = 0; k < BM_DOC_KINDS; k++)
        assert_int_equal(fetch((enum bm_doc_kind)k), BM_DOC_UNCHANGED);
}

/* One refusal: the reason, and the copy held untouched. */
static void expect_refused(enum bm_doc_kind kind, const char *reason, const char *held_name,
                           const char *held)
{
    assert_int_equal(fetch(kind), BM_DOC_REFUSED);
    assert_string_equal(bm_docs_last_reason(docs, kind), reason);
    char *now = file_text(held_name);
    assert_non_null(now);
    assert_string_equal(now, held);
    free(now);
}

static void test_refusals_keep_the_copy(void **state)
{
    publish_notices("2026-11-28.1", "2026-11-28", "旧");
    publish_settings("2026-11-29.1", "{\"kiosk\":{\"hotline\":\"0571-1\"}}", NULL);
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REPLACED);
    assert_int_equal(fetch(BM_DOC_SETTINGS), BM_DOC_REPLACED);
    char *notices = file_text("notices.json"), *settings = file_text("settings.json");

    /* A newer revision each time, so the ETag held does not answer 304. */
    publish_notices("2026-11-28.2", "2026-11-28", "新");
    central_fault(&central, "{\"path\": \"^/v1/notices$\", \"kind\": \"signature\"}");
    expect_refused(BM_DOC_NOTICES, "bad_signature", "notices.json", notices);
    central_fault(&central,
                  "{\"path\": \"^/v1/notices$\", \"kind\": \"signature\", \"mode\": \"missing\"}");
    expect_refused(BM_DOC_NOTICES, "signature_missing", "notices.json", notices);
    central_fault(&central, "{\"path\": \"^/v1/notices$\", \"kind\": \"signature\", "
                            "\"mode\": \"unknown_key\"}");
    expect_refused(BM_DOC_NOTICES, "unknown_key", "notices.json", notices);
    central_fault(&central, "{\"path\": \"^/v1/notices$\", \"kind\": \"signature\", "
                            "\"mode\": \"wrong_kind\"}");
    expect_refused(BM_DOC_NOTICES, "bad_signature", "notices.json", notices);

    /* A forbidden key refuses the whole document; so does a value --set would refuse. */
    publish_settings("2026-11-29.3",
                     "{\"kiosk\":{\"hotline\":\"0571-3\"},\"central\":{\"url\":\"https://evil\"}}",
                     NULL);
    expect_refused(BM_DOC_SETTINGS, "invalid_document", "settings.json", settings);
    assert_non_null(strstr(bm_docs_last_detail(docs, BM_DOC_SETTINGS), "$.settings.central.url"));
    publish_settings("2026-11-29.4", "{\"session\":{\"timeout_s\":\"5\"}}", NULL);
    expect_refused(BM_DOC_SETTINGS, "invalid_document", "settings.json", settings);

    /* Notices breaking the catalog's notice rules. */
    central_publish(&central, "notices",
                    "{\"format\":\"bianmin-notices\",\"format_version\":1,\"revision\":\"r9\","
                    "\"published\":\"2026-11-30\",\"notices\":[{\"id\":\"Bad Id\"}]}",
                    NULL);
    expect_refused(BM_DOC_NOTICES, "invalid_document", "notices.json", notices);

    /* Over the notices' 256 KiB. */
    size_t big = 300 * 1024;
    char *huge = malloc(big + 200);
    int n = snprintf(huge, big + 200, "{\"format\":\"bianmin-notices\",\"pad\":\"");
    memset(huge + n, 'a', big);
    snprintf(huge + n + big, 200, "\"}");
    central_publish(&central, "notices", huge, NULL);
    free(huge);
    expect_refused(BM_DOC_NOTICES, "too_large", "notices.json", notices);
    /* Over the settings' 64 KiB (well under the notices' limit). */
    big = 70 * 1024;
    huge = malloc(big + 200);
    n = snprintf(huge, big + 200, "{\"format\":\"bianmin-settings\",\"pad\":\"");
    memset(huge + n, 'a', big);
    snprintf(huge + n + big, 200, "\"}");
    central_publish(&central, "settings", huge, NULL);
    free(huge);
    expect_refused(BM_DOC_SETTINGS, "too_large", "settings.json", settings);

    /* Each refusal is kept for the heartbeat. */
    struct bm_doc_rejection r[BM_DOCS_MAX_REJECTIONS];
    size_t count = bm_docs_rejections(docs, r, BM_DOCS_MAX_REJECTIONS);
    assert_int_equal(count, 9);
    assert_string_equal(r[0].reason, "bad_signature");
    assert_int_equal(r[0].kind, BM_DOC_NOTICES);
    free(notices);
    free(settings);
}

/* Settings made for another kiosk: signed for it, they never verify on this one. */
static void test_settings_for_another_kiosk(void **state)
{
    publish_settings("2026-11-29.1", "{\"kiosk\":{\"hotline\":\"0571-1\"}}", NULL);
    assert_int_equal(fetch(BM_DOC_SETTINGS), BM_DOC_REPLACED);
    char *held = file_text("settings.json");
    /* The centre signs settings for the kiosk it serves; answer as if it were DEMO-0002's by
     * checking the same bytes under another audience. */
    char path[4400];
    snprintf(path, sizeof path, "%s/settings.json", state_dir);
    enum bm_sig_verdict v;
    assert_int_equal(bm_sig_verify_file(&keys, path, "settings", "DEMO-0002", 1 << 16, &v), BM_OK);
    assert_int_equal(v, BM_SIG_BAD);
    publish_settings("2026-11-29.2", "{\"kiosk\":{\"hotline\":\"0571-2\"}}", NULL);
    central_fault(&central, "{\"path\": \"^/v1/settings$\", \"kind\": \"signature\", "
                            "\"mode\": \"wrong_audience\"}");
    expect_refused(BM_DOC_SETTINGS, "bad_signature", "settings.json", held);
    free(held);
}

/* Older revisions are refused, also once the file is gone: the mark in the outbox remembers. */
static void test_rollback_even_after_the_file_is_lost(void **state)
{
    publish_notices("2026-11-28.10", "2026-11-28", "十");
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REPLACED);
    char *held = file_text("notices.json");

    publish_notices("2026-11-28.9", "2026-11-28", "九"); /* 9 < 10 in version order */
    expect_refused(BM_DOC_NOTICES, "rollback", "notices.json", held);
    publish_notices("2026-11-29.1", "2026-11-27", "早"); /* published earlier */
    expect_refused(BM_DOC_NOTICES, "rollback", "notices.json", held);

    /* A technician deletes the file: after a restart none is held, yet the old one stays out. */
    char path[4400];
    snprintf(path, sizeof path, "%s/notices.json", state_dir);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof path, "%s/notices.json.sig", state_dir);
    assert_int_equal(unlink(path), 0);
    bm_catalog_unref(got.notices);
    got.notices = NULL;
    restart();
    assert_null(got.notices);
    struct bm_doc_held h;
    bm_docs_held(docs, BM_DOC_NOTICES, &h);
    assert_string_equal(h.source, "none");
    publish_notices("2026-11-28.9", "2026-11-28", "九");
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REFUSED);
    assert_string_equal(bm_docs_last_reason(docs, BM_DOC_NOTICES), "rollback");
    assert_null(file_text("notices.json"));
    /* The same revision with other bytes (no ETag goes now: none is held). */
    publish_notices("2026-11-28.10", "2026-11-28", "改");
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REFUSED);
    assert_string_equal(bm_docs_last_reason(docs, BM_DOC_NOTICES), "rollback");

    /* The revision of the mark, with its own bytes, comes back. */
    publish_notices("2026-11-28.10", "2026-11-28", "十");
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REPLACED);
    char *back = file_text("notices.json");
    assert_string_equal(back, held);
    free(back);
    free(held);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = bm_test_read_file(from, &len);
    assert_non_null(data);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    free(data);
}

/* An older signed copy put on the disk (a restored backup, say) is refused at start against
 * the mark: the catalog's notices apply, and the refusal goes in the next heartbeat. */
static void test_older_copy_on_disk_refused_at_start(void **state)
{
    char b_dir[4200], from[4400], to[4400];
    snprintf(b_dir, sizeof b_dir, "%s/b", dir);
    struct bm_docs *second;
    struct bm_docs_config dc = {.keys = &keys, .kiosk_id = "DEMO-0001", .state_dir = b_dir};
    assert_int_equal(bm_docs_create(&dc, &second), BM_OK);
    publish_notices("2026-11-28.1", "2026-11-28", "旧");
    assert_int_equal(bm_docs_fetch(second, engine, BM_DOC_NOTICES, "", now_ms(), NULL, NULL),
                     BM_DOC_REPLACED);
    bm_docs_destroy(second);
    publish_notices("2026-11-28.2", "2026-11-28", "新");
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REPLACED);

    for (int i = 0; i < 2; i++) { /* the old body and its .sig over the new */
        const char *name = i ? "notices.json.sig" : "notices.json";
        snprintf(from, sizeof from, "%s/%s", b_dir, name);
        snprintf(to, sizeof to, "%s/%s", state_dir, name);
        copy_file(from, to);
    }
    snprintf(to, sizeof to, "%s/notices.json", state_dir);
    assert_verifies(to, "notices", "*"); /* validly signed: only its age gives it away */
    restart();
    assert_null(got.notices); /* handed over, then taken back: the catalog's apply */
    struct bm_doc_held h;
    bm_docs_held(docs, BM_DOC_NOTICES, &h);
    assert_string_not_equal(h.source, "current");
    struct bm_doc_rejection r[BM_DOCS_MAX_REJECTIONS];
    size_t n = bm_docs_rejections(docs, r, BM_DOCS_MAX_REJECTIONS);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].kind, BM_DOC_NOTICES);
    assert_string_equal(r[0].reason, "rollback");
    assert_string_equal(r[0].revision, "2026-11-28.1");
}

/* A catalog naming a material picture the kiosk lacks is refused; the copy held stays. */
static void test_catalog_with_a_missing_picture(void **state)
{
    assert_int_equal(fetch(BM_DOC_CATALOG), BM_DOC_REPLACED);
    size_t len;
    char *held = bm_test_read_file(catalog_path, &len);
    char *doc = strdup(held);
    char *rev = strstr(doc, "\"revision\": \"");
    assert_non_null(rev);
    memcpy(rev + 13, "2026-11-20.2", 12); /* newer */
    char *pic = strstr(doc, "catalog/examples/hukou.svg");
    assert_non_null(pic);
    memcpy(pic + 17, "nokou", 5); /* catalog/examples/nokou.svg: not in ui-assets */
    central_publish(&central, "catalog", doc, NULL);
    assert_int_equal(fetch(BM_DOC_CATALOG), BM_DOC_REFUSED);
    assert_string_equal(bm_docs_last_reason(docs, BM_DOC_CATALOG), "invalid_document");
    assert_non_null(strstr(bm_docs_last_detail(docs, BM_DOC_CATALOG), "nokou.svg"));
    char *now = bm_test_read_file(catalog_path, &len);
    assert_string_equal(now, held);
    assert_int_equal(got.catalogs, 1);
    free(now);
    free(doc);
    free(held);
}

/* A crash between the two renames: the .sig is the new one, the body still in .new. */
static void test_roll_forward_at_start(void **state)
{
    publish_notices("2026-11-28.1", "2026-11-28", "一");
    assert_int_equal(fetch(BM_DOC_NOTICES), BM_DOC_REPLACED);
    /* Revision 2 as the swap had it: fetched into a second state dir, copied over. */
    char a[4400], b[4400], b_dir[4200];
    snprintf(b_dir, sizeof b_dir, "%s/b", dir);
    struct bm_docs *second;
    struct bm_docs_config dc = {.keys = &keys, .kiosk_id = "DEMO-0001", .state_dir = b_dir};
    assert_int_equal(bm_docs_create(&dc, &second), BM_OK);
    publish_notices("2026-11-28.2", "2026-11-28", "二");
    assert_int_equal(bm_docs_fetch(second, engine, BM_DOC_NOTICES, "", now_ms(), NULL, NULL),
                     BM_DOC_REPLACED);
    bm_docs_destroy(second);
    snprintf(a, sizeof a, "%s/notices.json.new", state_dir);
    snprintf(b, sizeof b, "%s/notices.json", b_dir);
    copy_file(b, a);
    snprintf(a, sizeof a, "%s/notices.json.sig", state_dir);
    snprintf(b, sizeof b, "%s/notices.json.sig", b_dir);
    copy_file(b, a);

    restart();
    assert_non_null(got.notices);
    assert_string_equal(bm_catalog_revision(got.notices), "2026-11-28.2");
    snprintf(a, sizeof a, "%s/notices.json.new", state_dir);
    assert_int_equal(access(a, F_OK), -1); /* renamed, not copied */
    snprintf(a, sizeof a, "%s/notices.json", state_dir);
    assert_verifies(a, "notices", "*");

    /* A .new that does not match the .sig is left alone: the file held stays in force. */
    snprintf(a, sizeof a, "%s/notices.json.new", state_dir);
    copy_file(b, a); /* notices.json.new <- a .sig, which is no notices document */
    restart();
    assert_non_null(got.notices);
    assert_string_equal(bm_catalog_revision(got.notices), "2026-11-28.2");
    struct bm_doc_held held;
    bm_docs_held(docs, BM_DOC_NOTICES, &held);
    assert_string_equal(held.source, "current");
    assert_int_equal(access(a, F_OK), 0); /* left alone */
}

/* The body's rename fails after the .sig's (a directory stands in its way): the fetch fails,
 * <file>.new is kept for the .sig that names it, and once the way is clear the next start
 * rolls it forward. */
static void test_swap_cut_between_renames(void **state)
{
    publish_notices("2026-11-28.3", "2026-11-28", "三");
    char path[4400], fresh[4500];
    snprintf(path, sizeof path, "%s/notices.json", state_dir);
    snprintf(fresh, sizeof fresh, "%s.new", path);
    assert_int_equal(mkdir(path, 0755), 0);
    bm_test_write_file(path, "in-the-way", "x");
    assert_int_equal(bm_docs_fetch(docs, engine, BM_DOC_NOTICES, "", now_ms(), on_document, NULL),
                     BM_DOC_FAILED);
    assert_int_equal(access(fresh, F_OK), 0);
    char inside[4500];
    snprintf(inside, sizeof inside, "%s/in-the-way", path);
    assert_int_equal(unlink(inside), 0);
    assert_int_equal(rmdir(path), 0);
    restart();
    assert_non_null(got.notices);
    assert_string_equal(bm_catalog_revision(got.notices), "2026-11-28.3");
    assert_verifies(path, "notices", "*");
    assert_int_equal(access(fresh, F_OK), -1);
}

/* The refusals go in a heartbeat the centre's schema accepts, with the documents held. */
static void test_rejections_reach_the_centre(void **state)
{
    assert_int_equal(fetch(BM_DOC_CATALOG), BM_DOC_REPLACED);
    publish_notices("2026-11-28.2", "2026-11-28", "二");
    central_fault(&central, "{\"path\": \"^/v1/notices$\", \"kind\": \"signature\"}");
    assert_int_equal(
        bm_docs_fetch(docs, engine, BM_DOC_NOTICES, "2026-11-28.2", now_ms(), on_document, NULL),
        BM_DOC_REFUSED);
    /* The same revision is not asked for again within the hour; another one is. */
    assert_false(bm_docs_wanted(docs, BM_DOC_NOTICES, "2026-11-28.2", now_ms() + 60000));
    assert_true(bm_docs_wanted(docs, BM_DOC_NOTICES, "2026-11-28.2", now_ms() + 3700000));
    assert_true(bm_docs_wanted(docs, BM_DOC_NOTICES, "2026-11-28.3", now_ms()));
    struct bm_doc_held held[BM_DOC_KINDS];
    struct bm_heartbeat_document hd[BM_DOC_KINDS];
    for (int k = 0; k < BM_DOC_KINDS; k++) {
        bm_docs_held(docs, (enum bm_doc_kind)k, &held[k]);
        hd[k] = (struct bm_heartbeat_document){bm_doc_kind_name((enum bm_doc_kind)k),
                                               held[k].revision, held[k].source};
    }
    assert_false(bm_docs_wanted(docs, BM_DOC_CATALOG, held[0].revision, now_ms()));
    struct bm_doc_rejection r[BM_DOCS_MAX_REJECTIONS];
    size_t n = bm_docs_rejections(docs, r, BM_DOCS_MAX_REJECTIONS);
    assert_int_equal(n, 1);
    struct bm_heartbeat_rejection hr = {"notices", r[0].revision, r[0].reason, r[0].at};
    struct bm_heartbeat hb = {.version = "0.1.0",
                              .now = time(NULL),
                              .documents = hd,
                              .n_documents = BM_DOC_KINDS,
                              .rejections = &hr,
                              .n_rejections = 1};
    size_t len;
    char *json = bm_heartbeat_json(&hb, &len);
    long status;
    assert_int_equal(bm_sync_heartbeat(engine, json, len, now_ms(), &status), BM_OK);
    free(json);
    bm_docs_rejections_delivered(docs, n);
    assert_int_equal(bm_docs_rejections(docs, r, BM_DOCS_MAX_REJECTIONS), 0);

    sqlite3 *db;
    char dbpath[4400];
    snprintf(dbpath, sizeof dbpath, "%s/central.db", dir);
    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT body FROM heartbeats ORDER BY rowid DESC", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *body = (const char *)sqlite3_column_text(st, 0);
    assert_non_null(strstr(body, "\"document_rejections\""));
    assert_non_null(strstr(body, "\"reason\":\"bad_signature\""));
    assert_non_null(strstr(body, "\"revision\":\"2026-11-28.2\""));
    assert_non_null(
        strstr(body, "\"catalog\":{\"revision\":\"2026-11-20.1\",\"source\":\"current\"}"));
    assert_non_null(strstr(body, "\"settings\":{\"revision\":\"\",\"source\":\"none\"}"));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A GET answered 503 with Retry-After holds all of sync back; a 401 pauses it. */
static void test_get_respects_the_engine(void **state)
{
    central_fault(&central, "{\"path\": \"^/v1/notices$\", \"kind\": \"status\", "
                            "\"status\": 503, \"retry_after\": 120}");
    int64_t t = now_ms();
    assert_int_equal(bm_docs_fetch(docs, engine, BM_DOC_NOTICES, "", t, on_document, NULL),
                     BM_DOC_FAILED);
    struct bm_sync_status st;
    bm_sync_get_status(engine, &st);
    assert_true(st.wait_until_ms >= t + 120000);
    assert_false(st.paused);
    central_fault(&central, "{\"path\": \"^/v1/settings$\", \"kind\": \"status\", "
                            "\"status\": 401, \"code\": \"certificate_revoked\"}");
    assert_int_equal(bm_docs_fetch(docs, engine, BM_DOC_SETTINGS, "", t, on_document, NULL),
                     BM_DOC_FAILED);
    bm_sync_get_status(engine, &st);
    assert_true(st.paused);
    /* Nothing was refused as a document: these are the centre's troubles, not the document's. */
    struct bm_doc_rejection r[BM_DOCS_MAX_REJECTIONS];
    assert_int_equal(bm_docs_rejections(docs, r, BM_DOCS_MAX_REJECTIONS), 0);

    /* The heartbeat is the probe: its 2xx ends the pause; its 503 holds all of sync back. */
    struct bm_heartbeat hb = {.version = "0.1.0", .now = time(NULL)};
    size_t len;
    char *json = bm_heartbeat_json(&hb, &len);
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    struct bm_http_request rq = {
        .method = "POST", .path = "/v1/heartbeat", .headers = headers, .body = json, .len = len};
    struct bm_http_response rs;
    assert_int_equal(bm_http_perform(bm_sync_http(engine), &rq, &rs), BM_OK);
    assert_int_equal(bm_sync_note_answer(engine, &rs, t, true), BM_SYNC_ANSWER_OK);
    bm_http_response_clear(&rs);
    bm_sync_get_status(engine, &st);
    assert_false(st.paused);
    central_fault(&central, "{\"path\": \"^/v1/heartbeat$\", \"kind\": \"status\", "
                            "\"status\": 503, \"retry_after\": 300}");
    assert_int_equal(bm_http_perform(bm_sync_http(engine), &rq, &rs), BM_OK);
    assert_int_equal(bm_sync_note_answer(engine, &rs, t, true), BM_SYNC_ANSWER_WAIT);
    bm_http_response_clear(&rs);
    bm_sync_get_status(engine, &st);
    assert_true(st.wait_until_ms >= t + 300000);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_kind_fetched_then_304, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_keep_the_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_for_another_kiosk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_even_after_the_file_is_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_with_a_missing_picture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roll_forward_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_copy_on_disk_refused_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_cut_between_renames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejections_reach_the_centre, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_respects_the_engine, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
