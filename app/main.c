/*
 * main.c - bianmin's entry point: arguments, configuration, logging, then the flow.
 *
 * Exit codes (also in --help and docs/operations.md):
 *   0  normal end (including SIGTERM/SIGINT), or --check-config / --check-catalog found the
 *      file valid
 *   1  a failure while running
 *   2  bad command-line usage
 *   3  the configuration (or the catalog --check-catalog was given) is invalid or unreadable
 *   4  start-up failed (display, fonts, translations, devices)
 *   5  the journey given with --journey failed (its log says at which line)
 * Main thread only.
 */
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/paths.h"
#include "core/signals.h"
#include "flow/flow.h"
#include "flow/journey.h"
#include "services/catalog.h"
#include "services/outbox_cli.h"
#include "sdl_memory.h"

#include <SDL2/SDL.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum exit_code {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,
    EXIT_STARTUP = 4,
};

#define MAX_SETS 32

struct args {
    const char *config_path;
    bool check_config;
    const char *check_catalog;
    const char *outbox_cmd, *outbox_arg; /* --outbox CMD [ARG] */
    const char *journey_path;
    const char *sets[MAX_SETS];
    int set_count;
    struct bm_flow_options flow;
};

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: bianmin [OPTION]...\n"
            "The self-service kiosk: owns the touch screen and every device.\n"
            "\n"
            "  -c, --config FILE        configuration file (default: %s)\n"
            "      --check-config       validate the configuration and exit\n"
            "      --help-config        list every configuration key with its default\n"
            "      --check-catalog FILE validate a service catalog (docs/catalog.md) and exit\n"
            "      --outbox status|dead|retry ID|export FILE\n"
            "                           the outbox for technicians: what waits, the dead\n"
            "                           letters, one queued again, all exported (JSON lines;\n"
            "                           personal bodies stay encrypted); the kiosk may run\n"
            "  -s, --set SECTION.KEY=VALUE\n"
            "                           override one configuration value (repeatable)\n"
            "      --screenshot-dir DIR save a PNG of every screen shown into DIR\n"
            "      --demo-console       read simulated-device commands from standard input\n"
            "                           (demo mode; type 'help')\n"
            "      --journey FILE       play a scripted resident journey (docs/journeys.md)\n"
            "                           with the simulated devices, then exit: 0 if it\n"
            "                           passed, 5 if not\n"
            "      --exit-after-first-frame\n"
            "                           quit once the first frame is on screen (benchmarks)\n"
            "  -h, --help               show this help and exit\n"
            "  -V, --version            show the version and exit\n"
            "\n"
            "Headless: SDL_VIDEODRIVER=offscreen runs without a display; or use\n"
            "xvfb-run -a -s '-screen 0 1080x1920x24' bianmin ... (see README.md).\n"
            "\n"
            "Exit status:\n"
            "  0  normal end (also on SIGTERM/SIGINT), or the file checked is valid\n"
            "  1  failure while running\n"
            "  2  bad command-line usage\n"
            "  3  invalid or unreadable configuration (or catalog, with --check-catalog)\n"
            "  4  start-up failed (display, fonts, translations, devices)\n"
            "  5  the --journey failed (the log names the line)\n",
            bm_paths_default_config());
}

