/*
 * flow_screens.h - each resident screen as the flow sees it: a name, a spoken prompt, how to
 * draw it from the flow's state and which elements it offers to a finger.
 *
 * A screen's glue (filling its view-model from the session, the catalog and the devices) lives
 * in its own flow file next to the screen it feeds (flow_screens.c for attract and home); the
 * flow looks every screen up in one table, so adding a screen is one file and one row.
 * Main thread only.
 */
#ifndef BM_FLOW_SCREENS_H
#define BM_FLOW_SCREENS_H

#include "screens/screens.h"

#include <stddef.h>

struct bm_flow;

/* The resident screens, in the order of the table. */
enum bm_flow_screen {
    BM_FLOW_ATTRACT,
    BM_FLOW_HOME,
    BM_FLOW_CATEGORY, /* a category's services (flow_browse.c) */
    BM_FLOW_GUIDE,    /* a service's guide */
    BM_FLOW_PROBLEM,  /* "cannot do that here now", with the next best paths */
    BM_FLOW_PROGRESS, /* a resident's query of an application (flow_progress.c) */
    BM_FLOW_SCREEN_COUNT
};

struct bm_flow_screen_ops {
    const char *name;   /* "home": logs, screenshot names, journeys ("wait screen home") */
    const char *prompt; /* the spoken prompt's msgid (N_), said through _() in the language shown */
    /* Draws the screen between bm_ui_frame_begin and bm_ui_frame_end. */
    void (*draw)(struct bm_flow *flow);
    /* Fills out (up to cap) with the tappable elements as drawn; returns how many there are. */
    size_t (*elements)(struct bm_flow *flow, struct bm_screen_element *out, size_t cap);
};

extern const struct bm_flow_screen_ops bm_flow_attract_screen;
extern const struct bm_flow_screen_ops bm_flow_home_screen;
extern const struct bm_flow_screen_ops bm_flow_category_screen, bm_flow_guide_screen,
    bm_flow_problem_screen;
extern const struct bm_flow_screen_ops bm_flow_progress_screen; /* flow_progress.c */

/* The screen's row of the table (never NULL for a valid screen). */
const struct bm_flow_screen_ops *bm_flow_screen_ops(enum bm_flow_screen screen);

/* The dialog over the current screen (flow_session.c), NULL if none: drawn after the screen,
 * its elements are the only ones while it shows. */
const struct bm_flow_screen_ops *bm_flow_overlay_ops(const struct bm_flow *flow);

#endif
