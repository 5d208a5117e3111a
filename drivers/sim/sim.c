/*
 * sim.c - the script API of the simulated devices (sim.h) and the plumbing every sim class
 * shares: plug state, scripted failures, silence, publishing status, output files.
 *
 * Design: a script call never touches a driver's state. It packs the change into a struct
 * sim_action and posts it with bm_device_post_action; the device's worker applies it at its
 * next tick or, while a command runs, inside that command's wait (sim_step). So the sim's
 * state has one owner, the worker, exactly as a real driver's state does, and an unplug in the
 * middle of a print is seen by the print at its next step.
 *
 * Each sim class keeps a struct sim_common first in its private state; the common actions
 * (unplug, replug, fail next, silent) are handled here and the rest is handed to the class.
 *
 * Threads: the bm_sim_* functions from any thread; the sim_* helpers on the worker thread.
 */
#include "sim_internal.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Guards every sim_common.last_output (written on workers, read by tests and the flow). */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static bool is_sim_driver(const struct bm_driver *d)
{
    return d == &bm_sim_id_reader_driver || d == &bm_sim_receipt_driver ||
           d == &bm_sim_doc_driver || d == &bm_sim_scanner_driver || d == &bm_sim_barcode_driver;
}

bool bm_sim_is(const struct bm_device *dev)
{
    return dev && is_sim_driver(bm_device_driver(dev));
}

/* Checks dev is a sim of one of the classes in mask (bit per class). */
static enum bm_err check(const struct bm_device *dev, unsigned mask, const char *what)
{
    if (!dev)
        return bm_err_set(BM_ERR_NO_DEVICE, "sim %s: no device", what);
    if (!bm_sim_is(dev) || !(mask & (1u << bm_device_class(dev))))
        return bm_err_set(BM_ERR_UNSUPPORTED, "sim %s: %s is a %s %s, not a sim of that class",
                          what, bm_device_driver_name(dev), bm_device_class_name(bm_device_class(dev)),
                          "device");
    return BM_OK;
}

static void free_action(void *arg)
{
    struct sim_action *a = arg;
    free(a->text);
    free(a);
}

static void apply_action(struct bm_device *dev, void *arg)
{
    struct sim_common *c = bm_device_priv(dev);
    const struct sim_action *a = arg;
    switch (a->act) {
    case SIM_ACT_UNPLUG:
    case SIM_ACT_REPLUG:
        c->plugged = a->act == SIM_ACT_REPLUG;
        bm_log_notice(bm_device_class_name(bm_device_class(dev)), "sim: %s",
                      c->plugged ? "replugged" : "unplugged");
        c->publish(dev);
        break;
    case SIM_ACT_FAIL_NEXT:
        c->fail_next = a->err;
        c->fail_fix = a->fix;
        break;
    case SIM_ACT_SILENT:
        c->silent = a->flag;
        if (a->value)
            c->timeout_ms = a->value;
        break;
    default:
        c->action(dev, a);
        break;
    }
}

static enum bm_err post(struct bm_device *dev, enum sim_act act, unsigned value, bool flag,
                        const char *text)
{
    struct sim_action *a = calloc(1, sizeof *a);
    if (!a || (text && !(a->text = strdup(text)))) {
        free(a);
        return bm_err_set(BM_ERR_NO_MEMORY, "sim action");
    }
    a->act = act;
    a->value = value;
    a->flag = flag;
    return bm_device_post_action(dev, apply_action, a, free_action);
}

#define ALL_CLASSES ((1u << BM_CLASS_COUNT) - 1)
#define PRINTERS ((1u << BM_CLASS_RECEIPT_PRINTER) | (1u << BM_CLASS_DOC_PRINTER))

enum bm_err bm_sim_card_insert(struct bm_device *dev, enum bm_sim_card card)
{
    enum bm_err err = check(dev, 1u << BM_CLASS_ID_READER, "card insert");
    if (err == BM_OK && (unsigned)card >= BM_SIM_CARD_COUNT)
        err = bm_err_set(BM_ERR_INVALID_ARG, "sim card %d", (int)card);
    return err != BM_OK ? err : post(dev, SIM_ACT_CARD_INSERT, (unsigned)card, false, NULL);
}

