/*
 * catalog_model.c - a loaded catalog in memory: its arena, reference count, reports and the
 * queries the screens and flows use.
 *
 * The parser (catalog_parse.c) builds every struct of a catalog in one arena and seals it, so
 * what these queries read is immutable and needs no lock. Listings copy pointers into the
 * caller's array and mark each service with the needed device classes that are not usable;
 * the screens decide how to show that. Any thread holding a reference.
 */
#include "catalog_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- arena ----------------------------------------------------------------------------- */

struct chunk {
    struct chunk *next;
    size_t size, used;
};

struct bm_arena {
    struct chunk *head;
    size_t total, cap;
};

#define ARENA_CHUNK (64u * 1024)
#define ARENA_ALIGN 16u

struct bm_arena *bm_arena_create(size_t cap)
{
    struct bm_arena *a = calloc(1, sizeof *a);
    if (a)
        a->cap = cap;
    return a;
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

void *bm_arena_alloc(struct bm_arena *a, size_t size)
{
    size = round_up(size ? size : 1, ARENA_ALIGN);
    struct chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t header = round_up(sizeof *c, ARENA_ALIGN);
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        size_t want = round_up(header + size > ARENA_CHUNK ? header + size : ARENA_CHUNK, page);
        if (a->total + want > a->cap)
            return NULL;
        void *mem = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            return NULL;
        c = mem;
        c->next = a->head;
        c->size = want;
        c->used = header;
        a->head = c;
        a->total += want;
    }
    void *p = (char *)c + c->used;
    c->used += size;
    return p; /* fresh anonymous pages are zero */
}

char *bm_arena_strdup(struct bm_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bm_arena_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void bm_arena_seal(struct bm_arena *a)
{
    /* The chunk headers go read-only too: nothing is allocated after sealing. */
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        mprotect(c, c->size, PROT_READ);
    }
}

void bm_arena_destroy(struct bm_arena *a)
{
    if (!a)
        return;
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        munmap(c, c->size);
    }
    free(a);
}

/* ---- reports --------------------------------------------------------------------------- */

#define REPORT_MAX_LINES 200

struct bm_catalog_report {
    char *lines[REPORT_MAX_LINES];
    size_t count, errors, warnings, dropped;
};

struct bm_catalog_report *bm_catalog_report_create(void)
{
    return calloc(1, sizeof(struct bm_catalog_report));
}

void bm_catalog_report_destroy(struct bm_catalog_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        free(r->lines[i]);
    free(r);
}

void bm_catalog_report_add(struct bm_catalog_report *r, bool warning, const char *fmt,
                           va_list ap)
{
    if (!r)
        return;
    if (warning)
        r->warnings++;
    else
        r->errors++;
    /* Keep the last slot for the line that says how many more there were. */
    if (r->count >= REPORT_MAX_LINES - 1) {
        r->dropped++;
        return;
    }
    char buf[768];
    int n = snprintf(buf, sizeof buf, "%s", warning ? "warning: " : "");
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    /* Catalog text quoted in a line must not forge lines or drive a terminal. */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    char *line = strdup(buf);
    if (line)
        r->lines[r->count++] = line;
}

size_t bm_catalog_report_errors(const struct bm_catalog_report *r)
{
    return r ? r->errors : 0;
}

size_t bm_catalog_report_warnings(const struct bm_catalog_report *r)
{
    return r ? r->warnings : 0;
}

size_t bm_catalog_report_count(const struct bm_catalog_report *r)
{
    return r ? r->count + (r->dropped ? 1 : 0) : 0;
}

const char *bm_catalog_report_line(const struct bm_catalog_report *r, size_t i)
{
    if (!r)
        return "";
    if (i < r->count)
        return r->lines[i];
    if (i == r->count && r->dropped) {
        static _Thread_local char more[64];
        snprintf(more, sizeof more, "... and %zu more", r->dropped);
        return more;
    }
    return "";
}

/* ---- the catalog ----------------------------------------------------------------------- */

