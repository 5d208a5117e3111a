/*
 * guide.c - a service's guide (办事指南): what it is, who can apply, what to bring, how long
 * it takes, what it costs, where it is handled, and the one way on.
 *
 * Design: the three facts a resident decides by (how long, how much, where) sit in a summary
 * card under the service's badge and title, always in view. The guide's sections follow as
 * one column of text broken into pages of whole lines, with large 上一页 / 下一页 buttons and
 * the page number between them: residents who cannot scroll page, and no line is ever cut.
 * A section heading never ends a page (it moves to the next with its text). At the bottom
 * the one primary action, 开始办理, for a service that has steps; a guide-only service has no
 * button and says where to go instead. In landscape the summary and the action stand at the
 * left, the sections at the right. The text is laid out line by line here (wrapped with the
 * toolkit's rules), so the page count the flow is told is the one that is drawn.
 *
 * Main thread only.
 */
#include "screens/browse_internal.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

/* One line of the sections' text, as laid out for a width. */
enum line_style { LINE_HEADING, LINE_TEXT, LINE_ITEM, LINE_DETAIL };

struct line {
    const char *src;
    size_t start, len;
    enum line_style style;
    int marker;     /* an item's first line: 0 none, -1 a bullet, n > 0 the number n */
    int space;      /* pixels above it, unless it opens a page */
    int height;     /* its own line height */
    bool keep_next; /* a heading: never the last line of a page */
};

#define MAX_LINES 320

struct layout {
    struct bm_browse_frame frame;
    SDL_Rect summary, sections, pager, prev, next, page_no, action;
    int item_indent;
};

static struct bm_ui_font line_font(struct bm_ui *ui, enum line_style style)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    switch (style) {
    case LINE_HEADING:
        return bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->primary_dark);
    case LINE_ITEM:
        return bm_scr_font(ui, BM_TYPE_BODY, BM_UI_BOLD, t->text);
    case LINE_DETAIL:
        return bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    case LINE_TEXT:
    default:
        return bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text);
    }
}

/* Appends text wrapped to width as lines of style; the first gets space and marker. */
static void add_text(struct bm_ui *ui, const char *text, enum line_style style, int width,
                     int space, int marker, struct line *lines, size_t *n)
{
    if (!text || !*text)
        return;
    struct bm_ui_font f = line_font(ui, style);
    struct bm_ui_line_span spans[48];
    size_t count = bm_ui_wrap(ui, text, f, width, 0, spans, 48, NULL);
    for (size_t i = 0; i < count && *n < MAX_LINES; i++) {
        lines[(*n)++] = (struct line){
            .src = text,
            .start = spans[i].start,
            .len = spans[i].len,
            .style = style,
            .marker = i == 0 ? marker : 0,
            .space = i == 0 ? space : 0,
            .height = style == LINE_HEADING ? f.px * 8 / 5 : f.px * 3 / 2,
            .keep_next = style == LINE_HEADING,
        };
    }
}

static size_t build_lines(struct bm_ui *ui, const struct bm_guide_vm *vm, int width, int indent,
                          struct line *lines)
{
    size_t n = 0;
    int section_gap = bm_ui_px(ui, 36), item_gap = bm_ui_px(ui, 12);
    for (size_t s = 0; s < vm->section_count && s < BM_GUIDE_MAX_SECTIONS; s++) {
        const struct bm_guide_section *sec = &vm->sections[s];
        add_text(ui, sec->title, LINE_HEADING, width, s ? section_gap : 0, 0, lines, &n);
        add_text(ui, sec->text, LINE_TEXT, width, 0, 0, lines, &n);
        for (size_t i = 0; i < sec->item_count; i++) {
            const struct bm_guide_item *it = &sec->items[i];
            int marker = sec->numbered ? (int)i + 1 : -1;
            bool first = i == 0 && !(sec->text && *sec->text);
            add_text(ui, it->text, LINE_ITEM, width - indent, first ? 0 : item_gap, marker, lines,
                     &n);
            add_text(ui, it->detail, LINE_DETAIL, width - indent, 0, 0, lines, &n);
        }
    }
    return n;
}

