/*
 * flow_progress.c - the progress query's glue (办件进度查询): the number typed on the digit
 * pad or read from a receipt's code, the query handed to the sync worker, its answer shown.
 *
 * The resident types only digits: "BM" is fixed on the screen, so the digit pad is enough and
 * no Chinese input is needed (librime stays out of this screen). The query runs on the sync
 * worker (sync_service.h) and its answer comes back through the loop; the main thread never
 * waits. Each query has a number: an answer to an older one (the resident asked again, left,
 * or the session ended) is dropped. While the answer is on its way, a timer redraws the
 * indeterminate bar about 30 times a second, and only then.
 *
 * Main thread only.
 */
#include "catalog_view.h"
#include "flow_internal.h"

#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "drivers/barcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGITS 14

/* The field holds the digits after "BM": 14 of them at most. */
static bool number_digits(const char *text, size_t chars)
{
    return chars <= DIGITS && bm_input_digits_only(text, chars);
}

/* The whole number typed ("BM" + the digits); false until all 14 are there. */
static bool typed_number(const struct bm_flow_progress *p, char out[BM_APP_NUMBER_LEN + 1])
{
    snprintf(out, BM_APP_NUMBER_LEN + 1, "BM%.14s", p->field.text);
    return p->field.chars == DIGITS;
}

static bool number_invalid(const struct bm_flow_progress *p)
{
    char no[BM_APP_NUMBER_LEN + 1];
    return typed_number(p, no) && !bm_app_number_valid(no);
}

/* The API's eight states in the resident's words (screens.h). */
static enum bm_progress_state resident_state(enum bm_app_state s)
{
    switch (s) {
    case BM_APP_OPEN:
    case BM_APP_RECEIVED:
        return BM_PROGRESS_RECEIVED;
    case BM_APP_NEEDS_MORE:
        return BM_PROGRESS_NEEDS_MORE;
    case BM_APP_APPROVED:
        return BM_PROGRESS_APPROVED;
    case BM_APP_REJECTED:
        return BM_PROGRESS_REJECTED;
    case BM_APP_READY_FOR_PICKUP:
        return BM_PROGRESS_READY;
    case BM_APP_COMPLETED:
        return BM_PROGRESS_DONE;
    case BM_APP_IN_REVIEW:
        break;
    }
    return BM_PROGRESS_IN_PROGRESS;
}

static void fill(const struct bm_flow *flow, struct bm_progress_vm *vm)
{
    const struct bm_flow_progress *p = &flow->progress;
    *vm = (struct bm_progress_vm){
        .kiosk = flow->kiosk,
        .now = flow->now,
        .lang = flow->lang,
        .elderly = flow->elderly,
        .voice_on = flow->voice_on,
        .phase = p->phase,
        .digits = p->field.text,
        .field = p->keyboard ? &p->field : NULL,
        .number_invalid = number_invalid(p),
        .scanner = (bm_devices_usable(flow->devices) & BM_DEVICE_BIT(BM_CLASS_BARCODE)) != 0,
        .retry_after_s = p->retry_after_s,
        .ms = SDL_GetTicks(),
        .pressed = flow->pressed[0] ? flow->pressed : NULL,
    };
    if (p->phase != BM_PROGRESS_FOUND)
        return;
    vm->result.state = resident_state(p->status.state);
    time_t since = p->status.since;
    localtime_r(&since, &vm->result.since);
    const struct bm_catalog *cat = bm_flow_catalog(flow);
    const struct bm_catalog_service *s =
        cat && p->status.service[0] ? bm_catalog_service_find(cat, p->status.service) : NULL;
    vm->result.service = s ? bm_text_get(&s->title, flow->lang) : NULL;
    const char *note =
        flow->lang == BM_LANG_EN && p->status.note_en[0] ? p->status.note_en : p->status.note_zh;
    vm->result.note = note[0] ? note : NULL;
}

static void draw(struct bm_flow *flow)
{
    struct bm_progress_vm vm;
    fill(flow, &vm);
    bm_progress_screen_draw(flow->ui, &vm);
}

static size_t elements(struct bm_flow *flow, struct bm_screen_element *out, size_t cap)
{
    struct bm_progress_vm vm;
    fill(flow, &vm);
    return bm_progress_screen_elements(flow->ui, &vm, out, cap);
}

