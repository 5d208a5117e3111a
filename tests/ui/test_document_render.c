/*
 * test_document_render.c - the document renderer with real pango, cairo, fontconfig, ZBar and
 * poppler: the sample receipt at 384 and 576 dots against reference PBMs in golden/, its QR
 * code and barcode decoded by ZBar, the A4 certificate as a PDF whose text pdftotext extracts,
 * a long document over several pages, pango's CJK line breaking, and an image on A4 that
 * poppler (pdftoppm) draws with its pixels.
 *
 * A mismatching raster is written with a diff (black where they differ) to BM_GOLDEN_OUT, and
 * the failure says where. BM_UPDATE_GOLDEN=1 rewrites the references (look at them first:
 * pnmtopng golden/receipt-384.pbm > /tmp/r.png).
 */
#include "services/document.h"
#include "test_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

/* ---- a tiny P4 PBM writer and reader (1 = black, MSB first: the raster's own layout) ---- */

static bool pbm_write(const char *path, const struct bm_raster *r)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    fprintf(f, "P4\n%u %u\n", r->width, r->height);
    size_t row = (r->width + 7) / 8;
    for (unsigned y = 0; y < r->height; y++)
        fwrite(r->bits + (size_t)y * r->stride, 1, row, f);
    return fclose(f) == 0;
}

/* Reads a P4 file into *out (bits malloc'd, stride = (width + 7) / 8); false if unreadable. */
static bool pbm_read(const char *path, struct bm_raster *out, unsigned char **bits)
{
    size_t len;
    char *data = bm_test_read_file(path, &len);
    if (!data)
        return false;
    unsigned w, h;
    int off = 0;
    if (sscanf(data, "P4 %u %u%n", &w, &h, &off) != 2 || off <= 0 || (size_t)off + 1 > len) {
        free(data);
        return false;
    }
    size_t stride = (w + 7) / 8, need = stride * h;
    if (len - (size_t)off - 1 < need) {
        free(data);
        return false;
    }
    *bits = malloc(need ? need : 1);
    memcpy(*bits, data + off + 1, need);
    free(data);
    *out = (struct bm_raster){w, h, (unsigned)stride, *bits};
    return true;
}

static struct bm_doc_raster render_sample(unsigned width, bool english)
{
    struct bm_document *doc = NULL;
    assert_int_equal(bm_doc_receipt_build(bm_doc_receipt_sample(english), &doc), BM_OK);
    struct bm_doc_raster r;
    enum bm_err err = bm_doc_render_raster(doc, width, 0, &r);
    if (err != BM_OK)
        fail_msg("render %u: %s", width, bm_err_detail());
    bm_doc_destroy(doc);
    assert_int_equal(r.raster.width, width);
    return r;
}

static void compare_golden(const struct bm_raster *r, const char *name)
{
    const char *dir = getenv("BM_GOLDEN_DIR"), *outdir = getenv("BM_GOLDEN_OUT");
    assert_non_null(dir);
    char ref[1024], act[1024], diff[1024];
    snprintf(ref, sizeof ref, "%s/%s.pbm", dir, name);
    const char *update = getenv("BM_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        assert_true(pbm_write(ref, r));
        print_message("updated %s\n", ref);
        return;
    }
    struct bm_raster want;
    unsigned char *bits = NULL;
    bool same = pbm_read(ref, &want, &bits) && want.width == r->width && want.height == r->height;
    size_t differ = 0;
    if (same)
        for (unsigned y = 0; y < r->height; y++)
            for (unsigned x = 0; x < r->width; x++)
                differ += bm_raster_get(&want, x, y) != bm_raster_get(r, x, y);
    if (same && differ == 0) {
        free(bits);
        return;
    }
    outdir = outdir ? outdir : bm_test_mkdtemp("golden-out");
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", outdir);
    assert_int_equal(system(cmd), 0);
    snprintf(act, sizeof act, "%s/%s-actual.pbm", outdir, name);
    assert_true(pbm_write(act, r));
    if (same) {
        unsigned char *d = calloc(1, (size_t)r->stride * r->height);
        for (unsigned y = 0; y < r->height; y++)
            for (unsigned x = 0; x < r->width; x++)
                if (bm_raster_get(&want, x, y) != bm_raster_get(r, x, y))
                    d[(size_t)y * r->stride + x / 8] |= (unsigned char)(0x80u >> (x % 8));
        struct bm_raster dr = {r->width, r->height, r->stride, d};
        snprintf(diff, sizeof diff, "%s/%s-diff.pbm", outdir, name);
        assert_true(pbm_write(diff, &dr));
        free(d);
        free(bits);
        fail_msg("%s: %zu dots differ from %s; actual %s, diff %s", name, differ, ref, act, diff);
    }
    free(bits);
    fail_msg("%s: %s missing or of another size (%ux%u now); actual written to %s", name, ref,
             r->width, r->height, act);
}

