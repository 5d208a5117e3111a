/*
 * code128.c - a Code 128 encoder (ISO/IEC 15417), pure code.
 *
 * Design: the 107 symbol patterns are kept as their six bar/space widths (seven for stop),
 * which is how the standard tabulates them and easy to check by eye: every symbol is 11
 * modules wide (stop 13). Code set C (two digits per symbol) is used for an all-digit text of
 * even length, code set B (ASCII 32..126) otherwise; that covers tracking ids and URLs without
 * the set-switching optimiser a general encoder would have. The check symbol is the start
 * value plus the sum of each data value times its position, modulo 103.
 *
 * Threads: any (no state).
 */
#include "document.h"

#include <string.h>

static const char patterns[107][8] = {
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",  "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122",  "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",  "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123",  "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331",  "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311",  "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411",  "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412",  "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",  "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211",  "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113",  "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
};

#define START_B 104u
#define START_C 105u
#define STOP    106u

/* Appends one symbol's modules; false if out of room. */
static bool put(unsigned sym, unsigned char *out, size_t cap, size_t *n)
{
    const char *w = patterns[sym];
    for (size_t i = 0; w[i]; i++) {
        unsigned width = (unsigned)(w[i] - '0');
        for (unsigned k = 0; k < width; k++) {
            if (*n >= cap)
                return false;
            out[(*n)++] = (i % 2 == 0); /* bars at even positions */
        }
    }
    return true;
}

enum bm_err bm_code128_encode(const char *text, unsigned char *out, size_t cap, size_t *n,
                              unsigned *values, size_t *nvalues)
{
    if (!text || !out || !n)
        return bm_err_set(BM_ERR_INVALID_ARG, "code128: NULL argument");
    size_t len = strnlen(text, BM_DOC_MAX_BARCODE + 1);
    if (len == 0 || len > BM_DOC_MAX_BARCODE)
        return bm_err_set(BM_ERR_INVALID_ARG, "code128: text of 1..%u characters",
                          BM_DOC_MAX_BARCODE);
    bool digits = len % 2 == 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 32 || c > 126)
            return bm_err_set(BM_ERR_INVALID_ARG, "code128: character %zu is not printable ASCII",
                              i);
        digits = digits && c >= '0' && c <= '9';
    }

    unsigned syms[BM_DOC_MAX_BARCODE + 3];
    size_t ns = 0;
    syms[ns++] = digits ? START_C : START_B;
    if (digits)
        for (size_t i = 0; i < len; i += 2)
            syms[ns++] = (unsigned)(text[i] - '0') * 10u + (unsigned)(text[i + 1] - '0');
    else
        for (size_t i = 0; i < len; i++)
            syms[ns++] = (unsigned)(unsigned char)text[i] - 32u;
    unsigned sum = syms[0];
    for (size_t i = 1; i < ns; i++)
        sum += syms[i] * (unsigned)i;
    syms[ns++] = sum % 103u;
    syms[ns++] = STOP;

    *n = 0;
    for (size_t i = 0; i < ns; i++)
        if (!put(syms[i], out, cap, n))
            return bm_err_set(BM_ERR_NO_MEMORY, "code128: %zu modules do not fit", cap);
    if (values) {
        memcpy(values, syms, ns * sizeof *syms);
        *nvalues = ns;
    }
    return BM_OK;
}
