/*
 * catalog_store.c - loads the catalog on a worker and swaps it in on the main thread. See
 * the header for the rules.
 *
 * A load is one request to the store's worker: it tries the current copy, then (only while
 * the store has no catalog at all) the bundled one, and hands back the first catalog that
 * validates together with the report of any file it rejected. The request carries its own
 * copies of the paths and a pointer back to the store that destroy clears, so a load still in
 * flight when the store goes away completes harmlessly.
 *
 * Main thread, except load_run on the worker.
 */
#include "catalog_store.h"

#include "catalog_internal.h"
#include "signature.h"

#include "core/log.h"
#include "core/worker.h"

#include <SDL2/SDL.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MOD "catalog"
/* Lines of a rejected file's report written to the log (the count of the rest follows). */
#define LOG_PROBLEM_LINES 20
/* The largest catalog the centre may send (docs/central-api.md, "The kiosk's steps"). */
#define CATALOG_MAX_BYTES ((size_t)4 * 1024 * 1024)

struct load_job;

struct bm_catalog_store {
    SDL_threadID main_thread; /* where load_done may touch the store */
    char *bundled, *current, *assets;
    bool signed_only;
    struct bm_sig_keys keys;
    bm_catalog_changed_fn changed;
    void *ud;
    struct bm_worker *worker;
    struct load_job *pending; /* the load in flight, or NULL */
    bool reload_again;        /* a reload was asked while one ran */

    struct bm_catalog *catalog;
    char source[1024];
    size_t warnings;
    size_t rejections;
    char rejected[1024];
    char problem[512];
};

struct load_job {
    struct bm_catalog_store *store; /* NULL once the store is gone */
    char *bundled, *current, *assets;
    bool fallback; /* try the bundled copy too (the store has no catalog yet) */
    bool signed_only;
    struct bm_sig_keys keys;
    /* Results, written by load_run. */
    struct bm_catalog *catalog;
    const char *source; /* one of the paths above */
    struct bm_catalog_report *warnings;
    const char *rejected; /* the path of a rejected file, or NULL */
    struct bm_catalog_report *rejection;
};

