/*
 * display.c - window, renderer and kiosk-mode input rules. See display.h.
 *
 * The renderer is SDL's software renderer on purpose: a kiosk's pictures must be the same on
 * every panel and in CI, and at 1080x1920 a cached-texture frame costs ~2 ms on one core.
 * Main thread only.
 */
#include "display.h"

#include "core/log.h"

#include <SDL2/SDL_image.h>
#include <string.h>

enum bm_err bm_display_open(const struct bm_config *cfg, struct bm_display *d)
{
    memset(d, 0, sizeof *d);
    d->kiosk_mode = strcmp(bm_config_str(cfg, "kiosk", "mode"), "kiosk") == 0;

    /* Closing the window must not end a kiosk: signals still quit (SDL turns them into
     * SDL_QUIT), the window manager's close button does not. */
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, d->kiosk_mode ? "0" : "1");
    /* One input path: the flow takes touches as finger events and the mouse as mouse events,
     * into the same press; SDL's mouse copies of touches (and touch copies of the mouse) would
     * make every tap two. */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");

    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return bm_err_set(BM_ERR_NO_DEVICE, "no display: %s (headless: SDL_VIDEODRIVER=offscreen)",
                          SDL_GetError());

    int w = (int)bm_config_int(cfg, "display", "width");
    int h = (int)bm_config_int(cfg, "display", "height");
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (bm_config_bool(cfg, "display", "fullscreen"))
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    if (d->kiosk_mode)
        flags |= SDL_WINDOW_BORDERLESS;

    const char *title = bm_config_str(cfg, "kiosk", "name");
    d->window =
        SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!d->window) {
        enum bm_err err =
            bm_err_set(BM_ERR_NO_DEVICE, "SDL_CreateWindow %dx%d: %s", w, h, SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return err;
    }
    d->renderer = SDL_CreateRenderer(d->window, -1, SDL_RENDERER_SOFTWARE);
    if (!d->renderer) {
        enum bm_err err = bm_err_set(BM_ERR_NO_DEVICE, "SDL_CreateRenderer: %s", SDL_GetError());
        bm_display_close(d);
        return err;
    }
    /* A kiosk shows no pointer (a touch screen has none to show); a demo on a desk does. */
    SDL_ShowCursor(d->kiosk_mode ? SDL_DISABLE : SDL_ENABLE);
    if (d->kiosk_mode)
        SDL_SetWindowKeyboardGrab(d->window, SDL_TRUE);
    int ow = 0, oh = 0;
    SDL_GetRendererOutputSize(d->renderer, &ow, &oh);
    bm_log_info("display", "%s window %dx%d (%s video, software renderer)",
                d->kiosk_mode ? "kiosk" : "demo", ow, oh, SDL_GetCurrentVideoDriver());
    return BM_OK;
}

void bm_display_close(struct bm_display *d)
{
    if (d->renderer)
        SDL_DestroyRenderer(d->renderer);
    if (d->window)
        SDL_DestroyWindow(d->window);
    if (SDL_WasInit(SDL_INIT_VIDEO))
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
    memset(d, 0, sizeof *d);
}

bool bm_display_swallow(const struct bm_display *d, const SDL_Event *ev)
{
    if (!d->kiosk_mode)
        return false;
    if (ev->type == SDL_WINDOWEVENT && ev->window.event == SDL_WINDOWEVENT_CLOSE)
        return true;
    if (ev->type != SDL_KEYDOWN && ev->type != SDL_KEYUP)
        return false;
    SDL_Keymod mod = ev->key.keysym.mod;
    SDL_Keycode key = ev->key.keysym.sym;
    if (mod & (KMOD_ALT | KMOD_GUI))
        return true; /* Alt+F4, Alt+Tab, Super+anything */
    if ((mod & KMOD_CTRL) &&
        (key == SDLK_BACKSPACE || key == SDLK_ESCAPE || key == SDLK_q || key == SDLK_w))
        return true;
    return false;
}

enum bm_err bm_display_save_png(const struct bm_display *d, const char *path)
{
    int w, h;
    if (SDL_GetRendererOutputSize(d->renderer, &w, &h) != 0)
        return bm_err_set(BM_ERR_IO, "renderer size: %s", SDL_GetError());
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_RGB24);
    if (!s)
        return bm_err_set(BM_ERR_NO_MEMORY, "screenshot surface: %s", SDL_GetError());
    enum bm_err err = BM_OK;
    if (SDL_RenderReadPixels(d->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0)
        err = bm_err_set(BM_ERR_IO, "read pixels: %s", SDL_GetError());
    else if (IMG_SavePNG(s, path) != 0)
        err = bm_err_set(BM_ERR_IO, "save %s: %s", path, IMG_GetError());
    SDL_FreeSurface(s);
    return err;
}
