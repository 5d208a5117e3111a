/*
 * catalog.h - the service catalog: categories, services, their guides and steps, notices.
 *
 * The format is docs/catalog.md. A catalog is parsed and validated as a whole (jansson, in
 * catalog_parse.c) into plain structs in memory that is then made read-only: once loaded it
 * never changes, so any thread may read it without locks. It is reference-counted; the
 * catalog store (catalog_store.h) swaps a new one in on the main thread and drops the old one
 * when its last reader lets go.
 *
 * Texts come in Chinese and English; bm_text_get falls back to Chinese where English is
 * missing. Lists keep the catalog's order. Parsing may run on any thread; queries on any
 * thread that holds a reference.
 */
#ifndef BM_SERVICES_CATALOG_H
#define BM_SERVICES_CATALOG_H

#include "core/err.h"
#include "core/i18n.h"
#include "drivers/device.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * A text in both languages. zh is set for every text the format requires; both are NULL for
 * an optional text the catalog left out (a hint, notes); en is NULL where only Chinese exists.
 */
struct bm_text {
    const char *zh;
    const char *en;
};

/* The text in lang, falling back to Chinese. "" for a text the catalog left out. */
const char *bm_text_get(const struct bm_text *t, enum bm_lang lang);

/* Badge colours; the flow maps them onto the UI theme's hues. */
enum bm_catalog_hue {
    BM_CATALOG_HUE_BLUE,
    BM_CATALOG_HUE_GREEN,
    BM_CATALOG_HUE_ORANGE,
    BM_CATALOG_HUE_PURPLE,
    BM_CATALOG_HUE_TEAL,
    BM_CATALOG_HUE_RED,
};

enum bm_identification {
    BM_IDENTIFY_NONE,              /* anyone: no identity needed */
    BM_IDENTIFY_ID_CARD,           /* the ID card must be read */
    BM_IDENTIFY_ID_CARD_OR_NUMBER, /* a typed ID number is allowed when the card cannot be read */
};

/* In the order a service runs them; each at most once. */
enum bm_step_kind {
    BM_STEP_IDENTIFY,
    BM_STEP_FORM,
    BM_STEP_MATERIALS,
    BM_STEP_REVIEW,
    BM_STEP_SUBMIT,
    BM_STEP_PRINT,
    BM_STEP_RATE,
    BM_STEP_KIND_COUNT
};
const char *bm_step_kind_name(enum bm_step_kind kind);

enum bm_field_type {
    BM_FIELD_TEXT,      /* pinyin keyboard */
    BM_FIELD_DIGITS,    /* digit pad */
    BM_FIELD_PHONE,     /* digit pad; an 11-digit mobile number */
    BM_FIELD_ID_NUMBER, /* digits and X, with the check digit */
    BM_FIELD_DATE,
    BM_FIELD_CHOICE,
};

/* Where a form field's value comes from. */
enum bm_prefill {
    BM_PREFILL_NONE,
    BM_PREFILL_ID_NAME,
    BM_PREFILL_ID_NUMBER,
    BM_PREFILL_ID_GENDER,
    BM_PREFILL_ID_BIRTH_DATE,
    BM_PREFILL_ID_ADDRESS,
    BM_PREFILL_ID_NATION,
};

enum bm_document_kind {
    BM_DOCUMENT_RECEIPT,     /* thermal receipt with the tracking QR code */
    BM_DOCUMENT_A4,          /* an A4 document */
    BM_DOCUMENT_CERTIFICATE, /* an A4 certificate with a watermark */
};

struct bm_catalog_option {
    const char *id;
    struct bm_text label;
};

struct bm_catalog_field {
    const char *id;
    enum bm_field_type type;
    struct bm_text label;
    struct bm_text hint;
    bool required;
    bool personal;      /* never logged, encrypted in the outbox, wiped at session end */
    int min_length;     /* characters; 0 when not set */
    int max_length;     /* characters; 0 when not set */
    const char *pattern; /* POSIX ERE the whole answer must match, or NULL */
    const struct bm_catalog_option *options; /* BM_FIELD_CHOICE */
    size_t option_count;
    enum bm_prefill prefill;
};

struct bm_catalog_material {
    const char *id;
    struct bm_text name;
    struct bm_text hint;
    int pages;
    bool required;
    const char *example; /* relative to the assets directory, or NULL */
};

struct bm_catalog_document {
    enum bm_document_kind kind;
    struct bm_text title;
    struct bm_text watermark; /* certificates */
    struct bm_text issuer;
};

struct bm_catalog_step {
    enum bm_step_kind kind;
    bm_device_mask devices; /* what the step needs, its own classes included */
    const struct bm_catalog_field *fields; /* BM_STEP_FORM */
    size_t field_count;
    const struct bm_catalog_material *materials; /* BM_STEP_MATERIALS */
    size_t material_count;
    const struct bm_catalog_document *document; /* BM_STEP_PRINT, else NULL */
};

struct bm_catalog_faq {
    struct bm_text q, a;
};

/* The 办事指南. */
struct bm_catalog_guide {
    struct bm_text about;
    const struct bm_text *conditions;
    size_t condition_count;
    const struct bm_text *process;
    size_t process_count;
    const struct bm_catalog_faq *faq;
    size_t faq_count;
    struct bm_text notes;
};

