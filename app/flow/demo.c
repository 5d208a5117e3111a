/*
 * demo.c - demo mode: play the simulated devices from the keyboard or the terminal.
 *
 * In the window, function keys act on the sim devices (README lists them). With
 * --demo-console, a thread reads commands from standard input -- the way to drive a headless
 * demo -- and posts each line to the main loop, where it runs exactly like a key press; the
 * thread waits in poll() on stdin and a wake-up pipe, so stopping never hangs on a read.
 *
 * Commands act only on sim devices: on a real driver they answer BM_ERR_UNSUPPORTED.
 * Main thread, except console_main.
 */
#include "flow_internal.h"

#include "demo_print.h"
#include "demo_sync.h"
#include "journey_run.h"

#include "core/log.h"
#include "core/loop.h"
#include "drivers/receipt_printer.h"
#include "drivers/sim/sim.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_LEN 512

struct bm_demo {
    struct bm_flow *flow;
    bool console;
    pthread_t thread;
    int wake[2];                 /* write a byte to stop the console thread */
    struct bm_demo_print *print; /* receipt and certificate samples, made on first use */
};

static struct bm_device *dev(struct bm_demo *d, enum bm_device_class cls)
{
    return bm_devices_get(d->flow->devices, cls);
}

/* Logs a command's outcome and returns it (the detail stays set for a journey's message). */
static enum bm_err report(const char *what, enum bm_err err)
{
    if (err == BM_OK) {
        bm_log_notice("demo", "%s", what);
        return BM_OK;
    }
    char detail[256];
    snprintf(detail, sizeof detail, "%s", bm_err_detail());
    bm_log_warn("demo", "%s: %s (%s)", what, bm_err_name(err), detail);
    return bm_err_set(err, "%s: %s", what, detail[0] ? detail : bm_err_str(err));
}

static void on_reprinted(const struct bm_completion *c, void *ud)
{
    (void)ud;
    if (c->err == BM_OK)
        bm_log_notice("demo", "receipt printed again");
    else
        bm_log_warn("demo", "receipt not printed again: %s (%s)", bm_err_name(c->err), c->detail);
}

static bool class_by_name(const char *name, enum bm_device_class *out)
{
    for (int c = 0; c < BM_CLASS_COUNT; c++) {
        if (strcmp(name, bm_device_class_name(c)) == 0) {
            *out = c;
            return true;
        }
    }
    return false;
}

static bool card_by_name(const char *name, enum bm_sim_card *out)
{
    for (int c = 0; c < BM_SIM_CARD_COUNT; c++) {
        if (strcmp(name, bm_sim_card_name(c)) == 0) {
            *out = c;
            return true;
        }
    }
    return false;
}

static const struct {
    const char *word;
    enum bm_sim_printer_event ev;
} printer_words[] = {
    {"paper-low", BM_SIM_PAPER_LOW},     {"paper-out", BM_SIM_PAPER_OUT},
    {"jam", BM_SIM_PAPER_JAM},           {"cover-open", BM_SIM_COVER_OPEN},
    {"cover-close", BM_SIM_COVER_CLOSE}, {"cutter-error", BM_SIM_CUTTER_ERROR},
    {"toner-low", BM_SIM_TONER_LOW},     {"toner-out", BM_SIM_TONER_OUT},
    {"refill", BM_SIM_REFILL},           {"taken", BM_SIM_RECEIPT_TAKEN},
};

