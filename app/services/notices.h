/*
 * notices.h - the centre's notices document (`bianmin-notices`, docs/central-api.md, "The
 * documents"): format, format_version 1, revision, published, and 0 to 64 notices, each
 * exactly as the catalog's notice (docs/catalog.md). Once the kiosk holds a verified one, the
 * attract screen shows its notices instead of the catalog's.
 *
 * Parsed into a catalog object without categories or services: read it with
 * bm_catalog_revision, bm_catalog_published and bm_catalog_notices_on; it is read-only and
 * reference-counted like any catalog, so any thread may read it. Fuzzed (fuzz_notices).
 */
#ifndef BM_SERVICES_NOTICES_H
#define BM_SERVICES_NOTICES_H

#include "catalog.h"

/* The largest notices document the centre may send. */
#define BM_NOTICES_MAX_BYTES ((size_t)256 * 1024)

/* As bm_catalog_parse, for a notices document (report may be NULL). Any thread. */
enum bm_err bm_notices_parse(const char *json, size_t len, const char *name,
                             struct bm_catalog_report *report, struct bm_catalog **out);

#endif
