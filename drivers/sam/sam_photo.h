/*
 * sam_photo.h - the card photo: 1024 bytes of WLT (encrypted and compressed) that only a
 * reader vendor's library can decode. When the config names one ([id_reader] photo_library),
 * it is loaded with dlopen at run time, so bianmin neither links against nor ships it.
 *
 * The library's entry point (named by [id_reader] photo_symbol, "unpack" by default) follows
 * the vendors' usual form
 *     int unpack(char *wlt, char *bmp, int save_file);
 * it turns the 1024 WLT bytes into a 24-bit Windows bitmap of 102 x 126 pixels in bmp
 * (38,862 bytes with its headers) and returns 1 on success. We always pass save_file = 0 so
 * nothing lands on disk, hand it buffers in locked memory, and convert the bitmap into the
 * identity's photo_rgb (RGB24, top row first), wiping the bitmap after.
 *
 * Threads: the device's worker thread (vendor libraries are rarely thread-safe).
 */
#ifndef BM_DRIVERS_SAM_PHOTO_H
#define BM_DRIVERS_SAM_PHOTO_H

#include "core/err.h"
#include "core/secbuf.h"

#include <stdint.h>

struct sam_photo;

/* Loads the library at path and finds symbol. BM_ERR_NOT_FOUND / BM_ERR_CONFIG with the
 * dlerror text otherwise. */
enum bm_err sam_photo_open(const char *path, const char *symbol, struct sam_photo **out);
void sam_photo_close(struct sam_photo *photo);

/* Decodes wlt (BM_ID_PHOTO_WLT_SIZE bytes) into a new secure buffer of BM_ID_PHOTO_RGB_SIZE
 * bytes. BM_ERR_DEVICE if the library refuses, BM_ERR_PARSE if its bitmap is not 102 x 126
 * x 24 bits. */
enum bm_err sam_photo_decode(struct sam_photo *photo, const uint8_t *wlt,
                             struct bm_secbuf **rgb_out);

/*
 * Converts a 24-bit bottom-up (or top-down, negative height) Windows bitmap of
 * BM_ID_PHOTO_WIDTH x BM_ID_PHOTO_HEIGHT into RGB24 top row first (pure; exposed for tests and
 * fuzzing).
 */
enum bm_err sam_photo_from_bmp(const uint8_t *bmp, size_t len, uint8_t *rgb, size_t rgb_size);

#endif
