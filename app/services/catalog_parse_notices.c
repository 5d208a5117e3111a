/*
 * catalog_parse_notices.c - a notice as docs/catalog.md has it, and the centre's notices
 * document (docs/central-api.md, "The documents"), which holds nothing but such notices.
 *
 * The notices document is parsed into a catalog object with no categories and no services, so
 * the notices come out through the same reading functions (bm_catalog_notices_on) and under
 * the same rules, bounds and jansson budget as the catalog's own notices.
 *
 * Any thread; parses on different threads do not share state.
 */
#include "catalog_parse.h"

#include "notices.h"

#include <stddef.h>

static void parse_notice(struct cp_ctx *c, json_t *v, struct bm_catalog_notice *no)
{
    static const char *const keys[] = {"id", "title", "body", "valid_from", "valid_until", NULL};
    cp_check_keys(c, v, keys);
    no->id = cp_id_at(c, v, "id");
    cp_text_at(c, v, "title", CP_REQUIRED, &no->title);
    cp_text_at(c, v, "body", CP_REQUIRED | CP_MULTILINE, &no->body);
    no->valid_from = cp_date_at(c, v, "valid_from");
    no->valid_until = cp_date_at(c, v, "valid_until");
    if (no->valid_from && no->valid_until && no->valid_until < no->valid_from) {
        size_t s = cp_push_key(c, "valid_until");
        cp_fail(c, "%d is before valid_from %d; expected a date on or after it", no->valid_until,
                no->valid_from);
        cp_pop(c, s);
    }
}

void cp_each_notice(struct cp_ctx *c, json_t *v, void *item, void *ud)
{
    (void)ud;
    parse_notice(c, v, item);
}

static void parse_notices_root(struct cp_ctx *c, json_t *root, struct bm_catalog_data *d)
{
    static const char *const keys[] = {"format",    "format_version", "revision",
                                       "published", "notices",        NULL};
    if (!cp_object_or_fail(c, root))
        return;
    cp_check_keys(c, root, keys);
    if (!cp_header(c, root, "bianmin-notices", d))
        return;
    d->notices = cp_parse_list(c, root, "notices", true, 0, MAX_NOTICES,
                               sizeof(struct bm_catalog_notice), cp_each_notice, NULL,
                               &d->notice_count, offsetof(struct bm_catalog_notice, id));
}

enum bm_err bm_notices_parse(const char *json, size_t len, const char *name,
                             struct bm_catalog_report *report, struct bm_catalog **out)
{
    return cp_parse_document(json, len, BM_NOTICES_MAX_BYTES, name ? name : "notices", NULL, report,
                             parse_notices_root, out);
}