enum bm_err bm_sim_card_remove(struct bm_device *dev)
{
    enum bm_err err = check(dev, 1u << BM_CLASS_ID_READER, "card remove");
    return err != BM_OK ? err : post(dev, SIM_ACT_CARD_REMOVE, 0, false, NULL);
}

enum bm_err bm_sim_page_place(struct bm_device *dev, const char *png_path)
{
    enum bm_err err = check(dev, 1u << BM_CLASS_SCANNER, "page place");
    return err != BM_OK ? err : post(dev, SIM_ACT_PAGE_PLACE, 0, false, png_path);
}

enum bm_err bm_sim_page_remove(struct bm_device *dev)
{
    enum bm_err err = check(dev, 1u << BM_CLASS_SCANNER, "page remove");
    return err != BM_OK ? err : post(dev, SIM_ACT_PAGE_REMOVE, 0, false, NULL);
}

enum bm_err bm_sim_barcode_scan(struct bm_device *dev, const char *text)
{
    enum bm_err err = check(dev, 1u << BM_CLASS_BARCODE, "barcode scan");
    if (err == BM_OK && (!text || strlen(text) >= BM_BARCODE_MAX_TEXT))
        err = bm_err_set(BM_ERR_INVALID_ARG, "sim barcode: no text or too long");
    return err != BM_OK ? err : post(dev, SIM_ACT_BARCODE, 0, false, text);
}

enum bm_err bm_sim_printer(struct bm_device *dev, enum bm_sim_printer_event ev)
{
    enum bm_err err = check(dev, PRINTERS, "printer event");
    return err != BM_OK ? err : post(dev, SIM_ACT_PRINTER, (unsigned)ev, false, NULL);
}

enum bm_err bm_sim_printer_set_paper(struct bm_device *dev, unsigned remaining)
{
    enum bm_err err = check(dev, PRINTERS, "paper");
    return err != BM_OK ? err : post(dev, SIM_ACT_PAPER, remaining, false, NULL);
}

enum bm_err bm_sim_last_output(struct bm_device *dev, char *buf, size_t size)
{
    enum bm_err err = check(dev, PRINTERS, "last output");
    if (err != BM_OK)
        return err;
    struct sim_common *c = bm_device_priv(dev);
    pthread_mutex_lock(&output_lock);
    int n = snprintf(buf, size, "%s", c->last_output);
    pthread_mutex_unlock(&output_lock);
    return n >= 0 && (size_t)n < size ? BM_OK : bm_err_set(BM_ERR_NO_MEMORY, "path too long");
}

enum bm_err bm_sim_unplug(struct bm_device *dev)
{
    enum bm_err err = check(dev, ALL_CLASSES, "unplug");
    return err != BM_OK ? err : post(dev, SIM_ACT_UNPLUG, 0, false, NULL);
}

enum bm_err bm_sim_replug(struct bm_device *dev)
{
    enum bm_err err = check(dev, ALL_CLASSES, "replug");
    return err != BM_OK ? err : post(dev, SIM_ACT_REPLUG, 0, false, NULL);
}

enum bm_err bm_sim_fail_next(struct bm_device *dev, enum bm_err fail, enum bm_fix fix)
{
    enum bm_err err = check(dev, ALL_CLASSES, "fail next");
    if (err != BM_OK)
        return err;
    struct sim_action *a = calloc(1, sizeof *a);
    if (!a)
        return bm_err_set(BM_ERR_NO_MEMORY, "sim action");
    a->act = SIM_ACT_FAIL_NEXT;
    a->err = fail;
    a->fix = fix;
    return bm_device_post_action(dev, apply_action, a, free_action);
}

enum bm_err bm_sim_set_silent(struct bm_device *dev, bool silent, unsigned timeout_ms)
{
    enum bm_err err = check(dev, ALL_CLASSES, "silent");
    return err != BM_OK ? err : post(dev, SIM_ACT_SILENT, timeout_ms, silent, NULL);
}

struct bm_identity *bm_sim_card_identity(enum bm_sim_card card, time_t now)
{
    return sim_card_identity(card, now);
}

/* ---- worker-side helpers ---- */

void sim_common_init(struct sim_common *c, void (*publish)(struct bm_device *),
                     void (*action)(struct bm_device *, const struct sim_action *))
{
    c->plugged = true;
    c->silent = false;
    c->timeout_ms = SIM_DEFAULT_TIMEOUT_MS;
    c->fail_next = BM_OK;
    c->publish = publish;
    c->action = action;
}

