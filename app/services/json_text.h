/*
 * json_text.h - a JSON document as text in plain malloc memory, for the writers of JSON bodies
 * (heartbeat.c, usage.c). jansson's allocator is process-wide and the catalog parser's
 * (catalog.h), so json_dumps' strings must not reach free(): this hands back a copy that may.
 */
#ifndef BM_SERVICES_JSON_TEXT_H
#define BM_SERVICES_JSON_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Compact text of root (malloc'd: free() it; *len bytes if len), or NULL when root is NULL or
 * memory runs out. Takes root's reference in every case. */
char *bm_json_text(json_t *root, size_t *len);

/* An RFC 3339 time as the API writes it ("2026-11-30T08:15:01+08:00", "...Z", fractions
 * allowed) in seconds since the epoch; false (and *out untouched) if s is NULL or not one. */
bool bm_rfc3339_parse(const char *s, time_t *out);

#endif
