/*
 * sdl_memory.c - SDL's allocator for the program: big blocks on transparent huge pages.
 *
 * Why: the first picture waits for SDL's big pixel buffers (the 8 MiB window surface at
 * 1080x1920, the static layers, the list's rows), and each of their 4 KiB pages costs a
 * page fault on first touch: ~2,000 faults per buffer, a fifth of the start-up's CPU on a
 * virtual machine. A block of 2 MiB or more is mapped here on its own, 2 MiB aligned, with
 * madvise(MADV_HUGEPAGE), so the kernel backs it with huge pages where it can (Debian's
 * default THP mode is "madvise"): one fault per 2 MiB. mmap'd memory is already zero, so
 * calloc of a big block touches nothing. Everything smaller goes to the C library as before.
 *
 * Big blocks are remembered in a small table (pointer, mapped size) under a mutex (SDL
 * allocates from several threads); free and realloc look a pointer up there and hand anything
 * else to the C library, so a block the C library made is never confused for one of ours.
 * A full table, or a failing mmap, falls back to the C library.
 *
 * bm_sdl_memory_install must run before anything allocates through SDL (first in main).
 */
#include "sdl_memory.h"

#include <SDL2/SDL.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE  (2u << 20)
#define BIG_BLOCKS 64

static struct {
    void *ptr;
    size_t mapped; /* 0: free slot */
    size_t size;   /* what was asked for */
} big[BIG_BLOCKS];
static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;

/* A fresh zeroed mapping of at least n bytes on 2 MiB boundaries, or NULL. */
static void *map_big(size_t n)
{
    size_t mapped = (n + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    unsigned char *raw =
        mmap(NULL, mapped + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    unsigned char *p = (unsigned char *)start;
    /* Give back what the alignment did not use, before and after. */
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    size_t tail = (size_t)(raw + mapped + HUGE_PAGE - (p + mapped));
    if (tail)
        munmap(p + mapped, tail);
    madvise(p, mapped, MADV_HUGEPAGE);

    pthread_mutex_lock(&big_lock);
    for (int i = 0; i < BIG_BLOCKS; i++) {
        if (big[i].mapped == 0) {
            big[i].ptr = p;
            big[i].mapped = mapped;
            big[i].size = n;
            pthread_mutex_unlock(&big_lock);
            return p;
        }
    }
    pthread_mutex_unlock(&big_lock);
    munmap(p, mapped); /* table full: the C library takes it */
    return NULL;
}

/* Forgets p if it is a big block: its size in *size and true; the caller unmaps. */
static bool take_big(void *p, size_t *mapped, size_t *size)
{
    bool found = false;
    pthread_mutex_lock(&big_lock);
    for (int i = 0; i < BIG_BLOCKS && !found; i++) {
        if (big[i].mapped && big[i].ptr == p) {
            *mapped = big[i].mapped;
            *size = big[i].size;
            big[i].mapped = 0;
            found = true;
        }
    }
    pthread_mutex_unlock(&big_lock);
    return found;
}

static void *sdl_malloc(size_t n)
{
    void *p = n >= HUGE_PAGE ? map_big(n) : NULL;
    return p ? p : malloc(n);
}

static void *sdl_calloc(size_t count, size_t each)
{
    if (each && count > SIZE_MAX / each)
        return NULL;
    void *p = count * each >= HUGE_PAGE ? map_big(count * each) : NULL;
    return p ? p : calloc(count, each);
}

static void sdl_free(void *p)
{
    size_t mapped, size;
    if (!p)
        return;
    if (take_big(p, &mapped, &size))
        munmap(p, mapped);
    else
        free(p);
}

static void *sdl_realloc(void *p, size_t n)
{
    if (!p)
        return sdl_malloc(n);
    size_t mapped, old;
    bool was_big = take_big(p, &mapped, &old);
    if (!was_big && n < HUGE_PAGE)
        return realloc(p, n);
    if (!was_big)
        old = malloc_usable_size(p);
    void *q = sdl_malloc(n);
    if (!q) {
        if (was_big) { /* keep the old block as it was */
            pthread_mutex_lock(&big_lock);
            for (int i = 0; i < BIG_BLOCKS; i++) {
                if (big[i].mapped == 0) {
                    big[i].ptr = p;
                    big[i].mapped = mapped;
                    big[i].size = old;
                    break;
                }
            }
            pthread_mutex_unlock(&big_lock);
        }
        return NULL;
    }
    memcpy(q, p, old < n ? old : n);
    if (was_big)
        munmap(p, mapped);
    else
        free(p);
    return q;
}

void bm_sdl_memory_install(void)
{
    SDL_SetMemoryFunctions(sdl_malloc, sdl_calloc, sdl_realloc, sdl_free);
}
