/*
 * cups_state.h - what a CUPS printer's IPP attributes mean for the device model: printer-state,
 * printer-state-reasons and printer-is-accepting-jobs -> device state, paper, toner, cover and
 * the one outstanding fault; an IPP status cupsd refused a request with -> error and fix.
 * Pure (no libcups), so the unit tests cover every reason.
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

/* IPP status codes (RFC 8011 13.1, and CUPS's own) that cupsd refuses a request with. */
enum cups_ipp_status {
    CUPS_IPP_OK_CONFLICTING = 0x0002, /* the last success code */
    CUPS_IPP_BAD_REQUEST = 0x0400,
    CUPS_IPP_FORBIDDEN = 0x0401,
    CUPS_IPP_NOT_AUTHENTICATED = 0x0402,
    CUPS_IPP_NOT_AUTHORIZED = 0x0403,
    CUPS_IPP_NOT_POSSIBLE = 0x0404,
    CUPS_IPP_TIMEOUT = 0x0405,
    CUPS_IPP_NOT_FOUND = 0x0406,
    CUPS_IPP_DOCUMENT_FORMAT_NOT_SUPPORTED = 0x040A,
    CUPS_IPP_DOCUMENT_FORMAT_ERROR = 0x0411,
    CUPS_IPP_INTERNAL = 0x0500,
    CUPS_IPP_SERVICE_UNAVAILABLE = 0x0502,
    CUPS_IPP_TEMPORARY = 0x0505,
    CUPS_IPP_NOT_ACCEPTING = 0x0506,
    CUPS_IPP_BUSY = 0x0507,
    CUPS_IPP_AUTHENTICATION_CANCELED = 0x1000,
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

/* What a refusal means. */
struct cups_refusal {
    enum bm_device_state device; /* the status, when a printer status request was refused */
    enum bm_err err;
    enum bm_fix fix;
    const char *what; /* "queue not accepting jobs": static, for the detail */
};

/*
 * cupsd answered a request with ipp_status (>= 0x0400): not-accepting-jobs -> BM_ERR_STATE,
 * forbidden / not-authenticated / not-authorized -> BM_ERR_CONFIG, not-found (the queue) ->
 * BM_ERR_NO_DEVICE, all three for a technician; busy / not-possible / temporary -> BM_ERR_BUSY,
 * suspend; anything else -> BM_ERR_DEVICE, maintenance. A request that got no answer at all is
 * not a refusal: the caller reports cupsd unreachable instead.
 */
struct cups_refusal cups_state_refusal(int ipp_status);

/* "completed", "aborted", ...: a job-state's name. */
const char *cups_job_state_name(int state);

#endif
