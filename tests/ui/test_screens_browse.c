/*
 * test_screens_browse.c - the browse screens (category list, service guide, problem) drawn
 * offscreen from the tree's real catalog (config/catalog.json, through the flow's catalog
 * view), in zh_CN, en and elderly (Chinese in the elderly theme), portrait 1080x1920 and
 * landscape 1920x1080, compared with the references in tests/ui/golden/; and for every one of
 * them: each element is hit at its centre by itself, does not overlap another, is at least
 * the theme's minimum target, lies on the screen over something drawn; every label fits its
 * box and nothing is drawn off the screen. Also what the catalog view makes of the catalog:
 * greyed rows name the device that is out, guides list the materials of the service's
 * materials step, guide-only services cannot start.
 *
 * Goldens: BM_UPDATE_GOLDENS=1 rewrites the references (docs/ui.md).
 */
#include "test_support.h"

#include "../ui/fixture.h"
#include "flow/catalog_view.h"
#include "golden_check.h"
#include "screens/browse.h"
#include "services/catalog.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DPI 96

enum variant { ZH, EN, ELDERLY, VARIANTS };
enum orient { PORTRAIT, LANDSCAPE, ORIENTS };
enum screen { CATEGORY, GUIDE, GUIDE_COUNTER, PROBLEM, PROBLEM_DEVICE, SCREENS };

static const char *const variant_names[VARIANTS] = {"zh_CN", "en", "elderly"};
static const char *const orient_names[ORIENTS] = {"portrait", "landscape"};
static const char *const screen_names[SCREENS] = {"category", "guide", "guide-counter", "problem",
                                                  "problem-device"};

static struct bm_canvas canvases[ORIENTS];
static struct bm_catalog *catalog;

/* Every device works but the document scanner: services with materials show greyed. */
static const bm_device_mask usable = ~BM_DEVICE_BIT(BM_CLASS_SCANNER);

static const struct bm_kiosk_info kiosk = {"幸福街道党群服务中心", "一楼大厅东侧", "12345"};

