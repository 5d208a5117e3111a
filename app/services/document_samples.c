/*
 * document_samples.c - the acceptance receipt built from its fields, and the demo's samples.
 *
 * Design: bm_doc_receipt_build turns a struct of fields into blocks, so the flow (and the
 * demo) only fills in data; the applicant's name is masked here (张三明 -> 张*明) and never
 * reaches the document in full. The sample fields and the sample certificate are made up.
 *
 * Threads: any (no state besides constant samples).
 */
#include "document.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

enum bm_err bm_doc_mask_name(const char *name, char *out, size_t cap)
{
    if (!name || !out || cap == 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "mask name: NULL argument");
    out[0] = '\0';
    size_t len = strnlen(name, BM_DOC_MAX_TEXT + 1);
    if (len == 0 || len > BM_DOC_MAX_TEXT || !g_utf8_validate(name, (gssize)len, NULL))
        return bm_err_set(BM_ERR_INVALID_ARG, "mask name: empty, too long or not UTF-8");
    glong chars = g_utf8_strlen(name, (gssize)len);
    size_t o = 0;
    const char *c = name;
    for (glong i = 0; i < chars; i++) {
        const char *next = g_utf8_next_char(c);
        bool keep = i == 0 || (i == chars - 1 && chars > 2);
        size_t n = keep ? (size_t)(next - c) : 1;
        if (o + n + 1 > cap) {
            explicit_bzero(out, o);
            out[0] = '\0';
            return bm_err_set(BM_ERR_NO_MEMORY, "mask name: over %zu bytes", cap);
        }
        memcpy(out + o, keep ? c : "*", n);
        o += n;
        c = next;
    }
    out[o] = '\0';
    return BM_OK;
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((err = (x)) != BM_OK)                                                                  \
            goto fail;                                                                             \
    } while (0)

enum bm_err bm_doc_receipt_build(const struct bm_receipt_fields *f, struct bm_document **out)
{
    if (!f || !out || !f->office || !f->service || !f->tracking_id || !f->time || !f->applicant ||
        !f->tracking_url || !f->hotline || (f->n_materials && !f->materials))
        return bm_err_set(BM_ERR_INVALID_ARG, "receipt: a field is missing");
    bool en = f->english;
    struct bm_document *doc = NULL;
    char masked[256], line[BM_DOC_MAX_TEXT];
    enum bm_err err = bm_doc_create(&doc);
    if (err != BM_OK)
        return err;
    masked[0] = '\0';
    TRY(bm_doc_mask_name(f->applicant, masked, sizeof masked));
    TRY(bm_doc_add_text(doc, f->office, BM_DOC_CENTRE, BM_DOC_LARGE, true));
    TRY(bm_doc_add_title(doc, en ? "Application receipt" : "受理回执"));
    TRY(bm_doc_add_separator(doc, BM_DOC_SOLID));
    TRY(bm_doc_add_row(doc, en ? "Service" : "办理事项", f->service, false));
    TRY(bm_doc_add_row(doc, en ? "Application no." : "受理编号", f->tracking_id, false));
    TRY(bm_doc_add_row(doc, en ? "Time" : "受理时间", f->time, false));
    TRY(bm_doc_add_row(doc, en ? "Applicant" : "申请人", masked, false));
    if (f->n_materials) {
        TRY(bm_doc_add_separator(doc, BM_DOC_DASHED));
        TRY(bm_doc_add_text(doc, en ? "Materials received:" : "已收材料：", BM_DOC_LEFT,
                            BM_DOC_NORMAL, true));
        for (size_t i = 0; i < f->n_materials; i++) {
            if (!f->materials[i]) {
                err = bm_err_set(BM_ERR_INVALID_ARG, "receipt: material %zu is NULL", i);
                goto fail;
            }
            snprintf(line, sizeof line, "%zu. %s", i + 1, f->materials[i]);
            TRY(bm_doc_add_paragraph(doc, line));
        }
    }
    TRY(bm_doc_add_separator(doc, BM_DOC_DASHED));
    TRY(bm_doc_add_qr(doc, f->tracking_url, 6, BM_DOC_ECC_M));
    TRY(bm_doc_add_text(doc, en ? "Scan to follow your application" : "扫码查询办理进度",
                        BM_DOC_CENTRE, BM_DOC_NORMAL, false));
    TRY(bm_doc_add_barcode(doc, f->tracking_id, 2, 64));
    snprintf(line, sizeof line, "%s%s", en ? "Hotline: " : "咨询电话：", f->hotline);
    TRY(bm_doc_add_text(doc, line, BM_DOC_CENTRE, BM_DOC_NORMAL, false));
    TRY(bm_doc_add_space(doc, 48));
    explicit_bzero(masked, sizeof masked);
    *out = doc;
    return BM_OK;
fail:
    explicit_bzero(masked, sizeof masked);
    explicit_bzero(line, sizeof line);
    bm_doc_destroy(doc);
    return err;
}

