/*
 * escpos_usb_model.h - an escpos_model behind a usb_fake, as a USB receipt printer:
 *   BIDIR   printer class 7/1/2 (interface descriptor 090400000207010200 before endpoints),
 *           bulk OUT 0x01 and bulk IN 0x82: status replies on bulk IN.
 *   UNIDIR  printer class 7/1/1, bulk OUT 0x01 only: status through GET_PORT_STATUS.
 *   VENDOR  vendor class 0xFF as 04b8:0202, bulk OUT 0x01 and IN 0x82: found by VID:PID only.
 * Class requests: GET_DEVICE_ID (0xA1/0) answers the set device ID (big-endian length unless
 * told otherwise), GET_PORT_STATUS (0xA1/1) the model's port status, SOFT_RESET is accepted.
 *
 * Threads: the usb_fake worker calls in; the rest from the test thread.
 */
#ifndef BM_TEST_ESCPOS_USB_MODEL_H
#define BM_TEST_ESCPOS_USB_MODEL_H

#include "escpos_model.h"
#include "usb_fake.h"

enum escpos_usb_kind { ESCPOS_USB_BIDIR, ESCPOS_USB_UNIDIR, ESCPOS_USB_VENDOR };

void escpos_usb_model_desc(enum escpos_usb_kind kind, struct usb_fake_desc *out);

struct escpos_usb_model;
/* desc NULL: the kind's default. m is borrowed. */
struct escpos_usb_model *escpos_usb_model_new(struct escpos_model *m, enum escpos_usb_kind kind,
                                              const struct usb_fake_desc *desc);
void escpos_usb_model_free(struct escpos_usb_model *u);
struct usb_fake *escpos_usb_model_fake(struct escpos_usb_model *u);
/* The raw GET_DEVICE_ID reply (with its length bytes); NULL: "MFG:BIANMIN;MDL:FAKE-80;..."
 * with a big-endian length. */
void escpos_usb_model_set_device_id(struct escpos_usb_model *u, const uint8_t *raw, size_t len);
unsigned escpos_usb_model_id_requests(struct escpos_usb_model *u);

#endif