enum bm_err sim_step(struct bm_device *dev, struct sim_common *c, struct bm_cmd *cmd,
                     unsigned ms)
{
    if (bm_device_wait(dev, cmd, ms))
        return bm_err_set(BM_ERR_CANCELLED, "cancelled");
    if (!c->plugged) {
        cmd->fix = BM_FIX_MAINTENANCE;
        return bm_err_set(BM_ERR_NO_DEVICE, "unplugged during the command (sim)");
    }
    return BM_OK;
}

enum bm_err sim_begin(struct bm_device *dev, struct sim_common *c, struct bm_cmd *cmd)
{
    if (!c->plugged) {
        cmd->fix = BM_FIX_MAINTENANCE;
        return bm_err_set(BM_ERR_NO_DEVICE, "unplugged (sim)");
    }
    if (c->fail_next != BM_OK) {
        enum bm_err err = c->fail_next;
        cmd->fix = c->fail_fix;
        c->fail_next = BM_OK;
        return bm_err_set(err, "scripted failure (sim)");
    }
    if (c->silent) {
        const struct bm_clock *clock = bm_device_clock(dev);
        uint64_t start = bm_clock_ms(clock);
        while (bm_clock_ms(clock) - start < c->timeout_ms) {
            enum bm_err err = sim_step(dev, c, cmd, 10);
            if (err != BM_OK)
                return err;
        }
        cmd->fix = BM_FIX_RESET;
        return bm_err_set(BM_ERR_TIMEOUT, "no answer in %u ms (sim, silent)", c->timeout_ms);
    }
    return BM_OK;
}

enum bm_err sim_reset(struct bm_device *dev, struct sim_common *c, struct bm_cmd *cmd)
{
    enum bm_err err = sim_begin(dev, c, cmd);
    if (err == BM_OK)
        c->publish(dev);
    return err;
}

void sim_publish(struct bm_device *dev, struct sim_common *c, struct bm_device_status *st)
{
    if (!c->plugged) {
        st->device = BM_DEVICE_NO_DEVICE;
        st->error = BM_ERR_NO_DEVICE;
        st->fix = BM_FIX_MAINTENANCE;
        snprintf(st->detail, sizeof st->detail, "unplugged (sim)");
    }
    struct bm_device_status cur;
    bm_device_get_status(dev, bm_device_class(dev), &cur);
    bool new_error = st->error != BM_OK &&
                     (st->error != cur.error || strcmp(st->detail, cur.detail) != 0);
    bm_device_set_status(dev, st);
    if (new_error)
        bm_device_report_error(dev, st->device, st->error, st->fix, "%s", st->detail);
}

/* mkdir -p, for the output directory. */
static enum bm_err make_dirs(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return bm_err_set(BM_ERR_INVALID_ARG, "output dir too long");
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return bm_err_set(BM_ERR_IO, "mkdir %s: %s", path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return bm_err_set(BM_ERR_IO, "mkdir %s: %s", path, strerror(errno));
    return BM_OK;
}

enum bm_err sim_output_path(struct bm_device *dev, const char *prefix, unsigned seq,
                            const char *ext, char *buf, size_t size)
{
    char dir[PATH_MAX];
    const struct bm_config *cfg = bm_device_config(dev);
    if (!cfg || !bm_config_path_value(cfg, "sim", "output_dir", dir, sizeof dir))
        snprintf(dir, sizeof dir, "/tmp/bianmin-sim");
    enum bm_err err = make_dirs(dir);
    if (err != BM_OK)
        return err;
    time_t now = bm_clock_wall(bm_device_clock(dev));
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    int n = snprintf(buf, size, "%s/%s-%04u-%s.%s", dir, prefix, seq, stamp, ext);
    if (n < 0 || (size_t)n >= size)
        return bm_err_set(BM_ERR_INVALID_ARG, "output path too long");
    return BM_OK;
}

void sim_set_last_output(struct sim_common *c, const char *path)
{
    pthread_mutex_lock(&output_lock);
    snprintf(c->last_output, sizeof c->last_output, "%s", path);
    pthread_mutex_unlock(&output_lock);
}
