/*
 * escpos_proto.c - ESC/POS command bytes, status replies and the IEEE 1284 device ID, with no
 * I/O. See escpos_proto.h.
 *
 * Design: builders write into the caller's buffer and return the length (0: too small), so the
 * driver streams a receipt band by band without allocating per band. Status parsers check the
 * fixed bits of each reply kind before trusting it: a host mixing DLE EOT, GS r and ASB (which
 * a printer may send unasked) tells them apart only by those bits. The device ID parser follows
 * CUPS (backend/usb-unix.c, backendGetDeviceID): big-endian length, little-endian when that is
 * implausible, under 14 bytes is nothing.
 *
 * Threads: pure; any thread.
 */
#include "escpos_proto.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t put(uint8_t *out, size_t cap, const uint8_t *b, size_t n)
{
    if (!out || cap < n)
        return 0;
    memcpy(out, b, n);
    return n;
}

size_t escpos_init(uint8_t *out, size_t cap)
{
    return put(out, cap, (const uint8_t[]){0x1B, 0x40}, 2);
}

size_t escpos_feed_dots(uint8_t *out, size_t cap, unsigned dots)
{
    /* ESC J n feeds n motion units (1/203 in on the usual heads), at most 255 at a time. */
    size_t len = 0;
    while (dots > 0) {
        unsigned n = dots > 255 ? 255 : dots;
        size_t k =
            put(out ? out + len : NULL, cap - len, (const uint8_t[]){0x1B, 0x4A, (uint8_t)n}, 3);
        if (k == 0)
            return 0;
        len += k;
        dots -= n;
    }
    return len;
}

size_t escpos_feed_lines(uint8_t *out, size_t cap, unsigned lines)
{
    return put(out, cap, (const uint8_t[]){0x1B, 0x64, (uint8_t)(lines > 255 ? 255 : lines)}, 3);
}

size_t escpos_cut(uint8_t *out, size_t cap, enum escpos_cut how)
{
    return put(out, cap, (const uint8_t[]){0x1D, 0x56, how == ESCPOS_CUT_FULL ? 0x00 : 0x01}, 3);
}

size_t escpos_feed_cut(uint8_t *out, size_t cap, enum escpos_cut how, unsigned n)
{
    uint8_t m = how == ESCPOS_CUT_FULL ? 0x41 : 0x42;
    return put(out, cap, (const uint8_t[]){0x1D, 0x56, m, (uint8_t)(n > 255 ? 255 : n)}, 4);
}

size_t escpos_dle_eot(uint8_t *out, size_t cap, unsigned n)
{
    if (n < 1 || n > 4)
        return 0;
    return put(out, cap, (const uint8_t[]){0x10, 0x04, (uint8_t)n}, 3);
}

size_t escpos_paper_sensor(uint8_t *out, size_t cap)
{
    return put(out, cap, (const uint8_t[]){0x1D, 0x72, 0x01}, 3);
}

unsigned escpos_band_count(const struct bm_raster *r, unsigned band_rows)
{
    if (!r || band_rows == 0 || band_rows > ESCPOS_MAX_BAND_ROWS)
        return 0;
    return (r->height + band_rows - 1) / band_rows;
}

size_t escpos_band_size(const struct bm_raster *r, unsigned band_rows)
{
    unsigned rows = r->height < band_rows ? r->height : band_rows;
    return ESCPOS_RASTER_HEADER + (size_t)((r->width + 7) / 8) * rows;
}

size_t escpos_raster_band(uint8_t *out, size_t cap, const struct bm_raster *r, unsigned band,
                          unsigned band_rows)
{
    if (!out || !r || !r->bits || r->width == 0 || r->width > 65535 * 8 ||
        band >= escpos_band_count(r, band_rows))
        return 0;
    unsigned first = band * band_rows;
    unsigned rows = r->height - first < band_rows ? r->height - first : band_rows;
    unsigned xbytes = (r->width + 7) / 8;
    size_t need = ESCPOS_RASTER_HEADER + (size_t)xbytes * rows;
    if (cap < need)
        return 0;
    uint8_t *p = out;
    *p++ = 0x1D;
    *p++ = 0x76;
    *p++ = 0x30;
    *p++ = 0; /* m: normal density */
    *p++ = (uint8_t)(xbytes & 0xFF);
    *p++ = (uint8_t)(xbytes >> 8);
    *p++ = (uint8_t)(rows & 0xFF);
    *p++ = (uint8_t)(rows >> 8);
    /* Dots past width in the last byte would print: clear them. */
    uint8_t last_mask = (uint8_t)(r->width % 8 ? 0xFF << (8 - r->width % 8) : 0xFF);
    for (unsigned y = 0; y < rows; y++) {
        memcpy(p, r->bits + (size_t)(first + y) * r->stride, xbytes);
        p[xbytes - 1] &= last_mask;
        p += xbytes;
    }
    return need;
}

