/*
 * draw.c - shapes: rounded rectangles, gradients, circles, soft shadows and lines, all through
 * SDL_RenderGeometry so the software renderer draws them.
 *
 * Design: every shape is an outline polygon (a rounded rectangle's four arcs; a circle is a
 * rounded rectangle whose radius is half its side) drawn as a triangle fan, plus "rings":
 * the same outline grown outward, joined to the previous one by a triangle strip whose outer
 * vertices are transparent. One ring half a pixel each side of the edge is cheap
 * anti-aliasing; a few wide rings with falling alpha are a soft shadow; vertex colours give
 * gradients for free. Arcs get more segments as the radius grows, so curves stay smooth at
 * any size without wasting triangles on small corners. Vertex buffers live on the stack with
 * a fixed cap, so drawing never allocates.
 *
 * Main thread only.
 */
#include "ui/ui_internal.h"


#define MAX_SEG 24                      /* segments per quarter arc */
#define MAX_OUTLINE (4 * (MAX_SEG + 1)) /* points of one outline */
#define MAX_RINGS 4

#define PI_F 3.14159265358979f

/* How vertex colours are chosen: one colour, or a gradient across a reference rectangle. */
struct paint {
    SDL_Color a, b;
    enum bm_ui_gradient dir;
    bool gradient;
    SDL_FRect ref;
};

static SDL_Color paint_at(const struct paint *p, float x, float y)
{
    if (!p->gradient)
        return p->a;
    float tx = p->ref.w > 0 ? (x - p->ref.x) / p->ref.w : 0.0f;
    float ty = p->ref.h > 0 ? (y - p->ref.y) / p->ref.h : 0.0f;
    float t;
    switch (p->dir) {
    case BM_UI_GRADIENT_HORIZONTAL:
        t = tx;
        break;
    case BM_UI_GRADIENT_DIAGONAL:
        t = (tx + ty) * 0.5f;
        break;
    case BM_UI_GRADIENT_VERTICAL:
    default:
        t = ty;
        break;
    }
    if (t < 0.0f)
        t = 0.0f;
    if (t > 1.0f)
        t = 1.0f;
    return bm_color_mix(p->a, p->b, t);
}

static int segments_for(float radius)
{
    int seg = (int)SDL_ceilf(radius / 3.0f);
    if (seg < 1)
        seg = 1;
    if (seg > MAX_SEG)
        seg = MAX_SEG;
    return seg;
}

/* The outline of r grown by grow (negative shrinks), clockwise from the top-right arc. */
static int outline(SDL_FRect r, float radius, float grow, int seg, SDL_FPoint *out)
{
    r.x -= grow;
    r.y -= grow;
    r.w += 2 * grow;
    r.h += 2 * grow;
    float rad = radius + grow;
    float max_rad = (r.w < r.h ? r.w : r.h) * 0.5f;
    if (rad > max_rad)
        rad = max_rad;
    if (rad < 0.0f)
        rad = 0.0f;
    const float cx[4] = {r.x + r.w - rad, r.x + r.w - rad, r.x + rad, r.x + rad};
    const float cy[4] = {r.y + rad, r.y + r.h - rad, r.y + r.h - rad, r.y + rad};
    int n = 0;
    for (int c = 0; c < 4; c++) {
        float a0 = -0.5f * PI_F + (float)c * 0.5f * PI_F;
        for (int i = 0; i <= seg; i++) {
            float a = a0 + 0.5f * PI_F * (float)i / (float)seg;
            out[n].x = cx[c] + rad * SDL_cosf(a);
            out[n].y = cy[c] + rad * SDL_sinf(a);
            n++;
        }
    }
    return n;
}

static SDL_Vertex vert(const struct paint *p, float x, float y, float alpha)
{
    /* Rounded here because the software renderer would truncate: shapes stay symmetric. */
    SDL_Vertex v;
    v.position.x = SDL_floorf(x + 0.5f);
    v.position.y = SDL_floorf(y + 0.5f);
    v.color = paint_at(p, x, y);
    v.color.a = (Uint8)SDL_lroundf((float)v.color.a * alpha);
    v.tex_coord.x = v.tex_coord.y = 0.0f;
    return v;
}

static bool paint_opaque(const struct paint *p, float alpha)
{
    return alpha >= 1.0f && p->a.a == 255 && (!p->gradient || p->b.a == 255);
}

