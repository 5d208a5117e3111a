/*
 * test_journey.c - the journey parser (app/flow/journey.c): every keyword in its shapes, with
 * quotes, comments, CRLF and a byte-order mark; and bad input, each refused with the file
 * name, the line number and what is wrong, never half a journey. Also the journeys shipped
 * in journeys/ all parse (a typo there would otherwise only show in the e2e run).
 */
#include "test_support.h"

#include "flow/journey.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

static struct bm_journey *parse_ok(const char *text)
{
    struct bm_journey *j = NULL;
    enum bm_err err = bm_journey_parse(text, strlen(text), "t.journey", &j);
    if (err != BM_OK)
        fprintf(stderr, "unexpected error: %s\n", bm_err_detail());
    assert_int_equal(err, BM_OK);
    assert_non_null(j);
    return j;
}

/* Parsing fails with a detail that contains want (e.g. "t.journey:3: "). */
static void parse_bad(const char *text, size_t len, const char *want)
{
    struct bm_journey *j = (struct bm_journey *)1;
    assert_int_equal(bm_journey_parse(text, len, "t.journey", &j), BM_ERR_PARSE);
    assert_null(j);
    if (!strstr(bm_err_detail(), want)) {
        fprintf(stderr, "detail '%s' lacks '%s'\n", bm_err_detail(), want);
        fail();
    }
}

static void bad(const char *text, const char *want)
{
    parse_bad(text, strlen(text), want);
}

static void test_every_keyword(void **state)
{
    (void)state;
    struct bm_journey *j = parse_ok("\xef\xbb\xbf# a resident's first visit\r\n"
                                    "\n"
                                    "  tap attract.start  \r\n"
                                    "wait screen home\n"
                                    "wait screen help 2.5\n"
                                    "expect text \"您好，欢迎自助办事\"\n"
                                    "expect text \"say \\\"hi\\\" \\\\ there\" 4\n"
                                    "expect no text \"Hello\" 0.25\n"
                                    "expect element home.language\n"
                                    "expect language en 3\n"
                                    "card elderly\n"
                                    "card\n"
                                    "remove card\n"
                                    "scan pages/form.png\n"
                                    "scan\n"
                                    "remove page\n"
                                    "code \"ABC 123\"\n"
                                    "voice on\n"
                                    "demo doc paper-out\n"
                                    "wait printed receipt 60\n"
                                    "wait printed document\n"
                                    "\twait 20");
    assert_string_equal(bm_journey_name(j), "t.journey");
    assert_string_equal(bm_journey_dir(j), ".");
    static const struct {
        enum bm_journey_op op;
        unsigned line;
        const char *arg;
        unsigned timeout_ms;
    } want[] = {
        {BM_JOURNEY_TAP, 3, "attract.start", 0},
        {BM_JOURNEY_WAIT_SCREEN, 4, "home", BM_JOURNEY_DEFAULT_TIMEOUT_MS},
        {BM_JOURNEY_WAIT_SCREEN, 5, "help", 2500},
        {BM_JOURNEY_EXPECT_TEXT, 6, "您好，欢迎自助办事", BM_JOURNEY_DEFAULT_TIMEOUT_MS},
        {BM_JOURNEY_EXPECT_TEXT, 7, "say \"hi\" \\ there", 4000},
        {BM_JOURNEY_EXPECT_NO_TEXT, 8, "Hello", 250},
        {BM_JOURNEY_EXPECT_ELEMENT, 9, "home.language", BM_JOURNEY_DEFAULT_TIMEOUT_MS},
        {BM_JOURNEY_EXPECT_LANGUAGE, 10, "en", 3000},
        {BM_JOURNEY_CARD, 11, "elderly", 0},
        {BM_JOURNEY_CARD, 12, "", 0},
        {BM_JOURNEY_REMOVE_CARD, 13, "", 0},
        {BM_JOURNEY_SCAN, 14, "pages/form.png", 0},
        {BM_JOURNEY_SCAN, 15, "", 0},
        {BM_JOURNEY_REMOVE_PAGE, 16, "", 0},
        {BM_JOURNEY_CODE, 17, "ABC 123", 0},
        {BM_JOURNEY_VOICE, 18, "on", 0},
        {BM_JOURNEY_DEMO, 19, "doc paper-out", 0},
        {BM_JOURNEY_WAIT_PRINTED, 20, "receipt", 60000},
        {BM_JOURNEY_WAIT_PRINTED, 21, "document", BM_JOURNEY_DEFAULT_TIMEOUT_MS},
        {BM_JOURNEY_WAIT, 22, "", 20000},
    };
    size_t n = sizeof want / sizeof want[0];
    assert_int_equal(bm_journey_count(j), n);
    for (size_t i = 0; i < n; i++) {
        const struct bm_journey_step *st = bm_journey_step(j, i);
        assert_int_equal(st->op, want[i].op);
        assert_int_equal(st->line, want[i].line);
        assert_string_equal(st->arg, want[i].arg);
        assert_int_equal(st->timeout_ms, want[i].timeout_ms);
    }
    assert_null(bm_journey_step(j, n));
    assert_string_equal(bm_journey_op_name(BM_JOURNEY_EXPECT_NO_TEXT), "expect no text");
    bm_journey_free(j);
}

