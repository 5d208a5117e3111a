/*
 * pty_fake.c - a pseudo-terminal served by a thread that moves bytes between the master side
 * and a sam_model. See pty_fake.h.
 *
 * Design: per plug, one pty (posix_openpt/grantpt/unlockpt/ptsname), one thread. The thread
 * polls the master (and a wake pipe for stopping), feeds what the driver wrote to the model,
 * and writes the model's ready reply bytes back without blocking; its poll timeout is the time
 * until the model's next reply piece is due, so delays and split pieces keep their timing.
 * The fake keeps its own slave fd open: without it the master reads EIO whenever the driver
 * closes and reopens the port, and it lets the fake read the termios the driver set. The
 * driver is pointed at a symlink in a private directory; replug re-points it atomically.
 *
 * Threads: public functions from the test thread; the shuttle thread touches only the fds of
 * its plug and the (thread-safe) model.
 */
#include "pty_fake.h"

#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pty_fake {
    struct sam_model *m;
    int flags;
    char link[4096], tmp_link[4096], slave[128];
    int master, slave_fd, wake[2];
    pthread_t thread;
    bool plugged;
    pthread_mutex_t mu; /* guards slave/plugged against the test thread's readers */
};

static void *shuttle(void *arg)
{
    struct pty_fake *p = arg;
    uint8_t in[4096], out[8192];
    size_t out_len = 0, out_off = 0;
    for (;;) {
        if (out_off == out_len) {
            out_len = sam_model_host_read(p->m, out, sizeof out);
            out_off = 0;
        }
        while (out_off < out_len) {
            ssize_t w = write(p->master, out + out_off, out_len - out_off);
            if (w <= 0)
                break; /* EAGAIN: the slave's input queue is full; wait for POLLOUT */
            out_off += (size_t)w;
        }
        int ms = sam_model_next_ready_ms(p->m);
        if (ms < 0 || ms > 50)
            ms = 50;
        if (out_off < out_len)
            ms = 50;
        struct pollfd pf[2] = {
            {.fd = p->master, .events = POLLIN | (out_off < out_len ? POLLOUT : 0)},
            {.fd = p->wake[0], .events = POLLIN},
        };
        int r = poll(pf, 2, ms);
        if (r < 0 && errno != EINTR)
            break;
        if (pf[1].revents)
            break;
        if (pf[0].revents & POLLIN) {
            ssize_t n = read(p->master, in, sizeof in);
            if (n > 0)
                sam_model_host_write(p->m, in, (size_t)n);
        }
    }
    return NULL;
}

static void plug(struct pty_fake *p)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        fprintf(stderr, "pty_fake: posix_openpt: %s\n", strerror(errno));
        abort();
    }
    char name[128];
    if (ptsname_r(master, name, sizeof name) != 0)
        abort();
    int slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) {
        fprintf(stderr, "pty_fake: open %s: %s\n", name, strerror(errno));
        abort();
    }
    struct termios t;
    tcgetattr(slave, &t);
    if (!(p->flags & PTY_FAKE_COOKED))
        cfmakeraw(&t);
    cfsetispeed(&t, B9600); /* as a USB-serial port comes up: the driver must set its speed */
    cfsetospeed(&t, B9600);
    tcsetattr(slave, TCSANOW, &t);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    if (pipe(p->wake) != 0)
        abort();

    pthread_mutex_lock(&p->mu);
    p->master = master;
    p->slave_fd = slave;
    snprintf(p->slave, sizeof p->slave, "%s", name);
    p->plugged = true;
    pthread_mutex_unlock(&p->mu);

    unlink(p->tmp_link);
    if (symlink(name, p->tmp_link) != 0 || rename(p->tmp_link, p->link) != 0) {
        fprintf(stderr, "pty_fake: symlink %s: %s\n", p->link, strerror(errno));
        abort();
    }
    if (pthread_create(&p->thread, NULL, shuttle, p) != 0)
        abort();
}

struct pty_fake *pty_fake_new(struct sam_model *m, const char *link_dir, int flags)
{
    struct pty_fake *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->m = m;
    p->flags = flags;
    p->master = p->slave_fd = -1;
    pthread_mutex_init(&p->mu, NULL);
    const char *dir = link_dir ? link_dir : bm_test_mkdtemp("pty");
    snprintf(p->link, sizeof p->link, "%s/ttySAM0", dir);
    snprintf(p->tmp_link, sizeof p->tmp_link, "%s/.ttySAM0.new", dir);
    plug(p);
    return p;
}

void pty_fake_unplug(struct pty_fake *p)
{
    pthread_mutex_lock(&p->mu);
    bool was = p->plugged;
    p->plugged = false;
    p->slave[0] = '\0';
    pthread_mutex_unlock(&p->mu);
    if (!was)
        return;
    unlink(p->link);
    char c = 1;
    if (write(p->wake[1], &c, 1) != 1)
        abort();
    pthread_join(p->thread, NULL);
    /* closing the master hangs up the slave: the driver's fd reads EOF/EIO, polls HUP */
    close(p->master);
    close(p->slave_fd);
    close(p->wake[0]);
    close(p->wake[1]);
    p->master = p->slave_fd = -1;
}

void pty_fake_replug(struct pty_fake *p)
{
    pty_fake_unplug(p);
    plug(p);
}

void pty_fake_free(struct pty_fake *p)
{
    if (!p)
        return;
    pty_fake_unplug(p);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

const char *pty_fake_path(struct pty_fake *p)
{
    return p->link;
}

const char *pty_fake_slave(struct pty_fake *p)
{
    return p->slave;
}

bool pty_fake_plugged(struct pty_fake *p)
{
    pthread_mutex_lock(&p->mu);
    bool r = p->plugged;
    pthread_mutex_unlock(&p->mu);
    return r;
}

bool pty_fake_termios(struct pty_fake *p, struct termios *out)
{
    pthread_mutex_lock(&p->mu);
    bool ok = p->plugged && tcgetattr(p->slave_fd, out) == 0;
    pthread_mutex_unlock(&p->mu);
    return ok;
}
