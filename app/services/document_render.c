/*
 * document_render.c - lays documents out with pango and renders them with cairo: to a 1-bit
 * receipt raster, or to an A4 PDF in memory.
 *
 * Design: one layout walk (walk_blocks) serves both targets. It keeps a pen (y) in dots of a
 * 203 dpi head and asks the target for a new page when a line or block does not fit (never
 * for a receipt: its page is endless). Text is laid out line by line through PangoLayout with
 * PANGO_WRAP_WORD_CHAR, so pango's CJK line-breaking rules apply (no line starts with a
 * closing mark such as ，。）) and a paragraph can run across pages. The pango context is set
 * to zh-cn so Han characters take their Chinese forms, hinting is off so layout does not
 * depend on the device, and fonts come from fontconfig: Noto Sans CJK SC, always Bold on
 * thermal paper (thin strokes fade there).
 *
 * Receipt: a measuring walk finds the height, then the walk draws into a grey (A8) surface of
 * exactly that size, which is thresholded at 50% into the drivers' raster layout (MSB the
 * leftmost dot, 1 black). QR modules and barcode bars are filled as whole-dot rectangles, so
 * they stay exact through the threshold. A4: the walk draws into a cairo PDF surface scaled
 * from dots to points, writing into a memory buffer with a hard cap; each page gets the
 * watermark first (light, diagonal), the last one the issuing body at its foot.
 *
 * Every intermediate of ours that holds pixels or PDF bytes is wiped before it is freed. (Not
 * cairo's own: the copy of an image a PDF surface keeps until it is finished, its compression
 * buffers. cairo frees those unwiped.)
 *
 * Threads: any; pango's default font map is per thread, nothing else is shared.
 */
#include "document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define FAMILY    "Noto Sans CJK SC"
#define MM        (BM_DOC_DPI / 25.4)
#define A4_W      (210.0 * MM)
#define A4_H      (297.0 * MM)
#define A4_MARGIN (20.0 * MM)
#define QR_QUIET  4u
#define BAR_QUIET 10u

static const double text_dots[] = {20, 24, 32, 40};

/* The target the walk lays out on. */
struct pg {
    const struct bm_document *doc;
    cairo_t *cr; /* NULL: measure only */
    PangoContext *pc;
    bool pdf;                        /* A4: pages, regular + bold faces, watermark, issuer */
    double left, width, top, bottom; /* content box, dots */
    double text_scale;
    double y;
    unsigned pages;
    enum bm_err err;
};

