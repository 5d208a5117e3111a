/*
 * progress.c - the progress query (办件进度查询): a resident with a receipt in hand types its
 * application number and reads where the application stands.
 *
 * Design, top to bottom:
 * - the page frame of the browse screens (browse_frame.c): back at the top left, the title,
 *   home at the top right, so the ways out are where they are on every other screen;
 * - the number card: the fixed "BM" and the 14 digits the resident types, grouped as on a
 *   date (2026 1129 000123) with the places still to type shown, so a missing or extra digit
 *   shows at a glance; where the number is on the receipt; "or scan the QR code" when a
 *   scanner works; the one primary action, 查询;
 * - what the query found: a querying bar, the state in plain words with its mark, colour and
 *   date, the steps of a case, what to do next and the case worker's note; or why there is no
 *   answer (not arrived yet, out of reach, busy, error) with the way on;
 * - the digit pad (ui/keyboard.h) while typing: only digits are needed, since "BM" is fixed;
 * - the bar every resident screen shares (frame.c): help red and bottom left.
 * Portrait stacks card, answer and pad. Landscape uses the width: the number card on the left
 * and the pad or the answer on the right (the answer's state in its own card under the
 * number, what to do next and the note beside it), between a header and bar as wide as home's.
 * One layout() gives every rectangle to drawing and to the element list. The words are the
 * screen's own (through _()); the service title and the note come from the vm as given.
 *
 * Main thread only.
 */
#include "screens/browse_internal.h"

#include "core/i18n.h"
#include "ui/keyboard.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <string.h>

#define DIGITS 14 /* after "BM": yyyymmdd and a 6-digit sequence */

struct layout {
    struct bm_browse_frame frame; /* header (back, title, home) and the shared bar */
    SDL_Rect card, card_title, field, hint, scan, query;
    SDL_Rect panel;      /* the answer or the querying bar: below the card, or beside it */
    SDL_Rect head_panel; /* landscape, an answer: under the card, the state's own card */
    bool keyboard;
    struct bm_kbd_vm kbd;
};

static bool answered(enum bm_progress_phase p)
{
    return p != BM_PROGRESS_ENTRY && p != BM_PROGRESS_QUERYING;
}

static size_t typed(const struct bm_progress_vm *vm)
{
    return vm->digits ? strlen(vm->digits) : 0;
}

static void layout(struct bm_ui *ui, const struct bm_progress_vm *vm, struct layout *l)
{
    memset(l, 0, sizeof *l);
    int gap = bm_ui_px(ui, 24);
    bool land = bm_ui_landscape(ui);
    bm_browse_frame_layout(ui, vm->elderly, &l->frame);
    SDL_Rect c = l->frame.content;
    /* Between header and bar, edge to edge: where the pad goes. */
    int top = l->frame.header.y + l->frame.header.h;
    SDL_Rect between = bm_rect(0, top, bm_ui_width(ui), l->frame.bar.bar.y - top);

    /* Portrait: the card above, the pad across the bottom of what is left or the answer under
     * the card. Landscape uses the width: the number card on the left, the pad or the answer
     * beside it on the right. */
    SDL_Rect side = {0};
    int split = bm_ui_px(ui, 40);
    if (land) {
        /* The answer needs the room more than the number does, once it is asked. */
        int left = (c.w - split) * (vm->phase != BM_PROGRESS_ENTRY ? 45 : 52) / 100;
        side = bm_rect(c.x + left + split, c.y, c.w - left - split, c.h);
        c.w = left;
    }
    l->keyboard = vm->phase == BM_PROGRESS_ENTRY && vm->field;
    if (l->keyboard) {
        l->kbd = (struct bm_kbd_vm){.layout = BM_KBD_DIGITS, .field = vm->field, .area = between};
        if (land) {
            /* A block in the right column, level with the number card's top. */
            l->kbd.area = side;
            l->kbd.area.h = bm_kbd_rect(ui, &l->kbd).h;
        } else {
            c.h = bm_kbd_rect(ui, &l->kbd).y - c.y - bm_ui_px(ui, 28);
        }
    }

    /* The number card: a shorter one once the query has gone (the number stays visible). */
    int inner = bm_ui_px(ui, 36);
    /* The title and hints take two lines where the card is narrow (landscape, by the pad). */
    bool entry = vm->phase == BM_PROGRESS_ENTRY;
    int hint_lines = c.w < bm_ui_px(ui, 760) ? 2 : 1;
    /* Once asked the title is one short word ("application number"). */
    int title_h = (entry ? hint_lines : 1) * bm_ui_px(ui, vm->elderly ? 84 : 64);
    if (answered(vm->phase) && title_h < bm_ui_min_target(ui)) /* "another number" is in it */
        title_h = bm_ui_min_target(ui);
    int field_h = bm_ui_target_px(ui, vm->elderly ? 150 : 124);
    int hint_h = hint_lines * bm_ui_px(ui, vm->elderly ? 60 : 48);
    int button_h = bm_button_height(ui);
    int card_h = 2 * inner + title_h + bm_ui_px(ui, 12) + field_h;
    if (entry)
        card_h +=
            bm_ui_px(ui, 16) + hint_h + (vm->scanner ? hint_h : 0) + bm_ui_px(ui, 24) + button_h;
    if (card_h > c.h)
        card_h = c.h;
    l->card = bm_rect_take_top(&c, card_h);
    SDL_Rect in = bm_rect_inset(l->card, inner);
    l->card_title = bm_rect_take_top(&in, title_h);
    bm_rect_take_top(&in, bm_ui_px(ui, 12));
    l->field = bm_rect_take_top(&in, field_h);
    if (entry) {
        bm_rect_take_top(&in, bm_ui_px(ui, 16));
        l->hint = bm_rect_take_top(&in, hint_h);
        if (vm->scanner)
            l->scan = bm_rect_take_top(&in, hint_h);
        l->query = bm_rect_take_bottom(&in, button_h);
    } else if (answered(vm->phase)) {
        /* "Another number" sits in the card's title row, right. */
        int w = bm_ui_px(ui, vm->elderly ? 330 : 300);
        l->query = bm_rect(l->card_title.x + l->card_title.w - w, l->card_title.y, w, title_h);
        l->card_title.w -= w + gap;
    }
    if (land) {
        l->panel = side;
        if (vm->phase == BM_PROGRESS_FOUND) {
            bm_rect_take_top(&c, gap);
            l->head_panel = c;
        }
    } else {
        bm_rect_take_top(&c, gap);
        l->panel = c;
    }
}

