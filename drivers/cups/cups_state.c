/*
 * cups_state.c - IPP printer and job attributes -> the device model (see cups_state.h).
 *
 * A printer-state-reasons keyword may carry a severity suffix (-error, -warning, -report);
 * RFC 8011 says one without a suffix is an error. The suffix decides whether a reason is a
 * fault only for reasons we do not know: paper out is paper out whatever the printer calls its
 * severity, and media-low is never a fault. The mapping follows the simulated printer's (so
 * screens see the same states from both): paper out and toner out leave the device online with
 * an outstanding error (XFS4IoT keeps paper apart from the device state), a jam or an open
 * cover is a user error, a stopped or rejecting queue is offline for a technician, an offline
 * printer recovers by itself (suspend). The worst fault is the one reported, with one exception
 * to the order: a stopped, paused or rejecting queue outranks offline, because the queue stays
 * stopped when the printer comes back, so waiting would never end.
 *
 * cups_state_refusal is the other half: what an IPP status cupsd answered a request with means
 * (a refusal, as against no answer at all, which the driver reports as unreachable).
 *
 * Pure functions on plain data: any thread. No libcups here.
 */
#include "cups_state.h"

#include <stdio.h>
#include <string.h>

enum severity { SEV_ERROR, SEV_WARNING, SEV_REPORT };

/* A reason without its suffix, and the suffix's severity. */
struct reason {
    char key[64];
    enum severity sev;
};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static void split_reason(const char *r, struct reason *out)
{
    size_t len = strlen(r);
    out->sev = SEV_ERROR;
    if (ends_with(r, len, "-error")) {
        len -= 6;
    } else if (ends_with(r, len, "-warning")) {
        len -= 8;
        out->sev = SEV_WARNING;
    } else if (ends_with(r, len, "-report")) {
        len -= 7;
        out->sev = SEV_REPORT;
    }
    if (len >= sizeof out->key)
        len = sizeof out->key - 1;
    memcpy(out->key, r, len);
    out->key[len] = '\0';
}

/* The faults, worst first. */
enum fault {
    F_OFFLINE,
    F_SHUTDOWN,
    F_JAM,
    F_COVER,
    F_PAPER_OUT,
    F_TONER_OUT,
    F_OTHER_ERROR,
    F_STOPPED,
    F_REJECTING,
    F_COUNT
};

struct fault_desc {
    enum bm_device_state device;
    enum bm_err err;
    enum bm_fix fix;
    const char *what;
};

static const struct fault_desc faults[F_COUNT] = {
    [F_OFFLINE] = {BM_DEVICE_OFFLINE, BM_ERR_NO_DEVICE, BM_FIX_SUSPEND, "printer offline"},
    /* BM_ERR_SHUTDOWN is ours (the device closing); a printer that was shut down needs a
     * person to power it up again. */
    [F_SHUTDOWN] = {BM_DEVICE_OFFLINE, BM_ERR_DEVICE, BM_FIX_MAINTENANCE, "printer shut down"},
    [F_JAM] = {BM_DEVICE_USER_ERROR, BM_ERR_MEDIA_JAM, BM_FIX_CLEAR, "paper jammed"},
    [F_COVER] = {BM_DEVICE_USER_ERROR, BM_ERR_STATE, BM_FIX_CLEAR, "cover open"},
    [F_PAPER_OUT] = {BM_DEVICE_ONLINE, BM_ERR_NO_MEDIA, BM_FIX_CLEAR, "paper out"},
    [F_TONER_OUT] = {BM_DEVICE_ONLINE, BM_ERR_NO_MEDIA, BM_FIX_CLEAR, "toner out"},
    [F_OTHER_ERROR] = {BM_DEVICE_HARDWARE_ERROR, BM_ERR_DEVICE, BM_FIX_MAINTENANCE,
                       "printer error"},
    [F_STOPPED] = {BM_DEVICE_OFFLINE, BM_ERR_STATE, BM_FIX_MAINTENANCE, "queue stopped"},
    [F_REJECTING] = {BM_DEVICE_OFFLINE, BM_ERR_STATE, BM_FIX_MAINTENANCE,
                     "queue not accepting jobs"},
};

