/*
 * paths.h - where the program finds its files.
 *
 * Run from its build directory, bianmin uses the source tree (config/, ui-assets/) and the
 * build's compiled translations, so a developer never has to install. Anywhere else it uses
 * the installed locations (/etc/bianmin, <prefix>/share/bianmin, <prefix>/share/locale).
 * Any thread; results are computed once and never change.
 */
#ifndef BM_CORE_PATHS_H
#define BM_CORE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

struct bm_config;

/* Whether the running executable lives inside the build directory it was built in. */
bool bm_paths_in_tree(void);

/* The ui-assets directory (icons, images, sounds, themes). */
const char *bm_paths_assets(void);

/*
 * A path the config names (relative to the config file's directory), or fallback where the
 * value is empty. Writes into buf; returns buf, or NULL if it does not fit.
 */
const char *bm_paths_from_config(const struct bm_config *cfg, const char *section,
                                 const char *key, const char *fallback, char *buf, size_t size);

/* The catalog shipped with the program (config/catalog.json in the tree). */
const char *bm_paths_bundled_catalog(void);

/* The directory holding <lang>/LC_MESSAGES/bianmin.mo. */
const char *bm_paths_localedir(void);

/* The config file used when --config is not given. */
const char *bm_paths_default_config(void);

#endif