static bool tri_ok(const SDL_Vertex *a, const SDL_Vertex *b, const SDL_Vertex *c);

/*
 * Indexes the quad v[b0..b0+3] as two triangles. Slivers are left out only when colours vary
 * across them (see tri_ok): a one-colour sliver is drawn without interpolation, and the pixel
 * centres a thin band happens to contain must be covered.
 */
static void add_quad(const SDL_Vertex *v, int b0, int *idx, int *ni, bool uniform)
{
    const int q[6] = {0, 1, 2, 0, 2, 3};
    for (int t = 0; t < 6; t += 3)
        if (uniform || tri_ok(&v[b0 + q[t]], &v[b0 + q[t + 1]], &v[b0 + q[t + 2]]))
            for (int m = 0; m < 3; m++)
                idx[(*ni)++] = b0 + q[t + m];
}

/* Where the convex polygon pts crosses the horizontal line y: [*xl, *xr]. */
static void span_at(const SDL_FPoint *pts, int n, float y, float *xl, float *xr)
{
    /* Band edges are rounded to whole pixels and may lie just outside the polygon. */
    float ymin = pts[0].y, ymax = pts[0].y;
    for (int i = 1; i < n; i++) {
        ymin = pts[i].y < ymin ? pts[i].y : ymin;
        ymax = pts[i].y > ymax ? pts[i].y : ymax;
    }
    y = y < ymin ? ymin : y > ymax ? ymax : y;
    float lo = 1e9f, hi = -1e9f;
    for (int i = 0; i < n; i++) {
        SDL_FPoint a = pts[i], b = pts[(i + 1) % n];
        if ((y < a.y && y < b.y) || (y > a.y && y > b.y))
            continue;
        float x;
        if (a.y == b.y) {
            x = a.x < b.x ? a.x : b.x;
            if (x < lo)
                lo = x;
            x = a.x > b.x ? a.x : b.x;
            if (x > hi)
                hi = x;
            continue;
        }
        x = a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y);
        if (x < lo)
            lo = x;
        if (x > hi)
            hi = x;
    }
    *xl = lo;
    *xr = hi;
}

/*
 * Fills a convex polygon as a ladder of horizontal trapezoids, one per band between vertex
 * heights. Why not a fan from the centre: the software renderer walks each triangle's whole
 * bounding box, and for blended triangles it allocates a temporary surface of that size, so
 * a fan over a large shape costs many times its area. Trapezoids cost about their own area.
 * Opaque bands go further: their rectangular middle is one SDL_RenderFillRect (a memset), and
 * only the slanted ends are triangles.
 */
