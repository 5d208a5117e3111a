/*
 * sam_usb_model.h - wires a sam_model to a usb_fake as a vendor-bulk ID card reader, in one of
 * the two endpoint layouts found in the field (the spec: "make the endpoint layout data"):
 *   SPLIT  (as on 0400:C35A): the host writes the 7-byte header (preamble + LEN) to bulk OUT
 *          0x02 and the rest of the frame to OUT 0x06; it reads the reply's 7-byte header
 *          from IN 0x81 and the rest from IN 0x85.
 *   SINGLE: the whole stream on one bulk OUT (0x02 by default, or 0x01) and IN 0x81, 64-byte
 *          packets.
 * In SPLIT, bytes on the wrong pipe (a body on 0x02, a header on 0x06) are dropped and
 * counted as violations: a real reader would not understand them either.
 *
 * Threads: the usb_fake worker thread calls in; the rest from the test thread.
 */
#ifndef BM_TEST_SAM_USB_MODEL_H
#define BM_TEST_SAM_USB_MODEL_H

#include "sam_model.h"
#include "usb_fake.h"

enum sam_usb_layout {
    SAM_USB_SPLIT,
    SAM_USB_SINGLE,
};

/* The default description of a layout: VID:PID 0400:C35A, vendor class 0xFF, endpoints as
 * above, strings "bianmin-test" / "SAM ID reader (fake)" / "SAMFAKE0001". Tests may change
 * fields (ids, out endpoint 0x01, packet sizes) before sam_usb_model_new. */
void sam_usb_model_desc(enum sam_usb_layout layout, struct usb_fake_desc *out);

struct sam_usb_model;

/* Plugs in a fake reader that serves m (borrowed; must outlive the adapter). desc NULL: the
 * layout's default. In SPLIT the first two bulk OUT and the first two bulk IN endpoints of
 * desc are header and body; in SINGLE the first of each. */
struct sam_usb_model *sam_usb_model_new(struct sam_model *m, enum sam_usb_layout layout,
                                        const struct usb_fake_desc *desc);
void sam_usb_model_free(struct sam_usb_model *su);
struct usb_fake *sam_usb_model_fake(struct sam_usb_model *su);
/* Bytes the SPLIT layout dropped because they came on the wrong pipe. */
unsigned sam_usb_model_violations(struct sam_usb_model *su);

#endif
