/*
 * sdl_memory.h - SDL's allocator for the program: blocks of 2 MiB and more (pixel buffers) on
 * transparent huge pages, the rest from the C library. See sdl_memory.c.
 */
#ifndef BM_SDL_MEMORY_H
#define BM_SDL_MEMORY_H

/* Call first in main, before anything allocates through SDL. */
void bm_sdl_memory_install(void);

#endif
