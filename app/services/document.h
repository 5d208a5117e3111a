/*
 * document.h - printable documents: one model for thermal receipts and A4 certificates.
 *
 * A document is a list of blocks (title, text line, key/value row, separator, paragraph, QR
 * code, Code 128 barcode, grey image, blank space) plus, for A4, a watermark line and the
 * issuing body at the bottom. Lengths are in dots of a 203 dpi print head (8 dots per mm): a
 * receipt is laid out in dots, A4 scales the same lengths to points, so a 24-dot text line is
 * 3 mm on both.
 *
 * Any text may be personal data: the document owns copies and wipes them when destroyed, and
 * the rendered raster and PDF are wiped when freed. Every add checks its input (NULL, empty,
 * invalid UTF-8, over a cap, a QR text no QR code can hold) and fails with a bm_err detail;
 * the document is unchanged on failure.
 *
 * Rendering (document_render.c) uses pango and cairo. A document is used by one thread at a
 * time; rendering is reentrant (each thread has its own pango font map).
 */
#ifndef BM_SERVICES_DOCUMENT_H
#define BM_SERVICES_DOCUMENT_H

#include "core/err.h"
#include "drivers/receipt_printer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard caps. */
#define BM_DOC_MAX_BLOCKS        256u
#define BM_DOC_MAX_TEXT          1024u /* bytes of one line, key, value or title */
#define BM_DOC_MAX_PARAGRAPH     8192u /* bytes of one paragraph */
#define BM_DOC_MAX_BARCODE       48u   /* characters of one Code 128 barcode */
#define BM_DOC_MAX_IMAGE_SIDE    2048u /* pixels of a source image side */
#define BM_DOC_MAX_RASTER_WIDTH  2048u
#define BM_DOC_MAX_RASTER_HEIGHT 16384u /* dots: 2 m of receipt paper */
#define BM_DOC_MAX_PDF_BYTES     ((size_t)32 * 1024 * 1024)
#define BM_DOC_MAX_PAGES         64u
#define BM_DOC_DPI               203u

enum bm_doc_align { BM_DOC_LEFT, BM_DOC_CENTRE, BM_DOC_RIGHT };
/* Text sizes: small 20 dots (2.5 mm), normal 24 (3 mm), large 32 (4 mm), huge 40 (5 mm). */
enum bm_doc_size { BM_DOC_SMALL, BM_DOC_NORMAL, BM_DOC_LARGE, BM_DOC_HUGE };
enum bm_doc_rule { BM_DOC_SOLID, BM_DOC_DASHED };
enum bm_doc_ecc { BM_DOC_ECC_L, BM_DOC_ECC_M, BM_DOC_ECC_Q, BM_DOC_ECC_H };

enum bm_doc_block_type {
    BM_BLOCK_TITLE,
    BM_BLOCK_TEXT,
    BM_BLOCK_ROW,
    BM_BLOCK_SEPARATOR,
    BM_BLOCK_PARAGRAPH,
    BM_BLOCK_QR,
    BM_BLOCK_BARCODE,
    BM_BLOCK_IMAGE,
    BM_BLOCK_SPACE,
};

/* One block, as the renderer reads it. Text is NUL-terminated UTF-8 owned by the document. */
struct bm_doc_block {
    enum bm_doc_block_type type;
    char *text;  /* title, line, key, paragraph, QR or barcode text */
    char *value; /* row value */
    enum bm_doc_align align;
    enum bm_doc_size size;
    bool bold;
    bool under; /* row: the value always under the key */
    enum bm_doc_rule rule;
    enum bm_doc_ecc ecc;
    unsigned module;       /* QR module or barcode bar unit, dots */
    unsigned height;       /* barcode bar height, space height, image width (dots) */
    unsigned char *pixels; /* image: 8-bit grey, 0 black, row-major, w * h */
    unsigned img_w, img_h;
};

struct bm_document;

enum bm_err bm_doc_create(struct bm_document **out);
/* Wipes every text and pixel, then frees. NULL is ignored. */
void bm_doc_destroy(struct bm_document *doc);

/* A centred large bold heading. */
enum bm_err bm_doc_add_title(struct bm_document *doc, const char *text);
/* One line of text (wrapped if longer than the width). */
enum bm_err bm_doc_add_text(struct bm_document *doc, const char *text, enum bm_doc_align align,
                            enum bm_doc_size size, bool bold);
/* Key at the left, value right-aligned on the same line; wrapped under the key when both do
 * not fit (or always, with under). value may be empty, key may not. */
enum bm_err bm_doc_add_row(struct bm_document *doc, const char *key, const char *value, bool under);
enum bm_err bm_doc_add_separator(struct bm_document *doc, enum bm_doc_rule rule);
/* Wrapped text, left-aligned, normal size; CJK line breaking by pango. */
enum bm_err bm_doc_add_paragraph(struct bm_document *doc, const char *text);
/* A QR code of text (up to BM_DOC_MAX_PARAGRAPH bytes), centred, module dots per module (1..16;
 * shrunk to fit the width), a quiet zone of 4 modules. BM_ERR_INVALID_ARG if no QR code holds text
 * at that ecc. */