/* Page starts: page p holds lines [starts[p], starts[p + 1]). Returns the number of pages. */
static int paginate(const struct line *lines, size_t n, int height, size_t *starts, int cap)
{
    int pages = 1;
    starts[0] = 0;
    int y = 0;
    for (size_t i = 0; i < n; i++) {
        int need = (y > 0 ? lines[i].space : 0) + lines[i].height;
        /* A heading goes with its first line of text. */
        if (lines[i].keep_next && i + 1 < n)
            need += lines[i + 1].height;
        if (y > 0 && y + need > height && pages < cap) {
            starts[pages++] = i;
            y = 0;
            need = lines[i].height;
        }
        y += (y > 0 ? lines[i].space : 0) + lines[i].height;
    }
    starts[pages] = n;
    return pages;
}

static int summary_height(struct bm_ui *ui, const struct bm_guide_vm *vm, int width);

static void layout(struct bm_ui *ui, const struct bm_guide_vm *vm, struct layout *l)
{
    memset(l, 0, sizeof *l);
    bm_browse_frame_layout(ui, vm->frame.elderly, &l->frame);
    SDL_Rect c = l->frame.content;
    int gap = bm_ui_px(ui, 28);
    int action_h = vm->can_start ? bm_ui_px(ui, vm->missing ? 200 : 136)
                                 : bm_ui_px(ui, vm->frame.elderly ? 230 : 190);
    if (vm->can_start) {
        int min = bm_button_height(ui) + (vm->missing ? bm_ui_px(ui, 64) : 0);
        action_h = action_h > min ? action_h : min;
    }
    SDL_Rect side = c;
    if (bm_ui_landscape(ui)) {
        /* Two fifths of the width for the facts, half where they need it (long values in
         * elderly mode's larger type), so no fact is cut off. */
        int avail = c.h - action_h - gap, share = 40;
        if (summary_height(ui, vm, c.w * share / 100) > avail)
            share = 50;
        /* Still too long: the action goes under the sections, the facts get the column. */
        bool action_right = summary_height(ui, vm, c.w * share / 100) > avail;
        if (action_right)
            share = 40;
        side = bm_rect_take_left(&c, c.w * share / 100);
        bm_rect_take_left(&c, bm_ui_px(ui, 36));
        SDL_Rect *under = action_right ? &c : &side;
        l->action = bm_rect_take_bottom(under, action_h);
        bm_rect_take_bottom(under, gap);
        int h = summary_height(ui, vm, side.w);
        l->summary = bm_rect(side.x, side.y, side.w, h < side.h ? h : side.h);
    } else {
        l->summary = bm_rect_take_top(&c, summary_height(ui, vm, c.w));
        bm_rect_take_top(&c, gap);
        l->action = bm_rect_take_bottom(&c, action_h);
        bm_rect_take_bottom(&c, gap);
    }
    int pager_h = bm_button_height(ui);
    l->pager = bm_rect_take_bottom(&c, pager_h);
    bm_rect_take_bottom(&c, bm_ui_px(ui, 20));
    l->sections = c;
    int side_w = l->pager.w * 3 / 8;
    l->prev = bm_rect(l->pager.x, l->pager.y, side_w, pager_h);
    l->next = bm_rect(l->pager.x + l->pager.w - side_w, l->pager.y, side_w, pager_h);
    l->page_no = bm_rect(l->prev.x + side_w, l->pager.y, l->pager.w - 2 * side_w, pager_h);
    l->item_indent = bm_ui_px(ui, vm->frame.elderly ? 64 : 52);
}

/* The text area inside the sections card. */
static SDL_Rect text_area(struct bm_ui *ui, const struct layout *l)
{
    return bm_rect_inset4(l->sections, bm_ui_px(ui, 40), bm_ui_px(ui, 32), bm_ui_px(ui, 40),
                          bm_ui_px(ui, 24));
}

static int pages_of(struct bm_ui *ui, const struct bm_guide_vm *vm, const struct layout *l,
                    struct line *lines, size_t *n, size_t *starts)
{
    SDL_Rect area = text_area(ui, l);
    *n = build_lines(ui, vm, area.w, l->item_indent, lines);
    return paginate(lines, *n, area.h, starts, MAX_LINES);
}

