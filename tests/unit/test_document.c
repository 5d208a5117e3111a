/*
 * test_document.c - the document model: Code 128 encodings, name masking, every bad-input
 * path of the block adders and renderers, caps, and the clearing of freed outputs.
 *
 * Rendering itself (reference images, QR decoding, PDF text) is in tests/ui/test_document_render.c.
 */
#include "services/document.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* The modules of one symbol as a 0/1 string. */
static void modules_str(const unsigned char *m, size_t from, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('0' + m[from + i]);
    out[n] = '\0';
}

static void test_code128_set_b(void **state)
{
    (void)state;
    unsigned char m[BM_CODE128_MAX_MODULES];
    unsigned v[BM_DOC_MAX_BARCODE + 3];
    size_t n, nv;
    assert_int_equal(bm_code128_encode("PJJ123C", m, sizeof m, &n, v, &nv), BM_OK);
    /* Start B, P J J 1 2 3 C, check, stop. */
    unsigned want[] = {104, 48, 42, 42, 17, 18, 19, 35, 0, 106};
    want[8] = (104 + 48 * 1 + 42 * 2 + 42 * 3 + 17 * 4 + 18 * 5 + 19 * 6 + 35 * 7) % 103;
    assert_int_equal(want[8], 55);
    assert_int_equal(nv, 10);
    assert_memory_equal(v, want, sizeof want);
    assert_int_equal(n, 11 * 9 + 13);
    char s[16];
    modules_str(m, 0, 11, s);
    assert_string_equal(s, "11010010000"); /* start B */
    modules_str(m, n - 13, 13, s);
    assert_string_equal(s, "1100011101011"); /* stop */

    assert_int_equal(bm_code128_encode("A ", m, sizeof m, &n, v, &nv), BM_OK);
    modules_str(m, 11, 11, s);
    assert_string_equal(s, "10100011000"); /* 'A' = value 33 */
    modules_str(m, 22, 11, s);
    assert_string_equal(s, "11011001100"); /* ' ' = value 0 */
}

static void test_code128_set_c(void **state)
{
    (void)state;
    unsigned char m[BM_CODE128_MAX_MODULES];
    unsigned v[BM_DOC_MAX_BARCODE + 3];
    size_t n, nv;
    assert_int_equal(bm_code128_encode("1234", m, sizeof m, &n, v, &nv), BM_OK);
    unsigned want[] = {105, 12, 34, (105 + 12 + 34 * 2) % 103, 106};
    assert_int_equal(nv, 5);
    assert_memory_equal(v, want, sizeof want);
    char s[16];
    modules_str(m, 0, 11, s);
    assert_string_equal(s, "11010011100"); /* start C */
    /* An odd number of digits falls back to set B. */
    assert_int_equal(bm_code128_encode("123", m, sizeof m, &n, v, &nv), BM_OK);
    assert_int_equal(v[0], 104);
    /* Every symbol starts with a bar and ends with a space; the total width is 11 per symbol. */
    assert_int_equal(bm_code128_encode(" ~}|{zyx0123", m, sizeof m, &n, v, &nv), BM_OK);
    assert_int_equal(n, 11 * (nv - 1) + 13);
    for (size_t i = 0; i + 1 < nv; i++) {
        assert_int_equal(m[11 * i], 1);
        assert_int_equal(m[11 * i + 10], 0);
    }
}