static const char help_text[] =
    "demo commands (keys in the window in brackets):\n"
    "  card [adult|elderly|expired|foreign|hmt]  present a test ID card (F1 adult, F2 elderly)\n"
    "  remove                                    take the card away (F3)\n"
    "  page [FILE.png] | page-remove             put a page on the scanner (F4) / take it\n"
    "  code TEXT                                 hold a barcode to the reader\n"
    "  paper-low | paper-out | jam | refill      receipt printer (F5 F6 F7 F8)\n"
    "  cover-open | cover-close | cutter-error | taken   receipt printer\n"
    "  doc PRINTER-WORD                          the same words for the A4 printer\n"
    "  receipt [en] | certificate                print the sample receipt / A4 certificate\n"
    "  reprint                                   print the last receipt again\n"
    "  apply                                     queue a sample application for the centre\n"
    "  unplug [CLASS] | replug [CLASS]           default id_reader (F9 F10)\n"
    "  tap NAME                                  tap a named screen element\n"
    "  journey FILE                              play a scripted journey (docs/journeys.md)\n"
    "  voice [on|off]                            spoken guidance for this session (toggles)\n"
    "  screenshot [DIR]                          save the screen as PNG (F11)\n"
    "  status                                    log every device's status and the catalog's\n"
    "                                            (F12)\n"
    "  help | quit\n";

/* The catalog in use, what was rejected, and which services the devices cannot serve now. */
static void log_catalog_status(struct bm_flow *flow)
{
    struct bm_catalog_store_status st;
    bm_catalog_store_status(flow->catalogs, &st);
    const struct bm_catalog *cat = bm_catalog_store_get(flow->catalogs);
    if (!cat) {
        bm_log_notice("catalog", "none in use%s", st.loading ? " (loading)" : "");
    } else {
        bm_device_mask usable = bm_devices_usable(flow->devices);
        size_t n = bm_catalog_service_count(cat), paused = 0;
        bm_device_mask missing = 0;
        for (size_t i = 0; i < n; i++) {
            bm_device_mask m = bm_catalog_service_at(cat, i)->devices & ~usable;
            paused += m != 0;
            missing |= m;
        }
        char classes[128] = "";
        size_t len = 0;
        for (int c = 0; c < BM_CLASS_COUNT && len < sizeof classes; c++)
            if (missing & BM_DEVICE_BIT(c)) {
                int w = snprintf(classes + len, sizeof classes - len, "%s%s", len ? ", " : "",
                                 bm_device_class_name((enum bm_device_class)c));
                len += w > 0 ? (size_t)w : 0;
            }
        bm_log_notice("catalog",
                      "revision %s from %s (%zu warnings); %zu of %zu services "
                      "unavailable now%s%s%s",
                      st.revision, st.source, st.warnings, paused, n, len ? " (needs " : "",
                      classes, len ? ")" : "");
    }
    if (st.rejections)
        bm_log_notice("catalog", "rejected since start: %zu; the last one's first problem: %s",
                      st.rejections, st.problem);
}

/* What the voice service has said, and whether anyone can hear it. */
static void log_voice_status(struct bm_flow *flow)
{
    if (!flow->voice) {
        bm_log_notice("voice", "none");
        return;
    }
    struct bm_voice_stats st;
    bm_voice_get_stats(flow->voice, &st);
    bm_log_notice("voice",
                  "%s%s; %llu prompts asked, %llu spoken to the end, %llu cut short, "
                  "%llu samples played at %d Hz",
                  flow->voice_on ? "on" : "off", st.silent ? " (silent)" : "",
                  (unsigned long long)st.requested, (unsigned long long)st.spoken,
                  (unsigned long long)st.cut, (unsigned long long)st.samples_out, st.sample_rate);
}

/* Runs one command line; returns its outcome (also logged). Main thread. */
static enum bm_err run_command(struct bm_demo *d, char *line)
{
    char *arg = line + strcspn(line, " \t");
    if (*arg) {
        *arg++ = '\0';
        arg += strspn(arg, " \t");
    }
    const char *cmd = line;
    enum bm_device_class cls = BM_CLASS_ID_READER;

