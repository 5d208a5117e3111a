/*
 * bench_sam.c - what one ID card read costs the kiosk, apart from the reader's own time.
 *
 * The emulated reader (tests/driver/sam_model.c) answers the driver's read sequence (find,
 * select, read text + photo, appended address) once, and the answers are kept. Then the
 * host's side of a read runs RUNS times on them: building each command frame, taking each
 * answer through the stream parser in 64-byte pieces (a USB full-speed packet), splitting the
 * read, decoding the text block into an identity in secure buffers, decoding the appended
 * address, and freeing (wiping) the identity. Prints the median and best time per read, the
 * bytes on the wire per read both ways, and how long those bytes take at 115200 baud (a serial
 * reader's floor). A benchmark prints numbers; it does not pass or fail.
 * Usage: bench_sam [RUNS]   (built with the tests; see tests/bench/run.sh)
 */
#include "sam_model.h"

#include "drivers/sam/sam_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint16_t sequence[] = {SAM_CMD_FIND, SAM_CMD_SELECT, SAM_CMD_READ,
                                    SAM_CMD_READ_ADDRESS};
#define STEPS (sizeof sequence / sizeof sequence[0])

struct step {
    uint8_t reply[SAM_MAX_FRAME];
    size_t reply_len, command_len;
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Records the model's answer to each command of the sequence. */
static void record(struct step *steps)
{
    struct sam_model *m = sam_model_new();
    sam_model_insert_preset(m, SAM_MODEL_PRESET_RESIDENT_72); /* with an appended address */
    for (size_t i = 0; i < STEPS; i++) {
        uint8_t frame[64];
        steps[i].command_len = sam_build_command(sequence[i], NULL, 0, frame, sizeof frame);
        sam_model_host_write(m, frame, steps[i].command_len);
        steps[i].reply_len = sam_model_host_read(m, steps[i].reply, sizeof steps[i].reply);
    }
    sam_model_free(m);
}

/* The host's side of one read. Returns false if anything failed. */
static bool host_read(const struct step *steps, struct sam_rx *rx)
{
    bool ok = true;
    for (size_t i = 0; i < STEPS && ok; i++) {
        uint8_t frame[64];
        ok = sam_build_command(sequence[i], NULL, 0, frame, sizeof frame) > 0;
        sam_rx_reset(rx);
        struct sam_response resp;
        enum sam_rx_result got = SAM_RX_NEED_MORE;
        for (size_t at = 0; at < steps[i].reply_len && got == SAM_RX_NEED_MORE; at += 64) {
            size_t n = steps[i].reply_len - at < 64 ? steps[i].reply_len - at : 64;
            sam_rx_push(rx, steps[i].reply + at, n);
            got = sam_rx_take(rx, &resp);
        }
        ok = ok && got == SAM_RX_FRAME && sam_response_ok(&resp);
        if (ok && sequence[i] == SAM_CMD_READ) {
            struct sam_read_parts parts;
            struct bm_identity *id = NULL;
            ok = sam_split_read(&resp, false, &parts) == BM_OK &&
                 sam_decode_text(parts.text, &id) == BM_OK;
            bm_identity_free(id);
        } else if (ok && sequence[i] == SAM_CMD_READ_ADDRESS) {
            char text[512];
            ok = sam_decode_appended_address(resp.data, resp.data_len, text, sizeof text) > 0;
        }
    }
    return ok;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 2000;
    if (runs < 1)
        runs = 1;
    static struct step steps[STEPS];
    record(steps);
    size_t wire = 0;
    for (size_t i = 0; i < STEPS; i++)
        wire += steps[i].command_len + steps[i].reply_len;

    static struct sam_rx rx;
    double *t = malloc(sizeof *t * (size_t)runs);
    if (!t)
        return 1;
    for (int i = 0; i < runs; i++) {
        double t0 = now_us();
        if (!host_read(steps, &rx)) {
            fprintf(stderr, "bench_sam: the read sequence failed\n");
            return 1;
        }
        t[i] = now_us() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, by_value);
    printf("card read, host side (%d runs): median %.1f us, best %.1f us\n", runs, t[runs / 2],
           t[0]);
    printf("bytes on the wire per read: %zu (find %zu, select %zu, read %zu, address %zu; "
           "commands and answers)\n",
           wire, steps[0].command_len + steps[0].reply_len,
           steps[1].command_len + steps[1].reply_len, steps[2].command_len + steps[2].reply_len,
           steps[3].command_len + steps[3].reply_len);
    printf("those bytes at 115200 baud 8N1: %.1f ms\n", (double)wire * 10.0 / 115200.0 * 1e3);
    free(t);
    return 0;
}
