/*
 * pty_fake.h - a tty-attached ID card reader (USB-serial bridge, CDC-ACM, UART) for tests: a
 * pseudo-terminal whose master side a thread shuttles to and from a sam_model. The driver
 * opens the slave (through a stable symlink) and sets termios as it would on /dev/ttyUSB0.
 *
 * Unplug closes the master: the driver's reads end with EIO / POLLHUP, its writes with EIO,
 * and the symlink goes away (as /dev/ttyUSB0 does). Replug makes a new pty and points the
 * same symlink at it, so a driver configured with the link path finds the reader again.
 *
 * Threads: create/free/unplug/replug from the test thread; the shuttle thread is internal.
 */
#ifndef BM_TEST_PTY_FAKE_H
#define BM_TEST_PTY_FAKE_H

#include "sam_model.h"

#include <stdbool.h>
#include <termios.h>

enum pty_fake_flags {
    /* Leave the slave as a fresh tty is (cooked, echo) instead of raw: a driver that does
     * not set raw mode then fails as it would on a real serial port (echoed replies become
     * input the model answers: expect garbage, not a hang). */
    PTY_FAKE_COOKED = 1,
};

struct pty_fake;

/* Starts serving m (borrowed; must outlive the fake). link_dir: where the symlink
 * "ttySAM0" goes (NULL: a fresh directory under the test tmp dir). */
struct pty_fake *pty_fake_new(struct sam_model *m, const char *link_dir, int flags);
void pty_fake_free(struct pty_fake *p);

/* The path the driver should open: the symlink (stable across replugs). */
const char *pty_fake_path(struct pty_fake *p);
/* The current /dev/pts/N (changes on replug; "" while unplugged). */
const char *pty_fake_slave(struct pty_fake *p);

void pty_fake_unplug(struct pty_fake *p);
/* A new pty behind the same symlink. */
void pty_fake_replug(struct pty_fake *p);
bool pty_fake_plugged(struct pty_fake *p);

/* The slave's current termios as the driver left it (false while unplugged). */
bool pty_fake_termios(struct pty_fake *p, struct termios *out);

#endif
