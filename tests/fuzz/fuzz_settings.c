/*
 * fuzz_settings.c - libFuzzer target for this kiosk's remote settings (remote_settings.h),
 * which come from the network: any bytes must give a clean refusal with a reason, or settings
 * that keep the API's promises (a revision of 1-64 printable ASCII; only keys of the
 * allow-list set, each readable through the config's getters). The target aborts where the
 * code breaks its contract. Single-threaded, as libFuzzer runs it.
 */
#include "services/remote_settings.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_config *file;
    if (!file)
        file = bm_config_defaults();
    char why[300] = "";
    struct bm_remote_settings *rs = NULL;
    enum bm_err err = bm_remote_settings_parse((const char *)data, size, why, sizeof why, &rs);
    if (err != BM_OK) {
        check(rs == NULL && why[0] != '\0');
        return 0;
    }
    size_t len = strlen(bm_remote_settings_revision(rs));
    check(len >= 1 && len <= 64);
    size_t set = 0;
    for (const struct bm_config_key *k = bm_config_schema; k->section; k++) {
        if (!bm_remote_settings_has(rs, k->section, k->key))
            continue;
        check(bm_remote_settings_allowed(k->section, k->key));
        set++;
        if (k->type == BM_CONFIG_INT) {
            long v = bm_settings_int(rs, file, k->section, k->key);
            check(v >= k->min && v <= k->max);
        } else if (k->type != BM_CONFIG_BOOL) {
            check(bm_settings_str(rs, file, k->section, k->key) != NULL);
        }
    }
    check(set == bm_remote_settings_count(rs));
    bm_remote_settings_free(rs);
    return 0;
}
