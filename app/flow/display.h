/*
 * display.h - the kiosk's window and renderer, and the kiosk-mode input rules.
 *
 * Opens SDL video, one window sized from [display] (fullscreen where configured), a software
 * renderer (the same pixels on every machine, so reference images hold), and applies kiosk
 * mode: hidden cursor, keyboard grabbed so system shortcuts reach us and are swallowed, the
 * window manager's close button ignored. Main thread only.
 */
#ifndef BM_FLOW_DISPLAY_H
#define BM_FLOW_DISPLAY_H

#include "core/config.h"
#include "core/err.h"

#include <SDL2/SDL.h>
#include <stdbool.h>

struct bm_display {
    SDL_Window *window;
    SDL_Renderer *renderer;
    bool kiosk_mode;
};

enum bm_err bm_display_open(const struct bm_config *cfg, struct bm_display *d);
void bm_display_close(struct bm_display *d);

/*
 * Whether ev must be swallowed in kiosk mode: Alt+F4, Alt+Tab, Ctrl+Alt+Backspace and the
 * like, and the window manager's close request. Always false outside kiosk mode.
 */
bool bm_display_swallow(const struct bm_display *d, const SDL_Event *ev);

/* Saves what the renderer holds now (call before SDL_RenderPresent) as a PNG. */
enum bm_err bm_display_save_png(const struct bm_display *d, const char *path);

#endif