static void test_bad_lines_say_where_and_why(void **state)
{
    (void)state;
    bad("tap attract.start\n\ntapp home.language\n", "t.journey:3: unknown keyword 'tapp'");
    bad("tap\n", "t.journey:1: expected: tap ELEMENT");
    bad("tap a b\n", ":1: expected: tap ELEMENT");
    bad("tap \"home.help\"\n", ":1: an element is a name, not a quoted text");
    bad("wait screen\n", ":1: expected: wait screen NAME [SECONDS]");
    bad("wait screen home soon\n", ":1: 'soon' is not a number of seconds");
    bad("wait screen home 0\n", ":1: a time of 0 seconds");
    bad("wait screen home 3601\n", ":1: 3601 seconds is too long");
    bad("wait screen home 99999999999999999999\n", "is too long");
    bad("wait screen home 1.2345\n", ":1: '1.2345': at most three decimals");
    bad("wait screen home 1.\n", "is not a number of seconds");
    bad("wait screen home -1\n", "is not a number of seconds");
    bad("wait\n", ":1: expected: wait SECONDS");
    bad("wait 1 2\n", ":1: expected: wait SECONDS");
    bad("wait printed\n", ":1: expected: wait printed receipt|document");
    bad("wait printed photo\n", ":1: wait printed: 'photo' is not receipt or document");
    bad("expect text 您好\n", ":1: the text goes in double quotes");
    bad("expect text \"\"\n", ":1: an empty text is on every screen");
    bad("expect text \"您好\n", ":1: a quote is not closed");
    bad("expect text \"您好\"5\n", ":1: a closing quote must be followed by a space");
    bad("expect text \"a\\b\"\n", ":1: in quotes, a backslash");
    bad("expect text ab\"c\"\n", ":1: a quote inside a word");
    bad("expect no text\n", ":1: expected: expect no text \"TEXT\"");
    bad("expect no text \"x\" 1 2\n", ":1: expected: expect no text \"TEXT\" [SECONDS]");
    bad("expect\n", ":1: expected: expect text|no text|element|language");
    bad("expect colour red\n", ":1: expected: expect text|no text");
    bad("expect language fr\n", ":1: expect language: 'fr' is not zh_CN or en");
    bad("expect element\n", ":1: expected: expect element NAME");
    bad("card adult elderly\n", ":1: expected: card [adult|");
    bad("remove\n", ":1: expected: remove card, or remove page");
    bad("remove printer\n", ":1: expected: remove card, or remove page");
    bad("scan a.png b.png\n", ":1: expected: scan [PAGE.png]");
    bad("code\n", ":1: expected: code TEXT");
    bad("voice loud\n", ":1: voice: 'loud' is not on or off");
    bad("demo\n", ":1: expected: demo COMMAND");
    bad("demo quit\n", ":1: demo quit: a journey ends at its last line");
    bad("demo journey other.journey\n", ":1: demo journey: a journey ends at its last line");
    bad("\"tap\" x\n", ":1: a line starts with a keyword");
    bad("a b c d e f g h i\n", ":1: too many words (at most 8)");
    bad("tap a\x01\n", ":1: a control character (0x01)");
    bad("tap a\x7f\n", ":1: a control character (0x7f)");
    bad("tap \xff\n", ":1: not UTF-8");
    bad("tap \xe4\xbd\n", ":1: not UTF-8");
    bad("tap \xc0\xaf\n", ":1: not UTF-8");         /* overlong '/' */
    bad("tap \xed\xa0\x80\n", ":1: not UTF-8");     /* a surrogate */
    bad("tap \xf4\x90\x80\x80\n", ":1: not UTF-8"); /* beyond U+10FFFF */
    parse_bad("tap a\0b\n", 8, ":1: a control character (0x00)");
    bad("# only a comment\n\n   \n", "t.journey: no steps");
    bad("", "t.journey: no steps");

    char longline[BM_JOURNEY_LINE_MAX + 16];
    memset(longline, 'a', sizeof longline - 1);
    memcpy(longline, "tap ", 4);
    longline[sizeof longline - 1] = '\0';
    bad(longline, ":1: the line is longer than 1024 bytes");
}

static void test_load(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/x.journey", bm_test_mkdtemp("journey"));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("tap attract.start\nscan form.png\n", f);
    fclose(f);
    struct bm_journey *j;
    assert_int_equal(bm_journey_load(path, &j), BM_OK);
    assert_string_equal(bm_journey_name(j), path);
    assert_int_equal(strncmp(bm_journey_dir(j), path, strlen(bm_journey_dir(j))), 0);
    assert_string_equal(path + strlen(bm_journey_dir(j)), "/x.journey");
    bm_journey_free(j);

    f = fopen(path, "w");
    fputs("tap attract.start\nwait screen home forever\n", f);
    fclose(f);
    assert_int_equal(bm_journey_load(path, &j), BM_ERR_PARSE);
    assert_non_null(strstr(bm_err_detail(), ":2: 'forever' is not a number of seconds"));
    assert_non_null(strstr(bm_err_detail(), path));

    assert_int_equal(bm_journey_load("/nonexistent/x.journey", &j), BM_ERR_NOT_FOUND);
    assert_non_null(strstr(bm_err_detail(), "/nonexistent/x.journey"));
}

/* Every journey the project ships parses. */
static void test_shipped_journeys_parse(void **state)
{
    (void)state;
    DIR *d = opendir(BM_JOURNEYS_DIR);
    assert_non_null(d);
    int seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 9 || strcmp(e->d_name + n - 8, ".journey") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", BM_JOURNEYS_DIR, e->d_name);
        struct bm_journey *j;
        if (bm_journey_load(path, &j) != BM_OK) {
            fprintf(stderr, "%s\n", bm_err_detail());
            fail();
        }
        bm_journey_free(j);
        seen++;
    }
    closedir(d);
    assert_true(seen >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_keyword),
        cmocka_unit_test(test_bad_lines_say_where_and_why),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_shipped_journeys_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
