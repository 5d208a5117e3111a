/*
 * escpos_model.c - an emulated ESC/POS receipt printer. See escpos_model.h.
 *
 * Design: the host's bytes go into a pending buffer; the parser takes whole commands off its
 * front and leaves a partial one there for the next write (libusb and the driver split the
 * stream anywhere). Real-time commands (DLE EOT n) are answered at once even while the printer
 * is offline, as the spec says; GS r 1 is not answered while offline for paper end. Raster
 * rows land on "paper" (the bitmap) only while the printer is online and paper remains.
 *
 * Threads: the USB worker writes and reads, the test thread injects and inspects; one mutex.
 */
#include "escpos_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PENDING_CAP (1u << 20)
#define MAX_ROWS    20000u
#define REPLY_CAP   256

struct escpos_model {
    pthread_mutex_t mu;
    uint8_t *pending;
    size_t pending_len;
    uint8_t reply[REPLY_CAP];
    size_t reply_len;
    uint8_t *paper; /* MAX_ROWS rows of `stride` bytes */
    unsigned stride, width, rows, feed;
    bool near_end, paper_out, cover_open, cutter_error, cutter_arm, unrecoverable, silent;
    long rows_left;   /* -1: unlimited */
    long unplug_rows; /* -1: never */
    struct escpos_model_counts n;
};

struct escpos_model *escpos_model_new(void)
{
    struct escpos_model *m = calloc(1, sizeof *m);
    if (!m || !(m->pending = malloc(PENDING_CAP)))
        abort();
    pthread_mutex_init(&m->mu, NULL);
    m->rows_left = -1;
    m->unplug_rows = -1;
    return m;
}

void escpos_model_free(struct escpos_model *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m->pending);
    free(m->paper);
    free(m);
}

static bool offline(const struct escpos_model *m)
{
    return m->paper_out || m->cover_open || m->cutter_error || m->unrecoverable;
}

static void reply(struct escpos_model *m, uint8_t b)
{
    if (!m->silent && m->reply_len < REPLY_CAP)
        m->reply[m->reply_len++] = b;
}

static uint8_t dle_eot(const struct escpos_model *m, unsigned n)
{
    uint8_t b = 0x12; /* bits 1 and 4 fixed */
    switch (n) {
    case 1:
        b |= offline(m) ? 0x08 : 0;
        break;
    case 2:
        b |= m->cover_open ? 0x04 : 0;
        b |= m->paper_out ? 0x20 : 0;
        b |= (m->cutter_error || m->unrecoverable) ? 0x40 : 0;
        break;
    case 3:
        b |= m->cutter_error ? 0x08 : 0;
        b |= m->unrecoverable ? 0x20 : 0;
        break;
    default:
        b |= m->near_end ? 0x0C : 0;
        b |= m->paper_out ? 0x60 : 0;
        break;
    }
    return b;
}

static void print_row(struct escpos_model *m, const uint8_t *row, unsigned xbytes)
{
    if (offline(m) || m->rows_left == 0) {
        if (m->rows_left == 0)
            m->paper_out = true;
        m->n.dropped++;
        return;
    }
    if (!m->paper) {
        m->stride = xbytes;
        m->width = xbytes * 8;
        if (!(m->paper = calloc(MAX_ROWS, xbytes)))
            abort();
    }
    if (xbytes != m->stride || m->rows >= MAX_ROWS) {
        m->n.unknown++; /* a width change mid-receipt: the oracle flags it */
        return;
    }
    memcpy(m->paper + (size_t)m->rows * m->stride, row, xbytes);
    m->rows++;
    m->n.rows++;
    if (m->rows_left > 0 && --m->rows_left == 0)
        m->paper_out = true; /* the sensor trips under the last row */
}

/* Parses one command at p (avail bytes). Returns its length, or 0 if incomplete. */
static size_t parse_one(struct escpos_model *m, const uint8_t *p, size_t avail)
{
#define NEED(k)                                                                                    \
    do {                                                                                           \
        if (avail < (k))                                                                           \
            return 0;                                                                              \
    } while (0)
    if (p[0] == 0x10) { /* DLE EOT n */
        NEED(3);
        if (p[1] == 0x04 && p[2] >= 1 && p[2] <= 4) {
            m->n.status_requests++;
            reply(m, dle_eot(m, p[2]));
        } else {
            m->n.unknown++;
        }
        return 3;
    }
    if (p[0] == 0x1B) {
        NEED(2);
        if (p[1] == 0x40) {
            m->n.inits++;
            return 2;
        }
        NEED(3);
        if (p[1] == 0x4A || p[1] == 0x64) { /* ESC J n dots, ESC d n lines (30 dots) */
            m->n.feeds++;
            if (!offline(m))
                m->feed += p[1] == 0x4A ? p[2] : 30u * p[2];
            return 3;
        }
        m->n.unknown++;
        return 3;
    }
    if (p[0] == 0x1D) {
        NEED(3);
        if (p[1] == 0x56) { /* GS V m [n] */
            unsigned len = (p[2] == 0x41 || p[2] == 0x42) ? 4 : 3;
            NEED(len);
            m->n.cuts++;
            if (m->cutter_arm)
                m->cutter_error = true;
            return len;
        }
        if (p[1] == 0x72) { /* GS r n */
            m->n.gs_r_requests++;
            if (!m->paper_out)
                reply(m, (uint8_t)((m->near_end ? 0x03 : 0) | (m->paper_out ? 0x0C : 0)));
            return 3;
        }
        if (p[1] == 0x76 && p[2] == 0x30) { /* GS v 0 m xL xH yL yH data */
            NEED(8);
            unsigned xb = p[4] | p[5] << 8, rows = p[6] | p[7] << 8;
            size_t len = 8 + (size_t)xb * rows;
            if (len > PENDING_CAP || xb == 0) {
                m->n.unknown++;
                return 8;
            }
            NEED(len);
            m->n.bands++;
            m->n.width = xb * 8;
            for (unsigned y = 0; y < rows; y++)
                print_row(m, p + 8 + (size_t)y * xb, xb);
            return len;
        }
        m->n.unknown++;
        return 3;
    }
    m->n.unknown++; /* text or junk: one byte at a time */
    return 1;
#undef NEED
}

