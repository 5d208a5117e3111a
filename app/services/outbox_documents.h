/*
 * outbox_documents.h - the high-water mark of each signed document (docs/central-api.md,
 * "Rollback"): the highest (published, revision) the kiosk accepted from the centre for a
 * kind, with the SHA-256 of its bytes and the ETag it came with. Kept in the outbox database,
 * so losing the document's file (disk repair, a technician deleting it) does not reopen older
 * revisions.
 *
 * Threads: the outbox's owner thread (the sync worker), as for every outbox call.
 */
#ifndef BM_SERVICES_OUTBOX_DOCUMENTS_H
#define BM_SERVICES_OUTBOX_DOCUMENTS_H

#include "outbox.h"

struct bm_outbox_document_mark {
    int published;            /* yyyymmdd */
    char revision[65];        /* 1-64 printable ASCII */
    unsigned char sha256[32]; /* of the body accepted with that revision */
    char etag[160];           /* the centre's ETag for it, or "" */
};

/* The mark of kind (catalog, notices, settings): BM_OK, or BM_ERR_NOT_FOUND if none yet. */
enum bm_err bm_outbox_document_mark(struct bm_outbox *ob, const char *kind,
                                    struct bm_outbox_document_mark *out);
/* Records the mark of kind (the caller has checked it is not older), in one transaction. */
enum bm_err bm_outbox_document_set_mark(struct bm_outbox *ob, const char *kind,
                                        const struct bm_outbox_document_mark *mark, int64_t now_ms);

#endif