/* ---- drawing ---- */

static const char *state_words(enum bm_progress_state s)
{
    switch (s) {
    case BM_PROGRESS_RECEIVED:
        return _("Received");
    case BM_PROGRESS_IN_PROGRESS:
        return _("Being processed");
    case BM_PROGRESS_NEEDS_MORE:
        return _("More materials needed");
    case BM_PROGRESS_APPROVED:
        return _("Approved");
    case BM_PROGRESS_REJECTED:
        return _("Not approved");
    case BM_PROGRESS_READY:
        return _("Ready to collect");
    case BM_PROGRESS_DONE:
        return _("Completed");
    }
    return "";
}

/* What to do next, first; plainer in elderly mode. */
static const char *next_step(enum bm_progress_state s, bool elderly)
{
    switch (s) {
    case BM_PROGRESS_RECEIVED:
        return elderly ? _("Your application has been received. Please wait for the result.")
                       : _("The department has your application and will start on it soon. "
                           "You will get a text message when there is news.");
    case BM_PROGRESS_IN_PROGRESS:
        return elderly ? _("Staff are working on it. Please wait.")
                       : _("A case worker is dealing with it. Nothing is needed from you now; "
                           "you will get a text message when it is decided.");
    case BM_PROGRESS_NEEDS_MORE:
        return _("Please bring what the note below asks for to the service counter, with "
                 "this receipt.");
    case BM_PROGRESS_APPROVED:
        return _("Your application was approved. You will be told how to receive the result.");
    case BM_PROGRESS_REJECTED:
        return _("The reason is below. If you have questions, press Help or call the hotline.");
    case BM_PROGRESS_READY:
        return _("Please collect it at the service counter. Bring this receipt and your ID "
                 "card.");
    case BM_PROGRESS_DONE:
        return _("This application is finished. Nothing more is needed.");
    }
    return "";
}

/* Mark and colour of a state: never the colour alone (a mark and words go with it). */
static void state_look(const struct bm_theme *t, enum bm_progress_state s, const char **mark,
                       SDL_Color *c)
{
    switch (s) {
    case BM_PROGRESS_NEEDS_MORE:
        *mark = "!";
        *c = t->hue[BM_HUE_ORANGE][1];
        return;
    case BM_PROGRESS_REJECTED:
        *mark = "×";
        *c = t->hue[BM_HUE_RED][1];
        return;
    case BM_PROGRESS_APPROVED:
    case BM_PROGRESS_READY:
    case BM_PROGRESS_DONE:
        *mark = "✓";
        *c = t->hue[BM_HUE_GREEN][1];
        return;
    default:
        *mark = "…";
        *c = t->primary;
        return;
    }
}

