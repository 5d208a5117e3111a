/*
 * sam.h - the SAM ID card reader drivers, for the registry (and the tests that drive them).
 * How they behave: sam_reader.c and docs/id-reader.md.
 */
#ifndef BM_DRIVERS_SAM_H
#define BM_DRIVERS_SAM_H

#include "drivers/driver.h"

extern const struct bm_driver bm_sam_usb_driver;    /* "sam-usb" */
extern const struct bm_driver bm_sam_serial_driver; /* "sam-serial" */

/* Bytes both ways on the link for the last complete card read (find to appended address).
 * Any thread. */
uint64_t sam_reader_last_read_wire(struct bm_device *dev);

#endif
