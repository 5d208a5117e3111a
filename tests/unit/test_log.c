/*
 * test_log.c - logging: priority prefixes, level filter, file lines, truncation, whole lines
 * under concurrency, and above all that personal data pushed through every log path (bm_log,
 * bm_logv, the level macros, bm_log_err with an error detail, bm_log_fields) reaches neither
 * stderr nor the log file -- not whole, not as any 6-digit fragment -- while the rest of each
 * message does.
 */
#include "test_support.h"

#include "core/err.h"
#include "core/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ID18 = "11010519491231002X";
static const char *const ID18_DIGITS = "110105194912310021"; /* an all-digit one */
static const char *const ID15 = "110105491231002";
static const char *const ID_SPACED = "440301 19850612 443X";
static const char *const NAME = "张三丰";
static const char *const ADDRESS = "幸福街道88号3单元";
/* Mobiles in the spellings residents and forms use. */
static const char *const MOBILES[] = {
    "13912345678",   "+86 150 8765 4321", "86-186-0000-1111", "138-2468-1357",
    "177 3579 2468", "+8615900112233",    "8613322446688",   "0086 135 1122 3344",
};
#define N_MOBILES (sizeof MOBILES / sizeof *MOBILES)

struct capture {
    char dir[4096];
    char err_path[4200];
    char log_path[4200];
    int saved_stderr;
};

