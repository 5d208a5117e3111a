/*
 * cups.h - the CUPS document printer driver, for the registry (and the tests that drive it).
 * How it behaves: cups_printer.c and docs/doc-printer.md.
 */
#ifndef BM_DRIVERS_CUPS_H
#define BM_DRIVERS_CUPS_H

#include "drivers/driver.h"

extern const struct bm_driver bm_cups_doc_driver; /* "cups" */

#endif
