/*
 * test_cups_state.c - the CUPS driver's mapping of IPP printer attributes to the device model
 * (drivers/cups/cups_state.c): each reason family with each severity suffix, the worst-first
 * order when several hold, a stopped or rejecting queue (which outranks offline), why a job did
 * not complete, and what each IPP status cupsd refuses a request with means.
 */
#include "test_support.h"

#include "drivers/cups/cups_state.h"

#include <string.h>

static struct cups_status map(int state, bool accepting, const char *const *reasons, size_t n)
{
    struct cups_printer_info in = {.state = state, .accepting = accepting, .n_reasons = n};
    for (size_t i = 0; i < n; i++)
        in.reasons[i] = reasons[i];
    struct cups_status out;
    cups_state_map(&in, &out);
    return out;
}

#define MAP1(state, r) map(state, true, (const char *const[]){r}, 1)

static void test_idle_none(void **s)
{
    (void)s;
    struct cups_status st = MAP1(CUPS_PRINTER_IDLE, "none");
    assert_int_equal(st.device, BM_DEVICE_ONLINE);
    assert_int_equal(st.error, BM_OK);
    assert_int_equal(st.fix, BM_FIX_NONE);
    assert_int_equal(st.paper, BM_PAPER_FULL);
    assert_int_equal(st.toner, BM_TONER_FULL);
    assert_false(st.cover_open);
    assert_true(st.accepting_jobs);
    st = map(CUPS_PRINTER_PROCESSING, true, NULL, 0);
    assert_int_equal(st.device, BM_DEVICE_ONLINE);
    assert_int_equal(st.error, BM_OK);
}

static void test_paper_out_every_suffix(void **s)
{
    (void)s;
    const char *rs[] = {"media-empty", "media-empty-error", "media-empty-warning",
                        "media-empty-report", "media-needed-error"};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        struct cups_status st = MAP1(CUPS_PRINTER_IDLE, rs[i]);
        assert_int_equal(st.paper, BM_PAPER_OUT);
        assert_int_equal(st.error, BM_ERR_NO_MEDIA);
        assert_int_equal(st.fix, BM_FIX_CLEAR);
        assert_int_equal(st.device, BM_DEVICE_ONLINE);
        assert_non_null(strstr(st.detail, "paper out"));
        assert_non_null(strstr(st.detail, rs[i]));
    }
}

static void test_low_is_not_a_fault(void **s)
{
    (void)s;
    const char *rs[] = {"media-low", "media-low-report", "media-low-warning"};
    for (size_t i = 0; i < 3; i++) {
        struct cups_status st = MAP1(CUPS_PRINTER_IDLE, rs[i]);
        assert_int_equal(st.paper, BM_PAPER_LOW);
        assert_int_equal(st.error, BM_OK);
    }
    const char *ts[] = {"toner-low", "toner-low-report", "marker-supply-low-warning"};
    for (size_t i = 0; i < 3; i++) {
        struct cups_status st = MAP1(CUPS_PRINTER_IDLE, ts[i]);
        assert_int_equal(st.toner, BM_TONER_LOW);
        assert_int_equal(st.paper, BM_PAPER_FULL);
        assert_int_equal(st.error, BM_OK);
        assert_int_equal(st.device, BM_DEVICE_ONLINE);
    }
}

