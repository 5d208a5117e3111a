/*
 * cups_fixture.h - a private cupsd for the document printer tests: its own ServerRoot, spool,
 * logs and domain socket under a fresh temp dir, and one raw queue whose backend is
 * fake_cups_backend (writes each job to a file; flag files make it run out of paper, stop the
 * queue or hang). Never touches the system's cupsd or port 631. Main thread only.
 */
#ifndef BM_TEST_CUPS_FIXTURE_H
#define BM_TEST_CUPS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CUPS_FX_QUEUE "bmtest"

struct cups_fx_proxy; /* cups_fixture.c */

struct cups_fx {
    char base[256];              /* the temp dir: everything lives under it */
    char sock[300];              /* base/cups.sock: the server for the driver and CUPS_SERVER */
    char out[300];               /* base/out: the backend's jobs and flags */
    pid_t pid;                   /* cupsd, 0 when not running */
    double start_ms;             /* how long the last cupsd start took until it answered */
    char proxy_sock[300];        /* base/proxy.sock while the proxy runs */
    struct cups_fx_proxy *proxy; /* NULL: none */
};

/* Makes the tree, starts cupsd and creates the queue. Skips the program if cupsd is absent. */
void cups_fx_setup(struct cups_fx *c);
/* Stops cupsd and removes the tree. */
void cups_fx_teardown(struct cups_fx *c);

/* cupsd alone: stop (SIGTERM, waits for it) and start again (waits until it answers). */
void cups_fx_kill(struct cups_fx *c);
void cups_fx_start(struct cups_fx *c);

/* Runs a shell command (printf-style) with CUPS_SERVER set; its exit status. */
int cups_fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Creates or removes flag file `name` in out/ ("paper-out", "stop", "slow"). */
void cups_fx_flag(struct cups_fx *c, const char *name, bool on);

/* The backend's copy of job id (job-<id>.pdf), waiting up to wait_ms for it; NULL if none. */
char *cups_fx_job(struct cups_fx *c, int id, const char *ext, size_t *len, unsigned wait_ms);

/* Whether the backend has started job id (its file started-<id>), waiting up to wait_ms. */
bool cups_fx_started(struct cups_fx *c, int id, unsigned wait_ms);

/*
 * What `lpstat -l -W all -o` says of job id (its line and the indented ones under it: "Alerts:"
 * holds its job-state-reasons, e.g. job-canceled-by-user, job-incoming) into buf; "" if the job
 * is not listed. Returns buf.
 */
char *cups_fx_job_text(int id, char *buf, size_t size);

/* Whether that text holds `what`, waiting up to wait_ms for it. */
bool cups_fx_job_shows(int id, const char *what, unsigned wait_ms);

/* Whether cupsd's log/<log> (access_log: every request, with its operation name) holds
 * `what`, waiting up to wait_ms for it. */
bool cups_fx_log_has(struct cups_fx *c, const char *log, const char *what, unsigned wait_ms);

/* Gives the queue a PPD of a duplex printer that takes PDF unfiltered (sides-supported then
 * lists two-sided; the backend still gets the PDF byte for byte). */
void cups_fx_duplex_queue(struct cups_fx *c);

/*
 * A relay between the driver and cupsd (on proxy_sock; point the driver's server at it) that
 * cuts a connection midway when armed: CUPS_FX_CUT_CREATE_JOB_REPLY drops the connection that
 * sent the next Create-Job instead of passing on cupsd's reply (cupsd made the job; the client
 * never learns its id); CUPS_FX_CUT_SEND_DOCUMENT drops the connection once 100 KB more have
 * gone from client to cupsd (only a document is that big). The proxy runs on its own thread;
 * teardown stops it.
 */
enum cups_fx_cut { CUPS_FX_CUT_NONE, CUPS_FX_CUT_CREATE_JOB_REPLY, CUPS_FX_CUT_SEND_DOCUMENT };
void cups_fx_proxy_start(struct cups_fx *c);
void cups_fx_proxy_arm(struct cups_fx *c, enum cups_fx_cut cut);
/* How many connections it has cut so far. */
int cups_fx_proxy_cuts(struct cups_fx *c);

/* How many jobs the backend wrote. */
int cups_fx_job_count(struct cups_fx *c);

/* Whether the queue holds no unfinished job (lpstat -o is empty), waiting up to wait_ms. */
bool cups_fx_queue_empty(unsigned wait_ms);

#endif
