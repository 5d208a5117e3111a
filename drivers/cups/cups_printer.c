/*
 * cups_printer.c - the A4 document printer on a CUPS queue ("cups"), through libcups.
 *
 * The driver owns one http_t to the configured server ([doc_printer] server: a host[:port] or
 * a domain socket path; empty: libcups's default, i.e. CUPS_SERVER or client.conf), opened with
 * httpConnect2 and a timeout, so a hung cupsd costs at most connect_timeout_ms per request.
 * Nothing here uses libcups's per-thread default connection (CUPS_HTTP_DEFAULT).
 *
 * Status: cupsd does not poll an idle printer, so the tick asks Get-Printer-Attributes every
 * status_poll_ms (and before and after each job): printer-state, printer-state-reasons and
 * printer-is-accepting-jobs go through cups_state.c to the device model. Each fault is reported
 * once (an error event when it appears or changes); a recovery clears it. cupsd unreachable (no
 * connection, or one lost midway): offline (suspend: it comes back). cupsd refusing a request
 * (answering with an IPP error status) is not that: cups_state_refusal says what each refusal
 * means (the queue missing: no_device, maintenance; forbidden: a config error; busy: suspend).
 * The caps (model, duplex, colour, max copies) come from the same answer.
 *
 * Print: Create-Job, Send-Document (application/pdf) written in chunks with progress events,
 * then the job is followed with Get-Job-Attributes until its job-state is completed, aborted or
 * canceled; nothing else counts as printed. While it runs, the printer's faults are reported as
 * they appear; one a technician must fix (a stopped or rejecting queue) cancels the job at once,
 * one staff can fix (paper out) or that passes (offline) is waited out until job_timeout_ms, at
 * which the job is cancelled and the command fails with BM_ERR_TIMEOUT and the fault's fix.
 * Cancelling the command cancels the CUPS job. A job that vanishes from cupsd (purged) has an
 * unknown outcome: BM_ERR_DEVICE, maintenance.
 *
 * A cancel that cannot reach cupsd is not forgotten: cupsd keeps unfinished jobs across a
 * restart, so the job could print hours later with nobody at the kiosk. Its id is kept (up to
 * MAX_PENDING_CANCELS) and the cancel is sent again whenever cupsd answers a status poll.
 *
 * Threads: everything here runs on the device's worker thread.
 */
#include "cups.h"
#include "cups_state.h"

#include "core/log.h"

#include <cups/cups.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK               (64 * 1024) /* bytes per cupsWriteRequestData */
#define JOB_POLL_MS         200         /* Get-Job-Attributes while a job runs */
#define PROGRESS_MS         200         /* at most this often a progress event */
#define MAX_STR_ATTRS       CUPS_STATE_MAX_REASONS
#define MAX_PENDING_CANCELS 32

struct cups_printer {
    http_t *http; /* NULL while disconnected */
    char server[1024];
    int port;
    char queue[128];
    char uri[HTTP_MAX_URI]; /* ipp://localhost/printers/<queue> */
    unsigned job_timeout_ms, poll_ms, connect_timeout_ms;
    struct bm_doc_caps caps;
    /* How the last failed request failed: refused (cupsd answered fail_status) or not. */
    bool refused;
    int fail_status;
    struct cups_refusal fail;
    /* Jobs whose cancel could not reach cupsd, oldest first: cancelled when it answers. */
    int pending_cancel[MAX_PENDING_CANCELS];
    size_t n_pending;
};

/* cupsd did not answer: its state, for a printer status. */
static const struct cups_refusal unreachable_server = {BM_DEVICE_OFFLINE, BM_ERR_NO_DEVICE,
                                                       BM_FIX_SUSPEND, "print server unreachable"};

/* ---- the connection ---- */

static void disconnect(struct cups_printer *p)
{
    if (p->http)
        httpClose(p->http);
    p->http = NULL;
}

