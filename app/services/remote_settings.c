/*
 * remote_settings.c - the centre's settings document, checked key by key (remote_settings.h).
 *
 * The values are stored in a config of their own (the schema's defaults with each remote
 * value set over them by bm_config_set), so a value is checked exactly as `bianmin --set`
 * checks it and read back with the config's own typed getters. A mask says which keys the
 * document set; the rest come from the kiosk's config file.
 *
 * Any thread: a parsed document is never changed.
 */
#include "remote_settings.h"

#include "catalog_parse.h" /* cp_parse_date: the catalog's date rule */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* docs/central-api.md, "The documents": the only keys the centre may set. */
static const char *const allowed[][2] = {
    {"kiosk", "name"},         {"kiosk", "location"},
    {"kiosk", "language"},     {"kiosk", "hotline"},
    {"session", "timeout_s"},  {"session", "countdown_s"},
    {"log", "level"},          {"sync", "heartbeat_interval_s"},
    {"sync", "usage_batch_s"},
};
#define N_ALLOWED (sizeof allowed / sizeof allowed[0])

struct bm_remote_settings {
    struct bm_config *values; /* defaults, with the document's values set over them */
    bool set[N_ALLOWED];
    size_t count;
    char revision[65];
    int published;
};

static int allowed_index(const char *section, const char *key)
{
    for (size_t i = 0; i < N_ALLOWED; i++)
        if (strcmp(allowed[i][0], section) == 0 && strcmp(allowed[i][1], key) == 0)
            return (int)i;
    return -1;
}

bool bm_remote_settings_allowed(const char *section, const char *key)
{
    return allowed_index(section, key) >= 0;
}

static bool revision_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= 0x20 || s[i] >= 0x7f)
            return false;
    return true;
}

/* Each value of one section; false (why written) at the first problem. */
static bool take_section(struct bm_remote_settings *rs, const char *section, json_t *keys,
                         char *why, size_t why_size)
{
    if (!json_is_object(keys)) {
        snprintf(why, why_size, "$.settings.%.40s: expected an object of key -> value", section);
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(keys, key, v)
    {
        int i = allowed_index(section, key);
        if (i < 0) {
            snprintf(why, why_size,
                     "$.settings.%.40s.%.40s: not a key the centre may set; only the kiosk "
                     "may change it",
                     section, key);
            return false;
        }
        if (!json_is_string(v)) {
            snprintf(why, why_size, "$.settings.%s.%s: expected a string", section, key);
            return false;
        }
        if (bm_config_set(rs->values, section, key, json_string_value(v)) != BM_OK) {
            snprintf(why, why_size, "$.settings.%s.%s: %.150s", section, key, bm_err_detail());
            return false;
        }
        if (!rs->set[i])
            rs->count++;
        rs->set[i] = true;
    }
    return true;
}

static bool take_document(struct bm_remote_settings *rs, json_t *root, char *why, size_t why_size)
{
    if (!json_is_object(root)) {
        snprintf(why, why_size, "$: expected an object");
        return false;
    }
    const char *name;
    json_t *v;
    json_object_foreach(root, name, v)
    {
        static const char *const members[] = {"format", "format_version", "revision", "published",
                                              "settings"};
        bool known = false;
        for (size_t i = 0; i < 5 && !known; i++)
            known = strcmp(members[i], name) == 0;
        if (!known) {
            snprintf(why, why_size, "$.%.60s: unknown member", name);
            return false;
        }
    }
    const char *format = json_string_value(json_object_get(root, "format"));
    json_t *version = json_object_get(root, "format_version");
    const char *revision = json_string_value(json_object_get(root, "revision"));
    const char *published = json_string_value(json_object_get(root, "published"));
    json_t *settings = json_object_get(root, "settings");
    if (!format || strcmp(format, "bianmin-settings") != 0) {
        snprintf(why, why_size, "$.format: expected \"bianmin-settings\"");
    } else if (!json_is_integer(version) || json_integer_value(version) != 1) {
        snprintf(why, why_size, "$.format_version: expected 1");
    } else if (!revision_ok(revision)) {
        snprintf(why, why_size, "$.revision: expected 1-64 printable ASCII characters");
    } else if (!published || !cp_parse_date(published, &rs->published)) {
        snprintf(why, why_size, "$.published: expected a date, YYYY-MM-DD");
    } else if (!json_is_object(settings)) {
        snprintf(why, why_size, "$.settings: expected an object of section -> key -> value");
    } else {
        snprintf(rs->revision, sizeof rs->revision, "%s", revision);
        const char *section;
        json_object_foreach(settings, section, v)
        {
            if (!take_section(rs, section, v, why, why_size))
                return false;
        }
        return true;
    }
    return false;
}

enum bm_err bm_remote_settings_parse(const char *json, size_t len, char *why, size_t why_size,
                                     struct bm_remote_settings **out)
{
    *out = NULL;
    if (len > BM_SETTINGS_MAX_BYTES) {
        snprintf(why, why_size, "%zu bytes; expected at most %zu (64 KiB)", len,
                 BM_SETTINGS_MAX_BYTES);
        return bm_err_set(BM_ERR_PARSE, "settings: too big");
    }
    struct bm_remote_settings *rs = calloc(1, sizeof *rs);
    if (!rs || !(rs->values = bm_config_defaults())) {
        free(rs);
        return bm_err_set(BM_ERR_NO_MEMORY, "settings");
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    bool ok = false;
    if (!root)
        snprintf(why, why_size, "%d:%d: JSON syntax: %.120s", jerr.line, jerr.column, jerr.text);
    else
        ok = take_document(rs, root, why, why_size);
    json_decref(root);
    if (!ok) {
        bm_remote_settings_free(rs);
        return bm_err_set(BM_ERR_PARSE, "settings: %s", why);
    }
    *out = rs;
    return BM_OK;
}

void bm_remote_settings_free(struct bm_remote_settings *rs)
{
    if (!rs)
        return;
    bm_config_free(rs->values);
    free(rs);
}

const char *bm_remote_settings_revision(const struct bm_remote_settings *rs)
{
    return rs->revision;
}

int bm_remote_settings_published(const struct bm_remote_settings *rs)
{
    return rs->published;
}

size_t bm_remote_settings_count(const struct bm_remote_settings *rs)
{
    return rs ? rs->count : 0;
}

bool bm_remote_settings_has(const struct bm_remote_settings *rs, const char *section,
                            const char *key)
{
    int i = rs ? allowed_index(section, key) : -1;
    return i >= 0 && rs->set[i];
}

const char *bm_settings_str(const struct bm_remote_settings *rs, const struct bm_config *cfg,
                            const char *section, const char *key)
{
    return bm_config_str(bm_remote_settings_has(rs, section, key) ? rs->values : cfg, section, key);
}

long bm_settings_int(const struct bm_remote_settings *rs, const struct bm_config *cfg,
                     const char *section, const char *key)
{
    return bm_config_int(bm_remote_settings_has(rs, section, key) ? rs->values : cfg, section, key);
}
