/*
 * escpos_printer.c - the ESC/POS receipt printer on USB ("escpos-usb"), as the device model
 * wants it.
 *
 * Status: DLE EOT 1..4 (one write, the four one-byte replies read back; GS r 1 as well when
 * [receipt_printer] paper_sensor says the model has it, but only with nothing unprinted before
 * it: idle and before a job) on a bidirectional printer, the class
 * request GET_PORT_STATUS on a unidirectional one. It is asked before each job, between the
 * bands of a job, after each job, and every status_poll_ms while idle, and mapped by
 * escpos_map_status onto the status; each fault is reported once (an error event with its fix)
 * and cleared when the printer says it is gone.
 *
 * Printing: ESC @, the raster as GS v 0 bands of band_rows rows, feed, cut. A fault seen
 * between bands (paper out, cover open) or after the cut (cutter) fails the job with its
 * reason; it is never reported as printed. Nor is a job the printer has only taken: it
 * buffers, and DLE EOT is real-time, so after the cut await_printed waits for GS r 1 (with
 * paper_sensor; executed in order after the cut) or for the print time at print_speed_mm_s,
 * asking DLE EOT meanwhile so a fault in the tail fails the job. A printer that stops taking data
 * or answering (timeout) is closed and reported offline, an unplugged one no_device, and the tick
 * opens it again every reopen_ms (at once on a hotplug arrival).
 *
 * Counters: receipts printed and paper used (raster + feed, in mm at the configured dpi) are
 * kept in counters_file (temp + fsync + rename, so a crash leaves the old or the new file),
 * with the paper used on the current roll (reset when paper out turns into paper loaded) and a
 * running average receipt length, which give a forecast of receipts left for technicians.
 * Nothing personal is logged: sizes and counts only; the encode buffer is wiped.
 *
 * Threads: the device's worker thread; the counters are read from any thread under a static
 * mutex that exists before the device does, and held for a copy only (the file is written from
 * a snapshot outside it, so a slow fsync never stalls a reader on the main thread).
 */
#include "escpos.h"
#include "escpos_proto.h"

#include "core/files.h"
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAINTENANCE_AFTER 5 /* failed opens in a row before a technician is called */
#define ID_MAX            1024
#define AVG_WEIGHT        8   /* the recent average: each receipt counts 1/8 */
#define AWAIT_POLL_MS     250 /* DLE EOT while a job's tail prints */

struct escpos_printer {
    struct escpos_usb *usb;
    struct escpos_port *port; /* NULL while closed */
    unsigned timeout_ms, reopen_ms, band_rows, roll_mm;
    unsigned speed;            /* print_speed_mm_s */
    unsigned poll_ms, tick_ms; /* the status poll; the tick's interval now */
    bool paper_sensor;
    uint64_t next_open_ms;
    unsigned failed_opens;
    struct bm_receipt_caps caps;
    enum bm_paper last_paper;
    char counters_path[1024];
    struct bm_receipt_counters counters; /* under counters_mu */
};

/*
 * Guards every printer's counters. Static, so it exists before any device does: the main
 * thread may read the counters as soon as bm_device_open returned, before open ran on the
 * worker (the driver has no create hook, and the private state is only zeroed). It is held for
 * a copy only, never across file I/O, so one lock for all printers costs nothing.
 */
static pthread_mutex_t counters_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- counters ---- */

static void forecast(struct bm_receipt_counters *c, unsigned roll_mm)
{
    if (c->avg_mm == 0) {
        c->receipts_left = -1;
        return;
    }
    uint64_t left_mm = c->roll_mm < roll_mm ? roll_mm - c->roll_mm : 0;
    c->receipts_left = (int64_t)(left_mm / c->avg_mm);
}

