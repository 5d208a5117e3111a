/*
 * i18n.c - gettext set-up and language switching. See i18n.h.
 *
 * gettext picks the catalogue from the LANGUAGE variable, but ignores it while LC_MESSAGES is
 * the plain "C" locale; C.UTF-8 is built into Debian's libc, so the kiosk needs no generated
 * locales. Switching language sets LANGUAGE and bumps glibc's catalogue counter so already
 * looked-up strings are not served from the old language's cache. Main thread switches.
 */
#include "i18n.h"

#include "log.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* glibc's counter of loaded catalogues; changing it invalidates gettext's lookup cache. */
extern int _nl_msg_cat_cntr;

static const char *const supported[] = {"zh_CN", "en"};
static char current[8] = "zh_CN";
static char catalogue_dir[4096];

int bm_i18n_supported(const char *lang)
{
    for (size_t i = 0; lang && i < sizeof supported / sizeof supported[0]; i++)
        if (strcmp(lang, supported[i]) == 0)
            return 1;
    return 0;
}

static enum bm_err check_catalogue(const char *lang)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo", catalogue_dir, lang, BM_TEXT_DOMAIN);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return bm_err_set(BM_ERR_NOT_FOUND, "no translation catalogue %s", path);
    return BM_OK;
}

enum bm_err bm_i18n_set_language(const char *lang)
{
    if (!bm_i18n_supported(lang))
        return bm_err_set(BM_ERR_INVALID_ARG, "language '%s' is not one of zh_CN, en",
                          lang ? lang : "(null)");
    enum bm_err err = check_catalogue(lang);
    if (err != BM_OK)
        return err;
    snprintf(current, sizeof current, "%s", lang);
    setenv("LANGUAGE", lang, 1);
    ++_nl_msg_cat_cntr;
    return BM_OK;
}

enum bm_err bm_i18n_init(const char *localedir, const char *lang)
{
    snprintf(catalogue_dir, sizeof catalogue_dir, "%s", localedir);
    if (!setlocale(LC_ALL, "C.UTF-8"))
        bm_log_warn("i18n", "C.UTF-8 locale unavailable; translations may not load");
    /* Numbers and times are formatted by us, never by the locale. */
    setlocale(LC_NUMERIC, "C");
    if (!bindtextdomain(BM_TEXT_DOMAIN, localedir) ||
        !bind_textdomain_codeset(BM_TEXT_DOMAIN, "UTF-8"))
        return bm_err_set(BM_ERR_NO_MEMORY, "bindtextdomain %s", localedir);
    return bm_i18n_set_language(lang);
}

const char *bm_i18n_language(void)
{
    return current;
}
