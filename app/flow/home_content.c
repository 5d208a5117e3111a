/*
 * home_content.c - the stand-in for the service catalog on the home screen. See the header.
 *
 * Both languages live side by side so switching language needs no reload. Ids are the stable
 * names scripted journeys tap ("home.quick.social_security").
 */
#include "home_content.h"

struct text2 {
    const char *zh, *en;
};

static const char *pick(struct text2 t, enum bm_lang lang)
{
    return lang == BM_LANG_EN ? t.en : t.zh;
}

static const struct {
    const char *id;
    struct text2 title, subtitle;
    const char *glyph;
    enum bm_theme_hue hue;
} categories[] = {
    {"government", {"政务办理", "Government"},
     {"户籍 · 证照 · 不动产 · 企业开办 · 出入境", "Household · Licences · Property · Business"},
     "政", BM_HUE_BLUE},
    {"welfare", {"民生保障", "Welfare"},
     {"社保 · 医保 · 养老 · 就业 · 救助 · 优抚", "Pensions · Medical insurance · Jobs · Aid"},
     "民", BM_HUE_GREEN},
    {"living", {"生活服务", "Daily life"},
     {"水电燃气 · 交通 · 预约挂号 · 打印", "Utilities · Transport · Clinics · Printing"},
     "生", BM_HUE_ORANGE},
};

static const struct {
    const char *id;
    struct text2 label;
    const char *glyph;
    enum bm_theme_hue hue;
} quick[] = {
    {"social_security", {"社保缴费记录", "Pension record"}, "社", BM_HUE_BLUE},
    {"medical_insurance", {"医保参保查询", "Medical insurance"}, "医", BM_HUE_GREEN},
    {"housing_fund", {"公积金查询", "Housing fund"}, "金", BM_HUE_ORANGE},
    {"elderly_allowance", {"高龄津贴申请", "Elderly allowance"}, "老", BM_HUE_PURPLE},
    {"residence_permit", {"居住证办理", "Residence permit"}, "居", BM_HUE_TEAL},
    {"household_certificate", {"户籍证明打印", "Household proof"}, "户", BM_HUE_RED},
    {"minimum_living", {"低保申请", "Basic living aid"}, "保", BM_HUE_GREEN},
    {"disability_subsidy", {"残疾人补贴", "Disability aid"}, "残", BM_HUE_BLUE},
    {"utilities", {"水电燃气缴费", "Utility bills"}, "缴", BM_HUE_ORANGE},
    {"progress", {"办件进度查询", "Track application"}, "进", BM_HUE_TEAL},
    {"employment", {"就业登记", "Job registration"}, "就", BM_HUE_PURPLE},
    {"certificate_print", {"证明材料打印", "Print documents"}, "印", BM_HUE_RED},
};

static const struct text2 notice = {
    "本终端7×24小时服务，遇到问题请按「求助」，工作人员远程视频协助。",
    "Open day and night. Need help? Press Help and a staff member will join you by video.",
};

void bm_home_content_fill(struct bm_home_vm *vm, enum bm_lang lang)
{
    static struct bm_home_category cat_out[sizeof categories / sizeof categories[0]];
    static struct bm_home_quick quick_out[sizeof quick / sizeof quick[0]];
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        cat_out[i] = (struct bm_home_category){categories[i].id, pick(categories[i].title, lang),
                                               pick(categories[i].subtitle, lang),
                                               categories[i].glyph, categories[i].hue};
    for (size_t i = 0; i < sizeof quick / sizeof quick[0]; i++)
        quick_out[i] = (struct bm_home_quick){quick[i].id, pick(quick[i].label, lang),
                                              quick[i].glyph, quick[i].hue};
    vm->categories = cat_out;
    vm->category_count = sizeof categories / sizeof categories[0];
    vm->quick = quick_out;
    vm->quick_count = sizeof quick / sizeof quick[0];
    vm->notice = pick(notice, lang);
}

const char *bm_home_content_notice(enum bm_lang lang)
{
    return pick(notice, lang);
}
