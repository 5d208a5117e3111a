/*
 * fuzz_journey.c - libFuzzer target for the journey parser (app/flow/journey.c): any bytes
 * give either a refusal that names the line ("NAME:LINE: ...") or a journey whose steps keep
 * the format's promises (lines in order, arguments within a line's length, timeouts within
 * an hour, the texts of text expectations never empty). The target aborts where they break.
 * Single-threaded, as libFuzzer runs it.
 */
#include "flow/journey.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bm_journey *j = NULL;
    enum bm_err err = bm_journey_parse((const char *)data, size, "fuzz", &j);
    if (err != BM_OK) {
        check(j == NULL && (err == BM_ERR_PARSE || err == BM_ERR_NO_MEMORY));
        check(err != BM_ERR_PARSE || strncmp(bm_err_detail(), "fuzz:", 5) == 0);
        return 0;
    }
    check(j != NULL && bm_journey_count(j) > 0);
    unsigned last = 0;
    for (size_t i = 0; i < bm_journey_count(j); i++) {
        const struct bm_journey_step *st = bm_journey_step(j, i);
        check(st->line > last);
        last = st->line;
        check(st->arg != NULL && strlen(st->arg) <= BM_JOURNEY_LINE_MAX);
        check(st->timeout_ms <= BM_JOURNEY_MAX_SECONDS * 1000u);
        check(strcmp(bm_journey_op_name(st->op), "?") != 0);
        if (st->op == BM_JOURNEY_EXPECT_TEXT || st->op == BM_JOURNEY_EXPECT_NO_TEXT ||
            st->op == BM_JOURNEY_TAP || st->op == BM_JOURNEY_WAIT_SCREEN)
            check(st->arg[0] != '\0');
        if (st->op == BM_JOURNEY_WAIT)
            check(st->timeout_ms > 0);
    }
    check(bm_journey_step(j, bm_journey_count(j)) == NULL);
    bm_journey_free(j);
    return 0;
}