/* ---- status ---- */

bool escpos_is_dle_eot_reply(uint8_t b)
{
    return (b & 0x93) == 0x12;
}

enum bm_err escpos_parse_dle_eot(unsigned n, uint8_t b, struct escpos_status *st)
{
    if (n < 1 || n > 4)
        return bm_err_set(BM_ERR_INVALID_ARG, "DLE EOT %u", n);
    if (!escpos_is_dle_eot_reply(b))
        return bm_err_set(BM_ERR_PARSE, "DLE EOT %u: reply %02x lacks its fixed bits", n, b);
    switch (n) {
    case 1:
        st->drawer = b & 0x04;
        st->offline = b & 0x08;
        break;
    case 2:
        st->cover_open = b & 0x04;
        st->feed_button = b & 0x08;
        st->paper_stop = b & 0x20;
        st->error = b & 0x40;
        break;
    case 3:
        st->mech_error = b & 0x04;
        st->cutter_error = b & 0x08;
        st->unrecoverable = b & 0x20;
        st->auto_recoverable = b & 0x40;
        break;
    default:
        st->paper_near_end = b & 0x0C;
        st->paper_end = b & 0x60;
        break;
    }
    st->have |= 1u << n;
    return BM_OK;
}

bool escpos_is_gs_r_reply(uint8_t b)
{
    return (b & 0xF0) == 0;
}

enum bm_err escpos_parse_gs_r(uint8_t b, struct escpos_status *st)
{
    if (!escpos_is_gs_r_reply(b))
        return bm_err_set(BM_ERR_PARSE, "GS r 1: reply %02x lacks its fixed bits", b);
    st->paper_near_end = b & 0x03;
    st->paper_end = b & 0x0C;
    st->have |= ESCPOS_HAVE_GSR;
    return BM_OK;
}

bool escpos_is_asb(const uint8_t *b, size_t len)
{
    if (!b || len < 4 || (b[0] & 0x93) != 0x10)
        return false;
    for (int i = 1; i < 4; i++)
        if (b[i] & 0x90)
            return false;
    return true;
}

enum bm_err escpos_parse_asb(const uint8_t *b, size_t len, struct escpos_status *st)
{
    if (!escpos_is_asb(b, len))
        return bm_err_set(BM_ERR_PARSE, "not an ASB block");
    st->drawer = b[0] & 0x04;
    st->offline = b[0] & 0x08;
    st->cover_open = b[0] & 0x20;
    st->feed_button = b[0] & 0x40;
    st->mech_error = b[1] & 0x04;
    st->cutter_error = b[1] & 0x08;
    st->unrecoverable = b[1] & 0x20;
    st->auto_recoverable = b[1] & 0x40;
    st->paper_near_end = b[2] & 0x03;
    st->paper_end = b[2] & 0x0C;
    st->have |= ESCPOS_HAVE_ASB;
    return BM_OK;
}

