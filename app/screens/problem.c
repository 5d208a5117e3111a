/*
 * problem.c - the one calm screen for every "this cannot be done here now": a device a
 * service needs is out of order, the service list has not loaded, or a service cannot be
 * completed at this kiosk yet.
 *
 * Design: no red, no exclamation mark, no error code. A quiet information badge, one
 * sentence saying what happened in plain words (never that the resident did anything
 * wrong), one saying what is still possible, then the next best paths as large buttons, the
 * way most residents will want first: a person (the primary, in help's colour), the hotline
 * with its number written on the button, another service, home. Nothing here is a dead end.
 * In landscape the message stands at the left and the paths at the right.
 *
 * Main thread only.
 */
#include "screens/browse_internal.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

enum { PATH_CALL, PATH_HOTLINE, PATH_OTHER, PATH_HOME, PATH_COUNT };

struct layout {
    struct bm_browse_frame frame;
    SDL_Rect message, you_can;
    SDL_Rect paths[PATH_COUNT];
    bool shown[PATH_COUNT];
};

static int message_height(struct bm_ui *ui, const struct bm_problem_vm *vm, int width);

static void layout(struct bm_ui *ui, const struct bm_problem_vm *vm, struct layout *l)
{
    memset(l, 0, sizeof *l);
    bm_browse_frame_layout(ui, vm->frame.elderly, &l->frame);
    SDL_Rect c = l->frame.content;
    int gap = bm_ui_px(ui, vm->frame.elderly ? 32 : 28);
    int button_h = bm_button_height(ui);
    int tall = button_h + bm_ui_px(ui, 24); /* the primary path stands out by its size too */
    for (int i = 0; i < PATH_COUNT; i++)
        l->shown[i] = i != PATH_OTHER || vm->can_go_back;
    int count = 0;
    for (int i = 0; i < PATH_COUNT; i++)
        count += l->shown[i];
    int sub_px = bm_ui_px(ui, bm_ui_theme(ui)->type[BM_TYPE_SUBTITLE]);
    int label_h = sub_px * 2, space = bm_ui_px(ui, 48);
    int stack = label_h + tall + (count - 1) * (button_h + gap);
    bool land = bm_ui_landscape(ui);
    int need = land ? stack : message_height(ui, vm, c.w) + space + stack;
    if (need > c.h) {
        /* A short page (elderly mode's larger bar): closer together, never smaller words. */
        gap = bm_ui_px(ui, 16);
        tall = button_h;
        label_h = sub_px * 3 / 2;
        space = bm_ui_px(ui, 24);
        stack = label_h + tall + (count - 1) * (button_h + gap);
    }
    SDL_Rect paths;
    if (land) {
        SDL_Rect left = bm_rect_take_left(&c, c.w / 2);
        bm_rect_take_left(&c, bm_ui_px(ui, 48));
        int h = message_height(ui, vm, left.w);
        h = h < left.h ? h : left.h;
        l->message = bm_rect(left.x, left.y + (left.h - h) / 2, left.w, h);
        paths = bm_rect(c.x, c.y + (c.h - stack) / 2, c.w, stack);
    } else {
        /* The message and the paths as one group, a little above the middle. */
        int h = message_height(ui, vm, c.w);
        if (h + space + stack > c.h)
            h = c.h - space - stack;
        int y = c.y + (c.h - (h + space + stack)) / 3;
        l->message = bm_rect(c.x, y, c.w, h);
        paths = bm_rect(c.x, y + h + space, c.w, stack);
    }
    l->you_can = bm_rect(paths.x, paths.y, paths.w, label_h);
    int y = paths.y + label_h;
    for (int i = 0; i < PATH_COUNT; i++) {
        if (!l->shown[i])
            continue;
        int h = i == PATH_CALL ? tall : button_h;
        l->paths[i] = bm_rect(paths.x, y, paths.w, h);
        y += h + gap;
    }
}

static const char *title_of(const struct bm_problem_vm *vm, char *buf, size_t size)
{
    switch (vm->kind) {
    case BM_PROBLEM_DEVICE:
        snprintf(buf, size, _("The %s is out of order for now"),
                 vm->device && *vm->device ? vm->device : _("device"));
        return buf;
    case BM_PROBLEM_NO_CATALOG:
        snprintf(buf, size, "%s", _("The list of services is not ready yet"));
        return buf;
    case BM_PROBLEM_NOT_YET:
    default:
        snprintf(buf, size, "%s", _("This service can't be completed here yet"));
        return buf;
    }
}

static const char *message_of(const struct bm_problem_vm *vm, char *buf, size_t size)
{
    const char *service = vm->service && *vm->service ? vm->service : NULL;
    switch (vm->kind) {
    case BM_PROBLEM_DEVICE:
        if (service)
            snprintf(buf, size,
                     _("“%s” needs it, so it is paused at this kiosk. A staff member or the "
                       "hotline can help you right away."),
                     service);
        else
            snprintf(buf, size, "%s",
                     _("Services that need it are paused at this kiosk. A staff member or the "
                       "hotline can help you right away."));
        return buf;
    case BM_PROBLEM_NO_CATALOG:
        snprintf(buf, size, "%s",
                 _("This kiosk is still getting its list of services. A staff member or the "
                   "hotline can help you now."));
        return buf;
    case BM_PROBLEM_NOT_YET:
    default:
        if (service)
            snprintf(buf, size,
                     _("“%s” cannot be completed at this kiosk yet. A staff member or the "
                       "hotline can help you, or apply at a service counter."),
                     service);
        else
            snprintf(buf, size, "%s",
                     _("A staff member or the hotline can help you, or apply at a service "
                       "counter."));
        return buf;
    }
}

