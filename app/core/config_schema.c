/*
 * config_schema.c - the one table of every configuration section and key.
 *
 * Loading, the typed getters, --help-config and docs/config.md all follow this table, and a
 * unit test checks that docs/config.md names every key with its default, so add a key here and
 * in the doc together. Strings carry their allowed length (in characters, min..max) and
 * character class; integers their range; enums their '|'-separated choices, whose index the
 * getter returns (so keep an enum's order when adding choices: append). Read-only data: any
 * thread.
 */
#include "config.h"

#define STR(sec, k, def, lo, hi, cls, text)                                                        \
    {.section = sec, .key = k, .type = BM_CONFIG_STRING, .default_value = def, .min = lo,         \
     .max = hi, .chars = cls, .doc = text}
#define INT(sec, k, def, lo, hi, text)                                                             \
    {.section = sec, .key = k, .type = BM_CONFIG_INT, .default_value = def, .min = lo, .max = hi, \
     .doc = text}
#define BOOL(sec, k, def, text)                                                                    \
    {.section = sec, .key = k, .type = BM_CONFIG_BOOL, .default_value = def, .doc = text}
#define ENUM(sec, k, def, list, text)                                                              \
    {.section = sec, .key = k, .type = BM_CONFIG_ENUM, .default_value = def, .choices = list,     \
     .doc = text}

/* Device drivers per class; later work appends driver names (keep "sim" first). */
#define DEVICE(k, what)                                                                            \
    ENUM("devices", k, "sim", "sim|none",                                                          \
         "Driver for the " what "; none: this kiosk has no such device")

