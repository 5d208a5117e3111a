/*
 * text.c - fonts, the label texture cache, tabular figures and line breaking.
 *
 * Design:
 * - Fonts are Noto Sans CJK opened by path with the collection face the ui was given (2 =
 *   Simplified Chinese; face 0 would draw Japanese glyph forms of 直 骨 角 门). One TTF_Font per
 *   (weight, pixel size), opened on first use, at most FONT_SLOTS, least recently used closed.
 * - Every label is rasterised once (TTF_RenderUTF8_Blended) into a texture, keyed by (text,
 *   weight, size, colour) in a hash table; drawing it again is a lookup and a copy. The cache
 *   is bounded by entries and by pixel memory; when full, the least recently used texture goes
 *   (found by a linear scan of use stamps: eviction only happens on a miss in a full cache,
 *   which is rare, and it keeps the hot path to one hash probe). Hits and misses are counted
 *   so tests can prove a second frame rasterises nothing.
 * - Tabular figures: SDL2_ttf cannot turn on OpenType 'tnum', so digits are laid on cells as
 *   wide as the widest digit, each glyph a cached label of its own.
 * - Line breaking: a small rule set good for our Chinese and English texts (break between
 *   ideographs and at spaces, never before closing or after opening punctuation); results of
 *   recent paragraphs are cached so wrapping does not re-measure every frame.
 *
 * Main thread only.
 */
#include "ui/ui_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_MEASURE 1024 /* bytes of one line we measure; longer text is cut */

/* ---- fonts ---- */

/*
 * Maps a font file read-only. SDL_ttf reads a font file through stdio: a seek and a 4 KiB
 * read(2) per table and glyph it touches, ~2,000 reads of the 20 MB collections before the
 * first frame, a tenth of its time on a VM. From memory the same bytes cost a memcpy; the
 * pages FreeType touches (~9 MB) are shared with the page cache but count in RSS.
 */
static void map_font(struct bm_ui *ui, int weight)
{
    int fd = open(ui->font_path[weight], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= INT_MAX) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            ui->font_map[weight] = p;
            ui->font_map_size[weight] = (size_t)st.st_size;
        }
    }
    close(fd);
}

/* At 72 dpi (SDL_ttf's default) a point is a pixel, so ptsize is the em in pixels. */
static TTF_Font *open_font(struct bm_ui *ui, int weight, int px)
{
    if (!ui->font_map[weight])
        map_font(ui, weight);
    if (ui->font_map[weight]) {
        SDL_RWops *rw = SDL_RWFromConstMem(ui->font_map[weight], (int)ui->font_map_size[weight]);
        if (rw)
            return TTF_OpenFontIndexRW(rw, 1, px, ui->font_face);
    }
    return TTF_OpenFontIndex(ui->font_path[weight], px, ui->font_face);
}

/*
 * One TTF_Font per weight, set to the size asked for. Each font opened on a Noto CJK
 * collection costs ~1 MB of FreeType tables and ~2 M instructions to parse; a screen uses 20
 * sizes. TTF_SetFontSize gives the same glyphs as opening at that size (opening ends by
 * setting the size), and label textures are cached, so the size changes only when a label is
 * rasterised or measured.
 */
TTF_Font *bm_ui_font(struct bm_ui *ui, int weight, int px)
{
    if (px < 4)
        px = 4;
    weight = weight == BM_UI_BOLD ? BM_UI_BOLD : BM_UI_REGULAR;
    TTF_Font **f = &ui->font[weight];
    if (!*f) {
        *f = open_font(ui, weight, px);
        if (!*f) {
            bm_err_set(BM_ERR_NOT_FOUND, "font %s: %s", ui->font_path[weight], TTF_GetError());
            return NULL;
        }
        ui->font_px[weight] = px;
    } else if (ui->font_px[weight] != px) {
        if (TTF_SetFontSize(*f, px) != 0) {
            bm_err_set(BM_ERR_INTERNAL, "font size %d: %s", px, TTF_GetError());
            ui->font_px[weight] = 0;
            return NULL;
        }
        ui->font_px[weight] = px;
    }
    return *f;
}

