/*
 * catalog_fetch.h - getting the centre's signed catalog (docs/central-api.md, "Signed
 * documents", "The kiosk's steps").
 *
 * One GET /v1/catalog, conditional on the ETag of the copy held. A new copy is used only if
 * its signature verifies with a trusted key, it passes every rule of the catalog format, and
 * it is not older than the copy held (published date, then revision in version order; the
 * same revision with other bytes is refused too). Then it replaces the copy atomically: the
 * body and its .sig are written beside the file and fsync'd, the .sig renamed over, then the
 * body, then the directory fsync'd; a crash leaves the old copy or the new one. Anything
 * refused is reported with the API's reason and the copy held stays.
 *
 * Threads: the sync worker (it blocks on the network and the disk).
 */
#ifndef BM_SERVICES_CATALOG_FETCH_H
#define BM_SERVICES_CATALOG_FETCH_H

#include "central_http.h"
#include "signature.h"

enum bm_catalog_fetch_result {
    BM_FETCH_UNCHANGED, /* 304, or the same bytes again */
    BM_FETCH_REPLACED,  /* a new copy is in place: the catalog store should reload */
    BM_FETCH_REFUSED,   /* the centre's copy was refused; *reason says why */
    BM_FETCH_FAILED,    /* no usable answer (network, status); try at the next round */
};

struct bm_catalog_fetch {
    const struct bm_sig_keys *keys;
    const char *path;       /* [catalog] current */
    const char *assets_dir; /* as the catalog store checks it: material pictures must exist */
    char etag[160];         /* of the copy held, kept by the caller between fetches */
    char reason[32];        /* after REFUSED: signature_missing, bad_signature, unknown_key,
                               rollback, invalid_document, too_large */
    char detail[200];       /* for technicians */
};

enum bm_catalog_fetch_result bm_catalog_fetch(struct bm_http *http, struct bm_catalog_fetch *f);

#endif
