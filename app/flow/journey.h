/*
 * journey.h - scripted resident journeys: the text format of docs/journeys.md, parsed.
 *
 * A journey is a list of steps, one per line: tap a named element, present a test card, put a
 * page on the scanner, wait for a screen, expect a text on it. The parser is pure (no SDL, no
 * devices): it turns text into steps or says which line is wrong and why. journey_run.c plays
 * the steps on the kiosk's main loop. Any thread (a journey is not shared while parsed).
 */
#ifndef BM_FLOW_JOURNEY_H
#define BM_FLOW_JOURNEY_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

enum bm_journey_op {
    BM_JOURNEY_TAP,             /* tap NAME */
    BM_JOURNEY_CARD,            /* card [NAME]: a sim test card on the reader */
    BM_JOURNEY_REMOVE_CARD,     /* remove card */
    BM_JOURNEY_SCAN,            /* scan [PAGE.png]: a page on the sim scanner */
    BM_JOURNEY_REMOVE_PAGE,     /* remove page */
    BM_JOURNEY_CODE,            /* code TEXT: a barcode held to the reader */
    BM_JOURNEY_VOICE,           /* voice on|off */
    BM_JOURNEY_DEMO,            /* demo COMMAND...: any demo console command */
    BM_JOURNEY_WAIT_SCREEN,     /* wait screen NAME [SECONDS] */
    BM_JOURNEY_WAIT_PRINTED,    /* wait printed receipt|document [SECONDS] */
    BM_JOURNEY_WAIT,            /* wait SECONDS: a timer is the point (a session timeout) */
    BM_JOURNEY_EXPECT_TEXT,     /* expect text "TEXT" [SECONDS] */
    BM_JOURNEY_EXPECT_NO_TEXT,  /* expect no text "TEXT" [SECONDS] */
    BM_JOURNEY_EXPECT_ELEMENT,  /* expect element NAME [SECONDS] */
    BM_JOURNEY_EXPECT_LANGUAGE, /* expect language zh_CN|en [SECONDS] */
};

/* The longest line, and the longest argument, a journey may have. */
#define BM_JOURNEY_LINE_MAX 1024
/* How long a wait or an expectation waits when the line gives no SECONDS. */
#define BM_JOURNEY_DEFAULT_TIMEOUT_MS 30000u
/* The longest SECONDS a line may give (an hour: longer is a typo). */
#define BM_JOURNEY_MAX_SECONDS 3600

struct bm_journey_step {
    enum bm_journey_op op;
    unsigned line; /* 1-based line in the file, for messages */
    /* The element, card, page, code, screen, text (unquoted), printer, language or demo
     * command; "" when the step has none (card and scan without a name). */
    const char *arg;
    unsigned timeout_ms; /* waits and expectations; wait: the time to wait */
};

struct bm_journey;

/*
 * Parses text (len bytes, need not end in NUL). name is for messages ("first-visit.journey").
 * On a bad line: BM_ERR_PARSE with the detail "NAME:LINE: what is wrong", and *out NULL.
 * An empty journey (only comments) is an error too: it would pass without checking anything.
 */
enum bm_err bm_journey_parse(const char *text, size_t len, const char *name,
                             struct bm_journey **out);
/* Reads and parses a file (at most 1 MiB); the name in messages is the path. */
enum bm_err bm_journey_load(const char *path, struct bm_journey **out);
void bm_journey_free(struct bm_journey *j);

const char *bm_journey_name(const struct bm_journey *j);
/* The directory of the file it was loaded from ("." for parsed text): pages are found there. */
const char *bm_journey_dir(const struct bm_journey *j);
size_t bm_journey_count(const struct bm_journey *j);
const struct bm_journey_step *bm_journey_step(const struct bm_journey *j, size_t i);

/* The keyword of an op as written in a journey ("wait screen"), for messages. */
const char *bm_journey_op_name(enum bm_journey_op op);

#endif
