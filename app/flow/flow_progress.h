/*
 * flow_progress.h - the progress query's state in the flow (flow_progress.c): the number being
 * typed, the query under way and its answer. Main thread only.
 */
#ifndef BM_FLOW_PROGRESS_H
#define BM_FLOW_PROGRESS_H

#include "screens/screens.h"
#include "services/sync_application_status.h"
#include "ui/input_field.h"

#include <stdbool.h>
#include <stdint.h>

struct bm_flow;

struct bm_flow_progress {
    struct bm_input_field field;      /* the 14 digits after "BM" */
    char token[BM_APP_TOKEN_MAX + 1]; /* from a scanned receipt QR, else "" */
    enum bm_progress_phase phase;
    bool keyboard;               /* the digit pad shows */
    unsigned seq;                /* the query asked last; older answers are dropped */
    struct bm_app_status status; /* BM_PROGRESS_FOUND */
    unsigned retry_after_s;      /* BM_PROGRESS_BUSY */
    uint32_t anim_timer;         /* redraws the querying bar; 0 when none */
    bool scanning;               /* the barcode scanner was enabled for this screen */
};

/* The home screen's quick entry for the progress query ("home.quick.progress"). */
#define BM_FLOW_PROGRESS_QUICK_ID "progress"

/*
 * Handles a tap that belongs to the progress query: its quick entry on home, and everything on
 * its own screen but help and hotline. Returns false for the rest, which flow.c handles.
 */
bool bm_flow_progress_intent(struct bm_flow *flow, struct bm_intent in, const char *name);

/* A code the barcode scanner read while the progress screen shows (a receipt's QR code). */
void bm_flow_progress_code(struct bm_flow *flow, const char *text);

/* Adds the progress query to home's quick entries (the last place; the catalog's come first). */
struct bm_home_parts;
void bm_flow_progress_quick_entry(enum bm_lang lang, struct bm_home_parts *parts,
                                  struct bm_home_vm *vm);

/* The session ended: what was typed and found is wiped. */
void bm_flow_progress_reset(struct bm_flow *flow);

#endif
