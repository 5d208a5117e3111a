/*
 * i18n.h - translations through gettext.
 *
 * The catalogues are ui-assets/po/<lang>.po, compiled by the build into
 * <localedir>/<lang>/LC_MESSAGES/bianmin.mo. Chinese (zh_CN) is the default; the session may
 * switch to English and back. Only the main thread switches language; _() may be called from
 * any thread but returns the text of the language current at that moment.
 */
#ifndef BM_CORE_I18N_H
#define BM_CORE_I18N_H

#include "err.h"

#include <libintl.h>

#define BM_TEXT_DOMAIN "bianmin"

/* The languages a resident can pick; texts from config and the catalog come in both. */
enum bm_lang { BM_LANG_ZH_CN, BM_LANG_EN };

/* Source strings are English; zh_CN.po translates them. */
#define _(s)  dgettext(BM_TEXT_DOMAIN, s)
#define N_(s) s

/*
 * Binds the text domain to localedir (the build's or the installed one) and selects lang
 * ("zh_CN" or "en"). Fails with BM_ERR_NOT_FOUND if the catalogue for lang is missing.
 */
enum bm_err bm_i18n_init(const char *localedir, const char *lang);

/* Switches the language for what is translated from now on. */
enum bm_err bm_i18n_set_language(const char *lang);

/* The current language code ("zh_CN" or "en"). */
const char *bm_i18n_language(void);

/* Whether lang is one we ship. */
int bm_i18n_supported(const char *lang);

#endif