static bool is(const struct reason *r, const char *a)
{
    return strcmp(r->key, a) == 0;
}

void cups_state_map(const struct cups_printer_info *in, struct cups_status *out)
{
    memset(out, 0, sizeof *out);
    out->device = BM_DEVICE_ONLINE;
    out->paper = BM_PAPER_FULL;
    out->toner = BM_TONER_FULL;
    out->accepting_jobs = in->accepting;

    bool found[F_COUNT] = {false};
    const char *raw[F_COUNT] = {NULL}; /* the reason behind each fault, for the detail */
    for (size_t i = 0; i < in->n_reasons && i < CUPS_STATE_MAX_REASONS; i++) {
        if (!in->reasons[i])
            continue;
        struct reason r;
        split_reason(in->reasons[i], &r);
        enum fault f = F_COUNT;
        if (is(&r, "none")) {
            continue;
        } else if (is(&r, "media-empty") || is(&r, "media-needed")) {
            out->paper = out->paper == BM_PAPER_JAMMED ? BM_PAPER_JAMMED : BM_PAPER_OUT;
            f = F_PAPER_OUT;
        } else if (is(&r, "media-low")) {
            if (out->paper == BM_PAPER_FULL)
                out->paper = BM_PAPER_LOW;
        } else if (is(&r, "media-jam")) {
            out->paper = BM_PAPER_JAMMED;
            f = F_JAM;
        } else if (is(&r, "toner-low") || is(&r, "marker-supply-low")) {
            if (out->toner == BM_TONER_FULL)
                out->toner = BM_TONER_LOW;
        } else if (is(&r, "toner-empty") || is(&r, "marker-supply-empty")) {
            out->toner = BM_TONER_OUT;
            f = F_TONER_OUT;
        } else if (is(&r, "cover-open") || is(&r, "door-open") || is(&r, "interlock-open")) {
            out->cover_open = true;
            f = F_COVER;
        } else if (is(&r, "offline") || is(&r, "timed-out")) {
            f = F_OFFLINE;
        } else if (is(&r, "shutdown")) {
            f = F_SHUTDOWN;
        } else if (is(&r, "paused") || is(&r, "stopped") || is(&r, "moving-to-paused")) {
            f = F_STOPPED;
        } else if (ends_with(in->reasons[i], strlen(in->reasons[i]), "-error")) {
            f = F_OTHER_ERROR; /* an explicit -error we do not know (fuser-over-temp-error) */
        }
        if (f != F_COUNT && !found[f]) {
            found[f] = true;
            raw[f] = in->reasons[i];
        }
    }
    if (in->state == CUPS_PRINTER_STOPPED && !found[F_STOPPED]) {
        found[F_STOPPED] = true;
        raw[F_STOPPED] = "printer-state stopped";
    }
    if (!in->accepting)
        found[F_REJECTING] = true;
    /* A stopped or rejecting queue stays so when the printer comes back: not a wait. */
    if (found[F_STOPPED] || found[F_REJECTING])
        found[F_OFFLINE] = false;

    for (int f = 0; f < F_COUNT; f++) {
        if (!found[f])
            continue;
        out->device = faults[f].device;
        out->error = faults[f].err;
        out->fix = faults[f].fix;
        if (raw[f])
            snprintf(out->detail, sizeof out->detail, "%s (%s)", faults[f].what, raw[f]);
        else
            snprintf(out->detail, sizeof out->detail, "%s", faults[f].what);
        return;
    }
}

