/*
 * test_signature.c - the centre's document signatures against the test vector published in
 * docs/central-api.md (made with Python's cryptography, checked with OpenSSL): it verifies,
 * and every change (another audience, kind, one byte of the body, another key) is refused
 * with the right verdict; the header and keys-file parsers refuse every malformed shape with a
 * message that names the line; the .sig file beside a document; a swap cut between its two
 * renames rolled forward.
 */
#include "test_support.h"

#include "services/signature.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char vector_body[] =
    "{\"format\":\"bianmin-settings\",\"format_version\":1,\"revision\":\"2026-11-29.1\","
    "\"published\":\"2026-11-29\",\"settings\":{\"kiosk\":{\"hotline\":\"0571-12345\"},"
    "\"session\":{\"timeout_s\":\"90\"}}}";
static const char vector_key_line[] = "test-2026 EzkaE/dwisDvY1vhiMeLjVGXMDdgIAhzWDcGsEcVmks=";
static const char vector_header[] =
    "v1;key=test-2026;sig=O7AP3pf4/16gIzpO+/whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
    "G8hRV+7X1LpdPrCg==";
static const char vector_seed_hex[] =
    "c6807bc9f65477afda2bd90abdeb458818d0aac491a0e271a8953d332510a4ce";

static struct bm_sig_keys keys;

static int setup(void **state)
{
    assert_int_equal(bm_sig_keys_parse(vector_key_line, strlen(vector_key_line), "keys", &keys),
                     BM_OK);
    return 0;
}

static enum bm_sig_verdict verify(const char *header, const char *kind, const char *audience,
                                  const char *body)
{
    return bm_sig_verify(&keys, header, kind, audience, body, strlen(body));
}

static void test_vector_verifies(void **state)
{
    assert_int_equal(strlen(vector_body), 174);
    assert_int_equal(verify(vector_header, "settings", "DEMO-0001", vector_body), BM_SIG_VALID);
    /* As stored in a .sig file (one final LF), and with blanks around it as HTTP allows. */
    char stored[200];
    snprintf(stored, sizeof stored, "  %s \n", vector_header);
    assert_int_equal(verify(stored, "settings", "DEMO-0001", vector_body), BM_SIG_VALID);

    /* libsodium, signing with the published seed, makes the same 64 bytes (Ed25519 is
     * deterministic): the vector and this implementation agree both ways. */
    unsigned char seed[32], pk[32], sk[64], sig[64];
    assert_int_equal(sodium_hex2bin(seed, 32, vector_seed_hex, 64, NULL, NULL, NULL), 0);
    assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
    assert_memory_equal(pk, keys.key[0].public_key, 32);
    char msg[300];
    int n = snprintf(msg, sizeof msg, "bianmin-signature-v1\nsettings\nDEMO-0001\n%s", vector_body);
    assert_int_equal(n, 214);
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (size_t)n, sk);
    char b64[100];
    sodium_bin2base64(b64, sizeof b64, sig, 64, sodium_base64_VARIANT_ORIGINAL);
    assert_string_equal(b64, strstr(vector_header, "sig=") + 4);
}

static void test_changes_are_refused(void **state)
{
    assert_int_equal(verify(vector_header, "settings", "DEMO-0002", vector_body), BM_SIG_BAD);
    assert_int_equal(verify(vector_header, "catalog", "DEMO-0001", vector_body), BM_SIG_BAD);
    assert_int_equal(verify(vector_header, "settings", "*", vector_body), BM_SIG_BAD);
    char body[200];
    snprintf(body, sizeof body, "%s", vector_body);
    body[strlen(body) - 3] = '8'; /* timeout_s "90" -> "98" */
    assert_int_equal(verify(vector_header, "settings", "DEMO-0001", body), BM_SIG_BAD);
    snprintf(body, sizeof body, "%s\n", vector_body); /* a trailing newline is a change too */
    assert_int_equal(verify(vector_header, "settings", "DEMO-0001", body), BM_SIG_BAD);

    /* One bit of the signature. */
    char header[200];
    snprintf(header, sizeof header, "%s", vector_header);
    char *s = strstr(header, "sig=") + 4;
    s[10] = s[10] == 'A' ? 'B' : 'A';
    assert_int_equal(verify(header, "settings", "DEMO-0001", vector_body), BM_SIG_BAD);

    /* A key the kiosk does not trust, and a trusted id whose key is another. */
    snprintf(header, sizeof header, "%s", vector_header);
    memcpy(strstr(header, "test-2026"), "test-2027", 9);
    assert_int_equal(verify(header, "settings", "DEMO-0001", vector_body), BM_SIG_UNKNOWN_KEY);
    struct bm_sig_keys other;
    const char *other_line = "test-2026 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_int_equal(bm_sig_keys_parse(other_line, strlen(other_line), "keys", &other), BM_OK);
    assert_int_equal(bm_sig_verify(&other, vector_header, "settings", "DEMO-0001", vector_body,
                                   strlen(vector_body)),
                     BM_SIG_BAD);
}