/* Sends fd 2 into a file and the log into another; stop_capture puts stderr back. */
static void start_capture(struct capture *c, const char *prefix)
{
    snprintf(c->dir, sizeof c->dir, "%s", bm_test_mkdtemp(prefix));
    snprintf(c->err_path, sizeof c->err_path, "%s/stderr.txt", c->dir);
    snprintf(c->log_path, sizeof c->log_path, "%s/bianmin.log", c->dir);
    int fd = open(c->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    fflush(stderr);
    c->saved_stderr = dup(STDERR_FILENO);
    assert_true(c->saved_stderr >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
    assert_int_equal(bm_log_set_file(c->log_path), BM_OK);
    bm_log_set_stderr(1);
}

static void stop_capture(struct capture *c)
{
    bm_log_shutdown();
    fflush(stderr);
    dup2(c->saved_stderr, STDERR_FILENO);
    close(c->saved_stderr);
}

/* Fails naming the needle and which output held it. */
static void assert_absent(const char *hay, const char *needle, const char *where)
{
    if (strstr(hay, needle)) {
        fprintf(stderr, "personal data \"%s\" leaked into %s:\n%s\n", needle, where, hay);
        fail();
    }
}

static void assert_present(const char *hay, const char *needle, const char *where)
{
    if (!strstr(hay, needle)) {
        fprintf(stderr, "\"%s\" missing from %s:\n%s\n", needle, where, hay);
        fail();
    }
}

/* The value itself, its digits alone, and every run of 6+ of those digits. */
static void assert_no_trace(const char *hay, const char *value, const char *where)
{
    assert_absent(hay, value, where);
    char digits[64];
    size_t n = 0;
    for (const char *p = value; *p && n < sizeof digits - 1; p++)
        if ((*p >= '0' && *p <= '9') || *p == 'X')
            digits[n++] = *p;
    digits[n] = '\0';
    for (size_t len = 6; len <= n; len++)
        for (size_t at = 0; at + len <= n; at++) {
            char frag[64];
            memcpy(frag, digits + at, len);
            frag[len] = '\0';
            assert_absent(hay, frag, where);
        }
}

static void log_via_v(enum bm_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_via_v(enum bm_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_logv(level, module, fmt, ap);
    va_end(ap);
}

static void test_redaction_every_path(void **state)
{
    (void)state;
    struct capture c;
    start_capture(&c, "log-pii");
    bm_log_set_level(BM_LOG_DEBUG);

    bm_log(BM_LOG_INFO, "id_reader", "card read MARK-LOG id=%s old=%s", ID18, ID15);
    bm_log(BM_LOG_INFO, "id_reader", "digits MARK-DIGITS %s and spaced %s", ID18_DIGITS,
           ID_SPACED);
    log_via_v(BM_LOG_NOTICE, "flow", "MARK-LOGV resident %s phone %s", ID15, MOBILES[0]);
    for (size_t i = 0; i < N_MOBILES; i++)
        bm_log_info("sms", "MARK-MOBILE-%zu send to %s now", i, MOBILES[i]);
    bm_log_error("ui", "MARK-ERROR %s", ID18);
    bm_log_warn("ui", "MARK-WARN %s", MOBILES[1]);
    bm_log_debug("ui", "MARK-DEBUG %s", MOBILES[2]);
    bm_log_notice("ui", "MARK-NOTICE id:%s;", ID18);

    enum bm_err e = bm_err_set(BM_ERR_DEVICE, "reader returned card %s for %s", ID18, MOBILES[3]);
    bm_log_err(BM_LOG_ERROR, "id_reader", e, "MARK-ERR read card");

    const struct bm_log_field fields[] = {
        BM_FIELD("service", "housing-MARK-FIELD"),
        BM_FIELD_PERSONAL("resident", NAME),
        BM_FIELD("address", ADDRESS),    /* personal by its key, though unmarked */
        BM_FIELD("Contact_Phone", MOBILES[4]),
        BM_FIELD("id_number", ID18),
        BM_FIELD("note", "old card 110105491231002 seen"), /* scanned like any text */
        BM_FIELD("birth_date", "1949-12-31"),
        BM_FIELD("name", NAME),
        BM_FIELD("step", "scan MARK-STEP"),
    };
    bm_log_fields(BM_LOG_INFO, "flow", "MARK-FIELDS submitted", fields,
                  sizeof fields / sizeof *fields);
    stop_capture(&c);

    char *err = bm_test_read_file(c.err_path, NULL);
    char *file = bm_test_read_file(c.log_path, NULL);
    assert_non_null(err);
    assert_non_null(file);
    const char *outs[2] = {err, file};
    const char *names[2] = {"stderr", "the log file"};
    for (int o = 0; o < 2; o++) {
        const char *out = outs[o];
        assert_no_trace(out, ID18, names[o]);
        assert_no_trace(out, ID18_DIGITS, names[o]);
        assert_no_trace(out, ID15, names[o]);
        assert_no_trace(out, ID_SPACED, names[o]);
        for (size_t i = 0; i < N_MOBILES; i++)
            assert_no_trace(out, MOBILES[i], names[o]);
        assert_absent(out, NAME, names[o]);
        assert_absent(out, ADDRESS, names[o]);
        assert_absent(out, "1949-12-31", names[o]);

        const char *marks[] = {"MARK-LOG id=[id] old=[id]", "MARK-DIGITS [id] and spaced [id]",
                               "MARK-LOGV resident [id] phone [phone]", "MARK-ERROR [id]",
                               "MARK-WARN [phone]", "MARK-DEBUG [phone]",
                               "MARK-NOTICE id:[id];",
                               "MARK-ERR read card: BM_ERR_DEVICE: reader returned card [id] for "
                               "[phone]",
                               "flow: MARK-FIELDS submitted service=housing-MARK-FIELD "
                               "resident=[personal] address=[personal] Contact_Phone=[personal] "
                               "id_number=[personal] note=\"old card [id] seen\" "
                               "birth_date=[personal] name=[personal] step=\"scan MARK-STEP\""};
        for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
            assert_present(out, marks[i], names[o]);
        for (size_t i = 0; i < N_MOBILES; i++) {
            char mark[64];
            snprintf(mark, sizeof mark, "MARK-MOBILE-%zu send to [phone] now", i);
            assert_present(out, mark, names[o]);
        }
    }
    /* stderr lines carry the journald priority, the file an ISO-8601 time and the level. */
    assert_present(err, "<6>id_reader: card read MARK-LOG", "stderr");
    assert_present(err, "<5>flow: MARK-LOGV", "stderr");
    assert_present(err, "<3>ui: MARK-ERROR", "stderr");
    assert_present(err, "<4>ui: MARK-WARN", "stderr");
    assert_present(err, "<7>ui: MARK-DEBUG", "stderr");
    assert_present(err, "<3>id_reader: MARK-ERR", "stderr");
    for (char *line = err; *line;) {
        assert_true(line[0] == '<' && line[1] >= '3' && line[1] <= '7' && line[2] == '>');
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        line = nl + 1;
    }
    for (char *line = file; *line;) {
        /* 2024-05-01T12:30:45.123+08:00 info module: ... */
        assert_true(strlen(line) > 30);
        assert_true(line[4] == '-' && line[7] == '-' && line[10] == 'T' && line[13] == ':' &&
                    line[16] == ':' && line[19] == '.' && (line[23] == '+' || line[23] == '-') &&
                    line[26] == ':' && line[29] == ' ');
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        line = nl + 1;
    }
    assert_present(file, " info id_reader: card read MARK-LOG", "the log file");
    assert_present(file, " error ui: MARK-ERROR", "the log file");

    struct stat st;
    assert_int_equal(stat(c.log_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(err);
    free(file);
    bm_log_set_level(BM_LOG_INFO);
}

static void test_redact_cases(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"id 11010519491231002X ok", "id [id] ok"},
        {"id 11010519491231002x.", "id [id]."},
        {"ID11010519491231002Xabc", "ID[id]abc"},
        {"old 110105491231002", "old [id]"},
        {"m 13812345678", "m [phone]"},
        {"+86 138 1234 5678", "[phone]"},
        {"tel:+86-138-1234-5678;", "tel:[phone];"},
        {"(+86)13812345678", "(+86)[phone]"},
        {"call 138 1234 5678 now", "call [phone] now"},
        {"9 138 1234 5678", "[phone]"}, /* judged as one chain, masked whole */
        {"x12440301 19850612 443Xy", "x[number]y"},
        {"0086 135 1122 3344", "[phone]"},
        {"ports 8080 8081 8082 8083", "ports [number]"}, /* the documented price */
        {"ports 8080, 8081, 8082, 8083", "ports 8080, 8081, 8082, 8083"},
        {"110105 19491231 002X", "[id]"},
        {"card 6222021234567890123 used", "card [number] used"},
        {"20 digits 12345678901234567890 end", "20 digits [number] end"},
        {"16 digits 1234567890123456", "16 digits [number]"},
        {"long 1101051949123100211010519491231002X", "long [number]"},
        {"013812345678", "[phone]"},
        {"2024-05-01 12:30:45 width 1080 1920 dpi 96", "2024-05-01 12:30:45 width 1080 1920 dpi 96"},
        {"port 8080, 1234567890 bytes", "port 8080, 1234567890 bytes"},
        {"version 0.1.0 code 12345", "version 0.1.0 code 12345"},
        {"", ""},
    };
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = bm_log_redact(cases[i].in, buf, sizeof buf);
        if (strcmp(buf, cases[i].out) != 0) {
            fprintf(stderr, "redact(\"%s\") = \"%s\", want \"%s\"\n", cases[i].in, buf,
                    cases[i].out);
            fail();
        }
        assert_int_equal(n, strlen(buf));
    }
    /* A small destination cuts the redacted text, never the original. */
    char small[6];
    bm_log_redact("11010519491231002X", small, sizeof small);
    assert_string_equal(small, "[id]");
    bm_log_redact("ab 13812345678", small, sizeof small);
    assert_string_equal(small, "ab [p");
}

/* Any mix of digits, spaces and dashes: what survives never holds 6+ digits of an ID. */
static void test_redact_id_everywhere(void **state)
{
    (void)state;
    const char *pads[] = {"", "1", "12", "123 ", "9-", "0 ", "7777777 ", "X", "a", " 1 2 3 "};
    char in[256], out[256];
    for (size_t a = 0; a < sizeof pads / sizeof *pads; a++)
        for (size_t b = 0; b < sizeof pads / sizeof *pads; b++) {
            const char *ids[] = {ID18, ID18_DIGITS, ID15, ID_SPACED};
            for (size_t k = 0; k < 4; k++) {
                snprintf(in, sizeof in, "x%s%s%sy", pads[a], ids[k],
                         pads[b][0] == 'X' ? "" : pads[b]);
                bm_log_redact(in, out, sizeof out);
                assert_no_trace(out, ids[k], in);
            }
        }
}

static void test_level_filter(void **state)
{
    (void)state;
    enum bm_log_level l;
    assert_int_equal(bm_log_level_parse("notice", &l), BM_OK);
    assert_int_equal(l, BM_LOG_NOTICE);
    assert_int_equal(bm_log_level_parse("verbose", &l), BM_ERR_INVALID_ARG);
    assert_string_equal(bm_log_level_name(BM_LOG_WARN), "warn");

    struct capture c;
    start_capture(&c, "log-level");
    bm_log_set_level(BM_LOG_WARN);
    assert_int_equal(bm_log_get_level(), BM_LOG_WARN);
    bm_log_info("t", "FILTERED-INFO");
    bm_log_debug("t", "FILTERED-DEBUG");
    bm_log_notice("t", "FILTERED-NOTICE");
    bm_log_err(BM_LOG_INFO, "t", BM_ERR_IO, "FILTERED-ERR");
    bm_log_fields(BM_LOG_DEBUG, "t", "FILTERED-FIELDS", NULL, 0);
    bm_log_warn("t", "KEPT-WARN");
    bm_log_error("t", "KEPT-ERROR");
    bm_log_set_stderr(0);
    bm_log_error("t", "FILE-ONLY");
    bm_log_set_stderr(1);
    bm_err_clear();
    bm_log_err(BM_LOG_ERROR, "t", BM_ERR_TIMEOUT, "NO-DETAIL");
    stop_capture(&c);
    bm_log_set_level(BM_LOG_INFO);

    char *err = bm_test_read_file(c.err_path, NULL);
    char *file = bm_test_read_file(c.log_path, NULL);
    assert_non_null(err);
    assert_non_null(file);
    assert_null(strstr(err, "FILTERED"));
    assert_null(strstr(file, "FILTERED"));
    assert_non_null(strstr(err, "<4>t: KEPT-WARN\n"));
    assert_non_null(strstr(err, "<3>t: KEPT-ERROR\n"));
    assert_non_null(strstr(err, "<3>t: NO-DETAIL: BM_ERR_TIMEOUT: timed out\n"));
    assert_null(strstr(err, "FILE-ONLY"));
    assert_non_null(strstr(file, "FILE-ONLY"));
    free(err);
    free(file);

    assert_int_equal(bm_log_set_file("/nonexistent-dir/x.log"), BM_ERR_IO);
}

static void test_truncation(void **state)
{
    (void)state;
    struct capture c;
    start_capture(&c, "log-trunc");
    static char big[20000];
    memset(big, 'a', sizeof big - 1);
    bm_log_info("t", "BIG %s", big);
    /* An ID right at the point where formatting cuts must not survive in part. */
    static char edge[9000];
    for (size_t cut = 8170; cut < 8200; cut += 3) {
        memset(edge, 'b', cut);
        snprintf(edge + cut, sizeof edge - cut, "%s tail", ID18_DIGITS);
        bm_log_info("t", "%s", edge);
    }
    /* Multi-byte text is cut at a character boundary. */
    static char cjk[6000];
    cjk[0] = '\0';
    for (int i = 0; i < 1500; i++)
        memcpy(cjk + 3 * i, "中", 4);
    bm_log_info("t", "%s", cjk);
    stop_capture(&c);

    char *err = bm_test_read_file(c.err_path, NULL);
    char *file = bm_test_read_file(c.log_path, NULL);
    assert_non_null(err);
    assert_non_null(file);
    char *outs[2] = {err, file};
    for (int o = 0; o < 2; o++) {
        int lines = 0;
        for (char *line = outs[o]; *line; lines++) {
            char *nl = strchr(line, '\n');
            assert_non_null(nl);
            assert_true(nl - line + 1 <= 2048);
            *nl = '\0';
            assert_non_null(strstr(line, " [...truncated]"));
            /* no broken UTF-8 before the marker */
            char *mark = strstr(line, " [...truncated]");
            assert_true(((unsigned char)mark[-1] & 0x80) == 0 || ((unsigned char)mark[-3] == 0xE4));
            *nl = '\n';
            line = nl + 1;
        }
        assert_int_equal(lines, 1 + 10 + 1);
        assert_no_trace(outs[o], ID18_DIGITS, o ? "the log file" : "stderr");
    }
    free(err);
    free(file);
}

#define THREADS 8
#define LINES_PER_THREAD 300

static void *log_thread(void *arg)
{
    int t = (int)(intptr_t)arg;
    char pad[201];
    memset(pad, 'a' + t, 200);
    pad[200] = '\0';
    for (int i = 0; i < LINES_PER_THREAD; i++)
        bm_log_info("thr", "T%d L%d %s END", t, i, pad);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct capture c;
    start_capture(&c, "log-threads");
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, log_thread, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    stop_capture(&c);

    char *paths[2] = {c.err_path, c.log_path};
    for (int o = 0; o < 2; o++) {
        char *text = bm_test_read_file(paths[o], NULL);
        assert_non_null(text);
        int counts[THREADS] = {0};
        int lines = 0;
        for (char *line = text; *line; lines++) {
            char *nl = strchr(line, '\n');
            assert_non_null(nl);
            *nl = '\0';
            char *t = strstr(line, "thr: T");
            assert_non_null(t);
            int tid = -1, li = -1;
            assert_int_equal(sscanf(t, "thr: T%d L%d", &tid, &li), 2);
            assert_true(tid >= 0 && tid < THREADS);
            assert_int_equal(li, counts[tid]); /* each thread's lines in order, none lost */
            counts[tid]++;
            assert_true(nl - line > 200);
            assert_string_equal(nl - 4, " END");
            assert_null(strstr(t + 1, "thr:")); /* nothing of another line inside */
            line = nl + 1;
        }
        assert_int_equal(lines, THREADS * LINES_PER_THREAD);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redaction_every_path),
        cmocka_unit_test(test_redact_cases),
        cmocka_unit_test(test_redact_id_everywhere),
        cmocka_unit_test(test_level_filter),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
