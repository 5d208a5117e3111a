/*
 * test_device.c - the device model through the sim driver: the registry, exactly-once
 * completion in every ending (success, error, cancel queued/running, unplug, close, silence),
 * status and events (card, paper, unplug/replug, receipt taken, barcode), and that events wipe
 * the personal data they carry. Main thread.
 */
#include "fixture.h"

#include "core/secbuf.h"
#include "drivers/driver.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

static int setup(void **state)
{
    *state = fx_setup();
    return 0;
}

static int teardown(void **state)
{
    fx_teardown(*state);
    return 0;
}

static void test_registry(void **state)
{
    struct fx *f = *state;
    for (int c = 0; c < BM_CLASS_COUNT; c++) {
        const struct bm_driver *d = bm_registry_find((enum bm_device_class)c, "sim");
        assert_non_null(d);
        assert_string_equal(bm_driver_name(d), "sim");
        assert_null(bm_registry_find((enum bm_device_class)c, "nonexistent"));
        struct bm_device *dev = fx_open(f, (enum bm_device_class)c);
        assert_string_equal(bm_device_driver_name(dev), "sim");
        assert_int_equal(bm_device_class(dev), c);
        assert_true(bm_sim_is(dev));
        bm_device_close(dev);
    }

    /* "none": absent by design; NULL works everywhere and says no_device. */
    assert_int_equal(bm_config_set(f->cfg, "devices", "receipt_printer", "none"), BM_OK);
    struct bm_device_params p = {.cfg = f->cfg, .clock = &f->clock};
    struct bm_device *dev = (struct bm_device *)1;
    assert_int_equal(bm_registry_open(BM_CLASS_RECEIPT_PRINTER, &p, &dev), BM_ERR_NO_DEVICE);
    assert_null(dev);
    struct bm_device_status st;
    bm_device_get_status(NULL, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.device, BM_DEVICE_NO_DEVICE);
    unsigned char bits[72] = {0};
    struct bm_receipt_job job = {.raster = {576, 1, 72, bits}};
    assert_int_equal(bm_receipt_printer_print(NULL, &job, fx_done, NULL, NULL), BM_ERR_NO_DEVICE);
    assert_int_equal(bm_sim_unplug(NULL), BM_ERR_NO_DEVICE);
    bm_device_close(NULL);
    /* A name the schema does not know is refused when set. */
    assert_int_equal(bm_config_set(f->cfg, "devices", "scanner", "nonexistent"), BM_ERR_CONFIG);
}

static bool online(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_ONLINE;
}

static bool no_device(const struct bm_device_status *st)
{
    return st->device == BM_DEVICE_NO_DEVICE;
}

