/*
 * fuzz_app_status.c - libFuzzer target for the centre's answer to a status GET and for the
 * codes a barcode scanner reads off a receipt (services/sync_application_status.h): both come
 * from outside. Any bytes must give a clean refusal, or a status that keeps its promises (the
 * number asked for, a known state, NUL-terminated notes of valid length); a receipt code is
 * taken only with a valid number and a token of the allowed characters. The target aborts
 * where the code breaks its contract. Single-threaded, as libFuzzer runs it.
 */
#include "services/sync_application_status.h"

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

static bool token_ok(const char *t)
{
    for (; *t; t++)
        if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
              *t == '-' || *t == '_'))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The status answer, asked for one number and for none in particular. */
    static const char *const asked[] = {"BM20261129000123", NULL};
    for (size_t i = 0; i < 2; i++) {
        struct bm_app_status st;
        enum bm_err err = bm_app_status_parse((const char *)data, size, asked[i], &st);
        if (err != BM_OK) {
            check(err == BM_ERR_PARSE && st.number[0] == '\0');
            continue;
        }
        check(bm_app_number_valid(st.number));
        check(!asked[i] || strcmp(st.number, asked[i]) == 0);
        check((unsigned)st.state <= BM_APP_COMPLETED);
        check(strlen(st.note_zh) < sizeof st.note_zh && strlen(st.note_en) < sizeof st.note_en);
        check(memchr(st.service, '\0', sizeof st.service) != NULL);
    }

    /* The same bytes as a scanned code. */
    char text[4097];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    char number[BM_APP_NUMBER_LEN + 1], token[BM_APP_TOKEN_MAX + 1];
    if (bm_app_receipt_code(text, number, token)) {
        check(bm_app_number_valid(number));
        check(strlen(token) <= BM_APP_TOKEN_MAX && token_ok(token));
    } else {
        check(number[0] == '\0' && token[0] == '\0');
    }
    return 0;
}
