/*
 * signature.c - Ed25519 signatures of the centre's documents (signature.h), with libsodium.
 *
 * The header and the keys file are parsed strictly: exactly the documented shape, nothing
 * tolerated but blanks around the value and the .sig file's final LF. A signature that is
 * present but not well formed is "bad", not "missing", so a broken or tampered header is
 * reported as what it is. The message is built once as prefix + body and checked with
 * crypto_sign_verify_detached (pure Ed25519, RFC 8032).
 *
 * Pure except bm_sig_keys_load, bm_sig_verify_file and bm_sig_roll_forward. Any thread.
 */
#include "signature.h"

#include "core/files.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_BYTES     64
#define SIG_B64_LEN   88 /* 64 bytes in standard base64 with padding */
#define PK_B64_LEN    44
#define KEYS_FILE_MAX 4096
#define PREFIX        "bianmin-signature-v1\n"

const char *bm_sig_verdict_code(enum bm_sig_verdict v)
{
    switch (v) {
    case BM_SIG_VALID:
        return "valid";
    case BM_SIG_MISSING:
        return "signature_missing";
    case BM_SIG_UNKNOWN_KEY:
        return "unknown_key";
    case BM_SIG_BAD:
    default:
        return "bad_signature";
    }
}

static bool id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Decodes exactly want bytes of standard padded base64 from text[0..len). */
static bool decode_b64(const char *text, size_t len, unsigned char *out, size_t want)
{
    size_t got = 0;
    const char *end = NULL;
    return sodium_base642bin(out, want, text, len, NULL, &got, &end,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           got == want && end == text + len;
}

/* ---- trusted keys ---- */

static enum bm_err bad_line(const char *origin, unsigned line, const char *what)
{
    return bm_err_set(BM_ERR_CONFIG, "%s:%u: %s; expected '<key id> <base64 public key>'", origin,
                      line, what);
}

static enum bm_err parse_key_line(const char *s, size_t n, const char *origin, unsigned line,
                                  struct bm_sig_keys *out)
{
    size_t i = 0;
    while (i < n && id_char(s[i]))
        i++;
    if (i == 0 || i > BM_SIG_KEY_ID_MAX)
        return bad_line(origin, line, "a key id is 1 to 32 of A-Z a-z 0-9 . _ -");
    size_t id_len = i;
    if (i == n || !blank(s[i]))
        return bad_line(origin, line, "no public key after the key id");
    while (i < n && blank(s[i]))
        i++;
    size_t b64 = i;
    while (i < n && !blank(s[i]))
        i++;
    size_t b64_len = i - b64;
    while (i < n && blank(s[i]))
        i++;
    if (i != n)
        return bad_line(origin, line, "more than two fields");
    if (out->count == BM_SIG_MAX_KEYS)
        return bad_line(origin, line, "more than 8 keys");
    unsigned k = out->count;
    if (b64_len != PK_B64_LEN || !decode_b64(s + b64, b64_len, out->key[k].public_key, 32))
        return bad_line(origin, line, "the public key is not 32 bytes in base64");
    memcpy(out->key[k].id, s, id_len);
    out->key[k].id[id_len] = '\0';
    for (unsigned j = 0; j < k; j++)
        if (strcmp(out->key[j].id, out->key[k].id) == 0)
            return bad_line(origin, line, "the key id is used twice");
    out->count++;
    return BM_OK;
}

enum bm_err bm_sig_keys_parse(const char *text, size_t len, const char *origin,
                              struct bm_sig_keys *out)
{
    memset(out, 0, sizeof *out);
    unsigned line = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + at;
        size_t n = end - at;
        line++;
        at = end + 1;
        if (n && s[n - 1] == '\r')
            n--;
        while (n && blank(*s)) {
            s++;
            n--;
        }
        while (n && blank(s[n - 1]))
            n--;
        if (n == 0 || s[0] == '#')
            continue;
        if (memchr(s, '\0', n))
            return bad_line(origin, line, "a NUL byte");
        enum bm_err err = parse_key_line(s, n, origin, line, out);
        if (err != BM_OK)
            return err;
    }
    if (out->count == 0)
        return bm_err_set(BM_ERR_CONFIG,
                          "%s: no signing key; expected a line '<key id> "
                          "<base64 public key>'",
                          origin);
    return BM_OK;
}

