/*
 * fuzz_config.c - libFuzzer target for the INI config loader.
 *
 * Feeds arbitrary bytes to bm_config_load_mem (the same path as a file, without touching the
 * disk) and, when they load, reads every key through its getter, so ASan/UBSan see the whole
 * reader, inih, the validation and the getters. A load must either succeed or fail with a
 * one-line detail. Single-threaded, as libFuzzer runs it.
 */
#include "core/config.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bm_config *cfg = NULL;
    enum bm_err err = bm_config_load_mem("fuzz/kiosk.conf", (const char *)data, size, &cfg);
    if (err != BM_OK) {
        if (cfg || strchr(bm_err_detail(), '\n'))
            abort();
        return 0;
    }
    char buf[2048];
    for (size_t i = 0; bm_config_schema[i].section; i++) {
        const struct bm_config_key *k = &bm_config_schema[i];
        switch (k->type) {
        case BM_CONFIG_STRING:
            if (!bm_config_str(cfg, k->section, k->key))
                abort();
            (void)bm_config_path_value(cfg, k->section, k->key, buf, sizeof buf);
            break;
        case BM_CONFIG_INT: {
            long v = bm_config_int(cfg, k->section, k->key);
            if (v < k->min || v > k->max)
                abort();
            break;
        }
        case BM_CONFIG_BOOL:
            (void)bm_config_bool(cfg, k->section, k->key);
            break;
        case BM_CONFIG_ENUM:
            if (bm_config_enum(cfg, k->section, k->key) < 0)
                abort();
            break;
        }
    }
    bm_config_free(cfg);
    return 0;
}
