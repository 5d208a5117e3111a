/*
 * device.c - the generic half of every device: its worker thread, status, capabilities, event
 * delivery, command bookkeeping and cancel. See device.h (users) and driver.h (drivers).
 *
 * Design. One struct bm_device per open device owns one worker (core/worker.h). The driver's
 * open, tick and run all execute on that worker, so driver state is single-threaded. What other
 * threads may read -- the status, the capabilities, the running command id, the queue of posted
 * actions -- sits behind one mutex and is copied out, never lent.
 *
 * Exactly once: a command is one worker request, and the worker guarantees its done function
 * runs once (result, cancelled, shut down). Our done wraps the outcome into a bm_completion and
 * calls the caller's typed callback through the class wrapper's deliver function; it never
 * touches the device, because after bm_device_close the device is gone while completions are
 * still on their way through the loop.
 *
 * Events go to the main thread with bm_loop_post. They carry a reference to a small
 * "sink" (callback, ud, closed flag) that outlives the device, so an event still in the loop
 * when the device is closed is freed instead of being handed to a receiver that has moved on.
 *
 * Posted actions (bm_device_post_action) let other threads -- the sim's script API, hotplug
 * callbacks -- run code on the worker: they are drained at each tick (the worker is kicked) and
 * inside running commands through bm_device_wait, which sleeps in short slices for that reason.
 *
 * Threads: open/close/reset/submit from the main thread; get_status, cancel, running,
 * post_action from any thread; the driver helpers on the worker thread.
 */
#include "driver.h"

#include "core/log.h"
#include "core/loop.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often bm_device_wait looks at posted actions while a command waits. */
#define WAIT_SLICE_MS 10

union any_caps {
    struct bm_id_reader_caps id_reader;
    struct bm_receipt_caps receipt;
    struct bm_doc_caps doc;
    struct bm_scanner_caps scanner;
    struct bm_barcode_caps barcode;
};

static const size_t caps_size[BM_CLASS_COUNT] = {
    [BM_CLASS_ID_READER] = sizeof(struct bm_id_reader_caps),
    [BM_CLASS_RECEIPT_PRINTER] = sizeof(struct bm_receipt_caps),
    [BM_CLASS_DOC_PRINTER] = sizeof(struct bm_doc_caps),
    [BM_CLASS_SCANNER] = sizeof(struct bm_scanner_caps),
    [BM_CLASS_BARCODE] = sizeof(struct bm_barcode_caps),
};

struct sink {
    atomic_int refs;
    atomic_bool closed;
    bm_device_event_fn fn;
    void *ud;
};

struct action {
    bm_device_action_fn fn;
    void *arg;
    void (*free_arg)(void *arg);
    struct action *next;
};

struct bm_device {
    const struct bm_driver *driver;
    const struct bm_config *cfg;
    const struct bm_clock *clock;
    struct sink *sink;
    struct bm_worker *worker;
    void *priv;
    bool opened; /* the driver's open ran (worker thread; read after the join) */

    pthread_mutex_t lock; /* guards everything below */
    struct bm_device_status status;
    union any_caps caps;
    bool caps_set;
    uint64_t running;
    struct action *actions, *actions_tail;
    bool closing;
};

struct command {
    struct bm_device *dev; /* only while it runs: done must not touch it */
    struct bm_cmd cmd;
    struct bm_submit s;
    struct bm_completion c;
};

/* ---- names ---- */

const char *bm_device_class_name(enum bm_device_class cls)
{
    static const char *const names[BM_CLASS_COUNT] = {"id_reader", "receipt_printer", "doc_printer",
                                                      "scanner", "barcode"};
    return (unsigned)cls < BM_CLASS_COUNT ? names[cls] : "unknown";
}

const char *bm_device_state_name(enum bm_device_state state)
{
    static const char *const names[] = {"starting",  "online",         "offline",    "power_off",
                                        "no_device", "hardware_error", "user_error", "busy"};
    return (unsigned)state < sizeof names / sizeof names[0] ? names[state] : "unknown";
}

const char *bm_fix_name(enum bm_fix fix)
{
    static const char *const names[] = {"none", "reset", "clear", "maintenance", "suspend"};
    return (unsigned)fix < sizeof names / sizeof names[0] ? names[fix] : "unknown";
}

