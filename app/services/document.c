/*
 * document.c - the document model: a checked list of blocks that owns copies of its text.
 *
 * Design: blocks live in a fixed array of BM_DOC_MAX_BLOCKS (no realloc, so no stray copy of
 * personal data is left behind by growth); every string and pixel buffer is a private copy,
 * wiped with explicit_bzero before it is freed. Input is checked when a block is added (so a
 * bad receipt field fails where it was given, with a detail naming the block), including
 * whether a QR code can hold the text at all: libqrencode is asked once here. Nothing is
 * logged: the texts may be personal data.
 *
 * Threads: a document belongs to one thread at a time.
 */
#include "document.h"

#include <errno.h>
#include <glib.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

struct bm_document {
    struct bm_doc_block blocks[BM_DOC_MAX_BLOCKS];
    size_t n;
    char *watermark;
    char *issuer_body, *issuer_date;
};

static void wipe_str(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void wipe_block(struct bm_doc_block *b)
{
    wipe_str(b->text);
    wipe_str(b->value);
    if (b->pixels) {
        explicit_bzero(b->pixels, (size_t)b->img_w * b->img_h);
        free(b->pixels);
    }
    memset(b, 0, sizeof *b);
}

enum bm_err bm_doc_create(struct bm_document **out)
{
    if (!out)
        return bm_err_set(BM_ERR_INVALID_ARG, "document: no output");
    *out = calloc(1, sizeof **out);
    return *out ? BM_OK : bm_err_set(BM_ERR_NO_MEMORY, "document");
}

void bm_doc_destroy(struct bm_document *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n; i++)
        wipe_block(&doc->blocks[i]);
    wipe_str(doc->watermark);
    wipe_str(doc->issuer_body);
    wipe_str(doc->issuer_date);
    free(doc);
}

/* Checks one text (what names it in the detail) and copies it to *out. */
static enum bm_err copy_text(const char *what, const char *text, size_t cap, bool empty_ok,
                             char **out)
{
    *out = NULL;
    if (!text)
        return bm_err_set(BM_ERR_INVALID_ARG, "document %s: NULL text", what);
    size_t len = strnlen(text, cap + 1);
    if (len == 0 && !empty_ok)
        return bm_err_set(BM_ERR_INVALID_ARG, "document %s: empty text", what);
    if (len > cap)
        return bm_err_set(BM_ERR_INVALID_ARG, "document %s: text over %zu bytes", what, cap);
    if (!g_utf8_validate(text, (gssize)len, NULL))
        return bm_err_set(BM_ERR_INVALID_ARG, "document %s: text is not valid UTF-8", what);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
            return bm_err_set(BM_ERR_INVALID_ARG, "document %s: control character", what);
    *out = malloc(len + 1);
    if (!*out)
        return bm_err_set(BM_ERR_NO_MEMORY, "document %s", what);
    memcpy(*out, text, len + 1);
    return BM_OK;
}

/* The next free block, or an error. */
static enum bm_err next_block(struct bm_document *doc, const char *what, struct bm_doc_block **out)
{
    if (!doc)
        return bm_err_set(BM_ERR_INVALID_ARG, "document %s: NULL document", what);
    if (doc->n >= BM_DOC_MAX_BLOCKS)
        return bm_err_set(BM_ERR_NO_MEMORY, "document %s: over %u blocks", what, BM_DOC_MAX_BLOCKS);
    *out = &doc->blocks[doc->n];
    memset(*out, 0, sizeof **out);
    return BM_OK;
}

static enum bm_err add_text_block(struct bm_document *doc, const char *what,
                                  enum bm_doc_block_type type, const char *text, size_t cap,
                                  struct bm_doc_block **out)
{
    struct bm_doc_block *b = NULL;
    enum bm_err err = next_block(doc, what, &b);
    if (err == BM_OK)
        err = copy_text(what, text, cap, false, &b->text);
    if (err != BM_OK)
        return err;
    b->type = type;
    *out = b;
    doc->n++;
    return BM_OK;
}

