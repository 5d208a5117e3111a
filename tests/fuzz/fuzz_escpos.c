/*
 * fuzz_escpos.c - libFuzzer target for the receipt printer's reply parsers: DLE EOT 1..4,
 * GS r 1 and ASB status bytes, and the IEEE 1284 device ID.
 *
 * The first input byte picks the use: the rest goes whole to the device ID parser, and also
 * through the status parsers the way the driver reads replies (each byte tried as a DLE EOT
 * reply for n = 1..4 in turn, as GS r 1, and each 4-byte window as an ASB block), and every
 * parsed status is mapped onto the device model. The target aborts where the code breaks its
 * own contract: a parser that accepts a byte its classifier refuses (or the other way), a
 * device ID field that is not a terminated printable string, a mapping with an error but no
 * fix or no text. Single-threaded, as libFuzzer runs it.
 */
#include "drivers/escpos/escpos_proto.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void check_field(const char *f, size_t size)
{
    size_t n = strnlen(f, size);
    check(n < size);
    for (size_t i = 0; i < n; i++)
        check(f[i] >= 0x20 && f[i] < 0x7F);
}

static void check_map(const struct escpos_status *st)
{
    struct escpos_mapped m;
    escpos_map_status(st, &m);
    check(m.what != NULL);
    check((m.err == BM_OK) == (m.fix == BM_FIX_NONE));
    check((m.err == BM_OK) == (m.what[0] == '\0'));
    check(m.err == BM_OK || m.device != BM_DEVICE_ONLINE);
    check(!st->paper_end || m.paper == BM_PAPER_OUT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct escpos_device_id id;
    if (escpos_parse_device_id(data, size, &id) == BM_OK) {
        check(id.mfg[0] && id.mdl[0]);
        check_field(id.mfg, sizeof id.mfg);
        check_field(id.mdl, sizeof id.mdl);
        check_field(id.cmd, sizeof id.cmd);
        check_field(id.cls, sizeof id.cls);
        check_field(id.sn, sizeof id.sn);
        check_field(id.des, sizeof id.des);
        (void)escpos_device_id_is_escpos(&id);
    }
    struct escpos_status st = {0};
    for (size_t i = 0; i < size; i++) {
        unsigned n = (unsigned)(i % 4) + 1;
        enum bm_err e = escpos_parse_dle_eot(n, data[i], &st);
        check((e == BM_OK) == escpos_is_dle_eot_reply(data[i]));
        e = escpos_parse_gs_r(data[i], &st);
        check((e == BM_OK) == escpos_is_gs_r_reply(data[i]));
        /* a byte is never both a DLE EOT and a GS r reply: the host tells them apart */
        check(!(escpos_is_dle_eot_reply(data[i]) && escpos_is_gs_r_reply(data[i])));
        if (i + 4 <= size) {
            e = escpos_parse_asb(data + i, size - i, &st);
            check((e == BM_OK) == escpos_is_asb(data + i, size - i));
            check(!(escpos_is_asb(data + i, 4) && escpos_is_dle_eot_reply(data[i])));
        }
        check_map(&st);
    }
    return 0;
}