/* The counters from counters_path (zero if absent or corrupt). Worker thread, no lock. */
static void read_counters(const struct escpos_printer *p, struct bm_receipt_counters *out)
{
    memset(out, 0, sizeof *out);
    out->receipts_left = -1;
    if (!p->counters_path[0])
        return;
    FILE *f = fopen(p->counters_path, "r");
    if (!f) {
        if (errno != ENOENT)
            bm_log_warn("receipt_printer", "counters %s: %s; starting from zero", p->counters_path,
                        strerror(errno));
        else
            bm_log_notice("receipt_printer", "no counters file yet; starting from zero");
        return;
    }
    char line[128];
    unsigned long long v[4];
    int seen = 0;
    const char *keys[4] = {"receipts", "paper_mm", "roll_mm", "avg_mm"};
    bool bad = false;
    while (fgets(line, sizeof line, f) && !bad) {
        char *eq = strchr(line, '=');
        if (!eq) {
            bad = true;
            break;
        }
        *eq = '\0';
        char *end;
        errno = 0;
        unsigned long long x = strtoull(eq + 1, &end, 10);
        bad = errno != 0 || end == eq + 1 || (*end != '\n' && *end != '\0') || eq[1] == '-';
        for (int i = 0; i < 4 && !bad; i++)
            if (strcmp(line, keys[i]) == 0) {
                v[i] = x;
                seen |= 1 << i;
            }
    }
    fclose(f);
    if (bad || seen != 0xF || v[3] > 1000000) {
        bm_log_warn("receipt_printer", "counters %s are corrupt; starting from zero",
                    p->counters_path);
        return;
    }
    out->receipts = v[0];
    out->paper_mm = v[1];
    out->roll_mm = v[2];
    out->avg_mm = (unsigned)v[3];
    forecast(out, p->roll_mm);
}

static void load_counters(struct escpos_printer *p)
{
    struct bm_receipt_counters c;
    read_counters(p, &c);
    pthread_mutex_lock(&counters_mu);
    p->counters = c;
    pthread_mutex_unlock(&counters_mu);
}

/* Writes a snapshot of the counters (worker thread, outside the lock: fsync may take long). */
static void save_counters(const struct escpos_printer *p, const struct bm_receipt_counters *c)
{
    if (!p->counters_path[0])
        return;
    char text[256];
    int n = snprintf(text, sizeof text, "receipts=%llu\npaper_mm=%llu\nroll_mm=%llu\navg_mm=%u\n",
                     (unsigned long long)c->receipts, (unsigned long long)c->paper_mm,
                     (unsigned long long)c->roll_mm, c->avg_mm);
    if (n > 0 && bm_file_replace(p->counters_path, text, (size_t)n, 0644) != BM_OK)
        bm_log_warn("receipt_printer", "counters not saved: %s", bm_err_detail());
}

static void count_receipt(struct escpos_printer *p, unsigned dots)
{
    unsigned mm = (unsigned)(((uint64_t)dots * 254 + p->caps.dpi * 5) / (p->caps.dpi * 10));
    pthread_mutex_lock(&counters_mu);
    struct bm_receipt_counters *c = &p->counters;
    c->receipts++;
    c->paper_mm += mm;
    c->roll_mm += mm;
    c->avg_mm = c->avg_mm == 0 ? mm : (c->avg_mm * (AVG_WEIGHT - 1) + mm) / AVG_WEIGHT;
    forecast(c, p->roll_mm);
    struct bm_receipt_counters snap = *c;
    pthread_mutex_unlock(&counters_mu);
    save_counters(p, &snap); /* only the worker writes, so snapshots are saved in order */
    bm_log_info("receipt_printer",
                "receipt %llu printed, %u mm; roll %llu of %u mm used, ~%lld receipts left",
                (unsigned long long)snap.receipts, mm, (unsigned long long)snap.roll_mm, p->roll_mm,
                (long long)snap.receipts_left);
}

