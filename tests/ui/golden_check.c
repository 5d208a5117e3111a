/*
 * golden_check.c - the golden-image comparison of the screen, keyboard and widget tests (see
 * golden_check.h): a channel may differ by GOLDEN_CHANNEL_SLACK (rounding), no pixel by
 * more; a mismatch leaves the actual picture and a diff (magenta on a dimmed reference) for a
 * person to look at.
 */
#include "test_support.h"

#include "golden_check.h"

#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GOLDEN_CHANNEL_SLACK 1

static Uint32 px_at(SDL_Surface *s, int x, int y)
{
    return ((Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
}

static int chan_diff(Uint32 a, Uint32 b, int shift)
{
    int d = (int)((a >> shift) & 0xFF) - (int)((b >> shift) & 0xFF);
    return d < 0 ? -d : d;
}

void bm_golden_check(SDL_Surface *surface, const char *name)
{
    const char *dir = getenv("BM_GOLDEN_DIR");
    const char *out = getenv("BM_GOLDEN_OUT");
    assert_non_null(dir);
    char ref[4096], actual[4096], diffp[4096];
    snprintf(ref, sizeof ref, "%s/%s.png", dir, name);
    const char *upd = getenv("BM_UPDATE_GOLDENS");
    if (upd && *upd && strcmp(upd, "0") != 0) {
        assert_int_equal(IMG_SavePNG(surface, ref), 0);
        fprintf(stderr, "updated %s\n", ref);
        return;
    }
    if (!out)
        out = ".";
    mkdir(out, 0755);
    snprintf(actual, sizeof actual, "%s/%s-actual.png", out, name);
    snprintf(diffp, sizeof diffp, "%s/%s-diff.png", out, name);

    SDL_Surface *loaded = IMG_Load(ref);
    if (!loaded) {
        IMG_SavePNG(surface, actual);
        fail_msg("no reference %s (actual written to %s); BM_UPDATE_GOLDENS=1 creates it", ref,
                 actual);
    }
    SDL_Surface *g = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(loaded);
    assert_non_null(g);
    SDL_Surface *a = surface;
    if (g->w != a->w || g->h != a->h) {
        IMG_SavePNG(a, actual);
        SDL_FreeSurface(g);
        fail_msg("%s is %dx%d, rendered %dx%d (actual: %s)", ref, g->w, g->h, a->w, a->h, actual);
    }
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, a->w, a->h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(d);
    long bad = 0;
    int worst = 0;
    for (int y = 0; y < a->h; y++) {
        for (int x = 0; x < a->w; x++) {
            Uint32 pa = px_at(a, x, y), pg = px_at(g, x, y);
            int m = 0;
            for (int sh = 0; sh < 24; sh += 8) {
                int c = chan_diff(pa, pg, sh);
                m = c > m ? c : m;
            }
            worst = m > worst ? m : worst;
            Uint32 grey = ((pg >> 16 & 0xFF) + (pg >> 8 & 0xFF) + (pg & 0xFF)) / 12;
            Uint32 dp = 0xFF000000u | grey << 16 | grey << 8 | grey;
            if (m > GOLDEN_CHANNEL_SLACK) {
                bad++;
                dp = 0xFFFF00FFu; /* magenta marks a differing pixel on a dimmed reference */
            }
            ((Uint32 *)((Uint8 *)d->pixels + (size_t)y * (size_t)d->pitch))[x] = dp;
        }
    }
    if (bad > 0) {
        IMG_SavePNG(a, actual);
        IMG_SavePNG(d, diffp);
    }
    SDL_FreeSurface(d);
    SDL_FreeSurface(g);
    if (bad > 0)
        fail_msg("%s: %ld pixels differ (worst channel delta %d); actual %s, diff %s", name, bad,
                 worst, actual, diffp);
}
