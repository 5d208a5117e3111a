/*
 * flow_browse.c - browsing the catalog: home's category tiles open a category's list, its
 * rows and home's quick entries open a service's guide, and whatever cannot be done here now
 * opens the problem screen with the next best paths.
 *
 * The state is ids, not pointers (struct bm_flow_browse): the catalog may be swapped between
 * two frames, and every frame looks the category and service up again in the catalog in
 * force, in the session's language and against the devices that work at that moment. Back
 * goes where the resident came from: the guide of a quick entry back to home, the guide of
 * a row back to its list (scrolled where it was), the problem screen back to the screen
 * that led to it. Starting a service leads to the problem screen for now: the steps (fill
 * in, scan, submit) are not built yet, and saying so plainly with a person and the hotline
 * on offer beats a button that does nothing.
 *
 * Main thread only.
 */
#include "catalog_view.h"
#include "flow_internal.h"

#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"

#include <stdio.h>
#include <string.h>

static struct bm_browse_frame_vm frame_of(const struct bm_flow *flow)
{
    return (struct bm_browse_frame_vm){.kiosk = flow->kiosk,
                                       .lang = flow->lang,
                                       .elderly = flow->elderly,
                                       .voice_on = flow->voice_on,
                                       .pressed = flow->pressed[0] ? flow->pressed : NULL};
}

static bm_device_mask usable(const struct bm_flow *flow)
{
    return flow->devices ? bm_devices_usable(flow->devices) : ~(bm_device_mask)0;
}

static const struct bm_catalog_service *current_service(const struct bm_flow *flow)
{
    const struct bm_catalog *cat = bm_flow_catalog(flow);
    return cat ? bm_catalog_service_find(cat, flow->browse.service) : NULL;
}

/* ---- category ---- */

static void fill_category(const struct bm_flow *flow, struct bm_category_vm *vm,
                          struct bm_category_parts *parts)
{
    *vm = (struct bm_category_vm){.frame = frame_of(flow), .scroll = &flow->browse.scroll};
    bm_catalog_view_category(bm_flow_catalog(flow), flow->browse.category, flow->lang,
                             flow->elderly, usable(flow), parts, vm);
}

static void draw_category(struct bm_flow *flow)
{
    struct bm_category_vm vm;
    static struct bm_category_parts parts; /* 8 KiB of summaries: not on the stack */
    fill_category(flow, &vm, &parts);
    bm_category_draw(flow->ui, &vm);
}

static size_t category_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_category_vm vm;
    static struct bm_category_parts parts;
    fill_category(flow, &vm, &parts);
    return bm_category_elements(flow->ui, &vm, out, cap);
}

const struct bm_flow_screen_ops bm_flow_category_screen = {
    .name = "category",
    .prompt = N_("Please choose a service. Page down for more. To go back, press the button at "
                 "the top left."),
    .draw = draw_category,
    .elements = category_elements,
};

/* A page change or a flick moves the list on: one frame per tick until it rests. */
static bool glide(void *ud)
{
    struct bm_flow *flow = ud;
    struct bm_category_vm vm;
    static struct bm_category_parts parts;
    struct bm_list_item items[BM_CATEGORY_MAX_ROWS];
    struct bm_list list;
    SDL_Rect area;
    fill_category(flow, &vm, &parts);
    bm_category_list(flow->ui, &vm, &area, &list, items);
    int next = bm_list_step(flow->ui, area, &list, &flow->browse.scroll, SDL_GetTicks());
    bm_ui_invalidate(flow->ui);
    if (next < 0 || flow->screen != BM_FLOW_CATEGORY) {
        flow->browse.glide_timer = 0;
        return false;
    }
    return true;
}

static void start_glide(struct bm_flow *flow)
{
    if (!flow->browse.glide_timer)
        flow->browse.glide_timer = bm_loop_timer_add(16, true, glide, flow);
    if (!flow->browse.glide_timer) { /* no timer: jump there rather than not move */
        flow->browse.scroll.offset = flow->browse.scroll.target;
        flow->browse.scroll.gliding = false;
        flow->browse.scroll.velocity = 0.0f;
    }
}

/* The category list as the screen lays it out now: area and widget (items in storage). */
struct list_now {
    struct bm_category_vm vm;
    struct bm_list_item items[BM_CATEGORY_MAX_ROWS];
    struct bm_list list;
    SDL_Rect area;
};

static void list_now(struct bm_flow *flow, struct list_now *l)
{
    static struct bm_category_parts parts;
    fill_category(flow, &l->vm, &parts);
    bm_category_list(flow->ui, &l->vm, &l->area, &l->list, l->items);
}

static void page_category(struct bm_flow *flow, int dir)
{
    struct list_now l;
    list_now(flow, &l);
    flow->browse.scroll.last_ms = SDL_GetTicks();
    bm_list_page(flow->ui, l.area, &l.list, &flow->browse.scroll, dir < 0 ? -1 : 1);
    if (flow->browse.scroll.gliding)
        start_glide(flow);
    bm_ui_invalidate(flow->ui);
}