void escpos_model_host_write(struct escpos_model *m, const uint8_t *data, size_t n)
{
    pthread_mutex_lock(&m->mu);
    m->n.bytes += n;
    while (n > 0) {
        size_t k = PENDING_CAP - m->pending_len < n ? PENDING_CAP - m->pending_len : n;
        memcpy(m->pending + m->pending_len, data, k);
        m->pending_len += k;
        data += k;
        n -= k;
        size_t off = 0, used;
        while (off < m->pending_len &&
               (used = parse_one(m, m->pending + off, m->pending_len - off)))
            off += used;
        memmove(m->pending, m->pending + off, m->pending_len - off);
        m->pending_len -= off;
    }
    pthread_mutex_unlock(&m->mu);
}

size_t escpos_model_host_read(struct escpos_model *m, uint8_t *buf, size_t cap)
{
    pthread_mutex_lock(&m->mu);
    size_t k = m->silent ? 0 : (m->reply_len < cap ? m->reply_len : cap);
    memcpy(buf, m->reply, k);
    memmove(m->reply, m->reply + k, m->reply_len - k);
    m->reply_len -= k;
    pthread_mutex_unlock(&m->mu);
    return k;
}

uint8_t escpos_model_port_status(struct escpos_model *m)
{
    pthread_mutex_lock(&m->mu);
    uint8_t b = (uint8_t)((m->paper_out ? 0x20 : 0) |
                          (m->cutter_error || m->unrecoverable || m->paper_out ? 0 : 0x08) |
                          (offline(m) ? 0 : 0x10));
    pthread_mutex_unlock(&m->mu);
    return b;
}

#define SETTER(name, field)                                                                        \
    void escpos_model_set_##name(struct escpos_model *m, bool on)                                  \
    {                                                                                              \
        pthread_mutex_lock(&m->mu);                                                                \
        m->field = on;                                                                             \
        pthread_mutex_unlock(&m->mu);                                                              \
    }
SETTER(near_end, near_end)
SETTER(cover_open, cover_open)
SETTER(unrecoverable, unrecoverable)
SETTER(silent, silent)

void escpos_model_set_cutter_error(struct escpos_model *m, bool on)
{
    pthread_mutex_lock(&m->mu);
    m->cutter_arm = on;
    if (!on)
        m->cutter_error = false;
    pthread_mutex_unlock(&m->mu);
}

void escpos_model_set_paper_out(struct escpos_model *m, bool out)
{
    pthread_mutex_lock(&m->mu);
    m->paper_out = out;
    m->rows_left = -1;
    pthread_mutex_unlock(&m->mu);
}

void escpos_model_paper_out_after(struct escpos_model *m, unsigned rows)
{
    pthread_mutex_lock(&m->mu);
    m->rows_left = rows;
    m->paper_out = rows == 0;
    pthread_mutex_unlock(&m->mu);
}

void escpos_model_unplug_after(struct escpos_model *m, unsigned rows)
{
    pthread_mutex_lock(&m->mu);
    m->unplug_rows = (long)m->rows + rows;
    pthread_mutex_unlock(&m->mu);
}

bool escpos_model_wants_unplug(struct escpos_model *m)
{
    pthread_mutex_lock(&m->mu);
    bool yes = m->unplug_rows >= 0 && (long)m->rows >= m->unplug_rows;
    pthread_mutex_unlock(&m->mu);
    return yes;
}

void escpos_model_counts(struct escpos_model *m, struct escpos_model_counts *out)
{
    pthread_mutex_lock(&m->mu);
    *out = m->n;
    pthread_mutex_unlock(&m->mu);
}

uint8_t *escpos_model_take_bitmap(struct escpos_model *m, unsigned *width, unsigned *height)
{
    pthread_mutex_lock(&m->mu);
    uint8_t *out = NULL;
    *width = m->width;
    *height = m->rows;
    if (m->rows && (out = malloc((size_t)m->rows * m->stride)))
        memcpy(out, m->paper, (size_t)m->rows * m->stride);
    pthread_mutex_unlock(&m->mu);
    return out;
}

unsigned escpos_model_feed_dots(struct escpos_model *m)
{
    pthread_mutex_lock(&m->mu);
    unsigned f = m->feed;
    pthread_mutex_unlock(&m->mu);
    return f;
}

void escpos_model_clear(struct escpos_model *m)
{
    pthread_mutex_lock(&m->mu);
    free(m->paper);
    m->paper = NULL;
    m->rows = m->width = m->stride = m->feed = 0;
    memset(&m->n, 0, sizeof m->n);
    m->reply_len = 0;
    pthread_mutex_unlock(&m->mu);
}