const char *bm_paper_name(enum bm_paper paper)
{
    static const char *const names[] = {"unknown", "full", "low", "out", "jammed"};
    return (unsigned)paper < sizeof names / sizeof names[0] ? names[paper] : "unknown";
}

const char *bm_device_event_kind_name(enum bm_device_event_kind kind)
{
    static const char *const names[] = {"status",        "error",       "media_inserted",
                                        "media_removed", "media_taken", "code_read",
                                        "progress"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "unknown";
}

/* ---- events ---- */

static void sink_unref(struct sink *s)
{
    if (atomic_fetch_sub(&s->refs, 1) == 1)
        free(s);
}

void bm_device_event_free(struct bm_device_event *ev)
{
    if (!ev)
        return;
    bm_identity_free(ev->identity);
    bm_barcode_read_free(ev->code);
    free(ev);
}

struct envelope {
    struct sink *sink;
    struct bm_device_event *ev;
};

static void deliver_event(void *msg)
{
    struct envelope *env = msg;
    if (!atomic_load(&env->sink->closed) && env->sink->fn)
        env->sink->fn(env->ev, env->sink->ud);
    else
        bm_device_event_free(env->ev);
    sink_unref(env->sink);
    free(env);
}

static void drop_event(void *msg)
{
    struct envelope *env = msg;
    bm_device_event_free(env->ev);
    sink_unref(env->sink);
    free(env);
}

/* Takes ownership of ev. */
static void post_event(struct bm_device *dev, struct bm_device_event *ev)
{
    struct envelope *env = malloc(sizeof *env);
    if (!env || !dev->sink->fn) {
        free(env);
        bm_device_event_free(ev);
        return;
    }
    env->sink = dev->sink;
    env->ev = ev;
    atomic_fetch_add(&dev->sink->refs, 1);
    if (bm_loop_post(deliver_event, env) != BM_OK)
        drop_event(env);
}

static struct bm_device_event *new_event(struct bm_device *dev, enum bm_device_event_kind kind)
{
    struct bm_device_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return NULL;
    ev->kind = kind;
    ev->cls = dev->driver->cls;
    pthread_mutex_lock(&dev->lock);
    ev->status = dev->status;
    pthread_mutex_unlock(&dev->lock);
    return ev;
}

/* ---- status ---- */

static bool class_fields_equal(const struct bm_device_status *a, const struct bm_device_status *b)
{
    switch (a->cls) {
    case BM_CLASS_ID_READER:
        return a->id_reader.media == b->id_reader.media && a->id_reader.sam == b->id_reader.sam &&
               strcmp(a->id_reader.sam_id, b->id_reader.sam_id) == 0;
    case BM_CLASS_RECEIPT_PRINTER:
        return a->receipt.paper == b->receipt.paper && a->receipt.media == b->receipt.media &&
               a->receipt.cover_open == b->receipt.cover_open &&
               a->receipt.cutter == b->receipt.cutter;
    case BM_CLASS_DOC_PRINTER:
        return a->doc.paper == b->doc.paper && a->doc.toner == b->doc.toner &&
               a->doc.cover_open == b->doc.cover_open &&
               a->doc.accepting_jobs == b->doc.accepting_jobs;
    case BM_CLASS_SCANNER:
        return a->scanner.flatbed == b->scanner.flatbed && a->scanner.adf == b->scanner.adf;
    case BM_CLASS_BARCODE:
        return a->barcode.enabled == b->barcode.enabled;
    case BM_CLASS_COUNT:
        break;
    }
    return true;
}

static bool status_equal(const struct bm_device_status *a, const struct bm_device_status *b)
{
    return a->device == b->device && a->error == b->error && a->fix == b->fix &&
           strcmp(a->detail, b->detail) == 0 && class_fields_equal(a, b);
}

void bm_device_get_status(const struct bm_device *dev, enum bm_device_class cls,
                          struct bm_device_status *out)
{
    if (!dev) {
        memset(out, 0, sizeof *out);
        out->cls = cls;
        out->device = BM_DEVICE_NO_DEVICE;
        snprintf(out->detail, sizeof out->detail, "not configured");
        return;
    }
    struct bm_device *d = (struct bm_device *)dev; /* the lock is not part of the value */
    pthread_mutex_lock(&d->lock);
    *out = d->status;
    pthread_mutex_unlock(&d->lock);
}

void bm_device_set_status(struct bm_device *dev, const struct bm_device_status *st)
{
    pthread_mutex_lock(&dev->lock);
    bool changed = !status_equal(&dev->status, st);
    if (changed) {
        dev->status = *st;
        dev->status.cls = dev->driver->cls;
    }
    pthread_mutex_unlock(&dev->lock);
    if (changed) {
        struct bm_device_event *ev = new_event(dev, BM_EVENT_STATUS);
        if (ev)
            post_event(dev, ev);
    }
}

static void log_and_post_error(struct bm_device *dev, enum bm_err err, enum bm_fix fix,
                               const char *detail)
{
    bm_log_warn(bm_device_class_name(dev->driver->cls), "%s: %s (fix: %s): %s", dev->driver->name,
                bm_err_name(err), bm_fix_name(fix), detail);
    struct bm_device_event *ev = new_event(dev, BM_EVENT_ERROR);
    if (ev) {
        ev->err = err;
        ev->fix = fix;
        snprintf(ev->detail, sizeof ev->detail, "%s", detail);
        post_event(dev, ev);
    }
}

void bm_device_report_error(struct bm_device *dev, enum bm_device_state state, enum bm_err err,
                            enum bm_fix fix, const char *fmt, ...)
{
    struct bm_device_status st;
    bm_device_get_status(dev, dev->driver->cls, &st);
    if (state != BM_DEVICE_STARTING)
        st.device = state;
    st.error = err;
    st.fix = fix;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st.detail, sizeof st.detail, fmt, ap);
    va_end(ap);
    bm_device_set_status(dev, &st);
    log_and_post_error(dev, err, fix, st.detail);
}