static enum bm_err connect_server(struct cups_printer *p)
{
    if (p->http)
        return BM_OK;
    p->http = httpConnect2(p->server, p->port, NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1,
                           (int)p->connect_timeout_ms, NULL);
    if (!p->http) {
        p->refused = false;
        p->fail = unreachable_server;
        return bm_err_set(BM_ERR_NO_DEVICE, "print server %s unreachable: %s", p->server,
                          cupsLastErrorString());
    }
    httpSetTimeout(p->http, p->connect_timeout_ms / 1000.0, NULL, NULL);
    return BM_OK;
}

/*
 * A request failed: refused, or cupsd not reached. answered: an IPP response came back. Without
 * one, libcups reports a connection it could not make, or lost, as internal-error or
 * service-unavailable (from HTTP_STATUS_ERROR or a failed reconnect); any other status it sets
 * comes from an HTTP error cupsd answered with (404, 403, 401...), a refusal. A lost connection
 * is dropped (the next request reconnects). Records the failure in p->refused, p->fail.
 */
static enum bm_err request_failed(struct cups_printer *p, const char *what, bool answered)
{
    ipp_status_t st = cupsLastError();
    if (!answered && (st <= IPP_STATUS_OK_CONFLICTING || st == IPP_STATUS_ERROR_INTERNAL ||
                      st == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE)) {
        disconnect(p);
        p->refused = false;
        p->fail = unreachable_server;
        return bm_err_set(BM_ERR_NO_DEVICE, "%s: print server %s unreachable: %s", what, p->server,
                          cupsLastErrorString());
    }
    p->refused = true;
    p->fail_status = (int)st;
    p->fail = cups_state_refusal((int)st);
    return bm_err_set(p->fail.err, "%s refused: %s (%s: %s)", what, p->fail.what,
                      ippErrorString(st), cupsLastErrorString());
}

/* ---- printer status ---- */

struct printer_answer {
    ipp_t *resp; /* owns the strings info points into */
    struct cups_printer_info info;
};

static void answer_free(struct printer_answer *a)
{
    ippDelete(a->resp);
    a->resp = NULL;
}

static enum bm_err get_printer(struct cups_printer *p, struct printer_answer *a)
{
    static const char *const attrs[] = {
        "printer-state",          "printer-state-reasons", "printer-is-accepting-jobs",
        "printer-make-and-model", "sides-supported",       "color-supported",
        "copies-supported",
    };
    memset(a, 0, sizeof *a);
    enum bm_err err = connect_server(p);
    if (err != BM_OK)
        return err;
    ipp_t *req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  (int)(sizeof attrs / sizeof attrs[0]), NULL, attrs);
    a->resp = cupsDoRequest(p->http, req, "/");
    if (!a->resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
        bool answered = a->resp != NULL;
        answer_free(a);
        return request_failed(p, "Get-Printer-Attributes", answered);
    }
    ipp_attribute_t *at = ippFindAttribute(a->resp, "printer-state", IPP_TAG_ENUM);
    a->info.state = at ? ippGetInteger(at, 0) : CUPS_PRINTER_IDLE;
    at = ippFindAttribute(a->resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
    a->info.accepting = at ? ippGetBoolean(at, 0) : true;
    at = ippFindAttribute(a->resp, "printer-state-reasons", IPP_TAG_KEYWORD);
    for (int i = 0; at && i < ippGetCount(at) && a->info.n_reasons < MAX_STR_ATTRS; i++)
        a->info.reasons[a->info.n_reasons++] = ippGetString(at, i, NULL);
    return BM_OK;
}

