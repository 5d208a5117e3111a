/*
 * bench_document.c - what a printed document costs to lay out and render.
 *
 * Times, over RUNS runs each: building and rendering the sample acceptance receipt to a 1-bit
 * raster at 576 dots (80 mm) and 384 dots (58 mm), and building and rendering the sample A4
 * certificate to PDF. The first run of each (fontconfig and the CJK faces loading) is reported
 * apart; the median and best are of the runs after it. Also prints the raster's size in bytes
 * (what the ESC/POS driver sends, before its own framing) and the PDF's. A benchmark prints
 * numbers; it does not pass or fail.
 * Usage: bench_document [RUNS]   (built with the tests; see tests/bench/run.sh)
 */
#include "services/document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One run: build and render; returns ms, or a negative value on failure. */
static double one(unsigned width, size_t *bytes)
{
    double t0 = now_ms();
    struct bm_document *doc = NULL;
    enum bm_err err = width ? bm_doc_receipt_build(bm_doc_receipt_sample(false), &doc)
                            : bm_doc_certificate_sample(&doc);
    if (err == BM_OK && width) {
        struct bm_doc_raster r;
        err = bm_doc_render_raster(doc, width, 0, &r);
        *bytes = r.size;
        bm_doc_raster_free(&r);
    } else if (err == BM_OK) {
        struct bm_doc_pdf pdf;
        err = bm_doc_render_pdf(doc, &pdf);
        *bytes = pdf.len;
        bm_doc_pdf_free(&pdf);
    }
    bm_doc_destroy(doc);
    if (err != BM_OK) {
        fprintf(stderr, "bench_document: %s (%s)\n", bm_err_name(err), bm_err_detail());
        return -1;
    }
    return now_ms() - t0;
}

static int series(const char *label, unsigned width, int runs)
{
    size_t bytes = 0;
    double first = one(width, &bytes);
    if (first < 0)
        return 1;
    double *t = calloc((size_t)runs, sizeof *t);
    if (!t)
        return 1;
    for (int i = 0; i < runs; i++)
        if ((t[i] = one(width, &bytes)) < 0) {
            free(t);
            return 1;
        }
    qsort(t, (size_t)runs, sizeof *t, by_value);
    printf("%s: first %.1f ms, then median %.2f ms, best %.2f ms over %d runs; %zu bytes\n", label,
           first, t[runs / 2], t[0], runs, bytes);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 50;
    if (runs < 1)
        runs = 1;
    int rc = series("receipt 576 dots (80 mm), raster", 576, runs);
    rc |= series("receipt 384 dots (58 mm), raster", 384, runs);
    rc |= series("A4 certificate, PDF", 0, runs > 10 ? runs / 5 : runs);
    bm_doc_render_release();
    return rc;
}