static void test_malformed_headers(void **state)
{
    assert_int_equal(verify(NULL, "settings", "DEMO-0001", vector_body), BM_SIG_MISSING);
    assert_int_equal(verify("", "settings", "DEMO-0001", vector_body), BM_SIG_MISSING);
    static const char *const bad[] = {
        "v2;key=test-2026;sig=O7AP3pf4/16gIzpO+/"
        "whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg==",
        "v1;key=test-2026;sig=O7AP3pf4/16gIzpO+/"
        "whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg", /* no padding */
        "v1;key=test-2026;sig=O7AP3pf4/16gIzpO+/"
        "whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86-"
        "G8hRV_7X1LpdPrCg==", /* URL-safe alphabet */
        "v1;sig=O7AP3pf4/16gIzpO+/whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg==;key=test-2026", /* fields swapped */
        "v1;key=test-2026;sig=O7AP3pf4/16gIzpO+/"
        "whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg==;x=1", /* an extra field */
        "v1;key=;sig=O7AP3pf4/16gIzpO+/whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg==",
        "v1;key=test "
        "2026;sig=O7AP3pf4/16gIzpO+/whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg==",
        "v1;key=test-2026;sig=AAAA",
        "v1;key=test-2026",
        "garbage",
        "v1;key=test-2026;sig=O7AP3pf4/16gIzpO+/"
        "whYkHUHsMNuE9miZQhA73oDd9GWT1O4lDOEHUQ6bQ4XNTneyr86+"
        "G8hRV+7X1LpdPrCg==\n\n", /* two line ends */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(verify(bad[i], "settings", "DEMO-0001", vector_body), BM_SIG_BAD);
    assert_string_equal(bm_sig_verdict_code(BM_SIG_MISSING), "signature_missing");
    assert_string_equal(bm_sig_verdict_code(BM_SIG_BAD), "bad_signature");
    assert_string_equal(bm_sig_verdict_code(BM_SIG_UNKNOWN_KEY), "unknown_key");
}

static void expect_keys_error(const char *text, const char *needle)
{
    struct bm_sig_keys k;
    assert_int_equal(bm_sig_keys_parse(text, strlen(text), "trusted.keys", &k), BM_ERR_CONFIG);
    if (!strstr(bm_err_detail(), needle))
        fail_msg("'%s' not in '%s'", needle, bm_err_detail());
}

static void test_keys_file(void **state)
{
    const char *good = "# the centre's signing keys\n"
                       "\n"
                       "test-2026 EzkaE/dwisDvY1vhiMeLjVGXMDdgIAhzWDcGsEcVmks=\r\n"
                       "  old.key_1\tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=  \n";
    struct bm_sig_keys k;
    assert_int_equal(bm_sig_keys_parse(good, strlen(good), "trusted.keys", &k), BM_OK);
    assert_int_equal(k.count, 2);
    assert_string_equal(k.key[0].id, "test-2026");
    assert_string_equal(k.key[1].id, "old.key_1");

    expect_keys_error("", "no signing key");
    expect_keys_error("# only a comment\n", "no signing key");
    expect_keys_error("test-2026\n", "trusted.keys:1: no public key");
    expect_keys_error("\ntest-2026 EzkaE/dwisDvY1vhiMeLjVGXMDdgIAhzWDcGsEcVmk=\n",
                      "trusted.keys:2: the public key is not 32 bytes");
    expect_keys_error("a b c\n", "more than two fields");
    expect_keys_error("k%y AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "key id");
    expect_keys_error("a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                      "a EzkaE/dwisDvY1vhiMeLjVGXMDdgIAhzWDcGsEcVmks=\n",
                      "trusted.keys:2: the key id is used twice");
    char many[1024] = "";
    for (int i = 0; i < 9; i++) {
        char line[80];
        snprintf(line, sizeof line, "k%d AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", i);
        strncat(many, line, sizeof many - strlen(many) - 1);
    }
    expect_keys_error(many, "trusted.keys:9: more than 8 keys");

    const char *dir = bm_test_mkdtemp("sigkeys");
    char path[4200];
    snprintf(path, sizeof path, "%s/none.keys", dir);
    assert_int_equal(bm_sig_keys_load(path, &k), BM_ERR_CONFIG);
}

static void test_document_files(void **state)
{
    char dir[4096], doc[4200], sig[4300];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("sigfiles"));
    snprintf(doc, sizeof doc, "%s", bm_test_write_file(dir, "settings.json", vector_body));
    enum bm_sig_verdict v = BM_SIG_VALID;
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0001", 65536, &v), BM_OK);
    assert_int_equal(v, BM_SIG_MISSING);

    char line[200];
    snprintf(line, sizeof line, "%s\n", vector_header);
    snprintf(sig, sizeof sig, "%s", bm_test_write_file(dir, "settings.json.sig", line));
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0001", 65536, &v), BM_OK);
    assert_int_equal(v, BM_SIG_VALID);
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0002", 65536, &v), BM_OK);
    assert_int_equal(v, BM_SIG_BAD);
    /* Too long for its kind: refused before anything is checked. */
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0001", 100, &v),
                     BM_ERR_NO_MEMORY);
    /* A .sig with a NUL in it, or far longer than a header, is malformed. */
    FILE *f = fopen(sig, "wb");
    assert_non_null(f);
    fwrite(vector_header, 1, 20, f);
    fputc('\0', f);
    fputs(vector_header + 20, f);
    fclose(f);
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0001", 65536, &v), BM_OK);
    assert_int_equal(v, BM_SIG_BAD);

    snprintf(doc, sizeof doc, "%s/absent.json", dir);
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0001", 65536, &v),
                     BM_ERR_NOT_FOUND);
}

