/*
 * fixture.c - offscreen canvas and fixed view-models for the ui tests and bm_render_screens.
 *
 * The canvas is SDL_CreateSoftwareRenderer on an ARGB8888 surface: no window, no video
 * driver, the same software rasteriser the kiosk uses, and the pixels are simply the surface.
 * The view-models are a realistic service point on 2026-11-29 (a Sunday) at 09:30; names from
 * config stay Chinese in English sessions, catalog texts come in the session's language, as
 * they will in the product. Some texts carry 直 门 对 on purpose: they show Japanese glyph
 * forms at once if the wrong font face is ever used. Main thread only.
 */
#include "fixture.h"

#include "core/i18n.h"

#include <string.h>

enum bm_err bm_canvas_open(struct bm_canvas *c, int w, int h, int dpi)
{
    memset(c, 0, sizeof *c);
    c->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!c->surface)
        return bm_err_set(BM_ERR_NO_MEMORY, "surface: %s", SDL_GetError());
    c->renderer = SDL_CreateSoftwareRenderer(c->surface);
    if (!c->renderer) {
        bm_canvas_close(c);
        return bm_err_set(BM_ERR_INTERNAL, "software renderer: %s", SDL_GetError());
    }
    struct bm_ui_options opts = {.dpi = dpi};
    enum bm_err err = bm_ui_create(c->renderer, &opts, &c->ui);
    if (err != BM_OK)
        bm_canvas_close(c);
    return err;
}

void bm_canvas_close(struct bm_canvas *c)
{
    bm_ui_destroy(c->ui);
    if (c->renderer)
        SDL_DestroyRenderer(c->renderer);
    if (c->surface)
        SDL_FreeSurface(c->surface);
    memset(c, 0, sizeof *c);
}

const char *bm_fixture_lang_code(enum bm_lang lang)
{
    return lang == BM_LANG_EN ? "en" : "zh_CN";
}

enum bm_err bm_fixture_language(enum bm_lang lang)
{
    static int bound;
    if (!bound) {
        enum bm_err err = bm_i18n_init(BM_LOCALEDIR_BUILD, "zh_CN");
        if (err != BM_OK)
            return err;
        bound = 1;
    }
    return bm_i18n_set_language(bm_fixture_lang_code(lang));
}

static struct tm fixed_time(void)
{
    struct tm t;
    memset(&t, 0, sizeof t);
    t.tm_year = 2026 - 1900;
    t.tm_mon = 10; /* November */
    t.tm_mday = 29;
    t.tm_wday = 0; /* Sunday */
    t.tm_hour = 9;
    t.tm_min = 30;
    return t;
}

static const struct bm_kiosk_info kiosk = {
    .name = "幸福街道党群服务中心",
    .location = "一楼大厅东侧",
    .hotline = "12345",
};

void bm_fixture_attract(struct bm_attract_vm *vm, enum bm_lang lang)
{
    memset(vm, 0, sizeof *vm);
    vm->kiosk = kiosk;
    vm->now = fixed_time();
    vm->lang = lang;
    vm->notice = lang == BM_LANG_EN
                     ? "Social and medical insurance can be done right here, day and night."
                     : "社保、医保业务可直接在本机办理，材料不全请到门口人工窗口核对。";
}

static const struct bm_home_category categories_zh[] = {
    {"gov", "政务办理", "户籍 · 证照 · 不动产 · 企业开办 · 出入境", "政", BM_HUE_BLUE},
    {"welfare", "民生保障", "社保 · 医保 · 养老 · 就业 · 救助 · 优抚", "民", BM_HUE_GREEN},
    {"life", "生活服务", "水电燃气 · 交通 · 预约挂号 · 打印", "生", BM_HUE_ORANGE},
};
static const struct bm_home_category categories_en[] = {
    {"gov", "Public affairs", "Residence · ID · Property · Business · Travel", "政", BM_HUE_BLUE},
    {"welfare", "Social welfare", "Pensions · Medical · Jobs · Aid", "民", BM_HUE_GREEN},
    {"life", "Daily life", "Utilities · Transport · Clinics · Printing", "生", BM_HUE_ORANGE},
};