/* "BM 2026 1129 000123", the places not typed yet as "_". */
static void format_number(const char *digits, char *out, size_t size)
{
    size_t n = digits ? strlen(digits) : 0, o = 0;
    for (size_t i = 0; i < DIGITS && o + 3 < size; i++) {
        if (i == 4 || i == 8)
            out[o++] = ' ';
        out[o++] = i < n ? digits[i] : '_';
    }
    out[o] = '\0';
}

static bool is_pressed(const struct bm_progress_vm *vm, const char *name)
{
    return vm->pressed && strcmp(vm->pressed, name) == 0;
}

/* The page frame the browse screens wear: back and home in the header, the shared bar. */
static struct bm_browse_frame_vm frame_vm(const struct bm_progress_vm *vm)
{
    return (struct bm_browse_frame_vm){.kiosk = vm->kiosk,
                                       .lang = vm->lang,
                                       .elderly = vm->elderly,
                                       .voice_on = vm->voice_on,
                                       .pressed = vm->pressed};
}

static void draw_frame(struct bm_ui *ui, const struct bm_progress_vm *vm, const struct layout *l)
{
    struct bm_browse_frame_vm fvm = frame_vm(vm);
    bm_browse_frame_draw(ui, &fvm, &l->frame, _("Application progress"));
    struct bm_screen_element list[BM_SCREEN_MAX_ELEMENTS];
    size_t n = 0;
    bm_browse_frame_elements(&l->frame, "progress", list, BM_SCREEN_MAX_ELEMENTS, &n);
    bm_browse_draw_pressed(ui, list, n, vm->pressed);
}

