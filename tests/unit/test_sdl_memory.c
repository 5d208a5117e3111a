/*
 * test_sdl_memory.c - SDL's allocator for the program (app/sdl_memory.c): blocks of 2 MiB and
 * more are mapped on 2 MiB boundaries and advised for huge pages (the "hg" flag in
 * /proc/self/smaps), calloc'd ones are zero, realloc keeps the bytes across the small/big
 * border both ways, a window-sized surface lands on such a mapping, freeing unmaps it, and
 * small blocks still come from the C library.
 */
#include "test_support.h"

#include "sdl_memory.h"

#include <SDL2/SDL.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1u << 20)

/* The VmFlags of the mapping holding p ("" if none holds it). */
static void vm_flags_of(const void *p, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    bool inside = false;
    out[0] = '\0';
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = a >= lo && a < hi;
            continue;
        }
        if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            /* The flags fit; a longer line is cut, never overrun (precision, not %s: gcc -O2). */
            snprintf(out, cap, "%.*s", (int)(cap > 0 ? cap - 1 : 0), line + 8);
            break;
        }
    }
    fclose(f);
}

static bool advised_huge(const void *p)
{
    char flags[256];
    vm_flags_of(p, flags, sizeof flags);
    return strstr(flags, " hg") != NULL;
}

/* A pattern every 4093 bytes: enough to see bytes kept or lost, without writing all of them. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i += 4093)
        p[i] = (unsigned char)(seed + i);
}

static bool filled(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i += 4093)
        if (p[i] != (unsigned char)(seed + i))
            return false;
    return true;
}

static void test_big_blocks_on_huge_pages(void **state)
{
    (void)state;
    unsigned char *p = SDL_malloc(8 * MIB);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % (2 * MIB), 0);
    assert_true(advised_huge(p));
    fill(p, 8 * MIB, 7);
    assert_true(filled(p, 8 * MIB, 7));
    SDL_free(p);

    unsigned char *z = SDL_calloc(3, 1 * MIB);
    assert_non_null(z);
    assert_int_equal((uintptr_t)z % (2 * MIB), 0);
    for (size_t i = 0; i < 3 * MIB; i += 997)
        assert_int_equal(z[i], 0);
    SDL_free(z);
}

static void test_small_blocks_from_libc(void **state)
{
    (void)state;
    char *s = SDL_malloc(100);
    assert_non_null(s);
    assert_false(advised_huge(s));
    memcpy(s, "short", 6);
    s = SDL_realloc(s, 1000);
    assert_string_equal(s, "short");
    SDL_free(s);
    assert_null(SDL_calloc(SIZE_MAX / 2, 4)); /* overflow refused */
}

static void test_realloc_across_the_border(void **state)
{
    (void)state;
    unsigned char *p = SDL_malloc(64 * 1024);
    assert_non_null(p);
    fill(p, 64 * 1024, 3);
    p = SDL_realloc(p, 6 * MIB); /* small -> big */
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % (2 * MIB), 0);
    assert_true(filled(p, 64 * 1024, 3));
    fill(p, 6 * MIB, 5);
    p = SDL_realloc(p, 10 * MIB); /* big -> bigger */
    assert_non_null(p);
    assert_true(filled(p, 6 * MIB, 5));
    p = SDL_realloc(p, 4000); /* big -> small */
    assert_non_null(p);
    assert_true(filled(p, 4000, 5));
    assert_false(advised_huge(p));
    SDL_free(p);
    SDL_free(NULL);
    p = SDL_realloc(NULL, 3 * MIB); /* NULL -> malloc */
    assert_non_null(p);
    SDL_free(p);
}

/* What the kiosk's window surface is: 1080x1920 ARGB, on a mapping advised for huge pages;
 * freed, the mapping is gone. */
static void test_surface_pixels(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1080, 1920, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    assert_true(advised_huge(s->pixels));
    void *pixels = s->pixels;
    SDL_FreeSurface(s);
    char flags[256];
    vm_flags_of(pixels, flags, sizeof flags);
    assert_null(strstr(flags, " hg"));
}

int main(void)
{
    bm_sdl_memory_install(); /* as main.c does: before anything allocates through SDL */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_blocks_on_huge_pages),
        cmocka_unit_test(test_small_blocks_from_libc),
        cmocka_unit_test(test_realloc_across_the_border),
        cmocka_unit_test(test_surface_pixels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
