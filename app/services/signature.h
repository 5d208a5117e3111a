/*
 * signature.h - checking what the centre signs: the catalog, notices and this kiosk's
 * settings (docs/central-api.md, "Signed documents").
 *
 * Ed25519 over "bianmin-signature-v1\n" + kind + "\n" + audience + "\n" + body, carried in a
 * `Bianmin-Signature: v1;key=<key id>;sig=<base64>` header (and stored beside the document in
 * a .sig file holding that value). The kiosk trusts the public keys in one file, a line each:
 * `<key id> <base64 of the 32 raw bytes>`, `#` comments, at most BM_SIG_MAX_KEYS.
 *
 * The parsers here take bytes from the network and from disk; they are fuzzed
 * (tests/fuzz/fuzz_signature.c). Pure except bm_sig_keys_load and bm_sig_verify_file, which
 * read files. Any thread.
 */
#ifndef BM_SERVICES_SIGNATURE_H
#define BM_SERVICES_SIGNATURE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

#define BM_SIG_MAX_KEYS   8
#define BM_SIG_KEY_ID_MAX 32

struct bm_sig_keys {
    unsigned count;
    struct {
        char id[BM_SIG_KEY_ID_MAX + 1];
        unsigned char public_key[32];
    } key[BM_SIG_MAX_KEYS];
};

/*
 * Parses a trusted-keys text (origin names it in errors, e.g. the file's path). BM_ERR_CONFIG
 * with the line and what was expected for any bad line, a repeated key id, or no key at all.
 */
enum bm_err bm_sig_keys_parse(const char *text, size_t len, const char *origin,
                              struct bm_sig_keys *out);
/* Reads and parses the file (at most 4 KiB). */
enum bm_err bm_sig_keys_load(const char *path, struct bm_sig_keys *out);

/* Why a document was refused; the names are the heartbeat's document_rejections codes. */
enum bm_sig_verdict {
    BM_SIG_VALID,
    BM_SIG_MISSING,     /* no signature at all ("signature_missing") */
    BM_SIG_BAD,         /* malformed, or it does not verify ("bad_signature") */
    BM_SIG_UNKNOWN_KEY, /* well formed, but no trusted key has its id ("unknown_key") */
};
const char *bm_sig_verdict_code(enum bm_sig_verdict v);

/*
 * Checks a document. header: the Bianmin-Signature value (surrounding blanks and one final
 * LF allowed, as in a .sig file), NULL or "" if there was none. kind: catalog, notices or
 * settings; audience: "*" or this kiosk's id.
 */
enum bm_sig_verdict bm_sig_verify(const struct bm_sig_keys *keys, const char *header,
                                  const char *kind, const char *audience, const void *body,
                                  size_t len);

/*
 * Checks the document in path against path + ".sig". max_len caps the document's size.
 * BM_OK and *verdict set when both files could be read (a missing .sig is BM_SIG_MISSING);
 * BM_ERR_NOT_FOUND if the document is absent, BM_ERR_IO or BM_ERR_NO_MEMORY otherwise.
 */
enum bm_err bm_sig_verify_file(const struct bm_sig_keys *keys, const char *path, const char *kind,
                               const char *audience, size_t max_len, enum bm_sig_verdict *verdict);

/*
 * Finishes a swap a crash cut between its two renames (docs/central-api.md, "The kiosk's
 * steps"): when path fails verification against path.sig but path.new verifies against it,
 * path.new is renamed over path and the directory fsync'd. True if it rolled forward. Blocks
 * on the disk: never the main thread.
 */
bool bm_sig_roll_forward(const struct bm_sig_keys *keys, const char *path, const char *kind,
                         const char *audience, size_t max_len);

#endif