static void new_roll(struct escpos_printer *p)
{
    pthread_mutex_lock(&counters_mu);
    p->counters.roll_mm = 0;
    forecast(&p->counters, p->roll_mm);
    struct bm_receipt_counters snap = p->counters;
    pthread_mutex_unlock(&counters_mu);
    save_counters(p, &snap);
    bm_log_notice("receipt_printer", "paper loaded: roll counter reset");
}

enum bm_err bm_receipt_printer_counters(struct bm_device *dev, struct bm_receipt_counters *out)
{
    memset(out, 0, sizeof *out);
    out->receipts_left = -1;
    if (!dev || bm_device_driver(dev) != &bm_escpos_usb_driver)
        return bm_err_set(BM_ERR_UNSUPPORTED, "this receipt printer keeps no counters");
    struct escpos_printer *p = bm_device_priv(dev);
    pthread_mutex_lock(&counters_mu);
    *out = p->counters;
    pthread_mutex_unlock(&counters_mu);
    if (out->avg_mm == 0) /* also before open loaded them: all zero, nothing known yet */
        out->receipts_left = -1;
    return BM_OK;
}

/* ---- status ---- */

static void set_status(struct bm_device *dev, const struct escpos_mapped *m, enum bm_err err,
                       enum bm_fix fix, const char *why)
{
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_RECEIPT_PRINTER, &st);
    st.device = m->device;
    st.error = err;
    st.fix = fix;
    snprintf(st.detail, sizeof st.detail, "%s", why);
    st.receipt.paper = m->paper;
    st.receipt.cover_open = m->cover_open;
    st.receipt.cutter = m->cutter;
    bm_device_set_status(dev, &st);
}

/* The status in one update, then the error event once per distinct fault. */
static void publish(struct bm_device *dev, const struct escpos_mapped *m)
{
    struct escpos_printer *p = bm_device_priv(dev);
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_RECEIPT_PRINTER, &st);
    if (p->last_paper == BM_PAPER_OUT && (m->paper == BM_PAPER_FULL || m->paper == BM_PAPER_LOW))
        new_roll(p);
    if (m->paper != BM_PAPER_UNKNOWN)
        p->last_paper = m->paper;
    bool again = st.device == m->device && st.error == m->err && st.fix == m->fix;
    set_status(dev, m, m->err, m->fix, m->what);
    if (m->err != BM_OK && !again)
        bm_device_report_error(dev, m->device, m->err, m->fix, "%s", m->what);
}

/* The tick comes every status poll while the printer is open, and every reopen_ms while it
 * is not: an idle poll of a minute must not leave a replugged printer unseen for a minute
 * (hotplug arrival alone is not enough where its events are late or missing). */
static void set_cadence(struct bm_device *dev, struct escpos_printer *p)
{
    unsigned want = p->port || p->reopen_ms > p->poll_ms ? p->poll_ms : p->reopen_ms;
    if (want != p->tick_ms) {
        p->tick_ms = want;
        bm_device_set_tick_ms(dev, want);
    }
}

/* The link failed: close it, say so, let the tick reopen it. */
static void lose_link(struct bm_device *dev, struct escpos_printer *p, enum bm_err err)
{
    char why[96];
    snprintf(why, sizeof why, "%s", bm_err_detail());
    if (p->port) {
        bm_log_warn("receipt_printer", "%s: closed: %s", escpos_port_name(p->port), why);
        escpos_port_close(p->port);
        p->port = NULL;
    }
    p->failed_opens++;
    struct escpos_mapped m = {
        .device = err == BM_ERR_NO_DEVICE ? BM_DEVICE_NO_DEVICE : BM_DEVICE_OFFLINE,
        .paper = BM_PAPER_UNKNOWN,
        .cutter = BM_CUTTER_UNKNOWN,
        .err = err,
        .fix = p->failed_opens >= MAINTENANCE_AFTER ? BM_FIX_MAINTENANCE : BM_FIX_SUSPEND,
        .what = why};
    publish(dev, &m);
    p->next_open_ms = bm_clock_ms(bm_device_clock(dev)) + p->reopen_ms;
    set_cadence(dev, p);
}

