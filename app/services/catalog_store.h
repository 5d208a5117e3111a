/*
 * catalog_store.h - the catalog the kiosk uses now, loaded off the main thread and swapped in
 * whole.
 *
 * Two files can hold a catalog: the current copy (the last good one from the centre, written
 * by sync) and the bundled copy that ships with the program. The store loads the current copy
 * if there is one and it is valid, else the bundled one, on its own worker thread; the main
 * thread then swaps the new catalog in with one pointer store and tells the flow. A rejected
 * file never replaces a working catalog: the store keeps what it had, logs every problem for
 * the technician and keeps the first of them in its status.
 *
 * Main thread only (the loading runs on the store's worker). Sync must validate a new copy
 * before it replaces the current file: after a restart the store falls back to the bundled
 * catalog, not to the last copy that was good.
 */
#ifndef BM_SERVICES_CATALOG_STORE_H
#define BM_SERVICES_CATALOG_STORE_H

#include "catalog.h"

struct bm_catalog_store;

/* Runs on the main thread after a new catalog was swapped in. */
typedef void (*bm_catalog_changed_fn)(void *ud);

struct bm_catalog_store_config {
    const char *bundled_path; /* shipped with the program; required */
    const char *current_path; /* the centre's last good copy; NULL or "": none */
    const char *assets_dir;   /* where material example pictures must exist; NULL: unchecked */
    /* The centre's signing keys: the current copy must then carry a valid signature in
     * current_path + ".sig" (docs/central-api.md). NULL: it is used unsigned, with a warning. */
    const struct bm_sig_keys *signing_keys;
    bm_catalog_changed_fn changed;
    void *ud;
};

/* Starts the worker and the first load; the catalog arrives later through changed. */
enum bm_err bm_catalog_store_create(const struct bm_catalog_store_config *cfg,
                                    struct bm_catalog_store **out);

/* Stops the worker (an unfinished load is dropped) and drops the catalog. NULL is ignored. */
void bm_catalog_store_destroy(struct bm_catalog_store *store);

/*
 * The catalog in use, or NULL before the first load finished or when no file was usable.
 * Valid until control returns to the loop (a swap happens only there); keep it longer with
 * bm_catalog_ref.
 */
const struct bm_catalog *bm_catalog_store_get(const struct bm_catalog_store *store);

/* A reference of its own to the catalog in use (bm_catalog_unref it), or NULL. */
struct bm_catalog *bm_catalog_store_acquire(struct bm_catalog_store *store);

/* Loads again (after sync wrote a new current copy, or on a technician's request). */
enum bm_err bm_catalog_store_reload(struct bm_catalog_store *store);

/* What the technician sees. */
struct bm_catalog_store_status {
    bool loading;
    const char *source;   /* the file the catalog in use came from, or "" */
    const char *revision; /* its revision, or "" */
    size_t warnings;      /* of the catalog in use */
    size_t rejections;    /* files rejected since start */
    const char *rejected; /* the last rejected file, or "" */
    const char *problem;  /* its first error, or "" (cleared by a good load) */
};
void bm_catalog_store_status(const struct bm_catalog_store *store,
                             struct bm_catalog_store_status *out);

#endif