/* Decodes the raster with ZBar, only the given symbology enabled; the first symbol's data. */
static char *zbar_decode(const struct bm_raster *r, zbar_symbol_type_t type)
{
    unsigned char *y800 = malloc((size_t)r->width * r->height);
    for (unsigned y = 0; y < r->height; y++)
        for (unsigned x = 0; x < r->width; x++)
            y800[(size_t)y * r->width + x] = bm_raster_get(r, x, y) ? 0 : 255;
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, type, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, r->width, r->height);
    zbar_image_set_data(img, y800, (unsigned long)r->width * r->height, zbar_image_free_data);
    char *found = NULL;
    if (zbar_scan_image(sc, img) > 0) {
        const zbar_symbol_t *s = zbar_image_first_symbol(img);
        if (s && zbar_symbol_get_type(s) == type)
            found = strdup(zbar_symbol_get_data(s));
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    return found;
}

static void test_receipt_golden(void **state)
{
    (void)state;
    static const unsigned widths[] = {384, 576};
    for (size_t i = 0; i < 2; i++) {
        struct bm_doc_raster r = render_sample(widths[i], false);
        char name[32];
        snprintf(name, sizeof name, "receipt-%u", widths[i]);
        compare_golden(&r.raster, name);
        bm_doc_raster_free(&r);
    }
    struct bm_doc_raster r = render_sample(576, true);
    compare_golden(&r.raster, "receipt-576-en");
    bm_doc_raster_free(&r);
}

static void test_receipt_codes_decode(void **state)
{
    (void)state;
    const struct bm_receipt_fields *f = bm_doc_receipt_sample(false);
    static const unsigned widths[] = {384, 576};
    for (size_t i = 0; i < 2; i++) {
        struct bm_doc_raster r = render_sample(widths[i], false);
        char *qr = zbar_decode(&r.raster, ZBAR_QRCODE);
        assert_non_null(qr);
        assert_string_equal(qr, f->tracking_url);
        free(qr);
        char *bar = zbar_decode(&r.raster, ZBAR_CODE128);
        assert_non_null(bar);
        assert_string_equal(bar, f->tracking_id);
        free(bar);
        bm_doc_raster_free(&r);
    }
}

/* Code 128 in set B with every kind of character decodes to itself. */
static void test_barcode_decodes(void **state)
{
    (void)state;
    static const char *const texts[] = {"Hello, World! 123", "20261129", "a~b{c}|x_Y^Z@#$%"};
    for (size_t i = 0; i < 3; i++) {
        struct bm_document *doc;
        assert_int_equal(bm_doc_create(&doc), BM_OK);
        assert_int_equal(bm_doc_add_barcode(doc, texts[i], 2, 80), BM_OK);
        struct bm_doc_raster r;
        assert_int_equal(bm_doc_render_raster(doc, 576, 0, &r), BM_OK);
        char *got = zbar_decode(&r.raster, ZBAR_CODE128);
        assert_non_null(got);
        assert_string_equal(got, texts[i]);
        free(got);
        bm_doc_raster_free(&r);
        bm_doc_destroy(doc);
    }
}