/*
 * Reads one-byte replies until the replies to DLE EOT 1..dle_eot arrived and, if gs_r, the one
 * to GS r 1. The two are told apart by their fixed bits (DLE EOT: bit 4 set; GS r: bit 4
 * clear), so a GS r 1 reply that comes among DLE EOT ones -- the printer answers it only once
 * the data before it has printed -- is folded in (st->have says so) whether or not it was
 * waited for; ASB blocks are folded in too.
 */
static enum bm_err read_replies(struct escpos_printer *p, struct escpos_status *st,
                                unsigned dle_eot, bool gs_r)
{
    unsigned next = 1;
    uint8_t buf[64];
    for (int reads = 0; next <= dle_eot || (gs_r && !(st->have & ESCPOS_HAVE_GSR)); reads++) {
        if (reads == 8) /* a printer that chatters but never answers counts as silent */
            return bm_err_set(BM_ERR_TIMEOUT, "%s: no status reply among its output",
                              escpos_port_name(p->port));
        size_t got;
        enum bm_err err = escpos_port_read(p->port, buf, sizeof buf, &got, p->timeout_ms);
        if (err != BM_OK)
            return err;
        for (size_t i = 0; i < got; i++) {
            if (i + 4 <= got && escpos_is_asb(buf + i, got - i)) {
                escpos_parse_asb(buf + i, 4, st);
                i += 3;
            } else if (next <= dle_eot && escpos_is_dle_eot_reply(buf[i])) {
                escpos_parse_dle_eot(next++, buf[i], st);
            } else if (escpos_is_gs_r_reply(buf[i]) && !(st->have & ESCPOS_HAVE_GSR)) {
                escpos_parse_gs_r(buf[i], st);
            } /* anything else: noise, skipped */
        }
    }
    return BM_OK;
}

/*
 * Asks the status. sensor: GS r 1 as well (when the config says the printer has it); only
 * where nothing unprinted can sit before it in the printer's buffer (idle, before a job),
 * since GS r 1 is executed in order and would wait behind it.
 */
static enum bm_err query_status(struct escpos_printer *p, struct escpos_mapped *m, bool sensor,
                                struct escpos_status *seen)
{
    struct escpos_status st = {0};
    enum bm_err err;
    if (escpos_port_bidirectional(p->port)) {
        uint8_t req[16];
        size_t n = 0;
        for (unsigned k = 1; k <= 4; k++)
            n += escpos_dle_eot(req + n, sizeof req - n, k);
        err = escpos_port_write(p->port, req, n, p->timeout_ms);
        if (err == BM_OK)
            err = read_replies(p, &st, 4, false);
        /* GS r 1 is not executed while offline (paper end, cover open): ask only when online. */
        if (err == BM_OK && sensor && p->paper_sensor && !st.paper_end && !st.offline) {
            n = escpos_paper_sensor(req, sizeof req);
            err = escpos_port_write(p->port, req, n, p->timeout_ms);
            if (err == BM_OK)
                err = read_replies(p, &st, 0, true);
        }
    } else {
        uint8_t b = 0;
        err = escpos_port_status(p->port, &b, p->timeout_ms);
        st.paper_end = b & 0x20;
        st.error = !(b & 0x08);
        st.offline = !(b & 0x10);
    }
    if (err == BM_OK)
        escpos_map_status(&st, m);
    if (seen)
        *seen = st;
    return err;
}

/*
 * Polls the status and publishes it; a failing link is closed. BM_OK or the link's error.
 * seen (may be NULL): the replies as they came (a GS r 1 reply among them shows in have).
 */
static enum bm_err refresh_seen(struct bm_device *dev, struct escpos_printer *p,
                                struct escpos_mapped *m, bool sensor, struct escpos_status *seen)
{
    enum bm_err err = query_status(p, m, sensor, seen);
    if (err != BM_OK) {
        lose_link(dev, p, err);
        return err;
    }
    publish(dev, m);
    return BM_OK;
}