static void test_toner_out_jam_cover(void **s)
{
    (void)s;
    struct cups_status st = MAP1(CUPS_PRINTER_IDLE, "toner-empty-error");
    assert_int_equal(st.toner, BM_TONER_OUT);
    assert_int_equal(st.fix, BM_FIX_CLEAR);
    st = MAP1(CUPS_PRINTER_IDLE, "marker-supply-empty-warning");
    assert_int_equal(st.toner, BM_TONER_OUT);
    assert_non_null(strstr(st.detail, "toner out"));

    st = MAP1(CUPS_PRINTER_STOPPED, "media-jam-error");
    assert_int_equal(st.paper, BM_PAPER_JAMMED);
    assert_int_equal(st.device, BM_DEVICE_USER_ERROR);
    assert_int_equal(st.error, BM_ERR_MEDIA_JAM);
    assert_int_equal(st.fix, BM_FIX_CLEAR);

    const char *cs[] = {"cover-open", "cover-open-error", "door-open-warning", "interlock-open"};
    for (size_t i = 0; i < 4; i++) {
        st = MAP1(CUPS_PRINTER_IDLE, cs[i]);
        assert_true(st.cover_open);
        assert_int_equal(st.device, BM_DEVICE_USER_ERROR);
        assert_int_equal(st.fix, BM_FIX_CLEAR);
    }
}

static void test_offline_shutdown_stopped(void **s)
{
    (void)s;
    struct cups_status st = MAP1(CUPS_PRINTER_IDLE, "offline-report");
    assert_int_equal(st.device, BM_DEVICE_OFFLINE);
    assert_int_equal(st.fix, BM_FIX_SUSPEND);
    /* BM_ERR_SHUTDOWN is the device closing; a printer shut down needs a person. */
    st = MAP1(CUPS_PRINTER_IDLE, "shutdown");
    assert_int_equal(st.device, BM_DEVICE_OFFLINE);
    assert_int_equal(st.error, BM_ERR_DEVICE);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "shut down"));
    st = MAP1(CUPS_PRINTER_STOPPED, "paused");
    assert_int_equal(st.device, BM_DEVICE_OFFLINE);
    assert_int_equal(st.error, BM_ERR_STATE);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "stopped"));
    st = map(CUPS_PRINTER_STOPPED, true, NULL, 0); /* stopped without a reason */
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "queue stopped"));
    st = map(CUPS_PRINTER_IDLE, false, NULL, 0);
    assert_false(st.accepting_jobs);
    assert_int_equal(st.device, BM_DEVICE_OFFLINE);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "not accepting"));
}

static void test_worst_first(void **s)
{
    (void)s;
    /* Stopped because the paper ran out: loading paper is the fix, not a technician. */
    struct cups_status st =
        map(CUPS_PRINTER_STOPPED, true, (const char *const[]){"paused", "media-empty-error"}, 2);
    assert_int_equal(st.error, BM_ERR_NO_MEDIA);
    assert_int_equal(st.fix, BM_FIX_CLEAR);
    /* A jam is worse than paper out; both are in the fields. */
    st = map(CUPS_PRINTER_IDLE, true,
             (const char *const[]){"media-empty-error", "media-jam-error", "toner-low-report"}, 3);
    assert_int_equal(st.error, BM_ERR_MEDIA_JAM);
    assert_int_equal(st.paper, BM_PAPER_JAMMED);
    assert_int_equal(st.toner, BM_TONER_LOW);
    /* Offline beats the printer's other faults (they may be stale)... */
    st = map(CUPS_PRINTER_IDLE, true, (const char *const[]){"cover-open", "offline-report"}, 2);
    assert_int_equal(st.device, BM_DEVICE_OFFLINE);
    assert_int_equal(st.error, BM_ERR_NO_DEVICE);
    assert_int_equal(st.fix, BM_FIX_SUSPEND);
    assert_true(st.cover_open);
}

/* ...but not a stopped, paused or rejecting queue: that stays so when the printer comes back,
 * so it is a technician's, never a wait. */