bool bm_flow_browse_pointer(struct bm_flow *flow, enum bm_pointer_phase phase, int x, int y,
                            uint32_t ms)
{
    struct bm_list_scroll *s = &flow->browse.scroll;
    if (flow->screen != BM_FLOW_CATEGORY)
        return false;
    struct list_now l;
    list_now(flow, &l);
    switch (phase) {
    case BM_POINTER_DOWN:
        bm_loop_timer_cancel(flow->browse.glide_timer); /* a finger stops a glide */
        flow->browse.glide_timer = 0;
        bm_list_touch_down(flow->ui, l.area, &l.list, s, x, y, ms);
        if (!s->dragging)
            return false; /* not on the rows: the page buttons and the frame act on press */
        bm_ui_invalidate(flow->ui);
        return true;
    case BM_POINTER_MOVE:
        if (!s->dragging)
            return false;
        bm_list_touch_move(flow->ui, l.area, &l.list, s, y, ms);
        if (s->press_row < 0)
            flow->pressed[0] = '\0'; /* a drag, not a tap: no row is pressed */
        bm_ui_invalidate(flow->ui);
        return true;
    case BM_POINTER_UP: {
        if (!s->dragging)
            return false;
        int row = bm_list_touch_up(flow->ui, l.area, &l.list, s, ms);
        bm_ui_invalidate(flow->ui);
        if (row >= 0) {
            char name[BM_SCREEN_NAME_MAX];
            snprintf(name, sizeof name, "category.service.%s", l.vm.rows[row].id);
            bm_log_info("flow", "tap %s", name);
            bm_flow_browse_intent(flow, (struct bm_intent){BM_INTENT_SERVICE, row});
        } else if (s->velocity != 0.0f) {
            start_glide(flow); /* a flick: momentum, slowing to rest */
        }
        return true;
    }
    }
    return false;
}

/* ---- guide ---- */

static void fill_guide(const struct bm_flow *flow, struct bm_guide_vm *vm,
                       struct bm_guide_parts *parts)
{
    *vm = (struct bm_guide_vm){.frame = frame_of(flow), .page = flow->browse.guide_page};
    const struct bm_catalog_service *svc = current_service(flow);
    if (svc)
        bm_catalog_view_guide(svc, flow->lang, flow->elderly, usable(flow), parts, vm);
}

static void draw_guide(struct bm_flow *flow)
{
    struct bm_guide_vm vm;
    struct bm_guide_parts parts;
    fill_guide(flow, &vm, &parts);
    bm_guide_draw(flow->ui, &vm);
}

static size_t guide_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_guide_vm vm;
    struct bm_guide_parts parts;
    fill_guide(flow, &vm, &parts);
    return bm_guide_elements(flow->ui, &vm, out, cap);
}

const struct bm_flow_screen_ops bm_flow_guide_screen = {
    .name = "guide",
    .prompt = N_("This is the service guide: what to bring and how long it takes. Press Start "
                 "when you are ready."),
    .draw = draw_guide,
    .elements = guide_elements,
};

static void page_guide(struct bm_flow *flow, int dir)
{
    struct bm_guide_vm vm;
    struct bm_guide_parts parts;
    fill_guide(flow, &vm, &parts);
    int pages = bm_guide_pages(flow->ui, &vm);
    int page = flow->browse.guide_page + (dir < 0 ? -1 : 1);
    flow->browse.guide_page = page < 0 ? 0 : page >= pages ? pages - 1 : page;
    bm_ui_invalidate(flow->ui);
}

/* ---- problem ---- */

static void fill_problem(const struct bm_flow *flow, struct bm_problem_vm *vm)
{
    const struct bm_catalog_service *svc = current_service(flow);
    *vm = (struct bm_problem_vm){
        .frame = frame_of(flow),
        .kind = flow->browse.problem,
        .service = svc ? bm_text_get(&svc->title, flow->lang) : NULL,
        .device = bm_catalog_view_device(flow->browse.problem_missing),
        .can_go_back = flow->browse.problem_back != BM_FLOW_HOME,
    };
}

static void draw_problem(struct bm_flow *flow)
{
    struct bm_problem_vm vm;
    fill_problem(flow, &vm);
    bm_problem_draw(flow->ui, &vm);
}

static size_t problem_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_problem_vm vm;
    fill_problem(flow, &vm);
    return bm_problem_elements(flow->ui, &vm, out, cap);
}

const struct bm_flow_screen_ops bm_flow_problem_screen = {
    .name = "problem",
    .prompt = N_("This can't be done here right now. Press the red button and a staff member "
                 "will help you, or call the hotline."),
    .draw = draw_problem,
    .elements = problem_elements,
};

