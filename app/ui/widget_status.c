/*
 * widget_status.c - widgets that tell the resident where things stand and ask for no touch:
 * progress bar (determinate and indeterminate), toast, countdown, step indicator, QR code.
 *
 * Design: these are the only widgets that move, and only as far as they must. The
 * indeterminate bar sweeps at ~30 frames a second; the countdown redraws when its second
 * changes; a toast needs one frame when it goes. Each says when it next needs a frame
 * (*_next_frame_ms), so the loop can sleep until then. The QR code is drawn as whole-pixel
 * squares on white with a four-module quiet zone: a phone camera reads it at an angle from an
 * arm's length, and blurred module edges cost it that.
 *
 * Main thread only.
 */
#include "ui/widgets.h"

#include "ui/ui_internal.h"

#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDETERMINATE_PERIOD_MS 1600
#define INDETERMINATE_FRAME_MS  33
#define TOAST_DEFAULT_MS        3000

static struct bm_ui_font font_of(struct bm_ui *ui, enum bm_theme_type type, enum bm_ui_weight w,
                                 SDL_Color c)
{
    struct bm_ui_font f = {w, bm_ui_px(ui, bm_ui_theme(ui)->type[type]), c};
    return f;
}

/* ---- Progress ---------------------------------------------------------------------------- */

static int progress_track_h(struct bm_ui *ui)
{
    return bm_ui_px(ui, bm_ui_theme(ui)->type[BM_TYPE_LABEL] * 3 / 4);
}

int bm_progress_height(struct bm_ui *ui, const struct bm_progress *p)
{
    int h = progress_track_h(ui);
    if (p->label || p->percent >= 0)
        h += bm_ui_px(ui, bm_ui_theme(ui)->type[BM_TYPE_LABEL]) * 6 / 5 +
             bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_S]);
    return h;
}

void bm_progress_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_progress *p)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    int th = progress_track_h(ui);
    SDL_Rect track = bm_rect(r.x, r.y + r.h - th, r.w, th);
    SDL_Rect head = bm_rect(r.x, r.y, r.w, r.h - th - bm_ui_px(ui, t->space[BM_SPACE_S]));
    if (head.h > 0) {
        struct bm_ui_font lf = font_of(ui, BM_TYPE_LABEL, BM_UI_REGULAR, t->text);
        if (p->percent >= 0) {
            char pct[16];
            int v = p->percent > 100 ? 100 : p->percent;
            snprintf(pct, sizeof pct, "%d%%", v);
            struct bm_ui_font nf = font_of(ui, BM_TYPE_LABEL, BM_UI_BOLD, t->primary_dark);
            int pw = bm_ui_tabular_width(ui, "100%", nf);
            SDL_Rect num = bm_rect_take_right(&head, pw);
            bm_ui_label_tabular(ui, num, pct, nf, BM_UI_ALIGN_RIGHT | BM_UI_ALIGN_MIDDLE);
            bm_rect_take_right(&head, bm_ui_px(ui, t->space[BM_SPACE_S]));
        }
        if (p->label)
            bm_ui_text_block(ui, head, p->label, lf, 1, BM_UI_ALIGN_LEFT | BM_UI_ALIGN_MIDDLE);
    }
    int radius = th / 2;
    bm_ui_fill_rrect(ui, track, radius, t->surface_alt);
    bm_ui_stroke_rrect(ui, track, radius, bm_ui_px(ui, 1), t->border);
    if (p->percent >= 0) {
        int v = p->percent > 100 ? 100 : p->percent;
        int w = (int)((long)track.w * v / 100);
        if (w > 0) {
            /* Never narrower than round: a sliver of 1 % still reads as a started bar. */
            if (w < th)
                w = th;
            bm_ui_fill_rrect_gradient(ui, bm_rect(track.x, track.y, w, th), radius, t->primary,
                                      t->primary_dark, BM_UI_GRADIENT_HORIZONTAL);
        }
        return;
    }
    /* Indeterminate: a segment a third of the track long sweeps left to right, entering
     * and leaving at the ends (cut to the track, so it never spills). */
    int seg = track.w / 3;
    uint32_t phase = p->ms % INDETERMINATE_PERIOD_MS;
    int x0 = track.x - seg + (int)((long)(track.w + seg) * phase / INDETERMINATE_PERIOD_MS);
    int x1 = x0 + seg;
    if (x0 < track.x)
        x0 = track.x;
    if (x1 > track.x + track.w)
        x1 = track.x + track.w;
    if (x1 - x0 >= 2) {
        int rr = (x1 - x0) / 2 < radius ? (x1 - x0) / 2 : radius;
        bm_ui_fill_rrect(ui, bm_rect(x0, track.y, x1 - x0, th), rr, t->primary);
    }
}

