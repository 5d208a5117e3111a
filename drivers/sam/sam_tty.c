/*
 * sam_tty.c - the SAM reader over a serial line: USB-serial bridges (ttyUSB), CDC-ACM readers
 * (ttyACM) and plain UARTs. Raw 8N1 at the configured speed (115200 unless the reader was set
 * otherwise), no flow control, no echo, no line discipline. The port is opened exclusively
 * (TIOCEXCL) so a second program cannot interleave frames with ours.
 *
 * Everything is non-blocking with poll(2) and a deadline, so an unplugged adapter or a silent
 * reader costs at most the timeout. A hang-up (POLLHUP, EIO, ENXIO) reads as BM_ERR_NO_DEVICE:
 * the reader logic closes the link and opens it again when the port comes back.
 *
 * Threads: the device's worker thread.
 */
#include "sam_link.h"

#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

struct sam_tty {
    struct sam_link link; /* first: the ops get a struct sam_link * */
    int fd;
};

static struct sam_tty *tty_of(struct sam_link *link)
{
    return (struct sam_tty *)link;
}

static bool hung_up(int e)
{
    return e == EIO || e == ENXIO || e == ENODEV || e == EBADF;
}

/* Waits until fd is ready for events or the deadline passes. */
static enum bm_err wait_ready(struct sam_tty *t, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = bm_clock_ms(bm_clock_system());
        if (now >= deadline)
            return bm_err_set(BM_ERR_TIMEOUT, "%s: no answer in time", t->link.name);
        struct pollfd p = {.fd = t->fd, .events = events};
        int n = poll(&p, 1, (int)(deadline - now));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bm_err_set(BM_ERR_IO, "%s: poll: %s", t->link.name, strerror(errno));
        if (n == 0)
            continue;
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
            return bm_err_set(BM_ERR_NO_DEVICE, "%s: hung up", t->link.name);
        return BM_OK;
    }
}

static enum bm_err tty_send(struct sam_link *link, const uint8_t *frame, size_t len,
                            unsigned timeout_ms)
{
    struct sam_tty *t = tty_of(link);
    uint64_t deadline = bm_clock_ms(bm_clock_system()) + timeout_ms;
    size_t done = 0;
    while (done < len) {
        enum bm_err err = wait_ready(t, POLLOUT, deadline);
        if (err != BM_OK)
            return err;
        ssize_t n = write(t->fd, frame + done, len - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return bm_err_set(hung_up(errno) ? BM_ERR_NO_DEVICE : BM_ERR_IO, "%s: write: %s",
                              link->name, strerror(errno));
        done += (size_t)n;
        link->bytes_sent += (uint64_t)n;
    }
    return BM_OK;
}

static enum bm_err tty_receive(struct sam_link *link, struct sam_rx *rx, unsigned timeout_ms)
{
    struct sam_tty *t = tty_of(link);
    uint64_t deadline = bm_clock_ms(bm_clock_system()) + timeout_ms;
    for (;;) {
        enum bm_err err = wait_ready(t, POLLIN, deadline);
        if (err != BM_OK)
            return err;
        ssize_t n = read(t->fd, sam_rx_space(rx), sam_rx_room(rx));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return bm_err_set(hung_up(errno) ? BM_ERR_NO_DEVICE : BM_ERR_IO, "%s: read: %s",
                              link->name, strerror(errno));
        if (n == 0) /* a tty reads 0 only after a hang-up */
            return bm_err_set(BM_ERR_NO_DEVICE, "%s: hung up", link->name);
        sam_rx_commit(rx, (size_t)n);
        link->bytes_received += (uint64_t)n;
        return BM_OK;
    }
}

static void tty_discard_input(struct sam_link *link)
{
    tcflush(tty_of(link)->fd, TCIFLUSH);
}

static void tty_close(struct sam_link *link)
{
    struct sam_tty *t = tty_of(link);
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct sam_link_ops tty_ops = {
    .send = tty_send,
    .receive = tty_receive,
    .discard_input = tty_discard_input,
    .close = tty_close,
};

/* In the order of the config's serial_baud choices. */
static const struct {
    long baud;
    speed_t speed;
} speeds[] = {{115200, B115200}, {57600, B57600}, {38400, B38400}, {19200, B19200}, {9600, B9600}};

/* Raw 8N1, no flow control, reads return whatever has arrived. */
static enum bm_err set_raw(int fd, int choice, const char *path)
{
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0)
        return bm_err_set(BM_ERR_IO, "%s: not a serial port (%s)", path, strerror(errno));
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    if (choice < 0 || (size_t)choice >= sizeof speeds / sizeof speeds[0])
        choice = 0;
    speed_t speed = speeds[choice].speed;
    long baud = speeds[choice].baud;
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 ||
        tcsetattr(fd, TCSANOW, &tio) != 0)
        return bm_err_set(BM_ERR_IO, "%s: cannot set %ld 8N1: %s", path, baud, strerror(errno));
    tcflush(fd, TCIOFLUSH);
    return BM_OK;
}

enum bm_err sam_tty_open(const struct bm_config *cfg, struct sam_link **out)
{
    *out = NULL;
    char pathbuf[1024];
    const char *path =
        bm_config_path_value(cfg, "id_reader", "serial_device", pathbuf, sizeof pathbuf);
    if (!path)
        return bm_err_set(BM_ERR_CONFIG, "[id_reader] serial_device: path too long");
    int baud = bm_config_enum(cfg, "id_reader", "serial_baud");
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return bm_err_set(errno == ENOENT || errno == ENXIO || errno == ENODEV ? BM_ERR_NO_DEVICE
                                                                               : BM_ERR_IO,
                          "%s: %s", path, strerror(errno));
    if (ioctl(fd, TIOCEXCL) != 0 && errno != ENOTTY) {
        int e = errno;
        close(fd);
        return bm_err_set(BM_ERR_BUSY, "%s: cannot open exclusively: %s", path, strerror(e));
    }
    enum bm_err err = set_raw(fd, baud, path);
    struct sam_tty *t = err == BM_OK ? calloc(1, sizeof *t) : NULL;
    if (!t) {
        close(fd);
        return err != BM_OK ? err : bm_err_set(BM_ERR_NO_MEMORY, "tty link");
    }
    t->fd = fd;
    t->link.ops = &tty_ops;
    snprintf(t->link.name, sizeof t->link.name, "tty %s", path);
    *out = &t->link;
    return BM_OK;
}