static void show_problem(struct bm_flow *flow, enum bm_problem_kind kind, bm_device_mask missing)
{
    flow->browse.problem = kind;
    flow->browse.problem_missing = missing;
    flow->browse.problem_back = flow->screen;
    bm_flow_show(flow, BM_FLOW_PROBLEM);
}

/* ---- navigation ---- */

static void open_category(struct bm_flow *flow, int index)
{
    const struct bm_catalog *cat = bm_flow_catalog(flow);
    const struct bm_catalog_category *c =
        cat && index >= 0 && (size_t)index < bm_catalog_category_count(cat)
            ? bm_catalog_category_at(cat, (size_t)index)
            : NULL;
    if (!c) {
        flow->browse.service[0] = '\0';
        show_problem(flow, BM_PROBLEM_NO_CATALOG, 0);
        return;
    }
    snprintf(flow->browse.category, sizeof flow->browse.category, "%s", c->id);
    bm_loop_timer_cancel(flow->browse.glide_timer);
    flow->browse.glide_timer = 0;
    flow->browse.scroll = (struct bm_list_scroll){.press_row = -1};
    bm_flow_show(flow, BM_FLOW_CATEGORY);
}

/* A service chosen from entry (its row or quick entry): its guide, or, when a device it needs
 * is out of order, the problem screen naming it. */
static void open_service(struct bm_flow *flow, const struct bm_catalog_entry *entry)
{
    snprintf(flow->browse.service, sizeof flow->browse.service, "%s", entry->service->id);
    if (entry->missing) {
        show_problem(flow, BM_PROBLEM_DEVICE, entry->missing);
        return;
    }
    flow->browse.guide_back = flow->screen;
    flow->browse.guide_page = 0;
    bm_flow_show(flow, BM_FLOW_GUIDE);
}

static void open_entry(struct bm_flow *flow, int index, bool quick)
{
    const struct bm_catalog *cat = bm_flow_catalog(flow);
    struct bm_catalog_entry entries[BM_CATEGORY_MAX_ROWS];
    size_t n = 0;
    if (cat && quick)
        n = bm_catalog_quick_entries(cat, usable(flow), entries, BM_CATEGORY_MAX_ROWS);
    else if (cat)
        n = bm_catalog_services_of(cat, bm_catalog_category_find(cat, flow->browse.category),
                                   usable(flow), entries, BM_CATEGORY_MAX_ROWS);
    if (index < 0 || (size_t)index >= n || (size_t)index >= BM_CATEGORY_MAX_ROWS) {
        flow->browse.service[0] = '\0';
        show_problem(flow, BM_PROBLEM_NO_CATALOG, 0);
        return;
    }
    open_service(flow, &entries[index]);
}

static void start_service(struct bm_flow *flow)
{
    const struct bm_catalog_service *svc = current_service(flow);
    bm_device_mask missing = svc ? svc->devices & ~usable(flow) : 0;
    /* The steps are not built yet: honest about it, with a person and the hotline on offer. */
    show_problem(flow, missing ? BM_PROBLEM_DEVICE : BM_PROBLEM_NOT_YET, missing);
}

static void back(struct bm_flow *flow)
{
    switch (flow->screen) {
    case BM_FLOW_GUIDE:
        bm_flow_show(flow, flow->browse.guide_back);
        break;
    case BM_FLOW_PROBLEM:
        bm_flow_show(flow, flow->browse.problem_back);
        break;
    default:
        bm_flow_show(flow, BM_FLOW_HOME);
        break;
    }
}

static bool on_browse_screen(const struct bm_flow *flow)
{
    return flow->screen == BM_FLOW_CATEGORY || flow->screen == BM_FLOW_GUIDE ||
           flow->screen == BM_FLOW_PROBLEM;
}

bool bm_flow_browse_intent(struct bm_flow *flow, struct bm_intent in)
{
    switch (in.kind) {
    case BM_INTENT_CATEGORY:
        open_category(flow, in.index);
        return true;
    case BM_INTENT_QUICK:
        open_entry(flow, in.index, true);
        return true;
    case BM_INTENT_SERVICE:
        if (flow->screen != BM_FLOW_CATEGORY)
            return false;
        open_entry(flow, in.index, false);
        return true;
    case BM_INTENT_PAGE:
        if (flow->screen == BM_FLOW_CATEGORY)
            page_category(flow, in.index);
        else if (flow->screen == BM_FLOW_GUIDE)
            page_guide(flow, in.index);
        else
            return false;
        return true;
    case BM_INTENT_APPLY:
        if (flow->screen != BM_FLOW_GUIDE)
            return false;
        start_service(flow);
        return true;
    case BM_INTENT_BACK:
        if (!on_browse_screen(flow))
            return false;
        back(flow);
        return true;
    case BM_INTENT_HOME:
        bm_flow_show(flow, BM_FLOW_HOME);
        return true;
    default:
        return false;
    }
}
