/*
 * sim_render.c - the sim's renderer, on cairo: receipt rasters to PNG files, and the page the
 * sim scanner "sees" (a built-in test page, or a PNG file) rendered to scanner pixels.
 *
 * Cairo stays inside drivers/sim: the real document renderer lives in app/services, and real
 * drivers get their pixels from hardware. Receipts are written as 1-bit PNGs (cairo's A1
 * format: a set bit is white once in PNG, so ink is a cleared bit), which keeps them small and
 * exact. The test page is drawn in millimetres on a surface of the requested resolution, in
 * Noto Sans CJK SC through fontconfig, so what a test scans has real text and edges.
 *
 * A scan is personal data: the cairo surface is zeroed before it is freed, and the pixels the
 * caller gets live in a secure buffer.
 *
 * Threads: any (called on the sim's worker threads; no shared state).
 */
#include "sim_internal.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W_MM 210.0
#define PAGE_H_MM 297.0

static enum bm_err cairo_fail(cairo_status_t st, const char *what)
{
    return bm_err_set(st == CAIRO_STATUS_NO_MEMORY ? BM_ERR_NO_MEMORY : BM_ERR_IO, "%s: %s", what,
                      cairo_status_to_string(st));
}

enum bm_err sim_render_receipt_png(const struct bm_raster *r, const char *path)
{
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_A1, (int)r->width, (int)r->height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        enum bm_err err = cairo_fail(cairo_surface_status(s), "receipt surface");
        cairo_surface_destroy(s);
        return err;
    }
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (unsigned y = 0; y < r->height; y++) {
        /* A1 packs pixels into native-endian 32-bit words: bit x%32 (little-endian hosts). */
        uint32_t *row = (uint32_t *)(data + (size_t)y * (size_t)stride);
        memset(row, 0xff, (size_t)stride);
        for (unsigned x = 0; x < r->width; x++) {
            if (!bm_raster_get(r, x, y))
                continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            row[x / 32] &= ~(1u << (31 - x % 32));
#else
            row[x / 32] &= ~(1u << (x % 32));
#endif
        }
    }
    cairo_surface_mark_dirty(s);
    cairo_status_t st = cairo_surface_write_to_png(s, path);
    explicit_bzero(data, (size_t)stride * r->height);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS ? BM_OK : cairo_fail(st, path);
}

static void text(cairo_t *cr, double x, double y, double size, const char *s)
{
    cairo_set_font_size(cr, size);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

/* The built-in test page, in mm on an A4 sheet. */
static void draw_test_page(cairo_t *cr)
{
    cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
    cairo_paint(cr);

    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, 10, 10, PAGE_W_MM - 20, PAGE_H_MM - 20);
    cairo_stroke(cr);

    cairo_select_font_face(cr, "Noto Sans CJK SC", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_BOLD);
    text(cr, 25, 35, 10, "便民自助终端 扫描测试页");
    cairo_select_font_face(cr, "Noto Sans CJK SC", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    text(cr, 25, 45, 5, "bianmin scanner test page (simulated device)");

    cairo_set_line_width(cr, 0.4);
    cairo_move_to(cr, 25, 52);
    cairo_line_to(cr, PAGE_W_MM - 25, 52);
    cairo_stroke(cr);

    static const char *const lines[] = {
        "申请事项：示例业务办理（测试数据，非真实材料）",
        "申请人：测试用户    材料：身份证明复印件",
        "本页由模拟扫描仪生成，用于检查分辨率、灰度与裁切。",
        "The quick brown fox jumps over the lazy dog. 0123456789",
    };
    double y = 65;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++, y += 10)
        text(cr, 25, y, 4.5, lines[i]);

    /* Grey steps and a black block: something to measure in a scanned image. */
    for (int i = 0; i < 8; i++) {
        double g = i / 7.0;
        cairo_set_source_rgb(cr, g, g, g);
        cairo_rectangle(cr, 25 + i * 20, 120, 20, 20);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, 25, 160, 40, 40);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_arc(cr, 140, 180, 20, 0, 2 * 3.14159265358979);
    cairo_fill(cr);
}