static void test_code128_bad(void **state)
{
    (void)state;
    unsigned char m[BM_CODE128_MAX_MODULES];
    size_t n;
    assert_int_equal(bm_code128_encode(NULL, m, sizeof m, &n, NULL, NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_code128_encode("", m, sizeof m, &n, NULL, NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_code128_encode("tab\there", m, sizeof m, &n, NULL, NULL),
                     BM_ERR_INVALID_ARG);
    assert_int_equal(bm_code128_encode("编号", m, sizeof m, &n, NULL, NULL), BM_ERR_INVALID_ARG);
    char long_text[BM_DOC_MAX_BARCODE + 2];
    memset(long_text, 'A', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    assert_int_equal(bm_code128_encode(long_text, m, sizeof m, &n, NULL, NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_code128_encode("ABC", m, 20, &n, NULL, NULL), BM_ERR_NO_MEMORY);
}

static void test_mask_name(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(bm_doc_mask_name("张三明", out, sizeof out), BM_OK);
    assert_string_equal(out, "张*明");
    assert_int_equal(bm_doc_mask_name("李四", out, sizeof out), BM_OK);
    assert_string_equal(out, "李*");
    assert_int_equal(bm_doc_mask_name("欧阳娜娜", out, sizeof out), BM_OK);
    assert_string_equal(out, "欧**娜");
    assert_int_equal(bm_doc_mask_name("Alice Smith", out, sizeof out), BM_OK);
    assert_string_equal(out, "A*********h");
    assert_int_equal(bm_doc_mask_name("", out, sizeof out), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_mask_name("\xff\xfe", out, sizeof out), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_mask_name("张三明", out, 4), BM_ERR_NO_MEMORY);
    assert_string_equal(out, "");
}

static void test_bad_blocks(void **state)
{
    (void)state;
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    assert_int_equal(bm_doc_add_title(NULL, "x"), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_title(doc, NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_title(doc, ""), BM_ERR_INVALID_ARG);
    assert_non_null(strstr(bm_err_detail(), "empty"));
    assert_int_equal(bm_doc_add_text(doc, "a\x01", BM_DOC_LEFT, BM_DOC_NORMAL, false),
                     BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_text(doc, "ok", (enum bm_doc_align)7, BM_DOC_NORMAL, false),
                     BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_text(doc, "\xe5\xbc", BM_DOC_LEFT, BM_DOC_NORMAL, false),
                     BM_ERR_INVALID_ARG);
    assert_non_null(strstr(bm_err_detail(), "UTF-8"));
    assert_int_equal(bm_doc_add_row(doc, "", "v", false), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_row(doc, "k", NULL, false), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_separator(doc, (enum bm_doc_rule)9), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_qr(doc, "x", 0, BM_DOC_ECC_M), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_qr(doc, NULL, 4, BM_DOC_ECC_M), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_barcode(doc, "12", 2, 8), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_barcode(doc, "编号", 2, 64), BM_ERR_INVALID_ARG);
    unsigned char px[4] = {0};
    assert_int_equal(bm_doc_add_image(doc, NULL, 2, 2, 2, 100), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_image(doc, px, 2, 2, 1, 100), BM_ERR_INVALID_ARG);
    assert_int_equal(
        bm_doc_add_image(doc, px, BM_DOC_MAX_IMAGE_SIDE + 1, 1, BM_DOC_MAX_IMAGE_SIDE + 1, 100),
        BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_space(doc, 0), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_set_watermark(doc, ""), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_set_issuer(doc, NULL, "2026"), BM_ERR_INVALID_ARG);
    /* Nothing was added by the failures. */
    assert_int_equal(bm_doc_block_count(doc), 0);

    char *big = malloc(BM_DOC_MAX_PARAGRAPH + 2);
    assert_non_null(big);
    memset(big, 'a', BM_DOC_MAX_PARAGRAPH + 1);
    big[BM_DOC_MAX_PARAGRAPH + 1] = '\0';
    assert_int_equal(bm_doc_add_paragraph(doc, big), BM_ERR_INVALID_ARG);
    big[BM_DOC_MAX_PARAGRAPH] = '\0';
    assert_int_equal(bm_doc_add_paragraph(doc, big), BM_OK);
    /* A QR code holds at most 2953 bytes (version 40, level L), 1273 at level H. */
    big[1500] = '\0';
    assert_int_equal(bm_doc_add_qr(doc, big, 4, BM_DOC_ECC_H), BM_ERR_INVALID_ARG);
    assert_non_null(strstr(bm_err_detail(), "too long for a QR code"));
    assert_int_equal(bm_doc_add_qr(doc, big, 4, BM_DOC_ECC_L), BM_OK);
    memset(big, 'a', 3000);
    big[3000] = '\0';
    assert_int_equal(bm_doc_add_qr(doc, big, 4, BM_DOC_ECC_L), BM_ERR_INVALID_ARG);
    free(big);
    assert_int_equal(bm_doc_block_count(doc), 2);
    bm_doc_destroy(doc);
    bm_doc_destroy(NULL);
}

static void test_block_cap(void **state)
{
    (void)state;
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    for (unsigned i = 0; i < BM_DOC_MAX_BLOCKS; i++)
        assert_int_equal(bm_doc_add_separator(doc, BM_DOC_SOLID), BM_OK);
    assert_int_equal(bm_doc_add_separator(doc, BM_DOC_SOLID), BM_ERR_NO_MEMORY);
    assert_int_equal(bm_doc_add_text(doc, "x", BM_DOC_LEFT, BM_DOC_NORMAL, false),
                     BM_ERR_NO_MEMORY);
    assert_int_equal(bm_doc_block_count(doc), BM_DOC_MAX_BLOCKS);
    bm_doc_destroy(doc);
}

static void test_render_bad(void **state)
{
    (void)state;
    struct bm_doc_raster r;
    struct bm_doc_pdf pdf;
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    assert_int_equal(bm_doc_render_raster(doc, 384, 0, NULL), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_render_raster(NULL, 384, 0, &r), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_render_raster(doc, 384, 0, &r), BM_ERR_INVALID_ARG); /* empty */
    assert_int_equal(bm_doc_render_pdf(doc, &pdf), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_add_space(doc, 800), BM_OK);
    assert_int_equal(bm_doc_add_space(doc, 800), BM_OK);
    assert_int_equal(bm_doc_render_raster(doc, 4, 0, &r), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_render_raster(doc, BM_DOC_MAX_RASTER_WIDTH + 1, 0, &r),
                     BM_ERR_INVALID_ARG);
    /* Taller than the caller's cap (a printer's max_height): refused, nothing allocated. */
    assert_int_equal(bm_doc_render_raster(doc, 384, 1000, &r), BM_ERR_NO_MEMORY);
    assert_non_null(strstr(bm_err_detail(), "over the cap"));
    assert_null(r.bits);
    /* Taller than the hard cap. */
    for (int i = 0; i < 20; i++)
        assert_int_equal(bm_doc_add_space(doc, 800), BM_OK);
    assert_int_equal(bm_doc_render_raster(doc, 384, 0, &r), BM_ERR_NO_MEMORY);
    /* A barcode wider than the paper even at one dot a bar. */
    bm_doc_destroy(doc);
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    assert_int_equal(bm_doc_add_barcode(doc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2, 64), BM_OK);
    assert_int_equal(bm_doc_render_raster(doc, 200, 0, &r), BM_ERR_INVALID_ARG);
    assert_non_null(strstr(bm_err_detail(), "do not fit"));
    bm_doc_destroy(doc);
}

static void test_free_clears(void **state)
{
    (void)state;
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    assert_int_equal(bm_doc_add_text(doc, "张三明", BM_DOC_LEFT, BM_DOC_NORMAL, true), BM_OK);
    struct bm_doc_raster r;
    assert_int_equal(bm_doc_render_raster(doc, 384, 0, &r), BM_OK);
    assert_non_null(r.bits);
    assert_int_equal(r.size, (size_t)r.raster.stride * r.raster.height);
    bm_doc_raster_free(&r);
    assert_null(r.bits);
    assert_int_equal(r.size, 0);
    bm_doc_raster_free(&r); /* twice is harmless */
    struct bm_doc_pdf pdf;
    assert_int_equal(bm_doc_render_pdf(doc, &pdf), BM_OK);
    bm_doc_pdf_free(&pdf);
    assert_null(pdf.data);
    assert_int_equal(pdf.len, 0);
    bm_doc_pdf_free(NULL);
    bm_doc_destroy(doc);
}

static void test_receipt_fields(void **state)
{
    (void)state;
    struct bm_receipt_fields f = *bm_doc_receipt_sample(false);
    struct bm_document *doc = NULL;
    assert_int_equal(bm_doc_receipt_build(&f, &doc), BM_OK);
    /* The full name never reaches the document. */
    bool masked = false;
    for (size_t i = 0; i < bm_doc_block_count(doc); i++) {
        const struct bm_doc_block *b = bm_doc_block_at(doc, i);
        assert_null(b->text ? strstr(b->text, "张三明") : NULL);
        assert_null(b->value ? strstr(b->value, "张三明") : NULL);
        masked = masked || (b->value && strcmp(b->value, "张*明") == 0);
    }
    assert_true(masked);
    bm_doc_destroy(doc);
    f.tracking_url = NULL;
    assert_int_equal(bm_doc_receipt_build(&f, &doc), BM_ERR_INVALID_ARG);
    f = *bm_doc_receipt_sample(true);
    f.tracking_id = "编号"; /* not Code 128 */
    assert_int_equal(bm_doc_receipt_build(&f, &doc), BM_ERR_INVALID_ARG);
    assert_int_equal(bm_doc_receipt_build(NULL, &doc), BM_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code128_set_b),  cmocka_unit_test(test_code128_set_c),
        cmocka_unit_test(test_code128_bad),    cmocka_unit_test(test_mask_name),
        cmocka_unit_test(test_bad_blocks),     cmocka_unit_test(test_block_cap),
        cmocka_unit_test(test_render_bad),     cmocka_unit_test(test_free_clears),
        cmocka_unit_test(test_receipt_fields),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bm_doc_render_release();
    return rc;
}