    if (strcmp(cmd, "help") == 0) {
        fputs(help_text, stdout);
        fflush(stdout);
    } else if (strcmp(cmd, "quit") == 0) {
        bm_loop_request_quit(0);
    } else if (strcmp(cmd, "card") == 0) {
        enum bm_sim_card card = BM_SIM_CARD_ADULT;
        if (*arg && !card_by_name(arg, &card))
            return report("card", bm_err_set(BM_ERR_INVALID_ARG,
                                             "unknown test card '%s' (adult, elderly, expired, "
                                             "foreign, hmt)",
                                             arg));
        return report("card presented", bm_sim_card_insert(dev(d, BM_CLASS_ID_READER), card));
    } else if (strcmp(cmd, "remove") == 0) {
        return report("card removed", bm_sim_card_remove(dev(d, BM_CLASS_ID_READER)));
    } else if (strcmp(cmd, "page") == 0) {
        return report("page placed",
                      bm_sim_page_place(dev(d, BM_CLASS_SCANNER), *arg ? arg : NULL));
    } else if (strcmp(cmd, "page-remove") == 0) {
        return report("page removed", bm_sim_page_remove(dev(d, BM_CLASS_SCANNER)));
    } else if (strcmp(cmd, "code") == 0) {
        return report("code scanned", bm_sim_barcode_scan(dev(d, BM_CLASS_BARCODE), arg));
    } else if (strcmp(cmd, "unplug") == 0 || strcmp(cmd, "replug") == 0) {
        if (*arg && !class_by_name(arg, &cls))
            return report(cmd, bm_err_set(BM_ERR_INVALID_ARG, "unknown device class '%s'", arg));
        bool unplug = cmd[0] == 'u';
        return report(cmd, unplug ? bm_sim_unplug(dev(d, cls)) : bm_sim_replug(dev(d, cls)));
    } else if (strcmp(cmd, "tap") == 0) {
        return report("tap", bm_flow_tap(d->flow, arg));
    } else if (strcmp(cmd, "journey") == 0) {
        return report("journey", bm_journey_run_file(d->flow, arg));
    } else if (strcmp(cmd, "voice") == 0) {
        bool on = *arg ? strcmp(arg, "on") == 0 : !d->flow->voice_on;
        bm_flow_set_voice(d->flow, on);
    } else if (strcmp(cmd, "screenshot") == 0) {
        bm_ui_invalidate(d->flow->ui); /* the next frame is saved */
        bm_flow_screenshot(d->flow, *arg ? arg : "out/screens");
    } else if (strcmp(cmd, "receipt") == 0 || strcmp(cmd, "certificate") == 0) {
        enum bm_err err = d->print ? BM_OK : bm_demo_print_create(d->flow, &d->print);
        if (err == BM_OK)
            err = cmd[0] == 'r' ? bm_demo_print_receipt(d->print, strcmp(arg, "en") == 0)
                                : bm_demo_print_certificate(d->print);
        return report(cmd[0] == 'r' ? "receipt: rendering" : "certificate: rendering", err);
    } else if (strcmp(cmd, "reprint") == 0) {
        uint64_t id;
        return report(
            "receipt: reprinting",
            bm_receipt_printer_reprint(dev(d, BM_CLASS_RECEIPT_PRINTER), on_reprinted, NULL, &id));
    } else if (strcmp(cmd, "apply") == 0) {
        bm_demo_apply(d->flow);
    } else if (strcmp(cmd, "status") == 0) {
        bm_devices_log_status(d->flow->devices);
        log_catalog_status(d->flow);
        bm_demo_log_sync(d->flow);
        log_voice_status(d->flow);
    } else {
        const char *word = cmd;
        cls = BM_CLASS_RECEIPT_PRINTER;
        if (strcmp(cmd, "doc") == 0) {
            word = arg;
            cls = BM_CLASS_DOC_PRINTER;
        }
        for (size_t i = 0; i < sizeof printer_words / sizeof printer_words[0]; i++)
            if (strcmp(word, printer_words[i].word) == 0)
                return report(word, bm_sim_printer(dev(d, cls), printer_words[i].ev));
        bm_log_warn("demo", "unknown command '%s' (type help)", cmd);
        return bm_err_set(BM_ERR_INVALID_ARG, "unknown demo command '%s'", cmd);
    }
    return BM_OK;
}