/* Writes the PDF and returns pdftotext's text of it (malloc'd). */
static char *pdf_text(const struct bm_doc_pdf *pdf, const char *name, bool raw)
{
    const char *dir = bm_test_mkdtemp("doc-pdf");
    char path[1024], cmd[2200];
    snprintf(path, sizeof path, "%s/%s.pdf", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf->data, 1, pdf->len, f), pdf->len);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "pdftotext %s-enc UTF-8 '%s' '%s.txt'", raw ? "-raw " : "", path,
             path);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s.txt", path);
    size_t len;
    char *text = bm_test_read_file(cmd, &len);
    assert_non_null(text);
    return text;
}

static void test_certificate_pdf(void **state)
{
    (void)state;
    struct bm_document *doc;
    assert_int_equal(bm_doc_certificate_sample(&doc), BM_OK);
    struct bm_doc_pdf pdf;
    assert_int_equal(bm_doc_render_pdf(doc, &pdf), BM_OK);
    bm_doc_destroy(doc);
    assert_true(pdf.len > 100);
    assert_memory_equal(pdf.data, "%PDF-", 5);
    const char *end = (const char *)pdf.data + pdf.len - 7;
    assert_non_null(memmem(end - 4, 11, "%%EOF", 5));
    assert_int_equal(pdf.pages, 1);
    char *text = pdf_text(&pdf, "certificate", true);
    bm_doc_pdf_free(&pdf);
    static const char *const want[] = {"居住证明",
                                       "姓名",
                                       "张*明",
                                       "证明编号",
                                       "BM20261129000123",
                                       "XX市XX区政务服务中心",
                                       "2026年11月29日",
                                       "扫码核验证明真伪"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("'%s' not in the PDF's text:\n%s", want[i], text);
    /* The watermark is drawn rotated: in content order (-raw) it comes out a character a line. */
    char *flat = calloc(1, strlen(text) + 1);
    size_t o = 0;
    for (const char *c = text; *c; c++)
        if (*c != '\n' && *c != ' ' && *c != '\f')
            flat[o++] = *c;
    assert_non_null(strstr(flat, "仅供办理居住证使用"));
    free(flat);
    free(text);
}

static void test_long_document_pages(void **state)
{
    (void)state;
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    assert_int_equal(bm_doc_add_title(doc, "长文档"), BM_OK);
    char line[256];
    for (int i = 0; i < 120; i++) {
        snprintf(line, sizeof line, "第%d段：办理须知，请按顺序准备材料并到窗口递交。", i + 1);
        assert_int_equal(bm_doc_add_paragraph(doc, line), BM_OK);
    }
    assert_int_equal(bm_doc_set_issuer(doc, "XX市XX区政务服务中心", "2026年11月29日"), BM_OK);
    struct bm_doc_pdf pdf;
    assert_int_equal(bm_doc_render_pdf(doc, &pdf), BM_OK);
    bm_doc_destroy(doc);
    assert_true(pdf.pages >= 2);
    char *text = pdf_text(&pdf, "long", false);
    bm_doc_pdf_free(&pdf);
    size_t pages = 1;
    for (const char *c = text; *c; c++)
        pages += *c == '\f' && c[1];
    assert_true(pages >= 2);
    assert_non_null(strstr(text, "第1段"));
    assert_non_null(strstr(text, "第120段"));
    assert_non_null(strstr(text, "XX市XX区政务服务中心"));
    free(text);
}

/* No line starts with closing punctuation: pango's CJK rules, seen through pdftotext. */
static void test_line_breaking(void **state)
{
    (void)state;
    static const char *const closers[] = {"，", "。", "）", "、", "；", "：", "”", "！", "？"};
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    /* Clauses of every length from 1 to 40 characters put each closing mark at every column. */
    char text[BM_DOC_MAX_PARAGRAPH];
    size_t o = 0;
    for (int n = 1; n <= 40 && o < sizeof text - 200; n++) {
        for (int k = 0; k < n; k++)
            o += (size_t)snprintf(text + o, sizeof text - o, "%s", k % 2 ? "务" : "政");
        o += (size_t)snprintf(text + o, sizeof text - o, "%s", closers[n % 9]);
    }
    assert_int_equal(bm_doc_add_paragraph(doc, text), BM_OK);
    struct bm_doc_pdf pdf;
    assert_int_equal(bm_doc_render_pdf(doc, &pdf), BM_OK);
    bm_doc_destroy(doc);
    char *out = pdf_text(&pdf, "breaking", false);
    bm_doc_pdf_free(&pdf);
    size_t lines = 0;
    for (char *l = out; l && *l; lines++) {
        char *nl = strchr(l, '\n');
        for (size_t i = 0; i < 9; i++)
            if (strncmp(l, closers[i], strlen(closers[i])) == 0)
                fail_msg("a line starts with %s:\n%s", closers[i], out);
        l = nl ? nl + 1 : NULL;
    }
    assert_true(lines > 10); /* it did wrap */
    free(out);
}

/*
 * An image on A4 is in the PDF with its pixels: a black square, the only thing on the page,
 * comes out of pdftoppm as about that many dark pixels. (The renderer wipes its copy of the
 * pixels once drawn; cairo must have taken its own by then, or the PDF shows a blank image.)
 */
static void test_image_in_pdf(void **state)
{
    (void)state;
    enum { SIDE = 64, DOTS = 406 };          /* 406 dots at 203 dpi: 2 inches */
    static unsigned char black[SIDE * SIDE]; /* 0: black */
    struct bm_document *doc;
    assert_int_equal(bm_doc_create(&doc), BM_OK);
    assert_int_equal(bm_doc_add_image(doc, black, SIDE, SIDE, SIDE, DOTS), BM_OK);
    struct bm_doc_pdf pdf;
    assert_int_equal(bm_doc_render_pdf(doc, &pdf), BM_OK);
    bm_doc_destroy(doc);

    const char *dir = bm_test_mkdtemp("doc-image");
    char path[1024], cmd[2200];
    snprintf(path, sizeof path, "%s/image.pdf", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf.data, 1, pdf.len, f), pdf.len);
    assert_int_equal(fclose(f), 0);
    bm_doc_pdf_free(&pdf);
    /* 72 dpi grey: the square is 2 x 72 = 144 pixels a side. */
    snprintf(cmd, sizeof cmd, "pdftoppm -r 72 -gray -singlefile '%s' '%s/page'", path, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/page.pgm", dir);
    size_t len;
    char *pgm = bm_test_read_file(path, &len);
    assert_non_null(pgm);
    unsigned w, h, max;
    int off = 0;
    assert_int_equal(sscanf(pgm, "P5 %u %u %u%n", &w, &h, &max, &off), 3);
    assert_int_equal(max, 255);
    assert_true(off > 0 && (size_t)off + 1 + (size_t)w * h <= len);
    const unsigned char *px = (const unsigned char *)pgm + off + 1;
    size_t dark = 0;
    for (size_t i = 0; i < (size_t)w * h; i++)
        dark += px[i] < 128;
    free(pgm);
    const size_t want = 144 * 144;
    if (dark < want * 9 / 10 || dark > want * 11 / 10)
        fail_msg("%zu dark pixels on the page, the image alone is %zu", dark, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receipt_golden),      cmocka_unit_test(test_receipt_codes_decode),
        cmocka_unit_test(test_barcode_decodes),     cmocka_unit_test(test_certificate_pdf),
        cmocka_unit_test(test_long_document_pages), cmocka_unit_test(test_line_breaking),
        cmocka_unit_test(test_image_in_pdf),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bm_doc_render_release();
    return rc;
}
