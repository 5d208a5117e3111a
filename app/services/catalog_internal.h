/*
 * catalog_internal.h - what the catalog's parser and its model share: the arena that holds a
 * catalog's structs and strings, the catalog object itself, and how reports are written.
 */
#ifndef BM_SERVICES_CATALOG_INTERNAL_H
#define BM_SERVICES_CATALOG_INTERNAL_H

#include "catalog.h"

#include <stdarg.h>
#include <stdatomic.h>

/*
 * A catalog's memory: page-sized chunks from mmap, handed out in order and never freed one by
 * one. Sealing makes every chunk read-only, so a loaded catalog cannot be changed by mistake.
 */
struct bm_arena;

struct bm_arena *bm_arena_create(size_t cap);
/* Zeroed memory aligned for any struct; NULL when the cap is reached or mmap fails. */
void *bm_arena_alloc(struct bm_arena *a, size_t size);
char *bm_arena_strdup(struct bm_arena *a, const char *s);
void bm_arena_seal(struct bm_arena *a);
void bm_arena_destroy(struct bm_arena *a);

/* Everything a catalog holds, all of it (but refs and arena) in the sealed arena. */
struct bm_catalog_data {
    const char *revision;
    int published;
    struct bm_text issuer;
    const struct bm_catalog_category *categories;
    size_t category_count;
    const struct bm_catalog_service *services;
    size_t service_count;
    const struct bm_catalog_notice *notices;
    size_t notice_count;
    /* Derived at load: the quick entries in rank order. */
    const struct bm_catalog_service *const *quick;
    size_t quick_count;
};

struct bm_catalog {
    atomic_uint refs;
    struct bm_arena *arena;
    const struct bm_catalog_data *data;
};

/* Appends a line; a warning gets the "warning: " prefix. Past the cap, lines are counted only. */
void bm_catalog_report_add(struct bm_catalog_report *r, bool warning, const char *fmt,
                           va_list ap) __attribute__((format(printf, 3, 0)));

#endif