static void test_stopped_beats_offline(void **s)
{
    (void)s;
    struct cups_status st =
        map(CUPS_PRINTER_IDLE, false, (const char *const[]){"offline-report"}, 1);
    assert_int_equal(st.device, BM_DEVICE_OFFLINE);
    assert_int_equal(st.error, BM_ERR_STATE);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "not accepting"));
    assert_false(st.accepting_jobs);
    /* with offline out of the way the usual order holds: the open cover first, for staff */
    st = map(CUPS_PRINTER_IDLE, false, (const char *const[]){"cover-open", "offline-report"}, 2);
    assert_int_equal(st.device, BM_DEVICE_USER_ERROR);
    assert_int_equal(st.fix, BM_FIX_CLEAR);
    const char *stops[] = {"paused", "stopped", "moving-to-paused-report"};
    for (size_t i = 0; i < 3; i++) {
        st = map(CUPS_PRINTER_STOPPED, true, (const char *const[]){"offline-report", stops[i]}, 2);
        assert_int_equal(st.error, BM_ERR_STATE);
        assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
        assert_non_null(strstr(st.detail, "queue stopped"));
    }
    /* printer-state stopped without a reason, offline after it */
    st = MAP1(CUPS_PRINTER_STOPPED, "offline");
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    st = MAP1(CUPS_PRINTER_STOPPED, "timed-out-report");
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    /* paper out still explains a stop best (fix clear), offline or not */
    st = map(CUPS_PRINTER_STOPPED, true,
             (const char *const[]){"offline-report", "paused", "media-empty-error"}, 3);
    assert_int_equal(st.error, BM_ERR_NO_MEDIA);
    assert_int_equal(st.fix, BM_FIX_CLEAR);
}

static void test_refusal_table(void **s)
{
    (void)s;
    struct {
        int status;
        enum bm_device_state device;
        enum bm_err err;
        enum bm_fix fix;
    } want[] = {
        {0x0506, BM_DEVICE_OFFLINE, BM_ERR_STATE, BM_FIX_MAINTENANCE},  /* not-accepting-jobs */
        {0x0401, BM_DEVICE_OFFLINE, BM_ERR_CONFIG, BM_FIX_MAINTENANCE}, /* forbidden */
        {0x0402, BM_DEVICE_OFFLINE, BM_ERR_CONFIG, BM_FIX_MAINTENANCE}, /* not-authenticated */
        {0x0403, BM_DEVICE_OFFLINE, BM_ERR_CONFIG, BM_FIX_MAINTENANCE}, /* not-authorized */
        {0x1000, BM_DEVICE_OFFLINE, BM_ERR_CONFIG, BM_FIX_MAINTENANCE}, /* auth cancelled */
        {0x0406, BM_DEVICE_NO_DEVICE, BM_ERR_NO_DEVICE, BM_FIX_MAINTENANCE},   /* not-found */
        {0x0507, BM_DEVICE_BUSY, BM_ERR_BUSY, BM_FIX_SUSPEND},                 /* busy */
        {0x0404, BM_DEVICE_BUSY, BM_ERR_BUSY, BM_FIX_SUSPEND},                 /* not-possible */
        {0x0505, BM_DEVICE_BUSY, BM_ERR_BUSY, BM_FIX_SUSPEND},                 /* temporary */
        {0x040A, BM_DEVICE_HARDWARE_ERROR, BM_ERR_CONFIG, BM_FIX_MAINTENANCE}, /* no PDF */
        {0x0411, BM_DEVICE_ONLINE, BM_ERR_PARSE, BM_FIX_NONE}, /* document-format-error */
        {0x0400, BM_DEVICE_HARDWARE_ERROR, BM_ERR_DEVICE, BM_FIX_MAINTENANCE}, /* bad-request */
        {0x0500, BM_DEVICE_HARDWARE_ERROR, BM_ERR_DEVICE, BM_FIX_MAINTENANCE}, /* internal */
        {0x0501, BM_DEVICE_HARDWARE_ERROR, BM_ERR_DEVICE, BM_FIX_MAINTENANCE}, /* op unsupp. */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct cups_refusal r = cups_state_refusal(want[i].status);
        print_message("0x%04x -> %s\n", (unsigned)want[i].status, r.what);
        assert_int_equal(r.device, want[i].device);
        assert_int_equal(r.err, want[i].err);
        assert_int_equal(r.fix, want[i].fix);
        assert_non_null(r.what);
        /* never our own codes for a printer's refusal */
        assert_int_not_equal(r.err, BM_ERR_SHUTDOWN);
        assert_int_not_equal(r.err, BM_OK);
    }
    assert_string_equal(cups_state_refusal(CUPS_IPP_NOT_ACCEPTING).what,
                        "queue not accepting jobs");
}