static void job_free(struct load_job *job)
{
    bm_catalog_unref(job->catalog);
    bm_catalog_report_destroy(job->warnings);
    bm_catalog_report_destroy(job->rejection);
    free(job->bundled);
    free(job->current);
    free(job->assets);
    free(job);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void __attribute__((format(printf, 3, 4)))
report_line(struct bm_catalog_report *r, bool warning, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_catalog_report_add(r, warning, fmt, ap);
    va_end(ap);
}

/*
 * Whether the centre's copy may be used as far as its signature goes; if not, why, in report.
 * The bundled copy ships inside the firmware and is trusted as the firmware is.
 */
static bool signature_ok(const struct load_job *job, const char *path,
                         struct bm_catalog_report *report)
{
    if (!job->signed_only) {
        report_line(report, true, "%s: used unsigned ([central] signing_public_key is not set)",
                    path);
        return true;
    }
    enum bm_sig_verdict v = BM_SIG_BAD;
    enum bm_err err = bm_sig_verify_file(&job->keys, path, "catalog", "*", CATALOG_MAX_BYTES, &v);
    if (err != BM_OK) {
        report_line(report, false, "%s: signature not checked: %s", path, bm_err_detail());
        return false;
    }
    if (v != BM_SIG_VALID)
        report_line(report, false,
                    "%s: signature: %s (checked against %s.sig); expected the "
                    "centre's signature with a key in [central] signing_public_key",
                    path, bm_sig_verdict_code(v), path);
    return v == BM_SIG_VALID;
}

/* Worker thread: the first file that validates, and the report of the first one that did not. */
static enum bm_err load_run(struct bm_request *req, void *arg, void **result)
{
    (void)req;
    (void)result;
    struct load_job *job = arg;
    /* At start: a crash between the two renames of sync's swap left a .sig matching
     * current.new. Only then: later, sync's own swap may be between its renames. */
    if (job->fallback && job->signed_only && job->current &&
        bm_sig_roll_forward(&job->keys, job->current, "catalog", "*", CATALOG_MAX_BYTES))
        bm_log_notice(MOD, "%s: finished the swap a crash had cut (its .sig matched %s.new)",
                      job->current, job->current);
    const char *candidates[2] = {job->current && exists(job->current) ? job->current : NULL,
                                 job->fallback ? job->bundled : NULL};
    struct bm_catalog_load_options opts = {.assets_dir = job->assets};
    for (int i = 0; i < 2 && !job->catalog; i++) {
        if (!candidates[i])
            continue;
        struct bm_catalog_report *report = bm_catalog_report_create();
        if (!report)
            return BM_ERR_NO_MEMORY;
        bool trusted = candidates[i] == job->bundled || signature_ok(job, candidates[i], report);
        if (trusted && bm_catalog_load_file(candidates[i], &opts, report, &job->catalog) == BM_OK) {
            job->source = candidates[i];
            job->warnings = report;
        } else if (!job->rejection) {
            job->rejected = candidates[i];
            job->rejection = report;
        } else {
            bm_catalog_report_destroy(report);
        }
    }
    return job->catalog ? BM_OK : BM_ERR_NOT_FOUND;
}

static bool is_warning(const char *line)
{
    return strncmp(line, "warning: ", 9) == 0;
}

/* The first error of a report (warnings come mixed in, in the order found). */
static const char *first_error(const struct bm_catalog_report *r)
{
    for (size_t i = 0; i < bm_catalog_report_count(r); i++)
        if (!is_warning(bm_catalog_report_line(r, i)))
            return bm_catalog_report_line(r, i);
    return "";
}

/* Errors first, then warnings, LOG_PROBLEM_LINES in all. */
static void log_report(enum bm_log_level level, const struct bm_catalog_report *r)
{
    size_t n = bm_catalog_report_count(r), logged = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n && logged < LOG_PROBLEM_LINES; i++)
            if (is_warning(bm_catalog_report_line(r, i)) == (pass == 1)) {
                bm_log(pass == 0 ? level : BM_LOG_WARN, MOD, "%s", bm_catalog_report_line(r, i));
                logged++;
            }
    if (n > logged)
        bm_log(level, MOD, "... %zu more lines (bianmin --check-catalog shows them all)",
               n - logged);
}

static enum bm_err start_load(struct bm_catalog_store *store);