const struct bm_flow_screen_ops bm_flow_progress_screen = {
    .name = "progress",
    .prompt = N_("Type the number on your receipt, then press Check progress. For help, press "
                 "the red button at the bottom left."),
    .draw = draw,
    .elements = elements,
};

void bm_flow_progress_quick_entry(enum bm_lang lang, struct bm_home_parts *parts,
                                  struct bm_home_vm *vm)
{
    (void)lang; /* the label is the program's own word, in the language set */
    size_t at = vm->quick_count < BM_HOME_MAX_QUICK ? vm->quick_count : BM_HOME_MAX_QUICK - 1;
    parts->quick[at] = (struct bm_home_quick){BM_FLOW_PROGRESS_QUICK_ID, _("Application progress"),
                                              "进", BM_HUE_TEAL, false};
    vm->quick = parts->quick;
    vm->quick_count = at + 1;
}

/* ---- the query ---- */

static bool animate(void *ud)
{
    struct bm_flow *flow = ud;
    bm_ui_invalidate(flow->ui);
    return true;
}

static void stop_animation(struct bm_flow_progress *p)
{
    if (p->anim_timer)
        bm_loop_timer_cancel(p->anim_timer);
    p->anim_timer = 0;
}

struct asked {
    struct bm_flow *flow;
    unsigned seq;
};

static void on_answer(const struct bm_app_query *q, void *ud)
{
    struct asked *a = ud;
    struct bm_flow *flow = a->flow;
    unsigned seq = a->seq;
    free(a);
    struct bm_flow_progress *p = &flow->progress;
    if (flow->stopping || seq != p->seq || flow->screen != BM_FLOW_PROGRESS)
        return; /* asked again, left, or the session ended: not this screen's news any more */
    stop_animation(p);
    switch (q->outcome) {
    case BM_APP_FOUND:
        p->phase = BM_PROGRESS_FOUND;
        p->status = q->status;
        break;
    case BM_APP_NOT_FOUND:
        p->phase = BM_PROGRESS_NOT_FOUND;
        break;
    case BM_APP_OFFLINE:
        p->phase = BM_PROGRESS_OFFLINE;
        break;
    case BM_APP_BUSY:
        p->phase = BM_PROGRESS_BUSY;
        p->retry_after_s = q->retry_after_s;
        break;
    case BM_APP_ERROR:
        p->phase = BM_PROGRESS_ERROR;
        break;
    }
    bm_log_info("flow", "progress query answered: %s", bm_app_outcome_name(q->outcome));
    bm_ui_invalidate(flow->ui);
    /* With voice guidance, the answer is read out: the state and the next step. */
    struct bm_progress_vm vm;
    fill(flow, &vm);
    char spoken[800];
    bm_progress_screen_spoken(flow->ui, &vm, spoken, sizeof spoken);
    bm_flow_speak(flow, spoken);
}

static void ask(struct bm_flow *flow)
{
    struct bm_flow_progress *p = &flow->progress;
    char number[BM_APP_NUMBER_LEN + 1];
    if (p->phase == BM_PROGRESS_QUERYING || !typed_number(p, number) ||
        !bm_app_number_valid(number))
        return;
    struct asked *a = malloc(sizeof *a);
    if (!a) {
        p->phase = BM_PROGRESS_ERROR;
        bm_ui_invalidate(flow->ui);
        return;
    }
    *a = (struct asked){flow, ++p->seq};
    p->keyboard = false;
    enum bm_err err = bm_sync_service_query_status(flow->sync, number, p->token, on_answer, a);
    if (err == BM_OK) {
        p->phase = BM_PROGRESS_QUERYING;
        if (!p->anim_timer)
            p->anim_timer = bm_loop_timer_add(33, true, animate, flow);
    } else {
        free(a);
        /* No centre configured: nothing to ask, as good as offline. A full queue: busy. */
        p->phase = err == BM_ERR_BUSY ? BM_PROGRESS_BUSY : BM_PROGRESS_OFFLINE;
        p->retry_after_s = 10;
        bm_log_info("flow", "progress query not asked: %s (%s)", bm_err_detail(), bm_err_name(err));
    }
    bm_ui_invalidate(flow->ui);
}

/* ---- the scanner: on while the screen shows ---- */

static void scanner_done(const struct bm_completion *c, void *ud)
{
    (void)ud;
    if (c->err != BM_OK)
        bm_log_warn("flow", "barcode scanner: %s", bm_err_name(c->err));
}