static PangoLayout *new_layout(struct pg *p, const char *text, enum bm_doc_size size, bool bold,
                               double width, enum bm_doc_align align)
{
    PangoLayout *l = pango_layout_new(p->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, FAMILY);
    pango_font_description_set_weight(fd,
                                      bold || !p->pdf ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, text_dots[size] * p->text_scale * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(l, align == BM_DOC_CENTRE  ? PANGO_ALIGN_CENTER
                                  : align == BM_DOC_RIGHT ? PANGO_ALIGN_RIGHT
                                                          : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, text, -1);
    return l;
}

/* Snaps the pen to whole dots on a receipt, so bars and modules land on dots. */
static void snap(struct pg *p)
{
    if (!p->pdf)
        p->y = ceil(p->y - 1e-6);
}

static void draw_watermark(struct pg *p)
{
    const char *wm = bm_doc_watermark(p->doc);
    if (!wm || !p->cr)
        return;
    PangoLayout *l = new_layout(p, wm, BM_DOC_HUGE, true, 0, BM_DOC_LEFT);
    PangoRectangle ink, logical;
    pango_layout_get_extents(l, &ink, &logical);
    double w = logical.width / (double)PANGO_SCALE, h = logical.height / (double)PANGO_SCALE;
    double diag = hypot(A4_W, A4_H) * 0.7;
    double k = w > 0 ? diag / w : 1;
    cairo_save(p->cr);
    cairo_translate(p->cr, A4_W / 2, A4_H / 2);
    cairo_rotate(p->cr, -atan2(A4_H, A4_W));
    cairo_scale(p->cr, k, k);
    cairo_move_to(p->cr, -w / 2, -h / 2);
    cairo_set_source_rgb(p->cr, 0.88, 0.88, 0.88);
    pango_cairo_show_layout(p->cr, l);
    cairo_restore(p->cr);
    g_object_unref(l);
}

/* Starts a new page (A4 only); false if the cap on pages is reached. */
static bool new_page(struct pg *p)
{
    if (!p->pdf)
        return true;
    if (p->pages >= BM_DOC_MAX_PAGES) {
        p->err = bm_err_set(BM_ERR_NO_MEMORY, "document: over %u pages", BM_DOC_MAX_PAGES);
        return false;
    }
    if (p->cr && p->pages > 0)
        cairo_show_page(p->cr);
    p->pages++;
    p->y = p->top;
    draw_watermark(p);
    return true;
}

/* Makes room for h dots: a new page if it does not fit on this one (and would on a new one). */
static bool room(struct pg *p, double h)
{
    if (p->y + h <= p->bottom + 1e-6 || p->y <= p->top + 1e-6)
        return true;
    return new_page(p);
}

/* Puts a layout's lines at x, one by one, breaking pages between lines. */
static void put_layout(struct pg *p, PangoLayout *l, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double h = logical.height / (double)PANGO_SCALE;
        if (!room(p, h))
            break;
        if (p->cr) {
            double base = (pango_layout_iter_get_baseline(it) - logical.y) / (double)PANGO_SCALE;
            cairo_move_to(p->cr, x + logical.x / (double)PANGO_SCALE, p->y + base);
            pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
        }
        p->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static void text_block(struct pg *p, const struct bm_doc_block *b)
{
    PangoLayout *l = new_layout(p, b->text, b->size, b->bold, p->width, b->align);
    put_layout(p, l, p->left);
    g_object_unref(l);
    if (b->type == BM_BLOCK_TITLE)
        p->y += text_dots[BM_DOC_NORMAL] * p->text_scale / 2;
}

static void row_block(struct pg *p, const struct bm_doc_block *b)
{
    double em = text_dots[b->size] * p->text_scale;
    PangoLayout *key = new_layout(p, b->text, b->size, false, 0, BM_DOC_LEFT);
    PangoLayout *val = new_layout(p, b->value, b->size, false, 0, BM_DOC_RIGHT);
    int kw, kh, vw, vh;
    pango_layout_get_pixel_size(key, &kw, &kh);
    pango_layout_get_pixel_size(val, &vw, &vh);
    if (!b->under && kw + em + vw <= p->width && kw + em + vw > 0) {
        double h = kh > vh ? kh : vh;
        if (room(p, h) && p->cr) {
            cairo_move_to(p->cr, p->left, p->y);
            pango_cairo_show_layout(p->cr, key);
            cairo_move_to(p->cr, p->left + p->width - vw, p->y);
            pango_cairo_show_layout(p->cr, val);
        }
        p->y += h;
    } else {
        g_object_unref(key);
        key = new_layout(p, b->text, b->size, false, p->width, BM_DOC_LEFT);
        put_layout(p, key, p->left);
        if (b->value[0]) {
            g_object_unref(val);
            val = new_layout(p, b->value, b->size, false, p->width - 2 * em, BM_DOC_LEFT);
            put_layout(p, val, p->left + 2 * em);
        }
    }
    g_object_unref(key);
    g_object_unref(val);
}

static void separator_block(struct pg *p, const struct bm_doc_block *b)
{
    const double h = 16, thick = 2;
    if (!room(p, h) || !p->cr)
        goto done;
    double y = p->y + (h - thick) / 2;
    if (b->rule == BM_DOC_SOLID) {
        cairo_rectangle(p->cr, p->left, y, p->width, thick);
    } else {
        for (double x = 0; x < p->width; x += 12)
            cairo_rectangle(p->cr, p->left + x, y, fmin(8, p->width - x), thick);
    }
    cairo_fill(p->cr);
done:
    p->y += h;
}

/* Fills the dark modules of a w x w QR code at (x, y), module dots each, merging runs. */
static void qr_block(struct pg *p, const struct bm_doc_block *b)
{
    QRcode *qr = QRcode_encodeString8bit(b->text, 0, (QRecLevel)b->ecc);
    if (!qr) {
        p->err = bm_err_set(BM_ERR_INVALID_ARG, "document QR: the encoder failed");
        return;
    }
    unsigned n = (unsigned)qr->width, m = b->module;
    while (m > 1 && (double)((n + 2 * QR_QUIET) * m) > p->width)
        m--;
    double side = (double)(n + 2 * QR_QUIET) * m;
    if (side > p->width) {
        p->err = bm_err_set(BM_ERR_INVALID_ARG, "document QR: %u modules do not fit %.0f dots",
                            n + 2 * QR_QUIET, p->width);
    } else if (room(p, side) && p->cr) {
        double x0 = p->left + floor((p->width - side) / 2) + QR_QUIET * m;
        double y0 = p->y + QR_QUIET * m;
        for (unsigned r = 0; r < n; r++) {
            for (unsigned c = 0; c < n;) {
                if (!(qr->data[r * n + c] & 1)) {
                    c++;
                    continue;
                }
                unsigned run = c;
                while (run < n && (qr->data[r * n + run] & 1))
                    run++;
                cairo_rectangle(p->cr, x0 + c * m, y0 + r * m, (run - c) * m, m);
                c = run;
            }
        }
        cairo_fill(p->cr);
    }
    p->y += side;
    QRcode_free(qr);
}

static void barcode_block(struct pg *p, const struct bm_doc_block *b)
{
    unsigned char bars[BM_CODE128_MAX_MODULES];
    size_t n;
    p->err = bm_code128_encode(b->text, bars, sizeof bars, &n, NULL, NULL);
    if (p->err != BM_OK)
        return;
    unsigned m = b->module;
    while (m > 1 && (double)((n + 2 * BAR_QUIET) * m) > p->width)
        m--;
    double w = (double)n * m;
    if ((double)(n + 2 * BAR_QUIET) * m > p->width) {
        p->err = bm_err_set(BM_ERR_INVALID_ARG,
                            "document barcode: %zu modules do not fit "
                            "%.0f dots",
                            n + 2 * BAR_QUIET, p->width);
        return;
    }
    PangoLayout *l = new_layout(p, b->text, BM_DOC_SMALL, false, p->width, BM_DOC_CENTRE);
    int tw, th;
    pango_layout_get_pixel_size(l, &tw, &th);
    p->y += 8;
    if (room(p, b->height + (double)th) && p->cr) {
        double x0 = p->left + floor((p->width - w) / 2);
        for (size_t i = 0; i < n;) {
            if (!bars[i]) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && bars[j])
                j++;
            cairo_rectangle(p->cr, x0 + (double)i * m, p->y, (double)(j - i) * m, b->height);
            i = j;
        }
        cairo_fill(p->cr);
    }
    p->y += b->height;
    put_layout(p, l, p->left);
    g_object_unref(l);
}

static void image_block(struct pg *p, const struct bm_doc_block *b)
{
    double w = fmin((double)b->height, p->width);
    double h = ceil((double)b->img_h * w / b->img_w);
    if (!room(p, h) || !p->cr) {
        p->y += h;
        return;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, (int)b->img_w, (int)b->img_h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        p->err = bm_err_set(BM_ERR_NO_MEMORY, "document image surface");
        cairo_surface_destroy(s);
        return;
    }
    unsigned char *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (unsigned y = 0; y < b->img_h; y++)
        for (unsigned x = 0; x < b->img_w; x++)
            px[(size_t)y * (size_t)stride + x] = (unsigned char)(255 - b->pixels[y * b->img_w + x]);
    cairo_surface_mark_dirty(s);
    cairo_save(p->cr);
    cairo_translate(p->cr, p->left + floor((p->width - w) / 2), p->y);
    cairo_scale(p->cr, w / b->img_w, h / b->img_h);
    cairo_mask_surface(p->cr, s, 0, 0);
    cairo_restore(p->cr);
    /*
     * A PDF surface records the page and writes the image out later, holding the source as a
     * copy-on-write snapshot: cairo copies the pixels only when the source changes. Our wipe
     * changes it behind cairo's back, so the copy would be of zeros (a blank image). Flushing
     * the source first tells cairo it is about to change, and it takes its copy now. (Flushing
     * the PDF surface does not: the page is replayed at show_page.) A no-op for a raster.
     */
    cairo_surface_flush(s);
    explicit_bzero(px, (size_t)stride * b->img_h);
    cairo_surface_destroy(s);
    p->y += h;
}

static void issuer(struct pg *p)
{
    const char *body = bm_doc_issuer_body(p->doc);
    if (!body)
        return;
    const char *date = bm_doc_issuer_date(p->doc);
    PangoLayout *lb = new_layout(p, body, BM_DOC_LARGE, true, p->width, BM_DOC_RIGHT);
    PangoLayout *ld = new_layout(p, date ? date : "", BM_DOC_NORMAL, false, p->width, BM_DOC_RIGHT);
    int bw, bh, dw, dh;
    pango_layout_get_pixel_size(lb, &bw, &bh);
    pango_layout_get_pixel_size(ld, &dw, &dh);
    double h = bh + dh;
    if (p->y + h + 4 * MM > p->bottom)
        new_page(p);
    p->y = p->bottom - h;
    put_layout(p, lb, p->left);
    put_layout(p, ld, p->left);
    g_object_unref(lb);
    g_object_unref(ld);
}

static void walk_blocks(struct pg *p)
{
    p->err = BM_OK;
    p->pages = 0;
    p->y = p->top;
    if (p->pdf)
        new_page(p);
    if (p->cr)
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    size_t n = bm_doc_block_count(p->doc);
    for (size_t i = 0; i < n && p->err == BM_OK; i++) {
        const struct bm_doc_block *b = bm_doc_block_at(p->doc, i);
        if (p->cr)
            cairo_set_source_rgb(p->cr, 0, 0, 0);
        switch (b->type) {
        case BM_BLOCK_TITLE:
        case BM_BLOCK_TEXT:
        case BM_BLOCK_PARAGRAPH:
            text_block(p, b);
            break;
        case BM_BLOCK_ROW:
            row_block(p, b);
            break;
        case BM_BLOCK_SEPARATOR:
            separator_block(p, b);
            break;
        case BM_BLOCK_QR:
            qr_block(p, b);
            break;
        case BM_BLOCK_BARCODE:
            barcode_block(p, b);
            break;
        case BM_BLOCK_IMAGE:
            image_block(p, b);
            break;
        case BM_BLOCK_SPACE:
            p->y += b->height;
            break;
        }
        snap(p);
    }
    if (p->pdf && p->err == BM_OK) {
        if (p->cr)
            cairo_set_source_rgb(p->cr, 0, 0, 0);
        issuer(p);
    }
}

/* A pango context for dots: zh-cn, no hinting, grey antialiasing. */
static PangoContext *new_context(bool antialias)
{
    PangoFontMap *fm = pango_cairo_font_map_get_default();
    PangoContext *pc = pango_font_map_create_context(fm);
    pango_context_set_language(pc, pango_language_from_string("zh-cn"));
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_antialias(fo, antialias ? CAIRO_ANTIALIAS_GRAY : CAIRO_ANTIALIAS_NONE);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    return pc;
}

enum bm_err bm_doc_render_raster(const struct bm_document *doc, unsigned width, unsigned max_height,
                                 struct bm_doc_raster *out)
{
    if (!out)
        return bm_err_set(BM_ERR_INVALID_ARG, "render raster: no output");
    memset(out, 0, sizeof *out);
    if (!doc || bm_doc_block_count(doc) == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "render raster: no document or no blocks");
    if (width < 8 || width > BM_DOC_MAX_RASTER_WIDTH)
        return bm_err_set(BM_ERR_INVALID_ARG, "render raster: width %u (8..%u dots)", width,
                          BM_DOC_MAX_RASTER_WIDTH);
    if (max_height == 0 || max_height > BM_DOC_MAX_RASTER_HEIGHT)
        max_height = BM_DOC_MAX_RASTER_HEIGHT;

    double margin = floor(width / 48.0);
    struct pg p = {.doc = doc,
                   .pc = new_context(true),
                   .left = margin,
                   .width = width - 2 * margin,
                   .top = 8,
                   .bottom = INFINITY,
                   .text_scale = 1};
    walk_blocks(&p); /* measure */
    double h = ceil(p.y) + 8;
    if (p.err == BM_OK && h > max_height)
        p.err = bm_err_set(BM_ERR_NO_MEMORY, "render raster: %.0f dots tall, over the cap of %u", h,
                           max_height);
    if (p.err != BM_OK) {
        g_object_unref(p.pc);
        return p.err;
    }

    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, (int)width, (int)h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        g_object_unref(p.pc);
        return bm_err_set(BM_ERR_NO_MEMORY, "render raster: %ux%.0f surface", width, h);
    }
    p.cr = cairo_create(s);
    pango_cairo_update_context(p.cr, p.pc);
    walk_blocks(&p);
    cairo_destroy(p.cr);
    g_object_unref(p.pc);
    cairo_surface_flush(s);
    unsigned char *grey = cairo_image_surface_get_data(s);
    size_t gstride = (size_t)cairo_image_surface_get_stride(s);

    enum bm_err err = p.err;
    unsigned stride = (width + 7) / 8, rows = (unsigned)h;
    if (err == BM_OK) {
        out->size = (size_t)stride * rows;
        out->bits = calloc(1, out->size);
        if (!out->bits)
            err = bm_err_set(BM_ERR_NO_MEMORY, "render raster: %zu bytes", out->size);
    }
    if (err == BM_OK) {
        for (unsigned y = 0; y < rows; y++)
            for (unsigned x = 0; x < width; x++)
                if (grey[y * gstride + x] >= 128)
                    out->bits[(size_t)y * stride + x / 8] |= (unsigned char)(0x80u >> (x % 8));
        out->raster = (struct bm_raster){width, rows, stride, out->bits};
    } else {
        out->size = 0;
    }
    explicit_bzero(grey, gstride * rows);
    cairo_surface_destroy(s);
    return err;
}

