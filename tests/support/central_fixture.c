/*
 * central_fixture.c - runs the reference central service for C tests (central_fixture.h).
 *
 * The server is python3 tests/central/server.py (stdlib only); its first two stdout lines
 * give the API and control ports. The control port is plain HTTP and spoken with libcurl.
 */
#include "central_fixture.h"

#include "test_support.h"

#include "services/sync.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void central_start(struct central *c, const char *dir, const char *const *extra)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "python3 -B %s %s >/dev/null",
             bm_test_source_path("tests/central/make_pki.py"), dir);
    if (system(cmd) != 0)
        fail_msg("make_pki.py failed in %s", dir);

    const char *argv[32];
    int n = 0;
    char db[4200];
    snprintf(db, sizeof db, "%s/central.db", dir);
    argv[n++] = "python3";
    argv[n++] = "-B";
    argv[n++] = bm_test_source_path("tests/central/server.py");
    char server[4096];
    snprintf(server, sizeof server, "%s", argv[2]); /* the source path buffer is reused */
    argv[2] = server;
    argv[n++] = "--pki";
    argv[n++] = c->dir;
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "--exit-with-stdin";
    for (int i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;

    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->stdin_fd = in[1];
    FILE *f = fdopen(out[0], "r");
    assert_non_null(f);
    char line[256];
    int port = 0;
    for (int i = 0; i < 2 && fgets(line, sizeof line, f); i++) {
        if (sscanf(line, "listening 127.0.0.1:%d", &port) == 1)
            snprintf(c->url, sizeof c->url, "https://127.0.0.1:%d", port);
        sscanf(line, "control 127.0.0.1:%d", &c->control_port);
    }
    fclose(f); /* later output is not read; the server does not need it read */
    if (!c->url[0] || !c->control_port)
        fail_msg("the reference central service did not start (%s)", dir);
}

void central_stop(struct central *c)
{
    if (c->pid <= 0)
        return;
    close(c->stdin_fd); /* --exit-with-stdin */
    int status;
    for (int i = 0; i < 500; i++) {
        if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
            c->pid = 0;
            return;
        }
        usleep(10000);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &status, 0);
    c->pid = 0;
}

const char *central_file(const struct central *c, const char *name)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    return path;
}

struct text {
    char buf[65536];
    size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
    struct text *t = ud;
    size_t len = size * n;
    if (t->len + len >= sizeof t->buf)
        return 0;
    memcpy(t->buf + t->len, data, len);
    t->len += len;
    t->buf[t->len] = '\0';
    return len;
}

/* One request to the control port; its status. */
static long control(const struct central *c, const char *method, const char *path, const char *json,
                    struct text *out)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", c->control_port, path);
    CURL *e = curl_easy_init();
    assert_non_null(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (json)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    return status;
}

void central_fault(const struct central *c, const char *json)
{
    static struct text t;
    t.len = 0;
    long status = control(c, "POST", "/faults", json, &t);
    if (status < 200 || status > 299)
        fail_msg("fault not armed (%ld): %s", status, json);
}

void central_set_state(const struct central *c, const char *kiosk, const char *no, const char *json)
{
    static struct text t;
    t.len = 0;
    char path[160];
    snprintf(path, sizeof path, "/applications/%s/%s/state", kiosk, no);
    long status = control(c, "POST", path, json, &t);
    if (status < 200 || status > 299)
        fail_msg("state of %s not set (%ld): %s", no, status, json);
}

void central_publish(const struct central *c, const char *kind, const char *body, const char *kiosk)
{
    static struct text t;
    t.len = 0;
    char path[128];
    snprintf(path, sizeof path, "/documents/%s%s%s", kind, kiosk ? "?kiosk=" : "",
             kiosk ? kiosk : "");
    long status = control(c, "PUT", path, body, &t);
    if (status != 200)
        fail_msg("document not published (%ld): %s", status, t.buf);
}

long central_count(const struct central *c, const char *what)
{
    static struct text t;
    t.len = 0;
    t.buf[0] = '\0';
    if (control(c, "GET", "/state", NULL, &t) != 200)
        return -1;
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", what);
    const char *at = strstr(t.buf, key);
    return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

long central_db_int(const struct central *c, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(central_file(c, "central.db"), &h, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

void central_program_set(struct central_program *p, const char *fmt, ...)
{
    assert_true(p->n_sets < CENTRAL_PROGRAM_MAX_SETS);
    char *set = p->set[p->n_sets++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(set, sizeof p->set[0], fmt, ap);
    va_end(ap);
    int i = 1 + 2 * (p->n_sets - 1);
    p->argv[i] = "--set";
    p->argv[i + 1] = set;
    p->argv[i + 2] = NULL;
}

void central_program_args(struct central_program *p, const struct central *c, const char *dir)
{
    memset(p, 0, sizeof *p);
    p->argv[0] = "--demo-console";
    central_program_set(p, "central.url=%s", c->url);
    central_program_set(p, "central.ca_bundle=%s", central_file(c, "ca.pem"));
    central_program_set(p, "central.client_cert=%s", central_file(c, "kiosk.crt"));
    central_program_set(p, "central.client_key=%s", central_file(c, "kiosk.key"));
    central_program_set(p, "sync.outbox=%s/outbox.db", dir);
    central_program_set(p, "sync.key_file=%s/outbox.key", dir);
    central_program_set(p, "sim.output_dir=%s/sim", dir);
}

void central_sync_config(const struct central *c, const char *dir, size_t upload_chunk,
                         struct central_sync_paths *paths, struct bm_sync_config *cfg)
{
    snprintf(paths->ca, sizeof paths->ca, "%s", central_file(c, "ca.pem"));
    snprintf(paths->cert, sizeof paths->cert, "%s", central_file(c, "kiosk.crt"));
    snprintf(paths->key, sizeof paths->key, "%s", central_file(c, "kiosk.key"));
    snprintf(paths->outbox, sizeof paths->outbox, "%.4100s/outbox.db", dir);
    snprintf(paths->outbox_key, sizeof paths->outbox_key, "%.4100s/outbox.key", dir);
    *cfg = (struct bm_sync_config){
        .http = {.url = c->url,
                 .ca_bundle = paths->ca,
                 .client_cert = paths->cert,
                 .client_key = paths->key,
                 .kiosk_id = "DEMO-0001", /* make_pki.py's first kiosk: kiosk.crt */
                 .connect_timeout_ms = 5000,
                 .transfer_timeout_ms = 5000},
        .outbox = {.path = paths->outbox, .key_path = paths->outbox_key},
        .upload_chunk = upload_chunk,
    };
}