static enum bm_err refresh(struct bm_device *dev, struct escpos_printer *p, struct escpos_mapped *m,
                           bool sensor)
{
    return refresh_seen(dev, p, m, sensor, NULL);
}

/* ---- opening ---- */

static void read_device_id(struct escpos_printer *p)
{
    uint8_t *raw = malloc(ID_MAX);
    size_t len = 0;
    struct escpos_device_id id;
    snprintf(p->caps.model, sizeof p->caps.model, "ESC/POS printer");
    if (raw && escpos_port_device_id(p->port, raw, ID_MAX, &len, p->timeout_ms) == BM_OK &&
        escpos_parse_device_id(raw, len, &id) == BM_OK) {
        snprintf(p->caps.model, sizeof p->caps.model, "%.23s %.23s", id.mfg, id.mdl);
        if (!escpos_device_id_is_escpos(&id))
            bm_log_notice("receipt_printer", "%s: command set \"%s\" does not name ESC/POS",
                          p->caps.model, id.cmd);
    } else {
        bm_log_notice("receipt_printer", "no usable device ID: %s", bm_err_detail());
    }
    free(raw);
}

static bool try_open(struct bm_device *dev, struct escpos_printer *p)
{
    enum bm_err err = escpos_usb_open(p->usb, &p->port);
    if (err != BM_OK) {
        lose_link(dev, p, err);
        return false;
    }
    read_device_id(p);
    p->caps.reports_paper_low = escpos_port_bidirectional(p->port);
    bm_device_set_caps(dev, &p->caps, sizeof p->caps);
    escpos_port_drain(p->port);
    set_cadence(dev, p);
    bm_log_info("receipt_printer", "%s: %s, %s", escpos_port_name(p->port), p->caps.model,
                escpos_port_bidirectional(p->port) ? "bidirectional" : "unidirectional");
    struct escpos_mapped m;
    if (refresh(dev, p, &m, true) != BM_OK)
        return false;
    p->failed_opens = 0;
    return true;
}

static void escpos_tick(struct bm_device *dev)
{
    struct escpos_printer *p = bm_device_priv(dev);
    if (!p->usb)
        return;
    if (!p->port) {
        bool arrived = escpos_usb_arrived(p->usb);
        if (arrived || bm_clock_ms(bm_device_clock(dev)) >= p->next_open_ms)
            try_open(dev, p);
        return;
    }
    struct escpos_mapped m;
    refresh(dev, p, &m, true);
}

/* ---- printing ---- */

static enum bm_err unavailable(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_RECEIPT_PRINTER, &st);
    cmd->fix = st.fix != BM_FIX_NONE ? st.fix : BM_FIX_MAINTENANCE;
    return bm_err_set(st.error != BM_OK ? st.error : BM_ERR_NO_DEVICE,
                      "receipt printer unavailable: %s", st.detail);
}

/* A fault the printer reports fails the job with it. */
static enum bm_err job_fault(struct bm_cmd *cmd, const struct escpos_mapped *m, const char *when)
{
    cmd->fix = m->fix;
    return bm_err_set(m->err, "%s %s", m->what, when);
}

/* A link error inside a job: the link is closed already; the job fails with the reason. */
static enum bm_err job_link(struct bm_cmd *cmd, enum bm_err err)
{
    cmd->fix = BM_FIX_SUSPEND;
    return bm_err_set(err, "receipt printer %s mid-job",
                      err == BM_ERR_NO_DEVICE ? "unplugged" : "stopped answering");
}

static enum bm_err send(struct bm_device *dev, struct escpos_printer *p, struct bm_cmd *cmd,
                        const uint8_t *b, size_t n)
{
    enum bm_err err = escpos_port_write(p->port, b, n, p->timeout_ms);
    if (err != BM_OK) {
        lose_link(dev, p, err);
        return job_link(cmd, err);
    }
    return BM_OK;
}

