/*
 * wrap.c - line breaking for the few multi-line texts of the first screens, and paragraphs.
 *
 * Design: greedy breaking over the break opportunities of the Unicode line breaking algorithm
 * (UAX #14, libunibreak, with Chinese as the language): Latin words stay whole and break after
 * spaces, Chinese breaks between characters, and no line starts with closing punctuation
 * (，。、；：？！）」』》) or ends with opening punctuation (（「《“) -- the rule SDL2_ttf's own
 * wrapping breaks. Our own list of those marks is checked as well, so the rule holds even
 * where UAX #14 is lenient (the middle dot of "户籍 · 证照", ambiguous quotes). With
 * BM_UI_WRAP_WORDS a line breaks only after a space. A number and the ideograph after it (its
 * unit: 120元, 15个工作日) stay together. A word wider than the line is cut
 * between characters as a last resort. Widths come from TTF_SizeUTF8 of the candidate line;
 * results are kept in a small cache keyed by (text, weight, size, width), because paragraphs
 * are redrawn far more often than they change.
 *
 * Main thread only.
 */
#include "ui/ui_internal.h"

#include <linebreak.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT 1024

bool bm_ui_is_closing_punct(uint32_t cp)
{
    static const uint32_t set[] = {
        0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF01, 0xFF09,
        0x300D, 0x300F, 0x300B, 0x3009, 0x3011, 0x3015, 0x3017, 0x201D, 0x2019,
        0x2026, 0x00B7, 0x30FB, 0xFF5D, 0xFF3D, 0x3003, 0x30FC, 0xFF05, ',',
        '.',    ';',    ':',    '!',    '?',    ')',    ']',    '}',    '%',
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (set[i] == cp)
            return true;
    return false;
}

bool bm_ui_is_opening_punct(uint32_t cp)
{
    static const uint32_t set[] = {0xFF08, 0x300C, 0x300E, 0x300A, 0x3008, 0x3010, 0x3014, 0x3016,
                                   0x201C, 0x2018, 0xFF5B, 0xFF3B, '(',    '[',    '{'};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (set[i] == cp)
            return true;
    return false;
}

/* Decodes one UTF-8 character at s; *len gets its byte length (1 for a bad byte). */
static uint32_t utf8_next(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *len = 1;
        return u[0];
    }
    int n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 1;
    uint32_t cp = n == 4 ? u[0] & 0x07u : n == 3 ? u[0] & 0x0Fu : u[0] & 0x1Fu;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (u[i] & 0x3Fu);
    }
    *len = (size_t)n;
    return n == 1 ? 0xFFFD : cp;
}

static int measure(TTF_Font *font, const char *text, size_t start, size_t end)
{
    char buf[MAX_TEXT];
    size_t n = end - start;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, text + start, n);
    buf[n] = '\0';
    int w = 0, h = 0;
    TTF_SizeUTF8(font, buf, &w, &h);
    return w;
}

/*
 * A break is allowed between prev and next (code points, 0 at the ends), where UAX #14 said
 * `uax14` (LINEBREAK_* of the character before the break).
 */
static bool may_break(uint32_t prev, uint32_t next, char uax14, bool words)
{
    if (!prev || !next || next == ' ')
        return false; /* breaks go after spaces, never before them */
    if (bm_ui_is_closing_punct(next) || bm_ui_is_opening_punct(prev))
        return false;
    if (words)
        return prev == ' ';
    /* A number keeps its unit: "120元", "15个工作日", "3月" never leave 元, 个 or 月 alone at a
     * line's start (UAX #14 would break there, between a digit and an ideograph). */
    if (prev >= '0' && prev <= '9' && next >= 0x2E80 && next <= 0x9FFF)
        return false;
    return uax14 == LINEBREAK_ALLOWBREAK || uax14 == LINEBREAK_MUSTBREAK;
}

/*
 * Drops the spaces at a line's end, and a list separator " · " left dangling there (a line of
 * "户籍 · 证照 ·" reads as unfinished; the break itself already says "next item").
 */
static size_t trim_end(const char *text, size_t start, size_t end, bool last)
{
    while (end > start && text[end - 1] == ' ')
        end--;
    if (!last && end >= start + 3 && (unsigned char)text[end - 2] == 0xC2 &&
        (unsigned char)text[end - 1] == 0xB7 && text[end - 3] == ' ') {
        end -= 2;
        while (end > start && text[end - 1] == ' ')
            end--;
    }
    return end;
}

static size_t do_wrap(TTF_Font *font, const char *text, int max_w, bool words,
                      struct bm_ui_line_span *lines, size_t max_lines, bool *truncated)
{
    size_t total = strlen(text), count = 0, start = 0;
    *truncated = false;
    static bool unibreak_ready; /* main thread only, like the rest of the toolkit */
    if (!unibreak_ready) {
        init_linebreak();
        unibreak_ready = true;
    }
    /* brks[i]: may a line break after byte i? (INSIDEACHAR inside a multi-byte character).
     * Wrapping is cached, so this runs when a text is first shown, not every frame. */
    char *brks = malloc(total + 1);
    if (!brks) {
        *truncated = true;
        return 0;
    }
    set_linebreaks_utf8((const utf8_t *)text, total, "zh", brks);
    while (start < total && text[start] == ' ')
        start++;
    while (start < total) {
        if (count == max_lines) {
            *truncated = true;
            break;
        }
        /* Grow the line break opportunity by break opportunity while it fits. */
        size_t pos = start, last_break = 0, last_fit_char = 0;
        uint32_t prev = 0;
        size_t end = total;
        while (pos < total) {
            size_t len;
            uint32_t cp = utf8_next(text + pos, &len);
            if (pos > start && may_break(prev, cp, brks[pos - 1], words))
                last_break = pos;
            if (cp != ' ' && measure(font, text, start, pos + len) > max_w) {
                if (last_break > start)
                    end = last_break;
                else if (last_fit_char > start)
                    end = last_fit_char; /* one long word: cut between characters */
                else
                    end = pos + len; /* not even one character fits */
                break;
            }
            last_fit_char = pos + len;
            prev = cp;
            pos += len;
        }
        lines[count].start = start;
        lines[count].len = trim_end(text, start, end, end >= total) - start;
        count++;
        start = end;
        while (start < total && text[start] == ' ')
            start++;
    }
    free(brks);
    return count;
}

