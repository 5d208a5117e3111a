/*
 * json_text.c - JSON text the caller frees with free() (json_text.h).
 */
#include "json_text.h"

#include <stdlib.h>
#include <string.h>

char *bm_json_text(json_t *root, size_t *len)
{
    char *dumped = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    char *text = dumped ? strdup(dumped) : NULL;
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    if (dumped)
        jfree(dumped);
    if (text && len)
        *len = strlen(text);
    return text;
}
