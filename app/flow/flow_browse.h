/*
 * flow_browse.h - the flow's part of browsing the catalog (flow_browse.c): which category and
 * service are shown, where back goes, and the intents of the category, guide and problem
 * screens. Main thread only.
 */
#ifndef BM_FLOW_BROWSE_H
#define BM_FLOW_BROWSE_H

#include "flow_screens.h"

#include "screens/browse.h"
#include "services/catalog.h"

#include <stdint.h>

struct bm_flow;

struct bm_flow_browse {
    char category[64];              /* the category listed (its catalog id) */
    char service[64];               /* the service whose guide or problem shows */
    struct bm_list_scroll scroll;   /* the category list's */
    uint32_t glide_timer;           /* a page change gliding, 0 if none */
    int guide_page;                 /* 0-based */
    enum bm_flow_screen guide_back; /* the list, or home for a quick entry */
    enum bm_flow_screen problem_back;
    enum bm_problem_kind problem;
    bm_device_mask problem_missing; /* BM_PROBLEM_DEVICE: what is out of order */
};

/* Where a finger (or the mouse button) is in a press. */
enum bm_pointer_phase { BM_POINTER_DOWN, BM_POINTER_MOVE, BM_POINTER_UP };

/* A finger on the category list at (x, y), at ms (the event's timestamp). Down in the list's
 * rows starts a drag and returns true: the flow does not act on the press, a row opens when
 * the finger lifts without having moved (a drag scrolls, a flick glides on). Move and up
 * return true while a drag is on. Everything else returns false. */
bool bm_flow_browse_pointer(struct bm_flow *flow, enum bm_pointer_phase phase, int x, int y,
                            uint32_t ms);

/* Acts on in if it is one of browsing's (from home: a category or a quick entry; on the
 * browse screens: a service, a page, start, back, home). False if it is not. */
bool bm_flow_browse_intent(struct bm_flow *flow, struct bm_intent in);

#endif