static enum bm_err print_bands(struct bm_device *dev, struct escpos_printer *p, struct bm_cmd *cmd,
                               const struct bm_receipt_job *job, uint8_t *buf, size_t cap)
{
    const struct bm_raster *r = &job->raster;
    unsigned bands = escpos_band_count(r, p->band_rows);
    enum bm_err err = send(dev, p, cmd, buf, escpos_init(buf, cap));
    for (unsigned b = 0; b < bands && err == BM_OK; b++) {
        if (bm_device_wait(dev, cmd, 0))
            return bm_err_set(BM_ERR_CANCELLED, "receipt cancelled after %u of %u bands", b, bands);
        size_t n = escpos_raster_band(buf, cap, r, b, p->band_rows);
        err = send(dev, p, cmd, buf, n);
        struct escpos_mapped m;
        if (err == BM_OK && (err = refresh(dev, p, &m, false)) != BM_OK)
            return job_link(cmd, err);
        if (err == BM_OK && m.err != BM_OK)
            return job_fault(cmd, &m, "mid-job");
        unsigned rows = (b + 1) * p->band_rows < r->height ? (b + 1) * p->band_rows : r->height;
        /* a few progress events per job, not one per band */
        if (err == BM_OK && (b + 1 == bands || (b + 1) * 4 / bands != b * 4 / bands))
            bm_device_progress(dev, cmd, rows, r->height);
    }
    if (err != BM_OK)
        return err;
    size_t n = 0;
    if (job->feed_dots)
        n += escpos_feed_dots(buf + n, cap - n, job->feed_dots);
    if (job->cut && p->caps.has_cutter)
        n += escpos_cut(buf + n, cap - n, ESCPOS_CUT_PARTIAL);
    return n ? send(dev, p, cmd, buf, n) : BM_OK;
}

/* How long the printer takes to move `dots` of paper at print_speed_mm_s, in ms. */
static unsigned print_time_ms(const struct escpos_printer *p, uint64_t dots)
{
    uint64_t ms = (dots * 25400u + (uint64_t)p->caps.dpi * p->speed - 1) /
                  ((uint64_t)p->caps.dpi * p->speed); /* dots / (dpi / 25.4) mm / (mm/s) */
    return ms > 3600000u ? 3600000u : (unsigned)ms;
}

/*
 * After the cut: waits until the printer has really printed the job, not only taken its bytes
 * (a printer buffers; DLE EOT is real-time and answers while bands still print). With the
 * paper sensor: GS r 1, executed in order after the cut and never while out of paper, is
 * waited for up to timeout_ms plus the print time; no reply and no fault is a timeout, never
 * a printed receipt. Without it: the print time at print_speed_mm_s (sound only if that is no
 * faster than the printer). Either way DLE EOT is asked every AWAIT_POLL_MS, so paper running
 * out in the tail fails the job at once. The waiting is bm_device_wait's (cancel is served);
 * the time waited is the larger of the device clock's and the sum of the waits, so a clock
 * that stands still cannot make it wait forever.
 */