enum bm_err bm_demo_command(struct bm_demo *d, const char *line)
{
    char buf[LINE_MAX_LEN];
    if (snprintf(buf, sizeof buf, "%s", line) >= (int)sizeof buf)
        return bm_err_set(BM_ERR_INVALID_ARG, "demo command longer than %d bytes",
                          LINE_MAX_LEN - 1);
    return run_command(d, buf);
}

bool bm_demo_key(struct bm_demo *d, const SDL_KeyboardEvent *key)
{
    static const struct {
        SDL_Keycode key;
        const char *command;
    } keys[] = {
        {SDLK_F1, "card adult"}, {SDLK_F2, "card elderly"}, {SDLK_F3, "remove"},
        {SDLK_F4, "page"},       {SDLK_F5, "paper-low"},    {SDLK_F6, "paper-out"},
        {SDLK_F7, "jam"},        {SDLK_F8, "refill"},       {SDLK_F9, "unplug"},
        {SDLK_F10, "replug"},    {SDLK_F11, "screenshot"},  {SDLK_F12, "status"},
    };
    if (key->repeat)
        return false;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (keys[i].key == key->keysym.sym) {
            char line[64];
            snprintf(line, sizeof line, "%s", keys[i].command);
            run_command(d, line);
            return true;
        }
    }
    return false;
}

struct console_line {
    struct bm_demo *demo;
    char text[LINE_MAX_LEN];
};

static void on_console_line(void *msg)
{
    struct console_line *l = msg;
    run_command(l->demo, l->text);
    free(l);
}

/* The console thread: one posted message per line of standard input. */
static void *console_main(void *ud)
{
    struct bm_demo *d = ud;
    FILE *in = stdin;
    /* Unbuffered: with a buffer, two lines arriving together would both be read into it, and
     * poll, which sees only the descriptor, would then sleep on the second one. */
    setvbuf(in, NULL, _IONBF, 0);
    char buf[LINE_MAX_LEN];
    for (;;) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {d->wake[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 || fds[1].revents)
            break;
        if (!fgets(buf, sizeof buf, in))
            break; /* end of input: the demo goes on, driven by the window */
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!buf[0])
            continue;
        struct console_line *l = malloc(sizeof *l);
        if (!l)
            break;
        l->demo = d;
        snprintf(l->text, sizeof l->text, "%s", buf);
        if (bm_loop_post(on_console_line, l) != BM_OK) {
            free(l);
            break;
        }
    }
    return NULL;
}

enum bm_err bm_demo_start(struct bm_flow *flow, bool console, struct bm_demo **out)
{
    struct bm_demo *d = calloc(1, sizeof *d);
    if (!d)
        return bm_err_set(BM_ERR_NO_MEMORY, "demo");
    d->flow = flow;
    d->wake[0] = d->wake[1] = -1;
    if (console) {
        if (pipe(d->wake) != 0) {
            free(d);
            return bm_err_set(BM_ERR_IO, "demo console pipe");
        }
        if (pthread_create(&d->thread, NULL, console_main, d) != 0) {
            close(d->wake[0]);
            close(d->wake[1]);
            free(d);
            return bm_err_set(BM_ERR_NO_MEMORY, "demo console thread");
        }
        d->console = true;
        bm_log_notice("demo", "demo console: type 'help' for commands");
    }
    bm_log_notice("demo", "demo mode: F1-F12 play the simulated devices (README)");
    *out = d;
    return BM_OK;
}

void bm_demo_stop(struct bm_demo *d)
{
    if (!d)
        return;
    if (d->console) {
        char byte = 1;
        if (write(d->wake[1], &byte, 1) != 1)
            bm_log_warn("demo", "could not wake the console thread");
        pthread_join(d->thread, NULL);
        close(d->wake[0]);
        close(d->wake[1]);
    }
    bm_demo_print_destroy(d->print);
    free(d);
}