int bm_guide_pages(struct bm_ui *ui, const struct bm_guide_vm *vm)
{
    static struct line lines[MAX_LINES]; /* scratch: too big for the stack of a test thread */
    size_t starts[MAX_LINES + 1], n;
    struct layout l;
    layout(ui, vm, &l);
    return pages_of(ui, vm, &l, lines, &n, starts);
}

static int clamp_page(int page, int pages)
{
    return page < 0 ? 0 : page >= pages ? pages - 1 : page;
}

/* The summary card: badge and title, then one row per fact, label left, value wrapped. */
struct summary {
    int pad, badge, label_w, row_gap, line_h;
    const char *labels[3], *values[3];
    size_t lines[3];
};

static void measure_summary(struct bm_ui *ui, const struct bm_guide_vm *vm, int width,
                            struct summary *m)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bool el = vm->frame.elderly;
    m->pad = bm_ui_px(ui, 36);
    m->badge = bm_ui_px(ui, el ? 120 : 104);
    m->label_w = bm_ui_px(ui, el ? 250 : 190);
    m->row_gap = bm_ui_px(ui, 14);
    struct bm_ui_font vf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_BOLD, t->text);
    m->line_h = vf.px * 7 / 5;
    m->labels[0] = el ? _("How long it takes") : _("Time limit");
    m->labels[1] = el ? _("Does it cost money") : _("Fee");
    m->labels[2] = el ? _("Who handles it") : _("Department");
    m->values[0] = vm->time_limit;
    m->values[1] = vm->fee;
    m->values[2] = vm->department;
    struct bm_ui_line_span spans[3];
    for (int i = 0; i < 3; i++) {
        const char *v = m->values[i] && *m->values[i] ? m->values[i] : "—";
        m->lines[i] = bm_ui_wrap(ui, v, vf, width - 2 * m->pad - m->label_w, 0, spans, 3, NULL);
        if (m->lines[i] == 0)
            m->lines[i] = 1;
    }
}

static int summary_height(struct bm_ui *ui, const struct bm_guide_vm *vm, int width)
{
    struct summary m;
    measure_summary(ui, vm, width, &m);
    int h = 2 * m.pad + m.badge + bm_ui_px(ui, 52);
    for (int i = 0; i < 3; i++)
        h += (int)m.lines[i] * m.line_h + (i ? m.row_gap : 0);
    return h;
}

