/*
 * ui_texts.c - the words on screen: a record of the labels the last frame drew, for scripted
 * journeys ("expect text") to ask what a resident would read.
 *
 * Off by default, and then it costs one pointer test per label. When on, every label's text is
 * copied into a per-frame list. A screen's static layer is drawn once and copied on later
 * frames without drawing its labels again, so the texts drawn into a layer are kept with the
 * layer's slot and added to the frame's list whenever the layer is copied: the list is what
 * the frame shows, whichever way it got there. The lists hold what the screen shows, a
 * resident's name included, so they are wiped when recording stops. Main thread only.
 */
#include "ui/ui_internal.h"

#include <stdlib.h>
#include <string.h>

#define TEXTS_BYTES 16384 /* a screen of labels; more is cut, and noted */

/* Texts back to back, each ending in NUL. */
struct text_list {
    char buf[TEXTS_BYTES];
    size_t len, count;
    bool cut; /* a text did not fit */
};

struct bm_ui_texts {
    struct text_list frame;
    struct text_list layer[LAYER_SLOTS];
    size_t layer_mark; /* where in frame the layer being drawn began */
};

static void list_add(struct text_list *l, const char *text, size_t n)
{
    if (l->len + n + 1 > sizeof l->buf) {
        l->cut = true;
        return;
    }
    memcpy(l->buf + l->len, text, n);
    l->buf[l->len + n] = '\0';
    l->len += n + 1;
    l->count++;
}

void bm_ui_texts_record(struct bm_ui *ui, bool on)
{
    if (ui->texts) {
        memset(ui->texts, 0, sizeof *ui->texts); /* what the screen said may be personal */
        free(ui->texts);
        ui->texts = NULL;
    }
    if (on) {
        ui->texts = calloc(1, sizeof *ui->texts);
        /* Layers drawn before recording have no texts kept: draw them again. */
        for (size_t i = 0; i < LAYER_SLOTS; i++)
            ui->layers[i].valid = false;
        ui->dirty = true;
    }
}

bool bm_ui_texts_recording(const struct bm_ui *ui)
{
    return ui->texts != NULL;
}

bool bm_ui_texts_shown(const struct bm_ui *ui, const char *text)
{
    if (!ui->texts || !text)
        return false;
    const struct text_list *l = &ui->texts->frame;
    for (size_t at = 0; at < l->len; at += strlen(l->buf + at) + 1)
        if (strstr(l->buf + at, text))
            return true;
    return false;
}

size_t bm_ui_texts_count(const struct bm_ui *ui, bool *cut)
{
    if (cut)
        *cut = ui->texts && ui->texts->frame.cut;
    return ui->texts ? ui->texts->frame.count : 0;
}

void bm_ui_texts_frame_begin(struct bm_ui *ui)
{
    if (!ui->texts)
        return;
    ui->texts->frame.len = ui->texts->frame.count = 0;
    ui->texts->frame.cut = false;
}

void bm_ui_texts_note(struct bm_ui *ui, const char *text)
{
    if (ui->texts && text)
        list_add(&ui->texts->frame, text, strlen(text));
}

void bm_ui_texts_layer_drawing(struct bm_ui *ui)
{
    if (ui->texts)
        ui->texts->layer_mark = ui->texts->frame.len;
}

void bm_ui_texts_layer_drawn(struct bm_ui *ui, const struct layer_slot *slot)
{
    if (!ui->texts)
        return;
    struct bm_ui_texts *t = ui->texts;
    struct text_list *kept = &t->layer[slot - ui->layers];
    kept->len = kept->count = 0;
    kept->cut = t->frame.cut;
    for (size_t at = t->layer_mark; at < t->frame.len; at += strlen(t->frame.buf + at) + 1)
        list_add(kept, t->frame.buf + at, strlen(t->frame.buf + at));
}

void bm_ui_texts_layer_copied(struct bm_ui *ui, const struct layer_slot *slot)
{
    if (!ui->texts)
        return;
    const struct text_list *kept = &ui->texts->layer[slot - ui->layers];
    for (size_t at = 0; at < kept->len; at += strlen(kept->buf + at) + 1)
        list_add(&ui->texts->frame, kept->buf + at, strlen(kept->buf + at));
    ui->texts->frame.cut |= kept->cut;
}