size_t bm_ui_wrap(struct bm_ui *ui, const char *text, struct bm_ui_font f, int max_w, int flags,
                  struct bm_ui_line_span *lines, size_t max_lines, bool *truncated)
{
    bool trunc_dummy;
    if (!truncated)
        truncated = &trunc_dummy;
    *truncated = false;
    if (!text || !*text || max_lines == 0)
        return 0;
    if (max_lines > BM_UI_MAX_LINES)
        max_lines = BM_UI_MAX_LINES;
    int weight = f.weight == BM_UI_BOLD ? BM_UI_BOLD : BM_UI_REGULAR;
    flags &= BM_UI_WRAP_WORDS;
    int key[4] = {weight, f.px, max_w, flags};
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 16777619u;
    for (size_t i = 0; i < sizeof key; i++)
        h = (h ^ ((const unsigned char *)key)[i]) * 16777619u;
    h |= 1; /* 0 marks a free slot */

    struct wrap_entry *victim = &ui->wraps[0];
    for (size_t i = 0; i < WRAP_CACHE; i++) {
        struct wrap_entry *w = &ui->wraps[i];
        if (w->hash == h && w->weight == weight && w->px == f.px && w->max_w == max_w &&
            w->flags == flags && strcmp(w->text, text) == 0) {
            w->stamp = ++ui->clock;
            size_t n = w->count < max_lines ? w->count : max_lines;
            memcpy(lines, w->lines, n * sizeof *lines);
            *truncated = w->truncated || n < w->count;
            return n;
        }
        if (!w->hash || (victim->hash && w->stamp < victim->stamp))
            victim = w;
    }

    TTF_Font *font = bm_ui_font(ui, weight, f.px);
    if (!font)
        return 0;
    struct wrap_entry fresh = {0};
    fresh.count =
        do_wrap(font, text, max_w, flags != 0, fresh.lines, BM_UI_MAX_LINES, &fresh.truncated);
    fresh.text = malloc(strlen(text) + 1);
    if (fresh.text) {
        memcpy(fresh.text, text, strlen(text) + 1);
        free(victim->text);
        fresh.hash = h;
        fresh.weight = weight;
        fresh.px = f.px;
        fresh.max_w = max_w;
        fresh.flags = flags;
        fresh.stamp = ++ui->clock;
        *victim = fresh;
    }
    size_t n = fresh.count < max_lines ? fresh.count : max_lines;
    memcpy(lines, fresh.lines, n * sizeof *lines);
    *truncated = fresh.truncated || n < fresh.count;
    return n;
}

size_t bm_ui_paragraph(struct bm_ui *ui, SDL_Rect box, const char *text, struct bm_ui_font f,
                       int line_height, int align)
{
    if (line_height <= 0)
        line_height = f.px * 3 / 2;
    size_t fit = (size_t)((box.h - f.px) / line_height) + 1;
    if (box.h < f.px)
        fit = 0;
    struct bm_ui_line_span lines[BM_UI_MAX_LINES];
    bool truncated = false;
    size_t n = bm_ui_wrap(ui, text, f, box.w, align, lines, BM_UI_MAX_LINES, &truncated);
    size_t shown = n < fit ? n : fit;

    /* The block of lines is aligned as a whole; each line is then a cached label. */
    int block = shown ? (int)(shown - 1) * line_height + f.px : 0;
    int y = box.y;
    if (align & BM_UI_ALIGN_MIDDLE)
        y = box.y + (box.h - block) / 2;
    else if (align & BM_UI_ALIGN_BOTTOM)
        y = box.y + box.h - block;
    int halign = align & (BM_UI_ALIGN_LEFT | BM_UI_ALIGN_CENTER | BM_UI_ALIGN_RIGHT);
    bool was_audit = ui->audit;
    int widest = 0;
    char buf[MAX_TEXT];
    for (size_t i = 0; i < shown; i++) {
        size_t len = lines[i].len < sizeof buf - 1 ? lines[i].len : sizeof buf - 1;
        memcpy(buf, text + lines[i].start, len);
        buf[len] = '\0';
        SDL_Rect row = {box.x, y + (int)i * line_height, box.w, f.px};
        ui->audit = false; /* the paragraph is audited as one label below */
        int w = bm_ui_label(ui, row, buf, f, halign | BM_UI_ALIGN_TOP);
        ui->audit = was_audit;
        if (w > widest)
            widest = w;
    }
    SDL_Point need = {widest, n ? (int)(n - 1) * line_height + f.px : 0};
    bm_ui_audit_label(ui, box, text, need, truncated || n > fit || widest > box.w);
    return shown;
}