void escpos_map_status(const struct escpos_status *st, struct escpos_mapped *m)
{
    *m = (struct escpos_mapped){.device = BM_DEVICE_ONLINE,
                                .paper = st->paper_end        ? BM_PAPER_OUT
                                         : st->paper_near_end ? BM_PAPER_LOW
                                                              : BM_PAPER_FULL,
                                .cover_open = st->cover_open,
                                .cutter = st->cutter_error ? BM_CUTTER_ERROR : BM_CUTTER_OK,
                                .err = BM_OK,
                                .fix = BM_FIX_NONE,
                                .what = ""};
    /* Most serious first: a broken printer needs a technician whatever else it says. */
    if (st->unrecoverable) {
        m->device = BM_DEVICE_HARDWARE_ERROR;
        m->err = BM_ERR_DEVICE;
        m->fix = BM_FIX_MAINTENANCE;
        m->what = "unrecoverable printer error";
    } else if (st->cutter_error) {
        m->device = BM_DEVICE_HARDWARE_ERROR;
        m->err = BM_ERR_DEVICE;
        m->fix = BM_FIX_MAINTENANCE;
        m->what = "autocutter error";
    } else if (st->mech_error) {
        m->device = BM_DEVICE_HARDWARE_ERROR;
        m->err = BM_ERR_DEVICE;
        m->fix = BM_FIX_RESET;
        m->what = "recoverable mechanical error";
    } else if (st->cover_open) {
        m->device = BM_DEVICE_USER_ERROR;
        m->err = BM_ERR_STATE;
        m->fix = BM_FIX_CLEAR;
        m->what = "cover open";
    } else if (st->paper_end || st->paper_stop) {
        m->device = BM_DEVICE_USER_ERROR;
        m->paper = BM_PAPER_OUT;
        m->err = BM_ERR_NO_MEDIA;
        m->fix = BM_FIX_CLEAR;
        m->what = "paper out";
    } else if (st->auto_recoverable) {
        m->device = BM_DEVICE_OFFLINE;
        m->err = BM_ERR_DEVICE;
        m->fix = BM_FIX_SUSPEND;
        m->what = "auto-recoverable error (head temperature)";
    } else if (st->offline || st->error) {
        m->device = BM_DEVICE_OFFLINE;
        m->err = BM_ERR_DEVICE;
        m->fix = BM_FIX_SUSPEND;
        m->what = "printer offline";
    }
}

/* ---- IEEE 1284 device ID ---- */

static void copy_value(char *dst, size_t size, const char *v, size_t n)
{
    while (n > 0 && isspace((unsigned char)*v))
        v++, n--;
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        n--;
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) /* printable ASCII only: it goes to logs */
        dst[k++] = (v[i] >= 0x20 && v[i] < 0x7F) ? v[i] : '?';
    dst[k] = '\0';
}

static char *field_for(struct escpos_device_id *id, const char *key, size_t klen, size_t *size)
{
    static const struct {
        const char *key;
        size_t off, size;
    } keys[] = {
#define K(name, f)                                                                                 \
    {name, offsetof(struct escpos_device_id, f), sizeof((struct escpos_device_id *)0)->f}
        K("MFG", mfg),         K("MANUFACTURER", mfg), K("MDL", mdl),         K("MODEL", mdl),
        K("CMD", cmd),         K("COMMAND SET", cmd),  K("CLS", cls),         K("CLASS", cls),
        K("SN", sn),           K("SERN", sn),          K("SERIALNUMBER", sn), K("DES", des),
        K("DESCRIPTION", des),
#undef K
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].key) == klen && strncasecmp(keys[i].key, key, klen) == 0) {
            *size = keys[i].size;
            return (char *)id + keys[i].off;
        }
    return NULL;
}

enum bm_err escpos_parse_device_id(const uint8_t *buf, size_t len, struct escpos_device_id *out)
{
    memset(out, 0, sizeof *out);
    if (!buf || len < 2)
        return bm_err_set(BM_ERR_PARSE, "device ID: %zu bytes", len);
    size_t n = (size_t)buf[0] << 8 | buf[1];
    if (n > len || n < 14)
        n = (size_t)buf[1] << 8 | buf[0]; /* some printers send it little-endian */
    if (n > len)
        n = len;
    if (n < 14)
        return bm_err_set(BM_ERR_PARSE, "device ID: length %zu is under 14", n);
    const char *p = (const char *)buf + 2, *end = (const char *)buf + n;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        const char *colon = memchr(p, ':', (size_t)(stop - p));
        if (colon) {
            const char *k = p;
            size_t klen = (size_t)(colon - p);
            while (klen > 0 && isspace((unsigned char)*k))
                k++, klen--;
            while (klen > 0 && isspace((unsigned char)k[klen - 1]))
                klen--;
            size_t size;
            char *dst = field_for(out, k, klen, &size);
            if (dst && !*dst)
                copy_value(dst, size, colon + 1, (size_t)(stop - colon - 1));
        }
        p = stop + (semi ? 1 : 0);
    }
    if (!out->mfg[0] || !out->mdl[0])
        return bm_err_set(BM_ERR_PARSE, "device ID without manufacturer or model");
    return BM_OK;
}

bool escpos_device_id_is_escpos(const struct escpos_device_id *id)
{
    for (const char *p = id->cmd; *p; p++)
        if (strncasecmp(p, "ESC/POS", 7) == 0 || strncasecmp(p, "ESCPOS", 6) == 0)
            return true;
    return false;
}