/* The remembered metrics of a font size (its slot), so placing a cached label needs no size
 * change; NULL if the font cannot be had. */
static struct font_slot *font_slot_of(struct bm_ui *ui, int weight, int px)
{
    weight = weight == BM_UI_BOLD ? BM_UI_BOLD : BM_UI_REGULAR;
    struct font_slot *victim = &ui->fonts[0];
    for (size_t i = 0; i < FONT_SLOTS; i++) {
        struct font_slot *s = &ui->fonts[i];
        if (s->used && s->weight == weight && s->px == px) {
            s->stamp = ++ui->clock;
            return s;
        }
        if (!s->used || (victim->used && s->stamp < victim->stamp))
            victim = s;
    }
    TTF_Font *font = bm_ui_font(ui, weight, px);
    if (!font)
        return NULL;
    *victim = (struct font_slot){.used = true,
                                 .weight = weight,
                                 .px = px,
                                 .ascent = TTF_FontAscent(font),
                                 .stamp = ++ui->clock};
    return victim;
}

static int font_ascent(struct bm_ui *ui, int weight, int px)
{
    struct font_slot *s = font_slot_of(ui, weight, px);
    return s ? s->ascent : px;
}

/* ---- the label cache ---- */

static uint32_t hash_bytes(uint32_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u; /* FNV-1a */
    }
    return h;
}

static uint32_t label_hash(const char *text, int weight, int px, SDL_Color c)
{
    uint32_t h = hash_bytes(2166136261u, text, strlen(text));
    uint32_t key[3] = {(uint32_t)weight, (uint32_t)px,
                       ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a};
    return hash_bytes(h, key, sizeof key);
}

/*
 * Opens both fonts now, once, and keeps them: a missing or unreadable font fails bm_ui_create
 * (BM_ERR_NOT_FOUND) rather than the first frame, and the first frame does not open them again
 * (opening a face of a CJK collection is ~10 ms of the start-up's CPU on this VM).
 */
static enum bm_err open_fonts(struct bm_ui *ui)
{
    for (int w = 0; w < 2; w++)
        if (!bm_ui_font(ui, w, 16))
            return bm_err_set(BM_ERR_NOT_FOUND, "font %s face %d: %s", ui->font_path[w],
                              ui->font_face, TTF_GetError());
    return BM_OK;
}

enum bm_err bm_ui_text_init(struct bm_ui *ui, size_t entries, size_t bytes)
{
    struct text_cache *tc = &ui->cache;
    tc->cap = entries;
    tc->max_bytes = bytes;
    tc->nbuckets = 1;
    while (tc->nbuckets < entries * 2)
        tc->nbuckets <<= 1;
    tc->entries = calloc(tc->cap, sizeof *tc->entries);
    tc->buckets = malloc(tc->nbuckets * sizeof *tc->buckets);
    if (!tc->entries || !tc->buckets)
        return bm_err_set(BM_ERR_NO_MEMORY, "text cache of %zu entries", entries);
    for (size_t i = 0; i < tc->nbuckets; i++)
        tc->buckets[i] = -1;
    for (size_t i = 0; i < tc->cap; i++)
        tc->entries[i].next = i + 1 < tc->cap ? (int)i + 1 : -1;
    tc->free_head = 0;
    return open_fonts(ui);
}

static void entry_release(struct text_entry *e)
{
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    free(e->text);
    memset(e, 0, sizeof *e);
}