enum bm_err bm_doc_add_title(struct bm_document *doc, const char *text)
{
    struct bm_doc_block *b = NULL;
    enum bm_err err = add_text_block(doc, "title", BM_BLOCK_TITLE, text, BM_DOC_MAX_TEXT, &b);
    if (err == BM_OK) {
        b->align = BM_DOC_CENTRE;
        b->size = BM_DOC_HUGE;
        b->bold = true;
    }
    return err;
}

enum bm_err bm_doc_add_text(struct bm_document *doc, const char *text, enum bm_doc_align align,
                            enum bm_doc_size size, bool bold)
{
    if ((unsigned)align > BM_DOC_RIGHT || (unsigned)size > BM_DOC_HUGE)
        return bm_err_set(BM_ERR_INVALID_ARG, "document text: bad align or size");
    struct bm_doc_block *b = NULL;
    enum bm_err err = add_text_block(doc, "text", BM_BLOCK_TEXT, text, BM_DOC_MAX_TEXT, &b);
    if (err == BM_OK) {
        b->align = align;
        b->size = size;
        b->bold = bold;
    }
    return err;
}

enum bm_err bm_doc_add_row(struct bm_document *doc, const char *key, const char *value, bool under)
{
    struct bm_doc_block *b = NULL;
    char *v = NULL;
    enum bm_err err = copy_text("row value", value, BM_DOC_MAX_TEXT, true, &v);
    if (err != BM_OK)
        return err;
    err = add_text_block(doc, "row key", BM_BLOCK_ROW, key, BM_DOC_MAX_TEXT, &b);
    if (err != BM_OK) {
        wipe_str(v);
        return err;
    }
    b->value = v;
    b->under = under;
    b->size = BM_DOC_NORMAL;
    return BM_OK;
}

enum bm_err bm_doc_add_separator(struct bm_document *doc, enum bm_doc_rule rule)
{
    struct bm_doc_block *b = NULL;
    if ((unsigned)rule > BM_DOC_DASHED)
        return bm_err_set(BM_ERR_INVALID_ARG, "document separator: bad rule");
    enum bm_err err = next_block(doc, "separator", &b);
    if (err != BM_OK)
        return err;
    b->type = BM_BLOCK_SEPARATOR;
    b->rule = rule;
    doc->n++;
    return BM_OK;
}

enum bm_err bm_doc_add_paragraph(struct bm_document *doc, const char *text)
{
    struct bm_doc_block *b = NULL;
    enum bm_err err =
        add_text_block(doc, "paragraph", BM_BLOCK_PARAGRAPH, text, BM_DOC_MAX_PARAGRAPH, &b);
    if (err == BM_OK)
        b->size = BM_DOC_NORMAL;
    return err;
}

enum bm_err bm_doc_add_qr(struct bm_document *doc, const char *text, unsigned module,
                          enum bm_doc_ecc ecc)
{
    if (module < 1 || module > 16 || (unsigned)ecc > BM_DOC_ECC_H)
        return bm_err_set(BM_ERR_INVALID_ARG, "document QR: module %u or ecc out of range", module);
    if (text && strnlen(text, BM_DOC_MAX_PARAGRAPH + 1) <= BM_DOC_MAX_PARAGRAPH) {
        QRcode *qr = QRcode_encodeString8bit(text, 0, (QRecLevel)ecc);
        int e = errno;
        if (!qr)
            return bm_err_set(e == ERANGE ? BM_ERR_INVALID_ARG : BM_ERR_NO_MEMORY,
                              "document QR: %s",
                              e == ERANGE ? "text too long for a QR code" : "encoder failed");
        QRcode_free(qr);
    }
    struct bm_doc_block *b = NULL;
    enum bm_err err = add_text_block(doc, "QR", BM_BLOCK_QR, text, BM_DOC_MAX_PARAGRAPH, &b);
    if (err == BM_OK) {
        b->module = module;
        b->ecc = ecc;
    }
    return err;
}