static void test_success_and_error_once(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_ID_READER);
    struct bm_id_reader_caps caps;
    assert_int_equal(bm_id_reader_get_caps(dev, &caps), BM_OK);
    assert_true(caps.card_types & (1u << BM_ID_CARD_RESIDENT));

    /* No card, no wait: fails at once. */
    struct fx_cmd *k = fx_cmd(f);
    struct bm_id_read_params now = {0};
    assert_int_equal(bm_id_reader_read(dev, &now, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_NO_MEDIA);
    assert_int_equal(k->c.id, k->id);

    assert_int_equal(bm_sim_card_insert(dev, BM_SIM_CARD_ADULT), BM_OK);
    k = fx_cmd(f);
    assert_int_equal(bm_id_reader_read(dev, &now, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct bm_identity *id = k->result;
    k->result = NULL;
    assert_non_null(id);
    assert_true(bm_id_number_valid(bm_secbuf_str(id->id_number)));
    assert_string_equal(bm_secbuf_str(id->name), "李明华");
    bm_identity_free(id);

    /* A scripted failure carries its fix. */
    assert_int_equal(bm_sim_fail_next(dev, BM_ERR_DEVICE, BM_FIX_MAINTENANCE), BM_OK);
    k = fx_cmd(f);
    assert_int_equal(bm_id_reader_read(dev, &now, fx_done_identity, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_DEVICE);
    assert_int_equal(k->c.fix, BM_FIX_MAINTENANCE);
    assert_null(k->result);

    /* Reset completes once too. */
    k = fx_cmd(f);
    assert_int_equal(bm_device_reset(dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    bm_device_close(dev);
}

static void test_cancel(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_ID_READER);
    struct bm_id_read_params wait = {.timeout_ms = 60000};
    struct fx_cmd *running = fx_cmd(f), *queued = fx_cmd(f);
    assert_int_equal(bm_id_reader_read(dev, &wait, fx_done_identity, running, &running->id), BM_OK);
    assert_true(fx_wait_running(dev, running->id));
    assert_int_equal(bm_id_reader_read(dev, &wait, fx_done_identity, queued, &queued->id), BM_OK);

    assert_int_equal(bm_device_cancel(dev, queued->id), BM_OK);
    assert_true(fx_wait_cmd(queued));
    assert_int_equal(queued->c.err, BM_ERR_CANCELLED);
    assert_int_equal(running->calls, 0);

    assert_int_equal(bm_device_cancel(dev, running->id), BM_OK);
    assert_true(fx_wait_cmd(running));
    assert_int_equal(running->c.err, BM_ERR_CANCELLED);
    assert_int_equal(bm_device_cancel(dev, running->id), BM_ERR_NOT_FOUND);
    bm_device_close(dev);
}

static void test_unplug_while_running(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_ID_READER);
    struct bm_id_read_params wait = {.timeout_ms = 60000};
    struct fx_cmd *running = fx_cmd(f), *queued = fx_cmd(f);
    assert_int_equal(bm_id_reader_read(dev, &wait, fx_done_identity, running, &running->id), BM_OK);
    assert_true(fx_wait_running(dev, running->id));
    assert_int_equal(bm_id_reader_read(dev, &wait, fx_done_identity, queued, &queued->id), BM_OK);
    int mark = f->n_events;

    assert_int_equal(bm_sim_unplug(dev), BM_OK);
    assert_true(fx_wait_cmd(running));
    assert_true(fx_wait_cmd(queued));
    assert_int_equal(running->c.err, BM_ERR_NO_DEVICE);
    assert_int_equal(running->c.fix, BM_FIX_MAINTENANCE);
    assert_int_equal(queued->c.err, BM_ERR_NO_DEVICE);
    assert_true(fx_wait_status(dev, no_device));
    int e = fx_wait_event(f, mark, BM_EVENT_ERROR);
    assert_true(e >= 0);
    assert_int_equal(f->events[e]->err, BM_ERR_NO_DEVICE);
    assert_int_equal(f->events[e]->fix, BM_FIX_MAINTENANCE);
    assert_int_equal(f->events[e]->status.device, BM_DEVICE_NO_DEVICE);

    mark = f->n_events;
    assert_int_equal(bm_sim_replug(dev), BM_OK);
    assert_true(fx_wait_status(dev, online));
    e = fx_wait_event(f, mark, BM_EVENT_STATUS);
    assert_true(e >= 0);
    assert_int_equal(f->events[e]->status.device, BM_DEVICE_ONLINE);
    assert_int_equal(f->events[e]->status.error, BM_OK);
    bm_device_close(dev);
}

static void test_close_with_pending(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_ID_READER);
    struct bm_id_read_params wait = {.timeout_ms = 60000};
    struct fx_cmd *k[3];
    for (int i = 0; i < 3; i++) {
        k[i] = fx_cmd(f);
        assert_int_equal(bm_id_reader_read(dev, &wait, fx_done_identity, k[i], &k[i]->id), BM_OK);
    }
    assert_true(fx_wait_running(dev, k[0]->id));
    bm_device_close(dev);
    for (int i = 0; i < 3; i++) {
        assert_true(fx_wait_cmd(k[i]));
        assert_true(k[i]->c.err == BM_ERR_CANCELLED || k[i]->c.err == BM_ERR_SHUTDOWN);
    }
    assert_int_equal(k[0]->c.err, BM_ERR_CANCELLED);
    assert_int_equal(k[2]->c.err, BM_ERR_SHUTDOWN);
}

static void test_silent_times_out(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_SCANNER);
    assert_int_equal(bm_sim_set_silent(dev, true, 5000), BM_OK);
    struct fx_cmd *k = fx_cmd(f);
    struct bm_scan_params p = {.dpi = 75};
    assert_int_equal(bm_scanner_scan(dev, &p, fx_done_image, k, &k->id), BM_OK);
    assert_true(fx_wait_running(dev, k->id));
    fx_pump(50);
    assert_int_equal(k->calls, 0); /* the device's clock has not moved */
    bm_clock_advance(&f->clock, 5000);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_TIMEOUT);
    assert_int_equal(k->c.fix, BM_FIX_RESET);
    bm_device_close(dev);
}

