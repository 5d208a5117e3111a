/*
 * config.h - the kiosk's INI configuration.
 *
 * The schema (every section, key, type, default and allowed range) is one table in
 * config_schema.c; docs/config.md documents the same table. Loading is strict: an unknown
 * section or key, a malformed line or a value outside what is allowed fails with one message
 * naming the file, line, key and what is allowed, and the kiosk does not start. Once loaded the
 * config is immutable, so any thread may read it.
 */
#ifndef BM_CORE_CONFIG_H
#define BM_CORE_CONFIG_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum bm_config_type {
    BM_CONFIG_STRING, /* UTF-8 text, [min, max] characters, of `chars` */
    BM_CONFIG_INT,  /* decimal, within [min, max] */
    BM_CONFIG_BOOL, /* true/false, yes/no, on/off, 1/0 */
    BM_CONFIG_ENUM, /* one of a '|'-separated list, e.g. "error|warn|info" */
};

/* Which characters a BM_CONFIG_STRING may hold (control characters never). */
enum bm_config_chars {
    BM_CONFIG_CHARS_TEXT = 0, /* any printable UTF-8 */
    BM_CONFIG_CHARS_IDENT,    /* ASCII letters, digits, '-' and '_' */
    BM_CONFIG_CHARS_PHONE,    /* digits and '-' */
    BM_CONFIG_CHARS_PATH,     /* any printable UTF-8; a path, relative to the config file */
};

struct bm_config_key {
    const char *section;
    const char *key;
    enum bm_config_type type;
    const char *default_value; /* as it would be written in the file */
    long min, max;             /* INT: the value; STRING: its length in characters */
    const char *choices;       /* BM_CONFIG_ENUM only */
    const char *doc;           /* one line for --help-config and docs/config.md */
    enum bm_config_chars chars; /* BM_CONFIG_STRING only */
};

/* The schema, terminated by an entry whose section is NULL. */
extern const struct bm_config_key bm_config_schema[];

struct bm_config;

/* The tree's config when run from a build dir; the installed one otherwise. */
const char *bm_config_default_path(void);

/*
 * Loads and validates path. On failure returns BM_ERR_CONFIG (or BM_ERR_NOT_FOUND / BM_ERR_IO)
 * with bm_err_detail() holding "FILE:LINE: [section] key: problem; allowed: ...".
 */
enum bm_err bm_config_load(const char *path, struct bm_config **out);

/*
 * The same from memory: `name` stands for the file in messages and its directory anchors
 * relative paths. The fuzz target and tests use it.
 */
enum bm_err bm_config_load_mem(const char *name, const char *data, size_t len,
                               struct bm_config **out);

/* Longest accepted line, in bytes (a longer one is an error naming its line). */
#define BM_CONFIG_LINE_MAX 1024
/* Largest accepted file. */
#define BM_CONFIG_FILE_MAX (256 * 1024)

/* Writes every section and key with type, default, what is allowed and what it is for
 * (bianmin --help-config). */
void bm_config_print_schema(FILE *out);

/* A config holding only the schema defaults (tests, and the CLI's --help-config). */
struct bm_config *bm_config_defaults(void);

/*
 * Overrides one value after load (tests and --set section.key=value). Validated like a file
 * line; on failure returns BM_ERR_CONFIG with the detail.
 */
enum bm_err bm_config_set(struct bm_config *cfg, const char *section, const char *key,
                          const char *value);

void bm_config_free(struct bm_config *cfg);

/* Where it was loaded from ("(defaults)" if nowhere). */
const char *bm_config_path(const struct bm_config *cfg);

/*
 * Typed getters. Asking for a key that is not in the schema, or with the wrong type, is a
 * programming error: it aborts in debug builds and returns the type's zero value otherwise.
 * Strings stay valid until bm_config_free. bm_config_str also reads an enum key, as the
 * name of its choice.
 */
const char *bm_config_str(const struct bm_config *cfg, const char *section, const char *key);
long bm_config_int(const struct bm_config *cfg, const char *section, const char *key);
bool bm_config_bool(const struct bm_config *cfg, const char *section, const char *key);
/* BM_CONFIG_ENUM: the index of the value within the schema's choices list. */
int bm_config_enum(const struct bm_config *cfg, const char *section, const char *key);

/*
 * Resolves a path value relative to the directory of the config file (absolute paths stay).
 * Writes into buf; returns buf, or NULL if it does not fit.
 */
const char *bm_config_path_value(const struct bm_config *cfg, const char *section,
                                 const char *key, char *buf, size_t bufsz);

#endif
