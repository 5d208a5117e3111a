/*
 * category.c - the services of one catalog category, one large row each.
 *
 * Design: under the frame's header (back, the category's title, home) a short introduction
 * names the category in its hue with its badge and says how many services it holds and what
 * a row does; then the toolkit's list: each row a badge in the service's hue, the title and
 * one line of what to expect (the time limit, or that only the guide is here). A service whose
 * device is out of order is greyed with the word 暂停服务 and what is out, and stays tappable:
 * the problem screen explains and offers another way. The list scrolls by drag with momentum
 * and by its two large page buttons; when every row fits, the page buttons are left out
 * rather than shown dead. In landscape the introduction stands at the left of the list.
 * In elderly mode the theme's larger type makes rows taller, so fewer fit a page.
 *
 * Main thread only.
 */
#include "screens/browse_internal.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

struct layout {
    struct bm_browse_frame frame;
    SDL_Rect intro, list;
    bool paged; /* more rows than fit: the page buttons show */
};

/* The list widget's items for vm's rows. A greyed row's line is composed here, into scratch
 * that the items point at until the next call (main thread; one frame at a time). */
static void fill_items(const struct bm_category_vm *vm, struct bm_list_item *items)
{
    static char details[BM_CATEGORY_MAX_ROWS][128];
    size_t n = vm->row_count < BM_CATEGORY_MAX_ROWS ? vm->row_count : BM_CATEGORY_MAX_ROWS;
    for (size_t i = 0; i < n; i++) {
        const struct bm_category_row *r = &vm->rows[i];
        const char *detail = r->summary;
        if (r->unavailable) {
            if (r->missing && *r->missing)
                snprintf(details[i], sizeof details[i], _("Paused · the %s is out of order"),
                         r->missing);
            else
                snprintf(details[i], sizeof details[i], "%s", _("Paused"));
            detail = details[i];
        }
        items[i] = (struct bm_list_item){r->title, detail && *detail ? detail : NULL, r->glyph,
                                         r->hue, r->unavailable};
    }
}

static size_t row_count(const struct bm_category_vm *vm)
{
    return vm->row_count < BM_CATEGORY_MAX_ROWS ? vm->row_count : BM_CATEGORY_MAX_ROWS;
}

static int intro_height(struct bm_ui *ui, const struct bm_category_vm *vm, int width);

static void layout(struct bm_ui *ui, const struct bm_category_vm *vm, const struct bm_list *list,
                   struct layout *l)
{
    memset(l, 0, sizeof *l);
    bm_browse_frame_layout(ui, vm->frame.elderly, &l->frame);
    SDL_Rect c = l->frame.content;
    if (bm_ui_landscape(ui)) {
        l->intro = bm_rect_take_left(&c, c.w * 3 / 10);
        bm_rect_take_left(&c, bm_ui_px(ui, 36));
        int h = intro_height(ui, vm, l->intro.w);
        l->intro.h = h < l->intro.h ? h : l->intro.h;
    } else {
        l->intro = bm_rect_take_top(&c, bm_ui_px(ui, vm->frame.elderly ? 200 : 176));
        bm_rect_take_top(&c, bm_ui_px(ui, 28));
    }
    /* Every row fits: the list is as tall as its rows (its page bar drawn below the screen's
     * view is cut off, see draw); otherwise it fills the content. */
    const struct bm_theme *t = bm_ui_theme(ui);
    int row_h = bm_list_row_height(ui, list);
    int edge = 2 * bm_ui_px(ui, 2);
    int rows_h = row_h * (int)list->count + edge;
    int bar_h = bm_button_height(ui) + bm_ui_px(ui, t->space[BM_SPACE_M]);
    l->paged = rows_h > c.h - bar_h;
    l->list = c;
    if (!l->paged)
        l->list.h = rows_h + bar_h;
}

void bm_category_list(struct bm_ui *ui, const struct bm_category_vm *vm, SDL_Rect *area,
                      struct bm_list *list, struct bm_list_item *items)
{
    fill_items(vm, items);
    *list = (struct bm_list){.name = "category",
                             .items = items,
                             .count = row_count(vm),
                             .prev_label = _("Previous"),
                             .next_label = _("Next"),
                             .pressed_page = -1};
    struct layout l;
    layout(ui, vm, list, &l);
    *area = l.list;
}