void bm_ui_text_fini(struct bm_ui *ui)
{
    struct text_cache *tc = &ui->cache;
    for (size_t i = 0; tc->entries && i < tc->cap; i++)
        if (tc->entries[i].text)
            entry_release(&tc->entries[i]);
    free(tc->entries);
    free(tc->buckets);
    memset(tc, 0, sizeof *tc);
    for (int w = 0; w < 2; w++)
        if (ui->font[w])
            TTF_CloseFont(ui->font[w]);
    memset(ui->font, 0, sizeof ui->font);
    for (int w = 0; w < 2; w++)
        if (ui->font_map[w])
            munmap(ui->font_map[w], ui->font_map_size[w]);
    memset(ui->font_map, 0, sizeof ui->font_map);
    memset(ui->fonts, 0, sizeof ui->fonts);
    for (size_t i = 0; i < WRAP_CACHE; i++)
        free(ui->wraps[i].text);
    for (size_t i = 0; i < FIT_CACHE; i++)
        free(ui->fits[i].text);
    memset(ui->fits, 0, sizeof ui->fits);
    memset(ui->wraps, 0, sizeof ui->wraps);
}

static void evict_one(struct bm_ui *ui)
{
    struct text_cache *tc = &ui->cache;
    int oldest = -1;
    for (size_t i = 0; i < tc->cap; i++) {
        struct text_entry *e = &tc->entries[i];
        if (e->text && (oldest < 0 || e->stamp < tc->entries[oldest].stamp))
            oldest = (int)i;
    }
    if (oldest < 0)
        return;
    struct text_entry *e = &tc->entries[oldest];
    int *link = &tc->buckets[e->hash & (tc->nbuckets - 1)];
    while (*link != oldest && *link >= 0)
        link = &tc->entries[*link].next;
    if (*link == oldest)
        *link = e->next;
    tc->bytes -= (size_t)e->w * (size_t)e->h * 4;
    tc->count--;
    entry_release(e);
    e->next = tc->free_head;
    tc->free_head = oldest;
    ui->stats.text_evictions++;
}

/* A label already in the cache, or NULL: never rasterises. */
static struct text_entry *label_find(struct bm_ui *ui, const char *text, struct bm_ui_font f)
{
    struct text_cache *tc = &ui->cache;
    int weight = f.weight == BM_UI_BOLD ? BM_UI_BOLD : BM_UI_REGULAR;
    uint32_t h = label_hash(text, weight, f.px, f.color);
    for (int i = tc->buckets[h & (tc->nbuckets - 1)]; i >= 0; i = tc->entries[i].next) {
        struct text_entry *e = &tc->entries[i];
        if (e->hash == h && e->weight == weight && e->px == f.px &&
            memcmp(&e->color, &f.color, sizeof f.color) == 0 && strcmp(e->text, text) == 0) {
            e->stamp = ++ui->clock;
            ui->stats.text_hits++;
            return e;
        }
    }
    return NULL;
}

/* The cached texture of one label, rasterising it on a miss. NULL for "" or on failure. */
static struct text_entry *label_get(struct bm_ui *ui, const char *text, struct bm_ui_font f)
{
    if (!text || !*text)
        return NULL;
    struct text_entry *hit = label_find(ui, text, f);
    if (hit)
        return hit;
    struct text_cache *tc = &ui->cache;
    int weight = f.weight == BM_UI_BOLD ? BM_UI_BOLD : BM_UI_REGULAR;
    uint32_t h = label_hash(text, weight, f.px, f.color);
    size_t b = h & (tc->nbuckets - 1);

