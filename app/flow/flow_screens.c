/*
 * flow_screens.c - the table of resident screens, and the glue of the first two: the attract
 * screen and home, filled from the kiosk's config, the catalog (the centre's notices before
 * the catalog's) and the devices that work now. Main thread only.
 */
#include "catalog_view.h"
#include "flow_internal.h"

#include "core/i18n.h"

/* One row a screen, one a line. */
/* clang-format off */
static const struct bm_flow_screen_ops *const screens[BM_FLOW_SCREEN_COUNT] = {
    [BM_FLOW_ATTRACT] = &bm_flow_attract_screen,
    [BM_FLOW_HOME] = &bm_flow_home_screen,
    [BM_FLOW_CATEGORY] = &bm_flow_category_screen,
    [BM_FLOW_GUIDE] = &bm_flow_guide_screen,
    [BM_FLOW_PROBLEM] = &bm_flow_problem_screen,
    [BM_FLOW_PROGRESS] = &bm_flow_progress_screen,
};
/* clang-format on */

const struct bm_flow_screen_ops *bm_flow_screen_ops(enum bm_flow_screen screen)
{
    return screens[screen];
}

const struct bm_catalog *bm_flow_catalog(const struct bm_flow *flow)
{
    return flow->catalogs ? bm_catalog_store_get(flow->catalogs) : NULL;
}

/* ---- attract ---- */

static void fill_attract(const struct bm_flow *flow, struct bm_attract_vm *vm)
{
    *vm = (struct bm_attract_vm){
        .kiosk = flow->kiosk,
        .now = flow->now,
        .lang = flow->lang,
        .elderly = flow->elderly,
        .notice = bm_catalog_view_notice(bm_flow_notices(flow, bm_flow_catalog(flow)), flow->lang,
                                         bm_catalog_view_date(&flow->now))};
}

static void draw_attract(struct bm_flow *flow)
{
    struct bm_attract_vm vm;
    fill_attract(flow, &vm);
    bm_attract_draw(flow->ui, &vm);
}

static size_t attract_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_attract_vm vm;
    fill_attract(flow, &vm);
    return bm_attract_elements(flow->ui, &vm, out, cap);
}

const struct bm_flow_screen_ops bm_flow_attract_screen = {
    .name = "attract",
    .prompt = N_("Welcome to self-service. Touch the screen to begin."),
    .draw = draw_attract,
    .elements = attract_elements,
};

/* ---- home ---- */

/* parts holds the arrays vm points at: declare it next to the vm. */
static void fill_home(const struct bm_flow *flow, struct bm_home_vm *vm,
                      struct bm_home_parts *parts)
{
    *vm = (struct bm_home_vm){.kiosk = flow->kiosk,
                              .now = flow->now,
                              .lang = flow->lang,
                              .elderly_on = flow->elderly,
                              .voice_on = flow->voice_on};
    bm_catalog_view_home(bm_flow_catalog(flow), flow->lang, bm_catalog_view_date(&flow->now),
                         bm_devices_usable(flow->devices), parts, vm);
    bm_flow_progress_quick_entry(flow->lang, parts, vm);
    if (flow->notices) /* the centre's notices replace the catalog's */
        vm->notice =
            bm_catalog_view_notice(flow->notices, flow->lang, bm_catalog_view_date(&flow->now));
    vm->pressed = flow->pressed[0] ? flow->pressed : NULL;
}

static void draw_home(struct bm_flow *flow)
{
    struct bm_home_vm vm;
    struct bm_home_parts parts;
    fill_home(flow, &vm, &parts);
    bm_home_draw(flow->ui, &vm);
}

static size_t home_elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_home_vm vm;
    struct bm_home_parts parts;
    fill_home(flow, &vm, &parts);
    return bm_home_elements(flow->ui, &vm, out, cap);
}

const struct bm_flow_screen_ops bm_flow_home_screen = {
    .name = "home",
    .prompt = N_("Please choose a service, or swipe your ID card. For help, press the red button "
                 "at the bottom left."),
    .draw = draw_home,
    .elements = home_elements,
};