struct bm_catalog_category {
    const char *id;
    struct bm_text title;
    struct bm_text subtitle;
    const char *glyph; /* one character */
    enum bm_catalog_hue hue;
};

struct bm_catalog_service {
    const char *id;
    const struct bm_catalog_category *category;
    struct bm_text title;
    struct bm_text short_title; /* the title where the catalog gives none */
    const char *glyph;
    enum bm_catalog_hue hue;
    int quick_rank; /* 1.. for a quick entry, 0 otherwise */
    struct bm_text who_can_apply, fee, time_limit, department;
    struct bm_catalog_guide guide;
    enum bm_identification identification;
    const struct bm_catalog_step *steps; /* none: a guide only */
    size_t step_count;
    bm_device_mask devices; /* every class a step needs */
};

struct bm_catalog_notice {
    const char *id;
    struct bm_text title;
    struct bm_text body;
    int valid_from, valid_until; /* yyyymmdd, inclusive */
};

struct bm_catalog;

/* ---- loading --------------------------------------------------------------------------- */

/* The problems and warnings found while loading, one line each, ready for a technician. */
struct bm_catalog_report;

struct bm_catalog_report *bm_catalog_report_create(void);
void bm_catalog_report_destroy(struct bm_catalog_report *r);
size_t bm_catalog_report_errors(const struct bm_catalog_report *r);
size_t bm_catalog_report_warnings(const struct bm_catalog_report *r);
/* Line i (errors and warnings in the order found; warnings start with "warning: "). */
size_t bm_catalog_report_count(const struct bm_catalog_report *r);
const char *bm_catalog_report_line(const struct bm_catalog_report *r, size_t i);

struct bm_catalog_load_options {
    /* Where material example pictures are looked for (checked to exist); NULL: not checked. */
    const char *assets_dir;
};

/* The hard caps of docs/catalog.md. */
#define BM_CATALOG_MAX_BYTES (4u << 20)

/*
 * Parses and validates a catalog from memory. name prefixes every report line (a file name).
 * On success *out holds one reference; warnings may still be in report. On any error nothing
 * is returned (BM_ERR_PARSE for a catalog that is malformed, too big or breaks a rule,
 * BM_ERR_NO_MEMORY when memory runs out) and report says why. report may be NULL. Any thread.
 */
enum bm_err bm_catalog_parse(const char *json, size_t len, const char *name,
                             const struct bm_catalog_load_options *opts,
                             struct bm_catalog_report *report, struct bm_catalog **out);

/* As bm_catalog_parse, reading the file at path (BM_ERR_NOT_FOUND / BM_ERR_IO if it cannot). */
enum bm_err bm_catalog_load_file(const char *path, const struct bm_catalog_load_options *opts,
                                 struct bm_catalog_report *report, struct bm_catalog **out);

/*
 * jansson's allocator is process-wide: catalog_parse.c installs a budget-counting one before
 * main. Anything else using jansson in the same program must free json_dumps strings through
 * json_get_alloc_funcs, never with free().
 */

/* Another reference. Any thread. */
struct bm_catalog *bm_catalog_ref(struct bm_catalog *cat);
/* Drops a reference; the last one frees the catalog. NULL is ignored. Any thread. */
void bm_catalog_unref(struct bm_catalog *cat);

/* ---- reading --------------------------------------------------------------------------- */

const char *bm_catalog_revision(const struct bm_catalog *cat);
const struct bm_text *bm_catalog_issuer(const struct bm_catalog *cat);
/* yyyymmdd */
int bm_catalog_published(const struct bm_catalog *cat);

size_t bm_catalog_category_count(const struct bm_catalog *cat);
const struct bm_catalog_category *bm_catalog_category_at(const struct bm_catalog *cat, size_t i);
const struct bm_catalog_category *bm_catalog_category_find(const struct bm_catalog *cat,
                                                           const char *id);

size_t bm_catalog_service_count(const struct bm_catalog *cat);
const struct bm_catalog_service *bm_catalog_service_at(const struct bm_catalog *cat, size_t i);
const struct bm_catalog_service *bm_catalog_service_find(const struct bm_catalog *cat,
                                                         const char *id);

/* A service as a listing shows it: with the device classes it needs that are not usable now. */
struct bm_catalog_entry {
    const struct bm_catalog_service *service;
    bm_device_mask missing; /* 0: available */
};

/*
 * The services of category (catalog order), or the quick entries (rank order), each marked
 * against usable (the device classes that work now). Fill up to cap entries; return how many
 * there are in all.
 */
size_t bm_catalog_services_of(const struct bm_catalog *cat,
                              const struct bm_catalog_category *category, bm_device_mask usable,
                              struct bm_catalog_entry *out, size_t cap);
size_t bm_catalog_quick_entries(const struct bm_catalog *cat, bm_device_mask usable,
                                struct bm_catalog_entry *out, size_t cap);

/* The notices valid on date (yyyymmdd), in catalog order; fills up to cap, returns the total. */
size_t bm_catalog_notices_on(const struct bm_catalog *cat, int date,
                             const struct bm_catalog_notice **out, size_t cap);

/* The step of kind in service, or NULL. */
const struct bm_catalog_step *bm_catalog_step_find(const struct bm_catalog_service *svc,
                                                   enum bm_step_kind kind);

#endif
