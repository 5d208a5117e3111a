/*
 * outbox_key.h - the outbox's key file (outbox.c's helper): 32 raw bytes, mode 0600, owned by
 * the kiosk's user; made, atomically, when missing. Any thread.
 */
#ifndef BM_SERVICES_OUTBOX_KEY_H
#define BM_SERVICES_OUTBOX_KEY_H

#include "core/err.h"

#define BM_OUTBOX_KEY_BYTES 32

/*
 * Reads the master key into master (BM_OUTBOX_KEY_BYTES), making the file if it is missing.
 * BM_ERR_CONFIG, with what to fix, for a file others may read, not ours, not a regular file
 * or of the wrong size.
 */
enum bm_err bm_outbox_read_key(const char *path, unsigned char *master);

#endif