/* Reads at most max bytes of path into a malloc'd buffer. BM_ERR_NO_MEMORY when longer. */
static enum bm_err read_file(const char *path, size_t max, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return bm_err_set(errno == ENOENT ? BM_ERR_NOT_FOUND : BM_ERR_IO, "%s: %s", path,
                          strerror(errno));
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool failed = buf && ferror(f);
    fclose(f);
    if (!buf)
        return bm_err_set(BM_ERR_NO_MEMORY, "%s: %zu bytes", path, max);
    if (failed) {
        free(buf);
        return bm_err_set(BM_ERR_IO, "%s: read error", path);
    }
    if (n > max) {
        free(buf);
        return bm_err_set(BM_ERR_NO_MEMORY, "%s: longer than %zu bytes", path, max);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return BM_OK;
}

enum bm_err bm_sig_keys_load(const char *path, struct bm_sig_keys *out)
{
    char *text;
    size_t len;
    enum bm_err err = read_file(path, KEYS_FILE_MAX, &text, &len);
    if (err == BM_ERR_NO_MEMORY)
        err = bm_err_set(BM_ERR_CONFIG, "%s: longer than %d bytes; expected at most %d keys", path,
                         KEYS_FILE_MAX, BM_SIG_MAX_KEYS);
    if (err != BM_OK)
        return err == BM_ERR_NOT_FOUND ? BM_ERR_CONFIG : err;
    err = bm_sig_keys_parse(text, len, path, out);
    free(text);
    return err;
}

/* ---- verifying ---- */

struct parsed_header {
    char id[BM_SIG_KEY_ID_MAX + 1];
    unsigned char sig[SIG_BYTES];
};

/* "v1;key=<id>;sig=<88 base64>", blanks around it and one final LF allowed. */
static bool parse_header(const char *h, struct parsed_header *out)
{
    size_t n = strlen(h);
    if (n && h[n - 1] == '\n')
        n--;
    while (n && blank(*h)) {
        h++;
        n--;
    }
    while (n && blank(h[n - 1]))
        n--;
    static const char v1[] = "v1;key=";
    if (n < sizeof v1 - 1 || memcmp(h, v1, sizeof v1 - 1) != 0)
        return false;
    size_t i = sizeof v1 - 1, id = i;
    while (i < n && id_char(h[i]))
        i++;
    size_t id_len = i - id;
    if (id_len == 0 || id_len > BM_SIG_KEY_ID_MAX || n - i != 5 + SIG_B64_LEN ||
        memcmp(h + i, ";sig=", 5) != 0)
        return false;
    memcpy(out->id, h + id, id_len);
    out->id[id_len] = '\0';
    return decode_b64(h + i + 5, SIG_B64_LEN, out->sig, SIG_BYTES);
}

static bool audience_ok(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\0')
            return false;
    return true;
}

enum bm_sig_verdict bm_sig_verify(const struct bm_sig_keys *keys, const char *header,
                                  const char *kind, const char *audience, const void *body,
                                  size_t len)
{
    if (!header || !*header)
        return BM_SIG_MISSING;
    struct parsed_header ph;
    if (!keys || !parse_header(header, &ph) || !audience_ok(kind) || !audience_ok(audience) ||
        (!body && len))
        return BM_SIG_BAD;
    const unsigned char *pk = NULL;
    for (unsigned i = 0; i < keys->count && !pk; i++)
        if (strcmp(keys->key[i].id, ph.id) == 0)
            pk = keys->key[i].public_key;
    if (!pk)
        return BM_SIG_UNKNOWN_KEY;
    if (sodium_init() < 0)
        return BM_SIG_BAD;

    size_t head = strlen(PREFIX) + strlen(kind) + 1 + strlen(audience) + 1;
    unsigned char *msg = malloc(head + len + 1);
    if (!msg)
        return BM_SIG_BAD; /* refusing is the safe answer */
    snprintf((char *)msg, head + 1, PREFIX "%s\n%s\n", kind, audience);
    if (len)
        memcpy(msg + head, body, len);
    bool ok = crypto_sign_verify_detached(ph.sig, msg, head + len, pk) == 0;
    free(msg);
    return ok ? BM_SIG_VALID : BM_SIG_BAD;
}

/* The document in path against the signature in sig_path (see bm_sig_verify_file). */
static enum bm_err verify_pair(const struct bm_sig_keys *keys, const char *path,
                               const char *sig_path, const char *kind, const char *audience,
                               size_t max_len, enum bm_sig_verdict *verdict)
{
    *verdict = BM_SIG_MISSING;
    char *doc, *sig;
    size_t doc_len, sig_len;
    enum bm_err err = read_file(path, max_len, &doc, &doc_len);
    if (err != BM_OK)
        return err;
    err = read_file(sig_path, 256, &sig, &sig_len);
    if (err == BM_OK) {
        /* A NUL inside the .sig would hide what follows it: such a file is malformed. */
        *verdict = strlen(sig) != sig_len ? BM_SIG_BAD
                                          : bm_sig_verify(keys, sig, kind, audience, doc, doc_len);
        free(sig);
    } else if (err == BM_ERR_NOT_FOUND) {
        err = BM_OK; /* stays BM_SIG_MISSING */
    } else if (err == BM_ERR_NO_MEMORY) {
        *verdict = BM_SIG_BAD; /* a .sig longer than any header is not one */
        err = BM_OK;
    }
    free(doc);
    return err;
}

enum bm_err bm_sig_verify_file(const struct bm_sig_keys *keys, const char *path, const char *kind,
                               const char *audience, size_t max_len, enum bm_sig_verdict *verdict)
{
    *verdict = BM_SIG_MISSING;
    char sig_path[4096];
    if (snprintf(sig_path, sizeof sig_path, "%s.sig", path) >= (int)sizeof sig_path)
        return bm_err_set(BM_ERR_INVALID_ARG, "signature: path too long");
    return verify_pair(keys, path, sig_path, kind, audience, max_len, verdict);
}

/* The catalog store and the sync worker both look at the catalog at start, each on its own
 * thread: one of them finishes a cut swap, the other then finds it done. */
static pthread_mutex_t roll_lock = PTHREAD_MUTEX_INITIALIZER;

static bool roll_forward(const struct bm_sig_keys *keys, const char *path, const char *kind,
                         const char *audience, size_t max_len)
{
    char sig_path[4096], new_path[4096];
    if (snprintf(sig_path, sizeof sig_path, "%s.sig", path) >= (int)sizeof sig_path ||
        snprintf(new_path, sizeof new_path, "%s.new", path) >= (int)sizeof new_path)
        return false;
    enum bm_sig_verdict v;
    if (bm_sig_verify_file(keys, path, kind, audience, max_len, &v) == BM_OK && v == BM_SIG_VALID)
        return false; /* the file and its .sig agree: nothing was cut */
    if (verify_pair(keys, new_path, sig_path, kind, audience, max_len, &v) != BM_OK ||
        v != BM_SIG_VALID)
        return false;
    /* The .sig was renamed, the body not yet (both were fsync'd before): finish the swap. */
    if (rename(new_path, path) != 0)
        return false;
    bm_file_sync_dir(path);
    return true;
}

bool bm_sig_roll_forward(const struct bm_sig_keys *keys, const char *path, const char *kind,
                         const char *audience, size_t max_len)
{
    pthread_mutex_lock(&roll_lock);
    bool rolled = roll_forward(keys, path, kind, audience, max_len);
    pthread_mutex_unlock(&roll_lock);
    return rolled;
}