/* Main thread: swap in what the worker found, keep the reasons for what it rejected. */
static void load_done(enum bm_err err, void *result, void *arg)
{
    (void)result;
    struct load_job *job = arg;
    struct bm_catalog_store *store = job->store;
    /* Off the main thread (the loop already stopped) the store is not ours to change. */
    if (!store || SDL_ThreadID() != store->main_thread) {
        job_free(job);
        return;
    }
    store->pending = NULL;

    if (job->rejection) {
        store->rejections++;
        snprintf(store->rejected, sizeof store->rejected, "%s", job->rejected);
        snprintf(store->problem, sizeof store->problem, "%s", first_error(job->rejection));
        size_t problems = bm_catalog_report_errors(job->rejection);
        bm_log_error(MOD, "%s rejected (%zu problem%s); %s", job->rejected, problems,
                     problems == 1 ? "" : "s",
                     job->catalog     ? "using the bundled catalog"
                     : store->catalog ? "keeping the catalog in use"
                                      : "no catalog to use");
        log_report(BM_LOG_ERROR, job->rejection);
    }
    if (job->catalog) {
        struct bm_catalog *old = store->catalog;
        if (!job->rejection)
            store->problem[0] = '\0'; /* a good load clears the last complaint */
        store->catalog = job->catalog;
        job->catalog = NULL;
        snprintf(store->source, sizeof store->source, "%s", job->source);
        store->warnings = bm_catalog_report_warnings(job->warnings);
        bm_log_info(MOD, "revision %s from %s: %zu categories, %zu services%s",
                    bm_catalog_revision(store->catalog), store->source,
                    bm_catalog_category_count(store->catalog),
                    bm_catalog_service_count(store->catalog),
                    store->warnings ? " (with warnings)" : "");
        log_report(BM_LOG_WARN, job->warnings);
        bm_catalog_unref(old);
        if (store->changed)
            store->changed(store->ud);
    } else if (err != BM_OK && !job->rejection && !store->catalog) {
        bm_log_error(MOD, "no catalog file to load (%s)", bm_err_name(err));
    }
    job_free(job);

    if (store->reload_again) {
        store->reload_again = false;
        start_load(store);
    }
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

static enum bm_err start_load(struct bm_catalog_store *store)
{
    if (store->pending) {
        store->reload_again = true;
        return BM_OK;
    }
    struct load_job *job = calloc(1, sizeof *job);
    if (!job)
        return bm_err_set(BM_ERR_NO_MEMORY, "catalog load");
    job->store = store;
    job->bundled = dup_or_null(store->bundled);
    job->current = dup_or_null(store->current);
    job->assets = dup_or_null(store->assets);
    job->fallback = store->catalog == NULL;
    job->signed_only = store->signed_only;
    job->keys = store->keys;
    /* Pending before submitting: the completion may come before submit returns. */
    store->pending = job;
    enum bm_err err = bm_worker_submit(store->worker, load_run, load_done, job, NULL);
    if (err != BM_OK) {
        store->pending = NULL;
        job_free(job);
        return err;
    }
    return BM_OK;
}

enum bm_err bm_catalog_store_create(const struct bm_catalog_store_config *cfg,
                                    struct bm_catalog_store **out)
{
    *out = NULL;
    if (!cfg->bundled_path || !*cfg->bundled_path)
        return bm_err_set(BM_ERR_INVALID_ARG, "catalog store: no bundled catalog path");
    struct bm_catalog_store *store = calloc(1, sizeof *store);
    if (!store)
        return bm_err_set(BM_ERR_NO_MEMORY, "catalog store");
    store->bundled = strdup(cfg->bundled_path);
    store->current = dup_or_null(cfg->current_path);
    store->assets = dup_or_null(cfg->assets_dir);
    if (cfg->signing_keys) {
        store->signed_only = true;
        store->keys = *cfg->signing_keys;
    }
    store->changed = cfg->changed;
    store->ud = cfg->ud;
    store->main_thread = SDL_ThreadID();
    struct bm_worker_config wc = {.name = "catalog", .queue_cap = 4};
    enum bm_err err = store->bundled ? bm_worker_create(&wc, &store->worker) : BM_ERR_NO_MEMORY;
    if (err == BM_OK)
        err = start_load(store);
    if (err != BM_OK) {
        bm_catalog_store_destroy(store);
        return err;
    }
    *out = store;
    return BM_OK;
}

void bm_catalog_store_destroy(struct bm_catalog_store *store)
{
    if (!store)
        return;
    /* The job outlives us if its completion is still queued in the loop; it must not call in. */
    if (store->pending)
        store->pending->store = NULL;
    bm_worker_destroy(store->worker);
    bm_catalog_unref(store->catalog);
    free(store->bundled);
    free(store->current);
    free(store->assets);
    free(store);
}

const struct bm_catalog *bm_catalog_store_get(const struct bm_catalog_store *store)
{
    return store->catalog;
}

struct bm_catalog *bm_catalog_store_acquire(struct bm_catalog_store *store)
{
    return store->catalog ? bm_catalog_ref(store->catalog) : NULL;
}

enum bm_err bm_catalog_store_reload(struct bm_catalog_store *store)
{
    return start_load(store);
}

void bm_catalog_store_status(const struct bm_catalog_store *store,
                             struct bm_catalog_store_status *out)
{
    *out = (struct bm_catalog_store_status){
        .loading = store->pending != NULL,
        .source = store->source,
        .revision = store->catalog ? bm_catalog_revision(store->catalog) : "",
        .warnings = store->warnings,
        .rejections = store->rejections,
        .rejected = store->rejected,
        .problem = store->problem,
    };
}