static int setup(void **state)
{
    (void)state;
    if (access(BM_UI_FONT_REGULAR_DEFAULT, R_OK) != 0 || access(BM_UI_FONT_BOLD_DEFAULT, R_OK) != 0)
        bm_test_skip_or_fail("Noto Sans CJK (fonts-noto-cjk)");
    if (bm_canvas_open(&canvases[PORTRAIT], 1080, 1920, DPI) != BM_OK ||
        bm_canvas_open(&canvases[LANDSCAPE], 1920, 1080, DPI) != BM_OK) {
        fprintf(stderr, "canvas: %s\n", bm_err_detail());
        return -1;
    }
    if (bm_fixture_language(BM_LANG_ZH_CN) != BM_OK) {
        fprintf(stderr, "translations: %s\n", bm_err_detail());
        return -1;
    }
    struct bm_catalog_load_options opts = {0};
    if (bm_catalog_load_file(BM_SOURCE_DIR "/config/catalog.json", &opts, NULL, &catalog) !=
        BM_OK) {
        fprintf(stderr, "catalog: %s\n", bm_err_detail());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bm_catalog_unref(catalog);
    for (int o = 0; o < ORIENTS; o++)
        bm_canvas_close(&canvases[o]);
    return 0;
}

/* What one screen needs drawn: the vms and the storage they point into. */
struct scene {
    enum screen screen;
    struct bm_category_vm category;
    struct bm_category_parts category_parts;
    struct bm_guide_vm guide;
    struct bm_guide_parts guide_parts;
    struct bm_problem_vm problem;
    struct bm_list_scroll scroll;
};

static struct bm_ui *prepare(enum variant v, enum orient o)
{
    struct bm_ui *ui = canvases[o].ui;
    enum bm_lang lang = v == EN ? BM_LANG_EN : BM_LANG_ZH_CN;
    assert_int_equal(bm_fixture_language(lang), BM_OK);
    bm_ui_set_theme(ui, v == ELDERLY ? bm_theme_elderly() : bm_theme_standard());
    return ui;
}

static const struct bm_catalog_service *service(const char *id)
{
    const struct bm_catalog_service *s = bm_catalog_service_find(catalog, id);
    assert_non_null(s);
    return s;
}

static void make_scene(struct scene *sc, enum screen screen, enum variant v)
{
    memset(sc, 0, sizeof *sc);
    sc->screen = screen;
    enum bm_lang lang = v == EN ? BM_LANG_EN : BM_LANG_ZH_CN;
    struct bm_browse_frame_vm frame = {
        .kiosk = kiosk, .lang = lang, .elderly = v == ELDERLY, .voice_on = v == ELDERLY};
    sc->scroll.press_row = -1;
    switch (screen) {
    case CATEGORY:
        sc->category = (struct bm_category_vm){.frame = frame, .scroll = &sc->scroll};
        assert_true(bm_catalog_view_category(catalog, "welfare", lang, v == ELDERLY, usable,
                                             &sc->category_parts, &sc->category));
        break;
    case GUIDE:
    case GUIDE_COUNTER:
        sc->guide = (struct bm_guide_vm){.frame = frame};
        bm_catalog_view_guide(service(screen == GUIDE ? "residence_permit" : "exit_entry_guide"),
                              lang, v == ELDERLY, ~0u, &sc->guide_parts, &sc->guide);
        break;
    case PROBLEM:
    case PROBLEM_DEVICE:
        sc->problem = (struct bm_problem_vm){
            .frame = frame,
            .kind = screen == PROBLEM ? BM_PROBLEM_NOT_YET : BM_PROBLEM_DEVICE,
            .service = bm_text_get(&service("residence_permit")->title, lang),
            .device = bm_catalog_view_device(BM_DEVICE_BIT(BM_CLASS_SCANNER)),
            .can_go_back = screen == PROBLEM};
        break;
    default:
        fail();
    }
}

static void draw(struct bm_ui *ui, const struct scene *sc)
{
    bm_ui_frame_begin(ui);
    switch (sc->screen) {
    case CATEGORY:
        bm_category_draw(ui, &sc->category);
        break;
    case GUIDE:
    case GUIDE_COUNTER:
        bm_guide_draw(ui, &sc->guide);
        break;
    default:
        bm_problem_draw(ui, &sc->problem);
        break;
    }
    bm_ui_frame_end(ui);
}

static size_t elements(struct bm_ui *ui, const struct scene *sc, struct bm_screen_element *out)
{
    switch (sc->screen) {
    case CATEGORY:
        return bm_category_elements(ui, &sc->category, out, BM_SCREEN_MAX_ELEMENTS);
    case GUIDE:
    case GUIDE_COUNTER:
        return bm_guide_elements(ui, &sc->guide, out, BM_SCREEN_MAX_ELEMENTS);
    default:
        return bm_problem_elements(ui, &sc->problem, out, BM_SCREEN_MAX_ELEMENTS);
    }
}

static void golden(enum screen screen)
{
    for (int v = 0; v < VARIANTS; v++) {
        for (int o = 0; o < ORIENTS; o++) {
            struct bm_ui *ui = prepare((enum variant)v, (enum orient)o);
            static struct scene sc;
            make_scene(&sc, screen, (enum variant)v);
            draw(ui, &sc);
            char name[96];
            snprintf(name, sizeof name, "%s-%s-%s", screen_names[screen], variant_names[v],
                     orient_names[o]);
            bm_golden_check(canvases[o].surface, name);
        }
    }
}

static void test_golden_category(void **state)
{
    (void)state;
    golden(CATEGORY);
}

static void test_golden_guide(void **state)
{
    (void)state;
    golden(GUIDE);
    golden(GUIDE_COUNTER);
}

static void test_golden_problem(void **state)
{
    (void)state;
    golden(PROBLEM);
    golden(PROBLEM_DEVICE);
}

static Uint32 pixel(SDL_Surface *s, int x, int y)
{
    return ((const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch))[x];
}

/* Something is drawn there: more than 2 % of the rectangle's pixels are not the page. */
static bool drawn_over(SDL_Surface *s, SDL_Rect r, const struct bm_theme *t)
{
    Uint32 bg = SDL_MapRGBA(s->format, t->background.r, t->background.g, t->background.b, 255);
    long differ = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            differ += pixel(s, x, y) != bg;
    return differ * 50 > (long)r.w * r.h;
}

static void check_scene(enum screen screen, enum variant v, enum orient o)
{
    struct bm_ui *ui = prepare(v, o);
    SDL_Surface *surface = canvases[o].surface;
    const char *what = screen_names[screen];
    static struct scene sc;
    make_scene(&sc, screen, v);
    bm_ui_set_audit(ui, true);
    draw(ui, &sc);
    size_t count;
    const struct bm_ui_audit_label *labels = bm_ui_audit_labels(ui, &count);
    assert_true(count > 5);
    for (size_t i = 0; i < count; i++)
        if (labels[i].overflow)
            fail_msg("%s/%s/%s: '%s' needs %dx%d, box %dx%d", what, variant_names[v],
                     orient_names[o], labels[i].text, labels[i].size.x, labels[i].size.y,
                     labels[i].box.w, labels[i].box.h);
    SDL_Rect first;
    size_t outside = bm_ui_audit_outside(ui, &first);
    if (outside)
        fail_msg("%s/%s/%s: %zu shapes off the screen, first at %d,%d %dx%d", what,
                 variant_names[v], orient_names[o], outside, first.x, first.y, first.w, first.h);
    bm_ui_set_audit(ui, false);
    draw(ui, &sc); /* through the same path the kiosk takes */

    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = elements(ui, &sc, el);
    assert_true(n >= 6 && n <= BM_SCREEN_MAX_ELEMENTS);
    int min = bm_ui_min_target(ui), W = bm_ui_width(ui), H = bm_ui_height(ui);
    for (size_t i = 0; i < n; i++) {
        SDL_Rect r = el[i].rect;
        if (r.w < min || r.h < min)
            fail_msg("%s/%s/%s: %s is %dx%d, smaller than %d px", what, variant_names[v],
                     orient_names[o], el[i].name, r.w, r.h, min);
        if (r.x < 0 || r.y < 0 || r.x + r.w > W || r.y + r.h > H)
            fail_msg("%s: %s is off the screen", what, el[i].name);
        const char *name = NULL;
        bm_screen_hit(el, n, r.x + r.w / 2, r.y + r.h / 2, &name);
        if (strcmp(name, el[i].name) != 0)
            fail_msg("%s: a tap at the centre of %s found '%s'", what, el[i].name, name);
        for (size_t j = i + 1; j < n; j++)
            if (SDL_HasIntersection(&r, &el[j].rect))
                fail_msg("%s: %s overlaps %s", what, el[i].name, el[j].name);
        if (!drawn_over(surface, r, bm_ui_theme(ui)))
            fail_msg("%s/%s/%s: nothing drawn where %s is", what, variant_names[v], orient_names[o],
                     el[i].name);
    }
    /* Back at the top left, home at the top right, help at the bottom left. */
    char name[64];
    snprintf(name, sizeof name, "%s.back",
             screen == CATEGORY        ? "category"
             : screen <= GUIDE_COUNTER ? "guide"
                                       : "problem");
    const struct bm_screen_element *back = bm_screen_find(el, n, name);
    assert_non_null(back);
    assert_true(back->rect.x < W / 4 && back->rect.y < H / 6);
    assert_int_equal(back->intent.kind, BM_INTENT_BACK);
    snprintf(strchr(name, '.'), sizeof name - (size_t)(strchr(name, '.') - name), ".help");
    const struct bm_screen_element *help = bm_screen_find(el, n, name);
    assert_non_null(help);
    /* Left of the bar, as on home (whose bar stands in the design column in landscape). */
    snprintf(strchr(name, '.'), sizeof name - (size_t)(strchr(name, '.') - name), ".hotline");
    const struct bm_screen_element *hotline = bm_screen_find(el, n, name);
    assert_non_null(hotline);
    assert_true(help->rect.x < hotline->rect.x && help->rect.x < W / 2 && help->rect.y > H * 4 / 5);
    assert_int_equal(help->intent.kind, BM_INTENT_HELP);
}

static void test_elements_and_audit(void **state)
{
    (void)state;
    for (int s = 0; s < SCREENS; s++)
        for (int v = 0; v < VARIANTS; v++)
            for (int o = 0; o < ORIENTS; o++)
                check_scene((enum screen)s, (enum variant)v, (enum orient)o);
}

/* The welfare list: every row named by its service, greyed ones say what is out. */
static void test_category_rows(void **state)
{
    (void)state;
    struct bm_ui *ui = prepare(ZH, PORTRAIT);
    static struct scene sc;
    make_scene(&sc, CATEGORY, ZH);
    const struct bm_category_vm *vm = &sc.category;
    assert_string_equal(vm->title, "民生保障");
    assert_int_equal(vm->row_count, 9);
    size_t greyed = 0;
    for (size_t i = 0; i < vm->row_count; i++) {
        const struct bm_catalog_service *s = service(vm->rows[i].id);
        bool needs_scanner = (s->devices & BM_DEVICE_BIT(BM_CLASS_SCANNER)) != 0;
        assert_int_equal(vm->rows[i].unavailable, needs_scanner);
        if (needs_scanner) {
            greyed++;
            assert_string_equal(vm->rows[i].missing, "高拍仪");
        }
    }
    assert_true(greyed > 0 && greyed < vm->row_count);
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = elements(ui, &sc, el);
    const struct bm_screen_element *row =
        bm_screen_find(el, n, "category.service.social_security_record");
    assert_non_null(row);
    assert_int_equal(row->intent.kind, BM_INTENT_SERVICE);
    assert_string_equal(vm->rows[row->intent.index].id, "social_security_record");
    /* A greyed row still leads somewhere (the problem screen explains). */
    assert_non_null(bm_screen_find(el, n, "category.service.elderly_allowance"));
    assert_false(bm_catalog_view_category(catalog, "nonexistent", BM_LANG_ZH_CN, false, usable,
                                          &sc.category_parts, &sc.category));
}

/* In elderly mode rows are larger, so fewer fit: the list pages, and paging shows more. */
static void test_category_elderly_pages(void **state)
{
    (void)state;
    struct bm_ui *ui = prepare(ELDERLY, PORTRAIT);
    static struct scene sc;
    make_scene(&sc, CATEGORY, ELDERLY);
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = elements(ui, &sc, el);
    size_t rows_before = 0;
    for (size_t i = 0; i < n; i++)
        rows_before += el[i].intent.kind == BM_INTENT_SERVICE;
    assert_true(rows_before >= 3 && rows_before < sc.category.row_count);
    const struct bm_screen_element *down = bm_screen_find(el, n, "category.page_down");
    assert_non_null(down);
    assert_int_equal(down->intent.kind, BM_INTENT_PAGE);
    assert_int_equal(down->intent.index, 1);

    struct bm_list_item items[BM_CATEGORY_MAX_ROWS];
    struct bm_list list;
    SDL_Rect area;
    bm_category_list(ui, &sc.category, &area, &list, items);
    bm_list_page(ui, area, &list, &sc.scroll, 1);
    sc.scroll.offset = sc.scroll.target; /* the glide's end */
    n = elements(ui, &sc, el);
    const char *last = sc.category.rows[sc.category.row_count - 1].id;
    char name[96];
    snprintf(name, sizeof name, "category.service.%s", sc.category.rows[rows_before].id);
    if (!bm_screen_find(el, n, name))
        fail_msg("after a page down the next row (%s) is not on screen", name);
    (void)last;

    /* The standard theme fits more rows on a page than the elderly one. */
    ui = prepare(ZH, PORTRAIT);
    make_scene(&sc, CATEGORY, ZH);
    n = elements(ui, &sc, el);
    size_t rows_std = 0;
    for (size_t i = 0; i < n; i++)
        rows_std += el[i].intent.kind == BM_INTENT_SERVICE;
    assert_true(rows_std > rows_before);
}

/* The guide: materials from the materials step, sections paged, start only with steps. */
static void test_guide_content(void **state)
{
    (void)state;
    struct bm_ui *ui = prepare(ZH, PORTRAIT);
    static struct scene sc;
    make_scene(&sc, GUIDE, ZH);
    const struct bm_guide_vm *vm = &sc.guide;
    assert_true(vm->can_start);
    assert_null(vm->missing);
    const struct bm_catalog_step *m =
        bm_catalog_step_find(service("residence_permit"), BM_STEP_MATERIALS);
    assert_non_null(m);
    const struct bm_guide_section *materials = NULL;
    for (size_t i = 0; i < vm->section_count; i++)
        if (strcmp(vm->sections[i].title, "所需材料") == 0)
            materials = &vm->sections[i];
    assert_non_null(materials);
    /* The ID card first (the service identifies the resident), then each material. */
    assert_int_equal(materials->item_count, m->material_count + 1);
    for (size_t i = 0; i < m->material_count; i++)
        assert_string_equal(materials->items[i + 1].text, m->materials[i].name.zh);

    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = elements(ui, &sc, el);
    const struct bm_screen_element *start = bm_screen_find(el, n, "guide.start");
    assert_non_null(start);
    assert_int_equal(start->intent.kind, BM_INTENT_APPLY);
    int pages = bm_guide_pages(ui, vm);
    assert_true(pages > 1);
    assert_non_null(bm_screen_find(el, n, "guide.page_down"));
    /* Every page draws something different; a page past the end shows the last. */
    sc.guide.page = pages - 1;
    draw(ui, &sc);
    SDL_Surface *copy = SDL_DuplicateSurface(canvases[PORTRAIT].surface);
    sc.guide.page = pages + 5;
    draw(ui, &sc);
    assert_memory_equal(copy->pixels, canvases[PORTRAIT].surface->pixels,
                        (size_t)copy->pitch * (size_t)copy->h);
    sc.guide.page = 0;
    draw(ui, &sc);
    assert_memory_not_equal(copy->pixels, canvases[PORTRAIT].surface->pixels,
                            (size_t)copy->pitch * (size_t)copy->h);
    SDL_FreeSurface(copy);

    /* A guide only: no start, it says where to apply. */
    make_scene(&sc, GUIDE_COUNTER, ZH);
    assert_false(sc.guide.can_start);
    n = elements(ui, &sc, el);
    assert_null(bm_screen_find(el, n, "guide.start"));
    bm_ui_set_audit(ui, true);
    draw(ui, &sc);
    size_t count;
    const struct bm_ui_audit_label *labels = bm_ui_audit_labels(ui, &count);
    bool where = false;
    for (size_t i = 0; i < count; i++)
        where |= strstr(labels[i].text, "县公安局") != NULL;
    bm_ui_set_audit(ui, false);
    assert_true(where);

    /* A service whose device is out says so on its guide. */
    bm_catalog_view_guide(service("residence_permit"), BM_LANG_ZH_CN, false, usable,
                          &sc.guide_parts, &sc.guide);
    assert_string_equal(sc.guide.missing, "高拍仪");
}

/* The problem screen always offers a person, the hotline and home; back when it has one. */
static void test_problem_paths(void **state)
{
    (void)state;
    struct bm_ui *ui = prepare(ZH, PORTRAIT);
    static struct scene sc;
    const char *always[] = {"problem.call", "problem.call_hotline", "problem.go_home"};
    for (int s = PROBLEM; s <= PROBLEM_DEVICE; s++) {
        make_scene(&sc, (enum screen)s, ZH);
        struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
        size_t n = elements(ui, &sc, el);
        for (size_t i = 0; i < 3; i++)
            assert_non_null(bm_screen_find(el, n, always[i]));
        assert_int_equal(bm_screen_find(el, n, "problem.call")->intent.kind, BM_INTENT_HELP);
        assert_int_equal(bm_screen_find(el, n, "problem.call_hotline")->intent.kind,
                         BM_INTENT_HOTLINE);
        assert_int_equal(bm_screen_find(el, n, "problem.go_home")->intent.kind, BM_INTENT_HOME);
        assert_int_equal(bm_screen_find(el, n, "problem.other") != NULL, s == PROBLEM);
        /* The words name the device and the hotline number. */
        bm_ui_set_audit(ui, true);
        draw(ui, &sc);
        size_t count;
        const struct bm_ui_audit_label *labels = bm_ui_audit_labels(ui, &count);
        bool number = false, device = false;
        for (size_t i = 0; i < count; i++) {
            number |= strstr(labels[i].text, "12345") != NULL;
            device |= strstr(labels[i].text, "高拍仪") != NULL;
        }
        bm_ui_set_audit(ui, false);
        assert_true(number);
        assert_int_equal(device, s == PROBLEM_DEVICE);
    }
}

/* Without a catalog the problem screen says so, and still offers a person and home. */
static void test_problem_no_catalog(void **state)
{
    (void)state;
    for (int v = 0; v < VARIANTS; v++) {
        struct bm_ui *ui = prepare((enum variant)v, PORTRAIT);
        enum bm_lang lang = v == EN ? BM_LANG_EN : BM_LANG_ZH_CN;
        struct bm_problem_vm vm = {
            .frame = {.kiosk = kiosk, .lang = lang, .elderly = v == ELDERLY, .pressed = NULL},
            .kind = BM_PROBLEM_NO_CATALOG};
        bm_ui_set_audit(ui, true);
        bm_ui_frame_begin(ui);
        bm_problem_draw(ui, &vm);
        bm_ui_frame_end(ui);
        size_t count;
        const struct bm_ui_audit_label *labels = bm_ui_audit_labels(ui, &count);
        bool said = false;
        for (size_t i = 0; i < count; i++) {
            if (labels[i].overflow)
                fail_msg("'%s' does not fit", labels[i].text);
            said |= strstr(labels[i].text, v == EN ? "list of services" : "服务目录") != NULL;
        }
        bm_ui_set_audit(ui, false);
        assert_true(said);
        struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
        size_t n = bm_problem_elements(ui, &vm, el, BM_SCREEN_MAX_ELEMENTS);
        assert_non_null(bm_screen_find(el, n, "problem.call"));
        assert_non_null(bm_screen_find(el, n, "problem.go_home"));
        assert_null(bm_screen_find(el, n, "problem.other"));
    }
}

/* A second frame of an unchanged screen rasterises no text, and what a frame costs (printed:
 * the guide lays its text out line by line on every frame). */
static void test_second_frame(void **state)
{
    (void)state;
    for (int s = 0; s < SCREENS; s++) {
        for (int v = 0; v < VARIANTS; v++) {
            struct bm_ui *ui = prepare((enum variant)v, PORTRAIT);
            static struct scene sc;
            make_scene(&sc, (enum screen)s, (enum variant)v);
            draw(ui, &sc);
            struct bm_ui_stats a, b;
            bm_ui_get_stats(ui, &a);
            Uint64 t0 = SDL_GetPerformanceCounter();
            enum { FRAMES = 5 };
            for (int i = 0; i < FRAMES; i++)
                draw(ui, &sc);
            double ms = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
                        (double)SDL_GetPerformanceFrequency() / FRAMES;
            bm_ui_get_stats(ui, &b);
            printf("%s/%s: %.1f ms a frame (software renderer, 1080x1920)\n", screen_names[s],
                   variant_names[v], ms);
            if (b.text_misses != a.text_misses)
                fail_msg("%s/%s: a second frame rasterised %llu labels", screen_names[s],
                         variant_names[v], (unsigned long long)(b.text_misses - a.text_misses));
            assert_true(ms < 2000.0); /* loose: a loaded machine, a sanitizer build */
        }
    }
}

/* The category list scrolls over a static layer (the frame and the introduction): every
 * frame of a scroll, with a row pressed too, is byte for byte the one drawn straight (audit
 * mode bypasses the layer), and the layer is copied, not drawn again, while only the list
 * moves. */
static void test_category_layer(void **state)
{
    (void)state;
    for (int v = 0; v < VARIANTS; v++) {
        for (int o = 0; o < ORIENTS; o++) {
            struct bm_ui *ui = prepare((enum variant)v, (enum orient)o);
            SDL_Surface *out = canvases[o].surface;
            static struct scene sc;
            make_scene(&sc, CATEGORY, (enum variant)v);
            draw(ui, &sc); /* the ui's first frame (straight), then the layer's */
            draw(ui, &sc);
            struct bm_ui_stats before, after;
            bm_ui_get_stats(ui, &before);
            size_t bytes = (size_t)out->pitch * (size_t)out->h;
            unsigned char *layered = malloc(bytes);
            assert_non_null(layered);
            for (int step = 1; step <= 6; step++) {
                sc.scroll.offset = (float)(step * 37);
                sc.scroll.press_row = step == 3 ? 1 : -1;
                draw(ui, &sc);
                memcpy(layered, out->pixels, bytes);
                bm_ui_set_audit(ui, true);
                draw(ui, &sc);
                bm_ui_set_audit(ui, false);
                if (memcmp(layered, out->pixels, bytes) != 0)
                    fail_msg("%s %s, scrolled %d px: the frame through the layer differs from "
                             "the one drawn straight",
                             variant_names[v], orient_names[o], step * 37);
            }
            bm_ui_get_stats(ui, &after);
            if (after.layer_draws != before.layer_draws)
                fail_msg("%s %s: the layer was drawn again while only the list moved",
                         variant_names[v], orient_names[o]);
            assert_true(after.layer_copies >= before.layer_copies + 6);
            free(layered);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_category),    cmocka_unit_test(test_golden_guide),
        cmocka_unit_test(test_golden_problem),     cmocka_unit_test(test_elements_and_audit),
        cmocka_unit_test(test_category_rows),      cmocka_unit_test(test_category_elderly_pages),
        cmocka_unit_test(test_guide_content),      cmocka_unit_test(test_problem_paths),
        cmocka_unit_test(test_problem_no_catalog), cmocka_unit_test(test_second_frame),
        cmocka_unit_test(test_category_layer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
