/*
 * sam_photo.c - decoding the card photo through a vendor library loaded at run time. See
 * sam_photo.h.
 */
#include "sam_photo.h"

#include "drivers/id_reader.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/* The vendors' bitmap: 54 bytes of headers, rows padded to 4 bytes. */
#define BMP_SIZE 38862
/* Room beyond it, should a library write a little more than it says. */
#define BMP_BUFFER (BMP_SIZE + 4096)

typedef int (*unpack_fn)(char *wlt, char *bmp, int save_file);

struct sam_photo {
    void *lib;
    unpack_fn unpack;
};

enum bm_err sam_photo_open(const char *path, const char *symbol, struct sam_photo **out)
{
    *out = NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return bm_err_set(BM_ERR_NOT_FOUND, "photo library: %s", dlerror());
    dlerror();
    void *sym = dlsym(lib, symbol);
    if (!sym) {
        const char *why = dlerror();
        bm_err_set(BM_ERR_CONFIG, "photo library %s has no %s: %s", path, symbol,
                   why ? why : "null symbol");
        dlclose(lib);
        return BM_ERR_CONFIG;
    }
    struct sam_photo *p = calloc(1, sizeof *p);
    if (!p) {
        dlclose(lib);
        return bm_err_set(BM_ERR_NO_MEMORY, "photo library");
    }
    p->lib = lib;
    *(void **)&p->unpack = sym; /* POSIX: a data pointer converts to a function pointer */
    *out = p;
    return BM_OK;
}

void sam_photo_close(struct sam_photo *photo)
{
    if (!photo)
        return;
    dlclose(photo->lib);
    free(photo);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum bm_err sam_photo_from_bmp(const uint8_t *bmp, size_t len, uint8_t *rgb, size_t rgb_size)
{
    if (len < 54 || bmp[0] != 'B' || bmp[1] != 'M')
        return bm_err_set(BM_ERR_PARSE, "photo: not a bitmap");
    uint32_t offset = le32(bmp + 10);
    int32_t width = (int32_t)le32(bmp + 18), height = (int32_t)le32(bmp + 22);
    unsigned bits = (unsigned)bmp[28] | (unsigned)bmp[29] << 8;
    uint32_t compression = le32(bmp + 30);
    bool top_down = height < 0;
    uint32_t rows = top_down ? (uint32_t) - (int64_t)height : (uint32_t)height;
    if (width != BM_ID_PHOTO_WIDTH || rows != BM_ID_PHOTO_HEIGHT || bits != 24 ||
        compression != 0 || rgb_size < BM_ID_PHOTO_RGB_SIZE)
        return bm_err_set(BM_ERR_PARSE, "photo: bitmap is %dx%u at %u bits, expected %dx%d at 24",
                          width, rows, bits, BM_ID_PHOTO_WIDTH, BM_ID_PHOTO_HEIGHT);
    size_t stride = ((size_t)BM_ID_PHOTO_WIDTH * 3 + 3) & ~(size_t)3;
    if (offset < 54 || offset > len || len - offset < stride * rows)
        return bm_err_set(BM_ERR_PARSE, "photo: bitmap pixels outside its %zu bytes", len);
    for (uint32_t y = 0; y < rows; y++) {
        const uint8_t *src = bmp + offset + stride * (top_down ? y : rows - 1 - y);
        uint8_t *dst = rgb + (size_t)y * BM_ID_PHOTO_WIDTH * 3;
        for (int x = 0; x < BM_ID_PHOTO_WIDTH; x++) { /* BGR to RGB */
            dst[3 * x] = src[3 * x + 2];
            dst[3 * x + 1] = src[3 * x + 1];
            dst[3 * x + 2] = src[3 * x];
        }
    }
    return BM_OK;
}

enum bm_err sam_photo_decode(struct sam_photo *photo, const uint8_t *wlt,
                             struct bm_secbuf **rgb_out)
{
    *rgb_out = NULL;
    /* The library gets copies in locked memory: it may scribble on its input too. */
    struct bm_secbuf *in = bm_secbuf_new(BM_ID_PHOTO_WLT_SIZE);
    struct bm_secbuf *bmp = bm_secbuf_new(BMP_BUFFER);
    struct bm_secbuf *rgb = bm_secbuf_new(BM_ID_PHOTO_RGB_SIZE);
    enum bm_err err = in && bmp && rgb ? BM_OK : bm_err_set(BM_ERR_NO_MEMORY, "photo buffers");
    if (err == BM_OK)
        err = bm_secbuf_assign(in, wlt, BM_ID_PHOTO_WLT_SIZE);
    if (err == BM_OK) {
        memset(bm_secbuf_data(bmp), 0, BMP_BUFFER);
        int rc = photo->unpack((char *)bm_secbuf_data(in), (char *)bm_secbuf_data(bmp), 0);
        if (rc != 1)
            err = bm_err_set(BM_ERR_DEVICE, "photo library refused the photo (returned %d)", rc);
    }
    if (err == BM_OK)
        err = sam_photo_from_bmp(bm_secbuf_cdata(bmp), BMP_BUFFER, bm_secbuf_data(rgb),
                                 BM_ID_PHOTO_RGB_SIZE);
    if (err == BM_OK)
        err = bm_secbuf_set_len(rgb, BM_ID_PHOTO_RGB_SIZE);
    bm_secbuf_free(in);
    bm_secbuf_free(bmp);
    if (err != BM_OK) {
        bm_secbuf_free(rgb);
        return err;
    }
    *rgb_out = rgb;
    return BM_OK;
}