static enum bm_err await_printed(struct bm_device *dev, struct escpos_printer *p,
                                 struct bm_cmd *cmd, const struct bm_receipt_job *job)
{
    const struct bm_raster *r = &job->raster;
    unsigned print_ms = print_time_ms(p, (uint64_t)r->height + job->feed_dots);
    bool gs_r = p->paper_sensor && escpos_port_bidirectional(p->port);
    unsigned limit = gs_r ? p->timeout_ms + print_ms : print_ms;
    enum bm_err err;
    if (gs_r) {
        uint8_t req[4];
        escpos_port_drain(p->port); /* a stale GS r reply must not stand for this one */
        if ((err = send(dev, p, cmd, req, escpos_paper_sensor(req, sizeof req))) != BM_OK)
            return err;
    }
    const struct bm_clock *clock = bm_device_clock(dev);
    uint64_t start = bm_clock_ms(clock);
    unsigned waited = 0;
    for (;;) {
        unsigned step = limit - waited < AWAIT_POLL_MS ? limit - waited : AWAIT_POLL_MS;
        if (bm_device_wait(dev, cmd, step))
            return bm_err_set(BM_ERR_CANCELLED, "receipt cancelled while it printed");
        uint64_t elapsed = bm_clock_ms(clock) - start;
        waited += step;
        if (elapsed > waited)
            waited = elapsed < limit ? (unsigned)elapsed : limit;
        struct escpos_mapped m;
        struct escpos_status st = {0};
        if ((err = refresh_seen(dev, p, &m, false, &st)) != BM_OK)
            return job_link(cmd, err);
        if (m.err != BM_OK)
            return job_fault(cmd, &m, "while the receipt printed");
        if (gs_r && (st.have & ESCPOS_HAVE_GSR))
            return BM_OK; /* everything before GS r 1, the cut included, is done */
        if (waited >= limit) {
            if (!gs_r)
                return BM_OK;
            cmd->fix = BM_FIX_MAINTENANCE;
            return bm_err_set(BM_ERR_TIMEOUT,
                              "receipt not confirmed printed (GS r 1) within %u ms; check "
                              "[receipt_printer] paper_sensor and print_speed_mm_s",
                              limit);
        }
    }
}

/*
 * A job that failed or was cancelled after its bytes went out must not print later: a printer
 * out of paper keeps what it holds and prints it once paper is loaded, which would hand one
 * resident's receipt to the next. SOFT_RESET makes the printer flush its buffers; the next
 * job's ESC @ clears whatever a printer that ignores it still holds of the print line.
 */
static void discard_unprinted(struct escpos_printer *p)
{
    if (!p->port)
        return; /* the link is gone: lose_link closed it, and a replug starts afresh */
    if (escpos_port_soft_reset(p->port, p->timeout_ms) != BM_OK)
        bm_log_warn("receipt_printer", "could not flush the failed receipt: %s", bm_err_detail());
}

static enum bm_err run_print(struct bm_device *dev, struct escpos_printer *p, struct bm_cmd *cmd)
{
    const struct bm_receipt_job *job = cmd->args;
    if (!p->port)
        return unavailable(dev, cmd);
    if (job->raster.width != p->caps.width_dots)
        return bm_err_set(BM_ERR_INVALID_ARG, "raster %u dots wide on a %u-dot head",
                          job->raster.width, p->caps.width_dots);
    struct escpos_mapped m;
    enum bm_err err = refresh(dev, p, &m, true);
    if (err != BM_OK)
        return job_link(cmd, err);
    if (m.err != BM_OK)
        return job_fault(cmd, &m, "before the job");
    size_t cap = escpos_band_size(&job->raster, p->band_rows) + 3 * (job->feed_dots / 255 + 1) + 8;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return bm_err_set(BM_ERR_NO_MEMORY, "band buffer");
    err = print_bands(dev, p, cmd, job, buf, cap);
    explicit_bzero(buf, cap); /* it held a band of the receipt */
    free(buf);
    if (err == BM_OK)
        err = await_printed(dev, p, cmd, job);
    if (err != BM_OK) {
        enum bm_err why = err;
        char detail[256];
        snprintf(detail, sizeof detail, "%s", bm_err_detail());
        discard_unprinted(p);
        return bm_err_set(why, "%s", detail); /* the job's reason, not the flush's */
    }
    if ((err = refresh(dev, p, &m, false)) != BM_OK) /* the cut done too? */
        return job_link(cmd, err);
    if (m.err != BM_OK)
        return job_fault(cmd, &m, "at the end of the job");
    count_receipt(p, job->raster.height + job->feed_dots);
    return BM_OK;
}