struct cups_refusal cups_state_refusal(int ipp_status)
{
    switch (ipp_status) {
    case CUPS_IPP_NOT_ACCEPTING:
        return (struct cups_refusal){BM_DEVICE_OFFLINE, BM_ERR_STATE, BM_FIX_MAINTENANCE,
                                     "queue not accepting jobs"};
    case CUPS_IPP_FORBIDDEN:
    case CUPS_IPP_NOT_AUTHENTICATED:
    case CUPS_IPP_NOT_AUTHORIZED:
    case CUPS_IPP_AUTHENTICATION_CANCELED:
        return (struct cups_refusal){BM_DEVICE_OFFLINE, BM_ERR_CONFIG, BM_FIX_MAINTENANCE,
                                     "not allowed (cupsd policy or queue users)"};
    case CUPS_IPP_NOT_FOUND:
        return (struct cups_refusal){BM_DEVICE_NO_DEVICE, BM_ERR_NO_DEVICE, BM_FIX_MAINTENANCE,
                                     "queue not found"};
    case CUPS_IPP_NOT_POSSIBLE:
    case CUPS_IPP_TIMEOUT:
    case CUPS_IPP_SERVICE_UNAVAILABLE:
    case CUPS_IPP_TEMPORARY:
    case CUPS_IPP_BUSY:
        return (struct cups_refusal){BM_DEVICE_BUSY, BM_ERR_BUSY, BM_FIX_SUSPEND, "busy"};
    case CUPS_IPP_DOCUMENT_FORMAT_NOT_SUPPORTED: /* we only send PDF: the queue is wrong */
        return (struct cups_refusal){BM_DEVICE_HARDWARE_ERROR, BM_ERR_CONFIG, BM_FIX_MAINTENANCE,
                                     "queue does not take PDF"};
    case CUPS_IPP_DOCUMENT_FORMAT_ERROR:
        return (struct cups_refusal){BM_DEVICE_ONLINE, BM_ERR_PARSE, BM_FIX_NONE,
                                     "document unprintable"};
    default: /* bad-request, internal-error, operation-not-supported, device-error, ... */
        return (struct cups_refusal){BM_DEVICE_HARDWARE_ERROR, BM_ERR_DEVICE, BM_FIX_MAINTENANCE,
                                     "request refused"};
    }
}

const char *cups_job_state_name(int state)
{
    switch (state) {
    case CUPS_JOB_PENDING:
        return "pending";
    case CUPS_JOB_HELD:
        return "held";
    case CUPS_JOB_PROCESSING:
        return "processing";
    case CUPS_JOB_STOPPED:
        return "stopped";
    case CUPS_JOB_CANCELED:
        return "canceled";
    case CUPS_JOB_ABORTED:
        return "aborted";
    case CUPS_JOB_COMPLETED:
        return "completed";
    default:
        return "unknown";
    }
}

static bool has_reason(const char *const *reasons, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++)
        if (reasons[i] && strncmp(reasons[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

void cups_state_job_failure(int job_state, const char *const *job_reasons, size_t n_job,
                            const struct cups_printer_info *printer, enum bm_err *err,
                            enum bm_fix *fix, char *detail, size_t size)
{
    const char *state = cups_job_state_name(job_state);
    /* The printer's fault explains a stuck or aborted job best: paper out, jam, stopped. */
    if (printer) {
        struct cups_status st;
        cups_state_map(printer, &st);
        if (st.error != BM_OK) {
            *err = st.error;
            *fix = st.fix;
            snprintf(detail, size, "job %s: %s", state, st.detail);
            return;
        }
    }
    const char *first = n_job > 0 && job_reasons[0] ? job_reasons[0] : "no reason given";
    if (has_reason(job_reasons, n_job, "job-canceled")) {
        *err = BM_ERR_CANCELLED;
        *fix = BM_FIX_NONE;
    } else if (has_reason(job_reasons, n_job, "document-format") ||
               has_reason(job_reasons, n_job, "unsupported-document-format") ||
               has_reason(job_reasons, n_job, "document-unprintable")) {
        *err = BM_ERR_PARSE;
        *fix = BM_FIX_NONE;
    } else if (has_reason(job_reasons, n_job, "printer-stopped")) {
        *err = BM_ERR_STATE;
        *fix = BM_FIX_MAINTENANCE;
    } else {
        *err = BM_ERR_DEVICE;
        *fix = BM_FIX_MAINTENANCE;
    }
    for (size_t i = 0; i < n_job; i++) /* the most telling reason, not the generic one */
        if (job_reasons[i] && strcmp(job_reasons[i], "none") != 0 &&
            strcmp(job_reasons[i], "job-printing") != 0) {
            first = job_reasons[i];
            break;
        }
    snprintf(detail, size, "job %s: %s", state, first);
}