static void draw_number_card(struct bm_ui *ui, const struct bm_progress_vm *vm,
                             const struct layout *l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int radius = bm_ui_px(ui, t->radius[BM_RADIUS_L]);
    bm_scr_draw_card(ui, l->card, radius);
    bool entry = vm->phase == BM_PROGRESS_ENTRY;
    bm_ui_text_block(ui, l->card_title,
                     entry ? _("Type the number on your receipt") : _("Application number"),
                     bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text), 2,
                     BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);

    /* The field: a sunk box; its border is the primary colour while typing, red when the
     * number cannot be one. */
    int r = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
    SDL_Color border = vm->number_invalid ? t->help : entry ? t->primary : t->border;
    bm_ui_fill_rrect(ui, l->field, r, t->background);
    bm_ui_stroke_rrect(ui, l->field, r, bm_ui_px(ui, entry ? 4 : 2), border);
    SDL_Rect f = bm_rect_inset4(l->field, bm_ui_px(ui, 32), 0, bm_ui_px(ui, 24), 0);
    /* As large as the whole number fits the field (the elderly theme's display size would
     * not): the prefix, a gap and the 14 digits' cells. */
    struct bm_ui_font big = bm_scr_font(ui, BM_TYPE_DISPLAY, BM_UI_BOLD, t->text);
    int gap = bm_ui_px(ui, 20);
    while (big.px > bm_ui_px(ui, 30) && bm_ui_text_size(ui, "BM", big).x + gap +
                                                bm_ui_tabular_width(ui, "0000 0000 000000", big) >
                                            f.w)
        big.px = big.px * 94 / 100;
    char number[32];
    format_number(vm->digits, number, sizeof number);
    int prefix_w = bm_ui_label(ui, f, "BM", (struct bm_ui_font){BM_UI_BOLD, big.px, t->primary},
                               BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_left(&f, prefix_w + gap);
    /* Typed digits dark, then the places still to type as muted "_" in the same cells. */
    size_t n = typed(vm);
    size_t split = n + (n > 4) + (n > 8);
    char done[32];
    snprintf(done, sizeof done, "%.*s", (int)split, number);
    int done_w =
        n ? bm_ui_label_tabular(ui, f, done, big, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE) : 0;
    if (number[split]) {
        SDL_Rect rest = f;
        bm_rect_take_left(&rest, done_w);
        bm_ui_label_tabular(ui, rest, number + split,
                            (struct bm_ui_font){BM_UI_REGULAR, big.px,
                                                bm_color_mix(t->border, t->text_muted, 0.5f)},
                            BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
    if (!entry)
        return;

    struct bm_ui_font hint = bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    if (vm->number_invalid)
        bm_ui_text_block(ui, l->hint,
                         _("This is not a valid number. Please check the date part "
                           "against your receipt."),
                         (struct bm_ui_font){BM_UI_BOLD, hint.px, t->help}, 2,
                         BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    else
        bm_ui_text_block(ui, l->hint,
                         vm->elderly ? _("It starts with BM, on the top of your receipt.")
                                     : _("Printed at the top of your receipt: BM and 14 digits. "
                                         "Type the digits."),
                         hint, 2, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    if (vm->scanner)
        bm_ui_text_block(ui, l->scan, _("Or hold the QR code on your receipt under the scanner."),
                         (struct bm_ui_font){BM_UI_BOLD, hint.px, t->primary}, 2,
                         BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    bool complete = n == DIGITS && !vm->number_invalid;
    struct bm_button q = {"progress.query",
                          _("Check progress"),
                          NULL,
                          BM_BUTTON_PRIMARY,
                          is_pressed(vm, "progress.query"),
                          !complete};
    bm_button_draw(ui, l->query, &q);
}

/* A round mark in colour c with a symbol in it, at the left of r; returns what is left. */
static SDL_Rect draw_mark(struct bm_ui *ui, SDL_Rect r, const char *mark, SDL_Color c, int d)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    SDL_Rect m = bm_rect_take_left(&r, d);
    m.y += (m.h - d) / 2;
    bm_ui_fill_circle(ui, m.x + d / 2, m.y + d / 2, d / 2, c);
    bm_ui_label(ui, bm_rect(m.x, m.y, d, d), mark,
                (struct bm_ui_font){BM_UI_BOLD, d * 6 / 10, t->text_on_dark},
                BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    bm_rect_take_left(&r, bm_ui_px(ui, 28));
    return r;
}

/* The steps of a case, for the states on the usual path. */
static void draw_steps(struct bm_ui *ui, SDL_Rect r, enum bm_progress_state s)
{
    struct bm_steps st = {.labels = {_("Received"), _("Processing"), _("Decided"), _("Done")},
                          .count = 4};
    switch (s) {
    case BM_PROGRESS_RECEIVED:
        st.current = 1;
        break;
    case BM_PROGRESS_IN_PROGRESS:
    case BM_PROGRESS_NEEDS_MORE:
        st.current = 1;
        break;
    case BM_PROGRESS_APPROVED:
        st.current = 3;
        break;
    case BM_PROGRESS_READY:
        st.current = 3;
        break;
    default:
        st.current = 4;
        break;
    }
    bm_steps_draw(ui, r, &st);
}

/* What a resident reads on the answers: a size up from body text, read from a metre. */
static struct bm_ui_font reading_font(struct bm_ui *ui)
{
    return bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, bm_ui_theme(ui)->text);
}

/* How many lines text takes at f in width w (at most max). */
static int text_lines(struct bm_ui *ui, const char *text, struct bm_ui_font f, int w, size_t max)
{
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    bool cut;
    size_t n = bm_ui_wrap(ui, text, f, w, 0, lines, max, &cut);
    return n ? (int)n : 1;
}

/* The result card's parts, top to bottom; the card hugs them. */
struct result_layout {
    SDL_Rect head_card; /* landscape: the state, service and steps in a card of their own */
    SDL_Rect card, head, service, steps, next_label, next, note, note_label, note_text;
    int head_mark;
    size_t next_lines, note_lines;
};

/* Where the steps of a case go: under the state, beside it (landscape), or left out. */
enum steps_at { STEPS_IN_HEAD, STEPS_BESIDE, STEPS_NONE };

static void result_layout_in(struct bm_ui *ui, const struct bm_progress_vm *vm, SDL_Rect r,
                             SDL_Rect head_r, enum steps_at steps, bool compact,
                             struct result_layout *rl)
{
    const struct bm_progress_result *res = &vm->result;
    memset(rl, 0, sizeof *rl);
    int inner = bm_ui_px(ui, 36), gap = bm_ui_px(ui, 20);
    bool split = head_r.w > 0;
    SDL_Rect in = bm_rect_inset(split ? head_r : r, inner);
    struct bm_ui_font body = reading_font(ui);
    struct bm_ui_font sub = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, bm_ui_theme(ui)->text);
    int line_h = body.px * 6 / 5, label_h = body.px * 7 / 4;
    rl->head_mark = bm_ui_px(ui, vm->elderly ? (compact ? 110 : 130) : 104);
    rl->head = bm_rect_take_top(&in, bm_ui_px(ui, vm->elderly ? (compact ? 150 : 200) : 130));
    if (res->service && *res->service) {
        bm_rect_take_top(&in, bm_ui_px(ui, 12));
        rl->service = bm_rect_take_top(&in, sub.px * 3 / 2);
    }
    bool has_steps = res->state != BM_PROGRESS_REJECTED && !vm->elderly;
    if (has_steps && steps == STEPS_IN_HEAD) {
        bm_rect_take_top(&in, bm_ui_px(ui, 16));
        rl->steps = bm_rect_take_top(&in, bm_steps_height(ui));
    }
    if (split) {
        rl->head_card = head_r;
        rl->head_card.h = in.y - head_r.y + inner;
        if (rl->head_card.h > head_r.h)
            rl->head_card.h = head_r.h;
        in = bm_rect_inset(r, inner);
        if (has_steps && steps == STEPS_BESIDE) {
            rl->steps = bm_rect_take_top(&in, bm_steps_height(ui));
            bm_rect_take_top(&in, gap);
        }
    } else {
        bm_rect_take_top(&in, gap);
    }
    rl->next_label = bm_rect_take_top(&in, label_h);
    rl->next_lines = (size_t)text_lines(ui, next_step(res->state, vm->elderly), body, in.w, 4);
    rl->next = bm_rect_take_top(&in, (int)rl->next_lines * line_h);
    if (res->note && *res->note) {
        bm_rect_take_top(&in, gap);
        int pad = bm_ui_px(ui, 28);
        size_t max = vm->elderly ? 3 : 5;
        rl->note_lines = (size_t)text_lines(ui, res->note, body, in.w - 2 * pad, max);
        rl->note = bm_rect_take_top(&in, 2 * pad + label_h + (int)rl->note_lines * line_h);
        SDL_Rect bi = bm_rect_inset(rl->note, pad);
        rl->note_label = bm_rect_take_top(&bi, label_h);
        rl->note_text = bi;
    }
    rl->card = r;
    rl->card.h = in.y - r.y + inner;
    if (rl->card.h > r.h)
        rl->card.h = r.h;
}

/* The result card in r (and, in landscape, the state's card in head_r, under the number):
 * where that is short the steps move beside the state, then go (the state's words say the
 * same), then the head gets smaller; the words never do. */
static void result_layout(struct bm_ui *ui, const struct bm_progress_vm *vm, SDL_Rect r,
                          SDL_Rect head_r, struct result_layout *rl)
{
    SDL_Rect tall = bm_rect(r.x, r.y, r.w, 1 << 14);
    SDL_Rect tall_head = bm_rect(head_r.x, head_r.y, head_r.w, head_r.w ? 1 << 14 : 0);
    /* Tried in this order until one fits; the last is used even if it does not. */
    static const struct {
        enum steps_at steps;
        bool compact;
    } tries[] = {
        {STEPS_IN_HEAD, false}, {STEPS_BESIDE, false}, {STEPS_NONE, false}, {STEPS_NONE, true}};
    size_t i = 0;
    for (; i + 1 < sizeof tries / sizeof tries[0]; i++) {
        if (tries[i].steps == STEPS_BESIDE && !head_r.w)
            continue;
        result_layout_in(ui, vm, tall, tall_head, tries[i].steps, tries[i].compact, rl);
        if (rl->card.h <= r.h && rl->head_card.h <= head_r.h)
            break;
    }
    result_layout_in(ui, vm, r, head_r, tries[i].steps, tries[i].compact, rl);
}

static void draw_result(struct bm_ui *ui, const struct bm_progress_vm *vm, SDL_Rect r,
                        SDL_Rect head_r)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    const struct bm_progress_result *res = &vm->result;
    struct result_layout rl;
    result_layout(ui, vm, r, head_r, &rl);
    bm_scr_draw_card(ui, rl.card, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    if (rl.head_card.h)
        bm_scr_draw_card(ui, rl.head_card, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    const char *mark;
    SDL_Color c;
    state_look(t, res->state, &mark, &c);

    SDL_Rect words = draw_mark(ui, rl.head, mark, c, rl.head_mark);
    SDL_Rect w1 = bm_rect_take_top(&words, words.h * 58 / 100);
    bm_ui_label_fit(ui, w1, state_words(res->state),
                    (struct bm_ui_font){BM_UI_BOLD, bm_ui_px(ui, t->type[BM_TYPE_HEADLINE]), c},
                    bm_ui_px(ui, 28), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_BOTTOM);
    char date[64], line[256];
    bm_screen_format_date(&res->since, vm->lang, date, sizeof date);
    snprintf(line, sizeof line, _("Since %s"), date);
    bm_ui_label_fit(ui, words, line, bm_scr_font(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted),
                    bm_ui_px(ui, 20), BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    struct bm_ui_font sub = bm_scr_font(ui, BM_TYPE_SUBTITLE, BM_UI_BOLD, t->text);
    if (rl.service.h)
        bm_ui_label_fit(ui, rl.service, res->service, sub, sub.px * 7 / 10,
                        BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    if (rl.steps.h)
        draw_steps(ui, rl.steps, res->state);

    struct bm_ui_font body = reading_font(ui);
    bm_ui_label(ui, rl.next_label, _("What to do next"),
                (struct bm_ui_font){BM_UI_BOLD, body.px, t->text},
                BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_ui_text_block(ui, rl.next, next_step(res->state, vm->elderly), body, rl.next_lines,
                     BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    if (rl.note.h) { /* the reason, or what is missing, as the case worker wrote it */
        int br = bm_ui_px(ui, t->radius[BM_RADIUS_M]);
        bm_ui_fill_rrect(ui, rl.note, br, t->notice_bg);
        bm_ui_stroke_rrect(ui, rl.note, br, bm_ui_px(ui, 2), t->notice_border);
        bm_ui_label(ui, rl.note_label,
                    res->state == BM_PROGRESS_REJECTED ? _("Reason") : _("Note from staff"),
                    (struct bm_ui_font){BM_UI_BOLD, body.px, t->notice_text},
                    BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
        bm_ui_text_block(ui, rl.note_text, res->note, body, rl.note_lines,
                         BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    }
}

/* Why there is no answer, and the way on. */
struct trouble {
    const char *mark;
    SDL_Color color;
    const char *title, *message;
    const char *primary_name, *primary_label;
};

static void trouble_of(struct bm_ui *ui, const struct bm_progress_vm *vm, struct trouble *tr,
                       char *buf, size_t size)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    const char *hotline = vm->kiosk.hotline ? vm->kiosk.hotline : "", *msg;
    switch (vm->phase) {
    case BM_PROGRESS_NOT_FOUND:
        msg = vm->elderly ? _("If you applied just now, please check again later.")
                          : _("When the kiosk is online, an application reaches the centre within "
                              "a few minutes. If you applied just now, please check again later. "
                              "Also check that the number matches your receipt.");
        *tr =
            (struct trouble){"?", t->primary,      _("This number has not reached the centre yet"),
                             msg, "progress.edit", _("Check the number")};
        return;
    case BM_PROGRESS_OFFLINE:
        snprintf(buf, size,
                 vm->elderly ? _("Please try again later, or call the hotline %s.")
                             : _("This kiosk cannot reach the centre right now, so it cannot "
                                 "look the number up. Please try again later, or call the "
                                 "hotline %s."),
                 hotline);
        *tr = (struct trouble){"!", t->hue[BM_HUE_ORANGE][1], _("Cannot reach the centre"),
                               buf, "progress.retry",         _("Try again")};
        return;
    case BM_PROGRESS_BUSY:
        snprintf(buf, size,
                 _("Many people are checking right now. Please try again in %u seconds."),
                 vm->retry_after_s ? vm->retry_after_s : 60u);
        *tr = (struct trouble){"…", t->primary,       _("Please wait a moment"),
                               buf, "progress.retry", _("Try again")};
        return;
    default:
        snprintf(buf, size,
                 _("The centre's answer could not be read. Please try again later, or call the "
                   "hotline %s."),
                 hotline);
        *tr = (struct trouble){"!", t->hue[BM_HUE_RED][1], _("The query did not work"),
                               buf, "progress.retry",      _("Try again")};
        return;
    }
}

/* The trouble card's parts; the card hugs the message. */
struct trouble_layout {
    SDL_Rect card, head, message, button;
    size_t lines;
};

static void trouble_layout(struct bm_ui *ui, const struct bm_progress_vm *vm,
                           const struct trouble *tr, SDL_Rect r, struct trouble_layout *tl)
{
    int inner = bm_ui_px(ui, 36);
    struct bm_ui_font body = reading_font(ui);
    SDL_Rect in = bm_rect_inset(r, inner);
    tl->head = bm_rect_take_top(&in, bm_ui_px(ui, vm->elderly ? 150 : 120));
    bm_rect_take_top(&in, bm_ui_px(ui, 20));
    tl->lines = (size_t)text_lines(ui, tr->message, body, in.w, 6);
    tl->message = bm_rect_take_top(&in, (int)tl->lines * (body.px * 6 / 5));
    bm_rect_take_top(&in, bm_ui_px(ui, 32));
    tl->button = bm_rect_take_top(&in, bm_button_height(ui));
    tl->card = r;
    tl->card.h = in.y - r.y + inner;
    if (tl->card.h > r.h) { /* a short window: the button stays at the card's foot */
        tl->card.h = r.h;
        tl->button.y = r.y + r.h - inner - tl->button.h;
    }
}

static void draw_trouble(struct bm_ui *ui, const struct bm_progress_vm *vm, SDL_Rect r)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct trouble tr;
    char buf[400];
    trouble_of(ui, vm, &tr, buf, sizeof buf);
    struct trouble_layout tl;
    trouble_layout(ui, vm, &tr, r, &tl);
    bm_scr_draw_card(ui, tl.card, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    SDL_Rect words =
        draw_mark(ui, tl.head, tr.mark, tr.color, bm_ui_px(ui, vm->elderly ? 130 : 96));
    bm_ui_text_block(ui, words, tr.title, bm_scr_font(ui, BM_TYPE_TITLE, BM_UI_BOLD, t->text), 2,
                     BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    bm_ui_text_block(ui, tl.message, tr.message, reading_font(ui), tl.lines,
                     BM_UI_ALIGN_LEFT | BM_UI_ALIGN_TOP);
    struct bm_button b = {tr.primary_name,
                          tr.primary_label,
                          NULL,
                          BM_BUTTON_PRIMARY,
                          is_pressed(vm, tr.primary_name),
                          false};
    bm_button_draw(ui, tl.button, &b);
}

/* The answer panel's height for the phase: the card hugs its content, the rest stays page. */
static SDL_Rect panel_card(struct bm_ui *ui, const struct bm_progress_vm *vm, SDL_Rect panel)
{
    if (vm->phase == BM_PROGRESS_QUERYING) {
        struct bm_progress p = {_("Checking, please wait"), -1, vm->ms};
        panel.h = bm_progress_height(ui, &p) + 2 * bm_ui_px(ui, 48);
    }
    return panel;
}

/* Everything but the querying bar's sweep. */
static void draw_page(struct bm_ui *ui, const struct bm_progress_vm *vm, struct layout l)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    draw_frame(ui, vm, &l);
    draw_number_card(ui, vm, &l);
    if (answered(vm->phase)) {
        struct bm_button again = {"progress.edit",
                                  _("Another number"),
                                  NULL,
                                  BM_BUTTON_SECONDARY,
                                  is_pressed(vm, "progress.edit"),
                                  false};
        if (vm->phase == BM_PROGRESS_FOUND)
            bm_button_draw(ui, l.query, &again);
    }
    SDL_Rect card = panel_card(ui, vm, l.panel);
    if (vm->phase == BM_PROGRESS_QUERYING)
        bm_scr_draw_card(ui, card, bm_ui_px(ui, t->radius[BM_RADIUS_L]));
    else if (vm->phase == BM_PROGRESS_FOUND) {
        draw_result(ui, vm, card, l.head_panel);
    } else if (answered(vm->phase)) {
        draw_trouble(ui, vm, card);
    }
    if (l.keyboard) {
        /* progress.key.5 is the pad's kbd.key.5, progress.key.done its kbd.done. */
        char kname[BM_KBD_NAME_MAX];
        if (vm->pressed && strncmp(vm->pressed, "progress.key.", 13) == 0) {
            const char *k = vm->pressed + 13;
            if (strcmp(k, "backspace") == 0 || strcmp(k, "done") == 0)
                snprintf(kname, sizeof kname, "kbd.%s", k);
            else
                snprintf(kname, sizeof kname, "kbd.key.%s", k);
            l.kbd.pressed = kname;
        }
        bm_kbd_draw(ui, &l.kbd);
    }
}

/* What the querying frames have in common: all of the vm but the time. */
static uint64_t layer_key(const struct bm_progress_vm *vm)
{
    uint64_t h = bm_ui_hash_str(0, vm->digits);
    h = bm_ui_hash_str(h, vm->pressed);
    h = bm_ui_hash_str(h, vm->kiosk.hotline);
    int parts[] = {vm->lang, vm->elderly, vm->voice_on};
    return bm_ui_hash(h, parts, sizeof parts);
}

void bm_progress_screen_draw(struct bm_ui *ui, const struct bm_progress_vm *vm)
{
    struct layout l;
    layout(ui, vm, &l);
    if (vm->phase != BM_PROGRESS_QUERYING) {
        draw_page(ui, vm, l);
        return;
    }
    /* The bar sweeps about 30 times a second while the answer is on its way: the rest of the
     * page is one copy of its layer (the layer is used only then, so the two held stay home's
     * and attract's the rest of the time). */
    if (bm_ui_layer_begin(ui, "progress", layer_key(vm))) {
        draw_page(ui, vm, l);
        bm_ui_layer_end(ui);
    }
    struct bm_progress p = {_("Checking, please wait"), -1, vm->ms};
    bm_progress_draw(ui, bm_rect_inset(panel_card(ui, vm, l.panel), bm_ui_px(ui, 48)), &p);
}

/* ---- elements ---- */

static void add_keys(struct bm_ui *ui, const struct layout *l, struct bm_screen_element *out,
                     size_t cap, size_t *n)
{
    struct bm_kbd_key keys[BM_KBD_MAX_KEYS];
    size_t count = bm_kbd_keys(ui, &l->kbd, keys, BM_KBD_MAX_KEYS);
    for (size_t i = 0; i < count && i < BM_KBD_MAX_KEYS; i++) {
        const struct bm_kbd_key *k = &keys[i];
        if (k->action == BM_KBD_TEXT)
            bm_scr_add(out, cap, n, k->rect, BM_INTENT_KEY, (unsigned char)k->text[0],
                       "progress.key.%s", k->text);
        else if (k->action == BM_KBD_BACKSPACE)
            bm_scr_add(out, cap, n, k->rect, BM_INTENT_KEY, BM_KEY_BACKSPACE,
                       "progress.key.backspace");
        else if (k->action == BM_KBD_DONE)
            bm_scr_add(out, cap, n, k->rect, BM_INTENT_KEY, BM_KEY_DONE, "progress.key.done");
    }
}

size_t bm_progress_screen_elements(struct bm_ui *ui, const struct bm_progress_vm *vm,
                                   struct bm_screen_element *out, size_t cap)
{
    struct layout l;
    layout(ui, vm, &l);
    size_t n = 0;
    if (l.keyboard)
        add_keys(ui, &l, out, cap, &n);
    if (vm->phase == BM_PROGRESS_ENTRY) {
        bm_scr_add(out, cap, &n, l.field, BM_INTENT_EDIT, 0, "progress.field");
        if (typed(vm) == DIGITS && !vm->number_invalid)
            bm_scr_add(out, cap, &n, l.query, BM_INTENT_SUBMIT, 0, "progress.query");
    } else if (vm->phase == BM_PROGRESS_FOUND) {
        bm_scr_add(out, cap, &n, l.query, BM_INTENT_EDIT, 0, "progress.edit");
    } else if (answered(vm->phase)) {
        struct trouble tr;
        char buf[400];
        trouble_of(ui, vm, &tr, buf, sizeof buf);
        struct trouble_layout tl;
        trouble_layout(ui, vm, &tr, panel_card(ui, vm, l.panel), &tl);
        bm_scr_add(out, cap, &n, tl.button,
                   strcmp(tr.primary_name, "progress.edit") == 0 ? BM_INTENT_EDIT
                                                                 : BM_INTENT_SUBMIT,
                   0, "%s", tr.primary_name);
    }
    bm_browse_frame_elements(&l.frame, "progress", out, cap, &n);
    return n;
}

size_t bm_progress_screen_spoken(struct bm_ui *ui, const struct bm_progress_vm *vm, char *buf,
                                 size_t size)
{
    int n = 0;
    if (vm->phase == BM_PROGRESS_FOUND) {
        n = snprintf(buf, size, "%s%s%s", state_words(vm->result.state),
                     vm->lang == BM_LANG_EN ? ". " : "。",
                     next_step(vm->result.state, vm->elderly));
    } else if (answered(vm->phase)) {
        struct trouble tr;
        char message[400];
        trouble_of(ui, vm, &tr, message, sizeof message);
        n = snprintf(buf, size, "%s%s%s", tr.title, vm->lang == BM_LANG_EN ? ". " : "。",
                     tr.message);
    } else if (size) {
        buf[0] = '\0';
    }
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

int bm_progress_screen_next_frame_ms(const struct bm_progress_vm *vm)
{
    if (vm->phase != BM_PROGRESS_QUERYING)
        return -1;
    struct bm_progress p = {NULL, -1, vm->ms};
    return bm_progress_next_frame_ms(&p);
}