static const struct bm_home_quick quick_zh[] = {
    {"social_security", "社保查询", "社", BM_HUE_BLUE, false},
    {"medical", "医保缴费", "医", BM_HUE_GREEN, false},
    {"housing_fund", "公积金提取", "金", BM_HUE_ORANGE, false},
    {"property", "不动产登记", "房", BM_HUE_PURPLE, false},
    {"residence", "居住证办理", "居", BM_HUE_TEAL, false},
    {"marriage", "婚姻登记预约", "婚", BM_HUE_RED, false},
    {"pension", "养老资格认证", "老", BM_HUE_GREEN, false},
    {"utilities", "水电燃气缴费", "缴", BM_HUE_ORANGE, false},
    {"traffic", "交通违法处理", "交", BM_HUE_BLUE, false},
    {"tax", "个税查询", "税", BM_HUE_PURPLE, false},
    {"progress", "办件进度查询", "进", BM_HUE_TEAL, false},
    {"print", "证明材料打印", "印", BM_HUE_RED, true},
};
static const struct bm_home_quick quick_en[] = {
    {"social_security", "Social insurance", "社", BM_HUE_BLUE, false},
    {"medical", "Medical insurance", "医", BM_HUE_GREEN, false},
    {"housing_fund", "Housing fund", "金", BM_HUE_ORANGE, false},
    {"property", "Property", "房", BM_HUE_PURPLE, false},
    {"residence", "Residence permit", "居", BM_HUE_TEAL, false},
    {"marriage", "Marriage booking", "婚", BM_HUE_RED, false},
    {"pension", "Pension check", "老", BM_HUE_GREEN, false},
    {"utilities", "Utility bills", "缴", BM_HUE_ORANGE, false},
    {"traffic", "Traffic fines", "交", BM_HUE_BLUE, false},
    {"tax", "Income tax", "税", BM_HUE_PURPLE, false},
    {"progress", "Track progress", "进", BM_HUE_TEAL, false},
    {"print", "Print papers", "印", BM_HUE_RED, true},
};

void bm_fixture_home(struct bm_home_vm *vm, enum bm_lang lang)
{
    bool en = lang == BM_LANG_EN;
    memset(vm, 0, sizeof *vm);
    vm->kiosk = kiosk;
    vm->now = fixed_time();
    vm->lang = lang;
    vm->categories = en ? categories_en : categories_zh;
    vm->category_count = 3;
    vm->quick = en ? quick_en : quick_zh;
    vm->quick_count = 12;
    vm->notice = en ? "Open 24/7. If you need a hand, press \"Help\" and a staff member will "
                      "join you by video."
                    : "本终端7×24小时服务，遇到问题请按「求助」，工作人员远程视频协助，"
                      "证件材料请当面核对。";
}

const struct bm_fixture_look bm_fixture_looks[BM_FIXTURE_LOOKS] = {
    {"zh_CN", BM_LANG_ZH_CN, false, "standard"},
    {"en", BM_LANG_EN, false, "standard"},
    {"elderly", BM_LANG_ZH_CN, true, "elderly"},
    {"high_contrast-zh_CN", BM_LANG_ZH_CN, false, "high_contrast"},
    {"en-elderly", BM_LANG_EN, true, "elderly"},
};

enum bm_err bm_fixture_use_look(struct bm_canvas *c, const struct bm_fixture_look *look)
{
    bm_ui_set_theme(c->ui, bm_theme_find(look->theme));
    return bm_fixture_language(look->lang);
}

const char *bm_fixture_orientation_name(int orientation)
{
    return orientation == 0 ? "portrait" : "landscape";
}

void bm_fixture_orientation_size(int orientation, int *w, int *h)
{
    *w = orientation == 0 ? 1080 : 1920;
    *h = orientation == 0 ? 1920 : 1080;
}

const char *bm_fixture_screen_name(int screen)
{
    return screen == 0 ? "attract" : "home";
}