const struct bm_config_key bm_config_schema[] = {
    STR("kiosk", "id", "DEMO-0001", 1, 32, BM_CONFIG_CHARS_IDENT,
        "This kiosk's identifier, in logs, receipts and reports to the centre"),
    STR("kiosk", "name", "便民服务自助终端", 1, 64, BM_CONFIG_CHARS_TEXT,
        "The service point's name shown on screens"),
    STR("kiosk", "location", "", 0, 96, BM_CONFIG_CHARS_TEXT,
        "Where the kiosk stands, shown on the attract screen (empty: not shown)"),
    ENUM("kiosk", "mode", "kiosk", "demo|kiosk",
         "kiosk: fullscreen, hidden cursor, system shortcuts swallowed; "
         "demo: a window, and the keyboard scripts the simulated devices"),
    ENUM("kiosk", "language", "zh_CN", "zh_CN|en", "Language of the screens at start"),
    STR("kiosk", "hotline", "12345", 3, 20, BM_CONFIG_CHARS_PHONE,
        "Help line shown to residents"),

    INT("display", "width", "1080", 320, 7680, "Window or screen width in pixels"),
    INT("display", "height", "1920", 320, 7680, "Window or screen height in pixels"),
    BOOL("display", "fullscreen", "false", "Fullscreen even in demo mode"),
    INT("display", "dpi", "96", 60, 600, "Screen density, used to size touch targets in mm"),

    ENUM("log", "level", "info", "error|warn|notice|info|debug",
         "Lines above this level are dropped"),
    STR("log", "file", "", 0, 1000, BM_CONFIG_CHARS_PATH,
        "Also append log lines to this file (empty: stderr/journal only)"),

    INT("session", "timeout_s", "60", 15, 900,
        "Seconds without a touch before the \"are you still there?\" countdown"),
    INT("session", "countdown_s", "15", 5, 60,
        "Seconds the countdown runs before the session ends"),

    BOOL("voice", "enabled", "false",
         "Speak each screen's short prompt from the start of every session (residents switch "
         "it on and off; elderly mode always speaks)"),
    INT("voice", "rate", "150", 80, 450, "Speaking rate in words per minute"),
    INT("voice", "volume", "100", 10, 100, "Loudness in percent of espeak-ng's normal level"),
    STR("voice", "device", "", 0, 200, BM_CONFIG_CHARS_TEXT,
        "SDL audio device to speak on (empty: the system's default; none: no audio at all)"),

    ENUM("devices", "id_reader", "sim", "sim|none|sam-usb|sam-serial",
         "Driver for the ID card reader; none: this kiosk has no such device"),
    ENUM("devices", "receipt_printer", "sim", "sim|none|escpos-usb",
         "Driver for the receipt printer; none: this kiosk has no such device"),
    ENUM("devices", "doc_printer", "sim", "sim|none|cups",
         "Driver for the A4 document printer; none: this kiosk has no such device"),
    DEVICE("scanner", "document scanner"),
    DEVICE("barcode", "barcode / QR code reader"),

    INT("id_reader", "poll_ms", "300", 50, 5000,
        "Milliseconds between polls for a card (sam-usb, sam-serial)"),
    INT("id_reader", "timeout_ms", "2000", 100, 30000,
        "Milliseconds the reader may take to answer one command before it counts as silent"),
    INT("id_reader", "reopen_ms", "1000", 100, 60000,
        "Milliseconds between attempts to open an absent or silent reader again"),
    STR("id_reader", "usb_ids", "", 0, 400, BM_CONFIG_CHARS_TEXT,
        "More USB readers besides the built-in table, comma-separated: VVVV:PPPP (one bulk "
        "pipe each way), VVVV:PPPP:split (header and body pipes as on 0400:C35A) or "
        "VVVV:PPPP:OO/OO/II/II (split with these endpoints); hex"),
    STR("id_reader", "serial_device", "/dev/ttyUSB0", 1, 1000, BM_CONFIG_CHARS_PATH,
        "The reader's tty for sam-serial (a USB-serial bridge, CDC-ACM or UART)"),
    ENUM("id_reader", "serial_baud", "115200", "115200|57600|38400|19200|9600",
         "Line speed for sam-serial (115200: the readers' default)"),
    STR("id_reader", "photo_library", "", 0, 1000, BM_CONFIG_CHARS_PATH,
        "The reader vendor's WLT photo decoding library, loaded at run time (empty: no "
        "photo; screens show a placeholder)"),
    STR("id_reader", "photo_symbol", "unpack", 1, 64, BM_CONFIG_CHARS_IDENT,
        "The decoding function in photo_library: int f(char *wlt, char *bmp, int save_file)"),

    /* [receipt_printer]: the escpos-usb driver (docs/receipt-printer.md) */
    INT("receipt_printer", "width_dots", "576", 8, 4096,
        "Print head width in dots: 576 for 80 mm paper, 384 for 58 mm, 512 on some 80 mm models"),
    INT("receipt_printer", "dpi", "203", 100, 600, "Print head resolution (180 on older Epsons)"),
    STR("receipt_printer", "usb_ids", "", 0, 400, BM_CONFIG_CHARS_TEXT,
        "More USB printers besides USB printer class 7 and the built-in table, comma-separated "
        "VVVV:PPPP (hex), for printers that report a vendor class"),
    INT("receipt_printer", "status_poll_ms", "2000", 100, 60000,
        "Milliseconds between status polls (DLE EOT) while idle"),
    INT("receipt_printer", "timeout_ms", "3000", 100, 60000,
        "Milliseconds the printer may take to take a chunk of data or answer a status request"),
    INT("receipt_printer", "reopen_ms", "1000", 100, 60000,
        "Milliseconds between attempts to open an absent or silent printer again"),
    INT("receipt_printer", "band_rows", "255", 1, 255,
        "Raster rows per GS v 0 command (status is checked between bands)"),
    BOOL("receipt_printer", "cutter", "true", "The printer has an autocutter"),
    BOOL("receipt_printer", "paper_sensor", "false",
         "The printer answers GS r 1 (paper sensor): asked besides DLE EOT 4, and after the cut "
         "of each job, whose answer confirms the receipt printed"),
    INT("receipt_printer", "print_speed_mm_s", "100", 20, 500,
        "Paper speed the printer reaches at least, in mm/s: a job waits its print time at this "
        "speed before it counts as printed (no faster than the printer's real speed)"),
    INT("receipt_printer", "roll_length_mm", "50000", 1000, 1000000,
        "Length of a full paper roll, for the paper-low forecast"),
    STR("receipt_printer", "counters_file", "/var/lib/bianmin/receipt-counters", 0, 1000,
        BM_CONFIG_CHARS_PATH,
        "Where receipts printed and paper used are kept across restarts (empty: not kept)"),

    STR("doc_printer", "queue", "kiosk-a4", 1, 127, BM_CONFIG_CHARS_IDENT,
        "The CUPS queue documents print on (cups)"),
    STR("doc_printer", "server", "", 0, 1000, BM_CONFIG_CHARS_TEXT,
        "The CUPS server: host[:port] or a domain socket path (empty: libcups's default, "
        "CUPS_SERVER or client.conf, normally the local cupsd)"),
    INT("doc_printer", "job_timeout_ms", "120000", 1000, 3600000,
        "Milliseconds a job may take to complete before it is cancelled and fails"),
    INT("doc_printer", "status_poll_ms", "5000", 100, 600000,
        "Milliseconds between printer status polls while idle (cupsd does not poll an idle "
        "printer)"),
    INT("doc_printer", "connect_timeout_ms", "10000", 100, 120000,
        "Milliseconds the print server may take to connect or answer one request"),

    STR("sim", "output_dir", "/var/lib/bianmin/sim-output", 1, 1000, BM_CONFIG_CHARS_PATH,
        "Where simulated printers write what they print (PNG receipts, PDF documents)"),

    STR("catalog", "bundled", "", 0, 1000, BM_CONFIG_CHARS_PATH,
        "The catalog shipped with the program (empty: the source tree's config/catalog.json "
        "when run from a build directory, else the installed share directory's)"),
    STR("catalog", "current", "/var/lib/bianmin/catalog.json", 0, 1000, BM_CONFIG_CHARS_PATH,
        "The centre's last good catalog, used instead of the bundled one when it is valid "
        "(empty: none)"),

    STR("central", "url", "", 0, 1000, BM_CONFIG_CHARS_TEXT,
        "The central service, https://host[:port] without /v1 (empty: no central service, "
        "nothing is sent)"),
    STR("central", "ca_bundle", "/etc/bianmin/central-ca.pem", 1, 1000, BM_CONFIG_CHARS_PATH,
        "CA certificates the server's certificate must chain to (the system store is not "
        "used)"),
    STR("central", "pin_sha256", "", 0, 400, BM_CONFIG_CHARS_TEXT,
        "Optional base64 SHA-256 hashes of the server's public key, comma-separated; when "
        "set the server must present one of them"),
    STR("central", "client_cert", "/etc/bianmin/kiosk.crt", 1, 1000, BM_CONFIG_CHARS_PATH,
        "This kiosk's certificate (PEM), SAN URI urn:bianmin:kiosk:<id>"),
    STR("central", "client_key", "/etc/bianmin/kiosk.key", 1, 1000, BM_CONFIG_CHARS_PATH,
        "Its private key (PEM), readable only by the kiosk's user"),
    STR("central", "signing_public_key", "", 0, 1000, BM_CONFIG_CHARS_PATH,
        "File of the centre's document signing keys, '<key id> <base64 public key>' a line "
        "(empty: the centre's catalog copy is used unsigned, with a warning)"),
    INT("central", "connect_timeout_ms", "10000", 1000, 120000,
        "Milliseconds to connect to the centre (TCP and TLS)"),
    INT("central", "transfer_timeout_ms", "60000", 1000, 600000,
        "Milliseconds a request may go without any byte moving before it fails"),

    STR("sync", "outbox", "/var/lib/bianmin/outbox.db", 1, 1000, BM_CONFIG_CHARS_PATH,
        "The outbox: everything bound for the centre (SQLite, WAL, synchronous=FULL)"),
    STR("sync", "key_file", "/var/lib/bianmin/outbox.key", 1, 1000, BM_CONFIG_CHARS_PATH,
        "The outbox's 32-byte key for personal data, mode 600 (made if missing)"),
    INT("sync", "max_outbox_mib", "2048", 64, 65536, "Size cap of the outbox in MiB"),
    INT("sync", "upload_chunk_kib", "1024", 64, 4096,
        "Bytes per upload request, in KiB (smaller on slow lines)"),
    INT("sync", "heartbeat_interval_s", "300", 30, 3600,
        "Seconds between heartbeats (version, uptime, devices, outbox, disk; no personal data)"),
    INT("sync", "usage_batch_s", "3600", 300, 86400,
        "Seconds between usage batches (counts per service and hour; no personal data)"),
    STR("sync", "state_dir", "/var/lib/bianmin", 1, 1000, BM_CONFIG_CHARS_PATH,
        "Where the centre's notices and settings are kept (notices.json, settings.json, each "
        "with its .sig; made if missing)"),

    STR("paths", "font", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 1, 1000,
        BM_CONFIG_CHARS_PATH, "Regular UI font (a Noto Sans CJK collection)"),
    STR("paths", "font_bold", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 1, 1000,
        BM_CONFIG_CHARS_PATH, "Bold UI font"),
    STR("paths", "assets", "", 0, 1000, BM_CONFIG_CHARS_PATH,
        "UI assets directory (empty: the build tree's ui-assets when run from a build "
        "directory, else the installed share directory)"),

    {.section = NULL},
};