    TTF_Font *font = bm_ui_font(ui, weight, f.px);
    if (!font)
        return NULL;
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, text, f.color);
    if (!s)
        return NULL;
    size_t bytes = (size_t)s->w * (size_t)s->h * 4;
    while (tc->count > 0 && (tc->count >= tc->cap || tc->bytes + bytes > tc->max_bytes))
        evict_one(ui);
    SDL_Texture *tex = SDL_CreateTextureFromSurface(ui->renderer, s);
    int w = s->w, hgt = s->h;
    SDL_FreeSurface(s);
    char *copy = malloc(strlen(text) + 1);
    if (!tex || !copy || tc->free_head < 0) {
        if (tex)
            SDL_DestroyTexture(tex);
        free(copy);
        return NULL;
    }
    memcpy(copy, text, strlen(text) + 1);
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    int slot = tc->free_head;
    struct text_entry *e = &tc->entries[slot];
    tc->free_head = e->next;
    e->text = copy;
    e->hash = h;
    e->weight = weight;
    e->px = f.px;
    e->color = f.color;
    e->tex = tex;
    e->w = w;
    e->h = hgt;
    e->stamp = ++ui->clock;
    e->next = tc->buckets[b];
    tc->buckets[b] = slot;
    tc->count++;
    tc->bytes += bytes;
    ui->stats.text_misses++;
    return e;
}

SDL_Point bm_ui_text_size(struct bm_ui *ui, const char *text, struct bm_ui_font f)
{
    SDL_Point p = {0, 0};
    struct text_entry *e = label_get(ui, text, f);
    if (e) {
        p.x = e->w;
        p.y = e->h;
    }
    return p;
}

/*
 * Where a text of width w goes in box. Vertically the visual centre of an ideograph (about
 * 0.38 em above the baseline) goes to the box's centre, not the font's taller line box.
 */
static SDL_Point place(struct bm_ui *ui, SDL_Rect box, int w, struct bm_ui_font f, int align)
{
    SDL_Point p;
    if (align & BM_UI_ALIGN_CENTER)
        p.x = box.x + (box.w - w) / 2;
    else if (align & BM_UI_ALIGN_RIGHT)
        p.x = box.x + box.w - w;
    else
        p.x = box.x;
    int ascent = font_ascent(ui, f.weight, f.px);
    int visual_top = ascent - (f.px * 88 + 50) / 100; /* ideographic em box: 0.88 em high */
    if (align & BM_UI_ALIGN_TOP)
        p.y = box.y - visual_top;
    else if (align & BM_UI_ALIGN_BOTTOM)
        p.y = box.y + box.h - visual_top - f.px;
    else
        p.y = box.y + box.h / 2 - (ascent - (f.px * 38 + 50) / 100);
    return p;
}

static void blit(struct bm_ui *ui, struct text_entry *e, int x, int y)
{
    SDL_Rect dst = {x, y, e->w, e->h};
    SDL_RenderCopy(ui->renderer, e->tex, NULL, &dst);
}

int bm_ui_label(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f, int align)
{
    struct text_entry *e = label_get(ui, text, f);
    if (!e)
        return 0;
    SDL_Point p = place(ui, box, e->w, f, align);
    blit(ui, e, p.x, p.y);
    SDL_Point need = {e->w, f.px};
    bm_ui_audit_label(ui, box, text, need, e->w > box.w || f.px > box.h);
    return e->w;
}

/* A size fit_px chose before for these arguments, or NULL with *victim the slot to fill. */
static struct fit_entry *fit_lookup(struct bm_ui *ui, const char *text, int weight, int px,
                                    int max_w, int min_px, struct fit_entry **victim)
{
    *victim = &ui->fits[0];
    for (size_t i = 0; i < FIT_CACHE; i++) {
        struct fit_entry *e = &ui->fits[i];
        if (e->text && e->weight == weight && e->px == px && e->max_w == max_w &&
            e->min_px == min_px && strcmp(e->text, text) == 0) {
            e->stamp = ++ui->clock;
            return e;
        }
        if (!e->text || ((*victim)->text && e->stamp < (*victim)->stamp))
            *victim = e;
    }
    return NULL;
}

static int fit_measure(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w,
                       int min_px);