static void update_caps(struct bm_device *dev, struct cups_printer *p, ipp_t *resp)
{
    struct bm_doc_caps c = {.paper_sizes = 1u << BM_PAPER_A4, .max_copies = 1};
    ipp_attribute_t *at = ippFindAttribute(resp, "printer-make-and-model", IPP_TAG_TEXT);
    snprintf(c.model, sizeof c.model, "%s", at ? ippGetString(at, 0, NULL) : "CUPS printer");
    at = ippFindAttribute(resp, "sides-supported", IPP_TAG_KEYWORD);
    for (int i = 0; at && i < ippGetCount(at); i++)
        if (strncmp(ippGetString(at, i, NULL), "two-sided", 9) == 0)
            c.duplex = true;
    at = ippFindAttribute(resp, "color-supported", IPP_TAG_BOOLEAN);
    c.colour = at && ippGetBoolean(at, 0);
    at = ippFindAttribute(resp, "copies-supported", IPP_TAG_RANGE);
    if (at) {
        int upper = 1;
        ippGetRange(at, 0, &upper);
        c.max_copies = upper > 0 ? (unsigned)upper : 1;
    }
    if (memcmp(&c, &p->caps, sizeof c) != 0) {
        p->caps = c;
        bm_device_set_caps(dev, &c, sizeof c);
    }
}

/* The status in one update; a new fault (state, error or fix changed) raises its event once. */
static void apply(struct bm_device *dev, const struct cups_status *s)
{
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_DOC_PRINTER, &st);
    bool again = st.device == s->device && st.error == s->error && st.fix == s->fix;
    st.device = s->device;
    st.error = s->error;
    st.fix = s->fix;
    snprintf(st.detail, sizeof st.detail, "%s", s->detail);
    st.doc.paper = s->paper;
    st.doc.toner = s->toner;
    st.doc.cover_open = s->cover_open;
    st.doc.accepting_jobs = s->accepting_jobs;
    bm_device_set_status(dev, &st);
    if (s->error != BM_OK && !again) {
        bm_log_warn("doc_printer", "%s: %s", bm_fix_name(s->fix), s->detail);
        bm_device_report_error(dev, s->device, s->error, s->fix, "%s", s->detail);
    }
}

/* The printer's status could not be had (cupsd unreachable, or it refused to say): the status
 * says how, with the failure's detail. */
static void status_failed(struct bm_device *dev, const struct cups_refusal *f, const char *detail)
{
    struct cups_status s = {.paper = BM_PAPER_UNKNOWN, .toner = BM_TONER_UNKNOWN};
    s.device = f->device;
    s.error = f->err;
    s.fix = f->fix;
    snprintf(s.detail, sizeof s.detail, "%.*s", (int)sizeof s.detail - 1, detail);
    apply(dev, &s);
}

static void retry_cancels(struct cups_printer *p);

/* Asks the printer and publishes the answer. Returns the mapped status in *out if given. */
static enum bm_err poll_printer(struct bm_device *dev, struct cups_printer *p,
                                struct cups_status *out, struct printer_answer *keep)
{
    struct printer_answer a;
    enum bm_err err = get_printer(p, &a);
    if (err != BM_OK) {
        status_failed(dev, &p->fail, bm_err_detail());
        return err;
    }
    retry_cancels(p); /* cupsd answers: the cancels it missed */
    struct cups_status s;
    cups_state_map(&a.info, &s);
    update_caps(dev, p, a.resp);
    apply(dev, &s);
    if (out)
        *out = s;
    if (keep)
        *keep = a;
    else
        answer_free(&a);
    return BM_OK;
}

static void cups_tick(struct bm_device *dev)
{
    poll_printer(dev, bm_device_priv(dev), NULL, NULL);
}

/* ---- printing ---- */

