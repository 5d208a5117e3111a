/*
 * fuzz_signature.c - libFuzzer target for what signature.c reads from the network and from
 * disk: the trusted-keys file and the Bianmin-Signature header (docs/central-api.md).
 *
 * The first input byte picks the use. Even: the rest is a keys file; a parse that succeeds
 * must give 1..8 keys with well-formed, distinct ids. Odd: the rest is split at the first LF
 * into a header and a body, verified against the published test key; since nobody but the
 * test key's holder can sign, only the published vector may come out valid, and the verdict
 * must be one of the four. The target aborts where the code breaks its contract.
 * Single-threaded, as libFuzzer runs it.
 */
#include "services/signature.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void check_keys(const struct bm_sig_keys *k)
{
    check(k->count >= 1 && k->count <= BM_SIG_MAX_KEYS);
    for (unsigned i = 0; i < k->count; i++) {
        size_t n = strnlen(k->key[i].id, sizeof k->key[i].id);
        check(n >= 1 && n <= BM_SIG_KEY_ID_MAX);
        for (unsigned j = 0; j < i; j++)
            check(strcmp(k->key[i].id, k->key[j].id) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] % 2 == 0) {
        struct bm_sig_keys k;
        if (bm_sig_keys_parse(text, len, "fuzz", &k) == BM_OK)
            check_keys(&k);
        return 0;
    }
    static struct bm_sig_keys keys;
    static bool ready;
    if (!ready) {
        const char *line = "test-2026 EzkaE/dwisDvY1vhiMeLjVGXMDdgIAhzWDcGsEcVmks=";
        check(bm_sig_keys_parse(line, strlen(line), "fuzz", &keys) == BM_OK);
        ready = true;
    }
    const char *nl = memchr(text, '\n', len);
    size_t head_len = nl ? (size_t)(nl - text) : len;
    char *header = malloc(head_len + 1);
    if (!header)
        return 0;
    memcpy(header, text, head_len);
    header[head_len] = '\0';
    const char *body = nl ? nl + 1 : "";
    size_t body_len = nl ? len - head_len - 1 : 0;
    enum bm_sig_verdict v = bm_sig_verify(&keys, header, "settings", "DEMO-0001", body, body_len);
    check(v == BM_SIG_VALID || v == BM_SIG_MISSING || v == BM_SIG_BAD || v == BM_SIG_UNKNOWN_KEY);
    check(bm_sig_verdict_code(v) != NULL);
    free(header);
    return 0;
}