static void test_unknown_reasons(void **s)
{
    (void)s;
    /* Warnings we do not know are not faults; an explicit -error is, for a technician. */
    struct cups_status st = MAP1(CUPS_PRINTER_IDLE, "cups-missing-filter-warning");
    assert_int_equal(st.error, BM_OK);
    st = MAP1(CUPS_PRINTER_IDLE, "connecting-to-device");
    assert_int_equal(st.error, BM_OK);
    st = MAP1(CUPS_PRINTER_IDLE, "fuser-over-temp-error");
    assert_int_equal(st.device, BM_DEVICE_HARDWARE_ERROR);
    assert_int_equal(st.error, BM_ERR_DEVICE);
    assert_int_equal(st.fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(st.detail, "fuser-over-temp-error"));
}

static void test_job_failure(void **s)
{
    (void)s;
    enum bm_err err;
    enum bm_fix fix;
    char d[96];
    struct cups_printer_info p = {.state = CUPS_PRINTER_STOPPED,
                                  .accepting = true,
                                  .reasons = {"media-empty-error"},
                                  .n_reasons = 1};
    const char *jr[] = {"job-printing"};
    cups_state_job_failure(CUPS_JOB_STOPPED, jr, 1, &p, &err, &fix, d, sizeof d);
    assert_int_equal(err, BM_ERR_NO_MEDIA);
    assert_int_equal(fix, BM_FIX_CLEAR);
    assert_non_null(strstr(d, "stopped"));
    assert_non_null(strstr(d, "paper out"));

    struct cups_printer_info ok = {.state = CUPS_PRINTER_IDLE, .accepting = true};
    const char *ab[] = {"job-aborted-by-system"};
    cups_state_job_failure(CUPS_JOB_ABORTED, ab, 1, &ok, &err, &fix, d, sizeof d);
    assert_int_equal(err, BM_ERR_DEVICE);
    assert_int_equal(fix, BM_FIX_MAINTENANCE);
    assert_non_null(strstr(d, "aborted: job-aborted-by-system"));

    const char *cn[] = {"job-canceled-by-operator"};
    cups_state_job_failure(CUPS_JOB_CANCELED, cn, 1, NULL, &err, &fix, d, sizeof d);
    assert_int_equal(err, BM_ERR_CANCELLED);
    const char *df[] = {"document-format-error"};
    cups_state_job_failure(CUPS_JOB_ABORTED, df, 1, NULL, &err, &fix, d, sizeof d);
    assert_int_equal(err, BM_ERR_PARSE);
    cups_state_job_failure(CUPS_JOB_ABORTED, NULL, 0, NULL, &err, &fix, d, sizeof d);
    assert_int_equal(err, BM_ERR_DEVICE);
    assert_non_null(strstr(d, "no reason"));
    assert_string_equal(cups_job_state_name(CUPS_JOB_COMPLETED), "completed");
    assert_string_equal(cups_job_state_name(42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_none),
        cmocka_unit_test(test_paper_out_every_suffix),
        cmocka_unit_test(test_low_is_not_a_fault),
        cmocka_unit_test(test_toner_out_jam_cover),
        cmocka_unit_test(test_offline_shutdown_stopped),
        cmocka_unit_test(test_worst_first),
        cmocka_unit_test(test_stopped_beats_offline),
        cmocka_unit_test(test_refusal_table),
        cmocka_unit_test(test_unknown_reasons),
        cmocka_unit_test(test_job_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
