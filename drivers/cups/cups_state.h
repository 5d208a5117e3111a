/*
 * cups_state.h - what a CUPS printer's IPP attributes mean for the device model: printer-state,
 * printer-state-reasons and printer-is-accepting-jobs -> device state, paper, toner, cover and
 * the one outstanding fault. Pure (no libcups), so the unit tests cover every reason.
 */
#ifndef BM_DRIVERS_CUPS_STATE_H
#define BM_DRIVERS_CUPS_STATE_H

#include "drivers/device.h"

#include <stdbool.h>
#include <stddef.h>

/* IPP printer-state values (RFC 8011 5.4.11). */
enum cups_printer_state {
    CUPS_PRINTER_IDLE = 3,
    CUPS_PRINTER_PROCESSING = 4,
    CUPS_PRINTER_STOPPED = 5,
};

/* IPP job-state values (RFC 8011 5.3.7). */
enum cups_job_state {
    CUPS_JOB_PENDING = 3,
    CUPS_JOB_HELD = 4,
    CUPS_JOB_PROCESSING = 5,
    CUPS_JOB_STOPPED = 6,
    CUPS_JOB_CANCELED = 7,
    CUPS_JOB_ABORTED = 8,
    CUPS_JOB_COMPLETED = 9,
};

#define CUPS_STATE_MAX_REASONS 32

/* What Get-Printer-Attributes said. */
struct cups_printer_info {
    int state;      /* enum cups_printer_state */
    bool accepting; /* printer-is-accepting-jobs */
    const char *reasons[CUPS_STATE_MAX_REASONS];
    size_t n_reasons;
};

/* The device model's view of it. */
struct cups_status {
    enum bm_device_state device;
    enum bm_paper paper;
    enum bm_toner toner;
    bool cover_open;
    bool accepting_jobs;
    enum bm_err error; /* BM_OK: nothing outstanding */
    enum bm_fix fix;
    char detail[96]; /* the fault, for the technician log */
};

/* Maps the printer's attributes; the worst fault wins (fixing it reveals the next). */
void cups_state_map(const struct cups_printer_info *in, struct cups_status *out);

/*
 * Why a job did not complete, from its job-state-reasons and the printer's reasons (either may
 * be empty): the error, the fix and a detail line. job_state is the job's final IPP state.
 */
void cups_state_job_failure(int job_state, const char *const *job_reasons, size_t n_job,
                            const struct cups_printer_info *printer, enum bm_err *err,
                            enum bm_fix *fix, char *detail, size_t size);

/* "completed", "aborted", ...: a job-state's name. */
const char *cups_job_state_name(int state);

#endif
