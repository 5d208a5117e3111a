/*
 * browse.h - the screens a resident browses the catalog with: a category's list of services,
 * a service's guide (办事指南), and the one calm screen for "this cannot be done here now".
 *
 * Like every screen (screens.h): a view-model in, pixels and named elements out, no state
 * kept. The three share a page frame: a header with back (top left), the page's title and
 * home (top right), and at the bottom the bar every resident screen shares (help, always red
 * and bottom left; hotline; elderly mode; voice; language). Element names are "<screen>.back",
 * "<screen>.home", "<screen>.help", "<screen>.hotline", "<screen>.elderly", "<screen>.voice",
 * "<screen>.language" plus each screen's own. Catalog texts are shown as given; the screens' own
 * words go through _().
 *
 * Main thread only.
 */
#ifndef BM_SCREENS_BROWSE_H
#define BM_SCREENS_BROWSE_H

#include "screens/screens.h"
#include "ui/widgets.h"

/* What every browse screen's vm carries for its frame. */
struct bm_browse_frame_vm {
    struct bm_kiosk_info kiosk;
    enum bm_lang lang;
    bool elderly;        /* elderly mode: fewer, larger items and plainer words */
    bool voice_on;       /* spoken guidance: the bar's voice button shows the state */
    const char *pressed; /* the element under a finger, drawn pressed; or NULL */
};

/* ---- category: the services of one catalog category ---------------------------------- */

struct bm_category_row {
    const char *id;      /* service id: element "category.service.<id>" */
    const char *title;   /* 居住证申领 */
    const char *summary; /* one line: "办理时限 15个工作日", "仅提供办事指南" */
    const char *glyph;
    enum bm_theme_hue hue;
    /* A device it needs is out of order: greyed with "暂停服务" and what is out, still
     * tappable (the problem screen explains and offers another way). */
    bool unavailable;
    const char *missing; /* the device out of order, "打印机"; NULL if none */
};

#define BM_CATEGORY_MAX_ROWS 64

struct bm_category_vm {
    struct bm_browse_frame_vm frame;
    const char *title;    /* 政务办理 */
    const char *subtitle; /* 户籍 · 证照 · 不动产 · 出入境 */
    const char *glyph;
    enum bm_theme_hue hue;
    const struct bm_category_row *rows;
    size_t row_count;                    /* at most BM_CATEGORY_MAX_ROWS */
    const struct bm_list_scroll *scroll; /* the list's scroll state; NULL: the top */
};

void bm_category_draw(struct bm_ui *ui, const struct bm_category_vm *vm);
/* Rows visible by at least a target's height ("category.service.<id>", BM_INTENT_SERVICE
 * with the row's index), "category.page_up" / "category.page_down" (BM_INTENT_PAGE -1 / +1)
 * and the frame's elements. */
size_t bm_category_elements(struct bm_ui *ui, const struct bm_category_vm *vm,
                            struct bm_screen_element *out, size_t cap);
/* The list's rectangle and widget, for the caller that scrolls it (bm_list_page, _step,
 * _touch_*). items must hold vm->row_count entries and live as long as *list; a greyed
 * row's detail line stays valid until the next call of a category function. */
void bm_category_list(struct bm_ui *ui, const struct bm_category_vm *vm, SDL_Rect *area,
                      struct bm_list *list, struct bm_list_item *items);

/* ---- guide: what a service is, who may apply, what to bring ------------------------ */

struct bm_guide_item {
    const char *text;   /* a condition, a material, a step, a question */
    const char *detail; /* a material's hint, a question's answer; NULL for none */
};

struct bm_guide_section {
    const char *title; /* the screen's own word, translated: "所需材料" */
    const char *text;  /* a paragraph before the items, or NULL */
    const struct bm_guide_item *items;
    size_t item_count;
    bool numbered; /* 1. 2. 3. (the process) instead of bullets */
};

#define BM_GUIDE_MAX_SECTIONS 8

struct bm_guide_vm {
    struct bm_browse_frame_vm frame;
    const char *title; /* 居住证申领 */
    const char *glyph;
    enum bm_theme_hue hue;
    const char *time_limit, *fee, *department; /* "" or NULL: left out */
    const struct bm_guide_section *sections;
    size_t section_count;
    int page; /* 0-based; clamped to the pages there are */
    /* Services with steps can be started here ("guide.start"); a guide only says where to
     * apply instead (the department). */
    bool can_start;
    const char *missing; /* a device the service needs is out of order; NULL if none */
};

void bm_guide_draw(struct bm_ui *ui, const struct bm_guide_vm *vm);
/* "guide.start" (BM_INTENT_APPLY) when the service can start, "guide.page_up" /
 * "guide.page_down" (BM_INTENT_PAGE) when the sections take more than one page, the frame's. */
size_t bm_guide_elements(struct bm_ui *ui, const struct bm_guide_vm *vm,
                         struct bm_screen_element *out, size_t cap);
/* How many pages the sections take on this ui. */
int bm_guide_pages(struct bm_ui *ui, const struct bm_guide_vm *vm);

/* ---- problem: one calm screen for every "cannot do that here now" ------------------- */

enum bm_problem_kind {
    BM_PROBLEM_DEVICE,     /* a device the service needs is out of order */
    BM_PROBLEM_NO_CATALOG, /* no service list has loaded */
    BM_PROBLEM_NOT_YET,    /* the service cannot be completed at this kiosk yet */
};

struct bm_problem_vm {
    struct bm_browse_frame_vm frame;
    enum bm_problem_kind kind;
    const char *service; /* the service's title, or NULL */
    const char *device;  /* BM_PROBLEM_DEVICE: what is out of order, "打印机" */
    /* Offer "choose another service" (back to where the resident came from); without it
     * home is the way on. */
    bool can_go_back;
};

void bm_problem_draw(struct bm_ui *ui, const struct bm_problem_vm *vm);
/* The next best paths, largest first: "problem.call" (BM_INTENT_HELP, the primary),
 * "problem.call_hotline" (BM_INTENT_HOTLINE), "problem.other" (BM_INTENT_BACK, when
 * can_go_back), "problem.go_home" (BM_INTENT_HOME); then the frame's. */
size_t bm_problem_elements(struct bm_ui *ui, const struct bm_problem_vm *vm,
                           struct bm_screen_element *out, size_t cap);

#endif