/* job-state and job-state-reasons of one job. */
static enum bm_err get_job(struct cups_printer *p, int job_id, int *state, char reasons[][64],
                           size_t *n)
{
    static const char *const attrs[] = {"job-state", "job-state-reasons"};
    *n = 0;
    enum bm_err err = connect_server(p);
    if (err != BM_OK)
        return err;
    ipp_t *req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
    ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 2, NULL, attrs);
    ipp_t *resp = cupsDoRequest(p->http, req, "/");
    if (!resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
        bool answered = resp != NULL;
        ippDelete(resp);
        return request_failed(p, "Get-Job-Attributes", answered);
    }
    ipp_attribute_t *at = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM);
    *state = at ? ippGetInteger(at, 0) : CUPS_JOB_PENDING;
    at = ippFindAttribute(resp, "job-state-reasons", IPP_TAG_KEYWORD);
    for (int i = 0; at && i < ippGetCount(at) && *n < 8; i++)
        snprintf(reasons[(*n)++], 64, "%s", ippGetString(at, i, NULL));
    ippDelete(resp);
    return BM_OK;
}

/*
 * Sends Cancel-Job. True when that is settled: cancelled, or refused for good (not-possible:
 * the job already ended; not-found: it is gone). False when it must be sent again: cupsd not
 * reached, or busy. Leaves bm_err_detail as it was.
 */
static bool try_cancel(struct cups_printer *p, int job_id)
{
    char saved[512];
    snprintf(saved, sizeof saved, "%s", bm_err_detail());
    bool settled = true;
    if (connect_server(p) != BM_OK) {
        settled = false;
    } else if (cupsCancelJob2(p->http, p->queue, job_id, 0) > IPP_STATUS_OK_CONFLICTING) {
        request_failed(p, "Cancel-Job", false);
        if (!p->refused) {
            settled = false;
        } else if (p->fail_status != IPP_STATUS_ERROR_NOT_POSSIBLE &&
                   p->fail_status != IPP_STATUS_ERROR_NOT_FOUND) { /* not: ended, gone */
            settled = p->fail.fix != BM_FIX_SUSPEND;               /* busy: again later */
            bm_log_warn("doc_printer", "cancel job %d: %s", job_id, bm_err_detail());
        }
    }
    bm_err_set(BM_ERR_INTERNAL, "%s", saved); /* a copy: never formatted from itself */
    return settled;
}

/* Cancels the job; if cupsd cannot take the cancel now, keeps the id for retry_cancels. */
static void cancel_job(struct cups_printer *p, int job_id)
{
    if (try_cancel(p, job_id))
        return;
    for (size_t i = 0; i < p->n_pending; i++)
        if (p->pending_cancel[i] == job_id)
            return;
    if (p->n_pending == MAX_PENDING_CANCELS) { /* the hard cap: forget the oldest, loudly */
        bm_log_error("doc_printer", "job %d may still print: too many cancels pending",
                     p->pending_cancel[0]);
        memmove(p->pending_cancel, p->pending_cancel + 1,
                (MAX_PENDING_CANCELS - 1) * sizeof p->pending_cancel[0]);
        p->n_pending--;
    }
    p->pending_cancel[p->n_pending++] = job_id;
    bm_log_warn("doc_printer", "job %d: cancel not delivered; sent again when cupsd answers",
                job_id);
}

/* Sends the cancels cupsd missed (it answered a poll just now). */
static void retry_cancels(struct cups_printer *p)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->n_pending; i++) {
        int id = p->pending_cancel[i];
        if (try_cancel(p, id))
            bm_log_info("doc_printer", "job %d: cancel delivered late", id);
        else
            p->pending_cancel[kept++] = id;
    }
    p->n_pending = kept;
}