static void fill_convex(struct bm_ui *ui, const SDL_FPoint *pts, int n, float alpha,
                        const struct paint *p)
{
    /* Band edges on whole pixels: the software renderer truncates vertex positions to whole
     * pixels, so a band thinner than a pixel would collapse and leave its row unfilled. */
    float ys[MAX_OUTLINE];
    int ny = 0;
    for (int i = 0; i < n && ny < MAX_OUTLINE; i++) {
        float y = SDL_floorf(pts[i].y + 0.5f);
        int j = ny;
        while (j > 0 && ys[j - 1] > y) {
            ys[j] = ys[j - 1];
            j--;
        }
        ys[j] = y;
        ny++;
    }
    bool opaque = paint_opaque(p, alpha);
    bool row_fill = opaque && (!p->gradient || p->dir == BM_UI_GRADIENT_VERTICAL);
    SDL_Vertex v[MAX_OUTLINE * 4];
    int idx[MAX_OUTLINE * 6];
    int nv = 0, ni = 0;
    SDL_Renderer *r = ui->renderer;
    float pl, pr;
    span_at(pts, n, ys[0], &pl, &pr);
    for (int k = 0; k + 1 < ny; k++) {
        float y0 = ys[k], y1 = ys[k + 1];
        if (y1 - y0 < 0.5f)
            continue;
        float l0 = pl, r0 = pr, l1, r1;
        span_at(pts, n, y1, &l1, &r1);
        pl = l1;
        pr = r1;
        float il = l0 > l1 ? l0 : l1, ir = r0 < r1 ? r0 : r1;
        int row0 = (int)SDL_ceilf(y0 - 0.5f), row1 = (int)SDL_ceilf(y1 - 0.5f);
        int x0 = (int)SDL_ceilf(il - 0.5f), x1 = (int)SDL_ceilf(ir - 0.5f);
        float tl = l0, tr = r0, bl = l1, br = r1;
        if (row_fill && x1 > x0 && row1 > row0) {
            /* Middle: rectangles; ends: trapezoids reaching one pixel into the middle. */
            if (!p->gradient) {
                SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
                SDL_SetRenderDrawColor(r, p->a.r, p->a.g, p->a.b, 255);
                SDL_Rect rect = {x0, row0, x1 - x0, row1 - row0};
                SDL_RenderFillRect(r, &rect);
            } else {
                SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
                for (int row = row0; row < row1; row++) {
                    SDL_Color c = paint_at(p, (float)x0, (float)row + 0.5f);
                    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
                    SDL_Rect rect = {x0, row, x1 - x0, 1};
                    SDL_RenderFillRect(r, &rect);
                }
            }
            float ml = (float)x0 + 1.0f, mr = (float)x1 - 1.0f;
            if (ml > tl || ml > bl) {
                int b0 = nv;
                v[nv++] = vert(p, tl, y0, alpha);
                v[nv++] = vert(p, ml, y0, alpha);
                v[nv++] = vert(p, ml, y1, alpha);
                v[nv++] = vert(p, bl, y1, alpha);
                add_quad(v, b0, idx, &ni, !p->gradient);
            }
            if (mr < tr || mr < br) {
                int b0 = nv;
                v[nv++] = vert(p, mr, y0, alpha);
                v[nv++] = vert(p, tr, y0, alpha);
                v[nv++] = vert(p, br, y1, alpha);
                v[nv++] = vert(p, mr, y1, alpha);
                add_quad(v, b0, idx, &ni, !p->gradient);
            }
            continue;
        }
        int b0 = nv;
        v[nv++] = vert(p, tl, y0, alpha);
        v[nv++] = vert(p, tr, y0, alpha);
        v[nv++] = vert(p, br, y1, alpha);
        v[nv++] = vert(p, bl, y1, alpha);
        add_quad(v, b0, idx, &ni, !p->gradient);
    }
    if (ni > 0) {
        SDL_SetRenderDrawBlendMode(r, opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_RenderGeometry(r, NULL, v, nv, idx, ni);
    }
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

/*
 * Whether a triangle is worth drawing. The software rasteriser interpolates vertex colours by
 * dividing by the triangle's area; slivers of almost no area give wild colours on the few
 * pixels they touch (speckles along a curve), and they cover nothing visible anyway.
 */
static bool tri_ok(const SDL_Vertex *a, const SDL_Vertex *b, const SDL_Vertex *c)
{
    float area2 = (b->position.x - a->position.x) * (c->position.y - a->position.y) -
                  (b->position.y - a->position.y) * (c->position.x - a->position.x);
    return area2 > 0.5f || area2 < -0.5f;
}

/*
 * Fills the innermost outline (if fill) and joins consecutive outlines with strips.
 * pts holds rings * n points; alpha[k] scales the paint's alpha on ring k.
 */
static void draw_rings(struct bm_ui *ui, const SDL_FPoint *pts, int n, int rings,
                       const float *alpha, const struct paint *p, bool fill)
{
    SDL_Vertex v[MAX_RINGS * MAX_OUTLINE];
    int idx[MAX_RINGS * MAX_OUTLINE * 6];
    int nv = 0, ni = 0;
    float minx = pts[0].x, maxx = pts[0].x, miny = pts[0].y, maxy = pts[0].y;

    for (int k = 0; k < rings; k++) {
        for (int i = 0; i < n; i++) {
            SDL_FPoint q = pts[k * n + i];
            v[nv++] = vert(p, q.x, q.y, alpha[k]);
            if (q.x < minx)
                minx = q.x;
            if (q.x > maxx)
                maxx = q.x;
            if (q.y < miny)
                miny = q.y;
            if (q.y > maxy)
                maxy = q.y;
        }
    }
    bm_ui_audit_bounds(ui, minx, miny, maxx, maxy);
    if (fill)
        fill_convex(ui, pts, n, alpha[0], p);
    for (int k = 0; k + 1 < rings; k++) {
        int in = k * n, out = (k + 1) * n;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            /* Collapsed arc points (radius 0) make empty quads: skip them. */
            if (pts[in + i].x == pts[in + j].x && pts[in + i].y == pts[in + j].y &&
                pts[out + i].x == pts[out + j].x && pts[out + i].y == pts[out + j].y)
                continue;
            const int tri[6] = {in + i, out + i, out + j, in + i, out + j, in + j};
            for (int t = 0; t < 6; t += 3)
                if (tri_ok(&v[tri[t]], &v[tri[t + 1]], &v[tri[t + 2]]))
                    for (int m = 0; m < 3; m++)
                        idx[ni++] = tri[t + m];
        }
    }
    if (ni > 0) {
        SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
        SDL_RenderGeometry(ui->renderer, NULL, v, nv, idx, ni);
    }
}

static SDL_FRect frect(SDL_Rect r)
{
    SDL_FRect f = {(float)r.x, (float)r.y, (float)r.w, (float)r.h};
    return f;
}

/* A rounded rectangle with a half-pixel transparent fringe each side of its edge. */
static void rrect_aa(struct bm_ui *ui, SDL_FRect r, float radius, const struct paint *p)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    SDL_FPoint pts[2 * MAX_OUTLINE];
    int seg = segments_for(radius + 0.5f);
    int n = outline(r, radius, -0.5f, seg, pts);
    outline(r, radius, 0.5f, seg, pts + n);
    const float alpha[2] = {1.0f, 0.0f};
    draw_rings(ui, pts, n, 2, alpha, p, true);
}

