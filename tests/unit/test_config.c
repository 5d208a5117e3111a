/*
 * test_config.c - the INI loader: the bundled config loads, defaults apply, every kind of error
 * stops the load with one line naming file, line, key and what is allowed, and the odd files
 * (CRLF, BOM, empty, a directory, very long lines) behave. Also: getters, bm_config_set, path
 * values, the default path, --help-config text, and that docs/config.md lists every key.
 */
#include "test_support.h"

#include "core/config.h"
#include "core/err.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loads text written to a fresh file; returns the code, *path the file it used. */
static enum bm_err load_text(const char *text, struct bm_config **cfg, char *path, size_t sz)
{
    const char *dir = bm_test_mkdtemp("config");
    snprintf(path, sz, "%s", bm_test_write_file(dir, "kiosk.conf", text));
    return bm_config_load(path, cfg);
}

static void expect_error(const char *text, int line, const char *what)
{
    char path[4096], want[8192];
    struct bm_config *cfg = (struct bm_config *)1;
    enum bm_err e = load_text(text, &cfg, path, sizeof path);
    snprintf(want, sizeof want, "%s:%d: %s", path, line, what);
    if (e != BM_ERR_CONFIG || strcmp(bm_err_detail(), want) != 0) {
        fprintf(stderr, "for:\n%s\ngot %s \"%s\"\nwant BM_ERR_CONFIG \"%s\"\n", text,
                bm_err_name(e), bm_err_detail(), want);
        fail();
    }
    assert_null(cfg);
    assert_null(strchr(bm_err_detail(), '\n')); /* one line */
}

