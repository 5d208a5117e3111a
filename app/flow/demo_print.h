/*
 * demo_print.h - the demo's `receipt` and `certificate` commands: the real document renderer
 * feeding whichever receipt and A4 printers are configured (the sim writes PNG and PDF).
 * Main thread.
 */
#ifndef BM_FLOW_DEMO_PRINT_H
#define BM_FLOW_DEMO_PRINT_H

#include "core/err.h"

#include <stdbool.h>

struct bm_flow;
struct bm_demo_print;

enum bm_err bm_demo_print_create(struct bm_flow *flow, struct bm_demo_print **out);
/* Stops the render worker (a queued job completes as shut down). NULL is ignored. */
void bm_demo_print_destroy(struct bm_demo_print *p);
/* Renders the sample receipt for the receipt printer's width and prints it. */
enum bm_err bm_demo_print_receipt(struct bm_demo_print *p, bool english);
/* Renders the sample certificate to PDF and prints it on the A4 printer. */
enum bm_err bm_demo_print_certificate(struct bm_demo_print *p);

#endif
