/*
 * sim_cards.c - the built-in fictional test ID cards of the sim reader.
 *
 * Each card is a template whose dates are relative to "now" (the device's clock), so the adult
 * stays 34, the elderly resident stays 72 (a 65+ benefit stays applicable), the expired card's
 * validity ended 30 days ago and the valid ones stay valid, whatever the date the tests or the
 * demo run on. The ID numbers are composed from the region (the invented 示例省 uses the
 * unassigned province code 99), the computed birth date and a sequence, and get a correct
 * GB 11643 check character; HK/Macau/Taiwan permits start 810000, the 2023 foreign permanent
 * residence card starts with 9 as those cards do. Names and addresses are invented.
 *
 * The result lives in secure buffers like a real read. Pure: any thread.
 */
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct card_template {
    const char *label;
    enum bm_id_card_type type;
    const char *name, *name_en, *gender, *nation, *address, *issuer;
    const char *prefix; /* the digits before the birth date */
    const char *seq;    /* the three digits after it (odd last digit: male) */
    int age;            /* on the birthday, 1 January */
    int valid_years;    /* 0: 长期 */
    bool expired;       /* validity ended 30 days ago */
};

static const struct card_template cards[BM_SIM_CARD_COUNT] = {
    [BM_SIM_CARD_ADULT] = {"adult", BM_ID_CARD_RESIDENT, "李明华", NULL, "男", "汉",
                           "示例省幸福市和平区光明路18号3单元502室", "幸福市公安局和平分局",
                           "990102", "031", 34, 20, false},
    [BM_SIM_CARD_ELDERLY] = {"elderly", BM_ID_CARD_RESIDENT, "王秀兰", NULL, "女", "满",
                             "示例省幸福市清河县柳树村二组7号", "清河县公安局", "990521", "046",
                             72, 0, false},
    [BM_SIM_CARD_EXPIRED] = {"expired", BM_ID_CARD_RESIDENT, "赵建国", NULL, "男", "回",
                             "示例省幸福市东山区新华街100号", "幸福市公安局东山分局", "990103",
                             "057", 41, 10, true},
    [BM_SIM_CARD_FOREIGN] = {"foreign", BM_ID_CARD_FOREIGN_PERMANENT_Y, "马丁", "MARTIN, JOHN TEST",
                             "男", "CAN", NULL, "国家移民管理局", "999124", "013", 45, 10, false},
    [BM_SIM_CARD_HMT] = {"hmt", BM_ID_CARD_HMT_RESIDENCE, "陈嘉欣", NULL, "女", NULL,
                         "示例省幸福市和平区滨江路6号", "幸福市公安局和平分局", "810000", "024",
                         28, 5, false},
};

const char *bm_sim_card_name(enum bm_sim_card card)
{
    return (unsigned)card < BM_SIM_CARD_COUNT ? cards[card].label : "unknown";
}

static bool put(struct bm_secbuf **dst, const char *text)
{
    if (!text)
        return true;
    *dst = bm_secbuf_strdup(text);
    return *dst != NULL;
}

static void format_date(char out[16], int y, int m, int d)
{
    /* Clamped so the compiler can see YYYYMMDD always fits. */
    snprintf(out, 16, "%04u%02u%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

/* A fixed 1024-byte block standing in for the encrypted WLT photo. */
static struct bm_secbuf *fake_wlt(enum bm_sim_card card)
{
    struct bm_secbuf *b = bm_secbuf_new(BM_ID_PHOTO_WLT_SIZE);
    if (!b)
        return NULL;
    unsigned char *p = bm_secbuf_data(b);
    unsigned x = 0x57u + (unsigned)card; /* 'W' */
    for (size_t i = 0; i < BM_ID_PHOTO_WLT_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 16);
    }
    memcpy(p, "WLT", 3);
    bm_secbuf_set_len(b, BM_ID_PHOTO_WLT_SIZE);
    return b;
}

struct bm_identity *sim_card_identity(enum bm_sim_card card, time_t now)
{
    if ((unsigned)card >= BM_SIM_CARD_COUNT)
        return NULL;
    const struct card_template *t = &cards[card];
    struct tm tm;
    localtime_r(&now, &tm);
    int year = tm.tm_year + 1900;

    char birth[16], from[16], until[16], number[19];
    format_date(birth, year - t->age, 1, 1);
    if (t->expired) {
        time_t end = now - 30 * 24 * 3600;
        struct tm e;
        localtime_r(&end, &e);
        format_date(until, e.tm_year + 1900, e.tm_mon + 1, e.tm_mday);
        format_date(from, e.tm_year + 1900 - t->valid_years, e.tm_mon + 1, e.tm_mday);
    } else {
        format_date(from, year - 2, tm.tm_mon + 1, 1);
        if (t->valid_years)
            format_date(until, year - 2 + t->valid_years, tm.tm_mon + 1, 1);
        else
            snprintf(until, sizeof until, "%s", "长期");
    }
    /* Every prefix is 6 digits (the foreign card's: 9, province 99, nationality 124). */
    char first17[18];
    snprintf(first17, sizeof first17, "%.6s%.8s%.3s", t->prefix, birth, t->seq);
    snprintf(number, sizeof number, "%s%c", first17, bm_id_check_digit(first17));

    struct bm_identity *id = calloc(1, sizeof *id);
    if (!id)
        return NULL;
    id->type = t->type;
    bool ok = put(&id->name, t->name) && put(&id->name_en, t->name_en) &&
              put(&id->gender, t->gender) && put(&id->nation, t->nation) &&
              put(&id->birth_date, birth) && put(&id->address, t->address) &&
              put(&id->id_number, number) && put(&id->issuer, t->issuer) &&
              put(&id->valid_from, from) && put(&id->valid_until, until) &&
              (id->photo_wlt = fake_wlt(card)) != NULL;
    explicit_bzero(number, sizeof number);
    explicit_bzero(first17, sizeof first17);
    if (!ok) {
        bm_identity_free(id);
        return NULL;
    }
    return id;
}