void bm_fixture_draw(struct bm_canvas *c, int screen, enum bm_lang lang)
{
    bm_ui_frame_begin(c->ui);
    if (screen == 0) {
        struct bm_attract_vm vm;
        bm_fixture_attract(&vm, lang);
        bm_attract_draw(c->ui, &vm);
    } else {
        struct bm_home_vm vm;
        bm_fixture_home(&vm, lang);
        bm_home_draw(c->ui, &vm);
    }
    bm_ui_frame_end(c->ui);
}

size_t bm_fixture_elements(struct bm_canvas *c, int screen, enum bm_lang lang,
                           struct bm_screen_element *out, size_t cap)
{
    if (screen == 0) {
        struct bm_attract_vm vm;
        bm_fixture_attract(&vm, lang);
        return bm_attract_elements(c->ui, &vm, out, cap);
    }
    struct bm_home_vm vm;
    bm_fixture_home(&vm, lang);
    return bm_home_elements(c->ui, &vm, out, cap);
}

void bm_fixture_draw_look(struct bm_canvas *c, int screen, const struct bm_fixture_look *look)
{
    bm_ui_frame_begin(c->ui);
    if (screen == 0) {
        struct bm_attract_vm vm;
        bm_fixture_attract(&vm, look->lang);
        vm.elderly = look->elderly;
        bm_attract_draw(c->ui, &vm);
    } else {
        struct bm_home_vm vm;
        bm_fixture_home(&vm, look->lang);
        vm.elderly_on = look->elderly;
        vm.voice_on = look->elderly; /* elderly mode switches voice on (flow_voice.c) */
        bm_home_draw(c->ui, &vm);
    }
    bm_ui_frame_end(c->ui);
}

size_t bm_fixture_elements_look(struct bm_canvas *c, int screen, const struct bm_fixture_look *look,
                                struct bm_screen_element *out, size_t cap)
{
    if (screen == 0) {
        struct bm_attract_vm vm;
        bm_fixture_attract(&vm, look->lang);
        vm.elderly = look->elderly;
        return bm_attract_elements(c->ui, &vm, out, cap);
    }
    struct bm_home_vm vm;
    bm_fixture_home(&vm, look->lang);
    vm.elderly_on = look->elderly;
    vm.voice_on = look->elderly;
    return bm_home_elements(c->ui, &vm, out, cap);
}

struct bm_intent bm_fixture_hit_look(struct bm_canvas *c, int screen,
                                     const struct bm_fixture_look *look, int x, int y,
                                     const char **name)
{
    if (screen == 0) {
        struct bm_attract_vm vm;
        bm_fixture_attract(&vm, look->lang);
        vm.elderly = look->elderly;
        return bm_attract_hit(c->ui, &vm, x, y, name);
    }
    struct bm_home_vm vm;
    bm_fixture_home(&vm, look->lang);
    vm.elderly_on = look->elderly;
    vm.voice_on = look->elderly;
    return bm_home_hit(c->ui, &vm, x, y, name);
}

long bm_canvas_differing(const struct bm_canvas *ca, const struct bm_canvas *cb, SDL_Rect *box)
{
    const SDL_Surface *a = ca->surface, *b = cb->surface;
    long n = 0;
    int x0 = a->w, y0 = a->h, x1 = -1, y1 = -1;
    for (int y = 0; y < a->h; y++) {
        const Uint32 *ra = (const Uint32 *)((const Uint8 *)a->pixels + (size_t)y * a->pitch);
        const Uint32 *rb = (const Uint32 *)((const Uint8 *)b->pixels + (size_t)y * b->pitch);
        if (memcmp(ra, rb, (size_t)a->w * 4) == 0)
            continue;
        for (int x = 0; x < a->w; x++) {
            if (ra[x] == rb[x])
                continue;
            n++;
            x0 = x < x0 ? x : x0;
            x1 = x > x1 ? x : x1;
            y0 = y < y0 ? y : y0;
            y1 = y > y1 ? y : y1;
        }
    }
    if (box)
        *box = bm_rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    return n;
}