void bm_ui_fill_rrect(struct bm_ui *ui, SDL_Rect r, int radius, SDL_Color c)
{
    struct paint p = {.a = c};
    rrect_aa(ui, frect(r), (float)radius, &p);
}

void bm_ui_fill_rrect_gradient(struct bm_ui *ui, SDL_Rect r, int radius, SDL_Color a,
                               SDL_Color b, enum bm_ui_gradient dir)
{
    struct paint p = {.a = a, .b = b, .dir = dir, .gradient = true, .ref = frect(r)};
    rrect_aa(ui, frect(r), (float)radius, &p);
}

void bm_ui_stroke_rrect(struct bm_ui *ui, SDL_Rect r, int radius, int width, SDL_Color c)
{
    if (width <= 0 || r.w <= 0 || r.h <= 0)
        return;
    /* Four outlines: fringe outside, edge, inner edge, fringe inside; the middle band solid. */
    SDL_FPoint pts[4 * MAX_OUTLINE];
    SDL_FRect f = frect(r);
    int seg = segments_for((float)radius + 0.5f);
    float w = (float)width;
    int n = outline(f, (float)radius, -w - 0.5f, seg, pts);
    outline(f, (float)radius, -w + 0.5f, seg, pts + n);
    outline(f, (float)radius, -0.5f, seg, pts + 2 * n);
    outline(f, (float)radius, 0.5f, seg, pts + 3 * n);
    const float alpha[4] = {0.0f, 1.0f, 1.0f, 0.0f};
    struct paint p = {.a = c};
    draw_rings(ui, pts, n, 4, alpha, &p, false);
}

void bm_ui_shadow(struct bm_ui *ui, SDL_Rect r, int radius, int blur, int dy, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    /* Three rings approximate a Gaussian falloff: steep near the edge, a long faint tail. */
    SDL_FPoint pts[3 * MAX_OUTLINE];
    SDL_FRect f = frect(r);
    f.y += (float)dy;
    float b = (float)blur;
    int seg = segments_for((float)radius + b);
    /* The shadow's middle is hidden by what casts it, so only the rings are drawn; the inner
     * ring starts far enough inside that the moved-down shadow leaves no hole. */
    float inner = 0.3f * b > (float)dy + 1.0f ? 0.3f * b : (float)dy + 1.0f;
    int n = outline(f, (float)radius, -inner, seg, pts);
    outline(f, (float)radius, 0.25f * b, seg, pts + n);
    outline(f, (float)radius, b, seg, pts + 2 * n);
    const float alpha[3] = {1.0f, 0.45f, 0.0f};
    struct paint p = {.a = c};
    draw_rings(ui, pts, n, 3, alpha, &p, false);
}

void bm_ui_fill_circle(struct bm_ui *ui, int cx, int cy, int radius, SDL_Color c)
{
    SDL_Rect r = {cx - radius, cy - radius, 2 * radius, 2 * radius};
    bm_ui_fill_rrect(ui, r, radius, c);
}

void bm_ui_stroke_circle(struct bm_ui *ui, int cx, int cy, int radius, int width, SDL_Color c)
{
    SDL_Rect r = {cx - radius, cy - radius, 2 * radius, 2 * radius};
    bm_ui_stroke_rrect(ui, r, radius, width, c);
}