int bm_progress_next_frame_ms(const struct bm_progress *p)
{
    return p->percent < 0 ? INDETERMINATE_FRAME_MS : -1;
}

/* ---- Toast ------------------------------------------------------------------------------- */

static uint32_t toast_duration(const struct bm_toast *t)
{
    return t->duration_ms ? t->duration_ms : TOAST_DEFAULT_MS;
}

bool bm_toast_visible(const struct bm_toast *t)
{
    return t->text && *t->text && (uint32_t)(t->ms - t->shown_ms) < toast_duration(t);
}

void bm_toast_draw(struct bm_ui *ui, SDL_Rect area, const struct bm_toast *toast)
{
    if (!bm_toast_visible(toast))
        return;
    const struct bm_theme *t = bm_ui_theme(ui);
    struct bm_ui_font f = font_of(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text_on_dark);
    int pad = bm_ui_px(ui, t->space[BM_SPACE_L]);
    int max_w = area.w - 2 * bm_ui_px(ui, t->space[BM_SPACE_XL]);
    int tw = bm_ui_text_size(ui, toast->text, f).x;
    int inner = tw < max_w - 2 * pad ? tw : max_w - 2 * pad;
    int lines = tw > inner ? 2 : 1;
    int h = lines * f.px * 6 / 5 + 2 * bm_ui_px(ui, t->space[BM_SPACE_M]);
    SDL_Rect box =
        bm_rect(area.x + (area.w - inner - 2 * pad) / 2,
                area.y + area.h - h - bm_ui_px(ui, t->space[BM_SPACE_XL]), inner + 2 * pad, h);
    bm_ui_shadow(ui, box, h / 2 < bm_ui_px(ui, 40) ? h / 2 : bm_ui_px(ui, 40), bm_ui_px(ui, 16),
                 bm_ui_px(ui, 6), bm_color_alpha(t->text, 0x40));
    bm_ui_fill_rrect(ui, box, h / 2 < bm_ui_px(ui, 40) ? h / 2 : bm_ui_px(ui, 40),
                     bm_color_alpha(t->text, 0xEB));
    bm_ui_text_block(ui, bm_rect_inset4(box, pad, 0, pad, 0), toast->text, f, 2,
                     BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
}

int bm_toast_next_frame_ms(const struct bm_toast *t)
{
    if (!bm_toast_visible(t))
        return -1;
    return (int)(toast_duration(t) - (uint32_t)(t->ms - t->shown_ms));
}

/* ---- Countdown --------------------------------------------------------------------------- */

int bm_countdown_seconds_left(const struct bm_countdown *c)
{
    int32_t left = (int32_t)(c->deadline_ms - c->ms);
    if (left <= 0)
        return 0;
    return (left + 999) / 1000; /* 0.2 s left still shows 1 */
}

int bm_countdown_next_frame_ms(const struct bm_countdown *c)
{
    int32_t left = (int32_t)(c->deadline_ms - c->ms);
    if (left <= 0)
        return -1;
    int until = left % 1000;
    return until ? until : 1000;
}

/* An arc of a ring from the top, clockwise over frac of the circle, anti-aliased at both
 * edges by a pixel of fading colour. */
static void ring_arc(struct bm_ui *ui, float cx, float cy, float r_in, float r_out, float frac,
                     SDL_Color c)
{
    if (frac <= 0.0f)
        return;
    if (frac > 1.0f)
        frac = 1.0f;
    int segs = (int)(96.0f * frac) + 2;
    const float radii[4] = {r_in - 0.5f, r_in + 0.5f, r_out - 0.5f, r_out + 0.5f};
    const Uint8 alpha[4] = {0, c.a, c.a, 0};
    SDL_Vertex *v = malloc(sizeof *v * (size_t)(segs + 1) * 4);
    int *idx = malloc(sizeof *idx * (size_t)segs * 18);
    if (!v || !idx) {
        free(v);
        free(idx);
        return;
    }
    for (int i = 0; i <= segs; i++) {
        float a = -(float)M_PI / 2.0f + 2.0f * (float)M_PI * frac * (float)i / (float)segs;
        for (int k = 0; k < 4; k++) {
            SDL_Vertex *p = &v[i * 4 + k];
            p->position.x = cx + radii[k] * cosf(a);
            p->position.y = cy + radii[k] * sinf(a);
            p->color = bm_color_alpha(c, alpha[k]);
            p->tex_coord.x = p->tex_coord.y = 0.0f;
        }
    }
    int n = 0;
    for (int i = 0; i < segs; i++)
        for (int k = 0; k < 3; k++) {
            int a = i * 4 + k, b = a + 1, a2 = a + 4, b2 = b + 4;
            idx[n++] = a, idx[n++] = b, idx[n++] = a2;
            idx[n++] = b, idx[n++] = b2, idx[n++] = a2;
        }
    bm_ui_audit_bounds(ui, cx - r_out - 1, cy - r_out - 1, cx + r_out + 1, cy + r_out + 1);
    SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
    SDL_RenderGeometry(ui->renderer, NULL, v, (segs + 1) * 4, idx, n);
    free(v);
    free(idx);
}

void bm_countdown_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_countdown *c)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct bm_ui_font lf = font_of(ui, BM_TYPE_SUBTITLE, BM_UI_REGULAR, t->text);
    int label_h = c->label ? lf.px * 6 / 5 * 2 + bm_ui_px(ui, t->space[BM_SPACE_M]) : 0;
    int side = r.w < r.h - label_h ? r.w : r.h - label_h;
    if (side < 4)
        return;
    int secs = bm_countdown_seconds_left(c);
    float cx = (float)r.x + (float)r.w / 2.0f, cy = (float)(r.y + side / 2);
    float width = (float)bm_ui_px(ui, t->type[BM_TYPE_LABEL] / 2);
    float ro = (float)side / 2.0f - 1.0f, ri = ro - width;
    /* The ring empties by whole seconds, in step with the number. */
    float frac = c->total_ms ? (float)secs * 1000.0f / (float)c->total_ms : 0.0f;
    bm_ui_stroke_circle(ui, (int)cx, (int)cy, (int)ro, (int)width, t->border);
    ring_arc(ui, cx, cy, ri, ro, frac, secs <= 5 ? t->help : t->primary);
    char num[16];
    snprintf(num, sizeof num, "%d", secs);
    struct bm_ui_font nf = {BM_UI_BOLD, (int)(ri * 0.9f), secs <= 5 ? t->help : t->primary_dark};
    int inner = (int)(ri * 1.4f);
    bm_ui_label_tabular(ui, bm_rect((int)cx - inner / 2, (int)cy - inner / 2, inner, inner), num,
                        nf, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
    if (c->label)
        bm_ui_text_block(ui,
                         bm_rect(r.x, r.y + side + bm_ui_px(ui, t->space[BM_SPACE_M]), r.w,
                                 label_h - bm_ui_px(ui, t->space[BM_SPACE_M])),
                         c->label, lf, 2, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
}

/* ---- Step indicator ---------------------------------------------------------------------- */

static int step_disc(struct bm_ui *ui)
{
    return bm_ui_px(ui, bm_ui_theme(ui)->type[BM_TYPE_LABEL] * 2);
}

int bm_steps_height(struct bm_ui *ui)
{
    struct bm_ui_font f = font_of(ui, BM_TYPE_BODY, BM_UI_REGULAR, bm_ui_theme(ui)->text);
    return step_disc(ui) + bm_ui_px(ui, bm_ui_theme(ui)->space[BM_SPACE_S]) + 2 * f.px * 6 / 5;
}

void bm_steps_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_steps *s)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    size_t n = s->count < BM_STEPS_MAX ? s->count : BM_STEPS_MAX;
    if (n == 0)
        return;
    int d = step_disc(ui), rad = d / 2;
    int cell = r.w / (int)n;
    int cy = r.y + rad;
    int line = bm_ui_px(ui, 6) < 2 ? 2 : bm_ui_px(ui, 6);
    /* Connectors first, so discs sit on top. */
    for (size_t i = 0; i + 1 < n; i++) {
        int x0 = r.x + cell * (int)i + cell / 2 + rad,
            x1 = r.x + cell * (int)(i + 1) + cell / 2 - rad;
        SDL_Color c = i < s->current ? t->primary : t->border;
        bm_ui_fill_rrect(ui, bm_rect(x0, cy - line / 2, x1 - x0, line), 0, c);
    }
    for (size_t i = 0; i < n; i++) {
        int cx = r.x + cell * (int)i + cell / 2;
        bool done = i < s->current, current = i == s->current;
        struct bm_ui_font nf = {BM_UI_BOLD, d / 2, t->text_on_dark};
        if (done) {
            bm_ui_fill_circle(ui, cx, cy, rad, t->primary);
            /* A check mark, drawn: it is the same in every font. */
            float u = (float)d / 10.0f, w = (float)bm_ui_px(ui, 5);
            bm_ui_line(ui, (float)cx - 2.6f * u, (float)cy + 0.2f * u, (float)cx - 0.6f * u,
                       (float)cy + 2.2f * u, w, t->text_on_dark);
            bm_ui_line(ui, (float)cx - 1.4f * u, (float)cy + 2.2f * u, (float)cx + 2.8f * u,
                       (float)cy - 2.0f * u, w, t->text_on_dark);
        } else if (current) {
            bm_ui_fill_circle(ui, cx, cy, rad, t->primary);
        } else {
            bm_ui_fill_circle(ui, cx, cy, rad, t->surface);
            bm_ui_stroke_circle(ui, cx, cy, rad, bm_ui_px(ui, 3), t->border);
            nf.color = t->text_muted;
        }
        if (!done) {
            char num[8];
            snprintf(num, sizeof num, "%zu", i + 1);
            bm_ui_label(ui, bm_rect(cx - rad, cy - rad, d, d), num, nf,
                        BM_UI_ALIGN_CENTER | BM_UI_ALIGN_MIDDLE);
        }
        struct bm_ui_font lf = font_of(ui, BM_TYPE_BODY, current ? BM_UI_BOLD : BM_UI_REGULAR,
                                       current ? t->text : t->text_muted);
        int top = r.y + d + bm_ui_px(ui, t->space[BM_SPACE_S]);
        SDL_Rect label = bm_rect(r.x + cell * (int)i + bm_ui_px(ui, 6), top,
                                 cell - 2 * bm_ui_px(ui, 6), r.y + r.h - top);
        bm_ui_text_block(ui, label, s->labels[i], lf, 2, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
    }
}