/* A swap cut between its renames: the .sig is new, the body still in .new; rolled forward
 * only when .new verifies against the .sig, and never when the file already does. */
static void test_roll_forward(void **state)
{
    char dir[4096], doc[4200], path[4300];
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("rollforward"));
    snprintf(doc, sizeof doc, "%s", bm_test_write_file(dir, "settings.json", "{\"old\": 1}"));
    char line[200];
    snprintf(line, sizeof line, "%s\n", vector_header);
    bm_test_write_file(dir, "settings.json.sig", line);
    /* No .new: nothing to finish (and the old body stays, failing its check). */
    assert_false(bm_sig_roll_forward(&keys, doc, "settings", "DEMO-0001", 65536));
    /* A .new that is not what the .sig signed: left alone. */
    bm_test_write_file(dir, "settings.json.new", "{\"other\": 2}");
    assert_false(bm_sig_roll_forward(&keys, doc, "settings", "DEMO-0001", 65536));
    /* Not for another kiosk either. */
    bm_test_write_file(dir, "settings.json.new", vector_body);
    assert_false(bm_sig_roll_forward(&keys, doc, "settings", "DEMO-0002", 65536));
    /* The one the .sig signed: renamed over the file. */
    assert_true(bm_sig_roll_forward(&keys, doc, "settings", "DEMO-0001", 65536));
    enum bm_sig_verdict v;
    assert_int_equal(bm_sig_verify_file(&keys, doc, "settings", "DEMO-0001", 65536, &v), BM_OK);
    assert_int_equal(v, BM_SIG_VALID);
    snprintf(path, sizeof path, "%s.new", doc);
    assert_int_equal(access(path, F_OK), -1);
    /* Once the file verifies, a stray .new changes nothing. */
    bm_test_write_file(dir, "settings.json.new", vector_body);
    assert_false(bm_sig_roll_forward(&keys, doc, "settings", "DEMO-0001", 65536));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_vector_verifies, setup),
        cmocka_unit_test_setup(test_changes_are_refused, setup),
        cmocka_unit_test_setup(test_malformed_headers, setup),
        cmocka_unit_test_setup(test_keys_file, setup),
        cmocka_unit_test_setup(test_document_files, setup),
        cmocka_unit_test_setup(test_roll_forward, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