enum bm_err bm_doc_add_qr(struct bm_document *doc, const char *text, unsigned module,
                          enum bm_doc_ecc ecc);
/* A Code 128 barcode (printable ASCII), centred, bar unit module dots (1..8), bars height
 * dots (16..400), the text printed under it. */
enum bm_err bm_doc_add_barcode(struct bm_document *doc, const char *text, unsigned module,
                               unsigned height);
/* A grey image (0 black .. 255 white), copied, centred, scaled to width dots (clipped to
 * the page width). */
enum bm_err bm_doc_add_image(struct bm_document *doc, const unsigned char *grey, unsigned w,
                             unsigned h, unsigned stride, unsigned width);
/* Blank space, dots (1..800). */
enum bm_err bm_doc_add_space(struct bm_document *doc, unsigned dots);

/* A4 only: a light diagonal line of text on every page (NULL removes it). */
enum bm_err bm_doc_set_watermark(struct bm_document *doc, const char *text);
/* A4 only: the issuing body and date, right-aligned at the bottom of the last page. */
enum bm_err bm_doc_set_issuer(struct bm_document *doc, const char *body, const char *date);

size_t bm_doc_block_count(const struct bm_document *doc);
const struct bm_doc_block *bm_doc_block_at(const struct bm_document *doc, size_t i);
const char *bm_doc_watermark(const struct bm_document *doc); /* NULL if none */
const char *bm_doc_issuer_body(const struct bm_document *doc);
const char *bm_doc_issuer_date(const struct bm_document *doc);

/* ---- rendering (document_render.c) ---- */

/* A rendered receipt: raster borrows bits from the owned buffer. */
struct bm_doc_raster {
    struct bm_raster raster;
    unsigned char *bits;
    size_t size;
};

/*
 * Lays the document out width dots wide (8..BM_DOC_MAX_RASTER_WIDTH) in Noto Sans CJK SC Bold
 * and renders it to 1 bit (grey, thresholded at 50%); the height is the content's. Fails with
 * BM_ERR_NO_MEMORY if it would be taller than max_height (0: BM_DOC_MAX_RASTER_HEIGHT).
 */
enum bm_err bm_doc_render_raster(const struct bm_document *doc, unsigned width, unsigned max_height,
                                 struct bm_doc_raster *out);
/* Wipes and frees the bits; NULL or an empty raster is ignored. */
void bm_doc_raster_free(struct bm_doc_raster *r);

struct bm_doc_pdf {
    unsigned char *data;
    size_t len, cap;
    unsigned pages;
};

/* Lays the document out on A4 pages (20 mm margins) and writes a PDF into memory. */
enum bm_err bm_doc_render_pdf(const struct bm_document *doc, struct bm_doc_pdf *out);
/* Wipes and frees; NULL is ignored. */
void bm_doc_pdf_free(struct bm_doc_pdf *pdf);

/*
 * Gives back this thread's pango font map and the process's cairo and fontconfig caches, so
 * LeakSanitizer sees a clean heap at exit. Only when no thread renders any more (tests, exit).
 */
void bm_doc_render_release(void);

/* ---- Code 128 (code128.c) ---- */

#define BM_CODE128_MAX_MODULES (11u * (BM_DOC_MAX_BARCODE + 4u) + 2u)

/*
 * Encodes printable ASCII (32..126) as Code 128 modules: out[i] is 1 for a bar module, 0 for
 * a space, quiet zones not included. Code set C for an all-digit text of even length, else B.
 * *n gets the module count; the symbol values (start, data, check, stop) go to values if not
 * NULL (room for BM_DOC_MAX_BARCODE + 3).
 */
enum bm_err bm_code128_encode(const char *text, unsigned char *out, size_t cap, size_t *n,
                              unsigned *values, size_t *nvalues);

/* ---- the sample receipt and certificate (document_samples.c) ---- */

struct bm_receipt_fields {
    bool english;
    const char *office;      /* "XX便民服务点" */
    const char *service;     /* service name */
    const char *tracking_id; /* application number */
    const char *time;        /* "2026-11-29 18:30" */
    const char *applicant;   /* full name: masked on the receipt (张三明 -> 张*明) */
    const char *const *materials;
    size_t n_materials;
    const char *tracking_url; /* in the QR code */
    const char *hotline;
};

/* Masks a name: the first and last characters kept, the others '*' ("张三明" -> "张*明",
 * "李四" -> "李*", "Alice Smith" -> "A*********h"). out gets at most cap bytes. */
enum bm_err bm_doc_mask_name(const char *name, char *out, size_t cap);

/* Builds the acceptance receipt of an application. */
enum bm_err bm_doc_receipt_build(const struct bm_receipt_fields *f, struct bm_document **out);
/* The demo's fields (a made-up application). */
const struct bm_receipt_fields *bm_doc_receipt_sample(bool english);
/* The demo's A4 certificate (a made-up residence certificate with watermark and issuer). */
enum bm_err bm_doc_certificate_sample(struct bm_document **out);

#endif
