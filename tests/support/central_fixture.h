/*
 * central_fixture.h - the reference central service (tests/central/server.py) for C tests:
 * a test PKI made once per fixture directory, a server process started with chosen options
 * and stopped with its stdin (--exit-with-stdin, so a killed test leaves no server behind),
 * and its plain-HTTP control port (faults, counts). Main thread of a test.
 */
#ifndef BM_TEST_CENTRAL_FIXTURE_H
#define BM_TEST_CENTRAL_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct central {
    char dir[4096];   /* the PKI and the database */
    char url[64];     /* https://127.0.0.1:PORT */
    int control_port; /* plain HTTP */
    pid_t pid;
    int stdin_fd;
};

/* Makes the PKI in dir (if missing) and starts server.py with extra (NULL-terminated) options.
 * Fails the test when the server does not come up. */
void central_start(struct central *c, const char *dir, const char *const *extra);
/* Stops the server and waits for it. */
void central_stop(struct central *c);

/* A file of the PKI: central_file(c, "ca.pem"). Static buffer, valid until the next call. */
const char *central_file(const struct central *c, const char *name);

/* POSTs a fault (JSON) to the control port; fails the test unless it was armed. */
void central_fault(const struct central *c, const char *json);
/* Publishes a signed document's body (kind: catalog, notices, settings; kiosk: settings for
 * that kiosk only, or NULL); the centre signs it when it is served. Fails the test if refused. */
void central_publish(const struct central *c, const char *kind, const char *body,
                     const char *kiosk);
/* Moves an application on as a case worker would (json: {"state": ..., "note": {"zh-CN": ...,
 * "en": ...}}); fails the test unless the centre holds it. */
void central_set_state(const struct central *c, const char *kiosk, const char *no,
                       const char *json);
/* GET /state's count named `what` (applications, submissions, ...); -1 if absent. */
long central_count(const struct central *c, const char *what);
/* One integer the centre's database answers to sql (read-only; fails the test otherwise). */
long central_db_int(const struct central *c, const char *sql);

/*
 * The kiosk program's arguments for this centre: --demo-console and the --set options of
 * [central] (url, CA, the test kiosk's certificate and key), [sync] outbox
 * and key file in dir, and the sim's output in dir; central_program_set adds one more
 * "SECTION.KEY=VALUE". argv is NULL-terminated, for bm_program_start.
 */
#define CENTRAL_PROGRAM_MAX_SETS 16
struct central_program {
    char set[CENTRAL_PROGRAM_MAX_SETS][4400];
    const char *argv[2 * CENTRAL_PROGRAM_MAX_SETS + 2];
    int n_sets;
};
void central_program_args(struct central_program *p, const struct central *c, const char *dir);
void central_program_set(struct central_program *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A sync engine's configuration for this centre and the test PKI's kiosk certificate, its
 * outbox in dir. The strings live in *paths, which must outlive the engine's opening.
 */
struct central_sync_paths {
    char ca[4200], cert[4200], key[4200], outbox[4200], outbox_key[4200];
};
struct bm_sync_config;
void central_sync_config(const struct central *c, const char *dir, size_t upload_chunk,
                         struct central_sync_paths *paths, struct bm_sync_config *cfg);

#endif