static void test_bundled_config(void **state)
{
    (void)state;
    struct bm_config *cfg = NULL;
    const char *path = bm_test_source_path("config/kiosk.conf");
    if (bm_config_load(path, &cfg) != BM_OK) {
        fprintf(stderr, "%s\n", bm_err_detail());
        fail();
    }
    assert_string_equal(bm_config_path(cfg), path);
    assert_string_equal(bm_config_str(cfg, "kiosk", "id"), "DEMO-0001");
    assert_int_equal(bm_config_enum(cfg, "kiosk", "mode"), 0); /* demo */
    assert_int_equal(bm_config_int(cfg, "display", "width"), 1080);
    assert_int_equal(bm_config_int(cfg, "display", "height"), 1920);
    assert_false(bm_config_bool(cfg, "display", "fullscreen"));
    assert_int_equal(bm_config_enum(cfg, "devices", "scanner"), 0); /* sim */

    char buf[PATH_MAX], want[PATH_MAX + 32], conf_dir[PATH_MAX];
    assert_non_null(realpath(bm_test_source_path("config"), conf_dir));
    snprintf(want, sizeof want, "%s/%s", conf_dir, bm_config_str(cfg, "sim", "output_dir"));
    assert_string_equal(bm_config_path_value(cfg, "sim", "output_dir", buf, sizeof buf), want);
    assert_null(bm_config_path_value(cfg, "sim", "output_dir", buf, 8)); /* does not fit */
    assert_string_equal(bm_config_path_value(cfg, "paths", "font", buf, sizeof buf),
                        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    assert_string_equal(bm_config_path_value(cfg, "paths", "assets", buf, sizeof buf), "");
    bm_config_free(cfg);
}

static void check_defaults(const struct bm_config *cfg)
{
    assert_string_equal(bm_config_str(cfg, "kiosk", "id"), "DEMO-0001");
    assert_string_equal(bm_config_str(cfg, "kiosk", "name"), "便民服务自助终端");
    assert_string_equal(bm_config_str(cfg, "kiosk", "location"), "");
    assert_int_equal(bm_config_enum(cfg, "kiosk", "mode"), 1); /* kiosk */
    assert_int_equal(bm_config_enum(cfg, "kiosk", "language"), 0);
    assert_string_equal(bm_config_str(cfg, "kiosk", "hotline"), "12345");
    assert_int_equal(bm_config_int(cfg, "display", "width"), 1080);
    assert_int_equal(bm_config_int(cfg, "display", "height"), 1920);
    assert_false(bm_config_bool(cfg, "display", "fullscreen"));
    assert_int_equal(bm_config_int(cfg, "display", "dpi"), 96);
    assert_int_equal(bm_config_enum(cfg, "log", "level"), 3); /* info */
    assert_string_equal(bm_config_str(cfg, "log", "file"), "");
    assert_int_equal(bm_config_int(cfg, "session", "timeout_s"), 60);
    assert_int_equal(bm_config_int(cfg, "session", "countdown_s"), 15);
    const char *devices[] = {"id_reader", "receipt_printer", "doc_printer", "scanner", "barcode"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(bm_config_enum(cfg, "devices", devices[i]), 0);
    assert_string_equal(bm_config_str(cfg, "sim", "output_dir"), "/var/lib/bianmin/sim-output");
    assert_string_equal(bm_config_str(cfg, "paths", "font"),
                        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    assert_string_equal(bm_config_str(cfg, "paths", "font_bold"),
                        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc");
    assert_string_equal(bm_config_str(cfg, "paths", "assets"), "");
}

static void test_defaults(void **state)
{
    (void)state;
    struct bm_config *cfg = bm_config_defaults();
    assert_non_null(cfg);
    assert_string_equal(bm_config_path(cfg), "(defaults)");
    check_defaults(cfg);
    bm_config_free(cfg);

    char path[4096];
    assert_int_equal(load_text("", &cfg, path, sizeof path), BM_OK); /* empty: all defaults */
    check_defaults(cfg);
    bm_config_free(cfg);
    assert_int_equal(load_text("# only a comment\n\n; and another\n[kiosk]\n", &cfg, path,
                               sizeof path),
                     BM_OK);
    check_defaults(cfg);
    bm_config_free(cfg);

    /* Keys absent from a file keep their defaults. */
    assert_int_equal(load_text("[display]\nwidth = 800\n", &cfg, path, sizeof path), BM_OK);
    assert_int_equal(bm_config_int(cfg, "display", "width"), 800);
    assert_int_equal(bm_config_int(cfg, "display", "height"), 1920);
    bm_config_free(cfg);
}

static void test_error_kinds(void **state)
{
    (void)state;
    /* The wording of the design's example, exactly. */
    expect_error("# kiosk\n\n[kiosk]\nid = K-1\n\n\n\n\n\n\n[display]\nwidth = abc\n", 12,
                 "[display] width = abc: not a whole number; allowed: 320..7680");
    expect_error("[kiosk]\nid = A\n[bogus]\n", 3,
                 "[bogus]: unknown section; allowed: kiosk, display, log, session, voice, devices, "
                 "id_reader, receipt_printer, doc_printer, sim, catalog, central, sync, paths");
    expect_error("[display]\nwidht = 1080\n", 2,
                 "[display] widht: unknown key; allowed: width, height, fullscreen, dpi");
    expect_error("[display]\nwidth = 1080\n\nwidth = 1000\n", 4,
                 "[display] width: duplicate key (first set on line 2); allowed: each key once");
    expect_error("[display]\nwidth = 1080\n[kiosk]\n[display]\nwidth = 1000\n", 5,
                 "[display] width: duplicate key (first set on line 2); allowed: each key once");
    expect_error("[display]\nwidth 1080\n", 2,
                 "malformed line; allowed: [section], key = value, or a comment (# or ;)");
    expect_error("[display\nwidth = 1080\n", 1,
                 "malformed line; allowed: [section], key = value, or a comment (# or ;)");
    expect_error("[kiosk] mode = demo\n", 1,
                 "text after the section header; allowed: [section] alone on its line");
    expect_error("width = 1080\n", 1,
                 "width: key outside any section; allowed: keys under a [section] header");
    expect_error("[display]\nheight = 100\n", 2,
                 "[display] height = 100: out of range; allowed: 320..7680");
    expect_error("[display]\ndpi = 99999999999999999999999\n", 2,
                 "[display] dpi = 99999999999999999999999: out of range; allowed: 60..600");
    expect_error("[display]\ndpi = 96px\n", 2,
                 "[display] dpi = 96px: not a whole number; allowed: 60..600");
    expect_error("[display]\ndpi = 96 # px\n", 2,
                 "[display] dpi = 96 # px: not a whole number; allowed: 60..600");
    expect_error("[display]\ndpi =\n", 2, "[display] dpi = : not a whole number; allowed: 60..600");
    expect_error("[display]\nfullscreen = maybe\n", 2,
                 "[display] fullscreen = maybe: not a yes/no value; allowed: true|false (also "
                 "yes|no, on|off, 1|0)");
    expect_error("[kiosk]\nmode = Demo\n", 2,
                 "[kiosk] mode = Demo: not one of the choices; allowed: demo|kiosk");
    expect_error("[log]\nlevel = verbose\n", 2,
                 "[log] level = verbose: not one of the choices; allowed: "
                 "error|warn|notice|info|debug");
    expect_error("[devices]\nscanner = sane\n", 2,
                 "[devices] scanner = sane: not one of the choices; allowed: sim|none");
    expect_error("[kiosk]\nid =\n", 2,
                 "[kiosk] id = : 0 characters, too short; allowed: 1..32 characters of letters, "
                 "digits, - and _");
    expect_error("[kiosk]\nid = DEMO 01\n", 2,
                 "[kiosk] id = DEMO 01: character ' ' is not allowed; allowed: 1..32 characters "
                 "of letters, digits, - and _");
    expect_error("[kiosk]\nhotline = 12345a\n", 2,
                 "[kiosk] hotline = 12345a: character 'a' is not allowed; allowed: 3..20 "
                 "characters of digits and -");
    expect_error("[kiosk]\nname = a\xff\n", 2, "not valid UTF-8; allowed: UTF-8 text");
    expect_error("[kiosk]\nname = a\x02z\n", 2,
                 "control character in the line; allowed: printable UTF-8 text");
    /* An indented line is not a continuation of the previous value. */
    expect_error("[kiosk]\nname = a\n   b\n", 3,
                 "malformed line; allowed: [section], key = value, or a comment (# or ;)");

    /* 65 Chinese characters: one too many (and a 195-byte line inih could not even hold). */
    char text[2048], name[1024] = "";
    for (int i = 0; i < 65; i++)
        strncat(name, "服", sizeof name - strlen(name) - 1);
    snprintf(text, sizeof text, "[kiosk]\nname = %s\n", name);
    char want[1400];
    snprintf(want, sizeof want,
             "[kiosk] name = %.60s...: 65 characters, too long; allowed: 1..64 characters", name);
    expect_error(text, 2, want);

    /* Very long lines are refused cleanly, whatever they are. */
    static char huge[6000];
    memset(huge, 'a', 5000);
    snprintf(text, sizeof text, "x");
    static char file[7000];
    snprintf(file, sizeof file, "[kiosk]\nname = %.5000s\n", huge);
    expect_error(file, 2, "line too long (5007 bytes); allowed: at most 1024 bytes");
    snprintf(file, sizeof file, "[kiosk]\n#%.3000s\n", huge);
    expect_error(file, 2, "line too long (3001 bytes); allowed: at most 1024 bytes");
    snprintf(file, sizeof file, "[kiosk]\n%.500s\n", huge);
    expect_error(file, 2,
                 "malformed line; allowed: [section], key = value, or a comment (# or ;)");

    /* The first problem wins, even when inih sees a syntax error later. */
    expect_error("[display]\nwidth = x\nbad line\n", 2,
                 "[display] width = x: not a whole number; allowed: 320..7680");
    expect_error("[display]\nbad line\nwidth = x\n", 2,
                 "malformed line; allowed: [section], key = value, or a comment (# or ;)");

    /* From memory too, and a NUL byte is no way around the checks. */
    struct bm_config *cfg = NULL;
    assert_int_equal(bm_config_load_mem("mem.conf", "[kiosk]\nid = A\0B\n", 16, &cfg),
                     BM_ERR_CONFIG);
    assert_string_equal(bm_err_detail(),
                        "mem.conf:2: control character in the line; allowed: printable UTF-8 "
                        "text");
    assert_null(cfg);
}

static void test_long_utf8_values(void **state)
{
    (void)state;
    char text[4096], name[1024] = "", location[1024] = "";
    for (int i = 0; i < 64; i++)
        strncat(name, "服", sizeof name - strlen(name) - 1);
    for (int i = 0; i < 96; i++)
        strncat(location, "楼", sizeof location - strlen(location) - 1);
    snprintf(text, sizeof text,
             "[kiosk]\n  name   =   %s   ; the full name\nlocation:%s\n[paths]\nassets = a;b\n",
             name, location);
    struct bm_config *cfg = NULL;
    char path[4096];
    if (load_text(text, &cfg, path, sizeof path) != BM_OK) {
        fprintf(stderr, "%s\n", bm_err_detail());
        fail();
    }
    assert_string_equal(bm_config_str(cfg, "kiosk", "name"), name);
    assert_string_equal(bm_config_str(cfg, "kiosk", "location"), location);
    assert_string_equal(bm_config_str(cfg, "paths", "assets"), "a;b");
    bm_config_free(cfg);
}

static void test_file_shapes(void **state)
{
    (void)state;
    struct bm_config *cfg = (struct bm_config *)1;
    assert_int_equal(bm_config_load("/nonexistent/bianmin/kiosk.conf", &cfg), BM_ERR_NOT_FOUND);
    assert_null(cfg);
    assert_non_null(strstr(bm_err_detail(), "/nonexistent/bianmin/kiosk.conf"));

    const char *dir = bm_test_mkdtemp("config-dir");
    assert_int_equal(bm_config_load(dir, &cfg), BM_ERR_IO);
    assert_non_null(strstr(bm_err_detail(), dir));
    assert_non_null(strstr(bm_err_detail(), "is a directory"));

    char path[4096];
    /* CRLF line endings and a UTF-8 BOM. */
    assert_int_equal(load_text("\xEF\xBB\xBF[display]\r\nwidth = 720\r\nfullscreen = yes\r\n"
                               "[kiosk]\r\nname = 便民\r\n",
                               &cfg, path, sizeof path),
                     BM_OK);
    assert_int_equal(bm_config_int(cfg, "display", "width"), 720);
    assert_true(bm_config_bool(cfg, "display", "fullscreen"));
    assert_string_equal(bm_config_str(cfg, "kiosk", "name"), "便民");
    bm_config_free(cfg);
    /* No newline at the end; ':' as separator; ';' comments. */
    assert_int_equal(load_text("[display]\nwidth: 640 ; narrow\ndpi = 120", &cfg, path,
                               sizeof path),
                     BM_OK);
    assert_int_equal(bm_config_int(cfg, "display", "width"), 640);
    assert_int_equal(bm_config_int(cfg, "display", "dpi"), 120);
    bm_config_free(cfg);
}

static void test_bool_spellings(void **state)
{
    (void)state;
    const char *yes[] = {"true", "yes", "on", "1", "TRUE", "Yes"};
    const char *no[] = {"false", "no", "off", "0", "False", "OFF"};
    struct bm_config *cfg = bm_config_defaults();
    for (int i = 0; i < 6; i++) {
        assert_int_equal(bm_config_set(cfg, "display", "fullscreen", yes[i]), BM_OK);
        assert_true(bm_config_bool(cfg, "display", "fullscreen"));
        assert_int_equal(bm_config_set(cfg, "display", "fullscreen", no[i]), BM_OK);
        assert_false(bm_config_bool(cfg, "display", "fullscreen"));
    }
    assert_int_equal(bm_config_set(cfg, "display", "fullscreen", "2"), BM_ERR_CONFIG);
    bm_config_free(cfg);
}

static void test_set(void **state)
{
    (void)state;
    struct bm_config *cfg = bm_config_defaults();
    assert_int_equal(bm_config_set(cfg, "kiosk", "mode", "demo"), BM_OK);
    assert_int_equal(bm_config_enum(cfg, "kiosk", "mode"), 0);
    assert_int_equal(bm_config_set(cfg, "display", "width", "7681"), BM_ERR_CONFIG);
    assert_string_equal(bm_err_detail(),
                        "set: [display] width = 7681: out of range; allowed: 320..7680");
    assert_int_equal(bm_config_int(cfg, "display", "width"), 1080); /* unchanged */
    assert_int_equal(bm_config_set(cfg, "display", "depth", "1"), BM_ERR_CONFIG);
    assert_string_equal(bm_err_detail(), "set: [display] depth: unknown key; allowed: width, "
                                         "height, fullscreen, dpi");
    assert_int_equal(bm_config_set(cfg, "nope", "x", "1"), BM_ERR_CONFIG);
    assert_non_null(strstr(bm_err_detail(), "[nope]: unknown section"));
    bm_config_free(cfg);
}

static void test_default_path(void **state)
{
    (void)state;
    /* This test program lives in the build tree. */
    assert_string_equal(bm_config_default_path(), BM_SOURCE_DIR "/config/kiosk.conf");
}

static void test_schema_help_and_docs(void **state)
{
    (void)state;
    char *help = NULL;
    size_t help_len = 0;
    FILE *f = open_memstream(&help, &help_len);
    assert_non_null(f);
    bm_config_print_schema(f);
    fclose(f);
    char *doc = bm_test_read_file(bm_test_source_path("docs/config.md"), NULL);
    assert_non_null(doc);

    for (size_t i = 0; bm_config_schema[i].section; i++) {
        const struct bm_config_key *k = &bm_config_schema[i];
        char want[512];
        snprintf(want, sizeof want, "  %s = %s\n", k->key, k->default_value);
        assert_non_null(strstr(help, want));

        /* docs/config.md: a "## [section]" part with a row "| `key` | type | `default` |" */
        char heading[128];
        snprintf(heading, sizeof heading, "\n## [%s]\n", k->section);
        const char *part = strstr(doc, heading);
        if (!part) {
            fprintf(stderr, "docs/config.md lacks the heading %s", heading + 1);
            fail();
            return;
        }
        const char *end = strstr(part + 1, "\n## ");
        size_t part_len = end ? (size_t)(end - part) : strlen(part);
        snprintf(want, sizeof want, "| `%s` |", k->key);
        const char *row = strstr(part, want);
        if (!row || (size_t)(row - part) > part_len) {
            fprintf(stderr, "docs/config.md [%s] lacks a row for %s\n", k->section, k->key);
            fail();
        }
        const char *row_end = strchr(row, '\n');
        snprintf(want, sizeof want, "`%s`", k->default_value);
        const char *def = strstr(row, *k->default_value ? want : "(empty)");
        if (!def || def > row_end) {
            fprintf(stderr, "docs/config.md row for [%s] %s lacks its default %s\n", k->section,
                    k->key, want);
            fail();
        }
    }
    free(doc);
    free(help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_config),   cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_error_kinds),      cmocka_unit_test(test_long_utf8_values),
        cmocka_unit_test(test_file_shapes),      cmocka_unit_test(test_bool_spellings),
        cmocka_unit_test(test_set),              cmocka_unit_test(test_default_path),
        cmocka_unit_test(test_schema_help_and_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