void bm_doc_raster_free(struct bm_doc_raster *r)
{
    if (!r || !r->bits)
        return;
    explicit_bzero(r->bits, r->size);
    free(r->bits);
    memset(r, 0, sizeof *r);
}

/* cairo's PDF stream into a capped buffer; growth copies and wipes the old one. */
static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct bm_doc_pdf *pdf = closure;
    if (len > BM_DOC_MAX_PDF_BYTES - pdf->len)
        return CAIRO_STATUS_WRITE_ERROR;
    if (pdf->len + len > pdf->cap) {
        size_t cap = pdf->cap ? pdf->cap : 64 * 1024;
        while (cap < pdf->len + len)
            cap *= 2;
        if (cap > BM_DOC_MAX_PDF_BYTES)
            cap = BM_DOC_MAX_PDF_BYTES;
        unsigned char *n = malloc(cap);
        if (!n)
            return CAIRO_STATUS_NO_MEMORY;
        if (pdf->data) {
            memcpy(n, pdf->data, pdf->len);
            explicit_bzero(pdf->data, pdf->cap);
            free(pdf->data);
        }
        pdf->data = n;
        pdf->cap = cap;
    }
    memcpy(pdf->data + pdf->len, data, len);
    pdf->len += len;
    return CAIRO_STATUS_SUCCESS;
}