/*
 * bm_device_wait keeps to real time when the worker is slow. A driver waits 300 ms while a
 * posted action that takes 40 ms keeps posting itself: each pass of the wait runs it once, as
 * a loaded machine's slow wakeups would. Counting 10 ms slices instead of reading the clock
 * ran it 30 times (1.2 s); reading the clock, the wait ends after about 8, and a busier
 * machine only makes it fewer.
 */
static atomic_int slow_runs;
static atomic_bool slow_stop;

static void slow_action(struct bm_device *dev, void *arg)
{
    (void)arg;
    atomic_fetch_add(&slow_runs, 1);
    nanosleep(&(struct timespec){0, 40 * 1000000L}, NULL);
    if (!atomic_load(&slow_stop))
        bm_device_post_action(dev, slow_action, NULL, NULL);
}

static int slow_runs_at_return;

static enum bm_err waiting_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    atomic_store(&slow_runs, 0);
    atomic_store(&slow_stop, false);
    bm_device_post_action(dev, slow_action, NULL, NULL);
    bool cancelled = bm_device_wait(dev, cmd, 300);
    slow_runs_at_return = atomic_load(&slow_runs);
    atomic_store(&slow_stop, true);
    return cancelled ? bm_err_set(BM_ERR_CANCELLED, "cancelled") : BM_OK;
}

static const struct bm_driver waiting_driver = {
    .name = "waiting",
    .description = "waits 300 ms in every command",
    .cls = BM_CLASS_BARCODE,
    .run = waiting_run,
};