struct bm_catalog *bm_catalog_ref(struct bm_catalog *cat)
{
    atomic_fetch_add_explicit(&cat->refs, 1, memory_order_relaxed);
    return cat;
}

void bm_catalog_unref(struct bm_catalog *cat)
{
    if (!cat || atomic_fetch_sub_explicit(&cat->refs, 1, memory_order_acq_rel) != 1)
        return;
    bm_arena_destroy(cat->arena);
    free(cat);
}

const char *bm_text_get(const struct bm_text *t, enum bm_lang lang)
{
    if (lang == BM_LANG_EN && t->en)
        return t->en;
    return t->zh ? t->zh : "";
}

const char *bm_step_kind_name(enum bm_step_kind kind)
{
    static const char *const names[BM_STEP_KIND_COUNT] = {
        "identify", "form", "materials", "review", "submit", "print", "rate",
    };
    return (unsigned)kind < BM_STEP_KIND_COUNT ? names[kind] : "?";
}

const char *bm_catalog_revision(const struct bm_catalog *cat)
{
    return cat->data->revision;
}

const struct bm_text *bm_catalog_issuer(const struct bm_catalog *cat)
{
    return &cat->data->issuer;
}

int bm_catalog_published(const struct bm_catalog *cat)
{
    return cat->data->published;
}

size_t bm_catalog_category_count(const struct bm_catalog *cat)
{
    return cat->data->category_count;
}

const struct bm_catalog_category *bm_catalog_category_at(const struct bm_catalog *cat, size_t i)
{
    return i < cat->data->category_count ? &cat->data->categories[i] : NULL;
}

const struct bm_catalog_category *bm_catalog_category_find(const struct bm_catalog *cat,
                                                           const char *id)
{
    for (size_t i = 0; i < cat->data->category_count; i++)
        if (strcmp(cat->data->categories[i].id, id) == 0)
            return &cat->data->categories[i];
    return NULL;
}

size_t bm_catalog_service_count(const struct bm_catalog *cat)
{
    return cat->data->service_count;
}

const struct bm_catalog_service *bm_catalog_service_at(const struct bm_catalog *cat, size_t i)
{
    return i < cat->data->service_count ? &cat->data->services[i] : NULL;
}

const struct bm_catalog_service *bm_catalog_service_find(const struct bm_catalog *cat,
                                                         const char *id)
{
    for (size_t i = 0; i < cat->data->service_count; i++)
        if (strcmp(cat->data->services[i].id, id) == 0)
            return &cat->data->services[i];
    return NULL;
}

static struct bm_catalog_entry entry(const struct bm_catalog_service *svc, bm_device_mask usable)
{
    return (struct bm_catalog_entry){svc, svc->devices & ~usable};
}

size_t bm_catalog_services_of(const struct bm_catalog *cat,
                              const struct bm_catalog_category *category, bm_device_mask usable,
                              struct bm_catalog_entry *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->data->service_count; i++) {
        const struct bm_catalog_service *svc = &cat->data->services[i];
        if (svc->category != category)
            continue;
        if (n < cap)
            out[n] = entry(svc, usable);
        n++;
    }
    return n;
}

size_t bm_catalog_quick_entries(const struct bm_catalog *cat, bm_device_mask usable,
                                struct bm_catalog_entry *out, size_t cap)
{
    for (size_t i = 0; i < cat->data->quick_count && i < cap; i++)
        out[i] = entry(cat->data->quick[i], usable);
    return cat->data->quick_count;
}

size_t bm_catalog_notices_on(const struct bm_catalog *cat, int date,
                             const struct bm_catalog_notice **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->data->notice_count; i++) {
        const struct bm_catalog_notice *no = &cat->data->notices[i];
        if (date < no->valid_from || date > no->valid_until)
            continue;
        if (n < cap)
            out[n] = no;
        n++;
    }
    return n;
}

const struct bm_catalog_step *bm_catalog_step_find(const struct bm_catalog_service *svc,
                                                   enum bm_step_kind kind)
{
    for (size_t i = 0; i < svc->step_count; i++)
        if (svc->steps[i].kind == kind)
            return &svc->steps[i];
    return NULL;
}