/* A PNG scaled to fit the page, on white. */
static enum bm_err draw_png(cairo_t *cr, const char *path)
{
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    cairo_status_t st = cairo_surface_status(img);
    if (st != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return bm_err_set(st == CAIRO_STATUS_FILE_NOT_FOUND ? BM_ERR_NOT_FOUND : BM_ERR_PARSE,
                          "scan source %s: %s", path, cairo_status_to_string(st));
    }
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double sx = PAGE_W_MM / w, sy = PAGE_H_MM / h;
    double scale = sx < sy ? sx : sy;
    cairo_save(cr);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return BM_OK;
}

static unsigned mm_to_px(double mm, unsigned dpi)
{
    return (unsigned)(mm * dpi / 25.4 + 0.5); /* no libm: bm_drivers does not link it */
}

enum bm_err sim_render_page(const char *png_path, const struct bm_scan_params *p,
                            struct bm_scan_image **out)
{
    *out = NULL;
    double w_mm = p->width_mm ? p->width_mm : PAGE_W_MM - p->x_mm;
    double h_mm = p->height_mm ? p->height_mm : PAGE_H_MM - p->y_mm;
    unsigned w = mm_to_px(w_mm, p->dpi), h = mm_to_px(h_mm, p->dpi);
    if (w == 0 || h == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "empty scan area");
    unsigned bpp = p->mode == BM_SCAN_COLOUR ? 3 : 1;
    size_t size = (size_t)w * bpp * h;
    if (size > BM_SECBUF_MAX)
        return bm_err_set(BM_ERR_NO_MEMORY, "scan of %zu bytes", size);

    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        enum bm_err err = cairo_fail(cairo_surface_status(s), "scan surface");
        cairo_surface_destroy(s);
        return err;
    }
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, p->dpi / 25.4, p->dpi / 25.4);
    cairo_translate(cr, -(double)p->x_mm, -(double)p->y_mm);
    enum bm_err err = BM_OK;
    if (png_path)
        err = draw_png(cr, png_path);
    else
        draw_test_page(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);

    unsigned char *data = cairo_image_surface_get_data(s);
    int cstride = cairo_image_surface_get_stride(s);
    struct bm_scan_image *img = NULL;
    if (err == BM_OK) {
        img = calloc(1, sizeof *img);
        if (!img || !(img->pixels = bm_secbuf_new(size))) {
            free(img);
            img = NULL;
            err = bm_err_set(BM_ERR_NO_MEMORY, "scan image");
        }
    }
    if (err == BM_OK) {
        img->width = w;
        img->height = h;
        img->stride = w * bpp;
        img->dpi = p->dpi;
        img->format = bpp == 3 ? BM_PIXEL_RGB24 : BM_PIXEL_GREY8;
        unsigned char *dst = bm_secbuf_data(img->pixels);
        for (unsigned y = 0; y < h; y++) {
            const uint32_t *row = (const uint32_t *)(data + (size_t)y * (size_t)cstride);
            unsigned char *o = dst + (size_t)y * img->stride;
            for (unsigned x = 0; x < w; x++) {
                unsigned r = (row[x] >> 16) & 0xff, g = (row[x] >> 8) & 0xff, b = row[x] & 0xff;
                if (bpp == 3) {
                    o[3 * x] = (unsigned char)r;
                    o[3 * x + 1] = (unsigned char)g;
                    o[3 * x + 2] = (unsigned char)b;
                } else {
                    o[x] = (unsigned char)((r * 299 + g * 587 + b * 114) / 1000);
                }
            }
        }
        bm_secbuf_set_len(img->pixels, size);
        *out = img;
    }
    explicit_bzero(data, (size_t)cstride * h);
    cairo_surface_destroy(s);
    return err;
}

void sim_render_release(void)
{
    /* cairo's toy text API keeps fontconfig patterns for the life of the process; at exit
     * they are given back so LeakSanitizer sees a clean heap. */
    cairo_debug_reset_static_data();
    FcFini();
}