static void draw_intro(struct bm_ui *ui, const struct bm_category_vm *vm, SDL_Rect r,
                       bool landscape)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int hue = vm->hue >= 0 && vm->hue < BM_HUE_COUNT ? (int)vm->hue : 0;
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    SDL_Color light = t->hue[hue][0], dark = t->hue[hue][1];
    bm_ui_shadow(ui, r, radius, bm_ui_px(ui, 18), bm_ui_px(ui, 6), bm_color_alpha(dark, 0x40));
    bm_ui_fill_rrect_gradient(ui, r, radius, light, dark, BM_UI_GRADIENT_DIAGONAL);
    SDL_Color white = t->text_on_dark;
    bm_ui_fill_circle_in_rrect(ui, r.x + r.w - bm_ui_px(ui, 40), r.y + bm_ui_px(ui, 30),
                               bm_ui_px(ui, 130), r, radius, bm_color_alpha(white, 0x22));

    int pad = bm_ui_px(ui, 32);
    SDL_Rect in = bm_rect_inset(r, pad);
    int badge_side = bm_ui_px(ui, vm->frame.elderly ? 120 : 108);
    SDL_Rect badge = landscape
                         ? bm_rect_take_top(&in, badge_side)
                         : bm_rect(in.x, in.y + (in.h - badge_side) / 2, badge_side, badge_side);
    badge.w = badge_side;
    bm_ui_fill_rrect(ui, badge, bm_ui_px(ui, 22), bm_color_alpha(white, 0x38));
    bm_ui_label(ui, badge, vm->glyph ? vm->glyph : "",
                (struct bm_ui_font){BM_UI_BOLD, badge_side * 27 / 50, white},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    if (landscape)
        bm_rect_take_top(&in, bm_ui_px(ui, 32));
    else
        bm_rect_take_left(&in, badge_side + bm_ui_px(ui, 28));

    char count[96];
    snprintf(count, sizeof count, _("%zu services · touch one to see its guide"), row_count(vm));
    struct bm_ui_font sf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, white);
    struct bm_ui_font cf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_BOLD, white);
    int line = sf.px * 3 / 2;
    if (landscape) {
        struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_HEADLINE, BM_UI_BOLD, white);
        bm_ui_text_block(ui, bm_rect_take_top(&in, tf.px * 4 / 3), vm->title ? vm->title : "", tf,
                         1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        bm_rect_take_top(&in, bm_ui_px(ui, 16));
        struct bm_ui_line_span spans[4];
        size_t n = bm_ui_wrap(ui, vm->subtitle ? vm->subtitle : "", sf, in.w, BM_UI_WRAP_WORDS,
                              spans, 4, NULL);
        bm_ui_paragraph(ui, bm_rect_take_top(&in, (int)n * line), vm->subtitle ? vm->subtitle : "",
                        sf, line, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP | BM_UI_WRAP_WORDS);
        bm_rect_take_top(&in, bm_ui_px(ui, 20));
        bm_ui_text_block(ui, in, count, cf, 3, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    } else {
        int block = 2 * line;
        SDL_Rect text = bm_rect(in.x, in.y + (in.h - block) / 2, in.w, block);
        bm_ui_text_block(ui, bm_rect_take_top(&text, line), vm->subtitle ? vm->subtitle : "", sf, 1,
                         BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE | BM_UI_WRAP_WORDS);
        bm_ui_text_block(ui, text, count, cf, 1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
}

/* Landscape: the introduction is as tall as what it says (badge, title, subtitle, count). */
static int intro_height(struct bm_ui *ui, const struct bm_category_vm *vm, int width)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int pad = bm_ui_px(ui, 32), w = width - 2 * pad;
    struct bm_ui_font sf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_on_dark);
    struct bm_ui_font cf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_BOLD, t->text_on_dark);
    struct bm_ui_font tf = bm_scr_font(ui, BM_TYPE_HEADLINE, BM_UI_BOLD, t->text_on_dark);
    int line = sf.px * 3 / 2;
    char count[96];
    snprintf(count, sizeof count, _("%zu services · touch one to see its guide"), row_count(vm));
    struct bm_ui_line_span spans[4];
    size_t ns =
        bm_ui_wrap(ui, vm->subtitle ? vm->subtitle : "", sf, w, BM_UI_WRAP_WORDS, spans, 4, NULL);
    size_t nc = bm_ui_wrap(ui, count, cf, w, 0, spans, 3, NULL);
    return 2 * pad + bm_ui_px(ui, vm->frame.elderly ? 120 : 108) + bm_ui_px(ui, 32) +
           tf.px * 4 / 3 + bm_ui_px(ui, 16) + (int)ns * line + bm_ui_px(ui, 20) +
           (int)nc * cf.px * 3 / 2;
}

