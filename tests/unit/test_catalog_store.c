/*
 * test_catalog_store.c - the catalog in use: loaded on the store's worker, swapped in on the
 * main thread, the centre's copy preferred when valid, a rejected file never replacing a
 * working catalog, and a store destroyed with a load in flight.
 *
 * Runs the real event loop (completions arrive as loop messages) over files in a temporary
 * directory: the bundled catalog is the documented example, the "current" copy is written by
 * each test.
 */
#include "test_support.h"

#include "core/loop.h"
#include "services/catalog_store.h"
#include "services/signature.h"

#include <SDL2/SDL.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[4096], bundled[4200], current[4200];
static char *example;

struct watch {
    int changes;
    struct bm_catalog_store *store;
};

static void on_changed(void *ud)
{
    struct watch *w = ud;
    w->changes++;
    assert_non_null(bm_catalog_store_get(w->store)); /* only ever called with a catalog */
}

static bool load_finished(void *ud)
{
    struct watch *w = ud;
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w->store, &st);
    return !st.loading;
}

/* The example with its revision replaced. */
static void write_catalog(const char *path, const char *revision)
{
    const char *at = strstr(example, "2026-11-20.1");
    assert_non_null(at);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%.*s%s%s", (int)(at - example), example, revision, at + strlen("2026-11-20.1"));
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static struct bm_catalog_store *open_store_keys(struct watch *w, const char *current_path,
                                                const struct bm_sig_keys *keys)
{
    struct bm_catalog_store_config c = {.bundled_path = bundled,
                                        .current_path = current_path,
                                        .signing_keys = keys,
                                        .changed = on_changed,
                                        .ud = w};
    assert_int_equal(bm_catalog_store_create(&c, &w->store), BM_OK);
    assert_true(bm_loop_run_until(load_finished, w, 20000));
    return w->store;
}

static struct bm_catalog_store *open_store(struct watch *w, const char *current_path)
{
    return open_store_keys(w, current_path, NULL);
}

static const char *revision(struct bm_catalog_store *s)
{
    const struct bm_catalog *cat = bm_catalog_store_get(s);
    return cat ? bm_catalog_revision(cat) : "(none)";
}

static bool never(void *ud)
{
    (void)ud;
    return false;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(SDL_Init(SDL_INIT_EVENTS), 0);
    assert_int_equal(bm_loop_init(NULL, NULL), BM_OK);
    char *md = bm_test_read_file(bm_test_source_path("docs/catalog.md"), NULL);
    const char *start = strstr(md, "```json\n") + strlen("```json\n");
    example = strndup(start, (size_t)(strstr(start, "```") - start));
    free(md);
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("catalog-store"));
    snprintf(bundled, sizeof bundled, "%s/bundled.json", dir);
    snprintf(current, sizeof current, "%s/current.json", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(example);
    bm_loop_shutdown();
    SDL_Quit();
    return 0;
}

static int fresh_files(void **state)
{
    (void)state;
    write_catalog(bundled, "bundled-1");
    unlink(current);
    return 0;
}

static void test_bundled_when_there_is_no_current_copy(void **state)
{
    (void)state;
    struct watch w = {0};
    open_store(&w, current);
    assert_string_equal(revision(w.store), "bundled-1");
    assert_int_equal(w.changes, 1);
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_string_equal(st.source, bundled);
    assert_int_equal(st.rejections, 0);
    bm_catalog_store_destroy(w.store);
}

static void test_current_copy_preferred_when_valid(void **state)
{
    (void)state;
    write_catalog(current, "centre-7");
    struct watch w = {0};
    open_store(&w, current);
    assert_string_equal(revision(w.store), "centre-7");
    bm_catalog_store_destroy(w.store);
}

static void test_rejected_current_copy_falls_back_and_says_why(void **state)
{
    (void)state;
    write_text(current, "{\"format\": \"bianmin-catalog\", \"format_version\": 1}");
    struct watch w = {0};
    open_store(&w, current);
    assert_string_equal(revision(w.store), "bundled-1");
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_int_equal(st.rejections, 1);
    assert_string_equal(st.rejected, current);
    assert_non_null(strstr(st.problem, "$.revision: missing"));
    bm_catalog_store_destroy(w.store);
}

static void test_the_reason_shown_is_an_error_not_a_warning(void **state)
{
    (void)state;
    /* A warning (no English issuer) comes before the error (a fee that is not a text). */
    char *text = strdup(example);
    const char *en = ", \"en\": \"Model County Government Service Centre\"";
    char *at = strstr(text, en);
    assert_non_null(at);
    memmove(at, at + strlen(en), strlen(at + strlen(en)) + 1);
    const char *fee = "\"fee\": {\"zh-CN\": \"免费\", \"en\": \"Free\"}";
    at = strstr(text, fee);
    assert_non_null(at);
    memcpy(at, "\"fee\": 1                                 ", strlen(fee));
    write_text(current, text);
    free(text);
    struct watch w = {0};
    open_store(&w, current);
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_int_equal(st.rejections, 1);
    assert_non_null(strstr(st.problem, "$.services[0].fee: expected a text"));
    assert_string_equal(revision(w.store), "bundled-1");
    bm_catalog_store_destroy(w.store);
}

static void test_reload_keeps_the_catalog_in_use_when_the_new_one_is_bad(void **state)
{
    (void)state;
    write_catalog(current, "centre-7");
    struct watch w = {0};
    open_store(&w, current);
    /* A reader holding the catalog across swaps keeps a valid one. */
    struct bm_catalog *held = bm_catalog_store_acquire(w.store);

    write_text(current, "{ truncated");
    assert_int_equal(bm_catalog_store_reload(w.store), BM_OK);
    assert_true(bm_loop_run_until(load_finished, &w, 20000));
    assert_string_equal(revision(w.store), "centre-7");
    assert_int_equal(w.changes, 1);
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_int_equal(st.rejections, 1);
    assert_non_null(strstr(st.problem, "JSON syntax"));

    write_catalog(current, "centre-8");
    assert_int_equal(bm_catalog_store_reload(w.store), BM_OK);
    assert_true(bm_loop_run_until(load_finished, &w, 20000));
    assert_string_equal(revision(w.store), "centre-8");
    assert_int_equal(w.changes, 2);
    assert_string_equal(bm_catalog_revision(held), "centre-7");
    bm_catalog_unref(held);
    bm_catalog_store_destroy(w.store);
}

static void test_no_usable_file_leaves_no_catalog(void **state)
{
    (void)state;
    write_text(bundled, "[]");
    struct watch w = {0};
    open_store(&w, NULL);
    assert_null(bm_catalog_store_get(w.store));
    assert_int_equal(w.changes, 0);
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_int_equal(st.rejections, 1);
    assert_string_equal(st.revision, "");
    bm_catalog_store_destroy(w.store);
}

static void test_destroy_with_a_load_in_flight(void **state)
{
    (void)state;
    /* Many reloads queued and destroyed at once: every job completes without the store. */
    for (int i = 0; i < 20; i++) {
        struct watch w = {0};
        struct bm_catalog_store_config c = {
            .bundled_path = bundled, .current_path = current, .changed = on_changed, .ud = &w};
        assert_int_equal(bm_catalog_store_create(&c, &w.store), BM_OK);
        bm_catalog_store_reload(w.store);
        bm_catalog_store_destroy(w.store);
    }
    /* Let any completion still queued in the loop run (it must not touch a store). */
    bm_loop_run_until(never, NULL, 300);
}

/* A signing key pair for the centre, and the kiosk's trusted-keys struct for it. */
static unsigned char centre_sk[crypto_sign_SECRETKEYBYTES];
static struct bm_sig_keys trusted;

static void make_centre_key(void)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    assert_true(sodium_init() >= 0);
    crypto_sign_keypair(pk, centre_sk);
    char line[128], b64[64];
    sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    snprintf(line, sizeof line, "centre-1 %s\n", b64);
    assert_int_equal(bm_sig_keys_parse(line, strlen(line), "test", &trusted), BM_OK);
}