/* Sutherland-Hodgman: keeps the part of subject inside the convex clockwise polygon clip. */
static int clip_convex(const SDL_FPoint *subject, int ns, const SDL_FPoint *clip, int nc,
                       SDL_FPoint *out, int cap)
{
    SDL_FPoint a_buf[2 * MAX_OUTLINE + 8], b_buf[2 * MAX_OUTLINE + 8];
    SDL_FPoint *in = a_buf, *res = b_buf;
    int n = ns < MAX_OUTLINE ? ns : MAX_OUTLINE;
    for (int i = 0; i < n; i++)
        in[i] = subject[i];
    for (int e = 0; e < nc && n > 0; e++) {
        SDL_FPoint p0 = clip[e], p1 = clip[(e + 1) % nc];
        float ex = p1.x - p0.x, ey = p1.y - p0.y;
        if (ex * ex + ey * ey < 1e-6f)
            continue; /* collapsed arc points of a zero radius */
        int m = 0;
        for (int i = 0; i < n && m < 2 * MAX_OUTLINE + 6; i++) {
            SDL_FPoint s = in[i], t = in[(i + 1) % n];
            /* Clockwise on screen (y down): inside is where the cross product is >= 0. */
            float ds = ex * (s.y - p0.y) - ey * (s.x - p0.x);
            float dt = ex * (t.y - p0.y) - ey * (t.x - p0.x);
            if (ds >= 0)
                res[m++] = s;
            if ((ds >= 0) != (dt >= 0)) {
                float k = ds / (ds - dt);
                res[m].x = s.x + (t.x - s.x) * k;
                res[m].y = s.y + (t.y - s.y) * k;
                m++;
            }
        }
        SDL_FPoint *tmp = in;
        in = res;
        res = tmp;
        n = m;
    }
    if (n > cap)
        n = cap;
    for (int i = 0; i < n; i++)
        out[i] = in[i];
    return n;
}

void bm_ui_fill_circle_in_rrect(struct bm_ui *ui, int cx, int cy, int radius, SDL_Rect clip,
                                int clip_radius, SDL_Color c)
{
    SDL_FPoint circle[MAX_OUTLINE], box[MAX_OUTLINE], out[MAX_OUTLINE];
    SDL_FRect cr = {(float)(cx - radius), (float)(cy - radius), 2.0f * (float)radius,
                    2.0f * (float)radius};
    int nc = outline(cr, (float)radius, 0.0f, MAX_SEG, circle);
    int nb = outline(frect(clip), (float)clip_radius, -0.5f, segments_for((float)clip_radius),
                     box);
    int n = clip_convex(circle, nc, box, nb, out, MAX_OUTLINE);
    if (n < 3)
        return;
    const float alpha[1] = {1.0f};
    struct paint p = {.a = c};
    draw_rings(ui, out, n, 1, alpha, &p, true);
}

void bm_ui_line(struct bm_ui *ui, float x0, float y0, float x1, float y1, float width,
                SDL_Color c)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len = SDL_sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f || width <= 0.0f)
        return;
    float nx = -dy / len, ny = dx / len; /* unit normal */
    SDL_FPoint pts[8];
    const float half[2] = {width * 0.5f - 0.5f, width * 0.5f + 0.5f};
    for (int k = 0; k < 2; k++) {
        float h = half[k] < 0.0f ? 0.0f : half[k];
        float ext = (float)k * 0.5f; /* the fringe also extends past the ends */
        float ux = dx / len * ext, uy = dy / len * ext;
        pts[k * 4 + 0] = (SDL_FPoint){x0 - ux + nx * h, y0 - uy + ny * h};
        pts[k * 4 + 1] = (SDL_FPoint){x1 + ux + nx * h, y1 + uy + ny * h};
        pts[k * 4 + 2] = (SDL_FPoint){x1 + ux - nx * h, y1 + uy - ny * h};
        pts[k * 4 + 3] = (SDL_FPoint){x0 - ux - nx * h, y0 - uy - ny * h};
    }
    /* A thin line's core carries the coverage its width would have. */
    const float alpha[2] = {width < 1.0f ? width : 1.0f, 0.0f};
    struct paint p = {.a = c};
    draw_rings(ui, pts, 4, 2, alpha, &p, true);
}
