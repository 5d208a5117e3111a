/*
 * test_outbox_cli.c - the technicians' outbox commands through the real program
 * (bianmin --outbox status|dead|retry ID|export FILE) on an outbox holding two dead letters:
 * listed without their bodies, one queued again with its group, all exported with the
 * personal body still encrypted; bad commands and ids are refused with their exit codes, and
 * a kiosk with no outbox is told so without one being made.
 */
#include "program.h"
#include "test_support.h"

#include "services/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW_MS ((int64_t)1764460800000)

static char dir[4096], db[4200], key[4200], set_db[4300], set_key[4300];

/* Runs bianmin --set ... --outbox <words>; returns its exit code, *out its output. */
static int run(const char *cmd, const char *arg, char **out)
{
    const char *args[] = {"--set", set_db, "--set", set_key, "--outbox", cmd, arg, NULL};
    return bm_program_run(BM_PROGRAM, args, out);
}

static void make_outbox(void)
{
    struct bm_outbox_config oc = {.path = db, .key_path = key};
    struct bm_outbox *ob;
    assert_int_equal(bm_outbox_open(&oc, &ob), BM_OK);
    const char *personal = "{\"text\": \"打印机没有出纸\", \"contact_phone\": \"13800138000\"}";
    struct bm_outbox_put puts[2] = {
        {BM_OUTBOX_FEEDBACK, "feedback-1", NULL, true, personal, strlen(personal), NOW_MS},
        {BM_OUTBOX_RATING, "rating-1", NULL, false, "{\"score\": 9}", 12, NOW_MS}};
    for (int i = 0; i < 2; i++) {
        bool queued;
        assert_int_equal(bm_outbox_put(ob, &puts[i], &queued), BM_OK);
        struct bm_outbox_item it;
        assert_int_equal(bm_outbox_next(ob, NOW_MS, &it, NULL), BM_OK);
        assert_int_equal(bm_outbox_dead_letter(ob, it.id, 422, "invalid_request: score", NOW_MS),
                         BM_OK);
        bm_outbox_item_clear(&it);
    }
    bm_outbox_close(ob);
}

static uint64_t dead_left(uint64_t *queued)
{
    struct bm_outbox_config oc = {.path = db, .key_path = key};
    struct bm_outbox *ob;
    assert_int_equal(bm_outbox_open(&oc, &ob), BM_OK);
    struct bm_outbox_stats st;
    assert_int_equal(bm_outbox_stats(ob, &st), BM_OK);
    bm_outbox_close(ob);
    *queued = st.queued;
    return st.dead;
}

static void test_outbox_commands(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", bm_test_mkdtemp("outbox-cli"));
    snprintf(db, sizeof db, "%s/outbox.db", dir);
    snprintf(key, sizeof key, "%s/outbox.key", dir);
    snprintf(set_db, sizeof set_db, "sync.outbox=%s", db);
    snprintf(set_key, sizeof set_key, "sync.key_file=%s", key);

    /* No outbox yet: said so, and none made. */
    char *out = NULL;
    assert_int_equal(run("status", NULL, &out), 1);
    assert_non_null(strstr(out, "no outbox here"));
    free(out);
    assert_int_equal(access(db, F_OK), -1);
    assert_int_equal(access(key, F_OK), -1);

    make_outbox();
    assert_int_equal(run("status", NULL, &out), 0);
    assert_non_null(strstr(out, "queued: 0 items"));
    assert_non_null(strstr(out, "dead letters: 2"));
    free(out);

    /* Listed with their reasons, never their bodies. */
    assert_int_equal(run("dead", NULL, &out), 0);
    assert_non_null(strstr(out, "\tfeedback\tfeedback-1\t-\t"));
    assert_non_null(strstr(out, "\trating\trating-1\t-\t"));
    assert_non_null(strstr(out, "\t422\tinvalid_request: score\n"));
    assert_null(strstr(out, "13800138000"));
    assert_null(strstr(out, "score\": 9"));
    char *hit = strstr(out, "\trating-1\t"); /* its line starts with the id */
    while (hit > out && hit[-1] != '\n')
        hit--;
    long rating_id = strtol(hit, NULL, 10);
    free(out);
    assert_true(rating_id > 0);

    /* Exported: both, the personal body still sealed (no phone number in the clear). */
    char file[4300];
    snprintf(file, sizeof file, "%s/dead.jsonl", dir);
    assert_int_equal(run("export", file, &out), 0);
    free(out);
    size_t len;
    char *jsonl = bm_test_read_file(file, &len);
    assert_non_null(strstr(jsonl, "\"key\": \"feedback-1\", \"group\": \"\", \"encrypted\": true"));
    assert_non_null(strstr(jsonl, "\"key\": \"rating-1\""));
    assert_null(strstr(jsonl, "13800138000"));
    free(jsonl);
    assert_int_equal(run("export", file, &out), 1); /* never over an existing file */
    free(out);

    /* One queued again. */
    char id[32];
    snprintf(id, sizeof id, "%ld", rating_id);
    assert_int_equal(run("retry", id, &out), 0);
    assert_non_null(strstr(out, "queued again"));
    free(out);
    uint64_t queued;
    assert_int_equal(dead_left(&queued), 1);
    assert_int_equal(queued, 1);

    /* Refusals. */
    assert_int_equal(run("retry", id, &out), 1); /* not a dead letter any more */
    free(out);
    assert_int_equal(run("retry", "12x", &out), 2);
    free(out);
    assert_int_equal(run("export", NULL, &out), 2);
    assert_non_null(strstr(out, "needs its argument"));
    free(out);
    assert_int_equal(run("vacuum", NULL, &out), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_outbox_commands)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