/* Writes path + ".sig" as the centre would: its signature of path's bytes as a catalog. */
static void sign_file(const char *path, const char *key_id)
{
    size_t len;
    char *body = bm_test_read_file(path, &len);
    const char *prefix = "bianmin-signature-v1\ncatalog\n*\n";
    size_t n = strlen(prefix) + len;
    unsigned char *msg = malloc(n);
    memcpy(msg, prefix, strlen(prefix));
    memcpy(msg + strlen(prefix), body, len);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, n, centre_sk);
    char b64[100], sig_path[4300], header[200];
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    snprintf(header, sizeof header, "v1;key=%s;sig=%s\n", key_id, b64);
    snprintf(sig_path, sizeof sig_path, "%s.sig", path);
    write_text(sig_path, header);
    free(msg);
    free(body);
}

/* With signing keys configured, the centre's copy is used only with a valid signature. */
static void expect_refused(const char *code)
{
    struct watch w = {0};
    open_store_keys(&w, current, &trusted);
    assert_string_equal(revision(w.store), "bundled-1");
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_int_equal(st.rejections, 1);
    if (!strstr(st.problem, code))
        fail_msg("'%s' not in '%s'", code, st.problem);
    bm_catalog_store_destroy(w.store);
}

static void test_signed_copy_only_with_keys(void **state)
{
    (void)state;
    make_centre_key();
    write_catalog(current, "centre-8");
    char sig_path[4300];
    snprintf(sig_path, sizeof sig_path, "%s.sig", current);
    unlink(sig_path);
    expect_refused("signature: signature_missing");

    sign_file(current, "centre-1");
    struct watch w = {0};
    open_store_keys(&w, current, &trusted);
    assert_string_equal(revision(w.store), "centre-8");
    struct bm_catalog_store_status st;
    bm_catalog_store_status(w.store, &st);
    assert_int_equal(st.rejections, 0);
    bm_catalog_store_destroy(w.store);

    /* One byte changed after signing; signed with a key the kiosk does not know. */
    write_catalog(current, "centre-9");
    expect_refused("signature: bad_signature");
    sign_file(current, "centre-2");
    expect_refused("signature: unknown_key");

    /* Without keys the same copy is used, and the warning says it was unsigned. */
    w = (struct watch){0};
    open_store(&w, current);
    assert_string_equal(revision(w.store), "centre-9");
    bm_catalog_store_status(w.store, &st);
    assert_true(st.warnings >= 1);
    bm_catalog_store_destroy(w.store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bundled_when_there_is_no_current_copy, fresh_files),
        cmocka_unit_test_setup(test_current_copy_preferred_when_valid, fresh_files),
        cmocka_unit_test_setup(test_rejected_current_copy_falls_back_and_says_why, fresh_files),
        cmocka_unit_test_setup(test_the_reason_shown_is_an_error_not_a_warning, fresh_files),
        cmocka_unit_test_setup(test_reload_keeps_the_catalog_in_use_when_the_new_one_is_bad,
                               fresh_files),
        cmocka_unit_test_setup(test_no_usable_file_leaves_no_catalog, fresh_files),
        cmocka_unit_test_setup(test_destroy_with_a_load_in_flight, fresh_files),
        cmocka_unit_test_setup(test_signed_copy_only_with_keys, fresh_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
