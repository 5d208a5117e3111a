/*
 * json_text.h - a JSON document as text in plain malloc memory, for the writers of JSON bodies
 * (heartbeat.c, usage.c). jansson's allocator is process-wide and the catalog parser's
 * (catalog.h), so json_dumps' strings must not reach free(): this hands back a copy that may.
 */
#ifndef BM_SERVICES_JSON_TEXT_H
#define BM_SERVICES_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* Compact text of root (malloc'd: free() it; *len bytes if len), or NULL when root is NULL or
 * memory runs out. Takes root's reference in every case. */
char *bm_json_text(json_t *root, size_t *len);

#endif