/* ---- QR code ----------------------------------------------------------------------------- */

#define QR_QUIET_MODULES 4

int bm_qr_draw(struct bm_ui *ui, SDL_Rect r, const struct bm_qr *q)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    struct bm_ui_font cf = font_of(ui, BM_TYPE_BODY, BM_UI_REGULAR, t->text_muted);
    int cap_h = q->caption ? cf.px * 6 / 5 * 2 + bm_ui_px(ui, t->space[BM_SPACE_S]) : 0;
    SDL_Rect code = bm_rect(r.x, r.y, r.w, r.h - cap_h);
    int module = 0;
    QRcode *qr = q->text ? QRcode_encodeString(q->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;
    int side = 0, y0 = code.y;
    if (qr) {
        int modules = qr->width + 2 * QR_QUIET_MODULES;
        int room = code.w < code.h ? code.w : code.h;
        module = room / modules;
        side = module * modules;
    }
    if (module >= 1) {
        int x0 = code.x + (code.w - side) / 2;
        y0 = code.y + (code.h - side) / 2;
        /* Dark on white whatever the theme: scanners need it. The white card is the quiet
         * zone; its corners are rounded only within the quiet zone. */
        SDL_Color white = {255, 255, 255, 255}, black = {0, 0, 0, 255};
        bm_ui_fill_rrect(ui, bm_rect(x0, y0, side, side), module * 2, white);
        SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_NONE);
        SDL_SetRenderDrawColor(ui->renderer, black.r, black.g, black.b, black.a);
        int ox = x0 + QR_QUIET_MODULES * module, oy = y0 + QR_QUIET_MODULES * module;
        for (int y = 0; y < qr->width; y++) {
            /* One rectangle per run of dark modules in a row. */
            int x = 0;
            while (x < qr->width) {
                if (!(qr->data[y * qr->width + x] & 1)) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < qr->width && (qr->data[y * qr->width + x] & 1))
                    x++;
                SDL_Rect run = {ox + start * module, oy + y * module, (x - start) * module, module};
                SDL_RenderFillRect(ui->renderer, &run);
            }
        }
    } else {
        module = 0;
    }
    if (qr)
        QRcode_free(qr);
    /* The caption right under the code, so the two read as one. */
    if (q->caption)
        bm_ui_text_block(ui,
                         bm_rect(r.x, y0 + side + bm_ui_px(ui, t->space[BM_SPACE_S]), r.w,
                                 cap_h - bm_ui_px(ui, t->space[BM_SPACE_S])),
                         q->caption, cf, 2, BM_UI_ALIGN_CENTER | BM_UI_ALIGN_TOP);
    return module;
}
