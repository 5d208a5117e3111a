/*
 * portrait.c - the card holder's photo on screen, or a neutral placeholder when there is none
 * (no vendor photo library, or it refused the photo). See bm_ui_portrait in ui.h.
 *
 * The photo is personal data: its texture lives only for the draw call and is zeroed and
 * destroyed at once; nothing is cached. The placeholder is a quiet head-and-shoulders silhouette in
 * the theme's border and surface tones, so it reads as "no photo" without alarming anyone.
 */
#include "ui_internal.h"

#include <string.h>

/* The largest rectangle of aspect w:h centred in box. */
static SDL_Rect fit(SDL_Rect box, int w, int h)
{
    SDL_Rect r = box;
    if ((long)box.w * h > (long)box.h * w)
        r.w = (int)((long)box.h * w / h);
    else
        r.h = (int)((long)box.w * h / w);
    r.x = box.x + (box.w - r.w) / 2;
    r.y = box.y + (box.h - r.h) / 2;
    return r;
}

static void placeholder(struct bm_ui *ui, SDL_Rect r, int radius)
{
    const struct bm_theme *t = bm_ui_theme(ui);
    bm_ui_fill_rrect(ui, r, radius, t->surface_alt);
    int head = r.w * 19 / 100;
    int cx = r.x + r.w / 2, head_cy = r.y + r.h * 40 / 100;
    bm_ui_fill_circle(ui, cx, head_cy, head, t->border);
    /* Shoulders: a large circle whose top shows below the head, cut at the frame. */
    int body = r.w * 42 / 100;
    bm_ui_fill_circle_in_rrect(ui, cx, r.y + r.h + body * 45 / 100, body, r, radius, t->border);
}

void bm_ui_portrait(struct bm_ui *ui, SDL_Rect box, const uint8_t *rgb, int w, int h)
{
    if (box.w <= 0 || box.h <= 0)
        return;
    bool have = rgb && w > 0 && h > 0;
    SDL_Rect r = fit(box, have ? w : 102, have ? h : 126);
    int radius = bm_ui_px(ui, 12);
    if (!have) {
        placeholder(ui, r, radius);
        return;
    }
    /* A streaming texture we fill and zero ourselves: no converted copy is left in freed
     * memory. */
    SDL_Texture *tex =
        SDL_CreateTexture(ui->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING, w, h);
    void *pixels;
    int pitch;
    if (!tex || SDL_LockTexture(tex, NULL, &pixels, &pitch) != 0) {
        SDL_DestroyTexture(tex);
        placeholder(ui, r, radius);
        return;
    }
    for (int y = 0; y < h; y++)
        memcpy((uint8_t *)pixels + (size_t)y * (size_t)pitch, rgb + (size_t)y * (size_t)w * 3,
               (size_t)w * 3);
    SDL_UnlockTexture(tex);
    SDL_SetTextureScaleMode(tex, SDL_ScaleModeLinear);
    SDL_RenderCopy(ui->renderer, tex, NULL, &r);
    if (SDL_LockTexture(tex, NULL, &pixels, &pitch) == 0) {
        memset(pixels, 0, (size_t)pitch * (size_t)h);
        SDL_UnlockTexture(tex);
    }
    SDL_DestroyTexture(tex);
    bm_ui_stroke_rrect(ui, r, 0, bm_ui_px(ui, 2), bm_ui_theme(ui)->border);
}