/* A calm information badge: a soft disc with an "i" drawn as a dot and a stem. */
static void draw_badge(struct bm_ui *ui, int cx, int cy, int radius)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_circle(ui, cx, cy, radius, t->primary_soft);
    bm_ui_fill_circle(ui, cx, cy, radius * 3 / 4, t->primary);
    int w = radius / 6;
    bm_ui_fill_circle(ui, cx, cy - radius * 3 / 10, w * 2 / 3 + 1, t->text_on_dark);
    bm_ui_fill_rrect(ui, bm_rect(cx - w / 2, cy - radius / 8, w, radius * 5 / 12), w / 2,
                     t->text_on_dark);
}

/* The message card's parts: badge, title and text, laid out for a width. */
struct message {
    struct bm_ui_font tf, bf;
    int radius, pad, gap, tline, bline;
    size_t tlines, blines;
    char title[192], text[512];
};

static void measure(struct bm_ui *ui, const struct bm_problem_vm *vm, int width, struct message *m)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    m->tf = bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text);
    m->bf = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text);
    m->radius = bm_ui_px(ui, vm->frame.elderly ? 72 : 60);
    m->pad = bm_ui_px(ui, 48);
    m->gap = bm_ui_px(ui, 28);
    m->tline = m->tf.px * 7 / 5;
    m->bline = m->bf.px * 8 / 5;
    title_of(vm, m->title, sizeof m->title);
    message_of(vm, m->text, sizeof m->text);
    struct bm_ui_line_span spans[6];
    m->tlines = bm_ui_wrap(ui, m->title, m->tf, width - 2 * m->pad, 0, spans, 2, NULL);
    m->blines = bm_ui_wrap(ui, m->text, m->bf, width - 2 * m->pad, 0, spans, 6, NULL);
}

static int message_height(struct bm_ui *ui, const struct bm_problem_vm *vm, int width)
{
    struct message m;
    measure(ui, vm, width, &m);
    return 2 * m.pad + 2 * m.radius + m.gap + (int)m.tlines * m.tline + m.gap +
           (int)m.blines * m.bline;
}

static void draw_message(struct bm_ui *ui, const struct bm_problem_vm *vm, SDL_Rect r)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct message m;
    measure(ui, vm, r.w, &m);
    bm_scr_draw_card(ui, r, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    SDL_Rect in = bm_rect_inset(r, m.pad);
    int y = in.y;
    draw_badge(ui, in.x + in.w / 2, y + m.radius, m.radius);
    y += 2 * m.radius + m.gap;
    bm_ui_text_block(ui, bm_rect(in.x, y, in.w, (int)m.tlines * m.tline), m.title, m.tf, 2,
                     BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    y += (int)m.tlines * m.tline + m.gap;
    bm_ui_paragraph(ui, bm_rect(in.x, y, in.w, (int)m.blines * m.bline), m.text, m.bf, m.bline,
                    BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
}

void bm_problem_draw(struct bm_ui *ui, const struct bm_problem_vm *vm)
{
    struct layout l;
    layout(ui, vm, &l);
    bm_browse_frame_draw(ui, &vm->frame, &l.frame, _("Let us help another way"));
    draw_message(ui, vm, l.message);
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_label(ui, l.you_can, _("You can:"),
                bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text_muted),
                BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    char hotline[96];
    snprintf(hotline, sizeof hotline, _("Call the hotline %s"),
             vm->frame.kiosk.hotline ? vm->frame.kiosk.hotline : "");
    bm_browse_button(ui, l.paths[PATH_CALL], _("Ask a staff member to help"), NULL, BM_BUTTON_HELP);
    bm_browse_button(ui, l.paths[PATH_HOTLINE], hotline, NULL, BM_BUTTON_SECONDARY);
    if (l.shown[PATH_OTHER])
        bm_browse_button(ui, l.paths[PATH_OTHER], _("Choose another service"), NULL,
                         BM_BUTTON_QUIET);
    bm_browse_button(ui, l.paths[PATH_HOME], _("Back to the home screen"), NULL, BM_BUTTON_QUIET);
    if (!vm->frame.pressed)
        return;
    struct bm_screen_element el[BM_SCREEN_MAX_ELEMENTS];
    size_t n = bm_problem_elements(ui, vm, el, BM_SCREEN_MAX_ELEMENTS);
    bm_browse_draw_pressed(ui, el, n < BM_SCREEN_MAX_ELEMENTS ? n : BM_SCREEN_MAX_ELEMENTS,
                           vm->frame.pressed);
}

size_t bm_problem_elements(struct bm_ui *ui, const struct bm_problem_vm *vm,
                           struct bm_screen_element *out, size_t cap)
{
    struct layout l;
    layout(ui, vm, &l);
    size_t n = 0;
    bm_scr_add(out, cap, &n, l.paths[PATH_CALL], BM_INTENT_HELP, 0, "problem.call");
    bm_scr_add(out, cap, &n, l.paths[PATH_HOTLINE], BM_INTENT_HOTLINE, 0, "problem.call_hotline");
    if (l.shown[PATH_OTHER])
        bm_scr_add(out, cap, &n, l.paths[PATH_OTHER], BM_INTENT_BACK, 0, "problem.other");
    bm_scr_add(out, cap, &n, l.paths[PATH_HOME], BM_INTENT_HOME, 0, "problem.go_home");
    bm_browse_frame_elements(&l.frame, "problem", out, cap, &n);
    return n;
}