static void test_wait_keeps_real_time(void **state)
{
    struct fx *f = *state;
    struct bm_device_params p = {.cfg = f->cfg, .clock = &f->clock};
    struct bm_device *dev;
    assert_int_equal(bm_device_open(&waiting_driver, &p, &dev), BM_OK);
    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_device_reset(dev, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    assert_true(slow_runs_at_return >= 1);
    assert_true(slow_runs_at_return <= 15);
    bm_device_close(dev);
}

static void test_card_events_and_wipe(void **state)
{
    struct fx *f = *state;
    size_t live = bm_secbuf_live_count();
    struct bm_device *dev = fx_open(f, BM_CLASS_ID_READER);
    int mark = f->n_events;
    assert_int_equal(bm_sim_card_insert(dev, BM_SIM_CARD_ELDERLY), BM_OK);
    int e = fx_wait_event(f, mark, BM_EVENT_MEDIA_INSERTED);
    assert_true(e >= 0);
    struct bm_device_event *ev = f->events[e];
    assert_int_equal(ev->cls, BM_CLASS_ID_READER);
    assert_int_equal(ev->status.id_reader.media, BM_CARD_PRESENT);
    assert_non_null(ev->identity);
    assert_true(bm_identity_age(ev->identity, bm_clock_wall(&f->clock)) >= 65);
    assert_string_equal(bm_secbuf_str(ev->identity->valid_until), "长期");
    assert_true(bm_secbuf_live_count() > live);
    /* A status event says the card is there before the insert event (the device's own
     * "online" status may still arrive after mark on a slow machine: skip past it). */
    int s = -1;
    for (int i = mark; i < e && s < 0; i++)
        if (f->events[i]->kind == BM_EVENT_STATUS &&
            f->events[i]->status.id_reader.media == BM_CARD_PRESENT)
            s = i;
    assert_true(s >= 0 && s < e);
    assert_int_equal(f->events[s]->status.id_reader.sam, BM_SAM_OK);

    mark = f->n_events;
    assert_int_equal(bm_sim_card_remove(dev), BM_OK);
    e = fx_wait_event(f, mark, BM_EVENT_MEDIA_REMOVED);
    assert_true(e >= 0);
    assert_int_equal(f->events[e]->status.id_reader.media, BM_CARD_NOT_PRESENT);
    bm_device_close(dev);

    /* Freeing the events frees (and wipes) every buffer the card left. */
    for (int i = 0; i < f->n_events; i++)
        bm_device_event_free(f->events[i]);
    f->n_events = 0;
    assert_int_equal(bm_secbuf_live_count(), live);
}

static bool paper_low(const struct bm_device_status *st)
{
    return st->receipt.paper == BM_PAPER_LOW;
}

static void test_paper_events(void **state)
{
    struct fx *f = *state;
    struct bm_device *dev = fx_open(f, BM_CLASS_RECEIPT_PRINTER);
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.receipt.paper, BM_PAPER_FULL);
    assert_int_equal(st.receipt.cutter, BM_CUTTER_OK);

    int mark = f->n_events;
    assert_int_equal(bm_sim_printer(dev, BM_SIM_PAPER_LOW), BM_OK);
    assert_true(fx_wait_status(dev, paper_low));
    assert_true(fx_wait_event(f, mark, BM_EVENT_STATUS) >= 0);
    fx_pump(20);
    for (int i = mark; i < f->n_events; i++)
        assert_int_not_equal(f->events[i]->kind, BM_EVENT_ERROR); /* low is not an error */

    static const struct {
        enum bm_sim_printer_event ev;
        enum bm_paper paper;
        enum bm_device_state state;
        enum bm_err err;
        enum bm_fix fix;
    } steps[] = {
        {BM_SIM_PAPER_OUT, BM_PAPER_OUT, BM_DEVICE_ONLINE, BM_ERR_NO_MEDIA, BM_FIX_CLEAR},
        {BM_SIM_PAPER_JAM, BM_PAPER_JAMMED, BM_DEVICE_USER_ERROR, BM_ERR_MEDIA_JAM, BM_FIX_CLEAR},
        {BM_SIM_REFILL, BM_PAPER_FULL, BM_DEVICE_ONLINE, BM_OK, BM_FIX_NONE},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        mark = f->n_events;
        assert_int_equal(bm_sim_printer(dev, steps[i].ev), BM_OK);
        int s = fx_wait_event(f, mark, BM_EVENT_STATUS);
        assert_true(s >= 0);
        assert_int_equal(f->events[s]->status.receipt.paper, steps[i].paper);
        assert_int_equal(f->events[s]->status.device, steps[i].state);
        assert_int_equal(f->events[s]->status.error, steps[i].err);
        if (steps[i].err != BM_OK) {
            int e = fx_wait_event(f, mark, BM_EVENT_ERROR);
            assert_true(e >= 0);
            assert_int_equal(f->events[e]->err, steps[i].err);
            assert_int_equal(f->events[e]->fix, steps[i].fix);
            /* a job fails while it lasts, with the same fix */
            unsigned char bits[72 * 8] = {0};
            struct bm_receipt_job job = {.raster = {576, 8, 72, bits}, .cut = true};
            struct fx_cmd *k = fx_cmd(f);
            assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
            assert_true(fx_wait_cmd(k));
            assert_int_equal(k->c.err, steps[i].err);
            assert_int_equal(k->c.fix, steps[i].fix);
        }
    }

    /* Printed, presented, taken. */
    unsigned char bits[72 * 8];
    memset(bits, 0xAA, sizeof bits);
    struct bm_receipt_job job = {.raster = {576, 8, 72, bits}, .feed_dots = 40, .cut = true};
    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_receipt_printer_print(dev, &job, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    bm_device_get_status(dev, BM_CLASS_RECEIPT_PRINTER, &st);
    assert_int_equal(st.receipt.media, BM_PRINT_MEDIA_PRESENTED);
    mark = f->n_events;
    assert_int_equal(bm_sim_printer(dev, BM_SIM_RECEIPT_TAKEN), BM_OK);
    int t = fx_wait_event(f, mark, BM_EVENT_MEDIA_TAKEN);
    assert_true(t >= 0);
    assert_int_equal(f->events[t]->status.receipt.media, BM_PRINT_MEDIA_TAKEN);

    /* Script calls check the class. */
    assert_int_equal(bm_sim_card_insert(dev, BM_SIM_CARD_ADULT), BM_ERR_UNSUPPORTED);
    bm_device_close(dev);
}

static void test_barcode(void **state)
{
    struct fx *f = *state;
    size_t live = bm_secbuf_live_count();
    struct bm_device *dev = fx_open(f, BM_CLASS_BARCODE);

    /* Disabled: a code is not seen. */
    int mark = f->n_events;
    assert_int_equal(bm_sim_barcode_scan(dev, "ignored"), BM_OK);
    fx_pump(50);
    for (int i = mark; i < f->n_events; i++)
        assert_int_not_equal(f->events[i]->kind, BM_EVENT_CODE_READ);

    struct fx_cmd *k = fx_cmd(f);
    assert_int_equal(bm_barcode_enable(dev, true, fx_done, k, &k->id), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    mark = f->n_events;
    assert_int_equal(bm_sim_barcode_scan(dev, "https://example.invalid/a?b=1"), BM_OK);
    int e = fx_wait_event(f, mark, BM_EVENT_CODE_READ);
    assert_true(e >= 0);
    assert_true(f->events[e]->status.barcode.enabled);
    assert_int_equal(f->events[e]->code->symbology, BM_SYM_QR);
    assert_string_equal(bm_secbuf_str(f->events[e]->code->text), "https://example.invalid/a?b=1");

    /* Read one: the code goes to the read, not to an event. */
    k = fx_cmd(f);
    assert_int_equal(bm_barcode_read(dev, 10000, fx_done_code, k, &k->id), BM_OK);
    assert_true(fx_wait_running(dev, k->id));
    mark = f->n_events;
    assert_int_equal(bm_sim_barcode_scan(dev, "6901234567892"), BM_OK);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_OK);
    struct bm_barcode_read *code = k->result;
    k->result = NULL;
    assert_int_equal(code->symbology, BM_SYM_EAN13);
    assert_string_equal(bm_secbuf_str(code->text), "6901234567892");
    bm_barcode_read_free(code);
    for (int i = mark; i < f->n_events; i++)
        assert_int_not_equal(f->events[i]->kind, BM_EVENT_CODE_READ);

    /* Read one with nothing shown: times out on the device's clock. */
    k = fx_cmd(f);
    assert_int_equal(bm_barcode_read(dev, 3000, fx_done_code, k, &k->id), BM_OK);
    assert_true(fx_wait_running(dev, k->id));
    bm_clock_advance(&f->clock, 3000);
    assert_true(fx_wait_cmd(k));
    assert_int_equal(k->c.err, BM_ERR_TIMEOUT);
    bm_device_close(dev);
    for (int i = 0; i < f->n_events; i++)
        bm_device_event_free(f->events[i]);
    f->n_events = 0;
    assert_int_equal(bm_secbuf_live_count(), live);
}

int main(void)
{
    fx_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_and_error_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_while_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_with_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_keeps_real_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_events_and_wipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paper_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_barcode, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fx_global_fini();
    return rc;
}
