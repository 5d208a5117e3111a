/*
 * remote_settings.h - this kiosk's settings from the centre (`bianmin-settings`,
 * docs/central-api.md, "The documents"): format, format_version 1, revision, published, and
 * settings, section -> key -> value, each value a string in the config file's syntax.
 *
 * Only the keys of the API's allow-list may be set from afar; each value is checked as
 * `bianmin --set SECTION.KEY=VALUE` checks it (bm_config_set). Anything else refuses the whole
 * document. The settings lie over the config file: bm_settings_str and bm_settings_int give
 * the value in force. Who applies them, and when (between sessions), is the flow's business.
 *
 * A parsed document is immutable: any thread may read it. Fuzzed (fuzz_settings).
 */
#ifndef BM_SERVICES_REMOTE_SETTINGS_H
#define BM_SERVICES_REMOTE_SETTINGS_H

#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

/* The largest settings document the centre may send. */
#define BM_SETTINGS_MAX_BYTES ((size_t)64 * 1024)

struct bm_remote_settings;

/*
 * Parses and checks a settings document. On a refusal returns BM_ERR_PARSE and writes the
 * first problem into why (JSON path and what was expected); BM_ERR_NO_MEMORY when memory runs
 * out. Any thread.
 */
enum bm_err bm_remote_settings_parse(const char *json, size_t len, char *why, size_t why_size,
                                     struct bm_remote_settings **out);
void bm_remote_settings_free(struct bm_remote_settings *rs);

const char *bm_remote_settings_revision(const struct bm_remote_settings *rs);
int bm_remote_settings_published(const struct bm_remote_settings *rs); /* yyyymmdd */
/* How many keys it sets. */
size_t bm_remote_settings_count(const struct bm_remote_settings *rs);
/* Whether it sets [section] key. rs may be NULL (none held). */
bool bm_remote_settings_has(const struct bm_remote_settings *rs, const char *section,
                            const char *key);
/* Whether the API allows [section] key to be set from afar. */
bool bm_remote_settings_allowed(const char *section, const char *key);

/*
 * The value in force: the centre's when rs (may be NULL) sets it, else the config file's.
 * The key must be in the config schema (as for bm_config_str / bm_config_int). Strings live as
 * long as rs or cfg.
 */
const char *bm_settings_str(const struct bm_remote_settings *rs, const struct bm_config *cfg,
                            const char *section, const char *key);
long bm_settings_int(const struct bm_remote_settings *rs, const struct bm_config *cfg,
                     const char *section, const char *key);

#endif
