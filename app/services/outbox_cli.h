/*
 * outbox_cli.h - the outbox for technicians, from the command line (bianmin --outbox ...):
 * what waits, the dead letters, putting one back in the queue, exporting them.
 *
 * The kiosk may be running meanwhile: the outbox is SQLite in WAL mode, so reading never
 * blocks it, and a retry waits (up to 5 s) for the kiosk's transaction of the moment. Nothing
 * printed holds personal data: dead letters are listed without their bodies, and an export
 * keeps personal bodies encrypted under this kiosk's key.
 */
#ifndef BM_SERVICES_OUTBOX_CLI_H
#define BM_SERVICES_OUTBOX_CLI_H

#include "core/config.h"
#include "core/err.h"

#include <stdio.h>

/*
 * Runs one command on the outbox of cfg's [sync] outbox/key_file, printing to out:
 *   status        depth, bytes, oldest item, dead letters, delivered keys, size and cap
 *   dead          one line per dead letter: id, kind, key, group, when, attempts, status, why
 *   retry ID      dead letter ID (and the rest of its group) back in the queue, due now
 *   export FILE   every dead letter as JSON lines into FILE ("-": out)
 * arg is the command's argument (NULL if none). BM_ERR_INVALID_ARG for an unknown command or
 * a missing argument; otherwise the outbox's error (BM_ERR_NOT_FOUND: no such dead letter).
 */
enum bm_err bm_outbox_cli(const struct bm_config *cfg, const char *cmd, const char *arg, FILE *out);

#endif