/* Create-Job and Send-Document with the PDF, in chunks. Returns the job id in *job_id. */
static enum bm_err send_job(struct bm_device *dev, struct cups_printer *p, struct bm_cmd *cmd,
                            const struct bm_doc_job *job, int *job_id)
{
    cups_option_t *opts = NULL;
    int n = 0;
    char copies[16];
    snprintf(copies, sizeof copies, "%u", job->copies);
    n = cupsAddOption("copies", copies, n, &opts);
    n = cupsAddOption("sides", job->duplex && p->caps.duplex ? "two-sided-long-edge" : "one-sided",
                      n, &opts);
    const char *title = job->title ? job->title : "document";
    enum bm_err err = connect_server(p);
    if (err != BM_OK) {
        cupsFreeOptions(n, opts);
        return err;
    }
    *job_id = cupsCreateJob(p->http, p->queue, title, n, opts);
    cupsFreeOptions(n, opts);
    if (*job_id == 0)
        return request_failed(p, "Create-Job", false);
    /* Send-Document failing midway leaves the connection in no known state: dropped. */
    if (cupsStartDocument(p->http, p->queue, *job_id, title, CUPS_FORMAT_PDF, 1) !=
        HTTP_STATUS_CONTINUE) {
        err = request_failed(p, "Send-Document", false);
        disconnect(p);
        return err;
    }
    const struct bm_clock *clock = bm_device_clock(dev);
    uint64_t last = 0;
    const unsigned char *pdf = job->pdf;
    bm_device_progress(dev, cmd, 0, job->len);
    for (size_t off = 0; off < job->len;) {
        size_t len = job->len - off < CHUNK ? job->len - off : CHUNK;
        if (cupsWriteRequestData(p->http, (const char *)pdf + off, len) != HTTP_STATUS_CONTINUE) {
            err = request_failed(p, "Send-Document data", false);
            disconnect(p);
            return err;
        }
        off += len;
        uint64_t now = bm_clock_ms(clock);
        if (off == job->len || now - last >= PROGRESS_MS) {
            bm_device_progress(dev, cmd, off, job->len);
            last = now;
        }
    }
    if (cupsFinishDocument(p->http, p->queue) > IPP_STATUS_OK_CONFLICTING) {
        err = request_failed(p, "Send-Document finish", false);
        disconnect(p);
        return err;
    }
    return BM_OK;
}

/* Why the job failed, from its reasons and the printer's. */
static enum bm_err job_failed(struct bm_device *dev, struct cups_printer *p, struct bm_cmd *cmd,
                              int state, char reasons[][64], size_t n)
{
    const char *rs[8];
    for (size_t i = 0; i < n; i++)
        rs[i] = reasons[i];
    struct printer_answer a;
    bool have = poll_printer(dev, p, NULL, &a) == BM_OK;
    enum bm_err err;
    char detail[96];
    cups_state_job_failure(state, rs, n, have ? &a.info : NULL, &err, &cmd->fix, detail,
                           sizeof detail);
    if (have)
        answer_free(&a);
    return bm_err_set(err, "%s", detail);
}