void bm_device_report_media_error(struct bm_device *dev, enum bm_err err, enum bm_fix fix,
                                  const char *fmt, ...)
{
    char detail[sizeof(((struct bm_device_event *)0)->detail)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    log_and_post_error(dev, err, fix, detail);
}

void bm_device_clear_error(struct bm_device *dev, enum bm_device_state state)
{
    struct bm_device_status st;
    bm_device_get_status(dev, dev->driver->cls, &st);
    st.device = state;
    st.error = BM_OK;
    st.fix = BM_FIX_NONE;
    st.detail[0] = '\0';
    bm_device_set_status(dev, &st);
}

void bm_device_emit(struct bm_device *dev, enum bm_device_event_kind kind,
                    struct bm_identity *identity, struct bm_barcode_read *code)
{
    struct bm_device_event *ev = new_event(dev, kind);
    if (!ev) {
        bm_identity_free(identity);
        bm_barcode_read_free(code);
        return;
    }
    ev->identity = identity;
    ev->code = code;
    post_event(dev, ev);
}

void bm_device_progress(struct bm_device *dev, const struct bm_cmd *cmd, uint64_t done,
                        uint64_t total)
{
    struct bm_device_event *ev = new_event(dev, BM_EVENT_PROGRESS);
    if (!ev)
        return; /* progress is advice: a lost one is made good by the next */
    ev->cmd_id = cmd->id;
    ev->done = done;
    ev->total = total;
    post_event(dev, ev);
}

/* ---- capabilities and accessors ---- */

void bm_device_set_caps(struct bm_device *dev, const void *caps, size_t size)
{
    if (size != caps_size[dev->driver->cls]) {
        bm_log_error("device", "%s: caps of the wrong size", dev->driver->name);
        return;
    }
    pthread_mutex_lock(&dev->lock);
    memcpy(&dev->caps, caps, size);
    dev->caps_set = true;
    pthread_mutex_unlock(&dev->lock);
}

enum bm_err bm_device_get_caps(const struct bm_device *dev, enum bm_device_class cls, void *out,
                               size_t size)
{
    if (!dev)
        return bm_err_set(BM_ERR_NO_DEVICE, "%s not configured", bm_device_class_name(cls));
    if (dev->driver->cls != cls || size != caps_size[cls])
        return bm_err_set(BM_ERR_INVALID_ARG, "%s caps asked of a %s", bm_device_class_name(cls),
                          bm_device_class_name(dev->driver->cls));
    struct bm_device *d = (struct bm_device *)dev;
    pthread_mutex_lock(&d->lock);
    bool set = d->caps_set;
    if (set)
        memcpy(out, &d->caps, size);
    pthread_mutex_unlock(&d->lock);
    return set ? BM_OK : bm_err_set(BM_ERR_STATE, "%s still starting", dev->driver->name);
}

void *bm_device_priv(struct bm_device *dev)
{
    return dev->priv;
}

const struct bm_clock *bm_device_clock(const struct bm_device *dev)
{
    return dev->clock;
}

const struct bm_config *bm_device_config(const struct bm_device *dev)
{
    return dev->cfg;
}

const struct bm_driver *bm_device_driver(const struct bm_device *dev)
{
    return dev ? dev->driver : NULL;
}

enum bm_device_class bm_device_class(const struct bm_device *dev)
{
    return dev->driver->cls;
}

const char *bm_device_driver_name(const struct bm_device *dev)
{
    return dev ? dev->driver->name : "none";
}

uint64_t bm_device_running(const struct bm_device *dev)
{
    if (!dev)
        return 0;
    struct bm_device *d = (struct bm_device *)dev;
    pthread_mutex_lock(&d->lock);
    uint64_t id = d->running;
    pthread_mutex_unlock(&d->lock);
    return id;
}

/* ---- posted actions ---- */

enum bm_err bm_device_post_action(struct bm_device *dev, bm_device_action_fn fn, void *arg,
                                  void (*free_arg)(void *arg))
{
    if (!dev || !fn) {
        if (free_arg)
            free_arg(arg);
        return bm_err_set(dev ? BM_ERR_INVALID_ARG : BM_ERR_NO_DEVICE, "post_action");
    }
    struct action *a = calloc(1, sizeof *a);
    if (!a) {
        if (free_arg)
            free_arg(arg);
        return bm_err_set(BM_ERR_NO_MEMORY, "post_action");
    }
    a->fn = fn;
    a->arg = arg;
    a->free_arg = free_arg;
    pthread_mutex_lock(&dev->lock);
    bool closing = dev->closing;
    if (!closing) {
        if (dev->actions_tail)
            dev->actions_tail->next = a;
        else
            dev->actions = a;
        dev->actions_tail = a;
    }
    pthread_mutex_unlock(&dev->lock);
    if (closing) {
        if (free_arg)
            free_arg(arg);
        free(a);
        return bm_err_set(BM_ERR_SHUTDOWN, "%s is closing", dev->driver->name);
    }
    bm_worker_kick(dev->worker);
    return BM_OK;
}

static struct action *take_actions(struct bm_device *dev)
{
    pthread_mutex_lock(&dev->lock);
    struct action *list = dev->actions;
    dev->actions = dev->actions_tail = NULL;
    pthread_mutex_unlock(&dev->lock);
    return list;
}

static void free_actions(struct action *a, bool run, struct bm_device *dev)
{
    while (a) {
        struct action *next = a->next;
        if (run)
            a->fn(dev, a->arg);
        if (a->free_arg)
            a->free_arg(a->arg);
        free(a);
        a = next;
    }
}

void bm_device_run_actions(struct bm_device *dev)
{
    free_actions(take_actions(dev), true, dev);
}

bool bm_device_wait(struct bm_device *dev, const struct bm_cmd *cmd, unsigned ms)
{
    /* The deadline is read from the real clock, not counted in slices: on a loaded machine a
     * 10 ms slice can take 150 ms, and counting them made a 1 s wait last 20 s. */
    const struct bm_clock *real = bm_clock_system();
    uint64_t deadline = bm_clock_ms(real) + ms;
    for (;;) {
        bm_device_run_actions(dev);
        if (cmd && bm_request_cancelled(cmd->req))
            return true;
        uint64_t now = bm_clock_ms(real);
        if (now >= deadline)
            return false;
        unsigned slice =
            deadline - now < WAIT_SLICE_MS ? (unsigned)(deadline - now) : WAIT_SLICE_MS;
        if (cmd && bm_request_sleep(cmd->req, slice))
            return true;
        if (!cmd) {
            struct timespec ts = {0, (long)slice * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

void bm_device_set_tick_ms(struct bm_device *dev, unsigned tick_ms)
{
    bm_worker_set_tick_ms(dev->worker, tick_ms);
}

/* ---- worker-side plumbing ---- */

static void tick(void *ud)
{
    struct bm_device *dev = ud;
    bm_device_run_actions(dev);
    if (dev->opened && dev->driver->tick)
        dev->driver->tick(dev);
}

static enum bm_err run_open(struct bm_request *req, void *arg, void **result)
{
    (void)req;
    (void)result;
    struct bm_device *dev = arg;
    bm_err_clear();
    enum bm_err err = dev->driver->open ? dev->driver->open(dev) : BM_OK;
    dev->opened = true;
    struct bm_device_status st;
    bm_device_get_status(dev, dev->driver->cls, &st);
    if (err != BM_OK && st.device == BM_DEVICE_STARTING) {
        bool absent = err == BM_ERR_NO_DEVICE || err == BM_ERR_NOT_FOUND;
        bm_device_report_error(dev, absent ? BM_DEVICE_NO_DEVICE : BM_DEVICE_HARDWARE_ERROR, err,
                               BM_FIX_MAINTENANCE, "open: %s", bm_err_detail());
    } else if (err == BM_OK && st.device == BM_DEVICE_STARTING) {
        st.device = BM_DEVICE_ONLINE;
        bm_device_set_status(dev, &st);
    }
    bm_device_run_actions(dev);
    return err;
}

static enum bm_err run_command(struct bm_request *req, void *arg, void **result)
{
    (void)result;
    struct command *k = arg;
    struct bm_device *dev = k->dev;
    /* Taking the lock also waits for bm_device_submit to have stored the id. */
    pthread_mutex_lock(&dev->lock);
    dev->running = k->cmd.id;
    pthread_mutex_unlock(&dev->lock);

    bm_device_run_actions(dev);
    k->cmd.req = req;
    bm_err_clear();
    enum bm_err err = dev->driver->run(dev, &k->cmd);
    if (err != BM_OK) {
        k->c.fix = k->cmd.fix;
        snprintf(k->c.detail, sizeof k->c.detail, "%s", bm_err_detail());
        if (k->cmd.result && k->s.result_free)
            k->s.result_free(k->cmd.result);
        k->cmd.result = NULL;
    }
    pthread_mutex_lock(&dev->lock);
    dev->running = 0;
    pthread_mutex_unlock(&dev->lock);
    k->dev = NULL;
    return err;
}

/* Main thread (or the closing thread once the loop is gone): the command's single end. */
static void command_done(enum bm_err err, void *result, void *arg)
{
    (void)result;
    struct command *k = arg;
    k->c.id = k->cmd.id;
    k->c.err = err;
    if (err == BM_OK) {
        k->c.fix = BM_FIX_NONE;
        k->c.detail[0] = '\0';
    } else if (err == BM_ERR_CANCELLED || err == BM_ERR_SHUTDOWN) {
        k->c.fix = BM_FIX_NONE;
        if (!k->c.detail[0])
            snprintf(k->c.detail, sizeof k->c.detail, "%s",
                     err == BM_ERR_CANCELLED ? "cancelled" : "device closed");
        if (k->cmd.result && k->s.result_free)
            k->s.result_free(k->cmd.result);
        k->cmd.result = NULL;
    }
    void *out = k->cmd.result;
    k->s.deliver(&k->c, out, k->s.fn, k->s.ud);
    if (k->s.args_free)
        k->s.args_free(k->s.args);
    free(k);
}

enum bm_err bm_device_submit(struct bm_device *dev, const struct bm_submit *s, uint64_t *id)
{
    enum bm_err err = BM_OK;
    if (!dev)
        err = bm_err_set(BM_ERR_NO_DEVICE, "%s not configured", bm_device_class_name(s->cls));
    else if (dev->driver->cls != s->cls)
        err = bm_err_set(BM_ERR_INVALID_ARG, "%s command sent to a %s",
                         bm_device_class_name(s->cls), bm_device_class_name(dev->driver->cls));
    struct command *k = NULL;
    if (err == BM_OK && !(k = calloc(1, sizeof *k)))
        err = bm_err_set(BM_ERR_NO_MEMORY, "command");
    if (err != BM_OK) {
        if (s->args_free)
            s->args_free(s->args);
        return err;
    }
    k->dev = dev;
    k->s = *s;
    k->cmd.op = s->op;
    k->cmd.args = s->args;

    uint64_t wid = 0;
    pthread_mutex_lock(&dev->lock);
    err = dev->closing ? bm_err_set(BM_ERR_SHUTDOWN, "%s is closing", dev->driver->name)
                       : bm_worker_submit(dev->worker, run_command, command_done, k, &wid);
    if (err == BM_OK)
        k->cmd.id = wid;
    pthread_mutex_unlock(&dev->lock);
    if (err != BM_OK) {
        if (s->args_free)
            s->args_free(s->args);
        free(k);
        return err;
    }
    if (id)
        *id = wid;
    return BM_OK;
}

enum bm_err bm_device_cancel(struct bm_device *dev, uint64_t id)
{
    if (!dev)
        return bm_err_set(BM_ERR_NO_DEVICE, "cancel on an absent device");
    return bm_worker_cancel(dev->worker, id);
}

static void deliver_plain(const struct bm_completion *c, void *result, void (*fn)(void), void *ud)
{
    (void)result;
    if (fn)
        ((bm_device_done_fn)fn)(c, ud);
}

enum bm_err bm_device_reset(struct bm_device *dev, bm_device_done_fn done, void *ud, uint64_t *id)
{
    struct bm_submit s = {
        .cls = dev ? dev->driver->cls : BM_CLASS_COUNT,
        .op = BM_OP_RESET,
        .deliver = deliver_plain,
        .fn = (void (*)(void))done,
        .ud = ud,
    };
    return bm_device_submit(dev, &s, id);
}

/* ---- open / close ---- */

enum bm_err bm_device_open(const struct bm_driver *driver, const struct bm_device_params *p,
                           struct bm_device **out)
{
    *out = NULL;
    if (!driver || !p || !driver->run || (unsigned)driver->cls >= BM_CLASS_COUNT)
        return bm_err_set(BM_ERR_INVALID_ARG, "bm_device_open: bad driver");
    struct bm_device *dev = calloc(1, sizeof *dev);
    struct sink *sink = calloc(1, sizeof *sink);
    void *priv = driver->priv_size ? calloc(1, driver->priv_size) : NULL;
    if (!dev || !sink || (driver->priv_size && !priv)) {
        free(dev);
        free(sink);
        free(priv);
        return bm_err_set(BM_ERR_NO_MEMORY, "device %s", driver->name);
    }
    atomic_init(&sink->refs, 1);
    atomic_init(&sink->closed, false);
    sink->fn = p->on_event;
    sink->ud = p->ud;
    dev->driver = driver;
    dev->cfg = p->cfg;
    dev->clock = p->clock ? p->clock : bm_clock_system();
    dev->sink = sink;
    dev->priv = priv;
    pthread_mutex_init(&dev->lock, NULL);
    dev->status.cls = driver->cls;
    dev->status.device = BM_DEVICE_STARTING;

    struct bm_worker_config wc = {
        .name = bm_device_class_name(driver->cls),
        .tick_ms = driver->tick_ms,
        .tick = tick,
        .tick_ud = dev,
    };
    enum bm_err err = bm_worker_create(&wc, &dev->worker);
    if (err == BM_OK)
        err = bm_worker_submit_inline(dev->worker, run_open, NULL, dev, NULL);
    if (err != BM_OK) {
        bm_worker_destroy(dev->worker);
        pthread_mutex_destroy(&dev->lock);
        free(priv);
        free(sink);
        free(dev);
        return err;
    }
    *out = dev;
    return BM_OK;
}

void bm_device_close(struct bm_device *dev)
{
    if (!dev)
        return;
    atomic_store(&dev->sink->closed, true);
    pthread_mutex_lock(&dev->lock);
    dev->closing = true;
    pthread_mutex_unlock(&dev->lock);

    bm_worker_destroy(dev->worker);
    if (dev->opened && dev->driver->close)
        dev->driver->close(dev);
    free_actions(take_actions(dev), false, dev);
    if (dev->driver->cls == BM_CLASS_RECEIPT_PRINTER)
        bm_receipt_printer_forget_last(); /* the kept copy must not pass to a new device here */
    sink_unref(dev->sink);
    pthread_mutex_destroy(&dev->lock);
    free(dev->priv);
    free(dev);
}
