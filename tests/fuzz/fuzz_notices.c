/*
 * fuzz_notices.c - libFuzzer target for the centre's notices document (notices.h), which
 * comes from the network: any bytes must give a clean refusal or a notices object that keeps
 * the format's promises (a revision of 1-64 printable ASCII, at most 64 notices, each with an
 * id and both titles). The target aborts where the code breaks its contract.
 * Single-threaded, as libFuzzer runs it.
 */
#include "services/notices.h"

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
    struct bm_catalog_report *report = bm_catalog_report_create();
    struct bm_catalog *n = NULL;
    enum bm_err err = bm_notices_parse((const char *)data, size, "fuzz", report, &n);
    if (err == BM_OK) {
        check(n != NULL && bm_catalog_report_errors(report) == 0);
        const char *rev = bm_catalog_revision(n);
        size_t len = strlen(rev);
        check(len >= 1 && len <= 64);
        check(bm_catalog_service_count(n) == 0 && bm_catalog_category_count(n) == 0);
        const struct bm_catalog_notice *all[65];
        size_t count = bm_catalog_notices_on(n, 20261130, all, 65);
        check(count <= 64);
        for (size_t i = 0; i < count; i++)
            check(all[i]->id && *all[i]->id && bm_text_get(&all[i]->title, BM_LANG_EN));
    } else {
        check(n == NULL && (err == BM_ERR_PARSE || err == BM_ERR_NO_MEMORY));
    }
    bm_catalog_unref(n);
    bm_catalog_report_destroy(report);
    return 0;
}