/* Follows the job until it ends, the timeout, a fault only a technician fixes, or cancel. */
static enum bm_err follow_job(struct bm_device *dev, struct cups_printer *p, struct bm_cmd *cmd,
                              int job_id)
{
    const struct bm_clock *clock = bm_device_clock(dev);
    uint64_t start = bm_clock_ms(clock), last_poll = 0;
    struct cups_status s = {.error = BM_OK};
    for (;;) {
        int state = CUPS_JOB_PENDING;
        char reasons[8][64];
        size_t n = 0;
        enum bm_err err = get_job(p, job_id, &state, reasons, &n);
        if (err != BM_OK && (!p->refused || p->fail.fix == BM_FIX_SUSPEND)) {
            /* A slow, busy or restarting cupsd: the job may still print, so ask again until the
             * timeout; it counts as printed only when cupsd says completed. */
            if (!p->refused)
                status_failed(dev, &p->fail, bm_err_detail());
            s.error = p->fail.err;
            s.fix = BM_FIX_SUSPEND;
            snprintf(s.detail, sizeof s.detail, "%s", bm_err_detail());
        } else if (err != BM_OK && p->fail_status == IPP_STATUS_ERROR_NOT_FOUND) {
            /* Not the queue: the job is gone (purged, or deleted with its queue, which the
             * status poll shows). Whether it printed, nobody can say. */
            poll_printer(dev, p, NULL, NULL);
            cmd->fix = BM_FIX_MAINTENANCE;
            return bm_err_set(BM_ERR_DEVICE, "job %d gone from cupsd (purged): outcome unknown",
                              job_id);
        } else if (err != BM_OK) { /* refused for good: the job cannot be followed */
            struct cups_refusal f = p->fail;
            char why[96];
            snprintf(why, sizeof why, "%s", bm_err_detail());
            cancel_job(p, job_id);
            cmd->fix = f.fix;
            return bm_err_set(f.err, "job %d: %s", job_id, why);
        } else if (state == CUPS_JOB_COMPLETED)
            return BM_OK;
        else if (state >= CUPS_JOB_CANCELED)
            return job_failed(dev, p, cmd, state, reasons, n);
        uint64_t now = bm_clock_ms(clock);
        if (err == BM_OK && now - last_poll >= JOB_POLL_MS * 2u) { /* faults while it runs */
            last_poll = now;
            if (poll_printer(dev, p, &s, NULL) == BM_OK && s.error != BM_OK &&
                s.fix == BM_FIX_MAINTENANCE) {
                cancel_job(p, job_id);
                cmd->fix = s.fix;
                return bm_err_set(s.error, "job %s: %s", cups_job_state_name(state), s.detail);
            }
        }
        if (now - start >= p->job_timeout_ms) {
            cancel_job(p, job_id);
            cmd->fix = s.error != BM_OK ? s.fix : BM_FIX_RESET;
            return bm_err_set(BM_ERR_TIMEOUT, "job %s after %u ms%s%s", cups_job_state_name(state),
                              p->job_timeout_ms, s.error != BM_OK ? ": " : "",
                              s.error != BM_OK ? s.detail : "");
        }
        if (bm_device_wait(dev, cmd, JOB_POLL_MS)) {
            cancel_job(p, job_id);
            return bm_err_set(BM_ERR_CANCELLED, "print cancelled");
        }
    }
}

static enum bm_err run_print(struct bm_device *dev, struct cups_printer *p, struct bm_cmd *cmd)
{
    const struct bm_doc_job *job = cmd->args;
    if (job->len < 5 || memcmp(job->pdf, "%PDF-", 5) != 0)
        return bm_err_set(BM_ERR_PARSE, "not a PDF (no %%PDF- header)");
    if (p->caps.max_copies && job->copies > p->caps.max_copies)
        return bm_err_set(BM_ERR_INVALID_ARG, "%u copies; the printer takes up to %u", job->copies,
                          p->caps.max_copies);
    struct cups_status s;
    char why[512]; /* a failure's detail, copied: never formatted from itself into itself */
    enum bm_err err = poll_printer(dev, p, &s, NULL);
    if (err != BM_OK) {
        snprintf(why, sizeof why, "%s", bm_err_detail());
        cmd->fix = p->fail.fix;
        return bm_err_set(p->fail.err, "document printer unavailable: %s", why);
    }
    if (!s.accepting_jobs || s.fix == BM_FIX_MAINTENANCE) { /* it would never print */
        cmd->fix = s.fix;
        return bm_err_set(s.error, "document printer unavailable: %s", s.detail);
    }
    int job_id = 0;
    uint64_t t0 = bm_clock_ms(bm_device_clock(dev));
    err = send_job(dev, p, cmd, job, &job_id);
    if (err != BM_OK) {
        struct cups_refusal f = p->fail;
        bool refused = p->refused;
        snprintf(why, sizeof why, "%s", bm_err_detail());
        if (job_id > 0)
            cancel_job(p, job_id);
        if (refused) /* the printer is there: the status shows what it is (rejecting...) */
            poll_printer(dev, p, NULL, NULL);
        else
            status_failed(dev, &f, why);
        bm_log_warn("doc_printer", "job %s: %s", job_id > 0 ? "not sent" : "not created", why);
        cmd->fix = f.fix;
        return bm_err_set(f.err, "%s", why);
    }
    err = follow_job(dev, p, cmd, job_id);
    snprintf(why, sizeof why, "%s", bm_err_detail()); /* the poll below must not replace it */
    poll_printer(dev, p, NULL, NULL);
    if (err == BM_OK) {
        bm_log_info("doc_printer", "job %d printed: %zu bytes x %u in %llu ms", job_id, job->len,
                    job->copies, (unsigned long long)(bm_clock_ms(bm_device_clock(dev)) - t0));
        return BM_OK;
    }
    bm_log_warn("doc_printer", "job %d not printed: %s", job_id, why);
    return bm_err_set(err, "%s", why);
}