static enum bm_err run_reset(struct bm_device *dev, struct escpos_printer *p, struct bm_cmd *cmd)
{
    if (p->port) {
        uint8_t b[2];
        escpos_port_write(p->port, b, escpos_init(b, sizeof b), p->timeout_ms);
        escpos_port_close(p->port);
        p->port = NULL;
    }
    p->failed_opens = 0;
    if (try_open(dev, p))
        return BM_OK;
    cmd->fix = BM_FIX_MAINTENANCE;
    return bm_err_set(BM_ERR_NO_DEVICE, "printer did not come back after reset");
}

static enum bm_err escpos_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct escpos_printer *p = bm_device_priv(dev);
    switch (cmd->op) {
    case BM_OP_RESET:
        return run_reset(dev, p, cmd);
    case BM_OP_RECEIPT_PRINT:
        return run_print(dev, p, cmd);
    default:
        return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a receipt printer", (int)cmd->op);
    }
}

/* ---- open and close ---- */

static enum bm_err escpos_open(struct bm_device *dev)
{
    struct escpos_printer *p = bm_device_priv(dev);
    const struct bm_config *cfg = bm_device_config(dev);
    p->timeout_ms = (unsigned)bm_config_int(cfg, "receipt_printer", "timeout_ms");
    p->reopen_ms = (unsigned)bm_config_int(cfg, "receipt_printer", "reopen_ms");
    p->band_rows = (unsigned)bm_config_int(cfg, "receipt_printer", "band_rows");
    p->roll_mm = (unsigned)bm_config_int(cfg, "receipt_printer", "roll_length_mm");
    p->paper_sensor = bm_config_bool(cfg, "receipt_printer", "paper_sensor");
    p->speed = (unsigned)bm_config_int(cfg, "receipt_printer", "print_speed_mm_s");
    snprintf(p->counters_path, sizeof p->counters_path, "%s",
             bm_config_str(cfg, "receipt_printer", "counters_file"));
    p->caps = (struct bm_receipt_caps){
        .width_dots = (unsigned)bm_config_int(cfg, "receipt_printer", "width_dots"),
        .dpi = (unsigned)bm_config_int(cfg, "receipt_printer", "dpi"),
        .max_height = 100000,
        .has_cutter = bm_config_bool(cfg, "receipt_printer", "cutter"),
    };
    snprintf(p->caps.model, sizeof p->caps.model, "ESC/POS printer (not found yet)");
    bm_device_set_caps(dev, &p->caps, sizeof p->caps);
    p->poll_ms = (unsigned)bm_config_int(cfg, "receipt_printer", "status_poll_ms");
    set_cadence(dev, p);
    load_counters(p);
    p->usb = escpos_usb_new(cfg);
    if (!p->usb) {
        struct escpos_mapped m = {.device = BM_DEVICE_HARDWARE_ERROR,
                                  .err = strstr(bm_err_detail(), "usb_ids") ? BM_ERR_CONFIG
                                                                            : BM_ERR_IO,
                                  .fix = BM_FIX_MAINTENANCE,
                                  .what = bm_err_detail()};
        publish(dev, &m);
        return BM_OK;
    }
    try_open(dev, p); /* absent at start is not fatal: the tick keeps trying */
    return BM_OK;
}

static void escpos_close(struct bm_device *dev)
{
    struct escpos_printer *p = bm_device_priv(dev);
    escpos_port_close(p->port);
    p->port = NULL;
    escpos_usb_free(p->usb);
    p->usb = NULL;
}

const struct bm_driver bm_escpos_usb_driver = {
    .name = "escpos-usb",
    .description = "ESC/POS thermal receipt printer on USB (printer class or vendor bulk)",
    .cls = BM_CLASS_RECEIPT_PRINTER,
    .priv_size = sizeof(struct escpos_printer),
    .tick_ms = 2000,
    .open = escpos_open,
    .close = escpos_close,
    .tick = escpos_tick,
    .run = escpos_run,
};
