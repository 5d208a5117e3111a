/*
 * doc_printer.h - the A4 document printer class (a CUPS queue on a real kiosk).
 *
 * A job is a PDF document (rendered above the device layer) and a number of copies. The printer
 * reports paper full/low/out/jammed, toner full/low/out, cover open, and whether it accepts
 * jobs. A job that fails midway completes with the error and is never reported as printed.
 * Main thread.
 */
#ifndef BM_DRIVERS_DOC_PRINTER_H
#define BM_DRIVERS_DOC_PRINTER_H

#include "device.h"

enum bm_paper_size { BM_PAPER_A4, BM_PAPER_A5, BM_PAPER_A3, BM_PAPER_LETTER };

/* Hard cap on one job's PDF. */
#define BM_DOC_MAX_BYTES ((size_t)32 * 1024 * 1024)

struct bm_doc_caps {
    bool duplex;
    bool colour;
    unsigned paper_sizes; /* bit (1u << enum bm_paper_size) per size loaded */
    unsigned max_copies;
    char model[48];
};
enum bm_err bm_doc_printer_get_caps(const struct bm_device *dev, struct bm_doc_caps *out);

struct bm_doc_job {
    const void *pdf; /* the whole PDF file; copied before bm_doc_printer_print returns */
    size_t len;      /* <= BM_DOC_MAX_BYTES */
    unsigned copies; /* 1..caps.max_copies */
    bool duplex;     /* ignored without caps.duplex */
    const char *title; /* for the queue, never personal data; may be NULL */
};

/*
 * Prints a PDF. Not a PDF (no "%PDF-" header): the command completes with BM_ERR_PARSE.
 * On BM_OK, done runs exactly once on the main thread; *id cancels it.
 */
enum bm_err bm_doc_printer_print(struct bm_device *dev, const struct bm_doc_job *job,
                                 bm_device_done_fn done, void *ud, uint64_t *id);

#endif
