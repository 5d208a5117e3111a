/*
 * escpos_model.c - an emulated ESC/POS receipt printer. See escpos_model.h.
 *
 * Design: the host's bytes go into a pending buffer; whole commands are taken off its front
 * and a partial one stays there for the next write (libusb and the driver split the stream
 * anywhere). Real-time commands (DLE EOT n) are answered at once even while the printer is
 * offline, as the spec says, from the state of what has printed so far. Every other command
 * joins the print buffer, which advance() executes in order whenever the model is touched
 * (a write, a poll of the IN pipe, an inspection), as far as the print rate allows for the
 * time gone by, and not at all while offline: data sent to an offline printer stays there.
 * GS r 1 is answered when it is executed, so never while out of paper.

 * Threads: the USB worker writes and reads, the test thread injects and inspects; one mutex.
 */
#include "escpos_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PENDING_CAP (1u << 20)
#define QUEUE_CAP   (4u << 20)
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
    bool hold, no_gs_r;
    uint8_t *queue; /* the print buffer: commands not yet executed */
    size_t q_head, q_len;
    unsigned progress; /* rows / feed dots of the head command done */
    unsigned releases; /* cuts in the buffer (hold_until_cut waits for one) */
    unsigned rate;     /* rows per second; 0: at once */
    uint64_t last_us;  /* printing accounted up to here */
    long rows_left;    /* -1: unlimited */
    long unplug_rows;  /* -1: never */
    struct escpos_model_counts n;
};