static void draw_empty(struct bm_ui *ui, SDL_Rect r)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Rect card = bm_rect(r.x, r.y, r.w, bm_ui_px(ui, 220));
    bm_scr_draw_card(ui, card, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    bm_ui_text_block(ui, bm_rect_inset(card, bm_ui_px(ui, 36)),
                     _("No services in this group can be done here yet. Staff can help: press "
                       "Help at the bottom left."),
                     bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text), 3,
                     BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

/* What the static layer (the frame and the introduction, everything but the list) shows. */
static uint64_t layer_key(const struct bm_category_vm *vm)
{
    const struct bm_browse_frame_vm *f = &vm->frame;
    uint64_t h = bm_ui_hash_str(0, f->kiosk.name);
    h = bm_ui_hash_str(h, f->kiosk.hotline);
    h = bm_ui_hash_str(h, vm->title);
    h = bm_ui_hash_str(h, vm->subtitle);
    h = bm_ui_hash_str(h, vm->glyph);
    int fields[5] = {(int)f->lang, f->elderly, f->voice_on, (int)vm->hue, (int)vm->row_count};
    return bm_ui_hash(h, fields, sizeof fields);
}

void bm_category_draw(struct bm_ui *ui, const struct bm_category_vm *vm)
{
    struct bm_list_item items[BM_CATEGORY_MAX_ROWS];
    struct bm_list list;
    SDL_Rect area;
    bm_category_list(ui, vm, &area, &list, items);
    struct layout l;
    layout(ui, vm, &list, &l);

    /* A drag redraws only the list (its rows are copies too) and what is pressed. */
    if (bm_ui_layer_begin(ui, "category", layer_key(vm))) {
        bm_browse_frame_draw(ui, &vm->frame, &l.frame, vm->title);
        draw_intro(ui, vm, l.intro, bm_ui_landscape(ui));
        bm_ui_layer_end(ui);
    }
    struct bm_list_scroll top = {.press_row = -1};
    const struct bm_list_scroll *s = vm->scroll ? vm->scroll : &top;
    if (list.count == 0) {
        draw_empty(ui, l.list);
    } else if (l.paged) {
        bm_list_draw(ui, l.list, &list, s);
    } else {
        /* Page buttons that could never do anything are not shown: the list is cut to its
         * rows (and their shadow). */
        SDL_Renderer *r = bm_ui_renderer(ui);
        int bar_h = bm_button_height(ui) + bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_M]) -
                    bm_ui_px(ui, 12);
        SDL_Rect clip = bm_rect(0, 0, bm_ui_width(ui), l.list.y + l.list.h - bar_h);
        SDL_RenderSetClipRect(r, &clip);
        bm_list_draw(ui, l.list, &list, s);
        SDL_RenderSetClipRect(r, NULL);
    }

    if (!vm->frame.pressed)
        return;
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_category_elements(ui, vm, el, BM_SCREEN_MAX_ELEMENTS);
    bm_browse_draw_pressed(ui, el, n < BM_SCREEN_MAX_ELEMENTS ? n : BM_SCREEN_MAX_ELEMENTS,
                           vm->frame.pressed);
}

size_t bm_category_elements(struct bm_ui *ui, const struct bm_category_vm *vm,
                            struct bm_screen_element *out, size_t cap)
{
    struct bm_list_item items[BM_CATEGORY_MAX_ROWS];
    struct bm_list list;
    SDL_Rect area;
    bm_category_list(ui, vm, &area, &list, items);
    struct layout l;
    layout(ui, vm, &list, &l);
    size_t n = 0;
    struct bm_list_scroll top = {.press_row = -1};
    struct bm_ui_element le[BM_SCREEN_MAX_ELEMENTS];
    size_t ln = list.count ? bm_list_elements(ui, l.list, &list, vm->scroll ? vm->scroll : &top, le,
                                              BM_SCREEN_MAX_ELEMENTS)
                           : 0;
    if (ln > BM_SCREEN_MAX_ELEMENTS)
        ln = BM_SCREEN_MAX_ELEMENTS;
    for (size_t i = 0; i < ln; i++) {
        size_t len = strlen(le[i].name);
        if (len > 5 && strcmp(le[i].name + len - 5, ".prev") == 0) {
            if (l.paged)
                bm_scr_add(out, cap, &n, le[i].rect, BM_INTENT_PAGE, -1, "category.page_up");
        } else if (len > 5 && strcmp(le[i].name + len - 5, ".next") == 0) {
            if (l.paged)
                bm_scr_add(out, cap, &n, le[i].rect, BM_INTENT_PAGE, 1, "category.page_down");
        } else {
            const char *id = vm->rows[le[i].index].id;
            if (id)
                bm_scr_add(out, cap, &n, le[i].rect, BM_INTENT_SERVICE, le[i].index,
                           "category.service.%s", id);
            else
                bm_scr_add(out, cap, &n, le[i].rect, BM_INTENT_SERVICE, le[i].index,
                           "category.service.%d", le[i].index);
        }
    }
    bm_browse_frame_elements(&l.frame, "category", out, cap, &n);
    return n;
}