static enum bm_err cups_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct cups_printer *p = bm_device_priv(dev);
    switch (cmd->op) {
    case BM_OP_RESET: {
        disconnect(p);
        if (poll_printer(dev, p, NULL, NULL) == BM_OK)
            return BM_OK;
        char why[512]; /* copied: formatting the detail from itself into itself is undefined */
        snprintf(why, sizeof why, "%s", bm_err_detail());
        cmd->fix = p->fail.fix;
        return bm_err_set(p->fail.err, "reset: %s", why);
    }
    case BM_OP_DOC_PRINT:
        return run_print(dev, p, cmd);
    default:
        return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a document printer", (int)cmd->op);
    }
}

/* ---- open and close ---- */

/* [doc_printer] server: empty -> libcups's choice; "/path" -> a domain socket; host[:port]. */
static void parse_server(struct cups_printer *p, const char *conf)
{
    snprintf(p->server, sizeof p->server, "%s", *conf ? conf : cupsServer());
    p->port = ippPort();
    char *colon = strrchr(p->server, ':');
    if (p->server[0] != '/' && colon && colon != p->server && !strchr(colon, ']')) {
        long port = strtol(colon + 1, NULL, 10);
        if (port > 0 && port < 65536) {
            p->port = (int)port;
            *colon = '\0';
        }
    }
}

static enum bm_err cups_open(struct bm_device *dev)
{
    struct cups_printer *p = bm_device_priv(dev);
    const struct bm_config *cfg = bm_device_config(dev);
    snprintf(p->queue, sizeof p->queue, "%s", bm_config_str(cfg, "doc_printer", "queue"));
    parse_server(p, bm_config_str(cfg, "doc_printer", "server"));
    p->job_timeout_ms = (unsigned)bm_config_int(cfg, "doc_printer", "job_timeout_ms");
    p->poll_ms = (unsigned)bm_config_int(cfg, "doc_printer", "status_poll_ms");
    p->connect_timeout_ms = (unsigned)bm_config_int(cfg, "doc_printer", "connect_timeout_ms");
    httpAssembleURIf(HTTP_URI_CODING_ALL, p->uri, sizeof p->uri, "ipp", NULL, "localhost",
                     ippPort(), "/printers/%s", p->queue);
    bm_device_set_tick_ms(dev, p->poll_ms);
    bm_log_info("doc_printer", "CUPS queue %s on %s", p->queue, p->server);
    /* Unreachable at start is not fatal: the status says so and the tick asks again. */
    poll_printer(dev, p, NULL, NULL);
    return BM_OK;
}

static void cups_close(struct bm_device *dev)
{
    struct cups_printer *p = bm_device_priv(dev);
    retry_cancels(p); /* a last chance for the cancels cupsd missed */
    for (size_t i = 0; i < p->n_pending; i++)
        bm_log_error("doc_printer", "job %d: cancel never reached cupsd; it may still print",
                     p->pending_cancel[i]);
    disconnect(p);
}

const struct bm_driver bm_cups_doc_driver = {
    .name = "cups",
    .description = "A4 document printer on a CUPS queue (libcups, PDF jobs)",
    .cls = BM_CLASS_DOC_PRINTER,
    .priv_size = sizeof(struct cups_printer),
    .tick_ms = 5000,
    .open = cups_open,
    .close = cups_close,
    .tick = cups_tick,
    .run = cups_run,
};