enum bm_err bm_doc_add_barcode(struct bm_document *doc, const char *text, unsigned module,
                               unsigned height)
{
    if (module < 1 || module > 8 || height < 16 || height > 400)
        return bm_err_set(BM_ERR_INVALID_ARG,
                          "document barcode: module %u or height %u "
                          "out of range",
                          module, height);
    if (text) {
        unsigned char bars[BM_CODE128_MAX_MODULES];
        size_t n;
        enum bm_err err = bm_code128_encode(text, bars, sizeof bars, &n, NULL, NULL);
        if (err != BM_OK)
            return err;
    }
    struct bm_doc_block *b = NULL;
    enum bm_err err =
        add_text_block(doc, "barcode", BM_BLOCK_BARCODE, text, BM_DOC_MAX_BARCODE, &b);
    if (err == BM_OK) {
        b->module = module;
        b->height = height;
    }
    return err;
}

enum bm_err bm_doc_add_image(struct bm_document *doc, const unsigned char *grey, unsigned w,
                             unsigned h, unsigned stride, unsigned width)
{
    if (!grey || w == 0 || h == 0 || w > BM_DOC_MAX_IMAGE_SIDE || h > BM_DOC_MAX_IMAGE_SIDE ||
        stride < w || width == 0 || width > BM_DOC_MAX_RASTER_WIDTH)
        return bm_err_set(BM_ERR_INVALID_ARG,
                          "document image: %ux%u (stride %u) to %u dots: "
                          "empty or over %u pixels a side",
                          w, h, stride, width, BM_DOC_MAX_IMAGE_SIDE);
    struct bm_doc_block *b = NULL;
    enum bm_err err = next_block(doc, "image", &b);
    if (err != BM_OK)
        return err;
    b->pixels = malloc((size_t)w * h);
    if (!b->pixels)
        return bm_err_set(BM_ERR_NO_MEMORY, "document image");
    for (unsigned y = 0; y < h; y++)
        memcpy(b->pixels + (size_t)y * w, grey + (size_t)y * stride, w);
    b->type = BM_BLOCK_IMAGE;
    b->img_w = w;
    b->img_h = h;
    b->height = width;
    doc->n++;
    return BM_OK;
}

enum bm_err bm_doc_add_space(struct bm_document *doc, unsigned dots)
{
    if (dots < 1 || dots > 800)
        return bm_err_set(BM_ERR_INVALID_ARG, "document space: %u dots (1..800)", dots);
    struct bm_doc_block *b = NULL;
    enum bm_err err = next_block(doc, "space", &b);
    if (err != BM_OK)
        return err;
    b->type = BM_BLOCK_SPACE;
    b->height = dots;
    doc->n++;
    return BM_OK;
}

enum bm_err bm_doc_set_watermark(struct bm_document *doc, const char *text)
{
    if (!doc)
        return bm_err_set(BM_ERR_INVALID_ARG, "document watermark: NULL document");
    char *copy = NULL;
    if (text) {
        enum bm_err err = copy_text("watermark", text, 256, false, &copy);
        if (err != BM_OK)
            return err;
    }
    wipe_str(doc->watermark);
    doc->watermark = copy;
    return BM_OK;
}

enum bm_err bm_doc_set_issuer(struct bm_document *doc, const char *body, const char *date)
{
    if (!doc)
        return bm_err_set(BM_ERR_INVALID_ARG, "document issuer: NULL document");
    char *b = NULL, *d = NULL;
    enum bm_err err = copy_text("issuer", body, 256, false, &b);
    if (err == BM_OK)
        err = copy_text("issue date", date, 64, true, &d);
    if (err != BM_OK) {
        wipe_str(b);
        return err;
    }
    wipe_str(doc->issuer_body);
    wipe_str(doc->issuer_date);
    doc->issuer_body = b;
    doc->issuer_date = d;
    return BM_OK;
}

size_t bm_doc_block_count(const struct bm_document *doc)
{
    return doc ? doc->n : 0;
}

const struct bm_doc_block *bm_doc_block_at(const struct bm_document *doc, size_t i)
{
    return doc && i < doc->n ? &doc->blocks[i] : NULL;
}

const char *bm_doc_watermark(const struct bm_document *doc)
{
    return doc ? doc->watermark : NULL;
}

const char *bm_doc_issuer_body(const struct bm_document *doc)
{
    return doc ? doc->issuer_body : NULL;
}

const char *bm_doc_issuer_date(const struct bm_document *doc)
{
    return doc ? doc->issuer_date : NULL;
}