static const char *const materials_zh[] = {"居民身份证原件及复印件", "户口簿",
                                           "近期免冠一寸照片两张（白底）"};
static const char *const materials_en[] = {"Resident ID card and a copy", "Household register",
                                           "Two recent passport photos (white background)"};

const struct bm_receipt_fields *bm_doc_receipt_sample(bool english)
{
    static const struct bm_receipt_fields zh = {
        .office = "XX便民服务点",
        .service = "居住证办理",
        .tracking_id = "BM20261129000123",
        .time = "2026-11-29 18:30",
        .applicant = "张三明",
        .materials = materials_zh,
        .n_materials = 3,
        .tracking_url = "https://zwfw.example.gov.cn/q/BM20261129000123",
        .hotline = "12345",
    };
    static const struct bm_receipt_fields en = {
        .english = true,
        .office = "XX Community Service Point",
        .service = "Residence permit",
        .tracking_id = "BM20261129000123",
        .time = "2026-11-29 18:30",
        .applicant = "Alice Smith",
        .materials = materials_en,
        .n_materials = 3,
        .tracking_url = "https://zwfw.example.gov.cn/q/BM20261129000123",
        .hotline = "12345",
    };
    return english ? &en : &zh;
}

enum bm_err bm_doc_certificate_sample(struct bm_document **out)
{
    struct bm_document *doc = NULL;
    enum bm_err err = bm_doc_create(&doc);
    if (err != BM_OK)
        return err;
    TRY(bm_doc_add_title(doc, "居住证明"));
    TRY(bm_doc_add_space(doc, 24));
    TRY(bm_doc_add_row(doc, "姓名", "张*明", false));
    TRY(bm_doc_add_row(doc, "证明编号", "BM20261129000123", false));
    TRY(bm_doc_add_row(doc, "居住地址", "XX市XX区XX街道XX社区XX路88号", false));
    TRY(bm_doc_add_separator(doc, BM_DOC_SOLID));
    TRY(bm_doc_add_paragraph(
        doc, "兹证明上述人员自2024年3月起在本辖区居住，情况属实。本证明仅用于办理居住证相关"
             "事项，复印无效。如有疑问，请拨打咨询电话12345或到政务服务中心窗口咨询。"));
    TRY(bm_doc_add_space(doc, 24));
    TRY(bm_doc_add_qr(doc, "https://zwfw.example.gov.cn/v/BM20261129000123", 4, BM_DOC_ECC_M));
    TRY(bm_doc_add_text(doc, "扫码核验证明真伪", BM_DOC_CENTRE, BM_DOC_SMALL, false));
    TRY(bm_doc_set_watermark(doc, "仅供办理居住证使用"));
    TRY(bm_doc_set_issuer(doc, "XX市XX区政务服务中心", "2026年11月29日"));
    *out = doc;
    return BM_OK;
fail:
    bm_doc_destroy(doc);
    return err;
}
