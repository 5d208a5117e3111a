/*
 * escpos_model.h - an emulated ESC/POS thermal receipt printer for the driver tests, written
 * from the spec with its own parser (it shares nothing with drivers/escpos: it is the oracle).
 * It decodes the host's byte stream back into a bitmap (GS v 0 rows, ESC J / ESC d feeds as
 * blank paper), keeps paper / cover / cutter state, counts commands, and answers DLE EOT 1..4
 * and GS r 1 with one byte each.
 *
 * It buffers like a real printer: DLE EOT is real-time (answered as it arrives, with the state
 * of what has been printed so far); every other command joins a print buffer executed in
 * order, at a print rate (rows or feed dots per second; 0, the default: at once), so GS r 1 is
 * answered only once the data before it has printed. In hold_until_cut mode no paper moves
 * (raster, feed) until a cut is buffered, as printers that wait for a whole receipt do. While
 * offline (paper out, cover open, cutter error, unrecoverable) it executes nothing and keeps
 * what it was sent.
 *
 * Faults to inject: paper near end, paper out after N more raster rows (the rest of the job is
 * not printed and the printer goes offline), cover open, cutter error (at the next cut),
 * unrecoverable error, silence (no replies at all), and an unplug request after N rows that
 * the test thread carries out (the model runs on the USB worker and cannot unplug itself).
 *
 * Threads: host_* from the USB worker, the rest from the test thread; one mutex inside.
 */
#ifndef BM_TEST_ESCPOS_MODEL_H
#define BM_TEST_ESCPOS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct escpos_model;

struct escpos_model_counts {
    unsigned inits, bands, cuts, feeds, status_requests, gs_r_requests, unknown;
    unsigned soft_resets; /* USB SOFT_RESET requests: each drops what was not printed */
    unsigned rows;        /* raster rows printed (on paper) */
    unsigned dropped;     /* raster rows that found no paper (0 now that offline keeps data) */
    unsigned width;       /* dots per row of the last band */
    uint64_t bytes;       /* host bytes received */
};

struct escpos_model *escpos_model_new(void);
void escpos_model_free(struct escpos_model *m);

/* ---- the host side (USB worker) ---- */
void escpos_model_host_write(struct escpos_model *m, const uint8_t *data, size_t n);
size_t escpos_model_host_read(struct escpos_model *m, uint8_t *buf, size_t cap);
/* GET_PORT_STATUS byte: 0x08 not error, 0x10 selected, 0x20 paper empty. */
uint8_t escpos_model_port_status(struct escpos_model *m);
/* The USB class request SOFT_RESET: flushes the buffers, so what was not printed never is. */
void escpos_model_soft_reset(struct escpos_model *m);

/* ---- buffering (test thread) ---- */
/* Rows (and feed dots) printed per second; 0: as soon as they arrive. */
void escpos_model_set_print_rate(struct escpos_model *m, unsigned rows_per_s);
void escpos_model_set_hold_until_cut(struct escpos_model *m, bool on);
/* GS r 1 is not understood: executed in order but never answered. */
void escpos_model_set_no_gs_r(struct escpos_model *m, bool on);
/* Bytes of commands buffered and not yet executed. */
size_t escpos_model_buffered(struct escpos_model *m);

/* ---- faults (test thread) ---- */
void escpos_model_set_near_end(struct escpos_model *m, bool on);
/* Paper runs out after `rows` more raster rows (0: out now). Loading paper: set_paper_out(false).
 */
void escpos_model_paper_out_after(struct escpos_model *m, unsigned rows);
void escpos_model_set_paper_out(struct escpos_model *m, bool out);
void escpos_model_set_cover_open(struct escpos_model *m, bool open);
/* The next cut fails and leaves the cutter in error until cleared (false). */
void escpos_model_set_cutter_error(struct escpos_model *m, bool on);
void escpos_model_set_unrecoverable(struct escpos_model *m, bool on);
void escpos_model_set_silent(struct escpos_model *m, bool on);
/* Asks the test thread to unplug once `rows` rows printed; escpos_model_wants_unplug says when. */
void escpos_model_unplug_after(struct escpos_model *m, unsigned rows);
bool escpos_model_wants_unplug(struct escpos_model *m);

/* ---- what came out (test thread) ---- */
void escpos_model_counts(struct escpos_model *m, struct escpos_model_counts *out);
/* The printed paper since the last clear: raster rows only (feeds counted apart), width
 * dots; returns a malloc'd P4-layout bitmap (stride (width+7)/8) or NULL if nothing printed. */
uint8_t *escpos_model_take_bitmap(struct escpos_model *m, unsigned *width, unsigned *height);
unsigned escpos_model_feed_dots(struct escpos_model *m);
void escpos_model_clear(struct escpos_model *m);

#endif