enum bm_err bm_doc_render_pdf(const struct bm_document *doc, struct bm_doc_pdf *out)
{
    if (!out)
        return bm_err_set(BM_ERR_INVALID_ARG, "render PDF: no output");
    memset(out, 0, sizeof *out);
    if (!doc || bm_doc_block_count(doc) == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "render PDF: no document or no blocks");
    cairo_surface_t *s =
        cairo_pdf_surface_create_for_stream(pdf_write, out, 210.0 / 25.4 * 72, 297.0 / 25.4 * 72);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "bianmin");
    struct pg p = {.doc = doc,
                   .cr = cairo_create(s),
                   .pc = new_context(true),
                   .pdf = true,
                   .left = A4_MARGIN,
                   .width = A4_W - 2 * A4_MARGIN,
                   .top = A4_MARGIN,
                   .bottom = A4_H - A4_MARGIN,
                   .text_scale = 1.25};
    cairo_scale(p.cr, 72.0 / BM_DOC_DPI, 72.0 / BM_DOC_DPI);
    pango_cairo_update_context(p.cr, p.pc);
    walk_blocks(&p);
    cairo_destroy(p.cr);
    g_object_unref(p.pc);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    enum bm_err err = p.err;
    if (err == BM_OK && st != CAIRO_STATUS_SUCCESS)
        err = bm_err_set(st == CAIRO_STATUS_WRITE_ERROR ? BM_ERR_NO_MEMORY : BM_ERR_IO,
                         "render PDF: %s%s", cairo_status_to_string(st),
                         st == CAIRO_STATUS_WRITE_ERROR ? " (over the size cap)" : "");
    if (err != BM_OK) {
        bm_doc_pdf_free(out);
        return err;
    }
    out->pages = p.pages;
    return BM_OK;
}

void bm_doc_pdf_free(struct bm_doc_pdf *pdf)
{
    if (!pdf)
        return;
    if (pdf->data) {
        explicit_bzero(pdf->data, pdf->cap);
        free(pdf->data);
    }
    memset(pdf, 0, sizeof *pdf);
}

void bm_doc_render_release(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}