int bm_ui_fit_px(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w, int min_px)
{
    if (!text || !*text)
        return f.px;
    int weight = f.weight == BM_UI_BOLD ? BM_UI_BOLD : BM_UI_REGULAR;
    struct fit_entry *victim;
    struct fit_entry *hit = fit_lookup(ui, text, weight, f.px, max_w, min_px, &victim);
    if (hit)
        return hit->result;
    int result = fit_measure(ui, text, f, max_w, min_px);
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy) {
        memcpy(copy, text, n);
        free(victim->text);
        *victim = (struct fit_entry){.text = copy,
                                     .weight = weight,
                                     .px = f.px,
                                     .max_w = max_w,
                                     .min_px = min_px,
                                     .result = result,
                                     .stamp = ++ui->clock};
    }
    return result;
}

static int fit_measure(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w,
                       int min_px)
{
    /* Measured without rasterising, so the sizes tried do not fill the label cache. Width
     * scales almost linearly with size: one measurement predicts the size, a second checks
     * it. Sizes are even numbers so a screen of fitted labels opens few fonts. */
    for (int tries = 0; tries < 4 && f.px > min_px; tries++) {
        TTF_Font *font = bm_ui_font(ui, f.weight, f.px);
        int w = 0, h = 0;
        if (!font || TTF_SizeUTF8(font, text, &w, &h) != 0 || w <= max_w)
            break;
        int next = (int)((long)f.px * max_w / w) & ~1;
        if (next >= f.px)
            next = f.px - 2;
        f.px = next < min_px ? min_px : next;
    }
    return f.px;
}

int bm_ui_label_fit(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                    int min_px, int align)
{
    f.px = bm_ui_fit_px(ui, text, f, box.w, min_px);
    bm_ui_label(ui, box, text, f, align);
    return f.px;
}

/* ---- tabular figures ---- */

/* The widest digit's width: a digit's cached label if it has one, else its width measured
 * once with TTF_SizeUTF8 (the width its texture would have), so a clock's first frame does
 * not rasterise ten digits at 240 px to show four. */
static int digit_cell(struct bm_ui *ui, struct bm_ui_font f)
{
    struct font_slot *slot = font_slot_of(ui, f.weight, f.px);
    int cell = 0;
    char d[2] = "0";
    for (int i = 0; i < 10; i++) {
        d[0] = (char)('0' + i);
        struct text_entry *e = label_find(ui, d, f);
        int w = e ? e->w : slot ? slot->digit_w[i] : 0;
        if (w == 0) {
            TTF_Font *font = bm_ui_font(ui, f.weight, f.px);
            int h = 0;
            if (!font || TTF_SizeUTF8(font, d, &w, &h) != 0)
                w = 0;
            if (slot)
                slot->digit_w[i] = w;
        }
        if (w > cell)
            cell = w;
    }
    return cell;
}

/* Walks text one UTF-8 character at a time, drawing if draw, returning the total width. */
static int tabular_run(struct bm_ui *ui, const char *text, struct bm_ui_font f, int x, int y,
                       bool draw)
{
    int cell = digit_cell(ui, f), total = 0;
    char ch[8];
    for (const char *s = text; *s;) {
        size_t n = 1;
        while (n < 4 && (s[n] & 0xC0) == 0x80)
            n++;
        memcpy(ch, s, n);
        ch[n] = '\0';
        s += n;
        struct text_entry *e = label_get(ui, ch, f);
        if (!e)
            continue;
        bool digit = n == 1 && ch[0] >= '0' && ch[0] <= '9';
        int adv = digit ? cell : e->w;
        if (draw)
            blit(ui, e, x + total + (adv - e->w) / 2, y);
        total += adv;
    }
    return total;
}

int bm_ui_tabular_width(struct bm_ui *ui, const char *text, struct bm_ui_font f)
{
    return tabular_run(ui, text, f, 0, 0, false);
}

int bm_ui_label_tabular(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                        int align)
{
    int w = tabular_run(ui, text, f, 0, 0, false);
    SDL_Point p = place(ui, box, w, f, align);
    tabular_run(ui, text, f, p.x, p.y, true);
    SDL_Point need = {w, f.px};
    bm_ui_audit_label(ui, box, text, need, w > box.w || f.px > box.h);
    return w;
}