static void set_scanning(struct bm_flow *flow, bool on)
{
    struct bm_flow_progress *p = &flow->progress;
    struct bm_device *dev = flow->devices ? bm_devices_get(flow->devices, BM_CLASS_BARCODE) : NULL;
    if (on == p->scanning || !dev ||
        (on && !(bm_devices_usable(flow->devices) & BM_DEVICE_BIT(BM_CLASS_BARCODE))))
        return;
    if (bm_barcode_enable(dev, on, scanner_done, NULL, NULL) == BM_OK)
        p->scanning = on;
}

void bm_flow_progress_code(struct bm_flow *flow, const char *text)
{
    struct bm_flow_progress *p = &flow->progress;
    char number[BM_APP_NUMBER_LEN + 1], token[BM_APP_TOKEN_MAX + 1];
    if (flow->screen != BM_FLOW_PROGRESS || p->phase == BM_PROGRESS_QUERYING)
        return;
    if (!bm_app_receipt_code(text, number, token)) {
        bm_log_info("flow", "progress: the code read is not a receipt's");
        return;
    }
    bm_input_wipe(&p->field);
    bm_input_insert(&p->field, number + 2);
    snprintf(p->token, sizeof p->token, "%s", token);
    p->phase = BM_PROGRESS_ENTRY;
    ask(flow);
}

/* ---- entering and leaving ---- */

static void clear(struct bm_flow *flow)
{
    struct bm_flow_progress *p = &flow->progress;
    stop_animation(p);
    set_scanning(flow, false);
    bm_input_init(&p->field, DIGITS, number_digits);
    memset(p->token, 0, sizeof p->token);
    memset(&p->status, 0, sizeof p->status);
    p->phase = BM_PROGRESS_ENTRY;
    p->keyboard = true;
    p->retry_after_s = 0;
    p->seq++; /* an answer still on its way is no longer wanted */
}

void bm_flow_progress_reset(struct bm_flow *flow)
{
    bm_input_wipe(&flow->progress.field);
    clear(flow);
}

static void open_screen(struct bm_flow *flow)
{
    clear(flow);
    bm_flow_show(flow, BM_FLOW_PROGRESS);
    set_scanning(flow, true);
}

static void leave(struct bm_flow *flow)
{
    bm_flow_progress_reset(flow);
    bm_flow_show(flow, BM_FLOW_HOME);
}

static void on_key(struct bm_flow *flow, int key)
{
    struct bm_flow_progress *p = &flow->progress;
    if (p->phase != BM_PROGRESS_ENTRY)
        return;
    if (key == BM_KEY_BACKSPACE) {
        bm_input_backspace(&p->field);
    } else if (key == BM_KEY_DONE) {
        char no[BM_APP_NUMBER_LEN + 1];
        if (typed_number(p, no) && bm_app_number_valid(no))
            ask(flow); /* "done" on a whole number asks, as the primary button does */
        else
            p->keyboard = false;
    } else if (key > 0 && key < 128) {
        char c[2] = {(char)key, '\0'};
        bm_input_insert(&p->field, c);
    }
    bm_ui_invalidate(flow->ui);
}

bool bm_flow_progress_intent(struct bm_flow *flow, struct bm_intent in, const char *name)
{
    struct bm_flow_progress *p = &flow->progress;
    if (flow->screen == BM_FLOW_HOME && in.kind == BM_INTENT_QUICK && name &&
        strcmp(name, "home.quick." BM_FLOW_PROGRESS_QUICK_ID) == 0) {
        open_screen(flow);
        return true;
    }
    if (flow->screen != BM_FLOW_PROGRESS)
        return false;
    switch (in.kind) {
    case BM_INTENT_KEY:
        on_key(flow, in.index);
        return true;
    case BM_INTENT_SUBMIT:
        ask(flow);
        return true;
    case BM_INTENT_EDIT:
        if (p->phase == BM_PROGRESS_FOUND) { /* "another number": start afresh */
            bm_input_wipe(&p->field);
            memset(p->token, 0, sizeof p->token);
        }
        p->phase = BM_PROGRESS_ENTRY;
        p->keyboard = true;
        bm_ui_invalidate(flow->ui);
        return true;
    case BM_INTENT_BACK:
    case BM_INTENT_HOME:
        leave(flow);
        return true;
    default:
        return false; /* help, hotline, language: flow.c's */
    }
}