static int parse_args(int argc, char **argv, struct args *a)
{
    enum {
        OPT_CHECK = 256,
        OPT_CHECK_CATALOG,
        OPT_HELP_CONFIG,
        OPT_SHOTS,
        OPT_FIRST_FRAME,
        OPT_CONSOLE,
        OPT_JOURNEY,
        OPT_OUTBOX
    };
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, OPT_CHECK},
        {"check-catalog", required_argument, NULL, OPT_CHECK_CATALOG},
        {"outbox", required_argument, NULL, OPT_OUTBOX},
        {"help-config", no_argument, NULL, OPT_HELP_CONFIG},
        {"set", required_argument, NULL, 's'},
        {"screenshot-dir", required_argument, NULL, OPT_SHOTS},
        {"demo-console", no_argument, NULL, OPT_CONSOLE},
        {"journey", required_argument, NULL, OPT_JOURNEY},
        {"exit-after-first-frame", no_argument, NULL, OPT_FIRST_FRAME},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:s:hV", options, NULL)) != -1) {
        switch (c) {
        case 'c':
            a->config_path = optarg;
            break;
        case OPT_CHECK:
            a->check_config = true;
            break;
        case OPT_CHECK_CATALOG:
            a->check_catalog = optarg;
            break;
        case OPT_OUTBOX:
            a->outbox_cmd = optarg;
            break;
        case OPT_HELP_CONFIG:
            bm_config_print_schema(stdout);
            exit(EXIT_OK);
        case 's':
            if (a->set_count == MAX_SETS) {
                fprintf(stderr, "bianmin: at most %d --set options\n", MAX_SETS);
                return EXIT_USAGE;
            }
            a->sets[a->set_count++] = optarg;
            break;
        case OPT_SHOTS:
            a->flow.screenshot_dir = optarg;
            break;
        case OPT_CONSOLE:
            a->flow.demo_console = true;
            break;
        case OPT_JOURNEY:
            a->journey_path = optarg;
            break;
        case OPT_FIRST_FRAME:
            a->flow.exit_after_first_frame = true;
            break;
        case 'h':
            print_help(stdout);
            exit(EXIT_OK);
        case 'V':
            printf("bianmin %s\n", BM_VERSION);
            exit(EXIT_OK);
        case ':':
            fprintf(stderr, "bianmin: option '%s' needs a value (see --help)\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "bianmin: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (a->outbox_cmd && optind < argc)
        a->outbox_arg = argv[optind++]; /* retry ID, export FILE */
    if (optind < argc) {
        fprintf(stderr, "bianmin: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Applies one --set SECTION.KEY=VALUE. */
static enum bm_err apply_set(struct bm_config *cfg, const char *spec)
{
    char section[64], key[64];
    const char *dot = strchr(spec, '.');
    const char *eq = dot ? strchr(dot, '=') : NULL;
    if (!dot || !eq || dot == spec || eq == dot + 1 || (size_t)(dot - spec) >= sizeof section ||
        (size_t)(eq - dot - 1) >= sizeof key)
        return bm_err_set(BM_ERR_CONFIG, "--set %s: expected SECTION.KEY=VALUE", spec);
    snprintf(section, sizeof section, "%.*s", (int)(dot - spec), spec);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    enum bm_err err = bm_config_set(cfg, section, key, eq + 1);
    if (err != BM_OK)
        return bm_err_set(err, "--set %s: %s", spec, bm_err_detail());
    return BM_OK;
}

static int load_config(const struct args *a, struct bm_config **cfg)
{
    const char *path = a->config_path ? a->config_path : bm_paths_default_config();
    if (bm_config_load(path, cfg) != BM_OK) {
        fprintf(stderr, "bianmin: %s\n", bm_err_detail());
        return EXIT_CONFIG;
    }
    for (int i = 0; i < a->set_count; i++) {
        if (apply_set(*cfg, a->sets[i]) != BM_OK) {
            fprintf(stderr, "bianmin: %s\n", bm_err_detail());
            bm_config_free(*cfg);
            *cfg = NULL;
            return EXIT_CONFIG;
        }
    }
    return EXIT_OK;
}

/*
 * --check-catalog: every problem and warning on standard output, then a summary line. Example
 * pictures are looked for in the assets directory the config names.
 */
static int check_catalog(const struct bm_config *cfg, const char *file)
{
    char assets[1024];
    struct bm_catalog_load_options opts = {
        .assets_dir =
            bm_paths_from_config(cfg, "paths", "assets", bm_paths_assets(), assets, sizeof assets)};
    struct bm_catalog_report *report = bm_catalog_report_create();
    struct bm_catalog *cat = NULL;
    enum bm_err err = report ? bm_catalog_load_file(file, &opts, report, &cat) : BM_ERR_NO_MEMORY;
    for (size_t i = 0; i < bm_catalog_report_count(report); i++)
        printf("%s\n", bm_catalog_report_line(report, i));
    if (err == BM_OK)
        printf("%s: valid: revision %s, %zu categories, %zu services, %zu warnings\n", file,
               bm_catalog_revision(cat), bm_catalog_category_count(cat),
               bm_catalog_service_count(cat), bm_catalog_report_warnings(report));
    else
        printf("%s: invalid: %zu problem%s\n", file, bm_catalog_report_errors(report),
               bm_catalog_report_errors(report) == 1 ? "" : "s");
    bm_catalog_unref(cat);
    bm_catalog_report_destroy(report);
    return err == BM_OK ? EXIT_OK : EXIT_CONFIG;
}

/* Log level and file from the config; a log file that cannot be opened is not fatal. */
static void setup_logging(const struct bm_config *cfg)
{
    enum bm_log_level level;
    if (bm_log_level_parse(bm_config_str(cfg, "log", "level"), &level) == BM_OK)
        bm_log_set_level(level);
    const char *file = bm_config_str(cfg, "log", "file");
    if (file[0] && bm_log_set_file(file) != BM_OK)
        bm_log_err(BM_LOG_WARN, "main", BM_ERR_IO, "log file");
}

int main(int argc, char **argv)
{
    bm_sdl_memory_install(); /* pixel buffers on huge pages: fewer faults before the picture */
    struct args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;

    struct bm_config *cfg = NULL;
    rc = load_config(&a, &cfg);
    if (rc != EXIT_OK)
        return rc;
    if (a.check_catalog) {
        rc = check_catalog(cfg, a.check_catalog);
        bm_config_free(cfg);
        return rc;
    }
    if (a.outbox_cmd) {
        enum bm_err err = bm_outbox_cli(cfg, a.outbox_cmd, a.outbox_arg, stdout);
        if (err != BM_OK)
            fprintf(stderr, "bianmin: %s\n", bm_err_detail());
        bm_config_free(cfg);
        return err == BM_OK ? EXIT_OK : err == BM_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_RUNTIME;
    }
    if (a.check_config) {
        printf("%s: valid\n", bm_config_path(cfg));
        bm_config_free(cfg);
        return EXIT_OK;
    }
    /* A journey with a bad line is bad usage: said before anything starts. */
    struct bm_journey *journey = NULL;
    if (a.journey_path && bm_journey_load(a.journey_path, &journey) != BM_OK) {
        fprintf(stderr, "bianmin: --journey %s\n", bm_err_detail());
        bm_config_free(cfg);
        return EXIT_USAGE;
    }
    a.flow.journey = journey;

    setup_logging(cfg);
    bm_log_notice("main", "bianmin %s starting, config %s", BM_VERSION, bm_config_path(cfg));

    if (bm_i18n_init(bm_paths_localedir(), bm_config_str(cfg, "kiosk", "language")) != BM_OK) {
        bm_log_err(BM_LOG_ERROR, "main", BM_ERR_NOT_FOUND, "translations");
        bm_config_free(cfg);
        bm_journey_free(journey);
        bm_log_shutdown();
        return EXIT_STARTUP;
    }

    struct bm_flow *flow = NULL;
    enum bm_err err = bm_signals_start(); /* before SDL starts any thread */
    if (err == BM_OK)
        err = bm_flow_start(cfg, &a.flow, &flow);
    if (err != BM_OK) {
        bm_log_err(BM_LOG_ERROR, "main", err, "start-up failed");
        bm_signals_stop();
        bm_config_free(cfg);
        bm_journey_free(journey);
        bm_log_shutdown();
        return EXIT_STARTUP;
    }
    rc = bm_flow_run(flow);
    bm_flow_stop(flow);
    bm_signals_stop();
    bm_log_notice("main", "bianmin stopped (exit %d)", rc);
    bm_config_free(cfg);
    bm_journey_free(journey);
    bm_log_shutdown();
    return rc;
}