struct escpos_model *escpos_model_new(void)
{
    struct escpos_model *m = calloc(1, sizeof *m);
    if (!m || !(m->pending = malloc(PENDING_CAP)) || !(m->queue = malloc(QUEUE_CAP)))
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
    free(m->queue);
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

/* The length of the command at p (avail bytes), 0 if it is incomplete. */
static size_t command_len(const uint8_t *p, size_t avail)
{
#define NEED(k)                                                                                    \
    do {                                                                                           \
        if (avail < (k))                                                                           \
            return 0;                                                                              \
    } while (0)
    if (p[0] == 0x10) { /* DLE EOT n */
        NEED(3);
        return 3;
    }
    if (p[0] == 0x1B) {
        NEED(2);
        if (p[1] == 0x40)
            return 2;
        NEED(3);
        return 3;
    }
    if (p[0] == 0x1D) {
        NEED(3);
        if (p[1] == 0x56) { /* GS V m [n] */
            unsigned len = (p[2] == 0x41 || p[2] == 0x42) ? 4 : 3;
            NEED(len);
            return len;
        }
        if (p[1] == 0x76 && p[2] == 0x30) { /* GS v 0 m xL xH yL yH data */
            NEED(8);
            unsigned xb = p[4] | p[5] << 8, rows = p[6] | p[7] << 8;
            size_t len = 8 + (size_t)xb * rows;
            if (len > PENDING_CAP || xb == 0)
                return 8; /* unknown when executed */
            NEED(len);
            return len;
        }
        return 3;
    }
    return 1; /* text or junk: one byte at a time */
#undef NEED
}

static bool releases_hold(const uint8_t *p, size_t len)
{
    return len >= 3 && p[0] == 0x1D && p[1] == 0x56;
}

/* Raster and feeds: what moves paper, and what hold_until_cut holds back. */
static bool is_paper_motion(const uint8_t *p, size_t len)
{
    return (len > 8 && p[0] == 0x1D && p[1] == 0x76) ||
           (len == 3 && p[0] == 0x1B && (p[1] == 0x4A || p[1] == 0x64));
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* How many rows / feed dots the print rate allows since the last step (all when rate is 0). */
static uint64_t budget(struct escpos_model *m)
{
    if (m->rate == 0)
        return UINT64_MAX;
    uint64_t t = now_us();
    uint64_t units = (t - m->last_us) * m->rate / 1000000u;
    m->last_us += units * 1000000u / m->rate; /* keep the fraction for the next step */
    return units;
}

/*
 * Executes the command at the head of the print buffer, as far as *units allows. Returns
 * true when it is done (pop it), false when it must wait for more time.
 */
static bool execute(struct escpos_model *m, const uint8_t *p, size_t len, uint64_t *units)
{
    if (p[0] == 0x1B && len == 2) {
        m->n.inits++;
        return true;
    }
    if (p[0] == 0x1B && (p[1] == 0x4A || p[1] == 0x64)) { /* ESC J n dots, ESC d n lines */
        unsigned dots = p[1] == 0x4A ? p[2] : 30u * p[2];
        if (m->progress == 0)
            m->n.feeds++;
        while (m->progress<dots && * units> 0) {
            m->feed++;
            m->progress++;
            --*units;
        }
        return m->progress >= dots;
    }
    if (p[0] == 0x1D && p[1] == 0x56) {
        m->n.cuts++;
        if (m->cutter_arm)
            m->cutter_error = true;
        m->releases--;
        return true;
    }
    if (p[0] == 0x1D && p[1] == 0x72) { /* GS r n: executed in order */
        m->n.gs_r_requests++;
        if (!m->no_gs_r)
            reply(m, (uint8_t)(m->near_end ? 0x03 : 0));
        return true;
    }
    if (p[0] == 0x1D && p[1] == 0x76 && p[2] == 0x30 && len > 8) {
        unsigned xb = p[4] | p[5] << 8, rows = p[6] | p[7] << 8;
        if (m->progress == 0) {
            m->n.bands++;
            m->n.width = xb * 8;
        }
        while (m->progress<rows && * units> 0 && !offline(m)) {
            print_row(m, p + 8 + (size_t)m->progress * xb, xb);
            m->progress++;
            --*units;
        }
        return m->progress >= rows;
    }
    m->n.unknown++;
    return true;
}

/* Prints what the buffer holds, as far as time, hold mode and the printer's state allow. */
static void advance(struct escpos_model *m)
{
    uint64_t units = budget(m);
    bool waiting = false;
    while (m->q_head < m->q_len && !offline(m)) {
        const uint8_t *p = m->queue + m->q_head;
        size_t len = command_len(p, m->q_len - m->q_head);
        if (m->hold && m->releases == 0 && is_paper_motion(p, len))
            break; /* the receipt is not complete yet */
        if (!execute(m, p, len, &units)) {
            waiting = true;
            break;
        }
        m->progress = 0;
        m->q_head += len;
    }
    if (m->q_head == m->q_len)
        m->q_head = m->q_len = 0;
    if (!waiting && m->rate)
        m->last_us = now_us(); /* idle time buys no printing later */
}

/* One complete command from the host: real-time ones answered now, the rest buffered. */
static void receive(struct escpos_model *m, const uint8_t *p, size_t len)
{
    if (p[0] == 0x10) { /* DLE EOT n */
        if (len == 3 && p[1] == 0x04 && p[2] >= 1 && p[2] <= 4) {
            m->n.status_requests++;
            reply(m, dle_eot(m, p[2]));
        } else {
            m->n.unknown++;
        }
        return;
    }
    if (len > QUEUE_CAP - m->q_len && m->q_head > 0) {
        memmove(m->queue, m->queue + m->q_head, m->q_len - m->q_head);
        m->q_len -= m->q_head;
        m->q_head = 0;
    }
    if (len > QUEUE_CAP - m->q_len) {
        m->n.unknown++; /* buffer overflow: the oracle flags it */
        return;
    }
    if (m->q_head == m->q_len && m->rate)
        m->last_us = now_us(); /* printing starts now */
    memcpy(m->queue + m->q_len, p, len);
    m->q_len += len;
    if (releases_hold(p, len))
        m->releases++;
}

void escpos_model_host_write(struct escpos_model *m, const uint8_t *data, size_t n)
{
    pthread_mutex_lock(&m->mu);
    m->n.bytes += n;
    advance(m);
    while (n > 0) {
        size_t k = PENDING_CAP - m->pending_len < n ? PENDING_CAP - m->pending_len : n;
        memcpy(m->pending + m->pending_len, data, k);
        m->pending_len += k;
        data += k;
        n -= k;
        size_t off = 0, used;
        while (off < m->pending_len &&
               (used = command_len(m->pending + off, m->pending_len - off))) {
            receive(m, m->pending + off, used);
            off += used;
        }
        memmove(m->pending, m->pending + off, m->pending_len - off);
        m->pending_len -= off;
    }
    advance(m);
    pthread_mutex_unlock(&m->mu);
}

size_t escpos_model_host_read(struct escpos_model *m, uint8_t *buf, size_t cap)
{
    pthread_mutex_lock(&m->mu);
    advance(m); /* polled while an IN transfer waits: the printer prints meanwhile */
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

void escpos_model_soft_reset(struct escpos_model *m)
{
    pthread_mutex_lock(&m->mu);
    m->n.soft_resets++;
    m->pending_len = 0;
    m->q_head = m->q_len = 0;
    m->progress = 0;
    m->releases = 0;
    pthread_mutex_unlock(&m->mu);
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
SETTER(hold_until_cut, hold)
SETTER(no_gs_r, no_gs_r)

void escpos_model_set_print_rate(struct escpos_model *m, unsigned rows_per_s)
{
    pthread_mutex_lock(&m->mu);
    advance(m);
    m->rate = rows_per_s;
    m->last_us = now_us();
    pthread_mutex_unlock(&m->mu);
}

size_t escpos_model_buffered(struct escpos_model *m)
{
    pthread_mutex_lock(&m->mu);
    advance(m);
    size_t n = m->q_len - m->q_head;
    pthread_mutex_unlock(&m->mu);
    return n;
}

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
    advance(m);
    bool yes = m->unplug_rows >= 0 && (long)m->rows >= m->unplug_rows;
    pthread_mutex_unlock(&m->mu);
    return yes;
}

void escpos_model_counts(struct escpos_model *m, struct escpos_model_counts *out)
{
    pthread_mutex_lock(&m->mu);
    advance(m);
    *out = m->n;
    pthread_mutex_unlock(&m->mu);
}

uint8_t *escpos_model_take_bitmap(struct escpos_model *m, unsigned *width, unsigned *height)
{
    pthread_mutex_lock(&m->mu);
    advance(m);
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
