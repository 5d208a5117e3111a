/*
 * paths.c - tree or installed locations. See paths.h.
 *
 * The decision is made once, by comparing the real path of /proc/self/exe with the build
 * directory compiled in. pthread_once makes the first call from any thread safe.
 */
#include "paths.h"

#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in_tree;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void decide(void)
{
    char exe[PATH_MAX], build[PATH_MAX];
    if (!realpath("/proc/self/exe", exe) || !realpath(BM_BUILD_DIR, build))
        return;
    size_t n = strlen(build);
    in_tree = strncmp(exe, build, n) == 0 && exe[n] == '/';
}

bool bm_paths_in_tree(void)
{
    pthread_once(&once, decide);
    return in_tree;
}

const char *bm_paths_assets(void)
{
    return bm_paths_in_tree() ? BM_SOURCE_DIR "/ui-assets" : BM_INSTALL_DATADIR "/ui-assets";
}

const char *bm_paths_from_config(const struct bm_config *cfg, const char *section,
                                 const char *key, const char *fallback, char *buf, size_t size)
{
    if (!bm_config_path_value(cfg, section, key, buf, size))
        return NULL;
    if (buf[0])
        return buf;
    int n = snprintf(buf, size, "%s", fallback);
    return n >= 0 && (size_t)n < size ? buf : NULL;
}

const char *bm_paths_bundled_catalog(void)
{
    return bm_paths_in_tree() ? BM_SOURCE_DIR "/config/catalog.json"
                              : BM_INSTALL_DATADIR "/catalog.json";
}

const char *bm_paths_localedir(void)
{
    return bm_paths_in_tree() ? BM_LOCALEDIR_BUILD : BM_INSTALL_LOCALEDIR;
}

const char *bm_paths_default_config(void)
{
    return bm_paths_in_tree() ? BM_SOURCE_DIR "/config/kiosk.conf"
                              : BM_INSTALL_SYSCONFDIR "/kiosk.conf";
}