static void draw_summary(struct bm_ui *ui, const struct bm_guide_vm *vm, SDL_Rect r)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct summary m;
    measure_summary(ui, vm, r.w, &m);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_scr_draw_card(ui, r, radius);
    int hue = vm->hue >= 0 && vm->hue < BM_HUE_COUNT ? (int)vm->hue : 0;
    /* The service's hue along the card's top edge: it ties the guide to its badge. */
    bm_ui_fill_rrect_gradient(ui, bm_rect(r.x + radius, r.y, r.w - 2 * radius, bm_ui_px(ui, 8)),
                              bm_ui_px(ui, 4), t->hue[hue][0], t->hue[hue][1],
                              BM_UI_GRADIENT_HORIZONTAL);

    SDL_Rect in = bm_rect_inset(r, m.pad);
    SDL_Rect head = bm_rect_take_top(&in, m.badge);
    SDL_Rect badge = bm_rect_take_left(&head, m.badge);
    bm_ui_fill_rrect_gradient(ui, badge, bm_ui_px(ui, 24), t->hue[hue][0], t->hue[hue][1],
                              BM_UI_GRADIENT_DIAGONAL);
    bm_ui_label(ui, badge, vm->glyph ? vm->glyph : "",
                (struct bm_ui_font){BM_UI_BOLD, m.badge * 27 / 50, t->text_on_dark},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_left(&head, bm_ui_px(ui, 28));
    bm_ui_text_block(ui, head, vm->title ? vm->title : "",
                     bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text), 2,
                     BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_top(&in, bm_ui_px(ui, 24));
    bm_ui_fill_rrect(ui, bm_rect(in.x, in.y, in.w, bm_ui_px(ui, 2)), 0, t->border);
    bm_rect_take_top(&in, bm_ui_px(ui, 26));

    struct bm_ui_font lf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    struct bm_ui_font vf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_BOLD, t->text);
    int y = in.y;
    for (int i = 0; i < 3; i++) {
        int h = (int)m.lines[i] * m.line_h;
        /* A paragraph of one line, so label and value share the line's baseline. */
        bm_ui_paragraph(ui, bm_rect(in.x, y, m.label_w - bm_ui_px(ui, 16), m.line_h), m.labels[i],
                        lf, m.line_h, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
        bm_ui_paragraph(ui, bm_rect(in.x + m.label_w, y, in.w - m.label_w, h),
                        m.values[i] && *m.values[i] ? m.values[i] : "—", vf, m.line_h,
                        BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
        y += h + m.row_gap;
    }
}

static void draw_line(struct bm_ui *ui, SDL_Rect area, int indent, int y, const struct line *ln)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct bm_ui_font f = line_font(ui, ln->style);
    char buf[512];
    size_t len = ln->len < sizeof buf - 1 ? ln->len : sizeof buf - 1;
    memcpy(buf, ln->src + ln->start, len);
    buf[len] = '\0';
    int x = area.x, w = area.w;
    if (ln->style == LINE_ITEM || ln->style == LINE_DETAIL) {
        x += indent;
        w -= indent;
    }
    if (ln->style == LINE_HEADING) {
        int bar_h = f.px;
        bm_ui_fill_rrect(ui,
                         bm_rect(area.x - bm_ui_px(ui, 22), y + (ln->height - bar_h) / 2,
                                 bm_ui_px(ui, 8), bar_h),
                         bm_ui_px(ui, 4), t->primary);
    }
    if (ln->marker < 0) {
        int r = bm_ui_px(ui, 6);
        bm_ui_fill_circle(ui, area.x + indent / 2, y + ln->height / 2, r, t->primary);
    } else if (ln->marker > 0) {
        int d = f.px * 5 / 4;
        SDL_Rect disc = bm_rect(area.x + (indent - d) / 2, y + (ln->height - d) / 2, d, d);
        bm_ui_fill_rrect(ui, disc, d / 2, t->primary_soft);
        char num[8];
        snprintf(num, sizeof num, "%d", ln->marker);
        bm_ui_label_tabular(ui, disc, num,
                            (struct bm_ui_font){BM_UI_BOLD, f.px * 4 / 5, t->primary_dark},
                            BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
    bm_ui_label(ui, bm_rect(x, y, w, ln->height), buf, f, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

/* Draws the page of the sections the vm asks for; returns how many pages there are. */
static int draw_sections(struct bm_ui *ui, const struct bm_guide_vm *vm, const struct layout *l)
{
    static struct line lines[MAX_LINES];
    size_t starts[MAX_LINES + 1], n;
    const struct bm_theme *t = bm_ui_theme(ui);
    int pages = pages_of(ui, vm, l, lines, &n, starts);
    int page = clamp_page(vm->page, pages);
    bm_scr_draw_card(ui, l->sections, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    SDL_Rect area = text_area(ui, l);
    int y = area.y;
    for (size_t i = starts[page]; i < starts[page + 1]; i++) {
        if (i > starts[page])
            y += lines[i].space;
        draw_line(ui, area, l->item_indent, y, &lines[i]);
        y += lines[i].height;
    }

    struct bm_button prev = {.label = _("Previous page"),
                             .glyph = "▲",
                             .kind = BM_BUTTON_SECONDARY,
                             .disabled = page == 0};
    struct bm_button next = {.label = _("Next page"),
                             .glyph = "▼",
                             .kind = BM_BUTTON_SECONDARY,
                             .disabled = page + 1 >= pages};
    if (pages > 1) {
        bm_button_draw(ui, l->prev, &prev);
        bm_button_draw(ui, l->next, &next);
        char buf[32];
        snprintf(buf, sizeof buf, "%d / %d", page + 1, pages);
        bm_ui_label_tabular(ui, l->page_no, buf,
                            bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text),
                            BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    }
    return pages;
}

static SDL_Rect start_button(struct bm_ui *ui, const struct bm_guide_vm *vm, SDL_Rect action)
{
    int h = action.h - (vm->missing ? bm_ui_px(ui, 64) : 0);
    return bm_rect(action.x, action.y + action.h - h, action.w, h);
}

static void draw_action(struct bm_ui *ui, const struct bm_guide_vm *vm, const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    char buf[256];
    if (vm->can_start) {
        if (vm->missing) {
            snprintf(buf, sizeof buf, _("Paused · the %s is out of order"), vm->missing);
            bm_ui_text_block(ui, bm_rect(l->action.x, l->action.y, l->action.w, bm_ui_px(ui, 52)),
                             buf, bm_scr_font(ui, BM_TYPE_BODY, BM_UI_BOLD, t->warm_text), 1,
                             BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        }
        struct bm_button b = {.label = _("Start"), .kind = BM_BUTTON_PRIMARY};
        bm_button_draw(ui, start_button(ui, vm, l->action), &b);
        return;
    }
    /* A guide only: where to go, in the notice colours (information, not a warning). */
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    bm_ui_fill_rrect(ui, l->action, radius, t->notice_bg);
    bm_ui_stroke_rrect(ui, l->action, radius, bm_ui_px(ui, 2), t->notice_border);
    SDL_Rect in = bm_rect_inset4(l->action, bm_ui_px(ui, 32), bm_ui_px(ui, 20), bm_ui_px(ui, 32),
                                 bm_ui_px(ui, 20));
    struct bm_ui_font hf = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->notice_text);
    struct bm_ui_font bf = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->notice_text);
    bm_ui_text_block(ui, bm_rect_take_top(&in, hf.px * 3 / 2),
                     vm->frame.elderly ? _("This one is done at a service counter")
                                       : _("Apply in person at a service counter"),
                     hf, 1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_top(&in, bm_ui_px(ui, 8));
    snprintf(buf, sizeof buf, _("Bring the materials above to: %s"),
             vm->department && *vm->department ? vm->department : "—");
    bm_ui_text_block(ui, in, buf, bf, 2, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
}

/* The elements for a layout and page count already worked out (they cost a text layout). */
static size_t elements_of(struct bm_ui *ui, const struct bm_guide_vm *vm, const struct layout *l,
                          int pages, struct bm_screen_element *out, size_t cap)
{
    size_t n = 0;
    if (vm->can_start)
        bm_scr_add(out, cap, &n, start_button(ui, vm, l->action), BM_INTENT_APPLY, 0,
                   "guide.start");
    if (pages > 1) {
        bm_scr_add(out, cap, &n, l->prev, BM_INTENT_PAGE, -1, "guide.page_up");
        bm_scr_add(out, cap, &n, l->next, BM_INTENT_PAGE, 1, "guide.page_down");
    }
    bm_browse_frame_elements(&l->frame, "guide", out, cap, &n);
    return n;
}

void bm_guide_draw(struct bm_ui *ui, const struct bm_guide_vm *vm)
{
    struct layout l;
    layout(ui, vm, &l);
    bm_browse_frame_draw(ui, &vm->frame, &l.frame, _("Service guide"));
    draw_summary(ui, vm, l.summary);
    int pages = draw_sections(ui, vm, &l);
    draw_action(ui, vm, &l);
    if (vm->frame.pressed) {
        struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
        size_t n = elements_of(ui, vm, &l, pages, el, BM_SCREEN_MAX_ELEMENTS);
        bm_browse_draw_pressed(ui, el, n < BM_SCREEN_MAX_ELEMENTS ? n : BM_SCREEN_MAX_ELEMENTS,
                               vm->frame.pressed);
    }
}

size_t bm_guide_elements(struct bm_ui *ui, const struct bm_guide_vm *vm,
                         struct bm_screen_element *out, size_t cap)
{
    struct layout l;
    layout(ui, vm, &l);
    return elements_of(ui, vm, &l, bm_guide_pages(ui, vm), out, cap);
}
